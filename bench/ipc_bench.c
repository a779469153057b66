/* IPC channel benchmark: one whole router (every subsystem, its own IPv4
 * stack, usrsctp over AF_CONN, a UDP wire as its port) with one more IPC
 * client, "bench" (id 9000). Two of these talk over their association:
 *
 *   ipc_bench send CONFIG IFACE N SIZE PINGS    throughput, then latency
 *   ipc_bench echo CONFIG IFACE                  the other end
 *
 * The sender waits for the link, then sends N messages of SIZE bytes as
 * fast as the channel's flow control lets it (IPC_FULL: wait for
 * writable()); the echo end answers the last one, and the sender prints
 * messages per second from its first send to that answer. Then PINGS
 * round trips, one at a time, each timed: median and 99th percentile.
 * Prints one line of figures and exits; the echo end exits when its peer
 * has gone. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/core.h"
#include "../router/router.h"
#include "../platform/platform.h"
#include "../ipc/ipc.h"

enum { T_DATA = 1, T_LAST = 2, T_DONE = 3, T_PING = 4, T_PONG = 5 };

static struct {
	bool sender;
	struct ipc_client *c;
	long n, size, pings;
	long sent, got, pinged;
	double t_first, t_done, ping_at;
	double *rtt;
	bool running, done;
	uint8_t *buf;
	ev_timer start;
} b;

static int cmp(const void *x, const void *y)
{
	double a = *(const double *)x, c = *(const double *)y;
	return a < c ? -1 : a > c;
}

static void finish(void)
{
	qsort(b.rtt, (size_t)b.pings, sizeof *b.rtt, cmp);
	double secs = b.t_done - b.t_first;
	printf("ipc: %ld messages of %ld B in %.3f s: %.0f msg/s; round trip "
	       "median %.1f us, p99 %.1f us (%ld pings)\n", b.n, b.size, secs,
	       (double)b.n / secs, b.rtt[b.pings / 2] * 1e6,
	       b.rtt[b.pings * 99 / 100] * 1e6, b.pings);
	fflush(stdout);
	ev_break(core_loop, EVBREAK_ALL);
}

static void ping(void)
{
	b.ping_at = ev_time();
	ipc_send(b.c, T_PING, b.buf, (size_t)b.size);
}

/* Send until the channel is full or all are out. */
static void pump(void)
{
	while (b.running && b.sent < b.n) {
		uint16_t type = b.sent == b.n - 1 ? T_LAST : T_DATA;
		int rc = ipc_send(b.c, type, b.buf, (size_t)b.size);
		if (rc == IPC_FULL)
			return;
		if (rc != IPC_SENT) {
			fprintf(stderr, "ipc_bench: send failed (%d)\n", rc);
			exit(1);
		}
		if (!b.sent)
			b.t_first = ev_time();
		b.sent++;
	}
}

static void on_start(struct ev_loop *loop, ev_timer *w, int revents)
{
	if (!ipc_link_up())
		return;
	b.running = true;
	pump();
}

static void on_recv(void *ctx, uint16_t type, const uint8_t *p, size_t len)
{
	switch (type) {
	case T_DATA:
		b.got++;
		break;
	case T_LAST:
		b.got++;
		ipc_send(b.c, T_DONE, NULL, 0);
		break;
	case T_DONE:
		b.t_done = ev_time();
		ping();
		break;
	case T_PING:
		ipc_send(b.c, T_PONG, p, len);
		break;
	case T_PONG:
		b.rtt[b.pinged++] = ev_time() - b.ping_at;
		if (b.pinged == b.pings)
			finish();
		else
			ping();
		break;
	}
}

static void writable(void *ctx)
{
	pump();
}

static void on_link(void *ctx, bool up)
{
	if (!b.sender) {
		if (!up && b.got)
			ev_break(core_loop, EVBREAK_ALL);
		return;
	}
	if (up && !b.running) {
		/* let RF say its hello first */
		ev_timer_set(&b.start, 1.0, 0.);
		ev_timer_start(core_loop, &b.start);
	}
}

static const char *const names[] = {NULL, "DATA", "LAST", "DONE", "PING",
				    "PONG"};
static const struct ipc_client_ops ops = {
	.name = "bench", .id = 9000, .ntypes = 5, .type_names = names,
	.recv = on_recv, .writable = writable, .link = on_link,
};

static void on_timeout(struct ev_loop *loop, ev_timer *w, int revents)
{
	fprintf(stderr, "ipc_bench: no result in time (sent %ld, got %ld, "
		"pinged %ld)\n", b.sent, b.got, b.pinged);
	exit(1);
}

int main(int argc, char **argv)
{
	if (argc < 4 || (strcmp(argv[1], "send") && strcmp(argv[1], "echo")) ||
	    (!strcmp(argv[1], "send") && argc < 7)) {
		fprintf(stderr, "usage: ipc_bench send CONFIG IFACE N SIZE PINGS | "
			"echo CONFIG IFACE\n");
		return 2;
	}
	b.sender = !strcmp(argv[1], "send");
	b.n = b.sender ? atol(argv[4]) : 0;
	b.size = b.sender ? atol(argv[5]) : 0;
	b.pings = b.sender ? atol(argv[6]) : 0;
	if (b.sender && (b.n < 1 || b.size < 0 || b.size > IPC_MSG_MAX ||
			 b.pings < 1)) {
		fprintf(stderr, "ipc_bench: bad numbers\n");
		return 2;
	}
	b.buf = xcalloc(1, (size_t)b.size + 1);
	b.rtt = xcalloc((size_t)b.pings + 1, sizeof *b.rtt);
	router_init();
	b.c = ipc_client_register(&ops, NULL);
	router_set_boot(argv[2], NULL);
	router_boot();
	if (port_attach_arg(argv[3]) < 0)
		return 1;
	ev_timer_init(&b.start, on_start, 0., 0.);
	ev_timer to;
	ev_timer_init(&to, on_timeout, 300., 0.);
	ev_timer_start(core_loop, &to);
	ev_run(core_loop, 0);
	port_close_all();
	core_reset_all();
	free(b.buf);
	free(b.rtt);
	return 0;
}
