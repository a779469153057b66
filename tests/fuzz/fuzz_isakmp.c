/* libFuzzer target: ISAKMP datagrams to UDP 500 and 4500 of a router
 * whose crypto map is applied (so ISAKMP is on), through the whole IKE
 * receive path: the header and payload checks, the responder's Main Mode
 * (policy choice, key exchange, decryption of message 5), unknown
 * cookies, Informational and Quick Mode drops, NAT keepalives and ESP in
 * UDP. The decoders are also called directly on the raw bytes.
 *
 * Input: one byte of flags (bit 0: UDP 4500), then datagrams, each a
 * 2-byte big-endian length and that many bytes (what does not fit is one
 * last datagram). A datagram whose responder cookie reads "RCKYRCKY" gets
 * the cookie of the last SA the router made, so a sequence reaches past
 * message 1. Crashes, sanitizer reports and hangs are the failures; every
 * bad datagram must end as a counted drop. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "../../core/core.h"
#include "../../cli/cli.h"
#include "../../platform/platform.h"
#include "../../crypto/ike.h"
#include "../../router/router.h"

static struct iface *ifp;
static const uint8_t mac[6] = {0x02, 0, 0, 0, 0, 2};

static const char config[] =
	"interface FastEthernet0/0\n"
	" ip address 10.0.0.1 255.255.255.0\n"
	" no shutdown\n"
	"crypto isakmp policy 10\n"
	" encr aes\n"
	" authentication pre-share\n"
	" group 2\n"
	"crypto isakmp policy 20\n"
	" encr 3des\n"
	" hash md5\n"
	" authentication pre-share\n"
	" group 2\n"
	"crypto isakmp key cisco123 address 0.0.0.0 0.0.0.0\n"
	"crypto isakmp keepalive 10 2 periodic\n"
	"crypto ipsec transform-set TS esp-aes esp-sha-hmac\n"
	"access-list 101 permit ip 192.168.1.0 0.0.0.255 192.168.2.0 0.0.0.255\n"
	"crypto map CM 10 ipsec-isakmp\n"
	" set peer 10.0.0.2\n"
	" set transform-set TS\n"
	" match address 101\n"
	"crypto dynamic-map DYN 10\n"
	" set transform-set TS\n"
	"crypto map CM 20 ipsec-isakmp dynamic DYN\n"
	"interface FastEthernet0/0\n"
	" crypto map CM\n";

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	router_init();
	cli_exec_config_text(config, NULL);
	ifp = iface_find("FastEthernet0/0");
	iface_set_carrier(ifp, true);
	return 0;
}

static void newest_rcky(struct ike_sa *sa, void *ctx)
{
	memcpy(ctx, sa->d.rcky, 8);
}

static void decoders(const uint8_t *p, size_t n)
{
	struct isakmp_hdr h;
	static struct isakmp_msg m;
	static struct isakmp_sa sa;
	struct isakmp_ident id;
	struct isakmp_notify_pl no;
	struct isakmp_delete_pl d;
	isakmp_parse_hdr(p, n, &h);
	if (n > ISAKMP_HDR_LEN)
		isakmp_parse_chain(p[16], p + ISAKMP_HDR_LEN, n - ISAKMP_HDR_LEN,
				   true, &m);
	isakmp_parse_sa(p, n, &sa);
	isakmp_parse_id(p, n, &id);
	isakmp_parse_notify(p, n, &no);
	isakmp_parse_delete(p, n, &d);
}

static void datagram(bool natt, const uint8_t *p, size_t n)
{
	static uint8_t buf[ISAKMP_MAX_MSG + 64];
	if (n > sizeof buf)
		n = sizeof buf;
	memcpy(buf, p, n);
	size_t off = natt && n >= 4 && !memcmp(buf, "\0\0\0\0", 4) ? 4 : 0;
	if (n >= off + 16 && !memcmp(buf + off + 8, "RCKYRCKY", 8))
		ike_sa_foreach(newest_rcky, buf + off + 8);
	decoders(buf + off, n - off);
	struct ip_rx rx = {
		.ifp = ifp, .src_mac = mac,
		.src = htonl(0x0a000002), .dst = htonl(0x0a000001),
		.proto = 17, .ttl = 64,
		.sport = natt ? 4500 : 500, .dport = natt ? 4500 : 500,
		.payload = buf, .len = n,
	};
	if (natt)
		ike_udp4500(&rx);
	else
		ike_udp500(&rx);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1 || size > 16384)
		return 0;
	bool natt = data[0] & 1;
	size_t off = 1;
	for (int i = 0; off < size && i < 8; i++) {
		size_t n = size - off;
		if (n >= 2 && ((size_t)data[off] << 8 | data[off + 1]) <= n - 2) {
			n = (size_t)data[off] << 8 | data[off + 1];
			off += 2;
		}
		datagram(natt, data + off, n);
		off += n;
	}
	ev_run(core_loop, EVRUN_NOWAIT);
	/* every SA and exchange the input made goes, as at a reload */
	ike_reset();
	return 0;
}
