/* The interfaces' addresses, indexed, so that neither question below walks
 * every interface (a 5,000-interface configuration asked both per line):
 *  - whose address is A? (iface_by_addr: the packet path asks it of every
 *    packet it receives): a hash of the exact addresses;
 *  - does subnet A/M overlap another interface's? (ip_overlap, at each
 *    `ip address` and `no shutdown`): a binary trie of the connected
 *    subnets, where the subnets containing A/M lie on the path to it and
 *    the ones inside it below it.
 * ip_cfg.c tells it of each address that comes or goes, so a change
 * costs the same however many addresses the interface has. */
#include "platform_int.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

/* One address of one interface. */
struct addr_ent {
	struct iface *ifp;
	uint32_t addr, mask;           /* network order */
	bool primary;
	struct addr_ent *same_addr;    /* other interfaces with this address */
	struct addr_ent *same_net;     /* other entries of this trie node */
};

/* A trie node: the subnet given by the path to it (bit 31 first). */
struct tnode {
	struct tnode *child[2];
	struct addr_ent *ents;         /* subnets of exactly this prefix */
};

static struct intmap by_addr;          /* address -> struct addr_ent chain */
static struct tnode *root;

static int bit_at(uint32_t host, int depth)
{
	return (int)(host >> (31 - depth)) & 1;
}

/* ---- the exact-address hash --------------------------------------------- */

static void addr_add(struct addr_ent *e)
{
	e->same_addr = intmap_get(&by_addr, e->addr);
	intmap_put(&by_addr, e->addr, e);
}

static void addr_del(struct addr_ent *e)
{
	struct addr_ent *head = intmap_get(&by_addr, e->addr);
	if (head == e) {
		if (e->same_addr)
			intmap_put(&by_addr, e->addr, e->same_addr);
		else
			intmap_del(&by_addr, e->addr);
		return;
	}
	for (struct addr_ent *x = head; x; x = x->same_addr)
		if (x->same_addr == e) {
			x->same_addr = e->same_addr;
			return;
		}
}

/* ---- the subnet trie ------------------------------------------------------ */

static void trie_add(struct addr_ent *e)
{
	uint32_t net = ntohl(e->addr & e->mask);
	int len = mask_len(e->mask);
	struct tnode **np = &root;
	for (int d = 0;; d++) {
		if (!*np)
			*np = xcalloc(1, sizeof **np);
		if (d == len)
			break;
		np = &(*np)->child[bit_at(net, d)];
	}
	e->same_net = (*np)->ents;
	(*np)->ents = e;
}

static void trie_del(struct addr_ent *e)
{
	uint32_t net = ntohl(e->addr & e->mask);
	int len = mask_len(e->mask);
	struct tnode **path[33];
	struct tnode **np = &root;
	for (int d = 0; d < len && *np; d++) {
		path[d] = np;
		np = &(*np)->child[bit_at(net, d)];
	}
	if (!*np)
		return;
	path[len] = np;
	for (struct addr_ent **ep = &(*np)->ents; *ep; ep = &(*ep)->same_net)
		if (*ep == e) {
			*ep = e->same_net;
			break;
		}
	/* prune the nodes left with nothing, deepest first */
	for (int d = len; d >= 0; d--) {
		struct tnode *n = *path[d];
		if (n->ents || n->child[0] || n->child[1])
			break;
		free(n);
		*path[d] = NULL;
	}
}

/* ---- keeping it in step ----------------------------------------------------- */

void addr_index_add(struct iface *ifp, uint32_t addr, uint32_t mask,
		    bool primary)
{
	struct addr_ent *e = xcalloc(1, sizeof *e);
	*e = (struct addr_ent){.ifp = ifp, .addr = addr, .mask = mask,
			       .primary = primary};
	addr_add(e);
	trie_add(e);
}

void addr_index_del(struct iface *ifp, uint32_t addr, bool primary)
{
	struct addr_ent *e = intmap_get(&by_addr, addr);
	while (e && (e->ifp != ifp || e->primary != primary))
		e = e->same_addr;
	if (!e)
		return;
	addr_del(e);
	trie_del(e);
	free(e);
}

void addr_index_clear(struct iface *ifp)
{
	if (ifp->addr)
		addr_index_del(ifp, ifp->addr, true);
	for (int k = 0; k < ifp->nsec; k++)
		addr_index_del(ifp, ifp->sec[k].addr, false);
}

/* ---- the questions ------------------------------------------------------------ */

/* Keep the candidate that comes first in show-run order: the answer the
 * former walk over the interface list gave. */
static void consider(struct iface **best, struct iface *ifp)
{
	if (!*best || iface_order_cmp(ifp, *best) < 0)
		*best = ifp;
}

struct iface *iface_by_addr(uint32_t addr)
{
	struct addr_ent *e = intmap_get(&by_addr, addr);
	if (!e || !e->same_addr)
		return e ? e->ifp : NULL;
	struct iface *best = NULL;
	for (; e; e = e->same_addr)
		consider(&best, e->ifp);
	return best;
}

static void overlap_node(const struct tnode *n, const struct iface *self,
			 struct iface **best)
{
	for (const struct addr_ent *e = n->ents; e; e = e->same_net)
		if (e->ifp != self && !e->ifp->shutdown)
			consider(best, e->ifp);
}

/* Every subnet below N is inside the queried one. */
static void overlap_below(const struct tnode *n, const struct iface *self,
			  struct iface **best)
{
	for (int b = 0; b < 2; b++)
		if (n->child[b]) {
			overlap_node(n->child[b], self, best);
			overlap_below(n->child[b], self, best);
		}
}

struct iface *ip_overlap(const struct iface *self, uint32_t addr,
			 uint32_t mask)
{
	uint32_t net = ntohl(addr & mask);
	int len = mask_len(mask);
	struct iface *best = NULL;
	const struct tnode *n = root;
	/* the subnets that contain A/M (or are it), then those inside it */
	for (int d = 0; n; d++) {
		overlap_node(n, self, &best);
		if (d == len) {
			overlap_below(n, self, &best);
			break;
		}
		n = n->child[bit_at(net, d)];
	}
	return best;
}
