/* Main Mode (RFC 2409 §5, identity protection) with pre-shared keys, both
 * roles, as six messages:
 *
 *   1 I->R  SA, VID...               policy offered (every pre-share policy)
 *   2 R->I  SA, VID...               the one chosen         -> MM_SA_SETUP
 *   3 I->R  KE, Ni, NAT-D, NAT-D
 *   4 R->I  KE, Nr, NAT-D, NAT-D     keys derived           -> MM_KEY_EXCH
 *   5 I->R  *IDii, HASH_I [, N(INITIAL-CONTACT)]   (UDP 4500 once NAT seen)
 *   6 R->I  *IDir, HASH_R            authenticated          -> QM_IDLE
 *
 * Each side keeps its last message and a digest of the last one it took:
 * a duplicate is answered with the kept message, and the kept message is
 * retransmitted every 10 seconds, 5 times, before the SA is given up
 * ("Death by retransmission P1"), as IOS does. */
#include "ike.h"
#include "../platform/platform.h"

#include <openssl/crypto.h>
#include <stdio.h>
#include <string.h>

#define P1_RETX_SECS   10.0
#define P1_RETRIES     5
#define P1_LINGER_SECS 30.0
#define KEY_IKE        1            /* the transform id of phase 1 */
/* Every IOS policy is checked after the configured ones against the
 * default suite, which IOS numbers 65535. */
#define DEFAULT_SUITE_PRIORITY 65535u

/* Vendor IDs (strongSwan's list agrees) */
static const uint8_t vid_rfc3947[16] = {
	0x4a, 0x13, 0x1c, 0x81, 0x07, 0x03, 0x58, 0x45,
	0x5c, 0x57, 0x28, 0xf2, 0x0e, 0x95, 0x45, 0x2f};
static const uint8_t vid_draft03[16] = {
	0x7d, 0x94, 0x19, 0xa6, 0x53, 0x10, 0xca, 0x6f,
	0x2c, 0x17, 0x9d, 0x92, 0x15, 0x52, 0x9d, 0x56};
static const uint8_t vid_draft02[16] = {
	0xcd, 0x60, 0x46, 0x43, 0x35, 0xdf, 0x21, 0xf8,
	0x7c, 0xfd, 0xb2, 0xfc, 0x68, 0xb6, 0xa4, 0x48};
static const uint8_t vid_draft02n[16] = {          /* "...-02\n" */
	0x90, 0xcb, 0x80, 0x91, 0x3e, 0xbb, 0x69, 0x6e,
	0x08, 0x63, 0x81, 0xb5, 0xec, 0x42, 0x7b, 0x1f};
static const uint8_t vid_dpd[16] = {               /* RFC 3706 1.0 */
	0xaf, 0xca, 0xd7, 0x13, 0x68, 0xa1, 0xf1, 0xc9,
	0x6b, 0x86, 0x96, 0xfc, 0x77, 0x57, 0x01, 0x00};

enum mm_step {
	MM_I_WAIT2, MM_I_WAIT4, MM_I_WAIT6,
	MM_R_WAIT1, MM_R_WAIT3, MM_R_WAIT5,
	MM_DONE,
};

struct suite {
	enum ike_encr encr;
	unsigned bits;
	enum ike_hash hash;
	enum ike_auth auth;
	unsigned group;
	uint32_t life;              /* 0: not proposed */
	unsigned priority;
};

struct ike_p1 {
	struct ike_sa *sa;
	enum mm_step step;
	EVP_PKEY *dh;
	uint8_t gxi[IKE_DH_MAX], gxr[IKE_DH_MAX];
	size_t glen;
	uint8_t ni[IKE_NONCE_MAX], nr[IKE_NONCE_MAX];
	size_t ni_len, nr_len;
	uint8_t *sai_b;             /* the initiator's SA payload body */
	size_t sai_len;
	uint8_t skeyid[IKE_HASH_MAX];
	char psk[IKE_PSK_MAX + 1];
	size_t psk_len;
	bool peer_natt_rfc, peer_natt_draft;
	/* retransmission */
	uint8_t *tx;
	size_t tx_len;
	uint8_t rx_digest[20];
	bool have_rx;
	unsigned retries;
	ev_timer t;
};

static void p1_timer_cb(struct ev_loop *loop, ev_timer *w, int revents);

bool ike_p1_is_done(const struct ike_p1 *p1)
{
	return p1 && p1->step == MM_DONE;
}

void ike_p1_free(struct ike_p1 *p1)
{
	if (!p1)
		return;
	ev_timer_stop(core_loop, &p1->t);
	ike_dh_free(p1->dh);
	free(p1->sai_b);
	free(p1->tx);
	OPENSSL_cleanse(p1, sizeof *p1);
	free(p1);
}

static struct ike_p1 *p1_new(struct ike_sa *sa, enum mm_step step)
{
	struct ike_p1 *p = xcalloc(1, sizeof *p);
	p->sa = sa;
	p->step = step;
	ev_init(&p->t, p1_timer_cb);
	p->t.data = p;
	sa->p1 = p;
	return p;
}

static const char *step_name(enum mm_step s, bool after)
{
	switch (s) {
	case MM_I_WAIT2: return after ? "IKE_I_MM2" : "IKE_I_MM1";
	case MM_I_WAIT4: return after ? "IKE_I_MM4" : "IKE_I_MM3";
	case MM_I_WAIT6: return after ? "IKE_I_MM6" : "IKE_I_MM5";
	case MM_R_WAIT1: return after ? "IKE_R_MM1" : "IKE_READY";
	case MM_R_WAIT3: return after ? "IKE_R_MM3" : "IKE_R_MM2";
	case MM_R_WAIT5: return after ? "IKE_R_MM5" : "IKE_R_MM4";
	case MM_DONE: break;
	}
	return "IKE_P1_COMPLETE";
}

static void debug_step(const struct ike_sa *sa, enum mm_step from,
		       const char *to)
{
	IKE_SA_DBG(sa, "Input = IKE_MESG_FROM_PEER, IKE_MM_EXCH");
	IKE_SA_DBG(sa, "Old State = %s  New State = %s", step_name(from, false),
		   to);
}

/* Send and keep the message for retransmission. */
static void p1_send(struct ike_p1 *p, const struct isakmp_out *o)
{
	struct ike_sa *sa = p->sa;
	ike_keep_tx(&p->tx, &p->tx_len, o->b, o->len);
	p->retries = 0;
	IKE_SA_DBG(sa, "sending packet to %s my_port %u peer_port %u (%s) %s",
		   ip_fmt(sa->d.peer, (char[16]){0}), sa->d.local_port,
		   sa->d.peer_port, sa->d.initiator ? "I" : "R",
		   ike_state_name(sa->d.state));
	ike_send_raw(sa, o->b, o->len);
	ev_timer_stop(core_loop, &p->t);
	ev_timer_set(&p->t, P1_RETX_SECS, 0);
	ev_timer_start(core_loop, &p->t);
}

bool ike_p1_retransmit(struct ike_sa *sa)
{
	struct ike_p1 *p = sa->p1;
	if (!p || !p->tx || p->retries >= P1_RETRIES)
		return false;
	p->retries++;
	IKE_SA_DBG(sa, "retransmitting phase 1 %s...", ike_state_name(sa->d.state));
	IKE_SA_DBG(sa, "incrementing error counter on sa, attempt %u of %u: "
		   "retransmit phase 1", p->retries, P1_RETRIES);
	ike_stats.retransmits++;
	ike_send_raw(sa, p->tx, p->tx_len);
	return true;
}

static void p1_timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct ike_p1 *p = w->data;
	ike_p1_timeout(p->sa);
}

void ike_p1_timeout(struct ike_sa *sa)
{
	struct ike_p1 *p = sa->p1;
	if (!p)
		return;
	if (p->step == MM_DONE) {
		/* phase 1 is up and nothing asked for our last message again */
		sa->p1 = NULL;
		ike_p1_free(p);
		return;
	}
	if (ike_p1_retransmit(sa)) {
		ev_timer_set(&p->t, P1_RETX_SECS, 0);
		ev_timer_start(core_loop, &p->t);
		return;
	}
	ike_stats.timeouts++;
	if (sa->d.initiator)
		ike_stats.init_fails++;
	else
		ike_stats.resp_fails++;
	ike_sa_fail(sa, "Death by retransmission P1");
}

/* ---- suites: configuration <-> transforms --------------------------------------- */

static uint8_t encr_id(enum ike_encr e)
{
	return e == IKE_ENCR_3DES ? P1_ENCR_3DES : e == IKE_ENCR_AES ? P1_ENCR_AES
								    : P1_ENCR_DES;
}

static uint8_t hash_id(enum ike_hash h)
{
	switch (h) {
	case IKE_HASH_MD5: return P1_HASH_MD5;
	case IKE_HASH_SHA256: return P1_HASH_SHA256;
	case IKE_HASH_SHA384: return P1_HASH_SHA384;
	case IKE_HASH_SHA512: return P1_HASH_SHA512;
	case IKE_HASH_SHA: break;
	}
	return P1_HASH_SHA;
}

static struct suite policy_suite(const struct isakmp_policy *p)
{
	return (struct suite){p->encr, p->encr == IKE_ENCR_AES ? p->aes_bits : 0,
			      p->hash, p->auth, p->group, p->lifetime,
			      p->priority};
}

static struct suite default_suite(void)
{
	return (struct suite){IKE_ENCR_DES, 0, IKE_HASH_SHA, IKE_AUTH_RSA_SIG,
			      IKE_DEFAULT_GROUP, IKE_DEFAULT_LIFETIME,
			      DEFAULT_SUITE_PRIORITY};
}

static void put_transform(struct isakmp_out *o, uint8_t num, bool last,
			  const struct suite *s)
{
	size_t start = isakmp_out_nested(o, last ? NP_NONE : NP_T);
	isakmp_out_u8(o, num);
	isakmp_out_u8(o, KEY_IKE);
	isakmp_out_u16(o, 0);
	isakmp_out_attr(o, P1_ENCR, encr_id(s->encr));
	if (s->encr == IKE_ENCR_AES)
		isakmp_out_attr(o, P1_KEY_LEN, s->bits);
	isakmp_out_attr(o, P1_HASH, hash_id(s->hash));
	isakmp_out_attr(o, P1_GROUP, s->group);
	isakmp_out_attr(o, P1_AUTH, P1_AUTH_PSK);
	isakmp_out_attr(o, P1_LIFE_TYPE, LIFE_SECONDS);
	isakmp_out_attr(o, P1_LIFE_DUR, s->life);
	isakmp_out_end(o, start);
}

/* A transform's attributes as a suite; false when one is unusable. */
static bool xf_suite(const struct isakmp_xf *x, struct suite *s, bool dbg,
		     const struct ike_sa *sa)
{
	memset(s, 0, sizeof *s);
	s->hash = (enum ike_hash)-1;
	s->auth = (enum ike_auth)-1;
	bool ok = x->id == KEY_IKE, have_encr = false, life_secs = false;
	struct isakmp_attr_it it = {x->attrs, x->alen};
	struct isakmp_attr a;
	while (isakmp_attr_next(&it, &a) > 0) {
		switch (a.type) {
		case P1_ENCR:
			have_encr = true;
			if (a.val == P1_ENCR_DES)
				s->encr = IKE_ENCR_DES;
			else if (a.val == P1_ENCR_3DES)
				s->encr = IKE_ENCR_3DES;
			else if (a.val == P1_ENCR_AES)
				s->encr = IKE_ENCR_AES;
			else
				ok = false;
			if (dbg)
				IKE_DBG("ISAKMP:      encryption %s",
					a.val == P1_ENCR_DES ? "DES-CBC"
					: a.val == P1_ENCR_3DES ? "3DES-CBC"
					: a.val == P1_ENCR_AES ? "AES-CBC" : "UNKNOWN");
			break;
		case P1_KEY_LEN:
			s->bits = a.val;
			if (dbg)
				IKE_DBG("ISAKMP:      keylength of %u", a.val);
			break;
		case P1_HASH:
			switch (a.val) {
			case P1_HASH_MD5: s->hash = IKE_HASH_MD5; break;
			case P1_HASH_SHA: s->hash = IKE_HASH_SHA; break;
			case P1_HASH_SHA256: s->hash = IKE_HASH_SHA256; break;
			case P1_HASH_SHA384: s->hash = IKE_HASH_SHA384; break;
			case P1_HASH_SHA512: s->hash = IKE_HASH_SHA512; break;
			default: ok = false;
			}
			if (dbg)
				IKE_DBG("ISAKMP:      hash %s",
					a.val == P1_HASH_MD5 ? "MD5"
					: a.val == P1_HASH_SHA ? "SHA"
					: a.val == P1_HASH_SHA256 ? "SHA256"
					: a.val == P1_HASH_SHA384 ? "SHA384"
					: a.val == P1_HASH_SHA512 ? "SHA512" : "UNKNOWN");
			break;
		case P1_AUTH:
			if (a.val == P1_AUTH_PSK)
				s->auth = IKE_AUTH_PRESHARE;
			else if (a.val == P1_AUTH_RSA_SIG)
				s->auth = IKE_AUTH_RSA_SIG;
			else if (a.val == P1_AUTH_RSA_ENC)
				s->auth = IKE_AUTH_RSA_ENCR;
			else
				ok = false;   /* Xauth variants: not offered here */
			if (dbg)
				IKE_DBG("ISAKMP:      auth %s",
					a.val == P1_AUTH_PSK ? "pre-share"
					: a.val == P1_AUTH_RSA_SIG ? "RSA sig"
					: a.val == P1_AUTH_RSA_ENC ? "RSA encr"
					: "UNKNOWN");
			break;
		case P1_GROUP:
			s->group = a.val;
			if (dbg)
				IKE_DBG("ISAKMP:      default group %u", a.val);
			break;
		case P1_LIFE_TYPE:
			life_secs = a.val == LIFE_SECONDS;
			if (a.val != LIFE_SECONDS && a.val != LIFE_KILOBYTES)
				ok = false;
			if (dbg)
				IKE_DBG("ISAKMP:      life type in %s",
					a.val == LIFE_SECONDS ? "seconds"
							      : "kilobytes");
			break;
		case P1_LIFE_DUR:
			if (a.big)
				s->life = 0xffffffffu;
			else if (life_secs)
				s->life = a.val;
			if (dbg)
				IKE_DBG("ISAKMP:      life duration (VPI) of  "
					"0x%x 0x%x 0x%x 0x%x", a.val >> 24 & 0xff,
					a.val >> 16 & 0xff, a.val >> 8 & 0xff,
					a.val & 0xff);
			break;
		default:
			ok = false;          /* an attribute we cannot honour */
			break;
		}
	}
	(void)sa;
	if (!have_encr || (int)s->hash < 0 || (int)s->auth < 0 || !s->group)
		return false;
	if (s->encr == IKE_ENCR_AES) {
		if (!s->bits)
			s->bits = 128;
		if (s->bits != 128 && s->bits != 192 && s->bits != 256)
			return false;
	} else if (s->bits) {
		return false;
	}
	return ok;
}

/* IOS's rule: the same algorithms, and a lifetime no longer than the
 * policy's; the shorter (the peer's) is used. */
static bool suite_acceptable(const struct suite *peer, const struct suite *pol,
			     bool have_psk)
{
	return peer->encr == pol->encr && peer->bits == pol->bits &&
	       peer->hash == pol->hash && peer->auth == pol->auth &&
	       pol->auth == IKE_AUTH_PRESHARE && have_psk &&
	       peer->group == pol->group && ike_dh_supported(pol->group) &&
	       (!peer->life || peer->life <= pol->life);
}

static void adopt_suite(struct ike_sa *sa, const struct suite *s,
			const struct suite *pol)
{
	sa->d.encr = s->encr;
	sa->d.key_bits = s->encr == IKE_ENCR_AES ? s->bits
			 : s->encr == IKE_ENCR_3DES ? 168 : 56;
	sa->d.hash = s->hash;
	sa->d.auth = s->auth;
	sa->d.group = s->group;
	sa->d.lifetime = s->life ? s->life : pol->life;
	sa->d.policy = pol->priority;
	sa->d.prf_len = (uint8_t)ike_hash_len(s->hash);
	sa->d.iv_len = (uint8_t)ike_block_len(s->encr);
}

/* The pre-shared key for the peer; type 6 keys need the master key IOS
 * keeps in private NVRAM, which this router does not have. */
static bool find_psk(struct ike_p1 *p)
{
	const struct isakmp_key *k = crypto_isakmp_key_for(p->sa->d.peer);
	if (!k || k->enc_type != 0 || strlen(k->key) > IKE_PSK_MAX) {
		IKE_SA_DBG(p->sa, "No pre-shared key with %s!",
			   ip_fmt(p->sa->d.peer, (char[16]){0}));
		return false;
	}
	snprintf(p->psk, sizeof p->psk, "%s", k->key);
	p->psk_len = strlen(p->psk);
	IKE_SA_DBG(p->sa, "found peer pre-shared key matching %s",
		   ip_fmt(p->sa->d.peer, (char[16]){0}));
	return true;
}

/* ---- vendor IDs and NAT-D ---------------------------------------------------------- */

static void put_vids(struct isakmp_out *o, const struct ike_p1 *p, bool first)
{
	if (first) {
		isakmp_out_simple(o, NP_VID, vid_rfc3947, 16);
		isakmp_out_simple(o, NP_VID, vid_draft03, 16);
		isakmp_out_simple(o, NP_VID, vid_draft02n, 16);
		IKE_SA_DBG(p->sa, "constructed NAT-T vendor-rfc3947 ID");
		IKE_SA_DBG(p->sa, "constructed NAT-T vendor-03 ID");
		IKE_SA_DBG(p->sa, "constructed NAT-T vendor-02 ID");
	} else if (p->sa->d.natt & NATT_RFC) {
		isakmp_out_simple(o, NP_VID, vid_rfc3947, 16);
	} else if (p->sa->d.natt & NATT_DRAFT) {
		isakmp_out_simple(o, NP_VID, p->peer_natt_draft ? vid_draft02n
								 : vid_draft03, 16);
	}
	isakmp_out_simple(o, NP_VID, vid_dpd, 16);
}

static void take_vids(struct ike_p1 *p, const struct isakmp_msg *m)
{
	for (int i = 0; i < m->npl; i++) {
		const struct isakmp_pl *pl = &m->pl[i];
		if (pl->type != NP_VID || pl_blen(pl) != 16)
			continue;
		const uint8_t *v = pl_body(pl);
		if (!memcmp(v, vid_rfc3947, 16)) {
			p->peer_natt_rfc = true;
			IKE_SA_DBG(p->sa, "vendor ID is NAT-T RFC 3947");
		} else if (!memcmp(v, vid_draft02n, 16) ||
			   !memcmp(v, vid_draft02, 16) ||
			   !memcmp(v, vid_draft03, 16)) {
			p->peer_natt_draft = true;
			IKE_SA_DBG(p->sa, "vendor ID is NAT-T v%s",
				   !memcmp(v, vid_draft03, 16) ? "3" : "2");
		} else if (!memcmp(v, vid_dpd, 16)) {
			p->sa->d.peer_dpd = true;
			IKE_SA_DBG(p->sa, "vendor ID is DPD");
		} else {
			IKE_SA_DBG(p->sa, "processing vendor id payload");
		}
	}
}

static void natt_choose(struct ike_p1 *p)
{
	if (p->peer_natt_rfc)
		p->sa->d.natt |= NATT_RFC;
	else if (p->peer_natt_draft)
		p->sa->d.natt |= NATT_DRAFT;
}

static uint8_t natd_type(const struct ike_sa *sa)
{
	return sa->d.natt & NATT_RFC ? NP_NATD : NP_NATD_DRAFT;
}

/* HASH(CKY-I | CKY-R | IP | Port), RFC 3947 §3.2 */
static void natd_hash(const struct ike_sa *sa, uint32_t addr, uint16_t port,
		      uint8_t *out)
{
	uint8_t pb[2] = {(uint8_t)(port >> 8), (uint8_t)port};
	struct ike_iov v[4] = {{sa->d.icky, 8}, {sa->d.rcky, 8}, {&addr, 4},
			       {pb, 2}};
	ike_digest(sa->d.hash, v, 4, out);
}

/* The peer's address first, then ours (RFC 3947 §3.2). */
static void put_natd(struct isakmp_out *o, const struct ike_sa *sa)
{
	if (!(sa->d.natt & (NATT_RFC | NATT_DRAFT)))
		return;
	uint8_t h[IKE_HASH_MAX];
	size_t hl = ike_hash_len(sa->d.hash);
	natd_hash(sa, sa->d.peer, sa->d.peer_port, h);
	isakmp_out_simple(o, natd_type(sa), h, hl);
	natd_hash(sa, sa->d.local, sa->d.local_port, h);
	isakmp_out_simple(o, natd_type(sa), h, hl);
}

static void take_natd(struct ike_sa *sa, const struct isakmp_msg *m,
		      const struct ip_rx *rx)
{
	if (!(sa->d.natt & (NATT_RFC | NATT_DRAFT)))
		return;
	uint8_t type = natd_type(sa), h[IKE_HASH_MAX];
	size_t hl = ike_hash_len(sa->d.hash);
	const struct isakmp_pl *first = isakmp_find(m, type, 0);
	if (!first)
		return;                 /* a peer that announced NAT-T but sends none */
	natd_hash(sa, rx->dst, rx->dport, h);
	if (pl_blen(first) != hl || memcmp(pl_body(first), h, hl)) {
		sa->d.natt |= NATT_LOCAL_NAT;
		IKE_SA_DBG(sa, "NAT found, the node inside NAT");
	}
	natd_hash(sa, rx->src, rx->sport, h);
	bool peer_ok = false;
	for (int i = 1; isakmp_find(m, type, i); i++) {
		const struct isakmp_pl *pl = isakmp_find(m, type, i);
		peer_ok |= pl_blen(pl) == hl && !memcmp(pl_body(pl), h, hl);
	}
	if (!peer_ok) {
		sa->d.natt |= NATT_PEER_NAT;
		IKE_SA_DBG(sa, "NAT found, the peer is inside NAT");
	}
	if (!(sa->d.natt & (NATT_LOCAL_NAT | NATT_PEER_NAT)))
		IKE_SA_DBG(sa, "No NAT Found for self or peer");
}

/* ---- keys (RFC 2409 §5, appendix B) -------------------------------------------------- */

static bool derive_keys(struct ike_p1 *p, const uint8_t *gxy)
{
	struct ike_sa *sa = p->sa;
	enum ike_hash h = sa->d.hash;
	size_t hl = sa->d.prf_len, gl = p->glen;
	uint8_t n0 = 0, n1 = 1, n2 = 2;
	struct ike_iov nonces[2] = {{p->ni, p->ni_len}, {p->nr, p->nr_len}};
	if (!ike_prf(h, p->psk, p->psk_len, nonces, 2, p->skeyid))
		return false;
	struct ike_iov vd[4] = {{gxy, gl}, {sa->d.icky, 8}, {sa->d.rcky, 8}, {&n0, 1}};
	struct ike_iov va[5] = {{sa->d.skeyid_d, hl}, {gxy, gl}, {sa->d.icky, 8},
				{sa->d.rcky, 8}, {&n1, 1}};
	struct ike_iov ve[5] = {{sa->d.skeyid_a, hl}, {gxy, gl}, {sa->d.icky, 8},
				{sa->d.rcky, 8}, {&n2, 1}};
	if (!ike_prf(h, p->skeyid, hl, vd, 4, sa->d.skeyid_d) ||
	    !ike_prf(h, p->skeyid, hl, va, 5, sa->d.skeyid_a) ||
	    !ike_prf(h, p->skeyid, hl, ve, 5, sa->d.skeyid_e))
		return false;
	/* the cipher key: SKEYID_e, expanded when it is too short */
	size_t kl = ike_key_len(sa->d.encr, sa->d.key_bits);
	if (kl <= hl) {
		memcpy(sa->d.enc_key, sa->d.skeyid_e, kl);
	} else {
		uint8_t k[IKE_HASH_MAX * 2];
		struct ike_iov zero = {&n0, 1};
		if (!ike_prf(h, sa->d.skeyid_e, hl, &zero, 1, k))
			return false;
		for (size_t got = hl; got < kl; got += hl) {
			struct ike_iov prev = {k + got - hl, hl};
			if (!ike_prf(h, sa->d.skeyid_e, hl, &prev, 1, k + got))
				return false;
		}
		memcpy(sa->d.enc_key, k, kl);
		OPENSSL_cleanse(k, sizeof k);
	}
	sa->d.enc_key_len = (uint8_t)kl;
	/* the first IV: hash(g^xi | g^xr) */
	uint8_t iv[IKE_HASH_MAX];
	struct ike_iov vi[2] = {{p->gxi, gl}, {p->gxr, gl}};
	if (!ike_digest(h, vi, 2, iv))
		return false;
	memcpy(sa->d.iv, iv, sa->d.iv_len);
	return true;
}

/* HASH_I / HASH_R over the ID payload body ID (RFC 2409 §5.4). */
static bool auth_hash(const struct ike_p1 *p, bool of_initiator,
		      const uint8_t *id, size_t idlen, uint8_t *out)
{
	const struct ike_sa *sa = p->sa;
	size_t gl = p->glen;
	struct ike_iov v[6];
	if (of_initiator) {
		v[0] = (struct ike_iov){p->gxi, gl};
		v[1] = (struct ike_iov){p->gxr, gl};
		v[2] = (struct ike_iov){sa->d.icky, 8};
		v[3] = (struct ike_iov){sa->d.rcky, 8};
	} else {
		v[0] = (struct ike_iov){p->gxr, gl};
		v[1] = (struct ike_iov){p->gxi, gl};
		v[2] = (struct ike_iov){sa->d.rcky, 8};
		v[3] = (struct ike_iov){sa->d.icky, 8};
	}
	v[4] = (struct ike_iov){p->sai_b, p->sai_len};
	v[5] = (struct ike_iov){id, idlen};
	return ike_prf(sa->d.hash, p->skeyid, sa->d.prf_len, v, 6, out);
}

/* Our phase 1 identity: the address, as IOS sends it (UDP port 500). */
static void my_ident(const struct ike_sa *sa, struct isakmp_ident *id)
{
	memset(id, 0, sizeof *id);
	id->type = ID_IPV4_ADDR;
	id->proto = 17;
	id->port = ISAKMP_PORT;
	id->addr = sa->d.local;
	IKE_SA_DBG(sa, "SA is doing pre-shared key authentication using id "
		   "type ID_IPV4_ADDR");
}

/* ---- failures ---------------------------------------------------------------------------- */

static void mode_failure(struct ike_sa *sa, const char *reason)
{
	char b[16];
	log_ios("CRYPTO-6-IKMP_MODE_FAILURE", "Processing of Main mode failed "
		"with peer at %s", ip_fmt(sa->d.peer, b));
	if (sa->d.initiator)
		ike_stats.init_fails++;
	else
		ike_stats.resp_fails++;
	ike_sa_fail(sa, reason);
}

/* A malformed or unacceptable message in the middle of phase 1: counted,
 * logged, and the SA waits on (the peer may retransmit a good one). */
static void p1_bad(struct ike_sa *sa, const char *why)
{
	IKE_SA_DBG(sa, "%s", why);
	ike_stats.in_drop++;
	ike_stats.malformed++;
	ike_log_bad_message(sa->d.peer);
}

/* ---- message 1 and 2: the SA ------------------------------------------------------------ */

static int parse_clear(const uint8_t *msg, size_t len, struct isakmp_msg *m)
{
	return isakmp_parse_chain(m->h.np, msg + ISAKMP_HDR_LEN,
				  len - ISAKMP_HDR_LEN, false, m);
}

/* Responder: pick the first configured policy (priority order, then the
 * default suite) that one of the offered transforms satisfies. */
static const struct isakmp_xf *choose(struct ike_p1 *p,
				      const struct isakmp_prop *pr,
				      struct suite *chosen, struct suite *pol)
{
	struct ike_sa *sa = p->sa;
	bool psk = find_psk(p);
	struct suite list[64];
	int n = 0;
	for (const struct isakmp_policy *q = crypto_isakmp_policies();
	     q && n < 63; q = q->next)
		list[n++] = policy_suite(q);
	list[n++] = default_suite();
	for (int i = 0; i < n; i++)
		for (int j = 0; j < pr->nxf; j++) {
			struct suite s;
			IKE_SA_DBG(sa, "Checking ISAKMP transform %u against "
				   "priority %u policy", pr->xf[j].num,
				   list[i].priority);
			bool ok = xf_suite(&pr->xf[j], &s, true, sa) &&
				  suite_acceptable(&s, &list[i], psk);
			IKE_SA_DBG(sa, "atts are %sacceptable. Next payload is %u",
				   ok ? "" : "not ", j + 1 < pr->nxf ? NP_T : 0);
			if (ok) {
				*chosen = s;
				*pol = list[i];
				return &pr->xf[j];
			}
		}
	return NULL;
}

/* DOI, situation and the one proposal's header; returns where the
 * proposal starts (to close it after its transforms). */
static size_t put_sa_header(struct isakmp_out *o, uint8_t propnum,
			    uint8_t ntrans)
{
	isakmp_out_u32(o, IPSEC_DOI);
	isakmp_out_u32(o, SIT_IDENTITY);
	size_t pstart = isakmp_out_nested(o, NP_NONE);
	isakmp_out_u8(o, propnum);
	isakmp_out_u8(o, PROTO_ISAKMP);
	isakmp_out_u8(o, 0);                     /* no SPI in phase 1 */
	isakmp_out_u8(o, ntrans);
	return pstart;
}

static void responder_msg1(struct ike_p1 *p, const struct isakmp_msg *m)
{
	struct ike_sa *sa = p->sa;
	const struct isakmp_pl *sap = isakmp_find(m, NP_SA, 0);
	static struct isakmp_sa parsed;
	IKE_SA_DBG(sa, "processing SA payload. message ID = 0");
	if (!sap || isakmp_count(m, NP_SA) != 1 ||
	    isakmp_parse_sa(pl_body(sap), pl_blen(sap), &parsed) ||
	    parsed.nprop != 1 || parsed.prop[0].proto != PROTO_ISAKMP) {
		p1_bad(sa, "malformed SA payload");
		ike_sa_fail(sa, "Malformed first message");
		return;
	}
	take_vids(p, m);
	struct suite s, pol;
	const struct isakmp_xf *x = choose(p, &parsed.prop[0], &s, &pol);
	if (!x) {
		char a[16], b[16];
		IKE_SA_DBG(sa, "no offers accepted!");
		IKE_SA_DBG(sa, "phase 1 SA policy not acceptable! (local %s "
			   "remote %s)", ip_fmt(sa->d.local, a),
			   ip_fmt(sa->d.peer, b));
		IKE_SA_DBG(sa, "Sending NOTIFY NO_PROPOSAL_CHOSEN protocol 1");
		ike_info_send_clear_notify(&m->h, sa->d.local, sa->d.peer,
					   sa->d.local_port, sa->d.peer_port,
					   N_NO_PROPOSAL_CHOSEN);
		mode_failure(sa, "Phase1 SA policy not acceptable");
		return;
	}
	adopt_suite(sa, &s, &pol);
	natt_choose(p);
	p->sai_len = pl_blen(sap);
	p->sai_b = xmalloc(p->sai_len);
	memcpy(p->sai_b, pl_body(sap), p->sai_len);
	/* message 2: the chosen transform, as offered */
	struct isakmp_out *o = &(struct isakmp_out){0};
	isakmp_out_init(o, sa->d.icky, sa->d.rcky, EXCH_MAIN, 0, 0);
	size_t s0 = isakmp_out_begin(o, NP_SA);
	size_t pstart = put_sa_header(o, parsed.prop[0].num, 1);
	isakmp_out_xf(o, x);
	isakmp_out_end(o, pstart);
	isakmp_out_end(o, s0);
	put_vids(o, p, false);
	isakmp_out_finish(o);
	sa->d.state = IKE_MM_SA_SETUP;
	debug_step(sa, MM_R_WAIT1, "IKE_R_MM1");
	p->step = MM_R_WAIT3;
	p1_send(p, o);
}

/* The first attribute of the responder's choice that no offered policy
 * has, for %CRYPTO-6-IKMP_SA_NOT_OFFERED. */
static const char *not_offered(const struct suite *s)
{
	bool encr = false, hash = false, group = false, life = false;
	for (const struct isakmp_policy *q = crypto_isakmp_policies(); q;
	     q = q->next) {
		struct suite pol = policy_suite(q);
		encr |= pol.encr == s->encr && pol.bits == s->bits;
		hash |= pol.hash == s->hash;
		group |= pol.group == s->group;
		life |= !s->life || s->life <= pol.life;
	}
	return !encr ? "encryption" : !hash ? "hash" : !group ? "group"
	       : !life ? "life duration" : "auth";
}

static void initiator_msg3(struct ike_p1 *p);

static void initiator_msg2(struct ike_p1 *p, const struct isakmp_msg *m)
{
	struct ike_sa *sa = p->sa;
	const struct isakmp_pl *sap = isakmp_find(m, NP_SA, 0);
	static struct isakmp_sa parsed;
	IKE_SA_DBG(sa, "processing SA payload. message ID = 0");
	if (!sap || isakmp_parse_sa(pl_body(sap), pl_blen(sap), &parsed) ||
	    parsed.nprop != 1 || parsed.prop[0].nxf != 1 ||
	    parsed.prop[0].proto != PROTO_ISAKMP) {
		p1_bad(sa, "malformed SA payload");
		return;
	}
	/* it must be one of the policies we offered, unchanged but for a
	 * shorter lifetime */
	struct suite s;
	const struct isakmp_policy *q;
	bool known = xf_suite(&parsed.prop[0].xf[0], &s, true, sa);
	for (q = crypto_isakmp_policies(); known && q; q = q->next) {
		struct suite pol = policy_suite(q);
		if (suite_acceptable(&s, &pol, true))
			break;
	}
	if (!known || !q) {
		char b[16];
		log_ios("CRYPTO-6-IKMP_SA_NOT_OFFERED", "Remote peer %s responded "
			"with attribute %s not offered or changed",
			ip_fmt(sa->d.peer, b), known ? not_offered(&s) : "unknown");
		ike_stats.init_fails++;
		ike_sa_fail(sa, "Peer chose a policy that was not offered");
		return;
	}
	struct suite pol = policy_suite(q);
	adopt_suite(sa, &s, &pol);
	IKE_SA_DBG(sa, "atts are acceptable. Next payload is 0");
	memcpy(sa->d.rcky, m->h.rcky, 8);
	take_vids(p, m);
	natt_choose(p);
	sa->d.state = IKE_MM_SA_SETUP;
	debug_step(sa, MM_I_WAIT2, "IKE_I_MM2");
	initiator_msg3(p);
}

/* ---- messages 3 and 4: the key exchange ------------------------------------------------- */

static void put_ke_nonce(struct isakmp_out *o, struct ike_p1 *p, bool init)
{
	isakmp_out_simple(o, NP_KE, init ? p->gxi : p->gxr, p->glen);
	isakmp_out_simple(o, NP_NONCE, init ? p->ni : p->nr,
			  init ? p->ni_len : p->nr_len);
	put_natd(o, p->sa);
}

/* Our half of the exchange: DH key and nonce. */
static bool make_half(struct ike_p1 *p, bool init)
{
	struct ike_sa *sa = p->sa;
	p->glen = ike_dh_len(sa->d.group);
	p->dh = ike_dh_keygen(sa->d.group, init ? p->gxi : p->gxr);
	if (!p->dh)
		return false;
	uint8_t *n = init ? p->ni : p->nr;
	ike_random(n, IKE_NONCE_LEN);
	if (init)
		p->ni_len = IKE_NONCE_LEN;
	else
		p->nr_len = IKE_NONCE_LEN;
	return true;
}

/* The peer's half: KE of the group's size and a nonce of 8..256 bytes. */
static bool take_half(struct ike_p1 *p, const struct isakmp_msg *m, bool init)
{
	const struct isakmp_pl *ke = isakmp_find(m, NP_KE, 0);
	const struct isakmp_pl *n = isakmp_find(m, NP_NONCE, 0);
	if (!ke || !n || pl_blen(ke) != ike_dh_len(p->sa->d.group) ||
	    pl_blen(n) < 8 || pl_blen(n) > IKE_NONCE_MAX)
		return false;
	memcpy(init ? p->gxi : p->gxr, pl_body(ke), pl_blen(ke));
	memcpy(init ? p->ni : p->nr, pl_body(n), pl_blen(n));
	if (init)
		p->ni_len = pl_blen(n);
	else
		p->nr_len = pl_blen(n);
	IKE_SA_DBG(p->sa, "processing KE payload. message ID = 0");
	IKE_SA_DBG(p->sa, "processing NONCE payload. message ID = 0");
	return true;
}

static bool compute(struct ike_p1 *p, bool init)
{
	uint8_t gxy[IKE_DH_MAX];
	bool ok = ike_dh_derive(p->dh, p->sa->d.group, init ? p->gxr : p->gxi,
				p->glen, gxy) && derive_keys(p, gxy);
	OPENSSL_cleanse(gxy, sizeof gxy);
	ike_dh_free(p->dh);
	p->dh = NULL;
	if (ok) {
		ike_sa_assign_conn_id(p->sa);
		IKE_SA_DBG(p->sa, "SKEYID state generated");
	}
	return ok;
}

static void initiator_msg3(struct ike_p1 *p)
{
	struct ike_sa *sa = p->sa;
	if (!make_half(p, true)) {
		mode_failure(sa, "DH key generation failed");
		return;
	}
	struct isakmp_out *o = &(struct isakmp_out){0};
	isakmp_out_init(o, sa->d.icky, sa->d.rcky, EXCH_MAIN, 0, 0);
	put_ke_nonce(o, p, true);
	isakmp_out_finish(o);
	p->step = MM_I_WAIT4;
	p1_send(p, o);
}

static void responder_msg3(struct ike_p1 *p, const struct isakmp_msg *m,
			   const struct ip_rx *rx)
{
	struct ike_sa *sa = p->sa;
	if (!take_half(p, m, true)) {
		p1_bad(sa, "malformed KE or NONCE payload");
		return;
	}
	take_vids(p, m);
	take_natd(sa, m, rx);
	if (!make_half(p, false) || !compute(p, false)) {
		ike_stats.in_drop++;
		mode_failure(sa, "Diffie-Hellman failed");
		return;
	}
	struct isakmp_out *o = &(struct isakmp_out){0};
	isakmp_out_init(o, sa->d.icky, sa->d.rcky, EXCH_MAIN, 0, 0);
	put_ke_nonce(o, p, false);
	isakmp_out_finish(o);
	sa->d.state = IKE_MM_KEY_EXCH;
	debug_step(sa, MM_R_WAIT3, "IKE_R_MM3");
	p->step = MM_R_WAIT5;
	p1_send(p, o);
}

/* ---- messages 5 and 6: authentication --------------------------------------------------- */

/* INITIAL-CONTACT: sent when nothing else is up with the peer. */
static bool first_contact(const struct ike_sa *sa)
{
	struct ike_sa *o = ike_sa_find_peer(sa->d.local, sa->d.peer);
	return (!o || o == sa) && !ike_qm_in_pkts(sa->d.peer) &&
	       !ike_qm_sa_count(sa);
}

static void put_auth(struct isakmp_out *o, struct ike_p1 *p, bool init)
{
	struct ike_sa *sa = p->sa;
	struct isakmp_ident me;
	my_ident(sa, &me);
	size_t idstart = o->len;
	isakmp_out_id(o, NP_ID, &me);
	uint8_t h[IKE_HASH_MAX];
	auth_hash(p, init, o->b + idstart + ISAKMP_GEN_LEN,
		  o->len - idstart - ISAKMP_GEN_LEN, h);
	isakmp_out_simple(o, NP_HASH, h, sa->d.prf_len);
	if (first_contact(sa)) {
		IKE_SA_DBG(sa, "Send initial contact");
		size_t s = isakmp_out_begin(o, NP_N);
		isakmp_out_u32(o, IPSEC_DOI);
		isakmp_out_u8(o, PROTO_ISAKMP);
		isakmp_out_u8(o, 16);
		isakmp_out_u16(o, N_INITIAL_CONTACT);
		isakmp_out_put(o, sa->d.icky, 8);
		isakmp_out_put(o, sa->d.rcky, 8);
		isakmp_out_end(o, s);
	}
	isakmp_out_finish(o);
}

static void float_if_natted(struct ike_sa *sa)
{
	if (!(sa->d.natt & (NATT_LOCAL_NAT | NATT_PEER_NAT)) ||
	    (sa->d.natt & NATT_FLOATED))
		return;
	sa->d.natt |= NATT_FLOATED;
	sa->d.local_port = ISAKMP_NATT_PORT;
	sa->d.peer_port = ISAKMP_NATT_PORT;
	IKE_SA_DBG(sa, "NAT-T: switching to port %u", ISAKMP_NATT_PORT);
}

static void initiator_msg4(struct ike_p1 *p, const struct isakmp_msg *m,
			   const struct ip_rx *rx)
{
	struct ike_sa *sa = p->sa;
	if (!take_half(p, m, false)) {
		p1_bad(sa, "malformed KE or NONCE payload");
		return;
	}
	take_vids(p, m);
	take_natd(sa, m, rx);
	if (!compute(p, true)) {
		mode_failure(sa, "Diffie-Hellman failed");
		return;
	}
	sa->d.state = IKE_MM_KEY_EXCH;
	debug_step(sa, MM_I_WAIT4, "IKE_I_MM4");
	float_if_natted(sa);
	struct isakmp_out *o = &(struct isakmp_out){0};
	isakmp_out_init(o, sa->d.icky, sa->d.rcky, EXCH_MAIN, 0, 0);
	put_auth(o, p, true);
	if (!ike_encrypt(sa, o, sa->d.iv)) {
		mode_failure(sa, "Encryption failed");
		return;
	}
	p->step = MM_I_WAIT6;
	p1_send(p, o);
}

/* Delete what an older incarnation of the peer left (RFC 2407 §4.6.3.3). */
static void initial_contact(struct ike_sa *sa, const struct isakmp_msg *m)
{
	for (int i = 0; isakmp_find(m, NP_N, i); i++) {
		const struct isakmp_pl *pl = isakmp_find(m, NP_N, i);
		struct isakmp_notify_pl n;
		if (isakmp_parse_notify(pl_body(pl), pl_blen(pl), &n) ||
		    n.type != N_INITIAL_CONTACT)
			continue;
		ike_sa_initial_contact(sa);
		return;
	}
}

/* Decrypt and check message 5 or 6: its ID and HASH. */
static bool take_auth(struct ike_p1 *p, const uint8_t *msg, size_t len,
		      const struct isakmp_hdr *h, struct isakmp_msg *m,
		      bool of_initiator)
{
	static uint8_t plain[ISAKMP_MAX_MSG];
	struct ike_sa *sa = p->sa;
	uint8_t iv[IKE_BLOCK_MAX];
	memcpy(iv, sa->d.iv, sizeof iv);
	size_t plen;
	m->h = *h;
	if (!(h->flags & ISAKMP_FLAG_ENC)) {
		char b[16];
		ike_stats.in_drop++;
		log_ios("CRYPTO-6-IKMP_NOT_ENCRYPTED", "IKE packet from %s was "
			"not encrypted and it should've been.",
			ip_fmt(sa->d.peer, b));
		return false;
	}
	if (!ike_decrypt(sa, msg, len, iv, plain, &plen) ||
	    isakmp_parse_chain(h->np, plain, plen, true, m)) {
		/* a wrong pre-shared key decrypts to garbage */
		ike_stats.decrypt_fails++;
		p1_bad(sa, "phase 1 packet failed decryption or parsing");
		return false;
	}
	const struct isakmp_pl *idp = isakmp_find(m, NP_ID, 0);
	const struct isakmp_pl *hp = isakmp_find(m, NP_HASH, 0);
	struct isakmp_ident id;
	IKE_SA_DBG(sa, "processing ID payload. message ID = 0");
	if (!idp || !hp || isakmp_parse_id(pl_body(idp), pl_blen(idp), &id)) {
		p1_bad(sa, "phase 1 message without a valid ID or HASH");
		return false;
	}
	IKE_SA_DBG(sa, "processing HASH payload. message ID = 0");
	uint8_t want[IKE_HASH_MAX];
	if (!auth_hash(p, of_initiator, pl_body(idp), pl_blen(idp), want) ||
	    pl_blen(hp) != sa->d.prf_len ||
	    CRYPTO_memcmp(want, pl_body(hp), sa->d.prf_len)) {
		char b[16];
		ike_stats.auth_fails++;
		ike_stats.hash_fails++;
		ike_stats.in_drop++;
		IKE_SA_DBG(sa, "SA authentication status:\n\tauthentication failed");
		log_ios("CRYPTO-6-IKMP_AUTH_FAIL", "Authentication method %u "
			"failed with host %s", P1_AUTH_PSK, ip_fmt(sa->d.peer, b));
		return false;
	}
	memcpy(sa->d.iv, iv, sizeof sa->d.iv);
	sa->d.peer_id = id;
	IKE_SA_DBG(sa, "SA authentication status:\n\tauthenticated");
	IKE_SA_DBG(sa, "SA has been authenticated with %s",
		   ip_fmt(sa->d.peer, (char[16]){0}));
	sa->d.state = IKE_MM_KEY_AUTH;
	initial_contact(sa, m);
	return true;
}

static void done(struct ike_p1 *p)
{
	struct ike_sa *sa = p->sa;
	p->step = MM_DONE;
	OPENSSL_cleanse(p->skeyid, sizeof p->skeyid);
	OPENSSL_cleanse(p->psk, sizeof p->psk);
	/* keep the last message a while for a peer that missed it */
	ev_timer_stop(core_loop, &p->t);
	ev_timer_set(&p->t, P1_LINGER_SECS, 0);
	ev_timer_start(core_loop, &p->t);
	IKE_SA_DBG(sa, "Old State = %s  New State = IKE_P1_COMPLETE",
		   sa->d.initiator ? "IKE_I_MM6" : "IKE_R_MM5");
	ike_sa_established(sa);
}

static void responder_msg5(struct ike_p1 *p, const uint8_t *msg, size_t len,
			   const struct isakmp_hdr *h)
{
	struct ike_sa *sa = p->sa;
	static struct isakmp_msg m;
	if (!take_auth(p, msg, len, h, &m, true))
		return;
	struct isakmp_out *o = &(struct isakmp_out){0};
	isakmp_out_init(o, sa->d.icky, sa->d.rcky, EXCH_MAIN, 0, 0);
	put_auth(o, p, false);
	if (!ike_encrypt(sa, o, sa->d.iv)) {
		mode_failure(sa, "Encryption failed");
		return;
	}
	debug_step(sa, MM_R_WAIT5, "IKE_R_MM5");
	p1_send(p, o);
	done(p);
}

static void initiator_msg6(struct ike_p1 *p, const uint8_t *msg, size_t len,
			   const struct isakmp_hdr *h)
{
	static struct isakmp_msg m;
	if (!take_auth(p, msg, len, h, &m, false))
		return;
	free(p->tx);                  /* nothing of ours is left to repeat */
	p->tx = NULL;
	done(p);
}

/* ---- dispatch ---------------------------------------------------------------------------------- */

void ike_mm_input(struct ike_sa *sa, const struct isakmp_msg *unused,
		  const uint8_t *msg, size_t len, const struct ip_rx *rx)
{
	struct ike_p1 *p = sa->p1;
	struct isakmp_msg *m = &(struct isakmp_msg){0};
	isakmp_parse_hdr(msg, len, &m->h);
	if (!p) {
		ike_stats.in_drop++;          /* late: phase 1 long done */
		return;
	}
	uint8_t digest[20];
	ike_digest20(msg, len, digest);
	if (p->have_rx && !memcmp(digest, p->rx_digest, 20)) {
		IKE_SA_DBG(sa, "phase 1 packet is a duplicate of a previous packet.");
		if (p->tx) {
			IKE_SA_DBG(sa, "retransmitting due to retransmit phase 1");
			ike_stats.retransmits++;
			ike_send_raw(sa, p->tx, p->tx_len);
		}
		return;
	}
	if (p->step == MM_DONE) {
		ike_stats.in_drop++;
		return;
	}
	bool clear = p->step != MM_R_WAIT5 && p->step != MM_I_WAIT6;
	if (clear) {
		int code = (m->h.flags & ISAKMP_FLAG_ENC) ? N_INVALID_FLAGS
							   : parse_clear(msg, len, m);
		if (code) {
			p1_bad(sa, "malformed phase 1 message");
			if (p->step == MM_R_WAIT1)
				ike_sa_fail(sa, "Malformed first message");
			return;
		}
	}
	enum mm_step was = p->step;
	switch (p->step) {
	case MM_R_WAIT1: responder_msg1(p, m); break;
	case MM_I_WAIT2: initiator_msg2(p, m); break;
	case MM_R_WAIT3: responder_msg3(p, m, rx); break;
	case MM_I_WAIT4: initiator_msg4(p, m, rx); break;
	case MM_R_WAIT5: responder_msg5(p, msg, len, &m->h); break;
	case MM_I_WAIT6: initiator_msg6(p, msg, len, &m->h); break;
	case MM_DONE: break;
	}
	/* a message that moved us on is the one a duplicate repeats */
	if (sa->p1 == p && p->step != was) {
		memcpy(p->rx_digest, digest, 20);
		p->have_rx = true;
		sa->last_rx = core_uptime();
	}
}

/* ---- the two ways a phase 1 begins ----------------------------------------------------------------- */

struct ike_sa *ike_mm_responder(const struct isakmp_hdr *h,
				const uint8_t *msg, const struct ip_rx *rx)
{
	ike_stats.cac_in_req++;
	/* a first message is checked whole before any state is made for it */
	static struct isakmp_msg m;
	static struct isakmp_sa sa_pl;
	m.h = *h;
	const struct isakmp_pl *sap;
	if (h->exch != EXCH_MAIN || (h->flags & ISAKMP_FLAG_ENC) || h->mid ||
	    isakmp_parse_chain(h->np, msg + ISAKMP_HDR_LEN,
			       h->len - ISAKMP_HDR_LEN, false, &m) ||
	    !(sap = isakmp_find(&m, NP_SA, 0)) ||
	    isakmp_parse_sa(pl_body(sap), pl_blen(sap), &sa_pl)) {
		ike_stats.in_drop++;
		ike_stats.malformed++;
		ike_log_bad_message(rx->src);
		return NULL;
	}
	if (!ike_sa_admit()) {
		/* call admission: a flood of first messages finds a bound */
		ike_stats.cac_in_reject++;
		ike_stats.cac_reject_nego++;
		ike_stats.capacity_fails++;
		ike_stats.in_drop++;
		IKE_DBG("ISAKMP: in-negotiation SA limit (%u) reached, request "
			"from %s denied", ike_sa_half_open_limit(),
			ip_fmt(rx->src, (char[16]){0}));
		return NULL;
	}
	ike_stats.cac_in_accept++;
	struct ike_sa *sa = ike_sa_new(false, rx->dst, rx->src, h->icky);
	sa->d.peer_port = rx->sport;
	p1_new(sa, MM_R_WAIT1);
	IKE_DBG("ISAKMP (0:0): received packet from %s dport %u sport %u "
		"Global (N) NEW SA", ip_fmt(rx->src, (char[16]){0}), rx->dport,
		rx->sport);
	return sa;
}

struct ike_sa *ike_mm_initiate(uint32_t local, uint32_t peer)
{
	ike_stats.cac_out_req++;
	if (!ike_sa_admit()) {
		ike_stats.cac_out_reject++;
		ike_stats.cac_reject_nego++;
		return NULL;
	}
	struct ike_sa *sa = ike_sa_new(true, local, peer, NULL);
	struct ike_p1 *p = p1_new(sa, MM_I_WAIT2);
	IKE_DBG("ISAKMP: local port %u, remote port %u", ISAKMP_PORT,
		ISAKMP_PORT);
	/* offer every pre-share policy with a group this router can do */
	struct suite offer[32];
	int n = 0;
	bool psk = find_psk(p);
	for (const struct isakmp_policy *q = crypto_isakmp_policies();
	     q && n < 32; q = q->next)
		if (q->auth == IKE_AUTH_PRESHARE && ike_dh_supported(q->group))
			offer[n++] = policy_suite(q);
	if (!psk || !n) {
		IKE_DBG("ISAKMP (0:0): No Cert or pre-shared address key.");
		ike_stats.cac_out_reject++;
		ike_stats.init_fails++;
		ike_sa_delete(sa, false, "No pre-shared key or policy");
		return NULL;
	}
	ike_stats.cac_out_accept++;
	struct isakmp_out *o = &(struct isakmp_out){0};
	isakmp_out_init(o, sa->d.icky, sa->d.rcky, EXCH_MAIN, 0, 0);
	size_t s0 = isakmp_out_begin(o, NP_SA);
	size_t pstart = put_sa_header(o, 1, (uint8_t)n);
	for (int i = 0; i < n; i++)
		put_transform(o, (uint8_t)(i + 1), i + 1 == n, &offer[i]);
	isakmp_out_end(o, pstart);
	isakmp_out_end(o, s0);
	p->sai_len = o->len - s0 - ISAKMP_GEN_LEN;
	p->sai_b = xmalloc(p->sai_len);
	memcpy(p->sai_b, o->b + s0 + ISAKMP_GEN_LEN, p->sai_len);
	put_vids(o, p, true);
	isakmp_out_finish(o);
	IKE_SA_DBG(sa, "beginning Main Mode exchange");
	p1_send(p, o);
	return sa;
}
