/* libFuzzer target: ESP and AH input (RFC 4303, 4302, ESP in UDP 3948)
 * through the real receive path, and the outbound path behind it.
 *
 * The router has manually keyed SAs whose inbound and outbound halves
 * share SPI and keys, so a packet it encrypts is one it also accepts:
 *   entry 50  esp-aes esp-sha-hmac        SPI 0x1000  192.168/16 both ways
 *             (the last: the ones above take their subnets first)
 *   entry 20  ah-md5-hmac esp-3des        SPI 0x2000 (ESP) 0x3000 (AH)
 *             (its AH does not survive the round trip below: the ICV
 *             covers the addresses that are swapped)
 *   entry 30  esp-gcm                     SPI 0x4000  192.168.6/23 both ways
 *   entry 40  esp-null esp-sha-hmac in UDP 4500, installed as the IKE
 *             engine would (sadb_add)     SPI 0x5000  192.168.8/23 both ways
 * The first input byte picks what the rest is:
 *   bits 0-1  0 ESP payload, 1 AH payload, 2 ESP in UDP 4500,
 *             3 an IP packet from the LAN host: what the router encrypts
 *             is fed back to it as received from the peer (decrypt, the
 *             proxy check, forwarding)
 *   bit 2     put a known SPI (bits 3-4 choose which) in the header, to
 *             get past the SPI lookup
 * Transmitted frames go to a hook that keeps the last ESP/AH one and
 * checks every frame's length. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../core/core.h"
#include "../../router/router.h"
#include "../../crypto/sadb.h"
#include "../../platform/platform_int.h"

static struct iface *wan, *lan;
static uint8_t last[ETH_MAX_FRAME];
static size_t last_len;
static const uint8_t peer_mac[6] = {0x02, 0, 0, 0, 0, 0x22};
static const uint8_t host_mac[6] = {0x02, 0, 0, 0, 0, 0x10};

static void tx_check(struct iface *ifp, const uint8_t *frame, size_t len)
{
	if (len < 60 || len > ETH_MAX_FRAME)
		abort();
	if (ifp == wan && len > 34 && frame[12] == 8 && frame[13] == 0 &&
	    (frame[23] == 50 || frame[23] == 51 || frame[23] == 17)) {
		memcpy(last, frame, len);
		last_len = len;
	}
}

static void udp4500(const struct ip_rx *rx)
{
	sadb_udp_input(rx);
}

static uint32_t ip(const char *s)
{
	uint32_t a = 0;
	ip_parse(s, &a);
	return a;
}

static void feed(struct iface *ifp, const uint8_t *f, size_t n)
{
	struct frame_rx fr = {.ifp = ifp, .data = f, .len = n};
	ether_input(&fr);
}

static size_t ether_ip(uint8_t *f, const uint8_t *dmac, const uint8_t *smac,
		       uint32_t src, uint32_t dst, uint8_t proto, size_t len)
{
	memcpy(f, dmac, 6);
	memcpy(f + 6, smac, 6);
	f[12] = 8;
	f[13] = 0;
	uint8_t *h = f + 14;
	memset(h, 0, 20);
	h[0] = 0x45;
	h[2] = (uint8_t)((20 + len) >> 8);
	h[3] = (uint8_t)(20 + len);
	h[8] = 64;
	h[9] = proto;
	memcpy(h + 12, &src, 4);
	memcpy(h + 16, &dst, 4);
	uint16_t c = inet_csum(h, 20, 0);
	h[10] = (uint8_t)(c >> 8);
	h[11] = (uint8_t)c;
	return 34;
}

static void learn(struct iface *ifp, const uint8_t *mac, const char *addr)
{
	uint8_t f[42] = {0};
	memset(f, 0xff, 6);
	memcpy(f + 6, mac, 6);
	f[12] = 8;
	f[13] = 6;
	uint8_t *a = f + 14;
	a[1] = 1;
	a[2] = 8;
	a[4] = 6;
	a[5] = 4;
	a[7] = 1;
	memcpy(a + 8, mac, 6);
	uint32_t s = ip(addr), t = iface_addr(ifp);
	memcpy(a + 14, &s, 4);
	memcpy(a + 24, &t, 4);
	feed(ifp, f, sizeof f);
}

#define K16 "000102030405060708090a0b0c0d0e0f"
#define K20 K16 "10111213"
#define K24 K16 "1011121314151617"

static void udp_sas(void)
{
	for (int in = 0; in < 2; in++) {
		struct ipsec_sa_data d;
		memset(&d, 0, sizeof d);
		d.spi = 0x5000;
		d.proto = 50;
		d.inbound = in;
		d.tunnel = true;
		d.enc = XF_ESP_NULL;
		d.auth = XF_ESP_SHA;
		d.auth_key_len = 20;
		for (int i = 0; i < 20; i++)
			d.auth_key[i] = (uint8_t)i;
		d.local = ip("10.0.0.1");
		d.peer = ip("10.0.0.2");
		d.local_port = d.peer_port = 4500;
		d.sel.local = (struct sa_proxy){ip("192.168.8.0"), ip("255.255.254.0"), 0, 0};
		d.sel.remote = d.sel.local;
		d.window_size = 64;
		strcpy(d.map, "mm");
		d.map_seq = 40;
		d.bundle = 77;
		sadb_add(&d);
	}
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	router_init();
	port_set_tx_hook(tx_check);
	udp_register_port(4500, udp4500);
	wan = iface_get("FastEthernet0/0");
	lan = iface_get("FastEthernet0/1");
	for (int i = 0; i < 2; i++) {
		struct iface *f = i ? lan : wan;
		iface_set_attached(f, true);
		iface_set_carrier(f, true);
	}
	cli_exec_config_text(
		"interface FastEthernet0/0\n ip address 10.0.0.1 255.255.255.0\n"
		"interface FastEthernet0/1\n ip address 192.168.1.1 255.255.255.0\n"
		"ip route 192.168.0.0 255.255.0.0 10.0.0.2\n"
		"access-list 101 permit ip 192.168.0.0 0.0.255.255 192.168.0.0 0.0.255.255\n"
		"access-list 102 permit ip 192.168.1.0 0.0.0.255 192.168.4.0 0.0.0.255\n"
		"access-list 103 permit ip 192.168.6.0 0.0.1.255 192.168.6.0 0.0.1.255\n"
		"access-list 104 permit ip 192.168.8.0 0.0.1.255 192.168.8.0 0.0.1.255\n"
		"crypto ipsec transform-set a esp-aes esp-sha-hmac\n"
		"crypto ipsec transform-set b ah-md5-hmac esp-3des\n"
		"crypto ipsec transform-set g esp-gcm\n"
		"crypto ipsec transform-set n esp-null esp-sha-hmac\n"
		"crypto map mm 50 ipsec-manual\n set peer 10.0.0.2\n"
		" set transform-set a\n match address 101\n"
		" set session-key inbound esp 4096 cipher " K16 " authenticator " K20 "\n"
		" set session-key outbound esp 4096 cipher " K16 " authenticator " K20 "\n"
		"crypto map mm 20 ipsec-manual\n set peer 10.0.0.2\n"
		" set transform-set b\n match address 102\n"
		" set session-key inbound esp 8192 cipher " K24 "\n"
		" set session-key outbound esp 8192 cipher " K24 "\n"
		" set session-key inbound ah 12288 " K16 "\n"
		" set session-key outbound ah 12288 " K16 "\n"
		"crypto map mm 30 ipsec-manual\n set peer 10.0.0.2\n"
		" set transform-set g\n match address 103\n"
		" set session-key inbound esp 16384 cipher " K20 "\n"
		" set session-key outbound esp 16384 cipher " K20 "\n"
		"crypto map mm 40 ipsec-isakmp\n set peer 10.0.0.2\n"
		" set transform-set n\n match address 104\n"
		"interface FastEthernet0/0\n crypto map mm\n", NULL);
	ev_run(core_loop, EVRUN_NOWAIT);     /* the policy, the manual SAs */
	udp_sas();
	learn(wan, peer_mac, "10.0.0.2");
	learn(lan, host_mac, "192.168.1.10");
	return 0;
}

/* From the peer: PROTO with PAYLOAD (UDP: in a 4500 -> 4500 datagram). */
static void from_peer(uint8_t proto, const uint8_t *p, size_t n)
{
	static uint8_t f[ETH_MAX_FRAME + 64];
	size_t udp = proto == 17 ? 8 : 0;
	if (n + udp + 34 > ETH_MAX_FRAME)
		n = ETH_MAX_FRAME - udp - 34;
	size_t h = ether_ip(f, wan->mac, peer_mac, ip("10.0.0.2"), ip("10.0.0.1"),
			    proto, n + udp);
	if (udp) {
		uint8_t *u = f + h;
		u[0] = 0x11, u[1] = 0x94, u[2] = 0x11, u[3] = 0x94;
		u[4] = (uint8_t)((n + 8) >> 8);
		u[5] = (uint8_t)(n + 8);
		u[6] = u[7] = 0;
	}
	memcpy(f + h + udp, p, n);
	feed(wan, f, h + udp + n);
}

/* What the router encrypted, back to it as the peer's. */
static void round_trip(const uint8_t *p, size_t n)
{
	static uint8_t f[ETH_MAX_FRAME + 64];
	if (n + 14 > ETH_MAX_FRAME)
		n = ETH_MAX_FRAME - 14;
	memcpy(f, lan->mac, 6);
	memcpy(f + 6, host_mac, 6);
	f[12] = 8;
	f[13] = 0;
	memcpy(f + 14, p, n);
	last_len = 0;
	feed(lan, f, 14 + n);
	if (last_len < 34)
		return;
	uint8_t proto = last[23];
	size_t tot = (size_t)(last[16] << 8 | last[17]);   /* no Ethernet pad */
	size_t udp = proto == 17 ? 8 : 0;
	if (tot < 20 + udp || 14 + tot > last_len)
		return;
	from_peer(proto, last + 34 + udp, tot - 20 - udp);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1 || size > 4096)
		return 0;
	static uint8_t buf[4096];
	uint8_t mode = data[0];
	size_t n = size - 1;
	memcpy(buf, data + 1, n);
	static const uint32_t spis[4] = {0x1000, 0x2000, 0x4000, 0x5000};
	uint32_t spi = (mode & 0x18) == 0x08 && (mode & 3) == 1 ? 0x3000
		     : spis[(mode >> 3) & 3];
	if (mode & 4) {
		size_t at = (mode & 3) == 1 ? 4 : 0;
		if (n >= at + 4) {
			buf[at] = (uint8_t)(spi >> 24);
			buf[at + 1] = (uint8_t)(spi >> 16);
			buf[at + 2] = (uint8_t)(spi >> 8);
			buf[at + 3] = (uint8_t)spi;
		}
	}
	switch (mode & 3) {
	case 0: from_peer(50, buf, n); break;
	case 1: from_peer(51, buf, n); break;
	case 2: from_peer(17, buf, n); break;
	case 3: round_trip(buf, n); break;
	}
	ev_run(core_loop, EVRUN_NOWAIT);
	return 0;
}
