/* show redundancy states / show redundancy inter-device.
 *
 * Layouts follow seed 004 (an ISR running inter-device SSO), whose
 * labels IOS right-aligns on " = ":
 *
 *      my state = 8  -STANDBY HOT
 *    peer state = 13 -ACTIVE
 *          Mode = Duplex
 *       Unit ID = 0
 *
 *   Redundancy inter-device state: RF_INTERDEV_STATE_STDBY
 *     Scheme: Standby
 *     Groupname: BRANCH-5-TUNNEL Group State: Standby
 *     Security: Not configured
 */
#include "ha_int.h"

#include <string.h>

#include "../cli/cli.h"
#include "../core/core.h"

/* RF clients registered on the seed 004 ISR ("client count = 12"). */
#define RF_CLIENT_COUNT 12
#define RF_NOTIFICATION_TMR_MS 30000

#define HELP_SHOW "Show running system information\n"
#define HELP_REDUNDANCY "Redundancy Facility (RF) information\n"

/* "13 -ACTIVE", "8  -STANDBY HOT": the number padded to two columns. */
static void print_state(struct cli *cli, const char *label, enum rf_state s)
{
	cli_printf(cli, "%s = %-2d -%s\n", label, (int)s, rf_state_name(s));
}

DEFUN(show_red_states, "show redundancy states",
      HELP_SHOW
      HELP_REDUNDANCY
      "redundancy states\n")
{
	const struct rf_status *st = &rf_status;
	print_state(cli, "   my state", st->my);
	print_state(cli, " peer state", st->peer);
	cli_printf(cli, "       Mode = %s\n", st->duplex ? "Duplex" : "Simplex");
	cli_puts(cli, "    Unit ID = 0\n\n");
	cli_puts(cli, "Maintenance Mode = Disabled\n");
	if (st->duplex)
		cli_puts(cli, "   Manual Swact = Enabled\n");
	else
		cli_puts(cli, "   Manual Swact = disabled (system is simplex "
			      "(no peer unit))\n");
	if (st->comm_up)
		cli_puts(cli, " Communications = Up\n\n");
	else
		cli_printf(cli, " Communications = Down      Reason: %s\n\n",
			   st->duplex ? "Failure" : "Simplex mode");
	cli_printf(cli, "client count = %d\n", RF_CLIENT_COUNT);
	cli_printf(cli, " client_notification_TMR = %d milliseconds\n",
		   RF_NOTIFICATION_TMR_MS);
	cli_puts(cli, "       RF debug mask = 0x0\n\n");
	return CLI_OK;
}

/* The scheme in effect (bound at boot) with its group's live HSRP state. */
static void print_bound_scheme(struct cli *cli, const char *group)
{
	char state[32];
	cli_puts(cli, "  Scheme: Standby\n");
	if (rf_group_lookup(group, state, sizeof state, NULL))
		cli_printf(cli, "  Groupname: %s Group State: %s\n", group,
			   state);
	else
		cli_printf(cli, "  Groupname: %s Group State: Not found\n",
			   group);
}

/* A scheme configured after boot is shown as pending until the reload. */
DEFUN(show_red_interdev, "show redundancy inter-device",
      HELP_SHOW
      HELP_REDUNDANCY
      "redundancy inter-device\n")
{
	const char *cfg = ha_interdev_configured() ? ha_scheme_configured()
						   : NULL;
	const char *bound = ha_scheme_bound();
	const char *sec = ha_security_profile();

	cli_printf(cli, "Redundancy inter-device state: %s\n",
		   rf_interdev_state_name(rf_status.interdev));
	if (cfg && !(bound && !strcmp(cfg, bound))) {
		cli_puts(cli, "  Pending Scheme: Standby (Will take effect "
			      "after reload)\n");
		cli_printf(cli, "  Pending Groupname: %s\n", cfg);
	}
	if (bound)
		print_bound_scheme(cli, bound);
	else
		cli_puts(cli, "  Scheme: <NOT CONFIGURED>\n");
	if (sec)
		cli_printf(cli, "  Security: IPSec profile %s\n", sec);
	else
		cli_puts(cli, "  Security: Not configured\n");
	return CLI_OK;
}

void ha_show_init(void)
{
	cli_install(MODE_EXEC, &show_red_states_cmd);
	cli_install(MODE_EXEC, &show_red_interdev_cmd);
}
