/* Private to cli/: global configuration that is neither an interface nor a
 * protocol subsystem — AAA and local users (aaa.c), terminal lines
 * (line.c) and the IOS commands iosim keeps to print back (misc_cfg.c).
 * cli_init() calls the three init functions; the telnet console and the
 * login prompt read the accessors below. */
#ifndef IOSIM_CLI_CFG_H
#define IOSIM_CLI_CFG_H

#include <stdbool.h>
#include <stddef.h>
#include "cli.h"

void cli_aaa_init(void);
void cli_line_init(void);
void cli_misc_init(void);
void cli_log_init(void);     /* log_cmds.c: logging and service timestamps */
void cli_sys_init(void);     /* sys_cmds.c: hostname, reload, clock, ... */

/* ---- passwords (misc_cfg.c) --------------------------------------------- */
/* A password as stored and printed: clear, or type 7 text. The clear text
 * is always kept for checks. */
struct ios_pw {
	char *clear;
	char *enc;          /* type 7 text, NULL while printed in clear */
};
/* Set from a command's (type, text); false when type 7 text is invalid. */
bool ios_pw_set(struct ios_pw *pw, bool type7, const char *text);
void ios_pw_clear(struct ios_pw *pw);
/* Encrypt in place when service password-encryption asks for it. */
void ios_pw_encrypt(struct ios_pw *pw);

/* ---- AAA (aaa.c) ---------------------------------------------------------- */
bool aaa_new_model(void);

enum aaa_method_kind {
	AAA_M_LOCAL,
	AAA_M_NONE,
	AAA_M_ENABLE,
	AAA_M_LINE,
	AAA_M_IF_AUTHENTICATED,
	AAA_M_GROUP,              /* group: "radius" or a server-group name */
};
struct aaa_method {
	enum aaa_method_kind kind;
	const char *group;        /* AAA_M_GROUP only */
};
enum aaa_list_kind {
	AAA_AUTHEN_LOGIN,
	AAA_AUTHOR_NETWORK,
	AAA_ACCT_NETWORK,
};
enum aaa_acct_action { AAA_ACCT_START_STOP, AAA_ACCT_STOP_ONLY, AAA_ACCT_NONE };
#define AAA_MAX_METHODS 4
struct aaa_list {
	enum aaa_list_kind kind;
	char *name;               /* "default" or the list's name */
	enum aaa_acct_action action;   /* accounting lists only */
	int nmeth;
	struct aaa_method meth[AAA_MAX_METHODS];
	struct aaa_list *next;
};
/* The method list KIND/NAME, or NULL when it is not defined (or AAA is
 * off: IOS forgets the lists with "no aaa new-model"). */
const struct aaa_list *aaa_list_find(enum aaa_list_kind kind,
				     const char *name);
/* aaa session-id: true when "unique", false for the default "common". */
bool aaa_session_id_unique(void);

/* Local user database: true when USER exists and PASSWORD matches its
 * password (type 0/7) or secret (type 5); *priv gets its privilege. */
bool aaa_local_check(const char *user, const char *password, unsigned *priv);
bool aaa_user_exists(const char *user);

/* radius-server: the global key (cleartext, NULL when unset) and the
 * hosts in configuration order. */
const char *radius_global_key(void);
struct radius_host {
	char addr[16];
	unsigned auth_port, acct_port;
	unsigned timeout;                   /* 0: not set, global value */
	unsigned retransmit;
	bool retransmit_set;
	struct ios_pw key;                  /* key.clear NULL: global key */
	struct radius_host *next;
};
const struct radius_host *radius_hosts(void);

/* service password-encryption turned on: every stored type 0 password
 * becomes type 7 (IOS never turns them back). */
void aaa_encrypt_passwords(void);

/* ---- terminal lines (line.c) ---------------------------------------------- */
enum line_kind { LINE_CON, LINE_AUX, LINE_VTY };
enum line_login {
	LOGIN_NONE,        /* no login: straight to the exec */
	LOGIN_LINE,        /* login: the line's password */
	LOGIN_LOCAL,       /* login local: username + password */
	LOGIN_AAA,         /* aaa new-model: the "default" login list */
};
/* How a session on line KIND N logs in (N: 0 for con/aux, vty number). */
enum line_login line_login_mode(enum line_kind kind, unsigned n);
/* The line's password in clear text, NULL when none is set. */
const char *line_password(enum line_kind kind, unsigned n);
/* exec-timeout in seconds; 0 means never. */
unsigned line_exec_timeout(enum line_kind kind, unsigned n);
unsigned line_privilege(enum line_kind kind, unsigned n);
bool line_logging_synchronous(enum line_kind kind, unsigned n);
void line_encrypt_passwords(void);

/* ---- kept-to-print-back commands (misc_cfg.c) ------------------------------ */
/* service_password_encryption, pw7_encode, pw7_decode: in cli.h */

#endif
