/* The IKE side of the crypto EXEC commands, in 12.3/12.4 form as the
 * seeds print them: show crypto isakmp sa [detail], show crypto session
 * [detail] (IKE SAs with the SADB's flows), show crypto mib ike flowmib
 * global, show crypto call admission statistics, clear crypto isakmp
 * [CONN-ID], clear crypto session, and debug crypto isakmp. */
#include "ike.h"
#include "../platform/platform.h"

#include <stdio.h>
#include <string.h>

static void hms(double secs, char *b, size_t n)
{
	unsigned s = secs <= 0 ? 0 : secs > 3599999 ? 3599999 : (unsigned)secs;
	snprintf(b, n, "%02u:%02u:%02u", s / 3600 % 1000, s / 60 % 60, s % 60);
}

static double p1_remaining(const struct ike_sa *sa)
{
	if (sa->d.state != IKE_QM_IDLE)
		return sa->d.lifetime;
	return sa->d.established + sa->d.lifetime - core_uptime();
}

static bool dpd_cap(const struct ike_sa *sa)
{
	return sa->d.peer_dpd && crypto_isakmp_keepalive(NULL, NULL, NULL);
}

static bool natt_cap(const struct ike_sa *sa)
{
	return sa->d.natt & NATT_FLOATED;
}

/* ---- show crypto isakmp sa -------------------------------------------------- */

/* "show crypto isakmp sa [active | standby]" (the HA forms of seed 001):
 * which SAs a command lists or clears. */
struct which {
	struct cli *cli;
	bool active, standby;         /* both false: every SA */
};

static struct which which_of(struct cli *cli, const struct cli_args *a)
{
	return (struct which){cli, cli_has(a, "active"), cli_has(a, "standby")};
}

static bool wanted(const struct which *w, enum sa_status st)
{
	return (!w->active && !w->standby) ||
	       (w->active && st == SA_STATUS_ACTIVE) ||
	       (w->standby && st == SA_STATUS_STANDBY);
}

/* dst is the responder, src the initiator (of the first exchange) */
static void sa_row(struct ike_sa *sa, void *ctx)
{
	struct which *w = ctx;
	char l[16], p[16];
	if (!wanted(w, sa->d.status))
		return;
	ip_fmt(sa->d.local, l);
	ip_fmt(sa->d.peer, p);
	cli_printf(w->cli, "%-16s%-16s%-15s%7u%5u %s\n",
		   sa->d.initiator ? p : l, sa->d.initiator ? l : p,
		   ike_state_name(sa->d.state), sa->d.conn_id, 0,
		   sa->d.status == SA_STATUS_STANDBY ? "STDBY"
		   : sa->dead ? "ACTIVE (deleted)" : "ACTIVE");
}

static const char *encr_short(const struct ike_sa *sa)
{
	switch (sa->d.encr) {
	case IKE_ENCR_3DES: return "3des";
	case IKE_ENCR_AES:
		return sa->d.key_bits == 256 ? "aes:256"
		       : sa->d.key_bits == 192 ? "aes:192" : "aes";
	case IKE_ENCR_DES: break;
	}
	return "des";
}

static const char *hash_short(enum ike_hash h)
{
	switch (h) {
	case IKE_HASH_MD5: return "md5";
	case IKE_HASH_SHA256: return "sha256";
	case IKE_HASH_SHA384: return "sha384";
	case IKE_HASH_SHA512: return "sha512";
	case IKE_HASH_SHA: break;
	}
	return "sha";
}

static void caps(const struct ike_sa *sa, char *b, size_t n)
{
	snprintf(b, n, "%s%s", dpd_cap(sa) ? "D" : "", natt_cap(sa) ? "N" : "");
}

static void sa_detail(struct ike_sa *sa, void *ctx)
{
	struct which *w = ctx;
	struct cli *cli = w->cli;
	char l[16], p[16], life[16], cap[8];
	if (!wanted(w, sa->d.status))
		return;
	bool up = sa->d.state == IKE_QM_IDLE;
	hms(p1_remaining(sa), life, sizeof life);
	caps(sa, cap, sizeof cap);
	cli_printf(cli, "%-6u%-16s%-16s%-7s%-7s%-5s%-7s%-5s%-3u%-9s%s\n",
		   sa->d.conn_id, ip_fmt(sa->d.local, l), ip_fmt(sa->d.peer, p),
		   "", sa->d.status == SA_STATUS_STANDBY ? "STDBY"
		   : sa->dead ? "DELETD" : "ACTIVE",
		   up || sa->d.state >= IKE_MM_SA_SETUP ? encr_short(sa) : "",
		   up || sa->d.state >= IKE_MM_SA_SETUP ? hash_short(sa->d.hash) : "",
		   sa->d.state >= IKE_MM_SA_SETUP ? "psk" : "",
		   sa->d.group, life, cap);
	cli_printf(cli, "       Engine-id:Conn-id =  SW:%u\n\n", sa->d.conn_id);
}

#define HA_WHICH_HELP \
	"All existing IKE SAs that are in an active state\n" \
	"All existing IKE SAs that are in standby state\n"

DEFUN(show_isakmp_sa, "show crypto isakmp sa [(active|standby)] [detail]",
      "Show running system information\n"
      "Encryption module\n"
      "Show ISAKMP\n"
      "Show ISAKMP Security Associations\n"
      HA_WHICH_HELP
      "Show ISAKMP SA Detail\n")
{
	struct which w = which_of(cli, a);
	if (cli_has(a, "detail")) {
		cli_puts(cli, "Codes: C - IKE configuration mode, D - Dead Peer "
			      "Detection\n"
			      "       K - Keepalives, N - NAT-traversal\n"
			      "       X - IKE Extended Authentication\n"
			      "       psk - Preshared key, rsig - RSA signature\n"
			      "       renc - RSA encryption\n\n");
		cli_puts(cli, "C-id  Local           Remote          I-VRF  "
			      "Status Encr Hash   Auth DH Lifetime Cap.\n\n");
		ike_sa_foreach(sa_detail, &w);
		return CLI_OK;
	}
	cli_puts(cli, "dst             src             state          conn-id "
		      "slot status\n");
	ike_sa_foreach(sa_row, &w);
	cli_puts(cli, "\n");
	return CLI_OK;
}

/* ---- show crypto session ---------------------------------------------------------- */

/* One session: a peer as seen from one local address. */
struct session {
	uint32_t local, peer;
	uint16_t peer_port;
	struct ike_sa *ike[8];
	int nike;
	struct ipsec_sa *ipsec[64];
	int nipsec;
	const struct cmap_entry *entry;   /* a static entry naming the peer */
};

struct sessions {
	struct session *v;
	int n, cap;
	struct intmap index;          /* local/peer -> position + 1 */
};

static struct session *session_get(struct sessions *s, uint32_t local,
				   uint32_t peer)
{
	uint64_t key = (uint64_t)local << 32 | peer;
	uintptr_t at = (uintptr_t)intmap_get(&s->index, key);
	if (at)
		return &s->v[at - 1];
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 64;
		s->v = xrealloc(s->v, (size_t)s->cap * sizeof *s->v);
	}
	intmap_put(&s->index, key, (void *)(uintptr_t)(s->n + 1));
	struct session *n = &s->v[s->n++];
	memset(n, 0, sizeof *n);
	n->local = local;
	n->peer = peer;
	n->peer_port = ISAKMP_PORT;
	return n;
}

static void collect_ike(struct ike_sa *sa, void *ctx)
{
	if (sa->dead)
		return;
	struct session *s = session_get(ctx, sa->d.local, sa->d.peer);
	if (s && s->nike < 8) {
		s->ike[s->nike++] = sa;
		s->peer_port = sa->d.peer_port;
	}
}

static void collect_ipsec(struct ipsec_sa *sa, void *ctx)
{
	struct session *s = session_get(ctx, sa->d.local, sa->d.peer);
	if (s && s->nipsec < 64)
		s->ipsec[s->nipsec++] = sa;
}

/* Peers of static entries on applied maps: shown DOWN when idle. */
static void collect_config(struct sessions *s)
{
	for (const struct cmap_binding *b = crypto_binding_first(); b;
	     b = crypto_binding_next(b)) {
		const struct crypto_map *m = crypto_map_find(b->map);
		uint32_t local = ike_local_addr_for(b->map);
		for (const struct cmap_entry *e = m ? m->entries : NULL; e;
		     e = e->next) {
			uint32_t peer;
			if (e->type != CMAP_ISAKMP || !e->npeer || !e->acl ||
			    !ip_parse(e->peer[0], &peer))
				continue;
			struct session *ss = session_get(s, local, peer);
			if (ss && !ss->entry)
				ss->entry = e;
		}
	}
}

/* The interface of a local crypto end point: where a map with that
 * local address is applied, else the one that has the address. */
static struct iface *local_iface(uint32_t local)
{
	for (const struct cmap_binding *b = crypto_binding_first(); b;
	     b = crypto_binding_next(b))
		if (ike_local_addr_for(b->map) == local && iface_find(b->ifname))
			return iface_find(b->ifname);
	return iface_by_addr(local);
}

static const char *session_iface(const struct session *s)
{
	struct iface *ifp = local_iface(s->local);
	return ifp ? iface_name(ifp) : "(none)";
}

static bool session_standby(const struct session *s)
{
	for (int i = 0; i < s->nike; i++)
		if (s->ike[i]->d.status == SA_STATUS_STANDBY)
			return true;
	for (int i = 0; i < s->nipsec; i++)
		if (s->ipsec[i]->d.status == SA_STATUS_STANDBY)
			return true;
	return false;
}

static const char *session_status(const struct session *s)
{
	bool up = false, nego = false;
	if (session_standby(s))
		return "UP-STANDBY";
	for (int i = 0; i < s->nike; i++) {
		up |= s->ike[i]->d.state == IKE_QM_IDLE;
		nego |= s->ike[i]->d.state != IKE_QM_IDLE;
	}
	if (up)
		return s->nipsec ? "UP-ACTIVE" : "UP-IDLE";
	if (s->nipsec)
		return "UP-NO-IKE";
	return nego ? "DOWN-NEGOTIATING" : "DOWN";
}

static void proxy_text(const struct sa_proxy *p, char *b, size_t n)
{
	char a[16], m[16];
	if (p->mask == 0xffffffffu)
		snprintf(b, n, "host %s", ip_fmt(p->addr, a));
	else
		snprintf(b, n, "%s/%s", ip_fmt(p->addr, a), ip_fmt(p->mask, m));
	if (p->port) {
		size_t l = strlen(b);
		snprintf(b + l, n - l, " port %u", p->port);
	}
}

static void flow_line(struct cli *cli, const struct sa_selector *sel)
{
	char l[64], r[64], proto[8];
	proxy_text(&sel->local, l, sizeof l);
	proxy_text(&sel->remote, r, sizeof r);
	if (sel->local.proto)
		snprintf(proto, sizeof proto, "%u", sel->local.proto);
	else
		snprintf(proto, sizeof proto, "ip");
	cli_printf(cli, "  IPSEC FLOW: permit %s %s %s\n", proto, l, r);
}

static bool sel_same(const struct sa_selector *a, const struct sa_selector *b)
{
	return !memcmp(&a->local, &b->local, sizeof a->local) &&
	       !memcmp(&a->remote, &b->remote, sizeof a->remote);
}

static const char *origin(const struct ipsec_sa *sa)
{
	const struct cmap_entry *e =
		crypto_map_entry(crypto_map_find(sa->d.map), sa->d.map_seq);
	return e && e->type == CMAP_ISAKMP_DYNAMIC ? "dynamic crypto map"
						   : "crypto map";
}

static void life_left(const struct ipsec_sa *sa, uint64_t *kb, long *secs)
{
	uint64_t used = sa->d.bytes / 1024;
	*kb = sa->d.life_kb > used ? sa->d.life_kb - used : 0;
	double left = sa->d.created + sa->d.life_secs - core_uptime();
	*secs = left > 0 ? (long)left : 0;
}

static void flow_detail(struct cli *cli, const struct ipsec_sa *in,
			const struct ipsec_sa *out)
{
	uint64_t kb = 0;
	long secs = 0;
	if (in) {
		life_left(in, &kb, &secs);
		cli_printf(cli, "        Inbound:  #pkts dec'ed %llu drop %llu life "
			   "(KB/Sec) %llu/%ld\n", (unsigned long long)in->st.pkts,
			   (unsigned long long)(in->st.replay_drops +
						in->st.auth_fail + in->st.pad_fail +
						in->st.recv_err),
			   (unsigned long long)kb, secs);
	}
	if (out) {
		life_left(out, &kb, &secs);
		cli_printf(cli, "        Outbound: #pkts enc'ed %llu drop %llu life "
			   "(KB/Sec) %llu/%ld\n", (unsigned long long)out->st.pkts,
			   (unsigned long long)out->st.send_err,
			   (unsigned long long)kb, secs);
	}
}

static void flows(struct cli *cli, const struct session *s, bool detail)
{
	bool shown[64] = {false};
	for (int i = 0; i < s->nipsec; i++) {
		if (shown[i])
			continue;
		const struct ipsec_sa *in = NULL, *out = NULL;
		int n = 0;
		for (int j = i; j < s->nipsec; j++) {
			const struct ipsec_sa *o = s->ipsec[j];
			if (!sel_same(&o->d.sel, &s->ipsec[i]->d.sel))
				continue;
			shown[j] = true;
			n++;
			/* the newest ESP (or AH) of each direction */
			if (o->d.inbound && (!in || o->d.proto == 50))
				in = o;
			if (!o->d.inbound && (!out || o->d.proto == 50))
				out = o;
		}
		flow_line(cli, &s->ipsec[i]->d.sel);
		cli_printf(cli, "        Active SAs: %d, origin: %s\n", n,
			   origin(s->ipsec[i]));
		if (detail)
			flow_detail(cli, in, out);
	}
	if (s->nipsec || !s->entry)
		return;
	/* a configured peer with nothing up: its ACL's flows */
	struct acl *acl = acl_find(s->entry->acl);
	if (!acl)
		return;
	struct sa_selector sels[32];
	int n = ike_acl_selectors(acl, sels, 32);
	for (int i = 0; i < n; i++) {
		flow_line(cli, &sels[i]);
		cli_puts(cli, "        Active SAs: 0, origin: crypto map\n");
		if (detail)
			cli_puts(cli, "        Inbound:  #pkts dec'ed 0 drop 0 life "
				      "(KB/Sec) 0/0\n"
				      "        Outbound: #pkts enc'ed 0 drop 0 life "
				      "(KB/Sec) 0/0\n");
	}
}

static void session_show(struct cli *cli, const struct session *s, bool detail)
{
	char p[16], l[16], life[16], cap[8];
	ip_fmt(s->peer, p);
	cli_printf(cli, "Interface: %s\n", session_iface(s));
	cli_printf(cli, "Session status: %s\n", session_status(s));
	if (detail) {
		const struct ike_sa *up = NULL;
		for (int i = 0; i < s->nike; i++)
			if (s->ike[i]->d.state == IKE_QM_IDLE)
				up = s->ike[i];
		char id[80];
		if (up && up->d.peer_id.type == ID_IPV4_ADDR)
			ip_fmt(up->d.peer_id.addr, id);
		else if (up && up->d.peer_id.text[0])
			snprintf(id, sizeof id, "%s", up->d.peer_id.text);
		else
			snprintf(id, sizeof id, "%s", p);
		cli_printf(cli, "Peer: %s/%u fvrf: (none) ivrf: (none)\n", p,
			   s->peer_port);
		cli_printf(cli, "      Desc: %s\n",
			   s->entry && s->entry->description
			   ? s->entry->description : "(none)");
		cli_printf(cli, "      Phase1_id: %s\n", id);
	} else {
		cli_printf(cli, "Peer: %s port %u\n", p, s->peer_port);
	}
	for (int i = 0; i < s->nike; i++) {
		const struct ike_sa *sa = s->ike[i];
		cli_printf(cli, "  IKE SA: local %s/%u remote %s/%u %s\n",
			   ip_fmt(sa->d.local, l), sa->d.local_port, p,
			   sa->d.peer_port,
			   sa->d.state == IKE_QM_IDLE ? "Active" : "Inactive");
		if (detail) {
			hms(p1_remaining(sa), life, sizeof life);
			caps(sa, cap, sizeof cap);
			cli_printf(cli, "          Capabilities:%s connid:%u "
				   "lifetime:%s\n", cap[0] ? cap : "(none)",
				   sa->d.conn_id, life);
		}
	}
	flows(cli, s, detail);
	cli_puts(cli, "\n");
}

DEFUN(show_session, "show crypto session [(active|standby)] [detail]",
      "Show running system information\n"
      "Encryption module\n"
      "Show crypto sessions (tunnels)\n"
      "Sessions that are active\n"
      "Sessions that are standby\n"
      "Show crypto session detail\n")
{
	bool detail = cli_has(a, "detail");
	struct which w = which_of(cli, a);
	struct sessions s = {0};
	ike_sa_foreach(collect_ike, &s);
	sadb_foreach(collect_ipsec, &s);
	collect_config(&s);
	cli_puts(cli, "Crypto session current status\n\n");
	if (detail)
		cli_puts(cli, "Code: C - IKE Configuration mode, D - Dead Peer "
			      "Detection\n"
			      "K - Keepalives, N - NAT-traversal, X - IKE Extended "
			      "Authentication\n\n");
	for (int i = 0; i < s.n; i++)
		if (wanted(&w, session_standby(&s.v[i]) ? SA_STATUS_STANDBY
						       : SA_STATUS_ACTIVE))
			session_show(cli, &s.v[i], detail);
	intmap_clear(&s.index);
	free(s.v);
	return CLI_OK;
}

/* ---- counters -------------------------------------------------------------------------- */


DEFUN(show_flowmib, "show crypto mib ike flowmib global",
      "Show running system information\n"
      "Encryption module\n"
      "Show Crypto MIB statistics\n"
      "IKE MIB statistics\n"
      "IKE flow MIB\n"
      "Global IKE statistics\n")
{
	const struct ike_stats *s = &ike_stats;
	const struct { const char *name; uint64_t v; } rows[] = {
		{"Active Tunnels", ike_sa_active()},
		{"Previous Tunnels", s->prev_tunnels},
		{"In Octets", s->in_octets}, {"In Packets", s->in_pkts},
		{"In Drop Packets", s->in_drop}, {"In Notifys", s->in_notifys},
		{"In P2 Exchanges", s->in_p2},
		{"In P2 Exchange Invalids", s->in_p2_invalid},
		{"In P2 Exchange Rejects", s->in_p2_reject},
		{"In P2 SA Delete Requests", s->in_p2_delete},
		{"Out Octets", s->out_octets}, {"Out Packets", s->out_pkts},
		{"Out Drop Packets", s->out_drop}, {"Out Notifys", s->out_notifys},
		{"Out P2 Exchanges", s->out_p2},
		{"Out P2 Exchange Invalids", s->out_p2_invalid},
		{"Out P2 Exchange Rejects", s->out_p2_reject},
		{"Out P2 SA Delete Requests", s->out_p2_delete},
		{"Initiator Tunnels", s->init_tunnels},
		{"Initiator Fails", s->init_fails},
		{"Responder Fails", s->resp_fails},
		{"System Capacity Fails", s->capacity_fails},
		{"Auth Fails", s->auth_fails}, {"Decrypt Fails", s->decrypt_fails},
		{"Hash Valid Fails", s->hash_fails}, {"No Sa Fails", s->no_sa_fails},
	};
	cli_puts(cli, " vrf Global\n");
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
		cli_printf(cli, "  %-26s%15llu\n", rows[i].name,
			   (unsigned long long)rows[i].v);
	return CLI_OK;
}

DEFUN(show_cac, "show crypto call admission statistics",
      "Show running system information\n"
      "Encryption module\n"
      "Call admission control\n"
      "Call admission control\n"
      "Call admission control statistics\n")
{
	const struct ike_stats *s = &ike_stats;
	unsigned nego = ike_sa_half_open();
	static const char rule[] =
		"---------------------------------------------------------------------\n";
	cli_puts(cli, rule);
	cli_puts(cli, "               Crypto Call Admission Control Statistics\n");
	cli_puts(cli, rule);
	cli_printf(cli, "System Resource Limit: %8u Max IKE SAs: %5u Max in nego: "
		   "%5u\n", 0u, crypto_cac_sa_limit(), ike_sa_half_open_limit());
	cli_printf(cli, "Total IKE SA Count:    %8zu active:    %9u negotiating: "
		   "%4u\n", ike_sa_count(), ike_sa_active(), nego);
	cli_printf(cli, "Incoming IKE Requests: %8llu accepted:  %9llu rejected: "
		   "%7llu\n", (unsigned long long)s->cac_in_req,
		   (unsigned long long)s->cac_in_accept,
		   (unsigned long long)s->cac_in_reject);
	cli_printf(cli, "Outgoing IKE Requests: %8llu accepted:  %9llu rejected: "
		   "%7llu\n", (unsigned long long)s->cac_out_req,
		   (unsigned long long)s->cac_out_accept,
		   (unsigned long long)s->cac_out_reject);
	cli_printf(cli, "Rejected IKE Requests: %8llu rsrc low:  %9u SA limit: "
		   "%7llu\n", (unsigned long long)(s->cac_in_reject +
						  s->cac_out_reject), 0u,
		   (unsigned long long)s->cac_reject_nego);
	return CLI_OK;
}

/* ---- clears ---------------------------------------------------------------------------- */

static void clear_one(struct ike_sa *sa, void *ctx)
{
	if (wanted(ctx, sa->d.status))
		ike_sa_delete(sa, true, "User initiated clear");
}

DEFUN(clear_isakmp, "clear crypto isakmp [(<1-32766>$id|active|standby)]",
      "Reset functions\n"
      "Encryption module\n"
      "Flush the ISAKMP database\n"
      "connection id of SA\n"
      "Clear the IKE SAs that are active\n"
      "Clear the IKE SAs that are standby\n")
{
	if (!cli_has(a, "id")) {
		struct which w = which_of(cli, a);
		ike_sa_foreach(clear_one, &w);
		return CLI_OK;
	}
	struct ike_sa *sa = ike_sa_find_conn((unsigned)cli_arg_num(a, "id"));
	if (sa)
		ike_sa_delete(sa, true, "User initiated clear");
	return CLI_OK;
}

struct clear_ctx {
	uint32_t local, remote;
	struct which w;
};

static void clear_session_ike(struct ike_sa *sa, void *ctx)
{
	struct clear_ctx *c = ctx;
	if ((c->local && sa->d.local != c->local) ||
	    (c->remote && sa->d.peer != c->remote) || !wanted(&c->w, sa->d.status))
		return;
	/* the IPsec SAs first, while the IKE SA can still say so */
	ike_qm_delete_peer(sa->d.local, sa->d.peer, 0, 0, SADB_DEL_CLEARED);
	ike_sa_delete(sa, true, "User initiated clear");
}

struct bundle_list {
	struct clear_ctx *c;
	uint32_t b[256];
	int n;
};

static void clear_session_ipsec(struct ipsec_sa *sa, void *ctx)
{
	struct bundle_list *l = ctx;
	if ((l->c->local && sa->d.local != l->c->local) ||
	    (l->c->remote && sa->d.peer != l->c->remote) ||
	    !wanted(&l->c->w, sa->d.status) || l->n == 256)
		return;
	l->b[l->n++] = sa->d.bundle;
}

DEFUN(clear_session,
      "clear crypto session [(active|standby)] [local A.B.C.D$local] [remote A.B.C.D$remote]",
      "Reset functions\n"
      "Encryption module\n"
      "Clear crypto sessions (tunnels)\n"
      "Clear the sessions that are active\n"
      "Clear the sessions that are standby\n"
      "Local address of the session\n"
      "IP address\n"
      "Remote address of the session\n"
      "IP address\n")
{
	struct clear_ctx c = {cli_arg_ip(a, "local"), cli_arg_ip(a, "remote"),
			      which_of(cli, a)};
	ike_sa_foreach(clear_session_ike, &c);
	/* and what was left without an IKE SA */
	struct bundle_list l = {&c, {0}, 0};
	sadb_foreach(clear_session_ipsec, &l);
	for (int i = 0; i < l.n; i++)
		sadb_delete_bundle(l.b[i], SADB_DEL_CLEARED);
	return CLI_OK;
}

/* ---- show crypto engine connections active: the IKE rows ------------------------------ */

/* 12.4 names the IKE connection's suite hash first ("SHA+3DES"), the
 * IPsec ones cipher first ("3DES+SHA"). */
static void engine_alg(const struct ike_sa *sa, char *b, size_t n)
{
	static const char *const hash[] = {
		[IKE_HASH_MD5] = "MD5", [IKE_HASH_SHA] = "SHA",
		[IKE_HASH_SHA256] = "SHA256", [IKE_HASH_SHA384] = "SHA384",
		[IKE_HASH_SHA512] = "SHA512"};
	const char *h = (size_t)sa->d.hash < sizeof hash / sizeof *hash &&
			hash[sa->d.hash] ? hash[sa->d.hash] : "SHA";
	const char *e = sa->d.encr == IKE_ENCR_3DES ? "3DES"
			: sa->d.encr != IKE_ENCR_AES ? "DES"
			: sa->d.key_bits == 256 ? "AES256"
			: sa->d.key_bits == 192 ? "AES192" : "AES";
	snprintf(b, n, "%s+%s", h, e);
}

static void engine_row(struct ike_sa *sa, void *ctx)
{
	if (sa->d.state != IKE_QM_IDLE || sa->dead)
		return;
	struct iface *ifp = local_iface(sa->d.local);
	char alg[32];
	engine_alg(sa, alg, sizeof alg);
	/* IOS counts no ISAKMP message in these columns (seed 003: "0 0"
	 * for its IKE connection after Quick Mode): they are the engine's
	 * IPsec packet counters */
	crypto_engine_row(ctx, sa->d.conn_id, ifp, "IKE", alg, 0, 0, sa->d.local);
}

void ike_engine_rows(struct sbuf *b)
{
	ike_sa_foreach(engine_row, b);
}

/* ---- debug crypto isakmp ------------------------------------------------------------------ */

DEFUN(debug_isakmp, "debug crypto isakmp",
      "Debugging functions (see also 'undebug')\n"
      "Cryptographic subsystem\n"
      "ISAKMP Key Management\n")
{
	ike_debug = true;
	cli_puts(cli, "Crypto ISAKMP debugging is on\n");
	return CLI_OK;
}

DEFUN(no_debug_isakmp, "no debug crypto isakmp",
      "Disable debugging functions\n"
      "Debugging functions (see also 'undebug')\n"
      "Cryptographic subsystem\n"
      "ISAKMP Key Management\n")
{
	ike_debug = false;
	cli_puts(cli, "Crypto ISAKMP debugging is off\n");
	return CLI_OK;
}

DEFUN(undebug_isakmp, "undebug crypto isakmp",
      "Disable debugging functions (see also 'debug')\n"
      "Cryptographic subsystem\n"
      "ISAKMP Key Management\n")
{
	ike_debug = false;
	cli_puts(cli, "Crypto ISAKMP debugging is off\n");
	return CLI_OK;
}

void ike_show_init(void)
{
	cli_install(MODE_EXEC, &show_isakmp_sa_cmd);
	cli_install(MODE_EXEC, &show_session_cmd);
	cli_install(MODE_EXEC, &show_flowmib_cmd);
	cli_install(MODE_EXEC, &show_cac_cmd);
	cli_install(MODE_EXEC, &clear_isakmp_cmd);
	cli_install(MODE_EXEC, &clear_session_cmd);
	cli_install(MODE_EXEC, &debug_isakmp_cmd);
	cli_install(MODE_EXEC, &no_debug_isakmp_cmd);
	cli_install(MODE_EXEC, &undebug_isakmp_cmd);
}
