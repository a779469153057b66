/* Unit tests of the IPC message channel and the redundancy facility, with
 * the SCTP transport replaced by a capture (what the router would put on
 * the association) and the peer played by the test: messages built here
 * go in through the channel's receive path.
 *
 *  - the channel: header checks with a counted verdict per malformed
 *    shape, sequence order, a peer of another version refused with a log
 *    line, bounded queues with IPC_FULL and writable();
 *  - RF's messages: round trips, and every malformed HELLO/STATE/BULK_REQ
 *    and checkpoint control rejected;
 *  - the state machine: NEGOTIATION -> ACTIVE through IOS's progression
 *    when the scheme's HSRP group goes Active, the bulk of a 10,000-message
 *    client streamed under flow control, the standby's acknowledgement;
 *  - the reload rules: a router that is not a clean standby reloads when
 *    it finds an ACTIVE peer (once: after that RF-induced reload it goes
 *    STANDBY COLD -> COLD-BULK -> HOT), an ACTIVE that relinquishes
 *    reloads with seed 004's log line, a standby that lost its link while
 *    hot reloads when it hears the ACTIVE again;
 *  - keepalives: the threshold resets the link;
 *  - the configuration digest client: refusal with a reason while crypto
 *    sections differ, acceptance when they match;
 *  - standby preempt delay sync: preemption waits for STANDBY HOT. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../core/core.h"
#include "../../router/router.h"
#include "../../cli/cli.h"
#include "../../platform/platform_int.h"
#include "../../hsrp/hsrp_int.h"
#include "../../ipc/ipc_int.h"
#include "../../ha/ha_int.h"

#include <openssl/evp.h>

static const struct ipc_client_ops t_ops;
static struct ipc_client *t_client;
static const struct rf_client_ops tc_ops;
static struct { struct rf_client *c; int next, got, begins, incr; bool refuse; } tc;

/* ---- the capture transport ------------------------------------------------ */

#define MAXOUT 20000
static struct out {
	uint16_t sid;
	struct ipc_hdr h;
	uint8_t *payload;
} outs[MAXOUT];
static int nout;
static int room = -1;          /* messages the transport takes; -1: any */
static int restarts;
static char restart_why[128];

static int cap_send(unsigned id, uint16_t sid, const void *msg, size_t len)
{
	if (room == 0)
		return IPC_FULL;
	if (room > 0)
		room--;
	assert_true(len >= IPC_HDR_LEN);
	if (nout < MAXOUT) {
		struct out *o = &outs[nout++];
		o->sid = sid;
		assert_int_equal(ipc_hdr_decode(msg, len, &o->h), IPC_RX_OK);
		o->payload = xmalloc(len - IPC_HDR_LEN + 1);
		memcpy(o->payload, (const uint8_t *)msg + IPC_HDR_LEN,
		       len - IPC_HDR_LEN);
	}
	return IPC_SENT;
}

static void cap_restart(unsigned id, const char *why)
{
	restarts++;
	snprintf(restart_why, sizeof restart_why, "%s", why);
}

static const struct ipc_transport cap = {.send = cap_send,
					 .restart = cap_restart};

static void outs_clear(void)
{
	for (int i = 0; i < nout; i++)
		free(outs[i].payload);
	nout = 0;
}

/* The last message the router sent for CLIENT of TYPE, NULL if none. */
static struct out *sent(uint16_t client, uint16_t type)
{
	for (int i = nout - 1; i >= 0; i--)
		if (outs[i].h.client == client && outs[i].h.type == type)
			return &outs[i];
	return NULL;
}

static int count_sent(uint16_t client, uint16_t type)
{
	int n = 0;
	for (int i = 0; i < nout; i++)
		n += outs[i].h.client == client && outs[i].h.type == type;
	return n;
}

/* ---- the peer ------------------------------------------------------------------ */

static uint32_t peer_seq[70000];

static void peer_raw(const uint8_t *msg, size_t len)
{
	ipc_chan_input(1, 0, msg, len);
}

static void peer_send(uint16_t client, uint16_t type, const void *p,
		      size_t len)
{
	uint8_t buf[IPC_HDR_LEN + 1024];
	assert_true(len <= 1024);
	struct ipc_hdr h = {.version = IPC_MSG_VERSION, .client = client,
			    .type = type, .seq = ++peer_seq[client],
			    .len = (uint32_t)len};
	ipc_hdr_encode(&h, buf);
	if (len)
		memcpy(buf + IPC_HDR_LEN, p, len);
	peer_raw(buf, IPC_HDR_LEN + len);
}

static void peer_rf(uint16_t type, const struct rf_msg *m)
{
	uint8_t buf[1024];
	size_t n = rf_msg_encode(type, m, buf, sizeof buf);
	assert_true(n > 0);
	peer_send(RF_CLIENT_INTERNAL, type, buf, n);
}

/* The peer's HELLO: STATE, with the clients this router has. */
static void peer_hello(enum rf_state state)
{
	struct rf_msg m;
	memset(&m, 0, sizeof m);
	m.state = (uint8_t)state;
	snprintf(m.host, sizeof m.host, "PEER");
	snprintf(m.image, sizeof m.image, "%s", IOS_IMAGE_VERSION);
	snprintf(m.scheme, sizeof m.scheme, "HA");
	m.nclients = rf_client_ids(m.clients, RF_MAX_CLIENTS);
	peer_rf(RF_MSG_HELLO, &m);
}

static void peer_state(enum rf_state state)
{
	struct rf_msg m = {.state = (uint8_t)state};
	peer_rf(RF_MSG_STATE, &m);
}

/* The link comes up: every sequence starts again. */
static void link_up(void)
{
	memset(peer_seq, 0, sizeof peer_seq);
	ipc_chan_link(1, true);
}

/* ---- helpers --------------------------------------------------------------------- */

static uint32_t A4(const char *s)
{
	uint32_t a;
	assert_true(ip_parse(s, &a));
	return a;
}

static struct sbuf logs;

static void log_sink(const char *line, int sev)
{
	sbuf_printf(&logs, "%s\n", line);
}

static bool logged(const char *s)
{
	return logs.s && strstr(logs.s, s);
}

static int cfg(const char *text)
{
	struct sbuf e;
	sbuf_init(&e);
	int n = cli_exec_config_text(text, &e);
	if (n)
		print_message("config errors: %s\n", e.s);
	sbuf_free(&e);
	return n;
}

/* Run what the loop has due now (deferred reactions, a reload). */
static void loop_once(void)
{
	for (int i = 0; i < 4; i++)
		ev_run(core_loop, EVRUN_NOWAIT);
}

static const char pair_cfg[] =
	"redundancy inter-device\n"
	" scheme standby HA\n"
	"interface FastEthernet0/0\n"
	" ip address 10.0.0.1 255.255.255.0\n"
	" no shutdown\n"
	" standby delay reload 0\n"
	" standby 1 ip 10.0.0.3\n"
	" standby 1 name HA\n"
	"crypto isakmp policy 1\n"
	" authentication pre-share\n"
	"crypto isakmp key S3cret address 10.0.0.9\n";

static struct hsrp_group *group(void)
{
	struct iface *ifp = iface_find("FastEthernet0/0");
	assert_non_null(ifp);
	struct hsrp_group *g = hsrp_group_find(hsrp_if_find(ifp), 1);
	assert_non_null(g);
	return g;
}

/* Boot this router with PAIR_CFG as its startup-config: a reload with
 * REASON (NULL: a power-on) rebuilds it and EVT_BOOT_DONE starts RF. */
static void boot(const char *reason)
{
	char err[128];
	assert_int_equal(nvram_write_startup(pair_cfg, err, sizeof err), 0);
	if (reason) {
		core_reload(reason);
		loop_once();
		assert_false(core_reload_pending());
	} else {
		core_reset_all();
		assert_int_equal(cfg(pair_cfg), 0);
		core_publish(EVT_BOOT_DONE, NULL);
	}
	ipc_chan_set_transport(&cap);
	outs_clear();
}

static void set_group(enum hsrp_state st)
{
	hsrp_group_set_state(group(), st);
	loop_once();
}

static int setup(void **s)
{
	core_reset_all();
	ipc_chan_set_transport(&cap);
	outs_clear();
	room = -1;
	restarts = 0;
	sbuf_reset(&logs);
	return 0;
}

static int teardown(void **s)
{
	outs_clear();
	return 0;
}

static int group_setup(void **s)
{
	router_init();
	sbuf_init(&logs);
	log_set_console_sink(log_sink);
	t_client = ipc_client_register(&t_ops, NULL);
	tc.c = rf_client_register(&tc_ops, NULL);
	assert_non_null(t_client);
	assert_non_null(tc.c);
	return 0;
}

static int group_teardown(void **s)
{
	core_reset_all();
	outs_clear();
	sbuf_free(&logs);
	return 0;
}

/* ---- the channel ------------------------------------------------------------------ */

static uint64_t drops(enum ipc_rx_verdict v)
{
	return ipc_chan_stats()->rx_drop[v];
}

static void test_header_checks(void **s)
{
	link_up();
	uint8_t m[IPC_HDR_LEN + 8];
	struct ipc_hdr h = {.version = IPC_MSG_VERSION, .client = 0,
			    .type = RF_MSG_KEEPALIVE, .seq = 1, .len = 4};
	ipc_hdr_encode(&h, m);
	memset(m + IPC_HDR_LEN, 0, 4);
	peer_raw(m, 10);                                  /* truncated */
	assert_int_equal(drops(IPC_RX_SHORT), 1);
	peer_raw(m, IPC_HDR_LEN + 3);                     /* length */
	assert_int_equal(drops(IPC_RX_LENGTH), 1);
	m[1] = 0x80;                                      /* flags */
	peer_raw(m, IPC_HDR_LEN + 4);
	assert_int_equal(drops(IPC_RX_HEADER), 1);
	m[1] = 0;
	h.client = 4321;                                  /* no such port */
	ipc_hdr_encode(&h, m);
	peer_raw(m, IPC_HDR_LEN + 4);
	assert_int_equal(drops(IPC_RX_CLIENT), 1);
	h.client = 0;
	h.type = 99;                                      /* unknown type */
	ipc_hdr_encode(&h, m);
	peer_raw(m, IPC_HDR_LEN + 4);
	assert_int_equal(drops(IPC_RX_TYPE), 1);
	h.type = RF_MSG_KEEPALIVE;
	h.seq = 7;                                        /* a gap */
	ipc_hdr_encode(&h, m);
	peer_raw(m, IPC_HDR_LEN + 4);
	assert_int_equal(drops(IPC_RX_ORDER), 1);
	h.seq = 1;
	ipc_hdr_encode(&h, m);
	peer_raw(m, IPC_HDR_LEN + 4);                     /* accepted */
	assert_int_equal(ipc_chan_stats()->rx_msgs, 1);
	peer_raw(m, IPC_HDR_LEN + 4);                     /* a replay */
	assert_int_equal(drops(IPC_RX_ORDER), 2);
	h.seq = 2;
	h.len = IPC_MSG_MAX + 1;                          /* too big */
	ipc_hdr_encode(&h, m);
	peer_raw(m, IPC_HDR_LEN + 4);
	assert_int_equal(drops(IPC_RX_TOOBIG), 1);
	/* none of it took the link down */
	assert_true(ipc_link_up());
	char *o = cli_exec_capture("show ipc status");
	char want[128];
	snprintf(want, sizeof want, "%-40s%11d\n", "  out of sequence", 2);
	assert_non_null(strstr(o, want));
	snprintf(want, sizeof want, "%-40s%11d %11d\n", "Total Messages", 1, 0);
	assert_non_null(strstr(o, want));
	free(o);
}

static void test_version_refused(void **s)
{
	link_up();
	uint8_t m[IPC_HDR_LEN];
	struct ipc_hdr h = {.version = 2, .client = 0, .type = 1, .seq = 1};
	ipc_hdr_encode(&h, m);
	peer_raw(m, sizeof m);
	assert_int_equal(drops(IPC_RX_VERSION), 1);
	assert_true(logged("%IPC-3-VERSION: Peer 0.0.0.0 on association 1 "
			   "speaks IPC message version 2, this router version "
			   "1: peer refused"));
	assert_false(ipc_link_up());
	/* not trusted for the rest of the link: even good messages */
	peer_send(0, RF_MSG_KEEPALIVE, "\0\0\0\1", 4);
	assert_int_equal(drops(IPC_RX_UNTRUSTED), 1);
	peer_raw(m, sizeof m);
	const char *first = strstr(logs.s, "%IPC-3-VERSION");
	assert_null(strstr(first + 1, "%IPC-3-VERSION"));   /* logged once */
	/* a new link is a new peer */
	ipc_chan_link(1, false);
	link_up();
	assert_true(ipc_link_up());
}

static unsigned writable_calls;
static void t_writable(void *ctx) { writable_calls++; }
static void t_recv(void *ctx, uint16_t t, const uint8_t *p, size_t n) {}
static const struct ipc_client_ops t_ops = {
	.name = "test", .id = 4000, .ntypes = 2, .recv = t_recv,
	.writable = t_writable,
};

/* A peer that takes nothing: the queue grows to its bound, no further;
 * room again: it drains in order and the client hears writable. */
static void test_flow_control(void **s)
{
	link_up();
	room = 0;
	writable_calls = 0;
	uint8_t p[1000];
	memset(p, 0xab, sizeof p);
	int accepted = 0;
	for (int i = 0; i < 1000; i++) {
		int rc = ipc_send(t_client, 1, p, sizeof p);
		if (rc == IPC_FULL)
			break;
		assert_int_equal(rc, IPC_SENT);
		accepted++;
	}
	assert_true(accepted < 100);
	assert_true(ipc_client_queued(t_client) <= IPC_QUEUE_MAX + IPC_HDR_LEN +
		    sizeof p);
	assert_int_equal(ipc_send(t_client, 1, p, sizeof p), IPC_FULL);
	assert_int_equal(ipc_send(t_client, 1, p, IPC_MSG_MAX + 1), IPC_TOOBIG);
	room = -1;
	ipc_chan_writable(1);
	assert_int_equal(ipc_client_queued(t_client), 0);
	assert_int_equal(writable_calls, 1);
	assert_int_equal(nout, accepted);
	for (int i = 0; i < nout; i++)
		assert_int_equal(outs[i].h.seq, (uint32_t)i + 1);
	/* a link down empties the queue and says IPC_DOWN */
	room = 0;
	ipc_send(t_client, 1, p, sizeof p);
	ipc_send(t_client, 1, p, sizeof p);
	ipc_chan_link(1, false);
	assert_int_equal(ipc_client_queued(t_client), 0);
	assert_int_equal(ipc_send(t_client, 1, p, sizeof p), IPC_DOWN);
}

/* ---- RF's messages ------------------------------------------------------------------ */

static void test_rf_codec(void **s)
{
	struct rf_msg m, d;
	uint8_t b[1024];
	memset(&m, 0, sizeof m);
	m.state = RF_STANDBY_HOT;
	m.hsrp_active = true;
	m.state_age = 77;
	m.uptime = 12345;
	strcpy(m.host, "R1");
	strcpy(m.image, "img");
	strcpy(m.scheme, "HA");
	m.nclients = 2;
	m.clients[0] = 110;
	m.clients[1] = 7;
	size_t n = rf_msg_encode(RF_MSG_HELLO, &m, b, sizeof b);
	assert_int_equal(n, 12 + RF_HOST_MAX + RF_IMAGE_MAX + RF_SCHEME_MAX + 4);
	assert_int_equal(rf_msg_decode(RF_MSG_HELLO, b, n, &d), 0);
	assert_int_equal(d.state, RF_STANDBY_HOT);
	assert_true(d.hsrp_active);
	assert_false(d.clean);
	assert_int_equal(d.uptime, 12345);
	assert_string_equal(d.host, "R1");
	assert_int_equal(d.nclients, 2);
	assert_int_equal(d.clients[1], 7);
	/* every malformed shape */
	assert_int_equal(rf_msg_decode(RF_MSG_HELLO, b, n - 1, &d), -1);
	b[0] = 16;                                        /* no such state */
	assert_int_equal(rf_msg_decode(RF_MSG_HELLO, b, n, &d), -1);
	b[0] = RF_ACTIVE;
	b[1] = 0x80;                                      /* unknown flag */
	assert_int_equal(rf_msg_decode(RF_MSG_HELLO, b, n, &d), -1);
	b[1] = 0;
	memset(b + 12, 'x', RF_HOST_MAX);                 /* unterminated */
	assert_int_equal(rf_msg_decode(RF_MSG_HELLO, b, n, &d), -1);
	strcpy((char *)b + 12, "R\x01");                  /* unprintable */
	assert_int_equal(rf_msg_decode(RF_MSG_HELLO, b, n, &d), -1);
	strcpy((char *)b + 12, "R1");
	b[n - 1] = 110;                                   /* a client twice */
	b[n - 2] = 0;
	assert_int_equal(rf_msg_decode(RF_MSG_HELLO, b, n, &d), -1);
	m.state = RF_ACTIVE;
	m.state_age = 5;
	n = rf_msg_encode(RF_MSG_STATE, &m, b, sizeof b);
	assert_int_equal(n, 8);
	assert_int_equal(rf_msg_decode(RF_MSG_STATE, b, n, &d), 0);
	assert_int_equal(d.state_age, 5);
	b[3] = 1;                                         /* reserved */
	assert_int_equal(rf_msg_decode(RF_MSG_STATE, b, n, &d), -1);
	assert_int_equal(rf_msg_decode(RF_MSG_KEEPALIVE, b, 3, &d), -1);
	assert_int_equal(rf_msg_decode(RF_MSG_BULK_REQ, b, 1, &d), -1);
	b[0] = 0;
	b[1] = 20;                                        /* 20 > the max */
	assert_int_equal(rf_msg_decode(RF_MSG_BULK_REQ, b, 42, &d), -1);
	assert_int_equal(rf_msg_decode(99, b, 4, &d), -1);
	/* checkpoint control */
	uint32_t c;
	assert_int_equal(rf_ck_end_decode(b, 3, &c), -1);
	bool ok;
	char why[RF_REASON_MAX + 1];
	n = rf_ck_ack_encode(false, "differs", b, sizeof b);
	assert_int_equal(rf_ck_ack_decode(b, n, &ok, why, sizeof why), 0);
	assert_false(ok);
	assert_string_equal(why, "differs");
	assert_int_equal(rf_ck_ack_decode(b, n - 1, &ok, why, sizeof why), -1);
	b[0] = 1;                                         /* ok with a reason */
	assert_int_equal(rf_ck_ack_decode(b, n, &ok, why, sizeof why), -1);
	b[0] = 2;
	assert_int_equal(rf_ck_ack_decode(b, 2, &ok, why, sizeof why), -1);
}

/* ---- a test client: 10,000 checkpoints ---------------------------------------------- */

#define T_BULK 10000

static bool tc_bulk(void *ctx, bool first)
{
	if (first)
		tc.next = 0;
	while (tc.next < T_BULK) {
		uint32_t v = htonl((uint32_t)tc.next);
		int rc = rf_client_send(tc.c, 1, &v, sizeof v);
		if (rc == IPC_FULL)
			return false;
		assert_int_equal(rc, IPC_SENT);
		tc.next++;
	}
	return true;
}
static void tc_begin(void *ctx) { tc.begins++; tc.got = 0; }
static void tc_recv(void *ctx, uint16_t t, const uint8_t *p, size_t n)
{
	if (t == 2) {
		tc.incr++;
		return;
	}
	uint32_t v;
	assert_int_equal(n, 4);
	memcpy(&v, p, 4);
	assert_int_equal(ntohl(v), (uint32_t)tc.got);   /* in order */
	tc.got++;
}
static const char *tc_end(void *ctx)
{
	return tc.refuse ? "test client says no" : NULL;
}
static const char *const tc_names[] = {NULL, "ENTRY", "UPDATE"};
static const struct rf_client_ops tc_ops = {
	.name = "Test RF", .id = 901, .ntypes = 2, .type_names = tc_names,
	.bulk_send = tc_bulk, .bulk_begin = tc_begin, .recv = tc_recv,
	.bulk_end = tc_end,
};

/* ---- the state machine ------------------------------------------------------------------ */

static void test_simplex_without_scheme(void **s)
{
	assert_int_equal(cfg("interface FastEthernet0/0\n"
			     " ip address 10.0.0.1 255.255.255.0\n"), 0);
	core_publish(EVT_BOOT_DONE, NULL);
	assert_int_equal(rf_status.my, RF_ACTIVE);
	assert_int_equal(rf_status.peer, RF_DISABLED);
	assert_false(rf_status.engaged);
	link_up();
	assert_int_equal(nout, 0);     /* RF says nothing without a scheme */
}

/* The ACTIVE: its group goes Active; a standby asks for its bulk. */
static void test_active_and_bulk(void **s)
{
	boot(NULL);
	assert_int_equal(rf_status.my, RF_NEGOTIATION);
	assert_int_equal(rf_status.interdev, RF_INTERDEV_STATE_NEGO);
	link_up();
	assert_non_null(sent(0, RF_MSG_HELLO));
	peer_hello(RF_NEGOTIATION);
	assert_int_equal(rf_status.peer, RF_NEGOTIATION);
	assert_true(rf_status.duplex);
	set_group(HSRP_ACTIVE);
	assert_int_equal(rf_status.my, RF_ACTIVE);
	assert_int_equal(rf_status.interdev, RF_INTERDEV_STATE_ACT);
	/* IOS's progression, each step in the history */
	char *h = cli_exec_capture("show redundancy history");
	const char *steps[] = {"*my state = INITIALIZATION(2)",
			       "*my state = NEGOTIATION(3)",
			       "*my state = ACTIVE-FAST(9)",
			       "*my state = ACTIVE-DRAIN(10)",
			       "*my state = ACTIVE_PRECONFIG(11)",
			       "*my state = ACTIVE_POSTCONFIG(12)",
			       "*my state = ACTIVE(13)"};
	const char *at = h;
	for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
		at = strstr(at, steps[i]);
		assert_non_null(at);
	}
	free(h);
	/* the standby reaches STANDBY COLD and asks: every client's bulk,
	 * 10,000 messages through a channel that takes 500 at a time */
	peer_state(RF_STANDBY_COLD);
	outs_clear();
	room = 500;
	struct rf_msg req = {.nclients = 0};
	req.nclients = rf_client_ids(req.clients, RF_MAX_CLIENTS);
	peer_rf(RF_MSG_BULK_REQ, &req);
	assert_true(rf_peer_syncing());
	struct ipc_client *ic = NULL;
	for (int i = 0; ipc_client_at(i); i++)
		if (ipc_client_ops(ipc_client_at(i))->id == 901)
			ic = ipc_client_at(i);
	assert_non_null(ic);
	int rounds = 0;
	while (!sent(901, RF_CK_END) && rounds++ < 1000) {
		assert_true(ipc_client_queued(ic) <=
			    IPC_QUEUE_MAX + IPC_HDR_LEN + 4);
		room = 500;
		ipc_chan_writable(1);
	}
	assert_true(rounds > 10);      /* it really waited for room */
	assert_int_equal(count_sent(901, RF_CK_BASE + 1), T_BULK);
	/* BEGIN first, END last, the count in END, all on one stream */
	int first = -1, last = -1;
	for (int i = 0; i < nout; i++)
		if (outs[i].h.client == 901) {
			if (first < 0)
				first = i;
			last = i;
			assert_int_equal(outs[i].sid, outs[first].sid);
		}
	assert_int_equal(outs[first].h.type, RF_CK_BEGIN);
	assert_int_equal(outs[last].h.type, RF_CK_END);
	assert_memory_equal(outs[last].payload, "\0\0\x27\x10", 4);
	/* incremental after the bulk */
	assert_int_equal(rf_client_send(tc.c, 2, "x", 1), IPC_SENT);
	assert_int_equal(sent(901, RF_CK_BASE + 2)->h.seq,
			 sent(901, RF_CK_END)->h.seq + 1);
	/* the standby accepts; show says so */
	uint8_t ack[4];
	size_t n = rf_ck_ack_encode(true, NULL, ack, sizeof ack);
	peer_send(901, RF_CK_ACK, ack, n);
	peer_state(RF_STANDBY_HOT);
	assert_true(logged("%RF-5-RF_TERMINAL_STATE: Terminal state reached "
			   "for (SSO)"));
	char *o = cli_exec_capture("show redundancy clients");
	assert_non_null(strstr(o, " clientID = 901        clientSeq = 901        "
				  "Test RF\n        synchronized (bulk 10000, "
				  "incremental 1 messages)\n"));
	free(o);
	o = cli_exec_capture("show redundancy states");
	assert_non_null(strstr(o, "   my state = 13 -ACTIVE\n"
				  " peer state = 8  -STANDBY HOT\n"
				  "       Mode = Duplex\n"));
	assert_non_null(strstr(o, " Communications = Up\n"));
	free(o);
	room = -1;
}

/* A router that is not a clean standby reloads on an ACTIVE peer; after
 * that reload it goes to STANDBY HOT and never reloads for it again. */
static void test_negotiation_reload_once(void **s)
{
	boot(NULL);
	link_up();
	peer_hello(RF_ACTIVE);
	assert_true(core_reload_pending());
	assert_true(logged("%RF_INTERDEV-4-RELOAD: % RF induced self-reload. "
			   "my state = NEGOTIATION peer state = ACTIVE"));
	loop_once();                   /* the rebuild */
	assert_false(core_reload_pending());
	assert_string_equal(core_reload_reason(), RF_RELOAD_REASON);
	assert_true(rf_status.clean);
	ipc_chan_set_transport(&cap);
	sbuf_reset(&logs);
	link_up();
	peer_hello(RF_ACTIVE);
	assert_false(core_reload_pending());
	assert_int_equal(rf_status.my, RF_NEGOTIATION);
	set_group(HSRP_STANDBY);
	/* COLD, asked for the bulk (COLD-BULK) */
	assert_int_equal(rf_status.my, RF_STANDBY_COLD_BULK);
	assert_non_null(sent(0, RF_MSG_BULK_REQ));
	/* the active streams the test client's bulk, then the digest's */
	tc.refuse = false;
	peer_send(901, RF_CK_BEGIN, NULL, 0);
	for (uint32_t i = 0; i < 50; i++) {
		uint32_t v = htonl(i);
		peer_send(901, RF_CK_BASE + 1, &v, 4);
	}
	peer_send(901, RF_CK_END, "\0\0\0\x32", 4);
	assert_int_equal(tc.got, 50);
	assert_int_equal(rf_status.my, RF_STANDBY_COLD_BULK);   /* digest's */
	/* a digest bulk with no snapshot in it: the digest client refuses,
	 * and show redundancy says why */
	peer_send(RF_CLIENT_CONFIG_DIGEST, RF_CK_BEGIN, NULL, 0);
	peer_send(RF_CLIENT_CONFIG_DIGEST, RF_CK_END, "\0\0\0\0", 4);
	assert_int_equal(rf_status.my, RF_STANDBY_COLD);
	char *o = cli_exec_capture("show redundancy");
	assert_non_null(strstr(o, "    Standby progression halted = Config "
				  "Digest RF: no configuration digest received\n"));
	free(o);
	assert_false(core_reload_pending());
}

/* The ACTIVE's digest snapshot of PEER_TEXT (its crypto sections) and of
 * the scheme, built here as the client builds its own: top-level line and
 * its indented lines, SHA-256, the secret after "key" hidden in the name. */
static void send_digest(const char *peer_text)
{
	struct { char name[256]; uint8_t md[32]; } sec[16];
	int n = 0;
	const char *p = peer_text;
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t len = (size_t)(nl - p);
		if (p[0] != ' ' && !strncmp(p, "crypto ", 7)) {
			assert_true(n < 16);
			const char *k = strstr(p, " key ");
			if (k && k < nl) {
				const char *e = strchr(k + 5, ' ');
				snprintf(sec[n].name, sizeof sec[n].name,
					 "%.*s<hidden>%.*s", (int)(k + 5 - p), p,
					 (int)(nl - e), e);
			} else {
				snprintf(sec[n].name, sizeof sec[n].name, "%.*s",
					 (int)len, p);
			}
			const char *end = nl + 1;
			while (*end == ' ')
				end = strchr(end, '\n') + 1;
			unsigned mdlen;
			EVP_Digest(p, (size_t)(end - p), sec[n].md, &mdlen,
				   EVP_sha256(), NULL);
			n++;
			p = end;
			continue;
		}
		p = nl + 1;
	}
	/* the inter-device scheme is a compared section too */
	const char *rid = "redundancy inter-device\n scheme standby HA\n";
	snprintf(sec[n].name, sizeof sec[n].name, "redundancy inter-device");
	unsigned mdlen;
	EVP_Digest(rid, strlen(rid), sec[n].md, &mdlen, EVP_sha256(), NULL);
	n++;
	uint8_t b4[4] = {0, 0, 0, (uint8_t)n};
	peer_send(RF_CLIENT_CONFIG_DIGEST, RF_CK_BASE + 1, b4, 4);
	for (int i = 0; i < n; i++) {
		uint8_t m[32 + 256];
		memcpy(m, sec[i].md, 32);
		size_t nl = strlen(sec[i].name);
		memcpy(m + 32, sec[i].name, nl);
		peer_send(RF_CLIENT_CONFIG_DIGEST, RF_CK_BASE + 2, m, 32 + nl);
	}
	peer_send(RF_CLIENT_CONFIG_DIGEST, RF_CK_BASE + 3, NULL, 0);
}

/* The crypto HA manager's clients (IKE 120, IPsec 121): an ACTIVE with
 * no SAs sends each an empty bulk. */
static void ha_bulks_empty(void)
{
	for (uint16_t id = 120; id <= 121; id++) {
		peer_send(id, RF_CK_BEGIN, NULL, 0);
		peer_send(id, RF_CK_END, "\0\0\0\0", 4);
	}
}

static void to_cold_bulk(void)
{
	boot(RF_RELOAD_REASON);
	link_up();
	peer_hello(RF_ACTIVE);
	set_group(HSRP_STANDBY);
	assert_int_equal(rf_status.my, RF_STANDBY_COLD_BULK);
	peer_send(901, RF_CK_BEGIN, NULL, 0);
	peer_send(901, RF_CK_END, "\0\0\0\0", 4);
	ha_bulks_empty();
}


/* The digest's bulk, with the same crypto sections as this router's. */
static void digest_bulk_matching(void)
{
	peer_send(RF_CLIENT_CONFIG_DIGEST, RF_CK_BEGIN, NULL, 0);
	send_digest("crypto isakmp policy 1\n authentication pre-share\n"
		    "crypto isakmp key S3cret address 10.0.0.9\n");
	peer_send(RF_CLIENT_CONFIG_DIGEST, RF_CK_END, "\0\0\0\x05", 4);
}

static void test_digest_match_and_refusal(void **s)
{
	to_cold_bulk();
	peer_send(RF_CLIENT_CONFIG_DIGEST, RF_CK_BEGIN, NULL, 0);
	/* the active's ISAKMP key differs */
	send_digest("crypto isakmp policy 1\n authentication pre-share\n"
		    "crypto isakmp key 0th3r address 10.0.0.9\n");
	peer_send(RF_CLIENT_CONFIG_DIGEST, RF_CK_END, "\0\0\0\x05", 4);
	assert_int_equal(rf_status.my, RF_STANDBY_COLD);
	const struct out *a = sent(RF_CLIENT_CONFIG_DIGEST, RF_CK_ACK);
	assert_non_null(a);
	assert_int_equal(a->payload[0], 0);
	char *o = cli_exec_capture("show redundancy clients");
	assert_non_null(strstr(o, "refused STANDBY HOT: configurations differ "
				  "(crypto isakmp key <hidden> address 10.0.0.9: "
				  "differs)"));
	assert_null(strstr(o, "0th3r"));
	assert_null(strstr(o, "S3cret"));
	free(o);
	/* the active fixes its key: an incremental snapshot, and HOT */
	send_digest("crypto isakmp policy 1\n authentication pre-share\n"
		    "crypto isakmp key S3cret address 10.0.0.9\n");
	assert_int_equal(rf_status.my, RF_STANDBY_HOT);
	o = cli_exec_capture("show redundancy clients");
	assert_non_null(strstr(o, "        synchronized (bulk 5, incremental 5 "
				  "messages)\n        configurations match (3 "
				  "sections compared)\n"));
	free(o);
}

/* An ACTIVE whose group leaves Active reloads (seed 004). */
static void test_relinquish_reloads(void **s)
{
	boot(NULL);
	link_up();
	peer_hello(RF_NEGOTIATION);
	set_group(HSRP_ACTIVE);
	peer_state(RF_STANDBY_HOT);
	assert_false(core_reload_pending());
	set_group(HSRP_INIT);          /* the loop runs the reload too */
	assert_true(logged("%RF_INTERDEV-4-RELOAD: % RF induced self-reload. "
			   "my state = ACTIVE peer state = STANDBY HOT"));
	assert_false(core_reload_pending());
	assert_string_equal(core_reload_reason(), RF_RELOAD_REASON);
	assert_int_equal(rf_status.my, RF_NEGOTIATION);
}

/* A lone router passes through Standby on its way to Active in one step:
 * RF sees Active, no standby and no switchover. */
static void test_lone_router_transient(void **s)
{
	boot(NULL);
	hsrp_group_set_state(group(), HSRP_STANDBY);
	hsrp_group_set_state(group(), HSRP_ACTIVE);
	loop_once();
	assert_int_equal(rf_status.my, RF_ACTIVE);
	assert_int_equal(rf_status.switchovers, 0);
}

/* A hot standby that lost the ACTIVE keeps its state, and becomes ACTIVE
 * only through HSRP; heard again, it reloads (it missed updates). */
static void test_hot_standby_link_loss(void **s)
{
	to_cold_bulk();
	digest_bulk_matching();
	assert_int_equal(rf_status.my, RF_STANDBY_HOT);
	ipc_chan_link(1, false);
	assert_int_equal(rf_status.my, RF_STANDBY_HOT);
	assert_int_equal(rf_status.peer, RF_DISABLED);
	assert_false(rf_status.comm_up);
	char *o = cli_exec_capture("show redundancy states");
	assert_non_null(strstr(o, " Communications = Down      Reason: "
				  "Failure\n"));
	assert_non_null(strstr(o, "       Mode = Simplex\n"));
	free(o);
	assert_false(core_reload_pending());
	link_up();
	peer_hello(RF_ACTIVE);
	assert_true(core_reload_pending());
	assert_true(logged("my state = STANDBY HOT peer state = ACTIVE"));
	loop_once();
	/* the same standby, with the peer gone for good, becomes ACTIVE when
	 * HSRP says so: a switchover */
	ipc_chan_set_transport(&cap);
	set_group(HSRP_STANDBY);
	assert_int_equal(rf_status.my, RF_STANDBY_COLD);
	set_group(HSRP_ACTIVE);
	assert_int_equal(rf_status.my, RF_ACTIVE);
	assert_int_equal(rf_status.switchovers, 1);
	o = cli_exec_capture("show redundancy");
	assert_non_null(strstr(o, "Switchovers system experienced = 1\n"));
	assert_non_null(strstr(o, "        Last switchover reason = active "
				  "unit failed\n"));
	free(o);
}

static void test_keepalive_threshold(void **s)
{
	boot(NULL);
	link_up();
	peer_hello(RF_NEGOTIATION);
	restarts = 0;
	/* each interval sends one and counts; one heard counts from zero */
	for (int i = 0; i < RF_KEEPALIVE_THRESHOLD - 1; i++)
		rf_fsm_keepalive_tick();
	assert_int_equal(rf_status.ka_count, RF_KEEPALIVE_THRESHOLD - 1);
	assert_int_equal(count_sent(0, RF_MSG_KEEPALIVE),
			 RF_KEEPALIVE_THRESHOLD - 1);
	peer_send(0, RF_MSG_KEEPALIVE, "\0\0\0\1", 4);
	assert_int_equal(rf_status.ka_count, 0);
	char *o = cli_exec_capture("show redundancy states");
	assert_non_null(strstr(o, "    keep_alive count = 0\n"));
	free(o);
	/* six missed: still up; the seventh resets the link */
	for (int i = 0; i < RF_KEEPALIVE_THRESHOLD - 1; i++)
		rf_fsm_keepalive_tick();
	assert_int_equal(restarts, 0);
	rf_fsm_keepalive_tick();
	assert_int_equal(restarts, 1);
	assert_string_equal(restart_why, "RF keepalive threshold reached");
}

/* standby N preempt delay sync S: the standby preempts once hot. */
static void test_preempt_sync(void **s)
{
	boot(RF_RELOAD_REASON);
	assert_int_equal(cfg("interface FastEthernet0/0\n"
			     " standby 1 priority 110\n"
			     " standby 1 preempt delay sync 30\n"), 0);
	struct hsrp_group *g = group();
	iface_set_carrier(iface_find("FastEthernet0/0"), true);
	hsrp_fsm_delay_expire(hsrp_if_find(iface_find("FastEthernet0/0")));
	link_up();
	peer_hello(RF_ACTIVE);
	/* a lower-priority Active router is heard: no coup, waiting */
	g->active_ip = htonl(0x0a000002);
	g->active_pri = 100;
	hsrp_group_set_state(g, HSRP_STANDBY);
	hsrp_group_changed(g);
	loop_once();
	assert_int_equal(g->state, HSRP_STANDBY);
	assert_true(hsrp_fsm_remaining(g, HSRP_T_PREEMPT) > 25.0);
	/* the bulk ends: STANDBY HOT, and the group preempts */
	peer_send(901, RF_CK_BEGIN, NULL, 0);
	peer_send(901, RF_CK_END, "\0\0\0\0", 4);
	ha_bulks_empty();
	digest_bulk_matching();
	assert_int_equal(rf_status.my, RF_STANDBY_HOT);
	loop_once();
	assert_int_equal(g->state, HSRP_ACTIVE);
}

/* ---- the association's configuration and the packets for it -------------------- */

static const char assoc_cfg[] =
	"ipc zone default\n"
	" association 1\n"
	"  no shutdown\n"
	"  protocol sctp\n"
	"   local-port 5000\n"
	"    local-ip 10.0.0.1 10.0.1.1\n"
	"   remote-port 5000\n"
	"    remote-ip 10.0.0.2\n";

static void tx_sink(struct iface *ifp, const uint8_t *f, size_t n) {}

/* An IPv4 packet of protocol 132 from SRC to 10.0.0.1, LEN bytes of SCTP
 * with ports 5000 -> 5000, into Fa0/0's receive path. */
static void sctp_in(const char *src, size_t len)
{
	struct iface *ifp = iface_find("FastEthernet0/0");
	uint8_t f[128];
	memset(f, 0, sizeof f);
	memcpy(f, ifp->mac, 6);
	memcpy(f + 6, "\x02\0\0\0\0\x02", 6);
	f[12] = 0x08;
	uint8_t *ip = f + 14;
	ip[0] = 0x45;
	ip[3] = (uint8_t)(20 + len);
	ip[8] = 64;
	ip[9] = 132;
	uint32_t s4 = A4(src), d4 = A4("10.0.0.1");
	memcpy(ip + 12, &s4, 4);
	memcpy(ip + 16, &d4, 4);
	uint32_t sum = 0;
	for (int i = 0; i < 20; i += 2)
		sum += (uint32_t)(ip[i] << 8 | ip[i + 1]);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	ip[10] = (uint8_t)(~sum >> 8);
	ip[11] = (uint8_t)~sum;
	uint8_t *sc = ip + 20;
	sc[0] = 0x13, sc[1] = 0x88, sc[2] = 0x13, sc[3] = 0x88;
	struct frame_rx fr = {.ifp = ifp, .data = f, .len = 60 > 34 + len ? 60
						      : 34 + len};
	ether_input(&fr);
}

static void test_assoc_checks_and_drops(void **s)
{
	port_set_tx_hook(tx_sink);
	assert_int_equal(cfg("interface FastEthernet0/0\n"
			     " ip address 10.0.0.1 255.255.255.0\n"
			     " no shutdown\n"
			     " standby 1 ip 10.0.0.3\n"), 0);
	struct iface *ifp = iface_find("FastEthernet0/0");
	iface_set_attached(ifp, true);
	iface_set_carrier(ifp, true);
	core_publish(EVT_BOOT_DONE, NULL);
	/* a virtual address is refused as either end */
	assert_int_equal(cfg("ipc zone default\n association 1\n  protocol sctp\n"
			     "   local-port 5000\n    local-ip 10.0.0.3\n"), 1);
	char *o = cli_exec_capture("show running-config | include local-ip");
	assert_null(strstr(o, "10.0.0.3"));
	free(o);
	assert_int_equal(cfg(assoc_cfg), 0);
	/* started (INIT sent, waiting); the second address said plainly */
	o = cli_exec_capture("show ip sctp association list");
	assert_non_null(strstr(o, "AssocID: 1, Instance ID: 1\n"
				  "  Current state: COOKIE_WAIT\n"
				  "  Local port: 5000, Addrs: 10.0.0.1 10.0.1.1\n"
				  "  Remote port: 5000, Addrs: 10.0.0.2\n"
				  "  Local address 10.0.1.1: configured, not used "
				  "(multi-homing is not supported)\n"));
	free(o);
	/* SCTP for the port from another address; a runt; another port */
	sctp_in("10.0.0.9", 28);
	sctp_in("10.0.0.2", 8);
	const struct sctp_drop_stats *d = sctp_drops();
	assert_int_equal(d->bad_addr, 1);
	assert_int_equal(d->runt, 1);
	o = cli_exec_capture("show ip sctp errors");
	assert_non_null(strstr(o, "  Packets From Unexpected Address: 1\n"));
	free(o);
	/* local-ip not this router's: accepted with a warning, not started */
	struct sbuf e;
	sbuf_init(&e);
	cli_exec_config_text("ipc zone default\n association 1\n  protocol sctp\n"
			     "   local-port 5000\n    local-ip 10.9.9.9\n", &e);
	sbuf_free(&e);
	o = cli_exec_capture("show ip sctp association list");
	assert_non_null(strstr(o, "  Current state: CLOSED\n  Not started: "
				  "local-ip 10.9.9.9 is not an address of this "
				  "router\n"));
	free(o);
	/* and back: a configuration change starts it again */
	assert_int_equal(cfg(assoc_cfg), 0);
	struct sctp_assoc_view v;
	assert_true(sctp_assoc_view(1, &v));
	assert_int_equal(v.state, SCTP_RUN_COOKIE_WAIT);
	port_set_tx_hook(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_header_checks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_version_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_flow_control, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rf_codec, setup, teardown),
		cmocka_unit_test_setup_teardown(test_simplex_without_scheme, setup, teardown),
		cmocka_unit_test_setup_teardown(test_active_and_bulk, setup, teardown),
		cmocka_unit_test_setup_teardown(test_negotiation_reload_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_digest_match_and_refusal, setup, teardown),
		cmocka_unit_test_setup_teardown(test_relinquish_reloads, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lone_router_transient, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hot_standby_link_loss, setup, teardown),
		cmocka_unit_test_setup_teardown(test_keepalive_threshold, setup, teardown),
		cmocka_unit_test_setup_teardown(test_preempt_sync, setup, teardown),
		cmocka_unit_test_setup_teardown(test_assoc_checks_and_drops, setup, teardown),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
