/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_RENDER_MONITOR_H
#define MEDIAMON_RENDER_MONITOR_H

/*
 * The files that show the monitor's work, built from what the monitor
 * reads of its rows (indexer/monitor/monitor_reads.h). Each appends one
 * whole document to out, read from the store in one transaction, and
 * returns 0 or a negative errno value.
 */

#include <stdint.h>

#include "fs/tree/node.h"

struct query_series_filter;

/* control/blocklist's listing: a line per release, ID, a tab, its title,
 * a tab, why, the oldest first. */
node_render_fn render_monitor_blocklist;

/*
 * /status/downloads.json: every hand-off, by series and volume: {series,
 * volume, title, source, client, client_id (its id in the client, null
 * when the client tells none), state (tracker.h's: sent, queued,
 * downloading, completed, imported, failed; or skipped, dry-run), progress
 * (0 to 1), reason (why it failed, or why a completed one is not
 * imported), path (its content as the client said), bytes_done,
 * bytes_total, bytes_per_s (as the client last said, tracker.h: null
 * when it did not), times: {sent_at, changed_at (the state's),
 * progress_at}}.
 */
node_render_fn render_monitor_downloads;

/* /status/new and new.json: volumes published but not owned; /status/new
 * shows the series shown passes (indexer/store/series_filter.h). */
int render_monitor_new(struct strbuf *out,
		       const struct query_series_filter *shown);
node_render_fn render_monitor_new_json;

/* /status/found.json: per wanted volume its releases, best first, each
 * with its id (the blocklist's), its protocol and what the hand-off
 * did with it, and what the volume's hand-off came to. Every string an
 * indexer or a client gave (guid, links, reasons, titles) passes
 * redact() (common/redact.h), and a magnet's trackers (whose announce
 * URLs may carry a pass key) are left out. The store keeps them whole
 * for the download client. */
int render_monitor_found(struct strbuf *out,
			 const struct query_series_filter *shown);

/* /manga/SERIES/results.json: the same, for one series. */
int render_monitor_results(struct strbuf *out, int64_t series);

/*
 * /metrics/checks.csv: a header, then one row per check, oldest first:
 *
 *   id,kind,trigger,started_at,finished_at,duration_s,series,wanted,
 *   found,catalog,prowlarr,SOURCE,cache_hits,sent,skipped,failed,
 *   errors,completed,download_failed,imported,SOURCE...
 *
 * the requests of each manga source named as in common/manga_sources.def,
 * the first row's after prowlarr, the others last in the table's order.
 * failed counts the releases a client refused at the hand-off;
 * completed, download_failed and imported what the tracker saw of the
 * downloads after the check, until the next missing check: completed in
 * the client (imported or not), failed there, imported into the series
 * folder. Times are RFC 3339 UTC; finished_at and duration_s are empty
 * for a check that did not finish (stopped, or running).
 */
node_render_fn render_monitor_checks_csv;

/* checks.csv's header, without its newline (for mediamon(8)'s list). */
void render_monitor_checks_head(struct strbuf *out);

/*
 * /metrics/monitor.json: the search cache (live entries), the
 * throttles, the last check of each flow ({trigger, started_at,
 * started_at_s, finished_at, finished_at_s, series, wanted, found,
 * requests: {catalog, prowlarr, then each manga source's}, cache_hits,
 * downloads (sent, its older name), sent, skipped, failed, errors}, or
 * null), which checks run and when the next is due. Named as the
 * store's read API named it, for fs/tree/render_prometheus.c's table.
 */
node_render_fn render_monitor_json;

#endif
