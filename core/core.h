/* core: the event loop, clock, IOS syslog, events between subsystems,
 * NVRAM, subsystem registry (reset for reload), running-config writers,
 * reload. core/ depends on nothing above it: the commands over this state
 * are cli/'s, the router's assembly and its boot are router/'s. */
#ifndef IOSIM_CORE_H
#define IOSIM_CORE_H

#include <ev.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* ---- growable string buffer ------------------------------------------ */
struct sbuf {
	char *s;
	size_t len, cap;
};
void sbuf_init(struct sbuf *b);
void sbuf_free(struct sbuf *b);
void sbuf_reset(struct sbuf *b);
void sbuf_add(struct sbuf *b, const char *s, size_t n);
void sbuf_puts(struct sbuf *b, const char *s);
void sbuf_printf(struct sbuf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void sbuf_vprintf(struct sbuf *b, const char *fmt, va_list ap);
/* Detach the buffer's string (caller frees); the buffer becomes empty. */
char *sbuf_take(struct sbuf *b);
/* The whole file PATH as a string (caller frees), or NULL with errno set
 * (EIO for a read error). */
char *file_read_all(const char *path);

/* ---- the loop and clock ---------------------------------------------- */
extern struct ev_loop *core_loop;
void core_loop_init(void);
/* Seconds since the router (re)started, and wall-clock now (ms precision). */
double core_uptime(void);
/* IOS uptime text: "00:00:11", "5d14h", "10w3d", "3y37w". */
void core_uptime_str(double secs, char *out, size_t n);
/* The same in words, as show version and show redundancy print it:
 * "2 weeks, 1 day, 3 hours, 4 minutes", "0 minutes". */
void core_uptime_words(double secs, char *out, size_t n);
/* Wall time, in the configured timezone (LOCAL) or in UTC; *zone names
 * the one it is in. */
void clock_now(struct tm *tm, int *msec, const char **zone, bool local);
/* show clock's line, "*00:15:42.387 UTC Mon Mar 1 1993" (no newline). */
void clock_show_text(const struct tm *tm, int msec, const char *zone,
		     char *out, size_t n);
/* clock timezone NAME HOURS [MINUTES]; NAME NULL: back to UTC. */
void core_set_timezone(const char *name, int hours, int minutes);
/* The zone in use (UTC when none); true when one is configured. */
bool core_timezone(const char **name, int *hours, int *minutes);
/* The router's wall clock in its configured timezone, as seconds since
 * 1970 read as UTC: the local date and time that key lifetimes and the
 * like are typed in (gmtime() of it gives show clock's fields). */
time_t core_clock_local(void);
/* ---- identity -------------------------------------------------------- */
/* The image this router runs, as show version and show redundancy name
 * it: the version line, the lines that follow it, the file booted. */
#define IOS_IMAGE_VERSION "Cisco IOS Software, iosim Software " \
	"(IOSIM-ADVIPSERVICESK9-M), Version 12.4(24)T, RELEASE SOFTWARE (iosim)"
#define IOS_IMAGE_BANNER "Technical Support: http://www.cisco.com/techsupport\n" \
	"Copyright (c) 1986-2009 by Cisco Systems, Inc.\n" \
	"Compiled by iosim\n"
#define IOS_IMAGE_FILE "flash:iosim-advipservicesk9-mz.124-24.T.bin"
const char *core_hostname(void);
/* Type 5 secrets (MD5-crypt "$1$salt$hash", crypt(3)): make one from
 * clear text (caller frees), check clear text against one, validate one. */
char *secret5_make(const char *clear);
bool secret5_check(const char *hash, const char *clear);
bool secret5_valid(const char *hash);
/* enable secret / enable password: is one set, and does PASSWORD match */
bool core_enable_required(void);
bool core_enable_check(const char *password);
/* The stored forms (type 5 hash, clear password); NULL clears / none. */
void core_set_enable_secret(const char *hash);
void core_set_enable_password(const char *clear);
const char *core_enable_secret(void);
const char *core_enable_password(void);
void core_set_hostname(const char *name);   /* NULL -> "Router" */

/* ---- syslog ---------------------------------------------------------- */
/* Log one IOS message: tag is "FAC-SEV-MNEMONIC" e.g. "HSRP-5-STATECHANGE".
 * Printed as "<timestamp>: %HSRP-5-STATECHANGE: <text>" to the console
 * (when logging console allows the severity) and to the buffer. */
void log_ios(const char *tag, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Debug output (debug commands): severity 7, "<timestamp>: <text>". */
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The same for a subsystem's own debug function: PREFIX, then FMT. */
void log_vdebug(const char *prefix, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));
/* The sink that delivers log lines to consoles (installed by cli/). */
typedef void (*log_sink_fn)(const char *line, int severity);
void log_set_console_sink(log_sink_fn fn);

/* What the logging commands set (`service timestamps`, `logging ...`),
 * changed in place by them; a reload puts IOS's defaults back. */
enum log_ts_kind { LOG_TS_NONE, LOG_TS_UPTIME, LOG_TS_DATETIME };
struct log_ts {
	enum log_ts_kind kind;
	bool msec, localtime, show_tz, year;
};
struct log_settings {
	struct log_ts ts_log, ts_debug;
	bool console_on;
	int console_level;
	bool buffered_on, buffered_level_set, buffered_size_set;
	int buffered_level;
	long buffered_size;
	char *rate_limit;         /* "console 10000" as given, NULL when unset */
	unsigned long console_count, buffer_count;
};
struct log_settings *log_settings(void);
/* "emergencies" ... "debugging" for severities 0..7 */
const char *log_level_name(int level);
/* The log buffer (logging buffered): its lines, oldest first. */
size_t log_buffer_count(void);
const char *log_buffer_line(size_t i);
void log_buffer_clear(void);

/* Debug flags: shown by `show debugging`, cleared by `undebug all`. */
void core_register_debug(void (*show)(struct sbuf *out), void (*off)(void));
/* Every registered subsystem's debug lines / all debugging off. */
void core_debug_show(struct sbuf *out);
void core_debug_all_off(void);

/* ---- events between subsystems --------------------------------------- */
enum core_event {
	EVT_IFACE_ADDED,        /* data: struct iface * (platform.h) */
	EVT_IFACE_REMOVED,      /* data: struct iface * (before it is freed) */
	EVT_IFACE_STATE,        /* data: struct iface *: admin/line state changed */
	EVT_IFACE_ADDR,         /* data: struct iface *: primary address changed */
	EVT_IFACE_SHUTTING,     /* data: struct iface *: `shutdown` of an
				 * interface that is up, published while it can
				 * still send (HSRP says Resign) */
	EVT_HSRP_GROUP_STATE,   /* data: struct hsrp_event * (hsrp.h) */
	EVT_HSRP_GROUP_NAME,    /* data: struct hsrp_event * (name appeared/gone) */
	EVT_CONFIG_CHANGED,     /* data: NULL; a configuration command ran */
	EVT_RELOAD,             /* data: NULL; the router is about to rebuild */
	EVT_BOOT_DONE,          /* data: NULL; the boot configuration has been
				 * applied (at start and after every reload,
				 * also when there was none) */
	EVT_IPSEC_SA,           /* data: struct sadb_event * (crypto/sadb.h):
				 * an IPsec SA added, updated or deleted */
	EVT_RF_STATE,           /* data: struct rf_event * (ha/ha.h): RF's
				 * state or its view of the peer changed */
	EVT__COUNT
};
typedef void (*core_event_fn)(enum core_event ev, void *data, void *ctx);
void core_subscribe(enum core_event ev, core_event_fn fn, void *ctx);
void core_unsubscribe(enum core_event ev, core_event_fn fn, void *ctx);
void core_publish(enum core_event ev, void *data);

/* ---- subsystems ------------------------------------------------------- */
/* Every subsystem registers once at start. reset() must free all of its
 * configuration and runtime state and bring it back to a fresh router's
 * defaults (used by reload, which then replays startup-config). */
struct subsys {
	const char *name;
	void (*reset)(void);
};
void core_register_subsys(const struct subsys *s);
void core_reset_all(void);

/* ---- running-config writers ------------------------------------------ */
/* Sections of show running-config, written in ascending order.
 * Each writer appends complete lines ("...\n") for its own state.
 * The order numbers below follow IOS's nvgen order. */
enum cfg_order {
	CFG_VERSION = 100,     /* version */
	CFG_SERVICE = 200,     /* service ... */
	CFG_HOSTNAME = 300,    /* hostname */
	CFG_BOOT = 400,        /* boot-start-marker / boot-end-marker */
	CFG_REDUNDANCY = 450,  /* redundancy inter-device, redundancy */
	CFG_LOGGING = 500,     /* logging ... */
	CFG_ENABLE = 600,      /* enable secret */
	CFG_KEYCHAIN = 700,    /* key chain NAME */
	CFG_USERNAME = 800,    /* username */
	CFG_IPC = 900,         /* ipc zone default */
	CFG_AAA = 1000,        /* aaa ... */
	CFG_CLOCK = 1100,      /* clock timezone */
	CFG_MISC_GLOBAL = 1200,/* memory-size, ip subnet-zero, ip cef, ... */
	CFG_TRACK = 1300,      /* track N interface ... */
	CFG_CRYPTO = 1400,     /* crypto isakmp/ipsec/dynamic-map/map */
	CFG_MISC_PRE_IF = 1500,/* multilink, voice-card, archive */
	CFG_INTERFACES = 1600, /* interface ... */
	CFG_ROUTER = 1700,     /* router ospf ... */
	CFG_IP_GLOBAL = 1800,  /* ip local pool, ip classless, ip route, ip http */
	CFG_ACL_NAMED = 1900,  /* ip access-list extended */
	CFG_ACL_NUMBERED = 2000, /* access-list N */
	CFG_RADIUS = 2100,     /* radius-server */
	CFG_CONTROL_PLANE = 2200,
	CFG_LINE = 2300,       /* line con/aux/vty */
	CFG_MISC_POST = 2400,  /* scheduler allocate, webvpn cef */
};
typedef void (*cfg_writer_fn)(struct sbuf *out);
void cfg_register_writer(int order, cfg_writer_fn fn);
/* The whole configuration text as show running-config prints it after
 * its two header lines: from the first "!" through "end\n". */
char *cfg_running_text(void);

/* ---- NVRAM ------------------------------------------------------------ */
/* Directory set by --nvram (NULL: no NVRAM, startup-config lives in memory) */
void nvram_set_dir(const char *dir);
/* Read startup-config; NULL and *err set when absent or unreadable. */
char *nvram_read_startup(const char **err);
/* Write startup-config atomically (temp, fsync, rename). 0 ok, -1 + errmsg */
int nvram_write_startup(const char *text, char *errmsg, size_t n);
int nvram_erase_startup(char *errmsg, size_t n);

/* ---- reload ------------------------------------------------------------- */
/* Rebuild the whole router from its boot configuration, from the loop once
 * the caller has unwound (a second request while one is pending is
 * ignored). REASON ("Reload Command", "RF induced self-reload") is what
 * core_reload_reason() answers during the boot that follows; NULL there
 * means the process itself started (power-on). */
void core_reload(const char *reason);
bool core_reload_pending(void);
const char *core_reload_reason(void);
/* The assembly (router/) installs the rebuild: reset every subsystem,
 * apply the boot configuration, publish EVT_BOOT_DONE. */
void core_set_rebuild(void (*fn)(void));

/* Initialise core itself (loop, logging, clock, identity). */
void core_init(void);

/* ---- string-keyed index ------------------------------------------------- */
/* KEY strings are not copied: they must live as long as their entry. */
struct strmap {
	struct { const char *key; void *val; } *slot;
	size_t n, cap;
};
void *strmap_get(const struct strmap *m, const char *key);
void strmap_put(struct strmap *m, const char *key, void *val);
void strmap_del(struct strmap *m, const char *key);
void strmap_clear(struct strmap *m);

/* ---- integer-keyed index ------------------------------------------------ */
/* The same for numeric keys (addresses, prefix/mask pairs, sequence
 * numbers). VAL must not be NULL; intmap_get returns NULL when absent. */
struct intmap {
	struct { uint64_t key; void *val; } *slot;
	size_t n, cap;
};
void *intmap_get(const struct intmap *m, uint64_t key);
void intmap_put(struct intmap *m, uint64_t key, void *val);
void intmap_del(struct intmap *m, uint64_t key);
void intmap_clear(struct intmap *m);

/* ---- doubly linked lists ------------------------------------------------ */
/* Lists with a HEAD and a TAIL pointer whose elements link through fields
 * named next and prev (so that the list also reads as a plain singly
 * linked one): put ELM before SUCC (NULL: at the end), take ELM out. */
#define DLIST_INSERT_BEFORE(head, tail, succ, elm)                        \
	do {                                                              \
		(elm)->next = (succ);                                     \
		(elm)->prev = (succ) ? (succ)->prev : (tail);             \
		if ((elm)->prev)                                          \
			(elm)->prev->next = (elm);                        \
		else                                                      \
			(head) = (elm);                                   \
		if (succ)                                                 \
			(succ)->prev = (elm);                             \
		else                                                      \
			(tail) = (elm);                                   \
	} while (0)
#define DLIST_REMOVE(head, tail, elm)                                     \
	do {                                                              \
		if ((elm)->prev)                                          \
			(elm)->prev->next = (elm)->next;                  \
		else                                                      \
			(head) = (elm)->next;                             \
		if ((elm)->next)                                          \
			(elm)->next->prev = (elm)->prev;                  \
		else                                                      \
			(tail) = (elm)->prev;                             \
	} while (0)

/* ---- small helpers shared by all ---------------------------------------- */
/* Big-endian (network order) fields of wire formats. */
static inline uint16_t be16_get(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}
static inline uint32_t be32_get(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}
static inline void be16_put(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}
static inline void be32_put(uint8_t *p, uint32_t v)
{
	be16_put(p, (uint16_t)(v >> 16));
	be16_put(p + 2, (uint16_t)v);
}
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t m);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
/* Replace the string in *SLOT by a copy of S (NULL clears it). */
void xstrset(char **slot, const char *s);
/* Parse dotted quad strictly (4 decimal octets 0..255). Network order. */
bool ip_parse(const char *s, uint32_t *addr_be);
/* Format an address in network order. buf >= 16 bytes. */
const char *ip_fmt(uint32_t addr_be, char *buf);
/* A contiguous netmask (e.g. 255.255.255.0)? network order */
bool mask_is_contiguous(uint32_t mask_be);
int mask_len(uint32_t mask_be);

#endif
