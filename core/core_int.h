/* Private to core/: wiring between its files. */
#ifndef IOSIM_CORE_INT_H
#define IOSIM_CORE_INT_H
#include <stdbool.h>
#include <stddef.h>
#include <time.h>
void clock_init(void);
/* Now, in the configured timezone (LOCAL) or UTC; *zone names it. */
void clock_now(struct tm *tm, int *msec, const char **zone, bool local);
/* IOS's English month abbreviation ("Mar") of TM. */
const char *clock_month_name(const struct tm *tm);
/* show clock's line, "*00:15:42.387 UTC Mon Mar 1 1993" (no newline). */
void clock_show_text(const struct tm *tm, int msec, const char *zone,
		     char *out, size_t n);
/* A datetime syslog timestamp, "*Mar  1 [1993 ]00:01:02[.345][ ZONE]",
 * without the ": " that follows it. */
struct sbuf;
void log_datetime_text(struct sbuf *b, const struct tm *tm, int msec,
		       bool year, bool with_msec, const char *zone);
void log_init(void);
void system_init(void);
void debug_init(void);
void core_set_boot(const char *config_file, const char *hostname_opt);
void core_boot_config(void);
#endif
