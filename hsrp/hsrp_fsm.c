/* The HSRP protocol engine: the state machine of RFC 2281 §6 as IOS runs
 * it (Init, Learn, Listen, Speak, Standby, Active), its three timers per
 * group (hello, active, standby) plus the preemption delay, the
 * interface's initialisation delay (standby delay minimum/reload), the
 * receive path with its validation and drop counters, and the ownership
 * of the virtual address while Active.
 *
 * Event letters in the debug lines are the RFC's: a enabled, b disabled,
 * c active timer, d standby timer, e hello timer, f hello from a better
 * Speak router, g/h hello from a higher/lower Active router, i resign,
 * j coup, k/l hello from a higher/lower Standby router.
 *
 * Two deliberate readings of the RFC, both IOS's:
 *  - a router whose Active timer ran out while it was Speak enters
 *    Standby and at once Active (a lone router logs Speak -> Standby,
 *    Standby -> Active), and a group with no virtual IP (`standby 1 ip`,
 *    seed 004) leaves Learn when no Active router speaks up;
 *  - preemption needs a strictly higher priority; the address breaks
 *    ties only in elections. */
#include "hsrp_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct gstate {
	struct hsrp_group *g;
	ev_timer t[4];              /* enum hsrp_timer */
	/* what is installed in the data plane while Active */
	bool installed;
	uint8_t inst_mac[6];
	uint32_t inst_vip;
	uint32_t *inst_sec;
	int ninst_sec;
	double up_since;            /* left Init (preemption delay) */
	bool after_reload;          /* first time up since the router started */
	double sync_until;          /* preemption waits for IP redundancy
				     * clients until then (0: not waiting) */
	bool came_up;
	unsigned hello_ms, hold_ms; /* the times the running timers used */
};

struct ifstate {
	struct hsrp_if *hif;
	ev_timer delay;             /* standby delay minimum/reload */
	bool delaying, ready, was_ready;
	unsigned version;           /* the version the groups run */
	uint32_t joined;            /* multicast group joined, host order */
	struct hsrp_counters cnt;
};

static const struct hsrp_io *io;
static struct hsrp_counters global_cnt;

void hsrp_io_set(const struct hsrp_io *ops)
{
	io = ops;
}

static struct gstate *GS(const struct hsrp_group *g) { return g->engine; }

static const char *ifs_name(const struct hsrp_group *g)
{
	return iface_short_name(g->hif->ifp);
}

static const char *st(const struct hsrp_group *g)
{
	return hsrp_state_name((int)g->state);
}

/* ------------------------------------------------------------------ */
/* Timers                                                               */
/* ------------------------------------------------------------------ */

unsigned hsrp_fsm_hello_ms(const struct hsrp_group *g)
{
	if (!g->timers_cfgd && g->learned_hello_ms)
		return g->learned_hello_ms;
	return g->hello_ms;
}

unsigned hsrp_fsm_hold_ms(const struct hsrp_group *g)
{
	if (!g->timers_cfgd && g->learned_hold_ms)
		return g->learned_hold_ms;
	return g->hold_ms;
}

static void timer_start(struct hsrp_group *g, enum hsrp_timer t, unsigned ms)
{
	ev_timer *w = &GS(g)->t[t];
	ev_timer_stop(core_loop, w);
	ev_timer_set(w, ms / 1000.0, 0.0);
	ev_timer_start(core_loop, w);
}

static void timer_stop(struct hsrp_group *g, enum hsrp_timer t)
{
	ev_timer_stop(core_loop, &GS(g)->t[t]);
}

static bool timer_running(const struct hsrp_group *g, enum hsrp_timer t)
{
	return ev_is_active(&GS(g)->t[t]);
}

double hsrp_fsm_remaining(const struct hsrp_group *g, enum hsrp_timer t)
{
	if (!GS(g) || !timer_running(g, t))
		return -1;
	return ev_timer_remaining(core_loop, (ev_timer *)&GS(g)->t[t]);
}

/* ------------------------------------------------------------------ */
/* Sending                                                              */
/* ------------------------------------------------------------------ */

static const char *const op_names[] = { "Hello", "Coup", "Resign", "Adv" };

/* IOS's packet debug line:
 * "HSRP: Fa0/0 Grp 1 Hello  out 10.0.0.1 Active  pri 100 vIP 10.0.0.3" */
static void debug_packet(const struct hsrp_group *g, const struct hsrp_msg *m,
			 bool out, uint32_t ip)
{
	if (!(hsrp_debug & HSRP_DBG_PACKETS))
		return;
	if ((hsrp_debug & HSRP_DBG_TERSE) && m->opcode == HSRP_OP_HELLO)
		return;
	char a[16], v[16];
	log_debug("HSRP: %s Grp %u %-6s %-3s %s %-7s pri %u vIP %s",
		  iface_short_name(g->hif->ifp), g->num,
		  op_names[m->opcode & 3], out ? "out" : "in", ip_fmt(ip, a),
		  hsrp_state_name((int)m->state), m->priority,
		  m->vip ? ip_fmt(m->vip, v) : "unknown");
}

/* The group's authentication to send with, with a type 7 key-string
 * decoded and a key chain's current send key looked up into KC. False
 * when there is nothing to sign with (no valid send key): the group then
 * stays silent, as IOS does. */
static bool auth_cfg(const struct hsrp_group *g, struct hsrp_auth_cfg *a,
		     char *buf, size_t n, struct keychain_key *kc)
{
	a->md5 = false;
	a->key = HSRP_DEF_AUTH;
	a->key_id = 0;
	switch (g->auth) {
	case HSRP_AUTH_NONE:
		return true;
	case HSRP_AUTH_TEXT:
		a->key = g->auth_str;
		return true;
	case HSRP_AUTH_MD5_KEYSTRING:
		a->md5 = true;
		a->key = g->auth_str;
		if (g->key_encrypted) {
			if (!pw7_decode(g->auth_str, buf, n))
				return false;
			a->key = buf;
		}
		return true;
	case HSRP_AUTH_MD5_KEYCHAIN:
		if (!keychain_send_key(g->auth_str, core_clock_local(), kc))
			return false;
		a->md5 = true;
		a->key = kc->secret;
		a->key_id = kc->id;
		return true;
	}
	return false;
}

/* Does the received packet M (raw B, LEN) authenticate for G? With a key
 * chain: the key the packet's key id names, when that key is acceptable
 * now; otherwise any acceptable key (a key-string peer sends id 0). */
#define HSRP_KC_MAX 16
static bool auth_rx_ok(const struct hsrp_group *g, const uint8_t *b,
		       size_t len, const struct hsrp_msg *m)
{
	struct hsrp_auth_cfg a;
	if (g->auth != HSRP_AUTH_MD5_KEYCHAIN) {
		char key[256];
		struct keychain_key kc;
		return auth_cfg(g, &a, key, sizeof key, &kc) &&
		       hsrp_pkt_auth_ok(b, len, m, &a);
	}
	struct keychain_key keys[HSRP_KC_MAX];
	int n = keychain_accept_keys(g->auth_str, core_clock_local(), keys,
				     HSRP_KC_MAX);
	if (n > HSRP_KC_MAX)
		n = HSRP_KC_MAX;
	a.md5 = true;
	for (int i = 0; i < n; i++)
		if (m->auth == HSRP_MSG_AUTH_MD5 && keys[i].id == m->md5_keyid) {
			a.key = keys[i].secret;
			a.key_id = keys[i].id;
			return hsrp_pkt_auth_ok(b, len, m, &a);
		}
	for (int i = 0; i < n; i++) {
		a.key = keys[i].secret;
		a.key_id = keys[i].id;
		if (hsrp_pkt_auth_ok(b, len, m, &a))
			return true;
	}
	return false;
}

static uint32_t group_addr(const struct hsrp_if *hif)
{
	return htonl(hif->version == 2 ? HSRP_V2_GROUP_ADDR : HSRP_V1_GROUP_ADDR);
}

static struct ifstate *IFS(const struct hsrp_if *hif) { return hif->engine; }

static void send_msg(struct hsrp_group *g, unsigned opcode, enum hsrp_state s)
{
	struct hsrp_if *hif = g->hif;
	struct hsrp_msg m = {
		.version = hif->version,
		.opcode = opcode,
		.state = s,
		.hello_ms = hsrp_fsm_hello_ms(g),
		.hold_ms = hsrp_fsm_hold_ms(g),
		.priority = hsrp_group_priority(g),
		.group = g->num,
		.vip = hsrp_group_vip(g),
	};
	iface_get_mac(hif->ifp, m.ident);
	struct hsrp_auth_cfg a;
	char key[256];
	struct keychain_key kc;
	uint8_t buf[HSRP_PKT_MAX];
	uint32_t src = iface_addr(hif->ifp);
	if (!auth_cfg(g, &a, key, sizeof key, &kc))
		return;
	size_t len = hsrp_pkt_encode(&m, &a, src, buf, sizeof buf);
	if (!len)
		return;
	debug_packet(g, &m, true, src);
	/* the Active router's packets come from the virtual MAC, so the
	 * switches learn where it lives */
	uint8_t vmac[6];
	hsrp_group_mac(g, vmac);
	const uint8_t *smac = s == HSRP_ACTIVE ? vmac : NULL;
	if (io && io->send &&
	    io->send(hif->ifp, smac, group_addr(hif), buf, len) == 0)
		IFS(hif)->cnt.tx++;
}

/* ------------------------------------------------------------------ */
/* The virtual address, owned while Active                              */
/* ------------------------------------------------------------------ */

static void uninstall(struct hsrp_group *g)
{
	struct gstate *gs = GS(g);
	struct iface *ifp = g->hif->ifp;
	if (!gs->installed)
		return;
	if (io) {
		if (gs->inst_vip && io->vaddr_del)
			io->vaddr_del(ifp, gs->inst_vip);
		for (int i = 0; i < gs->ninst_sec && io->vaddr_del; i++)
			io->vaddr_del(ifp, gs->inst_sec[i]);
		if (io->mac_del)
			io->mac_del(ifp, gs->inst_mac);
	}
	free(gs->inst_sec);
	gs->inst_sec = NULL;
	gs->ninst_sec = 0;
	gs->inst_vip = 0;
	gs->installed = false;
}

/* Answer ARP for the virtual addresses with the virtual MAC, receive on
 * it, and announce it (ip_vaddr_add sends the gratuitous ARP). */
static void install(struct hsrp_group *g)
{
	struct gstate *gs = GS(g);
	struct iface *ifp = g->hif->ifp;
	uninstall(g);
	hsrp_group_mac(g, gs->inst_mac);
	gs->installed = true;
	gs->inst_vip = hsrp_group_vip(g);
	if (g->nsecondary) {
		gs->inst_sec = xcalloc((size_t)g->nsecondary, sizeof *gs->inst_sec);
		memcpy(gs->inst_sec, g->secondary,
		       (size_t)g->nsecondary * sizeof *gs->inst_sec);
		gs->ninst_sec = g->nsecondary;
	}
	if (!io)
		return;
	if (io->mac_add)
		io->mac_add(ifp, gs->inst_mac);
	if (gs->inst_vip && io->vaddr_add)
		io->vaddr_add(ifp, gs->inst_vip, gs->inst_mac);
	for (int i = 0; i < gs->ninst_sec && io->vaddr_add; i++)
		io->vaddr_add(ifp, gs->inst_sec[i], gs->inst_mac);
}

/* The configuration changed while Active: install anew if what is
 * installed is not what is configured. */
static void reinstall_if_changed(struct hsrp_group *g)
{
	struct gstate *gs = GS(g);
	uint8_t mac[6];
	hsrp_group_mac(g, mac);
	bool same = gs->installed && gs->inst_vip == hsrp_group_vip(g) &&
		    !memcmp(mac, gs->inst_mac, 6) &&
		    gs->ninst_sec == g->nsecondary &&
		    (!g->nsecondary ||
		     !memcmp(gs->inst_sec, g->secondary,
			     (size_t)g->nsecondary * sizeof *g->secondary));
	if (!same)
		install(g);
}

/* ------------------------------------------------------------------ */
/* Peers                                                                */
/* ------------------------------------------------------------------ */

/* Election order: priority, then the higher interface address. */
static bool better(unsigned pa, uint32_t ia, unsigned pb, uint32_t ib)
{
	if (pa != pb)
		return pa > pb;
	return ntohl(ia) > ntohl(ib);
}

static void debug_router(const struct hsrp_group *g, const char *role,
			 uint32_t now, uint32_t was, bool now_local,
			 bool was_local)
{
	if (!(hsrp_debug & HSRP_DBG_EVENTS))
		return;
	char a[16], b[16];
	log_debug("HSRP: %s Grp %u %s router is %s, was %s", ifs_name(g),
		  g->num, role,
		  now_local ? "local" : now ? ip_fmt(now, a) : "unknown",
		  was_local ? "local" : was ? ip_fmt(was, b) : "unknown");
}

static void set_active_peer(struct hsrp_group *g, uint32_t ip, unsigned pri,
			    const uint8_t *mac)
{
	if (g->active_ip != ip)
		debug_router(g, "Active", ip, g->active_ip, false,
			     g->state == HSRP_ACTIVE);
	g->active_ip = ip;
	g->active_pri = pri;
	g->active_mac_known = mac != NULL;
	if (mac)
		memcpy(g->active_mac, mac, 6);
}

static void set_standby_peer(struct hsrp_group *g, uint32_t ip, unsigned pri)
{
	if (g->standby_ip != ip)
		debug_router(g, "Standby", ip, g->standby_ip, false,
			     g->state == HSRP_STANDBY);
	g->standby_ip = ip;
	g->standby_pri = pri;
}

/* E: learn the virtual IP and the timers from the Active router's
 * (authenticated) hello, where they are not configured. Sub-second
 * timers are never learned. */
static void learn(struct hsrp_group *g, const struct hsrp_msg *m)
{
	if (!g->vip && m->vip && m->vip != g->learned_vip) {
		g->learned_vip = m->vip;
		if (g->state == HSRP_ACTIVE)
			reinstall_if_changed(g);
	}
	if (g->vip && m->vip && m->vip != g->vip && m->vip != g->learned_vip) {
		char a[16], b[16];
		/* said once per new address: learned_vip remembers it */
		g->learned_vip = m->vip;
		log_ios("HSRP-4-DIFFVIP1", "%s Grp %u active routers virtual IP "
			"address %s is different to the locally configured "
			"address %s", iface_name(g->hif->ifp), g->num,
			ip_fmt(m->vip, a), ip_fmt(g->vip, b));
	}
	if (!g->timers_cfgd && g->state != HSRP_ACTIVE && m->hello_ms &&
	    m->hold_ms > m->hello_ms && !(m->hello_ms % 1000) &&
	    !(m->hold_ms % 1000)) {
		g->learned_hello_ms = m->hello_ms;
		g->learned_hold_ms = m->hold_ms;
	}
}

/* ------------------------------------------------------------------ */
/* State changes                                                        */
/* ------------------------------------------------------------------ */

static bool speaking(enum hsrp_state s)
{
	return s == HSRP_SPEAK || s == HSRP_STANDBY || s == HSRP_ACTIVE;
}

static void change(struct hsrp_group *g, enum hsrp_state to);

static void enter_active(struct hsrp_group *g)
{
	timer_stop(g, HSRP_T_ACTIVE);
	timer_stop(g, HSRP_T_PREEMPT);
	set_active_peer(g, 0, 0, NULL);
	debug_router(g, "Active", 0, 0, true, false);
	install(g);
}

static void change(struct hsrp_group *g, enum hsrp_state to)
{
	enum hsrp_state from = g->state;
	if (from == to)
		return;
	if (from == HSRP_ACTIVE)
		uninstall(g);
	if (to == HSRP_ACTIVE)
		enter_active(g);
	if (to == HSRP_STANDBY) {
		set_standby_peer(g, 0, 0);
		timer_stop(g, HSRP_T_STANDBY);
	}
	if (!speaking(to))
		timer_stop(g, HSRP_T_HELLO);
	hsrp_group_set_state(g, to);
	if (speaking(to)) {
		/* F: a new speaker says so at once */
		send_msg(g, HSRP_OP_HELLO, to);
		timer_start(g, HSRP_T_HELLO, hsrp_fsm_hello_ms(g));
	}
	/* a Standby router with no Active router left takes over now */
	if (to == HSRP_STANDBY && !timer_running(g, HSRP_T_ACTIVE))
		change(g, HSRP_ACTIVE);
}

static void enter_speak(struct hsrp_group *g)
{
	timer_start(g, HSRP_T_STANDBY, hsrp_fsm_hold_ms(g));
	change(g, HSRP_SPEAK);
}

static void debug_event(const struct hsrp_group *g, const char *what,
			unsigned pri, uint32_t ip)
{
	if (!(hsrp_debug & HSRP_DBG_EVENTS))
		return;
	char a[16];
	if (ip)
		log_debug("HSRP: %s Grp %u %s: %s (%u/%s)", ifs_name(g), g->num,
			  st(g), what, pri, ip_fmt(ip, a));
	else
		log_debug("HSRP: %s Grp %u %s: %s", ifs_name(g), g->num, st(g),
			  what);
}

/* ------------------------------------------------------------------ */
/* Preemption                                                           */
/* ------------------------------------------------------------------ */

/* "reload" replaces "minimum" the first time the group comes up after
 * the router started. "sync" then bounds a wait for the IP redundancy
 * clients (RF's inter-device scheme) to be ready for the group to become
 * Active: a standby router preempts once it holds the ACTIVE's state, or
 * when the sync delay runs out. */
static struct {
	hsrp_sync_ready_fn fn;
	void *ctx;
} sync_clients[4];
static int nsync_clients;

void hsrp_sync_client_register(hsrp_sync_ready_fn fn, void *ctx)
{
	if (nsync_clients == (int)(sizeof sync_clients / sizeof sync_clients[0]))
		abort();
	sync_clients[nsync_clients].fn = fn;
	sync_clients[nsync_clients++].ctx = ctx;
}

static bool sync_ready(const struct hsrp_group *g)
{
	for (int i = 0; i < nsync_clients; i++)
		if (!sync_clients[i].fn(hsrp_group_name(g), sync_clients[i].ctx))
			return false;
	return true;
}

static unsigned preempt_delay(const struct hsrp_group *g)
{
	if (GS(g)->after_reload && g->preempt_reload)
		return g->preempt_reload;
	return g->preempt_min;
}

static bool may_preempt(const struct hsrp_group *g)
{
	return g->preempt && g->active_ip &&
	       (g->state == HSRP_LISTEN || g->state == HSRP_SPEAK ||
		g->state == HSRP_STANDBY) &&
	       hsrp_group_priority(g) > g->active_pri;
}

static void coup(struct hsrp_group *g)
{
	debug_event(g, "Preempting, local priority higher than Active router",
		    g->active_pri, g->active_ip);
	send_msg(g, HSRP_OP_COUP, g->state);
	change(g, HSRP_ACTIVE);
}

/* The delays are over: preempt, unless "sync" asks to wait for the IP
 * redundancy clients first (at most that long). */
static void preempt_now(struct hsrp_group *g)
{
	struct gstate *gs = GS(g);
	if (g->preempt_sync && !sync_ready(g)) {
		if (!gs->sync_until) {
			gs->sync_until = ev_now(core_loop) + g->preempt_sync;
			if (hsrp_debug & HSRP_DBG_EVENTS)
				log_debug("HSRP: %s Grp %u Waiting for IP "
					  "redundancy clients (sync %u secs)",
					  ifs_name(g), g->num, g->preempt_sync);
			timer_start(g, HSRP_T_PREEMPT, g->preempt_sync * 1000);
			return;
		}
		if (ev_now(core_loop) < gs->sync_until)
			return;     /* the sync timer is running */
	}
	gs->sync_until = 0;
	timer_stop(g, HSRP_T_PREEMPT);
	coup(g);
}

/* A lower-priority Active router is heard and we preempt: now, or when
 * the configured delay since the group came up has passed. */
static void preempt_consider(struct hsrp_group *g)
{
	if (!may_preempt(g)) {
		timer_stop(g, HSRP_T_PREEMPT);
		GS(g)->sync_until = 0;
		return;
	}
	if (GS(g)->sync_until)
		return;     /* waiting for the clients: the timer decides */
	double due = GS(g)->up_since + preempt_delay(g);
	double now = ev_now(core_loop);
	if (now >= due) {
		preempt_now(g);
		return;
	}
	if (timer_running(g, HSRP_T_PREEMPT))
		return;
	if (hsrp_debug & HSRP_DBG_EVENTS)
		log_debug("HSRP: %s Grp %u Starting %s preempt delay (%u secs)",
			  ifs_name(g), g->num,
			  GS(g)->after_reload && g->preempt_reload ? "reload"
								   : "minimum",
			  preempt_delay(g));
	timer_start(g, HSRP_T_PREEMPT, (unsigned)((due - now) * 1000) + 1);
}

/* ------------------------------------------------------------------ */
/* Timer expiry                                                         */
/* ------------------------------------------------------------------ */

static void on_hello_timer(struct hsrp_group *g)
{
	if (!speaking(g->state))
		return;
	send_msg(g, HSRP_OP_HELLO, g->state);
	timer_start(g, HSRP_T_HELLO, hsrp_fsm_hello_ms(g));
}

static void on_active_timer(struct hsrp_group *g)
{
	debug_event(g, "c/Active timer expired", g->active_pri, g->active_ip);
	set_active_peer(g, 0, 0, NULL);
	switch (g->state) {
	case HSRP_LEARN:
	case HSRP_LISTEN:
		enter_speak(g);
		break;
	case HSRP_STANDBY:
		change(g, HSRP_ACTIVE);
		break;
	default:
		break;
	}
}

static void on_standby_timer(struct hsrp_group *g)
{
	debug_event(g, "d/Standby timer expired", g->standby_pri,
		    g->standby_ip);
	set_standby_peer(g, 0, 0);
	switch (g->state) {
	case HSRP_LISTEN:
		enter_speak(g);
		break;
	case HSRP_SPEAK:
		change(g, HSRP_STANDBY);
		break;
	default:
		break;
	}
}

/* The delay ran out (or, waiting for the clients, the sync delay did). */
static void on_preempt_timer(struct hsrp_group *g)
{
	if (!may_preempt(g)) {
		GS(g)->sync_until = 0;
		return;
	}
	if (GS(g)->sync_until)
		GS(g)->sync_until = ev_now(core_loop);   /* the limit */
	preempt_now(g);
}

/* A client's readiness changed: groups waiting to preempt look again,
 * from the loop (the client may be telling us from inside an HSRP event). */
static ev_timer sync_recheck;

static void on_sync_recheck(struct ev_loop *loop, ev_timer *w, int revents)
{
	for (struct hsrp_if *hif = hsrp_if_list(); hif; hif = hif->next)
		for (struct hsrp_group *g = hif->groups; g; g = g->next)
			if (GS(g) && GS(g)->sync_until && sync_ready(g) &&
			    may_preempt(g)) {
				GS(g)->sync_until = 0;
				preempt_now(g);
			}
}

void hsrp_sync_changed(void)
{
	if (!ev_is_active(&sync_recheck)) {
		ev_timer_set(&sync_recheck, 0., 0.);
		ev_timer_start(core_loop, &sync_recheck);
	}
}

void hsrp_fsm_expire(struct hsrp_group *g, enum hsrp_timer t)
{
	if (!GS(g))
		return;
	timer_stop(g, t);
	switch (t) {
	case HSRP_T_HELLO:   on_hello_timer(g); break;
	case HSRP_T_ACTIVE:  on_active_timer(g); break;
	case HSRP_T_STANDBY: on_standby_timer(g); break;
	case HSRP_T_PREEMPT: on_preempt_timer(g); break;
	}
}

static void on_timer(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct gstate *gs = w->data;
	hsrp_fsm_expire(gs->g, (enum hsrp_timer)(w - gs->t));
}

/* ------------------------------------------------------------------ */
/* Receiving                                                            */
/* ------------------------------------------------------------------ */

struct peer {
	uint32_t ip;
	const uint8_t *mac;
	bool higher;       /* better than us in an election */
};

static void hello_from_active(struct hsrp_group *g, const struct hsrp_msg *m,
			      const struct peer *p)
{
	unsigned hold = m->hold_ms ? m->hold_ms : hsrp_fsm_hold_ms(g);
	if (g->state == HSRP_ACTIVE) {
		if (!p->higher) {
			/* h: we stay, and tell it so */
			debug_event(g, "h/Hello rcvd from lower pri Active "
				       "router", m->priority, p->ip);
			send_msg(g, HSRP_OP_COUP, HSRP_ACTIVE);
			return;
		}
		debug_event(g, "g/Hello rcvd from higher pri Active router",
			    m->priority, p->ip);
		learn(g, m);
		set_active_peer(g, p->ip, m->priority, p->mac);
		timer_start(g, HSRP_T_ACTIVE, hold);
		enter_speak(g);
		return;
	}
	learn(g, m);
	set_active_peer(g, p->ip, m->priority, p->mac);
	timer_start(g, HSRP_T_ACTIVE, hold);
	if (g->standby_ip == p->ip)
		set_standby_peer(g, 0, 0);
	if (g->state == HSRP_LEARN)
		change(g, HSRP_LISTEN);
	preempt_consider(g);
}

static void hello_from_standby(struct hsrp_group *g, const struct hsrp_msg *m,
			       const struct peer *p)
{
	unsigned hold = m->hold_ms ? m->hold_ms : hsrp_fsm_hold_ms(g);
	if (g->active_ip == p->ip)
		set_active_peer(g, 0, 0, NULL);
	if (g->state == HSRP_STANDBY && !p->higher) {
		/* l: it will give way when it hears us */
		debug_event(g, "l/Hello rcvd from lower pri Standby router",
			    m->priority, p->ip);
		return;
	}
	set_standby_peer(g, p->ip, m->priority);
	/* B: a Standby router that beats us (or any, seen from Active)
	 * keeps us from contending; a weaker one does not */
	if (p->higher || g->state == HSRP_ACTIVE)
		timer_start(g, HSRP_T_STANDBY, hold);
	if (p->higher && (g->state == HSRP_SPEAK || g->state == HSRP_STANDBY)) {
		debug_event(g, "k/Hello rcvd from higher pri Standby router",
			    m->priority, p->ip);
		change(g, HSRP_LISTEN);
	}
}

static void hello_from_speaker(struct hsrp_group *g, const struct hsrp_msg *m,
			       const struct peer *p)
{
	if (g->active_ip == p->ip)
		set_active_peer(g, 0, 0, NULL);
	if (g->standby_ip == p->ip)
		set_standby_peer(g, 0, 0);
	if (g->state == HSRP_SPEAK && p->higher) {
		debug_event(g, "f/Hello rcvd from higher pri Speak router",
			    m->priority, p->ip);
		timer_start(g, HSRP_T_STANDBY,
			    m->hold_ms ? m->hold_ms : hsrp_fsm_hold_ms(g));
		change(g, HSRP_LISTEN);
	}
}

static void rx_coup(struct hsrp_group *g, const struct hsrp_msg *m,
		    const struct peer *p)
{
	if (!p->higher)
		return;                 /* a coup needs a better router */
	unsigned hold = m->hold_ms ? m->hold_ms : hsrp_fsm_hold_ms(g);
	if (g->state == HSRP_ACTIVE) {
		debug_event(g, "j/Coup rcvd from higher pri router",
			    m->priority, p->ip);
		send_msg(g, HSRP_OP_RESIGN, HSRP_ACTIVE);
		set_active_peer(g, p->ip, m->priority, p->mac);
		timer_start(g, HSRP_T_ACTIVE, hold);
		enter_speak(g);
		return;
	}
	set_active_peer(g, p->ip, m->priority, p->mac);
	timer_start(g, HSRP_T_ACTIVE, hold);
	if (g->state == HSRP_LEARN)
		change(g, HSRP_LISTEN);
}

static void rx_resign(struct hsrp_group *g, const struct hsrp_msg *m,
		      const struct peer *p)
{
	/* only the Active router we know can resign (after a coup the old
	 * Active's resign is not from the Active router any more) */
	if (!g->active_ip || g->active_ip != p->ip)
		return;
	debug_event(g, "i/Resign rcvd", m->priority, p->ip);
	set_active_peer(g, 0, 0, NULL);
	if (g->state == HSRP_STANDBY)
		change(g, HSRP_ACTIVE);
	else
		timer_start(g, HSRP_T_ACTIVE, hsrp_fsm_hold_ms(g));
}

static void fsm_rx(struct hsrp_group *g, const struct hsrp_msg *m,
		   const struct ip_rx *rx)
{
	struct peer p = {
		.ip = rx->src,
		.mac = rx->src_mac,
		.higher = better(m->priority, rx->src, hsrp_group_priority(g),
				 iface_addr(g->hif->ifp)),
	};
	if (m->opcode == HSRP_OP_COUP) {
		rx_coup(g, m, &p);
		return;
	}
	if (m->opcode == HSRP_OP_RESIGN) {
		rx_resign(g, m, &p);
		return;
	}
	switch (m->state) {
	case HSRP_ACTIVE:  hello_from_active(g, m, &p); break;
	case HSRP_STANDBY: hello_from_standby(g, m, &p); break;
	case HSRP_SPEAK:   hello_from_speaker(g, m, &p); break;
	default:
		/* Init/Learn/Listen routers do not send hellos; one that
		 * went quiet is no longer Active or Standby */
		if (g->active_ip == p.ip)
			set_active_peer(g, 0, 0, NULL);
		if (g->standby_ip == p.ip)
			set_standby_peer(g, 0, 0);
		break;
	}
}

/* A packet was dropped: counted, and said with debug standby errors. */
static void drop(struct hsrp_counters *c, enum hsrp_pkt_err e,
		 const struct ip_rx *rx)
{
	c->drop[e]++;
	if (hsrp_debug & HSRP_DBG_ERRORS) {
		char a[16];
		char d[16];
		log_debug("HSRP: %s bad packet from %s to %s, %s (TTL %u, "
			  "length %zu)", iface_short_name(rx->ifp),
			  ip_fmt(rx->src, a), ip_fmt(rx->dst, d),
			  hsrp_pkt_err_name(e), rx->ttl, rx->len);
	}
}

/* From a MAC that is neither ours nor one of our groups' virtual MACs:
 * IOS says so (the packet is not used either way). */
static void dup_addr(const struct hsrp_if *hif, const struct ip_rx *rx)
{
	uint8_t mac[6];
	if (!rx->src_mac)
		return;
	iface_get_mac(hif->ifp, mac);
	if (!memcmp(mac, rx->src_mac, 6))
		return;
	for (const struct hsrp_group *g = hif->groups; g; g = g->next) {
		hsrp_group_mac(g, mac);
		if (!memcmp(mac, rx->src_mac, 6))
			return;
	}
	char a[16];
	const uint8_t *m = rx->src_mac;
	log_ios("HSRP-4-DUPADDR", "Duplicate address %s on %s, sourced by "
		"%02x%02x.%02x%02x.%02x%02x", ip_fmt(rx->src, a),
		iface_name(hif->ifp), m[0], m[1], m[2], m[3], m[4], m[5]);
}

/* The IP header checks OpenBSD's CARP makes (carp_input) before the
 * packet is used, so that no speaker off the link can move the virtual
 * address: sent with TTL 1 (a router would have decremented it), to the
 * group address of the interface's version, from a neighbour on one of
 * the interface's subnets, and not from one of our own addresses there
 * (our own packet looped back by the wire, or another router configured
 * with our address). */
static enum hsrp_pkt_err ip_check(const struct hsrp_if *hif,
				  const struct ip_rx *rx)
{
	if (rx->ttl != 1)
		return HSRP_PKT_TTL;
	if (rx->dst != group_addr(hif))
		return HSRP_PKT_DEST;
	if (!iface_on_subnet(rx->ifp, rx->src))
		return HSRP_PKT_SUBNET;
	if (iface_has_addr(rx->ifp, rx->src))
		return HSRP_PKT_OWN;
	return HSRP_PKT_OK;
}

void hsrp_receive(const struct ip_rx *rx)
{
	struct hsrp_if *hif = hsrp_if_find(rx->ifp);
	if (!hif || !IFS(hif)) {
		global_cnt.unknown_group++;
		return;
	}
	struct hsrp_counters *c = &IFS(hif)->cnt;
	enum hsrp_pkt_err e = ip_check(hif, rx);
	if (e != HSRP_PKT_OK) {
		drop(c, e, rx);
		if (e == HSRP_PKT_OWN)
			dup_addr(hif, rx);
		return;
	}
	struct hsrp_msg m;
	e = hsrp_pkt_decode(rx->payload, rx->len, &m);
	if (e == HSRP_PKT_OK && m.version != hif->version)
		e = HSRP_PKT_VERSION;
	if (e != HSRP_PKT_OK) {
		drop(c, e, rx);
		return;
	}
	if (m.opcode == HSRP_OP_ADVERTISE) {
		c->rx++;
		return;
	}
	struct hsrp_group *g = hsrp_group_find(hif, m.group);
	if (!g) {
		c->unknown_group++;
		return;
	}
	if (!auth_rx_ok(g, rx->payload, rx->len, &m)) {
		char ip[16];
		drop(c, HSRP_PKT_AUTH, rx);
		log_ios("HSRP-4-BADAUTH", "Bad authentication from %s, group "
			"%u, remote state %s", ip_fmt(rx->src, ip), m.group,
			hsrp_state_name((int)m.state));
		return;
	}
	c->rx++;
	debug_packet(g, &m, false, rx->src);
	if (g->state != HSRP_INIT && GS(g))
		fsm_rx(g, &m, rx);
}

/* ------------------------------------------------------------------ */
/* Enabling and disabling (events a and b)                              */
/* ------------------------------------------------------------------ */

static bool iface_usable(const struct hsrp_if *hif)
{
	return iface_admin_up(hif->ifp) && iface_line_up(hif->ifp) &&
	       iface_addr(hif->ifp) != 0;
}

static bool group_runnable(const struct hsrp_group *g)
{
	struct ifstate *is = IFS(g->hif);
	return is && is->ready && g->ip_enabled && hsrp_group_vip_ok(g);
}

/* b: back to Init, saying Resign first if we were Active (and the
 * interface can still send it: a shutdown said it already). */
static void group_stop(struct hsrp_group *g, const char *why)
{
	if (g->state == HSRP_INIT)
		return;
	debug_event(g, why, 0, 0);
	if (g->state == HSRP_ACTIVE && iface_admin_up(g->hif->ifp) &&
	    iface_line_up(g->hif->ifp))
		send_msg(g, HSRP_OP_RESIGN, HSRP_ACTIVE);
	for (int t = 0; t < 4; t++)
		timer_stop(g, (enum hsrp_timer)t);
	GS(g)->sync_until = 0;
	change(g, HSRP_INIT);
	set_active_peer(g, 0, 0, NULL);
	set_standby_peer(g, 0, 0);
	g->learned_vip = 0;
	g->learned_hello_ms = g->learned_hold_ms = 0;
}

/* a: Learn without a virtual IP, else Listen; the active and standby
 * timers run from now. */
static void group_start(struct hsrp_group *g)
{
	struct gstate *gs = GS(g);
	debug_event(g, "a/HSRP enabled", 0, 0);
	gs->up_since = ev_now(core_loop);
	gs->sync_until = 0;
	gs->after_reload = !gs->came_up;
	gs->came_up = true;
	gs->hello_ms = hsrp_fsm_hello_ms(g);
	gs->hold_ms = hsrp_fsm_hold_ms(g);
	timer_start(g, HSRP_T_ACTIVE, hsrp_fsm_hold_ms(g));
	timer_start(g, HSRP_T_STANDBY, hsrp_fsm_hold_ms(g));
	change(g, hsrp_group_vip(g) ? HSRP_LISTEN : HSRP_LEARN);
}

/* New hello or hold times: a running timer longer than the new time is
 * cut to it (a group configured "standby 1 ip" then "timers 1 3" must not
 * sit out the default 10 s hold it started with). */
static void retime(struct hsrp_group *g)
{
	struct gstate *gs = GS(g);
	unsigned hello = hsrp_fsm_hello_ms(g), hold = hsrp_fsm_hold_ms(g);
	if (hello == gs->hello_ms && hold == gs->hold_ms)
		return;
	gs->hello_ms = hello;
	gs->hold_ms = hold;
	static const enum hsrp_timer ts[] = {
		HSRP_T_HELLO, HSRP_T_ACTIVE, HSRP_T_STANDBY,
	};
	for (size_t i = 0; i < sizeof ts / sizeof ts[0]; i++) {
		unsigned ms = ts[i] == HSRP_T_HELLO ? hello : hold;
		if (hsrp_fsm_remaining(g, ts[i]) > ms / 1000.0)
			timer_start(g, ts[i], ms);
	}
}

static void group_eval(struct hsrp_group *g)
{
	if (!GS(g))
		return;
	bool run = group_runnable(g);
	if (!run) {
		group_stop(g, !IFS(g->hif)->ready ? "b/Interface down"
						  : "b/HSRP disabled");
		return;
	}
	if (g->state == HSRP_INIT) {
		group_start(g);
		return;
	}
	retime(g);
	if (g->state == HSRP_LEARN && hsrp_group_vip(g))
		change(g, HSRP_LISTEN);
	if (g->state == HSRP_ACTIVE)
		reinstall_if_changed(g);
	preempt_consider(g);
}

/* ------------------------------------------------------------------ */
/* Interfaces: multicast membership and the initialisation delay        */
/* ------------------------------------------------------------------ */

static void set_membership(struct ifstate *is, uint32_t want)
{
	if (is->joined == want)
		return;
	if (is->joined && io && io->mcast_leave)
		io->mcast_leave(is->hif->ifp, htonl(is->joined));
	is->joined = want;
	if (want && io && io->mcast_join)
		io->mcast_join(is->hif->ifp, htonl(want));
}

void hsrp_fsm_delay_expire(struct hsrp_if *hif)
{
	struct ifstate *is = IFS(hif);
	if (!is || !is->delaying)
		return;
	ev_timer_stop(core_loop, &is->delay);
	is->delaying = false;
	is->ready = iface_usable(hif);
	if (is->ready)
		is->was_ready = true;
	for (struct hsrp_group *g = hif->groups; g; g = g->next)
		group_eval(g);
}

static void on_delay(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct ifstate *is = w->data;
	hsrp_fsm_delay_expire(is->hif);
}

static struct ifstate *ifs_get(struct hsrp_if *hif)
{
	if (hif->engine)
		return hif->engine;
	struct ifstate *is = xcalloc(1, sizeof *is);
	is->hif = hif;
	is->version = hif->version;
	ev_timer_init(&is->delay, on_delay, 0., 0.);
	is->delay.data = is;
	hif->engine = is;
	return is;
}

/* The interface's multicast membership, version and readiness; true
 * when something changed that every group must see. */
static bool if_update(struct hsrp_if *hif)
{
	struct ifstate *is = ifs_get(hif);
	bool was_ready = is->ready;
	set_membership(is, !hif->groups ? 0
			   : hif->version == 2 ? HSRP_V2_GROUP_ADDR
					       : HSRP_V1_GROUP_ADDR);
	if (is->version != hif->version) {
		/* a new version: every group starts again */
		is->version = hif->version;
		for (struct hsrp_group *g = hif->groups; g; g = g->next)
			group_stop(g, "b/HSRP version changed");
		return true;
	}
	if (!iface_usable(hif)) {
		ev_timer_stop(core_loop, &is->delay);
		is->delaying = false;
		is->ready = false;
	} else if (!is->ready && !is->delaying) {
		/* the groups wait in Init: the reload delay the first time
		 * after the router started, the minimum delay afterwards */
		unsigned secs = is->was_ready ? hif->delay_min : hif->delay_reload;
		if (secs) {
			is->delaying = true;
			ev_timer_set(&is->delay, (double)secs, 0.);
			ev_timer_start(core_loop, &is->delay);
		} else {
			is->ready = true;
			is->was_ready = true;
		}
	}
	return is->ready != was_ready;
}

static void if_eval(struct hsrp_if *hif)
{
	if_update(hif);
	for (struct hsrp_group *g = hif->groups; g; g = g->next)
		group_eval(g);
}

/* ------------------------------------------------------------------ */
/* Engine hooks from the model                                          */
/* ------------------------------------------------------------------ */

static void eng_group_added(struct hsrp_group *g)
{
	struct gstate *gs = xcalloc(1, sizeof *gs);
	gs->g = g;
	for (int t = 0; t < 4; t++) {
		ev_timer_init(&gs->t[t], on_timer, 0., 0.);
		gs->t[t].data = gs;
	}
	g->engine = gs;
	/* one new group: the others need a look only if the interface
	 * itself changed (pasting thousands of groups stays linear) */
	if (if_update(g->hif))
		if_eval(g->hif);
	else
		group_eval(g);
}

static void eng_group_removed(struct hsrp_group *g)
{
	struct gstate *gs = GS(g);
	if (!gs)
		return;
	/* the model has already moved the group to Init (or is dropping
	 * everything for a reload): give the address up */
	if (gs->installed)
		send_msg(g, HSRP_OP_RESIGN, HSRP_ACTIVE);
	uninstall(g);
	for (int t = 0; t < 4; t++)
		timer_stop(g, (enum hsrp_timer)t);
	free(gs);
	g->engine = NULL;
	struct ifstate *is = IFS(g->hif);
	/* the last group gone: no reason to listen to HSRP any more */
	if (is && g->hif->groups == g && !g->next)
		set_membership(is, 0);
}

static void eng_group_changed(struct hsrp_group *g)
{
	group_eval(g);
}

static void eng_iface_changed(struct hsrp_if *hif)
{
	if_eval(hif);
}

static void eng_iface_removed(struct hsrp_if *hif)
{
	struct ifstate *is = IFS(hif);
	if (!is)
		return;
	set_membership(is, 0);
	ev_timer_stop(core_loop, &is->delay);
	free(is);
	hif->engine = NULL;
}

const struct hsrp_counters *hsrp_if_counters(const struct hsrp_if *hif)
{
	return IFS(hif) ? &IFS(hif)->cnt : NULL;
}

const struct hsrp_counters *hsrp_global_counters(void)
{
	return &global_cnt;
}

static const struct hsrp_engine_ops engine_ops = {
	.group_added = eng_group_added,
	.group_removed = eng_group_removed,
	.group_changed = eng_group_changed,
	.iface_changed = eng_iface_changed,
	.iface_removed = eng_iface_removed,
};

/* The Active router whose interface is being shut resigns while the
 * interface still sends, so the Standby takes over at once instead of
 * waiting out its hold time (IOS does the same). */
static void on_iface_shutting(enum core_event ev, void *data, void *ctx)
{
	struct hsrp_if *hif = hsrp_if_find(data);
	if (!hif)
		return;
	for (struct hsrp_group *g = hif->groups; g; g = g->next)
		if (g->state == HSRP_ACTIVE)
			send_msg(g, HSRP_OP_RESIGN, HSRP_ACTIVE);
}

void hsrp_fsm_init(void)
{
	ev_timer_init(&sync_recheck, on_sync_recheck, 0., 0.);
	hsrp_engine_register(&engine_ops);
	core_subscribe(EVT_IFACE_SHUTTING, on_iface_shutting, NULL);
}
