/* Tunnel interfaces. Most of this file is GRE (IOS's default `tunnel mode
 * gre ip`); the end is `tunnel mode ipsec ipv4`, IOS's static virtual
 * tunnel interface: no GRE header, the packet routed into the tunnel is
 * what IPsec protects (crypto/vti.c keeps its SAs and line protocol).
 *
 * GRE (`interface TunnelN`):
 * RFC 2784's four-byte header, no checksum, key or sequence number.
 *
 *   out  a packet whose exit is a tunnel gets the GRE header and an outer
 *        IPv4 header (the tunnel source and destination, TTL 255, the
 *        inner TOS, DF clear); the outer packet is offered to the output
 *        feature as leaving the TUNNEL (so `tunnel protection` applies to
 *        it there), then routed to the destination like any packet of the
 *        router's own, fragmented by the exit if it must be. A tunnel
 *        whose destination is routed into a tunnel is recursive routing:
 *        dropped, counted, logged (%TUN-5-RECURDOWN).
 *   in   GRE to one of the router's addresses (an Active virtual IP too)
 *        is taken by the tunnel whose source and destination are the
 *        packet's destination and source, admin up with its line protocol
 *        up; its inner IPv4 packet is processed as arrived on the tunnel.
 *        Every header field is checked first; what fails is dropped and
 *        counted, GRE for no tunnel gets ICMP protocol unreachable.
 *
 * IOS 12.4's tunnel IP MTU: 1476 (1500 less the 24 bytes GRE over IP adds).
 * A bigger inner packet with DF set gets ICMP fragmentation needed with
 * that MTU; one without DF is carried whole and the outer packet is
 * fragmented (IOS's default, no `tunnel path-mtu-discovery`). */
#include "platform_int.h"

#include <arpa/inet.h>
#include <string.h>

#define GRE_HLEN 4
#define GRE_PROTO_IP 0x0800
#define IP_HLEN 20
#define IP_MAXLEN 65535
#define TUNNEL_IP_MTU (IF_IP_MTU - IP_HLEN - GRE_HLEN)
#define RECUR_LOG_EVERY 60.0

struct gre_stats gre_stats;

static struct {
	int out_depth, in_depth;   /* re-entry: a tunnel routed into a tunnel */
	double recur_logged;
} gre;

static uint16_t rd16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static void wr16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }

/* ---- output ---------------------------------------------------------------------------- */

static void recursive(struct iface *tun)
{
	gre_stats.recursive++;
	tun->cnt.out_drops++;
	double now = core_uptime();
	if (gre.recur_logged > 0 && now - gre.recur_logged < RECUR_LOG_EVERY)
		return;
	gre.recur_logged = now;
	log_ios("TUN-5-RECURDOWN", "%s temporarily disabled due to recursive "
		"routing", tun->name);
}

/* The outer packet, built in OUT (room for IP_MAXLEN). */
static size_t encapsulate(const struct iface *tun, const uint8_t *pkt,
			  size_t len, uint32_t src, uint32_t dst, uint8_t *out)
{
	size_t tot = IP_HLEN + GRE_HLEN + len;
	out[0] = 0x45;
	out[1] = pkt[1];                     /* the inner TOS */
	wr16(out + 2, (uint16_t)tot);
	wr16(out + 4, ip_next_id());
	wr16(out + 6, 0);
	out[8] = 255;
	out[9] = 47;
	wr16(out + 10, 0);
	memcpy(out + 12, &src, 4);
	memcpy(out + 16, &dst, 4);
	wr16(out + 10, inet_csum(out, IP_HLEN, 0));
	wr16(out + IP_HLEN, 0);              /* no C, K, S; version 0 */
	wr16(out + IP_HLEN + 2, GRE_PROTO_IP);
	memcpy(out + IP_HLEN + GRE_HLEN, pkt, len);
	return tot;
}

/* The route to the destination must not lead into a tunnel again. */
static bool routed_into_tunnel(uint32_t dst)
{
	struct rib_nexthop nh;
	return rib_lookup(dst, &nh) && nh.ifp && nh.ifp->type == IFT_TUNNEL;
}

int gre_output(struct iface *tun, const uint8_t *pkt, size_t len)
{
	static uint8_t out[IP_MAXLEN];
	uint32_t src, dst;
	if (!iface_tunnel_endpoints(tun, &src, &dst) || !src) {
		tun->cnt.out_drops++;
		return -1;
	}
	if (gre.out_depth || routed_into_tunnel(dst)) {
		recursive(tun);
		return -1;
	}
	if (len > TUNNEL_IP_MTU && (rd16(pkt + 6) & 0x4000)) {
		gre_stats.too_big++;
		icmp_send_error(3, 4, TUNNEL_IP_MTU, pkt, len, NULL);
		return -1;
	}
	if (len > IP_MAXLEN - IP_HLEN - GRE_HLEN) {
		tun->cnt.out_drops++;
		return -1;
	}
	size_t n = encapsulate(tun, pkt, len, src, dst, out);
	tun->cnt.out_pkts++;
	tun->cnt.out_bytes += len;
	tun->cnt.last_output = core_uptime();
	gre_stats.out++;
	struct ip_out_info o = {.ifp = tun, .nexthop = dst};
	int rc = 0;
	gre.out_depth++;
	switch (ipv4_out_feature(out, n, &o)) {
	case IP_FEATURE_SENT:
	case IP_FEATURE_DROPPED:
		break;
	case IP_FEATURE_TOO_BIG:
		gre_stats.too_big++;
		if (rd16(pkt + 6) & 0x4000)
			icmp_send_error(3, 4, o.mtu > IP_HLEN + GRE_HLEN ?
					o.mtu - IP_HLEN - GRE_HLEN : 0,
					pkt, len, NULL);
		rc = -1;
		break;
	case IP_FEATURE_PASS:
		rc = ip_output_raw(out, n);
		break;
	}
	gre.out_depth--;
	return rc;
}

/* ---- IPsec virtual tunnel interfaces ------------------------------------------------- */

/* The output feature runs on every packet as leaving its interface
 * (ipv4.c), the tunnel too: there the tunnel's crypto map (its profile
 * instance) protects the packet, in tunnel mode to the tunnel
 * destination, and the tunnel counts it as sent. */
void vti_count_out(struct iface *tun, size_t len)
{
	tun->cnt.out_pkts++;
	tun->cnt.out_bytes += len;
	tun->cnt.last_output = core_uptime();
}

/* What reaches the tunnel itself was let through in clear: a VTI carries
 * nothing in clear. Dropped and counted (recursive routing when the way
 * to the tunnel destination is the tunnel). */
int vti_output(struct iface *tun, const uint8_t *pkt, size_t len)
{
	uint32_t src, dst;
	if (iface_tunnel_endpoints(tun, &src, &dst) && routed_into_tunnel(dst)) {
		recursive(tun);
		return -1;
	}
	gre_stats.vti_unprotected++;
	tun->cnt.out_drops++;
	return -1;
}

void vti_input(struct iface *tun, const uint8_t *pkt, size_t len)
{
	tun->cnt.in_pkts++;
	tun->cnt.in_bytes += len;
	tun->cnt.last_input = core_uptime();
	ip_inject(tun, pkt, len);
}

/* ---- input ----------------------------------------------------------------------------- */

static struct iface *tunnel_for(uint32_t local, uint32_t remote)
{
	for (struct iface *t = iface_first(); t; t = iface_next(t)) {
		uint32_t src, dst;
		if (t->type == IFT_TUNNEL && !t->tun_vti &&
		    iface_tunnel_endpoints(t, &src, &dst) &&
		    src == local && dst == remote && !t->shutdown && t->line_up)
			return t;
	}
	return NULL;
}

static void gre_input(const struct ip_rx *rx)
{
	gre_stats.in++;
	/* C, R, K, S, strict source route, recursion, flags, version: all 0
	 * in what this router speaks; the payload must be IPv4 */
	if (rx->len < GRE_HLEN || rd16(rx->payload) != 0 ||
	    rd16(rx->payload + 2) != GRE_PROTO_IP) {
		gre_stats.bad_header++;
		ip_stats.format_err++;
		return;
	}
	size_t ilen;
	const uint8_t *inner = rx->payload + GRE_HLEN;
	if (!ip_inner_packet_ok(inner, rx->len - GRE_HLEN, &ilen)) {
		gre_stats.bad_header++;
		ip_stats.format_err++;
		return;
	}
	struct iface *tun = tunnel_for(rx->dst, rx->src);
	if (!tun) {
		gre_stats.no_tunnel++;
		ip_stats.unknown_proto++;
		icmp_send_error(3, 2, 0, rx->ip_hdr, IP_HLEN + rx->len, rx->ifp);
		return;
	}
	if (gre.in_depth) {                  /* GRE in GRE to the router */
		gre_stats.nested++;
		tun->cnt.in_drops++;
		return;
	}
	tun->cnt.in_pkts++;
	tun->cnt.in_bytes += ilen;
	tun->cnt.last_input = core_uptime();
	gre.in_depth++;
	ip_inject(tun, inner, ilen);
	gre.in_depth--;
}

void gre_reset(void)
{
	memset(&gre_stats, 0, sizeof gre_stats);
	memset(&gre, 0, sizeof gre);
}

void gre_init(void)
{
	ip_register_proto(47, gre_input);
}
