/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The inode table of the mount: lookups counted and forgotten, paths of
 * nested names, the root kept, numbers never reused, folders listed, and
 * many threads at once.
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "common/strbuf.h"
#include "fs/mount/inodes.h"
#include "join.h"

static int clear(void **state)
{
	(void)state;
	inodes_clear();
	return 0;
}

static void assert_path(uint64_t ino, const char *want)
{
	struct strbuf sb = STRBUF_INIT;

	assert_int_equal(inodes_path(ino, &sb), 0);
	assert_string_equal(sb.buf, want);
	strbuf_release(&sb);
}

static void test_lookup_counts(void **state)
{
	uint64_t a, again;

	(void)state;
	assert_int_equal(inodes_lookup(INODES_ROOT, "status", &a), 0);
	assert_true(a > INODES_ROOT);
	assert_int_equal(inodes_lookup(INODES_ROOT, "status", &again), 0);
	assert_int_equal(again, a);
	assert_int_equal(inodes_lookups(a), 2);
	inodes_forget(a, 1);
	assert_int_equal(inodes_lookups(a), 1);
	assert_path(a, "/status");
	inodes_forget(a, 1);
	assert_int_equal(inodes_lookups(a), 0);
	assert_int_equal(inodes_find("/status"), 0);
}

static void test_forget_many_at_once(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	uint64_t a;

	(void)state;
	for (int i = 0; i < 5; i++)
		assert_int_equal(inodes_lookup(INODES_ROOT, "manga", &a), 0);
	inodes_forget(a, 4);
	assert_int_equal(inodes_lookups(a), 1);
	/* More than it holds frees it; an unknown number is ignored. */
	inodes_forget(a, 10);
	assert_int_equal(inodes_path(a, &sb), -ENOENT);
	inodes_forget(a, 1);
	inodes_forget(987654321, 1);
	strbuf_release(&sb);
}

static void test_nested_paths(void **state)
{
	uint64_t lib, music, artist, album;

	(void)state;
	assert_int_equal(inodes_lookup(INODES_ROOT, "library", &lib), 0);
	assert_int_equal(inodes_lookup(lib, "music", &music), 0);
	assert_int_equal(inodes_lookup(music, "Björk", &artist), 0);
	assert_int_equal(inodes_lookup(artist, "Post (1995)", &album), 0);
	assert_path(INODES_ROOT, "/");
	assert_path(lib, "/library");
	assert_path(music, "/library/music");
	assert_path(album, "/library/music/Björk/Post (1995)");
	assert_int_equal(inodes_find("/library/music/Björk"), artist);
	assert_int_equal(inodes_find("/library/music/Björk/Post (1995)"),
			 album);
	assert_int_equal(inodes_find("/"), INODES_ROOT);
	assert_int_equal(inodes_find("/library/music/Bj"), 0);
	assert_int_equal(inodes_find("/library/musi"), 0);
	assert_int_equal(inodes_find(""), 0);
	/* The same name in another folder is another entry. */
	assert_int_equal(inodes_lookup(INODES_ROOT, "music", &album), 0);
	assert_int_not_equal(album, music);
	assert_path(album, "/music");
}

static void test_unknown_parent(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	uint64_t ino = 77;

	(void)state;
	assert_int_equal(inodes_lookup(123456, "x", &ino), -ENOENT);
	assert_int_equal(ino, 77);
	assert_int_equal(inodes_path(123456, &sb), -ENOENT);
	assert_int_equal(inodes_lookups(123456), 0);
	strbuf_release(&sb);
}

static void test_root_never_freed(void **state)
{
	uint64_t a;

	(void)state;
	inodes_forget(INODES_ROOT, 1000);
	assert_path(INODES_ROOT, "/");
	assert_int_equal(inodes_lookup(INODES_ROOT, "log", &a), 0);
	assert_path(a, "/log");
	assert_int_equal(inodes_find("/"), INODES_ROOT);
}

static void test_new_number_after_forget(void **state)
{
	uint64_t first, second, other;

	(void)state;
	assert_int_equal(inodes_lookup(INODES_ROOT, "search", &first), 0);
	inodes_forget(first, 1);
	assert_int_equal(inodes_lookup(INODES_ROOT, "search", &second), 0);
	assert_int_not_equal(second, first);
	assert_int_equal(inodes_lookups(first), 0);
	assert_int_equal(inodes_lookups(second), 1);
	assert_int_equal(inodes_lookup(INODES_ROOT, "other", &other), 0);
	assert_true(other > second);
}

/* A readdirplus counts one lookup for each folder it gives, on top of
 * the lookups the names had already. */
static void test_readdirplus_counting(void **state)
{
	char name[32];
	uint64_t dir, ino[100], again;

	(void)state;
	assert_int_equal(inodes_lookup(INODES_ROOT, "artists", &dir), 0);
	for (int i = 0; i < 100; i++) {
		snprintf(name, sizeof(name), "artist %d", i);
		assert_int_equal(inodes_lookup(dir, name, &ino[i]), 0);
	}
	for (int i = 0; i < 100; i += 2) {
		snprintf(name, sizeof(name), "artist %d", i);
		assert_int_equal(inodes_lookup(dir, name, &again), 0);
		assert_int_equal(again, ino[i]);
	}
	for (int i = 0; i < 100; i++)
		assert_int_equal(inodes_lookups(ino[i]), i % 2 ? 1 : 2);
	for (int i = 0; i < 100; i++)
		inodes_forget(ino[i], 1);
	for (int i = 0; i < 100; i++)
		assert_int_equal(inodes_lookups(ino[i]), i % 2 ? 0 : 1);
	assert_int_equal(inodes_find("/artists/artist 1"), 0);
	assert_int_equal(inodes_find("/artists/artist 2"), ino[2]);
}

static void test_listed(void **state)
{
	struct strbuf out = STRBUF_INIT;
	uint64_t a, b;

	(void)state;
	assert_int_equal(inodes_lookup(INODES_ROOT, "a", &a), 0);
	assert_int_equal(inodes_lookup(a, "b", &b), 0);
	inodes_listed(b);
	inodes_listed(INODES_ROOT);
	inodes_listed(b);
	inodes_listed(424242);
	inodes_take_listed(&out);
	/* Each once, in no set order. */
	assert_int_equal(out.len, sizeof("/a/b") + sizeof("/"));
	assert_true(!memcmp(out.buf, "/a/b\0/", out.len) ||
		    !memcmp(out.buf, "/\0/a/b", out.len));
	strbuf_reset(&out);
	inodes_take_listed(&out);
	assert_int_equal(out.len, 0);
	/* A forgotten folder is no longer listed. */
	inodes_listed(b);
	inodes_forget(b, 1);
	inodes_take_listed(&out);
	assert_int_equal(out.len, 0);
	strbuf_release(&out);
}

/* The entries held below a folder, not the folder itself, nor one whose
 * name only begins as its does (issue 80: what a move of the views has
 * the kernel forget). */
static void test_under(void **state)
{
	struct strbuf out = STRBUF_INIT;
	uint64_t lib, music, other, near;

	(void)state;
	assert_int_equal(inodes_lookup(INODES_ROOT, "lib", &lib), 0);
	assert_int_equal(inodes_lookup(lib, "music", &music), 0);
	assert_int_equal(inodes_lookup(INODES_ROOT, "libx", &near), 0);
	assert_int_equal(inodes_lookup(near, "music", &other), 0);
	inodes_under("/lib", &out);
	assert_int_equal(out.len, sizeof("/lib/music"));
	assert_memory_equal(out.buf, "/lib/music", out.len);
	strbuf_reset(&out);
	inodes_forget(music, 1);
	inodes_under("/lib", &out);
	assert_int_equal(out.len, 0);
	inodes_under("/nothing", &out);
	assert_int_equal(out.len, 0);
	strbuf_release(&out);
}

/* Past the first room kept for them, every listed folder is still
 * there, once; a new session starts with none. */
static void test_many_listed(void **state)
{
	struct strbuf out = STRBUF_INIT;
	char name[32];
	uint64_t ino;
	size_t n = 0;

	(void)state;
	for (int i = 0; i < 500; i++) {
		snprintf(name, sizeof(name), "d%d", i);
		assert_int_equal(inodes_lookup(INODES_ROOT, name, &ino), 0);
		inodes_listed(ino);
		inodes_listed(ino);
	}
	inodes_take_listed(&out);
	for (const char *p = out.buf; p < out.buf + out.len;
	     p += strlen(p) + 1) {
		assert_int_equal(p[0], '/');
		assert_int_equal(p[1], 'd');
		n++;
	}
	assert_int_equal(n, 500);
	inodes_listed(ino);
	inodes_clear();
	strbuf_reset(&out);
	inodes_take_listed(&out);
	assert_int_equal(out.len, 0);
	strbuf_release(&out);
}

/* Enough entries for the tables to grow several times. */
static void test_many_entries(void **state)
{
	static uint64_t ino[20000];
	char name[32], want[40];

	(void)state;
	for (int i = 0; i < 20000; i++) {
		snprintf(name, sizeof(name), "%d", i);
		assert_int_equal(inodes_lookup(INODES_ROOT, name, &ino[i]), 0);
	}
	for (int i = 0; i < 20000; i += 7) {
		snprintf(want, sizeof(want), "/%d", i);
		assert_path(ino[i], want);
		assert_int_equal(inodes_find(want), ino[i]);
	}
	for (int i = 0; i < 20000; i++)
		inodes_forget(ino[i], 1);
	assert_int_equal(inodes_find("/19999"), 0);
}

#define THREADS 8
#define ROUNDS 20000

/* Each thread looks up and forgets names shared with the others, and
 * keeps one lookup of each of its own names to the end. */
static void *churn(void *arg)
{
	int id = (int)(intptr_t)arg;
	struct strbuf sb = STRBUF_INIT;
	char name[32];
	uint64_t ino;

	for (int i = 0; i < ROUNDS; i++) {
		snprintf(name, sizeof(name), "shared %d", i % 50);
		if (inodes_lookup(INODES_ROOT, name, &ino))
			return (void *)1;
		if (inodes_path(ino, &sb) || strcmp(sb.buf + 1, name))
			return (void *)1;
		inodes_forget(ino, 1);
		if (i % 100 == 0) {
			snprintf(name, sizeof(name), "own %d %d", id, i);
			if (inodes_lookup(INODES_ROOT, name, &ino))
				return (void *)1;
		}
	}
	strbuf_release(&sb);
	return NULL;
}

static void test_threads(void **state)
{
	pthread_t t[THREADS];
	char name[32];
	void *ret;

	(void)state;
	for (int i = 0; i < THREADS; i++)
		assert_int_equal(pthread_create(&t[i], NULL, churn,
						(void *)(intptr_t)i), 0);
	for (int i = 0; i < THREADS; i++) {
		assert_int_equal(join_within(t[i], JOIN_S, &ret), 0);
		assert_null(ret);
	}
	/* Every shared name was forgotten as often as looked up. */
	for (int i = 0; i < 50; i++) {
		snprintf(name, sizeof(name), "/shared %d", i);
		assert_int_equal(inodes_find(name), 0);
	}
	for (int id = 0; id < THREADS; id++)
		for (int i = 0; i < ROUNDS; i += 100) {
			snprintf(name, sizeof(name), "/own %d %d", id, i);
			assert_int_equal(inodes_lookups(inodes_find(name)), 1);
		}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_lookup_counts, clear),
		cmocka_unit_test_teardown(test_forget_many_at_once, clear),
		cmocka_unit_test_teardown(test_nested_paths, clear),
		cmocka_unit_test_teardown(test_unknown_parent, clear),
		cmocka_unit_test_teardown(test_root_never_freed, clear),
		cmocka_unit_test_teardown(test_new_number_after_forget, clear),
		cmocka_unit_test_teardown(test_readdirplus_counting, clear),
		cmocka_unit_test_teardown(test_listed, clear),
		cmocka_unit_test_teardown(test_under, clear),
		cmocka_unit_test_teardown(test_many_listed, clear),
		cmocka_unit_test_teardown(test_many_entries, clear),
		cmocka_unit_test_teardown(test_threads, clear),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
