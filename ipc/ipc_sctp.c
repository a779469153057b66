/* The IPC transport: one real SCTP association per configured
 * "association N", built by usrsctp in AF_CONN mode and carried by the
 * router itself as IPv4 protocol 132 from local-ip to remote-ip, through
 * its own interfaces and routing table. An interface shut down, a missing
 * route or a cut wire break it as they would break a real one: usrsctp
 * retransmits, then declares the association lost.
 *
 * usrsctp runs single-threaded on the loop (usrsctp_init_nothreads):
 * packets go in through usrsctp_conninput(), time through
 * usrsctp_handle_timers() every SCTP_TICK_MS, packets come out through
 * conn_output(). Its callbacks (data, notifications, room to send) may
 * fire inside any of those calls; they only queue what happened, and the
 * queue is handled once usrsctp has returned, so nothing above ever runs
 * inside usrsctp (where closing the socket would pull it from under it).
 *
 * Both ends bind and connect: SCTP resolves the INIT collision into one
 * association (RFC 4960 5.2.1). A failed attempt is retried after
 * SCTP_RETRY_S. Each socket incarnation has its own AF_CONN address, a
 * token never reused, so a late packet of a closed one cannot be taken
 * for the new one's. */
#include "ipc_int.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <usrsctp.h>

#include "../core/core.h"
#include "../platform/platform.h"

#define SCTP_TICK_MS 20
#define SCTP_RETRY_S 1.0
#define SCTP_STREAMS IPC_MAX_CLIENTS
#define SCTP_HB_MS 1000          /* heartbeat interval on an idle path */
#define SCTP_IP_MTU 1500         /* the emulated interfaces' IP MTU */
#define SCTP_PPID 0              /* payload protocol: unspecified */
#define SCTP_SNDBUF_LOWAT 16384  /* room that wakes a full sender */
#define PENDING_MAX 4096         /* queued callback items (a bound) */

struct assoc {
	struct assoc *next;
	unsigned id;
	struct ipc_sctp_cfg cfg;       /* what it runs (or last ran) with */
	enum sctp_run_state state;
	char why[128];                 /* IDLE: why it is not running */
	struct socket *so;
	void *token;                   /* this incarnation's AF_CONN address */
	double since;
	ev_timer retry;
	struct sctp_assoc_stats st;
	struct sbuf partial;           /* a message delivered in pieces */
	bool partial_on;
	uint16_t partial_sid;
	bool full;                     /* a send was refused for room */
};

/* What a usrsctp callback saw, handled after usrsctp returns. */
enum pend_kind { P_DATA, P_NOTIF, P_WRITABLE, P_EOF };
struct pending {
	struct pending *next;
	void *token;
	enum pend_kind kind;
	uint16_t sid;
	int flags;
	void *data;                    /* P_DATA: usrsctp's buffer (free()) */
	size_t len;
};

static struct {
	bool lib;                      /* usrsctp initialised (once a process) */
	bool booted;                   /* EVT_BOOT_DONE since the last reset */
	struct assoc *list;
	uintptr_t next_token;
	ev_timer tick;
	double last_tick;
	ev_timer later;                /* drains what sends queued */
	struct pending *phead, *ptail;
	int npending;
	bool draining;
	struct sctp_drop_stats drops;
} s = {.next_token = 0x1000};

/* ---- lookups ------------------------------------------------------------------ */

static struct assoc *by_id(unsigned id)
{
	for (struct assoc *a = s.list; a; a = a->next)
		if (a->id == id)
			return a;
	return NULL;
}

static struct assoc *by_token(void *token)
{
	for (struct assoc *a = s.list; a; a = a->next)
		if (a->so && a->token == token)
			return a;
	return NULL;
}

static void debug(unsigned flag, const struct assoc *a, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void debug(unsigned flag, const struct assoc *a, const char *fmt, ...)
{
	if (!(ipc_debug & flag))
		return;
	char prefix[32];
	snprintf(prefix, sizeof prefix, "SCTP: Assoc %u: ", a ? a->id : 0);
	va_list ap;
	va_start(ap, fmt);
	log_vdebug(prefix, fmt, ap);
	va_end(ap);
}

static const char *run_name(enum sctp_run_state st)
{
	switch (st) {
	case SCTP_RUN_IDLE: return "CLOSED";
	case SCTP_RUN_COOKIE_WAIT: return "COOKIE_WAIT";
	case SCTP_RUN_ESTABLISHED: return "ESTABLISHED";
	case SCTP_RUN_BACKOFF: return "BACKOFF";
	}
	return "?";
}

static void set_state(struct assoc *a, enum sctp_run_state st)
{
	if (a->state == st)
		return;
	debug(IPC_DBG_SCTP_STATE, a, "state %s -> %s", run_name(a->state),
	      run_name(st));
	a->state = st;
	a->since = core_uptime();
}

/* ---- usrsctp callbacks: queue only ------------------------------------------ */

static void pend(void *token, enum pend_kind kind, uint16_t sid, int flags,
		 void *data, size_t len)
{
	if (s.npending == PENDING_MAX) {
		/* the bound is never met in practice (one loop iteration's
		 * worth of packets); if it is, the message is lost like a
		 * drop on the wire would lose it, and counted */
		s.drops.reentrant++;
		if (kind == P_DATA)
			free(data);
		return;
	}
	struct pending *p = xcalloc(1, sizeof *p);
	p->token = token;
	p->kind = kind;
	p->sid = sid;
	p->flags = flags;
	p->data = data;
	p->len = len;
	if (s.ptail)
		s.ptail->next = p;
	else
		s.phead = p;
	s.ptail = p;
	s.npending++;
}

static int on_receive(struct socket *so, union sctp_sockstore addr,
		      void *data, size_t len, struct sctp_rcvinfo rcv,
		      int flags, void *ulp)
{
	if (!data) {
		pend(ulp, P_EOF, 0, 0, NULL, 0);
		return 1;
	}
	if (flags & MSG_NOTIFICATION) {
		void *copy = xmalloc(len);
		memcpy(copy, data, len);
		free(data);
		pend(ulp, P_NOTIF, 0, flags, copy, len);
		return 1;
	}
	pend(ulp, P_DATA, rcv.rcv_sid, flags, data, len);
	return 1;
}

static int on_send_room(struct socket *so, uint32_t sb_free, void *ulp)
{
	pend(ulp, P_WRITABLE, 0, 0, NULL, 0);
	return 1;
}

/* usrsctp's packets go out as IPv4 protocol 132. A packet of an
 * incarnation that is gone (a late retransmission) is dropped. */
static int conn_output(void *token, void *buf, size_t len, uint8_t tos,
		       uint8_t set_df)
{
	struct assoc *a = by_token(token);
	if (!a || !a->cfg.n_local_ip || !a->cfg.n_remote_ip)
		return 0;
	struct ip_tx_opts o = {.tos = tos, .df = set_df != 0};
	if (ip_send(a->cfg.local_ip[0], a->cfg.remote_ip[0], 132, buf, len,
		    &o) < 0) {
		/* no route, interface down: lost as on the wire, and SCTP
		 * retransmits as it would */
		a->st.tx_fail++;
		return 0;
	}
	a->st.tx_pkts++;
	a->st.tx_bytes += len;
	sctp_chunks_count(&a->st.out, buf, len, true);
	return 0;
}

/* ---- the socket ---------------------------------------------------------------- */

static void drain(void);

static void drain_later(void)
{
	if (!ev_is_active(&s.later)) {
		ev_timer_set(&s.later, 0., 0.);
		ev_timer_start(core_loop, &s.later);
	}
}

static bool sockopt(struct assoc *a, int level, int name, const void *v,
		    socklen_t n, const char *what)
{
	if (usrsctp_setsockopt(a->so, level, name, v, n) == 0)
		return true;
	debug(IPC_DBG_SCTP_WARN, a, "setsockopt %s: %s", what, strerror(errno));
	return false;
}

/* IOS's knobs onto SCTP's: retransmit-timeout MIN MAX is RTO.min and
 * RTO.max with RTO.initial = RTO.min (usrsctp wants min <= initial <=
 * max, and IOS takes a MIN above MAX: then both are MIN), path-retransmit
 * is Path.Max.Retrans, assoc-retransmit Association.Max.Retrans. */
static bool sock_tune(struct assoc *a)
{
	const struct ipc_sctp_cfg *c = &a->cfg;
	unsigned lo = c->rto_min_ms;
	unsigned hi = c->rto_max_ms > lo ? c->rto_max_ms : lo;
	struct sctp_rtoinfo rto = {.srto_initial = lo, .srto_max = hi,
				   .srto_min = lo};
	struct sctp_assocparams ap = {.sasoc_asocmaxrxt =
					      (uint16_t)c->assoc_retrans};
	struct sctp_paddrparams pp;
	memset(&pp, 0, sizeof pp);
	pp.spp_hbinterval = SCTP_HB_MS;
	pp.spp_pathmaxrxt = (uint16_t)c->path_retrans;
	pp.spp_pathmtu = SCTP_IP_MTU - 20;   /* SCTP's packet is IP's payload */
	pp.spp_flags = SPP_HB_ENABLE | SPP_PMTUD_DISABLE;
	struct sctp_initmsg im = {.sinit_num_ostreams = SCTP_STREAMS,
				  .sinit_max_instreams = SCTP_STREAMS};
	int on = 1;
	/* a reload or a reconfiguration aborts: the peer learns at once */
	struct linger lg = {.l_onoff = 1, .l_linger = 0};
	uint16_t evs[] = {SCTP_ASSOC_CHANGE, SCTP_PEER_ADDR_CHANGE,
			  SCTP_SEND_FAILED_EVENT, SCTP_REMOTE_ERROR,
			  SCTP_SHUTDOWN_EVENT};
	bool ok = usrsctp_set_non_blocking(a->so, 1) == 0;
	ok &= sockopt(a, IPPROTO_SCTP, SCTP_RTOINFO, &rto, sizeof rto, "RTO");
	ok &= sockopt(a, IPPROTO_SCTP, SCTP_ASSOCINFO, &ap, sizeof ap,
		      "assoc-retransmit");
	ok &= sockopt(a, IPPROTO_SCTP, SCTP_PEER_ADDR_PARAMS, &pp, sizeof pp,
		      "path parameters");
	ok &= sockopt(a, IPPROTO_SCTP, SCTP_INITMSG, &im, sizeof im, "INIT");
	/* without it, Nagle and delayed SACK stall small messages */
	ok &= sockopt(a, IPPROTO_SCTP, SCTP_NODELAY, &on, sizeof on, "NODELAY");
	ok &= sockopt(a, SOL_SOCKET, SO_LINGER, &lg, sizeof lg, "linger");
	for (size_t i = 0; i < sizeof evs / sizeof evs[0]; i++) {
		struct sctp_event ev = {.se_assoc_id = SCTP_ALL_ASSOC,
					.se_on = 1, .se_type = evs[i]};
		ok &= sockopt(a, IPPROTO_SCTP, SCTP_EVENT, &ev, sizeof ev,
			      "events");
	}
	return ok;
}

static struct sockaddr_conn conn_addr(void *token, uint16_t port)
{
	struct sockaddr_conn sc;
	memset(&sc, 0, sizeof sc);
	sc.sconn_family = AF_CONN;
	sc.sconn_port = htons(port);
	sc.sconn_addr = token;
	return sc;
}

static void sock_close(struct assoc *a)
{
	if (!a->so)
		return;
	usrsctp_close(a->so);        /* SO_LINGER 0: ABORT */
	usrsctp_deregister_address(a->token);
	a->so = NULL;
	a->token = NULL;
	sbuf_reset(&a->partial);
	a->partial_on = false;
	a->full = false;
}

static void start(struct assoc *a);

static void on_retry(struct ev_loop *loop, ev_timer *w, int revents)
{
	start(w->data);
	drain();
}

/* The association failed or was lost: tell the channel, close, and try
 * again in a moment (the peer may be booting). */
static void fail(struct assoc *a, const char *why)
{
	bool was_up = a->state == SCTP_RUN_ESTABLISHED;
	debug(IPC_DBG_SCTP_STATE, a, "%s", why);
	sock_close(a);
	set_state(a, SCTP_RUN_BACKOFF);
	ev_timer_stop(core_loop, &a->retry);
	ev_timer_set(&a->retry, SCTP_RETRY_S, 0.);
	ev_timer_start(core_loop, &a->retry);
	if (was_up)
		ipc_chan_link(a->id, false);
}

static void start(struct assoc *a)
{
	char why[128];
	const struct ipc_assoc_cfg *c = ipc_assoc_lookup(a->id);
	const char *bad = !s.booted ? "the router is booting"
			  : c ? ipc_assoc_unusable(c, why, sizeof why)
			      : "not configured";
	ev_timer_stop(core_loop, &a->retry);
	if (bad) {
		snprintf(a->why, sizeof a->why, "%s", bad);
		set_state(a, SCTP_RUN_IDLE);
		return;
	}
	a->cfg = c->sctp_cfg;
	a->why[0] = '\0';
	/* a new association: its TSNs start afresh */
	a->st.in.have_tsn = a->st.out.have_tsn = false;
	a->token = (void *)s.next_token++;
	usrsctp_register_address(a->token);
	a->so = usrsctp_socket(AF_CONN, SOCK_STREAM, IPPROTO_SCTP, on_receive,
			       on_send_room, SCTP_SNDBUF_LOWAT, a->token);
	if (!a->so) {
		usrsctp_deregister_address(a->token);
		a->token = NULL;
		fail(a, "cannot open a socket");
		return;
	}
	struct sockaddr_conn l = conn_addr(a->token, a->cfg.local_port);
	struct sockaddr_conn r = conn_addr(a->token, a->cfg.remote_port);
	if (!sock_tune(a) ||
	    usrsctp_bind(a->so, (struct sockaddr *)&l, sizeof l) < 0) {
		fail(a, "cannot bind the local port");
		return;
	}
	set_state(a, SCTP_RUN_COOKIE_WAIT);
	debug(IPC_DBG_SCTP_INIT, a, "INIT to port %u", a->cfg.remote_port);
	if (usrsctp_connect(a->so, (struct sockaddr *)&r, sizeof r) < 0 &&
	    errno != EINPROGRESS)
		fail(a, "connect refused");
}

/* Stop association A, or restart it with what is configured now. */
static void stop(struct assoc *a, const char *why)
{
	bool was_up = a->state == SCTP_RUN_ESTABLISHED;
	sock_close(a);
	ev_timer_stop(core_loop, &a->retry);
	snprintf(a->why, sizeof a->why, "%s", why);
	set_state(a, SCTP_RUN_IDLE);
	if (was_up)
		ipc_chan_link(a->id, false);
}

/* ---- handling what usrsctp said ------------------------------------------------ */

static void assoc_change(struct assoc *a, const struct sctp_assoc_change *ac)
{
	debug(IPC_DBG_SCTP_SIGNAL, a, "ASSOC_CHANGE state %u error %u",
	      ac->sac_state, ac->sac_error);
	switch (ac->sac_state) {
	case SCTP_COMM_UP:
		a->st.comm_up++;
		set_state(a, SCTP_RUN_ESTABLISHED);
		ipc_chan_link(a->id, true);
		break;
	case SCTP_RESTART:
		/* the peer restarted: a new peer for the channel */
		a->st.restarts++;
		if (a->state == SCTP_RUN_ESTABLISHED)
			ipc_chan_link(a->id, false);
		set_state(a, SCTP_RUN_ESTABLISHED);
		ipc_chan_link(a->id, true);
		break;
	case SCTP_COMM_LOST:
		a->st.comm_lost++;
		fail(a, "communication lost");
		break;
	case SCTP_CANT_STR_ASSOC:
		a->st.cant_start++;
		fail(a, "cannot start the association");
		break;
	case SCTP_SHUTDOWN_COMP:
		fail(a, "shut down by the peer");
		break;
	}
}

static void notification(struct assoc *a, const uint8_t *p, size_t len)
{
	const union sctp_notification *n = (const void *)p;
	if (len < sizeof n->sn_header)
		return;
	switch (n->sn_header.sn_type) {
	case SCTP_ASSOC_CHANGE:
		if (len >= sizeof n->sn_assoc_change)
			assoc_change(a, &n->sn_assoc_change);
		break;
	case SCTP_PEER_ADDR_CHANGE:
		if (len >= sizeof n->sn_paddr_change)
			debug(IPC_DBG_SCTP_SIGNAL, a, "PEER_ADDR_CHANGE "
			      "state %u", n->sn_paddr_change.spc_state);
		break;
	case SCTP_SEND_FAILED_EVENT:
		debug(IPC_DBG_SCTP_WARN, a, "send failed");
		break;
	case SCTP_REMOTE_ERROR:
		debug(IPC_DBG_SCTP_WARN, a, "peer reported an error");
		break;
	case SCTP_SHUTDOWN_EVENT:
		debug(IPC_DBG_SCTP_SIGNAL, a, "peer shutdown");
		break;
	}
}

/* A message may come in pieces (partial delivery): they are put together
 * up to what one channel message can be. */
static void data(struct assoc *a, struct pending *p)
{
	bool eor = p->flags & MSG_EOR;
	if (!a->partial_on && eor) {
		a->st.rx_msgs++;
		ipc_chan_input(a->id, p->sid, p->data, p->len);
		return;
	}
	if (a->partial_on && p->sid != a->partial_sid) {
		sbuf_reset(&a->partial);   /* cannot happen without interleaving */
		a->partial_on = false;
	}
	if (a->partial.len + p->len > IPC_HDR_LEN + IPC_MSG_MAX) {
		/* too big to be a message: dropped, the rest of it too */
		sbuf_reset(&a->partial);
		a->partial_on = !eor;
		a->partial_sid = p->sid;
		ipc_chan_input(a->id, p->sid, NULL, 0);   /* counted: short */
		return;
	}
	sbuf_add(&a->partial, p->data, p->len);
	a->partial_on = !eor;
	a->partial_sid = p->sid;
	if (eor) {
		a->st.rx_msgs++;
		ipc_chan_input(a->id, p->sid, (const uint8_t *)a->partial.s,
			       a->partial.len);
		sbuf_reset(&a->partial);
	}
}

static void handle(struct pending *p)
{
	struct assoc *a = by_token(p->token);
	if (!a)
		return;   /* an incarnation that is gone */
	switch (p->kind) {
	case P_DATA:
		data(a, p);
		break;
	case P_NOTIF:
		notification(a, p->data, p->len);
		break;
	case P_WRITABLE:
		if (a->full && a->state == SCTP_RUN_ESTABLISHED) {
			a->full = false;
			ipc_chan_writable(a->id);
		}
		break;
	case P_EOF:
		if (a->so)
			fail(a, "socket closed");
		break;
	}
}

static void drain(void)
{
	if (s.draining)
		return;
	s.draining = true;
	while (s.phead) {
		struct pending *p = s.phead;
		s.phead = p->next;
		if (!s.phead)
			s.ptail = NULL;
		s.npending--;
		handle(p);
		free(p->data);
		free(p);
	}
	s.draining = false;
}

static void on_later(struct ev_loop *loop, ev_timer *w, int revents)
{
	drain();
}

/* ---- time ----------------------------------------------------------------------- */

static void on_tick(struct ev_loop *loop, ev_timer *w, int revents)
{
	double now = ev_now(loop);
	double ms = (now - s.last_tick) * 1000.0;
	if (ms < 1)
		return;
	uint32_t whole = (uint32_t)ms;
	s.last_tick += whole / 1000.0;
	usrsctp_handle_timers(whole);
	drain();
}

/* ---- packets in ------------------------------------------------------------------ */

/* IP protocol 132 to one of the router's addresses: the association whose
 * ports and addresses it carries, else a counted drop. */
static void ip_input(const struct ip_rx *rx)
{
	if (rx->len < 12) {
		s.drops.runt++;
		return;
	}
	uint16_t sport = (uint16_t)(rx->payload[0] << 8 | rx->payload[1]);
	uint16_t dport = (uint16_t)(rx->payload[2] << 8 | rx->payload[3]);
	bool port_used = false;
	for (struct assoc *a = s.list; a; a = a->next) {
		if (!a->so || a->cfg.local_port != dport)
			continue;
		port_used = true;
		if (a->cfg.remote_port != sport ||
		    a->cfg.local_ip[0] != rx->dst ||
		    a->cfg.remote_ip[0] != rx->src)
			continue;
		a->st.rx_pkts++;
		a->st.rx_bytes += rx->len;
		sctp_chunks_count(&a->st.in, rx->payload, rx->len, false);
		usrsctp_conninput(a->token, rx->payload, rx->len,
				  (uint8_t)(rx->tos & 3));
		drain();
		return;
	}
	if (port_used) {
		s.drops.bad_addr++;
		if (ipc_debug & IPC_DBG_SCTP_WARN) {
			char b[16];
			log_debug("SCTP: packet for port %u from %s dropped: "
				  "not the configured remote-ip", dport,
				  ip_fmt(rx->src, b));
		}
	} else {
		s.drops.no_assoc++;
	}
}

/* ---- the channel's calls ----------------------------------------------------------- */

int sctp_send(unsigned id, uint16_t sid, const void *msg, size_t len)
{
	struct assoc *a = by_id(id);
	if (!a || !a->so || a->state != SCTP_RUN_ESTABLISHED)
		return IPC_DOWN;
	struct sctp_sndinfo si = {.snd_sid = sid, .snd_ppid = htonl(SCTP_PPID)};
	ssize_t n = usrsctp_sendv(a->so, msg, len, NULL, 0, &si, sizeof si,
				  SCTP_SENDV_SNDINFO, 0);
	/* callbacks of the send are handled from the loop: the channel is
	 * in the middle of its queues */
	if (s.phead)
		drain_later();
	if (n < 0) {
		if (errno == EWOULDBLOCK || errno == EAGAIN) {
			a->full = true;
			return IPC_FULL;
		}
		debug(IPC_DBG_SCTP_WARN, a, "send: %s", strerror(errno));
		return IPC_DOWN;
	}
	a->st.tx_msgs++;
	return IPC_SENT;
}

void sctp_restart(unsigned id, const char *why)
{
	struct assoc *a = by_id(id);
	if (!a || !a->so)
		return;
	fail(a, why);
	drain_later();
}

/* ---- configuration and interfaces -------------------------------------------------- */

/* usrsctp's time runs while an association is configured: a router
 * without one never wakes up for it. */
static void tick_update(void)
{
	if (s.list && !ev_is_active(&s.tick)) {
		s.last_tick = ev_now(core_loop);
		ev_timer_again(core_loop, &s.tick);
	} else if (!s.list && ev_is_active(&s.tick)) {
		ev_timer_stop(core_loop, &s.tick);
	}
}

static struct assoc *assoc_new(unsigned id)
{
	struct assoc *a = xcalloc(1, sizeof *a);
	a->id = id;
	a->since = core_uptime();
	sbuf_init(&a->partial);
	ev_timer_init(&a->retry, on_retry, 0., 0.);
	a->retry.data = a;
	struct assoc **pp = &s.list;
	while (*pp && (*pp)->id < id)
		pp = &(*pp)->next;
	a->next = *pp;
	*pp = a;
	tick_update();
	return a;
}

static void assoc_free(struct assoc *a)
{
	stop(a, "removed");
	for (struct assoc **pp = &s.list; *pp; pp = &(*pp)->next)
		if (*pp == a) {
			*pp = a->next;
			break;
		}
	sbuf_free(&a->partial);
	free(a);
	tick_update();
}

static bool same_cfg(const struct ipc_sctp_cfg *x, const struct ipc_sctp_cfg *y)
{
	return !memcmp(x, y, sizeof *x);
}

/* Association ID as configured now: unchanged, started, stopped or
 * restarted (a configuration change re-establishes the association). */
static void reconsider(unsigned id)
{
	const struct ipc_assoc_cfg *c = ipc_assoc_lookup(id);
	struct assoc *a = by_id(id);
	if (!c) {
		if (a)
			assoc_free(a);
		return;
	}
	if (!a)
		a = assoc_new(id);
	char why[128];
	const char *bad = !s.booted ? "the router is booting"
			  : ipc_assoc_unusable(c, why, sizeof why);
	bool running = a->so || a->state == SCTP_RUN_BACKOFF;
	if (bad) {
		if (running || strcmp(a->why, bad))
			stop(a, bad);
		return;
	}
	if (running && same_cfg(&a->cfg, &c->sctp_cfg))
		return;
	if (running)
		stop(a, "reconfigured");
	start(a);
}

static void reconsider_all(void)
{
	for (const struct ipc_assoc_cfg *c = ipc_assoc_next(NULL); c;
	     c = ipc_assoc_next(c))
		reconsider(c->id);
	drain();
}

static void on_cfg_change(unsigned id, void *ctx)
{
	reconsider(id);
	drain();
}

static void on_iface_event(enum core_event ev, void *data, void *ctx)
{
	if (s.booted)
		reconsider_all();
}

static void on_boot(enum core_event ev, void *data, void *ctx)
{
	s.booted = true;
	reconsider_all();
}

/* ---- views for show ------------------------------------------------------------------ */

bool sctp_assoc_view(unsigned id, struct sctp_assoc_view *v)
{
	const struct ipc_assoc_cfg *c = ipc_assoc_lookup(id);
	struct assoc *a = by_id(id);
	if (!c)
		return false;
	memset(v, 0, sizeof *v);
	v->id = id;
	v->cfg = a && (a->so || a->state == SCTP_RUN_BACKOFF) ? &a->cfg
							       : &c->sctp_cfg;
	v->state = a ? a->state : SCTP_RUN_IDLE;
	v->why_idle = a && a->why[0] ? a->why
		      : !s.booted ? "the router is booting" : "not started";
	v->since = a ? a->since : 0;
	if (a)
		v->stats = a->st;
	if (!a || !a->so || a->state != SCTP_RUN_ESTABLISHED)
		return true;
	struct sctp_status st;
	socklen_t n = sizeof st;
	memset(&st, 0, sizeof st);
	if (usrsctp_getsockopt(a->so, IPPROTO_SCTP, SCTP_STATUS, &st, &n) == 0) {
		v->have_status = true;
		v->rto_ms = st.sstat_primary.spinfo_rto;
		v->srtt_ms = st.sstat_primary.spinfo_srtt;
		v->cwnd = st.sstat_primary.spinfo_cwnd;
		v->mtu = st.sstat_primary.spinfo_mtu;
		v->peer_rwnd = st.sstat_rwnd;
		v->in_streams = st.sstat_instrms;
		v->out_streams = st.sstat_outstrms;
		v->unacked = st.sstat_unackdata;
		v->pending = st.sstat_penddata;
	}
	struct sctp_assocparams ap;
	n = sizeof ap;
	memset(&ap, 0, sizeof ap);
	if (usrsctp_getsockopt(a->so, IPPROTO_SCTP, SCTP_ASSOCINFO, &ap, &n) == 0)
		v->local_rwnd = ap.sasoc_local_rwnd;
	if (s.phead)
		drain_later();
	return true;
}

const struct sctp_drop_stats *sctp_drops(void)
{
	return &s.drops;
}

void sctp_clear_stats(void)
{
	memset(&s.drops, 0, sizeof s.drops);
	for (struct assoc *a = s.list; a; a = a->next)
		memset(&a->st, 0, sizeof a->st);
}

/* ---- lifetime -------------------------------------------------------------------------- */

void ipc_sctp_reset(void)
{
	while (s.list)
		assoc_free(s.list);
	drain();
	s.booted = false;
	memset(&s.drops, 0, sizeof s.drops);
}

/* A reload aborts the associations before any subsystem resets: the
 * ABORT leaves while the rest of the router still stands, so `security
 * ipsec` protects it like every other IPC packet (after crypto's reset it
 * would go in clear). */
static void on_reload(enum core_event ev, void *data, void *ctx)
{
	/* only the sockets: the channel hears of the loss at the reset, in
	 * the order it always has */
	for (struct assoc *a = s.list; a; a = a->next)
		sock_close(a);
	drain();
}

/* At exit: usrsctp lets go once its sockets are gone. */
static void sctp_finish(void)
{
	while (s.list)
		assoc_free(s.list);
	drain();
	for (int i = 0; i < 100 && usrsctp_finish() != 0; i++)
		usrsctp_handle_timers(SCTP_TICK_MS);
}

void ipc_sctp_init(void)
{
	if (!s.lib) {
		usrsctp_init_nothreads(0, conn_output, NULL);
		usrsctp_sysctl_set_sctp_ecn_enable(0);
		atexit(sctp_finish);
		s.lib = true;
	}
	ev_timer_init(&s.later, on_later, 0., 0.);
	ev_timer_init(&s.tick, on_tick, 0., SCTP_TICK_MS / 1000.0);
	ip_register_proto(132, ip_input);
	ipc_on_change(on_cfg_change, NULL);
	core_subscribe(EVT_BOOT_DONE, on_boot, NULL);
	core_subscribe(EVT_RELOAD, on_reload, NULL);
	static const enum core_event evs[] = {
		EVT_IFACE_ADDED, EVT_IFACE_REMOVED, EVT_IFACE_ADDR,
		EVT_CONFIG_CHANGED,   /* a new virtual address, say */
	};
	for (size_t i = 0; i < sizeof evs / sizeof evs[0]; i++)
		core_subscribe(evs[i], on_iface_event, NULL);
}
