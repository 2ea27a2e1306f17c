/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_MONITOR_STATS_H
#define MEDIAMON_MONITOR_STATS_H

/*
 * What the store holds of the monitor, as plain figures for the metrics:
 * the remote answers cached and the newest check of each flow. Read
 * through the calling thread's read connection (reader.h) in one read
 * transaction, or in the one its caller holds; 0 or a negative errno
 * value (logged). The live figures (cache hits, throttles, running
 * checks) are the caller's, from indexer_status().
 */

#include <stdint.h>

#define MONITOR_CHECK_KINDS 2

/* The flows, in the order monitor.json lists them. */
extern const char *const monitor_check_kinds[MONITOR_CHECK_KINDS];

/* The newest check of a flow (its row of checks). */
struct monitor_check_stats {
	int found;			/* 0: no check of this flow yet */
	int has_started, has_finished;	/* the times are not NULL */
	double started_at, finished_at;
	int series, wanted, volumes_found;
	int catalog, prowlarr;		/* requests per source */
	int cache_hits, downloads, errors;
	/* requests per manga source (common/manga_sources.def) */
#define MANGA_SOURCE(name, title, editions, rank, ...) int name;
#include "common/manga_sources.def"
#undef MANGA_SOURCE
};

struct monitor_store_stats {
	int64_t cache_entries, cache_bytes;	/* answers younger than the
						 * time to live */
	struct monitor_check_stats checks[MONITOR_CHECK_KINDS];
};

/* Read them, counting cached answers younger than cache_ttl_s. */
int monitor_stats_read(struct monitor_store_stats *out, double cache_ttl_s);

#endif
