#include "indexer/realdebrid/rd_read.h"

#include <string.h>

#include "common/clock.h"
#include "common/db.h"
#include "common/strbuf.h"

int rd_read_sync(sqlite3 *db, struct rd_read_sync *out)
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

/* The counts of a pass, in the order of the header. */
static const char *const counts[] = {
	"links", "broken", "unmapped", "guard_ok", "started", "repaired",
	"retries", "failed", "links_deleted", "rescans", "requests",
	"rate_limited",
};

#define NR_COUNTS (sizeof(counts) / sizeof(*counts))

/* A time column as RFC 3339, empty when NULL. */
static void add_time(struct strbuf *out, sqlite3_stmt *st, int i)
{
	char at[CLOCK_RFC3339_LEN] = "";

	if (sqlite3_column_type(st, i) != SQLITE_NULL)
		clock_rfc3339((time_t)sqlite3_column_double(st, i), at);
	strbuf_addf(out, ",%s", at);
}

/* Kinds and triggers are fixed words: no field needs quoting. */
int rd_read_passes_csv(sqlite3 *db, struct strbuf *out)
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
		strbuf_addf(out, "%lld,%s,%s,%d",
			    (long long)sqlite3_column_int64(st, 0),
			    sqlite3_column_text(st, 1),
			    sqlite3_column_text(st, 2),
			    sqlite3_column_int(st, 3));
		add_time(out, st, 4);
		add_time(out, st, 5);
		strbuf_addf(out, ",%.3f", sqlite3_column_double(st, 6));
		for (size_t i = 0; i < NR_COUNTS; i++)
			strbuf_addf(out, ",%lld", (long long)
				    sqlite3_column_int64(st, 7 + i));
		strbuf_addch(out, '\n');
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : db_error(db, rc, "read repair passes");
}
