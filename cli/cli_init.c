/* Registers the commands that live in cli/ itself. */
#include "cli.h"
#include "cli_cfg.h"
#include "session.h"

void cli_init(void)
{
	cli_exec_cmds_init();
	cli_misc_init();
	cli_aaa_init();
	cli_line_init();
}
