/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * A first scan's count of its files on disk (indexer/library/scan_count.h):
 * every name but a folder counted, as the scanner sees them (hidden files
 * and links too, a FIFO not), folders walked and not counted, a link to a
 * folder not followed, a file asked alone one file, a path that is not
 * there an error, a stopped count stopped; the thread's count whole once
 * it says it is done.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "indexer/library/scan_count.h"
#include "indexer/library/scan_request.h"

static char root[64];

static void put(const char *rel)
{
	char path[256];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	assert_true(fd >= 0);
	close(fd);
}

static void folder(const char *rel)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	assert_int_equal(mkdir(path, 0755), 0);
}

/* A tree of 9 files the scanner sees: 2 at the top (one hidden), 3 in
 * a/, 2 in a/b/c/, a link to a folder and a link to nothing; a FIFO
 * and an empty folder besides. */
static int make_tree(void **state)
{
	char path[256], target[256];

	(void)state;
	snprintf(root, sizeof(root), "/tmp/test_scan_count.XXXXXX");
	assert_non_null(mkdtemp(root));
	put("one.flac");
	put(".hidden");
	folder("a");
	put("a/1.mp3");
	put("a/2.mp3");
	put("a/cover.jpg");
	folder("a/b");
	folder("a/b/c");
	put("a/b/c/x.ogg");
	put("a/b/c/y.ogg");
	folder("empty");
	snprintf(path, sizeof(path), "%s/to-a", root);
	snprintf(target, sizeof(target), "%s/a", root);
	assert_int_equal(symlink(target, path), 0);
	snprintf(path, sizeof(path), "%s/a/dangling", root);
	assert_int_equal(symlink("/nonexistent/x", path), 0);
	snprintf(path, sizeof(path), "%s/a/fifo", root);
	assert_int_equal(mkfifo(path, 0644), 0);
	return 0;
}

static int remove_tree(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	assert_int_equal(system(cmd), 0);
	return 0;
}

static void test_counts_what_the_scanner_sees(void **state)
{
	uint64_t n = 0;
	int stop = 0;
	char path[256];

	(void)state;
	assert_int_equal(scan_count_tree(root, &n, &stop), 0);
	assert_int_equal(n, 9);
	/* a subpath alone, and a file asked alone, add to what is there */
	snprintf(path, sizeof(path), "%s/a/b", root);
	assert_int_equal(scan_count_tree(path, &n, &stop), 0);
	assert_int_equal(n, 11);
	snprintf(path, sizeof(path), "%s/one.flac", root);
	assert_int_equal(scan_count_tree(path, &n, &stop), 0);
	assert_int_equal(n, 12);
}

static void test_missing_and_stopped(void **state)
{
	uint64_t n = 0;
	int stop = 1;
	char path[256];

	(void)state;
	snprintf(path, sizeof(path), "%s/not-there", root);
	assert_int_equal(scan_count_tree(path, &n, &stop), -ENOENT);
	assert_int_equal(n, 0);
	/* stopped before it began: nothing listed */
	assert_int_equal(scan_count_tree(root, &n, &stop), 0);
	assert_int_equal(n, 0);
}

static void test_the_thread_counts_every_request(void **state)
{
	const char *const all[] = { "" }, *const two[] = { "a/b", "one.flac" };
	struct scan_request req[2] = {
		{ .root_path = root, .subpaths = all, .nr_subpaths = 1 },
		{ .root_path = root, .subpaths = two, .nr_subpaths = 2 },
	};
	struct scan_count c;
	uint64_t n = 0, counting = 0;
	struct timespec t0, t;

	(void)state;
	assert_int_equal(scan_count_start(&c, req, 2, &n, &counting), 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	/* done within a minute, however loaded the machine */
	while (__atomic_load_n(&counting, __ATOMIC_ACQUIRE)) {
		clock_gettime(CLOCK_MONOTONIC, &t);
		assert_true(t.tv_sec - t0.tv_sec < 60);
		sched_yield();
	}
	assert_int_equal(n, 12);
	scan_count_stop(&c);
	assert_int_equal(n, 12);
	/* stopped at once: it says it is done, with part of the count */
	n = 0;
	assert_int_equal(scan_count_start(&c, req, 2, &n, &counting), 0);
	scan_count_stop(&c);
	assert_int_equal(counting, 0);
	assert_true(n <= 12);
	scan_count_stop(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_counts_what_the_scanner_sees),
		cmocka_unit_test(test_missing_and_stopped),
		cmocka_unit_test(test_the_thread_counts_every_request),
	};

	return cmocka_run_group_tests(tests, make_tree, remove_tree);
}
