/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The history of the monitor's checks (checks.h): a check's row stored,
 * its downloads counted, old rows pruned, on the writer's connection. What
 * a row holds is the check's (monitor.c) to count.
 */
#include "indexer/monitor/checks.h"

#include <errno.h>
#include <string.h>

#include "common/db.h"

/* A row's statements, but for its sources' requests (store_requests()). */
static const char update_sql[] = "UPDATE checks SET kind = ?2,"
	" trigger = ?3, started_at = ?4, finished_at = ?5, series = ?6,"
	" wanted = ?7, found = ?8, catalog = ?9, prowlarr = ?10,"
	" cache_hits = ?11, sent = ?12, skipped = ?13, failed = ?14,"
	" errors = ?15 WHERE id = ?1";
static const char insert_sql[] = "INSERT INTO checks (id, kind, trigger,"
	" started_at, finished_at, series, wanted, found, catalog, prowlarr,"
	" cache_hits, sent, skipped, failed, errors) VALUES (NULL, ?2, ?3,"
	" ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)";

/* The requests of each manga source of the check r, stored. */
static int store_requests(sqlite3 *db, const struct checks_row *r)
{
	static const char sql[] = "INSERT INTO check_requests (check_id,"
		" source, requests) VALUES (?1, ?2, ?3)"
		" ON CONFLICT (check_id, source)"
		" DO UPDATE SET requests = excluded.requests";
	int rc = 0;

#define MANGA_SOURCE(name, ...) \
	if (!rc) \
		rc = db_run(db, "store check", sql, DB_ARGS(DB_INT(r->id), \
			    DB_TEXT(#name), DB_INT(r->name)));
#include "common/manga_sources.def"
#undef MANGA_SOURCE
	return rc;
}

int checks_count_download(sqlite3 *db, void *arg)
{
	static const char *const sql[] = {
		"UPDATE checks SET completed = completed + 1 WHERE id ="
		" (SELECT max(id) FROM checks WHERE kind = 'missing')",
		"UPDATE checks SET download_failed = download_failed + 1"
		" WHERE id = (SELECT max(id) FROM checks"
		" WHERE kind = 'missing')",
		"UPDATE checks SET imported = imported + 1 WHERE id ="
		" (SELECT max(id) FROM checks WHERE kind = 'missing')",
	};
	const enum checks_outcome *o = arg;

	return db_exec(db, sql[*o]);
}

int checks_store(sqlite3 *db, void *arg)
{
	struct checks_row *r = arg;
	struct db_arg finished = r->finished_at > 0 ?
				 DB_REAL(r->finished_at) : DB_TEXT(NULL);
	int rc;

	rc = db_run(db, "store check", r->id ? update_sql : insert_sql,
		    DB_ARGS(DB_INT_OR_NULL(r->id), DB_TEXT(r->kind),
			    DB_TEXT(r->trigger), DB_REAL(r->started_at),
			    finished, DB_INT(r->series), DB_INT(r->wanted),
			    DB_INT(r->found), DB_INT(r->catalog),
			    DB_INT(r->prowlarr), DB_INT(r->cache_hits),
			    DB_INT(r->sent), DB_INT(r->skipped),
			    DB_INT(r->failed), DB_INT(r->errors)));
	if (rc)
		return rc;
	if (!r->id)
		r->id = sqlite3_last_insert_rowid(db);
	return store_requests(db, r);
}

double checks_finished_at(sqlite3 *db)
{
	sqlite3_stmt *st;
	double at = 0;
	int rc;

	/* mediamon --check's runs ("check") are not the daemon's: the
	 * daemon's timer counts from its own (issue 81) */
	if (db_prepare(db, "SELECT max(finished_at) FROM checks"
		       " WHERE trigger IS NOT 'check'", &st))
		return 0;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		at = sqlite3_column_double(st, 0);
	db_finalize(st, rc, "read checks");
	return at;
}

int checks_prune(sqlite3 *db, double before)
{
	return db_run(db, "prune checks",
		      "DELETE FROM checks WHERE started_at < ?1 AND id"
		      " NOT IN (SELECT max(id) FROM checks GROUP BY kind)",
		      DB_ARGS(DB_REAL(before)));
}
