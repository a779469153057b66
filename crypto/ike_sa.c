/* The IKE SA table and ISAKMP's transport: UDP 500 and 4500 (with the
 * RFC 3948 non-ESP marker, NAT keepalives, and ESP in UDP handed to the
 * data path), the checks every datagram passes before an exchange sees
 * it, message protection (the phase 1 and per-exchange CBC IVs of RFC 2409
 * appendix B), retransmission of phase 2 exchanges, lifetimes and the
 * rekey of phase 1, and the bound on half-open SAs. */
#include "ike.h"
#include "../platform/platform.h"

#include <arpa/inet.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <string.h>

struct ike_stats ike_stats;
bool ike_debug;

/* A phase 2 exchange is retransmitted as phase 1 is (ike_mm.c): every
 * 10 seconds, 5 times, and kept this long after it finished to answer a
 * duplicate of the peer's last message. */
#define XCHG_RETX_SECS   10.0
#define XCHG_RETRIES     5
#define XCHG_LINGER_SECS 30.0
/* A failed SA stays in show crypto isakmp sa, "(deleted)", this long;
 * past this many such SAs (a flood of unacceptable offers) a failed one
 * is freed at once. */
#define DEAD_SHOW_SECS   10.0
#define DEAD_SHOW_MAX    256u
/* Phase 1 is renegotiated this long before it expires (a tenth of its
 * life, at least 30 seconds), when IPsec SAs still depend on it. */
#define P1_REKEY_FRACTION 0.1
#define P1_REKEY_MIN      30.0

/* conn-ids wrap here; more IKE SAs than this cannot be (memory ends first) */
#define CONN_ID_MAX 1000000u

static struct {
	struct ike_sa *head, *tail;
	struct intmap by_icky;         /* first cookie -> chain */
	struct intmap by_conn;         /* conn-id -> SA */
	ike_ha_fn ha;                  /* the crypto HA manager's hook */
	size_t n;
	unsigned ndead;
	unsigned next_conn;
	uint64_t next_ord;
} tab;

static uint64_t cky_key(const uint8_t c[8])
{
	uint64_t k;
	memcpy(&k, c, 8);
	return k;
}

const char *ike_state_name(enum ike_state s)
{
	static const char *const name[] = {
		[IKE_MM_NO_STATE] = "MM_NO_STATE", [IKE_MM_SA_SETUP] = "MM_SA_SETUP",
		[IKE_MM_KEY_EXCH] = "MM_KEY_EXCH", [IKE_MM_KEY_AUTH] = "MM_KEY_AUTH",
		[IKE_AG_NO_STATE] = "AG_NO_STATE", [IKE_AG_INIT_EXCH] = "AG_INIT_EXCH",
		[IKE_AG_AUTH] = "AG_AUTH", [IKE_QM_IDLE] = "QM_IDLE",
	};
	return (unsigned)s < sizeof name / sizeof name[0] ? name[s] : "UNKNOWN";
}

/* ---- the table -------------------------------------------------------------- */

static void life_cb(struct ev_loop *loop, ev_timer *w, int revents);
static void reap_cb(struct ev_loop *loop, ev_timer *w, int revents);
static void unlink_sa(struct ike_sa *sa);
static void arm_life(struct ike_sa *sa);

struct ike_sa *ike_sa_new(bool initiator, uint32_t local, uint32_t peer,
			  const uint8_t icky[8])
{
	struct ike_sa *sa = xcalloc(1, sizeof *sa);
	sa->d.initiator = initiator;
	sa->d.local = local;
	sa->d.peer = peer;
	sa->d.local_port = ISAKMP_PORT;
	sa->d.peer_port = ISAKMP_PORT;
	sa->d.state = IKE_MM_NO_STATE;
	sa->d.created = core_uptime();
	sa->last_rx = sa->d.created;
	sa->ord = ++tab.next_ord;
	if (initiator)
		ike_random(sa->d.icky, 8);
	else {
		memcpy(sa->d.icky, icky, 8);
		ike_random(sa->d.rcky, 8);
	}
	ev_init(&sa->life, life_cb);
	ev_init(&sa->reap, reap_cb);
	sa->life.data = sa->reap.data = sa;
	uint64_t k = cky_key(sa->d.icky);
	sa->hnext = intmap_get(&tab.by_icky, k);
	intmap_put(&tab.by_icky, k, sa);
	struct ike_sa *end = NULL;
	DLIST_INSERT_BEFORE(tab.head, tab.tail, end, sa);
	tab.n++;
	return sa;
}

struct ike_sa *ike_sa_find(const uint8_t icky[8], const uint8_t rcky[8])
{
	for (struct ike_sa *sa = intmap_get(&tab.by_icky, cky_key(icky)); sa;
	     sa = sa->hnext)
		if (!memcmp(sa->d.icky, icky, 8) && !memcmp(sa->d.rcky, rcky, 8))
			return sa;
	return NULL;
}

/* A responder's SA for a repeated first message (responder cookie still
 * zero in it) from PEER. */
static struct ike_sa *find_half(const uint8_t icky[8], uint32_t peer)
{
	for (struct ike_sa *sa = intmap_get(&tab.by_icky, cky_key(icky)); sa;
	     sa = sa->hnext)
		if (!memcmp(sa->d.icky, icky, 8) && !sa->d.initiator &&
		    sa->d.peer == peer)
			return sa;
	return NULL;
}

struct ike_sa *ike_sa_find_peer(uint32_t local, uint32_t peer)
{
	for (struct ike_sa *sa = tab.tail; sa; sa = sa->prev)
		if (!sa->dead && sa->d.state == IKE_QM_IDLE && sa->d.peer == peer &&
		    sa->d.status == SA_STATUS_ACTIVE &&
		    (!local || sa->d.local == local))
			return sa;
	return NULL;
}

void ike_sa_initial_contact(struct ike_sa *sa)
{
	IKE_SA_DBG(sa, "received initial contact, deleting SA");
	for (struct ike_sa *o = tab.head, *next; o; o = next) {
		next = o->next;
		if (o != sa && !o->dead && o->d.state == IKE_QM_IDLE &&
		    o->d.peer == sa->d.peer && o->d.local == sa->d.local &&
		    o->d.established < sa->d.created)
			ike_sa_delete(o, false, "Receive initial contact");
	}
	ike_qm_delete_peer(sa->d.local, sa->d.peer, 0, sa->d.created,
			   SADB_DEL_PEER);
}

struct ike_sa *ike_sa_find_conn(unsigned conn_id)
{
	return conn_id ? intmap_get(&tab.by_conn, conn_id) : NULL;
}

void ike_sa_assign_conn_id(struct ike_sa *sa)
{
	if (sa->d.conn_id)
		return;
	/* 12.x numbers IKE SAs from 1 (15.x from 1001); skip ids in use.
	 * The range is wider than the SAs there can be, so at most tab.n
	 * ids are skipped. */
	for (size_t tries = 0; tries <= tab.n; tries++) {
		unsigned id = 1 + tab.next_conn++ % CONN_ID_MAX;
		if (!ike_sa_find_conn(id)) {
			sa->d.conn_id = id;
			intmap_put(&tab.by_conn, id, sa);
			return;
		}
	}
}

void ike_sa_set_ha_hook(ike_ha_fn fn)
{
	tab.ha = fn;
}

void ike_sa_changed(struct ike_sa *sa, enum ike_ha_change what)
{
	if (tab.ha && sa->d.status == SA_STATUS_ACTIVE)
		tab.ha(sa, what);
}

/* A copy of an SA the active router negotiated: indexed by its cookies
 * like any other, but with no timers until it is activated. */
struct ike_sa *ike_sa_install(const struct ike_sa_data *d)
{
	struct ike_sa *sa = ike_sa_new(d->initiator, d->local, d->peer, d->icky);
	uint64_t k = cky_key(sa->d.icky);
	if (memcmp(sa->d.icky, d->icky, 8)) {
		/* ike_sa_new filed it under a fresh initiator cookie */
		unlink_sa(sa);
		memcpy(sa->d.icky, d->icky, 8);
		k = cky_key(sa->d.icky);
		sa->hnext = intmap_get(&tab.by_icky, k);
		intmap_put(&tab.by_icky, k, sa);
		struct ike_sa *end = NULL;
		DLIST_INSERT_BEFORE(tab.head, tab.tail, end, sa);
		tab.n++;
	}
	double created = sa->d.created;
	sa->d = *d;
	sa->d.created = created;
	sa->d.conn_id = 0;
	sa->d.status = SA_STATUS_STANDBY;
	sa->last_rx = core_uptime();
	ike_sa_assign_conn_id(sa);
	return sa;
}

void ike_sa_activate(struct ike_sa *sa)
{
	if (sa->d.status == SA_STATUS_ACTIVE || sa->dead)
		return;
	sa->d.status = SA_STATUS_ACTIVE;
	sa->last_rx = core_uptime();
	arm_life(sa);
	ike_dpd_start(sa);
}

void ike_sa_foreach(void (*fn)(struct ike_sa *sa, void *ctx), void *ctx)
{
	for (struct ike_sa *sa = tab.head, *next; sa; sa = next) {
		next = sa->next;
		fn(sa, ctx);
	}
}

struct ike_sa *ike_sa_first(void)
{
	return tab.head;
}

size_t ike_sa_count(void)
{
	return tab.n;
}

unsigned ike_sa_half_open(void)
{
	unsigned n = 0;
	for (struct ike_sa *sa = tab.head; sa; sa = sa->next)
		n += !sa->dead && sa->d.state != IKE_QM_IDLE;
	return n;
}

unsigned ike_sa_active(void)
{
	unsigned n = 0;
	for (struct ike_sa *sa = tab.head; sa; sa = sa->next)
		n += !sa->dead && sa->d.state == IKE_QM_IDLE;
	return n;
}

/* Without "crypto call admission limit ike in-negotiation-sa" the bound is
 * this, so a flood of first messages cannot take all memory. */
#define HALF_OPEN_DEFAULT 1000u

unsigned ike_sa_half_open_limit(void)
{
	unsigned n = crypto_cac_in_negotiation();
	return n ? n : HALF_OPEN_DEFAULT;
}

bool ike_sa_admit(void)
{
	unsigned max = crypto_cac_sa_limit();
	return ike_sa_half_open() < ike_sa_half_open_limit() &&
	       (!max || ike_sa_count() < max);
}

static void unlink_sa(struct ike_sa *sa)
{
	uint64_t k = cky_key(sa->d.icky);
	struct ike_sa *first = intmap_get(&tab.by_icky, k);
	if (first == sa) {
		if (sa->hnext)
			intmap_put(&tab.by_icky, k, sa->hnext);
		else
			intmap_del(&tab.by_icky, k);
	} else {
		for (struct ike_sa *p = first; p; p = p->hnext)
			if (p->hnext == sa) {
				p->hnext = sa->hnext;
				break;
			}
	}
	if (sa->d.conn_id && intmap_get(&tab.by_conn, sa->d.conn_id) == sa)
		intmap_del(&tab.by_conn, sa->d.conn_id);
	DLIST_REMOVE(tab.head, tab.tail, sa);
	tab.n--;
}

static void free_xchgs(struct ike_sa *sa)
{
	while (sa->xchgs)
		ike_xchg_free(sa->xchgs);
}

static void sa_free(struct ike_sa *sa)
{
	if (sa->d.state == IKE_QM_IDLE && !sa->dead)
		ike_sa_changed(sa, IKE_HA_DEL);
	ev_timer_stop(core_loop, &sa->life);
	ev_timer_stop(core_loop, &sa->dpd);
	ev_timer_stop(core_loop, &sa->reap);
	free_xchgs(sa);
	ike_p1_free(sa->p1);
	sa->p1 = NULL;
	unlink_sa(sa);
	if (sa->dead)
		tab.ndead--;
	/* the keys must not outlive the SA in freed memory */
	OPENSSL_cleanse(sa, sizeof *sa);
	free(sa);
}

static void reap_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	sa_free(w->data);
}

void ike_sa_delete(struct ike_sa *sa, bool send, const char *reason)
{
	if (sa->dead && !send) {
		sa_free(sa);
		return;
	}
	bool was_up = sa->d.state == IKE_QM_IDLE;
	IKE_SA_DBG(sa, "deleting SA reason \"%s\" state (%s) %s (peer %s)",
		   reason, sa->d.initiator ? "I" : "R",
		   ike_state_name(sa->d.state),
		   ip_fmt(sa->d.peer, (char[16]){0}));
	if (send && was_up && !sa->dead) {
		uint8_t spi[16];
		memcpy(spi, sa->d.icky, 8);
		memcpy(spi + 8, sa->d.rcky, 8);
		ike_info_send_delete(sa, PROTO_ISAKMP, spi, 16, 1);
	}
	if (was_up)
		ike_stats.prev_tunnels++;
	else if (!sa->dead)
		ike_qm_phase1_failed(sa->d.local, sa->d.peer);
	sa_free(sa);
}

/* A negotiation that failed: shown "(deleted)" a moment, as IOS does,
 * without its exchanges or keys. */
void ike_sa_fail(struct ike_sa *sa, const char *reason)
{
	if (sa->dead)
		return;
	IKE_SA_DBG(sa, "deleting SA reason \"%s\" state (%s) %s (peer %s)",
		   reason, sa->d.initiator ? "I" : "R",
		   ike_state_name(sa->d.state),
		   ip_fmt(sa->d.peer, (char[16]){0}));
	ike_qm_phase1_failed(sa->d.local, sa->d.peer);
	if (sa->d.state == IKE_QM_IDLE)
		ike_sa_changed(sa, IKE_HA_DEL);
	/* freed from the loop, never under the caller's feet */
	double show = tab.ndead >= DEAD_SHOW_MAX ? 0.0 : DEAD_SHOW_SECS;
	sa->dead = true;
	tab.ndead++;
	ev_timer_stop(core_loop, &sa->life);
	ev_timer_stop(core_loop, &sa->dpd);
	free_xchgs(sa);
	ike_p1_free(sa->p1);
	sa->p1 = NULL;
	OPENSSL_cleanse(sa->d.skeyid_d, sizeof sa->d.skeyid_d);
	OPENSSL_cleanse(sa->d.skeyid_a, sizeof sa->d.skeyid_a);
	OPENSSL_cleanse(sa->d.skeyid_e, sizeof sa->d.skeyid_e);
	OPENSSL_cleanse(sa->d.enc_key, sizeof sa->d.enc_key);
	ev_timer_set(&sa->reap, show, 0);
	ev_timer_start(core_loop, &sa->reap);
}

/* ---- lifetime and the rekey of phase 1 ---------------------------------------------- */

static double rekey_margin(uint32_t life)
{
	double m = life * P1_REKEY_FRACTION;
	return m < P1_REKEY_MIN ? P1_REKEY_MIN : m;
}

static void arm_life(struct ike_sa *sa)
{
	double now = core_uptime();
	double end = sa->d.established + sa->d.lifetime;
	double soft = end - rekey_margin(sa->d.lifetime);
	double at = sa->rekey_started ? end : soft > now ? soft : now;
	ev_timer_stop(core_loop, &sa->life);
	ev_timer_set(&sa->life, at > now ? at - now : 0.0, 0);
	ev_timer_start(core_loop, &sa->life);
}

/* A newer established SA to the same peer replaces this one. */
static bool has_successor(const struct ike_sa *sa)
{
	for (const struct ike_sa *o = sa->next; o; o = o->next)
		if (!o->dead && o->d.peer == sa->d.peer && o->d.local == sa->d.local)
			return true;
	return false;
}

void ike_sa_life_changed(struct ike_sa *sa)
{
	if (sa->d.state == IKE_QM_IDLE && !sa->dead)
		arm_life(sa);
}

static void life_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct ike_sa *sa = w->data;
	double now = core_uptime();
	if (now + 0.001 < sa->d.established + sa->d.lifetime) {
		/* soft: renegotiate while IPsec SAs depend on the peer, so a
		 * rekey of those never waits for phase 1 */
		sa->rekey_started = true;
		if (ike_qm_sa_count(sa) && !has_successor(sa)) {
			IKE_SA_DBG(sa, "IKE SA lifetime nearing expiry, "
				   "renegotiating with %s",
				   ip_fmt(sa->d.peer, (char[16]){0}));
			ike_mm_initiate(sa->d.local, sa->d.peer);
		}
		arm_life(sa);
		return;
	}
	IKE_SA_DBG(sa, "purging SA., sa=%p, delme=%p", (void *)sa, (void *)sa);
	ike_sa_delete(sa, true, "IKE SA lifetime expired");
}

void ike_sa_established(struct ike_sa *sa)
{
	sa->d.state = IKE_QM_IDLE;
	sa->d.established = core_uptime();
	sa->last_rx = sa->d.established;
	if (sa->d.initiator)
		ike_stats.init_tunnels++;
	arm_life(sa);
	ike_dpd_start(sa);
	ike_sa_changed(sa, IKE_HA_ADD);
	ike_qm_phase1_up(sa);
}

/* ---- sending ------------------------------------------------------------------------ */

int ike_send_raw(struct ike_sa *sa, const uint8_t *msg, size_t len)
{
	static uint8_t buf[ISAKMP_MAX_MSG + 4];
	bool natt = sa->d.natt & NATT_FLOATED;
	size_t off = natt ? 4 : 0;
	if (len > ISAKMP_MAX_MSG)
		return -1;
	memset(buf, 0, off);                 /* the non-ESP marker */
	memcpy(buf + off, msg, len);
	ike_stats.out_pkts++;
	ike_stats.out_octets += len;
	int r = udp_send(sa->d.local, sa->d.peer, sa->d.local_port,
			 sa->d.peer_port, buf, len + off, NULL);
	if (r < 0)
		ike_stats.out_drop++;
	return r;
}

/* RFC 2409 appendix B: pad with zeros to the block, the last byte saying
 * how many padding bytes precede it. */
bool ike_encrypt(const struct ike_sa *sa, struct isakmp_out *o, uint8_t *iv)
{
	size_t bl = ike_block_len(sa->d.encr);
	size_t body = o->len - ISAKMP_HDR_LEN;
	size_t pad = bl - body % bl;
	if (o->overflow || o->len + pad > sizeof o->b)
		return false;
	memset(o->b + o->len, 0, pad);
	o->b[o->len + pad - 1] = (uint8_t)(pad - 1);
	o->len += pad;
	o->b[19] |= ISAKMP_FLAG_ENC;
	isakmp_out_finish(o);
	return ike_cbc(sa->d.encr, sa->d.enc_key, sa->d.enc_key_len, iv,
		       o->b + ISAKMP_HDR_LEN, o->len - ISAKMP_HDR_LEN, true);
}

bool ike_decrypt(const struct ike_sa *sa, const uint8_t *msg, size_t len,
		 uint8_t *iv, uint8_t *out, size_t *out_len)
{
	size_t bl = ike_block_len(sa->d.encr);
	size_t body = len - ISAKMP_HDR_LEN;
	if (len < ISAKMP_HDR_LEN || body == 0 || body % bl || !sa->d.enc_key_len)
		return false;
	memcpy(out, msg + ISAKMP_HDR_LEN, body);
	*out_len = body;
	return ike_cbc(sa->d.encr, sa->d.enc_key, sa->d.enc_key_len, iv, out,
		       body, false);
}

void ike_keep_tx(uint8_t **tx, size_t *tx_len, const uint8_t *msg, size_t len)
{
	free(*tx);
	*tx = xmalloc(len);
	memcpy(*tx, msg, len);
	*tx_len = len;
}

void ike_digest20(const uint8_t *p, size_t n, uint8_t out[20])
{
	struct ike_iov v = {p, n};
	ike_digest(IKE_HASH_SHA, &v, 1, out);
}

/* ---- exchanges of an established SA ------------------------------------------------ */

static void xchg_timer_cb(struct ev_loop *loop, ev_timer *w, int revents);

/* The IV of a new exchange: hash(phase 1 IV | M-ID), truncated. */
static void xchg_iv(const struct ike_sa *sa, uint32_t mid, uint8_t *iv)
{
	uint8_t m[4] = {(uint8_t)(mid >> 24), (uint8_t)(mid >> 16),
			(uint8_t)(mid >> 8), (uint8_t)mid};
	uint8_t h[IKE_HASH_MAX];
	struct ike_iov v[2] = {{sa->d.iv, sa->d.iv_len}, {m, 4}};
	ike_digest(sa->d.hash, v, 2, h);
	memcpy(iv, h, sa->d.iv_len);
}

struct ike_xchg *ike_xchg_new(struct ike_sa *sa, uint32_t mid, uint8_t exch,
			      bool initiator)
{
	struct ike_xchg *x = xcalloc(1, sizeof *x);
	x->sa = sa;
	x->mid = mid;
	x->exch = exch;
	x->initiator = initiator;
	xchg_iv(sa, mid, x->iv);
	ev_init(&x->t, xchg_timer_cb);
	x->t.data = x;
	x->next = sa->xchgs;
	sa->xchgs = x;
	return x;
}

struct ike_xchg *ike_xchg_find(struct ike_sa *sa, uint32_t mid)
{
	for (struct ike_xchg *x = sa->xchgs; x; x = x->next)
		if (x->mid == mid)
			return x;
	return NULL;
}

void ike_xchg_free(struct ike_xchg *x)
{
	struct ike_sa *sa = x->sa;
	for (struct ike_xchg **p = &sa->xchgs; *p; p = &(*p)->next)
		if (*p == x) {
			*p = x->next;
			break;
		}
	ev_timer_stop(core_loop, &x->t);
	ike_qm_free(x->qm);
	free(x->tx);
	OPENSSL_cleanse(x, sizeof *x);
	free(x);
}

uint32_t ike_new_mid(struct ike_sa *sa)
{
	for (;;) {
		uint32_t mid;
		ike_random(&mid, sizeof mid);
		if (mid && !ike_xchg_find(sa, mid))
			return mid;
	}
}

int ike_xchg_send(struct ike_xchg *x, struct isakmp_out *o, bool retx)
{
	if (!ike_encrypt(x->sa, o, x->iv))
		return -1;
	if (retx) {
		ike_keep_tx(&x->tx, &x->tx_len, o->b, o->len);
		x->retries = 0;
		ev_timer_stop(core_loop, &x->t);
		ev_timer_set(&x->t, XCHG_RETX_SECS, 0);
		ev_timer_start(core_loop, &x->t);
	}
	return ike_send_raw(x->sa, o->b, o->len);
}

void ike_xchg_finish(struct ike_xchg *x)
{
	x->done = true;
	ev_timer_stop(core_loop, &x->t);
	ev_timer_set(&x->t, XCHG_LINGER_SECS, 0);
	ev_timer_start(core_loop, &x->t);
}

static void xchg_timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct ike_xchg *x = w->data;
	struct ike_sa *sa = x->sa;
	if (x->done || !x->tx) {
		ike_xchg_free(x);
		return;
	}
	if (++x->retries > XCHG_RETRIES) {
		IKE_SA_DBG(sa, "deleting node %d error TRUE reason \"Death by "
			   "retransmission P2\"", (int)x->mid);
		ike_stats.timeouts++;
		if (x->initiator)
			ike_stats.out_p2_invalid++;
		ike_xchg_free(x);
		return;
	}
	IKE_SA_DBG(sa, "retransmitting phase 2 QM_IDLE       %d ...",
		   (int)x->mid);
	IKE_SA_DBG(sa, "incrementing error counter on node, attempt %u of "
		   "%u: retransmit phase 2", x->retries, XCHG_RETRIES);
	ike_stats.retransmits++;
	ike_send_raw(sa, x->tx, x->tx_len);
	ev_timer_set(&x->t, XCHG_RETX_SECS, 0);
	ev_timer_start(core_loop, &x->t);
}

/* ---- phase 2 hashes (RFC 2409 §5.5, §5.7) ------------------------------------------- */

bool ike_p2_hash(const struct ike_sa *sa, uint32_t mid, const uint8_t *pre,
		 size_t prelen, const uint8_t *after, size_t alen, uint8_t *out)
{
	uint8_t m[4] = {(uint8_t)(mid >> 24), (uint8_t)(mid >> 16),
			(uint8_t)(mid >> 8), (uint8_t)mid};
	struct ike_iov v[3] = {{m, 4}, {pre, prelen}, {after, alen}};
	return ike_prf(sa->d.hash, sa->d.skeyid_a, sa->d.prf_len, v, 3, out);
}

bool ike_p2_hash_fill(const struct ike_sa *sa, struct isakmp_out *o,
		      size_t start, uint32_t mid, const uint8_t *pre,
		      size_t prelen)
{
	size_t after = start + ISAKMP_GEN_LEN + sa->d.prf_len;
	if (o->overflow || after > o->len)
		return false;
	return ike_p2_hash(sa, mid, pre, prelen, o->b + after, o->len - after,
			   o->b + start + ISAKMP_GEN_LEN);
}

bool ike_p2_hash_check(const struct ike_sa *sa, const struct isakmp_msg *m,
		       const uint8_t *pre, size_t prelen)
{
	/* the hash payload comes first, and covers every payload after it
	 * (not the padding) */
	if (m->npl < 1 || m->pl[0].type != NP_HASH ||
	    pl_blen(&m->pl[0]) != sa->d.prf_len)
		return false;
	const uint8_t *after = m->pl[0].p + m->pl[0].len;
	const struct isakmp_pl *last = &m->pl[m->npl - 1];
	size_t alen = (size_t)(last->p + last->len - after);
	uint8_t h[IKE_HASH_MAX];
	if (!ike_p2_hash(sa, m->h.mid, pre, prelen, after, alen, h))
		return false;
	return CRYPTO_memcmp(h, pl_body(&m->pl[0]), sa->d.prf_len) == 0;
}

/* ---- receiving ------------------------------------------------------------------------ */

/* Syslog lines about bad packets are limited to one a second. */
static bool log_allowed(void)
{
	static double last = -10;
	double now = core_uptime();
	if (now - last < 1.0)
		return false;
	last = now;
	return true;
}

void ike_log_bad_message(uint32_t from)
{
	char b[16];
	if (log_allowed())
		log_ios("CRYPTO-4-IKMP_BAD_MESSAGE", "IKE message from %s failed "
			"its sanity check or is malformed", ip_fmt(from, b));
}

static void drop_malformed(const struct ip_rx *rx, int code)
{
	ike_stats.malformed++;
	ike_stats.in_drop++;
	IKE_DBG("ISAKMP (0:0): malformed packet from %s (%s)",
		ip_fmt(rx->src, (char[16]){0}), isakmp_notify_name((uint16_t)code));
	ike_log_bad_message(rx->src);
}

static void no_sa(const struct ip_rx *rx)
{
	char b[16];
	ike_stats.unknown_cookie++;
	ike_stats.no_sa_fails++;
	ike_stats.in_drop++;
	if (log_allowed())
		log_ios("CRYPTO-4-IKMP_NO_SA", "IKE message from %s has no SA "
			"and is not an initialization offer", ip_fmt(rx->src, b));
}

/* A protected message of an established SA: decrypt with its exchange's
 * IV, parse, and hand it to Quick Mode or Informational. */
static void protected_input(struct ike_sa *sa, const struct isakmp_hdr *h,
			    const uint8_t *msg, size_t len)
{
	static uint8_t plain[ISAKMP_MAX_MSG];
	struct ike_xchg *x = ike_xchg_find(sa, h->mid);
	uint8_t digest[20];
	ike_digest20(msg, len, digest);
	if (x && x->have_rx && !memcmp(x->rx_digest, digest, 20)) {
		/* the peer missed our answer: send it again */
		IKE_SA_DBG(sa, "retransmitting due to retransmit phase 2");
		if (x->tx)
			ike_send_raw(sa, x->tx, x->tx_len);
		return;
	}
	if (!(h->flags & ISAKMP_FLAG_ENC)) {
		char b[16];
		ike_stats.in_drop++;
		if (log_allowed())
			log_ios("CRYPTO-6-IKMP_NOT_ENCRYPTED", "IKE packet from %s "
				"was not encrypted and it should've been.",
				ip_fmt(sa->d.peer, b));
		return;
	}
	uint8_t iv[IKE_BLOCK_MAX];
	bool fresh = !x;
	if (fresh) {
		if (h->exch == EXCH_QUICK && h->mid == 0)
			goto bad;
		struct ike_xchg tmp = {.sa = sa};
		xchg_iv(sa, h->mid, tmp.iv);
		memcpy(iv, tmp.iv, sizeof iv);
	} else {
		memcpy(iv, x->iv, sizeof iv);
	}
	size_t plen;
	struct isakmp_msg m;
	m.h = *h;
	if (!ike_decrypt(sa, msg, len, iv, plain, &plen) ||
	    isakmp_parse_chain(h->np, plain, plen, true, &m)) {
		ike_stats.decrypt_fails++;
		goto bad;
	}
	if (h->exch == EXCH_INFO) {
		ike_info_input(sa, &m, msg, len);
		return;
	}
	if (fresh)
		x = ike_xchg_new(sa, h->mid, EXCH_QUICK, false);
	memcpy(x->iv, iv, sizeof x->iv);
	memcpy(x->rx_digest, digest, 20);
	x->have_rx = true;
	ike_qm_input(sa, x, &m, msg, len);
	return;
bad:
	ike_stats.in_drop++;
	ike_stats.malformed++;
	ike_log_bad_message(sa->d.peer);
}

/* Whether this router speaks ISAKMP at all: only while a crypto map is
 * applied to an interface (%CRYPTO-6-ISAKMP_ON_OFF). */
static bool isakmp_on(void)
{
	return crypto_binding_first() != NULL;
}

static void ike_input(const struct ip_rx *rx, const uint8_t *msg, size_t len,
		      bool natt)
{
	struct isakmp_hdr h;
	ike_stats.in_pkts++;
	ike_stats.in_octets += len;
	if (!isakmp_on()) {
		ike_stats.in_drop++;
		return;
	}
	int code = isakmp_parse_hdr(msg, len, &h);
	if (code) {
		drop_malformed(rx, code);
		return;
	}
	static const uint8_t zero[8];
	struct ike_sa *sa;
	if (!memcmp(h.rcky, zero, 8)) {
		/* a first message, or its retransmission */
		if (h.exch != EXCH_MAIN) {
			if (h.exch == EXCH_INFO) {
				/* an unprotected notify about our offer */
				for (sa = tab.head; sa; sa = sa->next)
					if (!memcmp(sa->d.icky, h.icky, 8) &&
					    sa->d.initiator && sa->d.peer == rx->src)
						break;
				if (sa && !sa->dead) {
					ike_info_input(sa, NULL, msg, len);
					return;
				}
			}
			no_sa(rx);
			return;
		}
		sa = find_half(h.icky, rx->src);
		if (!sa) {
			sa = ike_mm_responder(&h, msg, rx);
			if (!sa)
				return;
		}
	} else {
		sa = ike_sa_find(h.icky, h.rcky);
		if (!sa && h.exch == EXCH_MAIN) {
			/* the responder's answer to our first message */
			for (struct ike_sa *s = intmap_get(&tab.by_icky,
							   cky_key(h.icky));
			     s; s = s->hnext)
				if (s->d.initiator && !memcmp(s->d.icky, h.icky, 8) &&
				    !memcmp(s->d.rcky, zero, 8) &&
				    s->d.peer == rx->src)
					sa = s;
		}
		if (!sa || sa->dead) {
			no_sa(rx);
			return;
		}
	}
	/* a standby's copy answers nothing: the active router owns it */
	if (sa->d.status != SA_STATUS_ACTIVE) {
		no_sa(rx);
		return;
	}
	if (sa->d.peer != rx->src || sa->d.local != rx->dst) {
		no_sa(rx);
		return;
	}
	/* NAT traversal: the peer's port is whatever its NAT gives it */
	if (natt && (sa->d.natt & (NATT_RFC | NATT_DRAFT))) {
		bool moved = sa->d.peer_port != rx->sport ||
			     !(sa->d.natt & NATT_FLOATED);
		sa->d.natt |= NATT_FLOATED;
		sa->d.local_port = ISAKMP_NATT_PORT;
		sa->d.peer_port = rx->sport;
		if (moved && sa->d.state == IKE_QM_IDLE)
			ike_sa_changed(sa, IKE_HA_UPDATE);
	} else if (!natt && (sa->d.natt & NATT_FLOATED)) {
		ike_stats.in_drop++;         /* stale: the SA lives on 4500 now */
		return;
	} else if (!natt) {
		sa->d.peer_port = rx->sport;
	}
	IKE_SA_DBG(sa, "received packet from %s dport %u sport %u Global (%s) %s",
		   ip_fmt(rx->src, (char[16]){0}), rx->dport, rx->sport,
		   sa->d.initiator ? "I" : "R", ike_state_name(sa->d.state));
	switch (h.exch) {
	case EXCH_MAIN:
		ike_mm_input(sa, NULL, msg, len, rx);
		return;
	case EXCH_QUICK:
	case EXCH_INFO:
		if (sa->d.state != IKE_QM_IDLE) {
			if (h.exch == EXCH_INFO && !(h.flags & ISAKMP_FLAG_ENC)) {
				ike_info_input(sa, NULL, msg, len);
				return;
			}
			char b[16];
			ike_stats.in_drop++;
			if (log_allowed())
				log_ios("CRYPTO-6-IKMP_SA_NOT_AUTH", "Cannot accept "
					"Quick Mode exchange from %s if SA is not "
					"authenticated!", ip_fmt(rx->src, b));
			return;
		}
		protected_input(sa, &h, msg, len);
		return;
	default:
		/* Aggressive Mode and Transaction exchanges are not offered */
		ike_stats.in_drop++;
		IKE_SA_DBG(sa, "exchange type %u not supported", h.exch);
		return;
	}
}

void ike_udp500(const struct ip_rx *rx)
{
	ike_input(rx, rx->payload, rx->len, false);
}

/* UDP 4500 (RFC 3948 §2): a lone 0xff is a NAT keepalive, four zero bytes
 * (the non-ESP marker) put IKE in front, anything else is ESP. */
void ike_udp4500(const struct ip_rx *rx)
{
	static const uint8_t marker[4];
	if (rx->len == 1 && rx->payload[0] == 0xff) {
		ike_natt_keepalive_rx();
		return;
	}
	if (rx->len >= 4 && !memcmp(rx->payload, marker, 4)) {
		ike_input(rx, rx->payload + 4, rx->len - 4, true);
		return;
	}
	if (rx->len < 8) {
		ike_stats.in_drop++;
		ike_stats.malformed++;
		return;
	}
	sadb_udp_input(rx);
}

uint32_t ike_local_addr_for(const char *map)
{
	for (const struct cmap_binding *b = crypto_binding_first(); b;
	     b = crypto_binding_next(b)) {
		uint32_t local = strcmp(b->map, map) ? 0 : crypto_binding_local(b, NULL);
		if (local)
			return local;
	}
	return 0;
}

/* ---- lifecycle ------------------------------------------------------------------------ */

void ike_sa_reset(void)
{
	while (tab.head)
		sa_free(tab.head);
	intmap_clear(&tab.by_icky);
	intmap_clear(&tab.by_conn);
	tab.next_conn = 0;
	tab.ndead = 0;
	memset(&ike_stats, 0, sizeof ike_stats);
	ike_debug = false;
}

void ike_sa_init(void)
{
	udp_register_port(ISAKMP_PORT, ike_udp500);
	udp_register_port(ISAKMP_NATT_PORT, ike_udp4500);
}
