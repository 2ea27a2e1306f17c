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

#define CHECK_COLUMNS \
	"id, kind, trigger, started_at, finished_at, series, wanted, found," \
	" catalog, prowlarr, nautiljon, cache_hits, sent, skipped, failed," \
	" errors, mangadex, mangaupdates, anilist"

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
	sqlite3_stmt *st;
	int rc;

	rc = db_prepare(db, r->id ? "UPDATE checks SET kind = ?2,"
		" trigger = ?3, started_at = ?4, finished_at = ?5,"
		" series = ?6, wanted = ?7, found = ?8, catalog = ?9,"
		" prowlarr = ?10, nautiljon = ?11, cache_hits = ?12,"
		" sent = ?13, skipped = ?14, failed = ?15, errors = ?16,"
		" mangadex = ?17, mangaupdates = ?18, anilist = ?19"
		" WHERE id = ?1" :
		"INSERT INTO checks (" CHECK_COLUMNS ") VALUES (NULL, ?2, ?3,"
		" ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16,"
		" ?17, ?18, ?19)",
		&st);
	if (rc)
		return rc;
	if (r->id)
		sqlite3_bind_int64(st, 1, r->id);
	sqlite3_bind_text(st, 2, r->kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, r->trigger, -1, SQLITE_STATIC);
	sqlite3_bind_double(st, 4, r->started_at);
	if (r->finished_at > 0)
		sqlite3_bind_double(st, 5, r->finished_at);
	else
		sqlite3_bind_null(st, 5);
	sqlite3_bind_int(st, 6, r->series);
	sqlite3_bind_int(st, 7, r->wanted);
	sqlite3_bind_int(st, 8, r->found);
	sqlite3_bind_int(st, 9, r->catalog);
	sqlite3_bind_int(st, 10, r->prowlarr);
	sqlite3_bind_int(st, 11, r->nautiljon);
	sqlite3_bind_int(st, 12, r->cache_hits);
	sqlite3_bind_int(st, 13, r->sent);
	sqlite3_bind_int(st, 14, r->skipped);
	sqlite3_bind_int(st, 15, r->failed);
	sqlite3_bind_int(st, 16, r->errors);
	sqlite3_bind_int(st, 17, r->mangadex);
	sqlite3_bind_int(st, 18, r->mangaupdates);
	sqlite3_bind_int(st, 19, r->anilist);
	rc = db_finalize(st, sqlite3_step(st), "store check");
	if (rc)
		return rc;
	if (!r->id)
		r->id = sqlite3_last_insert_rowid(db);
	return 0;
}

double checks_finished_at(sqlite3 *db)
{
	sqlite3_stmt *st;
	double at = 0;
	int rc;

	if (db_prepare(db, "SELECT max(finished_at) FROM checks", &st))
		return 0;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		at = sqlite3_column_double(st, 0);
	db_finalize(st, rc, "read checks");
	return at;
}

int checks_prune(sqlite3 *db, double before)
{
	sqlite3_stmt *st;
	int rc;

	rc = db_prepare(db, "DELETE FROM checks WHERE started_at < ?1 AND id"
			" NOT IN (SELECT max(id) FROM checks GROUP BY kind)",
			&st);
	if (rc)
		return rc;
	sqlite3_bind_double(st, 1, before);
	return db_finalize(st, sqlite3_step(st), "prune checks");
}
