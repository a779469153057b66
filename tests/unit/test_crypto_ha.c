/* Unit tests of the crypto HA manager's standby side and its message
 * format: the checkpoint messages an ACTIVE sends, built here attribute by
 * attribute as ha_int.h documents them, fed to the standby's clients:
 *   the codec (round trip; truncated, lying or foreign-version messages
 *   refused whole); an IKE SA and an ESP bundle installed as STANDBY
 *   copies (shown STDBY / Status: STANDBY, answering nothing); a bundle
 *   missing a key, an update for an unknown SA, a message out of order and
 *   one for an address that is no stateful VIP here, each counted and
 *   dropped; replay updates; and the takeover HSRP triggers: outbound
 *   sequence numbers two intervals beyond the last update, the inbound
 *   window from it, the copies ACTIVE. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>

#include "../../crypto/ha_int.h"
#include "../../crypto/ike.h"
#include "../../crypto/sadb.h"
#include "../../hsrp/hsrp_int.h"
#include "../../router/router.h"
#include "net_frames.h"

static const char config[] =
	"logging buffered 100000 debugging\n"
	"crypto isakmp policy 1\n"
	" authentication pre-share\n"
	"crypto isakmp key k address 10.0.0.4\n"
	"crypto ipsec transform-set TS esp-aes esp-sha-hmac\n"
	"crypto map CM redundancy replay-interval inbound 100 outbound 1000\n"
	"crypto map CM 10 ipsec-isakmp\n"
	" set peer 10.0.0.4\n"
	" set transform-set TS\n"
	" match address 101\n"
	"interface FastEthernet0/0\n"
	" ip address 10.0.0.2 255.255.255.0\n"
	" standby 1 ip 10.0.0.3\n"
	" standby 1 name HA-out\n"
	" crypto map CM redundancy HA-out stateful\n"
	"access-list 101 permit ip 10.1.0.0 0.0.0.255 10.5.0.0 0.0.0.255\n";

static uint32_t vip, peer;
static uint32_t ike_seq, ipsec_seq;

static int setup(void **state)
{
	core_reset_all();
	port_set_tx_hook(tx_hook);
	fa0 = iface_get("FastEthernet0/0");
	iface_set_attached(fa0, true);
	iface_set_carrier(fa0, true);
	assert_int_equal(cfg(config), 0);
	vip = A("10.0.0.3");
	peer = A("10.0.0.4");
	ike_seq = ipsec_seq = 0;
	memset(&ha_counters, 0, sizeof ha_counters);
	return 0;
}

static void set_hsrp(enum hsrp_state st)
{
	struct hsrp_group *g = hsrp_group_find(hsrp_if_find(fa0), 1);
	assert_non_null(g);
	hsrp_group_set_state(g, st);
	ev_run(core_loop, EVRUN_NOWAIT);
}

/* ---- messages, as an ACTIVE builds them ---------------------------------------- */

static const uint8_t icky[8] = {1, 2, 3, 4, 5, 6, 7, 8};
static const uint8_t rcky[8] = {9, 10, 11, 12, 13, 14, 15, 16};

static void send_ike(struct ha_out *o)
{
	assert_true(ha_out_finish(o, ike_seq++));
	uint16_t type = (uint16_t)(o->b[2] << 8 | o->b[3]);
	ha_ike_recv(NULL, type, o->b, o->len);
}

static void send_ipsec(struct ha_out *o)
{
	assert_true(ha_out_finish(o, ipsec_seq++));
	uint16_t type = (uint16_t)(o->b[2] << 8 | o->b[3]);
	ha_ipsec_recv(NULL, type, o->b, o->len);
}

static void ike_add(struct ha_out *o, bool with_keys)
{
	uint8_t key[20] = {0x42}, iv[8] = {0x17}, ek[24] = {0x33};
	ha_out_begin(o, HA_IKE_MSG_ADD_SA, HA_FLAG_ACTIVE, vip);
	ha_out_put(o, HA_IKE_ATT_MY_COOKIE, icky, 8);
	ha_out_put(o, HA_IKE_ATT_HIS_COOKIE, rcky, 8);
	ha_out_put(o, HA_IKE_ATT_SRC, &peer, 4);
	ha_out_put(o, HA_IKE_ATT_DST, &vip, 4);
	ha_out_u16(o, HA_IKE_ATT_PEER_PORT, 500);
	ha_out_u16(o, HA_IKE_ATT_LOCAL_PORT, 500);
	ha_out_u8(o, HA_IKE_ATT_INIT_OR_RESP, 0);
	ha_out_u32(o, HA_IKE_ATT_STATE_MASK, IKE_QM_IDLE);
	ha_out_u8(o, HA_IKE_ATT_ENCR, IKE_ENCR_3DES);
	ha_out_u8(o, HA_IKE_ATT_HASH, IKE_HASH_SHA);
	ha_out_u8(o, HA_IKE_ATT_AUTH, IKE_AUTH_PRESHARE);
	ha_out_u16(o, HA_IKE_ATT_DH_GROUP, 2);
	ha_out_u32(o, HA_IKE_ATT_LIFETIME, 86400);
	ha_out_u32(o, HA_IKE_ATT_AGE_MS, 5000);
	ha_out_put(o, HA_IKE_ATT_SKEYID_D, key, 20);
	ha_out_put(o, HA_IKE_ATT_SKEYID_A, key, 20);
	ha_out_put(o, HA_IKE_ATT_SKEYID_E, key, 20);
	if (with_keys)
		ha_out_put(o, HA_IKE_ATT_ENC_KEY, ek, 24);
	ha_out_put(o, HA_IKE_ATT_IV, iv, 8);
	ha_out_u32(o, HA_IKE_ATT_DPD_SEQ_OUT, 77);
}

static void put_proxy(struct ha_out *o, uint16_t att, const char *addr,
		      const char *mask)
{
	uint8_t b[11] = {0};
	uint32_t a = A(addr), m = A(mask);
	memcpy(b, &a, 4);
	memcpy(b + 4, &m, 4);
	ha_out_put(o, att, b, sizeof b);
}

static void put_sa(struct ha_out *o, bool inbound, uint32_t spi, uint64_t seq,
		   bool auth_key)
{
	uint8_t head[6] = {50, inbound, (uint8_t)(spi >> 24), (uint8_t)(spi >> 16),
			   (uint8_t)(spi >> 8), (uint8_t)spi};
	uint8_t ek[16] = {0x11}, ak[20] = {0x22};
	ha_out_put(o, HA_IPSEC_ATT_SA, head, 6);
	ha_out_u8(o, HA_IPSEC_ATT_ENC, XF_ESP_AES);
	ha_out_u8(o, HA_IPSEC_ATT_AUTH, XF_ESP_SHA);
	ha_out_u16(o, HA_IPSEC_ATT_ENC_BITS, 128);
	ha_out_put(o, HA_IPSEC_ATT_ENC_KEY, ek, 16);
	if (auth_key)
		ha_out_put(o, HA_IPSEC_ATT_AUTH_KEY, ak, 20);
	ha_out_u64(o, HA_IPSEC_ATT_SEQ, seq);
	ha_out_u16(o, HA_IPSEC_ATT_WINDOW, 64);
	ha_out_u64(o, HA_IPSEC_ATT_BYTES, 0);
}

static void bundle(struct ha_out *o, uint32_t spi_in, uint32_t spi_out,
		   bool complete)
{
	ha_out_begin(o, HA_IPSEC_MSG_ADD_BUNDLE, HA_FLAG_ACTIVE, vip);
	ha_out_put(o, HA_IPSEC_ATT_LOCAL, &vip, 4);
	ha_out_put(o, HA_IPSEC_ATT_PEER, &peer, 4);
	ha_out_u16(o, HA_IPSEC_ATT_LOCAL_PORT, 0);
	ha_out_u16(o, HA_IPSEC_ATT_PEER_PORT, 0);
	put_proxy(o, HA_IPSEC_ATT_LOCAL_PROXY, "10.1.0.0", "255.255.255.0");
	put_proxy(o, HA_IPSEC_ATT_REMOTE_PROXY, "10.5.0.0", "255.255.255.0");
	ha_out_u8(o, HA_IPSEC_ATT_MODE, 1);
	ha_out_put(o, HA_IPSEC_ATT_MAP, "CM", 2);
	ha_out_u32(o, HA_IPSEC_ATT_MAP_SEQ, 10);
	uint8_t ck[16];
	memcpy(ck, icky, 8);
	memcpy(ck + 8, rcky, 8);
	ha_out_put(o, HA_IPSEC_ATT_IKE_COOKIES, ck, 16);
	ha_out_u32(o, HA_IPSEC_ATT_LIFE_SECS, 3600);
	ha_out_u64(o, HA_IPSEC_ATT_LIFE_KB, 4608000);
	ha_out_u32(o, HA_IPSEC_ATT_AGE_MS, 1000);
	put_sa(o, true, spi_in, 10, true);
	put_sa(o, false, spi_out, 12, complete);
}

static void update(struct ha_out *o, bool inbound, uint32_t spi, uint64_t seq)
{
	uint8_t head[6] = {50, inbound, (uint8_t)(spi >> 24), (uint8_t)(spi >> 16),
			   (uint8_t)(spi >> 8), (uint8_t)spi};
	ha_out_begin(o, HA_IPSEC_MSG_UPDATE_SA, HA_FLAG_ACTIVE, vip);
	ha_out_put(o, HA_IPSEC_ATT_SA, head, 6);
	ha_out_put(o, HA_IPSEC_ATT_LOCAL, &vip, 4);
	ha_out_put(o, HA_IPSEC_ATT_PEER, &peer, 4);
	ha_out_u64(o, HA_IPSEC_ATT_SEQ, seq);
	ha_out_u64(o, HA_IPSEC_ATT_BYTES, 2048);
}

/* ---- tests ------------------------------------------------------------------------- */

static void test_codec(void **state)
{
	struct ha_out o;
	ha_out_begin(&o, HA_IKE_MSG_DELETE_SA, HA_FLAG_ACTIVE, vip);
	ha_out_u32(&o, HA_IKE_ATT_LIFETIME, 0x01020304);
	ha_out_put(&o, HA_IKE_ATT_MY_COOKIE, icky, 8);
	assert_true(ha_out_finish(&o, 7));
	struct ha_msg m;
	assert_int_equal(ha_msg_parse(o.b, o.len, &m), 0);
	assert_int_equal(m.type, HA_IKE_MSG_DELETE_SA);
	assert_int_equal(m.seq, 7);
	assert_int_equal(m.id, vip);
	struct ha_attr_it it;
	struct ha_attr a;
	uint32_t v;
	ha_attr_begin(&m, &it);
	assert_int_equal(ha_attr_next(&it, &a), 1);
	assert_true(ha_attr_u32(&a, &v));
	assert_int_equal(v, 0x01020304);
	assert_int_equal(ha_attr_next(&it, &a), 1);
	assert_int_equal(a.len, 8);
	assert_int_equal(ha_attr_next(&it, &a), 0);
	/* refused whole: short, lying length, other version, attribute overrun */
	assert_int_equal(ha_msg_parse(o.b, HA_HDR_LEN - 1, &m), -1);
	assert_int_equal(ha_msg_parse(o.b, o.len - 1, &m), -1);
	uint8_t bad[HA_MSG_MAX];
	memcpy(bad, o.b, o.len);
	bad[0] = 2;
	assert_int_equal(ha_msg_parse(bad, o.len, &m), -1);
	memcpy(bad, o.b, o.len);
	bad[HA_HDR_LEN + 3] = 200;          /* first attribute claims 200 bytes */
	assert_int_equal(ha_msg_parse(bad, o.len, &m), -1);
	/* an overflowing message is not finished */
	ha_out_begin(&o, HA_IKE_MSG_ADD_SA, 0, vip);
	for (int i = 0; i < 20; i++)
		ha_out_put(&o, HA_IKE_ATT_ID_STR, bad, 250);
	assert_false(ha_out_finish(&o, 0));
}

static void test_standby_copies(void **state)
{
	struct ha_out o;
	ike_add(&o, true);
	send_ike(&o);
	bundle(&o, 0x1000, 0x2000, true);
	send_ipsec(&o);
	assert_int_equal(ha_counters.ike_added, 1);
	assert_int_equal(ha_counters.ipsec_added, 2);
	assert_int_equal(sadb_count(), 2);
	char *out = exec_lines("show crypto isakmp sa standby\n");
	assert_non_null(strstr(out, "10.0.0.3        10.0.0.4        QM_IDLE"));
	assert_non_null(strstr(out, "STDBY"));
	free(out);
	out = exec_lines("show crypto ipsec sa standby\n");
	assert_non_null(strstr(out, "spi: 0x1000(4096)"));
	assert_non_null(strstr(out, "Status: STANDBY"));
	assert_non_null(strstr(out, "HA last key lifetime sent(k): (4608000)"));
	assert_null(strstr(out, "Status: ACTIVE"));
	free(out);
	out = exec_lines("show crypto ipsec sa active\n");
	assert_null(strstr(out, "spi: 0x1000"));
	free(out);
	/* the copies carry nothing: no outbound SA for the data path */
	struct sa_selector sel = {{A("10.1.0.0"), A("255.255.255.0"), 0, 0},
				  {A("10.5.0.0"), A("255.255.255.0"), 0, 0}};
	assert_null(sadb_out_find(peer, 50, &sel));
	/* a replay update moves the copy */
	update(&o, false, 0x2000, 5000);
	send_ipsec(&o);
	assert_int_equal(ha_counters.ipsec_updated, 1);
	assert_int_equal(sadb_out_find_spi(peer, 50, 0x2000)->d.seq, 5000);
	/* show crypto ha names the VIP */
	out = exec_lines("show crypto ha\n");
	assert_non_null(strstr(out, "IKE VIP: 10.0.0.3"));
	assert_non_null(strstr(out, "IPSec VIP: 10.0.0.3"));
	free(out);
}

static void test_bad_messages_dropped(void **state)
{
	struct ha_out o;
	/* a bundle whose outbound SA has no integrity key: none of it kept */
	bundle(&o, 0x1000, 0x2000, false);
	send_ipsec(&o);
	assert_int_equal(sadb_count(), 0);
	assert_int_equal(ha_counters.rx_incomplete, 1);
	/* an IKE SA without its cipher key: not kept either */
	ike_add(&o, false);
	send_ike(&o);
	assert_int_equal(ha_counters.ike_added, 0);
	assert_int_equal(ha_counters.rx_incomplete, 2);
	/* an update for an SA the standby does not hold */
	update(&o, true, 0x9999, 10);
	send_ipsec(&o);
	assert_int_equal(ha_counters.rx_unknown_sa, 1);
	/* an old sequence number: dropped before it is read */
	bundle(&o, 0x1000, 0x2000, true);
	assert_true(ha_out_finish(&o, 0));
	ha_ipsec_recv(NULL, HA_IPSEC_MSG_ADD_BUNDLE, o.b, o.len);
	assert_int_equal(ha_counters.rx_out_of_order, 1);
	assert_int_equal(sadb_count(), 0);
	/* an address with no stateful map here */
	uint32_t other = A("10.0.0.99");
	bundle(&o, 0x1000, 0x2000, true);
	memcpy(o.b + 8, &other, 4);
	send_ipsec(&o);
	assert_int_equal(ha_counters.rx_bad_vip, 1);
	/* a type the client does not have, a truncated message */
	ha_out_begin(&o, 9, HA_FLAG_ACTIVE, vip);
	assert_true(ha_out_finish(&o, ipsec_seq));
	ha_ipsec_recv(NULL, 9, o.b, o.len);
	assert_int_equal(ha_counters.rx_unknown_type, 1);
	ha_ipsec_recv(NULL, HA_IPSEC_MSG_ADD_BUNDLE, o.b, 5);
	assert_int_equal(ha_counters.rx_malformed, 1);
	assert_int_equal(sadb_count(), 0);
}

static void test_takeover(void **state)
{
	struct ha_out o;
	ike_add(&o, true);
	send_ike(&o);
	bundle(&o, 0x1000, 0x2000, true);
	send_ipsec(&o);
	update(&o, true, 0x1000, 300);
	send_ipsec(&o);
	update(&o, false, 0x2000, 4000);
	send_ipsec(&o);
	set_hsrp(HSRP_ACTIVE);
	assert_int_equal(ha_counters.takeovers, 1);
	assert_int_equal(ha_counters.ike_activated, 1);
	assert_int_equal(ha_counters.ipsec_activated, 2);
	struct ipsec_sa *out = sadb_out_find_spi(peer, 50, 0x2000);
	struct ipsec_sa *in = sadb_in_find(vip, 50, 0x1000);
	assert_int_equal(out->d.status, SA_STATUS_ACTIVE);
	/* outbound interval 1000: two of them beyond the last value heard */
	assert_int_equal(out->d.seq, 4000 + 2 * 1000);
	/* inbound: the window starts at 300, everything below seen */
	assert_int_equal(in->d.seq, 300);
	assert_int_equal(sadb_replay_check(in, 300), SADB_REPLAY_SEEN);
	assert_int_equal(sadb_replay_check(in, 301), SADB_REPLAY_OK);
	struct ike_sa *ike = ike_sa_find(icky, rcky);
	assert_non_null(ike);
	assert_int_equal(ike->d.status, SA_STATUS_ACTIVE);
	assert_int_equal(ike->d.dpd_seq_out, 77 + 64);
	char *s = exec_lines("show crypto ipsec sa active\n");
	assert_non_null(strstr(s, "Status: ACTIVE"));
	free(s);
	s = exec_lines("show crypto session\n");
	assert_non_null(strstr(s, "UP-ACTIVE"));
	free(s);
}

/* A redundancy group with no virtual IP (or none of that name): said once
 * in the log and in show crypto ha, and no VIP is offered. */
static void test_group_without_vip(void **state)
{
	assert_int_equal(cfg("interface FastEthernet0/0\n"
			     " no standby 1 ip\n"), 0);
	char *out = exec_lines("show crypto ha\n");
	assert_non_null(strstr(out, "% crypto map CM on FastEthernet0/0: standby "
				    "group HA-out has no virtual IP address; the "
				    "map uses the interface address"));
	assert_null(strstr(out, "IKE VIP:"));
	free(out);
	out = exec_lines("show logging\n");
	const char *line = "%CRYPTO-4-HA_NO_VIP: crypto map CM on FastEthernet0/0: "
			   "standby group HA-out has no virtual IP address";
	const char *first = strstr(out, line);
	assert_non_null(first);
	assert_null(strstr(first + 1, line));
	free(out);
}

int main(void)
{
	router_init();
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_codec, setup),
		cmocka_unit_test_setup(test_standby_copies, setup),
		cmocka_unit_test_setup(test_bad_messages_dropped, setup),
		cmocka_unit_test_setup(test_takeover, setup),
		cmocka_unit_test_setup(test_group_without_vip, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
