/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The files that show the monitor's work (render_monitor.h): blocklist,
 * downloads, releases found and checks, from monitor_reads.h, with the
 * remote services' strings redacted. It writes nothing.
 */
#include "fs/tree/render_monitor.h"

#include <errno.h>
#include <math.h>
#include <string.h>
#include <strings.h>

#include "common/clock.h"
#include "common/csv.h"
#include "common/json.h"
#include "common/redact.h"
#include "common/strbuf.h"
#include "common/utf8.h"
#include "indexer/indexer.h"
#include "indexer/reads.h"

/* A string from a remote answer in a line of text, redact()ed. */
static void add_shown(struct strbuf *out, const char *s)
{
	redact(s ? s : "", REDACT_MASK, out);
}

int render_monitor_blocklist(struct strbuf *out)
{
	struct monitor_blocked *b;
	size_t n;
	int rc = monitor_reads_blocklist(&b, &n);

	for (size_t i = 0; !rc && i < n; i++) {
		strbuf_addf(out, "%s\t", b[i].id);
		add_shown(out, b[i].title);
		strbuf_addch(out, '\t');
		add_shown(out, b[i].reason);
		strbuf_addch(out, '\n');
	}
	monitor_blocked_free(b, n);
	return rc;
}

/* The average speed of a finished download: its size as the client gave
 * it over the seconds from sent to when its progress reached the end (a
 * finished one's last move); null while it runs or when unknown. */
static json_t *average_speed(const struct monitor_download *d)
{
	int done = d->state && (!strcmp(d->state, "completed") ||
				!strcmp(d->state, "imported"));

	if (!done || d->progress < 1 || d->bytes_total < 0)
		return json_null();
	return json_ratio(d->bytes_total, d->progress_at - d->sent_at);
}

/* A hand-off's members in /status/downloads.json; the counts the client
 * may not have given (-1) are null. */
static const struct json_member download_members[] = {
	JSON_MEMBER("series", TEXT, struct monitor_download, series),
	JSON_MEMBER("volume", INT, struct monitor_download, volume),
	JSON_MEMBER("title", SHOWN, struct monitor_download, title),
	JSON_MEMBER("source", TEXT, struct monitor_download, source),
	JSON_MEMBER("client", TEXT, struct monitor_download, client),
	JSON_MEMBER("client_id", SHOWN, struct monitor_download, client_id),
	JSON_MEMBER("state", TEXT, struct monitor_download, state),
	JSON_MEMBER("progress", REAL, struct monitor_download, progress),
	JSON_MEMBER("reason", SHOWN, struct monitor_download, reason),
	JSON_MEMBER("path", SHOWN, struct monitor_download, path),
	JSON_MEMBER("bytes_done", COUNT, struct monitor_download, bytes_done),
	JSON_MEMBER("bytes_total", COUNT, struct monitor_download,
		    bytes_total),
	JSON_MEMBER("bytes_per_s", COUNT, struct monitor_download,
		    bytes_per_s),
};

static const struct json_member time_members[] = {
	JSON_MEMBER("sent_at", TIME, struct monitor_download, sent_at),
	JSON_MEMBER("changed_at", TIME, struct monitor_download, changed_at),
	JSON_MEMBER("progress_at", TIME, struct monitor_download,
		    progress_at),
};

/* One hand-off as /status/downloads.json shows it. */
static json_t *download_object(const void *row, void *arg)
{
	const struct monitor_download *d = row;
	json_t *o = json_row_object(d, JSON_MEMBERS(download_members));

	(void)arg;
	if (o && (json_object_set_new(o, "average_bytes_per_s",
				      average_speed(d)) ||
		  json_object_set_new(o, "times", json_row_object(d,
				      JSON_MEMBERS(time_members))))) {
		json_decref(o);
		o = NULL;
	}
	return o;
}

int render_monitor_downloads(struct strbuf *out)
{
	struct monitor_download *d;
	size_t n;
	int rc = monitor_reads_downloads(&d, &n);
	json_t *list = rc ? NULL : json_rows(d, n, sizeof(*d), download_object,
					     NULL);

	monitor_downloads_free(d, n);
	return rc ? rc : json_append(out, list);
}

/* /status/new's form: SERIES, a tab, VOLUME, a line per new volume. */
int render_monitor_new(struct strbuf *out,
		       const struct query_series_filter *shown)
{
	struct monitor_new *s;
	size_t n;
	int rc = monitor_reads_new(shown, &s, &n);

	for (size_t i = 0; !rc && i < n; i++) {
		for (int v = s[i].high + 1; v <= s[i].count; v++) {
			utf8_add_field(out, s[i].name);
			strbuf_addf(out, "\t%d\n", v);
		}
	}
	monitor_new_free(s, n);
	return rc;
}

/* /status/new.json's form, with where the count came from. */
int render_monitor_new_json(struct strbuf *out)
{
	json_t *list = json_array();
	struct monitor_new *s = NULL;
	size_t n = 0;
	int rc = list ? monitor_reads_new(NULL, &s, &n) : -ENOMEM;

	for (size_t i = 0; !rc && i < n; i++) {
		const char *by = s[i].by ? s[i].by : "";
		const char *colon = strchr(by, ':');
		int len = colon ? (int)(colon - by) : (int)strlen(by);

		for (int v = s[i].high + 1; !rc && v <= s[i].count; v++) {
			json_t *item = json_pack("{s:o, s:i, s:o, s:i, s:s#,"
						 " s:o, s:o, s:o}",
				"series", json_text_or_null(s[i].name),
				"volume", v,
				"series_path", json_text_or_null(s[i].path),
				"published", s[i].count,
				"source", s[i].manual ? "manual" : by,
				s[i].manual ? 6 : len,
				"edition", s[i].manual || !colon ? json_null() :
					json_string(colon + 1),
				"status", json_text_or_null(s[i].status),
				"checked_at", json_time(s[i].checked_at));

			if (!item || json_array_append_new(list, item))
				rc = -ENOMEM;
		}
	}
	monitor_new_free(s, n);
	if (rc)
		json_decref(list);
	return rc ? rc : json_append(out, list);
}

/* A magnet without its trackers: their announce URLs carry pass keys,
 * escaped where a secret query parameter would not be seen. */
static void drop_trackers(const char *magnet, struct strbuf *out)
{
	const char *q = strchr(magnet, '?');

	if (!q) {
		strbuf_addstr(out, magnet);
		return;
	}
	strbuf_add(out, magnet, q + 1 - magnet);
	for (const char *p = q + 1; *p;) {
		size_t len = strcspn(p, "&#");

		if (strcspn(p, "=&#") != 2 || strncmp(p, "tr", 2)) {
			if (out->buf[out->len - 1] != '?')
				strbuf_addch(out, '&');
			strbuf_add(out, p, len);
		}
		p += len;
		if (*p == '#') {
			strbuf_addstr(out, p);
			break;
		}
		if (*p)
			p++;
	}
}

/* A link as the mount may show it: redact()ed, and a magnet's trackers
 * dropped; NULL stays null. */
static json_t *link_json(const char *s)
{
	struct strbuf kept = STRBUF_INIT;
	json_t *v;

	if (s && !strncasecmp(s, "magnet:", 7)) {
		drop_trackers(s, &kept);
		s = kept.buf;
	}
	v = json_text_shown(s);
	strbuf_release(&kept);
	return v;
}

/* Whole volumes are integers in JSON; 10.5 stays a number. */
static json_t *volume_number(double v)
{
	return v == floor(v) ? json_integer((json_int_t)v) : json_real(v);
}

/* How old the answer that gave a release was when the search of its
 * volume at searched_at used it, in whole seconds: 0 when that search
 * asked, more when it took the cache's answer; null when unknown. */
static json_t *answer_age(const struct monitor_release *r,
			  double searched_at)
{
	if (r->found_at <= 0 || searched_at <= 0)
		return json_null();
	return json_integer(searched_at > r->found_at ?
			    (json_int_t)(searched_at - r->found_at) : 0);
}

/* One release, with its age in days as indexers show it, and the age of
 * the answer that gave it. */
static json_t *release_object(const struct monitor_release *r, double now,
			      double searched_at)
{
	json_t *age = r->published_at > 0 ?
		json_integer((json_int_t)((now - r->published_at) / 86400)) :
		json_null();

	return json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o,"
			 " s:o, s:o, s:o, s:o, s:o, s:o, s:o}",
		"id", json_text_or_null(r->id),
		"title", json_text_shown(r->title),
		"source", json_text_or_null(r->source),
		"protocol", json_text_or_null(r->protocol),
		"link", link_json(r->link),
		"magnet", link_json(r->magnet),
		"guid", json_text_shown(r->guid),
		"indexer", json_text_or_null(r->indexer),
		"indexer_id", r->indexer_id ? json_integer(r->indexer_id) :
			json_null(),
		"volumes", json_pack("[o, o]", volume_number(r->first),
				     volume_number(r->last)),
		"size", r->has_size ? json_integer(r->size) : json_null(),
		"seeders", r->has_seeders ? json_integer(r->seeders) :
			json_null(),
		"published_at", json_time(r->published_at),
		"age_days", age,
		"found_at", json_time(r->found_at),
		"answer_age_s", answer_age(r, searched_at),
		"download", r->state ? json_pack("{s:o, s:o}",
			"state", json_text_or_null(r->state),
			"reason", json_text_shown(r->reason)) : json_null());
}

/* What the hand-off did for the volume, or null when it did nothing:
 * its state as the tracker follows it, the reason of a failure or a
 * skip (error, its older name, too). */
static json_t *handoff_object(const struct monitor_wanted *w)
{
	if (!w->download_state)
		return json_null();
	return json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:f}",
		"state", json_text_or_null(w->download_state),
		"client", json_text_or_null(w->download_client),
		"client_id", json_text_shown(w->download_client_id),
		"title", json_text_shown(w->download_title),
		"at", json_time(w->download_at),
		"reason", json_text_shown(w->download_reason),
		"error", json_text_shown(w->download_reason),
		"progress", w->download_progress);
}

/* The releases the preferences dropped, as the store keeps them, their
 * titles shown as a release's, with their id (control/send takes it;
 * null for those a store kept before ids were) but not their links:
 * [] when none (or the text does not read). */
static json_t *dropped_list(const struct monitor_wanted *w)
{
	json_t *list = w->dropped ? json_loads(w->dropped, 0, NULL) : NULL;
	json_t *one;
	size_t i;

	if (!json_is_array(list)) {
		json_decref(list);
		return json_array();
	}
	json_array_foreach(list, i, one) {
		json_object_set_new(one, "title", json_text_shown(
			json_string_value(json_object_get(one, "title"))));
		/* what control/send needs, links and keys: the store's */
		json_object_del(one, "release");
		if (!json_object_get(one, "id"))
			json_object_set_new(one, "id", json_null());
	}
	return list;
}

/* One wanted volume with its releases, seen at the time *arg. */
static json_t *wanted_object(const void *row, void *arg)
{
	const struct monitor_wanted *w = row;
	double now = *(const double *)arg;
	json_t *vol = json_pack("{s:o, s:i, s:o, s:o, s:[], s:o, s:o}",
		"series", json_text_or_null(w->series),
		"volume", w->volume,
		"wanted", json_text_or_null(w->kind),
		"searched_at", json_time(w->searched_at),
		"releases",
		"download", handoff_object(w),
		"dropped", dropped_list(w));

	for (size_t i = 0; vol && i < w->nr_releases; i++) {
		if (json_array_append_new(json_object_get(vol, "releases"),
					  release_object(&w->releases[i],
							 now,
							 w->searched_at))) {
			json_decref(vol);
			return NULL;
		}
	}
	return vol;
}

/* Every wanted volume of series (0: of all) that shown shows. */
static int found_list(int64_t series, const struct query_series_filter *shown,
		      struct strbuf *out)
{
	struct monitor_wanted *w;
	double now = clock_wall();
	size_t n;
	int rc = monitor_reads_found(series, shown, &w, &n);
	json_t *list = rc ? NULL : json_rows(w, n, sizeof(*w), wanted_object,
					     &now);

	monitor_wanted_free(w, n);
	return rc ? rc : json_append(out, list);
}

int render_monitor_found(struct strbuf *out,
			 const struct query_series_filter *shown)
{
	return found_list(0, shown, out);
}

int render_monitor_results(struct strbuf *out, int64_t series)
{
	return found_list(series, NULL, out);
}

/* checks.csv's names of the counts of enum monitor_check_count. */
static const char *const count_names[MC_COUNTS] = {
	"series", "wanted", "found", "catalog", "prowlarr", "cache_hits",
	"sent", "skipped", "failed", "errors", "completed", "download_failed",
	"imported",
};

/* The manga sources' names (common/manga_sources.def), in its order. */
static const char *const source_names[MONITOR_SOURCES] = {
#define MANGA_SOURCE(name, ...) #name,
#include "common/manga_sources.def"
#undef MANGA_SOURCE
};

/* A column of checks.csv after a comma: value, or name when c is NULL. */
static void add_count(struct strbuf *out, const struct monitor_check *c,
		      const char *name, const int *value)
{
	if (c)
		strbuf_addf(out, ",%d", *value);
	else
		strbuf_addf(out, ",%s", name);
}

/*
 * checks.csv's columns after duration_s, c's counts or (c NULL) their
 * names: the counts of enum monitor_check_count, the table's first
 * manga source after prowlarr, where the file has always had it, and
 * the others last, in the table's order.
 */
static void add_counts(struct strbuf *out, const struct monitor_check *c)
{
	for (int k = 0; k < MC_COUNTS; k++) {
		add_count(out, c, count_names[k], c ? &c->count[k] : NULL);
		if (k == MC_PROWLARR)
			add_count(out, c, source_names[0],
				  c ? &c->requests[0] : NULL);
	}
	for (int k = 1; k < MONITOR_SOURCES; k++)
		add_count(out, c, source_names[k], c ? &c->requests[k] : NULL);
}

void render_monitor_checks_head(struct strbuf *out)
{
	strbuf_addstr(out, "id,kind,trigger,started_at,finished_at,"
		      "duration_s");
	add_counts(out, NULL);
}

int render_monitor_checks_csv(struct strbuf *out)
{
	struct monitor_check *c;
	size_t n;
	int rc = monitor_reads_checks(&c, &n);

	if (!rc) {
		render_monitor_checks_head(out);
		strbuf_addch(out, '\n');
	}
	for (size_t i = 0; !rc && i < n; i++) {
		strbuf_addf(out, "%lld,", (long long)c[i].id);
		csv_add_field(out, c[i].kind);
		strbuf_addch(out, ',');
		csv_add_field(out, c[i].trigger);
		strbuf_addch(out, ',');
		csv_add_time(out, c[i].started_at, 1);
		strbuf_addch(out, ',');
		csv_add_time(out, c[i].finished_at, c[i].finished);
		strbuf_addch(out, ',');
		if (c[i].finished)
			strbuf_addf(out, "%.3f",
				    c[i].finished_at - c[i].started_at);
		add_counts(out, &c[i]);
		strbuf_addch(out, '\n');
	}
	monitor_checks_free(c, n);
	return rc;
}

/* A time as seconds, or null when it is unknown. */
static json_t *seconds(double t, int known)
{
	return known ? json_num(t) : json_null();
}

/* A check's requests per source: catalog, prowlarr, then the manga
 * sources in the table's order. */
static json_t *requests_object(const struct monitor_check *c)
{
	json_t *o = json_pack("{s:i, s:i}", "catalog", c->count[MC_CATALOG],
			      "prowlarr", c->count[MC_PROWLARR]);

	for (int k = 0; o && k < MONITOR_SOURCES; k++)
		if (json_object_set_new(o, source_names[k],
					json_integer(c->requests[k]))) {
			json_decref(o);
			o = NULL;
		}
	return o;
}

/* The newest check of a flow as monitor.json shows it, or null. */
static json_t *check_object(const struct monitor_check *c, int has)
{
	const int *k = c->count;

	if (!has)
		return json_null();
	return json_pack("{s:s, s:o, s:o, s:o, s:o, s:i, s:i, s:i, s:o, s:i,"
			 " s:i, s:i, s:i, s:i, s:i}",
		"trigger", c->trigger,
		"started_at", json_time(c->started_at),
		"started_at_s", seconds(c->started_at, 1),
		"finished_at", json_time(c->finished_at),
		"finished_at_s", seconds(c->finished_at, c->finished),
		"series", k[MC_SERIES], "wanted", k[MC_WANTED],
		"found", k[MC_FOUND], "requests", requests_object(c),
		"cache_hits", k[MC_CACHE_HITS], "downloads", k[MC_SENT],
		"sent", k[MC_SENT], "skipped", k[MC_SKIPPED],
		"failed", k[MC_FAILED], "errors", k[MC_ERRORS]);
}

/* A throttle's figures under the names monitor.json documents. */
static json_t *throttle_object(const struct throttle_stats *t)
{
	return json_pack("{s:i, s:o, s:I, s:I, s:I, s:I, s:o}",
		"requests_per_minute", t->requests_per_minute,
		"min_interval_seconds", json_num(t->min_interval_s),
		"requests", (json_int_t)t->requests,
		"waits", (json_int_t)t->waits,
		"http_429", (json_int_t)t->http_429,
		"failures", (json_int_t)t->failures,
		"paused_until", json_time(t->paused_until));
}

/* The store's part and the indexer's live counters side by side. */
int render_monitor_json(struct strbuf *out)
{
	struct indexer_status s;
	struct monitor_state m;
	int64_t entries, bytes;
	json_t *checks;
	int rc;

	indexer_status(&s);
	rc = monitor_reads_state(s.jobs.monitor.cache_ttl_s, clock_wall(),
				 &m);
	if (rc) {
		monitor_state_release(&m);
		return rc;
	}
	checks = json_pack("{s:o, s:o}",
			   "missing", check_object(&m.last_missing,
						   m.has_missing),
			   "new", check_object(&m.last_new, m.has_new));
	entries = m.cache_entries;
	bytes = m.cache_bytes;
	monitor_state_release(&m);
	if (!checks)
		return -ENOMEM;
	return json_append(out, json_pack(
		"{s:{s:I, s:I, s:I, s:I}, s:{s:o, s:o}, s:o, s:{s:b, s:b},"
		" s:o}",
		"cache",
		"total_entries", (json_int_t)entries,
		"cache_size_bytes", (json_int_t)bytes,
		"hits", (json_int_t)s.jobs.monitor.cache_hits,
		"misses", (json_int_t)s.jobs.monitor.cache_misses,
		"throttler",
		"prowlarr", throttle_object(&s.jobs.monitor.prowlarr),
		"nautiljon", throttle_object(&s.jobs.monitor.nautiljon),
		"last_check", checks,
		"running",
		"missing", !!(s.jobs.running & JOBS_CHECK_MISSING),
		"new", !!(s.jobs.running & JOBS_CHECK_NEW),
		"next_check_at", json_time(s.jobs.next_auto_at)));
}
