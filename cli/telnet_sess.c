/* The cli session behind the telnet console's editor, and the lines it
 * writes. Inside a session call the output belongs to the command being
 * run; anything else is an asynchronous line (syslog), and how that one
 * meets the line being typed is `logging synchronous` on line con 0:
 *
 *   with it, the message is printed on its own line and then the prompt
 *   and the partly typed text are printed again below it;
 *   without it, the message is written where the cursor is (IOS starts it
 *   on a new line and leaves the cursor at its end), so what the user
 *   types next goes on after it, interleaved, as on IOS; the line being
 *   edited is the same either way.
 *
 * Kept apart so that the editor and the login know the session only
 * through a few questions (hidden? paging? held?) and calls. */
#include "telnet_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the session's state, as the screen needs it --------------------------- */

bool tn_hidden(const struct tconn *t)
{
	return t->phase == PH_PASS ||
	       (t->phase == PH_EXEC && cli_session_noecho(t->cli));
}

bool tn_paging(const struct tconn *t)
{
	return t->phase == PH_EXEC && cli_session_paging(t->cli);
}

/* A command (ping) runs on after its line: its output is not an
 * asynchronous line, and no prompt shows until it is over. */
bool tn_held(const struct tconn *t)
{
	return t->phase == PH_EXEC && t->cli && cli_session_held(t->cli);
}

void tn_prompt_text(struct tconn *t, char *buf, size_t n)
{
	if (t->phase == PH_USER)
		snprintf(buf, n, "Username: ");
	else if (t->phase == PH_PASS)
		snprintf(buf, n, "Password: ");
	else
		cli_session_prompt(t->cli, buf, n);
}

/* Mode prompts always end in '>' or '#'; anything else is a question
 * (Password:, [confirm], filename?). */
bool tn_asking(struct tconn *t)
{
	char prompt[256];
	cli_session_prompt(t->cli, prompt, sizeof prompt);
	size_t n = strlen(prompt);
	return !n || (prompt[n - 1] != '#' && prompt[n - 1] != '>');
}

/* ---- what the session writes ------------------------------------------------- */

/* An asynchronous line, as logging synchronous says (see the top of the
 * file). cli_session_async writes the text and its "\n" apart. */
static void async_write(struct tconn *t, const char *s, size_t n)
{
	bool sync = line_logging_synchronous(LINE_CON, 0);
	bool ends = n && s[n - 1] == '\n';
	if (!t->async_open) {
		tn_out_str(t, "\n");
		t->async_open = true;
	}
	/* without logging synchronous the cursor stays at the message's
	 * end: the next message (or Enter) starts the next line */
	tn_out_text(t, s, ends && !sync ? n - 1 : n);
	if (!ends)
		return;
	t->async_open = false;
	if (sync)
		tn_redraw(t);
}

static void sess_write(void *io, const char *s, size_t n)
{
	struct tconn *t = io;
	if (t->busy || tn_held(t))
		tn_out_text(t, s, n);
	else
		async_write(t, s, n);
}

static void sess_logout(void *io)
{
	struct tconn *t = io;
	t->closing = true;
}

/* The held command is over: the prompt comes back. */
static void sess_resume(void *io)
{
	struct tconn *t = io;
	if (!t->closing && !tn_paging(t))
		tn_redraw(t);
}

void tn_exec_start(struct tconn *t, unsigned priv)
{
	struct cli_io io = {.write = sess_write, .logout = sess_logout,
			    .resume = sess_resume,
			    .io = t, .terminal = true, .origin = "console"};
	t->cli = cli_session_new(&io, priv >= 15 ? MODE_EXEC : MODE_USER);
	t->phase = PH_EXEC;
	free(t->user);
	t->user = NULL;
	tn_redraw(t);
}

/* ---- session calls ------------------------------------------------------------ */

void tn_run_line(struct tconn *t, const char *line)
{
	t->busy = true;
	cli_session_line(t->cli, line);
	t->busy = false;
}

void tn_run_help(struct tconn *t, const char *line)
{
	t->busy = true;
	cli_session_help(t->cli, line);
	t->busy = false;
}

void tn_run_escape(struct tconn *t)
{
	t->busy = true;
	cli_session_escape(t->cli);
	t->busy = false;
}

void tn_run_pager_key(struct tconn *t, int k)
{
	t->busy = true;
	cli_session_pager_key(t->cli, k);
	t->busy = false;
}

void tn_after_command(struct tconn *t)
{
	if (!t->closing && !tn_paging(t) && !tn_held(t))
		tn_redraw(t);
}
