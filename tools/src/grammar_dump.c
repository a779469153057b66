/* grammar-dump: print every command path of every mode with its help
 * strings, argument names and form, sorted, so that two builds can be
 * compared (a change to how commands are declared must not change what
 * they accept or how `?` helps them, unless it means to). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../cli/grammar.h"
#include "../../router/router.h"

static int cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(void)
{
	router_init();
	struct sbuf out;
	sbuf_init(&out);
	grammar_dump(&out);
	size_t n = 0, cap = 1024;
	char **lines = xmalloc(cap * sizeof *lines);
	for (char *s = out.s, *nl; s && *s; s = nl + 1) {
		nl = strchr(s, '\n');
		*nl = '\0';
		if (n == cap)
			lines = xrealloc(lines, (cap *= 2) * sizeof *lines);
		lines[n++] = s;
	}
	qsort(lines, n, sizeof *lines, cmp);
	for (size_t i = 0; i < n; i++)
		puts(lines[i]);
	free(lines);
	sbuf_free(&out);
	return 0;
}
