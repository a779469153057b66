/* show redundancy [states | inter-device | clients | counters | history]
 * and debug redundancy.
 *
 * states and inter-device follow seed 004 (an ISR running inter-device
 * SSO) line for line, with seed 001's keep_alive lines; labels are
 * right-aligned on " = " as IOS prints them:
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
 *
 * The bare command prints IOS's three-block summary (the layout
 * ntc-templates' cisco_ios_show_redundancy reads). clients, counters and
 * history use IOS's labels ("clientID = ... clientSeq = ...", "Redundancy
 * Facility OMs", "Redundancy Facility Event Log:") over RF's live state. */
#include "ha_int.h"

#include <stdio.h>
#include <string.h>

#include "../cli/cli.h"
#include "../core/core.h"
#include "../hsrp/hsrp.h"
#include "../ipc/ipc.h"

#define HELP_SHOW "Show running system information\n"
#define HELP_REDUNDANCY "Redundancy Facility (RF) information\n"

/* "13 -ACTIVE", "8  -STANDBY HOT": the number padded to two columns. */
static void print_state(struct cli *cli, const char *label, enum rf_state s)
{
	cli_printf(cli, "%s = %-2d -%s\n", label, (int)s, rf_state_name(s));
}

static const struct rf_status *st(void)
{
	return &rf_status;
}

static bool peer_ready(void)
{
	return rf_state_is_active(st()->peer) || st()->peer == RF_STANDBY_HOT;
}

DEFUN(show_red_states, "show redundancy states",
      HELP_SHOW
      HELP_REDUNDANCY
      "redundancy states\n")
{
	const struct rf_status *s = st();
	print_state(cli, "   my state", s->my);
	print_state(cli, " peer state", s->peer);
	cli_printf(cli, "       Mode = %s\n", s->duplex ? "Duplex" : "Simplex");
	cli_puts(cli, "    Unit ID = 0\n\n");
	cli_puts(cli, "Maintenance Mode = Disabled\n");
	if (!s->duplex)
		cli_puts(cli, "   Manual Swact = disabled (system is simplex "
			      "(no peer unit))\n");
	else if (peer_ready() && (rf_state_is_active(s->my) ||
				  s->my == RF_STANDBY_HOT))
		cli_puts(cli, "   Manual Swact = Enabled\n");
	else
		cli_puts(cli, "   Manual Swact = Disabled Reason: Progression "
			      "in progress\n");
	if (s->comm_up)
		cli_puts(cli, " Communications = Up\n\n");
	else
		cli_printf(cli, " Communications = Down      Reason: %s\n\n",
			   s->engaged ? "Failure" : "Simplex mode");
	cli_printf(cli, "client count = %d\n", 1 + rf_client_count());
	cli_printf(cli, " client_notification_TMR = %d milliseconds\n",
		   RF_NOTIFICATION_TMR_MS);
	cli_printf(cli, "      keep_alive TMR = %d milliseconds\n",
		   RF_KEEPALIVE_MS);
	cli_printf(cli, "    keep_alive count = %u\n", s->ka_count);
	cli_printf(cli, "keep_alive threshold = %d\n", RF_KEEPALIVE_THRESHOLD);
	cli_printf(cli, "       RF debug mask = 0x%x\n\n", rf_debug ? 1u : 0u);
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

static ha_security_show_fn security_show;

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
		   rf_interdev_state_name(st()->interdev));
	if (cfg && !(bound && !strcmp(cfg, bound))) {
		cli_puts(cli, "  Pending Scheme: Standby (Will take effect "
			      "after reload)\n");
		cli_printf(cli, "  Pending Groupname: %s\n", cfg);
	}
	if (bound)
		print_bound_scheme(cli, bound);
	else
		cli_puts(cli, "  Scheme: <NOT CONFIGURED>\n");
	if (security_show) {
		struct sbuf b;
		sbuf_init(&b);
		security_show(&b);
		cli_puts(cli, b.s);
		sbuf_free(&b);
	} else if (sec) {
		/* nothing protects the IPC traffic (a router built without
		 * crypto): show says so rather than let it look protected */
		cli_printf(cli, "  Security: IPSec profile %s (not applied: IPC "
			   "traffic is not protected)\n", sec);
	} else {
		cli_puts(cli, "  Security: Not configured\n");
	}
	return CLI_OK;
}

void ha_set_security_show(ha_security_show_fn fn)
{
	security_show = fn;
}

/* ---- show redundancy (the summary) ------------------------------------------------ */

static void words(double secs, char *out, size_t n)
{
	core_uptime_words(secs, out, n);
}

/* The client that keeps the standby out of STANDBY HOT, if one does. */
static bool refusal(char *out, size_t n)
{
	for (int i = 0; i < rf_client_count(); i++) {
		struct rf_client_view v;
		if (rf_client_view(i, &v) && v.status == RF_CK_REFUSED) {
			snprintf(out, n, "%s: %s", v.ops->name,
				 v.reason ? v.reason : "refused");
			return true;
		}
	}
	return false;
}

static void processor(struct cli *cli, bool active, const char *state,
		      double age, const char *image, bool banner)
{
	char up[128];
	words(age, up, sizeof up);
	cli_printf(cli, "%30s = slot 0\n", active ? "Active Location"
						   : "Standby Location");
	cli_printf(cli, "%30s = %s\n", "Current Software state", state);
	cli_printf(cli, "%30s = %s\n", "Uptime in current state", up);
	cli_printf(cli, "%30s = %s\n", "Image Version", image);
	if (banner)
		cli_printf(cli, "%s%30s = %s,1;\n", IOS_IMAGE_BANNER, "BOOT",
			   IOS_IMAGE_FILE);
	cli_printf(cli, "%30s = 0x2102\n", "Configuration register");
}

DEFUN(show_red, "show redundancy",
      HELP_SHOW
      HELP_REDUNDANCY)
{
	const struct rf_status *s = st();
	char up[128], why[RF_REASON_MAX + 64];
	const char *mode = ha_interdev_configured() ? "Stateful Switchover"
						    : "Non-redundant";
	words(core_uptime(), up, sizeof up);
	cli_puts(cli, "Redundant System Information :\n"
		      "------------------------------\n");
	cli_printf(cli, "%30s = %s\n", "Available system uptime", up);
	cli_printf(cli, "%30s = %u\n", "Switchovers system experienced",
		   s->switchovers);
	cli_printf(cli, "%30s = %u\n", "Standby failures", s->standby_failures);
	cli_printf(cli, "%30s = %s\n", "Last switchover reason",
		   s->last_switchover);
	if (refusal(why, sizeof why))
		cli_printf(cli, "%30s = %s\n", "Standby progression halted", why);
	cli_puts(cli, "\n");
	cli_printf(cli, "%30s = %s\n", "Hardware Mode",
		   s->duplex ? "Duplex" : "Simplex");
	cli_printf(cli, "%30s = %s\n", "Configured Redundancy Mode", mode);
	cli_printf(cli, "%30s = %s\n", "Operating Redundancy Mode",
		   s->engaged ? mode : "Non-redundant");
	cli_printf(cli, "%30s = Disabled\n", "Maintenance Mode");
	if (s->comm_up)
		cli_printf(cli, "%30s = Up\n\n", "Communications");
	else
		cli_printf(cli, "%30s = Down      Reason: %s\n\n",
			   "Communications",
			   s->engaged ? "Failure" : "Simplex mode");
	bool me_active = rf_state_is_active(s->my);
	cli_puts(cli, "Current Processor Information :\n"
		      "-------------------------------\n");
	processor(cli, me_active, rf_state_name(s->my), rf_my_state_age(),
		  IOS_IMAGE_VERSION, true);
	cli_puts(cli, "\n");
	if (!s->duplex) {
		cli_printf(cli, "Peer (slot: unavailable) information is not "
			   "available because it is in '%s' state\n",
			   rf_state_name(s->peer));
		return CLI_OK;
	}
	/* the peer's age in its state: what it said, plus time since */
	double age = s->peer_state_age + (core_uptime() - s->peer_heard);
	if (s->peer_since > s->peer_heard)
		age = core_uptime() - s->peer_since;
	cli_puts(cli, "Peer Processor Information :\n"
		      "----------------------------\n");
	processor(cli, rf_state_is_active(s->peer), rf_state_name(s->peer),
		  age, s->peer_image, false);
	return CLI_OK;
}

/* ---- clients, counters, history ---------------------------------------------------- */

static void client_line(struct cli *cli, unsigned id, const char *name)
{
	cli_printf(cli, " clientID = %-10u clientSeq = %-10u %s\n", id, id,
		   name);
}

DEFUN(show_red_clients, "show redundancy clients",
      HELP_SHOW
      HELP_REDUNDANCY
      "Redundancy Facility (RF) client list\n")
{
	client_line(cli, RF_CLIENT_INTERNAL, "RF_INTERNAL_MSG");
	for (int i = 0; i < rf_client_count(); i++) {
		struct rf_client_view v;
		if (!rf_client_view(i, &v))
			continue;
		client_line(cli, v.ops->id, v.ops->name);
		cli_printf(cli, "        %s%s%s", rf_ck_status_name(v.status),
			   v.reason ? ": " : "", v.reason ? v.reason : "");
		if (v.bulk_msgs || v.incr_msgs)
			cli_printf(cli, " (bulk %llu, incremental %llu messages)",
				   (unsigned long long)v.bulk_msgs,
				   (unsigned long long)v.incr_msgs);
		cli_puts(cli, "\n");
		if (v.ops->id == RF_CLIENT_CONFIG_DIGEST) {
			char sum[RF_REASON_MAX + 64];
			rf_digest_summary(sum, sizeof sum);
			cli_printf(cli, "        %s\n", sum);
		}
	}
	client_line(cli, 65000, "RF_LAST_CLIENT");
	return CLI_OK;
}

static void om(struct cli *cli, const char *label, uint64_t v)
{
	cli_printf(cli, "%27s = %llu\n", label, (unsigned long long)v);
}

DEFUN(show_red_counters, "show redundancy counters",
      HELP_SHOW
      HELP_REDUNDANCY
      "Redundancy Facility (RF) operational measurements\n")
{
	const struct rf_counters *c = &rf_counters;
	cli_puts(cli, "Redundancy Facility OMs\n");
	om(cli, "comm link up", c->comm_up);
	om(cli, "comm link down", c->comm_down);
	cli_puts(cli, "\n");
	om(cli, "tx failures", c->tx_fail);
	om(cli, "errored peer msg rx", c->rx_bad);
	cli_puts(cli, "\n");
	om(cli, "buffers tx", c->tx);
	om(cli, "tx buffers unavailable", c->tx_full);
	om(cli, "buffers rx", c->rx);
	cli_puts(cli, "\n");
	om(cli, "keep_alives tx", c->ka_tx);
	om(cli, "keep_alives rx", c->ka_rx);
	om(cli, "keep_alive threshold hit", c->ka_lost);
	cli_puts(cli, "\n");
	om(cli, "bulk sync requests tx", c->bulk_req_tx);
	om(cli, "bulk sync requests rx", c->bulk_req_rx);
	om(cli, "bulk syncs accepted", c->bulk_done);
	om(cli, "bulk syncs refused", c->bulk_refused);
	om(cli, "RF induced reloads", c->reloads);
	return CLI_OK;
}

DEFUN(show_red_history, "show redundancy history",
      HELP_SHOW
      HELP_REDUNDANCY
      "Redundancy Facility (RF) history\n")
{
	cli_puts(cli, "Redundancy Facility Event Log:\n");
	for (int i = 0; i < rf_history_count(); i++)
		cli_printf(cli, "%s\n", rf_history_line(i));
	return CLI_OK;
}

/* ---- debug redundancy ---------------------------------------------------------------- */

static int set_debug(struct cli *cli, bool on)
{
	rf_debug = on;
	cli_printf(cli, "Redundancy Facility debugging is %s\n",
		   on ? "on" : "off");
	return CLI_OK;
}

DEFUN(debug_red, "[no] debug redundancy",
      "Debugging functions (see also 'undebug')\n"
      "RF debugging\n")
{
	return set_debug(cli, !cli_is_no(a));
}

DEFUN(undebug_red, "undebug redundancy",
      "Disable debugging functions (see also 'debug')\n"
      "RF debugging\n")
{
	return set_debug(cli, false);
}

static void debug_show(struct sbuf *out)
{
	if (rf_debug)
		sbuf_puts(out, "Redundancy:\n  Redundancy Facility debugging is "
			       "on\n");
}

static void debug_off(void)
{
	rf_debug = false;
}

void ha_show_init(void)
{
	core_register_debug(debug_show, debug_off);
	cli_install(MODE_EXEC, &show_red_cmd);
	cli_install(MODE_EXEC, &show_red_states_cmd);
	cli_install(MODE_EXEC, &show_red_interdev_cmd);
	cli_install(MODE_EXEC, &show_red_clients_cmd);
	cli_install(MODE_EXEC, &show_red_counters_cmd);
	cli_install(MODE_EXEC, &show_red_history_cmd);
	cli_install(MODE_EXEC, &debug_red_cmd);
	cli_install(MODE_EXEC, &undebug_red_cmd);
}
