/* The engine's data plane: the platform's packet path (UDP port 1985,
 * multicast membership, virtual addresses and MACs). Kept apart from the
 * state machine so the unit tests can put a capture in its place. */
#include "hsrp_int.h"

static int io_send(struct iface *ifp, const uint8_t *src_mac, uint32_t dst,
		   const void *buf, size_t len)
{
	/* link-local multicast out of the group's interface, TTL 1 (RFC
	 * 2281), from the interface's address */
	struct ip_tx_opts o = { .ifp = ifp, .src_mac = src_mac, .ttl = 1 };
	return udp_send(iface_addr(ifp), dst, HSRP_PORT, HSRP_PORT, buf, len,
			&o);
}

static const struct hsrp_io platform_io = {
	.send = io_send,
	.vaddr_add = ip_vaddr_add,
	.vaddr_del = ip_vaddr_del,
	.mac_add = iface_mac_filter_add,
	.mac_del = iface_mac_filter_del,
	.mcast_join = ip_mcast_join,
	.mcast_leave = ip_mcast_leave,
};

void hsrp_io_init(void)
{
	hsrp_io_set(&platform_io);
	udp_register_port(HSRP_PORT, hsrp_receive);
}
