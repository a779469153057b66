/* ipc: the inter-device IPC channel used by RF and its clients.
 *
 * Configuration: "ipc zone default" and its associations, each carried
 * over SCTP between configured local and remote addresses:
 *
 *   ipc zone default
 *    association 1
 *     no shutdown
 *     protocol sctp
 *      local-port 5000
 *       local-ip 10.0.0.1
 *       retransmit-timeout 300 10000
 *       path-retransmit 10
 *       assoc-retransmit 10
 *      remote-port 5000
 *       remote-ip 10.0.0.2
 *
 * The SCTP transport reads an association's configuration through
 * ipc_assoc_lookup()/ipc_assoc_next() and learns of every change through
 * ipc_on_change(). RTO min/max map onto SCTP RTO.min/RTO.max,
 * path-retransmit onto Path.Max.Retrans, assoc-retransmit onto
 * Association.Max.Retrans.
 */
#ifndef IOSIM_IPC_H
#define IOSIM_IPC_H

#include <stdbool.h>
#include <stdint.h>

#define IPC_ASSOC_MIN 1
#define IPC_ASSOC_MAX 255
#define IPC_SCTP_MAX_ADDRS 2          /* "local-ip A [B]", "remote-ip A [B]" */

/* IOS defaults (seed 000 Table 2): RTO min 300 ms, max 600 ms, 4 path and
 * 4 association retransmissions. Ranges: RTO 300..60000 ms, retries 2..10. */
#define IPC_SCTP_RTO_MIN_DEFAULT 300u
#define IPC_SCTP_RTO_MAX_DEFAULT 600u
#define IPC_SCTP_RETRANS_DEFAULT 4u

struct ipc_sctp_cfg {
	uint16_t local_port;               /* 0: "local-port" not configured */
	uint16_t remote_port;              /* 0: "remote-port" not configured */
	int n_local_ip, n_remote_ip;       /* 0..IPC_SCTP_MAX_ADDRS */
	uint32_t local_ip[IPC_SCTP_MAX_ADDRS];   /* network byte order */
	uint32_t remote_ip[IPC_SCTP_MAX_ADDRS];  /* network byte order */
	/* IOS accepts a minimum above the maximum; the transport must use
	 * RTO.max = max(rto_min_ms, rto_max_ms). */
	unsigned rto_min_ms, rto_max_ms;
	unsigned path_retrans, assoc_retrans;
};

struct ipc_assoc_cfg {
	unsigned id;                       /* 1..255 */
	bool shutdown;                     /* "shutdown" (default: no shutdown) */
	bool sctp;                         /* "protocol sctp" present */
	struct ipc_sctp_cfg sctp_cfg;      /* meaningful when sctp */
};

void ipc_init(void);

/* Is "ipc zone default" configured? */
bool ipc_zone_configured(void);
/* The association with this id, NULL when not configured. The pointer is
 * valid until the next configuration change (see ipc_on_change). */
const struct ipc_assoc_cfg *ipc_assoc_lookup(unsigned id);
/* Associations in ascending id order: ipc_assoc_next(NULL) is the first. */
const struct ipc_assoc_cfg *ipc_assoc_next(const struct ipc_assoc_cfg *prev);

/* Called after any configuration change of association ASSOC_ID (created,
 * changed, removed: ipc_assoc_lookup(ASSOC_ID) is NULL then). Not called by
 * reset(): every subsystem resets itself on reload. */
typedef void (*ipc_change_fn)(unsigned assoc_id, void *ctx);
void ipc_on_change(ipc_change_fn fn, void *ctx);

/* ---- the message channel ------------------------------------------------
 * Typed, versioned, length-checked messages between this router and its
 * peer, over the lowest-numbered established association ("the link").
 * Each client has its own SCTP stream, so its messages arrive in the order
 * sent and one client's bulk never holds up another's; each has a bounded
 * send queue: ipc_send() answers IPC_FULL instead of growing it, and
 * ops->writable() says when there is room again. A slow or dead peer
 * never blocks the loop and never costs more than the bounds below.
 *
 * Messages are not kept across a link failure: a client learns of the
 * link through ops->link() and starts its conversation again on the next
 * one (RF does: bulk sync). Received messages are checked (version,
 * length, client, type, order) before a client sees them; the others are
 * counted and dropped. */

#define IPC_MSG_MAX 65536          /* payload bytes in one message */
#define IPC_QUEUE_MAX (64 * 1024)  /* queued bytes per client beyond one
				    * message of any size */
#define IPC_MAX_CLIENTS 16         /* one SCTP stream each */
#define IPC_MAX_TYPES 64           /* per-type counters: types 1..63 */

/* ipc_send() results */
enum { IPC_SENT = 0, IPC_FULL = -1, IPC_DOWN = -2, IPC_TOOBIG = -3 };

struct ipc_client;

struct ipc_client_ops {
	const char *name;          /* "RF", shown by show ipc ports */
	uint16_t id;               /* on the wire: the same on both routers */
	/* message types 1..ntypes are valid, named (for counters and
	 * debug) by type_names[1..ntypes] when given */
	uint16_t ntypes;
	const char *const *type_names;
	/* a checked message from the peer; PAYLOAD is valid during the call */
	void (*recv)(void *ctx, uint16_t type, const uint8_t *payload,
		     size_t len);
	/* after IPC_FULL: the queue has room again */
	void (*writable)(void *ctx);
	/* the link to the peer came up (sequence numbers start again) or
	 * went down (what was queued is gone) */
	void (*link)(void *ctx, bool up);
};

struct ipc_client_stats {
	uint64_t tx_msgs, tx_bytes, rx_msgs, rx_bytes;
	uint64_t tx_full, tx_down, rx_drop;
	uint64_t tx_type[IPC_MAX_TYPES], rx_type[IPC_MAX_TYPES];
};

/* Register once at start (registrations survive reload; counters do not).
 * Returns NULL when the id is taken or IPC_MAX_CLIENTS are registered. */
struct ipc_client *ipc_client_register(const struct ipc_client_ops *ops,
				       void *ctx);
/* Queue one message of TYPE (1..ntypes). IPC_SENT, IPC_FULL (retry after
 * writable()), IPC_DOWN (no link), IPC_TOOBIG (beyond IPC_MSG_MAX). */
int ipc_send(struct ipc_client *c, uint16_t type, const void *payload,
	     size_t len);
/* Is there a trusted link to the peer? */
bool ipc_link_up(void);
/* The peer's address on the link (network order), 0 when down. */
uint32_t ipc_link_peer(void);
/* Abort the link's association and let it come up again (a peer that
 * stopped answering, say); WHY is shown by debug ip sctp. */
void ipc_link_reset(const char *why);

#endif
