/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * A series' own save_path looked at (series_save.h): a folder of it that
 * is a symbolic link refused, its path named whole however deep it lies
 * (issue 81), and a folder of the daemon's user under it taken.
 */
#include <errno.h>
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "indexer/monitor/download.h"
#include "indexer/monitor/series_save.h"

static char top[] = "/tmp/test_series_save.XXXXXX";

/* Folders of 40 zeros below top until dir is about len bytes long. */
static void deep_folder(char *dir, size_t size, size_t len)
{
	size_t n = (size_t)snprintf(dir, size, "%s", top);

	while (n + 41 < len) {
		n += (size_t)snprintf(dir + n, size - n, "/%040d", 0);
		assert_int_equal(mkdir(dir, 0755), 0);
	}
}

static int gone(const char *path, const struct stat *st, int flag,
		struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/* top and what the test left in it, also when it failed */
static int teardown(void **state)
{
	(void)state;
	if (strchr(top, 'X'))
		return 0;
	return nftw(top, gone, 16, FTW_DEPTH | FTW_PHYS) && errno != ENOENT;
}

static void test_link_named_whole(void **state)
{
	char dir[600], link[700], folder[800], why[4096], *want;
	struct download_client c = { .client = "transmission" };

	(void)state;
	assert_non_null(mkdtemp(top));
	deep_folder(dir, sizeof(dir), 500);
	snprintf(link, sizeof(link), "%s/link", dir);
	assert_int_equal(symlink("/tmp", link), 0);
	snprintf(folder, sizeof(folder), "%s/series", link);
	assert_int_equal(series_save_check(&c, folder, why, sizeof(why)),
			 -EACCES);
	assert_true(asprintf(&want, "the series' save_path lies in %s, which"
			     " is a symbolic link: not used", link) > 0);
	assert_string_equal(why, want);
	free(want);
	/* a folder of the daemon's user (every folder above is root's or
	 * it) is taken, deep as it lies */
	assert_int_equal(unlink(link), 0);
	snprintf(folder, sizeof(folder), "%s/series", dir);
	assert_int_equal(series_save_check(&c, folder, why, sizeof(why)), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_link_named_whole),
	};

	return cmocka_run_group_tests(tests, NULL, teardown);
}
