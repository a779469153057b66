/* Events between subsystems: publish/subscribe, synchronous delivery.
 * Subsystems never reach into each other's structs; they learn of changes
 * here ("interface went down", "HSRP group X is now Active"). */
#include "core.h"

#include <string.h>

struct sub {
	core_event_fn fn;
	void *ctx;
	bool dead;
};

static struct {
	struct sub *v;
	int n, cap;
} subs[EVT__COUNT];
static int publishing;  /* depth: unsubscribe during delivery is deferred */

void core_subscribe(enum core_event ev, core_event_fn fn, void *ctx)
{
	if (subs[ev].n == subs[ev].cap) {
		subs[ev].cap = subs[ev].cap ? subs[ev].cap * 2 : 8;
		subs[ev].v = xrealloc(subs[ev].v,
				      (size_t)subs[ev].cap * sizeof(struct sub));
	}
	subs[ev].v[subs[ev].n++] = (struct sub){fn, ctx, false};
}

static void compact(enum core_event ev)
{
	int j = 0;
	for (int i = 0; i < subs[ev].n; i++)
		if (!subs[ev].v[i].dead)
			subs[ev].v[j++] = subs[ev].v[i];
	subs[ev].n = j;
}

void core_unsubscribe(enum core_event ev, core_event_fn fn, void *ctx)
{
	for (int i = 0; i < subs[ev].n; i++)
		if (subs[ev].v[i].fn == fn && subs[ev].v[i].ctx == ctx)
			subs[ev].v[i].dead = true;
	if (!publishing)
		compact(ev);
}

void core_publish(enum core_event ev, void *data)
{
	publishing++;
	/* n may grow while delivering; new subscribers see later events only */
	int n = subs[ev].n;
	for (int i = 0; i < n; i++)
		if (!subs[ev].v[i].dead)
			subs[ev].v[i].fn(ev, data, subs[ev].v[i].ctx);
	if (--publishing == 0)
		for (int e = 0; e < EVT__COUNT; e++)
			compact((enum core_event)e);
}
