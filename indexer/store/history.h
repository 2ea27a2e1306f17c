/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_HISTORY_H
#define MEDIAMON_HISTORY_H

/*
 * The last rows of a table that keeps one row per run of something (a
 * scan, a check, a repair pass), as plain arrays the charts draw: each
 * row's id, when it started and up to HISTORY_VALUES figures. The domain
 * whose table it is writes the SQL (indexer/library/scan_history.h,
 * indexer/monitor/monitor_reads.h, indexer/realdebrid/rd_reads.h); this
 * runs it on the calling thread's read connection.
 */

#define HISTORY_ROWS 100
#define HISTORY_VALUES 7
#define HISTORY_STRING(x) #x
#define HISTORY_LIMIT(n) " LIMIT " HISTORY_STRING(n)

struct history {
	long long id[HISTORY_ROWS];
	double started[HISTORY_ROWS];
	double value[HISTORY_VALUES][HISTORY_ROWS]; /* NAN where NULL */
	int nr;
};

/*
 * Fill h with the rows sql selects, oldest first: sql selects id,
 * started_at and nr_values figures of at most HISTORY_ROWS rows, newest
 * first (ORDER BY id DESC HISTORY_LIMIT(HISTORY_ROWS)). Read in one
 * transaction; returns 0 or a negative errno value (logged).
 */
int history_read(const char *sql, int nr_values, struct history *h);

#endif
