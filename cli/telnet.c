/* The console as a telnet server (--console tcp:ADDR:PORT), the way lab
 * tools such as GNS3 serve a router's console port.
 *
 * One session at a time: a second connection is told the console is in use
 * and closed. The server negotiates RFC 854 options on connect (it echoes,
 * RFC 857; no go-aheads, RFC 858), logs the user in as `line con 0` says,
 * then runs a character-at-a-time line editor in front of a cli session:
 * `?` help, TAB completion, Ctrl-Z, Ctrl-C, history, and syslog lines
 * printed above the input line, which is then redrawn.
 *
 * Nothing here blocks the loop: the socket is non-blocking, output is
 * queued and written when the socket is writable, and a peer that stops
 * reading is dropped once the queue passes OUT_MAX. A connection is only
 * freed from our own watchers, never from inside a session callback (the
 * session and the log sink may still be on the stack). */
#include "cli_cfg.h"
#include "console.h"
#include "session.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>


#define LINE_LEN 4096           /* longest input line; more rings the bell */
#define OUT_MAX (1024 * 1024)   /* queued output before a peer is dropped */
#define SB_MAX 512              /* longest subnegotiation we wait out */
#define HIST_MAX 10             /* IOS's default history size */
#define LOGIN_TRIES 3

#define MSG_IN_USE "% Console is in use by another session\r\n"

/* RFC 854 commands and the options we talk about */
enum {
	T_SE = 240, T_NOP = 241, T_DM = 242, T_BRK = 243, T_IP = 244,
	T_AO = 245, T_AYT = 246, T_EC = 247, T_EL = 248, T_GA = 249,
	T_SB = 250, T_WILL = 251, T_WONT = 252, T_DO = 253, T_DONT = 254,
	T_IAC = 255,
};
enum { OPT_ECHO = 1, OPT_SGA = 3, OPT_LINEMODE = 34 };

/* An option's state on one side (RFC 1143, without the queue bit: we never
 * change our mind, so a request is never outstanding in both ways). */
enum qstate { Q_NO, Q_YES, Q_WANTYES };

enum tn_state { TS_DATA, TS_IAC, TS_OPT, TS_SB, TS_SB_IAC };
enum esc_state { ES_NONE, ES_ESC, ES_CSI };
enum phase { PH_USER, PH_PASS, PH_EXEC };

/* keys decoded from escape sequences, beyond the byte range */
enum { K_UP = 256, K_DOWN, K_LEFT, K_RIGHT, K_HOME, K_END, K_DEL };

#define CTRL(c) ((c) & 0x1f)

struct tconn {
	int fd;
	ev_io rw, ww;
	ev_timer idle;               /* exec-timeout */
	struct sbuf out;             /* queued output, from out_off on */
	size_t out_off;
	bool out_cr;                 /* the last byte queued was '\r' */
	/* telnet input */
	enum tn_state ts;
	unsigned char verb;          /* DO/DONT/WILL/WONT awaiting its option */
	size_t sb_len;
	bool after_cr;               /* swallow the LF or NUL of CR LF / CR NUL */
	unsigned char us[256], him[256];   /* enum qstate per option */
	/* escape sequences (arrow keys) */
	enum esc_state es;
	char esc[8];
	size_t esc_len;
	/* the line being typed */
	char line[LINE_LEN + 1];
	size_t len, cur;
	char *hist[HIST_MAX];
	int nhist, hpos;
	/* login, then the session */
	enum phase phase;
	enum line_login login;
	int tries;
	char *user;
	struct cli *cli;
	bool busy;                   /* inside a session call: output is the command's */
	bool async_open;             /* an asynchronous line is half written */
	bool closing;                /* logged out or login failed: close when safe */
	bool dead;                   /* the peer is gone or stopped reading */
};

static int lfd = -1;
static ev_io accept_w;
static ev_timer accept_pause_w;  /* out of descriptors: retry accept later */
static ev_timer reap_w;          /* closes a dead connection from the loop */
static struct tconn *conn;       /* the console session, or NULL */

static void conn_close(struct tconn *t);

/* ---- output ----------------------------------------------------------------- */

static size_t out_pending(const struct tconn *t)
{
	return t->out.len - t->out_off;
}

/* The peer stopped reading or the socket failed. We may be deep inside a
 * session or the log sink, so the connection is closed from the loop. */
static void conn_fail(struct tconn *t)
{
	if (t->dead)
		return;
	t->dead = true;
	ev_io_stop(core_loop, &t->rw);
	ev_io_stop(core_loop, &t->ww);
	ev_timer_stop(core_loop, &t->idle);
	ev_timer_set(&reap_w, 0., 0.);
	ev_timer_start(core_loop, &reap_w);
}

static void out_raw(struct tconn *t, const void *p, size_t n)
{
	if (t->dead || !n)
		return;
	sbuf_add(&t->out, p, n);
	if (out_pending(t) > OUT_MAX) {
		conn_fail(t);
		return;
	}
	if (!ev_is_active(&t->ww))
		ev_io_start(core_loop, &t->ww);
}

/* Text for the terminal: "\n" becomes "\r\n" (NVT end of line) and a 255
 * byte is doubled so that it is not taken for IAC. */
static void out_text(struct tconn *t, const char *s, size_t n)
{
	size_t start = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];
		bool cr_before = i ? s[i - 1] == '\r' : t->out_cr;
		if (ch == '\n' && !cr_before) {
			out_raw(t, s + start, i - start);
			out_raw(t, "\r\n", 2);
			start = i + 1;
		} else if (ch == T_IAC) {
			out_raw(t, s + start, i + 1 - start);
			out_raw(t, "\xff", 1);
			start = i + 1;
		}
	}
	out_raw(t, s + start, n - start);
	if (n)
		t->out_cr = s[n - 1] == '\r';
}

static void out_str(struct tconn *t, const char *s)
{
	out_text(t, s, strlen(s));
}

/* Write what the socket takes now. False when the connection failed. */
static bool out_flush(struct tconn *t)
{
	while (out_pending(t)) {
		ssize_t w = send(t->fd, t->out.s + t->out_off, out_pending(t),
				 MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (w <= 0)
			return false;
		t->out_off += (size_t)w;
	}
	if (!out_pending(t)) {
		sbuf_reset(&t->out);
		t->out_off = 0;
	} else if (t->out_off > 65536 && t->out_off > t->out.len / 2) {
		memmove(t->out.s, t->out.s + t->out_off, out_pending(t));
		t->out.len -= t->out_off;
		t->out_off = 0;
	}
	return true;
}

static void write_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct tconn *t = w->data;
	if (!out_flush(t)) {
		conn_close(t);
		return;
	}
	if (!out_pending(t))
		ev_io_stop(loop, w);
}

/* ---- telnet options ------------------------------------------------------------ */

static void tn_send(struct tconn *t, unsigned char verb, unsigned char opt)
{
	unsigned char b[3] = {T_IAC, verb, opt};
	out_raw(t, b, sizeof b);
}

/* Options we perform (WILL): we echo and we send no go-aheads. */
static bool us_supported(unsigned char opt)
{
	return opt == OPT_ECHO || opt == OPT_SGA;
}

/* Options we let the peer perform (DO): it may drop go-aheads too. */
static bool him_supported(unsigned char opt)
{
	return opt == OPT_SGA;
}

/* Answer one DO/DONT/WILL/WONT. Only a change of state is answered (a
 * request for the state an option is already in draws nothing), which is
 * what keeps two parties from negotiating forever. */
static void tn_negotiate(struct tconn *t, unsigned char verb, unsigned char opt)
{
	switch (verb) {
	case T_DO:
		if (!us_supported(opt)) {
			tn_send(t, T_WONT, opt);
			break;
		}
		if (t->us[opt] == Q_NO)
			tn_send(t, T_WILL, opt);
		t->us[opt] = Q_YES;
		break;
	case T_DONT:
		if (t->us[opt] == Q_YES)
			tn_send(t, T_WONT, opt);
		t->us[opt] = Q_NO;
		break;
	case T_WILL:
		if (!him_supported(opt)) {
			tn_send(t, T_DONT, opt);
			break;
		}
		if (t->him[opt] == Q_NO)
			tn_send(t, T_DO, opt);
		t->him[opt] = Q_YES;
		break;
	case T_WONT:
		if (t->him[opt] == Q_YES)
			tn_send(t, T_DONT, opt);
		t->him[opt] = Q_NO;
		break;
	}
}

/* What a router's console server says first: it echoes, it sends no
 * go-aheads and asks the same of the client, and it wants no LINEMODE
 * (characters must come one at a time for `?` and TAB to work). */
static void tn_start(struct tconn *t)
{
	tn_send(t, T_WILL, OPT_ECHO);
	t->us[OPT_ECHO] = Q_WANTYES;
	tn_send(t, T_WILL, OPT_SGA);
	t->us[OPT_SGA] = Q_WANTYES;
	tn_send(t, T_DO, OPT_SGA);
	t->him[OPT_SGA] = Q_WANTYES;
	tn_send(t, T_DONT, OPT_LINEMODE);
}

/* We echo unless the client refused it (then it echoes locally). */
static bool remote_echo(const struct tconn *t)
{
	return t->us[OPT_ECHO] != Q_NO;
}

/* ---- what is on the screen ------------------------------------------------------- */

static bool hidden(const struct tconn *t)
{
	return t->phase == PH_PASS ||
	       (t->phase == PH_EXEC && cli_session_noecho(t->cli));
}

static bool paging(const struct tconn *t)
{
	return t->phase == PH_EXEC && cli_session_paging(t->cli);
}

/* A command (ping) runs on after its line: its output is not an
 * asynchronous line, and no prompt shows until it is over. */
static bool held(const struct tconn *t)
{
	return t->phase == PH_EXEC && t->cli && cli_session_held(t->cli);
}

static bool echo_on(const struct tconn *t)
{
	return remote_echo(t) && !hidden(t);
}

static void echo(struct tconn *t, const char *s, size_t n)
{
	if (echo_on(t))
		out_text(t, s, n);
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
	out_raw(t, "\a", 1);
}

static void prompt_text(struct tconn *t, char *buf, size_t n)
{
	if (t->phase == PH_USER)
		snprintf(buf, n, "Username: ");
	else if (t->phase == PH_PASS)
		snprintf(buf, n, "Password: ");
	else
		cli_session_prompt(t->cli, buf, n);
}

/* The prompt, the line typed so far (unless hidden) and the cursor; or the
 * pager's --More-- when a page is waiting for a key. */
static void redraw(struct tconn *t)
{
	if (paging(t)) {
		out_str(t, " --More-- ");
		return;
	}
	char prompt[256];
	prompt_text(t, prompt, sizeof prompt);
	out_str(t, prompt);
	echo(t, t->line, t->len);
	echo_n(t, '\b', t->len - t->cur);
}

/* A session is asking a question (Password:, [confirm], filename?) rather
 * than showing a mode prompt: mode prompts always end in '>' or '#'. */
static bool asking(struct tconn *t)
{
	char prompt[256];
	cli_session_prompt(t->cli, prompt, sizeof prompt);
	size_t n = strlen(prompt);
	return !n || (prompt[n - 1] != '#' && prompt[n - 1] != '>');
}

/* ---- the line editor ---------------------------------------------------------------- */

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

/* Replace the whole line (history recall, completion). */
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

/* ---- login ------------------------------------------------------------------- */

static void sess_write(void *io, const char *s, size_t n);
static void sess_logout(void *io);

static bool pw_equal(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	unsigned char d = la != lb;
	for (size_t i = 0; i < la && i < lb; i++)
		d |= (unsigned char)(a[i] ^ b[i]);
	return !d;
}

static void sess_resume(void *io);

static void start_exec(struct tconn *t, unsigned priv)
{
	struct cli_io io = {.write = sess_write, .logout = sess_logout,
			    .resume = sess_resume,
			    .io = t, .terminal = true, .origin = "console"};
	t->cli = cli_session_new(&io, priv >= 15 ? MODE_EXEC : MODE_USER);
	t->phase = PH_EXEC;
	free(t->user);
	t->user = NULL;
	redraw(t);
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
	redraw(t);
}

/* Right after connecting: straight to the EXEC, or User Access
 * Verification as `line con 0` (or AAA) asks. */
static void login_start(struct tconn *t)
{
	t->login = line_login_mode(LINE_CON, 0);
	bool open = t->login == LOGIN_NONE;
	if (t->login == LOGIN_LINE && !line_password(LINE_CON, 0))
		open = true;    /* IOS keeps a console without password open */
	if (t->login == LOGIN_AAA) {
		const struct aaa_list *l =
			aaa_list_find(AAA_AUTHEN_LOGIN, "default");
		open = !l || (l->nmeth && l->meth[0].kind == AAA_M_NONE);
	}
	if (open) {
		out_str(t, "\n");
		start_exec(t, line_privilege(LINE_CON, 0));
		return;
	}
	out_str(t, "\nUser Access Verification\n\n");
	login_prompt(t);
}

static void login_user(struct tconn *t, const char *name)
{
	if (!*name) {           /* IOS asks again for an empty name */
		redraw(t);
		return;
	}
	xstrset(&t->user, name);
	t->phase = PH_PASS;
	redraw(t);
}

static void login_password(struct tconn *t, const char *pw)
{
	unsigned priv = line_privilege(LINE_CON, 0);
	bool ok = false;
	switch (t->login) {
	case LOGIN_NONE:
		ok = true;
		break;
	case LOGIN_LINE: {
		const char *lp = line_password(LINE_CON, 0);
		ok = !lp || pw_equal(lp, pw);
		break;
	}
	case LOGIN_LOCAL: {
		unsigned up = 0;
		ok = aaa_local_check(t->user ? t->user : "", pw, &up);
		if (ok && up > priv)
			priv = up;
		break;
	}
	case LOGIN_AAA:
		ok = aaa_login(t, pw, &priv);
		break;
	}
	if (ok) {
		t->tries = 0;
		start_exec(t, priv);
		return;
	}
	bool last = ++t->tries >= LOGIN_TRIES;
	if (t->login == LOGIN_LINE) {
		if (last)       /* a wrong one just asks again */
			out_str(t, "% Bad passwords\n");
	} else if (t->login == LOGIN_LOCAL)
		out_str(t, "% Login invalid\n\n");
	else
		out_str(t, "% Authentication failed\n\n");
	if (last) {
		t->closing = true;
		return;
	}
	login_prompt(t);
}

/* ---- the session ------------------------------------------------------------------ */

/* Session output. Inside a session call it belongs to the command being
 * run; anything else is an asynchronous line (syslog), printed on its own
 * line below the input, which is then redrawn (as IOS does with `logging
 * synchronous`). cli_session_async writes the text and its "\n" apart. */
static void sess_write(void *io, const char *s, size_t n)
{
	struct tconn *t = io;
	if (t->busy || held(t)) {
		out_text(t, s, n);
		return;
	}
	if (!t->async_open) {
		out_str(t, "\n");
		t->async_open = true;
	}
	out_text(t, s, n);
	if (n && s[n - 1] == '\n') {
		t->async_open = false;
		redraw(t);
	}
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
	if (!t->closing && !paging(t))
		redraw(t);
}

static void run_line(struct tconn *t, const char *line)
{
	t->busy = true;
	cli_session_line(t->cli, line);
	t->busy = false;
}

/* After a command: the next prompt, unless the user logged out or the
 * pager holds the screen (it has printed its --More-- already). */
static void after_command(struct tconn *t)
{
	if (!t->closing && !paging(t) && !held(t))
		redraw(t);
}

static void key_enter(struct tconn *t)
{
	bool was_hidden = hidden(t);
	char *line = ed_take(t);
	if (remote_echo(t))
		out_str(t, "\n");
	switch (t->phase) {
	case PH_USER:
		login_user(t, line);
		break;
	case PH_PASS:
		login_password(t, line);
		break;
	case PH_EXEC:
		if (!was_hidden && *line)
			hist_add(t, line);
		t->hpos = t->nhist;
		run_line(t, line);
		after_command(t);
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
	out_str(t, "\n");
	char *line = ed_text(t);
	t->busy = true;
	cli_session_help(t->cli, line);
	t->busy = false;
	free(line);
	after_command(t);
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
		out_str(t, "\n");
		redraw(t);
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
	if (cli_mode(t->cli) < MODE_CONFIG || asking(t))
		return;
	ed_move(t, t->len);
	echo(t, "^Z", 2);
	out_str(t, "\n");
	char *line = ed_take(t);
	if (*line) {
		hist_add(t, line);
		run_line(t, line);
	}
	if (!t->closing && cli_mode(t->cli) >= MODE_CONFIG && !asking(t))
		run_line(t, "\x1a");
	free(line);
	after_command(t);
}

/* Ctrl-C abandons the line; in a configuration mode it also leaves for
 * privileged EXEC, as IOS does ("^C" then "Router#"). */
static void key_ctrl_c(struct tconn *t)
{
	ed_move(t, t->len);
	echo(t, "^C", 2);
	out_str(t, "\n");
	free(ed_take(t));
	t->hpos = t->nhist;
	if (t->phase == PH_EXEC && cli_mode(t->cli) >= MODE_CONFIG &&
	    !asking(t))
		run_line(t, "\x1a");
	after_command(t);
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
	else if (k >= 0x20 && k < 0x100 && k != 0x7f)
		ed_insert(t, (char)k);
}

static void key(struct tconn *t, int k)
{
	if (held(t)) {
		/* Ctrl-^ (Ctrl-Shift-6), IOS's escape sequence, stops it */
		if (k == 0x1e) {
			t->busy = true;
			cli_session_escape(t->cli);
			t->busy = false;
		}
		return;
	}
	if (paging(t)) {
		t->busy = true;
		cli_session_pager_key(t->cli, k == '\r' ? '\r' : k > 0xff ? 'q' : k);
		t->busy = false;
		if (!paging(t))
			redraw(t);
		return;
	}
	if (hidden(t)) {
		key_hidden(t, k);
		return;
	}
	bool exec = t->phase == PH_EXEC;
	switch (k) {
	case '\r':
		key_enter(t);
		return;
	case 0x7f:
	case CTRL('H'):
		if (t->cur)
			ed_erase(t, t->cur - 1, t->cur);
		return;
	case K_DEL:
	case CTRL('D'):
		ed_erase(t, t->cur, t->cur < t->len ? t->cur + 1 : t->cur);
		return;
	case CTRL('U'):
	case CTRL('X'):
		ed_erase(t, 0, t->cur);
		return;
	case CTRL('K'):
		ed_erase(t, t->cur, t->len);
		return;
	case CTRL('W'):
		ed_kill_word(t);
		return;
	case K_HOME:
	case CTRL('A'):
		ed_move(t, 0);
		return;
	case K_END:
	case CTRL('E'):
		ed_move(t, t->len);
		return;
	case K_LEFT:
	case CTRL('B'):
		if (t->cur)
			ed_move(t, t->cur - 1);
		return;
	case K_RIGHT:
	case CTRL('F'):
		if (t->cur < t->len)
			ed_move(t, t->cur + 1);
		return;
	case CTRL('L'):
	case CTRL('R'):
		out_str(t, "\n");
		redraw(t);
		return;
	}
	if (exec) {
		switch (k) {
		case K_UP:
		case CTRL('P'):
			hist_step(t, -1);
			return;
		case K_DOWN:
		case CTRL('N'):
			hist_step(t, 1);
			return;
		case CTRL('C'):
			key_ctrl_c(t);
			return;
		case CTRL('Z'):
			key_ctrl_z(t);
			return;
		case '\t':
			key_tab(t);
			return;
		case '?':
			key_help(t);
			return;
		}
	}
	if (k >= 0x20 && k < 0x100 && k != 0x7f)
		ed_insert(t, (char)k);
}

/* ---- input: telnet commands, end of line, escape sequences ------------------------ */

static void csi_key(struct tconn *t, unsigned char final)
{
	t->esc[t->esc_len] = '\0';
	int k = 0;
	switch (final) {
	case 'A': k = K_UP; break;
	case 'B': k = K_DOWN; break;
	case 'C': k = K_RIGHT; break;
	case 'D': k = K_LEFT; break;
	case 'H': k = K_HOME; break;
	case 'F': k = K_END; break;
	case '~':
		if (!strcmp(t->esc, "1") || !strcmp(t->esc, "7"))
			k = K_HOME;
		else if (!strcmp(t->esc, "4") || !strcmp(t->esc, "8"))
			k = K_END;
		else if (!strcmp(t->esc, "3"))
			k = K_DEL;
		break;
	}
	if (k)
		key(t, k);
}

static void data_byte(struct tconn *t, unsigned char b)
{
	if (t->after_cr) {
		t->after_cr = false;
		if (b == '\n' || b == '\0')
			return;
	}
	if (t->es == ES_ESC) {
		t->es = b == '[' || b == 'O' ? ES_CSI : ES_NONE;
		t->esc_len = 0;
		return;
	}
	if (t->es == ES_CSI) {
		if (b >= 0x40 && b <= 0x7e) {
			t->es = ES_NONE;
			csi_key(t, b);
		} else if (t->esc_len + 1 < sizeof t->esc) {
			t->esc[t->esc_len++] = (char)b;
		} else {
			t->es = ES_NONE;
		}
		return;
	}
	switch (b) {
	case '\r':
		t->after_cr = true;
		key(t, '\r');
		break;
	case '\n':
		key(t, '\r');
		break;
	case '\0':
		break;
	case 0x1b:
		t->es = ES_ESC;
		break;
	default:
		key(t, b);
	}
}

/* A telnet command other than option negotiation. */
static void tn_command(struct tconn *t, unsigned char cmd)
{
	switch (cmd) {
	case T_EC:
		key(t, 0x7f);
		break;
	case T_EL:
		key(t, CTRL('U'));
		break;
	case T_IP:
		key(t, CTRL('C'));
		break;
	case T_AYT:
		out_str(t, "\n[Yes]\n");
		redraw(t);
		break;
	default:        /* NOP, DM, BRK, AO, GA, a stray SE */
		break;
	}
}

static void tn_byte(struct tconn *t, unsigned char b)
{
	switch (t->ts) {
	case TS_DATA:
		if (b == T_IAC)
			t->ts = TS_IAC;
		else
			data_byte(t, b);
		return;
	case TS_IAC:
		t->ts = TS_DATA;
		if (b == T_IAC) {
			data_byte(t, b);
		} else if (b >= T_WILL) {
			t->verb = b;
			t->ts = TS_OPT;
		} else if (b == T_SB) {
			t->sb_len = 0;
			t->ts = TS_SB;
		} else {
			tn_command(t, b);
		}
		return;
	case TS_OPT:
		t->ts = TS_DATA;
		tn_negotiate(t, t->verb, b);
		return;
	case TS_SB:
		/* we accept no option that subnegotiates: skip the
		 * parameters, but not forever if SE never comes */
		if (b == T_IAC)
			t->ts = TS_SB_IAC;
		else if (++t->sb_len > SB_MAX)
			t->ts = TS_DATA;
		return;
	case TS_SB_IAC:
		if (b == T_SE) {
			t->ts = TS_DATA;
		} else if (b == T_IAC) {
			t->ts = ++t->sb_len > SB_MAX ? TS_DATA : TS_SB;
		} else {        /* a command cut the subnegotiation short */
			t->ts = TS_IAC;
			tn_byte(t, b);
		}
		return;
	}
}

/* ---- connections --------------------------------------------------------------------- */

static void idle_reset(struct tconn *t)
{
	ev_timer_stop(core_loop, &t->idle);
	unsigned secs = line_exec_timeout(LINE_CON, 0);
	if (!secs || t->dead)
		return;
	ev_timer_set(&t->idle, secs, 0.);
	ev_timer_start(core_loop, &t->idle);
}

/* exec-timeout: the EXEC ends as if the user had logged out. */
static void idle_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct tconn *t = w->data;
	out_str(t, "\n");
	out_flush(t);
	conn_close(t);
}

static void read_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct tconn *t = w->data;
	unsigned char buf[4096];
	ssize_t n = recv(t->fd, buf, sizeof buf, 0);
	if (n < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK))
		return;
	if (n <= 0) {
		conn_close(t);
		return;
	}
	for (ssize_t i = 0; i < n && !t->closing && !t->dead; i++)
		tn_byte(t, buf[i]);
	explicit_bzero(buf, sizeof buf);
	if (t->dead || t->closing) {
		if (!t->dead)
			out_flush(t);
		conn_close(t);
		return;
	}
	idle_reset(t);
}

static void conn_close(struct tconn *t)
{
	ev_io_stop(core_loop, &t->rw);
	ev_io_stop(core_loop, &t->ww);
	ev_timer_stop(core_loop, &t->idle);
	ev_timer_stop(core_loop, &reap_w);
	if (t->cli)
		cli_session_free(t->cli);
	close(t->fd);
	sbuf_free(&t->out);
	for (int i = 0; i < t->nhist; i++)
		free(t->hist[i]);
	free(t->user);
	explicit_bzero(t->line, sizeof t->line);
	if (conn == t)
		conn = NULL;
	free(t);
}

static void reap_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	if (conn && conn->dead)
		conn_close(conn);
}

static void conn_open(int fd)
{
	int one = 1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	struct tconn *t = xcalloc(1, sizeof *t);
	t->fd = fd;
	sbuf_init(&t->out);
	ev_io_init(&t->rw, read_cb, fd, EV_READ);
	ev_io_init(&t->ww, write_cb, fd, EV_WRITE);
	ev_timer_init(&t->idle, idle_cb, 0., 0.);
	t->rw.data = t->ww.data = t->idle.data = t;
	conn = t;
	tn_start(t);
	login_start(t);
	ev_io_start(core_loop, &t->rw);
	idle_reset(t);
}

/* The console is taken: say so and hang up. A fresh socket has room for
 * one short line, so this send does not block. */
static void refuse(int fd)
{
	ssize_t w = send(fd, MSG_IN_USE, strlen(MSG_IN_USE),
			 MSG_NOSIGNAL | MSG_DONTWAIT);
	(void)w;
	close(fd);
}

static void accept_resume_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	ev_io_start(loop, &accept_w);
}

static void accept_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	for (;;) {
		int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			if (errno == EMFILE || errno == ENFILE ||
			    errno == ENOBUFS || errno == ENOMEM) {
				/* the listener stays readable: wait a
				 * second rather than spin */
				ev_io_stop(loop, &accept_w);
				ev_timer_set(&accept_pause_w, 1., 0.);
				ev_timer_start(loop, &accept_pause_w);
			}
			return;
		}
		if (conn)
			refuse(fd);
		else
			conn_open(fd);
	}
}

static bool parse_addr(const char *addr, struct in_addr *in)
{
	if (!strcmp(addr, "localhost")) {
		in->s_addr = htonl(INADDR_LOOPBACK);
		return true;
	}
	return inet_pton(AF_INET, addr, in) == 1;
}

bool console_telnet_start(const char *addr, int port, char *err, size_t n)
{
	struct sockaddr_in sa = {.sin_family = AF_INET};
	if (!addr || !parse_addr(addr, &sa.sin_addr)) {
		snprintf(err, n, "not an IPv4 address: %s", addr ? addr : "");
		return false;
	}
	if (port <= 0 || port > 65535) {
		snprintf(err, n, "invalid port %d", port);
		return false;
	}
	sa.sin_port = htons((uint16_t)port);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(err, n, "%s", strerror(errno));
		return false;
	}
	int one = 1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0 ||
	    listen(fd, 8) < 0) {
		snprintf(err, n, "%s", strerror(errno));
		close(fd);
		return false;
	}
	lfd = fd;
	ev_io_init(&accept_w, accept_cb, lfd, EV_READ);
	ev_io_start(core_loop, &accept_w);
	ev_timer_init(&accept_pause_w, accept_resume_cb, 1., 0.);
	ev_timer_init(&reap_w, reap_cb, 0., 0.);
	return true;
}

void console_telnet_stop(void)
{
	if (conn) {
		out_flush(conn);
		conn_close(conn);
	}
	if (lfd >= 0) {
		ev_io_stop(core_loop, &accept_w);
		ev_timer_stop(core_loop, &accept_pause_w);
		ev_timer_stop(core_loop, &reap_w);
		close(lfd);
		lfd = -1;
	}
}
