/* The router's assembly and boot: every subsystem initialised in
 * dependency order, the boot configuration (--config FILE, or NVRAM's
 * startup-config) applied at start and after every reload, and the
 * in-process rebuild that a reload is. */
#include "router.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/core.h"
#include "../cli/cli.h"
#include "../platform/platform.h"
#include "../hsrp/hsrp.h"
#include "../ipc/ipc.h"
#include "../ha/ha.h"
#include "../crypto/crypto.h"

static char *slurp(const char *path, char *err, size_t n)
{
	char *text = file_read_all(path);
	if (!text)
		snprintf(err, n, "%s", strerror(errno));
	return text;
}

static const char *opt_config, *opt_hostname;

void router_set_boot(const char *config_file, const char *hostname)
{
	opt_config = config_file;
	opt_hostname = hostname;
}

static char *boot_text(void)
{
	if (!opt_config) {
		const char *err;
		return nvram_read_startup(&err);
	}
	char err[256];
	char *text = slurp(opt_config, err, sizeof err);
	if (!text)
		printf("%% Cannot read --config %s: %s; starting with the "
		       "default configuration\n", opt_config, err);
	return text;
}

void router_boot(void)
{
	if (opt_hostname)
		core_set_hostname(opt_hostname);
	char *text = boot_text();
	if (text) {
		struct sbuf errs;
		sbuf_init(&errs);
		cli_exec_config_text(text, &errs);
		if (errs.len)
			fwrite(errs.s, 1, errs.len, stdout);
		fflush(stdout);
		sbuf_free(&errs);
		free(text);
	}
	/* subsystems that act only on a complete boot configuration */
	core_publish(EVT_BOOT_DONE, NULL);
}

/* A reload: the whole router rebuilt from its boot configuration in this
 * process; the ports and the consoles stay attached. */
static void rebuild(void)
{
	core_reset_all();
	core_loop_init();        /* uptime restarts */
	cli_reload_sessions();
	router_boot();
	log_ios("SYS-5-RESTART", "System restarted --");
}

void router_init(void)
{
	core_init();
	cli_init();
	platform_init();
	hsrp_init();
	ipc_init();
	ha_init();
	crypto_init();
	core_set_rebuild(rebuild);
}
