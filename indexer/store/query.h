#ifndef MEDIAMON_QUERY_H
#define MEDIAMON_QUERY_H

/*
 * The store's read API for the mount: the one header fs/ includes, beside
 * indexer/indexer.h, to learn what the store holds. Nothing in fs/ speaks
 * SQL; it asks these functions, which read through the calling thread's
 * own read connection (indexer/store/reader.h: one per FUSE thread, WAL,
 * never waiting for the writer) and either append a whole document to a
 * strbuf or fill plain structs.
 *
 * Each family has a header of its own, included here:
 *
 *   reader.h          the read connections: reader_init() once, reader_close()
 *                     when a thread that read is done
 *   track_attrs.h     the extended attributes of track files
 *   covers.h          cover art and artist images of the views
 *   query_status.h    health, missing, unparsed, no-cover
 *   query_manga.h     the series of /manga and their files
 *   query_views.h     the folders of the library views, /search, /similar
 *   query_monitor.h   found.json, new, monitor.json, the monitor's health
 *   query_repair.h    broken, repairs.json, repair.json, its health
 *   query_charts.h    scans.svg, checks.svg, repairs.svg: the history
 *
 * A document is read in one read transaction, so it is one snapshot of
 * the store. Functions return 0 or a negative errno value (logged), which
 * the mount hands back to the caller of open().
 */

#include "indexer/store/covers.h"
#include "indexer/store/query_charts.h"
#include "indexer/store/query_manga.h"
#include "indexer/store/query_monitor.h"
#include "indexer/store/query_repair.h"
#include "indexer/store/query_status.h"
#include "indexer/store/query_views.h"
#include "indexer/store/reader.h"
#include "indexer/store/track_attrs.h"

#endif
