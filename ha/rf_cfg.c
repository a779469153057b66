/* Redundancy configuration: "redundancy inter-device" (scheme standby,
 * security ipsec) and "redundancy", their running-config writer, and the
 * binding of the scheme to its HSRP group at boot.
 *
 * IOS reads the scheme only at boot: configured on a running router it is
 * stored and printed, but inter-device RF keeps what it bound at boot until
 * the next reload (seed 004: "The router will need to be reloaded before
 * the redundancy scheme configuration can take effect").
 */
#include "ha_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../cli/cli.h"
#include "../core/core.h"
#include "../hsrp/hsrp.h"

/* Logged when the scheme bound at boot names no HSRP group. No IOS text
 * for this case is documented in the seeds or the reference corpus; the
 * facility is the one IOS uses for inter-device RF (RF_INTERDEV-4-RELOAD
 * in seed 004), the mnemonic and wording are the simulator's. */
#define RF_LOG_NO_GROUP "RF_INTERDEV-3-SCHEME_GROUP"

static struct {
	bool interdev;         /* "redundancy inter-device" present */
	bool red;              /* "redundancy" present */
	char *scheme;          /* scheme standby NAME, as configured */
	char *security;        /* security ipsec PROFILE */
	char *bound;           /* scheme in effect since boot */
	bool booted;           /* EVT_BOOT_DONE seen since the last reset */
} rf;

/* ---- names ------------------------------------------------------------- */

const char *rf_state_name(enum rf_state s)
{
	/* the '-' / '_' mix is IOS's own (ACTIVE-FAST vs ACTIVE_PRECONFIG) */
	static const char *const names[] = {
		[RF_UNKNOWN] = "UNKNOWN",
		[RF_DISABLED] = "DISABLED",
		[RF_INITIALIZATION] = "INITIALIZATION",
		[RF_NEGOTIATION] = "NEGOTIATION",
		[RF_STANDBY_COLD] = "STANDBY COLD",
		[RF_STANDBY_COLD_CONFIG] = "STANDBY COLD-CONFIG",
		[RF_STANDBY_COLD_FILESYS] = "STANDBY COLD-FILESYS",
		[RF_STANDBY_COLD_BULK] = "STANDBY COLD-BULK",
		[RF_STANDBY_HOT] = "STANDBY HOT",
		[RF_ACTIVE_FAST] = "ACTIVE-FAST",
		[RF_ACTIVE_DRAIN] = "ACTIVE-DRAIN",
		[RF_ACTIVE_PRECONFIG] = "ACTIVE_PRECONFIG",
		[RF_ACTIVE_POSTCONFIG] = "ACTIVE_POSTCONFIG",
		[RF_ACTIVE] = "ACTIVE",
		[RF_ACTIVE_EXTRALOAD] = "ACTIVE_EXTRALOAD",
		[RF_ACTIVE_HANDBACK] = "ACTIVE_HANDBACK",
	};
	if ((unsigned)s >= sizeof names / sizeof names[0])
		return "UNKNOWN";
	return names[s];
}

const char *rf_interdev_state_name(enum rf_interdev_state s)
{
	switch (s) {
	case RF_INTERDEV_STATE_INIT:
		return "RF_INTERDEV_STATE_INIT";
	case RF_INTERDEV_STATE_NEGO:
		return "RF_INTERDEV_STATE_NEGO";
	case RF_INTERDEV_STATE_STDBY:
		return "RF_INTERDEV_STATE_STDBY";
	case RF_INTERDEV_STATE_ACT:
		return "RF_INTERDEV_STATE_ACT";
	}
	return "RF_INTERDEV_STATE_INIT";
}

/* ---- read access ------------------------------------------------------- */

bool ha_interdev_configured(void)
{
	return rf.interdev;
}

const char *ha_scheme_configured(void)
{
	return rf.scheme;
}

const char *ha_scheme_bound(void)
{
	return rf.bound;
}

const char *ha_security_profile(void)
{
	return rf.security;
}

enum rf_state ha_rf_my_state(void)
{
	return rf_status.my;
}

enum rf_state ha_rf_peer_state(void)
{
	return rf_status.peer;
}

enum rf_interdev_state ha_rf_interdev_state(void)
{
	return rf_status.interdev;
}

/* ---- the HSRP group behind the scheme ---------------------------------- */

/* The only place ha/ looks at HSRP: by name, through hsrp.h. */
bool rf_group_lookup(const char *name, char *state, size_t n, bool *active)
{
	struct hsrp_group_info g;
	if (!hsrp_group_lookup(name, &g))
		return false;
	if (state && n)
		snprintf(state, n, "%s", hsrp_state_name((int)g.state));
	if (active)
		*active = g.state == HSRP_ACTIVE;
	return true;
}

/* ---- boot --------------------------------------------------------------- */

void rf_cfg_boot(void)
{
	if (rf.booted)       /* once per boot: a later scheme waits */
		return;
	rf.booted = true;
	xstrset(&rf.bound, rf.interdev ? rf.scheme : NULL);
	if (rf.bound && !rf_group_lookup(rf.bound, NULL, 0, NULL))
		log_ios(RF_LOG_NO_GROUP,
			"Standby group %s not found; inter-device redundancy "
			"scheme not bound", rf.bound);
}

/* ---- global: redundancy [inter-device] -------------------------------- */

#define HELP_REDUNDANCY "Enter redundancy mode\n"
#define HELP_INTERDEV "Inter-device redundancy configuration\n"

/* "To remove all inter-device configuration, use the no form" (seed 000) */
DEFUN(red_interdev, "[no] redundancy inter-device",
      HELP_REDUNDANCY
      HELP_INTERDEV)
{
	bool had = rf.interdev;
	if (cli_is_no(a)) {
		rf.interdev = false;
		xstrset(&rf.scheme, NULL);
		xstrset(&rf.security, NULL);
		return had ? CLI_OK : CLI_UNCHANGED;
	}
	rf.interdev = true;
	cli_enter(cli, MODE_RED_INTERDEV, NULL);
	return had ? CLI_UNCHANGED : CLI_OK;
}

DEFUN(red, "[no] redundancy",
      HELP_REDUNDANCY)
{
	bool had = rf.red;
	rf.red = !cli_is_no(a);
	if (rf.red)
		cli_enter(cli, MODE_RED, NULL);
	return had != rf.red ? CLI_OK : CLI_UNCHANGED;
}

/* ---- (config-red-interdevice) ------------------------------------------ */

#define HELP_SCHEME "Define the redundancy scheme\n"
#define HELP_STANDBY "Standby (HSRP) scheme\n"
#define HELP_GROUP "Standby group name\n"

/* On a running router the scheme cannot take effect before a reload; IOS
 * says so when the named group is not Active at that moment, over two
 * lines as seed 004 prints it, and stores the scheme all the same. */
static int scheme_set(struct cli *cli, const char *name)
{
	bool active = false;
	if (rf.booted && !(rf.bound && !strcmp(rf.bound, name)) &&
	    (!rf_group_lookup(name, NULL, 0, &active) || !active))
		cli_printf(cli, "%% Standby scheme configuration cannot be "
				"processed now group %s\n is not in active "
				"state\n", name);
	bool had = rf.interdev;
	rf.interdev = true;  /* even if removed from another session */
	bool changed = cli_set_str(&rf.scheme, name) == CLI_OK;
	return changed || !had ? CLI_OK : CLI_UNCHANGED;
}

DEFUN(rf_scheme, "[no] scheme ?[standby ?[WORD$name]]",
      HELP_SCHEME
      HELP_STANDBY
      HELP_GROUP)
{
	if (!cli_is_no(a))
		return scheme_set(cli, cli_arg(a, "name"));
	return cli_set_str(&rf.scheme, NULL);
}

#define HELP_SECURITY "Secure the redundancy group communications\n"
#define HELP_IPSEC "IPSec security\n"
#define HELP_PROFILE "IPSec profile name\n"

/* The profile is looked up when the IPC link is protected, not here: IOS
 * takes any name ("a previously configured IPSec profile", seed 001). */
DEFUN(rf_security, "[no] security ?[ipsec ?[WORD$profile]]",
      HELP_SECURITY
      HELP_IPSEC
      HELP_PROFILE)
{
	if (cli_is_no(a))
		return cli_set_str(&rf.security, NULL);
	bool had = rf.interdev;
	rf.interdev = true;
	bool changed = cli_set_str(&rf.security, cli_arg(a, "profile")) == CLI_OK;
	return changed || !had ? CLI_OK : CLI_UNCHANGED;
}

/* ---- running-config ---------------------------------------------------- */

/* As 12.4 prints it (seed 000 RouterA/RouterB), the "!" lines included:
 *   boot-end-marker / ! / ! / redundancy inter-device / scheme standby HAIN /
 *   ! / ! / redundancy / ! / ! / ipc zone default
 * The boot writer prints the first "!" after boot-end-marker; the second
 * one comes with the redundancy section. */
static void rf_write(struct sbuf *out)
{
	if (!rf.interdev && !rf.red)
		return;
	sbuf_puts(out, "!\n");
	if (rf.interdev) {
		sbuf_puts(out, "redundancy inter-device\n");
		if (rf.scheme)
			sbuf_printf(out, " scheme standby %s\n", rf.scheme);
		if (rf.security)
			sbuf_printf(out, " security ipsec %s\n", rf.security);
		sbuf_puts(out, "!\n!\n");
	}
	if (rf.red)
		sbuf_puts(out, "redundancy\n!\n!\n");
}

/* ---- subsystem ----------------------------------------------------------- */

void rf_cfg_reset(void)
{
	xstrset(&rf.scheme, NULL);
	xstrset(&rf.security, NULL);
	xstrset(&rf.bound, NULL);
	rf.interdev = rf.red = false;
	rf.booted = false;
}

void rf_cfg_init(void)
{
	cfg_register_writer(CFG_REDUNDANCY, rf_write);
	cli_install(MODE_CONFIG, &red_interdev_cmd);
	cli_install(MODE_CONFIG, &red_cmd);
	cli_install(MODE_RED_INTERDEV, &rf_scheme_cmd);
	cli_install(MODE_RED_INTERDEV, &rf_security_cmd);
}
