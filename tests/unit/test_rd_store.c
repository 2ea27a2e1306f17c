#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "common/db.h"
#include "common/log.h"
#include "indexer/rd_links.h"
#include "indexer/rd_store.h"
#include "indexer/schema.h"

#define MOUNT "/mnt/rd"

/* A store in memory with four links: a dead one mapped to a torrent, two
 * under /lib/a, one under /lib/ab (which is not under /lib/a). */
static int setup(void **state)
{
	sqlite3 *db;

	if (db_open(":memory:", 0, &db) || schema_migrate(db))
		return -1;
	if (db_exec(db, "INSERT INTO rd_links (path, target, broken,"
		    " torrent_id, seen_at) VALUES"
		    " (CAST('/lib/a/x.mkv' AS BLOB),"
		    "  CAST('/mnt/rd/T/x.mkv' AS BLOB), 1, 'T1', 1),"
		    " (CAST('/lib/a/sub/y.mkv' AS BLOB),"
		    "  CAST('/mnt/rd/T/y.mkv' AS BLOB), 1, 'T1', 1),"
		    " (CAST('/lib/ab/z.mkv' AS BLOB),"
		    "  CAST('/mnt/rd/U/z.mkv' AS BLOB), 0, NULL, 1),"
		    " (CAST('/lib/b.mkv' AS BLOB),"
		    "  CAST('/mnt/rd/V/b.mkv' AS BLOB), 1, 'V1', 1)")) {
		db_close(db);
		return -1;
	}
	*state = db;
	return 0;
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

/* A walk of /lib/a that saw only x.mkv drops what it no longer found
 * there, and nothing elsewhere, /lib/ab included. */
static void test_scoped_walk_drops_only_its_own(void **state)
{
	sqlite3 *db = *state;
	struct rd_link seen[] = {
		{ "/lib/a/x.mkv", "/mnt/rd/T/x.mkv", 1 },
	};
	const char *scopes[] = { "/lib/a" };
	struct rd_links_rows rows = {
		.links = seen, .nr = 1, .mount = MOUNT, .at = 2,
		.scopes = scopes, .nr_scopes = 1,
	};

	assert_int_equal(rd_store_links(db, &rows), 0);
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
	struct rd_links_rows rows = {
		.links = seen, .nr = 1, .mount = MOUNT, .at = 2,
		.scopes = scopes, .nr_scopes = 2,
	};

	assert_int_equal(rd_store_links(db, &rows), 0);
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
	struct rd_links_rows rows = {
		.mount = MOUNT, .at = 2, .scopes = scopes, .nr_scopes = 1,
	};

	assert_int_equal(rd_store_links(db, &rows), 0);
	assert_string_equal(paths(db), "/lib/a/x.mkv /lib/ab/z.mkv "
			    "/lib/b.mkv");
	rows.scopes = NULL;
	rows.nr_scopes = 0;
	rows.at = 3;
	assert_int_equal(rd_store_links(db, &rows), 0);
	assert_string_equal(paths(db), "");
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
	};

	log_set_stderr(0);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
