/* Private to crypto/: the security association database.
 *
 * What it holds is plain data, so that the crypto HA manager can copy an SA
 * to a standby router and install it there unchanged: struct ipsec_sa_data
 * is everything that defines an IPsec SA (no pointers), and the database
 * adds what only this process needs (OpenSSL contexts, list links, the
 * index by SPI) around it.
 *
 *   IPsec SA   one direction of one protocol (ESP or AH) for one proxy
 *              pair with one peer. Quick Mode (or a manual map) makes them
 *              in sets: inbound + outbound, ESP and/or AH (the AH+ESP
 *              bundle of a transform set such as "ah-md5-hmac esp-3des").
 *              The SAs of one negotiation share a bundle id.
 *
 * IKE SAs live with the IKE engine (ike.h): their state machine owns them.
 *
 * Who talks to whom inside crypto/:
 *   - the data path (crypto map on an interface) finds outbound SAs with
 *     sadb_out_find() and inbound ones with sadb_in_find(); traffic that a
 *     crypto map entry protects but that has no SA yet is handed to the
 *     acquire handler (the IKE engine registers it);
 *   - the IKE engine installs the SAs it negotiated with sadb_add() and
 *     removes them with sadb_delete();
 *   - lifetimes are counted here (seconds and kilobytes): the soft-expiry
 *     handler (IKE: rekey) runs once per SA when its remaining lifetime
 *     falls below the soft margin, and the SA is deleted at hard expiry;
 *   - every add, delete and (rate-limited) replay/lifetime update is
 *     published as EVT_IPSEC_SA with a struct sadb_event, which the HA
 *     manager (ha_ipsec.c) follows.
 */
#ifndef IOSIM_SADB_H
#define IOSIM_SADB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../core/core.h"
#include "crypto.h"

/* One side of a proxy identity ("local ident (addr/mask/prot/port)"). */
struct sa_proxy {
	uint32_t addr, mask;       /* network order; a host is mask ~0 */
	uint8_t proto;             /* 0: any */
	uint16_t port;             /* host order; 0: any */
};
struct sa_selector {
	struct sa_proxy local, remote;
};

enum sa_status { SA_STATUS_ACTIVE, SA_STATUS_STANDBY };

#define SA_ENC_KEY_MAX  36     /* AES-256 + the 4-byte GCM salt */
#define SA_AUTH_KEY_MAX 64     /* HMAC-SHA-512 */
#define SA_REPLAY_MAX   1024   /* largest replay window, in packets */

/* Everything that defines one IPsec SA; copied as is to a standby. */
struct ipsec_sa_data {
	uint32_t spi;              /* host order */
	uint8_t proto;             /* 50 ESP, 51 AH */
	bool inbound;
	bool tunnel;               /* tunnel mode (else transport) */
	/* ESP: enc (XF_ESP_DES/3DES/AES/GCM/NULL) and auth (XF_ESP_MD5/SHA/
	 * SHA256 or XF_NONE); AH: auth XF_AH_MD5/SHA, enc XF_NONE */
	enum xform enc, auth;
	unsigned enc_bits;         /* AES/GCM key size */
	uint8_t enc_key[SA_ENC_KEY_MAX], auth_key[SA_AUTH_KEY_MAX];
	uint8_t enc_key_len, auth_key_len;
	/* tunnel end points and, with NAT traversal, the UDP encapsulation
	 * ports (RFC 3948); both 0 for plain ESP/AH */
	uint32_t local, peer;      /* network order */
	uint16_t local_port, peer_port;
	struct sa_selector sel;    /* as seen from this router */
	/* lifetimes as negotiated, and what is used of them */
	uint32_t life_secs;
	uint64_t life_kb;
	double created;            /* core_uptime() when installed */
	uint64_t bytes;            /* protected bytes so far (kilobyte life) */
	/* replay state: outbound, the last sequence number sent; inbound,
	 * the highest received and the window below it (bit i: highest - i
	 * seen) */
	uint64_t seq;
	uint64_t window[SA_REPLAY_MAX / 64];
	unsigned window_size;      /* 0: replay detection off */
	/* what made it */
	char map[64];              /* crypto map tag, "" for other origins */
	unsigned map_seq;
	uint8_t ike_cookies[16];   /* initiator + responder cookie */
	unsigned pfs_group;        /* 0: no PFS */
	uint32_t bundle;           /* shared by the SAs of one negotiation */
	enum sa_status status;
};

/* Per-SA counters (show crypto ipsec sa). Not synced. */
struct ipsec_sa_stats {
	uint64_t pkts, bytes;      /* encaps+encrypt+digest / decaps+decrypt+verify */
	uint64_t replay_drops, auth_fail, pad_fail, send_err, recv_err;
};

/* What the crypto HA manager keeps of an SA it copies to a standby (on
 * the active) or holds as a copy (on the standby). Not synced itself. */
struct ipsec_sa_ha {
	bool managed;              /* a stateful redundancy SA */
	uint64_t sync_at;          /* d.seq that triggers the next replay
				    * update (0: none due) */
	uint64_t seq_sent;         /* replay value last sent / received */
	uint64_t kb_sent;          /* remaining KB life at the last update:
				    * "HA last key lifetime sent(k)" */
};

struct ipsec_sa {
	struct ipsec_sa_data d;
	struct ipsec_sa_stats st;
	struct ipsec_sa_ha ha;
	uint64_t ord;              /* installation order, from 1 */
	/* show crypto engine connections active: one connection per
	 * direction of a bundle (its ESP and AH SAs share the id, as IOS
	 * shows them) */
	unsigned conn_id, flow_id;
	bool soft_fired;           /* soft-expiry handler already ran */
	void *engine;              /* the data path's per-SA state (ciphers) */
	struct ipsec_sa *next_spi; /* hash chain */
	struct ipsec_sa *prev_peer, *next_peer;  /* the SAs with d.peer */
	struct ipsec_sa *next_in_bundle;  /* the bundle's SAs, in order */
	struct ipsec_sa *prev, *next;   /* all SAs, in installation order */
};

/* ---- the database ---------------------------------------------------------- */

/* Install an SA built from D (copied); NULL when the SPI is already in use
 * for that destination and protocol (inbound: to d->local; outbound: to
 * d->peer), or the data path refuses the transform. Publishes SADB_EV_ADD.
 * D->map and d->map_seq name the crypto map entry it serves (for a
 * dynamic map: the static map's tag and the seq of its "ipsec-isakmp
 * dynamic" entry); d->sel is the negotiated proxy pair. The data path
 * files the SA under the flow of that entry and selector. */
struct ipsec_sa *sadb_add(const struct ipsec_sa_data *d);
enum sadb_reason {
	SADB_DEL_EXPIRED,          /* hard lifetime */
	SADB_DEL_PEER,             /* the peer sent a Delete */
	SADB_DEL_CLEARED,          /* clear crypto sa ... */
	SADB_DEL_REKEYED,          /* replaced by a newer SA, old one drained */
	SADB_DEL_CONFIG,           /* its crypto map / entry changed or went */
	SADB_DEL_DEAD_PEER,        /* DPD */
};
/* Remove and free one SA; publishes SADB_EV_DEL first. */
void sadb_delete(struct ipsec_sa *sa, enum sadb_reason why);
/* Every SA of BUNDLE. */
void sadb_delete_bundle(uint32_t bundle, enum sadb_reason why);
/* The first installed SA of BUNDLE (follow next_in_bundle), or NULL. */
struct ipsec_sa *sadb_bundle_first(uint32_t bundle);
/* An SA whose d.peer is PEER (follow next_peer: all of them, in no
 * particular order), or NULL. */
struct ipsec_sa *sadb_peer_first(uint32_t peer);

/* Inbound: the SA for an arriving ESP/AH packet (inbound SAs only). */
struct ipsec_sa *sadb_in_find(uint32_t dst, uint8_t proto, uint32_t spi);
/* Outbound by the SPI the peer gave it (a Delete from the peer names
 * the SPIs of its inbound SAs, i.e. of our outbound ones). */
struct ipsec_sa *sadb_out_find_spi(uint32_t peer, uint8_t proto, uint32_t spi);
/* Outbound: the newest ACTIVE SA of PROTO to PEER whose selector covers
 * SEL exactly as negotiated (the data path has matched the packet to a
 * crypto map entry and ACL line first). NULL when none. */
struct ipsec_sa *sadb_out_find(uint32_t peer, uint8_t proto,
			       const struct sa_selector *sel);

/* Iterate in installation order; FN may delete the SA it is given. */
typedef void (*sadb_iter_fn)(struct ipsec_sa *sa, void *ctx);
void sadb_foreach(sadb_iter_fn fn, void *ctx);
size_t sadb_count(void);
/* The oldest SA (then follow ->next, installation order). */
struct ipsec_sa *sadb_first(void);

/* A fresh inbound SPI for PROTO (random, >= 256, not in use to DST). */
uint32_t sadb_spi_alloc(uint32_t dst, uint8_t proto);
/* A fresh bundle id. */
uint32_t sadb_bundle_alloc(void);

/* Count protected traffic against the kilobyte lifetime (and publish a
 * rate-limited update, or one as soon as the sequence number reaches
 * sa->ha.sync_at); runs the soft-expiry handler when due. */
void sadb_account(struct ipsec_sa *sa, size_t bytes);
/* The hard lifetime is used up (kilobytes or seconds): the SA must not
 * carry another packet, even before the once-a-second sweep removes it. */
bool sadb_expired(const struct ipsec_sa *sa);
/* Run the soft-expiry handler now (once per SA): the outbound sequence
 * number is about to run out. */
void sadb_soft_now(struct ipsec_sa *sa);

/* ---- anti-replay (RFC 4303 3.4.3, RFC 4302 3.4.3) --------------------------
 * An inbound SA with window_size > 0 accepts each sequence number once,
 * and none older than the window below the highest seen. CHECK runs
 * before the integrity check (cheap rejection), UPDATE after it passed. */
enum sadb_replay { SADB_REPLAY_OK, SADB_REPLAY_SEEN, SADB_REPLAY_OLD };
enum sadb_replay sadb_replay_check(const struct ipsec_sa *sa, uint32_t seq);
void sadb_replay_update(struct ipsec_sa *sa, uint32_t seq);
/* The window a new SA gets: crypto ipsec security-association replay
 * window-size N (default 64), 0 with "replay disable". */
unsigned sadb_replay_window(void);

/* ---- hooks inside crypto/ ------------------------------------------------------ */

/* Traffic that entry SEQ of crypto map MAP protects (selector SEL, to
 * PEER) has no SA: negotiate one. Registered by the IKE engine. */
typedef void (*sadb_acquire_fn)(const struct cmap_entry *e,
				const struct sa_selector *sel, uint32_t peer);
void sadb_set_acquire(sadb_acquire_fn fn);
void sadb_acquire(const struct cmap_entry *e, const struct sa_selector *sel,
		  uint32_t peer);

/* SA's remaining lifetime (seconds or kilobytes) fell below the soft
 * margin: make its successor. Registered by the IKE engine. */
typedef void (*sadb_soft_fn)(struct ipsec_sa *sa);
void sadb_set_soft_expire(sadb_soft_fn fn);

/* The data path's per-SA state: made when an SA is added (false: the SA
 * is refused, e.g. a transform the engine cannot run), freed when it is
 * deleted. UDP_INPUT takes ESP in UDP (RFC 3948): the IKE engine owns UDP
 * 500 and 4500 and hands it what follows a non-zero non-ESP marker, the
 * UDP payload as it arrived. Registered by the data path. */
struct ip_rx;
struct sadb_engine_ops {
	bool (*attach)(struct ipsec_sa *sa);
	void (*detach)(struct ipsec_sa *sa);
	void (*udp_input)(const struct ip_rx *rx);
};
/* ESP in UDP to the data path (dropped and counted when none is set). */
void sadb_udp_input(const struct ip_rx *rx);
unsigned long sadb_udp_dropped(void);
void sadb_set_engine(const struct sadb_engine_ops *ops);

/* ---- change events (EVT_IPSEC_SA) ------------------------------------------------ */
enum sadb_event_kind { SADB_EV_ADD, SADB_EV_DEL, SADB_EV_UPDATE };
struct sadb_event {
	enum sadb_event_kind kind;
	struct ipsec_sa *sa;
	enum sadb_reason why;      /* SADB_EV_DEL */
};

/* Timers (lifetimes) and the subsystem's reset. */
void sadb_init(void);
void sadb_reset(void);

#endif
