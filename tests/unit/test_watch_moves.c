/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The watcher's pending moves (watch_events.c) on real folders, real
 * watches and the kernel's own events (issue 80): a folder renamed
 * whose moved_from is read in one window and its moved_to in the next
 * (a read between the two, as a rename storm on a loaded machine gives)
 * keeps its watch, under its new path, and what is then made in it is
 * seen; a folder moved out of the roots loses its watches, and its
 * place goes to the scanner, at the end of the window that read its
 * move_self, else of the next; a folder made in its place at once and
 * walked before the watcher reads that the old watch went is watched;
 * so is one made in place of a folder whose dropped watch an overflow
 * hid, at the rescan that overflow starts.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/clock.h"
#include "common/strbuf.h"
#include "indexer/library/watch_private.h"

static char dir[] = "/tmp/test_watch_moves.XXXXXX";
static char root_a[64];
static const char *roots[1] = { root_a };

/* The events the kernel gave, copied (the queue frees its own). */
static struct inotify_event *got[64];
static size_t nr_got;

/* The paths the last batch handed to the scanner, joined by spaces. */
static struct strbuf handed = STRBUF_INIT;

static int rescan(const char *trigger, char *const *paths,
		  const double *event_at, size_t nr)
{
	(void)trigger;
	(void)event_at;
	strbuf_reset(&handed);
	for (size_t i = 0; i < nr; i++)
		strbuf_addf(&handed, "%s%s", i ? " " : "",
			    paths[i] + strlen(root_a));
	return (int)nr;
}

static void keep(const struct inotify_event *ev, double at)
{
	size_t size = sizeof(*ev) + ev->len;

	(void)at;
	assert_true(nr_got < 64);
	got[nr_got] = malloc(size);
	assert_non_null(got[nr_got]);
	memcpy(got[nr_got++], ev, size);
}

/* Read what the kernel has for us now. */
static void read_events(void)
{
	while (nr_got)
		free(got[--nr_got]);
	while (watch_queue_drain())
		watch_queue_take(keep);
}

/* The first event read of mask, or NULL. */
static const struct inotify_event *event_of(uint32_t mask)
{
	for (size_t i = 0; i < nr_got; i++)
		if (got[i]->mask & mask)
			return got[i];
	return NULL;
}

/* Hand the events read to the watcher, but for skip. */
static void hand_events(const struct inotify_event *skip)
{
	for (size_t i = 0; i < nr_got; i++)
		if (got[i] != skip)
			watch_event(got[i], clock_mono());
}

static void watched(const char *rel)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", root_a, rel);
	if (*rel)
		assert_int_equal(mkdir(path, 0755), 0);
	watch_dir(0, rel, strlen(rel), -1);
}

/* The watches' paths, in the order of their descriptors. */
static void expect(const char *want)
{
	struct strbuf sb = STRBUF_INIT;

	for (size_t wd = 0; wd < watch_wt.map_alloc; wd++)
		if (watch_wt.map[wd])
			strbuf_addf(&sb, "[%s]", watch_wt.map[wd]->rel);
	assert_string_equal(sb.buf, want);
	strbuf_release(&sb);
}

static int touched(const char *rel)
{
	for (size_t i = 0; i < watch_wt.touched.nr; i++)
		if (!strcmp(watch_wt.touched.v[i].rel, rel))
			return 1;
	return 0;
}

static void do_rename(const char *from, const char *to)
{
	char a[256], b[256];

	snprintf(a, sizeof(a), "%s/%s", root_a, from);
	snprintf(b, sizeof(b), "%s/%s", *to == '/' ? "" : root_a,
		 *to == '/' ? to + 1 : to);
	assert_int_equal(rename(a, b), 0);
}

static int setup(void **state)
{
	(void)state;
	if (!mkdtemp(dir))
		return -1;
	snprintf(root_a, sizeof(root_a), "%s/A", dir);
	if (mkdir(root_a, 0755))
		return -1;
	watch_wt.roots = (char **)roots;
	watch_wt.nr_roots = 1;
	watch_wt.set.rescan = rescan;
	if (watch_queue_open())
		return -1;
	watch_wt.running = 1;
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	read_events();
	watch_wt.running = 0;
	hmap_release(&watch_wt.watched, watch_map_entry_free);
	free(watch_wt.map);
	watch_list_clear(&watch_wt.touched);
	watch_list_clear(&watch_wt.moves);
	free(watch_wt.touched.v);
	free(watch_wt.moves.v);
	watch_queue_close();
	while (nr_got)
		free(got[--nr_got]);
	strbuf_release(&handed);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd);
}

static void test_rename_read_in_two_windows(void **state)
{
	char path[256];
	const struct inotify_event *from;
	FILE *f;

	(void)state;
	watched("");
	watched("S");
	watched("S/d");
	expect("[][S][S/d]");
	do_rename("S/d", "S/e");
	read_events();
	from = event_of(IN_MOVED_FROM);
	assert_non_null(from);
	assert_non_null(event_of(IN_MOVED_TO));
	assert_non_null(event_of(IN_MOVE_SELF));
	/* the moved_from read alone, the window over, then the rest */
	watch_event(from, clock_mono());
	watch_flush();
	hand_events(from);
	watch_flush();
	/* what the kernel said since (a watch removed: IN_IGNORED) */
	read_events();
	hand_events(NULL);
	expect("[][S][S/e]");
	/* a file made in the renamed folder is seen */
	snprintf(path, sizeof(path), "%s/S/e/new.txt", root_a);
	f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fclose(f), 0);
	read_events();
	hand_events(NULL);
	assert_true(touched("S/e/new.txt"));
	watch_flush();
	watch_flush();
	assert_int_equal(watch_wt.touched.nr, 0);
}

/* Move rel out of the roots, read what the kernel says of it. */
static void move_out(const char *rel, const char *name)
{
	char out[256];

	snprintf(out, sizeof(out), "%s/%s", dir, name);
	do_rename(rel, out);
	read_events();
	assert_non_null(event_of(IN_MOVED_FROM));
	assert_null(event_of(IN_MOVED_TO));
	assert_non_null(event_of(IN_MOVE_SELF));
}

static void test_moved_out(void **state)
{
	(void)state;
	watched("S/x");
	watched("S/x/y");
	watched("S/z");
	expect("[][S][S/e][S/x][S/x/y][S/z]");
	read_events();		/* their making, not looked at here */
	/* its move_self read with it: it goes at the window's end, and
	 * the watches below it */
	move_out("S/x", "x");
	hand_events(NULL);
	strbuf_reset(&handed);
	watch_flush();
	assert_string_equal(handed.buf, "/S/x");
	read_events();
	hand_events(NULL);
	expect("[][S][S/e][S/z]");
	/* its moved_from read alone: it waits a window for the rest */
	move_out("S/z", "z");
	watch_event(event_of(IN_MOVED_FROM), clock_mono());
	strbuf_reset(&handed);
	watch_flush();
	assert_string_equal(handed.buf, "");
	assert_int_equal(watch_wt.moves.nr, 1);
	expect("[][S][S/e][S/z]");
	/* and no more than that, when the rest does not come */
	watch_flush();
	assert_string_equal(handed.buf, "/S/z");
	read_events();
	hand_events(NULL);
	expect("[][S][S/e]");
	assert_int_equal(watch_wt.moves.nr, 0);
}

/* A file made at rel is seen by the watches. */
static void seen_made(const char *rel)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root_a, rel);
	f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fclose(f), 0);
	read_events();
	hand_events(NULL);
	assert_true(touched(rel));
	watch_flush();
	watch_flush();
}

static void test_replaced_in_one_window(void **state)
{
	char path[256];

	(void)state;
	watched("S/q");
	read_events();
	/* moved out, and a new folder of its name made at once */
	snprintf(path, sizeof(path), "%s/q", dir);
	do_rename("S/q", path);
	snprintf(path, sizeof(path), "%s/S/q", root_a);
	assert_int_equal(mkdir(path, 0755), 0);
	read_events();
	assert_non_null(event_of(IN_MOVE_SELF));
	assert_non_null(event_of(IN_CREATE));
	hand_events(NULL);
	strbuf_reset(&handed);
	watch_flush();
	assert_string_equal(handed.buf, "/S/q");
	/* the scan watches the new one before the watcher reads that the
	 * old one's watch went (IN_IGNORED) */
	watch_dir(0, "S/q", 3, -1);
	read_events();
	assert_non_null(event_of(IN_IGNORED));
	hand_events(NULL);
	expect("[][S][S/e][S/q]");
	seen_made("S/q/f.txt");
}

/* When the watch of rel was last made. */
static double place_at(const char *rel)
{
	for (size_t wd = 0; wd < watch_wt.map_alloc; wd++)
		if (watch_wt.map[wd] && !strcmp(watch_wt.map[wd]->rel, rel))
			return watch_wt.map[wd]->at;
	fail();
	return 0;
}

static void test_ignored_lost_in_an_overflow(void **state)
{
	struct inotify_event overflow = {
		.wd = -1 - (int)watch_queue_instance(0), .mask = IN_Q_OVERFLOW,
	};
	char path[256];
	double at;

	(void)state;
	watched("S/r");
	read_events();
	/* deleted and made again, what the kernel said of it lost in an
	 * overflow of its queue: the map still holds its old watch */
	snprintf(path, sizeof(path), "%s/S/r", root_a);
	assert_int_equal(rmdir(path), 0);
	assert_int_equal(mkdir(path, 0755), 0);
	read_events();
	assert_non_null(event_of(IN_IGNORED));
	watch_event(&overflow, clock_mono());
	expect("[][S][S/e][S/q][S/r]");
	/* the rescan of the root walks it: it is watched again */
	watch_dir(0, "S/r", 3, -1);
	expect("[][S][S/e][S/q][S/r]");
	seen_made("S/r/f.txt");
	/* and a walk after that makes it no more */
	at = place_at("S/r");
	watch_dir(0, "S/r", 3, -1);
	assert_true(place_at("S/r") == at);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rename_read_in_two_windows),
		cmocka_unit_test(test_moved_out),
		cmocka_unit_test(test_replaced_in_one_window),
		cmocka_unit_test(test_ignored_lost_in_an_overflow),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
