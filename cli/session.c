/* A console session: the mode stack and prompt, running a line (IOS's
 * errors, parent-mode fall-through, `do`, output pipes), questions, the
 * --More-- pager and command history. */
#include "session.h"
#include "grammar.h"

#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_DEPTH 16
#define HISTORY 10

/* What a mode on the stack edits: a registered object (kept by its
 * registration id, checked before each use) or a plain value. */
struct mode_ctx {
	const void *obj;
	uint64_t id;
	uintptr_t value;
};

struct cli {
	struct cli_io io;
	enum cli_mode mode[MAX_DEPTH];
	struct mode_ctx ctx[MAX_DEPTH];
	int depth;                 /* index of the current mode */
	bool priv;
	struct sbuf out;           /* current command's output */
	cli_answer_fn ask_fn;
	void *ask_ctx;
	char *ask_q;
	bool ask_noecho;
	char *hist[HISTORY];
	int nhist;
	int length;                /* terminal length; 0 = no paging */
	char *pager;               /* text still to page */
	size_t pager_off;
	int prompt_len;            /* for the caret under the echoed line */
	bool detached;             /* boot/config text: no console logs */
	bool busy;                 /* running a line: syslog waits for its output */
	struct sbuf deferred;      /* syslog lines that arrived meanwhile */
	unsigned long failed;      /* lines refused (cli_session_failed) */
	cli_escape_fn hold_fn;     /* a held command (ping) runs on */
	void *hold_ctx;
	bool held;
	struct cli *next;
};

static struct cli *sessions;

/* Each mode's prompt suffix and what its context is: NULL for none,
 * CTX_VALUE for a value, else the C type of the object it edits (the one
 * its handlers name in CLI_CONTEXT). cli_enter() checks it. */
static const char CTX_VALUE[] = "value";
static const struct {
	const char *prompt, *ctx;
} modes[MODE__COUNT] = {
	[MODE_USER] = {NULL, NULL},
	[MODE_EXEC] = {NULL, NULL},
	[MODE_CONFIG] = {"config", NULL},
	[MODE_IF] = {"config-if", "struct iface"},
	[MODE_SUBIF] = {"config-subif", "struct iface"},
	[MODE_LINE] = {"config-line", CTX_VALUE},
	[MODE_RED] = {"config-red", NULL},
	[MODE_RED_INTERDEV] = {"config-red-interdevice", NULL},
	[MODE_IPCZONE] = {"config-ipczone", NULL},
	[MODE_IPCZONE_ASSOC] = {"config-ipczone-assoc", "struct ipc_assoc"},
	[MODE_IPC_SCTP] = {"config-ipc-protocol-sctp", "struct ipc_assoc"},
	[MODE_IPC_LOCAL_SCTP] = {"config-ipc-local-sctp", "struct ipc_assoc"},
	[MODE_IPC_REMOTE_SCTP] = {"config-ipc-remote-sctp", "struct ipc_assoc"},
	[MODE_ISAKMP] = {"config-isakmp", "struct isakmp_policy"},
	[MODE_ISAKMP_GROUP] = {"config-isakmp-group", "struct isakmp_group"},
	[MODE_ISAKMP_PROFILE] = {"conf-isa-prof", "struct isakmp_profile"},
	[MODE_CRYPTO_TRANS] = {"cfg-crypto-trans", "struct crypto_tset"},
	[MODE_IPSEC_PROFILE] = {"ipsec-profile", "struct ipsec_profile"},
	[MODE_CRYPTO_MAP] = {"config-crypto-map", "struct cmap_entry"},
	[MODE_EXT_NACL] = {"config-ext-nacl", "struct acl"},
	[MODE_STD_NACL] = {"config-std-nacl", "struct acl"},
	[MODE_TRACK] = {"config-track", "struct track_obj"},
	[MODE_ROUTER] = {"config-router", "struct ospf_proc"},
	[MODE_CONTROL_PLANE] = {"config-cp", NULL},
	[MODE_ARCHIVE] = {"config-archive", NULL},
	[MODE_ARCHIVE_LOG] = {"config-archive-log-cfg", NULL},
	[MODE_VOICECARD] = {"config-voicecard", CTX_VALUE},
	[MODE_KEYCHAIN] = {"config-keychain", "struct kc_chain"},
	[MODE_KEYCHAIN_KEY] = {"config-keychain-key", "struct kc_key"},
};

const char *cli_mode_prompt(enum cli_mode mode)
{
	return mode < MODE__COUNT ? modes[mode].prompt : NULL;
}

struct cli *cli_session_new(const struct cli_io *io, enum cli_mode start)
{
	struct cli *c = xcalloc(1, sizeof *c);
	c->io = *io;
	c->mode[0] = start == MODE_USER ? MODE_USER : MODE_EXEC;
	c->priv = start != MODE_USER;
	if (start >= MODE_CONFIG) {
		c->mode[1] = MODE_CONFIG;
		c->depth = 1;
	}
	c->length = io->terminal ? 24 : 0;
	sbuf_init(&c->out);
	sbuf_init(&c->deferred);
	c->next = sessions;
	sessions = c;
	return c;
}

void cli_session_free(struct cli *c)
{
	if (c->held) {
		/* the held command stops; it prints nothing, releases nothing */
		cli_escape_fn fn = c->hold_fn;
		c->held = false;
		c->hold_fn = NULL;
		if (fn)
			fn(c, c->hold_ctx, true);
	}
	for (struct cli **pp = &sessions; *pp; pp = &(*pp)->next)
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	sbuf_free(&c->out);
	sbuf_free(&c->deferred);
	for (int i = 0; i < c->nhist; i++)
		free(c->hist[i]);
	free(c->ask_q);
	free(c->pager);
	free(c);
}

struct cli *cli_session_first(void) { return sessions; }
struct cli *cli_session_next(struct cli *c) { return c->next; }

enum cli_mode cli_mode(const struct cli *c) { return c->mode[c->depth]; }

/* ---- sub-mode objects ------------------------------------------------- */

struct obj_reg {
	uint64_t id;
	const char *type;
};
static struct intmap objs;        /* object address -> struct obj_reg */
static uint64_t next_obj_id;

void cli_obj_register_(const void *obj, const char *type)
{
	struct obj_reg *r = intmap_get(&objs, (uintptr_t)obj);
	if (!r) {
		r = xmalloc(sizeof *r);
		intmap_put(&objs, (uintptr_t)obj, r);
	}
	r->id = ++next_obj_id;
	r->type = type;
}

void cli_obj_release(const void *obj)
{
	struct obj_reg *r = intmap_get(&objs, (uintptr_t)obj);
	if (!r)
		return;
	intmap_del(&objs, (uintptr_t)obj);
	free(r);
}

static void mode_check(enum cli_mode mode, const char *have)
{
	const char *want = modes[mode].ctx;
	if (want == have || (want && have && !strcmp(want, have)))
		return;
	fprintf(stderr, "iosim: mode %s entered with a %s context, not %s\n",
		modes[mode].prompt ? modes[mode].prompt : "exec",
		have ? have : "missing", want ? want : "none");
	abort();
}

static void enter(struct cli *c, enum cli_mode mode, struct mode_ctx ctx)
{
	if (c->depth + 1 >= MAX_DEPTH)
		return;
	c->depth++;
	c->mode[c->depth] = mode;
	c->ctx[c->depth] = ctx;
}

void cli_enter(struct cli *c, enum cli_mode mode, const void *obj)
{
	const struct obj_reg *r = obj ? intmap_get(&objs, (uintptr_t)obj) : NULL;
	if (obj && !r) {
		fprintf(stderr, "iosim: mode %s entered with an unregistered "
			"object\n", modes[mode].prompt);
		abort();
	}
	mode_check(mode, r ? r->type : NULL);
	enter(c, mode, (struct mode_ctx){obj, r ? r->id : 0, 0});
}

void cli_enter_value(struct cli *c, enum cli_mode mode, uintptr_t value)
{
	mode_check(mode, CTX_VALUE);
	enter(c, mode, (struct mode_ctx){NULL, 0, value});
}

uintptr_t cli_ctx_value(const struct cli *c)
{
	const char *want = modes[cli_mode(c)].ctx;
	if (!want || strcmp(want, CTX_VALUE))
		abort();
	return c->ctx[c->depth].value;
}

void *cli_ctx_obj_(struct cli *c, const char *type)
{
	const struct mode_ctx *x = &c->ctx[c->depth];
	const char *want = modes[cli_mode(c)].ctx;
	if (!want || strcmp(want, type)) {
		fprintf(stderr, "iosim: a handler in mode %s asks for a %s\n",
			modes[cli_mode(c)].prompt, type);
		abort();
	}
	const struct obj_reg *r = intmap_get(&objs, (uintptr_t)x->obj);
	if (!r || r->id != x->id) {
		/* deleted by another session: its memory may be another
		 * object's by now */
		cli_puts(c, "% The configuration object of this mode was "
			    "deleted by another session\n");
		return NULL;
	}
	return (void *)x->obj;
}

void cli_session_set_priv(struct cli *c, bool p) { c->priv = p; }
bool cli_session_priv(const struct cli *c) { return c->priv; }
void cli_session_set_length(struct cli *c, int n) { c->length = n; }
int cli_session_length(const struct cli *c) { return c->length; }
const char *cli_session_origin(const struct cli *c)
{
	return c->io.origin ? c->io.origin : "console";
}

void cli_printf(struct cli *c, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	sbuf_vprintf(&c->out, fmt, ap);
	va_end(ap);
}

void cli_puts(struct cli *c, const char *s)
{
	sbuf_puts(&c->out, s);
}

static void emit(struct cli *c, const char *s, size_t n)
{
	if (c->io.write && n)
		c->io.write(c->io.io, s, n);
}

static void emits(struct cli *c, const char *s)
{
	emit(c, s, strlen(s));
}

void cli_session_prompt(struct cli *c, char *buf, size_t n)
{
	if (c->ask_fn) {
		snprintf(buf, n, "%s", c->ask_q);
	} else {
		enum cli_mode m = cli_mode(c);
		const char *suffix = modes[m].prompt;
		if (suffix)
			snprintf(buf, n, "%s(%s)#", core_hostname(), suffix);
		else
			snprintf(buf, n, "%s%s", core_hostname(),
				 m == MODE_USER ? ">" : "#");
	}
	c->prompt_len = (int)strlen(buf);
}

bool cli_session_noecho(const struct cli *c)
{
	return c->ask_fn && c->ask_noecho;
}

void cli_ask(struct cli *c, const char *q, cli_answer_fn fn, void *ctx)
{
	xstrset(&c->ask_q, q);
	c->ask_fn = fn;
	c->ask_ctx = ctx;
	/* IOS never echoes what is typed at a Password: prompt */
	c->ask_noecho = strstr(q, "assword") != NULL;
}

/* ---- output: pipes and the pager ------------------------------------- */

struct pipe {
	enum { P_NONE, P_INCLUDE, P_EXCLUDE, P_BEGIN, P_SECTION, P_COUNT } kind;
	regex_t re;
};

static int indent_of(const char *s, size_t n)
{
	int i = 0;
	while ((size_t)i < n && s[i] == ' ')
		i++;
	return i;
}

static void apply_pipe(struct pipe *p, const char *in, struct sbuf *out)
{
	bool begun = false;
	int sect_indent = -1;
	long count = 0;
	const char *s = in;
	while (*s) {
		const char *nl = strchr(s, '\n');
		size_t n = nl ? (size_t)(nl - s) : strlen(s);
		char *line = strndup(s, n);
		bool m = regexec(&p->re, line, 0, NULL, 0) == 0;
		bool keep = false;
		switch (p->kind) {
		case P_INCLUDE: keep = m; break;
		case P_EXCLUDE: keep = !m; break;
		case P_BEGIN: begun |= m; keep = begun; break;
		case P_COUNT: count += m; break;
		case P_SECTION: {
			int ind = indent_of(line, n);
			if (sect_indent >= 0 && ind > sect_indent && n) {
				keep = true;
			} else {
				sect_indent = m ? ind : -1;
				keep = m;
			}
			break;
		}
		case P_NONE: keep = true; break;
		}
		if (keep) {
			sbuf_add(out, line, n);
			sbuf_puts(out, "\n");
		}
		free(line);
		s += n + (nl ? 1 : 0);
	}
	if (p->kind == P_COUNT)
		sbuf_printf(out, "Number of lines which match regexp = %ld\n", count);
}

static void pager_show(struct cli *c, int lines)
{
	const char *s = c->pager + c->pager_off;
	const char *e = s;
	for (int i = 0; i < lines && *e; i++) {
		const char *nl = strchr(e, '\n');
		e = nl ? nl + 1 : e + strlen(e);
	}
	emit(c, s, (size_t)(e - s));
	c->pager_off += (size_t)(e - s);
	if (!c->pager[c->pager_off]) {
		free(c->pager);
		c->pager = NULL;
		return;
	}
	emits(c, " --More-- ");
}

static void flush_output(struct cli *c)
{
	if (!c->out.len)
		return;
	char *text = sbuf_take(&c->out);
	int lines = 0;
	for (const char *p = text; *p; p++)
		lines += *p == '\n';
	if (!c->io.terminal || c->length <= 0 || lines < c->length) {
		emits(c, text);
		free(text);
		return;
	}
	free(c->pager);
	c->pager = text;
	c->pager_off = 0;
	pager_show(c, c->length - 1);
}

bool cli_session_paging(const struct cli *c)
{
	return c->pager != NULL;
}

void cli_session_pager_key(struct cli *c, int key)
{
	if (!c->pager)
		return;
	/* erase " --More-- " the way IOS does: backspaces over it */
	emits(c, "\b\b\b\b\b\b\b\b\b\b          \b\b\b\b\b\b\b\b\b\b");
	if (key == ' ') {
		pager_show(c, c->length - 1);
	} else if (key == '\r' || key == '\n') {
		pager_show(c, 1);
	} else {
		free(c->pager);
		c->pager = NULL;
	}
}

bool cli_session_defer(struct cli *c, const char *line)
{
	if (c->busy) {
		/* IOS prints a command's own output before the log lines it
		 * caused; hold them until the output is flushed */
		sbuf_puts(&c->deferred, line);
		sbuf_puts(&c->deferred, "\n");
		return true;
	}
	return false;
}

bool cli_session_async(struct cli *c, const char *line)
{
	if (cli_session_defer(c, line))
		return true;
	emits(c, line);
	emits(c, "\n");
	return false;
}

static void flush_deferred(struct cli *c)
{
	c->busy = false;
	if (!c->deferred.len)
		return;
	char *t = sbuf_take(&c->deferred);
	emits(c, t);
	free(t);
}

/* ---- errors ------------------------------------------------------------- */

static void print_error(struct cli *c, enum match_status st, const char *line,
			const struct word *w, int nw, int word)
{
	if (st == M_INCOMPLETE) {
		cli_puts(c, "% Incomplete command.\n\n");
	} else if (st == M_AMBIGUOUS) {
		cli_printf(c, "%% Ambiguous command:  \"%s\"\n", line);
	} else {
		size_t col = (size_t)c->prompt_len +
			     (word < nw ? w[word].off : strlen(line));
		char *pad = xmalloc(col + 1);
		memset(pad, ' ', col);
		pad[col] = '\0';
		cli_printf(c, "%s^\n", pad);
		free(pad);
		cli_puts(c, "% Invalid input detected at '^' marker.\n\n");
	}
}

void cli_invalid_arg(struct cli *c, const struct cli_args *a, int argi)
{
	size_t col = (size_t)c->prompt_len +
		     (argi >= 0 && argi < a->n ? a->off[argi] : 0);
	char *pad = xmalloc(col + 1);
	memset(pad, ' ', col);
	pad[col] = '\0';
	cli_printf(c, "%s^\n", pad);
	free(pad);
	cli_puts(c, "% Invalid input detected at '^' marker.\n\n");
}

/* ---- running a line --------------------------------------------------------- */

static void history_add(struct cli *c, const char *line)
{
	if (c->nhist == HISTORY) {
		free(c->hist[0]);
		memmove(c->hist, c->hist + 1, (HISTORY - 1) * sizeof c->hist[0]);
		c->nhist--;
	}
	c->hist[c->nhist++] = xstrdup(line);
}

void cli_session_history(struct cli *c)
{
	for (int i = 0; i < c->nhist; i++)
		cli_printf(c, "  %s\n", c->hist[i]);
}

/* Split "cmd | include re" at the first word that is exactly "|".
 * Returns the offset of '|' or -1. */
static long pipe_at(const char *line, const struct word *w, int nw)
{
	for (int i = 1; i < nw; i++)
		if (w[i].len == 1 && w[i].s[0] == '|')
			return (long)w[i].off;
	return -1;
}

static bool parse_pipe(struct cli *c, const char *line, size_t off,
		       struct pipe *p)
{
	static const struct { const char *kw; int kind; } kinds[] = {
		{"begin", P_BEGIN}, {"count", P_COUNT}, {"exclude", P_EXCLUDE},
		{"include", P_INCLUDE}, {"section", P_SECTION},
	};
	const char *s = line + off + 1;
	struct word w[4];
	int nw = grammar_split(s, w, 4);
	if (nw < 0)
		nw = 4;
	size_t base = off + 1;
	if (nw == 0) {
		cli_puts(c, "% Incomplete command.\n\n");
		return false;
	}
	int hit = -1, hits = 0;
	for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++)
		if (w[0].len <= strlen(kinds[k].kw) &&
		    !strncasecmp(kinds[k].kw, w[0].s, w[0].len)) {
			hit = (int)k;
			hits++;
		}
	if (hits != 1) {
		struct word one = w[0];
		one.off += base;
		print_error(c, M_INVALID, line, &one, 1, 0);
		return false;
	}
	if (nw < 2) {
		cli_puts(c, "% Incomplete command.\n\n");
		return false;
	}
	const char *re = s + w[1].off;
	char *pat = xstrdup(re);
	size_t l = strlen(pat);
	while (l && pat[l - 1] == ' ')
		pat[--l] = '\0';
	int rc = regcomp(&p->re, pat, REG_EXTENDED | REG_NOSUB);
	free(pat);
	if (rc) {
		struct word bad = w[1];
		bad.off += base;
		print_error(c, M_INVALID, line, &bad, 1, 0);
		return false;
	}
	p->kind = kinds[hit].kind;
	return true;
}

/* Run LINE in the current mode, or in the nearest parent configuration
 * mode where it is valid. Returns CLI_OK, CLI_UNCHANGED or CLI_ERR. */
static int run_line(struct cli *c, const char *line)
{
	struct word *w = xmalloc(MAX_WORDS * sizeof *w);
	int nw = grammar_split(line, w, MAX_WORDS);
	/* More words than any command has: match the first MAX_WORDS (the
	 * error, if any, comes earlier; a LINE argument takes the rest). */
	bool overflow = nw < 0;
	if (overflow)
		nw = MAX_WORDS;
	struct pipe pp = {.kind = P_NONE};
	char *cmdline = NULL;
	if (cli_mode(c) <= MODE_EXEC) {
		long at = pipe_at(line, w, nw);
		if (at >= 0) {
			if (!parse_pipe(c, line, (size_t)at, &pp)) {
				free(w);
				return CLI_ERR;
			}
			cmdline = strndup(line, (size_t)at);
			nw = grammar_split(cmdline, w, MAX_WORDS);
			overflow = nw < 0;
			if (overflow)
				nw = MAX_WORDS;
		}
	}
	const char *text = cmdline ? cmdline : line;
	struct match_result best = {.st = M_INVALID, .word = -1};
	int run_depth = -1;
	struct match_result r;
	/* the current mode first, then each parent configuration mode */
	for (int d = c->depth; d >= 0; d--) {
		if (d < c->depth && c->mode[d] < MODE_CONFIG)
			break;
		grammar_match(c->mode[d], text, w, nw, &r);
		if (r.st == M_OK && overflow && !r.line_tail) {
			grammar_args_free(&r.args);
			r.st = M_INVALID;
			r.word = MAX_WORDS - 1;
		}
		if (r.st == M_OK) {
			run_depth = d;
			break;
		}
		if (r.word > best.word)
			best = r;
	}
	/* A sub-mode match that took a word as a free-form name loses to a
	 * parent mode where that word is a keyword: pasted configurations
	 * rely on it ("redundancy inter-device" after an ipsec profile whose
	 * own "redundancy WORD" would take "inter-device" as a group name). */
	if (run_depth > 0 && r.loose) {
		for (int d = run_depth - 1; d >= 1 && c->mode[d] >= MODE_CONFIG; d--) {
			struct match_result p;
			grammar_match(c->mode[d], text, w, nw, &p);
			if (p.st == M_OK && grammar_specificity_cmp(&p, &r) > 0) {
				grammar_args_free(&r.args);
				r = p;
				run_depth = d;
				if (!r.loose)
					break;
			} else if (p.st == M_OK) {
				grammar_args_free(&p.args);
			}
		}
	}
	int rc = CLI_ERR;
	if (run_depth < 0 && cli_mode(c) <= MODE_EXEC && nw == 1 &&
	    best.st == M_INVALID && best.word == 0) {
		/* IOS takes a lone unknown word at EXEC for a host to telnet
		 * to; there is no name server to ask */
		cli_printf(c, "Translating \"%.*s\"...domain server "
			   "(255.255.255.255)\n%% Unknown command or computer "
			   "name, or unable to find computer address\n",
			   (int)w[0].len, w[0].s);
	} else if (run_depth < 0) {
		print_error(c, best.st, text, w, nw, best.word);
	} else {
		c->depth = run_depth;
		bool config = c->mode[run_depth] >= MODE_CONFIG;
		rc = r.cmd->handler(c, &r.args);
		grammar_args_free(&r.args);
		if (rc != CLI_OK && rc != CLI_UNCHANGED)
			rc = CLI_ERR;
		if (rc == CLI_OK && config)
			core_publish(EVT_CONFIG_CHANGED, NULL);
	}
	if (pp.kind != P_NONE && run_depth >= 0) {
		char *o = sbuf_take(&c->out);
		apply_pipe(&pp, o, &c->out);
		free(o);
	}
	if (pp.kind != P_NONE)
		regfree(&pp.re);
	free(cmdline);
	free(w);
	return rc;
}

static bool only_space(const char *s)
{
	for (; *s; s++)
		if (*s != ' ' && *s != '\t')
			return false;
	return true;
}

static int session_line(struct cli *c, const char *raw);

int cli_session_line(struct cli *c, const char *raw)
{
	if (c->held)
		return CLI_ERR;   /* consoles read nothing while a command runs */
	bool outer = !c->busy;
	c->busy = true;
	int rc = session_line(c, raw);
	if (rc == CLI_ERR)
		c->failed++;
	/* syslog lines wait for a held command's output too */
	if (outer && !c->held)
		flush_deferred(c);
	return rc;
}

/* ---- held commands ------------------------------------------------------- */

void cli_hold(struct cli *c, cli_escape_fn escape, void *ctx)
{
	c->held = true;
	c->hold_fn = escape;
	c->hold_ctx = ctx;
}

bool cli_session_held(const struct cli *c)
{
	return c->held;
}

/* A held command's output goes out as it comes, without the pager: IOS
 * prints ping's marks one by one. */
void cli_flush(struct cli *c)
{
	if (!c->out.len)
		return;
	char *text = sbuf_take(&c->out);
	emits(c, text);
	free(text);
}

void cli_release(struct cli *c)
{
	if (!c->held)
		return;
	/* the output still belongs to the command: out before the prompt */
	cli_flush(c);
	flush_deferred(c);
	c->held = false;
	c->hold_fn = NULL;
	c->hold_ctx = NULL;
	if (c->io.resume)
		c->io.resume(c->io.io);
}

void cli_session_escape(struct cli *c)
{
	if (c->held && c->hold_fn)
		c->hold_fn(c, c->hold_ctx, false);
}

static int session_line(struct cli *c, const char *raw)
{
	char prompt[256];
	cli_session_prompt(c, prompt, sizeof prompt);
	if (c->ask_fn) {
		cli_answer_fn fn = c->ask_fn;
		void *ctx = c->ask_ctx;
		c->ask_fn = NULL;
		fn(c, raw, ctx);
		flush_output(c);
		return CLI_UNCHANGED;
	}
	const char *line = raw;
	while (*line == ' ' || *line == '\t')
		line++;
	/* comments and blank lines are ignored in every mode */
	if (!*line || only_space(line) || *line == '!')
		return CLI_UNCHANGED;
	if (line[0] == 0x1a && !line[1]) {      /* Ctrl-Z */
		if (cli_mode(c) >= MODE_CONFIG)
			cli_session_end(c);
		flush_output(c);
		return CLI_UNCHANGED;
	}
	if (cli_mode(c) <= MODE_EXEC)
		history_add(c, line);
	/* the caret counts from the start of the typed line */
	c->prompt_len += (int)(line - raw);
	int rc = run_line(c, line);
	flush_output(c);
	return rc;
}

int cli_session_do(struct cli *c, const char *line, size_t off)
{
	/* run an EXEC command from a configuration mode; the mode stays */
	int saved = c->depth;
	enum cli_mode saved_mode = c->mode[0];
	int plen = c->prompt_len;
	c->depth = 0;
	c->mode[0] = MODE_EXEC;
	c->prompt_len = plen + (int)off;
	int rc = run_line(c, line);
	c->prompt_len = plen;
	if (c->depth == 0) {      /* unless the command changed mode itself */
		c->depth = saved;
		c->mode[0] = saved_mode;
	}
	return rc == CLI_ERR ? CLI_ERR : CLI_UNCHANGED;
}

void cli_session_exit_mode(struct cli *c)
{
	if (c->depth == 0) {
		cli_session_logout(c);
		return;
	}
	c->depth--;
	if (c->depth == 0 && !c->detached)
		log_ios("SYS-5-CONFIG_I", "Configured from %s by %s",
			"console", cli_session_origin(c));
}

void cli_session_end(struct cli *c)
{
	if (c->depth == 0)
		return;
	c->depth = 0;
	if (!c->detached)
		log_ios("SYS-5-CONFIG_I", "Configured from %s by %s", "console",
		cli_session_origin(c));
}

void cli_session_logout(struct cli *c)
{
	c->depth = 0;
	c->mode[0] = MODE_USER;
	c->priv = false;
	if (c->io.logout)
		c->io.logout(c->io.io);
}

static const struct {
	const char *kw, *help;
} pipe_kinds[] = {
	{"begin", "Begin with the line that matches"},
	{"count", "Count number of lines which match regexp"},
	{"exclude", "Exclude lines that match"},
	{"include", "Include lines that match"},
	{"section", "Filter a section of output"},
};

/* `?` after "cmd |": the output modifiers, or what one of them takes.
 * False when the line has no pipe. */
static bool pipe_help(struct cli *c, const char *line)
{
	struct word w[MAX_WORDS];
	int nw = grammar_split(line, w, MAX_WORDS);
	int bar = -1;
	for (int i = 1; i < nw && bar < 0; i++)
		if (w[i].len == 1 && w[i].s[0] == '|')
			bar = i;
	if (bar < 0)
		return false;
	size_t len = strlen(line);
	bool partial = len && line[len - 1] != ' ';
	int after = nw - bar - 1;      /* words after the bar */
	const size_t nk = sizeof pipe_kinds / sizeof pipe_kinds[0];
	if (after == 0 || (after == 1 && partial)) {
		const struct word *pw = after ? &w[bar + 1] : NULL;
		int hits = 0;
		for (size_t k = 0; k < nk; k++) {
			if (pw && (pw->len > strlen(pipe_kinds[k].kw) ||
				   strncasecmp(pipe_kinds[k].kw, pw->s, pw->len)))
				continue;
			if (pw)
				cli_printf(c, "%s%s", hits ? "  " : "", pipe_kinds[k].kw);
			else
				cli_printf(c, "  %-7s  %s\n", pipe_kinds[k].kw,
					   pipe_kinds[k].help);
			hits++;
		}
		if (pw)
			cli_puts(c, hits ? "  \n\n" : "% Unrecognized command\n");
		return true;
	}
	cli_puts(c, "  LINE  Regular Expression\n");
	return true;
}

void cli_session_help(struct cli *c, const char *line)
{
	char prompt[256];
	cli_session_prompt(c, prompt, sizeof prompt);
	const char *l = line;
	while (*l == ' ')
		l++;
	c->prompt_len += (int)(l - line);
	enum cli_mode m = cli_mode(c);
	/* "do ?" in configuration modes helps with EXEC commands */
	if (m >= MODE_CONFIG && !strncasecmp(l, "do ", 3)) {
		c->prompt_len += 3;
		l += 3;
		m = MODE_EXEC;
	}
	struct sbuf out;
	sbuf_init(&out);
	int ew;
	enum match_status es;
	c->busy = true;
	if (m <= MODE_EXEC && pipe_help(c, l)) {
		flush_output(c);
		flush_deferred(c);
		sbuf_free(&out);
		return;
	}
	if (grammar_help(m, l, m <= MODE_EXEC, &out, &ew, &es)) {
		cli_puts(c, out.s ? out.s : "");
	} else {
		struct word w[MAX_WORDS];
		int nw = grammar_split(l, w, MAX_WORDS);
		print_error(c, es, l, w, nw < 0 ? 0 : nw, ew);
	}
	sbuf_free(&out);
	flush_output(c);
	flush_deferred(c);
}

char *cli_session_complete(struct cli *c, const char *line)
{
	return grammar_complete(cli_mode(c), line);
}

int cli_session_candidates(struct cli *c, const char *line, char ***out)
{
	return grammar_candidates(cli_mode(c), line, out);
}

/* ---- detached sessions ---------------------------------------------------- */

static void sbuf_write(void *io, const char *s, size_t n)
{
	sbuf_add(io, s, n);
}

int cli_exec_config_text(const char *text, struct sbuf *err_out)
{
	struct sbuf sink;
	sbuf_init(&sink);
	struct cli_io io = {.write = sbuf_write, .io = &sink,
			    .origin = "console"};
	struct cli *c = cli_session_new(&io, MODE_CONFIG);
	c->detached = true;
	int errors = 0;
	const char *s = text;
	while (*s) {
		const char *nl = strchr(s, '\n');
		size_t n = nl ? (size_t)(nl - s) : strlen(s);
		char *line = strndup(s, n);
		if (n && line[n - 1] == '\r')
			line[n - 1] = '\0';
		char prompt[256];
		cli_session_prompt(c, prompt, sizeof prompt);
		sbuf_reset(&sink);
		if (cli_session_line(c, line) == CLI_ERR) {
			/* what the line printed, under the line it belongs to */
			errors++;
			if (err_out) {
				sbuf_printf(err_out, "%s%s\n", prompt, line);
				if (sink.len)
					sbuf_add(err_out, sink.s, sink.len);
			}
		}
		free(line);
		s += n + (nl ? 1 : 0);
		if (cli_mode(c) < MODE_CONFIG)   /* "end" in the text */
			break;
	}
	cli_session_free(c);
	sbuf_free(&sink);
	return errors;
}

char *cli_exec_capture(const char *line)
{
	struct sbuf sink;
	sbuf_init(&sink);
	struct cli_io io = {.write = sbuf_write, .io = &sink,
			    .origin = "console"};
	struct cli *c = cli_session_new(&io, MODE_EXEC);
	char prompt[256];
	cli_session_prompt(c, prompt, sizeof prompt);
	cli_session_line(c, line);
	cli_session_free(c);
	return sbuf_take(&sink);
}

int cli_set_str(char **slot, const char *s)
{
	if (s ? *slot && !strcmp(*slot, s) : !*slot)
		return CLI_UNCHANGED;
	xstrset(slot, s);
	return CLI_OK;
}

unsigned long cli_session_failed(const struct cli *c)
{
	return c->failed;
}

void cli_session_base(struct cli *c, enum cli_mode m)
{
	c->depth = 0;
	c->mode[0] = m;
	c->priv = m == MODE_EXEC;
}

void cli_reload_sessions(void)
{
	for (struct cli *c = sessions; c; c = c->next) {
		cli_session_escape(c);    /* a running ping ends first */
		free(c->pager);
		c->pager = NULL;
		c->ask_fn = NULL;
		cli_session_base(c, MODE_USER);
	}
}
