/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The monitor's figures in the store, for the metrics (monitor_stats.h):
 * the cached answers and the newest check of each flow. It writes nothing.
 */
#include "indexer/monitor/monitor_stats.h"

#include <errno.h>
#include <string.h>

#include "common/cache.h"
#include "common/clock.h"
#include "common/db.h"
#include "indexer/store/reader.h"

const char *const monitor_check_kinds[MONITOR_CHECK_KINDS] = {
	"missing", "new",
};

static void check_from_row(sqlite3_stmt *st, struct monitor_check_stats *c)
{
	int i = 10;

	*c = (struct monitor_check_stats){
		.found = 1,
		.has_started = sqlite3_column_type(st, 0) != SQLITE_NULL,
		.has_finished = sqlite3_column_type(st, 1) != SQLITE_NULL,
		.started_at = sqlite3_column_double(st, 0),
		.finished_at = sqlite3_column_double(st, 1),
		.series = sqlite3_column_int(st, 2),
		.wanted = sqlite3_column_int(st, 3),
		.volumes_found = sqlite3_column_int(st, 4),
		.catalog = sqlite3_column_int(st, 5),
		.prowlarr = sqlite3_column_int(st, 6),
		.cache_hits = sqlite3_column_int(st, 7),
		.downloads = sqlite3_column_int(st, 8),
		.errors = sqlite3_column_int(st, 9),
	};
#define MANGA_SOURCE(name, title, editions, rank, ...) \
	c->name = sqlite3_column_int(st, i++);
#include "common/manga_sources.def"
#undef MANGA_SOURCE
}

/* The columns check_from_row() reads, the manga sources' last. */
#define MANGA_SOURCE(name, title, editions, rank, ...) ", " #name
static const char check_sql[] = "SELECT started_at, finished_at, series,"
	" wanted, found, catalog, prowlarr, cache_hits, sent, errors"
#include "common/manga_sources.def"
	" FROM checks WHERE kind = ?1 ORDER BY id DESC LIMIT 1";
#undef MANGA_SOURCE

/* The newest row of each flow, as checks_last() shows it. */
static int read_checks(sqlite3 *db, struct monitor_store_stats *out)
{
	sqlite3_stmt *st;
	int rc;

	rc = db_prepare(db, check_sql, &st);
	if (rc)
		return rc;
	for (int i = 0; !rc && i < MONITOR_CHECK_KINDS; i++) {
		sqlite3_bind_text(st, 1, monitor_check_kinds[i], -1,
				  SQLITE_STATIC);
		rc = sqlite3_step(st);
		if (rc == SQLITE_ROW)
			check_from_row(st, &out->checks[i]);
		rc = db_rows_end(db, rc, "read checks");
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	return rc;
}

int monitor_stats_read(struct monitor_store_stats *out, double cache_ttl_s)
{
	sqlite3 *db = reader_begin();
	int rc;

	memset(out, 0, sizeof(*out));
	if (!db)
		return -EIO;
	rc = cache_size(db, cache_ttl_s, clock_wall(), &out->cache_entries,
			&out->cache_bytes);
	if (!rc)
		rc = read_checks(db, out);
	reader_end(db);
	return rc;
}
