/* Private to hsrp/: the configuration model shared by the command handlers
 * (hsrp_cfg.c), the show commands (hsrp_show.c), object tracking
 * (track.c) and the protocol engine that plugs in through
 * hsrp_engine_register(). */
#ifndef IOSIM_HSRP_INT_H
#define IOSIM_HSRP_INT_H

#include "hsrp.h"
#include "../cli/cli.h"
#include "../platform/platform.h"

#include <arpa/inet.h>

#define HSRP_V1_MAX_GROUP     255
#define HSRP_V2_MAX_GROUP     4095
#define HSRP_DEF_PRIORITY     100
#define HSRP_DEF_HELLO_MS     3000
#define HSRP_DEF_HOLD_MS      10000
#define HSRP_DEF_DECREMENT    10
/* standby delay defaults (seconds) */
#define HSRP_DEF_DELAY_MIN    1
#define HSRP_DEF_DELAY_RELOAD 5
#define HSRP_TEXT_AUTH_MAX    8     /* text authentication: 8 chars max */
#define HSRP_DEF_AUTH         "cisco"

/* One "standby N track ..." line: an interface's line protocol or a
 * tracked object (track.c). */
struct hsrp_track_ref {
	bool is_object;
	unsigned object;            /* 1..1000 when is_object */
	char ifname[64];            /* canonical name otherwise */
	unsigned decrement;         /* 1..255 */
	bool decrement_cfgd;        /* typed explicitly: printed back */
	struct hsrp_track_ref *next;
};

enum hsrp_auth {
	HSRP_AUTH_NONE,             /* default text "cisco", not printed */
	HSRP_AUTH_TEXT,
	HSRP_AUTH_MD5_KEYSTRING,
	HSRP_AUTH_MD5_KEYCHAIN,
};

struct hsrp_if;

struct hsrp_group {
	struct hsrp_if *hif;
	unsigned num;

	/* --- configuration --- */
	bool ip_enabled;            /* "standby N ip" given, address or not */
	uint32_t vip;               /* configured primary VIP (0: learn it) */
	uint32_t *secondary;        /* "standby N ip X secondary", in order */
	int nsecondary;
	unsigned priority;
	bool priority_cfgd;
	bool preempt;
	unsigned preempt_min, preempt_reload, preempt_sync;
	bool timers_cfgd;
	unsigned hello_ms, hold_ms;
	bool hello_msec, hold_msec; /* typed with "msec": printed that way */
	enum hsrp_auth auth;
	char *auth_str;             /* text string, key-string or key-chain */
	bool key_encrypted;         /* key-string typed as "7 ..." */
	bool auth_timeout_cfgd;
	unsigned auth_timeout;
	char *name;                 /* configured name, NULL: default name */
	char def_name[96];          /* "hsrp-Fa0/0-1" */
	bool mac_cfgd;
	uint8_t mac[6];
	struct hsrp_track_ref *tracks;   /* in configuration order */

	/* --- run time: written by the protocol engine --- */
	enum hsrp_state state;
	unsigned state_changes;
	double last_change;         /* core_uptime() of the last change */
	uint32_t learned_vip;       /* from the Active router's hellos */
	unsigned learned_hello_ms, learned_hold_ms;  /* 0: not learned */
	uint32_t active_ip, standby_ip;   /* peers; 0: unknown or local */
	unsigned active_pri, standby_pri;
	bool active_mac_known;            /* the Active router's virtual MAC */
	uint8_t active_mac[6];
	void *engine;               /* the engine's per-group state */

	struct hsrp_group *next;    /* ascending group number */
};

struct hsrp_if {
	struct iface *ifp;
	unsigned version;           /* 1 or 2 */
	unsigned delay_min, delay_reload;
	bool use_bia, use_bia_scope;
	struct hsrp_group *groups;
	void *engine;               /* the engine's per-interface state */
	unsigned seq;               /* creation order (newest highest) */
	struct hsrp_if *next, *prev;  /* newest first */
};

/* ---- the model (hsrp_model.c) --------------------------------------- */
struct hsrp_if *hsrp_if_find(const struct iface *ifp);
/* Every interface with HSRP state, newest first (through ->next). */
struct hsrp_if *hsrp_if_list(void);
struct hsrp_if *hsrp_if_get(struct iface *ifp);
/* Free the interface's HSRP state if nothing is configured any more. */
void hsrp_if_gc(struct hsrp_if *hif);
/* Interface-wide configuration changed: tells the protocol engine. */
void hsrp_if_changed(struct hsrp_if *hif);
/* Highest group number the interface's version allows. */
unsigned hsrp_max_group(const struct hsrp_if *hif);

struct hsrp_group *hsrp_group_find(const struct hsrp_if *hif, unsigned num);
/* Find or create; a new group's (default) name appears. */
struct hsrp_group *hsrp_group_get(struct hsrp_if *hif, unsigned num);
/* Delete the group if it has no configuration left (its name goes). */
void hsrp_group_gc(struct hsrp_group *g);
void hsrp_group_delete(struct hsrp_group *g);

const char *hsrp_group_name(const struct hsrp_group *g);
/* Change the configured name (NULL: back to the default name). */
void hsrp_group_set_name(struct hsrp_group *g, const char *name);
/* The group that a lookup of NAME returns (see hsrp_group_lookup). */
struct hsrp_group *hsrp_group_by_name(const char *name);
/* Configured VIP, else the learned one; 0 when unknown. */
uint32_t hsrp_group_vip(const struct hsrp_group *g);
/* No configured VIP, or one inside one of the interface's subnets (IOS
 * keeps a group with a VIP elsewhere in Init). */
bool hsrp_group_vip_ok(const struct hsrp_group *g);
/* Configured priority less the decrements of tracked items that are down. */
unsigned hsrp_group_priority(const struct hsrp_group *g);
/* Tracking lines are indexed by what they watch, so that an interface or
 * object change finds its groups without a scan: watch a new line, free
 * one (unwatched) through the model. */
void hsrp_track_ref_watch(struct hsrp_group *g, struct hsrp_track_ref *t);
void hsrp_track_ref_free(struct hsrp_group *g, struct hsrp_track_ref *t);
/* Virtual addresses are unique router-wide: the group owning VIP (primary
 * or secondary), NULL when none; claim/release keep the index. */
struct hsrp_group *hsrp_vip_owner(uint32_t vip);
void hsrp_vip_claim(struct hsrp_group *g, uint32_t vip);
void hsrp_vip_release(uint32_t vip);
/* State of one tracked item: true when up. *known false for a tracked
 * object that is not defined. */
bool hsrp_track_ref_up(const struct hsrp_track_ref *t, bool *known);
/* The group's local virtual MAC: the configured one, the interface's
 * burned-in address with "standby use-bia", else v1 0000.0c07.acXX or
 * v2 0000.0c9f.fXXX. */
void hsrp_group_mac(const struct hsrp_group *g, uint8_t mac[6]);
/* Move the group to a new state: counts it, logs %HSRP-5-STATECHANGE and
 * publishes EVT_HSRP_GROUP_STATE. */
void hsrp_group_set_state(struct hsrp_group *g, enum hsrp_state st);
/* A configuration change of the group (priority, timers, VIP...): tells
 * the protocol engine. */
void hsrp_group_changed(struct hsrp_group *g);

/* The protocol engine (a later file of hsrp/) plugs in here. Every hook
 * is optional. */
struct hsrp_engine_ops {
	void (*group_added)(struct hsrp_group *g);
	void (*group_removed)(struct hsrp_group *g);   /* before it is freed */
	void (*group_changed)(struct hsrp_group *g);
	/* the interface's state or address, or its interface-wide HSRP
	 * configuration (version, delay, use-bia) */
	void (*iface_changed)(struct hsrp_if *hif);
	void (*iface_removed)(struct hsrp_if *hif);    /* before it is freed */
};
void hsrp_engine_register(const struct hsrp_engine_ops *ops);

/* ---- debug flags ("debug standby") ---------------------------------- */
enum {
	HSRP_DBG_ERRORS = 0x1,
	HSRP_DBG_EVENTS = 0x2,
	HSRP_DBG_PACKETS = 0x4,
	HSRP_DBG_TERSE = 0x8,      /* packets: Coup and Resign only */
};
extern unsigned hsrp_debug;

/* ---- packets (hsrp_pkt.c) -------------------------------------------- */
#define HSRP_PORT             1985
#define HSRP_V1_GROUP_ADDR    0xe0000002u     /* 224.0.0.2, host order */
#define HSRP_V2_GROUP_ADDR    0xe0000066u     /* 224.0.0.102 */
#define HSRP_V1_LEN           20
#define HSRP_GS_TLV_LEN       40              /* v2 group state TLV body */
#define HSRP_MD5_TLV_LEN      28              /* MD5 authentication body */
#define HSRP_MD5_ALGO         1
#define HSRP_PKT_MAX          512             /* anything longer is bad */

enum { HSRP_OP_HELLO, HSRP_OP_COUP, HSRP_OP_RESIGN, HSRP_OP_ADVERTISE };
enum {
	HSRP_TLV_GROUP_STATE = 1, HSRP_TLV_IFACE_STATE = 2,
	HSRP_TLV_TEXT_AUTH = 3, HSRP_TLV_MD5_AUTH = 4,
};

/* Why a packet was dropped (each one has a counter). The last four are
 * the IP header checks OpenBSD's CARP makes (carp_input) before a packet
 * is used: TTL other than 1, not to the version's group address, a source
 * off the interface's subnets, a source that is this router's own. */
enum hsrp_pkt_err {
	HSRP_PKT_OK, HSRP_PKT_SHORT, HSRP_PKT_LONG, HSRP_PKT_VERSION,
	HSRP_PKT_OPCODE, HSRP_PKT_FIELD, HSRP_PKT_AUTH,
	HSRP_PKT_TTL, HSRP_PKT_DEST, HSRP_PKT_SUBNET, HSRP_PKT_OWN,
};
#define HSRP_PKT_NERR (HSRP_PKT_OWN + 1)
const char *hsrp_pkt_err_name(enum hsrp_pkt_err e);

enum hsrp_msg_auth { HSRP_MSG_AUTH_NONE, HSRP_MSG_AUTH_TEXT, HSRP_MSG_AUTH_MD5 };

/* One decoded (or to-be-encoded) message, either version. */
struct hsrp_msg {
	unsigned version;           /* 1 or 2 */
	unsigned opcode;            /* HSRP_OP_* */
	enum hsrp_state state;
	unsigned hello_ms, hold_ms; /* v1: seconds * 1000 */
	unsigned priority;
	unsigned group;
	uint32_t vip;               /* network order, 0: none */
	uint8_t ident[6];           /* v2: the sender's MAC */
	enum hsrp_msg_auth auth;
	uint8_t auth_text[8];
	uint32_t md5_ip;            /* network order */
	uint32_t md5_keyid;
	uint8_t md5_digest[16];
	size_t md5_digest_off;      /* where the digest sits in the packet */
};

/* What a group authenticates with: text KEY (default "cisco") or
 * MD5 with KEY, KEY_ID being its key chain key's id (0 for a
 * key-string). */
struct hsrp_auth_cfg {
	bool md5;
	const char *key;
	uint32_t key_id;
};

enum hsrp_pkt_err hsrp_pkt_decode(const uint8_t *buf, size_t len,
				  struct hsrp_msg *m);
bool hsrp_pkt_auth_ok(const uint8_t *buf, size_t len,
		      const struct hsrp_msg *m, const struct hsrp_auth_cfg *a);
/* Build M into BUF (CAP >= HSRP_PKT_MAX); SRC (network order) goes into
 * an MD5 TLV. Returns the length, 0 on failure. */
size_t hsrp_pkt_encode(const struct hsrp_msg *m, const struct hsrp_auth_cfg *a,
		       uint32_t src, uint8_t *buf, size_t cap);
bool hsrp_md5_digest(const char *key, const uint8_t *data, size_t len,
		     uint8_t out[16]);

/* ---- the protocol engine (hsrp_fsm.c) --------------------------------- */
/* What the engine does to the data plane, through these hooks: the
 * platform's (hsrp_io.c) in the router, a capture in unit tests. */
struct hsrp_io {
	int (*send)(struct iface *ifp, const uint8_t *src_mac, uint32_t dst,
		    const void *buf, size_t len);
	void (*vaddr_add)(struct iface *ifp, uint32_t addr, const uint8_t mac[6]);
	void (*vaddr_del)(struct iface *ifp, uint32_t addr);
	void (*mac_add)(struct iface *ifp, const uint8_t mac[6]);
	void (*mac_del)(struct iface *ifp, const uint8_t mac[6]);
	void (*mcast_join)(struct iface *ifp, uint32_t group);
	void (*mcast_leave)(struct iface *ifp, uint32_t group);
};
void hsrp_io_set(const struct hsrp_io *io);
/* A packet to UDP port 1985. */
void hsrp_receive(const struct ip_rx *rx);
void hsrp_fsm_init(void);
/* Plug the engine into the platform's packet path (hsrp_io.c). */
void hsrp_io_init(void);

/* The engine's timers, and a way for tests to expire one now. */
enum hsrp_timer { HSRP_T_HELLO, HSRP_T_ACTIVE, HSRP_T_STANDBY, HSRP_T_PREEMPT };
void hsrp_fsm_expire(struct hsrp_group *g, enum hsrp_timer t);
/* The interface's initialisation delay (standby delay) ends now. */
void hsrp_fsm_delay_expire(struct hsrp_if *hif);
/* Seconds left on a running timer, negative when it is not running. */
double hsrp_fsm_remaining(const struct hsrp_group *g, enum hsrp_timer t);
/* Hello and hold time in use (configured, else learned, else default). */
unsigned hsrp_fsm_hello_ms(const struct hsrp_group *g);
unsigned hsrp_fsm_hold_ms(const struct hsrp_group *g);

/* Dropped packets, by reason (hsrp_pkt_err), per interface. */
struct hsrp_counters {
	unsigned long rx, tx, drop[HSRP_PKT_NERR], unknown_group;
};
const struct hsrp_counters *hsrp_if_counters(const struct hsrp_if *hif);
const struct hsrp_counters *hsrp_global_counters(void);

/* ---- per-file init --------------------------------------------------- */
void hsrp_cfg_init(void);       /* interface commands + writer */
void hsrp_show_init(void);      /* show standby, debug standby */
void hsrp_model_reset(void);

/* ---- tracked objects (track.c) -------------------------------------- */
void track_init(void);
void track_reset(void);
/* State of object ID: false when it does not exist. */
bool track_object_state(unsigned id, bool *up);
/* track.c tells the groups that track object ID that its state changed
 * (or that it was created or deleted). */
void hsrp_track_object_changed(unsigned id);

#endif
