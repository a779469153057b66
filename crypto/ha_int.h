/* Private to crypto/: the crypto HA manager (seeds 000, 001, 003).
 *
 *   ha_msg.c    the checkpoint message format: a 16-byte header and typed
 *               TLV attributes, every length checked before use; the
 *               `debug crypto ha` dump (HA_IKE_MSG_ADD_SA, HA_IKE_ATT_*)
 *   ha_mgr.c    what is shared: the stateful virtual addresses, their
 *               stamps, takeover when HSRP makes a group Active, counters,
 *               show crypto ha, the debug commands
 *   ha_ike.c    RF client "IKE HA Mgr" (120): IKE SAs to the standby
 *   ha_ipsec.c  RF client "IPsec HA Mgr" (121): IPsec SA bundles and their
 *               replay / lifetime updates
 *
 * A router whose crypto map is applied with `redundancy GROUP stateful`
 * copies every SA whose local address is GROUP's virtual IP to the
 * STANDBY HOT router: a bulk when the standby arrives, then each add,
 * update and delete in order on the same SCTP stream. The standby keeps
 * the copies in STANDBY status (they answer nothing and carry nothing);
 * when HSRP makes it Active for GROUP it activates them. */
#ifndef IOSIM_CRYPTO_HA_INT_H
#define IOSIM_CRYPTO_HA_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../core/core.h"

struct ike_sa;
struct ipsec_sa;

/* ---- the message format (ha_msg.c) -----------------------------------------
 *   0  u8  version (1)        1  u8  flags (HA_FLAG_*)
 *   2  u16 type               4  u32 length of the whole message
 *   8  u32 id: the virtual IP the SAs belong to (network order)
 *  12  u32 sequence number of the message on its client's stream
 * then attributes: u16 type, u16 length, value (big-endian numbers). */
#define HA_MSG_VERSION 1
#define HA_HDR_LEN     16
#define HA_MSG_MAX     4096
#define HA_FLAG_ACTIVE 0x01        /* sent by the ACTIVE router */
#define HA_FLAG_BULK   0x02        /* part of a bulk sync */

enum ha_ike_msg {
	HA_IKE_MSG_STAMP = 1,      /* the VIP's stamp */
	HA_IKE_MSG_ADD_SA = 2,
	HA_IKE_MSG_UPDATE_SA = 3,
	HA_IKE_MSG_DELETE_SA = 4,
	HA_IKE_MSG__MAX = 4,
};
/* Numbers as seed 001's `debug crypto ha` prints them where it does. */
enum ha_ike_att {
	HA_IKE_ATT_STAMP = 1,
	HA_IKE_ATT_MY_COOKIE = 2,          /* the initiator's cookie */
	HA_IKE_ATT_HIS_COOKIE = 3,         /* the responder's */
	HA_IKE_ATT_SRC = 4,                /* the peer */
	HA_IKE_ATT_DST = 5,                /* the local end (the VIP) */
	HA_IKE_ATT_PEER_PORT = 6,
	HA_IKE_ATT_F_VRF = 7,
	HA_IKE_ATT_INIT_OR_RESP = 8,       /* 1: this pair initiated */
	HA_IKE_ATT_NAT_DISCOVERY = 9,      /* NATT_* bits */
	HA_IKE_ATT_LOCAL_PORT = 10,
	HA_IKE_ATT_PEERS_CAPABILITIES = 11,/* bit 0: the peer does DPD */
	HA_IKE_ATT_MY_CAPABILITIES = 12,
	HA_IKE_ATT_STATE_MASK = 13,        /* enum ike_state */
	HA_IKE_ATT_ENCR = 14,
	HA_IKE_ATT_KEY_BITS = 15,
	HA_IKE_ATT_HASH = 16,
	HA_IKE_ATT_AUTH = 17,
	HA_IKE_ATT_DH_GROUP = 18,
	HA_IKE_ATT_POLICY = 19,
	HA_IKE_ATT_LIFETIME = 20,          /* seconds */
	HA_IKE_ATT_AGE_MS = 21,            /* since phase 1 completed */
	HA_IKE_ATT_SKEYID_D = 22,
	HA_IKE_ATT_SKEYID_A = 23,
	HA_IKE_ATT_SKEYID_E = 24,
	HA_IKE_ATT_ENC_KEY = 25,
	HA_IKE_ATT_IV = 26,                /* last CBC block of phase 1 */
	HA_IKE_ATT_DPD_SEQ_OUT = 27,
	HA_IKE_ATT_DPD_SEQ_IN = 28,
	HA_IKE_ATT_IDTYPE = 38,
	HA_IKE_ATT_PROTOCOL = 39,
	HA_IKE_ATT_PORT = 40,
	HA_IKE_ATT_ADDR = 41,
	HA_IKE_ATT_MASK = 42,
	HA_IKE_ATT_ID_STR = 44,
	HA_IKE_ATT__MAX = 44,
};

enum ha_ipsec_msg {
	HA_IPSEC_MSG_ADD_BUNDLE = 1,       /* the SAs of one negotiation */
	HA_IPSEC_MSG_UPDATE_SA = 2,        /* replay and kilobyte state */
	HA_IPSEC_MSG_DELETE_SA = 3,
	HA_IPSEC_MSG__MAX = 3,
};
enum ha_ipsec_att {
	/* the bundle's */
	HA_IPSEC_ATT_LOCAL = 1,
	HA_IPSEC_ATT_PEER = 2,
	HA_IPSEC_ATT_LOCAL_PORT = 3,
	HA_IPSEC_ATT_PEER_PORT = 4,
	HA_IPSEC_ATT_LOCAL_PROXY = 5,      /* addr, mask, proto, port: 11 bytes */
	HA_IPSEC_ATT_REMOTE_PROXY = 6,
	HA_IPSEC_ATT_MODE = 7,             /* 1 tunnel, 2 transport */
	HA_IPSEC_ATT_MAP = 8,              /* crypto map tag */
	HA_IPSEC_ATT_MAP_SEQ = 9,
	HA_IPSEC_ATT_IKE_COOKIES = 10,
	HA_IPSEC_ATT_PFS = 11,
	HA_IPSEC_ATT_LIFE_SECS = 12,
	HA_IPSEC_ATT_LIFE_KB = 13,
	HA_IPSEC_ATT_AGE_MS = 14,
	/* one SA: opens it (proto u8, inbound u8, spi u32), then its own */
	HA_IPSEC_ATT_SA = 20,
	HA_IPSEC_ATT_ENC = 21,
	HA_IPSEC_ATT_AUTH = 22,
	HA_IPSEC_ATT_ENC_BITS = 23,
	HA_IPSEC_ATT_ENC_KEY = 24,
	HA_IPSEC_ATT_AUTH_KEY = 25,
	HA_IPSEC_ATT_SEQ = 26,             /* replay: last sent / highest seen */
	HA_IPSEC_ATT_WINDOW = 27,          /* replay window size */
	HA_IPSEC_ATT_BYTES = 28,
	HA_IPSEC_ATT__MAX = 28,
};

struct ha_out {
	uint8_t b[HA_MSG_MAX];
	size_t len;
	bool overflow;
};
void ha_out_begin(struct ha_out *o, uint16_t type, uint8_t flags,
		  uint32_t id);
void ha_out_put(struct ha_out *o, uint16_t att, const void *p, size_t n);
void ha_out_u8(struct ha_out *o, uint16_t att, uint8_t v);
void ha_out_u16(struct ha_out *o, uint16_t att, uint16_t v);
void ha_out_u32(struct ha_out *o, uint16_t att, uint32_t v);
void ha_out_u64(struct ha_out *o, uint16_t att, uint64_t v);
/* Length and sequence number go in; false when it overflowed. */
bool ha_out_finish(struct ha_out *o, uint32_t seq);

struct ha_msg {
	uint8_t version, flags;
	uint16_t type;
	uint32_t len, id, seq;
	const uint8_t *attrs;
	size_t alen;
};
struct ha_attr {
	uint16_t type, len;
	const uint8_t *v;
};
/* 0, or -1 when it is truncated, of another version or its length lies. */
int ha_msg_parse(const uint8_t *p, size_t len, struct ha_msg *m);
/* Walk the attributes: 1 with *A filled, 0 at the end, -1 malformed. */
struct ha_attr_it {
	const uint8_t *p;
	size_t left;
};
void ha_attr_begin(const struct ha_msg *m, struct ha_attr_it *it);
int ha_attr_next(struct ha_attr_it *it, struct ha_attr *a);
/* A number of exactly its size; false otherwise. */
bool ha_attr_u8(const struct ha_attr *a, uint8_t *v);
bool ha_attr_u16(const struct ha_attr *a, uint16_t *v);
bool ha_attr_u32(const struct ha_attr *a, uint32_t *v);
bool ha_attr_u64(const struct ha_attr *a, uint64_t *v);

/* `debug crypto ha`'s dump of one message (keys are named, never shown). */
struct ha_names {
	const char *const *msg;            /* [type] */
	size_t nmsg;
	const char *const *att;            /* [attribute] */
	size_t natt;
	bool (*secret)(uint16_t att);
};
extern const struct ha_names ha_ike_names, ha_ipsec_names;
void ha_msg_dump(const struct ha_names *n, const uint8_t *p, size_t len);

/* ---- shared (ha_mgr.c) ------------------------------------------------------ */
struct ha_counters {
	uint64_t tx_msgs, tx_bytes, rx_msgs, rx_bytes;
	uint64_t tx_full;                  /* channel full: sent again later */
	uint64_t ike_added, ike_updated, ike_deleted;     /* on the standby */
	uint64_t ipsec_added, ipsec_updated, ipsec_deleted;
	uint64_t replay_updates_sent;
	uint64_t rx_malformed, rx_unknown_type, rx_unknown_sa, rx_out_of_order;
	uint64_t rx_bad_vip, rx_incomplete, rx_refused;
	uint64_t takeovers, ike_activated, ipsec_activated, renegotiated;
};
extern struct ha_counters ha_counters;
extern bool ha_debug, ha_ike_debug, ha_ipsec_debug, ha_ipsec_detail,
	ha_ipsec_update;

/* ADDR is the virtual IP of a `crypto map ... redundancy G stateful`
 * binding (whatever G's state here). */
bool ha_is_stateful_vip(uint32_t addr);
/* The stamp of VIP (16 bytes), made on first use on an ACTIVE router. */
const uint8_t *ha_stamp(uint32_t vip, bool make);
void ha_stamp_set(uint32_t vip, const uint8_t stamp[16]);
/* Next message sequence number / the expected one on the standby:
 * a message with an older number is dropped, a gap is counted. */
struct ha_seq {
	uint32_t tx, rx;
};
bool ha_seq_accept(struct ha_seq *s, uint32_t seq);

/* A bundle or IKE SA that did not arrive whole: the standby does not
 * hold it, and says at takeover that it must be negotiated again. */
void ha_incomplete(uint32_t vip, uint32_t peer, const char *what);

/* ---- the RF clients -----------------------------------------------------------
 * Their recv() is the standby's whole input: one checkpoint message
 * (the unit tests and fuzz targets feed it directly). */
void ha_ike_recv(void *ctx, uint16_t type, const uint8_t *p, size_t len);
void ha_ipsec_recv(void *ctx, uint16_t type, const uint8_t *p, size_t len);
void ha_ike_init(void);
void ha_ike_reset(void);
/* Takeover: activate the copies whose local address is VIP. */
unsigned ha_ike_takeover(uint32_t vip);
void ha_ipsec_init(void);
void ha_ipsec_reset(void);
unsigned ha_ipsec_takeover(uint32_t vip);
/* The active's intervals of the SA's map (`redundancy replay-interval`). */
uint64_t ha_ipsec_interval(const struct ipsec_sa *sa);

/* Finish O and send it on client RF (its type is O's); the dump goes to
 * `debug crypto ha` under TITLE. IPC_SENT, IPC_FULL (nothing was sent:
 * the caller tries again on writable), IPC_DOWN. */
struct rf_client;
int ha_send(struct rf_client *rf, struct ha_seq *seq,
	    const struct ha_names *names, struct ha_out *o, const char *title);
/* A received message, checked: header, type, order and VIP. NULL when
 * it was dropped (and counted). */
bool ha_recv_check(const struct ha_names *names, struct ha_seq *seq,
		   uint16_t type, unsigned ntypes, const uint8_t *p,
		   size_t len, struct ha_msg *m);

bool ha_debug_any(void);
void ha_debug_show(struct sbuf *out);
void ha_debug_off(void);
void ha_mgr_init(void);
void ha_mgr_reset(void);

#endif
