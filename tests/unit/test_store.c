/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The store and its writer on real temporary trees: schema versions,
 * deduplication of artists and albums, renames keeping a track's
 * identity, deletions, orphans, the full-text index of tracks, the
 * analysis queue and the generation a batch moves.
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
#include "musicdb.h"
#include "testdb.h"

static void test_schema_versions(void **state)
{
	struct musicdb *e = *state;
	sqlite3 *db;

	writer_call(NULL, NULL);
	assert_int_equal(musicdb_int(e->db, "PRAGMA user_version"),
			 schema_version());
	assert_int_equal(musicdb_int(e->db, "PRAGMA journal_mode ="
					    " WAL") >= 0, 1);
	assert_int_equal(db_open(e->db, 0, &db), 0);
	assert_int_equal(schema_migrate(db), 0);
	assert_int_equal(db_exec(db, "PRAGMA user_version = 99"), 0);
	assert_int_equal(schema_migrate(db), -EPROTO);
	assert_int_equal(db_exec(db, "PRAGMA user_version = 13"), 0);
	assert_int_equal(schema_version(), 54);
	db_close(db);
}

/* Version 37 keeps of the MusicBrainz ids a store holds those that are
 * UUIDs, in lower case. */
static void test_mbids_cleaned(void **state)
{
	struct musicdb *e = *state;
	sqlite3 *db;
	char *id;

	musicdb_put_track(e, "m/1.flac", "One", "A", NULL, "B", 1);
	musicdb_put_track(e, "m/2.flac", "Two", "A", NULL, "B", 2);
	musicdb_put_track(e, "m/3.flac", "Three", "A", NULL, "B", 3);
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
	id = musicdb_text(e->db, "SELECT mb_track_id FROM tracks"
			  " WHERE title = 'One'");
	assert_string_equal(id, "1a2b3c4d-0000-4000-8000-00000000000a");
	free(id);
	assert_int_equal(musicdb_int(e->db, "SELECT count(*) FROM tracks"
				     " WHERE mb_track_id IS NOT NULL"
				     " OR mb_artist_id IS NOT NULL"), 1);
	assert_int_equal(musicdb_int(e->db, "SELECT count(*) FROM"
				     " pragma_index_list('tracks')"
				     " WHERE name = 'tracks_mb_track'"), 1);
}

static void test_artists_and_albums_deduplicated(void **state)
{
	struct musicdb *e = *state;

	musicdb_put_track(e, "a/1.flac", "One", "Ann", NULL, "Disc", 1);
	musicdb_put_track(e, "a/2.flac", "Two", "Ann", NULL, "Disc", 2);
	musicdb_put_track(e, "a/3.flac", "Three", "Bob", "Ann", "Disc", 3);
	musicdb_put_track(e, "b/1.flac", "Four", "Bob", NULL, "Disc", 4);
	writer_call(NULL, NULL);
	assert_int_equal(musicdb_int(e->db, "SELECT count(*) FROM tracks"), 4);
	assert_int_equal(musicdb_int(e->db, "SELECT count(*) FROM artists"), 2);
	/* Ann's "Disc" (album artist Ann) and Bob's "Disc" are two albums */
	assert_int_equal(musicdb_int(e->db, "SELECT count(*) FROM albums"), 2);
	assert_int_equal(musicdb_int(e->db, "SELECT count(*) FROM directories"),
			 2);
	assert_int_equal(musicdb_int(e->db, "SELECT count(DISTINCT album_id)"
				     " FROM tracks WHERE album_artist_id ="
				     " (SELECT id FROM artists"
				     " WHERE name = 'Ann')"),
			 1);
}

static void test_rename_and_delete(void **state)
{
	struct musicdb *e = *state;
	struct music_rec *rec;
	int64_t track, file;

	musicdb_put_track(e, "a/1.flac", "One", "Ann", NULL, "Disc", 1);
	writer_call(NULL, NULL);
	track = musicdb_int(e->db, "SELECT id FROM tracks");
	file = musicdb_int(e->db, "SELECT id FROM files");

	rec = musicdb_rec(e, MUSIC_RENAME, "c/renamed.flac", file, 1, 1);
	writer_put(&rec->wr);
	writer_call(NULL, NULL);
	assert_int_equal(musicdb_int(e->db, "SELECT id FROM tracks"), track);
	assert_int_equal(musicdb_int(e->db, "SELECT count(*) FROM file_paths"
				     " WHERE CAST(path AS TEXT) ="
				     " 'c/renamed.flac'"), 1);

	rec = music_rec_new(MUSIC_DELETE_FILE, "", 0);
	rec->id = file;
	writer_put(&rec->wr);
	writer_call(NULL, NULL);
	assert_int_equal(musicdb_int(e->db, "SELECT count(*) FROM tracks"), 0);
}

/* A changed track's old artist and album go once nothing points at them;
 * rows still used stay. */
static void test_orphans_dropped(void **state)
{
	struct musicdb *e = *state;
	struct music_rec *rec;
	int64_t file;

	musicdb_put_track(e, "a/1.flac", "One", "Ann", NULL, "Disc", 1);
	musicdb_put_track(e, "a/2.flac", "Two", "Bob", NULL, "Live", 2);
	writer_call(NULL, NULL);
	file = musicdb_int(e->db, "SELECT id FROM file_paths WHERE"
			   " CAST(path AS TEXT) = 'a/1.flac'");

	rec = musicdb_rec(e, MUSIC_FILE, "a/1.flac", file, 2, 1);
	rec->tags.title = strdup("One");
	rec->tags.artist = strdup("Bob");
	rec->tags.album = strdup("Live");
	writer_put(&rec->wr);
	assert_int_equal(writer_call(music_drop_orphans, NULL), 0);
	assert_int_equal(musicdb_int(e->db, "SELECT count(*) FROM artists"), 1);
	assert_int_equal(musicdb_int(e->db, "SELECT count(*) FROM albums"), 1);
	assert_int_equal(musicdb_int(e->db, "SELECT count(*) FROM artists"
				     " WHERE name = 'Bob'"), 1);

	rec = music_rec_new(MUSIC_DELETE_FILE, "", 0);
	rec->id = file;
	writer_put(&rec->wr);
	assert_int_equal(writer_call(music_drop_orphans, NULL), 0);
	assert_int_equal(musicdb_int(e->db, "SELECT count(*) FROM artists"), 1);
	rec = music_rec_new(MUSIC_DELETE_FILE, "", 0);
	rec->id = musicdb_int(e->db, "SELECT id FROM files");
	writer_put(&rec->wr);
	assert_int_equal(writer_call(music_drop_orphans, NULL), 0);
	assert_int_equal(musicdb_int(e->db, "SELECT count(*) FROM artists"), 0);
	assert_int_equal(musicdb_int(e->db, "SELECT count(*) FROM albums"), 0);
}

/* How many tracks the search index finds for an FTS5 query. */
static int64_t fts_count(struct musicdb *e, const char *match)
{
	char sql[256];

	snprintf(sql, sizeof(sql), "SELECT count(*) FROM tracks_fts"
		 " WHERE tracks_fts MATCH '%s'", match);
	return musicdb_int(e->db, sql);
}

/* The search index follows new tracks, tag changes and deletions, with
 * accents folded. */
static void test_tracks_fts_follows_tracks(void **state)
{
	struct musicdb *e = *state;
	struct music_rec *rec;
	int64_t file;

	musicdb_put_track(e, "a/1.flac", "D\xc3\xa9j\xc3\xa0 Vu",
			  "Beyonc\xc3\xa9", "Destiny", "Dangerously", 1);
	musicdb_put_track(e, "a/2.flac", "Other", "Ann", NULL, "Disc", 2);
	writer_call(NULL, NULL);
	assert_int_equal(fts_count(e, "beyonce"), 1);
	assert_int_equal(fts_count(e, "deja"), 1);
	assert_int_equal(fts_count(e, "dange*"), 1);
	assert_int_equal(fts_count(e, "destiny"), 1);
	assert_int_equal(fts_count(e, "disc OR ann"), 1);
	file = musicdb_int(e->db, "SELECT id FROM file_paths WHERE"
			   " CAST(path AS TEXT) = 'a/1.flac'");

	rec = musicdb_rec(e, MUSIC_FILE, "a/1.flac", file, 2, 1);
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
	struct musicdb *e = *state;
	struct music_rec *rec;
	int64_t file;

	for (int i = 0; i < 3; i++) {
		char path[32];

		snprintf(path, sizeof(path), "b/%d.flac", i);
		rec = musicdb_rec(e, MUSIC_FILE, path, 0, 1, 20 + i);
		rec->wr.bulk = 1;
		rec->tags.title = strdup("Bulk");
		rec->tags.artist = strdup("Zed");
		rec->tags.album = strdup("Load");
		writer_put(&rec->wr);
	}
	musicdb_put_track(e, "c/1.flac", "Plain", "Ann", NULL, "One", 30);
	writer_call(NULL, NULL);
	assert_int_equal(fts_count(e, "bulk"), 3);
	assert_int_equal(fts_count(e, "plain"), 1);
	assert_int_equal(musicdb_int(e->db, "SELECT count(*) FROM"
				     " analysis_queue"), 4);

	file = musicdb_int(e->db, "SELECT id FROM file_paths WHERE"
			   " CAST(path AS TEXT) = 'b/0.flac'");
	rec = music_rec_new(MUSIC_DELETE_FILE, "", 0);
	rec->id = file;
	writer_put(&rec->wr);
	writer_call(NULL, NULL);
	assert_int_equal(fts_count(e, "bulk"), 2);
	assert_int_equal(musicdb_int(e->db, "SELECT count(*) FROM tracks"), 3);
	assert_int_equal(musicdb_int(e->db, "SELECT count(*) FROM"
				     " analysis_queue"), 3);

	writer_call(musicdb_exec, "DELETE FROM analysis_queue");
	rec = musicdb_rec(e, MUSIC_FILE, "d/other.txt", 0, 1, 40);
	rec->kind = "other";
	rec->parsed = 0;
	writer_put(&rec->wr);
	writer_call(NULL, NULL);
	file = musicdb_int(e->db, "SELECT id FROM file_paths WHERE"
			   " CAST(path AS TEXT) = 'd/other.txt'");
	rec = musicdb_rec(e, MUSIC_FILE, "d/other.txt", file, 1, 40);
	rec->tags.title = strdup("Now a track");
	writer_put(&rec->wr);
	rec = musicdb_rec(e, MUSIC_FILE, "c/1.flac",
			  musicdb_int(e->db, "SELECT id FROM file_paths WHERE"
				      " CAST(path AS TEXT) ="
				      " 'c/1.flac'"), 1, 30);
	rec->tags.title = strdup("Plain again");
	writer_put(&rec->wr);
	writer_call(NULL, NULL);
	assert_int_equal(fts_count(e, "now"), 1);
	assert_int_equal(fts_count(e, "plain"), 1);
	assert_int_equal(musicdb_int(e->db, "SELECT count(*) FROM"
				     " analysis_queue"), 1);
}

/* Records of a bulk load into an empty store, n of them under dir, by
 * the artist named dir, the first one's title changed after its commit:
 * a search row to mend. */
static void bulk_put(struct musicdb *e, const char *dir, int n)
{
	struct music_rec *rec;
	char path[32];

	for (int i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%d.flac", dir, i);
		rec = musicdb_rec(e, MUSIC_FILE, path, 0, 1, 50 + i);
		rec->wr.bulk = 1;
		rec->tags.title = strdup("Heap");
		rec->tags.artist = strdup(dir);
		rec->tags.album = strdup("Pile");
		writer_put(&rec->wr);
	}
	writer_call(musicdb_exec, "UPDATE tracks SET title = 'Mended'"
		    " WHERE id = (SELECT min(id) FROM tracks)");
}

/* The search rows and the FTS index agree (FTS5's own check of an index
 * against its content), and n tracks of artist are searchable and
 * queued. */
static void assert_indexed_and_queued(struct musicdb *e, const char *artist,
				      int n)
{
	assert_int_equal(writer_call(musicdb_exec, "INSERT INTO tracks_fts"
				     " (tracks_fts, rank)"
				     " VALUES ('integrity-check', 1)"), 0);
	assert_int_equal(fts_count(e, artist), n);
	assert_int_equal(fts_count(e, "pile"), n);
	assert_int_equal(fts_count(e, "mended"), 1);
	assert_int_equal(fts_count(e, "heap"), n - 1);
	assert_int_equal(musicdb_int(e->db, "SELECT count(*) FROM"
				     " tracks_fts_dirty"), 0);
	assert_int_equal(musicdb_int(e->db, "SELECT count(*) FROM"
				     " analysis_queue"), n);
	assert_int_equal(musicdb_int(e->db, "SELECT n FROM totals WHERE"
				     " name = 'analysis_queued'"), n);
}

/* A first scan's tracks get their search rows and their place in the
 * analysis queue at its end, all at once, not at each commit; a bulk
 * load cut short (a crash) leaves them to the next start, which makes
 * them with the triggers. A track changed meanwhile is found as it is. */
static void test_bulk_load_indexed_and_queued_at_its_end(void **state)
{
	struct musicdb *e = *state;
	time_t before = time(NULL);
	char sql[128];

	assert_int_equal(writer_call(music_bulk_begin, NULL), 0);
	bulk_put(e, "hollow", 5);
	assert_int_equal(fts_count(e, "hollow"), 0);
	/* each file new since now */
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM files WHERE"
		 " first_seen BETWEEN %lld AND %lld", (long long)before,
		 (long long)time(NULL));
	assert_int_equal(musicdb_int(e->db, sql), 5);
	assert_int_equal(musicdb_int(e->db, "SELECT count(*) FROM"
				     " analysis_queue"), 0);
	assert_int_equal(writer_call(music_bulk_end, NULL), 0);
	assert_indexed_and_queued(e, "hollow", 5);
}

/* The ids a bulk load counts for its files are those the store would
 * give: after the highest any file had, never one a file deleted
 * meanwhile had, and the store's own once the load is over. */
static void test_bulk_load_file_ids(void **state)
{
	struct musicdb *e = *state;
	struct music_rec *rec;
	char path[32];

	writer_call(musicdb_exec, "UPDATE file_ids SET last = 100");
	assert_int_equal(writer_call(music_bulk_begin, NULL), 0);
	/* one transaction: the count is not read again in it */
	for (int i = 0; i < 4; i++) {
		snprintf(path, sizeof(path), "jade/%d.flac", i);
		rec = musicdb_rec(e, MUSIC_FILE, path, 0, 1, 90 + i);
		rec->wr.bulk = 1;
		rec->tags.title = strdup("Jade");
		writer_put(&rec->wr);
		if (i != 2)
			continue;
		rec = music_rec_new(MUSIC_DELETE_FILE, "", 0);
		rec->id = 103;
		writer_put(&rec->wr);
	}
	writer_call(NULL, NULL);
	assert_int_equal(musicdb_int(e->db, "SELECT min(id) FROM files"), 101);
	assert_int_equal(musicdb_int(e->db, "SELECT id FROM file_paths"
				     " WHERE CAST(path AS TEXT) ="
				     " 'jade/3.flac'"), 104);
	assert_int_equal(musicdb_int(e->db, "SELECT count(*) FROM files"), 3);
	assert_int_equal(writer_call(music_bulk_end, NULL), 0);
	writer_call(musicdb_exec, "DELETE FROM files WHERE id = 104");
	musicdb_put_track(e, "jade/after.flac", "After", "Jade", NULL, "Pile",
			  99);
	writer_call(NULL, NULL);
	assert_int_equal(musicdb_int(e->db, "SELECT id FROM file_paths"
				     " WHERE CAST(path AS TEXT) ="
				     " 'jade/after.flac'"), 105);
}

/* A store of version 21 keeps its analysis queue when version 22 keys
 * it by track, with no index beside it: the same tracks stay queued; a
 * queued track whose file changes is counted as queued again, not added
 * twice; a deleted track leaves the queue. */
static void test_analysis_queue_keyed_by_track(void **state)
{
	struct musicdb *e = *state;
	sqlite3 *db;

	musicdb_put_track(e, "q/1.flac", "One", "A", NULL, "B", 11);
	musicdb_put_track(e, "q/2.flac", "Two", "A", NULL, "B", 12);
	musicdb_put_track(e, "q/3.flac", "Three", "A", NULL, "B", 13);
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
	assert_int_equal(musicdb_int(e->db, "SELECT count(*) FROM"
					    " analysis_queue"
				     " q JOIN tracks t ON t.id = q.track_id"
				     " WHERE q.gen = 0"), 3);
	/* none but the owners' of version 41 */
	assert_int_equal(musicdb_int(e->db, "SELECT count(*) FROM"
				     " pragma_index_list('analysis_queue')"
				     " WHERE name !="
				     " 'analysis_queue_owner'"), 0);
	assert_int_equal(musicdb_int(e->db, "SELECT count(*) FROM"
					    " sqlite_sequence"
				     " WHERE name = 'analysis_queue'"), 0);

	assert_int_equal(writer_register(&music_writer_ops), 0);
	assert_int_equal(writer_start(e->db), 0);
	writer_call(musicdb_exec, "UPDATE files SET size = size + 1"
		    " WHERE inode = 12");
	writer_call(musicdb_exec, "UPDATE files SET kind = kind"
		    " WHERE inode = 11");
	assert_int_equal(musicdb_int(e->db, "SELECT count(*) FROM"
				     " analysis_queue"), 3);
	assert_int_equal(musicdb_int(e->db, "SELECT q.gen FROM analysis_queue q"
				     " JOIN tracks t ON t.id = q.track_id"
				     " JOIN files f ON f.id = t.file_id"
				     " WHERE f.inode = 12"), 1);
	assert_int_equal(musicdb_int(e->db, "SELECT sum(gen) FROM"
				     " analysis_queue"), 1);
	writer_call(musicdb_exec, "DELETE FROM files WHERE inode = 13");
	assert_int_equal(musicdb_int(e->db, "SELECT count(*) FROM"
				     " analysis_queue"), 2);
	assert_int_equal(musicdb_int(e->db, "SELECT count(*) FROM"
				     " pragma_foreign_key_check"), 0);
}

/* A writer_call() function: a track added and then renamed in one
 * transaction, its search row made as the writer makes it at commit. */
static int add_then_change(sqlite3 *db, void *arg)
{
	struct musicdb *e = arg;
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
	struct musicdb *e = *state;
	struct writer_batch batch = WRITER_BATCH_INIT;
	struct music_rec *rec;
	int64_t file;

	rec = musicdb_rec(e, MUSIC_FILE, "w/1.flac", 0, 1, 50);
	rec->tags.title = strdup("First");
	rec->tags.artist = strdup("Ann");
	writer_batch_add(&batch, &rec->wr);
	writer_batch_flush(&batch);
	writer_call(NULL, NULL);
	file = musicdb_int(e->db, "SELECT id FROM file_paths WHERE"
			   " CAST(path AS TEXT) = 'w/1.flac'");
	rec = music_rec_new(MUSIC_DELETE_FILE, "", 0);
	rec->id = file;
	writer_put(&rec->wr);
	writer_call(NULL, NULL);
	assert_int_equal(fts_count(e, "first"), 0);
	assert_int_equal(writer_call(musicdb_exec, "INSERT INTO tracks_fts"
				     " (tracks_fts)"
				     " VALUES ('integrity-check')"),
			 0);

	/* added, then changed before its commit */
	assert_int_equal(writer_call(add_then_change, e), 0);
	assert_int_equal(fts_count(e, "second"), 0);
	assert_int_equal(fts_count(e, "changed"), 1);
	file = musicdb_int(e->db, "SELECT id FROM file_paths WHERE"
			   " CAST(path AS TEXT) = 'x/2.flac'");
	rec = musicdb_rec(e, MUSIC_FILE, "x/2.flac", file, 3, 52);
	rec->tags.title = strdup("Third");
	rec->tags.artist = strdup("Bob");
	writer_put(&rec->wr);
	writer_call(NULL, NULL);
	assert_int_equal(fts_count(e, "changed"), 0);
	assert_int_equal(fts_count(e, "third"), 1);
	assert_int_equal(writer_call(musicdb_exec, "INSERT INTO tracks_fts"
				     " (tracks_fts)"
				     " VALUES ('integrity-check')"),
			 0);
	rec = music_rec_new(MUSIC_DELETE_FILE, "", 0);
	rec->id = file;
	writer_put(&rec->wr);
	writer_call(NULL, NULL);
	assert_int_equal(fts_count(e, "third OR bob"), 0);
	assert_int_equal(writer_call(musicdb_exec, "INSERT INTO tracks_fts"
				     " (tracks_fts)"
				     " VALUES ('integrity-check')"),
			 0);
}

/* A store from before the search index gets one for the tracks it has
 * (the schema step that builds it from the tracks comes after). */
static void test_tracks_fts_backfilled(void **state)
{
	struct musicdb *e = *state;
	sqlite3 *db;

	musicdb_put_track(e, "a/1.flac", "Halo", "Beyonc\xc3\xa9", NULL,
			  "I Am", 1);
	musicdb_put_track(e, "a/2.flac", "Other", "Ann", NULL, "Disc", 2);
	writer_stop();
	assert_int_equal(db_open(e->db, 0, &db), 0);
	assert_int_equal(db_exec(db, UNDO_SINCE_21
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
	assert_int_equal(musicdb_int(e->db, "SELECT count(*) FROM"
				     " tracks_fts_dirty"), 0);
}

static void test_generation_moves_per_batch(void **state)
{
	struct musicdb *e = *state;
	uint64_t before = writer_generation();
	char path[32];

	for (int i = 0; i < 2500; i++) {
		snprintf(path, sizeof(path), "d/%04d.flac", i);
		musicdb_put_track(e, path, path, "Ann", NULL, "Big", 10 + i);
	}
	writer_call(NULL, NULL);
	assert_true(writer_generation() - before >= 3);
	assert_int_equal(musicdb_int(e->db, "SELECT count(*) FROM tracks"),
			 2500);
}

/* A track of codec with depth bits a sample at path. */
static void put_depth(struct musicdb *e, const char *path, const char *codec,
		      int depth, int64_t inode)
{
	struct music_rec *rec = musicdb_rec(e, MUSIC_FILE, path, 0, 7, inode);

	rec->tags.title = strdup(path);
	assert_non_null(rec->tags.title);
	rec->tags.codec = codec;
	rec->tags.bit_depth = depth;
	writer_put(&rec->wr);
}

/* Run sql on the store at path while no writer runs. */
static void store_exec(const char *path, const char *sql)
{
	sqlite3 *db;

	assert_int_equal(db_open(path, 0, &db), 0);
	assert_int_equal(db_exec(db, sql), 0);
	db_close(db);
}

/* The bits a sample of lossless tracks are kept, none for lossy ones;
 * version 52 has the lossless tracks of an older store read again by
 * the next scan (their mtime and folder's digest forgotten), the lossy
 * ones left as they are, and none of them analysed again for it. */
static void test_bit_depth_kept_and_migrated(void **state)
{
	struct musicdb *e = *state;
	sqlite3 *db;

	put_depth(e, "hi/a.flac", "flac", 24, 1);
	put_depth(e, "hi/b.wv", "wavpack", 16, 2);
	put_depth(e, "lo/c.mp3", "mp3", 0, 3);
	writer_call(NULL, NULL);
	assert_int_equal(musicdb_int(e->db, "SELECT bit_depth FROM tracks"
				     " WHERE title = 'hi/a.flac'"), 24);
	assert_int_equal(musicdb_int(e->db, "SELECT bit_depth FROM tracks"
				     " WHERE title = 'hi/b.wv'"), 16);
	assert_int_equal(musicdb_int(e->db, "SELECT count(*) FROM tracks"
				     " WHERE title = 'lo/c.mp3'"
				     " AND bit_depth IS NULL"), 1);
	writer_stop();
	assert_int_equal(db_open(e->db, 0, &db), 0);
	assert_int_equal(db_exec(db, "UPDATE directories SET digest = 5;"
				 UNDO_IMAGE_CRCS UNDO_VERSION_52
				 " PRAGMA user_version = 51"), 0);
	assert_int_equal(schema_migrate(db), 0);
	db_close(db);
	assert_int_equal(musicdb_int(e->db, "SELECT count(*) FROM tracks"
				     " WHERE bit_depth IS NULL"), 3);
	assert_int_equal(musicdb_int(e->db, "SELECT count(*) FROM files"
				     " WHERE mtime_ns = 0"), 2);
	assert_int_equal(musicdb_int(e->db, "SELECT count(*) FROM files"
				     " WHERE mtime_ns = 7"), 1);
	assert_int_equal(musicdb_int(e->db, "SELECT count(*) FROM directories"
				     " WHERE CAST(path AS TEXT) = 'hi'"
				     " AND digest IS NULL"),
			 1);
	assert_int_equal(musicdb_int(e->db, "SELECT digest FROM directories"
				     " WHERE CAST(path AS TEXT) = 'lo'"), 5);
	/* read again (its mtime back), a file is not analysed again; one
	 * that changed is */
	store_exec(e->db, "DELETE FROM analysis_queue;"
		   " UPDATE files SET mtime_ns = 7 WHERE mtime_ns = 0");
	assert_int_equal(musicdb_int(e->db, "SELECT count(*) FROM"
				     " analysis_queue"), 0);
	store_exec(e->db, "UPDATE files SET mtime_ns = 8 WHERE mtime_ns = 7"
		   " AND id = (SELECT min(file_id) FROM tracks)");
	assert_int_equal(musicdb_int(e->db, "SELECT count(*) FROM"
				     " analysis_queue"), 1);
}

/* The version that keeps a manga root's images' CRC-32 (issue 76) has
 * the images of an older store's manga roots read again by the next scan
 * (their mtime and folder's digest forgotten), and nothing else. */
static void test_image_crcs_migrated(void **state)
{
	struct musicdb *e = *state;
	char sql[128];
	sqlite3 *db;

	writer_call(NULL, NULL);
	writer_stop();
	store_exec(e->db, "INSERT INTO roots (id, kind, path) VALUES"
		   " (90, 'manga', x'2f6d'), (91, 'music', x'2f61');"
		   " INSERT INTO directories (id, root_id, path, mtime_ns,"
		   " digest) VALUES (90, 90, x'53', 5, 9),"
		   " (91, 90, x'532f54', 5, 9), (92, 91, x'41', 5, 9);"
		   " INSERT INTO files (root_id, dir_id, name, size, mtime_ns,"
		   " inode, kind) VALUES (90, 91, '001.JPG', 1, 7, 1, 'other'),"
		   " (90, 91, '002.webp', 1, 7, 2, 'other'),"
		   " (90, 90, 'notes.txt', 1, 7, 3, 'other'),"
		   " (91, 92, 'cover.jpg', 1, 7, 4, 'other')");
	snprintf(sql, sizeof(sql), UNDO_IMAGE_CRCS " PRAGMA user_version = %d",
		 schema_version() - 1);
	assert_int_equal(db_open(e->db, 0, &db), 0);
	assert_int_equal(db_exec(db, sql), 0);
	assert_int_equal(schema_migrate(db), 0);
	db_close(db);
	assert_int_equal(musicdb_int(e->db, "SELECT count(*) FROM files"
				     " WHERE crc IS NULL"), 4);
	assert_int_equal(musicdb_int(e->db, "SELECT group_concat(CAST(name"
				     " AS TEXT)) = '001.JPG,002.webp' FROM"
				     " (SELECT name FROM files WHERE"
				     " mtime_ns = 0 ORDER BY name)"), 1);
	assert_int_equal(musicdb_int(e->db, "SELECT group_concat(id) FROM"
				     " directories WHERE digest IS NULL"), 91);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		MUSICDB_TEST(test_schema_versions),
		MUSICDB_TEST(test_mbids_cleaned),
		MUSICDB_TEST(test_artists_and_albums_deduplicated),
		MUSICDB_TEST(test_rename_and_delete),
		MUSICDB_TEST(test_tracks_fts_follows_tracks),
		MUSICDB_TEST(test_tracks_fts_backfilled),
		MUSICDB_TEST(test_orphans_dropped),
		MUSICDB_TEST(test_generation_moves_per_batch),
		MUSICDB_TEST(test_tracks_fts_stays_whole),
		MUSICDB_TEST(test_added_tracks_indexed_and_queued),
		MUSICDB_TEST(test_bulk_load_indexed_and_queued_at_its_end),
		MUSICDB_TEST(test_bulk_load_file_ids),
		MUSICDB_TEST(test_analysis_queue_keyed_by_track),
		MUSICDB_TEST(test_bit_depth_kept_and_migrated),
		MUSICDB_TEST(test_image_crcs_migrated),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
