/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_SCAN_HISTORY_H
#define MEDIAMON_SCAN_HISTORY_H

/*
 * The scans the store remembers (the scans table), as the history
 * /metrics/scans.svg draws.
 */

#include "indexer/store/history.h"

/* Figures of each scan in a history of scan_history_read(). */
enum scan_history_value {
	SCAN_HISTORY_RATE,	/* files per second, NAN when it took 0 s */
	SCAN_HISTORY_DURATION,	/* seconds */
	SCAN_HISTORY_FULL,	/* 1 for a full scan, 0 for a quick one */
};

/*
 * The last HISTORY_ROWS scans that ended, failed ones too (their figures
 * are what they did), oldest first. Returns 0 or a negative errno value.
 */
int scan_history_read(struct history *h);

#endif
