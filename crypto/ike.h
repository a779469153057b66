/* Private to crypto/: the IKEv1 engine (ISAKMP, RFC 2407/2408/2409) with
 * NAT traversal (RFC 3947/3948) and dead peer detection (RFC 3706).
 *
 *   isakmp_pkt.c  the wire format: header, payload chain, SA/proposal/
 *                 transform/attribute decoding, and a message builder
 *   ike_crypto.c  OpenSSL for every primitive: DH, PRF (HMAC), hashes,
 *                 CBC ciphers, random numbers, RFC 2409 key derivation
 *   ike_sa.c      the IKE SA table, UDP 500/4500, message protection
 *                 (encryption, IVs), retransmission, lifetimes, limits
 *   ike_mm.c      Main Mode (identity protection), both roles, with PSK,
 *                 vendor IDs, NAT-D and the float to UDP 4500
 *   ike_qm.c      Quick Mode, both roles: proposals from crypto maps,
 *                 proxies, PFS, KEYMAT, the IPsec SAs into the SADB,
 *                 acquire (traffic without an SA) and rekey
 *   ike_p2pol.c   phase 2 policy: transform sets as proposals, the
 *                 responder's choice, crypto map entries against proxies
 *   ike_info.c    Informational exchanges: Notify, Delete, INITIAL-CONTACT,
 *                 DPD (R-U-THERE / ACK), NAT keepalives
 *   ike_show.c    show crypto isakmp sa, show crypto session, clears,
 *                 debug crypto isakmp
 *
 * The negotiated state of an IKE SA (struct ike_sa_data) is plain data, so
 * the crypto HA manager can copy it to a standby that then carries on
 * with no renegotiation. What exists only while an exchange runs (DH
 * keys, nonces, the last packet for retransmission) lives beside it.
 *
 * Other exchange types (Aggressive Mode, Transaction for Xauth and mode-
 * config) plug in as further handlers in ike_sa.c's dispatch on the
 * exchange type, with their own step functions like ike_mm.c's. */
#ifndef IOSIM_IKE_H
#define IOSIM_IKE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto_int.h"
#include "sadb.h"

struct ip_rx;
typedef struct evp_pkey_st EVP_PKEY;

/* ---- the wire (RFC 2408 §3, RFC 2407 §4) ------------------------------------ */
#define ISAKMP_PORT        500
#define ISAKMP_NATT_PORT   4500
#define ISAKMP_HDR_LEN     28
#define ISAKMP_GEN_LEN     4
#define ISAKMP_MAX_MSG     8192   /* PSK exchanges are far smaller */
#define ISAKMP_MAX_PL      32     /* payloads in one message */
#define ISAKMP_MAX_PROP    8      /* proposals in one SA payload */
#define ISAKMP_MAX_XF      64     /* transforms in one proposal */

enum isakmp_np {
	NP_NONE = 0, NP_SA = 1, NP_P = 2, NP_T = 3, NP_KE = 4, NP_ID = 5,
	NP_CERT = 6, NP_CR = 7, NP_HASH = 8, NP_SIG = 9, NP_NONCE = 10,
	NP_N = 11, NP_D = 12, NP_VID = 13, NP_ATTR = 14, NP_NATD = 20,
	NP_NATOA = 21, NP_NATD_DRAFT = 130, NP_NATOA_DRAFT = 131,
	NP_FRAG = 132,
};
enum isakmp_exch {
	EXCH_MAIN = 2, EXCH_AGGR = 4, EXCH_INFO = 5, EXCH_TRANS = 6,
	EXCH_QUICK = 32,
};
#define ISAKMP_FLAG_ENC    0x01
#define ISAKMP_FLAG_COMMIT 0x02
#define ISAKMP_FLAG_AUTH   0x04

enum isakmp_notify {
	N_INVALID_PAYLOAD_TYPE = 1, N_DOI_NOT_SUPPORTED = 2,
	N_SITUATION_NOT_SUPPORTED = 3, N_INVALID_COOKIE = 4,
	N_INVALID_MAJOR_VERSION = 5, N_INVALID_EXCHANGE_TYPE = 7,
	N_INVALID_FLAGS = 8, N_INVALID_MESSAGE_ID = 9,
	N_INVALID_PROTOCOL_ID = 10, N_INVALID_SPI = 11,
	N_BAD_PROPOSAL_SYNTAX = 15, N_NO_PROPOSAL_CHOSEN = 14,
	N_PAYLOAD_MALFORMED = 16, N_INVALID_KEY_INFORMATION = 17,
	N_INVALID_ID_INFORMATION = 18, N_INVALID_HASH_INFORMATION = 23,
	N_AUTHENTICATION_FAILED = 24, N_ATTRIBUTES_NOT_SUPPORTED = 13,
	N_CONNECTED = 16384, N_RESPONDER_LIFETIME = 24576,
	N_REPLAY_STATUS = 24577, N_INITIAL_CONTACT = 24578,
	N_R_U_THERE = 36136, N_R_U_THERE_ACK = 36137,
};
enum isakmp_proto { PROTO_ISAKMP = 1, PROTO_AH = 2, PROTO_ESP = 3, PROTO_IPCOMP = 4 };
enum isakmp_id {
	ID_IPV4_ADDR = 1, ID_FQDN = 2, ID_USER_FQDN = 3, ID_IPV4_ADDR_SUBNET = 4,
	ID_IPV4_ADDR_RANGE = 7, ID_DER_ASN1_DN = 9, ID_KEY_ID = 11,
};
/* Phase 1 attributes (RFC 2409 appendix A) */
enum { P1_ENCR = 1, P1_HASH = 2, P1_AUTH = 3, P1_GROUP = 4, P1_LIFE_TYPE = 11,
       P1_LIFE_DUR = 12, P1_KEY_LEN = 14 };
enum { P1_ENCR_DES = 1, P1_ENCR_3DES = 5, P1_ENCR_AES = 7 };
enum { P1_HASH_MD5 = 1, P1_HASH_SHA = 2, P1_HASH_SHA256 = 4, P1_HASH_SHA384 = 5,
       P1_HASH_SHA512 = 6 };
enum { P1_AUTH_PSK = 1, P1_AUTH_RSA_SIG = 3, P1_AUTH_RSA_ENC = 4 };
enum { LIFE_SECONDS = 1, LIFE_KILOBYTES = 2 };
/* Phase 2 attributes (RFC 2407 §4.5) */
enum { P2_LIFE_TYPE = 1, P2_LIFE_DUR = 2, P2_GROUP = 3, P2_ENCAP = 4,
       P2_AUTH = 5, P2_KEY_LEN = 6 };
enum { ENCAP_TUNNEL = 1, ENCAP_TRANSPORT = 2, ENCAP_UDP_TUNNEL = 3,
       ENCAP_UDP_TRANSPORT = 4, ENCAP_UDP_TUNNEL_DRAFT = 61443,
       ENCAP_UDP_TRANSPORT_DRAFT = 61444 };
enum { P2_AUTH_MD5 = 1, P2_AUTH_SHA = 2, P2_AUTH_SHA256 = 5 };
enum { ESP_DES = 2, ESP_3DES = 3, ESP_NULL = 11, ESP_AES = 12, ESP_AES_GCM_16 = 20 };
enum { AH_MD5 = 2, AH_SHA = 3, AH_SHA256 = 5 };
#define IPSEC_DOI      1
#define SIT_IDENTITY   1

/* ---- decoding (isakmp_pkt.c): nothing is used before it is checked ---- */
struct isakmp_hdr {
	uint8_t icky[8], rcky[8];
	uint8_t np, version, exch, flags;
	uint32_t mid;                 /* host order */
	uint32_t len;
};
/* One payload: its type and the whole payload (generic header included,
 * as the hashes cover it); the body follows the 4-byte generic header. */
struct isakmp_pl {
	uint8_t type;
	const uint8_t *p;
	size_t len;
};
struct isakmp_msg {
	struct isakmp_hdr h;
	struct isakmp_pl pl[ISAKMP_MAX_PL];
	int npl;
};
static inline const uint8_t *pl_body(const struct isakmp_pl *pl) { return pl->p + ISAKMP_GEN_LEN; }
static inline size_t pl_blen(const struct isakmp_pl *pl) { return pl->len - ISAKMP_GEN_LEN; }

/* The header of a datagram: 0, or the notify code that says what is wrong. */
int isakmp_parse_hdr(const uint8_t *b, size_t len, struct isakmp_hdr *h);
/* The payload chain that starts with type FIRST in B..B+LEN (what follows
 * the header, decrypted). PADDED: trailing bytes after the last payload
 * are the cipher's padding. 0 or a notify code. */
int isakmp_parse_chain(uint8_t first, const uint8_t *b, size_t len,
		       bool padded, struct isakmp_msg *m);
/* The Nth payload of TYPE (0 = first), NULL when absent. */
const struct isakmp_pl *isakmp_find(const struct isakmp_msg *m, uint8_t type,
				    int nth);
int isakmp_count(const struct isakmp_msg *m, uint8_t type);

/* Data attributes (TV when the AF bit is set, else TLV). */
struct isakmp_attr {
	uint16_t type;
	uint32_t val;                 /* TV, or a TLV of 1..4 bytes */
	bool big;                     /* a TLV longer than 4 bytes */
};
struct isakmp_attr_it {
	const uint8_t *p;
	size_t left;
};
/* 1: *A is the next attribute; 0: the end; -1: malformed. */
int isakmp_attr_next(struct isakmp_attr_it *it, struct isakmp_attr *a);

struct isakmp_xf {
	uint8_t num, id;
	const uint8_t *attrs;
	size_t alen;
};
struct isakmp_prop {
	uint8_t num, proto, spi_size;
	uint8_t spi[16];
	struct isakmp_xf xf[ISAKMP_MAX_XF];
	int nxf;
};
struct isakmp_sa {
	uint32_t doi, sit;
	struct isakmp_prop prop[ISAKMP_MAX_PROP];
	int nprop;
};
/* An SA payload's body: 0 or a notify code (every length checked). */
int isakmp_parse_sa(const uint8_t *body, size_t len, struct isakmp_sa *sa);

/* Identification payload body (RFC 2407 §4.6.2). */
struct isakmp_ident {
	uint8_t type, proto;
	uint16_t port;
	uint32_t addr, mask;          /* IPV4_ADDR(_SUBNET), network order */
	char text[64];                /* FQDN / USER_FQDN, as sent */
};
int isakmp_parse_id(const uint8_t *body, size_t len, struct isakmp_ident *id);
/* Notification payload body (RFC 2408 §3.14). */
struct isakmp_notify_pl {
	uint32_t doi;
	uint8_t proto, spi_size;
	uint16_t type;
	const uint8_t *spi, *data;
	size_t data_len;
};
int isakmp_parse_notify(const uint8_t *body, size_t len,
			struct isakmp_notify_pl *n);
/* Delete payload body (RFC 2408 §3.15). */
struct isakmp_delete_pl {
	uint32_t doi;
	uint8_t proto, spi_size;
	uint16_t nspi;
	const uint8_t *spis;
};
int isakmp_parse_delete(const uint8_t *body, size_t len,
			struct isakmp_delete_pl *d);

/* ---- building -------------------------------------------------------------- */
struct isakmp_out {
	uint8_t b[ISAKMP_MAX_MSG];
	size_t len;
	size_t np_at;                 /* where the next payload's type goes */
	bool overflow;
};
void isakmp_out_init(struct isakmp_out *o, const uint8_t icky[8],
		     const uint8_t rcky[8], uint8_t exch, uint8_t flags,
		     uint32_t mid);
/* Open a payload of TYPE (the previous one's next-payload field is set);
 * returns its start, to close with isakmp_out_end. */
size_t isakmp_out_begin(struct isakmp_out *o, uint8_t type);
void isakmp_out_end(struct isakmp_out *o, size_t start);
/* A payload inside another (proposal, transform): its own next-payload
 * field is NEXT, and the outer chain is left alone. */
size_t isakmp_out_nested(struct isakmp_out *o, uint8_t next);
void isakmp_out_put(struct isakmp_out *o, const void *p, size_t n);
void isakmp_out_u8(struct isakmp_out *o, uint8_t v);
void isakmp_out_u16(struct isakmp_out *o, uint16_t v);
void isakmp_out_u32(struct isakmp_out *o, uint32_t v);
/* A basic (TV) attribute, or a 4-byte TLV when V does not fit 16 bits. */
void isakmp_out_attr(struct isakmp_out *o, uint16_t type, uint32_t v);
/* A payload holding just DATA (nonce, KE, hash, vendor ID, NAT-D). */
void isakmp_out_simple(struct isakmp_out *o, uint8_t type, const void *data,
		       size_t n);
void isakmp_out_id(struct isakmp_out *o, uint8_t type,
		   const struct isakmp_ident *id);
/* A proposal's only transform, X as it was received (a responder's
 * answer echoes the transform it chose). */
void isakmp_out_xf(struct isakmp_out *o, const struct isakmp_xf *x);
/* Set the header's length field. */
void isakmp_out_finish(struct isakmp_out *o);

/* Names for debug output. */
const char *isakmp_np_name(uint8_t np);
const char *isakmp_notify_name(uint16_t type);

/* ---- primitives (ike_crypto.c) ----------------------------------------------- */
#define IKE_HASH_MAX  64
#define IKE_DH_MAX    512           /* group 16: 4096 bits */
#define IKE_NONCE_LEN 20
#define IKE_NONCE_MAX 256
#define IKE_KEY_MAX   32
#define IKE_BLOCK_MAX 16

struct ike_iov {
	const void *p;
	size_t len;
};
size_t ike_hash_len(enum ike_hash h);
/* PRF = HMAC with the negotiated hash over the concatenated parts. */
bool ike_prf(enum ike_hash h, const void *key, size_t klen,
	     const struct ike_iov *v, int n, uint8_t *out);
bool ike_digest(enum ike_hash h, const struct ike_iov *v, int n,
		uint8_t *out);
size_t ike_block_len(enum ike_encr e);
size_t ike_key_len(enum ike_encr e, unsigned bits);
/* CBC in place, no padding; IV is updated to the last ciphertext block
 * (RFC 2409 appendix B). LEN must be a multiple of the block. */
bool ike_cbc(enum ike_encr e, const uint8_t *key, size_t klen, uint8_t *iv,
	     uint8_t *buf, size_t len, bool encrypt);
bool ike_dh_supported(unsigned group);
size_t ike_dh_len(unsigned group);
/* A fresh DH key of GROUP; its public value, padded to the prime's
 * length, in PUB (ike_dh_len bytes). NULL on failure. */
EVP_PKEY *ike_dh_keygen(unsigned group, uint8_t *pub);
/* g^xy padded to the prime's length; false when the peer's value is not
 * a valid public value of the group. */
bool ike_dh_derive(EVP_PKEY *key, unsigned group, const uint8_t *peer,
		   size_t plen, uint8_t *out);
void ike_dh_free(EVP_PKEY *key);
void ike_random(void *p, size_t n);
/* K1 | K2 | ... where K1 = prf(KEY, SEED), Kn = prf(KEY, Kn-1 | SEED)
 * (SEED may be empty: the phase 1 key expansion of RFC 2409 app. B). */
bool ike_expand(enum ike_hash h, const uint8_t *key, size_t klen,
		const struct ike_iov *seed, int nseed, uint8_t *out,
		size_t outlen);
void ike_crypto_init(void);
void ike_crypto_reset(void);

/* ---- the IKE SA --------------------------------------------------------------- */
/* show crypto isakmp sa's states (Main, Aggressive, then phase 1 done). */
enum ike_state {
	IKE_MM_NO_STATE, IKE_MM_SA_SETUP, IKE_MM_KEY_EXCH, IKE_MM_KEY_AUTH,
	IKE_AG_NO_STATE, IKE_AG_INIT_EXCH, IKE_AG_AUTH, IKE_QM_IDLE,
};
/* NAT traversal: what the peer announced and what NAT-D found. */
#define NATT_RFC        0x01      /* RFC 3947 vendor ID agreed */
#define NATT_DRAFT      0x02      /* draft-ietf-ipsec-nat-t-ike-02/03 */
#define NATT_LOCAL_NAT  0x04      /* this router is behind a NAT */
#define NATT_PEER_NAT   0x08      /* the peer is behind a NAT */
#define NATT_FLOATED    0x10      /* IKE moved to UDP 4500 */

#define IKE_PSK_MAX     128

/* The negotiated state of one IKE SA: plain data, copied as is by the
 * crypto HA manager. */
struct ike_sa_data {
	uint8_t icky[8], rcky[8];      /* initiator and responder cookies */
	bool initiator;                /* this router began the exchange */
	enum ike_state state;
	uint32_t local, peer;          /* network order */
	uint16_t local_port, peer_port;/* host order: 500, or 4500 once floated */
	uint8_t natt;                  /* NATT_* */
	/* the protection suite agreed */
	enum ike_encr encr;
	unsigned key_bits;
	enum ike_hash hash;
	enum ike_auth auth;
	unsigned group;
	unsigned policy;               /* priority of the matching policy */
	uint32_t lifetime;             /* seconds */
	double established;            /* core_uptime() at phase 1 done */
	double created;                /* core_uptime() at the first message */
	/* keying material (RFC 2409 §5) and the phase 1 CBC state */
	uint8_t skeyid_d[IKE_HASH_MAX], skeyid_a[IKE_HASH_MAX];
	uint8_t skeyid_e[IKE_HASH_MAX];
	uint8_t prf_len;
	uint8_t enc_key[IKE_KEY_MAX];
	uint8_t enc_key_len;
	uint8_t iv[IKE_BLOCK_MAX];     /* last CBC block of phase 1 */
	uint8_t iv_len;
	/* the peer: its phase 1 identity and what it can do */
	struct isakmp_ident peer_id;
	bool peer_dpd;                 /* sent the RFC 3706 vendor ID */
	/* DPD (RFC 3706) */
	uint32_t dpd_seq_out;          /* last R-U-THERE we sent */
	uint32_t dpd_seq_in;           /* last R-U-THERE the peer sent */
	unsigned conn_id;              /* show crypto isakmp sa conn-id, 0 none */
	enum sa_status status;         /* STDBY: a copy kept by a standby router */
};

struct ike_p1;                         /* phase 1 in progress (ike_mm.c) */
struct ike_xchg;                       /* phase 2 / informational (below) */

struct ike_sa {
	struct ike_sa_data d;
	bool dead;                     /* deleted: shown "(deleted)" until freed */
	bool rekey_started;            /* a successor's Main Mode has begun */
	struct ike_p1 *p1;
	struct ike_xchg *xchgs;
	/* liveness, for DPD and the status line */
	double last_rx;                /* core_uptime() of the last valid message */
	unsigned dpd_missed;
	bool dpd_waiting;
	uint64_t last_in_pkts;         /* IPsec packets with the peer at the */
	uint64_t last_out_pkts;        /* last DPD check */
	ev_timer life;                 /* rekey, then expiry */
	ev_timer dpd;
	ev_timer reap;                 /* a dead SA is shown a moment, then freed */
	struct ike_sa *next, *prev;    /* every SA, creation order */
	struct ike_sa *hnext;          /* by initiator cookie */
	uint64_t ord;                  /* creation order, from 1 */
	/* the crypto HA manager: the standby holds it / a message is due */
	bool ha_synced, ha_dirty;
};

/* One exchange protected by a phase 1 SA: Quick Mode or Informational.
 * Its IV chain starts from the phase 1 IV and its message ID. */
struct ike_qm;
struct ike_xchg {
	struct ike_sa *sa;
	uint32_t mid;
	uint8_t exch;                  /* EXCH_QUICK / EXCH_INFO */
	bool initiator;
	uint8_t iv[IKE_BLOCK_MAX];
	struct ike_qm *qm;             /* Quick Mode state (ike_qm.c) */
	/* retransmission: the last message we sent, and a digest of the last
	 * one we received (a duplicate is answered with our last message) */
	uint8_t *tx;
	size_t tx_len;
	uint16_t tx_port;
	uint8_t rx_digest[20];
	bool have_rx;
	unsigned retries;
	bool done;                     /* finished; kept to answer duplicates */
	ev_timer t;
	struct ike_xchg *next;
};

/* Counters: show crypto mib ike flowmib global (the CISCO-IPSEC-FLOW-
 * MONITOR-MIB's cikeGlobal* objects), show crypto call admission
 * statistics, and the drops nothing else shows. */
struct ike_stats {
	uint64_t in_octets, in_pkts, in_drop, in_notifys, in_p2, in_p2_invalid,
		in_p2_reject, in_p2_delete;
	uint64_t out_octets, out_pkts, out_drop, out_notifys, out_p2,
		out_p2_invalid, out_p2_reject, out_p2_delete;
	uint64_t init_tunnels, init_fails, resp_fails, capacity_fails;
	uint64_t auth_fails, decrypt_fails, hash_fails, no_sa_fails;
	uint64_t prev_tunnels;
	/* call admission */
	uint64_t cac_in_req, cac_in_accept, cac_in_reject;
	uint64_t cac_out_req, cac_out_accept, cac_out_reject;
	uint64_t cac_reject_nego;
	/* drops by cause */
	uint64_t malformed, unknown_cookie, retransmits, keepalives_in,
		keepalives_out, dpd_sent, dpd_acked, timeouts;
};
extern struct ike_stats ike_stats;

/* debug crypto isakmp */
extern bool ike_debug;
#define IKE_DBG(...) do { if (ike_debug) log_debug(__VA_ARGS__); } while (0)
/* "ISAKMP (0:N): " as 12.x prints it */
#define IKE_SA_DBG(sa, fmt, ...) \
	IKE_DBG("ISAKMP (0:%u): " fmt, (sa)->d.conn_id, ##__VA_ARGS__)

/* ---- ike_sa.c: the table and the transport ----------------------------------- */
/* The UDP 500 and 4500 handlers (registered with the platform). */
void ike_udp500(const struct ip_rx *rx);
void ike_udp4500(const struct ip_rx *rx);
void ike_sa_init(void);
void ike_sa_reset(void);
struct ike_sa *ike_sa_new(bool initiator, uint32_t local, uint32_t peer,
			  const uint8_t icky[8]);
struct ike_sa *ike_sa_find(const uint8_t icky[8], const uint8_t rcky[8]);
/* The newest established SA with PEER (and LOCAL when not 0). */
struct ike_sa *ike_sa_find_peer(uint32_t local, uint32_t peer);
struct ike_sa *ike_sa_find_conn(unsigned conn_id);
/* Phase 1 done: state, lifetime timers, DPD; drain what waited on it. */
void ike_sa_established(struct ike_sa *sa);
/* Its lifetime or establishment time changed (a standby taking it over):
 * the rekey and expiry timers follow. */
void ike_sa_life_changed(struct ike_sa *sa);
/* Delete: tell the peer (SEND: a Delete payload when phase 1 is done),
 * drop its exchanges, keep it shown "(deleted)" briefly, then free it. */
void ike_sa_delete(struct ike_sa *sa, bool send, const char *reason);
/* A negotiation failed: its keys and exchanges go, the SA is shown
 * "(deleted)" a moment (as IOS shows MM_NO_STATE ... (deleted)), then freed. */
void ike_sa_fail(struct ike_sa *sa, const char *reason);
/* %CRYPTO-4-IKMP_BAD_MESSAGE, rate-limited. */
void ike_log_bad_message(uint32_t from);
void ike_sa_assign_conn_id(struct ike_sa *sa);

/* The crypto HA manager follows established, ACTIVE SAs: phase 1 done
 * (ADD), a change a standby must know (DPD sequence numbers, the peer's
 * NAT-T port: UPDATE), and deletion (DEL). */
enum ike_ha_change { IKE_HA_ADD, IKE_HA_UPDATE, IKE_HA_DEL };
typedef void (*ike_ha_fn)(struct ike_sa *sa, enum ike_ha_change what);
void ike_sa_set_ha_hook(ike_ha_fn fn);
void ike_sa_changed(struct ike_sa *sa, enum ike_ha_change what);
/* A standby's copy of an SA from its data (status STDBY, no timers, a
 * conn-id of this router's own). */
struct ike_sa *ike_sa_install(const struct ike_sa_data *d);
/* Takeover: the copy becomes ACTIVE; lifetime and DPD run from here. */
void ike_sa_activate(struct ike_sa *sa);
void ike_sa_foreach(void (*fn)(struct ike_sa *sa, void *ctx), void *ctx);
size_t ike_sa_count(void);
/* The oldest SA (then follow ->next, creation order). */
struct ike_sa *ike_sa_first(void);
unsigned ike_sa_half_open(void);
unsigned ike_sa_half_open_limit(void);
unsigned ike_sa_active(void);
/* Call admission: room for one more SA being negotiated. */
bool ike_sa_admit(void);
const char *ike_state_name(enum ike_state s);

/* Send a finished message (cleartext header, body encrypted if asked)
 * from the SA's ports; with NAT-T on 4500 the non-ESP marker goes first. */
int ike_send_raw(struct ike_sa *sa, const uint8_t *msg, size_t len);
/* Encrypt O's body in place with KEY and *IV (padding to the block). */
bool ike_encrypt(const struct ike_sa *sa, struct isakmp_out *o, uint8_t *iv);
/* Decrypt an arriving message's body into OUT; IV is updated. */
bool ike_decrypt(const struct ike_sa *sa, const uint8_t *msg, size_t len,
		 uint8_t *iv, uint8_t *out, size_t *out_len);
/* Keep a copy of what was sent for retransmission. */
void ike_keep_tx(uint8_t **tx, size_t *tx_len, const uint8_t *msg, size_t len);
void ike_digest20(const uint8_t *p, size_t n, uint8_t out[20]);

/* Exchanges protected by an established SA. */
struct ike_xchg *ike_xchg_new(struct ike_sa *sa, uint32_t mid, uint8_t exch,
			      bool initiator);
struct ike_xchg *ike_xchg_find(struct ike_sa *sa, uint32_t mid);
void ike_xchg_free(struct ike_xchg *x);
/* Send O (built by the exchange) protected: hash already inside,
 * encrypted with the exchange's IV; kept for retransmission when RETX. */
int ike_xchg_send(struct ike_xchg *x, struct isakmp_out *o, bool retx);
/* The exchange finished: kept a while to answer a duplicate, then freed. */
void ike_xchg_finish(struct ike_xchg *x);
/* A random message ID not in use on SA. */
uint32_t ike_new_mid(struct ike_sa *sa);
/* HASH(1) style authentication of a protected phase 2 message:
 * prf(SKEYID_a, M-ID | PRE | everything after the hash payload). */
bool ike_p2_hash(const struct ike_sa *sa, uint32_t mid, const uint8_t *pre,
		 size_t prelen, const uint8_t *after, size_t alen,
		 uint8_t *out);
/* Fill a HASH payload opened at START (its body begins at START+4) with
 * prf(SKEYID_a, M-ID | PRE | what follows it in O). */
bool ike_p2_hash_fill(const struct ike_sa *sa, struct isakmp_out *o,
		      size_t start, uint32_t mid, const uint8_t *pre,
		      size_t prelen);
/* Verify a protected message's leading HASH payload the same way. */
bool ike_p2_hash_check(const struct ike_sa *sa, const struct isakmp_msg *m,
		       const uint8_t *pre, size_t prelen);

/* The local crypto end point of MAP where it is applied (the data
 * path's rule: crypto_binding_local), 0 when it is applied nowhere. */
struct cmap_binding;
uint32_t ike_local_addr_for(const char *map);

/* ---- ike_mm.c: Main Mode --------------------------------------------------------- */
void ike_mm_input(struct ike_sa *sa, const struct isakmp_msg *hdr_only,
		  const uint8_t *msg, size_t len, const struct ip_rx *rx);
/* A new responder SA from a first message (NULL: refused, counted). */
struct ike_sa *ike_mm_responder(const struct isakmp_hdr *h,
				const uint8_t *msg, const struct ip_rx *rx);
/* Begin Main Mode with PEER from LOCAL; the SA (negotiating). */
struct ike_sa *ike_mm_initiate(uint32_t local, uint32_t peer);
void ike_p1_free(struct ike_p1 *p1);
/* Phase 1's timer: retransmit the last message, or give up after the
 * last retry; once phase 1 is done, forget the kept message. */
void ike_p1_timeout(struct ike_sa *sa);
/* Retransmit the last phase 1 message; false when out of retries. */
bool ike_p1_retransmit(struct ike_sa *sa);
bool ike_p1_is_done(const struct ike_p1 *p1);

/* ---- ike_qm.c: Quick Mode ----------------------------------------------------------- */
void ike_qm_init(void);
void ike_qm_reset(void);
void ike_qm_input(struct ike_sa *sa, struct ike_xchg *x,
		  const struct isakmp_msg *m, const uint8_t *msg, size_t len);
void ike_qm_free(struct ike_qm *q);
/* Phase 1 with PEER is up: start the Quick Modes that waited for it. */
void ike_qm_phase1_up(struct ike_sa *sa);
/* Phase 1 with PEER failed: forget what waited for it. */
void ike_qm_phase1_failed(uint32_t local, uint32_t peer);
/* The IPsec SAs this IKE SA made (its cookies), and the peer's. */
unsigned ike_qm_sa_count(const struct ike_sa *sa);
uint64_t ike_qm_in_pkts(uint32_t peer);
void ike_qm_pkts(uint32_t peer, uint64_t *in, uint64_t *out);
/* The peer's CONNECTED notify for exchange X (the commit bit). */
void ike_qm_connected(struct ike_xchg *x);
/* The selectors of an ACL's permit lines, as IOS builds one pair of SAs
 * per line: fills up to MAX, returns how many. */
struct acl;
int ike_acl_selectors(const struct acl *acl, struct sa_selector *out, int max);
/* Delete the IPsec SAs with PEER, except those of bundle KEEP and those
 * installed at or after BEFORE (0: none kept for their age). */
void ike_qm_delete_peer(uint32_t local, uint32_t peer, uint32_t keep,
			double before, enum sadb_reason why);
/* The peer of SA said INITIAL-CONTACT: what an older incarnation of it
 * left goes (RFC 2407 4.6.3.3) — the IKE and IPsec SAs with it that were
 * up before SA began, not those a negotiation the two started at the same
 * time made meanwhile. */
void ike_sa_initial_contact(struct ike_sa *sa);

/* ---- ike_info.c: Informational, DPD, keepalives ------------------------------------ */
void ike_info_init(void);
void ike_info_reset(void);
void ike_info_input(struct ike_sa *sa, const struct isakmp_msg *m,
		    const uint8_t *msg, size_t len);
/* A protected Informational with one Notify (SPI as given). */
int ike_info_send_notify(struct ike_sa *sa, uint8_t proto, const uint8_t *spi,
			 size_t spi_len, uint16_t type, const void *data,
			 size_t dlen);
/* An unprotected notify about a failed phase 1 (cookies of the SA). */
int ike_info_send_clear_notify(const struct isakmp_hdr *h, uint32_t local,
			       uint32_t peer, uint16_t sport, uint16_t dport,
			       uint16_t type);
int ike_info_send_delete(struct ike_sa *sa, uint8_t proto,
			 const uint8_t *spis, size_t spi_size, unsigned n);
void ike_dpd_start(struct ike_sa *sa);
/* An IKE message (or IPsec traffic) came from the peer: it is alive. */
void ike_dpd_alive(struct ike_sa *sa);
void ike_natt_keepalive_rx(void);

/* ---- ike_show.c -------------------------------------------------------------------- */
void ike_show_init(void);
/* The established IKE SAs' rows of show crypto engine connections active. */
void ike_engine_rows(struct sbuf *b);

/* ---- the engine --------------------------------------------------------------------- */
void ike_init(void);
void ike_reset(void);

#endif
