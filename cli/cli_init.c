/* Registers the commands that live in cli/ itself. */
#include "cli.h"
#include "cli_cfg.h"
#include "session.h"

void cli_init(void)
{
	/* the service timestamps lines come before misc_cfg's service lines */
	cli_log_init();
	cli_sys_init();
	cli_exec_cmds_init();
	cli_misc_init();
	cli_aaa_init();
	cli_line_init();
}
