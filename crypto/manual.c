/* ipsec-manual crypto map entries: SAs made from `set session-key` with no
 * IKE. As IOS does, they exist as soon as the entry is complete and its
 * map is applied (the peer, the first permit line of the ACL, one
 * transform set, and every key that set needs, inbound and outbound);
 * they never expire; a change of anything they were made from replaces
 * them; `clear crypto sa` deletes them and the next rebuild installs them
 * again. All four (ESP and AH, both ways) are one bundle. */
#include "crypto_int.h"
#include "ipsec_int.h"

#include <openssl/crypto.h>

static bool key_fits(size_t have, size_t need)
{
	return need ? have >= need : have == 0;
}

/* One SA's data from a session key; false when the key does not fit the
 * transform (IOS takes the leading bytes of a longer key). */
static bool sa_from_key(struct ipsec_sa_data *d, const struct crypto_tset *t,
			const struct cmap_session_key *k, uint8_t proto,
			bool inbound)
{
	if (!k->set)
		return false;
	d->spi = k->spi;
	d->proto = proto;
	d->inbound = inbound;
	if (proto == 51) {
		d->auth = t->ah;
		size_t need = xf_auth_key_len(t->ah);
		if (!key_fits(k->auth_len, need))
			return false;
		memcpy(d->auth_key, k->auth, need);
		d->auth_key_len = (uint8_t)need;
		return true;
	}
	d->enc = t->esp_enc == XF_NONE ? XF_ESP_NULL : t->esp_enc;
	d->enc_bits = t->enc_bits;
	d->auth = t->esp_auth;
	size_t ne = xf_enc_key_len(d->enc, d->enc_bits);
	size_t na = xf_auth_key_len(d->auth);
	if (!key_fits(k->cipher_len, ne) || !key_fits(k->auth_len, na))
		return false;
	memcpy(d->enc_key, k->cipher, ne);
	d->enc_key_len = (uint8_t)ne;
	memcpy(d->auth_key, k->auth, na);
	d->auth_key_len = (uint8_t)na;
	return true;
}

static bool host_pair(const struct sa_selector *s, uint32_t local,
		      uint32_t peer)
{
	return s->local.mask == 0xffffffffu && s->remote.mask == 0xffffffffu &&
	       s->local.addr == local && s->remote.addr == peer;
}

/* The SAs the entry asks for, into T (at most 4); 0 when incomplete. */
static int templates(const struct ipsec_flow *f, const struct cmap_entry *e,
		     uint32_t local, uint32_t peer, struct ipsec_sa_data *t)
{
	const struct crypto_tset *ts = e->ntset ? crypto_tset_find(e->tset[0])
						: NULL;
	if (!ts || !local || !peer)
		return 0;
	bool esp = ts->esp_enc != XF_NONE || ts->esp_auth != XF_NONE;
	bool ah = ts->ah != XF_NONE;
	/* transport mode only carries the peers' own traffic (IOS falls
	 * back to tunnel mode for anything else) */
	bool tunnel = !ts->transport || !host_pair(&f->sel, local, peer);
	int n = 0;
	for (int dir = 0; dir < 2; dir++) {
		bool in = dir == 0;
		for (int p = 0; p < 2; p++) {
			bool is_ah = p == 1;
			if (is_ah ? !ah : !esp)
				continue;
			struct ipsec_sa_data *d = &t[n];
			memset(d, 0, sizeof *d);
			const struct cmap_session_key *k =
				&e->key[is_ah ? (in ? SK_IN_AH : SK_OUT_AH)
					      : (in ? SK_IN_ESP : SK_OUT_ESP)];
			if (!sa_from_key(d, ts, k, is_ah ? 51 : 50, in))
				return 0;
			d->tunnel = tunnel;
			d->local = local;
			d->peer = peer;
			d->sel = f->sel;
			/* replay detection stands on integrity: AH's, or ESP's,
			 * or the AH that wraps this ESP */
			bool integrity = is_ah || ah || d->auth != XF_NONE;
			d->window_size = integrity ? sadb_replay_window() : 0;
			snprintf(d->map, sizeof d->map, "%s", f->map);
			d->map_seq = f->seq;
			n++;
		}
	}
	return n;
}

static int flow_sa_count(const struct ipsec_flow *f)
{
	int n = 0;
	for (const struct xf_sa *x = f->sas; x; x = x->flow_next)
		n++;
	return n;
}

void manual_forget(struct ipsec_flow *f)
{
	if (!f->manual_tmpl)
		return;
	OPENSSL_cleanse(f->manual_tmpl, sizeof *f->manual_tmpl * 4);
	free(f->manual_tmpl);
	f->manual_tmpl = NULL;
	f->manual_n = 0;
}

static void remove_all(struct ipsec_flow *f)
{
	while (f->sas) {
		struct ipsec_sa *sa = f->sas->sa;
		if (sa->d.bundle)
			sadb_delete_bundle(sa->d.bundle, SADB_DEL_CONFIG);
		else
			sadb_delete(sa, SADB_DEL_CONFIG);
	}
}

void manual_drop(struct ipsec_flow *f)
{
	remove_all(f);
	manual_forget(f);
}

void manual_sync_flow(struct ipsec_flow *f, const struct cmap_entry *e,
		      uint32_t local, uint32_t peer)
{
	struct ipsec_sa_data t[4];
	int n = templates(f, e, local, peer, t);
	bool same = n && n == f->manual_n &&
		    !memcmp(t, f->manual_tmpl, (size_t)n * sizeof t[0]);
	if (same && flow_sa_count(f) == n) {
		OPENSSL_cleanse(t, sizeof t);
		return;
	}
	remove_all(f);
	manual_forget(f);
	if (!n)
		return;
	uint32_t bundle = sadb_bundle_alloc();
	double now = core_uptime();
	for (int i = 0; i < n; i++) {
		struct ipsec_sa_data d = t[i];
		d.bundle = bundle;
		d.created = now;
		if (!sadb_add(&d)) {
			/* an SPI another SA holds: the entry stays without */
			OPENSSL_cleanse(&d, sizeof d);
			remove_all(f);
			OPENSSL_cleanse(t, sizeof t);
			return;
		}
		OPENSSL_cleanse(&d, sizeof d);
	}
	f->manual_tmpl = xmalloc(sizeof t);
	memcpy(f->manual_tmpl, t, sizeof t);
	f->manual_n = n;
	OPENSSL_cleanse(t, sizeof t);
}
