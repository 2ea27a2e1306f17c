/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_RD_STATS_H
#define MEDIAMON_RD_STATS_H

/*
 * What the store holds of the Real-Debrid repair, as plain figures for
 * the metrics (repair.json shows the same): counted from the attempt
 * log, the repairs, the failures, the deletions and the passes, rows
 * that [retention] prunes. Read through the calling thread's read
 * connection (reader.h) in one read transaction, or in the one its
 * caller holds; 0 or a negative errno value (logged).
 */

#include <stdint.h>

struct rd_stats {
	int64_t requests;		/* attempts made */
	int64_t rate_limited;		/* attempts answered by a rate limit */
	int64_t repairs_ok, repairs_failed;
	int64_t permanent_failures, links_deleted, rescans;
	int64_t old_torrents_to_delete, old_torrent_delete_failures;
	int64_t passes;
	int has_last_pass;		/* 0: no pass yet */
	double last_pass_duration_s;
};

int rd_stats_read(struct rd_stats *out);

/* Call fn for each endpoint of the attempt log, in name order, with its
 * attempts; stops at fn's nonzero and returns it. */
int rd_stats_each_endpoint(int (*fn)(void *arg, const char *endpoint,
				     int64_t requests),
			   void *arg);

#endif
