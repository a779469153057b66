/* HSRP packets: the version 1 format of RFC 2281 §5.1 (20 bytes, an
 * optional MD5 authentication TLV after it) and the version 2 TLV format
 * (group state TLV, text and MD5 authentication TLVs, interface state
 * TLV), as Wireshark's packet-hsrp.c decodes them. Decoding validates
 * every field before the state machine sees it; encoding builds exactly
 * what IOS sends. MD5 authentication is RFC 1828 keyed MD5 over the whole
 * UDP payload with the digest zeroed (what IOS computes). */
#include "hsrp_int.h"

#include <openssl/evp.h>
#include <string.h>

/* v1 on-wire state values (RFC 2281) and v2's (Wireshark). */
static const uint8_t v1_state[] = {
	[HSRP_INIT] = 0, [HSRP_LEARN] = 1,    [HSRP_LISTEN] = 2,
	[HSRP_SPEAK] = 4, [HSRP_STANDBY] = 8, [HSRP_ACTIVE] = 16,
};
static const uint8_t v2_state[] = {
	[HSRP_INIT] = 1, [HSRP_LEARN] = 2,    [HSRP_LISTEN] = 3,
	[HSRP_SPEAK] = 4, [HSRP_STANDBY] = 5, [HSRP_ACTIVE] = 6,
};

static bool state_from_wire(const uint8_t *tab, uint8_t v, enum hsrp_state *st)
{
	for (int s = HSRP_INIT; s <= HSRP_ACTIVE; s++)
		if (tab[s] == v) {
			*st = (enum hsrp_state)s;
			return true;
		}
	return false;
}

static uint16_t get16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}
static void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24); p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);  p[3] = (uint8_t)v;
}

const char *hsrp_pkt_err_name(enum hsrp_pkt_err e)
{
	switch (e) {
	case HSRP_PKT_OK:       return "ok";
	case HSRP_PKT_SHORT:    return "too short";
	case HSRP_PKT_LONG:     return "too long";
	case HSRP_PKT_VERSION:  return "unknown version";
	case HSRP_PKT_OPCODE:   return "unknown opcode";
	case HSRP_PKT_FIELD:    return "invalid field";
	case HSRP_PKT_AUTH:     return "authentication failed";
	case HSRP_PKT_TTL:      return "bad TTL";
	case HSRP_PKT_DEST:     return "bad destination";
	case HSRP_PKT_SUBNET:   return "source not on subnet";
	case HSRP_PKT_OWN:      return "own address";
	}
	return "?";
}

/* ------------------------------------------------------------------ */
/* Decoding                                                             */
/* ------------------------------------------------------------------ */

/* The MD5 authentication TLV body (28 bytes) at P. */
static enum hsrp_pkt_err md5_tlv(const uint8_t *p, size_t tlv_off,
				 struct hsrp_msg *m)
{
	if (p[0] != HSRP_MD5_ALGO)
		return HSRP_PKT_FIELD;
	m->auth = HSRP_MSG_AUTH_MD5;
	m->md5_ip = htonl(get32(p + 4));
	m->md5_keyid = get32(p + 8);
	memcpy(m->md5_digest, p + 12, 16);
	m->md5_digest_off = tlv_off + 2 + 12;
	return HSRP_PKT_OK;
}

static enum hsrp_pkt_err decode_v1(const uint8_t *b, size_t len,
				   struct hsrp_msg *m)
{
	m->version = 1;
	m->opcode = b[1];
	if (m->opcode == HSRP_OP_ADVERTISE) {
		/* the interface state advertisement: version, opcode, then
		 * a TLV (type and length, 2 bytes each) holding the state,
		 * reserved, active and passive group counts, reserved */
		if (len < 6 || len < 6u + get16(b + 4) || get16(b + 4) < 10)
			return HSRP_PKT_SHORT;
		if (len > 6u + get16(b + 4))
			return HSRP_PKT_LONG;
		return HSRP_PKT_OK;
	}
	if (m->opcode > HSRP_OP_RESIGN)
		return HSRP_PKT_OPCODE;
	if (len < HSRP_V1_LEN)
		return HSRP_PKT_SHORT;
	if (!state_from_wire(v1_state, b[2], &m->state))
		return HSRP_PKT_FIELD;
	m->hello_ms = b[3] * 1000u;
	m->hold_ms = b[4] * 1000u;
	m->priority = b[5];
	m->group = b[6];
	memcpy(m->auth_text, b + 8, 8);
	memcpy(&m->vip, b + 16, 4);
	m->auth = HSRP_MSG_AUTH_TEXT;
	if (len == HSRP_V1_LEN)
		return HSRP_PKT_OK;
	/* only an MD5 authentication TLV may follow the 20 bytes */
	if (b[HSRP_V1_LEN] != HSRP_TLV_MD5_AUTH)
		return HSRP_PKT_LONG;
	if (len < HSRP_V1_LEN + 2 || len < HSRP_V1_LEN + 2u + b[HSRP_V1_LEN + 1])
		return HSRP_PKT_SHORT;
	if (b[HSRP_V1_LEN + 1] < HSRP_MD5_TLV_LEN)
		return HSRP_PKT_SHORT;
	if (b[HSRP_V1_LEN + 1] > HSRP_MD5_TLV_LEN ||
	    len > HSRP_V1_LEN + 2u + HSRP_MD5_TLV_LEN)
		return HSRP_PKT_LONG;
	return md5_tlv(b + HSRP_V1_LEN + 2, HSRP_V1_LEN, m);
}

static enum hsrp_pkt_err group_state_tlv(const uint8_t *p, uint8_t tlen,
					 struct hsrp_msg *m)
{
	if (tlen < HSRP_GS_TLV_LEN)
		return HSRP_PKT_SHORT;
	if (tlen > HSRP_GS_TLV_LEN)
		return HSRP_PKT_LONG;
	if (p[0] != 2)
		return HSRP_PKT_VERSION;
	m->opcode = p[1];
	if (m->opcode > HSRP_OP_RESIGN)
		return HSRP_PKT_OPCODE;
	if (!state_from_wire(v2_state, p[2], &m->state))
		return HSRP_PKT_FIELD;
	if (p[3] != 4)      /* IPv4 groups only (IPv6 HSRP uses port 2029) */
		return HSRP_PKT_FIELD;
	m->group = get16(p + 4);
	if (m->group > HSRP_V2_MAX_GROUP)
		return HSRP_PKT_FIELD;
	memcpy(m->ident, p + 6, 6);
	uint32_t pri = get32(p + 12);
	if (pri > 255)
		return HSRP_PKT_FIELD;
	m->priority = (unsigned)pri;
	m->hello_ms = get32(p + 16);
	m->hold_ms = get32(p + 20);
	memcpy(&m->vip, p + 24, 4);
	return HSRP_PKT_OK;
}

static enum hsrp_pkt_err decode_v2(const uint8_t *b, size_t len,
				   struct hsrp_msg *m)
{
	bool have_group = false, have_iface = false;
	m->version = 2;
	m->auth = HSRP_MSG_AUTH_NONE;
	size_t off = 0;
	while (off < len) {
		if (len - off < 2)
			return HSRP_PKT_SHORT;
		uint8_t type = b[off], tlen = b[off + 1];
		const uint8_t *v = b + off + 2;
		if (len - off - 2 < tlen)
			return HSRP_PKT_SHORT;
		enum hsrp_pkt_err e = HSRP_PKT_OK;
		switch (type) {
		case HSRP_TLV_GROUP_STATE:
			if (have_group)
				return HSRP_PKT_FIELD;
			have_group = true;
			e = group_state_tlv(v, tlen, m);
			break;
		case HSRP_TLV_IFACE_STATE:
			if (tlen != 4)
				return tlen < 4 ? HSRP_PKT_SHORT : HSRP_PKT_LONG;
			have_iface = true;
			break;
		case HSRP_TLV_TEXT_AUTH:
			if (tlen != 8)
				return tlen < 8 ? HSRP_PKT_SHORT : HSRP_PKT_LONG;
			m->auth = HSRP_MSG_AUTH_TEXT;
			memcpy(m->auth_text, v, 8);
			break;
		case HSRP_TLV_MD5_AUTH:
			if (tlen != HSRP_MD5_TLV_LEN)
				return tlen < HSRP_MD5_TLV_LEN ? HSRP_PKT_SHORT
							       : HSRP_PKT_LONG;
			e = md5_tlv(v, off, m);
			break;
		default:
			/* TLVs of later releases: skipped, as IOS does */
			break;
		}
		if (e != HSRP_PKT_OK)
			return e;
		off += 2u + tlen;
	}
	if (have_group)
		return HSRP_PKT_OK;
	if (have_iface) {
		m->opcode = HSRP_OP_ADVERTISE;
		return HSRP_PKT_OK;
	}
	return HSRP_PKT_SHORT;
}

enum hsrp_pkt_err hsrp_pkt_decode(const uint8_t *b, size_t len,
				  struct hsrp_msg *m)
{
	memset(m, 0, sizeof *m);
	if (len > HSRP_PKT_MAX)
		return HSRP_PKT_LONG;
	if (len < 3)
		return HSRP_PKT_SHORT;
	/* v1 starts with its version, 0; v2 with the group state TLV's type
	 * and length, then version 2 (an interface state TLV alone is a v2
	 * advertisement) */
	if (b[0] == 0)
		return decode_v1(b, len, m);
	if ((b[0] == HSRP_TLV_GROUP_STATE && b[2] == 2) ||
	    b[0] == HSRP_TLV_IFACE_STATE)
		return decode_v2(b, len, m);
	return HSRP_PKT_VERSION;
}

/* ------------------------------------------------------------------ */
/* Authentication                                                       */
/* ------------------------------------------------------------------ */

/* RFC 1828 keyed MD5: MD5(key, MD5 padding of the key to a 64-byte
 * boundary, data, key). The padding is that of MD5 itself: 0x80, zeros,
 * the key's length in bits as a little-endian 64-bit number. */
bool hsrp_md5_digest(const char *key, const uint8_t *data, size_t len,
		     uint8_t out[16])
{
	size_t klen = strlen(key);
	uint8_t fill[128];
	size_t flen = 64 - (klen + 1 + 8) % 64;
	if (flen == 64)
		flen = 0;
	memset(fill, 0, sizeof fill);
	fill[0] = 0x80;
	uint64_t bits = (uint64_t)klen * 8;
	for (int i = 0; i < 8; i++)
		fill[1 + flen + (size_t)i] = (uint8_t)(bits >> (8 * i));
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned n = 0;
	bool ok = ctx && EVP_DigestInit_ex(ctx, EVP_md5(), NULL) &&
		  EVP_DigestUpdate(ctx, key, klen) &&
		  EVP_DigestUpdate(ctx, fill, 1 + flen + 8) &&
		  EVP_DigestUpdate(ctx, data, len) &&
		  EVP_DigestUpdate(ctx, key, klen) &&
		  EVP_DigestFinal_ex(ctx, out, &n) && n == 16;
	EVP_MD_CTX_free(ctx);
	return ok;
}

/* The 8 bytes a text string travels as: zero padded. */
static void text_field(const char *s, uint8_t out[8])
{
	memset(out, 0, 8);
	size_t n = strlen(s);
	memcpy(out, s, n < 8 ? n : 8);
}

static bool ct_equal(const uint8_t *a, const uint8_t *b, size_t n)
{
	uint8_t d = 0;
	for (size_t i = 0; i < n; i++)
		d |= (uint8_t)(a[i] ^ b[i]);
	return d == 0;
}

bool hsrp_pkt_auth_ok(const uint8_t *b, size_t len, const struct hsrp_msg *m,
		      const struct hsrp_auth_cfg *a)
{
	if (a->md5) {
		if (m->auth != HSRP_MSG_AUTH_MD5 ||
		    m->md5_digest_off + 16 > len || len > HSRP_PKT_MAX)
			return false;
		uint8_t copy[HSRP_PKT_MAX], dig[16];
		memcpy(copy, b, len);
		memset(copy + m->md5_digest_off, 0, 16);
		return hsrp_md5_digest(a->key, copy, len, dig) &&
		       ct_equal(dig, m->md5_digest, 16);
	}
	/* text (or the default "cisco"); a v2 packet without any
	 * authentication TLV carries no string, which only matches an
	 * empty one */
	uint8_t want[8];
	text_field(a->key, want);
	if (m->auth == HSRP_MSG_AUTH_MD5)
		return false;
	if (m->auth == HSRP_MSG_AUTH_NONE)
		return !want[0];
	return ct_equal(want, m->auth_text, 8);
}

/* ------------------------------------------------------------------ */
/* Encoding                                                             */
/* ------------------------------------------------------------------ */

static size_t put_md5_tlv(uint8_t *p, uint32_t src, uint32_t key_id)
{
	p[0] = HSRP_TLV_MD5_AUTH;
	p[1] = HSRP_MD5_TLV_LEN;
	memset(p + 2, 0, HSRP_MD5_TLV_LEN);
	p[2] = HSRP_MD5_ALGO;
	put32(p + 6, ntohl(src));
	/* the key chain key's id; 0 for a key-string, which has none */
	put32(p + 10, key_id);
	return 2 + HSRP_MD5_TLV_LEN;
}

static uint8_t secs_field(unsigned ms)
{
	unsigned s = ms / 1000;
	return (uint8_t)(s > 255 ? 255 : s);
}

size_t hsrp_pkt_encode(const struct hsrp_msg *m, const struct hsrp_auth_cfg *a,
		       uint32_t src, uint8_t *b, size_t cap)
{
	size_t len;
	if (cap < HSRP_PKT_MAX)
		return 0;
	memset(b, 0, cap);
	if (m->version == 1) {
		b[0] = 0;
		b[1] = (uint8_t)m->opcode;
		b[2] = v1_state[m->state];
		/* sub-second timers do not fit the v1 fields: they carry
		 * whole seconds (0 with msec timers), never learned */
		b[3] = secs_field(m->hello_ms);
		b[4] = secs_field(m->hold_ms);
		b[5] = (uint8_t)m->priority;
		b[6] = (uint8_t)m->group;
		if (!a->md5)
			text_field(a->key, b + 8);
		memcpy(b + 16, &m->vip, 4);
		len = HSRP_V1_LEN;
		if (a->md5)
			len += put_md5_tlv(b + len, src, a->key_id);
	} else {
		b[0] = HSRP_TLV_GROUP_STATE;
		b[1] = HSRP_GS_TLV_LEN;
		uint8_t *p = b + 2;
		p[0] = 2;
		p[1] = (uint8_t)m->opcode;
		p[2] = v2_state[m->state];
		p[3] = 4;
		put16(p + 4, (uint16_t)m->group);
		memcpy(p + 6, m->ident, 6);
		put32(p + 12, m->priority);
		put32(p + 16, m->hello_ms);
		put32(p + 20, m->hold_ms);
		memcpy(p + 24, &m->vip, 4);
		len = 2 + HSRP_GS_TLV_LEN;
		if (a->md5) {
			len += put_md5_tlv(b + len, src, a->key_id);
		} else {
			b[len] = HSRP_TLV_TEXT_AUTH;
			b[len + 1] = 8;
			text_field(a->key, b + len + 2);
			len += 10;
		}
	}
	if (a->md5) {
		uint8_t dig[16];
		if (!hsrp_md5_digest(a->key, b, len, dig))
			return 0;
		memcpy(b + len - 16, dig, 16);
	}
	return len;
}
