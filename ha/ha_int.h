/* Private to ha/: wiring between its files.
 *   rf_cfg.c     configuration, names, the scheme bound at boot
 *   rf_fsm.c     the RF state machine: roles from HSRP, the peer over IPC,
 *                keepalives, reload rules, history, debug redundancy
 *   rf_proto.c   RF's own messages (RF_INTERNAL_MSG): encode, check, decode
 *   rf_ckpt.c    RF clients: registration, bulk sync, incremental messages
 *   rf_digest.c  the configuration digest client
 *   ha_show.c    show redundancy [states|inter-device|clients|counters|history] */
#ifndef IOSIM_HA_INT_H
#define IOSIM_HA_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ha.h"

#define RF_MAX_CLIENTS 16
#define RF_HOST_MAX 64
#define RF_IMAGE_MAX 128
#define RF_SCHEME_MAX 48
/* seed 001: keep_alive TMR = 4000 milliseconds, threshold 7 */
#define RF_KEEPALIVE_MS 4000
#define RF_KEEPALIVE_THRESHOLD 7
#define RF_NOTIFICATION_TMR_MS 30000
/* The reason core_reload() remembers for RF's own reloads: the boot that
 * follows one is a clean standby's. */
#define RF_RELOAD_REASON "RF induced self-reload"

/* What RF knows right now. A router whose inter-device RF is not running
 * is simplex: ACTIVE with a DISABLED peer. */
struct rf_status {
	enum rf_state my, peer;
	enum rf_interdev_state interdev;
	bool engaged;          /* a scheme is bound: inter-device RF runs */
	bool duplex;           /* a peer unit is present (heard over IPC) */
	bool comm_up;          /* the IPC link to the peer is up and trusted */
	bool clean;            /* booted by RF's reload, nothing stale since */
	bool reloading;        /* a self-reload is on its way */
	int group_state;       /* the scheme's HSRP group (HSRP_STATE_NONE) */
	double my_since, peer_since;   /* core_uptime() of the last change */
	unsigned ka_count;     /* keepalive intervals since the peer's last */
	/* the peer, as its HELLO and STATE messages describe it */
	char peer_host[RF_HOST_MAX], peer_image[RF_IMAGE_MAX];
	char peer_scheme[RF_SCHEME_MAX];
	uint32_t peer_state_age, peer_uptime;  /* seconds, when heard */
	double peer_heard;     /* core_uptime() of that */
	uint16_t peer_clients[RF_MAX_CLIENTS];
	int npeer_clients;
	/* show redundancy's summary */
	unsigned switchovers, standby_failures;
	char last_switchover[48];
};
extern struct rf_status rf_status;

/* show redundancy counters */
struct rf_counters {
	uint64_t comm_up, comm_down;
	uint64_t tx, tx_fail, tx_full, rx, rx_bad;
	uint64_t ka_tx, ka_rx, ka_lost;
	uint64_t bulk_req_tx, bulk_req_rx, bulk_done, bulk_refused;
	uint64_t reloads;
};
extern struct rf_counters rf_counters;

/* debug redundancy */
extern bool rf_debug;
void rf_dbg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* ---- rf_cfg.c ---------------------------------------------------------------- */
/* The HSRP group named NAME (names are case-sensitive): true when it
 * exists, with its state as show standby prints it ("Active", "Init"...)
 * copied into STATE; *ACTIVE tells whether it is Active. */
bool rf_group_lookup(const char *name, char *state, size_t n, bool *active);
/* The scheme bound at boot (on EVT_BOOT_DONE), NULL when none. */
void rf_cfg_boot(void);
void rf_cfg_reset(void);
void rf_cfg_init(void);

/* ---- rf_proto.c: RF_INTERNAL_MSG --------------------------------------------- */
enum rf_msg_type {
	RF_MSG_HELLO = 1,      /* on each link: who and where the peer is */
	RF_MSG_STATE = 2,      /* the sender's state changed */
	RF_MSG_KEEPALIVE = 3,  /* every keep_alive TMR */
	RF_MSG_BULK_REQ = 4,   /* standby -> active: sync these clients */
	RF_MSG__LAST = RF_MSG_BULK_REQ
};
extern const char *const rf_msg_names[];
struct rf_msg {
	uint8_t state;             /* HELLO, STATE */
	bool hsrp_active, clean;   /* HELLO, STATE */
	uint32_t state_age, uptime;/* HELLO (uptime), STATE (state_age) */
	char host[RF_HOST_MAX], image[RF_IMAGE_MAX], scheme[RF_SCHEME_MAX];
	uint16_t clients[RF_MAX_CLIENTS];  /* HELLO, BULK_REQ */
	int nclients;
	uint32_t seq;              /* KEEPALIVE */
};
/* Encode M as TYPE into OUT (room CAP); the length, 0 when it does not fit. */
size_t rf_msg_encode(uint16_t type, const struct rf_msg *m, uint8_t *out,
		     size_t cap);
/* Decode and check PAYLOAD of TYPE: 0, or -1 when it is not one. */
int rf_msg_decode(uint16_t type, const uint8_t *p, size_t len,
		  struct rf_msg *m);

/* Checkpoint control messages, on each client's own stream (so that they
 * stay in order with its messages): wire types 1..3, the client's own
 * types follow from RF_CK_BASE. */
enum rf_ck_type {
	RF_CK_BEGIN = 1,           /* active -> standby: a bulk begins */
	RF_CK_END = 2,             /* active -> standby: it ended (u32 count) */
	RF_CK_ACK = 3,             /* standby -> active: accepted or why not */
	RF_CK_BASE = 3             /* client type T travels as T + RF_CK_BASE */
};
/* RF_CK_END's count, RF_CK_ACK's verdict and reason. */
int rf_ck_end_decode(const uint8_t *p, size_t len, uint32_t *count);
int rf_ck_ack_decode(const uint8_t *p, size_t len, bool *ok, char *reason,
		     size_t n);
size_t rf_ck_ack_encode(bool ok, const char *reason, uint8_t *out, size_t cap);

/* ---- rf_fsm.c ------------------------------------------------------------------ */
void rf_fsm_init(void);
void rf_fsm_reset(void);
/* Append a line to show redundancy history ("hh:mm:ss " is added). */
void rf_history(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int rf_history_count(void);
const char *rf_history_line(int i);
/* The standby's clients: every one has finished its bulk (OK) or one
 * refused (a reason is stored with it). */
void rf_fsm_bulk_result(bool ok);
/* Send one RF message to the peer (counted). */
int rf_fsm_send(uint16_t type, const struct rf_msg *m);
/* Is a standby taking checkpoints from us (asked for its bulk)? */
bool rf_fsm_peer_syncing(void);
/* One keep_alive TMR interval (the timer's work, for tests). */
void rf_fsm_keepalive_tick(void);
/* show redundancy's "Uptime in current state" of this router. */
double rf_my_state_age(void);

/* ---- rf_ckpt.c ------------------------------------------------------------------ */
enum rf_ck_status {
	RF_CK_IDLE,            /* no bulk on this link */
	RF_CK_SENDING,         /* active: streaming its bulk */
	RF_CK_SENT,            /* active: bulk sent, waiting for the ACK */
	RF_CK_RECEIVING,       /* standby: between BEGIN and END */
	RF_CK_WAITING,         /* standby: asked, BEGIN not yet here */
	RF_CK_DONE,            /* accepted */
	RF_CK_REFUSED,         /* not accepted: see reason */
	RF_CK_NOT_ON_PEER,     /* the peer has no such client */
};
const char *rf_ck_status_name(enum rf_ck_status s);
struct rf_client_view {
	const struct rf_client_ops *ops;
	enum rf_ck_status status;
	const char *reason;        /* REFUSED */
	uint64_t bulk_msgs, incr_msgs;   /* this link: sent (active) or got */
};
int rf_client_count(void);
bool rf_client_view(int i, struct rf_client_view *v);
/* This router's client ids (for HELLO, BULK_REQ). */
int rf_client_ids(uint16_t *ids, int max);
/* Standby: begin waiting for the clients both routers have. */
void rf_ckpt_standby_begin(void);
/* Active: the standby asked for these clients' bulk. */
void rf_ckpt_active_begin(const uint16_t *ids, int n);
/* The link went down (or a new one came up): every bulk ends. */
void rf_ckpt_link(bool up);
/* RF's state changed: clients' progress() hears it. */
void rf_ckpt_progress(enum rf_state my, enum rf_state peer);
void rf_ckpt_reset(void);
/* show redundancy history's first lines of a boot: the clients added. */
void rf_ckpt_history(void);

/* ---- rf_digest.c ---------------------------------------------------------------- */
void rf_digest_init(void);
/* show redundancy clients: the digest client's comparison, one line. */
void rf_digest_summary(char *out, size_t n);

/* ---- ha_show.c ------------------------------------------------------------------- */
void ha_show_init(void);

#endif
