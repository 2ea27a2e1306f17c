/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The local copy of the Real-Debrid account (rd_sync.h): the list read a
 * page at a time in cycles, each page stored with the cycle's progress,
 * the infos dead links need. Every request goes through the session.
 */
#include "indexer/realdebrid/rd_sync.h"

#include <errno.h>

#include "common/array.h"
#include "common/clock.h"
#include "indexer/realdebrid/rd_client.h"
#include "indexer/realdebrid/rd_store.h"
#include "indexer/store/writer.h"

/*
 * List page (limit torrents a page) and store it; a page of the cycle
 * (cycle) moves the cycle on, the newest torrents listed apart do not.
 * *more says whether the cycle has pages after this one: 0 past its
 * end, and when the request failed (recorded), which ends the pass's
 * listing.
 */
static int list_page(struct rd_session *s, int page, int limit, int cycle,
		     int *more)
{
	struct rd_torrents_rows rows = { .at = clock_wall() };
	struct rd_torrent *t;
	struct rd_result res;
	size_t nr;
	long total;
	int rc;

	*more = 0;
	if (!rd_session_ready(s))
		return 0;
	rc = s->ops->list(&s->c, page, limit, s->cancel, &t, &nr, &total,
			  &res);
	rd_session_note(s, "list", NULL, rc, &res);
	if (rc)
		return rc == -ECANCELED ? rc : 0;
	rows.t = t;
	rows.nr = nr;
	rows.total = total;
	rows.page = cycle ? page : 0;
	rows.last = nr < (size_t)limit ||
		(total >= 0 && (long)page * limit >= total);
	rc = writer_call(rd_store_torrents, &rows);
	rd_torrents_free(t, nr);
	*more = !rc && cycle && !rows.last;
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
	int page = rd_store_num(db, "SELECT list_page FROM rd_sync", NULL, 0,
				1);
	int full = rd_store_num(db, "SELECT full_sync FROM rd_sync", NULL, 0,
				0);
	int more, rc = 0;

	if (page > 1)
		rc = list_page(s, 1, RD_SYNC_RECENT, 0, &more);
	if (rc)
		return rc;
	do
		rc = list_page(s, page++, RD_SYNC_PAGE, 1, &more);
	while (!rc && full && more);
	return rc;
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
