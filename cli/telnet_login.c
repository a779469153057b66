/* User Access Verification on the telnet console, as `line con 0` asks:
 * no login, the line's password (`login`), a user of the local database
 * (`login local`), or the AAA default login list (`aaa new-model`).
 *
 * IOS's console rules: `login` on a line without a password does not lock
 * the console (IOS says "% Login disabled on line 0, until 'password' is
 * set" when it is configured, cli/line.c); a wrong line password just asks again
 * until the third, which ends the connection with "% Bad passwords".
 * Kept apart because it runs before there is any cli session and decides
 * the privilege the session starts with. */
#include "telnet_int.h"

#include <string.h>

#define LOGIN_TRIES 3

/* Compared in time that does not depend on where they differ. */
static bool pw_equal(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	unsigned char d = la != lb;
	for (size_t i = 0; i < la && i < lb; i++)
		d |= (unsigned char)(a[i] ^ b[i]);
	return !d;
}

/* Whether the default login list asks for a user name: only the methods
 * that know users do (local, a server group). */
static bool aaa_wants_user(void)
{
	const struct aaa_list *l = aaa_list_find(AAA_AUTHEN_LOGIN, "default");
	for (int i = 0; l && i < l->nmeth; i++)
		if (l->meth[i].kind == AAA_M_LOCAL || l->meth[i].kind == AAA_M_GROUP)
			return true;
	return false;
}

static bool wants_user(const struct tconn *t)
{
	return t->login == LOGIN_LOCAL ||
	       (t->login == LOGIN_AAA && aaa_wants_user());
}

/* The default login list, method by method. A method that cannot answer
 * (no enable or line password set, a user the local database does not
 * know, a RADIUS group: iosim runs no RADIUS client, so the server is
 * unreachable) is an error and the next method is tried; a method that
 * answers decides. */
static bool aaa_login(struct tconn *t, const char *pw, unsigned *priv)
{
	const struct aaa_list *l = aaa_list_find(AAA_AUTHEN_LOGIN, "default");
	if (!l)
		return true;    /* removed meanwhile: the console stays open */
	const char *user = t->user ? t->user : "";
	for (int i = 0; i < l->nmeth; i++) {
		switch (l->meth[i].kind) {
		case AAA_M_NONE:
			return true;
		case AAA_M_LOCAL: {
			if (!aaa_user_exists(user))
				break;
			unsigned up = 0;
			bool ok = aaa_local_check(user, pw, &up);
			if (ok && up > *priv)
				*priv = up;
			return ok;
		}
		case AAA_M_ENABLE:
			if (core_enable_required())
				return core_enable_check(pw);
			break;
		case AAA_M_LINE: {
			const char *lp = line_password(LINE_CON, 0);
			if (lp)
				return pw_equal(lp, pw);
			break;
		}
		case AAA_M_IF_AUTHENTICATED:
		case AAA_M_GROUP:
			break;
		}
	}
	return false;
}

static void login_prompt(struct tconn *t)
{
	t->phase = wants_user(t) ? PH_USER : PH_PASS;
	tn_redraw(t);
}

/* No question at all: no login, `login` without a password, or an AAA
 * list that starts with none. */
static bool login_open(const struct tconn *t)
{
	if (t->login == LOGIN_LINE)
		return !line_password(LINE_CON, 0);
	if (t->login == LOGIN_AAA) {
		const struct aaa_list *l =
			aaa_list_find(AAA_AUTHEN_LOGIN, "default");
		return !l || (l->nmeth && l->meth[0].kind == AAA_M_NONE);
	}
	return t->login == LOGIN_NONE;
}

void tn_login_start(struct tconn *t)
{
	t->login = line_login_mode(LINE_CON, 0);
	if (login_open(t)) {
		tn_out_str(t, "\n");
		tn_exec_start(t, line_privilege(LINE_CON, 0));
		return;
	}
	tn_out_str(t, "\nUser Access Verification\n\n");
	login_prompt(t);
}

void tn_login_user(struct tconn *t, const char *name)
{
	if (!*name) {           /* IOS asks again for an empty name */
		tn_redraw(t);
		return;
	}
	xstrset(&t->user, name);
	t->phase = PH_PASS;
	tn_redraw(t);
}

/* Whether PW lets the user in; *priv may be raised by the user's own
 * privilege. */
static bool login_check(struct tconn *t, const char *pw, unsigned *priv)
{
	switch (t->login) {
	case LOGIN_NONE:
		return true;
	case LOGIN_LINE: {
		const char *lp = line_password(LINE_CON, 0);
		return !lp || pw_equal(lp, pw);
	}
	case LOGIN_LOCAL: {
		unsigned up = 0;
		bool ok = aaa_local_check(t->user ? t->user : "", pw, &up);
		if (ok && up > *priv)
			*priv = up;
		return ok;
	}
	case LOGIN_AAA:
		return aaa_login(t, pw, priv);
	}
	return false;
}

void tn_login_password(struct tconn *t, const char *pw)
{
	unsigned priv = line_privilege(LINE_CON, 0);
	if (login_check(t, pw, &priv)) {
		t->tries = 0;
		tn_exec_start(t, priv);
		return;
	}
	bool last = ++t->tries >= LOGIN_TRIES;
	if (t->login == LOGIN_LINE) {
		if (last)       /* a wrong one just asks again */
			tn_out_str(t, "% Bad passwords\n");
	} else if (t->login == LOGIN_LOCAL)
		tn_out_str(t, "% Login invalid\n\n");
	else
		tn_out_str(t, "% Authentication failed\n\n");
	if (last) {
		t->closing = true;
		return;
	}
	login_prompt(t);
}

/* A login prompt got no answer in time: IOS's words, then the connection
 * ends. */
void tn_login_expired(struct tconn *t)
{
	tn_out_str(t, t->phase == PH_USER ? "\n% Username:  timeout expired!\n"
					  : "\n% Password:  timeout expired!\n");
}
