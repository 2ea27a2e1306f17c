#include "indexer/monitor/checks.h"

#include <errno.h>
#include <string.h>

#include "common/bytes.h"
#include "common/csv.h"
#include "common/db.h"
#include "common/json.h"
#include "common/strbuf.h"

/* The columns read, in CHECK_COLUMNS' order. */
enum {
	C_ID, C_KIND, C_TRIGGER, C_STARTED, C_FINISHED, C_SERIES, C_WANTED,
	C_FOUND, C_CATALOG, C_PROWLARR, C_NAUTILJON, C_HITS, C_SENT,
	C_SKIPPED, C_FAILED, C_ERRORS, C_COMPLETED, C_DL_FAILED, C_IMPORTED,
};

#define CHECK_COLUMNS \
	"id, kind, trigger, started_at, finished_at, series, wanted, found," \
	" catalog, prowlarr, nautiljon, cache_hits, sent, skipped, failed," \
	" errors"

/* The flows, in the order the files show them. */
static const char *const kinds[] = { "missing", "new" };

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
		" sent = ?13, skipped = ?14, failed = ?15, errors = ?16"
		" WHERE id = ?1" :
		"INSERT INTO checks (" CHECK_COLUMNS ") VALUES (NULL, ?2, ?3,"
		" ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)",
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

int checks_csv(sqlite3 *db, struct strbuf *out)
{
	sqlite3_stmt *st;
	int rc;

	rc = db_prepare(db, "SELECT " CHECK_COLUMNS ", completed,"
			" download_failed, imported FROM checks ORDER BY id",
			&st);
	if (rc)
		return rc;
	strbuf_addstr(out, "id,kind,trigger,started_at,finished_at,"
		      "duration_s,series,wanted,found,catalog,prowlarr,"
		      "nautiljon,cache_hits,sent,skipped,failed,errors,"
		      "completed,download_failed,imported\n");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		strbuf_addf(out, "%lld,",
			    (long long)sqlite3_column_int64(st, C_ID));
		csv_add_field(out, (const char *)
			      sqlite3_column_text(st, C_KIND));
		strbuf_addch(out, ',');
		csv_add_field(out, (const char *)
			      sqlite3_column_text(st, C_TRIGGER));
		strbuf_addch(out, ',');
		db_add_time(out, st, C_STARTED);
		strbuf_addch(out, ',');
		db_add_time(out, st, C_FINISHED);
		strbuf_addch(out, ',');
		if (sqlite3_column_type(st, C_FINISHED) != SQLITE_NULL)
			strbuf_addf(out, "%.3f",
				    sqlite3_column_double(st, C_FINISHED) -
				    sqlite3_column_double(st, C_STARTED));
		for (int col = C_SERIES; col <= C_IMPORTED; col++)
			strbuf_addf(out, ",%d", sqlite3_column_int(st, col));
		strbuf_addch(out, '\n');
	}
	return db_finalize(st, rc, "read checks");
}

/* A time column as seconds, or null when it is NULL. */
static json_t *seconds(sqlite3_stmt *st, int col)
{
	if (sqlite3_column_type(st, col) == SQLITE_NULL)
		return json_null();
	return json_num(sqlite3_column_double(st, col));
}

/* One check row as monitor.json shows it. */
static json_t *check_object(sqlite3_stmt *st)
{
#define I(col) sqlite3_column_int(st, col)
	return json_pack("{s:s, s:o, s:o, s:o, s:o, s:i, s:i, s:i,"
			 " s:{s:i, s:i, s:i}, s:i, s:i, s:i, s:i, s:i, s:i}",
		"trigger", (const char *)sqlite3_column_text(st, C_TRIGGER),
		"started_at", json_time(sqlite3_column_double(st, C_STARTED)),
		"started_at_s", seconds(st, C_STARTED),
		"finished_at", json_time(sqlite3_column_double(st, C_FINISHED)),
		"finished_at_s", seconds(st, C_FINISHED),
		"series", I(C_SERIES), "wanted", I(C_WANTED),
		"found", I(C_FOUND),
		"requests", "catalog", I(C_CATALOG),
		"prowlarr", I(C_PROWLARR), "nautiljon", I(C_NAUTILJON),
		"cache_hits", I(C_HITS), "downloads", I(C_SENT),
		"sent", I(C_SENT), "skipped", I(C_SKIPPED),
		"failed", I(C_FAILED), "errors", I(C_ERRORS));
#undef I
}

int checks_last(sqlite3 *db, json_t *out)
{
	sqlite3_stmt *st;
	int rc = 0;

	rc = db_prepare(db, "SELECT " CHECK_COLUMNS " FROM checks"
			" WHERE kind = ?1 ORDER BY id DESC LIMIT 1", &st);
	if (rc)
		return rc;
	for (size_t i = 0; !rc && i < ARRAY_SIZE(kinds); i++) {
		json_t *c = json_null();

		sqlite3_bind_text(st, 1, kinds[i], -1, SQLITE_STATIC);
		rc = sqlite3_step(st);
		if (rc == SQLITE_ROW)
			c = check_object(st);
		rc = db_rows_end(db, rc, "read checks");
		sqlite3_reset(st);
		if (!rc && json_object_set_new(out, kinds[i], c))
			rc = -ENOMEM;
	}
	sqlite3_finalize(st);
	return rc;
}

int checks_health(sqlite3 *db, struct strbuf *warns)
{
	sqlite3_stmt *st;
	int rc;

	rc = db_prepare(db, "SELECT kind, errors FROM checks WHERE id IN"
			" (SELECT max(id) FROM checks WHERE finished_at IS NOT"
			" NULL GROUP BY kind) AND errors > 0 ORDER BY kind",
			&st);
	if (rc)
		return rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int n = sqlite3_column_int(st, 1);

		strbuf_addf(warns, "warn: monitor: the last %s check had %d"
			    " error%s (see /log)\n",
			    sqlite3_column_text(st, 0), n, n > 1 ? "s" : "");
	}
	return db_finalize(st, rc, "read checks");
}
