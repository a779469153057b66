/* IP configuration: interface addressing (ip address, ip unnumbered),
 * static routes, local address pools and the global ip switches
 * (classless, subnet-zero, cef, http server), with their running-config
 * writers. */
#include "platform_int.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- interface addressing ------------------------------------------------ */

static uint32_t host_bits(uint32_t addr, uint32_t mask)
{
	return ntohl(addr) & ~ntohl(mask);
}

/* 0.x.x.x, loopback, multicast and class E are not host addresses. */
static bool valid_host(uint32_t addr)
{
	uint32_t first = ntohl(addr) >> 24;
	return first != 0 && first != 127 && first < 224;
}

/* IOS's checks on "ip address A M", in its order and words. */
static bool address_ok(struct cli *cli, uint32_t addr, uint32_t mask)
{
	char b[16];
	if (!mask_is_contiguous(mask) || mask == 0) {
		if (mask == 0)
			cli_printf(cli, "Bad mask /0 for address %s\n",
				   ip_fmt(addr, b));
		else
			cli_printf(cli, "Bad mask 0x%X for address %s\n",
				   ntohl(mask), ip_fmt(addr, b));
		return false;
	}
	if (!valid_host(addr)) {
		cli_printf(cli, "Not a valid host address - %s\n",
			   ip_fmt(addr, b));
		return false;
	}
	int len = mask_len(mask);
	uint32_t host = host_bits(addr, mask);
	if (len < 31 && (host == 0 || host == ~ntohl(mask))) {
		cli_printf(cli, "Bad mask /%d for address %s\n", len,
			   ip_fmt(addr, b));
		return false;
	}
	return true;
}

static void clear_unnumbered(struct iface *ifp)
{
	free(ifp->unnumbered);
	ifp->unnumbered = NULL;
}

/* Drop the primary and every secondary address. */
static void drop_addresses(struct iface *ifp)
{
	addr_index_clear(ifp);
	ifp->addr = ifp->mask = 0;
	free(ifp->sec);
	ifp->sec = NULL;
	if (ifp->nsec)
		rib_iface_changed();
	ifp->nsec = 0;
}

static int find_secondary(const struct iface *ifp, uint32_t addr)
{
	for (int i = 0; i < ifp->nsec; i++)
		if (ifp->sec[i].addr == addr)
			return i;
	return -1;
}

static void add_secondary(struct iface *ifp, uint32_t addr, uint32_t mask)
{
	int k = find_secondary(ifp, addr);
	if (k >= 0) {
		addr_index_del(ifp, addr, false);
		ifp->sec[k].mask = mask;
	} else {
		ifp->sec = xrealloc(ifp->sec, (size_t)(ifp->nsec + 1) *
						  sizeof *ifp->sec);
		ifp->sec[ifp->nsec++] = (struct ip_secondary){addr, mask};
	}
	addr_index_add(ifp, addr, mask, false);
	rib_iface_changed();
}

static void del_secondary(struct iface *ifp, int k)
{
	addr_index_del(ifp, ifp->sec[k].addr, false);
	memmove(&ifp->sec[k], &ifp->sec[k + 1],
		(size_t)(ifp->nsec - k - 1) * sizeof *ifp->sec);
	ifp->nsec--;
	rib_iface_changed();
}

/* "ip address A M [secondary]" */
static int address_set(struct cli *cli, struct iface *ifp,
		       const struct cli_args *a)
{
	uint32_t addr = cli_arg_ip(a, "addr"), mask = cli_arg_ip(a, "mask");
	if (!address_ok(cli, addr, mask))
		return CLI_ERR;
	/* An overlap with a live interface is refused on a live interface;
	 * a shut interface takes the address with the warning (and IOS
	 * repeats it at "no shutdown"). */
	struct iface *o = ip_overlap(ifp, addr, mask);
	if (o) {
		char b[16];
		cli_printf(cli, "%% %s overlaps with %s\n",
			   ip_fmt(addr & mask, b), o->name);
		if (!ifp->shutdown)
			return CLI_ERR;
	}
	clear_unnumbered(ifp);
	ifp->addr_cfgd = true;
	ifp->no_addr_cfgd = false;
	if (cli_has(a, "secondary")) {
		add_secondary(ifp, addr, mask);
		return CLI_OK;
	}
	int k = find_secondary(ifp, addr);
	if (k >= 0)
		del_secondary(ifp, k);  /* promoted to primary */
	/* (with a primary there was no unnumbered to clear) */
	if (ifp->addr == addr && ifp->mask == mask)
		return k >= 0 ? CLI_OK : CLI_UNCHANGED;
	if (ifp->addr)
		addr_index_del(ifp, ifp->addr, true);
	ifp->addr = addr;
	ifp->mask = mask;
	addr_index_add(ifp, addr, mask, true);
	iface_addr_changed(ifp);
	return CLI_OK;
}

/* "no ip address" clears every address; with one, only that one. */
static int address_clear(struct cli *cli, struct iface *ifp,
			 const struct cli_args *a)
{
	const char *as = cli_arg(a, "addr");
	if (as && cli_has(a, "secondary")) {
		int k = find_secondary(ifp, cli_arg_ip(a, "addr"));
		if (k < 0)
			return CLI_UNCHANGED;
		del_secondary(ifp, k);
		return CLI_OK;
	}
	if (as && ifp->nsec > 0) {
		cli_printf(cli, "Must delete secondary before deleting "
				"primary\n");
		return CLI_ERR;
	}
	if (as && ifp->addr != cli_arg_ip(a, "addr"))
		return CLI_UNCHANGED;
	if (!ifp->addr && !ifp->nsec && !ifp->unnumbered && ifp->no_addr_cfgd)
		return CLI_UNCHANGED;
	bool had = ifp->addr != 0;
	drop_addresses(ifp);
	clear_unnumbered(ifp);
	ifp->addr_cfgd = true;
	ifp->no_addr_cfgd = true;
	if (had)
		iface_addr_changed(ifp);
	return CLI_OK;
}

DEFUN(ip_address_cmd,
      "[no] ip address ?[A.B.C.D$addr A.B.C.D$mask [secondary]]",
      "Interface Internet Protocol config commands\n"
      "Set the IP address of an interface\n"
      "IP address\n"
      "IP subnet mask\n"
      "Make this IP address a secondary address\n")
{
	CLI_CONTEXT(struct iface, ifp);
	return cli_is_no(a) ? address_clear(cli, ifp, a)
			    : address_set(cli, ifp, a);
}

DEFUN(ip_unnumbered_cmd, "[no] ip unnumbered ?[IFNAME$ifname]",
      "Interface Internet Protocol config commands\n"
      "Enable IP processing without an explicit address\n"
      "Interface type and number\n")
{
	CLI_CONTEXT(struct iface, ifp);
	if (cli_is_no(a))
		return cli_set_str(&ifp->unnumbered, NULL);
	const char *name = cli_arg(a, "ifname");
	/* unnumbered excludes addresses: the same name again is no change */
	if (ifp->unnumbered && strcmp(ifp->unnumbered, name) == 0)
		return CLI_UNCHANGED;
	bool had = ifp->addr != 0;
	drop_addresses(ifp);
	xstrset(&ifp->unnumbered, name);
	ifp->addr_cfgd = true;
	ifp->no_addr_cfgd = false;
	if (had)
		iface_addr_changed(ifp);
	return CLI_OK;
}

/* IOS lists the secondary addresses before the primary. An interface
 * without an address prints "no ip address" once that was configured
 * (the seeds' Vlan1 and Serial2/0); an untouched port prints nothing
 * (RouterA's FastEthernet0/1/x). */
static void write_ip(struct sbuf *out, struct iface *ifp)
{
	char b1[16], b2[16];
	if (ifp->unnumbered) {
		sbuf_printf(out, " ip unnumbered %s\n", ifp->unnumbered);
		return;
	}
	for (int i = 0; i < ifp->nsec; i++)
		sbuf_printf(out, " ip address %s %s secondary\n",
			    ip_fmt(ifp->sec[i].addr, b1),
			    ip_fmt(ifp->sec[i].mask, b2));
	if (ifp->addr)
		sbuf_printf(out, " ip address %s %s\n", ip_fmt(ifp->addr, b1),
			    ip_fmt(ifp->mask, b2));
	else if (ifp->nsec == 0 && ifp->no_addr_cfgd)
		sbuf_puts(out, " no ip address\n");
}

void ip_iface_reset(struct iface *ifp)
{
	drop_addresses(ifp);
	clear_unnumbered(ifp);
	ifp->addr_cfgd = ifp->no_addr_cfgd = false;
}

const char *iface_unnumbered(const struct iface *ifp)
{
	return ifp->unnumbered;
}

/* ---- static routes ------------------------------------------------------------- */

/* The routes in show-run order (prefix, then mask; equal ones in the
 * order entered) once sorted: a new route goes at the end, and the list
 * is sorted again only when read after one went in out of order, so a
 * configuration of N routes costs O(N log N), not a scan per line. The
 * same destination with another hop is found through an index by
 * prefix and mask. */
static struct static_route *routes, *routes_tail;
static bool routes_unsorted;
static struct intmap routes_by_dest;   /* prefix/mask -> chain via same */

static uint64_t dest_key(uint32_t prefix, uint32_t mask)
{
	return (uint64_t)prefix << 32 | mask;
}

static bool route_same_hop(const struct static_route *r, uint32_t nh,
			   const char *ifname)
{
	return r->nexthop == nh &&
	       strcmp(r->ifname, ifname ? ifname : "") == 0;
}

static void route_free(struct static_route *r)
{
	free(r->name);
	free(r);
}

/* Show-run order: ascending prefix, then mask. */
static int route_cmp(const struct static_route *a, const struct static_route *b)
{
	uint32_t pa = ntohl(a->prefix), pb = ntohl(b->prefix);
	uint32_t ma = ntohl(a->mask), mb = ntohl(b->mask);
	if (pa != pb)
		return pa < pb ? -1 : 1;
	return ma < mb ? -1 : ma > mb;
}

static void route_append(struct static_route *n)
{
	if (routes_tail && route_cmp(routes_tail, n) > 0)
		routes_unsorted = true;
	DLIST_INSERT_BEFORE(routes, routes_tail, (struct static_route *)NULL, n);
	/* the chain of a destination keeps the order entered */
	uint64_t key = dest_key(n->prefix, n->mask);
	struct static_route *head = intmap_get(&routes_by_dest, key);
	n->same = NULL;
	if (!head) {
		intmap_put(&routes_by_dest, key, n);
		return;
	}
	while (head->same)
		head = head->same;
	head->same = n;
}

static void route_unlink(struct static_route *r)
{
	DLIST_REMOVE(routes, routes_tail, r);
	uint64_t key = dest_key(r->prefix, r->mask);
	struct static_route *head = intmap_get(&routes_by_dest, key);
	if (head == r) {
		if (r->same)
			intmap_put(&routes_by_dest, key, r->same);
		else
			intmap_del(&routes_by_dest, key);
		return;
	}
	for (struct static_route *x = head; x; x = x->same)
		if (x->same == r) {
			x->same = r->same;
			return;
		}
}

/* Stable merge sort of the list (equal destinations keep their order). */
static struct static_route *merge_sort(struct static_route *h, size_t n)
{
	if (n < 2) {
		if (h)
			h->next = NULL;
		return h;
	}
	struct static_route *mid = h;
	for (size_t i = 0; i < n / 2; i++)
		mid = mid->next;
	struct static_route *a = merge_sort(h, n / 2);
	struct static_route *b = merge_sort(mid, n - n / 2);
	struct static_route *out = NULL, **tail = &out;
	while (a && b) {
		struct static_route **pick = route_cmp(b, a) < 0 ? &b : &a;
		*tail = *pick;
		tail = &(*pick)->next;
		*pick = (*pick)->next;
	}
	*tail = a ? a : b;
	return out;
}

static void routes_sort(void)
{
	if (!routes_unsorted)
		return;
	size_t n = 0;
	for (struct static_route *r = routes; r; r = r->next)
		n++;
	routes = merge_sort(routes, n);
	routes_tail = NULL;
	for (struct static_route *r = routes; r; r = r->next) {
		r->prev = routes_tail;
		routes_tail = r;
	}
	routes_unsorted = false;
}

static bool route_args(struct cli *cli, const struct cli_args *a,
		       uint32_t *net, uint32_t *mask)
{
	*net = cli_arg_ip(a, "net");
	*mask = cli_arg_ip(a, "mask");
	if (!mask_is_contiguous(*mask) || (*net & ~*mask) != 0) {
		cli_printf(cli, "%%Inconsistent address and mask\n");
		return false;
	}
	return true;
}

/* Distance, name and permanent: what a repeated `ip route` to the same
 * destination and hop replaces. */
static void route_set_options(struct static_route *r,
			      const struct cli_args *a)
{
	r->distance = cli_arg(a, "dist") ? (unsigned)cli_arg_num(a, "dist") : 1;
	xstrset(&r->name, cli_arg(a, "rname"));
	r->permanent = cli_has(a, "permanent");
}

/* "ip route": the same destination and hop again updates the route. */
static int route_add(struct cli *cli, const struct cli_args *a,
		     uint32_t net, uint32_t mask)
{
	const char *ifname = cli_arg(a, "ifname");
	uint32_t nh = ifname ? cli_arg_ip(a, "ifnh") : cli_arg_ip(a, "nh");
	if (nh && iface_by_addr(nh)) {
		cli_printf(cli, "%%Invalid next hop address (it's this "
				"router)\n");
		return CLI_ERR;
	}
	for (struct static_route *r = intmap_get(&routes_by_dest,
						 dest_key(net, mask));
	     r; r = r->same)
		if (route_same_hop(r, nh, ifname)) {
			route_set_options(r, a);
			rib_statics_changed();
			return CLI_OK;
		}
	struct static_route *r = xcalloc(1, sizeof *r);
	r->prefix = net;
	r->mask = mask;
	r->nexthop = nh;
	snprintf(r->ifname, sizeof r->ifname, "%s", ifname ? ifname : "");
	route_set_options(r, a);
	route_append(r);
	rib_statics_changed();
	return CLI_OK;
}

/* "no ip route": without a hop, every route to the destination goes. */
static int route_delete(struct cli *cli, const struct cli_args *a,
			uint32_t net, uint32_t mask)
{
	const char *ifname = cli_arg(a, "ifname");
	bool any_hop = !ifname && !cli_arg(a, "nh");
	uint32_t nh = ifname ? cli_arg_ip(a, "ifnh") : cli_arg_ip(a, "nh");
	int removed = 0;
	struct static_route *nx;
	for (struct static_route *r = intmap_get(&routes_by_dest,
						 dest_key(net, mask));
	     r; r = nx) {
		nx = r->same;
		if (any_hop || route_same_hop(r, nh, ifname)) {
			route_unlink(r);
			route_free(r);
			removed++;
		}
	}
	if (!removed) {
		cli_printf(cli, "%%No matching route to delete\n");
		return CLI_ERR;
	}
	rib_statics_changed();
	return CLI_OK;
}

DEFUN(ip_route_cmd,
      "[no] ip route A.B.C.D$net A.B.C.D$mask ?[(A.B.C.D$nh|IFNAME$ifname "
      "[A.B.C.D$ifnh])] [<1-255>$dist] [name WORD$rname] [permanent]",
      "Global IP configuration subcommands\n"
      "Establish static routes\n"
      "Destination prefix\n"
      "Destination prefix mask\n"
      "Forwarding router's address\n"
      "Interface type and number\n"
      "Forwarding router's address\n"
      "Distance metric for this route\n"
      "Specify name of the next hop\n"
      "Name of the next hop\n"
      "permanent route\n")
{
	uint32_t net, mask;
	if (!route_args(cli, a, &net, &mask))
		return CLI_ERR;
	return cli_is_no(a) ? route_delete(cli, a, net, mask)
			    : route_add(cli, a, net, mask);
}

const struct static_route *ip_static_routes(void)
{
	routes_sort();
	return routes;
}

static void write_routes(struct sbuf *out)
{
	char b1[16], b2[16], b3[16];
	routes_sort();
	for (const struct static_route *r = routes; r; r = r->next) {
		sbuf_printf(out, "ip route %s %s", ip_fmt(r->prefix, b1),
			    ip_fmt(r->mask, b2));
		if (r->ifname[0])
			sbuf_printf(out, " %s", r->ifname);
		if (r->nexthop)
			sbuf_printf(out, " %s", ip_fmt(r->nexthop, b3));
		if (r->distance != 1)
			sbuf_printf(out, " %u", r->distance);
		if (r->name)
			sbuf_printf(out, " name %s", r->name);
		if (r->permanent)
			sbuf_puts(out, " permanent");
		sbuf_puts(out, "\n");
	}
}

/* ---- ip local pool -------------------------------------------------------------- */

struct pool_range {
	uint32_t lo, hi;  /* network order */
};
struct pool {
	struct pool *next;
	char *name;
	struct pool_range *r;
	int nr;
};
static struct pool *pools;

static struct pool *pool_find(const char *name)
{
	for (struct pool *p = pools; p; p = p->next)
		if (strcmp(p->name, name) == 0)
			return p;
	return NULL;
}

static void pool_free(struct pool *p)
{
	free(p->name);
	free(p->r);
	free(p);
}

/* "ip local pool NAME LO [HI]" adds a range (a pool may have several). */
static int pool_add(struct cli *cli, const char *name, uint32_t lo,
		    uint32_t hi)
{
	if (ntohl(hi) < ntohl(lo)) {
		char b1[16], b2[16];
		cli_printf(cli, "%%Bad IP range, %s-%s\n", ip_fmt(lo, b1),
			   ip_fmt(hi, b2));
		return CLI_ERR;
	}
	struct pool *p = pool_find(name);
	if (!p) {
		p = xcalloc(1, sizeof *p);
		p->name = xstrdup(name);
		struct pool **pp = &pools;
		while (*pp)
			pp = &(*pp)->next;
		*pp = p;
	}
	for (int i = 0; i < p->nr; i++)
		if (p->r[i].lo == lo && p->r[i].hi == hi)
			return CLI_UNCHANGED;
	p->r = xrealloc(p->r, (size_t)(p->nr + 1) * sizeof *p->r);
	p->r[p->nr++] = (struct pool_range){lo, hi};
	return CLI_OK;
}

/* Removes range I of P; false when that leaves P empty. */
static bool pool_del_range(struct pool *p, int i)
{
	memmove(&p->r[i], &p->r[i + 1], (size_t)(p->nr - i - 1) * sizeof *p->r);
	p->nr--;
	return p->nr > 0;
}

/* "no ip local pool NAME" deletes the pool; with a range, that range
 * (and the pool with its last one). */
static int pool_delete(const char *name, bool range, uint32_t lo, uint32_t hi)
{
	struct pool *p = pool_find(name);
	if (!p)
		return CLI_UNCHANGED;
	if (range) {
		int i = 0;
		while (i < p->nr && (p->r[i].lo != lo || p->r[i].hi != hi))
			i++;
		if (i == p->nr)
			return CLI_UNCHANGED;
		if (pool_del_range(p, i))
			return CLI_OK;
	}
	for (struct pool **pp = &pools; *pp; pp = &(*pp)->next)
		if (*pp == p) {
			*pp = p->next;
			break;
		}
	pool_free(p);
	return CLI_OK;
}

DEFUN(ip_local_pool_cmd,
      "[no] ip local pool WORD$name ?[A.B.C.D$lo [A.B.C.D$hi]]",
      "Global IP configuration subcommands\n"
      "Specify local options\n"
      "IP Local address pool lists\n"
      "Create named local address pool\n"
      "First IP address in range\n"
      "Last IP address in range\n")
{
	const char *name = cli_arg(a, "name");
	uint32_t lo = cli_arg_ip(a, "lo");
	uint32_t hi = cli_arg(a, "hi") ? cli_arg_ip(a, "hi") : lo;
	if (cli_is_no(a))
		return pool_delete(name, cli_has(a, "lo"), lo, hi);
	return pool_add(cli, name, lo, hi);
}

bool ip_pool_exists(const char *name)
{
	return pool_find(name) != NULL;
}

bool ip_pool_range(const char *name, int idx, uint32_t *lo, uint32_t *hi)
{
	struct pool *p = pool_find(name);
	if (!p || idx < 0 || idx >= p->nr)
		return false;
	*lo = p->r[idx].lo;
	*hi = p->r[idx].hi;
	return true;
}

static void write_pools(struct sbuf *out)
{
	char b1[16], b2[16];
	for (struct pool *p = pools; p; p = p->next)
		for (int i = 0; i < p->nr; i++) {
			sbuf_printf(out, "ip local pool %s %s", p->name,
				    ip_fmt(p->r[i].lo, b1));
			if (p->r[i].hi != p->r[i].lo)
				sbuf_printf(out, " %s", ip_fmt(p->r[i].hi, b2));
			sbuf_puts(out, "\n");
		}
}

/* ---- global switches ---------------------------------------------------------------- */

/* ip classless, ip subnet-zero and ip cef are on by default; IOS 12.2/12.3
 * printed them, 12.4 does not. They print here once configured either
 * way, so every seed's line comes back and a fresh router prints none.
 * The HTTP servers are off by default and IOS always prints their state. */
enum tri { TRI_UNSET, TRI_ON, TRI_OFF };
static enum tri classless, subnet_zero, cef;
static bool http_server, http_secure;

static void write_tri(struct sbuf *out, enum tri t, const char *what)
{
	if (t == TRI_ON)
		sbuf_printf(out, "%s\n", what);
	else if (t == TRI_OFF)
		sbuf_printf(out, "no %s\n", what);
}

/* "ip X" turns the switch on, "no ip X" off, "default ip X" back to
 * unset (printed no more). */
static int switch_set(enum tri *var, const struct cli_args *a)
{
	enum tri t = !cli_is_no(a) ? TRI_ON
		     : cli_is_default(a) ? TRI_UNSET : TRI_OFF;
	return CLI_SET(*var, t);
}

#define GLOBAL_SWITCH(fn, syn, help, var)                                   \
	DEFUN(fn, "[no] " syn, "Global IP configuration subcommands\n" help) \
	{                                                                   \
		return switch_set(&var, a);                                 \
	}

GLOBAL_SWITCH(ip_classless_cmd, "ip classless",
	      "Follow classless routing forwarding rules\n", classless)
GLOBAL_SWITCH(ip_subnet_zero_cmd, "ip subnet-zero",
	      "Allow 'subnet zero' subnets\n", subnet_zero)
GLOBAL_SWITCH(ip_cef_cmd, "ip cef", "Cisco Express Forwarding\n", cef)

DEFUN(ip_http_cmd, "[no] ip http (server|secure-server)",
      "Global IP configuration subcommands\n"
      "HTTP server configuration\n"
      "Enable HTTP server\n"
      "Enable HTTP secure server\n")
{
	bool *on = cli_has(a, "server") ? &http_server : &http_secure;
	return CLI_SET(*on, !cli_is_no(a));
}

static void write_subnet_zero(struct sbuf *out)
{
	write_tri(out, subnet_zero, "ip subnet-zero");
}

static void write_cef(struct sbuf *out)
{
	if (cef != TRI_UNSET) {
		write_tri(out, cef, "ip cef");
		sbuf_puts(out, "!\n");
	}
}

/* 12.3 order: ip local pool, ip classless, ip route, ip http. */
static void write_ip_global(struct sbuf *out)
{
	write_pools(out);
	write_tri(out, classless, "ip classless");
	write_routes(out);
	sbuf_printf(out, "%sip http server\n", http_server ? "" : "no ");
	sbuf_printf(out, "%sip http secure-server\n", http_secure ? "" : "no ");
	sbuf_puts(out, "!\n");
}

/* ---- reset and init -------------------------------------------------------------------- */

void ip_cfg_reset(void)
{
	while (routes) {
		struct static_route *r = routes;
		routes = r->next;
		route_free(r);
	}
	routes_tail = NULL;
	routes_unsorted = false;
	intmap_clear(&routes_by_dest);
	rib_statics_changed();
	while (pools) {
		struct pool *p = pools;
		pools = p->next;
		pool_free(p);
	}
	classless = subnet_zero = cef = TRI_UNSET;
	http_server = http_secure = false;
}

void ip_cfg_init(void)
{
	cli_install(MODE_IF, &ip_address_cmd_cmd);
	cli_install(MODE_SUBIF, &ip_address_cmd_cmd);
	cli_install(MODE_IF, &ip_unnumbered_cmd_cmd);
	cli_install(MODE_SUBIF, &ip_unnumbered_cmd_cmd);
	static const struct cli_command *const global[] = {
		&ip_route_cmd_cmd, &ip_local_pool_cmd_cmd,
		&ip_classless_cmd_cmd, &ip_subnet_zero_cmd_cmd, &ip_cef_cmd_cmd,
		&ip_http_cmd_cmd,
	};
	for (size_t i = 0; i < sizeof global / sizeof global[0]; i++)
		cli_install(MODE_CONFIG, global[i]);

	iface_register_writer(IFCFG_IP, write_ip);
	cfg_register_writer(CFG_MISC_GLOBAL, write_subnet_zero);
	/* 12.4 prints ip cef after the crypto section (RouterA) */
	cfg_register_writer(CFG_CRYPTO + 50, write_cef);
	cfg_register_writer(CFG_IP_GLOBAL, write_ip_global);
}
