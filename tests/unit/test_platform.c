/* Unit tests of the platform configuration model: the interface table and
 * its show-run order, interface commands with IOS's checks and syslog
 * lines, link/line state and events, static routes, local pools, the
 * global ip switches, access lists (grammar, canonical forms, the API
 * crypto reads) and the show commands. Everything runs through the CLI as
 * a console would. */
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

/* ---- helpers ------------------------------------------------------------ */

static struct sbuf logs;   /* syslog lines */

static void log_sink(const char *line, int severity)
{
	(void)severity;
	sbuf_puts(&logs, line);
	if (!logs.len || logs.s[logs.len - 1] != '\n')
		sbuf_puts(&logs, "\n");
}

static void sbuf_io(void *io, const char *s, size_t n)
{
	sbuf_add(io, s, n);
}

/* Run LINES (newline separated) in global configuration mode in one
 * session; returns everything it printed (caller frees). */
static char *run(const char *lines)
{
	struct sbuf out;
	sbuf_init(&out);
	struct cli_io io = {.write = sbuf_io, .io = &out, .origin = "console"};
	struct cli *c = cli_session_new(&io, MODE_CONFIG);
	char *copy = xstrdup(lines);
	for (char *save, *l = strtok_r(copy, "\n", &save); l;
	     l = strtok_r(NULL, "\n", &save))
		cli_session_line(c, l);
	free(copy);
	cli_session_free(c);
	char *s = sbuf_take(&out);
	return s ? s : xstrdup("");
}

/* Lines that drew one of the parser's three errors. */
static int cfg(const char *text)
{
	return cli_exec_config_text(text, NULL);
}

static bool contains(const char *hay, const char *needle)
{
	return hay && strstr(hay, needle) != NULL;
}

/* The show-run text from "interface" sections through the numbered ACLs:
 * what platform writes. */
static char *running(void)
{
	return cfg_running_text();
}

/* The lines of "interface NAME" up to its "!". */
static char *iface_section(const char *name)
{
	char *run_text = running();
	char head[96];
	snprintf(head, sizeof head, "\ninterface %s\n", name);
	char *s = strstr(run_text, head);
	char *res;
	if (!s) {
		res = xstrdup("(absent)");
	} else {
		s += strlen(head);
		char *end = strstr(s, "!\n");
		res = strndup(s, end ? (size_t)(end - s) : strlen(s));
	}
	free(run_text);
	return res;
}

static void assert_section(const char *name, const char *want)
{
	char *got = iface_section(name);
	assert_string_equal(got, want);
	free(got);
}

static uint32_t ip(const char *s)
{
	uint32_t v = 0;
	assert_true(ip_parse(s, &v));
	return v;
}

static int setup(void **state)
{
	(void)state;
	core_reset_all();
	sbuf_reset(&logs);
	return 0;
}

/* A line and the code its handler should return. */
struct line_rc {
	const char *line;
	int rc;
};

static struct sbuf sess_out;

/* Run the lines in one session, from global configuration mode, each
 * returning its code. */
static void assert_codes(const struct line_rc *v, size_t n)
{
	static const struct cli_io io = {.write = sbuf_io, .io = &sess_out,
					 .origin = "console"};
	struct cli *c = cli_session_new(&io, MODE_CONFIG);
	for (size_t i = 0; i < n; i++) {
		int got = cli_session_line(c, v[i].line);
		if (got != v[i].rc)
			fail_msg("\"%s\" returned %d, not %d", v[i].line, got,
				 v[i].rc);
	}
	cli_session_free(c);
}
#define ASSERT_CODES(v) assert_codes((v), sizeof(v) / sizeof((v)[0]))

/* ---- interfaces: order, defaults, names ---------------------------------- */

static void test_showrun_order(void **state)
{
	assert_int_equal(cfg("interface Vlan1\n"
			     " no ip address\n"
			     "interface FastEthernet0/1/1\n"
			     "interface FastEthernet0/1/0\n"
			     "interface GigabitEthernet0/1\n"
			     "interface GigabitEthernet0/0\n"
			     "interface Tunnel1\n"
			     "interface Loopback0\n"
			     "interface Serial2/0\n"
			     "interface Ethernet1/0\n"), 0);
	const char *order[] = {
		"Loopback0", "Tunnel1", "GigabitEthernet0/0",
		"GigabitEthernet0/1", "FastEthernet0/1/0", "FastEthernet0/1/1",
		"Ethernet1/0", "Serial2/0", "Vlan1",
	};
	char *text = running();
	const char *p = text;
	for (size_t i = 0; i < sizeof order / sizeof order[0]; i++) {
		char head[64];
		snprintf(head, sizeof head, "interface %s\n!\n", order[i]);
		if (!strcmp(order[i], "Vlan1"))
			snprintf(head, sizeof head,
				 "interface Vlan1\n no ip address\n!\n");
		const char *q = strstr(p, head);
		assert_non_null(q);
		p = q + 1;
	}
	free(text);

	/* the public iteration follows the same order */
	struct iface *ifp = iface_first();
	assert_string_equal(iface_name(ifp), "Loopback0");
	assert_string_equal(iface_short_name(ifp), "Lo0");
	ifp = iface_next(ifp);
	assert_string_equal(iface_name(ifp), "Tunnel1");
	assert_int_equal(iface_type(ifp), IFT_TUNNEL);
	assert_ptr_equal(iface_find("GigabitEthernet0/0"),
			 iface_next(ifp));
	assert_null(iface_find("GigabitEthernet9/9"));
}

static void test_seed_interface_lines(void **state)
{
	/* lines of the seeds, in their order; all must come back */
	const char *text =
		"interface GigabitEthernet0/0\n"
		" ip address 10.0.0.1 255.0.0.0\n"
		" duplex full\n"
		" speed 1000\n"
		" media-type rj45\n"
		"interface Serial2/0\n"
		" no ip address\n"
		" shutdown\n"
		" serial restart-delay 0\n"
		"interface FastEthernet0/0\n"
		" ip address 9.1.1.35 255.255.255.248\n"
		" duplex full\n"
		" random-detect\n"
		"interface FastEthernet4\n"
		" description Fa4 outside (x.y.z.148/26)\n"
		" ip access-group outside-in in\n"
		" ip tcp adjust-mss 1452\n"
		" no shutdown\n"
		" no cdp enable\n"
		"interface Tunnel1\n"
		" ip unnumbered Loopback0\n"
		" tunnel source 209.165.201.3\n"
		" tunnel destination 10.0.0.5\n";
	assert_int_equal(cfg(text), 0);
	assert_section("GigabitEthernet0/0", " ip address 10.0.0.1 255.0.0.0\n"
					     " duplex full\n"
					     " speed 1000\n"
					     " media-type rj45\n");
	assert_section("Serial2/0", " no ip address\n"
				    " shutdown\n"
				    " serial restart-delay 0\n");
	assert_section("FastEthernet0/0", " ip address 9.1.1.35 255.255.255.248\n"
					  " duplex full\n"
					  " random-detect\n");
	assert_section("FastEthernet4", " description Fa4 outside "
					"(x.y.z.148/26)\n"
					" ip access-group outside-in in\n"
					" ip tcp adjust-mss 1452\n"
					" no cdp enable\n");
	assert_section("Tunnel1", " ip unnumbered Loopback0\n"
				  " tunnel source 209.165.201.3\n"
				  " tunnel destination 10.0.0.5\n");
	/* the seeds' placeholders are syntax errors */
	assert_int_equal(cfg("interface FastEthernet4\n"
			     " ip address x.y.z.148\n"), 1);
	/* "Interface FastEthernet 0/0" is stored under IOS's own name */
	assert_int_equal(cfg("Interface FastEthernet 0/2\n"
			     " description x\n"), 0);
	assert_section("FastEthernet0/2", " description x\n");
}

static void test_no_interface(void **state)
{
	char *out = run("interface FastEthernet0/0\n"
			"exit\n"
			"no interface FastEthernet0/0\n");
	assert_true(contains(out, "% Removal of physical interfaces is not "
				  "permitted"));
	free(out);
	assert_non_null(iface_find("FastEthernet0/0"));

	assert_int_equal(cfg("interface Loopback3\n"
			     "interface FastEthernet0/0.10\n"
			     " ip address 10.10.0.1 255.255.255.0\n"), 0);
	assert_non_null(iface_find("Loopback3"));
	struct iface *sub = iface_find("FastEthernet0/0.10");
	assert_non_null(sub);
	assert_true(iface_is_subif(sub));
	assert_ptr_equal(iface_parent(sub), iface_find("FastEthernet0/0"));
	assert_int_equal(cfg("no interface Loopback3\n"
			     "no interface FastEthernet0/0.10\n"), 0);
	assert_null(iface_find("Loopback3"));
	assert_null(iface_find("FastEthernet0/0.10"));
}

/* ---- addressing ----------------------------------------------------------- */

static void test_ip_address_checks(void **state)
{
	char *out = run("interface FastEthernet0/0\n"
			" ip address 10.0.0.1 255.0.255.0\n"
			" ip address 10.0.0.0 255.255.255.0\n"
			" ip address 10.0.0.255 255.255.255.0\n"
			" ip address 10.0.0.1 255.255.255.0\n"
			"interface FastEthernet0/1\n"
			" ip address 10.0.0.2 255.255.0.0\n");
	assert_true(contains(out, "Bad mask 0xFF00FF00 for address 10.0.0.1\n"));
	assert_true(contains(out, "Bad mask /24 for address 10.0.0.0\n"));
	assert_true(contains(out, "Bad mask /24 for address 10.0.0.255\n"));
	assert_true(contains(out, "% 10.0.0.0 overlaps with FastEthernet0/0\n"));
	free(out);
	assert_int_equal(iface_addr(iface_find("FastEthernet0/0")),
			 ip("10.0.0.1"));
	assert_int_equal(iface_mask(iface_find("FastEthernet0/0")),
			 ip("255.255.255.0"));
	/* refused on a live interface */
	assert_int_equal(iface_addr(iface_find("FastEthernet0/1")), 0);

	/* a shut interface takes it, with the warning */
	out = run("interface FastEthernet0/1\n"
		  " shutdown\n"
		  " ip address 10.0.0.2 255.255.0.0\n");
	assert_true(contains(out, "overlaps with FastEthernet0/0"));
	free(out);
	assert_int_equal(iface_addr(iface_find("FastEthernet0/1")),
			 ip("10.0.0.2"));

	/* secondaries print first; the primary cannot go before them */
	out = run("interface FastEthernet0/0\n"
		  " ip address 10.1.0.1 255.255.255.0 secondary\n"
		  " no ip address 10.0.0.1 255.255.255.0\n");
	assert_true(contains(out, "Must delete secondary before deleting "
				  "primary"));
	free(out);
	assert_section("FastEthernet0/0",
		       " ip address 10.1.0.1 255.255.255.0 secondary\n"
		       " ip address 10.0.0.1 255.255.255.0\n");
	assert_true(iface_has_addr(iface_find("FastEthernet0/0"),
				   ip("10.1.0.1")));
	assert_ptr_equal(iface_by_addr(ip("10.1.0.1")),
			 iface_find("FastEthernet0/0"));
	assert_int_equal(cfg("interface FastEthernet0/0\n"
			     " no ip address 10.1.0.1 255.255.255.0 secondary\n"
			     " no ip address\n"), 0);
	assert_section("FastEthernet0/0", " no ip address\n");
	assert_int_equal(iface_addr(iface_find("FastEthernet0/0")), 0);

	/* unnumbered replaces the address, an address replaces unnumbered */
	assert_int_equal(cfg("interface Tunnel0\n"
			     " ip address 172.16.0.1 255.255.255.252\n"
			     " ip unnumbered Loopback0\n"), 0);
	assert_section("Tunnel0", " ip unnumbered Loopback0\n");
	assert_string_equal(iface_unnumbered(iface_find("Tunnel0")),
			    "Loopback0");
	assert_int_equal(cfg("interface Tunnel0\n"
			     " ip address 172.16.0.1 255.255.255.252\n"), 0);
	assert_section("Tunnel0", " ip address 172.16.0.1 255.255.255.252\n");
}

/* ---- state, syslog, events ------------------------------------------------ */

static int n_state, n_addr, n_added, n_removed;

static void on_event(enum core_event ev, void *data, void *ctx)
{
	(void)data;
	(void)ctx;
	switch (ev) {
	case EVT_IFACE_STATE: n_state++; break;
	case EVT_IFACE_ADDR: n_addr++; break;
	case EVT_IFACE_ADDED: n_added++; break;
	case EVT_IFACE_REMOVED: n_removed++; break;
	default: break;
	}
}

static void test_state_and_events(void **state)
{
	core_subscribe(EVT_IFACE_STATE, on_event, NULL);
	core_subscribe(EVT_IFACE_ADDR, on_event, NULL);
	core_subscribe(EVT_IFACE_ADDED, on_event, NULL);
	core_subscribe(EVT_IFACE_REMOVED, on_event, NULL);
	n_state = n_addr = n_added = n_removed = 0;

	assert_int_equal(cfg("interface FastEthernet0/0\n"
			     " ip address 10.0.0.1 255.255.255.0\n"), 0);
	struct iface *ifp = iface_find("FastEthernet0/0");
	assert_int_equal(n_added, 1);
	assert_int_equal(n_addr, 1);
	/* no port attached: admin up, down, line protocol down, no log */
	assert_true(iface_admin_up(ifp));
	assert_false(iface_line_up(ifp));
	assert_int_equal(logs.len, 0);

	iface_set_carrier(ifp, true);
	assert_true(iface_line_up(ifp));
	assert_true(contains(logs.s, "%LINK-3-UPDOWN: Interface "
				     "FastEthernet0/0, changed state to up"));
	assert_true(contains(logs.s, "%LINEPROTO-5-UPDOWN: Line protocol on "
				     "Interface FastEthernet0/0, changed state "
				     "to up"));
	sbuf_reset(&logs);
	assert_int_equal(cfg("interface FastEthernet0/0\n shutdown\n"), 0);
	assert_false(iface_admin_up(ifp));
	assert_false(iface_line_up(ifp));
	assert_true(contains(logs.s, "%LINK-5-CHANGED: Interface "
				     "FastEthernet0/0, changed state to "
				     "administratively down"));
	assert_true(contains(logs.s, "changed state to down"));
	assert_section("FastEthernet0/0", " ip address 10.0.0.1 255.255.255.0\n"
					  " shutdown\n");
	sbuf_reset(&logs);
	assert_int_equal(cfg("interface FastEthernet0/0\n no shutdown\n"), 0);
	assert_true(iface_line_up(ifp));
	assert_section("FastEthernet0/0", " ip address 10.0.0.1 255.255.255.0\n");

	/* a sub-interface follows its main interface */
	assert_int_equal(cfg("interface FastEthernet0/0.5\n"), 0);
	struct iface *sub = iface_find("FastEthernet0/0.5");
	assert_true(iface_line_up(sub));
	iface_set_carrier(ifp, false);
	assert_false(iface_line_up(sub));

	/* a Loopback comes up on creation; a Tunnel needs its two ends */
	sbuf_reset(&logs);
	assert_int_equal(cfg("interface Loopback0\n"
			     " ip address 1.1.1.1 255.255.255.255\n"
			     "interface Tunnel0\n"), 0);
	assert_true(contains(logs.s, "Line protocol on Interface Loopback0, "
				     "changed state to up"));
	assert_false(iface_line_up(iface_find("Tunnel0")));
	assert_int_equal(cfg("interface Tunnel0\n"
			     " tunnel source Loopback0\n"
			     " tunnel destination 2.2.2.2\n"), 0);
	assert_true(iface_line_up(iface_find("Tunnel0")));
	uint32_t s = 0, d = 0;
	assert_true(iface_tunnel_endpoints(iface_find("Tunnel0"), &s, &d));
	assert_int_equal(s, ip("1.1.1.1"));
	assert_int_equal(d, ip("2.2.2.2"));
	assert_int_equal(cfg("interface Loopback0\n shutdown\n"), 0);
	assert_false(iface_line_up(iface_find("Tunnel0")));

	int removed = n_removed;
	assert_int_equal(cfg("no interface Tunnel0\n"), 0);
	assert_int_equal(n_removed, removed + 1);
	assert_true(n_state > 0);

	core_unsubscribe(EVT_IFACE_STATE, on_event, NULL);
	core_unsubscribe(EVT_IFACE_ADDR, on_event, NULL);
	core_unsubscribe(EVT_IFACE_ADDED, on_event, NULL);
	core_unsubscribe(EVT_IFACE_REMOVED, on_event, NULL);
}

static void test_media_checks(void **state)
{
	/* 1000 Mb/s and media-type belong to GigabitEthernet; serial
	 * settings to Serial */
	char *out = run("interface FastEthernet0/0\n"
			" speed 1000\n"
			" media-type sfp\n"
			" serial restart-delay 5\n"
			" speed 100\n"
			" duplex half\n"
			"interface Serial0/0\n"
			" duplex full\n");
	assert_true(contains(out, "% Invalid input detected"));
	free(out);
	assert_section("FastEthernet0/0", " duplex half\n speed 100\n");
	assert_section("Serial0/0", "");
	assert_int_equal(cfg("interface FastEthernet0/0\n"
			     " no speed\n"
			     " default duplex\n"), 0);
	assert_section("FastEthernet0/0", "");
	/* duplex on a sub-interface is a syntax error */
	assert_int_equal(cfg("interface FastEthernet0/0.1\n duplex full\n"), 1);
}

/* Every interface setting's [no] form takes the positive form's words
 * or none, and clears the setting; "default" too. */
static void test_iface_no_forms(void **state)
{
	assert_int_equal(cfg("interface GigabitEthernet0/0\n"
			     " description uplink\n"
			     " duplex full\n"
			     " speed 1000\n"
			     " media-type sfp\n"
			     " random-detect\n"
			     " ip access-group 101 in\n"
			     " ip access-group OUT-ACL out\n"
			     " ip tcp adjust-mss 1400\n"
			     " no cdp enable\n"
			     " shutdown\n"
			     "interface Serial0/0\n"
			     " serial restart-delay 5\n"
			     "interface Tunnel0\n"
			     " tunnel source Loopback0\n"
			     " tunnel destination 10.0.0.9\n"), 0);
	assert_section("GigabitEthernet0/0", " description uplink\n"
					     " ip access-group 101 in\n"
					     " ip access-group OUT-ACL out\n"
					     " shutdown\n"
					     " duplex full\n"
					     " speed 1000\n"
					     " media-type sfp\n"
					     " random-detect\n"
					     " ip tcp adjust-mss 1400\n"
					     " no cdp enable\n");
	assert_int_equal(cfg("interface GigabitEthernet0/0\n"
			     " no description uplink\n"
			     " no duplex full\n"
			     " no speed\n"
			     " default media-type\n"
			     " no random-detect\n"
			     " no ip access-group 101 in\n"
			     " no ip access-group out\n"
			     " no ip tcp adjust-mss 1400\n"
			     " default cdp enable\n"
			     " no shutdown\n"
			     "interface Serial0/0\n"
			     " no serial restart-delay 5\n"
			     "interface Tunnel0\n"
			     " no tunnel source Loopback0\n"
			     " default tunnel destination\n"), 0);
	assert_section("GigabitEthernet0/0", "");
	assert_section("Serial0/0", "");
	assert_section("Tunnel0", "");
	/* the words a no form takes are the positive form's */
	assert_int_equal(cfg("interface GigabitEthernet0/0\n"
			     " no ip tcp adjust-mss 100\n"
			     " no duplex fast\n"
			     " no random-detect now\n"), 3);
}

/* What changed nothing says so: entering an interface that exists, a no
 * form of what is not set, a setting to the value it has. */
static void test_iface_return_codes(void **state)
{
	static const struct line_rc codes[] = {
		{"interface GigabitEthernet0/0", CLI_OK},
		{"interface GigabitEthernet0/0", CLI_UNCHANGED},
		{"no description", CLI_UNCHANGED},
		{"description x", CLI_OK},
		{"description x", CLI_UNCHANGED},
		{"no shutdown", CLI_UNCHANGED},
		{"shutdown", CLI_OK},
		{"shutdown", CLI_UNCHANGED},
		{"speed 100", CLI_OK},
		{"speed 100", CLI_UNCHANGED},
		{"speed 10", CLI_OK},
		{"no ip access-group in", CLI_UNCHANGED},
		{"ip access-group 10 in", CLI_OK},
		{"ip access-group 10 in", CLI_UNCHANGED},
		{"cdp enable", CLI_UNCHANGED},
		{"no tunnel destination", CLI_UNCHANGED},
		{"tunnel destination 1.2.3.4", CLI_ERR},
		{"no interface Loopback8", CLI_UNCHANGED},
		{"no interface GigabitEthernet0/0", CLI_ERR},
		{"interface Loopback9", CLI_OK},
		{"no interface Loopback9", CLI_OK},
	};
	ASSERT_CODES(codes);
}

/* ---- global IP ----------------------------------------------------------- */

static void test_static_routes(void **state)
{
	assert_int_equal(cfg("interface FastEthernet0/0\n"
			     " ip address 10.0.0.1 255.255.255.0\n"
			     "exit\n"
			     "ip route 192.168.0.0 255.255.255.0 10.0.0.5\n"
			     "ip route 0.0.0.0 0.0.0.0 209.165.201.5\n"
			     "ip route 172.16.0.0 255.255.0.0 FastEthernet0/0 "
			     "10.0.0.9 20 name lab permanent\n"), 0);
	/* the seeds' route without a next hop is incomplete */
	assert_int_equal(cfg("ip route 192.168.0.0 255.255.0.0\n"), 1);
	char *out = run("ip route 10.1.1.1 255.255.0.0 10.0.0.9\n"
			"ip route 10.2.0.0 255.255.0.0 10.0.0.1\n"
			"no ip route 10.9.0.0 255.255.0.0\n");
	assert_true(contains(out, "%Inconsistent address and mask"));
	assert_true(contains(out, "%Invalid next hop address (it's this "
				  "router)"));
	assert_true(contains(out, "%No matching route to delete"));
	free(out);
	char *text = running();
	assert_true(contains(text,
		"ip route 0.0.0.0 0.0.0.0 209.165.201.5\n"
		"ip route 172.16.0.0 255.255.0.0 FastEthernet0/0 10.0.0.9 20 "
		"name lab permanent\n"
		"ip route 192.168.0.0 255.255.255.0 10.0.0.5\n"));
	free(text);
	assert_int_equal(cfg("no ip route 172.16.0.0 255.255.0.0\n"), 0);
	text = running();
	assert_false(contains(text, "172.16.0.0"));
	free(text);
}

static void test_globals_and_pools(void **state)
{
	char *text = running();
	/* a fresh router prints only the HTTP server state */
	assert_true(contains(text, "no ip http server\n"
				   "no ip http secure-server\n"));
	assert_false(contains(text, "ip classless"));
	assert_false(contains(text, "ip cef"));
	free(text);
	assert_int_equal(cfg("ip subnet-zero\n"
			     "ip cef\n"
			     "ip local pool client-address-pool 50.0.0.1 "
			     "50.0.0.254\n"
			     "ip classless\n"
			     "ip http server\n"
			     "no ip http secure-server\n"), 0);
	text = running();
	assert_true(contains(text, "ip subnet-zero\n"));
	assert_true(contains(text, "ip cef\n"));
	assert_true(contains(text, "ip local pool client-address-pool "
				   "50.0.0.1 50.0.0.254\n"
				   "ip classless\n"));
	assert_true(contains(text, "ip http server\n"
				   "no ip http secure-server\n"));
	free(text);
	assert_true(ip_pool_exists("client-address-pool"));
	uint32_t lo, hi;
	assert_true(ip_pool_range("client-address-pool", 0, &lo, &hi));
	assert_int_equal(lo, ip("50.0.0.1"));
	assert_int_equal(hi, ip("50.0.0.254"));
	assert_false(ip_pool_range("client-address-pool", 1, &lo, &hi));

	assert_int_equal(cfg("no ip classless\n"
			     "default ip cef\n"
			     "no ip local pool client-address-pool\n"), 0);
	text = running();
	assert_true(contains(text, "no ip classless\n"));
	assert_false(contains(text, "ip cef"));
	free(text);
	assert_false(ip_pool_exists("client-address-pool"));
}

/* The ip commands' no forms, with and without the positive form's words,
 * and their return codes. */
static void test_ip_no_forms(void **state)
{
	assert_int_equal(cfg("interface Tunnel0\n"
			     " ip unnumbered Loopback0\n"
			     " no ip unnumbered Loopback0\n"
			     "ip local pool P 10.0.0.1 10.0.0.5\n"
			     "ip local pool P 10.0.1.1\n"
			     "no ip local pool P 10.0.0.1 10.0.0.5\n"
			     "ip subnet-zero\n"
			     "no ip subnet-zero\n"
			     "ip route 10.9.0.0 255.255.0.0 Tunnel0 10.0.0.2 5\n"
			     "no ip route 10.9.0.0 255.255.0.0 Tunnel0 10.0.0.2 5\n"
			     "ip http server\n"
			     "no ip http server\n"), 0);
	assert_section("Tunnel0", "");
	char *text = running();
	assert_true(contains(text, "ip local pool P 10.0.1.1\n"));
	assert_false(contains(text, "10.0.0.5"));
	assert_true(contains(text, "no ip subnet-zero\n"));
	assert_false(contains(text, "ip route"));
	assert_true(contains(text, "no ip http server\n"));
	free(text);
	/* the pool goes with its last range; "default" unsets a switch */
	assert_int_equal(cfg("no ip local pool P 10.0.1.1\n"
			     "default ip subnet-zero\n"), 0);
	assert_false(ip_pool_exists("P"));
	text = running();
	assert_false(contains(text, "ip subnet-zero"));
	free(text);

	static const struct line_rc codes[] = {
		{"ip classless", CLI_OK},
		{"ip classless", CLI_UNCHANGED},
		{"no ip classless", CLI_OK},
		{"ip http secure-server", CLI_OK},
		{"ip http secure-server", CLI_UNCHANGED},
		{"no ip local pool NOPE", CLI_UNCHANGED},
		{"ip local pool Q 10.1.0.1", CLI_OK},
		{"ip local pool Q 10.1.0.1", CLI_UNCHANGED},
		{"no ip local pool Q 10.1.0.9", CLI_UNCHANGED},
		{"no ip route 10.8.0.0 255.255.0.0", CLI_ERR},
		{"interface FastEthernet0/0", CLI_OK},
		{"no ip address", CLI_OK},
		{"no ip address", CLI_UNCHANGED},
		{"ip address 10.0.0.1 255.255.255.0", CLI_OK},
		{"ip address 10.0.0.1 255.255.255.0", CLI_UNCHANGED},
		{"no ip address 10.0.0.2 255.255.255.0", CLI_UNCHANGED},
		{"no ip address 10.0.0.3 255.255.255.0 secondary", CLI_UNCHANGED},
		{"no ip unnumbered", CLI_UNCHANGED},
		{"ip unnumbered Loopback0", CLI_OK},
		{"ip unnumbered Loopback0", CLI_UNCHANGED},
	};
	ASSERT_CODES(codes);
	assert_section("FastEthernet0/0", " ip unnumbered Loopback0\n");
}

/* ---- access lists ----------------------------------------------------------- */

struct collect {
	int n;
	struct acl_rule r[8];
};

static bool collect_rule(const struct acl_rule *r, void *ctx)
{
	struct collect *c = ctx;
	if (c->n < 8)
		c->r[c->n++] = *r;
	return true;
}

static void test_acl_numbered(void **state)
{
	assert_int_equal(cfg(
		"access-list 100 permit ip 10.0.0.0 0.255.255.255 192.168.1.0 "
		"0.0.0.255\n"
		"access-list 100 permit tcp 10.1.1.7 0.0.0.255 any eq 80 log\n"
		"access-list 100 deny udp host 1.1.1.1 range 4500 500 "
		"0.0.0.0 255.255.255.255\n"
		"access-list 100 permit 50 1.2.3.4 0.0.0.0 any\n"
		"access-list 100 permit ip 10.0.0.0 0.255.255.255 192.168.1.0 "
		"0.0.0.255\n"
		"access-list 10 permit 10.1.1.1\n"
		"access-list 10 deny any\n"), 0);
	char *text = running();
	assert_true(contains(text,
		"access-list 10 permit 10.1.1.1\n"
		"access-list 10 deny   any\n"
		"access-list 100 permit ip 10.0.0.0 0.255.255.255 192.168.1.0 "
		"0.0.0.255\n"
		"access-list 100 permit tcp 10.1.1.0 0.0.0.255 any eq www log\n"
		"access-list 100 deny   udp host 1.1.1.1 range isakmp "
		"non500-isakmp any\n"
		"access-list 100 permit esp host 1.2.3.4 any\n"));
	free(text);

	/* the seeds' placeholders, a bad port and a missing operand */
	assert_int_equal(cfg("access-list 101 permit ip branch.local.lan.0 any\n"
			     "access-list 101 permit tcp any any eq nosuch\n"
			     "access-list 101 permit ip any\n"), 3);
	assert_null(acl_find("101"));

	/* what crypto reads */
	struct acl *acl = acl_find("100");
	assert_non_null(acl);
	assert_true(acl_is_extended(acl));
	assert_string_equal(acl_name(acl), "100");
	struct collect c = {0};
	acl_foreach(acl, collect_rule, &c);
	assert_int_equal(c.n, 4);
	assert_true(c.r[0].permit);
	assert_int_equal(c.r[0].proto, 0);
	assert_int_equal(c.r[0].src, ip("10.0.0.0"));
	assert_int_equal(c.r[0].src_wild, ip("0.255.255.255"));
	assert_int_equal(c.r[0].dst, ip("192.168.1.0"));
	assert_int_equal(c.r[0].dst_wild, ip("0.0.0.255"));
	assert_int_equal(c.r[0].seq, 10);
	assert_int_equal(c.r[1].proto, 6);
	assert_int_equal(c.r[1].dport.op, ACL_PORT_EQ);
	assert_int_equal(c.r[1].dport.lo, 80);
	assert_false(c.r[2].permit);
	assert_int_equal(c.r[2].sport.op, ACL_PORT_RANGE);
	assert_int_equal(c.r[2].sport.lo, 500);
	assert_int_equal(c.r[2].sport.hi, 4500);
	assert_int_equal(c.r[3].proto, 50);

	assert_int_equal(acl_evaluate(acl, 6, ip("10.1.1.9"), ip("8.8.8.8"),
				      1234, 80), ACL_PERMIT);
	assert_int_equal(acl_evaluate(acl, 17, ip("1.1.1.1"), ip("8.8.8.8"),
				      1000, 53), ACL_DENY);
	assert_int_equal(acl_evaluate(acl, 1, ip("9.9.9.9"), ip("8.8.8.8"),
				      0, 0), ACL_NO_MATCH);
	char *show = cli_exec_capture("show access-lists 100");
	assert_true(contains(show, "Extended IP access list 100\n"
				   "    10 permit ip 10.0.0.0 0.255.255.255 "
				   "192.168.1.0 0.0.0.255\n"
				   "    20 permit tcp 10.1.1.0 0.0.0.255 any eq "
				   "www log (1 match)\n"));
	free(show);

	/* "no access-list N ..." removes the whole list, as IOS does */
	assert_int_equal(cfg("no access-list 100 permit ip any any\n"), 0);
	assert_null(acl_find("100"));
}

static void test_acl_named(void **state)
{
	assert_int_equal(cfg("ip access-list extended peer-outside\n"
			     " permit ip host 192.168.0.1 host 172.16.0.1\n"
			     " 5 deny ip any any log\n"
			     " remark keep\n"
			     "ip access-list standard MGMT\n"
			     " permit 10.0.0.0 0.0.0.255\n"), 0);
	char *text = running();
	assert_true(contains(text,
		"ip access-list standard MGMT\n"
		" permit 10.0.0.0 0.0.0.255\n"
		"ip access-list extended peer-outside\n"
		" deny   ip any any log\n"
		" permit ip host 192.168.0.1 host 172.16.0.1\n"
		" remark keep\n"));
	free(text);
	char *out = run("ip access-list standard peer-outside\n"
			"ip access-list standard 150\n"
			"ip access-list extended peer-outside\n"
			" 10 permit gre any any\n");
	assert_true(contains(out, "% A named extended IP access list with "
				  "this name already exists"));
	assert_true(contains(out, "% Invalid access list name."));
	assert_true(contains(out, "% Duplicate sequence number"));
	free(out);
	/* the seed's bare "permit ip" is incomplete */
	assert_int_equal(cfg("ip access-list extended BRANCH-5-ACL\n"
			     " permit ip\n"), 1);
	assert_int_equal(cfg("ip access-list extended peer-outside\n"
			     " no 5\n"
			     " no permit ip host 192.168.0.1 host 172.16.0.1\n"
			     " no remark keep\n"), 0);
	text = running();
	assert_true(contains(text, "ip access-list extended peer-outside\n!"));
	free(text);
	/* a numbered list edited by name prints as access-list N */
	assert_int_equal(cfg("ip access-list extended 120\n"
			     " permit icmp any any echo\n"), 0);
	text = running();
	assert_true(contains(text, "access-list 120 permit icmp any any echo\n"));
	free(text);
	assert_int_equal(cfg("no ip access-list extended peer-outside\n"), 0);
	assert_null(acl_find("peer-outside"));
}

/* Named lists and their entries: the no forms and the return codes of
 * what changed nothing. */
static void test_acl_no_forms(void **state)
{
	static const struct line_rc codes[] = {
		{"ip access-list standard S", CLI_OK},
		{"permit 10.0.0.0 0.0.0.255", CLI_OK},
		{"permit 10.0.0.0 0.0.0.255", CLI_UNCHANGED},
		{"remark r1", CLI_OK},
		{"remark r1", CLI_UNCHANGED},
		{"no remark r2", CLI_UNCHANGED},
		{"no remark r1", CLI_OK},
		{"no 99", CLI_UNCHANGED},
		{"no permit any", CLI_UNCHANGED},
		{"no 10", CLI_OK},
		{"ip access-list standard S", CLI_UNCHANGED},
		{"no ip access-list extended S", CLI_UNCHANGED},
		{"no access-list 101", CLI_UNCHANGED},
		{"access-list 101 permit ip any any", CLI_OK},
		{"access-list 101 permit ip any any", CLI_UNCHANGED},
		{"no access-list 101", CLI_OK},
	};
	ASSERT_CODES(codes);
	/* "no" of the other kind left the list; "default" deletes it */
	assert_non_null(acl_find("S"));
	assert_null(acl_find("101"));
	static const struct line_rc gone[] = {
		{"default ip access-list standard S", CLI_OK},
	};
	ASSERT_CODES(gone);
	assert_null(acl_find("S"));
}

/* ---- show commands ------------------------------------------------------------ */

static void test_show_interfaces(void **state)
{
	assert_int_equal(cfg("interface GigabitEthernet0/0\n"
			     " description inside\n"
			     " ip address 10.0.0.1 255.0.0.0\n"
			     " duplex full\n"
			     " speed 1000\n"
			     "interface Serial2/0\n"
			     " shutdown\n"
			     "interface Loopback0\n"
			     " ip address 1.1.1.1 255.255.255.255\n"), 0);
	char *s = cli_exec_capture("show interfaces GigabitEthernet0/0");
	assert_true(contains(s, "GigabitEthernet0/0 is down, line protocol is "
				"down \n"
				"  Hardware is MV96340 Ethernet, address is "));
	assert_true(contains(s, "  Description: inside\n"
				"  Internet address is 10.0.0.1/8\n"
				"  MTU 1500 bytes, BW 1000000 Kbit/sec, DLY 10 "
				"usec, \n"));
	assert_true(contains(s, "  Full Duplex, 1Gbps, media type is RJ45\n"));
	assert_true(contains(s, "     0 packets input, 0 bytes, 0 no buffer\n"));
	free(s);
	/* the burned-in address is stable and shown twice */
	uint8_t mac[6];
	iface_get_mac(iface_find("GigabitEthernet0/0"), mac);
	char want[64];
	snprintf(want, sizeof want,
		 "%02x%02x.%02x%02x.%02x%02x (bia %02x%02x.%02x%02x.%02x%02x)",
		 mac[0], mac[1], mac[2], mac[3], mac[4], mac[5], mac[0], mac[1],
		 mac[2], mac[3], mac[4], mac[5]);
	s = cli_exec_capture("show interfaces");
	assert_true(contains(s, want));
	assert_true(contains(s, "Serial2/0 is administratively down, line "
				"protocol is down \n  Hardware is M4T\n"));
	assert_true(contains(s, "Loopback0 is up, line protocol is up \n"));
	free(s);

	s = cli_exec_capture("show ip interface brief");
	assert_true(contains(s,
		"Interface                  IP-Address      OK? Method Status"
		"                Protocol\n"
		"GigabitEthernet0/0         10.0.0.1        YES manual down"
		"                  down\n"
		"Serial2/0                  unassigned      YES unset  "
		"administratively down down\n"
		"Loopback0                  1.1.1.1         YES manual up"
		"                    up\n"));
	free(s);

	s = cli_exec_capture("show running-config interface Loopback0");
	assert_true(contains(s, "Building configuration...\n\n"
				"Current configuration : 62 bytes\n"
				"!\n"
				"interface Loopback0\n"
				" ip address 1.1.1.1 255.255.255.255\n"
				"end\n"));
	free(s);
}

/* ---- fixed point and reload --------------------------------------------------- */

static void test_fixed_point(void **state)
{
	const char *text =
		"interface GigabitEthernet0/1\n"
		" ip address 211.0.0.1 255.0.0.0\n"
		" duplex full\n"
		" speed 1000\n"
		" media-type rj45\n"
		"interface FastEthernet0/1/0\n"
		"interface Vlan1\n"
		" no ip address\n"
		"interface Tunnel1\n"
		" ip unnumbered Loopback0\n"
		" tunnel source Loopback0\n"
		" tunnel destination 10.0.0.5\n"
		"interface FastEthernet0/0.7\n"
		" ip address 10.7.0.1 255.255.255.0 secondary\n"
		" ip address 10.8.0.1 255.255.255.0\n"
		"ip local pool p 50.0.0.1 50.0.0.9\n"
		"ip subnet-zero\n"
		"ip route 192.168.1.0 255.255.255.0 211.0.0.4\n"
		"access-list 100 permit ip 10.0.0.0 0.255.255.255 any\n"
		"access-list 100 deny tcp any range 1 10 any gt 1000\n"
		"ip access-list extended peer-outside\n"
		" permit ip host 192.168.0.1 host 172.16.0.1\n";
	assert_int_equal(cfg(text), 0);
	char *first = running();
	core_reset_all();
	char *body = strchr(first, '\n') + 1;  /* past the leading "!" */
	assert_int_equal(cfg(body), 0);
	char *second = running();
	assert_string_equal(first, second);
	free(first);
	free(second);

	/* reload: nothing of it survives on unattached interfaces */
	core_reset_all();
	assert_null(iface_first());
	assert_null(acl_find("100"));
	char *fresh = running();
	assert_false(contains(fresh, "ip route"));
	free(fresh);
}

static void test_attached_survives_reset(void **state)
{
	struct iface *ifp = iface_get("FastEthernet0/0");
	assert_non_null(ifp);
	iface_set_attached(ifp, true);
	iface_set_carrier(ifp, true);
	assert_int_equal(cfg("interface FastEthernet0/0\n"
			     " ip address 10.0.0.1 255.255.255.0\n"
			     " shutdown\n"
			     "interface FastEthernet0/1\n"), 0);
	core_reset_all();
	assert_ptr_equal(iface_first(), ifp);
	assert_null(iface_next(ifp));
	assert_int_equal(iface_addr(ifp), 0);
	assert_true(iface_admin_up(ifp));
	assert_true(iface_line_up(ifp));
	assert_section("FastEthernet0/0", "");
	iface_set_attached(ifp, false);
}

/* ---- the indexes behind configuration load --------------------------------
 * Each answers what the scan it replaced answered, including what the
 * scans got right by their order (the first interface in show-run order,
 * the first ACL entry in sequence order, routes entered out of order). */

/* Does the running configuration hold NEEDLE? */
static bool running_has(const char *needle)
{
	char *text = running();
	bool r = contains(text, needle);
	free(text);
	return r;
}

static void test_iface_table(void **state)
{
	/* created out of order: sub-interfaces of an early interface after
	 * later ones, a Loopback last */
	assert_int_equal(cfg("interface GigabitEthernet0/1\n"
			     "interface GigabitEthernet0/0.20\n"
			     "interface GigabitEthernet0/0.10\n"
			     "interface GigabitEthernet0/2\n"
			     "interface Loopback0\n"), 0);
	const char *want[] = {"Loopback0", "GigabitEthernet0/0",
			      "GigabitEthernet0/0.10", "GigabitEthernet0/0.20",
			      "GigabitEthernet0/1", "GigabitEthernet0/2"};
	struct iface *ifp = iface_first();
	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
		assert_non_null(ifp);
		assert_string_equal(iface_name(ifp), want[i]);
		assert_ptr_equal(iface_find(want[i]), ifp);
		ifp = iface_next(ifp);
	}
	assert_null(ifp);

	/* the main interface takes its sub-interfaces along */
	assert_int_equal(cfg("no interface GigabitEthernet0/0.10\n"), 0);
	assert_null(iface_find("GigabitEthernet0/0.10"));
	assert_non_null(iface_find("GigabitEthernet0/0.20"));
	assert_ptr_equal(iface_next(iface_find("GigabitEthernet0/0")),
			 iface_find("GigabitEthernet0/0.20"));

	/* a name freed can be created again, in its place */
	assert_int_equal(cfg("interface GigabitEthernet0/0.10\n"), 0);
	assert_ptr_equal(iface_next(iface_find("GigabitEthernet0/0")),
			 iface_find("GigabitEthernet0/0.10"));

	core_reset_all();
	assert_null(iface_first());
	assert_null(iface_find("GigabitEthernet0/1"));
}

/* ---- addresses: overlap and owner ------------------------------------------- */

static void test_overlap_index(void **state)
{
	assert_int_equal(cfg("interface FastEthernet0/1\n"
			     " ip address 10.1.2.1 255.255.255.0\n"
			     "interface FastEthernet0/0\n"
			     " ip address 10.1.3.1 255.255.255.0\n"
			     " ip address 172.16.0.1 255.255.0.0 secondary\n"),
			 0);
	/* a subnet containing both names the first in show-run order */
	char *out = run("interface Loopback5\n"
			" ip address 10.0.0.1 255.0.0.0\n");
	assert_true(contains(out, "% 10.0.0.0 overlaps with FastEthernet0/0\n"));
	free(out);
	assert_int_equal(iface_addr(iface_find("Loopback5")), 0);
	/* a subnet inside another interface's secondary */
	out = run("interface Loopback5\n"
		  " ip address 172.16.9.1 255.255.255.0\n");
	assert_true(contains(out, "% 172.16.9.0 overlaps with "
				  "FastEthernet0/0\n"));
	free(out);
	/* equal subnets, and its own addresses are no overlap */
	out = run("interface Loopback5\n"
		  " ip address 10.1.2.9 255.255.255.0\n"
		  "interface FastEthernet0/1\n"
		  " ip address 10.1.2.2 255.255.255.0\n");
	assert_true(contains(out, "% 10.1.2.0 overlaps with FastEthernet0/1\n"));
	assert_false(contains(out, "overlaps with Loopback5"));
	free(out);
	assert_int_equal(iface_addr(iface_find("FastEthernet0/1")),
			 ip("10.1.2.2"));

	/* a shut interface does not count; an address gone no longer does */
	assert_int_equal(cfg("interface FastEthernet0/0\n"
			     " shutdown\n"
			     "interface FastEthernet0/1\n"
			     " no ip address\n"
			     "interface Loopback5\n"
			     " ip address 10.0.0.1 255.0.0.0\n"), 0);
	assert_int_equal(iface_addr(iface_find("Loopback5")), ip("10.0.0.1"));
	/* once up again, IOS warns about it */
	out = run("interface FastEthernet0/0\n"
		  " no shutdown\n");
	assert_true(contains(out, "overlaps with Loopback5"));
	free(out);

	/* a removed interface leaves nothing behind */
	assert_ptr_equal(iface_by_addr(ip("10.0.0.1")), iface_find("Loopback5"));
	assert_int_equal(cfg("no interface Loopback5\n"
			     "interface Loopback1\n"
			     " ip address 10.9.9.9 255.255.255.255\n"), 0);
	assert_int_equal(iface_addr(iface_find("Loopback1")), ip("10.9.9.9"));
	assert_null(iface_by_addr(ip("10.0.0.1")));

	/* a secondary entered again with another mask: the new subnet */
	assert_int_equal(cfg("interface FastEthernet0/0\n"
			     " ip address 172.16.0.1 255.255.255.0 secondary\n"
			     "interface Loopback6\n"
			     " ip address 172.16.9.1 255.255.255.0\n"), 0);
	assert_int_equal(iface_addr(iface_find("Loopback6")), ip("172.16.9.1"));
	out = run("interface Loopback7\n"
		  " ip address 172.16.0.9 255.255.255.255\n");
	assert_true(contains(out, "% 172.16.0.9 overlaps with "
				  "FastEthernet0/0\n"));
	free(out);
	/* a secondary removed, then the primary: nothing overlaps */
	assert_int_equal(cfg("interface FastEthernet0/0\n"
			     " no ip address 172.16.0.1 255.255.255.0 secondary\n"
			     " no ip address\n"
			     "interface Loopback7\n"
			     " ip address 172.16.0.9 255.255.255.255\n"
			     " ip address 10.1.3.9 255.255.255.255 secondary\n"),
			 0);
	assert_ptr_equal(iface_by_addr(ip("172.16.0.9")), iface_find("Loopback7"));
	assert_ptr_equal(iface_by_addr(ip("10.1.3.9")), iface_find("Loopback7"));
	assert_null(iface_by_addr(ip("172.16.0.1")));
}

static void test_owner_index(void **state)
{
	/* the same address on a shut interface: the owner is the first in
	 * show-run order, whichever took it first */
	assert_int_equal(cfg("interface FastEthernet0/1\n"
			     " ip address 10.0.0.1 255.255.255.0\n"
			     "interface FastEthernet0/0\n"
			     " shutdown\n"
			     " ip address 10.0.0.1 255.255.255.0\n"
			     " ip address 10.5.0.1 255.255.255.0 secondary\n"),
			 0);
	assert_ptr_equal(iface_by_addr(ip("10.0.0.1")),
			 iface_find("FastEthernet0/0"));
	assert_ptr_equal(iface_by_addr(ip("10.5.0.1")),
			 iface_find("FastEthernet0/0"));
	assert_null(iface_by_addr(ip("10.0.0.2")));
	assert_null(iface_by_addr(0));
	assert_int_equal(cfg("interface FastEthernet0/0\n"
			     " ip address 10.0.0.9 255.255.255.0\n"), 0);
	assert_ptr_equal(iface_by_addr(ip("10.0.0.1")),
			 iface_find("FastEthernet0/1"));
	assert_ptr_equal(iface_by_addr(ip("10.0.0.9")),
			 iface_find("FastEthernet0/0"));
	/* a secondary promoted to primary, then unnumbered */
	assert_int_equal(cfg("interface FastEthernet0/0\n"
			     " ip address 10.5.0.1 255.255.255.0\n"), 0);
	assert_ptr_equal(iface_by_addr(ip("10.5.0.1")),
			 iface_find("FastEthernet0/0"));
	assert_null(iface_by_addr(ip("10.0.0.9")));
	assert_int_equal(cfg("interface FastEthernet0/0\n"
			     " ip unnumbered FastEthernet0/1\n"), 0);
	assert_null(iface_by_addr(ip("10.5.0.1")));
	/* the next-hop check of ip route asks the same question */
	char *out = run("ip route 192.168.0.0 255.255.255.0 10.0.0.1\n");
	assert_true(contains(out, "%Invalid next hop address (it's this "
				  "router)"));
	free(out);
}

/* ---- static routes --------------------------------------------------------- */

static void test_route_order(void **state)
{
	assert_int_equal(cfg("ip route 192.168.2.0 255.255.255.0 10.0.0.2\n"
			     "ip route 192.168.1.0 255.255.255.0 10.0.0.9\n"
			     "ip route 192.168.1.0 255.255.255.0 10.0.0.5\n"
			     "ip route 192.168.0.0 255.255.0.0 10.0.0.3\n"), 0);
	assert_true(running_has(
		"ip route 192.168.0.0 255.255.0.0 10.0.0.3\n"
		"ip route 192.168.1.0 255.255.255.0 10.0.0.9\n"
		"ip route 192.168.1.0 255.255.255.0 10.0.0.5\n"
		"ip route 192.168.2.0 255.255.255.0 10.0.0.2\n"));
	/* the same destination and hop again updates it in its place */
	assert_int_equal(cfg("ip route 192.168.1.0 255.255.255.0 10.0.0.9 50\n"
			     "ip route 192.168.1.0 255.255.255.0 10.0.0.7\n"),
			 0);
	assert_true(running_has(
		"ip route 192.168.1.0 255.255.255.0 10.0.0.9 50\n"
		"ip route 192.168.1.0 255.255.255.0 10.0.0.5\n"
		"ip route 192.168.1.0 255.255.255.0 10.0.0.7\n"
		"ip route 192.168.2.0 255.255.255.0 10.0.0.2\n"));
	/* one hop, then every hop of a destination */
	assert_int_equal(cfg("no ip route 192.168.1.0 255.255.255.0 "
			     "10.0.0.5\n"), 0);
	assert_false(running_has("10.0.0.5"));
	assert_true(running_has(
		"ip route 192.168.1.0 255.255.255.0 10.0.0.9 50\n"
		"ip route 192.168.1.0 255.255.255.0 10.0.0.7\n"));
	assert_int_equal(cfg("no ip route 192.168.1.0 255.255.255.0\n"), 0);
	assert_false(running_has("192.168.1.0"));
	char *out = run("no ip route 192.168.1.0 255.255.255.0\n");
	assert_true(contains(out, "%No matching route to delete"));
	free(out);
	/* added again: a new route, at the end of its destination */
	assert_int_equal(cfg("ip route 192.168.2.0 255.255.255.0 10.0.0.1\n"
			     "ip route 192.168.1.0 255.255.255.0 10.0.0.4\n"),
			 0);
	assert_true(running_has(
		"ip route 192.168.0.0 255.255.0.0 10.0.0.3\n"
		"ip route 192.168.1.0 255.255.255.0 10.0.0.4\n"
		"ip route 192.168.2.0 255.255.255.0 10.0.0.2\n"
		"ip route 192.168.2.0 255.255.255.0 10.0.0.1\n"));
	core_reset_all();
	assert_false(running_has("ip route"));
	assert_int_equal(cfg("ip route 192.168.1.0 255.255.255.0 10.0.0.4\n"),
			 0);
	assert_true(running_has("ip route 192.168.1.0 255.255.255.0 10.0.0.4\n"
				"no ip http server"));
}

/* ---- ACL entries -------------------------------------------------------------- */

static void test_acl_entry_index(void **state)
{
	assert_int_equal(cfg("ip access-list extended A\n"
			     " 30 permit ip host 10.0.0.3 any\n"
			     " 10 permit ip host 10.0.0.1 any\n"
			     " permit ip host 10.0.0.4 any\n"
			     " 20 permit ip host 10.0.0.2 any\n"), 0);
	assert_true(running_has("ip access-list extended A\n"
				" permit ip host 10.0.0.1 any\n"
				" permit ip host 10.0.0.2 any\n"
				" permit ip host 10.0.0.3 any\n"
				" permit ip host 10.0.0.4 any\n!"));
	/* the first entry in sequence order that matches the same or has
	 * the number decides: an identical entry is taken silently... */
	char *out = run("ip access-list extended A\n"
			" 40 permit ip host 10.0.0.1 any\n"
			" 50 permit ip host 10.0.0.4 any\n");
	assert_false(contains(out, "%"));
	free(out);
	/* ...unless the number is taken by an entry before it */
	out = run("ip access-list extended A\n"
		  " 10 permit ip host 10.0.0.3 any\n");
	assert_true(contains(out, "% Duplicate sequence number"));
	free(out);
	out = run("ip access-list extended A\n"
		  " 30 permit ip host 10.0.0.2 any\n");
	assert_false(contains(out, "%"));
	free(out);
	/* removal by number and by match; the numbers free again */
	assert_int_equal(cfg("ip access-list extended A\n"
			     " no 40\n"
			     " no permit ip host 10.0.0.1 any\n"
			     " 10 permit ip host 10.0.0.9 any\n"
			     " permit ip host 10.0.0.1 any\n"), 0);
	assert_true(running_has("ip access-list extended A\n"
				" permit ip host 10.0.0.9 any\n"
				" permit ip host 10.0.0.2 any\n"
				" permit ip host 10.0.0.3 any\n"
				" permit ip host 10.0.0.1 any\n!"));
	/* a remark is matched by its text */
	assert_int_equal(cfg("access-list 101 remark one\n"
			     "access-list 101 permit tcp any any eq 22\n"
			     "access-list 101 remark one\n"
			     "access-list 101 permit tcp any any eq 22\n"
			     "access-list 101 permit tcp any any eq 23\n"), 0);
	assert_true(running_has("access-list 101 remark one\n"
				"access-list 101 permit tcp any any eq 22\n"
				"access-list 101 permit tcp any any eq telnet\n"));
	assert_int_equal(cfg("ip access-list extended 101\n"
			     " no remark one\n"
			     " remark two\n"), 0);
	assert_true(running_has("access-list 101 permit tcp any any eq 22\n"
				"access-list 101 permit tcp any any eq telnet\n"
				"access-list 101 remark two\n"));
}

int main(void)
{
	router_init();
	sbuf_init(&logs);
	log_set_console_sink(log_sink);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_showrun_order, setup),
		cmocka_unit_test_setup(test_seed_interface_lines, setup),
		cmocka_unit_test_setup(test_no_interface, setup),
		cmocka_unit_test_setup(test_ip_address_checks, setup),
		cmocka_unit_test_setup(test_state_and_events, setup),
		cmocka_unit_test_setup(test_media_checks, setup),
		cmocka_unit_test_setup(test_iface_no_forms, setup),
		cmocka_unit_test_setup(test_iface_return_codes, setup),
		cmocka_unit_test_setup(test_static_routes, setup),
		cmocka_unit_test_setup(test_globals_and_pools, setup),
		cmocka_unit_test_setup(test_ip_no_forms, setup),
		cmocka_unit_test_setup(test_acl_numbered, setup),
		cmocka_unit_test_setup(test_acl_named, setup),
		cmocka_unit_test_setup(test_acl_no_forms, setup),
		cmocka_unit_test_setup(test_show_interfaces, setup),
		cmocka_unit_test_setup(test_fixed_point, setup),
		cmocka_unit_test_setup(test_attached_survives_reset, setup),
		cmocka_unit_test_setup(test_iface_table, setup),
		cmocka_unit_test_setup(test_overlap_index, setup),
		cmocka_unit_test_setup(test_owner_index, setup),
		cmocka_unit_test_setup(test_route_order, setup),
		cmocka_unit_test_setup(test_acl_entry_index, setup),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	core_reset_all();
	sbuf_free(&logs);
	return rc;
}
