/* Private to core/: wiring between its files. */
#ifndef IOSIM_CORE_INT_H
#define IOSIM_CORE_INT_H
#include <time.h>
void clock_init(void);
void clock_now(struct tm *tm, int *msec, const char **zone);
void log_init(void);
void system_init(void);
void debug_init(void);
void core_set_boot(const char *config_file, const char *hostname_opt);
void core_boot_config(void);
#endif
