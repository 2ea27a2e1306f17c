#ifndef MEDIAMON_RD_READS_H
#define MEDIAMON_RD_READS_H

/*
 * What the store holds of the Real-Debrid repairs, read for the
 * documents of the mount (fs/render_*.c) on the calling thread's read
 * connection. Functions fill plain structs and return 0 or a negative
 * errno value (logged).
 */

#include "indexer/store/history.h"

/* Figures of each pass in a history of rd_passes_history(). */
enum rd_pass_value {
	RD_PASS_REPAIRED,
	RD_PASS_FAILED,
};

/* The last HISTORY_ROWS repair passes that finished, oldest first. */
int rd_passes_history(struct history *h);

#endif
