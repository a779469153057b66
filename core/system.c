/* The router as a whole: its hostname, the enable secret/password, and
 * reload (the commands are in cli/sys_cmds.c; the rebuild itself is the
 * router assembly's, router/). */
#include "core.h"
#include "core_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char hostname[64] = "Router";
static char *enable_secret;    /* "$1$salt$hash" (IOS type 5) */
static char *enable_password;  /* plain (IOS type 0) */

const char *core_hostname(void)
{
	return hostname;
}

void core_set_hostname(const char *name)
{
	snprintf(hostname, sizeof hostname, "%s", name ? name : "Router");
}

/* ---- enable secret (type 5, as 12.x stores it) and enable password ---- */

bool core_enable_required(void)
{
	return enable_secret || enable_password;
}

bool core_enable_check(const char *pw)
{
	if (enable_secret)
		return secret5_check(enable_secret, pw);
	if (enable_password)
		return strcmp(pw, enable_password) == 0;
	return true;
}

void core_set_enable_secret(const char *hash)
{
	xstrset(&enable_secret, hash);
}

void core_set_enable_password(const char *clear)
{
	xstrset(&enable_password, clear);
}

const char *core_enable_secret(void)
{
	return enable_secret;
}

const char *core_enable_password(void)
{
	return enable_password;
}

/* ---- reload ------------------------------------------------------------ */

/* A reload rebuilds the router after the command (or the event) that
 * asked for it has unwound: from the loop, never from inside a handler
 * that the rebuild would free. The reason survives the rebuild, as the
 * reload reason of a real router survives its restart. */
static ev_timer reload_timer;
static void (*rebuild)(void);
static char *pending_reason, *last_reason;

void core_set_rebuild(void (*fn)(void))
{
	rebuild = fn;
}

static void reload_now(struct ev_loop *loop, ev_timer *w, int revents)
{
	free(last_reason);
	last_reason = pending_reason;
	pending_reason = NULL;
	if (rebuild)
		rebuild();
}

void core_reload(const char *reason)
{
	if (pending_reason)      /* one is on its way */
		return;
	pending_reason = xstrdup(reason ? reason : "Reload Command");
	ev_timer_init(&reload_timer, reload_now, 0.0, 0.0);
	ev_timer_start(core_loop, &reload_timer);
}

bool core_reload_pending(void)
{
	return pending_reason != NULL;
}

const char *core_reload_reason(void)
{
	return last_reason;
}

static void system_reset(void)
{
	core_set_hostname(NULL);
	free(enable_secret);
	free(enable_password);
	enable_secret = enable_password = NULL;
}

static const struct subsys system_subsys = {"system", system_reset};

void system_init(void)
{
	core_register_subsys(&system_subsys);
}
