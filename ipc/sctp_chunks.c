/* Chunk counters for show ip sctp association statistics: every SCTP
 * packet an association sends or accepts is walked once (common header,
 * then chunks of type, flags, length, padded to 4), counting control and
 * DATA chunks, ordered and unordered, their user bytes, and TSNs seen
 * again (retransmitted / duplicate) or ahead of the next expected one.
 * usrsctp itself keeps only process-wide counters. A malformed packet
 * stops the walk at the first chunk that does not fit (usrsctp discards
 * it anyway). */
#include "ipc_int.h"

#include "../core/core.h"


/* TSNs compare in serial number arithmetic (RFC 1982, 32 bits). */
static bool tsn_after(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) > 0;
}

static void data_chunk(struct sctp_chunk_dir *d, uint8_t flags,
		       const uint8_t *c, uint16_t clen, bool out)
{
	d->data++;
	if (flags & 0x04)
		d->unordered++;
	else
		d->ordered++;
	if (clen < 16)
		return;
	d->data_bytes += (uint64_t)(clen - 16);
	uint32_t tsn = be32_get(c + 4);
	if (!d->have_tsn) {
		d->have_tsn = true;
		d->high_tsn = tsn;
		return;
	}
	if (!tsn_after(tsn, d->high_tsn)) {
		d->again++;        /* sent: retransmitted; received: duplicate */
		return;
	}
	if (!out && tsn != d->high_tsn + 1)
		d->gaps++;         /* received ahead of the next one expected */
	d->high_tsn = tsn;
}

void sctp_chunks_count(struct sctp_chunk_dir *d, const uint8_t *pkt,
		       size_t len, bool out)
{
	if (len < 12)
		return;
	d->packets++;
	size_t off = 12;
	while (off + 4 <= len) {
		const uint8_t *c = pkt + off;
		uint8_t type = c[0], flags = c[1];
		uint16_t clen = (uint16_t)(c[2] << 8 | c[3]);
		if (clen < 4 || off + clen > len)
			return;
		if (type == 0)
			data_chunk(d, flags, c, clen, out);
		else
			d->control++;
		if (type < SCTP_CHUNK_TYPES)
			d->by_type[type]++;
		off += ((size_t)clen + 3) & ~(size_t)3;
	}
}
