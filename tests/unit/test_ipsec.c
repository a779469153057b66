/* Unit tests of the IPsec data path. The router (FastEthernet0/0 10.0.0.1
 * toward the peer 10.0.0.2, FastEthernet0/1 192.168.1.1 toward the host
 * 192.168.1.10) protects 192.168.1.0/24 <-> 192.168.2.0/24. What it sends
 * is opened here by an ESP/AH implementation of the test's own (OpenSSL
 * EVP, written from RFC 4303/4302/4106, not from the router's code), and
 * what it is sent is sealed by it:
 *   every transform, both ways; AH and the AH+ESP bundle; ESP in UDP
 *   (RFC 3948) for SAs the IKE engine would install with ports; the
 *   anti-replay window; lifetimes (kilobytes, seconds, soft expiry);
 *   acquire for an ipsec-isakmp entry, once a second; dynamic maps and
 *   their RRI routes; the proxy identity check, the bundle policy and
 *   malformed packets; the show format; set session-key; clear crypto sa. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/provider.h>

#include "../../crypto/sadb.h"
#include "../../router/router.h"
#include "net_frames.h"

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 |
	       p[3];
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static const uint8_t peer_mac[6] = {0x02, 0, 0, 0, 0, 0x22};
static const uint8_t peer9_mac[6] = {0x02, 0, 0, 0, 0, 0x29};

/* ---- the test's own ESP and AH ------------------------------------------------ */

struct oracle {
	const char *cipher;          /* EVP name, NULL: esp-null */
	bool gcm;
	size_t iv, block;
	const char *md;              /* HMAC digest, NULL: none */
	size_t icv;
	uint8_t ck[36], ak[32];
	size_t cklen, aklen;
	uint32_t spi;
	bool bad_pad;                /* seal with wrong padding bytes */
};

static size_t hmac(const struct oracle *o, const uint8_t *a, size_t an,
		   const uint8_t *b, size_t bn, const uint8_t *c, size_t cn,
		   uint8_t *out)
{
	EVP_MAC *m = EVP_MAC_fetch(NULL, "HMAC", NULL);
	EVP_MAC_CTX *x = EVP_MAC_CTX_new(m);
	OSSL_PARAM p[] = {
		OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
						 (char *)o->md, 0),
		OSSL_PARAM_construct_end(),
	};
	uint8_t full[64];
	size_t n = 0;
	assert_true(EVP_MAC_init(x, o->ak, o->aklen, p));
	EVP_MAC_update(x, a, an);
	if (b)
		EVP_MAC_update(x, b, bn);
	if (c)
		EVP_MAC_update(x, c, cn);
	EVP_MAC_final(x, full, &n, sizeof full);
	EVP_MAC_CTX_free(x);
	EVP_MAC_free(m);
	memcpy(out, full, o->icv);
	return o->icv;
}

/* ESP (SPI through ICV) around PAYLOAD with next header NH. */
static size_t esp_seal(const struct oracle *o, uint32_t seq, uint8_t nh,
		       const uint8_t *payload, size_t plen, uint8_t *out)
{
	size_t align = o->block > 4 ? o->block : 4;
	size_t pad = (align - (plen + 2) % align) % align;
	out[0] = (uint8_t)(o->spi >> 24);
	out[1] = (uint8_t)(o->spi >> 16);
	out[2] = (uint8_t)(o->spi >> 8);
	out[3] = (uint8_t)o->spi;
	out[4] = (uint8_t)(seq >> 24);
	out[5] = (uint8_t)(seq >> 16);
	out[6] = (uint8_t)(seq >> 8);
	out[7] = (uint8_t)seq;
	uint8_t *iv = out + 8;
	for (size_t i = 0; i < o->iv; i++)
		iv[i] = (uint8_t)(0xa0 + i + seq);
	uint8_t *ct = iv + o->iv;
	uint8_t plain[2048];
	memcpy(plain, payload, plen);
	for (size_t i = 0; i < pad; i++)
		plain[plen + i] = (uint8_t)(o->bad_pad ? 0xee : i + 1);
	plain[plen + pad] = (uint8_t)pad;
	plain[plen + pad + 1] = nh;
	size_t clen = plen + pad + 2;
	if (!o->cipher) {
		memcpy(ct, plain, clen);
	} else {
		EVP_CIPHER *c = EVP_CIPHER_fetch(NULL, o->cipher, NULL);
		EVP_CIPHER_CTX *x = EVP_CIPHER_CTX_new();
		int n;
		if (o->gcm) {
			uint8_t nonce[12];
			memcpy(nonce, o->ck + o->cklen - 4, 4);
			memcpy(nonce + 4, iv, 8);
			assert_true(EVP_EncryptInit_ex2(x, c, o->ck, nonce, NULL));
			EVP_EncryptUpdate(x, NULL, &n, out, 8);
			EVP_EncryptUpdate(x, ct, &n, plain, (int)clen);
			EVP_EncryptFinal_ex(x, ct + clen, &n);
			EVP_CIPHER_CTX_ctrl(x, EVP_CTRL_AEAD_GET_TAG, 16, ct + clen);
			EVP_CIPHER_CTX_free(x);
			EVP_CIPHER_free(c);
			return 8 + 8 + clen + 16;
		}
		assert_true(EVP_EncryptInit_ex2(x, c, o->ck, iv, NULL));
		EVP_CIPHER_CTX_set_padding(x, 0);
		EVP_EncryptUpdate(x, ct, &n, plain, (int)clen);
		EVP_CIPHER_CTX_free(x);
		EVP_CIPHER_free(c);
	}
	size_t n = 8 + o->iv + clen;
	if (o->md)
		n += hmac(o, out, n, NULL, 0, NULL, 0, out + n);
	return n;
}

/* Verify and decrypt ESP; false when the ICV or the padding is wrong. */
static bool esp_open_oracle(const struct oracle *o, const uint8_t *p, size_t n,
			    uint8_t *out, size_t *outlen, uint8_t *nh)
{
	size_t icv = o->gcm ? 16 : o->md ? o->icv : 0;
	size_t clen = n - 8 - o->iv - icv;
	const uint8_t *iv = p + 8, *ct = iv + o->iv;
	if (o->md) {
		uint8_t mac[32];
		hmac(o, p, n - icv, NULL, 0, NULL, 0, mac);
		if (memcmp(mac, p + n - icv, icv))
			return false;
	}
	if (!o->cipher) {
		memcpy(out, ct, clen);
	} else {
		EVP_CIPHER *c = EVP_CIPHER_fetch(NULL, o->cipher, NULL);
		EVP_CIPHER_CTX *x = EVP_CIPHER_CTX_new();
		int k;
		bool ok = true;
		if (o->gcm) {
			uint8_t nonce[12];
			memcpy(nonce, o->ck + o->cklen - 4, 4);
			memcpy(nonce + 4, iv, 8);
			EVP_DecryptInit_ex2(x, c, o->ck, nonce, NULL);
			EVP_DecryptUpdate(x, NULL, &k, p, 8);
			EVP_DecryptUpdate(x, out, &k, ct, (int)clen);
			EVP_CIPHER_CTX_ctrl(x, EVP_CTRL_AEAD_SET_TAG, 16,
					    (void *)(ct + clen));
			ok = EVP_DecryptFinal_ex(x, out + clen, &k) == 1;
		} else {
			EVP_DecryptInit_ex2(x, c, o->ck, iv, NULL);
			EVP_CIPHER_CTX_set_padding(x, 0);
			EVP_DecryptUpdate(x, out, &k, ct, (int)clen);
		}
		EVP_CIPHER_CTX_free(x);
		EVP_CIPHER_free(c);
		if (!ok)
			return false;
	}
	size_t pad = out[clen - 2];
	for (size_t i = 0; i < pad; i++)
		if (out[clen - 2 - pad + i] != i + 1)
			return false;
	*nh = out[clen - 1];
	*outlen = clen - 2 - pad;
	return true;
}

/* AH ICV over the IP header (mutable fields zeroed), AH (ICV zeroed), rest. */
static void ah_icv(const struct oracle *o, const uint8_t *ip, size_t len,
		   uint8_t *icv)
{
	uint8_t hdr[20], ah[64];
	memcpy(hdr, ip, 20);
	hdr[1] = 0;
	hdr[6] = hdr[7] = hdr[8] = hdr[10] = hdr[11] = 0;
	size_t alen = (size_t)(ip[21] + 2) * 4;
	memcpy(ah, ip + 20, alen);
	memset(ah + 12, 0, alen - 12);
	hmac(o, hdr, 20, ah, alen, ip + 20 + alen, len - 20 - alen, icv);
}

/* ---- the router ----------------------------------------------------------------- */

static int acquires;
static struct sa_selector acq_sel;
static uint32_t acq_peer;
static void on_acquire(const struct cmap_entry *e, const struct sa_selector *sel,
		       uint32_t peer)
{
	acquires++;
	acq_sel = *sel;
	acq_peer = peer;
}

static int softs;
static void on_soft(struct ipsec_sa *sa)
{
	softs++;
}

/* What the IKE engine does with UDP 4500: ESP (not IKE) goes to sadb. */
static void udp4500(const struct ip_rx *rx)
{
	sadb_udp_input(rx);
}

static void loop_turn(void)
{
	ev_run(core_loop, EVRUN_NOWAIT);
}

static int setup(void **state)
{
	core_reset_all();
	port_set_tx_hook(tx_hook);
	sadb_set_acquire(on_acquire);
	sadb_set_soft_expire(on_soft);
	udp_register_port(4500, udp4500);
	acquires = softs = 0;
	attach_fa0_fa1();
	assert_int_equal(cfg("logging buffered 100000 debugging\n"
			     "interface FastEthernet0/0\n"
			     " ip address 10.0.0.1 255.255.255.0\n"
			     "interface FastEthernet0/1\n"
			     " ip address 192.168.1.1 255.255.255.0\n"
			     "ip route 192.168.2.0 255.255.255.0 10.0.0.2\n"
			     "access-list 101 permit ip 192.168.1.0 0.0.0.255 "
			     "192.168.2.0 0.0.0.255\n"), 0);
	learn_host(fa0, peer_mac, A("10.0.0.2"), A("10.0.0.1"));
	learn_host(fa0, peer9_mac, A("10.0.0.9"), A("10.0.0.1"));
	learn_host(fa1, host_mac, A("192.168.1.10"), A("192.168.1.1"));
	ntx = 0;
	return 0;
}

static void hexs(char *out, const uint8_t *k, size_t n)
{
	for (size_t i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", k[i]);
	out[2 * n] = 0;
}

/* " set session-key inbound esp SPI cipher K authenticator K" (or ah). */
static void key_line(struct sbuf *b, const char *dir, bool ah,
		     const struct oracle *o)
{
	char c[80], k[80];
	hexs(c, o->ck, o->cklen);
	hexs(k, o->ak, o->aklen);
	if (ah) {
		sbuf_printf(b, " set session-key %s ah %u %s\n", dir, o->spi, k);
		return;
	}
	sbuf_printf(b, " set session-key %s esp %u", dir, o->spi);
	if (o->cklen)
		sbuf_printf(b, " cipher %s", c);
	if (o->aklen)
		sbuf_printf(b, " authenticator %s", k);
	sbuf_puts(b, "\n");
}

/* A manual map with transform WORDS and mode MODE: TO seals what the
 * router receives (its inbound keys), FROM opens what it sends (its
 * outbound keys); AH_TO/AH_FROM the same for AH (NULL: none). */
static void manual_map(const char *words, const char *acl,
		       const struct oracle *to, const struct oracle *from,
		       const struct oracle *ah_to, const struct oracle *ah_from)
{
	struct sbuf b;
	sbuf_init(&b);
	sbuf_printf(&b, "crypto ipsec transform-set ts %s\n"
		    "crypto map mm 10 ipsec-manual\n"
		    " set peer 10.0.0.2\n"
		    " set transform-set ts\n"
		    " match address %s\n", words, acl);
	if (to) {
		key_line(&b, "inbound", false, to);
		key_line(&b, "outbound", false, from);
	}
	if (ah_to) {
		key_line(&b, "inbound", true, ah_to);
		key_line(&b, "outbound", true, ah_from);
	}
	sbuf_puts(&b, "interface FastEthernet0/0\n crypto map mm\n");
	assert_int_equal(cfg(b.s), 0);
	sbuf_free(&b);
	loop_turn();           /* the policy is rebuilt, the SAs installed */
}

static void fill(uint8_t *k, size_t n, uint8_t seed)
{
	for (size_t i = 0; i < n; i++)
		k[i] = (uint8_t)(seed + 7 * i);
}

/* ---- frames ------------------------------------------------------------------------ */

/* An echo (request TYPE 8 or reply 0) from SRC to DST as an IP packet. */
static size_t icmp_packet(uint8_t *ip, uint32_t src, uint32_t dst, uint8_t type,
			  uint8_t ttl, uint16_t seq)
{
	uint8_t *ic = ip + 20;
	memset(ic, 0, 8 + 32);
	ic[0] = type;
	ic[5] = 9;
	ic[6] = (uint8_t)(seq >> 8);
	ic[7] = (uint8_t)seq;
	for (int i = 0; i < 32; i++)
		ic[8 + i] = (uint8_t)(0x40 + i);
	uint16_t c = inet_csum(ic, 40, 0);
	ic[2] = (uint8_t)(c >> 8);
	ic[3] = (uint8_t)c;
	ip_hdr(ip, src, dst, 1, ttl, 40);
	return 60;
}

/* The host sends an echo to 192.168.2.10 through the router. */
static void host_sends(uint16_t seq)
{
	uint8_t f[128];
	size_t n = eth(f, fa1->mac, host_mac, 0x0800);
	n += icmp_packet(f + n, A("192.168.1.10"), A("192.168.2.10"), 8, 64, seq);
	feed(fa1, f, n);
}

/* An IP packet from the peer (outer header SRC -> 10.0.0.1, PROTO) with
 * PAYLOAD, onto the wan. */
static void peer_sends(uint32_t src, uint8_t proto, const uint8_t *payload,
		       size_t len)
{
	uint8_t f[2048];
	size_t n = eth(f, fa0->mac, peer_mac, 0x0800);
	ip_hdr(f + n, src, A("10.0.0.1"), proto, 64, len);
	memcpy(f + n + 20, payload, len);
	feed(fa0, f, n + 20 + len);
}

/* The last frame the router sent on IFP, NULL when none. */
static const uint8_t *last_ip_on(struct iface *ifp, size_t *len)
{
	for (int i = ntx; i-- > 0;)
		if (tx[i].ifp == ifp && rd16(tx[i].data + 12) == 0x0800) {
			const uint8_t *ip = tx_ip(i);
			*len = rd16(ip + 2);
			return ip;
		}
	return NULL;
}

static char *show(const char *cmd)
{
	return exec_lines(cmd);
}

static unsigned long counter(const char *out, const char *label)
{
	const char *p = strstr(out, label);
	assert_non_null(p);
	return strtoul(p + strlen(label), NULL, 10);
}

static bool logged(const char *text)
{
	char *out = show("show logging");
	bool yes = strstr(out, text) != NULL;
	free(out);
	return yes;
}

/* ---- tests --------------------------------------------------------------------------- */

struct xf_case {
	const char *words;
	const char *cipher;
	bool gcm;
	size_t iv, block, cklen;
	const char *md;
	size_t icv, aklen;
};

static const struct xf_case cases[] = {
	{"esp-aes esp-sha-hmac", "AES-128-CBC", false, 16, 16, 16, "SHA1", 12, 20},
	{"esp-3des esp-md5-hmac", "DES-EDE3-CBC", false, 8, 8, 24, "MD5", 12, 16},
	{"esp-des esp-sha-hmac", "DES-CBC", false, 8, 8, 8, "SHA1", 12, 20},
	{"esp-aes 192 esp-sha-hmac", "AES-192-CBC", false, 16, 16, 24, "SHA1", 12, 20},
	{"esp-aes 256 esp-sha256-hmac", "AES-256-CBC", false, 16, 16, 32,
	 "SHA2-256", 16, 32},
	{"esp-gcm", "AES-128-GCM", true, 8, 4, 20, NULL, 0, 0},
	{"esp-gcm 256", "AES-256-GCM", true, 8, 4, 36, NULL, 0, 0},
	{"esp-null esp-md5-hmac", NULL, false, 0, 4, 0, "MD5", 12, 16},
	{"esp-3des", "DES-EDE3-CBC", false, 8, 8, 24, NULL, 0, 0},
};

static void oracle_of(const struct xf_case *c, struct oracle *o, uint32_t spi,
		      uint8_t seed)
{
	memset(o, 0, sizeof *o);
	o->cipher = c->cipher;
	o->gcm = c->gcm;
	o->iv = c->iv;
	o->block = c->block;
	o->md = c->md;
	o->icv = c->icv;
	o->cklen = c->cklen;
	o->aklen = c->aklen;
	o->spi = spi;
	fill(o->ck, o->cklen, seed);
	fill(o->ak, o->aklen, (uint8_t)(seed + 1));
}

/* The manual map with esp-aes esp-sha-hmac, SPIs SPI (in) and SPI + 1. */
static void aes_sha_map(struct oracle *to, struct oracle *from, uint32_t spi)
{
	oracle_of(&cases[0], to, spi, 1);
	oracle_of(&cases[0], from, spi + 1, 2);
	manual_map(cases[0].words, "101", to, from, NULL, NULL);
}

/* The host's packet leaves as ESP to the peer, as the RFCs have it; the
 * peer's answer comes back to the host. */
static void test_every_transform_both_ways(void **state)
{
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const struct xf_case *c = &cases[i];
		struct oracle to, from;
		oracle_of(c, &to, 0x300 + (uint32_t)i * 2, (uint8_t)(i * 16));
		oracle_of(c, &from, 0x301 + (uint32_t)i * 2, (uint8_t)(i * 16 + 8));
		manual_map(c->words, "101", &to, &from, NULL, NULL);
		ntx = 0;
		host_sends(1);
		size_t len;
		const uint8_t *ip = last_ip_on(fa0, &len);
		assert_non_null(ip);
		assert_int_equal(ip[9], 50);
		assert_int_equal(ip[8], 255);
		assert_memory_equal(ip + 16, &(uint32_t){A("10.0.0.2")}, 4);
		const uint8_t *esp = ip + 20;
		assert_int_equal(be32(esp), from.spi);
		assert_int_equal(be32(esp + 4), 1);        /* the first sent */
		uint8_t inner[2048], nh;
		size_t ilen;
		assert_true(esp_open_oracle(&from, esp, len - 20, inner, &ilen, &nh));
		assert_int_equal(nh, 4);
		assert_int_equal(ilen, 60);
		assert_int_equal(inner[8], 63);             /* forwarded: TTL - 1 */
		assert_memory_equal(inner + 12, &(uint32_t){A("192.168.1.10")}, 4);

		/* the answer, sealed by the peer, reaches the host */
		uint8_t reply[128], pkt[2048];
		icmp_packet(reply, A("192.168.2.10"), A("192.168.1.10"), 0, 60, 1);
		size_t n = esp_seal(&to, 1, 4, reply, 60, pkt);
		ntx = 0;
		peer_sends(A("10.0.0.2"), 50, pkt, n);
		ip = last_ip_on(fa1, &len);
		assert_non_null(ip);
		assert_int_equal(len, 60);
		assert_int_equal(ip[8], 59);
		assert_memory_equal(ip + 20, reply + 20, 40);
		char *out = show("show crypto ipsec sa");
		assert_int_equal(counter(out, "#pkts decaps: "), 1);
		assert_int_equal(counter(out, "#pkts encaps: "), 1);
		free(out);
		assert_int_equal(cfg("no crypto map mm\n"
				     "interface FastEthernet0/0\n no crypto map\n"), 0);
		loop_turn();
	}
}

/* Seed 000's trans1 (ah-md5-hmac esp-3des): AH outside, ESP inside, one
 * outer header; AH alone; and the ICVs as RFC 4302 computes them. */
static void test_ah_and_the_bundle(void **state)
{
	struct oracle esp_to = {.cipher = "DES-EDE3-CBC", .iv = 8, .block = 8,
				.cklen = 24, .spi = 0x500};
	struct oracle esp_from = esp_to;
	esp_from.spi = 0x501;
	fill(esp_to.ck, 24, 1);
	fill(esp_from.ck, 24, 2);
	struct oracle ah_to = {.md = "MD5", .icv = 12, .aklen = 16, .spi = 0x600};
	struct oracle ah_from = ah_to;
	ah_from.spi = 0x601;
	fill(ah_to.ak, 16, 3);
	fill(ah_from.ak, 16, 4);
	manual_map("ah-md5-hmac esp-3des", "101", &esp_to, &esp_from, &ah_to,
		   &ah_from);
	ntx = 0;
	host_sends(1);
	size_t len;
	const uint8_t *ip = last_ip_on(fa0, &len);
	assert_non_null(ip);
	assert_int_equal(ip[9], 51);
	assert_int_equal(ip[20], 50);                  /* AH's next: ESP */
	assert_int_equal(be32(ip + 24), 0x601);
	uint8_t icv[32];
	ah_icv(&ah_from, ip, len, icv);
	assert_memory_equal(icv, ip + 32, 12);
	size_t alen = (size_t)(ip[21] + 2) * 4;
	assert_int_equal(alen, 24);
	uint8_t inner[2048], nh;
	size_t ilen;
	assert_true(esp_open_oracle(&esp_from, ip + 20 + alen, len - 20 - alen,
				    inner, &ilen, &nh));
	assert_int_equal(nh, 4);
	assert_int_equal(ilen, 60);

	/* the peer's answer: ESP, then AH around it */
	uint8_t reply[128], pkt[2048];
	icmp_packet(reply, A("192.168.2.10"), A("192.168.1.10"), 0, 60, 1);
	uint8_t espb[1024];
	size_t en = esp_seal(&esp_to, 1, 4, reply, 60, espb);
	pkt[0] = 50;
	pkt[1] = 24 / 4 - 2;
	pkt[2] = pkt[3] = 0;
	put32(pkt + 4, ah_to.spi);
	put32(pkt + 8, 1);
	memset(pkt + 12, 0, 12);
	memcpy(pkt + 24, espb, en);
	uint8_t full[2048];
	ip_hdr(full, A("10.0.0.2"), A("10.0.0.1"), 51, 64, 24 + en);
	memcpy(full + 20, pkt, 24 + en);
	ah_icv(&ah_to, full, 20 + 24 + en, pkt + 12);
	ntx = 0;
	peer_sends(A("10.0.0.2"), 51, pkt, 24 + en);
	ip = last_ip_on(fa1, &len);
	assert_non_null(ip);
	assert_memory_equal(ip + 20, reply + 20, 40);

	/* the ESP half alone is not what the bundle accepts */
	en = esp_seal(&esp_to, 2, 4, reply, 60, espb);
	ntx = 0;
	peer_sends(A("10.0.0.2"), 50, espb, en);
	assert_null(last_ip_on(fa1, &len));
	char *out = show("show crypto ipsec sa detail");
	assert_int_equal(counter(out, "#pkts invalid prot (recv) "), 1);
	assert_int_equal(counter(out, "#pkts decaps: "), 1);
	assert_non_null(strstr(out, "     inbound ah sas:\n      spi: 0x600(1536)\n"
				    "        transform: ah-md5-hmac ,\n"));
	free(out);
	out = show("show crypto engine connections active");
	assert_non_null(strstr(out, " 2001 Fa0/0      IPsec 3DES+MD5                  0        1 10.0.0.1\n"));
	assert_non_null(strstr(out, " 2002 Fa0/0      IPsec 3DES+MD5                  1        0 10.0.0.1\n"));
	free(out);
}

static void test_replay_window(void **state)
{
	struct ipsec_sa sa;
	memset(&sa, 0, sizeof sa);
	sa.d.inbound = true;
	sa.d.window_size = 64;
	assert_int_equal(sadb_replay_check(&sa, 0), SADB_REPLAY_OLD);
	for (uint32_t s = 1; s <= 10; s++) {
		assert_int_equal(sadb_replay_check(&sa, s), SADB_REPLAY_OK);
		sadb_replay_update(&sa, s);
	}
	assert_int_equal(sadb_replay_check(&sa, 10), SADB_REPLAY_SEEN);
	assert_int_equal(sadb_replay_check(&sa, 3), SADB_REPLAY_SEEN);
	/* a jump, then the ones it skipped arrive late, inside the window */
	sadb_replay_update(&sa, 70);
	assert_int_equal(sadb_replay_check(&sa, 40), SADB_REPLAY_OK);
	sadb_replay_update(&sa, 40);
	assert_int_equal(sadb_replay_check(&sa, 40), SADB_REPLAY_SEEN);
	/* 70 - 63 is the oldest the 64-packet window still knows */
	assert_int_equal(sadb_replay_check(&sa, 7), SADB_REPLAY_SEEN);
	assert_int_equal(sadb_replay_check(&sa, 6), SADB_REPLAY_OLD);
	assert_int_equal(sadb_replay_check(&sa, 11), SADB_REPLAY_OK);

	/* the largest window IOS offers, across its word boundaries */
	memset(&sa.d.window, 0, sizeof sa.d.window);
	sa.d.seq = 0;
	sa.d.window_size = 1024;
	for (uint32_t s = 1; s <= 2000; s += 3)
		sadb_replay_update(&sa, s);
	assert_int_equal(sadb_replay_check(&sa, 1999), SADB_REPLAY_SEEN);
	assert_int_equal(sadb_replay_check(&sa, 1998), SADB_REPLAY_OK);
	/* seen: every third from 1; the window reaches 1999 - 1023 */
	assert_int_equal(sadb_replay_check(&sa, 1999 - 1023), SADB_REPLAY_SEEN);
	assert_int_equal(sadb_replay_check(&sa, 1999 - 1022), SADB_REPLAY_OK);
	assert_int_equal(sadb_replay_check(&sa, 1999 - 1024), SADB_REPLAY_OLD);
	assert_int_equal(sadb_replay_check(&sa, 1999 - 999), SADB_REPLAY_SEEN);
	assert_int_equal(sadb_replay_check(&sa, 1999 - 998), SADB_REPLAY_OK);
	sadb_replay_update(&sa, 5000);
	assert_int_equal(sadb_replay_check(&sa, 5000 - 1023), SADB_REPLAY_OK);
	assert_int_equal(sadb_replay_check(&sa, 1999), SADB_REPLAY_OLD);

	/* off: everything passes */
	sa.d.window_size = 0;
	assert_int_equal(sadb_replay_check(&sa, 1), SADB_REPLAY_OK);

	/* the window a new SA gets follows the configuration */
	assert_int_equal(sadb_replay_window(), 64);
	assert_int_equal(cfg("crypto ipsec security-association replay window-size 512\n"), 0);
	assert_int_equal(sadb_replay_window(), 512);
	assert_int_equal(cfg("crypto ipsec security-association replay disable\n"), 0);
	assert_int_equal(sadb_replay_window(), 0);
}

/* A replay, a bad ICV, bad padding and a short packet: counted, said,
 * and nothing else changes (the window, the decaps). */
static void test_bad_packets_counted(void **state)
{
	struct oracle to, from;
	aes_sha_map(&to, &from, 0x700);
	uint8_t reply[128], pkt[2048];
	icmp_packet(reply, A("192.168.2.10"), A("192.168.1.10"), 0, 60, 1);
	size_t n = esp_seal(&to, 5, 4, reply, 60, pkt);
	peer_sends(A("10.0.0.2"), 50, pkt, n);
	peer_sends(A("10.0.0.2"), 50, pkt, n);             /* replayed */
	assert_true(logged("%CRYPTO-4-PKT_REPLAY_ERR: decrypt: replay check "
			   "failed connection id=2001, sequence number=5"));
	uint8_t bad[2048];
	memcpy(bad, pkt, n);
	bad[n - 1] ^= 1;                                   /* the ICV */
	put32(bad + 4, 9);
	peer_sends(A("10.0.0.2"), 50, bad, n);
	assert_true(logged("%CRYPTO-4-RECVD_PKT_MAC_ERR: decrypt: mac "
			   "verification failed for connection id=2001"));
	to.bad_pad = true;
	uint8_t pad_reply[128];
	icmp_packet(pad_reply, A("192.168.2.10"), A("192.168.1.10"), 0, 60, 2);
	size_t pn = esp_seal(&to, 6, 4, pad_reply, 59, bad);   /* odd: pads */
	peer_sends(A("10.0.0.2"), 50, bad, pn);
	peer_sends(A("10.0.0.2"), 50, pkt, 7);             /* short */
	/* an unknown SPI */
	put32(bad, 0xabcdef);
	peer_sends(A("10.0.0.2"), 50, bad, pn);
	assert_true(logged("%CRYPTO-4-RECVD_PKT_INV_SPI: decaps: rec'd IPSEC "
			   "packet has invalid spi for destaddr=10.0.0.1, prot=50, "
			   "spi=0xABCDEF(11259375), srcaddr=10.0.0.2"));
	char *out = show("show crypto ipsec sa detail");
	assert_int_equal(counter(out, "#pkts decaps: "), 1);
	assert_int_equal(counter(out, "##pkts replay failed (rcv): "), 1);
	assert_int_equal(counter(out, "#pkts verify failed: "), 1);
	assert_int_equal(counter(out, "#pkts decaps failed (rcv) "), 1);
	assert_int_equal(counter(out, "#pkts invalid sa (rcv) "), 1);
	free(out);
	/* the failed ones moved nothing: 6 and 7 are still new */
	to.bad_pad = false;
	n = esp_seal(&to, 7, 4, reply, 60, pkt);
	ntx = 0;
	peer_sends(A("10.0.0.2"), 50, pkt, n);
	size_t len;
	assert_non_null(last_ip_on(fa1, &len));
	out = show("show crypto ipsec sa");
	assert_int_equal(counter(out, "#pkts decaps: "), 2);
	assert_int_equal(counter(out, "#recv errors "), 4);
	free(out);
}

/* What an SA carries must be what its proxies allow. */
static void test_identity_checked(void **state)
{
	struct oracle to, from;
	aes_sha_map(&to, &from, 0x710);
	uint8_t inner[128], pkt[2048];
	icmp_packet(inner, A("172.16.9.9"), A("192.168.1.10"), 0, 60, 1);
	size_t n = esp_seal(&to, 1, 4, inner, 60, pkt);
	ntx = 0;
	peer_sends(A("10.0.0.2"), 50, pkt, n);
	size_t len;
	assert_null(last_ip_on(fa1, &len));
	assert_true(logged("%CRYPTO-4-RECVD_PKT_INV_IDENTITY_ACL: ipsec check "
			   "access: identity not allowed by ACL (ip) vrf/dest_addr= "
			   "/192.168.1.10, src_addr= 172.16.9.9, prot= 1"));
	char *out = show("show crypto ipsec sa detail");
	assert_int_equal(counter(out, "#pkts invalid identity (recv) "), 1);
	assert_int_equal(counter(out, "#pkts decaps: "), 0);
	free(out);
	/* and clear traffic the map protects is not let in */
	uint8_t f[128];
	size_t fn = eth(f, fa0->mac, peer_mac, 0x0800);
	fn += icmp_packet(f + fn, A("192.168.2.10"), A("192.168.1.10"), 8, 60, 1);
	ntx = 0;
	feed(fa0, f, fn);
	assert_null(last_ip_on(fa1, &len));
	assert_true(logged("%CRYPTO-4-RECVD_PKT_NOT_IPSEC: Rec'd packet not an "
			   "IPSEC packet. (ip) vrf/dest_addr= /192.168.1.10, "
			   "src_addr= 192.168.2.10, prot= 1"));
}

/* An SA pair as the IKE engine installs it, for crypto map M seq SEQ. */
static uint32_t ike_pair(const struct oracle *to, const struct oracle *from,
			 const char *map, unsigned seq, uint32_t peer,
			 const char *lnet, const char *lmask, const char *rnet,
			 const char *rmask, uint16_t port, uint32_t life_kb,
			 uint32_t life_secs)
{
	uint32_t bundle = sadb_bundle_alloc();
	for (int i = 0; i < 2; i++) {
		const struct oracle *o = i ? from : to;
		struct ipsec_sa_data d;
		memset(&d, 0, sizeof d);
		d.spi = o->spi;
		d.proto = 50;
		d.inbound = i == 0;
		d.tunnel = true;
		d.enc = XF_ESP_AES;
		d.enc_bits = 128;
		d.auth = XF_ESP_SHA;
		memcpy(d.enc_key, o->ck, 16);
		d.enc_key_len = 16;
		memcpy(d.auth_key, o->ak, 20);
		d.auth_key_len = 20;
		d.local = A("10.0.0.1");
		d.peer = peer;
		d.local_port = d.peer_port = port;
		d.sel.local = (struct sa_proxy){A(lnet), A(lmask), 0, 0};
		d.sel.remote = (struct sa_proxy){A(rnet), A(rmask), 0, 0};
		d.life_kb = life_kb;
		d.life_secs = life_secs;
		d.created = core_uptime();
		d.window_size = sadb_replay_window();
		snprintf(d.map, sizeof d.map, "%s", map);
		d.map_seq = seq;
		d.bundle = bundle;
		assert_non_null(sadb_add(&d));
	}
	return bundle;
}

static const char isakmp_map[] =
	"crypto ipsec transform-set ts esp-aes esp-sha-hmac\n"
	"crypto map M 10 ipsec-isakmp\n"
	" set peer 10.0.0.2\n"
	" set transform-set ts\n"
	" match address 101\n"
	"interface FastEthernet0/0\n crypto map M\n";

/* crypto map M (ipsec-isakmp) applied, and the SA pair IKE would make for
 * it (SPIs SPI and SPI + 1, UDP PORT, lifetimes KB and SECS). */
static void isakmp_with_sas(struct oracle *to, struct oracle *from, uint32_t spi,
			    uint16_t port, uint32_t kb, uint32_t secs)
{
	assert_int_equal(cfg(isakmp_map), 0);
	loop_turn();
	oracle_of(&cases[0], to, spi, 1);
	oracle_of(&cases[0], from, spi + 1, 2);
	ike_pair(to, from, "M", 10, A("10.0.0.2"), "192.168.1.0", "255.255.255.0",
		 "192.168.2.0", "255.255.255.0", port, kb, secs);
}

/* Traffic with no SA yet: dropped, IKE asked (once a second), counted. */
static void test_acquire(void **state)
{
	assert_int_equal(cfg(isakmp_map), 0);
	loop_turn();
	ntx = 0;
	for (uint16_t s = 1; s <= 3; s++)
		host_sends(s);
	size_t len;
	assert_null(last_ip_on(fa0, &len));
	assert_int_equal(acquires, 1);
	assert_int_equal(acq_peer, A("10.0.0.2"));
	assert_int_equal(acq_sel.local.addr, A("192.168.1.0"));
	assert_int_equal(acq_sel.local.mask, A("255.255.255.0"));
	assert_int_equal(acq_sel.remote.addr, A("192.168.2.0"));
	char *out = show("show crypto ipsec sa detail");
	assert_int_equal(counter(out, "#pkts no sa (send) "), 3);
	assert_non_null(strstr(out, "current outbound spi: 0x0(0)\n"));
	free(out);
	/* the SAs IKE brings carry the next packets */
	struct oracle to, from;
	isakmp_with_sas(&to, &from, 0x900, 0, 4608000, 3600);
	ntx = 0;
	host_sends(4);
	const uint8_t *ip = last_ip_on(fa0, &len);
	assert_non_null(ip);
	assert_int_equal(be32(ip + 20), 0x901);
	out = show("show crypto ipsec sa");
	assert_non_null(strstr(out, "     PERMIT, flags={origin_is_acl,}\n"));
	assert_non_null(strstr(out, "sa timing: remaining key lifetime (k/sec): "
				    "(4608000/35"));
	free(out);
}

/* ESP in UDP (RFC 3948) for SAs with ports: both ways. */
static void test_udp_encapsulation(void **state)
{
	struct oracle to, from;
	isakmp_with_sas(&to, &from, 0xa00, 4500, 0, 0);
	ntx = 0;
	host_sends(1);
	size_t len;
	const uint8_t *ip = last_ip_on(fa0, &len);
	assert_non_null(ip);
	assert_int_equal(ip[9], 17);
	const uint8_t *udp = ip + 20;
	assert_int_equal(rd16(udp), 4500);
	assert_int_equal(rd16(udp + 2), 4500);
	assert_int_equal(rd16(udp + 4), len - 20);
	assert_int_equal(rd16(udp + 6), 0);
	uint8_t inner[2048], nh;
	size_t ilen;
	assert_true(esp_open_oracle(&from, udp + 8, len - 28, inner, &ilen, &nh));
	assert_int_equal(nh, 4);

	uint8_t reply[128], pkt[2048];
	icmp_packet(reply, A("192.168.2.10"), A("192.168.1.10"), 0, 60, 1);
	pkt[0] = 0x11;
	pkt[1] = 0x94;
	pkt[2] = 0x11;
	pkt[3] = 0x94;
	size_t n = esp_seal(&to, 1, 4, reply, 60, pkt + 8);
	pkt[4] = (uint8_t)((n + 8) >> 8);
	pkt[5] = (uint8_t)(n + 8);
	pkt[6] = pkt[7] = 0;
	ntx = 0;
	peer_sends(A("10.0.0.2"), 17, pkt, n + 8);
	ip = last_ip_on(fa1, &len);
	assert_non_null(ip);
	assert_memory_equal(ip + 20, reply + 20, 40);
	char *out = show("show crypto ipsec sa");
	assert_non_null(strstr(out, "in use settings ={Tunnel UDP-Encaps, }"));
	assert_non_null(strstr(out, "current_peer 10.0.0.2 port 4500\n"));
	free(out);
	/* the same SA's ESP without UDP is not what was agreed */
	n = esp_seal(&to, 2, 4, reply, 60, pkt);
	ntx = 0;
	peer_sends(A("10.0.0.2"), 50, pkt, n);
	assert_null(last_ip_on(fa1, &len));
}

/* A dynamic map protects what its SAs cover; reverse-route puts each
 * remote proxy in the table through its peer while the SAs live. */
static void test_dynamic_map_and_rri(void **state)
{
	assert_int_equal(cfg("crypto ipsec transform-set ts esp-aes esp-sha-hmac\n"
			     "crypto dynamic-map dyn 10\n"
			     " set transform-set ts\n"
			     " reverse-route\n"
			     "crypto map ra 10 ipsec-isakmp dynamic dyn\n"
			     "interface FastEthernet0/0\n crypto map ra\n"), 0);
	loop_turn();
	struct oracle to, from;
	oracle_of(&cases[0], &to, 0xb00, 1);
	oracle_of(&cases[0], &from, 0xb01, 2);
	uint32_t bundle = ike_pair(&to, &from, "ra", 10, A("10.0.0.9"), "0.0.0.0",
				   "0.0.0.0", "172.16.0.5", "255.255.255.255", 0,
				   4608000, 3600);
	loop_turn();
	char *out = show("show ip route");
	assert_non_null(strstr(out, "S       172.16.0.5 [1/0] via 10.0.0.9\n"));
	free(out);
	/* the host reaches the client through the RRI route and the SA */
	uint8_t f[128];
	size_t n = eth(f, fa1->mac, host_mac, 0x0800);
	n += icmp_packet(f + n, A("192.168.1.10"), A("172.16.0.5"), 8, 64, 1);
	ntx = 0;
	feed(fa1, f, n);
	size_t len;
	const uint8_t *ip = last_ip_on(fa0, &len);
	assert_non_null(ip);
	assert_memory_equal(ip + 16, &(uint32_t){A("10.0.0.9")}, 4);
	assert_memory_equal(tx[ntx - 1].data, peer9_mac, 6);
	out = show("show crypto ipsec sa map ra");
	assert_non_null(strstr(out, "   remote ident (addr/mask/prot/port): "
				    "(172.16.0.5/255.255.255.255/0/0)\n"));
	assert_non_null(strstr(out, "     PERMIT, flags={}\n"));
	free(out);
	sadb_delete_bundle(bundle, SADB_DEL_PEER);
	loop_turn();
	out = show("show ip route");
	assert_null(strstr(out, "172.16.0.5"));
	free(out);
	out = show("show crypto ipsec sa");
	assert_null(strstr(out, "172.16.0.5"));     /* the flow went with them */
	free(out);
}

/* Kilobytes and seconds: counted; soft expiry asks for a successor, the
 * hard limit ends the SA's use at once. */
static void test_lifetimes(void **state)
{
	struct oracle to, from;
	isakmp_with_sas(&to, &from, 0xc00, 0, 3, 3600);
	size_t len;
	int sent = 0;
	for (uint16_t s = 1; s <= 80; s++) {
		ntx = 0;
		host_sends(s);
		sent += last_ip_on(fa0, &len) != NULL;
	}
	/* 3 KB of 60-byte packets: 51 went, the rest found no SA */
	assert_int_equal(sent, 3 * 1024 / 60 + 1);
	assert_int_equal(softs, 1);
	assert_true(acquires >= 1);

	/* seconds: an SA past its time carries nothing */
	core_reset_all();
	setup(state);
	isakmp_with_sas(&to, &from, 0xc10, 0, 4608000, 1);
	struct ipsec_sa *out_sa = sadb_out_find_spi(A("10.0.0.2"), 50, 0xc11);
	assert_non_null(out_sa);
	out_sa->d.created -= 2;        /* two seconds have gone by */
	sadb_in_find(A("10.0.0.1"), 50, 0xc10)->d.created -= 2;
	ntx = 0;
	host_sends(1);
	assert_null(last_ip_on(fa0, &len));
}

/* The block as IOS 12.4 prints it, for a manually keyed pair. */
static void test_show_format(void **state)
{
	struct oracle to, from;
	oracle_of(&cases[1], &to, 0x3e8, 1);       /* esp-3des esp-md5-hmac */
	oracle_of(&cases[1], &from, 0x3e9, 2);
	manual_map(cases[1].words, "101", &to, &from, NULL, NULL);
	char *out = show("show crypto ipsec sa");
	const char *want =
		"\n"
		"interface: FastEthernet0/0\n"
		"    Crypto map tag: mm, local addr 10.0.0.1\n"
		"\n"
		"   protected vrf: (none)\n"
		"   local  ident (addr/mask/prot/port): (192.168.1.0/255.255.255.0/0/0)\n"
		"   remote ident (addr/mask/prot/port): (192.168.2.0/255.255.255.0/0/0)\n"
		"   current_peer 10.0.0.2 port 500\n"
		"     PERMIT, flags={origin_is_acl,}\n"
		"    #pkts encaps: 0, #pkts encrypt: 0, #pkts digest: 0\n"
		"    #pkts decaps: 0, #pkts decrypt: 0, #pkts verify: 0\n"
		"    #pkts compressed: 0, #pkts decompressed: 0\n"
		"    #pkts not compressed: 0, #pkts compr. failed: 0\n"
		"    #pkts not decompressed: 0, #pkts decompress failed: 0\n"
		"    #send errors 0, #recv errors 0\n"
		"\n"
		"     local crypto endpt.: 10.0.0.1, remote crypto endpt.: 10.0.0.2\n"
		"     path mtu 1500, ip mtu 1500, ip mtu idb FastEthernet0/0\n"
		"     current outbound spi: 0x3E9(1001)\n"
		"     PFS (Y/N): N, DH group: none\n"
		"\n"
		"     inbound esp sas:\n"
		"      spi: 0x3E8(1000)\n"
		"        transform: esp-3des esp-md5-hmac ,\n"
		"        in use settings ={Tunnel, }\n"
		"        conn id: 2001, flow_id: SW:1, crypto map: mm\n"
		"        no sa timing\n"
		"        IV size: 8 bytes\n"
		"        replay detection support: Y\n"
		"        Status: ACTIVE\n"
		"\n"
		"     inbound ah sas:\n"
		"\n"
		"     inbound pcp sas:\n"
		"\n"
		"     outbound esp sas:\n"
		"      spi: 0x3E9(1001)\n"
		"        transform: esp-3des esp-md5-hmac ,\n"
		"        in use settings ={Tunnel, }\n"
		"        conn id: 2002, flow_id: SW:2, crypto map: mm\n"
		"        no sa timing\n"
		"        IV size: 8 bytes\n"
		"        replay detection support: Y\n"
		"        Status: ACTIVE\n"
		"\n"
		"     outbound ah sas:\n"
		"\n"
		"     outbound pcp sas:\n"
		"\n";
	assert_string_equal(out, want);
	free(out);
}

/* set session-key: hex keys, ipsec-manual entries only, written back. */
static void test_session_key_commands(void **state)
{
	assert_int_equal(cfg("crypto map mm 10 ipsec-manual\n"
			     " set session-key inbound ah 300 00112233445566778899AABBCCDDEEFF\n"
			     " set session-key outbound esp 301 cipher 0011223344556677 "
			     "authenticator 00112233445566778899aabbccddeeff\n"), 0);
	char *out = show("show running-config | section crypto map");
	assert_non_null(strstr(out,
		"crypto map mm 10 ipsec-manual\n"
		" set session-key inbound ah 300 00112233445566778899aabbccddeeff\n"
		" set session-key outbound esp 301 cipher 0011223344556677 "
		"authenticator 00112233445566778899aabbccddeeff\n"));
	free(out);
	assert_int_equal(cfg("crypto map mm 10 ipsec-manual\n"
			     " set session-key inbound esp 302 cipher 0g\n"), 1);
	assert_int_equal(cfg("crypto map mm 10 ipsec-manual\n"
			     " set session-key inbound esp 255 cipher 00\n"), 1);
	assert_int_equal(cfg("crypto map mi 10 ipsec-isakmp\n"
			     " set session-key inbound esp 300 cipher 00\n"), 1);
	assert_int_equal(cfg("crypto map mm 10 ipsec-manual\n"
			     " no set session-key inbound ah\n"), 0);
	out = show("show running-config | section crypto map");
	assert_null(strstr(out, "inbound ah"));
	free(out);
}

/* An entry without everything it needs makes no SAs; an SPI already
 * taken keeps the second entry without. */
static void test_incomplete_and_spi_taken(void **state)
{
	assert_int_equal(cfg("crypto ipsec transform-set ts esp-3des esp-md5-hmac\n"
			     "crypto map mm 10 ipsec-manual\n"
			     " set transform-set ts\n"
			     " match address 101\n"
			     " set session-key inbound esp 400 cipher "
			     "000102030405060708090a0b0c0d0e0f1011121314151617 "
			     "authenticator 000102030405060708090a0b0c0d0e0f\n"
			     " set session-key outbound esp 401 cipher "
			     "000102030405060708090a0b0c0d0e0f1011121314151617 "
			     "authenticator 000102030405060708090a0b0c0d0e0f\n"
			     "interface FastEthernet0/0\n crypto map mm\n"), 0);
	loop_turn();
	assert_int_equal(sadb_count(), 0);          /* no peer */
	assert_int_equal(cfg("crypto map mm 10 ipsec-manual\n set peer 10.0.0.2\n"), 0);
	loop_turn();
	assert_int_equal(sadb_count(), 2);
	/* a key too short for the transform: no SAs */
	assert_int_equal(cfg("crypto map mm 10 ipsec-manual\n"
			     " set session-key inbound esp 400 cipher 0001 "
			     "authenticator 000102030405060708090a0b0c0d0e0f\n"), 0);
	loop_turn();
	assert_int_equal(sadb_count(), 0);
	assert_int_equal(cfg("crypto map mm 10 ipsec-manual\n"
			     " set session-key inbound esp 400 cipher "
			     "000102030405060708090a0b0c0d0e0f1011121314151617 "
			     "authenticator 000102030405060708090a0b0c0d0e0f\n"
			     "access-list 102 permit ip host 192.168.1.1 host 192.168.2.1\n"
			     "crypto map mm 20 ipsec-manual\n"
			     " set peer 10.0.0.2\n"
			     " set transform-set ts\n"
			     " match address 102\n"
			     " set session-key inbound esp 400 cipher "
			     "000102030405060708090a0b0c0d0e0f1011121314151617 "
			     "authenticator 000102030405060708090a0b0c0d0e0f\n"
			     " set session-key outbound esp 402 cipher "
			     "000102030405060708090a0b0c0d0e0f1011121314151617 "
			     "authenticator 000102030405060708090a0b0c0d0e0f\n"), 0);
	loop_turn();
	assert_int_equal(sadb_count(), 2);          /* entry 20 has none */
}

/* clear crypto sa: manual SAs come back; counters go to zero; by peer
 * and by map only those. */
static void test_clear(void **state)
{
	struct oracle to, from;
	aes_sha_map(&to, &from, 0xd00);
	host_sends(1);
	assert_int_equal(sadb_count(), 2);
	free(exec_lines("clear crypto sa peer 10.0.0.7"));
	assert_int_equal(sadb_count(), 2);
	free(exec_lines("debug crypto ipsec"));
	free(exec_lines("clear crypto sa map mm"));
	assert_int_equal(sadb_count(), 0);
	loop_turn();
	assert_int_equal(sadb_count(), 2);          /* reinstalled */
	assert_true(logged("IPSEC(delete_sa): deleting SA,\n  (sa) sa_dest= 10.0.0.1, "
			   "sa_proto= 50,\n    sa_spi= 0xD00(3328),\n    sa_trans= "
			   "esp-aes esp-sha-hmac , sa_conn_id= 2001"));
	assert_true(logged("IPSEC(create_sa): sa created,\n  (sa) sa_dest= 10.0.0.2, "
			   "sa_proto= 50,\n    sa_spi= 0xD01(3329),\n    sa_trans= "
			   "esp-aes esp-sha-hmac , sa_conn_id= 2004"));
	free(exec_lines("no debug crypto ipsec"));
	char *out = show("show crypto ipsec sa");
	assert_int_equal(counter(out, "#pkts encaps: "), 1);
	free(out);
	free(exec_lines("clear crypto sa counters"));
	out = show("show crypto ipsec sa");
	assert_int_equal(counter(out, "#pkts encaps: "), 0);
	free(out);
	free(exec_lines("clear crypto sa entry 10.0.0.1 esp 3328"));
	assert_int_equal(sadb_count(), 0);          /* with its sibling */
}

/* show crypto map: the ACL's lines, the peer the SAs go to now, the
 * interfaces; show crypto dynamic-map: the templates. */
static void test_show_crypto_map_live(void **state)
{
	assert_int_equal(cfg("crypto ipsec transform-set ts esp-aes esp-sha-hmac\n"
			     "crypto map M 10 ipsec-isakmp\n"
			     " set peer 10.0.0.5\n"
			     " set peer 10.0.0.2\n"
			     " set transform-set ts\n"
			     " match address 101\n"
			     " reverse-route\n"
			     "crypto dynamic-map dyn 5\n"
			     " set transform-set ts\n"
			     "interface FastEthernet0/0\n crypto map M\n"), 0);
	loop_turn();
	char *out = show("show crypto map");
	assert_non_null(strstr(out,
		"Crypto Map \"M\" 10 ipsec-isakmp\n"
		"        Peer = 10.0.0.5\n"
		"        Peer = 10.0.0.2\n"
		"        Extended IP access list 101\n"
		"            access-list 101 permit ip 192.168.1.0 0.0.0.255 "
		"192.168.2.0 0.0.0.255\n"
		"        Current peer: 10.0.0.5\n"));
	free(out);
	struct oracle to, from;
	oracle_of(&cases[0], &to, 0xe00, 1);
	oracle_of(&cases[0], &from, 0xe01, 2);
	ike_pair(&to, &from, "M", 10, A("10.0.0.2"), "192.168.1.0", "255.255.255.0",
		 "192.168.2.0", "255.255.255.0", 0, 4608000, 3600);
	out = show("show crypto map tag M");
	assert_non_null(strstr(out, "        Current peer: 10.0.0.2\n"));
	assert_non_null(strstr(out, "        Reverse Route Injection Enabled\n"
				    "        Interfaces using crypto map M:\n"
				    "                FastEthernet0/0\n"));
	free(out);
	out = show("show crypto dynamic-map");
	assert_non_null(strstr(out, "Crypto Map Template\"dyn\" 5\n"));
	assert_null(strstr(out, "WARNING"));
	free(out);
}

/* crypto map M redundancy GROUP: the group's virtual address is the local
 * end; a router that is not the group's Active asks IKE for nothing and
 * injects no route. */
static void test_redundancy_group_end(void **state)
{
	assert_int_equal(cfg("crypto ipsec transform-set ts esp-aes esp-sha-hmac\n"
			     "crypto map M 10 ipsec-isakmp\n"
			     " set peer 10.0.0.2\n"
			     " set transform-set ts\n"
			     " match address 101\n"
			     " reverse-route\n"
			     "interface FastEthernet0/0\n"
			     " standby 1 ip 10.0.0.3\n"
			     " standby 1 name VPNHA\n"
			     " crypto map M redundancy VPNHA\n"), 0);
	loop_turn();
	host_sends(1);
	assert_int_equal(acquires, 0);
	char *out = show("show crypto ipsec sa");
	assert_non_null(strstr(out, "    Crypto map tag: M, local addr 10.0.0.3\n"));
	assert_int_equal(counter(out, "#send errors "), 1);
	free(out);
	out = show("show ip route");
	assert_null(strstr(out, "192.168.2.0/24 is directly connected"));
	free(out);
}

int main(void)
{
	router_init();
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_every_transform_both_ways, setup),
		cmocka_unit_test_setup(test_ah_and_the_bundle, setup),
		cmocka_unit_test_setup(test_replay_window, setup),
		cmocka_unit_test_setup(test_bad_packets_counted, setup),
		cmocka_unit_test_setup(test_identity_checked, setup),
		cmocka_unit_test_setup(test_acquire, setup),
		cmocka_unit_test_setup(test_udp_encapsulation, setup),
		cmocka_unit_test_setup(test_dynamic_map_and_rri, setup),
		cmocka_unit_test_setup(test_lifetimes, setup),
		cmocka_unit_test_setup(test_show_format, setup),
		cmocka_unit_test_setup(test_session_key_commands, setup),
		cmocka_unit_test_setup(test_incomplete_and_spi_taken, setup),
		cmocka_unit_test_setup(test_clear, setup),
		cmocka_unit_test_setup(test_show_crypto_map_live, setup),
		cmocka_unit_test_setup(test_redundancy_group_end, setup),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	core_reset_all();
	return rc;
}
