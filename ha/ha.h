/* ha: the redundancy facility (RF) between two routers ("inter-device").
 *
 * Configuration (this issue):
 *
 *   redundancy inter-device
 *    scheme standby NAME        HSRP group "standby N name NAME" drives RF
 *    security ipsec PROFILE     protect the IPC traffic with that profile
 *   redundancy
 *
 * As on IOS, the scheme takes effect only at boot: a scheme configured on
 * a running router is stored (and printed by show running-config) but is
 * "pending" until the next reload. EVT_BOOT_DONE marks the end of boot:
 * the scheme configured at that moment is bound to its HSRP group.
 */
#ifndef IOSIM_HA_H
#define IOSIM_HA_H

#include <stdbool.h>

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
/* "ACTIVE", "STANDBY HOT", "ACTIVE-FAST", "ACTIVE_PRECONFIG" ... */
const char *rf_state_name(enum rf_state s);

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

/* RF's current view (this router and its peer). */
enum rf_state ha_rf_my_state(void);
enum rf_state ha_rf_peer_state(void);
enum rf_interdev_state ha_rf_interdev_state(void);

#endif
