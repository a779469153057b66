/* Private to cli/ and main: the consoles. */
#ifndef IOSIM_CONSOLE_H
#define IOSIM_CONSOLE_H
#include <stdbool.h>
#include <stddef.h>
void console_log_sink_install(void);
void console_stdio_start(void);
void console_stdio_stop(void);
/* telnet console on ADDR:PORT; false + message on failure */
bool console_telnet_start(const char *addr, int port, char *err, size_t n);
void console_telnet_stop(void);
#endif
