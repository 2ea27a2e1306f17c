/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * A check's requests of each manga source, one row of check_requests a
 * source: carried over from the columns of a store of version 48, stored
 * with the check and gone with it, and read for checks.csv (its columns
 * where they always were), monitor.json and the Prometheus file. A check
 * with one source's row counts 0 for the others; a row of a source no
 * longer in the table is read by no one.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "common/db.h"
#include "common/strbuf.h"
#include "fs/tree/render_monitor.h"
#include "indexer/monitor/checks.h"
#include "indexer/monitor/monitor_stats.h"
#include "indexer/reads.h"
#include "indexer/store/schema.h"
#include "musicdb.h"
#include "testdb.h"

/* The manga sources' table's names, in its order. */
static const char *const sources[] = {
#define MANGA_SOURCE(name, ...) #name,
#include "common/manga_sources.def"
#undef MANGA_SOURCE
};

#define NR_SOURCES (int)(sizeof(sources) / sizeof(*sources))

/* The sources checks.csv named before its columns came from the table
 * (version 49): those after them come last. */
#define SOURCES_BEFORE 4

/* A store of version 48 kept each source's requests in a column of
 * checks: the migration keeps them, a row each, and drops the columns. */
static void test_columns_carried_over(void **state)
{
	struct testdb *t = *state;
	char *rows;

	assert_int_equal(db_exec(t->db, UNDO_IMAGE_CRCS UNDO_VERSION_52
		UNDO_VERSION_51
		UNDO_VERSION_50 UNDO_VERSION_49
		" INSERT INTO checks (id, kind, trigger, started_at,"
		" nautiljon, mangadex, mangaupdates, anilist) VALUES"
		" (1, 'new', 'control', 10, 3, 0, 7, 1),"
		" (2, 'missing', 'schedule', 20, 0, 4, 0, 0);"
		" PRAGMA user_version = 48"), 0);
	assert_int_equal(schema_migrate(t->db), 0);
	rows = musicdb_text(t->path, "SELECT group_concat(x, ' ') FROM"
			    " (SELECT check_id || source || requests AS x"
			    " FROM check_requests ORDER BY check_id, source)");
	assert_string_equal(rows, "1anilist1 1mangadex0 1mangaupdates7"
			    " 1nautiljon3 2anilist0 2mangadex4"
			    " 2mangaupdates0 2nautiljon0");
	free(rows);
	assert_int_equal(testdb_int(t->path, "SELECT count(*) FROM"
				    " pragma_table_info('checks') WHERE name"
				    " IN ('nautiljon', 'mangadex',"
				    " 'mangaupdates', 'anilist')"), 0);
	assert_int_equal(testdb_int(t->path, "SELECT count(*) FROM"
				    " pragma_foreign_key_check"), 0);
	assert_int_equal(testdb_int(t->path, "PRAGMA user_version"),
			 schema_version());
}

/* Each source's requests as "NAMEN" a row, by the number. */
#define REQUESTS(check) \
	"SELECT group_concat(x, ' ') FROM (SELECT source || requests AS x" \
	" FROM check_requests WHERE check_id = " check " ORDER BY requests)"

/* A check stored has a row of each source's requests, set again when
 * it is stored again; they go with their check. */
static void test_stored_with_the_check(void **state)
{
	struct testdb *t = *state;
	struct checks_row r = { .kind = "new", .trigger = "control",
				.started_at = 5 };
	struct checks_row newer = { .kind = "new", .trigger = "control",
				    .started_at = 50 };
	struct strbuf want = STRBUF_INIT;
	char *rows;
	int n = 0;

	assert_int_equal(checks_store(t->db, &r), 0);
	assert_int_equal(r.id, 1);
	assert_int_equal(testdb_int(t->path, "SELECT count(*) FROM"
				    " check_requests WHERE check_id = 1"
				    " AND requests = 0"), NR_SOURCES);
#define MANGA_SOURCE(name, ...) r.name = ++n;
#include "common/manga_sources.def"
#undef MANGA_SOURCE
	r.finished_at = 6;
	assert_int_equal(checks_store(t->db, &r), 0);
	for (int k = 0; k < NR_SOURCES; k++)
		strbuf_addf(&want, "%s%s%d", k ? " " : "", sources[k], k + 1);
	rows = musicdb_text(t->path, REQUESTS("1"));
	assert_string_equal(rows, want.buf);
	free(rows);

	assert_int_equal(checks_store(t->db, &newer), 0);
	assert_int_equal(checks_prune(t->db, 40), 0);
	assert_int_equal(testdb_int(t->path, "SELECT count(*) FROM"
				    " check_requests WHERE check_id = 1"), 0);
	assert_int_equal(testdb_int(t->path, "SELECT count(*) FROM"
				    " check_requests WHERE check_id = 2"),
			 NR_SOURCES);
	strbuf_release(&want);
}

/* Three checks: 1 with every count and each source's requests (20 on,
 * in the table's order) and a row of a source the table lacks, 2 not
 * finished and without rows, 3 the newest missing with MangaDex's row
 * only. */
#define CHECKS \
	"INSERT INTO checks (id, kind, trigger, started_at, finished_at," \
	" series, wanted, found, catalog, prowlarr, cache_hits, sent," \
	" skipped, failed, errors, completed, download_failed, imported)" \
	" VALUES (1, 'missing', 'schedule', 100, 110.5, 1, 2, 3, 4, 5, 6," \
	" 7, 8, 9, 10, 11, 12, 13)," \
	" (2, 'new', 'control', 200, NULL, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0," \
	" 0, 0, 0)," \
	" (3, 'missing', 'control', 300, 301, 0, 0, 0, 0, 0, 0, 0, 0, 0," \
	" 2, 0, 0, 0);" \
	" INSERT INTO check_requests VALUES (1, 'gone', 99)," \
	" (3, 'mangadex', 5);"

static int setup_checks(void **state)
{
	struct testdb *t;
	char sql[128];

	if (testdb_reader_setup(state, CHECKS))
		return -1;
	t = *state;
	for (int k = 0; k < NR_SOURCES; k++) {
		snprintf(sql, sizeof(sql), "INSERT INTO check_requests"
			 " VALUES (1, '%s', %d)", sources[k], 20 + k);
		if (db_exec(t->db, sql))
			return -1;
	}
	return 0;
}

/* checks.csv byte for byte: the columns as the file had them before
 * they came from the table, a source added since at the end. */
static void test_checks_csv(void **state)
{
	static const char *const lines[] = {
		"id,kind,trigger,started_at,finished_at,duration_s,series,"
		"wanted,found,catalog,prowlarr,nautiljon,cache_hits,sent,"
		"skipped,failed,errors,completed,download_failed,imported,"
		"mangadex,mangaupdates,anilist",
		"1,missing,schedule,1970-01-01T00:01:40Z,"
		"1970-01-01T00:01:50Z,10.500,1,2,3,4,5,20,6,7,8,9,10,11,12,"
		"13,21,22,23",
		"2,new,control,1970-01-01T00:03:20Z,,,0,0,0,0,0,0,0,0,0,0,0,"
		"0,0,0,0,0,0",
		"3,missing,control,1970-01-01T00:05:00Z,1970-01-01T00:05:01Z,"
		"1.000,0,0,0,0,0,0,0,0,0,0,2,0,0,0,5,0,0",
	};
	struct strbuf got = STRBUF_INIT, want = STRBUF_INIT;

	(void)state;
	for (int i = 0; i < 4; i++) {
		strbuf_addstr(&want, lines[i]);
		for (int k = SOURCES_BEFORE; k < NR_SOURCES; k++)
			if (!i)
				strbuf_addf(&want, ",%s", sources[k]);
			else
				strbuf_addf(&want, ",%d", i == 1 ? 20 + k : 0);
		strbuf_addch(&want, '\n');
	}
	assert_int_equal(render_monitor_checks_csv(&got), 0);
	assert_string_equal(got.buf, want.buf);
	strbuf_release(&got);
	strbuf_release(&want);
}

/* monitor.json's newest check of a flow and the figures of the
 * Prometheus file: each source's requests, 0 for those without a row. */
static void test_last_checks(void **state)
{
	struct monitor_store_stats stats;
	struct monitor_state s;
	struct monitor_check *c;
	size_t n;

	(void)state;
	assert_int_equal(monitor_reads_checks(&c, &n), 0);
	assert_int_equal(n, 3);
	for (int k = 0; k < NR_SOURCES; k++)
		assert_int_equal(c[0].requests[k], 20 + k);
	for (int k = 0; k < MC_COUNTS; k++)
		assert_int_equal(c[0].count[k], k + 1);
	monitor_checks_free(c, n);

	assert_int_equal(monitor_reads_state(60, 1000, &s), 0);
	assert_int_equal(s.last_missing.id, 3);
	for (int k = 0; k < NR_SOURCES; k++)
		assert_int_equal(s.last_missing.requests[k],
				 k == MONITOR_SOURCE_mangadex ? 5 : 0);
	assert_int_equal(s.last_missing.count[MC_ERRORS], 2);
	for (int k = 0; k < NR_SOURCES; k++)
		assert_int_equal(s.last_new.requests[k], 0);
	monitor_state_release(&s);

	assert_int_equal(monitor_stats_read(&stats, 60), 0);
	assert_int_equal(stats.checks[0].mangadex, 5);
	assert_int_equal(stats.checks[0].nautiljon +
			 stats.checks[0].mangaupdates +
			 stats.checks[0].anilist, 0);
	assert_int_equal(stats.checks[0].errors, 2);
	assert_int_equal(stats.checks[1].found, 1);
	assert_int_equal(stats.checks[1].mangadex, 0);
}

/* monitor.json's requests: catalog, prowlarr, then each source in the
 * table's order. */
static void test_monitor_json(void **state)
{
	struct strbuf out = STRBUF_INIT, want = STRBUF_INIT;
	json_t *doc, *requests;
	char *got;

	(void)state;
	assert_int_equal(render_monitor_json(&out), 0);
	doc = json_loads(out.buf, 0, NULL);
	assert_non_null(doc);
	requests = json_object_get(json_object_get(json_object_get(doc,
		"last_check"), "missing"), "requests");
	got = json_dumps(requests, JSON_PRESERVE_ORDER | JSON_COMPACT);
	strbuf_addstr(&want, "{\"catalog\":0,\"prowlarr\":0");
	for (int k = 0; k < NR_SOURCES; k++)
		strbuf_addf(&want, ",\"%s\":%d", sources[k],
			    k == MONITOR_SOURCE_mangadex ? 5 : 0);
	strbuf_addch(&want, '}');
	assert_string_equal(got, want.buf);
	free(got);
	json_decref(doc);
	strbuf_release(&out);
	strbuf_release(&want);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_columns_carried_over,
						testdb_setup, testdb_teardown),
		cmocka_unit_test_setup_teardown(test_stored_with_the_check,
						testdb_setup, testdb_teardown),
		cmocka_unit_test_setup_teardown(test_checks_csv, setup_checks,
						testdb_reader_teardown),
		cmocka_unit_test_setup_teardown(test_last_checks,
						setup_checks,
						testdb_reader_teardown),
		cmocka_unit_test_setup_teardown(test_monitor_json,
						setup_checks,
						testdb_reader_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
