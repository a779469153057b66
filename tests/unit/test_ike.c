/* Unit tests of the IKEv1 engine's parts that a lab cannot reach
 * deterministically: the ISAKMP codec on real and broken packets, the
 * OpenSSL primitives against published vectors, and the responder fed
 * crafted first messages (policy choice in priority order with IOS's
 * lifetime rule, the answer on the wire, call admission's bound on
 * half-open SAs, give-up after the retransmissions, the shows). */
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
#include "../../cli/cli.h"
#include "../../platform/platform_int.h"
#include "../../crypto/ike.h"
#include "../../crypto/sadb.h"
#include "../../router/router.h"

/* ---- transmissions --------------------------------------------------------- */

#define MAXTX 16
static struct {
	uint8_t d[ETH_MAX_FRAME];
	size_t len;
} tx[MAXTX];
static int ntx;

static void tx_hook(struct iface *ifp, const uint8_t *frame, size_t len)
{
	if (ntx < MAXTX) {
		memcpy(tx[ntx].d, frame, len);
		tx[ntx++].len = len;
	}
}

/* The ISAKMP message of captured frame I (UDP 500), NULL when not one. */
static const uint8_t *tx_isakmp(int i, size_t *len)
{
	const uint8_t *f = tx[i].d;
	if (tx[i].len < 14 + 28 || f[12] != 0x08 || f[13] != 0 || f[14 + 9] != 17)
		return NULL;
	const uint8_t *udp = f + 14 + 20;
	*len = (size_t)(udp[4] << 8 | udp[5]) - 8;
	return udp + 8;
}

/* The first ISAKMP message the router sent, parsed into M. */
static void first_sent(struct isakmp_msg *m)
{
	size_t len = 0;
	const uint8_t *r = NULL;
	for (int i = 0; i < ntx && !r; i++)
		r = tx_isakmp(i, &len);
	assert_non_null(r);
	assert_int_equal(isakmp_parse_hdr(r, len, &m->h), 0);
	assert_int_equal(isakmp_parse_chain(m->h.np, r + 28, len - 28, false, m), 0);
}

static struct iface *fa0;
static const uint8_t peer_mac[6] = {0x02, 0, 0, 0, 0, 0x22};

static uint32_t A(const char *s)
{
	uint32_t a;
	assert_true(ip_parse(s, &a));
	return a;
}

/* The peer asks who has 10.0.0.1: the router learns its MAC. */
static void learn_peer(uint32_t peer)
{
	uint8_t f[60] = {0};
	memset(f, 0xff, 6);
	memcpy(f + 6, peer_mac, 6);
	f[12] = 0x08; f[13] = 0x06;
	uint8_t *a = f + 14;
	a[1] = 1; a[2] = 0x08; a[4] = 6; a[5] = 4; a[7] = 1;
	memcpy(a + 8, peer_mac, 6);
	memcpy(a + 14, &peer, 4);
	uint32_t me = A("10.0.0.1");
	memcpy(a + 24, &me, 4);
	struct frame_rx fr = {.ifp = fa0, .data = f, .len = sizeof f};
	ether_input(&fr);
}

static const char base_cfg[] =
	"interface FastEthernet0/0\n"
	" ip address 10.0.0.1 255.255.255.0\n"
	" no shutdown\n"
	"crypto isakmp policy 10\n"
	" encr aes\n"
	" authentication pre-share\n"
	" group 2\n"
	" lifetime 3600\n"
	"crypto isakmp policy 20\n"
	" encr 3des\n"
	" hash md5\n"
	" authentication pre-share\n"
	" group 2\n"
	"crypto isakmp key cisco123 address 0.0.0.0 0.0.0.0\n"
	"crypto ipsec transform-set TS esp-aes esp-sha-hmac\n"
	"access-list 101 permit ip 192.168.1.0 0.0.0.255 192.168.2.0 0.0.0.255\n"
	"crypto map CM 10 ipsec-isakmp\n"
	" set peer 10.0.0.2\n"
	" set transform-set TS\n"
	" match address 101\n"
	"interface FastEthernet0/0\n"
	" crypto map CM\n";

static int setup(void **state)
{
	core_reset_all();
	iface_set_carrier(fa0, true);
	assert_int_equal(cli_exec_config_text(base_cfg, NULL), 0);
	ntx = 0;
	return 0;
}

/* ---- a peer's first message, built with the engine's own builder ------------ */

struct offer {
	uint8_t encr, hash, group;
	unsigned bits, life;
};

static size_t mm1(uint8_t *out, const uint8_t icky[8], const struct offer *o,
		  int n)
{
	static const uint8_t zero[8];
	struct isakmp_out *b = &(struct isakmp_out){0};
	isakmp_out_init(b, icky, zero, EXCH_MAIN, 0, 0);
	size_t s = isakmp_out_begin(b, NP_SA);
	isakmp_out_u32(b, IPSEC_DOI);
	isakmp_out_u32(b, SIT_IDENTITY);
	size_t p = isakmp_out_nested(b, NP_NONE);
	isakmp_out_u8(b, 1);
	isakmp_out_u8(b, PROTO_ISAKMP);
	isakmp_out_u8(b, 0);
	isakmp_out_u8(b, (uint8_t)n);
	for (int i = 0; i < n; i++) {
		size_t t = isakmp_out_nested(b, i + 1 < n ? NP_T : NP_NONE);
		isakmp_out_u8(b, (uint8_t)(i + 1));
		isakmp_out_u8(b, 1);
		isakmp_out_u16(b, 0);
		isakmp_out_attr(b, P1_ENCR, o[i].encr);
		if (o[i].bits)
			isakmp_out_attr(b, P1_KEY_LEN, o[i].bits);
		isakmp_out_attr(b, P1_HASH, o[i].hash);
		isakmp_out_attr(b, P1_AUTH, P1_AUTH_PSK);
		isakmp_out_attr(b, P1_GROUP, o[i].group);
		isakmp_out_attr(b, P1_LIFE_TYPE, LIFE_SECONDS);
		isakmp_out_attr(b, P1_LIFE_DUR, o[i].life);
		isakmp_out_end(b, t);
	}
	isakmp_out_end(b, p);
	isakmp_out_end(b, s);
	isakmp_out_finish(b);
	assert_false(b->overflow);
	memcpy(out, b->b, b->len);
	return b->len;
}

static void deliver(uint32_t src, const uint8_t *msg, size_t len)
{
	struct ip_rx rx = {
		.ifp = fa0, .src_mac = peer_mac, .src = src,
		.dst = A("10.0.0.1"), .proto = 17, .ttl = 64,
		.sport = 500, .dport = 500, .payload = msg, .len = len,
	};
	ike_udp500(&rx);
}

static struct ike_sa *last_sa;
static void find_last(struct ike_sa *sa, void *ctx) { last_sa = sa; }

/* ---- the codec ------------------------------------------------------------------ */

static void test_codec_roundtrip(void **state)
{
	uint8_t msg[ISAKMP_MAX_MSG];
	const uint8_t icky[8] = {1, 2, 3, 4, 5, 6, 7, 8};
	struct offer o[2] = {{P1_ENCR_AES, P1_HASH_SHA, 2, 256, 86400},
			     {P1_ENCR_3DES, P1_HASH_MD5, 5, 0, 120}};
	size_t len = mm1(msg, icky, o, 2);
	struct isakmp_msg m;
	assert_int_equal(isakmp_parse_hdr(msg, len, &m.h), 0);
	assert_int_equal(m.h.exch, EXCH_MAIN);
	assert_int_equal(isakmp_parse_chain(m.h.np, msg + 28, len - 28, false, &m), 0);
	assert_int_equal(m.npl, 1);
	static struct isakmp_sa sa;
	const struct isakmp_pl *pl = isakmp_find(&m, NP_SA, 0);
	assert_non_null(pl);
	assert_int_equal(isakmp_parse_sa(pl_body(pl), pl_blen(pl), &sa), 0);
	assert_int_equal(sa.nprop, 1);
	assert_int_equal(sa.prop[0].nxf, 2);
	/* 86400 does not fit a basic attribute: a 4-byte TLV comes back */
	struct isakmp_attr_it it = {sa.prop[0].xf[0].attrs, sa.prop[0].xf[0].alen};
	struct isakmp_attr a;
	uint32_t life = 0, bits = 0;
	while (isakmp_attr_next(&it, &a) > 0) {
		if (a.type == P1_LIFE_DUR)
			life = a.val;
		if (a.type == P1_KEY_LEN)
			bits = a.val;
	}
	assert_int_equal(life, 86400);
	assert_int_equal(bits, 256);
}

static void test_codec_rejects(void **state)
{
	uint8_t msg[ISAKMP_MAX_MSG];
	const uint8_t icky[8] = {9, 9, 9, 9, 9, 9, 9, 9};
	struct offer o = {P1_ENCR_AES, P1_HASH_SHA, 2, 128, 86400};
	size_t len = mm1(msg, icky, &o, 1);
	struct isakmp_msg m;
	/* the header's length must be what arrived */
	assert_int_equal(isakmp_parse_hdr(msg, len - 1, &m.h), N_PAYLOAD_MALFORMED);
	assert_int_equal(isakmp_parse_hdr(msg, 27, &m.h), N_PAYLOAD_MALFORMED);
	uint8_t bad[ISAKMP_MAX_MSG];
	memcpy(bad, msg, len);
	bad[17] = 0x20;                               /* version 2.0 */
	assert_int_equal(isakmp_parse_hdr(bad, len, &m.h), N_INVALID_MAJOR_VERSION);
	memcpy(bad, msg, len);
	memset(bad, 0, 8);                            /* no initiator cookie */
	assert_int_equal(isakmp_parse_hdr(bad, len, &m.h), N_INVALID_COOKIE);
	/* a payload longer than the message */
	memcpy(bad, msg, len);
	bad[28 + 2] = 0x7f;
	isakmp_parse_hdr(bad, len, &m.h);
	assert_int_equal(isakmp_parse_chain(bad[16], bad + 28, len - 28, false, &m),
			 N_PAYLOAD_MALFORMED);
	/* an unknown payload type */
	assert_int_equal(isakmp_parse_chain(99, bad + 28, len - 28, false, &m),
			 N_INVALID_PAYLOAD_TYPE);
	/* trailing bytes in a clear message, allowed as cipher padding */
	assert_int_equal(isakmp_parse_chain(msg[16], msg + 28, len - 28 + 0, false, &m), 0);
	memcpy(bad, msg, len);
	bad[len] = 0;
	assert_int_equal(isakmp_parse_chain(bad[16], bad + 28, len - 27, false, &m),
			 N_PAYLOAD_MALFORMED);
	assert_int_equal(isakmp_parse_chain(bad[16], bad + 28, len - 27, true, &m), 0);
	/* an SA whose transform count lies */
	struct isakmp_sa *sa = &(struct isakmp_sa){0};
	memcpy(bad, msg, len);
	const size_t ntrans_at = 28 + 4 + 8 + 7;
	bad[ntrans_at] = 2;
	assert_int_equal(isakmp_parse_sa(bad + 32, len - 32, sa), N_BAD_PROPOSAL_SYNTAX);
	/* an attribute running past its transform */
	memcpy(bad, msg, len);
	bad[28 + 4 + 8 + 8 + 8] = 0x00;               /* TV bit off: a TLV... */
	bad[28 + 4 + 8 + 8 + 8 + 2] = 0x7f;           /* ...of 32k */
	assert_int_equal(isakmp_parse_sa(bad + 32, len - 32, sa), N_BAD_PROPOSAL_SYNTAX);
	/* ID, notify and delete bodies too short or inconsistent */
	struct isakmp_ident id;
	assert_int_not_equal(isakmp_parse_id((const uint8_t *)"\1\0\0\0\1\2", 6, &id), 0);
	const uint8_t sub[] = {4, 0, 0, 0, 10, 0, 0, 0, 255, 0, 255, 0};
	assert_int_equal(isakmp_parse_id(sub, sizeof sub, &id), N_INVALID_ID_INFORMATION);
	struct isakmp_notify_pl n;
	const uint8_t nb[] = {0, 0, 0, 1, 3, 16, 0x40, 0};
	assert_int_equal(isakmp_parse_notify(nb, sizeof nb, &n), N_PAYLOAD_MALFORMED);
	struct isakmp_delete_pl d;
	const uint8_t db[] = {0, 0, 0, 1, 3, 4, 0, 2, 1, 2, 3, 4};
	assert_int_equal(isakmp_parse_delete(db, sizeof db, &d), N_PAYLOAD_MALFORMED);
}

/* ---- primitives ----------------------------------------------------------------------- */

static void test_prf_vectors(void **state)
{
	/* RFC 2202 test case 2 (HMAC-SHA-1 and HMAC-MD5, key "Jefe") */
	const char *data = "what do ya want for nothing?";
	struct ike_iov v = {data, strlen(data)};
	uint8_t out[IKE_HASH_MAX];
	assert_true(ike_prf(IKE_HASH_SHA, "Jefe", 4, &v, 1, out));
	const uint8_t sha[20] = {0xef, 0xfc, 0xdf, 0x6a, 0xe5, 0xeb, 0x2f, 0xa2,
				 0xd2, 0x74, 0x16, 0xd5, 0xf1, 0x84, 0xdf, 0x9c,
				 0x25, 0x9a, 0x7c, 0x79};
	assert_memory_equal(out, sha, 20);
	assert_true(ike_prf(IKE_HASH_MD5, "Jefe", 4, &v, 1, out));
	const uint8_t md5[16] = {0x75, 0x0c, 0x78, 0x3e, 0x6a, 0xb0, 0xb5, 0x03,
				 0xea, 0xa8, 0x6e, 0x31, 0x0a, 0x5d, 0xb7, 0x38};
	assert_memory_equal(out, md5, 16);
	/* the same through split parts */
	struct ike_iov two[2] = {{data, 10}, {data + 10, strlen(data) - 10}};
	assert_true(ike_prf(IKE_HASH_SHA, "Jefe", 4, two, 2, out));
	assert_memory_equal(out, sha, 20);
}

static void test_dh_agrees(void **state)
{
	static const unsigned groups[] = {1, 2, 5, 14};
	for (size_t i = 0; i < sizeof groups / sizeof groups[0]; i++) {
		unsigned g = groups[i];
		size_t n = ike_dh_len(g);
		uint8_t pa[IKE_DH_MAX], pb[IKE_DH_MAX], sa[IKE_DH_MAX], sb[IKE_DH_MAX];
		EVP_PKEY *a = ike_dh_keygen(g, pa), *b = ike_dh_keygen(g, pb);
		assert_non_null(a);
		assert_non_null(b);
		assert_true(ike_dh_derive(a, g, pb, n, sa));
		assert_true(ike_dh_derive(b, g, pa, n, sb));
		assert_memory_equal(sa, sb, n);
		/* 0, 1 and a short value are no public values */
		uint8_t bad[IKE_DH_MAX] = {0};
		assert_false(ike_dh_derive(a, g, bad, n, sa));
		bad[n - 1] = 1;
		assert_false(ike_dh_derive(a, g, bad, n, sa));
		assert_false(ike_dh_derive(a, g, pb, n - 1, sa));
		ike_dh_free(a);
		ike_dh_free(b);
	}
}

static void test_cbc_chains(void **state)
{
	static const enum ike_encr e[] = {IKE_ENCR_DES, IKE_ENCR_3DES, IKE_ENCR_AES};
	for (size_t i = 0; i < 3; i++) {
		size_t bl = ike_block_len(e[i]), kl = ike_key_len(e[i], 128);
		uint8_t key[32], iv1[16], iv2[16], buf[64], orig[64];
		for (size_t j = 0; j < sizeof key; j++)
			key[j] = (uint8_t)(j * 7 + 1);
		memset(iv1, 0x5a, sizeof iv1);
		memcpy(iv2, iv1, sizeof iv2);
		for (size_t j = 0; j < sizeof buf; j++)
			orig[j] = buf[j] = (uint8_t)j;
		assert_true(ike_cbc(e[i], key, kl, iv1, buf, 4 * bl, true));
		/* the next IV is the last cipher block (RFC 2409 appendix B) */
		assert_memory_equal(iv1, buf + 3 * bl, bl);
		assert_memory_not_equal(buf, orig, 4 * bl);
		assert_true(ike_cbc(e[i], key, kl, iv2, buf, 4 * bl, false));
		assert_memory_equal(buf, orig, 4 * bl);
		assert_memory_equal(iv1, iv2, bl);
		/* not a whole number of blocks */
		assert_false(ike_cbc(e[i], key, kl, iv1, buf, bl + 1, true));
	}
}

/* ---- the responder ----------------------------------------------------------------------- */

static void test_policy_order_and_lifetime(void **state)
{
	learn_peer(A("10.0.0.2"));
	ntx = 0;
	uint8_t msg[ISAKMP_MAX_MSG];
	const uint8_t icky[8] = {0xa1, 2, 3, 4, 5, 6, 7, 8};
	/* 1: what policy 20 takes; 2: what policy 10 takes, a shorter life */
	struct offer o[2] = {{P1_ENCR_3DES, P1_HASH_MD5, 2, 0, 86400},
			     {P1_ENCR_AES, P1_HASH_SHA, 2, 128, 1000}};
	deliver(A("10.0.0.2"), msg, mm1(msg, icky, o, 2));
	last_sa = NULL;
	ike_sa_foreach(find_last, NULL);
	assert_non_null(last_sa);
	/* priority 10 is checked first, against every transform */
	assert_int_equal(last_sa->d.policy, 10);
	assert_int_equal(last_sa->d.encr, IKE_ENCR_AES);
	assert_int_equal(last_sa->d.lifetime, 1000);
	assert_int_equal(last_sa->d.state, IKE_MM_SA_SETUP);
	/* the answer: the responder cookie, one proposal, transform 2 */
	struct isakmp_msg m;
	first_sent(&m);
	assert_memory_equal(m.h.icky, icky, 8);
	assert_memory_equal(m.h.rcky, last_sa->d.rcky, 8);
	static struct isakmp_sa sa;
	const struct isakmp_pl *pl = isakmp_find(&m, NP_SA, 0);
	assert_int_equal(isakmp_parse_sa(pl_body(pl), pl_blen(pl), &sa), 0);
	assert_int_equal(sa.prop[0].nxf, 1);
	assert_int_equal(sa.prop[0].xf[0].num, 2);
	/* DPD only: the offer announced no NAT traversal */
	assert_int_equal(isakmp_count(&m, NP_VID), 1);
	/* the same first message again: the same answer, no second SA */
	size_t before = ike_sa_count();
	deliver(A("10.0.0.2"), msg, mm1(msg, icky, o, 2));
	assert_int_equal(ike_sa_count(), before);
	char *out = cli_exec_capture("show crypto isakmp sa");
	assert_non_null(strstr(out, "10.0.0.1        10.0.0.2        MM_SA_SETUP"));
	free(out);
}

static void test_no_proposal(void **state)
{
	learn_peer(A("10.0.0.2"));
	uint8_t msg[ISAKMP_MAX_MSG];
	const uint8_t icky[8] = {0xb1, 2, 3, 4, 5, 6, 7, 8};
	/* group 5 and a lifetime longer than the policy's: neither fits */
	struct offer o[2] = {{P1_ENCR_AES, P1_HASH_SHA, 5, 128, 3600},
			     {P1_ENCR_AES, P1_HASH_SHA, 2, 128, 7200}};
	ntx = 0;
	deliver(A("10.0.0.2"), msg, mm1(msg, icky, o, 2));
	last_sa = NULL;
	ike_sa_foreach(find_last, NULL);
	assert_non_null(last_sa);
	assert_true(last_sa->dead);
	assert_int_equal(ike_stats.resp_fails, 1);
	/* NO_PROPOSAL_CHOSEN went back */
	struct isakmp_msg m;
	first_sent(&m);
	assert_int_equal(m.h.exch, EXCH_INFO);
	struct isakmp_notify_pl n;
	const struct isakmp_pl *pl = isakmp_find(&m, NP_N, 0);
	assert_int_equal(isakmp_parse_notify(pl_body(pl), pl_blen(pl), &n), 0);
	assert_int_equal(n.type, N_NO_PROPOSAL_CHOSEN);
	char *out = cli_exec_capture("show crypto isakmp sa");
	assert_non_null(strstr(out, "MM_NO_STATE          0    0 ACTIVE (deleted)"));
	free(out);
}

static void test_half_open_bound(void **state)
{
	uint8_t msg[ISAKMP_MAX_MSG];
	struct offer o = {P1_ENCR_AES, P1_HASH_SHA, 2, 128, 3600};
	unsigned limit = ike_sa_half_open_limit();
	assert_int_equal(limit, 1000);
	/* a flood of first messages from many spoofed addresses */
	for (unsigned i = 0; i < limit + 200; i++) {
		uint8_t icky[8] = {0xc0, (uint8_t)(i >> 8), (uint8_t)i, 1, 2, 3, 4, 5};
		deliver(htonl(0x0a010000u + i), msg, mm1(msg, icky, &o, 1));
	}
	assert_int_equal(ike_sa_half_open(), limit);
	assert_int_equal(ike_stats.cac_in_reject, 200);
	char *out = cli_exec_capture("show crypto call admission statistics");
	assert_non_null(strstr(out, "Max in nego:  1000"));
	assert_non_null(strstr(out, "rejected:     200"));
	free(out);
	/* a lower configured bound applies to what comes next */
	assert_int_equal(cli_exec_config_text(
		"crypto call admission limit ike in-negotiation-sa 10\n", NULL), 0);
	assert_int_equal(ike_sa_half_open_limit(), 10);
	uint8_t icky[8] = {0xd0, 1, 1, 1, 1, 1, 1, 1};
	deliver(A("10.2.0.1"), msg, mm1(msg, icky, &o, 1));
	assert_int_equal(ike_stats.cac_in_reject, 201);
}

static void test_failed_offers_bounded(void **state)
{
	uint8_t msg[ISAKMP_MAX_MSG];
	struct offer o = {P1_ENCR_AES, P1_HASH_SHA, 5, 128, 3600};  /* no policy */
	for (unsigned i = 0; i < 1000; i++) {
		uint8_t icky[8] = {0xaa, (uint8_t)(i >> 8), (uint8_t)i, 1, 2, 3, 4, 5};
		deliver(htonl(0x0a030000u + i), msg, mm1(msg, icky, &o, 1));
		ev_run(core_loop, EVRUN_NOWAIT);
	}
	/* each was refused and is shown "(deleted)" a moment: a bounded few */
	assert_int_equal(ike_stats.resp_fails, 1000);
	assert_true(ike_sa_count() <= 256);
	assert_int_equal(ike_sa_half_open(), 0);
	/* malformed first messages make no state at all */
	size_t len = mm1(msg, (const uint8_t[8]){0xab, 1, 1, 1, 1, 1, 1, 1}, &o, 1);
	msg[28 + 2] = 0x7f;                       /* SA longer than the message */
	size_t before = ike_sa_count();
	deliver(A("10.0.0.2"), msg, len);
	assert_int_equal(ike_sa_count(), before);
}

/* What the data path does with traffic the map protects and no SA has. */
static void acquire(void)
{
	const struct cmap_entry *e = crypto_map_entry(crypto_map_find("CM"), 10);
	assert_non_null(e);
	struct sa_selector sel = {
		{A("192.168.1.0"), A("255.255.255.0"), 0, 0},
		{A("192.168.2.0"), A("255.255.255.0"), 0, 0}};
	sadb_acquire(e, &sel, A("10.0.0.2"));
}

static void test_acquire_initiates(void **state)
{
	learn_peer(A("10.0.0.2"));
	ntx = 0;
	acquire();
	struct isakmp_msg m;
	first_sent(&m);
	assert_int_equal(m.h.exch, EXCH_MAIN);
	/* every pre-share policy offered, in priority order; NAT-T and DPD */
	static struct isakmp_sa sa;
	const struct isakmp_pl *pl = isakmp_find(&m, NP_SA, 0);
	assert_int_equal(isakmp_parse_sa(pl_body(pl), pl_blen(pl), &sa), 0);
	assert_int_equal(sa.prop[0].nxf, 2);
	assert_int_equal(isakmp_count(&m, NP_VID), 4);
	last_sa = NULL;
	ike_sa_foreach(find_last, NULL);
	assert_non_null(last_sa);
	assert_true(last_sa->d.initiator);
	/* more traffic while it negotiates starts nothing new */
	ntx = 0;
	acquire();
	assert_int_equal(ntx, 0);
	assert_int_equal(ike_sa_count(), 1);
	/* an answer choosing what was not offered (group 5) ends it */
	uint8_t msg[ISAKMP_MAX_MSG];
	struct offer o = {P1_ENCR_AES, P1_HASH_SHA, 5, 128, 3600};
	size_t len = mm1(msg, last_sa->d.icky, &o, 1);
	memset(msg + 8, 0x42, 8);                      /* the responder cookie */
	deliver(A("10.0.0.2"), msg, len);
	assert_true(last_sa->dead);
	assert_int_equal(ike_stats.init_fails, 1);
	/* and the request that waited for it went with it */
	ntx = 0;
	acquire();
	assert_true(ntx > 0);
}

static void give_up(struct ike_sa *sa, void *ctx)
{
	for (int i = 0; i < 6 && !sa->dead; i++)
		ike_p1_timeout(sa);
}

static void test_retransmit_then_give_up(void **state)
{
	learn_peer(A("10.0.0.2"));
	uint8_t msg[ISAKMP_MAX_MSG];
	const uint8_t icky[8] = {0xe1, 2, 3, 4, 5, 6, 7, 8};
	struct offer o = {P1_ENCR_AES, P1_HASH_SHA, 2, 128, 3600};
	deliver(A("10.0.0.2"), msg, mm1(msg, icky, &o, 1));
	ntx = 0;
	/* five retransmissions of message 2, then the SA is given up */
	ike_sa_foreach(give_up, NULL);
	int answers = 0;
	for (int i = 0; i < ntx; i++) {
		size_t len;
		answers += tx_isakmp(i, &len) != NULL;
	}
	assert_int_equal(answers, 5);
	assert_int_equal(ike_stats.retransmits, 5);
	assert_int_equal(ike_stats.timeouts, 1);
	assert_int_equal(ike_sa_half_open(), 0);
	char *out = cli_exec_capture("show crypto isakmp sa");
	assert_non_null(strstr(out, "(deleted)"));
	free(out);
	/* clear crypto isakmp frees what is left */
	free(cli_exec_capture("clear crypto isakmp"));
	assert_int_equal(ike_sa_count(), 0);
}

static void test_unknown_cookie_and_junk(void **state)
{
	uint8_t msg[ISAKMP_MAX_MSG];
	const uint8_t icky[8] = {0xf1, 2, 3, 4, 5, 6, 7, 8};
	struct offer o = {P1_ENCR_AES, P1_HASH_SHA, 2, 128, 3600};
	size_t len = mm1(msg, icky, &o, 1);
	/* a second message for an SA that does not exist */
	msg[8] = 0x77;
	deliver(A("10.0.0.2"), msg, len);
	assert_int_equal(ike_stats.unknown_cookie, 1);
	/* junk and a truncated header */
	deliver(A("10.0.0.2"), (const uint8_t *)"hello", 5);
	deliver(A("10.0.0.2"), msg, 20);
	assert_int_equal(ike_stats.malformed, 2);
	assert_int_equal(ike_sa_count(), 0);
	/* without a crypto map applied ISAKMP is off: not even looked at */
	assert_int_equal(cli_exec_config_text("interface FastEthernet0/0\n"
					      " no crypto map\n", NULL), 0);
	msg[8] = 0;
	deliver(A("10.0.0.2"), msg, len);
	assert_int_equal(ike_sa_count(), 0);
}

/* ---- Quick Mode as responder, with an SA made by hand ------------------------- */

/* An established SA with known keys; the test plays the peer with the
 * same keys (both ends of an SA hold the same ones). */
static struct ike_sa *hand_sa(void)
{
	uint8_t icky[8] = {0x51, 1, 2, 3, 4, 5, 6, 7};
	struct ike_sa *sa = ike_sa_new(false, A("10.0.0.1"), A("10.0.0.2"), icky);
	sa->d.encr = IKE_ENCR_AES;
	sa->d.key_bits = 128;
	sa->d.hash = IKE_HASH_SHA;
	sa->d.auth = IKE_AUTH_PRESHARE;
	sa->d.group = 2;
	sa->d.lifetime = 86400;
	sa->d.prf_len = 20;
	sa->d.iv_len = 16;
	sa->d.enc_key_len = 16;
	for (int i = 0; i < 20; i++) {
		sa->d.skeyid_a[i] = (uint8_t)(0xa0 + i);
		sa->d.skeyid_d[i] = (uint8_t)(0xd0 + i);
	}
	memset(sa->d.enc_key, 0x3e, 16);
	memset(sa->d.iv, 0x17, 16);
	ike_sa_assign_conn_id(sa);
	ike_sa_established(sa);
	return sa;
}

/* The peer's next message of exchange MID: BUILD fills it after HASH(1)
 * (or only HASH(3) when H3 is given), it is encrypted with *IV. */
static size_t peer_msg(struct ike_sa *sa, uint8_t exch, uint8_t flags,
		       uint32_t mid, uint8_t *iv, void (*build)(struct isakmp_out *),
		       const uint8_t *h3, uint8_t *out)
{
	struct isakmp_out *o = &(struct isakmp_out){0};
	isakmp_out_init(o, sa->d.icky, sa->d.rcky, exch, flags, mid);
	size_t h = isakmp_out_begin(o, NP_HASH);
	isakmp_out_put(o, h3 ? h3 : (const uint8_t[20]){0}, 20);
	isakmp_out_end(o, h);
	if (build)
		build(o);
	isakmp_out_finish(o);
	if (!h3)
		assert_true(ike_p2_hash_fill(sa, o, h, mid, NULL, 0));
	assert_true(ike_encrypt(sa, o, iv));
	memcpy(out, o->b, o->len);
	return o->len;
}

static const uint8_t ni[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};

static void qm1_body(struct isakmp_out *o)
{
	size_t s = isakmp_out_begin(o, NP_SA);
	isakmp_out_u32(o, IPSEC_DOI);
	isakmp_out_u32(o, SIT_IDENTITY);
	size_t p = isakmp_out_nested(o, NP_NONE);
	isakmp_out_u8(o, 1);
	isakmp_out_u8(o, PROTO_ESP);
	isakmp_out_u8(o, 4);
	isakmp_out_u8(o, 1);
	isakmp_out_u32(o, 0xc0ffee01);
	size_t t = isakmp_out_nested(o, NP_NONE);
	isakmp_out_u8(o, 1);
	isakmp_out_u8(o, ESP_AES);
	isakmp_out_u16(o, 0);
	isakmp_out_attr(o, P2_LIFE_TYPE, LIFE_SECONDS);
	isakmp_out_attr(o, P2_LIFE_DUR, 3600);
	isakmp_out_attr(o, P2_ENCAP, ENCAP_TUNNEL);
	isakmp_out_attr(o, P2_AUTH, P2_AUTH_SHA);
	isakmp_out_attr(o, P2_KEY_LEN, 128);
	isakmp_out_end(o, t);
	isakmp_out_end(o, p);
	isakmp_out_end(o, s);
	isakmp_out_simple(o, NP_NONCE, ni, sizeof ni);
	struct isakmp_ident ci = {ID_IPV4_ADDR_SUBNET, 0, 0, A("192.168.2.0"),
				  A("255.255.255.0"), ""};
	struct isakmp_ident cr = {ID_IPV4_ADDR_SUBNET, 0, 0, A("192.168.1.0"),
				  A("255.255.255.0"), ""};
	isakmp_out_id(o, NP_ID, &ci);
	isakmp_out_id(o, NP_ID, &cr);
}

static void connected_body(struct isakmp_out *o)
{
	size_t n = isakmp_out_begin(o, NP_N);
	isakmp_out_u32(o, IPSEC_DOI);
	isakmp_out_u8(o, PROTO_ESP);
	isakmp_out_u8(o, 4);
	isakmp_out_u16(o, N_CONNECTED);
	isakmp_out_u32(o, 0xc0ffee01);
	isakmp_out_end(o, n);
}

static void test_qm_responder_commit_bit(void **state)
{
	learn_peer(A("10.0.0.2"));
	struct ike_sa *sa = hand_sa();
	const uint32_t mid = 0x01020304;
	/* the exchange's IV: hash(phase 1 IV | M-ID), as both ends derive it */
	uint8_t iv[16];
	struct ike_xchg *tmp = ike_xchg_new(sa, mid, EXCH_QUICK, true);
	memcpy(iv, tmp->iv, 16);
	ike_xchg_free(tmp);
	uint8_t msg[ISAKMP_MAX_MSG];
	ntx = 0;
	size_t len = peer_msg(sa, EXCH_QUICK, ISAKMP_FLAG_COMMIT, mid, iv, qm1_body,
			      NULL, msg);
	deliver(A("10.0.0.2"), msg, len);
	/* QM2 back: decrypt it with the chained IV, take Nr and our SPI */
	size_t rlen = 0;
	const uint8_t *r = NULL;
	for (int i = 0; i < ntx && !r; i++)
		r = tx_isakmp(i, &rlen);
	assert_non_null(r);
	static uint8_t plain[ISAKMP_MAX_MSG];
	size_t plen;
	assert_true(ike_decrypt(sa, r, rlen, iv, plain, &plen));
	struct isakmp_msg m;
	assert_int_equal(isakmp_parse_hdr(r, rlen, &m.h), 0);
	assert_int_equal(isakmp_parse_chain(m.h.np, plain, plen, true, &m), 0);
	assert_true(ike_p2_hash_check(sa, &m, ni, sizeof ni));
	const struct isakmp_pl *np = isakmp_find(&m, NP_NONCE, 0);
	const struct isakmp_pl *sap = isakmp_find(&m, NP_SA, 0);
	static struct isakmp_sa s;
	assert_int_equal(isakmp_parse_sa(pl_body(sap), pl_blen(sap), &s), 0);
	uint32_t my_spi = (uint32_t)s.prop[0].spi[0] << 24 | s.prop[0].spi[1] << 16 |
			  s.prop[0].spi[2] << 8 | s.prop[0].spi[3];
	/* QM3: HASH(3) = prf(SKEYID_a, 0 | M-ID | Ni | Nr) */
	uint8_t zero = 0, mb[4] = {1, 2, 3, 4}, h3[20];
	struct ike_iov v[4] = {{&zero, 1}, {mb, 4}, {ni, sizeof ni},
			       {pl_body(np), pl_blen(np)}};
	assert_true(ike_prf(IKE_HASH_SHA, sa->d.skeyid_a, 20, v, 4, h3));
	len = peer_msg(sa, EXCH_QUICK, 0, mid, iv, NULL, h3, msg);
	deliver(A("10.0.0.2"), msg, len);
	/* inbound is in use; outbound waits for the peer's CONNECTED */
	struct sa_selector sel = {
		{A("192.168.1.0"), A("255.255.255.0"), 0, 0},
		{A("192.168.2.0"), A("255.255.255.0"), 0, 0}};
	assert_non_null(sadb_in_find(A("10.0.0.1"), 50, my_spi));
	assert_null(sadb_out_find(A("10.0.0.2"), 50, &sel));
	len = peer_msg(sa, EXCH_INFO, 0, mid, iv, connected_body, NULL, msg);
	deliver(A("10.0.0.2"), msg, len);
	struct ipsec_sa *out = sadb_out_find(A("10.0.0.2"), 50, &sel);
	assert_non_null(out);
	assert_int_equal(out->d.spi, 0xc0ffee01);
	assert_int_equal(out->d.enc, XF_ESP_AES);
	assert_int_equal(out->d.life_secs, 3600);
	assert_memory_equal(out->d.ike_cookies, sa->d.icky, 8);
	/* both directions' keys differ (KEYMAT covers the SPI) */
	struct ipsec_sa *in = sadb_in_find(A("10.0.0.1"), 50, my_spi);
	assert_memory_not_equal(in->d.enc_key, out->d.enc_key, 16);
	assert_int_equal(ike_stats.in_p2, 1);
}

static void test_commands(void **state)
{
	/* the engine's configuration lines come back as typed, and go */
	assert_int_equal(cli_exec_config_text(
		"crypto isakmp nat keepalive 20\n"
		"crypto call admission limit ike in-negotiation-sa 50\n"
		"crypto call admission limit ike sa 200\n", NULL), 0);
	char *run = cfg_running_text();
	assert_non_null(strstr(run, "\ncrypto isakmp nat keepalive 20\n"));
	assert_non_null(strstr(run, "\ncrypto call admission limit ike sa 200\n"
				    "crypto call admission limit ike "
				    "in-negotiation-sa 50\n"));
	free(run);
	assert_int_equal(crypto_isakmp_nat_keepalive(), 20);
	assert_int_equal(ike_sa_half_open_limit(), 50);
	assert_int_equal(cli_exec_config_text(
		"no crypto isakmp nat keepalive\n"
		"no crypto call admission limit ike in-negotiation-sa\n"
		"no crypto call admission limit ike sa\n", NULL), 0);
	run = cfg_running_text();
	assert_null(strstr(run, "nat keepalive"));
	assert_null(strstr(run, "call admission"));
	free(run);
	assert_int_equal(ike_sa_half_open_limit(), 1000);
	/* debug crypto isakmp, as show debugging and undebug all see it */
	char *out = cli_exec_capture("debug crypto isakmp");
	assert_string_equal(out, "Crypto ISAKMP debugging is on\n");
	free(out);
	out = cli_exec_capture("show debugging");
	assert_non_null(strstr(out, "Cryptographic Subsystem:\n"
				    "  Crypto ISAKMP debugging is on\n"));
	free(out);
	/* with debug crypto ipsec too: one header for both */
	free(cli_exec_capture("debug crypto ipsec"));
	out = cli_exec_capture("show debugging");
	const char *both = "Cryptographic Subsystem:\n"
			   "  Crypto ISAKMP debugging is on\n"
			   "  Crypto IPSEC debugging is on\n";
	const char *at = strstr(out, both);
	assert_non_null(at);
	assert_null(strstr(at + 1, "Cryptographic Subsystem:"));
	assert_true(at == strstr(out, "Cryptographic Subsystem:"));
	free(out);
	free(cli_exec_capture("undebug all"));
	assert_false(ike_debug);
	out = cli_exec_capture("show debugging");
	assert_null(strstr(out, "Cryptographic Subsystem:"));
	free(out);
	/* the counters' show: every MIB object, one line each */
	out = cli_exec_capture("show crypto mib ike flowmib global");
	assert_non_null(strstr(out, " vrf Global\n  Active Tunnels"));
	assert_non_null(strstr(out, "  No Sa Fails"));
	int lines = 0;
	for (const char *p = out; *p; p++)
		lines += *p == '\n';
	assert_int_equal(lines, 27);
	free(out);
}

int main(void)
{
	router_init();
	port_set_tx_hook(tx_hook);
	fa0 = iface_get("FastEthernet0/0");
	iface_set_attached(fa0, true);     /* hardware: it survives resets */
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_codec_roundtrip),
		cmocka_unit_test(test_codec_rejects),
		cmocka_unit_test(test_prf_vectors),
		cmocka_unit_test(test_dh_agrees),
		cmocka_unit_test(test_cbc_chains),
		cmocka_unit_test_setup(test_policy_order_and_lifetime, setup),
		cmocka_unit_test_setup(test_no_proposal, setup),
		cmocka_unit_test_setup(test_half_open_bound, setup),
		cmocka_unit_test_setup(test_failed_offers_bounded, setup),
		cmocka_unit_test_setup(test_acquire_initiates, setup),
		cmocka_unit_test_setup(test_retransmit_then_give_up, setup),
		cmocka_unit_test_setup(test_unknown_cookie_and_junk, setup),
		cmocka_unit_test_setup(test_commands, setup),
		cmocka_unit_test_setup(test_qm_responder_commit_bit, setup),
	};
	int r = cmocka_run_group_tests(tests, NULL, NULL);
	core_reset_all();
	return r;
}
