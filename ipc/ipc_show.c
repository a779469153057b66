/* The IPC and SCTP status commands IOS 12.4 has, and their debug:
 *
 *   show ip sctp association list | parameters ID | statistics ID
 *   show ip sctp statistics | errors | instances      clear ip sctp statistics
 *   show ipc status [cumulative] | ports | nodes       clear ipc statistics
 *   debug ip sctp {init|signal|state|warnings}
 *
 * The command names are IOS's (the SCTP feature guide of 12.2(8)T lists
 * the show ip sctp and debug ip sctp families; show ipc with status,
 * ports and nodes and clear ipc statistics are in the 12.2(15)T/12.3T
 * references). Their layouts follow IOS's "** SCTP ... **" blocks as far
 * as they are known; every figure is the live state of this router's
 * associations, of usrsctp's own counters and of the message channel. */
#include "ipc_int.h"

#include <stdio.h>
#include <string.h>
#include <usrsctp.h>

#include "../cli/cli.h"
#include "../core/core.h"

unsigned ipc_debug;

#define HELP_SHOW "Show running system information\n"
#define HELP_IP "IP information\n"
#define HELP_SCTP "SCTP information\n"
#define HELP_ASSOC "SCTP association information\n"
#define HELP_IPC "Interprocess communications commands\n"

static const char *state_name(enum sctp_run_state st)
{
	switch (st) {
	case SCTP_RUN_IDLE: return "CLOSED";
	case SCTP_RUN_COOKIE_WAIT: return "COOKIE_WAIT";
	case SCTP_RUN_ESTABLISHED: return "ESTABLISHED";
	case SCTP_RUN_BACKOFF: return "CLOSED (retrying)";
	}
	return "?";
}

static void addrs(struct cli *cli, const uint32_t *v, int n)
{
	char b[16];
	for (int i = 0; i < n; i++)
		cli_printf(cli, "%s%s", i ? " " : "", ip_fmt(v[i], b));
}

/* A second address is configured but one AF_CONN association is one
 * path: said plainly wherever the addresses are shown. */
static void second_addr_note(struct cli *cli, const struct ipc_sctp_cfg *c,
			     const char *indent)
{
	char b[16];
	if (c->n_local_ip > 1)
		cli_printf(cli, "%sLocal address %s: configured, not used "
			   "(multi-homing is not supported)\n", indent,
			   ip_fmt(c->local_ip[1], b));
	if (c->n_remote_ip > 1)
		cli_printf(cli, "%sRemote address %s: configured, not used "
			   "(multi-homing is not supported)\n", indent,
			   ip_fmt(c->remote_ip[1], b));
}

static void uptime(double since, char *out, size_t n)
{
	double up = core_uptime() - since;
	long s = (long)up;
	snprintf(out, n, "%02ld:%02ld:%02ld.%03d", s / 3600, s / 60 % 60,
		 s % 60, (int)((up - (double)s) * 1000));
}

/* ---- show ip sctp association ... ----------------------------------------- */

DEFUN(show_sctp_list, "show ip sctp association list",
      HELP_SHOW HELP_IP HELP_SCTP HELP_ASSOC
      "List of all associations\n")
{
	cli_puts(cli, "** SCTP Association List **\n\n");
	for (const struct ipc_assoc_cfg *c = ipc_assoc_next(NULL); c;
	     c = ipc_assoc_next(c)) {
		struct sctp_assoc_view v;
		if (!sctp_assoc_view(c->id, &v))
			continue;
		cli_printf(cli, "AssocID: %u, Instance ID: %u\n", v.id, v.id);
		cli_printf(cli, "  Current state: %s\n", state_name(v.state));
		if (v.state == SCTP_RUN_IDLE)
			cli_printf(cli, "  Not started: %s\n", v.why_idle);
		cli_printf(cli, "  Local port: %u, Addrs: ", v.cfg->local_port);
		addrs(cli, v.cfg->local_ip, v.cfg->n_local_ip);
		cli_printf(cli, "\n  Remote port: %u, Addrs: ",
			   v.cfg->remote_port);
		addrs(cli, v.cfg->remote_ip, v.cfg->n_remote_ip);
		cli_puts(cli, "\n");
		second_addr_note(cli, v.cfg, "  ");
		cli_puts(cli, "\n");
	}
	return CLI_OK;
}

static bool view_or_error(struct cli *cli, const struct cli_args *a,
			  struct sctp_assoc_view *v)
{
	unsigned id = (unsigned)cli_arg_num(a, "id");
	if (sctp_assoc_view(id, v))
		return true;
	cli_printf(cli, "%% Association %u not found\n", id);
	return false;
}

DEFUN(show_sctp_params, "show ip sctp association parameters <0-255>$id",
      HELP_SHOW HELP_IP HELP_SCTP HELP_ASSOC
      "Parameters of an association\n"
      "Association ID\n")
{
	struct sctp_assoc_view v;
	if (!view_or_error(cli, a, &v))
		return CLI_ERR;
	const struct ipc_sctp_cfg *c = v.cfg;
	char up[32], b[16];
	uptime(v.since, up, sizeof up);
	unsigned hi = c->rto_max_ms > c->rto_min_ms ? c->rto_max_ms
						    : c->rto_min_ms;
	cli_puts(cli, "** SCTP Association Parameters **\n");
	cli_printf(cli, "  AssocID: %u  Context: 0  InstanceID: %u\n", v.id,
		   v.id);
	cli_printf(cli, "  Assoc state: %s  Uptime: %s\n", state_name(v.state),
		   up);
	cli_printf(cli, "  Local port: %u\n  Local addresses: ", c->local_port);
	addrs(cli, c->local_ip, c->n_local_ip);
	cli_printf(cli, "\n  Remote port: %u\n", c->remote_port);
	if (c->n_remote_ip)
		cli_printf(cli, "  Primary dest addr: %s\n",
			   ip_fmt(c->remote_ip[0], b));
	cli_puts(cli, "  Destination addresses:\n");
	for (int i = 0; i < c->n_remote_ip; i++) {
		cli_printf(cli, "    %s: State: %s\n", ip_fmt(c->remote_ip[i], b),
			   i ? "NOT USED (multi-homing is not supported)"
			   : v.state == SCTP_RUN_ESTABLISHED ? "ACTIVE"
			   : "INACTIVE");
		if (i || !v.have_status)
			continue;
		cli_printf(cli, "      Heartbeats: Enabled  Timeout: %u ms\n",
			   1000u);
		cli_printf(cli, "      RTO/RTT/SRTT: %u/%u/%u ms  TOS: 0  MTU: %u\n",
			   v.rto_ms, v.srtt_ms, v.srtt_ms, v.mtu);
		cli_printf(cli, "      cwnd: %u  outstand: %u\n", v.cwnd,
			   v.unacked);
		cli_printf(cli, "      Max retrans: %u\n", c->path_retrans);
	}
	if (v.have_status) {
		cli_printf(cli, "  Num inbound streams: %u  outbound streams: %u\n",
			   v.in_streams, v.out_streams);
		cli_printf(cli, "  LocalRwnd: %u  RemoteRwnd: %u\n",
			   v.local_rwnd, v.peer_rwnd);
	}
	cli_printf(cli, "  Max assoc retrans: %u  Max path retrans: %u\n",
		   c->assoc_retrans, c->path_retrans);
	cli_printf(cli, "  Min RTO: %u ms  Max RTO: %u ms  Initial RTO: %u ms\n",
		   c->rto_min_ms, hi, c->rto_min_ms);
	if (v.state == SCTP_RUN_IDLE)
		cli_printf(cli, "  Not started: %s\n", v.why_idle);
	second_addr_note(cli, c, "  ");
	return CLI_OK;
}

static void chunk_block(struct cli *cli, const struct sctp_chunk_dir *in,
			const struct sctp_chunk_dir *out)
{
	cli_printf(cli, "  Control Chunks\n    Sent: %llu   Rcvd: %llu\n",
		   (unsigned long long)out->control,
		   (unsigned long long)in->control);
	cli_printf(cli, "  Data Chunks Sent\n    Total: %llu   Retransmitted: "
		   "%llu\n    Ordered: %llu   Unordered: %llu\n"
		   "    Total Bytes: %llu\n",
		   (unsigned long long)out->data,
		   (unsigned long long)out->again,
		   (unsigned long long)out->ordered,
		   (unsigned long long)out->unordered,
		   (unsigned long long)out->data_bytes);
	cli_printf(cli, "  Data Chunks Rcvd\n    Total: %llu   Discarded: %llu\n"
		   "    Ordered: %llu   Unordered: %llu\n    Total Bytes: %llu\n"
		   "    Out of Seq TSN: %llu\n",
		   (unsigned long long)in->data, (unsigned long long)in->again,
		   (unsigned long long)in->ordered,
		   (unsigned long long)in->unordered,
		   (unsigned long long)in->data_bytes,
		   (unsigned long long)in->gaps);
}

DEFUN(show_sctp_astats, "show ip sctp association statistics <0-255>$id",
      HELP_SHOW HELP_IP HELP_SCTP HELP_ASSOC
      "Statistics of an association\n"
      "Association ID\n")
{
	struct sctp_assoc_view v;
	if (!view_or_error(cli, a, &v))
		return CLI_ERR;
	const struct sctp_assoc_stats *s = &v.stats;
	cli_puts(cli, "** SCTP Association Statistics **\n");
	cli_printf(cli, "  AssocID/InstanceID: %u/%u\n", v.id, v.id);
	cli_printf(cli, "  Current State: %s\n", state_name(v.state));
	chunk_block(cli, &s->in, &s->out);
	cli_printf(cli, "  SCTP Dgrams\n    Sent: %llu   Rcvd: %llu   Send "
		   "failures: %llu\n",
		   (unsigned long long)s->tx_pkts,
		   (unsigned long long)s->rx_pkts,
		   (unsigned long long)s->tx_fail);
	cli_printf(cli, "  ULP Dgrams\n    Sent: %llu   Rcvd: %llu\n",
		   (unsigned long long)s->tx_msgs,
		   (unsigned long long)s->rx_msgs);
	cli_printf(cli, "  Association Events\n    Comm Up: %llu   Comm Lost: "
		   "%llu   Restarts: %llu   Failed Starts: %llu\n",
		   (unsigned long long)s->comm_up,
		   (unsigned long long)s->comm_lost,
		   (unsigned long long)s->restarts,
		   (unsigned long long)s->cant_start);
	return CLI_OK;
}

/* ---- show ip sctp statistics / errors / instances ----------------------------- */

DEFUN(show_sctp_stats, "show ip sctp statistics",
      HELP_SHOW HELP_IP HELP_SCTP
      "Overall SCTP statistics\n")
{
	struct sctpstat st;
	usrsctp_get_stat(&st);
	cli_puts(cli, "** SCTP Overall Statistics **\n");
	cli_printf(cli, "  Control Chunks\n    Sent: %u   Rcvd: %u\n",
		   st.sctps_outcontrolchunks, st.sctps_incontrolchunks);
	cli_printf(cli, "  Data Chunks Sent\n    Total: %u   Retransmitted: %u\n"
		   "    Ordered: %u   Unordered: %u\n",
		   st.sctps_senddata, st.sctps_sendretransdata,
		   st.sctps_outorderchunks, st.sctps_outunorderchunks);
	cli_printf(cli, "  Data Chunks Rcvd\n    Total: %u   Discarded: %u\n"
		   "    Ordered: %u   Unordered: %u\n",
		   st.sctps_recvdata, st.sctps_recvdupdata,
		   st.sctps_inorderchunks, st.sctps_inunorderchunks);
	cli_printf(cli, "  SCTP Dgrams\n    Sent: %u   Rcvd: %u\n",
		   st.sctps_outpackets, st.sctps_inpackets);
	cli_printf(cli, "  ULP Dgrams\n    Fragmented: %u   Reassembled: %u\n",
		   st.sctps_fragusrmsgs, st.sctps_reasmusrmsgs);
	cli_printf(cli, "  Additional Stats\n    Assocs Currently Estab: %u\n"
		   "    Active Estab: %u   Passive Estab: %u\n"
		   "    Aborts: %u   Shutdowns: %u\n"
		   "    T1 Expired: %u   T3 Expired: %u\n"
		   "    Heartbeats Sent: %u   Heartbeat Acks Rcvd: %u\n",
		   st.sctps_currestab, st.sctps_activeestab,
		   st.sctps_passiveestab, st.sctps_aborted, st.sctps_shutdown,
		   st.sctps_timoinit, st.sctps_timodata,
		   st.sctps_sendheartbeat, st.sctps_recvheartbeatack);
	return CLI_OK;
}

DEFUN(show_sctp_errors, "show ip sctp errors",
      HELP_SHOW HELP_IP HELP_SCTP
      "SCTP error statistics\n")
{
	struct sctpstat st;
	usrsctp_get_stat(&st);
	const struct sctp_drop_stats *d = sctp_drops();
	uint64_t lost = 0;
	for (const struct ipc_assoc_cfg *c = ipc_assoc_next(NULL); c;
	     c = ipc_assoc_next(c)) {
		struct sctp_assoc_view v;
		if (sctp_assoc_view(c->id, &v))
			lost += v.stats.comm_lost;
	}
	cli_puts(cli, "** SCTP Error Statistics **\n");
	cli_printf(cli, "  Communication Lost: %llu\n", (unsigned long long)lost);
	cli_printf(cli, "  Invalid Verification Tag: %u\n", st.sctps_badvtag);
	cli_printf(cli, "  Bad Checksum: %u\n", st.sctps_badsum);
	cli_printf(cli, "  Packets Shorter Than Header: %llu\n",
		   (unsigned long long)(d->runt + st.sctps_hdrops));
	cli_printf(cli, "  Packets From Unexpected Address: %llu\n",
		   (unsigned long long)d->bad_addr);
	cli_printf(cli, "  Packets For Unknown Port: %llu\n",
		   (unsigned long long)(d->no_assoc + st.sctps_noport));
	cli_printf(cli, "  Out Of The Blue Packets: %u\n", st.sctps_outoftheblue);
	cli_printf(cli, "  Send Errors: %u\n", st.sctps_senderrors);
	return CLI_OK;
}

DEFUN(show_sctp_instances, "show ip sctp instances",
      HELP_SHOW HELP_IP HELP_SCTP
      "SCTP instances\n")
{
	cli_puts(cli, "** SCTP Instances **\n");
	int n = 0;
	for (const struct ipc_assoc_cfg *c = ipc_assoc_next(NULL); c;
	     c = ipc_assoc_next(c)) {
		struct sctp_assoc_view v;
		if (!sctp_assoc_view(c->id, &v))
			continue;
		n++;
		cli_printf(cli, "  Instance ID: %u   Local port: %u\n", v.id,
			   v.cfg->local_port);
		cli_printf(cli, "  Instance state: %s\n",
			   v.state == SCTP_RUN_IDLE ? "deleted" : "available");
		cli_puts(cli, "  Local addrs: ");
		addrs(cli, v.cfg->local_ip, v.cfg->n_local_ip);
		cli_printf(cli, "\n  Default streams inbound: %u  outbound: %u\n",
			   IPC_MAX_CLIENTS, IPC_MAX_CLIENTS);
		cli_puts(cli, "  Current associations: (max allowed: 1)\n");
		if (v.state != SCTP_RUN_IDLE) {
			cli_printf(cli, "    AssocID: %u  State: %s  Remote port: "
				   "%u\n      Dest addrs: ", v.id,
				   state_name(v.state), v.cfg->remote_port);
			addrs(cli, v.cfg->remote_ip, v.cfg->n_remote_ip);
			cli_puts(cli, "\n");
		}
	}
	if (!n)
		cli_puts(cli, "  No SCTP instances defined.\n");
	return CLI_OK;
}

DEFUN(clear_sctp_stats, "clear ip sctp statistics",
      "Reset functions\n" HELP_IP HELP_SCTP
      "SCTP statistics\n")
{
	sctp_clear_stats();
	return CLI_OK;
}

/* ---- show ipc --------------------------------------------------------------------- */

static void cleared(struct cli *cli, double when)
{
	if (when < 0) {
		cli_puts(cli, "Time last IPC stat cleared : never\n\n");
		return;
	}
	char up[32];
	core_uptime_str(core_uptime() - when, up, sizeof up);
	cli_printf(cli, "Time last IPC stat cleared : %s\n\n", up);
}

static void row(struct cli *cli, const char *label, uint64_t rx, uint64_t tx)
{
	cli_printf(cli, "%-40s%11llu %11llu\n", label, (unsigned long long)rx,
		   (unsigned long long)tx);
}

DEFUN(show_ipc_status, "show ipc status [cumulative]",
      HELP_SHOW HELP_IPC
      "Status of the local IPC server\n"
      "Statistics since the router started\n")
{
	const struct ipc_chan_stats *s = ipc_chan_stats();
	cli_puts(cli, "IPC System Status\n\n");
	if (!cli_has(a, "cumulative"))
		cleared(cli, s->cleared);
	cli_puts(cli, "This processor is the IPC master server.\n\n");
	unsigned link = ipc_chan_link_id();
	char b[16];
	if (!ipc_zone_configured())
		cli_puts(cli, "No IPC zone is configured.\n\n");
	else if (!link)
		cli_puts(cli, "Zone default: no association is established.\n\n");
	else
		cli_printf(cli, "Zone default: link on association %u to %s, "
			   "peer %s\n\n", link,
			   ip_fmt(ipc_assoc_lookup(link)->sctp_cfg.remote_ip[0], b),
			   ipc_chan_link_trusted() ? "trusted"
			   : "refused (message version)");
	cli_printf(cli, "%-40s%11s %11s\n", "", "Rx Side", "Tx Side");
	row(cli, "Total Messages", s->rx_msgs, s->tx_msgs);
	row(cli, "Total Bytes", s->rx_bytes, s->tx_bytes);
	uint64_t dropped = 0;
	for (int v = 1; v < IPC_RX__COUNT; v++)
		dropped += s->rx_drop[v];
	row(cli, "Messages Dropped", dropped, s->tx_full + s->tx_down);
	for (int v = 1; v < IPC_RX__COUNT; v++) {
		char label[48];
		snprintf(label, sizeof label, "  %s", ipc_rx_verdict_name(v));
		cli_printf(cli, "%-40s%11llu\n", label,
			   (unsigned long long)s->rx_drop[v]);
	}
	cli_printf(cli, "%-40s%11s %11llu\n", "  send queue full", "",
		   (unsigned long long)s->tx_full);
	cli_printf(cli, "%-40s%11s %11llu\n", "  no link to the peer", "",
		   (unsigned long long)s->tx_down);
	cli_printf(cli, "%-40s%11llu %11llu\n", "Links Up/Down",
		   (unsigned long long)s->links_up,
		   (unsigned long long)s->links_down);
	return CLI_OK;
}

static const char *type_name(const struct ipc_client_ops *o, int t)
{
	return o->type_names && o->type_names[t] ? o->type_names[t] : "";
}

DEFUN(show_ipc_ports, "show ipc ports",
      HELP_SHOW HELP_IPC
      "Local IPC ports\n")
{
	int n = 0;
	while (ipc_client_at(n))
		n++;
	cli_printf(cli, "There are %d ports defined.\n\n", n);
	cli_printf(cli, "%-9s %-7s %-22s %9s %9s %8s %8s\n", "Port ID", "Stream",
		   "Name", "Sent", "Rcvd", "Dropped", "Queued");
	for (int i = 0; i < n; i++) {
		const struct ipc_client *c = ipc_client_at(i);
		const struct ipc_client_ops *o = ipc_client_ops(c);
		const struct ipc_client_stats *s = ipc_client_stats(c);
		cli_printf(cli, "%-9u %-7u %-22.22s %9llu %9llu %8llu %8zu\n",
			   o->id, ipc_client_stream(c), o->name,
			   (unsigned long long)s->tx_msgs,
			   (unsigned long long)s->rx_msgs,
			   (unsigned long long)s->rx_drop, ipc_client_queued(c));
		for (int t = 1; t <= o->ntypes && t < IPC_MAX_TYPES; t++)
			if (s->tx_type[t] || s->rx_type[t])
				cli_printf(cli, "    type %-3d %-25.25s %9llu "
					   "%9llu\n", t, type_name(o, t),
					   (unsigned long long)s->tx_type[t],
					   (unsigned long long)s->rx_type[t]);
		if (s->tx_full)
			cli_printf(cli, "    send queue full %llu times\n",
				   (unsigned long long)s->tx_full);
	}
	return CLI_OK;
}

DEFUN(show_ipc_nodes, "show ipc nodes",
      HELP_SHOW HELP_IPC
      "Participating nodes\n")
{
	unsigned link = ipc_chan_link_id();
	int n = 1 + (link != 0);
	char b[16];
	cli_printf(cli, "There %s %d node%s in this IPC realm.\n",
		   n == 1 ? "is" : "are", n, n == 1 ? "" : "s");
	cli_printf(cli, "   %-5s %-8s %-20s %-16s %s\n", "ID", "Type", "Name",
		   "Address", "Association");
	const struct ipc_assoc_cfg *c = link ? ipc_assoc_lookup(link) : NULL;
	cli_printf(cli, "   %-5d %-8s %-20.20s %-16s %s\n", 0, "Local",
		   core_hostname(),
		   c ? ip_fmt(c->sctp_cfg.local_ip[0], b) : "-", "-");
	if (c) {
		char id[16];
		snprintf(id, sizeof id, "%u", link);
		cli_printf(cli, "   %-5d %-8s %-20s %-16s %s\n", 1, "SCTP",
			   ipc_chan_link_trusted() ? "Peer" : "Peer (refused)",
			   ip_fmt(c->sctp_cfg.remote_ip[0], b), id);
	}
	return CLI_OK;
}

DEFUN(clear_ipc_stats, "clear ipc statistics",
      "Reset functions\n" HELP_IPC
      "IPC statistics\n")
{
	ipc_chan_clear_stats(false);
	return CLI_OK;
}

/* ---- debug ip sctp ------------------------------------------------------------------ */

static const struct {
	const char *word;
	unsigned flag;
	const char *text;
} dbg_words[] = {
	{"init", IPC_DBG_SCTP_INIT, "SCTP association initialization"},
	{"signal", IPC_DBG_SCTP_SIGNAL, "SCTP signals"},
	{"state", IPC_DBG_SCTP_STATE, "SCTP state transitions"},
	{"warnings", IPC_DBG_SCTP_WARN, "SCTP warnings"},
};

DEFUN(debug_sctp, "[no] debug ip sctp (init|signal|state|warnings)",
      "Debugging functions (see also 'undebug')\n" HELP_IP
      "SCTP debugging\n"
      "Association initialization\n"
      "Upper layer signals\n"
      "Association state transitions\n"
      "Warnings\n")
{
	for (size_t i = 0; i < sizeof dbg_words / sizeof dbg_words[0]; i++) {
		if (!cli_has(a, dbg_words[i].word))
			continue;
		if (cli_is_no(a))
			ipc_debug &= ~dbg_words[i].flag;
		else
			ipc_debug |= dbg_words[i].flag;
		cli_printf(cli, "%s debugging is %s\n", dbg_words[i].text,
			   cli_is_no(a) ? "off" : "on");
	}
	return CLI_OK;
}

DEFUN(undebug_sctp, "undebug ip sctp (init|signal|state|warnings)",
      "Disable debugging functions (see also 'debug')\n" HELP_IP
      "SCTP debugging\n"
      "Association initialization\n"
      "Upper layer signals\n"
      "Association state transitions\n"
      "Warnings\n")
{
	for (size_t i = 0; i < sizeof dbg_words / sizeof dbg_words[0]; i++)
		if (cli_has(a, dbg_words[i].word)) {
			ipc_debug &= ~dbg_words[i].flag;
			cli_printf(cli, "%s debugging is off\n",
				   dbg_words[i].text);
		}
	return CLI_OK;
}

static void debug_show(struct sbuf *out)
{
	if (!ipc_debug)
		return;
	sbuf_puts(out, "SCTP:\n");
	for (size_t i = 0; i < sizeof dbg_words / sizeof dbg_words[0]; i++)
		if (ipc_debug & dbg_words[i].flag)
			sbuf_printf(out, "  %s debugging is on\n",
				    dbg_words[i].text);
}

static void debug_off(void)
{
	ipc_debug = 0;
}

void ipc_show_init(void)
{
	core_register_debug(debug_show, debug_off);
	cli_install(MODE_EXEC, &show_sctp_list_cmd);
	cli_install(MODE_EXEC, &show_sctp_params_cmd);
	cli_install(MODE_EXEC, &show_sctp_astats_cmd);
	cli_install(MODE_EXEC, &show_sctp_stats_cmd);
	cli_install(MODE_EXEC, &show_sctp_errors_cmd);
	cli_install(MODE_EXEC, &show_sctp_instances_cmd);
	cli_install(MODE_EXEC, &clear_sctp_stats_cmd);
	cli_install(MODE_EXEC, &show_ipc_status_cmd);
	cli_install(MODE_EXEC, &show_ipc_ports_cmd);
	cli_install(MODE_EXEC, &show_ipc_nodes_cmd);
	cli_install(MODE_EXEC, &clear_ipc_stats_cmd);
	cli_install(MODE_EXEC, &debug_sctp_cmd);
	cli_install(MODE_EXEC, &undebug_sctp_cmd);
}
