/* Commands every session has: enable/disable, configure, exit/end/do,
 * terminal settings, show history, show running-config. */
#include "session.h"
#include "grammar.h"

#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>


static void enable_answer(struct cli *cli, const char *pw, void *ctx)
{
	long tries = (long)ctx;
	if (core_enable_check(pw)) {
		cli_session_base(cli, MODE_EXEC);
		return;
	}
	if (tries < 2) {
		cli_ask(cli, "Password: ", enable_answer, (void *)(tries + 1));
		return;
	}
	cli_puts(cli, "% Bad secrets\n\n");
}

DEFUN(enable, "enable [<0-15>]", "Turn on privileged commands\n"
      "Enable level\n")
{
	if (cli_mode(cli) == MODE_EXEC)
		return CLI_OK;
	if (core_enable_required()) {
		cli_ask(cli, "Password: ", enable_answer, (void *)0L);
		return CLI_OK;
	}
	cli_session_base(cli, MODE_EXEC);
	return CLI_OK;
}

DEFUN(disable, "disable [<0-15>]", "Turn off privileged commands\n"
      "Privilege level to go to\n")
{
	cli_session_base(cli, MODE_USER);
	return CLI_OK;
}

static void enter_config(struct cli *cli)
{
	cli_puts(cli, "Enter configuration commands, one per line.  End with "
		      "CNTL/Z.\n");
	cli_enter(cli, MODE_CONFIG, NULL);
}

static void configure_answer(struct cli *cli, const char *ans, void *ctx)
{
	while (*ans == ' ')
		ans++;
	size_t n = strlen(ans);
	if (n == 0 || !strncasecmp("terminal", ans, n))
		enter_config(cli);
	else if (!strncasecmp("memory", ans, n) || !strncasecmp("network", ans, n))
		cli_puts(cli, "% Only configuration from terminal is "
			      "supported by this router\n");
	else
		cli_puts(cli, "?Must be \"terminal\", \"memory\" or \"network\"\n");
}

DEFUN(configure, "configure [terminal]", "Enter configuration mode\n"
      "Configure from the terminal\n")
{
	if (cli_has(a, "terminal"))
		enter_config(cli);
	else
		cli_ask(cli, "Configuring from terminal, memory, or network "
			     "[terminal]? ", configure_answer, NULL);
	return CLI_OK;
}

DEFUN(exec_exit, "exit", "Exit from the EXEC\n")
{
	cli_session_logout(cli);
	return CLI_OK;
}

DEFUN(exec_logout, "logout", "Exit from the EXEC\n")
{
	cli_session_logout(cli);
	return CLI_OK;
}

DEFUN(config_exit, "exit", "Exit from configure mode\n")
{
	cli_session_exit_mode(cli);
	return CLI_UNCHANGED;
}

DEFUN(config_end, "end", "Exit from configure mode\n")
{
	cli_session_end(cli);
	return CLI_UNCHANGED;
}

DEFUN(config_do, "do LINE", "To run exec commands in config mode\n"
      "Exec Command\n")
{
	int i = cli_arg_index(a, "LINE");
	return cli_session_do(cli, cli_arg(a, "LINE"), a->off[i]);
}

DEFUN(show_history, "show history", "Show running system information\n"
      "Display the session command history\n")
{
	cli_session_history(cli);
	return CLI_OK;
}

DEFUN(terminal_length, "terminal length <0-512>", "Set terminal line parameters\n"
      "Set number of lines on a screen\n"
      "Number of lines on screen (0 for no pausing)\n")
{
	cli_session_set_length(cli, (int)cli_arg_num(a, "<0-512>"));
	return CLI_OK;
}

/* Declared on its own: the "no" follows "terminal", where "[no]" cannot
 * stand. */
DEFUN(terminal_no_length, "terminal no length", "Set terminal line parameters\n"
      CLI_HELP_NO
      "Set number of lines on a screen\n")
{
	cli_session_set_length(cli, 24);
	return CLI_OK;
}

DEFUN(terminal_width, "terminal width <0-512>", "Set terminal line parameters\n"
      "Set width of the display terminal\n"
      "Number of characters on a screen line\n")
{
	/* iosim never wraps output; the width is accepted as IOS does */
	return CLI_OK;
}

DEFUN(terminal_monitor, "terminal monitor", "Set terminal line parameters\n"
      "Copy debug output to the current terminal line\n")
{
	return CLI_OK;
}

static int show_running_config(struct cli *cli)
{
	char *text = cfg_running_text();
	cli_printf(cli, "Building configuration...\n\nCurrent configuration : "
		   "%zu bytes\n%s", strlen(text), text);
	free(text);
	return CLI_OK;
}

DEFUN(show_running, "show running-config", "Show running system information\n"
      "Current operating configuration\n")
{
	return show_running_config(cli);
}

DEFUN(write_terminal, "write terminal",
      "Write running configuration to memory, network, or terminal\n"
      "Write to terminal\n")
{
	return show_running_config(cli);
}

static void install_everywhere(const struct cli_command *cmd)
{
	for (int m = MODE_CONFIG + 1; m < MODE__COUNT; m++)
		cli_install((enum cli_mode)m, cmd);
}

void cli_exec_cmds_init(void)
{
	cli_install(MODE_USER, &enable_cmd);
	cli_install(MODE_EXEC, &enable_cmd);
	cli_install(MODE_EXEC, &disable_cmd);
	cli_install(MODE_EXEC, &configure_cmd);
	cli_install(MODE_USER, &exec_exit_cmd);
	cli_install(MODE_EXEC, &exec_exit_cmd);
	cli_install(MODE_USER, &exec_logout_cmd);
	cli_install(MODE_EXEC, &exec_logout_cmd);
	cli_install(MODE_USER, &show_history_cmd);
	cli_install(MODE_EXEC, &show_history_cmd);
	cli_install(MODE_USER, &terminal_length_cmd);
	cli_install(MODE_EXEC, &terminal_length_cmd);
	cli_install(MODE_USER, &terminal_no_length_cmd);
	cli_install(MODE_EXEC, &terminal_no_length_cmd);
	cli_install(MODE_USER, &terminal_width_cmd);
	cli_install(MODE_EXEC, &terminal_width_cmd);
	cli_install(MODE_EXEC, &terminal_monitor_cmd);
	cli_install(MODE_EXEC, &show_running_cmd);
	cli_install(MODE_EXEC, &write_terminal_cmd);
	cli_install(MODE_CONFIG, &config_exit_cmd);
	cli_install(MODE_CONFIG, &config_end_cmd);
	cli_install(MODE_CONFIG, &config_do_cmd);
	install_everywhere(&config_exit_cmd);
	install_everywhere(&config_end_cmd);
	install_everywhere(&config_do_cmd);
}
