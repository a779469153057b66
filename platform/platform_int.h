/* platform/ private: the interface structure and the hooks between the
 * files of this directory. Nothing outside platform/ includes this. */
#ifndef IOSIM_PLATFORM_INT_H
#define IOSIM_PLATFORM_INT_H

#include "platform.h"
#include "../cli/cli.h"

#define IFNAME_MAX 48

/* Link state as IOS names it in "X is <state>, line protocol is ...". */
enum link_state { LINK_DOWN, LINK_UP, LINK_ADMIN_DOWN };

/* Tri-state for settings IOS prints only once configured. */
enum duplex_cfg { DUPLEX_UNSET, DUPLEX_AUTO, DUPLEX_FULL, DUPLEX_HALF };
enum speed_cfg { SPEED_UNSET, SPEED_AUTO, SPEED_10, SPEED_100, SPEED_1000 };
enum media_cfg { MEDIA_UNSET, MEDIA_RJ45, MEDIA_SFP };

/* Counters shown by show interfaces; the packet path (issue 3) counts. */
struct iface_counters {
	uint64_t in_pkts, in_bytes, in_bcast, in_mcast, in_runts, in_giants;
	uint64_t in_throttles, in_errors, in_crc, in_frame, in_overrun;
	uint64_t in_ignored, in_no_buffer, in_drops;
	uint64_t out_pkts, out_bytes, out_underruns, out_errors;
	uint64_t out_collisions, out_drops, resets;
	double last_input, last_output;  /* core_uptime() stamps, <0: never */
};

struct ip_secondary {
	uint32_t addr, mask;
};

struct iface {
	struct iface *next;              /* the table, show-run order */
	char name[IFNAME_MAX];           /* FastEthernet0/0.100 */
	char short_name[IFNAME_MAX];     /* Fa0/0.100 */
	enum iface_type type;
	unsigned num[4];                 /* slot/subslot/port numbers */
	int nnum;
	bool is_subif;
	unsigned subif;                  /* .N */
	struct iface *parent;            /* sub-interfaces only */
	uint8_t mac[6];                  /* burned-in address */
	bool attached;                   /* hardware (a --iface port) */
	void *ext[IFEXT__COUNT];         /* other subsystems' state */

	/* state */
	bool shutdown;                   /* administratively down */
	bool carrier;                    /* the wire is up (port attached) */
	enum link_state link;
	bool line_up;
	double state_since;              /* core_uptime() of last change */

	/* configuration */
	char *description;
	uint32_t addr, mask;             /* primary, network order; 0 none */
	struct ip_secondary *sec;
	int nsec;
	bool addr_cfgd;                  /* show ip int brief "manual" */
	bool no_addr_cfgd;               /* "no ip address" was entered */
	char *unnumbered;                /* ip unnumbered IFNAME */
	char *acl_in, *acl_out;          /* ip access-group */
	unsigned tcp_mss;                /* ip tcp adjust-mss, 0 none */
	enum duplex_cfg duplex;
	enum speed_cfg speed;
	enum media_cfg media;
	int restart_delay;               /* serial restart-delay, -1 unset */
	bool red;                        /* random-detect */
	bool cdp_disabled;               /* no cdp enable */
	/* tunnel source / destination */
	bool tun_src_set, tun_src_is_if;
	uint32_t tun_src_addr;
	char tun_src_if[IFNAME_MAX];
	uint32_t tun_dst;

	struct iface_counters cnt;
};

/* A static route (ip route), as configured. */
struct static_route {
	struct static_route *next;
	uint32_t prefix, mask, nexthop;  /* network order; nexthop 0: none */
	char ifname[IFNAME_MAX];         /* exit interface, "" when none */
	unsigned distance;               /* 1..255, default 1 */
	char *name;
	bool permanent;
};
/* ip_cfg.c: the static routes in show-run order */
const struct static_route *ip_static_routes(void);

/* iface.c */
bool iface_is_physical(const struct iface *ifp);
bool iface_is_ethernet(const struct iface *ifp);
/* Recompute link/line state from shutdown/carrier/parent/tunnel ends;
 * logs the transitions as IOS does and publishes EVT_IFACE_STATE. */
void iface_update_state(struct iface *ifp);
/* Remove a virtual or sub-interface (publishes EVT_IFACE_REMOVED). */
void iface_delete(struct iface *ifp);
/* Interfaces in "show interfaces" order (physical first); returns count,
 * *out allocated by the callee, caller frees. */
int iface_list_display(struct iface ***out);
/* One interface's block as show running-config prints it. */
void iface_write_one(struct sbuf *out, struct iface *ifp);
void iface_mac_str(const uint8_t mac[6], char *buf, size_t n);
/* Primary address changed: publish EVT_IFACE_ADDR. */
void iface_addr_changed(struct iface *ifp);

/* iface_cmds.c, iface_show.c, ip_cfg.c, acl.c */
void iface_cmds_init(void);
void iface_cmds_reset_iface(struct iface *ifp);
void iface_show_init(void);
void ip_cfg_init(void);
void ip_cfg_reset(void);
void ip_iface_reset(struct iface *ifp);
/* Does A/M overlap a subnet of another (admin up) interface? Returns that
 * interface or NULL. */
struct iface *ip_overlap(const struct iface *self, uint32_t addr,
			 uint32_t mask);
void acl_init(void);
void acl_reset(void);

/* Helpers shared by the command files. */
/* The word that follows KEYWORD among the matched words, or NULL. */
const char *arg_after(const struct cli_args *a, const char *keyword);

#endif
