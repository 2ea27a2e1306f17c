#include "indexer/store/query_repair.h"

#include <errno.h>
#include <string.h>

#include "common/bytes.h"
#include "common/clock.h"
#include "common/csv.h"
#include "common/db.h"
#include "common/json.h"
#include "common/strbuf.h"
#include "common/utf8.h"
#include "indexer/store/reader.h"
#include "indexer/indexer.h"
#include "indexer/realdebrid/rd_client.h"
#include "indexer/realdebrid/rd_commands.h"

#define RECENT_ATTEMPTS "50"		/* requests listed in repairs.json */
#define RECENT_REPAIRS "50"		/* repairs done listed there */

/* The dead links with the repair of their torrent, the latest one. */
#define BROKEN_SQL \
	"SELECT l.path AS link, l.target AS target," \
	" l.torrent_id AS torrent, l.torrent_name AS torrent_name," \
	" CASE WHEN l.torrent_id IS NULL THEN 'unmapped'" \
	"  WHEN p.state IS NULL OR p.state = 'queued' THEN 'broken'" \
	"  WHEN p.state IN ('adding', 'downloading') THEN 'repairing'" \
	"  ELSE p.state END AS state," \
	" coalesce(l.map_error, p.last_error) AS reason," \
	" coalesce(p.attempts, 0) AS attempts," \
	" CASE WHEN p.state = 'waiting_retry' THEN p.next_at END" \
	"  AS next_retry_at," \
	" p.plan AS plan" \
	" FROM rd_links l LEFT JOIN rd_repairs p ON p.rowid = (SELECT rowid" \
	"  FROM rd_repairs WHERE torrent_id = l.torrent_id" \
	"  OR new_id = l.torrent_id ORDER BY updated_at DESC LIMIT 1)" \
	" WHERE l.broken ORDER BY l.path"

#define REPAIR_COLUMNS \
	"SELECT torrent_id AS torrent, name, hash, state, new_id," \
	" attempts, started_at, updated_at, next_at AS next_retry_at," \
	" last_error, plan FROM rd_repairs"

/* One column as JSON: times (columns named *_at) as RFC 3339, the rest
 * by their type; text and paths may be any bytes. */
static json_t *column_json(sqlite3_stmt *st, int i)
{
	const char *name = sqlite3_column_name(st, i);
	size_t len = strlen(name);

	switch (sqlite3_column_type(st, i)) {
	case SQLITE_NULL:
		return json_null();
	case SQLITE_INTEGER:
		return json_integer(sqlite3_column_int64(st, i));
	case SQLITE_FLOAT:
		if (!strcmp(name, "at") ||
		    (len > 3 && !strcmp(name + len - 3, "_at")))
			return json_time(sqlite3_column_double(st, i));
		return json_num(sqlite3_column_double(st, i));
	default:
		return json_text((const char *)sqlite3_column_blob(st, i),
				 sqlite3_column_bytes(st, i));
	}
}

/* A row as an object keyed by its column names, so the SQL alone says
 * what a document holds. */
static json_t *row_object(sqlite3_stmt *st)
{
	json_t *o = json_object();

	for (int i = 0; o && i < sqlite3_column_count(st); i++)
		json_object_set_new(o, sqlite3_column_name(st, i),
				    column_json(st, i));
	return o;
}

/* Every row of sql as an object, into the array *out. */
static int rows_array(sqlite3 *db, const char *sql, json_t **out)
{
	sqlite3_stmt *st;
	json_t *a;
	int rc = db_prepare(db, sql, &st);

	if (rc)
		return rc;
	a = json_array();
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		json_array_append_new(a, row_object(st));
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		json_decref(a);
		return db_error(db, rc, "read repairs");
	}
	*out = a;
	return 0;
}

/* The first row of sql as an object, or null when there is none. */
static int row_or_null(sqlite3 *db, const char *sql, json_t **out)
{
	json_t *a;
	int rc = rows_array(db, sql, &a);

	if (rc)
		return rc;
	*out = json_array_size(a) ? json_incref(json_array_get(a, 0)) :
		json_null();
	json_decref(a);
	return 0;
}

int query_broken(struct strbuf *out)
{
	sqlite3 *db = reader_begin();
	sqlite3_stmt *st;
	int rc;

	if (!db)
		return -EIO;
	rc = db_prepare(db, BROKEN_SQL, &st);
	if (rc) {
		reader_end(db);
		return rc;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		for (int i = 0; i < 2; i++) {
			utf8_add_field(out, (const char *)
				     sqlite3_column_text(st, i));
			strbuf_addch(out, '\t');
		}
		strbuf_addf(out, "%s\n", sqlite3_column_text(st, 4));
	}
	sqlite3_finalize(st);
	rc = rc == SQLITE_DONE ? 0 : db_error(db, rc, "read broken links");
	reader_end(db);
	return rc;
}

int query_broken_json(struct strbuf *out)
{
	sqlite3 *db = reader_begin();
	json_t *links;
	int rc;

	if (!db)
		return -EIO;
	rc = rows_array(db, BROKEN_SQL, &links);
	reader_end(db);
	return rc ? rc : json_append(out, links);
}

int query_orphans(struct strbuf *out)
{
	sqlite3 *db = reader_begin();
	double now = clock_wall();
	char age[CLOCK_WORDS_LEN];
	sqlite3_stmt *st;
	int rc;

	if (!db)
		return -EIO;
	rc = db_prepare(db, "SELECT path, target, since FROM rd_orphans"
			" ORDER BY since, path", &st);
	if (rc) {
		reader_end(db);
		return rc;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		for (int i = 0; i < 2; i++) {
			utf8_add_field(out, (const char *)
				       sqlite3_column_text(st, i));
			strbuf_addch(out, '\t');
		}
		clock_words(now - sqlite3_column_double(st, 2), age);
		strbuf_addf(out, "%s\n", age);
	}
	sqlite3_finalize(st);
	rc = rc == SQLITE_DONE ? 0 : db_error(db, rc, "read orphans");
	reader_end(db);
	return rc;
}

/* The last pass's guard decision as {ok, reason, checked_at}. */
static json_t *guard_object(json_t *last)
{
	json_t *ok = json_object_get(last, "guard_ok");

	return json_pack("{s:b, s:O, s:O}",
		"ok", !json_is_integer(ok) || json_integer_value(ok),
		"reason", json_object_get(last, "guard_reason") ?
			json_object_get(last, "guard_reason") : json_null(),
		"checked_at", json_object_get(last, "started_at") ?
			json_object_get(last, "started_at") : json_null());
}

#define LAST_PASS_SQL \
	"SELECT kind, trigger, dry_run, started_at, finished_at, duration_s," \
	" links, broken, unmapped, guard_ok, guard_reason, started," \
	" repaired, retries, failed, links_deleted, rescans, requests" \
	" FROM rd_passes ORDER BY id DESC LIMIT 1"

/* The cycle of pages listing the account (rd_sync.h). */
struct sync {
	int full;			/* a resync asked, under way */
	int next_page;			/* the page the cycle lists next */
	long pages_done;		/* in the cycle under way or last */
	long torrents_seen;
	long total;			/* the account's count, -1: unknown */
	double started_at;		/* the cycle's start, 0: none yet */
	double finished_at;		/* its end, 0: not over */
	double synced_at;		/* the last page listed, 0: none */
};

/* The listing's state; an account never listed gives zeros (next_page
 * 1, total -1). */
static int read_sync(sqlite3 *db, struct sync *out)
{
	sqlite3_stmt *st;
	int rc;

	memset(out, 0, sizeof(*out));
	out->next_page = 1;
	out->total = -1;
	rc = sqlite3_prepare_v2(db, "SELECT full_sync, list_page, pages_done,"
				" torrents_seen, list_total,"
				" coalesce(cycle_started_at, 0),"
				" coalesce(cycle_finished_at, 0),"
				" coalesce(synced_at, 0) FROM rd_sync", -1,
				&st, NULL);
	if (rc != SQLITE_OK)
		return db_error(db, rc, "read the account's listing");
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		out->full = sqlite3_column_int(st, 0);
		out->next_page = sqlite3_column_int(st, 1);
		out->pages_done = sqlite3_column_int64(st, 2);
		out->torrents_seen = sqlite3_column_int64(st, 3);
		out->total = sqlite3_column_int64(st, 4);
		out->started_at = sqlite3_column_double(st, 5);
		out->finished_at = sqlite3_column_double(st, 6);
		out->synced_at = sqlite3_column_double(st, 7);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 :
		db_error(db, rc, "read the account's listing");
}

/* The listing of the account: the cycle of pages under way, or the last
 * one, with the resync's progress. */
static json_t *sync_object(const struct sync *r)
{
	return json_pack("{s:b, s:i, s:I, s:I, s:o, s:o, s:o, s:o}",
		"resync", r->full,
		"next_page", r->next_page,
		"pages_done", (json_int_t)r->pages_done,
		"torrents_seen", (json_int_t)r->torrents_seen,
		"total", r->total >= 0 ? json_integer(r->total) : json_null(),
		"started_at", json_time(r->started_at),
		"finished_at", json_time(r->finished_at),
		"synced_at", json_time(r->synced_at));
}

/* The lists of repairs.json, each one query. */
#define NR_LISTS 8

int query_repairs_json(struct strbuf *out)
{
	static const char *const sql[] = {
		REPAIR_COLUMNS " WHERE state IN ('queued', 'adding',"
		" 'downloading') ORDER BY updated_at, torrent_id",
		REPAIR_COLUMNS " WHERE state = 'waiting_retry'"
		" ORDER BY next_at, torrent_id",
		REPAIR_COLUMNS " WHERE state = 'repaired'"
		" ORDER BY updated_at DESC LIMIT " RECENT_REPAIRS,
		"SELECT torrent_id AS torrent, name, hash, reason, at,"
		" links_deleted, rescans FROM rd_failures ORDER BY at DESC",
		"SELECT at, endpoint, torrent_id AS torrent, result,"
		" http_status, error_code, elapsed_s FROM rd_attempts"
		" ORDER BY id DESC LIMIT " RECENT_ATTEMPTS,
		REPAIR_COLUMNS " WHERE state = 'failed' AND torrent_id NOT IN"
		" (SELECT torrent_id FROM rd_failures)"
		" ORDER BY updated_at DESC",
		"SELECT torrent_id AS torrent, name, new_id, since AS since_at,"
		" failures, error AS last_error, tried_at FROM rd_deletes"
		" WHERE deleted_at IS NULL ORDER BY since, torrent_id",
		"SELECT at, torrent_id AS torrent, service, action, target,"
		" result FROM rd_actions ORDER BY id DESC LIMIT "
		RECENT_ATTEMPTS,
	};
	json_t *v[NR_LISTS] = { NULL }, *last = NULL;
	struct indexer_status s;
	struct sync sync;
	sqlite3 *db = reader_begin();
	int rc = 0;

	if (!db)
		return -EIO;
	indexer_status(&s);
	for (size_t i = 0; !rc && i < NR_LISTS; i++)
		rc = rows_array(db, sql[i], &v[i]);
	if (!rc)
		rc = row_or_null(db, LAST_PASS_SQL, &last);
	if (!rc)
		rc = read_sync(db, &sync);
	reader_end(db);
	if (rc) {
		for (size_t i = 0; i < NR_LISTS; i++)
			json_decref(v[i]);
		json_decref(last);
		return rc;
	}
	return json_append(out, json_pack(
		"{s:b, s:b, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o,"
		" s:o, s:o}",
		"dry_run", s.dry_run,
		"running", !!(s.jobs.running & (JOBS_REPAIR_SCAN |
						JOBS_REPAIR_RUN)),
		"guard", guard_object(last),
		"last_pass", last,
		"next_pass_at", json_time(s.jobs.next_repair_at),
		"sync", sync_object(&sync),
		"queue", v[0],
		"retry_queue", v[1],
		"repaired", v[2],
		"failed", v[3],
		"loops_stopped", v[5],
		"old_torrents_to_delete", v[6],
		"recent_attempts", v[4],
		"recent_actions", v[7]));
}

/* The counts of a pass, in the order of the header. */
static const char *const counts[] = {
	"links", "broken", "unmapped", "guard_ok", "started", "repaired",
	"retries", "failed", "links_deleted", "rescans", "requests",
	"rate_limited",
};

#define NR_COUNTS (ARRAY_SIZE(counts))

/* The rows of /metrics/repair.csv, text fields quoted as CSV wants. */
static int passes_csv(sqlite3 *db, struct strbuf *out)
{
	struct strbuf sql = STRBUF_INIT;
	sqlite3_stmt *st;
	int rc;

	strbuf_addstr(&sql, "SELECT id, kind, trigger, dry_run, started_at,"
		      " finished_at, coalesce(duration_s, 0)");
	strbuf_addstr(out, "id,kind,trigger,dry_run,started_at,finished_at,"
		      "duration_s");
	for (size_t i = 0; i < NR_COUNTS; i++) {
		strbuf_addf(&sql, ", %s", counts[i]);
		strbuf_addf(out, ",%s", counts[i]);
	}
	strbuf_addstr(&sql, " FROM rd_passes ORDER BY id");
	strbuf_addch(out, '\n');
	rc = sqlite3_prepare_v2(db, sql.buf, -1, &st, NULL);
	strbuf_release(&sql);
	if (rc != SQLITE_OK)
		return db_error(db, rc, "read repair passes");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		strbuf_addf(out, "%lld,",
			    (long long)sqlite3_column_int64(st, 0));
		csv_add_field(out, (const char *)sqlite3_column_text(st, 1));
		strbuf_addch(out, ',');
		csv_add_field(out, (const char *)sqlite3_column_text(st, 2));
		strbuf_addf(out, ",%d,", sqlite3_column_int(st, 3));
		db_add_time(out, st, 4);
		strbuf_addch(out, ',');
		db_add_time(out, st, 5);
		strbuf_addf(out, ",%.3f", sqlite3_column_double(st, 6));
		for (size_t i = 0; i < NR_COUNTS; i++)
			strbuf_addf(out, ",%lld", (long long)
				    sqlite3_column_int64(st, 7 + i));
		strbuf_addch(out, '\n');
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : db_error(db, rc, "read repair passes");
}

int query_repair_csv(struct strbuf *out)
{
	sqlite3 *db = reader_begin();
	int rc;

	if (!db)
		return -EIO;
	rc = passes_csv(db, out);
	reader_end(db);
	return rc;
}

int query_repair_listing(struct strbuf *out)
{
	char at[CLOCK_RFC3339_LEN];
	sqlite3 *db = reader_begin();
	struct sync r;
	int rc;

	if (!db)
		return -EIO;
	rc = read_sync(db, &r);
	reader_end(db);
	if (rc)
		return rc;
	if (!r.started_at) {
		strbuf_addstr(out, "listing: not started\n");
		return 0;
	}
	clock_rfc3339((time_t)r.started_at, at);
	strbuf_addf(out, "listing: %s%ld pages, %ld torrents seen since %s",
		    r.full ? "resync, " : "", r.pages_done, r.torrents_seen,
		    at);
	if (r.total >= 0)
		strbuf_addf(out, " (the account holds %ld)", r.total);
	if (r.finished_at) {
		clock_rfc3339((time_t)r.finished_at, at);
		strbuf_addf(out, ", done at %s", at);
	} else {
		strbuf_addf(out, ", page %d next", r.next_page);
	}
	strbuf_addch(out, '\n');
	return 0;
}

int query_repair_takes(enum rd_command cmd, const char *id)
{
	sqlite3 *db = reader_db();

	return db ? rd_commands_check(db, cmd, id) : -EIO;
}

/* Requests by endpoint as {endpoint: count}. */
static int requests_object(sqlite3 *db, json_t **out)
{
	sqlite3_stmt *st;
	int rc = db_prepare(db, "SELECT endpoint, count(*) FROM rd_attempts"
			    " GROUP BY endpoint ORDER BY endpoint", &st);

	if (rc)
		return rc;
	*out = json_object();
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		json_object_set_new(*out, (const char *)
				    sqlite3_column_text(st, 0),
				    json_integer(sqlite3_column_int64(st, 1)));
	sqlite3_finalize(st);
	if (rc == SQLITE_DONE)
		return 0;
	json_decref(*out);
	return db_error(db, rc, "read repair requests");
}

int query_repair_json(struct strbuf *out)
{
	json_t *requests = NULL, *totals = NULL, *last = NULL;
	sqlite3 *db = reader_begin();
	int rc;

	if (!db)
		return -EIO;
	rc = requests_object(db, &requests);
	if (!rc)
		rc = row_or_null(db, "SELECT"
			" (SELECT count(*) FROM rd_attempts) AS requests,"
			" (SELECT count(*) FROM rd_attempts WHERE"
			"  http_status = 429 OR error_code IN ("
			RD_STR(RD_ERR_SLOW_DOWN) ", "
			RD_STR(RD_ERR_TOO_MANY_REQUESTS) "))"
			"  AS rate_limited,"
			" (SELECT count(*) FROM rd_repairs WHERE"
			"  state = 'repaired') AS repairs_ok,"
			" (SELECT count(*) FROM rd_repairs WHERE"
			"  state = 'failed') AS repairs_failed,"
			" (SELECT count(*) FROM rd_failures)"
			"  AS permanent_failures,"
			" (SELECT coalesce(sum(links_deleted), 0) FROM"
			"  rd_failures) AS links_deleted,"
			" (SELECT coalesce(sum(rescans), 0) FROM rd_failures)"
			"  AS rescans,"
			" (SELECT count(*) FROM rd_deletes WHERE"
			"  deleted_at IS NULL) AS old_torrents_to_delete,"
			" (SELECT coalesce(sum(failures), 0) FROM"
			"  rd_deletes) AS old_torrent_delete_failures,"
			" (SELECT count(*) FROM rd_passes) AS passes", &totals);
	if (!rc)
		rc = row_or_null(db, LAST_PASS_SQL, &last);
	reader_end(db);
	if (rc) {
		json_decref(requests);
		json_decref(totals);
		return rc;
	}
	json_object_set_new(totals, "requests_by_endpoint", requests);
	json_object_set_new(totals, "last_pass", last);
	json_object_set(totals, "last_pass_duration_s",
			json_object_get(last, "duration_s") ?
			json_object_get(last, "duration_s") : json_null());
	return json_append(out, totals);
}

/* Links and repairs that wait for the user: the mount's health is
 * fine, but someone has to look. */
static int repair_warnings(sqlite3 *db, struct strbuf *warns)
{
	json_t *n;
	json_int_t unmapped, loops;
	int rc = row_or_null(db, "SELECT"
		" (SELECT count(*) FROM rd_links WHERE broken AND"
		"  torrent_id IS NULL) AS unmapped,"
		" (SELECT count(*) FROM rd_repairs WHERE state = 'failed' AND"
		"  torrent_id NOT IN (SELECT torrent_id FROM rd_failures))"
		"  AS loops", &n);

	if (rc)
		return rc;
	unmapped = json_integer_value(json_object_get(n, "unmapped"));
	loops = json_integer_value(json_object_get(n, "loops"));
	json_decref(n);
	if (unmapped)
		strbuf_addf(warns, "warn: %lld dead Real-Debrid links match no"
			    " torrent, or several (see /status/broken)\n",
			    (long long)unmapped);
	if (loops)
		strbuf_addf(warns, "warn: %lld torrents stopped in a repair"
			    " loop (see /status/repairs.json)\n",
			    (long long)loops);
	return 0;
}

int query_repair_health(struct strbuf *errors, struct strbuf *warns)
{
	sqlite3 *db = reader_begin();
	sqlite3_stmt *st;
	int rc;

	if (!db)
		return -EIO;
	rc = db_prepare(db, "SELECT guard_ok, guard_reason FROM rd_passes"
			" ORDER BY id DESC LIMIT 1", &st);
	if (rc) {
		reader_end(db);
		return rc;
	}
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && !sqlite3_column_int(st, 0)) {
		strbuf_addstr(errors, "error: Real-Debrid mount looks down (");
		utf8_add_field(errors, sqlite3_column_text(st, 1) ?
			     (const char *)sqlite3_column_text(st, 1) : "?");
		strbuf_addstr(errors, "): nothing is repaired or deleted\n");
	}
	sqlite3_finalize(st);
	rc = rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 :
		db_error(db, rc, "read repair passes");
	if (!rc)
		rc = repair_warnings(db, warns);
	reader_end(db);
	return rc;
}
