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
	struct iface *next, *prev;       /* the table, show-run order */
	struct iface *last_subif;        /* main interfaces: the last one */
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
	bool tun_vti;                    /* tunnel mode ipsec ipv4 */
	bool tun_protected;              /* VTI: its IPsec SAs are up (crypto) */

	struct iface_counters cnt;
	double cnt_cleared;              /* core_uptime() of clear counters, <0 never */

	/* the packet path (port.c, ether.c, ipv4.c) */
	struct port *port;               /* the wire, NULL when unattached */
	struct iface_net *net;           /* filter/groups/vaddrs, lazily made */

	bool deleting;                   /* iface_delete under way */
};

/* A static route (ip route), as configured. */
struct static_route {
	struct static_route *next, *prev;
	struct static_route *same;       /* ip_cfg.c: same prefix and mask */
	uint32_t prefix, mask, nexthop;  /* network order; nexthop 0: none */
	char ifname[IFNAME_MAX];         /* exit interface, "" when none */
	unsigned distance;               /* 1..255, default 1 */
	char *name;
	bool permanent;
};
/* ip_cfg.c: the static routes in show-run order */
const struct static_route *ip_static_routes(void);

/* route.c: the RIB as the show commands read it. Prefixes in host order
 * here (they are compared and sorted), addresses in paths network order. */
struct rib_path {
	struct rib_path *next;
	enum rib_source src;
	unsigned distance;
	uint32_t gateway;        /* configured next hop, 0: none */
	struct iface *ifp;       /* configured exit interface, NULL: none */
	bool named_if;           /* static route names an exit interface */
	bool permanent;
	bool valid;              /* usable: resolved, interface up */
	bool selected;           /* among the node's lowest-distance paths */
	struct iface *out_ifp;   /* forwarding: exit after recursion */
	uint32_t out_gw;         /* forwarding: neighbour, 0: the destination */
	unsigned gen;
};
struct rib_node {
	uint32_t prefix;         /* host order */
	uint8_t len;
	bool installed;          /* has a selected path that forwards */
	unsigned distance;       /* of the selected paths */
	struct rib_path *paths;  /* every candidate, in the order added */
	struct rib_path **sel;   /* the selected ones that forward */
	int nsel, selcap;
};
void rib_init(void);
/* ip_cfg.c: `ip route` added or removed; a secondary address changed */
void rib_statics_changed(void);
void rib_iface_changed(void);
/* Installed routes sorted by prefix then length; caller frees the array. */
int rib_installed(const struct rib_node ***out);
/* Longest match for DST / the installed route DST/LEN (network order). */
const struct rib_node *rib_match(uint32_t dst);
const struct rib_node *rib_exact(uint32_t prefix, int len);
size_t rib_route_count(void);
void route_show_init(void);
void ping_init(void);                 /* ping.c */

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
 * interface (the first in show-run order) or NULL. */
struct iface *ip_overlap(const struct iface *self, uint32_t addr,
			 uint32_t mask);
/* addr_index.c: every change of an interface's addresses goes through
 * these, so the index matches ifp->addr and ifp->sec: one address in or
 * out (PRIMARY tells which of the two it is), or all of them out (before
 * they are cleared). */
void addr_index_add(struct iface *ifp, uint32_t addr, uint32_t mask,
		    bool primary);
void addr_index_del(struct iface *ifp, uint32_t addr, bool primary);
void addr_index_clear(struct iface *ifp);
void acl_init(void);
void acl_reset(void);
void keychain_init(void);                /* keychain.c */
void keychain_reset(void);

/* ---- the packet path: hooks between port.c, ether.c, arp.c, ipv4.c,
 * icmp.c ------------------------------------------------------------------ */

#define ETH_HLEN_ 14
#define ETH_MAX_FRAME 1514      /* without FCS: 1500 bytes of payload */
#define IF_IP_MTU 1500

/* One received frame and what the port knows about it. */
struct frame_rx {
	struct iface *ifp;
	const uint8_t *data;
	size_t len;
	/* the sender left the TCP/UDP checksum to "hardware" (a Linux host's
	 * checksum offload over veth): complete it before use */
	bool csum_partial;
};

/* Per-interface receive filter and addresses (ether.c owns it). */
struct mac_ref {
	uint8_t mac[6];
	unsigned refs;
};
struct mcast_ref {
	uint32_t group;
	unsigned refs;
};
struct vaddr {
	uint32_t addr;
	uint8_t mac[6];
};
struct iface_net {
	struct mac_ref *macs;
	int nmacs;
	struct mcast_ref *groups;
	int ngroups;
	struct vaddr *vaddrs;
	int nvaddrs;
};

#define ETH_MIN_FRAME 60         /* what we send is padded to this */

/* port.c: queue the frame HDR + PAYLOAD (padded to ETH_MIN_FRAME) for the
 * wire; it leaves before the loop next sleeps. The port counts it: output
 * packets and bytes when the socket takes it, an output drop when not.
 * Returns -1 (dropped) when the interface has no port or the frame is
 * longer than ETH_MAX_FRAME. */
int port_tx(struct iface *ifp, const uint8_t hdr[ETH_HLEN_],
	    const uint8_t *payload, size_t len);
/* Tests: transmitted frames go to FN instead of a socket (NULL: off). */
typedef void (*port_tx_hook_fn)(struct iface *ifp, const uint8_t *frame,
				size_t len);
void port_set_tx_hook(port_tx_hook_fn fn);
/* Interface removed: forget its port (it cannot carry frames any more). */
void port_iface_gone(struct iface *ifp);

/* ether.c */
void ether_input(const struct frame_rx *f);
/* Build and send one frame; SRC NULL: the interface's burned-in MAC.
 * Admin-down or line-down interfaces send nothing. */
int ether_output(struct iface *ifp, const uint8_t dst[6], const uint8_t *src,
		 uint16_t ethertype, const uint8_t *payload, size_t len);
void net_iface_free(struct iface *ifp);
void net_reset(void);
/* Registers the packet path's commands and its reload reset. */
void net_init(void);
/* The virtual MAC for ADDR on IFP (an ip_vaddr_add), NULL when none. */
const uint8_t *iface_vaddr_mac(const struct iface *ifp, uint32_t addr);
/* Is ADDR one of the router's virtual addresses on any interface? */
bool ip_is_vaddr(uint32_t addr);
bool ip_mcast_joined(const struct iface *ifp, uint32_t group);
extern const uint8_t ether_bcast[6];
void clear_counters(struct iface *ifp);

/* arp.c */
void arp_input(struct iface *ifp, const uint8_t *pkt, size_t len);
/* Send IP packet PKT to NEXTHOP on IFP: at once when its MAC is known,
 * else queued (bounded) behind an ARP request. */
int arp_output(struct iface *ifp, uint32_t nexthop, const uint8_t *src_mac,
	       const uint8_t *pkt, size_t len);
void arp_reset(void);
void arp_iface_gone(struct iface *ifp);
void arp_init(void);

/* ipv4.c */
void ipv4_input(const struct frame_rx *f, const uint8_t *pkt, size_t len,
		const uint8_t *src_mac, const uint8_t *dst_mac);
/* Send a finished IPv4 packet (header checksum set) out of IFP toward
 * NEXTHOP, fragmenting it to the MTU unless DF. */
int ipv4_output(struct iface *ifp, uint32_t nexthop, const uint8_t *src_mac,
		uint8_t *pkt, size_t len);
void ipv4_init(void);
void ipv4_reset(void);
uint16_t inet_csum(const void *data, size_t len, uint32_t sum);
/* The address IFP sends from: its primary, or its unnumbered source's. */
uint32_t ip_iface_src(const struct iface *ifp);
uint32_t inet_csum_add(const void *data, size_t len, uint32_t sum);

/* IP statistics, as show ip traffic groups them. */
struct ip_stats {
	uint64_t rcvd, format_err, csum_err, bad_ttl, bad_version, no_route,
		 unknown_proto, not_gateway, too_big, bad_opts, with_opts;
	uint64_t frags, reassembled, reasm_timeout, reasm_fail, frag_drop,
		 fragmented, frag_made, cant_frag;
	uint64_t bcast_rcvd, mcast_rcvd, sent, bcast_sent, mcast_sent,
		 forwarded, local_delivered, encap_fail, unresolved,
		 no_adjacency, acl_in_drop, acl_out_drop, not_for_us;
	uint64_t udp_rcvd, udp_csum_err, udp_no_port, udp_sent, udp_format;
	uint64_t icmp_rcvd, icmp_csum_err, icmp_format, icmp_echo_rcvd,
		 icmp_echo_reply_rcvd, icmp_unreach_rcvd, icmp_ttl_rcvd,
		 icmp_other_rcvd, icmp_sent, icmp_echo_sent, icmp_reply_sent,
		 icmp_unreach_sent, icmp_ttl_sent, icmp_rate_limited;
	uint64_t arp_req_rcvd, arp_rep_rcvd, arp_req_sent, arp_rep_sent,
		 arp_bad, arp_drop_queue;
};
extern struct ip_stats ip_stats;
/* ipv4.c: the output feature's verdict on a packet leaving O->ifp (PASS
 * when no feature is set). */
enum ip_feature_verdict ipv4_out_feature(const uint8_t *pkt, size_t len,
					 struct ip_out_info *o);

/* gre.c: GRE tunnels. gre_output() sends PKT, an IPv4 packet whose exit is
 * tunnel TUN (0, or -1 when it was dropped and counted). */
struct gre_stats {
	uint64_t in, out, bad_header, no_tunnel, nested, recursive, too_big;
	uint64_t vti_unprotected;        /* routed into a VTI, nothing protects it */
};
extern struct gre_stats gre_stats;
int gre_output(struct iface *tun, const uint8_t *pkt, size_t len);
/* A tunnel in `tunnel mode ipsec ipv4`: the output feature protects its
 * packets (vti_count_out counts one it sent); what it let through comes to
 * vti_output and is dropped (a VTI carries nothing in clear). */
int vti_output(struct iface *tun, const uint8_t *pkt, size_t len);
void vti_count_out(struct iface *tun, size_t len);
void gre_init(void);
void gre_reset(void);

/* icmp.c */
void icmp_input(const struct ip_rx *rx, const uint8_t *ip_hdr);
/* An ICMP error about packet PKT (its IP header and what follows) that
 * arrived on IFP; rate-limited as IOS limits unreachables. */
void icmp_send_error(uint8_t type, uint8_t code, uint32_t info,
		     const uint8_t *pkt, size_t len, struct iface *ifp);
void icmp_reset(void);

/* Helpers shared by the command files. */
/* The word that follows KEYWORD among the matched words, or NULL. */
const char *arg_after(const struct cli_args *a, const char *keyword);

#endif
