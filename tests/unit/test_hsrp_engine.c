/* Unit tests of the HSRP protocol engine: the v1 and v2 codecs (byte
 * layouts, a known MD5 answer from a real IOS capture, every malformed
 * shape counted by its reason), and the state machine driven through its
 * receive function and its timers, with the data plane replaced by a
 * capture of what the engine would send, install and join. */
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
#include "../../hsrp/hsrp_int.h"

/* ---- the capture data plane -------------------------------------------- */

#define MAXPKT 256
struct sent {
	uint8_t buf[HSRP_PKT_MAX];
	size_t len;
	uint32_t dst;
	bool vmac_src;
	uint8_t src_mac[6];
};
static struct sent pkts[MAXPKT];
static int npkts;
static uint32_t vaddrs[8];
static int nvaddrs;
static int macs_added;
static uint32_t joined;

static int cap_send(struct iface *ifp, const uint8_t *src_mac, uint32_t dst,
		    const void *buf, size_t len)
{
	if (npkts < MAXPKT) {
		struct sent *s = &pkts[npkts++];
		memcpy(s->buf, buf, len);
		s->len = len;
		s->dst = dst;
		s->vmac_src = src_mac != NULL;
		if (src_mac)
			memcpy(s->src_mac, src_mac, 6);
	}
	return 0;
}

static void cap_vaddr_add(struct iface *ifp, uint32_t a, const uint8_t mac[6])
{
	if (nvaddrs < 8)
		vaddrs[nvaddrs++] = a;
}

static void cap_vaddr_del(struct iface *ifp, uint32_t a)
{
	for (int i = 0; i < nvaddrs; i++)
		if (vaddrs[i] == a) {
			vaddrs[i] = vaddrs[--nvaddrs];
			return;
		}
	fail_msg("vaddr_del of an address never added");
}

static void cap_mac_add(struct iface *ifp, const uint8_t mac[6]) { macs_added++; }
static void cap_mac_del(struct iface *ifp, const uint8_t mac[6]) { macs_added--; }
static void cap_join(struct iface *ifp, uint32_t g) { joined = g; }
static void cap_leave(struct iface *ifp, uint32_t g)
{
	assert_int_equal(g, joined);
	joined = 0;
}

static const struct hsrp_io cap_io = {
	.send = cap_send,
	.vaddr_add = cap_vaddr_add, .vaddr_del = cap_vaddr_del,
	.mac_add = cap_mac_add,     .mac_del = cap_mac_del,
	.mcast_join = cap_join,     .mcast_leave = cap_leave,
};

/* ---- helpers ------------------------------------------------------------ */

static uint32_t A(const char *s)
{
	uint32_t a;
	assert_true(ip_parse(s, &a));
	return a;
}

static int cfg(const char *text)
{
	struct sbuf e;
	sbuf_init(&e);
	int n = cli_exec_config_text(text, &e);
	if (n)
		print_message("config errors: %s\n", e.s);
	sbuf_free(&e);
	return n;
}

static struct iface *IF;
/* The source MAC of peers' packets: an Active router's virtual MAC. */
static uint8_t peer_mac[6];

/* Fa0/0 10.0.0.1/24 with group 1, its interface up and the
 * initialisation delay over. EXTRA: more group configuration. */
static struct hsrp_group *router(const char *extra)
{
	char text[1024];
	snprintf(text, sizeof text,
		 "interface FastEthernet0/0\n"
		 " ip address 10.0.0.1 255.255.255.0\n"
		 " no shutdown\n%s", extra);
	assert_int_equal(cfg(text), 0);
	IF = iface_find("FastEthernet0/0");
	assert_non_null(IF);
	iface_set_carrier(IF, true);
	struct hsrp_if *hif = hsrp_if_find(IF);
	assert_non_null(hif);
	hsrp_fsm_delay_expire(hif);
	return hsrp_group_find(hif, 1);
}

static int setup(void **state)
{
	core_reset_all();
	hsrp_io_set(&cap_io);
	npkts = nvaddrs = macs_added = 0;
	memcpy(peer_mac, (uint8_t[6]){ 0, 0, 0x0c, 0x07, 0xac, 1 }, 6);
	joined = 0;
	return 0;
}

/* The group address of IF's HSRP version (network order). */
static uint32_t group_dst(void)
{
	return htonl(hsrp_if_find(IF)->version == 2 ? HSRP_V2_GROUP_ADDR
						    : HSRP_V1_GROUP_ADDR);
}

/* A packet from a peer: its message, its authentication A, sent with
 * TTL and to DST (0: the interface's group address). */
static void deliver_ip(const struct hsrp_msg *m, const char *peer,
		       const struct hsrp_auth_cfg *a, uint8_t ttl, uint32_t dst)
{
	uint8_t buf[HSRP_PKT_MAX];
	size_t len = hsrp_pkt_encode(m, a, A(peer), buf, sizeof buf);
	assert_true(len > 0);
	struct ip_rx rx = {
		.ifp = IF, .src_mac = peer_mac, .src = A(peer),
		.dst = dst ? dst : group_dst(), .proto = 17, .ttl = ttl,
		.sport = HSRP_PORT, .dport = HSRP_PORT,
		.payload = buf, .len = len,
	};
	hsrp_receive(&rx);
}

/* The same as a neighbour on the link sends it: TTL 1, to the group. */
static void deliver_auth(const struct hsrp_msg *m, const char *peer,
			 const struct hsrp_auth_cfg *a)
{
	deliver_ip(m, peer, a, 1, 0);
}

static void deliver(unsigned op, enum hsrp_state s, unsigned pri,
		    const char *peer)
{
	struct hsrp_msg m = {
		.version = 1, .opcode = op, .state = s, .hello_ms = 3000,
		.hold_ms = 10000, .priority = pri, .group = 1,
		.vip = A("10.0.0.254"),
	};
	struct hsrp_auth_cfg a = { .md5 = false, .key = "cisco" };
	deliver_auth(&m, peer, &a);
}

static void raw(const uint8_t *buf, size_t len)
{
	struct ip_rx rx = {
		.ifp = IF, .src = A("10.0.0.2"), .dst = group_dst(),
		.proto = 17, .ttl = 1, .sport = HSRP_PORT, .dport = HSRP_PORT,
		.payload = buf, .len = len,
	};
	hsrp_receive(&rx);
}

/* The last packet sent, decoded. */
static struct hsrp_msg last(void)
{
	struct hsrp_msg m;
	assert_true(npkts > 0);
	assert_int_equal(hsrp_pkt_decode(pkts[npkts - 1].buf,
					 pkts[npkts - 1].len, &m), HSRP_PKT_OK);
	return m;
}

static void to_active_alone(struct hsrp_group *g)
{
	assert_int_equal(g->state, HSRP_LISTEN);
	hsrp_fsm_expire(g, HSRP_T_ACTIVE);     /* c: nobody Active */
	assert_int_equal(g->state, HSRP_SPEAK);
	hsrp_fsm_expire(g, HSRP_T_STANDBY);    /* d: nobody Standby */
	assert_int_equal(g->state, HSRP_ACTIVE);
}

/* ---- codec ------------------------------------------------------------------ */

static void test_v1_layout(void **state)
{
	struct hsrp_msg m = {
		.version = 1, .opcode = HSRP_OP_HELLO, .state = HSRP_ACTIVE,
		.hello_ms = 3000, .hold_ms = 10000, .priority = 110,
		.group = 7, .vip = A("192.168.1.254"),
	};
	struct hsrp_auth_cfg a = { .md5 = false, .key = "cisco" };
	uint8_t b[HSRP_PKT_MAX];
	assert_int_equal(hsrp_pkt_encode(&m, &a, A("192.168.1.2"), b, sizeof b), 20);
	static const uint8_t want[20] = {
		0, 0, 16, 3, 10, 110, 7, 0, 'c', 'i', 's', 'c', 'o', 0, 0, 0,
		192, 168, 1, 254,
	};
	assert_memory_equal(b, want, 20);
	struct hsrp_msg d;
	assert_int_equal(hsrp_pkt_decode(b, 20, &d), HSRP_PKT_OK);
	assert_int_equal(d.version, 1);
	assert_int_equal(d.state, HSRP_ACTIVE);
	assert_int_equal(d.priority, 110);
	assert_int_equal(d.group, 7);
	assert_int_equal(d.hold_ms, 10000);
	assert_int_equal(d.vip, A("192.168.1.254"));
	assert_true(hsrp_pkt_auth_ok(b, 20, &d, &a));
	struct hsrp_auth_cfg other = { .md5 = false, .key = "secret" };
	assert_false(hsrp_pkt_auth_ok(b, 20, &d, &other));
}

/* An HSRP v1 MD5 hello captured from IOS (openwall john's test vector):
 * Speak, hello 3 hold 10, priority 100, group 1, VIP 10.0.0.100, from
 * 10.0.0.20, key "password12345". */
static void test_v1_md5_known_answer(void **state)
{
	static const uint8_t want[50] = {
		0x00, 0x00, 0x04, 0x03, 0x0a, 0x64, 0x01, 0x00,
		0, 0, 0, 0, 0, 0, 0, 0, 0x0a, 0x00, 0x00, 0x64,
		0x04, 0x1c, 0x01, 0x00, 0x00, 0x00, 0x0a, 0x00, 0x00, 0x14,
		0, 0, 0, 0,
		0x52, 0xe1, 0xdb, 0x09, 0xd1, 0x8d, 0x69, 0x5b,
		0x8f, 0xef, 0xb3, 0x73, 0x0f, 0xf8, 0xd9, 0xd6,
	};
	struct hsrp_msg m = {
		.version = 1, .opcode = HSRP_OP_HELLO, .state = HSRP_SPEAK,
		.hello_ms = 3000, .hold_ms = 10000, .priority = 100,
		.group = 1, .vip = A("10.0.0.100"),
	};
	struct hsrp_auth_cfg a = { .md5 = true, .key = "password12345" };
	uint8_t b[HSRP_PKT_MAX];
	assert_int_equal(hsrp_pkt_encode(&m, &a, A("10.0.0.20"), b, sizeof b), 50);
	assert_memory_equal(b, want, 50);
	struct hsrp_msg d;
	assert_int_equal(hsrp_pkt_decode(want, 50, &d), HSRP_PKT_OK);
	assert_int_equal(d.auth, HSRP_MSG_AUTH_MD5);
	assert_int_equal(d.md5_ip, A("10.0.0.20"));
	assert_true(hsrp_pkt_auth_ok(want, 50, &d, &a));
	struct hsrp_auth_cfg wrong = { .md5 = true, .key = "password1234" };
	assert_false(hsrp_pkt_auth_ok(want, 50, &d, &wrong));
	struct hsrp_auth_cfg text = { .md5 = false, .key = "cisco" };
	assert_false(hsrp_pkt_auth_ok(want, 50, &d, &text));
}

static void test_v2_layout(void **state)
{
	struct hsrp_msg m = {
		.version = 2, .opcode = HSRP_OP_COUP, .state = HSRP_STANDBY,
		.hello_ms = 100, .hold_ms = 300, .priority = 200,
		.group = 4095, .vip = A("10.1.1.1"),
		.ident = { 0xca, 0xfe, 0, 0, 0, 1 },
	};
	struct hsrp_auth_cfg a = { .md5 = false, .key = "cisco" };
	uint8_t b[HSRP_PKT_MAX];
	assert_int_equal(hsrp_pkt_encode(&m, &a, A("10.1.1.2"), b, sizeof b), 52);
	static const uint8_t head[28] = {
		1, 40, 2, 1, 5, 4, 0x0f, 0xff, 0xca, 0xfe, 0, 0, 0, 1,
		0, 0, 0, 200, 0, 0, 0, 100, 0, 0, 1, 0x2c, 10, 1,
	};
	assert_memory_equal(b, head, 28);
	assert_int_equal(b[42], HSRP_TLV_TEXT_AUTH);
	assert_int_equal(b[43], 8);
	assert_memory_equal(b + 44, "cisco\0\0\0", 8);
	struct hsrp_msg d;
	assert_int_equal(hsrp_pkt_decode(b, 52, &d), HSRP_PKT_OK);
	assert_int_equal(d.version, 2);
	assert_int_equal(d.opcode, HSRP_OP_COUP);
	assert_int_equal(d.state, HSRP_STANDBY);
	assert_int_equal(d.group, 4095);
	assert_int_equal(d.hello_ms, 100);
	assert_int_equal(d.hold_ms, 300);
	assert_true(hsrp_pkt_auth_ok(b, 52, &d, &a));

	/* MD5: group state TLV + MD5 TLV, verified over the whole packet */
	struct hsrp_auth_cfg k = { .md5 = true, .key = "k3y" };
	size_t n = hsrp_pkt_encode(&m, &k, A("10.1.1.2"), b, sizeof b);
	assert_int_equal(n, 72);
	assert_int_equal(hsrp_pkt_decode(b, n, &d), HSRP_PKT_OK);
	assert_true(hsrp_pkt_auth_ok(b, n, &d, &k));
	b[10] ^= 1;     /* a changed identifier breaks the digest */
	assert_int_equal(hsrp_pkt_decode(b, n, &d), HSRP_PKT_OK);
	assert_false(hsrp_pkt_auth_ok(b, n, &d, &k));
}

static void test_malformed(void **state)
{
	struct hsrp_msg m = {
		.version = 1, .opcode = HSRP_OP_HELLO, .state = HSRP_SPEAK,
		.hello_ms = 3000, .hold_ms = 10000, .priority = 1, .group = 1,
	};
	struct hsrp_auth_cfg a = { .md5 = false, .key = "cisco" };
	uint8_t b[HSRP_PKT_MAX + 8], d2[HSRP_PKT_MAX];
	struct hsrp_msg d;
	size_t n = hsrp_pkt_encode(&m, &a, 0, b, sizeof b);
	for (size_t l = 0; l < n; l++)
		assert_int_equal(hsrp_pkt_decode(b, l, &d), HSRP_PKT_SHORT);
	assert_int_equal(hsrp_pkt_decode(b, n + 1, &d), HSRP_PKT_LONG);
	assert_int_equal(hsrp_pkt_decode(b, HSRP_PKT_MAX + 1, &d), HSRP_PKT_LONG);
	b[1] = 9;
	assert_int_equal(hsrp_pkt_decode(b, n, &d), HSRP_PKT_OPCODE);
	b[1] = 0;
	b[2] = 3;       /* not one of 0,1,2,4,8,16 */
	assert_int_equal(hsrp_pkt_decode(b, n, &d), HSRP_PKT_FIELD);
	b[2] = 4;
	b[0] = 7;
	assert_int_equal(hsrp_pkt_decode(b, n, &d), HSRP_PKT_VERSION);

	/* v2: every truncation of a good packet is short; a grown group
	 * state TLV is long; an unknown TLV is skipped */
	m.version = 2;
	n = hsrp_pkt_encode(&m, &a, 0, d2, sizeof d2);
	for (size_t l = 3; l < n; l++)
		assert_int_equal(hsrp_pkt_decode(d2, l, &d),
				 /* the group state TLV alone is a whole packet */
				 l == 2 + HSRP_GS_TLV_LEN ? HSRP_PKT_OK
							  : HSRP_PKT_SHORT);
	memcpy(b, d2, n);
	b[n] = 99;
	b[n + 1] = 2;
	b[n + 2] = b[n + 3] = 0;
	assert_int_equal(hsrp_pkt_decode(b, n + 4, &d), HSRP_PKT_OK);
	d2[1] = 41;
	assert_int_equal(hsrp_pkt_decode(d2, n, &d), HSRP_PKT_LONG);
	d2[1] = 40;
	d2[3] = 5;      /* opcode */
	assert_int_equal(hsrp_pkt_decode(d2, n, &d), HSRP_PKT_OPCODE);
}

/* ---- state machine ---------------------------------------------------------- */

static void test_lone_router_becomes_active(void **state)
{
	struct hsrp_group *g = router(" standby 1 ip 10.0.0.254\n");
	assert_int_equal(joined, htonl(HSRP_V1_GROUP_ADDR));
	to_active_alone(g);
	/* Active: owns the VIP and the virtual MAC, hellos from the vMAC */
	assert_int_equal(nvaddrs, 1);
	assert_int_equal(vaddrs[0], A("10.0.0.254"));
	assert_int_equal(macs_added, 1);
	struct hsrp_msg m = last();
	assert_int_equal(m.state, HSRP_ACTIVE);
	assert_int_equal(m.opcode, HSRP_OP_HELLO);
	assert_true(pkts[npkts - 1].vmac_src);
	static const uint8_t vmac[6] = { 0, 0, 0x0c, 0x07, 0xac, 1 };
	assert_memory_equal(pkts[npkts - 1].src_mac, vmac, 6);
	assert_int_equal(pkts[npkts - 1].dst, htonl(HSRP_V1_GROUP_ADDR));
	/* e: periodic hellos */
	int before = npkts;
	hsrp_fsm_expire(g, HSRP_T_HELLO);
	assert_int_equal(npkts, before + 1);
	/* carrier lost: Init, address given up; nothing can be sent (no
	 * Resign on a dead link) */
	before = npkts;
	iface_set_carrier(IF, false);
	assert_int_equal(g->state, HSRP_INIT);
	assert_int_equal(nvaddrs, 0);
	assert_int_equal(macs_added, 0);
	assert_int_equal(npkts, before);
}

/* `shutdown` of the Active router's interface: it resigns while the
 * interface can still send, then goes to Init and gives the address up;
 * a Standby router's shutdown says nothing. */
static void test_shutdown_resigns(void **state)
{
	struct hsrp_group *g = router(" standby 1 ip 10.0.0.254\n");
	to_active_alone(g);
	int before = npkts;
	assert_int_equal(cfg("interface FastEthernet0/0\n shutdown\n"), 0);
	assert_int_equal(g->state, HSRP_INIT);
	assert_int_equal(nvaddrs, 0);
	assert_int_equal(npkts, before + 1);
	struct hsrp_msg m = last();
	assert_int_equal(m.opcode, HSRP_OP_RESIGN);
	assert_int_equal(m.state, HSRP_ACTIVE);
	assert_int_equal(cfg("interface FastEthernet0/0\n no shutdown\n"), 0);
	hsrp_fsm_delay_expire(hsrp_if_find(IF));
	deliver(HSRP_OP_HELLO, HSRP_ACTIVE, 200, "10.0.0.9");
	hsrp_fsm_expire(g, HSRP_T_STANDBY);
	hsrp_fsm_expire(g, HSRP_T_STANDBY);
	assert_int_equal(g->state, HSRP_STANDBY);
	before = npkts;
	assert_int_equal(cfg("interface FastEthernet0/0\n shutdown\n"), 0);
	assert_int_equal(g->state, HSRP_INIT);
	assert_int_equal(npkts, before);
}

static void test_standby_takes_over(void **state)
{
	struct hsrp_group *g = router(" standby 1 ip 10.0.0.254\n");
	deliver(HSRP_OP_HELLO, HSRP_ACTIVE, 100, "10.0.0.9");   /* higher IP */
	assert_int_equal(g->active_ip, A("10.0.0.9"));
	assert_true(hsrp_fsm_remaining(g, HSRP_T_ACTIVE) > 9.0);
	hsrp_fsm_expire(g, HSRP_T_STANDBY);    /* no Standby: contend */
	assert_int_equal(g->state, HSRP_SPEAK);
	hsrp_fsm_expire(g, HSRP_T_STANDBY);
	assert_int_equal(g->state, HSRP_STANDBY);   /* Active still alive */
	assert_int_equal(nvaddrs, 0);
	hsrp_fsm_expire(g, HSRP_T_ACTIVE);     /* c: it died */
	assert_int_equal(g->state, HSRP_ACTIVE);
	assert_int_equal(nvaddrs, 1);
	assert_int_equal(g->active_ip, 0);
}

static void test_tie_break_on_address(void **state)
{
	struct hsrp_group *g = router(" standby 1 ip 10.0.0.254\n");
	hsrp_fsm_expire(g, HSRP_T_ACTIVE);
	assert_int_equal(g->state, HSRP_SPEAK);
	/* equal priority, lower address: we stay */
	deliver(HSRP_OP_HELLO, HSRP_SPEAK, 100, "10.0.0.0");
	assert_int_equal(g->state, HSRP_SPEAK);
	/* equal priority, higher address: f, we listen */
	deliver(HSRP_OP_HELLO, HSRP_SPEAK, 100, "10.0.0.2");
	assert_int_equal(g->state, HSRP_LISTEN);
}

static void test_two_actives_resolve(void **state)
{
	struct hsrp_group *g = router(" standby 1 ip 10.0.0.254\n");
	to_active_alone(g);
	/* h: a lower-priority Active router hears a Coup from us */
	deliver(HSRP_OP_HELLO, HSRP_ACTIVE, 50, "10.0.0.9");
	assert_int_equal(g->state, HSRP_ACTIVE);
	assert_int_equal(last().opcode, HSRP_OP_COUP);
	/* g: a higher one makes us Speak and gives the address up */
	deliver(HSRP_OP_HELLO, HSRP_ACTIVE, 150, "10.0.0.9");
	assert_int_equal(g->state, HSRP_SPEAK);
	assert_int_equal(nvaddrs, 0);
	assert_int_equal(g->active_ip, A("10.0.0.9"));
}

static void test_coup_and_resign(void **state)
{
	struct hsrp_group *g = router(" standby 1 ip 10.0.0.254\n");
	to_active_alone(g);
	/* a Coup from a lower-priority router is ignored */
	deliver(HSRP_OP_COUP, HSRP_STANDBY, 90, "10.0.0.9");
	assert_int_equal(g->state, HSRP_ACTIVE);
	/* j: from a higher one, we Resign and Speak */
	deliver(HSRP_OP_COUP, HSRP_STANDBY, 120, "10.0.0.9");
	assert_int_equal(g->state, HSRP_SPEAK);
	assert_int_equal(last().opcode, HSRP_OP_HELLO);
	assert_int_equal(pkts[npkts - 2].buf[1], HSRP_OP_RESIGN);
	hsrp_fsm_expire(g, HSRP_T_STANDBY);
	assert_int_equal(g->state, HSRP_STANDBY);
	/* i: a Resign from someone who is not the Active router: ignored */
	deliver(HSRP_OP_RESIGN, HSRP_ACTIVE, 120, "10.0.0.7");
	assert_int_equal(g->state, HSRP_STANDBY);
	/* the Active router resigns: the Standby takes over at once */
	deliver(HSRP_OP_RESIGN, HSRP_ACTIVE, 120, "10.0.0.9");
	assert_int_equal(g->state, HSRP_ACTIVE);
}

static void test_preempt_and_delay(void **state)
{
	struct hsrp_group *g = router(" standby 1 ip 10.0.0.254\n"
				      " standby 1 priority 110\n");
	/* without preempt a better router does not take over */
	deliver(HSRP_OP_HELLO, HSRP_ACTIVE, 100, "10.0.0.9");
	assert_int_equal(g->state, HSRP_LISTEN);
	assert_int_equal(cfg("interface FastEthernet0/0\n"
			     " standby 1 preempt delay minimum 30\n"), 0);
	/* with a delay: a timer, no coup yet */
	deliver(HSRP_OP_HELLO, HSRP_ACTIVE, 100, "10.0.0.9");
	assert_int_equal(g->state, HSRP_LISTEN);
	assert_true(hsrp_fsm_remaining(g, HSRP_T_PREEMPT) > 25.0);
	int before = npkts;
	hsrp_fsm_expire(g, HSRP_T_PREEMPT);
	assert_int_equal(g->state, HSRP_ACTIVE);
	assert_int_equal(pkts[before].buf[1], HSRP_OP_COUP);
	assert_int_equal(nvaddrs, 1);
}

static void test_preempt_needs_higher_priority(void **state)
{
	struct hsrp_group *g = router(" standby 1 ip 10.0.0.254\n"
				      " standby 1 preempt\n");
	/* equal priority, lower address: an election would pick us, but
	 * preemption does not */
	deliver(HSRP_OP_HELLO, HSRP_ACTIVE, 100, "10.0.0.0");
	assert_int_equal(g->state, HSRP_LISTEN);
	deliver(HSRP_OP_HELLO, HSRP_ACTIVE, 99, "10.0.0.9");
	assert_int_equal(g->state, HSRP_ACTIVE);
}

static void test_tracking_lowers_priority(void **state)
{
	struct hsrp_group *g = router(" standby 1 ip 10.0.0.254\n"
				      " standby 1 priority 110\n"
				      " standby 1 preempt\n"
				      " standby 1 track FastEthernet0/1 20\n"
				      "interface FastEthernet0/1\n"
				      " ip address 10.9.0.1 255.255.255.0\n"
				      " no shutdown\n");
	struct iface *other = iface_find("FastEthernet0/1");
	iface_set_carrier(other, true);
	assert_int_equal(hsrp_group_priority(g), 110);
	to_active_alone(g);
	assert_int_equal(last().priority, 110);
	iface_set_carrier(other, false);
	assert_int_equal(hsrp_group_priority(g), 90);
	hsrp_fsm_expire(g, HSRP_T_HELLO);
	assert_int_equal(last().priority, 90);
	/* the peer (priority 100, preempting) takes over with a Coup */
	deliver(HSRP_OP_COUP, HSRP_STANDBY, 100, "10.0.0.9");
	assert_int_equal(g->state, HSRP_SPEAK);
	/* the tracked interface is back: we preempt on its next hello */
	iface_set_carrier(other, true);
	deliver(HSRP_OP_HELLO, HSRP_ACTIVE, 100, "10.0.0.9");
	assert_int_equal(g->state, HSRP_ACTIVE);
}

static void test_learns_vip_and_timers(void **state)
{
	/* seed 004: "standby 1 ip" without an address */
	struct hsrp_group *g = router(" standby 1 ip\n");
	assert_int_equal(g->state, HSRP_LEARN);
	deliver(HSRP_OP_HELLO, HSRP_ACTIVE, 100, "10.0.0.9");
	assert_int_equal(g->state, HSRP_LISTEN);
	assert_int_equal(hsrp_group_vip(g), A("10.0.0.254"));
	assert_int_equal(hsrp_fsm_hold_ms(g), 10000);
	struct hsrp_msg m = {
		.version = 1, .opcode = HSRP_OP_HELLO, .state = HSRP_ACTIVE,
		.hello_ms = 1000, .hold_ms = 4000, .priority = 100, .group = 1,
		.vip = A("10.0.0.254"),
	};
	struct hsrp_auth_cfg a = { .md5 = false, .key = "cisco" };
	deliver_auth(&m, "10.0.0.9", &a);
	assert_int_equal(hsrp_fsm_hello_ms(g), 1000);
	assert_int_equal(hsrp_fsm_hold_ms(g), 4000);
	char *out = cli_exec_capture("show standby");
	assert_non_null(strstr(out, "  Hello time 1 sec, hold time 4 sec\n"));
	assert_non_null(strstr(out, "  Virtual IP address is 10.0.0.254\n"));
	assert_non_null(strstr(out, "  Active router is 10.0.0.9, priority 100 "
				    "(expires in "));
	free(out);
	/* a wrongly authenticated Active hello teaches nothing */
	m.vip = A("10.0.0.200");
	struct hsrp_auth_cfg bad = { .md5 = false, .key = "other" };
	deliver_auth(&m, "10.0.0.9", &bad);
	assert_int_equal(hsrp_group_vip(g), A("10.0.0.254"));
	assert_int_equal(hsrp_if_counters(g->hif)->drop[HSRP_PKT_AUTH], 1);
}

static void test_no_vip_still_elects(void **state)
{
	/* seed 004: alone, with no address to learn, it still goes Active */
	struct hsrp_group *g = router(" standby 1 ip\n"
				      " standby 1 name BRANCH-5-TUNNEL\n");
	hsrp_fsm_expire(g, HSRP_T_ACTIVE);
	assert_int_equal(g->state, HSRP_SPEAK);
	hsrp_fsm_expire(g, HSRP_T_STANDBY);
	assert_int_equal(g->state, HSRP_ACTIVE);
	assert_int_equal(nvaddrs, 0);
	assert_int_equal(macs_added, 1);
	char *out = cli_exec_capture("show standby");
	assert_non_null(strstr(out, "  State is Active\n"));
	assert_non_null(strstr(out, "  Virtual IP address is\n"));
	assert_non_null(strstr(out, "  Active virtual MAC address is 0000.0c07.ac01\n"));
	assert_non_null(strstr(out, "  Active router is local\n"));
	free(out);
}

static void test_standby_yields_to_better_standby(void **state)
{
	struct hsrp_group *g = router(" standby 1 ip 10.0.0.254\n");
	deliver(HSRP_OP_HELLO, HSRP_ACTIVE, 200, "10.0.0.9");
	hsrp_fsm_expire(g, HSRP_T_STANDBY);
	hsrp_fsm_expire(g, HSRP_T_STANDBY);
	assert_int_equal(g->state, HSRP_STANDBY);
	/* l: a weaker Standby changes nothing */
	deliver(HSRP_OP_HELLO, HSRP_STANDBY, 50, "10.0.0.5");
	assert_int_equal(g->state, HSRP_STANDBY);
	/* k: a better one sends us back to Listen */
	deliver(HSRP_OP_HELLO, HSRP_STANDBY, 150, "10.0.0.5");
	assert_int_equal(g->state, HSRP_LISTEN);
	assert_int_equal(g->standby_ip, A("10.0.0.5"));
}

static void test_bad_packets_counted(void **state)
{
	struct hsrp_group *g = router(" standby 1 ip 10.0.0.254\n");
	const struct hsrp_counters *c = hsrp_if_counters(g->hif);
	uint8_t b[HSRP_PKT_MAX + 4];
	memset(b, 0, sizeof b);
	raw(b, 5);
	assert_int_equal(c->drop[HSRP_PKT_SHORT], 1);
	raw(b, 40);
	assert_int_equal(c->drop[HSRP_PKT_LONG], 1);
	b[0] = 9;
	raw(b, 20);
	assert_int_equal(c->drop[HSRP_PKT_VERSION], 1);
	b[0] = 0;
	b[1] = 200;
	raw(b, 20);
	assert_int_equal(c->drop[HSRP_PKT_OPCODE], 1);
	/* a v2 packet on a v1 interface */
	struct hsrp_msg m = {
		.version = 2, .opcode = HSRP_OP_HELLO, .state = HSRP_ACTIVE,
		.hello_ms = 3000, .hold_ms = 10000, .priority = 250, .group = 1,
	};
	struct hsrp_auth_cfg a = { .md5 = false, .key = "cisco" };
	deliver_auth(&m, "10.0.0.9", &a);
	assert_int_equal(c->drop[HSRP_PKT_VERSION], 2);
	/* MD5 from a router without it, and text with a wrong string */
	m.version = 1;
	struct hsrp_auth_cfg md5 = { .md5 = true, .key = "cisco" };
	deliver_auth(&m, "10.0.0.9", &md5);
	struct hsrp_auth_cfg wrong = { .md5 = false, .key = "ciscO" };
	deliver_auth(&m, "10.0.0.9", &wrong);
	assert_int_equal(c->drop[HSRP_PKT_AUTH], 2);
	assert_int_equal(c->rx, 0);
	assert_int_equal(g->state, HSRP_LISTEN);
	assert_int_equal(g->active_ip, 0);
	char *out = cli_exec_capture("show standby internal");
	assert_non_null(strstr(out, "FastEthernet0/0"));
	assert_non_null(strstr(out, "authentication failed 2"));
	free(out);
}

/* The checks OpenBSD's CARP makes: a hello (or coup) that better
 * priority would act on is dropped and counted, and moves nothing, when it
 * did not come from a neighbour on the link; from a neighbour on a
 * secondary subnet it works. */
static void test_ip_header_checks(void **state)
{
	assert_int_equal(cfg("logging buffered 65536 debugging\n"), 0);
	struct hsrp_group *g = router(" ip address 10.5.0.1 255.255.255.0 secondary\n"
				      " standby 1 ip 10.0.0.254\n"
				      " standby 1 priority 110\n");
	const struct hsrp_counters *c = hsrp_if_counters(g->hif);
	to_active_alone(g);
	free(cli_exec_capture("debug standby errors"));
	int sent = npkts;
	unsigned changes = g->state_changes;
	struct hsrp_msg m = {
		.version = 1, .opcode = HSRP_OP_HELLO, .state = HSRP_ACTIVE,
		.hello_ms = 3000, .hold_ms = 10000, .priority = 250,
		.group = 1, .vip = A("10.0.0.254"),
	};
	struct hsrp_msg coup = m;
	coup.opcode = HSRP_OP_COUP;
	coup.state = HSRP_SPEAK;
	struct hsrp_auth_cfg a = { .md5 = false, .key = "cisco" };

	deliver_ip(&m, "10.0.0.9", &a, 2, 0);        /* one router away */
	deliver_ip(&coup, "10.0.0.9", &a, 64, 0);
	assert_int_equal(c->drop[HSRP_PKT_TTL], 2);
	deliver_ip(&m, "10.0.0.9", &a, 1, A("10.0.0.1"));   /* unicast */
	deliver_ip(&m, "10.0.0.9", &a, 1, htonl(HSRP_V2_GROUP_ADDR));
	assert_int_equal(c->drop[HSRP_PKT_DEST], 2);
	deliver_ip(&m, "192.0.2.9", &a, 1, 0);       /* off the subnets */
	deliver_ip(&coup, "10.6.0.9", &a, 1, 0);
	assert_int_equal(c->drop[HSRP_PKT_SUBNET], 2);
	deliver_ip(&m, "10.0.0.1", &a, 1, 0);        /* our own addresses */
	deliver_ip(&coup, "10.5.0.1", &a, 1, 0);
	assert_int_equal(c->drop[HSRP_PKT_OWN], 2);

	assert_int_equal(c->rx, 0);
	assert_int_equal(g->state, HSRP_ACTIVE);
	assert_int_equal(g->active_ip, 0);
	assert_int_equal(g->state_changes, changes);
	assert_int_equal(npkts, sent);          /* no Resign, nothing at all */
	assert_int_equal(nvaddrs, 1);
	char *out = cli_exec_capture("show standby internal");
	assert_non_null(strstr(out, ", bad TTL 2, bad destination 2, "
				    "source not on subnet 2, own address 2\n"));
	free(out);
	out = cli_exec_capture("show logging");
	assert_non_null(strstr(out, "HSRP: Fa0/0 bad packet from 10.0.0.9 to "
				    "224.0.0.2, bad TTL (TTL 64, length 20)"));
	assert_non_null(strstr(out, "HSRP: Fa0/0 bad packet from 10.0.0.9 to "
				    "10.0.0.1, bad destination (TTL 1, length 20)"));
	assert_non_null(strstr(out, "HSRP: Fa0/0 bad packet from 192.0.2.9 to "
				    "224.0.0.2, source not on subnet"));
	free(out);
	hsrp_debug_off();

	/* the same coup from a neighbour on the secondary subnet: used */
	deliver_ip(&coup, "10.5.0.9", &a, 1, 0);
	assert_int_equal(c->rx, 1);
	assert_int_equal(g->state, HSRP_SPEAK);
	assert_int_equal(nvaddrs, 0);
	assert_int_equal(g->active_ip, A("10.5.0.9"));
	struct hsrp_msg r;
	assert_true(npkts > sent);    /* it resigned, then spoke */
	assert_int_equal(hsrp_pkt_decode(pkts[sent].buf, pkts[sent].len, &r),
			 HSRP_PKT_OK);
	assert_int_equal(r.opcode, HSRP_OP_RESIGN);
}

static void test_md5_group(void **state)
{
	struct hsrp_group *g = router(" standby 1 ip 10.0.0.254\n"
				      " standby 1 authentication md5 key-string s3cret\n");
	to_active_alone(g);
	struct hsrp_msg m = last();
	assert_int_equal(m.auth, HSRP_MSG_AUTH_MD5);
	assert_int_equal(m.md5_ip, A("10.0.0.1"));
	struct hsrp_auth_cfg a = { .md5 = true, .key = "s3cret" };
	assert_true(hsrp_pkt_auth_ok(pkts[npkts - 1].buf, pkts[npkts - 1].len,
				     &m, &a));
	/* a better peer with the right key is heard */
	struct hsrp_msg p = {
		.version = 1, .opcode = HSRP_OP_HELLO, .state = HSRP_ACTIVE,
		.hello_ms = 3000, .hold_ms = 10000, .priority = 200, .group = 1,
		.vip = A("10.0.0.254"),
	};
	deliver_auth(&p, "10.0.0.9", &a);
	assert_int_equal(g->state, HSRP_SPEAK);
}

/* standby N authentication md5 key-chain: hellos are signed with the
 * chain's current send key and carry its id; a packet is checked with
 * the acceptable key its id names (any acceptable key when the id names
 * none); a wrong key or an expired one is dropped and counted; with no
 * key to send with the group is silent. */
static void test_md5_key_chain(void **state)
{
	assert_int_equal(cfg("key chain HSRP-KEYS\n"
			     " key 1\n"
			     "  key-string old\n"
			     "  send-lifetime 00:00:00 Jan 1 2000 00:00:00 Jan 1 2001\n"
			     " key 2\n"
			     "  key-string new\n"
			     " key 3\n"
			     "  key-string gone\n"
			     "  accept-lifetime 00:00:00 Jan 1 2000 duration 60\n"
			     "  send-lifetime 00:00:00 Jan 1 2000 duration 60\n"), 0);
	struct hsrp_group *g = router(" standby 1 ip 10.0.0.254\n"
				      " standby 1 authentication md5 key-chain HSRP-KEYS\n");
	const struct hsrp_counters *c = hsrp_if_counters(g->hif);
	to_active_alone(g);
	struct hsrp_msg m = last();
	assert_int_equal(m.auth, HSRP_MSG_AUTH_MD5);
	assert_int_equal(m.md5_keyid, 2);
	struct hsrp_auth_cfg new_key = { .md5 = true, .key = "new", .key_id = 2 };
	struct hsrp_auth_cfg old_key = { .md5 = true, .key = "old", .key_id = 1 };
	assert_true(hsrp_pkt_auth_ok(pkts[npkts - 1].buf, pkts[npkts - 1].len,
				     &m, &new_key));
	assert_false(hsrp_pkt_auth_ok(pkts[npkts - 1].buf, pkts[npkts - 1].len,
				      &m, &old_key));

	struct hsrp_msg p = {
		.version = 1, .opcode = HSRP_OP_HELLO, .state = HSRP_STANDBY,
		.hello_ms = 3000, .hold_ms = 10000, .priority = 50, .group = 1,
		.vip = A("10.0.0.254"),
	};
	/* key 1 is no longer sent but still accepted */
	deliver_auth(&p, "10.0.0.9", &old_key);
	assert_int_equal(c->rx, 1);
	assert_int_equal(g->standby_ip, A("10.0.0.9"));
	/* a router with another key-string under key 2 */
	struct hsrp_auth_cfg other = { .md5 = true, .key = "n3w", .key_id = 2 };
	deliver_auth(&p, "10.0.0.8", &other);
	/* key 2's id with key 1's string: the id picks the key */
	struct hsrp_auth_cfg mixed = { .md5 = true, .key = "old", .key_id = 2 };
	deliver_auth(&p, "10.0.0.8", &mixed);
	/* key 3's accept lifetime is long over */
	struct hsrp_auth_cfg gone = { .md5 = true, .key = "gone", .key_id = 3 };
	deliver_auth(&p, "10.0.0.8", &gone);
	/* text authentication against an MD5 group */
	struct hsrp_auth_cfg text = { .md5 = false, .key = "new" };
	deliver_auth(&p, "10.0.0.8", &text);
	assert_int_equal(c->drop[HSRP_PKT_AUTH], 4);
	assert_int_equal(c->rx, 1);
	assert_int_equal(g->standby_ip, A("10.0.0.9"));
	/* a key-string peer sends key id 0: any acceptable key may match */
	struct hsrp_auth_cfg ks = { .md5 = true, .key = "new", .key_id = 0 };
	deliver_auth(&p, "10.0.0.9", &ks);
	assert_int_equal(c->rx, 2);
	assert_int_equal(g->state, HSRP_ACTIVE);

	/* no key valid for sending: no hellos */
	assert_int_equal(cfg("key chain HSRP-KEYS\n no key 2\n"), 0);
	int before = npkts;
	hsrp_fsm_expire(g, HSRP_T_HELLO);
	assert_int_equal(npkts, before);
	/* a key again, and hellos again, signed with it */
	assert_int_equal(cfg("key chain HSRP-KEYS\n key 7\n key-string seven\n"), 0);
	hsrp_fsm_expire(g, HSRP_T_HELLO);
	assert_int_equal(npkts, before + 1);
	m = last();
	assert_int_equal(m.md5_keyid, 7);
	struct hsrp_auth_cfg seven = { .md5 = true, .key = "seven", .key_id = 7 };
	assert_true(hsrp_pkt_auth_ok(pkts[npkts - 1].buf, pkts[npkts - 1].len,
				     &m, &seven));
	char *out = cli_exec_capture("show standby");
	assert_non_null(strstr(out, "  Authentication MD5, key-chain \"HSRP-KEYS\"\n"));
	free(out);
}

static void test_version2(void **state)
{
	struct hsrp_group *g = router(" standby version 2\n"
				      " standby 1 ip 10.0.0.254\n"
				      " standby 1 timers msec 100 msec 300\n");
	assert_int_equal(joined, htonl(HSRP_V2_GROUP_ADDR));
	to_active_alone(g);
	struct hsrp_msg m = last();
	assert_int_equal(m.version, 2);
	assert_int_equal(m.hello_ms, 100);
	assert_int_equal(m.hold_ms, 300);
	assert_int_equal(pkts[npkts - 1].dst, htonl(HSRP_V2_GROUP_ADDR));
	static const uint8_t vmac[6] = { 0, 0, 0x0c, 0x9f, 0xf0, 1 };
	assert_memory_equal(pkts[npkts - 1].src_mac, vmac, 6);
	/* v1's group address is not v2's */
	struct hsrp_msg better = m;
	better.priority = 250;
	struct hsrp_auth_cfg a = { .md5 = false, .key = "cisco" };
	deliver_ip(&better, "10.0.0.9", &a, 1, htonl(HSRP_V1_GROUP_ADDR));
	assert_int_equal(hsrp_if_counters(g->hif)->drop[HSRP_PKT_DEST], 1);
	assert_int_equal(g->state, HSRP_ACTIVE);
	/* back to version 1: the group starts again on 224.0.0.2 */
	assert_int_equal(cfg("interface FastEthernet0/0\n no standby version\n"), 0);
	assert_int_equal(joined, htonl(HSRP_V1_GROUP_ADDR));
	assert_int_equal(g->state, HSRP_LISTEN);
	assert_int_equal(nvaddrs, 0);
}

static void test_new_timers_cut_running_ones(void **state)
{
	struct hsrp_group *g = router(" standby 1 ip 10.0.0.254\n");
	assert_true(hsrp_fsm_remaining(g, HSRP_T_ACTIVE) > 9.0);
	assert_int_equal(cfg("interface FastEthernet0/0\n"
			     " standby 1 timers 1 3\n"), 0);
	assert_true(hsrp_fsm_remaining(g, HSRP_T_ACTIVE) <= 3.0);
	assert_true(hsrp_fsm_remaining(g, HSRP_T_STANDBY) <= 3.0);
	assert_true(hsrp_fsm_remaining(g, HSRP_T_ACTIVE) > 2.0);
}

static void test_init_delay(void **state)
{
	assert_int_equal(cfg("interface FastEthernet0/0\n"
			     " ip address 10.0.0.1 255.255.255.0\n"
			     " no shutdown\n"
			     " standby delay minimum 30 reload 60\n"
			     " standby 1 ip 10.0.0.254\n"), 0);
	IF = iface_find("FastEthernet0/0");
	iface_set_carrier(IF, true);
	struct hsrp_group *g = hsrp_group_find(hsrp_if_find(IF), 1);
	assert_int_equal(g->state, HSRP_INIT);   /* the reload delay */
	hsrp_fsm_delay_expire(g->hif);
	assert_int_equal(g->state, HSRP_LISTEN);
	/* down and up again: the minimum delay, still Init meanwhile */
	iface_set_carrier(IF, false);
	assert_int_equal(g->state, HSRP_INIT);
	iface_set_carrier(IF, true);
	assert_int_equal(g->state, HSRP_INIT);
	hsrp_fsm_delay_expire(g->hif);
	assert_int_equal(g->state, HSRP_LISTEN);
}

static void test_wrong_subnet_and_removal(void **state)
{
	struct hsrp_group *g = router(" standby 1 ip 10.9.9.9\n");
	assert_int_equal(g->state, HSRP_INIT);
	assert_int_equal(cfg("interface FastEthernet0/0\n"
			     " standby 1 ip 10.0.0.254\n"), 0);
	/* the VIP changed: only one group address in the model */
	assert_int_equal(g->state, HSRP_LISTEN);
	to_active_alone(g);
	assert_int_equal(nvaddrs, 1);
	assert_int_equal(vaddrs[0], A("10.0.0.254"));
	assert_int_equal(cfg("interface FastEthernet0/0\n"
			     " standby 1 ip 10.0.0.253 secondary\n"), 0);
	assert_int_equal(nvaddrs, 2);
	assert_int_equal(cfg("interface FastEthernet0/0\n no standby 1\n"), 0);
	assert_int_equal(nvaddrs, 0);
	assert_int_equal(macs_added, 0);
	assert_int_equal(last().opcode, HSRP_OP_RESIGN);
	assert_int_equal(joined, 0);
}

static void test_debug_lines(void **state)
{
	assert_int_equal(cfg("logging buffered 65536 debugging\n"), 0);
	struct hsrp_group *g = router(" standby 1 ip 10.0.0.254\n");
	free(cli_exec_capture("debug standby"));
	to_active_alone(g);
	char *out = cli_exec_capture("show logging");
	assert_non_null(strstr(out, "HSRP: Fa0/0 Grp 1 Hello  out 10.0.0.1 Active  pri 100 vIP 10.0.0.254"));
	assert_non_null(strstr(out, "HSRP: Fa0/0 Grp 1 Listen: c/Active timer expired"));
	assert_non_null(strstr(out, "%HSRP-5-STATECHANGE: FastEthernet0/0 Grp 1 state Standby -> Active"));
	free(out);
	/* a hello with our address from another MAC: a duplicate address */
	int before = npkts;
	memcpy(peer_mac, (uint8_t[6]){ 0xca, 0xfe, 0, 0, 0, 9 }, 6);
	deliver(HSRP_OP_HELLO, HSRP_ACTIVE, 200, "10.0.0.1");
	assert_int_equal(g->state, HSRP_ACTIVE);
	assert_int_equal(npkts, before);
	out = cli_exec_capture("show logging");
	assert_non_null(strstr(out, "%HSRP-4-DUPADDR: Duplicate address 10.0.0.1 on "
				    "FastEthernet0/0, sourced by cafe.0000.0009"));
	free(out);
	hsrp_debug_off();
}

int main(void)
{
	router_init();
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_v1_layout, setup),
		cmocka_unit_test_setup(test_v1_md5_known_answer, setup),
		cmocka_unit_test_setup(test_v2_layout, setup),
		cmocka_unit_test_setup(test_malformed, setup),
		cmocka_unit_test_setup(test_lone_router_becomes_active, setup),
		cmocka_unit_test_setup(test_standby_takes_over, setup),
		cmocka_unit_test_setup(test_tie_break_on_address, setup),
		cmocka_unit_test_setup(test_two_actives_resolve, setup),
		cmocka_unit_test_setup(test_coup_and_resign, setup),
		cmocka_unit_test_setup(test_shutdown_resigns, setup),
		cmocka_unit_test_setup(test_preempt_and_delay, setup),
		cmocka_unit_test_setup(test_preempt_needs_higher_priority, setup),
		cmocka_unit_test_setup(test_tracking_lowers_priority, setup),
		cmocka_unit_test_setup(test_learns_vip_and_timers, setup),
		cmocka_unit_test_setup(test_no_vip_still_elects, setup),
		cmocka_unit_test_setup(test_standby_yields_to_better_standby, setup),
		cmocka_unit_test_setup(test_bad_packets_counted, setup),
		cmocka_unit_test_setup(test_ip_header_checks, setup),
		cmocka_unit_test_setup(test_md5_group, setup),
		cmocka_unit_test_setup(test_md5_key_chain, setup),
		cmocka_unit_test_setup(test_version2, setup),
		cmocka_unit_test_setup(test_new_timers_cut_running_ones, setup),
		cmocka_unit_test_setup(test_init_delay, setup),
		cmocka_unit_test_setup(test_wrong_subnet_and_removal, setup),
		cmocka_unit_test_setup(test_debug_lines, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
