/* Private to hsrp/: the configuration model shared by the command handlers
 * (hsrp_cfg.c), the show commands (hsrp_show.c), object tracking
 * (track.c) and the protocol engine that plugs in through
 * hsrp_engine_register(). */
#ifndef IOSIM_HSRP_INT_H
#define IOSIM_HSRP_INT_H

#include "hsrp.h"
#include "../cli/cli.h"
#include "../platform/platform.h"

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
	struct hsrp_if *next;
};

/* ---- the model (hsrp_model.c) --------------------------------------- */
struct hsrp_if *hsrp_if_find(const struct iface *ifp);
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
/* Configured priority less the decrements of tracked items that are down. */
unsigned hsrp_group_priority(const struct hsrp_group *g);
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
