#ifndef MEDIAMON_SEARCH_INDEX_H
#define MEDIAMON_SEARCH_INDEX_H

/*
 * The full-text index of the tracks (tracks_fts, FTS5 with accents
 * folded) that /search reads. The writer gives the tracks it adds their
 * search rows itself (search_index_add()); triggers on tracks list those
 * changed or deleted in tracks_fts_dirty, and the writer calls
 * search_index_sync() inside each transaction before it commits, so a
 * committed batch is searchable as it is, and once when it starts, for
 * what a migration listed or a crash left.
 *
 *	db_exec(db, "BEGIN");
 *	... insert tracks, update, delete ...
 *	search_index_add(db, "[12,13,14]");
 *	search_index_sync(db);
 *	db_exec(db, "COMMIT");
 */

#include <sqlite3.h>

/*
 * Add the search rows of the tracks whose ids the JSON array ids lists,
 * tracks that have none yet, in one statement. Returns 0 or a negative
 * errno value (logged).
 */
int search_index_add(sqlite3 *db, const char *ids);

/*
 * Replace the search rows of the tracks listed in tracks_fts_dirty (a
 * deleted track loses its row) and empty the list, inside the running
 * transaction or as one of its own. Returns 0 or a negative errno value
 * (logged); the list is then kept for the next call.
 */
int search_index_sync(sqlite3 *db);

#endif
