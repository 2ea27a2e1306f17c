/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The watcher's map of watches (watch_map.c) on real folders and real
 * inotify watches, one instance per root: a folder renamed, within its
 * root or into another, gives its new path to its own watch and to each
 * one below it, through the tree of watches (what the renamed subtree
 * holds, not every watch); every watch keeps the one right above it as
 * its parent; a watch dropped leaves those below it without one, and a
 * move then still finds them all by looking at every watch.
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

#include "common/strbuf.h"
#include "indexer/library/watch_private.h"

static char dir[] = "/tmp/test_watch_map.XXXXXX";
static char root_a[64], root_b[64];
static const char *roots[2] = { root_a, root_b };

/* Make folder rel of root (number r) on disk and watch it. */
static void watched(size_t r, const char *rel)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", roots[r], rel);
	if (*rel)
		assert_int_equal(mkdir(path, 0755), 0);
	watch_dir(r, rel, strlen(rel), -1);
}

static int by_text(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The watches' places as "ROOT:REL" in order, joined by spaces. */
static void places(struct strbuf *out)
{
	char *v[64];
	size_t n = 0;

	for (size_t wd = 0; wd < watch_wt.map_alloc; wd++) {
		const struct watch_place *p = watch_wt.map[wd];

		if (!p)
			continue;
		assert_true(n < 64);
		assert_true(asprintf(&v[n++], "%zu:%s", p->root, p->rel) > 0);
	}
	qsort(v, n, sizeof(*v), by_text);
	strbuf_reset(out);
	for (size_t i = 0; i < n; i++) {
		strbuf_addf(out, "%s%s", i ? " " : "", v[i]);
		free(v[i]);
	}
}

/* Each watch's parent is the watch of the folder right above it, each
 * is in its parent's list once, and the orphans are counted. */
static void tree_holds(void)
{
	size_t orphans = 0;

	for (size_t wd = 0; wd < watch_wt.map_alloc; wd++) {
		const struct watch_place *p = watch_wt.map[wd], *c;
		const char *slash;
		size_t len, seen = 0;

		if (!p)
			continue;
		for (c = p->child; c; c = c->next) {
			assert_ptr_equal(c->parent, p);
			assert_true(!c->next || c->next->prev == c);
		}
		if (!*p->rel) {
			assert_null(p->parent);
			continue;
		}
		if (!p->parent) {
			orphans++;
			continue;
		}
		slash = strrchr(p->rel, '/');
		len = slash ? (size_t)(slash - p->rel) : 0;
		assert_int_equal(p->parent->root, p->root);
		assert_int_equal(strlen(p->parent->rel), len);
		assert_memory_equal(p->parent->rel, p->rel, len);
		for (c = p->parent->child; c; c = c->next)
			seen += c == p;
		assert_int_equal(seen, 1);
	}
	assert_int_equal(orphans, watch_wt.orphans);
}

static void expect(const char *want)
{
	struct strbuf sb = STRBUF_INIT;

	places(&sb);
	assert_string_equal(sb.buf, want);
	strbuf_release(&sb);
	tree_holds();
}

static int setup(void **state)
{
	(void)state;
	if (!mkdtemp(dir))
		return -1;
	snprintf(root_a, sizeof(root_a), "%s/A", dir);
	snprintf(root_b, sizeof(root_b), "%s/B", dir);
	if (mkdir(root_a, 0755) || mkdir(root_b, 0755))
		return -1;
	watch_wt.roots = (char **)roots;
	watch_wt.nr_roots = 2;
	if (watch_queue_open())
		return -1;
	watch_wt.running = 1;
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	watch_wt.running = 0;
	hmap_release(&watch_wt.watched, watch_map_entry_free);
	free(watch_wt.map);
	watch_queue_close();
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd);
}

static void test_moves(void **state)
{
	(void)state;
	watched(0, "");
	watched(0, "x");
	watched(0, "x/y");
	watched(0, "x/y/z");
	watched(0, "x/w");
	watched(0, "o");
	watched(1, "");
	watched(1, "k");
	expect("0: 0:o 0:x 0:x/w 0:x/y 0:x/y/z 1: 1:k");
	assert_int_equal(watch_wt.orphans, 0);
	/* renamed inside its root, below another watched folder */
	watch_map_move(0, "x", 0, "o/x2");
	expect("0: 0:o 0:o/x2 0:o/x2/w 0:o/x2/y 0:o/x2/y/z 1: 1:k");
	assert_int_equal(watch_wt.orphans, 0);
	/* a leaf, then a middle folder */
	watch_map_move(0, "o/x2/y/z", 0, "o/x2/y/z2");
	watch_map_move(0, "o/x2/y", 0, "o/y");
	expect("0: 0:o 0:o/x2 0:o/x2/w 0:o/y 0:o/y/z2 1: 1:k");
	/* into another root: its watches keep their instance */
	watch_map_move(0, "o/y", 1, "k/y");
	expect("0: 0:o 0:o/x2 0:o/x2/w 1: 1:k 1:k/y 1:k/y/z2");
	assert_int_equal(watch_wt.orphans, 0);
	/* a root watched again keeps what is below it */
	watch_renew(0);
	expect("0: 0:o 0:o/x2 0:o/x2/w 1: 1:k 1:k/y 1:k/y/z2");
	assert_int_equal(watch_wt.orphans, 0);
}

static void test_dropped_parent(void **state)
{
	int wd = -1;

	(void)state;
	for (size_t i = 0; i < watch_wt.map_alloc; i++)
		if (watch_wt.map[i] && !strcmp(watch_wt.map[i]->rel, "k/y"))
			wd = (int)i;
	assert_true(wd >= 0);
	/* the kernel dropped k/y's watch (IN_IGNORED): k/y/z2 has none
	 * above it, and a move of k finds it all the same */
	watch_map_drop(wd);
	expect("0: 0:o 0:o/x2 0:o/x2/w 1: 1:k 1:k/y/z2");
	assert_int_equal(watch_wt.orphans, 1);
	watch_map_move(1, "k", 1, "k2");
	expect("0: 0:o 0:o/x2 0:o/x2/w 1: 1:k2 1:k2/y/z2");
	/* the orphan's own watch dropped: none is left */
	for (size_t i = 0; i < watch_wt.map_alloc; i++)
		if (watch_wt.map[i] && !strcmp(watch_wt.map[i]->rel,
					       "k2/y/z2"))
			watch_map_drop((int)i);
	expect("0: 0:o 0:o/x2 0:o/x2/w 1: 1:k2");
	assert_int_equal(watch_wt.orphans, 0);
}

/* What the kernel says of the watches it removed (IN_IGNORED), handed
 * to the map as the watcher does. */
static void ignored(const struct inotify_event *ev, double at)
{
	(void)at;
	if (ev->mask & IN_IGNORED)
		watch_map_drop(ev->wd);
}

static void test_forget(void **state)
{
	(void)state;
	watched(1, "n");
	watched(1, "n/f");
	watched(1, "n/f/g");
	expect("0: 0:o 0:o/x2 0:o/x2/w 1: 1:k2 1:n 1:n/f 1:n/f/g");
	/* a folder moved out of every root: its watches and those below
	 * it are removed, and the map forgets them at once, before the
	 * kernel says so */
	watch_map_forget(1, "n");
	expect("0: 0:o 0:o/x2 0:o/x2/w 1: 1:k2");
	while (watch_queue_drain())
		watch_queue_take(ignored);
	expect("0: 0:o 0:o/x2 0:o/x2/w 1: 1:k2");
	assert_int_equal(watch_wt.orphans, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_moves),
		cmocka_unit_test(test_dropped_parent),
		cmocka_unit_test(test_forget),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
