/* The IPsec data path's show, clear and debug commands, in IOS 12.4 form:
 *   show crypto ipsec sa [detail | map NAME | address | identity |
 *                         interface IF | peer A] [detail]
 *   show crypto engine connections active
 *   clear crypto sa [peer A | map NAME | counters | entry A (ah|esp) SPI]
 *   debug crypto ipsec
 * (ios-reference §4.2 and seed 001 show the blocks these print.) */
#include "crypto_int.h"
#include "ipsec_int.h"
#include "ike.h"

#include <arpa/inet.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool ipsec_debug;

/* ---- one SA -------------------------------------------------------------------- */

static bool has_integrity(const struct ipsec_sa *sa)
{
	if (sa->d.proto == 51 || sa->d.auth != XF_NONE || sa->d.enc == XF_ESP_GCM)
		return true;
	/* an ESP SA inside an AH+ESP bundle */
	const struct xf_sa *x = sa->engine;
	for (const struct xf_sa *o = x && x->flow ? x->flow->sas : NULL; o;
	     o = o->flow_next)
		if (o->sa->d.proto == 51 && o->sa->d.bundle == sa->d.bundle &&
		    sa->d.bundle)
			return true;
	return false;
}

static void transform_text(const struct ipsec_sa *sa, struct sbuf *b)
{
	if (sa->d.proto == 51) {
		sbuf_printf(b, "%s ,", crypto_xform_name(sa->d.auth, 0));
		return;
	}
	sbuf_puts(b, crypto_xform_name(sa->d.enc, sa->d.enc_bits));
	if (sa->d.auth != XF_NONE)
		sbuf_printf(b, " %s", crypto_xform_name(sa->d.auth, 0));
	sbuf_puts(b, " ,");
}

/* What is left of the SA's life: kilobytes and seconds. */
static void life_left(const struct ipsec_sa *sa, unsigned long long *kb,
		      long *secs)
{
	uint64_t used = sa->d.bytes / 1024;
	*kb = sa->d.life_kb > used ? sa->d.life_kb - used : 0;
	double left = sa->d.created + sa->d.life_secs - core_uptime();
	*secs = left > 0 ? (long)floor(left) : 0;
}

/* The IKE SA that negotiated it, as IOS's HA-aware images print it (seed
 * transcripts): initiator and responder cookie in 4-byte groups. Manual
 * SAs have no IKE SA and no such line. */
static void ike_cookies_line(struct sbuf *b, const struct ipsec_sa *sa,
			     const char *indent)
{
	static const uint8_t none[16];
	if (!memcmp(sa->d.ike_cookies, none, sizeof none))
		return;
	sbuf_printf(b, "%s  ike_cookies: ", indent);
	for (int i = 0; i < 16; i++)
		sbuf_printf(b, "%02X%s", sa->d.ike_cookies[i],
			    i % 4 == 3 && i < 15 ? " " : "");
	sbuf_puts(b, "\n");
}

static void sa_block(struct sbuf *b, const struct ipsec_sa *sa,
		     const char *indent)
{
	sbuf_printf(b, "%sspi: 0x%X(%u)\n", indent, sa->d.spi, sa->d.spi);
	sbuf_printf(b, "%s  transform: ", indent);
	transform_text(sa, b);
	sbuf_printf(b, "\n%s  in use settings ={%s%s, }\n", indent,
		    sa->d.tunnel ? "Tunnel" : "Transport",
		    sa->d.peer_port ? " UDP-Encaps" : "");
	sbuf_printf(b, "%s  conn id: %u, flow_id: SW:%u, crypto map: %s\n",
		    indent, sa->conn_id, sa->flow_id, sa->d.map);
	if (!sa->d.life_secs && !sa->d.life_kb) {
		sbuf_printf(b, "%s  no sa timing\n", indent);   /* manual keys */
	} else {
		unsigned long long kb;
		long secs;
		life_left(sa, &kb, &secs);
		sbuf_printf(b, "%s  sa timing: remaining key lifetime (k/sec): "
			    "(%llu/%ld)\n", indent, kb, secs);
		if (sa->ha.managed)
			sbuf_printf(b, "%s  HA last key lifetime sent(k): (%llu)\n",
				    indent, (unsigned long long)sa->ha.kb_sent);
	}
	ike_cookies_line(b, sa, indent);
	if (sa->d.proto == 50) {
		const struct xf_sa *x = sa->engine;
		sbuf_printf(b, "%s  IV size: %u bytes\n", indent,
			    x ? x->iv_len : 0);
	}
	sbuf_printf(b, "%s  replay detection support: %s\n", indent,
		    (sa->d.inbound ? sa->d.window_size > 0 : has_integrity(sa))
			    ? "Y" : "N");
	sbuf_printf(b, "%s  Status: %s\n\n", indent,
		    sa->d.status == SA_STATUS_ACTIVE ? "ACTIVE" : "STANDBY");
}

/* ---- one flow -------------------------------------------------------------------- */

static void proxy_text(struct sbuf *b, const struct sa_proxy *p)
{
	char a[16], m[16];
	sbuf_printf(b, "(%s/%s/%u/%u)", ip_fmt(p->addr, a), ip_fmt(p->mask, m),
		    p->proto, p->port);
}

static void counters(struct sbuf *b, const struct flow_stats *s, bool detail)
{
	typedef unsigned long long ull;
	sbuf_printf(b, "    #pkts encaps: %llu, #pkts encrypt: %llu, "
		    "#pkts digest: %llu\n", (ull)s->encaps, (ull)s->encrypt,
		    (ull)s->digest);
	sbuf_printf(b, "    #pkts decaps: %llu, #pkts decrypt: %llu, "
		    "#pkts verify: %llu\n", (ull)s->decaps, (ull)s->decrypt,
		    (ull)s->verify);
	sbuf_puts(b, "    #pkts compressed: 0, #pkts decompressed: 0\n"
		     "    #pkts not compressed: 0, #pkts compr. failed: 0\n"
		     "    #pkts not decompressed: 0, #pkts decompress failed: 0\n");
	if (!detail) {
		ull send = s->no_sa + s->encap_fail + s->rollover_send;
		ull recv = s->invalid_sa + s->decap_fail + s->invalid_prot +
			   s->verify_fail + s->invalid_identity +
			   s->invalid_len + s->replay_fail;
		sbuf_printf(b, "    #send errors %llu, #recv errors %llu\n", send,
			    recv);
		return;
	}
	sbuf_printf(b, "    #pkts no sa (send) %llu, #pkts invalid sa (rcv) %llu\n"
		    "    #pkts encaps failed (send) %llu, #pkts decaps failed "
		    "(rcv) %llu\n"
		    "    #pkts invalid prot (recv) %llu, #pkts verify failed: %llu\n"
		    "    #pkts invalid identity (recv) %llu, #pkts invalid len "
		    "(rcv) %llu\n"
		    "    #pkts replay rollover (send): %llu, #pkts replay rollover "
		    "(rcv) 0\n"
		    "    ##pkts replay failed (rcv): %llu\n"
		    "    #pkts internal err (send): 0, #pkts internal err (recv) 0\n",
		    (ull)s->no_sa, (ull)s->invalid_sa, (ull)s->encap_fail,
		    (ull)s->decap_fail, (ull)s->invalid_prot,
		    (ull)s->verify_fail, (ull)s->invalid_identity,
		    (ull)s->invalid_len, (ull)s->rollover_send,
		    (ull)s->replay_fail);
}

static uint16_t flow_peer_port(const struct ipsec_flow *f)
{
	for (const struct xf_sa *x = f->sas; x; x = x->flow_next)
		if (x->sa->d.peer_port)
			return x->sa->d.peer_port;
	return 500;
}

/* show crypto ipsec sa active | standby: only the SAs of that status
 * (SA_ANY: all of them). */
#define SA_ANY (-1)

static bool status_is(const struct ipsec_sa *sa, int st)
{
	return st == SA_ANY || (int)sa->d.status == st;
}

static void sa_list(struct sbuf *b, const struct ipsec_flow *f, bool inbound,
		    uint8_t proto, int st)
{
	sbuf_printf(b, "     %s %s sas:\n", inbound ? "inbound" : "outbound",
		    proto == 50 ? "esp" : "ah");
	/* oldest first, as IOS lists them */
	const struct xf_sa *v[64];
	int n = 0;
	for (const struct xf_sa *x = f->sas; x && n < 64; x = x->flow_next)
		if (x->sa->d.inbound == inbound && x->sa->d.proto == proto &&
		    status_is(x->sa, st))
			v[n++] = x;
	for (int i = n; i-- > 0;)
		sa_block(b, v[i]->sa, "      ");
	if (!n)
		sbuf_puts(b, "\n");
}

/* A standby's copies carry nothing, but show the outbound SPI the flow
 * will use once they are taken over (seed 001's standby output). */
static void standby_out_sas(const struct ipsec_flow *f, struct ipsec_sa **esp,
			    struct ipsec_sa **ah)
{
	for (const struct xf_sa *x = f->sas; x; x = x->flow_next) {
		struct ipsec_sa *sa = x->sa;
		if (sa->d.inbound || sa->d.status != SA_STATUS_STANDBY)
			continue;
		if (sa->d.proto == 50 && !*esp)
			*esp = sa;
		else if (sa->d.proto == 51 && !*ah)
			*ah = sa;
	}
}

static void flow_block(struct sbuf *b, struct ipsec_flow *f, bool detail,
		       bool identity_only, int st)
{
	char l[16], r[16];
	sbuf_puts(b, "   protected vrf: (none)\n   local  ident (addr/mask/prot/port): ");
	proxy_text(b, &f->sel.local);
	sbuf_puts(b, "\n   remote ident (addr/mask/prot/port): ");
	proxy_text(b, &f->sel.remote);
	sbuf_printf(b, "\n   current_peer %s port %u\n", ip_fmt(f->peer, r),
		    flow_peer_port(f));
	sbuf_printf(b, "     PERMIT, flags={%s}\n",
		    f->from_acl ? "origin_is_acl," : "");
	counters(b, &f->st, detail);
	sbuf_printf(b, "\n     local crypto endpt.: %s, remote crypto endpt.: %s\n",
		    ip_fmt(f->local, l), ip_fmt(f->peer, r));
	if (identity_only) {
		sbuf_puts(b, "\n");
		return;
	}
	sbuf_printf(b, "     path mtu %u, ip mtu %u, ip mtu idb %s\n",
		    IPSEC_PATH_MTU, IPSEC_PATH_MTU, f->ifname);
	struct ipsec_sa *esp, *ah;
	flow_out_sas(f, &esp, &ah);
	if (!esp && !ah)
		standby_out_sas(f, &esp, &ah);
	uint32_t spi = esp ? esp->d.spi : ah ? ah->d.spi : 0;
	sbuf_printf(b, "     current outbound spi: 0x%X(%u)\n", spi, spi);
	struct ipsec_sa *any = esp ? esp : ah ? ah : f->sas ? f->sas->sa : NULL;
	if (any && any->d.pfs_group)
		sbuf_printf(b, "     PFS (Y/N): Y, DH group: group%u\n\n",
			    any->d.pfs_group);
	else
		sbuf_puts(b, "     PFS (Y/N): N, DH group: none\n\n");
	for (int dir = 0; dir < 2; dir++) {
		sa_list(b, f, dir == 0, 50, st);
		sa_list(b, f, dir == 0, 51, st);
		sbuf_printf(b, "     %s pcp sas:\n\n", dir == 0 ? "inbound"
							     : "outbound");
	}
}

/* Flows in show order: by interface (show-run order), then map, entry,
 * and the order they came in. */
static int flow_cmp(const void *x, const void *y)
{
	const struct ipsec_flow *a = *(struct ipsec_flow *const *)x;
	const struct ipsec_flow *b = *(struct ipsec_flow *const *)y;
	struct iface *ia = iface_find(a->ifname), *ib = iface_find(b->ifname);
	if (ia != ib) {
		if (!ia || !ib)
			return ia ? -1 : 1;
		return iface_order_cmp(ia, ib);
	}
	int c = strcmp(a->map, b->map);
	if (c)
		return c;
	if (a->seq != b->seq)
		return a->seq < b->seq ? -1 : 1;
	return a->serial < b->serial ? -1 : a->serial > b->serial;
}

static struct ipsec_flow **sorted_flows(int *n)
{
	spd_sync();
	int cap = 0;
	for (struct ipsec_flow *f = flows_first(); f; f = f->next)
		cap++;
	struct ipsec_flow **v = xmalloc((size_t)(cap ? cap : 1) * sizeof *v);
	*n = 0;
	for (struct ipsec_flow *f = flows_first(); f; f = f->next)
		v[(*n)++] = f;
	qsort(v, (size_t)*n, sizeof *v, flow_cmp);
	return v;
}

struct sa_filter {
	const char *map, *ifname;
	uint32_t peer;
	bool by_peer;
	int status;                     /* SA_ANY, or an enum sa_status */
};

static bool flow_has_status(const struct ipsec_flow *f, int st)
{
	if (st == SA_ANY)
		return true;
	for (const struct xf_sa *x = f->sas; x; x = x->flow_next)
		if (status_is(x->sa, st))
			return true;
	return false;
}

static bool flow_wanted(const struct ipsec_flow *f, const struct sa_filter *w)
{
	return (!w->map || !strcmp(w->map, f->map)) &&
	       (!w->ifname || !strcmp(w->ifname, f->ifname)) &&
	       (!w->by_peer || f->peer == w->peer) &&
	       flow_has_status(f, w->status);
}

static void show_flows(struct sbuf *b, const struct sa_filter *w, bool detail,
		       bool identity_only)
{
	int n;
	struct ipsec_flow **v = sorted_flows(&n);
	const struct ipsec_flow *prev = NULL;
	for (int i = 0; i < n; i++) {
		struct ipsec_flow *f = v[i];
		if (!flow_wanted(f, w))
			continue;
		if (!prev || strcmp(prev->ifname, f->ifname) ||
		    strcmp(prev->map, f->map)) {
			char l[16];
			sbuf_printf(b, "\ninterface: %s\n    Crypto map tag: %s, "
				    "local addr %s\n", f->ifname, f->map,
				    ip_fmt(f->local, l));
		}
		sbuf_puts(b, "\n");
		flow_block(b, f, detail, identity_only, w->status);
		prev = f;
	}
	free(v);
}

/* show crypto ipsec sa address: the SAs by destination, then protocol. */
struct dest_sas {
	const struct ipsec_sa **v;
	int n, cap;
};

static void collect_sa(struct ipsec_sa *sa, void *ctx)
{
	struct dest_sas *d = ctx;
	if (d->n == d->cap) {
		d->cap = d->cap ? d->cap * 2 : 16;
		d->v = xrealloc(d->v, (size_t)d->cap * sizeof *d->v);
	}
	d->v[d->n++] = sa;
}

static uint32_t sa_dest(const struct ipsec_sa *sa)
{
	return sa->d.inbound ? sa->d.local : sa->d.peer;
}

static int dest_cmp(const void *x, const void *y)
{
	const struct ipsec_sa *a = *(const struct ipsec_sa *const *)x;
	const struct ipsec_sa *b = *(const struct ipsec_sa *const *)y;
	uint32_t da = ntohl(sa_dest(a)), db = ntohl(sa_dest(b));
	if (da != db)
		return da < db ? -1 : 1;
	if (a->d.proto != b->d.proto)
		return a->d.proto > b->d.proto ? -1 : 1;   /* AH first */
	return a->conn_id < b->conn_id ? -1 : a->conn_id > b->conn_id;
}

static void show_by_address(struct sbuf *b)
{
	struct dest_sas d = {0};
	sadb_foreach(collect_sa, &d);
	qsort(d.v, (size_t)d.n, sizeof *d.v, dest_cmp);
	for (int i = 0; i < d.n; i++) {
		const struct ipsec_sa *sa = d.v[i];
		bool new_dest = !i || sa_dest(d.v[i - 1]) != sa_dest(sa);
		if (new_dest) {
			char a[16];
			sbuf_printf(b, "\ndest address: %s\n", ip_fmt(sa_dest(sa), a));
		}
		if (new_dest || d.v[i - 1]->d.proto != sa->d.proto)
			sbuf_printf(b, "   protocol: %s\n",
				    sa->d.proto == 50 ? "ESP" : "AH");
		sa_block(b, sa, "      ");
	}
	free(d.v);
}

DEFUN(show_ipsec_sa,
      "show crypto ipsec sa [(map WORD$map|address|identity|interface IFNAME$ifn"
      "|peer A.B.C.D$peer|active|standby)] [detail]",
      "Show running system information\n"
      "Encryption module\n"
      "Show IPSEC policy\n"
      "IPSEC SA table\n"
      "Crypto maps\n"
      "Crypto map tag\n"
      "IPSEC SA table in (dest addr, protocol) order\n"
      "IPSEC SA table by identity\n"
      "Show info for specific interface\n"
      "Interface name\n"
      "Show info for specific peer\n"
      "IP address of peer\n"
      "IPSEC SAs that are active\n"
      "IPSEC SAs that are standby\n"
      "Detailed error counters\n")
{
	struct sbuf b;
	sbuf_init(&b);
	if (cli_has(a, "address")) {
		spd_sync();
		show_by_address(&b);
	} else {
		struct sa_filter w = {
			.map = cli_arg(a, "map"), .ifname = cli_arg(a, "ifn"),
			.by_peer = cli_has(a, "peer"), .peer = cli_arg_ip(a, "peer"),
			.status = cli_has(a, "active") ? SA_STATUS_ACTIVE
				  : cli_has(a, "standby") ? SA_STATUS_STANDBY
							  : SA_ANY,
		};
		show_flows(&b, &w, cli_has(a, "detail"), cli_has(a, "identity"));
	}
	if (b.len)
		cli_puts(cli, b.s);
	sbuf_free(&b);
	return CLI_OK;
}

/* ---- show crypto engine connections active ------------------------------------------ */

struct conn_row {
	unsigned id;
	const struct ipsec_sa *lead;    /* ESP when there is one */
	const struct ipsec_sa *ah;
	uint64_t pkts;
	bool inbound;
};

struct conn_rows {
	struct conn_row *v;
	int n, cap;
};

static void collect_conn(struct ipsec_sa *sa, void *ctx)
{
	struct conn_rows *r = ctx;
	for (int i = 0; i < r->n; i++)
		if (r->v[i].id == sa->conn_id) {
			struct conn_row *c = &r->v[i];
			if (sa->d.proto == 50) {
				c->ah = c->lead;
				c->lead = sa;
			} else {
				c->ah = sa;
			}
			if (sa->st.pkts > c->pkts)
				c->pkts = sa->st.pkts;
			return;
		}
	if (r->n == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 16;
		r->v = xrealloc(r->v, (size_t)r->cap * sizeof *r->v);
	}
	r->v[r->n++] = (struct conn_row){sa->conn_id, sa, NULL, sa->st.pkts,
					 sa->d.inbound};
}

static int conn_cmp(const void *x, const void *y)
{
	const struct conn_row *a = x, *b = y;
	return a->id < b->id ? -1 : a->id > b->id;
}

/* 3DES+MD5: the ESP cipher and the integrity, AH's in an AH+ESP pair. */
static void conn_algorithm(const struct conn_row *c, char *buf, size_t n)
{
	const struct ipsec_sa *l = c->lead;
	char e[32];
	xf_engine_name(l, e, sizeof e);
	if (l->d.proto == 50 && l->d.auth == XF_NONE && c->ah) {
		char h[32];
		xf_engine_name(c->ah, h, sizeof h);
		snprintf(buf, n, "%s+%s", e, h);
		return;
	}
	snprintf(buf, n, "%s", e);
}

void crypto_engine_row(struct sbuf *b, unsigned id, struct iface *ifp,
		       const char *type, const char *alg, uint64_t enc,
		       uint64_t dec, uint32_t local)
{
	char addr[16];
	sbuf_printf(b, "%5u %-10s %-5s %-19s %7llu  %7llu %s\n", id,
		    ifp ? iface_short_name(ifp) : "", type, alg,
		    (unsigned long long)enc, (unsigned long long)dec,
		    ip_fmt(local, addr));
}

DEFUN(show_engine_conns, "show crypto engine connections active",
      "Show running system information\n"
      "Encryption module\n"
      "Show crypto engine info\n"
      "Show current crypto engine connections\n"
      "Show active connections\n")
{
	spd_sync();
	struct conn_rows r = {0};
	sadb_foreach(collect_conn, &r);
	if (r.n)
		qsort(r.v, (size_t)r.n, sizeof *r.v, conn_cmp);
	struct sbuf b;
	sbuf_init(&b);
	sbuf_printf(&b, "Crypto Engine Connections\n\n%5s %-10s %-5s %-19s %7s  %7s %s\n",
		    "ID", "Interface", "Type", "Algorithm", "Encrypt", "Decrypt",
		    "IP-Address");
	ike_engine_rows(&b);          /* IKE's ids come before 2001 */
	for (int i = 0; i < r.n; i++) {
		const struct conn_row *c = &r.v[i];
		const struct xf_sa *x = c->lead->engine;
		struct iface *ifp = x && x->flow ? iface_find(x->flow->ifname) : NULL;
		char alg[80];
		conn_algorithm(c, alg, sizeof alg);
		crypto_engine_row(&b, c->id, ifp, "IPsec", alg,
				  c->inbound ? 0 : c->pkts, c->inbound ? c->pkts : 0,
				  c->lead->d.local);
	}
	cli_puts(cli, b.s);
	sbuf_free(&b);
	free(r.v);
	return CLI_OK;
}

/* ---- clear crypto sa ---------------------------------------------------------------- */

struct clear_what {
	const char *map;
	uint32_t peer;
	bool by_peer;
	uint32_t bundles[256];
	int nb;
	struct ipsec_sa *lone[256];
	int nl;
};

static void pick(struct ipsec_sa *sa, void *ctx)
{
	struct clear_what *w = ctx;
	if (w->map && strcmp(w->map, sa->d.map))
		return;
	if (w->by_peer && sa->d.peer != w->peer)
		return;
	if (!sa->d.bundle) {
		if (w->nl < 256)
			w->lone[w->nl++] = sa;
		return;
	}
	for (int i = 0; i < w->nb; i++)
		if (w->bundles[i] == sa->d.bundle)
			return;
	if (w->nb < 256)
		w->bundles[w->nb++] = sa->d.bundle;
}

/* Siblings go too: every SA of the same negotiation (bundle). Manually
 * keyed ones come back at the next policy rebuild, as IOS reinstalls
 * them. */
static void clear_sas(const char *map, bool by_peer, uint32_t peer)
{
	struct clear_what *w = xcalloc(1, sizeof *w);
	w->map = map;
	w->by_peer = by_peer;
	w->peer = peer;
	do {
		w->nb = w->nl = 0;
		sadb_foreach(pick, w);
		for (int i = 0; i < w->nl; i++)
			sadb_delete(w->lone[i], SADB_DEL_CLEARED);
		for (int i = 0; i < w->nb; i++)
			sadb_delete_bundle(w->bundles[i], SADB_DEL_CLEARED);
	} while (w->nb == 256 || w->nl == 256);
	free(w);
	spd_mark_dirty();
}

static void zero_sa_stats(struct ipsec_sa *sa, void *ctx)
{
	memset(&sa->st, 0, sizeof sa->st);
}

DEFUN(clear_crypto_sa,
      "clear crypto sa [(peer A.B.C.D$peer|map WORD$map|counters"
      "|entry A.B.C.D$dst (ah|esp) <256-4294967295>$spi)]",
      "Reset functions\n"
      "Encryption module\n"
      "Clear all SAs\n"
      "Clear all SAs for a given crypto peer\n"
      "IP address of peer\n"
      "Clear all SAs for a given crypto map\n"
      "Crypto map tag\n"
      "Reset the SA counters\n"
      "Clear SA by dest addr/protocol/SPI\n"
      "IP address of SA destination\n"
      "Authentication Header\n"
      "Encapsulating Security Payload\n"
      "SPI\n")
{
	spd_sync();
	if (cli_has(a, "counters")) {
		for (struct ipsec_flow *f = flows_first(); f; f = f->next)
			memset(&f->st, 0, sizeof f->st);
		sadb_foreach(zero_sa_stats, NULL);
		return CLI_OK;
	}
	if (cli_has(a, "entry")) {
		uint32_t dst = cli_arg_ip(a, "dst");
		uint8_t proto = cli_has(a, "ah") ? 51 : 50;
		uint32_t spi = (uint32_t)cli_arg_num(a, "spi");
		struct ipsec_sa *sa = sadb_in_find(dst, proto, spi);
		if (!sa)
			sa = sadb_out_find_spi(dst, proto, spi);
		if (sa && sa->d.bundle)
			sadb_delete_bundle(sa->d.bundle, SADB_DEL_CLEARED);
		else if (sa)
			sadb_delete(sa, SADB_DEL_CLEARED);
		spd_mark_dirty();
		return CLI_OK;
	}
	clear_sas(cli_arg(a, "map"), cli_has(a, "peer"), cli_arg_ip(a, "peer"));
	return CLI_OK;
}

/* ---- debug crypto ipsec --------------------------------------------------------------- */

static void proxy_debug(struct sbuf *b, const struct sa_proxy *p)
{
	char a[16], m[16];
	sbuf_printf(b, "%s/%s/%u/%u (type=%u)", ip_fmt(p->addr, a),
		    ip_fmt(p->mask, m), p->proto, p->port,
		    p->mask == 0xffffffffu ? 1 : 4);
}

void ipsec_debug_acquire(const struct cmap_entry *e,
			 const struct sa_selector *sel, uint32_t local,
			 uint32_t peer)
{
	const struct crypto_tset *t = e->ntset ? crypto_tset_find(e->tset[0])
					       : NULL;
	const struct ipsec_globals *g = crypto_ipsec_globals();
	char l[16], r[16];
	struct sbuf b;
	sbuf_init(&b);
	sbuf_printf(&b, "IPSEC(sa_request): ,\n  (key eng. msg.) OUTBOUND "
		    "local= %s, remote= %s,\n    local_proxy= ",
		    ip_fmt(local, l), ip_fmt(peer, r));
	proxy_debug(&b, &sel->local);
	sbuf_puts(&b, ",\n    remote_proxy= ");
	proxy_debug(&b, &sel->remote);
	sbuf_printf(&b, ",\n    protocol= %s, transform= ",
		    t && t->ah != XF_NONE && t->esp_enc == XF_NONE ? "AH" : "ESP");
	if (t) {
		const enum xform xs[] = {t->ah, t->esp_enc, t->esp_auth};
		for (int i = 0; i < 3; i++)
			if (xs[i] != XF_NONE)
				sbuf_printf(&b, "%s ", crypto_xform_name(xs[i],
							 t->enc_bits));
	}
	sbuf_printf(&b, " (%s),\n    lifedur= %us and %lukb,\n"
		    "    spi= 0x0(0), conn_id= 0, keysize= 0, flags= 0x0",
		    t && t->transport ? "Transport" : "Tunnel",
		    e->sa_seconds ? e->sa_seconds : g->sa_seconds,
		    e->sa_kilobytes ? e->sa_kilobytes : g->sa_kilobytes);
	log_debug("%s", b.s);
	sbuf_free(&b);
}

static void debug_sa(bool created, const struct ipsec_sa *sa)
{
	char dst[16];
	struct sbuf t;
	sbuf_init(&t);
	transform_text(sa, &t);
	log_debug("IPSEC(%s): %s,\n  (sa) sa_dest= %s, sa_proto= %u,\n"
		  "    sa_spi= 0x%X(%u),\n    sa_trans= %s sa_conn_id= %u",
		  created ? "create_sa" : "delete_sa",
		  created ? "sa created" : "deleting SA",
		  ip_fmt(sa_dest(sa), dst), sa->d.proto, sa->d.spi, sa->d.spi,
		  t.s, sa->conn_id);
	sbuf_free(&t);
}

static void on_sa(enum core_event ev, void *data, void *ctx)
{
	const struct sadb_event *e = data;
	if (!ipsec_debug || e->kind == SADB_EV_UPDATE)
		return;
	debug_sa(e->kind == SADB_EV_ADD, e->sa);
}

DEFUN(debug_ipsec, "[no] debug crypto ipsec",
      "Debugging functions (see also 'undebug')\n"
      "Cryptographic subsystem\n"
      "IPSEC processing\n")
{
	ipsec_debug = !cli_is_no(a);
	cli_printf(cli, "Crypto IPSEC debugging is %s\n", ipsec_debug ? "on"
								     : "off");
	return CLI_OK;
}

DEFUN(undebug_ipsec, "undebug crypto ipsec",
      "Disable debugging functions (see also 'debug')\n"
      "Cryptographic subsystem\n"
      "IPSEC processing\n")
{
	ipsec_debug = false;
	cli_puts(cli, "Crypto IPSEC debugging is off\n");
	return CLI_OK;
}

void ipsec_show_init(void)
{
	cli_install(MODE_EXEC, &show_ipsec_sa_cmd);
	cli_install(MODE_EXEC, &show_engine_conns_cmd);
	cli_install(MODE_EXEC, &clear_crypto_sa_cmd);
	cli_install(MODE_EXEC, &debug_ipsec_cmd);
	cli_install(MODE_EXEC, &undebug_ipsec_cmd);
	core_subscribe(EVT_IPSEC_SA, on_sa, NULL);
}
