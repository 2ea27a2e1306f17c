/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The status files that name manga series, as this thread's caller may see
 * them (series_shown.h). The series' folders are checked after the store's
 * snapshot, never while it is read.
 */
#include "fs/tree/series_shown.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/array.h"
#include "common/log.h"
#include "common/json.h"
#include "fs/tree/caller.h"
#include "fs/tree/health_since.h"
#include "fs/tree/render.h"
#include "fs/tree/render_manga.h"
#include "fs/tree/render_monitor.h"
#include "indexer/reads.h"

/* The series' folders, by id, as the store lists them. */
struct folders {
	struct folder {
		int64_t id;
		char *path;
	} *v;
	size_t nr, alloc;
};

/* The ids of the series the caller may not see, ascending. */
struct hidden {
	int64_t *v;
	size_t nr, alloc;
};

static int keep_folder(void *arg, int64_t id, const char *path)
{
	struct folders *f = arg;
	struct folder *v = array_grow(f->v, f->nr, &f->alloc, sizeof(*v), 64);

	if (!v)
		return -ENOMEM;
	f->v = v;
	v[f->nr].id = id;
	v[f->nr].path = strdup(path);
	if (!v[f->nr].path)
		return -ENOMEM;
	f->nr++;
	return 0;
}

/* Note the series whose folder the caller may not list: the folders are
 * read first, in one snapshot, and checked once it is over. */
static int find_hidden(struct hidden *h)
{
	struct folders f = { NULL, 0, 0 };
	int rc = manga_reads_folders(keep_folder, &f);

	for (size_t i = 0; !rc && i < f.nr; i++) {
		int64_t *v;

		if (caller_may_list(f.v[i].path))
			continue;
		v = array_grow(h->v, h->nr, &h->alloc, sizeof(*v), 16);
		if (!v)
			rc = log_error(-ENOMEM, "fs: no memory for the series"
				       " a caller may not see");
		else
			(h->v = v)[h->nr++] = f.v[i].id;
	}
	for (size_t i = 0; i < f.nr; i++)
		free(f.v[i].path);
	free(f.v);
	return rc;
}

static int cmp_id(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

static int keep_series(void *arg, int64_t series)
{
	const struct hidden *h = arg;

	return !h->nr ||
	       !bsearch(&series, h->v, h->nr, sizeof(*h->v), cmp_id);
}

/* Render with the series this caller may see: all for the owner. */
static int render_shown(struct strbuf *out,
			int (*render)(struct strbuf *out,
				      const struct query_series_filter *f))
{
	struct hidden h = { NULL, 0, 0 };
	struct query_series_filter f = { keep_series, &h };
	int rc;

	if (caller_is_owner())
		return render(out, NULL);
	rc = find_hidden(&h);
	if (!rc)
		rc = render(out, &f);
	free(h.v);
	return rc;
}

int series_shown_missing(struct strbuf *out)
{
	return render_shown(out, render_manga_all_missing);
}

int series_shown_new(struct strbuf *out)
{
	return render_shown(out, render_monitor_new);
}

int series_shown_found(struct strbuf *out)
{
	return render_shown(out, render_monitor_found);
}

/* A filter that shows no series, and notes it was asked. */
static int note_asked(void *arg, int64_t series)
{
	(void)series;
	*(int *)arg = 1;
	return 0;
}

/* Health is read often and rarely holds a series' line: it is rendered
 * showing no series first, and again with the caller's series only
 * when a line of a series was left out. */
int series_shown_health(struct strbuf *out)
{
	struct strbuf first = STRBUF_INIT;
	int asked = 0;
	struct query_series_filter none = { note_asked, &asked };
	int rc;

	if (caller_is_owner())
		return render_health_shown(out, NULL);
	rc = render_health_shown(&first, &none);
	if (!rc && !asked)
		strbuf_add(out, first.buf, first.len);
	strbuf_release(&first);
	return rc || !asked ? rc : render_shown(out, render_health_shown);
}

/* A line of the health file as JSON: its level, its words, since when
 * it holds (null: no reading noted it) and where its fix is told. */
static json_t *health_line(const char *line, size_t len)
{
	double since = health_since_of(line, len);

	return json_pack("{s:s, s:o, s:o, s:s}", "level",
			 strncmp(line, "error:", 6) ? "warn" : "error",
			 "line", json_text(line, len), "since",
			 since > 0 ? json_time(since) : json_null(), "see",
			 health_since_see(line, len));
}

int series_shown_health_json(struct strbuf *out)
{
	struct strbuf text = STRBUF_INIT;
	json_t *lines = json_array();
	int rc = lines ? series_shown_health(&text) : -ENOMEM;

	for (const char *l = text.buf, *end; !rc && *l; l = end + !!*end) {
		end = strchrnul(l, '\n');
		if (end - l == 2 && !strncmp(l, "ok", 2))
			continue;
		if (json_array_append_new(lines, health_line(l, end - l)))
			rc = -ENOMEM;
	}
	strbuf_release(&text);
	if (rc) {
		json_decref(lines);
		return rc;
	}
	return json_append(out, lines);
}
