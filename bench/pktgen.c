/* pktgen: the forwarding bench's bounded frame generator.
 *
 *   pktgen DEV DSTMAC SRCMAC SRCIP DSTIP FRAMESIZE COUNT
 *
 * Sends COUNT copies of one Ethernet/IPv4/UDP frame (to port 9, discard) on
 * DEV through an AF_PACKET socket, as fast as sendmmsg() takes them, and
 * prints "sent COUNT SECONDS". FRAMESIZE counts the 4-byte FCS the way
 * RFC 2544 does (64 = the smallest frame); veth carries no FCS, so the frame
 * written is FRAMESIZE - 4 bytes. The IPv4 header checksum is computed; the
 * UDP checksum is 0 (none), which IPv4 allows. Needs CAP_NET_RAW; run it
 * inside the source namespace (ip netns exec). */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BATCH 64
#define FRAME_MAX 1514

static int parse_mac(const char *s, uint8_t mac[6])
{
	unsigned int b[6];
	char tail;

	if (sscanf(s, "%x:%x:%x:%x:%x:%x%c", &b[0], &b[1], &b[2], &b[3], &b[4],
		   &b[5], &tail) != 6)
		return -1;
	for (int i = 0; i < 6; i++) {
		if (b[i] > 255)
			return -1;
		mac[i] = (uint8_t)b[i];
	}
	return 0;
}

static uint16_t ip_checksum(const uint8_t *p, size_t len)
{
	uint32_t sum = 0;

	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* Ethernet + IPv4 (20 bytes, DF, TTL 64) + UDP 9 -> 9, zero payload. */
static size_t build_frame(uint8_t *f, size_t len, const uint8_t dst[6],
			  const uint8_t src[6], struct in_addr sip,
			  struct in_addr dip)
{
	uint8_t *ip = f + 14, *udp = ip + 20;
	size_t ip_len = len - 14;

	memset(f, 0, len);
	memcpy(f, dst, 6);
	memcpy(f + 6, src, 6);
	f[12] = 0x08;
	ip[0] = 0x45;
	ip[2] = (uint8_t)(ip_len >> 8);
	ip[3] = (uint8_t)ip_len;
	ip[6] = 0x40;
	ip[8] = 64;
	ip[9] = 17;
	memcpy(ip + 12, &sip, 4);
	memcpy(ip + 16, &dip, 4);
	uint16_t ck = ip_checksum(ip, 20);
	ip[10] = (uint8_t)(ck >> 8);
	ip[11] = (uint8_t)ck;
	udp[1] = 9;
	udp[3] = 9;
	udp[4] = (uint8_t)((ip_len - 20) >> 8);
	udp[5] = (uint8_t)(ip_len - 20);
	return len;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	uint8_t dst[6], src[6], frame[FRAME_MAX];
	struct in_addr sip, dip;

	if (argc != 8) {
		fprintf(stderr, "usage: pktgen DEV DSTMAC SRCMAC SRCIP DSTIP "
			"FRAMESIZE COUNT\n");
		return 2;
	}
	char *end;
	long size = strtol(argv[6], &end, 10);
	long long count = strtoll(argv[7], NULL, 10);
	if (parse_mac(argv[2], dst) || parse_mac(argv[3], src) ||
	    inet_pton(AF_INET, argv[4], &sip) != 1 ||
	    inet_pton(AF_INET, argv[5], &dip) != 1 || *end ||
	    size < 64 || size > FRAME_MAX + 4 || count <= 0) {
		fprintf(stderr, "pktgen: bad argument (FRAMESIZE 64..%d)\n",
			FRAME_MAX + 4);
		return 2;
	}
	unsigned int ifindex = if_nametoindex(argv[1]);
	if (!ifindex) {
		fprintf(stderr, "pktgen: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	int fd = socket(AF_PACKET, SOCK_RAW, 0);  /* send only: no protocol */
	if (fd < 0) {
		perror("pktgen: socket");
		return 1;
	}
	struct sockaddr_ll sll = {.sll_family = AF_PACKET,
				  .sll_ifindex = (int)ifindex,
				  .sll_halen = 6};
	memcpy(sll.sll_addr, dst, 6);
	size_t len = build_frame(frame, (size_t)size - 4, dst, src, sip, dip);

	struct iovec iov = {.iov_base = frame, .iov_len = len};
	struct mmsghdr msgs[BATCH];
	for (int i = 0; i < BATCH; i++)
		msgs[i].msg_hdr = (struct msghdr){.msg_name = &sll,
						  .msg_namelen = sizeof(sll),
						  .msg_iov = &iov,
						  .msg_iovlen = 1};
	long long sent = 0;
	double t0 = now();
	while (sent < count) {
		unsigned int n = count - sent < BATCH ? (unsigned int)(count - sent)
						       : BATCH;
		int r = sendmmsg(fd, msgs, n, 0);
		if (r < 0) {
			if (errno == ENOBUFS || errno == EAGAIN || errno == EINTR) {
				sched_yield();
				continue;
			}
			perror("pktgen: sendmmsg");
			return 1;
		}
		sent += r;
	}
	printf("sent %lld %.6f\n", sent, now() - t0);
	close(fd);
	return 0;
}
