/* The telnet console's line editor: one key at a time, as IOS edits a line
 * on a terminal. It keeps the line being typed and the history, echoes
 * what is typed (never a password), and gives each key its meaning:
 * Enter, `?` help, TAB completion, Ctrl-Z, Ctrl-C, the Emacs-style editing
 * keys and the arrows.
 *
 * It echoes whether or not the client agreed to the ECHO option, as IOS
 * does: a client that refused it (telnetlib and the automation built on
 * it) reads each command back before the command's output. Kept apart
 * from the protocol and the session so that what is on the screen is
 * decided in one place. */
#include "telnet_int.h"

#include <stdlib.h>
#include <string.h>

/* ---- what is on the screen ----------------------------------------------- */

static void echo(struct tconn *t, const char *s, size_t n)
{
	if (!tn_hidden(t))
		tn_out_text(t, s, n);
}

static void echo_n(struct tconn *t, char ch, size_t n)
{
	char buf[64];
	memset(buf, ch, sizeof buf);
	while (n) {
		size_t k = n < sizeof buf ? n : sizeof buf;
		echo(t, buf, k);
		n -= k;
	}
}

static void bell(struct tconn *t)
{
	tn_out_raw(t, "\a", 1);
}

void tn_redraw(struct tconn *t)
{
	if (tn_paging(t)) {
		tn_out_str(t, " --More-- ");
		return;
	}
	char prompt[256];
	tn_prompt_text(t, prompt, sizeof prompt);
	tn_out_str(t, prompt);
	echo(t, t->line, t->len);
	echo_n(t, '\b', t->len - t->cur);
}

/* ---- editing the line ----------------------------------------------------- */

static void ed_move(struct tconn *t, size_t pos)
{
	if (pos < t->cur)
		echo_n(t, '\b', t->cur - pos);
	else
		echo(t, t->line + t->cur, pos - t->cur);
	t->cur = pos;
}

static void ed_insert(struct tconn *t, char ch)
{
	if (t->len >= LINE_LEN) {
		bell(t);
		return;
	}
	memmove(t->line + t->cur + 1, t->line + t->cur, t->len - t->cur);
	t->line[t->cur] = ch;
	t->len++;
	echo(t, t->line + t->cur, t->len - t->cur);
	t->cur++;
	echo_n(t, '\b', t->len - t->cur);
}

/* Delete [from, to) with the cursor at or after FROM; the rest of the line
 * is redrawn over the gap. */
static void ed_erase(struct tconn *t, size_t from, size_t to)
{
	if (to <= from)
		return;
	size_t gap = to - from;
	echo_n(t, '\b', t->cur - from);
	memmove(t->line + from, t->line + to, t->len - to);
	t->len -= gap;
	t->cur = from;
	echo(t, t->line + from, t->len - from);
	echo_n(t, ' ', gap);
	echo_n(t, '\b', t->len - from + gap);
}

static void ed_kill_word(struct tconn *t)
{
	size_t from = t->cur;
	while (from && t->line[from - 1] == ' ')
		from--;
	while (from && t->line[from - 1] != ' ')
		from--;
	ed_erase(t, from, t->cur);
}

/* Replace the whole line (history recall). */
static void ed_set(struct tconn *t, const char *s)
{
	ed_erase(t, 0, t->len);
	size_t n = strlen(s);
	if (n > LINE_LEN)
		n = LINE_LEN;
	memcpy(t->line, s, n);
	t->len = t->cur = n;
	echo(t, t->line, n);
}

/* The typed line as a string (caller frees). */
static char *ed_text(const struct tconn *t)
{
	char *s = xmalloc(t->len + 1);
	memcpy(s, t->line, t->len);
	s[t->len] = '\0';
	return s;
}

/* The same, and the editor is emptied. */
static char *ed_take(struct tconn *t)
{
	char *s = ed_text(t);
	explicit_bzero(t->line, t->len);   /* it may have been a password */
	t->len = t->cur = 0;
	return s;
}

/* ---- history ---------------------------------------------------------------- */

static void hist_add(struct tconn *t, const char *line)
{
	if (t->nhist && !strcmp(t->hist[t->nhist - 1], line)) {
		t->hpos = t->nhist;
		return;
	}
	if (t->nhist == HIST_MAX) {
		free(t->hist[0]);
		memmove(t->hist, t->hist + 1, (HIST_MAX - 1) * sizeof t->hist[0]);
		t->nhist--;
	}
	t->hist[t->nhist++] = xstrdup(line);
	t->hpos = t->nhist;
}

static void hist_step(struct tconn *t, int dir)
{
	int pos = t->hpos + dir;
	if (pos < 0 || pos > t->nhist) {
		bell(t);
		return;
	}
	t->hpos = pos;
	ed_set(t, pos < t->nhist ? t->hist[pos] : "");
}

void tn_ed_clear(struct tconn *t)
{
	for (int i = 0; i < t->nhist; i++)
		free(t->hist[i]);
	t->nhist = t->hpos = 0;
	explicit_bzero(t->line, sizeof t->line);
	t->len = t->cur = 0;
}

/* ---- keys that hand the line on --------------------------------------------- */

static void key_enter(struct tconn *t)
{
	bool was_hidden = tn_hidden(t);
	char *line = ed_take(t);
	tn_out_str(t, "\n");
	switch (t->phase) {
	case PH_USER:
		tn_login_user(t, line);
		break;
	case PH_PASS:
		tn_login_password(t, line);
		break;
	case PH_EXEC:
		if (!was_hidden && *line)
			hist_add(t, line);
		t->hpos = t->nhist;
		tn_run_line(t, line);
		tn_after_command(t);
		break;
	}
	explicit_bzero(line, strlen(line));
	free(line);
}

/* `?`: help for what is typed so far, then the prompt and the text again. */
static void key_help(struct tconn *t)
{
	ed_move(t, t->len);
	echo(t, "?", 1);
	tn_out_str(t, "\n");
	char *line = ed_text(t);
	tn_run_help(t, line);
	free(line);
	tn_after_command(t);
}

/* TAB completes the last word when exactly one keyword fits, as IOS does;
 * otherwise IOS shows the line again below. */
static void key_tab(struct tconn *t)
{
	ed_move(t, t->len);
	size_t ws = t->len;
	while (ws && t->line[ws - 1] != ' ')
		ws--;
	if (ws == t->len)
		return;
	char *line = ed_text(t);
	char **cand;
	int n = cli_session_candidates(t->cli, line, &cand);
	if (n == 1 && ws + strlen(cand[0]) + 1 <= LINE_LEN) {
		/* keep what was typed when it is the keyword's own
		 * spelling, else retype the word in the keyword's case */
		size_t typed = t->len - ws;
		if (strncmp(cand[0], t->line + ws, typed)) {
			ed_erase(t, ws, t->len);
			typed = 0;
		}
		for (const char *p = cand[0] + typed; *p; p++)
			ed_insert(t, *p);
		ed_insert(t, ' ');
	} else {
		tn_out_str(t, "\n");
		tn_redraw(t);
	}
	for (int i = 0; i < n; i++)
		free(cand[i]);
	free(cand);
	free(line);
}

/* Ctrl-Z in a configuration mode runs what is typed, then ends the
 * configuration session, echoing "^Z". */
static void key_ctrl_z(struct tconn *t)
{
	if (cli_mode(t->cli) < MODE_CONFIG || tn_asking(t))
		return;
	ed_move(t, t->len);
	echo(t, "^Z", 2);
	tn_out_str(t, "\n");
	char *line = ed_take(t);
	if (*line) {
		hist_add(t, line);
		tn_run_line(t, line);
	}
	if (!t->closing && cli_mode(t->cli) >= MODE_CONFIG && !tn_asking(t))
		tn_run_line(t, "\x1a");
	free(line);
	tn_after_command(t);
}

/* Ctrl-C abandons the line; in a configuration mode it also leaves for
 * privileged EXEC, as IOS does ("^C" then "Router#"). */
static void key_ctrl_c(struct tconn *t)
{
	ed_move(t, t->len);
	echo(t, "^C", 2);
	tn_out_str(t, "\n");
	free(ed_take(t));
	t->hpos = t->nhist;
	if (t->phase == PH_EXEC && cli_mode(t->cli) >= MODE_CONFIG &&
	    !tn_asking(t))
		tn_run_line(t, "\x1a");
	tn_after_command(t);
}

/* ---- dispatch ------------------------------------------------------------------ */

static bool printable(int k)
{
	return k >= 0x20 && k < 0x100 && k != 0x7f;
}

/* A key at a password prompt: nothing is echoed and nothing but the text
 * itself can be edited. */
static void key_hidden(struct tconn *t, int k)
{
	if (k == '\r')
		key_enter(t);
	else if (k == 0x7f || k == CTRL('H'))
		ed_erase(t, t->len ? t->len - 1 : 0, t->len);
	else if (k == CTRL('U') || k == CTRL('X'))
		ed_erase(t, 0, t->len);
	else if (k == CTRL('C') && t->phase == PH_EXEC)
		key_ctrl_c(t);
	else if (printable(k))
		ed_insert(t, (char)k);
}

/* The editing keys, in every phase. False when K is not one. */
static bool key_edit(struct tconn *t, int k)
{
	switch (k) {
	case 0x7f:
	case CTRL('H'):
		if (t->cur)
			ed_erase(t, t->cur - 1, t->cur);
		return true;
	case K_DEL:
	case CTRL('D'):
		ed_erase(t, t->cur, t->cur < t->len ? t->cur + 1 : t->cur);
		return true;
	case CTRL('U'):
	case CTRL('X'):
		ed_erase(t, 0, t->cur);
		return true;
	case CTRL('K'):
		ed_erase(t, t->cur, t->len);
		return true;
	case CTRL('W'):
		ed_kill_word(t);
		return true;
	case K_HOME:
	case CTRL('A'):
		ed_move(t, 0);
		return true;
	case K_END:
	case CTRL('E'):
		ed_move(t, t->len);
		return true;
	case K_LEFT:
	case CTRL('B'):
		if (t->cur)
			ed_move(t, t->cur - 1);
		return true;
	case K_RIGHT:
	case CTRL('F'):
		if (t->cur < t->len)
			ed_move(t, t->cur + 1);
		return true;
	case CTRL('L'):
	case CTRL('R'):
		tn_out_str(t, "\n");
		tn_redraw(t);
		return true;
	}
	return false;
}

/* The keys that mean something only in the EXEC. False when K is not
 * one. */
static bool key_exec(struct tconn *t, int k)
{
	switch (k) {
	case K_UP:
	case CTRL('P'):
		hist_step(t, -1);
		return true;
	case K_DOWN:
	case CTRL('N'):
		hist_step(t, 1);
		return true;
	case CTRL('C'):
		key_ctrl_c(t);
		return true;
	case CTRL('Z'):
		key_ctrl_z(t);
		return true;
	case '\t':
		key_tab(t);
		return true;
	case '?':
		key_help(t);
		return true;
	}
	return false;
}

void tn_key(struct tconn *t, int k)
{
	if (tn_held(t)) {
		/* Ctrl-^ (Ctrl-Shift-6), IOS's escape sequence, stops it */
		if (k == 0x1e)
			tn_run_escape(t);
		return;
	}
	if (tn_paging(t)) {
		tn_run_pager_key(t, k == '\r' ? '\r' : k > 0xff ? 'q' : k);
		if (!tn_paging(t))
			tn_redraw(t);
		return;
	}
	if (tn_hidden(t)) {
		key_hidden(t, k);
		return;
	}
	if (k == '\r') {
		key_enter(t);
		return;
	}
	if (key_edit(t, k))
		return;
	if (t->phase == PH_EXEC && key_exec(t, k))
		return;
	if (printable(k))
		ed_insert(t, (char)k);
}
