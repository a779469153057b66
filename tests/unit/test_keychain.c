/* Unit tests of key chains (platform/keychain.c): the commands and their
 * errors, lifetimes and which key is sent and accepted when, the "no"
 * forms, show key chain, service password-encryption, and the
 * running-config section printed back in IOS form and read back the same. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../../core/core.h"
#include "../../router/router.h"
#include "../../cli/cli.h"
#include "../../cli/session.h"
#include "../../platform/platform.h"

static int setup(void **state)
{
	core_reset_all();
	return 0;
}

static int run(const char *text)
{
	return cli_exec_config_text(text, NULL);
}

/* Local time Y-M-D h:m:s as the key chain code counts it. */
static time_t T(int y, int mo, int d, int h, int mi, int s)
{
	struct tm tm = {
		.tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d,
		.tm_hour = h, .tm_min = mi, .tm_sec = s,
	};
	return timegm(&tm);
}

/* The running-config from "key chain" to the "!" that ends the section. */
static char *section(void)
{
	char *r = cfg_running_text();
	char *p = strstr(r, "key chain ");
	assert_non_null(p);
	char *end = strstr(p, "\n!\n");
	assert_non_null(end);
	end[1] = '\0';
	char *s = xstrdup(p);
	free(r);
	return s;
}

static void assert_fixed_point(void)
{
	char *r1 = cfg_running_text();
	core_reset_all();
	assert_int_equal(run(r1), 0);
	char *r2 = cfg_running_text();
	assert_string_equal(r1, r2);
	free(r1);
	free(r2);
}

static const char chain_cfg[] =
	"key chain HSRP-KEYS\n"
	" key 20\n"
	"  key-string new key\n"
	"  send-lifetime 00:00:00 1 Jan 2009 infinite\n"
	" key 10\n"
	"  key-string old\n"
	"  accept-lifetime 00:00:00 Jan 1 2000 duration 86400\n"
	"  send-lifetime 00:00:00 jan 1 2000 00:00:00 JANUARY 1 2010\n"
	" key 30\n";

static void test_running_config(void **state)
{
	assert_int_equal(run(chain_cfg), 0);
	char *s = section();
	assert_string_equal(s,
		"key chain HSRP-KEYS\n"
		" key 10\n"
		"  key-string old\n"
		"  accept-lifetime 00:00:00 Jan 1 2000 duration 86400\n"
		"  send-lifetime 00:00:00 Jan 1 2000 00:00:00 Jan 1 2010\n"
		" key 20\n"
		"  key-string new key\n"
		"  send-lifetime 00:00:00 Jan 1 2009 infinite\n"
		" key 30\n");
	free(s);
	/* printed after enable and before the global ip/interface lines */
	assert_int_equal(run("enable secret 5 $1$mERr$hx5rVt7rPNoS4wqbXKX7m0\n"
			     "interface FastEthernet0/0\n no shutdown\n"), 0);
	char *r = cfg_running_text();
	char *en = strstr(r, "enable secret"), *kc = strstr(r, "key chain"),
	     *itf = strstr(r, "interface FastEthernet0/0");
	assert_true(en && kc && itf && en < kc && kc < itf);
	free(r);
	assert_fixed_point();
}

static void test_errors_leave_state(void **state)
{
	assert_int_equal(run("key chain K\n key 1\n key-string abc\n"
			     "  send-lifetime 01:02:03 Mar 4 2020 infinite\n"), 0);
	assert_int_equal(run("key chain K\n key 1\n"
			     "  send-lifetime 24:00:00 Mar 4 2021 infinite\n"
			     "  send-lifetime 1:2 Mar 4 2021 infinite\n"
			     "  send-lifetime +1:02:03 Mar 4 2021 infinite\n"
			     "  send-lifetime 01:00:00 Mzr 4 2021 infinite\n"
			     "  send-lifetime 01:00:00 Feb 29 2021 infinite\n"
			     "  send-lifetime 01:00:00 Feb 4 1992 infinite\n"
			     "  send-lifetime 01:00:00 Feb 4 2021 01:00:00 Feb 31 2022\n"
			     "  key-string 7 0822455D0A1\n"
			     "  key-string 123456789012345678901234567890123456789012345678901234567890123456789012345678901\n"),
			 9);   /* every one of them refused and counted */
	assert_int_equal(run("key chain K\n key 2147483648\n"), 1);
	/* 2020 was a leap year */
	assert_int_equal(run("key chain K\n key 2\n"
			     "  accept-lifetime 01:00:00 Feb 29 2020 infinite\n"), 0);
	char *s = section();
	assert_string_equal(s,
		"key chain K\n"
		" key 1\n"
		"  key-string abc\n"
		"  send-lifetime 01:02:03 Mar 4 2020 infinite\n"
		" key 2\n"
		"  accept-lifetime 01:00:00 Feb 29 2020 infinite\n");
	free(s);
}

static void test_send_and_accept_selection(void **state)
{
	assert_int_equal(run(chain_cfg), 0);
	struct keychain_key k;
	/* before any send lifetime: key 10 starts in 2000, key 20 in 2009 */
	assert_false(keychain_send_key("HSRP-KEYS", T(1999, 12, 31, 23, 59, 59), &k));
	assert_true(keychain_send_key("HSRP-KEYS", T(2000, 1, 1, 0, 0, 0), &k));
	assert_int_equal(k.id, 10);
	assert_string_equal(k.secret, "old");
	/* both valid: the lowest-numbered one */
	assert_true(keychain_send_key("HSRP-KEYS", T(2009, 6, 1, 0, 0, 0), &k));
	assert_int_equal(k.id, 10);
	/* key 10's end is not inside its lifetime */
	assert_true(keychain_send_key("HSRP-KEYS", T(2010, 1, 1, 0, 0, 0), &k));
	assert_int_equal(k.id, 20);
	assert_string_equal(k.secret, "new key");

	struct keychain_key acc[4];
	/* key 10 accepted for its day only; 20 always; 30 has no string */
	assert_int_equal(keychain_accept_keys("HSRP-KEYS", T(2000, 1, 1, 12, 0, 0), acc, 4), 2);
	assert_int_equal(acc[0].id, 10);
	assert_int_equal(acc[1].id, 20);
	assert_int_equal(keychain_accept_keys("HSRP-KEYS", T(2000, 1, 2, 0, 0, 0), acc, 4), 1);
	assert_int_equal(acc[0].id, 20);
	/* MAX smaller than the count: the count is still the truth */
	assert_int_equal(keychain_accept_keys("HSRP-KEYS", T(2000, 1, 1, 12, 0, 0), acc, 1), 2);
	assert_int_equal(acc[0].id, 10);

	assert_false(keychain_send_key("NOPE", T(2009, 1, 1, 0, 0, 0), &k));
	assert_int_equal(keychain_accept_keys("NOPE", T(2009, 1, 1, 0, 0, 0), acc, 4), 0);
	assert_true(keychain_exists("HSRP-KEYS"));
	assert_false(keychain_exists("hsrp-keys"));
}

static void test_no_forms(void **state)
{
	assert_int_equal(run(chain_cfg), 0);
	struct keychain_key k;
	time_t t = T(2005, 1, 1, 0, 0, 0);
	/* no key-string: key 10 can no longer be sent; key 20 is not yet */
	assert_int_equal(run("key chain HSRP-KEYS\n key 10\n no key-string\n"), 0);
	assert_false(keychain_send_key("HSRP-KEYS", t, &k));
	/* no send-lifetime: key 20 is always valid again */
	assert_int_equal(run("key chain HSRP-KEYS\n key 20\n no send-lifetime\n"), 0);
	assert_true(keychain_send_key("HSRP-KEYS", t, &k));
	assert_int_equal(k.id, 20);
	assert_int_equal(run("key chain HSRP-KEYS\n key 10\n no accept-lifetime\n"
			     " no key 20\n no key 30\n"), 0);
	char *s = section();
	assert_string_equal(s,
		"key chain HSRP-KEYS\n"
		" key 10\n"
		"  send-lifetime 00:00:00 Jan 1 2000 00:00:00 Jan 1 2010\n");
	free(s);
	assert_int_equal(run("no key chain HSRP-KEYS\n"), 0);
	assert_false(keychain_exists("HSRP-KEYS"));
	char *r = cfg_running_text();
	assert_null(strstr(r, "key chain"));
	free(r);
}

static void sbuf_io(void *io, const char *str, size_t n)
{
	sbuf_add(io, str, n);
}

/* The no forms take the positive form's words or none; what changes
 * nothing says so. */
static void test_no_forms_words_and_codes(void **state)
{
	assert_int_equal(run(chain_cfg), 0);
	assert_int_equal(run("key chain HSRP-KEYS\n"
			     " key 10\n"
			     "  no key-string 7 0822455D0A16\n"
			     "  no accept-lifetime 00:00:00 Jan 1 2000 infinite\n"
			     "  default send-lifetime\n"
			     " key 20\n"
			     "  no send-lifetime 00:00:00 Jan 1 2000\n"
			     "  no send-lifetime garbage\n"), 2);
	char *sec = section();
	assert_string_equal(sec,
		"key chain HSRP-KEYS\n"
		" key 10\n"
		" key 20\n"
		"  key-string new key\n"
		"  send-lifetime 00:00:00 Jan 1 2009 infinite\n"
		" key 30\n");
	free(sec);

	struct sbuf out;
	sbuf_init(&out);
	struct cli_io io = {.write = sbuf_io, .io = &out, .origin = "console"};
	struct cli *c = cli_session_new(&io, MODE_CONFIG);
	assert_int_equal(cli_session_line(c, "key chain HSRP-KEYS"), CLI_UNCHANGED);
	assert_int_equal(cli_session_line(c, "no key 99"), CLI_UNCHANGED);
	assert_int_equal(cli_session_line(c, "key 10"), CLI_UNCHANGED);
	assert_int_equal(cli_session_line(c, "no key-string"), CLI_UNCHANGED);
	assert_int_equal(cli_session_line(c, "no accept-lifetime"), CLI_UNCHANGED);
	assert_int_equal(cli_session_line(c, "key-string k"), CLI_OK);
	assert_int_equal(cli_session_line(c, "no key-string"), CLI_OK);
	assert_int_equal(cli_session_line(c, "key 11"), CLI_OK);
	assert_int_equal(cli_session_line(c, "no key chain NOPE"), CLI_UNCHANGED);
	assert_int_equal(cli_session_line(c, "key chain NEW"), CLI_OK);
	assert_int_equal(cli_session_line(c, "no key chain NEW"), CLI_OK);
	cli_session_free(c);
	sbuf_free(&out);
}

static void test_show_key_chain(void **state)
{
	assert_int_equal(run("key chain A\n key 1\n key-string secret\n"
			     "key chain B\n key 5\n key-string five\n"
			     "  accept-lifetime 13:30:00 Jan 25 1996 duration 7200\n"
			     "  send-lifetime 00:00:00 Jan 1 2035 infinite\n"
			     " key 6\n"), 0);
	char *out = cli_exec_capture("show key chain");
	assert_string_equal(out,
		"Key-chain A:\n"
		"    key 1 -- text \"secret\"\n"
		"        accept lifetime (always valid) - (always valid) [valid now]\n"
		"        send lifetime (always valid) - (always valid) [valid now]\n"
		"Key-chain B:\n"
		"    key 5 -- text \"five\"\n"
		"        accept lifetime (13:30:00 Jan 25 1996) - (15:30:00 Jan 25 1996)\n"
		"        send lifetime (00:00:00 Jan 1 2035) - (infinite)\n"
		"    key 6 -- text \"(unset)\"\n"
		"        accept lifetime (always valid) - (always valid) [valid now]\n"
		"        send lifetime (always valid) - (always valid) [valid now]\n");
	free(out);
	out = cli_exec_capture("show key chain A");
	assert_non_null(strstr(out, "Key-chain A:\n"));
	assert_null(strstr(out, "Key-chain B"));
	free(out);
}

static void test_password_encryption(void **state)
{
	assert_int_equal(run("key chain K\n key 1\n key-string s3cret\n"), 0);
	assert_int_equal(run("service password-encryption\n"), 0);
	char *s = section();
	const char *p = strstr(s, "  key-string 7 ");
	assert_non_null(p);
	char hex[128], clear[128];
	assert_int_equal(sscanf(p, "  key-string 7 %127s", hex), 1);
	assert_true(pw7_decode(hex, clear, sizeof clear));
	assert_string_equal(clear, "s3cret");
	free(s);
	/* show key chain and the protocols still see the clear text */
	char *out = cli_exec_capture("show key chain K");
	assert_non_null(strstr(out, "key 1 -- text \"s3cret\"\n"));
	free(out);
	struct keychain_key k;
	assert_true(keychain_send_key("K", T(2020, 1, 1, 0, 0, 0), &k));
	assert_string_equal(k.secret, "s3cret");
	/* a key typed while it is on is stored encrypted too, and turning it
	 * off leaves them encrypted, as IOS does */
	assert_int_equal(run("key chain K\n key 2\n key-string other\n"
			     "no service password-encryption\n"), 0);
	s = section();
	assert_null(strstr(s, "s3cret"));
	assert_null(strstr(s, "other"));
	free(s);
	assert_fixed_point();
	assert_true(keychain_send_key("K", T(2020, 1, 1, 0, 0, 0), &k));
	assert_string_equal(k.secret, "s3cret");
}

static void test_prompts_and_parent_commands(void **state)
{
	char *out = cli_exec_capture("show key chain");
	assert_string_equal(out, "");
	free(out);
	assert_string_equal(cli_mode_prompt(MODE_KEYCHAIN), "config-keychain");
	assert_string_equal(cli_mode_prompt(MODE_KEYCHAIN_KEY),
			    "config-keychain-key");
	/* a pasted configuration: "key 2" from key mode, then a global line */
	assert_int_equal(run("key chain P\n key 1\n  key-string one\n"
			     " key 2\n  key-string two\n"
			     "hostname R9\n"), 0);
	struct keychain_key acc[4];
	assert_int_equal(keychain_accept_keys("P", T(2020, 1, 1, 0, 0, 0), acc, 4), 2);
	assert_string_equal(acc[1].secret, "two");
	assert_string_equal(core_hostname(), "R9");
}

int main(void)
{
	router_init();
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_running_config, setup),
		cmocka_unit_test_setup(test_errors_leave_state, setup),
		cmocka_unit_test_setup(test_send_and_accept_selection, setup),
		cmocka_unit_test_setup(test_no_forms, setup),
		cmocka_unit_test_setup(test_no_forms_words_and_codes, setup),
		cmocka_unit_test_setup(test_show_key_chain, setup),
		cmocka_unit_test_setup(test_password_encryption, setup),
		cmocka_unit_test_setup(test_prompts_and_parent_commands, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
