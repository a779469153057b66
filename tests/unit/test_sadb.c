/* Unit tests of the IPsec SA database: the SPI index, the outbound lookup
 * (newest active SA wins), bundles, SPI allocation, the change events, and
 * that nothing of an SA is left behind when it goes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "../../core/core.h"
#include "../../router/router.h"
#include "../../crypto/sadb.h"

static int adds, dels, updates;
static enum sadb_reason last_why;

static void on_sa(enum core_event ev, void *data, void *ctx)
{
	const struct sadb_event *e = data;
	adds += e->kind == SADB_EV_ADD;
	dels += e->kind == SADB_EV_DEL;
	updates += e->kind == SADB_EV_UPDATE;
	if (e->kind == SADB_EV_DEL)
		last_why = e->why;
}

static int setup(void **state)
{
	core_reset_all();
	adds = dels = updates = 0;
	return 0;
}

static uint32_t ip(const char *s)
{
	return inet_addr(s);
}

static struct ipsec_sa_data sa_data(uint32_t spi, bool inbound, uint8_t proto)
{
	struct ipsec_sa_data d = {0};
	d.spi = spi;
	d.proto = proto;
	d.inbound = inbound;
	d.tunnel = true;
	d.enc = proto == 50 ? XF_ESP_AES : XF_NONE;
	d.enc_bits = 128;
	d.auth = proto == 50 ? XF_ESP_SHA : XF_AH_SHA;
	d.enc_key_len = 16;
	d.auth_key_len = 20;
	d.local = ip("10.0.0.1");
	d.peer = ip("10.0.0.2");
	d.sel.local = (struct sa_proxy){ip("192.168.1.0"), ip("255.255.255.0"), 0, 0};
	d.sel.remote = (struct sa_proxy){ip("192.168.2.0"), ip("255.255.255.0"), 0, 0};
	d.life_secs = 3600;
	d.life_kb = 4608000;
	d.window_size = 64;
	return d;
}

static void test_add_find_delete(void **state)
{
	struct ipsec_sa_data d = sa_data(0x1234, true, 50);
	struct ipsec_sa *sa = sadb_add(&d);
	assert_non_null(sa);
	assert_int_equal(adds, 1);
	assert_ptr_equal(sadb_in_find(ip("10.0.0.1"), 50, 0x1234), sa);
	/* the SPI belongs to a destination and a protocol */
	assert_null(sadb_in_find(ip("10.0.0.9"), 50, 0x1234));
	assert_null(sadb_in_find(ip("10.0.0.1"), 51, 0x1234));
	/* a second SA with the same SPI, protocol and destination is refused */
	assert_null(sadb_add(&d));
	/* the same SPI for AH is another SA */
	struct ipsec_sa_data ah = sa_data(0x1234, true, 51);
	struct ipsec_sa *sa_ah = sadb_add(&ah);
	assert_non_null(sa_ah);
	assert_ptr_equal(sadb_in_find(ip("10.0.0.1"), 51, 0x1234), sa_ah);
	assert_int_equal(sadb_count(), 2);
	sadb_delete(sa, SADB_DEL_PEER);
	assert_int_equal(dels, 1);
	assert_int_equal(last_why, SADB_DEL_PEER);
	assert_null(sadb_in_find(ip("10.0.0.1"), 50, 0x1234));
	assert_ptr_equal(sadb_in_find(ip("10.0.0.1"), 51, 0x1234), sa_ah);
	assert_int_equal(sadb_count(), 1);
}

static void test_spi_chain(void **state)
{
	/* one SPI value in use towards two local addresses: both found, and
	 * either can go first */
	struct ipsec_sa_data a = sa_data(777, true, 50), b = a;
	b.local = ip("10.9.9.9");
	struct ipsec_sa *sa = sadb_add(&a), *sb = sadb_add(&b);
	assert_non_null(sa);
	assert_non_null(sb);
	assert_ptr_equal(sadb_in_find(a.local, 50, 777), sa);
	assert_ptr_equal(sadb_in_find(b.local, 50, 777), sb);
	sadb_delete(sb, SADB_DEL_CLEARED);
	assert_ptr_equal(sadb_in_find(a.local, 50, 777), sa);
	sb = sadb_add(&b);
	sadb_delete(sa, SADB_DEL_CLEARED);
	assert_ptr_equal(sadb_in_find(b.local, 50, 777), sb);
	assert_null(sadb_in_find(a.local, 50, 777));
}

static void test_out_find_newest_active(void **state)
{
	struct ipsec_sa_data o1 = sa_data(100, false, 50);
	struct ipsec_sa_data o2 = sa_data(200, false, 50);
	struct ipsec_sa *s1 = sadb_add(&o1);
	assert_ptr_equal(sadb_out_find(o1.peer, 50, &o1.sel), s1);
	struct ipsec_sa *s2 = sadb_add(&o2);
	/* the rekeyed successor takes the traffic */
	assert_ptr_equal(sadb_out_find(o1.peer, 50, &o1.sel), s2);
	/* a standby SA never does */
	s2->d.status = SA_STATUS_STANDBY;
	assert_ptr_equal(sadb_out_find(o1.peer, 50, &o1.sel), s1);
	/* nor does an inbound one, another peer's or another selector's */
	struct sa_selector other = o1.sel;
	other.remote.port = 80;
	assert_null(sadb_out_find(o1.peer, 50, &other));
	assert_null(sadb_out_find(ip("10.0.0.3"), 50, &o1.sel));
	assert_null(sadb_out_find(o1.peer, 51, &o1.sel));
}

static void test_bundle_and_spi_alloc(void **state)
{
	uint32_t b1 = sadb_bundle_alloc(), b2 = sadb_bundle_alloc();
	assert_int_not_equal(b1, 0);
	assert_int_not_equal(b1, b2);
	uint32_t local = ip("10.0.0.1");
	for (int i = 0; i < 4; i++) {
		bool in = i < 2;
		struct ipsec_sa_data d = sa_data(sadb_spi_alloc(local, 50), in,
						 i % 2 ? 51 : 50);
		d.bundle = b1;
		assert_true(d.spi >= 256);
		assert_non_null(sadb_add(&d));
	}
	struct ipsec_sa_data other = sa_data(sadb_spi_alloc(local, 50), true, 50);
	other.bundle = b2;
	assert_non_null(sadb_add(&other));
	assert_int_equal(sadb_count(), 5);
	sadb_delete_bundle(b1, SADB_DEL_CLEARED);
	assert_int_equal(sadb_count(), 1);
	assert_int_equal(dels, 4);
}

static void test_account_publishes_updates(void **state)
{
	struct ipsec_sa_data d = sa_data(300, false, 50);
	struct ipsec_sa *sa = sadb_add(&d);
	for (int i = 0; i < 100; i++)
		sadb_account(sa, 1400);
	assert_int_equal(sa->d.bytes, 140000);
	/* rate-limited: one update per 64 KiB */
	assert_int_equal(updates, 2);
}

static void test_reset_frees_everything(void **state)
{
	for (uint32_t spi = 256; spi < 356; spi++) {
		struct ipsec_sa_data d = sa_data(spi, spi % 2, 50);
		assert_non_null(sadb_add(&d));
	}
	assert_int_equal(sadb_count(), 100);
	core_reset_all();
	assert_int_equal(sadb_count(), 0);
	assert_null(sadb_in_find(ip("10.0.0.1"), 50, 257));
}

static void test_bad_data_refused(void **state)
{
	struct ipsec_sa_data d = sa_data(400, true, 50);
	d.proto = 17;
	assert_null(sadb_add(&d));
	d = sa_data(400, true, 50);
	d.window_size = SA_REPLAY_MAX + 1;
	assert_null(sadb_add(&d));
	d = sa_data(400, true, 50);
	d.enc_key_len = SA_ENC_KEY_MAX + 1;
	assert_null(sadb_add(&d));
	assert_int_equal(sadb_count(), 0);
	assert_int_equal(adds, 0);
}

int main(void)
{
	router_init();
	core_subscribe(EVT_IPSEC_SA, on_sa, NULL);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_add_find_delete, setup),
		cmocka_unit_test_setup(test_spi_chain, setup),
		cmocka_unit_test_setup(test_out_find_newest_active, setup),
		cmocka_unit_test_setup(test_bundle_and_spi_alloc, setup),
		cmocka_unit_test_setup(test_account_publishes_updates, setup),
		cmocka_unit_test_setup(test_reset_frees_everything, setup),
		cmocka_unit_test_setup(test_bad_data_refused, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
