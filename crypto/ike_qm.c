/* Quick Mode (RFC 2409 §5.5): the IPsec SAs, both roles.
 *
 *   1 I->R  *HASH(1), SA, Ni [, KE] [, IDci, IDcr]
 *   2 R->I  *HASH(2), SA, Nr [, KE] [, IDci, IDcr] [, N(RESPONDER-LIFETIME)]
 *   3 I->R  *HASH(3)
 *
 * The initiator offers one proposal per transform set of the crypto map
 * entry, in order (AH and ESP of a bundle share a proposal number), with
 * the entry's lifetimes and PFS group; the responder takes the first
 * proposal one of its entries accepts: the entry's peer and ACL must
 * cover the peer and the proxies (a dynamic map template covers what it
 * does not name). Both install the SAs with KEYMAT into the SADB once the
 * exchange is authenticated; a peer that sets the commit bit makes our
 * outbound SAs wait for its CONNECTED notify (RFC 2408 §3.1).
 *
 * Traffic without an SA reaches acquire(): a Quick Mode starts at once
 * when phase 1 is up, else Main Mode first, the request waiting for it.
 * An SA's soft lifetime starts the same for its successor; the old
 * bundle is drained a while and then deleted, with a Delete to the peer. */
#include "ike.h"
#include "ike_p2.h"
#include "../platform/platform.h"

#include <openssl/crypto.h>
#include <stdio.h>
#include <string.h>

/* After a rekey the predecessor bundle keeps taking inbound traffic this
 * long, then is deleted (IOS deletes it once the new SAs carry traffic). */
#define DRAIN_SECS      30.0
/* Requests waiting for their phase 1 (each goes when it fails or is up). */
#define MAX_WAITING     4096

enum qm_step { QM_I_WAIT2, QM_R_WAIT3, QM_DONE };


struct ike_qm {
	struct ike_xchg *x;
	enum qm_step step;
	uint8_t ni[IKE_NONCE_MAX], nr[IKE_NONCE_MAX];
	size_t ni_len, nr_len;
	unsigned pfs;
	EVP_PKEY *dh;
	uint8_t gx_me[IKE_DH_MAX], gx_peer[IKE_DH_MAX];
	struct sa_selector sel;       /* local = this router's side */
	char map[64];                 /* the interface's crypto map, and entry */
	unsigned seq;
	uint32_t life_secs;
	uint64_t life_kb;
	bool send_resp_life;          /* responder: ours is shorter */
	struct qm_prop offer[CMAP_MAX_TSETS];
	int noffer;
	struct qm_prop chosen;
	bool peer_commit;             /* outbound waits for CONNECTED */
	struct ipsec_sa_data held[2];
	int nheld;
	uint32_t bundle;
};

/* A request for SAs that waits for phase 1 with its peer. */
struct qm_wait {
	uint32_t local, peer;
	char map[64];
	unsigned seq;
	struct sa_selector sel;
	double since;
	double start_at;                /* phase 1 is up: Quick Mode then (0: not yet) */
	struct qm_wait *next;
};

/* A predecessor bundle being drained after a rekey. */
struct drain {
	uint32_t bundle;
	ev_timer t;
	struct drain *next;
};

static struct qm_wait *waiting;
static unsigned nwaiting;
static struct drain *drains;

/* ---- small helpers ---------------------------------------------------------------- */

static const char *ipstr(uint32_t a, char *b) { return ip_fmt(a, b); }

static bool sel_eq(const struct sa_selector *a, const struct sa_selector *b)
{
	return a->local.addr == b->local.addr && a->local.mask == b->local.mask &&
	       a->local.proto == b->local.proto && a->local.port == b->local.port &&
	       a->remote.addr == b->remote.addr &&
	       a->remote.mask == b->remote.mask &&
	       a->remote.proto == b->remote.proto &&
	       a->remote.port == b->remote.port;
}

static void free_q(struct ike_qm *q)
{
	if (!q)
		return;
	ike_dh_free(q->dh);
	OPENSSL_cleanse(q, sizeof *q);
	free(q);
}

void ike_qm_free(struct ike_qm *q)
{
	free_q(q);
}

/* The map entry a negotiation belongs to (NULL when it went away). */
static const struct cmap_entry *entry_of(const char *map, unsigned seq)
{
	return crypto_map_entry(crypto_map_find(map), seq);
}

static void put_u32be(uint8_t *b, uint32_t v)
{
	b[0] = (uint8_t)(v >> 24); b[1] = (uint8_t)(v >> 16);
	b[2] = (uint8_t)(v >> 8); b[3] = (uint8_t)v;
}

/* ---- building the SA payload ----------------------------------------------------------- */

static void put_p2_attrs(struct isakmp_out *o, const struct ike_sa *sa,
			 const struct ike_qm *q, const struct qm_prop *p,
			 enum xform auth)
{
	isakmp_out_attr(o, P2_LIFE_TYPE, LIFE_SECONDS);
	isakmp_out_attr(o, P2_LIFE_DUR, q->life_secs);
	isakmp_out_attr(o, P2_LIFE_TYPE, LIFE_KILOBYTES);
	isakmp_out_attr(o, P2_LIFE_DUR, (uint32_t)q->life_kb);
	isakmp_out_attr(o, P2_ENCAP, p2_encap(sa, p->transport));
	if (p2_auth_attr(auth))
		isakmp_out_attr(o, P2_AUTH, p2_auth_attr(auth));
	if (p->bits && !p2_is_ah(auth))
		isakmp_out_attr(o, P2_KEY_LEN, p->bits);
	if (q->pfs)
		isakmp_out_attr(o, P2_GROUP, q->pfs);
}

/* One proposal part: proposal header, SPI, one transform. */
static void put_part(struct isakmp_out *o, const struct ike_sa *sa,
		     const struct ike_qm *q, const struct qm_prop *p, bool ah,
		     bool last)
{
	size_t ps = isakmp_out_nested(o, last ? NP_NONE : NP_P);
	isakmp_out_u8(o, p->num);
	isakmp_out_u8(o, ah ? PROTO_AH : PROTO_ESP);
	isakmp_out_u8(o, 4);
	isakmp_out_u8(o, 1);
	isakmp_out_u32(o, ah ? p->my_ah : p->my_esp);
	size_t ts = isakmp_out_nested(o, NP_NONE);
	isakmp_out_u8(o, 1);
	isakmp_out_u8(o, ah ? (p->ah == XF_AH_MD5 ? AH_MD5 : AH_SHA)
			    : p2_esp_id(p->enc));
	isakmp_out_u16(o, 0);
	put_p2_attrs(o, sa, q, p, ah ? p->ah : p->auth);
	isakmp_out_end(o, ts);
	isakmp_out_end(o, ps);
}

static void put_sa(struct isakmp_out *o, const struct ike_sa *sa,
		   const struct ike_qm *q, const struct qm_prop *props, int n)
{
	size_t s = isakmp_out_begin(o, NP_SA);
	isakmp_out_u32(o, IPSEC_DOI);
	isakmp_out_u32(o, SIT_IDENTITY);
	for (int i = 0; i < n; i++) {
		const struct qm_prop *p = &props[i];
		bool last_prop = i + 1 == n;
		/* AH first, then ESP: the order of an AH+ESP bundle */
		if (p->ah != XF_NONE)
			put_part(o, sa, q, p, true, last_prop && !p2_has_esp(p));
		if (p2_has_esp(p))
			put_part(o, sa, q, p, false, last_prop);
	}
	isakmp_out_end(o, s);
}

static void proxy_ident(const struct sa_proxy *p, struct isakmp_ident *id)
{
	memset(id, 0, sizeof *id);
	id->type = p->mask == 0xffffffffu ? ID_IPV4_ADDR : ID_IPV4_ADDR_SUBNET;
	id->proto = p->proto;
	id->port = p->port;
	id->addr = p->addr;
	id->mask = p->mask;
}

static void put_ids(struct isakmp_out *o, const struct ike_qm *q, bool init)
{
	struct isakmp_ident ci, cr;
	/* IDci is the initiator's side, IDcr the responder's */
	proxy_ident(init ? &q->sel.local : &q->sel.remote, &ci);
	proxy_ident(init ? &q->sel.remote : &q->sel.local, &cr);
	isakmp_out_id(o, NP_ID, &ci);
	isakmp_out_id(o, NP_ID, &cr);
}

/* ---- keys and installation ------------------------------------------------------------------ */

static bool keymat(const struct ike_sa *sa, const struct ike_qm *q,
		   const uint8_t *gqm, size_t glen, uint8_t proto, uint32_t spi,
		   uint8_t *out, size_t len)
{
	uint8_t spib[4];
	put_u32be(spib, spi);
	struct ike_iov seed[5];
	int n = 0;
	if (glen)
		seed[n++] = (struct ike_iov){gqm, glen};
	seed[n++] = (struct ike_iov){&proto, 1};
	seed[n++] = (struct ike_iov){spib, 4};
	seed[n++] = (struct ike_iov){q->ni, q->ni_len};
	seed[n++] = (struct ike_iov){q->nr, q->nr_len};
	return ike_expand(sa->d.hash, sa->d.skeyid_d, sa->d.prf_len, seed, n,
			  out, len);
}

static void sa_base(const struct ike_sa *sa, const struct ike_qm *q,
		    struct ipsec_sa_data *d)
{
	memset(d, 0, sizeof *d);
	d->tunnel = !q->chosen.transport;
	d->local = sa->d.local;
	d->peer = sa->d.peer;
	if (sa->d.natt & NATT_FLOATED) {
		d->local_port = sa->d.local_port;
		d->peer_port = sa->d.peer_port;
	}
	d->sel = q->sel;
	d->life_secs = q->life_secs;
	d->life_kb = q->life_kb;
	d->created = core_uptime();
	d->window_size = crypto_ipsec_globals()->replay_window;
	snprintf(d->map, sizeof d->map, "%s", q->map);
	d->map_seq = q->seq;
	memcpy(d->ike_cookies, sa->d.icky, 8);
	memcpy(d->ike_cookies + 8, sa->d.rcky, 8);
	d->pfs_group = q->pfs;
	d->bundle = q->bundle;
	d->status = SA_STATUS_ACTIVE;
}

/* The SA of one protocol and direction, keyed from KEYMAT. */
static bool make_sa(const struct ike_sa *sa, const struct ike_qm *q,
		    const uint8_t *gqm, size_t glen, bool ah, bool inbound,
		    struct ipsec_sa_data *d)
{
	const struct qm_prop *p = &q->chosen;
	sa_base(sa, q, d);
	d->inbound = inbound;
	d->proto = ah ? 51 : 50;
	d->spi = ah ? (inbound ? p->my_ah : p->peer_ah)
		    : (inbound ? p->my_esp : p->peer_esp);
	d->enc = ah ? XF_NONE : p->enc;
	d->auth = ah ? p->ah : p->auth;
	d->enc_bits = ah ? 0 : p->bits;
	d->enc_key_len = (uint8_t)(ah ? 0 : p2_enc_key_len(p->enc, p->bits));
	d->auth_key_len = (uint8_t)p2_auth_key_len(d->auth);
	uint8_t km[SA_ENC_KEY_MAX + SA_AUTH_KEY_MAX];
	size_t kl = d->enc_key_len + d->auth_key_len;
	if (kl && !keymat(sa, q, gqm, glen, ah ? PROTO_AH : PROTO_ESP, d->spi,
			  km, kl))
		return false;
	memcpy(d->enc_key, km, d->enc_key_len);
	memcpy(d->auth_key, km + d->enc_key_len, d->auth_key_len);
	OPENSSL_cleanse(km, sizeof km);
	return true;
}

static void drain_cb(struct ev_loop *loop, ev_timer *w, int revents);

static bool draining(uint32_t bundle)
{
	for (struct drain *d = drains; d; d = d->next)
		if (d->bundle == bundle)
			return true;
	return false;
}

struct older_ctx {
	const struct ipsec_sa_data *new_sa;
	uint32_t found[16];
	int n;
};

static void find_older(struct ipsec_sa *sa, void *ctx)
{
	struct older_ctx *c = ctx;
	const struct ipsec_sa_data *n = c->new_sa;
	if (sa->d.bundle == n->bundle || sa->d.peer != n->peer ||
	    sa->d.local != n->local || !sel_eq(&sa->d.sel, &n->sel) ||
	    draining(sa->d.bundle) || c->n == 16)
		return;
	for (int i = 0; i < c->n; i++)
		if (c->found[i] == sa->d.bundle)
			return;
	c->found[c->n++] = sa->d.bundle;
}

/* The bundles the new one replaces: drained, then deleted. */
static void drain_predecessors(const struct ipsec_sa_data *nsa)
{
	struct older_ctx c = {.new_sa = nsa};
	sadb_foreach(find_older, &c);
	for (int i = 0; i < c.n; i++) {
		struct drain *d = xcalloc(1, sizeof *d);
		d->bundle = c.found[i];
		ev_timer_init(&d->t, drain_cb, DRAIN_SECS, 0);
		d->t.data = d;
		ev_timer_start(core_loop, &d->t);
		d->next = drains;
		drains = d;
	}
}

static void drain_free(struct drain *d)
{
	for (struct drain **p = &drains; *p; p = &(*p)->next)
		if (*p == d) {
			*p = d->next;
			break;
		}
	ev_timer_stop(core_loop, &d->t);
	free(d);
}

static void drain_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct drain *d = w->data;
	uint32_t b = d->bundle;
	drain_free(d);
	sadb_delete_bundle(b, SADB_DEL_REKEYED);
}

static void debug_created(const struct ike_sa *sa, const struct ipsec_sa_data *d)
{
	char a[16], b[16], c[16], e[16];
	IKE_DBG("        %s SA from %s to %s (f/i)  0/ 0",
		d->inbound ? "inbound" : "outbound",
		ipstr(d->inbound ? d->peer : d->local, a),
		ipstr(d->inbound ? d->local : d->peer, b));
	IKE_DBG("        (proxy %s to %s)",
		ipstr(d->inbound ? d->sel.remote.addr : d->sel.local.addr, c),
		ipstr(d->inbound ? d->sel.local.addr : d->sel.remote.addr, e));
	IKE_DBG("        has spi 0x%X and conn_id 0", d->spi);
	IKE_DBG("        lifetime of %u seconds", d->life_secs);
	IKE_DBG("        lifetime of %llu kilobytes",
		(unsigned long long)d->life_kb);
	(void)sa;
}

/* Install the bundle: inbound first (the peer may use it at once), then
 * outbound, unless the peer's commit bit holds those back. */
static bool install(struct ike_sa *sa, struct ike_qm *q, const uint8_t *gqm,
		    size_t glen)
{
	struct ipsec_sa_data d[4];
	int n = 0;
	bool ah = q->chosen.ah != XF_NONE, esp = p2_has_esp(&q->chosen);
	q->bundle = sadb_bundle_alloc();
	for (int in = 1; in >= 0; in--) {
		if (ah && !make_sa(sa, q, gqm, glen, true, in, &d[n++]))
			goto fail;
		if (esp && !make_sa(sa, q, gqm, glen, false, in, &d[n++]))
			goto fail;
	}
	IKE_SA_DBG(sa, "Creating IPSec SAs");
	q->nheld = 0;
	for (int i = 0; i < n; i++) {
		debug_created(sa, &d[i]);
		if (!d[i].inbound && q->peer_commit) {
			q->held[q->nheld++] = d[i];
			continue;
		}
		if (!sadb_add(&d[i])) {
			sadb_delete_bundle(q->bundle, SADB_DEL_CONFIG);
			goto fail;
		}
	}
	if (q->peer_commit)
		IKE_SA_DBG(sa, "commit bit set: outbound SAs wait for CONNECTED");
	drain_predecessors(&d[0]);
	OPENSSL_cleanse(d, sizeof d);
	return true;
fail:
	OPENSSL_cleanse(d, sizeof d);
	IKE_SA_DBG(sa, "IPSec SA installation failed");
	return false;
}

void ike_qm_connected(struct ike_xchg *x)
{
	struct ike_qm *q = x->qm;
	if (!q || !q->nheld)
		return;
	IKE_SA_DBG(x->sa, "received CONNECTED, outbound SAs in use");
	for (int i = 0; i < q->nheld; i++)
		sadb_add(&q->held[i]);
	OPENSSL_cleanse(q->held, sizeof q->held);
	q->nheld = 0;
}

/* ---- PFS ---------------------------------------------------------------------------------- */

static bool pfs_half(struct ike_qm *q)
{
	if (!q->pfs)
		return true;
	q->dh = ike_dh_keygen(q->pfs, q->gx_me);
	return q->dh != NULL;
}

static bool pfs_take(struct ike_qm *q, const struct isakmp_msg *m)
{
	const struct isakmp_pl *ke = isakmp_find(m, NP_KE, 0);
	if (!q->pfs)
		return ke == NULL;
	if (!ke || pl_blen(ke) != ike_dh_len(q->pfs))
		return false;
	memcpy(q->gx_peer, pl_body(ke), pl_blen(ke));
	return true;
}

static bool pfs_secret(struct ike_qm *q, uint8_t *gqm, size_t *glen)
{
	*glen = 0;
	if (!q->pfs)
		return true;
	*glen = ike_dh_len(q->pfs);
	bool ok = ike_dh_derive(q->dh, q->pfs, q->gx_peer, *glen, gqm);
	ike_dh_free(q->dh);
	q->dh = NULL;
	return ok;
}

/* ---- initiator -------------------------------------------------------------------------------- */

static void lifetimes_of(const struct cmap_entry *e, struct ike_qm *q)
{
	const struct ipsec_globals *g = crypto_ipsec_globals();
	q->life_secs = e && e->sa_seconds ? e->sa_seconds : g->sa_seconds;
	q->life_kb = e && e->sa_kilobytes ? e->sa_kilobytes : g->sa_kilobytes;
}

static void start(struct ike_sa *sa, const char *map, unsigned seq,
		  const struct sa_selector *sel)
{
	const struct cmap_entry *e = entry_of(map, seq);
	if (!e)
		return;
	struct ike_xchg *x = ike_xchg_new(sa, ike_new_mid(sa), EXCH_QUICK, true);
	struct ike_qm *q = xcalloc(1, sizeof *q);
	x->qm = q;
	q->x = x;
	q->step = QM_I_WAIT2;
	q->sel = *sel;
	snprintf(q->map, sizeof q->map, "%s", map);
	q->seq = seq;
	q->pfs = e->pfs_group;
	lifetimes_of(e, q);
	uint32_t spi_ah = 0, spi_esp = 0;
	for (int i = 0; i < e->ntset && q->noffer < CMAP_MAX_TSETS; i++) {
		struct qm_prop *p = &q->offer[q->noffer];
		if (!p2_tset_prop(crypto_tset_find(e->tset[i]), p))
			continue;
		if (p->ah != XF_NONE && !spi_ah)
			spi_ah = sadb_spi_alloc(sa->d.local, 51);
		if (p2_has_esp(p) && !spi_esp)
			spi_esp = sadb_spi_alloc(sa->d.local, 50);
		p->my_ah = spi_ah;
		p->my_esp = spi_esp;
		p->num = (uint8_t)++q->noffer;
	}
	if (!q->noffer || !pfs_half(q)) {
		IKE_SA_DBG(sa, "no usable transform set in crypto map %s %u",
			   map, seq);
		ike_xchg_free(x);
		return;
	}
	ike_random(q->ni, IKE_NONCE_LEN);
	q->ni_len = IKE_NONCE_LEN;
	struct isakmp_out *o = &(struct isakmp_out){0};
	isakmp_out_init(o, sa->d.icky, sa->d.rcky, EXCH_QUICK, 0, x->mid);
	size_t h = isakmp_out_begin(o, NP_HASH);
	isakmp_out_put(o, (uint8_t[IKE_HASH_MAX]){0}, sa->d.prf_len);
	isakmp_out_end(o, h);
	put_sa(o, sa, q, q->offer, q->noffer);
	isakmp_out_simple(o, NP_NONCE, q->ni, q->ni_len);
	if (q->pfs)
		isakmp_out_simple(o, NP_KE, q->gx_me, ike_dh_len(q->pfs));
	put_ids(o, q, true);
	isakmp_out_finish(o);
	if (!ike_p2_hash_fill(sa, o, h, x->mid, NULL, 0)) {
		ike_xchg_free(x);
		return;
	}
	IKE_SA_DBG(sa, "beginning Quick Mode exchange, M-ID of %d", (int)x->mid);
	IKE_SA_DBG(sa, "sending packet to %s my_port %u peer_port %u (I) QM_IDLE",
		   ip_fmt(sa->d.peer, (char[16]){0}), sa->d.local_port,
		   sa->d.peer_port);
	ike_stats.out_p2++;
	ike_xchg_send(x, o, true);
}

/* A Quick Mode for the same peer and proxies already runs. */
static bool in_progress(uint32_t peer, const struct sa_selector *sel)
{
	for (const struct qm_wait *w = waiting; w; w = w->next)
		if (w->peer == peer && sel_eq(&w->sel, sel))
			return true;
	struct ike_sa *sa = ike_sa_find_peer(0, peer);
	if (!sa)
		return false;
	for (struct ike_xchg *x = sa->xchgs; x; x = x->next)
		if (x->qm && !x->done && sel_eq(&x->qm->sel, sel))
			return true;
	return false;
}

/* A phase 1 with PEER is being negotiated. */
static bool p1_pending(uint32_t local, uint32_t peer)
{
	for (const struct qm_wait *w = waiting; w; w = w->next)
		if (w->peer == peer && w->local == local)
			return true;
	return false;
}

/* SAs for these proxies are up and not about to expire. */
static bool have_sas(uint32_t peer, const struct sa_selector *sel)
{
	struct ipsec_sa *sa = sadb_out_find(peer, 50, sel);
	if (!sa)
		sa = sadb_out_find(peer, 51, sel);
	return sa && !sa->soft_fired;
}

static void request(uint32_t local, uint32_t peer, const char *map,
		    unsigned seq, const struct sa_selector *sel, bool rekey)
{
	if (in_progress(peer, sel) || (!rekey && have_sas(peer, sel)))
		return;
	struct ike_sa *sa = ike_sa_find_peer(local, peer);
	if (sa) {
		start(sa, map, seq, sel);
		return;
	}
	if (nwaiting >= MAX_WAITING)
		return;
	bool pending = p1_pending(local, peer);
	struct qm_wait *w = xcalloc(1, sizeof *w);
	w->local = local;
	w->peer = peer;
	snprintf(w->map, sizeof w->map, "%s", map);
	w->seq = seq;
	w->sel = *sel;
	w->since = core_uptime();
	w->next = waiting;
	waiting = w;
	nwaiting++;
	if (!pending && !ike_mm_initiate(local, peer))
		ike_qm_phase1_failed(local, peer);
}

static void debug_request(const struct cmap_entry *e,
			  const struct sa_selector *sel, uint32_t local,
			  uint32_t peer)
{
	char a[16], b[16], c[16], d[16], f[16], g[16];
	IKE_DBG("IPSEC(sa_request): ,");
	IKE_DBG("  (key eng. msg.) OUTBOUND local= %s, remote= %s,",
		ipstr(local, a), ipstr(peer, b));
	IKE_DBG("    local_proxy= %s/%s/%u/%u (type=%u),",
		ipstr(sel->local.addr, c), ipstr(sel->local.mask, d),
		sel->local.proto, sel->local.port,
		sel->local.mask == 0xffffffffu ? 1 : 4);
	IKE_DBG("    remote_proxy= %s/%s/%u/%u (type=%u),",
		ipstr(sel->remote.addr, f), ipstr(sel->remote.mask, g),
		sel->remote.proto, sel->remote.port,
		sel->remote.mask == 0xffffffffu ? 1 : 4);
	IKE_DBG("    protocol= ESP, transform= %s, crypto map %s %u",
		e->ntset ? e->tset[0] : "(none)", e->map->name, e->seq);
}

/* The data path's acquire: traffic entry E protects has no SA to PEER. */
static void acquire(const struct cmap_entry *e, const struct sa_selector *sel,
		    uint32_t peer)
{
	if (!e || e->map->dynamic || e->type != CMAP_ISAKMP || !peer)
		return;              /* dynamic entries only answer */
	uint32_t local = ike_local_addr_for(e->map->name);
	if (!local)
		return;
	debug_request(e, sel, local, peer);
	request(local, peer, e->map->name, e->seq, sel, false);
}

/* Both ends may want the same proxies at once (two VTI ends, traffic
 * both ways): the end that answered phase 1 lets the initiator's Quick
 * Mode come first, and starts its own only if no SAs came of it, so the
 * two do not cross and leave two pairs of SAs for one flow. */
#define QM_RESPONDER_DEFER 0.5

static ev_timer deferred_timer;

static void deferred_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
	double now = core_uptime(), next = 0;
	struct qm_wait **wp = &waiting;
	while (*wp) {
		struct qm_wait *w = *wp;
		if (!w->start_at || w->start_at > now) {
			if (w->start_at && (!next || w->start_at < next))
				next = w->start_at;
			wp = &w->next;
			continue;
		}
		*wp = w->next;
		nwaiting--;
		struct ike_sa *sa = ike_sa_find_peer(w->local, w->peer);
		if (sa && !in_progress(w->peer, &w->sel) && !have_sas(w->peer, &w->sel))
			start(sa, w->map, w->seq, &w->sel);
		free(w);
	}
	if (next) {
		ev_timer_set(&deferred_timer, next - now, 0);
		ev_timer_start(core_loop, &deferred_timer);
	}
}

void ike_qm_phase1_up(struct ike_sa *sa)
{
	struct qm_wait **wp = &waiting;
	bool deferred = false;
	while (*wp) {
		struct qm_wait *w = *wp;
		if (w->peer != sa->d.peer || w->local != sa->d.local || w->start_at) {
			wp = &w->next;
			continue;
		}
		if (!sa->d.initiator) {
			w->start_at = core_uptime() + QM_RESPONDER_DEFER;
			deferred = true;
			wp = &w->next;
			continue;
		}
		*wp = w->next;
		nwaiting--;
		start(sa, w->map, w->seq, &w->sel);
		free(w);
	}
	if (deferred && !ev_is_active(&deferred_timer)) {
		ev_timer_set(&deferred_timer, QM_RESPONDER_DEFER, 0);
		ev_timer_start(core_loop, &deferred_timer);
	}
}

void ike_qm_phase1_failed(uint32_t local, uint32_t peer)
{
	struct qm_wait **wp = &waiting;
	while (*wp) {
		struct qm_wait *w = *wp;
		if (w->peer == peer && w->local == local) {
			*wp = w->next;
			nwaiting--;
			free(w);
		} else {
			wp = &w->next;
		}
	}
}

/* An SA's soft lifetime: negotiate its successor (once per bundle). */
static void soft_expire(struct ipsec_sa *old)
{
	if (old->d.status != SA_STATUS_ACTIVE || draining(old->d.bundle) ||
	    !entry_of(old->d.map, old->d.map_seq))
		return;
	const struct cmap_entry *e = entry_of(old->d.map, old->d.map_seq);
	if (e->type != CMAP_ISAKMP)
		return;      /* a dynamic peer renegotiates itself */
	IKE_DBG("IPSEC(sa_request): rekey of SA 0x%X (crypto map %s %u)",
		old->d.spi, old->d.map, old->d.map_seq);
	request(old->d.local, old->d.peer, old->d.map, old->d.map_seq,
		&old->d.sel, true);
}

/* ---- responder ------------------------------------------------------------------------------------ */

static bool ids_to_sel(const struct ike_sa *sa, const struct isakmp_msg *m,
		       bool we_initiated, struct sa_selector *sel)
{
	const struct isakmp_pl *ci = isakmp_find(m, NP_ID, 0);
	const struct isakmp_pl *cr = isakmp_find(m, NP_ID, 1);
	if (!ci && !cr) {
		/* no IDs: the two gateways themselves */
		*sel = (struct sa_selector){
			{sa->d.local, 0xffffffffu, 0, 0},
			{sa->d.peer, 0xffffffffu, 0, 0}};
		return true;
	}
	struct isakmp_ident a, b;
	if (!ci || !cr || isakmp_parse_id(pl_body(ci), pl_blen(ci), &a) ||
	    isakmp_parse_id(pl_body(cr), pl_blen(cr), &b) ||
	    (a.type != ID_IPV4_ADDR && a.type != ID_IPV4_ADDR_SUBNET) ||
	    (b.type != ID_IPV4_ADDR && b.type != ID_IPV4_ADDR_SUBNET))
		return false;
	const struct isakmp_ident *mine = we_initiated ? &a : &b;
	const struct isakmp_ident *theirs = we_initiated ? &b : &a;
	sel->local = (struct sa_proxy){mine->addr & mine->mask, mine->mask,
				       mine->proto, mine->port};
	sel->remote = (struct sa_proxy){theirs->addr & theirs->mask,
					theirs->mask, theirs->proto,
					theirs->port};
	return true;
}

static void reject(struct ike_sa *sa, struct ike_xchg *x, uint16_t why,
		   const struct sa_selector *sel)
{
	char a[16], b[16], c[16];
	IKE_SA_DBG(sa, "IPSec policy invalidated proposal with error %u",
		   why == N_NO_PROPOSAL_CHOSEN ? 256u : 32u);
	if (sel)
		IKE_SA_DBG(sa, "phase 2 SA policy not acceptable! (local %s "
			   "remote %s)", ipstr(sa->d.local, a),
			   ipstr(sa->d.peer, b));
	ike_info_send_notify(sa, PROTO_ESP, NULL, 0, why, NULL, 0);
	log_ios("CRYPTO-6-IKMP_MODE_FAILURE", "Processing of Quick mode failed "
		"with peer at %s", ipstr(sa->d.peer, c));
	ike_stats.in_p2_reject++;
	ike_xchg_finish(x);         /* its duplicates are ignored */
}

/* The lifetime: ours unless the peer asked for less; a responder with a
 * shorter one says so in RESPONDER-LIFETIME (RFC 2407 §4.6.3.1). */
static void responder_lifetimes(const struct cmap_entry *e,
				const struct p2_attrs *a, struct ike_qm *q)
{
	lifetimes_of(e, q);
	uint32_t psecs = a->secs ? a->secs : 28800;   /* RFC 2407's default */
	uint64_t pkb = a->kb;
	q->send_resp_life = psecs > q->life_secs || (pkb && pkb > q->life_kb) ||
			    !pkb;
	if (psecs < q->life_secs)
		q->life_secs = psecs;
	if (pkb && pkb < q->life_kb)
		q->life_kb = pkb;
}

/* Echo one chosen part: our SPI, the peer's transform as it sent it. */
static void put_chosen_part(struct isakmp_out *o, const struct isakmp_prop *pr,
			    int xf, uint32_t spi, bool last)
{
	const struct isakmp_xf *x = &pr->xf[xf];
	size_t ps = isakmp_out_nested(o, last ? NP_NONE : NP_P);
	isakmp_out_u8(o, pr->num);
	isakmp_out_u8(o, pr->proto);
	isakmp_out_u8(o, 4);
	isakmp_out_u8(o, 1);
	isakmp_out_u32(o, spi);
	isakmp_out_xf(o, x);
	isakmp_out_end(o, ps);
}

static void put_resp_life(struct isakmp_out *o, const struct ike_qm *q,
			  uint8_t proto, uint32_t spi)
{
	size_t s = isakmp_out_begin(o, NP_N);
	isakmp_out_u32(o, IPSEC_DOI);
	isakmp_out_u8(o, proto);
	isakmp_out_u8(o, 4);
	isakmp_out_u16(o, N_RESPONDER_LIFETIME);
	isakmp_out_u32(o, spi);
	isakmp_out_attr(o, P2_LIFE_TYPE, LIFE_SECONDS);
	isakmp_out_attr(o, P2_LIFE_DUR, q->life_secs);
	isakmp_out_attr(o, P2_LIFE_TYPE, LIFE_KILOBYTES);
	isakmp_out_attr(o, P2_LIFE_DUR, (uint32_t)q->life_kb);
	isakmp_out_end(o, s);
}

static void responder_qm1(struct ike_sa *sa, struct ike_xchg *x,
			  const struct isakmp_msg *m)
{
	static struct isakmp_sa s;
	const struct isakmp_pl *sap = isakmp_find(m, NP_SA, 0);
	const struct isakmp_pl *np = isakmp_find(m, NP_NONCE, 0);
	IKE_SA_DBG(sa, "processing HASH payload. message ID = %d", (int)x->mid);
	if (!ike_p2_hash_check(sa, m, NULL, 0)) {
		ike_stats.hash_fails++;
		ike_stats.in_p2_invalid++;
		ike_stats.in_drop++;
		IKE_SA_DBG(sa, "Hash payload mismatch; dropping");
		ike_xchg_free(x);
		return;
	}
	IKE_SA_DBG(sa, "processing SA payload. message ID = %d", (int)x->mid);
	struct sa_selector sel;
	if (!sap || !np || pl_blen(np) < 8 || pl_blen(np) > IKE_NONCE_MAX ||
	    isakmp_parse_sa(pl_body(sap), pl_blen(sap), &s) ||
	    !ids_to_sel(sa, m, false, &sel)) {
		ike_stats.in_p2_invalid++;
		ike_stats.malformed++;
		ike_log_bad_message(sa->d.peer);
		ike_xchg_free(x);
		return;
	}
	ike_stats.in_p2++;
	struct ike_qm *q = xcalloc(1, sizeof *q);
	x->qm = q;
	q->x = x;
	q->sel = sel;
	q->peer_commit = m->h.flags & ISAKMP_FLAG_COMMIT;
	memcpy(q->ni, pl_body(np), pl_blen(np));
	q->ni_len = pl_blen(np);
	struct choice c;
	const struct cmap_entry *via = NULL;
	bool proxy_ok;
	const struct cmap_entry *e = p2_responder_entry(sa, &sel, &s, &c, &via,
						     &proxy_ok);
	if (!e) {
		if (!proxy_ok)
			IKE_DBG("IPSEC(validate_transform_proposal): proxy "
				"identities not supported");
		reject(sa, x, proxy_ok ? N_NO_PROPOSAL_CHOSEN
				       : N_INVALID_ID_INFORMATION, &sel);
		return;
	}
	snprintf(q->map, sizeof q->map, "%s", via->map->name);
	q->seq = via->seq;
	q->chosen = c.prop;
	q->pfs = c.attrs.group;
	responder_lifetimes(e, &c.attrs, q);
	if (!pfs_take(q, m) || !pfs_half(q)) {
		reject(sa, x, N_NO_PROPOSAL_CHOSEN, &sel);
		return;
	}
	if (c.ah)
		q->chosen.my_ah = sadb_spi_alloc(sa->d.local, 51);
	if (c.esp)
		q->chosen.my_esp = sadb_spi_alloc(sa->d.local, 50);
	ike_random(q->nr, IKE_NONCE_LEN);
	q->nr_len = IKE_NONCE_LEN;
	/* message 2 */
	struct isakmp_out *o = &(struct isakmp_out){0};
	isakmp_out_init(o, sa->d.icky, sa->d.rcky, EXCH_QUICK, 0, x->mid);
	size_t h = isakmp_out_begin(o, NP_HASH);
	isakmp_out_put(o, (uint8_t[IKE_HASH_MAX]){0}, sa->d.prf_len);
	isakmp_out_end(o, h);
	size_t s0 = isakmp_out_begin(o, NP_SA);
	isakmp_out_u32(o, IPSEC_DOI);
	isakmp_out_u32(o, SIT_IDENTITY);
	if (c.ah)
		put_chosen_part(o, c.ah, c.ah_xf, q->chosen.my_ah, !c.esp);
	if (c.esp)
		put_chosen_part(o, c.esp, c.esp_xf, q->chosen.my_esp, true);
	isakmp_out_end(o, s0);
	isakmp_out_simple(o, NP_NONCE, q->nr, q->nr_len);
	if (q->pfs)
		isakmp_out_simple(o, NP_KE, q->gx_me, ike_dh_len(q->pfs));
	if (isakmp_find(m, NP_ID, 0))
		put_ids(o, q, false);
	if (q->send_resp_life) {
		IKE_SA_DBG(sa, "sending RESPONDER_LIFETIME notify");
		if (c.ah)
			put_resp_life(o, q, PROTO_AH, q->chosen.my_ah);
		if (c.esp)
			put_resp_life(o, q, PROTO_ESP, q->chosen.my_esp);
	}
	isakmp_out_finish(o);
	if (!ike_p2_hash_fill(sa, o, h, x->mid, q->ni, q->ni_len)) {
		ike_xchg_free(x);
		return;
	}
	q->step = QM_R_WAIT3;
	IKE_SA_DBG(sa, "sending packet to %s my_port %u peer_port %u (R) QM_IDLE",
		   ip_fmt(sa->d.peer, (char[16]){0}), sa->d.local_port,
		   sa->d.peer_port);
	ike_xchg_send(x, o, true);
}

static bool hash3(const struct ike_sa *sa, const struct ike_qm *q,
		  uint32_t mid, uint8_t *out)
{
	uint8_t zero = 0, mb[4];
	put_u32be(mb, mid);
	struct ike_iov v[4] = {{&zero, 1}, {mb, 4}, {q->ni, q->ni_len},
			       {q->nr, q->nr_len}};
	return ike_prf(sa->d.hash, sa->d.skeyid_a, sa->d.prf_len, v, 4, out);
}

static void responder_qm3(struct ike_sa *sa, struct ike_xchg *x,
			  const struct isakmp_msg *m)
{
	struct ike_qm *q = x->qm;
	uint8_t want[IKE_HASH_MAX];
	const struct isakmp_pl *hp = m->npl ? &m->pl[0] : NULL;
	if (!hp || hp->type != NP_HASH || pl_blen(hp) != sa->d.prf_len ||
	    !hash3(sa, q, x->mid, want) ||
	    CRYPTO_memcmp(want, pl_body(hp), sa->d.prf_len)) {
		ike_stats.hash_fails++;
		ike_stats.in_drop++;
		x->have_rx = false;       /* a good QM3 may still come */
		IKE_SA_DBG(sa, "Hash payload mismatch in QM3; dropping");
		return;
	}
	q->peer_commit |= m->h.flags & ISAKMP_FLAG_COMMIT;
	uint8_t gqm[IKE_DH_MAX];
	size_t glen;
	bool ok = pfs_secret(q, gqm, &glen) && install(sa, q, gqm, glen);
	OPENSSL_cleanse(gqm, sizeof gqm);
	if (!ok)
		ike_stats.in_p2_reject++;
	IKE_SA_DBG(sa, "Node %d, Input = IKE_MESG_FROM_PEER, IKE_QM_EXCH",
		   (int)x->mid);
	IKE_SA_DBG(sa, "Old State = IKE_QM_R_QM2  New State = "
		   "IKE_QM_PHASE2_COMPLETE");
	q->step = QM_DONE;
	free(x->tx);                   /* QM2 needs no more repeating */
	x->tx = NULL;
	ike_xchg_finish(x);
}

/* ---- initiator: message 2 ---------------------------------------------------------------------------- */

/* The responder chose proposal NUM; each part must carry one transform of
 * the protocol and algorithms we offered under that number. */
static const struct qm_prop *check_choice(const struct ike_sa *sa,
					  struct ike_qm *q,
					  const struct isakmp_sa *s,
					  struct p2_attrs *attrs)
{
	if (s->nprop < 1)
		return NULL;
	uint8_t num = s->prop[0].num;
	struct qm_prop *offer = NULL;
	for (int i = 0; i < q->noffer; i++)
		if (q->offer[i].num == num)
			offer = &q->offer[i];
	const struct isakmp_prop *ah, *esp;
	if (!offer || p2_parts_of(s, num, &ah, &esp) != s->nprop ||
	    (offer->ah != XF_NONE) != (ah != NULL) ||
	    p2_has_esp(offer) != (esp != NULL) || (ah && ah->nxf != 1) ||
	    (esp && esp->nxf != 1))
		return NULL;
	int which;
	struct p2_attrs a = {0};
	if ((ah && !p2_part_ok(sa, ah, offer, &which, &a)) ||
	    (esp && !p2_part_ok(sa, esp, offer, &which, &a)) ||
	    a.group != q->pfs)
		return NULL;
	*attrs = a;
	offer->peer_ah = ah ? p2_spi_of(ah) : 0;
	offer->peer_esp = esp ? p2_spi_of(esp) : 0;
	return offer;
}

/* RESPONDER-LIFETIME: the responder's shorter lifetime is ours too. */
static void take_resp_life(struct ike_sa *sa, struct ike_qm *q,
			   const struct isakmp_msg *m)
{
	for (int i = 0; isakmp_find(m, NP_N, i); i++) {
		const struct isakmp_pl *pl = isakmp_find(m, NP_N, i);
		struct isakmp_notify_pl n;
		if (isakmp_parse_notify(pl_body(pl), pl_blen(pl), &n) ||
		    n.type != N_RESPONDER_LIFETIME)
			continue;
		struct isakmp_xf fake = {.attrs = n.data, .alen = n.data_len};
		struct p2_attrs a;
		p2_attrs_parse(&fake, &a, false);
		IKE_SA_DBG(sa, "processing NOTIFY RESPONDER_LIFETIME protocol %u",
			   n.proto);
		if (a.secs && a.secs < q->life_secs)
			q->life_secs = a.secs;
		if (a.kb && a.kb < q->life_kb)
			q->life_kb = a.kb;
	}
}

static void initiator_qm2(struct ike_sa *sa, struct ike_xchg *x,
			  const struct isakmp_msg *m)
{
	static struct isakmp_sa s;
	struct ike_qm *q = x->qm;
	const struct isakmp_pl *sap = isakmp_find(m, NP_SA, 0);
	const struct isakmp_pl *np = isakmp_find(m, NP_NONCE, 0);
	IKE_SA_DBG(sa, "processing HASH payload. message ID = %d", (int)x->mid);
	if (!ike_p2_hash_check(sa, m, q->ni, q->ni_len)) {
		ike_stats.hash_fails++;
		ike_stats.in_drop++;
		x->have_rx = false;
		IKE_SA_DBG(sa, "Hash payload mismatch; dropping");
		return;
	}
	struct p2_attrs a;
	struct sa_selector sel;
	const struct qm_prop *p;
	if (!sap || !np || pl_blen(np) < 8 || pl_blen(np) > IKE_NONCE_MAX ||
	    isakmp_parse_sa(pl_body(sap), pl_blen(sap), &s) ||
	    !(p = check_choice(sa, q, &s, &a)) || !pfs_take(q, m) ||
	    (isakmp_find(m, NP_ID, 0) &&
	     (!ids_to_sel(sa, m, true, &sel) || !sel_eq(&sel, &q->sel)))) {
		char b[16];
		log_ios("CRYPTO-6-IKMP_MODE_FAILURE", "Processing of Quick mode "
			"failed with peer at %s", ip_fmt(sa->d.peer, b));
		ike_stats.out_p2_invalid++;
		ike_xchg_free(x);
		return;
	}
	memcpy(q->nr, pl_body(np), pl_blen(np));
	q->nr_len = pl_blen(np);
	q->chosen = *p;
	q->peer_commit = m->h.flags & ISAKMP_FLAG_COMMIT;
	take_resp_life(sa, q, m);
	uint8_t gqm[IKE_DH_MAX];
	size_t glen;
	bool ok = pfs_secret(q, gqm, &glen);
	/* message 3, then the SAs */
	struct isakmp_out *o = &(struct isakmp_out){0};
	isakmp_out_init(o, sa->d.icky, sa->d.rcky, EXCH_QUICK, 0, x->mid);
	size_t h = isakmp_out_begin(o, NP_HASH);
	uint8_t h3[IKE_HASH_MAX];
	ok = ok && hash3(sa, q, x->mid, h3);
	isakmp_out_put(o, h3, sa->d.prf_len);
	isakmp_out_end(o, h);
	isakmp_out_finish(o);
	ok = ok && install(sa, q, gqm, glen);
	OPENSSL_cleanse(gqm, sizeof gqm);
	if (!ok) {
		ike_stats.out_p2_invalid++;
		ike_xchg_free(x);
		return;
	}
	IKE_SA_DBG(sa, "sending packet to %s my_port %u peer_port %u (I) QM_IDLE",
		   ip_fmt(sa->d.peer, (char[16]){0}), sa->d.local_port,
		   sa->d.peer_port);
	ike_xchg_send(x, o, false);
	/* kept: a responder that missed QM3 repeats QM2 and gets it again */
	ike_keep_tx(&x->tx, &x->tx_len, o->b, o->len);
	IKE_SA_DBG(sa, "Node %d, Input = IKE_MESG_FROM_PEER, IKE_QM_EXCH",
		   (int)x->mid);
	IKE_SA_DBG(sa, "Old State = IKE_QM_I_QM1  New State = "
		   "IKE_QM_PHASE2_COMPLETE");
	q->step = QM_DONE;
	ike_xchg_finish(x);
}

void ike_qm_input(struct ike_sa *sa, struct ike_xchg *x,
		  const struct isakmp_msg *m, const uint8_t *msg, size_t len)
{
	(void)msg;
	(void)len;
	ike_dpd_alive(sa);
	if (x->done) {
		ike_stats.in_drop++;
		return;
	}
	if (!x->qm) {
		if (x->initiator) {
			ike_xchg_free(x);
			return;
		}
		responder_qm1(sa, x, m);
		return;
	}
	switch (x->qm->step) {
	case QM_I_WAIT2: initiator_qm2(sa, x, m); break;
	case QM_R_WAIT3: responder_qm3(sa, x, m); break;
	case QM_DONE: ike_stats.in_drop++; break;
	}
}

/* ---- what other parts ask ---------------------------------------------------------------------------------- */

struct count_ctx {
	unsigned n;
	uint64_t in, out;
};

/* The SAs with PEER (and LOCAL, unless 0): through the peer's chain, so
 * a DPD check or a takeover costs that peer's SAs, not the whole SADB. */
static struct count_ctx count(uint32_t local, uint32_t peer)
{
	struct count_ctx c = {0, 0, 0};
	for (const struct ipsec_sa *sa = sadb_peer_first(peer); sa;
	     sa = sa->next_peer) {
		if (local && sa->d.local != local)
			continue;
		c.n++;
		if (sa->d.inbound)
			c.in += sa->st.pkts;
		else
			c.out += sa->st.pkts;
	}
	return c;
}

unsigned ike_qm_sa_count(const struct ike_sa *sa)
{
	return count(sa->d.local, sa->d.peer).n;
}

uint64_t ike_qm_in_pkts(uint32_t peer)
{
	return count(0, peer).in;
}

void ike_qm_pkts(uint32_t peer, uint64_t *in, uint64_t *out)
{
	struct count_ctx c = count(0, peer);
	*in = c.in;
	*out = c.out;
}

struct del_ctx {
	uint32_t local, peer, keep;
	double before;
	uint32_t bundles[64];
	int n;
};

static void del_fn(struct ipsec_sa *sa, void *ctx)
{
	struct del_ctx *c = ctx;
	if (sa->d.peer != c->peer || sa->d.local != c->local ||
	    sa->d.bundle == c->keep || c->n == 64 ||
	    (c->before > 0 && sa->d.created >= c->before))
		return;
	for (int i = 0; i < c->n; i++)
		if (c->bundles[i] == sa->d.bundle)
			return;
	c->bundles[c->n++] = sa->d.bundle;
}

void ike_qm_delete_peer(uint32_t local, uint32_t peer, uint32_t keep,
			double before, enum sadb_reason why)
{
	for (;;) {
		struct del_ctx c = {local, peer, keep, before, {0}, 0};
		for (struct ipsec_sa *sa = sadb_peer_first(peer); sa;
		     sa = sa->next_peer)
			del_fn(sa, &c);
		if (!c.n)
			return;
		for (int i = 0; i < c.n; i++)
			sadb_delete_bundle(c.bundles[i], why);
	}
}

/* ---- lifecycle ------------------------------------------------------------------------------------------------ */

void ike_qm_reset(void)
{
	while (waiting) {
		struct qm_wait *w = waiting;
		waiting = w->next;
		free(w);
	}
	nwaiting = 0;
	ev_timer_stop(core_loop, &deferred_timer);
	while (drains)
		drain_free(drains);
}

void ike_qm_init(void)
{
	sadb_set_acquire(acquire);
	sadb_set_soft_expire(soft_expire);
	ev_timer_init(&deferred_timer, deferred_cb, QM_RESPONDER_DEFER, 0);
}
