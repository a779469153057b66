/* ha: the redundancy facility (RF) between two routers ("inter-device").
 *
 * Configuration:
 *
 *   redundancy inter-device
 *    scheme standby NAME        HSRP group "standby N name NAME" drives RF
 *    security ipsec PROFILE     protect the IPC traffic with that profile
 *   redundancy
 *
 * As on IOS, the scheme takes effect only at boot: a scheme configured on
 * a running router is stored (and printed by show running-config) but is
 * "pending" until the next reload. EVT_BOOT_DONE marks the end of boot:
 * the scheme configured at that moment is bound to its HSRP group, and RF
 * runs: INITIALIZATION, NEGOTIATION, then ACTIVE when the group is Active
 * or STANDBY COLD -> (bulk sync of every client) -> STANDBY HOT when it is
 * Standby, talking to the peer over the IPC channel (ipc.h). Only HSRP
 * makes a router ACTIVE; a router that relinquishes ACTIVE reloads, and a
 * router that finds an ACTIVE peer before it is a clean standby reloads
 * once (%RF_INTERDEV-4-RELOAD), as seeds 000 and 004 describe.
 */
#ifndef IOSIM_HA_H
#define IOSIM_HA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* RF states, numbered as IOS prints them ("13 -ACTIVE"): the CISCO-RF-MIB
 * RFState value minus one. */
enum rf_state {
	RF_UNKNOWN = 0,
	RF_DISABLED = 1,
	RF_INITIALIZATION = 2,
	RF_NEGOTIATION = 3,
	RF_STANDBY_COLD = 4,
	RF_STANDBY_COLD_CONFIG = 5,
	RF_STANDBY_COLD_FILESYS = 6,
	RF_STANDBY_COLD_BULK = 7,
	RF_STANDBY_HOT = 8,
	RF_ACTIVE_FAST = 9,
	RF_ACTIVE_DRAIN = 10,
	RF_ACTIVE_PRECONFIG = 11,
	RF_ACTIVE_POSTCONFIG = 12,
	RF_ACTIVE = 13,
	RF_ACTIVE_EXTRALOAD = 14,
	RF_ACTIVE_HANDBACK = 15,
};
#define RF_STATE_MAX RF_ACTIVE_HANDBACK
/* "ACTIVE", "STANDBY HOT", "ACTIVE-FAST", "ACTIVE_PRECONFIG" ... */
const char *rf_state_name(enum rf_state s);
/* The ACTIVE family (ACTIVE-FAST .. ACTIVE_HANDBACK) / the standby one. */
bool rf_state_is_active(enum rf_state s);
bool rf_state_is_standby(enum rf_state s);

/* Inter-device RF's own state ("Redundancy inter-device state: ..."). */
enum rf_interdev_state {
	RF_INTERDEV_STATE_INIT,
	RF_INTERDEV_STATE_NEGO,
	RF_INTERDEV_STATE_STDBY,
	RF_INTERDEV_STATE_ACT,
};
/* "RF_INTERDEV_STATE_INIT" ... */
const char *rf_interdev_state_name(enum rf_interdev_state s);

/* Register the subsystem, its commands and running-config writer. */
void ha_init(void);

/* "redundancy inter-device" present in the configuration? */
bool ha_interdev_configured(void);
/* The scheme's group name as configured (show running-config), or NULL. */
const char *ha_scheme_configured(void);
/* The group name bound at boot (in effect until the next reload), or
 * NULL when inter-device RF has no scheme in effect. */
const char *ha_scheme_bound(void);
/* "security ipsec PROFILE": the profile name, or NULL. */
const char *ha_security_profile(void);
/* The subsystem that protects the IPC traffic with that profile (crypto)
 * writes show redundancy inter-device's "  Security: ..." lines. */
struct sbuf;
typedef void (*ha_security_show_fn)(struct sbuf *out);
void ha_set_security_show(ha_security_show_fn fn);

/* RF's current view (this router and its peer). */
enum rf_state ha_rf_my_state(void);
enum rf_state ha_rf_peer_state(void);
enum rf_interdev_state ha_rf_interdev_state(void);

/* EVT_RF_STATE carries this: RF's own state or its view of the peer's
 * changed (valid during delivery). */
struct rf_event {
	enum rf_state my, peer;
	enum rf_state my_old, peer_old;
	bool comm_up;
};

/* ---- RF clients: the checkpoint API ---------------------------------------
 * A client (the crypto HA manager, the configuration digest) registers
 * once at start and keeps a copy of its state on the standby:
 *
 *  - bulk sync: when a standby asks (it has reached STANDBY COLD), RF
 *    calls bulk_send() on the ACTIVE until it returns true; the client
 *    sends everything with rf_client_send() and returns false whenever
 *    that answers IPC_FULL (RF calls again once there is room, so 10,000
 *    entries never block the loop or fill memory). On the standby,
 *    bulk_begin() precedes the messages, recv() takes each one and
 *    bulk_end() decides: NULL lets RF go on, a reason keeps the standby
 *    out of STANDBY HOT (show redundancy clients shows it) until the
 *    client calls rf_client_set_ready(c, NULL).
 *  - STANDBY HOT is reached only when every client both routers have has
 *    finished its bulk and accepted it.
 *  - incremental: after the bulk has begun, rf_client_send() on the
 *    ACTIVE carries each change; the standby's recv() gets them in the
 *    order they were sent, after the bulk's.
 *  - progress() hears every change of RF's state on this router or its
 *    view of the peer (a standby becoming ACTIVE, the peer lost). */
#define RF_CLIENT_INTERNAL 0           /* RF_INTERNAL_MSG: RF's own */
#define RF_CLIENT_CONFIG_DIGEST 110    /* the configuration digest */
#define RF_CLIENT_MAX_TYPES 48         /* types 1..48 per client */
#define RF_REASON_MAX 160              /* a refusal's text */

struct rf_client;

struct rf_client_ops {
	const char *name;                  /* "Config Digest RF" */
	uint16_t id;                       /* the same on both routers */
	uint16_t ntypes;                   /* message types 1..ntypes */
	const char *const *type_names;     /* [1..ntypes] or NULL */
	bool (*bulk_send)(void *ctx, bool first);
	void (*bulk_begin)(void *ctx);
	void (*recv)(void *ctx, uint16_t type, const uint8_t *p, size_t len);
	const char *(*bulk_end)(void *ctx);
	void (*progress)(void *ctx, enum rf_state my, enum rf_state peer);
	void (*writable)(void *ctx);       /* after IPC_FULL outside a bulk */
};

/* NULL when the id is taken or too many clients are registered. */
struct rf_client *rf_client_register(const struct rf_client_ops *ops,
				     void *ctx);
/* On the ACTIVE, to a standby that has asked for its bulk: IPC_SENT,
 * IPC_FULL (room comes back: bulk_send() or writable() is called),
 * IPC_DOWN (no such standby), IPC_TOOBIG (see ipc.h). */
int rf_client_send(struct rf_client *c, uint16_t type, const void *p,
		   size_t len);
/* On the standby, after bulk_end(): ready (NULL) or not, and why. */
void rf_client_set_ready(struct rf_client *c, const char *reason);
/* Is a standby taking this router's checkpoints (bulk begun or HOT)? */
bool rf_peer_syncing(void);

#endif
