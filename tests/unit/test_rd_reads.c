/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The reads of the Real-Debrid repairs' rows the mount shows: each dead
 * link with the state of its torrent's latest repair, the orphans oldest
 * first, the passes with their unknowns, the account's listing (and its
 * defaults before any), the lists of repairs.json each with its own
 * rows, the totals of repair.json, and the health lines.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "common/db.h"
#include "common/strbuf.h"
#include "indexer/reads.h"
#include "testdb.h"

/* T1 queued, T3 waiting a retry, T4 downloading as N4, T5 repaired as
 * N5 (its link already points at N5), T6 a loop stopped, T7 given up;
 * /l/b is unmapped, /l/ok not broken. Pass 2, the newest, runs and its
 * guard stopped it. */
#define ROWS \
	"INSERT INTO rd_links (path, target, torrent_name, broken," \
	" torrent_id, map_error, seen_at) VALUES" \
	" ('/l/a', '/t/a', 'A', 1, 'T1', NULL, 5)," \
	" ('/l/b', '/t/b', NULL, 1, NULL, 'no torrent', 5)," \
	" ('/l/c', '/t/c', 'C', 1, 'T3', NULL, 5)," \
	" ('/l/d', '/t/d', 'D', 1, 'T4', NULL, 5)," \
	" ('/l/e', '/t/e', 'E', 1, 'N5', NULL, 5)," \
	" ('/l/ok', '/t/ok', 'O', 0, 'T9', NULL, 5);" \
	" INSERT INTO rd_repairs (torrent_id, hash, name, state, new_id," \
	" attempts, next_at, started_at, updated_at, last_error, plan)" \
	" VALUES ('T1', 'h1', 'A', 'queued', NULL, 0, NULL, NULL, 10, NULL," \
	" NULL)," \
	" ('T3', 'h3', 'C', 'waiting_retry', NULL, 2, 500, 100, 200, 'busy'," \
	" 'p3')," \
	" ('T4', NULL, 'D', 'downloading', 'N4', 1, NULL, 300, 5, NULL," \
	" NULL)," \
	" ('T5', 'h5', 'E', 'repaired', 'N5', 1, NULL, 300, 600, NULL, NULL)," \
	" ('T6', 'h6', 'F', 'failed', NULL, 5, NULL, 300, 700, 'loop', NULL)," \
	" ('T7', 'h7', 'G', 'failed', NULL, 3, NULL, 300, 800, 'gone', NULL);" \
	" INSERT INTO rd_attempts (at, endpoint, torrent_id, result," \
	" http_status, error_code, elapsed_s) VALUES" \
	" (1, '/torrents/info', 'T1', 'ok', 200, NULL, 0.25)," \
	" (2, '/torrents/info', NULL, 'error', 429, NULL, NULL)," \
	" (3, '/torrents/addMagnet', 'T3', 'error', NULL, 5, 0)," \
	" (4, '/torrents/delete', 'T4', 'error', 503, 34, 1.5);" \
	" INSERT INTO rd_failures (torrent_id, name, hash, reason, at," \
	" links_deleted, rescans)" \
	" VALUES ('T7', 'G', NULL, 'gone', 800, 2, 1)," \
	" ('TX', NULL, 'hx', 'dead', 850, 3, 0);" \
	" INSERT INTO rd_deletes (torrent_id, new_id, name, since, failures," \
	" error, tried_at, deleted_at) VALUES" \
	" ('T5', 'N5', 'E', 600, 0, NULL, NULL, NULL)," \
	" ('T0', NULL, NULL, 100, 3, 'http 503', 900, NULL)," \
	" ('TD', 'ND', 'done', 50, 1, NULL, 900, 950);" \
	" INSERT INTO rd_actions (at, torrent_id, service, action, target," \
	" result) VALUES (10, 'T5', 'sonarr', 'delete_file', 'ep 1', 'ok')," \
	" (20, NULL, 'plex', 'refresh', NULL, 'error: 500');" \
	" INSERT INTO rd_orphans (path, target, since) VALUES" \
	" ('/l/o1', '/t/z', 1000), ('/l/o2', '/t/y', 500);" \
	" INSERT INTO rd_passes (kind, trigger, dry_run, started_at," \
	" finished_at, duration_s, links, broken, unmapped, guard_ok," \
	" guard_reason, started, repaired, retries, failed, links_deleted," \
	" rescans, requests, rate_limited) VALUES" \
	" ('scan', 'timer', 0, 1000, 1010, 10.5, 100, 5, 1, 1, NULL, 2, 1," \
	" 1, 1, 2, 1, 7, 1)," \
	" ('run', 'user', 1, 2000, NULL, NULL, 50, 3, 0, 0, 'mount empty'," \
	" 0, 0, 0, 0, 0, 0, 0, 0);" \
	" INSERT INTO rd_sync (id, list_total, synced_at, list_page," \
	" full_sync, cycle_started_at, pages_done, torrents_seen," \
	" cycle_finished_at) VALUES (1, 2500, 1020, 3, 1, 1005, 2, 2000," \
	" NULL);"

static int setup(void **state)
{
	return testdb_reader_setup(state, ROWS);
}

static int setup_empty(void **state)
{
	return testdb_reader_setup(state, "SELECT 1");
}

static int teardown(void **state)
{
	return testdb_reader_teardown(state);
}

static void test_broken(void **state)
{
	struct rd_broken *b;
	size_t n;

	(void)state;
	assert_int_equal(rd_reads_broken(&b, &n), 0);
	assert_int_equal(n, 5);
	assert_string_equal(b[0].link, "/l/a");
	assert_string_equal(b[0].target, "/t/a");
	assert_string_equal(b[0].state, "broken");
	assert_null(b[0].reason);
	assert_null(b[0].plan);
	assert_string_equal(b[1].link, "/l/b");
	assert_string_equal(b[1].state, "unmapped");
	assert_null(b[1].torrent);
	assert_null(b[1].torrent_name);
	assert_string_equal(b[1].reason, "no torrent");
	assert_int_equal(b[1].attempts, 0);
	assert_string_equal(b[2].state, "waiting_retry");
	assert_string_equal(b[2].reason, "busy");
	assert_string_equal(b[2].plan, "p3");
	assert_int_equal(b[2].attempts, 2);
	assert_true(b[2].next_retry_at == 500);
	assert_string_equal(b[3].state, "repairing");
	assert_true(b[3].next_retry_at == 0);
	assert_string_equal(b[4].torrent, "N5");
	assert_string_equal(b[4].state, "repaired");
	rd_broken_free(b, n);
}

static void test_orphans(void **state)
{
	struct rd_orphan *o;
	size_t n;

	(void)state;
	assert_int_equal(rd_reads_orphans(&o, &n), 0);
	assert_int_equal(n, 2);
	assert_string_equal(o[0].path, "/l/o2");
	assert_string_equal(o[0].target, "/t/y");
	assert_true(o[0].since == 500);
	assert_string_equal(o[1].path, "/l/o1");
	rd_orphans_free(o, n);
}

static void test_passes(void **state)
{
	struct rd_pass *p;
	size_t n;

	(void)state;
	assert_int_equal(rd_reads_passes(&p, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(p[0].id, 1);
	assert_string_equal(p[0].kind, "scan");
	assert_string_equal(p[0].trigger, "timer");
	assert_int_equal(p[0].dry_run, 0);
	assert_true(p[0].finished && p[0].finished_at == 1010);
	assert_true(p[0].duration_s == 10.5);
	assert_int_equal(p[0].count[RD_LINKS], 100);
	assert_int_equal(p[0].count[RD_REQUESTS], 7);
	assert_int_equal(p[0].count[RD_RATE_LIMITED], 1);
	assert_null(p[0].guard_reason);
	assert_int_equal(p[1].dry_run, 1);
	assert_false(p[1].finished);
	assert_true(isnan(p[1].duration_s));
	assert_int_equal(p[1].count[RD_GUARD_OK], 0);
	assert_string_equal(p[1].guard_reason, "mount empty");
	rd_passes_free(p, n);
}

static void test_sync(void **state)
{
	struct rd_sync s;

	(void)state;
	assert_int_equal(rd_reads_sync(&s), 0);
	assert_int_equal(s.full, 1);
	assert_int_equal(s.next_page, 3);
	assert_int_equal(s.pages_done, 2);
	assert_int_equal(s.torrents_seen, 2000);
	assert_int_equal(s.total, 2500);
	assert_true(s.started_at == 1005 && s.finished_at == 0 &&
		    s.synced_at == 1020);
}

/* An account never listed, no pass made: the defaults. */
static void test_empty(void **state)
{
	struct rd_repairs r;
	struct rd_totals t;
	struct rd_sync s;

	(void)state;
	assert_int_equal(rd_reads_sync(&s), 0);
	assert_int_equal(s.next_page, 1);
	assert_int_equal(s.total, -1);
	assert_true(s.started_at == 0);
	assert_int_equal(rd_reads_repairs(&r), 0);
	assert_false(r.has_last);
	assert_int_equal(r.nr_queue + r.nr_failed + r.nr_attempts, 0);
	rd_repairs_release(&r);
	assert_int_equal(rd_reads_totals(&t), 0);
	assert_false(t.has_last);
	assert_int_equal(t.nr_endpoints, 0);
	assert_int_equal(t.stats.requests + t.stats.passes, 0);
	rd_totals_release(&t);
}

static void test_repairs(void **state)
{
	struct rd_repairs r;

	(void)state;
	assert_int_equal(rd_reads_repairs(&r), 0);
	assert_int_equal(r.nr_queue, 2);
	assert_string_equal(r.queue[0].torrent, "T4");	/* updated first */
	assert_null(r.queue[0].hash);
	assert_string_equal(r.queue[0].new_id, "N4");
	assert_string_equal(r.queue[1].torrent, "T1");
	assert_true(r.queue[1].started_at == 0);
	assert_int_equal(r.nr_retry_queue, 1);
	assert_true(r.retry_queue[0].next_retry_at == 500);
	assert_string_equal(r.retry_queue[0].plan, "p3");
	assert_int_equal(r.nr_repaired, 1);
	assert_string_equal(r.repaired[0].torrent, "T5");
	assert_int_equal(r.nr_loops_stopped, 1);
	assert_string_equal(r.loops_stopped[0].torrent, "T6");
	assert_int_equal(r.nr_failed, 2);
	assert_string_equal(r.failed[0].torrent, "TX");	/* newest first */
	assert_null(r.failed[0].name);
	assert_int_equal(r.failed[1].links_deleted, 2);
	assert_int_equal(r.nr_attempts, 4);
	assert_true(r.attempts[0].at == 4);		/* newest first */
	assert_true(r.attempts[0].has_http_status &&
		    r.attempts[0].http_status == 503);
	assert_true(r.attempts[0].has_error_code &&
		    r.attempts[0].error_code == 34);
	assert_false(r.attempts[1].has_http_status);
	assert_true(r.attempts[1].elapsed_s == 0);
	assert_true(isnan(r.attempts[2].elapsed_s));
	assert_false(r.attempts[2].has_error_code);
	assert_null(r.attempts[2].torrent);
	assert_int_equal(r.nr_deletes, 2);		/* TD is deleted */
	assert_string_equal(r.deletes[0].torrent, "T0");
	assert_string_equal(r.deletes[0].last_error, "http 503");
	assert_true(r.deletes[0].since_at == 100 &&
		    r.deletes[0].tried_at == 900);
	assert_null(r.deletes[1].last_error);
	assert_int_equal(r.nr_actions, 2);
	assert_string_equal(r.actions[0].service, "plex");
	assert_null(r.actions[0].target);
	assert_string_equal(r.actions[1].target, "ep 1");
	assert_true(r.has_last);
	assert_string_equal(r.last.kind, "run");
	assert_string_equal(r.last.guard_reason, "mount empty");
	assert_int_equal(r.sync.pages_done, 2);
	rd_repairs_release(&r);
}

/* Only the RD_RECENT newest requests are listed. */
static void test_repairs_recent(void **state)
{
	struct testdb *t = *state;
	struct rd_repairs r;

	assert_int_equal(db_exec(t->db, "WITH RECURSIVE n(i) AS (SELECT 10"
				 " UNION ALL SELECT i + 1 FROM n WHERE i < 80)"
				 " INSERT INTO rd_attempts (at, endpoint,"
				 " result) SELECT i, '/x', 'ok' FROM n"), 0);
	assert_int_equal(rd_reads_repairs(&r), 0);
	assert_int_equal(r.nr_attempts, RD_RECENT);
	assert_true(r.attempts[0].at == 80);
	assert_true(r.attempts[RD_RECENT - 1].at == 80 - RD_RECENT + 1);
	rd_repairs_release(&r);
}

static void test_totals(void **state)
{
	struct rd_totals t;

	(void)state;
	assert_int_equal(rd_reads_totals(&t), 0);
	assert_int_equal(t.stats.requests, 4);
	/* a 429, codes 5 and 34 */
	assert_int_equal(t.stats.rate_limited, 3);
	assert_int_equal(t.stats.repairs_ok, 1);
	assert_int_equal(t.stats.repairs_failed, 2);
	assert_int_equal(t.stats.permanent_failures, 2);
	assert_int_equal(t.stats.links_deleted, 5);
	assert_int_equal(t.stats.rescans, 1);
	assert_int_equal(t.stats.old_torrents_to_delete, 2);
	assert_int_equal(t.stats.old_torrent_delete_failures, 4);
	assert_int_equal(t.stats.passes, 2);
	assert_int_equal(t.nr_endpoints, 3);
	assert_string_equal(t.endpoints[0].endpoint, "/torrents/addMagnet");
	assert_string_equal(t.endpoints[2].endpoint, "/torrents/info");
	assert_int_equal(t.endpoints[2].requests, 2);
	assert_true(t.has_last && isnan(t.last.duration_s));
	rd_totals_release(&t);
}

static void test_health(void **state)
{
	struct strbuf errors = STRBUF_INIT, warns = STRBUF_INIT;

	(void)state;
	assert_int_equal(rd_reads_health(&errors, &warns), 0);
	assert_string_equal(errors.buf, "error: debrid mount looks down"
			    " (mount empty): nothing is repaired or"
			    " deleted\n");
	assert_string_equal(warns.buf,
			    "warn: 1 dead debrid links match no torrent,"
			    " or several (see /status/broken)\n"
			    "warn: 1 torrents stopped in a repair loop (see"
			    " /status/repairs.json)\n");
	strbuf_release(&errors);
	strbuf_release(&warns);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_broken, setup, teardown),
		cmocka_unit_test_setup_teardown(test_orphans, setup, teardown),
		cmocka_unit_test_setup_teardown(test_passes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sync, setup, teardown),
		cmocka_unit_test_setup_teardown(test_empty, setup_empty,
						teardown),
		cmocka_unit_test_setup_teardown(test_repairs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_repairs_recent, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_totals, setup, teardown),
		cmocka_unit_test_setup_teardown(test_health, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
