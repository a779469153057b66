/* Terminal lines: line con 0, line aux 0, line vty 0 4 (more vty lines on
 * demand) and their settings. The telnet console honours con 0's login,
 * password and exec-timeout, both consoles its logging synchronous,
 * through the accessors in cli_cfg.h.
 *
 * show running-config always prints the line section, as IOS does, and
 * groups consecutive vty lines with the same settings into one range. */
#include "cli.h"
#include "cli_cfg.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define VTY_MAX 16          /* line vty 0 15 */
#define VTY_DEFAULT 5       /* a fresh router has vty 0 4 */

enum { TP_TELNET = 1, TP_SSH = 2, TP_ALL = 0x80 };
enum { STOP_1, STOP_1_5, STOP_2 };

struct line_cfg {
	bool exists;
	unsigned exec_min, exec_sec;
	int stopbits;
	bool login, login_local;
	struct ios_pw pw;
	unsigned privilege;
	bool logsync;
	/* transport settings print whenever they were typed: their
	 * defaults changed between trains, what was typed is what IOS
	 * shows back */
	bool pref_set, input_set, output_set;
	unsigned pref, input, output;
};

static struct line_cfg con, aux, vty[VTY_MAX];

/* A range of lines is the mode's context, a value:
 * kind << 16 | first << 8 | last. A range outlives the lines in it: its
 * commands skip the lines that no longer exist. */
static uintptr_t range_ctx(enum line_kind k, unsigned first, unsigned last)
{
	return (uintptr_t)k << 16 | first << 8 | last;
}

static void range_of(struct cli *cli, enum line_kind *k, unsigned *first,
		     unsigned *last)
{
	uintptr_t v = cli_ctx_value(cli);
	*k = (enum line_kind)(v >> 16);
	*first = (v >> 8) & 0xff;
	*last = v & 0xff;
}

static struct line_cfg *line_get(enum line_kind k, unsigned n)
{
	if (k == LINE_CON)
		return n == 0 ? &con : NULL;
	if (k == LINE_AUX)
		return n == 0 ? &aux : NULL;
	return n < VTY_MAX && vty[n].exists ? &vty[n] : NULL;
}

static void line_defaults(struct line_cfg *l, enum line_kind k)
{
	ios_pw_clear(&l->pw);
	memset(l, 0, sizeof *l);
	l->exists = true;
	l->exec_min = 10;
	l->stopbits = STOP_2;
	l->privilege = 1;
	/* vty lines ask for the line password unless told otherwise */
	l->login = k == LINE_VTY;
}

/* Loop over every existing line of the session's range as L. */
#define FOR_RANGE(cli, l)                                                  \
	enum line_kind rk_;                                                \
	unsigned rf_, rl_;                                                 \
	range_of(cli, &rk_, &rf_, &rl_);                                   \
	for (unsigned ri_ = rf_; ri_ <= rl_; ri_++)                        \
		for (struct line_cfg *l = line_get(rk_, ri_); l; l = NULL)

/* A "no" form: RESET puts one line's setting back to its default and
 * says whether it was set. CLI_UNCHANGED when no line of the range had
 * it. */
typedef bool (*line_reset_fn)(struct line_cfg *l, enum line_kind k,
			      const struct cli_args *a);

static int reset_lines(struct cli *cli, const struct cli_args *a,
		       line_reset_fn reset)
{
	enum line_kind k;
	unsigned first, last;
	range_of(cli, &k, &first, &last);
	int rc = CLI_UNCHANGED;
	for (unsigned i = first; i <= last; i++) {
		struct line_cfg *l = line_get(k, i);
		if (l && reset(l, k, a))
			rc = CLI_OK;
	}
	return rc;
}

/* ---- line --------------------------------------------------------------- */

#define LINE_SYNTAX "line (console <0-0>$first|aux <0-0>$first|vty <0-15>$first [<1-15>$last])"
#define LINE_HELP                          \
	"Configure a terminal line\n"      \
	"Primary terminal line\n"          \
	"First Line number\n"              \
	"Auxiliary line\n"                 \
	"First Line number\n"              \
	"Virtual terminal\n"               \
	"First Line number\n"              \
	"Last Line number\n"

static void range_args(const struct cli_args *a, enum line_kind *k,
		       unsigned *first, unsigned *last)
{
	*k = cli_has(a, "console") ? LINE_CON
	     : cli_has(a, "aux") ? LINE_AUX : LINE_VTY;
	*first = (unsigned)cli_arg_num(a, "first");
	*last = cli_has(a, "last") ? (unsigned)cli_arg_num(a, "last") : *first;
	if (*last < *first) {
		unsigned t = *first;
		*first = *last;
		*last = t;
	}
}

/* Only the vty lines beyond the first five can be removed. */
static int line_remove(enum line_kind k, unsigned first, unsigned last)
{
	int rc = CLI_UNCHANGED;
	if (k != LINE_VTY)
		return rc;
	for (unsigned i = first < VTY_DEFAULT ? VTY_DEFAULT : first; i <= last;
	     i++) {
		if (vty[i].exists)
			rc = CLI_OK;
		line_defaults(&vty[i], LINE_VTY);
		vty[i].exists = false;
	}
	return rc;
}

DEFUN(line_cmd, "[no] " LINE_SYNTAX, LINE_HELP)
{
	enum line_kind k;
	unsigned first, last;
	range_args(a, &k, &first, &last);
	if (cli_is_no(a))
		return line_remove(k, first, last);
	int rc = CLI_UNCHANGED;     /* unless new vty lines appear */
	if (k == LINE_VTY)
		for (unsigned i = first; i <= last; i++)
			if (!vty[i].exists) {
				line_defaults(&vty[i], LINE_VTY);
				rc = CLI_OK;
			}
	cli_enter_value(cli, MODE_LINE, range_ctx(k, first, last));
	return rc;
}

/* ---- sub-commands ------------------------------------------------------- */

static bool exec_timeout_reset(struct line_cfg *l, enum line_kind k,
			       const struct cli_args *a)
{
	if (l->exec_min == 10 && l->exec_sec == 0)
		return false;
	l->exec_min = 10;
	l->exec_sec = 0;
	return true;
}

DEFUN(exec_timeout, "[no] exec-timeout ?[<0-35791> [<0-2147483>]]",
      "Set the EXEC timeout\n"
      "Timeout in minutes\n"
      "Timeout in seconds\n")
{
	if (cli_is_no(a))
		return reset_lines(cli, a, exec_timeout_reset);
	unsigned min = (unsigned)cli_arg_num(a, "<0-35791>");
	unsigned sec = cli_has(a, "<0-2147483>")
		       ? (unsigned)cli_arg_num(a, "<0-2147483>") : 0;
	FOR_RANGE(cli, l) {
		l->exec_min = min;
		l->exec_sec = sec;
	}
	return CLI_OK;
}

static bool stopbits_reset(struct line_cfg *l, enum line_kind k,
			   const struct cli_args *a)
{
	if (l->stopbits == STOP_2)
		return false;
	l->stopbits = STOP_2;
	return true;
}

DEFUN(stopbits, "[no] stopbits ?[(1|1.5|2)]", "Set async line stop bits\n"
      "One stop bit\n"
      "One and one-half stop bits\n"
      "Two stop bits\n")
{
	if (cli_is_no(a))
		return reset_lines(cli, a, stopbits_reset);
	int s = cli_has(a, "1") ? STOP_1 : cli_has(a, "1.5") ? STOP_1_5 : STOP_2;
	FOR_RANGE(cli, l)
		l->stopbits = s;
	return CLI_OK;
}

/* "default login" brings back the line type's own default */
static bool login_reset(struct line_cfg *l, enum line_kind k,
			const struct cli_args *a)
{
	bool login = cli_is_default(a) && k == LINE_VTY;
	if (l->login == login && !l->login_local)
		return false;
	l->login = login;
	l->login_local = false;
	return true;
}

/* A line's absolute number, as IOS names lines in messages: the console
 * is line 0; aux and vty lines are numbered as on a 2600, where aux 0 is
 * line 65 (after the 64 async lines the platform reserves) and vty 0 is
 * line 66. */
static unsigned line_abs(enum line_kind k, unsigned n)
{
	return k == LINE_CON ? 0 : k == LINE_AUX ? 65 : 66 + n;
}

/* `login` on a line without a password checks nothing yet (the line stays
 * open until a password is set): IOS says so, line by line. */
static void login_disabled_warn(struct cli *cli)
{
	enum line_kind k;
	unsigned first, last;
	range_of(cli, &k, &first, &last);
	for (unsigned i = first; i <= last; i++) {
		const struct line_cfg *l = line_get(k, i);
		if (l && !l->pw.clear)
			cli_printf(cli, "%% Login disabled on line %u, until "
				   "'password' is set\n", line_abs(k, i));
	}
}

DEFUN(login, "[no] login [local]", "Enable password checking\n"
      "Local password checking\n")
{
	if (cli_is_no(a))
		return reset_lines(cli, a, login_reset);
	bool local = cli_has(a, "local");
	FOR_RANGE(cli, l) {
		l->login = true;
		l->login_local = local;
	}
	if (!local && !aaa_new_model())
		login_disabled_warn(cli);
	return CLI_OK;
}

static bool password_reset(struct line_cfg *l, enum line_kind k,
			   const struct cli_args *a)
{
	if (!l->pw.clear)
		return false;
	ios_pw_clear(&l->pw);
	return true;
}

DEFUN(line_password_set, "[no] password ?[[(0$type|7$type)] LINE$pw]",
      "Set a password\n"
      "Specifies an UNENCRYPTED password will follow\n"
      "Specifies a HIDDEN password will follow\n"
      "The UNENCRYPTED (cleartext) line password\n")
{
	if (cli_is_no(a))
		return reset_lines(cli, a, password_reset);
	const char *type = cli_arg(a, "type");
	bool type7 = type && !strcmp(type, "7");
	struct ios_pw pw = {0};
	if (!ios_pw_set(&pw, type7, cli_arg(a, "pw"))) {
		cli_puts(cli, "% Invalid encrypted password\n");
		return CLI_ERR;
	}
	FOR_RANGE(cli, l) {
		ios_pw_clear(&l->pw);
		l->pw.clear = xstrdup(pw.clear);
		l->pw.enc = pw.enc ? xstrdup(pw.enc) : NULL;
	}
	ios_pw_clear(&pw);
	return CLI_OK;
}

static unsigned transport_mask(const struct cli_args *a)
{
	if (cli_has(a, "all"))
		return TP_ALL;
	return (cli_has(a, "telnet") ? TP_TELNET : 0) |
	       (cli_has(a, "ssh") ? TP_SSH : 0);
}

#define TP_HELP                            \
	"All protocols\n"                  \
	"No protocols\n"                   \
	"TCP/IP Telnet protocol\n"         \
	"TCP/IP SSH protocol\n"

DEFUN(transport_preferred, "transport preferred (all|none|telnet|ssh)",
      "Define transport protocols for line\n"
      "Specify the preferred protocol to use\n" TP_HELP)
{
	unsigned v = transport_mask(a);
	FOR_RANGE(cli, l) {
		l->pref_set = true;
		l->pref = v;
	}
	return CLI_OK;
}

DEFUN(transport_input, "transport input (all|none|{telnet|ssh})",
      "Define transport protocols for line\n"
      "Define which protocols to use when connecting to the terminal "
      "server\n" TP_HELP)
{
	unsigned v = transport_mask(a);
	FOR_RANGE(cli, l) {
		l->input_set = true;
		l->input = v;
	}
	return CLI_OK;
}

DEFUN(transport_output, "transport output (all|none|{telnet|ssh})",
      "Define transport protocols for line\n"
      "Define which protocols to use for outgoing connections\n" TP_HELP)
{
	unsigned v = transport_mask(a);
	FOR_RANGE(cli, l) {
		l->output_set = true;
		l->output = v;
	}
	return CLI_OK;
}

static bool transport_reset(struct line_cfg *l, enum line_kind k,
			    const struct cli_args *a)
{
	bool *set = &l->output_set;
	unsigned *v = &l->output;
	if (cli_has(a, "preferred"))
		set = &l->pref_set, v = &l->pref;
	else if (cli_has(a, "input"))
		set = &l->input_set, v = &l->input;
	bool was = *set;
	*set = false;
	*v = 0;
	return was;
}

/* Declared on its own: what was typed goes whatever protocols follow,
 * and IOS names protocols iosim does not model (rlogin, lat, pad, ...). */
DEFUN(no_transport, "no transport (preferred|input|output) [LINE]",
      CLI_HELP_NO
      "Define transport protocols for line\n"
      "Specify the preferred protocol to use\n"
      "Define which protocols to use when connecting to the terminal "
      "server\n"
      "Define which protocols to use for outgoing connections\n"
      "Protocols\n")
{
	return reset_lines(cli, a, transport_reset);
}

DEFUN(logging_sync, "logging synchronous", "Modify message logging "
      "facilities\n"
      "Synchronized message output\n")
{
	FOR_RANGE(cli, l)
		l->logsync = true;
	return CLI_OK;
}

static bool logging_sync_reset(struct line_cfg *l, enum line_kind k,
			       const struct cli_args *a)
{
	bool was = l->logsync;
	l->logsync = false;
	return was;
}

/* Declared on its own: IOS's "logging synchronous [level N|all] [limit
 * N]" options, which iosim does not model, may follow. */
DEFUN(no_logging_sync, "no logging synchronous [LINE]", CLI_HELP_NO
      "Modify message logging facilities\n"
      "Synchronized message output\n"
      "Options\n")
{
	return reset_lines(cli, a, logging_sync_reset);
}

static bool privilege_reset(struct line_cfg *l, enum line_kind k,
			    const struct cli_args *a)
{
	bool was = l->privilege != 1;
	l->privilege = 1;
	return was;
}

DEFUN(privilege_level, "[no] privilege level ?[<0-15>]",
      "Change privilege level for line\n"
      "Assign default privilege level for line\n"
      "Default privilege level for line\n")
{
	if (cli_is_no(a))
		return reset_lines(cli, a, privilege_reset);
	unsigned p = (unsigned)cli_arg_num(a, "<0-15>");
	FOR_RANGE(cli, l)
		l->privilege = p;
	return CLI_OK;
}

/* ---- show running-config --------------------------------------------------- */

static void transport_fmt(struct sbuf *out, const char *what, unsigned v)
{
	sbuf_printf(out, " transport %s", what);
	if (v & TP_ALL)
		sbuf_puts(out, " all");
	else if (!v)
		sbuf_puts(out, " none");
	if (v & TP_TELNET)
		sbuf_puts(out, " telnet");
	if (v & TP_SSH)
		sbuf_puts(out, " ssh");
	sbuf_puts(out, "\n");
}

/* The line's settings in IOS's nvgen order. With aaa new-model the login
 * commands belong to AAA and IOS does not print them. */
static void line_body(struct sbuf *out, const struct line_cfg *l,
		      enum line_kind k)
{
	if (l->exec_min != 10 || l->exec_sec != 0)
		sbuf_printf(out, " exec-timeout %u %u\n", l->exec_min,
			    l->exec_sec);
	if (l->privilege != 1)
		sbuf_printf(out, " privilege level %u\n", l->privilege);
	if (l->pw.enc)
		sbuf_printf(out, " password 7 %s\n", l->pw.enc);
	else if (l->pw.clear)
		sbuf_printf(out, " password %s\n", l->pw.clear);
	if (l->logsync)
		sbuf_puts(out, " logging synchronous\n");
	if (!aaa_new_model()) {
		if (l->login)
			sbuf_printf(out, " login%s\n",
				    l->login_local ? " local" : "");
		else if (k == LINE_VTY)
			sbuf_puts(out, " no login\n");
	}
	if (l->stopbits != STOP_2)
		sbuf_printf(out, " stopbits %s\n",
			    l->stopbits == STOP_1 ? "1" : "1.5");
	if (l->pref_set)
		transport_fmt(out, "preferred", l->pref);
	if (l->input_set)
		transport_fmt(out, "input", l->input);
	if (l->output_set)
		transport_fmt(out, "output", l->output);
}

static bool str_eq(const char *x, const char *y)
{
	return x == y || (x && y && !strcmp(x, y));
}

static bool same_cfg(const struct line_cfg *x, const struct line_cfg *y)
{
	return x->exec_min == y->exec_min && x->exec_sec == y->exec_sec &&
	       x->stopbits == y->stopbits && x->login == y->login &&
	       x->login_local == y->login_local &&
	       str_eq(x->pw.clear, y->pw.clear) &&
	       str_eq(x->pw.enc, y->pw.enc) &&
	       x->privilege == y->privilege && x->logsync == y->logsync &&
	       x->pref_set == y->pref_set && x->pref == y->pref &&
	       x->input_set == y->input_set && x->input == y->input &&
	       x->output_set == y->output_set && x->output == y->output;
}

static void line_write(struct sbuf *out)
{
	sbuf_puts(out, "line con 0\n");
	line_body(out, &con, LINE_CON);
	sbuf_puts(out, "line aux 0\n");
	line_body(out, &aux, LINE_AUX);
	for (unsigned i = 0; i < VTY_MAX;) {
		if (!vty[i].exists) {
			i++;
			continue;
		}
		unsigned j = i;
		while (j + 1 < VTY_MAX && vty[j + 1].exists &&
		       same_cfg(&vty[i], &vty[j + 1]))
			j++;
		if (j > i)
			sbuf_printf(out, "line vty %u %u\n", i, j);
		else
			sbuf_printf(out, "line vty %u\n", i);
		line_body(out, &vty[i], LINE_VTY);
		i = j + 1;
	}
}

/* ---- accessors ------------------------------------------------------------ */

enum line_login line_login_mode(enum line_kind kind, unsigned n)
{
	const struct line_cfg *l = line_get(kind, n);
	if (!l)
		return LOGIN_NONE;
	if (aaa_new_model()) {
		if (aaa_list_find(AAA_AUTHEN_LOGIN, "default"))
			return LOGIN_AAA;
		/* without a default list vty lines check the local
		 * database; the console stays open, as on IOS */
		return kind == LINE_VTY ? LOGIN_LOCAL : LOGIN_NONE;
	}
	if (!l->login)
		return LOGIN_NONE;
	return l->login_local ? LOGIN_LOCAL : LOGIN_LINE;
}

const char *line_password(enum line_kind kind, unsigned n)
{
	const struct line_cfg *l = line_get(kind, n);
	return l ? l->pw.clear : NULL;
}

unsigned line_exec_timeout(enum line_kind kind, unsigned n)
{
	const struct line_cfg *l = line_get(kind, n);
	return l ? l->exec_min * 60 + l->exec_sec : 600;
}

unsigned line_privilege(enum line_kind kind, unsigned n)
{
	const struct line_cfg *l = line_get(kind, n);
	return l ? l->privilege : 1;
}

bool line_logging_synchronous(enum line_kind kind, unsigned n)
{
	const struct line_cfg *l = line_get(kind, n);
	return l && l->logsync;
}

void line_encrypt_passwords(void)
{
	ios_pw_encrypt(&con.pw);
	ios_pw_encrypt(&aux.pw);
	for (int i = 0; i < VTY_MAX; i++)
		ios_pw_encrypt(&vty[i].pw);
}

/* ---- reset and registration -------------------------------------------------- */

static void line_reset(void)
{
	line_defaults(&con, LINE_CON);
	line_defaults(&aux, LINE_AUX);
	for (int i = 0; i < VTY_MAX; i++) {
		line_defaults(&vty[i], LINE_VTY);
		vty[i].exists = i < VTY_DEFAULT;
	}
}

static const struct subsys line_subsys = {"line", line_reset};

void cli_line_init(void)
{
	line_reset();
	core_register_subsys(&line_subsys);
	cfg_register_writer(CFG_LINE, line_write);
	cli_install(MODE_CONFIG, &line_cmd_cmd);
	cli_install(MODE_LINE, &exec_timeout_cmd);
	cli_install(MODE_LINE, &stopbits_cmd);
	cli_install(MODE_LINE, &login_cmd);
	cli_install(MODE_LINE, &line_password_set_cmd);
	cli_install(MODE_LINE, &transport_preferred_cmd);
	cli_install(MODE_LINE, &transport_input_cmd);
	cli_install(MODE_LINE, &transport_output_cmd);
	cli_install(MODE_LINE, &no_transport_cmd);
	cli_install(MODE_LINE, &logging_sync_cmd);
	cli_install(MODE_LINE, &no_logging_sync_cmd);
	cli_install(MODE_LINE, &privilege_level_cmd);
}
