/* ESP (RFC 4303): the header goes in after the IP header (tunnel mode has
 * put an outer one in front already), what followed is padded and
 * encrypted with its trailer, the ICV goes at the end.
 *
 *   IP | [UDP 4500 (RFC 3948)] | SPI | Seq | IV | payload | pad | pl | nh | ICV
 *
 * CBC ciphers (DES, 3DES, AES) with an HMAC (or none: replay detection
 * then has nothing to stand on), AES-GCM (RFC 4106: 8-byte IV, 16-byte
 * tag over SPI and Seq), and esp-null (RFC 2410). Padding is the default
 * 1, 2, 3 ... of RFC 4303 2.4, checked on the way in. */
#include "crypto_int.h"
#include "ipsec_int.h"

#define ESP_HLEN 8
#define UDP_HLEN 8
#define NH_DUMMY 59          /* TFC dummy packet (RFC 4303 2.6) */

static size_t pad_for(const struct xf_sa *x, size_t payload)
{
	return (x->align - (payload + 2) % x->align) % x->align;
}

static size_t udp_len(const struct ipsec_sa *sa)
{
	return sa->d.peer_port ? UDP_HLEN : 0;
}

size_t esp_overhead(const struct ipsec_sa *sa, size_t payload)
{
	const struct xf_sa *x = sa->engine;
	return udp_len(sa) + ESP_HLEN + x->iv_len + pad_for(x, payload) + 2 +
	       x->icv_len;
}

size_t esp_apply(struct ipsec_sa *sa, uint8_t **pkt, size_t len)
{
	struct xf_sa *x = sa->engine;
	size_t pl = len - IP_HLEN;
	size_t total = len + esp_overhead(sa, pl);
	if (total > 65535)
		return 0;
	size_t front = udp_len(sa) + ESP_HLEN + x->iv_len;
	uint8_t *ip = *pkt - front;
	memmove(ip, *pkt, IP_HLEN);
	uint8_t *esp = ip + IP_HLEN + udp_len(sa);
	uint8_t *data = esp + ESP_HLEN + x->iv_len;   /* the payload, unmoved */

	/* trailer: 1, 2, 3 ... pad length, next header */
	size_t pad = pad_for(x, pl);
	uint8_t *t = data + pl;
	for (size_t i = 0; i < pad; i++)
		t[i] = (uint8_t)(i + 1);
	t[pad] = (uint8_t)pad;
	t[pad + 1] = ip[9];
	size_t clen = pl + pad + 2;

	uint32_t seq = (uint32_t)++sa->d.seq;
	put32(esp, sa->d.spi);
	put32(esp + 4, seq);
	uint8_t *iv = esp + ESP_HLEN;
	if (x->aead) {
		xf_gcm_iv(seq, iv);
		if (!xf_gcm(x, true, iv, esp, ESP_HLEN, data, data, clen,
			    data + clen))
			return 0;
	} else {
		if (x->cipher && !xf_cbc_seal(x, seq, iv, clen))
			return 0;
		if (x->mac && !xf_icv(x, esp, ESP_HLEN + x->iv_len + clen,
				      NULL, 0, NULL, 0, data + clen))
			return 0;
	}
	if (udp_len(sa)) {
		/* RFC 3948 2.1: the checksum is sent as zero */
		uint8_t *udp = ip + IP_HLEN;
		put16(udp, sa->d.local_port);
		put16(udp + 2, sa->d.peer_port);
		put16(udp + 4, (uint16_t)(total - IP_HLEN));
		put16(udp + 6, 0);
	}
	ip_hdr_fix(ip, total, udp_len(sa) ? 17 : 50);
	*pkt = ip;
	return total;
}

/* RFC 4303 2.4: the receiver checks the default padding it was sent. */
static bool pad_ok(const uint8_t *t, size_t pad)
{
	for (size_t i = 0; i < pad; i++)
		if (t[i] != (uint8_t)(i + 1))
			return false;
	return true;
}

/* Replay first (cheap), then integrity, then decryption; the window moves
 * only for a packet that passed them all. OUT has a block of room in
 * front (CBC decrypts the IV there). */
enum ipsec_rx_err esp_open(struct ipsec_sa *sa, const uint8_t *p, size_t n,
			   uint8_t *out, size_t *outlen, uint8_t *next)
{
	struct xf_sa *x = sa->engine;
	size_t fixed = ESP_HLEN + x->iv_len + x->icv_len;
	if (n < fixed + 2)
		return RX_BAD_LEN;
	size_t clen = n - fixed;
	if (clen % x->align)
		return RX_BAD_LEN;
	uint32_t seq = be32(p + 4);
	if (sadb_replay_check(sa, seq) != SADB_REPLAY_OK)
		return RX_REPLAY;
	const uint8_t *iv = p + ESP_HLEN;
	const uint8_t *ct = iv + x->iv_len;
	if (x->aead) {
		uint8_t tag[16];
		memcpy(tag, ct + clen, 16);
		if (!xf_gcm(x, false, iv, p, ESP_HLEN, ct, out, clen, tag))
			return RX_BAD_ICV;
	} else {
		if (x->mac) {
			uint8_t icv[32];
			if (!xf_icv(x, p, n - x->icv_len, NULL, 0, NULL, 0, icv) ||
			    CRYPTO_memcmp(icv, p + n - x->icv_len, x->icv_len))
				return RX_BAD_ICV;
		}
		if (x->cipher) {
			if (!xf_cbc_open(x, iv, clen, out))
				return RX_BAD_PAD;
		} else {
			memcpy(out, ct, clen);
		}
	}
	size_t pad = out[clen - 2];
	if (pad + 2 > clen || !pad_ok(out + clen - 2 - pad, pad))
		return RX_BAD_PAD;
	*next = out[clen - 1];
	*outlen = clen - 2 - pad;
	sadb_replay_update(sa, seq);
	return *next == NH_DUMMY ? RX_DUMMY : RX_OK;
}
