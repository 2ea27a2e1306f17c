/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The store, its writer and the scanner on real temporary trees: schema
 * versions, deduplication of artists and albums, renames keeping a
 * track's identity, deletions, and the scanner's incremental decisions.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/db.h"
#include "common/log.h"
#include "indexer/library/music.h"
#include "indexer/library/scan.h"
#include "indexer/store/schema.h"
#include "indexer/library/search_index.h"
#include "indexer/store/writer.h"
#include "testdb.h"

struct env {
	char dir[64];
	char db[96];
	char root[96];
	int64_t root_id;
};

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static int64_t query_int(const char *db_path, const char *sql)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	int64_t v = -1;

	assert_int_equal(db_open(db_path, 1, &db), 0);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	db_close(db);
	return v;
}

/* The text of the first column of the first row of sql, or NULL. */
static char *query_text(const char *db_path, const char *sql)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	char *v = NULL;

	assert_int_equal(db_open(db_path, 1, &db), 0);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
		v = strdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	db_close(db);
	return v;
}

static int exec_sql(sqlite3 *db, void *sql)
{
	return db_exec(db, sql);
}

static int add_root(sqlite3 *db, void *arg)
{
	struct env *e = arg;
	sqlite3_stmt *st;

	assert_int_equal(sqlite3_prepare_v2(db, "INSERT INTO roots (kind, path)"
					    " VALUES ('music', ?1)", -1, &st,
					    NULL), SQLITE_OK);
	sqlite3_bind_blob(st, 1, e->root, strlen(e->root), SQLITE_STATIC);
	assert_int_equal(sqlite3_step(st), SQLITE_DONE);
	sqlite3_finalize(st);
	e->root_id = sqlite3_last_insert_rowid(db);
	return 0;
}

static int setup(void **state)
{
	struct env *e = calloc(1, sizeof(*e));

	assert_non_null(e);
	e->root_id = testdb_writer_start(e->dir, e->db, &music_writer_ops);
	assert_true(e->root_id > 0);
	snprintf(e->root, sizeof(e->root), "%s/music", e->dir);
	*state = e;
	return 0;
}

static int teardown(void **state)
{
	struct env *e = *state;

	testdb_writer_stop(e->dir);
	free(e);
	return 0;
}

/* A record for the file at path: 100 bytes, the given mtime and inode. */
static struct music_rec *file_rec(struct env *e, enum music_op op,
				   const char *path, int64_t id,
				   int64_t mtime_ns, int64_t inode)
{
	struct music_rec *rec = music_rec_new(op, path, strlen(path));

	assert_non_null(rec);
	rec->root_id = e->root_id;
	rec->id = id;
	rec->size = 100;
	rec->mtime_ns = mtime_ns;
	rec->inode = inode;
	rec->kind = "flac";
	rec->parsed = op == MUSIC_FILE;
	return rec;
}

static void put_track(struct env *e, const char *path, const char *title,
		      const char *artist, const char *album_artist,
		      const char *album, int64_t inode)
{
	struct music_rec *rec = file_rec(e, MUSIC_FILE, path, 0, 1, inode);

	rec->tags.title = strdup(title);
	rec->tags.artist = artist ? strdup(artist) : NULL;
	rec->tags.album_artist = album_artist ? strdup(album_artist) : NULL;
	rec->tags.album = strdup(album);
	rec->tags.track = 1;
	writer_put(&rec->wr);
}

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

/* The versions since 38, undone (but 39's table, made if missing). */
#define UNDO_SINCE_38 \
	UNDO_VERSION_48 UNDO_VERSION_47 UNDO_VERSION_46 UNDO_VERSION_45 \
	UNDO_VERSION_44 UNDO_VERSION_43 \
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

static void test_schema_versions(void **state)
{
	struct env *e = *state;
	sqlite3 *db;

	writer_call(NULL, NULL);
	assert_int_equal(query_int(e->db, "PRAGMA user_version"),
			 schema_version());
	assert_int_equal(query_int(e->db, "PRAGMA journal_mode = WAL") >= 0, 1);
	assert_int_equal(db_open(e->db, 0, &db), 0);
	assert_int_equal(schema_migrate(db), 0);
	assert_int_equal(db_exec(db, "PRAGMA user_version = 99"), 0);
	assert_int_equal(schema_migrate(db), -EPROTO);
	assert_int_equal(db_exec(db, "PRAGMA user_version = 13"), 0);
	assert_int_equal(schema_version(), 48);
	db_close(db);
}

/* Version 37 keeps of the MusicBrainz ids a store holds those that are
 * UUIDs, in lower case. */
static void test_mbids_cleaned(void **state)
{
	struct env *e = *state;
	sqlite3 *db;
	char *id;

	put_track(e, "m/1.flac", "One", "A", NULL, "B", 1);
	put_track(e, "m/2.flac", "Two", "A", NULL, "B", 2);
	put_track(e, "m/3.flac", "Three", "A", NULL, "B", 3);
	writer_stop();
	assert_int_equal(db_open(e->db, 0, &db), 0);
	assert_int_equal(db_exec(db, "UPDATE tracks SET mb_track_id = CASE"
				 " title WHEN 'One' THEN"
				 " '1A2B3C4D-0000-4000-8000-00000000000A'"
				 " WHEN 'Two' THEN 'not-a-uuid' END,"
				 " mb_artist_id = 'x';"
				 " DROP INDEX tracks_mb_track;"
				 UNDO_SINCE_38
				 " PRAGMA user_version = 36"), 0);
	assert_int_equal(schema_migrate(db), 0);
	db_close(db);
	id = query_text(e->db, "SELECT mb_track_id FROM tracks"
			" WHERE title = 'One'");
	assert_string_equal(id, "1a2b3c4d-0000-4000-8000-00000000000a");
	free(id);
	assert_int_equal(query_int(e->db, "SELECT count(*) FROM tracks"
				   " WHERE mb_track_id IS NOT NULL"
				   " OR mb_artist_id IS NOT NULL"), 1);
	assert_int_equal(query_int(e->db, "SELECT count(*) FROM"
				   " pragma_index_list('tracks')"
				   " WHERE name = 'tracks_mb_track'"), 1);
}

static void test_artists_and_albums_deduplicated(void **state)
{
	struct env *e = *state;

	put_track(e, "a/1.flac", "One", "Ann", NULL, "Disc", 1);
	put_track(e, "a/2.flac", "Two", "Ann", NULL, "Disc", 2);
	put_track(e, "a/3.flac", "Three", "Bob", "Ann", "Disc", 3);
	put_track(e, "b/1.flac", "Four", "Bob", NULL, "Disc", 4);
	writer_call(NULL, NULL);
	assert_int_equal(query_int(e->db, "SELECT count(*) FROM tracks"), 4);
	assert_int_equal(query_int(e->db, "SELECT count(*) FROM artists"), 2);
	/* Ann's "Disc" (album artist Ann) and Bob's "Disc" are two albums */
	assert_int_equal(query_int(e->db, "SELECT count(*) FROM albums"), 2);
	assert_int_equal(query_int(e->db, "SELECT count(*) FROM directories"),
			 2);
	assert_int_equal(query_int(e->db, "SELECT count(DISTINCT album_id)"
				   " FROM tracks WHERE album_artist_id ="
				   " (SELECT id FROM artists"
				   " WHERE name = 'Ann')"),
			 1);
}

static void test_rename_and_delete(void **state)
{
	struct env *e = *state;
	struct music_rec *rec;
	int64_t track, file;

	put_track(e, "a/1.flac", "One", "Ann", NULL, "Disc", 1);
	writer_call(NULL, NULL);
	track = query_int(e->db, "SELECT id FROM tracks");
	file = query_int(e->db, "SELECT id FROM files");

	rec = file_rec(e, MUSIC_RENAME, "c/renamed.flac", file, 1, 1);
	writer_put(&rec->wr);
	writer_call(NULL, NULL);
	assert_int_equal(query_int(e->db, "SELECT id FROM tracks"), track);
	assert_int_equal(query_int(e->db, "SELECT count(*) FROM file_paths"
				   " WHERE CAST(path AS TEXT) ="
				   " 'c/renamed.flac'"), 1);

	rec = music_rec_new(MUSIC_DELETE_FILE, "", 0);
	rec->id = file;
	writer_put(&rec->wr);
	writer_call(NULL, NULL);
	assert_int_equal(query_int(e->db, "SELECT count(*) FROM tracks"), 0);
}

/* A changed track's old artist and album go once nothing points at them;
 * rows still used stay. */
static void test_orphans_dropped(void **state)
{
	struct env *e = *state;
	struct music_rec *rec;
	int64_t file;

	put_track(e, "a/1.flac", "One", "Ann", NULL, "Disc", 1);
	put_track(e, "a/2.flac", "Two", "Bob", NULL, "Live", 2);
	writer_call(NULL, NULL);
	file = query_int(e->db, "SELECT id FROM file_paths WHERE"
			 " CAST(path AS TEXT) = 'a/1.flac'");

	rec = file_rec(e, MUSIC_FILE, "a/1.flac", file, 2, 1);
	rec->tags.title = strdup("One");
	rec->tags.artist = strdup("Bob");
	rec->tags.album = strdup("Live");
	writer_put(&rec->wr);
	assert_int_equal(writer_call(music_drop_orphans, NULL), 0);
	assert_int_equal(query_int(e->db, "SELECT count(*) FROM artists"), 1);
	assert_int_equal(query_int(e->db, "SELECT count(*) FROM albums"), 1);
	assert_int_equal(query_int(e->db, "SELECT count(*) FROM artists"
				   " WHERE name = 'Bob'"), 1);

	rec = music_rec_new(MUSIC_DELETE_FILE, "", 0);
	rec->id = file;
	writer_put(&rec->wr);
	assert_int_equal(writer_call(music_drop_orphans, NULL), 0);
	assert_int_equal(query_int(e->db, "SELECT count(*) FROM artists"), 1);
	rec = music_rec_new(MUSIC_DELETE_FILE, "", 0);
	rec->id = query_int(e->db, "SELECT id FROM files");
	writer_put(&rec->wr);
	assert_int_equal(writer_call(music_drop_orphans, NULL), 0);
	assert_int_equal(query_int(e->db, "SELECT count(*) FROM artists"), 0);
	assert_int_equal(query_int(e->db, "SELECT count(*) FROM albums"), 0);
}

/* How many tracks the search index finds for an FTS5 query. */
static int64_t fts_count(struct env *e, const char *match)
{
	char sql[256];

	snprintf(sql, sizeof(sql), "SELECT count(*) FROM tracks_fts"
		 " WHERE tracks_fts MATCH '%s'", match);
	return query_int(e->db, sql);
}

/* The search index follows new tracks, tag changes and deletions, with
 * accents folded. */
static void test_tracks_fts_follows_tracks(void **state)
{
	struct env *e = *state;
	struct music_rec *rec;
	int64_t file;

	put_track(e, "a/1.flac", "D\xc3\xa9j\xc3\xa0 Vu", "Beyonc\xc3\xa9",
		  "Destiny", "Dangerously", 1);
	put_track(e, "a/2.flac", "Other", "Ann", NULL, "Disc", 2);
	writer_call(NULL, NULL);
	assert_int_equal(fts_count(e, "beyonce"), 1);
	assert_int_equal(fts_count(e, "deja"), 1);
	assert_int_equal(fts_count(e, "dange*"), 1);
	assert_int_equal(fts_count(e, "destiny"), 1);
	assert_int_equal(fts_count(e, "disc OR ann"), 1);
	file = query_int(e->db, "SELECT id FROM file_paths WHERE"
			 " CAST(path AS TEXT) = 'a/1.flac'");

	rec = file_rec(e, MUSIC_FILE, "a/1.flac", file, 2, 1);
	rec->tags.title = strdup("Halo");
	rec->tags.artist = strdup("Beyonc\xc3\xa9");
	rec->tags.album = strdup("I Am");
	writer_put(&rec->wr);
	writer_call(NULL, NULL);
	assert_int_equal(fts_count(e, "deja"), 0);
	assert_int_equal(fts_count(e, "dangerously"), 0);
	assert_int_equal(fts_count(e, "halo"), 1);
	assert_int_equal(fts_count(e, "beyonce"), 1);

	rec = music_rec_new(MUSIC_DELETE_FILE, "", 0);
	rec->id = file;
	writer_put(&rec->wr);
	writer_call(NULL, NULL);
	assert_int_equal(fts_count(e, "halo OR beyonce"), 0);
	assert_int_equal(fts_count(e, "other"), 1);
}

/* The tracks a transaction adds are searchable and queued for analysis
 * once it commits; records of a bulk load (no foreign key checked) give
 * the same rows, and the checks are back after it: a deleted file takes
 * its track and its queue entry with it. A known file's new track (it
 * had none) is queued too; one that stays is not queued again. */
static void test_added_tracks_indexed_and_queued(void **state)
{
	struct env *e = *state;
	struct music_rec *rec;
	int64_t file;

	for (int i = 0; i < 3; i++) {
		char path[32];

		snprintf(path, sizeof(path), "b/%d.flac", i);
		rec = file_rec(e, MUSIC_FILE, path, 0, 1, 20 + i);
		rec->wr.bulk = 1;
		rec->tags.title = strdup("Bulk");
		rec->tags.artist = strdup("Zed");
		rec->tags.album = strdup("Load");
		writer_put(&rec->wr);
	}
	put_track(e, "c/1.flac", "Plain", "Ann", NULL, "One", 30);
	writer_call(NULL, NULL);
	assert_int_equal(fts_count(e, "bulk"), 3);
	assert_int_equal(fts_count(e, "plain"), 1);
	assert_int_equal(query_int(e->db, "SELECT count(*) FROM"
				   " analysis_queue"), 4);

	file = query_int(e->db, "SELECT id FROM file_paths WHERE"
			 " CAST(path AS TEXT) = 'b/0.flac'");
	rec = music_rec_new(MUSIC_DELETE_FILE, "", 0);
	rec->id = file;
	writer_put(&rec->wr);
	writer_call(NULL, NULL);
	assert_int_equal(fts_count(e, "bulk"), 2);
	assert_int_equal(query_int(e->db, "SELECT count(*) FROM tracks"), 3);
	assert_int_equal(query_int(e->db, "SELECT count(*) FROM"
				   " analysis_queue"), 3);

	writer_call(exec_sql, "DELETE FROM analysis_queue");
	rec = file_rec(e, MUSIC_FILE, "d/other.txt", 0, 1, 40);
	rec->kind = "other";
	rec->parsed = 0;
	writer_put(&rec->wr);
	writer_call(NULL, NULL);
	file = query_int(e->db, "SELECT id FROM file_paths WHERE"
			 " CAST(path AS TEXT) = 'd/other.txt'");
	rec = file_rec(e, MUSIC_FILE, "d/other.txt", file, 1, 40);
	rec->tags.title = strdup("Now a track");
	writer_put(&rec->wr);
	rec = file_rec(e, MUSIC_FILE, "c/1.flac",
		       query_int(e->db, "SELECT id FROM file_paths WHERE"
				 " CAST(path AS TEXT) = 'c/1.flac'"), 1, 30);
	rec->tags.title = strdup("Plain again");
	writer_put(&rec->wr);
	writer_call(NULL, NULL);
	assert_int_equal(fts_count(e, "now"), 1);
	assert_int_equal(fts_count(e, "plain"), 1);
	assert_int_equal(query_int(e->db, "SELECT count(*) FROM"
				   " analysis_queue"), 1);
}

/* A store of version 21 keeps its analysis queue when version 22 keys
 * it by track, with no index beside it: the same tracks stay queued; a
 * queued track whose file changes is counted as queued again, not added
 * twice; a deleted track leaves the queue. */
static void test_analysis_queue_keyed_by_track(void **state)
{
	struct env *e = *state;
	sqlite3 *db;

	put_track(e, "q/1.flac", "One", "A", NULL, "B", 11);
	put_track(e, "q/2.flac", "Two", "A", NULL, "B", 12);
	put_track(e, "q/3.flac", "Three", "A", NULL, "B", 13);
	writer_stop();
	assert_int_equal(db_open(e->db, 0, &db), 0);
	assert_int_equal(db_exec(db, UNDO_SINCE_38
				 UNDO_VERSION_36
				 UNDO_VERSION_35
				 UNDO_VERSION_34
				 UNDO_VERSION_32 UNDO_VERSION_31
				 UNDO_VERSION_30
				 UNDO_VERSION_29
				 UNDO_VERSION_28
				 UNDO_VERSION_25 UNDO_VERSION_22
				 " PRAGMA user_version = 21"), 0);
	assert_int_equal(schema_migrate(db), 0);
	db_close(db);
	assert_int_equal(query_int(e->db, "SELECT count(*) FROM analysis_queue"
				   " q JOIN tracks t ON t.id = q.track_id"
				   " WHERE q.gen = 0"), 3);
	/* none but the owners' of version 41 */
	assert_int_equal(query_int(e->db, "SELECT count(*) FROM"
				   " pragma_index_list('analysis_queue')"
				   " WHERE name != 'analysis_queue_owner'"), 0);
	assert_int_equal(query_int(e->db, "SELECT count(*) FROM sqlite_sequence"
				   " WHERE name = 'analysis_queue'"), 0);

	assert_int_equal(writer_register(&music_writer_ops), 0);
	assert_int_equal(writer_start(e->db), 0);
	writer_call(exec_sql, "UPDATE files SET size = size + 1"
		    " WHERE inode = 12");
	writer_call(exec_sql, "UPDATE files SET kind = kind"
		    " WHERE inode = 11");
	assert_int_equal(query_int(e->db, "SELECT count(*) FROM"
				   " analysis_queue"), 3);
	assert_int_equal(query_int(e->db, "SELECT q.gen FROM analysis_queue q"
				   " JOIN tracks t ON t.id = q.track_id"
				   " JOIN files f ON f.id = t.file_id"
				   " WHERE f.inode = 12"), 1);
	assert_int_equal(query_int(e->db, "SELECT sum(gen) FROM"
				   " analysis_queue"), 1);
	writer_call(exec_sql, "DELETE FROM files WHERE inode = 13");
	assert_int_equal(query_int(e->db, "SELECT count(*) FROM"
				   " analysis_queue"), 2);
	assert_int_equal(query_int(e->db, "SELECT count(*) FROM"
				   " pragma_foreign_key_check"), 0);
}

/* A writer_call() function: a track added and then renamed in one
 * transaction, its search row made as the writer makes it at commit. */
static int add_then_change(sqlite3 *db, void *arg)
{
	struct env *e = arg;
	char sql[512], ids[32];
	int rc;

	snprintf(sql, sizeof(sql), "BEGIN;"
		 "INSERT INTO directories (root_id, path, mtime_ns)"
		 " VALUES (%lld, CAST('x' AS BLOB), 0);"
		 "INSERT INTO files (root_id, dir_id, name, size, mtime_ns,"
		 " inode, kind) VALUES (%lld, last_insert_rowid(),"
		 " CAST('2.flac' AS BLOB), 1, 1, 51, 'flac');"
		 "INSERT INTO tracks (file_id, title) VALUES"
		 " (last_insert_rowid(), 'Second');",
		 (long long)e->root_id, (long long)e->root_id);
	rc = db_exec(db, sql);
	snprintf(ids, sizeof(ids), "[%lld]",
		 (long long)sqlite3_last_insert_rowid(db));
	if (!rc)
		rc = db_exec(db, "UPDATE tracks SET title = 'Changed'");
	if (!rc)
		rc = search_index_forget(db, ids);
	if (!rc)
		rc = search_index_add(db, ids);
	if (!rc)
		rc = search_index_sync(db);
	if (rc)
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	return rc ? rc : db_exec(db, "COMMIT");
}

/* The search index stays whole (FTS5's own check) and finds what the
 * tracks say when a track is added and changed in one transaction,
 * changed again, and deleted: its row is read from the tracks, and taken
 * out with the values it was made of. */
static void test_tracks_fts_stays_whole(void **state)
{
	struct env *e = *state;
	struct writer_batch batch = WRITER_BATCH_INIT;
	struct music_rec *rec;
	int64_t file;

	rec = file_rec(e, MUSIC_FILE, "w/1.flac", 0, 1, 50);
	rec->tags.title = strdup("First");
	rec->tags.artist = strdup("Ann");
	writer_batch_add(&batch, &rec->wr);
	writer_batch_flush(&batch);
	writer_call(NULL, NULL);
	file = query_int(e->db, "SELECT id FROM file_paths WHERE"
			 " CAST(path AS TEXT) = 'w/1.flac'");
	rec = music_rec_new(MUSIC_DELETE_FILE, "", 0);
	rec->id = file;
	writer_put(&rec->wr);
	writer_call(NULL, NULL);
	assert_int_equal(fts_count(e, "first"), 0);
	assert_int_equal(writer_call(exec_sql, "INSERT INTO tracks_fts"
				     " (tracks_fts)"
				     " VALUES ('integrity-check')"),
			 0);

	/* added, then changed before its commit */
	assert_int_equal(writer_call(add_then_change, e), 0);
	assert_int_equal(fts_count(e, "second"), 0);
	assert_int_equal(fts_count(e, "changed"), 1);
	file = query_int(e->db, "SELECT id FROM file_paths WHERE"
			 " CAST(path AS TEXT) = 'x/2.flac'");
	rec = file_rec(e, MUSIC_FILE, "x/2.flac", file, 3, 52);
	rec->tags.title = strdup("Third");
	rec->tags.artist = strdup("Bob");
	writer_put(&rec->wr);
	writer_call(NULL, NULL);
	assert_int_equal(fts_count(e, "changed"), 0);
	assert_int_equal(fts_count(e, "third"), 1);
	assert_int_equal(writer_call(exec_sql, "INSERT INTO tracks_fts"
				     " (tracks_fts)"
				     " VALUES ('integrity-check')"),
			 0);
	rec = music_rec_new(MUSIC_DELETE_FILE, "", 0);
	rec->id = file;
	writer_put(&rec->wr);
	writer_call(NULL, NULL);
	assert_int_equal(fts_count(e, "third OR bob"), 0);
	assert_int_equal(writer_call(exec_sql, "INSERT INTO tracks_fts"
				     " (tracks_fts)"
				     " VALUES ('integrity-check')"),
			 0);
}

/* A store from before the search index gets one for the tracks it has
 * (the schema step that builds it from the tracks comes after). */
static void test_tracks_fts_backfilled(void **state)
{
	struct env *e = *state;
	sqlite3 *db;

	put_track(e, "a/1.flac", "Halo", "Beyonc\xc3\xa9", NULL, "I Am", 1);
	put_track(e, "a/2.flac", "Other", "Ann", NULL, "Disc", 2);
	writer_stop();
	assert_int_equal(db_open(e->db, 0, &db), 0);
	assert_int_equal(db_exec(db, UNDO_SINCE_38
				 UNDO_VERSION_36
				 UNDO_VERSION_35
				 UNDO_VERSION_34
				 UNDO_VERSION_32 UNDO_VERSION_31
				 UNDO_VERSION_30
				 UNDO_VERSION_29
				 UNDO_VERSION_28
				 UNDO_VERSION_25 UNDO_VERSION_22 UNDO_VERSION_21
				 " DROP TRIGGER tracks_fts_del;"
				 " DROP TRIGGER tracks_fts_set;"
				 " DROP TABLE tracks_fts;"
				 " DROP TABLE tracks_fts_dirty;"
				 " DROP INDEX tracks_album_artist;"
				 " DROP TABLE pictures; DROP TABLE settings;"
				 " ALTER TABLE directories DROP COLUMN digest;"
				 " ALTER TABLE files"
				 " DROP COLUMN tag_error_reason;"
				 " ALTER TABLE tracks DROP COLUMN tag_source;"
				 UNDO_VERSION_17), 0);
	/* back to before the search index (version 7) */
	assert_int_equal(db_exec(db, "PRAGMA user_version = 6"), 0);
	assert_int_equal(schema_migrate(db), 0);
	db_close(db);
	assert_int_equal(writer_register(&music_writer_ops), 0);
	assert_int_equal(writer_start(e->db), 0);
	assert_int_equal(fts_count(e, "beyonce"), 1);
	assert_int_equal(fts_count(e, "disc"), 1);
	assert_int_equal(query_int(e->db, "SELECT count(*) FROM"
				   " tracks_fts_dirty"), 0);
}

static void test_generation_moves_per_batch(void **state)
{
	struct env *e = *state;
	uint64_t before = writer_generation();
	char path[32];

	for (int i = 0; i < 2500; i++) {
		snprintf(path, sizeof(path), "d/%04d.flac", i);
		put_track(e, path, path, "Ann", NULL, "Big", 10 + i);
	}
	writer_call(NULL, NULL);
	assert_true(writer_generation() - before >= 3);
	assert_int_equal(query_int(e->db, "SELECT count(*) FROM tracks"),
			 2500);
}

/* The folders a scan forgot, as on_dir_gone() told them, one a line. */
static char gone[256];

static void note_gone(size_t root, const char *rel)
{
	assert_int_equal(root, 7);
	strcat(gone, rel);
	strcat(gone, "\n");
}

/* Whether the scans below follow links outside the root, and on how
 * many threads they walk. */
static int follow_outside;
static int scan_threads = 2;

static int scan(struct env *e, const char *sub, struct scan_stats *stats,
		int cancel)
{
	struct scan_request req = {
		.root_id = e->root_id,
		.root_path = e->root,
		.subpaths = &sub,
		.nr_subpaths = 1,
		.threads = scan_threads,
		.cancel = &cancel,
		.follow_outside = follow_outside,
		.on_dir_gone = note_gone,
		.root_index = 7,
	};
	int rc;

	memset(stats, 0, sizeof(*stats));
	writer_call(NULL, NULL);
	rc = scan_run(e->db, &req, stats);
	writer_call(NULL, NULL);
	return rc;
}

static uint64_t estimate(struct env *e, const char *sub)
{
	struct scan_request req = {
		.root_id = e->root_id,
		.root_path = e->root,
		.subpaths = &sub,
		.nr_subpaths = 1,
	};
	uint64_t n = 0;
	sqlite3 *db;

	assert_int_equal(db_open(e->db, 1, &db), 0);
	assert_int_equal(scan_estimate(db, &req, &n), 0);
	db_close(db);
	return n;
}

static void make_tree(struct env *e)
{
	char p[160];

	for (int d = 0; d < 3; d++) {
		snprintf(p, sizeof(p), "%s/dir%d", e->root, d);
		assert_int_equal(mkdir(p, 0755), 0);
		for (int f = 0; f < 4; f++) {
			snprintf(p, sizeof(p), "%s/dir%d/file%d.txt", e->root,
				 d, f);
			write_file(p, "x");
		}
	}
}

static void test_scan_incremental(void **state)
{
	struct env *e = *state;
	struct scan_stats s;
	char p[160], q[160];

	make_tree(e);
	assert_int_equal(scan(e, "", &s, 0), 0);
	assert_int_equal(s.files_seen, 12);
	assert_int_equal(s.files_new, 12);
	assert_int_equal(query_int(e->db, "SELECT count(*) FROM directories"),
			 4);

	assert_int_equal(scan(e, "", &s, 0), 0);
	assert_int_equal(s.files_unchanged, 12);
	assert_int_equal(estimate(e, ""), 12);
	assert_int_equal(estimate(e, "dir1"), 4);
	assert_int_equal(estimate(e, "dir1/file2.txt"), 1);
	assert_int_equal(estimate(e, "dir"), 0);

	snprintf(p, sizeof(p), "%s/dir0/file0.txt", e->root);
	write_file(p, "longer now");
	snprintf(p, sizeof(p), "%s/dir1/file0.txt", e->root);
	unlink(p);
	snprintf(p, sizeof(p), "%s/dir2/file0.txt", e->root);
	snprintf(q, sizeof(q), "%s/dir0/moved.txt", e->root);
	assert_int_equal(rename(p, q), 0);
	assert_int_equal(scan(e, "", &s, 0), 0);
	assert_int_equal(s.files_changed, 1);
	assert_int_equal(s.files_deleted, 1);
	assert_int_equal(s.files_renamed, 1);
	assert_int_equal(s.files_new, 0);
	assert_int_equal(query_int(e->db, "SELECT count(*) FROM files"), 11);
}

static void test_scan_subtree_and_vanished_path(void **state)
{
	struct env *e = *state;
	struct scan_stats s;
	char cmd[256];

	make_tree(e);
	assert_int_equal(scan(e, "", &s, 0), 0);
	assert_int_equal(scan(e, "dir1", &s, 0), 0);
	assert_int_equal(s.files_seen, 4);
	assert_int_equal(scan(e, "dir1/file2.txt", &s, 0), 0);
	assert_int_equal(s.files_seen, 1);
	/* a rename inside the subtree keeps the file's id */
	snprintf(cmd, sizeof(cmd), "mv %s/dir1/file0.txt %s/dir1/sub.txt",
		 e->root, e->root);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(scan(e, "dir1", &s, 0), 0);
	assert_int_equal(s.files_renamed, 1);
	assert_int_equal(s.files_new, 0);
	/* a file at the root's top, rescanned alone */
	snprintf(cmd, sizeof(cmd), "%s/top.txt", e->root);
	write_file(cmd, "x");
	assert_int_equal(scan(e, "top.txt", &s, 0), 0);
	assert_int_equal(s.files_new, 1);
	assert_int_equal(estimate(e, "top.txt"), 1);
	assert_int_equal(scan(e, "top.txt", &s, 0), 0);
	assert_int_equal(s.files_unchanged, 1);

	snprintf(cmd, sizeof(cmd), "rm -r %s/dir1", e->root);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(scan(e, "dir1", &s, 0), 0);
	assert_int_equal(s.files_deleted, 4);
	assert_int_equal(query_int(e->db, "SELECT count(*) FROM files"), 9);
	assert_int_equal(query_int(e->db, "SELECT count(*) FROM directories"),
			 3);
}

static void test_scan_cancelled_deletes_nothing(void **state)
{
	struct env *e = *state;
	struct scan_stats s;
	char cmd[200];

	make_tree(e);
	assert_int_equal(scan(e, "", &s, 0), 0);
	snprintf(cmd, sizeof(cmd), "rm -r %s/dir0", e->root);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(scan(e, "", &s, 1), -ECANCELED);
	assert_int_equal(s.files_deleted, 0);
	assert_int_equal(query_int(e->db, "SELECT count(*) FROM files"), 12);
}

static void test_scan_missing_root_deletes_nothing(void **state)
{
	struct env *e = *state;
	struct scan_stats s;
	char moved[128];

	make_tree(e);
	assert_int_equal(scan(e, "", &s, 0), 0);
	snprintf(moved, sizeof(moved), "%s/away", e->dir);
	assert_int_equal(rename(e->root, moved), 0);
	assert_int_equal(scan(e, "", &s, 0), -ENOENT);
	assert_int_equal(s.io_errors, 1);
	assert_int_equal(query_int(e->db, "SELECT count(*) FROM files"), 12);
	assert_int_equal(rename(moved, e->root), 0);
}

static void test_scan_skips_special_files(void **state)
{
	struct env *e = *state;
	struct scan_stats s;
	char p[160], q[160];

	snprintf(p, sizeof(p), "%s/fifo", e->root);
	assert_int_equal(mkfifo(p, 0644), 0);
	snprintf(p, sizeof(p), "%s/loop", e->root);
	assert_int_equal(symlink(".", p), 0);
	snprintf(p, sizeof(p), "%s/dangling", e->root);
	assert_int_equal(symlink("nowhere", p), 0);
	snprintf(p, sizeof(p), "%s/real.txt", e->root);
	write_file(p, "x");
	snprintf(q, sizeof(q), "%s/link.txt", e->root);
	assert_int_equal(symlink("real.txt", q), 0);
	assert_int_equal(scan(e, "", &s, 0), 0);
	/* the FIFO is never opened, the loop never followed, the dangling
	 * link counted as an error; the file and its link are indexed */
	assert_int_equal(s.files_seen, 2);
	assert_int_equal(s.io_errors, 1);
}

static int64_t count_path(struct env *e, const char *path)
{
	char sql[160];

	snprintf(sql, sizeof(sql), "SELECT count(*) FROM file_paths"
		 " WHERE path = CAST('%s' AS BLOB)", path);
	return query_int(e->db, sql);
}

/* A link to a file is followed inside the root only, unless the scan
 * follows outside; one that leads out again is forgotten. */
static void test_scan_links_by_rule(void **state)
{
	struct env *e = *state;
	struct scan_stats s;
	char p[160], q[160];

	make_tree(e);
	snprintf(p, sizeof(p), "%s/outside", e->dir);
	assert_int_equal(mkdir(p, 0755), 0);
	snprintf(p, sizeof(p), "%s/outside/secret.txt", e->dir);
	write_file(p, "secret");
	snprintf(q, sizeof(q), "%s/out.txt", e->root);
	assert_int_equal(symlink(p, q), 0);
	snprintf(q, sizeof(q), "%s/in.txt", e->root);
	assert_int_equal(symlink("dir0/file0.txt", q), 0);

	assert_int_equal(scan(e, "", &s, 0), 0);
	assert_int_equal(s.files_seen, 13);
	assert_int_equal(s.io_errors, 0);
	assert_int_equal(count_path(e, "in.txt"), 1);
	assert_int_equal(count_path(e, "out.txt"), 0);
	/* a rescan of the link alone says the same */
	assert_int_equal(scan(e, "out.txt", &s, 0), 0);
	assert_int_equal(s.files_seen, 0);
	assert_int_equal(count_path(e, "out.txt"), 0);

	follow_outside = 1;
	assert_int_equal(scan(e, "", &s, 0), 0);
	follow_outside = 0;
	assert_int_equal(s.files_seen, 14);
	assert_int_equal(count_path(e, "out.txt"), 1);
	assert_int_equal(scan(e, "out.txt", &s, 0), 0);
	assert_int_equal(s.files_deleted, 1);
	assert_int_equal(count_path(e, "out.txt"), 0);
}

/* A path through a link to a folder is not in the root: a rescan of it
 * indexes nothing, and a folder swapped for a link is forgotten, the
 * watcher told of the first folder of each subtree. */
static void test_scan_through_folder_links(void **state)
{
	struct env *e = *state;
	struct scan_stats s;
	char p[160], q[160];

	make_tree(e);
	snprintf(p, sizeof(p), "%s/dir1/sub", e->root);
	assert_int_equal(mkdir(p, 0755), 0);
	snprintf(p, sizeof(p), "%s/dir1/sub/deep.txt", e->root);
	write_file(p, "x");
	snprintf(p, sizeof(p), "%s/outside", e->dir);
	assert_int_equal(mkdir(p, 0755), 0);
	snprintf(p, sizeof(p), "%s/outside/hidden", e->dir);
	assert_int_equal(mkdir(p, 0755), 0);
	snprintf(p, sizeof(p), "%s/outside/hidden/x.txt", e->dir);
	write_file(p, "x");
	snprintf(p, sizeof(p), "%s/outside", e->dir);
	snprintf(q, sizeof(q), "%s/rl", e->root);
	assert_int_equal(symlink(p, q), 0);

	assert_int_equal(scan(e, "", &s, 0), 0);
	assert_int_equal(s.files_seen, 13);
	gone[0] = '\0';
	assert_int_equal(scan(e, "rl/hidden", &s, 0), 0);
	assert_int_equal(s.files_seen + s.io_errors, 0);
	assert_int_equal(scan(e, "rl/hidden/x.txt", &s, 0), 0);
	assert_int_equal(scan(e, "rl", &s, 0), 0);
	assert_int_equal(s.files_seen + s.io_errors, 0);
	assert_int_equal(query_int(e->db, "SELECT count(*) FROM files"), 13);
	assert_string_equal(gone, "");

	/* dir1 goes out, and a link to where it went takes its place */
	snprintf(p, sizeof(p), "%s/dir1", e->root);
	snprintf(q, sizeof(q), "%s/outside/dir1", e->dir);
	assert_int_equal(rename(p, q), 0);
	assert_int_equal(symlink(q, p), 0);
	assert_int_equal(scan(e, "dir1/sub", &s, 0), 0);
	assert_int_equal(s.files_deleted, 1);
	assert_string_equal(gone, "dir1/sub\n");
	gone[0] = '\0';
	assert_int_equal(scan(e, "", &s, 0), 0);
	assert_int_equal(s.files_deleted, 4);
	assert_int_equal(query_int(e->db, "SELECT count(*) FROM file_paths"
				   " WHERE path >= CAST('dir1' AS BLOB) AND"
				   " path < CAST('dir2' AS BLOB)"), 0);
	assert_string_equal(gone, "dir1\n");
}

/* Every directory walked keeps a digest of its files; one without (as a
 * failed file leaves it) is compared file by file and gets it back, and a
 * change that keeps a file's size (a new mtime) is still seen. */
static void test_scan_digests(void **state)
{
	struct env *e = *state;
	struct scan_stats s;
	struct timespec t[2] = { { 0, UTIME_OMIT }, { 12345, 0 } };
	char p[160];

	make_tree(e);
	assert_int_equal(scan(e, "", &s, 0), 0);
	assert_int_equal(query_int(e->db, "SELECT count(*) FROM directories"
				   " WHERE digest IS NULL"), 0);
	writer_call(exec_sql, "UPDATE directories SET digest = NULL"
		    " WHERE CAST(path AS TEXT) = 'dir1'");
	assert_int_equal(scan(e, "", &s, 0), 0);
	assert_int_equal(s.files_unchanged, 12);
	assert_int_equal(query_int(e->db, "SELECT count(*) FROM directories"
				   " WHERE digest IS NULL"), 0);

	snprintf(p, sizeof(p), "%s/dir2/file3.txt", e->root);
	assert_int_equal(utimensat(AT_FDCWD, p, t, 0), 0);
	assert_int_equal(scan(e, "", &s, 0), 0);
	assert_int_equal(s.files_changed, 1);
	assert_int_equal(s.files_unchanged, 11);
	assert_int_equal(query_int(e->db, "SELECT mtime_ns FROM file_paths"
				   " WHERE CAST(path AS TEXT) ="
				   " 'dir2/file3.txt'"), 12345000000000LL);
}

/* Digests made by another hash (a store of an older mediamon) match no
 * folder: the next scan compares each folder's files with their rows,
 * finds them unchanged, and keeps the digests it makes. */
static void test_scan_old_digests(void **state)
{
	struct env *e = *state;
	struct scan_stats s;
	const char *sql = "SELECT group_concat(digest) FROM"
		" (SELECT digest FROM directories ORDER BY id)";
	char *made, *again;

	make_tree(e);
	assert_int_equal(scan(e, "", &s, 0), 0);
	made = query_text(e->db, sql);
	assert_non_null(made);
	writer_call(exec_sql, "UPDATE directories SET digest = digest + 1");
	again = query_text(e->db, sql);
	assert_string_not_equal(again, made);
	free(again);
	assert_int_equal(scan(e, "", &s, 0), 0);
	assert_int_equal(s.files_unchanged, 12);
	assert_int_equal(s.files_new + s.files_changed + s.files_deleted +
			 s.files_renamed + s.io_errors, 0);
	again = query_text(e->db, sql);
	assert_string_equal(again, made);
	free(again);
	free(made);
}

/* Wait until the change times of the folders made so far are old enough
 * for a scan to keep their listings (scan.c's LISTING_SETTLE_NS). */
static void settle(void)
{
	struct timespec t = { 1, 100000000 };

	assert_int_equal(nanosleep(&t, NULL), 0);
}

static int64_t listings_of(struct env *e, const char *dir)
{
	char sql[200];

	snprintf(sql, sizeof(sql), "SELECT count(*) FROM dir_listings l"
		 " JOIN directories d ON d.id = l.dir_id"
		 " WHERE CAST(d.path AS TEXT) = '%s'", dir);
	return query_int(e->db, sql);
}

/*
 * A folder whose change time and inode are those its listing was kept
 * under is not listed again: its names come from the store. Only an
 * unchanged folder is found that way: a file changed under the same
 * names is seen, a name added or renamed moves the folder's change time,
 * a listing kept in another form is set aside, and a folder changed
 * within the last second keeps none until a scan finds it settled.
 */
static void test_scan_listings(void **state)
{
	struct env *e = *state;
	struct scan_stats s;
	struct timespec t[2] = { { 0, UTIME_OMIT }, { 12345, 0 } };
	char p[160], q[200];

	make_tree(e);
	/* changed a moment ago: listed, and no listing kept */
	assert_int_equal(scan(e, "", &s, 0), 0);
	assert_int_equal(s.files_new, 12);
	assert_int_equal(query_int(e->db, "SELECT count(*) FROM dir_listings"),
			 0);
	settle();
	assert_int_equal(scan(e, "", &s, 0), 0);
	assert_int_equal(s.dirs_from_store, 0);
	assert_int_equal(query_int(e->db, "SELECT count(*) FROM dir_listings"),
			 4);
	assert_int_equal(scan(e, "", &s, 0), 0);
	assert_int_equal(s.dirs_from_store, 4);
	assert_int_equal(s.files_unchanged, 12);
	assert_int_equal(s.files_seen, 12);

	/* a new file, a renamed one: those folders are listed again */
	snprintf(p, sizeof(p), "%s/dir0/new.txt", e->root);
	write_file(p, "y");
	snprintf(p, sizeof(p), "%s/dir1/file0.txt", e->root);
	snprintf(q, sizeof(q), "%s/dir1/moved.txt", e->root);
	assert_int_equal(rename(p, q), 0);
	/* the same names, one file with a new mtime: from the store, but
	 * its digest differs, so the folder is listed and compared */
	snprintf(p, sizeof(p), "%s/dir2/file3.txt", e->root);
	assert_int_equal(utimensat(AT_FDCWD, p, t, 0), 0);
	assert_int_equal(scan(e, "", &s, 0), 0);
	assert_int_equal(s.dirs_from_store, 1);
	assert_int_equal(s.files_new, 1);
	assert_int_equal(s.files_renamed, 1);
	assert_int_equal(s.files_changed, 1);
	assert_int_equal(s.files_unchanged, 10);
	assert_int_equal(listings_of(e, "dir0"), 0);
	assert_int_equal(listings_of(e, "dir1"), 0);
	assert_int_equal(listings_of(e, "dir2"), 1);
	assert_int_equal(query_int(e->db, "SELECT count(*) FROM file_paths"
				   " WHERE CAST(path AS TEXT) IN"
				   " ('dir0/new.txt', 'dir1/moved.txt')"), 2);

	/* a listing the scan cannot read is not taken */
	settle();
	writer_call(exec_sql, "UPDATE dir_listings SET names = x'0800'");
	assert_int_equal(scan(e, "", &s, 0), 0);
	assert_int_equal(s.dirs_from_store, 0);
	assert_int_equal(s.files_unchanged, 13);
	assert_int_equal(s.files_new + s.files_changed + s.files_deleted, 0);
	assert_int_equal(query_int(e->db, "SELECT count(*) FROM dir_listings"),
			 4);
	assert_int_equal(scan(e, "", &s, 0), 0);
	assert_int_equal(s.dirs_from_store, 4);

	/* a folder gone takes its listing with it; the root's, kept under
	 * a change time it no longer has, waits to be replaced */
	snprintf(p, sizeof(p), "%s/dir0", e->root);
	snprintf(q, sizeof(q), "rm -r '%s'", p);
	assert_int_equal(system(q), 0);
	assert_int_equal(scan(e, "", &s, 0), 0);
	assert_int_equal(s.files_deleted, 5);
	assert_int_equal(s.dirs_from_store, 2);
	assert_int_equal(listings_of(e, "dir0"), 0);
	assert_int_equal(query_int(e->db, "SELECT count(*) FROM dir_listings"),
			 3);
	settle();
	assert_int_equal(scan(e, "", &s, 0), 0);
	assert_int_equal(s.dirs_from_store, 2);
	assert_int_equal(scan(e, "", &s, 0), 0);
	assert_int_equal(s.dirs_from_store, 3);
	assert_int_equal(s.files_unchanged, 8);
}

/* A walk goes depth first, each folder's subfolders in the order of the
 * paths below them ("a b/y" before "a/x", ' ' coming before '/'), so
 * that a first scan on one thread adds its folders in about the order
 * of the store's path index. */
static void test_scan_walk_order(void **state)
{
	static const char *const dirs[] = {
		"b", "a", "a/x", "a/x/z", "a-", "a b", "a b/y",
	};
	struct env *e = *state;
	struct scan_stats s;
	char p[160], *order;

	for (size_t i = 0; i < sizeof(dirs) / sizeof(*dirs); i++) {
		snprintf(p, sizeof(p), "%s/%s", e->root, dirs[i]);
		assert_int_equal(mkdir(p, 0755), 0);
	}
	scan_threads = 1;
	assert_int_equal(scan(e, "", &s, 0), 0);
	scan_threads = 2;
	order = query_text(e->db, "SELECT group_concat(CAST(path AS TEXT),"
			   " '|') FROM (SELECT path FROM directories"
			   " ORDER BY id)");
	assert_string_equal(order, "|a b|a b/y|a-|a|a/x|a/x/z|b");
	free(order);
}

/* A root of more folders than one thread reads alone at a scan's start
 * is read in two halves, on two threads: every folder is found again, a
 * change in either half is seen, and a folder gone from either is
 * deleted (and told of, in path order). */
static void test_scan_many_folders(void **state)
{
	struct env *e = *state;
	struct scan_stats s;
	char p[160];

	for (int d = 0; d < 8200; d++) {
		snprintf(p, sizeof(p), "%s/d%05d", e->root, d);
		assert_int_equal(mkdir(p, 0755), 0);
		snprintf(p, sizeof(p), "%s/d%05d/f.txt", e->root, d);
		write_file(p, "x");
	}
	assert_int_equal(scan(e, "", &s, 0), 0);
	assert_int_equal(s.files_new, 8200);
	assert_true(query_int(e->db, "SELECT max(id) FROM directories") >=
		    8192);
	assert_int_equal(scan(e, "", &s, 0), 0);
	assert_int_equal(s.files_unchanged, 8200);
	assert_int_equal(s.files_new + s.files_changed + s.files_deleted, 0);

	snprintf(p, sizeof(p), "%s/d00010/f.txt", e->root);
	write_file(p, "longer");
	snprintf(p, sizeof(p), "%s/d08190/f.txt", e->root);
	write_file(p, "longer");
	snprintf(p, sizeof(p), "%s/d08180/f.txt", e->root);
	assert_int_equal(unlink(p), 0);
	snprintf(p, sizeof(p), "%s/d08180", e->root);
	assert_int_equal(rmdir(p), 0);
	snprintf(p, sizeof(p), "%s/d00020/f.txt", e->root);
	assert_int_equal(unlink(p), 0);
	snprintf(p, sizeof(p), "%s/d00020", e->root);
	assert_int_equal(rmdir(p), 0);
	gone[0] = '\0';
	assert_int_equal(scan(e, "", &s, 0), 0);
	assert_int_equal(s.files_changed, 2);
	assert_int_equal(s.files_deleted, 2);
	assert_int_equal(s.files_unchanged, 8196);
	assert_int_equal(s.files_new, 0);
	assert_int_equal(query_int(e->db, "SELECT count(*) FROM directories"),
			 8199);
	assert_string_equal(gone, "d00020\nd08180\n");
}

/* The indexes of files and tracks, as the store has them, one a line. */
static void index_sql(struct env *e, char *out, size_t size)
{
	sqlite3 *db;
	sqlite3_stmt *st;

	out[0] = '\0';
	assert_int_equal(db_open(e->db, 1, &db), 0);
	assert_int_equal(db_prepare(db, "SELECT sql FROM sqlite_schema WHERE"
				    " type = 'index' AND tbl_name IN ('files',"
				    " 'tracks') AND sql IS NOT NULL ORDER BY"
				    " name", &st), 0);
	while (sqlite3_step(st) == SQLITE_ROW) {
		strncat(out, (const char *)sqlite3_column_text(st, 0),
			size - strlen(out) - 2);
		strcat(out, "\n");
	}
	sqlite3_finalize(st);
	db_close(db);
}

/* A first scan of an empty store drops the secondary indexes of files
 * and tracks and builds them at its end as the migrations made them;
 * a writer that starts after a bulk load was cut short builds them. */
static void test_bulk_indexes(void **state)
{
	struct env *e = *state;
	struct scan_stats s;
	char before[2048], after[2048];
	sqlite3 *db;

	index_sql(e, before, sizeof(before));
	assert_non_null(strstr(before, "tracks_genre"));
	assert_int_equal(writer_call(music_bulk_begin, NULL), 0);
	index_sql(e, after, sizeof(after));
	assert_null(strstr(after, "tracks_genre"));
	/* the files stay unique by folder and name while it runs */
	assert_non_null(strstr(after, "files_name"));
	assert_int_equal(writer_call(music_bulk_end, NULL), 0);
	index_sql(e, after, sizeof(after));
	assert_string_equal(after, before);

	make_tree(e);
	assert_int_equal(scan(e, "", &s, 0), 0);
	assert_int_equal(s.files_new, 12);
	index_sql(e, after, sizeof(after));
	assert_string_equal(after, before);
	/* a store that has files keeps them */
	assert_int_equal(writer_call(music_bulk_begin, NULL), 0);
	index_sql(e, after, sizeof(after));
	assert_string_equal(after, before);

	writer_stop();
	assert_int_equal(db_open(e->db, 0, &db), 0);
	assert_int_equal(schema_drop_bulk_indexes(db), 0);
	db_close(db);
	index_sql(e, after, sizeof(after));
	assert_null(strstr(after, "tracks_genre"));
	assert_int_equal(writer_register(&music_writer_ops), 0);
	assert_int_equal(writer_start(e->db), 0);
	index_sql(e, after, sizeof(after));
	assert_string_equal(after, before);
}

/* Each running total (schema version 26) and the count it stands for. */
static const struct {
	const char *name, *count;
} recounts[] = {
	{ "tracks", "SELECT count(*) FROM tracks" },
	{ "albums", "SELECT count(*) FROM albums" },
	{ "artists", "SELECT count(*) FROM artists" },
	{ "files", "SELECT count(*) FROM files" },
	{ "series", "SELECT count(*) FROM series" },
	{ "volumes", "SELECT count(*) FROM volumes WHERE kind = 'volume'" },
	{ "broken_links", "SELECT count(*) FROM rd_links WHERE broken" },
	{ "albums_with_cover", "SELECT count(*) FROM album_covers" },
	{ "analysis_queued", "SELECT count(*) FROM analysis_queue" },
	{ "analysis_ok", "SELECT count(*) FROM analysis WHERE state = 'ok'" },
	{ "analysis_failed",
	  "SELECT count(*) FROM analysis WHERE state = 'failed'" },
};

/* The albums with a cover, recounted for the trees of these tests: an
 * embedded picture, or cover.jpg beside a track or above its disc
 * folder (CD1). */
#define COVERED_ALBUMS \
	"SELECT group_concat(id) FROM (SELECT al.id FROM albums al" \
	" WHERE EXISTS (SELECT 1 FROM tracks t JOIN pictures p" \
	" ON p.file_id = t.file_id WHERE t.album_id = al.id)" \
	" OR EXISTS (SELECT 1 FROM tracks t JOIN files f ON f.id = t.file_id" \
	" JOIN directories d ON d.id = f.dir_id JOIN directories u" \
	" ON u.root_id = d.root_id AND (u.id = d.id OR u.path || '/CD1'" \
	" = CAST(d.path AS TEXT)) JOIN files i ON i.dir_id = u.id" \
	" AND i.kind = 'other' AND CAST(i.name AS TEXT) = 'cover.jpg'" \
	" WHERE t.album_id = al.id) ORDER BY al.id)"

/* Every running total is what a count of the rows gives. */
static void assert_totals(struct env *e)
{
	char sql[160];
	char *kept, *counted;

	writer_call(NULL, NULL);
	for (size_t i = 0; i < sizeof(recounts) / sizeof(recounts[0]); i++) {
		snprintf(sql, sizeof(sql), "SELECT n FROM totals"
			 " WHERE name = '%s'", recounts[i].name);
		if (query_int(e->db, sql) != query_int(e->db,
						       recounts[i].count))
			fail_msg("total %s is %lld, counted %lld",
				 recounts[i].name,
				 (long long)query_int(e->db, sql),
				 (long long)query_int(e->db,
						      recounts[i].count));
	}
	assert_int_equal(query_int(e->db, "SELECT count(*) FROM roots r"
				   " WHERE coalesce((SELECT files FROM"
				   " root_totals WHERE root_id = r.id), 0)"
				   " != (SELECT count(*) FROM files"
				   " WHERE root_id = r.id)"), 0);
	kept = query_text(e->db, "SELECT group_concat(album_id) FROM"
			  " (SELECT album_id FROM album_covers"
			  " ORDER BY album_id)");
	counted = query_text(e->db, COVERED_ALBUMS);
	if (kept || counted)
		assert_string_equal(kept ? kept : "", counted ? counted : "");
	free(kept);
	free(counted);
}

/* An image file at path (a file of kind other, as the scan adds it). */
static void put_image(struct env *e, const char *path, int64_t inode)
{
	struct music_rec *rec = file_rec(e, MUSIC_FILE, path, 0, 1, inode);

	rec->kind = "other";
	rec->parsed = 0;
	writer_put(&rec->wr);
}

static void delete_file(struct env *e, const char *name)
{
	char sql[160];
	struct music_rec *rec = music_rec_new(MUSIC_DELETE_FILE, "", 0);

	snprintf(sql, sizeof(sql), "SELECT id FROM files"
		 " WHERE CAST(name AS TEXT) = '%s'", name);
	rec->id = query_int(e->db, sql);
	assert_true(rec->id > 0);
	writer_put(&rec->wr);
}

/* Nothing of the step of version 26 left, as version 25 had it. */
#define UNDO_VERSION_26 \
	"DROP TRIGGER totals_tracks_add; DROP TRIGGER totals_tracks_del;" \
	" DROP TRIGGER totals_albums_add; DROP TRIGGER totals_albums_del;" \
	" DROP TRIGGER totals_artists_add; DROP TRIGGER totals_artists_del;" \
	" DROP TRIGGER totals_album_covers_add;" \
	" DROP TRIGGER totals_album_covers_del;" \
	" DROP TRIGGER totals_series_add; DROP TRIGGER totals_series_del;" \
	" DROP TRIGGER totals_volumes_add; DROP TRIGGER totals_volumes_del;" \
	" DROP TRIGGER totals_rd_links_add; DROP TRIGGER totals_rd_links_del;" \
	" DROP TRIGGER totals_files_add; DROP TRIGGER totals_files_del;" \
	" DROP TRIGGER totals_volumes_set; DROP TRIGGER totals_rd_links_set;" \
	" DROP TRIGGER totals_files_set; DROP TRIGGER totals_tracks_set;" \
	" DROP TRIGGER covers_pictures_add; DROP TRIGGER covers_pictures_del;" \
	" DROP TRIGGER totals_analysis_queue_add;" \
	" DROP TRIGGER totals_analysis_queue_del;" \
	" DROP TRIGGER totals_analysis_replace;" \
	" DROP TRIGGER totals_analysis_add;" \
	" DROP TRIGGER totals_analysis_del; DROP TRIGGER totals_analysis_set;" \
	" DROP TABLE totals; DROP TABLE root_totals; DROP TABLE album_covers;" \
	" DROP TABLE covers_dirty; DROP TABLE covers_dirty_dirs;"

/* The picture the totals tests embed in a track. */
static const struct picture totals_pic = {
	.found = 1, .type = 3, .mime = "image/png", .offset = 1, .length = 2
};

/* Tracks and images come and go; a track moves to another album. */
static void totals_tracks(struct env *e)
{
	struct music_rec *rec;

	put_track(e, "a/1.flac", "One", "Ann", NULL, "Alpha", 1);
	put_track(e, "a/2.flac", "Two", "Ann", NULL, "Alpha", 2);
	put_track(e, "b/1.flac", "Three", "Bob", NULL, "Beta", 3);
	put_track(e, "c/CD1/1.flac", "Four", "Cid", NULL, "Gamma", 4);
	assert_totals(e);
	assert_int_equal(query_int(e->db, "SELECT n FROM totals"
				   " WHERE name = 'tracks'"), 4);
	assert_int_equal(query_int(e->db, "SELECT count(*) FROM"
				   " album_covers"), 0);

	/* an embedded picture, an image beside, an image above CD1 */
	rec = file_rec(e, MUSIC_FILE, "a/1.flac",
		       query_int(e->db, "SELECT id FROM files WHERE"
				 " CAST(name AS TEXT) = '1.flac' LIMIT 1"),
		       2, 1);
	rec->tags.title = strdup("One");
	rec->tags.artist = strdup("Ann");
	rec->tags.album = strdup("Alpha");
	rec->tags.picture = totals_pic;
	writer_put(&rec->wr);
	/* a second upsert of the album marked in the same transaction */
	rec = file_rec(e, MUSIC_FILE, "a/2.flac",
		       query_int(e->db, "SELECT id FROM files WHERE"
				 " CAST(name AS TEXT) = '2.flac'"), 2, 2);
	rec->tags.title = strdup("Two");
	rec->tags.artist = strdup("Ann");
	rec->tags.album = strdup("Alpha");
	writer_put(&rec->wr);
	put_image(e, "b/cover.jpg", 5);
	put_image(e, "c/cover.jpg", 6);
	put_image(e, "c/notes.txt", 7);
	assert_totals(e);
	assert_int_equal(query_int(e->db, "SELECT count(*) FROM"
				   " album_covers"), 3);

	/* images and tracks go; a track moves to another album */
	delete_file(e, "cover.jpg");
	delete_file(e, "2.flac");
	put_track(e, "b/2.flac", "Five", "Bob", NULL, "Delta", 8);
	assert_totals(e);
	rec = music_rec_new(MUSIC_DELETE_DIR, "", 0);
	rec->id = query_int(e->db, "SELECT id FROM directories"
			    " WHERE CAST(path AS TEXT) = 'a'");
	writer_put(&rec->wr);
	writer_call(music_drop_orphans, NULL);
	assert_totals(e);
}

/*
 * A bulk load (the writer counts) cut short: the next start makes the
 * triggers again and settles every album's cover.
 */
static void totals_bulk(struct env *e)
{
	struct music_rec *rec;
	char cmd[256];

	writer_stop();
	snprintf(cmd, sizeof(cmd), "rm %s", e->db);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(writer_register(&music_writer_ops), 0);
	assert_int_equal(writer_start(e->db), 0);
	writer_call(add_root, e);
	assert_int_equal(writer_call(music_bulk_begin, NULL), 0);
	for (int i = 0; i < 30; i++) {
		snprintf(cmd, sizeof(cmd), "k%d/%d.flac", i / 10, i);
		rec = file_rec(e, MUSIC_FILE, cmd, 0, 1, 100 + i);
		rec->wr.bulk = 1;
		rec->tags.title = strdup(cmd);
		rec->tags.artist = strdup(i % 2 ? "Odd" : "Even");
		rec->tags.album = strdup(i < 10 ? "K0" : i < 20 ? "K1" : "K2");
		if (i == 25)
			rec->tags.picture = totals_pic;
		writer_put(&rec->wr);
	}
	writer_call(NULL, NULL);
	assert_int_equal(query_int(e->db, "SELECT count(*) FROM sqlite_master"
				   " WHERE name = 'totals_files_add'"), 0);
	assert_int_equal(query_int(e->db, "SELECT n FROM totals"
				   " WHERE name = 'tracks'"), 30);
	writer_stop();
	assert_int_equal(writer_register(&music_writer_ops), 0);
	assert_int_equal(writer_start(e->db), 0);
	assert_totals(e);
	assert_int_equal(query_int(e->db, "SELECT count(*) FROM"
				   " album_covers"), 1);
	put_track(e, "k0/new.flac", "New", "Odd", NULL, "K0", 200);
	assert_totals(e);
}

/*
 * Scans (a first, a cancelled one, a rescan), manga, Real-Debrid and
 * analysis rows.
 */
static void totals_scans(struct env *e)
{
	struct scan_stats s;
	char cmd[256];

	/* scans: a first one of a tree (bulk), a rescan, a cancelled one */
	writer_stop();
	snprintf(cmd, sizeof(cmd), "rm %s", e->db);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(writer_register(&music_writer_ops), 0);
	assert_int_equal(writer_start(e->db), 0);
	writer_call(add_root, e);
	make_tree(e);
	assert_int_equal(scan(e, "", &s, 0), 0);
	assert_totals(e);
	assert_int_equal(query_int(e->db, "SELECT files FROM root_totals"),
			 12);
	snprintf(cmd, sizeof(cmd), "rm -r %s/dir0", e->root);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(scan(e, "", &s, 1), -ECANCELED);
	assert_totals(e);
	assert_int_equal(scan(e, "", &s, 0), 0);
	assert_totals(e);
	assert_int_equal(query_int(e->db, "SELECT files FROM root_totals"),
			 8);

	/* manga and Real-Debrid rows */
	assert_int_equal(writer_call(exec_sql,
		"INSERT INTO series (root_id, path, name) VALUES (1, 'S', 'S');"
		" INSERT INTO volumes (series_id, kind, first, last, path)"
		" VALUES (1, 'volume', 1, 1, 'v1'), (1, 'chapter', 2, 2, 'c2'),"
		" (1, 'volume', 3, 3, 'v3');"
		" UPDATE volumes SET kind = 'volume' WHERE path = 'c2';"
		" DELETE FROM volumes WHERE path = 'v1';"
		" INSERT INTO rd_links (path, target, broken, seen_at)"
		" VALUES ('l1', 't', 1, 0), ('l2', 't', 0, 0),"
		" ('l3', 't', 1, 0);"
		" UPDATE rd_links SET broken = 1 WHERE path = 'l2';"
		" DELETE FROM rd_links WHERE path = 'l1';"), 0);
	assert_totals(e);
	assert_int_equal(query_int(e->db, "SELECT n FROM totals"
				   " WHERE name = 'broken_links'"), 2);

	/* analyses come, are replaced, change state and go */
	put_track(e, "dir1/u.flac", "Seven", "Eve", NULL, "Eta", 22);
	put_track(e, "dir1/v.flac", "Eight", "Eve", NULL, "Eta", 23);
	writer_call(NULL, NULL);
	assert_int_equal(writer_call(exec_sql,
		"INSERT INTO analysis (track_id, state, analysed_at)"
		" SELECT id, 'ok', 0 FROM tracks;"
		" INSERT OR REPLACE INTO analysis"
		" (track_id, state, analysed_at)"
		" SELECT id, 'failed', 0 FROM tracks LIMIT 1;"
		" UPDATE analysis SET state = 'failed' WHERE track_id ="
		" (SELECT max(track_id) FROM analysis);"
		" DELETE FROM analysis_queue WHERE track_id ="
		" (SELECT min(id) FROM tracks);"), 0);
	assert_totals(e);
	delete_file(e, "v.flac");
	assert_totals(e);
	assert_int_equal(query_int(e->db, "SELECT n FROM totals"
				   " WHERE name = 'analysis_failed'"), 1);
}

/* A store of version 23 counts once and settles its covers. */
static void totals_old_store(struct env *e)
{
	sqlite3 *db;

	put_track(e, "dir1/t.flac", "Six", "Eve", NULL, "Eta", 20);
	writer_call(NULL, NULL);
	writer_stop();
	assert_int_equal(db_open(e->db, 0, &db), 0);
	assert_int_equal(db_exec(db, UNDO_SINCE_38
				 UNDO_VERSION_36
				 UNDO_VERSION_35
				 UNDO_VERSION_34
				 UNDO_VERSION_32 UNDO_VERSION_31
				 UNDO_VERSION_30
				 UNDO_VERSION_29
				 UNDO_VERSION_28
				 UNDO_VERSION_26 UNDO_VERSION_25
				 " INSERT INTO artists (name) VALUES ('Zed');"
				 " PRAGMA user_version = 23"), 0);
	db_close(db);
	assert_int_equal(writer_register(&music_writer_ops), 0);
	assert_int_equal(writer_start(e->db), 0);
	assert_totals(e);
	assert_int_equal(query_int(e->db, "SELECT count(*) FROM"
				   " album_covers"), 0);
	put_image(e, "dir1/cover.jpg", 21);
	assert_totals(e);
	assert_int_equal(query_int(e->db, "SELECT count(*) FROM"
				   " album_covers"), 1);
}

/* The running totals and the albums with a cover follow the rows through
 * inserts, updates, deletes, scans (a first one, a rescan, a cancelled
 * one) and a migration from version 23. */
static void test_totals_follow_rows(void **state)
{
	struct env *e = *state;

	totals_tracks(e);
	totals_bulk(e);
	totals_scans(e);
	totals_old_store(e);
}

/* The writer keeps no digest for a directory one of whose file records
 * failed, so that its next walk looks at every file again; the record
 * after keeps it. */
static void test_digest_not_kept_after_a_failure(void **state)
{
	struct env *e = *state;
	struct music_rec *rec = file_rec(e, MUSIC_FILE, "d/bad.flac", 0, 1,
					  5);
	uint64_t errors = writer_errors();

	rec->kind = NULL;	/* files.kind is NOT NULL: it fails */
	writer_put(&rec->wr);
	for (int i = 0; i < 2; i++) {
		rec = music_rec_new(MUSIC_DIR, "d", 1);
		assert_non_null(rec);
		rec->root_id = e->root_id;
		rec->has_digest = 1;
		rec->digest = 42;
		writer_put(&rec->wr);
		writer_call(NULL, NULL);
		assert_int_equal(query_int(e->db, "SELECT count(*) FROM"
					   " directories WHERE digest = 42"),
				 i);
	}
	assert_int_equal(writer_errors(), errors + 1);
}

/* A track's picture location is stored with it, replaced when the file
 * changes and dropped when it has none any more or goes. */
static void test_picture_kept(void **state)
{
	struct env *e = *state;
	struct music_rec *rec = file_rec(e, MUSIC_FILE, "p.flac", 0, 1, 9);
	struct picture pic = { .found = 1, .type = 3, .mime = "image/png",
			       .offset = 1234, .length = 5678 };
	int64_t file;

	rec->tags.title = strdup("Pictured");
	rec->tags.picture = pic;
	writer_put(&rec->wr);
	writer_call(NULL, NULL);
	file = query_int(e->db, "SELECT id FROM files");
	assert_int_equal(query_int(e->db, "SELECT offset + length + type"
				   " FROM pictures WHERE mime = 'image/png'"),
			 1234 + 5678 + 3);
	rec = file_rec(e, MUSIC_FILE, "p.flac", file, 2, 9);
	rec->tags.title = strdup("Pictured");
	rec->tags.picture = pic;
	rec->tags.picture.length = 10;
	rec->tags.picture.unsync = 1;
	writer_put(&rec->wr);
	writer_call(NULL, NULL);
	assert_int_equal(query_int(e->db, "SELECT length + unsync FROM"
				   " pictures"), 11);
	rec = file_rec(e, MUSIC_FILE, "p.flac", file, 3, 9);
	rec->tags.title = strdup("Bare");
	writer_put(&rec->wr);
	writer_call(NULL, NULL);
	assert_int_equal(query_int(e->db, "SELECT count(*) FROM pictures"), 0);
	rec = file_rec(e, MUSIC_FILE, "p.flac", file, 4, 9);
	rec->tags.title = strdup("Pictured");
	rec->tags.picture = pic;
	writer_put(&rec->wr);
	rec = music_rec_new(MUSIC_DELETE_FILE, "", 0);
	rec->id = file;
	writer_put(&rec->wr);
	writer_call(NULL, NULL);
	assert_int_equal(query_int(e->db, "SELECT count(*) FROM pictures"), 0);
}

/* A store from before pictures had rows reads its pictured tracks again:
 * the step makes their mtimes stale. */
static void test_picture_step_rereads(void **state)
{
	struct env *e = *state;
	struct music_rec *rec = file_rec(e, MUSIC_FILE, "q.flac", 0, 77, 9);
	sqlite3 *db;

	rec->tags.title = strdup("Old");
	rec->tags.has_picture = 1;
	writer_put(&rec->wr);
	put_track(e, "r.flac", "Plain", "A", NULL, "B", 10);
	writer_stop();
	assert_int_equal(db_open(e->db, 0, &db), 0);
	assert_int_equal(db_exec(db, UNDO_SINCE_38
				 UNDO_VERSION_36
				 UNDO_VERSION_35
				 UNDO_VERSION_34
				 UNDO_VERSION_32 UNDO_VERSION_31
				 UNDO_VERSION_30
				 UNDO_VERSION_29
				 UNDO_VERSION_28
				 UNDO_VERSION_25 UNDO_VERSION_22 UNDO_VERSION_21
				 " DROP TABLE pictures;"
				 " DROP TABLE settings;"
				 " ALTER TABLE directories DROP COLUMN digest;"
				 " ALTER TABLE files"
				 " DROP COLUMN tag_error_reason;"
				 " ALTER TABLE tracks DROP COLUMN tag_source;"
				 UNDO_VERSION_17
				 " PRAGMA user_version = 7"), 0);
	assert_int_equal(schema_migrate(db), 0);
	db_close(db);
	assert_int_equal(query_int(e->db, "SELECT mtime_ns FROM file_paths"
				   " WHERE CAST(path AS TEXT) = 'q.flac'"), 0);
	assert_int_equal(query_int(e->db, "SELECT mtime_ns FROM file_paths"
				   " WHERE CAST(path AS TEXT) = 'r.flac'"), 1);
	assert_int_equal(writer_register(&music_writer_ops), 0);
	assert_int_equal(writer_start(e->db), 0);
}

/* An archive the scan read before version 32 is made to look changed,
 * its folder's digest forgotten, so that the next scan learns its pages;
 * it keeps what its ComicInfo.xml said meanwhile. Other files stay. */
static void test_page_step_rereads(void **state)
{
	struct env *e = *state;
	struct music_rec *rec = file_rec(e, MUSIC_FILE, "m/v1.cbz", 0, 77, 9);
	sqlite3 *db;
	char *rows;

	rec->kind = "archive";
	rec->ci.found = 1;
	rec->ci.series = strdup("M");
	rec->ci.volume = 1;
	rec->ci.pages = 12;
	rec->ci.cover = "png";
	writer_put(&rec->wr);
	rec = file_rec(e, MUSIC_FILE, "m/v2.cbz", 0, 78, 10);
	rec->kind = "archive";
	rec->ci.pages = 3;
	rec->ci.cover = "jpg";
	writer_put(&rec->wr);
	rec = file_rec(e, MUSIC_FILE, "m/v3.cbz", 0, 79, 11);
	rec->kind = "archive";
	writer_put(&rec->wr);
	put_track(e, "r.flac", "Plain", "A", NULL, "B", 12);
	writer_stop();
	/* what the scan learnt: no row for an archive with nothing */
	rows = query_text(e->db, "SELECT group_concat(pages || cover ||"
			  " coalesce(series, '-'), ' ') FROM"
			  " (SELECT * FROM comicinfo ORDER BY pages)");
	assert_non_null(rows);
	assert_string_equal(rows, "3jpg- 12pngM");
	free(rows);
	assert_int_equal(db_open(e->db, 0, &db), 0);
	assert_int_equal(db_exec(db, UNDO_SINCE_38
				 UNDO_VERSION_36
				 UNDO_VERSION_35
				 UNDO_VERSION_34
				 UNDO_VERSION_32
				 " UPDATE directories SET digest = x'00';"
				 " PRAGMA user_version = 31"), 0);
	assert_int_equal(schema_migrate(db), 0);
	db_close(db);
	assert_int_equal(query_int(e->db, "SELECT count(*) FROM comicinfo"
				   " WHERE pages IS NULL AND cover IS NULL"),
			 2);
	assert_int_equal(query_int(e->db, "SELECT count(*) FROM comicinfo"
				   " WHERE series = 'M' AND volume = 1"), 1);
	assert_int_equal(query_int(e->db, "SELECT sum(mtime_ns) FROM"
				   " file_paths WHERE kind = 'archive'"), 0);
	assert_int_equal(query_int(e->db, "SELECT mtime_ns FROM file_paths"
				   " WHERE CAST(path AS TEXT) = 'r.flac'"), 1);
	assert_int_equal(query_int(e->db, "SELECT count(*) FROM directories"
				   " WHERE digest IS NULL"
				   " AND CAST(path AS TEXT) = 'm'"), 1);
	assert_int_equal(query_int(e->db, "SELECT count(*) FROM directories"
				   " WHERE digest IS NULL"), 1);
	assert_int_equal(writer_register(&music_writer_ops), 0);
	assert_int_equal(writer_start(e->db), 0);
}

/* Every file as "id:path" (in hex: some are no UTF-8), by id, from sql's
 * rows. */
#define FILE_LINES(from) \
	"SELECT group_concat(x, ' ') FROM (SELECT id || ':' || hex(path)" \
	" AS x FROM " from " ORDER BY id)"

/* Four files written at the top, deep, under names that are no UTF-8
 * and with a tag error, then the store taken back to version 20 with a
 * fifth as version 20 wrote them: "\xc3/\n\xff.mp3", damaged, its
 * folder no UTF-8 either. The writer is stopped. */
static void put_files_as_version_20(struct env *e)
{
	struct picture pic = { .found = 1, .type = 3, .mime = "image/png",
			       .offset = 1, .length = 2 };
	struct music_rec *rec = file_rec(e, MUSIC_FILE, "top.flac", 0, 1, 1);
	sqlite3 *db;

	rec->tags.title = strdup("Top");
	rec->tags.picture = pic;
	writer_put(&rec->wr);
	put_track(e, "a/b/c/deep.flac", "Deep", "Ann", NULL, "Disc", 2);
	put_track(e, "odd \xff\xfe/\x80name.flac", "Odd", "Ann", NULL, "Disc",
		  3);
	rec = file_rec(e, MUSIC_FILE, "a/bad.mp3", 0, 1, 4);
	rec->tags.title = strdup("Bad");
	rec->tags.tag_error = 1;
	strcpy(rec->tags.error, "frame cut short");
	writer_put(&rec->wr);
	writer_stop();
	assert_int_equal(db_open(e->db, 0, &db), 0);
	assert_int_equal(db_exec(db, UNDO_SINCE_38
				 UNDO_VERSION_36
				 UNDO_VERSION_35
				 UNDO_VERSION_34
				 UNDO_VERSION_32 UNDO_VERSION_31
				 UNDO_VERSION_30
				 UNDO_VERSION_29
				 UNDO_VERSION_28
				 UNDO_VERSION_25 UNDO_VERSION_22 UNDO_VERSION_21
				 " INSERT INTO directories (root_id, path,"
				 " mtime_ns) SELECT id, x'c3', 0 FROM roots;"
				 " INSERT INTO files (root_id, dir_id, path,"
				 " size, mtime_ns, inode, kind, tag_error,"
				 " tag_error_reason) SELECT root_id,"
				 " last_insert_rowid(), x'c32f0aff2e6d7033',"
				 " 1, 1, 5, 'mp3', 1, 'cut' FROM directories"
				 " WHERE id = last_insert_rowid();"
				 " INSERT INTO comicinfo (file_id, series)"
				 " SELECT id, 'S' FROM files WHERE"
				 " CAST(path AS TEXT) = 'a/b/c/deep.flac';"
				 " PRAGMA user_version = 20"), 0);
	db_close(db);
}

/* A version-20 store, which kept each file's path from its root, keeps
 * every file through version 21 with its id and path, at the root's top
 * or deep, whatever bytes its name holds, with its tag error; nothing
 * that points at a file loses it. */
static void test_files_named_in_folders(void **state)
{
	struct env *e = *state;
	char *before, *after, *errors;
	int64_t queued;
	sqlite3 *db;

	put_files_as_version_20(e);
	before = query_text(e->db, FILE_LINES("files"));
	assert_non_null(before);
	queued = query_int(e->db, "SELECT count(*) FROM analysis_queue");
	assert_int_equal(query_int(e->db, "SELECT count(*) FROM files"), 5);

	assert_int_equal(db_open(e->db, 0, &db), 0);
	assert_int_equal(schema_migrate(db), 0);
	db_close(db);
	after = query_text(e->db, FILE_LINES("file_paths"));
	assert_string_equal(after, before);
	assert_int_equal(query_int(e->db, "PRAGMA user_version"),
			 schema_version());
	assert_int_equal(query_int(e->db, "SELECT count(*) FROM files WHERE"
				   " name = CAST('top.flac' AS BLOB)"
				   " AND dir_id = (SELECT id FROM directories"
				   " WHERE path = x'')"), 1);
	assert_int_equal(query_int(e->db, "SELECT count(*) FROM files WHERE"
				   " name = x'806e616d652e666c6163'"), 1);
	assert_int_equal(query_int(e->db, "SELECT count(*) FROM files WHERE"
				   " name = x'0aff2e6d7033'"), 1);
	errors = query_text(e->db, "SELECT group_concat(x, ' ') FROM"
			    " (SELECT hex(path) || ':' || tag_error_reason"
			    " AS x FROM file_paths WHERE tag_error"
			    " ORDER BY path)");
	assert_string_equal(errors, "612F6261642E6D7033:frame cut short"
			    " C32F0AFF2E6D7033:cut");
	assert_int_equal(query_int(e->db, "SELECT count(*) FROM tracks t"
				   " JOIN files f ON f.id = t.file_id"), 4);
	assert_int_equal(query_int(e->db, "SELECT count(*) FROM pictures p"
				   " JOIN files f ON f.id = p.file_id"), 1);
	assert_int_equal(query_int(e->db, "SELECT count(*) FROM comicinfo c"
				   " JOIN files f ON f.id = c.file_id"), 1);
	assert_int_equal(query_int(e->db, "SELECT count(*) FROM"
				   " analysis_queue"), queued);
	assert_int_equal(query_int(e->db, "SELECT count(*) FROM sqlite_master"
				   " WHERE name IN ('files_dir', 'files_old',"
				   " 'files_new')"), 0);
	assert_int_equal(query_int(e->db, "SELECT count(*) FROM"
				   " pragma_foreign_key_check"), 0);
	/* the same check sees a file that is not there */
	assert_int_equal(db_open(e->db, 0, &db), 0);
	assert_int_equal(db_exec(db, "PRAGMA foreign_keys = OFF; INSERT"
				 " INTO comicinfo (file_id) VALUES (99)"), 0);
	db_close(db);
	assert_int_equal(query_int(e->db, "SELECT count(*) FROM"
				   " pragma_foreign_key_check"), 1);
	free(before);
	free(after);
	free(errors);
	assert_int_equal(writer_register(&music_writer_ops), 0);
	assert_int_equal(writer_start(e->db), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_totals_follow_rows, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_schema_versions, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_mbids_cleaned, setup,
						teardown),
		cmocka_unit_test_setup_teardown(
			test_artists_and_albums_deduplicated, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rename_and_delete, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_tracks_fts_follows_tracks,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_tracks_fts_backfilled,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_picture_kept, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_page_step_rereads,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_picture_step_rereads,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_files_named_in_folders,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_orphans_dropped, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_generation_moves_per_batch,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_scan_incremental, setup,
						teardown),
		cmocka_unit_test_setup_teardown(
			test_scan_subtree_and_vanished_path, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_scan_cancelled_deletes_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_scan_missing_root_deletes_nothing, setup,
			teardown),
		cmocka_unit_test_setup_teardown(test_scan_skips_special_files,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_scan_links_by_rule,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_scan_through_folder_links, setup, teardown),
		cmocka_unit_test_setup_teardown(test_scan_digests, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_scan_old_digests, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_scan_listings, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_scan_walk_order, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_scan_many_folders, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_tracks_fts_stays_whole,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_bulk_indexes, setup,
						teardown),
		cmocka_unit_test_setup_teardown(
			test_added_tracks_indexed_and_queued, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_analysis_queue_keyed_by_track, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_digest_not_kept_after_a_failure, setup, teardown),
	};

	log_set_level(LOG_ERROR);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
