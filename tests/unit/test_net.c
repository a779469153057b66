/* Unit tests of the packet path: frames go in through ether_input (the
 * port's receive path) and what the router transmits is taken from the
 * port's transmit function (port_set_tx_hook). Ethernet filter and
 * counters, ARP, IPv4 validation, local delivery, UDP demux, ICMP echo and
 * errors, forwarding with ACLs, clear counters. */
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
#include "../../cli/session.h"
#include "../../platform/platform_int.h"

#include "net_frames.h"

/* ---- fixtures ----------------------------------------------------------------- */

static int setup(void **state)
{
	core_reset_all();
	ntx = 0;
	fa0 = iface_get("FastEthernet0/0");
	fa1 = iface_get("FastEthernet0/1");
	iface_set_attached(fa0, true);
	iface_set_attached(fa1, true);
	iface_set_carrier(fa0, true);
	iface_set_carrier(fa1, true);
	assert_int_equal(cfg("interface FastEthernet0/0\n"
			     " ip address 10.0.0.1 255.255.255.0\n"
			     "interface FastEthernet0/1\n"
			     " ip address 10.1.0.1 255.255.255.0\n"), 0);
	ntx = 0;
	return 0;
}

/* ---- tests --------------------------------------------------------------------- */

static void test_gratuitous_arp_on_address(void **state)
{
	assert_int_equal(cfg("interface FastEthernet0/0\n"
			     " ip address 10.0.0.9 255.255.255.0\n"), 0);
	assert_int_equal(ntx, 1);
	const uint8_t *f = tx[0].data;
	assert_memory_equal(f, ether_bcast, 6);
	assert_memory_equal(f + 6, fa0->mac, 6);
	assert_int_equal(rd16(f + 12), 0x0806);
	assert_int_equal(rd16(f + 14 + 6), 2);
	assert_memory_equal(f + 14 + 14, &(uint32_t){A("10.0.0.9")}, 4);
	assert_memory_equal(f + 14 + 24, &(uint32_t){A("10.0.0.9")}, 4);
}

static void test_arp_reply_and_learn(void **state)
{
	uint8_t f[64];
	size_t n = arp_frame(f, 1, host_mac, A("10.0.0.2"), A("10.0.0.1"),
			     ether_bcast);
	feed(fa0, f, n);
	assert_int_equal(ntx, 1);
	const uint8_t *r = tx[0].data;
	assert_memory_equal(r, host_mac, 6);
	assert_memory_equal(r + 6, fa0->mac, 6);
	assert_int_equal(rd16(r + 14 + 6), 2);
	assert_memory_equal(r + 14 + 8, fa0->mac, 6);
	assert_memory_equal(r + 14 + 18, host_mac, 6);
	assert_int_equal(fa0->cnt.in_bcast, 1);

	/* an ARP for someone else is not answered (and not learnt) */
	n = arp_frame(f, 1, host2_mac, A("10.0.0.3"), A("10.0.0.77"),
		      ether_bcast);
	feed(fa0, f, n);
	assert_int_equal(ntx, 1);

	char *out = exec_lines("show arp");
	assert_non_null(strstr(out,
		"Protocol  Address          Age (min)  Hardware Addr   Type   Interface\n"));
	char mine[128], mac[16];
	iface_mac_str(fa0->mac, mac, sizeof mac);
	snprintf(mine, sizeof mine,
		 "Internet  10.0.0.1                -   %s  ARPA   FastEthernet0/0\n",
		 mac);
	assert_non_null(strstr(out, mine));
	assert_non_null(strstr(out,
		"Internet  10.0.0.2                0   0200.0000.0010  ARPA   FastEthernet0/0\n"));
	assert_null(strstr(out, "10.0.0.3 "));
	free(out);

	out = exec_lines("clear arp-cache\nshow ip arp");
	assert_null(strstr(out, "10.0.0.2 "));
	free(out);
}

static void test_echo_reply(void **state)
{
	learn_host(fa0, host_mac, A("10.0.0.2"), A("10.0.0.1"));
	uint8_t f[128];
	size_t n = echo_req(f, fa0->mac, A("10.0.0.2"), A("10.0.0.1"), 64, 3);
	feed(fa0, f, n);
	assert_int_equal(ntx, 1);
	assert_memory_equal(tx[0].data, host_mac, 6);
	const uint8_t *ip = tx_ip(0);
	assert_int_equal(ip[9], 1);
	assert_memory_equal(ip + 12, &(uint32_t){A("10.0.0.1")}, 4);
	assert_memory_equal(ip + 16, &(uint32_t){A("10.0.0.2")}, 4);
	const uint8_t *ic = ip + 20;
	assert_int_equal(ic[0], 0);
	assert_int_equal(rd16(ic + 6), 3);
	assert_int_equal(inet_csum(ic, rd16(ip + 2) - 20, 0), 0);
	assert_memory_equal(ic + 8, f + 14 + 20 + 8, 32);
	assert_int_equal(fa0->cnt.in_pkts, 2);    /* the ARP, the echo */
	assert_int_equal(fa0->cnt.out_pkts, 3);   /* GARP, ARP reply, echo */

	/* a frame for another MAC is not ours: filtered, not counted */
	uint8_t other[6] = {0x02, 9, 9, 9, 9, 9};
	n = echo_req(f, other, A("10.0.0.2"), A("10.0.0.1"), 64, 4);
	feed(fa0, f, n);
	assert_int_equal(ntx, 1);
	assert_int_equal(fa0->cnt.in_pkts, 2);

	/* shut: nothing in, nothing out */
	assert_int_equal(cfg("interface FastEthernet0/0\n shutdown\n"), 0);
	n = echo_req(f, fa0->mac, A("10.0.0.2"), A("10.0.0.1"), 64, 5);
	feed(fa0, f, n);
	assert_int_equal(ntx, 1);
}

static void test_bad_frames_counted(void **state)
{
	learn_host(fa0, host_mac, A("10.0.0.2"), A("10.0.0.1"));
	uint8_t f[2000];
	size_t n;
	uint64_t in0 = fa0->cnt.in_pkts;

	feed(fa0, f, 10);                            /* runt */
	assert_int_equal(fa0->cnt.in_runts, 1);
	memset(f, 0, sizeof f);
	memcpy(f, fa0->mac, 6);
	feed(fa0, f, 1515);                          /* giant */
	assert_int_equal(fa0->cnt.in_giants, 1);
	assert_int_equal(fa0->cnt.in_errors, 2);
	assert_int_equal(fa0->cnt.in_pkts, in0);

	uint64_t csum0 = ip_stats.csum_err, fmt0 = ip_stats.format_err,
		 opt0 = ip_stats.with_opts;
	n = echo_req(f, fa0->mac, A("10.0.0.2"), A("10.0.0.1"), 64, 1);
	f[14 + 10] ^= 0x55;                          /* header checksum */
	feed(fa0, f, n);
	assert_int_equal(ip_stats.csum_err, csum0 + 1);

	n = echo_req(f, fa0->mac, A("10.0.0.2"), A("10.0.0.1"), 64, 1);
	f[14] = 0x65;                                /* version 6 */
	feed(fa0, f, n);
	n = echo_req(f, fa0->mac, A("10.0.0.2"), A("10.0.0.1"), 64, 1);
	feed(fa0, f, n - 10);                        /* truncated */
	feed(fa0, f, 14 + 12);                       /* shorter than a header */
	assert_int_equal(ip_stats.format_err, fmt0 + 3);

	/* options: IHL 6 with a NOP option word, checksum right */
	n = eth(f, fa0->mac, host_mac, 0x0800);
	uint8_t *ip = f + n;
	ip_hdr(ip, A("10.0.0.2"), A("10.0.0.1"), 17, 64, 0);
	ip[0] = 0x46;
	ip[3] = 24 + 8;
	memset(ip + 20, 1, 4);
	ip[10] = ip[11] = 0;
	uint16_t c = inet_csum(ip, 24, 0);
	ip[10] = (uint8_t)(c >> 8);
	ip[11] = (uint8_t)c;
	memset(ip + 24, 0, 8);
	feed(fa0, f, n + 32);
	assert_int_equal(ip_stats.with_opts, opt0 + 1);
	assert_int_equal(ntx, 0);                    /* nothing answered */

	char *out = exec_lines("show interfaces FastEthernet0/0");
	assert_non_null(strstr(out, "Received 1 broadcasts, 1 runts, 1 giants"));
	assert_non_null(strstr(out, "2 input errors"));
	free(out);
	out = exec_lines("clear counters FastEthernet0/0\n\n"
			 "show interfaces FastEthernet0/0");
	assert_non_null(strstr(out, "Clear \"show interface\" counters on "
				    "this interface [confirm]"));
	assert_non_null(strstr(out, "     0 packets input, 0 bytes"));
	assert_non_null(strstr(out, "0 runts, 0 giants"));
	assert_null(strstr(out, "counters never"));
	free(out);
}

static int udp_hits;
static char udp_got[64];
static void udp_handler(const struct ip_rx *rx)
{
	udp_hits++;
	snprintf(udp_got, sizeof udp_got, "%.*s", (int)rx->len,
		 (const char *)rx->payload);
	assert_int_equal(rx->sport, 1985);
	assert_int_equal(rx->dport, 1985);
}

static size_t udp_frame(uint8_t *f, const uint8_t *dmac, uint32_t src,
			uint32_t dst, uint16_t dport, const char *data)
{
	size_t n = eth(f, dmac, host_mac, 0x0800);
	uint8_t *ip = f + n;
	uint8_t *u = ip + 20;
	size_t dl = strlen(data), ul = 8 + dl;
	u[0] = 1985 >> 8;
	u[1] = 1985 & 0xff;
	u[2] = (uint8_t)(dport >> 8);
	u[3] = (uint8_t)dport;
	u[4] = 0;
	u[5] = (uint8_t)ul;
	u[6] = u[7] = 0;
	memcpy(u + 8, data, dl);
	uint32_t s = inet_csum_add(&src, 4, 0);
	s = inet_csum_add(&dst, 4, s) + 17 + (uint32_t)ul;
	uint16_t c = inet_csum(u, ul, s);
	u[6] = (uint8_t)(c >> 8);
	u[7] = (uint8_t)c;
	ip_hdr(ip, src, dst, 17, 1, ul);
	return n + 20 + ul;
}

static void test_udp_demux_and_mcast(void **state)
{
	udp_register_port(1985, udp_handler);
	udp_hits = 0;
	uint8_t f[128];
	uint8_t gmac[6] = {0x01, 0x00, 0x5e, 0x00, 0x00, 0x02};
	size_t n = udp_frame(f, gmac, A("10.0.0.2"), A("224.0.0.2"), 1985,
			     "hello");
	feed(fa0, f, n);              /* not joined: filtered */
	assert_int_equal(udp_hits, 0);
	ip_mcast_join(fa0, A("224.0.0.2"));
	feed(fa0, f, n);
	assert_int_equal(udp_hits, 1);
	assert_string_equal(udp_got, "hello");
	assert_int_equal(fa0->cnt.in_mcast, 1);
	ip_mcast_leave(fa0, A("224.0.0.2"));
	feed(fa0, f, n);
	assert_int_equal(udp_hits, 1);

	/* a bad UDP checksum is dropped */
	learn_host(fa0, host_mac, A("10.0.0.2"), A("10.0.0.1"));
	n = udp_frame(f, fa0->mac, A("10.0.0.2"), A("10.0.0.1"), 1985, "x");
	f[14 + 20 + 8] ^= 1;
	feed(fa0, f, n);
	assert_int_equal(udp_hits, 1);

	/* unregistered port: port unreachable, then rate-limited */
	n = udp_frame(f, fa0->mac, A("10.0.0.2"), A("10.0.0.1"), 4444, "x");
	feed(fa0, f, n);
	assert_int_equal(ntx, 1);
	const uint8_t *ip = tx_ip(0);
	assert_int_equal(ip[9], 1);
	assert_int_equal(ip[20], 3);
	assert_int_equal(ip[21], 3);
	assert_memory_equal(ip + 28, f + 14, 28);   /* quotes header + 8 */
	uint64_t rl = ip_stats.icmp_rate_limited;
	feed(fa0, f, n);
	assert_int_equal(ntx, 1);
	assert_int_equal(ip_stats.icmp_rate_limited, rl + 1);
	udp_register_port(1985, NULL);
}

static void test_udp_send_resolves_arp(void **state)
{
	assert_int_equal(udp_send(0, A("10.0.0.5"), 1985, 1985, "abc", 3, NULL), 0);
	/* the packet waits behind an ARP request */
	assert_int_equal(ntx, 1);
	assert_int_equal(rd16(tx[0].data + 12), 0x0806);
	assert_memory_equal(tx[0].data + 14 + 24, &(uint32_t){A("10.0.0.5")}, 4);
	uint8_t f[64];
	size_t n = arp_frame(f, 2, host_mac, A("10.0.0.5"), A("10.0.0.1"),
			     fa0->mac);
	feed(fa0, f, n);
	assert_int_equal(ntx, 2);
	assert_memory_equal(tx[1].data, host_mac, 6);
	const uint8_t *ip = tx_ip(1);
	assert_int_equal(ip[9], 17);
	assert_memory_equal(ip + 12, &(uint32_t){A("10.0.0.1")}, 4);
	uint32_t s = inet_csum_add(ip + 12, 8, 0) + 17 + 11;
	assert_int_equal(inet_csum(ip + 20, 11, s), 0);
	assert_memory_equal(ip + 28, "abc", 3);

	/* with an interface and source MAC: multicast, TTL 1, no ARP */
	uint8_t vmac[6] = {0x00, 0x00, 0x0c, 0x07, 0xac, 0x01};
	struct ip_tx_opts o = {.ifp = fa0, .src_mac = vmac, .ttl = 1};
	assert_int_equal(udp_send(0, A("224.0.0.2"), 1985, 1985, "h", 1, &o), 0);
	assert_int_equal(ntx, 3);
	assert_memory_equal(tx[2].data, "\x01\x00\x5e\x00\x00\x02", 6);
	assert_memory_equal(tx[2].data + 6, vmac, 6);
	assert_int_equal(tx_ip(2)[8], 1);

	/* no route: refused */
	assert_int_equal(udp_send(0, A("192.0.2.1"), 1, 1, "x", 1, NULL), -1);
}

static void test_vaddr(void **state)
{
	uint8_t vmac[6] = {0x00, 0x00, 0x0c, 0x07, 0xac, 0x01};
	ip_vaddr_add(fa0, A("10.0.0.254"), vmac);
	assert_int_equal(ntx, 1);               /* gratuitous ARP */
	assert_memory_equal(tx[0].data + 6, vmac, 6);
	assert_memory_equal(tx[0].data + 14 + 8, vmac, 6);
	uint8_t f[128];
	size_t n = arp_frame(f, 1, host_mac, A("10.0.0.2"), A("10.0.0.254"),
			     ether_bcast);
	feed(fa0, f, n);
	assert_int_equal(ntx, 2);
	assert_memory_equal(tx[1].data + 14 + 8, vmac, 6);
	/* ping to the virtual address, sent to the virtual MAC */
	n = echo_req(f, vmac, A("10.0.0.2"), A("10.0.0.254"), 64, 1);
	feed(fa0, f, n);
	assert_int_equal(ntx, 3);
	assert_memory_equal(tx_ip(2) + 12, &(uint32_t){A("10.0.0.254")}, 4);
	char *out = exec_lines("show arp");
	assert_non_null(strstr(out, "Internet  10.0.0.254              -   "
				    "0000.0c07.ac01  ARPA   FastEthernet0/0\n"));
	free(out);
	ip_vaddr_del(fa0, A("10.0.0.254"));
	feed(fa0, f, n);                       /* vMAC no longer ours */
	assert_int_equal(ntx, 3);
}

/* The router's virtual addresses, counted over the interfaces holding
 * them: one interface letting go leaves the address to the other; a
 * removed interface or a reload takes its own along. */
static void test_vaddr_count(void **state)
{
	uint8_t vmac[6] = {0x00, 0x00, 0x0c, 0x07, 0xac, 0x01};
	uint32_t v = A("10.0.0.254");
	assert_false(ip_is_vaddr(v));
	ip_vaddr_add(fa0, v, vmac);
	ip_vaddr_add(fa0, v, vmac);             /* again: still one holder */
	ip_vaddr_add(fa1, v, vmac);
	ip_vaddr_del(fa0, v);
	assert_true(ip_is_vaddr(v));
	ip_vaddr_del(fa0, v);                   /* not held: no change */
	assert_true(ip_is_vaddr(v));
	ip_vaddr_del(fa1, v);
	assert_false(ip_is_vaddr(v));

	struct iface *vl = iface_get("Vlan5");
	ip_vaddr_add(vl, A("10.5.0.254"), vmac);
	ip_vaddr_add(fa1, A("10.1.0.254"), vmac);
	assert_true(ip_is_vaddr(A("10.5.0.254")));
	assert_int_equal(cfg("no interface Vlan5\n"), 0);
	assert_false(ip_is_vaddr(A("10.5.0.254")));
	assert_true(ip_is_vaddr(A("10.1.0.254")));
	core_reset_all();
	assert_false(ip_is_vaddr(A("10.1.0.254")));
}

static void test_forwarding(void **state)
{
	learn_host(fa0, host_mac, A("10.0.0.2"), A("10.0.0.1"));
	learn_host(fa1, host2_mac, A("10.1.0.2"), A("10.1.0.1"));
	uint8_t f[128];
	size_t n = echo_req(f, fa0->mac, A("10.0.0.2"), A("10.1.0.2"), 64, 1);
	feed(fa0, f, n);
	assert_int_equal(ntx, 1);
	assert_ptr_equal(tx[0].ifp, fa1);
	assert_memory_equal(tx[0].data, host2_mac, 6);
	assert_memory_equal(tx[0].data + 6, fa1->mac, 6);
	const uint8_t *ip = tx_ip(0);
	assert_int_equal(ip[8], 63);
	assert_memory_equal(ip + 20, f + 34, 40);

	/* TTL 1: time exceeded back to the sender, from the in interface */
	n = echo_req(f, fa0->mac, A("10.0.0.2"), A("10.1.0.2"), 1, 2);
	feed(fa0, f, n);
	assert_int_equal(ntx, 2);
	ip = tx_ip(1);
	assert_int_equal(ip[20], 11);
	assert_memory_equal(ip + 12, &(uint32_t){A("10.0.0.1")}, 4);

	/* no route: host unreachable */
	n = echo_req(f, fa0->mac, A("10.0.0.2"), A("192.0.2.9"), 64, 3);
	feed(fa0, f, n);
	assert_int_equal(ntx, 3);
	ip = tx_ip(2);
	assert_int_equal(ip[20], 3);
	assert_int_equal(ip[21], 1);

	/* a transit fragment is dropped and counted */
	uint64_t fd = ip_stats.frag_drop;
	n = echo_req(f, fa0->mac, A("10.0.0.2"), A("10.1.0.2"), 64, 4);
	f[14 + 6] = 0x20;                           /* MF */
	f[14 + 10] = f[14 + 11] = 0;
	uint16_t c = inet_csum(f + 14, 20, 0);
	f[14 + 10] = (uint8_t)(c >> 8);
	f[14 + 11] = (uint8_t)c;
	feed(fa0, f, n);
	assert_int_equal(ntx, 3);
	assert_int_equal(ip_stats.frag_drop, fd + 1);
}

static void test_acl_in(void **state)
{
	learn_host(fa0, host_mac, A("10.0.0.2"), A("10.0.0.1"));
	learn_host(fa1, host2_mac, A("10.1.0.2"), A("10.1.0.1"));
	assert_int_equal(cfg("access-list 101 deny icmp any host 10.1.0.2\n"
			     "access-list 101 permit ip any any\n"
			     "interface FastEthernet0/0\n"
			     " ip access-group 101 in\n"), 0);
	ntx = 0;
	uint8_t f[128];
	size_t n = echo_req(f, fa0->mac, A("10.0.0.2"), A("10.1.0.2"), 64, 1);
	feed(fa0, f, n);
	assert_int_equal(ntx, 1);
	const uint8_t *ip = tx_ip(0);
	assert_ptr_equal(tx[0].ifp, fa0);
	assert_int_equal(ip[20], 3);
	assert_int_equal(ip[21], 13);
	char *out = exec_lines("show access-lists 101");
	assert_non_null(strstr(out, "deny icmp any host 10.1.0.2 (1 match)"));
	free(out);
	/* the router's own address is still reachable through the list */
	n = echo_req(f, fa0->mac, A("10.0.0.2"), A("10.0.0.1"), 64, 2);
	feed(fa0, f, n);
	assert_int_equal(ntx, 2);
	assert_int_equal(tx_ip(1)[20], 0);
}

static struct icmp_echo_result got;
static int echo_hits;
static void echo_cb(const struct icmp_echo_result *r, void *ctx)
{
	got = *r;
	echo_hits++;
	assert_ptr_equal(ctx, &got);
}

static void test_echo_api(void **state)
{
	learn_host(fa0, host_mac, A("10.0.0.2"), A("10.0.0.1"));
	uint16_t id = icmp_echo_register(echo_cb, &got);
	echo_hits = 0;
	assert_int_equal(icmp_echo_send(0, A("10.0.0.2"), id, 9, 72, false), 0);
	assert_int_equal(ntx, 1);
	const uint8_t *ip = tx_ip(0);
	assert_int_equal(rd16(ip + 2), 100);     /* IOS's 100-byte echo */
	assert_int_equal(ip[20], 8);
	/* the host answers it */
	uint8_t f[200];
	size_t n = eth(f, fa0->mac, host_mac, 0x0800);
	memcpy(f + n, ip, 100);
	uint8_t *rip = f + n;
	memcpy(rip + 12, &(uint32_t){A("10.0.0.2")}, 4);
	memcpy(rip + 16, &(uint32_t){A("10.0.0.1")}, 4);
	rip[10] = rip[11] = 0;
	uint16_t c = inet_csum(rip, 20, 0);
	rip[10] = (uint8_t)(c >> 8);
	rip[11] = (uint8_t)c;
	rip[20] = 0;
	rip[22] = rip[23] = 0;
	c = inet_csum(rip + 20, 80, 0);
	rip[22] = (uint8_t)(c >> 8);
	rip[23] = (uint8_t)c;
	feed(fa0, f, n + 100);
	assert_int_equal(echo_hits, 1);
	assert_int_equal(got.id, id);
	assert_int_equal(got.seq, 9);
	assert_int_equal(got.type, 0);
	assert_int_equal(got.from, A("10.0.0.2"));
	icmp_echo_unregister(id);
	feed(fa0, f, n + 100);
	assert_int_equal(echo_hits, 1);
}

int main(void)
{
	router_init();
	port_set_tx_hook(tx_hook);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_gratuitous_arp_on_address, setup),
		cmocka_unit_test_setup(test_arp_reply_and_learn, setup),
		cmocka_unit_test_setup(test_echo_reply, setup),
		cmocka_unit_test_setup(test_bad_frames_counted, setup),
		cmocka_unit_test_setup(test_udp_demux_and_mcast, setup),
		cmocka_unit_test_setup(test_udp_send_resolves_arp, setup),
		cmocka_unit_test_setup(test_vaddr, setup),
		cmocka_unit_test_setup(test_vaddr_count, setup),
		cmocka_unit_test_setup(test_forwarding, setup),
		cmocka_unit_test_setup(test_acl_in, setup),
		cmocka_unit_test_setup(test_echo_api, setup),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	iface_set_attached(fa0, false);
	iface_set_attached(fa1, false);
	core_reset_all();
	return rc;
}
