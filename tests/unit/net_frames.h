/* For unit tests of the packet path: frames go in through ether_input (the
 * port's receive path) and what the router transmits is caught by the
 * port's transmit hook (port_set_tx_hook(tx_hook)). Include after
 * cmocka.h; private to the tests that include it. */
#ifndef IOSIM_TEST_NET_FRAMES_H
#define IOSIM_TEST_NET_FRAMES_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../cli/cli.h"
#include "../../cli/session.h"
#include "../../core/core.h"
#include "../../platform/platform_int.h"

#define NF_UNUSED __attribute__((unused))

/* ---- captured transmissions ---------------------------------------------- */

#define MAXTX 64
NF_UNUSED static struct {
	struct iface *ifp;
	uint8_t data[ETH_MAX_FRAME];
	size_t len;
} tx[MAXTX];
NF_UNUSED static int ntx;

NF_UNUSED static void tx_hook(struct iface *ifp, const uint8_t *frame, size_t len)
{
	assert_true(len <= ETH_MAX_FRAME);
	assert_true(len >= 60);   /* padded to the Ethernet minimum */
	if (ntx == MAXTX)
		return;
	tx[ntx].ifp = ifp;
	memcpy(tx[ntx].data, frame, len);
	tx[ntx].len = len;
	ntx++;
}

NF_UNUSED static struct iface *fa0, *fa1;
NF_UNUSED static const uint8_t host_mac[6] = {0x02, 0, 0, 0, 0, 0x10};
NF_UNUSED static const uint8_t host2_mac[6] = {0x02, 0, 0, 0, 0, 0x20};

/* FastEthernet0/0 and 0/1 as fa0/fa1, attached, their carrier up. */
NF_UNUSED static void attach_fa0_fa1(void)
{
	fa0 = iface_get("FastEthernet0/0");
	fa1 = iface_get("FastEthernet0/1");
	for (int i = 0; i < 2; i++) {
		struct iface *f = i ? fa1 : fa0;
		iface_set_attached(f, true);
		iface_set_carrier(f, true);
	}
}

NF_UNUSED static uint32_t A(const char *s)
{
	uint32_t a;
	assert_true(ip_parse(s, &a));
	return a;
}

NF_UNUSED static void sbuf_io(void *io, const char *s, size_t n)
{
	sbuf_add(io, s, n);
}

/* Run LINES at privileged EXEC in one session; returns the output, with
 * each question the router asked (the console prints those) in front of
 * the answer line. An empty line answers [confirm] with Return. */
NF_UNUSED static char *exec_lines(const char *lines)
{
	struct sbuf out;
	sbuf_init(&out);
	struct cli_io io = {.write = sbuf_io, .io = &out, .origin = "console"};
	struct cli *c = cli_session_new(&io, MODE_EXEC);
	const char *p = lines;
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		char *l = strndup(p, n);
		char prompt[256];
		cli_session_prompt(c, prompt, sizeof prompt);
		if (!strchr(prompt, '#'))
			sbuf_printf(&out, "%s\n", prompt);
		cli_session_line(c, l);
		free(l);
		p += n + (nl ? 1 : 0);
	}
	cli_session_free(c);
	char *s = sbuf_take(&out);
	return s ? s : xstrdup("");
}

/* CMD's output holds TEXT (PRESENT), or does not; the output is printed
 * when it fails. */
NF_UNUSED static void assert_shows(const char *cmd, const char *text, bool present)
{
	char *out = exec_lines(cmd);
	bool ok = (strstr(out, text) != NULL) == present;
	if (!ok)
		print_error("%s: %s'%s' in:\n%s\n", cmd, present ? "no " : "",
			    text, out);
	free(out);
	assert_true(ok);
}

NF_UNUSED static int cfg(const char *text)
{
	return cli_exec_config_text(text, NULL);
}

/* ---- frame builders --------------------------------------------------------- */

NF_UNUSED static size_t eth(uint8_t *f, const uint8_t *dst, const uint8_t *src,
		  uint16_t type)
{
	memcpy(f, dst, 6);
	memcpy(f + 6, src, 6);
	f[12] = (uint8_t)(type >> 8);
	f[13] = (uint8_t)type;
	return 14;
}

NF_UNUSED static size_t ip_hdr(uint8_t *p, uint32_t src, uint32_t dst, uint8_t proto,
		     uint8_t ttl, size_t payload)
{
	memset(p, 0, 20);
	p[0] = 0x45;
	p[2] = (uint8_t)((20 + payload) >> 8);
	p[3] = (uint8_t)(20 + payload);
	p[4] = 0x12;
	p[8] = ttl;
	p[9] = proto;
	memcpy(p + 12, &src, 4);
	memcpy(p + 16, &dst, 4);
	uint16_t c = inet_csum(p, 20, 0);
	p[10] = (uint8_t)(c >> 8);
	p[11] = (uint8_t)c;
	return 20;
}

NF_UNUSED static void feed(struct iface *ifp, const uint8_t *f, size_t len)
{
	struct frame_rx fr = {.ifp = ifp, .data = f, .len = len};
	ether_input(&fr);
}

NF_UNUSED static size_t echo_req(uint8_t *f, const uint8_t *dmac, uint32_t src,
		       uint32_t dst, uint8_t ttl, uint16_t seq)
{
	size_t n = eth(f, dmac, host_mac, 0x0800);
	uint8_t *ip = f + n;
	uint8_t *ic = ip + 20;
	memset(ic, 0, 8 + 32);
	ic[0] = 8;
	ic[5] = 7;
	ic[6] = (uint8_t)(seq >> 8);
	ic[7] = (uint8_t)seq;
	for (int i = 0; i < 32; i++)
		ic[8 + i] = (uint8_t)i;
	uint16_t c = inet_csum(ic, 40, 0);
	ic[2] = (uint8_t)(c >> 8);
	ic[3] = (uint8_t)c;
	ip_hdr(ip, src, dst, 1, ttl, 40);
	return n + 20 + 40;
}

NF_UNUSED static size_t arp_frame(uint8_t *f, uint16_t op, const uint8_t *sha,
			uint32_t spa, uint32_t tpa, const uint8_t *edst)
{
	size_t n = eth(f, edst, sha, 0x0806);
	uint8_t *a = f + n;
	memset(a, 0, 28);
	a[1] = 1;
	a[2] = 8;
	a[4] = 6;
	a[5] = 4;
	a[7] = (uint8_t)op;
	memcpy(a + 8, sha, 6);
	memcpy(a + 14, &spa, 4);
	memcpy(a + 24, &tpa, 4);
	return n + 28;
}

/* Teach the router HOST's MAC for ADDR on IFP (an ARP request to it). */
NF_UNUSED static void learn_host(struct iface *ifp, const uint8_t *mac, uint32_t addr,
		       uint32_t router)
{
	uint8_t f[64];
	size_t n = arp_frame(f, 1, mac, addr, router, ether_bcast);
	feed(ifp, f, n);
	ntx = 0;
}

NF_UNUSED static uint16_t rd16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }

/* The IP packet in captured frame I (asserting it is IPv4). */
NF_UNUSED static const uint8_t *tx_ip(int i)
{
	assert_true(i < ntx);
	assert_int_equal(rd16(tx[i].data + 12), 0x0800);
	const uint8_t *ip = tx[i].data + 14;
	assert_int_equal(inet_csum(ip, 20, 0), 0);
	return ip;
}

#endif
