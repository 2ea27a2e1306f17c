/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The Subsonic accounts' stars and plays (library/starred.h): kept per
 * account, read back oldest first; a song's rows stay while a gone row
 * keeps its file's id, go with the file otherwise, with the gone row
 * when the file did not come back, and when another file takes the id;
 * a star or play of a file that is not there is not kept.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "common/strbuf.h"
#include "indexer/library/starred.h"
#include "tests/unit/testdb.h"

static const char rows[] =
	"INSERT INTO roots (id, kind, path) VALUES (1, 'music', '/m');"
	"INSERT INTO directories (id, root_id, path, mtime_ns)"
	" VALUES (1, 1, 'a', 0);"
	"INSERT INTO files (id, root_id, dir_id, name, size, mtime_ns, inode,"
	" kind) VALUES (1, 1, 1, 'one.mp3', 10, 20, 1, 'music'),"
	" (2, 1, 1, 'two.mp3', 11, 21, 2, 'music'),"
	" (3, 1, 1, 'three.mp3', 12, 22, 3, 'music');";

static int setup(void **state)
{
	return testdb_reader_setup(state, rows);
}

static void star(sqlite3 *db, const char *account, enum starred_kind kind,
		 int64_t file, const char *item, int on, double at)
{
	struct starred_change c = { account, kind, file, item, on, at };

	assert_int_equal(starred_write(db, &c), 0);
}

static void play(sqlite3 *db, const char *account, int64_t file, double at)
{
	struct starred_play p = { account, file, at };

	assert_int_equal(starred_play(db, &p), 0);
}

static int add_star(void *arg, enum starred_kind kind, int64_t file,
		    const char *item, double at)
{
	strbuf_addf(arg, "%d:%lld:%s:%.0f ", (int)kind, (long long)file,
		    item ? item : "-", at);
	return 0;
}

static int add_play(void *arg, int64_t file, int64_t count, double played)
{
	strbuf_addf(arg, "%lld:%lld:%.0f ", (long long)file,
		    (long long)count, played);
	return 0;
}

/* The stars of account as "KIND:FILE:ITEM:AT " each. */
static void stars_of(const char *account, struct strbuf *out)
{
	strbuf_reset(out);
	assert_int_equal(starred_each(account, add_star, out), 0);
}

static void plays_of(const char *account, struct strbuf *out)
{
	strbuf_reset(out);
	assert_int_equal(starred_plays_each(account, add_play, out), 0);
}

static void exec(sqlite3 *db, const char *sql)
{
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
}

/* Keep the file id aside as the scan does (its gone row, of size and
 * mtime), then delete its row. */
static void leave(sqlite3 *db, int64_t id, int size, int mtime)
{
	char sql[320];

	snprintf(sql, sizeof(sql), "INSERT INTO gone (file_id, track_id,"
		 " root_id, dir, name, size, mtime_ns, inode, gone_at) VALUES"
		 " (%lld, %lld, 1, 'a', 'f.mp3', %d, %d, %lld, 1.0);"
		 " DELETE FROM files WHERE id = %lld;", (long long)id,
		 (long long)id, size, mtime, (long long)id, (long long)id);
	exec(db, sql);
}

/* A file of size and mtime comes with the id. */
static void come(sqlite3 *db, int64_t id, int size, int mtime)
{
	char sql[256];

	snprintf(sql, sizeof(sql), "INSERT INTO files (id, root_id, dir_id,"
		 " name, size, mtime_ns, inode, kind) VALUES (%lld, 1, 1,"
		 " 'f%lld.mp3', %d, %d, %lld, 'music');", (long long)id,
		 (long long)id, size, mtime, (long long)id);
	exec(db, sql);
}

/* Each account its own, the first time of a star kept, a play counted
 * with its latest time, nothing kept of a file that is not there. */
static void test_per_account(void **state)
{
	struct testdb *t = *state;
	struct strbuf sb = STRBUF_INIT;

	star(t->db, "ann", STARRED_SONG, 1, NULL, 1, 300);
	star(t->db, "ann", STARRED_ALBUM, 0, "al6162", 1, 100);
	star(t->db, "ann", STARRED_ARTIST, 0, "ar61", 1, 200);
	star(t->db, "ann", STARRED_SONG, 1, NULL, 1, 900);
	star(t->db, "bob", STARRED_SONG, 2, NULL, 1, 50);
	star(t->db, "ann", STARRED_SONG, 99, NULL, 1, 400);
	stars_of("ann", &sb);
	assert_string_equal(sb.buf, "1:0:al6162:100 2:0:ar61:200 0:1:-:300 ");
	stars_of("bob", &sb);
	assert_string_equal(sb.buf, "0:2:-:50 ");
	stars_of("nobody", &sb);
	assert_string_equal(sb.buf, "");
	star(t->db, "ann", STARRED_ALBUM, 0, "al6162", 0, 0);
	star(t->db, "ann", STARRED_SONG, 2, NULL, 0, 0);
	stars_of("ann", &sb);
	assert_string_equal(sb.buf, "2:0:ar61:200 0:1:-:300 ");

	play(t->db, "ann", 1, 1000);
	play(t->db, "ann", 1, 500);
	play(t->db, "bob", 1, 700);
	play(t->db, "ann", 99, 800);
	plays_of("ann", &sb);
	assert_string_equal(sb.buf, "1:2:1000 ");
	plays_of("bob", &sb);
	assert_string_equal(sb.buf, "1:1:700 ");
	strbuf_release(&sb);
}

/* A gone row keeps a file's rows until it goes without the file back;
 * a file deleted with no gone row takes them along. */
static void test_rows_go_with_the_file(void **state)
{
	struct testdb *t = *state;
	struct strbuf sb = STRBUF_INIT;

	for (int64_t f = 1; f <= 3; f++) {
		star(t->db, "ann", STARRED_SONG, f, NULL, 1, (double)f);
		play(t->db, "ann", f, 10.0 * (double)f);
	}
	leave(t->db, 1, 10, 20);
	exec(t->db, "DELETE FROM files WHERE id = 2;");
	stars_of("ann", &sb);
	assert_string_equal(sb.buf, "0:1:-:1 0:3:-:3 ");
	plays_of("ann", &sb);
	assert_string_equal(sb.buf, "1:1:10 3:1:30 ");
	/* the file comes back (the scan's insert, then the gone row goes) */
	come(t->db, 1, 10, 20);
	exec(t->db, "DELETE FROM gone WHERE file_id = 1;");
	stars_of("ann", &sb);
	assert_string_equal(sb.buf, "0:1:-:1 0:3:-:3 ");
	/* it leaves again and its gone row is pruned */
	leave(t->db, 1, 10, 20);
	exec(t->db, "DELETE FROM gone WHERE file_id = 1;");
	stars_of("ann", &sb);
	assert_string_equal(sb.buf, "0:3:-:3 ");
	plays_of("ann", &sb);
	assert_string_equal(sb.buf, "3:1:30 ");
	strbuf_release(&sb);
}

/* Another file that takes the id of a kept one (other bytes) does not
 * take its rows: they go; the kept file itself coming back keeps them. */
static void test_another_file_takes_the_id(void **state)
{
	struct testdb *t = *state;
	struct strbuf sb = STRBUF_INIT;

	star(t->db, "ann", STARRED_SONG, 3, NULL, 1, 3);
	star(t->db, "ann", STARRED_SONG, 2, NULL, 1, 2);
	leave(t->db, 3, 12, 22);
	leave(t->db, 2, 11, 21);
	come(t->db, 3, 99, 99);
	come(t->db, 2, 11, 21);
	stars_of("ann", &sb);
	assert_string_equal(sb.buf, "0:2:-:2 ");
	strbuf_release(&sb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_per_account, setup,
						testdb_reader_teardown),
		cmocka_unit_test_setup_teardown(test_rows_go_with_the_file,
						setup, testdb_reader_teardown),
		cmocka_unit_test_setup_teardown(test_another_file_takes_the_id,
						setup, testdb_reader_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
