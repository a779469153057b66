/* RF client "IPsec HA Mgr" (121): the IPsec SAs of stateful virtual IPs
 * to the standby, one message per bundle (the SAs one Quick Mode made:
 * ESP and/or AH, both ways), so a standby holds a bundle whole or not
 * at all.
 *
 * ADD_BUNDLE carries what defines the SAs (SPIs, transforms, keys, mode,
 * end points and NAT-T ports, proxies, lifetimes with the age, replay
 * state and bytes). UPDATE_SA carries the replay and kilobyte state of
 * one SA, sent when its sequence number has advanced by the map's
 * `redundancy replay-interval` (inbound 1000, outbound 100000 by
 * default) since the last one. DELETE_SA names one SA.
 *
 * On takeover the new active starts each outbound SA two intervals
 * beyond the last value it heard: the old active may have sent up to an
 * interval more before its next update, and that update may have been
 * on the wire when it died; so no sequence number (no GCM nonce) is
 * used twice under one key. Each inbound SA's window starts at the last
 * value heard, everything at or below it taken as seen: the peer's next
 * packets are above it. */
#include "crypto_int.h"
#include "ha_int.h"
#include "ipsec_int.h"
#include "sadb.h"

#include <openssl/crypto.h>
#include <stdio.h>

#include "../ha/ha.h"
#include "../ipc/ipc.h"

#define RF_CLIENT_IPSEC_HA 121
#define BUNDLE_MAX 8

struct ipsec_del {
	uint32_t vip, addr, spi;
	uint8_t proto;
	bool inbound;
};

static struct {
	struct rf_client *rf;
	struct ha_seq seq;
	bool bulk;
	struct ipsec_sa *bulk_next;
	uint32_t *pending;          /* bundles whose ADD is due */
	int npending, cappending;
	struct ipsec_del *dels;
	int ndels, capdels;
	ev_timer flush;
} ips;

static bool eligible(const struct ipsec_sa *sa)
{
	return sa->d.status == SA_STATUS_ACTIVE && ha_is_stateful_vip(sa->d.local);
}

uint64_t ha_ipsec_interval(const struct ipsec_sa *sa)
{
	const struct crypto_map *m = crypto_map_find(sa->d.map);
	if (sa->d.inbound)
		return m ? crypto_map_replay_in(m) : CMAP_REPLAY_IN_DEFAULT;
	return m ? crypto_map_replay_out(m) : CMAP_REPLAY_OUT_DEFAULT;
}

static uint64_t kb_left(const struct ipsec_sa *sa)
{
	uint64_t used = sa->d.bytes / 1024;
	return sa->d.life_kb > used ? sa->d.life_kb - used : 0;
}

/* The standby holds SA as of now: the next update is due one interval on. */
static void mark_sent(struct ipsec_sa *sa)
{
	sa->ha.managed = true;
	sa->ha.seq_sent = sa->d.seq;
	sa->ha.kb_sent = kb_left(sa);
	uint64_t iv = ha_ipsec_interval(sa);
	sa->ha.sync_at = iv ? sa->d.seq + iv : 0;
}

/* ---- the active: messages --------------------------------------------------------- */

static void put_proxy(struct ha_out *o, uint16_t att, const struct sa_proxy *p)
{
	uint8_t b[11];
	memcpy(b, &p->addr, 4);
	memcpy(b + 4, &p->mask, 4);
	b[8] = p->proto;
	b[9] = (uint8_t)(p->port >> 8);
	b[10] = (uint8_t)p->port;
	ha_out_put(o, att, b, sizeof b);
}

static void put_sa_head(struct ha_out *o, const struct ipsec_sa_data *d)
{
	uint8_t b[6] = {d->proto, d->inbound, (uint8_t)(d->spi >> 24),
			(uint8_t)(d->spi >> 16), (uint8_t)(d->spi >> 8),
			(uint8_t)d->spi};
	ha_out_put(o, HA_IPSEC_ATT_SA, b, sizeof b);
}

static int send_bundle(struct ipsec_sa *first, uint8_t flags)
{
	const struct ipsec_sa_data *d = &first->d;
	struct ha_out o;
	ha_out_begin(&o, HA_IPSEC_MSG_ADD_BUNDLE, HA_FLAG_ACTIVE | flags, d->local);
	ha_out_put(&o, HA_IPSEC_ATT_LOCAL, &d->local, 4);
	ha_out_put(&o, HA_IPSEC_ATT_PEER, &d->peer, 4);
	ha_out_u16(&o, HA_IPSEC_ATT_LOCAL_PORT, d->local_port);
	ha_out_u16(&o, HA_IPSEC_ATT_PEER_PORT, d->peer_port);
	put_proxy(&o, HA_IPSEC_ATT_LOCAL_PROXY, &d->sel.local);
	put_proxy(&o, HA_IPSEC_ATT_REMOTE_PROXY, &d->sel.remote);
	ha_out_u8(&o, HA_IPSEC_ATT_MODE, d->tunnel ? 1 : 2);
	ha_out_put(&o, HA_IPSEC_ATT_MAP, d->map, strnlen(d->map, sizeof d->map));
	ha_out_u32(&o, HA_IPSEC_ATT_MAP_SEQ, d->map_seq);
	ha_out_put(&o, HA_IPSEC_ATT_IKE_COOKIES, d->ike_cookies, 16);
	ha_out_u16(&o, HA_IPSEC_ATT_PFS, (uint16_t)d->pfs_group);
	ha_out_u32(&o, HA_IPSEC_ATT_LIFE_SECS, d->life_secs);
	ha_out_u64(&o, HA_IPSEC_ATT_LIFE_KB, d->life_kb);
	double age = core_uptime() - d->created;
	ha_out_u32(&o, HA_IPSEC_ATT_AGE_MS, (uint32_t)(age > 0 ? age * 1000 : 0));
	for (const struct ipsec_sa *sa = first; sa; sa = sa->next_in_bundle) {
		const struct ipsec_sa_data *s = &sa->d;
		put_sa_head(&o, s);
		ha_out_u8(&o, HA_IPSEC_ATT_ENC, (uint8_t)s->enc);
		ha_out_u8(&o, HA_IPSEC_ATT_AUTH, (uint8_t)s->auth);
		ha_out_u16(&o, HA_IPSEC_ATT_ENC_BITS, (uint16_t)s->enc_bits);
		if (s->enc_key_len)
			ha_out_put(&o, HA_IPSEC_ATT_ENC_KEY, s->enc_key, s->enc_key_len);
		if (s->auth_key_len)
			ha_out_put(&o, HA_IPSEC_ATT_AUTH_KEY, s->auth_key,
				   s->auth_key_len);
		ha_out_u64(&o, HA_IPSEC_ATT_SEQ, s->seq);
		ha_out_u16(&o, HA_IPSEC_ATT_WINDOW, (uint16_t)s->window_size);
		ha_out_u64(&o, HA_IPSEC_ATT_BYTES, s->bytes);
	}
	if (ha_ipsec_debug) {
		log_debug("IPSec HA (crypto_ha_ipsec_notify_add_sa):called");
		log_debug("IPSec HA (crypto_ha_ipsec_notify_add_sa):New IPsec SA "
			  "added... notifying HA Mgr");
	}
	int rc = ha_send(ips.rf, &ips.seq, &ha_ipsec_names, &o,
			 "Sending IPsec Add Bundle Message");
	OPENSSL_cleanse(o.b, o.len);
	if (rc == IPC_SENT)
		for (struct ipsec_sa *sa = first; sa; sa = sa->next_in_bundle)
			mark_sent(sa);
	return rc;
}

static void update_debug(const struct ipsec_sa *sa, uint64_t last)
{
	const char *dir = sa->d.inbound ? "inbound" : "outbound";
	unsigned long long kb = kb_left(sa), seq = sa->d.seq;
	log_debug("IPSec HA(check_and_send_replay_update):Replay triggered "
		  "update seq_num %llu last-sent %llu dir %s", seq,
		  (unsigned long long)last, dir);
	log_debug("IPSec HA(create_update_struct):Sending %s update", dir);
	log_debug("IPSec HA(send_update_struct):Outbound - New KB %llu, New "
		  "replay %llu\nInbound - New KB %llu, New replay %llu",
		  sa->d.inbound ? 0 : kb, sa->d.inbound ? 0 : seq,
		  sa->d.inbound ? kb : 0, sa->d.inbound ? seq : 0);
}

static int send_update(struct ipsec_sa *sa)
{
	struct ha_out o;
	ha_out_begin(&o, HA_IPSEC_MSG_UPDATE_SA, HA_FLAG_ACTIVE, sa->d.local);
	put_sa_head(&o, &sa->d);
	ha_out_put(&o, HA_IPSEC_ATT_LOCAL, &sa->d.local, 4);
	ha_out_put(&o, HA_IPSEC_ATT_PEER, &sa->d.peer, 4);
	ha_out_u64(&o, HA_IPSEC_ATT_SEQ, sa->d.seq);
	ha_out_u64(&o, HA_IPSEC_ATT_BYTES, sa->d.bytes);
	uint64_t last = sa->ha.seq_sent;
	int rc = ha_send(ips.rf, &ips.seq, &ha_ipsec_names, &o,
			 "Sending IPsec Update SA Message");
	if (rc != IPC_SENT)
		return rc;
	if (ha_ipsec_update)
		update_debug(sa, last);
	ha_counters.replay_updates_sent++;
	mark_sent(sa);
	return rc;
}

static int send_delete(const struct ipsec_del *del)
{
	struct ha_out o;
	ha_out_begin(&o, HA_IPSEC_MSG_DELETE_SA, HA_FLAG_ACTIVE, del->vip);
	struct ipsec_sa_data d = {.proto = del->proto, .inbound = del->inbound,
				  .spi = del->spi};
	put_sa_head(&o, &d);
	ha_out_put(&o, del->inbound ? HA_IPSEC_ATT_LOCAL : HA_IPSEC_ATT_PEER,
		   &del->addr, 4);
	return ha_send(ips.rf, &ips.seq, &ha_ipsec_names, &o,
		       "Sending IPsec Delete SA Message");
}

/* ---- the active: following the SADB ------------------------------------------------- */

/* Has the bulk passed BUNDLE's first SA (so its changes are ours)? */
static bool behind_bulk(const struct ipsec_sa *first)
{
	return !ips.bulk || !ips.bulk_next || first->ord < ips.bulk_next->ord;
}

static void flush(void)
{
	int i = 0;
	for (; i < ips.npending; i++) {
		struct ipsec_sa *first = sadb_bundle_first(ips.pending[i]);
		if (!first || !eligible(first) || !behind_bulk(first) ||
		    !rf_peer_syncing())
			continue;
		if (send_bundle(first, 0) == IPC_FULL)
			break;
	}
	if (i) {
		memmove(ips.pending, ips.pending + i,
			(size_t)(ips.npending - i) * sizeof *ips.pending);
		ips.npending -= i;
	}
	int k = 0;
	while (k < ips.ndels && send_delete(&ips.dels[k]) != IPC_FULL)
		k++;
	if (k) {
		memmove(ips.dels, ips.dels + k,
			(size_t)(ips.ndels - k) * sizeof *ips.dels);
		ips.ndels -= k;
	}
}

static void flush_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	flush();
}

/* The SAs of a negotiation are installed one after another in one turn
 * of the loop: the bundle goes out once they all are. */
static void flush_soon(void)
{
	if (!ev_is_active(&ips.flush)) {
		ev_timer_set(&ips.flush, 0.0, 0.0);
		ev_timer_start(core_loop, &ips.flush);
	}
}

static void queue_bundle(uint32_t bundle)
{
	for (int i = ips.npending; i-- > 0;)
		if (ips.pending[i] == bundle)
			return;
	if (ips.npending == ips.cappending) {
		ips.cappending = ips.cappending ? ips.cappending * 2 : 16;
		ips.pending = xrealloc(ips.pending, (size_t)ips.cappending *
							    sizeof *ips.pending);
	}
	ips.pending[ips.npending++] = bundle;
	flush_soon();
}

static void queue_delete(const struct ipsec_sa *sa)
{
	if (ips.ndels == ips.capdels) {
		ips.capdels = ips.capdels ? ips.capdels * 2 : 16;
		ips.dels = xrealloc(ips.dels, (size_t)ips.capdels * sizeof *ips.dels);
	}
	ips.dels[ips.ndels++] = (struct ipsec_del){
		sa->d.local, sa->d.inbound ? sa->d.local : sa->d.peer, sa->d.spi,
		sa->d.proto, sa->d.inbound};
	flush_soon();
}

static void on_sa(enum core_event ev, void *data, void *ctx)
{
	const struct sadb_event *e = data;
	struct ipsec_sa *sa = e->sa;
	switch (e->kind) {
	case SADB_EV_ADD:
		if (eligible(sa) && rf_peer_syncing())
			queue_bundle(sa->d.bundle);
		return;
	case SADB_EV_DEL:
		if (ips.bulk_next == sa)
			ips.bulk_next = sa->next;
		if (sa->ha.managed && sa->d.status == SA_STATUS_ACTIVE &&
		    rf_peer_syncing())
			queue_delete(sa);
		return;
	case SADB_EV_UPDATE:
		if (sa->ha.managed && sa->ha.sync_at && sa->d.seq >= sa->ha.sync_at &&
		    sa->d.status == SA_STATUS_ACTIVE && rf_peer_syncing())
			send_update(sa);       /* full: the next packet asks again */
		return;
	}
}

static void writable(void *ctx)
{
	flush();
}

/* Every bundle of the stateful VIPs, in installation order. */
static bool bulk_send(void *ctx, bool first)
{
	if (first) {
		ips.seq.tx = 0;
		ips.bulk = true;
		ips.npending = ips.ndels = 0;
		ips.bulk_next = NULL;
		for (struct ipsec_sa *sa = sadb_first(); sa; sa = sa->next) {
			sa->ha.managed = false;
			sa->ha.sync_at = 0;
		}
		ips.bulk_next = sadb_first();
		if (ha_ipsec_detail) {
			char b[16];
			for (const struct cmap_binding *cb =
				     crypto_binding_first();
			     cb; cb = crypto_binding_next(cb))
				if (cb->stateful)
					log_debug("IPSec HA (crypto_ha_ipsec_mgr_bulk_"
						  "sync_sas):Bulk sync request from "
						  "standby for local addr %s",
						  ip_fmt(crypto_binding_local(cb, NULL),
							 b));
		}
	}
	while (ips.bulk_next) {
		struct ipsec_sa *sa = ips.bulk_next;
		if (eligible(sa) && sadb_bundle_first(sa->d.bundle) == sa &&
		    send_bundle(sa, HA_FLAG_BULK) == IPC_FULL)
			return false;
		ips.bulk_next = sa->next;
	}
	ips.bulk = false;
	return true;
}

/* ---- the standby --------------------------------------------------------------------- */

static void drop_copies(void)
{
	for (struct ipsec_sa *sa = sadb_first(), *next; sa; sa = next) {
		next = sa->next;
		if (sa->d.status == SA_STATUS_STANDBY)
			sadb_delete(sa, SADB_DEL_CONFIG);
	}
}

static void bulk_begin(void *ctx)
{
	ips.seq.rx = 0;
	drop_copies();
}

static const char *bulk_end(void *ctx)
{
	return NULL;
}

static bool get_proxy(const struct ha_attr *a, struct sa_proxy *p)
{
	if (a->len != 11)
		return false;
	memcpy(&p->addr, a->v, 4);
	memcpy(&p->mask, a->v + 4, 4);
	p->proto = a->v[8];
	p->port = (uint16_t)(a->v[9] << 8 | a->v[10]);
	return true;
}

static bool get_sa_head(const struct ha_attr *a, struct ipsec_sa_data *d)
{
	if (a->len != 6 || (a->v[0] != 50 && a->v[0] != 51) || a->v[1] > 1)
		return false;
	d->proto = a->v[0];
	d->inbound = a->v[1];
	d->spi = (uint32_t)a->v[2] << 24 | (uint32_t)a->v[3] << 16 |
		 (uint32_t)a->v[4] << 8 | a->v[5];
	return d->spi >= 256;
}

#define BIT(a) (1ull << (a))
static const uint64_t BUNDLE_NEEDS =
	BIT(HA_IPSEC_ATT_LOCAL) | BIT(HA_IPSEC_ATT_PEER) |
	BIT(HA_IPSEC_ATT_LOCAL_PROXY) | BIT(HA_IPSEC_ATT_REMOTE_PROXY) |
	BIT(HA_IPSEC_ATT_MODE) | BIT(HA_IPSEC_ATT_MAP) |
	BIT(HA_IPSEC_ATT_MAP_SEQ) | BIT(HA_IPSEC_ATT_LIFE_SECS) |
	BIT(HA_IPSEC_ATT_LIFE_KB) | BIT(HA_IPSEC_ATT_AGE_MS);
static const uint64_t SA_NEEDS =
	BIT(HA_IPSEC_ATT_ENC) | BIT(HA_IPSEC_ATT_AUTH) | BIT(HA_IPSEC_ATT_SEQ) |
	BIT(HA_IPSEC_ATT_WINDOW);

struct bundle_in {
	struct ipsec_sa_data base, sa[BUNDLE_MAX];
	uint64_t seen_sa[BUNDLE_MAX];
	int n;
	uint64_t seen;
	uint32_t age_ms;
};

/* One attribute of the bundle (before its first SA) or of its last SA. */
static bool bundle_attr(struct bundle_in *b, const struct ha_attr *a)
{
	struct ipsec_sa_data *d = b->n ? &b->sa[b->n - 1] : &b->base;
	uint8_t u8 = 0;
	uint16_t u16 = 0;
	uint32_t u32 = 0;
	bool ok = true;
	if (a->type == HA_IPSEC_ATT_SA) {
		if (b->n == BUNDLE_MAX)
			return false;
		b->sa[b->n] = b->base;
		if (!get_sa_head(a, &b->sa[b->n]))
			return false;
		b->seen_sa[b->n++] = 0;
		return true;
	}
	switch (a->type) {
	case HA_IPSEC_ATT_LOCAL:
		ok = !b->n && a->len == 4 && memcpy(&d->local, a->v, 4);
		break;
	case HA_IPSEC_ATT_PEER:
		ok = !b->n && a->len == 4 && memcpy(&d->peer, a->v, 4);
		break;
	case HA_IPSEC_ATT_LOCAL_PORT:
		ok = ha_attr_u16(a, &d->local_port);
		break;
	case HA_IPSEC_ATT_PEER_PORT:
		ok = ha_attr_u16(a, &d->peer_port);
		break;
	case HA_IPSEC_ATT_LOCAL_PROXY:
		ok = get_proxy(a, &d->sel.local);
		break;
	case HA_IPSEC_ATT_REMOTE_PROXY:
		ok = get_proxy(a, &d->sel.remote);
		break;
	case HA_IPSEC_ATT_MODE:
		ok = ha_attr_u8(a, &u8) && (u8 == 1 || u8 == 2);
		d->tunnel = u8 == 1;
		break;
	case HA_IPSEC_ATT_MAP:
		ok = a->len && a->len < sizeof d->map;
		if (ok) {
			memcpy(d->map, a->v, a->len);
			d->map[a->len] = '\0';
		}
		break;
	case HA_IPSEC_ATT_MAP_SEQ:
		ok = ha_attr_u32(a, &u32);
		d->map_seq = u32;
		break;
	case HA_IPSEC_ATT_IKE_COOKIES:
		ok = a->len == 16 && memcpy(d->ike_cookies, a->v, 16);
		break;
	case HA_IPSEC_ATT_PFS:
		ok = ha_attr_u16(a, &u16);
		d->pfs_group = u16;
		break;
	case HA_IPSEC_ATT_LIFE_SECS:
		ok = ha_attr_u32(a, &d->life_secs);
		break;
	case HA_IPSEC_ATT_LIFE_KB:
		ok = ha_attr_u64(a, &d->life_kb);
		break;
	case HA_IPSEC_ATT_AGE_MS:
		ok = ha_attr_u32(a, &b->age_ms);
		break;
	case HA_IPSEC_ATT_ENC:
		ok = b->n && ha_attr_u8(a, &u8) && u8 <= XF_COMP_LZS;
		d->enc = (enum xform)u8;
		break;
	case HA_IPSEC_ATT_AUTH:
		ok = b->n && ha_attr_u8(a, &u8) && u8 <= XF_COMP_LZS;
		d->auth = (enum xform)u8;
		break;
	case HA_IPSEC_ATT_ENC_BITS:
		ok = ha_attr_u16(a, &u16);
		d->enc_bits = u16;
		break;
	case HA_IPSEC_ATT_ENC_KEY:
		ok = b->n && a->len && a->len <= SA_ENC_KEY_MAX;
		if (ok) {
			memcpy(d->enc_key, a->v, a->len);
			d->enc_key_len = (uint8_t)a->len;
		}
		break;
	case HA_IPSEC_ATT_AUTH_KEY:
		ok = b->n && a->len && a->len <= SA_AUTH_KEY_MAX;
		if (ok) {
			memcpy(d->auth_key, a->v, a->len);
			d->auth_key_len = (uint8_t)a->len;
		}
		break;
	case HA_IPSEC_ATT_SEQ:
		ok = ha_attr_u64(a, &d->seq) && d->seq <= UINT32_MAX;
		break;
	case HA_IPSEC_ATT_WINDOW:
		ok = ha_attr_u16(a, &u16) && u16 <= SA_REPLAY_MAX;
		d->window_size = u16;
		break;
	case HA_IPSEC_ATT_BYTES:
		ok = ha_attr_u64(a, &d->bytes);
		break;
	default:
		return true;            /* a newer sender's: ignored */
	}
	if (ok && a->type < 64)
		*(b->n ? &b->seen_sa[b->n - 1] : &b->seen) |= 1ull << a->type;
	return ok;
}

/* An SA's keys are all there: those its transforms need, no fewer. */
static bool keys_whole(const struct ipsec_sa_data *d)
{
	bool cipher = d->proto == 50 && d->enc != XF_NONE && d->enc != XF_ESP_NULL;
	return (d->proto == 51 ? d->enc == XF_NONE && d->auth != XF_NONE
			       : d->enc != XF_NONE) &&
	       (cipher ? d->enc_key_len > 0 : d->enc_key_len == 0) &&
	       ((d->auth != XF_NONE) == (d->auth_key_len > 0));
}

/* The standby's copy of an SA it held already (a bundle sent again). */
static struct ipsec_sa *copy_of(const struct ipsec_sa_data *d)
{
	return d->inbound ? sadb_in_find(d->local, d->proto, d->spi)
			  : sadb_out_find_spi(d->peer, d->proto, d->spi);
}

static void install_bundle(struct bundle_in *b, uint32_t vip)
{
	const struct ipsec_sa_data *base = &b->base;
	if (ha_ipsec_debug || ha_ipsec_detail) {
		log_debug("IPSec HA (crypto_ha_ipsec_mgr_recv_add_sas):HA mgr "
			  "wants to insert the following bundle");
		log_debug("IPSec HA (crypto_ha_ipsec_gen_sa):Sending Kei to IPSec "
			  "num_kei %d", b->n);
	}
	for (int i = 0; i < b->n; i++) {
		struct ipsec_sa *old = copy_of(&b->sa[i]);
		if (old && old->d.status != SA_STATUS_STANDBY) {
			ha_counters.rx_refused++;
			return;           /* an SPI this router uses itself */
		}
		if (old)
			sadb_delete_bundle(old->d.bundle, SADB_DEL_CONFIG);
	}
	uint32_t bundle = sadb_bundle_alloc();
	double created = core_uptime() - b->age_ms / 1000.0;
	for (int i = 0; i < b->n; i++) {
		struct ipsec_sa_data *d = &b->sa[i];
		d->bundle = bundle;
		d->created = created;
		d->status = SA_STATUS_STANDBY;
		struct ipsec_sa *sa = sadb_add(d);
		if (!sa) {
			/* the data path refused it (this router's maps or
			 * transforms differ): none of the bundle is kept */
			ha_counters.rx_refused++;
			sadb_delete_bundle(bundle, SADB_DEL_CONFIG);
			ha_incomplete(vip, base->peer, "IPsec SA bundle");
			return;
		}
		sa->ha.managed = true;
		sa->ha.seq_sent = d->seq;
		sa->ha.kb_sent = kb_left(sa);
	}
	ha_counters.ipsec_added += (uint64_t)b->n;
}

static void recv_bundle(const struct ha_msg *m)
{
	struct bundle_in *b = xcalloc(1, sizeof *b);
	struct ha_attr_it it;
	struct ha_attr a;
	bool ok = true;
	ha_attr_begin(m, &it);
	while (ok && ha_attr_next(&it, &a) == 1)
		ok = bundle_attr(b, &a);
	ok = ok && b->n && (b->seen & BUNDLE_NEEDS) == BUNDLE_NEEDS &&
	     b->base.local == m->id;
	for (int i = 0; ok && i < b->n; i++)
		ok = (b->seen_sa[i] & SA_NEEDS) == SA_NEEDS && keys_whole(&b->sa[i]);
	if (ok)
		install_bundle(b, m->id);
	else
		ha_incomplete(m->id, b->base.peer, "IPsec SA bundle");
	OPENSSL_cleanse(b, sizeof *b);
	free(b);
}

/* An UPDATE or DELETE: one SA's head, its address (LOCAL inbound, PEER
 * outbound) and what else it says, into B->sa[0]; the standby copy it
 * names, or NULL (counted). */
static struct ipsec_sa *named_copy(const struct ha_msg *m, struct bundle_in *b)
{
	struct ha_attr_it it;
	struct ha_attr a;
	bool ok = true, addr = false;
	memset(b, 0, sizeof *b);
	ha_attr_begin(m, &it);
	while (ok && ha_attr_next(&it, &a) == 1) {
		if (a.type == HA_IPSEC_ATT_LOCAL || a.type == HA_IPSEC_ATT_PEER) {
			ok = a.len == 4 && b->n == 1;
			if (ok)
				memcpy(a.type == HA_IPSEC_ATT_LOCAL ? &b->sa[0].local
								    : &b->sa[0].peer,
				       a.v, 4);
			addr = true;
			continue;
		}
		ok = bundle_attr(b, &a);
	}
	if (!ok || b->n != 1 || !addr) {
		ha_counters.rx_malformed++;
		return NULL;
	}
	struct ipsec_sa *sa = copy_of(&b->sa[0]);
	if (!sa || sa->d.status != SA_STATUS_STANDBY) {
		ha_counters.rx_unknown_sa++;
		return NULL;
	}
	return sa;
}

static void recv_update(const struct ha_msg *m)
{
	struct bundle_in b;
	struct ipsec_sa *sa = named_copy(m, &b);
	const uint64_t need = BIT(HA_IPSEC_ATT_SEQ) | BIT(HA_IPSEC_ATT_BYTES);
	if (!sa)
		return;
	if ((b.seen_sa[0] & need) != need) {
		ha_counters.rx_malformed++;
		return;
	}
	const struct ipsec_sa_data *d = &b.sa[0];
	sa->d.seq = d->seq;
	sa->d.bytes = d->bytes;
	sa->ha.seq_sent = d->seq;
	sa->ha.kb_sent = kb_left(sa);
	ha_counters.ipsec_updated++;
	if (ha_ipsec_update) {
		log_debug("IPSec HA(crypto_ha_ipsec_mgr_recv_update_sa):called");
		log_debug("IPSec HA(crypto_ha_ipsec_mgr_recv_update_sa):UPDATING "
			  "%s SA:ip = %s, protocol = %u, spi = %X,NEW KB LIFE = "
			  "%llu,NEW REPLAY WINDOW START = %llu,",
			  d->inbound ? "INBOUND" : "OUTBOUND",
			  ip_fmt(d->inbound ? sa->d.local : sa->d.peer,
				 (char[16]){0}),
			  d->proto, d->spi, (unsigned long long)sa->ha.kb_sent,
			  (unsigned long long)d->seq);
	}
}

static void recv_delete(const struct ha_msg *m)
{
	struct bundle_in b;
	struct ipsec_sa *sa = named_copy(m, &b);
	if (!sa)
		return;
	sadb_delete(sa, SADB_DEL_PEER);
	ha_counters.ipsec_deleted++;
}

void ha_ipsec_recv(void *ctx, uint16_t type, const uint8_t *p, size_t len)
{
	struct ha_msg m;
	if (!ha_recv_check(&ha_ipsec_names, &ips.seq, type, HA_IPSEC_MSG__MAX,
			   p, len, &m))
		return;
	switch (m.type) {
	case HA_IPSEC_MSG_ADD_BUNDLE:
		recv_bundle(&m);
		return;
	case HA_IPSEC_MSG_UPDATE_SA:
		recv_update(&m);
		return;
	case HA_IPSEC_MSG_DELETE_SA:
		recv_delete(&m);
		return;
	}
}

/* ---- takeover ------------------------------------------------------------------------- */

static void activate(struct ipsec_sa *sa)
{
	uint64_t base = sa->d.seq > sa->ha.seq_sent ? sa->d.seq : sa->ha.seq_sent;
	if (sa->d.inbound) {
		sa->d.seq = base;
		unsigned words = (sa->d.window_size + 63) / 64;
		for (unsigned i = 0; i < words; i++)
			sa->d.window[i] = ~0ull;
	} else {
		uint64_t next = base + 2 * ha_ipsec_interval(sa);
		sa->d.seq = next < UINT32_MAX ? next : UINT32_MAX;
	}
	sa->d.status = SA_STATUS_ACTIVE;
	sa->soft_fired = false;
	sa->ha.managed = false;
	sa->ha.sync_at = 0;
	ha_counters.ipsec_activated++;
}

unsigned ha_ipsec_takeover(uint32_t vip)
{
	unsigned n = 0;
	for (struct ipsec_sa *sa = sadb_first(); sa; sa = sa->next)
		if (sa->d.status == SA_STATUS_STANDBY && sa->d.local == vip) {
			activate(sa);
			n++;
		}
	return n;
}

/* ---- registration ------------------------------------------------------------------- */

static const char *const type_names[] = {
	[HA_IPSEC_MSG_ADD_BUNDLE] = "HA_IPSEC_MSG_ADD_BUNDLE",
	[HA_IPSEC_MSG_UPDATE_SA] = "HA_IPSEC_MSG_UPDATE_SA",
	[HA_IPSEC_MSG_DELETE_SA] = "HA_IPSEC_MSG_DELETE_SA",
};

static const struct rf_client_ops ops = {
	.name = "IPsec HA Mgr",
	.id = RF_CLIENT_IPSEC_HA,
	.ntypes = HA_IPSEC_MSG__MAX,
	.type_names = type_names,
	.bulk_send = bulk_send,
	.bulk_begin = bulk_begin,
	.recv = ha_ipsec_recv,
	.bulk_end = bulk_end,
	.writable = writable,
};

void ha_ipsec_reset(void)
{
	ev_timer_stop(core_loop, &ips.flush);
	free(ips.pending);
	free(ips.dels);
	struct rf_client *rf = ips.rf;
	memset(&ips, 0, sizeof ips);
	ips.rf = rf;
	ev_timer_init(&ips.flush, flush_cb, 0.0, 0.0);
}

void ha_ipsec_init(void)
{
	ips.rf = rf_client_register(&ops, NULL);
	ev_timer_init(&ips.flush, flush_cb, 0.0, 0.0);
	core_subscribe(EVT_IPSEC_SA, on_sa, NULL);
}
