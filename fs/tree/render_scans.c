/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * /metrics/scans.json (render_scans.h): the scan history as one JSON
 * document. Owns only the shape of that document; it reads the rows
 * through indexer/reads.h and changes nothing.
 */
#include "fs/tree/render_scans.h"

#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "common/json.h"
#include "common/strbuf.h"
#include "fs/tree/caller.h"
#include "fs/tree/render_status.h"
#include "indexer/reads.h"

/* The scans in id order, and their sums. */
struct scan_sums {
	json_t *scans;
	int64_t files_seen, files_failed, bytes_read, succeeded;
	double duration_s, cpu_s;
};

static json_t *success_pct(int64_t seen, int64_t failed)
{
	return seen ? json_num(100.0 * (seen - failed) / seen) : json_null();
}

/* Each stage's seconds and rate: the walk lists every file seen, the
 * parse reads the new and changed ones (bytes_read), the write stores
 * those and the deleted. */
static json_t *stages(const struct library_scan *l)
{
	int64_t parsed = l->files_new + l->files_changed;
	int64_t written = parsed + l->files_deleted;

	return json_pack("{s:{s:o, s:I, s:o}, s:{s:o, s:I, s:o, s:o},"
			 " s:{s:o, s:I, s:o}}",
		"walk", "seconds", json_num(l->walk_s),
		"files", (json_int_t)l->files_seen,
		"files_per_s", json_ratio(l->files_seen, l->walk_s),
		"parse", "seconds", json_num(l->parse_s),
		"files", (json_int_t)parsed,
		"files_per_s", json_ratio(parsed, l->parse_s),
		"mb_per_s", json_ratio(l->bytes_read / 1e6, l->parse_s),
		"write", "seconds", json_num(l->write_s),
		"files", (json_int_t)written,
		"files_per_s", json_ratio(written, l->write_s));
}

static int add_scan(void *arg, const struct library_scan *l)
{
	struct scan_sums *w = arg;
	int64_t failed = l->tag_errors + l->io_errors;
	json_t *o, *errors;

	errors = l->first_errors ? json_loads(l->first_errors, 0, NULL) :
		NULL;
	if (!json_is_array(errors)) {
		json_decref(errors);
		errors = json_array();
	}
	o = json_pack("{s:I, s:s, s:s, s:o, s:o, s:o, s:I, s:I, s:I, s:I,"
		      " s:o, s:I, s:o, s:o, s:o, s:o, s:b, s:o, s:o}",
		      "id", (json_int_t)l->id, "trigger", l->trigger,
		      "scope", l->scope,
		      "started_at", l->has_started ?
		      json_time(l->started_at) : json_null(),
		      "finished_at", l->has_finished ?
		      json_time(l->finished_at) : json_null(),
		      "duration_s", json_num(l->duration_s),
		      "files_seen", (json_int_t)l->files_seen,
		      "files_failed", (json_int_t)failed,
		      "tag_errors", (json_int_t)l->tag_errors,
		      "io_errors", (json_int_t)l->io_errors,
		      "success_pct", success_pct(l->files_seen, failed),
		      "bytes_read", (json_int_t)l->bytes_read,
		      "mb_per_s", json_ratio(l->bytes_read / 1e6,
					     l->duration_s),
		      "files_per_s", json_ratio(l->files_seen, l->duration_s),
		      "cpu_s", json_num(l->cpu_s),
		      "cpu_share_pct",
		      render_cpu_share_json(l->cpu_s, l->duration_s),
		      "success", l->success, "first_errors", errors,
		      "stages", stages(l));
	if (!o || json_array_append_new(w->scans, o))
		return -ENOMEM;
	w->files_seen += l->files_seen;
	w->files_failed += failed;
	w->bytes_read += l->bytes_read;
	w->succeeded += !!l->success;
	w->duration_s += l->duration_s;
	w->cpu_s += l->cpu_s;
	return 0;
}

/* Take out of each scan's first errors those the caller may not know of:
 * at a path whose folder they may not list. Once the store is read, as
 * caller.h asks; the daemon's own user sees them all. */
static int hide_errors(json_t *scans)
{
	json_t *scan, *errors;
	const char *path;
	size_t i, j;
	char *dir;

	if (caller_is_owner())
		return 0;
	json_array_foreach(scans, i, scan) {
		errors = json_object_get(scan, "first_errors");
		for (j = json_array_size(errors); j-- > 0; ) {
			path = json_string_value(json_object_get(
				json_array_get(errors, j), "path"));
			dir = strdup(path ? path : "");
			if (!dir)
				return -ENOMEM;
			if (strrchr(dir, '/'))
				*strrchr(dir, '/') = '\0';
			if (!*dir || !caller_may_list(dir))
				json_array_remove(errors, j);
			free(dir);
		}
	}
	return 0;
}

int render_scans_json(struct strbuf *out)
{
	struct scan_sums w = { .scans = json_array() };
	json_t *newest = json_array();
	size_t nr;
	int rc;

	rc = w.scans && newest ? library_stats_each_scan(add_scan, &w) :
		-ENOMEM;
	if (!rc)
		rc = hide_errors(w.scans);
	nr = w.scans ? json_array_size(w.scans) : 0;
	for (size_t i = nr; !rc && i-- > 0; )
		if (json_array_append(newest, json_array_get(w.scans, i)))
			rc = -ENOMEM;
	json_decref(w.scans);
	if (rc) {
		json_decref(newest);
		return rc;
	}
	return json_append(out, json_pack(
		"{s:o, s:{s:I, s:I, s:I, s:I, s:o, s:I, s:o, s:o, s:o, s:o}}",
		"scans", newest, "totals",
		"scans", (json_int_t)nr,
		"succeeded", (json_int_t)w.succeeded,
		"files_seen", (json_int_t)w.files_seen,
		"files_failed", (json_int_t)w.files_failed,
		"success_pct", success_pct(w.files_seen, w.files_failed),
		"bytes_read", (json_int_t)w.bytes_read,
		"avg_files_per_s", json_ratio(w.files_seen, w.duration_s),
		"avg_mb_per_s", json_ratio(w.bytes_read / 1e6, w.duration_s),
		"total_duration_s", json_num(w.duration_s),
		"total_cpu_s", json_num(w.cpu_s)));
}
