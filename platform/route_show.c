/* show ip route in IOS 12.4's form: the codes legend, the gateway of last
 * resort, routes grouped under their classful network ("10.0.0.0/24 is
 * subnetted, 2 subnets"), equal-cost paths on continuation lines; the
 * static and connected filters; and the "Routing entry for" block of one
 * destination. 12.4 has no "L - local" routes (15.0 added them). */
#include "platform_int.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char legend[] =
	"Codes: C - connected, S - static, R - RIP, M - mobile, B - BGP\n"
	"       D - EIGRP, EX - EIGRP external, O - OSPF, IA - OSPF inter area \n"
	"       N1 - OSPF NSSA external type 1, N2 - OSPF NSSA external type 2\n"
	"       E1 - OSPF external type 1, E2 - OSPF external type 2\n"
	"       i - IS-IS, su - IS-IS summary, L1 - IS-IS level-1, L2 - IS-IS level-2\n"
	"       ia - IS-IS inter area, * - candidate default, U - per-user static route\n"
	"       o - ODR, P - periodic downloaded static route\n\n";

/* The classful mask length of a network: A /8, B /16, C /24; class D and
 * E addresses are never grouped. */
static int classful_len(uint32_t prefix)
{
	uint32_t first = prefix >> 24;
	if (first < 128)
		return 8;
	if (first < 192)
		return 16;
	if (first < 224)
		return 24;
	return 32;
}

static const char *fmt_host(uint32_t host_order, char *buf)
{
	return ip_fmt(htonl(host_order), buf);
}

static bool is_default(const struct rib_node *n)
{
	return n->len == 0;
}

/* IOS's code column: connected, static (RRI routes are statics too); the
 * default route is the candidate default. */
static void route_code(const struct rib_node *n, char *code)
{
	const struct rib_path *p = n->sel[0];
	snprintf(code, 4, "%c%s", p->src == RIB_CONNECTED ? 'C' : 'S',
		 is_default(n) ? "*" : "");
}

/* One path's text after the destination: "is directly connected, X",
 * "[1/0] via G" or "[1/0] via G, X". */
static void path_text(struct sbuf *b, const struct rib_path *p)
{
	char gb[16];
	if (p->src == RIB_CONNECTED || !p->gateway) {
		sbuf_printf(b, "is directly connected, %s",
			    p->ifp ? iface_name(p->ifp) : "Null0");
		return;
	}
	sbuf_printf(b, "[%u/0] via %s", p->distance, ip_fmt(p->gateway, gb));
	if (p->ifp)
		sbuf_printf(b, ", %s", iface_name(p->ifp));
}

/* A route's lines: the code, the destination (with its mask when SHOW_LEN),
 * the first path, and each further equal-cost path below the first one. */
static void route_lines(struct sbuf *b, const struct rib_node *n, bool child,
			bool show_len)
{
	char code[4], nb[16];
	route_code(n, code);
	size_t start = b->len;
	sbuf_printf(b, child ? "%-8s%s" : "%-5s%s", code,
		    fmt_host(n->prefix, nb));
	if (show_len)
		sbuf_printf(b, "/%d", n->len);
	sbuf_puts(b, " ");
	size_t indent = b->len - start;
	for (int i = 0; i < n->nsel; i++) {
		if (i)
			sbuf_printf(b, "%*s", (int)indent, "");
		path_text(b, n->sel[i]);
		sbuf_puts(b, "\n");
	}
}

enum route_filter { RF_ALL, RF_CONNECTED, RF_STATIC };

static bool passes(const struct rib_node *n, enum route_filter f)
{
	if (f == RF_ALL)
		return true;
	bool conn = n->sel[0]->src == RIB_CONNECTED;
	return f == RF_CONNECTED ? conn : !conn;
}

/* One classful network's routes V[0..N): alone at its classful mask it is
 * one line; otherwise a header names the network and its subnets, counted
 * over the whole table as IOS does even when a filter hides some. */
static void major_block(struct sbuf *b, const struct rib_node *const *v,
			int n, enum route_filter f)
{
	int shown = 0;
	for (int i = 0; i < n; i++)
		shown += passes(v[i], f);
	if (!shown)
		return;
	int clen = classful_len(v[0]->prefix);
	if (n == 1 && v[0]->len == clen) {
		route_lines(b, v[0], false, true);
		return;
	}
	uint64_t masks = 0;
	for (int i = 0; i < n; i++)
		masks |= 1ull << v[i]->len;
	int nmasks = __builtin_popcountll(masks);
	char nb[16];
	uint32_t major = v[0]->prefix & (0xffffffffu << (32 - clen));
	if (nmasks == 1)
		sbuf_printf(b, "     %s/%d is subnetted, %d subnets\n",
			    fmt_host(major, nb), v[0]->len, n);
	else
		sbuf_printf(b, "     %s/%d is variably subnetted, %d subnets, "
			    "%d masks\n", fmt_host(major, nb), clen, n, nmasks);
	for (int i = 0; i < n; i++)
		if (passes(v[i], f))
			route_lines(b, v[i], true, nmasks > 1);
}

static void gateway_line(struct sbuf *b, const struct rib_node *def)
{
	char gb[16];
	if (!def) {
		sbuf_puts(b, "Gateway of last resort is not set\n\n");
		return;
	}
	sbuf_printf(b, "Gateway of last resort is %s to network 0.0.0.0\n\n",
		    ip_fmt(def->sel[0]->gateway, gb));
}

/* The whole table as IOS prints it. V is sorted by prefix then length. */
static void route_table_text(struct sbuf *b, enum route_filter f)
{
	const struct rib_node **v;
	int n = rib_installed(&v);
	const struct rib_node *def = n && is_default(v[0]) ? v[0] : NULL;
	if (f == RF_ALL) {
		sbuf_puts(b, legend);
		gateway_line(b, def);
	}
	/* 12.4 lists supernets (shorter than their class) on their own and
	 * groups the rest by classful network; the default route comes last */
	int i = def ? 1 : 0;
	while (i < n) {
		const struct rib_node *r = v[i];
		int clen = classful_len(r->prefix);
		if (r->len < clen || clen == 32) {
			if (passes(r, f))
				route_lines(b, r, false, true);
			i++;
			continue;
		}
		uint32_t cmask = 0xffffffffu << (32 - clen);
		int j = i + 1;
		while (j < n && (v[j]->prefix & cmask) == (r->prefix & cmask) &&
		       v[j]->len >= clen)
			j++;
		major_block(b, v + i, j - i, f);
		i = j;
	}
	if (def && passes(def, f))
		route_lines(b, def, false, true);
	free(v);
}

/* ---- show ip route A.B.C.D ---------------------------------------------------- */

static void entry_block(struct sbuf *b, const struct rib_node *n)
{
	char nb[16], gb[16];
	const struct rib_path *p0 = n->sel[0];
	bool conn = p0->src == RIB_CONNECTED;
	sbuf_printf(b, "Routing entry for %s/%d%s\n", fmt_host(n->prefix, nb),
		    n->len, n->len < classful_len(n->prefix) ? ", supernet" : "");
	sbuf_printf(b, "  Known via \"%s\", distance %u, metric 0",
		    conn ? "connected" : "static", n->distance);
	if (conn)
		sbuf_puts(b, " (connected, via interface)");
	else if (!p0->gateway)
		sbuf_puts(b, " (connected)");
	if (is_default(n))
		sbuf_puts(b, ", candidate default path");
	sbuf_puts(b, "\n  Routing Descriptor Blocks:\n");
	for (int i = 0; i < n->nsel; i++) {
		const struct rib_path *p = n->sel[i];
		sbuf_puts(b, i == 0 ? "  * " : "    ");
		if (p->src == RIB_CONNECTED || !p->gateway)
			sbuf_printf(b, "directly connected, via %s\n",
				    iface_name(p->ifp));
		else if (p->ifp)
			sbuf_printf(b, "%s, via %s\n", ip_fmt(p->gateway, gb),
				    iface_name(p->ifp));
		else
			sbuf_printf(b, "%s\n", ip_fmt(p->gateway, gb));
		sbuf_puts(b, "      Route metric is 0, traffic share count is 1\n");
	}
}

DEFUN(show_ip_route, "show ip route [(static|connected)]",
      "Show running system information\n"
      "IP information\n"
      "IP routing table\n"
      "Static routes\n"
      "Connected networks\n")
{
	struct sbuf b;
	sbuf_init(&b);
	route_table_text(&b, cli_has(a, "static") ? RF_STATIC :
			     cli_has(a, "connected") ? RF_CONNECTED : RF_ALL);
	cli_puts(cli, b.s ? b.s : "");
	sbuf_free(&b);
	return CLI_OK;
}

DEFUN(show_ip_route_addr, "show ip route A.B.C.D$addr [A.B.C.D$mask]",
      "Show running system information\n"
      "IP information\n"
      "IP routing table\n"
      "Network to display information about or host\n"
      "Network mask\n")
{
	uint32_t addr = cli_arg_ip(a, "addr");
	const struct rib_node *n;
	if (cli_arg(a, "mask")) {
		uint32_t mask = cli_arg_ip(a, "mask");
		n = mask_is_contiguous(mask)
			    ? rib_exact(addr & mask, mask_len(mask)) : NULL;
	} else {
		/* the default route answers for no address in particular */
		n = rib_match(addr);
		if (n && is_default(n) && addr)
			n = NULL;
	}
	if (!n) {
		cli_puts(cli, "% Network not in table\n");
		return CLI_OK;
	}
	struct sbuf b;
	sbuf_init(&b);
	entry_block(&b, n);
	cli_puts(cli, b.s);
	sbuf_free(&b);
	return CLI_OK;
}

void route_show_init(void)
{
	/* user EXEC may look at the table too */
	static const enum cli_mode modes[] = {MODE_USER, MODE_EXEC};
	for (size_t i = 0; i < 2; i++) {
		cli_install(modes[i], &show_ip_route_cmd);
		cli_install(modes[i], &show_ip_route_addr_cmd);
	}
}
