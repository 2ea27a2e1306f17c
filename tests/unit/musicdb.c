/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The music store the store's tests share (test_store*.c): the writer
 * started on a store of its own with a music root, records and tracks
 * put through it, a tree of files to scan, and reads of the store by
 * path. It owns no test and keeps no state but a scan's options.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "common/db.h"
#include "indexer/library/music.h"
#include "indexer/library/scan.h"
#include "indexer/store/writer.h"
#include "musicdb.h"
#include "testdb.h"

void musicdb_write(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

int64_t musicdb_int(const char *db_path, const char *sql)
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
char *musicdb_text(const char *db_path, const char *sql)
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

int musicdb_exec(sqlite3 *db, void *sql)
{
	return db_exec(db, sql);
}

int musicdb_add_root(sqlite3 *db, void *arg)
{
	struct musicdb *e = arg;
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

int musicdb_setup(void **state)
{
	struct musicdb *e = calloc(1, sizeof(*e));

	assert_non_null(e);
	e->root_id = testdb_writer_start(e->dir, e->db, &music_writer_ops);
	assert_true(e->root_id > 0);
	snprintf(e->root, sizeof(e->root), "%s/music", e->dir);
	*state = e;
	return 0;
}

int musicdb_teardown(void **state)
{
	struct musicdb *e = *state;

	testdb_writer_stop(e->dir);
	free(e);
	return 0;
}

/* A record for the file at path: 100 bytes, the given mtime and inode. */
struct music_rec *musicdb_rec(struct musicdb *e, enum music_op op,
			      const char *path, int64_t id, int64_t mtime_ns,
			      int64_t inode)
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

void musicdb_put_track(struct musicdb *e, const char *path,
		       const char *title, const char *artist,
		       const char *album_artist, const char *album,
		       int64_t inode)
{
	struct music_rec *rec = musicdb_rec(e, MUSIC_FILE, path, 0, 1, inode);

	rec->tags.title = strdup(title);
	rec->tags.artist = artist ? strdup(artist) : NULL;
	rec->tags.album_artist = album_artist ? strdup(album_artist) : NULL;
	rec->tags.album = strdup(album);
	rec->tags.track = 1;
	writer_put(&rec->wr);
}

/* The folders a scan forgot, as on_dir_gone() told them, one a line. */
char musicdb_gone[256];

static void note_gone(size_t root, const char *rel)
{
	assert_int_equal(root, 7);
	strcat(musicdb_gone, rel);
	strcat(musicdb_gone, "\n");
}

int musicdb_follow_outside;
int musicdb_scan_threads = 2;

int musicdb_scan(struct musicdb *e, const char *sub,
		 struct scan_stats *stats, int cancel)
{
	struct scan_request req = {
		.root_id = e->root_id,
		.root_path = e->root,
		.subpaths = &sub,
		.nr_subpaths = 1,
		.threads = musicdb_scan_threads,
		.cancel = &cancel,
		.follow_outside = musicdb_follow_outside,
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

void musicdb_make_tree(struct musicdb *e)
{
	char p[160];

	for (int d = 0; d < 3; d++) {
		snprintf(p, sizeof(p), "%s/dir%d", e->root, d);
		assert_int_equal(mkdir(p, 0755), 0);
		for (int f = 0; f < 4; f++) {
			snprintf(p, sizeof(p), "%s/dir%d/file%d.txt", e->root,
				 d, f);
			musicdb_write(p, "x");
		}
	}
}
