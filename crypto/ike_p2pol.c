/* Phase 2 policy: transform sets as ISAKMP proposals and back, the
 * responder's choice among the peer's proposals (its order, each against
 * the entry's transform sets), and which crypto map entry takes a peer's
 * proxies: a static entry whose peer list names it and whose ACL covers
 * them, or a dynamic map template, which covers what it does not name. */
#include "ike_p2.h"
#include "../platform/platform.h"

#include <string.h>

bool p2_is_ah(enum xform x) { return x == XF_AH_MD5 || x == XF_AH_SHA; }

/* A transform set as a proposal. */
bool p2_tset_prop(const struct crypto_tset *t, struct qm_prop *p)
{
	memset(p, 0, sizeof *p);
	if (!t || t->comp != XF_NONE)
		return false;                /* IPComp is not negotiated here */
	p->ah = t->ah;
	p->enc = t->esp_enc;
	p->auth = t->esp_auth;
	if (p->enc == XF_NONE && p->auth != XF_NONE)
		p->enc = XF_ESP_NULL;        /* esp-sha-hmac alone: null cipher */
	p->bits = p->enc == XF_ESP_AES || p->enc == XF_ESP_GCM ? t->enc_bits : 0;
	p->transport = t->transport;
	return p->ah != XF_NONE || p->enc != XF_NONE;
}

bool p2_has_esp(const struct qm_prop *p) { return p->enc != XF_NONE; }

uint8_t p2_esp_id(enum xform x)
{
	switch (x) {
	case XF_ESP_DES: return ESP_DES;
	case XF_ESP_3DES: return ESP_3DES;
	case XF_ESP_AES: return ESP_AES;
	case XF_ESP_GCM: return ESP_AES_GCM_16;
	default: return ESP_NULL;
	}
}

uint16_t p2_auth_attr(enum xform x)
{
	switch (x) {
	case XF_ESP_MD5: case XF_AH_MD5: return P2_AUTH_MD5;
	case XF_ESP_SHA: case XF_AH_SHA: return P2_AUTH_SHA;
	case XF_ESP_SHA256: return P2_AUTH_SHA256;
	default: return 0;
	}
}

size_t p2_enc_key_len(enum xform x, unsigned bits)
{
	switch (x) {
	case XF_ESP_DES: return 8;
	case XF_ESP_3DES: return 24;
	case XF_ESP_AES: return bits / 8;
	case XF_ESP_GCM: return bits / 8 + 4;      /* and the salt */
	default: return 0;
	}
}

size_t p2_auth_key_len(enum xform x)
{
	switch (x) {
	case XF_ESP_MD5: case XF_AH_MD5: return 16;
	case XF_ESP_SHA: case XF_AH_SHA: return 20;
	case XF_ESP_SHA256: return 32;
	default: return 0;
	}
}

/* The encapsulation mode attribute, UDP-encapsulated with NAT-T. */
uint16_t p2_encap(const struct ike_sa *sa, bool transport)
{
	if (sa->d.natt & NATT_FLOATED) {
		if (sa->d.natt & NATT_RFC)
			return transport ? ENCAP_UDP_TRANSPORT : ENCAP_UDP_TUNNEL;
		return transport ? ENCAP_UDP_TRANSPORT_DRAFT
				 : ENCAP_UDP_TUNNEL_DRAFT;
	}
	return transport ? ENCAP_TRANSPORT : ENCAP_TUNNEL;
}


/* ---- parsing what the peer proposes ------------------------------------------------------------ */


void p2_attrs_parse(const struct isakmp_xf *x, struct p2_attrs *a, bool dbg)
{
	memset(a, 0, sizeof *a);
	struct isakmp_attr_it it = {x->attrs, x->alen};
	struct isakmp_attr at;
	unsigned life_type = 0;
	while (isakmp_attr_next(&it, &at) > 0) {
		switch (at.type) {
		case P2_LIFE_TYPE:
			life_type = at.val;
			if (dbg)
				IKE_DBG("ISAKMP:      SA life type in %s",
					at.val == LIFE_SECONDS ? "seconds"
							       : "kilobytes");
			break;
		case P2_LIFE_DUR:
			if (dbg)
				IKE_DBG("ISAKMP:      SA life duration (basic) of %u",
					at.val);
			if (life_type == LIFE_SECONDS)
				a->secs = at.big ? 0xffffffffu : at.val;
			else if (life_type == LIFE_KILOBYTES)
				a->kb = at.big ? UINT64_MAX : at.val;
			break;
		case P2_ENCAP:
			a->encap = (uint16_t)at.val;
			if (dbg)
				IKE_DBG("ISAKMP:      encaps is %u (%s)", at.val,
					at.val == ENCAP_TRANSPORT ||
					at.val == ENCAP_UDP_TRANSPORT ||
					at.val == ENCAP_UDP_TRANSPORT_DRAFT
					? "Transport" : "Tunnel");
			break;
		case P2_AUTH:
			a->auth = (uint16_t)at.val;
			if (dbg)
				IKE_DBG("ISAKMP:      authenticator is %s",
					at.val == P2_AUTH_MD5 ? "HMAC-MD5"
					: at.val == P2_AUTH_SHA ? "HMAC-SHA"
					: at.val == P2_AUTH_SHA256 ? "HMAC-SHA256"
					: "UNKNOWN");
			break;
		case P2_KEY_LEN:
			a->bits = at.val;
			if (dbg)
				IKE_DBG("ISAKMP:      key length is %u", at.val);
			break;
		case P2_GROUP:
			a->group = (uint16_t)at.val;
			if (dbg)
				IKE_DBG("ISAKMP:      group is %u", at.val);
			break;
		default:
			a->unknown = true;
			break;
		}
	}
}

static bool encap_ok(const struct ike_sa *sa, uint16_t encap, bool transport)
{
	if (encap == 0)
		encap = ENCAP_TUNNEL;            /* RFC 2407's default */
	bool udp = sa->d.natt & NATT_FLOATED;
	if (transport)
		return udp ? encap == ENCAP_UDP_TRANSPORT ||
			     encap == ENCAP_UDP_TRANSPORT_DRAFT
			   : encap == ENCAP_TRANSPORT;
	return udp ? encap == ENCAP_UDP_TUNNEL || encap == ENCAP_UDP_TUNNEL_DRAFT
		   : encap == ENCAP_TUNNEL;
}

/* Does one transform of a proposal part satisfy the transform set's
 * protocol? Lifetimes and the group are the caller's. */
bool p2_part_ok(const struct ike_sa *sa, const struct isakmp_prop *pr,
		    const struct qm_prop *want, int *which, struct p2_attrs *pa)
{
	bool ah = pr->proto == PROTO_AH;
	for (int i = 0; i < pr->nxf; i++) {
		const struct isakmp_xf *x = &pr->xf[i];
		struct p2_attrs a;
		IKE_SA_DBG(sa, "transform %u, %s", x->num,
			   ah ? (x->id == AH_MD5 ? "AH_MD5" : x->id == AH_SHA
				 ? "AH_SHA" : "AH_UNKNOWN")
			      : (x->id == ESP_DES ? "ESP_DES" : x->id == ESP_3DES
				 ? "ESP_3DES" : x->id == ESP_AES ? "ESP_AES"
				 : x->id == ESP_NULL ? "ESP_NULL"
				 : x->id == ESP_AES_GCM_16 ? "ESP_AES_GCM_16"
				 : "ESP_UNKNOWN"));
		IKE_DBG("ISAKMP:   attributes in transform:");
		p2_attrs_parse(x, &a, true);
		bool ok = !a.unknown && encap_ok(sa, a.encap, want->transport);
		if (ah)
			ok = ok && ((want->ah == XF_AH_MD5 && x->id == AH_MD5 &&
				     a.auth == P2_AUTH_MD5) ||
				    (want->ah == XF_AH_SHA && x->id == AH_SHA &&
				     a.auth == P2_AUTH_SHA)) && !a.bits;
		else
			ok = ok && x->id == p2_esp_id(want->enc) &&
			     a.auth == p2_auth_attr(want->auth) &&
			     a.bits == want->bits;
		IKE_SA_DBG(sa, "atts are %sacceptable.", ok ? "" : "not ");
		if (ok) {
			*which = i;
			*pa = a;
			return true;
		}
	}
	return false;
}

/* The parts of proposal number NUM, AH first. */
int p2_parts_of(const struct isakmp_sa *s, uint8_t num,
		    const struct isakmp_prop **ah, const struct isakmp_prop **esp)
{
	int n = 0;
	*ah = *esp = NULL;
	for (int i = 0; i < s->nprop; i++) {
		const struct isakmp_prop *pr = &s->prop[i];
		if (pr->num != num)
			continue;
		n++;
		if (pr->proto == PROTO_AH && !*ah && pr->spi_size == 4)
			*ah = pr;
		else if (pr->proto == PROTO_ESP && !*esp && pr->spi_size == 4)
			*esp = pr;
		else
			return -1;           /* IPComp, or a protocol twice */
	}
	return n;
}

uint32_t p2_spi_of(const struct isakmp_prop *pr)
{
	return (uint32_t)pr->spi[0] << 24 | (uint32_t)pr->spi[1] << 16 |
	       (uint32_t)pr->spi[2] << 8 | pr->spi[3];
}


static bool choose_tset(const struct ike_sa *sa, const struct cmap_entry *e,
			const struct isakmp_sa *s, struct choice *c)
{
	/* the peer's proposals in its order, each against our sets */
	for (int i = 0; i < s->nprop; i++) {
		uint8_t num = s->prop[i].num;
		if (i && s->prop[i - 1].num == num)
			continue;
		const struct isakmp_prop *ah, *esp;
		IKE_SA_DBG(sa, "Checking IPSec proposal %u", num);
		if (p2_parts_of(s, num, &ah, &esp) < 1)
			continue;
		for (int t = 0; t < e->ntset; t++) {
			struct qm_prop want;
			if (!p2_tset_prop(crypto_tset_find(e->tset[t]), &want) ||
			    (want.ah != XF_NONE) != (ah != NULL) ||
			    p2_has_esp(&want) != (esp != NULL))
				continue;
			struct p2_attrs aa = {0}, ea = {0};
			if (ah && !p2_part_ok(sa, ah, &want, &c->ah_xf, &aa))
				continue;
			if (esp && !p2_part_ok(sa, esp, &want, &c->esp_xf, &ea))
				continue;
			c->attrs = esp ? ea : aa;
			/* PFS: "set pfs" requires it with that group; without
			 * it the peer's choice is taken */
			unsigned g = c->attrs.group;
			if ((e->pfs_group && g != e->pfs_group) ||
			    (g && !ike_dh_supported(g)) ||
			    (ah && esp && aa.group != ea.group))
				continue;
			c->ah = ah;
			c->esp = esp;
			c->prop = want;
			c->prop.num = num;
			if (ah)
				c->prop.peer_ah = p2_spi_of(ah);
			if (esp)
				c->prop.peer_esp = p2_spi_of(esp);
			return true;
		}
	}
	return false;
}

/* ---- proxies against crypto ACLs --------------------------------------------------------------- */

struct acl_check {
	const struct sa_selector *sel;
	int verdict;                  /* 0 none, 1 permit, -1 deny */
};

static bool covers(uint32_t addr, uint32_t wild, const struct sa_proxy *p)
{
	uint32_t m = ~wild;
	return (p->addr & m) == (addr & m) && (p->mask & m) == m;
}

static bool port_covers(const struct acl_port *ap, uint16_t port)
{
	if (ap->op == ACL_PORT_ANY)
		return true;
	return port && acl_port_match(ap, port);
}

static bool acl_cover_fn(const struct acl_rule *r, void *ctx)
{
	struct acl_check *c = ctx;
	const struct sa_selector *s = c->sel;
	if (!covers(r->src, r->src_wild, &s->local) ||
	    !covers(r->dst, r->dst_wild, &s->remote))
		return true;
	if (r->proto && (r->proto != s->local.proto ||
			 r->proto != s->remote.proto))
		return true;
	if ((r->proto == 6 || r->proto == 17) &&
	    (!port_covers(&r->sport, s->local.port) ||
	     !port_covers(&r->dport, s->remote.port)))
		return true;
	c->verdict = r->permit ? 1 : -1;
	return false;
}

/* Does the entry's ACL (or its own lines) permit SEL? */
static bool acl_covers(const struct cmap_entry *e, const struct sa_selector *sel)
{
	struct acl_check c = {sel, 0};
	cmap_entry_rules(e, acl_cover_fn, &c);
	return c.verdict > 0;
}

static bool peer_listed(const struct cmap_entry *e, uint32_t peer)
{
	char b[16];
	ip_fmt(peer, b);
	for (int i = 0; i < e->npeer; i++)
		if (!strcmp(e->peer[i], b))
			return true;
	return false;
}

/* The entry (static, or a dynamic template) that takes PEER's request
 * for SEL, with the transform set it chose. */
const struct cmap_entry *p2_responder_entry(const struct ike_sa *sa,
						const struct sa_selector *sel,
						const struct isakmp_sa *s,
						struct choice *c,
						const struct cmap_entry **via,
						bool *proxy_ok)
{
	*proxy_ok = false;
	for (const struct cmap_binding *b = crypto_binding_first(); b;
	     b = crypto_binding_next(b)) {
		struct iface *ifp = iface_find(b->ifname);
		const struct crypto_map *m = crypto_map_find(b->map);
		/* the map applied where the IKE SA's address lives (a
		 * secondary address too) */
		if (!ifp || !m || (ike_local_addr_for(b->map) != sa->d.local &&
				   !iface_has_addr(ifp, sa->d.local)))
			continue;
		for (const struct cmap_entry *e = m->entries; e; e = e->next) {
			if (e->type == CMAP_ISAKMP) {
				if (e->blocked || !peer_listed(e, sa->d.peer) ||
				    !acl_covers(e, sel))
					continue;
				*proxy_ok = true;
				if (choose_tset(sa, e, s, c)) {
					*via = e;
					return e;
				}
				continue;
			}
			if (e->type != CMAP_ISAKMP_DYNAMIC)
				continue;
			const struct crypto_map *dm =
				crypto_dynamic_map_find(e->dynamic);
			for (const struct cmap_entry *t = dm ? dm->entries : NULL;
			     t; t = t->next) {
				if ((t->npeer && !peer_listed(t, sa->d.peer)) ||
				    (t->acl && !acl_covers(t, sel)))
					continue;
				*proxy_ok = true;
				if (choose_tset(sa, t, s, c)) {
					*via = e;
					return t;
				}
			}
		}
	}
	return NULL;
}

struct sel_list {
	struct sa_selector *v;
	int n, max;
};

static struct sa_proxy rule_proxy(uint32_t addr, uint32_t wild, uint8_t proto,
				  const struct acl_port *p)
{
	return (struct sa_proxy){addr & ~wild, ~wild, proto,
				 p->op == ACL_PORT_EQ ? p->lo : 0};
}

static bool sel_fn(const struct acl_rule *r, void *ctx)
{
	struct sel_list *l = ctx;
	if (!r->permit || l->n == l->max)
		return l->n < l->max;
	l->v[l->n++] = (struct sa_selector){
		rule_proxy(r->src, r->src_wild, r->proto, &r->sport),
		rule_proxy(r->dst, r->dst_wild, r->proto, &r->dport)};
	return true;
}

int ike_acl_selectors(const struct acl *acl, struct sa_selector *out, int max)
{
	struct sel_list l = {out, 0, max};
	acl_foreach(acl, sel_fn, &l);
	return l.n;
}
