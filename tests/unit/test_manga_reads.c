/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The reads of manga rows the mount shows (/manga/SERIES and its
 * files): volumes owned with ranges expanded, gaps, settings as text or
 * nothing, status.json's row and its other files, the series and their
 * folders, and the volumes on disk; a series that is gone is -ENOENT.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/db.h"
#include "common/strbuf.h"
#include "indexer/reads.h"
#include "testdb.h"

/* Series 1 "Bleach" owns 1, 2-4 and 5.5, with 7 published, a chapter of
 * volume 6, a special and a file whose name gives nothing; series 2
 * "Akira" owns nothing, is not monitored and has preferences. */
#define ROWS \
	"INSERT INTO roots (id, kind, path) VALUES (1, 'manga'," \
	" '/m');" \
	" INSERT INTO series (id, root_id, path, name, latest," \
	" status, last_checked) VALUES" \
	" (1, 1, 'Bleach', 'Bleach', 7, 'ongoing', 86400);" \
	" INSERT INTO series (id, root_id, path, name, monitored," \
	" source, release_prefs) VALUES" \
	" (2, 1, 'Akira', 'Akira', 0, 'nautiljon', 'lang=fr');" \
	" INSERT INTO volumes (id, series_id, kind, first, last," \
	" path, volume_first) VALUES" \
	" (1, 1, 'volume', 1, 1, 'Bleach/v01.cbz', NULL)," \
	" (2, 1, 'volume', 2, 4, 'Bleach/v02-04.cbz', NULL)," \
	" (3, 1, 'volume', 5.5, 5.5, 'Bleach/v05.5', NULL)," \
	" (4, 1, 'volume', 3, 3, 'Bleach/v03.cbz', NULL)," \
	" (5, 1, 'chapter', 50, 50, 'Bleach/c050.cbz', 6)," \
	" (6, 1, 'special', 0, 0, 'Bleach/extra.cbz', NULL)," \
	" (7, 1, 'unknown', 0, 0, 'Bleach/what.cbz', NULL);" \
	" INSERT INTO unparsed (volume_id, reason) VALUES" \
	" (7, 'no number');" \
	" INSERT INTO directories (id, root_id, path, mtime_ns)" \
	" VALUES (1, 1, 'Bleach', 0), (2, 1, 'Bleach/v05.5', 8000);" \
	" INSERT INTO files (id, root_id, dir_id, name, size," \
	" mtime_ns, inode, kind) VALUES" \
	" (10, 1, 1, 'v01.cbz', 100, 7000, 1, 'manga')," \
	" (11, 1, 1, 'v02-04.cbz', 200, 9000, 2, 'manga')," \
	" (12, 1, 2, 'p2.jpg', 2, 8500, 3, 'image')," \
	" (13, 1, 2, 'p1.jpg', 1, 0, 4, 'image');"

static int setup(void **state)
{
	return testdb_reader_setup(state, ROWS);
}

static int teardown(void **state)
{
	return testdb_reader_teardown(state);
}

static void test_owned(void **state)
{
	double *nums, latest;
	size_t n;

	(void)state;
	assert_int_equal(manga_reads_owned(1, &nums, &n, &latest), 0);
	assert_int_equal(n, 5);
	assert_true(nums[0] == 1 && nums[1] == 2 && nums[2] == 3 &&
		    nums[3] == 4 && nums[4] == 5.5);
	assert_true(latest == 7);
	free(nums);
	assert_int_equal(manga_reads_owned(2, &nums, &n, &latest), 0);
	assert_int_equal(n, 0);
	assert_null(nums);
	assert_int_equal(manga_reads_owned(9, &nums, &n, &latest), -ENOENT);
}

static void test_gaps(void **state)
{
	int *gaps;
	size_t n;

	(void)state;
	assert_int_equal(manga_reads_gaps(1, &gaps, &n), 0);
	/* 5.5 is not 5; one chapter of 6 does not make volume 6 */
	assert_int_equal(n, 3);
	assert_int_equal(gaps[0], 5);
	assert_int_equal(gaps[1], 6);
	assert_int_equal(gaps[2], 7);
	free(gaps);
	assert_int_equal(manga_reads_gaps(9, &gaps, &n), -ENOENT);
}

/* An empty source or no preferences read as not set. */
static void test_settings(void **state)
{
	char *v;

	(void)state;
	assert_int_equal(manga_reads_setting(1, MANGA_SETTING_MONITORED, &v),
			 0);
	assert_string_equal(v, "1");
	free(v);
	assert_int_equal(manga_reads_setting(1, MANGA_SETTING_LATEST, &v), 0);
	assert_string_equal(v, "7");
	free(v);
	assert_int_equal(manga_reads_setting(1, MANGA_SETTING_SOURCE, &v), 0);
	assert_null(v);
	assert_int_equal(manga_reads_setting(1, MANGA_SETTING_PREFS, &v), 0);
	assert_null(v);
	assert_int_equal(manga_reads_setting(2, MANGA_SETTING_MONITORED, &v),
			 0);
	assert_string_equal(v, "0");
	free(v);
	assert_int_equal(manga_reads_setting(2, MANGA_SETTING_LATEST, &v), 0);
	assert_null(v);
	assert_int_equal(manga_reads_setting(2, MANGA_SETTING_SOURCE, &v), 0);
	assert_string_equal(v, "nautiljon");
	free(v);
	assert_int_equal(manga_reads_setting(2, MANGA_SETTING_PREFS, &v), 0);
	assert_string_equal(v, "lang=fr");
	free(v);
	assert_int_equal(manga_reads_setting(9, MANGA_SETTING_SOURCE, &v),
			 -ENOENT);
	assert_null(v);
}

static void test_status(void **state)
{
	struct manga_status s;

	(void)state;
	assert_int_equal(manga_reads_status(1, &s), 0);
	assert_string_equal(s.name, "Bleach");
	assert_string_equal(s.path, "/m/Bleach");
	assert_int_equal(s.monitored, 1);
	assert_true(s.latest == 7);
	assert_string_equal(s.source, "");
	assert_string_equal(s.status, "ongoing");
	assert_string_equal(s.last_checked, "1970-01-02T00:00:00Z");
	assert_int_equal(s.nr_volumes, 5);
	assert_int_equal(s.nr_missing, 3);
	assert_int_equal(s.missing[2], 7);
	assert_int_equal(s.nr_others, 3);
	assert_int_equal(s.others[0].kind, MANGA_OTHER_CHAPTER);
	assert_true(s.others[0].number == 50);
	assert_string_equal(s.others[0].path, "Bleach/c050.cbz");
	assert_int_equal(s.others[0].has_volume, 1);
	assert_true(s.others[0].volume == 6);
	assert_int_equal(s.others[1].kind, MANGA_OTHER_SPECIAL);
	assert_int_equal(s.others[1].has_volume, 0);
	assert_null(s.others[1].reason);
	assert_int_equal(s.others[2].kind, MANGA_OTHER_UNPARSED);
	assert_string_equal(s.others[2].path, "Bleach/what.cbz");
	assert_string_equal(s.others[2].reason, "no number");
	manga_status_release(&s);

	assert_int_equal(manga_reads_status(2, &s), 0);
	assert_int_equal(s.monitored, 0);
	assert_true(s.latest == 0);
	assert_null(s.status);
	assert_null(s.last_checked);
	assert_int_equal(s.nr_others, 0);
	manga_status_release(&s);

	assert_int_equal(manga_reads_status(9, &s), -ENOENT);
	manga_status_release(&s);
}

static int add_name(void *arg, const char *name, int64_t id)
{
	strbuf_addf(arg, "%s=%lld;", name, (long long)id);
	return 0;
}

static int add_folder(void *arg, int64_t id, const char *path)
{
	strbuf_addf(arg, "%lld:%s;", (long long)id, path);
	return id == 1;
}

static void test_each_and_folders(void **state)
{
	struct strbuf out = STRBUF_INIT;

	(void)state;
	assert_int_equal(manga_reads_each(add_name, &out), 0);
	assert_string_equal(out.buf, "Akira=2;Bleach=1;");
	strbuf_reset(&out);
	/* fn's nonzero stops the walk and is returned */
	assert_int_equal(manga_reads_folders(add_folder, &out), 1);
	assert_string_equal(out.buf, "1:/m/Bleach;");
	strbuf_release(&out);
}

static int add_volume(void *arg, const struct manga_volume_file *v)
{
	strbuf_addf(arg, "%lld/%lld %g-%g %.*s %lld@%lld;",
		    (long long)v->file, (long long)v->dir, v->first, v->last,
		    (int)v->path_len, v->path, (long long)v->size,
		    (long long)v->mtime_ns);
	return 0;
}

static int add_file(void *arg, const struct manga_folder_file *f)
{
	strbuf_addf(arg, "%lld %.*s %lld@%lld/%lld;", (long long)f->file,
		    (int)f->path_len, f->path, (long long)f->size,
		    (long long)f->mtime_ns, (long long)f->dir_mtime_ns);
	return 0;
}

/* Volume 3 has no file on disk; 5.5 is a folder of images, by name,
 * with no size or mtime of its own; its files carry the folder's. */
static void test_volume_files(void **state)
{
	struct strbuf out = STRBUF_INIT;

	(void)state;
	assert_int_equal(manga_reads_volume_files(1, add_volume, &out), 0);
	assert_string_equal(out.buf, "10/0 1-1 Bleach/v01.cbz 100@7000;"
			    "11/0 2-4 Bleach/v02-04.cbz 200@9000;"
			    "0/2 5.5-5.5 Bleach/v05.5 0@0;");
	strbuf_reset(&out);
	assert_int_equal(manga_reads_folder_files(2, add_file, &out), 0);
	assert_string_equal(out.buf, "13 Bleach/v05.5/p1.jpg 1@0/8000;"
			    "12 Bleach/v05.5/p2.jpg 2@8500/8000;");
	strbuf_release(&out);
}

/* A folder's files counted from the index: the volume folder's two, none
 * in a folder that is not there. */
static void test_folder_count(void **state)
{
	int64_t n = -1;

	(void)state;
	assert_int_equal(manga_reads_folder_count(2, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(manga_reads_folder_count(999, &n), 0);
	assert_int_equal(n, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_owned, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gaps, setup, teardown),
		cmocka_unit_test_setup_teardown(test_settings, setup, teardown),
		cmocka_unit_test_setup_teardown(test_status, setup, teardown),
		cmocka_unit_test_setup_teardown(test_each_and_folders, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_folder_count, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_volume_files, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
