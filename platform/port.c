/* Ports: the wire under an emulated interface.
 *
 *   --iface IOSNAME=linux:DEV   an AF_PACKET socket bound to a Linux device
 *                               (a veth end); carrier follows the device's
 *                               operstate, learnt from rtnetlink on the loop.
 *   --iface IOSNAME=udp:LADDR:LPORT:RADDR:RPORT
 *                               one Ethernet frame per UDP datagram between
 *                               two iosim ports; carrier up while attached.
 *
 * Receiving reads a bounded batch of frames per loop turn and hands each to
 * ether_input(); sending never blocks: a full socket buffer is an output
 * drop, as a full transmit ring is on a router. */
#include "platform_int.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_packet.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

enum port_kind { PORT_LINUX, PORT_UDP };

struct port {
	struct port *next;
	struct iface *ifp;
	enum port_kind kind;
	int fd;
	ev_io w;
	int ifindex;              /* linux */
	char dev[IF_NAMESIZE];
};

static struct port *ports;
static port_tx_hook_fn tx_hook;

/* rtnetlink: one socket for every linux port's link state */
static int nl_fd = -1;
static ev_io nl_w;

/* Frames handled per readiness callback: bounded so one busy port cannot
 * starve the console and the timers. */
#define RX_BATCH 64
/* A datagram or frame larger than any Ethernet frame is still read whole
 * so that it can be counted as a giant. */
#define RX_BUF 65536

static uint8_t rx_buf[RX_BUF];

/* ---- receive ------------------------------------------------------------- */

static void port_rx_linux(struct port *p)
{
	for (int i = 0; i < RX_BATCH; i++) {
		union {
			struct cmsghdr h;
			char buf[CMSG_SPACE(sizeof(struct tpacket_auxdata))];
		} ctl;
		struct iovec iov = {rx_buf, sizeof rx_buf};
		struct sockaddr_ll from;
		struct msghdr mh = {
			.msg_name = &from, .msg_namelen = sizeof from,
			.msg_iov = &iov, .msg_iovlen = 1,
			.msg_control = ctl.buf, .msg_controllen = sizeof ctl.buf,
		};
		ssize_t n = recvmsg(p->fd, &mh, MSG_TRUNC);
		if (n < 0)
			return;   /* EAGAIN: drained; other errors: try next turn */
		if (!p->ifp)
			continue;
		if (from.sll_pkttype == PACKET_OUTGOING)
			continue;
		struct frame_rx f = {.ifp = p->ifp, .data = rx_buf,
				     .len = (size_t)n};
		bool vlan = false;
		for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c;
		     c = CMSG_NXTHDR(&mh, c)) {
			if (c->cmsg_level != SOL_PACKET ||
			    c->cmsg_type != PACKET_AUXDATA)
				continue;
			struct tpacket_auxdata aux;
			memcpy(&aux, CMSG_DATA(c), sizeof aux);
			if (aux.tp_status & TP_STATUS_CSUMNOTREADY)
				f.csum_partial = true;
			if (aux.tp_status & TP_STATUS_VLAN_VALID)
				vlan = true;
		}
		/* the kernel took an 802.1Q tag off: no sub-interface
		 * here carries tagged traffic, as on an untagged port */
		if (vlan) {
			p->ifp->cnt.in_drops++;
			continue;
		}
		if ((size_t)n > sizeof rx_buf)
			f.len = (size_t)n;  /* truncated read: still a giant */
		ether_input(&f);
	}
}

static void port_rx_udp(struct port *p)
{
	for (int i = 0; i < RX_BATCH; i++) {
		ssize_t n = recv(p->fd, rx_buf, sizeof rx_buf, MSG_TRUNC);
		if (n < 0) {
			/* ECONNREFUSED: the far end is not listening yet;
			 * the error is consumed, keep reading */
			if (errno == ECONNREFUSED)
				continue;
			return;
		}
		if (!p->ifp)
			continue;
		struct frame_rx f = {.ifp = p->ifp, .data = rx_buf,
				     .len = (size_t)n};
		ether_input(&f);
	}
}

static void port_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct port *p = w->data;
	if (p->kind == PORT_LINUX)
		port_rx_linux(p);
	else
		port_rx_udp(p);
}

/* ---- transmit ---------------------------------------------------------------- */

void port_set_tx_hook(port_tx_hook_fn fn)
{
	tx_hook = fn;
}

int port_tx(struct iface *ifp, const uint8_t *frame, size_t len)
{
	struct iface *hw = ifp->is_subif ? ifp->parent : ifp;
	if (tx_hook) {
		tx_hook(hw, frame, len);
		return 0;
	}
	struct port *p = hw->port;
	if (!p) {
		hw->cnt.out_drops++;
		return -1;
	}
	for (int attempt = 0; attempt < 2; attempt++) {
		if (send(p->fd, frame, len, MSG_DONTWAIT) == (ssize_t)len)
			return 0;
		/* a UDP wire reports the far end's port unreachable on the
		 * next call; that call sent nothing: send once more */
		if (errno != ECONNREFUSED)
			break;
	}
	hw->cnt.out_drops++;
	return -1;
}

/* ---- link state ------------------------------------------------------------------- */

static bool dev_running(const char *dev, bool *exists)
{
	struct ifreq ifr;
	memset(&ifr, 0, sizeof ifr);
	snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", dev);
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0) {
		*exists = false;
		return false;
	}
	int rc = ioctl(s, SIOCGIFFLAGS, &ifr);
	close(s);
	*exists = rc == 0;
	/* IFF_RUNNING mirrors operstate UP (or UNKNOWN for devices that do
	 * not report one) */
	return rc == 0 && (ifr.ifr_flags & IFF_UP) && (ifr.ifr_flags & IFF_RUNNING);
}

static void link_changed(int ifindex, unsigned flags, bool deleted)
{
	for (struct port *p = ports; p; p = p->next) {
		if (p->kind != PORT_LINUX || p->ifindex != ifindex || !p->ifp)
			continue;
		bool up = !deleted && (flags & IFF_UP) && (flags & IFF_RUNNING);
		iface_set_carrier(p->ifp, up);
	}
}

/* The kernel dropped notifications (ENOBUFS): ask every device again. */
static void resync_links(void)
{
	for (struct port *p = ports; p; p = p->next) {
		if (p->kind != PORT_LINUX || !p->ifp)
			continue;
		bool exists;
		iface_set_carrier(p->ifp, dev_running(p->dev, &exists));
	}
}

static void nl_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	static uint8_t buf[16384] __attribute__((aligned(NLMSG_ALIGNTO)));
	for (int i = 0; i < RX_BATCH; i++) {
		ssize_t n = recv(nl_fd, buf, sizeof buf, MSG_DONTWAIT);
		if (n < 0) {
			if (errno == ENOBUFS)
				resync_links();
			return;
		}
		size_t left = (size_t)n;
		for (struct nlmsghdr *h = (struct nlmsghdr *)buf;
		     NLMSG_OK(h, left); h = NLMSG_NEXT(h, left)) {
			if (h->nlmsg_type != RTM_NEWLINK &&
			    h->nlmsg_type != RTM_DELLINK)
				continue;
			if (h->nlmsg_len < NLMSG_LENGTH(sizeof(struct ifinfomsg)))
				continue;
			struct ifinfomsg *ifi = NLMSG_DATA(h);
			link_changed(ifi->ifi_index, ifi->ifi_flags,
				     h->nlmsg_type == RTM_DELLINK);
		}
	}
}

static int netlink_open(char *err, size_t n)
{
	if (nl_fd >= 0)
		return 0;
	nl_fd = socket(AF_NETLINK, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC,
		       NETLINK_ROUTE);
	if (nl_fd < 0) {
		snprintf(err, n, "rtnetlink: %s", strerror(errno));
		return -1;
	}
	struct sockaddr_nl sa = {.nl_family = AF_NETLINK,
				 .nl_groups = RTMGRP_LINK};
	if (bind(nl_fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
		snprintf(err, n, "rtnetlink: %s", strerror(errno));
		close(nl_fd);
		nl_fd = -1;
		return -1;
	}
	ev_io_init(&nl_w, nl_cb, nl_fd, EV_READ);
	ev_io_start(core_loop, &nl_w);
	return 0;
}

/* ---- opening ------------------------------------------------------------------- */

static int open_linux(struct port *p, const char *dev, char *err, size_t n)
{
	if (!*dev || strlen(dev) >= IF_NAMESIZE) {
		snprintf(err, n, "'%s' is not a Linux interface name", dev);
		return -1;
	}
	unsigned idx = if_nametoindex(dev);
	if (idx == 0) {
		snprintf(err, n, "no Linux interface named %s", dev);
		return -1;
	}
	if (netlink_open(err, n) < 0)
		return -1;
	int fd = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC,
			htons(ETH_P_ALL));
	if (fd < 0) {
		snprintf(err, n, "AF_PACKET socket: %s%s", strerror(errno),
			 errno == EPERM ? " (needs CAP_NET_RAW)" : "");
		return -1;
	}
	int one = 1;
	struct sockaddr_ll sll = {.sll_family = AF_PACKET,
				  .sll_protocol = htons(ETH_P_ALL),
				  .sll_ifindex = (int)idx};
	if (setsockopt(fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one,
		       sizeof one) < 0 ||
	    setsockopt(fd, SOL_PACKET, PACKET_AUXDATA, &one, sizeof one) < 0 ||
	    bind(fd, (struct sockaddr *)&sll, sizeof sll) < 0) {
		snprintf(err, n, "%s: %s", dev, strerror(errno));
		close(fd);
		return -1;
	}
	p->fd = fd;
	p->ifindex = (int)idx;
	snprintf(p->dev, sizeof p->dev, "%s", dev);
	return 0;
}

static bool parse_v4(const char *s, size_t len, struct in_addr *a)
{
	char tmp[INET_ADDRSTRLEN];
	if (len == 0 || len >= sizeof tmp)
		return false;
	memcpy(tmp, s, len);
	tmp[len] = '\0';
	return inet_pton(AF_INET, tmp, a) == 1;
}

static bool parse_port(const char *s, size_t len, uint16_t *port)
{
	if (len == 0 || len > 5)
		return false;
	unsigned v = 0;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	if (v == 0 || v > 65535)
		return false;
	*port = (uint16_t)v;
	return true;
}

static int open_udp(struct port *p, const char *spec, char *err, size_t n)
{
	const char *f[4];
	size_t l[4];
	const char *s = spec;
	for (int i = 0; i < 4; i++) {
		const char *c = strchr(s, ':');
		if ((i < 3 && !c) || (i == 3 && c)) {
			snprintf(err, n, "expected udp:LADDR:LPORT:RADDR:RPORT");
			return -1;
		}
		f[i] = s;
		l[i] = c ? (size_t)(c - s) : strlen(s);
		s = c ? c + 1 : s;
	}
	struct sockaddr_in la = {.sin_family = AF_INET};
	struct sockaddr_in ra = {.sin_family = AF_INET};
	uint16_t lp, rp;
	if (!parse_v4(f[0], l[0], &la.sin_addr) ||
	    !parse_v4(f[2], l[2], &ra.sin_addr)) {
		snprintf(err, n, "LADDR and RADDR must be IPv4 addresses");
		return -1;
	}
	if (!parse_port(f[1], l[1], &lp) || !parse_port(f[3], l[3], &rp)) {
		snprintf(err, n, "LPORT and RPORT must be 1-65535");
		return -1;
	}
	la.sin_port = htons(lp);
	ra.sin_port = htons(rp);
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(err, n, "UDP socket: %s", strerror(errno));
		return -1;
	}
	/* room for bursts: a full buffer is an output drop, not a stall */
	int sz = 1 << 20;
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof sz);
	setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sz, sizeof sz);
	if (bind(fd, (struct sockaddr *)&la, sizeof la) < 0) {
		snprintf(err, n, "cannot bind UDP %.*s:%u: %s", (int)l[0], f[0],
			 lp, strerror(errno));
		close(fd);
		return -1;
	}
	if (connect(fd, (struct sockaddr *)&ra, sizeof ra) < 0) {
		snprintf(err, n, "cannot reach UDP %.*s:%u: %s", (int)l[2],
			 f[2], rp, strerror(errno));
		close(fd);
		return -1;
	}
	p->fd = fd;
	return 0;
}

static int attach(const char *arg, char *err, size_t n)
{
	const char *eq = strchr(arg, '=');
	if (!eq || eq == arg) {
		snprintf(err, n, "expected IOSNAME=linux:DEV or "
				 "IOSNAME=udp:LADDR:LPORT:RADDR:RPORT");
		return -1;
	}
	char raw[IFNAME_MAX], canon[IFNAME_MAX];
	if ((size_t)(eq - arg) >= sizeof raw) {
		snprintf(err, n, "interface name too long");
		return -1;
	}
	memcpy(raw, arg, (size_t)(eq - arg));
	raw[eq - arg] = '\0';
	if (!cli_ifname_canon(raw, canon, sizeof canon) ||
	    strchr(canon, '.')) {
		snprintf(err, n, "'%s' is not a physical interface name", raw);
		return -1;
	}
	struct iface *ifp = iface_find(canon);
	if (ifp && ifp->port) {
		snprintf(err, n, "%s already has a port", canon);
		return -1;
	}
	if (!ifp) {
		ifp = iface_get(canon);
		if (!ifp) {
			snprintf(err, n, "'%s' is not an interface name", raw);
			return -1;
		}
	}
	if (!iface_is_physical(ifp) || !iface_is_ethernet(ifp)) {
		snprintf(err, n, "%s is not an Ethernet port", canon);
		return -1;
	}
	struct port *p = xcalloc(1, sizeof *p);
	p->fd = -1;
	const char *spec = eq + 1;
	int rc;
	if (strncmp(spec, "linux:", 6) == 0) {
		p->kind = PORT_LINUX;
		rc = open_linux(p, spec + 6, err, n);
	} else if (strncmp(spec, "udp:", 4) == 0) {
		p->kind = PORT_UDP;
		rc = open_udp(p, spec + 4, err, n);
	} else {
		snprintf(err, n, "expected linux:DEV or "
				 "udp:LADDR:LPORT:RADDR:RPORT after '='");
		rc = -1;
	}
	if (rc < 0) {
		free(p);
		return -1;
	}
	p->ifp = ifp;
	ifp->port = p;
	iface_set_attached(ifp, true);
	p->next = ports;
	ports = p;
	ev_io_init(&p->w, port_cb, p->fd, EV_READ);
	p->w.data = p;
	ev_io_start(core_loop, &p->w);
	bool exists = true;
	iface_set_carrier(ifp, p->kind == PORT_UDP ||
				       dev_running(p->dev, &exists));
	return 0;
}

int port_attach_arg(const char *arg)
{
	char err[256];
	if (attach(arg, err, sizeof err) == 0)
		return 0;
	fprintf(stderr, "iosim: --iface %s: %s\n", arg, err);
	return -1;
}

void port_iface_gone(struct iface *ifp)
{
	struct port *p = ifp->port;
	if (!p)
		return;
	p->ifp = NULL;
	ifp->port = NULL;
}

void port_close_all(void)
{
	while (ports) {
		struct port *p = ports;
		ports = p->next;
		ev_io_stop(core_loop, &p->w);
		close(p->fd);
		if (p->ifp) {
			p->ifp->port = NULL;
			iface_set_attached(p->ifp, false);
		}
		free(p);
	}
	if (nl_fd >= 0) {
		ev_io_stop(core_loop, &nl_w);
		close(nl_fd);
		nl_fd = -1;
	}
}
