/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The extended attributes of track files from a real store: tags and
 * analysis as text, absent fields as absent attributes, the sizes that
 * getxattr() and listxattr() callers ask for first.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/db.h"
#include "common/log.h"
#include "indexer/store/reader.h"
#include "indexer/library/track_attrs.h"
#include "indexer/store/schema.h"

static char dir[64], path[96];

static int setup(void **state)
{
	sqlite3 *db;

	(void)state;
	strcpy(dir, "/tmp/mediamon-attrs-XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/index.db", dir);
	assert_int_equal(db_open(path, 0, &db), 0);
	assert_int_equal(schema_migrate(db), 0);
	/* file 1: a tagged, analysed track of an analysed album; file 2: a
	 * track with a title only, not analysed; file 3: no track */
	assert_int_equal(db_exec(db,
		"INSERT INTO roots (id, kind, path) VALUES (1, 'music', '/m');"
		"INSERT INTO directories (id, root_id, path, mtime_ns)"
		" VALUES (1, 1, '', 0);"
		"INSERT INTO files (id, root_id, dir_id, name, size, mtime_ns,"
		" inode, kind) VALUES (1, 1, 1, 'a.flac', 40631, 1, 1, 'flac'),"
		" (2, 1, 1, 'b.mp3', 1, 1, 2, 'mp3'),"
		" (3, 1, 1, 'c.jpg', 1, 1, 3, 'other');"
		"INSERT INTO artists (id, name) VALUES (1, 'Daft Punk');"
		"INSERT INTO albums (id, title, artist_id)"
		" VALUES (1, 'Discovery', 1);"
		"INSERT INTO tracks (id, file_id, title, artist_id, album_id,"
		" track_no, genre, bitrate_kbps, sample_rate, channels)"
		" VALUES (10, 1, 'One More Time', 1, 1, 1, 'House', 1411,"
		" 44100, 2),"
		" (11, 2, 'Untitled', NULL, NULL, NULL, NULL, NULL, NULL,"
		" NULL);"
		"INSERT INTO analysis (track_id, state, analysed_at, bpm,"
		" loudness_lufs, peak, gain_db) VALUES"
		" (10, 'ok', 0, 122.5, -9.25, 0.98766, -8.75);"
		"INSERT INTO analysis (track_id, state, error, analysed_at)"
		" VALUES (11, 'failed', 'damaged', 0);"
		"INSERT INTO analysis_albums (album_id, gain_db)"
		" VALUES (1, -8.5);"),
		0);
	db_close(db);
	assert_int_equal(reader_init(path), 0);
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	reader_close();
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
	return 0;
}

static void expect(int64_t file, const char *name, const char *want)
{
	char buf[64];
	int n = track_attrs_get(file, name, NULL, buf, sizeof(buf));

	assert_int_equal(n, strlen(want));
	assert_memory_equal(buf, want, n);
	assert_int_equal(track_attrs_get(file, name, NULL, NULL, 0), n);
}

static void test_values(void **state)
{
	(void)state;
	expect(1, "user.mediamon.title", "One More Time");
	expect(1, "user.mediamon.artist", "Daft Punk");
	expect(1, "user.mediamon.album", "Discovery");
	expect(1, "user.mediamon.track", "1");
	expect(1, "user.mediamon.bpm", "122.50");
	expect(1, "user.mediamon.loudness_lufs", "-9.25");
	expect(1, "user.mediamon.gain_db", "-8.75");
	expect(1, "user.mediamon.album_gain_db", "-8.50");
	expect(1, "user.mediamon.peak", "0.9877");
	expect(2, "user.mediamon.title", "Untitled");
}

static void test_absent(void **state)
{
	char buf[64];

	(void)state;
	assert_int_equal(track_attrs_get(1, "user.mediamon.nothing", NULL, buf,
					 sizeof(buf)), -ENODATA);
	assert_int_equal(track_attrs_get(1, "user.other", NULL, buf,
					 sizeof(buf)), -ENODATA);
	/* a failed analysis shows nothing of it */
	assert_int_equal(track_attrs_get(2, "user.mediamon.bpm", NULL, buf,
					 sizeof(buf)), -ENODATA);
	assert_int_equal(track_attrs_get(2, "user.mediamon.artist", NULL, buf,
					 sizeof(buf)), -ENODATA);
	assert_int_equal(track_attrs_get(3, "user.mediamon.title", NULL, buf,
					 sizeof(buf)), -ENODATA);
	assert_int_equal(track_attrs_get(99, "user.mediamon.title", NULL, buf,
					 sizeof(buf)), -ENODATA);
	assert_int_equal(track_attrs_get(1, "user.mediamon.title", NULL, buf,
					 5), -ERANGE);
	assert_true(track_attrs_known("user.mediamon.bpm"));
	assert_false(track_attrs_known("security.selinux"));
	assert_false(track_attrs_known("user.mediamon."));
}

static void test_list(void **state)
{
	static const char all[] =
		"user.mediamon.title\0user.mediamon.artist\0"
		"user.mediamon.album\0user.mediamon.track\0"
		"user.mediamon.bpm\0user.mediamon.loudness_lufs\0"
		"user.mediamon.gain_db\0user.mediamon.album_gain_db\0"
		"user.mediamon.peak";
	char buf[512];
	int n;

	(void)state;
	n = track_attrs_list(1, NULL, buf, sizeof(buf));
	assert_int_equal(n, sizeof(all));
	assert_memory_equal(buf, all, n);
	assert_int_equal(track_attrs_list(1, NULL, NULL, 0), n);
	assert_int_equal(track_attrs_list(1, NULL, buf, 10), -ERANGE);
	n = track_attrs_list(2, NULL, buf, sizeof(buf));
	assert_int_equal(n, sizeof("user.mediamon.title"));
	assert_string_equal(buf, "user.mediamon.title");
	assert_int_equal(track_attrs_list(3, NULL, buf, sizeof(buf)), 0);
}

/* Every track's few tags and its path in one read, by file: a file that
 * is no track (3), or no file at all (0, 99), is none. */
static void test_titles(void **state)
{
	struct track_titles t;
	const struct track_title *one;

	(void)state;
	assert_int_equal(track_attrs_titles(&t), 0);
	assert_int_equal(t.nr, 2);
	one = track_attrs_title(&t, 1);
	assert_non_null(one);
	assert_string_equal(one->title, "One More Time");
	assert_string_equal(one->album, "Discovery");
	assert_int_equal(one->year, 0);
	assert_string_equal(one->path, "/m/a.flac");
	one = track_attrs_title(&t, 2);
	assert_non_null(one);
	assert_string_equal(one->title, "Untitled");
	assert_string_equal(one->path, "/m/b.mp3");
	assert_null(one->album);
	assert_null(track_attrs_title(&t, 3));
	assert_null(track_attrs_title(&t, 0));
	assert_null(track_attrs_title(&t, 99));
	track_attrs_titles_free(&t);
	assert_int_equal(t.nr, 0);
	assert_null(track_attrs_title(&t, 1));
}

/* A track's file facts for the Subsonic songs: what the store has, 0
 * and NULL for what it has not, -ENODATA for a file that is no track. */
static void test_media(void **state)
{
	struct track_media m;

	(void)state;
	assert_int_equal(track_attrs_media(1, &m), 0);
	assert_int_equal(m.size, 40631);
	assert_int_equal(m.bitrate_kbps, 1411);
	assert_int_equal(m.sample_rate, 44100);
	assert_int_equal(m.channels, 2);
	assert_string_equal(m.genre, "House");
	track_attrs_media_free(&m);
	assert_null(m.genre);
	assert_int_equal(track_attrs_media(2, &m), 0);
	assert_int_equal(m.size, 1);
	assert_int_equal(m.bitrate_kbps + m.sample_rate + m.channels, 0);
	assert_null(m.genre);
	track_attrs_media_free(&m);
	assert_int_equal(track_attrs_media(3, &m), -ENODATA);
	track_attrs_media_free(&m);
	assert_int_equal(track_attrs_media(99, &m), -ENODATA);
	track_attrs_media_free(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_absent),
		cmocka_unit_test(test_list),
		cmocka_unit_test(test_titles),
		cmocka_unit_test(test_media),
	};

	log_set_stderr(0);
	return cmocka_run_group_tests(tests, setup, teardown);
}
