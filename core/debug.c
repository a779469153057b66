/* The debug facility: each subsystem registers how to show and how to turn
 * off its debug flags; `show debugging`, `undebug all` and `no debug all`
 * reach them all. */
#include "core.h"
#include "../cli/cli.h"

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

DEFUN(show_debugging, "show debugging", "Show running system information\n"
      "State of each debugging option\n")
{
	struct sbuf b;
	sbuf_init(&b);
	for (int i = 0; i < ndebuggers; i++)
		debuggers[i].show(&b);
	if (b.len)
		cli_puts(cli, b.s);
	sbuf_free(&b);
	return CLI_OK;
}

static void all_off(void)
{
	for (int i = 0; i < ndebuggers; i++)
		debuggers[i].off();
}

DEFUN(undebug_all, "undebug all", "Disable debugging functions (see also 'debug')\n"
      "Disable all debugging\n")
{
	all_off();
	cli_puts(cli, "All possible debugging has been turned off\n");
	return CLI_OK;
}

DEFUN(no_debug_all, "no debug all", "Disable debugging functions\n"
      "Debugging functions (see also 'undebug')\n"
      "Disable all debugging\n")
{
	all_off();
	cli_puts(cli, "All possible debugging has been turned off\n");
	return CLI_OK;
}

void debug_init(void)
{
	cli_install(MODE_EXEC, &show_debugging_cmd);
	cli_install(MODE_EXEC, &undebug_all_cmd);
	cli_install(MODE_EXEC, &no_debug_all_cmd);
}
