/* IOS syslog: "%FAC-SEV-MNEMONIC: text" lines with the timestamp format of
 * `service timestamps log|debug`, delivered to the console (logging
 * console LEVEL) and to the log buffer (logging buffered SIZE LEVEL).
 * The commands that set these live in cli/log_cmds.c. */
#include "core.h"
#include "core_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The settings the logging commands (cli/) change; IOS 12.4 defaults
 * after a reset: `service timestamps debug|log uptime`, console logging
 * on at debugging, no buffer. */
static struct log_settings lg;

static const char *const level_names[8] = {
	"emergencies", "alerts", "critical", "errors",
	"warnings", "notifications", "informational", "debugging",
};

struct log_settings *log_settings(void)
{
	return &lg;
}

const char *log_level_name(int level)
{
	return level >= 0 && level < 8 ? level_names[level] : "debugging";
}

/* The log buffer keeps whole lines; the oldest go when SIZE is exceeded. */
static struct {
	char **line;
	size_t head, n, cap, bytes;
} ring;

static log_sink_fn console_sink;

void log_set_console_sink(log_sink_fn fn)
{
	console_sink = fn;
}

void log_buffer_clear(void)
{
	for (size_t i = 0; i < ring.n; i++)
		free(ring.line[(ring.head + i) % ring.cap]);
	free(ring.line);
	memset(&ring, 0, sizeof ring);
}

static void ring_drop_oldest(void)
{
	ring.bytes -= strlen(ring.line[ring.head]) + 1;
	free(ring.line[ring.head]);
	ring.head = (ring.head + 1) % ring.cap;
	ring.n--;
}

static void ring_push(const char *line)
{
	size_t len = strlen(line) + 1;
	if ((long)len > lg.buffered_size)
		return;
	while (ring.n && (long)(ring.bytes + len) > lg.buffered_size)
		ring_drop_oldest();
	if (ring.n == ring.cap) {
		size_t cap = ring.cap ? ring.cap * 2 : 64;
		char **v = xcalloc(cap, sizeof *v);
		for (size_t i = 0; i < ring.n; i++)
			v[i] = ring.line[(ring.head + i) % ring.cap];
		free(ring.line);
		ring.line = v;
		ring.head = 0;
		ring.cap = cap;
	}
	ring.line[(ring.head + ring.n) % ring.cap] = xstrdup(line);
	ring.n++;
	ring.bytes += len;
}

/* "*Mar  1 00:01:02.345": the day of the month padded to two columns, as
 * IOS pads it in syslog timestamps (unlike show clock); '*': the time is
 * not authoritative (no NTP), IOS's marker. */
void log_datetime_text(struct sbuf *b, const struct tm *tm, int msec,
		       bool year, bool with_msec, const char *zone)
{
	sbuf_printf(b, "*%s %2d ", clock_month_name(tm), tm->tm_mday);
	if (year)
		sbuf_printf(b, "%d ", tm->tm_year + 1900);
	sbuf_printf(b, "%02d:%02d:%02d", tm->tm_hour, tm->tm_min, tm->tm_sec);
	if (with_msec)
		sbuf_printf(b, ".%03d", msec);
	if (zone)
		sbuf_printf(b, " %s", zone);
}

size_t log_buffer_count(void)
{
	return ring.n;
}

const char *log_buffer_line(size_t i)
{
	return i < ring.n ? ring.line[(ring.head + i) % ring.cap] : NULL;
}

static void timestamp(const struct log_ts *ts, struct sbuf *b)
{
	if (ts->kind == LOG_TS_NONE)
		return;
	if (ts->kind == LOG_TS_UPTIME) {
		char up[32];
		core_uptime_str(core_uptime(), up, sizeof up);
		sbuf_printf(b, "%s: ", up);
		return;
	}
	struct tm tm;
	int ms;
	const char *zone;
	/* UTC unless `localtime` asks for the configured timezone, as IOS */
	clock_now(&tm, &ms, &zone, ts->localtime);
	log_datetime_text(b, &tm, ms, ts->year, ts->msec,
			  ts->show_tz ? zone : NULL);
	sbuf_puts(b, ": ");
}

static void deliver(const char *line, int sev)
{
	if (lg.console_on && sev <= lg.console_level && console_sink) {
		console_sink(line, sev);
		lg.console_count++;
	}
	if (lg.buffered_on && sev <= lg.buffered_level) {
		ring_push(line);
		lg.buffer_count++;
	}
}

void log_ios(const char *tag, const char *fmt, ...)
{
	/* severity is the digit between the first two dashes of the tag */
	const char *d = strchr(tag, '-');
	int sev = d && d[1] >= '0' && d[1] <= '7' ? d[1] - '0' : 6;
	struct sbuf b;
	sbuf_init(&b);
	timestamp(&lg.ts_log, &b);
	sbuf_printf(&b, "%%%s: ", tag);
	va_list ap;
	va_start(ap, fmt);
	sbuf_vprintf(&b, fmt, ap);
	va_end(ap);
	deliver(b.s, sev);
	sbuf_free(&b);
}

void log_vdebug(const char *prefix, const char *fmt, va_list ap)
{
	struct sbuf b;
	sbuf_init(&b);
	timestamp(&lg.ts_debug, &b);
	sbuf_puts(&b, prefix);
	sbuf_vprintf(&b, fmt, ap);
	deliver(b.s, 7);
	sbuf_free(&b);
}

void log_debug(const char *fmt, ...)
{
	struct sbuf b;
	sbuf_init(&b);
	timestamp(&lg.ts_debug, &b);
	va_list ap;
	va_start(ap, fmt);
	sbuf_vprintf(&b, fmt, ap);
	va_end(ap);
	deliver(b.s, 7);
	sbuf_free(&b);
}

static void log_reset(void)
{
	free(lg.rate_limit);
	memset(&lg, 0, sizeof lg);
	lg.ts_log = lg.ts_debug = (struct log_ts){.kind = LOG_TS_UPTIME};
	lg.console_on = true;
	lg.console_level = 7;
	lg.buffered_level = 7;
	lg.buffered_size = 4096;
	/* the buffer's contents survive a reload only in memory we are
	 * rebuilding anyway: start empty like a booted router */
	log_buffer_clear();
}

static const struct subsys log_subsys = {"logging", log_reset};

void log_init(void)
{
	log_reset();
	core_register_subsys(&log_subsys);
}
