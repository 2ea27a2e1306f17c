/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The Real-Debrid repair's figures in the store, for the metrics
 * (rd_stats.h). It writes nothing.
 */
#include "indexer/realdebrid/rd_stats.h"

#include <string.h>

#include "indexer/realdebrid/rd_client.h"
#include "indexer/store/reader.h"

static int totals_row(void *arg, sqlite3_stmt *st)
{
	*(struct rd_stats *)arg = (struct rd_stats){
		.requests = sqlite3_column_int64(st, 0),
		.rate_limited = sqlite3_column_int64(st, 1),
		.repairs_ok = sqlite3_column_int64(st, 2),
		.repairs_failed = sqlite3_column_int64(st, 3),
		.permanent_failures = sqlite3_column_int64(st, 4),
		.links_deleted = sqlite3_column_int64(st, 5),
		.rescans = sqlite3_column_int64(st, 6),
		.old_torrents_to_delete = sqlite3_column_int64(st, 7),
		.old_torrent_delete_failures = sqlite3_column_int64(st, 8),
		.passes = sqlite3_column_int64(st, 9),
		.has_last_pass = sqlite3_column_type(st, 10) != SQLITE_NULL,
		.last_pass_duration_s = sqlite3_column_double(st, 10),
	};
	return 0;
}

int rd_stats_read(struct rd_stats *out)
{
	memset(out, 0, sizeof(*out));
	return reader_each("SELECT"
		" (SELECT count(*) FROM rd_attempts),"
		" (SELECT count(*) FROM rd_attempts WHERE"
		"  http_status = 429 OR error_code IN ("
		RD_STR(RD_ERR_SLOW_DOWN) ", "
		RD_STR(RD_ERR_TOO_MANY_REQUESTS) ")),"
		" (SELECT count(*) FROM rd_repairs WHERE state = 'repaired'),"
		" (SELECT count(*) FROM rd_repairs WHERE state = 'failed'),"
		" (SELECT count(*) FROM rd_failures),"
		" (SELECT coalesce(sum(links_deleted), 0) FROM rd_failures),"
		" (SELECT coalesce(sum(rescans), 0) FROM rd_failures),"
		" (SELECT count(*) FROM rd_deletes WHERE deleted_at IS NULL),"
		" (SELECT coalesce(sum(failures), 0) FROM rd_deletes),"
		" (SELECT count(*) FROM rd_passes),"
		" (SELECT duration_s FROM rd_passes ORDER BY id DESC LIMIT 1)",
		"read repair totals", totals_row, out);
}

struct endpoints {
	int (*fn)(void *arg, const char *endpoint, int64_t requests);
	void *arg;
};

static int endpoint_row(void *arg, sqlite3_stmt *st)
{
	struct endpoints *e = arg;

	return e->fn(e->arg, (const char *)sqlite3_column_text(st, 0),
		     sqlite3_column_int64(st, 1));
}

int rd_stats_each_endpoint(int (*fn)(void *arg, const char *endpoint,
				     int64_t requests),
			   void *arg)
{
	struct endpoints e = { fn, arg };

	return reader_each("SELECT endpoint, count(*) FROM rd_attempts"
			   " GROUP BY endpoint ORDER BY endpoint",
			   "read repair requests", endpoint_row, &e);
}
