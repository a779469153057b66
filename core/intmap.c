/* An integer-keyed hash index (open addressing, linear probing), the
 * strmap of tables keyed by numbers: addresses, prefixes, sequence
 * numbers. Values are never NULL (NULL marks an empty slot). */
#include "core.h"

#include <stdlib.h>
#include <string.h>

static size_t slot_of(const struct intmap *m, uint64_t key)
{
	/* Fibonacci hashing: keys that differ in a few low or high bits
	 * (consecutive addresses, prefixes) still spread */
	size_t j = (size_t)((key * 0x9E3779B97F4A7C15ull) >> 32) & (m->cap - 1);
	while (m->slot[j].val && m->slot[j].key != key)
		j = (j + 1) & (m->cap - 1);
	return j;
}

void *intmap_get(const struct intmap *m, uint64_t key)
{
	if (!m->n)
		return NULL;
	return m->slot[slot_of(m, key)].val;
}

static void grow(struct intmap *m)
{
	size_t cap = m->cap ? m->cap * 2 : 4;
	struct intmap bigger = {xcalloc(cap, sizeof *m->slot), 0, cap};
	for (size_t i = 0; i < m->cap; i++)
		if (m->slot[i].val)
			intmap_put(&bigger, m->slot[i].key, m->slot[i].val);
	free(m->slot);
	*m = bigger;
}

void intmap_put(struct intmap *m, uint64_t key, void *val)
{
	if ((m->n + 1) * 2 > m->cap)
		grow(m);
	size_t j = slot_of(m, key);
	if (!m->slot[j].val)
		m->n++;
	m->slot[j].key = key;
	m->slot[j].val = val;
}

void intmap_del(struct intmap *m, uint64_t key)
{
	if (!m->n)
		return;
	size_t j = slot_of(m, key);
	if (!m->slot[j].val)
		return;
	m->slot[j].val = NULL;
	m->n--;
	/* re-place the rest of the probe run so lookups still find them */
	for (size_t k = (j + 1) & (m->cap - 1); m->slot[k].val;
	     k = (k + 1) & (m->cap - 1)) {
		uint64_t key2 = m->slot[k].key;
		void *val2 = m->slot[k].val;
		m->slot[k].val = NULL;
		m->n--;
		intmap_put(m, key2, val2);
	}
}

void intmap_clear(struct intmap *m)
{
	free(m->slot);
	memset(m, 0, sizeof *m);
}
