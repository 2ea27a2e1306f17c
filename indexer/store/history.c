/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The last rows of a per-run table as arrays for the charts
 * (history.h), on the calling thread's read connection. The SQL is its
 * callers'.
 */
#include "indexer/store/history.h"

#include <errno.h>
#include <math.h>
#include <string.h>

#include "common/db.h"
#include "indexer/store/reader.h"

/* The rows come newest first and are put at the end of the arrays, so
 * that they end oldest first without knowing how many there are. */
int history_read(const char *sql, int nr_values, struct history *h)
{
	sqlite3 *db = reader_begin();
	sqlite3_stmt *st;
	int rc;

	h->nr = 0;
	if (!db)
		return -EIO;
	rc = db_prepare(db, sql, &st);
	if (!rc) {
		while (h->nr < HISTORY_ROWS &&
		       (rc = sqlite3_step(st)) == SQLITE_ROW) {
			int at = HISTORY_ROWS - 1 - h->nr++;

			h->id[at] = sqlite3_column_int64(st, 0);
			h->started[at] = sqlite3_column_double(st, 1);
			for (int v = 0; v < nr_values; v++)
				h->value[v][at] =
					sqlite3_column_type(st, 2 + v) ==
					SQLITE_NULL ? NAN :
					sqlite3_column_double(st, 2 + v);
		}
		if (rc == SQLITE_ROW)
			rc = SQLITE_DONE;
		rc = db_finalize(st, rc, "read the history");
	}
	reader_end(db);
	if (rc)
		return rc;
	memmove(h->id, h->id + HISTORY_ROWS - h->nr, h->nr * sizeof(*h->id));
	memmove(h->started, h->started + HISTORY_ROWS - h->nr,
		h->nr * sizeof(*h->started));
	for (int v = 0; v < nr_values; v++)
		memmove(h->value[v], h->value[v] + HISTORY_ROWS - h->nr,
			h->nr * sizeof(**h->value));
	return 0;
}
