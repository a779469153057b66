/* ipc: the inter-device IPC channel used by RF and its clients.
 *
 * Configuration (this issue): "ipc zone default" and its associations,
 * each carried over SCTP between configured local and remote addresses:
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

#endif
