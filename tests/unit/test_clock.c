/* Unit tests of the two shapes IOS gives a date: show clock prints the day
 * of the month unpadded ("Mon Mar 1 1993"), syslog timestamps pad it to two
 * columns ("*Mar  1 00:01:02.345:"). Parsers written against real IOS
 * (TextFSM templates, log scrapers) rely on each. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../../core/core.h"
#include "../../core/core_int.h"

/* The broken-down time of a UTC date, weekday included. */
static struct tm utc(int year, int mon, int day, int h, int m, int s)
{
	struct tm tm = {.tm_year = year - 1900, .tm_mon = mon - 1,
			.tm_mday = day, .tm_hour = h, .tm_min = m, .tm_sec = s};
	time_t t = timegm(&tm);
	gmtime_r(&t, &tm);
	return tm;
}

static void test_show_clock_day_unpadded(void **state)
{
	char out[128];
	struct tm tm = utc(1993, 3, 1, 0, 15, 42);
	clock_show_text(&tm, 387, "UTC", out, sizeof out);
	assert_string_equal(out, "*00:15:42.387 UTC Mon Mar 1 1993");
	tm = utc(2026, 12, 15, 23, 5, 9);
	clock_show_text(&tm, 7, "PST", out, sizeof out);
	assert_string_equal(out, "*23:05:09.007 PST Tue Dec 15 2026");
}

static char *log_ts(const struct tm *tm, int ms, bool year, bool msec,
		    const char *zone)
{
	struct sbuf b;
	sbuf_init(&b);
	log_datetime_text(&b, tm, ms, year, msec, zone);
	return sbuf_take(&b);
}

static void test_syslog_timestamp_day_padded(void **state)
{
	struct tm tm = utc(1993, 3, 1, 0, 1, 2);
	char *s = log_ts(&tm, 345, false, true, NULL);
	assert_string_equal(s, "*Mar  1 00:01:02.345");
	free(s);
	s = log_ts(&tm, 345, true, false, "UTC");
	assert_string_equal(s, "*Mar  1 1993 00:01:02 UTC");
	free(s);
	tm = utc(2026, 9, 28, 21, 27, 50);
	s = log_ts(&tm, 899, false, true, NULL);
	assert_string_equal(s, "*Sep 28 21:27:50.899");   /* as in the seeds */
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_show_clock_day_unpadded),
		cmocka_unit_test(test_syslog_timestamp_day_padded),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
