/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * /manga (manga_view.h): the series' folders and their files, and the
 * writes to monitored, latest, source and the preferences, validated and
 * then handed to the indexer. What a file shows is render_manga.c's.
 */
#include "fs/tree/manga_view.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "common/bytes.h"
#include "common/strbuf.h"
#include "common/utf8.h"
#include "fs/tree/caller.h"
#include "fs/tree/control.h"
#include "fs/tree/manga_names.h"
#include "fs/tree/manga_pages.h"
#include "fs/tree/node.h"
#include "fs/tree/render_manga.h"
#include "fs/tree/render_monitor.h"
#include "indexer/indexer.h"
#include "indexer/reads.h"

#define SOURCE_MAX 200

static int render_monitored(struct strbuf *out, int64_t series);
static int render_latest(struct strbuf *out, int64_t series);
static int render_source(struct strbuf *out, int64_t series);
static int write_monitored(const char *buf, size_t len, int64_t series);
static int write_latest(const char *buf, size_t len, int64_t series);
static int write_source(const char *buf, size_t len, int64_t series);
static int render_prefs(struct strbuf *out, int64_t series);
static int write_prefs(const char *buf, size_t len, int64_t series);
static int render_edition(struct strbuf *out, int64_t series);
static int write_edition(const char *buf, size_t len, int64_t series);

static const struct {
	const char *name;
	struct node node;
} series_files[] = {
	{ "volumes", { NODE_FILE, .render_series = render_manga_volumes } },
	{ "missing", { NODE_FILE, .render_series = render_manga_missing } },
	{ "monitored", { NODE_CONTROL, .render_series = render_monitored,
			 .write_series = write_monitored } },
	{ "latest", { NODE_CONTROL, .render_series = render_latest,
		      .write_series = write_latest } },
	{ "source", { NODE_CONTROL, .render_series = render_source,
		      .write_series = write_source } },
	{ "preferences", { NODE_CONTROL, .render_series = render_prefs,
			   .write_series = write_prefs } },
	{ "edition", { NODE_CONTROL, .render_series = render_edition,
		       .write_series = write_edition } },
	{ "status.json", { NODE_FILE, .render_series = render_manga_status } },
	{ "results.json", { NODE_FILE,
			    .render_series = render_monitor_results } },
};

#define NR_SERIES_FILES (ARRAY_SIZE(series_files))

/* Whether this thread's caller may list the series' folder on disk: a
 * series it may not is not there for it. */
static int visible(const struct manga_name *s)
{
	return caller_is_owner() || caller_may_list(s->folder);
}

/*
 * Walk the series this thread's caller may see in name order with the
 * names the mount gives them: a name met again gets " (2)", " (3)" in id
 * order, so the names are stable while the series stay. The numbers count
 * only the series the caller sees, or a gap would tell it that a series of
 * that name is hidden from it. fn returns nonzero to stop; that is
 * returned.
 */
static int each_series(int (*fn)(void *arg, const char *name, int64_t id),
		       void *arg)
{
	struct strbuf name = STRBUF_INIT;
	struct manga_names *n = NULL;
	const char *prev = NULL;
	int dup = 0, rc = manga_names_get(&n);

	for (size_t i = 0; !rc && i < n->nr; i++) {
		const struct manga_name *s = &n->v[i];

		if (!visible(s))
			continue;
		dup = prev && !strcmp(prev, s->name) ? dup + 1 : 1;
		prev = s->name;
		strbuf_reset(&name);
		strbuf_addstr(&name, s->name);
		if (dup > 1)
			strbuf_addf(&name, " (%d)", dup);
		rc = fn(arg, name.buf, s->id);
	}
	manga_names_put(n);
	strbuf_release(&name);
	return rc;
}

/* The k-th series named name (len bytes) that the caller sees, 0 when
 * there is none. */
static int64_t nth_seen(const struct manga_names *n, const char *name,
			size_t len, long k)
{
	for (size_t i = manga_names_find(n, name, len);
	     i < n->nr && manga_names_is(&n->v[i], name, len); i++) {
		if (visible(&n->v[i]) && !--k)
			return n->v[i].id;
	}
	return 0;
}

/* The K of a name ending " (K)" as each_series() writes it, from 2 on;
 * 0 when it has no such end. */
static long dup_number(const char *name, size_t len, size_t *base)
{
	size_t i;
	long k = 0;

	if (len < 5 || name[len - 1] != ')')
		return 0;
	for (i = len - 1; i > 0 && name[i - 1] >= '0' && name[i - 1] <= '9';)
		i--;
	if (i < 3 || i == len - 1 || name[i] == '0' || len - 1 - i > 9 ||
	    name[i - 1] != '(' || name[i - 2] != ' ')
		return 0;
	for (size_t j = i; j < len - 1; j++)
		k = k * 10 + (name[j] - '0');
	*base = i - 2;
	return k >= 2 ? k : 0;
}

/* The series this thread's caller knows as name (len bytes): "NAME (K)"
 * is the K-th NAME it sees when there are that many, as a listing names
 * it first; else the first series of that very name it sees. */
static int find_series(const char *name, size_t len, int64_t *id)
{
	struct manga_names *n;
	size_t base = 0;
	long k = dup_number(name, len, &base);
	int rc = manga_names_get(&n);

	if (rc)
		return rc;
	*id = k ? nth_seen(n, name, base, k) : 0;
	if (!*id)
		*id = nth_seen(n, name, len, 1);
	manga_names_put(n);
	return 0;
}

int manga_view_resolve(const char *rel, struct node *out)
{
	const char *slash = strchr(rel, '/');
	int64_t id = 0;
	int rc = find_series(rel, slash ? (size_t)(slash - rel) : strlen(rel),
			     &id);

	if (rc < 0)
		return rc;
	if (!id)
		return -ENOENT;
	if (!slash) {
		*out = (struct node){ .type = NODE_DIR, .dynamic = 1,
				      .series = id };
		return 0;
	}
	for (size_t i = 0; i < NR_SERIES_FILES; i++) {
		if (!strcmp(series_files[i].name, slash + 1)) {
			*out = series_files[i].node;
			out->series = id;
			return 0;
		}
	}
	return manga_pages_resolve(id, slash + 1, out);
}

struct child_list {
	int (*fn)(const char *name, const struct node *child, void *arg);
	void *arg;
};

static int list_one(void *arg, const char *name, int64_t id)
{
	struct child_list *l = arg;
	struct node dir = { .type = NODE_DIR, .dynamic = 1, .series = id };

	return l->fn(name, &dir, l->arg) ? 1 : 0;
}

int manga_view_list(const char *rel,
		    int (*fn)(const char *name, const struct node *child,
			      void *arg),
		    void *arg)
{
	struct child_list l = { fn, arg };
	const char *slash;
	int64_t id = 0;
	int rc;

	if (!*rel) {
		rc = each_series(list_one, &l);
		return rc < 0 ? rc : 0;
	}
	slash = strchr(rel, '/');
	rc = find_series(rel, slash ? (size_t)(slash - rel) : strlen(rel),
			 &id);
	if (!rc && !id)
		rc = -ENOENT;
	if (rc || slash)
		return rc ? rc : manga_pages_list(id, slash + 1, fn, arg);
	for (size_t i = 0; i < NR_SERIES_FILES; i++) {
		struct node n = series_files[i].node;

		n.series = id;
		if (fn(series_files[i].name, &n, arg))
			return 0;
	}
	return manga_pages_list(id, NULL, fn, arg);
}

static int render_monitored(struct strbuf *out, int64_t series)
{
	return render_manga_setting(out, series, MANGA_SETTING_MONITORED);
}

static int render_latest(struct strbuf *out, int64_t series)
{
	return render_manga_setting(out, series, MANGA_SETTING_LATEST);
}

static int render_source(struct strbuf *out, int64_t series)
{
	return render_manga_setting(out, series, MANGA_SETTING_SOURCE);
}

/* A whole number from lo to hi, written as plain digits. */
static int parse_number(const char *s, long lo, long hi, long *out)
{
	char *end;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	*out = strtol(s, &end, 10);
	if (errno || *end || *out < lo || *out > hi)
		return -EINVAL;
	return 0;
}

/* A setting that is a whole number from lo to hi; an empty line is 0
 * (which clears it) when may_clear. */
static int read_number(const char *buf, size_t len, long lo, long hi,
		       int may_clear, long *out)
{
	char text[16];
	int n = control_text(buf, len, text, sizeof(text));

	*out = 0;
	if (n < 0)
		return n;
	if (!n && !may_clear)
		return control_refuse(-EINVAL, "empty: it takes a number");
	if (n && parse_number(text, lo, hi, out))
		return control_refuse(-EINVAL, "not a number it takes (read"
				      " the file for those it does)");
	return 0;
}

static int write_monitored(const char *buf, size_t len, int64_t series)
{
	long on;
	int rc = read_number(buf, len, 0, 1, 0, &on);

	if (rc)
		return rc;
	return indexer_set_series_monitored(series, on);
}

static int write_latest(const char *buf, size_t len, int64_t series)
{
	long latest;
	int rc = read_number(buf, len, 1, LONG_MAX, 1, &latest);

	if (rc)
		return rc;
	return indexer_set_series_latest(series, latest);
}

/* A source is a short line of printable UTF-8 text. */
static int write_source(const char *buf, size_t len, int64_t series)
{
	char text[SOURCE_MAX + 1];
	int n = control_text(buf, len, text, sizeof(text));
	unsigned int cp;

	if (n < 0)
		return n;
	for (int i = 0, k; i < n; i += k) {
		k = utf8_decode((const unsigned char *)text + i, n - i, &cp);
		if (!k || cp < 0x20 || cp == 0x7f)
			return control_refuse(-EINVAL, "not printable UTF-8"
					      " text");
	}
	return indexer_set_series_source(series, text);
}

static int render_prefs(struct strbuf *out, int64_t series)
{
	return render_manga_setting(out, series, MANGA_SETTING_PREFS);
}

/* Items of [release] keys, on lines or after ";" (indexer.h); the text
 * holds no NUL, and an empty write forgets them. */
static int write_prefs(const char *buf, size_t len, int64_t series)
{
	char text[INDEXER_PREFS_MAX + 1];

	if (len > INDEXER_PREFS_MAX || memchr(buf, '\0', len))
		return -EINVAL;
	memcpy(text, buf, len);
	text[len] = '\0';
	return indexer_set_series_prefs(series, text);
}

static int render_edition(struct strbuf *out, int64_t series)
{
	return render_manga_setting(out, series, MANGA_SETTING_EDITION);
}

/* One of the editions mediamon follows; an empty line forgets it. */
static int write_edition(const char *buf, size_t len, int64_t series)
{
	char text[8];
	int n = control_text(buf, len, text, sizeof(text));

	if (n >= 0)
		n = indexer_set_series_edition(series, n ? text : NULL);
	if (n == -EINVAL)
		return control_refuse(n, "not an edition mediamon follows:"
				      " fr, en, ja, ko, zh, es, es-la, pt-br,"
				      " de or it");
	return n;
}
