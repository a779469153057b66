/* Booting: the configuration a router starts with (--config FILE, or
 * NVRAM's startup-config), at start and after every reload. */
#include "core.h"
#include "core_int.h"
#include "../cli/cli.h"
#include "../platform/platform.h"
#include "../hsrp/hsrp.h"
#include "../ipc/ipc.h"
#include "../ha/ha.h"
#include "../crypto/crypto.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *slurp(const char *path, char *err, size_t n)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		snprintf(err, n, "%s", strerror(errno));
		return NULL;
	}
	struct sbuf b;
	sbuf_init(&b);
	char chunk[8192];
	size_t r;
	while ((r = fread(chunk, 1, sizeof chunk, f)) > 0)
		sbuf_add(&b, chunk, r);
	bool bad = ferror(f);
	fclose(f);
	if (bad) {
		snprintf(err, n, "%s", strerror(EIO));
		sbuf_free(&b);
		return NULL;
	}
	return sbuf_take(&b);
}

static const char *opt_config, *opt_hostname;

void core_set_boot(const char *config_file, const char *hostname_opt)
{
	opt_config = config_file;
	opt_hostname = hostname_opt;
}

/* Apply the boot configuration: --config FILE, else NVRAM's
 * startup-config. Parse errors are shown on the console as IOS does. */
void core_boot_config(void)
{
	if (opt_hostname)
		core_set_hostname(opt_hostname);
	char *text = NULL;
	if (opt_config) {
		char err[256];
		text = slurp(opt_config, err, sizeof err);
		if (!text)
			printf("%% Cannot read --config %s: %s; starting with "
			       "the default configuration\n", opt_config, err);
	} else {
		const char *err;
		text = nvram_read_startup(&err);
	}
	if (!text) {
		ha_config_loaded();
		return;
	}
	struct sbuf errs;
	sbuf_init(&errs);
	cli_exec_config_text(text, &errs);
	if (errs.len)
		fwrite(errs.s, 1, errs.len, stdout);
	fflush(stdout);
	sbuf_free(&errs);
	free(text);
	/* subsystems that act only on a complete boot configuration */
	ha_config_loaded();
}


void router_init(void)
{
	core_loop_init();
	log_init();
	clock_init();
	system_init();
	debug_init();
	cli_init();
	platform_init();
	hsrp_init();
	ipc_init();
	ha_init();
	crypto_init();
}
