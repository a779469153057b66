/* Subsystem registry (reset for reload) and the running-config writers. */
#include "core.h"
#include "core_int.h"

#include <stdlib.h>
#include <string.h>

static const struct subsys *subsystems[32];
static int nsubsys;

void core_register_subsys(const struct subsys *s)
{
	if (nsubsys == (int)(sizeof subsystems / sizeof subsystems[0]))
		abort();
	subsystems[nsubsys++] = s;
}

/* Reset in reverse registration order: later subsystems depend on earlier
 * ones (crypto on interfaces), so they let go of their references first. */
void core_reset_all(void)
{
	core_publish(EVT_RELOAD, NULL);
	for (int i = nsubsys - 1; i >= 0; i--)
		if (subsystems[i]->reset)
			subsystems[i]->reset();
}

struct writer {
	int order, seq;
	cfg_writer_fn fn;
};
static struct writer writers[64];
static int nwriters;

static int writer_cmp(const void *a, const void *b)
{
	const struct writer *x = a, *y = b;
	if (x->order != y->order)
		return x->order < y->order ? -1 : 1;
	return x->seq - y->seq;
}

void cfg_register_writer(int order, cfg_writer_fn fn)
{
	if (nwriters == (int)(sizeof writers / sizeof writers[0]))
		abort();
	writers[nwriters] = (struct writer){order, nwriters, fn};
	nwriters++;
	qsort(writers, (size_t)nwriters, sizeof writers[0], writer_cmp);
}

char *cfg_running_text(void)
{
	struct sbuf b;
	sbuf_init(&b);
	sbuf_puts(&b, "!\n");
	for (int i = 0; i < nwriters; i++)
		writers[i].fn(&b);
	sbuf_puts(&b, "!\nend\n");
	return sbuf_take(&b);
}

void core_init(void)
{
	core_loop_init();
	log_init();
	clock_init();
	system_init();
}
