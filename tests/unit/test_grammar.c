/* Unit tests of the command grammar engine: abbreviation, ambiguity,
 * ranges, help format, caret column, parent-mode fall-through, interface
 * names, the any-order group, default forms, and the running-config
 * writer registry. Commands are installed into otherwise empty modes of a
 * fresh process (no subsystem is initialised here). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../../cli/grammar.h"
#include "../../cli/session.h"

static char last[256];
static int calls;

#define RECORDER(fn)                                                     \
	static int fn(struct cli *cli, const struct cli_args *a)         \
	{                                                                \
		calls++;                                                 \
		snprintf(last, sizeof last, "%s", #fn);                  \
		for (int i = 0; i < cli_argc(a); i++) {                  \
			strncat(last, " ", sizeof last - strlen(last) - 1); \
			strncat(last, cli_argv(a, i),                    \
				sizeof last - strlen(last) - 1);         \
		}                                                        \
		if (cli_is_default(a))                                   \
			strncat(last, " (default)", sizeof last - strlen(last) - 1); \
		return CLI_OK;                                           \
	}

RECORDER(h_prio)
RECORDER(h_stop)
RECORDER(h_ip)
RECORDER(h_ipx)
RECORDER(h_timers)
RECORDER(h_desc)
RECORDER(h_iface)
RECORDER(h_preempt)
RECORDER(h_no_prio)
RECORDER(h_addr)

/* Sub-mode objects as the modes expect them (their real definitions
 * belong to subsystems this test does not link in). */
struct iface { int unused; };
struct ipsec_profile { int unused; };
static struct iface fake_if;
static struct ipsec_profile fake_prof;

static int h_enter_if(struct cli *cli, const struct cli_args *a)
{
	calls++;
	CLI_OBJ_REGISTER(&fake_if, struct iface);
	cli_enter(cli, MODE_IF, &fake_if);
	return CLI_OK;
}

static int h_hostname(struct cli *cli, const struct cli_args *a)
{
	calls++;
	snprintf(last, sizeof last, "hostname %s", cli_arg(a, "WORD"));
	return CLI_OK;
}

static const struct cli_command c_prio = {
	"standby [<0-4095>$grp] priority <0-255>$pri",
	"HSRP interface configuration commands\ngroup number\nPriority level\n"
	"Priority value\n", h_prio, 0};
static const struct cli_command c_no_prio = {
	"no standby [<0-4095>] priority [<0-255>]",
	CLI_HELP_NO "HSRP interface configuration "
	"commands\ngroup number\nPriority level\nPriority value\n", h_no_prio, 0};
static const struct cli_command c_stop = {"stopbits (1|2)",
	"Set async line stop bits\nOne stop bit\nTwo stop bits\n", h_stop, 0};
static const struct cli_command c_ip = {"ip address A.B.C.D A.B.C.D [secondary]",
	"Interface Internet Protocol config commands\nSet the IP address of an "
	"interface\nIP address\nIP subnet mask\nMake this IP address a "
	"secondary address\n", h_ip, 0};
static const struct cli_command c_ipx = {"ipx routing",
	"Novell/IPX\nrouting\n", h_ipx, 0};
static const struct cli_command c_timers = {
	"standby <0-4095> timers (<1-254>$hello|msec <15-999>$hello) (<1-255>$hold|msec <50-3000>$hold)",
	"HSRP\ngroup\nHello and hold timers\nHello interval in seconds\n"
	"Specify hello interval in milliseconds\nHello interval in "
	"milliseconds\nHold time in seconds\nSpecify hold time in "
	"milliseconds\nHold time in milliseconds\n", h_timers, 0};
static const struct cli_command c_desc = {"description LINE",
	"Interface specific description\nUp to 240 characters describing this "
	"interface\n", h_desc, 0};
static const struct cli_command c_iface = {"track IFNAME [decrement <1-255>]",
	"Priority tracking\nInterface\nPriority decrement\nDecrement value\n",
	h_iface, 0};
static const struct cli_command c_preempt = {
	"preempt [delay {minimum <0-3600>$min|reload <0-3600>$rel|sync <0-3600>$sync}]",
	"Overthrow lower priority Active routers\nWait before preempting\n"
	"Delay at least this long\nDelay in seconds\nDelay after reload\n"
	"Delay in seconds\nWait for IP redundancy clients\nDelay in seconds\n",
	h_preempt, 0};
static const struct cli_command c_interface = {"interface IFNAME",
	"Select an interface to configure\nInterface\n", h_enter_if, 0};
static const struct cli_command c_hostname = {"hostname WORD",
	"Set system's network name\nThis system's network name\n", h_hostname, 0};
static const struct cli_command c_addr = {"neighbor A.B.C.D",
	"Neighbor\nAddress\n", h_addr, 0};

static int setup(void **state)
{
	static bool done;
	if (!done) {
		cli_install(MODE_IF, &c_prio);
		cli_install(MODE_IF, &c_no_prio);
		cli_install(MODE_IF, &c_ip);
		cli_install(MODE_IF, &c_ipx);
		cli_install(MODE_IF, &c_timers);
		cli_install(MODE_IF, &c_desc);
		cli_install(MODE_IF, &c_iface);
		cli_install(MODE_IF, &c_preempt);
		cli_install(MODE_LINE, &c_stop);
		cli_install(MODE_CONFIG, &c_interface);
		cli_install(MODE_CONFIG, &c_hostname);
		cli_install(MODE_CONFIG, &c_addr);
		cli_exec_cmds_init();
		done = true;
	}
	return 0;
}

static struct match_result run_match(enum cli_mode m, const char *line)
{
	struct word w[MAX_WORDS];
	int nw = grammar_split(line, w, MAX_WORDS);
	struct match_result r;
	grammar_match(m, line, w, nw, &r);
	if (r.st == M_OK) {
		last[0] = '\0';
		r.cmd->handler(NULL, &r.args);
		grammar_args_free(&r.args);
	}
	return r;
}

static void test_abbreviation(void **s)
{
	struct match_result r = run_match(MODE_IF, "sta 1 pri 50");
	assert_int_equal(r.st, M_OK);
	assert_string_equal(last, "h_prio standby 1 priority 50");
	r = run_match(MODE_IF, "STANDBY PRIORITY 7");
	assert_int_equal(r.st, M_OK);
	assert_string_equal(last, "h_prio standby priority 7");
}

static void test_exact_beats_prefix(void **s)
{
	/* "ip" is a whole keyword and a prefix of "ipx": the exact one wins */
	struct match_result r = run_match(MODE_IF, "ip address 10.0.0.1 255.0.0.0");
	assert_int_equal(r.st, M_OK);
	assert_string_equal(last, "h_ip ip address 10.0.0.1 255.0.0.0");
	r = run_match(MODE_IF, "ipx r");
	assert_int_equal(r.st, M_OK);
	assert_string_equal(last, "h_ipx ipx routing");
}

static void test_ambiguous(void **s)
{
	/* "i" is a prefix of "ip" and "ipx" */
	struct match_result r = run_match(MODE_IF, "i address 1.1.1.1 255.0.0.0");
	assert_int_equal(r.st, M_AMBIGUOUS);
	assert_int_equal(r.word, 0);
}

static void test_ranges(void **s)
{
	struct match_result r = run_match(MODE_IF, "standby 1 priority 256");
	assert_int_equal(r.st, M_INVALID);
	assert_int_equal(r.word, 3);
	r = run_match(MODE_IF, "standby 4096 priority 1");
	assert_int_equal(r.st, M_INVALID);
	assert_int_equal(r.word, 1);
	r = run_match(MODE_IF, "standby 1 timers msec 14 1");
	assert_int_equal(r.st, M_INVALID);
	assert_int_equal(r.word, 4);
	r = run_match(MODE_IF, "standby 1 timers msec 500 msec 1500");
	assert_int_equal(r.st, M_OK);
	assert_string_equal(last, "h_timers standby 1 timers msec 500 msec 1500");
	r = run_match(MODE_IF, "standby 1 timers 1 5");
	assert_int_equal(r.st, M_OK);
}

static void test_incomplete_and_invalid(void **s)
{
	struct match_result r = run_match(MODE_IF, "standby 1 priority");
	assert_int_equal(r.st, M_INCOMPLETE);
	r = run_match(MODE_IF, "ip address 10.0.0.1");
	assert_int_equal(r.st, M_INCOMPLETE);
	r = run_match(MODE_IF, "ip address x.y.z.148");
	assert_int_equal(r.st, M_INVALID);
	assert_int_equal(r.word, 2);
	r = run_match(MODE_IF, "ip address 10.0.0.256 255.0.0.0");
	assert_int_equal(r.st, M_INVALID);
	/* a trailing word after a complete command */
	r = run_match(MODE_IF, "standby 1 priority 5 extra");
	assert_int_equal(r.st, M_INVALID);
	assert_int_equal(r.word, 4);
}

static void test_line_and_ifname(void **s)
{
	struct match_result r = run_match(MODE_IF, "description  Fa4 outside  (x) ");
	assert_int_equal(r.st, M_OK);
	assert_string_equal(last, "h_desc description Fa4 outside  (x)");
	const char *forms[] = {"track f0/0", "track FastEthernet 0/0",
			       "track fastethernet0/0", "track fa0/0"};
	for (size_t i = 0; i < 4; i++) {
		r = run_match(MODE_IF, forms[i]);
		assert_int_equal(r.st, M_OK);
		assert_string_equal(last, "h_iface track FastEthernet0/0");
	}
	r = run_match(MODE_IF, "track Gi0/1 decrement 20");
	assert_int_equal(r.st, M_OK);
	assert_string_equal(last, "h_iface track GigabitEthernet0/1 decrement 20");
	r = run_match(MODE_IF, "track bogus0/1");
	assert_int_equal(r.st, M_INVALID);
	char out[64];
	assert_true(cli_ifname_canon("lo0", out, sizeof out));
	assert_string_equal(out, "Loopback0");
	assert_true(cli_ifname_canon("Gi0/1.100", out, sizeof out));
	assert_string_equal(out, "GigabitEthernet0/1.100");
	assert_false(cli_ifname_canon("FastEthernet", out, sizeof out));
	assert_false(cli_ifname_canon("f0/0/0/0", out, sizeof out));
	cli_ifname_short("GigabitEthernet0/1", out, sizeof out);
	assert_string_equal(out, "Gi0/1");
}

static void test_any_order(void **s)
{
	struct match_result r = run_match(MODE_IF, "preempt delay reload 300 minimum 180");
	assert_int_equal(r.st, M_OK);
	assert_string_equal(last, "h_preempt preempt delay reload 300 minimum 180");
	/* each at most once */
	r = run_match(MODE_IF, "preempt delay reload 3 reload 4");
	assert_int_equal(r.st, M_INVALID);
	assert_int_equal(r.word, 4);
	r = run_match(MODE_IF, "preempt delay");
	assert_int_equal(r.st, M_INCOMPLETE);
}

static void test_default_form(void **s)
{
	struct match_result r = run_match(MODE_IF, "default standby 1 priority");
	assert_int_equal(r.st, M_OK);
	assert_string_equal(last, "h_no_prio default standby 1 priority (default)");
	r = run_match(MODE_IF, "no standby 1 priority 5");
	assert_int_equal(r.st, M_OK);
	assert_string_equal(last, "h_no_prio no standby 1 priority 5");
}

static void test_help_format(void **s)
{
	struct sbuf out;
	sbuf_init(&out);
	int ew;
	enum match_status es;
	assert_true(grammar_help(MODE_LINE, "stopbits ", false, &out, &ew, &es));
	assert_string_equal(out.s, "  1  One stop bit\n  2  Two stop bits\n");
	sbuf_reset(&out);
	assert_true(grammar_help(MODE_IF, "standby 1 priority 5 ", false, &out, &ew, &es));
	assert_string_equal(out.s, "  <cr>\n");
	sbuf_reset(&out);
	assert_true(grammar_help(MODE_IF, "standby ", false, &out, &ew, &es));
	assert_string_equal(out.s,
			    "  <0-4095>  group number\n"
			    "  priority  Priority level\n");
	sbuf_reset(&out);
	/* partial word: the completions on one line */
	assert_true(grammar_help(MODE_IF, "ip", false, &out, &ew, &es));
	assert_string_equal(out.s, "ip  ipx  \n\n");
	sbuf_reset(&out);
	assert_false(grammar_help(MODE_IF, "standby 1 bogus ", false, &out, &ew, &es));
	assert_int_equal(es, M_INVALID);
	assert_int_equal(ew, 2);
	sbuf_free(&out);
}

static void sink(void *io, const char *p, size_t n)
{
	sbuf_add(io, p, n);
}

static struct cli *session(struct sbuf *out)
{
	struct cli_io io = {.write = sink, .io = out, .origin = "console"};
	sbuf_init(out);
	return cli_session_new(&io, MODE_CONFIG);
}

static void test_caret_column(void **s)
{
	struct sbuf out;
	struct cli *c = session(&out);
	char prompt[64];
	cli_session_prompt(c, prompt, sizeof prompt);
	assert_string_equal(prompt, "Router(config)#");
	cli_session_line(c, "neighbor 10.0.0.x");
	/* 15 prompt chars + 9 to the second word */
	assert_string_equal(out.s, "                        ^\n"
				   "% Invalid input detected at '^' marker.\n\n");
	sbuf_reset(&out);
	cli_session_prompt(c, prompt, sizeof prompt);
	cli_session_line(c, "  neighbor 10.0.0.x");  /* pasted indentation */
	assert_string_equal(out.s, "                          ^\n"
				   "% Invalid input detected at '^' marker.\n\n");
	sbuf_reset(&out);
	cli_session_prompt(c, prompt, sizeof prompt);
	cli_session_line(c, "neighbor");
	assert_string_equal(out.s, "% Incomplete command.\n\n");
	cli_session_free(c);
	sbuf_free(&out);
}

static void test_parent_fallthrough(void **s)
{
	struct sbuf out;
	struct cli *c = session(&out);
	char prompt[64];
	cli_session_line(c, "int e0/0");
	assert_int_equal(cli_mode(c), MODE_IF);
	cli_session_prompt(c, prompt, sizeof prompt);
	assert_string_equal(prompt, "Router(config-if)#");
	cli_session_line(c, " standby 1 priority 9");
	assert_int_equal(cli_mode(c), MODE_IF);
	/* not an interface command: runs in global config, prompt moves */
	cli_session_line(c, "hostname R9");
	assert_string_equal(last, "hostname R9");
	assert_int_equal(cli_mode(c), MODE_CONFIG);
	/* invalid everywhere: the error, mode unchanged */
	cli_session_line(c, "int e0/0");
	sbuf_reset(&out);
	cli_session_prompt(c, prompt, sizeof prompt);
	cli_session_line(c, "standby 1 priority 999");
	assert_int_equal(cli_mode(c), MODE_IF);
	assert_non_null(strstr(out.s, "% Invalid input"));
	cli_session_line(c, "exit");
	assert_int_equal(cli_mode(c), MODE_CONFIG);
	cli_session_free(c);
	sbuf_free(&out);
}

RECORDER(h_prof_red)
RECORDER(h_red_interdev)
static const struct cli_command c_prof_red = {"redundancy WORD [stateful]",
	"Redundancy\nGroup name\nStateful\n", h_prof_red, 0};
static const struct cli_command c_red_interdev = {"redundancy inter-device",
	"Redundancy\nInter-device redundancy\n", h_red_interdev, 0};

static void test_parent_keyword_beats_word(void **s)
{
	cli_install(MODE_IPSEC_PROFILE, &c_prof_red);
	cli_install(MODE_CONFIG, &c_red_interdev);
	struct sbuf out;
	struct cli *c = session(&out);
	CLI_OBJ_REGISTER(&fake_prof, struct ipsec_profile);
	cli_enter(c, MODE_IPSEC_PROFILE, &fake_prof);
	cli_session_line(c, "redundancy HA-out stateful");
	assert_string_equal(last, "h_prof_red redundancy HA-out stateful");
	assert_int_equal(cli_mode(c), MODE_IPSEC_PROFILE);
	/* a keyword in the parent is more specific than the profile's WORD */
	cli_session_line(c, "redundancy inter-device");
	assert_string_equal(last, "h_red_interdev redundancy inter-device");
	assert_int_equal(cli_mode(c), MODE_CONFIG);
	cli_session_free(c);
	sbuf_free(&out);
}

RECORDER(h_big)
RECORDER(h_extra)
static const struct cli_command c_big = {
	"acl (permit|deny) (x|y|z) [(p|q)] (k1|k2|k3) [(r|s)] [log]",
	"a\npermit\ndeny\nx\ny\nz\np\nq\nk1\nk2\nk3\nr\ns\nlog\n", h_big, 0};
static const struct cli_command c_extra = {"acl permit x extra",
	"a\npermit\nx\nextra\n", h_extra, 0};

/* The expansion of c_big is folded into shared subtrees (the tails after
 * "permit x" and "deny x" are one node); a later command that extends one
 * path must not appear on the others. */
static void test_shared_subtrees(void **s)
{
	cli_install(MODE_ROUTER, &c_big);
	cli_install(MODE_ROUTER, &c_extra);
	struct match_result r = run_match(MODE_ROUTER, "acl permit x extra");
	assert_int_equal(r.st, M_OK);
	assert_string_equal(last, "h_extra acl permit x extra");
	r = run_match(MODE_ROUTER, "acl deny x extra");
	assert_int_equal(r.st, M_INVALID);
	assert_int_equal(r.word, 3);
	r = run_match(MODE_ROUTER, "acl deny x q k2 s log");
	assert_int_equal(r.st, M_OK);
	assert_string_equal(last, "h_big acl deny x q k2 s log");
	r = run_match(MODE_ROUTER, "acl permit x k3");
	assert_int_equal(r.st, M_OK);
	assert_string_equal(last, "h_big acl permit x k3");
	struct sbuf out;
	sbuf_init(&out);
	int ew;
	enum match_status es;
	assert_true(grammar_help(MODE_ROUTER, "acl deny x ", false, &out, &ew, &es));
	assert_null(strstr(out.s, "extra"));
	sbuf_reset(&out);
	assert_true(grammar_help(MODE_ROUTER, "acl permit x ", false, &out, &ew, &es));
	assert_non_null(strstr(out.s, "extra"));
	sbuf_free(&out);
}


/* ---- one declaration for both forms ------------------------------------- */

static char form[128];

static int h_keepalive(struct cli *cli, const struct cli_args *a)
{
	snprintf(form, sizeof form, "%s%s period=%s retries=%s",
		 cli_is_default(a) ? "default" : cli_is_no(a) ? "no" : "set",
		 "", cli_has(a, "period") ? cli_arg(a, "period") : "-",
		 cli_has(a, "retries") ? cli_arg(a, "retries") : "-");
	return CLI_OK;
}
static const struct cli_command c_keepalive = {
	"[no] keepalive ?[<0-32767>$period [<1-255>$retries]]",
	"Enable keepalive\nKeepalive period\nKeepalive retries\n",
	h_keepalive, 0};

static void test_no_prefix(void **s)
{
	cli_install(MODE_TRACK, &c_keepalive);
	struct match_result r = run_match(MODE_TRACK, "keepalive 10");
	assert_int_equal(r.st, M_OK);
	assert_string_equal(form, "set period=10 retries=-");
	r = run_match(MODE_TRACK, "keep 10 3");
	assert_string_equal(form, "set period=10 retries=3");
	/* ?[...] is required in the positive form */
	r = run_match(MODE_TRACK, "keepalive");
	assert_int_equal(r.st, M_INCOMPLETE);
	/* and optional in the no form, which takes the arguments too */
	r = run_match(MODE_TRACK, "no keepalive");
	assert_int_equal(r.st, M_OK);
	assert_string_equal(form, "no period=- retries=-");
	r = run_match(MODE_TRACK, "no keepalive 10 3");
	assert_string_equal(form, "no period=10 retries=3");
	r = run_match(MODE_TRACK, "default keepalive");
	assert_int_equal(r.st, M_OK);
	assert_string_equal(form, "default period=- retries=-");
	r = run_match(MODE_TRACK, "no keepalive 10 3 9");
	assert_int_equal(r.st, M_INVALID);
	assert_int_equal(r.word, 4);
	/* "no" and "default" are helped as IOS helps them; the command's own
	 * help is declared once */
	struct sbuf out;
	sbuf_init(&out);
	int ew;
	enum match_status es;
	assert_true(grammar_help(MODE_TRACK, "", false, &out, &ew, &es));
	assert_non_null(strstr(out.s, "  no         Negate a command or set its defaults\n"));
	assert_non_null(strstr(out.s, "  default    Set a command to its defaults\n"));
	assert_non_null(strstr(out.s, "  keepalive  Enable keepalive\n"));
	sbuf_reset(&out);
	assert_true(grammar_help(MODE_TRACK, "no keepalive ", false, &out, &ew, &es));
	assert_string_equal(out.s, "  <0-32767>  Keepalive period\n  <cr>\n");
	sbuf_reset(&out);
	assert_true(grammar_help(MODE_TRACK, "keepalive ", false, &out, &ew, &es));
	assert_string_equal(out.s, "  <0-32767>  Keepalive period\n");
	sbuf_free(&out);
}

/* ?[...] inside an optional part and inside an any-order group, as
 * "[no] standby preempt [delay ?[{minimum ?[N]|reload ?[N]}]]" has it:
 * each value required when setting, each optional when removing. */
static int h_hold(struct cli *cli, const struct cli_args *a)
{
	snprintf(form, sizeof form, "%s delay=%d up=%s down=%s",
		 cli_is_default(a) ? "default" : cli_is_no(a) ? "no" : "set",
		 cli_has(a, "delay"),
		 cli_has(a, "up") ? cli_has(a, "u") ? cli_arg(a, "u") : "*" : "-",
		 cli_has(a, "down") ? cli_has(a, "d") ? cli_arg(a, "d") : "*" : "-");
	return CLI_OK;
}
static const struct cli_command c_hold = {
	"[no] hold [delay ?[{up ?[<0-9>$u]|down ?[<0-9>$d]}]]",
	"Hold\nDelay\nUp\nUp seconds\nDown\nDown seconds\n", h_hold, 0};

static void test_no_prefix_nested(void **s)
{
	cli_install(MODE_VOICECARD, &c_hold);
	static const struct {
		const char *line;
		enum match_status st;
		const char *form;
	} cases[] = {
		{"hold", M_OK, "set delay=0 up=- down=-"},
		{"hold delay up 3 down 4", M_OK, "set delay=1 up=3 down=4"},
		{"hold delay down 4", M_OK, "set delay=1 up=- down=4"},
		{"hold delay", M_INCOMPLETE, NULL},
		{"hold delay up", M_INCOMPLETE, NULL},
		{"hold delay up 3 down", M_INCOMPLETE, NULL},
		{"no hold", M_OK, "no delay=0 up=- down=-"},
		{"no hold delay", M_OK, "no delay=1 up=- down=-"},
		{"no hold delay up", M_OK, "no delay=1 up=* down=-"},
		{"no hold delay down up 3", M_OK, "no delay=1 up=3 down=*"},
		{"default hold delay down 2", M_OK, "default delay=1 up=- down=2"},
		{"no hold delay up up", M_INVALID, NULL},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		form[0] = '\0';
		struct match_result r = run_match(MODE_VOICECARD, cases[i].line);
		if (r.st != cases[i].st)
			fail_msg("\"%s\": status %d", cases[i].line, r.st);
		if (cases[i].form)
			assert_string_equal(form, cases[i].form);
	}
	struct sbuf out;
	sbuf_init(&out);
	int ew;
	enum match_status es;
	assert_true(grammar_help(MODE_VOICECARD, "no hold delay up ", false,
				 &out, &ew, &es));
	assert_string_equal(out.s, "  <0-9>  Up seconds\n  down   Down\n  <cr>\n");
	sbuf_reset(&out);
	assert_true(grammar_help(MODE_VOICECARD, "hold delay up ", false,
				 &out, &ew, &es));
	assert_string_equal(out.s, "  <0-9>  Up seconds\n");
	sbuf_free(&out);
}

/* ---- declarations that check themselves ---------------------------------- */

/* Run FN in a child process; true when it died of SIGABRT. */
static bool aborts(void (*fn)(void))
{
	fflush(NULL);
	pid_t pid = fork();
	if (pid == 0) {
		freopen("/dev/null", "w", stderr);
		fn();
		_exit(0);
	}
	int st;
	waitpid(pid, &st, 0);
	return WIFSIGNALED(st) && WTERMSIG(st) == SIGABRT;
}

static int h_nop(struct cli *cli, const struct cli_args *a)
{
	return CLI_OK;
}
static const struct cli_command c_help_short = {"alpha beta <1-9>",
	"Alpha\nBeta\n", h_nop, 0};
static const struct cli_command c_help_long = {"alpha gamma",
	"Alpha\nGamma\nOne too many\n", h_nop, 0};
static const struct cli_command c_help_ok = {"[no] alpha delta",
	"Alpha\nDelta\n", h_nop, 0};
static const struct cli_command c_noopt_alone = {"alpha ?[epsilon]",
	"Alpha\nEpsilon\n", h_nop, 0};
static void install_short(void) { cli_install(MODE_ARCHIVE, &c_help_short); }
static void install_long(void) { cli_install(MODE_ARCHIVE, &c_help_long); }
static void install_ok(void) { cli_install(MODE_ARCHIVE, &c_help_ok); }
static void install_noopt(void) { cli_install(MODE_ARCHIVE, &c_noopt_alone); }

static void test_help_count_checked_at_install(void **s)
{
	assert_true(aborts(install_short));
	assert_true(aborts(install_long));
	assert_true(aborts(install_noopt));
	assert_false(aborts(install_ok));
}

static int h_asks_undeclared(struct cli *cli, const struct cli_args *a)
{
	return cli_has(a, "prority") ? CLI_OK : CLI_ERR;   /* a typo */
}
static const struct cli_command c_asks = {"zeta priority <0-255>",
	"Zeta\nPriority\nValue\n", h_asks_undeclared, 0};
static void run_asks(void)
{
	cli_install(MODE_ARCHIVE, &c_asks);
	run_match(MODE_ARCHIVE, "zeta priority 5");
}

static void test_undeclared_argument_caught(void **s)
{
#ifdef IOSIM_CHECKS
	assert_true(aborts(run_asks));
#else
	skip();
#endif
}

/* ---- errors that count; the deleted sub-mode object ------------------------ */

struct track_obj { int value; };
static struct track_obj *track_live;

static int h_track_enter(struct cli *cli, const struct cli_args *a)
{
	if (!track_live) {
		track_live = calloc(1, sizeof *track_live);
		CLI_OBJ_REGISTER(track_live, struct track_obj);
	}
	cli_enter(cli, MODE_TRACK, track_live);
	return CLI_UNCHANGED;
}
static int h_track_delete(struct cli *cli, const struct cli_args *a)
{
	cli_obj_release(track_live);
	free(track_live);
	track_live = NULL;
	return CLI_OK;
}
static int h_track_set(struct cli *cli, const struct cli_args *a)
{
	CLI_CONTEXT(struct track_obj, t);
	t->value = (int)cli_arg_num(a, "v");
	return CLI_OK;
}
static int h_refuse(struct cli *cli, const struct cli_args *a)
{
	cli_puts(cli, "Refused: not today\n");
	return CLI_ERR;
}
static const struct cli_command c_track_enter = {"tracker",
	"Enter tracker\n", h_track_enter, 0};
static const struct cli_command c_track_delete = {"no tracker",
	CLI_HELP_NO "Enter tracker\n", h_track_delete, 0};
static const struct cli_command c_track_set = {"value <0-9>$v",
	"Value\nThe value\n", h_track_set, 0};
static const struct cli_command c_refuse = {"refuse",
	"Always refused\n", h_refuse, 0};

static int changes;
static void count_change(enum core_event ev, void *data, void *ctx)
{
	changes++;
}

static void test_errors_count_and_deleted_context(void **s)
{
	cli_install(MODE_CONFIG, &c_track_enter);
	cli_install(MODE_CONFIG, &c_track_delete);
	cli_install(MODE_TRACK, &c_track_set);
	cli_install(MODE_CONFIG, &c_refuse);
	core_subscribe(EVT_CONFIG_CHANGED, count_change, NULL);
	/* at boot: a refused line is counted and printed as typed */
	struct sbuf err;
	sbuf_init(&err);
	changes = 0;
	assert_int_equal(cli_exec_config_text("tracker\n value 3\nrefuse\n"
					      "bogus\n", &err), 2);
	/* (the prompt is the mode the line was typed in: "refuse" falls
	 * through from the tracker's mode) */
	assert_string_equal(err.s, "Router(config-track)#refuse\n"
			    "Refused: not today\n"
			    "Router(config)#bogus\n               ^\n"
			    "% Invalid input detected at '^' marker.\n\n");
	/* only "value 3" changed something */
	assert_int_equal(changes, 1);
	assert_int_equal(track_live->value, 3);
	sbuf_free(&err);

	/* interactively: the object deleted by another session */
	struct sbuf out, out2;
	struct cli *c = session(&out), *other = session(&out2);
	assert_int_equal(cli_session_line(c, "tracker"), CLI_UNCHANGED);
	assert_int_equal(cli_session_line(c, "value 4"), CLI_OK);
	assert_int_equal(track_live->value, 4);
	assert_int_equal(cli_session_line(other, "no tracker"), CLI_OK);
	sbuf_reset(&out);
	changes = 0;
	assert_int_equal(cli_session_line(c, "value 5"), CLI_ERR);
	assert_string_equal(out.s, "% The configuration object of this mode "
			    "was deleted by another session\n");
	assert_int_equal(changes, 0);
	assert_int_equal(cli_session_failed(c), 1);
	assert_int_equal(cli_mode(c), MODE_TRACK);
	/* a new object at the same address is not the one the mode edits */
	assert_int_equal(cli_session_line(other, "tracker"), CLI_UNCHANGED);
	assert_int_equal(cli_session_line(c, "value 6"), CLI_ERR);
	assert_int_equal(track_live->value, 0);
	/* leaving the mode still works */
	assert_int_equal(cli_session_line(c, "exit"), CLI_UNCHANGED);
	assert_int_equal(cli_mode(c), MODE_CONFIG);
	assert_int_equal(cli_session_line(c, "refuse"), CLI_ERR);
	assert_int_equal(cli_session_failed(c), 3);
	core_unsubscribe(EVT_CONFIG_CHANGED, count_change, NULL);
	cli_session_free(c);
	cli_session_free(other);
	sbuf_free(&out);
	sbuf_free(&out2);
	h_track_delete(NULL, NULL);
}

static void w_b(struct sbuf *o) { sbuf_puts(o, "b\n"); }
static void w_a(struct sbuf *o) { sbuf_puts(o, "a\n"); }

static void test_writer_order(void **s)
{
	cfg_register_writer(CFG_LINE, w_b);
	cfg_register_writer(CFG_VERSION, w_a);
	char *t = cfg_running_text();
	assert_string_equal(t, "!\na\nb\n!\nend\n");
	free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_abbreviation, setup),
		cmocka_unit_test_setup(test_exact_beats_prefix, setup),
		cmocka_unit_test_setup(test_ambiguous, setup),
		cmocka_unit_test_setup(test_ranges, setup),
		cmocka_unit_test_setup(test_incomplete_and_invalid, setup),
		cmocka_unit_test_setup(test_line_and_ifname, setup),
		cmocka_unit_test_setup(test_any_order, setup),
		cmocka_unit_test_setup(test_default_form, setup),
		cmocka_unit_test_setup(test_help_format, setup),
		cmocka_unit_test_setup(test_caret_column, setup),
		cmocka_unit_test_setup(test_parent_fallthrough, setup),
		cmocka_unit_test_setup(test_parent_keyword_beats_word, setup),
		cmocka_unit_test_setup(test_shared_subtrees, setup),
		cmocka_unit_test_setup(test_writer_order, setup),
		cmocka_unit_test_setup(test_no_prefix, setup),
		cmocka_unit_test_setup(test_no_prefix_nested, setup),
		cmocka_unit_test_setup(test_help_count_checked_at_install, setup),
		cmocka_unit_test_setup(test_undeclared_argument_caught, setup),
		cmocka_unit_test_setup(test_errors_count_and_deleted_context, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
