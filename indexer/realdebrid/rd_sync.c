/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The local copy of the debrid account (rd_sync.h): the list read whole
 * each pass in cycles of pages, each page stored with the cycle's
 * progress, the infos dead links need. Every request goes through the
 * session; the store's side is rd_store_torrents().
 */
#include "indexer/realdebrid/rd_sync.h"

#include <errno.h>

#include "common/array.h"
#include "common/clock.h"
#include "common/log.h"
#include "indexer/realdebrid/rd_client.h"
#include "indexer/realdebrid/rd_store.h"
#include "indexer/store/writer.h"

/* How a page of the listing went. */
enum page_end {
	PAGE_NEXT,			/* stored; the cycle goes on */
	PAGE_LAST,			/* stored; the cycle ended */
	PAGE_GAP,			/* stored; the cycle starts again */
	PAGE_FAILED,			/* the request failed (recorded) */
	PAGE_STOPPED,			/* no more requests in this pass */
};

/*
 * List the page the cycle saved in rd_sync is at and store it, saying in
 * *end how it went. The page starts RD_SYNC_OVERLAP torrents before the
 * position the cycle reached, so the store can tell whether the account
 * moved past them. Returns 0, -ECANCELED, or the store's error.
 */
static int list_page(struct rd_session *s, sqlite3 *db, enum page_end *end)
{
	struct rd_torrents_rows rows = { .at = clock_wall() };
	long seen = rd_store_num(db, "SELECT torrents_seen FROM rd_sync",
				 NULL, 0, 0);
	struct rd_torrent *t;
	struct rd_result res;
	size_t nr;
	long total;
	int rc;

	rows.page = rd_store_num(db, "SELECT list_page FROM rd_sync", NULL, 0,
				 1);
	if (rows.page > 1) {
		rows.offset = seen > RD_SYNC_OVERLAP ? seen - RD_SYNC_OVERLAP :
			0;
		rows.again = seen - rows.offset;
	}
	*end = PAGE_STOPPED;
	if (!rd_session_ready(s))
		return 0;
	rc = s->ops->list(&s->c, rows.offset, RD_SYNC_PAGE, s->cancel, &t,
			  &nr, &total, &res);
	rd_session_note(s, "list", NULL, rc, &res);
	/* An answer not as documented would come back the same at once. */
	*end = rc == -EPROTO ? PAGE_STOPPED : PAGE_FAILED;
	if (rc)
		return rc == -ECANCELED ? rc : 0;
	rows.t = t;
	rows.nr = nr;
	rows.total = total;
	rows.last = !nr || (rows.page > 1 && rows.offset + (long)nr <= seen) ||
		(s->ops->whole && nr < RD_SYNC_PAGE);
	rc = writer_call(rd_store_torrents, &rows);
	rd_torrents_free(t, nr);
	*end = rows.gap ? PAGE_GAP : rows.last ? PAGE_LAST : PAGE_NEXT;
	if (!rc && rows.gap)
		log_warn("rd: the account changed under its listing (none of"
			 " %ld torrents read again was seen before): listed"
			 " again from the start", rows.again);
	return rc;
}

int rd_sync_info(struct rd_session *s, const char *id)
{
	struct rd_torrent t;
	struct rd_result res;
	int rc;

	if (!rd_session_ready(s))
		return -EAGAIN;
	rc = s->ops->info(&s->c, id, s->cancel, &t, &res);
	rd_session_note(s, "info", id, rc, &res);
	if (rc)
		return rc;
	rc = writer_call(rd_store_info, &t);
	rd_torrent_release(&t);
	return rc;
}

int rd_sync_account(struct rd_session *s, sqlite3 *db)
{
	int tries = 0, restarts = 0, rc;
	enum page_end end;

	do {
		rc = list_page(s, db, &end);
		tries = end == PAGE_FAILED ? tries + 1 : 0;
		if (end == PAGE_GAP)
			restarts++;
	} while (!rc && end != PAGE_LAST && end != PAGE_STOPPED &&
		 tries < RD_SYNC_TRIES && restarts < 2);
	return rc;
}

int rd_sync_listing(sqlite3 *db)
{
	return rd_store_num(db, "SELECT list_page > 1 OR full_sync FROM"
			    " rd_sync", NULL, 0, 0) != 0;
}

int rd_sync_candidates(struct rd_session *s, sqlite3 *db)
{
	char **names = NULL, **ids;
	size_t nr = 0, nr_ids;
	int budget = RD_INFO_PER_PASS, rc;

	rc = rd_store_strings(db, "SELECT DISTINCT torrent_name FROM rd_links"
			   " WHERE broken AND torrent_name IS NOT NULL"
			   " AND torrent_id IS NULL", NULL, &names, &nr);
	for (size_t i = 0; !rc && i < nr && budget > 0; i++) {
		rc = rd_store_strings(db, "SELECT id FROM rd_torrents WHERE"
				   " (filename = ?1 OR original_filename = ?1)"
				   " AND info_at IS NULL", names[i], &ids,
				   &nr_ids);
		if (rc)
			break;
		/* A failed read is recorded; the link stays unmapped. */
		for (size_t j = 0; j < nr_ids && budget > 0; j++, budget--)
			if (rd_sync_info(s, ids[j]) == -ECANCELED)
				rc = -ECANCELED;
		array_free_strings(ids, nr_ids);
	}
	array_free_strings(names, nr);
	return rc;
}

int rd_sync_errored(struct rd_session *s, sqlite3 *db)
{
	char **ids = NULL;
	size_t nr = 0;
	int rc;

	rc = rd_store_strings(db, "SELECT id FROM rd_torrents WHERE status IN"
			      " ('magnet_error', 'error', 'virus', 'dead')"
			      " ORDER BY coalesce(info_at, 0) LIMIT"
			      " " RD_STR(RD_ERRORED_PER_PASS), NULL, &ids,
			      &nr);
	for (size_t i = 0; !rc && i < nr; i++) {
		struct rd_sql gone = {
			.sql = "DELETE FROM rd_torrents WHERE id = ?1",
			.text = { ids[i] },
		};
		int ret = rd_sync_info(s, ids[i]);

		if (ret == -ECANCELED)
			rc = ret;
		else if (ret == -ENOENT)
			rc = writer_call(rd_store_sql, &gone);
	}
	array_free_strings(ids, nr);
	return rc;
}
