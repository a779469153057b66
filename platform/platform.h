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
/* The order iface_first/iface_next walk (show-run order): <0 when A
 * comes first, 0 for the same interface. */
int iface_order_cmp(const struct iface *a, const struct iface *b);
const char *iface_name(const struct iface *ifp);        /* FastEthernet0/0 */
const char *iface_short_name(const struct iface *ifp);  /* Fa0/0 */
enum iface_type iface_type(const struct iface *ifp);
/* Primary address and mask (network order); 0 when none. */
uint32_t iface_addr(const struct iface *ifp);
uint32_t iface_mask(const struct iface *ifp);
bool iface_admin_up(const struct iface *ifp);   /* not shutdown */
bool iface_line_up(const struct iface *ifp);    /* line protocol up */

/* Per-interface state of other subsystems, found in O(1): each subsystem
 * owns one slot and frees its object on EVT_IFACE_REMOVED. */
enum iface_ext_slot { IFEXT_HSRP, IFEXT_CRYPTO, IFEXT__COUNT };
void *iface_ext(const struct iface *ifp, enum iface_ext_slot slot);
void iface_set_ext(struct iface *ifp, enum iface_ext_slot slot, void *obj);

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

/* ---- added for the configuration model (issue 2) ------------------------ */

/* The wire under a hardware interface: a --iface port sets carrier when its
 * link is up. An admin-up interface without carrier is "down, line protocol
 * is down". An attached interface is hardware: it survives reload (reset)
 * with its configuration back to defaults; the others are removed. */
void iface_set_carrier(struct iface *ifp, bool up);
bool iface_carrier(const struct iface *ifp);
void iface_set_attached(struct iface *ifp, bool on);
bool iface_attached(const struct iface *ifp);

bool iface_is_subif(const struct iface *ifp);
struct iface *iface_parent(const struct iface *ifp);   /* NULL unless subif */
const char *iface_description(const struct iface *ifp); /* NULL when none */
/* Burned-in MAC (sub-interfaces share their main interface's). */
void iface_get_mac(const struct iface *ifp, uint8_t mac[6]);
/* ip unnumbered IFNAME, NULL when not unnumbered. */
const char *iface_unnumbered(const struct iface *ifp);
/* Secondary addresses: fills up to MAX pairs, returns how many exist. */
int iface_secondaries(const struct iface *ifp, uint32_t *addrs,
		      uint32_t *masks, int max);
/* Is ADDR (network order) one of the interface's addresses? */
bool iface_has_addr(const struct iface *ifp, uint32_t addr);
/* Is ADDR (network order) inside one of the interface's connected
 * subnets, primary or secondary? */
bool iface_on_subnet(const struct iface *ifp, uint32_t addr);
/* The interface owning ADDR, NULL if none. */
struct iface *iface_by_addr(uint32_t addr);
/* ip access-group name for a direction, NULL when none. */
const char *iface_acl(const struct iface *ifp, bool out);
/* Tunnel endpoints (source resolved through `tunnel source IFNAME`);
 * false unless it is a tunnel with both ends configured. */
bool iface_tunnel_endpoints(const struct iface *ifp, uint32_t *src,
			    uint32_t *dst);
/* `tunnel source IFNAME` (not an address)? */
bool iface_tunnel_source_is_iface(const struct iface *ifp);
/* Lines another subsystem adds to show interfaces TunnelN after the
 * tunnel's own (crypto: "Tunnel protection via IPSec (profile "P")"). */
typedef void (*iface_show_fn)(struct sbuf *out, const struct iface *ifp);
void iface_set_tunnel_show(iface_show_fn fn);
/* `tunnel mode ipsec ipv4` (an IPsec virtual tunnel interface)? */
bool iface_tunnel_is_vti(const struct iface *ifp);
/* A VTI's line protocol is up only while its IPsec SAs are (crypto says
 * so here); changing it logs %LINEPROTO and publishes EVT_IFACE_STATE. */
void iface_tunnel_set_protected(struct iface *ifp, bool up);
/* A packet the VTI's SA decrypted: counted as the tunnel's input and
 * processed as arrived on it. */
void vti_input(struct iface *tun, const uint8_t *pkt, size_t len);
/* "interface X" ... "!" as show running-config prints it; caller frees. */
char *iface_running_text(struct iface *ifp);

/* ---- ip local pool ------------------------------------------------------- */
bool ip_pool_exists(const char *name);
/* The IDX-th range of pool NAME (network order); false past the last. */
bool ip_pool_range(const char *name, int idx, uint32_t *lo, uint32_t *hi);

/* ---- IP access lists (crypto map `match address`, ip access-group) ------- */
struct acl;
/* By number ("100") or name ("peer-outside"); NULL if not configured. */
struct acl *acl_find(const char *name);
const char *acl_name(const struct acl *acl);
bool acl_is_extended(const struct acl *acl);

enum acl_port_op {
	ACL_PORT_ANY, ACL_PORT_EQ, ACL_PORT_GT, ACL_PORT_LT, ACL_PORT_NEQ,
	ACL_PORT_RANGE,
};
struct acl_port {
	enum acl_port_op op;
	uint16_t lo, hi;         /* hi only for RANGE */
};
/* One permit/deny entry. Addresses and wildcards in network order; a
 * standard list's entries have only src (dst any, proto 0). */
struct acl_rule {
	unsigned seq;
	bool permit;
	uint8_t proto;           /* IP protocol; 0 = any ("ip") */
	uint32_t src, src_wild;  /* wildcard bits: 0 host, all ones any */
	uint32_t dst, dst_wild;
	struct acl_port sport, dport;
};
/* The entries as configuration lines ("permit ip any host 10.0.0.1"),
 * each after PREFIX and ending in a newline; remarks left out (show
 * crypto map lists a map's ACL this way). */
void acl_entries_text(const struct acl *acl, struct sbuf *b,
		      const char *prefix);
/* Calls FN for each entry in sequence order (remarks skipped); stops
 * when FN returns false. */
typedef bool (*acl_rule_fn)(const struct acl_rule *r, void *ctx);
void acl_foreach(const struct acl *acl, acl_rule_fn fn, void *ctx);
bool acl_port_match(const struct acl_port *p, uint16_t port);
/* First matching entry decides (its hit counter counts the packet);
 * ACL_NO_MATCH is IOS's implicit deny. Ports only for TCP/UDP. */
enum acl_result { ACL_NO_MATCH, ACL_PERMIT, ACL_DENY };
enum acl_result acl_evaluate(struct acl *acl, uint8_t proto, uint32_t src,
			     uint32_t dst, uint16_t sport, uint16_t dport);

/* ---- the packet path (issue 3) -------------------------------------------
 * The router's own network stack: ports (port.c), Ethernet and the receive
 * filter (ether.c), ARP (arp.c), IPv4 (ipv4.c), ICMP (icmp.c), UDP demux,
 * the routing table (route.c). Addresses and ports in network order unless
 * a comment says otherwise. Nothing here blocks; everything runs on the
 * libev loop. */

/* --iface IOSNAME=linux:DEV | IOSNAME=udp:LADDR:LPORT:RADDR:RPORT.
 * Returns 0, or -1 after printing a clear message naming ARG to stderr
 * (malformed value, missing Linux device, UDP port taken). */
int port_attach_arg(const char *arg);
/* Close every port (process exit). */
void port_close_all(void);

/* Receive filter: besides its burned-in MAC and broadcast an interface
 * accepts the MACs added here (refcounted: HSRP virtual MACs while Active,
 * multicast group MACs). */
void iface_mac_filter_add(struct iface *ifp, const uint8_t mac[6]);
void iface_mac_filter_del(struct iface *ifp, const uint8_t mac[6]);
/* Join/leave an IPv4 multicast group (224.0.0.2, 224.0.0.102): accepts
 * its 01:00:5e MAC and delivers its packets locally. Refcounted. */
void ip_mcast_join(struct iface *ifp, uint32_t group);
void ip_mcast_leave(struct iface *ifp, uint32_t group);

/* Virtual addresses (an HSRP group's virtual IP while it is Active):
 * the router answers ARP for ADDR on IFP with MAC, receives on MAC, and
 * takes packets to ADDR as its own (answers ping). Adding one sends a
 * gratuitous ARP. */
void ip_vaddr_add(struct iface *ifp, uint32_t addr, const uint8_t mac[6]);
void ip_vaddr_del(struct iface *ifp, uint32_t addr);
/* Gratuitous ARP for ADDR from MAC on IFP. */
void arp_send_gratuitous(struct iface *ifp, uint32_t addr,
			 const uint8_t mac[6]);

/* A packet delivered to the router. PAYLOAD is what follows the IP header
 * (for udp_register_port handlers: what follows the UDP header). */
struct ip_rx {
	struct iface *ifp;        /* arrived on */
	const uint8_t *ip_hdr;    /* the IPv4 header (20 bytes, no options) */
	const uint8_t *src_mac, *dst_mac;
	uint32_t src, dst;
	uint8_t proto, ttl, tos;
	uint16_t sport, dport;    /* host order; UDP only */
	const uint8_t *payload;
	size_t len;
};
typedef void (*ip_rx_fn)(const struct ip_rx *rx);
/* One handler per IP protocol (50 ESP, 51 AH, 132 SCTP) and per UDP port
 * (1985 HSRP, 500/4500 IKE); PORT in host order. */
void ip_register_proto(uint8_t proto, ip_rx_fn fn);
void udp_register_port(uint16_t port, ip_rx_fn fn);

/* Sending. Without OPTS (or with ifp NULL) the routing table picks the
 * exit; with ifp set (link-local multicast, HSRP) the packet leaves that
 * interface. A multicast or broadcast DST needs no ARP. SRC 0: the exit
 * interface's primary address. Returns 0, or -1 when there is no route or
 * the interface is down (counted). */
struct ip_tx_opts {
	struct iface *ifp;
	const uint8_t *src_mac;   /* NULL: the interface's burned-in MAC */
	uint8_t ttl;              /* 0: 255 */
	uint8_t tos;
	bool df;
};
int ip_send(uint32_t src, uint32_t dst, uint8_t proto, const void *payload,
	    size_t len, const struct ip_tx_opts *opts);
int udp_send(uint32_t src, uint32_t dst, uint16_t sport, uint16_t dport,
	     const void *payload, size_t len, const struct ip_tx_opts *opts);

/* ICMP echo for the ping command: send one request; replies (and ICMP
 * errors quoting our request) come back through the handler registered
 * for ID. ID/SEQ host order. */
struct icmp_echo_result {
	uint16_t id, seq;
	uint32_t from;
	uint8_t type, code;       /* 0/0 echo reply; 3/x unreachable; 11/0 ... */
};
typedef void (*icmp_echo_fn)(const struct icmp_echo_result *r, void *ctx);
uint16_t icmp_echo_register(icmp_echo_fn fn, void *ctx);  /* returns an id */
void icmp_echo_unregister(uint16_t id);
int icmp_echo_send(uint32_t src, uint32_t dst, uint16_t id, uint16_t seq,
		   size_t datalen, bool df);
/* The same with extended ping's settings: the IP type of service and the
 * 16-bit data pattern (IOS's default 0xABCD) repeated through the data. */
struct icmp_echo_opts {
	uint8_t tos;
	uint16_t pattern;
	bool df;
};
int icmp_echo_send_opts(uint32_t src, uint32_t dst, uint16_t id, uint16_t seq,
			size_t datalen, const struct icmp_echo_opts *o);

/* ---- packet features (IPsec) ---------------------------------------------
 * One subsystem may sit on the packet path without platform/ knowing what
 * it does. The output feature sees every IPv4 packet about to leave an
 * interface after the routing decision (forwarded ones after the outbound
 * access list and the TTL decrement; the router's own ones too), before
 * fragmentation. The input feature sees every packet that arrives on an
 * interface, after the inbound access list, before local delivery or
 * forwarding. Neither sees packets the router sends to itself, packets
 * sent with ip_output_raw(), nor packets given back with ip_inject(). */
enum ip_feature_verdict {
	IP_FEATURE_PASS,          /* go on as if there were no feature */
	IP_FEATURE_SENT,          /* the feature sent it on (in another form) */
	IP_FEATURE_DROPPED,       /* the feature dropped (and counted) it */
	IP_FEATURE_TOO_BIG,       /* too big for the feature's path: the sender
				   * gets ICMP fragmentation needed, MTU as set */
};
struct ip_out_info {
	struct iface *ifp;        /* the exit interface */
	uint32_t nexthop;
	struct iface *in;         /* arrived on; NULL: the router's own packet */
	uint16_t mtu;             /* IP_FEATURE_TOO_BIG: the MTU to report */
};
typedef enum ip_feature_verdict (*ip_out_feature_fn)(const uint8_t *pkt,
						     size_t len,
						     struct ip_out_info *o);
/* false: the feature dropped (and counted) the packet */
typedef bool (*ip_in_feature_fn)(struct iface *ifp, const uint8_t *pkt,
				 size_t len);
void ip_set_features(ip_out_feature_fn out, ip_in_feature_fn in);
/* Send a finished IPv4 packet (header and its checksum set) by the routing
 * table, without the features, fragmenting it to the MTU unless DF.
 * Returns 0, or -1 when there is no route, the exit is down or the packet
 * cannot be fragmented (counted). */
int ip_output_raw(uint8_t *pkt, size_t len);
/* A packet a feature took apart (a decapsulated one): processed as if it
 * had arrived on IFP, the input feature skipped. PKT is not kept. */
void ip_inject(struct iface *ifp, const uint8_t *pkt, size_t len);
/* A whole IPv4 packet inside a tunnel's payload P (N bytes): version 4, a
 * header length of at least 20, a total length within N (*LEN: it; what
 * follows is padding). */
bool ip_inner_packet_ok(const uint8_t *p, size_t n, size_t *len);
/* The identification for a new IPv4 header (host order). */
uint16_t ip_next_id(void);
/* Internet checksum (RFC 1071) of DATA, SUM added (host order in, the
 * finished 16-bit checksum out). */
uint16_t ip_checksum(const void *data, size_t len, uint32_t sum);

/* The routing table (route.c): connected routes follow the interfaces,
 * static ones follow `ip route`; other subsystems add their own (RRI). */
enum rib_source { RIB_CONNECTED, RIB_STATIC, RIB_RRI };
struct rib_nexthop {
	struct iface *ifp;        /* exit interface */
	uint32_t gateway;         /* 0: directly connected (ARP for dst) */
};
/* Longest-prefix match; false when no route. */
bool rib_lookup(uint32_t dst, struct rib_nexthop *nh);
/* RRI and other dynamic routes: ADD replaces an equal prefix/mask/source. */
int rib_add(enum rib_source src, uint32_t prefix, uint32_t mask,
	    uint32_t gateway, struct iface *ifp, unsigned distance);
void rib_del(enum rib_source src, uint32_t prefix, uint32_t mask);

/* ---- key chains (keychain.c) ------------------------------------------ */
/* `key chain NAME` / `key N` / `key-string` / accept- and send-lifetime.
 * Lifetimes are local times (the router's clock with its timezone):
 * NOW is core_clock_local() in the router, any instant in tests. */
#define KEYCHAIN_SECRET_MAX 80
struct keychain_key {
	uint32_t id;
	char secret[KEYCHAIN_SECRET_MAX + 1];   /* clear text */
};
bool keychain_exists(const char *chain);
/* The key to send with at NOW: the lowest-numbered key that has a
 * key-string and whose send lifetime covers NOW. false when none. */
bool keychain_send_key(const char *chain, time_t now, struct keychain_key *out);
/* The keys a receiver accepts at NOW (key-string set, accept lifetime
 * covering NOW), ascending id: fills up to MAX, returns how many there are. */
int keychain_accept_keys(const char *chain, time_t now,
			 struct keychain_key *out, int max);

void platform_init(void);

#endif
