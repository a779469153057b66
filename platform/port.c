/* Ports: the wire under an emulated interface.
 *
 *   --iface IOSNAME=linux:DEV   an AF_PACKET socket bound to a Linux device
 *                               (a veth end); carrier follows the device's
 *                               operstate, learnt from rtnetlink on the loop.
 *   --iface IOSNAME=udp:LADDR:LPORT:RADDR:RPORT
 *                               one Ethernet frame per UDP datagram between
 *                               two iosim ports; carrier up while attached.
 *
 * Receiving takes a bounded batch of frames per loop turn and hands each to
 * ether_input(). A Linux port receives through a PACKET_RX_RING (TPACKET_V2)
 * shared with the kernel, the way a NIC fills a descriptor ring: no system
 * call per frame, and a full ring is an input overrun. Sending queues frames
 * per port and hands each queue to the kernel with one sendmmsg() before the
 * loop sleeps (or when the queue is full); it never blocks: a frame the
 * socket cannot take is an output drop, as a full transmit ring is on a
 * router. Frames leave each port in the order they were queued. */
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
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

enum port_kind { PORT_LINUX, PORT_UDP };

/* Frames handled per readiness callback: bounded so one busy port cannot
 * starve the console and the timers. */
#define RX_BATCH 64
/* Frames queued per port before they go to the kernel in one call. */
#define TX_BATCH 64

/* The receive ring of a Linux port: RING_FRAMES slots of RING_FRAME bytes,
 * like a NIC's 1024 receive descriptors. A slot holds the kernel's header
 * and a whole Ethernet frame; anything longer is truncated in the slot but
 * its length is kept (tp_len), so a giant is still counted as one. */
#define RING_FRAME 2048
#define RING_BLOCK 65536
#define RING_FRAMES 1024

struct tx_queue {
	int n;
	uint16_t len[TX_BATCH];
	uint8_t frame[TX_BATCH][ETH_MAX_FRAME];
};

struct port {
	struct port *next;
	struct iface *ifp;
	enum port_kind kind;
	int fd;
	ev_io w;
	int ifindex;              /* linux */
	char dev[IF_NAMESIZE];
	uint8_t *ring;            /* linux: the mmap'ed receive ring */
	unsigned ring_head;       /* the next slot the kernel fills for us */
	struct tx_queue *txq;
	bool tx_pending;          /* on the pending list */
	struct port *tx_next;
};

static struct port *ports;
static port_tx_hook_fn tx_hook;
/* Ports with queued frames, flushed before the loop sleeps. */
static struct port *tx_pending;
static ev_prepare tx_w;

/* rtnetlink: one socket for every linux port's link state */
static int nl_fd = -1;
static ev_io nl_w;

/* UDP wire receive buffers: room for any Ethernet frame; a longer
 * datagram is read truncated and counted as a giant by its length. */
#define UDP_RX_BUF 2048
_Static_assert(UDP_RX_BUF > ETH_MAX_FRAME, "a truncated datagram is a giant");

static uint8_t udp_rx[RX_BATCH][UDP_RX_BUF];

/* ---- receive ------------------------------------------------------------- */

/* The kernel dropped frames because the ring was full: IOS counts a
 * receiver that could not keep up as an overrun (an input error). Reading
 * the statistics resets them. */
static void ring_overrun(struct port *p)
{
	struct tpacket_stats st;
	socklen_t sl = sizeof st;
	if (getsockopt(p->fd, SOL_PACKET, PACKET_STATISTICS, &st, &sl) < 0 ||
	    !p->ifp)
		return;
	p->ifp->cnt.in_overrun += st.tp_drops;
	p->ifp->cnt.in_errors += st.tp_drops;
}

/* One filled slot: the kernel's header, where the frame lies, and the
 * sockaddr_ll that says which way it went. */
static void ring_frame(struct port *p, const struct tpacket2_hdr *h)
{
	const struct sockaddr_ll *from = (const void *)((const uint8_t *)h +
		TPACKET_ALIGN(sizeof *h));
	if (!p->ifp || from->sll_pkttype == PACKET_OUTGOING)
		return;
	/* the kernel wrote these; trust nothing that points outside the
	 * slot */
	if (h->tp_mac > RING_FRAME ||
	    h->tp_snaplen > (unsigned)RING_FRAME - h->tp_mac) {
		p->ifp->cnt.in_drops++;
		return;
	}
	/* the kernel took an 802.1Q tag off: no sub-interface here carries
	 * tagged traffic, as on an untagged port */
	if (h->tp_status & TP_STATUS_VLAN_VALID) {
		p->ifp->cnt.in_drops++;
		return;
	}
	struct frame_rx f = {.ifp = p->ifp,
			     .data = (const uint8_t *)h + h->tp_mac,
			     .len = h->tp_snaplen,
			     .csum_partial = h->tp_status & TP_STATUS_CSUMNOTREADY};
	/* truncated in the slot: only ever a giant, which is counted by
	 * its length and never read */
	if (h->tp_len > h->tp_snaplen) {
		if (h->tp_len <= ETH_MAX_FRAME) {
			p->ifp->cnt.in_drops++;
			return;
		}
		f.len = h->tp_len;
	}
	ether_input(&f);
}

static void port_rx_linux(struct port *p)
{
	bool losing = false;
	int i;
	for (i = 0; i < RX_BATCH; i++) {
		struct tpacket2_hdr *h =
			(void *)(p->ring + (size_t)p->ring_head * RING_FRAME);
		unsigned st = __atomic_load_n(&h->tp_status, __ATOMIC_ACQUIRE);
		if (!(st & TP_STATUS_USER))
			break;    /* drained */
		/* the kernel marks frames while drops are unread */
		losing |= st & TP_STATUS_LOSING;
		ring_frame(p, h);
		/* the slot goes back to the kernel only now: the frame was
		 * read in place */
		__atomic_store_n(&h->tp_status, TP_STATUS_KERNEL,
				 __ATOMIC_RELEASE);
		p->ring_head = (p->ring_head + 1) % RING_FRAMES;
	}
	/* the kernel marks only frames written after a drop; a full batch
	 * (a busy port, the ring may have overflowed while we were away)
	 * reads the count too, so it shows without waiting for a frame */
	if (losing || i == RX_BATCH)
		ring_overrun(p);
}

static void port_rx_udp(struct port *p)
{
	struct iovec iov[RX_BATCH];
	struct mmsghdr mm[RX_BATCH];
	for (int i = 0; i < RX_BATCH; i++) {
		iov[i] = (struct iovec){udp_rx[i], sizeof udp_rx[i]};
		mm[i] = (struct mmsghdr){.msg_hdr = {.msg_iov = &iov[i],
						     .msg_iovlen = 1}};
	}
	/* ECONNREFUSED (the far end is not listening yet) comes once per
	 * ICMP error and consumes no datagram: read again, a bounded
	 * number of times */
	for (int attempt = 0; attempt < 4; attempt++) {
		int n = recvmmsg(p->fd, mm, RX_BATCH, MSG_TRUNC, NULL);
		if (n < 0) {
			if (errno == ECONNREFUSED)
				continue;
			return;
		}
		for (int i = 0; i < n && p->ifp; i++) {
			/* MSG_TRUNC: msg_len is the datagram's whole length,
			 * so a giant is counted as one, never read past the
			 * buffer */
			struct frame_rx f = {.ifp = p->ifp, .data = udp_rx[i],
					     .len = mm[i].msg_len};
			ether_input(&f);
		}
		return;
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

static void tx_counted(struct iface *hw, size_t len)
{
	hw->cnt.out_pkts++;
	hw->cnt.out_bytes += len;
}

/* Hand P's queue to the kernel, in order. A frame the socket refuses is an
 * output drop; the rest still go. */
static void port_flush(struct port *p)
{
	struct tx_queue *q = p->txq;
	struct iovec iov[TX_BATCH];
	struct mmsghdr mm[TX_BATCH];
	for (int i = 0; i < q->n; i++) {
		iov[i] = (struct iovec){q->frame[i], q->len[i]};
		mm[i] = (struct mmsghdr){.msg_hdr = {.msg_iov = &iov[i],
						     .msg_iovlen = 1}};
	}
	struct iface *hw = p->ifp;
	int i = 0;
	bool retried = false;
	while (i < q->n) {
		int k = sendmmsg(p->fd, mm + i, (unsigned)(q->n - i),
				 MSG_DONTWAIT);
		if (k > 0) {
			for (int j = i; j < i + k; j++)
				if (hw)
					tx_counted(hw, q->len[j]);
			i += k;
			retried = false;
			continue;
		}
		/* a UDP wire reports the far end's port unreachable on the
		 * next call; that call sent nothing: send once more */
		if (k < 0 && errno == ECONNREFUSED && !retried) {
			retried = true;
			continue;
		}
		if (hw)
			hw->cnt.out_drops++;
		i++;
		retried = false;
	}
	if (hw && q->n)
		hw->cnt.last_output = core_uptime();
	q->n = 0;
}

static void flush_pending(void)
{
	while (tx_pending) {
		struct port *p = tx_pending;
		tx_pending = p->tx_next;
		p->tx_pending = false;
		port_flush(p);
	}
}

/* Before the loop sleeps: whatever this turn queued leaves now. */
static void tx_prepare_cb(struct ev_loop *loop, ev_prepare *w, int revents)
{
	flush_pending();
}

/* HDR and PAYLOAD into one frame at OUT, padded to the 60-byte minimum;
 * returns its length. */
static size_t frame_build(uint8_t *out, const uint8_t hdr[ETH_HLEN_],
			  const uint8_t *payload, size_t len)
{
	size_t flen = ETH_HLEN_ + len;
	memcpy(out, hdr, ETH_HLEN_);
	memcpy(out + ETH_HLEN_, payload, len);
	if (flen < ETH_MIN_FRAME) {
		memset(out + flen, 0, ETH_MIN_FRAME - flen);
		flen = ETH_MIN_FRAME;
	}
	return flen;
}

int port_tx(struct iface *ifp, const uint8_t hdr[ETH_HLEN_],
	    const uint8_t *payload, size_t len)
{
	struct iface *hw = ifp->is_subif ? ifp->parent : ifp;
	if (tx_hook) {
		uint8_t frame[ETH_MAX_FRAME];
		if (len > ETH_MAX_FRAME - ETH_HLEN_) {
			hw->cnt.out_drops++;
			return -1;
		}
		size_t flen = frame_build(frame, hdr, payload, len);
		tx_hook(hw, frame, flen);
		tx_counted(hw, flen);
		hw->cnt.last_output = core_uptime();
		return 0;
	}
	struct port *p = hw->port;
	if (!p || len > ETH_MAX_FRAME - ETH_HLEN_) {
		hw->cnt.out_drops++;
		return -1;
	}
	struct tx_queue *q = p->txq;
	if (q->n == TX_BATCH)
		port_flush(p);
	/* built in place: the frame is copied once on its way out */
	q->len[q->n] = (uint16_t)frame_build(q->frame[q->n], hdr, payload, len);
	q->n++;
	if (!p->tx_pending) {
		p->tx_pending = true;
		p->tx_next = tx_pending;
		tx_pending = p;
	}
	return 0;
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
	/* protocol 0: the socket hears nothing until bind() names both the
	 * device and ETH_P_ALL, so no other device's frame gets in first */
	int fd = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(err, n, "AF_PACKET socket: %s%s", strerror(errno),
			 errno == EPERM ? " (needs CAP_NET_RAW)" : "");
		return -1;
	}
	int one = 1, ver = TPACKET_V2;
	struct tpacket_req req = {
		.tp_block_size = RING_BLOCK,
		.tp_block_nr = RING_FRAMES / (RING_BLOCK / RING_FRAME),
		.tp_frame_size = RING_FRAME,
		.tp_frame_nr = RING_FRAMES,
	};
	size_t ring_len = (size_t)RING_FRAMES * RING_FRAME;
	void *ring = MAP_FAILED;
	struct sockaddr_ll sll = {.sll_family = AF_PACKET,
				  .sll_protocol = htons(ETH_P_ALL),
				  .sll_ifindex = (int)idx};
	if (setsockopt(fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one,
		       sizeof one) < 0 ||
	    setsockopt(fd, SOL_PACKET, PACKET_VERSION, &ver, sizeof ver) < 0 ||
	    setsockopt(fd, SOL_PACKET, PACKET_RX_RING, &req, sizeof req) < 0 ||
	    (ring = mmap(NULL, ring_len, PROT_READ | PROT_WRITE, MAP_SHARED,
			 fd, 0)) == MAP_FAILED ||
	    bind(fd, (struct sockaddr *)&sll, sizeof sll) < 0) {
		snprintf(err, n, "%s: %s", dev, strerror(errno));
		if (ring != MAP_FAILED)
			munmap(ring, ring_len);
		close(fd);
		return -1;
	}
	p->fd = fd;
	p->ring = ring;
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
	p->txq = xmalloc(sizeof *p->txq);
	p->txq->n = 0;
	if (!ev_is_active(&tx_w)) {
		/* the flush must not keep the loop alive by itself */
		ev_prepare_init(&tx_w, tx_prepare_cb);
		ev_prepare_start(core_loop, &tx_w);
		ev_unref(core_loop);
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
	p->txq->n = 0;     /* queued frames go with the interface */
	p->ifp = NULL;
	ifp->port = NULL;
}

void port_close_all(void)
{
	flush_pending();
	if (ev_is_active(&tx_w)) {
		ev_ref(core_loop);
		ev_prepare_stop(core_loop, &tx_w);
	}
	while (ports) {
		struct port *p = ports;
		ports = p->next;
		ev_io_stop(core_loop, &p->w);
		if (p->ring)
			munmap(p->ring, (size_t)RING_FRAMES * RING_FRAME);
		free(p->txq);
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
