/* The IPsec security association database: SAs indexed by SPI for the
 * inbound path, listed in installation order for the outbound lookup,
 * shows and clears, lifetimes counted once a second, and every change
 * published as EVT_IPSEC_SA (see sadb.h). */
#include "crypto_int.h"
#include "sadb.h"

#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* IOS begins rekeying when an SA has about a tenth of its life left; the
 * soft margin is that, and never less than 30 seconds. */
#define SOFT_FRACTION 0.1
#define SOFT_MIN_SECS 30.0
/* A running SA publishes its byte count and replay state at most this often
 * (the HA manager has its own, configured intervals on top). */
#define UPDATE_EVERY_BYTES (64u * 1024)

static struct {
	struct intmap by_spi;          /* (spi << 8 | proto) -> chain */
	struct intmap by_bundle;       /* bundle -> its first SA */
	struct intmap by_peer;         /* peer -> chain (next_peer) */
	uint64_t next_ord;
	struct ipsec_sa *head, *tail;  /* installation order */
	size_t n;
	uint32_t next_bundle;
	unsigned next_conn;
	sadb_acquire_fn acquire;
	sadb_soft_fn soft;
	const struct sadb_engine_ops *engine;
	ev_timer tick;
} db;

static uint64_t spi_key(uint8_t proto, uint32_t spi)
{
	return (uint64_t)spi << 8 | proto;
}

static void publish(enum sadb_event_kind kind, struct ipsec_sa *sa,
		    enum sadb_reason why)
{
	struct sadb_event ev = {kind, sa, why};
	core_publish(EVT_IPSEC_SA, &ev);
}

/* Only inbound SAs answer: an outbound SA may carry the same SPI (the
 * peer chose it; manual keys often use one SPI both ways). */
struct ipsec_sa *sadb_in_find(uint32_t dst, uint8_t proto, uint32_t spi)
{
	for (struct ipsec_sa *sa = intmap_get(&db.by_spi, spi_key(proto, spi));
	     sa; sa = sa->next_spi)
		if (sa->d.inbound && sa->d.local == dst)
			return sa;
	return NULL;
}

struct ipsec_sa *sadb_out_find_spi(uint32_t peer, uint8_t proto, uint32_t spi)
{
	for (struct ipsec_sa *sa = intmap_get(&db.by_spi, spi_key(proto, spi));
	     sa; sa = sa->next_spi)
		if (!sa->d.inbound && sa->d.peer == peer)
			return sa;
	return NULL;
}

/* The SAs of one direction of a bundle are one engine connection; a
 * new one takes the next id (IOS counts from 2001). */
static unsigned conn_id_for(const struct ipsec_sa_data *d)
{
	for (struct ipsec_sa *sa = d->bundle ? sadb_bundle_first(d->bundle)
					     : NULL;
	     sa; sa = sa->next_in_bundle)
		if (sa->d.inbound == d->inbound)
			return sa->conn_id;
	return 2001 + db.next_conn++ % 30000;
}

struct ipsec_sa *sadb_bundle_first(uint32_t bundle)
{
	return intmap_get(&db.by_bundle, bundle);
}

struct ipsec_sa *sadb_peer_first(uint32_t peer)
{
	return intmap_get(&db.by_peer, peer);
}

/* A bundle has a handful of SAs (AH and ESP, each way): a short chain. */
static void bundle_link(struct ipsec_sa *sa)
{
	if (!sa->d.bundle)
		return;
	struct ipsec_sa *p = sadb_bundle_first(sa->d.bundle);
	if (!p) {
		intmap_put(&db.by_bundle, sa->d.bundle, sa);
		return;
	}
	while (p->next_in_bundle)
		p = p->next_in_bundle;
	p->next_in_bundle = sa;
}

static void bundle_unlink(struct ipsec_sa *sa)
{
	struct ipsec_sa *first = sa->d.bundle ? sadb_bundle_first(sa->d.bundle)
					      : NULL;
	if (first == sa) {
		if (sa->next_in_bundle)
			intmap_put(&db.by_bundle, sa->d.bundle, sa->next_in_bundle);
		else
			intmap_del(&db.by_bundle, sa->d.bundle);
		return;
	}
	for (struct ipsec_sa *p = first; p; p = p->next_in_bundle)
		if (p->next_in_bundle == sa) {
			p->next_in_bundle = sa->next_in_bundle;
			return;
		}
}

struct ipsec_sa *sadb_add(const struct ipsec_sa_data *d)
{
	if ((d->proto != 50 && d->proto != 51) ||
	    d->window_size > SA_REPLAY_MAX ||
	    d->enc_key_len > SA_ENC_KEY_MAX || d->auth_key_len > SA_AUTH_KEY_MAX)
		return NULL;
	if (d->inbound ? sadb_in_find(d->local, d->proto, d->spi) != NULL
		       : sadb_out_find_spi(d->peer, d->proto, d->spi) != NULL)
		return NULL;
	struct ipsec_sa *sa = xcalloc(1, sizeof *sa);
	sa->d = *d;
	sa->conn_id = conn_id_for(d);
	sa->flow_id = sa->conn_id - 2000;
	if (db.engine && !db.engine->attach(sa)) {
		OPENSSL_cleanse(sa, sizeof *sa);
		free(sa);
		return NULL;
	}
	uint64_t key = spi_key(d->proto, d->spi);
	sa->next_spi = intmap_get(&db.by_spi, key);
	intmap_put(&db.by_spi, key, sa);
	sa->next_peer = intmap_get(&db.by_peer, d->peer);
	if (sa->next_peer)
		sa->next_peer->prev_peer = sa;
	intmap_put(&db.by_peer, d->peer, sa);
	bundle_link(sa);
	sa->ord = ++db.next_ord;
	struct ipsec_sa *end = NULL;
	DLIST_INSERT_BEFORE(db.head, db.tail, end, sa);
	db.n++;
	publish(SADB_EV_ADD, sa, 0);
	return sa;
}

static void unindex(struct ipsec_sa *sa)
{
	/* the peer's chain is doubly linked: one peer may have thousands */
	if (sa->next_peer)
		sa->next_peer->prev_peer = sa->prev_peer;
	if (sa->prev_peer)
		sa->prev_peer->next_peer = sa->next_peer;
	else if (sa->next_peer)
		intmap_put(&db.by_peer, sa->d.peer, sa->next_peer);
	else
		intmap_del(&db.by_peer, sa->d.peer);
	uint64_t key = spi_key(sa->d.proto, sa->d.spi);
	struct ipsec_sa *first = intmap_get(&db.by_spi, key);
	if (first == sa) {
		if (sa->next_spi)
			intmap_put(&db.by_spi, key, sa->next_spi);
		else
			intmap_del(&db.by_spi, key);
		return;
	}
	for (struct ipsec_sa *p = first; p; p = p->next_spi)
		if (p->next_spi == sa) {
			p->next_spi = sa->next_spi;
			return;
		}
}

void sadb_delete(struct ipsec_sa *sa, enum sadb_reason why)
{
	publish(SADB_EV_DEL, sa, why);
	unindex(sa);
	bundle_unlink(sa);
	DLIST_REMOVE(db.head, db.tail, sa);
	db.n--;
	if (db.engine)
		db.engine->detach(sa);
	/* the keys must not outlive the SA in freed memory */
	OPENSSL_cleanse(sa, sizeof *sa);
	free(sa);
}

void sadb_delete_bundle(uint32_t bundle, enum sadb_reason why)
{
	struct ipsec_sa *sa;
	while (bundle && (sa = sadb_bundle_first(bundle)))
		sadb_delete(sa, why);
}

static bool proxy_eq(const struct sa_proxy *a, const struct sa_proxy *b)
{
	return a->addr == b->addr && a->mask == b->mask &&
	       a->proto == b->proto && a->port == b->port;
}

struct ipsec_sa *sadb_out_find(uint32_t peer, uint8_t proto,
			       const struct sa_selector *sel)
{
	/* the newest wins: during a rekey the successor takes the traffic
	 * while the old SA drains inbound */
	for (struct ipsec_sa *sa = db.tail; sa; sa = sa->prev)
		if (!sa->d.inbound && sa->d.proto == proto &&
		    sa->d.peer == peer && sa->d.status == SA_STATUS_ACTIVE &&
		    proxy_eq(&sa->d.sel.local, &sel->local) &&
		    proxy_eq(&sa->d.sel.remote, &sel->remote))
			return sa;
	return NULL;
}

void sadb_foreach(sadb_iter_fn fn, void *ctx)
{
	for (struct ipsec_sa *sa = db.head, *next; sa; sa = next) {
		next = sa->next;
		fn(sa, ctx);
	}
}

struct ipsec_sa *sadb_first(void)
{
	return db.head;
}

size_t sadb_count(void)
{
	return db.n;
}

uint32_t sadb_spi_alloc(uint32_t dst, uint8_t proto)
{
	for (;;) {
		uint32_t spi;
		if (RAND_bytes((unsigned char *)&spi, sizeof spi) != 1)
			abort();       /* no randomness: nothing is safe */
		if (spi >= 256 && !sadb_in_find(dst, proto, spi))
			return spi;
	}
}

uint32_t sadb_bundle_alloc(void)
{
	return ++db.next_bundle ? db.next_bundle : ++db.next_bundle;
}

/* ---- lifetimes -------------------------------------------------------------- */

static double soft_margin(double whole)
{
	double m = whole * SOFT_FRACTION;
	return m < SOFT_MIN_SECS ? SOFT_MIN_SECS : m;
}

static void maybe_soft(struct ipsec_sa *sa, double now)
{
	if (sa->soft_fired || !db.soft || sa->d.status != SA_STATUS_ACTIVE)
		return;
	bool due = false;
	if (sa->d.life_secs) {
		double left = sa->d.created + sa->d.life_secs - now;
		due |= left <= soft_margin(sa->d.life_secs);
	}
	if (sa->d.life_kb)
		due |= sa->d.bytes / 1024 >=
		       sa->d.life_kb - (uint64_t)(sa->d.life_kb * SOFT_FRACTION);
	if (due) {
		sa->soft_fired = true;
		db.soft(sa);
	}
}

static bool hard_expired(const struct ipsec_sa *sa, double now)
{
	return (sa->d.life_secs && now >= sa->d.created + sa->d.life_secs) ||
	       (sa->d.life_kb && sa->d.bytes / 1024 >= sa->d.life_kb);
}

void sadb_account(struct ipsec_sa *sa, size_t bytes)
{
	uint64_t before = sa->d.bytes;
	sa->d.bytes += bytes;
	if (before / UPDATE_EVERY_BYTES != sa->d.bytes / UPDATE_EVERY_BYTES ||
	    (sa->ha.sync_at && sa->d.seq >= sa->ha.sync_at))
		publish(SADB_EV_UPDATE, sa, 0);
	if (sa->d.life_kb)
		maybe_soft(sa, core_uptime());
}

bool sadb_expired(const struct ipsec_sa *sa)
{
	return (sa->d.life_kb && sa->d.bytes / 1024 >= sa->d.life_kb) ||
	       (sa->d.life_secs &&
		core_uptime() >= sa->d.created + sa->d.life_secs);
}

void sadb_soft_now(struct ipsec_sa *sa)
{
	if (sa->soft_fired || !db.soft)
		return;
	sa->soft_fired = true;
	db.soft(sa);
}

static void tick(struct ev_loop *loop, ev_timer *w, int revents)
{
	double now = core_uptime();
	for (struct ipsec_sa *sa = db.head, *next; sa; sa = next) {
		next = sa->next;
		if (sa->d.status != SA_STATUS_ACTIVE)
			continue;      /* a standby's SAs live by the active's word */
		if (hard_expired(sa, now))
			sadb_delete(sa, SADB_DEL_EXPIRED);
		else
			maybe_soft(sa, now);
	}
}

/* ---- anti-replay -------------------------------------------------------------- */

/* Bit I of the window is "highest - I was seen". */
static bool window_bit(const struct ipsec_sa *sa, uint64_t i)
{
	return sa->d.window[i / 64] >> (i % 64) & 1;
}

enum sadb_replay sadb_replay_check(const struct ipsec_sa *sa, uint32_t seq)
{
	if (!sa->d.window_size)
		return SADB_REPLAY_OK;
	if (seq == 0)
		return SADB_REPLAY_OLD;     /* never sent (RFC 4303 3.3.3) */
	if (seq > sa->d.seq)
		return SADB_REPLAY_OK;
	uint64_t diff = sa->d.seq - seq;
	if (diff >= sa->d.window_size)
		return SADB_REPLAY_OLD;
	return window_bit(sa, diff) ? SADB_REPLAY_SEEN : SADB_REPLAY_OK;
}

/* Slide the window up by N: every bit moves N places toward the old end. */
static void window_shift(uint64_t *w, unsigned words, uint64_t n)
{
	if (n >= (uint64_t)words * 64) {
		memset(w, 0, words * sizeof *w);
		return;
	}
	unsigned wq = (unsigned)(n / 64), bq = (unsigned)(n % 64);
	for (unsigned i = words; i-- > 0;) {
		uint64_t v = i >= wq ? w[i - wq] << bq : 0;
		if (bq && i >= wq + 1)
			v |= w[i - wq - 1] >> (64 - bq);
		w[i] = v;
	}
}

void sadb_replay_update(struct ipsec_sa *sa, uint32_t seq)
{
	if (!sa->d.window_size)
		return;
	unsigned words = (sa->d.window_size + 63) / 64;
	if (seq > sa->d.seq) {
		window_shift(sa->d.window, words, seq - sa->d.seq);
		sa->d.seq = seq;
		sa->d.window[0] |= 1;
		return;
	}
	uint64_t diff = sa->d.seq - seq;
	if (diff < sa->d.window_size)
		sa->d.window[diff / 64] |= 1ull << (diff % 64);
}

unsigned sadb_replay_window(void)
{
	const struct ipsec_globals *g = crypto_ipsec_globals();
	return g->replay_off ? 0 : g->replay_window;
}

/* ---- hooks -------------------------------------------------------------------- */

void sadb_set_acquire(sadb_acquire_fn fn) { db.acquire = fn; }
void sadb_set_soft_expire(sadb_soft_fn fn) { db.soft = fn; }
void sadb_set_engine(const struct sadb_engine_ops *ops) { db.engine = ops; }

static unsigned long udp_dropped;

void sadb_udp_input(const struct ip_rx *rx)
{
	if (db.engine && db.engine->udp_input)
		db.engine->udp_input(rx);
	else
		udp_dropped++;
}

unsigned long sadb_udp_dropped(void)
{
	return udp_dropped;
}

void sadb_acquire(const struct cmap_entry *e, const struct sa_selector *sel,
		  uint32_t peer)
{
	if (db.acquire)
		db.acquire(e, sel, peer);
}

/* ---- lifecycle ---------------------------------------------------------------------- */

void sadb_reset(void)
{
	while (db.head)
		sadb_delete(db.head, SADB_DEL_CONFIG);
	intmap_clear(&db.by_spi);
	intmap_clear(&db.by_bundle);
	intmap_clear(&db.by_peer);
	db.next_conn = 0;
}

void sadb_init(void)
{
	ev_timer_init(&db.tick, tick, 1.0, 1.0);
	ev_timer_start(core_loop, &db.tick);
}
