/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Rows the writer keeps beside the files: the running totals and the
 * albums with a cover through every change and a migration, the
 * folders' digests after a failure, embedded pictures and archive pages
 * read again after a migration, and files named by folder and name.
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
static void assert_totals(struct musicdb *e)
{
	char sql[160];
	char *kept, *counted;

	writer_call(NULL, NULL);
	for (size_t i = 0; i < sizeof(recounts) / sizeof(recounts[0]); i++) {
		snprintf(sql, sizeof(sql), "SELECT n FROM totals"
			 " WHERE name = '%s'", recounts[i].name);
		if (musicdb_int(e->db, sql) != musicdb_int(e->db,
							   recounts[i].count))
			fail_msg("total %s is %lld, counted %lld",
				 recounts[i].name,
				 (long long)musicdb_int(e->db, sql),
				 (long long)musicdb_int(e->db,
							recounts[i].count));
	}
	assert_int_equal(musicdb_int(e->db, "SELECT count(*) FROM roots r"
				     " WHERE coalesce((SELECT files FROM"
				     " root_totals WHERE root_id = r.id), 0)"
				     " != (SELECT count(*) FROM files"
				     " WHERE root_id = r.id)"), 0);
	kept = musicdb_text(e->db, "SELECT group_concat(album_id) FROM"
			    " (SELECT album_id FROM album_covers"
			    " ORDER BY album_id)");
	counted = musicdb_text(e->db, COVERED_ALBUMS);
	if (kept || counted)
		assert_string_equal(kept ? kept : "", counted ? counted : "");
	free(kept);
	free(counted);
}

/* An image file at path (a file of kind other, as the scan adds it). */
static void put_image(struct musicdb *e, const char *path, int64_t inode)
{
	struct music_rec *rec = musicdb_rec(e, MUSIC_FILE, path, 0, 1, inode);

	rec->kind = "other";
	rec->parsed = 0;
	writer_put(&rec->wr);
}

static void delete_file(struct musicdb *e, const char *name)
{
	char sql[160];
	struct music_rec *rec = music_rec_new(MUSIC_DELETE_FILE, "", 0);

	snprintf(sql, sizeof(sql), "SELECT id FROM files"
		 " WHERE CAST(name AS TEXT) = '%s'", name);
	rec->id = musicdb_int(e->db, sql);
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
static void totals_tracks(struct musicdb *e)
{
	struct music_rec *rec;

	musicdb_put_track(e, "a/1.flac", "One", "Ann", NULL, "Alpha", 1);
	musicdb_put_track(e, "a/2.flac", "Two", "Ann", NULL, "Alpha", 2);
	musicdb_put_track(e, "b/1.flac", "Three", "Bob", NULL, "Beta", 3);
	musicdb_put_track(e, "c/CD1/1.flac", "Four", "Cid", NULL, "Gamma", 4);
	assert_totals(e);
	assert_int_equal(musicdb_int(e->db, "SELECT n FROM totals"
				     " WHERE name = 'tracks'"), 4);
	assert_int_equal(musicdb_int(e->db, "SELECT count(*) FROM"
				     " album_covers"), 0);

	/* an embedded picture, an image beside, an image above CD1 */
	rec = musicdb_rec(e, MUSIC_FILE, "a/1.flac",
			  musicdb_int(e->db, "SELECT id FROM files WHERE"
				      " CAST(name AS TEXT) = '1.flac' LIMIT 1"),
			  2, 1);
	rec->tags.title = strdup("One");
	rec->tags.artist = strdup("Ann");
	rec->tags.album = strdup("Alpha");
	rec->tags.picture = totals_pic;
	writer_put(&rec->wr);
	/* a second upsert of the album marked in the same transaction */
	rec = musicdb_rec(e, MUSIC_FILE, "a/2.flac",
			  musicdb_int(e->db, "SELECT id FROM files WHERE"
				      " CAST(name AS TEXT) = '2.flac'"), 2, 2);
	rec->tags.title = strdup("Two");
	rec->tags.artist = strdup("Ann");
	rec->tags.album = strdup("Alpha");
	writer_put(&rec->wr);
	put_image(e, "b/cover.jpg", 5);
	put_image(e, "c/cover.jpg", 6);
	put_image(e, "c/notes.txt", 7);
	assert_totals(e);
	assert_int_equal(musicdb_int(e->db, "SELECT count(*) FROM"
				     " album_covers"), 3);

	/* images and tracks go; a track moves to another album */
	delete_file(e, "cover.jpg");
	delete_file(e, "2.flac");
	musicdb_put_track(e, "b/2.flac", "Five", "Bob", NULL, "Delta", 8);
	assert_totals(e);
	rec = music_rec_new(MUSIC_DELETE_DIR, "", 0);
	rec->id = musicdb_int(e->db, "SELECT id FROM directories"
			      " WHERE CAST(path AS TEXT) = 'a'");
	writer_put(&rec->wr);
	writer_call(music_drop_orphans, NULL);
	assert_totals(e);
}

/*
 * A bulk load (the writer counts) cut short: the next start makes the
 * triggers again and settles every album's cover.
 */
static void totals_bulk(struct musicdb *e)
{
	struct music_rec *rec;
	char cmd[256];

	writer_stop();
	snprintf(cmd, sizeof(cmd), "rm %s", e->db);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(writer_register(&music_writer_ops), 0);
	assert_int_equal(writer_start(e->db), 0);
	writer_call(musicdb_add_root, e);
	assert_int_equal(writer_call(music_bulk_begin, NULL), 0);
	for (int i = 0; i < 30; i++) {
		snprintf(cmd, sizeof(cmd), "k%d/%d.flac", i / 10, i);
		rec = musicdb_rec(e, MUSIC_FILE, cmd, 0, 1, 100 + i);
		rec->wr.bulk = 1;
		rec->tags.title = strdup(cmd);
		rec->tags.artist = strdup(i % 2 ? "Odd" : "Even");
		rec->tags.album = strdup(i < 10 ? "K0" : i < 20 ? "K1" : "K2");
		if (i == 25)
			rec->tags.picture = totals_pic;
		writer_put(&rec->wr);
	}
	writer_call(NULL, NULL);
	assert_int_equal(musicdb_int(e->db, "SELECT count(*) FROM sqlite_master"
				     " WHERE name = 'totals_files_add'"), 0);
	assert_int_equal(musicdb_int(e->db, "SELECT n FROM totals"
				     " WHERE name = 'tracks'"), 30);
	writer_stop();
	assert_int_equal(writer_register(&music_writer_ops), 0);
	assert_int_equal(writer_start(e->db), 0);
	assert_totals(e);
	assert_int_equal(musicdb_int(e->db, "SELECT count(*) FROM"
				     " album_covers"), 1);
	musicdb_put_track(e, "k0/new.flac", "New", "Odd", NULL, "K0", 200);
	assert_totals(e);
}

/*
 * Scans (a first, a cancelled one, a rescan), manga, Real-Debrid and
 * analysis rows.
 */
static void totals_scans(struct musicdb *e)
{
	struct scan_stats s;
	char cmd[256];

	/* scans: a first one of a tree (bulk), a rescan, a cancelled one */
	writer_stop();
	snprintf(cmd, sizeof(cmd), "rm %s", e->db);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(writer_register(&music_writer_ops), 0);
	assert_int_equal(writer_start(e->db), 0);
	writer_call(musicdb_add_root, e);
	musicdb_make_tree(e);
	assert_int_equal(musicdb_scan(e, "", &s, 0), 0);
	assert_totals(e);
	assert_int_equal(musicdb_int(e->db, "SELECT files FROM root_totals"),
			 12);
	snprintf(cmd, sizeof(cmd), "rm -r %s/dir0", e->root);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(musicdb_scan(e, "", &s, 1), -ECANCELED);
	assert_totals(e);
	assert_int_equal(musicdb_scan(e, "", &s, 0), 0);
	assert_totals(e);
	assert_int_equal(musicdb_int(e->db, "SELECT files FROM root_totals"),
			 8);

	/* manga and Real-Debrid rows */
	assert_int_equal(writer_call(musicdb_exec,
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
	assert_int_equal(musicdb_int(e->db, "SELECT n FROM totals"
				     " WHERE name = 'broken_links'"), 2);

	/* analyses come, are replaced, change state and go */
	musicdb_put_track(e, "dir1/u.flac", "Seven", "Eve", NULL, "Eta", 22);
	musicdb_put_track(e, "dir1/v.flac", "Eight", "Eve", NULL, "Eta", 23);
	writer_call(NULL, NULL);
	assert_int_equal(writer_call(musicdb_exec,
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
	assert_int_equal(musicdb_int(e->db, "SELECT n FROM totals"
				     " WHERE name = 'analysis_failed'"), 1);
}

/* A store of version 23 counts once and settles its covers. */
static void totals_old_store(struct musicdb *e)
{
	sqlite3 *db;

	musicdb_put_track(e, "dir1/t.flac", "Six", "Eve", NULL, "Eta", 20);
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
	assert_int_equal(musicdb_int(e->db, "SELECT count(*) FROM"
				     " album_covers"), 0);
	put_image(e, "dir1/cover.jpg", 21);
	assert_totals(e);
	assert_int_equal(musicdb_int(e->db, "SELECT count(*) FROM"
				     " album_covers"), 1);
}

/* The running totals and the albums with a cover follow the rows through
 * inserts, updates, deletes, scans (a first one, a rescan, a cancelled
 * one) and a migration from version 23. */
static void test_totals_follow_rows(void **state)
{
	struct musicdb *e = *state;

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
	struct musicdb *e = *state;
	struct music_rec *rec = musicdb_rec(e, MUSIC_FILE, "d/bad.flac", 0, 1,
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
		assert_int_equal(musicdb_int(e->db, "SELECT count(*) FROM"
					     " directories WHERE digest = 42"),
				 i);
	}
	assert_int_equal(writer_errors(), errors + 1);
}

/* A track's picture location is stored with it, replaced when the file
 * changes and dropped when it has none any more or goes. */
static void test_picture_kept(void **state)
{
	struct musicdb *e = *state;
	struct music_rec *rec = musicdb_rec(e, MUSIC_FILE, "p.flac", 0, 1, 9);
	struct picture pic = { .found = 1, .type = 3, .mime = "image/png",
			       .offset = 1234, .length = 5678 };
	int64_t file;

	rec->tags.title = strdup("Pictured");
	rec->tags.picture = pic;
	writer_put(&rec->wr);
	writer_call(NULL, NULL);
	file = musicdb_int(e->db, "SELECT id FROM files");
	assert_int_equal(musicdb_int(e->db, "SELECT offset + length + type"
				     " FROM pictures WHERE mime = 'image/png'"),
			 1234 + 5678 + 3);
	rec = musicdb_rec(e, MUSIC_FILE, "p.flac", file, 2, 9);
	rec->tags.title = strdup("Pictured");
	rec->tags.picture = pic;
	rec->tags.picture.length = 10;
	rec->tags.picture.unsync = 1;
	writer_put(&rec->wr);
	writer_call(NULL, NULL);
	assert_int_equal(musicdb_int(e->db, "SELECT length + unsync FROM"
				     " pictures"), 11);
	rec = musicdb_rec(e, MUSIC_FILE, "p.flac", file, 3, 9);
	rec->tags.title = strdup("Bare");
	writer_put(&rec->wr);
	writer_call(NULL, NULL);
	assert_int_equal(musicdb_int(e->db, "SELECT count(*) FROM"
					    " pictures"), 0);
	rec = musicdb_rec(e, MUSIC_FILE, "p.flac", file, 4, 9);
	rec->tags.title = strdup("Pictured");
	rec->tags.picture = pic;
	writer_put(&rec->wr);
	rec = music_rec_new(MUSIC_DELETE_FILE, "", 0);
	rec->id = file;
	writer_put(&rec->wr);
	writer_call(NULL, NULL);
	assert_int_equal(musicdb_int(e->db, "SELECT count(*) FROM"
					    " pictures"), 0);
}

/* A record packed on the scan's thread (its tags' text in its own block)
 * stores what it held and is freed whole by the writer; one with no text
 * stays as it was. */
static void test_packed_record(void **state)
{
	struct musicdb *e = *state;
	struct music_rec *rec = musicdb_rec(e, MUSIC_FILE, "k.flac", 0, 1, 11);
	struct music_rec *bare = musicdb_rec(e, MUSIC_FILE, "b.flac", 0, 1, 12);
	char *end;

	rec->tags.title = strdup("Packed");
	rec->tags.artist = strdup("Artist");
	rec->tags.album = strdup("Album");
	rec->tags.mb_track_id = strdup("0f0e");
	rec->tags.lyrics_synced = strdup("[00:01.00]la");
	rec = music_rec_pack(rec);
	assert_true(rec->packed);
	end = (char *)rec + sizeof(*rec) + rec->path_len;
	assert_string_equal(rec->tags.title, "Packed");
	assert_ptr_equal(rec->tags.title, end);
	assert_string_equal(rec->tags.artist, "Artist");
	assert_null(rec->tags.album_artist);
	assert_string_equal(rec->tags.mb_track_id, "0f0e");
	assert_string_equal(rec->tags.lyrics_synced, "[00:01.00]la");
	assert_memory_equal(rec->path, "k.flac", 6);
	assert_ptr_equal(music_rec_pack(bare), bare);
	assert_false(bare->packed);
	writer_put(&rec->wr);
	writer_put(&bare->wr);
	writer_call(NULL, NULL);
	assert_int_equal(musicdb_int(e->db, "SELECT count(*) FROM tracks t"
				     " JOIN artists a ON a.id = t.artist_id"
				     " JOIN albums al ON al.id = t.album_id"
				     " WHERE t.title = 'Packed' AND a.name ="
				     " 'Artist' AND al.title = 'Album' AND"
				     " t.mb_track_id = '0f0e'"), 1);
	assert_int_equal(musicdb_int(e->db, "SELECT count(*) FROM files"), 2);
}

/* A store from before pictures had rows reads its pictured tracks again:
 * the step makes their mtimes stale. */
static void test_picture_step_rereads(void **state)
{
	struct musicdb *e = *state;
	struct music_rec *rec = musicdb_rec(e, MUSIC_FILE, "q.flac", 0, 77, 9);
	sqlite3 *db;

	rec->tags.title = strdup("Old");
	rec->tags.has_picture = 1;
	writer_put(&rec->wr);
	musicdb_put_track(e, "r.flac", "Plain", "A", NULL, "B", 10);
	writer_stop();
	assert_int_equal(db_open(e->db, 0, &db), 0);
	assert_int_equal(db_exec(db, UNDO_SINCE_21
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
	assert_int_equal(musicdb_int(e->db, "SELECT mtime_ns FROM file_paths"
				     " WHERE CAST(path AS TEXT) ="
				     " 'q.flac'"), 0);
	assert_int_equal(musicdb_int(e->db, "SELECT mtime_ns FROM file_paths"
				     " WHERE CAST(path AS TEXT) ="
				     " 'r.flac'"), 1);
	assert_int_equal(writer_register(&music_writer_ops), 0);
	assert_int_equal(writer_start(e->db), 0);
}

/* An archive the scan read before version 32 is made to look changed,
 * its folder's digest forgotten, so that the next scan learns its pages;
 * it keeps what its ComicInfo.xml said meanwhile. Other files stay. */
static void test_page_step_rereads(void **state)
{
	struct musicdb *e = *state;
	struct music_rec *rec = musicdb_rec(e, MUSIC_FILE, "m/v1.cbz", 0, 77,
					    9);
	sqlite3 *db;
	char *rows;

	rec->kind = "archive";
	rec->ci.found = 1;
	rec->ci.series = strdup("M");
	rec->ci.volume = 1;
	rec->ci.pages = 12;
	rec->ci.cover = "png";
	writer_put(&rec->wr);
	rec = musicdb_rec(e, MUSIC_FILE, "m/v2.cbz", 0, 78, 10);
	rec->kind = "archive";
	rec->ci.pages = 3;
	rec->ci.cover = "jpg";
	writer_put(&rec->wr);
	rec = musicdb_rec(e, MUSIC_FILE, "m/v3.cbz", 0, 79, 11);
	rec->kind = "archive";
	writer_put(&rec->wr);
	musicdb_put_track(e, "r.flac", "Plain", "A", NULL, "B", 12);
	writer_stop();
	/* what the scan learnt: no row for an archive with nothing */
	rows = musicdb_text(e->db, "SELECT group_concat(pages || cover ||"
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
	assert_int_equal(musicdb_int(e->db, "SELECT count(*) FROM comicinfo"
				     " WHERE pages IS NULL AND cover IS NULL"),
			 2);
	assert_int_equal(musicdb_int(e->db, "SELECT count(*) FROM comicinfo"
				     " WHERE series = 'M' AND volume = 1"), 1);
	assert_int_equal(musicdb_int(e->db, "SELECT sum(mtime_ns) FROM"
				     " file_paths WHERE kind = 'archive'"), 0);
	assert_int_equal(musicdb_int(e->db, "SELECT mtime_ns FROM file_paths"
				     " WHERE CAST(path AS TEXT) ="
				     " 'r.flac'"), 1);
	assert_int_equal(musicdb_int(e->db, "SELECT count(*) FROM directories"
				     " WHERE digest IS NULL"
				     " AND CAST(path AS TEXT) = 'm'"), 1);
	assert_int_equal(musicdb_int(e->db, "SELECT count(*) FROM directories"
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
static void put_files_as_version_20(struct musicdb *e)
{
	struct picture pic = { .found = 1, .type = 3, .mime = "image/png",
			       .offset = 1, .length = 2 };
	struct music_rec *rec = musicdb_rec(e, MUSIC_FILE, "top.flac", 0, 1, 1);
	sqlite3 *db;

	rec->tags.title = strdup("Top");
	rec->tags.picture = pic;
	writer_put(&rec->wr);
	musicdb_put_track(e, "a/b/c/deep.flac", "Deep", "Ann", NULL, "Disc", 2);
	musicdb_put_track(e, "odd \xff\xfe/\x80name.flac", "Odd", "Ann",
			  NULL, "Disc", 3);
	rec = musicdb_rec(e, MUSIC_FILE, "a/bad.mp3", 0, 1, 4);
	rec->tags.title = strdup("Bad");
	rec->tags.tag_error = 1;
	strcpy(rec->tags.error, "frame cut short");
	writer_put(&rec->wr);
	writer_stop();
	assert_int_equal(db_open(e->db, 0, &db), 0);
	assert_int_equal(db_exec(db, UNDO_SINCE_21
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
	struct musicdb *e = *state;
	char *before, *after, *errors;
	int64_t queued;
	sqlite3 *db;

	put_files_as_version_20(e);
	before = musicdb_text(e->db, FILE_LINES("files"));
	assert_non_null(before);
	queued = musicdb_int(e->db, "SELECT count(*) FROM analysis_queue");
	assert_int_equal(musicdb_int(e->db, "SELECT count(*) FROM files"), 5);

	assert_int_equal(db_open(e->db, 0, &db), 0);
	assert_int_equal(schema_migrate(db), 0);
	db_close(db);
	after = musicdb_text(e->db, FILE_LINES("file_paths"));
	assert_string_equal(after, before);
	assert_int_equal(musicdb_int(e->db, "PRAGMA user_version"),
			 schema_version());
	assert_int_equal(musicdb_int(e->db, "SELECT count(*) FROM files WHERE"
				     " name = CAST('top.flac' AS BLOB)"
				     " AND dir_id = (SELECT id FROM directories"
				     " WHERE path = x'')"), 1);
	assert_int_equal(musicdb_int(e->db, "SELECT count(*) FROM files WHERE"
				     " name = x'806e616d652e666c6163'"), 1);
	assert_int_equal(musicdb_int(e->db, "SELECT count(*) FROM files WHERE"
				     " name = x'0aff2e6d7033'"), 1);
	errors = musicdb_text(e->db, "SELECT group_concat(x, ' ') FROM"
			      " (SELECT hex(path) || ':' || tag_error_reason"
			      " AS x FROM file_paths WHERE tag_error"
			      " ORDER BY path)");
	assert_string_equal(errors, "612F6261642E6D7033:frame cut short"
			    " C32F0AFF2E6D7033:cut");
	assert_int_equal(musicdb_int(e->db, "SELECT count(*) FROM tracks t"
				     " JOIN files f ON f.id = t.file_id"), 4);
	assert_int_equal(musicdb_int(e->db, "SELECT count(*) FROM pictures p"
				     " JOIN files f ON f.id = p.file_id"), 1);
	assert_int_equal(musicdb_int(e->db, "SELECT count(*) FROM comicinfo c"
				     " JOIN files f ON f.id = c.file_id"), 1);
	assert_int_equal(musicdb_int(e->db, "SELECT count(*) FROM"
				     " analysis_queue"), queued);
	assert_int_equal(musicdb_int(e->db, "SELECT count(*) FROM sqlite_master"
				     " WHERE name IN ('files_dir', 'files_old',"
				     " 'files_new')"), 0);
	assert_int_equal(musicdb_int(e->db, "SELECT count(*) FROM"
				     " pragma_foreign_key_check"), 0);
	/* the same check sees a file that is not there */
	assert_int_equal(db_open(e->db, 0, &db), 0);
	assert_int_equal(db_exec(db, "PRAGMA foreign_keys = OFF; INSERT"
				 " INTO comicinfo (file_id) VALUES (99)"), 0);
	db_close(db);
	assert_int_equal(musicdb_int(e->db, "SELECT count(*) FROM"
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
		MUSICDB_TEST(test_totals_follow_rows),
		MUSICDB_TEST(test_picture_kept),
		MUSICDB_TEST(test_packed_record),
		MUSICDB_TEST(test_page_step_rereads),
		MUSICDB_TEST(test_picture_step_rereads),
		MUSICDB_TEST(test_files_named_in_folders),
		MUSICDB_TEST(test_digest_not_kept_after_a_failure),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
