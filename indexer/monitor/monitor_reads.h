#ifndef MEDIAMON_MONITOR_READS_H
#define MEDIAMON_MONITOR_READS_H

/*
 * What the store holds of the monitor's work, read for the documents of
 * the mount (fs/render_*.c) on the calling thread's read connection.
 * Functions fill plain structs and return 0 or a negative errno value
 * (logged).
 */

#include "indexer/store/history.h"

/* Figures of each check in a history of monitor_checks_history(). */
enum monitor_check_value {
	MONITOR_CHECK_WANTED,
	MONITOR_CHECK_FOUND,
	MONITOR_CHECK_SENT,
	MONITOR_CHECK_FAILED,
	MONITOR_CHECK_COMPLETED,
	MONITOR_CHECK_IMPORTED,
	MONITOR_CHECK_DOWNLOAD_FAILED,
};

/* The last HISTORY_ROWS checks that finished, both flows, oldest first. */
int monitor_checks_history(struct history *h);

#endif
