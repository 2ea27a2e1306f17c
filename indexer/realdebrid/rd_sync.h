/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_RD_SYNC_H
#define MEDIAMON_RD_SYNC_H

/*
 * The local copy of the Real-Debrid account in the store (rd_torrents,
 * rd_files, rd_sync), kept a page at a time so a large account costs a
 * few requests per pass.
 *
 *	rd_sync_account(&session, db);		(a page of the list)
 *	rd_sync_errored(&session, db);		(torrents in trouble)
 *	rd_sync_candidates(&session, db);	(infos dead links need)
 *	rd_sync_info(&session, id);		(one torrent's files)
 *
 * The account is listed in cycles of pages (GET /torrents?page=N&limit=
 * RD_SYNC_PAGE, newest first), page 1 to the last: one page per pass, or
 * every page in one pass once a full resync was asked (rd_commands.h).
 * Each page is stored with the cycle's progress (the page next, pages
 * done, torrents seen, when the cycle started) in one transaction, so a
 * kill loses no page and a restart goes on where the cycle was. A cycle
 * that reached its end, having seen as many torrents as the account
 * holds, drops the torrents it never saw: the account no longer has
 * them.
 *
 * Every request goes through the session (rd_session.h): none is sent
 * once the pass stopped, and each is recorded. A request that fails
 * leaves the copy as it was.
 */

#include <sqlite3.h>

#include "indexer/realdebrid/rd_session.h"

#define RD_SYNC_PAGE 1000		/* torrents a page */
#define RD_SYNC_RECENT 100		/* the newest, listed every pass */
#define RD_INFO_PER_PASS 50		/* info requests to map links */
#define RD_ERRORED_PER_PASS 20		/* torrents in error states read */

/*
 * List the page of the cycle saved in rd_sync (read through db), or,
 * when a full resync was asked, every page left, and store them. Past
 * page 1, the newest RD_SYNC_RECENT torrents are listed first, so new
 * ones are known at once. Returns 0 (a failed request too),
 * -ECANCELED, or a negative errno value when the store failed.
 */
int rd_sync_account(struct rd_session *s, sqlite3 *db);

/*
 * Read the info of torrent id (its files and original name) and store it.
 * Returns 0, -EAGAIN when no request may be sent now, the request's error
 * (rd_client.h), or the store's.
 */
int rd_sync_info(struct rd_session *s, const char *id);

/*
 * Read the info of the torrents whose name a dead, unmapped link names,
 * when it was never read (RD_INFO_PER_PASS at most), so rd_map_link() sees
 * their original names and files. Returns 0 (failed requests too),
 * -ECANCELED, or a negative errno value when the store failed.
 */
int rd_sync_candidates(struct rd_session *s, sqlite3 *db);

/*
 * The quick look at trouble: read again the info of the torrents the copy
 * holds in an error state (magnet_error, error, virus, dead),
 * RD_ERRORED_PER_PASS at most, those read longest ago first, so a torrent
 * that recovered or went bad is known without waiting for the list to
 * come round; one the account no longer has leaves the copy. Returns 0
 * (failed requests too), -ECANCELED, or a negative errno value when the
 * store failed.
 */
int rd_sync_errored(struct rd_session *s, sqlite3 *db);

#endif
