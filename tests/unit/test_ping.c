/* Unit tests of the ping command: IOS's output (header, one mark per echo,
 * lines of 70 marks, the success-rate line), the session held while it
 * runs (no input taken, resumed once at the end), Ctrl-^ and a closing
 * session stopping it, source/df-bit lines, argument errors and the
 * extended dialogue. Echoes to the router's own address go through the
 * real IPv4/ICMP path on the event loop. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../core/core.h"
#include "../../router/router.h"
#include "../../cli/cli.h"
#include "../../cli/session.h"
#include "../../platform/platform.h"

static void log_sink(const char *line, int severity)
{
	(void)line;
	(void)severity;
}

struct term {
	struct sbuf out;
	int resumed;
	struct cli *cli;
};

static void term_write(void *io, const char *s, size_t n)
{
	sbuf_add(&((struct term *)io)->out, s, n);
}

static void term_resume(void *io)
{
	((struct term *)io)->resumed++;
}

static void term_open(struct term *t)
{
	memset(t, 0, sizeof *t);
	sbuf_init(&t->out);
	struct cli_io io = {.write = term_write, .resume = term_resume,
			    .io = t, .origin = "console"};
	t->cli = cli_session_new(&io, MODE_EXEC);
	char prompt[64];
	cli_session_prompt(t->cli, prompt, sizeof prompt);
}

static void term_close(struct term *t)
{
	if (t->cli)
		cli_session_free(t->cli);
	sbuf_free(&t->out);
}

/* Run the loop until the session is no longer held (bounded). */
static void wait_done(struct term *t)
{
	for (int i = 0; i < 100000 && cli_session_held(t->cli); i++)
		ev_run(core_loop, EVRUN_ONCE);
	assert_false(cli_session_held(t->cli));
}

static char *ping(const char *line)
{
	struct term t;
	term_open(&t);
	cli_session_line(t.cli, line);
	wait_done(&t);
	char *s = sbuf_take(&t.out);
	term_close(&t);
	return s ? s : xstrdup("");
}

static void cfg(const char *text)
{
	assert_int_equal(cli_exec_config_text(text, NULL), 0);
}

static int setup(void **state)
{
	(void)state;
	core_reset_all();
	cfg("interface Loopback0\n ip address 1.1.1.1 255.255.255.0\n");
	return 0;
}

/* "round-trip min/avg/max = a/b/c ms" with a <= b <= c */
static void assert_rtt_line(const char *s, const char *rate)
{
	const char *r = strstr(s, rate);
	assert_non_null(r);
	unsigned long mn, av, mx;
	char tail[8];
	int n = sscanf(r + strlen(rate), ", round-trip min/avg/max = "
		       "%lu/%lu/%lu %7s", &mn, &av, &mx, tail);
	assert_int_equal(n, 4);
	assert_string_equal(tail, "ms");
	assert_true(mn <= av && av <= mx);
}

static void test_ping_self(void **state)
{
	char *s = ping("ping 1.1.1.1");
	const char *head =
		"Type escape sequence to abort.\n"
		"Sending 5, 100-byte ICMP Echos to 1.1.1.1, timeout is 2 "
		"seconds:\n!!!!!\n";
	assert_memory_equal(s, head, strlen(head));
	assert_rtt_line(s, "Success rate is 100 percent (5/5)");
	assert_string_equal(s + strlen(s) - 4, " ms\n");
	free(s);
}

static void test_ping_options(void **state)
{
	char *s = ping("ping ip 1.1.1.1 repeat 3 size 1500 source Loopback0 "
		       "df-bit timeout 1");
	const char *head =
		"Type escape sequence to abort.\n"
		"Sending 3, 1500-byte ICMP Echos to 1.1.1.1, timeout is 1 "
		"seconds:\n"
		"Packet sent with a source address of 1.1.1.1 \n"
		"Packet sent with the DF bit set\n"
		"!!!\n";
	assert_memory_equal(s, head, strlen(head));
	assert_rtt_line(s, "Success rate is 100 percent (3/3)");
	free(s);
	s = ping("ping 1.1.1.1 source 9.9.9.9");
	assert_string_equal(s, "% Invalid source address- IP address not on "
			       "any of our up interfaces\n");
	free(s);
	s = ping("ping 1.1.1.1 size 20");
	assert_non_null(strstr(s, "% Invalid input detected at '^' marker."));
	free(s);
}

/* No route: every echo times out; lines hold 70 marks. */
static void test_ping_timeouts_and_wrap(void **state)
{
	char *s = ping("ping 9.9.9.9 repeat 75 timeout 0");
	struct sbuf want;
	sbuf_init(&want);
	sbuf_puts(&want, "Type escape sequence to abort.\n"
			 "Sending 75, 100-byte ICMP Echos to 9.9.9.9, timeout "
			 "is 0 seconds:\n");
	for (int i = 0; i < 70; i++)
		sbuf_puts(&want, ".");
	sbuf_puts(&want, "\n.....\nSuccess rate is 0 percent (0/75)\n");
	assert_string_equal(s, want.s);
	sbuf_free(&want);
	free(s);
	/* exactly 70: no empty line before the summary */
	s = ping("ping 9.9.9.9 repeat 70 timeout 0");
	assert_non_null(strstr(s, "......\nSuccess rate is 0 percent (0/70)\n"));
	assert_null(strstr(s, "\n\nSuccess"));
	free(s);
}

/* The session is held while ping runs: input waits, the console is told
 * once when it is over. */
static void test_session_held(void **state)
{
	struct term t;
	term_open(&t);
	cli_session_line(t.cli, "ping 9.9.9.9 repeat 2 timeout 0");
	assert_true(cli_session_held(t.cli));
	size_t before = t.out.len;
	cli_session_line(t.cli, "show version");   /* not taken meanwhile */
	assert_int_equal(t.out.len, before);
	assert_int_equal(t.resumed, 0);
	wait_done(&t);
	assert_int_equal(t.resumed, 1);
	assert_non_null(strstr(t.out.s, "..\nSuccess rate is 0 percent (0/2)\n"));
	assert_null(strstr(t.out.s, "Cisco IOS Software"));
	/* a log line that came during the ping follows its output */
	term_close(&t);
}

static void test_escape_and_close(void **state)
{
	struct term t;
	term_open(&t);
	cli_session_line(t.cli, "ping 9.9.9.9 repeat 5 timeout 2");
	assert_true(cli_session_held(t.cli));
	ev_run(core_loop, EVRUN_NOWAIT);           /* the first echo goes */
	cli_session_escape(t.cli);
	assert_false(cli_session_held(t.cli));
	assert_int_equal(t.resumed, 1);
	assert_non_null(strstr(t.out.s, "timeout is 2 seconds:\n"
				       "Success rate is 0 percent (0/1)\n"));
	term_close(&t);

	/* a session closing under a running ping stops it cleanly */
	term_open(&t);
	cli_session_line(t.cli, "ping 1.1.1.1 repeat 1000");
	ev_run(core_loop, EVRUN_NOWAIT);
	cli_session_free(t.cli);
	t.cli = NULL;
	for (int i = 0; i < 20; i++)
		ev_run(core_loop, EVRUN_NOWAIT);
	term_close(&t);
}

static void test_extended_dialogue(void **state)
{
	struct term t;
	term_open(&t);
	const char *answers[] = {"ping", "", "1.1.1.1", "2", "", "", "y",
				 "Loopback0", "0", "", "", "0x0000", "", ""};
	for (size_t i = 0; i < sizeof answers / sizeof answers[0]; i++) {
		char prompt[128];
		cli_session_prompt(t.cli, prompt, sizeof prompt);
		sbuf_puts(&t.out, prompt);
		sbuf_printf(&t.out, "%s\n", answers[i]);
		cli_session_line(t.cli, answers[i]);
	}
	wait_done(&t);
	const char *want =
		"Router#ping\n"
		"Protocol [ip]: \n"
		"Target IP address: 1.1.1.1\n"
		"Repeat count [5]: 2\n"
		"Datagram size [100]: \n"
		"Timeout in seconds [2]: \n"
		"Extended commands [n]: y\n"
		"Source address or interface: Loopback0\n"
		"Type of service [0]: 0\n"
		"Set DF bit in IP header? [no]: \n"
		"Validate reply data? [no]: \n"
		"Data pattern [0xABCD]: 0x0000\n"
		"Loose, Strict, Record, Timestamp, Verbose[none]: \n"
		"Sweep range of sizes [n]: \n"
		"Type escape sequence to abort.\n"
		"Sending 2, 100-byte ICMP Echos to 1.1.1.1, timeout is 2 "
		"seconds:\n"
		"Packet sent with a source address of 1.1.1.1 \n"
		"!!\n";
	assert_memory_equal(t.out.s, want, strlen(want));
	assert_rtt_line(t.out.s, "Success rate is 100 percent (2/2)");
	term_close(&t);

	/* a bad answer ends the dialogue with IOS's message */
	term_open(&t);
	cli_session_line(t.cli, "ping");
	cli_session_line(t.cli, "ip");
	cli_session_line(t.cli, "1.1.1.1");
	cli_session_line(t.cli, "0");
	assert_string_equal(t.out.s,
		"% A decimal number between 1 and 2147483647.\n");
	char prompt[64];
	cli_session_prompt(t.cli, prompt, sizeof prompt);
	assert_string_equal(prompt, "Router#");
	term_close(&t);
}

int main(void)
{
	router_init();
	log_set_console_sink(log_sink);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_ping_self, setup),
		cmocka_unit_test_setup(test_ping_options, setup),
		cmocka_unit_test_setup(test_ping_timeouts_and_wrap, setup),
		cmocka_unit_test_setup(test_session_held, setup),
		cmocka_unit_test_setup(test_escape_and_close, setup),
		cmocka_unit_test_setup(test_extended_dialogue, setup),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	core_reset_all();
	return rc;
}
