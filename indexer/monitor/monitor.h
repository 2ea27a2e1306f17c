/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_MONITOR_H
#define MEDIAMON_MONITOR_H

/*
 * The monitor: for every monitored manga series, search for the volumes
 * it lacks and learn when new ones are published, without ever hammering
 * a remote service. It runs on the jobs thread, one check at a time.
 *
 *	struct monitor *m;
 *
 *	monitor_new(cfg, &cancel, &m);
 *	monitor_check(m, MONITOR_MISSING, "control");
 *	monitor_check(m, MONITOR_NEW, "schedule");
 *	monitor_free(m);
 *
 * Two flows:
 *
 * - Missing volumes, the gaps of /status/missing: each series' gaps are
 *   searched in the local catalog and on Prowlarr. Nautiljon is never
 *   asked.
 * - New volumes: the number of volumes out in French is the one written
 *   to /manga/SERIES/latest when there is one, else Nautiljon's "Nb
 *   volumes VF" (one request per series, for the slug in
 *   /manga/SERIES/source or made from the name). When it is above the
 *   highest volume owned, every volume from that one + 1 to the count is
 *   searched; otherwise nothing is.
 *
 * Searching a series: Prowlarr gets one request per series, whatever the
 * number of volumes wanted, and its answer is matched to them with the
 * name parser. When more than many_volumes are wanted, the catalog is
 * searched first and Prowlarr only when the catalog left some of them
 * without a release. Only the sources of the flow's search_sources
 * (missing_search_sources, new_search_sources, else search_sources) are
 * used, and Prowlarr only once its url and api_key are set.
 *
 * Releases of a volume are ranked best first: a single volume before a
 * range holding it, then by the order of the flow's sources, then more
 * seeders, then newer, then larger.
 *
 * Remote answers (Prowlarr's matching releases, Nautiljon's counts) are
 * kept in the search cache for cache_ttl: a second check within it sends
 * no request, but for Prowlarr's searches of a check a person asked for
 * (any trigger but "schedule" and "tracker"), which ask afresh (and
 * keep the new answer). Errors are never cached; expired entries are dropped at
 * the start of every check (and by the daily maintenance). Each service
 * has its own throttle, whose state is saved in the store after every
 * request; a 429 is waited out and the request sent once more, unless
 * the pause would last longer than MONITOR_MAX_WAIT; a paused service is
 * skipped for the rest of the check. A failed source leaves that
 * series' earlier results in place.
 *
 * When auto_download is on for the flow (missing_auto_download,
 * new_auto_download, else auto_download), the releases found go to the
 * download clients as indexer/monitor/handoff.h says.
 *
 * What a check finds goes to the store through the writer: the tables
 * wanted (each volume searched, with its kind "missing" or "new") and
 * found (its releases, ranked, and what the hand-off did with each),
 * series.published and status (Nautiljon's answer), series.last_checked
 * (every series either flow searched), services (how each request went)
 * and checks (one row per check: when, and what it cost; checks.h).
 */

#include <stdint.h>

#include "common/throttle.h"

struct config;
struct monitor;

/* The longest throttle pause a check waits for before skipping. */
#define MONITOR_MAX_WAIT 120.0

enum monitor_flow {
	MONITOR_MISSING,
	MONITOR_NEW,
};

/* Figures since the monitor started, for /metrics/monitor.json. */
struct monitor_stats {
	double cache_ttl_s;		/* entries older are not live */
	uint64_t cache_hits, cache_misses;
	struct throttle_stats prowlarr, nautiljon;
};

/*
 * Make a monitor for cfg (which must outlive it), reading the store at
 * cfg->database and loading the throttles' saved state. *cancel (read
 * atomically) stops a check early; while *dry_run (read atomically) is
 * set, nothing is handed to the download client. Returns 0 or a negative
 * errno value.
 */
int monitor_new(const struct config *cfg, const int *cancel,
		const int *dry_run, struct monitor **out);

void monitor_free(struct monitor *m);

/*
 * Run one check of flow; trigger ("control", "schedule") is recorded
 * with it. Returns 0 when it ran to the end (some requests may have
 * failed: they are counted and shown in health), -ECANCELED when cancel
 * stopped it, or another negative errno value when the store failed.
 */
int monitor_check(struct monitor *m, enum monitor_flow flow,
		  const char *trigger);

/*
 * Poll the download clients for the hand-offs on their way (tracker.h),
 * with the sessions the hand-off uses, importing what completed. Returns
 * how many failed, and how many clients answer again after failing
 * (their volumes are wanted again: a missing check sends the next
 * release, or the one the client could not take), or a negative errno
 * value when the store failed. A
 * missing check runs it first, importing again the completed downloads
 * whose import failed.
 */
int monitor_track(struct monitor *m);

/*
 * Send release id, picked by hand, to its client (picked.h), whatever
 * auto_download says; the tracker follows it from then on. Returns 0,
 * -EINVAL (logged) when it may not go, or another negative errno value.
 */
int monitor_send(struct monitor *m, const char *id);

/*
 * When the last check of either flow the daemon ran finished, as the
 * store remembers it (so that the interval between timed checks holds
 * across restarts), or 0 when none did: a run of mediamon --check does
 * not count, the daemon's first timed check is due at its start.
 */
double monitor_last_check_at(struct monitor *m);

/* Copy the figures; callable from any thread. */
void monitor_stats(struct monitor *m, struct monitor_stats *out);

/* Set the counters of the figures to zero; callable from any thread. */
void monitor_reset_stats(struct monitor *m);

/* The name of a flow in the store and the mount: "missing" or "new". */
const char *monitor_flow_name(enum monitor_flow flow);

#endif
