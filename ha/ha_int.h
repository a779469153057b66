/* Private to ha/: wiring between its files. */
#ifndef IOSIM_HA_INT_H
#define IOSIM_HA_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "ha.h"

/* What RF knows right now. A router whose inter-device RF has not started
 * runs simplex: ACTIVE with a DISABLED peer. */
struct rf_status {
	enum rf_state my, peer;
	enum rf_interdev_state interdev;
	bool duplex;           /* a peer unit is present */
	bool comm_up;          /* the IPC link to the peer is up */
};
extern struct rf_status rf_status;

/* The HSRP group named NAME (names are case-sensitive): true when it
 * exists, with its state as show standby prints it ("Active", "Init"...)
 * copied into STATE; *ACTIVE tells whether it is Active. */
bool rf_group_lookup(const char *name, char *state, size_t n, bool *active);

/* show redundancy ... (ha_show.c) */
void ha_show_init(void);

#endif
