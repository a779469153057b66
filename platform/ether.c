/* Ethernet: the receive filter a NIC would apply (veth and UDP wires filter
 * nothing), frame size checks, the interface counters, dispatch by
 * EtherType, framing on output, and `clear counters`.
 *
 * Sizes: frames arrive without FCS. A wire here does not pad: Linux sends
 * 42-byte ARP frames over veth, so a frame is a runt only when it cannot
 * hold an Ethernet header (< 14 bytes); a giant is anything longer than
 * 1514 bytes (1500 bytes of payload; 802.1Q frames are not carried). Both
 * are input errors and are dropped before the filter, as a NIC's MAC
 * counts them. What we send is padded to the 60-byte minimum. */
#include "platform_int.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const uint8_t ether_bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

static struct iface_net *net_of(struct iface *ifp)
{
	if (!ifp->net)
		ifp->net = xcalloc(1, sizeof *ifp->net);
	return ifp->net;
}

/* ---- receive filter ------------------------------------------------------- */

static int mac_index(const struct iface_net *n, const uint8_t mac[6])
{
	for (int i = 0; n && i < n->nmacs; i++)
		if (memcmp(n->macs[i].mac, mac, 6) == 0)
			return i;
	return -1;
}

void iface_mac_filter_add(struct iface *ifp, const uint8_t mac[6])
{
	struct iface_net *n = net_of(ifp);
	int i = mac_index(n, mac);
	if (i >= 0) {
		n->macs[i].refs++;
		return;
	}
	n->macs = xrealloc(n->macs, (size_t)(n->nmacs + 1) * sizeof *n->macs);
	memcpy(n->macs[n->nmacs].mac, mac, 6);
	n->macs[n->nmacs].refs = 1;
	n->nmacs++;
}

void iface_mac_filter_del(struct iface *ifp, const uint8_t mac[6])
{
	struct iface_net *n = ifp->net;
	int i = mac_index(n, mac);
	if (i < 0 || --n->macs[i].refs > 0)
		return;
	n->macs[i] = n->macs[--n->nmacs];
}

static bool mac_accepted(const struct iface *ifp, const uint8_t *dst)
{
	if (memcmp(dst, ifp->mac, 6) == 0 || memcmp(dst, ether_bcast, 6) == 0)
		return true;
	return mac_index(ifp->net, dst) >= 0;
}

/* ---- multicast groups ------------------------------------------------------- */

static void group_mac(uint32_t group, uint8_t mac[6])
{
	uint32_t g = ntohl(group);
	mac[0] = 0x01;
	mac[1] = 0x00;
	mac[2] = 0x5e;
	mac[3] = (uint8_t)((g >> 16) & 0x7f);
	mac[4] = (uint8_t)(g >> 8);
	mac[5] = (uint8_t)g;
}

static int group_index(const struct iface_net *n, uint32_t group)
{
	for (int i = 0; n && i < n->ngroups; i++)
		if (n->groups[i].group == group)
			return i;
	return -1;
}

void ip_mcast_join(struct iface *ifp, uint32_t group)
{
	struct iface_net *n = net_of(ifp);
	int i = group_index(n, group);
	if (i >= 0) {
		n->groups[i].refs++;
		return;
	}
	n->groups = xrealloc(n->groups,
			     (size_t)(n->ngroups + 1) * sizeof *n->groups);
	n->groups[n->ngroups++] = (struct mcast_ref){group, 1};
	uint8_t mac[6];
	group_mac(group, mac);
	iface_mac_filter_add(ifp, mac);
}

void ip_mcast_leave(struct iface *ifp, uint32_t group)
{
	struct iface_net *n = ifp->net;
	int i = group_index(n, group);
	if (i < 0 || --n->groups[i].refs > 0)
		return;
	n->groups[i] = n->groups[--n->ngroups];
	uint8_t mac[6];
	group_mac(group, mac);
	iface_mac_filter_del(ifp, mac);
}

bool ip_mcast_joined(const struct iface *ifp, uint32_t group)
{
	return group_index(ifp->net, group) >= 0;
}

/* ---- virtual addresses --------------------------------------------------------- */

/* How many interfaces hold each virtual address: ip_is_vaddr() asks for
 * every packet not to one of our own addresses. */
static struct intmap vaddr_count;

static void vaddr_counted(uint32_t addr, int delta)
{
	uintptr_t n = (uintptr_t)intmap_get(&vaddr_count, addr) + (uintptr_t)delta;
	if (n)
		intmap_put(&vaddr_count, addr, (void *)n);
	else
		intmap_del(&vaddr_count, addr);
}

static int vaddr_index(const struct iface_net *n, uint32_t addr)
{
	for (int i = 0; n && i < n->nvaddrs; i++)
		if (n->vaddrs[i].addr == addr)
			return i;
	return -1;
}

void ip_vaddr_add(struct iface *ifp, uint32_t addr, const uint8_t mac[6])
{
	struct iface_net *n = net_of(ifp);
	int i = vaddr_index(n, addr);
	if (i >= 0) {
		iface_mac_filter_del(ifp, n->vaddrs[i].mac);
	} else {
		n->vaddrs = xrealloc(n->vaddrs, (size_t)(n->nvaddrs + 1) *
							sizeof *n->vaddrs);
		i = n->nvaddrs++;
		n->vaddrs[i].addr = addr;
		vaddr_counted(addr, 1);
	}
	memcpy(n->vaddrs[i].mac, mac, 6);
	iface_mac_filter_add(ifp, mac);
	arp_send_gratuitous(ifp, addr, mac);
}

void ip_vaddr_del(struct iface *ifp, uint32_t addr)
{
	struct iface_net *n = ifp->net;
	int i = vaddr_index(n, addr);
	if (i < 0)
		return;
	iface_mac_filter_del(ifp, n->vaddrs[i].mac);
	vaddr_counted(addr, -1);
	n->vaddrs[i] = n->vaddrs[--n->nvaddrs];
}

const uint8_t *iface_vaddr_mac(const struct iface *ifp, uint32_t addr)
{
	int i = vaddr_index(ifp->net, addr);
	return i < 0 ? NULL : ifp->net->vaddrs[i].mac;
}

bool ip_is_vaddr(uint32_t addr)
{
	return intmap_get(&vaddr_count, addr) != NULL;
}

/* ---- the frame path ------------------------------------------------------------ */

void ether_input(const struct frame_rx *f)
{
	struct iface *ifp = f->ifp;
	struct iface_counters *c = &ifp->cnt;
	/* a shut or dead interface hears nothing */
	if (ifp->shutdown || !ifp->line_up)
		return;
	if (f->len < ETH_HLEN_) {
		c->in_runts++;
		c->in_errors++;
		return;
	}
	if (f->len > ETH_MAX_FRAME) {
		c->in_giants++;
		c->in_errors++;
		return;
	}
	const uint8_t *dst = f->data, *src = f->data + 6;
	if (!mac_accepted(ifp, dst))
		return;
	c->in_pkts++;
	c->in_bytes += f->len;
	c->last_input = core_uptime();
	if (memcmp(dst, ether_bcast, 6) == 0)
		c->in_bcast++;
	else if (dst[0] & 1)
		c->in_mcast++;
	uint16_t type = (uint16_t)(f->data[12] << 8 | f->data[13]);
	const uint8_t *pl = f->data + ETH_HLEN_;
	size_t len = f->len - ETH_HLEN_;
	switch (type) {
	case 0x0800:
		ipv4_input(f, pl, len, src, dst);
		break;
	case 0x0806:
		arp_input(ifp, pl, len);
		break;
	default:
		/* no other protocol is routed here: IOS's "unknown
		 * protocol drops" */
		c->in_drops++;
		break;
	}
}

int ether_output(struct iface *ifp, const uint8_t dst[6], const uint8_t *src,
		 uint16_t ethertype, const uint8_t *payload, size_t len)
{
	if (ifp->shutdown || !ifp->line_up || len + ETH_HLEN_ > ETH_MAX_FRAME)
		return -1;
	uint8_t hdr[ETH_HLEN_];
	memcpy(hdr, dst, 6);
	memcpy(hdr + 6, src ? src : ifp->mac, 6);
	hdr[12] = (uint8_t)(ethertype >> 8);
	hdr[13] = (uint8_t)ethertype;
	/* port_tx frames, pads and counts it when the wire takes it */
	return port_tx(ifp, hdr, payload, len);
}

/* ---- lifetime -------------------------------------------------------------------- */

static void net_free(struct iface_net *n)
{
	if (!n)
		return;
	for (int i = 0; i < n->nvaddrs; i++)
		vaddr_counted(n->vaddrs[i].addr, -1);
	free(n->macs);
	free(n->groups);
	free(n->vaddrs);
	free(n);
}

void net_iface_free(struct iface *ifp)
{
	arp_iface_gone(ifp);
	port_iface_gone(ifp);
	net_free(ifp->net);
	ifp->net = NULL;
}

/* Reload: the filter, groups and virtual addresses go with the
 * configuration that made them; the subsystems that own them rebuild. */
void net_reset(void)
{
	for (struct iface *i = iface_first(); i; i = iface_next(i)) {
		net_free(i->net);
		i->net = NULL;
	}
}

/* ---- clear counters ------------------------------------------------------------- */

void clear_counters(struct iface *ifp)
{
	double li = ifp->cnt.last_input, lo = ifp->cnt.last_output;
	memset(&ifp->cnt, 0, sizeof ifp->cnt);
	/* the last input/output times are history, not counters */
	ifp->cnt.last_input = li;
	ifp->cnt.last_output = lo;
	ifp->cnt_cleared = core_uptime();
}

/* The pending question's interface, by name: the interface may be gone
 * by the time the answer comes. A few slots cover concurrent sessions. */
static char pending[8][IFNAME_MAX];
static unsigned pending_next;

static bool confirmed(const char *ans)
{
	size_t n = strlen(ans);
	return n == 0 || !strncasecmp(ans, "yes", n) ||
	       !strcasecmp(ans, "confirm");
}

static void clear_counters_answer(struct cli *cli, const char *ans, void *ctx)
{
	const char *name = ctx;
	if (!confirmed(ans))
		return;
	if (!name) {
		for (struct iface *i = iface_first(); i; i = iface_next(i))
			clear_counters(i);
		log_ios("CLEAR-5-COUNTERS",
			"Clear counter on all interfaces by %s", "console");
		return;
	}
	struct iface *ifp = iface_find(name);
	if (!ifp)
		return;
	clear_counters(ifp);
	log_ios("CLEAR-5-COUNTERS", "Clear counter on interface %s by %s",
		ifp->name, "console");
}

DEFUN(clear_counters_exec, "clear counters [IFNAME$ifname]",
      "Reset functions\n"
      "Clear counters on one or all interfaces\n"
      "Interface type and number\n")
{
	const char *name = cli_arg(a, "ifname");
	if (!name) {
		cli_ask(cli, "Clear \"show interface\" counters on all "
			     "interfaces [confirm]", clear_counters_answer, NULL);
		return CLI_OK;
	}
	if (!iface_find(name)) {
		cli_invalid_arg(cli, a, cli_arg_index(a, "ifname"));
		return CLI_ERR;
	}
	char *slot = pending[pending_next++ % 8];
	snprintf(slot, IFNAME_MAX, "%s", name);
	cli_ask(cli, "Clear \"show interface\" counters on this interface "
		     "[confirm]", clear_counters_answer, slot);
	return CLI_OK;
}

/* Reload: every piece of the packet path's runtime state goes; the ports
 * and the protocol handlers other subsystems registered stay. */
static void packet_path_reset(void)
{
	arp_reset();
	ipv4_reset();
	gre_reset();
	icmp_reset();
	net_reset();
}

static const struct subsys net_subsys = {"packet path", packet_path_reset};

void net_init(void)
{
	core_register_subsys(&net_subsys);
	cli_install(MODE_EXEC, &clear_counters_exec_cmd);
	arp_init();
	ipv4_init();
	gre_init();
}
