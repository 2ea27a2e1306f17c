/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_SCAN_ALERTS_H
#define MEDIAMON_SCAN_ALERTS_H

/*
 * What the end of a scan tells outside the mount ([notify]):
 *
 *	scan_finished	every scan that ran to its end or failed (an event
 *			"all" leaves out: it must be named);
 *	error_rate	the first scan of a run of scans that could not
 *			read more than [notify] error_rate of its files;
 *	scan_slow	the first scan of every root of a run of them that
 *			read fewer than [notify] min_files_per_s files a
 *			second (0: never).
 *
 * Runs on the indexer thread, which alone calls it; a cancelled scan
 * is not to be given.
 */

#include <stdint.h>

#include "common/config.h"
#include "indexer/library/scan_request.h"

/* One finished scan, as scan_alerts_tell() looks at it. */
struct scan_alerts_scan {
	int64_t id;		/* its row, 0 when the store took none */
	int all;		/* it scanned every root */
	int success;
	double duration_s;
	const struct scan_stats *stats;
};

/* Tell what s calls for, by cfg's [notify] limits. */
void scan_alerts_tell(const struct config *cfg,
		      const struct scan_alerts_scan *s);

#endif
