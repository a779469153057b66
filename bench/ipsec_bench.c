/* IPsec benchmark of the process alone: prints figures, asserts nothing.
 *
 *   bare EVP      the cipher and the HMAC of one ESP packet of SIZE bytes
 *                 with OpenSSL done the cheapest way (contexts keyed once;
 *                 per packet one cipher call over the IV block and the
 *                 padded payload, in place, GCM's nonce set; the HMAC
 *                 re-initialised from its key): the floor a data path can
 *                 reach
 *   iosim ESP     the router's own encapsulation of the same packet
 *                 (tunnel header, ESP, padding, IV, cipher, ICV) through
 *                 its SA engine, without the wire
 *   memory        heap per established tunnel: an inbound and an outbound
 *                 SA with their OpenSSL contexts and their flow, over
 *                 10,000 tunnels each with their own peer and proxies
 *
 * usage: build/bench/ipsec_bench */
#include <arpa/inet.h>
#include <malloc.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/provider.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../core/core.h"
#include "../router/router.h"
#include "../cli/cli.h"
#include "../crypto/ipsec_int.h"

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

struct xf {
	const char *name, *cipher, *md;
	bool gcm;
	enum xform enc, auth;
	size_t klen, alen;
};

static const struct xf xfs[] = {
	{"aes128-sha1", "AES-128-CBC", "SHA1", false, XF_ESP_AES, XF_ESP_SHA, 16, 20},
	{"3des-md5", "DES-EDE3-CBC", "MD5", false, XF_ESP_3DES, XF_ESP_MD5, 24, 16},
	{"aes128-gcm", "AES-128-GCM", NULL, true, XF_ESP_GCM, XF_NONE, 20, 0},
};

static const size_t sizes[] = {64, 1400};

/* The floor: what OpenSSL itself costs for one packet's payload. */
static double bare_evp(const struct xf *x, size_t size, int n)
{
	static uint8_t key[32], buf[2048], iv[16], out[64];
	EVP_CIPHER *c = EVP_CIPHER_fetch(NULL, x->cipher, NULL);
	EVP_CIPHER_CTX *cc = EVP_CIPHER_CTX_new();
	EVP_CipherInit_ex2(cc, c, key, NULL, 1, NULL);
	EVP_CIPHER_CTX_set_padding(cc, 0);
	EVP_MAC *m = EVP_MAC_fetch(NULL, "HMAC", NULL);
	EVP_MAC_CTX *mc = EVP_MAC_CTX_new(m);
	if (x->md) {
		OSSL_PARAM p[] = {
			OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
							 (char *)x->md, 0),
			OSSL_PARAM_construct_end(),
		};
		EVP_MAC_init(mc, key, x->alen, p);
	}
	size_t blk = x->gcm ? 4 : (size_t)EVP_CIPHER_get_block_size(c);
	size_t len = (size + 2 + blk - 1) / blk * blk;
	size_t ivl = x->gcm ? 0 : blk;    /* CBC: the IV block goes through too */
	double t0 = now();
	for (int i = 0; i < n; i++) {
		int k;
		size_t ml;
		if (x->gcm) {
			iv[0] = (uint8_t)i;
			EVP_CipherInit_ex2(cc, NULL, NULL, iv, 1, NULL);
			EVP_CipherUpdate(cc, NULL, &k, buf, 8);
		}
		EVP_CipherUpdate(cc, buf, &k, buf, (int)(ivl + len));
		if (x->gcm) {
			EVP_CipherFinal_ex(cc, out, &k);
			EVP_CIPHER_CTX_ctrl(cc, EVP_CTRL_AEAD_GET_TAG, 16, out);
		} else {
			EVP_MAC_init(mc, NULL, 0, NULL);
			EVP_MAC_update(mc, buf, len + 24);
			EVP_MAC_final(mc, out, &ml, sizeof out);
		}
	}
	double t = now() - t0;
	EVP_MAC_CTX_free(mc);
	EVP_MAC_free(m);
	EVP_CIPHER_CTX_free(cc);
	EVP_CIPHER_free(c);
	return t / n * 1e9;
}

static struct ipsec_sa *install(const struct xf *x, bool inbound, uint32_t spi,
				uint32_t peer, uint32_t remote)
{
	struct ipsec_sa_data d;
	memset(&d, 0, sizeof d);
	d.spi = spi;
	d.proto = 50;
	d.inbound = inbound;
	d.tunnel = true;
	d.enc = x->enc;
	d.enc_bits = 128;
	d.auth = x->auth;
	d.enc_key_len = (uint8_t)x->klen;
	d.auth_key_len = (uint8_t)x->alen;
	d.local = htonl(0x0a000001);
	d.peer = peer;
	d.sel.local = (struct sa_proxy){htonl(0xc0a80100), htonl(0xffffff00), 0, 0};
	d.sel.remote = (struct sa_proxy){remote, htonl(0xffffff00), 0, 0};
	d.life_secs = 3600;
	d.life_kb = 4608000;
	d.window_size = 64;
	strcpy(d.map, "bench");
	d.map_seq = 10;
	d.bundle = spi;
	return sadb_add(&d);
}

/* The router's encapsulation of one packet, as the output path does it. */
static double iosim_esp(const struct xf *x, size_t size, int n)
{
	struct ipsec_sa *sa = install(x, false, 0x4000, htonl(0x0a000002),
				      htonl(0xc0a80200));
	static uint8_t buf[IPSEC_HEADROOM + 2048 + IPSEC_TAILROOM], pkt[2048];
	memset(pkt, 0, size);
	pkt[0] = 0x45;
	pkt[2] = (uint8_t)(size >> 8);
	pkt[3] = (uint8_t)size;
	pkt[8] = 64;
	pkt[9] = 17;
	double t0 = now();
	for (int i = 0; i < n; i++) {
		uint8_t *p = buf + IPSEC_HEADROOM;
		memcpy(p, pkt, size);
		size_t k = ipsec_tunnel_apply(sa, &p, size, false);
		if (!esp_apply(sa, &p, k))
			abort();
	}
	double t = now() - t0;
	sadb_delete(sa, SADB_DEL_CLEARED);
	return t / n * 1e9;
}

static size_t heap(void)
{
	struct mallinfo2 mi = mallinfo2();
	return mi.uordblks + mi.hblkhd;
}

static void quiet(const char *line, int sev)
{
	(void)line;
	(void)sev;
}

int main(void)
{
	router_init();
	log_set_console_sink(quiet);
	printf("ipsec: one ESP packet's cost in this process, ns per packet "
	       "(payload SIZE bytes, tunnel mode)\n");
	printf("  %-12s %6s %10s %10s %7s\n", "transform", "size", "bare EVP",
	       "iosim ESP", "ratio");
	for (size_t i = 0; i < sizeof xfs / sizeof xfs[0]; i++)
		for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
			int n = xfs[i].enc == XF_ESP_3DES ? 20000 : 200000;
			double b = bare_evp(&xfs[i], sizes[s], n);
			double e = iosim_esp(&xfs[i], sizes[s], n);
			printf("  %-12s %4zu B %8.0f ns %8.0f ns %7.2f\n", xfs[i].name,
			       sizes[s], b, e, e / b);
		}

	/* memory per tunnel: both SAs, their contexts, their flow */
	enum { N = 10000 };
	size_t h0 = heap();
	for (uint32_t t = 0; t < N; t++) {
		uint32_t peer = htonl(0x0b000000 + t), remote = htonl(0xac100000 + (t << 8));
		if (!install(&xfs[0], true, 0x10000 + 2 * t, peer, remote) ||
		    !install(&xfs[0], false, 0x10001 + 2 * t, peer, remote))
			abort();
	}
	size_t h1 = heap();
	printf("memory per established tunnel (aes128-sha1, 2 SAs + flow): %zu bytes "
	       "(%d tunnels: %.1f MB)\n", (h1 - h0) / N, N, (double)(h1 - h0) / 1e6);
	core_reset_all();
	return 0;
}
