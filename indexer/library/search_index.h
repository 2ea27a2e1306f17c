/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_SEARCH_INDEX_H
#define MEDIAMON_SEARCH_INDEX_H

/*
 * The full-text index of the tracks (tracks_fts, FTS5 with accents
 * folded) that /search reads. It keeps no copy of the text: its rows are
 * read from the view tracks_search, and a row can only be taken out with
 * the values it was made of. The writer gives the tracks it adds their
 * rows itself (search_index_add()); triggers on tracks list those
 * changed or deleted in tracks_fts_dirty with their indexed values, and
 * the writer calls search_index_sync() inside each transaction before it
 * commits, so a committed batch is searchable as it is, and once when it
 * starts. A track added and then changed in one transaction was never
 * indexed: its change is forgotten (search_index_forget()) before its
 * row is added.
 *
 *	db_exec(db, "BEGIN");
 *	... insert tracks, update, delete ...
 *	search_index_forget(db, "[12,13,14]");
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

/* Drop from tracks_fts_dirty the tracks whose ids the JSON array ids
 * lists: tracks added since the last sync, which have no row yet.
 * Returns 0 or a negative errno value (logged). */
int search_index_forget(sqlite3 *db, const char *ids);

/*
 * Replace the search rows of the tracks listed in tracks_fts_dirty (a
 * deleted track loses its row) and empty the list, inside the running
 * transaction or as one of its own. Returns 0 or a negative errno value
 * (logged); the list is then kept for the next call.
 */
int search_index_sync(sqlite3 *db);

#endif
