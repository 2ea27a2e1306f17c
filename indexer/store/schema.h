/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_SCHEMA_H
#define MEDIAMON_SCHEMA_H

/*
 * The store's schema. Paths are kept relative to their root as BLOBs so
 * names that are not valid UTF-8 survive; times are nanoseconds.
 *
 *   roots        one row per configured root (kind "music" or "manga")
 *   directories  every directory under a root ("" is the root itself)
 *   files        every regular file, by its folder (dir_id) and its name
 *                in it, with what decides whether it changed (size,
 *                mtime_ns, inode) and its kind ("flac", "mp3", "archive"
 *                under manga roots, "other"); the view file_paths adds
 *                each file's path from its root (path)
 *   artists, albums   deduplicated by name, and by album artist and title
 *   tracks       one per parsed audio file; its id survives tag changes
 *                and renames that keep the inode
 *   tracks_fts   title, artist, album and album artist of every track
 *                (rowid = tracks.id) for /search, read from the view
 *                tracks_search; tracks_fts_dirty holds the tracks
 *                changed or deleted whose row is not up to date yet, with
 *                the values their row was made of
 *   scans        one row per scan with its figures
 *   series       one per first-level folder of a manga root, with what
 *                the user set on it (monitored, latest, source)
 *   volumes      the volume files and image folders of each series, as
 *                the name parser (or ComicInfo.xml) read them
 *   unparsed     why the name of a volume of kind "unknown" gives no
 *                volume (names_result.reason)
 *   comicinfo    Series, Volume and Number from a volume archive's
 *                ComicInfo.xml, when it has one
 *   catalog      the user's local release catalog (title, link, size,
 *                source), with catalog_fts to search it and catalog_meta
 *                saying which file was loaded, and when
 *   rd_*         Real-Debrid repair: rd_links (symlinks into the mount,
 *                broken or not, and the torrent each maps to),
 *                rd_torrents and rd_files (the local copy of the
 *                account), rd_sync (the listing: the page next, the
 *                progress of the cycle of pages under way, whether a
 *                full resync was asked, the last rate limit),
 *                rd_repairs (one per torrent being or once repaired:
 *                the repair and retry queue), rd_attempts (every
 *                request: time, endpoint, result, error code, response
 *                time), rd_failures (permanent failures), rd_passes
 *                (one row per pass), rd_deletes (old torrents owed a
 *                deletion)
 *   analysis     what the background analysis found for each track, or
 *                why it failed; analysis_keys indexes fingerprints for
 *                duplicate candidates, analysis_matches holds the pairs
 *                of tracks found to be one recording, analysis_queue the
 *                tracks still to analyse, analysis_albums the album gains
 *   notify_queue one row per notification and target not delivered yet:
 *                the event, its texts, when it happened, the attempts
 *                and the last error; notify_once the events told once per
 *                subject (a release found for a volume) already told
 */

#include <sqlite3.h>

/* Create or upgrade the schema. Returns 0 or a negative errno value. */
int schema_migrate(sqlite3 *db);

/* The version schema_migrate() brings a store to. */
int schema_version(void);

/*
 * The secondary indexes of tracks, which a first scan of an empty store
 * builds once at its end, sorted (a few times faster than row by row),
 * the triggers that count the rows it adds (the writer counts them
 * itself meanwhile: music.h), and the one that forgets the stars and plays
 * of a new file's id, which names none in a first scan (migrations.h):
 * schema_drop_bulk_indexes() drops them, and
 * schema_make_bulk_indexes() makes those missing, as the migrations make
 * them (also when a crash came before the end of a bulk load), marking
 * every album for covers_refresh(), building the search index of every
 * track and queueing those not analysed when the triggers were missing
 * (a bulk load adds neither row by row: music.c). Run
 * schema_make_bulk_indexes() through db_with_temp_files() (outside a
 * transaction, whose temporary storage cannot change): its sorts, in
 * memory, raised a first scan's peak at a million files from 72 to 96 MB. The
 * files' index on (dir_id, name) is not one: it keeps two rows of one file out,
 * and grows at its end in a first scan. Each returns 0 or a negative errno
 * value (logged).
 */
int schema_drop_bulk_indexes(sqlite3 *db);
int schema_make_bulk_indexes(sqlite3 *db, void *search);

/*
 * Where schema_make_bulk_indexes() may take the search index's rows
 * (search: NULL, or this): attach(db, arg) attaches, as
 * SCHEMA_SEARCH_ASIDE, a database whose tracks_fts, contentless and of
 * the same columns and tokenizer, indexes every track the store holds,
 * in rowid order (search_build.h), and returns 0; the rows of its tables
 * are then taken in place of FTS5's 'rebuild'. The caller detaches it
 * after the transaction and resets its connection's schema, whose FTS5
 * keeps what it read of the index. When attach fails or the copy does,
 * the index is rebuilt.
 */
#define SCHEMA_SEARCH_ASIDE "search_aside"
struct schema_bulk_search {
	int (*attach)(sqlite3 *db, void *arg);
	void *arg;
};

#endif
