/* RF client "IKE HA Mgr" (120): the IKE SAs of stateful virtual IPs to
 * the standby.
 *
 * What the standby needs to carry an IKE SA on with no renegotiation
 * (seed 003's list): both cookies, SKEYID_d/a/e and the cipher key, the
 * last CBC block of phase 1 (every later exchange's IV starts from it),
 * the peer's address, ports and NAT-T state, its identity and DPD
 * ability, the suite and lifetime with the age, and the DPD sequence
 * numbers. ADD carries all of it when phase 1 completes (and in the
 * bulk), UPDATE what changes later (DPD numbers, the peer's NAT-T port),
 * DELETE the cookies.
 *
 * Bulk and incremental messages share one stream: the bulk walks the SA
 * table in creation order; while it runs, a change to an SA it has not
 * reached yet is left to it, a change behind it goes out at once. */
#include "crypto_int.h"
#include "ha_int.h"
#include "ike.h"

#include <openssl/crypto.h>
#include <stdio.h>

#include "../ha/ha.h"
#include "../ipc/ipc.h"

#define RF_CLIENT_IKE_HA 120
/* DPD sequence numbers the old active may have sent after its last
 * update reached the standby: the new one starts this far beyond. */
#define DPD_SEQ_MARGIN 64

struct ike_del {
	uint8_t cookies[16];
	uint32_t vip;
};

static struct {
	struct rf_client *rf;
	struct ha_seq seq;
	bool bulk;
	struct ike_sa *bulk_next;
	int stamps_sent;
	bool retry;                 /* an SA is ha_dirty */
	struct ike_del *dels;
	int ndels, capdels;
} ike;

static bool eligible(const struct ike_sa *sa)
{
	return !sa->dead && sa->d.state == IKE_QM_IDLE &&
	       sa->d.status == SA_STATUS_ACTIVE && ha_is_stateful_vip(sa->d.local);
}

/* ---- the active: messages ------------------------------------------------------ */

static void put_cookies(struct ha_out *o, const struct ike_sa_data *d)
{
	ha_out_put(o, HA_IKE_ATT_MY_COOKIE, d->icky, 8);
	ha_out_put(o, HA_IKE_ATT_HIS_COOKIE, d->rcky, 8);
}

static void put_mutable(struct ha_out *o, const struct ike_sa_data *d)
{
	ha_out_u16(o, HA_IKE_ATT_PEER_PORT, d->peer_port);
	ha_out_u16(o, HA_IKE_ATT_LOCAL_PORT, d->local_port);
	ha_out_u8(o, HA_IKE_ATT_NAT_DISCOVERY, d->natt);
	ha_out_u32(o, HA_IKE_ATT_DPD_SEQ_OUT, d->dpd_seq_out);
	ha_out_u32(o, HA_IKE_ATT_DPD_SEQ_IN, d->dpd_seq_in);
}

static int send_add(const struct ike_sa *sa, uint8_t flags)
{
	const struct ike_sa_data *d = &sa->d;
	struct ha_out o;
	ha_out_begin(&o, HA_IKE_MSG_ADD_SA, HA_FLAG_ACTIVE | flags, d->local);
	put_cookies(&o, d);
	ha_out_put(&o, HA_IKE_ATT_SRC, &d->peer, 4);
	ha_out_put(&o, HA_IKE_ATT_DST, &d->local, 4);
	ha_out_u8(&o, HA_IKE_ATT_F_VRF, 0);
	ha_out_u8(&o, HA_IKE_ATT_INIT_OR_RESP, d->initiator);
	ha_out_u32(&o, HA_IKE_ATT_PEERS_CAPABILITIES, d->peer_dpd);
	ha_out_u32(&o, HA_IKE_ATT_STATE_MASK, (uint32_t)d->state);
	ha_out_u8(&o, HA_IKE_ATT_ENCR, (uint8_t)d->encr);
	ha_out_u16(&o, HA_IKE_ATT_KEY_BITS, (uint16_t)d->key_bits);
	ha_out_u8(&o, HA_IKE_ATT_HASH, (uint8_t)d->hash);
	ha_out_u8(&o, HA_IKE_ATT_AUTH, (uint8_t)d->auth);
	ha_out_u16(&o, HA_IKE_ATT_DH_GROUP, (uint16_t)d->group);
	ha_out_u16(&o, HA_IKE_ATT_POLICY, (uint16_t)d->policy);
	ha_out_u32(&o, HA_IKE_ATT_LIFETIME, d->lifetime);
	double age = core_uptime() - d->established;
	ha_out_u32(&o, HA_IKE_ATT_AGE_MS, (uint32_t)(age > 0 ? age * 1000 : 0));
	ha_out_put(&o, HA_IKE_ATT_SKEYID_D, d->skeyid_d, d->prf_len);
	ha_out_put(&o, HA_IKE_ATT_SKEYID_A, d->skeyid_a, d->prf_len);
	ha_out_put(&o, HA_IKE_ATT_SKEYID_E, d->skeyid_e, d->prf_len);
	ha_out_put(&o, HA_IKE_ATT_ENC_KEY, d->enc_key, d->enc_key_len);
	ha_out_put(&o, HA_IKE_ATT_IV, d->iv, d->iv_len);
	put_mutable(&o, d);
	const struct isakmp_ident *id = &d->peer_id;
	ha_out_u8(&o, HA_IKE_ATT_IDTYPE, id->type);
	ha_out_u8(&o, HA_IKE_ATT_PROTOCOL, id->proto);
	ha_out_u16(&o, HA_IKE_ATT_PORT, id->port);
	ha_out_put(&o, HA_IKE_ATT_ADDR, &id->addr, 4);
	ha_out_put(&o, HA_IKE_ATT_MASK, &id->mask, 4);
	ha_out_put(&o, HA_IKE_ATT_ID_STR, id->text, strnlen(id->text,
							    sizeof id->text));
	return ha_send(ike.rf, &ike.seq, &ha_ike_names, &o,
		       "Sending IKE Add SA Message");
}

static int send_update(const struct ike_sa *sa)
{
	struct ha_out o;
	ha_out_begin(&o, HA_IKE_MSG_UPDATE_SA, HA_FLAG_ACTIVE, sa->d.local);
	put_cookies(&o, &sa->d);
	put_mutable(&o, &sa->d);
	return ha_send(ike.rf, &ike.seq, &ha_ike_names, &o,
		       "Sending IKE Update SA Message");
}

static int send_delete(const struct ike_del *del)
{
	struct ha_out o;
	ha_out_begin(&o, HA_IKE_MSG_DELETE_SA, HA_FLAG_ACTIVE, del->vip);
	ha_out_put(&o, HA_IKE_ATT_MY_COOKIE, del->cookies, 8);
	ha_out_put(&o, HA_IKE_ATT_HIS_COOKIE, del->cookies + 8, 8);
	return ha_send(ike.rf, &ike.seq, &ha_ike_names, &o,
		       "Sending IKE Delete SA Message");
}

/* Each stateful VIP's stamp opens the bulk. */
static int send_stamp(uint32_t vip)
{
	const uint8_t *s = ha_stamp(vip, true);
	if (!s)
		return IPC_SENT;
	struct ha_out o;
	ha_out_begin(&o, HA_IKE_MSG_STAMP, HA_FLAG_ACTIVE | HA_FLAG_BULK, vip);
	ha_out_put(&o, HA_IKE_ATT_STAMP, s, 16);
	return ha_send(ike.rf, &ike.seq, &ha_ike_names, &o,
		       "Sending IKE Stamp Message");
}

/* ---- the active: following the engine ------------------------------------------- */

/* Has the bulk passed SA (so a change to it is ours to send)? */
static bool behind_bulk(const struct ike_sa *sa)
{
	return !ike.bulk || !ike.bulk_next || sa->ord < ike.bulk_next->ord;
}

static void flush_dels(void)
{
	int i = 0;
	while (i < ike.ndels && send_delete(&ike.dels[i]) != IPC_FULL)
		i++;
	if (i) {
		memmove(ike.dels, ike.dels + i,
			(size_t)(ike.ndels - i) * sizeof *ike.dels);
		ike.ndels -= i;
	}
}

static void on_ike_change(struct ike_sa *sa, enum ike_ha_change what)
{
	if (what == IKE_HA_DEL) {
		if (ike.bulk_next == sa)
			ike.bulk_next = sa->next;
		if (!sa->ha_synced || !rf_peer_syncing())
			return;
		sa->ha_synced = false;
		if (ike.ndels == ike.capdels) {
			ike.capdels = ike.capdels ? ike.capdels * 2 : 16;
			ike.dels = xrealloc(ike.dels, (size_t)ike.capdels *
							      sizeof *ike.dels);
		}
		struct ike_del *d = &ike.dels[ike.ndels++];
		memcpy(d->cookies, sa->d.icky, 8);
		memcpy(d->cookies + 8, sa->d.rcky, 8);
		d->vip = sa->d.local;
		flush_dels();
		return;
	}
	if (!rf_peer_syncing() || !eligible(sa) || !behind_bulk(sa))
		return;
	int rc = what == IKE_HA_UPDATE && sa->ha_synced ? send_update(sa)
							: send_add(sa, 0);
	if (rc == IPC_SENT) {
		sa->ha_synced = true;
		sa->ha_dirty = false;
	} else if (rc == IPC_FULL) {
		sa->ha_dirty = true;
		ike.retry = true;
	}
}

static void resend_dirty(struct ike_sa *sa, void *ctx)
{
	bool *full = ctx;
	if (*full || !sa->ha_dirty)
		return;
	if (!eligible(sa)) {
		sa->ha_dirty = false;
		return;
	}
	if (send_add(sa, 0) == IPC_FULL) {
		*full = true;
		return;
	}
	sa->ha_dirty = false;
	sa->ha_synced = true;
}

static void writable(void *ctx)
{
	flush_dels();
	if (!ike.retry || ike.ndels)
		return;
	bool full = false;
	ike_sa_foreach(resend_dirty, &full);
	ike.retry = full;
}

static void forget_synced(struct ike_sa *sa, void *ctx)
{
	sa->ha_synced = sa->ha_dirty = false;
}

/* A bulk of every IKE SA the standby must hold, as fast as the channel
 * takes it: the stamps first, then the SAs in creation order. */
static bool bulk_send(void *ctx, bool first)
{
	if (first) {
		ike.seq.tx = 0;
		ike.bulk = true;
		ike.stamps_sent = 0;
		ike.ndels = 0;
		ike.retry = false;
		ike_sa_foreach(forget_synced, NULL);
		ike.bulk_next = ike_sa_first();
	}
	int nvip = 0;
	for (const struct cmap_binding *cb = crypto_binding_first(); cb;
	     cb = crypto_binding_next(cb)) {
		uint32_t vip = crypto_binding_local(cb, NULL);
		if (!cb->stateful || !ha_is_stateful_vip(vip) || nvip++ < ike.stamps_sent)
			continue;
		if (send_stamp(vip) == IPC_FULL)
			return false;
		ike.stamps_sent++;
	}
	while (ike.bulk_next) {
		struct ike_sa *sa = ike.bulk_next;
		if (eligible(sa)) {
			if (send_add(sa, HA_FLAG_BULK) == IPC_FULL)
				return false;
			sa->ha_synced = true;
		}
		ike.bulk_next = sa->next;
	}
	ike.bulk = false;
	return true;
}

/* ---- the standby ------------------------------------------------------------------ */

static void drop_copy(struct ike_sa *sa, void *ctx)
{
	if (sa->d.status == SA_STATUS_STANDBY)
		ike_sa_delete(sa, false, "HA: a new bulk from the active");
}

/* A new bulk replaces whatever this router held. */
static void bulk_begin(void *ctx)
{
	ike.seq.rx = 0;
	ike_sa_foreach(drop_copy, NULL);
}

static const char *bulk_end(void *ctx)
{
	return NULL;
}

/* What an ADD or UPDATE says, into D; SEEN gets a bit per attribute. */
static bool decode(const struct ha_msg *m, struct ike_sa_data *d,
		   uint64_t *seen, uint32_t *age_ms)
{
	struct ha_attr_it it;
	struct ha_attr a;
	uint8_t u8 = 0;
	uint16_t u16 = 0;
	uint32_t u32 = 0;
	ha_attr_begin(m, &it);
	while (ha_attr_next(&it, &a) == 1) {
		bool ok = true;
		switch (a.type) {
		case HA_IKE_ATT_MY_COOKIE:
			ok = a.len == 8 && memcpy(d->icky, a.v, 8);
			break;
		case HA_IKE_ATT_HIS_COOKIE:
			ok = a.len == 8 && memcpy(d->rcky, a.v, 8);
			break;
		case HA_IKE_ATT_SRC:
			ok = a.len == 4 && memcpy(&d->peer, a.v, 4);
			break;
		case HA_IKE_ATT_DST:
			ok = a.len == 4 && memcpy(&d->local, a.v, 4);
			break;
		case HA_IKE_ATT_PEER_PORT:
			ok = ha_attr_u16(&a, &d->peer_port);
			break;
		case HA_IKE_ATT_LOCAL_PORT:
			ok = ha_attr_u16(&a, &d->local_port);
			break;
		case HA_IKE_ATT_F_VRF:
			ok = ha_attr_u8(&a, &u8) && u8 == 0;
			break;
		case HA_IKE_ATT_INIT_OR_RESP:
			ok = ha_attr_u8(&a, &u8) && u8 <= 1;
			d->initiator = u8;
			break;
		case HA_IKE_ATT_NAT_DISCOVERY:
			ok = ha_attr_u8(&a, &d->natt);
			break;
		case HA_IKE_ATT_PEERS_CAPABILITIES:
			ok = ha_attr_u32(&a, &u32);
			d->peer_dpd = u32 & 1;
			break;
		case HA_IKE_ATT_STATE_MASK:
			ok = ha_attr_u32(&a, &u32) && u32 == IKE_QM_IDLE;
			d->state = IKE_QM_IDLE;
			break;
		case HA_IKE_ATT_ENCR:
			ok = ha_attr_u8(&a, &u8) && u8 <= IKE_ENCR_AES;
			d->encr = (enum ike_encr)u8;
			break;
		case HA_IKE_ATT_KEY_BITS:
			ok = ha_attr_u16(&a, &u16);
			d->key_bits = u16;
			break;
		case HA_IKE_ATT_HASH:
			ok = ha_attr_u8(&a, &u8) && u8 <= IKE_HASH_SHA512;
			d->hash = (enum ike_hash)u8;
			break;
		case HA_IKE_ATT_AUTH:
			ok = ha_attr_u8(&a, &u8) && u8 <= IKE_AUTH_PRESHARE;
			d->auth = (enum ike_auth)u8;
			break;
		case HA_IKE_ATT_DH_GROUP:
			ok = ha_attr_u16(&a, &u16);
			d->group = u16;
			break;
		case HA_IKE_ATT_POLICY:
			ok = ha_attr_u16(&a, &u16);
			d->policy = u16;
			break;
		case HA_IKE_ATT_LIFETIME:
			ok = ha_attr_u32(&a, &d->lifetime);
			break;
		case HA_IKE_ATT_AGE_MS:
			ok = ha_attr_u32(&a, age_ms);
			break;
		case HA_IKE_ATT_SKEYID_D:
		case HA_IKE_ATT_SKEYID_A:
		case HA_IKE_ATT_SKEYID_E: {
			uint8_t *k = a.type == HA_IKE_ATT_SKEYID_D ? d->skeyid_d
				     : a.type == HA_IKE_ATT_SKEYID_A ? d->skeyid_a
								      : d->skeyid_e;
			ok = a.len && a.len <= IKE_HASH_MAX &&
			     (!d->prf_len || d->prf_len == a.len);
			if (ok) {
				memcpy(k, a.v, a.len);
				d->prf_len = (uint8_t)a.len;
			}
			break;
		}
		case HA_IKE_ATT_ENC_KEY:
			ok = a.len && a.len <= IKE_KEY_MAX;
			if (ok) {
				memcpy(d->enc_key, a.v, a.len);
				d->enc_key_len = (uint8_t)a.len;
			}
			break;
		case HA_IKE_ATT_IV:
			ok = a.len && a.len <= IKE_BLOCK_MAX;
			if (ok) {
				memcpy(d->iv, a.v, a.len);
				d->iv_len = (uint8_t)a.len;
			}
			break;
		case HA_IKE_ATT_DPD_SEQ_OUT:
			ok = ha_attr_u32(&a, &d->dpd_seq_out);
			break;
		case HA_IKE_ATT_DPD_SEQ_IN:
			ok = ha_attr_u32(&a, &d->dpd_seq_in);
			break;
		case HA_IKE_ATT_IDTYPE:
			ok = ha_attr_u8(&a, &d->peer_id.type);
			break;
		case HA_IKE_ATT_PROTOCOL:
			ok = ha_attr_u8(&a, &d->peer_id.proto);
			break;
		case HA_IKE_ATT_PORT:
			ok = ha_attr_u16(&a, &d->peer_id.port);
			break;
		case HA_IKE_ATT_ADDR:
			ok = a.len == 4 && memcpy(&d->peer_id.addr, a.v, 4);
			break;
		case HA_IKE_ATT_MASK:
			ok = a.len == 4 && memcpy(&d->peer_id.mask, a.v, 4);
			break;
		case HA_IKE_ATT_ID_STR:
			ok = a.len < sizeof d->peer_id.text;
			if (ok) {
				memcpy(d->peer_id.text, a.v, a.len);
				d->peer_id.text[a.len] = '\0';
			}
			break;
		default:
			break;              /* a newer sender's: ignored */
		}
		if (!ok)
			return false;
		if (a.type < 64)
			*seen |= 1ull << a.type;
	}
	return true;
}

#define BIT(a) (1ull << (a))
/* Without these an SA cannot be carried on: it is not kept. */
static const uint64_t ADD_NEEDS =
	BIT(HA_IKE_ATT_MY_COOKIE) | BIT(HA_IKE_ATT_HIS_COOKIE) |
	BIT(HA_IKE_ATT_SRC) | BIT(HA_IKE_ATT_DST) | BIT(HA_IKE_ATT_PEER_PORT) |
	BIT(HA_IKE_ATT_LOCAL_PORT) | BIT(HA_IKE_ATT_STATE_MASK) |
	BIT(HA_IKE_ATT_ENCR) | BIT(HA_IKE_ATT_HASH) | BIT(HA_IKE_ATT_AUTH) |
	BIT(HA_IKE_ATT_DH_GROUP) | BIT(HA_IKE_ATT_LIFETIME) |
	BIT(HA_IKE_ATT_AGE_MS) | BIT(HA_IKE_ATT_SKEYID_D) |
	BIT(HA_IKE_ATT_SKEYID_A) | BIT(HA_IKE_ATT_SKEYID_E) |
	BIT(HA_IKE_ATT_ENC_KEY) | BIT(HA_IKE_ATT_IV);
static const uint64_t COOKIES =
	BIT(HA_IKE_ATT_MY_COOKIE) | BIT(HA_IKE_ATT_HIS_COOKIE);

static void recv_add(const struct ha_msg *m)
{
	struct ike_sa_data d;
	memset(&d, 0, sizeof d);
	uint64_t seen = 0;
	uint32_t age_ms = 0;
	bool ok = decode(m, &d, &seen, &age_ms);
	char l[16], r[16];
	if (!ok || (seen & ADD_NEEDS) != ADD_NEEDS || d.local != m->id ||
	    d.enc_key_len != ike_key_len(d.encr, d.key_bits) ||
	    d.iv_len != ike_block_len(d.encr) || d.prf_len != ike_hash_len(d.hash)) {
		ha_incomplete(m->id, d.peer, "IKE SA");
		OPENSSL_cleanse(&d, sizeof d);
		return;
	}
	if (ha_ike_debug)
		log_debug("IKE HA:(%s) Adding STANDBY IKE SA", ip_fmt(d.local, l));
	struct ike_sa *sa = ike_sa_find(d.icky, d.rcky);
	if (sa && sa->d.status != SA_STATUS_STANDBY) {
		/* this router negotiated it itself: not a copy to replace */
		ha_counters.rx_refused++;
		OPENSSL_cleanse(&d, sizeof d);
		return;
	}
	if (sa)
		ike_sa_delete(sa, false, "HA: replaced by the active's copy");
	d.established = core_uptime() - age_ms / 1000.0;
	sa = ike_sa_install(&d);
	OPENSSL_cleanse(&d, sizeof d);
	ha_counters.ike_added++;
	if (ha_ike_debug) {
		log_debug("IKE HA:Create peer struct for local %s remote %s & "
			  "locked", l, ip_fmt(sa->d.peer, r));
		log_debug("IKE HA:IKE SA inserted on standby with src = %s, "
			  "dst = %s", r, l);
	}
}

/* The standby copy an UPDATE or DELETE names by its cookies (what the
 * message says in *D, its attributes in *SEEN); NULL when there is none,
 * counted. */
static struct ike_sa *named_copy(const struct ha_msg *m, struct ike_sa_data *d,
				 uint64_t *seen)
{
	uint32_t age_ms = 0;
	memset(d, 0, sizeof *d);
	*seen = 0;
	if (!decode(m, d, seen, &age_ms) || (*seen & COOKIES) != COOKIES) {
		ha_counters.rx_malformed++;
		return NULL;
	}
	struct ike_sa *sa = ike_sa_find(d->icky, d->rcky);
	if (!sa || sa->d.status != SA_STATUS_STANDBY) {
		ha_counters.rx_unknown_sa++;
		return NULL;
	}
	return sa;
}

static void recv_update(const struct ha_msg *m)
{
	struct ike_sa_data d;
	uint64_t seen;
	struct ike_sa *sa = named_copy(m, &d, &seen);
	if (!sa)
		return;
	if (seen & BIT(HA_IKE_ATT_PEER_PORT))
		sa->d.peer_port = d.peer_port;
	if (seen & BIT(HA_IKE_ATT_LOCAL_PORT))
		sa->d.local_port = d.local_port;
	if (seen & BIT(HA_IKE_ATT_NAT_DISCOVERY))
		sa->d.natt = d.natt;
	if (seen & BIT(HA_IKE_ATT_DPD_SEQ_OUT))
		sa->d.dpd_seq_out = d.dpd_seq_out;
	if (seen & BIT(HA_IKE_ATT_DPD_SEQ_IN))
		sa->d.dpd_seq_in = d.dpd_seq_in;
	ha_counters.ike_updated++;
}

static void recv_delete(const struct ha_msg *m)
{
	struct ike_sa_data d;
	uint64_t seen;
	struct ike_sa *sa = named_copy(m, &d, &seen);
	if (!sa)
		return;
	if (ha_ike_debug)
		log_debug("IKE HA:Deleting STANDBY IKE SA with %s",
			  ip_fmt(sa->d.peer, (char[16]){0}));
	ike_sa_delete(sa, false, "HA: deleted on the active");
	ha_counters.ike_deleted++;
}

void ha_ike_recv(void *ctx, uint16_t type, const uint8_t *p, size_t len)
{
	struct ha_msg m;
	if (!ha_recv_check(&ha_ike_names, &ike.seq, type, HA_IKE_MSG__MAX, p,
			   len, &m))
		return;
	struct ha_attr_it it;
	struct ha_attr a;
	switch (m.type) {
	case HA_IKE_MSG_STAMP:
		ha_attr_begin(&m, &it);
		if (ha_attr_next(&it, &a) == 1 && a.type == HA_IKE_ATT_STAMP &&
		    a.len == 16)
			ha_stamp_set(m.id, a.v);
		else
			ha_counters.rx_malformed++;
		return;
	case HA_IKE_MSG_ADD_SA:
		recv_add(&m);
		return;
	case HA_IKE_MSG_UPDATE_SA:
		recv_update(&m);
		return;
	case HA_IKE_MSG_DELETE_SA:
		recv_delete(&m);
		return;
	}
}

/* ---- takeover ---------------------------------------------------------------------- */

struct takeover_ctx {
	uint32_t vip;
	unsigned n;
};

static void activate(struct ike_sa *sa, void *ctx)
{
	struct takeover_ctx *t = ctx;
	if (sa->d.status != SA_STATUS_STANDBY || sa->d.local != t->vip)
		return;
	if (sa->d.dpd_seq_out)
		sa->d.dpd_seq_out += DPD_SEQ_MARGIN;
	sa->ha_synced = sa->ha_dirty = false;
	ike_sa_activate(sa);
	t->n++;
	ha_counters.ike_activated++;
}

unsigned ha_ike_takeover(uint32_t vip)
{
	struct takeover_ctx t = {vip, 0};
	ike_sa_foreach(activate, &t);
	return t.n;
}

/* ---- registration --------------------------------------------------------------- */

static const char *const type_names[] = {
	[HA_IKE_MSG_STAMP] = "HA_IKE_MSG_STAMP",
	[HA_IKE_MSG_ADD_SA] = "HA_IKE_MSG_ADD_SA",
	[HA_IKE_MSG_UPDATE_SA] = "HA_IKE_MSG_UPDATE_SA",
	[HA_IKE_MSG_DELETE_SA] = "HA_IKE_MSG_DELETE_SA",
};

static const struct rf_client_ops ops = {
	.name = "IKE HA Mgr",
	.id = RF_CLIENT_IKE_HA,
	.ntypes = HA_IKE_MSG__MAX,
	.type_names = type_names,
	.bulk_send = bulk_send,
	.bulk_begin = bulk_begin,
	.recv = ha_ike_recv,
	.bulk_end = bulk_end,
	.writable = writable,
};

void ha_ike_reset(void)
{
	free(ike.dels);
	struct rf_client *rf = ike.rf;
	memset(&ike, 0, sizeof ike);
	ike.rf = rf;
	ike_sa_set_ha_hook(on_ike_change);
}

void ha_ike_init(void)
{
	ike.rf = rf_client_register(&ops, NULL);
	ike_sa_set_ha_hook(on_ike_change);
}
