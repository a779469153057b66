/* Private to cli/: the command grammar (syntax compiler, per-mode token
 * trees, matcher, help and completion). */
#ifndef IOSIM_GRAMMAR_H
#define IOSIM_GRAMMAR_H

#include "cli.h"

enum tok_kind { TK_KEYWORD, TK_RANGE, TK_IPV4, TK_WORD, TK_LINE, TK_IFNAME };

struct gnode;

/* One word of the input line, with its byte offset (for the caret). */
struct word {
	const char *s;
	size_t len, off;
};
#define MAX_WORDS 512

struct cli_args {
	int n;
	const char *name[64];
	char *val[64];
	size_t off[64];       /* byte offset of the token's word in the line */
	bool named[64];       /* the name came from $name (it wins a lookup) */
	bool is_no;           /* "no ..." or "default ..." */
	bool is_default;
	const struct cli_command *cmd;
	const struct cmd_names *declared;   /* what its syntax declares */
};

enum match_status { M_OK, M_INCOMPLETE, M_INVALID, M_AMBIGUOUS };

struct match_result {
	enum match_status st;
	int word;                          /* failing word index (caret) */
	const struct cli_command *cmd;
	struct cli_args args;
	bool line_tail;       /* the last token was LINE (took the rest) */
	bool loose;           /* some token was WORD or LINE */
	int ntok;
	unsigned char level[64];   /* how specifically each token matched */
};

/* Split LINE into words; returns count or -1 when there are too many. */
int grammar_split(const char *line, struct word *w, int max);
/* Match words against MODE's commands. Frees nothing: call
 * grammar_args_free(&r->args) after use. */
void grammar_match(enum cli_mode mode, const char *line, const struct word *w,
		   int nw, struct match_result *r);
void grammar_args_free(struct cli_args *a);
int grammar_specificity_cmp(const struct match_result *a,
			    const struct match_result *b);
/* ? help: appends IOS-formatted help for LINE (without the '?') to out;
 * PIPES: list `|` (Output modifiers) where the command can end.
 * Returns false and sets *err_word when the words before are invalid. */
bool grammar_help(enum cli_mode mode, const char *line, bool pipes,
		  struct sbuf *out, int *err_word, enum match_status *err_st);
/* TAB: the completion of the last (partial) word, or NULL. Caller frees. */
char *grammar_complete(enum cli_mode mode, const char *line);
/* All candidate keywords for the last partial word (for readline). */
int grammar_candidates(enum cli_mode mode, const char *line, char ***out);

/* Every command path of every mode, one per line (tools/grammar-dump). */
void grammar_dump(struct sbuf *out);

#endif
