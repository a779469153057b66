/* The ISAKMP wire format (RFC 2408 §3, RFC 2407 §4, RFC 3947): decoding
 * with every length and type checked before a byte is used, and a builder
 * for the messages this router sends. Nothing here keeps state. */
#include "ike.h"

#include <string.h>

static uint16_t rd16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* ---- header and payload chain ---------------------------------------------- */

static bool exch_known(uint8_t e)
{
	return e == EXCH_MAIN || e == EXCH_AGGR || e == EXCH_INFO ||
	       e == EXCH_TRANS || e == EXCH_QUICK;
}

int isakmp_parse_hdr(const uint8_t *b, size_t len, struct isakmp_hdr *h)
{
	if (len < ISAKMP_HDR_LEN)
		return N_PAYLOAD_MALFORMED;
	memcpy(h->icky, b, 8);
	memcpy(h->rcky, b + 8, 8);
	h->np = b[16];
	h->version = b[17];
	h->exch = b[18];
	h->flags = b[19];
	h->mid = rd32(b + 20);
	h->len = rd32(b + 24);
	/* the length covers the whole message, exactly what arrived */
	if (h->len != len || len > ISAKMP_MAX_MSG)
		return N_PAYLOAD_MALFORMED;
	if (h->version >> 4 != 1)
		return N_INVALID_MAJOR_VERSION;
	if (!exch_known(h->exch))
		return N_INVALID_EXCHANGE_TYPE;
	if (h->flags & ~(ISAKMP_FLAG_ENC | ISAKMP_FLAG_COMMIT | ISAKMP_FLAG_AUTH))
		return N_INVALID_FLAGS;
	static const uint8_t zero[8];
	if (!memcmp(h->icky, zero, 8))
		return N_INVALID_COOKIE;
	return 0;
}

static bool np_known(uint8_t t)
{
	return (t >= NP_SA && t <= NP_ATTR) || t == NP_NATD || t == NP_NATOA ||
	       t == NP_NATD_DRAFT || t == NP_NATOA_DRAFT;
}

int isakmp_parse_chain(uint8_t first, const uint8_t *b, size_t len,
		       bool padded, struct isakmp_msg *m)
{
	m->npl = 0;
	uint8_t type = first;
	size_t off = 0;
	while (type != NP_NONE) {
		if (!np_known(type))
			return N_INVALID_PAYLOAD_TYPE;
		if (m->npl == ISAKMP_MAX_PL || len - off < ISAKMP_GEN_LEN)
			return N_PAYLOAD_MALFORMED;
		const uint8_t *p = b + off;
		size_t plen = rd16(p + 2);
		if (p[1] != 0 || plen < ISAKMP_GEN_LEN || plen > len - off)
			return N_PAYLOAD_MALFORMED;
		m->pl[m->npl++] = (struct isakmp_pl){type, p, plen};
		type = p[0];
		off += plen;
	}
	/* an encrypted body ends in padding; a clear one ends here */
	if (!padded && off != len)
		return N_PAYLOAD_MALFORMED;
	return 0;
}

const struct isakmp_pl *isakmp_find(const struct isakmp_msg *m, uint8_t type,
				    int nth)
{
	for (int i = 0; i < m->npl; i++)
		if (m->pl[i].type == type && nth-- == 0)
			return &m->pl[i];
	return NULL;
}

int isakmp_count(const struct isakmp_msg *m, uint8_t type)
{
	int n = 0;
	for (int i = 0; i < m->npl; i++)
		n += m->pl[i].type == type;
	return n;
}

/* ---- attributes ---------------------------------------------------------------- */

int isakmp_attr_next(struct isakmp_attr_it *it, struct isakmp_attr *a)
{
	if (it->left == 0)
		return 0;
	if (it->left < 4)
		return -1;
	uint16_t t = rd16(it->p);
	a->type = t & 0x7fff;
	a->big = false;
	a->val = 0;
	if (t & 0x8000) {                        /* TV: the value is inline */
		a->val = rd16(it->p + 2);
		it->p += 4;
		it->left -= 4;
		return 1;
	}
	size_t vlen = rd16(it->p + 2);
	if (vlen > it->left - 4)
		return -1;
	const uint8_t *v = it->p + 4;
	it->p += 4 + vlen;
	it->left -= 4 + vlen;
	/* longer values (an 8-byte life duration) are usable when they are
	 * small numbers with leading zeros */
	size_t lead = vlen > 4 ? vlen - 4 : 0;
	for (size_t i = 0; i < lead; i++)
		if (v[i]) {
			a->big = true;
			return 1;
		}
	for (size_t i = lead; i < vlen; i++)
		a->val = a->val << 8 | v[i];
	return 1;
}

/* ---- SA, proposal and transform payloads (RFC 2408 §3.4-3.6) -------------------- */

/* The transforms of one proposal: a chain of T payloads filling it exactly. */
static int parse_transforms(const uint8_t *b, size_t len, unsigned want,
			    struct isakmp_prop *pr)
{
	size_t off = 0;
	pr->nxf = 0;
	for (unsigned i = 0; i < want; i++) {
		if (len - off < 8 || pr->nxf == ISAKMP_MAX_XF)
			return N_BAD_PROPOSAL_SYNTAX;
		const uint8_t *t = b + off;
		size_t tlen = rd16(t + 2);
		bool last = i + 1 == want;
		if (t[0] != (last ? NP_NONE : NP_T) || t[1] || tlen < 8 ||
		    tlen > len - off)
			return N_BAD_PROPOSAL_SYNTAX;
		struct isakmp_xf *x = &pr->xf[pr->nxf++];
		x->num = t[4];
		x->id = t[5];
		x->attrs = t + 8;
		x->alen = tlen - 8;
		/* the attributes must parse whole */
		struct isakmp_attr_it it = {x->attrs, x->alen};
		struct isakmp_attr a;
		int r;
		while ((r = isakmp_attr_next(&it, &a)) > 0)
			;
		if (r < 0)
			return N_BAD_PROPOSAL_SYNTAX;
		off += tlen;
	}
	return off == len ? 0 : N_BAD_PROPOSAL_SYNTAX;
}

int isakmp_parse_sa(const uint8_t *b, size_t len, struct isakmp_sa *sa)
{
	if (len < 8)
		return N_PAYLOAD_MALFORMED;
	sa->doi = rd32(b);
	sa->sit = rd32(b + 4);
	sa->nprop = 0;
	if (sa->doi != IPSEC_DOI)
		return N_DOI_NOT_SUPPORTED;
	if (sa->sit != SIT_IDENTITY)
		return N_SITUATION_NOT_SUPPORTED;
	size_t off = 8;
	uint8_t np = NP_P;
	while (np == NP_P) {
		if (len - off < 8 || sa->nprop == ISAKMP_MAX_PROP)
			return N_BAD_PROPOSAL_SYNTAX;
		const uint8_t *p = b + off;
		size_t plen = rd16(p + 2);
		np = p[0];
		if ((np != NP_P && np != NP_NONE) || p[1] || plen < 8 ||
		    plen > len - off)
			return N_BAD_PROPOSAL_SYNTAX;
		struct isakmp_prop *pr = &sa->prop[sa->nprop++];
		pr->num = p[4];
		pr->proto = p[5];
		pr->spi_size = p[6];
		unsigned ntrans = p[7];
		if (pr->spi_size > sizeof pr->spi || ntrans == 0 ||
		    8u + pr->spi_size > plen)
			return N_BAD_PROPOSAL_SYNTAX;
		memcpy(pr->spi, p + 8, pr->spi_size);
		int r = parse_transforms(p + 8 + pr->spi_size,
					 plen - 8 - pr->spi_size, ntrans, pr);
		if (r)
			return r;
		off += plen;
	}
	return off == len ? 0 : N_BAD_PROPOSAL_SYNTAX;
}

/* ---- identification, notification and delete payloads -------------------------- */

int isakmp_parse_id(const uint8_t *b, size_t len, struct isakmp_ident *id)
{
	memset(id, 0, sizeof *id);
	if (len < 4)
		return N_PAYLOAD_MALFORMED;
	id->type = b[0];
	id->proto = b[1];
	id->port = rd16(b + 2);
	const uint8_t *d = b + 4;
	size_t n = len - 4;
	switch (id->type) {
	case ID_IPV4_ADDR:
		if (n != 4)
			return N_INVALID_ID_INFORMATION;
		memcpy(&id->addr, d, 4);
		id->mask = 0xffffffffu;
		return 0;
	case ID_IPV4_ADDR_SUBNET:
		if (n != 8)
			return N_INVALID_ID_INFORMATION;
		memcpy(&id->addr, d, 4);
		memcpy(&id->mask, d + 4, 4);
		if (!mask_is_contiguous(id->mask))
			return N_INVALID_ID_INFORMATION;
		id->addr &= id->mask;
		return 0;
	case ID_FQDN:
	case ID_USER_FQDN:
	case ID_KEY_ID:
		if (n == 0)
			return N_INVALID_ID_INFORMATION;
		for (size_t i = 0; i < n && i + 1 < sizeof id->text; i++)
			id->text[i] = d[i] >= 0x20 && d[i] < 0x7f ? (char)d[i] : '?';
		return 0;
	case ID_DER_ASN1_DN:
		return n ? 0 : N_INVALID_ID_INFORMATION;
	default:
		return N_INVALID_ID_INFORMATION;
	}
}

int isakmp_parse_notify(const uint8_t *b, size_t len,
			struct isakmp_notify_pl *n)
{
	if (len < 8)
		return N_PAYLOAD_MALFORMED;
	n->doi = rd32(b);
	n->proto = b[4];
	n->spi_size = b[5];
	n->type = rd16(b + 6);
	if (8u + n->spi_size > len)
		return N_PAYLOAD_MALFORMED;
	n->spi = b + 8;
	n->data = b + 8 + n->spi_size;
	n->data_len = len - 8 - n->spi_size;
	return 0;
}

int isakmp_parse_delete(const uint8_t *b, size_t len,
			struct isakmp_delete_pl *d)
{
	if (len < 8)
		return N_PAYLOAD_MALFORMED;
	d->doi = rd32(b);
	d->proto = b[4];
	d->spi_size = b[5];
	d->nspi = rd16(b + 6);
	d->spis = b + 8;
	if (d->spi_size == 0 || d->nspi == 0 ||
	    (size_t)d->spi_size * d->nspi != len - 8)
		return N_PAYLOAD_MALFORMED;
	return 0;
}

/* ---- building ----------------------------------------------------------------------- */

static void wr16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
static void wr32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24); p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8); p[3] = (uint8_t)v;
}

void isakmp_out_put(struct isakmp_out *o, const void *p, size_t n)
{
	if (n == 0)
		return;
	if (o->overflow || n > sizeof o->b - o->len) {
		o->overflow = true;
		return;
	}
	memcpy(o->b + o->len, p, n);
	o->len += n;
}

void isakmp_out_u8(struct isakmp_out *o, uint8_t v) { isakmp_out_put(o, &v, 1); }
void isakmp_out_u16(struct isakmp_out *o, uint16_t v)
{
	uint8_t b[2];
	wr16(b, v);
	isakmp_out_put(o, b, 2);
}
void isakmp_out_u32(struct isakmp_out *o, uint32_t v)
{
	uint8_t b[4];
	wr32(b, v);
	isakmp_out_put(o, b, 4);
}

void isakmp_out_init(struct isakmp_out *o, const uint8_t icky[8],
		     const uint8_t rcky[8], uint8_t exch, uint8_t flags,
		     uint32_t mid)
{
	o->len = 0;
	o->overflow = false;
	isakmp_out_put(o, icky, 8);
	isakmp_out_put(o, rcky, 8);
	o->np_at = o->len;
	isakmp_out_u8(o, NP_NONE);
	isakmp_out_u8(o, 0x10);                  /* version 1.0 */
	isakmp_out_u8(o, exch);
	isakmp_out_u8(o, flags);
	isakmp_out_u32(o, mid);
	isakmp_out_u32(o, 0);                    /* length, at the end */
}

size_t isakmp_out_begin(struct isakmp_out *o, uint8_t type)
{
	if (!o->overflow)
		o->b[o->np_at] = type;
	size_t start = o->len;
	o->np_at = start;
	isakmp_out_u8(o, NP_NONE);
	isakmp_out_u8(o, 0);
	isakmp_out_u16(o, 0);
	return start;
}

size_t isakmp_out_nested(struct isakmp_out *o, uint8_t next)
{
	size_t start = o->len;
	isakmp_out_u8(o, next);
	isakmp_out_u8(o, 0);
	isakmp_out_u16(o, 0);
	return start;
}

void isakmp_out_end(struct isakmp_out *o, size_t start)
{
	if (!o->overflow)
		wr16(o->b + start + 2, (uint16_t)(o->len - start));
}

void isakmp_out_attr(struct isakmp_out *o, uint16_t type, uint32_t v)
{
	if (v <= 0xffff) {
		isakmp_out_u16(o, (uint16_t)(0x8000 | type));
		isakmp_out_u16(o, (uint16_t)v);
	} else {
		isakmp_out_u16(o, type);
		isakmp_out_u16(o, 4);
		isakmp_out_u32(o, v);
	}
}

void isakmp_out_simple(struct isakmp_out *o, uint8_t type, const void *data,
		       size_t n)
{
	size_t s = isakmp_out_begin(o, type);
	isakmp_out_put(o, data, n);
	isakmp_out_end(o, s);
}

void isakmp_out_id(struct isakmp_out *o, uint8_t type,
		   const struct isakmp_ident *id)
{
	size_t s = isakmp_out_begin(o, type);
	isakmp_out_u8(o, id->type);
	isakmp_out_u8(o, id->proto);
	isakmp_out_u16(o, id->port);
	isakmp_out_put(o, &id->addr, 4);
	if (id->type == ID_IPV4_ADDR_SUBNET)
		isakmp_out_put(o, &id->mask, 4);
	isakmp_out_end(o, s);
}

void isakmp_out_xf(struct isakmp_out *o, const struct isakmp_xf *x)
{
	size_t t = isakmp_out_nested(o, NP_NONE);
	isakmp_out_u8(o, x->num);
	isakmp_out_u8(o, x->id);
	isakmp_out_u16(o, 0);
	isakmp_out_put(o, x->attrs, x->alen);
	isakmp_out_end(o, t);
}

void isakmp_out_finish(struct isakmp_out *o)
{
	if (!o->overflow)
		wr32(o->b + 24, (uint32_t)o->len);
}

/* ---- names ------------------------------------------------------------------------------ */

const char *isakmp_np_name(uint8_t np)
{
	switch (np) {
	case NP_SA: return "SA";
	case NP_P: return "PROPOSAL";
	case NP_T: return "TRANSFORM";
	case NP_KE: return "KE";
	case NP_ID: return "ID";
	case NP_CERT: return "CERT";
	case NP_CR: return "CERT-REQ";
	case NP_HASH: return "HASH";
	case NP_SIG: return "SIG";
	case NP_NONCE: return "NONCE";
	case NP_N: return "NOTIFY";
	case NP_D: return "DELETE";
	case NP_VID: return "VENDOR";
	case NP_ATTR: return "ATTR";
	case NP_NATD: case NP_NATD_DRAFT: return "NAT-D";
	case NP_NATOA: case NP_NATOA_DRAFT: return "NAT-OA";
	default: return "UNKNOWN";
	}
}

const char *isakmp_notify_name(uint16_t type)
{
	switch (type) {
	case N_INVALID_PAYLOAD_TYPE: return "INVALID_PAYLOAD_TYPE";
	case N_DOI_NOT_SUPPORTED: return "DOI_NOT_SUPPORTED";
	case N_SITUATION_NOT_SUPPORTED: return "SITUATION_NOT_SUPPORTED";
	case N_INVALID_COOKIE: return "INVALID_COOKIE";
	case N_INVALID_MAJOR_VERSION: return "INVALID_MAJOR_VERSION";
	case N_INVALID_EXCHANGE_TYPE: return "INVALID_EXCHANGE_TYPE";
	case N_INVALID_FLAGS: return "INVALID_FLAGS";
	case N_INVALID_MESSAGE_ID: return "INVALID_MESSAGE_ID";
	case N_INVALID_PROTOCOL_ID: return "INVALID_PROTOCOL_ID";
	case N_INVALID_SPI: return "INVALID_SPI";
	case N_ATTRIBUTES_NOT_SUPPORTED: return "ATTRIBUTES_NOT_SUPPORTED";
	case N_NO_PROPOSAL_CHOSEN: return "NO_PROPOSAL_CHOSEN";
	case N_BAD_PROPOSAL_SYNTAX: return "BAD_PROPOSAL_SYNTAX";
	case N_PAYLOAD_MALFORMED: return "PAYLOAD_MALFORMED";
	case N_INVALID_KEY_INFORMATION: return "INVALID_KEY_INFORMATION";
	case N_INVALID_ID_INFORMATION: return "INVALID_ID_INFORMATION";
	case N_INVALID_HASH_INFORMATION: return "INVALID_HASH_INFORMATION";
	case N_AUTHENTICATION_FAILED: return "AUTHENTICATION_FAILED";
	case N_CONNECTED: return "CONNECTED";
	case N_RESPONDER_LIFETIME: return "RESPONDER_LIFETIME";
	case N_REPLAY_STATUS: return "REPLAY_STATUS";
	case N_INITIAL_CONTACT: return "INITIAL_CONTACT";
	case N_R_U_THERE: return "R_U_THERE";
	case N_R_U_THERE_ACK: return "R_U_THERE_ACK";
	default: return "UNKNOWN";
	}
}
