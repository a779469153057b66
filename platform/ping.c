/* The ping EXEC command as IOS 12.4 has it: `ping [ip] A.B.C.D [repeat N]
 * [size N] [source IF|A.B.C.D] [timeout S] [df-bit]` and the extended ping
 * dialogue of a bare `ping`. One echo is outstanding at a time: the next
 * goes when the reply (or an ICMP error quoting it) arrives or its timeout
 * expires, as on IOS. The console waits without blocking the loop (the
 * session is held until the summary line); Ctrl-^ stops it early. */
#include "platform_int.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define PING_LINE 70          /* IOS starts a new line of marks after 70 */

struct ping_params {
	uint32_t dst, src;          /* src 0: the exit interface's address */
	unsigned long count;
	unsigned long size;         /* IP datagram size */
	unsigned timeout;           /* seconds */
	uint8_t tos;
	uint16_t pattern;
	bool df;
	bool src_given;
};

struct ping {
	struct cli *cli;
	struct ping_params p;
	uint16_t id, seq;
	unsigned long sent, ok;
	bool waiting;               /* an echo is outstanding */
	double t_sent;
	unsigned long rtt_min, rtt_max, rtt_sum;   /* ms */
	int col;                    /* marks on the current line */
	ev_timer timer;             /* the outstanding echo's timeout, or 0
				     * to send the next one on the next turn */
};

static void ping_defaults(struct ping_params *p)
{
	memset(p, 0, sizeof *p);
	p->count = 5;
	p->size = 100;
	p->timeout = 2;
	p->pattern = 0xabcd;
}

/* ---- the run --------------------------------------------------------------- */

static void ping_free(struct ping *pg)
{
	ev_timer_stop(core_loop, &pg->timer);
	icmp_echo_unregister(pg->id);
	free(pg);
}

/* "Success rate is 100 percent (5/5), round-trip min/avg/max = 1/2/4 ms" */
static void ping_summary(struct ping *pg)
{
	struct cli *cli = pg->cli;
	if (pg->col)
		cli_puts(cli, "\n");
	unsigned long sent = pg->sent;
	cli_printf(cli, "Success rate is %lu percent (%lu/%lu)",
		   sent ? pg->ok * 100 / sent : 0, pg->ok, sent);
	if (pg->ok)
		cli_printf(cli, ", round-trip min/avg/max = %lu/%lu/%lu ms",
			   pg->rtt_min, pg->rtt_sum / pg->ok, pg->rtt_max);
	cli_puts(cli, "\n");
}

static void ping_finish(struct ping *pg)
{
	struct cli *cli = pg->cli;
	ping_summary(pg);
	ping_free(pg);
	cli_release(cli);
}

static void mark(struct ping *pg, char ch)
{
	char s[2] = {ch, 0};
	cli_puts(pg->cli, s);
	if (++pg->col == PING_LINE) {
		cli_puts(pg->cli, "\n");
		pg->col = 0;
	}
	cli_flush(pg->cli);
}

/* Next turn of the loop: send the next echo or end. A reply can come back
 * inside the send (a ping to the router's own address), so the next send
 * never runs from within the previous one. */
static void next_soon(struct ping *pg)
{
	pg->waiting = false;
	ev_timer_stop(core_loop, &pg->timer);
	ev_timer_set(&pg->timer, 0., 0.);
	ev_timer_start(core_loop, &pg->timer);
}

static void send_one(struct ping *pg)
{
	if (pg->sent == pg->p.count) {
		ping_finish(pg);
		return;
	}
	pg->seq++;
	pg->sent++;
	pg->waiting = true;
	pg->t_sent = ev_time();
	ev_timer_set(&pg->timer, (double)pg->p.timeout, 0.);
	ev_timer_start(core_loop, &pg->timer);
	struct icmp_echo_opts o = {.tos = pg->p.tos, .pattern = pg->p.pattern,
				   .df = pg->p.df};
	/* no route or a down interface: IOS waits the timeout out, "." */
	icmp_echo_send_opts(pg->p.src, pg->p.dst, pg->id, pg->seq,
			    pg->p.size - 28, &o);
}

static void on_timer(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct ping *pg = w->data;
	if (pg->waiting) {
		pg->waiting = false;
		mark(pg, '.');
	}
	send_one(pg);
}

/* IOS's marks: ! reply, U unreachable, M could not fragment, Q source
 * quench, & lifetime exceeded, ? anything else. */
static char result_mark(const struct icmp_echo_result *r)
{
	switch (r->type) {
	case 0: return '!';
	case 3: return r->code == 4 ? 'M' : 'U';
	case 4: return 'Q';
	case 11: return '&';
	default: return '?';
	}
}

static void on_echo(const struct icmp_echo_result *r, void *ctx)
{
	struct ping *pg = ctx;
	if (!pg->waiting || r->seq != pg->seq)
		return;                 /* late: its timeout already counted */
	char m = result_mark(r);
	if (m == '!') {
		double ms = (ev_time() - pg->t_sent) * 1000.0;
		unsigned long rtt = ms < 0 ? 0 : (unsigned long)(ms + 0.5);
		if (!pg->ok || rtt < pg->rtt_min)
			pg->rtt_min = rtt;
		if (rtt > pg->rtt_max)
			pg->rtt_max = rtt;
		pg->rtt_sum += rtt;
		pg->ok++;
	}
	mark(pg, m);
	next_soon(pg);
}

static void on_escape(struct cli *cli, void *ctx, bool gone)
{
	struct ping *pg = ctx;
	if (gone) {
		ping_free(pg);
		return;
	}
	ping_finish(pg);
}

static void ping_start(struct cli *cli, const struct ping_params *p)
{
	char db[16], sb[16];
	cli_printf(cli, "Type escape sequence to abort.\n"
			"Sending %lu, %lu-byte ICMP Echos to %s, timeout is %u "
			"seconds:\n", p->count, p->size, ip_fmt(p->dst, db),
		   p->timeout);
	if (p->src_given)
		cli_printf(cli, "Packet sent with a source address of %s \n",
			   ip_fmt(p->src, sb));
	if (p->df)
		cli_puts(cli, "Packet sent with the DF bit set\n");
	struct ping *pg = xcalloc(1, sizeof *pg);
	pg->cli = cli;
	pg->p = *p;
	pg->id = icmp_echo_register(on_echo, pg);
	ev_timer_init(&pg->timer, on_timer, 0., 0.);
	pg->timer.data = pg;
	cli_flush(cli);
	cli_hold(cli, on_escape, pg);
	next_soon(pg);
}

/* ---- arguments --------------------------------------------------------------- */

/* The source: one of our addresses on an up interface, or an interface
 * with an address. False after IOS's message. */
static bool source_of(struct cli *cli, const char *word, uint32_t *src)
{
	uint32_t a;
	if (ip_parse(word, &a)) {
		struct iface *ifp = iface_by_addr(a);
		if (!ifp || !iface_line_up(ifp)) {
			cli_puts(cli, "% Invalid source address- IP address not "
				      "on any of our up interfaces\n");
			return false;
		}
		*src = a;
		return true;
	}
	char canon[IFNAME_MAX];
	struct iface *ifp = cli_ifname_canon(word, canon, sizeof canon)
				    ? iface_find(canon) : NULL;
	if (!ifp) {
		cli_printf(cli, "%% Invalid source. Must use same-VRF IP "
				"address or full interface name without "
				"spaces (e.g. Serial0/1)\n");
		return false;
	}
	if (!iface_addr(ifp)) {
		cli_printf(cli, "%% Invalid source interface - IP not enabled "
				"or interface is down\n");
		return false;
	}
	*src = iface_addr(ifp);
	return true;
}

DEFUN(ping_cmd,
      "ping [ip] A.B.C.D$dst [{repeat <1-2147483647>$rep|size <36-18024>$size|"
      "source (A.B.C.D$saddr|IFNAME$sif)|timeout <0-3600>$to|df-bit}]",
      "Send echo messages\n"
      "IP echo\n"
      "Ping destination address or hostname\n"
      "specify repeat count\n"
      "Repeat count\n"
      "specify datagram size\n"
      "Datagram size\n"
      "specify source address or name\n"
      "Source address\n"
      "Interface type and number\n"
      "specify timeout interval\n"
      "Timeout in seconds\n"
      "enable do not fragment bit in IP header\n")
{
	struct ping_params p;
	ping_defaults(&p);
	p.dst = cli_arg_ip(a, "dst");
	if (cli_arg(a, "rep"))
		p.count = cli_arg_num(a, "rep");
	if (cli_arg(a, "size"))
		p.size = cli_arg_num(a, "size");
	if (cli_arg(a, "to"))
		p.timeout = (unsigned)cli_arg_num(a, "to");
	p.df = cli_has(a, "df-bit");
	const char *s = cli_arg(a, "saddr") ? cli_arg(a, "saddr")
					    : cli_arg(a, "sif");
	if (s) {
		if (!source_of(cli, s, &p.src))
			return CLI_ERR;
		p.src_given = true;
	}
	ping_start(cli, &p);
	return CLI_OK;
}

/* ---- the extended dialogue ------------------------------------------------------ */

struct dialogue {
	struct ping_params p;
	bool extended;
};

static void ask_protocol(struct cli *cli, const char *ans, void *ctx);
static void ask_target(struct cli *cli, const char *ans, void *ctx);
static void ask_repeat(struct cli *cli, const char *ans, void *ctx);
static void ask_size(struct cli *cli, const char *ans, void *ctx);
static void ask_timeout(struct cli *cli, const char *ans, void *ctx);
static void ask_extended(struct cli *cli, const char *ans, void *ctx);
static void ask_source(struct cli *cli, const char *ans, void *ctx);
static void ask_tos(struct cli *cli, const char *ans, void *ctx);
static void ask_df(struct cli *cli, const char *ans, void *ctx);
static void ask_validate(struct cli *cli, const char *ans, void *ctx);
static void ask_pattern(struct cli *cli, const char *ans, void *ctx);
static void ask_options(struct cli *cli, const char *ans, void *ctx);
static void ask_sweep(struct cli *cli, const char *ans, void *ctx);

/* The answer without surrounding blanks; "" takes the default. */
static const char *trimmed(const char *ans, char *buf, size_t n)
{
	while (*ans == ' ' || *ans == '\t')
		ans++;
	snprintf(buf, n, "%s", ans);
	size_t l = strlen(buf);
	while (l && (buf[l - 1] == ' ' || buf[l - 1] == '\t'))
		buf[--l] = '\0';
	return buf;
}

/* A decimal answer in [lo, hi]; false after IOS's message. */
static bool number(struct cli *cli, const char *ans, unsigned long def,
		   unsigned long lo, unsigned long hi, unsigned long *out)
{
	char b[64];
	const char *s = trimmed(ans, b, sizeof b);
	if (!*s) {
		*out = def;
		return true;
	}
	char *end;
	errno = 0;
	unsigned long v = strtoul(s, &end, 10);
	if (*end || errno || !isdigit((unsigned char)*s) || v < lo || v > hi) {
		cli_printf(cli, "%% A decimal number between %lu and %lu.\n",
			   lo, hi);
		return false;
	}
	*out = v;
	return true;
}

/* yes/no, any prefix; false after IOS's message. */
static bool yes_no(struct cli *cli, const char *ans, bool def, bool *out)
{
	char b[64];
	const char *s = trimmed(ans, b, sizeof b);
	size_t l = strlen(s);
	if (!l)
		*out = def;
	else if (l <= 3 && !strncasecmp(s, "yes", l))
		*out = true;
	else if (l <= 2 && !strncasecmp(s, "no", l))
		*out = false;
	else {
		cli_puts(cli, "% Please answer 'yes' or 'no'.\n");
		return false;
	}
	return true;
}

static void give_up(struct dialogue *d)
{
	free(d);
}

DEFUN(ping_ext_cmd, "ping [ip]",
      "Send echo messages\n"
      "IP echo\n")
{
	struct dialogue *d = xcalloc(1, sizeof *d);
	ping_defaults(&d->p);
	if (cli_has(a, "ip"))
		cli_ask(cli, "Target IP address: ", ask_target, d);
	else
		cli_ask(cli, "Protocol [ip]: ", ask_protocol, d);
	return CLI_OK;
}

static void ask_protocol(struct cli *cli, const char *ans, void *ctx)
{
	struct dialogue *d = ctx;
	char b[64];
	const char *s = trimmed(ans, b, sizeof b);
	if (*s && strcasecmp(s, "ip")) {
		cli_printf(cli, "%% Unknown protocol - \"%s\", type \"ping ?\" "
				"for help\n", s);
		return give_up(d);
	}
	cli_ask(cli, "Target IP address: ", ask_target, d);
}

static void ask_target(struct cli *cli, const char *ans, void *ctx)
{
	struct dialogue *d = ctx;
	char b[64];
	const char *s = trimmed(ans, b, sizeof b);
	if (!ip_parse(s, &d->p.dst)) {
		cli_puts(cli, "% Unrecognized host or address, or protocol not "
			      "running.\n");
		return give_up(d);
	}
	cli_ask(cli, "Repeat count [5]: ", ask_repeat, d);
}

static void ask_repeat(struct cli *cli, const char *ans, void *ctx)
{
	struct dialogue *d = ctx;
	if (!number(cli, ans, 5, 1, 2147483647, &d->p.count))
		return give_up(d);
	cli_ask(cli, "Datagram size [100]: ", ask_size, d);
}

static void ask_size(struct cli *cli, const char *ans, void *ctx)
{
	struct dialogue *d = ctx;
	if (!number(cli, ans, 100, 36, 18024, &d->p.size))
		return give_up(d);
	cli_ask(cli, "Timeout in seconds [2]: ", ask_timeout, d);
}

static void ask_timeout(struct cli *cli, const char *ans, void *ctx)
{
	struct dialogue *d = ctx;
	unsigned long t;
	if (!number(cli, ans, 2, 0, 3600, &t))
		return give_up(d);
	d->p.timeout = (unsigned)t;
	cli_ask(cli, "Extended commands [n]: ", ask_extended, d);
}

static void ask_extended(struct cli *cli, const char *ans, void *ctx)
{
	struct dialogue *d = ctx;
	if (!yes_no(cli, ans, false, &d->extended))
		return give_up(d);
	if (!d->extended) {
		cli_ask(cli, "Sweep range of sizes [n]: ", ask_sweep, d);
		return;
	}
	cli_ask(cli, "Source address or interface: ", ask_source, d);
}

static void ask_source(struct cli *cli, const char *ans, void *ctx)
{
	struct dialogue *d = ctx;
	char b[64];
	const char *s = trimmed(ans, b, sizeof b);
	if (*s) {
		if (!source_of(cli, s, &d->p.src))
			return give_up(d);
		d->p.src_given = true;
	}
	cli_ask(cli, "Type of service [0]: ", ask_tos, d);
}

static void ask_tos(struct cli *cli, const char *ans, void *ctx)
{
	struct dialogue *d = ctx;
	unsigned long tos;
	if (!number(cli, ans, 0, 0, 255, &tos))
		return give_up(d);
	d->p.tos = (uint8_t)tos;
	cli_ask(cli, "Set DF bit in IP header? [no]: ", ask_df, d);
}

static void ask_df(struct cli *cli, const char *ans, void *ctx)
{
	struct dialogue *d = ctx;
	if (!yes_no(cli, ans, false, &d->p.df))
		return give_up(d);
	cli_ask(cli, "Validate reply data? [no]: ", ask_validate, d);
}

static void ask_validate(struct cli *cli, const char *ans, void *ctx)
{
	struct dialogue *d = ctx;
	bool v;
	if (!yes_no(cli, ans, false, &v))
		return give_up(d);
	if (v) {
		/* replies reach ping without their data */
		cli_puts(cli, "% Reply data validation is not available.\n");
		return give_up(d);
	}
	cli_ask(cli, "Data pattern [0xABCD]: ", ask_pattern, d);
}

static void ask_pattern(struct cli *cli, const char *ans, void *ctx)
{
	struct dialogue *d = ctx;
	char b[64];
	const char *s = trimmed(ans, b, sizeof b);
	if (*s) {
		const char *h = !strncasecmp(s, "0x", 2) ? s + 2 : s;
		char *end;
		unsigned long v = strtoul(h, &end, 16);
		if (!*h || *end || v > 0xffff || !isxdigit((unsigned char)*h)) {
			cli_puts(cli, "% Invalid pattern\n");
			return give_up(d);
		}
		d->p.pattern = (uint16_t)v;
	}
	cli_ask(cli, "Loose, Strict, Record, Timestamp, Verbose[none]: ",
		ask_options, d);
}

static void ask_options(struct cli *cli, const char *ans, void *ctx)
{
	struct dialogue *d = ctx;
	char b[64];
	const char *s = trimmed(ans, b, sizeof b);
	if (*s && strncasecmp(s, "none", strlen(s))) {
		cli_puts(cli, "% IP options are not available.\n");
		return give_up(d);
	}
	cli_ask(cli, "Sweep range of sizes [n]: ", ask_sweep, d);
}

static void ask_sweep(struct cli *cli, const char *ans, void *ctx)
{
	struct dialogue *d = ctx;
	bool sweep;
	if (!yes_no(cli, ans, false, &sweep))
		return give_up(d);
	if (sweep) {
		cli_puts(cli, "% Size sweeps are not available.\n");
		return give_up(d);
	}
	struct ping_params p = d->p;
	free(d);
	ping_start(cli, &p);
}

void ping_init(void)
{
	cli_install(MODE_USER, &ping_cmd_cmd);
	cli_install(MODE_EXEC, &ping_cmd_cmd);
	cli_install(MODE_EXEC, &ping_ext_cmd_cmd);
}
