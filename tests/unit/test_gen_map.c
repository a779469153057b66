/* Unit tests of the crypto maps the router makes itself (crypto/gen_map.c):
 * `security ipsec PROFILE` protecting the IPC traffic (IPC-head-0 on the
 * interface holding local-ip, the host route to remote-ip, nothing of the
 * pair's SCTP in clear either way, on any interface) and `tunnel
 * protection ipsec profile` (TunnelN-head-0, its stateful binding only
 * when the tunnel source is the group's virtual IP). The router:
 * FastEthernet0/0 10.0.0.1 toward the peer 10.0.0.2 (the IPC link),
 * FastEthernet0/1 192.168.1.1. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "../../crypto/sadb.h"
#include "../../router/router.h"
#include "net_frames.h"

static const uint8_t peer_mac[6] = {0x02, 0, 0, 0, 0, 0x22};

static int acquires;
static uint32_t acq_peer;
static void on_acquire(const struct cmap_entry *e, const struct sa_selector *sel,
		       uint32_t peer)
{
	acquires++;
	acq_peer = peer;
}

/* What reaches the router's SCTP (IP 132) handler. */
static int sctp_delivered;
static void sctp_rx(const struct ip_rx *rx)
{
	sctp_delivered++;
}

static void loop_turn(void)
{
	ev_run(core_loop, EVRUN_NOWAIT);
}

static const char ipc_cfg[] =
	"logging buffered 100000 debugging\n"
	"ipc zone default\n"
	" association 1\n"
	"  no shutdown\n"
	"  protocol sctp\n"
	"   local-port 5000\n"
	"    local-ip 10.0.0.1\n"
	"   remote-port 5000\n"
	"    remote-ip 10.0.0.2\n"
	"crypto isakmp policy 1\n"
	" authentication pre-share\n"
	"crypto isakmp key cisco123 address 0.0.0.0 0.0.0.0 no-xauth\n"
	"crypto ipsec transform-set trans2 ah-md5-hmac esp-aes\n"
	"crypto ipsec profile sso-secure\n"
	" set transform-set trans2\n";

static int setup(void **state)
{
	core_reset_all();
	port_set_tx_hook(tx_hook);
	sadb_set_acquire(on_acquire);
	ip_register_proto(132, sctp_rx);
	acquires = sctp_delivered = 0;
	acq_peer = 0;
	attach_fa0_fa1();
	assert_int_equal(cfg("interface FastEthernet0/0\n"
			     " ip address 10.0.0.1 255.255.255.0\n"
			     "interface FastEthernet0/1\n"
			     " ip address 192.168.1.1 255.255.255.0\n"), 0);
	assert_int_equal(cfg(ipc_cfg), 0);
	learn_host(fa0, peer_mac, A("10.0.0.2"), A("10.0.0.1"));
	ntx = 0;
	return 0;
}


/* The router's own SCTP packet to the peer. */
static void router_sends_sctp(void)
{
	uint8_t chunk[32] = {0x13, 0x88, 0x13, 0x88};
	ip_send(A("10.0.0.1"), A("10.0.0.2"), 132, chunk, sizeof chunk, NULL);
	loop_turn();
}

static int sctp_frames_sent(void)
{
	int n = 0;
	for (int i = 0; i < ntx; i++)
		if (rd16(tx[i].data + 12) == 0x0800 && tx_ip(i)[9] == 132)
			n++;
	return n;
}

/* An SCTP packet from the peer in clear, arriving on IFP. */
static void peer_sends_sctp(struct iface *ifp)
{
	uint8_t f[128];
	size_t n = eth(f, ifp->mac, peer_mac, 0x0800);
	ip_hdr(f + n, A("10.0.0.2"), A("10.0.0.1"), 132, 64, 32);
	memset(f + n + 20, 0, 32);
	feed(ifp, f, n + 52);
}

/* Without security ipsec the pair's SCTP goes and comes in clear (the
 * check below can fail). */
static void test_without_security_clear(void **state)
{
	loop_turn();
	router_sends_sctp();
	assert_int_equal(sctp_frames_sent(), 1);
	peer_sends_sctp(fa0);
	assert_int_equal(sctp_delivered, 1);
	assert_shows("show redundancy inter-device", "  Security: Not configured\n",
		     true);
	assert_shows("show crypto map", "IPC-head-0", false);
}

static void test_security_map_route_acquire(void **state)
{
	assert_int_equal(cfg("redundancy inter-device\n"
			     " security ipsec sso-secure\n"), 0);
	loop_turn();
	assert_shows("show crypto map",
		     "Crypto Map \"IPC-head-0\" 1 ipsec-isakmp\n"
		     "        Map is a PROFILE INSTANCE.\n"
		     "        Peer = 10.0.0.2\n"
		     "        Extended IP access list \n"
		     "            access-list  permit 132 host 10.0.0.1 host "
		     "10.0.0.2\n", true);
	assert_shows("show crypto map", "Interfaces using crypto map IPC-head-0:\n"
		     "                FastEthernet0/0\n", true);
	assert_shows("show ip route",
		     "S       10.0.0.2/32 is directly connected, FastEthernet0/0\n",
		     true);
	assert_shows("show running-config", "IPC-head-0", false);
	router_sends_sctp();
	assert_int_equal(sctp_frames_sent(), 0);
	assert_int_equal(acquires, 1);
	assert_int_equal(acq_peer, A("10.0.0.2"));
	assert_shows("show redundancy inter-device",
		     "  Security: IPSec profile sso-secure, IPC traffic blocked: "
		     "no IPsec SA with 10.0.0.2\n"
		     "    Clear-text IPC packets dropped: 0\n", true);
	/* the peer's clear SCTP, on either interface, never reaches IPC */
	peer_sends_sctp(fa0);
	peer_sends_sctp(fa1);
	assert_int_equal(sctp_delivered, 0);
	assert_shows("show redundancy inter-device",
		     "    Clear-text IPC packets dropped: 2\n", true);
	assert_shows("show logging", "%CRYPTO-4-RECVD_PKT_NOT_IPSEC", true);
	/* no security: clear again, the route gone */
	assert_int_equal(cfg("redundancy inter-device\n no security ipsec\n"), 0);
	loop_turn();
	assert_shows("show ip route", "10.0.0.2/32", false);
	peer_sends_sctp(fa0);
	assert_int_equal(sctp_delivered, 1);
}

static void test_security_missing_profile_blocks(void **state)
{
	assert_int_equal(cfg("redundancy inter-device\n"
			     " security ipsec nosuch\n"), 0);
	loop_turn();
	router_sends_sctp();
	assert_int_equal(sctp_frames_sent(), 0);
	assert_int_equal(acquires, 0);
	assert_shows("show redundancy inter-device",
		     "  Security: IPSec profile nosuch, IPC traffic blocked: "
		     "profile nosuch not found\n", true);
	assert_shows("show logging", "%CRYPTO-4-IPC_SECURITY_BLOCKED: security "
		     "ipsec nosuch: profile nosuch not found; IPC traffic is "
		     "dropped, not sent in clear", true);
	peer_sends_sctp(fa0);
	assert_int_equal(sctp_delivered, 0);
	/* the profile arrives: the IPC traffic asks for its SA */
	assert_int_equal(cfg("crypto ipsec profile nosuch\n"
			     " set transform-set trans2\n"), 0);
	loop_turn();
	router_sends_sctp();
	assert_int_equal(sctp_frames_sent(), 0);
	assert_int_equal(acquires, 1);
}

/* The SCTP routed elsewhere (the host route removed by a more specific
 * static one out of the other interface) is still not sent in clear. */
static void test_security_never_clear_elsewhere(void **state)
{
	assert_int_equal(cfg("redundancy inter-device\n"
			     " security ipsec sso-secure\n"
			     "ip route 10.0.0.2 255.255.255.255 192.168.1.2\n"), 0);
	loop_turn();
	learn_host(fa1, host_mac, A("192.168.1.2"), A("192.168.1.1"));
	ntx = 0;
	router_sends_sctp();
	assert_int_equal(sctp_frames_sent(), 0);
	/* it did not reach IPC-head-0 on FastEthernet0/0 (no "no sa" there):
	 * the strict check dropped it on its way out of FastEthernet0/1 */
	char *out = exec_lines("show crypto ipsec sa detail");
	assert_non_null(strstr(out, "#pkts no sa (send) 0,"));
	free(out);
	assert_shows("show ip route", "                    [1/0] via 192.168.1.2\n",
		     true);
}

static const char tunnel_cfg[] =
	"crypto ipsec profile peer-profile\n"
	" set transform-set trans2\n"
	" redundancy HA-out stateful\n"
	"interface Loopback0\n"
	" ip address 1.1.1.1 255.255.255.255\n"
	"interface Tunnel1\n"
	" ip unnumbered Loopback0\n"
	" tunnel source %s\n"
	" tunnel destination 10.0.0.5\n"
	" tunnel protection ipsec profile peer-profile\n"
	"interface FastEthernet0/0\n"
	" standby 1 ip 10.0.0.3\n"
	" standby 1 name HA-out\n";

static void tunnel_with_source(const char *src)
{
	char b[1024];
	snprintf(b, sizeof b, tunnel_cfg, src);
	assert_int_equal(cfg(b), 0);
	loop_turn();
}

static void test_tunnel_map_stateful_on_vip(void **state)
{
	tunnel_with_source("10.0.0.3");
	assert_shows("show crypto map",
		     "Crypto Map \"Tunnel1-head-0\" 65536 ipsec-isakmp\n"
		     "        Map is a PROFILE INSTANCE.\n"
		     "        Peer = 10.0.0.5\n"
		     "        Extended IP access list \n"
		     "            access-list  permit gre host 10.0.0.3 host "
		     "10.0.0.5\n", true);
	assert_shows("show crypto map interface Tunnel1",
		     "Interfaces using crypto map Tunnel1-head-0:\n"
		     "                Tunnel1\n", true);
	assert_shows("show crypto ha", "10.0.0.3", true);
	assert_shows("show logging", "TUNNEL_PROTECTION_BLOCKED", false);
	assert_shows("show interfaces Tunnel1",
		     "  Tunnel receive bandwidth 8000 (kbps)\n"
		     "  Tunnel protection via IPSec (profile \"peer-profile\")\n", true);
	assert_int_equal(cfg("interface Tunnel1\n"
			     " no tunnel protection ipsec profile peer-profile\n"), 0);
	assert_shows("show interfaces Tunnel1", "Tunnel protection", false);
}

static void test_tunnel_source_not_vip_blocked(void **state)
{
	tunnel_with_source("10.0.0.1");
	assert_shows("show logging", "%CRYPTO-4-TUNNEL_PROTECTION_BLOCKED: "
		     "Tunnel1: tunnel source 10.0.0.1 is not the virtual IP "
		     "address 10.0.0.3 of redundancy group HA-out; its traffic is "
		     "dropped", true);
	assert_shows("show crypto ha", "10.0.0.3", false);
}

static char *config_output(const char *text)
{
	struct sbuf out;
	sbuf_init(&out);
	cli_exec_config_text(text, &out);
	return out.s ? out.s : calloc(1, 1);
}

/* IOS refuses the tunnel protection it cannot apply. */
static void test_tunnel_protection_refused(void **state)
{
	char *out = config_output("crypto ipsec profile bad\n"
				  " set transform-set nosuch\n"
				  "interface Tunnel2\n"
				  " tunnel source 10.0.0.1\n"
				  " tunnel destination 10.0.0.6\n"
				  " tunnel protection ipsec profile bad\n");
	assert_non_null(strstr(out, "ERROR: transform set with tag \"nosuch\" "
				    "does not exist.\n"));
	free(out);
	out = config_output("crypto ipsec profile ha\n"
			    " set transform-set trans2\n"
			    " redundancy HA-out stateful\n"
			    "interface Tunnel3\n"
			    " tunnel source FastEthernet0/0\n"
			    " tunnel destination 10.0.0.7\n"
			    " tunnel protection ipsec profile ha\n");
	assert_non_null(strstr(out, "% Tunnel source of Tunnel3 is an interface: "
				    "stateful failover (redundancy HA-out) needs "
				    "the tunnel source to be the virtual IP "
				    "address\n"));
	free(out);
	assert_shows("show running-config", "tunnel protection", false);
}

/* ---- IPsec virtual tunnel interfaces ------------------------------------------ */

static const char vti_cfg[] =
	"crypto ipsec transform-set vts esp-aes esp-sha-hmac\n"
	"crypto ipsec profile V\n"
	" set transform-set vts\n"
	"interface Tunnel5\n"
	" ip address 172.16.5.1 255.255.255.252\n"
	" tunnel source 10.0.0.1\n"
	" tunnel mode ipsec ipv4\n"
	" tunnel destination 10.0.0.2\n"
	" tunnel protection ipsec profile V\n";

/* A VTI protects any to any on the tunnel alone (the pair's clear SCTP on
 * FastEthernet0/0 still passes both ways: the check can fail), asks IKE
 * for its SAs with no traffic, and keeps its line protocol down until
 * they are up; back to GRE it is an ordinary tunnel map again. */
static void test_vti_map(void **state)
{
	assert_int_equal(cfg(vti_cfg), 0);
	loop_turn();
	loop_turn();
	assert_shows("show crypto map",
		     "Crypto Map \"Tunnel5-head-0\" 65536 ipsec-isakmp\n"
		     "        Map is a PROFILE INSTANCE.\n"
		     "        Peer = 10.0.0.2\n"
		     "        Extended IP access list \n"
		     "            access-list  permit ip any any\n", true);
	assert_true(acquires >= 1);
	assert_int_equal(acq_peer, A("10.0.0.2"));
	assert_shows("show interfaces Tunnel5", "Tunnel5 is up, line protocol is down", true);
	assert_shows("show interfaces Tunnel5", "  Tunnel protocol/transport IPSEC/IP\n", true);
	peer_sends_sctp(fa0);
	assert_int_equal(sctp_delivered, 1);
	router_sends_sctp();
	assert_int_equal(sctp_frames_sent(), 1);
	assert_int_equal(cfg("interface Tunnel5\n no tunnel mode\n"), 0);
	loop_turn();
	assert_shows("show crypto map",
		     "            access-list  permit gre host 10.0.0.1 host 10.0.0.2\n",
		     true);
	assert_shows("show interfaces Tunnel5", "Tunnel5 is up, line protocol is up", true);
	assert_shows("show running-config", "tunnel mode", false);
}

/* Transport mode blocks a VTI (it carries whole packets); a stateful
 * profile works there without the failover IOS does not offer on VTIs. */
static void test_vti_transport_and_stateful(void **state)
{
	assert_int_equal(cfg("crypto ipsec transform-set tt esp-aes esp-sha-hmac\n"
			     " mode transport\n"
			     "crypto ipsec profile T\n set transform-set tt\n"
			     "interface Tunnel6\n tunnel source 10.0.0.1\n"
			     " tunnel mode ipsec ipv4\n tunnel destination 10.0.0.6\n"
			     " tunnel protection ipsec profile T\n"), 0);
	loop_turn();
	loop_turn();
	assert_int_equal(acquires, 0);
	assert_shows("show logging", "%CRYPTO-4-TUNNEL_PROTECTION_BLOCKED: Tunnel6: "
		     "transform set tt is in transport mode; a virtual tunnel "
		     "interface needs tunnel mode; its traffic is dropped", true);
	assert_int_equal(cfg("crypto ipsec transform-set vts esp-aes esp-sha-hmac\n"
			     "crypto ipsec profile ha\n set transform-set vts\n"
			     " redundancy HA-out stateful\n"
			     "interface FastEthernet0/0\n standby 1 ip 10.0.0.3\n"
			     " standby 1 name HA-out\n"
			     "interface Tunnel7\n tunnel source 10.0.0.1\n"
			     " tunnel mode ipsec ipv4\n tunnel destination 10.0.0.7\n"
			     " tunnel protection ipsec profile ha\n"), 0);
	loop_turn();
	loop_turn();
	assert_shows("show logging", "%CRYPTO-4-VTI_NOT_STATEFUL: Tunnel7: stateful "
		     "failover (redundancy HA-out) is not supported on a virtual "
		     "tunnel interface; its SAs are not kept on the standby", true);
	assert_int_equal(acquires, 1);
	assert_int_equal(acq_peer, A("10.0.0.7"));
}

int main(void)
{
	router_init();
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_without_security_clear, setup),
		cmocka_unit_test_setup(test_security_map_route_acquire, setup),
		cmocka_unit_test_setup(test_security_missing_profile_blocks, setup),
		cmocka_unit_test_setup(test_security_never_clear_elsewhere, setup),
		cmocka_unit_test_setup(test_tunnel_map_stateful_on_vip, setup),
		cmocka_unit_test_setup(test_tunnel_source_not_vip_blocked, setup),
		cmocka_unit_test_setup(test_tunnel_protection_refused, setup),
		cmocka_unit_test_setup(test_vti_map, setup),
		cmocka_unit_test_setup(test_vti_transport_and_stateful, setup),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	core_reset_all();
	return rc;
}
