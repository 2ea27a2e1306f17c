/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The analysis' counts and duplicate groups read for the mount
 * (analysis_reads.h), on the calling thread's read connection. It
 * writes nothing.
 */
#include "indexer/analysis/analysis_reads.h"

#include <errno.h>
#include <string.h>

#include "common/db.h"
#include "common/strbuf.h"
#include "indexer/store/reader.h"

int analysis_reads_counts(struct analysis_counts *out)
{
	sqlite3 *db = reader_begin();
	int rc;

	memset(out, 0, sizeof(*out));
	if (!db)
		return -EIO;
	rc = analysis_store_counts(db, out);
	reader_end(db);
	return rc;
}

struct dup_paths {
	sqlite3 *db;
	sqlite3_stmt *path;
	int (*fn)(void *arg, int group, const char *path);
	void *arg;
};

/* Paths come from the store per track, as the groups give ids. */
static int dup_path(void *arg, int group, int64_t track_id)
{
	struct dup_paths *d = arg;
	struct strbuf path = STRBUF_INIT;
	int rc;

	sqlite3_bind_int64(d->path, 1, track_id);
	rc = sqlite3_step(d->path);
	if (rc == SQLITE_ROW) {
		strbuf_add(&path, sqlite3_column_blob(d->path, 0),
			   sqlite3_column_bytes(d->path, 0));
		strbuf_addch(&path, '/');
		strbuf_add(&path, sqlite3_column_blob(d->path, 1),
			   sqlite3_column_bytes(d->path, 1));
	}
	sqlite3_reset(d->path);
	if (rc == SQLITE_ROW)
		rc = d->fn(d->arg, group, path.buf);
	else
		rc = rc == SQLITE_DONE ? 0 :
			db_error(d->db, rc, "read a duplicate's path");
	strbuf_release(&path);
	return rc;
}

int analysis_reads_duplicates(int (*fn)(void *arg, int group,
					const char *path),
			      void *arg)
{
	struct dup_paths d = { .db = reader_begin(), .fn = fn, .arg = arg };
	int rc;

	if (!d.db)
		return -EIO;
	rc = db_prepare(d.db, "SELECT r.path, f.path FROM tracks t"
			" JOIN file_paths f ON f.id = t.file_id"
			" JOIN roots r ON r.id = f.root_id WHERE t.id = ?1",
			&d.path);
	if (!rc)
		rc = analysis_store_duplicates(d.db, dup_path, &d);
	sqlite3_finalize(d.path);
	reader_end(d.db);
	return rc;
}
