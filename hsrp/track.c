/* Object tracking: "track N interface IFNAME line-protocol|ip routing"
 * with "delay up|down" in (config-track), the objects' states, and the
 * running-config section. HSRP groups follow objects with
 * "standby N track N [decrement D]". */
#include "hsrp_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct track_obj {
	unsigned id;
	bool routing;               /* "ip routing" rather than line-protocol */
	char ifname[64];
	bool delay_up_cfgd, delay_down_cfgd;
	unsigned delay_up, delay_down;
	bool up;                    /* the state clients see */
	ev_timer timer;             /* a delayed change in progress */
	bool pending;
	struct track_obj *next;     /* ascending id */
};

static struct track_obj *tracks;

static struct track_obj *track_find(unsigned id)
{
	for (struct track_obj *t = tracks; t; t = t->next)
		if (t->id == id)
			return t;
	return NULL;
}

bool track_object_state(unsigned id, bool *up)
{
	struct track_obj *t = track_find(id);
	if (!t)
		return false;
	*up = t->up;
	return true;
}

/* What the tracked interface says right now. */
static bool track_measure(const struct track_obj *t)
{
	struct iface *ifp = iface_find(t->ifname);
	if (!ifp || !iface_line_up(ifp))
		return false;
	return !t->routing || iface_addr(ifp) != 0;
}

static void track_apply(struct track_obj *t, bool up)
{
	if (t->up == up)
		return;
	t->up = up;
	char sh[64];
	cli_ifname_short(t->ifname, sh, sizeof sh);
	log_ios("TRACKING-5-STATE", "%u interface %s %s %s->%s", t->id, sh,
		t->routing ? "ip routing" : "line-protocol",
		up ? "Down" : "Up", up ? "Up" : "Down");
	hsrp_track_object_changed(t->id);
}

static void on_delay(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct track_obj *t = w->data;
	t->pending = false;
	track_apply(t, track_measure(t));
}

static void track_stop_timer(struct track_obj *t)
{
	if (t->pending)
		ev_timer_stop(core_loop, &t->timer);
	t->pending = false;
}

/* Re-read the interface; a change waits for its configured delay, and a
 * change that reverts before the delay ends is never seen. */
static void track_eval(struct track_obj *t)
{
	bool now = track_measure(t);
	if (now == t->up) {
		track_stop_timer(t);
		return;
	}
	if (t->pending)
		return;
	unsigned delay = now ? t->delay_up : t->delay_down;
	if (!delay) {
		track_apply(t, now);
		return;
	}
	ev_timer_init(&t->timer, on_delay, (double)delay, 0.0);
	t->timer.data = t;
	ev_timer_start(core_loop, &t->timer);
	t->pending = true;
}

static void on_iface_event(enum core_event ev, void *data, void *ctx)
{
	for (struct track_obj *t = tracks; t; t = t->next)
		track_eval(t);
}

/* The interface still exists while this is delivered: its objects go
 * down now, whatever their delays. */
static void on_iface_removed(enum core_event ev, void *data, void *ctx)
{
	for (struct track_obj *t = tracks; t; t = t->next)
		if (!strcmp(t->ifname, iface_name(data))) {
			track_stop_timer(t);
			track_apply(t, false);
		}
}

static void track_free(struct track_obj *t)
{
	track_stop_timer(t);
	cli_obj_release(t);
	free(t);
}

/* ------------------------------------------------------------------ */
/* Commands                                                             */
/* ------------------------------------------------------------------ */

/* "no track N [...]": the object goes, whatever definition follows. */
static int track_remove(unsigned id)
{
	for (struct track_obj **pp = &tracks; *pp; pp = &(*pp)->next)
		if ((*pp)->id == id) {
			struct track_obj *t = *pp;
			*pp = t->next;
			track_free(t);
			hsrp_track_object_changed(id);
			return CLI_OK;
		}
	return CLI_UNCHANGED;
}

DEFUN(track_iface,
      "[no] track <1-1000>$id ?[interface IFNAME$if (line-protocol|ip routing)]",
      "Object tracking configuration commands\n"
      "Tracked object\n"
      "Select an interface to track\n"
      "Interface name\n"
      "Track interface line-protocol\n"
      "IP parameters\n"
      "Track interface IP routing capability\n")
{
	unsigned id = (unsigned)cli_arg_num(a, "id");
	if (cli_is_no(a))
		return track_remove(id);
	struct track_obj *t = track_find(id);
	/* the same definition typed again changes no configuration */
	bool same = t && t->routing == cli_has(a, "routing") &&
		    !strcmp(t->ifname, cli_arg(a, "if"));
	if (!t) {
		t = xcalloc(1, sizeof *t);
		CLI_OBJ_REGISTER(t, struct track_obj);
		t->id = id;
		struct track_obj **pp = &tracks;
		while (*pp && (*pp)->id < id)
			pp = &(*pp)->next;
		t->next = *pp;
		*pp = t;
	} else {
		track_stop_timer(t);
	}
	t->routing = cli_has(a, "routing");
	snprintf(t->ifname, sizeof t->ifname, "%s", cli_arg(a, "if"));
	/* a new definition starts from what the interface says now */
	t->up = track_measure(t);
	hsrp_track_object_changed(id);
	cli_enter(cli, MODE_TRACK, t);
	return same ? CLI_UNCHANGED : CLI_OK;
}

/* "no delay" removes both delays, "no delay up" that one only. */
static int track_delay_reset(struct track_obj *t, const struct cli_args *a)
{
	bool some = cli_has(a, "up") || cli_has(a, "down");
	bool up = !some || cli_has(a, "up"), down = !some || cli_has(a, "down");
	if (!(up && t->delay_up_cfgd) && !(down && t->delay_down_cfgd))
		return CLI_UNCHANGED;
	if (up) {
		t->delay_up_cfgd = false;
		t->delay_up = 0;
	}
	if (down) {
		t->delay_down_cfgd = false;
		t->delay_down = 0;
	}
	return CLI_OK;
}

DEFUN(track_delay, "[no] delay ?[{up ?[<0-180>$up]|down ?[<0-180>$down]}]",
      "Tracking delay\n"
      "Delay up change notification\n"
      "Seconds to delay\n"
      "Delay down change notification\n"
      "Seconds to delay\n")
{
	CLI_CONTEXT(struct track_obj, t);
	if (cli_is_no(a))
		return track_delay_reset(t, a);
	t->delay_up_cfgd = cli_has(a, "up");
	t->delay_up = (unsigned)cli_arg_num(a, "up");
	t->delay_down_cfgd = cli_has(a, "down");
	t->delay_down = (unsigned)cli_arg_num(a, "down");
	return CLI_OK;
}

/* ------------------------------------------------------------------ */
/* Running config, reset, init                                          */
/* ------------------------------------------------------------------ */

static void track_write(struct sbuf *out)
{
	for (const struct track_obj *t = tracks; t; t = t->next) {
		sbuf_printf(out, "track %u interface %s %s\n", t->id, t->ifname,
			    t->routing ? "ip routing" : "line-protocol");
		if (t->delay_up_cfgd || t->delay_down_cfgd) {
			sbuf_puts(out, " delay");
			if (t->delay_up_cfgd)
				sbuf_printf(out, " up %u", t->delay_up);
			if (t->delay_down_cfgd)
				sbuf_printf(out, " down %u", t->delay_down);
			sbuf_puts(out, "\n");
		}
		sbuf_puts(out, "!\n");
	}
}

void track_reset(void)
{
	while (tracks) {
		struct track_obj *t = tracks;
		tracks = t->next;
		track_free(t);
	}
}

void track_init(void)
{
	cli_install(MODE_CONFIG, &track_iface_cmd);
	cli_install(MODE_TRACK, &track_delay_cmd);
	cfg_register_writer(CFG_TRACK, track_write);
	core_subscribe(EVT_IFACE_STATE, on_iface_event, NULL);
	core_subscribe(EVT_IFACE_ADDR, on_iface_event, NULL);
	core_subscribe(EVT_IFACE_ADDED, on_iface_event, NULL);
	core_subscribe(EVT_IFACE_REMOVED, on_iface_removed, NULL);
}
