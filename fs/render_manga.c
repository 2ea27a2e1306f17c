#include "fs/render_manga.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>

#include "common/bytes.h"
#include "common/json.h"
#include "common/strbuf.h"

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

int render_manga_status(struct strbuf *out, int64_t series)
{
	struct manga_status s;
	json_t *doc, *vols = json_array(), *gaps = json_array();
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
		json_object_set_new(doc, "status", json_text_or_null(s.status));
		json_object_set_new(doc, "last_checked",
				    json_text_or_null(s.last_checked));
		add_others(doc, &s);
	}
	manga_status_release(&s);
	if (rc)
		return rc;
	if (!doc)
		return -ENOMEM;
	return json_append(out, doc);
}
