/* Informational exchanges (RFC 2408 §4.8, RFC 2409 §5.7): Notify and
 * Delete payloads both ways, dead peer detection (RFC 3706) as
 * "crypto isakmp keepalive S [R] [periodic|on-demand]" configures it, the
 * Delete that tells the peer an IPsec SA is gone, and NAT keepalives
 * (RFC 3948 §2.3, "crypto isakmp nat keepalive S"). */
#include "ike.h"
#include "../platform/platform.h"

#include <string.h>

/* A peer that leaves this many R-U-THEREs unanswered is dead: the first
 * and five retries, as IOS does. */
#define DPD_TRIES 6

static ev_timer natk;

/* ---- sending ------------------------------------------------------------------ */

static void put_spi(uint8_t *b, uint32_t v)
{
	b[0] = (uint8_t)(v >> 24); b[1] = (uint8_t)(v >> 16);
	b[2] = (uint8_t)(v >> 8); b[3] = (uint8_t)v;
}

/* One protected Informational: HASH(1), then what FILL puts after it. */
static int send_info(struct ike_sa *sa, void (*fill)(struct isakmp_out *o,
						     const void *ctx),
		     const void *ctx)
{
	if (sa->d.state != IKE_QM_IDLE || sa->dead)
		return -1;
	uint32_t mid = ike_new_mid(sa);
	struct ike_xchg *x = ike_xchg_new(sa, mid, EXCH_INFO, true);
	struct isakmp_out *o = &(struct isakmp_out){0};
	isakmp_out_init(o, sa->d.icky, sa->d.rcky, EXCH_INFO, 0, mid);
	size_t h = isakmp_out_begin(o, NP_HASH);
	isakmp_out_put(o, (uint8_t[IKE_HASH_MAX]){0}, sa->d.prf_len);
	isakmp_out_end(o, h);
	fill(o, ctx);
	isakmp_out_finish(o);
	int r = -1;
	if (ike_p2_hash_fill(sa, o, h, mid, NULL, 0))
		r = ike_xchg_send(x, o, false);
	ike_xchg_free(x);
	return r;
}

struct notify_args {
	uint8_t proto;
	const uint8_t *spi;
	size_t spi_len;
	uint16_t type;
	const void *data;
	size_t dlen;
};

static void fill_notify(struct isakmp_out *o, const void *ctx)
{
	const struct notify_args *n = ctx;
	size_t s = isakmp_out_begin(o, NP_N);
	isakmp_out_u32(o, IPSEC_DOI);
	isakmp_out_u8(o, n->proto);
	isakmp_out_u8(o, (uint8_t)n->spi_len);
	isakmp_out_u16(o, n->type);
	isakmp_out_put(o, n->spi, n->spi_len);
	isakmp_out_put(o, n->data, n->dlen);
	isakmp_out_end(o, s);
}

int ike_info_send_notify(struct ike_sa *sa, uint8_t proto, const uint8_t *spi,
			 size_t spi_len, uint16_t type, const void *data,
			 size_t dlen)
{
	struct notify_args n = {proto, spi, spi_len, type, data, dlen};
	IKE_SA_DBG(sa, "sending NOTIFY %s protocol %u", isakmp_notify_name(type),
		   proto);
	ike_stats.out_notifys++;
	return send_info(sa, fill_notify, &n);
}

struct delete_args {
	uint8_t proto;
	const uint8_t *spis;
	size_t spi_size;
	unsigned n;
};

static void fill_delete(struct isakmp_out *o, const void *ctx)
{
	const struct delete_args *d = ctx;
	size_t s = isakmp_out_begin(o, NP_D);
	isakmp_out_u32(o, IPSEC_DOI);
	isakmp_out_u8(o, d->proto);
	isakmp_out_u8(o, (uint8_t)d->spi_size);
	isakmp_out_u16(o, (uint16_t)d->n);
	isakmp_out_put(o, d->spis, d->spi_size * d->n);
	isakmp_out_end(o, s);
}

int ike_info_send_delete(struct ike_sa *sa, uint8_t proto, const uint8_t *spis,
			 size_t spi_size, unsigned n)
{
	struct delete_args d = {proto, spis, spi_size, n};
	IKE_SA_DBG(sa, "sending DELETE protocol %u", proto);
	if (proto != PROTO_ISAKMP)
		ike_stats.out_p2_delete++;
	return send_info(sa, fill_delete, &d);
}

int ike_info_send_clear_notify(const struct isakmp_hdr *h, uint32_t local,
			       uint32_t peer, uint16_t sport, uint16_t dport,
			       uint16_t type)
{
	struct isakmp_out *o = &(struct isakmp_out){0};
	uint32_t mid;
	ike_random(&mid, sizeof mid);
	isakmp_out_init(o, h->icky, h->rcky, EXCH_INFO, 0, mid);
	size_t s = isakmp_out_begin(o, NP_N);
	isakmp_out_u32(o, IPSEC_DOI);
	isakmp_out_u8(o, PROTO_ISAKMP);
	isakmp_out_u8(o, 0);
	isakmp_out_u16(o, type);
	isakmp_out_end(o, s);
	isakmp_out_finish(o);
	ike_stats.out_notifys++;
	ike_stats.out_pkts++;
	ike_stats.out_octets += o->len;
	return udp_send(local, peer, sport, dport, o->b, o->len, NULL);
}

/* ---- DPD (RFC 3706) ----------------------------------------------------------- */

static void dpd_cb(struct ev_loop *loop, ev_timer *w, int revents);

static void dpd_arm(struct ike_sa *sa, double secs)
{
	ev_timer_stop(core_loop, &sa->dpd);
	ev_timer_set(&sa->dpd, secs, 0);
	ev_timer_start(core_loop, &sa->dpd);
}

void ike_dpd_start(struct ike_sa *sa)
{
	unsigned secs;
	ev_init(&sa->dpd, dpd_cb);
	sa->dpd.data = sa;
	ike_qm_pkts(sa->d.peer, &sa->last_in_pkts, &sa->last_out_pkts);
	if (crypto_isakmp_keepalive(&secs, NULL, NULL) && sa->d.peer_dpd)
		dpd_arm(sa, secs);
}

void ike_dpd_alive(struct ike_sa *sa)
{
	sa->last_rx = core_uptime();
	if (sa->dpd_waiting) {
		unsigned secs;
		sa->dpd_waiting = false;
		sa->dpd_missed = 0;
		if (crypto_isakmp_keepalive(&secs, NULL, NULL))
			dpd_arm(sa, secs);
	}
}

static void send_r_u_there(struct ike_sa *sa)
{
	uint8_t spi[16], seq[4];
	memcpy(spi, sa->d.icky, 8);
	memcpy(spi + 8, sa->d.rcky, 8);
	if (!sa->d.dpd_seq_out)
		ike_random(&sa->d.dpd_seq_out, sizeof sa->d.dpd_seq_out);
	sa->d.dpd_seq_out++;
	put_spi(seq, sa->d.dpd_seq_out);
	IKE_SA_DBG(sa, "DPD/R_U_THERE sequence %u sent to %s", sa->d.dpd_seq_out,
		   ip_fmt(sa->d.peer, (char[16]){0}));
	ike_stats.dpd_sent++;
	ike_info_send_notify(sa, PROTO_ISAKMP, spi, 16, N_R_U_THERE, seq, 4);
	ike_sa_changed(sa, IKE_HA_UPDATE);
}

static void peer_dead(struct ike_sa *sa)
{
	char b[16];
	IKE_SA_DBG(sa, "DPD/R_U_THERE DPD retries exhausted: peer %s is dead",
		   ip_fmt(sa->d.peer, b));
	ike_qm_delete_peer(sa->d.local, sa->d.peer, 0, 0,
			   SADB_DEL_DEAD_PEER);
	/* every IKE SA with it goes, this one last */
	for (struct ike_sa *o; (o = ike_sa_find_peer(sa->d.local, sa->d.peer)) &&
			       o != sa;)
		ike_sa_delete(o, false, "DPD: peer is dead");
	ike_sa_delete(sa, false, "DPD: peer is dead");
}

/* Every S seconds: quiet inbound (and, on-demand, traffic going out) asks
 * the peer; then every R seconds until it answers or is declared dead. */
static void dpd_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct ike_sa *sa = w->data;
	unsigned secs, retry;
	bool periodic;
	if (!crypto_isakmp_keepalive(&secs, &retry, &periodic) || sa->dead)
		return;
	if (sa->dpd_waiting) {
		if (++sa->dpd_missed >= DPD_TRIES) {
			peer_dead(sa);
			return;
		}
		send_r_u_there(sa);
		dpd_arm(sa, retry);
		return;
	}
	uint64_t in, out;
	ike_qm_pkts(sa->d.peer, &in, &out);
	bool heard = in != sa->last_in_pkts ||
		     core_uptime() - sa->last_rx < secs - 0.5;
	bool sending = out != sa->last_out_pkts;
	sa->last_in_pkts = in;
	sa->last_out_pkts = out;
	if (heard || (!periodic && !sending)) {
		dpd_arm(sa, secs);
		return;
	}
	sa->dpd_waiting = true;
	sa->dpd_missed = 0;
	send_r_u_there(sa);
	dpd_arm(sa, retry);
}

/* ---- NAT keepalives ------------------------------------------------------------ */

void ike_natt_keepalive_rx(void)
{
	ike_stats.keepalives_in++;
}

static void natk_one(struct ike_sa *sa, void *ctx)
{
	static const uint8_t ka = 0xff;
	if (sa->dead || sa->d.state != IKE_QM_IDLE ||
	    !(sa->d.natt & NATT_FLOATED) || !(sa->d.natt & NATT_LOCAL_NAT))
		return;
	ike_stats.keepalives_out++;
	udp_send(sa->d.local, sa->d.peer, ISAKMP_NATT_PORT, sa->d.peer_port, &ka,
		 1, NULL);
}

/* Only the side behind a NAT keeps the mapping open. */
static void natk_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	unsigned secs = crypto_isakmp_nat_keepalive();
	if (secs)
		ike_sa_foreach(natk_one, NULL);
	ev_timer_set(w, secs ? secs : 5.0, 0);
	ev_timer_start(core_loop, w);
}

/* ---- receiving -------------------------------------------------------------------- */

static uint32_t get_spi(const uint8_t *b)
{
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 |
	       b[3];
}

static bool cookies_are(const struct ike_sa *sa, const uint8_t *spi)
{
	return !memcmp(spi, sa->d.icky, 8) && !memcmp(spi + 8, sa->d.rcky, 8);
}

static void dpd_notify(struct ike_sa *sa, const struct isakmp_notify_pl *n)
{
	if (n->spi_size != 16 || !cookies_are(sa, n->spi) || n->data_len != 4) {
		ike_stats.in_drop++;
		return;
	}
	uint32_t seq = get_spi(n->data);
	if (n->type == N_R_U_THERE) {
		IKE_SA_DBG(sa, "received DPD/R_U_THERE from %s, sequence %u",
			   ip_fmt(sa->d.peer, (char[16]){0}), seq);
		sa->d.dpd_seq_in = seq;
		ike_sa_changed(sa, IKE_HA_UPDATE);
		uint8_t spi[16];
		memcpy(spi, sa->d.icky, 8);
		memcpy(spi + 8, sa->d.rcky, 8);
		ike_info_send_notify(sa, PROTO_ISAKMP, spi, 16, N_R_U_THERE_ACK,
				     n->data, 4);
		return;
	}
	if (seq != sa->d.dpd_seq_out) {
		IKE_SA_DBG(sa, "DPD/R_U_THERE_ACK with unexpected sequence %u",
			   seq);
		ike_stats.in_drop++;
		return;
	}
	IKE_SA_DBG(sa, "DPD/R_U_THERE_ACK from %s, sequence %u",
		   ip_fmt(sa->d.peer, (char[16]){0}), seq);
	ike_stats.dpd_acked++;
	ike_dpd_alive(sa);
}

/* Returns false when SA itself was deleted. */
static bool take_notify(struct ike_sa *sa, const struct isakmp_msg *m,
			const struct isakmp_pl *pl)
{
	struct isakmp_notify_pl n;
	if (isakmp_parse_notify(pl_body(pl), pl_blen(pl), &n)) {
		ike_stats.malformed++;
		return true;
	}
	ike_stats.in_notifys++;
	IKE_SA_DBG(sa, "processing NOTIFY %s protocol %u",
		   isakmp_notify_name(n.type), n.proto);
	switch (n.type) {
	case N_R_U_THERE:
	case N_R_U_THERE_ACK:
		dpd_notify(sa, &n);
		return true;
	case N_CONNECTED: {
		struct ike_xchg *x = ike_xchg_find(sa, m->h.mid);
		if (x)
			ike_qm_connected(x);
		return true;
	}
	case N_INITIAL_CONTACT:
		ike_sa_initial_contact(sa);
		return true;
	default:
		if (n.type < 16384)
			ike_stats.in_p2_reject++;
		return true;
	}
}

struct out_find {
	uint32_t peer, spi;
	uint8_t proto;
	uint32_t bundle;
};

static void out_find_fn(struct ipsec_sa *sa, void *ctx)
{
	struct out_find *f = ctx;
	if (!sa->d.inbound && sa->d.peer == f->peer && sa->d.spi == f->spi &&
	    sa->d.proto == f->proto)
		f->bundle = sa->d.bundle;
}

/* A Delete names the peer's inbound SAs, our outbound ones; the bundle
 * goes whole. Returns false when SA itself was deleted. */
static bool take_delete(struct ike_sa *sa, const struct isakmp_pl *pl)
{
	struct isakmp_delete_pl d;
	if (isakmp_parse_delete(pl_body(pl), pl_blen(pl), &d)) {
		ike_stats.malformed++;
		return true;
	}
	IKE_SA_DBG(sa, "processing DELETE payload. protocol %u, %u SPIs",
		   d.proto, d.nspi);
	if (d.proto == PROTO_ISAKMP && d.spi_size == 16) {
		for (unsigned i = 0; i < d.nspi; i++) {
			const uint8_t *c = d.spis + 16 * i;
			struct ike_sa *t = ike_sa_find(c, c + 8);
			if (!t || t->d.peer != sa->d.peer)
				continue;
			bool self = t == sa;
			ike_sa_delete(t, false, "Receive delete");
			if (self)
				return false;
		}
		return true;
	}
	if ((d.proto != PROTO_ESP && d.proto != PROTO_AH) || d.spi_size != 4)
		return true;
	for (unsigned i = 0; i < d.nspi; i++) {
		struct out_find f = {sa->d.peer, get_spi(d.spis + 4 * i),
				     d.proto == PROTO_ESP ? 50 : 51, 0};
		sadb_foreach(out_find_fn, &f);
		if (f.bundle) {
			ike_stats.in_p2_delete++;
			sadb_delete_bundle(f.bundle, SADB_DEL_PEER);
		}
	}
	return true;
}

/* An unprotected notify during phase 1: the peer refusing our offer. */
static void clear_input(struct ike_sa *sa, const uint8_t *msg, size_t len)
{
	struct isakmp_msg m;
	isakmp_parse_hdr(msg, len, &m.h);
	if (isakmp_parse_chain(m.h.np, msg + ISAKMP_HDR_LEN,
			       len - ISAKMP_HDR_LEN, false, &m)) {
		ike_stats.malformed++;
		ike_stats.in_drop++;
		return;
	}
	const struct isakmp_pl *pl = isakmp_find(&m, NP_N, 0);
	struct isakmp_notify_pl n;
	if (!pl || isakmp_parse_notify(pl_body(pl), pl_blen(pl), &n)) {
		ike_stats.in_drop++;
		return;
	}
	ike_stats.in_notifys++;
	IKE_SA_DBG(sa, "processing NOTIFY %s protocol %u",
		   isakmp_notify_name(n.type), n.proto);
	if (sa->d.initiator && n.type == N_NO_PROPOSAL_CHOSEN &&
	    sa->d.state == IKE_MM_NO_STATE) {
		char b[16];
		log_ios("CRYPTO-6-IKMP_MODE_FAILURE", "Processing of Main mode "
			"failed with peer at %s", ip_fmt(sa->d.peer, b));
		ike_stats.init_fails++;
		ike_sa_fail(sa, "Peer refused the offered policies");
	}
}

void ike_info_input(struct ike_sa *sa, const struct isakmp_msg *m,
		    const uint8_t *msg, size_t len)
{
	if (!m) {
		clear_input(sa, msg, len);
		return;
	}
	if (!ike_p2_hash_check(sa, m, NULL, 0)) {
		ike_stats.hash_fails++;
		ike_stats.in_drop++;
		IKE_SA_DBG(sa, "Informational exchange with a bad HASH(1); "
			   "dropping");
		return;
	}
	for (int i = 1; i < m->npl; i++) {
		const struct isakmp_pl *pl = &m->pl[i];
		bool alive = true;
		if (pl->type == NP_N)
			alive = take_notify(sa, m, pl);
		else if (pl->type == NP_D)
			alive = take_delete(sa, pl);
		if (!alive)
			return;
	}
	/* an authenticated message: the peer is alive (after the payloads,
	 * so an ACK is matched against the R-U-THERE it answers) */
	ike_dpd_alive(sa);
}

/* ---- telling the peer what the SADB dropped ---------------------------------------- */

static void on_sa_event(enum core_event ev, void *data, void *ctx)
{
	const struct sadb_event *e = data;
	const struct ipsec_sa *s = e->sa;
	if (e->kind != SADB_EV_DEL || !s->d.inbound ||
	    s->d.status != SA_STATUS_ACTIVE || e->why == SADB_DEL_PEER ||
	    e->why == SADB_DEL_DEAD_PEER)
		return;
	struct ike_sa *sa = ike_sa_find_peer(s->d.local, s->d.peer);
	if (!sa)
		return;
	uint8_t spi[4];
	put_spi(spi, s->d.spi);
	ike_info_send_delete(sa, s->d.proto == 50 ? PROTO_ESP : PROTO_AH, spi, 4,
			     1);
}

/* The keepalive clock runs from the start, reloads included. */
void ike_info_reset(void)
{
	ev_timer_stop(core_loop, &natk);
	ev_timer_set(&natk, 5.0, 0);
	ev_timer_start(core_loop, &natk);
}

void ike_info_init(void)
{
	core_subscribe(EVT_IPSEC_SA, on_sa_event, NULL);
	ev_timer_init(&natk, natk_cb, 5.0, 0);
	ev_timer_start(core_loop, &natk);
}
