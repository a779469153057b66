/* Private to ipc/: the SCTP transport (ipc_sctp.c), the message channel
 * on top of it (ipc_chan.c), the configuration (ipc_cfg.c) and the show
 * and debug commands (ipc_show.c). Unit tests and fuzzers include it to
 * drive the channel without a peer. */
#ifndef IOSIM_IPC_INT_H
#define IOSIM_IPC_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ipc.h"

/* ---- the transport (ipc_sctp.c) -------------------------------------------
 * One usrsctp AF_CONN association per configured "association N", carried
 * as IPv4 protocol 132 between local-ip and remote-ip through the router's
 * own stack. */

/* Where an association is, as show ip sctp association list prints it. */
enum sctp_run_state {
	SCTP_RUN_IDLE,           /* not startable: see why_idle */
	SCTP_RUN_COOKIE_WAIT,    /* INIT sent, waiting (both ends initiate) */
	SCTP_RUN_ESTABLISHED,
	SCTP_RUN_BACKOFF,        /* failed; a new attempt is scheduled */
};

/* Chunks of one direction of one association (sctp_chunks.c: every
 * packet sent or accepted is walked once; usrsctp itself keeps only
 * process-wide counters). */
#define SCTP_CHUNK_TYPES 16      /* DATA .. AUTH counted by type */
struct sctp_chunk_dir {
	uint64_t packets, control, data, ordered, unordered, data_bytes;
	uint64_t again;              /* TSN not beyond the highest seen */
	uint64_t gaps;               /* received TSN beyond the next one */
	uint64_t by_type[SCTP_CHUNK_TYPES];
	uint32_t high_tsn;
	bool have_tsn;
};
/* Count packet PKT (common header and chunks) sent (OUT) or received. */
void sctp_chunks_count(struct sctp_chunk_dir *d, const uint8_t *pkt,
		       size_t len, bool out);

/* Per association counters (show ip sctp association statistics). */
struct sctp_assoc_stats {
	uint64_t rx_pkts, rx_bytes, tx_pkts, tx_bytes, tx_fail;
	uint64_t rx_msgs, tx_msgs;
	uint64_t comm_up, comm_lost, restarts, cant_start;
	struct sctp_chunk_dir in, out;
};

/* A read-only view of one association for the show commands. */
struct sctp_assoc_view {
	unsigned id;
	enum sctp_run_state state;
	const char *why_idle;    /* IDLE: why it is not running */
	const struct ipc_sctp_cfg *cfg;   /* what it runs with */
	double since;            /* core_uptime() of the last state change */
	struct sctp_assoc_stats stats;
	bool have_status;        /* established: the rest is filled in */
	uint32_t rto_ms, srtt_ms, cwnd, mtu, peer_rwnd, local_rwnd;
	uint16_t in_streams, out_streams, unacked, pending;
};
/* Fill V for association ID; false when it is not configured. */
bool sctp_assoc_view(unsigned id, struct sctp_assoc_view *v);

/* Packets for IP protocol 132 the transport refused (show ip sctp errors). */
struct sctp_drop_stats {
	uint64_t runt;           /* shorter than the SCTP common header */
	uint64_t bad_addr;       /* for a local port from an unexpected
				  * address (not the configured remote-ip) */
	uint64_t no_assoc;       /* for a port no association uses */
	uint64_t reentrant;      /* arrived while usrsctp was busy: queue full */
};
const struct sctp_drop_stats *sctp_drops(void);
void sctp_clear_stats(void);

/* Send one channel message on association ID, stream SID. 0: taken;
 * IPC_FULL: no room now (the channel is told when there is); IPC_DOWN:
 * not established. */
int sctp_send(unsigned id, uint16_t sid, const void *msg, size_t len);
/* Abort association ID and start again (keepalive failure, an untrusted
 * peer); WHY goes to debug ip sctp and to show. */
void sctp_restart(unsigned id, const char *why);

void ipc_sctp_init(void);
void ipc_sctp_reset(void);

/* ---- what the transport tells the channel ----------------------------- */
void ipc_chan_link(unsigned id, bool up);
/* One whole SCTP message received on stream SID. */
void ipc_chan_input(unsigned id, uint16_t sid, const uint8_t *msg,
		    size_t len);
/* Association ID has room to send again. */
void ipc_chan_writable(unsigned id);

/* The channel's sending and resetting go through these (the transport's
 * by default; unit tests and fuzzers put their own in). */
struct ipc_transport {
	int (*send)(unsigned id, uint16_t sid, const void *msg, size_t len);
	void (*restart)(unsigned id, const char *why);
};
void ipc_chan_set_transport(const struct ipc_transport *t);

/* ---- the message channel (ipc_chan.c) ------------------------------------- */

/* The header in front of every message (network byte order):
 *   0  u8   version (IPC_MSG_VERSION)
 *   1  u8   flags (0)
 *   2  u16  client id
 *   4  u16  type
 *   6  u16  reserved (0)
 *   8  u32  sequence number, per client and direction, from 1 on each link
 *  12  u32  payload length
 *  16  ...  payload                                                       */
#define IPC_HDR_LEN 16
#define IPC_MSG_VERSION 1
struct ipc_hdr {
	uint8_t version, flags;
	uint16_t client, type, reserved;
	uint32_t seq, len;
};
/* Why a received message was dropped. */
enum ipc_rx_verdict {
	IPC_RX_OK,
	IPC_RX_SHORT,        /* shorter than the header */
	IPC_RX_LENGTH,       /* length field and message size disagree */
	IPC_RX_TOOBIG,       /* payload beyond IPC_MSG_MAX */
	IPC_RX_VERSION,      /* another message version */
	IPC_RX_HEADER,       /* flags or reserved bits set */
	IPC_RX_CLIENT,       /* no such client here */
	IPC_RX_TYPE,         /* a type the client does not know */
	IPC_RX_ORDER,        /* out of sequence (replay, gap) */
	IPC_RX_UNTRUSTED,    /* the link's peer was refused */
	IPC_RX__COUNT
};
/* Parse and check the header of MSG (LEN bytes); the payload follows it. */
enum ipc_rx_verdict ipc_hdr_decode(const uint8_t *msg, size_t len,
				   struct ipc_hdr *h);
void ipc_hdr_encode(const struct ipc_hdr *h, uint8_t out[IPC_HDR_LEN]);
const char *ipc_rx_verdict_name(enum ipc_rx_verdict v);

/* The channel's view for show ipc status / ports / nodes. */
struct ipc_chan_stats {
	uint64_t rx_msgs, tx_msgs, rx_bytes, tx_bytes;
	uint64_t rx_drop[IPC_RX__COUNT];
	uint64_t tx_full, tx_down, links_up, links_down;
	double cleared;      /* core_uptime() of clear ipc statistics, <0 never */
};
const struct ipc_chan_stats *ipc_chan_stats(void);
/* The association the channel runs on (0: none up). */
unsigned ipc_chan_link_id(void);
bool ipc_chan_link_trusted(void);
/* Clients in registration order: NULL past the last. */
struct ipc_client *ipc_client_at(int i);
const struct ipc_client_ops *ipc_client_ops(const struct ipc_client *c);
const struct ipc_client_stats *ipc_client_stats(const struct ipc_client *c);
size_t ipc_client_queued(const struct ipc_client *c);
uint16_t ipc_client_stream(const struct ipc_client *c);
void ipc_chan_clear_stats(bool cumulative_too);
void ipc_chan_init(void);
void ipc_chan_reset(void);

/* ---- debugging (ipc_show.c) ------------------------------------------------ */
enum {
	IPC_DBG_SCTP_STATE = 1 << 0,   /* debug ip sctp state */
	IPC_DBG_SCTP_SIGNAL = 1 << 1,  /* debug ip sctp signal */
	IPC_DBG_SCTP_WARN = 1 << 2,    /* debug ip sctp warnings */
	IPC_DBG_SCTP_INIT = 1 << 3,    /* debug ip sctp init */
};
extern unsigned ipc_debug;
void ipc_show_init(void);

/* ---- configuration checks (ipc_cfg.c) ------------------------------------ */
/* Why association CFG cannot run now (NULL: it can). BUF holds the text. */
const char *ipc_assoc_unusable(const struct ipc_assoc_cfg *cfg, char *buf,
			       size_t n);

#endif
