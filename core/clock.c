/* The router's clock: uptime since (re)start, wall clock with the
 * configured `clock timezone`, and the `show clock` / `clock timezone`
 * commands. */
#include "core.h"
#include "../cli/cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

struct ev_loop *core_loop;
static double start_mono;

static char tz_name[32] = "UTC";
static int tz_hours, tz_minutes;
static bool tz_configured;

void core_loop_init(void)
{
	if (!core_loop)
		core_loop = ev_default_loop(EVFLAG_AUTO);
	ev_now_update(core_loop);
	start_mono = ev_time();
}

double core_uptime(void)
{
	return ev_time() - start_mono;
}

void core_uptime_str(double secs, char *out, size_t n)
{
	long s = (long)secs;
	long m = s / 60, h = m / 60, d = h / 24, w = d / 7, y = d / 365;
	if (d == 0)
		snprintf(out, n, "%02ld:%02ld:%02ld", h, m % 60, s % 60);
	else if (w == 0)
		snprintf(out, n, "%ldd%02ldh", d, h % 24);
	else if (y == 0)
		snprintf(out, n, "%ldw%ldd", w, d % 7);
	else
		snprintf(out, n, "%ldy%ldw", y, (d % 365) / 7);
}

static time_t tz_offset(void)
{
	return tz_hours * 3600 + (tz_hours < 0 ? -tz_minutes : tz_minutes) * 60;
}

time_t core_clock_local(void)
{
	return time(NULL) + tz_offset();
}

/* Wall time shifted by the configured timezone offset. */
void clock_now(struct tm *tm, int *msec, const char **zone)
{
	struct timeval tv;
	gettimeofday(&tv, NULL);
	time_t t = tv.tv_sec + tz_offset();
	gmtime_r(&t, tm);
	*msec = (int)(tv.tv_usec / 1000);
	*zone = tz_name;
}

DEFUN(show_clock, "show clock", "Show running system information\n"
      "Display the system clock\n")
{
	struct tm tm;
	int ms;
	const char *zone;
	clock_now(&tm, &ms, &zone);
	char date[64];
	strftime(date, sizeof date, "%a %b %e %Y", &tm);
	/* '*': the clock is not authoritative (no NTP), as IOS marks it */
	cli_printf(cli, "*%02d:%02d:%02d.%03d %s %s\n", tm.tm_hour, tm.tm_min,
		   tm.tm_sec, ms, zone, date);
	return CLI_OK;
}

DEFUN(clock_timezone,
      "[no] clock timezone ?[WORD$zone <-23-23>$hours [<0-59>$minutes]]",
      "Configure time-of-day clock\n"
      "Configure time zone\n"
      "name of time zone\n"
      "Hours offset from UTC\n"
      "Minutes offset from UTC\n")
{
	if (cli_is_no(a)) {
		if (!tz_configured)
			return CLI_UNCHANGED;
		strcpy(tz_name, "UTC");
		tz_hours = tz_minutes = 0;
		tz_configured = false;
		return CLI_OK;
	}
	snprintf(tz_name, sizeof tz_name, "%s", cli_arg(a, "zone"));
	tz_hours = atoi(cli_arg(a, "hours"));
	tz_minutes = cli_has(a, "minutes") ? atoi(cli_arg(a, "minutes")) : 0;
	tz_configured = true;
	return CLI_OK;
}

static void clock_write(struct sbuf *out)
{
	if (!tz_configured)
		return;
	sbuf_printf(out, "clock timezone %s %d", tz_name, tz_hours);
	if (tz_minutes)
		sbuf_printf(out, " %d", tz_minutes);
	sbuf_puts(out, "\n");
}

static void clock_reset(void)
{
	strcpy(tz_name, "UTC");
	tz_hours = tz_minutes = 0;
	tz_configured = false;
}

static const struct subsys clock_subsys = {"clock", clock_reset};

void clock_init(void)
{
	core_register_subsys(&clock_subsys);
	cfg_register_writer(CFG_CLOCK, clock_write);
	cli_install(MODE_EXEC, &show_clock_cmd);
	cli_install(MODE_USER, &show_clock_cmd);
	cli_install(MODE_CONFIG, &clock_timezone_cmd);
}
