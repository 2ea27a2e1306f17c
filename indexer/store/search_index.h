#ifndef MEDIAMON_SEARCH_INDEX_H
#define MEDIAMON_SEARCH_INDEX_H

/*
 * The full-text index of the tracks (tracks_fts, FTS5 with accents
 * folded) that /search reads. Triggers on tracks list the tracks added,
 * changed or deleted in tracks_fts_dirty; the writer calls
 * search_index_sync() inside each transaction before it commits, so a
 * committed batch is searchable as it is, and once when it starts, for
 * what a migration listed or a crash left.
 *
 *	db_exec(db, "BEGIN");
 *	... insert, update, delete tracks ...
 *	search_index_sync(db);
 *	db_exec(db, "COMMIT");
 */

#include <sqlite3.h>

/*
 * Replace the search rows of the tracks listed in tracks_fts_dirty (a
 * deleted track loses its row) and empty the list, in three statements
 * whatever their number, inside the running transaction or as one of its
 * own. Returns 0 or a negative errno value (logged); the list is then
 * kept for the next call.
 */
int search_index_sync(sqlite3 *db);

#endif
