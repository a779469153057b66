/* hsrp: HSRP v1/v2 groups (configuration model, show standby, tracking).
 *
 * Other subsystems (RF inter-device scheme, crypto map redundancy) find a
 * group by its name and follow it through two core events:
 *   EVT_HSRP_GROUP_STATE  data: struct hsrp_event *  (old_state -> new_state)
 *   EVT_HSRP_GROUP_NAME   data: struct hsrp_event *  (a name appeared/gone)
 * Every group has a name: the configured one (`standby N name WORD`) or the
 * default "hsrp-<ShortIf>-<group>" (e.g. "hsrp-Fa0/0-1").
 */
#ifndef IOSIM_HSRP_H
#define IOSIM_HSRP_H

#include <stdbool.h>
#include <stdint.h>
#include "../core/core.h"

/* Group states, in RFC 2281 order; names as IOS prints them. */
enum hsrp_state {
	HSRP_INIT,
	HSRP_LEARN,
	HSRP_LISTEN,
	HSRP_SPEAK,
	HSRP_STANDBY,
	HSRP_ACTIVE,
};
/* Used in struct hsrp_event for "no state": a name that appears has
 * old_state HSRP_STATE_NONE, a name that disappears new_state NONE. */
#define HSRP_STATE_NONE (-1)

/* "Init", "Learn", "Listen", "Speak", "Standby", "Active" ("" if NONE). */
const char *hsrp_state_name(int state);

/* The payload of EVT_HSRP_GROUP_STATE and EVT_HSRP_GROUP_NAME. The strings
 * are valid only while the event is being delivered. */
struct hsrp_event {
	const char *ifname;     /* full interface name, "FastEthernet0/0" */
	unsigned group;
	const char *name;       /* the group's name */
	int old_state, new_state;
};

/* What a lookup by name returns (a copy: safe to keep). */
struct hsrp_group_info {
	char ifname[64];
	unsigned group;
	enum hsrp_state state;
	uint32_t vip;           /* network order; 0 when unknown */
};

/* Find the group named NAME (case-sensitive, as IOS compares names).
 * Several groups may share a name: the one on the first interface in
 * show running-config order wins, then the lowest group number.
 * Returns false when no group has that name. */
bool hsrp_group_lookup(const char *name, struct hsrp_group_info *out);

/* Is ADDR (network order) a configured virtual address (primary or
 * secondary) of any group? (IPC refuses one as its local-ip.) */
bool hsrp_is_virtual_ip(uint32_t addr);

/* IP redundancy clients ("standby N preempt delay ... sync S"): a group
 * about to preempt asks every registered client whether it is ready for
 * the group named GROUP to become Active; while one is not, preemption
 * waits, at most S seconds past its other delays. A client calls
 * hsrp_sync_changed() when its answer may have changed. Registrations
 * survive reload. */
typedef bool (*hsrp_sync_ready_fn)(const char *group, void *ctx);
void hsrp_sync_client_register(hsrp_sync_ready_fn fn, void *ctx);
void hsrp_sync_changed(void);

/* Debug flags ("debug standby ...") for "show debugging" and
 * "undebug all": append HSRP's lines, or turn all HSRP debugging off. */
void hsrp_debug_show(struct sbuf *out);
void hsrp_debug_off(void);

/* Register the subsystem, its commands, writers and event subscriptions.
 * Call once at start, after platform_init(). */
void hsrp_init(void);

#endif
