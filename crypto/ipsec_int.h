/* Private to crypto/: the IPsec data path.
 *
 *   xform.c      the per-SA engine state: OpenSSL contexts made once when
 *                an SA is installed (cipher keyed, HMAC keyed, an IV
 *                generator), the transforms' sizes, the primitives
 *   esp.c        ESP (RFC 4303, RFC 4106 for GCM, RFC 3948 in UDP)
 *   ah.c         AH (RFC 4302)
 *   spd.c        crypto maps at work: each interface's map compiled into
 *                entries and ACL permit lines, the flows (one block of
 *                show crypto ipsec sa each) and their counters, rebuilt
 *                after a configuration change
 *   ipsec_io.c   the packet path: the platform's output and input
 *                features, ESP/AH input, acquire, syslogs
 *   manual.c     ipsec-manual entries: their SAs installed from the keys
 *   rri.c        reverse route injection
 *   ipsec_show.c show crypto ipsec sa, show crypto engine connections
 *                active, clear crypto sa, debug crypto ipsec
 */
#ifndef IOSIM_IPSEC_INT_H
#define IOSIM_IPSEC_INT_H

#include <openssl/evp.h>

#include "../platform/platform.h"
#include "sadb.h"

/* Every interface here has this IP MTU (show crypto ipsec sa's path mtu). */
#define IPSEC_PATH_MTU 1500
#define IP_HLEN 20                   /* the router sends and takes no options */

static inline uint16_t be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}
static inline uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}
static inline void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}
static inline void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}
/* An IPv4 header after its payload changed: protocol, total length and
 * header checksum. */
static inline void ip_hdr_fix(uint8_t *ip, size_t len, uint8_t proto)
{
	ip[9] = proto;
	put16(ip + 2, (uint16_t)len);
	put16(ip + 10, 0);
	put16(ip + 10, ip_checksum(ip, IP_HLEN, 0));
}

/* ---- flows ------------------------------------------------------------------
 * A flow is one block of show crypto ipsec sa: an interface, a crypto map
 * entry and a proxy identity pair, with the SAs that serve it and the
 * counters that outlive them (a rekey keeps the flow). The permit lines of
 * a static entry's ACL make flows while the map is applied (IOS lists them
 * before any SA exists); an SA whose selector is no permit line (a dynamic
 * map, a narrower proposal) makes its own, gone with its last SA. */
struct flow_stats {
	uint64_t encaps, encrypt, digest;
	uint64_t decaps, decrypt, verify;
	/* send errors */
	uint64_t no_sa, encap_fail, rollover_send;
	/* recv errors */
	uint64_t invalid_sa, decap_fail, invalid_prot, verify_fail,
		 invalid_identity, invalid_len, replay_fail;
};

struct xf_sa;
struct ipsec_flow {
	struct ipsec_flow *next, *prev;   /* all flows, creation order */
	unsigned serial;                 /* creation order, for show */
	char ifname[48];
	char map[64];
	unsigned seq;
	struct sa_selector sel;          /* as seen from this router */
	uint32_t local, peer;            /* crypto end points */
	bool from_acl;                   /* a permit line of a static entry */
	bool manual;                     /* of an ipsec-manual entry */
	bool live;                       /* its entry is still applied */
	struct flow_stats st;
	struct xf_sa *sas;               /* its SAs, newest first */
	double last_acquire;             /* core_uptime(), 0: never */
	/* ipsec-manual: what its SAs were made from (manual.c) */
	struct ipsec_sa_data *manual_tmpl;
	int manual_n;
	/* spd.c: a flow that is no permit line hangs off its entry */
	struct ipsec_flow *xnext, *xprev;
	/* spd.c: the flows of one selector and seq, newest first */
	struct ipsec_flow *hnext, *hprev;
	struct spd_entry *owner;
};

/* ---- the per-SA engine state (sa->engine) ------------------------------------ */
struct xf_sa {
	struct ipsec_sa *sa;
	struct ipsec_flow *flow;
	struct xf_sa *flow_next;
	EVP_CIPHER_CTX *cipher;          /* keyed; NULL: esp-null, AH */
	EVP_MAC_CTX *mac;                /* keyed HMAC; NULL: no integrity */
	bool aead;                       /* AES-GCM: the cipher checks itself */
	uint8_t salt[4];                 /* GCM nonce salt (RFC 4106) */
	uint8_t chain[16];               /* CBC out: last ciphertext block */
	uint8_t align;                   /* ciphertext multiple (ESP: >= 4) */
	uint8_t iv_len, icv_len;
	double log_replay, log_mac;      /* last syslog of each kind */
};

/* xform.c */
bool xf_attach(struct ipsec_sa *sa);
void xf_detach(struct ipsec_sa *sa);
/* The key lengths a transform needs (bits for AES/GCM); 0: unknown. */
size_t xf_enc_key_len(enum xform x, unsigned bits);
size_t xf_auth_key_len(enum xform x);
/* GCM's explicit IV for sequence number SEQ. */
void xf_gcm_iv(uint32_t seq, uint8_t iv[8]);
/* CBC out, in place: P is the IV's place, LEN bytes of payload follow
 * (a multiple of the block); the IV is made there. */
bool xf_cbc_seal(struct xf_sa *x, uint32_t seq, uint8_t *p, size_t len);
/* CBC in: P is the IV, LEN bytes of ciphertext follow; the plaintext goes
 * to OUT, which has room for one block in front of it. */
bool xf_cbc_open(struct xf_sa *x, const uint8_t *p, size_t len, uint8_t *out);
/* GCM: seal in place (tag out) or open (false: tag mismatch). */
bool xf_gcm(struct xf_sa *x, bool enc, const uint8_t iv[8],
	    const uint8_t *aad, size_t aadlen, const uint8_t *in, uint8_t *out,
	    size_t len, uint8_t *tag);
/* HMAC, truncated to the ICV, over up to three pieces (NULL to skip). */
bool xf_icv(struct xf_sa *x, const uint8_t *a, size_t an, const uint8_t *b,
	    size_t bn, const uint8_t *c, size_t cn, uint8_t *icv);
/* "3DES+MD5", "AES+SHA" for show crypto engine connections. */
const char *xf_engine_name(const struct ipsec_sa *sa, char *buf, size_t n);
void xform_init(void);

/* ---- ESP and AH (esp.c, ah.c) ------------------------------------------------
 * Outbound they work on a packet in a buffer with room in front of it:
 * *PKT moves back as headers go in, the length grows; 0 when the result
 * would be too long. Inbound they take the protocol header onward. */
#define IPSEC_HEADROOM 128
#define IPSEC_TAILROOM 64

size_t ipsec_tunnel_apply(const struct ipsec_sa *sa, uint8_t **pkt, size_t len,
			  bool df);
size_t esp_apply(struct ipsec_sa *sa, uint8_t **pkt, size_t len);
size_t ah_apply(struct ipsec_sa *sa, uint8_t **pkt, size_t len);
/* What ESP/AH add to a packet of LEN bytes (the tunnel header included
 * when TUNNEL). */
size_t esp_overhead(const struct ipsec_sa *sa, size_t payload);
size_t ah_overhead(const struct ipsec_sa *sa);

/* Inbound results. */
enum ipsec_rx_err {
	RX_OK, RX_NO_SA, RX_BAD_LEN, RX_REPLAY, RX_BAD_ICV, RX_BAD_PAD,
	RX_BAD_PROT, RX_DUMMY,
};
/* ESP at P (N bytes, from the SPI to the end of the ICV): decrypted into
 * OUT (the payload, *OUTLEN bytes) with its next header. */
enum ipsec_rx_err esp_open(struct ipsec_sa *sa, const uint8_t *p, size_t n,
			   uint8_t *out, size_t *outlen, uint8_t *next);
/* AH at P behind the header HDR; *HLEN is the AH length. */
enum ipsec_rx_err ah_verify(struct ipsec_sa *sa, const uint8_t *hdr,
			    const uint8_t *p, size_t n, size_t *hlen,
			    uint8_t *next);

/* ---- the policy (spd.c) ----------------------------------------------------- */
/* What a packet is, for policy. Addresses network order, ports host. */
struct pkt_key {
	uint32_t src, dst;
	uint8_t proto;
	uint16_t sport, dport;
	bool ports;                      /* first fragment of TCP/UDP */
};
void pkt_key_of(const uint8_t *pkt, size_t len, struct pkt_key *k);
/* Does SEL (local -> remote) cover K, outbound (src local) or inbound? */
bool sel_covers(const struct sa_selector *sel, const struct pkt_key *k,
		bool inbound);

struct spd_binding;
enum spd_verdict { SPD_BYPASS, SPD_PROTECT, SPD_DROP };
/* The configuration changed: the next packet or show rebuilds first. */
void spd_mark_dirty(void);
void spd_sync(void);
/* The binding of an interface (NULL: no crypto map applied). */
struct spd_binding *spd_binding_of(const struct iface *ifp);
uint32_t spd_binding_local(const struct spd_binding *b);
/* Outbound: the flow that protects K, or why not. With SPD_DROP *FLOW is
 * the flow that has no SA yet (NULL: a dynamic entry's ACL, no peer to
 * ask) and *ENTRY its static entry, to acquire. */
enum spd_verdict spd_out(struct spd_binding *b, const struct pkt_key *k,
			 struct ipsec_flow **flow,
			 const struct cmap_entry **entry, uint32_t *peer);
/* Inbound cleartext: does the interface's map want K protected? */
bool spd_in_wants_ipsec(struct spd_binding *b, const struct pkt_key *k);
/* An interface may have two bindings: the router's own map first. */
struct spd_binding *spd_binding_next(const struct spd_binding *b);
bool spd_binding_generated(const struct spd_binding *b);
const char *spd_binding_map(const struct spd_binding *b);
/* The router's own maps (gen_map.c) hold on every interface: the binding
 * that wants clear K protected, wherever it arrived (NULL: none); whether
 * K, which left by an interface none of their bindings is on, is theirs
 * (it must not go in clear). */
bool spd_strict_any(void);
struct spd_binding *spd_strict_in(const struct pkt_key *k);
bool spd_strict_out(const struct pkt_key *k);
/* The SAs that carry a flow's traffic now (NULL: none of that kind). */
void flow_out_sas(struct ipsec_flow *f, struct ipsec_sa **esp,
		  struct ipsec_sa **ah);
/* The flow an SA belongs to, made if needed (xf_attach). */
struct ipsec_flow *flow_for_sa(const struct ipsec_sa *sa);
void flow_attach(struct ipsec_flow *f, struct xf_sa *x);
void flow_detach(struct ipsec_flow *f, struct xf_sa *x);
/* A flow whose end points are these (invalid SPI counting), or NULL. */
struct ipsec_flow *flow_by_peer(uint32_t local, uint32_t peer);
struct ipsec_flow *flows_first(void);
/* The peer an entry's SAs go to now, 0 when it has none. */
uint32_t flow_current_peer(const char *map, unsigned seq);

/* ipsec_io.c: ask IKE for the SAs of tunnel TUN's binding now, as a packet
 * routed into it would (a VTI brings itself up); at most once a second.
 * False when there is nothing to ask for: no binding, blocked, SAs up. */
bool ipsec_io_acquire(struct iface *tun);

/* vti.c: IPsec virtual tunnel interfaces. The VTI whose binding made
 * flow F (NULL: not a VTI's); what its SAs decrypt arrives on it. */
struct iface *vti_of_flow(const struct ipsec_flow *f);
void vti_init(void);
void vti_reset(void);
/* The current peer of a static entry (its first address peer). */
uint32_t cmap_entry_peer(const struct cmap_entry *e);
/* The routes reverse route injection wants now (network order; gateway
 * 0: out of IFP). */
typedef void (*spd_route_fn)(uint32_t prefix, uint32_t mask, uint32_t gateway,
			     struct iface *ifp, void *ctx);
void spd_rri_routes(spd_route_fn fn, void *ctx);
void spd_reset(void);
void spd_init(void);

/* ---- manual keying (manual.c) -------------------------------------------------
 * Called by the SPD rebuild for each permit flow of an ipsec-manual
 * entry (E on the interface whose local address is LOCAL): install, keep
 * or replace its SAs. */
void manual_sync_flow(struct ipsec_flow *f, const struct cmap_entry *e,
		      uint32_t local, uint32_t peer);
void manual_forget(struct ipsec_flow *f);
/* The entry is manual no more: its SAs go. */
void manual_drop(struct ipsec_flow *f);

/* ---- reverse route injection (rri.c) --------------------------------------------- */
/* The SPD was rebuilt: static-map routes follow what is applied. */
void rri_sync(void);
void rri_init(void);
void rri_reset(void);

/* ---- the packet path (ipsec_io.c) ------------------------------------------------ */
void ipsec_io_init(void);
void ipsec_io_reset(void);

/* ---- debug crypto ipsec (ipsec_show.c) --------------------------------------------- */
extern bool ipsec_debug;
void ipsec_show_init(void);
/* "IPSEC(sa_request): , (key eng. msg.) OUTBOUND ..." */
void ipsec_debug_acquire(const struct cmap_entry *e,
			 const struct sa_selector *sel, uint32_t local,
			 uint32_t peer);

#endif
