/* libFuzzer target: arbitrary bytes as the payload of a UDP 1985 packet,
 * through the whole receive path (IP header checks, decode, version and
 * group checks, authentication, the state machine) of a router with a v1
 * group using text authentication, v2 groups using MD5 with a key-string
 * (group 1) and with a key chain (group 2), all Listening. The first
 * byte picks the interface (bit 0) and spoils the IP header: bit 1 TTL
 * 64, bit 2 a unicast destination, bit 3 a source off the subnet, bit 4
 * the router's own address as the source (0: a neighbour's packet as it
 * should be). Crashes, sanitizer reports and hangs are the failures;
 * every bad packet must end as a counted drop. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../core/core.h"
#include "../../router/router.h"
#include "../../cli/cli.h"
#include "../../platform/platform.h"
#include "../../hsrp/hsrp_int.h"

static struct iface *ifs[2];

static const char config[] =
	"key chain FZ\n"
	" key 1\n"
	"  key-string one\n"
	" key 2\n"
	"  key-string two\n"
	"interface FastEthernet0/0\n"
	" ip address 10.0.0.1 255.255.255.0\n"
	" no shutdown\n"
	" standby 1 ip 10.0.0.254\n"
	" standby 1 preempt\n"
	"interface FastEthernet0/1\n"
	" ip address 10.1.0.1 255.255.255.0\n"
	" no shutdown\n"
	" standby version 2\n"
	" standby 1 ip\n"
	" standby 1 authentication md5 key-string fuzz\n"
	" standby 2 ip\n"
	" standby 2 authentication md5 key-chain FZ\n";

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	router_init();
	cli_exec_config_text(config, NULL);
	ifs[0] = iface_find("FastEthernet0/0");
	ifs[1] = iface_find("FastEthernet0/1");
	for (int i = 0; i < 2; i++) {
		iface_set_carrier(ifs[i], true);
		hsrp_fsm_delay_expire(hsrp_if_find(ifs[i]));
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	static const uint8_t mac[6] = { 0, 0, 0x0c, 0x07, 0xac, 1 };
	unsigned i = data[0] & 1;
	uint32_t net = 0x0a000000u | i << 16;   /* 10.0.0.0, 10.1.0.0 */
	struct ip_rx rx = {
		.ifp = ifs[i],
		.src_mac = mac,
		.src = htonl(data[0] & 8 ? 0xc0000202u    /* 192.0.2.2 */
			     : net | (data[0] & 16 ? 1 : 2)),
		.dst = htonl(data[0] & 4 ? net | 1
			     : i ? HSRP_V2_GROUP_ADDR : HSRP_V1_GROUP_ADDR),
		.proto = 17,
		.ttl = data[0] & 2 ? 64 : 1,
		.sport = 1985,
		.dport = 1985,
		.payload = data + 1,
		.len = size - 1,
	};
	hsrp_receive(&rx);
	return 0;
}
