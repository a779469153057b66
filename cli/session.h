/* Private to cli/: sessions as consoles drive them. */
#ifndef IOSIM_SESSION_H
#define IOSIM_SESSION_H

#include "cli.h"

struct cli_io {
	void (*write)(void *io, const char *s, size_t n);
	/* The user logged out (exit at EXEC). May be NULL. */
	void (*logout)(void *io);
	void *io;
	bool terminal;         /* a person at a terminal: paging applies */
	/* A held command (cli_hold) finished: prompt and read again. May be
	 * NULL. */
	void (*resume)(void *io);
	const char *origin;    /* "console" or "vty0 (10.0.0.1)" */
};

struct cli *cli_session_new(const struct cli_io *io, enum cli_mode start);
void cli_session_free(struct cli *cli);
/* Run one input line (no newline): CLI_OK, CLI_UNCHANGED, or CLI_ERR when
 * it was refused (a parse error or the handler's refusal). */
int cli_session_line(struct cli *cli, const char *line);
/* How many lines the session has refused. */
unsigned long cli_session_failed(const struct cli *cli);
/* The text to show before the user's input: prompt or pending question. */
void cli_session_prompt(struct cli *cli, char *buf, size_t n);
/* Whether the pending question hides what is typed (passwords). */
bool cli_session_noecho(const struct cli *cli);
/* `?` typed after LINE: prints help; the console reprints prompt + LINE. */
void cli_session_help(struct cli *cli, const char *line);
/* TAB after LINE: the completed line (caller frees) or NULL. */
char *cli_session_complete(struct cli *cli, const char *line);
int cli_session_candidates(struct cli *cli, const char *line, char ***out);
/* A command holds the session (cli_hold): no prompt, no input but the
 * escape sequence (Ctrl-^), which cli_session_escape() delivers. */
bool cli_session_held(const struct cli *cli);
void cli_session_escape(struct cli *cli);
/* --More-- pager: active? feed one key. */
bool cli_session_paging(const struct cli *cli);
void cli_session_pager_key(struct cli *cli, int key);
/* Print an asynchronous line (syslog) to this session. Returns true when
 * the session holds it until the running command's output is out. */
bool cli_session_async(struct cli *cli, const char *line);
/* Only the holding part: true when queued behind a running command. */
bool cli_session_defer(struct cli *cli, const char *line);
/* Sessions that want log lines (all consoles). */
struct cli *cli_session_first(void);
struct cli *cli_session_next(struct cli *cli);

/* exec/config commands shared by every mode, in cli/exec_cmds.c */
void cli_exec_cmds_init(void);
/* the pieces of a session exec_cmds.c needs */
void cli_session_set_priv(struct cli *cli, bool priv);
/* Switch the base level between user and privileged EXEC. */
void cli_session_base(struct cli *cli, enum cli_mode m);
bool cli_session_priv(const struct cli *cli);
void cli_session_exit_mode(struct cli *cli);   /* exit: one level up */
void cli_session_end(struct cli *cli);         /* end / Ctrl-Z */
void cli_session_history(struct cli *cli);     /* show history */
void cli_session_set_length(struct cli *cli, int lines);
int cli_session_length(const struct cli *cli);
/* `do LINE`: LINE starts at byte OFF of the typed line (for the caret) */
int cli_session_do(struct cli *cli, const char *line, size_t off);
void cli_session_logout(struct cli *cli);
const char *cli_session_origin(const struct cli *cli);

#endif
