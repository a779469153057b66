/* The command grammar: each mode has a tree of tokens built from the
 * declared syntax strings (optional parts and alternatives are expanded
 * into all the word sequences they allow, then merged into the tree).
 * Matching walks the tree with IOS's rules: any unambiguous keyword
 * prefix, an exact keyword wins over a prefix, keywords before variables;
 * the failing word is reported for the caret. */
#include "grammar.h"
#include "ifname.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct gterm {
	const struct cli_command *cmd;
	const struct cmd_names *declared;   /* the names its syntax declares */
	int n;
	char **names;      /* per token position; NULL = default name */
	bool is_no;        /* the "no" or "default" form */
	bool is_default;
};

/* The token trees are DAGs: identical subtrees (an ACL's destination and
 * port choices after each of its source forms) are stored once. A node
 * reached from several parents is copied before it is changed. */
struct gnode {
	enum tok_kind kind;
	const char *text;  /* interned: keyword, or "<0-255>", "A.B.C.D", ... */
	long long lo, hi;
	const char *help;  /* interned */
	bool hidden;
	int refs;          /* parents pointing here */
	unsigned gen;      /* compaction pass that last visited it */
	struct gnode **kid;
	int nkid, capkid;
	struct gterm *term;
};

/* ---- interned strings: equal text, one pointer --------------------------- */

static struct {
	const char **v;
	size_t cap, n;
} strtab;

static uint64_t hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ull;          /* FNV-1a */
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

static const char *intern(const char *s)
{
	if (strtab.n * 2 >= strtab.cap) {
		size_t cap = strtab.cap ? strtab.cap * 2 : 1024;
		const char **v = xcalloc(cap, sizeof *v);
		for (size_t i = 0; i < strtab.cap; i++)
			if (strtab.v[i]) {
				size_t j = hash_str(strtab.v[i]) & (cap - 1);
				while (v[j])
					j = (j + 1) & (cap - 1);
				v[j] = strtab.v[i];
			}
		free(strtab.v);
		strtab.v = v;
		strtab.cap = cap;
	}
	size_t j = hash_str(s) & (strtab.cap - 1);
	while (strtab.v[j]) {
		if (!strcmp(strtab.v[j], s))
			return strtab.v[j];
		j = (j + 1) & (strtab.cap - 1);
	}
	strtab.n++;
	return strtab.v[j] = xstrdup(s);
}

static struct gnode roots[MODE__COUNT];

/* ------------------------------------------------------------------ */
/* Syntax compiler                                                      */
/* ------------------------------------------------------------------ */

struct tspec {
	enum tok_kind kind;
	const char *text;      /* interned: tokens compare by pointer */
	char *name, *help;
	long long lo, hi;
};

/* A_NOOPT: "?[ x ]", x required in the positive form, optional in the
 * "no" form of a "[no]" declaration. */
enum { A_TOK, A_SEQ, A_OPT, A_ALT, A_ANY, A_NOOPT };
struct ast {
	int t;
	struct tspec *tok;
	struct ast **k;
	int n;
};

struct parser {
	const char *p;
	const char *syntax;
	const char *help;      /* remaining help lines */
	bool has_no;           /* declared "[no] ..." */
	struct tspec **all;    /* every token, for freeing */
	int nall;
};

static void syntax_die(const struct parser *ps, const char *why)
{
	fprintf(stderr, "iosim: bad command declaration \"%s\": %s\n",
		ps->syntax, why);
	abort();
}

static struct ast *ast_new(int t)
{
	struct ast *a = xcalloc(1, sizeof(struct ast));
	a->t = t;
	return a;
}

static void ast_add(struct ast *a, struct ast *k)
{
	a->k = xrealloc(a->k, (size_t)(a->n + 1) * sizeof *a->k);
	a->k[a->n++] = k;
}

static void ast_free(struct ast *a)
{
	for (int i = 0; i < a->n; i++)
		ast_free(a->k[i]);
	free(a->k);
	free(a);
}

/* Every token has its help line: a missing one is a declaration error,
 * not a blank column in `?` output. */
static char *next_help(struct parser *ps, const char *tok, size_t tn)
{
	if (!ps->help || !*ps->help) {
		char why[160];
		snprintf(why, sizeof why, "no help string for token \"%.*s\"",
			 (int)tn, tok);
		syntax_die(ps, why);
	}
	const char *nl = strchr(ps->help, '\n');
	size_t n = nl ? (size_t)(nl - ps->help) : strlen(ps->help);
	char *h = xmalloc(n + 1);
	memcpy(h, ps->help, n);
	h[n] = '\0';
	ps->help += nl ? n + 1 : n;
	return h;
}

static struct tspec *parse_token(struct parser *ps, const char *w, size_t n)
{
	struct tspec *t = xcalloc(1, sizeof *t);
	const char *dollar = memchr(w, '$', n);
	size_t tn = dollar ? (size_t)(dollar - w) : n;
	if (dollar)
		t->name = strndup(dollar + 1, n - tn - 1);
	char *text = strndup(w, tn);
	t->text = intern(text);
	free(text);
	if (tn == 0)
		syntax_die(ps, "a $name must follow a token, not a bracket");
	if (t->text[0] == '<') {
		t->kind = TK_RANGE;
		char *end;
		t->lo = strtoll(t->text + 1, &end, 10);
		if (*end != '-')
			syntax_die(ps, "range");
		t->hi = strtoll(end + 1, &end, 10);
		if (*end != '>' || t->lo > t->hi)
			syntax_die(ps, "range");
	} else if (!strcmp(t->text, "A.B.C.D")) {
		t->kind = TK_IPV4;
	} else if (!strcmp(t->text, "WORD")) {
		t->kind = TK_WORD;
	} else if (!strcmp(t->text, "LINE")) {
		t->kind = TK_LINE;
	} else if (!strcmp(t->text, "IFNAME")) {
		t->kind = TK_IFNAME;
	} else {
		t->kind = TK_KEYWORD;
		for (const char *c = t->text; *c; c++)
			if (isupper((unsigned char)*c))
				syntax_die(ps, "keywords are lower case");
	}
	t->help = next_help(ps, w, n);
	ps->all = xrealloc(ps->all, (size_t)(ps->nall + 1) * sizeof *ps->all);
	ps->all[ps->nall++] = t;
	return t;
}

static struct ast *parse_alt(struct parser *ps, char close);

static struct ast *parse_seq(struct parser *ps)
{
	struct ast *seq = ast_new(A_SEQ);
	for (;;) {
		while (*ps->p == ' ')
			ps->p++;
		char c = *ps->p;
		if (!c || c == '|' || c == ']' || c == ')' || c == '}')
			return seq;
		bool noopt = c == '?' && ps->p[1] == '[';
		if (noopt) {
			if (!ps->has_no)
				syntax_die(ps, "?[...] outside a [no] declaration");
			ps->p++;
			c = '[';
		}
		if (c == '[' || c == '(' || c == '{') {
			ps->p++;
			char close = c == '[' ? ']' : c == '(' ? ')' : '}';
			struct ast *alt = parse_alt(ps, close);
			if (*ps->p != close)
				syntax_die(ps, "unbalanced brackets");
			ps->p++;
			if (c == '[') {
				struct ast *o = ast_new(noopt ? A_NOOPT : A_OPT);
				ast_add(o, alt);
				ast_add(seq, o);
			} else if (c == '{') {
				alt->t = A_ANY;
				ast_add(seq, alt);
			} else {
				ast_add(seq, alt);
			}
			continue;
		}
		const char *start = ps->p;
		while (*ps->p && !strchr(" |[]{}()", *ps->p))
			ps->p++;
		struct ast *tok = ast_new(A_TOK);
		tok->tok = parse_token(ps, start, (size_t)(ps->p - start));
		ast_add(seq, tok);
	}
}

static struct ast *parse_alt(struct parser *ps, char close)
{
	struct ast *alt = ast_new(A_ALT);
	for (;;) {
		ast_add(alt, parse_seq(ps));
		if (*ps->p != '|')
			break;
		ps->p++;
	}
	if (close == 0 && *ps->p)
		syntax_die(ps, "unexpected character");
	return alt;
}

/* Expansion into linear token sequences, of at most MAX_SEQ tokens. */
#define MAX_SEQ 128
struct seq {
	struct tspec **t;
	int n;
};
struct seqs {
	struct seq *v;
	int n, cap;
};

static void seqs_add(struct seqs *s, struct tspec **t, int n)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 4;
		s->v = xrealloc(s->v, (size_t)s->cap * sizeof *s->v);
	}
	s->v[s->n].t = xmalloc((size_t)(n ? n : 1) * sizeof(struct tspec *));
	if (n)
		memcpy(s->v[s->n].t, t, (size_t)n * sizeof(struct tspec *));
	s->v[s->n].n = n;
	s->n++;
}

static void seqs_free(struct seqs *s)
{
	for (int i = 0; i < s->n; i++)
		free(s->v[i].t);
	free(s->v);
	s->v = NULL;
	s->n = s->cap = 0;
}

static void seq_concat_add(struct seqs *out, const struct seq *a,
			   const struct seq *b)
{
	struct tspec *buf[MAX_SEQ];
	if (a->n + b->n > MAX_SEQ)
		abort();
	memcpy(buf, a->t, (size_t)a->n * sizeof *buf);
	memcpy(buf + a->n, b->t, (size_t)b->n * sizeof *buf);
	seqs_add(out, buf, a->n + b->n);
}

static void expand(const struct ast *a, bool neg, struct seqs *out);

static void expand_any(const struct ast *a, bool neg, unsigned used,
		       struct seqs *out)
{
	for (int i = 0; i < a->n; i++) {
		if (used & (1u << i))
			continue;
		struct seqs e = {0}, rest = {0};
		expand(a->k[i], neg, &e);
		expand_any(a, neg, used | (1u << i), &rest);
		for (int x = 0; x < e.n; x++) {
			seqs_add(out, e.v[x].t, e.v[x].n);
			for (int y = 0; y < rest.n; y++)
				seq_concat_add(out, &e.v[x], &rest.v[y]);
		}
		seqs_free(&e);
		seqs_free(&rest);
	}
}

/* NEG: the expansion of the "no" form, where ?[...] is optional. */
static void expand(const struct ast *a, bool neg, struct seqs *out)
{
	switch (a->t) {
	case A_TOK:
		seqs_add(out, (struct tspec **)&a->tok, 1);
		break;
	case A_ALT:
		for (int i = 0; i < a->n; i++)
			expand(a->k[i], neg, out);
		break;
	case A_NOOPT:
	case A_OPT:
		if (a->t == A_OPT || neg)
			seqs_add(out, NULL, 0);
		expand(a->k[0], neg, out);
		break;
	case A_ANY:
		expand_any(a, neg, 0, out);
		break;
	case A_SEQ: {
		struct seqs cur = {0};
		seqs_add(&cur, NULL, 0);
		for (int i = 0; i < a->n; i++) {
			struct seqs e = {0}, next = {0};
			expand(a->k[i], neg, &e);
			for (int x = 0; x < cur.n; x++)
				for (int y = 0; y < e.n; y++)
					seq_concat_add(&next, &cur.v[x], &e.v[y]);
			seqs_free(&e);
			seqs_free(&cur);
			cur = next;
		}
		for (int x = 0; x < cur.n; x++)
			seqs_add(out, cur.v[x].t, cur.v[x].n);
		seqs_free(&cur);
		break;
	}
	}
}

/* ------------------------------------------------------------------ */
/* The token tree                                                       */
/* ------------------------------------------------------------------ */

static bool same_token(const struct gnode *n, const struct tspec *t)
{
	if (n->kind != t->kind)
		return false;
	if (t->kind == TK_RANGE)
		return n->lo == t->lo && n->hi == t->hi;
	if (t->kind == TK_KEYWORD)
		return n->text == t->text;
	return true;
}

static void kid_append(struct gnode *parent, struct gnode *k)
{
	if (parent->nkid == parent->capkid) {
		parent->capkid = parent->capkid ? parent->capkid * 2 : 4;
		parent->kid = xrealloc(parent->kid, (size_t)parent->capkid *
							    sizeof *parent->kid);
	}
	parent->kid[parent->nkid++] = k;
}

static struct gterm *term_copy(const struct gterm *t)
{
	if (!t)
		return NULL;
	struct gterm *c = xmalloc(sizeof *c);
	*c = *t;
	c->names = xcalloc((size_t)(t->n ? t->n : 1), sizeof(char *));
	if (t->n)
		memcpy(c->names, t->names, (size_t)t->n * sizeof(char *));
	return c;
}

/* A private copy of a shared node, so that changing it changes no other
 * path through the tree. */
static struct gnode *unshare(struct gnode *parent, int idx)
{
	struct gnode *k = parent->kid[idx];
	if (k->refs <= 1)
		return k;
	struct gnode *c = xmalloc(sizeof *c);
	*c = *k;
	c->refs = 1;
	c->gen = 0;
	c->capkid = c->nkid;
	c->kid = xmalloc((size_t)(c->nkid ? c->nkid : 1) * sizeof *c->kid);
	for (int i = 0; i < c->nkid; i++) {
		c->kid[i] = k->kid[i];
		c->kid[i]->refs++;
	}
	c->term = term_copy(k->term);
	k->refs--;
	parent->kid[idx] = c;
	return c;
}

/* The help every "no" and "default" keyword shows, as IOS words it. */
#define HELP_NO      "Negate a command or set its defaults"
#define HELP_DEFAULT "Set a command to its defaults"

/* The child of PARENT for token T, made when missing. PREFIX, when not
 * NULL, is the interned "no"/"default" keyword a "[no]" declaration (or a "no"
 * command's "default" mirror) puts in front of the words. */
static struct gnode *child_for(struct gnode *parent, const struct tspec *t,
			       const char *prefix, bool hidden)
{
	for (int i = 0; i < parent->nkid; i++) {
		struct gnode *k = parent->kid[i];
		if (prefix ? (k->kind == TK_KEYWORD && k->text == prefix)
			   : same_token(k, t)) {
			k = unshare(parent, i);
			if (!hidden)
				k->hidden = false;
			if (!prefix && !*k->help && *t->help)
				k->help = intern(t->help);
			return k;
		}
	}
	struct gnode *k = xcalloc(1, sizeof *k);
	if (prefix) {
		k->kind = TK_KEYWORD;
		k->text = prefix;
		k->help = intern(strcmp(prefix, "no") ? HELP_DEFAULT : HELP_NO);
	} else {
		k->kind = t->kind;
		k->text = t->text;
		k->lo = t->lo;
		k->hi = t->hi;
		k->help = intern(t->help);
	}
	k->hidden = hidden;
	k->refs = 1;
	kid_append(parent, k);
	return k;
}

/* How a word sequence enters the tree: as declared, behind a "no" a
 * "[no]" declaration adds, or behind "default" (which replaces the
 * leading "no" of a "no ..." command, or stands where "[no]" would add
 * one). */
enum form { F_AS_IS, F_NO, F_DEFAULT, F_DEFAULT_FOR_NO };

/* The path the previous sequence of the command being installed took, per
 * form: the expansions of one declaration share long prefixes, which are
 * walked once. Valid within one cli_install() (nodes made or unshared on
 * the way are private to it until the compaction at its end). */
static struct path_cache {
	int n;
	const struct tspec *t[MAX_SEQ];
	struct gnode *node[MAX_SEQ + 1];   /* node[i]: after i tokens */
} path_cache[4];

static void path_cache_reset(void)
{
	for (int f = 0; f < 4; f++)
		path_cache[f].n = -1;
}

static void insert_seq(enum cli_mode mode, const struct cli_command *cmd,
		       const struct cmd_names *declared, const struct seq *s,
		       enum form form)
{
	struct path_cache *pc = &path_cache[form];
	bool hidden = cmd->flags & CLI_HIDDEN;
	int skip = form == F_DEFAULT_FOR_NO;     /* the "no" it replaces */
	int pre = form == F_NO || form == F_DEFAULT || skip;
	int i = skip;
	if (pc->n < 0) {
		pc->node[skip] = &roots[mode];
		if (pre)
			pc->node[skip] = child_for(pc->node[skip], NULL,
				intern(form == F_NO ? "no" : "default"), hidden);
		pc->n = skip;
	}
	while (i < pc->n && i < s->n && pc->t[i] == s->t[i])
		i++;
	struct gnode *n = pc->node[i];
	for (; i < s->n; i++) {
		n = child_for(n, s->t[i], NULL, hidden);
		pc->t[i] = s->t[i];
		pc->node[i + 1] = n;
	}
	pc->n = s->n;
	if (n->term) {
		if (n->term->cmd == cmd)
			return;   /* {a|b} can expand to one path twice */
		fprintf(stderr, "iosim: command \"%s\" duplicates \"%s\"\n",
			cmd->syntax, n->term->cmd->syntax);
		abort();
	}
	struct gterm *t = xcalloc(1, sizeof *t);
	t->cmd = cmd;
	t->declared = declared;
	t->n = s->n - skip + pre;
	t->is_no = form != F_AS_IS ||
		   (s->n && s->t[0]->kind == TK_KEYWORD && !strcmp(s->t[0]->text, "no"));
	t->is_default = form == F_DEFAULT || form == F_DEFAULT_FOR_NO;
	t->names = xcalloc((size_t)(t->n ? t->n : 1), sizeof(char *));
	for (int k = skip; k < s->n; k++)
		if (s->t[k]->name)
			t->names[k - skip + pre] = (char *)intern(s->t[k]->name);
	n->term = t;
}

/* ---- compaction: one copy of each distinct subtree ------------------------ */

static struct {
	struct gnode **v;
	size_t cap, n;
} nodetab;
static unsigned compaction_gen;

static uint64_t mix(uint64_t h, uint64_t v)
{
	return (h ^ v) * 1099511628211ull;
}

static uint64_t node_hash(const struct gnode *n)
{
	uint64_t h = 1469598103934665603ull;
	h = mix(h, (uint64_t)n->kind);
	h = mix(h, (uintptr_t)n->text);
	h = mix(h, (uintptr_t)n->help);
	h = mix(h, (uint64_t)n->lo);
	h = mix(h, (uint64_t)n->hi);
	h = mix(h, n->hidden);
	for (int i = 0; i < n->nkid; i++)
		h = mix(h, (uintptr_t)n->kid[i]);
	if (n->term) {
		h = mix(h, (uintptr_t)n->term->cmd);
		h = mix(h, (uint64_t)n->term->is_default);
		h = mix(h, (uint64_t)n->term->is_no);
		for (int i = 0; i < n->term->n; i++)
			h = mix(h, (uintptr_t)n->term->names[i]);
	}
	return h;
}

static bool term_eq(const struct gterm *a, const struct gterm *b)
{
	if (!a || !b)
		return a == b;
	if (a->cmd != b->cmd || a->is_default != b->is_default ||
	    a->is_no != b->is_no || a->n != b->n)
		return false;
	return a->n == 0 ||
	       !memcmp(a->names, b->names, (size_t)a->n * sizeof(char *));
}

static bool node_eq(const struct gnode *a, const struct gnode *b)
{
	return a->kind == b->kind && a->text == b->text && a->help == b->help &&
	       a->lo == b->lo && a->hi == b->hi && a->hidden == b->hidden &&
	       a->nkid == b->nkid && term_eq(a->term, b->term) &&
	       (a->nkid == 0 ||
		!memcmp(a->kid, b->kid, (size_t)a->nkid * sizeof *a->kid));
}

static void node_release(struct gnode *n)
{
	if (--n->refs > 0)
		return;
	for (int i = 0; i < n->nkid; i++)
		node_release(n->kid[i]);
	free(n->kid);
	if (n->term) {
		free(n->term->names);
		free(n->term);
	}
	free(n);
}

static struct gnode **nodetab_slot(const struct gnode *n)
{
	size_t j = node_hash(n) & (nodetab.cap - 1);
	while (nodetab.v[j] && !node_eq(nodetab.v[j], n))
		j = (j + 1) & (nodetab.cap - 1);
	return &nodetab.v[j];
}

static void nodetab_grow(void)
{
	size_t old = nodetab.cap;
	struct gnode **v = nodetab.v;
	nodetab.cap = old ? old * 2 : 4096;
	nodetab.v = xcalloc(nodetab.cap, sizeof *nodetab.v);
	for (size_t i = 0; i < old; i++)
		if (v[i])
			*nodetab_slot(v[i]) = v[i];
	free(v);
}

/* Bottom-up: the canonical node equal to N (N itself when first seen). */
static struct gnode *canonical(struct gnode *n)
{
	if (n->gen == compaction_gen)
		return n;
	for (int i = 0; i < n->nkid; i++) {
		struct gnode *c = canonical(n->kid[i]);
		if (c != n->kid[i]) {
			c->refs++;
			node_release(n->kid[i]);
			n->kid[i] = c;
		}
	}
	if ((nodetab.n + 1) * 2 >= nodetab.cap)
		nodetab_grow();
	struct gnode **slot = nodetab_slot(n);
	if (*slot)
		return *slot;
	*slot = n;
	nodetab.n++;
	n->gen = compaction_gen;
	return n;
}

static void compact(enum cli_mode mode)
{
	compaction_gen++;
	if (nodetab.v)
		memset(nodetab.v, 0, nodetab.cap * sizeof *nodetab.v);
	nodetab.n = 0;
	struct gnode *root = &roots[mode];
	for (int i = 0; i < root->nkid; i++) {
		struct gnode *c = canonical(root->kid[i]);
		if (c != root->kid[i]) {
			c->refs++;
			node_release(root->kid[i]);
			root->kid[i] = c;
		}
	}
}

/* The argument names a command's syntax declares ($name, a keyword's own
 * text, a variable's kind), kept once per command: a handler that asks
 * for a name its syntax lacks is caught in the checking build. */
struct cmd_names {
	int n;
	const char **v;        /* interned */
};
static struct intmap names_by_cmd;

static void names_add(struct cmd_names *cn, const char *name)
{
	name = intern(name);
	for (int i = 0; i < cn->n; i++)
		if (cn->v[i] == name)
			return;
	cn->v = xrealloc(cn->v, (size_t)(cn->n + 1) * sizeof *cn->v);
	cn->v[cn->n++] = name;
}

static const struct cmd_names *declared_names(const struct cli_command *cmd,
					      const struct parser *ps)
{
	struct cmd_names *cn = intmap_get(&names_by_cmd, (uintptr_t)cmd);
	if (cn)
		return cn;
	cn = xcalloc(1, sizeof *cn);
	if (ps->has_no) {
		names_add(cn, "no");
		names_add(cn, "default");
	}
	for (int i = 0; i < ps->nall; i++) {
		names_add(cn, ps->all[i]->text);
		if (ps->all[i]->name)
			names_add(cn, ps->all[i]->name);
	}
	intmap_put(&names_by_cmd, (uintptr_t)cmd, cn);
	return cn;
}

#ifdef IOSIM_CHECKS
static bool names_have(const struct cmd_names *cn, const char *name)
{
	for (int i = 0; i < cn->n; i++)
		if (!strcmp(cn->v[i], name))
			return true;
	return false;
}
#endif

void cli_install(enum cli_mode mode, const struct cli_command *cmd)
{
	struct parser ps = {.p = cmd->syntax, .syntax = cmd->syntax,
			    .help = cmd->help};
	if (!strncmp(ps.p, "[no] ", 5)) {
		ps.has_no = true;
		ps.p += 5;
	}
	struct ast *root = parse_alt(&ps, 0);
	if (ps.help && *ps.help)
		syntax_die(&ps, "more help strings than tokens");
	const struct cmd_names *declared = declared_names(cmd, &ps);
	path_cache_reset();
	/* "default X" mirrors "no X" in configuration modes */
	bool defaults = mode >= MODE_CONFIG;
	int paths = 0;
	for (int neg = 0; neg <= ps.has_no; neg++) {
		struct seqs all = {0};
		expand(root, neg, &all);
		for (int i = 0; i < all.n; i++) {
			const struct seq *q = &all.v[i];
			if (q->n == 0 && !neg)
				syntax_die(&ps, "empty expansion");
			bool literal_no = q->n && q->t[0]->kind == TK_KEYWORD &&
					  !strcmp(q->t[0]->text, "no");
			if (neg && literal_no)
				syntax_die(&ps, "[no] before a literal \"no\"");
			insert_seq(mode, cmd, declared, q, neg ? F_NO : F_AS_IS);
			if (defaults && (neg || literal_no))
				insert_seq(mode, cmd, declared, q,
					   neg ? F_DEFAULT : F_DEFAULT_FOR_NO);
		}
		paths += all.n;
		seqs_free(&all);
	}
	/* commands with many optional parts expand into many paths whose
	 * tails are alike: fold them now, before the next command grows the
	 * tree further */
	if (paths > 16)
		compact(mode);
	ast_free(root);
	for (int i = 0; i < ps.nall; i++) {
		free(ps.all[i]->name);
		free(ps.all[i]->help);
		free(ps.all[i]);
	}
	free(ps.all);
}

/* ------------------------------------------------------------------ */
/* Matching                                                             */
/* ------------------------------------------------------------------ */

int grammar_split(const char *line, struct word *w, int max)
{
	int n = 0;
	const char *p = line;
	for (;;) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p)
			return n;
		if (n == max)
			return -1;
		const char *s = p;
		while (*p && *p != ' ' && *p != '\t')
			p++;
		w[n++] = (struct word){s, (size_t)(p - s), (size_t)(s - line)};
	}
}

enum { L_NONE, L_LINE, L_WORD, L_VAR, L_PARTIAL, L_EXACT };

static bool word_is_number(const struct word *w, long long *v)
{
	size_t i = 0;
	bool neg = false;
	if (w->len && w->s[0] == '-') {
		neg = true;
		i = 1;
	}
	if (i == w->len || w->len - i > 12)
		return false;
	long long x = 0;
	for (; i < w->len; i++) {
		if (!isdigit((unsigned char)w->s[i]))
			return false;
		x = x * 10 + (w->s[i] - '0');
	}
	*v = neg ? -x : x;
	return true;
}

static bool word_is_ipv4(const struct word *w)
{
	char buf[20];
	uint32_t a;
	if (w->len >= sizeof buf)
		return false;
	memcpy(buf, w->s, w->len);
	buf[w->len] = '\0';
	return ip_parse(buf, &a);
}

/* How many words an interface name starting at w[0] takes (0: none). */
static int ifname_words(const struct word *w, int avail)
{
	size_t tl = 0;
	while (tl < w[0].len && !isdigit((unsigned char)w[0].s[tl]))
		tl++;
	if (!iftype_lookup(w[0].s, tl))
		return 0;
	if (tl < w[0].len)
		return ifnum_valid(w[0].s + tl, w[0].len - tl) ? 1 : 0;
	if (avail > 1 && ifnum_valid(w[1].s, w[1].len))
		return 2;
	return 0;
}

static int tok_match(const struct gnode *k, const struct word *w, int avail,
		     int *consume)
{
	*consume = 1;
	long long v;
	switch (k->kind) {
	case TK_KEYWORD: {
		size_t kl = strlen(k->text);
		if (w->len > kl || strncasecmp(k->text, w->s, w->len))
			return L_NONE;
		return w->len == kl ? L_EXACT : L_PARTIAL;
	}
	case TK_RANGE:
		return word_is_number(w, &v) && v >= k->lo && v <= k->hi
			       ? L_VAR : L_NONE;
	case TK_IPV4:
		return word_is_ipv4(w) ? L_VAR : L_NONE;
	case TK_WORD:
		return L_WORD;
	case TK_LINE:
		*consume = avail;
		return L_LINE;
	case TK_IFNAME:
		*consume = ifname_words(w, avail);
		return *consume ? L_VAR : L_NONE;
	}
	return L_NONE;
}

struct cand {
	struct gnode *n;
	int level, consume;
};

/* Candidates for word i at node n, best first. Returns count, or -1 when
 * the word is an ambiguous keyword prefix. */
static int candidates(struct gnode *n, const struct word *w, int i, int nw,
		      struct cand *c, int max)
{
	int nc = 0, partial = 0, exact = 0;
	for (int k = 0; k < n->nkid && nc < max; k++) {
		int consume;
		int lv = tok_match(n->kid[k], &w[i], nw - i, &consume);
		if (lv == L_NONE)
			continue;
		c[nc++] = (struct cand){n->kid[k], lv, consume};
		partial += lv == L_PARTIAL;
		exact += lv == L_EXACT;
	}
	if (!exact && partial > 1)
		return -1;
	/* stable insertion sort by level, best first */
	for (int x = 1; x < nc; x++) {
		struct cand t = c[x];
		int y = x;
		while (y > 0 && c[y - 1].level < t.level) {
			c[y] = c[y - 1];
			y--;
		}
		c[y] = t;
	}
	return nc;
}

struct mstate {
	const struct word *w;
	int nw;
	struct gnode *path[128];
	int start[128], count[128];
	unsigned char level[128];
	int fail_word;
	enum match_status fail_st;
	struct gterm *term;
	int depth;
};

static void fail(struct mstate *m, enum match_status st, int word)
{
	if (word > m->fail_word) {
		m->fail_word = word;
		m->fail_st = st;
	}
}

static bool walk(struct mstate *m, struct gnode *n, int i, int depth)
{
	if (i == m->nw) {
		if (n->term) {
			m->term = n->term;
			m->depth = depth;
			return true;
		}
		fail(m, M_INCOMPLETE, i);
		return false;
	}
	if (depth >= 127) {
		fail(m, M_INVALID, i);
		return false;
	}
	struct cand c[64];
	int nc = candidates(n, m->w, i, m->nw, c, 64);
	if (nc < 0) {
		fail(m, M_AMBIGUOUS, i);
		return false;
	}
	if (nc == 0) {
		fail(m, M_INVALID, i);
		return false;
	}
	for (int k = 0; k < nc; k++) {
		m->path[depth] = c[k].n;
		m->level[depth] = (unsigned char)c[k].level;
		m->start[depth] = i;
		m->count[depth] = c[k].consume;
		if (walk(m, c[k].n, i + c[k].consume, depth + 1))
			return true;
	}
	return false;
}

static char *word_dup(const struct word *w)
{
	return strndup(w->s, w->len);
}

static char *arg_value(const struct gnode *n, const char *line,
		       const struct word *w, int start, int count)
{
	switch (n->kind) {
	case TK_KEYWORD:
		return xstrdup(n->text);
	case TK_LINE: {
		const char *s = line + w[start].off;
		size_t len = strlen(s);
		while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
			len--;
		return strndup(s, len);
	}
	case TK_IFNAME: {
		char raw[256], canon[64];
		const struct word *last = &w[start + count - 1];
		size_t len = last->off + last->len - w[start].off;
		if (len >= sizeof raw)
			len = sizeof raw - 1;
		memcpy(raw, line + w[start].off, len);
		raw[len] = '\0';
		if (!cli_ifname_canon(raw, canon, sizeof canon))
			return xstrdup(raw);
		return xstrdup(canon);
	}
	default:
		return word_dup(&w[start]);
	}
}

void grammar_match(enum cli_mode mode, const char *line, const struct word *w,
		   int nw, struct match_result *r)
{
	struct mstate *m = xcalloc(1, sizeof *m);
	m->w = w;
	m->nw = nw;
	m->fail_word = -1;
	memset(r, 0, sizeof *r);
	if (walk(m, &roots[mode], 0, 0)) {
		r->st = M_OK;
		r->cmd = m->term->cmd;
		r->args.is_default = m->term->is_default;
		r->args.is_no = m->term->is_no;
		r->args.declared = m->term->declared;
		r->args.cmd = m->term->cmd;
		r->line_tail = m->depth > 0 && m->path[m->depth - 1]->kind == TK_LINE;
		r->args.n = m->depth < 64 ? m->depth : 64;
		r->ntok = r->args.n;
		for (int d = 0; d < r->args.n; d++) {
			struct gnode *n = m->path[d];
			r->args.name[d] = m->term->names[d] ? m->term->names[d]
							    : n->text;
			r->args.named[d] = m->term->names[d] != NULL;
			r->args.val[d] = arg_value(n, line, w, m->start[d],
						   m->count[d]);
			r->args.off[d] = w[m->start[d]].off;
			r->level[d] = m->level[d];
			r->loose |= m->level[d] <= L_WORD;
		}
	} else {
		r->st = m->fail_st;
		r->word = m->fail_word < 0 ? 0 : m->fail_word;
	}
	free(m);
}

/* Lexicographic comparison of how specifically two matches took their
 * words: >0 when A is more specific (a keyword where B took a WORD). */
int grammar_specificity_cmp(const struct match_result *a,
			    const struct match_result *b)
{
	for (int i = 0; i < a->ntok && i < b->ntok; i++)
		if (a->level[i] != b->level[i])
			return (int)a->level[i] - (int)b->level[i];
	return 0;
}

void grammar_args_free(struct cli_args *a)
{
	for (int i = 0; i < a->n; i++)
		free(a->val[i]);
	a->n = 0;
}

/* ------------------------------------------------------------------ */
/* Help and completion                                                  */
/* ------------------------------------------------------------------ */

struct nodeset {
	struct gnode *v[256];
	int n;
};

static void set_add(struct nodeset *s, struct gnode *n)
{
	for (int i = 0; i < s->n; i++)
		if (s->v[i] == n)
			return;
	if (s->n < 256)
		s->v[s->n++] = n;
}

/* Every node reachable by consuming all the words (for ?). */
static void collect(struct mstate *m, struct gnode *n, int i,
		    struct nodeset *out)
{
	if (i == m->nw) {
		set_add(out, n);
		return;
	}
	struct cand c[64];
	int nc = candidates(n, m->w, i, m->nw, c, 64);
	if (nc < 0) {
		fail(m, M_AMBIGUOUS, i);
		return;
	}
	if (nc == 0)
		fail(m, M_INVALID, i);
	for (int k = 0; k < nc; k++)
		collect(m, c[k].n, i + c[k].consume, out);
}

static bool reach(enum cli_mode mode, const struct word *w, int nw,
		  struct nodeset *set, int *err_word, enum match_status *err_st)
{
	struct mstate m = {.w = w, .nw = nw, .fail_word = -1};
	set->n = 0;
	collect(&m, &roots[mode], 0, set);
	if (set->n == 0) {
		*err_word = m.fail_word < 0 ? 0 : m.fail_word;
		*err_st = m.fail_st;
		return false;
	}
	return true;
}

struct helpline {
	const char *tok, *help;
	bool keyword;
};

static int help_cmp(const void *a, const void *b)
{
	const struct helpline *x = a, *y = b;
	if (x->keyword != y->keyword)
		return x->keyword ? 1 : -1;
	if (!x->keyword)
		return 0;
	return strcmp(x->tok, y->tok);
}

static void help_list(const struct nodeset *set, bool pipes, struct sbuf *out)
{
	struct helpline *h = NULL;
	int n = 0, cap = 0;
	bool cr = false;
	for (int s = 0; s < set->n; s++) {
		struct gnode *node = set->v[s];
		if (node->term)
			cr = true;
		for (int k = 0; k < node->nkid; k++) {
			struct gnode *kid = node->kid[k];
			if (kid->hidden)
				continue;
			if (n + 16 > cap) {
				cap = cap ? cap * 2 : 32;
				h = xrealloc(h, (size_t)cap * sizeof *h);
			}
			if (kid->kind == TK_IFNAME) {
				for (const struct iftype_name *t = iftype_names;
				     t->name; t++)
					h[n++] = (struct helpline){t->name,
								   t->help, true};
				continue;
			}
			bool dup = false;
			for (int x = 0; x < n; x++)
				dup |= !strcmp(h[x].tok, kid->text);
			if (!dup)
				h[n++] = (struct helpline){kid->text, kid->help,
							   kid->kind == TK_KEYWORD};
		}
	}
	/* stable: keep declaration order of variables */
	for (int x = 1; x < n; x++) {
		struct helpline t = h[x];
		int y = x;
		while (y > 0 && help_cmp(&h[y - 1], &t) > 0) {
			h[y] = h[y - 1];
			y--;
		}
		h[y] = t;
	}
	/* where an EXEC command can end, IOS offers its output modifiers */
	if (cr && pipes) {
		h = xrealloc(h, (size_t)(n + 1) * sizeof *h);
		h[n++] = (struct helpline){"|", "Output modifiers", true};
	}
	size_t width = cr ? 4 : 0;
	for (int i = 0; i < n; i++)
		if (strlen(h[i].tok) > width)
			width = strlen(h[i].tok);
	for (int i = 0; i < n; i++)
		sbuf_printf(out, "  %-*s  %s\n", (int)width, h[i].tok, h[i].help);
	if (cr)
		sbuf_puts(out, "  <cr>\n");
	free(h);
}

bool grammar_help(enum cli_mode mode, const char *line, bool pipes,
		  struct sbuf *out, int *err_word, enum match_status *err_st)
{
	struct word w[MAX_WORDS];
	int nw = grammar_split(line, w, MAX_WORDS);
	if (nw < 0) {
		*err_word = MAX_WORDS;
		*err_st = M_INVALID;
		return false;
	}
	size_t len = strlen(line);
	bool partial = len && line[len - 1] != ' ' && line[len - 1] != '\t';
	struct nodeset *set = xmalloc(sizeof *set);
	bool ok = reach(mode, w, partial ? nw - 1 : nw, set, err_word, err_st);
	if (ok && !partial) {
		help_list(set, pipes, out);
	} else if (ok) {
		/* "sh?" lists the keywords the partial word can complete to */
		char **c;
		int n = grammar_candidates(mode, line, &c);
		for (int i = 0; i < n; i++) {
			sbuf_printf(out, "%s%s", i ? "  " : "", c[i]);
			free(c[i]);
		}
		free(c);
		sbuf_puts(out, n ? "  \n\n" : "% Unrecognized command\n");
	}
	free(set);
	return ok;
}

static int str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Keywords the last partial word of LINE can complete to, sorted. */
int grammar_candidates(enum cli_mode mode, const char *line, char ***out)
{
	struct word w[MAX_WORDS];
	*out = NULL;
	int nw = grammar_split(line, w, MAX_WORDS);
	if (nw < 0)
		return 0;
	size_t len = strlen(line);
	bool partial = len && line[len - 1] != ' ';
	struct word empty = {"", 0, len};
	const struct word *pw = partial ? &w[nw - 1] : &empty;
	struct nodeset *set = xmalloc(sizeof *set);
	int ew;
	enum match_status es;
	int n = 0;
	if (reach(mode, w, partial ? nw - 1 : nw, set, &ew, &es)) {
		for (int s = 0; s < set->n; s++)
			for (int k = 0; k < set->v[s]->nkid; k++) {
				struct gnode *kid = set->v[s]->kid[k];
				if (kid->hidden || kid->kind != TK_KEYWORD ||
				    strlen(kid->text) < pw->len ||
				    strncasecmp(kid->text, pw->s, pw->len))
					continue;
				bool dup = false;
				for (int x = 0; x < n; x++)
					dup |= !strcmp((*out)[x], kid->text);
				if (dup)
					continue;
				*out = xrealloc(*out, (size_t)(n + 1) * sizeof(char *));
				(*out)[n++] = xstrdup(kid->text);
			}
	}
	free(set);
	if (n > 1)
		qsort(*out, (size_t)n, sizeof **out, str_cmp);
	return n;
}

char *grammar_complete(enum cli_mode mode, const char *line)
{
	char **c;
	int n = grammar_candidates(mode, line, &c);
	char *res = NULL;
	if (n == 1) {
		res = xstrdup(c[0]);
	} else if (n > 1) {
		size_t common = strlen(c[0]);
		for (int i = 1; i < n; i++) {
			size_t j = 0;
			while (j < common && c[i][j] == c[0][j])
				j++;
			common = j;
		}
		res = strndup(c[0], common);
	}
	for (int i = 0; i < n; i++)
		free(c[i]);
	free(c);
	return res;
}

/* ------------------------------------------------------------------ */
/* Argument access                                                       */
/* ------------------------------------------------------------------ */

/* An explicit $name wins over a keyword that is spelt the same
 * ("standby 1 name WORD$name" must find the WORD, not the keyword). */
int cli_arg_index(const struct cli_args *a, const char *name)
{
#ifdef IOSIM_CHECKS
	/* a handler asking for a name its syntax never declares has a typo
	 * or reads another command's argument: it would always see NULL */
	if (a->declared && !names_have(a->declared, name)) {
		fprintf(stderr, "iosim: a handler of \"%s\" asks for argument "
			"\"%s\", which its syntax does not declare\n",
			a->cmd ? a->cmd->syntax : "?", name);
		abort();
	}
#endif
	for (int pass = 0; pass < 2; pass++)
		for (int i = 0; i < a->n; i++)
			if (a->named[i] == (pass == 0) && !strcmp(a->name[i], name))
				return i;
	return -1;
}

const char *cli_arg(const struct cli_args *a, const char *name)
{
	int i = cli_arg_index(a, name);
	return i < 0 ? NULL : a->val[i];
}

bool cli_has(const struct cli_args *a, const char *name)
{
	return cli_arg(a, name) != NULL;
}

unsigned long cli_arg_num(const struct cli_args *a, const char *name)
{
	const char *v = cli_arg(a, name);
	return v ? strtoul(v, NULL, 10) : 0;
}

uint32_t cli_arg_ip(const struct cli_args *a, const char *name)
{
	const char *v = cli_arg(a, name);
	uint32_t ip = 0;
	if (v && !ip_parse(v, &ip))
		ip = 0;
	return ip;
}

int cli_argc(const struct cli_args *a)
{
	return a->n;
}

const char *cli_argv(const struct cli_args *a, int i)
{
	return i >= 0 && i < a->n ? a->val[i] : NULL;
}

bool cli_is_default(const struct cli_args *a)
{
	return a->is_default;
}

bool cli_is_no(const struct cli_args *a)
{
	return a->is_no;
}

/* ------------------------------------------------------------------ */
/* Listing every command path (tools/grammar-dump)                      */
/* ------------------------------------------------------------------ */

/* One line per path to a command's end: the mode, each token with its
 * help and argument name, and the form. Two builds whose listings are
 * equal accept the same lines and help them the same way. */
static void dump_walk(const struct gnode *n, int mode, const char **tok,
		      const char **help, int depth, struct sbuf *out)
{
	if (n->term) {
		sbuf_printf(out, "%s:", cli_mode_prompt((enum cli_mode)mode)
						? cli_mode_prompt((enum cli_mode)mode)
						: mode == MODE_USER ? "user" : "exec");
		for (int i = 0; i < depth; i++) {
			const char *name = i < n->term->n ? n->term->names[i] : NULL;
			sbuf_printf(out, " %s%s%s{%s}", tok[i], name ? "$" : "",
				    name ? name : "", help[i]);
		}
		sbuf_printf(out, "%s%s%s\n", n->term->is_no ? " =no" : "",
			    n->term->is_default ? " =default" : "",
			    n->term->cmd->flags & CLI_HIDDEN ? " =hidden" : "");
	}
	if (depth >= 64)
		return;
	for (int k = 0; k < n->nkid; k++) {
		tok[depth] = n->kid[k]->text;
		help[depth] = n->kid[k]->help;
		dump_walk(n->kid[k], mode, tok, help, depth + 1, out);
	}
}

void grammar_dump(struct sbuf *out)
{
	const char *tok[64], *help[64];
	for (int m = 0; m < MODE__COUNT; m++)
		dump_walk(&roots[m], m, tok, help, 0, out);
}
