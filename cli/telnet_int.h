/* Private to the telnet console, cli/telnet*.c: one connection's state and
 * the calls between the files that serve it. Each file holds one concern:
 *
 *   telnet.c        the server: listening socket, connections, the output
 *                   queue, exec-timeout and the login response timeout
 *   telnet_opt.c    the telnet protocol: RFC 854 commands, option
 *                   negotiation, end of line and escape sequences -> keys
 *   telnet_edit.c   the character-at-a-time line editor: echo, redraw,
 *                   history and what each key does
 *   telnet_login.c  User Access Verification as line con 0 (or AAA) asks
 *   telnet_sess.c   the cli session behind the editor: command output,
 *                   syslog lines and logging synchronous, prompts
 *
 * One connection is served at a time (struct tconn). It is freed only from
 * the server's own watchers, never from inside a session callback. */
#ifndef IOSIM_TELNET_INT_H
#define IOSIM_TELNET_INT_H

#include "cli_cfg.h"
#include "session.h"

#include <stdbool.h>
#include <stddef.h>

#define LINE_LEN 4096           /* longest input line; more rings the bell */
#define HIST_MAX 10             /* IOS's default history size */

enum tn_state { TS_DATA, TS_IAC, TS_OPT, TS_SB, TS_SB_IAC };
enum esc_state { ES_NONE, ES_ESC, ES_CSI };
enum phase { PH_USER, PH_PASS, PH_EXEC };

/* keys decoded from escape sequences, beyond the byte range */
enum { K_UP = 256, K_DOWN, K_LEFT, K_RIGHT, K_HOME, K_END, K_DEL };

#define CTRL(c) ((c) & 0x1f)

struct tconn {
	int fd;
	ev_io rw, ww;
	ev_timer idle;               /* exec-timeout */
	struct sbuf out;             /* queued output, from out_off on */
	size_t out_off;
	bool out_cr;                 /* the last byte queued was '\r' */
	/* telnet input (telnet_opt.c) */
	enum tn_state ts;
	unsigned char verb;          /* DO/DONT/WILL/WONT awaiting its option */
	size_t sb_len;
	bool after_cr;               /* swallow the LF or NUL of CR LF / CR NUL */
	unsigned char us[256], him[256];   /* option states, RFC 1143 */
	enum esc_state es;           /* escape sequences (arrow keys) */
	char esc[8];
	size_t esc_len;
	/* the line being typed (telnet_edit.c) */
	char line[LINE_LEN + 1];
	size_t len, cur;
	char *hist[HIST_MAX];
	int nhist, hpos;
	/* login (telnet_login.c), then the session (telnet_sess.c) */
	enum phase phase;
	enum line_login login;
	int tries;
	char *user;
	struct cli *cli;
	bool busy;                   /* inside a session call: output is the command's */
	bool async_open;             /* an asynchronous line is half written */
	bool closing;                /* logged out or login failed: close when safe */
	bool dead;                   /* the peer is gone or stopped reading */
};

/* ---- output (telnet.c) -------------------------------------------------- */
/* Bytes as they are (telnet commands, the bell). */
void tn_out_raw(struct tconn *t, const void *p, size_t n);
/* Text for the terminal: "\n" becomes "\r\n", a 255 byte is doubled. */
void tn_out_text(struct tconn *t, const char *s, size_t n);
void tn_out_str(struct tconn *t, const char *s);

/* ---- the protocol (telnet_opt.c) ---------------------------------------- */
/* The options the server asks for as the connection opens. */
void tn_opt_start(struct tconn *t);
/* One byte from the client. */
void tn_input(struct tconn *t, unsigned char b);

/* ---- the editor (telnet_edit.c) ----------------------------------------- */
/* One key: a byte, or K_* from an escape sequence. */
void tn_key(struct tconn *t, int k);
/* The prompt, the line typed so far (unless hidden) and the cursor; or
 * the pager's --More-- when a page waits for a key. */
void tn_redraw(struct tconn *t);
void tn_ed_clear(struct tconn *t);      /* forget the line and history */

/* ---- login (telnet_login.c) ---------------------------------------------- */
/* Right after connecting: straight to the EXEC, or User Access
 * Verification. */
void tn_login_start(struct tconn *t);
/* A line typed at "Username: " / "Password: ". */
void tn_login_user(struct tconn *t, const char *name);
void tn_login_password(struct tconn *t, const char *pw);
/* The login prompt timed out (the server closes the connection). */
void tn_login_expired(struct tconn *t);

/* ---- the session (telnet_sess.c) ----------------------------------------- */
/* Logged in: a cli session at user or (privilege 15) privileged EXEC. */
void tn_exec_start(struct tconn *t, unsigned priv);
/* What is typed is hidden (a password prompt). */
bool tn_hidden(const struct tconn *t);
bool tn_paging(const struct tconn *t);
/* A command (ping) runs on after its line. */
bool tn_held(const struct tconn *t);
/* The session asks a question ([confirm], a file name) rather than
 * showing a mode prompt. */
bool tn_asking(struct tconn *t);
void tn_prompt_text(struct tconn *t, char *buf, size_t n);
/* Session calls; their output belongs to the command. */
void tn_run_line(struct tconn *t, const char *line);
void tn_run_help(struct tconn *t, const char *line);
void tn_run_escape(struct tconn *t);
void tn_run_pager_key(struct tconn *t, int k);
/* After a command: the next prompt, unless the user logged out or the
 * pager or a running command holds the screen. */
void tn_after_command(struct tconn *t);

#endif
