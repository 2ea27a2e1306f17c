/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "common/db.h"
#include "common/log.h"
#include "indexer/realdebrid/rd_client.h"
#include "indexer/realdebrid/rd_links.h"
#include "indexer/realdebrid/rd_store.h"
#include "indexer/store/schema.h"

#define MOUNT "/mnt/rd"

/* Four links: a dead one mapped to a torrent, two under /lib/a, one
 * under /lib/ab (which is not under /lib/a). */
#define LINKS \
	"INSERT INTO rd_links (path, target, broken, torrent_id, seen_at)" \
	" VALUES (CAST('/lib/a/x.mkv' AS BLOB)," \
	"  CAST('/mnt/rd/T/x.mkv' AS BLOB), 1, 'T1', 1)," \
	" (CAST('/lib/a/sub/y.mkv' AS BLOB)," \
	"  CAST('/mnt/rd/T/y.mkv' AS BLOB), 1, 'T1', 1)," \
	" (CAST('/lib/ab/z.mkv' AS BLOB)," \
	"  CAST('/mnt/rd/U/z.mkv' AS BLOB), 0, NULL, 1)," \
	" (CAST('/lib/b.mkv' AS BLOB)," \
	"  CAST('/mnt/rd/V/b.mkv' AS BLOB), 1, 'V1', 1)"

/* Each test starts from the same links, in a store in memory. */
static int setup(void **state)
{
	sqlite3 *db = NULL;
	int rc = db_open(":memory:", 0, &db);

	rc = rc ? rc : schema_migrate(db);
	rc = rc ? rc : db_exec(db, LINKS);
	if (rc && db)
		db_close(db);
	*state = rc ? NULL : db;
	return rc ? -1 : 0;
}

/* The store is in memory: closing it is all. */
static int teardown(void **state)
{
	db_close(*state);
	return 0;
}

/* The first column of the first row of sql, as text ("" for none). */
static const char *text(sqlite3 *db, const char *sql)
{
	static char buf[256];
	sqlite3_stmt *st;

	buf[0] = '\0';
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL),
			 SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
		strncpy(buf, (const char *)sqlite3_column_text(st, 0),
			sizeof(buf) - 1);
	sqlite3_finalize(st);
	return buf;
}

/* The paths stored, in order, joined by spaces. */
static const char *paths(sqlite3 *db)
{
	return text(db, "SELECT group_concat(CAST(path AS TEXT), ' ') FROM"
		    " (SELECT path FROM rd_links ORDER BY path)");
}

/* Store what a walk of the scopes (NULL: everywhere) saw at time at. */
static void store(sqlite3 *db, const struct rd_link *seen, size_t nr,
		  const char *const *scopes, size_t nr_scopes, double at)
{
	struct rd_links_rows rows = {
		.links = seen, .nr = nr, .mount = MOUNT, .at = at,
		.scopes = scopes, .nr_scopes = nr_scopes,
	};

	assert_int_equal(rd_store_links(db, &rows), 0);
}

/* A walk of /lib/a that saw only x.mkv drops what it no longer found
 * there, and nothing elsewhere, /lib/ab included. */
static void test_scoped_walk_drops_only_its_own(void **state)
{
	sqlite3 *db = *state;
	struct rd_link seen[] = {
		{ "/lib/a/x.mkv", "/mnt/rd/T/x.mkv", 1 },
	};
	const char *scopes[] = { "/lib/a" };

	store(db, seen, 1, scopes, 1, 2);
	assert_string_equal(paths(db), "/lib/a/x.mkv /lib/ab/z.mkv "
			    "/lib/b.mkv");
	/* Still the same dead link: it keeps its torrent. */
	assert_string_equal(text(db, "SELECT torrent_id FROM rd_links WHERE"
				 " path = CAST('/lib/a/x.mkv' AS BLOB)"),
			    "T1");
	assert_string_equal(text(db, "SELECT torrent_name || '|' || file FROM"
				 " rd_links WHERE path ="
				 " CAST('/lib/a/x.mkv' AS BLOB)"), "T|x.mkv");
}

/* A scope that is a link itself: gone, it leaves; pointed elsewhere, it
 * loses its mapping, which was for the old target. */
static void test_scope_is_a_link(void **state)
{
	sqlite3 *db = *state;
	struct rd_link seen[] = {
		{ "/lib/b.mkv", "/mnt/rd/W/b.mkv", 1 },
	};
	const char *scopes[] = { "/lib/ab/z.mkv", "/lib/b.mkv" };

	store(db, seen, 1, scopes, 2, 2);
	assert_string_equal(paths(db), "/lib/a/sub/y.mkv /lib/a/x.mkv "
			    "/lib/b.mkv");
	assert_string_equal(text(db, "SELECT coalesce(torrent_id, 'none')"
				 " FROM rd_links WHERE path ="
				 " CAST('/lib/b.mkv' AS BLOB)"), "none");
}

/* Without scopes the walk covered everything: all it did not see goes;
 * with scopes but nothing seen, only what lies under them goes. */
static void test_whole_walk_and_empty_scopes(void **state)
{
	sqlite3 *db = *state;
	const char *scopes[] = { "/lib/a/sub" };

	store(db, NULL, 0, scopes, 1, 2);
	assert_string_equal(paths(db), "/lib/a/x.mkv /lib/ab/z.mkv "
			    "/lib/b.mkv");
	store(db, NULL, 0, NULL, 0, 3);
	assert_string_equal(paths(db), "");
}

/* Store a page of the listing: the torrents named in ids (a string of
 * one-letter ids), as rd_sync lists them at time at. Returns *gap. */
static int page(sqlite3 *db, const char *ids, double at, int nr_page,
		long offset, long again, long total, int last)
{
	struct rd_torrent t[8];
	char id[8][2];
	size_t nr = strlen(ids);
	struct rd_torrents_rows rows = {
		.t = t, .nr = nr, .at = at, .total = total, .page = nr_page,
		.offset = offset, .again = again, .last = last,
	};

	for (size_t i = 0; i < nr; i++) {
		id[i][0] = ids[i];
		id[i][1] = '\0';
		t[i] = (struct rd_torrent){ .id = id[i], .filename = id[i],
					    .status = "downloaded" };
	}
	assert_int_equal(rd_store_torrents(db, &rows), 0);
	return rows.gap;
}

static const char *held(sqlite3 *db)
{
	return text(db, "SELECT group_concat(id, '') FROM (SELECT id FROM"
		    " rd_torrents ORDER BY id)");
}

/* A listing that reached its end drops what it did not see, when it saw
 * as many as the account said it holds, or the account said nothing; a
 * count past what it saw drops nothing. */
static void test_whole_listing_drops_the_unseen(void **state)
{
	sqlite3 *db = *state;

	assert_int_equal(page(db, "ABC", 10, 1, 0, 0, -1, 0), 0);
	assert_int_equal(page(db, "ABC", 11, 2, 0, 3, -1, 1), 0);
	assert_string_equal(held(db), "ABC");
	assert_int_equal(page(db, "AB", 20, 1, 0, 0, 2, 0), 0);
	assert_int_equal(page(db, "AB", 21, 2, 0, 2, 2, 1), 0);
	assert_string_equal(held(db), "AB");
	assert_string_equal(text(db, "SELECT list_page || ' ' || pages_done"
				 " || ' ' || torrents_seen FROM rd_sync"),
			    "1 2 2");
	/* the account says 5: the listing saw 1, B stays */
	assert_int_equal(page(db, "A", 30, 1, 0, 0, 5, 1), 0);
	assert_string_equal(held(db), "AB");
	/* no count: what the whole listing saw is all there is */
	assert_int_equal(page(db, "A", 40, 1, 0, 0, -1, 1), 0);
	assert_string_equal(held(db), "A");
}

/* A page whose first torrents, read before, were none of them seen by
 * the cycle starts it again from page 1; one that follows on moves it to
 * where it ended. */
static void test_page_past_the_overlap_starts_again(void **state)
{
	sqlite3 *db = *state;

	assert_int_equal(page(db, "ABCD", 10, 1, 0, 0, -1, 0), 0);
	assert_int_equal(page(db, "EF", 11, 2, 2, 2, -1, 0), 1);
	assert_string_equal(held(db), "ABCDEF");
	assert_string_equal(text(db, "SELECT list_page || ' ' || pages_done"
				 " || ' ' || torrents_seen FROM rd_sync"),
			    "1 1 4");
	assert_int_equal(page(db, "ABCD", 20, 1, 0, 0, -1, 0), 0);
	assert_int_equal(page(db, "DEF", 21, 2, 3, 1, -1, 0), 0);
	assert_string_equal(text(db, "SELECT list_page || ' ' || pages_done"
				 " || ' ' || torrents_seen FROM rd_sync"),
			    "3 2 6");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
			test_scoped_walk_drops_only_its_own, setup, teardown),
		cmocka_unit_test_setup_teardown(test_scope_is_a_link, setup,
						teardown),
		cmocka_unit_test_setup_teardown(
			test_whole_walk_and_empty_scopes, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_whole_listing_drops_the_unseen, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_page_past_the_overlap_starts_again, setup,
			teardown),
	};

	log_set_stderr(0);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
