/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * What the store holds of the Real-Debrid repairs, read for the mount's
 * documents (rd_reads.h) on the calling thread's read connection. It
 * writes nothing.
 */
#include "indexer/realdebrid/rd_reads.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/array.h"
#include "common/db.h"
#include "common/strbuf.h"
#include "common/utf8.h"
#include "indexer/realdebrid/rd_client.h"
#include "indexer/store/reader.h"

/* A pass in progress has not counted its torrents yet: only those that
 * finished. */
int rd_passes_history(struct history *h)
{
	return history_read("SELECT id, started_at, repaired, failed FROM"
			    " rd_passes WHERE finished_at IS NOT NULL"
			    " ORDER BY id DESC" HISTORY_LIMIT(HISTORY_ROWS),
			    2, h);
}

static const struct db_field broken_fields[] = {
	DB_FIELD(struct rd_broken, link, 0),
	DB_FIELD(struct rd_broken, target, 1),
	DB_FIELD(struct rd_broken, torrent, 2),
	DB_FIELD(struct rd_broken, torrent_name, 3),
	DB_FIELD(struct rd_broken, state, 4),
	DB_FIELD(struct rd_broken, reason, 5),
	DB_FIELD_INT64(struct rd_broken, attempts, 6),
	DB_FIELD_REAL(struct rd_broken, next_retry_at, 7),
	DB_FIELD(struct rd_broken, plan, 8),
};

void rd_broken_free(struct rd_broken *rows, size_t n)
{
	db_rows_free(rows, n, sizeof(*rows), DB_FIELDS(broken_fields));
}

/* The latest repair of a link's torrent, under its old id or its new
 * one, says its state. */
int rd_reads_broken(struct rd_broken **rows, size_t *n)
{
	return reader_read_rows("SELECT l.path, l.target, l.torrent_id,"
		" l.torrent_name,"
		" CASE WHEN l.torrent_id IS NULL THEN 'unmapped'"
		"  WHEN p.state IS NULL OR p.state = 'queued' THEN 'broken'"
		"  WHEN p.state IN ('adding', 'downloading') THEN 'repairing'"
		"  ELSE p.state END,"
		" coalesce(l.map_error, p.last_error),"
		" coalesce(p.attempts, 0),"
		" CASE WHEN p.state = 'waiting_retry' THEN p.next_at END,"
		" p.plan"
		" FROM rd_links l LEFT JOIN rd_repairs p ON p.rowid ="
		"  (SELECT rowid FROM rd_repairs WHERE torrent_id ="
		"  l.torrent_id OR new_id = l.torrent_id"
		"  ORDER BY updated_at DESC LIMIT 1)"
		" WHERE l.broken ORDER BY l.path", "read broken links",
		DB_ROW_FILL(broken_fields), (void **)rows, n, sizeof(**rows));
}

static const struct db_field held_fields[] = {
	DB_FIELD(struct rd_held, id, 0),
	DB_FIELD(struct rd_held, name, 1),
	DB_FIELD(struct rd_held, hash, 2),
	DB_FIELD(struct rd_held, status, 3),
	DB_FIELD_INT64(struct rd_held, bytes, 4),
	DB_FIELD_REAL(struct rd_held, added_at, 5),
	DB_FIELD_REAL(struct rd_held, seen_at, 6),
};

void rd_held_free(struct rd_held *rows, size_t n)
{
	db_rows_free(rows, n, sizeof(*rows), DB_FIELDS(held_fields));
}

int rd_reads_held(struct rd_held **rows, size_t *n)
{
	return reader_read_rows("SELECT id, coalesce(original_filename,"
				" filename), hash, status, bytes, added_at,"
				" seen_at FROM rd_torrents WHERE EXISTS"
				" (SELECT 1 FROM rd_sync WHERE"
				" cycle_finished_at IS NOT NULL)"
				" ORDER BY added_at, id", "read torrents",
				DB_ROW_FILL(held_fields), (void **)rows, n,
				sizeof(**rows));
}

static const struct db_field orphan_fields[] = {
	DB_FIELD(struct rd_orphan, path, 0),
	DB_FIELD(struct rd_orphan, target, 1),
	DB_FIELD_REAL(struct rd_orphan, since, 2),
};

void rd_orphans_free(struct rd_orphan *rows, size_t n)
{
	db_rows_free(rows, n, sizeof(*rows), DB_FIELDS(orphan_fields));
}

int rd_reads_orphans(struct rd_orphan **rows, size_t *n)
{
	return reader_read_rows("SELECT path, target, since FROM rd_orphans"
				" ORDER BY since, path", "read orphans",
				DB_ROW_FILL(orphan_fields), (void **)rows, n,
				sizeof(**rows));
}

#define PASS_SQL \
	"SELECT id, kind, trigger, dry_run, started_at, finished_at," \
	" duration_s, links, broken, unmapped, guard_ok, started," \
	" repaired, retries, failed, links_deleted, rescans, requests," \
	" rate_limited, guard_reason FROM rd_passes"

static const struct db_field pass_fields[] = {
	DB_FIELD_INT64(struct rd_pass, id, 0),
	DB_FIELD(struct rd_pass, kind, 1),
	DB_FIELD(struct rd_pass, trigger, 2),
	DB_FIELD_INT(struct rd_pass, dry_run, 3),
	DB_FIELD_REAL(struct rd_pass, started_at, 4),
	DB_FIELD_SET(struct rd_pass, finished, 5),
	DB_FIELD_REAL(struct rd_pass, finished_at, 5),
	DB_FIELD_REAL_OR_NAN(struct rd_pass, duration_s, 6),
	DB_FIELD(struct rd_pass, guard_reason, 19),
};

void rd_passes_free(struct rd_pass *rows, size_t n)
{
	db_rows_free(rows, n, sizeof(*rows), DB_FIELDS(pass_fields));
}

static int pass_row(sqlite3_stmt *st, void *row, void *arg)
{
	struct rd_pass *p = row;

	(void)arg;
	for (int i = 0; i < RD_PASS_COUNTS; i++)
		p->count[i] = sqlite3_column_int64(st, 7 + i);
	return db_row_fields(st, p, DB_FIELDS(pass_fields));
}

int rd_reads_passes(struct rd_pass **rows, size_t *n)
{
	return reader_read_rows(PASS_SQL " ORDER BY id", "read repair passes",
				pass_row, NULL, (void **)rows, n,
				sizeof(**rows));
}

/* The newest pass into *p, *has set when there is one. */
static int read_last_pass(sqlite3 *db, struct rd_pass *p, int *has)
{
	struct rd_pass *rows = NULL;
	size_t n = 0;
	int rc = db_read_rows(db, PASS_SQL " ORDER BY id DESC LIMIT 1",
			      "read the last repair pass", pass_row, NULL,
			      (void **)&rows, &n, sizeof(*rows));

	*has = !rc && n;
	if (*has) {
		*p = rows[0];
		n = 0;
	}
	rd_passes_free(rows, n);
	return rc;
}

static const struct db_field sync_fields[] = {
	DB_FIELD_INT(struct rd_sync, full, 0),
	DB_FIELD_INT(struct rd_sync, next_page, 1),
	DB_FIELD_INT64(struct rd_sync, pages_done, 2),
	DB_FIELD_INT64(struct rd_sync, torrents_seen, 3),
	DB_FIELD_INT64(struct rd_sync, total, 4),
	DB_FIELD_REAL(struct rd_sync, started_at, 5),
	DB_FIELD_REAL(struct rd_sync, finished_at, 6),
	DB_FIELD_REAL(struct rd_sync, synced_at, 7),
};

static int sync_row(sqlite3_stmt *st, void *out)
{
	return db_row_fields(st, out, DB_FIELDS(sync_fields));
}

static int sync_read(sqlite3 *db, struct rd_sync *out)
{
	int rc;

	memset(out, 0, sizeof(*out));
	out->next_page = 1;
	out->total = -1;
	rc = db_one_row(db, "read the account's listing", "SELECT full_sync,"
			" list_page, pages_done, torrents_seen, list_total,"
			" coalesce(cycle_started_at, 0),"
			" CASE WHEN cycle_finished_at >= cycle_started_at"
			" THEN cycle_finished_at ELSE 0 END,"
			" coalesce(synced_at, 0) FROM rd_sync", NULL, 0,
			sync_row, out);
	return rc < 0 ? rc : 0;
}

int rd_reads_sync(struct rd_sync *s)
{
	return READER_WITH(db, sync_read(db, s));
}

#define REPAIR_SQL \
	"SELECT torrent_id, name, hash, state, new_id, attempts," \
	" started_at, updated_at, next_at, last_error, plan FROM rd_repairs"

static const struct db_field repair_fields[] = {
	DB_FIELD(struct rd_repair_row, torrent, 0),
	DB_FIELD(struct rd_repair_row, name, 1),
	DB_FIELD(struct rd_repair_row, hash, 2),
	DB_FIELD(struct rd_repair_row, state, 3),
	DB_FIELD(struct rd_repair_row, new_id, 4),
	DB_FIELD_INT64(struct rd_repair_row, attempts, 5),
	DB_FIELD_REAL(struct rd_repair_row, started_at, 6),
	DB_FIELD_REAL(struct rd_repair_row, updated_at, 7),
	DB_FIELD_REAL(struct rd_repair_row, next_retry_at, 8),
	DB_FIELD(struct rd_repair_row, last_error, 9),
	DB_FIELD(struct rd_repair_row, plan, 10),
};

static const struct db_field failure_fields[] = {
	DB_FIELD(struct rd_failure, torrent, 0),
	DB_FIELD(struct rd_failure, name, 1),
	DB_FIELD(struct rd_failure, hash, 2),
	DB_FIELD(struct rd_failure, reason, 3),
	DB_FIELD_REAL(struct rd_failure, at, 4),
	DB_FIELD_INT64(struct rd_failure, links_deleted, 5),
	DB_FIELD_INT64(struct rd_failure, rescans, 6),
};

static const struct db_field attempt_fields[] = {
	DB_FIELD_REAL(struct rd_attempt_row, at, 0),
	DB_FIELD(struct rd_attempt_row, endpoint, 1),
	DB_FIELD(struct rd_attempt_row, torrent, 2),
	DB_FIELD(struct rd_attempt_row, result, 3),
	DB_FIELD_SET(struct rd_attempt_row, has_http_status, 4),
	DB_FIELD_INT64(struct rd_attempt_row, http_status, 4),
	DB_FIELD_SET(struct rd_attempt_row, has_error_code, 5),
	DB_FIELD_INT64(struct rd_attempt_row, error_code, 5),
	DB_FIELD_REAL_OR_NAN(struct rd_attempt_row, elapsed_s, 6),
};

static const struct db_field delete_fields[] = {
	DB_FIELD(struct rd_delete, torrent, 0),
	DB_FIELD(struct rd_delete, name, 1),
	DB_FIELD(struct rd_delete, new_id, 2),
	DB_FIELD_REAL(struct rd_delete, since_at, 3),
	DB_FIELD_INT64(struct rd_delete, failures, 4),
	DB_FIELD(struct rd_delete, last_error, 5),
	DB_FIELD_REAL(struct rd_delete, tried_at, 6),
};

static const struct db_field action_fields[] = {
	DB_FIELD_REAL(struct rd_action, at, 0),
	DB_FIELD(struct rd_action, torrent, 1),
	DB_FIELD(struct rd_action, service, 2),
	DB_FIELD(struct rd_action, action, 3),
	DB_FIELD(struct rd_action, target, 4),
	DB_FIELD(struct rd_action, result, 5),
};

#define RECENT_SQL " LIMIT " RD_STR(RD_RECENT)
#define ROW(a) { DB_FIELDS(a) }

/* The lists of repairs.json in the snapshot of db. */
static int repairs_read(sqlite3 *db, struct rd_repairs *r)
{
	const struct {
		const char *sql;
		struct db_row fields;
		void **rows;
		size_t *n, size;
	} lists[] = {
		{ REPAIR_SQL " WHERE state IN ('queued', 'adding',"
		  " 'downloading') ORDER BY updated_at, torrent_id",
		  ROW(repair_fields), (void **)&r->queue, &r->nr_queue,
		  sizeof(*r->queue) },
		{ REPAIR_SQL " WHERE state = 'waiting_retry'"
		  " ORDER BY next_at, torrent_id", ROW(repair_fields),
		  (void **)&r->retry_queue, &r->nr_retry_queue,
		  sizeof(*r->retry_queue) },
		{ REPAIR_SQL " WHERE state = 'repaired'"
		  " ORDER BY updated_at DESC" RECENT_SQL, ROW(repair_fields),
		  (void **)&r->repaired, &r->nr_repaired,
		  sizeof(*r->repaired) },
		{ "SELECT torrent_id, name, hash, reason, at, links_deleted,"
		  " rescans FROM rd_failures ORDER BY at DESC",
		  ROW(failure_fields), (void **)&r->failed, &r->nr_failed,
		  sizeof(*r->failed) },
		{ "SELECT at, endpoint, torrent_id, result, http_status,"
		  " error_code, elapsed_s FROM rd_attempts"
		  " ORDER BY id DESC" RECENT_SQL, ROW(attempt_fields),
		  (void **)&r->attempts, &r->nr_attempts,
		  sizeof(*r->attempts) },
		{ REPAIR_SQL " WHERE state = 'failed' AND torrent_id NOT IN"
		  " (SELECT torrent_id FROM rd_failures)"
		  " ORDER BY updated_at DESC", ROW(repair_fields),
		  (void **)&r->loops_stopped, &r->nr_loops_stopped,
		  sizeof(*r->loops_stopped) },
		{ "SELECT torrent_id, name, new_id, since, failures, error,"
		  " tried_at FROM rd_deletes WHERE deleted_at IS NULL"
		  " ORDER BY since, torrent_id", ROW(delete_fields),
		  (void **)&r->deletes, &r->nr_deletes,
		  sizeof(*r->deletes) },
		{ "SELECT at, torrent_id, service, action, target, result"
		  " FROM rd_actions ORDER BY id DESC" RECENT_SQL,
		  ROW(action_fields), (void **)&r->actions, &r->nr_actions,
		  sizeof(*r->actions) },
	};
	int rc = 0;

	for (size_t i = 0; !rc && i < sizeof(lists) / sizeof(lists[0]); i++)
		rc = db_read_rows(db, lists[i].sql, "read repairs",
				  db_row_fill, (void *)&lists[i].fields,
				  lists[i].rows, lists[i].n, lists[i].size);
	if (!rc)
		rc = read_last_pass(db, &r->last, &r->has_last);
	if (!rc)
		rc = sync_read(db, &r->sync);
	return rc;
}

int rd_reads_repairs(struct rd_repairs *r)
{
	memset(r, 0, sizeof(*r));
	return READER_WITH(db, repairs_read(db, r));
}

void rd_repairs_release(struct rd_repairs *r)
{
	const struct db_field *t = repair_fields;
	size_t nt = sizeof(repair_fields) / sizeof(*t);

	db_rows_free(r->queue, r->nr_queue, sizeof(*r->queue), t, nt);
	db_rows_free(r->retry_queue, r->nr_retry_queue,
		     sizeof(*r->retry_queue), t, nt);
	db_rows_free(r->repaired, r->nr_repaired, sizeof(*r->repaired), t,
		     nt);
	db_rows_free(r->loops_stopped, r->nr_loops_stopped,
		     sizeof(*r->loops_stopped), t, nt);
	db_rows_free(r->failed, r->nr_failed, sizeof(*r->failed),
		     DB_FIELDS(failure_fields));
	db_rows_free(r->attempts, r->nr_attempts, sizeof(*r->attempts),
		     DB_FIELDS(attempt_fields));
	db_rows_free(r->deletes, r->nr_deletes, sizeof(*r->deletes),
		     DB_FIELDS(delete_fields));
	db_rows_free(r->actions, r->nr_actions, sizeof(*r->actions),
		     DB_FIELDS(action_fields));
	if (r->has_last)
		db_row_fields_free(&r->last, DB_FIELDS(pass_fields));
	memset(r, 0, sizeof(*r));
}

static int keep_endpoint(void *arg, const char *endpoint, int64_t requests)
{
	struct rd_totals *t = arg;
	struct rd_endpoint *v = array_grow(t->endpoints, t->nr_endpoints,
					   &t->alloc_endpoints, sizeof(*v), 8);

	if (!v)
		return -ENOMEM;
	t->endpoints = v;
	v += t->nr_endpoints;
	v->requests = requests;
	v->endpoint = strdup(endpoint ? endpoint : "");
	if (!v->endpoint)
		return -ENOMEM;
	t->nr_endpoints++;
	return 0;
}

/* The counts of repair.json are the metrics' (rd_stats_read()); the
 * requests by endpoint and the last pass come with them, in the same
 * snapshot. */
int rd_reads_totals(struct rd_totals *t)
{
	sqlite3 *db;
	int rc;

	memset(t, 0, sizeof(*t));
	if (reader_hold())
		return -EIO;
	rc = rd_stats_read(&t->stats);
	db = rc ? NULL : reader_begin();
	if (!rc && !db)
		rc = -EIO;
	if (!rc)
		rc = rd_stats_each_endpoint(keep_endpoint, t);
	if (!rc)
		rc = read_last_pass(db, &t->last, &t->has_last);
	if (db)
		reader_end(db);
	reader_release();
	return rc;
}

void rd_totals_release(struct rd_totals *t)
{
	for (size_t i = 0; i < t->nr_endpoints; i++)
		free(t->endpoints[i].endpoint);
	free(t->endpoints);
	if (t->has_last)
		db_row_fields_free(&t->last, DB_FIELDS(pass_fields));
	memset(t, 0, sizeof(*t));
}

int rd_reads_takes(enum rd_command cmd, const char *id)
{
	sqlite3 *db = reader_db();

	return db ? rd_commands_check(db, cmd, id) : -EIO;
}

static int warnings_row(sqlite3_stmt *st, void *warns)
{
	sqlite3_int64 unmapped = sqlite3_column_int64(st, 0);
	sqlite3_int64 loops = sqlite3_column_int64(st, 1);

	if (unmapped)
		strbuf_addf(warns, "warn: %lld dead debrid links match no"
			    " torrent, or several (see /status/broken)\n",
			    (long long)unmapped);
	if (loops)
		strbuf_addf(warns, "warn: %lld torrents stopped in a repair"
			    " loop (see /status/repairs.json)\n",
			    (long long)loops);
	return 0;
}

/* Links and repairs that wait for the user: the mount's health is
 * fine, but someone has to look. */
static int repair_warnings(sqlite3 *db, struct strbuf *warns)
{
	int rc = db_one_row(db, "read repair warnings", "SELECT"
		" (SELECT count(*) FROM rd_links WHERE broken AND"
		"  torrent_id IS NULL),"
		" (SELECT count(*) FROM rd_repairs WHERE state = 'failed' AND"
		"  torrent_id NOT IN (SELECT torrent_id FROM rd_failures))",
		NULL, 0, warnings_row, warns);

	return rc < 0 ? rc : 0;
}

static int guard_row(sqlite3_stmt *st, void *errors)
{
	const char *reason = (const char *)sqlite3_column_text(st, 1);

	if (sqlite3_column_int(st, 0))
		return 0;
	strbuf_addstr(errors, "error: debrid mount looks down (");
	utf8_add_field(errors, reason ? reason : "?");
	strbuf_addstr(errors, "): nothing is repaired or deleted\n");
	return 0;
}

static int health_read(sqlite3 *db, struct strbuf *errors,
		       struct strbuf *warns)
{
	int rc = db_one_row(db, "read repair passes", "SELECT guard_ok,"
			    " guard_reason FROM rd_passes ORDER BY id DESC"
			    " LIMIT 1", NULL, 0, guard_row, errors);

	return rc < 0 ? rc : repair_warnings(db, warns);
}

int rd_reads_health(struct strbuf *errors, struct strbuf *warns)
{
	return READER_WITH(db, health_read(db, errors, warns));
}
