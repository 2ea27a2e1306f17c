/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * What the store holds of the monitor's work, read for the mount's
 * documents (monitor_reads.h) on the calling thread's read connection. It
 * writes nothing.
 */
#include "indexer/monitor/monitor_reads.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/cache.h"
#include "common/cleanup.h"
#include "common/clock.h"
#include "common/db.h"
#include "common/strbuf.h"
#include "common/throttle.h"
#include "common/utf8.h"
#include "indexer/monitor/catalog_file.h"
#include "indexer/monitor/checks.h"
#include "indexer/monitor/save_guard.h"
#include "indexer/store/reader.h"
#include "indexer/store/series_filter.h"

/* A check in progress has not counted its downloads yet: only those
 * that finished. */
int monitor_checks_history(struct history *h)
{
	return history_read("SELECT id, started_at, wanted, found, sent,"
			    " failed, completed, imported, download_failed"
			    " FROM checks WHERE finished_at IS NOT NULL"
			    " ORDER BY id DESC" HISTORY_LIMIT(HISTORY_ROWS),
			    7, h);
}

static const struct db_field blocked_fields[] = {
	DB_FIELD(struct monitor_blocked, id, 0),
	DB_FIELD(struct monitor_blocked, title, 1),
	DB_FIELD(struct monitor_blocked, reason, 2),
};

void monitor_blocked_free(struct monitor_blocked *rows, size_t n)
{
	db_rows_free(rows, n, sizeof(*rows), DB_FIELDS(blocked_fields));
}

/* The oldest first, as the user blocked them. */
int monitor_reads_blocklist(struct monitor_blocked **rows, size_t *n)
{
	return reader_read_rows("SELECT id, title, reason FROM blocklist"
				" ORDER BY at, id", "list blocklist",
				DB_ROW_FILL(blocked_fields), (void **)rows, n,
				sizeof(**rows));
}

static const struct db_field download_fields[] = {
	DB_FIELD(struct monitor_download, series, 0),
	DB_FIELD_INT(struct monitor_download, volume, 1),
	DB_FIELD(struct monitor_download, title, 2),
	DB_FIELD(struct monitor_download, source, 3),
	DB_FIELD(struct monitor_download, client, 4),
	DB_FIELD(struct monitor_download, client_id, 5),
	DB_FIELD(struct monitor_download, state, 6),
	DB_FIELD_REAL(struct monitor_download, progress, 7),
	DB_FIELD(struct monitor_download, reason, 8),
	DB_FIELD(struct monitor_download, path, 9),
	DB_FIELD_REAL(struct monitor_download, sent_at, 10),
	DB_FIELD_REAL(struct monitor_download, changed_at, 11),
	DB_FIELD_REAL(struct monitor_download, progress_at, 12),
	/* counts the client may not have given: -1 for NULL */
	DB_FIELD_COUNT(struct monitor_download, bytes_done, 13),
	DB_FIELD_COUNT(struct monitor_download, bytes_total, 14),
	DB_FIELD_COUNT(struct monitor_download, bytes_per_s, 15),
};

void monitor_downloads_free(struct monitor_download *rows, size_t n)
{
	db_rows_free(rows, n, sizeof(*rows), DB_FIELDS(download_fields));
}

/* A hand-off made before its times were kept in columns of their own
 * has them all at its one time, at. */
int monitor_reads_downloads(struct monitor_download **rows, size_t *n)
{
	return reader_read_rows("SELECT series, volume, title, source,"
		" client, client_id, state, progress, error, path,"
		" coalesce(sent_at, at), coalesce(changed_at, at),"
		" progress_at, bytes_done, bytes_total, bytes_per_s"
		" FROM downloads ORDER BY series, volume",
		"list downloads", DB_ROW_FILL(download_fields), (void **)rows,
		n, sizeof(**rows));
}

static const struct db_field new_fields[] = {
	DB_FIELD(struct monitor_new, name, 0),
	DB_FIELD(struct monitor_new, path, 1),
	DB_FIELD_INT(struct monitor_new, high, 2),
	DB_FIELD_INT(struct monitor_new, count, 3),
	DB_FIELD_INT(struct monitor_new, manual, 4),
	DB_FIELD(struct monitor_new, status, 5),
	DB_FIELD_REAL(struct monitor_new, checked_at, 6),
	DB_FIELD(struct monitor_new, by, 8),
};

void monitor_new_free(struct monitor_new *rows, size_t n)
{
	db_rows_free(rows, n, sizeof(*rows), DB_FIELDS(new_fields));
}

/* A row of new volumes, dropped when the filter arg hides its series. */
static int new_row(sqlite3_stmt *st, void *row, void *arg)
{
	struct monitor_new *r = row;

	r->id = sqlite3_column_int64(st, 7);
	if (!series_filter_shown(arg, r->id))
		return 1;
	return db_row_fields(st, r, DB_FIELDS(new_fields));
}

/* Monitored series whose published count (the user's, else a source's)
 * is above the highest volume owned, in one snapshot, so the text and
 * the JSON forms list the same volumes. */
int monitor_reads_new(const struct query_series_filter *shown,
		      struct monitor_new **rows, size_t *n)
{
	return reader_read_rows("SELECT s.name,"
		" CAST(r.path AS TEXT) || '/' || CAST(s.path AS TEXT),"
		" coalesce((SELECT CAST(max(last) AS INTEGER) FROM volumes v"
		"  WHERE v.series_id = s.id AND v.kind = 'volume'), 0) AS high,"
		" CAST(CASE WHEN s.latest > 0 THEN s.latest ELSE s.published"
		"  END AS INTEGER) AS count,"
		" s.latest > 0, s.status, s.last_checked, s.id,"
		" coalesce(s.published_by, 'nautiljon:fr')"
		" FROM series s JOIN roots r ON r.id = s.root_id"
		" WHERE s.monitored AND count > high ORDER BY s.name, s.id",
		"list new volumes", new_row, (void *)shown, (void **)rows, n,
		sizeof(**rows));
}

/* Column positions of FOUND_SQL. */
enum {
	F_SERIES, F_VOLUME, F_KIND, F_SEARCHED, F_RANK, F_TITLE, F_SOURCE,
	F_LINK, F_MAGNET, F_GUID, F_INDEXER, F_INDEXER_ID, F_FIRST, F_LAST,
	F_SIZE, F_SEEDERS, F_PUBLISHED, F_FOUND, F_D_STATE, F_D_CLIENT,
	F_D_TITLE, F_D_AT, F_D_ERROR, F_SERIES_ID, F_PROTOCOL, F_STATE,
	F_REASON, F_ID, F_D_PROGRESS, F_D_CLIENT_ID, F_DROPPED,
};

static const struct db_field wanted_fields[] = {
	DB_FIELD_INT64(struct monitor_wanted, series_id, F_SERIES_ID),
	DB_FIELD(struct monitor_wanted, series, F_SERIES),
	DB_FIELD_INT(struct monitor_wanted, volume, F_VOLUME),
	DB_FIELD(struct monitor_wanted, kind, F_KIND),
	DB_FIELD_REAL(struct monitor_wanted, searched_at, F_SEARCHED),
	DB_FIELD_REAL(struct monitor_wanted, download_at, F_D_AT),
	DB_FIELD_REAL(struct monitor_wanted, download_progress, F_D_PROGRESS),
	DB_FIELD(struct monitor_wanted, download_state, F_D_STATE),
	DB_FIELD(struct monitor_wanted, download_client, F_D_CLIENT),
	DB_FIELD(struct monitor_wanted, download_client_id, F_D_CLIENT_ID),
	DB_FIELD(struct monitor_wanted, download_title, F_D_TITLE),
	DB_FIELD(struct monitor_wanted, download_reason, F_D_ERROR),
	DB_FIELD(struct monitor_wanted, dropped, F_DROPPED),
};

static const struct db_field release_fields[] = {
	DB_FIELD(struct monitor_release, id, F_ID),
	DB_FIELD(struct monitor_release, title, F_TITLE),
	DB_FIELD(struct monitor_release, source, F_SOURCE),
	DB_FIELD(struct monitor_release, protocol, F_PROTOCOL),
	DB_FIELD(struct monitor_release, link, F_LINK),
	DB_FIELD(struct monitor_release, magnet, F_MAGNET),
	DB_FIELD(struct monitor_release, guid, F_GUID),
	DB_FIELD(struct monitor_release, indexer, F_INDEXER),
	DB_FIELD_INT(struct monitor_release, indexer_id, F_INDEXER_ID),
	DB_FIELD_REAL(struct monitor_release, first, F_FIRST),
	DB_FIELD_REAL(struct monitor_release, last, F_LAST),
	DB_FIELD_SET(struct monitor_release, has_size, F_SIZE),
	DB_FIELD_INT64(struct monitor_release, size, F_SIZE),
	DB_FIELD_SET(struct monitor_release, has_seeders, F_SEEDERS),
	DB_FIELD_INT64(struct monitor_release, seeders, F_SEEDERS),
	DB_FIELD_REAL(struct monitor_release, published_at, F_PUBLISHED),
	DB_FIELD_REAL(struct monitor_release, found_at, F_FOUND),
	DB_FIELD(struct monitor_release, state, F_STATE),
	DB_FIELD(struct monitor_release, reason, F_REASON),
};

void monitor_wanted_free(struct monitor_wanted *rows, size_t n)
{
	for (size_t i = 0; i < n; i++)
		db_rows_free(rows[i].releases, rows[i].nr_releases,
			     sizeof(*rows[i].releases),
			     DB_FIELDS(release_fields));
	db_rows_free(rows, n, sizeof(*rows), DB_FIELDS(wanted_fields));
}

#define FOUND_SQL \
	"SELECT s.name, w.volume, w.kind, w.searched_at, f.rank, f.title," \
	" f.source, f.link, f.magnet, f.guid, f.indexer, f.indexer_id," \
	" f.first, f.last, f.size, f.seeders, f.published_at, f.found_at," \
	" d.state, d.client, d.title, d.at, d.error, s.id, f.protocol," \
	" f.state, f.reason, f.release_id, d.progress, d.client_id," \
	" w.dropped" \
	" FROM wanted w JOIN series s ON s.id = w.series_id" \
	" LEFT JOIN found f ON f.series_id = w.series_id" \
	"  AND f.volume = w.volume" \
	" LEFT JOIN downloads d ON d.series = s.name AND d.volume = w.volume" \
	" WHERE s.monitored AND (?1 = 0 OR s.id = ?1)" \
	" ORDER BY s.name, s.id, w.volume, f.rank"

/* The list monitor_reads_found() fills, row by row of FOUND_SQL. */
struct found_read {
	int64_t series;
	const struct query_series_filter *shown;
	struct monitor_wanted **rows, *w;
	size_t *n, alloc, rel_alloc;
};

static int found_bind(void *arg, sqlite3_stmt *st)
{
	const struct found_read *f = arg;

	return sqlite3_bind_int64(st, 1, f->series);
}

/* One row per release (or one with no release for a volume none was
 * found for): a new volume starts where the series or volume change. */
static int found_row(void *arg, sqlite3_stmt *st)
{
	struct found_read *f = arg;
	int64_t sid = sqlite3_column_int64(st, F_SERIES_ID);
	int volume = sqlite3_column_int(st, F_VOLUME);
	struct monitor_wanted *w = f->w;
	struct monitor_release *r;

	if (!series_filter_shown(f->shown, sid))
		return 0;
	if (!w || sid != w->series_id || volume != w->volume) {
		w = f->w = db_add_row((void **)f->rows, f->n, &f->alloc,
				      sizeof(*w));
		f->rel_alloc = 0;
		if (!w || db_row_fields(st, w, DB_FIELDS(wanted_fields)))
			return -ENOMEM;
	}
	if (sqlite3_column_type(st, F_RANK) == SQLITE_NULL)
		return 0;
	r = db_add_row((void **)&w->releases, &w->nr_releases, &f->rel_alloc,
		       sizeof(*r));
	return !r || db_row_fields(st, r, DB_FIELDS(release_fields)) ?
		-ENOMEM : 0;
}

int monitor_reads_found(int64_t series,
			const struct query_series_filter *shown,
			struct monitor_wanted **rows, size_t *n)
{
	struct found_read f = {
		.series = series, .shown = shown, .rows = rows, .n = n,
	};

	*rows = NULL;
	*n = 0;
	return reader_each_bound(FOUND_SQL, "list found releases", found_bind,
				 found_row, &f);
}

/* A check's columns, its counts in the order of enum monitor_check_count
 * then its manga sources' requests in the table's, from checks. */
#define CHECK_COLUMNS \
	"SELECT id, kind, trigger, started_at, finished_at, series, wanted," \
	" found, catalog, prowlarr, cache_hits, sent, skipped, failed," \
	" errors, completed, download_failed, imported"
#define MANGA_SOURCE(name, ...) CHECKS_REQUESTS(name)
static const char checks_sql[] = CHECK_COLUMNS
#include "common/manga_sources.def"
	" FROM checks ORDER BY id";
static const char last_check_sql[] = CHECK_COLUMNS
#include "common/manga_sources.def"
	" FROM checks WHERE kind = ?1 ORDER BY id DESC LIMIT 1";
#undef MANGA_SOURCE

static const struct db_field check_fields[] = {
	DB_FIELD(struct monitor_check, kind, 1),
	DB_FIELD(struct monitor_check, trigger, 2),
};

/* A row of CHECK_COLUMNS into *c. */
static int check_row(sqlite3_stmt *st, struct monitor_check *c)
{
	c->id = sqlite3_column_int64(st, 0);
	c->started_at = sqlite3_column_double(st, 3);
	c->finished = sqlite3_column_type(st, 4) != SQLITE_NULL;
	c->finished_at = sqlite3_column_double(st, 4);
	for (int i = 0; i < MC_COUNTS; i++)
		c->count[i] = sqlite3_column_int(st, 5 + i);
	for (int i = 0; i < MONITOR_SOURCES; i++)
		c->requests[i] = sqlite3_column_int(st, 5 + MC_COUNTS + i);
	return db_row_fields(st, c, DB_FIELDS(check_fields));
}

void monitor_checks_free(struct monitor_check *rows, size_t n)
{
	db_rows_free(rows, n, sizeof(*rows), DB_FIELDS(check_fields));
}

static int check_fill(sqlite3_stmt *st, void *row, void *arg)
{
	(void)arg;
	return check_row(st, row);
}

int monitor_reads_checks(struct monitor_check **rows, size_t *n)
{
	return reader_read_rows(checks_sql, "read checks",
				check_fill, NULL, (void **)rows, n,
				sizeof(**rows));
}

/* The newest check of flow kind into *c; *has is 0 when there is none. */
static int last_check(sqlite3 *db, const char *kind, struct monitor_check *c,
		      int *has)
{
	sqlite3_stmt *st;
	int rc;

	rc = db_prepare(db, last_check_sql, &st);
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, kind, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	*has = rc == SQLITE_ROW;
	if (*has && check_row(st, c))
		rc = -ENOMEM;
	return db_finalize(st, rc, "read checks");
}

void monitor_state_release(struct monitor_state *s)
{
	CLEANUP_FREE_ALL(s->last_missing.kind, s->last_missing.trigger,
			 s->last_new.kind, s->last_new.trigger);
	memset(s, 0, sizeof(*s));
}

int monitor_reads_state(double ttl_s, double now, struct monitor_state *s)
{
	sqlite3 *db = reader_begin();
	int rc;

	memset(s, 0, sizeof(*s));
	if (!db)
		return -EIO;
	rc = cache_size(db, ttl_s, now, &s->cache_entries, &s->cache_bytes);
	if (!rc)
		rc = last_check(db, "missing", &s->last_missing,
				&s->has_missing);
	if (!rc)
		rc = last_check(db, "new", &s->last_new, &s->has_new);
	reader_end(db);
	return rc;
}

/*
 * The line of a service paused until `until` after `failures` in a row
 * (0: for its rate), ending with its cause: the live throttle's t when
 * the service has one (a pause that ended, or began, is seen at once,
 * without waiting for the store); the cause the store kept when t knows
 * none (its pause came from before a restart).
 */
static void pause_health(const char *name, double until, int failures,
			 const struct throttle_stats *t, double now,
			 struct strbuf *errors, struct strbuf *warns)
{
	int refused = 0, blocked = 0;
	char at[CLOCK_RFC3339_LEN];

	if (t) {
		until = t->paused_until;
		blocked = t->last_refusal && t->last_refusal_blocked;
		refused = t->last_refusal == 429 && !blocked;
		if (t->consecutive_failures >= THROTTLE_FAILURES_PAUSE)
			failures = t->consecutive_failures;
		else if (refused || blocked)
			failures = 0;
	}
	if (!(until > now))
		return;
	clock_rfc3339((time_t)until, at);
	if (failures)
		strbuf_addf(errors, "error: %s: paused until %s after %d"
			    " failures in a row\n", name, at, failures);
	else if (refused)
		strbuf_addf(warns, "warn: %s: paused until %s (429 too many"
			    " requests)\n", name, at);
	else if (blocked)
		strbuf_addf(warns, "warn: %s: paused until %s (refused, HTTP"
			    " %d)\n", name, at, t->last_refusal);
	else
		strbuf_addf(warns, "warn: %s: paused until %s (rate limited)\n",
			    name, at);
}

/* The live throttle of service name among the n of v, or NULL; taken
 * (its name emptied) so that services_health() does not show it twice. */
static const struct throttle_stats *take_live(struct throttle_info *v,
					      size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(v[i].name, name)) {
			v[i].name[0] = '\0';
			return &v[i].stats;
		}
	return NULL;
}

/* text in lower case, its dots, dashes and underscores made spaces: a
 * title and its slugs alike. */
static void fold_title(char *text)
{
	for (; *text; text++)
		*text = strchr(".-_", *text) ? ' ' :
			tolower((unsigned char)*text);
}

/* A service's error folded, and whether it names a series the reader
 * may not see. */
struct naming {
	char *text;
	const struct query_series_filter *shown;
};

static int naming_row(void *arg, sqlite3_stmt *st)
{
	const char *name = (const char *)sqlite3_column_text(st, 1);
	struct naming *n = arg;
	char *folded;
	int named;

	if (!name || !*name ||
	    series_filter_shown(n->shown, sqlite3_column_int64(st, 0)))
		return 0;
	folded = strdup(name);
	if (!folded)
		return -ENOMEM;
	fold_title(folded);
	named = strstr(n->text, folded) != NULL;
	free(folded);
	return named;
}

/* The error of service name at its level: a request's error names the
 * series or the release it was about, so a reader who may not see a
 * series its text names is told only that one failed. */
static int service_error(struct strbuf *to, const char *level,
			 const char *name, const char *error,
			 const struct query_series_filter *shown)
{
	struct naming n = { NULL, shown };
	int rc = 0;

	if (shown) {
		n.text = strdup(error);
		if (!n.text)
			return -ENOMEM;
		fold_title(n.text);
		rc = reader_each("SELECT id, name FROM series",
				 "read series names", naming_row, &n);
		free(n.text);
		if (rc < 0)
			return rc;
	}
	strbuf_addf(to, "%s: %s: ", level ? level : "error", name);
	if (rc)
		strbuf_addstr(to, "a request about a series failed");
	else
		utf8_add_field(to, error);
	strbuf_addch(to, '\n');
	return 0;
}

/* A service paused, or whose last error is newer than its last success. */
static int services_health(sqlite3 *db, double now, struct strbuf *errors,
			   struct strbuf *warns,
			   const struct query_series_filter *shown)
{
	struct throttle_info *throttles = NULL;
	size_t nr = 0;
	sqlite3_stmt *st;
	int rc;

	rc = throttle_all(&throttles, &nr);
	if (!rc)
		rc = db_prepare(db, "SELECT name, paused_until, failures,"
			" last_error, error_level, last_error_at >"
			" coalesce(last_ok_at, 0) FROM services ORDER BY name",
			&st);
	if (rc) {
		free(throttles);
		return rc;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(st, 0);
		const char *error = (const char *)sqlite3_column_text(st, 3);
		const char *level = (const char *)sqlite3_column_text(st, 4);

		pause_health(name, sqlite3_column_double(st, 1),
			     sqlite3_column_int(st, 2),
			     take_live(throttles, nr, name), now, errors,
			     warns);
		if (error && sqlite3_column_int(st, 5) &&
		    (rc = service_error(level && !strcmp(level, "warn") ?
					warns : errors, level, name, error,
					shown)) < 0)
			break;
	}
	/* paused before the first request that ended was stored (a 429
	 * waited out within a check): its live throttle alone knows */
	for (size_t i = 0; rc == SQLITE_DONE && i < nr; i++)
		if (throttles[i].name[0])
			pause_health(throttles[i].name, 0, 0,
				     &throttles[i].stats, now, errors, warns);
	free(throttles);
	return db_finalize(st, rc, "read services");
}

/* Where the warnings go, and which series' lines the reader may see. */
struct warnings {
	struct strbuf *out;
	const struct query_series_filter *shown;
};

/* A flow whose newest finished check had errors: its requests failed
 * while the service as a whole works, and each lost one series' news
 * until the next check. */
static int check_warning(void *arg, sqlite3_stmt *st)
{
	struct warnings *w = arg;
	int n = sqlite3_column_int(st, 1);

	strbuf_addf(w->out, "warn: monitor: the last %s check had %d"
		    " error%s (see /log)\n", sqlite3_column_text(st, 0), n,
		    n > 1 ? "s" : "");
	return 0;
}

/* A completed download whose import failed (tracker.h): its reason
 * says why and what to do, until it is imported or gone. A download
 * names its series by name: shown where every series of that name is
 * (column 3, their ids). */
static int import_warning(void *arg, sqlite3_stmt *st)
{
	struct warnings *w = arg;

	if (!series_filter_shown_all(w->shown,
				     (const char *)sqlite3_column_text(st,
								       3)))
		return 0;
	strbuf_addstr(w->out, "warn: ");
	utf8_add_field(w->out, (const char *)sqlite3_column_text(st, 0));
	strbuf_addf(w->out, " volume %d not imported: ",
		    sqlite3_column_int(st, 1));
	utf8_add_field(w->out, (const char *)sqlite3_column_text(st, 2) +
		       strlen("import: "));
	strbuf_addch(w->out, '\n');
	return 0;
}

/* A series two records of a source bear the title of (published.c):
 * none taken, one line each until the user writes an id of that source
 * ("SOURCE:" of the status "no record taken: SOURCE:A and SOURCE:B
 * ...") into the series' source. */
static int tie_warning(void *arg, sqlite3_stmt *st)
{
	const char *name = (const char *)sqlite3_column_text(st, 0);
	struct warnings *w = arg;

	if (!series_filter_shown(w->shown, sqlite3_column_int64(st, 2)))
		return 0;
	strbuf_addstr(w->out, "warn: ");
	utf8_add_field(w->out, name);
	strbuf_addstr(w->out, ": ");
	utf8_add_field(w->out, (const char *)sqlite3_column_text(st, 1));
	strbuf_addstr(w->out, "; write the one to follow into /manga/");
	utf8_add_field(w->out, name);
	strbuf_addstr(w->out, "/source\n");
	return 0;
}

/* A series whose source names records their source answered 404 for
 * (published.c): a line each ("SOURCE:ID" words of its gone records),
 * until the user writes its source; to a reader who may list it. */
static int gone_warning(void *arg, sqlite3_stmt *st)
{
	const char *name = (const char *)sqlite3_column_text(st, 0);
	const char *gone = (const char *)sqlite3_column_text(st, 1);
	struct warnings *w = arg;
	struct strbuf *warns = w->out;

	if (!series_filter_shown(w->shown, sqlite3_column_int64(st, 2)))
		return 0;
	for (const char *p = gone; p && *p; p += strspn(p, " ")) {
		size_t n = strcspn(p, " "), k = strcspn(p, ":");

		if (k < n) {
			strbuf_addf(warns, "warn: %.*s: ", (int)k, p);
			utf8_add_field(warns, name);
			strbuf_addf(warns, ": record %.*s not found (HTTP"
				    " 404); its metadata is kept; write the"
				    " one to follow into /manga/",
				    (int)(n - k - 1), p + k + 1);
			utf8_add_field(warns, name);
			strbuf_addstr(warns, "/source\n");
		}
		p += n;
	}
	return 0;
}

/* The warnings read a line per row of their query. */
static const struct {
	const char *sql, *what;
	int (*line)(void *warnings, sqlite3_stmt *st);
} warnings[] = {
	{ "SELECT kind, errors FROM checks WHERE id IN (SELECT max(id)"
	  " FROM checks WHERE finished_at IS NOT NULL GROUP BY kind)"
	  " AND errors > 0 ORDER BY kind", "read checks", check_warning },
	{ "SELECT d.series, d.volume, d.error, (SELECT group_concat(s.id)"
	  " FROM series s WHERE s.name = d.series) FROM downloads d WHERE"
	  " d.state = 'completed' AND d.error LIKE 'import: %'"
	  " ORDER BY d.series, d.volume", "read downloads", import_warning },
	{ "SELECT name, status, id FROM series WHERE status LIKE"
	  " 'no record taken: %' AND instr(coalesce(source, ''),"
	  " substr(status, 18, instr(substr(status, 18), ':'))) = 0"
	  " ORDER BY name", "read series", tie_warning },
	{ "SELECT name, gone, id FROM series WHERE gone != '' ORDER BY name",
	  "read series", gone_warning },
};

/* Health is read for the health file (fs/tree/render_health.c) in one
 * snapshot of its own. */
int monitor_reads_health(struct strbuf *errors, struct strbuf *warns,
			 const struct query_series_filter *shown)
{
	struct warnings w = { warns, shown };
	sqlite3 *db = reader_begin();
	int rc;

	if (!db)
		return -EIO;
	rc = services_health(db, clock_wall(), errors, warns, shown);
	for (size_t i = 0; !rc && i < sizeof(warnings) / sizeof(*warnings);
	     i++)
		rc = reader_each(warnings[i].sql, warnings[i].what,
				 warnings[i].line, &w);
	save_guard_health(warns, !shown);
	catalog_file_health(errors);
	reader_end(db);
	return rc;
}
