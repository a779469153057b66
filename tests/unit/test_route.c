/* Unit tests of the routing table: connected routes follow interface state
 * and addresses, static routes follow `ip route` with recursive next-hop
 * resolution, administrative distance and floating statics, RRI routes
 * through rib_add/rib_del, longest-prefix match (also with 10k routes), and
 * show ip route in IOS 12.4's exact text. Configuration goes through the
 * CLI as a console would type it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../core/core.h"
#include "../../router/router.h"
#include "../../cli/cli.h"
#include "../../platform/platform.h"

static void log_sink(const char *line, int severity)
{
	(void)line;
	(void)severity;
}

static void cfg(const char *text)
{
	struct sbuf err;
	sbuf_init(&err);
	int n = cli_exec_config_text(text, &err);
	if (n)
		fprintf(stderr, "config errors:\n%s", err.s);
	assert_int_equal(n, 0);
	sbuf_free(&err);
}

static uint32_t ip(const char *s)
{
	uint32_t a = 0;
	assert_true(ip_parse(s, &a));
	return a;
}

/* Where the table sends DST: "IFNAME GATEWAY" or "none". */
static const char *route_of(const char *dst)
{
	static char buf[96];
	struct rib_nexthop nh;
	if (!rib_lookup(ip(dst), &nh))
		return "none";
	char gb[16];
	snprintf(buf, sizeof buf, "%s %s", iface_name(nh.ifp),
		 ip_fmt(nh.gateway, gb));
	return buf;
}

/* The output of an EXEC command (caller frees). */
static char *show(const char *cmd)
{
	return cli_exec_capture(cmd);
}

/* The route lines of show ip route: what follows the legend and the
 * Gateway line's blank line. */
static char *table_body(void)
{
	char *all = show("show ip route");
	char *g = strstr(all, "Gateway of last resort");
	assert_non_null(g);
	char *body = strstr(g, "\n\n");
	assert_non_null(body);
	char *r = xstrdup(body + 2);
	free(all);
	return r;
}

static void two_ports_up(void)
{
	cfg("interface FastEthernet0/0\n"
	    " ip address 10.1.1.1 255.255.255.0\n"
	    " no shutdown\n"
	    "interface FastEthernet0/1\n"
	    " ip address 192.168.2.1 255.255.255.0\n"
	    " no shutdown\n");
	iface_set_carrier(iface_find("FastEthernet0/0"), true);
	iface_set_carrier(iface_find("FastEthernet0/1"), true);
}

static int setup(void **state)
{
	(void)state;
	core_reset_all();
	return 0;
}

/* ---- connected routes ------------------------------------------------------- */

static void test_connected_follow_interfaces(void **state)
{
	cfg("interface FastEthernet0/0\n"
	    " ip address 10.1.1.1 255.255.255.0\n"
	    " ip address 10.2.2.1 255.255.255.0 secondary\n"
	    " no shutdown\n");
	struct iface *fa = iface_find("FastEthernet0/0");
	/* no carrier: line protocol down, no connected route */
	assert_string_equal(route_of("10.1.1.9"), "none");
	iface_set_carrier(fa, true);
	assert_string_equal(route_of("10.1.1.9"), "FastEthernet0/0 0.0.0.0");
	assert_string_equal(route_of("10.2.2.9"), "FastEthernet0/0 0.0.0.0");
	assert_string_equal(route_of("10.3.3.9"), "none");

	/* secondary removed, primary changed */
	cfg("interface FastEthernet0/0\n"
	    " no ip address 10.2.2.1 255.255.255.0 secondary\n"
	    " ip address 10.4.0.1 255.255.0.0\n");
	assert_string_equal(route_of("10.2.2.9"), "none");
	assert_string_equal(route_of("10.1.1.9"), "none");
	assert_string_equal(route_of("10.4.200.1"), "FastEthernet0/0 0.0.0.0");

	/* shutdown and carrier loss take it away, no shutdown brings it back */
	cfg("interface FastEthernet0/0\n shutdown\n");
	assert_string_equal(route_of("10.4.200.1"), "none");
	cfg("interface FastEthernet0/0\n no shutdown\n");
	assert_string_equal(route_of("10.4.200.1"), "FastEthernet0/0 0.0.0.0");
	iface_set_carrier(fa, false);
	assert_string_equal(route_of("10.4.200.1"), "none");
}

static void test_removed_interface(void **state)
{
	cfg("interface Loopback3\n ip address 3.3.3.3 255.255.255.255\n"
	    "ip route 30.0.0.0 255.0.0.0 Loopback3\n");
	assert_string_equal(route_of("3.3.3.3"), "Loopback3 0.0.0.0");
	assert_string_equal(route_of("30.1.1.1"), "Loopback3 0.0.0.0");
	/* 3.3.3.3 is our own address: refused as a next hop, counted */
	assert_int_equal(cli_exec_config_text(
		"ip route 31.0.0.0 255.0.0.0 3.3.3.3\n", NULL), 1);
	assert_string_equal(route_of("31.1.1.1"), "none");
	cfg("no interface Loopback3\n");
	assert_string_equal(route_of("3.3.3.3"), "none");
	assert_string_equal(route_of("30.1.1.1"), "none");
	/* the route comes back with an interface of that name */
	cfg("interface Loopback3\n ip address 3.3.3.3 255.255.255.255\n");
	assert_string_equal(route_of("30.1.1.1"), "Loopback3 0.0.0.0");
}

/* ---- static routes ------------------------------------------------------------ */

static void test_longest_prefix_match(void **state)
{
	two_ports_up();
	cfg("ip route 0.0.0.0 0.0.0.0 10.1.1.254\n"
	    "ip route 172.16.0.0 255.255.0.0 10.1.1.2\n"
	    "ip route 172.16.5.0 255.255.255.0 192.168.2.2\n"
	    "ip route 172.16.5.128 255.255.255.128 10.1.1.3\n"
	    "ip route 172.16.5.200 255.255.255.255 192.168.2.4\n");
	assert_string_equal(route_of("172.16.9.9"), "FastEthernet0/0 10.1.1.2");
	assert_string_equal(route_of("172.16.5.9"), "FastEthernet0/1 192.168.2.2");
	assert_string_equal(route_of("172.16.5.129"), "FastEthernet0/0 10.1.1.3");
	assert_string_equal(route_of("172.16.5.200"), "FastEthernet0/1 192.168.2.4");
	assert_string_equal(route_of("8.8.8.8"), "FastEthernet0/0 10.1.1.254");
	assert_string_equal(route_of("10.1.1.77"), "FastEthernet0/0 0.0.0.0");
	cfg("no ip route 172.16.5.128 255.255.255.128\n");
	assert_string_equal(route_of("172.16.5.129"), "FastEthernet0/1 192.168.2.2");
	cfg("no ip route 0.0.0.0 0.0.0.0\n");
	assert_string_equal(route_of("8.8.8.8"), "none");
}

static void test_recursive_statics(void **state)
{
	two_ports_up();
	/* 20/8 via 30.0.0.1, which is reached via 10.1.1.2 */
	cfg("ip route 20.0.0.0 255.0.0.0 30.0.0.1\n");
	assert_string_equal(route_of("20.1.1.1"), "none");
	cfg("ip route 30.0.0.0 255.0.0.0 10.1.1.2\n");
	assert_string_equal(route_of("20.1.1.1"), "FastEthernet0/0 10.1.1.2");
	/* the next hop's own route going away takes it along */
	cfg("interface FastEthernet0/0\n shutdown\n");
	assert_string_equal(route_of("30.1.1.1"), "none");
	assert_string_equal(route_of("20.1.1.1"), "none");
	cfg("interface FastEthernet0/0\n no shutdown\n");
	assert_string_equal(route_of("20.1.1.1"), "FastEthernet0/0 10.1.1.2");

	/* statics that resolve only through each other never come up */
	cfg("ip route 40.0.0.0 255.0.0.0 50.0.0.1\n"
	    "ip route 50.0.0.0 255.0.0.0 40.0.0.1\n");
	assert_string_equal(route_of("40.1.1.1"), "none");
	assert_string_equal(route_of("50.1.1.1"), "none");
	/* a route never resolves its next hop through itself */
	cfg("ip route 60.0.0.0 255.0.0.0 60.0.0.1\n");
	assert_string_equal(route_of("60.1.1.1"), "none");

	/* an exit interface route is up with its interface; with a next hop
	 * the neighbour is that next hop */
	cfg("ip route 70.0.0.0 255.0.0.0 FastEthernet0/1\n"
	    "ip route 71.0.0.0 255.0.0.0 FastEthernet0/1 192.168.2.9\n"
	    "ip route 72.0.0.0 255.0.0.0 71.0.0.5\n");
	assert_string_equal(route_of("70.1.1.1"), "FastEthernet0/1 0.0.0.0");
	assert_string_equal(route_of("71.1.1.1"), "FastEthernet0/1 192.168.2.9");
	assert_string_equal(route_of("72.1.1.1"), "FastEthernet0/1 192.168.2.9");
	iface_set_carrier(iface_find("FastEthernet0/1"), false);
	assert_string_equal(route_of("70.1.1.1"), "none");
	assert_string_equal(route_of("72.1.1.1"), "none");
}

static void test_distance_and_floating(void **state)
{
	two_ports_up();
	/* the floating static waits behind the primary */
	cfg("ip route 20.0.0.0 255.0.0.0 10.1.1.2\n"
	    "ip route 20.0.0.0 255.0.0.0 192.168.2.2 200\n");
	assert_string_equal(route_of("20.1.1.1"), "FastEthernet0/0 10.1.1.2");
	iface_set_carrier(iface_find("FastEthernet0/0"), false);
	assert_string_equal(route_of("20.1.1.1"), "FastEthernet0/1 192.168.2.2");
	iface_set_carrier(iface_find("FastEthernet0/0"), true);
	assert_string_equal(route_of("20.1.1.1"), "FastEthernet0/0 10.1.1.2");

	/* connected (0) beats a static for the same prefix */
	cfg("ip route 192.168.2.0 255.255.255.0 10.1.1.9\n");
	assert_string_equal(route_of("192.168.2.50"), "FastEthernet0/1 0.0.0.0");
	/* 255 is never installed; permanent stays with its interface down */
	cfg("ip route 30.0.0.0 255.0.0.0 10.1.1.2 255\n"
	    "ip route 31.0.0.0 255.0.0.0 FastEthernet0/1 permanent\n");
	assert_string_equal(route_of("30.1.1.1"), "none");
	iface_set_carrier(iface_find("FastEthernet0/1"), false);
	assert_string_equal(route_of("31.1.1.1"), "FastEthernet0/1 0.0.0.0");

	/* equal cost: both paths are used, each destination sticks to one */
	iface_set_carrier(iface_find("FastEthernet0/1"), true);
	cfg("ip route 40.0.0.0 255.0.0.0 10.1.1.2\n"
	    "ip route 40.0.0.0 255.0.0.0 192.168.2.2\n");
	int fa0 = 0, fa1 = 0;
	for (int i = 0; i < 64; i++) {
		char d[32];
		snprintf(d, sizeof d, "40.0.%d.1", i);
		const char *r = route_of(d);
		assert_string_equal(r, route_of(d));
		fa0 += strcmp(r, "FastEthernet0/0 10.1.1.2") == 0;
		fa1 += strcmp(r, "FastEthernet0/1 192.168.2.2") == 0;
	}
	assert_int_equal(fa0 + fa1, 64);
	assert_true(fa0 > 0 && fa1 > 0);
}

/* ---- RRI and other dynamic routes --------------------------------------------- */

static void test_rib_add_del(void **state)
{
	two_ports_up();
	struct iface *fa0 = iface_find("FastEthernet0/0");
	assert_int_equal(rib_add(RIB_RRI, ip("172.16.0.0"), ip("255.255.0.0"),
				 ip("10.1.1.5"), NULL, 1), 0);
	assert_string_equal(route_of("172.16.3.3"), "FastEthernet0/0 10.1.1.5");
	/* the same prefix and source again replaces it */
	assert_int_equal(rib_add(RIB_RRI, ip("172.16.0.0"), ip("255.255.0.0"),
				 ip("10.1.1.6"), fa0, 1), 0);
	assert_string_equal(route_of("172.16.3.3"), "FastEthernet0/0 10.1.1.6");
	/* a static with a lower distance wins; removing it brings RRI back */
	cfg("ip route 172.16.0.0 255.255.0.0 192.168.2.7 1\n");
	char *t = show("show ip route 172.16.0.0");
	assert_non_null(strstr(t, "Known via \"static\", distance 1"));
	free(t);
	rib_del(RIB_RRI, ip("172.16.0.0"), ip("255.255.0.0"));
	assert_string_equal(route_of("172.16.3.3"), "FastEthernet0/1 192.168.2.7");
	cfg("no ip route 172.16.0.0 255.255.0.0\n");
	assert_string_equal(route_of("172.16.3.3"), "none");
	/* malformed additions are refused */
	assert_int_equal(rib_add(RIB_RRI, ip("172.16.0.1"), ip("255.255.0.0"),
				 0, fa0, 1), -1);
	assert_int_equal(rib_add(RIB_RRI, ip("172.16.0.0"), ip("255.0.255.0"),
				 0, fa0, 1), -1);
	/* RRI routes show as static */
	rib_add(RIB_RRI, ip("172.18.1.0"), ip("255.255.255.0"), ip("10.1.1.5"),
		NULL, 1);
	t = table_body();
	assert_non_null(strstr(t, "S       172.18.1.0 [1/0] via 10.1.1.5\n"));
	free(t);
}

static void test_ten_thousand_routes(void **state)
{
	two_ports_up();
	struct sbuf b;
	sbuf_init(&b);
	for (int i = 0; i < 10000; i++)
		sbuf_printf(&b, "ip route 100.%d.%d.0 255.255.255.0 10.1.1.%d\n",
			    i / 256, i % 256, 2 + i % 200);
	cfg(b.s);
	sbuf_free(&b);
	for (int i = 0; i < 10000; i += 97) {
		char d[32], want[64];
		snprintf(d, sizeof d, "100.%d.%d.77", i / 256, i % 256);
		snprintf(want, sizeof want, "FastEthernet0/0 10.1.1.%d",
			 2 + i % 200);
		assert_string_equal(route_of(d), want);
	}
	assert_string_equal(route_of("100.200.0.1"), "none");
	char *t = show("show ip route | include subnetted");
	assert_string_equal(t, "     10.0.0.0/24 is subnetted, 1 subnets\n"
			       "     100.0.0.0/24 is subnetted, 10000 subnets\n");
	free(t);
}

/* ---- show ip route ---------------------------------------------------------- */

static const char legend[] =
	"Codes: C - connected, S - static, R - RIP, M - mobile, B - BGP\n"
	"       D - EIGRP, EX - EIGRP external, O - OSPF, IA - OSPF inter area \n"
	"       N1 - OSPF NSSA external type 1, N2 - OSPF NSSA external type 2\n"
	"       E1 - OSPF external type 1, E2 - OSPF external type 2\n"
	"       i - IS-IS, su - IS-IS summary, L1 - IS-IS level-1, L2 - IS-IS level-2\n"
	"       ia - IS-IS inter area, * - candidate default, U - per-user static route\n"
	"       o - ODR, P - periodic downloaded static route\n\n";

static void test_show_empty(void **state)
{
	char *t = show("show ip route");
	struct sbuf want;
	sbuf_init(&want);
	sbuf_printf(&want, "%sGateway of last resort is not set\n\n", legend);
	assert_string_equal(t, want.s);
	sbuf_free(&want);
	free(t);
}

static void test_show_table(void **state)
{
	two_ports_up();
	cfg("interface Loopback0\n ip address 1.1.1.1 255.255.255.255\n"
	    "interface FastEthernet0/0\n"
	    " ip address 10.1.2.1 255.255.255.0 secondary\n"
	    "ip route 0.0.0.0 0.0.0.0 10.1.1.254\n"
	    "ip route 10.9.0.0 255.255.0.0 10.1.1.2\n"
	    "ip route 172.17.1.0 255.255.255.0 10.1.1.5\n"
	    "ip route 172.17.1.0 255.255.255.0 192.168.2.5\n"
	    "ip route 172.17.2.0 255.255.255.0 FastEthernet0/1\n"
	    "ip route 192.168.0.0 255.255.0.0 10.1.1.3\n"
	    "ip route 192.168.9.0 255.255.255.0 FastEthernet0/1 192.168.2.9\n");
	char *t = show("show ip route");
	struct sbuf want;
	sbuf_init(&want);
	sbuf_printf(&want, "%s%s", legend,
		"Gateway of last resort is 10.1.1.254 to network 0.0.0.0\n\n"
		"     1.0.0.0/32 is subnetted, 1 subnets\n"
		"C       1.1.1.1 is directly connected, Loopback0\n"
		"     10.0.0.0/8 is variably subnetted, 3 subnets, 2 masks\n"
		"C       10.1.1.0/24 is directly connected, FastEthernet0/0\n"
		"C       10.1.2.0/24 is directly connected, FastEthernet0/0\n"
		"S       10.9.0.0/16 [1/0] via 10.1.1.2\n"
		"     172.17.0.0/24 is subnetted, 2 subnets\n"
		"S       172.17.1.0 [1/0] via 10.1.1.5\n"
		"                   [1/0] via 192.168.2.5\n"
		"S       172.17.2.0 is directly connected, FastEthernet0/1\n"
		"S    192.168.0.0/16 [1/0] via 10.1.1.3\n"
		"C    192.168.2.0/24 is directly connected, FastEthernet0/1\n"
		"S    192.168.9.0/24 [1/0] via 192.168.2.9, FastEthernet0/1\n"
		"S*   0.0.0.0/0 [1/0] via 10.1.1.254\n");
	assert_string_equal(t, want.s);
	free(t);

	t = show("show ip route static");
	assert_string_equal(t,
		"     10.0.0.0/8 is variably subnetted, 3 subnets, 2 masks\n"
		"S       10.9.0.0/16 [1/0] via 10.1.1.2\n"
		"     172.17.0.0/24 is subnetted, 2 subnets\n"
		"S       172.17.1.0 [1/0] via 10.1.1.5\n"
		"                   [1/0] via 192.168.2.5\n"
		"S       172.17.2.0 is directly connected, FastEthernet0/1\n"
		"S    192.168.0.0/16 [1/0] via 10.1.1.3\n"
		"S    192.168.9.0/24 [1/0] via 192.168.2.9, FastEthernet0/1\n"
		"S*   0.0.0.0/0 [1/0] via 10.1.1.254\n");
	free(t);
	t = show("show ip route connected");
	assert_string_equal(t,
		"     1.0.0.0/32 is subnetted, 1 subnets\n"
		"C       1.1.1.1 is directly connected, Loopback0\n"
		"     10.0.0.0/8 is variably subnetted, 3 subnets, 2 masks\n"
		"C       10.1.1.0/24 is directly connected, FastEthernet0/0\n"
		"C       10.1.2.0/24 is directly connected, FastEthernet0/0\n"
		"C    192.168.2.0/24 is directly connected, FastEthernet0/1\n");
	free(t);
	sbuf_free(&want);
}

static void test_show_entry(void **state)
{
	two_ports_up();
	cfg("ip route 0.0.0.0 0.0.0.0 10.1.1.254\n"
	    "ip route 3.3.3.3 255.255.255.255 10.1.1.3\n"
	    "ip route 172.17.2.0 255.255.255.0 FastEthernet0/1\n");
	char *t = show("show ip route 3.3.3.3");
	assert_string_equal(t,
		"Routing entry for 3.3.3.3/32\n"
		"  Known via \"static\", distance 1, metric 0\n"
		"  Routing Descriptor Blocks:\n"
		"  * 10.1.1.3\n"
		"      Route metric is 0, traffic share count is 1\n");
	free(t);
	t = show("show ip route 10.1.1.77");
	assert_string_equal(t,
		"Routing entry for 10.1.1.0/24\n"
		"  Known via \"connected\", distance 0, metric 0 (connected, "
		"via interface)\n"
		"  Routing Descriptor Blocks:\n"
		"  * directly connected, via FastEthernet0/0\n"
		"      Route metric is 0, traffic share count is 1\n");
	free(t);
	t = show("show ip route 172.17.2.1");
	assert_string_equal(t,
		"Routing entry for 172.17.2.0/24\n"
		"  Known via \"static\", distance 1, metric 0 (connected)\n"
		"  Routing Descriptor Blocks:\n"
		"  * directly connected, via FastEthernet0/1\n"
		"      Route metric is 0, traffic share count is 1\n");
	free(t);
	t = show("show ip route 0.0.0.0");
	assert_string_equal(t,
		"Routing entry for 0.0.0.0/0, supernet\n"
		"  Known via \"static\", distance 1, metric 0, candidate "
		"default path\n"
		"  Routing Descriptor Blocks:\n"
		"  * 10.1.1.254\n"
		"      Route metric is 0, traffic share count is 1\n");
	free(t);
	/* only the default covers it: not in the table */
	t = show("show ip route 8.8.8.8");
	assert_string_equal(t, "% Network not in table\n");
	free(t);
	t = show("show ip route 172.17.2.0 255.255.255.0");
	assert_non_null(strstr(t, "Routing entry for 172.17.2.0/24\n"));
	free(t);
	t = show("show ip route 172.17.0.0 255.255.0.0");
	assert_string_equal(t, "% Network not in table\n");
	free(t);
}

int main(void)
{
	router_init();
	log_set_console_sink(log_sink);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_connected_follow_interfaces, setup),
		cmocka_unit_test_setup(test_removed_interface, setup),
		cmocka_unit_test_setup(test_longest_prefix_match, setup),
		cmocka_unit_test_setup(test_recursive_statics, setup),
		cmocka_unit_test_setup(test_distance_and_floating, setup),
		cmocka_unit_test_setup(test_rib_add_del, setup),
		cmocka_unit_test_setup(test_ten_thousand_routes, setup),
		cmocka_unit_test_setup(test_show_empty, setup),
		cmocka_unit_test_setup(test_show_table, setup),
		cmocka_unit_test_setup(test_show_entry, setup),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	core_reset_all();
	return rc;
}
