/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_RENDER_STATUS_H
#define MEDIAMON_RENDER_STATUS_H

/*
 * The documents of the indexer's state built from the library's figures
 * in the store (indexer/library/library_stats.h, read in one read
 * transaction) and the live status (indexer/indexer.h): each appends one
 * whole document to out and returns 0 or a negative errno value.
 *
 *   /status/summary.json   the daemon, the counts, the roots, the last
 *                          scan, the running scan's progress, the watcher
 *   /metrics/scan.json     the last scan, the running one, the totals
 *   /metrics/watch.json    the watcher's figures
 *   /metrics/scan.csv      every scan that ended, a line each
 *   /status/tag-errors     the files whose tags are damaged or could not
 *                          be read at all (indexed by what was read, or
 *                          by their names), so a user can find the files
 *                          to tag again: a line each, in path order, of
 *                          its absolute path, a tab, and why ("damaged"
 *                          for a file indexed before reasons were kept)
 *   /status/no-cover       the albums without cover art: the artist, a
 *                          tab, the album, a tab, its folder, a line each
 */

#include <jansson.h>

#include "fs/tree/node.h"
#include "indexer/indexer.h"
#include "indexer/reads.h"

node_render_fn render_summary, render_scan_json, render_watch_json,
	render_scan_csv, render_tag_errors, render_no_cover;

/*
 * A scan's CPU time as a share of the CPUs online over its duration, in
 * percent, at most 100: the process' clock counts in ticks, so a short
 * scan's figure can pass what the CPUs could give. 0 when the scan took no
 * measurable time.
 */
double render_cpu_share_pct(double cpu_s, double duration_s);

/* The same as JSON: a number, or null for a scan of no measurable time. */
json_t *render_cpu_share_json(double cpu_s, double duration_s);

/*
 * The last finished scan as s and the store know it: the store's last
 * row, unless the store failed to take the last one, which the indexer
 * kept in s. *found is 0 before the first. A scan s shows as running
 * whose row the store already has finished is over: s's state becomes
 * "idle" (the indexer marks it so once the writer is done with the
 * row, up to a checkpoint's time later), so that no file shows one scan
 * both finished and running. Returns 0 or a negative errno value (logged).
 */
int render_last_scan(struct indexer_status *s, struct library_scan *out,
		     int *found);

/* /status/health in figures, for the caller: {ok, errors, warnings} (the
 * lines that begin "error:" and "warn:"), so that a monitor may alert on
 * it; NULL when out of memory. */
json_t *render_status_health(void);

/* The name summary.json gives the job bit (indexer/jobs.h's enum
 * jobs_job) in jobs.running and jobs.queued ("check-missing",
 * "repair-run"...), and the words a page says of it ("the missing-volume
 * check"); NULL for a bit no job has. */
const char *render_status_job_name(unsigned bit, const char **words);

/* The counts the caller has: the library's for the owner, for another
 * user those of the folders it may list (own_counts.h). Returns 0,
 * -EAGAIN while the user's are being counted, or a negative errno
 * value. */
int render_status_counts(struct library_counts *out);

#endif
