/* Unit tests of the HSRP configuration model: the standby grammar (ranges,
 * version bounds, incomplete lines, the optional group number), the
 * show running-config lines in IOS nvgen order and their fixed point,
 * name lookup and its events, show standby / brief / delay, object
 * tracking and the debug flags, the no and default forms and the handler
 * codes that say whether a line changed anything. Everything runs through
 * the CLI as a console would. */
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
#include "../../platform/platform.h"
#include "../../hsrp/hsrp.h"
#include "type_lines.h"

/* ---- helpers ------------------------------------------------------------ */

static struct sbuf errs;

/* Run configuration text in global configuration mode; returns the number
 * of lines that drew a parser error. Messages land in errs. */
static int cfg(const char *text)
{
	sbuf_reset(&errs);
	return cli_exec_config_text(text, &errs);
}

/* The lines of "interface NAME" in show running-config, up to its "!". */
static char *iface_section(const char *name)
{
	char *run = cfg_running_text();
	char head[96];
	snprintf(head, sizeof head, "\ninterface %s\n", name);
	char *s = strstr(run, head);
	char *res;
	if (!s) {
		res = xstrdup("");
	} else {
		s += strlen(head);
		char *end = strstr(s, "!\n");
		res = strndup(s, end ? (size_t)(end - s) : strlen(s));
	}
	free(run);
	return res;
}

/* Only the " standby ..." lines of a section. */
static char *standby_lines(const char *name)
{
	char *sec = iface_section(name);
	struct sbuf b;
	sbuf_init(&b);
	for (char *line = strtok(sec, "\n"); line; line = strtok(NULL, "\n"))
		if (!strncmp(line, " standby", 8)) {
			sbuf_puts(&b, line);
			sbuf_puts(&b, "\n");
		}
	free(sec);
	char *r = sbuf_take(&b);
	return r ? r : xstrdup("");
}

static char *show(const char *cmd)
{
	return cli_exec_capture(cmd);
}

static int setup(void **state)
{
	core_reset_all();
	sbuf_reset(&errs);
	return 0;
}

/* ---- grammar ------------------------------------------------------------- */

static void test_group_optional(void **state)
{
	assert_int_equal(cfg("interface FastEthernet0/0\n"
			     " ip address 192.168.0.1 255.255.255.0\n"
			     " standby name group1\n"
			     " standby ip 192.168.0.3\n"), 0);
	char *l = standby_lines("FastEthernet0/0");
	assert_string_equal(l, " standby ip 192.168.0.3\n"
			       " standby name group1\n");
	free(l);
	struct hsrp_group_info gi;
	assert_true(hsrp_group_lookup("group1", &gi));
	assert_string_equal(gi.ifname, "FastEthernet0/0");
	assert_int_equal(gi.group, 0);
	assert_int_equal(gi.state, HSRP_INIT);
	uint32_t vip;
	ip_parse("192.168.0.3", &vip);
	assert_int_equal(gi.vip, vip);
}

static void test_name_ip_and_bare_ip(void **state)
{
	/* "ip" is a fine group name; a bare "standby 1 ip" learns the VIP */
	assert_int_equal(cfg("interface FastEthernet0/0\n"
			     " standby 1 ip\n"
			     " standby 1 name ip\n"
			     " standby 2 name BRANCH\n"
			     " standby 2 ip\n"), 0);
	char *l = standby_lines("FastEthernet0/0");
	assert_string_equal(l, " standby 1 ip\n"
			       " standby 1 name ip\n"
			       " standby 2 ip\n"
			       " standby 2 name BRANCH\n");
	free(l);
	struct hsrp_group_info gi;
	assert_true(hsrp_group_lookup("ip", &gi));
	assert_int_equal(gi.group, 1);
	assert_int_equal(gi.vip, 0);
}

static void test_incomplete(void **state)
{
	assert_int_equal(cfg("interface Ethernet0/0\n standby delay reload\n"), 1);
	assert_non_null(strstr(errs.s, "% Incomplete command."));
	assert_int_equal(cfg("interface Ethernet0/0\n standby 1 name\n"), 1);
	assert_non_null(strstr(errs.s, "% Incomplete command."));
	assert_int_equal(cfg("interface Ethernet0/0\n standby 1 timers 1\n"), 1);
	assert_int_equal(cfg("interface Ethernet0/0\n standby 1 priority\n"), 1);
	/* nothing was stored */
	char *l = standby_lines("Ethernet0/0");
	assert_string_equal(l, "");
	free(l);
}

static void test_ranges(void **state)
{
	static const char *bad[] = {
		" standby 1 priority 256",
		" standby 4096 ip 10.0.0.3",
		" standby 1 timers 0 3",
		" standby 1 timers 255 256",
		" standby 1 timers 3 256",
		" standby 1 timers msec 14 msec 100",
		" standby 1 timers msec 1000 3",
		" standby 1 timers msec 100 msec 3001",
		" standby 1 preempt delay minimum 3601",
		" standby 1 track 1001",
		" standby 1 track 1 decrement 0",
		" standby 1 track 1 decrement 256",
		" standby delay minimum 10001",
		" standby version 3",
		" standby 1 ip 10.0.0.256",
		" standby 1 authentication md5 key-string 7 k timeout 32768",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char *text;
		assert_true(asprintf(&text, "interface Ethernet0/0\n%s\n",
				     bad[i]) > 0);
		int e = cfg(text);
		if (e != 1)
			fail_msg("accepted: %s", bad[i]);
		assert_non_null(strstr(errs.s, "% Invalid input detected"));
		free(text);
	}
	char *l = standby_lines("Ethernet0/0");
	assert_string_equal(l, "");
	free(l);
}

static void test_timers_hold_after_hello(void **state)
{
	/* IOS narrows the hold-time range to more than the hello time */
	assert_int_equal(cfg("interface Ethernet0/0\n standby 1 timers 5 5\n"), 1);
	assert_int_equal(cfg("interface Ethernet0/0\n standby 1 timers 5 3\n"), 1);
	assert_int_equal(cfg("interface Ethernet0/0\n"
			     " standby 1 timers msec 500 msec 1499\n"), 1);
	assert_int_equal(cfg("interface Ethernet0/0\n"
			     " standby 1 timers 1 5\n"
			     " standby 4 timers msec 500 msec 1500\n"
			     " standby 5 timers msec 500 2\n"), 0);
	char *l = standby_lines("Ethernet0/0");
	assert_string_equal(l, " standby 1 timers 1 5\n"
			       " standby 4 timers msec 500 msec 1500\n"
			       " standby 5 timers msec 500 2\n");
	free(l);
}

static void test_version_bounds(void **state)
{
	/* version 1 numbers groups 0-255 */
	assert_int_equal(cfg("interface Ethernet0/0\n standby 256 ip 10.0.0.3\n"), 1);
	assert_int_equal(cfg("interface Ethernet0/0\n"
			     " standby version 2\n"
			     " standby 4095 ip 10.0.0.3\n"
			     " standby 300 priority 90\n"), 0);
	/* refused with IOS's message, counted, and nothing changes */
	assert_int_equal(cfg("interface Ethernet0/0\n standby version 1\n"), 1);
	char *l = standby_lines("Ethernet0/0");
	assert_string_equal(l, " standby version 2\n"
			       " standby 300 priority 90\n"
			       " standby 4095 ip 10.0.0.3\n");
	free(l);
	/* once the big groups are gone, version 1 is accepted */
	assert_int_equal(cfg("interface Ethernet0/0\n"
			     " no standby 300\n"
			     " no standby 4095 ip\n"
			     " no standby version\n"), 0);
	l = standby_lines("Ethernet0/0");
	assert_string_equal(l, "");
	free(l);
}

/* ---- show running-config ---------------------------------------------------- */

/* The standby lines of the seeds, in the order they were typed... */
static const char *const seed_in =
	"interface GigabitEthernet0/0\n"
	" ip address 10.0.0.1 255.0.0.0\n"
	" standby 1 track GigabitEthernet0/1\n"
	" standby 1 name HAin\n"
	" standby delay reload 120\n"
	" standby 1 preempt\n"
	" standby 1 timers 1 5\n"
	" standby 1 ip 10.0.0.3\n"
	"interface FastEthernet0/0\n"
	" standby delay minimum 30 reload 60\n"
	" standby name ipsec\n"
	" standby track FastEthernet2/0\n"
	" standby preempt\n"
	" standby priority 105\n"
	" standby ip 9.1.1.34\n"
	" standby 1 ip 10.1.1.1\n"
	" standby 1 priority 105\n"
	" standby 1 preempt\n"
	" standby 1 name ip\n"
	" standby 1 track FastEthernet0/0\n"
	"interface FastEthernet4\n"
	" standby 4 ip 10.4.4.147\n"
	" standby 4 timers msec 500 msec 1500\n"
	" standby 4 preempt delay reload 120\n"
	" standby 4 name hsrp-outside\n"
	" standby 4 track 1 decrement 20\n"
	" standby 4 track 2 decrement 20\n";

/* ...and as IOS writes them. */
static const char *const seed_gi00 =
	" standby delay reload 120\n"
	" standby 1 ip 10.0.0.3\n"
	" standby 1 timers 1 5\n"
	" standby 1 preempt\n"
	" standby 1 name HAin\n"
	" standby 1 track GigabitEthernet0/1\n";
static const char *const seed_fa00 =
	" standby delay minimum 30 reload 60\n"
	" standby ip 9.1.1.34\n"
	" standby priority 105\n"
	" standby preempt\n"
	" standby name ipsec\n"
	" standby track FastEthernet2/0\n"
	" standby 1 ip 10.1.1.1\n"
	" standby 1 priority 105\n"
	" standby 1 preempt\n"
	" standby 1 name ip\n"
	" standby 1 track FastEthernet0/0\n";
static const char *const seed_fa4 =
	" standby 4 ip 10.4.4.147\n"
	" standby 4 timers msec 500 msec 1500\n"
	" standby 4 preempt delay reload 120\n"
	" standby 4 name hsrp-outside\n"
	" standby 4 track 1 decrement 20\n"
	" standby 4 track 2 decrement 20\n";

static void check_seed_lines(void)
{
	char *l = standby_lines("GigabitEthernet0/0");
	assert_string_equal(l, seed_gi00);
	free(l);
	l = standby_lines("FastEthernet0/0");
	assert_string_equal(l, seed_fa00);
	free(l);
	l = standby_lines("FastEthernet4");
	assert_string_equal(l, seed_fa4);
	free(l);
}

static void test_nvgen_order_and_fixed_point(void **state)
{
	assert_int_equal(cfg(seed_in), 0);
	check_seed_lines();
	char *first = cfg_running_text();
	/* paste show-run into a fresh router: the same text comes back */
	core_reset_all();
	assert_int_equal(cfg(first), 0);
	check_seed_lines();
	char *second = cfg_running_text();
	assert_string_equal(first, second);
	free(first);
	free(second);
}

static void test_every_option_round_trips(void **state)
{
	const char *all =
		"interface Vlan10\n"
		" ip address 10.10.0.2 255.255.255.0\n"
		" standby use-bia\n"
		" standby version 2\n"
		" standby 10 ip 10.10.0.1\n"
		" standby 10 ip 10.10.1.1 secondary\n"
		" standby 10 timers msec 250 msec 750\n"
		" standby 10 priority 110\n"
		" standby 10 preempt delay minimum 60 reload 70 sync 90\n"
		" standby 10 authentication md5 key-string 7 0822455D0A16 timeout 30\n"
		" standby 10 name PRIMARY\n"
		" standby 10 mac-address 4000.1000.1060\n"
		" standby 10 track 1 decrement 20\n"
		" standby 10 track GigabitEthernet0/1\n"
		" standby 20 authentication text cisco2\n"
		" standby 30 authentication md5 key-chain HSRP-KEYS\n";
	assert_int_equal(cfg(all), 0);
	char *l = standby_lines("Vlan10");
	assert_string_equal(l, strstr(all, " standby use-bia"));
	free(l);
	char *first = cfg_running_text();
	core_reset_all();
	assert_int_equal(cfg(first), 0);
	char *second = cfg_running_text();
	assert_string_equal(first, second);
	free(first);
	free(second);
}

static void test_no_forms(void **state)
{
	assert_int_equal(cfg(seed_in), 0);
	assert_int_equal(cfg("interface GigabitEthernet0/0\n"
			     " no standby 1 track GigabitEthernet0/1\n"
			     " no standby 1 name\n"
			     " no standby 1 preempt\n"
			     " default standby 1 timers\n"
			     " no standby delay\n"), 0);
	char *l = standby_lines("GigabitEthernet0/0");
	assert_string_equal(l, " standby 1 ip 10.0.0.3\n");
	free(l);
	/* the last line of a group takes the group with it */
	assert_int_equal(cfg("interface GigabitEthernet0/0\n"
			     " no standby 1 ip\n"), 0);
	l = standby_lines("GigabitEthernet0/0");
	assert_string_equal(l, "");
	free(l);
	/* "no" on a group that does not exist does nothing */
	assert_int_equal(cfg("interface GigabitEthernet0/0\n"
			     " no standby 7 priority\n"), 0);
	/* preempt delay removal keeps preemption */
	assert_int_equal(cfg("interface FastEthernet4\n"
			     " no standby 4 preempt delay reload\n"
			     " no standby 4 track 1\n"), 0);
	l = standby_lines("FastEthernet4");
	assert_non_null(strstr(l, " standby 4 preempt\n"));
	assert_null(strstr(l, "track 1 "));
	assert_non_null(strstr(l, " standby 4 track 2 decrement 20\n"));
	free(l);
}

/* One declaration for both forms: the no form takes the positive form's
 * arguments, "default" runs it, and a no form of what is not configured
 * is accepted without changing anything. */
static void test_no_default_and_unchanged(void **state)
{
	assert_int_equal(cfg("interface Vlan10\n"
		" ip address 10.10.0.2 255.255.255.0\n"
		" standby use-bia scope interface\n"
		" standby version 2\n"
		" standby delay minimum 5 reload 10\n"
		" standby 10 ip 10.10.0.1\n"
		" standby 10 ip 10.10.1.1 secondary\n"
		" standby 10 timers msec 250 msec 750\n"
		" standby 10 priority 110\n"
		" standby 10 preempt delay minimum 60 reload 70 sync 90\n"
		" standby 10 authentication md5 key-string k1 timeout 30\n"
		" standby 10 name PRIMARY\n"
		" standby 10 mac-address 4000.1000.1060\n"
		" standby 10 track 1 decrement 20\n"
		" standby 10 track GigabitEthernet0/1\n"), 0);
	static const struct typed removed[] = {
		{"interface Vlan10", ANY_RC},
		{"no standby 10 priority 110", CLI_OK},
		{"default standby 10 timers msec 250 msec 750", CLI_OK},
		{"no standby 10 preempt delay minimum", CLI_OK},
		{"default standby 10 preempt delay sync 90", CLI_OK},
		{"no standby 10 authentication md5 key-string k1 timeout 30",
		 CLI_OK},
		{"default standby 10 name", CLI_OK},
		{"no standby 10 mac-address 4000.1000.1060", CLI_OK},
		{"no standby 10 track 1 decrement 20", CLI_OK},
		{"default standby 10 ip 10.10.1.1 secondary", CLI_OK},
		{"default standby delay reload", CLI_OK},
		{"no standby use-bia scope interface", CLI_OK},
		/* nothing left to take away, or no such group */
		{"no standby 10 priority", CLI_UNCHANGED},
		{"no standby 10 timers", CLI_UNCHANGED},
		{"no standby 10 preempt delay minimum 60", CLI_UNCHANGED},
		{"no standby 10 authentication", CLI_UNCHANGED},
		{"default standby 10 name", CLI_UNCHANGED},
		{"no standby 10 mac-address", CLI_UNCHANGED},
		{"no standby 10 track 1", CLI_UNCHANGED},
		{"no standby 10 ip 10.10.9.9 secondary", CLI_UNCHANGED},
		{"no standby delay reload", CLI_UNCHANGED},
		{"no standby use-bia", CLI_UNCHANGED},
		{"no standby 11 ip", CLI_UNCHANGED},
		{"no standby 11", CLI_UNCHANGED},
		/* the positive forms still want their values */
		{"standby 10 priority", CLI_ERR},
		{"standby 10 preempt delay", CLI_ERR},
		{"standby 10 preempt delay minimum", CLI_ERR},
		{"standby 10 authentication", CLI_ERR},
		{"standby delay", CLI_ERR},
		{"standby version", CLI_ERR},
		{NULL, 0},
	};
	type_lines(removed);
	char *l = standby_lines("Vlan10");
	assert_string_equal(l, " standby delay minimum 5\n"
			       " standby version 2\n"
			       " standby 10 ip 10.10.0.1\n"
			       " standby 10 preempt delay reload 70\n"
			       " standby 10 track GigabitEthernet0/1\n");
	free(l);
	/* the interface-wide settings go back to their defaults; the
	 * version only once the groups fit version 1 */
	static const struct typed defaults[] = {
		{"interface Vlan10", ANY_RC},
		{"standby 300 priority 90", CLI_OK},
		{"default standby version", CLI_ERR},
		{"no standby 300", CLI_OK},
		{"default standby version 2", CLI_OK},
		{"no standby version", CLI_UNCHANGED},
		{"default standby delay", CLI_OK},
		{"no standby 10 preempt", CLI_OK},
		{"no standby 10 track", CLI_OK},
		{"no standby 10 ip", CLI_OK},
		{"no standby 10 ip", CLI_UNCHANGED},
		{"no standby delay", CLI_UNCHANGED},
		{NULL, 0},
	};
	type_lines(defaults);
	l = standby_lines("Vlan10");
	assert_string_equal(l, "");
	free(l);
}

static void test_vip_checks(void **state)
{
	assert_int_equal(cfg("interface Ethernet0/0\n"
			     " ip address 10.0.0.1 255.255.255.0\n"
			     " standby 1 ip 10.0.0.3\n"
			     " standby 1 ip 10.0.0.4 secondary\n"), 0);
	/* each refused with IOS's message and counted: nothing changes */
	assert_int_equal(cfg("interface Ethernet0/0\n"
			     " standby 2 ip 10.0.0.3\n"
			     " standby 2 ip 10.0.0.1\n"
			     " standby 1 ip 10.0.0.4\n"
			     " standby 3 ip 127.0.0.1\n"), 4);
	char *l = standby_lines("Ethernet0/0");
	assert_string_equal(l, " standby 1 ip 10.0.0.3\n"
			       " standby 1 ip 10.0.0.4 secondary\n");
	free(l);
}

/* ---- names and events ------------------------------------------------------ */

static int name_events, name_gone;
static char last_name[64];

static void on_name(enum core_event ev, void *data, void *ctx)
{
	const struct hsrp_event *e = data;
	name_events++;
	if (e->new_state == HSRP_STATE_NONE)
		name_gone++;
	snprintf(last_name, sizeof last_name, "%s", e->name);
}

static void test_names_and_events(void **state)
{
	core_subscribe(EVT_HSRP_GROUP_NAME, on_name, NULL);
	name_events = name_gone = 0;
	/* seed 001: two groups share the name HA-out */
	assert_int_equal(cfg("interface Ethernet1/0\n"
			     " standby 2 ip 10.0.0.3\n"
			     " standby 2 name HA-out\n"
			     "interface Ethernet0/0\n"
			     " standby 1 ip 209.165.201.3\n"
			     " standby 1 name HA-out\n"), 0);
	/* 2 default names appeared, each replaced by HA-out */
	assert_int_equal(name_events, 6);
	assert_int_equal(name_gone, 2);
	struct hsrp_group_info gi;
	assert_true(hsrp_group_lookup("HA-out", &gi));
	assert_string_equal(gi.ifname, "Ethernet0/0");
	assert_int_equal(gi.group, 1);
	assert_false(hsrp_group_lookup("HA-OUT", &gi));   /* case matters */
	/* the default name of a group without one */
	assert_int_equal(cfg("interface Ethernet0/0\n standby 3 priority 90\n"), 0);
	assert_true(hsrp_group_lookup("hsrp-Et0/0-3", &gi));
	assert_int_equal(gi.group, 3);
	/* show standby says which group the name binds to */
	char *out = show("show standby Ethernet1/0");
	assert_non_null(strstr(out, "Group name is \"HA-out\" (cfgd, duplicate "
				    "of Ethernet0/0 Grp 1)"));
	free(out);
	/* removing the name leaves the default one */
	name_events = name_gone = 0;
	assert_int_equal(cfg("interface Ethernet0/0\n no standby 1 name\n"), 0);
	assert_int_equal(name_events, 2);
	assert_int_equal(name_gone, 1);
	assert_string_equal(last_name, "hsrp-Et0/0-1");
	assert_true(hsrp_group_lookup("HA-out", &gi));
	assert_string_equal(gi.ifname, "Ethernet1/0");
	core_unsubscribe(EVT_HSRP_GROUP_NAME, on_name, NULL);
	assert_string_equal(hsrp_state_name(HSRP_INIT), "Init");
	assert_string_equal(hsrp_state_name(HSRP_ACTIVE), "Active");
	assert_string_equal(hsrp_state_name(HSRP_STANDBY), "Standby");
}

static void test_iface_removed(void **state)
{
	core_subscribe(EVT_HSRP_GROUP_NAME, on_name, NULL);
	assert_int_equal(cfg("interface GigabitEthernet0/0.10\n"
			     " standby 10 ip 10.10.0.1\n"
			     " standby 10 name SUB\n"), 0);
	struct hsrp_group_info gi;
	assert_true(hsrp_group_lookup("SUB", &gi));
	assert_string_equal(gi.ifname, "GigabitEthernet0/0.10");
	name_events = name_gone = 0;
	assert_int_equal(cfg("no interface GigabitEthernet0/0.10\n"), 0);
	assert_int_equal(name_gone, 1);
	assert_string_equal(last_name, "SUB");
	assert_false(hsrp_group_lookup("SUB", &gi));
	char *out = show("show standby");
	assert_string_equal(out, "");
	free(out);
	core_unsubscribe(EVT_HSRP_GROUP_NAME, on_name, NULL);
}

/* ---- show commands ----------------------------------------------------------- */

static void test_show_standby(void **state)
{
	assert_int_equal(cfg(seed_in), 0);
	char *out = show("show standby GigabitEthernet0/0 1");
	assert_string_equal(out,
		"GigabitEthernet0/0 - Group 1\n"
		"  State is Init (interface down)\n"
		"  Virtual IP address is 10.0.0.3\n"
		"  Active virtual MAC address is unknown\n"
		"    Local virtual MAC address is 0000.0c07.ac01 (v1 default)\n"
		"  Hello time 1 sec, hold time 5 sec\n"
		"  Preemption enabled\n"
		"  Active router is unknown\n"
		"  Standby router is unknown\n"
		"  Priority 90 (default 100)\n"
		"    Track interface GigabitEthernet0/1 state Down decrement 10\n"
		"  Group name is \"HAin\" (cfgd)\n");
	free(out);
	out = show("show standby FastEthernet4");
	assert_non_null(strstr(out, "  Hello time 500 msec, hold time 1500 msec\n"));
	assert_non_null(strstr(out, "  Preemption enabled, delay reload 120 secs\n"));
	assert_non_null(strstr(out, "    Track object 1 (unknown)\n"));
	free(out);
}

static void test_show_brief_and_delay(void **state)
{
	assert_int_equal(cfg(seed_in), 0);
	char *out = show("show standby brief");
	assert_non_null(strstr(out,
		"                     P indicates configured to preempt.\n"
		"                     |\n"
		"Interface   Grp  Pri P State   Active          Standby         Virtual IP\n"));
	assert_non_null(strstr(out,
		"Gi0/0       1    90  P Init    unknown         unknown         10.0.0.3\n"));
	assert_non_null(strstr(out,
		"Fa0/0       0    95  P Init    unknown         unknown         9.1.1.34\n"));
	free(out);
	out = show("show standby delay");
	assert_non_null(strstr(out, "Interface          Minimum Reload\n"));
	assert_non_null(strstr(out, "GigabitEthernet0/0 1       120\n"));
	assert_non_null(strstr(out, "FastEthernet0/0    30      60\n"));
	free(out);
}

/* ---- tracking and debug -------------------------------------------------------- */

static void test_track_objects(void **state)
{
	assert_int_equal(cfg("track 1 interface Tunnel1 line-protocol\n"
			     " delay up 5 down 10\n"
			     "track 2 interface Tunnel1 ip routing\n"
			     "interface Ethernet0/0\n"
			     " standby 1 track 1 decrement 20\n"
			     " standby 1 track 2\n"), 0);
	char *run = cfg_running_text();
	assert_non_null(strstr(run, "track 1 interface Tunnel1 line-protocol\n"
				    " delay up 5 down 10\n!\n"
				    "track 2 interface Tunnel1 ip routing\n!\n"));
	free(run);
	char *out = show("show standby");
	assert_non_null(strstr(out, "    Track object 1 state Down decrement 20\n"));
	assert_non_null(strstr(out, "  Priority 70 (default 100)\n"));
	free(out);
	assert_int_equal(cfg("no track 2\n"), 0);
	out = show("show standby");
	assert_non_null(strstr(out, "    Track object 2 (unknown)\n"));
	assert_non_null(strstr(out, "  Priority 80 (default 100)\n"));
	free(out);
}

/* "track" and "delay" declared with their no forms. */
static void test_track_no_forms(void **state)
{
	static const struct typed lines[] = {
		{"track 1 interface Tunnel1 line-protocol", CLI_OK},
		{"delay up 5 down 10", CLI_OK},
		{"default delay up", CLI_OK},
		{"no delay up 5", CLI_UNCHANGED},
		{"exit", CLI_UNCHANGED},
		/* the same definition again: the mode, no change */
		{"track 1 interface Tunnel1 line-protocol", CLI_UNCHANGED},
		{"exit", CLI_UNCHANGED},
		{"track 2 interface Tunnel1 ip routing", CLI_OK},
		{"delay up 3", CLI_OK},
		{"no delay", CLI_OK},
		{"no delay", CLI_UNCHANGED},
		{"delay", CLI_ERR},
		{"delay up", CLI_ERR},
		{"exit", CLI_UNCHANGED},
		/* the no form takes the definition too, as IOS does */
		{"no track 2 interface Tunnel1 ip routing", CLI_OK},
		{"no track 2", CLI_UNCHANGED},
		{"default track 3", CLI_UNCHANGED},
		{"track 3", CLI_ERR},
		{NULL, 0},
	};
	type_lines(lines);
	char *run = cfg_running_text();
	assert_non_null(strstr(run, "track 1 interface Tunnel1 line-protocol\n"
				    " delay down 10\n!\n"));
	assert_null(strstr(run, "track 2"));
	free(run);
}

static void test_debug_flags(void **state)
{
	char *out = show("debug standby events");
	assert_string_equal(out, "HSRP Events debugging is on\n");
	free(out);
	struct sbuf b;
	sbuf_init(&b);
	hsrp_debug_show(&b);
	assert_string_equal(b.s, "HSRP:\n"
				 "  HSRP Events debugging is on\n"
				 "    (protocol, neighbor, redundancy, track, "
				 "arp, interface)\n");
	sbuf_free(&b);
	free(show("no debug standby"));
	sbuf_init(&b);
	hsrp_debug_show(&b);
	assert_null(b.s);
	sbuf_free(&b);
	out = show("debug standby");
	assert_non_null(strstr(out, "HSRP Packets debugging is on\n"));
	free(out);
	hsrp_debug_off();
}

/* ---- the virtual address index ------------------------------------------------ */

/* A virtual address is unique router-wide: who owns one follows every
 * change (a new primary, a secondary removed, the interface gone). */
static void test_vip_owner_follows_changes(void **state)
{
	assert_int_equal(cfg("interface Vlan10\n"
			     " ip address 10.0.0.1 255.255.255.0\n"
			     " standby 1 ip 10.0.0.254\n"
			     " standby 1 ip 10.0.0.253 secondary\n"
			     "interface Ethernet0/1\n"
			     " ip address 10.0.1.1 255.255.255.0\n"
			     " standby 2 ip 10.0.0.254\n"
			     " standby 2 ip 10.0.0.253 secondary\n"), 2);
	char *l = standby_lines("Ethernet0/1");
	assert_string_equal(l, "");
	free(l);
	assert_int_equal(cfg("interface Vlan10\n"
			     " standby 1 ip 10.0.0.250\n"
			     " no standby 1 ip 10.0.0.253 secondary\n"
			     "interface Ethernet0/1\n"
			     " standby 2 ip 10.0.0.254\n"
			     " standby 2 ip 10.0.0.253 secondary\n"
			     " standby 3 ip 10.0.0.250\n"), 1);
	l = standby_lines("Ethernet0/1");
	assert_string_equal(l, " standby 2 ip 10.0.0.254\n"
			       " standby 2 ip 10.0.0.253 secondary\n");
	free(l);
	assert_int_equal(cfg("no interface Vlan10\n"
			     "interface Ethernet0/1\n"
			     " standby 3 ip 10.0.0.250\n"
			     " standby 3 ip 10.0.0.250\n"
			     " standby 3 ip 10.0.0.254\n"), 1);
	l = standby_lines("Ethernet0/1");
	assert_string_equal(l, " standby 2 ip 10.0.0.254\n"
			       " standby 2 ip 10.0.0.253 secondary\n"
			       " standby 3 ip 10.0.0.250\n");
	free(l);
	core_reset_all();
	assert_int_equal(cfg("interface Ethernet0/0\n"
			     " ip address 10.0.0.1 255.255.255.0\n"
			     " standby 9 ip 10.0.0.254\n"), 0);
	l = standby_lines("Ethernet0/0");
	assert_string_equal(l, " standby 9 ip 10.0.0.254\n");
	free(l);
}

/* A lookup by name finds the group the former walk found (interfaces in
 * show-run order, then groups ascending) through every change. */
static void test_name_index(void **state)
{
	assert_int_equal(cfg("interface Vlan20\n"
			     " standby 5 name N\n"
			     " standby 2 priority 90\n"
			     " standby 2 name N\n"
			     "interface Vlan10\n"
			     " standby 7 name N\n"), 0);
	struct hsrp_group_info gi;
	assert_true(hsrp_group_lookup("N", &gi));
	assert_string_equal(gi.ifname, "Vlan10");
	assert_int_equal(cfg("no interface Vlan10\n"), 0);
	assert_true(hsrp_group_lookup("N", &gi));
	assert_string_equal(gi.ifname, "Vlan20");
	assert_int_equal(gi.group, 2);
	assert_int_equal(cfg("interface Vlan20\n standby 2 name M\n"), 0);
	assert_true(hsrp_group_lookup("N", &gi));
	assert_int_equal(gi.group, 5);
	assert_true(hsrp_group_lookup("M", &gi));
	assert_int_equal(gi.group, 2);
	assert_false(hsrp_group_lookup("hsrp-Vl20-2", &gi));
	assert_int_equal(cfg("interface Vlan20\n no standby 2 name\n"), 0);
	assert_true(hsrp_group_lookup("hsrp-Vl20-2", &gi));
	assert_false(hsrp_group_lookup("M", &gi));
	core_reset_all();
	assert_false(hsrp_group_lookup("N", &gi));
	assert_false(hsrp_group_lookup("hsrp-Vl20-2", &gi));
}

int main(void)
{
	router_init();
	sbuf_init(&errs);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_group_optional, setup),
		cmocka_unit_test_setup(test_name_ip_and_bare_ip, setup),
		cmocka_unit_test_setup(test_incomplete, setup),
		cmocka_unit_test_setup(test_ranges, setup),
		cmocka_unit_test_setup(test_timers_hold_after_hello, setup),
		cmocka_unit_test_setup(test_version_bounds, setup),
		cmocka_unit_test_setup(test_nvgen_order_and_fixed_point, setup),
		cmocka_unit_test_setup(test_every_option_round_trips, setup),
		cmocka_unit_test_setup(test_no_forms, setup),
		cmocka_unit_test_setup(test_no_default_and_unchanged, setup),
		cmocka_unit_test_setup(test_vip_checks, setup),
		cmocka_unit_test_setup(test_names_and_events, setup),
		cmocka_unit_test_setup(test_iface_removed, setup),
		cmocka_unit_test_setup(test_show_standby, setup),
		cmocka_unit_test_setup(test_show_brief_and_delay, setup),
		cmocka_unit_test_setup(test_track_objects, setup),
		cmocka_unit_test_setup(test_track_no_forms, setup),
		cmocka_unit_test_setup(test_debug_flags, setup),
		cmocka_unit_test_setup(test_vip_owner_follows_changes, setup),
		cmocka_unit_test_setup(test_name_index, setup),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	sbuf_free(&errs);
	return rc;
}
