/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_SEARCH_BUILD_H
#define MEDIAMON_SEARCH_BUILD_H

/*
 * The search index of a first scan's tracks, built aside while the
 * writer makes the tracks' indexes at the load's end (music_bulk_end()):
 * a thread of its own reads the tracks the load committed, through a
 * connection of its own, into a contentless copy of tracks_fts in a file
 * beside the store (STORE-search); the writer then takes its rows into
 * the store's tracks_fts (schema_make_bulk_indexes()), the same rows
 * FTS5's 'rebuild' makes from the same tracks, at a tenth of its cost on
 * the writer, the critical path of a first scan. A build that could not
 * start or failed leaves the writer to rebuild the index itself.
 *
 *	struct search_build *b = search_build_start(db);
 *	struct schema_bulk_search from = { search_build_attach, b };
 *	... schema_make_bulk_indexes(db, b ? &from : NULL) in a transaction
 *	search_build_end(db, b);	(after it: commit or rollback)
 */

#include <sqlite3.h>

struct search_build;

/*
 * Start building the search rows of the tracks db's store holds (as
 * committed: nothing of db's open transaction). NULL when it cannot
 * start (logged): the store in memory, tracks_fts defined otherwise
 * than this module knows, no thread.
 */
struct search_build *search_build_start(sqlite3 *db);

/*
 * For struct schema_bulk_search: wait for the build b and attach its
 * file to db as SCHEMA_SEARCH_ASIDE. Returns 0, or a negative errno
 * value when the build failed or the file cannot be attached (logged).
 */
int search_build_attach(sqlite3 *db, void *b);

/*
 * Outside a transaction: detach the file, make db's FTS5 read the
 * index anew (it keeps what it read of tracks_fts's structure, which its
 * rows taken from aside changed behind it), wait for the build if
 * nothing did, remove the file and free b. b may be NULL.
 */
void search_build_end(sqlite3 *db, struct search_build *b);

#endif
