/* SPDX-License-Identifier: GPL-3.0-or-later */
/* What a check found for one series, stored (found.h): the writer's
 * transaction only; no request, no notification. */
#include "indexer/monitor/found.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "common/bytes.h"
#include "common/cleanup.h"
#include "common/db.h"
#include "common/log.h"
#include "indexer/monitor/release.h"

static int once;

void found_run_once(void)
{
	__atomic_store_n(&once, 1, __ATOMIC_RELAXED);
}

int found_once(void)
{
	return __atomic_load_n(&once, __ATOMIC_RELAXED);
}

/* Whether the releases of res' volume i were found by a dry-run of
 * --check and never told, into *yes. */
static int was_untold(sqlite3_stmt *st, const struct found_results *res,
		      size_t i, int *yes)
{
	int rc;

	sqlite3_bind_int64(st, 1, res->series);
	sqlite3_bind_int(st, 2, res->w[i].volume);
	rc = sqlite3_step(st);
	*yes = rc == SQLITE_ROW && sqlite3_column_int(st, 0);
	if (rc == SQLITE_ROW)
		rc = SQLITE_DONE;
	rc = db_rows_end(sqlite3_db_handle(st), rc, "read untold releases");
	sqlite3_reset(st);
	return rc;
}

/* Releases newly found stay untold when this is --check's dry-run, which
 * tells no one; told otherwise. The releases the preferences dropped are
 * kept with them. */
static int keep_untold(sqlite3_stmt *st, const struct found_results *res,
		       size_t i)
{
	char *dropped = NULL;
	int rc;

	if (res->w[i].dropped) {
		dropped = json_dumps(res->w[i].dropped, JSON_COMPACT);
		if (!dropped)
			return log_error(-ENOMEM, "monitor: out of memory");
	}
	sqlite3_bind_int64(st, 1, res->series);
	sqlite3_bind_int(st, 2, res->w[i].volume);
	sqlite3_bind_int(st, 3, res->w[i].newly_found && found_once() &&
			 res->dry_run);
	db_bind_text(st, 4, dropped);
	rc = db_step(st, "store untold releases");
	free(dropped);
	return rc;
}

/* The ranked releases of one volume, the best FOUND_MAX_RELEASES. */
static int store_found(sqlite3_stmt *st, int64_t series,
		       const struct release_want *w, double at)
{
	int rc = 0;

	for (size_t i = 0; !rc && i < w->nr && i < FOUND_MAX_RELEASES;
	     i++) {
		const struct release *r = &w->r[i];
		char id[RELEASE_ID_LEN + 1];

		release_id(r->guid, r->link, r->magnet, r->title, id);
		rc = db_bind_args(st, "store releases", DB_ARGS(DB_INT(series),
			DB_INT(w->volume), DB_INT(i), DB_TEXT(r->title),
			DB_TEXT(r->source), DB_TEXT(r->link),
			DB_TEXT(r->magnet), DB_TEXT(r->guid),
			DB_TEXT(r->indexer), DB_INT(r->indexer_id),
			DB_REAL(r->first), DB_REAL(r->last),
			r->size >= 0 ? DB_INT(r->size) : DB_TEXT(NULL),
			!strcmp(r->source, "prowlarr") && r->seeders >= 0 ?
			DB_INT(r->seeders) : DB_TEXT(NULL),
			r->published_at > 0 ? DB_REAL(r->published_at) :
			DB_TEXT(NULL),
			DB_REAL(r->found_at ? r->found_at : at),
			DB_TEXT(r->protocol), DB_TEXT(id)));
		if (!rc)
			rc = db_step(st, "store releases");
	}
	return rc;
}

/* The statements of store_tx(), in the order of its locals. */
static const char *const store_sql[] = {
	"INSERT INTO wanted (series_id, volume, kind, searched_at)"
	" VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO NOTHING",
	"UPDATE wanted SET kind = ?3, searched_at = ?4"
	" WHERE series_id = ?1 AND volume = ?2",
	"DELETE FROM found WHERE series_id = ?1 AND volume = ?2",
	"INSERT INTO found (series_id, volume, rank, title, source, link,"
	" magnet, guid, indexer, indexer_id, first, last, size, seeders,"
	" published_at, found_at, protocol, release_id)"
	" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13,"
	" ?14, ?15, ?16, ?17, ?18)",
	"SELECT untold FROM wanted WHERE series_id = ?1 AND volume = ?2",
	"UPDATE wanted SET untold = ?3, dropped = ?4"
	" WHERE series_id = ?1 AND volume = ?2",
};

/* A writer_call() function: replace what is known of the volumes a
 * series wanted, and note when it was checked. Without replace (a source
 * failed), a volume that was already wanted keeps its releases; only its
 * search time moves. A volume with releases where it had none is newly
 * found. */
static int store_tx(sqlite3 *db, void *arg)
{
	struct found_results *res = arg;
	CLEANUP_STMT sqlite3_stmt *want = NULL;
	CLEANUP_STMT sqlite3_stmt *again = NULL;
	CLEANUP_STMT sqlite3_stmt *clear = NULL;
	CLEANUP_STMT sqlite3_stmt *add = NULL;
	CLEANUP_STMT sqlite3_stmt *untold_read = NULL;
	CLEANUP_STMT sqlite3_stmt *untold_keep = NULL;
	sqlite3_stmt **const sts[] = {
		&want, &again, &clear, &add, &untold_read, &untold_keep,
	};
	int rc, told;

	_Static_assert(ARRAY_SIZE(sts) == ARRAY_SIZE(store_sql),
		       "a statement for each local");

	rc = db_run(db, "store when the series was checked",
		    "UPDATE series SET last_checked = ?2 WHERE id = ?1",
		    DB_ARGS(DB_INT(res->series), DB_REAL(res->at)));
	if (!rc)
		rc = db_prepare_each(db, store_sql, sts, ARRAY_SIZE(sts));
	for (size_t i = 0; !rc && i < res->nr; i++) {
		int added = 0;

		for (int j = 0; !rc && j < 2 && !added; j++) {
			sqlite3_stmt *st = j ? again : want;

			sqlite3_bind_int64(st, 1, res->series);
			sqlite3_bind_int(st, 2, res->w[i].volume);
			sqlite3_bind_text(st, 3, res->kind, -1, SQLITE_STATIC);
			sqlite3_bind_double(st, 4, res->at);
			rc = db_step(st, "store wanted volume");
			added = !j && sqlite3_changes(db) > 0;
		}
		if (rc || (!res->replace && !added))
			continue;
		rc = was_untold(untold_read, res, i, &told);
		sqlite3_bind_int64(clear, 1, res->series);
		sqlite3_bind_int(clear, 2, res->w[i].volume);
		if (!rc)
			rc = db_step(clear, "clear releases");
		res->w[i].newly_found = res->w[i].nr > 0 &&
			(!sqlite3_changes(db) || told);
		if (!rc)
			rc = keep_untold(untold_keep, res, i);
		if (!rc)
			rc = store_found(add, res->series, &res->w[i],
					 res->at);
	}
	return rc;
}


int found_store(sqlite3 *db, void *res)
{
	return db_transaction(db, store_tx, res);
}
