#include "indexer/store/search_index.h"

#include "common/db.h"

int search_index_sync(sqlite3 *db)
{
	static const char sync[] =
		"DELETE FROM tracks_fts WHERE rowid IN"
		" (SELECT id FROM tracks_fts_dirty);"
		"INSERT INTO tracks_fts (rowid, title, artist, album,"
		" album_artist) SELECT t.id, t.title, a.name, al.title,"
		" aa.name FROM tracks_fts_dirty d JOIN tracks t ON t.id = d.id"
		" LEFT JOIN artists a ON a.id = t.artist_id"
		" LEFT JOIN albums al ON al.id = t.album_id"
		" LEFT JOIN artists aa ON aa.id = t.album_artist_id"
		" AND t.album_artist_id IS NOT t.artist_id;"
		"DELETE FROM tracks_fts_dirty;";
	int rc;

	rc = db_exec(db, "SAVEPOINT search_index");
	if (rc)
		return rc;
	rc = db_exec(db, sync);
	if (rc)
		sqlite3_exec(db, "ROLLBACK TO search_index", NULL, NULL, NULL);
	sqlite3_exec(db, "RELEASE search_index", NULL, NULL, NULL);
	return rc;
}
