/* The IPC message channel: clients, the message header, bounded send
 * queues with a writable notification, the checks every received message
 * passes before a client sees it, and the counters behind show ipc.
 *
 * The channel runs on one association at a time, "the link": the first
 * to come up, then the lowest-numbered one still up when it fails. Each
 * link is a new conversation: sequence numbers start at 1 and the queues
 * start empty. A peer whose messages carry another version is refused for
 * the rest of the link (logged once), as IOS refuses an IPC peer it does
 * not speak with. */
#include "ipc_int.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "../core/core.h"

struct qmsg {
	struct qmsg *next;
	size_t len;
	uint8_t data[];
};

struct ipc_client {
	const struct ipc_client_ops *ops;
	void *ctx;
	uint16_t stream;
	/* per link */
	uint32_t tx_seq, rx_seq;       /* last sent / last accepted */
	struct qmsg *qhead, *qtail;
	size_t queued;
	bool want_writable;            /* told IPC_FULL, not yet writable */
	struct ipc_client_stats st;
};

static struct ipc_client clients[IPC_MAX_CLIENTS];
static int nclients;

static const struct ipc_transport sctp_transport = {
	.send = sctp_send,
	.restart = sctp_restart,
};

static struct {
	const struct ipc_transport *tr;
	unsigned link;                 /* association carrying the channel */
	bool trusted;
	bool version_logged;
	bool up[IPC_ASSOC_MAX + 1];    /* established associations */
	int rr;                        /* next client to flush first */
	struct ipc_chan_stats st;
} ch = {.tr = &sctp_transport, .st.cleared = -1};

void ipc_chan_set_transport(const struct ipc_transport *t)
{
	ch.tr = t ? t : &sctp_transport;
}

/* ---- the header ------------------------------------------------------------ */


void ipc_hdr_encode(const struct ipc_hdr *h, uint8_t out[IPC_HDR_LEN])
{
	out[0] = h->version;
	out[1] = h->flags;
	be16_put(out + 2, h->client);
	be16_put(out + 4, h->type);
	be16_put(out + 6, h->reserved);
	be32_put(out + 8, h->seq);
	be32_put(out + 12, h->len);
}

/* The version is checked first: a peer of another version may lay out
 * the rest differently, and is told apart from a garbled message. */
enum ipc_rx_verdict ipc_hdr_decode(const uint8_t *msg, size_t len,
				   struct ipc_hdr *h)
{
	if (len < IPC_HDR_LEN)
		return IPC_RX_SHORT;
	h->version = msg[0];
	h->flags = msg[1];
	h->client = be16_get(msg + 2);
	h->type = be16_get(msg + 4);
	h->reserved = be16_get(msg + 6);
	h->seq = be32_get(msg + 8);
	h->len = be32_get(msg + 12);
	if (h->version != IPC_MSG_VERSION)
		return IPC_RX_VERSION;
	if (h->flags || h->reserved)
		return IPC_RX_HEADER;
	if (h->len > IPC_MSG_MAX)
		return IPC_RX_TOOBIG;
	if (h->len != len - IPC_HDR_LEN)
		return IPC_RX_LENGTH;
	return IPC_RX_OK;
}

const char *ipc_rx_verdict_name(enum ipc_rx_verdict v)
{
	static const char *const names[IPC_RX__COUNT] = {
		[IPC_RX_OK] = "accepted",
		[IPC_RX_SHORT] = "truncated",
		[IPC_RX_LENGTH] = "bad length",
		[IPC_RX_TOOBIG] = "too big",
		[IPC_RX_VERSION] = "wrong version",
		[IPC_RX_HEADER] = "bad header",
		[IPC_RX_CLIENT] = "unknown port",
		[IPC_RX_TYPE] = "unknown type",
		[IPC_RX_ORDER] = "out of sequence",
		[IPC_RX_UNTRUSTED] = "peer refused",
	};
	return (unsigned)v < IPC_RX__COUNT ? names[v] : "?";
}

/* ---- clients ----------------------------------------------------------------- */

struct ipc_client *ipc_client_register(const struct ipc_client_ops *ops,
				       void *ctx)
{
	if (nclients == IPC_MAX_CLIENTS)
		return NULL;
	for (int i = 0; i < nclients; i++)
		if (clients[i].ops->id == ops->id)
			return NULL;
	struct ipc_client *c = &clients[nclients];
	memset(c, 0, sizeof *c);
	c->ops = ops;
	c->ctx = ctx;
	c->stream = (uint16_t)nclients;   /* one stream per client */
	nclients++;
	return c;
}

static struct ipc_client *client_by_id(uint16_t id)
{
	for (int i = 0; i < nclients; i++)
		if (clients[i].ops->id == id)
			return &clients[i];
	return NULL;
}

struct ipc_client *ipc_client_at(int i)
{
	return i >= 0 && i < nclients ? &clients[i] : NULL;
}

const struct ipc_client_ops *ipc_client_ops(const struct ipc_client *c)
{
	return c->ops;
}

const struct ipc_client_stats *ipc_client_stats(const struct ipc_client *c)
{
	return &c->st;
}

size_t ipc_client_queued(const struct ipc_client *c)
{
	return c->queued;
}

uint16_t ipc_client_stream(const struct ipc_client *c)
{
	return c->stream;
}

static void queue_drop(struct ipc_client *c)
{
	while (c->qhead) {
		struct qmsg *m = c->qhead;
		c->qhead = m->next;
		free(m);
	}
	c->qtail = NULL;
	c->queued = 0;
	c->want_writable = false;
}

/* ---- sending ------------------------------------------------------------------- */

bool ipc_link_up(void)
{
	return ch.link && ch.trusted;
}

uint32_t ipc_link_peer(void)
{
	if (!ipc_link_up())
		return 0;
	const struct ipc_assoc_cfg *a = ipc_assoc_lookup(ch.link);
	return a && a->sctp_cfg.n_remote_ip ? a->sctp_cfg.remote_ip[0] : 0;
}

void ipc_link_reset(const char *why)
{
	if (ch.link)
		ch.tr->restart(ch.link, why);
}

static void counted_tx(struct ipc_client *c, const struct qmsg *m)
{
	uint16_t type = be16_get(m->data + 4);
	c->st.tx_msgs++;
	c->st.tx_bytes += m->len;
	if (type < IPC_MAX_TYPES)
		c->st.tx_type[type]++;
	ch.st.tx_msgs++;
	ch.st.tx_bytes += m->len;
}

static void enqueue(struct ipc_client *c, struct qmsg *m)
{
	m->next = NULL;
	if (c->qtail)
		c->qtail->next = m;
	else
		c->qhead = m;
	c->qtail = m;
	c->queued += m->len;
}

int ipc_send(struct ipc_client *c, uint16_t type, const void *payload,
	     size_t len)
{
	if (len > IPC_MSG_MAX)
		return IPC_TOOBIG;
	if (!ipc_link_up()) {
		c->st.tx_down++;
		ch.st.tx_down++;
		return IPC_DOWN;
	}
	size_t total = IPC_HDR_LEN + len;
	/* an empty queue takes one message of any size, so the bound is
	 * IPC_QUEUE_MAX plus one message */
	if (c->qhead && c->queued + total > IPC_QUEUE_MAX) {
		c->want_writable = true;
		c->st.tx_full++;
		ch.st.tx_full++;
		return IPC_FULL;
	}
	struct qmsg *m = xmalloc(sizeof *m + total);
	m->len = total;
	struct ipc_hdr h = {
		.version = IPC_MSG_VERSION, .client = c->ops->id,
		.type = type, .seq = c->tx_seq + 1, .len = (uint32_t)len,
	};
	ipc_hdr_encode(&h, m->data);
	if (len)
		memcpy(m->data + IPC_HDR_LEN, payload, len);
	c->tx_seq++;
	if (c->qhead) {
		enqueue(c, m);
		return IPC_SENT;
	}
	int rc = ch.tr->send(ch.link, c->stream, m->data, m->len);
	if (rc == IPC_SENT) {
		counted_tx(c, m);
		free(m);
	} else {
		/* IPC_FULL now, or the link is on its way down: the queue
		 * keeps it until writable, or link down drops it */
		enqueue(c, m);
	}
	return IPC_SENT;
}

/* Send what the queues hold, one message per client in turn so that one
 * client's backlog does not hold another's up; false when the transport
 * is full again. */
static bool flush(void)
{
	bool progress = true;
	while (progress) {
		progress = false;
		for (int k = 0; k < nclients; k++) {
			struct ipc_client *c = &clients[(ch.rr + k) % nclients];
			struct qmsg *m = c->qhead;
			if (!m)
				continue;
			if (ch.tr->send(ch.link, c->stream, m->data, m->len) !=
			    IPC_SENT) {
				ch.rr = (ch.rr + k) % nclients;
				return false;
			}
			c->qhead = m->next;
			if (!c->qhead)
				c->qtail = NULL;
			c->queued -= m->len;
			counted_tx(c, m);
			free(m);
			progress = true;
		}
	}
	return true;
}

void ipc_chan_writable(unsigned id)
{
	if (id != ch.link || !ipc_link_up())
		return;
	flush();
	/* a client told IPC_FULL hears of room once its queue is half
	 * empty: enough to make progress, not a call per message */
	for (int i = 0; i < nclients; i++) {
		struct ipc_client *c = &clients[i];
		if (c->want_writable && c->queued <= IPC_QUEUE_MAX / 2 &&
		    ipc_link_up()) {
			c->want_writable = false;
			if (c->ops->writable)
				c->ops->writable(c->ctx);
		}
	}
}

/* ---- the link ----------------------------------------------------------------- */

static void tell_clients(bool up)
{
	for (int i = 0; i < nclients; i++)
		if (clients[i].ops->link)
			clients[i].ops->link(clients[i].ctx, up);
}

static void link_start(unsigned id)
{
	ch.link = id;
	ch.trusted = true;
	ch.version_logged = false;
	ch.st.links_up++;
	for (int i = 0; i < nclients; i++) {
		clients[i].tx_seq = clients[i].rx_seq = 0;
		queue_drop(&clients[i]);
	}
	tell_clients(true);
}

/* The link is gone (or its peer refused): clients hear it once. */
static void link_stop(void)
{
	bool was = ipc_link_up();
	ch.st.links_down++;
	for (int i = 0; i < nclients; i++)
		queue_drop(&clients[i]);
	ch.trusted = false;
	if (was)
		tell_clients(false);
}

void ipc_chan_link(unsigned id, bool up)
{
	if (id == 0 || id > IPC_ASSOC_MAX)
		return;
	ch.up[id] = up;
	if (up) {
		if (!ch.link)
			link_start(id);
		return;
	}
	if (id != ch.link)
		return;
	link_stop();
	ch.link = 0;
	for (unsigned i = 1; i <= IPC_ASSOC_MAX; i++)
		if (ch.up[i]) {
			link_start(i);
			break;
		}
}

unsigned ipc_chan_link_id(void)
{
	return ch.link;
}

bool ipc_chan_link_trusted(void)
{
	return ch.link && ch.trusted;
}

/* ---- receiving ------------------------------------------------------------------ */

static void refuse_peer(const struct ipc_hdr *h)
{
	if (!ch.version_logged) {
		char a[16];
		uint32_t peer = 0;
		const struct ipc_assoc_cfg *ac = ipc_assoc_lookup(ch.link);
		if (ac && ac->sctp_cfg.n_remote_ip)
			peer = ac->sctp_cfg.remote_ip[0];
		/* the facility is IOS's for IPC; the mnemonic and text are
		 * the simulator's (no IOS wording is documented) */
		log_ios("IPC-3-VERSION", "Peer %s on association %u speaks "
			"IPC message version %u, this router version %u: "
			"peer refused", ip_fmt(peer, a), ch.link, h->version,
			IPC_MSG_VERSION);
		ch.version_logged = true;
	}
	if (ch.trusted)
		link_stop();
}

static void drop(enum ipc_rx_verdict v, struct ipc_client *c)
{
	ch.st.rx_drop[v]++;
	if (c)
		c->st.rx_drop++;
}

void ipc_chan_input(unsigned id, uint16_t sid, const uint8_t *msg,
		    size_t len)
{
	if (id != ch.link || !ch.trusted) {
		drop(IPC_RX_UNTRUSTED, NULL);
		return;
	}
	struct ipc_hdr h;
	enum ipc_rx_verdict v = ipc_hdr_decode(msg, len, &h);
	if (v == IPC_RX_VERSION)
		refuse_peer(&h);
	if (v != IPC_RX_OK) {
		drop(v, NULL);
		return;
	}
	struct ipc_client *c = client_by_id(h.client);
	if (!c) {
		drop(IPC_RX_CLIENT, NULL);
		return;
	}
	if (h.type == 0 || h.type > c->ops->ntypes) {
		drop(IPC_RX_TYPE, c);
		return;
	}
	/* SCTP delivers a stream in order: anything else is a replay or a
	 * peer that lost track, and is not acted on */
	if (h.seq != c->rx_seq + 1) {
		drop(IPC_RX_ORDER, c);
		return;
	}
	c->rx_seq = h.seq;
	c->st.rx_msgs++;
	c->st.rx_bytes += len;
	if (h.type < IPC_MAX_TYPES)
		c->st.rx_type[h.type]++;
	ch.st.rx_msgs++;
	ch.st.rx_bytes += len;
	c->ops->recv(c->ctx, h.type, msg + IPC_HDR_LEN, h.len);
}

/* ---- counters and reset ------------------------------------------------------- */

const struct ipc_chan_stats *ipc_chan_stats(void)
{
	return &ch.st;
}

void ipc_chan_clear_stats(bool cumulative_too)
{
	uint64_t up = ch.st.links_up, down = ch.st.links_down;
	memset(&ch.st, 0, sizeof ch.st);
	if (!cumulative_too) {
		ch.st.links_up = up;
		ch.st.links_down = down;
	}
	ch.st.cleared = core_uptime();
	for (int i = 0; i < nclients; i++)
		memset(&clients[i].st, 0, sizeof clients[i].st);
}

void ipc_chan_reset(void)
{
	if (ch.link)
		link_stop();
	ch.link = 0;
	memset(ch.up, 0, sizeof ch.up);
	memset(&ch.st, 0, sizeof ch.st);
	ch.st.cleared = -1;
	ch.rr = 0;
	for (int i = 0; i < nclients; i++) {
		queue_drop(&clients[i]);
		clients[i].tx_seq = clients[i].rx_seq = 0;
		memset(&clients[i].st, 0, sizeof clients[i].st);
	}
}

void ipc_chan_init(void)
{
	ch.st.cleared = -1;
}
