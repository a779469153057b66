/* platform: interfaces (and later ports, Ethernet, ARP, IPv4, routing, ACLs). */
#ifndef IOSIM_PLATFORM_H
#define IOSIM_PLATFORM_H

#include <stdbool.h>
#include <stdint.h>
#include "../core/core.h"

enum iface_type {
	IFT_ETHERNET, IFT_FASTETHERNET, IFT_GIGABITETHERNET, IFT_SERIAL,
	IFT_LOOPBACK, IFT_TUNNEL, IFT_VLAN,
};

struct iface;  /* opaque outside platform/ */

/* Lookup by canonical name ("FastEthernet0/0"); NULL if absent. */
struct iface *iface_find(const char *canon);
/* Create on first reference (the `interface` command, --iface). */
struct iface *iface_get(const char *canon);
struct iface *iface_first(void);
struct iface *iface_next(const struct iface *ifp);
const char *iface_name(const struct iface *ifp);        /* FastEthernet0/0 */
const char *iface_short_name(const struct iface *ifp);  /* Fa0/0 */
enum iface_type iface_type(const struct iface *ifp);
/* Primary address and mask (network order); 0 when none. */
uint32_t iface_addr(const struct iface *ifp);
uint32_t iface_mask(const struct iface *ifp);
bool iface_admin_up(const struct iface *ifp);   /* not shutdown */
bool iface_line_up(const struct iface *ifp);    /* line protocol up */

/* Lines inside "interface X" in show running-config, ascending order. */
enum iface_cfg_order {
	IFCFG_DESCRIPTION = 100,
	IFCFG_IP = 200,          /* ip address, ip unnumbered, no ip address */
	IFCFG_IP_MISC = 300,     /* ip access-group, ip tcp adjust-mss */
	IFCFG_TUNNEL = 350,
	IFCFG_SHUTDOWN = 400,
	IFCFG_MEDIA = 500,       /* duplex, speed, media-type, serial ... */
	IFCFG_MISC = 550,        /* random-detect, no cdp enable */
	IFCFG_STANDBY = 600,
	IFCFG_CRYPTO = 700,
};
typedef void (*iface_writer_fn)(struct sbuf *out, struct iface *ifp);
void iface_register_writer(int order, iface_writer_fn fn);

void platform_init(void);

#endif
