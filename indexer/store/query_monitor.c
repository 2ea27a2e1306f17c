#include "indexer/store/query_monitor.h"

#include <errno.h>
#include <math.h>
#include <string.h>
#include <strings.h>

#include "common/cache.h"
#include "common/clock.h"
#include "common/db.h"
#include "common/http.h"
#include "common/json.h"
#include "common/strbuf.h"
#include "common/utf8.h"
#include "indexer/store/series_filter.h"
#include "indexer/store/reader.h"
#include "indexer/indexer.h"
#include "indexer/monitor/checks.h"

/* Column positions of FOUND_SQL. */
enum {
	F_SERIES, F_VOLUME, F_KIND, F_SEARCHED, F_RANK, F_TITLE, F_SOURCE,
	F_LINK, F_MAGNET, F_GUID, F_INDEXER, F_INDEXER_ID, F_FIRST, F_LAST,
	F_SIZE, F_SEEDERS, F_PUBLISHED, F_FOUND, F_D_STATE, F_D_CLIENT,
	F_D_TITLE, F_D_AT, F_D_ERROR, F_SERIES_ID, F_PROTOCOL, F_STATE,
	F_REASON, F_ID, F_D_PROGRESS, F_D_CLIENT_ID,
};

#define FOUND_SQL \
	"SELECT s.name, w.volume, w.kind, w.searched_at, f.rank, f.title," \
	" f.source, f.link, f.magnet, f.guid, f.indexer, f.indexer_id," \
	" f.first, f.last, f.size, f.seeders, f.published_at, f.found_at," \
	" d.state, d.client, d.title, d.at, d.error, s.id, f.protocol," \
	" f.state, f.reason, f.release_id, d.progress, d.client_id" \
	" FROM wanted w JOIN series s ON s.id = w.series_id" \
	" LEFT JOIN found f ON f.series_id = w.series_id" \
	"  AND f.volume = w.volume" \
	" LEFT JOIN downloads d ON d.series = s.name AND d.volume = w.volume" \
	" WHERE s.monitored AND (?1 = 0 OR s.id = ?1)" \
	" ORDER BY s.name, s.id, w.volume, f.rank"

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

/* A link as the mount may show it: its credentials masked (a user and
 * password before the host, secret query values: http_redact_url()),
 * and a magnet's trackers dropped. */
static void redact(const char *link, struct strbuf *out)
{
	struct strbuf kept = STRBUF_INIT;

	if (!strncasecmp(link, "magnet:", 7)) {
		drop_trackers(link, &kept);
		link = kept.buf;
	}
	http_redact_url(link, "REDACTED", out);
	strbuf_release(&kept);
}

/* Store text may hold bytes that are not UTF-8 (titles come from
 * anywhere): json_text() makes them U+FFFD; NULL stays null. */
static json_t *column_text(sqlite3_stmt *st, int col)
{
	const char *s = (const char *)sqlite3_column_text(st, col);

	return s ? json_text(s, sqlite3_column_bytes(st, col)) : json_null();
}

/* A link as the mount may show it; see redact(). */
static json_t *column_link(sqlite3_stmt *st, int col)
{
	const char *s = (const char *)sqlite3_column_text(st, col);
	struct strbuf b = STRBUF_INIT;
	json_t *v;

	if (!s)
		return json_null();
	redact(s, &b);
	v = json_text(b.buf, b.len);
	strbuf_release(&b);
	return v;
}

/* An unknown number (NULL) is null, never 0. */
static json_t *column_int(sqlite3_stmt *st, int col)
{
	if (sqlite3_column_type(st, col) == SQLITE_NULL)
		return json_null();
	return json_integer(sqlite3_column_int64(st, col));
}

/* Whole volumes are integers in JSON; 10.5 stays a number. */
static json_t *volume_number(double v)
{
	return v == floor(v) ? json_integer((json_int_t)v) : json_real(v);
}

/* What the hand-off did with a release, or null when it was not
 * tried (a better one went, or auto_download is off). */
static json_t *handoff_object(sqlite3_stmt *st)
{
	if (sqlite3_column_type(st, F_STATE) == SQLITE_NULL)
		return json_null();
	return json_pack("{s:o, s:o}",
		"state", column_text(st, F_STATE),
		"reason", column_text(st, F_REASON));
}

/* One release of a FOUND_SQL row, with its age in days as indexers
 * show it. */
static json_t *release_object(sqlite3_stmt *st)
{
	double published = sqlite3_column_double(st, F_PUBLISHED);
	json_t *age = published > 0 ?
		json_integer((json_int_t)((clock_wall() - published) / 86400)) :
		json_null();

	return json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o,"
			 " s:o, s:o, s:o, s:o, s:o, s:o}",
		"id", column_text(st, F_ID),
		"title", column_text(st, F_TITLE),
		"source", column_text(st, F_SOURCE),
		"protocol", column_text(st, F_PROTOCOL),
		"link", column_link(st, F_LINK),
		"magnet", column_link(st, F_MAGNET),
		"guid", column_text(st, F_GUID),
		"indexer", column_text(st, F_INDEXER),
		"indexer_id", sqlite3_column_int(st, F_INDEXER_ID) ?
			json_integer(sqlite3_column_int(st, F_INDEXER_ID)) :
			json_null(),
		"volumes", json_pack("[o, o]",
			volume_number(sqlite3_column_double(st, F_FIRST)),
			volume_number(sqlite3_column_double(st, F_LAST))),
		"size", column_int(st, F_SIZE),
		"seeders", column_int(st, F_SEEDERS),
		"published_at", json_time(published),
		"age_days", age,
		"found_at", json_time(sqlite3_column_double(st, F_FOUND)),
		"download", handoff_object(st));
}

/* What the hand-off did for the volume, or null when it did nothing:
 * its state as the tracker follows it, the reason of a failure or a
 * skip (error, its older name, too). */
static json_t *download_object(sqlite3_stmt *st)
{
	if (sqlite3_column_type(st, F_D_STATE) == SQLITE_NULL)
		return json_null();
	return json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:f}",
		"state", column_text(st, F_D_STATE),
		"client", column_text(st, F_D_CLIENT),
		"client_id", column_text(st, F_D_CLIENT_ID),
		"title", column_text(st, F_D_TITLE),
		"at", json_time(sqlite3_column_double(st, F_D_AT)),
		"reason", column_text(st, F_D_ERROR),
		"error", column_text(st, F_D_ERROR),
		"progress", sqlite3_column_double(st, F_D_PROGRESS));
}

/* Every wanted volume of series (0: of all) that shown shows, with its
 * releases. */
static int found_list(int64_t series, const struct query_series_filter *shown,
		      struct strbuf *out)
{
	json_t *list = json_array(), *vol = NULL;
	int64_t last_series = 0;
	int last_volume = -1;
	sqlite3 *db = reader_begin();
	sqlite3_stmt *st;
	int rc;

	if (!db) {
		json_decref(list);
		return -EIO;
	}
	rc = sqlite3_prepare_v2(db, FOUND_SQL, -1, &st, NULL);
	if (rc != SQLITE_OK) {
		rc = db_error(db, rc, "list found releases");
		goto out;
	}
	sqlite3_bind_int64(st, 1, series);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t sid = sqlite3_column_int64(st, F_SERIES_ID);
		int volume = sqlite3_column_int(st, F_VOLUME);

		if (!query_series_shown(shown, sid))
			continue;
		if (sid != last_series || volume != last_volume) {
			vol = json_pack("{s:o, s:i, s:o, s:o, s:[], s:o}",
				"series", column_text(st, F_SERIES),
				"volume", volume,
				"wanted", column_text(st, F_KIND),
				"searched_at", json_time(sqlite3_column_double(
					st, F_SEARCHED)),
				"releases",
				"download", download_object(st));
			if (!vol || json_array_append_new(list, vol)) {
				rc = SQLITE_NOMEM;
				break;
			}
			last_series = sid;
			last_volume = volume;
		}
		if (sqlite3_column_type(st, F_RANK) != SQLITE_NULL &&
		    json_array_append_new(json_object_get(vol, "releases"),
					  release_object(st))) {
			rc = SQLITE_NOMEM;
			break;
		}
	}
	sqlite3_finalize(st);
	rc = rc == SQLITE_DONE ? 0 : db_error(db, rc, "list found releases");
out:
	reader_end(db);
	if (rc) {
		json_decref(list);
		return rc;
	}
	return json_append(out, list);
}

int query_blocklist(struct strbuf *out)
{
	sqlite3 *db = reader_begin();
	sqlite3_stmt *st;
	int rc;

	if (!db)
		return -EIO;
	rc = db_prepare(db, "SELECT id, title, reason FROM blocklist"
			" ORDER BY at, id", &st);
	if (!rc) {
		while ((rc = sqlite3_step(st)) == SQLITE_ROW)
			strbuf_addf(out, "%s\t%s\t%s\n",
				    sqlite3_column_text(st, 0),
				    sqlite3_column_text(st, 1),
				    sqlite3_column_text(st, 2));
		rc = db_finalize(st, rc, "list blocklist");
	}
	reader_end(db);
	return rc;
}

/* One hand-off of DOWNLOADS_SQL's row, as /status/downloads.json shows
 * it. */
static json_t *handoff_row(sqlite3_stmt *st)
{
	return json_pack("{s:o, s:i, s:o, s:o, s:o, s:o, s:o, s:f, s:o, s:o,"
			 " s:{s:o, s:o, s:o}}",
		"series", column_text(st, 0),
		"volume", sqlite3_column_int(st, 1),
		"title", column_text(st, 2),
		"source", column_text(st, 3),
		"client", column_text(st, 4),
		"client_id", column_text(st, 5),
		"state", column_text(st, 6),
		"progress", sqlite3_column_double(st, 7),
		"reason", column_text(st, 8),
		"path", column_text(st, 9),
		"times",
		"sent_at", json_time(sqlite3_column_double(st, 10)),
		"changed_at", json_time(sqlite3_column_double(st, 11)),
		"progress_at", json_time(sqlite3_column_double(st, 12)));
}

int query_downloads_json(struct strbuf *out)
{
	json_t *list = json_array(), *row;
	sqlite3 *db = reader_begin();
	sqlite3_stmt *st;
	int rc;

	if (!db) {
		json_decref(list);
		return -EIO;
	}
	rc = db_prepare(db, "SELECT series, volume, title, source, client,"
			" client_id, state, progress, error, path,"
			" coalesce(sent_at, at), coalesce(changed_at, at),"
			" progress_at FROM downloads ORDER BY series, volume",
			&st);
	if (!rc) {
		while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			row = handoff_row(st);
			if (!row || json_array_append_new(list, row)) {
				rc = SQLITE_NOMEM;
				break;
			}
		}
		rc = db_finalize(st, rc, "list downloads");
	}
	reader_end(db);
	if (rc) {
		json_decref(list);
		return rc;
	}
	return json_append(out, list);
}

int query_found_json(struct strbuf *out,
		     const struct query_series_filter *shown)
{
	return found_list(0, shown, out);
}

int query_series_results(struct strbuf *out, int64_t series)
{
	return found_list(series, NULL, out);
}

/* Column positions of NEW_SQL. */
enum {
	N_NAME, N_PATH, N_HIGH, N_COUNT, N_MANUAL, N_STATUS, N_CHECKED, N_ID,
};

/* Monitored series whose published count (the user's, else Nautiljon's)
 * is above the highest volume owned. */
#define NEW_SQL \
	"SELECT s.name, CAST(r.path AS TEXT) || '/' || CAST(s.path AS TEXT)," \
	" coalesce((SELECT CAST(max(last) AS INTEGER) FROM volumes v" \
	"  WHERE v.series_id = s.id AND v.kind = 'volume'), 0) AS high," \
	" CAST(CASE WHEN s.latest > 0 THEN s.latest ELSE s.published END" \
	"  AS INTEGER) AS count," \
	" s.latest > 0, s.status, s.last_checked, s.id" \
	" FROM series s JOIN roots r ON r.id = s.root_id" \
	" WHERE s.monitored AND count > high ORDER BY s.name, s.id"

/* Call fn for every new volume of NEW_SQL's series that shown shows, in
 * one snapshot, so the text and the JSON forms list the same volumes. */
static int each_new(int (*fn)(void *arg, sqlite3_stmt *st, int volume),
		    void *arg, const struct query_series_filter *shown)
{
	sqlite3 *db = reader_begin();
	sqlite3_stmt *st;
	int rc;

	if (!db)
		return -EIO;
	rc = sqlite3_prepare_v2(db, NEW_SQL, -1, &st, NULL);
	if (rc != SQLITE_OK) {
		rc = db_error(db, rc, "list new volumes");
		reader_end(db);
		return rc;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int high = sqlite3_column_int(st, N_HIGH);
		int count = sqlite3_column_int(st, N_COUNT);

		if (!query_series_shown(shown, sqlite3_column_int64(st, N_ID)))
			continue;
		for (int v = high + 1; v <= count; v++)
			if (fn(arg, st, v)) {
				rc = SQLITE_NOMEM;
				break;
			}
		if (rc != SQLITE_ROW)
			break;
	}
	rc = db_finalize(st, rc, "list new volumes");
	reader_end(db);
	return rc;
}

/* /status/new's form: SERIES, a tab, VOLUME. */
static int new_line(void *arg, sqlite3_stmt *st, int volume)
{
	struct strbuf *out = arg;

	utf8_add_field(out, (const char *)sqlite3_column_text(st, N_NAME));
	strbuf_addf(out, "\t%d\n", volume);
	return 0;
}

int query_new(struct strbuf *out, const struct query_series_filter *shown)
{
	return each_new(new_line, out, shown);
}

/* /status/new.json's form, with where the count came from. */
static int new_item(void *arg, sqlite3_stmt *st, int volume)
{
	json_t *item = json_pack("{s:o, s:i, s:o, s:i, s:s, s:o, s:o}",
		"series", column_text(st, N_NAME),
		"volume", volume,
		"series_path", column_text(st, N_PATH),
		"published", sqlite3_column_int(st, N_COUNT),
		"source", sqlite3_column_int(st, N_MANUAL) ? "manual" :
			"nautiljon",
		"status", column_text(st, N_STATUS),
		"checked_at", json_time(sqlite3_column_double(st,
							      N_CHECKED)));

	return !item || json_array_append_new(arg, item);
}

int query_new_json(struct strbuf *out)
{
	json_t *list = json_array();
	int rc = list ? each_new(new_item, list, NULL) : -ENOMEM;

	if (rc) {
		json_decref(list);
		return rc;
	}
	return json_append(out, list);
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

int query_monitor_json(struct strbuf *out)
{
	struct indexer_status s;
	json_t *checks = json_object();
	int64_t entries = 0, bytes = 0;
	sqlite3 *db = reader_begin();
	int rc;

	if (!db) {
		json_decref(checks);
		return -EIO;
	}
	indexer_status(&s);
	rc = cache_size(db, s.jobs.monitor.cache_ttl_s, clock_wall(), &entries,
			&bytes);
	if (!rc)
		rc = checks_last(db, checks);
	reader_end(db);
	if (rc) {
		json_decref(checks);
		return rc;
	}
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

int query_monitor_health(struct strbuf *errors, struct strbuf *warns)
{
	sqlite3 *db = reader_begin();
	sqlite3_stmt *st;
	double now = clock_wall();
	int rc;

	if (!db)
		return -EIO;
	rc = sqlite3_prepare_v2(db, "SELECT name, paused_until, failures,"
		" last_error, error_level, last_error_at > coalesce(last_ok_at,"
		" 0) FROM services ORDER BY name", -1, &st, NULL);
	if (rc != SQLITE_OK) {
		rc = db_error(db, rc, "read services");
		reader_end(db);
		return rc;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(st, 0);
		const char *error = (const char *)sqlite3_column_text(st, 3);
		const char *level = (const char *)sqlite3_column_text(st, 4);
		double until = sqlite3_column_double(st, 1);
		int failures = sqlite3_column_int(st, 2);

		if (until > now) {
			char at[CLOCK_RFC3339_LEN];

			clock_rfc3339((time_t)until, at);
			if (failures)
				strbuf_addf(errors, "error: %s: paused until %s"
					    " after %d failures in a row\n",
					    name, at, failures);
			else
				strbuf_addf(warns, "warn: %s: rate limited,"
					    " paused until %s\n", name, at);
		}
		if (error && sqlite3_column_int(st, 5)) {
			struct strbuf *to = level && !strcmp(level, "warn") ?
				warns : errors;

			strbuf_addf(to, "%s: %s: ", level ? level : "error",
				    name);
			utf8_add_field(to, error);
			strbuf_addch(to, '\n');
		}
	}
	sqlite3_finalize(st);
	rc = rc == SQLITE_DONE ? 0 : db_error(db, rc, "read services");
	if (!rc)
		rc = checks_health(db, warns);
	reader_end(db);
	return rc;
}

int query_checks_csv(struct strbuf *out)
{
	sqlite3 *db = reader_begin();
	int rc;

	if (!db)
		return -EIO;
	rc = checks_csv(db, out);
	reader_end(db);
	return rc;
}
