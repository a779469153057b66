/* router: the assembly of one IOS router out of its subsystems, and its
 * boot. The only directory that knows every other one: core/ below it
 * knows none of them, and each subsystem knows only those it builds on.
 *
 * main, the unit tests, the fuzzers and the benchmarks start a router with
 * router_init(); main then boots it with router_boot(). */
#ifndef IOSIM_ROUTER_H
#define IOSIM_ROUTER_H

/* Initialise every subsystem and register every command, in dependency
 * order, and install the rebuild that reload uses. */
void router_init(void);

/* Where the boot configuration comes from: CONFIG_FILE (--config), else
 * NVRAM's startup-config; HOSTNAME (--hostname) is set before it is read.
 * Either may be NULL. */
void router_set_boot(const char *config_file, const char *hostname);

/* Apply the boot configuration (parse errors are shown on the console as
 * IOS shows them) and publish EVT_BOOT_DONE. A reload runs this again
 * after every subsystem has reset. */
void router_boot(void);

#endif
