/* Unit tests of the global commands in cli/aaa.c, cli/line.c and
 * cli/misc_cfg.c: the seed lines are stored and printed back in IOS order,
 * the lines IOS rejects draw errors, pasting show running-config gives it
 * back unchanged, the accessors the console uses tell the truth, and each
 * no form (and "default") runs with the handler code saying whether the
 * line changed anything. */
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
#include "../../cli/cli_cfg.h"
#include "type_lines.h"

static int setup(void **state)
{
	core_reset_all();
	return 0;
}

/* Run TEXT; return the number of lines that drew an error. */
static int run(const char *text)
{
	return cli_exec_config_text(text, NULL);
}

static bool has_line(const char *text, const char *line)
{
	size_t n = strlen(line);
	for (const char *p = text; (p = strstr(p, line)); p++)
		if ((p == text || p[-1] == '\n') && (p[n] == '\n' || !p[n]))
			return true;
	return false;
}

/* Every line of WANT appears in the running-config, in this order ("!"
 * separators are left out: other subsystems' writers place some). */
static void assert_in_order(const char *want)
{
	char *run_text = cfg_running_text();
	const char *pos = run_text;
	char *copy = xstrdup(want);
	for (char *l = strtok(copy, "\n"); l; l = strtok(NULL, "\n")) {
		if (!strcmp(l, "!"))
			continue;
		const char *hit = NULL;
		size_t n = strlen(l);
		for (const char *p = pos; (p = strstr(p, l)); p++)
			if ((p == run_text || p[-1] == '\n') && p[n] == '\n') {
				hit = p;
				break;
			}
		if (!hit)
			fail_msg("\"%s\" missing or out of order in:\n%s", l,
				 run_text);
		pos = hit + n;
	}
	free(copy);
	free(run_text);
}

/* Pasting show running-config into a fresh router gives it back. */
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

static const char routera[] =
	"version 12.4\n"
	"no service password-encryption\n"
	"!\n"
	"boot-start-marker\n"
	"boot-end-marker\n"
	"!\n"
	"no aaa new-model\n"
	"memory-size iomem 10\n"
	"!\n"
	"multilink bundle-name authenticated\n"
	"!\n"
	"voice-card 0\n"
	" no dspfarm\n"
	"!\n"
	"!\n"
	"archive\n"
	" log config\n"
	"  hidekeys\n"
	"!\n"
	"!\n"
	"control-plane\n"
	"!\n"
	"line con 0\n"
	" exec-timeout 0 0\n"
	" stopbits 1\n"
	"line aux 0\n"
	" stopbits 1\n"
	"line vty 0 4\n"
	" login\n"
	"!\n"
	"scheduler allocate 20000 1000\n"
	"!\n"
	"webvpn cef\n";

static void test_routera_lines(void **state)
{
	assert_int_equal(run(routera), 0);
	assert_in_order(routera);
	assert_fixed_point();
	assert_in_order(routera);
}

static const char raha[] =
	"version 12.3\n"
	"username remote_user password 0 letmein\n"
	"aaa new-model\n"
	"aaa authentication login local_xauth local\n"
	"aaa authorization network local_auth local\n"
	"aaa session-id common\n"
	"radius-server host 192.168.0.200 auth-port 1845 acct-port 1846\n"
	"radius-server key radius123\n"
	"control-plane\n"
	"line con 0\n"
	" exec-timeout 0 0\n"
	"line aux 0\n"
	"line vty 0 4\n";

static void test_raha_lines(void **state)
{
	assert_int_equal(run(raha), 0);
	assert_in_order(raha);
	/* with aaa new-model the vty login belongs to AAA: not printed */
	char *t = cfg_running_text();
	assert_false(has_line(t, " login"));
	assert_true(has_line(t, "aaa session-id common"));
	free(t);
	assert_fixed_point();
	assert_in_order(raha);
}

static void test_seed_rejects(void **state)
{
	/* 001-RAHA-R1 L118: a mask is not a radius-server option */
	assert_int_equal(run("radius-server host 192.168.0.0 255.255.0.0 "
			     "auth-port 1845 acct-port 1846\n"), 1);
	assert_null(radius_hosts());
	/* 003 L4: trailing garbage on the keyword */
	assert_int_equal(run("service password-encryption\n"
			     "no service password-encryptionyf\n"), 1);
	assert_true(service_password_encryption());
	/* old-train (12.2) command */
	assert_int_equal(run("ip pim bidir-enable\n"), 1);
	/* out of range and unknown words */
	assert_int_equal(run("memory-size iomem 30\n"
			     "line vty 0 16\n"
			     "scheduler allocate 100 1000\n"
			     "multilink bundle-name nobody\n"), 4);
}

static void test_aaa_needs_new_model(void **state)
{
	assert_int_equal(run("aaa authentication login L local\n"
			     "aaa session-id unique\n"), 2);
	assert_false(aaa_new_model());
	assert_null(aaa_list_find(AAA_AUTHEN_LOGIN, "L"));
	char *out = cli_exec_capture("show running-config");
	assert_non_null(strstr(out, "\nno aaa new-model\n"));
	free(out);

	assert_int_equal(run("aaa new-model\n"
			     "aaa authentication login L local group radius none\n"
			     "aaa authorization network default group radius local\n"
			     "aaa accounting network A start-stop group radius\n"
			     "aaa session-id unique\n"), 0);
	const struct aaa_list *l = aaa_list_find(AAA_AUTHEN_LOGIN, "L");
	assert_non_null(l);
	assert_int_equal(l->nmeth, 3);
	assert_int_equal(l->meth[0].kind, AAA_M_LOCAL);
	assert_int_equal(l->meth[1].kind, AAA_M_GROUP);
	assert_string_equal(l->meth[1].group, "radius");
	assert_int_equal(l->meth[2].kind, AAA_M_NONE);
	assert_true(aaa_session_id_unique());
	assert_in_order("aaa new-model\n"
			"aaa authentication login L local group radius none\n"
			"aaa authorization network default group radius local\n"
			"aaa accounting network A start-stop group radius\n"
			"aaa session-id unique\n");
	assert_fixed_point();

	/* a method twice, or anything after none, is a parse error */
	assert_int_equal(run("aaa authentication login M local local\n"
			     "aaa authentication login M none local\n"
			     "aaa accounting network B start-stop\n"), 3);
	assert_null(aaa_list_find(AAA_AUTHEN_LOGIN, "M"));

	assert_int_equal(run("no aaa authentication login L\n"), 0);
	assert_null(aaa_list_find(AAA_AUTHEN_LOGIN, "L"));
	assert_int_equal(run("no aaa new-model\n"), 0);
	assert_null(aaa_list_find(AAA_AUTHOR_NETWORK, "default"));
}

static void test_users_and_secrets(void **state)
{
	/* a known MD5-crypt vector (openssl passwd -1 -salt abcd hello) */
	assert_true(secret5_valid("$1$abcd$viHgTShdahZyS2dZoxspO."));
	assert_true(secret5_check("$1$abcd$viHgTShdahZyS2dZoxspO.", "hello"));
	assert_false(secret5_check("$1$abcd$viHgTShdahZyS2dZoxspO.", "hellO"));

	assert_int_equal(run("username ann privilege 15 secret s3cret\n"
			     "username bob password 7 070C285F4D06\n"
			     "username cat secret 5 $1$abcd$viHgTShdahZyS2dZoxspO.\n"
			     "username bad secret 5 notahash\n"), 1);
	unsigned priv = 0;
	assert_true(aaa_local_check("ann", "s3cret", &priv));
	assert_int_equal(priv, 15);
	assert_false(aaa_local_check("ann", "wrong", NULL));
	assert_true(aaa_local_check("bob", "cisco", &priv));
	assert_int_equal(priv, 1);
	assert_true(aaa_local_check("cat", "hello", NULL));
	assert_false(aaa_user_exists("bad"));
	char *t = cfg_running_text();
	assert_non_null(strstr(t, "username ann privilege 15 secret 5 $1$"));
	assert_true(has_line(t, "username bob password 7 070C285F4D06"));
	free(t);
	assert_fixed_point();
	assert_int_equal(run("no username ann\n"), 0);
	assert_false(aaa_user_exists("ann"));
}

static void test_password_encryption(void **state)
{
	char buf[64], enc[64];
	pw7_encode("letmein", enc, sizeof enc);
	assert_true(pw7_decode(enc, buf, sizeof buf));
	assert_string_equal(buf, "letmein");
	assert_false(pw7_decode("0G", buf, sizeof buf));

	assert_int_equal(run("username u password 0 letmein\n"
			     "radius-server key radius123\n"
			     "line con 0\n"
			     " password conpw\n"
			     " login\n"
			     "service password-encryption\n"), 0);
	char *t = cfg_running_text();
	assert_true(has_line(t, "service password-encryption"));
	assert_null(strstr(t, "letmein"));
	assert_null(strstr(t, "conpw"));
	assert_null(strstr(t, "radius123"));
	assert_non_null(strstr(t, "username u password 7 "));
	assert_non_null(strstr(t, "radius-server key 7 "));
	assert_non_null(strstr(t, "\n password 7 "));
	free(t);
	/* the console still checks the clear text */
	assert_string_equal(line_password(LINE_CON, 0), "conpw");
	assert_true(aaa_local_check("u", "letmein", NULL));
	assert_string_equal(radius_global_key(), "radius123");
	/* turning it off does not decrypt, as on IOS */
	assert_int_equal(run("no service password-encryption\n"), 0);
	t = cfg_running_text();
	assert_true(has_line(t, "no service password-encryption"));
	assert_non_null(strstr(t, "username u password 7 "));
	free(t);
	assert_fixed_point();
}

/* ---- core's commands: hostname, enable, clock, service timestamps, logging */

static int n_changed;

static void on_changed(enum core_event ev, void *data, void *ctx)
{
	n_changed++;
}

/* How many lines of TEXT changed the configuration (none refused). */
static int changes(const char *text)
{
	n_changed = 0;
	core_subscribe(EVT_CONFIG_CHANGED, on_changed, NULL);
	assert_int_equal(run(text), 0);
	core_unsubscribe(EVT_CONFIG_CHANGED, on_changed, NULL);
	return n_changed;
}

/* Their no forms take the positive form's words or none; one that finds
 * nothing to undo changes nothing. */
static void test_core_no_forms(void **state)
{
	assert_int_equal(run("hostname R9\n"
			     "enable secret 0 s3cret\n"
			     "enable password pw\n"
			     "clock timezone PST -8\n"
			     "service timestamps debug datetime msec\n"
			     "service timestamps log datetime msec localtime\n"
			     "logging buffered 10000000 debugging\n"
			     "logging rate-limit console 10000\n"
			     "no logging console\n"), 0);
	assert_in_order("service timestamps debug datetime msec\n"
			"service timestamps log datetime msec localtime\n"
			"hostname R9\n"
			"logging buffered 10000000 debugging\n"
			"logging rate-limit console 10000\n"
			"no logging console\n"
			"enable password pw\n"
			"clock timezone PST -8\n");
	assert_int_equal(changes("no hostname R9\n"
				 "no enable secret 5 $1$abcd$viHgTShdahZyS2dZoxspO.\n"
				 "no enable password 0 pw\n"
				 "no clock timezone PST -8\n"
				 "no service timestamps debug datetime msec\n"
				 "default service timestamps log\n"
				 "no logging buffered 10000000 debugging\n"
				 "no logging rate-limit console 10000\n"
				 "default logging console\n"), 9);
	char *t = cfg_running_text();
	assert_true(has_line(t, "hostname Router"));
	assert_true(has_line(t, "no service timestamps debug"));
	assert_true(has_line(t, "service timestamps log uptime"));
	assert_null(strstr(t, "enable "));
	assert_null(strstr(t, "clock timezone"));
	assert_null(strstr(t, "logging"));
	free(t);
	/* again, with nothing left to undo */
	assert_int_equal(changes("no hostname\n"
				 "no enable secret\n"
				 "no enable password\n"
				 "no clock timezone\n"
				 "no service timestamps debug\n"
				 "service timestamps log uptime\n"
				 "no logging buffered\n"
				 "no logging rate-limit\n"
				 "logging console\n"), 0);
	/* words the positive form does not take are refused */
	assert_int_equal(run("no clock timezone PST\n"
			     "no logging buffered big\n"
			     "no service timestamps often\n"
			     "no logging rate-limit except 3\n"), 4);
}

static void test_lines(void **state)
{
	/* a fresh router: vty asks for the line password, con does not */
	assert_int_equal(line_login_mode(LINE_CON, 0), LOGIN_NONE);
	assert_int_equal(line_login_mode(LINE_VTY, 0), LOGIN_LINE);
	assert_int_equal(line_exec_timeout(LINE_CON, 0), 600);

	assert_int_equal(run("line con 0\n"
			     " exec-timeout 5 30\n"
			     " login local\n"
			     " logging synchronous\n"
			     " privilege level 15\n"
			     " transport preferred none\n"
			     "line vty 0 15\n"
			     " transport input ssh telnet\n"
			     "line vty 2\n"
			     " no login\n"), 0);
	assert_int_equal(line_exec_timeout(LINE_CON, 0), 330);
	assert_int_equal(line_login_mode(LINE_CON, 0), LOGIN_LOCAL);
	assert_int_equal(line_privilege(LINE_CON, 0), 15);
	assert_true(line_logging_synchronous(LINE_CON, 0));
	assert_int_equal(line_login_mode(LINE_VTY, 2), LOGIN_NONE);
	assert_in_order("line con 0\n"
			" exec-timeout 5 30\n"
			" privilege level 15\n"
			" logging synchronous\n"
			" login local\n"
			" transport preferred none\n"
			"line aux 0\n"
			"line vty 0 1\n"
			" login\n"
			" transport input telnet ssh\n"
			"line vty 2\n"
			" no login\n"
			" transport input telnet ssh\n"
			"line vty 3 15\n"
			" login\n"
			" transport input telnet ssh\n");
	assert_fixed_point();

	/* aaa new-model takes login over: vty uses the local database */
	assert_int_equal(run("aaa new-model\n"), 0);
	assert_int_equal(line_login_mode(LINE_VTY, 0), LOGIN_LOCAL);
	assert_int_equal(run("aaa authentication login default none\n"), 0);
	assert_int_equal(line_login_mode(LINE_CON, 0), LOGIN_AAA);

	assert_int_equal(run("no line vty 5 15\n"), 0);
	char *t = cfg_running_text();
	assert_true(has_line(t, "line vty 3 4"));
	assert_null(strstr(t, "line vty 3 15"));
	free(t);
	assert_int_equal(run("line con 0\n stopbits 3\n"), 1);
	/* exec-timeout 0 0: never */
	assert_int_equal(run("line con 0\n exec-timeout 0 0\n"), 0);
	assert_int_equal(line_exec_timeout(LINE_CON, 0), 0);
	t = cfg_running_text();
	assert_non_null(strstr(t, "line con 0\n exec-timeout 0 0\n"));
	free(t);
}

static void test_router_ospf(void **state)
{
	static const char ospf[] =
		"router ospf 1\n"
		" log-adjacency-changes\n"
		" redistribute static subnets\n"
		" network 10.1.1.0 0.0.0.255 area 0\n";
	assert_int_equal(run(ospf), 0);
	assert_in_order(ospf);
	assert_int_equal(run("router ospf 1\n"
			     " network 10.0.0.0 0.255.255.255 area 0.0.0.1\n"
			     " network 10.1.1.1 0.0.0.0 area 7\n"
			     " passive-interface f0/0\n"
			     " router-id 1.1.1.1\n"
			     " network 1.1.1.1 0.0.0.0 area 1.2.3\n"), 1);
	/* most specific network first, areas as they were typed */
	assert_in_order("router ospf 1\n"
			" router-id 1.1.1.1\n"
			" log-adjacency-changes\n"
			" redistribute static subnets\n"
			" passive-interface FastEthernet0/0\n"
			" network 10.1.1.1 0.0.0.0 area 7\n"
			" network 10.1.1.0 0.0.0.255 area 0\n"
			" network 10.0.0.0 0.255.255.255 area 0.0.0.1\n");
	assert_fixed_point();
	assert_int_equal(run("no router ospf 1\n"), 0);
	char *t = cfg_running_text();
	assert_null(strstr(t, "router ospf"));
	free(t);
}

/* Commands declared once with their no forms: the no form takes the
 * positive form's arguments, "default" runs it, and setting what is
 * already set, or removing what is not there, changes nothing. */
static void test_no_forms_and_unchanged(void **state)
{
	static const struct typed global[] = {
		{"version 12.4", CLI_UNCHANGED},
		{"version 15.1", CLI_OK},
		{"boot-start-marker", CLI_UNCHANGED},
		{"control-plane", CLI_UNCHANGED},
		{"exit", CLI_UNCHANGED},
		{"service password-encryption", CLI_OK},
		{"no service password-encryption", CLI_OK},
		{"default service password-encryption", CLI_UNCHANGED},
		{"memory-size iomem 10", CLI_OK},
		{"memory-size iomem 10", CLI_UNCHANGED},
		{"no memory-size iomem 10", CLI_OK},
		{"no memory-size iomem", CLI_UNCHANGED},
		{"memory-size iomem", CLI_ERR},
		{"multilink bundle-name both", CLI_OK},
		{"multilink bundle-name both", CLI_UNCHANGED},
		{"default multilink bundle-name", CLI_OK},
		{"multilink bundle-name", CLI_ERR},
		{"scheduler allocate 20000 1000", CLI_OK},
		{"no scheduler allocate 20000 1000", CLI_OK},
		{"no scheduler allocate", CLI_UNCHANGED},
		{"scheduler allocate", CLI_ERR},
		{"webvpn cef", CLI_OK},
		{"webvpn cef", CLI_UNCHANGED},
		{"default webvpn cef", CLI_OK},
		{"voice-card 1", CLI_OK},
		{"no dspfarm", CLI_UNCHANGED},
		{"dspfarm", CLI_OK},
		{"voice-card 1", CLI_UNCHANGED},
		{"default dspfarm", CLI_OK},
		{"archive", CLI_OK},
		{"log config", CLI_OK},
		{"hidekeys", CLI_OK},
		{"no logging enable", CLI_UNCHANGED},
		{"logging enable", CLI_OK},
		{"exit", CLI_UNCHANGED},
		{"log config", CLI_UNCHANGED},
		{"default hidekeys", CLI_OK},
		{"end", CLI_UNCHANGED},
		{NULL, 0},
	};
	type_lines(global);
	assert_in_order("version 15.1\n"
			"no service password-encryption\n"
			"voice-card 1\n"
			" no dspfarm\n"
			"archive\n"
			" log config\n"
			"  logging enable\n");
	char *t = cfg_running_text();
	assert_null(strstr(t, "memory-size"));
	assert_null(strstr(t, "multilink"));
	assert_null(strstr(t, "scheduler"));
	assert_null(strstr(t, "webvpn"));
	assert_null(strstr(t, "hidekeys"));
	free(t);
	static const struct typed archive_off[] = {
		{"no archive", CLI_OK},
		{"no archive", CLI_UNCHANGED},
		{NULL, 0},
	};
	type_lines(archive_off);
	t = cfg_running_text();
	assert_null(strstr(t, "archive"));
	free(t);
}

static void test_ospf_no_forms(void **state)
{
	static const struct typed lines[] = {
		{"router ospf 1", CLI_OK},
		{"router-id 1.1.1.1", CLI_OK},
		{"router-id 1.1.1.1", CLI_UNCHANGED},
		{"no router-id 1.1.1.1", CLI_OK},
		{"no router-id", CLI_UNCHANGED},
		{"router-id", CLI_ERR},
		{"log-adjacency-changes", CLI_UNCHANGED},
		{"log-adjacency-changes detail", CLI_OK},
		{"no log-adjacency-changes detail", CLI_OK},
		{"no log-adjacency-changes detail", CLI_UNCHANGED},
		{"no log-adjacency-changes", CLI_OK},
		{"default log-adjacency-changes", CLI_OK},
		{"redistribute static subnets", CLI_OK},
		{"no redistribute static subnets", CLI_OK},
		{"no redistribute static subnets", CLI_UNCHANGED},
		{"default redistribute static", CLI_OK},
		{"no redistribute connected", CLI_UNCHANGED},
		{"network 10.0.0.0 0.255.255.255 area 0", CLI_OK},
		{"network 10.0.0.0 0.255.255.255 area 0", CLI_UNCHANGED},
		{"network 10.0.0.0 0.255.255.255 area 0.0.0.0", CLI_OK},
		{"no network 10.0.0.0 0.255.255.255 area 0", CLI_OK},
		{"no network 10.0.0.0 0.255.255.255 area 0", CLI_UNCHANGED},
		{"passive-interface f0/0", CLI_OK},
		{"passive-interface FastEthernet0/0", CLI_UNCHANGED},
		{"no passive-interface f0/0", CLI_OK},
		{"no passive-interface f0/0", CLI_UNCHANGED},
		{"exit", CLI_UNCHANGED},
		{"router ospf 1", CLI_UNCHANGED},
		{"exit", CLI_UNCHANGED},
		{"no router ospf 2", CLI_UNCHANGED},
		{NULL, 0},
	};
	type_lines(lines);
	assert_in_order("router ospf 1\n"
			" log-adjacency-changes\n"
			"!\n");
	char *t = cfg_running_text();
	assert_null(strstr(t, " router-id"));
	assert_null(strstr(t, " redistribute"));
	assert_null(strstr(t, " network"));
	assert_null(strstr(t, " passive-interface"));
	free(t);
	static const struct typed gone[] = {
		{"default router ospf 1", CLI_OK},
		{"no router ospf 1", CLI_UNCHANGED},
		{NULL, 0},
	};
	type_lines(gone);
	t = cfg_running_text();
	assert_null(strstr(t, "router ospf"));
	free(t);
}

static void test_aaa_line_no_forms(void **state)
{
	static const struct typed lines[] = {
		{"aaa new-model", CLI_OK},
		{"aaa new-model", CLI_UNCHANGED},
		{"aaa session-id common", CLI_UNCHANGED},
		{"aaa session-id unique", CLI_OK},
		{"no aaa session-id unique", CLI_OK},
		{"default aaa session-id", CLI_UNCHANGED},
		{"aaa session-id", CLI_ERR},
		{"aaa authentication login L local", CLI_OK},
		{"no aaa authentication login L local", CLI_OK},
		{"no aaa authentication login L", CLI_UNCHANGED},
		{"username ann password 0 x", CLI_OK},
		{"no username ann password 0 x", CLI_OK},
		{"no username ann", CLI_UNCHANGED},
		{"radius-server host 10.0.0.9 auth-port 1845", CLI_OK},
		{"no radius-server host 10.0.0.9", CLI_UNCHANGED},
		{"no radius-server host 10.0.0.9 auth-port 1845 timeout 3", CLI_OK},
		{"radius-server key 0 k1", CLI_OK},
		{"no radius-server key 0 k1", CLI_OK},
		{"default radius-server key", CLI_UNCHANGED},
		{"radius-server key", CLI_ERR},
		{"no aaa new-model", CLI_OK},
		{"default aaa new-model", CLI_UNCHANGED},
		/* lines: entering existing ones changes nothing */
		{"line vty 0 4", CLI_UNCHANGED},
		{"line vty 5 6", CLI_OK},
		{"exec-timeout 5 30", CLI_OK},
		{"no exec-timeout 5 30", CLI_OK},
		{"no exec-timeout", CLI_UNCHANGED},
		{"exec-timeout", CLI_ERR},
		{"stopbits 1", CLI_OK},
		{"default stopbits 1", CLI_OK},
		{"no stopbits", CLI_UNCHANGED},
		{"privilege level 7", CLI_OK},
		{"no privilege level 7", CLI_OK},
		{"no privilege level", CLI_UNCHANGED},
		{"privilege level", CLI_ERR},
		{"password 0 pw", CLI_OK},
		{"no password 0 pw", CLI_OK},
		{"no password", CLI_UNCHANGED},
		{"transport input ssh", CLI_OK},
		{"no transport input", CLI_OK},
		{"no transport input rlogin", CLI_UNCHANGED},
		{"logging synchronous", CLI_OK},
		{"no logging synchronous level all", CLI_OK},
		{"no logging synchronous", CLI_UNCHANGED},
		/* vty lines ask for the password by default */
		{"default login", CLI_UNCHANGED},
		{"no login", CLI_OK},
		{"default login", CLI_OK},
		{"login local", CLI_OK},
		{"no login local", CLI_OK},
		{"no login", CLI_UNCHANGED},
		{"exit", CLI_UNCHANGED},
		{"no line vty 5 6", CLI_OK},
		{"no line vty 5 6", CLI_UNCHANGED},
		{"no line con 0", CLI_UNCHANGED},
		{NULL, 0},
	};
	type_lines(lines);
	char *t = cfg_running_text();
	assert_true(has_line(t, "no aaa new-model"));
	assert_null(strstr(t, "username"));
	assert_null(strstr(t, "radius-server"));
	assert_true(has_line(t, "line vty 0 4"));
	assert_null(strstr(t, "line vty 5"));
	free(t);
}

static void test_reset_defaults(void **state)
{
	assert_int_equal(run("version 15.1\n"
			     "service password-encryption\n"
			     "aaa new-model\n"
			     "webvpn cef\n"
			     "line con 0\n"
			     " exec-timeout 0 0\n"), 0);
	core_reset_all();
	char *t = cfg_running_text();
	assert_true(has_line(t, "version 12.4"));
	assert_true(has_line(t, "no service password-encryption"));
	assert_true(has_line(t, "no aaa new-model"));
	assert_true(has_line(t, "boot-start-marker"));
	assert_true(has_line(t, "control-plane"));
	assert_true(has_line(t, "line vty 0 4"));
	assert_null(strstr(t, "webvpn"));
	assert_null(strstr(t, "exec-timeout"));
	free(t);
}

int main(void)
{
	router_init();
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_routera_lines, setup),
		cmocka_unit_test_setup(test_raha_lines, setup),
		cmocka_unit_test_setup(test_seed_rejects, setup),
		cmocka_unit_test_setup(test_aaa_needs_new_model, setup),
		cmocka_unit_test_setup(test_users_and_secrets, setup),
		cmocka_unit_test_setup(test_password_encryption, setup),
		cmocka_unit_test_setup(test_core_no_forms, setup),
		cmocka_unit_test_setup(test_lines, setup),
		cmocka_unit_test_setup(test_router_ospf, setup),
		cmocka_unit_test_setup(test_no_forms_and_unchanged, setup),
		cmocka_unit_test_setup(test_ospf_no_forms, setup),
		cmocka_unit_test_setup(test_aaa_line_no_forms, setup),
		cmocka_unit_test_setup(test_reset_defaults, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
