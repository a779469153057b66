/* HSRP interface configuration: the "standby ..." commands, each declared
 * once with its "no" form, and the running-config writer that prints them
 * back in IOS's nvgen order. Group 0 is the group of a command typed
 * without a number, and is written without it ("standby ip 9.1.1.34"). */
#include "hsrp_int.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define H_STANDBY "HSRP interface configuration commands\n"
#define H_GRP     "group number\n"

/* ------------------------------------------------------------------ */
/* Helpers shared by the handlers                                       */
/* ------------------------------------------------------------------ */

/* IOS's ranges for some tokens depend on other configuration (the group
 * number on the HSRP version, the hold time on the hello time), so its
 * parser rejects an out-of-range value as invalid input, with the caret
 * under the word: the handler does the same for the token named NAME. */
static int invalid_input(struct cli *cli, const struct cli_args *a,
			 const char *name)
{
	cli_invalid_arg(cli, a, cli_arg_index(a, name));
	return CLI_ERR;
}

/* HSRP runs on LAN media only. */
static bool lan_iface(struct cli *cli, struct iface *ifp)
{
	switch (iface_type(ifp)) {
	case IFT_ETHERNET:
	case IFT_FASTETHERNET:
	case IFT_GIGABITETHERNET:
	case IFT_VLAN:
		return true;
	default:
		cli_printf(cli, "Standby: Interface %s cannot support hot "
				"standby protocol\n", iface_name(ifp));
		return false;
	}
}

/* The interface and group number a "standby [N] ..." command is about.
 * Without N the group is 0; N must fit the interface's HSRP version. */
static bool target(struct cli *cli, const struct cli_args *a, bool config,
		   struct iface **ifp, unsigned *num)
{
	*ifp = cli_ctx_obj_(cli, "struct iface");
	if (!*ifp)
		return false;
	if (config && !lan_iface(cli, *ifp))
		return false;
	*num = cli_has(a, "grp") ? (unsigned)cli_arg_num(a, "grp") : 0;
	if (*num > hsrp_max_group(hsrp_if_find(*ifp))) {
		invalid_input(cli, a, "grp");
		return false;
	}
	return true;
}

/* A "no standby [N] ..." line: RESET takes the setting out of the
 * existing group and says whether there was anything to take. A group
 * that does not exist, or lacks the setting, is left alone (IOS accepts
 * the line and does nothing); a group left empty goes. */
typedef bool (*reset_fn)(struct hsrp_group *g, const struct cli_args *a);

static int negate(struct cli *cli, const struct cli_args *a, reset_fn reset)
{
	struct iface *ifp;
	unsigned num;
	if (!target(cli, a, false, &ifp, &num))
		return CLI_ERR;
	struct hsrp_group *g = hsrp_group_find(hsrp_if_find(ifp), num);
	if (!g || !reset(g, a))
		return CLI_UNCHANGED;
	struct hsrp_if *hif = g->hif;
	hsrp_group_changed(g);
	hsrp_group_gc(g);
	hsrp_if_gc(hif);
	return CLI_OK;
}

static struct hsrp_group *group_get(struct iface *ifp, unsigned num)
{
	return hsrp_group_get(hsrp_if_get(ifp), num);
}

/* ------------------------------------------------------------------ */
/* standby [N] ip [A.B.C.D [secondary]]                                 */
/* ------------------------------------------------------------------ */

static bool martian(uint32_t be)
{
	uint8_t first = (uint8_t)(ntohl(be) >> 24);
	return first == 0 || first == 127 || first >= 224;
}

/* Checks of a virtual address before anything changes. *noop is set when
 * the address is already configured the same way. */
static bool vip_check(struct cli *cli, struct iface *ifp, unsigned num,
		      uint32_t vip, bool secondary, bool *noop)
{
	char buf[16];
	*noop = false;
	if (martian(vip)) {
		cli_printf(cli, "Standby: Not a valid host address - %s\n",
			   ip_fmt(vip, buf));
		return false;
	}
	if (iface_has_addr(ifp, vip)) {
		cli_printf(cli, "%% Address cannot equal interface IP "
				"address.\n");
		return false;
	}
	struct hsrp_group *owner = hsrp_vip_owner(vip);
	if (!owner)
		return true;
	if (owner->hif->ifp != ifp || owner->num != num) {
		cli_printf(cli, "Standby: Address %s in group %u", ip_fmt(vip, buf),
			   owner->num);
		if (owner->hif->ifp != ifp)
			cli_printf(cli, " - interface %s",
				   iface_name(owner->hif->ifp));
		cli_printf(cli, "\n");
		return false;
	}
	if (secondary && owner->vip == vip) {
		cli_printf(cli, "%s is configured as the primary address\n",
			   ip_fmt(vip, buf));
		return false;
	}
	if (!secondary && owner->vip != vip) {
		cli_printf(cli, "%s is configured as the secondary address\n",
			   ip_fmt(vip, buf));
		return false;
	}
	*noop = true;
	return true;
}

/* "no standby ip A.B.C.D secondary" removes that secondary address; any
 * other "no standby ip" the primary one. */
static bool ip_reset(struct hsrp_group *g, const struct cli_args *a)
{
	bool was_enabled = g->ip_enabled;
	int was_nsecondary = g->nsecondary;
	uint32_t was_vip = g->vip;
	if (cli_has(a, "secondary")) {
		uint32_t vip = cli_arg_ip(a, "vip");
		int j = 0;
		for (int i = 0; i < g->nsecondary; i++)
			if (g->secondary[i] != vip)
				g->secondary[j++] = g->secondary[i];
		if (j < g->nsecondary)
			hsrp_vip_release(vip);
		g->nsecondary = j;
	} else {
		if (g->vip)
			hsrp_vip_release(g->vip);
		g->vip = 0;
	}
	/* HSRP stays enabled while any virtual address is left */
	if (!g->vip && !g->nsecondary)
		g->ip_enabled = false;
	return g->ip_enabled != was_enabled || g->vip != was_vip ||
	       g->nsecondary != was_nsecondary;
}

DEFUN(standby_ip, "[no] standby [<0-4095>$grp] ip [A.B.C.D$vip [secondary]]",
      H_STANDBY H_GRP
      "Enable HSRP and set the virtual IP address\n"
      "Virtual IP address\n"
      "Make this IP address a secondary virtual IP address\n")
{
	if (cli_is_no(a))
		return negate(cli, a, ip_reset);
	struct iface *ifp;
	unsigned num;
	bool noop = false;
	if (!target(cli, a, true, &ifp, &num))
		return CLI_ERR;
	bool have = cli_has(a, "vip");
	uint32_t vip = cli_arg_ip(a, "vip");
	bool secondary = cli_has(a, "secondary");
	if (have && !vip_check(cli, ifp, num, vip, secondary, &noop))
		return CLI_ERR;
	struct hsrp_group *g = group_get(ifp, num);
	g->ip_enabled = true;
	if (have && !noop) {
		if (secondary) {
			g->secondary = xrealloc(g->secondary,
				(size_t)(g->nsecondary + 1) * sizeof *g->secondary);
			g->secondary[g->nsecondary++] = vip;
		} else {
			if (g->vip)
				hsrp_vip_release(g->vip);
			g->vip = vip;
		}
		hsrp_vip_claim(g, vip);
	}
	hsrp_group_changed(g);
	return CLI_OK;
}

/* ------------------------------------------------------------------ */
/* name, priority, preempt                                              */
/* ------------------------------------------------------------------ */

static bool name_reset(struct hsrp_group *g, const struct cli_args *a)
{
	if (!g->name)
		return false;
	hsrp_group_set_name(g, NULL);
	return true;
}

DEFUN(standby_name, "[no] standby [<0-4095>$grp] name ?[WORD$name]",
      H_STANDBY H_GRP
      "Redundancy name string\n"
      "name string\n")
{
	if (cli_is_no(a))
		return negate(cli, a, name_reset);
	struct iface *ifp;
	unsigned num;
	if (!target(cli, a, true, &ifp, &num))
		return CLI_ERR;
	struct hsrp_group *g = group_get(ifp, num);
	hsrp_group_set_name(g, cli_arg(a, "name"));
	hsrp_group_changed(g);
	return CLI_OK;
}

static bool priority_reset(struct hsrp_group *g, const struct cli_args *a)
{
	if (!g->priority_cfgd)
		return false;
	g->priority = HSRP_DEF_PRIORITY;
	g->priority_cfgd = false;
	return true;
}

DEFUN(standby_priority, "[no] standby [<0-4095>$grp] priority ?[<0-255>$pri]",
      H_STANDBY H_GRP
      "Priority level\n"
      "Priority value\n")
{
	if (cli_is_no(a))
		return negate(cli, a, priority_reset);
	struct iface *ifp;
	unsigned num;
	if (!target(cli, a, true, &ifp, &num))
		return CLI_ERR;
	struct hsrp_group *g = group_get(ifp, num);
	g->priority = (unsigned)cli_arg_num(a, "pri");
	g->priority_cfgd = true;
	hsrp_group_changed(g);
	return CLI_OK;
}

/* "no ... preempt delay" and "no ... preempt delay minimum" name the
 * delays to remove without their values */
#define PREEMPT_DELAYS                                                   \
	"delay ?[{minimum ?[<0-3600>$min]|reload ?[<0-3600>$rel]|"       \
	"sync ?[<0-3600>$sync]}]"
#define PREEMPT_DELAYS_HELP                                              \
	"Wait before preempting\n"                                       \
	"Delay at least this long\n"                                     \
	"Number of seconds for minimum delay\n"                          \
	"Delay after reload\n"                                           \
	"Number of seconds for reload delay\n"                           \
	"Wait for IP redundancy clients\n"                               \
	"Number of seconds for sync delay\n"

/* "no ... preempt" ends preemption; "no ... preempt delay reload" removes
 * that delay only, "no ... preempt delay" every delay. */
static bool preempt_reset(struct hsrp_group *g, const struct cli_args *a)
{
	bool was = g->preempt;
	unsigned min = g->preempt_min, rel = g->preempt_reload,
		 sync = g->preempt_sync;
	bool some = cli_has(a, "minimum") || cli_has(a, "reload") ||
		    cli_has(a, "sync");
	if (!cli_has(a, "delay"))
		g->preempt = false;
	if (!some || cli_has(a, "minimum"))
		g->preempt_min = 0;
	if (!some || cli_has(a, "reload"))
		g->preempt_reload = 0;
	if (!some || cli_has(a, "sync"))
		g->preempt_sync = 0;
	return g->preempt != was || g->preempt_min != min ||
	       g->preempt_reload != rel || g->preempt_sync != sync;
}

DEFUN(standby_preempt,
      "[no] standby [<0-4095>$grp] preempt [" PREEMPT_DELAYS "]",
      H_STANDBY H_GRP
      "Overthrow lower priority Active routers\n"
      PREEMPT_DELAYS_HELP)
{
	if (cli_is_no(a))
		return negate(cli, a, preempt_reset);
	struct iface *ifp;
	unsigned num;
	if (!target(cli, a, true, &ifp, &num))
		return CLI_ERR;
	struct hsrp_group *g = group_get(ifp, num);
	/* the command states the whole preemption setting */
	g->preempt = true;
	g->preempt_min = (unsigned)cli_arg_num(a, "min");
	g->preempt_reload = (unsigned)cli_arg_num(a, "rel");
	g->preempt_sync = (unsigned)cli_arg_num(a, "sync");
	hsrp_group_changed(g);
	return CLI_OK;
}

/* ------------------------------------------------------------------ */
/* timers                                                               */
/* ------------------------------------------------------------------ */

#define TIMERS_SYNTAX                                                     \
	"timers ?[(<1-254>$hello|msec <15-999>$hello_ms) "                \
	"(<1-255>$hold|msec <50-3000>$hold_ms)]"
#define TIMERS_HELP                                                      \
	"Hello and hold timers\n"                                        \
	"Hello interval in seconds\n"                                    \
	"Specify hello interval in milliseconds\n"                       \
	"Hello interval in milliseconds\n"                               \
	"Hold time in seconds\n"                                         \
	"Specify hold time in milliseconds\n"                            \
	"Hold time in milliseconds\n"

static bool timers_reset(struct hsrp_group *g, const struct cli_args *a)
{
	if (!g->timers_cfgd)
		return false;
	g->timers_cfgd = false;
	g->hello_ms = HSRP_DEF_HELLO_MS;
	g->hold_ms = HSRP_DEF_HOLD_MS;
	g->hello_msec = g->hold_msec = false;
	return true;
}

DEFUN(standby_timers, "[no] standby [<0-4095>$grp] " TIMERS_SYNTAX,
      H_STANDBY H_GRP TIMERS_HELP)
{
	if (cli_is_no(a))
		return negate(cli, a, timers_reset);
	struct iface *ifp;
	unsigned num;
	if (!target(cli, a, true, &ifp, &num))
		return CLI_ERR;
	bool hello_msec = cli_has(a, "hello_ms");
	bool hold_msec = cli_has(a, "hold_ms");
	unsigned hello = hello_msec ? (unsigned)cli_arg_num(a, "hello_ms")
				    : (unsigned)cli_arg_num(a, "hello") * 1000;
	unsigned hold = hold_msec ? (unsigned)cli_arg_num(a, "hold_ms")
				  : (unsigned)cli_arg_num(a, "hold") * 1000;
	/* The hold time must exceed the hello time; with millisecond hellos
	 * it must be at least three hellos (IOS narrows the hold-time range
	 * to enforce it, so anything else is invalid input). */
	if (hold <= hello || (hello_msec && hold < 3 * hello))
		return invalid_input(cli, a, hold_msec ? "hold_ms" : "hold");
	struct hsrp_group *g = group_get(ifp, num);
	g->timers_cfgd = true;
	g->hello_ms = hello;
	g->hold_ms = hold;
	g->hello_msec = hello_msec;
	g->hold_msec = hold_msec;
	hsrp_group_changed(g);
	return CLI_OK;
}

/* ------------------------------------------------------------------ */
/* track                                                                */
/* ------------------------------------------------------------------ */

/* An interface's line protocol (the decrement may be typed with or
 * without the "decrement" keyword, as 12.x accepted it), or an object. */
#define TRACK_SYNTAX                                                      \
	"track ?[(IFNAME$if [[decrement] <1-255>$dec]|"                   \
	"<1-1000>$obj [decrement <1-255>$dec])]"
#define TRACK_HELP                                                       \
	"Priority tracking\n"                                            \
	"Interface to track\n"                                           \
	"Priority decrement\n"                                           \
	"Decrement value\n"                                              \
	"Tracked object number\n"                                        \
	"Priority decrement\n"                                           \
	"Decrement value\n"

static bool track_ref_match(const struct hsrp_track_ref *t,
			    const struct cli_args *a)
{
	if (cli_has(a, "obj"))
		return t->is_object && t->object == cli_arg_num(a, "obj");
	return !t->is_object && !strcmp(t->ifname, cli_arg(a, "if"));
}

/* "no ... track" without an item removes every tracking line of the
 * group; with one, that item's line whatever its decrement. */
static bool track_ref_reset(struct hsrp_group *g, const struct cli_args *a)
{
	bool all = !cli_has(a, "obj") && !cli_has(a, "if");
	bool some = false;
	struct hsrp_track_ref **pp = &g->tracks;
	while (*pp) {
		struct hsrp_track_ref *t = *pp;
		if (all || track_ref_match(t, a)) {
			*pp = t->next;
			hsrp_track_ref_free(g, t);
			some = true;
		} else {
			pp = &t->next;
		}
	}
	return some;
}

DEFUN(standby_track, "[no] standby [<0-4095>$grp] " TRACK_SYNTAX,
      H_STANDBY H_GRP TRACK_HELP)
{
	if (cli_is_no(a))
		return negate(cli, a, track_ref_reset);
	struct iface *ifp;
	unsigned num;
	if (!target(cli, a, true, &ifp, &num))
		return CLI_ERR;
	struct hsrp_group *g = group_get(ifp, num);
	struct hsrp_track_ref *t, **pp = &g->tracks;
	for (t = g->tracks; t && !track_ref_match(t, a); t = t->next)
		pp = &t->next;
	if (!t) {
		t = xcalloc(1, sizeof *t);
		t->is_object = cli_has(a, "obj");
		if (t->is_object)
			t->object = (unsigned)cli_arg_num(a, "obj");
		else
			snprintf(t->ifname, sizeof t->ifname, "%s",
				 cli_arg(a, "if"));
		*pp = t;    /* appended: kept in configuration order */
		hsrp_track_ref_watch(g, t);
	}
	t->decrement_cfgd = cli_has(a, "dec");
	t->decrement = t->decrement_cfgd ? (unsigned)cli_arg_num(a, "dec")
					 : HSRP_DEF_DECREMENT;
	hsrp_group_changed(g);
	return CLI_OK;
}

/* ------------------------------------------------------------------ */
/* authentication                                                       */
/* ------------------------------------------------------------------ */

#define AUTH_SYNTAX                                                       \
	"authentication ?[text WORD$text|WORD$text|md5 (key-string [0|7] " \
	"WORD$key [timeout <0-32767>$timeout]|key-chain WORD$chain)]"
#define AUTH_HELP                                                        \
	"Authentication\n"                                               \
	"Plain text authentication\n"                                    \
	"Plain text authentication string (8 chars max)\n"               \
	"Plain text authentication string (8 chars max)\n"               \
	"Use MD5 authentication\n"                                       \
	"Set key string\n"                                               \
	"Specifies an UNENCRYPTED key string will follow\n"              \
	"Specifies a HIDDEN key string will follow\n"                    \
	"Key string (64 chars max)\n"                                    \
	"Set timeout for old key\n"                                      \
	"Timeout in seconds\n"                                           \
	"Set key chain\n"                                                \
	"Name of key-chain\n"

/* "no ... authentication" removes it, whatever key follows. */
static bool auth_reset(struct hsrp_group *g, const struct cli_args *a)
{
	if (g->auth == HSRP_AUTH_NONE)
		return false;
	g->auth = HSRP_AUTH_NONE;
	free(g->auth_str);
	g->auth_str = NULL;
	g->key_encrypted = g->auth_timeout_cfgd = false;
	g->auth_timeout = 0;
	return true;
}

DEFUN(standby_auth, "[no] standby [<0-4095>$grp] " AUTH_SYNTAX,
      H_STANDBY H_GRP AUTH_HELP)
{
	if (cli_is_no(a))
		return negate(cli, a, auth_reset);
	struct iface *ifp;
	unsigned num;
	if (!target(cli, a, true, &ifp, &num))
		return CLI_ERR;
	struct hsrp_group *g = group_get(ifp, num);
	free(g->auth_str);
	g->key_encrypted = false;
	g->auth_timeout_cfgd = false;
	g->auth_timeout = 0;
	if (cli_has(a, "text")) {
		/* the text string travels in an 8-byte field: IOS keeps
		 * the first 8 characters */
		g->auth = HSRP_AUTH_TEXT;
		g->auth_str = strndup(cli_arg(a, "text"), HSRP_TEXT_AUTH_MAX);
	} else if (cli_has(a, "chain")) {
		g->auth = HSRP_AUTH_MD5_KEYCHAIN;
		g->auth_str = xstrdup(cli_arg(a, "chain"));
	} else {
		g->auth = HSRP_AUTH_MD5_KEYSTRING;
		g->auth_str = xstrdup(cli_arg(a, "key"));
		g->key_encrypted = cli_has(a, "7");
		g->auth_timeout_cfgd = cli_has(a, "timeout");
		g->auth_timeout = (unsigned)cli_arg_num(a, "timeout");
	}
	hsrp_group_changed(g);
	return CLI_OK;
}

/* ------------------------------------------------------------------ */
/* mac-address                                                          */
/* ------------------------------------------------------------------ */

/* IOS's H.H.H form: three groups of 1-4 hex digits. */
static bool parse_mac(const char *s, uint8_t mac[6])
{
	unsigned part[3];
	for (int i = 0; i < 3; i++) {
		int n = 0;
		part[i] = 0;
		while (isxdigit((unsigned char)*s) && n < 5) {
			part[i] = part[i] * 16 + (unsigned)(isdigit((unsigned char)*s)
				? *s - '0' : tolower((unsigned char)*s) - 'a' + 10);
			s++;
			n++;
		}
		if (n == 0 || n > 4 || *s != (i < 2 ? '.' : '\0'))
			return false;
		s++;
		mac[2 * i] = (uint8_t)(part[i] >> 8);
		mac[2 * i + 1] = (uint8_t)part[i];
	}
	return true;
}

static bool mac_reset(struct hsrp_group *g, const struct cli_args *a)
{
	if (!g->mac_cfgd)
		return false;
	g->mac_cfgd = false;
	memset(g->mac, 0, sizeof g->mac);
	return true;
}

DEFUN(standby_mac, "[no] standby [<0-4095>$grp] mac-address ?[WORD$mac]",
      H_STANDBY H_GRP
      "Virtual MAC address\n"
      "MAC address (H.H.H)\n")
{
	if (cli_is_no(a))
		return negate(cli, a, mac_reset);
	struct iface *ifp;
	unsigned num;
	uint8_t mac[6];
	if (!target(cli, a, true, &ifp, &num))
		return CLI_ERR;
	if (!parse_mac(cli_arg(a, "mac"), mac))
		return invalid_input(cli, a, "mac");
	struct hsrp_group *g = group_get(ifp, num);
	memcpy(g->mac, mac, 6);
	g->mac_cfgd = true;
	hsrp_group_changed(g);
	return CLI_OK;
}

/* ------------------------------------------------------------------ */
/* no standby N: the whole group                                        */
/* ------------------------------------------------------------------ */

/* A "no" form only: "standby N" alone is an incomplete command. */
DEFUN(no_standby_group, "no standby <0-4095>$grp",
      CLI_HELP_NO H_STANDBY H_GRP)
{
	struct iface *ifp;
	unsigned num;
	if (!target(cli, a, false, &ifp, &num))
		return CLI_ERR;
	struct hsrp_group *g = hsrp_group_find(hsrp_if_find(ifp), num);
	if (!g)
		return CLI_UNCHANGED;
	struct hsrp_if *hif = g->hif;
	hsrp_group_delete(g);
	hsrp_if_gc(hif);
	return CLI_OK;
}

/* ------------------------------------------------------------------ */
/* Interface-wide: version, delay, use-bia                              */
/* ------------------------------------------------------------------ */

/* Version 1 numbers groups 0-255 only. */
static bool version_fits(struct cli *cli, const struct hsrp_if *hif,
			 unsigned version)
{
	if (version == 2 || !hif)
		return true;
	for (const struct hsrp_group *g = hif->groups; g; g = g->next)
		if (g->num > HSRP_V1_MAX_GROUP) {
			cli_printf(cli, "%% Group %u is out of range for HSRP "
					"version 1\n", g->num);
			return false;
		}
	return true;
}

static void set_version(struct hsrp_if *hif, unsigned version)
{
	if (hif->version == version)
		return;
	hif->version = version;
	/* new virtual MACs, packet format and multicast group */
	hsrp_if_changed(hif);
	for (struct hsrp_group *g = hif->groups; g; g = g->next)
		hsrp_group_changed(g);
}

/* "no standby version": back to version 1, which must fit every group. */
static int version_reset(struct cli *cli, struct iface *ifp)
{
	struct hsrp_if *hif = hsrp_if_find(ifp);
	if (!hif || hif->version == 1)
		return CLI_UNCHANGED;
	if (!version_fits(cli, hif, 1))
		return CLI_ERR;
	set_version(hif, 1);
	hsrp_if_gc(hif);
	return CLI_OK;
}

DEFUN(standby_version, "[no] standby version ?[<1-2>$ver]",
      H_STANDBY
      "HSRP version\n"
      "Version number\n")
{
	CLI_CONTEXT(struct iface, ifp);
	if (cli_is_no(a))
		return version_reset(cli, ifp);
	unsigned ver = (unsigned)cli_arg_num(a, "ver");
	if (!lan_iface(cli, ifp) ||
	    !version_fits(cli, hsrp_if_find(ifp), ver))
		return CLI_ERR;
	struct hsrp_if *hif = hsrp_if_get(ifp);
	set_version(hif, ver);
	hsrp_if_gc(hif);
	return CLI_OK;
}

/* "no standby delay" puts both delays back to their defaults,
 * "no standby delay reload" only that one. */
static int delay_reset(struct iface *ifp, const struct cli_args *a)
{
	struct hsrp_if *hif = hsrp_if_find(ifp);
	if (!hif)
		return CLI_UNCHANGED;
	unsigned min = hif->delay_min, rel = hif->delay_reload;
	bool some = cli_has(a, "minimum") || cli_has(a, "reload");
	if (!some || cli_has(a, "minimum"))
		hif->delay_min = HSRP_DEF_DELAY_MIN;
	if (!some || cli_has(a, "reload"))
		hif->delay_reload = HSRP_DEF_DELAY_RELOAD;
	if (hif->delay_min == min && hif->delay_reload == rel)
		return CLI_UNCHANGED;
	hsrp_if_changed(hif);
	hsrp_if_gc(hif);
	return CLI_OK;
}

DEFUN(standby_delay,
      "[no] standby delay ?[{minimum ?[<0-10000>$min]|"
      "reload ?[<0-10000>$rel]}]",
      H_STANDBY
      "HSRP initialisation delay\n"
      "Delay at least this long\n"
      "Delay in seconds\n"
      "Delay after reload\n"
      "Delay in seconds\n")
{
	CLI_CONTEXT(struct iface, ifp);
	if (cli_is_no(a))
		return delay_reset(ifp, a);
	if (!lan_iface(cli, ifp))
		return CLI_ERR;
	struct hsrp_if *hif = hsrp_if_get(ifp);
	/* a keyword left out goes back to its default */
	hif->delay_min = cli_has(a, "min") ? (unsigned)cli_arg_num(a, "min")
					   : HSRP_DEF_DELAY_MIN;
	hif->delay_reload = cli_has(a, "rel") ? (unsigned)cli_arg_num(a, "rel")
					      : HSRP_DEF_DELAY_RELOAD;
	hsrp_if_changed(hif);
	hsrp_if_gc(hif);
	return CLI_OK;
}

/* The virtual MACs of every group follow the use-bia setting. */
static void use_bia_changed(struct hsrp_if *hif)
{
	hsrp_if_changed(hif);
	for (struct hsrp_group *g = hif->groups; g; g = g->next)
		hsrp_group_changed(g);
}

DEFUN(standby_use_bia, "[no] standby use-bia [scope interface]",
      H_STANDBY
      "HSRP uses interface's burned in address\n"
      "Specify the scope of use-bia\n"
      "Use-bia applies to all groups on this interface\n")
{
	CLI_CONTEXT(struct iface, ifp);
	struct hsrp_if *hif;
	if (cli_is_no(a)) {
		/* "no standby use-bia", with or without the scope, ends it */
		hif = hsrp_if_find(ifp);
		if (!hif || !hif->use_bia)
			return CLI_UNCHANGED;
		hif->use_bia = hif->use_bia_scope = false;
		use_bia_changed(hif);
		hsrp_if_gc(hif);
		return CLI_OK;
	}
	if (!lan_iface(cli, ifp))
		return CLI_ERR;
	hif = hsrp_if_get(ifp);
	hif->use_bia = true;
	hif->use_bia_scope = cli_has(a, "scope");
	use_bia_changed(hif);
	return CLI_OK;
}

/* ------------------------------------------------------------------ */
/* The running-config writer                                            */
/* ------------------------------------------------------------------ */

static void put_prefix(struct sbuf *out, const struct hsrp_group *g)
{
	if (g->num)
		sbuf_printf(out, " standby %u", g->num);
	else
		sbuf_puts(out, " standby");
}

static void put_time(struct sbuf *out, unsigned ms, bool msec)
{
	if (msec)
		sbuf_printf(out, " msec %u", ms);
	else
		sbuf_printf(out, " %u", ms / 1000);
}

static void write_auth(struct sbuf *out, const struct hsrp_group *g)
{
	if (g->auth == HSRP_AUTH_NONE)
		return;
	put_prefix(out, g);
	switch (g->auth) {
	case HSRP_AUTH_TEXT:
		sbuf_printf(out, " authentication text %s\n", g->auth_str);
		break;
	case HSRP_AUTH_MD5_KEYCHAIN:
		sbuf_printf(out, " authentication md5 key-chain %s\n",
			    g->auth_str);
		break;
	case HSRP_AUTH_MD5_KEYSTRING:
		sbuf_printf(out, " authentication md5 key-string %s%s",
			    g->key_encrypted ? "7 " : "", g->auth_str);
		if (g->auth_timeout_cfgd)
			sbuf_printf(out, " timeout %u", g->auth_timeout);
		sbuf_puts(out, "\n");
		break;
	case HSRP_AUTH_NONE:
		break;
	}
}

static void write_preempt(struct sbuf *out, const struct hsrp_group *g)
{
	if (!g->preempt)
		return;
	put_prefix(out, g);
	sbuf_puts(out, " preempt");
	if (g->preempt_min || g->preempt_reload || g->preempt_sync)
		sbuf_puts(out, " delay");
	if (g->preempt_min)
		sbuf_printf(out, " minimum %u", g->preempt_min);
	if (g->preempt_reload)
		sbuf_printf(out, " reload %u", g->preempt_reload);
	if (g->preempt_sync)
		sbuf_printf(out, " sync %u", g->preempt_sync);
	sbuf_puts(out, "\n");
}

static void write_ip(struct sbuf *out, const struct hsrp_group *g)
{
	char buf[16];
	if (!g->ip_enabled)
		return;
	if (g->vip || !g->nsecondary) {
		put_prefix(out, g);
		if (g->vip)
			sbuf_printf(out, " ip %s\n", ip_fmt(g->vip, buf));
		else
			sbuf_puts(out, " ip\n");
	}
	for (int i = 0; i < g->nsecondary; i++) {
		put_prefix(out, g);
		sbuf_printf(out, " ip %s secondary\n",
			    ip_fmt(g->secondary[i], buf));
	}
}

/* One group, in IOS's nvgen order: ip, timers, priority, preempt,
 * authentication, name, mac-address, track. */
static void write_group(struct sbuf *out, const struct hsrp_group *g)
{
	write_ip(out, g);
	if (g->timers_cfgd) {
		put_prefix(out, g);
		sbuf_puts(out, " timers");
		put_time(out, g->hello_ms, g->hello_msec);
		put_time(out, g->hold_ms, g->hold_msec);
		sbuf_puts(out, "\n");
	}
	if (g->priority_cfgd) {
		put_prefix(out, g);
		sbuf_printf(out, " priority %u\n", g->priority);
	}
	write_preempt(out, g);
	write_auth(out, g);
	if (g->name) {
		put_prefix(out, g);
		sbuf_printf(out, " name %s\n", g->name);
	}
	if (g->mac_cfgd) {
		put_prefix(out, g);
		sbuf_printf(out, " mac-address %02x%02x.%02x%02x.%02x%02x\n",
			    g->mac[0], g->mac[1], g->mac[2], g->mac[3],
			    g->mac[4], g->mac[5]);
	}
	for (const struct hsrp_track_ref *t = g->tracks; t; t = t->next) {
		put_prefix(out, g);
		if (t->is_object)
			sbuf_printf(out, " track %u", t->object);
		else
			sbuf_printf(out, " track %s", t->ifname);
		if (t->decrement_cfgd)
			sbuf_printf(out, " decrement %u", t->decrement);
		sbuf_puts(out, "\n");
	}
}

/* Interface-wide lines first (delay, use-bia, version: the version must
 * precede group numbers above 255 for the text to paste back), then the
 * groups in ascending order. */
static void standby_writer(struct sbuf *out, struct iface *ifp)
{
	const struct hsrp_if *hif = hsrp_if_find(ifp);
	if (!hif)
		return;
	if (hif->delay_min != HSRP_DEF_DELAY_MIN ||
	    hif->delay_reload != HSRP_DEF_DELAY_RELOAD) {
		sbuf_puts(out, " standby delay");
		if (hif->delay_min != HSRP_DEF_DELAY_MIN)
			sbuf_printf(out, " minimum %u", hif->delay_min);
		if (hif->delay_reload != HSRP_DEF_DELAY_RELOAD)
			sbuf_printf(out, " reload %u", hif->delay_reload);
		sbuf_puts(out, "\n");
	}
	if (hif->use_bia)
		sbuf_printf(out, " standby use-bia%s\n",
			    hif->use_bia_scope ? " scope interface" : "");
	if (hif->version == 2)
		sbuf_puts(out, " standby version 2\n");
	for (const struct hsrp_group *g = hif->groups; g; g = g->next)
		write_group(out, g);
}

/* ------------------------------------------------------------------ */

static const struct cli_command *const if_cmds[] = {
	&standby_ip_cmd,        &standby_name_cmd,
	&standby_priority_cmd,  &standby_preempt_cmd,
	&standby_timers_cmd,    &standby_track_cmd,
	&standby_auth_cmd,      &standby_mac_cmd,
	&no_standby_group_cmd,  &standby_version_cmd,
	&standby_delay_cmd,     &standby_use_bia_cmd,
};

void hsrp_cfg_init(void)
{
	for (size_t i = 0; i < sizeof if_cmds / sizeof if_cmds[0]; i++) {
		cli_install(MODE_IF, if_cmds[i]);
		cli_install(MODE_SUBIF, if_cmds[i]);
	}
	iface_register_writer(IFCFG_STANDBY, standby_writer);
}
