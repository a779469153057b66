/* The IPsec packet path.
 *
 * Outbound (the platform's output feature): a packet about to leave an
 * interface that carries a crypto map is matched against the map (spd.c);
 * what an entry protects is encapsulated with the flow's SAs (the tunnel
 * header first, then ESP, then AH for an AH+ESP bundle) and sent on by
 * the routing table toward the peer; what has no SA yet is dropped, and
 * IKE is asked for one (at most once a second per flow).
 *
 * Inbound: ESP and AH to the router (IP 50/51, ESP in UDP 4500 from the
 * IKE engine) are checked, decapsulated in the reverse order, the inner
 * packet checked against the SA's proxy identities and given back to the
 * platform as if it had arrived on the same interface. Clear traffic that
 * the interface's map would have protected is dropped (the input feature).
 *
 * Drops are counted in the flow (show crypto ipsec sa [detail]) and, where
 * IOS prints one, said in a syslog at most once a minute per SA. */
#include "crypto_int.h"
#include "ipsec_int.h"

#include <arpa/inet.h>
#include <stdio.h>

#define LOG_EVERY 60.0           /* IOS rate-limits these crypto syslogs */

static uint8_t obuf[IPSEC_HEADROOM + 65536 + IPSEC_TAILROOM];
static uint8_t ibuf[IP_HLEN + 65536 + 64];

static struct {
	unsigned long invalid_spi, not_ipsec, nested;
	unsigned long strict_out_drop;  /* the router's own maps' traffic
					 * routed out of their interface */
	double log_spi, log_not_ipsec, log_identity;
} io;

/* Once a minute at most: the first one at once. */
static bool log_due(double *last)
{
	double now = core_uptime();
	if (*last > 0 && now - *last < LOG_EVERY)
		return false;
	*last = now;
	return true;
}

static bool is_mcast_or_bcast(uint32_t a)
{
	return (ntohl(a) >> 28) == 0xe || a == 0xffffffffu;
}

/* IOS never encrypts its own IKE, whatever the ACL says. */
static bool is_ike(const struct pkt_key *k)
{
	return k->proto == 17 && k->ports &&
	       (k->sport == 500 || k->sport == 4500 || k->dport == 500 ||
		k->dport == 4500);
}

/* ---- outbound ----------------------------------------------------------------- */

size_t ipsec_tunnel_apply(const struct ipsec_sa *sa, uint8_t **pkt, size_t len,
			  bool df)
{
	if (len + IP_HLEN > 65535)
		return 0;
	const uint8_t *in = *pkt;
	uint8_t *ip = *pkt - IP_HLEN;
	ip[0] = 0x45;
	ip[1] = in[1];               /* the type of service goes outside */
	put16(ip + 4, ip_next_id());
	put16(ip + 6, df ? 0x4000 : 0);
	ip[8] = 255;
	memcpy(ip + 12, &sa->d.local, 4);
	memcpy(ip + 16, &sa->d.peer, 4);
	ip_hdr_fix(ip, len + IP_HLEN, 4);
	*pkt = ip;
	return len + IP_HLEN;
}

/* crypto ipsec df-bit: the outer header copies the inner DF bit (the
 * default), clears or sets it. Transport mode keeps the packet's own. */
static bool outer_df(const uint8_t *pkt, bool tunnel)
{
	bool inner = be16(pkt + 6) & 0x4000;
	if (!tunnel)
		return inner;
	switch (crypto_ipsec_globals()->df_bit) {
	case DF_BIT_CLEAR: return false;
	case DF_BIT_SET: return true;
	case DF_BIT_COPY: break;
	}
	return inner;
}

static size_t encap_len(const struct ipsec_sa *esp, const struct ipsec_sa *ah,
			bool tunnel, size_t len)
{
	size_t n = len + (tunnel ? IP_HLEN : 0);
	if (esp)
		n += esp_overhead(esp, tunnel ? len : len - IP_HLEN);
	if (ah)
		n += ah_overhead(ah);
	return n;
}

/* The largest packet that still fits the path once encapsulated: what
 * ICMP "fragmentation needed" tells the sender (IOS's plaintext mtu). */
static uint16_t plain_mtu(const struct ipsec_sa *esp, const struct ipsec_sa *ah,
			  bool tunnel)
{
	for (size_t len = IPSEC_PATH_MTU; len > 68; len--)
		if (encap_len(esp, ah, tunnel, len) <= IPSEC_PATH_MTU)
			return (uint16_t)len;
	return 68;
}

/* Integrity: AH's, ESP's HMAC, or GCM's own tag. */
static bool digested(const struct ipsec_sa *esp, const struct ipsec_sa *ah)
{
	return ah || (esp && (esp->d.auth != XF_NONE || esp->d.enc == XF_ESP_GCM));
}

/* LEN bytes went through ESP and/or AH: the SAs count them, against
 * their kilobyte lifetime too. */
static void count_sas(struct ipsec_sa *esp, struct ipsec_sa *ah, size_t len)
{
	for (int i = 0; i < 2; i++) {
		struct ipsec_sa *sa = i ? ah : esp;
		if (!sa)
			continue;
		sa->st.pkts++;
		sa->st.bytes += len;
		sadb_account(sa, len);
	}
}

static void count_out(struct ipsec_flow *f, struct ipsec_sa *esp,
		      struct ipsec_sa *ah, size_t len)
{
	f->st.encaps++;
	f->st.encrypt += esp && esp->d.enc != XF_ESP_NULL;
	f->st.digest += digested(esp, ah);
	count_sas(esp, ah, len);
}

/* 2^32 - 1 is the last sequence number an SA may send (RFC 4303 3.3.3):
 * then it is done, and its successor is asked for. */
static bool seq_left(struct ipsec_flow *f, struct ipsec_sa *sa)
{
	if (!sa || sa->d.seq < UINT32_MAX)
		return true;
	f->st.rollover_send++;
	sadb_soft_now(sa);
	return false;
}

static enum ip_feature_verdict protect(struct ipsec_flow *f,
				       const uint8_t *pkt, size_t len,
				       struct ip_out_info *o)
{
	struct ipsec_sa *esp, *ah;
	flow_out_sas(f, &esp, &ah);
	struct ipsec_sa *lead = esp ? esp : ah;
	bool tunnel = lead->d.tunnel;
	bool df = outer_df(pkt, tunnel);
	if (df && encap_len(esp, ah, tunnel, len) > IPSEC_PATH_MTU) {
		o->mtu = plain_mtu(esp, ah, tunnel);
		return IP_FEATURE_TOO_BIG;
	}
	if (!seq_left(f, esp) || !seq_left(f, ah))
		return IP_FEATURE_DROPPED;
	uint8_t *p = obuf + IPSEC_HEADROOM;
	memcpy(p, pkt, len);
	size_t n = len;
	if (tunnel)
		n = ipsec_tunnel_apply(lead, &p, n, df);
	if (n && esp)
		n = esp_apply(esp, &p, n);
	if (n && ah)
		n = ah_apply(ah, &p, n);
	if (!n) {
		f->st.encap_fail++;
		return IP_FEATURE_DROPPED;
	}
	count_out(f, esp, ah, len);
	if (ip_output_raw(p, n) < 0) {
		f->st.encap_fail++;
		return IP_FEATURE_DROPPED;
	}
	return IP_FEATURE_SENT;
}

/* IKE hears of a flow with no SA once a second. */
static void acquire(struct ipsec_flow *f, const struct cmap_entry *e,
		    uint32_t peer)
{
	if (!e || !f || !peer)
		return;
	double now = core_uptime();
	if (f->last_acquire > 0 && now - f->last_acquire < 1.0)
		return;
	f->last_acquire = now;
	if (ipsec_debug)
		ipsec_debug_acquire(e, &f->sel, f->local, peer);
	sadb_acquire(e, &f->sel, peer);
}

/* Protected traffic without an SA: dropped as IOS drops it while IKE
 * negotiates. */
static void no_sa(struct ipsec_flow *f, const struct cmap_entry *e,
		  uint32_t peer)
{
	if (f)
		f->st.no_sa++;
	acquire(f, e, peer);
}

bool ipsec_io_acquire(struct iface *tun)
{
	spd_sync();
	struct spd_binding *b = spd_binding_of(tun);
	uint32_t src, dst;
	if (!b || !iface_tunnel_endpoints(tun, &src, &dst))
		return false;
	/* what a packet routed into the tunnel would match */
	struct pkt_key k = {.src = src, .dst = dst};
	struct ipsec_flow *f = NULL;
	const struct cmap_entry *e = NULL;
	uint32_t peer = 0;
	if (spd_out(b, &k, &f, &e, &peer) != SPD_DROP || !e)
		return false;
	acquire(f, e, peer);
	return true;
}

static enum ip_feature_verdict out_feature(const uint8_t *pkt, size_t len,
					   struct ip_out_info *o)
{
	spd_sync();
	struct spd_binding *b = spd_binding_of(o->ifp);
	if (!b && !spd_strict_any())
		return IP_FEATURE_PASS;
	struct pkt_key k;
	pkt_key_of(pkt, len, &k);
	if (is_mcast_or_bcast(k.dst) || (!o->in && is_ike(&k)))
		return IP_FEATURE_PASS;
	for (; b; b = spd_binding_next(b)) {
		struct ipsec_flow *f = NULL;
		const struct cmap_entry *e = NULL;
		uint32_t peer = 0;
		switch (spd_out(b, &k, &f, &e, &peer)) {
		case SPD_BYPASS:
			continue;
		case SPD_DROP:
			no_sa(f, e, peer);
			return IP_FEATURE_DROPPED;
		case SPD_PROTECT:
			return protect(f, pkt, len, o);
		}
	}
	/* the router's own maps' traffic routed elsewhere: never in clear */
	if (spd_strict_out(&k)) {
		io.strict_out_drop++;
		return IP_FEATURE_DROPPED;
	}
	return IP_FEATURE_PASS;
}

/* ---- inbound -------------------------------------------------------------------- */

static void log_invalid_spi(const struct ip_rx *rx, uint8_t proto,
			    uint32_t spi)
{
	io.invalid_spi++;
	struct ipsec_flow *f = flow_by_peer(rx->dst, rx->src);
	if (f)
		f->st.invalid_sa++;
	if (!log_due(&io.log_spi))
		return;
	char d[16], s[16];
	log_ios("CRYPTO-4-RECVD_PKT_INV_SPI", "decaps: rec'd IPSEC packet has "
		"invalid spi for destaddr=%s, prot=%u, spi=0x%X(%u), srcaddr=%s",
		ip_fmt(rx->dst, d), proto, spi, spi, ip_fmt(rx->src, s));
}

/* A packet an SA refused: counted in its flow, said as IOS says it. */
static void rx_refused(struct ipsec_sa *sa, enum ipsec_rx_err err,
		       uint32_t seq)
{
	struct xf_sa *x = sa->engine;
	struct flow_stats *st = &x->flow->st;
	sa->st.recv_err++;
	switch (err) {
	case RX_BAD_LEN:
		st->invalid_len++;
		break;
	case RX_REPLAY:
		st->replay_fail++;
		sa->st.replay_drops++;
		if (log_due(&x->log_replay))
			log_ios("CRYPTO-4-PKT_REPLAY_ERR", "decrypt: replay check "
				"failed connection id=%u, sequence number=%u",
				sa->conn_id, seq);
		break;
	case RX_BAD_ICV:
		st->verify_fail++;
		sa->st.auth_fail++;
		if (log_due(&x->log_mac))
			log_ios("CRYPTO-4-RECVD_PKT_MAC_ERR", "decrypt: mac "
				"verification failed for connection id=%u",
				sa->conn_id);
		break;
	case RX_BAD_PAD:
		st->decap_fail++;
		sa->st.pad_fail++;
		break;
	case RX_BAD_PROT:
		st->invalid_prot++;
		break;
	case RX_OK: case RX_NO_SA: case RX_DUMMY:
		sa->st.recv_err--;
		break;
	}
}

/* Is there an inbound SA of PROTO in SA's bundle (an AH+ESP pair must
 * arrive as a pair)? */
static bool bundle_has(const struct ipsec_sa *sa, uint8_t proto)
{
	const struct xf_sa *x = sa->engine;
	for (const struct xf_sa *o = x->flow->sas; sa->d.bundle && o;
	     o = o->flow_next)
		if (o->sa->d.inbound && o->sa->d.proto == proto &&
		    o->sa->d.bundle == sa->d.bundle)
			return true;
	return false;
}

static void count_in(struct ipsec_sa *esp, struct ipsec_sa *ah, size_t len)
{
	struct ipsec_sa *sa = esp ? esp : ah;
	struct flow_stats *st = &((struct xf_sa *)sa->engine)->flow->st;
	st->decaps++;
	st->decrypt += esp && esp->d.enc != XF_ESP_NULL;
	st->verify += digested(esp, ah);
	count_sas(esp, ah, len);
}

/* The SA's proxies must cover what it carried. */
static bool identity_ok(struct ipsec_sa *sa, const uint8_t *inner, size_t len)
{
	struct pkt_key k;
	pkt_key_of(inner, len, &k);
	if (sel_covers(&sa->d.sel, &k, true))
		return true;
	((struct xf_sa *)sa->engine)->flow->st.invalid_identity++;
	sa->st.recv_err++;
	if (log_due(&io.log_identity)) {
		char d[16], s[16];
		log_ios("CRYPTO-4-RECVD_PKT_INV_IDENTITY_ACL", "ipsec check "
			"access: identity not allowed by ACL (ip) vrf/dest_addr= "
			"/%s, src_addr= %s, prot= %u", ip_fmt(k.dst, d),
			ip_fmt(k.src, s), k.proto);
	}
	return false;
}

/* What ESP and AH removed leaves the inner packet: in tunnel mode the
 * payload is it; in transport mode the outer header is its header again,
 * with the protocol that was protected. */
static const uint8_t *inner_packet(struct ipsec_sa *sa, const uint8_t *hdr,
				   const uint8_t *payload, size_t plen,
				   uint8_t next, size_t *len)
{
	if (sa->d.tunnel) {
		if (next != 4 || !ip_inner_packet_ok(payload, plen, len))
			return NULL;
		return payload;
	}
	if (next == 4 || plen + IP_HLEN > 65535)
		return NULL;
	if (payload != ibuf + IP_HLEN)
		memmove(ibuf + IP_HLEN, payload, plen);
	memcpy(ibuf, hdr, IP_HLEN);
	ip_hdr_fix(ibuf, plen + IP_HLEN, next);
	*len = plen + IP_HLEN;
	return ibuf;
}

static struct ipsec_sa *rx_sa(const struct ip_rx *rx, uint8_t proto,
			      uint32_t spi)
{
	struct ipsec_sa *sa = sadb_in_find(rx->dst, proto, spi);
	if (!sa || !sa->engine || sa->d.status != SA_STATUS_ACTIVE ||
	    sadb_expired(sa)) {
		log_invalid_spi(rx, proto, spi);
		return NULL;
	}
	return sa;
}

static void ipsec_rx(const struct ip_rx *rx, uint8_t proto, const uint8_t *p,
		     size_t n, bool udp)
{
	struct ipsec_sa *ah = NULL, *esp = NULL;
	const uint8_t *payload = p;
	size_t plen = n;
	uint8_t next = proto;
	enum ipsec_rx_err err;
	if (proto == 51) {
		if (n < 12)
			return;
		if (!(ah = rx_sa(rx, 51, be32(p + 4))))
			return;
		size_t hl;
		if ((err = ah_verify(ah, rx->ip_hdr, p, n, &hl, &next))) {
			rx_refused(ah, err, be32(p + 8));
			return;
		}
		payload = p + hl;
		plen = n - hl;
	}
	if (next == 50) {
		if (plen < 8)
			return;
		if (!(esp = rx_sa(rx, 50, be32(payload))))
			return;
		if (udp != (esp->d.peer_port != 0)) {
			rx_refused(esp, RX_BAD_PROT, 0);
			return;
		}
		err = esp_open(esp, payload, plen, ibuf + IP_HLEN, &plen, &next);
		if (err == RX_DUMMY)
			return;
		if (err) {
			rx_refused(esp, err, be32(payload + 4));
			return;
		}
		payload = ibuf + IP_HLEN;
	}
	struct ipsec_sa *sa = esp ? esp : ah;
	/* an AH+ESP bundle's packets carry both, AH outside */
	if ((esp && bundle_has(esp, 51) && (!ah || ah->d.bundle != esp->d.bundle)) ||
	    (ah && !esp && bundle_has(ah, 50))) {
		rx_refused(sa, RX_BAD_PROT, 0);
		return;
	}
	size_t len;
	const uint8_t *inner = inner_packet(sa, rx->ip_hdr, payload, plen, next,
					    &len);
	if (!inner) {
		rx_refused(sa, RX_BAD_PROT, 0);
		return;
	}
	if (!identity_ok(sa, inner, len))
		return;
	count_in(esp, ah, len);
	/* a VTI's SA delivers onto its tunnel; the rest where they came in */
	struct iface *vti = vti_of_flow(((struct xf_sa *)sa->engine)->flow);
	if (vti)
		vti_input(vti, inner, len);
	else
		ip_inject(rx->ifp, inner, len);
}

/* A decapsulated packet is delivered while its buffer is in use: one that
 * carries ESP or AH to the router again (a tunnel in a tunnel) is not
 * taken apart a second time, as nothing here is configured for it. */
static void ipsec_rx_once(const struct ip_rx *rx, uint8_t proto, bool udp)
{
	static bool busy;
	if (busy) {
		io.nested++;
		return;
	}
	busy = true;
	ipsec_rx(rx, proto, rx->payload, rx->len, udp);
	busy = false;
}

static void esp_input(const struct ip_rx *rx)
{
	ipsec_rx_once(rx, 50, false);
}

static void ah_input(const struct ip_rx *rx)
{
	ipsec_rx_once(rx, 51, false);
}

/* ESP in UDP from the IKE engine's port 4500 (the non-ESP marker checked
 * there): the UDP payload is the ESP packet. */
static void udp_input(const struct ip_rx *rx)
{
	ipsec_rx_once(rx, 50, true);
}

/* Is DST this router's (an address of its own, or a binding's local
 * address: the virtual IP it is Active for)? */
static bool addressed_here(const struct spd_binding *b, uint32_t dst)
{
	if (iface_by_addr(dst))
		return true;
	for (; b; b = spd_binding_next(b))
		if (dst == spd_binding_local(b))
			return true;
	return false;
}

/* Clear traffic that should have come protected. */
static bool in_feature(struct iface *ifp, const uint8_t *pkt, size_t len)
{
	spd_sync();
	struct spd_binding *b = spd_binding_of(ifp);
	if (!b && !spd_strict_any())
		return true;
	struct pkt_key k;
	pkt_key_of(pkt, len, &k);
	if (is_mcast_or_bcast(k.dst))
		return true;
	if ((k.proto == 50 || k.proto == 51 ||
	     (k.proto == 17 && k.ports && (k.dport == 500 || k.dport == 4500))) &&
	    addressed_here(b, k.dst))
		return true;
	struct spd_binding *own = spd_strict_in(&k);
	if (own) {
		if (!strcmp(spd_binding_map(own), "IPC-head-0"))
			gen_ipc_clear_drop();
	} else {
		bool wanted = false;
		for (; b && !wanted; b = spd_binding_next(b))
			wanted = spd_in_wants_ipsec(b, &k);
		if (!wanted)
			return true;
	}
	io.not_ipsec++;
	if (log_due(&io.log_not_ipsec)) {
		char d[16], s[16];
		log_ios("CRYPTO-4-RECVD_PKT_NOT_IPSEC", "Rec'd packet not an "
			"IPSEC packet. (ip) vrf/dest_addr= /%s, src_addr= %s, "
			"prot= %u", ip_fmt(k.dst, d), ip_fmt(k.src, s), k.proto);
	}
	return false;
}

/* ---- lifecycle ------------------------------------------------------------------- */

static const struct sadb_engine_ops engine = {
	.attach = xf_attach,
	.detach = xf_detach,
	.udp_input = udp_input,
};

void ipsec_io_reset(void)
{
	memset(&io, 0, sizeof io);
}

void ipsec_io_init(void)
{
	sadb_set_engine(&engine);
	ip_register_proto(50, esp_input);
	ip_register_proto(51, ah_input);
	ip_set_features(out_feature, in_feature);
}
