/* Interface commands: `interface`, `no interface`, and the interface
 * sub-mode settings other than IP addressing (ip_cfg.c): description,
 * shutdown, duplex/speed/media-type, serial restart-delay, random-detect,
 * ip access-group, ip tcp adjust-mss, cdp enable, tunnel source/destination.
 * Each command sits next to its running-config writer. */
#include "platform_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>


const char *arg_after(const struct cli_args *a, const char *keyword)
{
	int n = cli_argc(a);
	for (int i = 0; i + 1 < n; i++)
		if (strcmp(cli_argv(a, i), keyword) == 0)
			return cli_argv(a, i + 1);
	return NULL;
}

/* ---- interface / no interface ------------------------------------------- */

/* "no interface": sub-interfaces and virtual interfaces go, a physical
 * port stays. */
static int interface_delete(struct cli *cli, const char *name)
{
	struct iface *ifp = iface_find(name);
	if (!ifp)
		return CLI_UNCHANGED;
	if (iface_is_physical(ifp) && !ifp->is_subif) {
		cli_printf(cli, "%% Removal of physical interfaces is not "
				"permitted\n");
		return CLI_ERR;
	}
	iface_delete(ifp);
	return CLI_OK;
}

DEFUN(interface_cmd, "[no] interface IFNAME$ifname",
      "Select an interface to configure\n"
      "Interface type and number\n")
{
	const char *name = cli_arg(a, "ifname");
	if (cli_is_no(a))
		return interface_delete(cli, name);
	struct iface *ifp = iface_find(name);
	int rc = ifp ? CLI_UNCHANGED : CLI_OK;   /* made now, or entered */
	if (!ifp && !(ifp = iface_get(name))) {
		cli_invalid_arg(cli, a, 0);
		return CLI_ERR;
	}
	cli_enter(cli, ifp->is_subif ? MODE_SUBIF : MODE_IF, ifp);
	return rc;
}

/* ---- description ---------------------------------------------------------- */

DEFUN(description_cmd, "[no] description ?[LINE$text]",
      "Interface specific description\n"
      "Up to 240 characters describing this interface\n")
{
	CLI_CONTEXT(struct iface, ifp);
	if (cli_is_no(a))
		return cli_set_str(&ifp->description, NULL);
	char buf[241];
	snprintf(buf, sizeof buf, "%s", cli_arg(a, "text"));
	return cli_set_str(&ifp->description, buf);
}

static void write_description(struct sbuf *out, struct iface *ifp)
{
	if (ifp->description)
		sbuf_printf(out, " description %s\n", ifp->description);
}

/* ---- shutdown -------------------------------------------------------------- */

/* An address entered while shut may overlap a live interface: IOS says so
 * when the interface is enabled, and enables it. */
static void warn_overlap(struct cli *cli, const struct iface *ifp)
{
	struct iface *o = ifp->addr ? ip_overlap(ifp, ifp->addr, ifp->mask)
				    : NULL;
	if (!o)
		return;
	char b[16];
	cli_printf(cli, "%% %s overlaps with %s\n",
		   ip_fmt(ifp->addr & ifp->mask, b), o->name);
	cli_printf(cli, "%s: incorrect IP address assignment\n", ifp->name);
}

DEFUN(shutdown_cmd, "[no] shutdown",
      "Shutdown the selected interface\n")
{
	CLI_CONTEXT(struct iface, ifp);
	bool shut = !cli_is_no(a);
	if (ifp->shutdown == shut)
		return CLI_UNCHANGED;
	if (!shut)
		warn_overlap(cli, ifp);
	else if (ifp->line_up)
		core_publish(EVT_IFACE_SHUTTING, ifp);
	ifp->shutdown = shut;
	iface_update_state(ifp);
	return CLI_OK;
}

static void write_shutdown(struct sbuf *out, struct iface *ifp)
{
	if (ifp->shutdown)
		sbuf_puts(out, " shutdown\n");
}

/* ---- duplex, speed, media-type, serial restart-delay ---------------------- */

/* Hardware Ethernet ports (not SVIs, not sub-interfaces) take these. The
 * no forms are accepted anywhere: they only clear the setting. */
static bool ether_port(struct cli *cli, const struct cli_args *a,
		       const struct iface *ifp)
{
	if (ifp->is_subif || !iface_is_physical(ifp) ||
	    ifp->type == IFT_SERIAL) {
		cli_invalid_arg(cli, a, 0);
		return false;
	}
	return true;
}

DEFUN(duplex_cmd, "[no] duplex ?[(auto|full|half)]",
      "Configure duplex operation.\n"
      "Enable AUTO duplex configuration\n"
      "Force full duplex operation\n"
      "Force half-duplex operation\n")
{
	CLI_CONTEXT(struct iface, ifp);
	if (cli_is_no(a))
		return CLI_SET(ifp->duplex, DUPLEX_UNSET);
	if (!ether_port(cli, a, ifp))
		return CLI_ERR;
	enum duplex_cfg d = cli_has(a, "auto") ? DUPLEX_AUTO :
			    cli_has(a, "full") ? DUPLEX_FULL : DUPLEX_HALF;
	return CLI_SET(ifp->duplex, d);
}

DEFUN(speed_cmd, "[no] speed ?[(10|100|1000|auto)]",
      "Configure speed operation.\n"
      "Force 10 Mbps operation\n"
      "Force 100 Mbps operation\n"
      "Force 1000 Mbps operation\n"
      "Enable AUTO speed configuration\n")
{
	CLI_CONTEXT(struct iface, ifp);
	if (cli_is_no(a))
		return CLI_SET(ifp->speed, SPEED_UNSET);
	if (!ether_port(cli, a, ifp))
		return CLI_ERR;
	enum speed_cfg s = cli_has(a, "auto") ? SPEED_AUTO :
			   cli_has(a, "1000") ? SPEED_1000 :
			   cli_has(a, "100") ? SPEED_100 : SPEED_10;
	/* 1000 Mb/s is a GigabitEthernet setting only */
	if (s == SPEED_1000 && ifp->type != IFT_GIGABITETHERNET) {
		cli_invalid_arg(cli, a, 1);
		return CLI_ERR;
	}
	return CLI_SET(ifp->speed, s);
}

DEFUN(media_type_cmd, "[no] media-type ?[(rj45|sfp)]",
      "Media type\n"
      "Use RJ45 connector\n"
      "Use SFP connector\n")
{
	CLI_CONTEXT(struct iface, ifp);
	if (cli_is_no(a))
		return CLI_SET(ifp->media, MEDIA_UNSET);
	if (!ether_port(cli, a, ifp))
		return CLI_ERR;
	if (ifp->type != IFT_GIGABITETHERNET) {
		cli_invalid_arg(cli, a, 1);
		return CLI_ERR;
	}
	return CLI_SET(ifp->media, cli_has(a, "sfp") ? MEDIA_SFP : MEDIA_RJ45);
}

DEFUN(serial_restart_cmd, "[no] serial restart-delay ?[<0-900>$secs]",
      "serial interface commands\n"
      "Configure serial interface restart-delay\n"
      "Restart delay value in seconds\n")
{
	CLI_CONTEXT(struct iface, ifp);
	if (cli_is_no(a))
		return CLI_SET(ifp->restart_delay, -1);
	if (ifp->type != IFT_SERIAL || ifp->is_subif) {
		cli_invalid_arg(cli, a, 0);
		return CLI_ERR;
	}
	return CLI_SET(ifp->restart_delay, (int)cli_arg_num(a, "secs"));
}

static void write_media(struct sbuf *out, struct iface *ifp)
{
	static const char *const dup[] = {NULL, "auto", "full", "half"};
	static const char *const spd[] = {NULL, "auto", "10", "100", "1000"};
	if (ifp->duplex != DUPLEX_UNSET)
		sbuf_printf(out, " duplex %s\n", dup[ifp->duplex]);
	if (ifp->speed != SPEED_UNSET)
		sbuf_printf(out, " speed %s\n", spd[ifp->speed]);
	if (ifp->media != MEDIA_UNSET)
		sbuf_printf(out, " media-type %s\n",
			    ifp->media == MEDIA_SFP ? "sfp" : "rj45");
	if (ifp->restart_delay >= 0)
		sbuf_printf(out, " serial restart-delay %d\n",
			    ifp->restart_delay);
}

/* ---- random-detect, cdp ------------------------------------------------------ */

DEFUN(random_detect_cmd, "[no] random-detect",
      "Enable Weighted Random Early Detection (WRED) on an Interface\n")
{
	CLI_CONTEXT(struct iface, ifp);
	return CLI_SET(ifp->red, !cli_is_no(a));
}

static void write_misc(struct sbuf *out, struct iface *ifp)
{
	if (ifp->red)
		sbuf_puts(out, " random-detect\n");
}

DEFUN(cdp_enable_cmd, "[no] cdp enable",
      "CDP interface subcommands\n"
      "Enable CDP on interface\n")
{
	CLI_CONTEXT(struct iface, ifp);
	/* "default cdp enable" restores the default, which is enabled */
	return CLI_SET(ifp->cdp_disabled, cli_is_no(a) && !cli_is_default(a));
}

static void write_cdp(struct sbuf *out, struct iface *ifp)
{
	if (ifp->cdp_disabled)
		sbuf_puts(out, " no cdp enable\n");
}

/* ---- ip access-group, ip tcp adjust-mss -------------------------------------- */

/* A list named by digits must be a number IOS accepts for an interface. */
static bool acl_ref_ok(const char *name)
{
	if (strspn(name, "0123456789") != strlen(name))
		return true;
	unsigned long n = strtoul(name, NULL, 10);
	return (n >= 1 && n <= 199) || (n >= 1300 && n <= 2699);
}

/* The no form removes the direction's list whichever list it names. */
DEFUN(ip_access_group_cmd,
      "[no] ip access-group ?[(<1-199>|<1300-2699>|WORD)] (in|out)",
      "Interface Internet Protocol config commands\n"
      "Specify access control for packets\n"
      "IP access list (standard or extended)\n"
      "IP expanded access list (standard or extended)\n"
      "Access-list name\n"
      "inbound packets\n"
      "outbound packets\n")
{
	CLI_CONTEXT(struct iface, ifp);
	char **slot = cli_has(a, "out") ? &ifp->acl_out : &ifp->acl_in;
	if (cli_is_no(a))
		return cli_set_str(slot, NULL);
	const char *name = arg_after(a, "access-group");
	if (!name || !acl_ref_ok(name)) {
		cli_invalid_arg(cli, a, 2);
		return CLI_ERR;
	}
	return cli_set_str(slot, name);
}

static void write_access_group(struct sbuf *out, struct iface *ifp)
{
	if (ifp->acl_in)
		sbuf_printf(out, " ip access-group %s in\n", ifp->acl_in);
	if (ifp->acl_out)
		sbuf_printf(out, " ip access-group %s out\n", ifp->acl_out);
}

DEFUN(ip_tcp_mss_cmd, "[no] ip tcp adjust-mss ?[<500-1460>$mss]",
      "Interface Internet Protocol config commands\n"
      "TCP header compression and/or other TCP parameters\n"
      "Adjust the mss of transit packets\n"
      "Maximum segment size in bytes\n")
{
	CLI_CONTEXT(struct iface, ifp);
	unsigned mss = cli_is_no(a) ? 0 : (unsigned)cli_arg_num(a, "mss");
	return CLI_SET(ifp->tcp_mss, mss);
}

/* IOS prints adjust-mss after the HSRP lines (the seeds' 881 listing). */
static void write_tcp_mss(struct sbuf *out, struct iface *ifp)
{
	if (ifp->tcp_mss)
		sbuf_printf(out, " ip tcp adjust-mss %u\n", ifp->tcp_mss);
}

/* ---- tunnel source / destination ------------------------------------------ */

static bool is_tunnel(struct cli *cli, const struct cli_args *a,
		      const struct iface *ifp)
{
	if (ifp->type != IFT_TUNNEL) {
		cli_invalid_arg(cli, a, 0);
		return false;
	}
	return true;
}

static int tunnel_source_clear(struct iface *ifp)
{
	if (!ifp->tun_src_set)
		return CLI_UNCHANGED;
	ifp->tun_src_set = ifp->tun_src_is_if = false;
	ifp->tun_src_if[0] = '\0';
	ifp->tun_src_addr = 0;
	iface_update_state(ifp);
	return CLI_OK;
}

DEFUN(tunnel_source_cmd,
      "[no] tunnel source ?[(A.B.C.D$addr|IFNAME$ifname)]",
      "protocol-over-protocol tunneling\n"
      "source of tunnel packets\n"
      "ip address\n"
      "Interface type and number\n")
{
	CLI_CONTEXT(struct iface, ifp);
	if (cli_is_no(a))
		return tunnel_source_clear(ifp);
	if (!is_tunnel(cli, a, ifp))
		return CLI_ERR;
	const char *ifname = cli_arg(a, "ifname");
	if (ifname) {
		ifp->tun_src_is_if = true;
		snprintf(ifp->tun_src_if, sizeof ifp->tun_src_if, "%s", ifname);
		ifp->tun_src_addr = 0;
	} else {
		ifp->tun_src_is_if = false;
		ifp->tun_src_if[0] = '\0';
		ifp->tun_src_addr = cli_arg_ip(a, "addr");
	}
	ifp->tun_src_set = true;
	iface_update_state(ifp);
	return CLI_OK;
}

DEFUN(tunnel_dest_cmd, "[no] tunnel destination ?[A.B.C.D$addr]",
      "protocol-over-protocol tunneling\n"
      "destination of tunnel\n"
      "ip address\n")
{
	CLI_CONTEXT(struct iface, ifp);
	uint32_t dst = 0;
	if (!cli_is_no(a)) {
		if (!is_tunnel(cli, a, ifp))
			return CLI_ERR;
		dst = cli_arg_ip(a, "addr");
	}
	if (ifp->tun_dst == dst)
		return CLI_UNCHANGED;
	ifp->tun_dst = dst;
	iface_update_state(ifp);
	return CLI_OK;
}

/* GRE over IP, IOS's default (never written back), or IPsec over IPv4:
 * a virtual tunnel interface, its packets protected with no GRE header.
 * Other modes (ipip, gre multipoint, ...) are not parsed: a line asking
 * for one is refused, not silently run as GRE. */
DEFUN(tunnel_mode_cmd, "[no] tunnel mode ?[(gre ip|ipsec ipv4)]",
      "protocol-over-protocol tunneling\n"
      "tunnel encapsulation method\n"
      "generic route encapsulation protocol\n"
      "over IP\n"
      "IPSec tunnel encapsulation\n"
      "over IPv4\n")
{
	CLI_CONTEXT(struct iface, ifp);
	if (!is_tunnel(cli, a, ifp))
		return CLI_ERR;
	bool vti = !cli_is_no(a) && cli_has(a, "ipsec");
	if (ifp->tun_vti == vti)
		return CLI_UNCHANGED;
	ifp->tun_vti = vti;
	ifp->tun_protected = false;
	iface_update_state(ifp);
	return CLI_OK;
}

static void write_tunnel(struct sbuf *out, struct iface *ifp)
{
	char b[16];
	if (ifp->tun_src_set) {
		if (ifp->tun_src_is_if)
			sbuf_printf(out, " tunnel source %s\n", ifp->tun_src_if);
		else
			sbuf_printf(out, " tunnel source %s\n",
				    ip_fmt(ifp->tun_src_addr, b));
	}
	if (ifp->tun_vti)
		sbuf_puts(out, " tunnel mode ipsec ipv4\n");
	if (ifp->tun_dst)
		sbuf_printf(out, " tunnel destination %s\n",
			    ip_fmt(ifp->tun_dst, b));
}

/* ---- public helpers ------------------------------------------------------------ */

bool iface_tunnel_endpoints(const struct iface *ifp, uint32_t *src,
			    uint32_t *dst)
{
	if (ifp->type != IFT_TUNNEL)
		return false;
	uint32_t s = ifp->tun_src_addr;
	if (ifp->tun_src_is_if) {
		const struct iface *si = iface_find(ifp->tun_src_if);
		s = si ? si->addr : 0;
	}
	if (src)
		*src = s;
	if (dst)
		*dst = ifp->tun_dst;
	return ifp->tun_src_set && ifp->tun_dst;
}

bool iface_tunnel_source_is_iface(const struct iface *ifp)
{
	return ifp->type == IFT_TUNNEL && ifp->tun_src_set && ifp->tun_src_is_if;
}

bool iface_tunnel_is_vti(const struct iface *ifp)
{
	return ifp->type == IFT_TUNNEL && ifp->tun_vti;
}

void iface_tunnel_set_protected(struct iface *ifp, bool up)
{
	if (!iface_tunnel_is_vti(ifp) || ifp->tun_protected == up)
		return;
	ifp->tun_protected = up;
	iface_update_state(ifp);
}

/* Back to a fresh interface's settings (the running-config it prints is
 * just "interface X"). */
void iface_cmds_reset_iface(struct iface *ifp)
{
	xstrset(&ifp->description, NULL);
	xstrset(&ifp->acl_in, NULL);
	xstrset(&ifp->acl_out, NULL);
	ifp->tcp_mss = 0;
	ifp->duplex = DUPLEX_UNSET;
	ifp->speed = SPEED_UNSET;
	ifp->media = MEDIA_UNSET;
	ifp->restart_delay = -1;
	ifp->red = false;
	ifp->cdp_disabled = false;
	ifp->tun_src_set = ifp->tun_src_is_if = false;
	ifp->tun_src_if[0] = '\0';
	ifp->tun_src_addr = ifp->tun_dst = 0;
	ifp->tun_vti = ifp->tun_protected = false;
}

void iface_cmds_init(void)
{
	cli_install(MODE_CONFIG, &interface_cmd_cmd);

	/* both interface and sub-interface modes */
	static const struct cli_command *const common[] = {
		&description_cmd_cmd, &shutdown_cmd_cmd, &random_detect_cmd_cmd,
		&cdp_enable_cmd_cmd, &ip_access_group_cmd_cmd, &ip_tcp_mss_cmd_cmd,
	};
	for (size_t i = 0; i < sizeof common / sizeof common[0]; i++) {
		cli_install(MODE_IF, common[i]);
		cli_install(MODE_SUBIF, common[i]);
	}
	/* main interfaces only */
	static const struct cli_command *const main_only[] = {
		&duplex_cmd_cmd, &speed_cmd_cmd, &media_type_cmd_cmd,
		&serial_restart_cmd_cmd, &tunnel_source_cmd_cmd,
		&tunnel_dest_cmd_cmd, &tunnel_mode_cmd_cmd,
	};
	for (size_t i = 0; i < sizeof main_only / sizeof main_only[0]; i++)
		cli_install(MODE_IF, main_only[i]);

	iface_register_writer(IFCFG_DESCRIPTION, write_description);
	iface_register_writer(IFCFG_IP_MISC, write_access_group);
	iface_register_writer(IFCFG_TUNNEL, write_tunnel);
	iface_register_writer(IFCFG_SHUTDOWN, write_shutdown);
	iface_register_writer(IFCFG_MEDIA, write_media);
	iface_register_writer(IFCFG_MISC, write_misc);
	iface_register_writer(IFCFG_STANDBY + 50, write_tcp_mss);
	iface_register_writer(IFCFG_CRYPTO + 50, write_cdp);
}
