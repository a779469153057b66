/* libFuzzer target: RF's and its clients' messages with valid IPC
 * headers around fuzzed payloads, so that every RF decoder (HELLO, STATE,
 * KEEPALIVE, BULK_REQ), the checkpoint control messages (BEGIN, END, ACK)
 * and the configuration digest's (BEGIN, SECTION, END) see arbitrary
 * bodies in every RF state. The input is records: a selector byte (client
 * and what to do: a message, the scheme's HSRP group to another state,
 * the link down and up), a type byte, a length byte, the payload. The
 * sequence numbers are kept right, so nothing is stopped at the header.
 * Crashes, sanitizer reports and hangs are the failures. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../core/core.h"
#include "../../router/router.h"
#include "../../cli/cli.h"
#include "../../platform/platform.h"
#include "../../hsrp/hsrp_int.h"
#include "../../ipc/ipc_int.h"
#include "../../ha/ha_int.h"

static uint32_t seq[3];
static const uint16_t client_ids[3] = {RF_CLIENT_INTERNAL,
				       RF_CLIENT_CONFIG_DIGEST, 0};

static int tx(unsigned id, uint16_t sid, const void *m, size_t len)
{
	return IPC_SENT;
}

static void link_cycle(void)
{
	ipc_chan_link(1, false);
	memset(seq, 0, sizeof seq);
	ipc_chan_link(1, true);
}

static void restart(unsigned id, const char *why)
{
	link_cycle();
}

static const struct ipc_transport cap = {.send = tx, .restart = restart};

static const char config[] =
	"redundancy inter-device\n"
	" scheme standby HA\n"
	"interface FastEthernet0/0\n"
	" ip address 10.0.0.1 255.255.255.0\n"
	" no shutdown\n"
	" standby 1 ip 10.0.0.3\n"
	" standby 1 name HA\n"
	"crypto isakmp policy 1\n"
	" authentication pre-share\n"
	"access-list 100 permit ip any any\n";

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	router_init();
	char err[64];
	nvram_write_startup(config, err, sizeof err);
	cli_exec_config_text(config, NULL);
	core_publish(EVT_BOOT_DONE, NULL);
	ipc_chan_set_transport(&cap);
	link_cycle();
	return 0;
}

static void set_group(uint8_t v)
{
	struct iface *ifp = iface_find("FastEthernet0/0");
	struct hsrp_if *hif = ifp ? hsrp_if_find(ifp) : NULL;
	struct hsrp_group *g = hif ? hsrp_group_find(hif, 1) : NULL;
	static const enum hsrp_state st[] = {HSRP_INIT, HSRP_LISTEN,
					     HSRP_SPEAK, HSRP_STANDBY,
					     HSRP_ACTIVE};
	if (g)
		hsrp_group_set_state(g, st[v % 5]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t off = 0;
	while (off + 3 <= size) {
		uint8_t sel = data[off], type = data[off + 1];
		size_t n = data[off + 2];
		off += 3;
		if (n > size - off)
			n = size - off;
		switch (sel % 5) {
		case 3:
			set_group(type);
			ev_run(core_loop, EVRUN_NOWAIT);
			continue;
		case 4:
			link_cycle();
			continue;
		}
		int c = sel % 5 == 2 ? 0 : sel % 5;
		uint8_t msg[IPC_HDR_LEN + 256];
		struct ipc_hdr h = {.version = IPC_MSG_VERSION,
				    .client = client_ids[c],
				    .type = (uint16_t)(sel % 5 == 2 ? type & 7
							: type % 8 + 1),
				    .seq = seq[c] + 1, .len = (uint32_t)n};
		if (h.type == 0)
			h.type = 1;
		if (sel % 5 == 2)
			h.client = RF_CLIENT_CONFIG_DIGEST;
		ipc_hdr_encode(&h, msg);
		memcpy(msg + IPC_HDR_LEN, data + off, n);
		uint64_t before = ipc_chan_stats()->rx_msgs;
		ipc_chan_input(1, 0, msg, IPC_HDR_LEN + n);
		if (ipc_chan_stats()->rx_msgs != before)
			seq[c]++;
		off += n;
	}
	ev_run(core_loop, EVRUN_NOWAIT);
	ipc_chan_set_transport(&cap);
	if (!ipc_link_up())
		link_cycle();
	return 0;
}
