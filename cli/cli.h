/* cli: the declarative command grammar, modes and prompts, consoles.
 *
 * A command is declared once, next to the state it changes:
 *
 *   DEFUN(standby_priority, "standby [<0-4095>$grp] priority <0-255>$pri",
 *         "HSRP interface configuration commands\n"
 *         "group number\n"
 *         "Priority level\n"
 *         "Priority value\n")
 *   {
 *       struct iface *ifp = cli_ctx(cli);
 *       unsigned grp = cli_arg(a, "grp") ? cli_arg_num(a, "grp") : 0;
 *       ...
 *       return CLI_OK;
 *   }
 *   ... cli_install(MODE_IF, &standby_priority_cmd);
 *
 * Syntax language (words separated by spaces):
 *   keyword          matched case-insensitively, any unambiguous prefix
 *   <lo-hi>          decimal number in range (lo, hi fit in uint32)
 *   A.B.C.D          IPv4 address (also used for masks/wildcards)
 *   WORD             any single word
 *   LINE             the rest of the line (may be several words)
 *   IFNAME           interface type and number, "f0/0", "FastEthernet 0/0",
 *                    "fastethernet0/0" all give "FastEthernet0/0"
 *   [ x ]            optional
 *   ( a | b c | d )  one of the alternatives
 *   { a | b | c }    one or more of them, any order, each at most once
 *   tok$name         gives the token a name for cli_arg(); a keyword is
 *                    also found by its own text when it has no name.
 * Help strings: one line per token, in the order the tokens appear in the
 * syntax string (punctuation has no help).
 *
 * The "no" and "default" forms are declared as their own commands
 * starting with the keyword "no"; "default X" runs the "no X" command with
 * cli_is_default() true.
 */
#ifndef IOSIM_CLI_H
#define IOSIM_CLI_H

#include <stdbool.h>
#include <stdint.h>
#include "../core/core.h"

enum cli_mode {
	MODE_USER,              /* Router>                         */
	MODE_EXEC,              /* Router#                         */
	MODE_CONFIG,            /* Router(config)#                 */
	MODE_IF,                /* (config-if)      ctx: struct iface * */
	MODE_SUBIF,             /* (config-subif)   ctx: struct iface * */
	MODE_LINE,              /* (config-line)    ctx: line range     */
	MODE_RED,               /* (config-red)                     */
	MODE_RED_INTERDEV,      /* (config-red-interdevice)         */
	MODE_IPCZONE,           /* (config-ipczone)                 */
	MODE_IPCZONE_ASSOC,     /* (config-ipczone-assoc)  ctx: assoc */
	MODE_IPC_SCTP,          /* (config-ipc-protocol-sctp)       */
	MODE_IPC_LOCAL_SCTP,    /* (config-ipc-local-sctp)          */
	MODE_IPC_REMOTE_SCTP,   /* (config-ipc-remote-sctp)         */
	MODE_ISAKMP,            /* (config-isakmp)        ctx: policy */
	MODE_ISAKMP_GROUP,      /* (config-isakmp-group)  ctx: group  */
	MODE_ISAKMP_PROFILE,    /* (conf-isa-prof)        ctx: profile */
	MODE_CRYPTO_TRANS,      /* (cfg-crypto-trans)     ctx: tset   */
	MODE_IPSEC_PROFILE,     /* (ipsec-profile)        ctx: profile */
	MODE_CRYPTO_MAP,        /* (config-crypto-map)    ctx: entry  */
	MODE_EXT_NACL,          /* (config-ext-nacl)      ctx: acl    */
	MODE_STD_NACL,          /* (config-std-nacl)      ctx: acl    */
	MODE_TRACK,             /* (config-track)         ctx: track  */
	MODE_ROUTER,            /* (config-router)        ctx: process */
	MODE_CONTROL_PLANE,     /* (config-cp)                      */
	MODE_ARCHIVE,           /* (config-archive)                 */
	MODE_ARCHIVE_LOG,       /* (config-archive-log-cfg)         */
	MODE_VOICECARD,         /* (config-voicecard)               */
	MODE_KEYCHAIN,          /* (config-keychain)      ctx: chain  */
	MODE_KEYCHAIN_KEY,      /* (config-keychain-key)  ctx: key    */
	MODE__COUNT
};

struct cli;        /* one console session */
struct cli_args;   /* the words a command matched */

enum { CLI_OK = 0, CLI_ERR = 1 };

typedef int (*cli_handler_fn)(struct cli *cli, const struct cli_args *a);

struct cli_command {
	const char *syntax;
	const char *help;
	cli_handler_fn handler;
	unsigned flags;
};
/* flags */
#define CLI_HIDDEN   0x1   /* accepted, not listed by ? */

#define DEFUN_FLAGS(fn, syn, hlp, flg)                                   \
	static int fn(struct cli *cli, const struct cli_args *a);        \
	static const struct cli_command fn##_cmd = {syn, hlp, fn, flg};  \
	static int fn(struct cli *cli __attribute__((unused)),           \
		      const struct cli_args *a __attribute__((unused)))
#define DEFUN(fn, syn, hlp) DEFUN_FLAGS(fn, syn, hlp, 0)

/* Install a command in a mode. Aborts on a malformed declaration or on a
 * declaration that duplicates another command exactly (programming error). */
void cli_install(enum cli_mode mode, const struct cli_command *cmd);

/* ---- arguments ----------------------------------------------------------- */
/* The word matched by the token named NAME (via $NAME, or a keyword's own
 * text), canonicalised: keywords in full, interface names in full,
 * numbers/addresses as typed. NULL when that token was not present.
 * For LINE, the rest of the line as typed (internal spacing kept). */
const char *cli_arg(const struct cli_args *a, const char *name);
bool cli_has(const struct cli_args *a, const char *name);
unsigned long cli_arg_num(const struct cli_args *a, const char *name);
/* NAME's address in network byte order; 0 when absent. */
uint32_t cli_arg_ip(const struct cli_args *a, const char *name);
int cli_argc(const struct cli_args *a);
const char *cli_argv(const struct cli_args *a, int i);
/* True when the line was "default ..." (and the "no ..." command runs). */
bool cli_is_default(const struct cli_args *a);

/* Index of the token named NAME in the matched words (-1 when absent). */
int cli_arg_index(const struct cli_args *a, const char *name);

/* ---- session ---------------------------------------------------------- */
void cli_printf(struct cli *cli, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void cli_puts(struct cli *cli, const char *s);
enum cli_mode cli_mode(const struct cli *cli);
void *cli_ctx(const struct cli *cli);
/* A handler that rejects an argument the grammar accepted prints IOS's
 * caret under that argument's word and "% Invalid input detected at '^'
 * marker." (argi: index as cli_argv / cli_arg_index). */
void cli_invalid_arg(struct cli *cli, const struct cli_args *a, int argi);
/* Enter a sub-mode of the current mode with its context object. */
void cli_enter(struct cli *cli, enum cli_mode mode, void *ctx);
/* Ask a question; the next input line (without its newline) goes to fn.
 * The prompt text is printed as IOS prints it, e.g.
 * "Destination filename [startup-config]? ". */
typedef void (*cli_answer_fn)(struct cli *cli, const char *answer, void *ctx);
void cli_ask(struct cli *cli, const char *question, cli_answer_fn fn,
	     void *ctx);
/* ---- commands that go on after their handler returns (ping) -------------- */
/* cli_hold: the running command keeps the session after its handler
 * returns; the session shows no prompt and reads no input (a piped console
 * waits before its next line) until cli_release(). What it prints
 * meanwhile goes out at cli_flush(). ESCAPE runs when the user types the
 * escape sequence (Ctrl-^): the command winds up and releases. It also runs
 * with GONE true when the session is closing: the command must stop and
 * free its state without printing or releasing. */
typedef void (*cli_escape_fn)(struct cli *cli, void *ctx, bool gone);
void cli_hold(struct cli *cli, cli_escape_fn escape, void *ctx);
void cli_flush(struct cli *cli);
void cli_release(struct cli *cli);

/* Leave every session's sub-mode whose context is CTX (the object is being
 * deleted): they drop back to global configuration. */
void cli_forget_ctx(void *ctx);
/* Name of the mode's prompt suffix, e.g. "config-if" (NULL for exec). */
const char *cli_mode_prompt(enum cli_mode mode);

/* After a reload every console returns to user EXEC. */
void cli_reload_sessions(void);

/* ---- interface names ------------------------------------------------------ */
/* Canonicalise an interface name written as IOS accepts it: "f0/0",
 * "FastEthernet 0/0", "fastethernet0/0", "Gi0/1.100", "lo0".
 * Returns false if it is not an interface name. out >= 48 bytes. */
bool cli_ifname_canon(const char *in, char *out, size_t n);
/* "FastEthernet0/0" -> "Fa0/0" (IOS short form as show standby brief). */
void cli_ifname_short(const char *canon, char *out, size_t n);

/* ---- IOS type 7 passwords -------------------------------------------------- */
/* Decode a type 7 string ("0822455D0A16") to clear text; false when it is
 * not one. Protocol keys typed as "7 ..." (HSRP key-string) use it. */
bool pw7_decode(const char *hex, char *out, size_t n);
/* Encode CLEAR as type 7 (out >= 2 + 2*strlen(clear) + 1). */
void pw7_encode(const char *clear, char *out, size_t n);
/* service password-encryption: keys typed in clear are kept as type 7. */
bool service_password_encryption(void);

/* ---- running the CLI ------------------------------------------------------ */
/* Register every subsystem's commands; call once before consoles start. */
void cli_init(void);
/* A detached session that executes configuration text (boot config,
 * startup-config, tests). Lines are executed in global configuration mode;
 * errors are printed to ERR_OUT (may be NULL). Returns number of lines that
 * drew an error. */
int cli_exec_config_text(const char *text, struct sbuf *err_out);
/* Execute one line in a fresh session in MODE_EXEC and return its output
 * (used by tests and by "do"). Caller frees. */
char *cli_exec_capture(const char *line);

#endif
