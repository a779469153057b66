/* The console as a telnet server (--console tcp:ADDR:PORT), the way lab
 * tools such as GNS3 serve a router's console port. This file is the
 * server: the listening socket, the one connection, its output queue and
 * its timeouts; telnet_int.h says where the rest lives (the protocol, the
 * line editor, the login and the session behind it).
 *
 * One session at a time: a second connection is told the console is in use
 * and closed. Nothing here blocks the loop: the socket is non-blocking,
 * output is queued and written when the socket is writable, and a peer that
 * stops reading is dropped once the queue passes OUT_MAX. A connection is
 * only freed from our own watchers, never from inside a session callback
 * (the session and the log sink may still be on the stack). */
#include "console.h"
#include "telnet_int.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define OUT_MAX (1024 * 1024)   /* queued output before a peer is dropped */
#define LOGIN_RESPONSE 30       /* IOS's timeout login response, seconds */
#define T_IAC 255

#define MSG_IN_USE "% Console is in use by another session\r\n"

static int lfd = -1;
static ev_io accept_w;
static ev_timer accept_pause_w;  /* out of descriptors: retry accept later */
static ev_timer reap_w;          /* closes a dead connection from the loop */
static struct tconn *conn;       /* the console session, or NULL */

static void conn_close(struct tconn *t);

/* ---- output ----------------------------------------------------------------- */

static size_t out_pending(const struct tconn *t)
{
	return t->out.len - t->out_off;
}

/* The peer stopped reading or the socket failed. We may be deep inside a
 * session or the log sink, so the connection is closed from the loop. */
static void conn_fail(struct tconn *t)
{
	if (t->dead)
		return;
	t->dead = true;
	ev_io_stop(core_loop, &t->rw);
	ev_io_stop(core_loop, &t->ww);
	ev_timer_stop(core_loop, &t->idle);
	ev_timer_set(&reap_w, 0., 0.);
	ev_timer_start(core_loop, &reap_w);
}

void tn_out_raw(struct tconn *t, const void *p, size_t n)
{
	if (t->dead || !n)
		return;
	sbuf_add(&t->out, p, n);
	if (out_pending(t) > OUT_MAX) {
		conn_fail(t);
		return;
	}
	if (!ev_is_active(&t->ww))
		ev_io_start(core_loop, &t->ww);
}

/* Text for the terminal: "\n" becomes "\r\n" (NVT end of line) and a 255
 * byte is doubled so that it is not taken for IAC. */
void tn_out_text(struct tconn *t, const char *s, size_t n)
{
	size_t start = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];
		bool cr_before = i ? s[i - 1] == '\r' : t->out_cr;
		if (ch == '\n' && !cr_before) {
			tn_out_raw(t, s + start, i - start);
			tn_out_raw(t, "\r\n", 2);
			start = i + 1;
		} else if (ch == T_IAC) {
			tn_out_raw(t, s + start, i + 1 - start);
			tn_out_raw(t, "\xff", 1);
			start = i + 1;
		}
	}
	tn_out_raw(t, s + start, n - start);
	if (n)
		t->out_cr = s[n - 1] == '\r';
}

void tn_out_str(struct tconn *t, const char *s)
{
	tn_out_text(t, s, strlen(s));
}

/* Write what the socket takes now. False when the connection failed. */
static bool out_flush(struct tconn *t)
{
	while (out_pending(t)) {
		ssize_t w = send(t->fd, t->out.s + t->out_off, out_pending(t),
				 MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (w <= 0)
			return false;
		t->out_off += (size_t)w;
	}
	if (!out_pending(t)) {
		sbuf_reset(&t->out);
		t->out_off = 0;
	} else if (t->out_off > 65536 && t->out_off > t->out.len / 2) {
		memmove(t->out.s, t->out.s + t->out_off, out_pending(t));
		t->out.len -= t->out_off;
		t->out_off = 0;
	}
	return true;
}

static void write_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct tconn *t = w->data;
	if (!out_flush(t)) {
		conn_close(t);
		return;
	}
	if (!out_pending(t))
		ev_io_stop(loop, w);
}

/* ---- connections --------------------------------------------------------------------- */

/* How long the connection may sit idle: exec-timeout (0: for ever); at a
 * login prompt no longer than IOS's login response timeout either, so that
 * a client that never answers cannot keep the one console. */
static unsigned idle_secs(const struct tconn *t)
{
	unsigned secs = line_exec_timeout(LINE_CON, 0);
	if (t->phase != PH_EXEC && (!secs || secs > LOGIN_RESPONSE))
		secs = LOGIN_RESPONSE;
	return secs;
}

static void idle_reset(struct tconn *t)
{
	ev_timer_stop(core_loop, &t->idle);
	unsigned secs = idle_secs(t);
	if (!secs || t->dead)
		return;
	ev_timer_set(&t->idle, secs, 0.);
	ev_timer_start(core_loop, &t->idle);
}

/* The time is up: the EXEC ends as if the user had logged out; a login
 * prompt says it timed out first. */
static void idle_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct tconn *t = w->data;
	if (t->phase == PH_EXEC)
		tn_out_str(t, "\n");
	else
		tn_login_expired(t);
	out_flush(t);
	conn_close(t);
}

static void read_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct tconn *t = w->data;
	unsigned char buf[4096];
	ssize_t n = recv(t->fd, buf, sizeof buf, 0);
	if (n < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK))
		return;
	if (n <= 0) {
		conn_close(t);
		return;
	}
	for (ssize_t i = 0; i < n && !t->closing && !t->dead; i++)
		tn_input(t, buf[i]);
	explicit_bzero(buf, sizeof buf);
	if (t->dead || t->closing) {
		if (!t->dead)
			out_flush(t);
		conn_close(t);
		return;
	}
	idle_reset(t);
}

static void conn_close(struct tconn *t)
{
	ev_io_stop(core_loop, &t->rw);
	ev_io_stop(core_loop, &t->ww);
	ev_timer_stop(core_loop, &t->idle);
	ev_timer_stop(core_loop, &reap_w);
	if (t->cli)
		cli_session_free(t->cli);
	close(t->fd);
	sbuf_free(&t->out);
	tn_ed_clear(t);
	free(t->user);
	if (conn == t)
		conn = NULL;
	free(t);
}

static void reap_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	if (conn && conn->dead)
		conn_close(conn);
}

static void conn_open(int fd)
{
	int one = 1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	struct tconn *t = xcalloc(1, sizeof *t);
	t->fd = fd;
	sbuf_init(&t->out);
	ev_io_init(&t->rw, read_cb, fd, EV_READ);
	ev_io_init(&t->ww, write_cb, fd, EV_WRITE);
	ev_timer_init(&t->idle, idle_cb, 0., 0.);
	t->rw.data = t->ww.data = t->idle.data = t;
	conn = t;
	tn_opt_start(t);
	tn_login_start(t);
	ev_io_start(core_loop, &t->rw);
	idle_reset(t);
}

/* The console is taken: say so and hang up. A fresh socket has room for
 * one short line, so this send does not block. */
static void refuse(int fd)
{
	ssize_t w = send(fd, MSG_IN_USE, strlen(MSG_IN_USE),
			 MSG_NOSIGNAL | MSG_DONTWAIT);
	(void)w;
	close(fd);
}

static void accept_resume_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	ev_io_start(loop, &accept_w);
}

static void accept_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	for (;;) {
		int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			if (errno == EMFILE || errno == ENFILE ||
			    errno == ENOBUFS || errno == ENOMEM) {
				/* the listener stays readable: wait a
				 * second rather than spin */
				ev_io_stop(loop, &accept_w);
				ev_timer_set(&accept_pause_w, 1., 0.);
				ev_timer_start(loop, &accept_pause_w);
			}
			return;
		}
		if (conn)
			refuse(fd);
		else
			conn_open(fd);
	}
}

static bool parse_addr(const char *addr, struct in_addr *in)
{
	if (!strcmp(addr, "localhost")) {
		in->s_addr = htonl(INADDR_LOOPBACK);
		return true;
	}
	return inet_pton(AF_INET, addr, in) == 1;
}

bool console_telnet_start(const char *addr, int port, char *err, size_t n)
{
	struct sockaddr_in sa = {.sin_family = AF_INET};
	if (!addr || !parse_addr(addr, &sa.sin_addr)) {
		snprintf(err, n, "not an IPv4 address: %s", addr ? addr : "");
		return false;
	}
	if (port <= 0 || port > 65535) {
		snprintf(err, n, "invalid port %d", port);
		return false;
	}
	sa.sin_port = htons((uint16_t)port);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(err, n, "%s", strerror(errno));
		return false;
	}
	int one = 1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0 ||
	    listen(fd, 8) < 0) {
		snprintf(err, n, "%s", strerror(errno));
		close(fd);
		return false;
	}
	lfd = fd;
	ev_io_init(&accept_w, accept_cb, lfd, EV_READ);
	ev_io_start(core_loop, &accept_w);
	ev_timer_init(&accept_pause_w, accept_resume_cb, 1., 0.);
	ev_timer_init(&reap_w, reap_cb, 0., 0.);
	return true;
}

void console_telnet_stop(void)
{
	if (conn) {
		out_flush(conn);
		conn_close(conn);
	}
	if (lfd >= 0) {
		ev_io_stop(core_loop, &accept_w);
		ev_timer_stop(core_loop, &accept_pause_w);
		ev_timer_stop(core_loop, &reap_w);
		close(lfd);
		lfd = -1;
	}
}
