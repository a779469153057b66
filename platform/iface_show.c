/* show interfaces, show ip interface brief, show running-config interface:
 * IOS 12.4's layouts, from the interface state and counters. */
#include "platform_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What each interface type reports about its hardware. */
struct hw_info {
	const char *hardware;
	unsigned mtu, bw, dly;   /* bytes, Kbit/sec, usec */
	const char *encap;
};

static struct hw_info hw_of(const struct iface *ifp)
{
	switch (ifp->type) {
	case IFT_ETHERNET:
		return (struct hw_info){"AmdP2", 1500, 10000, 1000, "ARPA"};
	case IFT_FASTETHERNET:
		return (struct hw_info){"Gt96k FE", 1500, 100000, 100, "ARPA"};
	case IFT_GIGABITETHERNET:
		return (struct hw_info){"MV96340 Ethernet", 1500, 1000000, 10,
					"ARPA"};
	case IFT_SERIAL:
		return (struct hw_info){"M4T", 1500, 1544, 20000, "HDLC, crc 16"};
	case IFT_LOOPBACK:
		return (struct hw_info){"Loopback", 1514, 8000000, 5000,
					"LOOPBACK"};
	case IFT_TUNNEL:
		return (struct hw_info){"Tunnel", 1514, 9, 500000, "TUNNEL"};
	case IFT_VLAN:
		return (struct hw_info){"EtherSVI", 1500, 100000, 100, "ARPA"};
	}
	return (struct hw_info){"Unknown", 1500, 0, 0, "ARPA"};
}

static const char *link_word(enum link_state s)
{
	switch (s) {
	case LINK_UP: return "up";
	case LINK_ADMIN_DOWN: return "administratively down";
	default: return "down";
	}
}

static void last_time(double stamp, char *buf, size_t n)
{
	if (stamp < 0)
		snprintf(buf, n, "never");
	else
		core_uptime_str(core_uptime() - stamp, buf, n);
}

/* The duplex/speed line of Ethernet ports, as the port reports it: the
 * configured values, or "Auto" while negotiation has nothing to agree. */
static void ether_media_line(struct sbuf *b, const struct iface *ifp)
{
	bool gig = ifp->type == IFT_GIGABITETHERNET;
	const char *dup, *spd;
	switch (ifp->duplex) {
	case DUPLEX_FULL: dup = gig ? "Full Duplex" : "Full-duplex"; break;
	case DUPLEX_HALF: dup = gig ? "Half Duplex" : "Half-duplex"; break;
	default:
		/* a live auto port negotiates full duplex */
		dup = ifp->line_up ? (gig ? "Full Duplex" : "Full-duplex")
				   : (gig ? "Auto Duplex" : "Auto-duplex");
	}
	switch (ifp->speed) {
	case SPEED_10: spd = gig ? "10Mbps" : "10Mb/s"; break;
	case SPEED_100: spd = gig ? "100Mbps" : "100Mb/s"; break;
	case SPEED_1000: spd = "1Gbps"; break;
	default:
		spd = !ifp->line_up ? "Auto Speed" : gig ? "1Gbps" : "100Mb/s";
	}
	if (gig)
		sbuf_printf(b, "  %s, %s, media type is %s\n", dup, spd,
			    ifp->media == MEDIA_SFP ? "SFP" : "RJ45");
	else
		sbuf_printf(b, "  %s, %s, 100BaseTX/FX\n", dup, spd);
	if (gig)
		sbuf_puts(b, "  output flow-control is XON, input flow-control "
			     "is XON\n");
}

static void show_address(struct sbuf *b, const struct iface *ifp)
{
	char ab[16];
	if (ifp->addr) {
		sbuf_printf(b, "  Internet address is %s/%d\n",
			    ip_fmt(ifp->addr, ab), mask_len(ifp->mask));
	} else if (ifp->unnumbered) {
		const struct iface *u = iface_find(ifp->unnumbered);
		sbuf_printf(b, "  Interface is unnumbered. Using address of "
			       "%s (%s)\n",
			    ifp->unnumbered, ip_fmt(u ? u->addr : 0, ab));
	}
}

static iface_show_fn tunnel_show_more;

void iface_set_tunnel_show(iface_show_fn fn)
{
	tunnel_show_more = fn;
}

static void show_tunnel(struct sbuf *b, const struct iface *ifp)
{
	char sb[16], db[16];
	uint32_t src = 0, dst = 0;
	iface_tunnel_endpoints(ifp, &src, &dst);
	sbuf_puts(b, "  Tunnel source ");
	if (!ifp->tun_src_set)
		sbuf_puts(b, "UNKNOWN");
	else if (ifp->tun_src_is_if)
		sbuf_printf(b, "%s (%s)", ip_fmt(src, sb), ifp->tun_src_if);
	else
		sbuf_puts(b, ip_fmt(src, sb));
	sbuf_printf(b, ", destination %s\n",
		    dst ? ip_fmt(dst, db) : "UNKNOWN");
	/* a VTI's payload MTU depends on its SAs' overhead: not printed */
	if (ifp->tun_vti)
		sbuf_puts(b, "  Tunnel protocol/transport IPSEC/IP\n"
			     "  Tunnel TTL 255\n"
			     "  Fast tunneling enabled\n");
	else
		sbuf_puts(b, "  Tunnel protocol/transport GRE/IP\n"
			     "    Key disabled, sequencing disabled\n"
			     "    Checksumming of packets disabled\n"
			     "  Tunnel TTL 255\n"
			     "  Fast tunneling enabled\n"
			     "  Tunnel transport MTU 1476 bytes\n");
	sbuf_puts(b, "  Tunnel transmit bandwidth 8000 (kbps)\n"
		     "  Tunnel receive bandwidth 8000 (kbps)\n");
	if (tunnel_show_more)
		tunnel_show_more(b, ifp);
}

static void show_counters(struct sbuf *b, const struct iface *ifp)
{
	const struct iface_counters *c = &ifp->cnt;
	bool ether = iface_is_ethernet(ifp) && ifp->type != IFT_VLAN;
	bool gig = ifp->type == IFT_GIGABITETHERNET;
	typedef unsigned long long ull;

	sbuf_printf(b, "     %llu packets input, %llu bytes, %llu no buffer\n",
		    (ull)c->in_pkts, (ull)c->in_bytes, (ull)c->in_no_buffer);
	sbuf_printf(b, "     Received %llu broadcasts, %llu runts, %llu giants, "
		       "%llu throttles\n",
		    (ull)c->in_bcast, (ull)c->in_runts, (ull)c->in_giants,
		    (ull)c->in_throttles);
	sbuf_printf(b, "     %llu input errors, %llu CRC, %llu frame, "
		       "%llu overrun, %llu ignored%s\n",
		    (ull)c->in_errors, (ull)c->in_crc, (ull)c->in_frame,
		    (ull)c->in_overrun, (ull)c->in_ignored,
		    ifp->type == IFT_SERIAL ? ", 0 abort" : "");
	if (ether) {
		if (gig)
			sbuf_printf(b, "     0 watchdog, %llu multicast, "
				       "0 pause input\n", (ull)c->in_mcast);
		else
			sbuf_puts(b, "     0 watchdog\n");
		sbuf_puts(b, "     0 input packets with dribble condition "
			     "detected\n");
	}
	sbuf_printf(b, "     %llu packets output, %llu bytes, %llu underruns\n",
		    (ull)c->out_pkts, (ull)c->out_bytes, (ull)c->out_underruns);
	sbuf_printf(b, "     %llu output errors, %llu collisions, "
		       "%llu interface resets\n",
		    (ull)c->out_errors, (ull)c->out_collisions, (ull)c->resets);
	if (ether) {
		sbuf_puts(b, "     0 babbles, 0 late collision, 0 deferred\n");
		sbuf_printf(b, "     0 lost carrier, 0 no carrier%s\n",
			    gig ? ", 0 pause output" : "");
	}
	sbuf_puts(b, "     0 output buffer failures, 0 output buffers "
		     "swapped out\n");
	if (ifp->type == IFT_SERIAL && !ifp->is_subif) {
		const char *s = ifp->line_up ? "up" : "down";
		sbuf_printf(b, "     0 carrier transitions\n"
			       "     DCD=%s  DSR=%s  DTR=%s  RTS=%s  CTS=%s\n",
			    s, s, s, s, s);
	}
}

static void show_one(struct sbuf *b, const struct iface *ifp)
{
	struct hw_info hw = hw_of(ifp);
	char t1[32], t2[32];

	sbuf_printf(b, "%s is %s, line protocol is %s \n", ifp->name,
		    link_word(ifp->link), ifp->line_up ? "up" : "down");
	if (iface_is_ethernet(ifp)) {
		char mac[16];
		iface_mac_str(ifp->mac, mac, sizeof mac);
		sbuf_printf(b, "  Hardware is %s, address is %s (bia %s)\n",
			    hw.hardware, mac, mac);
	} else {
		sbuf_printf(b, "  Hardware is %s\n", hw.hardware);
	}
	if (ifp->description)
		sbuf_printf(b, "  Description: %s\n", ifp->description);
	show_address(b, ifp);
	sbuf_printf(b, "  MTU %u bytes, BW %u Kbit/sec, DLY %u usec, \n"
		       "     reliability 255/255, txload 1/255, rxload 1/255\n",
		    hw.mtu, hw.bw, hw.dly);
	sbuf_printf(b, "  Encapsulation %s, loopback not set\n", hw.encap);
	if (ifp->is_subif) {
		sbuf_puts(b, "  ARP type: ARPA, ARP Timeout 04:00:00\n"
			     "  Last clearing of \"show interface\" counters "
			     "never\n");
		return;
	}
	sbuf_puts(b, ifp->type == IFT_TUNNEL ? "  Keepalive not set\n"
					     : "  Keepalive set (10 sec)\n");
	if (iface_is_physical(ifp) && ifp->type != IFT_SERIAL &&
	    ifp->type != IFT_ETHERNET)
		ether_media_line(b, ifp);
	if (ifp->type == IFT_TUNNEL)
		show_tunnel(b, ifp);
	if (iface_is_ethernet(ifp))
		sbuf_puts(b, "  ARP type: ARPA, ARP Timeout 04:00:00\n");
	if (ifp->type == IFT_SERIAL && ifp->restart_delay >= 0)
		sbuf_printf(b, "  Restart-Delay is %d secs\n",
			    ifp->restart_delay);
	last_time(ifp->cnt.last_input, t1, sizeof t1);
	last_time(ifp->cnt.last_output, t2, sizeof t2);
	sbuf_printf(b, "  Last input %s, output %s, output hang never\n", t1,
		    t2);
	last_time(ifp->cnt_cleared, t1, sizeof t1);
	sbuf_printf(b, "  Last clearing of \"show interface\" counters %s\n",
		    t1);
	sbuf_printf(b, "  Input queue: 0/75/%llu/0 (size/max/drops/flushes); "
		       "Total output drops: %llu\n",
		    (unsigned long long)ifp->cnt.in_drops,
		    (unsigned long long)ifp->cnt.out_drops);
	if (ifp->red)
		sbuf_puts(b, "  Queueing strategy: random early detection(RED)"
			     "\n");
	else
		sbuf_puts(b, "  Queueing strategy: fifo\n");
	sbuf_printf(b, "  Output queue: 0/%d (size/max)\n",
		    ifp->type == IFT_LOOPBACK ? 0 : 40);
	sbuf_puts(b, "  5 minute input rate 0 bits/sec, 0 packets/sec\n"
		     "  5 minute output rate 0 bits/sec, 0 packets/sec\n");
	show_counters(b, ifp);
}

static struct iface *named_iface(struct cli *cli, const struct cli_args *a)
{
	struct iface *ifp = iface_find(cli_arg(a, "ifname"));
	if (!ifp)
		cli_invalid_arg(cli, a, cli_arg_index(a, "ifname"));
	return ifp;
}

DEFUN(show_interfaces, "show interfaces [IFNAME$ifname]",
      "Show running system information\n"
      "Interface status and configuration\n"
      "Interface type and number\n")
{
	struct sbuf b;
	sbuf_init(&b);
	if (cli_arg(a, "ifname")) {
		struct iface *ifp = named_iface(cli, a);
		if (!ifp)
			return CLI_ERR;
		show_one(&b, ifp);
	} else {
		struct iface **v;
		int n = iface_list_display(&v);
		for (int i = 0; i < n; i++)
			show_one(&b, v[i]);
		free(v);
	}
	cli_puts(cli, b.s ? b.s : "");
	sbuf_free(&b);
	return CLI_OK;
}

DEFUN(show_ip_int_brief, "show ip interface brief",
      "Show running system information\n"
      "IP information\n"
      "IP interface status and configuration\n"
      "Brief summary of IP status and configuration\n")
{
	struct sbuf b;
	sbuf_init(&b);
	sbuf_puts(&b, "Interface                  IP-Address      OK? Method "
		      "Status                Protocol\n");
	struct iface **v;
	int n = iface_list_display(&v);
	for (int i = 0; i < n; i++) {
		const struct iface *ifp = v[i];
		char ab[16] = "unassigned";
		uint32_t addr = ifp->addr;
		if (!addr && ifp->unnumbered) {
			const struct iface *u = iface_find(ifp->unnumbered);
			addr = u ? u->addr : 0;
		}
		if (addr)
			ip_fmt(addr, ab);
		sbuf_printf(&b, "%-26s %-15s YES %-6s %-21s %s\n", ifp->name,
			    ab, ifp->addr_cfgd ? "manual" : "unset",
			    link_word(ifp->link), ifp->line_up ? "up" : "down");
	}
	free(v);
	cli_puts(cli, b.s ? b.s : "");
	sbuf_free(&b);
	return CLI_OK;
}

DEFUN(show_run_interface, "show running-config interface IFNAME$ifname",
      "Show running system information\n"
      "Current operating configuration\n"
      "Show interface configuration\n"
      "Interface type and number\n")
{
	struct iface *ifp = named_iface(cli, a);
	if (!ifp)
		return CLI_ERR;
	char *text = iface_running_text(ifp);
	/* the block without its closing "!", then end */
	size_t len = strlen(text);
	if (len >= 2 && strcmp(text + len - 2, "!\n") == 0)
		text[len - 2] = '\0';
	struct sbuf body;
	sbuf_init(&body);
	sbuf_printf(&body, "!\n%send\n", text);
	free(text);
	cli_printf(cli, "Building configuration...\n\n"
			"Current configuration : %zu bytes\n%s",
		   body.len, body.s);
	sbuf_free(&body);
	return CLI_OK;
}

void iface_show_init(void)
{
	cli_install(MODE_EXEC, &show_interfaces_cmd);
	cli_install(MODE_USER, &show_interfaces_cmd);  /* user EXEC too, as on IOS */
	cli_install(MODE_EXEC, &show_ip_int_brief_cmd);
	cli_install(MODE_USER, &show_ip_int_brief_cmd);  /* user EXEC too, as on IOS */
	cli_install(MODE_EXEC, &show_run_interface_cmd);
}
