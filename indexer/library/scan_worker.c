/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The state the scanner's files share, the scan's and each worker's
 * (scan_worker.h), and how a worker's counters reach the scan's.
 */
#include "indexer/library/scan_worker.h"

#include <stdlib.h>

#include "common/db.h"

void scan_worker_flush(struct scan_worker *wk)
{
	uint64_t *from = (uint64_t *)&wk->local;
	uint64_t *to = (uint64_t *)wk->s->stats;

	if (wk->started_ns) {
		uint64_t walk = scan_worker_now_ns() - wk->started_ns -
				wk->idle_ns - wk->parse_ns;

		wk->local.walk_ns += walk - wk->walk_added_ns;
		wk->walk_added_ns = walk;
	}
	for (size_t i = 0; i < sizeof(wk->local) / sizeof(*from); i++) {
		if (from[i])
			scan_worker_stat_add(&to[i], from[i]);
		from[i] = 0;
	}
	writer_batch_flush(&wk->batch);
	scan_worker_read_end(wk);
}

sqlite3 *scan_worker_open(struct scan_worker *wk)
{
	if (wk->db || wk->db_failed)
		return wk->db;
	if (db_open(wk->s->db_path, 1, &wk->db) ||
	    db_prepare(wk->db, "SELECT id, name, size, mtime_ns, inode"
		       " FROM files WHERE dir_id = ?1", &wk->files_of_dir) ||
	    db_prepare(wk->db, "SELECT path FROM file_paths WHERE id = ?1",
		       &wk->path_of_file) ||
	    db_prepare(wk->db, "SELECT ctime_ns, inode, names"
		       " FROM dir_listings WHERE dir_id = ?1",
		       &wk->listing_of_dir)) {
		sqlite3_finalize(wk->files_of_dir);
		sqlite3_finalize(wk->path_of_file);
		sqlite3_finalize(wk->listing_of_dir);
		wk->files_of_dir = wk->path_of_file = NULL;
		wk->listing_of_dir = NULL;
		db_close(wk->db);
		wk->db = NULL;
		wk->db_failed = 1;
	}
	return wk->db;
}

void scan_worker_read_end(struct scan_worker *wk)
{
	if (wk->reading && db_exec(wk->db, "COMMIT"))
		sqlite3_exec(wk->db, "ROLLBACK", NULL, NULL, NULL);
	wk->reading = 0;
}

sqlite3 *scan_worker_db(struct scan_worker *wk)
{
	scan_worker_read_end(wk);
	return scan_worker_open(wk);
}

void scan_worker_release(struct scan_worker *wk)
{
	sqlite3_finalize(wk->files_of_dir);
	sqlite3_finalize(wk->path_of_file);
	sqlite3_finalize(wk->listing_of_dir);
	if (wk->db)
		db_close(wk->db);
	free(wk->ents);
	strbuf_release(&wk->names);
	strbuf_release(&wk->path);
	free(wk->subdirs.v);
	scan_store_files_release(&wk->known);
	scan_io_window_release(&wk->io);
}
