/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/db.h"
#include "common/log.h"
#include "indexer/realdebrid/rd_map.h"
#include "indexer/realdebrid/rd_job.h"
#include "indexer/store/schema.h"

/* A store holding a small account: two torrents share a name, one was
 * renamed, one has no files read yet. */
static int setup(void **state)
{
	sqlite3 *db;

	if (db_open(":memory:", 0, &db) || schema_migrate(db))
		return -1;
	if (db_exec(db,
		"INSERT INTO rd_torrents (id, filename, original_filename,"
		" seen_at) VALUES"
		" ('A1', 'Show.S01', 'Show.S01', 1),"
		" ('B1', 'Pack', 'Pack', 1), ('B2', 'Pack', 'Pack', 1),"
		" ('C1', 'Short name', 'Movie.2019.Long.Name', 1),"
		" ('D1', 'Twin', NULL, 1), ('D2', 'Twin', NULL, 1),"
		" ('E1', 'Renamed', 'Renamed', 1);"
		"INSERT INTO rd_files (torrent_id, file_id, path, selected)"
		" VALUES ('A1', 1, '/Show.S01/e1.mkv', 1),"
		" ('B1', 1, '/Pack/one.mkv', 1), ('B2', 1, '/Pack/two.mkv', 1),"
		" ('B2', 2, '/Pack/sub/three.mkv', 1),"
		" ('E1', 1, '/Old.Folder/file.mkv', 1);")) {
		db_close(db);
		return -1;
	}
	*state = db;
	return 0;
}

/* The store is in memory: closing it is all. */
static int teardown(void **state)
{
	db_close(*state);
	return 0;
}

/* Map name/file and compare the answer with want_rc and want_id. */
static void check(sqlite3 *db, const char *name, const char *file,
		  int want_rc, const char *want_id)
{
	const char *why = NULL;
	char *id = NULL;

	assert_int_equal(rd_map_link(db, name, file, &id, &why), want_rc);
	if (want_id) {
		assert_non_null(id);
		assert_string_equal(id, want_id);
	} else {
		assert_null(id);
		assert_non_null(why);
	}
	free(id);
}

static void test_by_name(void **state)
{
	check(*state, "Show.S01", "e1.mkv", 0, "A1");
	/* The name decides alone: the file is not asked for. */
	check(*state, "Show.S01", "other.mkv", 0, "A1");
	check(*state, "Movie.2019.Long.Name", "m.mkv", 0, "C1");
	check(*state, "Short name", "m.mkv", 0, "C1");
}

static void test_by_name_then_file(void **state)
{
	check(*state, "Pack", "two.mkv", 0, "B2");
	check(*state, "Pack", "one.mkv", 0, "B1");
	check(*state, "Pack", "sub/three.mkv", 0, "B2");
	/* "o.mkv" is not "one.mkv" or "two.mkv": no partial names. */
	check(*state, "Pack", "o.mkv", -EEXIST, NULL);
	/* Twins without files read stay ambiguous. */
	check(*state, "Twin", "x.mkv", -EEXIST, NULL);
}

static void test_by_path(void **state)
{
	check(*state, "Old.Folder", "file.mkv", 0, "E1");
	check(*state, "Old.Folder", "other.mkv", -ENOENT, NULL);
	check(*state, "Nothing.Like.It", "e1.mkv", -ENOENT, NULL);
}

static void test_several_hold_the_path(void **state)
{
	sqlite3 *db = *state;

	assert_int_equal(db_exec(db, "INSERT INTO rd_files (torrent_id,"
		" file_id, path, selected) VALUES"
		" ('A1', 9, '/Gone/x.mkv', 1), ('B1', 9, '/Gone/x.mkv', 1)"),
		0);
	check(db, "Gone", "x.mkv", -EEXIST, NULL);
}

static void test_classify(void **state)
{
	double now = 1000;

	(void)state;
	assert_int_equal(rd_job_classify(-EAGAIN, NULL, now, 0), RD_RETRY);
	assert_int_equal(rd_job_classify(-ENOSPC, NULL, now, 0), RD_RETRY);
	assert_int_equal(rd_job_classify(-EIO, NULL, now, 0), RD_RETRY);
	assert_int_equal(rd_job_classify(-ETIMEDOUT, NULL, now, 0),
			 RD_RETRY);
	assert_int_equal(rd_job_classify(-EPROTO, NULL, now, 0), RD_RETRY);
	assert_int_equal(rd_job_classify(0, "magnet_error", now, 0),
			 RD_RETRY);
	assert_int_equal(rd_job_classify(0, "error", now, 0), RD_RETRY);
	assert_int_equal(rd_job_classify(0, "dead", now, 0), RD_RETRY);
	assert_int_equal(rd_job_classify(0, "virus", now, 0),
			 RD_PERMANENT);
	assert_int_equal(rd_job_classify(-EPERM, NULL, now, 0),
			 RD_PERMANENT);
	/* Infringing right after a rate limit is the rate limit's doing. */
	assert_int_equal(rd_job_classify(-EPERM, NULL, now, now - 30),
			 RD_RETRY);
	assert_int_equal(rd_job_classify(-EPERM, NULL, now, now - 31),
			 RD_PERMANENT);
	/* A virus is a virus, rate limit or not. */
	assert_int_equal(rd_job_classify(0, "virus", now, now - 1),
			 RD_PERMANENT);
	assert_int_equal(rd_job_classify(-EACCES, NULL, now, 0), RD_STOP);
	assert_int_equal(rd_job_classify(-ECANCELED, NULL, now, 0),
			 RD_STOP);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_by_name, setup, teardown),
		cmocka_unit_test_setup_teardown(test_by_name_then_file, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_by_path, setup, teardown),
		cmocka_unit_test_setup_teardown(test_several_hold_the_path,
						setup, teardown),
		cmocka_unit_test(test_classify),
	};

	log_set_stderr(0);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
