/* Crypto maps at work (the security policy): every interface that carries
 * a crypto map gets a binding, the map's entries in sequence order, each
 * with the lines of its `match address` ACL compiled for the packet path.
 *
 *   outbound  the first entry whose ACL permits the packet protects it
 *             (a deny line sends it on to the next entry); with no SA
 *             yet the packet is dropped and, for an ipsec-isakmp entry,
 *             IKE is asked for one. No entry: the packet goes in clear.
 *   inbound   clear traffic that an entry would have protected, mirrored
 *             (from the remote proxy to the local one), is dropped.
 *
 * Only complete entries work (IOS: "This new crypto map will remain
 * disabled until a peer and a valid access list have been configured").
 * An ipsec-manual entry uses the first permit line of its ACL, as IOS
 * does. A dynamic-map reference protects what its SAs cover.
 *
 * Any configuration change marks the policy stale; it is rebuilt once, at
 * the next packet, show or turn of the loop, so a pasted configuration
 * costs one rebuild. Flows (show crypto ipsec sa's blocks, with their
 * counters) outlive rebuilds. Manually keyed SAs follow their entry; an
 * IKE SA lives out its lifetime when its entry changes, and goes
 * (SADB_DEL_CONFIG) when its map is no longer applied. */
#include "crypto_int.h"
#include "ipsec_int.h"
#include "../hsrp/hsrp.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

/* One line of an entry's ACL. Masks are the inverted wildcards, the
 * addresses already masked. */
struct spd_rule {
	bool permit;
	uint8_t proto;
	uint32_t src, smask, dst, dmask;
	struct acl_port sport, dport;
	struct ipsec_flow *flow;        /* permit lines of static entries */
};

struct spd_entry {
	const struct cmap_entry *cfg;
	struct spd_binding *b;
	struct spd_rule *rules;
	int nrules;
	uint32_t peer;                  /* static entries: the current peer */
	/* flows of this entry that are no permit line: SAs of a dynamic map,
	 * narrower proposals */
	struct ipsec_flow *xflows;
};

struct spd_binding {
	struct spd_binding *next;       /* the interface's next (gen_map.c's first) */
	struct iface *ifp;
	const struct cmap_binding *cfg;
	const struct crypto_map *map;
	uint32_t local;
	bool standby;                   /* its redundancy group is not Active */
	struct spd_entry *ent;
	int nent;
};

static struct {
	bool dirty, rebuilding;
	double cost;                    /* seconds the last rebuild took */
	ev_timer later;
	struct ipsec_flow *head, *tail;
	struct intmap by_sel;           /* sel_key() -> flows (hnext) */
	/* the bindings of the router's own maps: strict on every interface */
	struct spd_binding **strict;
	int nstrict, capstrict;
} spd;

/* ---- packets and selectors ------------------------------------------------------ */

void pkt_key_of(const uint8_t *pkt, size_t len, struct pkt_key *k)
{
	memcpy(&k->src, pkt + 12, 4);
	memcpy(&k->dst, pkt + 16, 4);
	k->proto = pkt[9];
	size_t ihl = (size_t)(pkt[0] & 15) * 4;
	bool first = (be16(pkt + 6) & 0x1fff) == 0;
	k->ports = (k->proto == 6 || k->proto == 17) && first &&
		   len >= ihl + 4;
	k->sport = k->ports ? be16(pkt + ihl) : 0;
	k->dport = k->ports ? be16(pkt + ihl + 2) : 0;
}

static bool proxy_covers(const struct sa_proxy *p, uint32_t addr, uint8_t proto,
		  uint16_t port, bool ports)
{
	if ((addr & p->mask) != (p->addr & p->mask))
		return false;
	if (p->proto && p->proto != proto)
		return false;
	return !p->port || (ports && p->port == port);
}

bool sel_covers(const struct sa_selector *sel, const struct pkt_key *k,
		bool inbound)
{
	uint32_t lo = inbound ? k->dst : k->src, re = inbound ? k->src : k->dst;
	uint16_t lp = inbound ? k->dport : k->sport;
	uint16_t rp = inbound ? k->sport : k->dport;
	return proxy_covers(&sel->local, lo, k->proto, lp, k->ports) &&
	       proxy_covers(&sel->remote, re, k->proto, rp, k->ports);
}

static bool sel_eq(const struct sa_selector *a, const struct sa_selector *b)
{
	return !memcmp(a, b, sizeof *a);
}

/* The proxy identities a permit line makes: wildcards become masks, and
 * a port only an "eq" names (IOS proposes no ranges). */
static struct sa_selector rule_selector(const struct spd_rule *r)
{
	struct sa_selector s;
	memset(&s, 0, sizeof s);
	s.local = (struct sa_proxy){r->src, r->smask, r->proto,
				    r->sport.op == ACL_PORT_EQ ? r->sport.lo : 0};
	s.remote = (struct sa_proxy){r->dst, r->dmask, r->proto,
				     r->dport.op == ACL_PORT_EQ ? r->dport.lo : 0};
	return s;
}

/* ---- flows ---------------------------------------------------------------------- */

struct ipsec_flow *flows_first(void)
{
	return spd.head;
}

/* A flow is found by its selector and seq: one SA added, or one permit
 * line compiled, costs the flows that share them, not every flow. */
static uint64_t sel_key(unsigned seq, const struct sa_selector *s)
{
	const uint32_t w[] = {
		s->local.addr, s->local.mask,
		(uint32_t)s->local.proto << 16 | s->local.port,
		s->remote.addr, s->remote.mask,
		(uint32_t)s->remote.proto << 16 | s->remote.port,
	};
	uint64_t h = seq;
	for (size_t i = 0; i < sizeof w / sizeof w[0]; i++) {
		h = (h ^ w[i]) * 0x9e3779b97f4a7c15ull;
		h ^= h >> 29;
	}
	return h;
}

/* The oldest flow of MAP, SEQ and SEL from LOCAL, else the oldest from
 * any address (the chain is newest first: the last match is the oldest). */
static struct ipsec_flow *flow_find(const char *map, unsigned seq,
				    const struct sa_selector *sel,
				    uint32_t local)
{
	struct ipsec_flow *any = NULL, *mine = NULL;
	for (struct ipsec_flow *f = intmap_get(&spd.by_sel, sel_key(seq, sel)); f;
	     f = f->hnext)
		if (f->seq == seq && sel_eq(&f->sel, sel) && !strcmp(f->map, map)) {
			any = f;
			if (f->local == local)
				mine = f;
		}
	return mine ? mine : any;
}

static struct ipsec_flow *flow_new(const char *ifname, const char *map,
				   unsigned seq, const struct sa_selector *sel)
{
	static unsigned serial;
	struct ipsec_flow *f = xcalloc(1, sizeof *f);
	f->serial = ++serial;
	snprintf(f->ifname, sizeof f->ifname, "%s", ifname);
	snprintf(f->map, sizeof f->map, "%s", map);
	f->seq = seq;
	f->sel = *sel;
	struct ipsec_flow *end = NULL;
	DLIST_INSERT_BEFORE(spd.head, spd.tail, end, f);
	uint64_t k = sel_key(seq, sel);
	f->hnext = intmap_get(&spd.by_sel, k);
	if (f->hnext)
		f->hnext->hprev = f;
	intmap_put(&spd.by_sel, k, f);
	return f;
}

static void xflow_unlink(struct ipsec_flow *f)
{
	if (!f->owner)
		return;
	if (f->xprev)
		f->xprev->xnext = f->xnext;
	else
		f->owner->xflows = f->xnext;
	if (f->xnext)
		f->xnext->xprev = f->xprev;
	f->owner = NULL;
	f->xnext = f->xprev = NULL;
}

static void xflow_link(struct spd_entry *e, struct ipsec_flow *f)
{
	f->owner = e;
	f->xprev = NULL;
	f->xnext = e->xflows;
	if (e->xflows)
		e->xflows->xprev = f;
	e->xflows = f;
}

static void flow_free(struct ipsec_flow *f)
{
	xflow_unlink(f);
	manual_forget(f);
	DLIST_REMOVE(spd.head, spd.tail, f);
	if (f->hnext)
		f->hnext->hprev = f->hprev;
	if (f->hprev)
		f->hprev->hnext = f->hnext;
	else if (f->hnext)
		intmap_put(&spd.by_sel, sel_key(f->seq, &f->sel), f->hnext);
	else
		intmap_del(&spd.by_sel, sel_key(f->seq, &f->sel));
	free(f);
}

void flow_attach(struct ipsec_flow *f, struct xf_sa *x)
{
	x->flow_next = f->sas;
	f->sas = x;
	if (x->sa->d.peer)
		f->peer = x->sa->d.peer;
}

/* A flow that no permit line holds goes with its last SA. */
void flow_detach(struct ipsec_flow *f, struct xf_sa *x)
{
	for (struct xf_sa **p = &f->sas; *p; p = &(*p)->flow_next)
		if (*p == x) {
			*p = x->flow_next;
			break;
		}
	if (!f->sas && (!f->from_acl || !f->live))
		flow_free(f);
}

static bool usable_out(const struct ipsec_sa *sa, uint8_t proto)
{
	return !sa->d.inbound && sa->d.proto == proto &&
	       sa->d.status == SA_STATUS_ACTIVE && !sadb_expired(sa);
}

/* Newest first: during a rekey the successor carries the traffic. The
 * AH of an AH+ESP bundle is the one of the ESP SA's bundle. */
void flow_out_sas(struct ipsec_flow *f, struct ipsec_sa **esp,
		  struct ipsec_sa **ah)
{
	*esp = *ah = NULL;
	for (struct xf_sa *x = f->sas; x && !*esp; x = x->flow_next)
		if (usable_out(x->sa, 50))
			*esp = x->sa;
	for (struct xf_sa *x = f->sas; x && !*ah; x = x->flow_next)
		if (usable_out(x->sa, 51) &&
		    (!*esp || x->sa->d.bundle == (*esp)->d.bundle))
			*ah = x->sa;
}

struct ipsec_flow *flow_by_peer(uint32_t local, uint32_t peer)
{
	for (struct ipsec_flow *f = spd.head; f; f = f->next)
		if (f->local == local && f->peer == peer)
			return f;
	return NULL;
}

/* ---- bindings -------------------------------------------------------------------- */

struct spd_binding *spd_binding_of(const struct iface *ifp)
{
	return iface_ext(ifp, IFEXT_CRYPTO);
}

struct spd_binding *spd_binding_next(const struct spd_binding *b)
{
	return b->next;
}

uint32_t spd_binding_local(const struct spd_binding *b)
{
	return b->local;
}

static struct spd_entry *binding_entry(struct spd_binding *b, unsigned seq)
{
	for (int i = 0; i < b->nent; i++)
		if (b->ent[i].cfg->seq == seq)
			return &b->ent[i];
	return NULL;
}

/* The binding that serves SAs of MAP from LOCAL (or any that has MAP). */
static struct spd_binding *binding_for(const char *map, uint32_t local)
{
	struct spd_binding *any = NULL;
	for (struct iface *ifp = iface_first(); ifp; ifp = iface_next(ifp))
		for (struct spd_binding *b = spd_binding_of(ifp); b; b = b->next)
			if (!strcmp(b->cfg->map, map)) {
				if (b->local == local)
					return b;
				any = any ? any : b;
			}
	return any;
}

/* Not rebuilt here (an SA being installed must not see SAs pruned under
 * it): a flow made now for a permit line that the pending rebuild brings
 * becomes that line's flow then. */
struct ipsec_flow *flow_for_sa(const struct ipsec_sa *sa)
{
	const struct ipsec_sa_data *d = &sa->d;
	struct ipsec_flow *f = flow_find(d->map, d->map_seq, &d->sel, d->local);
	if (f)
		return f;
	struct spd_binding *b = binding_for(d->map, d->local);
	const char *ifname = "";
	if (b)
		ifname = iface_name(b->ifp);
	else if (iface_by_addr(d->local))
		ifname = iface_name(iface_by_addr(d->local));
	f = flow_new(ifname, d->map, d->map_seq, &d->sel);
	f->local = d->local;
	f->peer = d->peer;
	struct spd_entry *e = b ? binding_entry(b, d->map_seq) : NULL;
	f->live = e != NULL;
	if (e)
		xflow_link(e, f);
	return f;
}

uint32_t flow_current_peer(const char *map, unsigned seq)
{
	for (const struct ipsec_flow *f = spd.head; f; f = f->next)
		if (f->sas && f->seq == seq && !strcmp(f->map, map))
			return f->peer;
	return 0;
}

uint32_t cmap_entry_peer(const struct cmap_entry *e)
{
	uint32_t a;
	for (int i = 0; i < e->npeer; i++)
		if (!e->peer_dynamic[i] && ip_parse(e->peer[i], &a))
			return a;
	return 0;
}

/* ---- compiling an entry ------------------------------------------------------------- */

struct compile {
	struct spd_entry *e;
	bool first_permit_only;
};

static bool add_rule(const struct acl_rule *r, void *ctx)
{
	struct compile *c = ctx;
	struct spd_entry *e = c->e;
	e->rules = xrealloc(e->rules, (size_t)(e->nrules + 1) * sizeof *e->rules);
	struct spd_rule *s = &e->rules[e->nrules++];
	memset(s, 0, sizeof *s);
	s->permit = r->permit;
	s->proto = r->proto;
	s->smask = ~r->src_wild;
	s->src = r->src & s->smask;
	s->dmask = ~r->dst_wild;
	s->dst = r->dst & s->dmask;
	s->sport = r->sport;
	s->dport = r->dport;
	return !(c->first_permit_only && r->permit);
}

static void compile_acl(struct spd_entry *e, const char *name, bool first_only)
{
	struct acl *acl = name ? acl_find(name) : NULL;
	if (!acl)
		return;
	struct compile c = {e, first_only};
	acl_foreach(acl, add_rule, &c);
}

/* The router's own entries bring their lines with them. */
static void compile_entry(struct spd_entry *se, const struct cmap_entry *e)
{
	if (!e->nrules) {
		compile_acl(se, e->acl, e->type == CMAP_MANUAL);
		return;
	}
	struct compile c = {se, false};
	cmap_entry_rules(e, add_rule, &c);
}

/* Complete as IOS means it: what the entry needs before it does anything. */
static bool entry_complete(const struct cmap_entry *e)
{
	if (e->type == CMAP_ISAKMP_DYNAMIC)
		return crypto_dynamic_map_find(e->dynamic) != NULL;
	if (e->blocked)
		return e->nrules > 0;
	return e->npeer && (e->nrules || (e->acl && acl_find(e->acl))) &&
	       e->ntset;
}

/* Permit lines of a static entry become flows while the map is applied. */
static void entry_flows(struct spd_binding *b, struct spd_entry *se)
{
	const struct cmap_entry *e = se->cfg;
	for (int i = 0; i < se->nrules; i++) {
		struct spd_rule *r = &se->rules[i];
		if (!r->permit)
			continue;
		struct sa_selector sel = rule_selector(r);
		struct ipsec_flow *f = flow_find(b->cfg->map, e->seq, &sel,
						 b->local);
		if (!f || !f->from_acl) {
			if (f)
				xflow_unlink(f);   /* an SA's flow becomes a line's */
			else
				f = flow_new(iface_name(b->ifp), b->cfg->map,
					     e->seq, &sel);
		}
		snprintf(f->ifname, sizeof f->ifname, "%s", iface_name(b->ifp));
		f->from_acl = true;
		f->live = true;
		f->manual = e->type == CMAP_MANUAL;
		if (!f->manual && f->manual_tmpl)
			manual_drop(f);    /* the entry is no longer manual */
		f->local = b->local;
		if (!f->sas)
			f->peer = se->peer;
		r->flow = f;
	}
}

static void entry_build(struct spd_binding *b, const struct cmap_entry *e)
{
	b->ent = xrealloc(b->ent, (size_t)(b->nent + 1) * sizeof *b->ent);
	struct spd_entry *se = &b->ent[b->nent++];
	memset(se, 0, sizeof *se);
	se->cfg = e;
	se->b = b;
	if (e->type == CMAP_ISAKMP_DYNAMIC) {
		/* the template's own ACLs: traffic they permit waits for a
		 * peer to come (dropped), the rest of the template's entries
		 * protect what their SAs cover */
		const struct crypto_map *dm = crypto_dynamic_map_find(e->dynamic);
		for (const struct cmap_entry *t = dm->entries; t; t = t->next)
			compile_acl(se, t->acl, false);
		return;
	}
	se->peer = cmap_entry_peer(e);
	compile_entry(se, e);
	/* a blocked entry's lines have no flow: what they permit is dropped
	 * and no SA is asked for */
	if (!e->blocked)
		entry_flows(b, se);
}

/* The local crypto end point: `crypto map NAME local-address IF`, the
 * redundancy group's virtual address, or the interface's own. */
static uint32_t binding_local(const struct cmap_binding *cb,
			      const struct crypto_map *m, struct iface *ifp,
			      bool *standby)
{
	*standby = false;
	if (cb->redundancy) {
		struct hsrp_group_info g;
		if (hsrp_group_lookup(cb->redundancy, &g)) {
			*standby = g.state != HSRP_ACTIVE;
			if (g.vip)
				return g.vip;
		}
	}
	if (m->local_ip)
		return m->local_ip;
	if (m->local_address) {
		struct iface *la = iface_find(m->local_address);
		if (la && iface_addr(la))
			return iface_addr(la);
	}
	return iface_addr(ifp);
}

uint32_t crypto_binding_local(const struct cmap_binding *cb, bool *standby)
{
	bool sb;
	struct iface *ifp = iface_find(cb->ifname);
	const struct crypto_map *m = crypto_map_find(cb->map);
	uint32_t local = ifp && m ? binding_local(cb, m, ifp, &sb) : 0;
	if (standby)
		*standby = local && sb;
	return local;
}

static void binding_free_one(struct spd_binding *b)
{
	for (int i = 0; i < b->nent; i++) {
		struct spd_entry *e = &b->ent[i];
		while (e->xflows)
			xflow_unlink(e->xflows);
		free(e->rules);
	}
	free(b->ent);
	free(b);
}

/* An interface's bindings, all of them. */
static void binding_free(struct spd_binding *b)
{
	while (b) {
		struct spd_binding *next = b->next;
		binding_free_one(b);
		b = next;
	}
}

static void strict_add(struct spd_binding *b)
{
	if (spd.nstrict == spd.capstrict) {
		spd.capstrict = spd.capstrict ? spd.capstrict * 2 : 4;
		spd.strict = xrealloc(spd.strict, (size_t)spd.capstrict *
				      sizeof *spd.strict);
	}
	spd.strict[spd.nstrict++] = b;
}

static void binding_build(const struct cmap_binding *cb)
{
	struct iface *ifp = iface_find(cb->ifname);
	const struct crypto_map *m = crypto_map_find(cb->map);
	if (!ifp || !m)
		return;
	struct spd_binding *b = xcalloc(1, sizeof *b);
	b->ifp = ifp;
	b->cfg = cb;
	b->map = m;
	b->local = binding_local(cb, m, ifp, &b->standby);
	/* after the interface's others: the router's own come first in the
	 * walk, so they are built first and match first */
	struct spd_binding *last = spd_binding_of(ifp);
	if (!last)
		iface_set_ext(ifp, IFEXT_CRYPTO, b);
	while (last && last->next)
		last = last->next;
	if (last)
		last->next = b;
	if (cb->generated && !cb->vti)
		strict_add(b);
	for (const struct cmap_entry *e = m->entries; e; e = e->next)
		if (entry_complete(e))
			entry_build(b, e);
}

/* Flows that are no permit line join their entry again, if it is still
 * applied. */
static void relink_xflows(void)
{
	for (struct ipsec_flow *f = spd.head; f; f = f->next) {
		/* a manual flow's SAs are its permit line's: they go with it */
		if ((f->from_acl && f->live) || f->manual)
			continue;
		f->from_acl = false;
		/* SAs of no crypto map (map ""): not the policy's to prune */
		if (!f->map[0]) {
			f->live = true;
			continue;
		}
		/* live while its map is applied: an entry that changed or went
		 * leaves its SAs to their lifetime, as on IOS */
		struct spd_binding *b = binding_for(f->map, f->local);
		struct spd_entry *e = b ? binding_entry(b, f->seq) : NULL;
		f->live = b != NULL;
		if (e)
			xflow_link(e, f);
	}
}

/* Delete every SA of F, with their bundles. F goes with its last SA, so
 * what to delete is noted first. */
static void delete_sas_of(struct ipsec_flow *f)
{
	uint32_t bundles[32];
	int nb = 0;
	struct xf_sa *x = f->sas;
	while (x && nb < 32) {
		uint32_t bundle = x->sa->d.bundle;
		if (!bundle) {
			struct ipsec_sa *sa = x->sa;
			x = x->flow_next;
			sadb_delete(sa, SADB_DEL_CONFIG);   /* may free F */
			if (!x)
				break;
			continue;
		}
		bool seen = false;
		for (int i = 0; i < nb; i++)
			seen |= bundles[i] == bundle;
		if (!seen)
			bundles[nb++] = bundle;
		x = x->flow_next;
	}
	for (int i = 0; i < nb; i++)
		sadb_delete_bundle(bundles[i], SADB_DEL_CONFIG);
}

/* Flows whose map went lose their SAs (and go with them); permit-line
 * flows with none left go now. */
static void prune_flows(void)
{
	for (struct ipsec_flow *f = spd.head, *next; f; f = next) {
		next = f->next;
		if (f->live)
			continue;
		if (!f->sas) {
			flow_free(f);
			continue;
		}
		/* deleting may free NEXT too (a bundle's SAs in two flows):
		 * start over from the head */
		delete_sas_of(f);
		next = spd.head;
	}
}

static void manual_sync_binding(struct spd_binding *b)
{
	for (int i = 0; i < b->nent; i++) {
		struct spd_entry *e = &b->ent[i];
		if (e->cfg->type != CMAP_MANUAL)
			continue;
		for (int k = 0; k < e->nrules; k++)
			if (e->rules[k].flow)
				manual_sync_flow(e->rules[k].flow, e->cfg,
						 b->local, e->peer);
	}
}

static void rebuild(void)
{
	double t0 = ev_time();
	spd.rebuilding = true;
	spd.dirty = false;
	ev_timer_stop(core_loop, &spd.later);
	for (struct ipsec_flow *f = spd.head; f; f = f->next)
		f->live = false;
	for (struct iface *ifp = iface_first(); ifp; ifp = iface_next(ifp)) {
		struct spd_binding *b = spd_binding_of(ifp);
		if (b) {
			iface_set_ext(ifp, IFEXT_CRYPTO, NULL);
			binding_free(b);
		}
	}
	spd.nstrict = 0;
	gen_maps_sync();
	for (const struct cmap_binding *cb = crypto_binding_first(); cb;
	     cb = crypto_binding_next(cb))
		binding_build(cb);
	relink_xflows();
	prune_flows();
	for (struct iface *ifp = iface_first(); ifp; ifp = iface_next(ifp))
		for (struct spd_binding *b = spd_binding_of(ifp); b; b = b->next)
			manual_sync_binding(b);
	spd.rebuilding = false;
	rri_sync();
	spd.cost = ev_time() - t0;
}

void spd_sync(void)
{
	if (spd.dirty && !spd.rebuilding)
		rebuild();
}

void spd_mark_dirty(void)
{
	if (spd.dirty)
		return;
	spd.dirty = true;
	/* A rebuild of a small policy is at once. A big one (thousands of
	 * entries) waits ten times what the last one took, so a pasted
	 * configuration is not rebuilt after each of its lines; a packet or
	 * a show that needs the policy rebuilds it first (spd_sync). */
	ev_timer_set(&spd.later, spd.cost > 0.001 ? spd.cost * 10 : 0.0, 0.0);
	ev_timer_start(core_loop, &spd.later);
}

/* ---- the packet path's questions ----------------------------------------------------- */

static bool rule_match(const struct spd_rule *r, const struct pkt_key *k)
{
	if ((k->src & r->smask) != r->src || (k->dst & r->dmask) != r->dst)
		return false;
	if (r->proto && r->proto != k->proto)
		return false;
	if (r->sport.op == ACL_PORT_ANY && r->dport.op == ACL_PORT_ANY)
		return true;
	return k->ports && acl_port_match(&r->sport, k->sport) &&
	       acl_port_match(&r->dport, k->dport);
}

/* The first line of E that K matches, NULL when none. */
static const struct spd_rule *entry_match(const struct spd_entry *e,
					  const struct pkt_key *k)
{
	for (int i = 0; i < e->nrules; i++)
		if (rule_match(&e->rules[i], k))
			return &e->rules[i];
	return NULL;
}

static struct ipsec_flow *xflow_covering(const struct spd_entry *e,
					 const struct pkt_key *k, bool inbound,
					 bool need_sa)
{
	for (struct ipsec_flow *f = e->xflows; f; f = f->xnext) {
		if (!sel_covers(&f->sel, k, inbound))
			continue;
		struct ipsec_sa *esp, *ah;
		flow_out_sas(f, &esp, &ah);
		if (!need_sa || esp || ah)
			return f;
	}
	return NULL;
}

static bool flow_ready(struct ipsec_flow *f)
{
	struct ipsec_sa *esp, *ah;
	flow_out_sas(f, &esp, &ah);
	return esp || ah;
}

enum spd_verdict spd_out(struct spd_binding *b, const struct pkt_key *k,
			 struct ipsec_flow **flow,
			 const struct cmap_entry **entry, uint32_t *peer)
{
	for (int i = 0; i < b->nent; i++) {
		struct spd_entry *e = &b->ent[i];
		struct ipsec_flow *x = xflow_covering(e, k, false, true);
		if (e->cfg->type == CMAP_ISAKMP_DYNAMIC && x) {
			*flow = x;
			return SPD_PROTECT;
		}
		const struct spd_rule *r = entry_match(e, k);
		if (!r || !r->permit)
			continue;
		if (r->flow && flow_ready(r->flow)) {
			*flow = r->flow;
			return SPD_PROTECT;
		}
		if (x) {
			*flow = x;
			return SPD_PROTECT;
		}
		*flow = r->flow;
		*entry = e->cfg->type == CMAP_ISAKMP && !b->standby &&
			 !e->cfg->blocked ? e->cfg : NULL;
		*peer = e->peer;
		return SPD_DROP;
	}
	return SPD_BYPASS;
}

bool spd_in_wants_ipsec(struct spd_binding *b, const struct pkt_key *k)
{
	/* an inbound packet matches the ACL mirrored */
	struct pkt_key m = {
		.src = k->dst, .dst = k->src, .proto = k->proto,
		.sport = k->dport, .dport = k->sport, .ports = k->ports,
	};
	for (int i = 0; i < b->nent; i++) {
		struct spd_entry *e = &b->ent[i];
		if (xflow_covering(e, k, true, false))
			return true;
		const struct spd_rule *r = entry_match(e, &m);
		if (r && r->permit)
			return true;
	}
	return false;
}

/* The router's own maps, wherever a packet comes or goes: clear traffic
 * they protect is refused on any interface, and their traffic leaves only
 * through them (the binding whose lines K matches, NULL when none). */
struct spd_binding *spd_strict_in(const struct pkt_key *k)
{
	for (int i = 0; i < spd.nstrict; i++)
		if (spd_in_wants_ipsec(spd.strict[i], k))
			return spd.strict[i];
	return NULL;
}

bool spd_strict_any(void)
{
	return spd.nstrict > 0;
}

bool spd_strict_out(const struct pkt_key *k)
{
	for (int i = 0; i < spd.nstrict; i++) {
		const struct spd_binding *b = spd.strict[i];
		for (int j = 0; j < b->nent; j++) {
			const struct spd_rule *r = entry_match(&b->ent[j], k);
			if (r && r->permit)
				return true;
		}
	}
	return false;
}

bool spd_binding_generated(const struct spd_binding *b)
{
	return b->cfg->generated;
}

const char *spd_binding_map(const struct spd_binding *b)
{
	return b->cfg->map;
}

/* ---- reverse route injection ------------------------------------------------------------ */

static bool dynmap_injects(const struct cmap_entry *ref)
{
	const struct crypto_map *dm = crypto_dynamic_map_find(ref->dynamic);
	for (const struct cmap_entry *t = dm ? dm->entries : NULL; t; t = t->next)
		if (t->rri != RRI_OFF)
			return true;
	return false;
}

/* A static entry's routes follow its permit lines while the map is
 * applied: to each remote proxy out of the interface (IOS 12.4 static
 * RRI), or through the next hop `reverse-route remote-peer A` names, or
 * through the peer itself. A dynamic map's follow its SAs, through the
 * peer that made them. A standby router of a redundancy group injects
 * nothing. */
static void entry_routes(const struct spd_binding *b, const struct spd_entry *e,
			 spd_route_fn fn, void *ctx)
{
	const struct cmap_entry *c = e->cfg;
	if (c->type == CMAP_ISAKMP_DYNAMIC) {
		if (!dynmap_injects(c))
			return;
		for (const struct ipsec_flow *f = e->xflows; f; f = f->xnext)
			if (f->sas && f->peer)
				fn(f->sel.remote.addr & f->sel.remote.mask,
				   f->sel.remote.mask, f->peer, NULL, ctx);
		return;
	}
	if (c->rri == RRI_OFF)
		return;
	for (int i = 0; i < e->nrules; i++) {
		const struct spd_rule *r = &e->rules[i];
		if (!r->permit || !mask_is_contiguous(r->dmask))
			continue;
		if (c->rri == RRI_REMOTE_PEER)
			fn(r->dst, r->dmask, c->rri_gateway ? c->rri_gateway
							    : e->peer, NULL, ctx);
		else
			fn(r->dst, r->dmask, 0, b->ifp, ctx);
	}
}

void spd_rri_routes(spd_route_fn fn, void *ctx)
{
	spd_sync();
	for (struct iface *ifp = iface_first(); ifp; ifp = iface_next(ifp))
		for (const struct spd_binding *b = spd_binding_of(ifp); b;
		     b = b->next)
			for (int i = 0; !b->standby && i < b->nent; i++)
				entry_routes(b, &b->ent[i], fn, ctx);
}

/* ---- events and lifecycle -------------------------------------------------------------- */

static void later(struct ev_loop *loop, ev_timer *w, int revents)
{
	spd_sync();
}

static void on_change(enum core_event ev, void *data, void *ctx)
{
	spd_mark_dirty();
}

/* Only the groups a map is bound to matter (their state and virtual
 * address): a router with thousands of other HSRP groups must not
 * rebuild its policy at each of their state changes. */
static void on_hsrp(enum core_event ev, void *data, void *ctx)
{
	const struct hsrp_event *he = data;
	for (const struct cmap_binding *cb = crypto_binding_first(); cb;
	     cb = crypto_binding_next(cb))
		if (cb->redundancy && he->name && !strcmp(cb->redundancy, he->name)) {
			spd_mark_dirty();
			return;
		}
}

/* The interface goes: its binding must not outlive it. */
static void on_iface_removed(enum core_event ev, void *data, void *ctx)
{
	struct iface *ifp = data;
	struct spd_binding *b = spd_binding_of(ifp);
	for (int i = 0; i < spd.nstrict; i++)
		if (spd.strict[i]->ifp == ifp)
			spd.strict[i--] = spd.strict[--spd.nstrict];
	if (b) {
		iface_set_ext(ifp, IFEXT_CRYPTO, NULL);
		binding_free(b);
	}
	spd_mark_dirty();
}

void spd_reset(void)
{
	for (struct iface *ifp = iface_first(); ifp; ifp = iface_next(ifp)) {
		struct spd_binding *b = spd_binding_of(ifp);
		if (b) {
			iface_set_ext(ifp, IFEXT_CRYPTO, NULL);
			binding_free(b);
		}
	}
	while (spd.head) {
		/* sadb_reset ran first: no SA is left to point here */
		for (struct xf_sa *x = spd.head->sas; x; x = x->flow_next)
			x->flow = NULL;
		flow_free(spd.head);
	}
	intmap_clear(&spd.by_sel);
	spd.nstrict = 0;
	gen_maps_reset();
	spd.dirty = false;
	spd.cost = 0;
	ev_timer_stop(core_loop, &spd.later);
}

void spd_init(void)
{
	ev_timer_init(&spd.later, later, 0.0, 0.0);
	static const enum core_event evs[] = {
		EVT_CONFIG_CHANGED, EVT_IFACE_ADDED, EVT_IFACE_ADDR,
	};
	for (size_t i = 0; i < sizeof evs / sizeof evs[0]; i++)
		core_subscribe(evs[i], on_change, NULL);
	core_subscribe(EVT_HSRP_GROUP_STATE, on_hsrp, NULL);
	core_subscribe(EVT_HSRP_GROUP_NAME, on_hsrp, NULL);
	core_subscribe(EVT_IFACE_REMOVED, on_iface_removed, NULL);
}
