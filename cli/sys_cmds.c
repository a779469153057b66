/* The router-wide commands with no subsystem of their own, over core's
 * state: hostname, enable secret/password, saving and erasing the
 * startup-config, reload, show version, the clock, and the debug switches
 * every subsystem registers (show debugging, undebug all). */
#include "cli.h"
#include "cli_cfg.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- hostname -------------------------------------------------------- */

static bool hostname_valid(const char *s)
{
	if (!isalpha((unsigned char)s[0]) || strlen(s) > 63)
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '-' && *s != '_')
			return false;
	return s[-1] != '-';
}

DEFUN(hostname_cmd_fn, "[no] hostname ?[WORD]", "Set system's network name\n"
      "This system's network name\n")
{
	/* "no hostname": back to IOS's default name */
	const char *n = cli_is_no(a) ? "Router" : cli_arg(a, "WORD");
	if (!hostname_valid(n)) {
		cli_puts(cli, "% Hostname contains one or more illegal "
			      "characters.\n");
		return CLI_ERR;
	}
	if (strcmp(core_hostname(), n) == 0)
		return CLI_UNCHANGED;
	core_set_hostname(n);
	return CLI_OK;
}

static void hostname_write(struct sbuf *out)
{
	sbuf_printf(out, "!\nhostname %s\n!\n", core_hostname());
}

/* ---- enable secret (type 5, as 12.x stores it) and enable password ---- */

/* "no enable secret" and "no enable password" drop it whatever follows;
 * as on IOS, they take the positive forms' words or none. */
static int secret_clear(const char *now, void (*set)(const char *))
{
	if (!now)
		return CLI_UNCHANGED;
	set(NULL);
	return CLI_OK;
}

DEFUN(enable_secret_cmd,
      "[no] enable secret ?[[(0$clear|5$hashed)] LINE$secret]",
      "Modify enable password parameters\n"
      "Assign the privileged level secret\n"
      "Specifies an UNENCRYPTED password will follow\n"
      "Specifies an ENCRYPTED secret will follow\n"
      "The UNENCRYPTED (cleartext) 'enable' secret\n")
{
	if (cli_is_no(a))
		return secret_clear(core_enable_secret(), core_set_enable_secret);
	const char *s = cli_arg(a, "secret");
	char *h;
	if (cli_has(a, "hashed")) {
		if (!secret5_valid(s)) {
			cli_puts(cli, "ERROR: The secret you entered is not a valid "
				      "encrypted secret.\nTo enter an UNENCRYPTED "
				      "secret, do not specify type 5 encryption.\n"
				      "When you properly enter an UNENCRYPTED "
				      "secret, it will be encrypted.\n\n");
			return CLI_ERR;
		}
		h = xstrdup(s);
	} else if (!(h = secret5_make(s))) {
		cli_puts(cli, "% Could not encrypt the secret\n");
		return CLI_ERR;
	}
	core_set_enable_secret(h);
	free(h);
	return CLI_OK;
}

DEFUN(enable_password_cmd, "[no] enable password ?[[0] LINE$pw]",
      "Modify enable password parameters\n"
      "Assign the privileged level password\n"
      "Specifies an UNENCRYPTED password will follow\n"
      "The UNENCRYPTED (cleartext) 'enable' password\n")
{
	if (cli_is_no(a))
		return secret_clear(core_enable_password(),
				    core_set_enable_password);
	core_set_enable_password(cli_arg(a, "pw"));
	return CLI_OK;
}

static void enable_write(struct sbuf *out)
{
	if (core_enable_secret())
		sbuf_printf(out, "enable secret 5 %s\n", core_enable_secret());
	if (core_enable_password())
		sbuf_printf(out, "enable password %s\n", core_enable_password());
}

/* ---- startup-config --------------------------------------------------- */

static bool save_running(struct cli *cli)
{
	cli_puts(cli, "Building configuration...\n");
	char *text = cfg_running_text();
	char err[512];
	int rc = nvram_write_startup(text, err, sizeof err);
	free(text);
	if (rc) {
		cli_printf(cli, "%%Error writing nvram:startup-config (%s)\n", err);
		return false;
	}
	cli_puts(cli, "[OK]\n");
	return true;
}

DEFUN(write_memory, "write [memory]", "Write running configuration to memory, network, or terminal\n"
      "Write to NV memory\n")
{
	return save_running(cli) ? CLI_OK : CLI_ERR;
}

static void copy_answer(struct cli *cli, const char *ans, void *ctx)
{
	while (*ans == ' ')
		ans++;
	if (*ans && strcmp(ans, "startup-config")) {
		cli_printf(cli, "%%Error opening nvram:%s (No such file or "
			   "directory)\n", ans);
		return;
	}
	save_running(cli);
}

DEFUN(copy_run_start, "copy running-config startup-config",
      "Copy from one file to another\n"
      "Copy from current system configuration\n"
      "Copy to startup configuration\n")
{
	cli_ask(cli, "Destination filename [startup-config]? ", copy_answer,
		NULL);
	return CLI_OK;
}

DEFUN(show_startup, "show startup-config", "Show running system information\n"
      "Contents of startup configuration\n")
{
	const char *err;
	char *text = nvram_read_startup(&err);
	if (!text) {
		cli_printf(cli, "%s\n", err);
		return CLI_OK;
	}
	cli_printf(cli, "Using %zu out of 196600 bytes\n%s", strlen(text), text);
	free(text);
	return CLI_OK;
}

static void erase_answer(struct cli *cli, const char *ans, void *ctx)
{
	if (*ans && strncasecmp(ans, "yes", strlen(ans)) &&
	    strcasecmp(ans, "y")) {
		return;
	}
	char err[512];
	if (nvram_erase_startup(err, sizeof err)) {
		cli_printf(cli, "%%Error erasing nvram: (%s)\n", err);
		return;
	}
	cli_puts(cli, "[OK]\nErase of nvram: complete\n");
	log_ios("SYS-7-NV_BLOCK_INIT", "Initialized the geometry of nvram");
}

DEFUN(erase_startup, "erase (startup-config|nvram:)",
      "Erase a filesystem\n"
      "Erase contents of configuration memory\n"
      "Erase contents of configuration memory\n")
{
	cli_ask(cli, "Erasing the nvram filesystem will remove all "
		     "configuration files! Continue? [confirm]",
		erase_answer, NULL);
	return CLI_OK;
}

DEFUN(write_erase, "write erase", "Write running configuration to memory, network, or terminal\n"
      "Erase NV memory\n")
{
	cli_ask(cli, "Erasing the nvram filesystem will remove all "
		     "configuration files! Continue? [confirm]",
		erase_answer, NULL);
	return CLI_OK;
}

/* ---- reload -------------------------------------------------------------- */

static void reload_confirm(struct cli *cli, const char *ans, void *ctx)
{
	if (*ans && strncasecmp("yes", ans, strlen(ans)) &&
	    strcasecmp(ans, "confirm"))
		return;     /* any other answer cancels, as [confirm] does */
	log_ios("SYS-5-RELOAD", "Reload requested by %s. Reload Reason: "
		"Reload Command.", "console");
	core_reload("Reload Command");
}

static void reload_save(struct cli *cli, const char *ans, void *ctx)
{
	size_t n = strlen(ans);
	if (n && !strncasecmp("yes", ans, n)) {
		if (!save_running(cli))
			return;
	} else if (!n || strncasecmp("no", ans, n)) {
		cli_puts(cli, "% Please answer 'yes' or 'no'.\n");
		cli_ask(cli, "System configuration has been modified. Save? "
			     "[yes/no]: ", reload_save, NULL);
		return;
	}
	cli_ask(cli, "Proceed with reload? [confirm]", reload_confirm, NULL);
}

static bool config_modified(void)
{
	const char *err;
	char *start = nvram_read_startup(&err);
	char *run = cfg_running_text();
	bool mod = !start || strcmp(start, run) != 0;
	free(start);
	free(run);
	return mod;
}

DEFUN(reload, "reload", "Halt and perform a cold restart\n")
{
	if (config_modified())
		cli_ask(cli, "System configuration has been modified. Save? "
			     "[yes/no]: ", reload_save, NULL);
	else
		cli_ask(cli, "Proceed with reload? [confirm]", reload_confirm,
			NULL);
	return CLI_OK;
}

/* ---- show version ------------------------------------------------------- */

DEFUN(show_version, "show version", "Show running system information\n"
      "System hardware and software status\n")
{
	char up[128];
	core_uptime_words(core_uptime(), up, sizeof up);
	/* a process that just started is a router powered on; any rebuild
	 * since (the reload command, RF's own) is a reload */
	const char *how = core_reload_reason() ? "reload" : "power-on";
	cli_printf(cli,
		   IOS_IMAGE_VERSION "\n" IOS_IMAGE_BANNER "\n"
		   "ROM: System Bootstrap, Version 12.4(13r)T, RELEASE "
		   "SOFTWARE (fc1)\n\n"
		   "%s uptime is %s\n"
		   "System returned to ROM by %s\n"
		   "System image file is \"" IOS_IMAGE_FILE "\"\n\n"
		   "iosim (simulated router) processor with 262144K/32768K "
		   "bytes of memory.\n"
		   "239K bytes of non-volatile configuration memory.\n\n"
		   "Configuration register is 0x2102\n",
		   core_hostname(), up, how);
	return CLI_OK;
}

/* ---- the clock ---------------------------------------------------------- */

DEFUN(show_clock, "show clock", "Show running system information\n"
      "Display the system clock\n")
{
	struct tm tm;
	int ms;
	const char *zone;
	clock_now(&tm, &ms, &zone, true);
	char text[128];
	clock_show_text(&tm, ms, zone, text, sizeof text);
	cli_printf(cli, "%s\n", text);
	return CLI_OK;
}

DEFUN(clock_timezone,
      "[no] clock timezone ?[WORD$zone <-23-23>$hours [<0-59>$minutes]]",
      "Configure time-of-day clock\n"
      "Configure time zone\n"
      "name of time zone\n"
      "Hours offset from UTC\n"
      "Minutes offset from UTC\n")
{
	const char *name;
	int h, m;
	bool cfgd = core_timezone(&name, &h, &m);
	if (cli_is_no(a)) {
		if (!cfgd)
			return CLI_UNCHANGED;
		core_set_timezone(NULL, 0, 0);
		return CLI_OK;
	}
	core_set_timezone(cli_arg(a, "zone"), atoi(cli_arg(a, "hours")),
			  cli_has(a, "minutes") ? atoi(cli_arg(a, "minutes")) : 0);
	return CLI_OK;
}

static void clock_write(struct sbuf *out)
{
	const char *name;
	int h, m;
	if (!core_timezone(&name, &h, &m))
		return;
	sbuf_printf(out, "clock timezone %s %d", name, h);
	if (m)
		sbuf_printf(out, " %d", m);
	sbuf_puts(out, "\n");
}

/* ---- debugging ---------------------------------------------------------- */

DEFUN(show_debugging, "show debugging", "Show running system information\n"
      "State of each debugging option\n")
{
	struct sbuf b;
	sbuf_init(&b);
	core_debug_show(&b);
	if (b.len)
		cli_puts(cli, b.s);
	sbuf_free(&b);
	return CLI_OK;
}

DEFUN(undebug_all, "undebug all", "Disable debugging functions (see also 'debug')\n"
      "Disable all debugging\n")
{
	core_debug_all_off();
	cli_puts(cli, "All possible debugging has been turned off\n");
	return CLI_OK;
}

DEFUN(no_debug_all, "no debug all", "Disable debugging functions\n"
      "Debugging functions (see also 'undebug')\n"
      "Disable all debugging\n")
{
	core_debug_all_off();
	cli_puts(cli, "All possible debugging has been turned off\n");
	return CLI_OK;
}

void cli_sys_init(void)
{
	cfg_register_writer(CFG_HOSTNAME, hostname_write);
	cfg_register_writer(CFG_ENABLE, enable_write);
	cfg_register_writer(CFG_CLOCK, clock_write);
	cli_install(MODE_CONFIG, &hostname_cmd_fn_cmd);
	cli_install(MODE_CONFIG, &enable_secret_cmd_cmd);
	cli_install(MODE_CONFIG, &enable_password_cmd_cmd);
	cli_install(MODE_EXEC, &write_memory_cmd);
	cli_install(MODE_EXEC, &write_erase_cmd);
	cli_install(MODE_EXEC, &copy_run_start_cmd);
	cli_install(MODE_EXEC, &show_startup_cmd);
	cli_install(MODE_EXEC, &erase_startup_cmd);
	cli_install(MODE_EXEC, &reload_cmd);
	cli_install(MODE_EXEC, &show_version_cmd);
	cli_install(MODE_USER, &show_version_cmd);
	cli_install(MODE_EXEC, &show_clock_cmd);
	cli_install(MODE_USER, &show_clock_cmd);
	cli_install(MODE_CONFIG, &clock_timezone_cmd);
	cli_install(MODE_EXEC, &show_debugging_cmd);
	cli_install(MODE_EXEC, &undebug_all_cmd);
	cli_install(MODE_EXEC, &no_debug_all_cmd);
}
