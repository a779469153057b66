/* cli: the declarative command grammar, modes and prompts, consoles.
 *
 * A command is declared once, next to the state it changes:
 *
 *   DEFUN(standby_priority,
 *         "[no] standby [<0-4095>$grp] priority ?[<0-255>$pri]",
 *         "HSRP interface configuration commands\n"
 *         "group number\n"
 *         "Priority level\n"
 *         "Priority value\n")
 *   {
 *       CLI_CONTEXT(struct iface, ifp);
 *       unsigned grp = cli_has(a, "grp") ? cli_arg_num(a, "grp") : 0;
 *       if (cli_is_no(a)) ...
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
 *                    also found by its own text when it has no name, a
 *                    variable by its kind ("WORD", "A.B.C.D", "<1-10>").
 *   [no] ...         at the very start: the command and its "no" form in
 *                    one declaration; cli_is_no() tells which was typed.
 *   ?[ x ]           in a "[no]" declaration: x is required in the
 *                    positive form and optional in the "no" form, as IOS
 *                    takes "no standby 1 priority" and "no standby 1
 *                    priority 50" alike.
 * Help strings: one line per token, in the order the tokens appear in the
 * syntax string (punctuation and "[no]" have none). cli_install() aborts
 * when the count differs from the tokens'.
 *
 * In configuration modes "default X" runs the "no X" form (of a "[no]"
 * declaration, or of a command declared with a literal leading "no") with
 * cli_is_default() and cli_is_no() true. A "no" form that differs from
 * the positive one in more than ?[...] can say is declared on its own,
 * its leading "no" helped by CLI_HELP_NO.
 *
 * A handler returns CLI_OK (done: the configuration may have changed),
 * CLI_UNCHANGED (accepted, nothing changed: a sub-mode entered, a no form
 * of what is not there) or CLI_ERR (refused, after printing why). A
 * refused line counts as an error wherever it ran (boot, paste, console);
 * only CLI_OK in a configuration mode publishes EVT_CONFIG_CHANGED.
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

enum { CLI_OK = 0, CLI_ERR = 1, CLI_UNCHANGED = 2 };

#define CLI_HELP_NO "Negate a command or set its defaults\n"

/* A handler's setters: assign and give its return code, CLI_UNCHANGED when
 * the value was already there. CLI_SET evaluates its arguments twice. */
#define CLI_SET(lv, v) ((lv) == (v) ? CLI_UNCHANGED : ((lv) = (v), CLI_OK))
/* *SLOT becomes a copy of S (NULL clears it). */
int cli_set_str(char **slot, const char *s);

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
/* True when the line was "no ..." or "default ...". */
bool cli_is_no(const struct cli_args *a);
/* True when the line was "default ..." (and the "no" form runs). */
bool cli_is_default(const struct cli_args *a);

/* Index of the token named NAME in the matched words (-1 when absent). */
int cli_arg_index(const struct cli_args *a, const char *name);

/* ---- session ---------------------------------------------------------- */
void cli_printf(struct cli *cli, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void cli_puts(struct cli *cli, const char *s);
enum cli_mode cli_mode(const struct cli *cli);
/* A handler that rejects an argument the grammar accepted prints IOS's
 * caret under that argument's word and "% Invalid input detected at '^'
 * marker." (argi: index as cli_argv / cli_arg_index). */
void cli_invalid_arg(struct cli *cli, const struct cli_args *a, int argi);

/* ---- the object a sub-mode configures ------------------------------------ */
/* An object a sub-mode edits (an interface, an ACL, a crypto map entry)
 * is registered with its C type when it is made and released by the one
 * function that frees it. A session in its sub-mode keeps the
 * registration, not a bare pointer: after another session deleted the
 * object, a command typed there is refused with an error instead of
 * touching freed memory, and a mode entered with an object of the wrong
 * type is a programming error caught at once. */
void cli_obj_register_(const void *obj, const char *type);
void cli_obj_release(const void *obj);
#define CLI_OBJ_REGISTER(ptr, type)                                     \
	((void)sizeof((ptr) == (type *)0), cli_obj_register_((ptr), #type))
/* Enter a sub-mode of the current mode: OBJ is the registered object it
 * edits, NULL for modes that edit none. */
void cli_enter(struct cli *cli, enum cli_mode mode, const void *obj);
/* Modes whose context is a value, not an object (a line range). */
void cli_enter_value(struct cli *cli, enum cli_mode mode, uintptr_t value);
uintptr_t cli_ctx_value(const struct cli *cli);
/* The current mode's object, checked against TYPE; NULL (after printing
 * the error) when it was deleted meanwhile. Use CLI_CONTEXT. */
void *cli_ctx_obj_(struct cli *cli, const char *type);
/* In a handler: declare VAR as the mode's object, refuse the line when the
 * object is gone (FRR's VTY_DECLVAR_CONTEXT). */
#define CLI_CONTEXT(type, var)                                          \
	type *var = cli_ctx_obj_(cli, #type);                            \
	if (!var)                                                        \
		return CLI_ERR

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
