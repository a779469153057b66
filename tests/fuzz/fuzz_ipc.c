/* libFuzzer target: arbitrary bytes as the messages a peer sends on the
 * IPC link, through the channel's checks (version, header, length,
 * client, type, order) into RF, the checkpoint control messages and the
 * configuration digest client of a router whose scheme is bound and whose
 * link is up. The input is cut into messages by a length byte in front of
 * each; a zero length takes the link down and up again (a new peer). The
 * transport is a capture. Crashes, sanitizer reports and hangs are the
 * failures; a bad message must end as a counted drop. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../core/core.h"
#include "../../router/router.h"
#include "../../cli/cli.h"
#include "../../ipc/ipc_int.h"

static int tx(unsigned id, uint16_t sid, const void *m, size_t len)
{
	if (len < IPC_HDR_LEN)
		abort();     /* the router never sends less than a header */
	return IPC_SENT;
}

static void restart(unsigned id, const char *why)
{
	ipc_chan_link(id, false);
	ipc_chan_link(id, true);
}

static const struct ipc_transport cap = {.send = tx, .restart = restart};

static const char config[] =
	"redundancy inter-device\n"
	" scheme standby HA\n"
	"interface FastEthernet0/0\n"
	" ip address 10.0.0.1 255.255.255.0\n"
	" standby 1 ip 10.0.0.3\n"
	" standby 1 name HA\n"
	"crypto isakmp policy 1\n"
	" authentication pre-share\n";

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	router_init();
	char err[64];
	nvram_write_startup(config, err, sizeof err);
	cli_exec_config_text(config, NULL);
	core_publish(EVT_BOOT_DONE, NULL);
	ipc_chan_set_transport(&cap);
	ipc_chan_link(1, true);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t off = 0;
	while (off < size) {
		size_t n = data[off++];
		if (n == 0) {
			restart(1, "fuzz");
			continue;
		}
		if (n > size - off)
			n = size - off;
		ipc_chan_input(1, 0, data + off, n);
		off += n;
	}
	/* what the messages scheduled (a reload, say), then back to a link */
	ev_run(core_loop, EVRUN_NOWAIT);
	ipc_chan_set_transport(&cap);
	if (!ipc_link_up()) {
		ipc_chan_link(1, false);
		ipc_chan_link(1, true);
	}
	return 0;
}
