#include "indexer/store/search_index.h"

#include "common/db.h"

/* Remove the search rows of the tracks listed, one rowid at a time: FTS5
 * plans "rowid IN (SELECT ...)" as a pass over the whole index, which
 * at a million tracks took most of a second at every commit. */
static int delete_listed(sqlite3 *db)
{
	sqlite3_stmt *list, *del;
	int rc;

	rc = db_prepare(db, "SELECT id FROM tracks_fts_dirty", &list);
	if (rc)
		return rc;
	rc = db_prepare(db, "DELETE FROM tracks_fts WHERE rowid = ?1", &del);
	if (rc) {
		sqlite3_finalize(list);
		return rc;
	}
	while ((rc = sqlite3_step(list)) == SQLITE_ROW) {
		sqlite3_bind_int64(del, 1, sqlite3_column_int64(list, 0));
		rc = sqlite3_step(del);
		if (rc != SQLITE_DONE) {
			rc = db_rows_end(db, rc, "delete a search row");
			sqlite3_reset(del);
			break;
		}
		sqlite3_reset(del);
	}
	sqlite3_finalize(del);
	return db_finalize(list, rc, "list the search rows to delete");
}

/* The search row of track t: its title, artist, album and, when it is
 * another, album artist. */
#define ROWS_OF(ids) \
	"INSERT INTO tracks_fts (rowid, title, artist, album, album_artist)" \
	" SELECT t.id, t.title, a.name, al.title, aa.name FROM " ids \
	" JOIN tracks t ON t.id = d.id" \
	" LEFT JOIN artists a ON a.id = t.artist_id" \
	" LEFT JOIN albums al ON al.id = t.album_id" \
	" LEFT JOIN artists aa ON aa.id = t.album_artist_id" \
	" AND t.album_artist_id IS NOT t.artist_id"

int search_index_add(sqlite3 *db, const char *ids)
{
	sqlite3_stmt *st;
	int rc;

	rc = db_prepare(db, ROWS_OF("(SELECT value AS id FROM json_each(?1)) d"),
			&st);
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, ids, -1, SQLITE_STATIC);
	return db_finalize(st, sqlite3_step(st), "add search rows");
}

static int sync_listed(sqlite3 *db)
{
	int rc = delete_listed(db);

	return rc ? rc : db_exec(db, ROWS_OF("tracks_fts_dirty d") ";"
				 "DELETE FROM tracks_fts_dirty;");
}

int search_index_sync(sqlite3 *db)
{
	sqlite3_stmt *st;
	int rc, listed;

	rc = db_prepare(db, "SELECT 1 FROM tracks_fts_dirty LIMIT 1", &st);
	if (rc)
		return rc;
	rc = sqlite3_step(st);
	listed = rc == SQLITE_ROW;
	rc = db_finalize(st, rc, "read the search index's list");
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
