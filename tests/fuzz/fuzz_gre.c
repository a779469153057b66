/* libFuzzer target: arbitrary bytes as the payload of a GRE packet (IP 47)
 * arriving from a tunnel's destination to its source, through the real
 * receive path (IPv4, the GRE decoder, the tunnel lookup, the inner packet
 * processed as arrived on the tunnel: local delivery, forwarding, a
 * tunnel inside the tunnel). The first byte picks which tunnel's ends the
 * outer header carries: Tunnel0 (routes the inner traffic back out of
 * itself: recursive), Tunnel1, or none. Transmitted frames are checked. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../core/core.h"
#include "../../router/router.h"
#include "../../platform/platform_int.h"

static struct iface *wan;

static void tx_check(struct iface *ifp, const uint8_t *frame, size_t len)
{
	if (len < 60 || len > ETH_MAX_FRAME)
		abort();
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	router_init();
	port_set_tx_hook(tx_check);
	wan = iface_get("FastEthernet0/0");
	iface_set_attached(wan, true);
	iface_set_carrier(wan, true);
	cli_exec_config_text("interface FastEthernet0/0\n"
			     " ip address 10.0.0.1 255.255.255.0\n"
			     "interface Loopback0\n"
			     " ip address 1.1.1.1 255.255.255.255\n"
			     "interface Tunnel0\n"
			     " ip address 172.16.0.1 255.255.255.252\n"
			     " tunnel source 10.0.0.1\n"
			     " tunnel destination 10.0.0.2\n"
			     "interface Tunnel1\n"
			     " ip unnumbered Loopback0\n"
			     " tunnel source FastEthernet0/0\n"
			     " tunnel destination 10.0.0.3\n"
			     "ip route 10.0.0.2 255.255.255.255 Tunnel0\n"
			     "ip route 192.168.0.0 255.255.0.0 Tunnel1\n", NULL);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1 || size > 2048)
		return 0;
	static uint8_t frame[14 + 20 + 2048];
	static const uint8_t srcs[3] = {2, 3, 9};
	memcpy(frame, wan->mac, 6);
	memcpy(frame + 6, "\x02\x00\x00\x00\x00\x22", 6);
	frame[12] = 0x08;
	frame[13] = 0x00;
	uint8_t *ip = frame + 14;
	size_t len = 20 + size - 1;
	memset(ip, 0, 20);
	ip[0] = 0x45;
	ip[2] = (uint8_t)(len >> 8);
	ip[3] = (uint8_t)len;
	ip[8] = 64;
	ip[9] = 47;
	memcpy(ip + 12, "\x0a\x00\x00", 3);
	ip[15] = srcs[data[0] % 3];
	memcpy(ip + 16, "\x0a\x00\x00\x01", 4);
	uint16_t c = inet_csum(ip, 20, 0);
	ip[10] = (uint8_t)(c >> 8);
	ip[11] = (uint8_t)c;
	memcpy(ip + 20, data + 1, size - 1);
	struct frame_rx f = {.ifp = wan, .data = frame, .len = 14 + len};
	ether_input(&f);
	ev_run(core_loop, EVRUN_NOWAIT);
	return 0;
}
