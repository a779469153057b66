/* AH (RFC 4302): a header after the IP header whose ICV covers the whole
 * packet except what routers may change on the way.
 *
 *   IP | Next | Len | 0 | SPI | Seq | ICV (12 or 16) | what followed
 *
 * The ICV is computed over the IP header with its mutable fields (type of
 * service, flags and fragment offset, TTL, checksum) zeroed, the AH header
 * with a zero ICV, and the rest. The router sends no IP options and drops
 * packets that carry them, so the header is always 20 bytes. */
#include "crypto_int.h"
#include "ipsec_int.h"

#define AH_FIXED 12

static size_t ah_len(const struct xf_sa *x)
{
	return (AH_FIXED + x->icv_len + 3) & ~(size_t)3;  /* 32-bit aligned */
}

size_t ah_overhead(const struct ipsec_sa *sa)
{
	return ah_len(sa->engine);
}

/* The header as the ICV sees it. */
static void immutable_hdr(const uint8_t *ip, uint8_t *out)
{
	memcpy(out, ip, IP_HLEN);
	out[1] = 0;                  /* type of service */
	put16(out + 6, 0);           /* flags, fragment offset */
	out[8] = 0;                  /* TTL */
	put16(out + 10, 0);          /* checksum */
}

size_t ah_apply(struct ipsec_sa *sa, uint8_t **pkt, size_t len)
{
	struct xf_sa *x = sa->engine;
	size_t alen = ah_len(x);
	size_t total = len + alen;
	if (total > 65535)
		return 0;
	uint8_t *ip = *pkt - alen;
	memmove(ip, *pkt, IP_HLEN);
	uint8_t *ah = ip + IP_HLEN;
	uint8_t next = ip[9];
	memset(ah, 0, alen);
	ah[0] = next;
	ah[1] = (uint8_t)(alen / 4 - 2);
	put32(ah + 4, sa->d.spi);
	put32(ah + 8, (uint32_t)++sa->d.seq);
	ip_hdr_fix(ip, total, 51);
	uint8_t hdr[IP_HLEN];
	immutable_hdr(ip, hdr);
	if (!xf_icv(x, hdr, IP_HLEN, ah, alen, ah + alen, total - IP_HLEN - alen,
		    ah + AH_FIXED))
		return 0;
	*pkt = ip;
	return total;
}

enum ipsec_rx_err ah_verify(struct ipsec_sa *sa, const uint8_t *hdr,
			    const uint8_t *p, size_t n, size_t *hlen,
			    uint8_t *next)
{
	struct xf_sa *x = sa->engine;
	size_t alen = ah_len(x);
	if (n < alen || (size_t)(p[1] + 2) * 4 != alen)
		return RX_BAD_LEN;
	uint32_t seq = be32(p + 8);
	if (sadb_replay_check(sa, seq) != SADB_REPLAY_OK)
		return RX_REPLAY;
	uint8_t ih[IP_HLEN], ah[64], icv[32];
	immutable_hdr(hdr, ih);
	memcpy(ah, p, alen);
	memset(ah + AH_FIXED, 0, alen - AH_FIXED);
	if (!xf_icv(x, ih, IP_HLEN, ah, alen, p + alen, n - alen, icv) ||
	    CRYPTO_memcmp(icv, p + AH_FIXED, x->icv_len))
		return RX_BAD_ICV;
	sadb_replay_update(sa, seq);
	*hlen = alen;
	*next = p[0];
	return RX_OK;
}
