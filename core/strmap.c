/* A string-keyed hash index (open addressing, linear probing) so that
 * tables that are lists for show-run order (ACLs, interfaces, maps) are
 * still found in O(1) by name. Keys are owned by the values. */
#include "core.h"

#include <stdlib.h>
#include <string.h>

static uint64_t hash(const char *s)
{
	uint64_t h = 1469598103934665603ull;          /* FNV-1a */
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

static size_t slot_of(const struct strmap *m, const char *key)
{
	size_t j = hash(key) & (m->cap - 1);
	while (m->slot[j].key && strcmp(m->slot[j].key, key))
		j = (j + 1) & (m->cap - 1);
	return j;
}

void *strmap_get(const struct strmap *m, const char *key)
{
	if (!m->n)
		return NULL;
	return m->slot[slot_of(m, key)].val;
}

static void grow(struct strmap *m)
{
	struct strmap bigger = {xcalloc(m->cap ? m->cap * 2 : 64,
					sizeof *m->slot), 0,
				m->cap ? m->cap * 2 : 64};
	for (size_t i = 0; i < m->cap; i++)
		if (m->slot[i].key)
			strmap_put(&bigger, m->slot[i].key, m->slot[i].val);
	free(m->slot);
	*m = bigger;
}

void strmap_put(struct strmap *m, const char *key, void *val)
{
	if ((m->n + 1) * 2 > m->cap)
		grow(m);
	size_t j = slot_of(m, key);
	if (!m->slot[j].key)
		m->n++;
	m->slot[j].key = key;
	m->slot[j].val = val;
}

void strmap_del(struct strmap *m, const char *key)
{
	if (!m->n)
		return;
	size_t j = slot_of(m, key);
	if (!m->slot[j].key)
		return;
	m->slot[j].key = NULL;
	m->slot[j].val = NULL;
	m->n--;
	/* re-place the rest of the probe run so lookups still find them */
	for (size_t k = (j + 1) & (m->cap - 1); m->slot[k].key;
	     k = (k + 1) & (m->cap - 1)) {
		const char *key2 = m->slot[k].key;
		void *val2 = m->slot[k].val;
		m->slot[k].key = NULL;
		m->slot[k].val = NULL;
		m->n--;
		strmap_put(m, key2, val2);
	}
}

void strmap_clear(struct strmap *m)
{
	free(m->slot);
	memset(m, 0, sizeof *m);
}
