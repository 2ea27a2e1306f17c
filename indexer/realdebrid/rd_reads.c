/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * What the store holds of the Real-Debrid repairs, read for the mount's
 * documents (rd_reads.h) on the calling thread's read connection. It
 * writes nothing.
 */
#include "indexer/realdebrid/rd_reads.h"

#include <errno.h>
#include <math.h>
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

/* A real column that may be NULL: NAN then. */
static double real_or_nan(sqlite3_stmt *st, int col)
{
	return sqlite3_column_type(st, col) == SQLITE_NULL ? NAN :
		sqlite3_column_double(st, col);
}

static const struct db_text_field broken_texts[] = {
	DB_FIELD(struct rd_broken, link, 0),
	DB_FIELD(struct rd_broken, target, 1),
	DB_FIELD(struct rd_broken, torrent, 2),
	DB_FIELD(struct rd_broken, torrent_name, 3),
	DB_FIELD(struct rd_broken, state, 4),
	DB_FIELD(struct rd_broken, reason, 5),
	DB_FIELD(struct rd_broken, plan, 8),
};

void rd_broken_free(struct rd_broken *rows, size_t n)
{
	db_rows_free(rows, n, sizeof(*rows), DB_FIELDS(broken_texts));
}

static int broken_row(sqlite3_stmt *st, void *row, void *arg)
{
	struct rd_broken *b = row;

	(void)arg;
	b->attempts = sqlite3_column_int64(st, 6);
	b->next_retry_at = sqlite3_column_double(st, 7);
	return db_row_texts(st, b, DB_FIELDS(broken_texts));
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
		broken_row, NULL, (void **)rows, n, sizeof(**rows));
}

static const struct db_text_field held_texts[] = {
	DB_FIELD(struct rd_held, id, 0),
	DB_FIELD(struct rd_held, name, 1),
	DB_FIELD(struct rd_held, hash, 2),
	DB_FIELD(struct rd_held, status, 3),
};

void rd_held_free(struct rd_held *rows, size_t n)
{
	db_rows_free(rows, n, sizeof(*rows), DB_FIELDS(held_texts));
}

static int held_row(sqlite3_stmt *st, void *row, void *arg)
{
	struct rd_held *h = row;

	(void)arg;
	h->bytes = sqlite3_column_int64(st, 4);
	h->added_at = sqlite3_column_double(st, 5);
	h->seen_at = sqlite3_column_double(st, 6);
	return db_row_texts(st, h, DB_FIELDS(held_texts));
}

int rd_reads_held(struct rd_held **rows, size_t *n)
{
	return reader_read_rows("SELECT id, coalesce(original_filename,"
				" filename), hash, status, bytes, added_at,"
				" seen_at FROM rd_torrents WHERE EXISTS"
				" (SELECT 1 FROM rd_sync WHERE"
				" cycle_finished_at IS NOT NULL)"
				" ORDER BY added_at, id", "read torrents",
				held_row, NULL, (void **)rows, n,
				sizeof(**rows));
}

static const struct db_text_field orphan_texts[] = {
	DB_FIELD(struct rd_orphan, path, 0),
	DB_FIELD(struct rd_orphan, target, 1),
};

void rd_orphans_free(struct rd_orphan *rows, size_t n)
{
	db_rows_free(rows, n, sizeof(*rows), DB_FIELDS(orphan_texts));
}

static int orphan_row(sqlite3_stmt *st, void *row, void *arg)
{
	struct rd_orphan *o = row;

	(void)arg;
	o->since = sqlite3_column_double(st, 2);
	return db_row_texts(st, o, DB_FIELDS(orphan_texts));
}

int rd_reads_orphans(struct rd_orphan **rows, size_t *n)
{
	return reader_read_rows("SELECT path, target, since FROM rd_orphans"
				" ORDER BY since, path", "read orphans",
				orphan_row, NULL, (void **)rows, n,
				sizeof(**rows));
}

#define PASS_SQL \
	"SELECT id, kind, trigger, dry_run, started_at, finished_at," \
	" duration_s, links, broken, unmapped, guard_ok, started," \
	" repaired, retries, failed, links_deleted, rescans, requests," \
	" rate_limited, guard_reason FROM rd_passes"

static const struct db_text_field pass_texts[] = {
	DB_FIELD(struct rd_pass, kind, 1),
	DB_FIELD(struct rd_pass, trigger, 2),
	DB_FIELD(struct rd_pass, guard_reason, 19),
};

void rd_passes_free(struct rd_pass *rows, size_t n)
{
	db_rows_free(rows, n, sizeof(*rows), DB_FIELDS(pass_texts));
}

static int pass_row(sqlite3_stmt *st, void *row, void *arg)
{
	struct rd_pass *p = row;

	(void)arg;
	p->id = sqlite3_column_int64(st, 0);
	p->dry_run = sqlite3_column_int(st, 3);
	p->started_at = sqlite3_column_double(st, 4);
	p->finished = sqlite3_column_type(st, 5) != SQLITE_NULL;
	p->finished_at = sqlite3_column_double(st, 5);
	p->duration_s = real_or_nan(st, 6);
	for (int i = 0; i < RD_PASS_COUNTS; i++)
		p->count[i] = sqlite3_column_int64(st, 7 + i);
	return db_row_texts(st, p, DB_FIELDS(pass_texts));
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

static int sync_read(sqlite3 *db, struct rd_sync *out)
{
	sqlite3_stmt *st;
	int rc;

	memset(out, 0, sizeof(*out));
	out->next_page = 1;
	out->total = -1;
	rc = db_prepare(db, "SELECT full_sync, list_page, pages_done,"
			" torrents_seen, list_total,"
			" coalesce(cycle_started_at, 0),"
			" CASE WHEN cycle_finished_at >= cycle_started_at"
			" THEN cycle_finished_at ELSE 0 END,"
			" coalesce(synced_at, 0) FROM rd_sync", &st);
	if (rc)
		return rc;
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
	return db_finalize(st, rc, "read the account's listing");
}

int rd_reads_sync(struct rd_sync *s)
{
	return READER_WITH(db, sync_read(db, s));
}

#define REPAIR_SQL \
	"SELECT torrent_id, name, hash, state, new_id, attempts," \
	" started_at, updated_at, next_at, last_error, plan FROM rd_repairs"

static const struct db_text_field repair_texts[] = {
	DB_FIELD(struct rd_repair_row, torrent, 0),
	DB_FIELD(struct rd_repair_row, name, 1),
	DB_FIELD(struct rd_repair_row, hash, 2),
	DB_FIELD(struct rd_repair_row, state, 3),
	DB_FIELD(struct rd_repair_row, new_id, 4),
	DB_FIELD(struct rd_repair_row, last_error, 9),
	DB_FIELD(struct rd_repair_row, plan, 10),
};

static const struct db_text_field failure_texts[] = {
	DB_FIELD(struct rd_failure, torrent, 0),
	DB_FIELD(struct rd_failure, name, 1),
	DB_FIELD(struct rd_failure, hash, 2),
	DB_FIELD(struct rd_failure, reason, 3),
};

static const struct db_text_field attempt_texts[] = {
	DB_FIELD(struct rd_attempt_row, endpoint, 1),
	DB_FIELD(struct rd_attempt_row, torrent, 2),
	DB_FIELD(struct rd_attempt_row, result, 3),
};

static const struct db_text_field delete_texts[] = {
	DB_FIELD(struct rd_delete, torrent, 0),
	DB_FIELD(struct rd_delete, name, 1),
	DB_FIELD(struct rd_delete, new_id, 2),
	DB_FIELD(struct rd_delete, last_error, 5),
};

static const struct db_text_field action_texts[] = {
	DB_FIELD(struct rd_action, torrent, 1),
	DB_FIELD(struct rd_action, service, 2),
	DB_FIELD(struct rd_action, action, 3),
	DB_FIELD(struct rd_action, target, 4),
	DB_FIELD(struct rd_action, result, 5),
};

static int repair_row(sqlite3_stmt *st, void *row, void *arg)
{
	struct rd_repair_row *r = row;

	(void)arg;
	r->attempts = sqlite3_column_int64(st, 5);
	r->started_at = sqlite3_column_double(st, 6);
	r->updated_at = sqlite3_column_double(st, 7);
	r->next_retry_at = sqlite3_column_double(st, 8);
	return db_row_texts(st, r, DB_FIELDS(repair_texts));
}

static int failure_row(sqlite3_stmt *st, void *row, void *arg)
{
	struct rd_failure *f = row;

	(void)arg;
	f->at = sqlite3_column_double(st, 4);
	f->links_deleted = sqlite3_column_int64(st, 5);
	f->rescans = sqlite3_column_int64(st, 6);
	return db_row_texts(st, f, DB_FIELDS(failure_texts));
}

static int attempt_row(sqlite3_stmt *st, void *row, void *arg)
{
	struct rd_attempt_row *a = row;

	(void)arg;
	a->at = sqlite3_column_double(st, 0);
	a->has_http_status = sqlite3_column_type(st, 4) != SQLITE_NULL;
	a->http_status = sqlite3_column_int64(st, 4);
	a->has_error_code = sqlite3_column_type(st, 5) != SQLITE_NULL;
	a->error_code = sqlite3_column_int64(st, 5);
	a->elapsed_s = real_or_nan(st, 6);
	return db_row_texts(st, a, DB_FIELDS(attempt_texts));
}

static int delete_row(sqlite3_stmt *st, void *row, void *arg)
{
	struct rd_delete *d = row;

	(void)arg;
	d->since_at = sqlite3_column_double(st, 3);
	d->failures = sqlite3_column_int64(st, 4);
	d->tried_at = sqlite3_column_double(st, 6);
	return db_row_texts(st, d, DB_FIELDS(delete_texts));
}

static int action_row(sqlite3_stmt *st, void *row, void *arg)
{
	struct rd_action *a = row;

	(void)arg;
	a->at = sqlite3_column_double(st, 0);
	return db_row_texts(st, a, DB_FIELDS(action_texts));
}

#define RECENT_SQL " LIMIT " RD_STR(RD_RECENT)

/* The lists of repairs.json in the snapshot of db. */
static int repairs_read(sqlite3 *db, struct rd_repairs *r)
{
	const struct {
		const char *sql;
		int (*fill)(sqlite3_stmt *st, void *row, void *arg);
		void **rows;
		size_t *n, size;
	} lists[] = {
		{ REPAIR_SQL " WHERE state IN ('queued', 'adding',"
		  " 'downloading') ORDER BY updated_at, torrent_id",
		  repair_row, (void **)&r->queue, &r->nr_queue,
		  sizeof(*r->queue) },
		{ REPAIR_SQL " WHERE state = 'waiting_retry'"
		  " ORDER BY next_at, torrent_id", repair_row,
		  (void **)&r->retry_queue, &r->nr_retry_queue,
		  sizeof(*r->retry_queue) },
		{ REPAIR_SQL " WHERE state = 'repaired'"
		  " ORDER BY updated_at DESC" RECENT_SQL, repair_row,
		  (void **)&r->repaired, &r->nr_repaired,
		  sizeof(*r->repaired) },
		{ "SELECT torrent_id, name, hash, reason, at, links_deleted,"
		  " rescans FROM rd_failures ORDER BY at DESC", failure_row,
		  (void **)&r->failed, &r->nr_failed, sizeof(*r->failed) },
		{ "SELECT at, endpoint, torrent_id, result, http_status,"
		  " error_code, elapsed_s FROM rd_attempts"
		  " ORDER BY id DESC" RECENT_SQL, attempt_row,
		  (void **)&r->attempts, &r->nr_attempts,
		  sizeof(*r->attempts) },
		{ REPAIR_SQL " WHERE state = 'failed' AND torrent_id NOT IN"
		  " (SELECT torrent_id FROM rd_failures)"
		  " ORDER BY updated_at DESC", repair_row,
		  (void **)&r->loops_stopped, &r->nr_loops_stopped,
		  sizeof(*r->loops_stopped) },
		{ "SELECT torrent_id, name, new_id, since, failures, error,"
		  " tried_at FROM rd_deletes WHERE deleted_at IS NULL"
		  " ORDER BY since, torrent_id", delete_row,
		  (void **)&r->deletes, &r->nr_deletes,
		  sizeof(*r->deletes) },
		{ "SELECT at, torrent_id, service, action, target, result"
		  " FROM rd_actions ORDER BY id DESC" RECENT_SQL, action_row,
		  (void **)&r->actions, &r->nr_actions,
		  sizeof(*r->actions) },
	};
	int rc = 0;

	for (size_t i = 0; !rc && i < sizeof(lists) / sizeof(lists[0]); i++)
		rc = db_read_rows(db, lists[i].sql, "read repairs",
				  lists[i].fill, NULL, lists[i].rows,
				  lists[i].n, lists[i].size);
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
	const struct db_text_field *t = repair_texts;
	size_t nt = sizeof(repair_texts) / sizeof(*t);

	db_rows_free(r->queue, r->nr_queue, sizeof(*r->queue), t, nt);
	db_rows_free(r->retry_queue, r->nr_retry_queue,
		     sizeof(*r->retry_queue), t, nt);
	db_rows_free(r->repaired, r->nr_repaired, sizeof(*r->repaired), t,
		     nt);
	db_rows_free(r->loops_stopped, r->nr_loops_stopped,
		     sizeof(*r->loops_stopped), t, nt);
	db_rows_free(r->failed, r->nr_failed, sizeof(*r->failed),
		     DB_FIELDS(failure_texts));
	db_rows_free(r->attempts, r->nr_attempts, sizeof(*r->attempts),
		     DB_FIELDS(attempt_texts));
	db_rows_free(r->deletes, r->nr_deletes, sizeof(*r->deletes),
		     DB_FIELDS(delete_texts));
	db_rows_free(r->actions, r->nr_actions, sizeof(*r->actions),
		     DB_FIELDS(action_texts));
	if (r->has_last)
		db_row_texts_free(&r->last, DB_FIELDS(pass_texts));
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
		db_row_texts_free(&t->last, DB_FIELDS(pass_texts));
	memset(t, 0, sizeof(*t));
}

int rd_reads_takes(enum rd_command cmd, const char *id)
{
	sqlite3 *db = reader_db();

	return db ? rd_commands_check(db, cmd, id) : -EIO;
}

/* Links and repairs that wait for the user: the mount's health is
 * fine, but someone has to look. */
static int repair_warnings(sqlite3 *db, struct strbuf *warns)
{
	int64_t unmapped = 0, loops = 0;
	sqlite3_stmt *st;
	int rc = db_prepare(db, "SELECT"
		" (SELECT count(*) FROM rd_links WHERE broken AND"
		"  torrent_id IS NULL),"
		" (SELECT count(*) FROM rd_repairs WHERE state = 'failed' AND"
		"  torrent_id NOT IN (SELECT torrent_id FROM rd_failures))",
		&st);

	if (rc)
		return rc;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		unmapped = sqlite3_column_int64(st, 0);
		loops = sqlite3_column_int64(st, 1);
	}
	rc = db_finalize(st, rc, "read repair warnings");
	if (rc)
		return rc;
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

int rd_reads_health(struct strbuf *errors, struct strbuf *warns)
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
		strbuf_addstr(errors, "error: debrid mount looks down (");
		utf8_add_field(errors, sqlite3_column_text(st, 1) ?
			     (const char *)sqlite3_column_text(st, 1) : "?");
		strbuf_addstr(errors, "): nothing is repaired or deleted\n");
	}
	rc = db_finalize(st, rc, "read repair passes");
	if (!rc)
		rc = repair_warnings(db, warns);
	reader_end(db);
	return rc;
}
