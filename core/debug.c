/* The debug facility: each subsystem registers how to show and how to turn
 * off its debug flags; `show debugging`, `undebug all` and `no debug all`
 * (cli/sys_cmds.c) reach them all. */
#include "core.h"

#include <stdlib.h>

struct debugger {
	void (*show)(struct sbuf *out);
	void (*off)(void);
};
static struct debugger debuggers[16];
static int ndebuggers;

void core_register_debug(void (*show)(struct sbuf *out), void (*off)(void))
{
	if (ndebuggers == (int)(sizeof debuggers / sizeof debuggers[0]))
		abort();
	debuggers[ndebuggers++] = (struct debugger){show, off};
}

void core_debug_show(struct sbuf *out)
{
	for (int i = 0; i < ndebuggers; i++)
		debuggers[i].show(out);
}

void core_debug_all_off(void)
{
	for (int i = 0; i < ndebuggers; i++)
		debuggers[i].off();
}
