/* Key chains, as IOS 12.4 has them: "key chain NAME" (config-keychain),
 * "key N" (config-keychain-key), "key-string [0|7] TEXT",
 * "accept-lifetime" / "send-lifetime", their "no" forms, the
 * running-config section, "show key chain [NAME]", and the API protocols
 * use to pick keys (HSRP's "standby N authentication md5 key-chain NAME").
 *
 * A lifetime is kept as typed (start, then infinite, an end time or a
 * duration) so show running-config gives back what was typed. Times are
 * the router's local time: seconds since 1970 read as UTC, the value
 * core_clock_local() returns. */
#include "platform_int.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum kc_end { KC_END_INFINITE, KC_END_TIME, KC_END_DURATION };

struct kc_life {
	bool set;                   /* false: always valid */
	time_t start;
	enum kc_end end_kind;
	time_t end;                 /* KC_END_TIME, and DURATION (start+dur) */
	unsigned long dur;          /* KC_END_DURATION: seconds as typed */
};

struct kc_key {
	uint32_t id;
	char *clear;                /* NULL: no key-string */
	char *enc;                  /* type 7 text, NULL while shown in clear */
	struct kc_life accept, send;
	struct kc_key *next;        /* ascending id */
};

struct kc_chain {
	char *name;
	struct kc_key *keys;
	struct kc_chain *next;      /* creation order, as written */
};

static struct kc_chain *chains;
static struct strmap by_name;

static struct kc_chain *chain_find(const char *name)
{
	return name ? strmap_get(&by_name, name) : NULL;
}

/* ------------------------------------------------------------------ */
/* Lifetimes                                                            */
/* ------------------------------------------------------------------ */

static const char *const months[12] = {
	"January", "February", "March", "April", "May", "June", "July",
	"August", "September", "October", "November", "December",
};

static bool life_valid(const struct kc_life *l, time_t now)
{
	if (!l->set)
		return true;
	if (now < l->start)
		return false;
	return l->end_kind == KC_END_INFINITE || now < l->end;
}

/* "hh:mm:ss" -> seconds into the day; -1 when malformed. */
static long parse_hms(const char *s)
{
	unsigned h, m, sec;
	int n = 0;
	if (strspn(s, "0123456789:") != strlen(s) ||
	    sscanf(s, "%2u:%2u:%2u%n", &h, &m, &sec, &n) != 3 || s[n] ||
	    h > 23 || m > 59 || sec > 59)
		return -1;
	return (long)h * 3600 + m * 60 + sec;
}

/* A month's name, or any prefix of it of at least three letters
 * ("jan", "Janu", "JANUARY"); 0-11, -1 when none. */
static int parse_month(const char *s)
{
	size_t n = strlen(s);
	if (n < 3)
		return -1;
	for (int i = 0; i < 12; i++)
		if (n <= strlen(months[i]) && !strncasecmp(s, months[i], n))
			return i;
	return -1;
}

static bool leap(int y) { return (y % 4 == 0 && y % 100) || y % 400 == 0; }

static int month_days(int mon, int year)
{
	static const int d[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	return d[mon] + (mon == 1 && leap(year));
}

/* The instant named by a time, day, month, year; caret on the bad word
 * and false when it names none. T, D, M, M2, D2, Y are token names: the
 * day and month come either way round. */
static bool parse_instant(struct cli *cli, const struct cli_args *a,
			  const char *t, const char *d, const char *m,
			  const char *m2, const char *d2, const char *y,
			  time_t *out)
{
	long secs = parse_hms(cli_arg(a, t));
	if (secs < 0) {
		cli_invalid_arg(cli, a, cli_arg_index(a, t));
		return false;
	}
	const char *mn = cli_has(a, m) ? m : m2;
	const char *dn = cli_has(a, m) ? d : d2;
	int mon = parse_month(cli_arg(a, mn));
	if (mon < 0) {
		cli_invalid_arg(cli, a, cli_arg_index(a, mn));
		return false;
	}
	int year = (int)cli_arg_num(a, y);
	int day = (int)cli_arg_num(a, dn);
	if (day > month_days(mon, year)) {
		cli_invalid_arg(cli, a, cli_arg_index(a, dn));
		return false;
	}
	struct tm tm = {
		.tm_year = year - 1900, .tm_mon = mon, .tm_mday = day,
		.tm_hour = (int)(secs / 3600), .tm_min = (int)(secs / 60 % 60),
		.tm_sec = (int)(secs % 60),
	};
	*out = timegm(&tm);
	return true;
}

static bool parse_life(struct cli *cli, const struct cli_args *a,
		       struct kc_life *l)
{
	struct kc_life n = {.set = true};
	if (!parse_instant(cli, a, "st", "sd", "sm", "sm2", "sd2", "sy",
			   &n.start))
		return false;
	if (cli_has(a, "infinite")) {
		n.end_kind = KC_END_INFINITE;
	} else if (cli_has(a, "duration")) {
		n.end_kind = KC_END_DURATION;
		n.dur = cli_arg_num(a, "dur");
		n.end = n.start + (time_t)n.dur;
	} else {
		n.end_kind = KC_END_TIME;
		if (!parse_instant(cli, a, "et", "ed", "em", "em2", "ed2", "ey",
				   &n.end))
			return false;
	}
	*l = n;
	return true;
}

/* "13:30:00 Jan 25 1996" */
static void fmt_instant(time_t t, char *out, size_t n)
{
	struct tm tm;
	gmtime_r(&t, &tm);
	snprintf(out, n, "%02d:%02d:%02d %.3s %d %d", tm.tm_hour, tm.tm_min,
		 tm.tm_sec, months[tm.tm_mon], tm.tm_mday, tm.tm_year + 1900);
}

/* ------------------------------------------------------------------ */
/* Chains and keys                                                      */
/* ------------------------------------------------------------------ */

static void key_set_string(struct kc_key *k, char *clear, char *enc)
{
	free(k->clear);
	free(k->enc);
	k->clear = clear;
	k->enc = enc;
}

/* service password-encryption turns clear key-strings into type 7 once,
 * and they stay so (as every other password does on IOS). */
static void key_encrypt(struct kc_key *k)
{
	if (!k->clear || k->enc || !service_password_encryption())
		return;
	size_t n = 3 + 2 * strlen(k->clear);
	k->enc = xmalloc(n);
	pw7_encode(k->clear, k->enc, n);
}

static void key_free(struct kc_key *k)
{
	cli_obj_release(k);
	key_set_string(k, NULL, NULL);
	free(k);
}

static void chain_free(struct kc_chain *c)
{
	cli_obj_release(c);
	while (c->keys) {
		struct kc_key *k = c->keys;
		c->keys = k->next;
		key_free(k);
	}
	free(c->name);
	free(c);
}

/* Where key ID is or would go in C's list (ascending id). */
static struct kc_key **key_slot(struct kc_chain *c, uint32_t id)
{
	struct kc_key **pp = &c->keys;
	while (*pp && (*pp)->id < id)
		pp = &(*pp)->next;
	return pp;
}

/* A new key ID, linked in at PP (from key_slot). */
static struct kc_key *key_new(struct kc_key **pp, uint32_t id)
{
	struct kc_key *k = xcalloc(1, sizeof *k);
	CLI_OBJ_REGISTER(k, struct kc_key);
	k->id = id;
	k->next = *pp;
	*pp = k;
	return k;
}

/* ------------------------------------------------------------------ */
/* API                                                                  */
/* ------------------------------------------------------------------ */

static void key_out(const struct kc_key *k, struct keychain_key *out)
{
	out->id = k->id;
	snprintf(out->secret, sizeof out->secret, "%s", k->clear);
}

bool keychain_exists(const char *chain)
{
	return chain_find(chain) != NULL;
}

bool keychain_send_key(const char *chain, time_t now, struct keychain_key *out)
{
	struct kc_chain *c = chain_find(chain);
	for (const struct kc_key *k = c ? c->keys : NULL; k; k = k->next)
		if (k->clear && life_valid(&k->send, now)) {
			key_out(k, out);
			return true;
		}
	return false;
}

int keychain_accept_keys(const char *chain, time_t now,
			 struct keychain_key *out, int max)
{
	struct kc_chain *c = chain_find(chain);
	int n = 0;
	for (const struct kc_key *k = c ? c->keys : NULL; k; k = k->next)
		if (k->clear && life_valid(&k->accept, now)) {
			if (n < max)
				key_out(k, &out[n]);
			n++;
		}
	return n;
}

/* ------------------------------------------------------------------ */
/* Commands                                                             */
/* ------------------------------------------------------------------ */

static struct kc_chain *chain_new(const char *name)
{
	struct kc_chain *c = xcalloc(1, sizeof *c);
	CLI_OBJ_REGISTER(c, struct kc_chain);
	c->name = xstrdup(name);
	struct kc_chain **pp = &chains;
	while (*pp)
		pp = &(*pp)->next;
	*pp = c;
	strmap_put(&by_name, c->name, c);
	return c;
}

static int chain_delete(const char *name)
{
	struct kc_chain *c = chain_find(name);
	if (!c)
		return CLI_UNCHANGED;
	strmap_del(&by_name, c->name);
	for (struct kc_chain **pp = &chains; *pp; pp = &(*pp)->next)
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	chain_free(c);
	return CLI_OK;
}

DEFUN(key_chain, "[no] key chain WORD$name",
      "Key management\n"
      "Key-chain management\n"
      "Key-chain name\n")
{
	const char *name = cli_arg(a, "name");
	if (cli_is_no(a))
		return chain_delete(name);
	struct kc_chain *c = chain_find(name);
	int rc = c ? CLI_UNCHANGED : CLI_OK;   /* entered, or made now */
	if (!c)
		c = chain_new(name);
	cli_enter(cli, MODE_KEYCHAIN, c);
	return rc;
}

static int key_delete(struct kc_chain *c, uint32_t id)
{
	struct kc_key **pp = key_slot(c, id);
	if (!*pp || (*pp)->id != id)
		return CLI_UNCHANGED;
	struct kc_key *k = *pp;
	*pp = k->next;
	key_free(k);
	return CLI_OK;
}

DEFUN(key_cmd, "[no] key <0-2147483647>$id",
      "Configure a key\n"
      "Key identifier\n")
{
	CLI_CONTEXT(struct kc_chain, c);
	uint32_t id = (uint32_t)cli_arg_num(a, "id");
	if (cli_is_no(a))
		return key_delete(c, id);
	struct kc_key **pp = key_slot(c, id);
	bool found = *pp && (*pp)->id == id;   /* entered, or made now */
	cli_enter(cli, MODE_KEYCHAIN_KEY, found ? *pp : key_new(pp, id));
	return found ? CLI_UNCHANGED : CLI_OK;
}

/* IOS's no form takes what the positive one does, or nothing. */
DEFUN(key_string, "[no] key-string ?[[0|7] LINE$text]",
      "Set key string\n"
      "Specifies an UNENCRYPTED password will follow\n"
      "Specifies a HIDDEN password will follow\n"
      "The UNENCRYPTED (cleartext) user password\n")
{
	CLI_CONTEXT(struct kc_key, k);
	if (cli_is_no(a)) {
		if (!k->clear)
			return CLI_UNCHANGED;
		key_set_string(k, NULL, NULL);
		return CLI_OK;
	}
	const char *text = cli_arg(a, "text");
	int argi = cli_arg_index(a, "text");
	if (cli_has(a, "7")) {
		char clear[256];
		if (!pw7_decode(text, clear, sizeof clear)) {
			cli_puts(cli, "% Invalid encrypted password\n");
			return CLI_ERR;
		}
		if (strlen(clear) > KEYCHAIN_SECRET_MAX) {
			cli_invalid_arg(cli, a, argi);
			return CLI_ERR;
		}
		key_set_string(k, xstrdup(clear), xstrdup(text));
		return CLI_OK;
	}
	if (strlen(text) > KEYCHAIN_SECRET_MAX) {
		cli_invalid_arg(cli, a, argi);
		return CLI_ERR;
	}
	key_set_string(k, xstrdup(text), NULL);
	key_encrypt(k);
	return CLI_OK;
}

/* The grammar of both lifetimes after their keyword. */
#define LIFE_SYNTAX                                                        \
	" WORD$st (<1-31>$sd WORD$sm|WORD$sm2 <1-31>$sd2) <1993-2035>$sy"  \
	" (infinite|duration <1-2147483646>$dur|"                          \
	"WORD$et (<1-31>$ed WORD$em|WORD$em2 <1-31>$ed2) <1993-2035>$ey)"
#define LIFE_HELP                                                          \
	"Time to start (hh:mm:ss)\n"                                       \
	"Day of the month to start\n"                                      \
	"Month of the year to start\n"                                     \
	"Month of the year to start\n"                                     \
	"Day of the month to start\n"                                      \
	"Year to start\n"                                                  \
	"Never expires\n"                                                  \
	"Set key lifetime duration\n"                                      \
	"Seconds\n"                                                        \
	"Time to stop (hh:mm:ss)\n"                                        \
	"Day of the month to stop\n"                                       \
	"Month of the year to stop\n"                                      \
	"Month of the year to stop\n"                                      \
	"Day of the month to stop\n"                                       \
	"Year to stop\n"

/* "no X-lifetime": always valid again. */
static int life_clear(struct kc_life *l)
{
	if (!l->set)
		return CLI_UNCHANGED;
	memset(l, 0, sizeof *l);
	return CLI_OK;
}

static int life_cmd(struct cli *cli, const struct cli_args *a,
		    struct kc_life *l)
{
	if (cli_is_no(a))
		return life_clear(l);
	return parse_life(cli, a, l) ? CLI_OK : CLI_ERR;
}

/* The no forms take a whole lifetime or none, as IOS's do. */
DEFUN(accept_life, "[no] accept-lifetime ?[" LIFE_SYNTAX "]",
      "Set accept lifetime of key\n" LIFE_HELP)
{
	CLI_CONTEXT(struct kc_key, k);
	return life_cmd(cli, a, &k->accept);
}

DEFUN(send_life, "[no] send-lifetime ?[" LIFE_SYNTAX "]",
      "Set send lifetime of key\n" LIFE_HELP)
{
	CLI_CONTEXT(struct kc_key, k);
	return life_cmd(cli, a, &k->send);
}

/* ------------------------------------------------------------------ */
/* show key chain, running-config                                       */
/* ------------------------------------------------------------------ */

/* "(13:30:00 Jan 25 1996) - (infinite) [valid now]" */
static void show_life(struct cli *cli, const char *what,
		      const struct kc_life *l, time_t now)
{
	char s[40], e[40];
	if (!l->set) {
		snprintf(s, sizeof s, "always valid");
		snprintf(e, sizeof e, "always valid");
	} else {
		fmt_instant(l->start, s, sizeof s);
		if (l->end_kind == KC_END_INFINITE)
			snprintf(e, sizeof e, "infinite");
		else
			fmt_instant(l->end, e, sizeof e);
	}
	cli_printf(cli, "        %s lifetime (%s) - (%s)%s\n", what, s, e,
		   life_valid(l, now) ? " [valid now]" : "");
}

static void show_chain(struct cli *cli, const struct kc_chain *c, time_t now)
{
	cli_printf(cli, "Key-chain %s:\n", c->name);
	for (const struct kc_key *k = c->keys; k; k = k->next) {
		cli_printf(cli, "    key %u -- text \"%s\"\n", k->id,
			   k->clear ? k->clear : "(unset)");
		show_life(cli, "accept", &k->accept, now);
		show_life(cli, "send", &k->send, now);
	}
}

DEFUN(show_key_chain, "show key chain [WORD$name]",
      "Show running system information\n"
      "Key information\n"
      "Keychains\n"
      "Keychain name\n")
{
	time_t now = core_clock_local();
	const char *name = cli_arg(a, "name");
	if (name) {
		const struct kc_chain *c = chain_find(name);
		if (!c) {
			cli_printf(cli, "Key-chain %s not found\n", name);
			return CLI_OK;
		}
		show_chain(cli, c, now);
		return CLI_OK;
	}
	for (const struct kc_chain *c = chains; c; c = c->next)
		show_chain(cli, c, now);
	return CLI_OK;
}

static void write_life(struct sbuf *out, const char *what,
		       const struct kc_life *l)
{
	if (!l->set)
		return;
	char s[40];
	fmt_instant(l->start, s, sizeof s);
	sbuf_printf(out, "  %s-lifetime %s ", what, s);
	if (l->end_kind == KC_END_INFINITE) {
		sbuf_puts(out, "infinite\n");
	} else if (l->end_kind == KC_END_DURATION) {
		sbuf_printf(out, "duration %lu\n", l->dur);
	} else {
		fmt_instant(l->end, s, sizeof s);
		sbuf_printf(out, "%s\n", s);
	}
}

static void keychain_write(struct sbuf *out)
{
	for (const struct kc_chain *c = chains; c; c = c->next) {
		sbuf_printf(out, "key chain %s\n", c->name);
		for (const struct kc_key *k = c->keys; k; k = k->next) {
			sbuf_printf(out, " key %u\n", k->id);
			if (k->enc)
				sbuf_printf(out, "  key-string 7 %s\n", k->enc);
			else if (k->clear)
				sbuf_printf(out, "  key-string %s\n", k->clear);
			write_life(out, "accept", &k->accept);
			write_life(out, "send", &k->send);
		}
		sbuf_puts(out, "!\n");
	}
}

/* "service password-encryption" may have just been turned on. */
static void on_config_changed(enum core_event ev, void *data, void *ctx)
{
	if (!service_password_encryption())
		return;
	for (struct kc_chain *c = chains; c; c = c->next)
		for (struct kc_key *k = c->keys; k; k = k->next)
			key_encrypt(k);
}

void keychain_reset(void)
{
	while (chains) {
		struct kc_chain *c = chains;
		chains = c->next;
		chain_free(c);
	}
	strmap_clear(&by_name);
}

void keychain_init(void)
{
	cli_install(MODE_CONFIG, &key_chain_cmd);
	cli_install(MODE_KEYCHAIN, &key_cmd_cmd);
	cli_install(MODE_KEYCHAIN_KEY, &key_string_cmd);
	cli_install(MODE_KEYCHAIN_KEY, &accept_life_cmd);
	cli_install(MODE_KEYCHAIN_KEY, &send_life_cmd);
	cli_install(MODE_EXEC, &show_key_chain_cmd);
	cfg_register_writer(CFG_KEYCHAIN, keychain_write);
	core_subscribe(EVT_CONFIG_CHANGED, on_config_changed, NULL);
}
