/* libFuzzer target: arbitrary SCTP packets (IPv4 protocol 132) for a
 * configured association, through the router's receive path: the address
 * and port checks, the chunk counters, then usrsctp itself, whose
 * endpoint is waiting in COOKIE-WAIT. The first byte chooses: keep the
 * fuzzed ports and checksum, or force the association's ports, or also a
 * correct CRC32c (so usrsctp parses the chunks), or another source
 * address (a counted drop). Crashes, sanitizer reports and hangs are the
 * failures. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <usrsctp.h>

#include "../../core/core.h"
#include "../../router/router.h"
#include "../../cli/cli.h"
#include "../../platform/platform_int.h"

static struct iface *port;
static const uint8_t peer_mac[6] = {0x02, 0, 0, 0, 0, 2};

static void tx_check(struct iface *ifp, const uint8_t *frame, size_t len)
{
	if (len < 60 || len > ETH_MAX_FRAME)
		abort();
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	router_init();
	port_set_tx_hook(tx_check);
	port = iface_get("FastEthernet0/0");
	iface_set_attached(port, true);
	iface_set_carrier(port, true);
	cli_exec_config_text("ipc zone default\n"
			     " association 1\n"
			     "  no shutdown\n"
			     "  protocol sctp\n"
			     "   local-port 5000\n"
			     "    local-ip 10.0.0.1\n"
			     "   remote-port 5000\n"
			     "    remote-ip 10.0.0.2\n"
			     "interface FastEthernet0/0\n"
			     " ip address 10.0.0.1 255.255.255.0\n"
			     " no shutdown\n", NULL);
	core_publish(EVT_BOOT_DONE, NULL);
	return 0;
}

static uint16_t csum(const uint8_t *p, size_t n, uint32_t sum)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (n & 1)
		sum += (uint32_t)p[n - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1 || size > 1400)
		return 0;
	static uint8_t frame[1500];
	uint8_t mode = data[0];
	size_t n = size - 1;
	uint8_t *ip = frame + 14, *sctp = ip + 20;
	memcpy(frame, port->mac, 6);
	memcpy(frame + 6, peer_mac, 6);
	frame[12] = 0x08;
	frame[13] = 0x00;
	memset(ip, 0, 20);
	ip[0] = 0x45;
	ip[2] = (uint8_t)((20 + n) >> 8);
	ip[3] = (uint8_t)(20 + n);
	ip[8] = 64;
	ip[9] = 132;
	uint8_t src[4] = {10, 0, 0, (mode & 8) ? 9 : 2};
	uint8_t dst[4] = {10, 0, 0, 1};
	memcpy(ip + 12, src, 4);
	memcpy(ip + 16, dst, 4);
	uint16_t c = csum(ip, 20, 0);
	ip[10] = (uint8_t)(c >> 8);
	ip[11] = (uint8_t)c;
	memcpy(sctp, data + 1, n);
	if ((mode & 3) && n >= 12) {
		static const uint8_t ports[4] = {0x13, 0x88, 0x13, 0x88};
		memcpy(sctp, ports, 4);
	}
	if ((mode & 3) == 2 && n >= 12) {
		memset(sctp + 8, 0, 4);
		uint32_t crc = usrsctp_crc32c(sctp, n);
		memcpy(sctp + 8, &crc, 4);
	}
	size_t len = 14 + 20 + n;
	if (len < 60) {
		memset(frame + len, 0, 60 - len);
		len = 60;
	}
	struct frame_rx f = {.ifp = port, .data = frame, .len = len};
	ether_input(&f);
	ev_run(core_loop, EVRUN_NOWAIT);
	return 0;
}
