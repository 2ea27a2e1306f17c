/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Paths as text (common/path.h): folders by whole names, the root of
 * relative paths, "/", below as against under, how much of a path a
 * folder holds, and the normal form.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>

#include <cmocka.h>

#include "common/path.h"

static void test_under(void **state)
{
	(void)state;
	assert_true(path_under("/srv/music", "/srv/music"));
	assert_true(path_under("/srv/music/a", "/srv/music"));
	assert_false(path_under("/srv/musical/a", "/srv/music"));
	assert_false(path_under("/srv", "/srv/music"));
	assert_true(path_under("/anything", "/"));
	assert_true(path_under("/", "/"));
	assert_false(path_under("relative", "/"));
	/* root-relative paths: "" is the root itself */
	assert_true(path_under("a/b", ""));
	assert_true(path_under("", ""));
	assert_true(path_under("a/b", "a"));
	assert_false(path_under("ab/c", "a"));
}

static void test_below(void **state)
{
	(void)state;
	assert_false(path_below("/srv/music", "/srv/music"));
	assert_true(path_below("/srv/music/a", "/srv/music"));
	assert_false(path_below("/srv/musical", "/srv/music"));
	assert_false(path_below("/srv/mus", "/srv/music"));
	assert_true(path_below("/srv", "/"));
	assert_false(path_below("/", "/"));
}

/* Normalize path against dir and compare with want. */
static void check_normalize(const char *dir, const char *path,
			    const char *want)
{
	char *got = path_normalize(dir, path);

	assert_non_null(got);
	assert_string_equal(got, want);
	free(got);
}

/* What a folder another program named holds of a path: whole names,
 * its trailing slashes left out, nothing for NULL or "". */
static void test_holds(void **state)
{
	(void)state;
	assert_int_equal(path_holds("/srv/music", "/srv/music/a"), 10);
	assert_int_equal(path_holds("/srv/music//", "/srv/music/a"), 10);
	assert_int_equal(path_holds("/srv/music/", "/srv/music"), 10);
	assert_int_equal(path_holds("/srv/music", "/srv/musical"), 0);
	assert_int_equal(path_holds("/srv/music", "/srv"), 0);
	assert_int_equal(path_holds("/", "/"), 1);
	assert_int_equal(path_holds(NULL, "/srv"), 0);
	assert_int_equal(path_holds("", "/srv"), 0);
}

static void test_normalize(void **state)
{
	(void)state;
	check_normalize("/lib/tv/Show", "../../../mnt/rd/__all__/A/b.mkv",
			"/mnt/rd/__all__/A/b.mkv");
	check_normalize("/lib", "/mnt//rd/./A/b.mkv/", "/mnt/rd/A/b.mkv");
	check_normalize("/lib", "x/y", "/lib/x/y");
	check_normalize(NULL, "/../..", "/");
	check_normalize("/a", "..", "/");
	check_normalize(NULL, "/mnt/rd/", "/mnt/rd");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_under),
		cmocka_unit_test(test_below),
		cmocka_unit_test(test_holds),
		cmocka_unit_test(test_normalize),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
