/* The HSRP configuration model: per-interface state (keyed by the
 * platform's struct iface), its groups, their names and states, and the
 * events other subsystems follow. The protocol engine plugs in through
 * hsrp_engine_register(); until one runs, every group stays in Init. */
#include "hsrp_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct hsrp_if *hsrp_ifs;      /* newest first */
static unsigned hsrp_if_seq;
static struct intmap vips;            /* virtual address -> its group */
static struct strmap watches;         /* tracked item -> struct group_set */
static struct strmap names;           /* group name -> struct group_set */

/* ---- sets of groups under a string key ------------------------------- */

/* The groups that share a name, or that track one item. */
struct group_set {
	char *key;
	struct hsrp_group **g;
	int n, cap;
};

static void set_add(struct strmap *m, const char *key, struct hsrp_group *g)
{
	struct group_set *w = strmap_get(m, key);
	if (!w) {
		w = xcalloc(1, sizeof *w);
		w->key = xstrdup(key);
		strmap_put(m, w->key, w);
	}
	if (w->n == w->cap) {
		w->cap = w->cap ? w->cap * 2 : 4;
		w->g = xrealloc(w->g, (size_t)w->cap * sizeof *w->g);
	}
	w->g[w->n++] = g;
}

static void set_free(struct group_set *w)
{
	free(w->key);
	free(w->g);
	free(w);
}

static void set_del(struct strmap *m, const char *key, struct hsrp_group *g)
{
	struct group_set *w = strmap_get(m, key);
	for (int i = 0; w && i < w->n; i++)
		if (w->g[i] == g) {
			w->g[i] = w->g[--w->n];
			break;
		}
	if (w && !w->n) {
		strmap_del(m, w->key);
		set_free(w);
	}
}

static void set_clear(struct strmap *m)
{
	for (size_t i = 0; i < m->cap; i++)
		if (m->slot[i].key)
			set_free(m->slot[i].val);
	strmap_clear(m);
}
static const struct hsrp_engine_ops *engine;
unsigned hsrp_debug;

static const char *const state_names[] = {
	[HSRP_INIT] = "Init",       [HSRP_LEARN] = "Learn",
	[HSRP_LISTEN] = "Listen",   [HSRP_SPEAK] = "Speak",
	[HSRP_STANDBY] = "Standby", [HSRP_ACTIVE] = "Active",
};

const char *hsrp_state_name(int state)
{
	if (state < HSRP_INIT || state > HSRP_ACTIVE)
		return "";
	return state_names[state];
}

void hsrp_engine_register(const struct hsrp_engine_ops *ops)
{
	engine = ops;
}

/* ------------------------------------------------------------------ */
/* Interfaces                                                           */
/* ------------------------------------------------------------------ */

struct hsrp_if *hsrp_if_find(const struct iface *ifp)
{
	return ifp ? iface_ext(ifp, IFEXT_HSRP) : NULL;
}

struct hsrp_if *hsrp_if_get(struct iface *ifp)
{
	struct hsrp_if *h = hsrp_if_find(ifp);
	if (h)
		return h;
	h = xcalloc(1, sizeof *h);
	h->ifp = ifp;
	h->version = 1;
	h->delay_min = HSRP_DEF_DELAY_MIN;
	h->delay_reload = HSRP_DEF_DELAY_RELOAD;
	h->seq = ++hsrp_if_seq;
	h->next = hsrp_ifs;
	if (hsrp_ifs)
		hsrp_ifs->prev = h;
	hsrp_ifs = h;
	iface_set_ext(ifp, IFEXT_HSRP, h);
	return h;
}

unsigned hsrp_max_group(const struct hsrp_if *hif)
{
	return hif && hif->version == 2 ? HSRP_V2_MAX_GROUP : HSRP_V1_MAX_GROUP;
}

void hsrp_if_changed(struct hsrp_if *hif)
{
	if (engine && engine->iface_changed)
		engine->iface_changed(hif);
}

static void hif_unlink_free(struct hsrp_if *hif)
{
	if (engine && engine->iface_removed)
		engine->iface_removed(hif);
	iface_set_ext(hif->ifp, IFEXT_HSRP, NULL);
	if (hif->prev)
		hif->prev->next = hif->next;
	else
		hsrp_ifs = hif->next;
	if (hif->next)
		hif->next->prev = hif->prev;
	free(hif);
}

void hsrp_if_gc(struct hsrp_if *hif)
{
	if (hif->groups || hif->version != 1 || hif->use_bia ||
	    hif->delay_min != HSRP_DEF_DELAY_MIN ||
	    hif->delay_reload != HSRP_DEF_DELAY_RELOAD)
		return;
	hif_unlink_free(hif);
}

/* ------------------------------------------------------------------ */
/* Names and events                                                     */
/* ------------------------------------------------------------------ */

const char *hsrp_group_name(const struct hsrp_group *g)
{
	return g->name ? g->name : g->def_name;
}

static void publish_name(struct hsrp_group *g, bool appears)
{
	if (appears)
		set_add(&names, hsrp_group_name(g), g);
	else
		set_del(&names, hsrp_group_name(g), g);
	struct hsrp_event ev = {
		.ifname = iface_name(g->hif->ifp),
		.group = g->num,
		.name = hsrp_group_name(g),
		.old_state = appears ? HSRP_STATE_NONE : (int)g->state,
		.new_state = appears ? (int)g->state : HSRP_STATE_NONE,
	};
	core_publish(EVT_HSRP_GROUP_NAME, &ev);
}

void hsrp_group_set_name(struct hsrp_group *g, const char *name)
{
	if (!name ? !g->name : g->name && !strcmp(g->name, name))
		return;
	publish_name(g, false);
	xstrset(&g->name, name);
	publish_name(g, true);
}

/* Interfaces in the platform's order (the order show running-config
 * prints them), then group numbers, so the answer survives a reload. */
static bool group_before(const struct hsrp_group *a,
			 const struct hsrp_group *b)
{
	int c = iface_order_cmp(a->hif->ifp, b->hif->ifp);
	return c ? c < 0 : a->num < b->num;
}

struct hsrp_group *hsrp_group_by_name(const char *name)
{
	struct group_set *s = strmap_get(&names, name);
	if (!s)
		return NULL;
	struct hsrp_group *best = s->g[0];
	for (int i = 1; i < s->n; i++)
		if (group_before(s->g[i], best))
			best = s->g[i];
	return best;
}

bool hsrp_group_lookup(const char *name, struct hsrp_group_info *out)
{
	struct hsrp_group *g = hsrp_group_by_name(name);
	if (!g)
		return false;
	memset(out, 0, sizeof *out);
	snprintf(out->ifname, sizeof out->ifname, "%s", iface_name(g->hif->ifp));
	out->group = g->num;
	out->state = g->state;
	out->vip = hsrp_group_vip(g);
	return true;
}

void hsrp_group_set_state(struct hsrp_group *g, enum hsrp_state st)
{
	if (st == g->state)
		return;
	enum hsrp_state old = g->state;
	g->state = st;
	g->state_changes++;
	g->last_change = core_uptime();
	if (hsrp_debug & HSRP_DBG_EVENTS)
		log_debug("HSRP: %s Grp %u %s -> %s",
			  iface_short_name(g->hif->ifp), g->num,
			  hsrp_state_name((int)old), hsrp_state_name((int)st));
	log_ios("HSRP-5-STATECHANGE", "%s Grp %u state %s -> %s",
		iface_name(g->hif->ifp), g->num, hsrp_state_name((int)old),
		hsrp_state_name((int)st));
	struct hsrp_event ev = {
		.ifname = iface_name(g->hif->ifp),
		.group = g->num,
		.name = hsrp_group_name(g),
		.old_state = (int)old,
		.new_state = (int)st,
	};
	core_publish(EVT_HSRP_GROUP_STATE, &ev);
}

void hsrp_group_changed(struct hsrp_group *g)
{
	if (engine && engine->group_changed)
		engine->group_changed(g);
}

/* ------------------------------------------------------------------ */
/* Groups                                                               */
/* ------------------------------------------------------------------ */

struct hsrp_group *hsrp_group_find(const struct hsrp_if *hif, unsigned num)
{
	if (!hif)
		return NULL;
	for (struct hsrp_group *g = hif->groups; g; g = g->next)
		if (g->num == num)
			return g;
	return NULL;
}

struct hsrp_group *hsrp_group_get(struct hsrp_if *hif, unsigned num)
{
	struct hsrp_group *g = hsrp_group_find(hif, num);
	if (g)
		return g;
	g = xcalloc(1, sizeof *g);
	g->hif = hif;
	g->num = num;
	g->priority = HSRP_DEF_PRIORITY;
	g->hello_ms = HSRP_DEF_HELLO_MS;
	g->hold_ms = HSRP_DEF_HOLD_MS;
	g->state = HSRP_INIT;
	snprintf(g->def_name, sizeof g->def_name, "hsrp-%s-%u",
		 iface_short_name(hif->ifp), num);
	/* groups are kept in ascending order, as show commands list them */
	struct hsrp_group **pp = &hif->groups;
	while (*pp && (*pp)->num < num)
		pp = &(*pp)->next;
	g->next = *pp;
	*pp = g;
	publish_name(g, true);
	if (engine && engine->group_added)
		engine->group_added(g);
	return g;
}

static void group_free(struct hsrp_group *g)
{
	while (g->tracks) {
		struct hsrp_track_ref *t = g->tracks;
		g->tracks = t->next;
		hsrp_track_ref_free(g, t);
	}
	if (g->vip)
		hsrp_vip_release(g->vip);
	for (int i = 0; i < g->nsecondary; i++)
		hsrp_vip_release(g->secondary[i]);
	free(g->secondary);
	free(g->auth_str);
	free(g->name);
	free(g);
}

static void group_unlink(struct hsrp_group *g)
{
	for (struct hsrp_group **pp = &g->hif->groups; *pp; pp = &(*pp)->next)
		if (*pp == g) {
			*pp = g->next;
			return;
		}
}

void hsrp_group_delete(struct hsrp_group *g)
{
	/* a group that goes away while running says so first, as IOS does
	 * ("Grp 1 state Active -> Init") */
	hsrp_group_set_state(g, HSRP_INIT);
	if (engine && engine->group_removed)
		engine->group_removed(g);
	publish_name(g, false);
	group_unlink(g);
	group_free(g);
}

static bool group_has_config(const struct hsrp_group *g)
{
	return g->ip_enabled || g->priority_cfgd || g->preempt ||
	       g->timers_cfgd || g->auth != HSRP_AUTH_NONE || g->name ||
	       g->mac_cfgd || g->tracks;
}

void hsrp_group_gc(struct hsrp_group *g)
{
	if (!group_has_config(g))
		hsrp_group_delete(g);
}

/* ------------------------------------------------------------------ */
/* Derived values                                                       */
/* ------------------------------------------------------------------ */

uint32_t hsrp_group_vip(const struct hsrp_group *g)
{
	return g->vip ? g->vip : g->learned_vip;
}

bool hsrp_group_vip_ok(const struct hsrp_group *g)
{
	return !g->vip || iface_on_subnet(g->hif->ifp, g->vip);
}

bool hsrp_track_ref_up(const struct hsrp_track_ref *t, bool *known)
{
	bool up = false;
	if (t->is_object) {
		*known = track_object_state(t->object, &up);
		return *known && up;
	}
	*known = true;
	struct iface *ifp = iface_find(t->ifname);
	return ifp && iface_line_up(ifp);
}

unsigned hsrp_group_priority(const struct hsrp_group *g)
{
	int p = (int)g->priority;
	for (const struct hsrp_track_ref *t = g->tracks; t; t = t->next) {
		bool known;
		/* an undefined object does not lower the priority */
		if (!hsrp_track_ref_up(t, &known) && known)
			p -= (int)t->decrement;
	}
	return p < 0 ? 0 : (unsigned)p;
}

void hsrp_group_mac(const struct hsrp_group *g, uint8_t mac[6])
{
	if (g->mac_cfgd) {
		memcpy(mac, g->mac, 6);
		return;
	}
	if (g->hif->use_bia) {
		iface_get_mac(g->hif->ifp, mac);
		return;
	}
	mac[0] = 0x00;
	mac[1] = 0x00;
	mac[2] = 0x0c;
	if (g->hif->version == 2) {          /* 0000.0c9f.fXXX */
		mac[3] = 0x9f;
		mac[4] = (uint8_t)(0xf0 | ((g->num >> 8) & 0x0f));
		mac[5] = (uint8_t)(g->num & 0xff);
	} else {                             /* 0000.0c07.acXX */
		mac[3] = 0x07;
		mac[4] = 0xac;
		mac[5] = (uint8_t)(g->num & 0xff);
	}
}

/* ------------------------------------------------------------------ */
/* Events from the platform and from track.c                            */
/* ------------------------------------------------------------------ */

/* ---- virtual addresses ---------------------------------------------- */

struct hsrp_group *hsrp_vip_owner(uint32_t vip)
{
	return intmap_get(&vips, vip);
}

struct hsrp_if *hsrp_if_list(void)
{
	return hsrp_ifs;
}

bool hsrp_is_virtual_ip(uint32_t addr)
{
	return addr && hsrp_vip_owner(addr) != NULL;
}

void hsrp_vip_claim(struct hsrp_group *g, uint32_t vip)
{
	intmap_put(&vips, vip, g);
}

void hsrp_vip_release(uint32_t vip)
{
	intmap_del(&vips, vip);
}

/* ---- who tracks what --------------------------------------------------- */

/* A tracking line's key in the watch index: an interface's canonical
 * name, or "#N" for object N (interface names never start with '#'). */
static const char *watch_key(const struct hsrp_track_ref *t, char *buf,
			     size_t n)
{
	if (!t->is_object)
		return t->ifname;
	snprintf(buf, n, "#%u", t->object);
	return buf;
}

void hsrp_track_ref_watch(struct hsrp_group *g, struct hsrp_track_ref *t)
{
	char buf[16];
	set_add(&watches, watch_key(t, buf, sizeof buf), g);
}

void hsrp_track_ref_free(struct hsrp_group *g, struct hsrp_track_ref *t)
{
	char buf[16];
	set_del(&watches, watch_key(t, buf, sizeof buf), g);
	free(t);
}

/* The order of the former walk over every group: interfaces newest
 * first, groups ascending (the order their log lines come in). */
static int watcher_cmp(const void *x, const void *y)
{
	const struct hsrp_group *a = *(struct hsrp_group *const *)x;
	const struct hsrp_group *b = *(struct hsrp_group *const *)y;
	if (a->hif->seq != b->hif->seq)
		return a->hif->seq > b->hif->seq ? -1 : 1;
	return a->num < b->num ? -1 : a->num > b->num;
}

/* Tell the groups watching KEY, and OWN (the interface's own HSRP
 * state, may be NULL) in its place among them. */
static void notify_watchers(const char *key, struct hsrp_if *own)
{
	struct group_set *w = strmap_get(&watches, key);
	int n = w ? w->n : 0;
	struct hsrp_group **v = NULL;
	if (n) {
		/* a copy: an engine callback may change the tracking */
		v = xmalloc((size_t)n * sizeof *v);
		memcpy(v, w->g, (size_t)n * sizeof *v);
		qsort(v, (size_t)n, sizeof *v, watcher_cmp);
	}
	for (int i = 0; i < n; i++) {
		if (own && v[i]->hif->seq <= own->seq) {
			hsrp_if_changed(own);
			own = NULL;
		}
		hsrp_group_changed(v[i]);
	}
	if (own)
		hsrp_if_changed(own);
	free(v);
}

/* An interface changed state or address: its own groups' engine and
 * every group that tracks its line protocol must know. */
static void on_iface_change(enum core_event ev, void *data, void *ctx)
{
	struct iface *ifp = data;
	notify_watchers(iface_name(ifp), hsrp_if_find(ifp));
}

void hsrp_track_object_changed(unsigned id)
{
	char key[16];
	snprintf(key, sizeof key, "#%u", id);
	notify_watchers(key, NULL);
}

static void hif_drop(struct hsrp_if *hif)
{
	while (hif->groups)
		hsrp_group_delete(hif->groups);
	hif_unlink_free(hif);
}

static void on_iface_removed(enum core_event ev, void *data, void *ctx)
{
	struct hsrp_if *hif = hsrp_if_find(data);
	if (hif)
		hif_drop(hif);
	on_iface_change(ev, data, ctx);
}

/* ------------------------------------------------------------------ */
/* Reset (reload) and init                                              */
/* ------------------------------------------------------------------ */

/* Back to a fresh router: no groups, no debugging. Quietly: the whole
 * router is being rebuilt, nobody needs to hear each group go. */
void hsrp_model_reset(void)
{
	while (hsrp_ifs) {
		struct hsrp_if *hif = hsrp_ifs;
		while (hif->groups) {
			struct hsrp_group *g = hif->groups;
			if (engine && engine->group_removed)
				engine->group_removed(g);
			hif->groups = g->next;
			group_free(g);
		}
		hif_unlink_free(hif);
	}
	hsrp_if_seq = 0;
	set_clear(&names);      /* the groups went without a word */
	hsrp_debug = 0;
}

static void hsrp_reset(void)
{
	hsrp_model_reset();
	track_reset();
}

static const struct subsys hsrp_subsys = {
	.name = "hsrp",
	.reset = hsrp_reset,
};

void hsrp_init(void)
{
	core_register_subsys(&hsrp_subsys);
	core_subscribe(EVT_IFACE_REMOVED, on_iface_removed, NULL);
	core_subscribe(EVT_IFACE_STATE, on_iface_change, NULL);
	core_subscribe(EVT_IFACE_ADDR, on_iface_change, NULL);
	core_subscribe(EVT_IFACE_ADDED, on_iface_change, NULL);
	hsrp_cfg_init();
	hsrp_show_init();
	track_init();
	core_register_debug(hsrp_debug_show, hsrp_debug_off);
	hsrp_fsm_init();
	hsrp_io_init();
}
