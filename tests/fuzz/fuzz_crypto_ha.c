/* libFuzzer target: the crypto HA manager's decoders, the standby's whole
 * input. The input is records: a selector byte (IKE or IPsec client, a
 * message type, or "the group goes Active / back to Standby" so that
 * takeover runs over whatever was installed), a 2-byte length, the
 * attributes. The harness puts a valid header around them (version,
 * length, the VIP, the next sequence number), so every attribute decoder,
 * the installation of IKE SAs and bundles, updates, deletes and takeover
 * see arbitrary contents; every 16th record is passed raw instead, so the
 * header checks are fuzzed too. Crashes, sanitizer reports and leaks are
 * the failures. */
#include <arpa/inet.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "../../core/core.h"
#include "../../router/router.h"
#include "../../cli/cli.h"
#include "../../platform/platform.h"
#include "../../hsrp/hsrp_int.h"
#include "../../crypto/ha_int.h"

static const char config[] =
	"crypto isakmp policy 1\n"
	" authentication pre-share\n"
	"crypto ipsec transform-set TS esp-aes esp-sha-hmac\n"
	"crypto ipsec transform-set AH ah-md5-hmac esp-3des\n"
	"crypto map CM 10 ipsec-isakmp\n"
	" set peer 10.0.0.4\n"
	" set transform-set TS AH\n"
	" match address 101\n"
	"interface FastEthernet0/0\n"
	" ip address 10.0.0.2 255.255.255.0\n"
	" standby 1 ip 10.0.0.3\n"
	" standby 1 name HA-out\n"
	" crypto map CM redundancy HA-out stateful\n"
	"access-list 101 permit ip 10.1.0.0 0.0.0.255 10.5.0.0 0.0.0.255\n";

static uint32_t seq[2];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	router_init();
	cli_exec_config_text(config, NULL);
	core_publish(EVT_BOOT_DONE, NULL);
	return 0;
}

static void set_group(bool active)
{
	struct iface *ifp = iface_find("FastEthernet0/0");
	struct hsrp_if *hif = ifp ? hsrp_if_find(ifp) : NULL;
	struct hsrp_group *g = hif ? hsrp_group_find(hif, 1) : NULL;
	if (g)
		hsrp_group_set_state(g, active ? HSRP_ACTIVE : HSRP_STANDBY);
	ev_run(core_loop, EVRUN_NOWAIT);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t off = 0;
	unsigned rec = 0;
	uint32_t vip = htonl(0x0a000003);
	while (off + 3 <= size) {
		uint8_t sel = data[off];
		size_t n = (size_t)data[off + 1] << 8 | data[off + 2];
		off += 3;
		if (n > HA_MSG_MAX - HA_HDR_LEN)
			n = HA_MSG_MAX - HA_HDR_LEN;
		if (n > size - off)
			n = size - off;
		if (sel % 9 == 8) {
			set_group(sel & 0x80);
			off += n;
			continue;
		}
		bool ipsec = sel & 1;
		uint16_t type = (uint16_t)((sel >> 1) % 5);   /* 0 and 4 invalid */
		void (*recv)(void *, uint16_t, const uint8_t *, size_t) =
			ipsec ? ha_ipsec_recv : ha_ike_recv;
		if (++rec % 16 == 0) {
			recv(NULL, type, data + off, n);
			off += n;
			continue;
		}
		struct ha_out o;
		ha_out_begin(&o, type, HA_FLAG_ACTIVE, vip);
		memcpy(o.b + HA_HDR_LEN, data + off, n);
		o.len += n;
		ha_out_finish(&o, seq[ipsec]++);
		recv(NULL, type, o.b, o.len);
		off += n;
	}
	set_group(false);
	return 0;
}
