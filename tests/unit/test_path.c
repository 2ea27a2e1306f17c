/*
 * Paths as text (common/path.h): folders by whole names, the root of
 * relative paths, "/", and below as against under.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

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
	assert_true(path_below("/srv", "/"));
	assert_false(path_below("/", "/"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_under),
		cmocka_unit_test(test_below),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
