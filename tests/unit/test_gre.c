/* Unit tests of GRE tunnels (platform/gre.c). The router: FastEthernet0/0
 * 10.0.0.1 toward the tunnel's far end 10.0.0.2, FastEthernet0/1
 * 192.168.1.1 toward a host 192.168.1.10; Tunnel0 172.16.0.1/30 from
 * 10.0.0.1 to 10.0.0.2, 192.168.2.0/24 routed into it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "../../router/router.h"
#include "net_frames.h"

static const uint8_t peer_mac[6] = {0x02, 0, 0, 0, 0, 0x22};
static struct iface *tun;

static void loop_turn(void)
{
	ev_run(core_loop, EVRUN_NOWAIT);
}

static int setup(void **state)
{
	core_reset_all();
	port_set_tx_hook(tx_hook);
	attach_fa0_fa1();
	assert_int_equal(cfg("logging buffered 100000 debugging\n"
			     "interface FastEthernet0/0\n"
			     " ip address 10.0.0.1 255.255.255.0\n"
			     "interface FastEthernet0/1\n"
			     " ip address 192.168.1.1 255.255.255.0\n"
			     "interface Tunnel0\n"
			     " ip address 172.16.0.1 255.255.255.252\n"
			     " tunnel source FastEthernet0/0\n"
			     " tunnel destination 10.0.0.2\n"
			     "ip route 192.168.2.0 255.255.255.0 Tunnel0\n"), 0);
	tun = iface_find("Tunnel0");
	learn_host(fa0, peer_mac, A("10.0.0.2"), A("10.0.0.1"));
	learn_host(fa1, host_mac, A("192.168.1.10"), A("192.168.1.1"));
	ntx = 0;
	return 0;
}

/* The last IPv4 frame sent on IFP (NULL: none). */
static const uint8_t *last_ip(struct iface *ifp)
{
	for (int i = ntx; i-- > 0;)
		if (tx[i].ifp == ifp && rd16(tx[i].data + 12) == 0x0800)
			return tx_ip(i);
	return NULL;
}

static void check_gre_frame(const uint8_t *ip, uint32_t inner_src,
			    uint32_t inner_dst)
{
	assert_non_null(ip);
	assert_int_equal(ip[9], 47);
	assert_int_equal(ip[8], 255);
	assert_memory_equal(ip + 12, &(uint32_t){A("10.0.0.1")}, 4);
	assert_memory_equal(ip + 16, &(uint32_t){A("10.0.0.2")}, 4);
	assert_int_equal(inet_csum(ip, 20, 0), 0);
	assert_int_equal(rd16(ip + 20), 0);          /* no C/K/S, version 0 */
	assert_int_equal(rd16(ip + 22), 0x0800);
	const uint8_t *in = ip + 24;
	assert_int_equal(rd16(ip + 2), 24 + rd16(in + 2));
	assert_memory_equal(in + 12, &inner_src, 4);
	assert_memory_equal(in + 16, &inner_dst, 4);
}

/* An IPv4 packet INNER (LEN bytes) inside GRE from 10.0.0.2 with the
 * first GRE word FLAGS, fed on FastEthernet0/0. */
static void peer_sends_gre(uint16_t flags, const uint8_t *inner, size_t len)
{
	uint8_t f[2048];
	size_t n = eth(f, fa0->mac, peer_mac, 0x0800);
	ip_hdr(f + n, A("10.0.0.2"), A("10.0.0.1"), 47, 64, 4 + len);
	uint8_t *g = f + n + 20;
	g[0] = (uint8_t)(flags >> 8);
	g[1] = (uint8_t)flags;
	g[2] = 0x08;
	g[3] = 0x00;
	memcpy(g + 4, inner, len);
	feed(fa0, f, n + 24 + len);
}

static void test_router_ping_out_the_tunnel(void **state)
{
	icmp_echo_send(0, A("172.16.0.2"), 7, 1, 32, false);
	check_gre_frame(last_ip(fa0), A("172.16.0.1"), A("172.16.0.2"));
	char *out = exec_lines("show interfaces Tunnel0");
	assert_non_null(strstr(out, "     1 packets output, 60 bytes"));
	free(out);
}

static void test_host_traffic_both_ways(void **state)
{
	/* out: the host's packet to 192.168.2.10 goes into the tunnel */
	uint8_t f[256];
	size_t n = echo_req(f, fa1->mac, A("192.168.1.10"), A("192.168.2.10"),
			    64, 1);
	feed(fa1, f, n);
	check_gre_frame(last_ip(fa0), A("192.168.1.10"), A("192.168.2.10"));
	/* in: the far side's packet to the host comes out of FastEthernet0/1 */
	ntx = 0;
	uint8_t inner[60];
	n = echo_req(f, fa0->mac, A("192.168.2.10"), A("192.168.1.10"), 64, 2);
	memcpy(inner, f + 14, n - 14);
	peer_sends_gre(0, inner, n - 14);
	const uint8_t *ip = last_ip(fa1);
	assert_non_null(ip);
	assert_int_equal(ip[9], 1);
	assert_memory_equal(ip + 12, &(uint32_t){A("192.168.2.10")}, 4);
	char *out = exec_lines("show interfaces Tunnel0");
	assert_non_null(strstr(out, "     1 packets input, 60 bytes"));
	free(out);
	out = exec_lines("show ip route");
	assert_non_null(strstr(out, "S    192.168.2.0/24 is directly connected, "
				    "Tunnel0\n"));
	free(out);
}

static void test_bad_gre_dropped(void **state)
{
	uint8_t f[256];
	size_t n = echo_req(f, fa0->mac, A("192.168.2.10"), A("192.168.1.10"), 64, 3);
	uint8_t inner[60];
	memcpy(inner, f + 14, n - 14);
	uint64_t fmt = ip_stats.format_err;
	peer_sends_gre(0x2000, inner, n - 14);     /* K bit */
	peer_sends_gre(0x0001, inner, n - 14);     /* version 1 */
	peer_sends_gre(0, inner, 10);              /* truncated inner */
	assert_null(last_ip(fa1));
	assert_int_equal(ip_stats.format_err - fmt, 3);
	assert_int_equal(gre_stats.bad_header, 3);
	/* GRE from an address no tunnel ends at: protocol unreachable */
	n = eth(f, fa0->mac, peer_mac, 0x0800);
	learn_host(fa0, peer_mac, A("10.0.0.9"), A("10.0.0.1"));
	ntx = 0;
	ip_hdr(f + n, A("10.0.0.9"), A("10.0.0.1"), 47, 64, 4 + 60);
	memset(f + n + 20, 0, 4);
	f[n + 22] = 0x08;
	memcpy(f + n + 24, inner, 60);
	feed(fa0, f, n + 84);
	const uint8_t *ip = last_ip(fa0);
	assert_non_null(ip);
	assert_int_equal(ip[9], 1);
	assert_int_equal(ip[20], 3);
	assert_int_equal(ip[21], 2);
	assert_int_equal(gre_stats.no_tunnel, 1);
}

static void test_recursive_and_too_big(void **state)
{
	/* DF and bigger than the tunnel's 1476: fragmentation needed */
	uint8_t big[1500] = {0};
	ip_hdr(big, A("192.168.1.10"), A("192.168.2.10"), 17, 64, 1480);
	big[6] = 0x40;
	big[10] = big[11] = 0;
	uint16_t c = inet_csum(big, 20, 0);
	big[10] = (uint8_t)(c >> 8);
	big[11] = (uint8_t)c;
	assert_int_equal(gre_output(tun, big, 1500), -1);
	assert_int_equal(gre_stats.too_big, 1);
	/* the destination routed into the tunnel itself */
	assert_int_equal(cfg("ip route 10.0.0.2 255.255.255.255 Tunnel0\n"), 0);
	loop_turn();
	ntx = 0;
	icmp_echo_send(0, A("172.16.0.2"), 7, 2, 32, false);
	assert_null(last_ip(fa0));
	char *out = exec_lines("show logging");
	assert_non_null(strstr(out, "%TUN-5-RECURDOWN: Tunnel0 temporarily "
				    "disabled due to recursive routing"));
	free(out);
}

/* IOS's default mode is taken and not written back; `ipsec ipv4` is
 * (between source and destination, as IOS writes it); a mode iosim does
 * not run is refused, never run as GRE. */
static void test_tunnel_mode(void **state)
{
	assert_int_equal(cfg("interface Tunnel0\n tunnel mode ipsec ipv4\n"), 0);
	assert_shows("show running-config interface Tunnel0",
		     " tunnel source FastEthernet0/0\n tunnel mode ipsec ipv4\n"
		     " tunnel destination 10.0.0.2\n", true);
	/* no protection: its line protocol is down */
	assert_shows("show interfaces Tunnel0", "Tunnel0 is up, line protocol is down", true);
	assert_shows("show interfaces Tunnel0", "  Tunnel protocol/transport IPSEC/IP\n", true);
	assert_int_equal(cfg("interface Tunnel0\n tunnel mode gre ip\n"), 0);
	assert_int_equal(cfg("interface Tunnel0\n tunnel mode gre ip\n"
			     " no tunnel mode\n"), 0);
	assert_int_equal(cfg("interface Tunnel0\n tunnel mode gre multipoint\n"), 1);
	assert_int_equal(cfg("interface FastEthernet0/1\n tunnel mode gre ip\n"), 1);
	assert_shows("show running-config interface Tunnel0", "tunnel mode", false);
	assert_shows("show running-config interface Tunnel0",
		     " tunnel destination 10.0.0.2\n", true);
	assert_shows("show interfaces Tunnel0", "  Tunnel protocol/transport GRE/IP\n", true);
}

int main(void)
{
	router_init();
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_router_ping_out_the_tunnel, setup),
		cmocka_unit_test_setup(test_host_traffic_both_ways, setup),
		cmocka_unit_test_setup(test_bad_gre_dropped, setup),
		cmocka_unit_test_setup(test_recursive_and_too_big, setup),
		cmocka_unit_test_setup(test_tunnel_mode, setup),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	core_reset_all();
	return rc;
}
