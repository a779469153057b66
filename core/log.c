/* IOS syslog: "%FAC-SEV-MNEMONIC: text" lines with the timestamp format of
 * `service timestamps log|debug`, delivered to the console (logging
 * console LEVEL) and to the log buffer (logging buffered SIZE LEVEL). */
#include "core.h"
#include "core_int.h"
#include "../cli/cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum ts_kind { TS_NONE, TS_UPTIME, TS_DATETIME };
struct ts_cfg {
	enum ts_kind kind;
	bool msec, localtime, show_tz, year;
};
/* IOS 12.4 defaults: `service timestamps debug|log uptime` */
static struct ts_cfg ts_log, ts_debug;

static const char *const level_names[8] = {
	"emergencies", "alerts", "critical", "errors",
	"warnings", "notifications", "informational", "debugging",
};

static struct {
	bool console_on;
	int console_level;
	bool buffered_on, buffered_level_set, buffered_size_set;
	int buffered_level;
	long buffered_size;
	char *rate_limit;         /* "console 10000" as given, NULL when unset */
	unsigned long console_count, buffer_count;
} lg;

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

static void ring_clear(void)
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

static void timestamp(const struct ts_cfg *ts, struct sbuf *b)
{
	if (ts->kind == TS_NONE)
		return;
	if (ts->kind == TS_UPTIME) {
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
	timestamp(&ts_log, &b);
	sbuf_printf(&b, "%%%s: ", tag);
	va_list ap;
	va_start(ap, fmt);
	sbuf_vprintf(&b, fmt, ap);
	va_end(ap);
	deliver(b.s, sev);
	sbuf_free(&b);
}

void log_debug(const char *fmt, ...)
{
	struct sbuf b;
	sbuf_init(&b);
	timestamp(&ts_debug, &b);
	va_list ap;
	va_start(ap, fmt);
	sbuf_vprintf(&b, fmt, ap);
	va_end(ap);
	deliver(b.s, 7);
	sbuf_free(&b);
}

/* ---- service timestamps ---------------------------------------------- */

static bool ts_eq(const struct ts_cfg *x, const struct ts_cfg *y)
{
	return x->kind == y->kind && x->msec == y->msec &&
	       x->localtime == y->localtime && x->show_tz == y->show_tz &&
	       x->year == y->year;
}

/* C as the debug or the log format, or both for the bare form (as IOS);
 * CLI_UNCHANGED when that is what they are. */
static int ts_set(const struct cli_args *a, struct ts_cfg c)
{
	bool debug = cli_has(a, "debug"), log = cli_has(a, "log");
	if ((log || ts_eq(&ts_debug, &c)) && (debug || ts_eq(&ts_log, &c)))
		return CLI_UNCHANGED;
	if (!log)
		ts_debug = c;
	if (!debug)
		ts_log = c;
	return CLI_OK;
}

/* "no" turns timestamps off whatever options follow; "default" brings
 * back IOS's uptime stamps. */
DEFUN(service_ts,
      "[no] service timestamps [(debug|log) [(uptime|datetime [{msec|localtime|show-timezone|year}])]]",
      "Modify use of network based services\n"
      "Timestamp debug/log messages\n"
      "Timestamp debug messages\n"
      "Timestamp log messages\n"
      "Timestamp with system uptime\n"
      "Timestamp with date and time\n"
      "Include milliseconds in timestamp\n"
      "Use local time zone for timestamps\n"
      "Add time zone information to timestamp\n"
      "Include year in timestamp\n")
{
	struct ts_cfg c = {TS_UPTIME, false, false, false, false};
	if (cli_is_no(a)) {
		if (!cli_is_default(a))
			c.kind = TS_NONE;
	} else if (cli_has(a, "datetime")) {
		c.kind = TS_DATETIME;
		c.msec = cli_has(a, "msec");
		c.localtime = cli_has(a, "localtime");
		c.show_tz = cli_has(a, "show-timezone");
		c.year = cli_has(a, "year");
	}
	return ts_set(a, c);
}

static void ts_write(struct sbuf *out, const char *which, const struct ts_cfg *t)
{
	if (t->kind == TS_NONE) {
		sbuf_printf(out, "no service timestamps %s\n", which);
		return;
	}
	sbuf_printf(out, "service timestamps %s %s", which,
		    t->kind == TS_UPTIME ? "uptime" : "datetime");
	if (t->kind == TS_DATETIME) {
		if (t->msec)
			sbuf_puts(out, " msec");
		if (t->localtime)
			sbuf_puts(out, " localtime");
		if (t->show_tz)
			sbuf_puts(out, " show-timezone");
		if (t->year)
			sbuf_puts(out, " year");
	}
	sbuf_puts(out, "\n");
}

static void service_write(struct sbuf *out)
{
	ts_write(out, "debug", &ts_debug);
	ts_write(out, "log", &ts_log);
}

/* ---- logging ---------------------------------------------------------- */

static int level_of(const struct cli_args *a)
{
	const char *lv = cli_arg(a, "level");
	if (!lv)
		return -1;
	for (int i = 0; i < 8; i++)
		if (!strcmp(lv, level_names[i]))
			return i;
	return atoi(lv);
}

#define LEVEL_SYNTAX "(<0-7>$level|emergencies$level|alerts$level|critical$level|errors$level|warnings$level|notifications$level|informational$level|debugging$level)"
#define LEVEL_HELP                                    \
	"Logging severity level\n"                    \
	"Immediate action needed           (severity=0)\n" \
	"Immediate action needed           (severity=1)\n" \
	"Critical conditions               (severity=2)\n" \
	"Error conditions                  (severity=3)\n" \
	"Warning conditions                (severity=4)\n" \
	"Normal but significant conditions (severity=5)\n" \
	"Informational messages            (severity=6)\n" \
	"Debugging messages                (severity=7)\n"

/* "no logging buffered": off, with size and level back to their
 * defaults (which they keep while off). */
static int buffered_off(void)
{
	if (!lg.buffered_on)
		return CLI_UNCHANGED;
	lg.buffered_on = false;
	lg.buffered_size = 4096;
	lg.buffered_size_set = lg.buffered_level_set = false;
	lg.buffered_level = 7;
	ring_clear();
	return CLI_OK;
}

DEFUN(logging_buffered,
      "[no] logging buffered [<4096-2147483647>$size] [" LEVEL_SYNTAX "]",
      "Modify message logging facilities\n"
      "Set buffered logging parameters\n"
      "Logging buffer size\n" LEVEL_HELP)
{
	if (cli_is_no(a))
		return buffered_off();
	long size = cli_has(a, "size") ? (long)cli_arg_num(a, "size") : 4096;
	if (size != lg.buffered_size)
		ring_clear();
	lg.buffered_on = true;
	lg.buffered_size = size;
	lg.buffered_size_set = cli_has(a, "size");
	int lv = level_of(a);
	lg.buffered_level_set = lv >= 0;
	lg.buffered_level = lv >= 0 ? lv : 7;
	return CLI_OK;
}

/* "no logging console" turns it off; "default logging console" on, at
 * IOS's level (debugging). */
DEFUN(logging_console, "[no] logging console [" LEVEL_SYNTAX "]",
      "Modify message logging facilities\n"
      "Set console logging parameters\n" LEVEL_HELP)
{
	int lv = cli_is_no(a) ? -1 : level_of(a);
	bool on = !cli_is_no(a) || cli_is_default(a);
	if (lv < 0)
		lv = 7;
	if (lg.console_on == on && lg.console_level == lv)
		return CLI_UNCHANGED;
	lg.console_on = on;
	lg.console_level = lv;
	return CLI_OK;
}

DEFUN(logging_rate_limit,
      "[no] logging rate-limit ?[(<1-10000>$rate|all <1-10000>$rate|console [all] <1-10000>$rate) [except " LEVEL_SYNTAX "]]",
      "Modify message logging facilities\n"
      "Set messages per second limit\n"
      "Messages per second\n"
      "Rate limit all messages, including debug messages\n"
      "Messages per second\n"
      "Rate limit only console messages\n"
      "Rate limit all messages, including debug messages\n"
      "Messages per second\n"
      "Messages of this severity or higher\n" LEVEL_HELP)
{
	if (cli_is_no(a)) {
		if (!lg.rate_limit)
			return CLI_UNCHANGED;
		free(lg.rate_limit);
		lg.rate_limit = NULL;
		return CLI_OK;
	}
	struct sbuf b;
	sbuf_init(&b);
	/* kept as IOS prints it back; iosim's console never floods */
	for (int i = 2; i < cli_argc(a); i++)
		sbuf_printf(&b, "%s%s", i > 2 ? " " : "", cli_argv(a, i));
	free(lg.rate_limit);
	lg.rate_limit = sbuf_take(&b);
	return CLI_OK;
}

static void logging_write(struct sbuf *out)
{
	if (lg.buffered_on) {
		sbuf_puts(out, "logging buffered");
		if (lg.buffered_size_set)
			sbuf_printf(out, " %ld", lg.buffered_size);
		if (lg.buffered_level_set)
			sbuf_printf(out, " %s", level_names[lg.buffered_level]);
		sbuf_puts(out, "\n");
	}
	if (lg.rate_limit)
		sbuf_printf(out, "logging rate-limit %s\n", lg.rate_limit);
	if (!lg.console_on)
		sbuf_puts(out, "no logging console\n");
	else if (lg.console_level != 7)
		sbuf_printf(out, "logging console %s\n",
			    level_names[lg.console_level]);
}

DEFUN(show_logging, "show logging", "Show running system information\n"
      "Show the contents of logging buffers\n")
{
	cli_printf(cli, "Syslog logging: enabled (0 messages dropped, 0 messages "
		   "rate-limited, 0 flushes, 0 overruns, xml disabled, "
		   "filtering disabled)\n");
	if (lg.console_on)
		cli_printf(cli, "    Console logging: level %s, %lu messages "
			   "logged, xml disabled,\n                     "
			   "filtering disabled\n",
			   level_names[lg.console_level], lg.console_count);
	else
		cli_printf(cli, "    Console logging: disabled\n");
	cli_printf(cli, "    Monitor logging: level debugging, 0 messages "
		   "logged, xml disabled,\n                     filtering "
		   "disabled\n");
	if (lg.buffered_on)
		cli_printf(cli, "    Buffer logging: level %s, %lu messages "
			   "logged, xml disabled,\n                    "
			   "filtering disabled\n",
			   level_names[lg.buffered_level], lg.buffer_count);
	else
		cli_printf(cli, "    Buffer logging: disabled, xml disabled,\n"
			   "                    filtering disabled\n");
	cli_printf(cli, "    Logging Exception size (4096 bytes)\n"
		   "    Count and timestamp logging messages: disabled\n"
		   "    Trap logging: level informational, 0 message lines "
		   "logged\n");
	if (lg.buffered_on) {
		cli_printf(cli, "\nLog Buffer (%ld bytes):\n\n",
			   lg.buffered_size);
		for (size_t i = 0; i < ring.n; i++)
			cli_printf(cli, "%s\n",
				   ring.line[(ring.head + i) % ring.cap]);
	}
	return CLI_OK;
}

DEFUN(clear_logging, "clear logging", "Reset functions\n"
      "Clear logging buffer\n")
{
	ring_clear();
	return CLI_OK;
}

static void log_reset(void)
{
	ts_log = ts_debug = (struct ts_cfg){TS_UPTIME, false, false, false, false};
	free(lg.rate_limit);
	memset(&lg, 0, sizeof lg);
	lg.console_on = true;
	lg.console_level = 7;
	lg.buffered_level = 7;
	lg.buffered_size = 4096;
	/* the buffer's contents survive a reload only in memory we are
	 * rebuilding anyway: start empty like a booted router */
	ring_clear();
}

static const struct subsys log_subsys = {"logging", log_reset};

void log_init(void)
{
	log_reset();
	core_register_subsys(&log_subsys);
	cfg_register_writer(CFG_SERVICE, service_write);
	cfg_register_writer(CFG_LOGGING, logging_write);
	cli_install(MODE_CONFIG, &service_ts_cmd);
	cli_install(MODE_CONFIG, &logging_buffered_cmd);
	cli_install(MODE_CONFIG, &logging_console_cmd);
	cli_install(MODE_CONFIG, &logging_rate_limit_cmd);
	cli_install(MODE_EXEC, &show_logging_cmd);
	cli_install(MODE_EXEC, &clear_logging_cmd);
}
