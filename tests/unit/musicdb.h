/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_TEST_MUSICDB_H
#define MEDIAMON_TEST_MUSICDB_H

/*
 * The music store the store's tests share (test_store*.c): a store of
 * its own, the writer started on it with music_writer_ops, and a music
 * root at DIR/music.
 *
 *	MUSICDB_TEST(test_x),		(in main's list)
 *	...
 *	struct musicdb *e = *state;
 *
 * The UNDO_VERSION_N macros below take a store back one version each.
 */

#include <sqlite3.h>
#include <stdint.h>

#include "indexer/library/music.h"
#include "indexer/library/scan.h"

struct musicdb {
	char dir[64];
	char db[96];
	char root[96];
	int64_t root_id;
};

/* cmocka fixtures: a calloc'd struct musicdb, its writer started. */
int musicdb_setup(void **state);
int musicdb_teardown(void **state);

#define MUSICDB_TEST(f) \
	cmocka_unit_test_setup_teardown(f, musicdb_setup, musicdb_teardown)

/* A file at path holding text. */
void musicdb_write(const char *path, const char *text);

/* The first column of the first row of sql on the store at db_path, -1
 * when there is none; the text of it, malloc'd, or NULL. */
int64_t musicdb_int(const char *db_path, const char *sql);
char *musicdb_text(const char *db_path, const char *sql);

/* For writer_call(): run the SQL text arg; add e->root as a music root
 * and keep its id in e->root_id. */
int musicdb_exec(sqlite3 *db, void *sql);
int musicdb_add_root(sqlite3 *db, void *e);

/* A record for the file at path in e's root: 100 bytes, the given mtime
 * and inode. */
struct music_rec *musicdb_rec(struct musicdb *e, enum music_op op,
			      const char *path, int64_t id, int64_t mtime_ns,
			      int64_t inode);

/* A track at path with these tags, track number 1, put to the writer. */
void musicdb_put_track(struct musicdb *e, const char *path,
		       const char *title, const char *artist,
		       const char *album_artist, const char *album,
		       int64_t inode);

/*
 * Scan sub of e's root (cancel set: cancelled before it starts), after
 * and before the writer's queue is drained. A scan follows links outside
 * the root when musicdb_follow_outside is set, walks on
 * musicdb_scan_threads threads (2), and appends each folder it forgot to
 * musicdb_gone, one a line.
 */
extern char musicdb_gone[256];
extern int musicdb_follow_outside;
extern int musicdb_scan_threads;
int musicdb_scan(struct musicdb *e, const char *sub,
		 struct scan_stats *stats, int cancel);

/* Three folders dir0..dir2 of four files file0.txt..file3.txt each. */
void musicdb_make_tree(struct musicdb *e);

/* What version 17 changed, undone, for tests that take a store back to
 * an older version and migrate it again. */
#define UNDO_VERSION_17 \
	"ALTER TABLE rd_sync ADD COLUMN list_offset INTEGER NOT NULL" \
	" DEFAULT 0;" \
	" ALTER TABLE rd_sync DROP COLUMN list_page;" \
	" ALTER TABLE rd_sync DROP COLUMN full_sync;" \
	" ALTER TABLE rd_sync DROP COLUMN cycle_started_at;" \
	" ALTER TABLE rd_sync DROP COLUMN pages_done;" \
	" ALTER TABLE rd_sync DROP COLUMN torrents_seen;" \
	" ALTER TABLE rd_sync DROP COLUMN cycle_finished_at;" \
	" ALTER TABLE rd_passes DROP COLUMN rate_limited;" \
	" ALTER TABLE rd_repairs DROP COLUMN asked_at;"

/* What version 21 changed, undone: files keep their paths again, as
 * version 20 had them (foreign keys off, as db_migrate() has them, so
 * that dropping the table deletes nothing that points at it). */
#define UNDO_VERSION_21 \
	"PRAGMA foreign_keys = OFF;" \
	" CREATE TABLE files_old (id INTEGER PRIMARY KEY," \
	" root_id INTEGER NOT NULL REFERENCES roots(id) ON DELETE CASCADE," \
	" dir_id INTEGER NOT NULL REFERENCES directories(id)" \
	" ON DELETE CASCADE, path BLOB NOT NULL, size INTEGER NOT NULL," \
	" mtime_ns INTEGER NOT NULL, inode INTEGER NOT NULL," \
	" kind TEXT NOT NULL, tag_error INTEGER NOT NULL DEFAULT 0," \
	" tag_error_reason TEXT, UNIQUE (root_id, path));" \
	" INSERT INTO files_old SELECT id, root_id, dir_id, path, size," \
	" mtime_ns, inode, kind, tag_error, tag_error_reason" \
	" FROM file_paths;" \
	" DROP VIEW file_paths; DROP TABLE files;" \
	" ALTER TABLE files_old RENAME TO files;" \
	" CREATE INDEX files_dir ON files (dir_id);" \
	" CREATE INDEX files_tag_error ON files (root_id, path)" \
	" WHERE tag_error;" \
	" CREATE TRIGGER analysis_queue_change" \
	" AFTER UPDATE OF size, mtime_ns, inode ON files" \
	" WHEN OLD.size IS NOT NEW.size OR OLD.mtime_ns IS NOT NEW.mtime_ns" \
	" OR OLD.inode IS NOT NEW.inode BEGIN" \
	" INSERT OR REPLACE INTO analysis_queue (track_id)" \
	" SELECT id FROM tracks WHERE file_id = NEW.id; END;" \
	" PRAGMA foreign_keys = ON;"

/* What version 28 added (the tracker's columns), undone. */
#define UNDO_VERSION_28 \
	"ALTER TABLE downloads DROP COLUMN client_id;" \
	" ALTER TABLE downloads DROP COLUMN release_id;" \
	" ALTER TABLE downloads DROP COLUMN progress;" \
	" ALTER TABLE downloads DROP COLUMN progress_at;" \
	" ALTER TABLE downloads DROP COLUMN sent_at;" \
	" ALTER TABLE downloads DROP COLUMN changed_at;" \
	" ALTER TABLE downloads DROP COLUMN path;" \
	" ALTER TABLE checks DROP COLUMN completed;" \
	" ALTER TABLE checks DROP COLUMN download_failed;" \
	" ALTER TABLE checks DROP COLUMN imported; "

/* What version 29 added (the tags' ReplayGain), undone; the files it
 * made look changed stay so, which a scan only reads again. */
#define UNDO_VERSION_29 \
	"ALTER TABLE tracks DROP COLUMN tag_gain_db;" \
	" ALTER TABLE tracks DROP COLUMN tag_album_gain_db;"

/* What version 30 added (a root's device), undone. */
#define UNDO_VERSION_30 "ALTER TABLE roots DROP COLUMN dev;"

/* What version 31 added (where published came from), undone. */
#define UNDO_VERSION_31 "ALTER TABLE series DROP COLUMN published_by;"

/* What version 32 added (an archive's pages), undone. */
#define UNDO_VERSION_32 \
	"ALTER TABLE comicinfo DROP COLUMN pages;" \
	" ALTER TABLE comicinfo DROP COLUMN cover;"

/* What version 34 added (a scan's CPU time), undone; version 33's table
 * of files gone is made only if missing, and may stay. */
#define UNDO_VERSION_34 "ALTER TABLE scans DROP COLUMN cpu_s;"

/* What version 35 added (a download's bytes and speed), undone. */
#define UNDO_VERSION_35 \
	"ALTER TABLE downloads DROP COLUMN bytes_done;" \
	" ALTER TABLE downloads DROP COLUMN bytes_total;" \
	" ALTER TABLE downloads DROP COLUMN bytes_per_s;"

/* What version 36 added (a scan's first errors), undone. */
#define UNDO_VERSION_36 "ALTER TABLE scans DROP COLUMN first_errors;"

/* What version 38 added (a series' own edition), undone. */
#define UNDO_VERSION_38 "ALTER TABLE series DROP COLUMN edition;"

/* What version 40 added (what ComicInfo.xml says for OPDS), undone. */
#define UNDO_VERSION_40 \
	"ALTER TABLE comicinfo DROP COLUMN summary;" \
	" ALTER TABLE comicinfo DROP COLUMN writer;" \
	" ALTER TABLE comicinfo DROP COLUMN issued;"

/* What version 41 added (files' and queued tracks' owners), undone: the
 * trigger as version 22 made it. */
#define UNDO_VERSION_41 \
	"DROP TRIGGER analysis_queue_change;" \
	" DROP INDEX analysis_queue_owner;" \
	" ALTER TABLE analysis_queue DROP COLUMN owner;" \
	" ALTER TABLE files DROP COLUMN uid;" \
	" CREATE TRIGGER analysis_queue_change" \
	" AFTER UPDATE OF size, mtime_ns, inode ON files" \
	" WHEN OLD.size IS NOT NEW.size" \
	" OR OLD.mtime_ns IS NOT NEW.mtime_ns OR OLD.inode IS NOT NEW.inode" \
	" BEGIN INSERT INTO analysis_queue (track_id)" \
	" SELECT id FROM tracks WHERE file_id = NEW.id" \
	" ON CONFLICT (track_id) DO UPDATE SET gen = gen + 1; END;"

/* What version 42 added (a check's requests of three sources), undone. */
#define UNDO_VERSION_42 \
	"ALTER TABLE checks DROP COLUMN mangadex;" \
	" ALTER TABLE checks DROP COLUMN mangaupdates;" \
	" ALTER TABLE checks DROP COLUMN anilist;"

/* What version 43 added (releases untold, hand-offs applied), undone. */
#define UNDO_VERSION_43 \
	"ALTER TABLE wanted DROP COLUMN untold;" \
	" ALTER TABLE wanted DROP COLUMN dropped;" \
	" ALTER TABLE series DROP COLUMN published_record;" \
	" ALTER TABLE series DROP COLUMN published_line;" \
	" ALTER TABLE downloads DROP COLUMN applied;"

/* What version 44 added (the Subsonic accounts' stars and plays),
 * undone. */
#define UNDO_VERSION_44 \
	"DROP TRIGGER subsonic_files_del;" \
	" DROP TRIGGER subsonic_gone_del;" \
	" DROP TRIGGER subsonic_files_add;" \
	" DROP TABLE subsonic_stars;" \
	" DROP TABLE subsonic_plays;"

/* What version 45 added (a series' metadata), undone. */
#define UNDO_VERSION_45 "ALTER TABLE series DROP COLUMN meta;"

/* What version 46 added (the playlists' times), undone. */
#define UNDO_VERSION_46 \
	"DROP TABLE playlist_times;"

/* What version 47 added (the highest file id given), undone. */
#define UNDO_VERSION_47 \
	"DROP TRIGGER file_ids_del; DROP TRIGGER file_ids_moved;" \
	" DROP TABLE file_ids;"

/* What version 48 added (the files' first_seen), undone. */
#define UNDO_VERSION_48 \
	"ALTER TABLE files DROP COLUMN first_seen;" \
	" ALTER TABLE gone DROP COLUMN first_seen;"

/* What version 49 changed (a check's requests per source in a table of
 * their own), undone: the sources' columns back, at 0. */
#define UNDO_VERSION_49 \
	"DROP TABLE check_requests;" \
	" ALTER TABLE checks ADD COLUMN nautiljon INTEGER NOT NULL" \
	" DEFAULT 0;" \
	" ALTER TABLE checks ADD COLUMN mangadex INTEGER NOT NULL" \
	" DEFAULT 0;" \
	" ALTER TABLE checks ADD COLUMN mangaupdates INTEGER NOT NULL" \
	" DEFAULT 0;" \
	" ALTER TABLE checks ADD COLUMN anilist INTEGER NOT NULL" \
	" DEFAULT 0;"

/* What version 50 added (the ids a search found), undone. */
#define UNDO_VERSION_50 \
	"ALTER TABLE series DROP COLUMN found;" \
	" ALTER TABLE series_gone DROP COLUMN found;"

/* What version 51 added (the records gone of a series), undone. */
#define UNDO_VERSION_51 \
	"ALTER TABLE series DROP COLUMN gone;"

/* What version 52 added (the bits a sample of lossless tracks),
 * undone. */
#define UNDO_VERSION_52 \
	"ALTER TABLE tracks DROP COLUMN bit_depth;"

/* What the version after 52 added (the CRC-32 of a manga root's images,
 * issue 76), undone: its number is named in test_store.c alone. */
#define UNDO_IMAGE_CRCS \
	"ALTER TABLE files DROP COLUMN crc;"

/* The versions since 38, undone (but 39's table, made if missing). */
#define UNDO_SINCE_38 \
	UNDO_IMAGE_CRCS UNDO_VERSION_52 UNDO_VERSION_51 UNDO_VERSION_50 \
	UNDO_VERSION_49 \
	UNDO_VERSION_48 UNDO_VERSION_47 \
	UNDO_VERSION_46 UNDO_VERSION_45 UNDO_VERSION_44 UNDO_VERSION_43 \
	UNDO_VERSION_42 UNDO_VERSION_41 UNDO_VERSION_40 \
	UNDO_VERSION_38

/* What version 25 added (the blocklist, preferences), undone. */
#define UNDO_VERSION_25 \
	"DROP TABLE blocklist;" \
	" ALTER TABLE found DROP COLUMN release_id;" \
	" ALTER TABLE series DROP COLUMN release_prefs; "

/* The analysis queue as versions 11 to 21 made it, its entries in the
 * reverse order of their tracks, for the test of version 22. */
#define UNDO_VERSION_22 \
	"DROP TRIGGER analysis_queue_change;" \
	" DROP TABLE analysis_queue;" \
	" CREATE TABLE analysis_queue (" \
	" seq INTEGER PRIMARY KEY AUTOINCREMENT," \
	" track_id INTEGER NOT NULL UNIQUE REFERENCES tracks(id)" \
	" ON DELETE CASCADE);" \
	" INSERT INTO analysis_queue (track_id)" \
	" SELECT id FROM tracks ORDER BY id DESC;" \
	" CREATE TRIGGER analysis_queue_change" \
	" AFTER UPDATE OF size, mtime_ns, inode ON files" \
	" WHEN OLD.size IS NOT NEW.size" \
	" OR OLD.mtime_ns IS NOT NEW.mtime_ns OR OLD.inode IS NOT NEW.inode" \
	" BEGIN INSERT OR REPLACE INTO analysis_queue (track_id)" \
	" SELECT id FROM tracks WHERE file_id = NEW.id; END;"

/* The undoing a store goes through back to version 20 (the versions
 * with no macro above need none). */
#define UNDO_SINCE_21 \
	UNDO_SINCE_38 UNDO_VERSION_36 UNDO_VERSION_35 UNDO_VERSION_34 \
	UNDO_VERSION_32 UNDO_VERSION_31 UNDO_VERSION_30 UNDO_VERSION_29 \
	UNDO_VERSION_28 UNDO_VERSION_25 UNDO_VERSION_22 UNDO_VERSION_21

#endif
