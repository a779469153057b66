/* The configuration digest client ("Config Digest RF", RF client 110):
 * the checkpoint API's first client, carrying a SHA-256 digest of every
 * configuration section the two routers of a pair must have identical
 * (seeds 000 and 001: ISAKMP policies and keys, transform sets, profiles,
 * crypto maps and the access lists they match, and the inter-device
 * scheme) from the ACTIVE to the standby, which compares them with its
 * own. show redundancy clients says whether the configurations match; a
 * standby whose sections differ at the end of its bulk refuses STANDBY
 * HOT (a failover onto other crypto settings would break the sessions it
 * exists to keep), and accepts as soon as they match again.
 *
 * A section is a top-level line with its indented lines; the numbered
 * access-list lines of one list form one section. Digests, not text,
 * cross the link, and a section's name is shown with its secrets hidden.
 *
 * Messages: BEGIN (u32 sections), SECTION (digest[32], name), END. The
 * bulk is one such snapshot; each configuration change on the ACTIVE
 * (one second after the last) sends a new one. */
#include "ha_int.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/core.h"
#include "../ipc/ipc.h"

#define DG_MAX_SECTIONS 4096
#define DG_NAME_MAX 200
#define DG_DEBOUNCE_S 1.0

enum { DG_BEGIN = 1, DG_SECTION = 2, DG_END = 3, DG_NTYPES = 3 };
static const char *const dg_names[] = {
	[DG_BEGIN] = "DIGEST_BEGIN", [DG_SECTION] = "DIGEST_SECTION",
	[DG_END] = "DIGEST_END",
};

struct section {
	char *name;
	uint8_t md[32];
};
struct snapshot {
	struct section *v;
	int n, cap;
};

static struct {
	struct rf_client *rf;
	/* active: the snapshot being sent, and where */
	struct snapshot out;
	int next;                  /* -1 BEGIN, 0..n-1 sections, n END */
	bool sending, again;
	/* standby: the ACTIVE's last complete snapshot, the one arriving */
	struct snapshot peer, in;
	uint32_t in_expected;
	bool have_peer, receiving;
	ev_timer debounce;
	char summary[RF_REASON_MAX];
	char reason[RF_REASON_MAX];
	char logged[DG_NAME_MAX + 40];  /* the difference the log last named */
} dg;

/* ---- snapshots ------------------------------------------------------------------ */

static void snap_clear(struct snapshot *s)
{
	for (int i = 0; i < s->n; i++)
		free(s->v[i].name);
	free(s->v);
	memset(s, 0, sizeof *s);
}

static struct section *snap_add(struct snapshot *s, const char *name)
{
	if (s->n == DG_MAX_SECTIONS)
		return NULL;
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 32;
		s->v = xrealloc(s->v, (size_t)s->cap * sizeof *s->v);
	}
	struct section *e = &s->v[s->n++];
	e->name = xstrdup(name);
	memset(e->md, 0, sizeof e->md);
	return e;
}

static int sec_cmp(const void *a, const void *b)
{
	return strcmp(((const struct section *)a)->name,
		      ((const struct section *)b)->name);
}

/* The sections the pair must share. */
static bool compared(const char *line)
{
	static const char *const prefixes[] = {
		"crypto ", "access-list ", "ip access-list ",
		"redundancy inter-device",
	};
	for (size_t i = 0; i < sizeof prefixes / sizeof prefixes[0]; i++)
		if (!strncmp(line, prefixes[i], strlen(prefixes[i])))
			return true;
	return false;
}

/* The section's name: its first line with every word after a keyword
 * that introduces a secret hidden; "access-list N" for numbered lists. */
static void section_name(const char *line, size_t len, char *out, size_t n)
{
	static const char *const secret_words[] = {
		"key", "key-string", "password", "secret", "pre-shared-key",
	};
	if (!strncmp(line, "access-list ", 12)) {
		size_t k = 12;
		while (k < len && line[k] != ' ')
			k++;
		snprintf(out, n, "%.*s", (int)k, line);
		return;
	}
	struct sbuf b;
	sbuf_init(&b);
	bool hide = false;
	size_t i = 0;
	while (i < len) {
		size_t j = i;
		while (j < len && line[j] != ' ')
			j++;
		sbuf_printf(&b, "%s%.*s", i ? " " : "", hide ? 8 : (int)(j - i),
			    hide ? "<hidden>" : line + i);
		hide = false;
		for (size_t w = 0; w < sizeof secret_words / sizeof secret_words[0]; w++)
			if (j - i == strlen(secret_words[w]) &&
			    !strncmp(line + i, secret_words[w], j - i))
				hide = true;
		i = j < len ? j + 1 : j;
	}
	snprintf(out, n, "%s", b.s ? b.s : "");
	sbuf_free(&b);
}

static void digest(const char *text, size_t len, uint8_t md[32])
{
	unsigned mdlen = 0;
	if (!EVP_Digest(text, len, md, &mdlen, EVP_sha256(), NULL) ||
	    mdlen != 32)
		memset(md, 0, 32);
}

/* This router's sections, sorted by name. */
static void snap_mine(struct snapshot *s)
{
	snap_clear(s);
	char *text = cfg_running_text();
	struct sbuf body;
	sbuf_init(&body);
	struct section *cur = NULL;
	char name[DG_NAME_MAX + 1];
	for (char *p = text; *p;) {
		char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		bool top = len && p[0] != ' ';
		if (top) {
			if (cur)
				digest(body.s ? body.s : "", body.len, cur->md);
			cur = NULL;
			sbuf_reset(&body);
			if (compared(p)) {
				section_name(p, len, name, sizeof name);
				/* numbered access-list lines continue one */
				if (s->n && !strcmp(s->v[s->n - 1].name, name)) {
					cur = &s->v[s->n - 1];
					sbuf_reset(&body);
				} else {
					cur = snap_add(s, name);
				}
			}
		}
		if (cur) {
			sbuf_add(&body, p, len);
			sbuf_puts(&body, "\n");
		}
		p += len + (nl ? 1 : 0);
	}
	if (cur)
		digest(body.s ? body.s : "", body.len, cur->md);
	sbuf_free(&body);
	free(text);
	qsort(s->v, (size_t)s->n, sizeof *s->v, sec_cmp);
}

/* ---- comparing (standby) ---------------------------------------------------------- */

/* Compare the ACTIVE's snapshot with this router's: the summary for show,
 * and the reason to refuse STANDBY HOT (NULL when they match). */
static const char *compare(void)
{
	if (!dg.have_peer) {
		snprintf(dg.summary, sizeof dg.summary, "not compared: no "
			 "digest from the active yet");
		return NULL;
	}
	struct snapshot mine = {0};
	snap_mine(&mine);
	int differ = 0, only_peer = 0, only_mine = 0;
	char first[DG_NAME_MAX + 40] = "";
	int i = 0, j = 0;
	while (i < dg.peer.n || j < mine.n) {
		int c = i == dg.peer.n ? 1 : j == mine.n ? -1
			: strcmp(dg.peer.v[i].name, mine.v[j].name);
		const char *what = NULL, *name = NULL;
		if (c < 0) {
			only_peer++;
			what = "missing here";
			name = dg.peer.v[i++].name;
		} else if (c > 0) {
			only_mine++;
			what = "missing on the active";
			name = mine.v[j++].name;
		} else {
			if (memcmp(dg.peer.v[i].md, mine.v[j].md, 32)) {
				differ++;
				what = "differs";
				name = mine.v[j].name;
			}
			i++;
			j++;
		}
		if (what && !first[0])
			snprintf(first, sizeof first, "%s: %s", name, what);
	}
	int n = mine.n;
	snap_clear(&mine);
	if (!differ && !only_peer && !only_mine) {
		snprintf(dg.summary, sizeof dg.summary, "configurations match "
			 "(%d sections compared)", n);
		if (dg.logged[0])
			log_ios("RF_INTERDEV-6-CONFIG_MATCH", "The crypto "
				"configuration matches the ACTIVE's again (%d "
				"sections compared)", n);
		dg.logged[0] = '\0';
		return NULL;
	}
	/* once per difference, not at every comparison */
	if (strcmp(dg.logged, first)) {
		log_ios("RF_INTERDEV-4-CONFIG_MISMATCH", "The crypto configuration "
			"differs from the ACTIVE's: %s (%d differ, %d missing here, "
			"%d missing on the active); this router stays out of "
			"STANDBY HOT", first, differ, only_peer, only_mine);
		snprintf(dg.logged, sizeof dg.logged, "%s", first);
	}
	snprintf(dg.summary, sizeof dg.summary, "configurations differ: %d "
		 "differ, %d missing here, %d missing on the active (%.50s)",
		 differ, only_peer, only_mine, first);
	snprintf(dg.reason, sizeof dg.reason, "configurations differ (%.120s)",
		 first);
	return dg.reason;
}

void rf_digest_summary(char *out, size_t n)
{
	snprintf(out, n, "%s", dg.summary[0] ? dg.summary
		 : "not compared: no standby");
}

/* ---- sending (ACTIVE) ------------------------------------------------------------ */

static void start_snapshot(void)
{
	snap_mine(&dg.out);
	dg.next = -1;
	dg.sending = true;
	dg.again = false;
	snprintf(dg.summary, sizeof dg.summary, "%d sections sent to the "
		 "standby", dg.out.n);
}

/* Send the snapshot as far as the channel takes it: true when it is all
 * out (or the standby is gone). */
static bool pump(void)
{
	while (dg.sending && dg.next <= dg.out.n) {
		uint8_t buf[32 + DG_NAME_MAX];
		int rc;
		if (dg.next < 0) {
			uint32_t n = (uint32_t)dg.out.n;
			uint8_t b[4] = {(uint8_t)(n >> 24), (uint8_t)(n >> 16),
					(uint8_t)(n >> 8), (uint8_t)n};
			rc = rf_client_send(dg.rf, DG_BEGIN, b, sizeof b);
		} else if (dg.next < dg.out.n) {
			const struct section *e = &dg.out.v[dg.next];
			size_t nl = strnlen(e->name, DG_NAME_MAX);
			memcpy(buf, e->md, 32);
			memcpy(buf + 32, e->name, nl);
			rc = rf_client_send(dg.rf, DG_SECTION, buf, 32 + nl);
		} else {
			rc = rf_client_send(dg.rf, DG_END, NULL, 0);
		}
		if (rc == IPC_FULL)
			return false;
		if (rc != IPC_SENT)
			break;     /* the standby went away: nothing to finish */
		dg.next++;
	}
	dg.sending = false;
	snap_clear(&dg.out);
	return true;
}

static bool bulk_send(void *ctx, bool first)
{
	if (first)
		start_snapshot();
	return pump();
}

static void writable(void *ctx)
{
	if (pump() && dg.again && rf_peer_syncing()) {
		start_snapshot();
		pump();
	}
}

/* ---- receiving (standby) ------------------------------------------------------------ */

static void bulk_begin(void *ctx)
{
	snap_clear(&dg.peer);
	snap_clear(&dg.in);
	dg.have_peer = dg.receiving = false;
}


static bool name_ok(const uint8_t *p, size_t n)
{
	if (!n || n > DG_NAME_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (p[i] < 0x20 || p[i] > 0x7e)
			return false;
	return true;
}

static void bad(const char *what)
{
	rf_counters.rx_bad++;
	rf_dbg("Config Digest RF: %s dropped", what);
}

/* A complete snapshot from the ACTIVE: the one to compare against. */
static void snapshot_done(void)
{
	snap_clear(&dg.peer);
	dg.peer = dg.in;
	memset(&dg.in, 0, sizeof dg.in);
	qsort(dg.peer.v, (size_t)dg.peer.n, sizeof *dg.peer.v, sec_cmp);
	dg.have_peer = true;
	dg.receiving = false;
	const char *why = compare();
	/* after the bulk: a standby that refused accepts once they match */
	if (!why)
		rf_client_set_ready(dg.rf, NULL);
}

static void recv(void *ctx, uint16_t type, const uint8_t *p, size_t len)
{
	switch (type) {
	case DG_BEGIN:
		if (len != 4 || be32_get(p) > DG_MAX_SECTIONS) {
			bad("BEGIN");
			return;
		}
		snap_clear(&dg.in);
		dg.in_expected = be32_get(p);
		dg.receiving = true;
		return;
	case DG_SECTION: {
		if (!dg.receiving || len < 33 || !name_ok(p + 32, len - 32) ||
		    (uint32_t)dg.in.n >= dg.in_expected) {
			bad("SECTION");
			return;
		}
		char name[DG_NAME_MAX + 1];
		memcpy(name, p + 32, len - 32);
		name[len - 32] = '\0';
		struct section *e = snap_add(&dg.in, name);
		if (e)
			memcpy(e->md, p, 32);
		return;
	}
	case DG_END:
		if (!dg.receiving || len || (uint32_t)dg.in.n != dg.in_expected) {
			bad("END");
			dg.receiving = false;
			snap_clear(&dg.in);
			return;
		}
		snapshot_done();
		return;
	}
}

static const char *bulk_end(void *ctx)
{
	return dg.have_peer ? compare() : "no configuration digest received";
}

/* ---- configuration changes ----------------------------------------------------------- */

static void on_debounce(struct ev_loop *loop, ev_timer *w, int revents)
{
	if (rf_peer_syncing()) {
		if (dg.sending) {
			dg.again = true;
			return;
		}
		start_snapshot();
		pump();
		return;
	}
	if (rf_state_is_standby(rf_status.my) && dg.have_peer &&
	    !compare())
		rf_client_set_ready(dg.rf, NULL);
}

static void on_config(enum core_event ev, void *data, void *ctx)
{
	ev_timer_stop(core_loop, &dg.debounce);
	ev_timer_set(&dg.debounce, DG_DEBOUNCE_S, 0.);
	ev_timer_start(core_loop, &dg.debounce);
}

static void progress(void *ctx, enum rf_state my, enum rf_state peer)
{
	/* a standby that became ACTIVE compares against no one now */
	if (rf_state_is_active(my) && dg.have_peer) {
		snap_clear(&dg.peer);
		dg.have_peer = false;
		dg.summary[0] = '\0';
	}
	if (!rf_status.comm_up) {
		dg.sending = dg.again = dg.receiving = false;
		snap_clear(&dg.out);
		snap_clear(&dg.in);
	}
}

static void on_reload(enum core_event ev, void *data, void *ctx)
{
	ev_timer_stop(core_loop, &dg.debounce);
	snap_clear(&dg.out);
	snap_clear(&dg.in);
	snap_clear(&dg.peer);
	dg.have_peer = dg.sending = dg.again = dg.receiving = false;
	dg.summary[0] = dg.reason[0] = dg.logged[0] = '\0';
}

static const struct rf_client_ops dg_ops = {
	.name = "Config Digest RF",
	.id = RF_CLIENT_CONFIG_DIGEST,
	.ntypes = DG_NTYPES,
	.type_names = dg_names,
	.bulk_send = bulk_send,
	.bulk_begin = bulk_begin,
	.recv = recv,
	.bulk_end = bulk_end,
	.progress = progress,
	.writable = writable,
};

void rf_digest_init(void)
{
	ev_timer_init(&dg.debounce, on_debounce, 0., 0.);
	dg.rf = rf_client_register(&dg_ops, NULL);
	if (!dg.rf)
		abort();
	core_subscribe(EVT_CONFIG_CHANGED, on_config, NULL);
	core_subscribe(EVT_RELOAD, on_reload, NULL);
}
