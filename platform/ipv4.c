/* IPv4: header validation, local delivery (interface and virtual
 * addresses, joined groups, limited and directed broadcast), bounded
 * reassembly of fragments for the router, forwarding by the routing table
 * (TTL, incremental checksum, ip access-group in/out, ICMP errors), output
 * with fragmentation, and the UDP/protocol demultiplexer.
 *
 * Choices where IOS has knobs:
 *  - Packets with IP options are counted ("with options") and dropped, as
 *    `ip options drop` makes IOS do; nothing in this router needs them.
 *  - Fragments are reassembled only when addressed to the router; transit
 *    fragments are counted and dropped (no virtual reassembly).
 *  - No ICMP redirects and no proxy ARP. */
#include "platform_int.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct ip_stats ip_stats;

static ip_rx_fn proto_fn[256];
struct udp_port_fn {
	uint16_t port;
	ip_rx_fn fn;
};
static struct udp_port_fn *udp_fns;
static int nudp_fns;
static uint16_t next_id = 1;
static ip_out_feature_fn out_feature;
static ip_in_feature_fn in_feature;

#define IP_HLEN 20
#define IP_MAXLEN 65535

static uint16_t rd16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static void wr16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }

/* ---- checksums --------------------------------------------------------------- */

uint32_t inet_csum_add(const void *data, size_t len, uint32_t sum)
{
	const uint8_t *p = data;
	while (len > 1) {
		sum += (uint32_t)(p[0] << 8 | p[1]);
		p += 2;
		len -= 2;
	}
	if (len)
		sum += (uint32_t)(p[0] << 8);
	return sum;
}

uint16_t inet_csum(const void *data, size_t len, uint32_t sum)
{
	sum = inet_csum_add(data, len, sum);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static uint32_t pseudo_sum(uint32_t src, uint32_t dst, uint8_t proto,
			   size_t len)
{
	uint32_t s = 0;
	s = inet_csum_add(&src, 4, s);
	s = inet_csum_add(&dst, 4, s);
	return s + proto + (uint32_t)len;
}

/* ---- demultiplexer registration ------------------------------------------------ */

void ip_register_proto(uint8_t proto, ip_rx_fn fn)
{
	proto_fn[proto] = fn;
}

void udp_register_port(uint16_t port, ip_rx_fn fn)
{
	for (int i = 0; i < nudp_fns; i++)
		if (udp_fns[i].port == port) {
			udp_fns[i].fn = fn;
			return;
		}
	udp_fns = xrealloc(udp_fns, (size_t)(nudp_fns + 1) * sizeof *udp_fns);
	udp_fns[nudp_fns++] = (struct udp_port_fn){port, fn};
}

static ip_rx_fn udp_fn(uint16_t port)
{
	for (int i = 0; i < nudp_fns; i++)
		if (udp_fns[i].port == port)
			return udp_fns[i].fn;
	return NULL;
}

/* ---- addresses -------------------------------------------------------------------- */

static bool is_mcast(uint32_t a) { return (ntohl(a) >> 28) == 0xe; }
static bool is_limited_bcast(uint32_t a) { return a == 0xffffffffu; }

/* The subnet broadcast of one of IFP's subnets? */
static bool is_directed_bcast(const struct iface *ifp, uint32_t a)
{
	if (ifp->addr && ifp->mask != 0xffffffffu &&
	    a == (ifp->addr | ~ifp->mask))
		return true;
	for (int i = 0; i < ifp->nsec; i++)
		if (ifp->sec[i].mask != 0xffffffffu &&
		    a == (ifp->sec[i].addr | ~ifp->sec[i].mask))
			return true;
	return false;
}

static bool ip_enabled(const struct iface *ifp)
{
	return ifp->addr || ifp->unnumbered;
}

uint32_t ip_iface_src(const struct iface *ifp)
{
	if (ifp->addr)
		return ifp->addr;
	if (ifp->unnumbered) {
		const struct iface *u = iface_find(ifp->unnumbered);
		return u ? u->addr : 0;
	}
	return 0;
}

static bool is_local(uint32_t a)
{
	return iface_by_addr(a) || ip_is_vaddr(a);
}

/* ---- access lists ------------------------------------------------------------------- */

/* ip access-group on IFP for a direction: true when the packet may pass.
 * A named list that does not exist permits everything, as on IOS. */
static bool acl_pass(const struct iface *ifp, bool out, const uint8_t *pkt,
		     size_t len)
{
	const char *name = iface_acl(ifp, out);
	if (!name)
		return true;
	struct acl *acl = acl_find(name);
	if (!acl)
		return true;
	size_t ihl = (size_t)(pkt[0] & 15) * 4;
	uint8_t proto = pkt[9];
	uint16_t sport = 0, dport = 0;
	bool first = (rd16(pkt + 6) & 0x1fff) == 0;
	if ((proto == 6 || proto == 17) && first && len >= ihl + 4) {
		sport = rd16(pkt + ihl);
		dport = rd16(pkt + ihl + 2);
	}
	uint32_t src, dst;
	memcpy(&src, pkt + 12, 4);
	memcpy(&dst, pkt + 16, 4);
	return acl_evaluate(acl, proto, src, dst, sport, dport) == ACL_PERMIT;
}

/* ---- reassembly (for the router only, bounded) ---------------------------------------- */

#define REASM_SLOTS 8
#define REASM_TIMEOUT 15.0

struct reasm {
	bool used;
	uint32_t src, dst;
	uint16_t id;
	uint8_t proto;
	double started;
	uint8_t hdr[IP_HLEN];
	uint8_t *data;             /* IP_MAXLEN bytes of payload */
	uint8_t have[IP_MAXLEN / 8 / 8 + 1];   /* one bit per 8-byte block */
	size_t total;              /* payload length, 0 until the last one */
};
static struct reasm reasm[REASM_SLOTS];
static uint8_t reasm_out[IP_MAXLEN];

static void reasm_free(struct reasm *r)
{
	free(r->data);
	memset(r, 0, sizeof *r);
}

static bool reasm_complete(const struct reasm *r)
{
	if (!r->total)
		return false;
	for (size_t b = 0; b < (r->total + 7) / 8; b++)
		if (!(r->have[b / 8] & (1u << (b % 8))))
			return false;
	return true;
}

/* Add one fragment; returns the whole datagram (in reasm_out) when it is
 * complete, else NULL. */
static const uint8_t *reassemble(const uint8_t *pkt, size_t len,
				 size_t *out_len)
{
	size_t ihl = (size_t)(pkt[0] & 15) * 4;
	uint16_t fo = rd16(pkt + 6);
	size_t off = (size_t)(fo & 0x1fff) * 8;
	bool mf = fo & 0x2000;
	size_t dlen = len - ihl;
	uint32_t src, dst;
	memcpy(&src, pkt + 12, 4);
	memcpy(&dst, pkt + 16, 4);
	uint16_t id = rd16(pkt + 4);
	double now = core_uptime();

	ip_stats.frags++;
	if (off + dlen > IP_MAXLEN - IP_HLEN || (mf && (dlen % 8 || !dlen))) {
		ip_stats.reasm_fail++;
		return NULL;
	}
	struct reasm *r = NULL, *spare = NULL;
	for (int i = 0; i < REASM_SLOTS; i++) {
		struct reasm *s = &reasm[i];
		if (s->used && now - s->started > REASM_TIMEOUT) {
			ip_stats.reasm_timeout++;
			reasm_free(s);
		}
		if (s->used && s->src == src && s->dst == dst && s->id == id &&
		    s->proto == pkt[9])
			r = s;
		else if (!s->used && !spare)
			spare = s;
	}
	if (!r) {
		if (!spare) {
			ip_stats.reasm_fail++;
			return NULL;
		}
		r = spare;
		r->used = true;
		r->src = src;
		r->dst = dst;
		r->id = id;
		r->proto = pkt[9];
		r->started = now;
		r->data = xmalloc(IP_MAXLEN);
	}
	if (off == 0)
		memcpy(r->hdr, pkt, IP_HLEN);
	memcpy(r->data + off, pkt + ihl, dlen);
	for (size_t b = off / 8; b < (off + dlen + 7) / 8; b++)
		r->have[b / 8] |= (uint8_t)(1u << (b % 8));
	if (!mf)
		r->total = off + dlen;
	if (!reasm_complete(r))
		return NULL;
	memcpy(reasm_out, r->hdr, IP_HLEN);
	reasm_out[0] = 0x45;
	memcpy(reasm_out + IP_HLEN, r->data, r->total);
	*out_len = IP_HLEN + r->total;
	wr16(reasm_out + 2, (uint16_t)*out_len);
	wr16(reasm_out + 6, 0);
	wr16(reasm_out + 10, 0);
	wr16(reasm_out + 10, inet_csum(reasm_out, IP_HLEN, 0));
	reasm_free(r);
	ip_stats.reassembled++;
	return reasm_out;
}

/* ---- local delivery --------------------------------------------------------------- */

static void udp_input(struct ip_rx *rx, const uint8_t *ip_hdr, size_t ip_len,
		      bool unicast)
{
	ip_stats.udp_rcvd++;
	if (rx->len < 8 || rd16(rx->payload + 4) < 8 ||
	    rd16(rx->payload + 4) > rx->len) {
		ip_stats.udp_format++;
		return;
	}
	size_t ulen = rd16(rx->payload + 4);
	if (rd16(rx->payload + 6) != 0 &&
	    inet_csum(rx->payload, ulen,
		      pseudo_sum(rx->src, rx->dst, 17, ulen)) != 0) {
		ip_stats.udp_csum_err++;
		return;
	}
	rx->sport = rd16(rx->payload);
	rx->dport = rd16(rx->payload + 2);
	ip_rx_fn fn = udp_fn(rx->dport);
	if (!fn) {
		ip_stats.udp_no_port++;
		if (unicast)
			icmp_send_error(3, 3, 0, ip_hdr, ip_len, rx->ifp);
		return;
	}
	rx->payload += 8;
	rx->len = ulen - 8;
	fn(rx);
}

/* PKT is a valid, unfragmented IPv4 packet for the router. */
static void local_input(struct iface *ifp, const uint8_t *pkt, size_t len,
			const uint8_t *src_mac, const uint8_t *dst_mac)
{
	size_t ihl = (size_t)(pkt[0] & 15) * 4;
	struct ip_rx rx = {
		.ifp = ifp, .ip_hdr = pkt, .src_mac = src_mac, .dst_mac = dst_mac,
		.proto = pkt[9], .ttl = pkt[8], .tos = pkt[1],
		.payload = pkt + ihl, .len = len - ihl,
	};
	memcpy(&rx.src, pkt + 12, 4);
	memcpy(&rx.dst, pkt + 16, 4);
	bool unicast = !is_mcast(rx.dst) && !is_limited_bcast(rx.dst) &&
		       !is_directed_bcast(ifp, rx.dst);
	ip_stats.local_delivered++;
	switch (rx.proto) {
	case 1:
		icmp_input(&rx, pkt);
		return;
	case 17:
		udp_input(&rx, pkt, len, unicast);
		return;
	default:
		if (proto_fn[rx.proto]) {
			proto_fn[rx.proto](&rx);
			return;
		}
		ip_stats.unknown_proto++;
		if (unicast)
			icmp_send_error(3, 2, 0, pkt, len, ifp);
	}
}

static void local_or_reassemble(struct iface *ifp, const uint8_t *pkt,
				size_t len, const uint8_t *src_mac,
				const uint8_t *dst_mac)
{
	if (rd16(pkt + 6) & 0x3fff) {
		size_t whole;
		const uint8_t *full = reassemble(pkt, len, &whole);
		if (!full)
			return;
		pkt = full;
		len = whole;
	}
	local_input(ifp, pkt, len, src_mac, dst_mac);
}

/* ---- loopback: packets the router sends to itself --------------------------------- */

#define SELF_QUEUE 32
static struct {
	uint8_t *pkt;
	size_t len;
} selfq[SELF_QUEUE];
static int nselfq;
static ev_timer self_timer;

static void self_drain(struct ev_loop *loop, ev_timer *w, int revents)
{
	/* what is delivered may queue more (an echo reply to our own
	 * ping): take the queue first so new entries do not overwrite it */
	struct { uint8_t *pkt; size_t len; } q[SELF_QUEUE];
	int n = nselfq;
	memcpy(q, selfq, (size_t)n * sizeof q[0]);
	nselfq = 0;
	for (int i = 0; i < n; i++) {
		uint32_t dst;
		memcpy(&dst, q[i].pkt + 16, 4);
		struct iface *ifp = iface_by_addr(dst);
		for (struct iface *k = iface_first(); !ifp && k;
		     k = iface_next(k))
			if (iface_vaddr_mac(k, dst))
				ifp = k;
		if (ifp)
			local_or_reassemble(ifp, q[i].pkt, q[i].len, NULL, NULL);
		free(q[i].pkt);
	}
}

static int send_self(const uint8_t *pkt, size_t len)
{
	if (nselfq == SELF_QUEUE)
		return -1;
	selfq[nselfq].pkt = xmalloc(len);
	memcpy(selfq[nselfq].pkt, pkt, len);
	selfq[nselfq].len = len;
	nselfq++;
	ev_timer_set(&self_timer, 0.0, 0.0);
	ev_timer_start(core_loop, &self_timer);
	return 0;
}

/* ---- output ------------------------------------------------------------------------ */

static int l2_output(struct iface *ifp, uint32_t nexthop, const uint8_t *src_mac,
		     const uint8_t *pkt, size_t len)
{
	uint32_t dst;
	memcpy(&dst, pkt + 16, 4);
	if (is_limited_bcast(dst) || is_directed_bcast(ifp, dst)) {
		ip_stats.bcast_sent++;
		return ether_output(ifp, ether_bcast, src_mac, 0x0800, pkt, len);
	}
	if (is_mcast(dst)) {
		uint32_t g = ntohl(dst);
		uint8_t mac[6] = {0x01, 0x00, 0x5e, (uint8_t)((g >> 16) & 0x7f),
				  (uint8_t)(g >> 8), (uint8_t)g};
		ip_stats.mcast_sent++;
		return ether_output(ifp, mac, src_mac, 0x0800, pkt, len);
	}
	if (!iface_is_ethernet(ifp))
		return -1;
	return arp_output(ifp, nexthop, src_mac, pkt, len);
}

int ipv4_output(struct iface *ifp, uint32_t nexthop, const uint8_t *src_mac,
		uint8_t *pkt, size_t len)
{
	if (ifp->type == IFT_TUNNEL)
		return ifp->tun_vti ? vti_output(ifp, pkt, len)
				    : gre_output(ifp, pkt, len);
	if (len <= IF_IP_MTU)
		return l2_output(ifp, nexthop, src_mac, pkt, len);
	uint16_t fo = rd16(pkt + 6);
	if (fo & 0x4000) {
		ip_stats.cant_frag++;
		return -1;
	}
	/* fragment: every piece but the last carries a multiple of 8 */
	size_t ihl = (size_t)(pkt[0] & 15) * 4;
	size_t chunk = (IF_IP_MTU - ihl) & ~(size_t)7;
	size_t base = (size_t)(fo & 0x1fff) * 8;
	bool more = fo & 0x2000;
	uint8_t frag[IF_IP_MTU];
	ip_stats.fragmented++;
	for (size_t off = 0; off < len - ihl; off += chunk) {
		size_t n = len - ihl - off < chunk ? len - ihl - off : chunk;
		bool last = off + n == len - ihl;
		memcpy(frag, pkt, ihl);
		memcpy(frag + ihl, pkt + ihl + off, n);
		wr16(frag + 2, (uint16_t)(ihl + n));
		wr16(frag + 6, (uint16_t)(((base + off) / 8) |
					  (!last || more ? 0x2000 : 0)));
		wr16(frag + 10, 0);
		wr16(frag + 10, inet_csum(frag, ihl, 0));
		ip_stats.frag_made++;
		if (l2_output(ifp, nexthop, src_mac, frag, ihl + n) < 0)
			return -1;
	}
	return 0;
}

/* Where a packet to DST leaves: OPTS' interface, or the routing table.
 * *self: DST is the router's own. */
static bool route_out(uint32_t dst, const struct ip_tx_opts *opts,
		      struct iface **ifp, uint32_t *nexthop, bool *self)
{
	*self = false;
	if (opts && opts->ifp) {
		*ifp = opts->ifp;
		*nexthop = dst;
		struct rib_nexthop nh;
		if (!is_mcast(dst) && !is_limited_bcast(dst) &&
		    rib_lookup(dst, &nh) && nh.ifp == opts->ifp && nh.gateway)
			*nexthop = nh.gateway;
		return true;
	}
	if (is_local(dst)) {
		*self = true;
		*ifp = NULL;
		return true;
	}
	struct rib_nexthop nh;
	if (!rib_lookup(dst, &nh) || !nh.ifp)
		return false;
	*ifp = nh.ifp;
	*nexthop = nh.gateway ? nh.gateway : dst;
	return true;
}

/* Build the header in front of PAYLOAD and send. SRC already chosen. */
static int send_built(uint32_t src, uint32_t dst, uint8_t proto,
		      const void *payload, size_t len,
		      const struct ip_tx_opts *opts, struct iface *ifp,
		      uint32_t nexthop, bool self)
{
	static uint8_t pkt[IP_MAXLEN];
	if (len > IP_MAXLEN - IP_HLEN)
		return -1;
	bool df = opts && opts->df;
	pkt[0] = 0x45;
	pkt[1] = opts ? opts->tos : 0;
	wr16(pkt + 2, (uint16_t)(IP_HLEN + len));
	wr16(pkt + 4, next_id++);
	wr16(pkt + 6, df ? 0x4000 : 0);
	pkt[8] = opts && opts->ttl ? opts->ttl : 255;
	pkt[9] = proto;
	wr16(pkt + 10, 0);
	memcpy(pkt + 12, &src, 4);
	memcpy(pkt + 16, &dst, 4);
	wr16(pkt + 10, inet_csum(pkt, IP_HLEN, 0));
	memcpy(pkt + IP_HLEN, payload, len);
	ip_stats.sent++;
	if (self)
		return send_self(pkt, IP_HLEN + len);
	if (out_feature) {
		struct ip_out_info o = {.ifp = ifp, .nexthop = nexthop};
		switch (out_feature(pkt, IP_HLEN + len, &o)) {
		case IP_FEATURE_SENT:
			if (ifp->tun_vti)
				vti_count_out(ifp, IP_HLEN + len);
			return 0;
		case IP_FEATURE_DROPPED:
			return 0;
		case IP_FEATURE_TOO_BIG:
			ip_stats.cant_frag++;
			return -1;
		case IP_FEATURE_PASS:
			break;
		}
	}
	if (df && IP_HLEN + len > IF_IP_MTU) {
		ip_stats.cant_frag++;
		return -1;
	}
	return ipv4_output(ifp, nexthop, opts ? opts->src_mac : NULL, pkt,
			   IP_HLEN + len);
}

static int prepare(uint32_t *src, uint32_t dst, const struct ip_tx_opts *opts,
		   struct iface **ifp, uint32_t *nexthop, bool *self)
{
	if (!route_out(dst, opts, ifp, nexthop, self)) {
		ip_stats.no_route++;
		return -1;
	}
	if (*self) {
		if (!*src)
			*src = dst;
		return 0;
	}
	if ((*ifp)->shutdown || !(*ifp)->line_up) {
		ip_stats.no_route++;
		return -1;
	}
	if (!*src)
		*src = ip_iface_src(*ifp);
	return 0;
}

int ip_send(uint32_t src, uint32_t dst, uint8_t proto, const void *payload,
	    size_t len, const struct ip_tx_opts *opts)
{
	struct iface *ifp;
	uint32_t nexthop;
	bool self;
	if (prepare(&src, dst, opts, &ifp, &nexthop, &self) < 0)
		return -1;
	return send_built(src, dst, proto, payload, len, opts, ifp, nexthop,
			  self);
}

int udp_send(uint32_t src, uint32_t dst, uint16_t sport, uint16_t dport,
	     const void *payload, size_t len, const struct ip_tx_opts *opts)
{
	static uint8_t seg[IP_MAXLEN];
	if (len > IP_MAXLEN - IP_HLEN - 8)
		return -1;
	struct iface *ifp;
	uint32_t nexthop;
	bool self;
	if (prepare(&src, dst, opts, &ifp, &nexthop, &self) < 0)
		return -1;
	size_t ulen = 8 + len;
	wr16(seg, sport);
	wr16(seg + 2, dport);
	wr16(seg + 4, (uint16_t)ulen);
	wr16(seg + 6, 0);
	memcpy(seg + 8, payload, len);
	uint16_t c = inet_csum(seg, ulen, pseudo_sum(src, dst, 17, ulen));
	wr16(seg + 6, c ? c : 0xffff);
	ip_stats.udp_sent++;
	return send_built(src, dst, 17, seg, ulen, opts, ifp, nexthop, self);
}

/* ---- forwarding --------------------------------------------------------------------- */

/* A Linux sender over veth left its TCP/UDP checksum to the "NIC": the
 * field holds only the pseudo-header sum. Finish it, as the NIC would
 * have, before the packet goes on. */
static void complete_l4_csum(uint8_t *pkt, size_t len)
{
	size_t ihl = (size_t)(pkt[0] & 15) * 4;
	uint8_t proto = pkt[9];
	size_t off = proto == 6 ? 16 : proto == 17 ? 6 : 0;
	if (!off || len < ihl + off + 2)
		return;
	uint32_t src, dst;
	memcpy(&src, pkt + 12, 4);
	memcpy(&dst, pkt + 16, 4);
	uint8_t *l4 = pkt + ihl;
	size_t l4len = len - ihl;
	wr16(l4 + off, 0);
	uint16_t c = inet_csum(l4, l4len, pseudo_sum(src, dst, proto, l4len));
	if (proto == 17 && c == 0)
		c = 0xffff;
	wr16(l4 + off, c);
}

static void forward(const struct frame_rx *f, const uint8_t *pkt, size_t len)
{
	static uint8_t out[IP_MAXLEN];
	struct iface *in = f ? f->ifp : NULL;
	uint32_t dst;
	memcpy(&dst, pkt + 16, 4);
	if (rd16(pkt + 6) & 0x3fff) {
		ip_stats.frag_drop++;
		return;
	}
	if (pkt[8] <= 1) {
		ip_stats.bad_ttl++;
		icmp_send_error(11, 0, 0, pkt, len, in);
		return;
	}
	struct rib_nexthop nh;
	if (!rib_lookup(dst, &nh) || !nh.ifp || nh.ifp->shutdown ||
	    !nh.ifp->line_up) {
		ip_stats.no_route++;
		icmp_send_error(3, 1, 0, pkt, len, in);
		return;
	}
	if (!acl_pass(nh.ifp, true, pkt, len)) {
		ip_stats.acl_out_drop++;
		icmp_send_error(3, 13, 0, pkt, len, in);
		return;
	}
	if (len > IF_IP_MTU && (rd16(pkt + 6) & 0x4000)) {
		ip_stats.too_big++;
		icmp_send_error(3, 4, IF_IP_MTU, pkt, len, in);
		return;
	}
	memcpy(out, pkt, len);
	if (f && f->csum_partial)
		complete_l4_csum(out, len);
	/* TTL - 1 and the checksum patched for it (RFC 1624) */
	uint16_t old = rd16(out + 8);
	out[8]--;
	uint16_t new = rd16(out + 8);
	uint32_t s = (uint16_t)~rd16(out + 10);
	s += (uint16_t)~old;
	s += new;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	wr16(out + 10, (uint16_t)~s);
	uint32_t nexthop = nh.gateway ? nh.gateway : dst;
	if (out_feature) {
		struct ip_out_info o = {.ifp = nh.ifp, .nexthop = nexthop, .in = in};
		switch (out_feature(out, len, &o)) {
		case IP_FEATURE_SENT:
			if (nh.ifp->tun_vti)
				vti_count_out(nh.ifp, len);
			ip_stats.forwarded++;
			return;
		case IP_FEATURE_DROPPED:
			return;
		case IP_FEATURE_TOO_BIG:
			ip_stats.too_big++;
			/* the error quotes the packet as it arrived */
			icmp_send_error(3, 4, o.mtu, pkt, len, in);
			return;
		case IP_FEATURE_PASS:
			break;
		}
	}
	if (ipv4_output(nh.ifp, nexthop, NULL, out, len) == 0)
		ip_stats.forwarded++;
}

/* ---- input ---------------------------------------------------------------------------- */

static void input(const struct frame_rx *f, const uint8_t *pkt, size_t len,
		  const uint8_t *src_mac, const uint8_t *dst_mac, bool injected)
{
	struct iface *ifp = f->ifp;
	ip_stats.rcvd++;
	if (len < IP_HLEN) {
		ip_stats.format_err++;
		return;
	}
	if (pkt[0] >> 4 != 4) {
		ip_stats.bad_version++;
		ip_stats.format_err++;
		return;
	}
	size_t ihl = (size_t)(pkt[0] & 15) * 4;
	size_t tot = rd16(pkt + 2);
	if (ihl < IP_HLEN || tot < ihl || tot > len) {
		ip_stats.format_err++;
		return;
	}
	len = tot;    /* what follows is Ethernet padding */
	if (inet_csum(pkt, ihl, 0) != 0) {
		ip_stats.csum_err++;
		return;
	}
	if (ihl > IP_HLEN) {
		ip_stats.with_opts++;
		return;
	}
	uint32_t src, dst;
	memcpy(&src, pkt + 12, 4);
	memcpy(&dst, pkt + 16, 4);
	if (is_mcast(src) || is_limited_bcast(src) || (ntohl(src) >> 24) == 127) {
		ip_stats.format_err++;
		return;
	}
	if (!ip_enabled(ifp)) {
		ip_stats.not_for_us++;
		return;
	}
	if (is_limited_bcast(dst) || is_directed_bcast(ifp, dst))
		ip_stats.bcast_rcvd++;
	if (is_mcast(dst))
		ip_stats.mcast_rcvd++;
	if (!acl_pass(ifp, false, pkt, len)) {
		ip_stats.acl_in_drop++;
		icmp_send_error(3, 13, 0, pkt, len, ifp);
		return;
	}
	if (in_feature && !injected && !in_feature(ifp, pkt, len))
		return;
	if (is_mcast(dst)) {
		/* no multicast routing: a joined group is ours, the rest
		 * goes nowhere */
		if (ip_mcast_joined(ifp, dst))
			local_or_reassemble(ifp, pkt, len, src_mac, dst_mac);
		else
			ip_stats.not_for_us++;
		return;
	}
	if (is_limited_bcast(dst) || is_directed_bcast(ifp, dst) ||
	    is_local(dst)) {
		local_or_reassemble(ifp, pkt, len, src_mac, dst_mac);
		return;
	}
	forward(f, pkt, len);
}

void ipv4_input(const struct frame_rx *f, const uint8_t *pkt, size_t len,
		const uint8_t *src_mac, const uint8_t *dst_mac)
{
	input(f, pkt, len, src_mac, dst_mac, false);
}

/* ---- features ------------------------------------------------------------------------ */

void ip_set_features(ip_out_feature_fn out, ip_in_feature_fn in)
{
	out_feature = out;
	in_feature = in;
}

enum ip_feature_verdict ipv4_out_feature(const uint8_t *pkt, size_t len,
					 struct ip_out_info *o)
{
	return out_feature ? out_feature(pkt, len, o) : IP_FEATURE_PASS;
}

void ip_inject(struct iface *ifp, const uint8_t *pkt, size_t len)
{
	struct frame_rx f = {.ifp = ifp, .data = pkt, .len = len};
	input(&f, pkt, len, NULL, NULL, true);
}

int ip_output_raw(uint8_t *pkt, size_t len)
{
	uint32_t dst;
	memcpy(&dst, pkt + 16, 4);
	struct iface *ifp;
	uint32_t nexthop;
	bool self;
	if (!route_out(dst, NULL, &ifp, &nexthop, &self)) {
		ip_stats.no_route++;
		return -1;
	}
	ip_stats.sent++;
	if (self)
		return send_self(pkt, len);
	if (ifp->shutdown || !ifp->line_up) {
		ip_stats.no_route++;
		return -1;
	}
	if (len > IF_IP_MTU && (rd16(pkt + 6) & 0x4000)) {
		ip_stats.cant_frag++;
		return -1;
	}
	return ipv4_output(ifp, nexthop, NULL, pkt, len);
}

bool ip_inner_packet_ok(const uint8_t *p, size_t n, size_t *len)
{
	if (n < IP_HLEN || p[0] >> 4 != 4 || (p[0] & 15) < 5)
		return false;
	size_t tot = rd16(p + 2);
	if (tot < (size_t)(p[0] & 15) * 4 || tot > n)
		return false;
	*len = tot;
	return true;
}

uint16_t ip_next_id(void)
{
	return next_id++;
}

uint16_t ip_checksum(const void *data, size_t len, uint32_t sum)
{
	return inet_csum(data, len, sum);
}

/* ---- show ip traffic ---------------------------------------------------------------- */

DEFUN(show_ip_traffic, "show ip traffic", "Show running system information\n"
      "IP information\n"
      "IP protocol statistics\n")
{
	const struct ip_stats *s = &ip_stats;
	typedef unsigned long long ull;
	struct sbuf b;
	sbuf_init(&b);
	sbuf_printf(&b, "IP statistics:\n"
		    "  Rcvd:  %llu total, %llu local destination\n"
		    "         %llu format errors, %llu checksum errors, "
		    "%llu bad hop count\n"
		    "         %llu unknown protocol, %llu not a gateway\n"
		    "         0 security failures, %llu bad options, "
		    "%llu with options\n",
		    (ull)s->rcvd, (ull)s->local_delivered, (ull)s->format_err,
		    (ull)s->csum_err, (ull)s->bad_ttl, (ull)s->unknown_proto,
		    (ull)s->not_for_us, (ull)s->bad_opts, (ull)s->with_opts);
	sbuf_printf(&b, "  Frags: %llu reassembled, %llu timeouts, "
		    "%llu couldn't reassemble\n"
		    "         %llu fragmented, %llu fragments, "
		    "%llu couldn't fragment\n"
		    "         %llu transit fragments dropped\n",
		    (ull)s->reassembled, (ull)s->reasm_timeout,
		    (ull)s->reasm_fail, (ull)s->fragmented, (ull)s->frag_made,
		    (ull)s->cant_frag, (ull)s->frag_drop);
	sbuf_printf(&b, "  Bcast: %llu received, %llu sent\n"
		    "  Mcast: %llu received, %llu sent\n"
		    "  Sent:  %llu generated, %llu forwarded\n"
		    "  Drop:  %llu encapsulation failed, %llu unresolved, "
		    "%llu no adjacency\n"
		    "         %llu no route, %llu unicast RPF, "
		    "%llu forced drop\n"
		    "         %llu access-list in, %llu access-list out\n\n",
		    (ull)s->bcast_rcvd, (ull)s->bcast_sent, (ull)s->mcast_rcvd,
		    (ull)s->mcast_sent, (ull)s->sent, (ull)s->forwarded,
		    (ull)s->encap_fail, (ull)s->unresolved,
		    (ull)s->no_adjacency, (ull)s->no_route, 0ULL, 0ULL,
		    (ull)s->acl_in_drop, (ull)s->acl_out_drop);
	sbuf_printf(&b, "ICMP statistics:\n"
		    "  Rcvd: %llu format errors, %llu checksum errors, "
		    "0 redirects, %llu unreachable, %llu echo\n"
		    "        %llu echo reply, 0 mask requests, 0 mask replies, "
		    "0 quench\n"
		    "        0 parameter, 0 timestamp, 0 info request, "
		    "%llu other\n"
		    "        0 irdp solicitations, 0 irdp advertisements\n"
		    "        %llu time exceeded, 0 timestamp replies, "
		    "0 info replies\n"
		    "  Sent: 0 redirects, %llu unreachable, %llu echo, "
		    "%llu echo reply\n"
		    "        0 mask requests, 0 mask replies, 0 quench, "
		    "0 timestamp\n"
		    "        0 info reply, %llu time exceeded, 0 parameter "
		    "problem\n"
		    "        0 irdp solicitations, 0 irdp advertisements\n"
		    "        %llu rate-limited\n\n",
		    (ull)s->icmp_format, (ull)s->icmp_csum_err,
		    (ull)s->icmp_unreach_rcvd, (ull)s->icmp_echo_rcvd,
		    (ull)s->icmp_echo_reply_rcvd, (ull)s->icmp_other_rcvd,
		    (ull)s->icmp_ttl_rcvd, (ull)s->icmp_unreach_sent,
		    (ull)s->icmp_echo_sent, (ull)s->icmp_reply_sent,
		    (ull)s->icmp_ttl_sent, (ull)s->icmp_rate_limited);
	sbuf_printf(&b, "UDP statistics:\n"
		    "  Rcvd: %llu total, %llu checksum errors, "
		    "%llu no port %llu finput\n"
		    "  Sent: %llu total, 0 forwarded broadcasts\n\n",
		    (ull)s->udp_rcvd, (ull)s->udp_csum_err,
		    (ull)s->udp_no_port, 0ULL, (ull)s->udp_sent);
	sbuf_printf(&b, "ARP statistics:\n"
		    "  Rcvd: %llu requests, %llu replies, 0 reverse, "
		    "%llu other\n"
		    "  Sent: %llu requests, %llu replies (0 proxy), "
		    "0 reverse\n"
		    "  Drop due to input queue full: %llu\n",
		    (ull)s->arp_req_rcvd, (ull)s->arp_rep_rcvd,
		    (ull)s->arp_bad, (ull)s->arp_req_sent,
		    (ull)s->arp_rep_sent, (ull)s->arp_drop_queue);
	cli_puts(cli, b.s);
	sbuf_free(&b);
	return CLI_OK;
}

void ipv4_reset(void)
{
	for (int i = 0; i < REASM_SLOTS; i++)
		reasm_free(&reasm[i]);
	for (int i = 0; i < nselfq; i++)
		free(selfq[i].pkt);
	nselfq = 0;
	ev_timer_stop(core_loop, &self_timer);
	memset(&ip_stats, 0, sizeof ip_stats);
}

void ipv4_init(void)
{
	ev_timer_init(&self_timer, self_drain, 0.0, 0.0);
	cli_install(MODE_EXEC, &show_ip_traffic_cmd);
}
