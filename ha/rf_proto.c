/* RF's own messages (client RF_INTERNAL_MSG) and the checkpoint control
 * messages: fixed layouts in network byte order, every field checked
 * before use. Strings travel NUL-padded in fixed fields and must be
 * printable and NUL-terminated within them.
 *
 *   HELLO      u8 state, u8 flags (1 HSRP Active, 2 clean), u16 nclients,
 *              u32 state age (s), u32 uptime (s), host[64], image[128],
 *              scheme[48], u16 client ids[nclients]
 *   STATE      u8 state, u8 flags, u16 0, u32 state age (s)
 *   KEEPALIVE  u32 sequence
 *   BULK_REQ   u16 nclients, u16 client ids[nclients]
 *   CK_BEGIN   (empty)
 *   CK_END     u32 messages in the bulk
 *   CK_ACK     u8 accepted, u8 reason length, reason[length]           */
#include "ha_int.h"

#include <string.h>

#include "../core/core.h"

const char *const rf_msg_names[] = {
	[RF_MSG_HELLO] = "HELLO",
	[RF_MSG_STATE] = "STATE",
	[RF_MSG_KEEPALIVE] = "KEEPALIVE",
	[RF_MSG_BULK_REQ] = "BULK_REQ",
};

#define F_HSRP_ACTIVE 1
#define F_CLEAN 2
#define HELLO_FIXED (12 + RF_HOST_MAX + RF_IMAGE_MAX + RF_SCHEME_MAX)


static void put_str(uint8_t *p, const char *s, size_t field)
{
	memset(p, 0, field);
	size_t n = strnlen(s, field - 1);
	memcpy(p, s, n);
}

/* A NUL-terminated printable string in FIELD bytes. */
static bool get_str(const uint8_t *p, size_t field, char *out)
{
	size_t n = strnlen((const char *)p, field);
	if (n == field)
		return false;
	for (size_t i = 0; i < n; i++)
		if (p[i] < 0x20 || p[i] > 0x7e)
			return false;
	memcpy(out, p, n);
	out[n] = '\0';
	return true;
}

static bool state_ok(uint8_t s)
{
	return s <= RF_STATE_MAX;
}

static void put_ids(uint8_t *p, const struct rf_msg *m)
{
	for (int i = 0; i < m->nclients; i++)
		be16_put(p + 2 * i, m->clients[i]);
}

/* N ids at P, each once. */
static bool get_ids(const uint8_t *p, int n, struct rf_msg *m)
{
	if (n > RF_MAX_CLIENTS)
		return false;
	m->nclients = n;
	for (int i = 0; i < n; i++) {
		m->clients[i] = be16_get(p + 2 * i);
		for (int j = 0; j < i; j++)
			if (m->clients[j] == m->clients[i])
				return false;
	}
	return true;
}

size_t rf_msg_encode(uint16_t type, const struct rf_msg *m, uint8_t *out,
		     size_t cap)
{
	uint8_t flags = (uint8_t)((m->hsrp_active ? F_HSRP_ACTIVE : 0) |
				  (m->clean ? F_CLEAN : 0));
	size_t len;
	switch (type) {
	case RF_MSG_HELLO:
		len = HELLO_FIXED + 2 * (size_t)m->nclients;
		if (cap < len || m->nclients > RF_MAX_CLIENTS)
			return 0;
		out[0] = m->state;
		out[1] = flags;
		be16_put(out + 2, (uint16_t)m->nclients);
		be32_put(out + 4, m->state_age);
		be32_put(out + 8, m->uptime);
		put_str(out + 12, m->host, RF_HOST_MAX);
		put_str(out + 12 + RF_HOST_MAX, m->image, RF_IMAGE_MAX);
		put_str(out + 12 + RF_HOST_MAX + RF_IMAGE_MAX, m->scheme,
			RF_SCHEME_MAX);
		put_ids(out + HELLO_FIXED, m);
		return len;
	case RF_MSG_STATE:
		if (cap < 8)
			return 0;
		out[0] = m->state;
		out[1] = flags;
		be16_put(out + 2, 0);
		be32_put(out + 4, m->state_age);
		return 8;
	case RF_MSG_KEEPALIVE:
		if (cap < 4)
			return 0;
		be32_put(out, m->seq);
		return 4;
	case RF_MSG_BULK_REQ:
		len = 2 + 2 * (size_t)m->nclients;
		if (cap < len || m->nclients > RF_MAX_CLIENTS)
			return 0;
		be16_put(out, (uint16_t)m->nclients);
		put_ids(out + 2, m);
		return len;
	}
	return 0;
}

int rf_msg_decode(uint16_t type, const uint8_t *p, size_t len,
		  struct rf_msg *m)
{
	memset(m, 0, sizeof *m);
	switch (type) {
	case RF_MSG_HELLO: {
		if (len < HELLO_FIXED)
			return -1;
		int n = be16_get(p + 2);
		if (len != HELLO_FIXED + 2 * (size_t)n || !state_ok(p[0]) ||
		    (p[1] & ~(F_HSRP_ACTIVE | F_CLEAN)))
			return -1;
		m->state = p[0];
		m->hsrp_active = p[1] & F_HSRP_ACTIVE;
		m->clean = p[1] & F_CLEAN;
		m->state_age = be32_get(p + 4);
		m->uptime = be32_get(p + 8);
		if (!get_str(p + 12, RF_HOST_MAX, m->host) ||
		    !get_str(p + 12 + RF_HOST_MAX, RF_IMAGE_MAX, m->image) ||
		    !get_str(p + 12 + RF_HOST_MAX + RF_IMAGE_MAX,
			     RF_SCHEME_MAX, m->scheme))
			return -1;
		return get_ids(p + HELLO_FIXED, n, m) ? 0 : -1;
	}
	case RF_MSG_STATE:
		if (len != 8 || !state_ok(p[0]) ||
		    (p[1] & ~(F_HSRP_ACTIVE | F_CLEAN)) || be16_get(p + 2))
			return -1;
		m->state = p[0];
		m->hsrp_active = p[1] & F_HSRP_ACTIVE;
		m->clean = p[1] & F_CLEAN;
		m->state_age = be32_get(p + 4);
		return 0;
	case RF_MSG_KEEPALIVE:
		if (len != 4)
			return -1;
		m->seq = be32_get(p);
		return 0;
	case RF_MSG_BULK_REQ: {
		if (len < 2)
			return -1;
		int n = be16_get(p);
		if (len != 2 + 2 * (size_t)n)
			return -1;
		return get_ids(p + 2, n, m) ? 0 : -1;
	}
	}
	return -1;
}

/* ---- checkpoint control ----------------------------------------------------------- */

int rf_ck_end_decode(const uint8_t *p, size_t len, uint32_t *count)
{
	if (len != 4)
		return -1;
	*count = be32_get(p);
	return 0;
}

size_t rf_ck_ack_encode(bool ok, const char *reason, uint8_t *out, size_t cap)
{
	size_t n = ok || !reason ? 0 : strnlen(reason, RF_REASON_MAX);
	if (cap < 2 + n)
		return 0;
	out[0] = ok ? 1 : 0;
	out[1] = (uint8_t)n;
	memcpy(out + 2, reason ? reason : "", n);
	return 2 + n;
}

int rf_ck_ack_decode(const uint8_t *p, size_t len, bool *ok, char *reason,
		     size_t n)
{
	if (len < 2 || p[0] > 1 || len != 2 + (size_t)p[1] ||
	    p[1] > RF_REASON_MAX || (p[0] == 1 && p[1]) || n <= p[1])
		return -1;
	for (size_t i = 0; i < p[1]; i++)
		if (p[2 + i] < 0x20 || p[2 + i] > 0x7e)
			return -1;
	*ok = p[0] == 1;
	memcpy(reason, p + 2, p[1]);
	reason[p[1]] = '\0';
	return 0;
}
