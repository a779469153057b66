/* ipc configuration: "ipc zone default", its associations and their SCTP
 * end points, the running-config writer, and read access for the SCTP
 * transport. Mode nesting (prompts from seeds 000/004):
 *
 *   (config)                   ipc zone default
 *   (config-ipczone)           association <1-255>
 *   (config-ipczone-assoc)     shutdown, protocol sctp
 *   (config-ipc-protocol-sctp) local-port N, remote-port N
 *   (config-ipc-local-sctp)    local-ip, retransmit-timeout,
 *                              path-retransmit, assoc-retransmit
 *   (config-ipc-remote-sctp)   remote-ip
 *
 * Every mode below the zone carries the association as its context. A
 * pasted "remote-port 5000" typed in (config-ipc-local-sctp) is not valid
 * there; the engine retries it in the parent mode, which is how nvgen
 * output such as the seeds' listings is read back.
 */
#include "ipc_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../cli/cli.h"
#include "../core/core.h"
#include "../hsrp/hsrp.h"
#include "../platform/platform.h"

struct ipc_assoc {
	struct ipc_assoc_cfg cfg;          /* first: the public view */
	struct ipc_assoc *next;            /* ascending id */
};

struct ipc_hook {
	ipc_change_fn fn;
	void *ctx;
};

static struct {
	bool zone;                         /* "ipc zone default" present */
	bool booted;                       /* the boot configuration is in */
	struct ipc_assoc *assocs;
	struct ipc_hook *hooks;
	int nhooks;
} ipc;

/* ---- state ------------------------------------------------------------- */

static void changed(unsigned id)
{
	for (int i = 0; i < ipc.nhooks; i++)
		ipc.hooks[i].fn(id, ipc.hooks[i].ctx);
}

void ipc_on_change(ipc_change_fn fn, void *ctx)
{
	ipc.hooks = xrealloc(ipc.hooks,
			     (size_t)(ipc.nhooks + 1) * sizeof *ipc.hooks);
	ipc.hooks[ipc.nhooks++] = (struct ipc_hook){fn, ctx};
}

bool ipc_zone_configured(void)
{
	return ipc.zone;
}

static struct ipc_assoc *assoc_find(unsigned id)
{
	for (struct ipc_assoc *as = ipc.assocs; as; as = as->next)
		if (as->cfg.id == id)
			return as;
	return NULL;
}

const struct ipc_assoc_cfg *ipc_assoc_lookup(unsigned id)
{
	struct ipc_assoc *as = assoc_find(id);
	return as ? &as->cfg : NULL;
}

const struct ipc_assoc_cfg *ipc_assoc_next(const struct ipc_assoc_cfg *prev)
{
	if (!prev)
		return ipc.assocs ? &ipc.assocs->cfg : NULL;
	const struct ipc_assoc *as = (const struct ipc_assoc *)prev;
	return as->next ? &as->next->cfg : NULL;
}

/* The local end point's settings back to IOS defaults (no port, no
 * addresses, default timers). */
static void sctp_local_clear(struct ipc_sctp_cfg *s)
{
	s->local_port = 0;
	s->n_local_ip = 0;
	memset(s->local_ip, 0, sizeof s->local_ip);
	s->rto_min_ms = IPC_SCTP_RTO_MIN_DEFAULT;
	s->rto_max_ms = IPC_SCTP_RTO_MAX_DEFAULT;
	s->path_retrans = IPC_SCTP_RETRANS_DEFAULT;
	s->assoc_retrans = IPC_SCTP_RETRANS_DEFAULT;
}

static void sctp_remote_clear(struct ipc_sctp_cfg *s)
{
	s->remote_port = 0;
	s->n_remote_ip = 0;
	memset(s->remote_ip, 0, sizeof s->remote_ip);
}

static void sctp_clear(struct ipc_assoc_cfg *c)
{
	c->sctp = false;
	sctp_local_clear(&c->sctp_cfg);
	sctp_remote_clear(&c->sctp_cfg);
}

static struct ipc_assoc *assoc_get(unsigned id)
{
	struct ipc_assoc *as = assoc_find(id);
	if (as)
		return as;
	as = xcalloc(1, sizeof *as);
	CLI_OBJ_REGISTER(as, struct ipc_assoc);
	as->cfg.id = id;
	sctp_clear(&as->cfg);
	struct ipc_assoc **pp = &ipc.assocs;
	while (*pp && (*pp)->cfg.id < id)
		pp = &(*pp)->next;
	as->next = *pp;
	*pp = as;
	changed(id);
	return as;
}

static void assoc_delete(struct ipc_assoc *as)
{
	unsigned id = as->cfg.id;
	for (struct ipc_assoc **pp = &ipc.assocs; *pp; pp = &(*pp)->next)
		if (*pp == as) {
			*pp = as->next;
			break;
		}
	cli_obj_release(as);
	free(as);
	changed(id);
}

static void zone_delete(void)
{
	while (ipc.assocs)
		assoc_delete(ipc.assocs);
	ipc.zone = false;
}

/* Every mode below the zone has the association as its context; a command
 * that changes it tells the subscribers (the SCTP transport). One that
 * changed nothing tells no one. */
static int assoc_changed(struct ipc_assoc *as, bool changed_it)
{
	if (!changed_it)
		return CLI_UNCHANGED;
	changed(as->cfg.id);
	return CLI_OK;
}

/* ---- global: ipc zone default ---------------------------------------- */

DEFUN(ipc_zone, "[no] ipc zone default",
      "Configure IPC system\n"
      "Configure IPC Zone\n"
      "Default zone\n")
{
	bool had = ipc.zone;
	if (cli_is_no(a)) {
		zone_delete();
		return had ? CLI_OK : CLI_UNCHANGED;
	}
	ipc.zone = true;
	cli_enter(cli, MODE_IPCZONE, NULL);
	return had ? CLI_UNCHANGED : CLI_OK;
}

/* ---- (config-ipczone) ------------------------------------------------- */

DEFUN(ipc_association, "[no] association <1-255>$id",
      "Configure an association between two devices\n"
      "Association ID\n")
{
	unsigned id = (unsigned)cli_arg_num(a, "id");
	struct ipc_assoc *as = assoc_find(id);
	if (cli_is_no(a)) {
		if (!as)
			return CLI_UNCHANGED;
		assoc_delete(as);
		return CLI_OK;
	}
	/* the zone may have been removed from another session meanwhile */
	bool created = !as;    /* no zone, no associations */
	ipc.zone = true;
	cli_enter(cli, MODE_IPCZONE_ASSOC, as ? as : assoc_get(id));
	return created ? CLI_OK : CLI_UNCHANGED;
}

/* ---- (config-ipczone-assoc) ------------------------------------------- */

DEFUN(ipc_assoc_shutdown, "[no] shutdown",
      "Shutdown the association\n")
{
	CLI_CONTEXT(struct ipc_assoc, as);
	bool down = !cli_is_no(a);
	bool changed_it = as->cfg.shutdown != down;
	as->cfg.shutdown = down;
	return assoc_changed(as, changed_it);
}

DEFUN(ipc_protocol_sctp, "[no] protocol sctp",
      "Configure the transport protocol of the association\n"
      "SCTP transport configuration\n")
{
	CLI_CONTEXT(struct ipc_assoc, as);
	bool had = as->cfg.sctp;
	if (cli_is_no(a)) {
		sctp_clear(&as->cfg);
		return assoc_changed(as, had);
	}
	as->cfg.sctp = true;
	cli_enter(cli, MODE_IPC_SCTP, as);
	return assoc_changed(as, !had);
}

/* ---- (config-ipc-protocol-sctp) --------------------------------------- */

/* "local-port N" and "remote-port N" set the port and enter that end
 * point's mode; their no forms remove the end point, its port with the
 * rest of its settings (CLEAR). */
static int port_cmd(struct cli *cli, const struct cli_args *a,
		    struct ipc_assoc *as, uint16_t *port, enum cli_mode mode,
		    void (*clear)(struct ipc_sctp_cfg *))
{
	uint16_t was = *port;
	if (cli_is_no(a)) {
		clear(&as->cfg.sctp_cfg);
		return assoc_changed(as, was != 0);
	}
	*port = (uint16_t)cli_arg_num(a, "port");
	cli_enter(cli, mode, as);
	return assoc_changed(as, *port != was);
}

DEFUN(ipc_local_port, "[no] local-port ?[<1-65535>$port]",
      "Local SCTP port\n"
      "Local port number\n")
{
	CLI_CONTEXT(struct ipc_assoc, as);
	return port_cmd(cli, a, as, &as->cfg.sctp_cfg.local_port,
			MODE_IPC_LOCAL_SCTP, sctp_local_clear);
}

DEFUN(ipc_remote_port, "[no] remote-port ?[<1-65535>$port]",
      "Remote SCTP port\n"
      "Remote port number\n")
{
	CLI_CONTEXT(struct ipc_assoc, as);
	return port_cmd(cli, a, as, &as->cfg.sctp_cfg.remote_port,
			MODE_IPC_REMOTE_SCTP, sctp_remote_clear);
}

/* ---- address lists (local-ip / remote-ip) ----------------------------- */

/* "X-ip A [B]" replaces the list. */
static void addrs_set(uint32_t *v, int *n, const struct cli_args *a)
{
	v[0] = cli_arg_ip(a, "ip1");
	v[1] = cli_has(a, "ip2") ? cli_arg_ip(a, "ip2") : 0;
	*n = cli_has(a, "ip2") ? 2 : 1;
}

/* "no X-ip" removes all addresses; "no X-ip A [B]" removes those named
 * ("to remove one or all IP addresses", seed 001). */
static void addrs_remove(uint32_t *v, int *n, const struct cli_args *a)
{
	if (!cli_has(a, "ip1")) {
		*n = 0;
		memset(v, 0, IPC_SCTP_MAX_ADDRS * sizeof *v);
		return;
	}
	uint32_t gone[2] = {cli_arg_ip(a, "ip1"),
			    cli_has(a, "ip2") ? cli_arg_ip(a, "ip2") : 0};
	int ngone = cli_has(a, "ip2") ? 2 : 1;
	int j = 0;
	for (int i = 0; i < *n; i++) {
		bool drop = false;
		for (int k = 0; k < ngone; k++)
			drop |= v[i] == gone[k];
		if (!drop)
			v[j++] = v[i];
	}
	for (int i = j; i < IPC_SCTP_MAX_ADDRS; i++)
		v[i] = 0;
	*n = j;
}

/* "A virtual IP address cannot be used" (seed 000, local-ip and
 * remote-ip): an address that is one of this router's HSRP virtual
 * addresses is refused. Whether local-ip is this router's own is checked
 * when the association starts (show ip sctp association list says why it
 * does not), not here: in show running-config the ipc zone comes before
 * the interfaces, so at boot and in a paste no address exists yet. A
 * router that is up says so at once. The wording is the simulator's: no
 * IOS text for these cases is documented. */
static bool addrs_check(struct cli *cli, const struct cli_args *a, bool local)
{
	static const char *const names[] = {"ip1", "ip2"};
	for (int i = 0; i < 2; i++) {
		if (!cli_has(a, names[i]))
			continue;
		uint32_t ip = cli_arg_ip(a, names[i]);
		char b[16];
		if (hsrp_is_virtual_ip(ip)) {
			cli_printf(cli, "%% %s is a virtual IP address: a "
				   "virtual IP address cannot be used\n",
				   ip_fmt(ip, b));
			return false;
		}
		if (!ipc.booted)
			continue;
		if (local && !iface_by_addr(ip))
			cli_printf(cli, "%% Warning: %s is not an address of "
				   "this router; the association stays down "
				   "until it is\n", ip_fmt(ip, b));
		else if (!local && iface_by_addr(ip))
			cli_printf(cli, "%% Warning: %s is an address of this "
				   "router, not of its peer\n", ip_fmt(ip, b));
	}
	return true;
}

/* "[no] local-ip" and "[no] remote-ip" on the list V of N addresses. */
static int addrs_cmd(struct ipc_assoc *as, uint32_t *v, int *n,
		     const struct cli_args *a)
{
	uint32_t old[IPC_SCTP_MAX_ADDRS];
	int nold = *n;
	memcpy(old, v, sizeof old);
	if (cli_is_no(a))
		addrs_remove(v, n, a);
	else
		addrs_set(v, n, a);
	return assoc_changed(as, *n != nold || memcmp(old, v, sizeof old));
}

/* ---- (config-ipc-local-sctp) ------------------------------------------ */

DEFUN(ipc_local_ip, "[no] local-ip ?[A.B.C.D$ip1 [A.B.C.D$ip2]]",
      "Local IP address\n"
      "Local IP address\n"
      "Second local IP address\n")
{
	CLI_CONTEXT(struct ipc_assoc, as);
	struct ipc_sctp_cfg *s = &as->cfg.sctp_cfg;
	if (!cli_is_no(a) && !addrs_check(cli, a, true))
		return CLI_ERR;
	return addrs_cmd(as, s->local_ip, &s->n_local_ip, a);
}

/* "retransmit-timeout retran-min [msec] retran-max [msec]" (seed 000):
 * both in milliseconds, 300..60000; the no form takes either, both or
 * neither and puts both back to their defaults. */
DEFUN(ipc_rto, "[no] retransmit-timeout ?[<300-60000>$min [msec$m1] "
	       "?[<300-60000>$max [msec$m2]]]",
      "SCTP retransmit timeout\n"
      "Minimum retransmit timeout\n"
      "Milliseconds\n"
      "Maximum retransmit timeout\n"
      "Milliseconds\n")
{
	CLI_CONTEXT(struct ipc_assoc, as);
	struct ipc_sctp_cfg *s = &as->cfg.sctp_cfg;
	bool no = cli_is_no(a);
	unsigned min = no ? IPC_SCTP_RTO_MIN_DEFAULT
			  : (unsigned)cli_arg_num(a, "min");
	unsigned max = no ? IPC_SCTP_RTO_MAX_DEFAULT
			  : (unsigned)cli_arg_num(a, "max");
	bool changed_it = s->rto_min_ms != min || s->rto_max_ms != max;
	s->rto_min_ms = min;
	s->rto_max_ms = max;
	return assoc_changed(as, changed_it);
}

/* A retry count (path-retransmit, assoc-retransmit) set to N, or back to
 * its default by the no form. */
static int retrans_cmd(struct ipc_assoc *as, unsigned *field,
		       const struct cli_args *a)
{
	unsigned n = cli_is_no(a) ? IPC_SCTP_RETRANS_DEFAULT
				  : (unsigned)cli_arg_num(a, "n");
	bool changed_it = *field != n;
	*field = n;
	return assoc_changed(as, changed_it);
}

/* Retries 2..10 as seed 000 Table 2 documents ("assoc-retransmit 20" in
 * seed 003 is therefore rejected by the grammar). */
DEFUN(ipc_path_retrans, "[no] path-retransmit ?[<2-10>$n]",
      "SCTP path retransmissions before a path is failed\n"
      "Maximum path retries\n")
{
	CLI_CONTEXT(struct ipc_assoc, as);
	return retrans_cmd(as, &as->cfg.sctp_cfg.path_retrans, a);
}

DEFUN(ipc_assoc_retrans, "[no] assoc-retransmit ?[<2-10>$n]",
      "SCTP retransmissions before the association is failed\n"
      "Maximum association retries\n")
{
	CLI_CONTEXT(struct ipc_assoc, as);
	return retrans_cmd(as, &as->cfg.sctp_cfg.assoc_retrans, a);
}

/* ---- (config-ipc-remote-sctp) ----------------------------------------- */

DEFUN(ipc_remote_ip, "[no] remote-ip ?[A.B.C.D$ip1 [A.B.C.D$ip2]]",
      "Remote IP address\n"
      "Remote IP address\n"
      "Second remote IP address\n")
{
	CLI_CONTEXT(struct ipc_assoc, as);
	struct ipc_sctp_cfg *s = &as->cfg.sctp_cfg;
	if (!cli_is_no(a) && !addrs_check(cli, a, false))
		return CLI_ERR;
	return addrs_cmd(as, s->remote_ip, &s->n_remote_ip, a);
}

/* ---- can it run? ------------------------------------------------------- */

const char *ipc_assoc_unusable(const struct ipc_assoc_cfg *c, char *buf,
			       size_t n)
{
	const struct ipc_sctp_cfg *s = &c->sctp_cfg;
	char b[16];
	if (c->shutdown)
		return "administratively shut down";
	if (!c->sctp)
		return "no protocol sctp";
	if (!s->local_port)
		return "no local-port";
	if (!s->n_local_ip)
		return "no local-ip";
	if (!s->remote_port)
		return "no remote-port";
	if (!s->n_remote_ip)
		return "no remote-ip";
	if (hsrp_is_virtual_ip(s->local_ip[0]) ||
	    hsrp_is_virtual_ip(s->remote_ip[0])) {
		snprintf(buf, n, "%s is a virtual IP address",
			 ip_fmt(hsrp_is_virtual_ip(s->local_ip[0])
				? s->local_ip[0] : s->remote_ip[0], b));
		return buf;
	}
	if (!iface_by_addr(s->local_ip[0])) {
		snprintf(buf, n, "local-ip %s is not an address of this router",
			 ip_fmt(s->local_ip[0], b));
		return buf;
	}
	if (iface_by_addr(s->remote_ip[0])) {
		snprintf(buf, n, "remote-ip %s is an address of this router",
			 ip_fmt(s->remote_ip[0], b));
		return buf;
	}
	return NULL;
}

/* ---- running-config ---------------------------------------------------- */

static void write_addrs(struct sbuf *out, const char *cmd, const uint32_t *v,
			int n)
{
	char buf[16];
	if (n == 0)
		return;
	sbuf_printf(out, "    %s %s", cmd, ip_fmt(v[0], buf));
	if (n > 1)
		sbuf_printf(out, " %s", ip_fmt(v[1], buf));
	sbuf_puts(out, "\n");
}

static void write_sctp(struct sbuf *out, const struct ipc_sctp_cfg *s)
{
	sbuf_puts(out, "  protocol sctp\n");
	if (s->local_port) {
		sbuf_printf(out, "   local-port %u\n", s->local_port);
		write_addrs(out, "local-ip", s->local_ip, s->n_local_ip);
		if (s->rto_min_ms != IPC_SCTP_RTO_MIN_DEFAULT ||
		    s->rto_max_ms != IPC_SCTP_RTO_MAX_DEFAULT)
			sbuf_printf(out, "    retransmit-timeout %u %u\n",
				    s->rto_min_ms, s->rto_max_ms);
		if (s->path_retrans != IPC_SCTP_RETRANS_DEFAULT)
			sbuf_printf(out, "    path-retransmit %u\n",
				    s->path_retrans);
		if (s->assoc_retrans != IPC_SCTP_RETRANS_DEFAULT)
			sbuf_printf(out, "    assoc-retransmit %u\n",
				    s->assoc_retrans);
	}
	if (s->remote_port) {
		sbuf_printf(out, "   remote-port %u\n", s->remote_port);
		write_addrs(out, "remote-ip", s->remote_ip, s->n_remote_ip);
	}
}

/* IOS prints the association's admin state either way ("no shutdown"
 * appears in every seed listing, also where it was never typed). */
static void ipc_write(struct sbuf *out)
{
	if (!ipc.zone)
		return;
	sbuf_puts(out, "ipc zone default\n");
	for (const struct ipc_assoc *as = ipc.assocs; as; as = as->next) {
		sbuf_printf(out, " association %u\n", as->cfg.id);
		sbuf_puts(out, as->cfg.shutdown ? "  shutdown\n"
						: "  no shutdown\n");
		if (as->cfg.sctp)
			write_sctp(out, &as->cfg.sctp_cfg);
	}
	sbuf_puts(out, "!\n");
}

/* ---- subsystem ----------------------------------------------------------- */

static void ipc_reset(void)
{
	zone_delete();
	ipc.booted = false;
	ipc_sctp_reset();
	ipc_chan_reset();
}

static void on_boot(enum core_event ev, void *data, void *ctx)
{
	ipc.booted = true;
}

static const struct subsys ipc_subsys = {"ipc", ipc_reset};

void ipc_init(void)
{
	core_register_subsys(&ipc_subsys);
	cfg_register_writer(CFG_IPC, ipc_write);
	core_subscribe(EVT_BOOT_DONE, on_boot, NULL);
	ipc_chan_init();
	ipc_sctp_init();
	ipc_show_init();

	cli_install(MODE_CONFIG, &ipc_zone_cmd);
	cli_install(MODE_IPCZONE, &ipc_association_cmd);
	cli_install(MODE_IPCZONE_ASSOC, &ipc_assoc_shutdown_cmd);
	cli_install(MODE_IPCZONE_ASSOC, &ipc_protocol_sctp_cmd);
	cli_install(MODE_IPC_SCTP, &ipc_local_port_cmd);
	cli_install(MODE_IPC_SCTP, &ipc_remote_port_cmd);
	cli_install(MODE_IPC_LOCAL_SCTP, &ipc_local_ip_cmd);
	cli_install(MODE_IPC_LOCAL_SCTP, &ipc_rto_cmd);
	cli_install(MODE_IPC_LOCAL_SCTP, &ipc_path_retrans_cmd);
	cli_install(MODE_IPC_LOCAL_SCTP, &ipc_assoc_retrans_cmd);
	cli_install(MODE_IPC_REMOTE_SCTP, &ipc_remote_ip_cmd);
}
