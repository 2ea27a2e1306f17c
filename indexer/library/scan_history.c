/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The scans table as the history the charts draw (scan_history.h).
 * It reads only.
 */
#include "indexer/library/scan_history.h"

/* A scan still running has no figures yet: only those that ended. */
int scan_history_read(struct history *h)
{
	return history_read("SELECT id, started_at, CASE WHEN duration_s > 0"
			    " THEN files_seen / duration_s END, duration_s,"
			    " scope LIKE '%full' FROM scans"
			    " WHERE success IS NOT NULL ORDER BY id DESC"
			    HISTORY_LIMIT(HISTORY_ROWS), 3, h);
}
