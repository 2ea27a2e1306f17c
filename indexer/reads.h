/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_READS_H
#define MEDIAMON_READS_H

/*
 * The read API for the mount: the one header fs/ includes, beside
 * indexer/indexer.h, to learn what the store holds. It lives at the
 * indexer's top, as its families live in the domains that own the rows
 * as well as in store/. Nothing in fs/ speaks SQL; it asks these
 * functions, which read through the calling thread's own read connection
 * (store/reader.h: one per FUSE thread, WAL, never waiting for the
 * writer) and either append a whole document to a strbuf or fill plain
 * structs that fs/tree/render_*.c turn into documents with the live status
 * (indexer/indexer.h): a domain's read never asks the indexer.
 *
 * Each family has a header of its own, included here:
 *
 *   store/reader.h            the read connections: reader_init() once,
 *                             reader_close() when a thread that read is
 *                             done
 *   store/series_filter.h     which series a document shows its caller
 *   library/track_attrs.h     the extended attributes of track files
 *   library/covers.h          cover art and artist images of the views
 *   library/cover_copies.h    the one copy of a picture its opens share
 *   library/query_views.h     the folders of the library views, /search,
 *                             /similar
 *   library/scan_history.h    the scans, for scans.svg
 *   library/starred.h         the Subsonic accounts' stars and plays
 *   library/account_rows.h    their playlists, bookmarks, play queues
 *                             and ratings
 *   library/root_guard.h      the roots found unavailable, for health
 *   library/tags_formats.h    a track's tags read from its open file
 *                             (tags.h), its lyrics for getLyricsBySongId
 *   library/library_stats.h   counts, roots, scans, scan totals, damaged
 *                             tags: summary.json, scan.json, scan.csv,
 *                             tag-errors, the Prometheus file
 *   manga/manga_reads.h       the series of /manga and their files
 *   manga/pages.h             the pages of a volume archive
 *   manga/pages_cache.h       their index, read once per change of it
 *   monitor/monitor_reads.h   the monitor's rows: checks, found, new,
 *                             downloads, blocklist, health
 *   monitor/monitor_stats.h   the cache's size, the last check of each
 *                             flow
 *   realdebrid/rd_reads.h     the repairs' rows: dead links, orphans,
 *                             queues, requests, passes, the account's
 *                             listing, their health
 *   realdebrid/rd_stats.h     the repair's counts, requests by endpoint
 *   analysis/analysis_reads.h analysis.json, duplicates
 *   analysis/similar.h        what /similar/QUERY holds
 *   analysis/playlist_reads.h the tracks of /playlists
 *   analysis/playlist_rows.h  the analysed ones, kept for a generation
 *
 * A document is read in one read transaction, so it is one snapshot of
 * the store. Functions return 0 or a negative errno value (logged), which
 * the mount hands back to the caller of open().
 */

#include "indexer/analysis/analysis_reads.h"
#include "indexer/analysis/playlist_reads.h"
#include "indexer/analysis/playlist_rows.h"
#include "indexer/analysis/similar.h"
#include "indexer/library/account_rows.h"
#include "indexer/library/cover_copies.h"
#include "indexer/library/covers.h"
#include "indexer/library/library_stats.h"
#include "indexer/library/query_views.h"
#include "indexer/library/root_guard.h"
#include "indexer/library/scan_history.h"
#include "indexer/library/starred.h"
#include "indexer/library/tags_formats.h"
#include "indexer/library/track_attrs.h"
#include "indexer/manga/manga_reads.h"
#include "indexer/manga/pages.h"
#include "indexer/manga/pages_cache.h"
#include "indexer/monitor/monitor_reads.h"
#include "indexer/monitor/monitor_stats.h"
#include "indexer/realdebrid/rd_reads.h"
#include "indexer/realdebrid/rd_stats.h"
#include "indexer/store/reader.h"
#include "indexer/store/series_filter.h"

#endif
