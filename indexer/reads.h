#ifndef MEDIAMON_READS_H
#define MEDIAMON_READS_H

/*
 * What the domains read of their own rows for the mount's documents:
 * the one header fs/ includes, beside indexer/indexer.h and
 * indexer/store/query.h, for them. Each read fills plain structs on the
 * calling thread's read connection (indexer/store/reader.h) in one read
 * transaction, and never asks the indexer: the live status a document
 * shows is the caller's (indexer/indexer.h). The fs/render_*.c files
 * build the documents from both.
 *
 *   library/scan_history.h    the scans, for scans.svg
 *   manga/manga_reads.h       the series of /manga and their files
 *   monitor/monitor_reads.h   the monitor's rows: checks, found, new,
 *                             downloads, blocklist, health
 *   realdebrid/rd_reads.h     the repair passes, for repairs.svg
 */

#include "indexer/library/scan_history.h"
#include "indexer/manga/manga_reads.h"
#include "indexer/monitor/monitor_reads.h"
#include "indexer/realdebrid/rd_reads.h"

#endif
