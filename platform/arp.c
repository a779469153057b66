/* ARP (RFC 826) as IOS runs it: a cache of (interface, address) -> MAC
 * with IOS's 4-hour timeout; an unresolved next hop gets an incomplete
 * entry, a request every second up to five, and a short queue of the
 * packets waiting for it; the router answers for its interface addresses
 * and the virtual addresses it owns (with their virtual MAC), and sends a
 * gratuitous ARP when an address is configured or comes up.
 * `show arp`, `show ip arp`, `clear arp-cache`. */
#include "platform_int.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ARP_TIMEOUT 14400.0      /* IOS `arp timeout` default, seconds */
#define ARP_RETRY 1.0            /* incomplete: one request per second */
#define ARP_TRIES 5              /* then the entry and its queue go */
#define ARP_QUEUE 4              /* packets held per unresolved next hop */
#define ARP_BUCKETS 1024
#define ARP_MAX_INCOMPLETE 512   /* a scan of a big connected subnet must
				    not grow the cache without bound */

enum arp_state { ARP_INCOMPLETE, ARP_COMPLETE };

struct arp_pending {
	uint8_t *pkt;
	size_t len;
	uint8_t src_mac[6];
	bool has_src_mac;
};

struct arp_entry {
	struct arp_entry *next;       /* hash chain */
	struct iface *ifp;
	uint32_t addr;
	uint8_t mac[6];
	enum arp_state state;
	double since;                 /* core_uptime() learnt or refreshed */
	int tries;
	ev_timer timer;               /* retry or expiry */
	struct arp_pending q[ARP_QUEUE];
	int nq;
};

static struct arp_entry *table[ARP_BUCKETS];
static int nincomplete;

struct arp_hdr {
	uint16_t htype, ptype;
	uint8_t hlen, plen;
	uint16_t op;
	uint8_t sha[6];
	uint8_t spa[4];
	uint8_t tha[6];
	uint8_t tpa[4];
} __attribute__((packed));

static unsigned bucket(const struct iface *ifp, uint32_t addr)
{
	uintptr_t h = (uintptr_t)ifp >> 4;
	return (unsigned)((ntohl(addr) * 2654435761u) ^ h) % ARP_BUCKETS;
}

static struct arp_entry *lookup(const struct iface *ifp, uint32_t addr)
{
	for (struct arp_entry *e = table[bucket(ifp, addr)]; e; e = e->next)
		if (e->ifp == ifp && e->addr == addr)
			return e;
	return NULL;
}

static void drop_queue(struct arp_entry *e)
{
	for (int i = 0; i < e->nq; i++) {
		free(e->q[i].pkt);
		ip_stats.encap_fail++;
	}
	e->nq = 0;
}

static void entry_free(struct arp_entry *e)
{
	struct arp_entry **pp = &table[bucket(e->ifp, e->addr)];
	while (*pp && *pp != e)
		pp = &(*pp)->next;
	if (*pp)
		*pp = e->next;
	ev_timer_stop(core_loop, &e->timer);
	drop_queue(e);
	if (e->state == ARP_INCOMPLETE)
		nincomplete--;
	free(e);
}

/* ---- sending ARP ------------------------------------------------------------ */

static void arp_send(struct iface *ifp, uint16_t op, const uint8_t *eth_dst,
		     const uint8_t *sha, uint32_t spa, const uint8_t *tha,
		     uint32_t tpa)
{
	struct arp_hdr h = {
		.htype = htons(1), .ptype = htons(0x0800), .hlen = 6,
		.plen = 4, .op = htons(op),
	};
	memcpy(h.sha, sha, 6);
	memcpy(h.spa, &spa, 4);
	memcpy(h.tha, tha, 6);
	memcpy(h.tpa, &tpa, 4);
	if (ether_output(ifp, eth_dst, sha, 0x0806, (const uint8_t *)&h,
			 sizeof h) == 0) {
		if (op == 1)
			ip_stats.arp_req_sent++;
		else
			ip_stats.arp_rep_sent++;
	}
}

/* The address this interface speaks from toward NEXTHOP: the primary, or
 * the secondary whose subnet holds it. */
static uint32_t source_for(const struct iface *ifp, uint32_t nexthop)
{
	for (int i = 0; i < ifp->nsec; i++)
		if ((ifp->sec[i].addr & ifp->sec[i].mask) ==
		    (nexthop & ifp->sec[i].mask))
			return ifp->sec[i].addr;
	return ip_iface_src(ifp);
}

static void send_request(struct arp_entry *e)
{
	static const uint8_t zero[6];
	arp_send(e->ifp, 1, ether_bcast, e->ifp->mac,
		 source_for(e->ifp, e->addr), zero, e->addr);
}

void arp_send_gratuitous(struct iface *ifp, uint32_t addr,
			 const uint8_t mac[6])
{
	/* IOS's gratuitous ARP is a broadcast reply about itself */
	arp_send(ifp, 2, ether_bcast, mac ? mac : ifp->mac, addr, ether_bcast,
		 addr);
}

/* ---- the cache ------------------------------------------------------------------ */

static void entry_timer(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct arp_entry *e = w->data;
	if (e->state == ARP_COMPLETE || e->tries >= ARP_TRIES ||
	    !e->ifp->line_up) {
		entry_free(e);
		return;
	}
	e->tries++;
	send_request(e);
	ev_timer_set(&e->timer, ARP_RETRY, 0.0);
	ev_timer_start(core_loop, &e->timer);
}

static struct arp_entry *entry_new(struct iface *ifp, uint32_t addr)
{
	struct arp_entry *e = xcalloc(1, sizeof *e);
	e->ifp = ifp;
	e->addr = addr;
	e->since = core_uptime();
	nincomplete++;
	unsigned b = bucket(ifp, addr);
	e->next = table[b];
	table[b] = e;
	ev_timer_init(&e->timer, entry_timer, ARP_RETRY, 0.0);
	e->timer.data = e;
	return e;
}

static void flush_queue(struct arp_entry *e)
{
	for (int i = 0; i < e->nq; i++) {
		struct arp_pending *p = &e->q[i];
		if (ether_output(e->ifp, e->mac,
				 p->has_src_mac ? p->src_mac : NULL, 0x0800,
				 p->pkt, p->len) < 0)
			ip_stats.encap_fail++;
		free(p->pkt);
	}
	e->nq = 0;
}

static void learn(struct arp_entry *e, const uint8_t mac[6])
{
	memcpy(e->mac, mac, 6);
	if (e->state == ARP_INCOMPLETE)
		nincomplete--;
	e->state = ARP_COMPLETE;
	e->since = core_uptime();
	e->tries = 0;
	ev_timer_stop(core_loop, &e->timer);
	ev_timer_set(&e->timer, ARP_TIMEOUT, 0.0);
	ev_timer_start(core_loop, &e->timer);
	flush_queue(e);
}

int arp_output(struct iface *ifp, uint32_t nexthop, const uint8_t *src_mac,
	       const uint8_t *pkt, size_t len)
{
	struct arp_entry *e = lookup(ifp, nexthop);
	if (e && e->state == ARP_COMPLETE)
		return ether_output(ifp, e->mac, src_mac, 0x0800, pkt, len);
	if (!ifp->line_up || ifp->shutdown)
		return -1;
	if (!e) {
		if (nincomplete >= ARP_MAX_INCOMPLETE) {
			ip_stats.encap_fail++;
			return -1;
		}
		e = entry_new(ifp, nexthop);
		e->tries = 1;
		send_request(e);
		ev_timer_start(core_loop, &e->timer);
	}
	if (e->nq == ARP_QUEUE) {
		ip_stats.arp_drop_queue++;
		ip_stats.encap_fail++;
		return -1;
	}
	struct arp_pending *p = &e->q[e->nq++];
	p->pkt = xmalloc(len);
	memcpy(p->pkt, pkt, len);
	p->len = len;
	p->has_src_mac = src_mac != NULL;
	if (src_mac)
		memcpy(p->src_mac, src_mac, 6);
	ip_stats.unresolved++;
	return 0;
}

void arp_input(struct iface *ifp, const uint8_t *pkt, size_t len)
{
	struct arp_hdr h;
	if (len < sizeof h) {
		ip_stats.arp_bad++;
		return;
	}
	memcpy(&h, pkt, sizeof h);
	uint16_t op = ntohs(h.op);
	if (ntohs(h.htype) != 1 || ntohs(h.ptype) != 0x0800 || h.hlen != 6 ||
	    h.plen != 4 || (op != 1 && op != 2) || (h.sha[0] & 1)) {
		ip_stats.arp_bad++;
		return;
	}
	if (op == 1)
		ip_stats.arp_req_rcvd++;
	else
		ip_stats.arp_rep_rcvd++;
	uint32_t spa, tpa;
	memcpy(&spa, h.spa, 4);
	memcpy(&tpa, h.tpa, 4);
	if (memcmp(h.sha, ifp->mac, 6) == 0)
		return;    /* our own, reflected by a bridge */

	if (spa && iface_has_addr(ifp, spa)) {
		char ab[16], mb[16];
		iface_mac_str(h.sha, mb, sizeof mb);
		log_ios("IP-4-DUPADDR", "Duplicate address %s on %s, sourced "
			"by %s", ip_fmt(spa, ab), ifp->name, mb);
		return;
	}
	const uint8_t *vmac = iface_vaddr_mac(ifp, tpa);
	bool for_us = tpa && (iface_has_addr(ifp, tpa) || vmac);

	/* RFC 826: refresh what we know; create only when we are the
	 * target (and the sender is on one of this interface's subnets) */
	struct arp_entry *e = spa ? lookup(ifp, spa) : NULL;
	if (e)
		learn(e, h.sha);
	else if (for_us && spa && iface_on_subnet(ifp, spa))
		learn(entry_new(ifp, spa), h.sha);

	if (op == 1 && for_us) {
		const uint8_t *mine = vmac ? vmac : ifp->mac;
		arp_send(ifp, 2, h.sha, mine, tpa, h.sha, spa);
	}
}

/* ---- events -------------------------------------------------------------------- */

static void flush_iface(struct iface *ifp)
{
	for (int b = 0; b < ARP_BUCKETS; b++)
		for (struct arp_entry *e = table[b], *nx; e; e = nx) {
			nx = e->next;
			if (!ifp || e->ifp == ifp)
				entry_free(e);
		}
}

void arp_iface_gone(struct iface *ifp)
{
	flush_iface(ifp);
}

void arp_reset(void)
{
	flush_iface(NULL);
}

static void announce(struct iface *ifp)
{
	if (!iface_is_ethernet(ifp) || !ifp->line_up)
		return;
	if (ifp->addr)
		arp_send_gratuitous(ifp, ifp->addr, NULL);
	for (int i = 0; i < ifp->nsec; i++)
		arp_send_gratuitous(ifp, ifp->sec[i].addr, NULL);
}

static void on_addr(enum core_event ev, void *data, void *ctx)
{
	struct iface *ifp = data;
	/* entries off the new subnets are no longer reachable here */
	for (int b = 0; b < ARP_BUCKETS; b++)
		for (struct arp_entry *e = table[b], *nx; e; e = nx) {
			nx = e->next;
			if (e->ifp == ifp && !iface_on_subnet(ifp, e->addr))
				entry_free(e);
		}
	announce(ifp);
}

static void on_state(enum core_event ev, void *data, void *ctx)
{
	struct iface *ifp = data;
	if (!ifp->line_up)
		flush_iface(ifp);
	else
		announce(ifp);
}

/* ---- show arp / clear arp-cache ------------------------------------------------ */

struct arp_row {
	uint32_t addr;
	const struct iface *ifp;
	const uint8_t *mac;   /* NULL: incomplete */
	long age;             /* minutes, -1: the router's own */
};

static int row_cmp(const void *x, const void *y)
{
	const struct arp_row *a = x, *b = y;
	if (a->addr != b->addr)
		return ntohl(a->addr) < ntohl(b->addr) ? -1 : 1;
	return strcmp(a->ifp->name, b->ifp->name);
}

static void add_row(struct arp_row **v, int *n, int *cap, struct arp_row r)
{
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 32;
		*v = xrealloc(*v, (size_t)*cap * sizeof **v);
	}
	(*v)[(*n)++] = r;
}

static void arp_table(struct cli *cli, const struct iface *only)
{
	struct arp_row *v = NULL;
	int n = 0, cap = 0;
	for (struct iface *i = iface_first(); i; i = iface_next(i)) {
		if (only && i != only)
			continue;
		if (!iface_is_ethernet(i) || !i->line_up)
			continue;
		if (i->addr)
			add_row(&v, &n, &cap, (struct arp_row){i->addr, i, i->mac, -1});
		for (int k = 0; k < i->nsec; k++)
			add_row(&v, &n, &cap,
				(struct arp_row){i->sec[k].addr, i, i->mac, -1});
		for (int k = 0; i->net && k < i->net->nvaddrs; k++)
			add_row(&v, &n, &cap,
				(struct arp_row){i->net->vaddrs[k].addr, i,
						 i->net->vaddrs[k].mac, -1});
	}
	double now = core_uptime();
	for (int b = 0; b < ARP_BUCKETS; b++)
		for (struct arp_entry *e = table[b]; e; e = e->next) {
			if (only && e->ifp != only)
				continue;
			add_row(&v, &n, &cap,
				(struct arp_row){e->addr, e->ifp,
						 e->state == ARP_COMPLETE ? e->mac : NULL,
						 (long)((now - e->since) / 60)});
		}
	if (n > 1)   /* qsort(NULL, 0, ...) is undefined */
		qsort(v, (size_t)n, sizeof *v, row_cmp);
	struct sbuf b;
	sbuf_init(&b);
	sbuf_puts(&b, "Protocol  Address          Age (min)  Hardware Addr   "
		      "Type   Interface\n");
	for (int k = 0; k < n; k++) {
		char ab[16], age[24], mac[16];
		if (v[k].age < 0)
			snprintf(age, sizeof age, "-");
		else
			snprintf(age, sizeof age, "%ld", v[k].age);
		ip_fmt(v[k].addr, ab);
		if (!v[k].mac) {
			sbuf_printf(&b, "Internet  %-16s%9s   %-14s  ARPA\n", ab,
				    age, "Incomplete");
			continue;
		}
		iface_mac_str(v[k].mac, mac, sizeof mac);
		sbuf_printf(&b, "Internet  %-16s%9s   %-14s  ARPA   %s\n", ab,
			    age, mac, v[k].ifp->name);
	}
	free(v);
	cli_puts(cli, b.s);
	sbuf_free(&b);
}

DEFUN(show_arp, "show arp", "Show running system information\n"
      "ARP table\n")
{
	arp_table(cli, NULL);
	return CLI_OK;
}

DEFUN(show_ip_arp, "show ip arp [IFNAME$ifname]",
      "Show running system information\n"
      "IP information\n"
      "IP ARP table\n"
      "Interface type and number\n")
{
	const char *name = cli_arg(a, "ifname");
	const struct iface *ifp = name ? iface_find(name) : NULL;
	if (name && !ifp) {
		cli_invalid_arg(cli, a, cli_arg_index(a, "ifname"));
		return CLI_ERR;
	}
	arp_table(cli, ifp);
	return CLI_OK;
}

DEFUN(clear_arp, "clear arp-cache [interface IFNAME$ifname]",
      "Reset functions\n"
      "Clear the entire ARP cache\n"
      "Clear the entire ARP cache on the interface\n"
      "Interface type and number\n")
{
	const char *name = cli_arg(a, "ifname");
	struct iface *ifp = name ? iface_find(name) : NULL;
	if (name && !ifp) {
		cli_invalid_arg(cli, a, cli_arg_index(a, "ifname"));
		return CLI_ERR;
	}
	/* dynamic entries go; the router's own are rebuilt and announced */
	flush_iface(ifp);
	for (struct iface *i = iface_first(); i; i = iface_next(i))
		if (!ifp || i == ifp)
			announce(i);
	return CLI_OK;
}

void arp_init(void)
{
	core_subscribe(EVT_IFACE_ADDR, on_addr, NULL);
	core_subscribe(EVT_IFACE_STATE, on_state, NULL);
	cli_install(MODE_EXEC, &show_arp_cmd);
	cli_install(MODE_USER, &show_arp_cmd);  /* user EXEC too, as on IOS */
	cli_install(MODE_EXEC, &show_ip_arp_cmd);
	cli_install(MODE_USER, &show_ip_arp_cmd);  /* user EXEC too, as on IOS */
	cli_install(MODE_EXEC, &clear_arp_cmd);
}
