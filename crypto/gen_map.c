/* The crypto maps the router makes itself, as IOS makes them from an ipsec
 * profile ("Map is a PROFILE INSTANCE"); they never appear in the
 * running-config, show crypto map lists them after the configured ones.
 *
 *   TunnelN-head-0   `tunnel protection ipsec profile P` on TunnelN: one
 *                    entry, peer the tunnel destination, protecting
 *                    "permit gre host SOURCE host DESTINATION" with P's
 *                    transform sets, applied to the tunnel (the GRE
 *                    packet is offered to the policy as leaving TunnelN).
 *                    P's `redundancy GROUP stateful` makes the binding
 *                    stateful: the source must be GROUP's virtual IP.
 *   IPC-head-0       `redundancy inter-device / security ipsec P`: on each
 *                    interface holding an IPC association's local-ip, an
 *                    entry per local-ip/remote-ip pair protecting their
 *                    SCTP ("permit 132 host L host R") with P's transform
 *                    sets, the `crypto isakmp key` of R authenticating;
 *                    its static RRI puts the host route to R out of that
 *                    interface. Box to box: no redundancy group, so the
 *                    HA manager never syncs these SAs.
 *
 * A map whose profile is missing (or has no transform set, or a stateful
 * tunnel whose source is not the virtual IP) is still made, BLOCKED: what
 * it would protect is dropped, never sent in clear. Both kinds are strict
 * (gen_strict): their traffic arriving in clear is dropped on whatever
 * interface it comes, so a standby never takes sync messages from outside
 * the protected channel. */
#include "crypto_int.h"
#include "ipsec_int.h"
#include "../ha/ha.h"
#include "../hsrp/hsrp.h"
#include "../ipc/ipc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TUNNEL_SEQ 65536u        /* IOS's number for a profile instance */
#define IPC_MAP "IPC-head-0"

static struct {
	struct crypto_map *maps;
	struct cmap_binding *binds;
	/* security ipsec: why the IPC traffic cannot be protected now ("" when
	 * it can), and what the strict check dropped */
	char ipc_block[160];
	char ipc_logged[160];    /* the last reason logged, once per change */
	uint64_t ipc_clear_drops;
	struct logged *tun_logged;  /* each tunnel's last problem logged */
} gen;

struct logged {
	char *ifname, *why;
	struct logged *next;
};

static void logged_free(struct logged **slot)
{
	struct logged *l = *slot;
	*slot = l->next;
	free(l->ifname);
	free(l->why);
	free(l);
}

/* A problem is logged when it appears or changes, not at every rebuild;
 * BLOCKS: the tunnel's traffic is dropped for it (else only its SAs are
 * not kept on the standby). */
static void tunnel_note(const char *ifname, const char *why, bool blocks)
{
	struct logged **slot = &gen.tun_logged;
	while (*slot && strcmp((*slot)->ifname, ifname))
		slot = &(*slot)->next;
	if (*slot && why && !strcmp((*slot)->why, why))
		return;
	if (*slot)
		logged_free(slot);
	if (!why)
		return;
	struct logged *l = xcalloc(1, sizeof *l);
	l->ifname = xstrdup(ifname);
	l->why = xstrdup(why);
	l->next = gen.tun_logged;
	gen.tun_logged = l;
	if (blocks)
		log_ios("CRYPTO-4-TUNNEL_PROTECTION_BLOCKED", "%s: %s; its traffic "
			"is dropped", ifname, why);
	else
		log_ios("CRYPTO-4-VTI_NOT_STATEFUL", "%s: %s; its SAs are not kept "
			"on the standby", ifname, why);
}

static void tunnel_problem(const char *ifname, const char *why)
{
	tunnel_note(ifname, why, true);
}

/* ---- building ----------------------------------------------------------------------------- */


/* The lists being made, appended in order. */
struct build {
	struct crypto_map *maps, **mt;
	struct cmap_binding *binds, **bt;
};

static struct crypto_map *map_new(struct build *bd, const char *name,
				  const char *profile)
{
	struct crypto_map *m = xcalloc(1, sizeof *m);
	m->name = xstrdup(name);
	m->profile = xstrdup(profile);
	*bd->mt = m;
	bd->mt = &m->next;
	return m;
}

/* An entry from profile P (NULL: missing, the entry blocks). */
static struct cmap_entry *entry_add(struct crypto_map *m, unsigned seq,
				    uint32_t peer, const struct ipsec_profile *p)
{
	struct cmap_entry *e = xcalloc(1, sizeof *e);
	char b[16];
	e->map = m;
	e->seq = seq;
	e->type = CMAP_ISAKMP;
	e->peer = xcalloc(1, sizeof *e->peer);
	e->peer_dynamic = xcalloc(1, sizeof *e->peer_dynamic);
	e->peer[0] = xstrdup(ip_fmt(peer, b));
	e->npeer = 1;
	if (p) {
		for (int i = 0; i < p->ntset; i++)
			e->tset[e->ntset++] = xstrdup(p->tset[i]);
		e->pfs_group = p->pfs_group;
		e->sa_seconds = p->sa_seconds;
		e->sa_kilobytes = p->sa_kilobytes;
		e->isakmp_profile = p->isakmp_profile ?
				    xstrdup(p->isakmp_profile) : NULL;
	}
	e->blocked = !p || !p->ntset;
	struct cmap_entry **slot = &m->entries;
	while (*slot)
		slot = &(*slot)->next;
	*slot = e;
	m->last = e;
	intmap_put(&m->by_seq, seq, e);
	return e;
}

/* "permit PROTO host SRC host DST" */
static void entry_rule(struct cmap_entry *e, uint8_t proto, uint32_t src,
		       uint32_t dst)
{
	e->rules = xrealloc(e->rules, (size_t)(e->nrules + 1) * sizeof *e->rules);
	e->rules[e->nrules++] = (struct acl_rule){
		.seq = (unsigned)(e->nrules + 1) * 10, .permit = true,
		.proto = proto, .src = src, .dst = dst,
	};
}

/* "permit ip any any": what a virtual tunnel interface protects. */
static void entry_rule_any(struct cmap_entry *e)
{
	entry_rule(e, 0, 0, 0);
	e->rules[e->nrules - 1].src_wild = e->rules[e->nrules - 1].dst_wild = ~0u;
}

/* MAP on IFNAME, once. */
static struct cmap_binding *bind(struct build *bd, const char *ifname,
				 const char *map)
{
	for (struct cmap_binding *b = bd->binds; b; b = b->next)
		if (!strcmp(b->ifname, ifname) && !strcmp(b->map, map))
			return b;
	struct cmap_binding *b = xcalloc(1, sizeof *b);
	b->ifname = xstrdup(ifname);
	b->map = xstrdup(map);
	b->generated = true;
	*bd->bt = b;
	bd->bt = &b->next;
	return b;
}

/* Why a stateful tunnel cannot use its source, or NULL. */
static const char *tunnel_source_problem(const struct iface *tun,
					 const struct ipsec_profile *p,
					 uint32_t src, char *buf, size_t n)
{
	struct hsrp_group_info g;
	char a[16], v[16];
	if (iface_tunnel_source_is_iface(tun)) {
		snprintf(buf, n, "tunnel source is an interface, not the virtual "
			 "IP address of redundancy group %s", p->redundancy);
		return buf;
	}
	if (!hsrp_group_lookup(p->redundancy, &g) || !g.vip) {
		snprintf(buf, n, "redundancy group %s has no virtual IP address",
			 p->redundancy);
		return buf;
	}
	if (g.vip != src) {
		snprintf(buf, n, "tunnel source %s is not the virtual IP address "
			 "%s of redundancy group %s", ip_fmt(src, a),
			 ip_fmt(g.vip, v), p->redundancy);
		return buf;
	}
	return NULL;
}

/* A VTI's SAs carry whole packets: IOS takes tunnel mode transform sets
 * only there. */
static const char *vti_mode_problem(const struct ipsec_profile *p, char *buf,
				    size_t n)
{
	for (int i = 0; p && i < p->ntset; i++) {
		const struct crypto_tset *t = crypto_tset_find(p->tset[i]);
		if (t && t->transport) {
			snprintf(buf, n, "transform set %s is in transport mode; a "
				 "virtual tunnel interface needs tunnel mode", t->name);
			return buf;
		}
	}
	return NULL;
}

/* A VTI's profile instance: any to any, never stateful (IOS: "IPSec
 * stateful failover is not supported with IPSec virtual tunnel
 * interfaces"). */
static void vti_map(struct iface *ifp, const struct ipsec_profile *p,
		    struct cmap_entry *e, struct cmap_binding *b)
{
	char why[200];
	entry_rule_any(e);
	b->vti = true;
	const char *bad = vti_mode_problem(p, why, sizeof why);
	e->blocked |= bad != NULL;
	if (!bad && p && p->redundancy) {
		snprintf(why, sizeof why, "stateful failover (redundancy %s) is not "
			 "supported on a virtual tunnel interface", p->redundancy);
		tunnel_note(iface_name(ifp), why, false);
	} else {
		tunnel_problem(iface_name(ifp), bad);
	}
}

static void tunnel_maps(struct build *bd)
{
	for (struct iface *ifp = iface_first(); ifp; ifp = iface_next(ifp)) {
		const char *pname = crypto_tunnel_protection(iface_name(ifp));
		uint32_t src, dst;
		if (!pname || !iface_tunnel_endpoints(ifp, &src, &dst) || !src)
			continue;
		const struct ipsec_profile *p = crypto_ipsec_profile_find(pname);
		char name[64], why[160];
		snprintf(name, sizeof name, "%s-head-0", iface_name(ifp));
		struct crypto_map *m = map_new(bd, name, pname);
		m->local_ip = src;
		struct cmap_entry *e = entry_add(m, TUNNEL_SEQ, dst, p);
		struct cmap_binding *b = bind(bd, iface_name(ifp), name);
		if (iface_tunnel_is_vti(ifp)) {
			vti_map(ifp, p, e, b);
			continue;
		}
		entry_rule(e, 47, src, dst);
		if (!p || !p->redundancy) {
			tunnel_problem(iface_name(ifp), NULL);
			continue;
		}
		/* the group named even when blocked: its changes rebuild */
		b->redundancy = xstrdup(p->redundancy);
		b->has_redundancy = true;
		const char *bad = tunnel_source_problem(ifp, p, src, why,
							sizeof why);
		tunnel_problem(iface_name(ifp), bad);
		e->blocked |= bad != NULL;
		b->stateful = p->stateful && !bad;
	}
}

/* ---- security ipsec ---------------------------------------------------------------------------- */

static void ipc_maps(struct build *bd)
{
	const char *pname = ha_security_profile();
	char b[16];
	gen.ipc_block[0] = '\0';
	if (!pname)
		return;
	const struct ipsec_profile *p = crypto_ipsec_profile_find(pname);
	if (!p)
		snprintf(gen.ipc_block, sizeof gen.ipc_block,
			 "profile %s not found", pname);
	else if (!p->ntset)
		snprintf(gen.ipc_block, sizeof gen.ipc_block,
			 "profile %s has no transform set", pname);
	struct crypto_map *m = NULL;
	unsigned seq = 0;
	for (const struct ipc_assoc_cfg *a = ipc_assoc_next(NULL); a;
	     a = ipc_assoc_next(a)) {
		const struct ipc_sctp_cfg *c = &a->sctp_cfg;
		int n = c->n_local_ip < c->n_remote_ip ? c->n_local_ip
							: c->n_remote_ip;
		for (int i = 0; a->sctp && i < n; i++) {
			struct iface *ifp = iface_by_addr(c->local_ip[i]);
			if (!ifp) {
				if (!gen.ipc_block[0])
					snprintf(gen.ipc_block,
						 sizeof gen.ipc_block,
						 "local-ip %s is on no interface",
						 ip_fmt(c->local_ip[i], b));
				continue;
			}
			if (!m) {
				m = map_new(bd, IPC_MAP, pname);
				m->local_ip = c->local_ip[i];
			}
			struct cmap_entry *e = entry_add(m, ++seq,
							 c->remote_ip[i], p);
			entry_rule(e, 132, c->local_ip[i], c->remote_ip[i]);
			e->rri = RRI_STATIC;     /* the host route to remote-ip */
			bind(bd, iface_name(ifp), IPC_MAP);
		}
	}
	if (gen.ipc_block[0] && strcmp(gen.ipc_block, gen.ipc_logged))
		log_ios("CRYPTO-4-IPC_SECURITY_BLOCKED", "security ipsec %s: %s; "
			"IPC traffic is dropped, not sent in clear", pname,
			gen.ipc_block);
	snprintf(gen.ipc_logged, sizeof gen.ipc_logged, "%s", gen.ipc_block);
}

/* ---- keeping what did not change ------------------------------------------------------------ */

/* Everything a map's entries are made of, as text. */
static void map_sig(const struct crypto_map *m, struct sbuf *b)
{
	sbuf_printf(b, "%s/%s/%08x", m->name, m->profile, m->local_ip);
	for (const struct cmap_entry *e = m->entries; e; e = e->next) {
		sbuf_printf(b, "|%u %s %d %u %u %lu %s %d %d", e->seq, e->peer[0],
			    e->blocked, e->pfs_group, e->sa_seconds,
			    e->sa_kilobytes,
			    e->isakmp_profile ? e->isakmp_profile : "-",
			    (int)e->rri, e->ntset);
		for (int i = 0; i < e->ntset; i++)
			sbuf_printf(b, " %s", e->tset[i]);
		for (int i = 0; i < e->nrules; i++)
			sbuf_printf(b, " %u:%08x/%08x:%08x/%08x", e->rules[i].proto,
				    e->rules[i].src, e->rules[i].src_wild,
				    e->rules[i].dst, e->rules[i].dst_wild);
	}
}

static bool map_same(const struct crypto_map *a, const struct crypto_map *b)
{
	struct sbuf x, y;
	sbuf_init(&x);
	sbuf_init(&y);
	map_sig(a, &x);
	map_sig(b, &y);
	bool same = !strcmp(x.s, y.s);
	sbuf_free(&x);
	sbuf_free(&y);
	return same;
}

/* NEW takes the place of OLD's maps; an old map equal to its new one
 * stays (pointers to its entries stay valid), the rest are freed. */
static void maps_replace(struct crypto_map *fresh)
{
	struct crypto_map *old = gen.maps, *out = NULL, **tail = &out;
	while (fresh) {
		struct crypto_map *n = fresh;
		fresh = n->next;
		n->next = NULL;
		struct crypto_map **o = &old;
		while (*o && strcmp((*o)->name, n->name))
			o = &(*o)->next;
		if (*o && map_same(*o, n)) {
			struct crypto_map *keep = *o;
			*o = keep->next;
			keep->next = NULL;
			cmap_map_free(n);
			n = keep;
		}
		*tail = n;
		tail = &n->next;
	}
	while (old) {
		struct crypto_map *n = old->next;
		cmap_map_free(old);
		old = n;
	}
	gen.maps = out;
}

void gen_maps_sync(void)
{
	struct build bd = {0};
	bd.mt = &bd.maps;
	bd.bt = &bd.binds;
	ipc_maps(&bd);
	tunnel_maps(&bd);
	maps_replace(bd.maps);
	while (gen.binds) {
		struct cmap_binding *b = gen.binds;
		gen.binds = b->next;
		cmap_binding_free(b);
	}
	gen.binds = bd.binds;
}

/* ---- lookups ------------------------------------------------------------------------------------ */

const struct crypto_map *gen_maps(void)
{
	return gen.maps;
}

const struct crypto_map *gen_map_find(const char *name)
{
	for (const struct crypto_map *m = gen.maps; m; m = m->next)
		if (!strcmp(m->name, name))
			return m;
	return NULL;
}

const struct cmap_binding *gen_bindings(void)
{
	return gen.binds;
}

void cmap_entry_rules(const struct cmap_entry *e, acl_rule_fn fn, void *ctx)
{
	if (e->nrules) {
		for (int i = 0; i < e->nrules; i++)
			if (!fn(&e->rules[i], ctx))
				return;
		return;
	}
	struct acl *acl = e->acl ? acl_find(e->acl) : NULL;
	if (acl)
		acl_foreach(acl, fn, ctx);
}

/* ---- show redundancy inter-device ---------------------------------------------------------------- */

/* An IPC pair with no SA yet: why its traffic cannot pass (WHY stays
 * empty when every pair has one). */
static void ipc_unprotected(char *why, size_t n)
{
	const struct crypto_map *m = gen_map_find(IPC_MAP);
	char b[16];
	for (const struct cmap_entry *e = m ? m->entries : NULL; e; e = e->next) {
		uint32_t peer = cmap_entry_peer(e);
		if (!flow_current_peer(IPC_MAP, e->seq)) {
			snprintf(why, n, "no IPsec SA with %s", ip_fmt(peer, b));
			return;
		}
	}
}

bool gen_ipc_clear_drop(void)
{
	gen.ipc_clear_drops++;
	return true;
}

static void ipc_security_show(struct sbuf *b)
{
	const char *pname = ha_security_profile();
	if (!pname) {
		sbuf_puts(b, "  Security: Not configured\n");
		return;
	}
	spd_sync();
	char why[200];
	snprintf(why, sizeof why, "%s", gen.ipc_block);
	if (!why[0])
		ipc_unprotected(why, sizeof why);
	if (why[0])
		sbuf_printf(b, "  Security: IPSec profile %s, IPC traffic "
			    "blocked: %s\n", pname, why);
	else
		sbuf_printf(b, "  Security: IPSec profile %s, IPC traffic "
			    "protected\n", pname);
	sbuf_printf(b, "    Clear-text IPC packets dropped: %llu\n",
		    (unsigned long long)gen.ipc_clear_drops);
}

void gen_maps_reset(void)
{
	maps_replace(NULL);
	while (gen.binds) {
		struct cmap_binding *b = gen.binds;
		gen.binds = b->next;
		cmap_binding_free(b);
	}
	while (gen.tun_logged)
		logged_free(&gen.tun_logged);
	gen.ipc_block[0] = gen.ipc_logged[0] = '\0';
	gen.ipc_clear_drops = 0;
}

void gen_maps_init(void)
{
	ha_set_security_show(ipc_security_show);
}
