/* The inter-device redundancy facility: RF's state machine on one router
 * of a pair.
 *
 * Roles come from HSRP alone: the group named by `scheme standby NAME`
 * (bound at boot) being Active makes RF ACTIVE (through ACTIVE-FAST,
 * ACTIVE-DRAIN, ACTIVE_PRECONFIG, ACTIVE_POSTCONFIG), being Standby makes
 * it a standby: STANDBY COLD, then STANDBY COLD-BULK while every client
 * takes its bulk from the ACTIVE, then STANDBY HOT. RF follows the group
 * through the HSRP events; losing the peer never makes a standby ACTIVE,
 * only HSRP does.
 *
 * The peer is heard over the IPC channel (client RF_INTERNAL_MSG): a HELLO
 * on every link, a STATE on every change, a KEEPALIVE every keep_alive
 * TMR. keep_alive threshold intervals without one, or the association
 * lost, and the peer is gone: Communications = Down, peer DISABLED.
 *
 * IOS's reload rules (seeds 000 and 004), which keep a pair from ever
 * running on state it cannot trust:
 *  - an ACTIVE whose group leaves Active (interface shut, tracking,
 *    preempted) reloads: "my state = ACTIVE peer state = STANDBY HOT";
 *  - a router that finds an ACTIVE peer while it is not a clean standby
 *    reloads once: "my state = NEGOTIATION peer state = ACTIVE". Clean
 *    means booted by this very reload (the reason survives it, as a real
 *    router's reload reason does) and not out of touch with the ACTIVE
 *    since it took checkpoints: a standby whose link failed while it held
 *    state (COLD-BULK, HOT) missed updates, and reloads when it hears the
 *    ACTIVE again. So a fresh router reloads exactly once, then comes up
 *    STANDBY HOT; a clean one never reloads again for the same cause, and
 *    nothing loops. */
#include "ha_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/core.h"
#include "../hsrp/hsrp.h"
#include "../ipc/ipc.h"

#define RF_HISTORY_MAX 128

struct rf_status rf_status;
struct rf_counters rf_counters;
bool rf_debug;

static struct {
	struct ipc_client *ipc;    /* RF_INTERNAL_MSG */
	bool booted;               /* EVT_BOOT_DONE since the last reset */
	ev_timer ka;
	ev_timer settle;           /* the scheme's group changed: look once */
	uint32_t ka_seq;
	bool hello_heard;          /* this link */
	bool peer_syncing;         /* active: the standby asked for its bulk */
	bool bulk_asked;           /* standby: BULK_REQ sent on this link */
	bool bulk_refused;         /* standby: a client refused on this link */
	char *hist[RF_HISTORY_MAX];
	int hhead, hn;
} f;

/* ---- names --------------------------------------------------------------------- */

bool rf_state_is_active(enum rf_state s)
{
	return s >= RF_ACTIVE_FAST && s <= RF_ACTIVE_HANDBACK;
}

bool rf_state_is_standby(enum rf_state s)
{
	return s >= RF_STANDBY_COLD && s <= RF_STANDBY_HOT;
}

/* ---- debug and history ------------------------------------------------------- */

void rf_dbg(const char *fmt, ...)
{
	if (!rf_debug)
		return;
	va_list ap;
	va_start(ap, fmt);
	log_vdebug("RF: ", fmt, ap);
	va_end(ap);
}

void rf_history(const char *fmt, ...)
{
	char up[32], text[200];
	long s = (long)core_uptime();
	snprintf(up, sizeof up, "%02ld:%02ld:%02ld", s / 3600, s / 60 % 60,
		 s % 60);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(text, sizeof text, fmt, ap);
	va_end(ap);
	struct sbuf b;
	sbuf_init(&b);
	sbuf_printf(&b, "%s %s", up, text);
	if (f.hn == RF_HISTORY_MAX) {
		free(f.hist[f.hhead]);
		f.hist[f.hhead] = sbuf_take(&b);
		f.hhead = (f.hhead + 1) % RF_HISTORY_MAX;
		return;
	}
	f.hist[(f.hhead + f.hn++) % RF_HISTORY_MAX] = sbuf_take(&b);
}

int rf_history_count(void)
{
	return f.hn;
}

const char *rf_history_line(int i)
{
	return i >= 0 && i < f.hn ? f.hist[(f.hhead + i) % RF_HISTORY_MAX]
				  : NULL;
}

static void history_states(bool my_changed, bool peer_changed)
{
	rf_history("%smy state = %s(%d) %speer state = %s(%d)",
		   my_changed ? "*" : "", rf_state_name(rf_status.my),
		   rf_status.my, peer_changed ? "*" : "",
		   rf_state_name(rf_status.peer), rf_status.peer);
}

/* ---- telling the peer ------------------------------------------------------------ */

static uint32_t my_age(void)
{
	return (uint32_t)(core_uptime() - rf_status.my_since);
}

double rf_my_state_age(void)
{
	return core_uptime() - rf_status.my_since;
}

int rf_fsm_send(uint16_t type, const struct rf_msg *m)
{
	uint8_t buf[512];
	size_t n = rf_msg_encode(type, m, buf, sizeof buf);
	int rc = n ? ipc_send(f.ipc, type, buf, n) : IPC_TOOBIG;
	if (rc == IPC_SENT)
		rf_counters.tx++;
	else if (rc == IPC_FULL)
		rf_counters.tx_full++;
	else
		rf_counters.tx_fail++;
	return rc;
}

static void fill_self(struct rf_msg *m)
{
	memset(m, 0, sizeof *m);
	m->state = (uint8_t)rf_status.my;
	m->hsrp_active = rf_status.group_state == HSRP_ACTIVE;
	m->clean = rf_status.clean;
}

static void send_state(void)
{
	if (!rf_status.comm_up)
		return;
	struct rf_msg m;
	fill_self(&m);
	m.state_age = my_age();
	rf_fsm_send(RF_MSG_STATE, &m);
}

static void send_hello(void)
{
	struct rf_msg m;
	fill_self(&m);
	m.state_age = my_age();
	m.uptime = (uint32_t)core_uptime();
	snprintf(m.host, sizeof m.host, "%s", core_hostname());
	snprintf(m.image, sizeof m.image, "%s", IOS_IMAGE_VERSION);
	snprintf(m.scheme, sizeof m.scheme, "%s",
		 ha_scheme_bound() ? ha_scheme_bound() : "");
	m.nclients = rf_client_ids(m.clients, RF_MAX_CLIENTS);
	rf_fsm_send(RF_MSG_HELLO, &m);
}

/* ---- state changes ----------------------------------------------------------------- */

static void recompute(void)
{
	enum rf_state my = rf_status.my;
	rf_status.interdev = !rf_status.engaged || my <= RF_INITIALIZATION
				     ? RF_INTERDEV_STATE_INIT
			     : my == RF_NEGOTIATION ? RF_INTERDEV_STATE_NEGO
			     : rf_state_is_standby(my) ? RF_INTERDEV_STATE_STDBY
						       : RF_INTERDEV_STATE_ACT;
	rf_status.duplex = rf_status.comm_up && f.hello_heard;
}

static void announce(enum rf_state my_old, enum rf_state peer_old)
{
	struct rf_event ev = {
		.my = rf_status.my, .peer = rf_status.peer,
		.my_old = my_old, .peer_old = peer_old,
		.comm_up = rf_status.comm_up,
	};
	core_publish(EVT_RF_STATE, &ev);
	rf_ckpt_progress(rf_status.my, rf_status.peer);
	/* preemption with "delay sync" waits for this router to be hot */
	hsrp_sync_changed();
}

static void set_my(enum rf_state s)
{
	if (rf_status.my == s)
		return;
	enum rf_state old = rf_status.my;
	rf_status.my = s;
	rf_status.my_since = core_uptime();
	recompute();
	history_states(true, false);
	rf_dbg("my state %s(%d) -> %s(%d), peer %s(%d)", rf_state_name(old),
	       old, rf_state_name(s), s, rf_state_name(rf_status.peer),
	       rf_status.peer);
	send_state();
	announce(old, rf_status.peer);
}

static void set_peer(enum rf_state s)
{
	if (rf_status.peer == s)
		return;
	enum rf_state old = rf_status.peer;
	rf_status.peer = s;
	rf_status.peer_since = core_uptime();
	recompute();
	history_states(false, true);
	rf_dbg("peer state %s(%d) -> %s(%d)", rf_state_name(old), old,
	       rf_state_name(s), s);
	announce(rf_status.my, old);
}

/* ---- reloads ------------------------------------------------------------------------ */

static void self_reload(void)
{
	if (rf_status.reloading)
		return;
	rf_status.reloading = true;
	rf_counters.reloads++;
	log_ios("RF_INTERDEV-4-RELOAD", "%% RF induced self-reload. my state "
		"= %s peer state = %s", rf_state_name(rf_status.my),
		rf_state_name(rf_status.peer));
	rf_history("RF induced self-reload: my state = %s(%d) peer state = "
		   "%s(%d)", rf_state_name(rf_status.my), rf_status.my,
		   rf_state_name(rf_status.peer), rf_status.peer);
	core_reload(RF_RELOAD_REASON);
}

static bool peer_is_active(void)
{
	return rf_status.comm_up && f.hello_heard &&
	       rf_state_is_active(rf_status.peer);
}

/* ---- roles ----------------------------------------------------------------------------- */

static void go_active(void)
{
	static const enum rf_state path[] = {
		RF_ACTIVE_FAST, RF_ACTIVE_DRAIN, RF_ACTIVE_PRECONFIG,
		RF_ACTIVE_POSTCONFIG, RF_ACTIVE,
	};
	rf_history("RF_EVENT_GO_ACTIVE(511) op=0");
	for (size_t i = 0; i < sizeof path / sizeof path[0]; i++)
		set_my(path[i]);
	if (rf_status.peer == RF_STANDBY_HOT)
		log_ios("RF-5-RF_TERMINAL_STATE", "Terminal state reached for "
			"(SSO)");
}

/* A standby heard an ACTIVE peer: ask for the bulk when it is a clean
 * standby, reload to become one when it is not. */
static void standby_progress(void)
{
	if (!rf_state_is_standby(rf_status.my) || !peer_is_active())
		return;
	if (!rf_status.clean) {
		self_reload();
		return;
	}
	if (rf_status.my != RF_STANDBY_COLD || f.bulk_asked || f.bulk_refused)
		return;
	struct rf_msg m;
	memset(&m, 0, sizeof m);
	m.nclients = rf_client_ids(m.clients, RF_MAX_CLIENTS);
	f.bulk_asked = true;
	rf_counters.bulk_req_tx++;
	set_my(RF_STANDBY_COLD_BULK);
	rf_fsm_send(RF_MSG_BULK_REQ, &m);
	rf_ckpt_standby_begin();
}

static void go_standby(void)
{
	rf_history("RF_EVENT_GO_STANDBY(512) op=0");
	set_my(RF_STANDBY_COLD);
	standby_progress();
}

/* NEGOTIATION ends when HSRP decides, or earlier in a reload when the
 * peer is already ACTIVE and this router is not a clean standby. */
static void negotiate(void)
{
	if (rf_status.my != RF_NEGOTIATION)
		return;
	if (rf_status.group_state == HSRP_ACTIVE) {
		go_active();
		return;
	}
	if (peer_is_active() && !rf_status.clean) {
		self_reload();
		return;
	}
	if (rf_status.group_state == HSRP_STANDBY)
		go_standby();
}

static void switchover(void)
{
	rf_status.switchovers++;
	snprintf(rf_status.last_switchover, sizeof rf_status.last_switchover,
		 "%s", rf_status.comm_up ? "active unit relinquished"
					 : "active unit failed");
	rf_history("switchover: %s", rf_status.last_switchover);
	go_active();
}

/* The scheme's group changed state (or appeared, or went). */
static void group_changed(int state)
{
	rf_status.group_state = state;
	if (!rf_status.engaged || rf_status.reloading)
		return;
	if (rf_state_is_active(rf_status.my)) {
		if (state != HSRP_ACTIVE)
			self_reload();   /* relinquished: seed 004's log line */
		return;
	}
	if (rf_status.my == RF_NEGOTIATION) {
		negotiate();
		return;
	}
	if (rf_state_is_standby(rf_status.my) && state == HSRP_ACTIVE)
		switchover();
}

/* RF acts on the group's state once HSRP's own transitions are done: a
 * lone router passes through Standby on its way to Active in one step
 * (Speak -> Standby -> Active), which is no standby role. */
static void on_group_settled(struct ev_loop *loop, ev_timer *w, int revents)
{
	const char *bound = ha_scheme_bound();
	if (!f.booted || !bound)
		return;
	/* several groups may share the name: the one hsrp_group_lookup()
	 * picks is the scheme's */
	struct hsrp_group_info g;
	int state = hsrp_group_lookup(bound, &g) ? (int)g.state
						 : HSRP_STATE_NONE;
	if (state != rf_status.group_state)
		group_changed(state);
}

static void on_hsrp(enum core_event ev, void *data, void *ctx)
{
	const struct hsrp_event *e = data;
	const char *bound = ha_scheme_bound();
	if (!f.booted || !bound || strcmp(e->name, bound))
		return;
	if (!ev_is_active(&f.settle)) {
		ev_timer_set(&f.settle, 0., 0.);
		ev_timer_start(core_loop, &f.settle);
	}
}

/* ---- the peer -------------------------------------------------------------------------- */

static void peer_state_heard(void)
{
	if (rf_status.reloading)
		return;
	if (rf_status.my == RF_NEGOTIATION) {
		negotiate();
		return;
	}
	if (rf_state_is_standby(rf_status.my)) {
		standby_progress();
		return;
	}
	if (rf_state_is_active(rf_status.my) &&
	    rf_status.peer == RF_STANDBY_HOT)
		log_ios("RF-5-RF_TERMINAL_STATE", "Terminal state reached for "
			"(SSO)");
}

static void hello(const struct rf_msg *m)
{
	snprintf(rf_status.peer_host, sizeof rf_status.peer_host, "%s", m->host);
	snprintf(rf_status.peer_image, sizeof rf_status.peer_image, "%s",
		 m->image);
	snprintf(rf_status.peer_scheme, sizeof rf_status.peer_scheme, "%s",
		 m->scheme);
	memcpy(rf_status.peer_clients, m->clients, sizeof m->clients);
	rf_status.npeer_clients = m->nclients;
	rf_status.peer_uptime = m->uptime;
	rf_status.peer_state_age = m->state_age;
	rf_status.peer_heard = core_uptime();
	bool first = !f.hello_heard;
	f.hello_heard = true;
	recompute();
	if (first)
		rf_history("RF_STATUS_PEER_PRESENCE(400) op=1");
	rf_dbg("HELLO from %s: state %s(%d)", m->host,
	       rf_state_name(m->state), m->state);
	set_peer((enum rf_state)m->state);
	peer_state_heard();
}

static void on_recv(void *ctx, uint16_t type, const uint8_t *p, size_t len)
{
	struct rf_msg m;
	if (!rf_status.engaged) {
		rf_counters.rx_bad++;   /* no scheme here: no RF peer either */
		return;
	}
	if (rf_msg_decode(type, p, len, &m) < 0) {
		rf_counters.rx_bad++;
		rf_dbg("bad %s message (%zu bytes) dropped",
		       type <= RF_MSG__LAST ? rf_msg_names[type] : "?", len);
		return;
	}
	rf_counters.rx++;
	switch (type) {
	case RF_MSG_HELLO:
		hello(&m);
		break;
	case RF_MSG_STATE:
		if (!f.hello_heard) {
			rf_counters.rx_bad++;   /* out of order: HELLO first */
			return;
		}
		rf_status.peer_state_age = m.state_age;
		rf_status.peer_heard = core_uptime();
		set_peer((enum rf_state)m.state);
		peer_state_heard();
		break;
	case RF_MSG_KEEPALIVE:
		rf_counters.ka_rx++;
		rf_status.ka_count = 0;
		break;
	case RF_MSG_BULK_REQ:
		rf_counters.bulk_req_rx++;
		if (!f.hello_heard || !rf_state_is_active(rf_status.my)) {
			rf_dbg("bulk request while %s: ignored",
			       rf_state_name(rf_status.my));
			return;
		}
		rf_dbg("bulk sync requested by the standby");
		f.peer_syncing = true;
		rf_ckpt_active_begin(m.clients, m.nclients);
		break;
	}
}

/* ---- the link ---------------------------------------------------------------------------- */

void rf_fsm_keepalive_tick(void)
{
	if (!rf_status.comm_up)
		return;
	struct rf_msg m = {.seq = ++f.ka_seq};
	rf_fsm_send(RF_MSG_KEEPALIVE, &m);
	rf_counters.ka_tx++;
	if (++rf_status.ka_count < RF_KEEPALIVE_THRESHOLD)
		return;
	rf_counters.ka_lost++;
	rf_history("keep_alive threshold reached: peer lost");
	rf_dbg("no keepalive from the peer for %u intervals: link reset",
	       rf_status.ka_count);
	ipc_link_reset("RF keepalive threshold reached");
}

static void on_keepalive(struct ev_loop *loop, ev_timer *w, int revents)
{
	rf_fsm_keepalive_tick();
}

static void on_link(void *ctx, bool up)
{
	/* without a scheme bound RF does not talk to the peer */
	if (!rf_status.engaged || up == rf_status.comm_up)
		return;
	rf_status.comm_up = up;
	f.hello_heard = false;
	f.peer_syncing = f.bulk_asked = f.bulk_refused = false;
	rf_status.ka_count = 0;
	rf_ckpt_link(up);
	rf_history("RF_STATUS_PEER_COMM(401) op=%d", up ? 1 : 0);
	ev_timer_stop(core_loop, &f.ka);
	if (up) {
		rf_counters.comm_up++;
		recompute();
		set_peer(RF_UNKNOWN);
		ev_timer_set(&f.ka, RF_KEEPALIVE_MS / 1000.0,
			     RF_KEEPALIVE_MS / 1000.0);
		ev_timer_start(core_loop, &f.ka);
		send_hello();
		return;
	}
	rf_counters.comm_down++;
	/* a standby that held checkpoints missed whatever changed since */
	if (rf_status.my == RF_STANDBY_COLD_BULK ||
	    rf_status.my == RF_STANDBY_HOT)
		rf_status.clean = false;
	if (rf_status.my == RF_STANDBY_COLD_BULK)
		set_my(RF_STANDBY_COLD);
	recompute();
	set_peer(RF_DISABLED);
}

bool rf_fsm_peer_syncing(void)
{
	return rf_status.comm_up && f.peer_syncing &&
	       rf_state_is_active(rf_status.my);
}

bool rf_peer_syncing(void)
{
	return rf_fsm_peer_syncing();
}

void rf_fsm_bulk_result(bool ok)
{
	if (ok) {
		rf_counters.bulk_done++;
		f.bulk_refused = false;
		if (rf_status.my == RF_STANDBY_COLD_BULK ||
		    rf_status.my == RF_STANDBY_COLD) {
			set_my(RF_STANDBY_HOT);
			log_ios("RF-5-RF_TERMINAL_STATE", "Terminal state "
				"reached for (SSO)");
		}
		return;
	}
	rf_counters.bulk_refused++;
	f.bulk_refused = true;
	if (rf_status.my == RF_STANDBY_COLD_BULK ||
	    rf_status.my == RF_STANDBY_HOT) {
		rf_status.standby_failures++;
		set_my(RF_STANDBY_COLD);
	}
}

/* ---- IP redundancy client of HSRP ("standby preempt delay sync") --------------------- */

/* A group about to preempt waits for this router to hold the ACTIVE's
 * checkpoints: it is ready when it is STANDBY HOT (or RF does not run for
 * that group). */
static bool sync_ready(const char *group, void *ctx)
{
	const char *bound = ha_scheme_bound();
	if (!rf_status.engaged || !bound || strcmp(group, bound))
		return true;
	return rf_status.my == RF_STANDBY_HOT;
}

/* ---- boot and reset ----------------------------------------------------------------------- */

static void on_boot(enum core_event ev, void *data, void *ctx)
{
	rf_cfg_boot();
	f.booted = true;
	/* the history of a boot starts with its clients, as IOS's does */
	rf_history("client added: RF_INTERNAL_MSG(0) seq=0");
	rf_ckpt_history();
	const char *why = core_reload_reason();
	rf_status.clean = why && !strcmp(why, RF_RELOAD_REASON);
	const char *bound = ha_scheme_bound();
	struct hsrp_group_info g;
	if (!bound || !hsrp_group_lookup(bound, &g)) {
		recompute();
		return;     /* simplex: ACTIVE, no peer */
	}
	rf_status.engaged = true;
	rf_status.group_state = (int)g.state;
	rf_status.my = RF_INITIALIZATION;
	rf_status.my_since = core_uptime();
	recompute();
	history_states(true, true);
	set_my(RF_NEGOTIATION);
	if (ipc_link_up())
		on_link(NULL, true);
	negotiate();
}

static const struct ipc_client_ops rf_ipc_ops = {
	.name = "RF",
	.id = RF_CLIENT_INTERNAL,
	.ntypes = RF_MSG__LAST,
	.type_names = rf_msg_names,
	.recv = on_recv,
	.link = on_link,
};

void rf_fsm_reset(void)
{
	ev_timer_stop(core_loop, &f.ka);
	ev_timer_stop(core_loop, &f.settle);
	for (int i = 0; i < f.hn; i++)
		free(f.hist[(f.hhead + i) % RF_HISTORY_MAX]);
	f.hhead = f.hn = 0;
	f.booted = f.hello_heard = f.peer_syncing = false;
	f.bulk_asked = f.bulk_refused = false;
	f.ka_seq = 0;
	memset(&rf_counters, 0, sizeof rf_counters);
	rf_status = (struct rf_status){
		.my = RF_ACTIVE,
		.peer = RF_DISABLED,
		.interdev = RF_INTERDEV_STATE_INIT,
		.group_state = HSRP_STATE_NONE,
		.my_since = core_uptime(),
	};
	snprintf(rf_status.last_switchover, sizeof rf_status.last_switchover,
		 "none");
}

void rf_fsm_init(void)
{
	ev_timer_init(&f.ka, on_keepalive, 0., 0.);
	ev_timer_init(&f.settle, on_group_settled, 0., 0.);
	f.ipc = ipc_client_register(&rf_ipc_ops, NULL);
	if (!f.ipc)
		abort();   /* the first client: cannot be taken */
	rf_fsm_reset();
	core_subscribe(EVT_BOOT_DONE, on_boot, NULL);
	core_subscribe(EVT_HSRP_GROUP_STATE, on_hsrp, NULL);
	core_subscribe(EVT_HSRP_GROUP_NAME, on_hsrp, NULL);
	hsrp_sync_client_register(sync_ready, NULL);
}
