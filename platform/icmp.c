/* ICMP: echo replies for the router's addresses (virtual ones included),
 * the error messages the forwarding path raises (time exceeded,
 * unreachable; unreachables rate-limited as IOS's `ip icmp rate-limit
 * unreachable` default: one per 500 ms, the DF kind on its own budget),
 * and the echo API the ping command sends through. */
#include "platform_int.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#define UNREACH_INTERVAL 0.5

static uint16_t rd16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static void wr16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }

struct echo_reg {
	uint16_t id;
	icmp_echo_fn fn;
	void *ctx;
};
static struct echo_reg *regs;
static int nregs;
static uint16_t next_echo_id = 1;

static double last_unreach = -1e9, last_unreach_df = -1e9;

/* ---- errors --------------------------------------------------------------------- */

/* RFC 1812 4.3.2.7: never about an ICMP error, a non-first fragment, or a
 * packet whose source is not one host. */
static bool may_answer(const uint8_t *pkt, size_t len)
{
	size_t ihl = (size_t)(pkt[0] & 15) * 4;
	uint32_t src, dst;
	memcpy(&src, pkt + 12, 4);
	memcpy(&dst, pkt + 16, 4);
	uint32_t s = ntohl(src), d = ntohl(dst);
	if (s == 0 || s == 0xffffffffu || (s >> 28) == 0xe || (d >> 28) == 0xe ||
	    d == 0xffffffffu)
		return false;
	if (rd16(pkt + 6) & 0x1fff)
		return false;
	if (pkt[9] == 1 && len >= ihl + 1) {
		uint8_t t = pkt[ihl];
		if (t != 8 && t != 13 && t != 15 && t != 17)
			return false;
	}
	return true;
}

static bool rate_ok(uint8_t type, uint8_t code)
{
	if (type != 3)
		return true;
	double now = core_uptime();
	double *last = code == 4 ? &last_unreach_df : &last_unreach;
	if (now - *last < UNREACH_INTERVAL) {
		ip_stats.icmp_rate_limited++;
		return false;
	}
	*last = now;
	return true;
}

void icmp_send_error(uint8_t type, uint8_t code, uint32_t info,
		     const uint8_t *pkt, size_t len, struct iface *ifp)
{
	if (!may_answer(pkt, len) || !rate_ok(type, code))
		return;
	size_t ihl = (size_t)(pkt[0] & 15) * 4;
	size_t quote = ihl + 8 < len ? ihl + 8 : len;
	uint8_t msg[8 + 60 + 8];
	memset(msg, 0, 8);
	msg[0] = type;
	msg[1] = code;
	msg[4] = (uint8_t)(info >> 24);
	msg[5] = (uint8_t)(info >> 16);
	msg[6] = (uint8_t)(info >> 8);
	msg[7] = (uint8_t)info;
	memcpy(msg + 8, pkt, quote);
	wr16(msg + 2, inet_csum(msg, 8 + quote, 0));
	uint32_t to;
	memcpy(&to, pkt + 12, 4);
	/* from the interface the offending packet came in on */
	uint32_t from = ifp ? iface_addr(ifp) : 0;
	if (ip_send(from, to, 1, msg, 8 + quote, NULL) < 0)
		return;
	ip_stats.icmp_sent++;
	if (type == 3)
		ip_stats.icmp_unreach_sent++;
	else if (type == 11)
		ip_stats.icmp_ttl_sent++;
}

/* ---- echo API ------------------------------------------------------------------------ */

static struct echo_reg *find_reg(uint16_t id)
{
	for (int i = 0; i < nregs; i++)
		if (regs[i].id == id)
			return &regs[i];
	return NULL;
}

uint16_t icmp_echo_register(icmp_echo_fn fn, void *ctx)
{
	uint16_t id;
	do {
		id = next_echo_id++;
	} while (id == 0 || find_reg(id));
	regs = xrealloc(regs, (size_t)(nregs + 1) * sizeof *regs);
	regs[nregs++] = (struct echo_reg){id, fn, ctx};
	return id;
}

void icmp_echo_unregister(uint16_t id)
{
	struct echo_reg *r = find_reg(id);
	if (r)
		*r = regs[--nregs];
}

int icmp_echo_send(uint32_t src, uint32_t dst, uint16_t id, uint16_t seq,
		   size_t datalen, bool df)
{
	struct icmp_echo_opts o = {.pattern = 0xabcd, .df = df};
	return icmp_echo_send_opts(src, dst, id, seq, datalen, &o);
}

int icmp_echo_send_opts(uint32_t src, uint32_t dst, uint16_t id, uint16_t seq,
			size_t datalen, const struct icmp_echo_opts *eo)
{
	static uint8_t msg[65535];
	if (datalen > sizeof msg - 8 - 20)
		return -1;
	msg[0] = 8;
	msg[1] = 0;
	wr16(msg + 2, 0);
	wr16(msg + 4, id);
	wr16(msg + 6, seq);
	/* the pattern repeats through the data (IOS: 0xABCD unless told) */
	for (size_t i = 0; i < datalen; i++)
		msg[8 + i] = (uint8_t)(i % 2 ? eo->pattern : eo->pattern >> 8);
	wr16(msg + 2, inet_csum(msg, 8 + datalen, 0));
	struct ip_tx_opts o = {.df = eo->df, .tos = eo->tos};
	if (ip_send(src, dst, 1, msg, 8 + datalen, &o) < 0)
		return -1;
	ip_stats.icmp_sent++;
	ip_stats.icmp_echo_sent++;
	return 0;
}

static void deliver(uint16_t id, uint16_t seq, uint32_t from, uint8_t type,
		    uint8_t code)
{
	struct echo_reg *r = find_reg(id);
	if (!r)
		return;
	struct icmp_echo_result res = {id, seq, from, type, code};
	r->fn(&res, r->ctx);
}

/* An error quoting one of our echo requests goes to the ping that sent it. */
static void error_for_echo(const struct ip_rx *rx, const uint8_t *m,
			   size_t len)
{
	if (len < 8 + 20 + 8)
		return;
	const uint8_t *inner = m + 8;
	size_t ihl = (size_t)(inner[0] & 15) * 4;
	if (inner[0] >> 4 != 4 || ihl < 20 || len < 8 + ihl + 8 ||
	    inner[9] != 1)
		return;
	const uint8_t *ie = inner + ihl;
	uint32_t isrc;
	memcpy(&isrc, inner + 12, 4);
	if (ie[0] != 8 || !iface_by_addr(isrc))
		return;
	deliver(rd16(ie + 4), rd16(ie + 6), rx->src, m[0], m[1]);
}

/* ---- input ------------------------------------------------------------------------------ */

void icmp_input(const struct ip_rx *rx, const uint8_t *ip_hdr)
{
	const uint8_t *m = rx->payload;
	size_t len = rx->len;
	ip_stats.icmp_rcvd++;
	if (len < 8) {
		ip_stats.icmp_format++;
		return;
	}
	if (inet_csum(m, len, 0) != 0) {
		ip_stats.icmp_csum_err++;
		return;
	}
	switch (m[0]) {
	case 8: {
		ip_stats.icmp_echo_rcvd++;
		/* only for one of our addresses, not a broadcast or group */
		if (!iface_by_addr(rx->dst) && !ip_is_vaddr(rx->dst))
			return;
		static uint8_t reply[65535];
		memcpy(reply, m, len);
		reply[0] = 0;
		wr16(reply + 2, 0);
		wr16(reply + 2, inet_csum(reply, len, 0));
		struct ip_tx_opts o = {.tos = rx->tos};
		if (ip_send(rx->dst, rx->src, 1, reply, len, &o) == 0) {
			ip_stats.icmp_sent++;
			ip_stats.icmp_reply_sent++;
		}
		return;
	}
	case 0:
		ip_stats.icmp_echo_reply_rcvd++;
		deliver(rd16(m + 4), rd16(m + 6), rx->src, 0, 0);
		return;
	case 3:
		ip_stats.icmp_unreach_rcvd++;
		error_for_echo(rx, m, len);
		return;
	case 11:
		ip_stats.icmp_ttl_rcvd++;
		error_for_echo(rx, m, len);
		return;
	default:
		ip_stats.icmp_other_rcvd++;
		return;
	}
}

void icmp_reset(void)
{
	last_unreach = last_unreach_df = -1e9;
}
