/* The crypto HA checkpoint message: building, parsing (nothing is used
 * before its length is checked) and the `debug crypto ha` dump, which
 * prints a message the way seed 001 shows one:
 *
 *   HA Message 0:flags=0x01 len=394 HA_IKE_MSG_ADD_SA (2)
 *    ID:04000003
 *    attr HA_IKE_ATT_MY_COOKIE (2) len 8
 *    9B 1A 76 AA 99 11 1A 1F
 *
 * Key material is named with its length and never printed. */
#include "ha_int.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)get16(p) << 16 | get16(p + 2);
}

void ha_out_begin(struct ha_out *o, uint16_t type, uint8_t flags,
		  uint32_t id)
{
	memset(o->b, 0, HA_HDR_LEN);
	o->b[0] = HA_MSG_VERSION;
	o->b[1] = flags;
	put16(o->b + 2, type);
	memcpy(o->b + 8, &id, 4);          /* already network order */
	o->len = HA_HDR_LEN;
	o->overflow = false;
}

void ha_out_put(struct ha_out *o, uint16_t att, const void *p, size_t n)
{
	if (n > UINT16_MAX || o->len + 4 + n > sizeof o->b) {
		o->overflow = true;
		return;
	}
	put16(o->b + o->len, att);
	put16(o->b + o->len + 2, (uint16_t)n);
	if (n)
		memcpy(o->b + o->len + 4, p, n);
	o->len += 4 + n;
}

void ha_out_u8(struct ha_out *o, uint16_t att, uint8_t v)
{
	ha_out_put(o, att, &v, 1);
}

void ha_out_u16(struct ha_out *o, uint16_t att, uint16_t v)
{
	uint8_t b[2];
	put16(b, v);
	ha_out_put(o, att, b, 2);
}

void ha_out_u32(struct ha_out *o, uint16_t att, uint32_t v)
{
	uint8_t b[4];
	put32(b, v);
	ha_out_put(o, att, b, 4);
}

void ha_out_u64(struct ha_out *o, uint16_t att, uint64_t v)
{
	uint8_t b[8];
	put32(b, (uint32_t)(v >> 32));
	put32(b + 4, (uint32_t)v);
	ha_out_put(o, att, b, 8);
}

bool ha_out_finish(struct ha_out *o, uint32_t seq)
{
	put32(o->b + 4, (uint32_t)o->len);
	put32(o->b + 12, seq);
	return !o->overflow;
}

int ha_msg_parse(const uint8_t *p, size_t len, struct ha_msg *m)
{
	if (len < HA_HDR_LEN || p[0] != HA_MSG_VERSION)
		return -1;
	m->version = p[0];
	m->flags = p[1];
	m->type = get16(p + 2);
	m->len = get32(p + 4);
	memcpy(&m->id, p + 8, 4);
	m->seq = get32(p + 12);
	if (m->len != len)
		return -1;
	m->attrs = p + HA_HDR_LEN;
	m->alen = len - HA_HDR_LEN;
	/* every attribute must fit: a message is taken whole or not at all */
	struct ha_attr_it it;
	struct ha_attr a;
	int rc;
	ha_attr_begin(m, &it);
	while ((rc = ha_attr_next(&it, &a)) == 1)
		;
	return rc;
}

void ha_attr_begin(const struct ha_msg *m, struct ha_attr_it *it)
{
	it->p = m->attrs;
	it->left = m->alen;
}

int ha_attr_next(struct ha_attr_it *it, struct ha_attr *a)
{
	if (!it->left)
		return 0;
	if (it->left < 4)
		return -1;
	a->type = get16(it->p);
	a->len = get16(it->p + 2);
	if ((size_t)a->len > it->left - 4)
		return -1;
	a->v = it->p + 4;
	it->p += 4 + a->len;
	it->left -= 4 + (size_t)a->len;
	return 1;
}

bool ha_attr_u8(const struct ha_attr *a, uint8_t *v)
{
	if (a->len != 1)
		return false;
	*v = a->v[0];
	return true;
}

bool ha_attr_u16(const struct ha_attr *a, uint16_t *v)
{
	if (a->len != 2)
		return false;
	*v = get16(a->v);
	return true;
}

bool ha_attr_u32(const struct ha_attr *a, uint32_t *v)
{
	if (a->len != 4)
		return false;
	*v = get32(a->v);
	return true;
}

bool ha_attr_u64(const struct ha_attr *a, uint64_t *v)
{
	if (a->len != 8)
		return false;
	*v = (uint64_t)get32(a->v) << 32 | get32(a->v + 4);
	return true;
}

/* ---- names ------------------------------------------------------------------- */

static const char *const ike_msg[] = {
	[HA_IKE_MSG_STAMP] = "HA_IKE_MSG_STAMP",
	[HA_IKE_MSG_ADD_SA] = "HA_IKE_MSG_ADD_SA",
	[HA_IKE_MSG_UPDATE_SA] = "HA_IKE_MSG_UPDATE_SA",
	[HA_IKE_MSG_DELETE_SA] = "HA_IKE_MSG_DELETE_SA",
};
static const char *const ike_att[] = {
	[HA_IKE_ATT_STAMP] = "HA_IKE_ATT_STAMP",
	[HA_IKE_ATT_MY_COOKIE] = "HA_IKE_ATT_MY_COOKIE",
	[HA_IKE_ATT_HIS_COOKIE] = "HA_IKE_ATT_HIS_COOKIE",
	[HA_IKE_ATT_SRC] = "HA_IKE_ATT_SRC",
	[HA_IKE_ATT_DST] = "HA_IKE_ATT_DST",
	[HA_IKE_ATT_PEER_PORT] = "HA_IKE_ATT_PEER_PORT",
	[HA_IKE_ATT_F_VRF] = "HA_IKE_ATT_F_VRF",
	[HA_IKE_ATT_INIT_OR_RESP] = "HA_IKE_ATT_INIT_OR_RESP",
	[HA_IKE_ATT_NAT_DISCOVERY] = "HA_IKE_ATT_NAT_DISCOVERY",
	[HA_IKE_ATT_LOCAL_PORT] = "HA_IKE_ATT_LOCAL_PORT",
	[HA_IKE_ATT_PEERS_CAPABILITIES] = "HA_IKE_ATT_PEERS_CAPABILITIES",
	[HA_IKE_ATT_MY_CAPABILITIES] = "HA_IKE_ATT_MY_CAPABILITIES",
	[HA_IKE_ATT_STATE_MASK] = "HA_IKE_ATT_STATE_MASK",
	[HA_IKE_ATT_ENCR] = "HA_IKE_ATT_ENCR",
	[HA_IKE_ATT_KEY_BITS] = "HA_IKE_ATT_KEY_BITS",
	[HA_IKE_ATT_HASH] = "HA_IKE_ATT_HASH",
	[HA_IKE_ATT_AUTH] = "HA_IKE_ATT_AUTH",
	[HA_IKE_ATT_DH_GROUP] = "HA_IKE_ATT_DH_GROUP",
	[HA_IKE_ATT_POLICY] = "HA_IKE_ATT_POLICY",
	[HA_IKE_ATT_LIFETIME] = "HA_IKE_ATT_LIFETIME",
	[HA_IKE_ATT_AGE_MS] = "HA_IKE_ATT_AGE_MS",
	[HA_IKE_ATT_SKEYID_D] = "HA_IKE_ATT_SKEYID_D",
	[HA_IKE_ATT_SKEYID_A] = "HA_IKE_ATT_SKEYID_A",
	[HA_IKE_ATT_SKEYID_E] = "HA_IKE_ATT_SKEYID_E",
	[HA_IKE_ATT_ENC_KEY] = "HA_IKE_ATT_ENC_KEY",
	[HA_IKE_ATT_IV] = "HA_IKE_ATT_IV",
	[HA_IKE_ATT_DPD_SEQ_OUT] = "HA_IKE_ATT_DPD_SEQ_OUT",
	[HA_IKE_ATT_DPD_SEQ_IN] = "HA_IKE_ATT_DPD_SEQ_IN",
	[HA_IKE_ATT_IDTYPE] = "HA_IKE_ATT_IDTYPE",
	[HA_IKE_ATT_PROTOCOL] = "HA_IKE_ATT_PROTOCOL",
	[HA_IKE_ATT_PORT] = "HA_IKE_ATT_PORT",
	[HA_IKE_ATT_ADDR] = "HA_IKE_ATT_ADDR",
	[HA_IKE_ATT_MASK] = "HA_IKE_ATT_MASK",
	[HA_IKE_ATT_ID_STR] = "HA_IKE_ATT_ID_STR",
};
static bool ike_secret(uint16_t att)
{
	return att == HA_IKE_ATT_SKEYID_D || att == HA_IKE_ATT_SKEYID_A ||
	       att == HA_IKE_ATT_SKEYID_E || att == HA_IKE_ATT_ENC_KEY;
}
const struct ha_names ha_ike_names = {
	ike_msg, sizeof ike_msg / sizeof ike_msg[0],
	ike_att, sizeof ike_att / sizeof ike_att[0], ike_secret,
};

static const char *const ipsec_msg[] = {
	[HA_IPSEC_MSG_ADD_BUNDLE] = "HA_IPSEC_MSG_ADD_BUNDLE",
	[HA_IPSEC_MSG_UPDATE_SA] = "HA_IPSEC_MSG_UPDATE_SA",
	[HA_IPSEC_MSG_DELETE_SA] = "HA_IPSEC_MSG_DELETE_SA",
};
static const char *const ipsec_att[] = {
	[HA_IPSEC_ATT_LOCAL] = "HA_IPSEC_ATT_LOCAL",
	[HA_IPSEC_ATT_PEER] = "HA_IPSEC_ATT_PEER",
	[HA_IPSEC_ATT_LOCAL_PORT] = "HA_IPSEC_ATT_LOCAL_PORT",
	[HA_IPSEC_ATT_PEER_PORT] = "HA_IPSEC_ATT_PEER_PORT",
	[HA_IPSEC_ATT_LOCAL_PROXY] = "HA_IPSEC_ATT_LOCAL_PROXY",
	[HA_IPSEC_ATT_REMOTE_PROXY] = "HA_IPSEC_ATT_REMOTE_PROXY",
	[HA_IPSEC_ATT_MODE] = "HA_IPSEC_ATT_MODE",
	[HA_IPSEC_ATT_MAP] = "HA_IPSEC_ATT_MAP",
	[HA_IPSEC_ATT_MAP_SEQ] = "HA_IPSEC_ATT_MAP_SEQ",
	[HA_IPSEC_ATT_IKE_COOKIES] = "HA_IPSEC_ATT_IKE_COOKIES",
	[HA_IPSEC_ATT_PFS] = "HA_IPSEC_ATT_PFS",
	[HA_IPSEC_ATT_LIFE_SECS] = "HA_IPSEC_ATT_LIFE_SECS",
	[HA_IPSEC_ATT_LIFE_KB] = "HA_IPSEC_ATT_LIFE_KB",
	[HA_IPSEC_ATT_AGE_MS] = "HA_IPSEC_ATT_AGE_MS",
	[HA_IPSEC_ATT_SA] = "HA_IPSEC_ATT_SA",
	[HA_IPSEC_ATT_ENC] = "HA_IPSEC_ATT_ENC",
	[HA_IPSEC_ATT_AUTH] = "HA_IPSEC_ATT_AUTH",
	[HA_IPSEC_ATT_ENC_BITS] = "HA_IPSEC_ATT_ENC_BITS",
	[HA_IPSEC_ATT_ENC_KEY] = "HA_IPSEC_ATT_ENC_KEY",
	[HA_IPSEC_ATT_AUTH_KEY] = "HA_IPSEC_ATT_AUTH_KEY",
	[HA_IPSEC_ATT_SEQ] = "HA_IPSEC_ATT_SEQ",
	[HA_IPSEC_ATT_WINDOW] = "HA_IPSEC_ATT_WINDOW",
	[HA_IPSEC_ATT_BYTES] = "HA_IPSEC_ATT_BYTES",
};
static bool ipsec_secret(uint16_t att)
{
	return att == HA_IPSEC_ATT_ENC_KEY || att == HA_IPSEC_ATT_AUTH_KEY;
}
const struct ha_names ha_ipsec_names = {
	ipsec_msg, sizeof ipsec_msg / sizeof ipsec_msg[0],
	ipsec_att, sizeof ipsec_att / sizeof ipsec_att[0], ipsec_secret,
};

static const char *name_of(const char *const *v, size_t n, size_t i)
{
	return i < n && v[i] ? v[i] : "UNKNOWN";
}

/* At most 16 bytes a line, as IOS wraps its hex dumps. */
static void hex_lines(const uint8_t *p, size_t n)
{
	char line[16 * 3 + 1];
	for (size_t off = 0; off < n; off += 16) {
		size_t k = n - off < 16 ? n - off : 16, w = 0;
		for (size_t i = 0; i < k; i++)
			w += (size_t)snprintf(line + w, sizeof line - w, "%s%02X",
					      i ? " " : "", p[off + i]);
		log_debug(" %s", line);
	}
}

void ha_msg_dump(const struct ha_names *n, const uint8_t *p, size_t len)
{
	struct ha_msg m;
	if (ha_msg_parse(p, len, &m) < 0) {
		log_debug("HA Message: malformed, %zu bytes", len);
		return;
	}
	uint32_t id;
	memcpy(&id, &m.id, 4);
	log_debug("HA Message %u:flags=0x%02X len=%u %s (%u)", m.seq, m.flags,
		  m.len, name_of(n->msg, n->nmsg, m.type), m.type);
	log_debug(" ID:%08X", (unsigned)ntohl(id));
	struct ha_attr_it it;
	struct ha_attr a;
	ha_attr_begin(&m, &it);
	while (ha_attr_next(&it, &a) == 1) {
		log_debug(" attr %s (%u) len %u",
			  name_of(n->att, n->natt, a.type), a.type, a.len);
		if (n->secret(a.type))
			log_debug(" (%u bytes of key material, not shown)", a.len);
		else
			hex_lines(a.v, a.len);
	}
}
