/* For unit tests that type lines into a console session and check each
 * line's handler code (CLI_OK, CLI_UNCHANGED, CLI_ERR): include after
 * cmocka.h. Private to the tests that include it. */
#ifndef IOSIM_TEST_TYPE_LINES_H
#define IOSIM_TEST_TYPE_LINES_H

#include "../../cli/session.h"

/* rc ANY_RC: the line's code is not the test's business (entering a mode
 * another subsystem declares). */
#define ANY_RC (-1)
struct typed {
	const char *line;
	int rc;
};

static void type_lines_sink(void *io, const char *p, size_t n)
{
	sbuf_add(io, p, n);
}

/* Type each line, until one with a NULL line, into one console session
 * that starts in global configuration mode; fail at the first line whose
 * code is not the one listed, with what the line printed. */
static void type_lines(const struct typed *t)
{
	struct sbuf out;
	sbuf_init(&out);
	struct cli_io io = {.write = type_lines_sink, .io = &out,
			    .origin = "console"};
	struct cli *c = cli_session_new(&io, MODE_CONFIG);
	for (; t->line; t++) {
		sbuf_reset(&out);
		int rc = cli_session_line(c, t->line);
		if (t->rc != ANY_RC && rc != t->rc)
			fail_msg("\"%s\" returned %d, not %d: %s", t->line, rc,
				 t->rc, out.s ? out.s : "");
	}
	cli_session_free(c);
	sbuf_free(&out);
}

#endif
