/* Small shared helpers: string buffers, allocation, IPv4 text. */
#include "core.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void oom(void)
{
	fputs("iosim: out of memory\n", stderr);
	abort();
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		oom();
	return p;
}

void *xcalloc(size_t n, size_t m)
{
	void *p = calloc(n ? n : 1, m ? m : 1);
	if (!p)
		oom();
	return p;
}

void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		oom();
	return p;
}

void xstrset(char **slot, const char *s)
{
	char *copy = s ? xstrdup(s) : NULL;  /* S may live in *SLOT */
	free(*slot);
	*slot = copy;
}

char *xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;
	return memcpy(xmalloc(n), s, n);
}

void sbuf_init(struct sbuf *b)
{
	b->s = NULL;
	b->len = b->cap = 0;
}

void sbuf_free(struct sbuf *b)
{
	free(b->s);
	sbuf_init(b);
}

void sbuf_reset(struct sbuf *b)
{
	b->len = 0;
	if (b->s)
		b->s[0] = '\0';
}

static void sbuf_reserve(struct sbuf *b, size_t extra)
{
	if (b->len + extra + 1 <= b->cap)
		return;
	size_t cap = b->cap ? b->cap : 128;
	while (cap < b->len + extra + 1)
		cap *= 2;
	b->s = xrealloc(b->s, cap);
	b->cap = cap;
}

void sbuf_add(struct sbuf *b, const char *s, size_t n)
{
	sbuf_reserve(b, n);
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

void sbuf_puts(struct sbuf *b, const char *s)
{
	sbuf_add(b, s, strlen(s));
}

void sbuf_vprintf(struct sbuf *b, const char *fmt, va_list ap)
{
	va_list ap2;
	va_copy(ap2, ap);
	int n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		return;
	sbuf_reserve(b, (size_t)n);
	vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
}

void sbuf_printf(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	sbuf_vprintf(b, fmt, ap);
	va_end(ap);
}

char *sbuf_take(struct sbuf *b)
{
	char *s = b->s ? b->s : xstrdup("");
	sbuf_init(b);
	return s;
}

char *file_read_all(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return NULL;
	struct sbuf b;
	sbuf_init(&b);
	char chunk[8192];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		sbuf_add(&b, chunk, n);
	bool bad = ferror(f);
	fclose(f);
	if (bad) {
		sbuf_free(&b);
		errno = EIO;
		return NULL;
	}
	return sbuf_take(&b);
}

/* Strict dotted quad: exactly four decimal octets, no leading '+', no
 * octal/hex forms (inet_aton would accept "10" or "0x1"). */
bool ip_parse(const char *s, uint32_t *addr_be)
{
	uint32_t v = 0;
	for (int i = 0; i < 4; i++) {
		if (*s < '0' || *s > '9')
			return false;
		unsigned oct = 0;
		int digits = 0;
		while (*s >= '0' && *s <= '9') {
			oct = oct * 10 + (unsigned)(*s++ - '0');
			if (++digits > 3 || oct > 255)
				return false;
		}
		v = (v << 8) | oct;
		if (i < 3 && *s++ != '.')
			return false;
	}
	if (*s)
		return false;
	*addr_be = htonl(v);
	return true;
}

const char *ip_fmt(uint32_t addr_be, char *buf)
{
	uint32_t v = ntohl(addr_be);
	snprintf(buf, 16, "%u.%u.%u.%u", v >> 24, (v >> 16) & 255,
		 (v >> 8) & 255, v & 255);
	return buf;
}

bool mask_is_contiguous(uint32_t mask_be)
{
	/* ones then zeros: the inverted mask is of the form 0..01..1 */
	uint32_t inv = ~ntohl(mask_be);
	return (inv & (inv + 1)) == 0;
}

int mask_len(uint32_t mask_be)
{
	return __builtin_popcount(ntohl(mask_be));
}
