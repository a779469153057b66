/* AAA: aaa new-model and its method lists, the local user database
 * (username) and the RADIUS servers (radius-server).
 *
 * As on IOS, every aaa command but "aaa new-model" exists only once
 * "aaa new-model" is configured: before that the parser does not know the
 * word after "aaa", and "no aaa new-model" forgets the lists. */
#include "cli.h"
#include "cli_cfg.h"
#include "session.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define AAA_HELP "Authentication, Authorization and Accounting.\n"

struct user {
	char *name;
	unsigned privilege;
	bool priv_set;
	struct ios_pw pw;          /* password 0/7 */
	char *secret;              /* secret 5: "$1$salt$hash" */
	struct user *next;
};

static struct {
	bool new_model;
	bool session_unique;
	struct aaa_list *lists;    /* in configuration order */
	struct user *users;
	struct radius_host *hosts;
	struct ios_pw radius_key;
} aaa;

bool aaa_new_model(void)
{
	return aaa.new_model;
}

bool aaa_session_id_unique(void)
{
	return aaa.session_unique;
}

const struct aaa_list *aaa_list_find(enum aaa_list_kind kind, const char *name)
{
	for (const struct aaa_list *l = aaa.lists; l; l = l->next)
		if (l->kind == kind && !strcmp(l->name, name))
			return l;
	return NULL;
}

const char *radius_global_key(void)
{
	return aaa.radius_key.clear;
}

const struct radius_host *radius_hosts(void)
{
	return aaa.hosts;
}

/* ======================================================================== */
/* aaa new-model and the method lists                                       */
/* ======================================================================== */

/* IOS's parser does not offer the word after "aaa" (argument IDX) until
 * aaa new-model. */
static bool aaa_available(struct cli *cli, const struct cli_args *a, int idx)
{
	if (aaa.new_model)
		return true;
	cli_invalid_arg(cli, a, idx);
	return false;
}

static void list_free(struct aaa_list *l)
{
	for (int i = 0; i < l->nmeth; i++)
		free((char *)l->meth[i].group);
	free(l->name);
	free(l);
}

static void lists_free(void)
{
	while (aaa.lists) {
		struct aaa_list *l = aaa.lists;
		aaa.lists = l->next;
		list_free(l);
	}
}

/* Put L in place of the list of the same kind and name, or at the end. */
static void list_store(struct aaa_list *l)
{
	struct aaa_list **pp = &aaa.lists;
	for (; *pp; pp = &(*pp)->next) {
		if ((*pp)->kind == l->kind && !strcmp((*pp)->name, l->name)) {
			struct aaa_list *old = *pp;
			l->next = old->next;
			*pp = l;
			list_free(old);
			return;
		}
	}
	*pp = l;
}

static bool list_remove(enum aaa_list_kind kind, const char *name)
{
	for (struct aaa_list **pp = &aaa.lists; *pp; pp = &(*pp)->next) {
		if ((*pp)->kind == kind && !strcmp((*pp)->name, name)) {
			struct aaa_list *old = *pp;
			*pp = old->next;
			list_free(old);
			return true;
		}
	}
	return false;
}

static const char *list_name(const struct cli_args *a)
{
	return cli_has(a, "default") ? "default" : cli_arg(a, "list");
}

/* Read the methods from argument FIRST on. IOS takes each method once and
 * nothing after "none"; *bad gets the offending argument otherwise. */
static bool methods_parse(const struct cli_args *a, int first,
			  struct aaa_list *l, int *bad)
{
	static const struct { const char *kw; enum aaa_method_kind k; } kw[] = {
		{"local", AAA_M_LOCAL}, {"none", AAA_M_NONE},
		{"enable", AAA_M_ENABLE}, {"line", AAA_M_LINE},
		{"if-authenticated", AAA_M_IF_AUTHENTICATED},
	};
	for (int i = first; i < cli_argc(a); i++) {
		const char *w = cli_argv(a, i);
		struct aaa_method m = {AAA_M_GROUP, NULL};
		if (!strcmp(w, "group")) {
			m.group = cli_argv(a, ++i);
		} else {
			for (size_t k = 0; k < sizeof kw / sizeof kw[0]; k++)
				if (!strcmp(w, kw[k].kw))
					m.kind = kw[k].k;
		}
		bool dup = l->nmeth > 0 && l->meth[l->nmeth - 1].kind == AAA_M_NONE;
		for (int j = 0; j < l->nmeth && !dup; j++)
			dup = l->meth[j].kind == m.kind &&
			      (m.kind != AAA_M_GROUP ||
			       !strcmp(l->meth[j].group, m.group));
		if (dup || l->nmeth == AAA_MAX_METHODS) {
			*bad = m.kind == AAA_M_GROUP ? i - 1 : i;
			return false;
		}
		m.group = m.group ? xstrdup(m.group) : NULL;
		l->meth[l->nmeth++] = m;
	}
	return true;
}

static struct aaa_list *list_new(enum aaa_list_kind kind, const char *name)
{
	struct aaa_list *l = xcalloc(1, sizeof *l);
	l->kind = kind;
	l->name = xstrdup(name);
	return l;
}

/* Store a method list from arguments FIRST.. or draw the parser's error. */
static int list_cmd(struct cli *cli, const struct cli_args *a,
		    enum aaa_list_kind kind, int first)
{
	if (!aaa_available(cli, a, 1))
		return CLI_ERR;
	struct aaa_list *l = list_new(kind, list_name(a));
	int bad;
	if (!methods_parse(a, first, l, &bad)) {
		list_free(l);
		cli_invalid_arg(cli, a, bad);
		return CLI_ERR;
	}
	list_store(l);
	return CLI_OK;
}

/* "no aaa ... LIST" removes the list (the methods typed after it do not
 * matter: IOS takes methods iosim does not model, krb5, local-case,
 * cache, group tacacs+, so the no forms take any words there and stay
 * declared on their own). */
static int no_list_cmd(struct cli *cli, const struct cli_args *a,
		       enum aaa_list_kind kind)
{
	if (!aaa_available(cli, a, 2))
		return CLI_ERR;
	return list_remove(kind, list_name(a)) ? CLI_OK : CLI_UNCHANGED;
}

/* The lists exist only with aaa new-model: its no form forgets them. */
DEFUN(aaa_new_model_cmd, "[no] aaa new-model", AAA_HELP
      "Enable NEW access control commands and functions.(Disables OLD "
      "commands.)\n")
{
	bool on = !cli_is_no(a);
	if (aaa.new_model == on)
		return CLI_UNCHANGED;
	aaa.new_model = on;
	if (!on) {
		aaa.session_unique = false;
		lists_free();
	}
	return CLI_OK;
}

#define AUTHEN_METH "(local|none|enable|line|group (radius|WORD))"
#define AUTHEN_METH_HELP                                          \
	"Use local username authentication.\n"                    \
	"NO authentication.\n"                                    \
	"Use enable password for authentication.\n"               \
	"Use line password for authentication.\n"                 \
	"Use Server-group\n"                                      \
	"Use list of all Radius hosts.\n"                         \
	"Server-group name\n"
#define LIST_SYNTAX "(default|WORD$list)"
#define LIST_HELP(what)                                          \
	"Use the listed " what " methods that follow this argument " \
	"as the default list of methods when a user logs in\n"       \
	"Use an " what " list with this name.\n"

DEFUN(aaa_authen_login,
      "aaa authentication login " LIST_SYNTAX " " AUTHEN_METH " [" AUTHEN_METH
      " [" AUTHEN_METH " [" AUTHEN_METH "]]]",
      AAA_HELP
      "Authentication configurations parameters.\n"
      "Set authentication lists for logins.\n"
      LIST_HELP("authentication")
      AUTHEN_METH_HELP AUTHEN_METH_HELP AUTHEN_METH_HELP AUTHEN_METH_HELP)
{
	return list_cmd(cli, a, AAA_AUTHEN_LOGIN, 4);
}

DEFUN(no_aaa_authen_login, "no aaa authentication login " LIST_SYNTAX " [LINE]",
      CLI_HELP_NO AAA_HELP
      "Authentication configurations parameters.\n"
      "Set authentication lists for logins.\n"
      LIST_HELP("authentication")
      "Methods\n")
{
	return no_list_cmd(cli, a, AAA_AUTHEN_LOGIN);
}

#define AUTHOR_METH "(local|none|if-authenticated|group (radius|WORD))"
#define AUTHOR_METH_HELP                                          \
	"Use local database.\n"                                   \
	"No authorization (always succeeds).\n"                   \
	"Succeed if user has authenticated.\n"                    \
	"Use server-group.\n"                                     \
	"Use list of all Radius hosts.\n"                         \
	"Server-group name\n"

DEFUN(aaa_author_network,
      "aaa authorization network " LIST_SYNTAX " " AUTHOR_METH " [" AUTHOR_METH
      " [" AUTHOR_METH " [" AUTHOR_METH "]]]",
      AAA_HELP
      "Authorization configurations parameters.\n"
      "For network services.\n"
      LIST_HELP("authorization")
      AUTHOR_METH_HELP AUTHOR_METH_HELP AUTHOR_METH_HELP AUTHOR_METH_HELP)
{
	return list_cmd(cli, a, AAA_AUTHOR_NETWORK, 4);
}

DEFUN(no_aaa_author_network, "no aaa authorization network " LIST_SYNTAX " [LINE]",
      CLI_HELP_NO AAA_HELP
      "Authorization configurations parameters.\n"
      "For network services.\n"
      LIST_HELP("authorization")
      "Methods\n")
{
	return no_list_cmd(cli, a, AAA_AUTHOR_NETWORK);
}

#define ACCT_GROUP "group (radius|WORD)"
#define ACCT_GROUP_HELP                                           \
	"Use Server-group\n"                                      \
	"Use list of all Radius hosts.\n"                         \
	"Server-group name\n"

DEFUN(aaa_acct_network,
      "aaa accounting network " LIST_SYNTAX " ((start-stop|stop-only) "
      ACCT_GROUP " [" ACCT_GROUP "]|none)",
      AAA_HELP
      "Accounting configurations parameters.\n"
      "For network services.\n"
      LIST_HELP("accounting")
      "Record start and stop without waiting\n"
      "Record stop when service terminates.\n"
      ACCT_GROUP_HELP ACCT_GROUP_HELP
      "No accounting.\n")
{
	if (!aaa_available(cli, a, 1))
		return CLI_ERR;
	struct aaa_list *l = list_new(AAA_ACCT_NETWORK, list_name(a));
	l->action = cli_has(a, "start-stop") ? AAA_ACCT_START_STOP
		    : cli_has(a, "stop-only") ? AAA_ACCT_STOP_ONLY
		    : AAA_ACCT_NONE;
	int bad;
	if (l->action != AAA_ACCT_NONE && !methods_parse(a, 5, l, &bad)) {
		list_free(l);
		cli_invalid_arg(cli, a, bad);
		return CLI_ERR;
	}
	list_store(l);
	return CLI_OK;
}

DEFUN(no_aaa_acct_network, "no aaa accounting network " LIST_SYNTAX " [LINE]",
      CLI_HELP_NO AAA_HELP
      "Accounting configurations parameters.\n"
      "For network services.\n"
      LIST_HELP("accounting")
      "Methods\n")
{
	return no_list_cmd(cli, a, AAA_ACCT_NETWORK);
}

/* "no aaa session-id" goes back to the default, common. The word after
 * "aaa" is argument 2 behind "no"/"default". */
DEFUN(aaa_session_id, "[no] aaa session-id ?[(common|unique)]", AAA_HELP
      "AAA Session ID\n"
      "Common Session ID\n"
      "Unique Session ID\n")
{
	bool no = cli_is_no(a);
	if (!aaa_available(cli, a, no ? 2 : 1))
		return CLI_ERR;
	bool unique = !no && cli_has(a, "unique");
	if (aaa.session_unique == unique)
		return CLI_UNCHANGED;
	aaa.session_unique = unique;
	return CLI_OK;
}

static const char *const list_kind_text[] = {
	[AAA_AUTHEN_LOGIN] = "authentication login",
	[AAA_AUTHOR_NETWORK] = "authorization network",
	[AAA_ACCT_NETWORK] = "accounting network",
};

static void list_write(struct sbuf *out, const struct aaa_list *l)
{
	static const char *const act[] = {"start-stop", "stop-only", "none"};
	static const char *const meth[] = {
		[AAA_M_LOCAL] = "local", [AAA_M_NONE] = "none",
		[AAA_M_ENABLE] = "enable", [AAA_M_LINE] = "line",
		[AAA_M_IF_AUTHENTICATED] = "if-authenticated",
	};
	sbuf_printf(out, "aaa %s %s", list_kind_text[l->kind], l->name);
	if (l->kind == AAA_ACCT_NETWORK)
		sbuf_printf(out, " %s", act[l->action]);
	for (int i = 0; i < l->nmeth; i++) {
		if (l->meth[i].kind == AAA_M_GROUP)
			sbuf_printf(out, " group %s", l->meth[i].group);
		else
			sbuf_printf(out, " %s", meth[l->meth[i].kind]);
	}
	sbuf_puts(out, "\n");
}

/* IOS prints "no aaa new-model" while AAA is off; with it on, the lists
 * by kind (authentication, authorization, accounting), then the session
 * id, which it always shows. */
static void aaa_write(struct sbuf *out)
{
	if (!aaa.new_model) {
		sbuf_puts(out, "no aaa new-model\n");
		return;
	}
	sbuf_puts(out, "aaa new-model\n!\n!\n");
	bool any = false;
	for (int k = AAA_AUTHEN_LOGIN; k <= AAA_ACCT_NETWORK; k++)
		for (const struct aaa_list *l = aaa.lists; l; l = l->next)
			if ((int)l->kind == k) {
				list_write(out, l);
				any = true;
			}
	if (any)
		sbuf_puts(out, "!\n");
	sbuf_printf(out, "aaa session-id %s\n",
		    aaa.session_unique ? "unique" : "common");
}

/* ======================================================================== */
/* username                                                                 */
/* ======================================================================== */

static struct user *user_find(const char *name)
{
	for (struct user *u = aaa.users; u; u = u->next)
		if (!strcmp(u->name, name))
			return u;
	return NULL;
}

bool aaa_user_exists(const char *user)
{
	return user_find(user) != NULL;
}

bool aaa_local_check(const char *user, const char *password, unsigned *priv)
{
	const struct user *u = user_find(user);
	if (!u)
		return false;
	bool ok = u->secret ? secret5_check(u->secret, password)
		  : u->pw.clear && strlen(u->pw.clear) == strlen(password) &&
		    CRYPTO_memcmp(u->pw.clear, password, strlen(password)) == 0;
	if (ok && priv)
		*priv = u->privilege;
	return ok;
}

static void user_free(struct user *u)
{
	ios_pw_clear(&u->pw);
	free(u->secret);
	free(u->name);
	free(u);
}

static const char secret5_error[] =
	"ERROR: The secret you entered is not a valid encrypted secret.\n"
	"To enter an UNENCRYPTED secret, do not specify type 5 encryption.\n"
	"When you properly enter an UNENCRYPTED secret, it will be "
	"encrypted.\n\n";

DEFUN(username, "username WORD$name [privilege <0-15>$priv] "
      "(password [(0$type|7$type)] LINE$pw|secret [(0$stype|5$stype)] LINE$sec)",
      "Establish User Name Authentication\n"
      "User name\n"
      "Set user privilege level\n"
      "User privilege level\n"
      "Specify the password for the user\n"
      "Specifies an UNENCRYPTED password will follow\n"
      "Specifies a HIDDEN password will follow\n"
      "The UNENCRYPTED (cleartext) user password\n"
      "Specify the secret for the user\n"
      "Specifies an UNENCRYPTED secret will follow\n"
      "Specifies a HIDDEN secret will follow\n"
      "The UNENCRYPTED (cleartext) user secret\n")
{
	/* check everything before touching the database */
	struct ios_pw pw = {0};
	char *secret = NULL;
	if (cli_has(a, "secret")) {
		const char *st = cli_arg(a, "stype");
		const char *s = cli_arg(a, "sec");
		if (st && !strcmp(st, "5")) {
			if (!secret5_valid(s)) {
				cli_puts(cli, secret5_error);
				return CLI_ERR;
			}
			secret = xstrdup(s);
		} else if (!(secret = secret5_make(s))) {
			cli_puts(cli, "% Could not encrypt the secret\n");
			return CLI_ERR;
		}
	} else {
		const char *t = cli_arg(a, "type");
		if (!ios_pw_set(&pw, t && !strcmp(t, "7"), cli_arg(a, "pw"))) {
			cli_puts(cli, "% Invalid encrypted password\n");
			return CLI_ERR;
		}
	}
	const char *name = cli_arg(a, "name");
	struct user *u = user_find(name);
	if (!u) {
		u = xcalloc(1, sizeof *u);
		u->name = xstrdup(name);
		u->privilege = 1;
		struct user **pp = &aaa.users;
		while (*pp)
			pp = &(*pp)->next;
		*pp = u;
	}
	/* a later line for the same user keeps what it does not name */
	if (cli_has(a, "priv")) {
		u->privilege = (unsigned)cli_arg_num(a, "priv");
		u->priv_set = true;
	}
	ios_pw_clear(&u->pw);
	free(u->secret);
	u->pw = pw;
	u->secret = secret;
	return CLI_OK;
}

/* Declared on its own: the user goes whatever follows the name, and IOS
 * takes attributes iosim does not model (nopassword, autocommand, view,
 * ...), which the positive form would refuse. */
DEFUN(no_username, "no username WORD$name [LINE]", CLI_HELP_NO
      "Establish User Name Authentication\n"
      "User name\n"
      "Attributes\n")
{
	const char *name = cli_arg(a, "name");
	for (struct user **pp = &aaa.users; *pp; pp = &(*pp)->next) {
		if (!strcmp((*pp)->name, name)) {
			struct user *u = *pp;
			*pp = u->next;
			user_free(u);
			return CLI_OK;
		}
	}
	return CLI_UNCHANGED;
}

static void username_write(struct sbuf *out)
{
	for (const struct user *u = aaa.users; u; u = u->next) {
		sbuf_printf(out, "username %s", u->name);
		if (u->priv_set)
			sbuf_printf(out, " privilege %u", u->privilege);
		if (u->secret)
			sbuf_printf(out, " secret 5 %s\n", u->secret);
		else if (u->pw.enc)
			sbuf_printf(out, " password 7 %s\n", u->pw.enc);
		else
			sbuf_printf(out, " password 0 %s\n", u->pw.clear);
	}
	if (aaa.users)
		sbuf_puts(out, "!\n");
}

/* ======================================================================== */
/* radius-server                                                            */
/* ======================================================================== */

#define RADIUS_AUTH_DEFAULT 1645
#define RADIUS_ACCT_DEFAULT 1646

static struct radius_host **host_find(uint32_t addr_be, unsigned auth,
				      unsigned acct)
{
	char b[16];
	ip_fmt(addr_be, b);
	struct radius_host **pp = &aaa.hosts;
	for (; *pp; pp = &(*pp)->next)
		if (!strcmp((*pp)->addr, b) && (*pp)->auth_port == auth &&
		    (*pp)->acct_port == acct)
			return pp;
	return pp;
}

static unsigned port_arg(const struct cli_args *a, const char *name,
			 unsigned def)
{
	return cli_has(a, name) ? (unsigned)cli_arg_num(a, name) : def;
}

#define RADIUS_HOST_HELP                                                 \
	"Modify RADIUS query parameters\n"                               \
	"Specify a RADIUS server\n"                                      \
	"IP address of RADIUS server\n"                                  \
	"UDP port for RADIUS authentication server (default is 1645)\n"  \
	"Port number\n"                                                  \
	"UDP port for RADIUS accounting server (default is 1646)\n"      \
	"Port number\n"

DEFUN(radius_host, "radius-server host A.B.C.D$hostip "
      "[auth-port <0-65535>$auth] [acct-port <0-65535>$acct] "
      "[timeout <1-1000>$tmo] [retransmit <0-100>$retr] "
      "[key [(0$ktype|7$ktype)] LINE$keytext]",
      RADIUS_HOST_HELP
      "Time to wait for this RADIUS server to reply (overrides default)\n"
      "Wait time (default 5 seconds)\n"
      "Specify the number of retries to active server (overrides "
      "default)\n"
      "Number of retries for a transaction (default is 3)\n"
      "per-server encryption key (overrides default)\n"
      "Specifies an UNENCRYPTED key will follow\n"
      "Specifies HIDDEN key will follow\n"
      "The UNENCRYPTED (cleartext) server key\n")
{
	struct ios_pw key = {0};
	if (cli_has(a, "key")) {
		const char *t = cli_arg(a, "ktype");
		if (!ios_pw_set(&key, t && !strcmp(t, "7"), cli_arg(a, "keytext"))) {
			cli_puts(cli, "% Invalid encrypted password\n");
			return CLI_ERR;
		}
	}
	uint32_t addr = cli_arg_ip(a, "hostip");
	unsigned auth = port_arg(a, "auth", RADIUS_AUTH_DEFAULT);
	unsigned acct = port_arg(a, "acct", RADIUS_ACCT_DEFAULT);
	struct radius_host **pp = host_find(addr, auth, acct);
	struct radius_host *h = *pp;
	if (!h) {
		h = xcalloc(1, sizeof *h);
		ip_fmt(addr, h->addr);
		h->auth_port = auth;
		h->acct_port = acct;
		*pp = h;
	}
	h->timeout = port_arg(a, "tmo", 0);
	h->retransmit_set = cli_has(a, "retr");
	h->retransmit = port_arg(a, "retr", 0);
	ios_pw_clear(&h->key);
	h->key = key;
	return CLI_OK;
}

/* Declared on its own: the address and ports say which server, the
 * options after them do not matter, and IOS has options iosim does not
 * model (alias, non-standard, test, backoff). */
DEFUN(no_radius_host, "no radius-server host A.B.C.D$hostip "
      "[auth-port <0-65535>$auth] [acct-port <0-65535>$acct] [LINE]",
      CLI_HELP_NO RADIUS_HOST_HELP "Options\n")
{
	struct radius_host **pp = host_find(cli_arg_ip(a, "hostip"),
					    port_arg(a, "auth", RADIUS_AUTH_DEFAULT),
					    port_arg(a, "acct", RADIUS_ACCT_DEFAULT));
	struct radius_host *h = *pp;
	if (!h)
		return CLI_UNCHANGED;
	*pp = h->next;
	ios_pw_clear(&h->key);
	free(h);
	return CLI_OK;
}

DEFUN(radius_key,
      "[no] radius-server key ?[[(0$ktype|7$ktype)] LINE$keytext]",
      "Modify RADIUS query parameters\n"
      "encryption key shared with the radius servers\n"
      "Specifies an UNENCRYPTED key will follow\n"
      "Specifies HIDDEN key will follow\n"
      "The UNENCRYPTED (cleartext) shared key\n")
{
	if (cli_is_no(a)) {
		if (!aaa.radius_key.clear)
			return CLI_UNCHANGED;
		ios_pw_clear(&aaa.radius_key);
		return CLI_OK;
	}
	const char *t = cli_arg(a, "ktype");
	struct ios_pw key = {0};
	if (!ios_pw_set(&key, t && !strcmp(t, "7"), cli_arg(a, "keytext"))) {
		cli_puts(cli, "% Invalid encrypted password\n");
		return CLI_ERR;
	}
	ios_pw_clear(&aaa.radius_key);
	aaa.radius_key = key;
	return CLI_OK;
}

static void key_fmt(struct sbuf *out, const char *prefix,
		    const struct ios_pw *k)
{
	if (k->enc)
		sbuf_printf(out, "%s7 %s", prefix, k->enc);
	else if (k->clear)
		sbuf_printf(out, "%s%s", prefix, k->clear);
}

static void radius_write(struct sbuf *out)
{
	for (const struct radius_host *h = aaa.hosts; h; h = h->next) {
		sbuf_printf(out, "radius-server host %s", h->addr);
		if (h->auth_port != RADIUS_AUTH_DEFAULT)
			sbuf_printf(out, " auth-port %u", h->auth_port);
		if (h->acct_port != RADIUS_ACCT_DEFAULT)
			sbuf_printf(out, " acct-port %u", h->acct_port);
		if (h->timeout)
			sbuf_printf(out, " timeout %u", h->timeout);
		if (h->retransmit_set)
			sbuf_printf(out, " retransmit %u", h->retransmit);
		key_fmt(out, " key ", &h->key);
		sbuf_puts(out, "\n");
	}
	if (aaa.radius_key.clear) {
		key_fmt(out, "radius-server key ", &aaa.radius_key);
		sbuf_puts(out, "\n");
	}
	if (aaa.hosts || aaa.radius_key.clear)
		sbuf_puts(out, "!\n");
}

/* ======================================================================== */
/* service password-encryption, reset, registration                         */
/* ======================================================================== */

void aaa_encrypt_passwords(void)
{
	for (struct user *u = aaa.users; u; u = u->next)
		ios_pw_encrypt(&u->pw);
	for (struct radius_host *h = aaa.hosts; h; h = h->next)
		ios_pw_encrypt(&h->key);
	ios_pw_encrypt(&aaa.radius_key);
}

static void aaa_reset(void)
{
	lists_free();
	while (aaa.users) {
		struct user *u = aaa.users;
		aaa.users = u->next;
		user_free(u);
	}
	while (aaa.hosts) {
		struct radius_host *h = aaa.hosts;
		aaa.hosts = h->next;
		ios_pw_clear(&h->key);
		free(h);
	}
	ios_pw_clear(&aaa.radius_key);
	memset(&aaa, 0, sizeof aaa);
}

static const struct subsys aaa_subsys = {"aaa", aaa_reset};

void cli_aaa_init(void)
{
	aaa_reset();
	core_register_subsys(&aaa_subsys);
	cfg_register_writer(CFG_USERNAME, username_write);
	cfg_register_writer(CFG_AAA, aaa_write);
	cfg_register_writer(CFG_RADIUS, radius_write);
	cli_install(MODE_CONFIG, &aaa_new_model_cmd_cmd);
	cli_install(MODE_CONFIG, &aaa_authen_login_cmd);
	cli_install(MODE_CONFIG, &no_aaa_authen_login_cmd);
	cli_install(MODE_CONFIG, &aaa_author_network_cmd);
	cli_install(MODE_CONFIG, &no_aaa_author_network_cmd);
	cli_install(MODE_CONFIG, &aaa_acct_network_cmd);
	cli_install(MODE_CONFIG, &no_aaa_acct_network_cmd);
	cli_install(MODE_CONFIG, &aaa_session_id_cmd);
	cli_install(MODE_CONFIG, &username_cmd);
	cli_install(MODE_CONFIG, &no_username_cmd);
	cli_install(MODE_CONFIG, &radius_host_cmd);
	cli_install(MODE_CONFIG, &no_radius_host_cmd);
	cli_install(MODE_CONFIG, &radius_key_cmd);
}
