#ifndef MEDIAMON_READS_H
#define MEDIAMON_READS_H

/*
 * The store's reads for the mount, beside indexer/indexer.h (commands
 * and the live status): the documents' read API (store/query.h) and the
 * reads each domain makes of its own rows into plain structs, which the
 * mount combines with the live status (fs/render_*.c). Each read begins
 * and ends its own read transaction; reader_hold() makes several one
 * snapshot.
 *
 *   library/library_stats.h    counts, roots, the scans, scan totals,
 *                              the files with damaged tags
 *   monitor/monitor_stats.h    the cache, the last check of each flow
 *   realdebrid/rd_stats.h      the repair's counts, requests per endpoint
 *   analysis/analysis_reads.h  the analysis' counts, the duplicates
 */

#include "indexer/analysis/analysis_reads.h"
#include "indexer/library/library_stats.h"
#include "indexer/monitor/monitor_stats.h"
#include "indexer/realdebrid/rd_stats.h"
#include "indexer/store/query.h"

#endif
