/* The logging commands: service timestamps, logging buffered / console /
 * rate-limit, show logging, clear logging, and their running-config
 * writers. The syslog engine they set is core's (core/log.c). */
#include "cli.h"
#include "cli_cfg.h"

#include <stdlib.h>
#include <string.h>

static struct log_settings *lg;

/* ---- service timestamps ---------------------------------------------- */

static bool ts_eq(const struct log_ts *x, const struct log_ts *y)
{
	return x->kind == y->kind && x->msec == y->msec &&
	       x->localtime == y->localtime && x->show_tz == y->show_tz &&
	       x->year == y->year;
}

/* C as the debug or the log format, or both for the bare form (as IOS);
 * CLI_UNCHANGED when that is what they are. */
static int ts_set(const struct cli_args *a, struct log_ts c)
{
	bool debug = cli_has(a, "debug"), log = cli_has(a, "log");
	if ((log || ts_eq(&lg->ts_debug, &c)) && (debug || ts_eq(&lg->ts_log, &c)))
		return CLI_UNCHANGED;
	if (!log)
		lg->ts_debug = c;
	if (!debug)
		lg->ts_log = c;
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
	struct log_ts c = {LOG_TS_UPTIME, false, false, false, false};
	if (cli_is_no(a)) {
		if (!cli_is_default(a))
			c.kind = LOG_TS_NONE;
	} else if (cli_has(a, "datetime")) {
		c.kind = LOG_TS_DATETIME;
		c.msec = cli_has(a, "msec");
		c.localtime = cli_has(a, "localtime");
		c.show_tz = cli_has(a, "show-timezone");
		c.year = cli_has(a, "year");
	}
	return ts_set(a, c);
}

static void ts_write(struct sbuf *out, const char *which, const struct log_ts *t)
{
	if (t->kind == LOG_TS_NONE) {
		sbuf_printf(out, "no service timestamps %s\n", which);
		return;
	}
	sbuf_printf(out, "service timestamps %s %s", which,
		    t->kind == LOG_TS_UPTIME ? "uptime" : "datetime");
	if (t->kind == LOG_TS_DATETIME) {
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
	ts_write(out, "debug", &lg->ts_debug);
	ts_write(out, "log", &lg->ts_log);
}

/* ---- logging ---------------------------------------------------------- */

static int level_of(const struct cli_args *a)
{
	const char *lv = cli_arg(a, "level");
	if (!lv)
		return -1;
	for (int i = 0; i < 8; i++)
		if (!strcmp(lv, log_level_name(i)))
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
	if (!lg->buffered_on)
		return CLI_UNCHANGED;
	lg->buffered_on = false;
	lg->buffered_size = 4096;
	lg->buffered_size_set = lg->buffered_level_set = false;
	lg->buffered_level = 7;
	log_buffer_clear();
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
	if (size != lg->buffered_size)
		log_buffer_clear();
	lg->buffered_on = true;
	lg->buffered_size = size;
	lg->buffered_size_set = cli_has(a, "size");
	int lv = level_of(a);
	lg->buffered_level_set = lv >= 0;
	lg->buffered_level = lv >= 0 ? lv : 7;
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
	if (lg->console_on == on && lg->console_level == lv)
		return CLI_UNCHANGED;
	lg->console_on = on;
	lg->console_level = lv;
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
		if (!lg->rate_limit)
			return CLI_UNCHANGED;
		free(lg->rate_limit);
		lg->rate_limit = NULL;
		return CLI_OK;
	}
	struct sbuf b;
	sbuf_init(&b);
	/* kept as IOS prints it back; iosim's console never floods */
	for (int i = 2; i < cli_argc(a); i++)
		sbuf_printf(&b, "%s%s", i > 2 ? " " : "", cli_argv(a, i));
	free(lg->rate_limit);
	lg->rate_limit = sbuf_take(&b);
	return CLI_OK;
}

static void logging_write(struct sbuf *out)
{
	if (lg->buffered_on) {
		sbuf_puts(out, "logging buffered");
		if (lg->buffered_size_set)
			sbuf_printf(out, " %ld", lg->buffered_size);
		if (lg->buffered_level_set)
			sbuf_printf(out, " %s", log_level_name(lg->buffered_level));
		sbuf_puts(out, "\n");
	}
	if (lg->rate_limit)
		sbuf_printf(out, "logging rate-limit %s\n", lg->rate_limit);
	if (!lg->console_on)
		sbuf_puts(out, "no logging console\n");
	else if (lg->console_level != 7)
		sbuf_printf(out, "logging console %s\n",
			    log_level_name(lg->console_level));
}

DEFUN(show_logging, "show logging", "Show running system information\n"
      "Show the contents of logging buffers\n")
{
	cli_printf(cli, "Syslog logging: enabled (0 messages dropped, 0 messages "
		   "rate-limited, 0 flushes, 0 overruns, xml disabled, "
		   "filtering disabled)\n");
	if (lg->console_on)
		cli_printf(cli, "    Console logging: level %s, %lu messages "
			   "logged, xml disabled,\n                     "
			   "filtering disabled\n",
			   log_level_name(lg->console_level), lg->console_count);
	else
		cli_printf(cli, "    Console logging: disabled\n");
	cli_printf(cli, "    Monitor logging: level debugging, 0 messages "
		   "logged, xml disabled,\n                     filtering "
		   "disabled\n");
	if (lg->buffered_on)
		cli_printf(cli, "    Buffer logging: level %s, %lu messages "
			   "logged, xml disabled,\n                    "
			   "filtering disabled\n",
			   log_level_name(lg->buffered_level), lg->buffer_count);
	else
		cli_printf(cli, "    Buffer logging: disabled, xml disabled,\n"
			   "                    filtering disabled\n");
	cli_printf(cli, "    Logging Exception size (4096 bytes)\n"
		   "    Count and timestamp logging messages: disabled\n"
		   "    Trap logging: level informational, 0 message lines "
		   "logged\n");
	if (lg->buffered_on) {
		cli_printf(cli, "\nLog Buffer (%ld bytes):\n\n",
			   lg->buffered_size);
		for (size_t i = 0; i < log_buffer_count(); i++)
			cli_printf(cli, "%s\n", log_buffer_line(i));
	}
	return CLI_OK;
}

DEFUN(clear_logging, "clear logging", "Reset functions\n"
      "Clear logging buffer\n")
{
	log_buffer_clear();
	return CLI_OK;
}

void cli_log_init(void)
{
	lg = log_settings();
	cfg_register_writer(CFG_SERVICE, service_write);
	cfg_register_writer(CFG_LOGGING, logging_write);
	cli_install(MODE_CONFIG, &service_ts_cmd);
	cli_install(MODE_CONFIG, &logging_buffered_cmd);
	cli_install(MODE_CONFIG, &logging_console_cmd);
	cli_install(MODE_CONFIG, &logging_rate_limit_cmd);
	cli_install(MODE_EXEC, &show_logging_cmd);
	cli_install(MODE_EXEC, &clear_logging_cmd);
}
