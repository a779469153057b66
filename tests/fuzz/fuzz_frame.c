/* libFuzzer target: arbitrary bytes as one Ethernet frame arriving on a
 * live port, through the real receive path (filter, counters, ARP, IPv4,
 * ICMP, UDP demux, forwarding between two interfaces). The first byte
 * picks the port and whether the destination MAC is forced to the
 * router's own, so that the fuzzer gets past the filter. Transmitted
 * frames go to a hook that checks them. Crashes, sanitizer reports and
 * hangs are the failures. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../core/core.h"
#include "../../router/router.h"
#include "../../platform/platform_int.h"

static struct iface *ports[2];

static void tx_check(struct iface *ifp, const uint8_t *frame, size_t len)
{
	if (len < 60 || len > ETH_MAX_FRAME)
		abort();
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	router_init();
	port_set_tx_hook(tx_check);
	ports[0] = iface_get("FastEthernet0/0");
	ports[1] = iface_get("FastEthernet0/1");
	for (int i = 0; i < 2; i++) {
		iface_set_attached(ports[i], true);
		iface_set_carrier(ports[i], true);
	}
	cli_exec_config_text("interface FastEthernet0/0\n"
			     " ip address 10.0.0.1 255.255.255.0\n"
			     "interface FastEthernet0/1\n"
			     " ip address 10.1.0.1 255.255.255.0\n"
			     "access-list 101 deny udp any any eq 9\n"
			     "access-list 101 permit ip any any\n"
			     "interface FastEthernet0/1\n"
			     " ip access-group 101 out\n", NULL);
	ip_mcast_join(ports[0], 0x020000e0);  /* 224.0.0.2 */
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1 || size > 4096)
		return 0;
	static uint8_t frame[4096];
	struct iface *ifp = ports[data[0] & 1];
	memcpy(frame, data + 1, size - 1);
	if ((data[0] & 2) && size - 1 >= 6)
		memcpy(frame, ifp->mac, 6);
	struct frame_rx f = {.ifp = ifp, .data = frame, .len = size - 1,
			     .csum_partial = data[0] & 4};
	ether_input(&f);
	/* run what the frame scheduled (packets to the router itself) */
	ev_run(core_loop, EVRUN_NOWAIT);
	return 0;
}
