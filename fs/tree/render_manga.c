/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The files that show what the store knows of manga series
 * (render_manga.h): a series' volumes, gaps, settings and status, and the
 * missing volumes of all. It writes nothing; the writes are manga_view.c's.
 */
#include "fs/tree/render_manga.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/bytes.h"
#include "common/json.h"
#include "common/strbuf.h"
#include "common/utf8.h"

int render_manga_volumes(struct strbuf *out, int64_t series)
{
	double *nums, latest;
	size_t n;
	int rc = manga_reads_owned(series, &nums, &n, &latest);

	for (size_t i = 0; !rc && i < n; i++)
		strbuf_addf(out, "%g\n", nums[i]);
	free(nums);
	return rc;
}

int render_manga_missing(struct strbuf *out, int64_t series)
{
	size_t n;
	int *gaps, rc = manga_reads_gaps(series, &gaps, &n);

	for (size_t i = 0; !rc && i < n; i++)
		strbuf_addf(out, "%d\n", gaps[i]);
	free(gaps);
	return rc;
}

/* A setting not set is an empty file, so that writing back what was
 * read changes nothing. */
int render_manga_setting(struct strbuf *out, int64_t series,
			 enum manga_file_setting which)
{
	char *value;
	int rc = manga_reads_setting(series, which, &value);

	if (!rc && value && *value)
		strbuf_addf(out, "%s\n", value);
	free(value);
	return rc;
}

/* Volume numbers as people write them: 5, and 10.5 only when it is. */
static json_t *volume_json(double v)
{
	return v == floor(v) ? json_integer((json_int_t)v) : json_num(v);
}

/* The files that are not volumes, by kind; those whose names give no
 * volume with the parser's reason, chapters with the volume they are in
 * (null when their names give none). */
static void add_others(json_t *doc, const struct manga_status *s)
{
	static const char *const keys[] = {
		[MANGA_OTHER_CHAPTER] = "chapters",
		[MANGA_OTHER_SPECIAL] = "specials",
		[MANGA_OTHER_UNPARSED] = "unparsed",
	};

	for (size_t i = 0; i < ARRAY_SIZE(keys); i++)
		json_object_set_new(doc, keys[i], json_array());
	for (size_t i = 0; i < s->nr_others; i++) {
		const struct manga_other *o = &s->others[i];
		json_t *item = json_pack("{s:o, s:o}", "number",
					 o->number > 0 ?
					 volume_json(o->number) : json_null(),
					 "file", json_text_or_null(o->path));

		if (o->kind == MANGA_OTHER_CHAPTER)
			json_object_set_new(item, "volume", o->has_volume ?
					    volume_json(o->volume) :
					    json_null());
		if (o->kind == MANGA_OTHER_UNPARSED)
			json_object_set_new(item, "reason", o->reason ?
					    json_string(o->reason) :
					    json_null());
		json_array_append_new(json_object_get(doc, keys[o->kind]),
				      item);
	}
}

/* The count of volumes out the last check stored: how many, which
 * source gave it for which edition ("mangaupdates:ja"), from which of
 * its records ("mangaupdates:55099564912") and line (MangaUpdates'
 * status line read, else null), and when; null before any, or for one
 * written to latest. */
static json_t *published_json(const struct manga_status *s)
{
	const char *by = s->published_by;
	const char *colon = by ? strchr(by, ':') : NULL;

	if (s->published <= 0 || !colon)
		return json_null();
	return json_pack("{s:o, s:s%, s:s, s:o, s:o, s:o}",
			 "volumes", volume_json(s->published),
			 "source", by, (size_t)(colon - by),
			 "edition", colon + 1,
			 "record", json_text_or_null(s->published_record),
			 "line", json_text_or_null(s->published_line),
			 "checked_at", json_text_or_null(s->last_checked));
}

/* What the count's record said (monitor/series_meta.h), as the monitor
 * kept it, each of its strings redact()ed: a source's answer may echo a
 * secret of its URL. NULL when text is not a JSON object. */
static json_t *meta_shown(const char *text)
{
	json_t *doc = json_loads(text, 0, NULL), *v, *item;
	const char *key;
	size_t i;

	if (!json_is_object(doc)) {
		json_decref(doc);
		return NULL;
	}
	json_object_foreach(doc, key, v) {
		if (json_is_string(v))
			json_object_set_new(doc, key, json_text_shown(
				json_string_value(v)));
		json_array_foreach(v, i, item)
			if (json_is_string(item))
				json_array_set_new(v, i, json_text_shown(
					json_string_value(item)));
	}
	return doc;
}

/* The ids searches found for the series ("SOURCE:ID" words apart by
 * spaces), one string each. */
static json_t *found_json(const char *text)
{
	json_t *a = json_array();
	size_t n;

	for (const char *p = text ? text : ""; *p; p += n) {
		p += strspn(p, " ");
		n = strcspn(p, " ");
		if (n)
			json_array_append_new(a, json_stringn(p, n));
	}
	return a;
}

int render_manga_status(struct strbuf *out, int64_t series)
{
	struct manga_status s;
	json_t *doc, *meta, *vols = json_array(), *gaps = json_array();
	int rc = manga_reads_status(series, &s);

	for (size_t i = 0; !rc && i < s.nr_volumes; i++)
		json_array_append_new(vols, volume_json(s.volumes[i]));
	for (size_t i = 0; !rc && i < s.nr_missing; i++)
		json_array_append_new(gaps, json_integer(s.missing[i]));
	doc = rc ? NULL : json_pack("{s:o, s:o, s:b, s:o, s:o, s:o}",
		"series", json_text_or_null(s.name),
		"path", json_text_or_null(s.path),
		"monitored", s.monitored,
		"latest", s.latest > 0 ? json_integer((json_int_t)s.latest) :
		json_null(),
		"volumes", json_incref(vols),
		"missing", json_incref(gaps));
	json_decref(vols);
	json_decref(gaps);
	if (doc) {
		json_object_set_new(doc, "source", json_text_or_null(s.source));
		json_object_set_new(doc, "found", found_json(s.found));
		json_object_set_new(doc, "status", json_text_or_null(s.status));
		json_object_set_new(doc, "last_checked",
				    json_text_or_null(s.last_checked));
		json_object_set_new(doc, "edition",
				    json_text_or_null(s.edition));
		json_object_set_new(doc, "published", published_json(&s));
		meta = s.meta ? meta_shown(s.meta) : NULL;
		json_object_set_new(doc, "metadata", meta ? meta :
				    json_null());
		add_others(doc, &s);
	}
	manga_status_release(&s);
	if (rc)
		return rc;
	if (!doc)
		return -ENOMEM;
	return json_append(out, doc);
}

struct missing_lines {
	struct strbuf *out;
	const struct query_series_filter *shown;
};

static int missing_line(void *arg, int64_t id, const char *series,
			int volume, const char *series_path)
{
	struct missing_lines *ml = arg;

	(void)series_path;
	if (!series_filter_shown(ml->shown, id))
		return 0;
	utf8_add_field(ml->out, series);
	strbuf_addf(ml->out, "\t%d\n", volume);
	return 0;
}

int render_manga_all_missing(struct strbuf *out,
			     const struct query_series_filter *shown)
{
	struct missing_lines ml = { out, shown };

	return manga_reads_missing(missing_line, &ml);
}

static int missing_item(void *arg, int64_t id, const char *series,
			int volume, const char *series_path)
{
	json_t *item;

	(void)id;
	item = json_pack("{s:o, s:i, s:o}",
			 "series", json_text(series, strlen(series)),
			 "volume", volume,
			 "series_path", json_text(series_path,
						  strlen(series_path)));
	return item && !json_array_append_new(arg, item) ? 0 : -ENOMEM;
}

int render_manga_missing_json(struct strbuf *out)
{
	json_t *list = json_array();
	int rc = list ? manga_reads_missing(missing_item, list) : -ENOMEM;

	if (rc)
		json_decref(list);
	return rc ? rc : json_append(out, list);
}

/* One line of /status/unparsed: a volume name to rename, and why. */
static int unparsed_line(void *arg, const char *path, const char *reason)
{
	struct strbuf *out = arg;

	utf8_add_line(out, path, reason, NULL);
	return 0;
}

int render_manga_unparsed(struct strbuf *out)
{
	return manga_reads_unparsed(unparsed_line, out);
}
