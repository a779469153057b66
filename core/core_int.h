/* Private to core/: wiring between its files. */
#ifndef IOSIM_CORE_INT_H
#define IOSIM_CORE_INT_H
#include <stdbool.h>
#include <stddef.h>
#include <time.h>
void clock_init(void);
/* IOS's English month abbreviation ("Mar") of TM. */
const char *clock_month_name(const struct tm *tm);
/* A datetime syslog timestamp, "*Mar  1 [1993 ]00:01:02[.345][ ZONE]",
 * without the ": " that follows it. */
struct sbuf;
void log_datetime_text(struct sbuf *b, const struct tm *tm, int msec,
		       bool year, bool with_msec, const char *zone);
void log_init(void);
void system_init(void);
#endif
