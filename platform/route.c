/* The routing table (RIB): connected routes that follow the interfaces,
 * static routes that follow `ip route` (installed only while their next
 * hop resolves or their exit interface is up, recursively, as IOS does),
 * dynamic routes other subsystems add (RRI), administrative distance
 * between them, and the longest-prefix match the packet path asks for.
 *
 * Storage: one open-addressing hash table per prefix length, and a bit
 * mask of the lengths that hold installed routes. A lookup probes those
 * lengths from the longest down, so its cost is the number of distinct
 * prefix lengths in use (a handful in practice), not the number of routes.
 *
 * Changes are cheap and lazy: configuration and interface events only mark
 * what is stale; the next reader (a lookup, a show command) settles the
 * table first. A pasted configuration of 10k `ip route` lines therefore
 * resolves the statics once, not 10k times. */
#include "platform_int.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

/* ---- prefix-length hash tables --------------------------------------------- */

struct len_table {
	struct rib_node **slot;   /* NULL: empty */
	uint32_t cap;             /* power of two, 0 before first use */
	uint32_t n;
	uint32_t ninstalled;      /* nodes with a selected path */
};

static struct len_table tables[33];
static uint64_t installed_lens;   /* bit L: some /L route is installed */
static size_t nnodes;
static size_t ndynamic;           /* paths neither connected nor static */

static uint32_t prefix_mask(int len)
{
	return len ? 0xffffffffu << (32 - len) : 0;
}

static uint32_t slot_of(uint32_t key, uint32_t cap)
{
	/* Fibonacci hashing: the high bits of the product are well mixed
	 * even for prefixes that differ only in a few bits */
	uint64_t h = (uint64_t)key * 0x9E3779B97F4A7C15ull;
	return (uint32_t)(h >> 32) & (cap - 1);
}

static struct rib_node *table_get(uint32_t prefix, int len)
{
	const struct len_table *t = &tables[len];
	if (!t->n)
		return NULL;
	for (uint32_t i = slot_of(prefix, t->cap);; i = (i + 1) & (t->cap - 1)) {
		struct rib_node *n = t->slot[i];
		if (!n)
			return NULL;
		if (n->prefix == prefix)
			return n;
	}
}

static void table_put_slot(struct len_table *t, struct rib_node *node)
{
	uint32_t i = slot_of(node->prefix, t->cap);
	while (t->slot[i])
		i = (i + 1) & (t->cap - 1);
	t->slot[i] = node;
}

static void table_grow(struct len_table *t)
{
	uint32_t old = t->cap;
	struct rib_node **v = t->slot;
	t->cap = old ? old * 2 : 8;
	t->slot = xcalloc(t->cap, sizeof *t->slot);
	for (uint32_t i = 0; i < old; i++)
		if (v[i])
			table_put_slot(t, v[i]);
	free(v);
}

static void table_add(struct rib_node *node)
{
	struct len_table *t = &tables[node->len];
	if ((t->n + 1) * 2 > t->cap)   /* load factor at most 1/2 */
		table_grow(t);
	table_put_slot(t, node);
	t->n++;
}

/* Linear probing deletion without tombstones: shift the cluster back. */
static void table_del(struct rib_node *node)
{
	struct len_table *t = &tables[node->len];
	uint32_t mask = t->cap - 1;
	uint32_t i = slot_of(node->prefix, t->cap);
	while (t->slot[i] != node)
		i = (i + 1) & mask;
	t->slot[i] = NULL;
	for (uint32_t j = (i + 1) & mask; t->slot[j]; j = (j + 1) & mask) {
		uint32_t home = slot_of(t->slot[j]->prefix, t->cap);
		/* move it back when its home is not within (i, j] */
		bool in_range = i <= j ? (home > i && home <= j)
				       : (home > i || home <= j);
		if (!in_range) {
			t->slot[i] = t->slot[j];
			t->slot[j] = NULL;
			i = j;
		}
	}
	t->n--;
}

/* ---- nodes and paths ---------------------------------------------------------- */

static struct rib_node *node_get(uint32_t prefix, int len, bool create)
{
	struct rib_node *n = table_get(prefix, len);
	if (n || !create)
		return n;
	n = xcalloc(1, sizeof *n);
	n->prefix = prefix;
	n->len = (uint8_t)len;
	table_add(n);
	nnodes++;
	return n;
}

static void set_installed(struct rib_node *n, bool on)
{
	if (n->installed == on)
		return;
	n->installed = on;
	struct len_table *t = &tables[n->len];
	t->ninstalled += on ? 1 : -1;
	if (t->ninstalled)
		installed_lens |= 1ull << n->len;
	else
		installed_lens &= ~(1ull << n->len);
}

static void node_free_if_empty(struct rib_node *n)
{
	if (n->paths)
		return;
	set_installed(n, false);
	table_del(n);
	free(n->sel);
	free(n);
	nnodes--;
}

/* Pick the usable paths with the lowest distance (equal-cost paths are
 * all kept, for per-destination load sharing). */
static void node_select(struct rib_node *n)
{
	unsigned best = 256;
	int count = 0;
	for (struct rib_path *p = n->paths; p; p = p->next)
		if (p->valid && p->distance < best)
			best = p->distance;
	for (struct rib_path *p = n->paths; p; p = p->next) {
		p->selected = p->valid && p->distance == best;
		count += p->selected;
	}
	if (count > n->selcap) {
		n->selcap = count;
		n->sel = xrealloc(n->sel, (size_t)count * sizeof *n->sel);
	}
	n->nsel = 0;
	for (struct rib_path *p = n->paths; p; p = p->next)
		if (p->selected)
			n->sel[n->nsel++] = p;
	n->distance = best;
	set_installed(n, n->nsel > 0);
}

static struct rib_path *path_add(struct rib_node *n, enum rib_source src)
{
	struct rib_path *p = xcalloc(1, sizeof *p);
	p->src = src;
	ndynamic += src != RIB_CONNECTED && src != RIB_STATIC;
	/* keep the order paths were added: IOS lists equal-cost paths so */
	struct rib_path **pp = &n->paths;
	while (*pp)
		pp = &(*pp)->next;
	*pp = p;
	return p;
}

/* Remove the paths of N for which DROP is true. */
static void node_drop_paths(struct rib_node *n,
			    bool (*drop)(const struct rib_path *, const void *),
			    const void *arg)
{
	for (struct rib_path **pp = &n->paths; *pp;) {
		struct rib_path *p = *pp;
		if (drop(p, arg)) {
			*pp = p->next;
			ndynamic -= p->src != RIB_CONNECTED && p->src != RIB_STATIC;
			free(p);
			continue;
		}
		pp = &p->next;
	}
}

/* Apply FN to every node; FN may free the node. */
static void foreach_node(void (*fn)(struct rib_node *, void *), void *arg)
{
	for (int len = 0; len <= 32; len++) {
		struct len_table *t = &tables[len];
		for (uint32_t i = 0; i < t->cap;) {
			struct rib_node *n = t->slot[i];
			if (!n) {
				i++;
				continue;
			}
			fn(n, arg);
			/* deletion may have shifted another node into slot i */
			if (t->slot[i] == n)
				i++;
		}
	}
}

/* ---- longest-prefix match ---------------------------------------------------- */

/* The installed node covering DST with the longest prefix, ignoring SKIP
 * (a static route's own prefix never resolves its next hop). */
static struct rib_node *lpm(uint32_t dst, const struct rib_node *skip)
{
	uint64_t lens = installed_lens;
	while (lens) {
		int len = 63 - __builtin_clzll(lens);
		lens &= ~(1ull << len);
		struct rib_node *n = table_get(dst & prefix_mask(len), len);
		if (n && n->installed && n != skip)
			return n;
	}
	return NULL;
}

/* ---- what is stale ------------------------------------------------------------- */

static bool dirty_connected, dirty_statics, dirty_resolve;
static unsigned generation;

/* An interface being removed is not (ifp->deleting) */
static bool usable(const struct iface *ifp)
{
	return ifp && !ifp->deleting && ifp->line_up;
}

static bool drop_connected(const struct rib_path *p, const void *arg)
{
	return p->src == RIB_CONNECTED;
}

static bool drop_static(const struct rib_path *p, const void *arg)
{
	return p->src == RIB_STATIC;
}

static void sweep_node(struct rib_node *n, void *arg)
{
	bool (*drop)(const struct rib_path *, const void *) = arg;
	node_drop_paths(n, drop, NULL);
	node_free_if_empty(n);
}

static void add_connected(uint32_t addr, uint32_t mask, struct iface *ifp)
{
	uint32_t net = ntohl(addr & mask);
	int len = mask_len(mask);
	struct rib_node *n = node_get(net, len, true);
	struct rib_path *p = path_add(n, RIB_CONNECTED);
	p->ifp = ifp;
	p->distance = 0;
}

static void rebuild_connected(void)
{
	foreach_node(sweep_node, (void *)drop_connected);
	for (struct iface *i = iface_first(); i; i = iface_next(i)) {
		if (!usable(i))
			continue;
		if (i->addr)
			add_connected(i->addr, i->mask, i);
		for (int k = 0; k < i->nsec; k++)
			add_connected(i->sec[k].addr, i->sec[k].mask, i);
	}
}

static void rebuild_statics(void)
{
	foreach_node(sweep_node, (void *)drop_static);
	for (const struct static_route *r = ip_static_routes(); r; r = r->next) {
		struct rib_node *n = node_get(ntohl(r->prefix),
					      mask_len(r->mask), true);
		struct rib_path *p = path_add(n, RIB_STATIC);
		p->gateway = r->nexthop;
		p->distance = r->distance;
		p->permanent = r->permanent;
		p->named_if = r->ifname[0] != '\0';
		if (p->named_if) {
			struct iface *ifp = iface_find(r->ifname);
			p->ifp = ifp && ifp->deleting ? NULL : ifp;
		}
	}
}

/* ---- resolution ---------------------------------------------------------------- */

/* A path that needs no recursion: connected, or through a named exit
 * interface. Returns -1 for a path that resolves through its next hop. */
static int direct_validity(const struct rib_path *p)
{
	if (p->distance >= 255)
		return 0;                     /* 255: never installed */
	if (p->src == RIB_CONNECTED)
		return usable(p->ifp);
	if (p->named_if || p->ifp) {
		if (!p->ifp)
			return 0;             /* interface does not exist */
		return p->permanent || usable(p->ifp);
	}
	if (p->permanent)
		return 1;
	return -1;
}

struct resolve_ctx {
	struct rib_path **rec;   /* next-hop-only paths */
	struct rib_node **recn;  /* their nodes */
	size_t n, cap;
};

static void reset_validity(struct rib_node *n, void *arg)
{
	struct resolve_ctx *c = arg;
	for (struct rib_path *p = n->paths; p; p = p->next) {
		int v = direct_validity(p);
		p->valid = v == 1;
		if (v < 0) {
			if (c->n == c->cap) {
				c->cap = c->cap ? c->cap * 2 : 64;
				c->rec = xrealloc(c->rec, c->cap * sizeof *c->rec);
				c->recn = xrealloc(c->recn, c->cap * sizeof *c->recn);
			}
			c->rec[c->n] = p;
			c->recn[c->n++] = n;
		}
	}
	node_select(n);
}

/* The forwarding next hop of a selected path: its exit interface and the
 * neighbour to ARP for (0: the destination itself). A next-hop-only static
 * takes the exit of whatever route covers its next hop, recursively. */
static bool path_forward(struct rib_node *n, struct rib_path *p, int depth)
{
	if (p->gen == generation)
		return p->out_ifp != NULL;
	p->gen = generation;
	p->out_ifp = NULL;
	p->out_gw = 0;
	if (p->src == RIB_CONNECTED || p->ifp) {
		p->out_ifp = p->ifp;
		p->out_gw = p->gateway;
		return p->ifp != NULL;
	}
	if (depth > 16)
		return false;                 /* recursion too deep: a loop */
	struct rib_node *via = lpm(ntohl(p->gateway), n);
	if (!via)
		return false;
	struct rib_path *vp = via->sel[0];
	if (!path_forward(via, vp, depth + 1))
		return false;
	p->out_ifp = vp->out_ifp;
	p->out_gw = vp->out_gw ? vp->out_gw : p->gateway;
	return true;
}

static void compute_forward(struct rib_node *n, void *arg)
{
	int k = 0;
	for (int i = 0; i < n->nsel; i++)
		if (path_forward(n, n->sel[i], 0))
			n->sel[k++] = n->sel[i];
	/* a path whose recursion loops forwards nothing */
	n->nsel = k;
	set_installed(n, k > 0);
}

/* Least fixed point: a next-hop static becomes valid once a route other
 * than its own covers its next hop; start from none valid, so statics that
 * would only resolve through each other never come up. */
static void resolve(void)
{
	struct resolve_ctx c = {0};
	foreach_node(reset_validity, &c);
	bool changed = true;
	for (size_t round = 0; changed && round <= c.n; round++) {
		changed = false;
		for (size_t i = 0; i < c.n; i++) {
			struct rib_path *p = c.rec[i];
			if (p->valid || !lpm(ntohl(p->gateway), c.recn[i]))
				continue;
			p->valid = true;
			node_select(c.recn[i]);
			changed = true;
		}
	}
	free(c.rec);
	free(c.recn);
	generation++;
	foreach_node(compute_forward, NULL);
}

static void settle(void)
{
	if (dirty_connected)
		rebuild_connected();
	if (dirty_statics)
		rebuild_statics();
	dirty_connected = dirty_statics = false;
	dirty_resolve = false;
	resolve();
}

static inline void settle_if_dirty(void)
{
	if (__builtin_expect(dirty_resolve, 0))
		settle();
}

/* ---- the API -------------------------------------------------------------------- */

static uint32_t dst_hash(uint32_t dst)
{
	uint64_t h = (uint64_t)dst * 0x9E3779B97F4A7C15ull;
	return (uint32_t)(h >> 32);
}

bool rib_lookup(uint32_t dst, struct rib_nexthop *nh)
{
	settle_if_dirty();
	const struct rib_node *n = lpm(ntohl(dst), NULL);
	if (!n)
		return false;
	/* per-destination load sharing over equal-cost paths, as CEF does */
	const struct rib_path *p =
		n->nsel == 1 ? n->sel[0] : n->sel[dst_hash(dst) % (uint32_t)n->nsel];
	nh->ifp = p->out_ifp;
	nh->gateway = p->out_gw;
	return true;
}

int rib_add(enum rib_source src, uint32_t prefix, uint32_t mask,
	    uint32_t gateway, struct iface *ifp, unsigned distance)
{
	if (!mask_is_contiguous(mask) || (prefix & ~mask) || distance > 255 ||
	    src == RIB_CONNECTED)
		return -1;
	struct rib_node *n = node_get(ntohl(prefix), mask_len(mask), true);
	struct rib_path *p = NULL;
	for (p = n->paths; p; p = p->next)
		if (p->src == src)
			break;
	if (!p)
		p = path_add(n, src);
	p->gateway = gateway;
	p->ifp = ifp;
	p->named_if = false;
	p->distance = distance;
	dirty_resolve = true;
	return 0;
}

static bool drop_source(const struct rib_path *p, const void *arg)
{
	return p->src == *(const enum rib_source *)arg;
}

void rib_del(enum rib_source src, uint32_t prefix, uint32_t mask)
{
	if (!mask_is_contiguous(mask))
		return;
	struct rib_node *n = node_get(ntohl(prefix & mask), mask_len(mask), false);
	if (!n)
		return;
	node_drop_paths(n, drop_source, &src);
	node_free_if_empty(n);
	dirty_resolve = true;
}

/* ---- what route_show.c reads ------------------------------------------------------- */

static int node_cmp(const void *x, const void *y)
{
	const struct rib_node *a = *(struct rib_node *const *)x;
	const struct rib_node *b = *(struct rib_node *const *)y;
	if (a->prefix != b->prefix)
		return a->prefix < b->prefix ? -1 : 1;
	return a->len - b->len;
}

struct collect {
	const struct rib_node **v;
	int n;
};

static void collect_installed(struct rib_node *n, void *arg)
{
	struct collect *c = arg;
	if (n->installed)
		c->v[c->n++] = n;
}

int rib_installed(const struct rib_node ***out)
{
	settle_if_dirty();
	struct collect c = {xcalloc(nnodes + 1, sizeof *c.v), 0};
	foreach_node(collect_installed, &c);
	qsort(c.v, (size_t)c.n, sizeof *c.v, node_cmp);
	*out = c.v;
	return c.n;
}

const struct rib_node *rib_match(uint32_t dst)
{
	settle_if_dirty();
	return lpm(ntohl(dst), NULL);
}

const struct rib_node *rib_exact(uint32_t prefix, int len)
{
	settle_if_dirty();
	const struct rib_node *n = table_get(ntohl(prefix), len);
	return n && n->installed ? n : NULL;
}

size_t rib_route_count(void)
{
	settle_if_dirty();
	size_t n = 0;
	for (int len = 0; len <= 32; len++)
		n += tables[len].ninstalled;
	return n;
}

/* ---- what makes it stale --------------------------------------------------------- */

void rib_statics_changed(void)
{
	dirty_statics = dirty_resolve = true;
}

void rib_iface_changed(void)
{
	dirty_connected = dirty_resolve = true;
}

static bool drop_iface(const struct rib_path *p, const void *arg)
{
	return p->ifp == arg;
}

static void purge_iface(struct rib_node *n, void *arg)
{
	node_drop_paths(n, drop_iface, arg);
	node_free_if_empty(n);
}

static void on_iface(enum core_event ev, void *data, void *ctx)
{
	if (ev != EVT_IFACE_REMOVED) {
		rib_iface_changed();
		if (ev == EVT_IFACE_ADDED)
			dirty_statics = true;   /* a named exit interface exists */
		return;
	}
	/* Nothing may use the interface once it is freed. Connected and
	 * static paths are rebuilt, and forwarding recomputed, before anyone
	 * reads the table again (every reader settles first), without it
	 * (it is `deleting` until freed, then gone from the table); other
	 * sources' paths that name it go now. Not settling here keeps the
	 * removal of N interfaces (reload) from settling N times. */
	if (ndynamic)
		foreach_node(purge_iface, data);
	dirty_connected = dirty_statics = dirty_resolve = true;
}

/* reload: back to what configuration and interfaces say; dynamic routes
 * belong to subsystems that are reset too */
static bool drop_any(const struct rib_path *p, const void *arg)
{
	return true;
}

static void drop_all(struct rib_node *n, void *arg)
{
	node_drop_paths(n, drop_any, NULL);
	node_free_if_empty(n);
}

static void rib_reset(void)
{
	foreach_node(drop_all, NULL);
	dirty_connected = dirty_statics = dirty_resolve = true;
}

static const struct subsys rib_subsys = {"rib", rib_reset};

void rib_init(void)
{
	core_register_subsys(&rib_subsys);
	static const enum core_event evs[] = {
		EVT_IFACE_ADDED, EVT_IFACE_REMOVED, EVT_IFACE_STATE,
		EVT_IFACE_ADDR,
	};
	for (size_t i = 0; i < sizeof evs / sizeof evs[0]; i++)
		core_subscribe(evs[i], on_iface, NULL);
	dirty_connected = dirty_statics = dirty_resolve = true;
}
