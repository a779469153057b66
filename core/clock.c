/* The router's clock: uptime since (re)start, wall clock with the
 * configured `clock timezone` (its commands are in cli/sys_cmds.c). */
#include "core.h"
#include "core_int.h"

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

void core_uptime_words(double secs, char *out, size_t n)
{
	long s = (long)secs, m = s / 60, h = m / 60, d = h / 24, w = d / 7;
	size_t off = 0;
	out[0] = '\0';
#define PART(v, word)                                                     \
	if ((v) && off < n)                                               \
		off += (size_t)snprintf(out + off, n - off, "%s%ld " word "%s", \
					off ? ", " : "", (long)(v),       \
					(v) == 1 ? "" : "s");
	PART(w, "week") PART(d % 7, "day") PART(h % 24, "hour")
	PART(m % 60, "minute")
#undef PART
	if (!off)
		snprintf(out, n, "0 minutes");
}

static time_t tz_offset(void)
{
	return tz_hours * 3600 + (tz_hours < 0 ? -tz_minutes : tz_minutes) * 60;
}

time_t core_clock_local(void)
{
	return time(NULL) + tz_offset();
}

/* Wall time, in the configured timezone (LOCAL) or in UTC; *zone names
 * the one it is in. */
void clock_now(struct tm *tm, int *msec, const char **zone, bool local)
{
	struct timeval tv;
	gettimeofday(&tv, NULL);
	time_t t = tv.tv_sec + (local ? tz_offset() : 0);
	gmtime_r(&t, tm);
	*msec = (int)(tv.tv_usec / 1000);
	*zone = local ? tz_name : "UTC";
}

/* IOS prints English names whatever the host's locale. */
static const char *const wday_names[7] = {
	"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat",
};
static const char *const month_names[12] = {
	"Jan", "Feb", "Mar", "Apr", "May", "Jun",
	"Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
};

const char *clock_month_name(const struct tm *tm)
{
	return month_names[(unsigned)tm->tm_mon % 12];
}

/* "*00:15:42.387 UTC Mon Mar 1 1993": the day of the month unpadded, as
 * IOS prints it (and as TextFSM templates written against IOS expect);
 * '*': the clock is not authoritative (no NTP), as IOS marks it. */
void clock_show_text(const struct tm *tm, int msec, const char *zone,
		     char *out, size_t n)
{
	snprintf(out, n, "*%02d:%02d:%02d.%03d %s %s %s %d %d", tm->tm_hour,
		 tm->tm_min, tm->tm_sec, msec, zone,
		 wday_names[(unsigned)tm->tm_wday % 7], clock_month_name(tm),
		 tm->tm_mday, tm->tm_year + 1900);
}

void core_set_timezone(const char *name, int hours, int minutes)
{
	if (!name) {
		strcpy(tz_name, "UTC");
		tz_hours = tz_minutes = 0;
		tz_configured = false;
		return;
	}
	snprintf(tz_name, sizeof tz_name, "%s", name);
	tz_hours = hours;
	tz_minutes = minutes;
	tz_configured = true;
}

bool core_timezone(const char **name, int *hours, int *minutes)
{
	*name = tz_name;
	*hours = tz_hours;
	*minutes = tz_minutes;
	return tz_configured;
}

static void clock_reset(void)
{
	core_set_timezone(NULL, 0, 0);
}

static const struct subsys clock_subsys = {"clock", clock_reset};

void clock_init(void)
{
	core_register_subsys(&clock_subsys);
}
