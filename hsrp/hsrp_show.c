/* show standby [IFNAME [N]] [all|brief], show standby delay, and the
 * "debug standby" flags. Layouts are IOS's (see ios-reference §1.7/1.8),
 * which the ntc-templates TextFSM parsers read. */
#include "hsrp_int.h"

#include <stdio.h>
#include <string.h>

#define H_SHOW    "Show running system information\n"
#define H_STANDBY "Hot standby protocol information\n"

/* ------------------------------------------------------------------ */
/* show standby                                                         */
/* ------------------------------------------------------------------ */

static void fmt_mac(const uint8_t m[6], char *buf, size_t n)
{
	snprintf(buf, n, "%02x%02x.%02x%02x.%02x%02x", m[0], m[1], m[2], m[3],
		 m[4], m[5]);
}

/* Why a group sits in Init, as IOS says it after the state name. */
static const char *init_reason(const struct hsrp_group *g)
{
	struct iface *ifp = g->hif->ifp;
	if (!iface_admin_up(ifp) || !iface_line_up(ifp))
		return " (interface down)";
	if (!hsrp_group_vip_ok(g))
		return " (virtual IP in wrong subnet)";
	return "";
}

static void show_state(struct cli *cli, const struct hsrp_group *g)
{
	cli_printf(cli, "  State is %s%s\n", hsrp_state_name((int)g->state),
		   g->state == HSRP_INIT ? init_reason(g) : "");
	if (g->state_changes) {
		char up[32];
		core_uptime_str(core_uptime() - g->last_change, up, sizeof up);
		cli_printf(cli, "    %u state change%s, last state change %s\n",
			   g->state_changes, g->state_changes == 1 ? "" : "s",
			   up);
	}
}

static void show_addresses(struct cli *cli, const struct hsrp_group *g)
{
	char buf[16], mac[16];
	uint32_t vip = hsrp_group_vip(g);
	/* nothing after "is" when there is none to show (seed 004) */
	if (vip)
		cli_printf(cli, "  Virtual IP address is %s\n", ip_fmt(vip, buf));
	else
		cli_puts(cli, "  Virtual IP address is\n");
	for (int i = 0; i < g->nsecondary; i++)
		cli_printf(cli, "    Secondary virtual IP address %s\n",
			   ip_fmt(g->secondary[i], buf));

	uint8_t local[6];
	hsrp_group_mac(g, local);
	if (g->state == HSRP_ACTIVE)
		fmt_mac(local, mac, sizeof mac);
	else if (g->active_mac_known)
		fmt_mac(g->active_mac, mac, sizeof mac);
	else
		snprintf(mac, sizeof mac, "unknown");
	cli_printf(cli, "  Active virtual MAC address is %s\n", mac);

	const char *why = g->mac_cfgd ? "confgd"
			  : g->hif->use_bia ? "bia"
			  : g->hif->version == 2 ? "v2 default" : "v1 default";
	fmt_mac(local, mac, sizeof mac);
	cli_printf(cli, "    Local virtual MAC address is %s (%s)\n", mac, why);
}

/* "3 sec" or "250 msec": seconds when the time was typed in seconds. */
static void fmt_time(unsigned ms, bool msec, char *buf, size_t n)
{
	if (msec || ms % 1000)
		snprintf(buf, n, "%u msec", ms);
	else
		snprintf(buf, n, "%u sec", ms / 1000);
}

static void show_timers(struct cli *cli, const struct hsrp_group *g)
{
	unsigned hello = g->hello_ms, hold = g->hold_ms;
	bool hello_msec = g->hello_msec, hold_msec = g->hold_msec;
	/* a router without configured timers uses the Active router's */
	if (!g->timers_cfgd && g->learned_hello_ms && g->learned_hold_ms) {
		hello = g->learned_hello_ms;
		hold = g->learned_hold_ms;
		hello_msec = hold_msec = false;
	}
	char h[24], d[24];
	fmt_time(hello, hello_msec, h, sizeof h);
	fmt_time(hold, hold_msec, d, sizeof d);
	cli_printf(cli, "  Hello time %s, hold time %s\n", h, d);
	double next = hsrp_fsm_remaining(g, HSRP_T_HELLO);
	if (next >= 0)
		cli_printf(cli, "    Next hello sent in %.3f secs\n", next);
}

static void show_auth(struct cli *cli, const struct hsrp_group *g)
{
	switch (g->auth) {
	case HSRP_AUTH_TEXT:
		cli_printf(cli, "  Authentication text, string \"%s\"\n",
			   g->auth_str);
		break;
	case HSRP_AUTH_MD5_KEYSTRING:
		cli_printf(cli, "  Authentication MD5, key-string\n");
		break;
	case HSRP_AUTH_MD5_KEYCHAIN:
		cli_printf(cli, "  Authentication MD5, key-chain \"%s\"\n",
			   g->auth_str);
		break;
	case HSRP_AUTH_NONE:
		break;
	}
}

static void show_preempt(struct cli *cli, const struct hsrp_group *g)
{
	struct sbuf b;
	sbuf_init(&b);
	sbuf_puts(&b, g->preempt ? "enabled" : "disabled");
	const char *sep = ", delay ";
	if (g->preempt && g->preempt_min) {
		sbuf_printf(&b, "%smin %u secs", sep, g->preempt_min);
		sep = ", ";
	}
	if (g->preempt && g->preempt_reload) {
		sbuf_printf(&b, "%sreload %u secs", sep, g->preempt_reload);
		sep = ", ";
	}
	if (g->preempt && g->preempt_sync)
		sbuf_printf(&b, "%ssync %u secs", sep, g->preempt_sync);
	cli_printf(cli, "  Preemption %s\n", b.s);
	sbuf_free(&b);
}

/* "local", "unknown" or "A.B.C.D, priority P (expires in S sec)" */
static void fmt_router(const struct hsrp_group *g, bool local, uint32_t ip,
		       unsigned pri, enum hsrp_timer t, char *buf, size_t n)
{
	char a[16];
	double left = hsrp_fsm_remaining(g, t);
	if (local)
		snprintf(buf, n, "local");
	else if (ip && left >= 0)
		snprintf(buf, n, "%s, priority %u (expires in %.3f sec)",
			 ip_fmt(ip, a), pri, left);
	else if (ip)
		snprintf(buf, n, "%s, priority %u", ip_fmt(ip, a), pri);
	else
		snprintf(buf, n, "unknown");
}

static void show_routers(struct cli *cli, const struct hsrp_group *g)
{
	char r[96], mac[16];
	fmt_router(g, g->state == HSRP_ACTIVE, g->active_ip, g->active_pri,
		   HSRP_T_ACTIVE, r, sizeof r);
	cli_printf(cli, "  Active router is %s\n", r);
	if (g->state != HSRP_ACTIVE && g->active_ip && g->active_mac_known) {
		fmt_mac(g->active_mac, mac, sizeof mac);
		cli_printf(cli, "    MAC address is %s\n", mac);
	}
	fmt_router(g, g->state == HSRP_STANDBY, g->standby_ip, g->standby_pri,
		   HSRP_T_STANDBY, r, sizeof r);
	cli_printf(cli, "  Standby router is %s\n", r);
}

static void show_priority(struct cli *cli, const struct hsrp_group *g)
{
	if (g->priority_cfgd)
		cli_printf(cli, "  Priority %u (configured %u)\n",
			   hsrp_group_priority(g), g->priority);
	else
		cli_printf(cli, "  Priority %u (default %u)\n",
			   hsrp_group_priority(g), HSRP_DEF_PRIORITY);
	for (const struct hsrp_track_ref *t = g->tracks; t; t = t->next) {
		bool known;
		bool up = hsrp_track_ref_up(t, &known);
		if (!known)
			cli_printf(cli, "    Track object %u (unknown)\n",
				   t->object);
		else if (t->is_object)
			cli_printf(cli, "    Track object %u state %s decrement "
					"%u\n", t->object, up ? "Up" : "Down",
				   t->decrement);
		else
			cli_printf(cli, "    Track interface %s state %s "
					"decrement %u\n", t->ifname,
				   up ? "Up" : "Down", t->decrement);
	}
}

/* The name, and which group a lookup by that name really finds when
 * several groups share it (RF and crypto bind to that one). */
static void show_name(struct cli *cli, const struct hsrp_group *g)
{
	const char *name = hsrp_group_name(g);
	const struct hsrp_group *owner = hsrp_group_by_name(name);
	if (owner && owner != g)
		cli_printf(cli, "  Group name is \"%s\" (%s, duplicate of %s "
				"Grp %u)\n", name, g->name ? "cfgd" : "default",
			   iface_name(owner->hif->ifp), owner->num);
	else
		cli_printf(cli, "  Group name is \"%s\" (%s)\n", name,
			   g->name ? "cfgd" : "default");
}

static void show_group(struct cli *cli, const struct hsrp_group *g)
{
	cli_printf(cli, "%s - Group %u%s\n", iface_name(g->hif->ifp), g->num,
		   g->hif->version == 2 ? " (version 2)" : "");
	show_state(cli, g);
	show_addresses(cli, g);
	show_timers(cli, g);
	show_auth(cli, g);
	show_preempt(cli, g);
	show_routers(cli, g);
	show_priority(cli, g);
	show_name(cli, g);
}

static void brief_header(struct cli *cli)
{
	cli_printf(cli, "                     P indicates configured to "
			"preempt.\n"
			"                     |\n");
	cli_printf(cli, "%-11s %-4s %-3s %s %-7s %-15s %-15s %s\n",
		   "Interface", "Grp", "Pri", "P", "State", "Active",
		   "Standby", "Virtual IP");
}

static void brief_group(struct cli *cli, const struct hsrp_group *g)
{
	char act[16], sby[16], vip[16];
	uint32_t v = hsrp_group_vip(g);
	if (g->state == HSRP_ACTIVE)
		snprintf(act, sizeof act, "local");
	else if (g->active_ip)
		ip_fmt(g->active_ip, act);
	else
		snprintf(act, sizeof act, "unknown");
	if (g->state == HSRP_STANDBY)
		snprintf(sby, sizeof sby, "local");
	else if (g->standby_ip)
		ip_fmt(g->standby_ip, sby);
	else
		snprintf(sby, sizeof sby, "unknown");
	if (v)
		ip_fmt(v, vip);
	else
		snprintf(vip, sizeof vip, "unknown");
	cli_printf(cli, "%-11s %-4u %-3u %c %-7s %-15s %-15s %s\n",
		   iface_short_name(g->hif->ifp), g->num,
		   hsrp_group_priority(g), g->preempt ? 'P' : ' ',
		   hsrp_state_name((int)g->state), act, sby, vip);
}

DEFUN(show_standby,
      "show standby [IFNAME$if [<0-4095>$grp]] [all|brief]",
      H_SHOW H_STANDBY
      "Interface name\n"
      "group number\n"
      "Include groups in disabled state\n"
      "Brief output\n")
{
	const char *want_if = cli_arg(a, "if");
	bool brief = cli_has(a, "brief");
	bool header = false;
	for (struct iface *ifp = iface_first(); ifp; ifp = iface_next(ifp)) {
		if (want_if && strcmp(iface_name(ifp), want_if))
			continue;
		struct hsrp_if *hif = hsrp_if_find(ifp);
		for (struct hsrp_group *g = hif ? hif->groups : NULL; g;
		     g = g->next) {
			if (cli_has(a, "grp") && g->num != cli_arg_num(a, "grp"))
				continue;
			if (brief && !header)
				brief_header(cli);
			header = true;
			if (brief)
				brief_group(cli, g);
			else
				show_group(cli, g);
		}
	}
	return CLI_OK;
}

DEFUN(show_standby_delay, "show standby delay",
      H_SHOW H_STANDBY
      "Group initialisation delay configuration\n")
{
	bool header = false;
	for (struct iface *ifp = iface_first(); ifp; ifp = iface_next(ifp)) {
		struct hsrp_if *hif = hsrp_if_find(ifp);
		if (!hif)
			continue;
		if (!header)
			cli_printf(cli, "%-18s %-7s %s\n", "Interface", "Minimum",
				   "Reload");
		header = true;
		cli_printf(cli, "%-18s %-7u %u\n", iface_name(ifp),
			   hif->delay_min, hif->delay_reload);
	}
	return CLI_OK;
}

/* The receive counters: what arrived, what was sent, and every drop by
 * its reason (bad packets are counted, never acted on). */
static void show_counters(struct cli *cli, const char *name,
			  const struct hsrp_counters *c)
{
	cli_printf(cli, "%s\n  Packets received %lu, sent %lu, for unknown "
			"groups %lu\n  Dropped:", name, c->rx, c->tx,
		   c->unknown_group);
	const char *sep = " ";
	for (int e = HSRP_PKT_SHORT; e < HSRP_PKT_NERR; e++) {
		cli_printf(cli, "%s%s %lu", sep,
			   hsrp_pkt_err_name((enum hsrp_pkt_err)e), c->drop[e]);
		sep = ", ";
	}
	cli_puts(cli, "\n");
}

DEFUN(show_standby_internal, "show standby internal",
      H_SHOW H_STANDBY
      "Display internal HSRP information\n")
{
	const struct hsrp_counters *gc = hsrp_global_counters();
	cli_printf(cli, "HSRP packets on interfaces without HSRP: %lu\n",
		   gc->unknown_group);
	for (struct iface *ifp = iface_first(); ifp; ifp = iface_next(ifp)) {
		struct hsrp_if *hif = hsrp_if_find(ifp);
		const struct hsrp_counters *c = hif ? hsrp_if_counters(hif) : NULL;
		if (c)
			show_counters(cli, iface_name(ifp), c);
	}
	return CLI_OK;
}

/* ------------------------------------------------------------------ */
/* debug standby                                                        */
/* ------------------------------------------------------------------ */

/* IOS's block: each debugging kind, and (when on) what it covers. */
static void debug_block(struct sbuf *out, unsigned flags, bool on)
{
	const char *onoff = on ? "on" : "off";
	sbuf_puts(out, "HSRP:\n");
	if (flags & HSRP_DBG_ERRORS)
		sbuf_printf(out, "  HSRP Errors debugging is %s\n", onoff);
	if (flags & HSRP_DBG_EVENTS) {
		sbuf_printf(out, "  HSRP Events debugging is %s\n", onoff);
		if (on)
			sbuf_puts(out, "    (protocol, neighbor, redundancy, "
				       "track, arp, interface)\n");
	}
	if (flags & HSRP_DBG_PACKETS) {
		sbuf_printf(out, "  HSRP Packets debugging is %s\n", onoff);
		if (on)
			sbuf_printf(out, "    (%s)\n", flags & HSRP_DBG_TERSE
				    ? "Coup, Resign"
				    : "Coup, Resign, Hello, Advertise");
	}
}

void hsrp_debug_show(struct sbuf *out)
{
	if (hsrp_debug)
		debug_block(out, hsrp_debug, true);
}

void hsrp_debug_off(void)
{
	hsrp_debug = 0;
}

/* The flags a "debug standby ..." line names. */
static unsigned debug_flags(const struct cli_args *a)
{
	if (cli_has(a, "errors"))
		return HSRP_DBG_ERRORS;
	if (cli_has(a, "events"))
		return HSRP_DBG_EVENTS;
	if (cli_has(a, "packets"))
		return HSRP_DBG_PACKETS |
		       (cli_has(a, "terse") ? HSRP_DBG_TERSE : 0);
	/* "debug standby" and "debug standby terse": everything */
	return HSRP_DBG_ERRORS | HSRP_DBG_EVENTS | HSRP_DBG_PACKETS |
	       (cli_has(a, "terse") ? HSRP_DBG_TERSE : 0);
}

static void debug_report(struct cli *cli, unsigned flags, bool on)
{
	const char *onoff = on ? "on" : "off";
	if (flags == HSRP_DBG_ERRORS)
		cli_printf(cli, "HSRP Errors debugging is %s\n", onoff);
	else if (flags == HSRP_DBG_EVENTS)
		cli_printf(cli, "HSRP Events debugging is %s\n", onoff);
	else if (!(flags & ~(HSRP_DBG_PACKETS | HSRP_DBG_TERSE)))
		cli_printf(cli, "HSRP Packets debugging is %s\n", onoff);
	else {
		struct sbuf b;
		sbuf_init(&b);
		debug_block(&b, flags, on);
		cli_puts(cli, b.s);
		sbuf_free(&b);
	}
}

#define DEBUG_SYNTAX "standby [errors|events|packets [terse]|terse]"
#define DEBUG_HELP                                                       \
	"Hot standby protocol\n"                                         \
	"HSRP errors\n"                                                  \
	"HSRP events\n"                                                  \
	"HSRP packets\n"                                                 \
	"Display limited range of HSRP packets\n"                        \
	"Display limited range of HSRP errors, events and packets\n"

DEFUN(debug_standby, "debug " DEBUG_SYNTAX,
      "Debugging functions (see also 'undebug')\n" DEBUG_HELP)
{
	unsigned f = debug_flags(a);
	/* a new packets setting replaces the old terse choice */
	if (f & HSRP_DBG_PACKETS)
		hsrp_debug &= ~HSRP_DBG_TERSE;
	hsrp_debug |= f;
	debug_report(cli, f, true);
	return CLI_OK;
}

/* Declared on its own: at EXEC, IOS helps "no" as "Disable debugging
 * functions", not as the configuration modes' "Negate a command ...". */
DEFUN(no_debug_standby, "no debug " DEBUG_SYNTAX,
      "Disable debugging functions\n"
      "Debugging functions (see also 'undebug')\n" DEBUG_HELP)
{
	unsigned f = debug_flags(a);
	if (f & HSRP_DBG_PACKETS)
		f |= HSRP_DBG_TERSE;
	hsrp_debug &= ~f;
	debug_report(cli, f & ~HSRP_DBG_TERSE, false);
	return CLI_OK;
}

void hsrp_show_init(void)
{
	cli_install(MODE_EXEC, &show_standby_cmd);
	cli_install(MODE_USER, &show_standby_cmd);  /* user EXEC too, as on IOS */
	cli_install(MODE_EXEC, &show_standby_delay_cmd);
	cli_install(MODE_USER, &show_standby_delay_cmd);  /* user EXEC too, as on IOS */
	cli_install(MODE_EXEC, &show_standby_internal_cmd);
	cli_install(MODE_EXEC, &debug_standby_cmd);
	cli_install(MODE_EXEC, &no_debug_standby_cmd);
}
