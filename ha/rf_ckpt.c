/* RF clients and the checkpoint protocol: registration, bulk sync and
 * incremental messages (ha.h describes the contract).
 *
 * Each client is an IPC client of its own, so it has its own SCTP stream:
 * its bulk is in order with itself and never holds another client up.
 * RF's control messages for a client (BEGIN, END, ACK) travel on that
 * same stream, before and after its messages, so the standby sees exactly
 * where a bulk begins and ends. The ACTIVE pumps a client's bulk only as
 * fast as the channel takes it: bulk_send() is called again on writable,
 * never in a loop that could fill memory.
 *
 * The standby waits for the clients both routers have (its own list in
 * BULK_REQ, the ACTIVE's in HELLO); when every one has accepted its bulk,
 * RF goes STANDBY HOT. */
#include "ha_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/core.h"
#include "../ipc/ipc.h"

struct rf_client {
	const struct rf_client_ops *ops;
	void *ctx;
	struct ipc_client *ipc;
	struct ipc_client_ops ipc_ops;
	const char *wire_names[RF_CK_BASE + RF_CLIENT_MAX_TYPES + 1];
	/* this link */
	enum rf_ck_status status;
	char reason[RF_REASON_MAX + 1];
	bool first;                /* active: the next bulk_send() is the first */
	bool begin_due, end_due;   /* active: control messages not yet taken */
	uint32_t bulk_count;       /* messages of the bulk sent / received */
	uint64_t bulk_msgs, incr_msgs;
};

static struct rf_client clients[RF_MAX_CLIENTS];
static int nclients;

const char *rf_ck_status_name(enum rf_ck_status s)
{
	switch (s) {
	case RF_CK_IDLE: return "idle";
	case RF_CK_SENDING: return "bulk sync in progress";
	case RF_CK_SENT: return "bulk sent, waiting for the standby";
	case RF_CK_RECEIVING: return "bulk sync in progress";
	case RF_CK_WAITING: return "waiting for the bulk";
	case RF_CK_DONE: return "synchronized";
	case RF_CK_REFUSED: return "refused STANDBY HOT";
	case RF_CK_NOT_ON_PEER: return "not on the peer";
	}
	return "?";
}

/* ---- sending -------------------------------------------------------------------- */

static int ctl_send(struct rf_client *c, uint16_t type, const void *p,
		    size_t len)
{
	return ipc_send(c->ipc, type, p, len);
}

int rf_client_send(struct rf_client *c, uint16_t type, const void *p,
		   size_t len)
{
	if (type == 0 || type > c->ops->ntypes)
		return IPC_TOOBIG;
	if (!rf_fsm_peer_syncing() || c->status == RF_CK_NOT_ON_PEER ||
	    c->status == RF_CK_IDLE)
		return IPC_DOWN;
	/* nothing may overtake the bulk's BEGIN: the standby would take it
	 * for a stray message */
	if (c->begin_due)
		return IPC_FULL;
	int rc = ipc_send(c->ipc, (uint16_t)(type + RF_CK_BASE), p, len);
	if (rc == IPC_FULL)
		rf_counters.tx_full++;
	if (rc != IPC_SENT)
		return rc;
	rf_counters.tx++;
	if (c->status == RF_CK_SENDING) {
		c->bulk_count++;
		c->bulk_msgs++;
	} else {
		c->incr_msgs++;
	}
	return IPC_SENT;
}

/* Stream the bulk of C as far as the channel takes it. */
static void pump(struct rf_client *c)
{
	if (c->begin_due) {
		if (ctl_send(c, RF_CK_BEGIN, NULL, 0) != IPC_SENT)
			return;
		c->begin_due = false;
	}
	while (c->status == RF_CK_SENDING) {
		bool first = c->first;
		c->first = false;
		if (!c->ops->bulk_send || c->ops->bulk_send(c->ctx, first)) {
			c->status = RF_CK_SENT;
			c->end_due = true;
			break;
		}
		return;     /* full: writable() brings us back */
	}
	if (c->end_due) {
		uint8_t n[4] = {(uint8_t)(c->bulk_count >> 24),
				(uint8_t)(c->bulk_count >> 16),
				(uint8_t)(c->bulk_count >> 8),
				(uint8_t)c->bulk_count};
		if (ctl_send(c, RF_CK_END, n, sizeof n) == IPC_SENT) {
			c->end_due = false;
			rf_dbg("%s: bulk of %u messages sent", c->ops->name,
			       c->bulk_count);
		}
	}
}

static void on_writable(void *ctx)
{
	struct rf_client *c = ctx;
	if (c->status == RF_CK_SENDING || c->begin_due || c->end_due)
		pump(c);
	else if (c->ops->writable)
		c->ops->writable(c->ctx);
}

static bool id_in(uint16_t id, const uint16_t *ids, int n)
{
	for (int i = 0; i < n; i++)
		if (ids[i] == id)
			return true;
	return false;
}

void rf_ckpt_active_begin(const uint16_t *ids, int n)
{
	for (int i = 0; i < nclients; i++) {
		struct rf_client *c = &clients[i];
		c->bulk_count = 0;
		c->bulk_msgs = c->incr_msgs = 0;
		c->reason[0] = '\0';
		if (!id_in(c->ops->id, ids, n)) {
			c->status = RF_CK_NOT_ON_PEER;
			continue;
		}
		c->status = RF_CK_SENDING;
		c->first = true;
		c->begin_due = true;
		c->end_due = false;
	}
	for (int i = 0; i < nclients; i++)
		if (clients[i].status == RF_CK_SENDING)
			pump(&clients[i]);
}

/* ---- the standby ------------------------------------------------------------------- */

static void send_ack(struct rf_client *c)
{
	uint8_t buf[2 + RF_REASON_MAX];
	size_t n = rf_ck_ack_encode(c->status == RF_CK_DONE, c->reason, buf,
				    sizeof buf);
	ctl_send(c, RF_CK_ACK, buf, n);
}

/* Every client both routers have accepted its bulk, or one refused. */
static void check_done(void)
{
	bool all = true;
	for (int i = 0; i < nclients; i++) {
		enum rf_ck_status s = clients[i].status;
		if (s == RF_CK_REFUSED) {
			rf_fsm_bulk_result(false);
			return;
		}
		if (s != RF_CK_DONE && s != RF_CK_NOT_ON_PEER)
			all = false;
	}
	if (all)
		rf_fsm_bulk_result(true);
}

void rf_ckpt_standby_begin(void)
{
	for (int i = 0; i < nclients; i++) {
		struct rf_client *c = &clients[i];
		c->bulk_count = 0;
		c->bulk_msgs = c->incr_msgs = 0;
		c->reason[0] = '\0';
		c->status = id_in(c->ops->id, rf_status.peer_clients,
				  rf_status.npeer_clients)
				    ? RF_CK_WAITING : RF_CK_NOT_ON_PEER;
	}
	check_done();
}

static void bulk_end(struct rf_client *c, const uint8_t *p, size_t len)
{
	uint32_t count;
	if (rf_ck_end_decode(p, len, &count) < 0 ||
	    c->status != RF_CK_RECEIVING) {
		rf_counters.rx_bad++;
		return;
	}
	const char *why = NULL;
	char lost[96];
	if (count != c->bulk_count) {
		snprintf(lost, sizeof lost, "bulk incomplete: %u of %u "
			 "messages", c->bulk_count, count);
		why = lost;
	} else if (c->ops->bulk_end) {
		why = c->ops->bulk_end(c->ctx);
	}
	c->status = why ? RF_CK_REFUSED : RF_CK_DONE;
	snprintf(c->reason, sizeof c->reason, "%s", why ? why : "");
	rf_dbg("%s: bulk of %u messages %s%s%s", c->ops->name, count,
	       why ? "refused: " : "accepted", why ? why : "", "");
	if (why)
		rf_history("client %s(%u) refused STANDBY HOT: %s",
			   c->ops->name, c->ops->id, why);
	send_ack(c);
	check_done();
}

void rf_client_set_ready(struct rf_client *c, const char *reason)
{
	if (c->status != RF_CK_DONE && c->status != RF_CK_REFUSED)
		return;
	enum rf_ck_status s = reason ? RF_CK_REFUSED : RF_CK_DONE;
	if (s == c->status && !strcmp(c->reason, reason ? reason : ""))
		return;
	c->status = s;
	snprintf(c->reason, sizeof c->reason, "%s", reason ? reason : "");
	send_ack(c);
	check_done();
}

/* ---- receiving -------------------------------------------------------------------- */

static void ack(struct rf_client *c, const uint8_t *p, size_t len)
{
	bool ok;
	char why[RF_REASON_MAX + 1];
	if (rf_ck_ack_decode(p, len, &ok, why, sizeof why) < 0 ||
	    (c->status != RF_CK_SENT && c->status != RF_CK_DONE &&
	     c->status != RF_CK_REFUSED)) {
		rf_counters.rx_bad++;
		return;
	}
	c->status = ok ? RF_CK_DONE : RF_CK_REFUSED;
	snprintf(c->reason, sizeof c->reason, "%s", why);
	rf_dbg("%s: standby %s%s", c->ops->name,
	       ok ? "accepted the bulk" : "refused: ", ok ? "" : why);
}

static void on_recv(void *ctx, uint16_t type, const uint8_t *p, size_t len)
{
	struct rf_client *c = ctx;
	bool standby = rf_state_is_standby(rf_status.my);
	switch (type) {
	case RF_CK_BEGIN:
		if (!standby || len || c->status == RF_CK_NOT_ON_PEER ||
		    c->status == RF_CK_IDLE) {
			rf_counters.rx_bad++;
			return;
		}
		c->status = RF_CK_RECEIVING;
		c->bulk_count = 0;
		if (c->ops->bulk_begin)
			c->ops->bulk_begin(c->ctx);
		return;
	case RF_CK_END:
		if (!standby) {
			rf_counters.rx_bad++;
			return;
		}
		bulk_end(c, p, len);
		return;
	case RF_CK_ACK:
		if (standby) {
			rf_counters.rx_bad++;
			return;
		}
		ack(c, p, len);
		return;
	}
	/* a checkpoint: only a standby that is taking them acts on it */
	if (!standby || c->status == RF_CK_IDLE ||
	    c->status == RF_CK_WAITING || c->status == RF_CK_NOT_ON_PEER) {
		rf_counters.rx_bad++;
		return;
	}
	if (c->status == RF_CK_RECEIVING) {
		c->bulk_count++;
		c->bulk_msgs++;
	} else {
		c->incr_msgs++;
	}
	if (c->ops->recv)
		c->ops->recv(c->ctx, (uint16_t)(type - RF_CK_BASE), p, len);
}

/* ---- link and progress ------------------------------------------------------------- */

void rf_ckpt_link(bool up)
{
	for (int i = 0; i < nclients; i++) {
		struct rf_client *c = &clients[i];
		c->status = RF_CK_IDLE;
		c->begin_due = c->end_due = false;
		c->bulk_count = 0;
		c->reason[0] = '\0';
	}
}

void rf_ckpt_progress(enum rf_state my, enum rf_state peer)
{
	for (int i = 0; i < nclients; i++)
		if (clients[i].ops->progress)
			clients[i].ops->progress(clients[i].ctx, my, peer);
}

void rf_ckpt_reset(void)
{
	rf_ckpt_link(false);
	for (int i = 0; i < nclients; i++)
		clients[i].bulk_msgs = clients[i].incr_msgs = 0;
}

void rf_ckpt_history(void)
{
	for (int i = 0; i < nclients; i++)
		rf_history("client added: %s(%u) seq=%u", clients[i].ops->name,
			   clients[i].ops->id, clients[i].ops->id);
}

/* ---- registration ------------------------------------------------------------------- */

static const char *const ck_names[] = {
	[RF_CK_BEGIN] = "BULK_BEGIN", [RF_CK_END] = "BULK_END",
	[RF_CK_ACK] = "BULK_ACK",
};

struct rf_client *rf_client_register(const struct rf_client_ops *ops,
				     void *ctx)
{
	if (nclients == RF_MAX_CLIENTS || ops->ntypes > RF_CLIENT_MAX_TYPES ||
	    ops->id == RF_CLIENT_INTERNAL)
		return NULL;
	struct rf_client *c = &clients[nclients];
	memset(c, 0, sizeof *c);
	c->ops = ops;
	c->ctx = ctx;
	for (int t = 1; t <= RF_CK_BASE; t++)
		c->wire_names[t] = ck_names[t];
	for (int t = 1; t <= ops->ntypes; t++)
		c->wire_names[t + RF_CK_BASE] =
			ops->type_names ? ops->type_names[t] : NULL;
	c->ipc_ops = (struct ipc_client_ops){
		.name = ops->name,
		.id = ops->id,
		.ntypes = (uint16_t)(ops->ntypes + RF_CK_BASE),
		.type_names = c->wire_names,
		.recv = on_recv,
		.writable = on_writable,
	};
	c->ipc = ipc_client_register(&c->ipc_ops, c);
	if (!c->ipc)
		return NULL;
	nclients++;
	return c;
}

int rf_client_count(void)
{
	return nclients;
}

bool rf_client_view(int i, struct rf_client_view *v)
{
	if (i < 0 || i >= nclients)
		return false;
	const struct rf_client *c = &clients[i];
	v->ops = c->ops;
	v->status = c->status;
	v->reason = c->reason[0] ? c->reason : NULL;
	v->bulk_msgs = c->bulk_msgs;
	v->incr_msgs = c->incr_msgs;
	return true;
}

int rf_client_ids(uint16_t *ids, int max)
{
	int n = 0;
	for (int i = 0; i < nclients && n < max; i++)
		ids[n++] = clients[i].ops->id;
	return n;
}
