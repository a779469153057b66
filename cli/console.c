/* The stdio console: GNU readline (callback interface, driven by the loop)
 * when stdin is a terminal; otherwise plain lines from a pipe, each echoed
 * after its prompt exactly as a terminal would show it, until EOF. */
#include "cli_cfg.h"
#include "console.h"
#include "session.h"

#include <errno.h>
#include <readline/history.h>
#include <readline/readline.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

static struct cli *con;
static ev_io stdin_w;
static bool tty;
static struct sbuf inbuf;        /* piped input not yet a whole line */
static size_t inoff;             /* inbuf before it is taken already */
static struct sbuf rawline;      /* tty: a password being typed */
static bool rl_active;

static void out_write(void *io, const char *s, size_t n)
{
	while (n) {
		ssize_t w = write(STDOUT_FILENO, s, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		s += w;
		n -= (size_t)w;
	}
}

static void out_str(const char *s)
{
	out_write(NULL, s, strlen(s));
}

static void logout(void *io)
{
	out_str("\n\n\n\n\n\n\n\n" "con0 is now available\n\n\n\n\n\n"
		"Press RETURN to get started.\n\n\n");
}

/* ---- piped input ---------------------------------------------------------- */

/* A line from a pipe, processed as if typed: '?' asks for help on what
 * precedes it and the rest of the line goes on being typed. */
static void pipe_line(char *line)
{
	char prompt[256];
	struct sbuf typed;
	sbuf_init(&typed);
	char *p = line;
	for (;;) {
		cli_session_prompt(con, prompt, sizeof prompt);
		char *q = cli_session_noecho(con) ? NULL : strchr(p, '?');
		if (!q)
			break;
		sbuf_add(&typed, p, (size_t)(q - p));
		out_str(prompt);
		out_str(typed.s ? typed.s : "");
		out_str("?\n");
		cli_session_help(con, typed.s ? typed.s : "");
		p = q + 1;
	}
	sbuf_puts(&typed, p);
	out_str(prompt);
	if (!cli_session_noecho(con))
		out_str(typed.s ? typed.s : "");
	out_str("\n");
	cli_session_line(con, typed.s ? typed.s : "");
	sbuf_free(&typed);
}

/* One line per loop iteration, so that what a line starts (a reload, a
 * timer) happens before the next line is read, as it would when typed. */
static ev_idle pipe_more;
static bool pipe_eof;

static bool pipe_take_line(void)
{
	const char *s = inbuf.s + inoff;
	size_t left = inbuf.len - inoff;
	char *nl = left ? memchr(s, '\n', left) : NULL;
	if (!nl && !(pipe_eof && left))
		return false;
	size_t n = nl ? (size_t)(nl - s) : left;
	/* a NUL byte is dropped, as a terminal line discipline would (CR NUL
	 * is how telnet sends a bare CR); the rest of the line stays */
	char *line = xmalloc(n + 1);
	size_t len = 0;
	for (size_t i = 0; i < n; i++)
		if (s[i])
			line[len++] = s[i];
	line[len] = '\0';
	if (len && line[len - 1] == '\r')
		line[len - 1] = '\0';
	/* the rest moves to the front only before the next read, not after
	 * each line (a 64 KB read holds a thousand lines) */
	inoff += nl ? n + 1 : n;
	pipe_line(line);
	free(line);
	return true;
}

static void pipe_step(struct ev_loop *loop)
{
	if (cli_session_held(con)) {
		/* a command (ping) runs on: the next line waits for it, as
		 * typing would; console_resume() comes back here */
		ev_io_stop(loop, &stdin_w);
		ev_idle_stop(loop, &pipe_more);
		return;
	}
	if (pipe_take_line()) {
		ev_io_stop(loop, &stdin_w);
		ev_idle_start(loop, &pipe_more);
		return;
	}
	ev_idle_stop(loop, &pipe_more);
	if (!pipe_eof) {
		ev_io_start(loop, &stdin_w);
		return;
	}
	char prompt[256];                       /* EOF: the last prompt, stop */
	cli_session_prompt(con, prompt, sizeof prompt);
	out_str(prompt);
	out_str("\n");
	ev_break(loop, EVBREAK_ALL);
}

static void pipe_idle(struct ev_loop *loop, ev_idle *w, int revents)
{
	pipe_step(loop);
}

static void pipe_read(struct ev_loop *loop, ev_io *w, int revents)
{
	char buf[65536];
	if (inoff) {
		memmove(inbuf.s, inbuf.s + inoff, inbuf.len - inoff);
		inbuf.len -= inoff;
		inbuf.s[inbuf.len] = '\0';
		inoff = 0;
	}
	ssize_t n = read(STDIN_FILENO, buf, sizeof buf);
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n > 0)
		sbuf_add(&inbuf, buf, (size_t)n);
	else
		pipe_eof = true;
	pipe_step(loop);
}

/* ---- readline on a terminal ------------------------------------------------ */

static void rl_line(char *line);

static void rl_install(void)
{
	if (cli_session_held(con))
		return;           /* no prompt while a command runs on */
	char prompt[256];
	cli_session_prompt(con, prompt, sizeof prompt);
	if (cli_session_noecho(con) || cli_session_paging(con)) {
		if (rl_active)
			rl_callback_handler_remove();
		rl_active = false;
		if (cli_session_noecho(con))
			out_str(prompt);
		return;
	}
	if (rl_active)
		rl_callback_handler_remove();
	rl_callback_handler_install(prompt, rl_line);
	rl_active = true;
}

static void rl_line(char *line)
{
	if (!line) {                    /* Ctrl-D at an empty line */
		out_str("\n");
		free(line);
		line = xstrdup("exit");
	}
	if (*line)
		add_history(line);
	rl_callback_handler_remove();
	rl_active = false;
	cli_session_line(con, line);
	free(line);
	rl_install();
}

static int rl_help(int count, int key)
{
	out_str("?\n");
	cli_session_help(con, rl_line_buffer);
	rl_on_new_line();
	rl_redisplay();
	return 0;
}

static int rl_complete_word(int count, int key)
{
	char *c = cli_session_complete(con, rl_line_buffer);
	if (!c)
		return 0;
	/* replace the partial last word with the completion */
	int start = rl_point;
	while (start > 0 && rl_line_buffer[start - 1] != ' ')
		start--;
	rl_delete_text(start, rl_point);
	rl_point = start;
	rl_insert_text(c);
	char **all;
	int n = cli_session_candidates(con, rl_line_buffer, &all);
	if (n == 1)
		rl_insert_text(" ");
	for (int i = 0; i < n; i++)
		free(all[i]);
	free(all);
	free(c);
	return 0;
}

static int rl_ctrl_z(int count, int key)
{
	out_str("^Z\n");
	rl_replace_line("", 0);
	rl_callback_handler_remove();
	rl_active = false;
	char z[2] = {0x1a, 0};
	cli_session_line(con, z);
	rl_install();
	return 0;
}

/* Ctrl-^ (Ctrl-Shift-6), IOS's escape sequence: stops a running ping */
#define ESCAPE_CHAR 0x1e

static void tty_read(struct ev_loop *loop, ev_io *w, int revents)
{
	if (cli_session_held(con)) {
		char ch;
		if (read(STDIN_FILENO, &ch, 1) == 1 && ch == ESCAPE_CHAR)
			cli_session_escape(con);
		return;
	}
	if (cli_session_paging(con) || cli_session_noecho(con)) {
		char ch;
		ssize_t n = read(STDIN_FILENO, &ch, 1);
		if (n <= 0)
			return;
		if (cli_session_paging(con)) {
			cli_session_pager_key(con, ch);
		} else if (ch == '\r' || ch == '\n') {
			out_str("\n");
			char *l = sbuf_take(&rawline);
			cli_session_line(con, l);
			free(l);
		} else if (ch == 127 || ch == 8) {
			if (rawline.len)
				rawline.s[--rawline.len] = '\0';
		} else {
			sbuf_add(&rawline, &ch, 1);
		}
		if (!cli_session_paging(con) && !cli_session_noecho(con))
			rl_install();
		return;
	}
	rl_callback_read_char();
}

/* A log line on the readline terminal, as `logging synchronous` on line
 * con 0 says. With it, the line goes below the partly typed input and
 * readline draws the prompt and the input again (rl_forced_update_display).
 * Without it the line is written where the cursor is, from a new line, and
 * the cursor stays at its end, as on IOS: readline still holds the whole
 * input and goes on echoing after the message. */
static void tty_log_line(const char *line)
{
	if (!line_logging_synchronous(LINE_CON, 0)) {
		out_str("\n");
		out_str(line);
		return;
	}
	int point = rl_point;
	rl_point = rl_end;              /* below all of the input */
	rl_redisplay();
	out_str("\n");
	out_str(line);
	out_str("\n");
	rl_point = point;
	rl_forced_update_display();
}

static void console_sink(const char *line, int sev)
{
	for (struct cli *c = cli_session_first(); c; c = cli_session_next(c))
		if (c != con)
			cli_session_async(c, line);
	if (!con || cli_session_defer(con, line))
		return;
	if (!tty || !rl_active) {
		out_str(line);
		out_str("\n");
		return;
	}
	tty_log_line(line);
}

void console_log_sink_install(void)
{
	log_set_console_sink(console_sink);
}

static void tty_setup(void)
{
	struct termios t;
	if (tcgetattr(STDIN_FILENO, &t) == 0) {
		/* Ctrl-Z ends configuration mode; it must not suspend us */
		t.c_cc[VSUSP] = _POSIX_VDISABLE;
		tcsetattr(STDIN_FILENO, TCSANOW, &t);
	}
	rl_catch_signals = 0;
	rl_bind_key('?', rl_help);
	rl_bind_key('\t', rl_complete_word);
	rl_bind_key(0x1a, rl_ctrl_z);
}

/* A held command finished: the prompt again, or the next piped line. */
static void console_resume(void *io)
{
	if (tty)
		rl_install();
	else
		ev_idle_start(core_loop, &pipe_more);
}

void console_stdio_start(void)
{
	tty = isatty(STDIN_FILENO);
	struct cli_io io = {.write = out_write, .logout = logout,
			    .resume = console_resume,
			    .terminal = tty, .origin = "console"};
	con = cli_session_new(&io, MODE_USER);
	sbuf_init(&inbuf);
	inoff = 0;
	sbuf_init(&rawline);
	if (tty) {
		tty_setup();
		ev_io_init(&stdin_w, tty_read, STDIN_FILENO, EV_READ);
		rl_install();
	} else {
		ev_io_init(&stdin_w, pipe_read, STDIN_FILENO, EV_READ);
		ev_idle_init(&pipe_more, pipe_idle);
	}
	ev_io_start(core_loop, &stdin_w);
}

void console_stdio_stop(void)
{
	if (tty && rl_active) {
		rl_callback_handler_remove();
		rl_active = false;
	}
	if (con) {
		cli_session_free(con);
		con = NULL;
	}
	if (!tty)
		ev_idle_stop(core_loop, &pipe_more);
	sbuf_free(&inbuf);
	inoff = 0;
	sbuf_free(&rawline);
}
