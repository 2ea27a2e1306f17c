/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The full-text index that /search reads (search_index.h), kept in step
 * by the writer inside its transactions. It runs no search.
 */
#include "indexer/library/search_index.h"

#include "common/db.h"

/* CROSS JOIN: the ids drive, each looked up, whatever the statistics
 * say of a store that was small (issue 76). */
int search_index_add(sqlite3 *db, const char *ids)
{
	return db_run(db, "add search rows",
		      "INSERT INTO tracks_fts (rowid, title, artist,"
		      " album, album_artist) SELECT s.id, s.title, s.artist,"
		      " s.album, s.album_artist FROM json_each(?1) j"
		      " CROSS JOIN tracks_search s ON s.id = j.value",
		      DB_ARGS(DB_TEXT(ids)));
}

/* Whether tracks_fts_dirty lists any track: *listed. */
static int any_listed(sqlite3 *db, int *listed)
{
	sqlite3_stmt *st;
	int rc;

	rc = db_prepare(db, "SELECT 1 FROM tracks_fts_dirty LIMIT 1", &st);
	if (rc)
		return rc;
	rc = sqlite3_step(st);
	*listed = rc == SQLITE_ROW;
	return db_finalize(st, rc, "read the search index's list");
}

int search_index_forget(sqlite3 *db, const char *ids)
{
	int rc, listed;

	rc = any_listed(db, &listed);
	if (rc || !listed)
		return rc;
	return db_run(db, "forget search changes",
		      "DELETE FROM tracks_fts_dirty WHERE id IN"
		      " (SELECT value FROM json_each(?1))",
		      DB_ARGS(DB_TEXT(ids)));
}

/* Take the listed tracks' rows out with the values they were indexed
 * with, put in the rows of those that are still there, empty the list. */
static int sync_listed(sqlite3 *db)
{
	return db_exec(db,
		"INSERT INTO tracks_fts (tracks_fts, rowid, title, artist,"
		" album, album_artist) SELECT 'delete', id, title, artist,"
		" album, album_artist FROM tracks_fts_dirty;"
		"INSERT INTO tracks_fts (rowid, title, artist, album,"
		" album_artist) SELECT s.id, s.title, s.artist, s.album,"
		" s.album_artist FROM tracks_fts_dirty d"
		" JOIN tracks_search s ON s.id = d.id;"
		"DELETE FROM tracks_fts_dirty;");
}

int search_index_sync(sqlite3 *db)
{
	int rc, listed;

	rc = any_listed(db, &listed);
	if (rc || !listed)
		return rc;
	rc = db_exec(db, "SAVEPOINT search_index");
	if (rc)
		return rc;
	rc = sync_listed(db);
	if (rc)
		sqlite3_exec(db, "ROLLBACK TO search_index", NULL, NULL, NULL);
	sqlite3_exec(db, "RELEASE search_index", NULL, NULL, NULL);
	return rc;
}
