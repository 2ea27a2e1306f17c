/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_RD_SYNC_H
#define MEDIAMON_RD_SYNC_H

/*
 * The local copy of the debrid account in the store (rd_torrents,
 * rd_files, rd_sync): every pass lists the account whole, as fast as the
 * session's throttle allows.
 *
 *	rd_sync_account(&session, db);		(the whole list)
 *	rd_sync_errored(&session, db);		(torrents in trouble)
 *	rd_sync_candidates(&session, db);	(infos dead links need)
 *	rd_sync_info(&session, id);		(one torrent's files)
 *
 * The account is listed in cycles of pages, newest first: RD_SYNC_PAGE
 * torrents a request (GET /torrents?offset=&limit=; Real-Debrid's API
 * page documents "limit ... within 0 and 5000" and 250 requests a
 * minute, which [realdebrid] requests_per_minute stays under), each
 * request from where the last one ended less RD_SYNC_OVERLAP torrents
 * read again. The cycle ends on a page that comes back empty or brings
 * nothing new (one request more than the torrents need: a short page
 * may be the server's own page size, and X-Total-Count may be missing
 * or wrong), or, for a service that answers the whole account at once
 * (AllDebrid's /magnet/status, Premiumize's /transfer/list), on a short
 * page. Each
 * page is stored with the cycle's progress (the page next, the position
 * reached, when the cycle started) in one transaction, so a page that
 * fails (a rate limit, a server error, a timeout), a kill or a restart
 * loses no page: the listing goes on from the page that failed, tried
 * RD_SYNC_TRIES times a pass (an answer not of the documented shape
 * once), and in the follow-up pass once the throttle lets requests
 * through again.
 *
 * A torrent removed between two pages moves the rest up: the overlap
 * keeps them in view. When none of a page's first RD_SYNC_OVERLAP
 * torrents was seen by the cycle (more were removed than that), the
 * cycle starts again from the first page, once a pass. A cycle that
 * reached its end, having seen as many torrents as the account holds
 * (any number when the account did not say), drops the torrents it never
 * saw: the account no longer has them.
 *
 * Every request goes through the session (rd_session.h): none is sent
 * once the pass stopped, and each is recorded. A request that fails
 * leaves the copy as it was.
 */

#include <sqlite3.h>

#include "indexer/realdebrid/rd_client.h"
#include "indexer/realdebrid/rd_session.h"

#define RD_SYNC_PAGE RD_LIST_MAX	/* torrents a page */
#define RD_SYNC_OVERLAP 100		/* read again by the next page */
#define RD_SYNC_TRIES 3			/* of a page that fails, a pass */
#define RD_INFO_PER_PASS 50		/* info requests to map links */
#define RD_ERRORED_PER_PASS 20		/* torrents in error states read */

/*
 * List the account from the page of the cycle saved in rd_sync (read
 * through db) to its end, and store each page. Returns 0 (a failed
 * request too: the cycle waits at its page, rd_sync_listing() says so),
 * -ECANCELED, or a negative errno value when the store failed.
 */
int rd_sync_account(struct rd_session *s, sqlite3 *db);

/* Whether a cycle of the listing is under way (ended in the middle, or
 * asked for again by resync), read through db. */
int rd_sync_listing(sqlite3 *db);

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
