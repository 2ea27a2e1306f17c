/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The reads of the monitor's rows the mount shows: the blocklist oldest
 * first, the hand-offs with their unknowns as NULL and their old single
 * time for the times they lack, the series with new volumes and the
 * wanted volumes with their releases, only those a caller's filter
 * keeps.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/db.h"
#include "common/strbuf.h"
#include "common/throttle.h"
#include "indexer/reads.h"
#include "indexer/store/series_filter.h"
#include "testdb.h"

/* Series 1 "Bleach" wants 3 (two releases) and 5 (none); 2 "Akira"
 * wants 1, handed off; 4 "Off" is not monitored. */
#define ROWS \
	"INSERT INTO blocklist (id, title, reason, at) VALUES" \
	" ('b', 'Two', 'fake', 20), ('a', 'One', 'bad', 10)," \
	" ('c', 'Three', 'slow', 20);" \
	" INSERT INTO downloads (series, volume, state, client, title," \
	" source, at, error, client_id, progress, progress_at, sent_at," \
	" changed_at, path, bytes_done, bytes_total, bytes_per_s) VALUES" \
	" ('Bleach', 2, 'failed', 'qbittorrent', 'B 02', 'prowlarr', 100," \
	" 'stalled', NULL, 0.25, NULL, NULL, NULL, NULL, NULL, NULL, NULL)," \
	" ('Akira', 1, 'imported', 'sabnzbd', 'A 01', 'prowlarr', 50, NULL," \
	" 'SAB1', 1, 60, 40, 70, '/dl/A 01', 5000000000, 5000000000, 0);" \
	" INSERT INTO roots (id, kind, path) VALUES (1, 'manga', '/m');" \
	" INSERT INTO series (id, root_id, path, name, latest, published," \
	" status, last_checked) VALUES" \
	" (1, 1, 'Bleach', 'Bleach', 4, 9, 'ongoing', 5)," \
	" (2, 1, 'Akira', 'Akira', NULL, 3, NULL, NULL)," \
	" (3, 1, 'Done', 'Done', 1, NULL, NULL, NULL);" \
	" INSERT INTO series (id, root_id, path, name, monitored, published)" \
	" VALUES (4, 1, 'Off', 'Off', 0, 9);" \
	" INSERT INTO volumes (series_id, kind, first, last, path) VALUES" \
	" (1, 'volume', 1, 2, 'Bleach/v01-02.cbz')," \
	" (3, 'volume', 1, 1, 'Done/v01.cbz');" \
	" INSERT INTO wanted (series_id, volume, kind, searched_at) VALUES" \
	" (1, 3, 'missing', 30), (1, 5, 'new', 31), (2, 1, 'missing', 32)," \
	" (4, 1, 'missing', 33);" \
	" INSERT INTO found (series_id, volume, rank, title, source," \
	" protocol, link, magnet, guid, indexer, indexer_id, first, last," \
	" size, seeders, published_at, found_at, state, reason, release_id)" \
	" VALUES" \
	" (1, 3, 2, 'B 03 worse', 'prowlarr', 'torrent'," \
	" 'http://x/?apikey=k', NULL, 'g2', 'nyaa', 7, 3, 3, NULL, NULL," \
	" NULL, 41, NULL, NULL, 'r2')," \
	" (1, 3, 1, 'B 03', 'prowlarr', 'torrent', NULL," \
	" 'magnet:?xt=urn:btih:aa&tr=http://t/pass', 'g1', 'nyaa', 0, 2.5," \
	" 4, 1000, 12, 20, 40, 'failed', 'stalled', 'r1')," \
	" (2, 1, 1, 'A 01', 'catalog', 'usenet', 'http://n', NULL, NULL," \
	" NULL, NULL, 1, 1, NULL, NULL, NULL, 42, NULL, NULL, 'r3')," \
	" (4, 1, 1, 'O 01', 'catalog', 'usenet', 'http://o', NULL, NULL," \
	" NULL, NULL, 1, 1, NULL, NULL, NULL, 43, NULL, NULL, 'r4');"

static int setup(void **state)
{
	return testdb_reader_setup(state, ROWS);
}

static int teardown(void **state)
{
	return testdb_reader_teardown(state);
}

static void test_blocklist(void **state)
{
	struct monitor_blocked *b;
	size_t n;

	(void)state;
	assert_int_equal(monitor_reads_blocklist(&b, &n), 0);
	assert_int_equal(n, 3);
	assert_string_equal(b[0].id, "a");
	assert_string_equal(b[0].title, "One");
	assert_string_equal(b[0].reason, "bad");
	assert_string_equal(b[1].id, "b");
	assert_string_equal(b[2].id, "c");
	assert_string_equal(b[2].reason, "slow");
	monitor_blocked_free(b, n);
}

static void test_downloads(void **state)
{
	struct monitor_download *d;
	size_t n;

	(void)state;
	assert_int_equal(monitor_reads_downloads(&d, &n), 0);
	assert_int_equal(n, 2);
	assert_string_equal(d[0].series, "Akira");
	assert_int_equal(d[0].volume, 1);
	assert_string_equal(d[0].client_id, "SAB1");
	assert_null(d[0].reason);
	assert_string_equal(d[0].path, "/dl/A 01");
	assert_true(d[0].sent_at == 40 && d[0].changed_at == 70 &&
		    d[0].progress_at == 60 && d[0].progress == 1);
	assert_true(d[0].bytes_done == 5000000000LL &&
		    d[0].bytes_total == 5000000000LL && d[0].bytes_per_s == 0);
	assert_string_equal(d[1].series, "Bleach");
	assert_string_equal(d[1].state, "failed");
	assert_string_equal(d[1].client, "qbittorrent");
	assert_string_equal(d[1].title, "B 02");
	assert_string_equal(d[1].source, "prowlarr");
	assert_string_equal(d[1].reason, "stalled");
	assert_null(d[1].client_id);
	assert_null(d[1].path);
	assert_true(d[1].sent_at == 100 && d[1].changed_at == 100 &&
		    d[1].progress_at == 0 && d[1].progress == 0.25);
	/* a client that did not say: unknown, not 0 */
	assert_true(d[1].bytes_done == -1 && d[1].bytes_total == -1 &&
		    d[1].bytes_per_s == -1);
	monitor_downloads_free(d, n);
}

static int not_bleach(void *arg, int64_t series)
{
	(void)arg;
	return series != 1;
}

/* The user's latest counts before Nautiljon's published; a series owning
 * all, or not monitored, has none new. */
static void test_new(void **state)
{
	struct query_series_filter f = { not_bleach, NULL };
	struct monitor_new *s;
	size_t n;

	(void)state;
	assert_int_equal(monitor_reads_new(NULL, &s, &n), 0);
	assert_int_equal(n, 2);
	assert_string_equal(s[0].name, "Akira");
	assert_string_equal(s[0].path, "/m/Akira");
	assert_int_equal(s[0].high, 0);
	assert_int_equal(s[0].count, 3);
	assert_int_equal(s[0].manual, 0);
	assert_null(s[0].status);
	assert_int_equal(s[1].id, 1);
	assert_int_equal(s[1].high, 2);
	assert_int_equal(s[1].count, 4);
	assert_int_equal(s[1].manual, 1);
	assert_string_equal(s[1].status, "ongoing");
	assert_true(s[1].checked_at == 5);
	monitor_new_free(s, n);

	assert_int_equal(monitor_reads_new(&f, &s, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(s[0].id, 2);
	monitor_new_free(s, n);
}

/* Releases best first under their volume; a volume with none has none;
 * the links are the store's, whole; a series not monitored is left out. */
static void test_found(void **state)
{
	struct query_series_filter f = { not_bleach, NULL };
	struct monitor_wanted *w;
	size_t n;

	(void)state;
	assert_int_equal(monitor_reads_found(0, NULL, &w, &n), 0);
	assert_int_equal(n, 3);
	assert_string_equal(w[0].series, "Akira");
	assert_int_equal(w[0].nr_releases, 1);
	assert_string_equal(w[0].releases[0].protocol, "usenet");
	assert_int_equal(w[0].releases[0].has_size, 0);
	assert_null(w[0].releases[0].state);
	assert_int_equal(w[1].series_id, 1);
	assert_int_equal(w[1].volume, 3);
	assert_string_equal(w[1].kind, "missing");
	assert_true(w[1].searched_at == 30);
	assert_int_equal(w[1].nr_releases, 2);
	assert_string_equal(w[1].releases[0].id, "r1");
	assert_string_equal(w[1].releases[0].magnet,
			    "magnet:?xt=urn:btih:aa&tr=http://t/pass");
	assert_null(w[1].releases[0].link);
	assert_true(w[1].releases[0].first == 2.5 &&
		    w[1].releases[0].last == 4);
	assert_int_equal(w[1].releases[0].has_size, 1);
	assert_int_equal(w[1].releases[0].size, 1000);
	assert_int_equal(w[1].releases[0].seeders, 12);
	assert_true(w[1].releases[0].published_at == 20 &&
		    w[1].releases[0].found_at == 40);
	assert_string_equal(w[1].releases[0].state, "failed");
	assert_string_equal(w[1].releases[0].reason, "stalled");
	assert_string_equal(w[1].releases[1].link, "http://x/?apikey=k");
	assert_int_equal(w[1].releases[1].indexer_id, 7);
	assert_null(w[1].download_state);
	assert_int_equal(w[2].volume, 5);
	assert_int_equal(w[2].nr_releases, 0);
	monitor_wanted_free(w, n);

	/* Akira's volume 1 has a hand-off */
	assert_int_equal(monitor_reads_found(2, NULL, &w, &n), 0);
	assert_int_equal(n, 1);
	assert_string_equal(w[0].download_state, "imported");
	assert_string_equal(w[0].download_client, "sabnzbd");
	assert_string_equal(w[0].download_client_id, "SAB1");
	assert_string_equal(w[0].download_title, "A 01");
	assert_null(w[0].download_reason);
	assert_true(w[0].download_at == 50 && w[0].download_progress == 1);
	monitor_wanted_free(w, n);

	assert_int_equal(monitor_reads_found(0, &f, &w, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(w[0].series_id, 2);
	monitor_wanted_free(w, n);
}

/* Checks of both flows: one that did not finish, and the newest of each
 * flow; live cache entries are those younger than the ttl. */
static void add_checks(void **state)
{
	struct testdb *t = *state;

	assert_int_equal(db_exec(t->db,
		"INSERT INTO checks (id, kind, trigger, started_at,"
		" finished_at, series, wanted, found, catalog, prowlarr,"
		" cache_hits, sent, skipped, failed, errors, completed,"
		" download_failed, imported) VALUES"
		" (1, 'missing', 'schedule', 100, 110, 1, 2, 3, 4, 5, 6, 7,"
		" 8, 9, 10, 11, 12, 13),"
		" (2, 'new', 'control', 200, NULL, 0, 0, 0, 0, 0, 0, 0, 0, 0,"
		" 0, 0, 0, 0),"
		" (3, 'missing', 'control', 300, 301, 0, 0, 0, 0, 0, 0, 0, 0,"
		" 0, 2, 0, 0, 0);"
		" INSERT INTO search_cache (source, query, stored_at, value)"
		" VALUES ('prowlarr', 'a', 990, 'xy'),"
		" ('prowlarr', 'b', 100, 'old');"
		" INSERT INTO services (name, paused_until, failures,"
		" last_ok_at, last_error, error_level, last_error_at) VALUES"
		" ('nautiljon', 5000000000, 0, NULL, NULL, NULL, NULL),"
		" ('prowlarr', 5000000000, 3, 10, 'HTTP 500', NULL, 20),"
		" ('sabnzbd', 0, 0, 30, 'disk full', 'warn', 20);"), 0);
}

static void test_checks(void **state)
{
	struct monitor_check *c;
	size_t n;

	add_checks(state);
	assert_int_equal(monitor_reads_checks(&c, &n), 0);
	assert_int_equal(n, 3);
	assert_int_equal(c[0].id, 1);
	assert_string_equal(c[0].kind, "missing");
	assert_string_equal(c[0].trigger, "schedule");
	assert_true(c[0].started_at == 100 && c[0].finished_at == 110);
	assert_int_equal(c[0].finished, 1);
	for (int k = 0; k < MC_COUNTS; k++)
		assert_int_equal(c[0].count[k], k + 1);
	assert_int_equal(c[1].finished, 0);
	assert_string_equal(c[2].trigger, "control");
	monitor_checks_free(c, n);
}

static void test_state(void **state)
{
	struct monitor_state m;

	add_checks(state);
	assert_int_equal(monitor_reads_state(60, 1000, &m), 0);
	assert_int_equal(m.cache_entries, 1);
	assert_true(m.cache_bytes > 0);
	assert_int_equal(m.has_missing, 1);
	assert_int_equal(m.last_missing.id, 3);
	assert_int_equal(m.last_missing.count[MC_ERRORS], 2);
	assert_int_equal(m.has_new, 1);
	assert_int_equal(m.last_new.id, 2);
	assert_int_equal(m.last_new.finished, 0);
	monitor_state_release(&m);
}

/* A completed download of Bleach whose import failed, its reason to
 * end. */
#define BLEACH_07_NOT_IMPORTED \
	"INSERT INTO downloads (series, volume, state, client, title," \
	" source, at, error) VALUES" \
	" ('Bleach', 7, 'completed', 'transmission', 'B 07'," \
	" 'prowlarr', 100, 'import: /m/Bleach/B T07.cbz exists"

/* A pause after failures is an error, one without a rate limit's
 * warning; an error newer than the last success is said at its level;
 * the last finished check of a flow with errors warns; a completed
 * download whose import failed warns, one dry-run kept does not; a
 * series two records bear the title of warns until its source names an
 * id of that source. */
static void test_health(void **state)
{
	struct strbuf errors = STRBUF_INIT, warns = STRBUF_INIT;
	struct testdb *t = *state;

	add_checks(state);
	assert_int_equal(db_exec(t->db,
		BLEACH_07_NOT_IMPORTED
		" already (move away the file)'),"
		" ('Bleach', 8, 'completed', 'transmission', 'B 08',"
		" 'prowlarr', 100, 'dry-run: would import into /m/Bleach'),"
		" ('Bleach', 9, 'imported', 'transmission', 'B 09', 'prowlarr',"
		" 100, NULL);"
		" INSERT INTO series (id, root_id, path, name, status, source)"
		" VALUES (5, 1, 'Fake', 'Fake', 'no record taken:"
		" anilist:30314 and anilist:176957 both bear this title', ''),"
		" (6, 1, 'Chosen', 'Chosen', 'no record taken: mangadex:a"
		" and mangadex:b both bear this title', 'mangadex:a')"), 0);
	assert_int_equal(monitor_reads_health(&errors, &warns, NULL), 0);
	assert_string_equal(errors.buf,
			    "error: prowlarr: paused until 2128-06-11T08:53:20Z"
			    " after 3 failures in a row\n"
			    "error: prowlarr: HTTP 500\n");
	assert_string_equal(warns.buf,
			    "warn: nautiljon: paused until"
			    " 2128-06-11T08:53:20Z (rate limited)\n"
			    "warn: monitor: the last missing check had 2 errors"
			    " (see /log)\n"
			    "warn: Bleach volume 7 not imported: /m/Bleach/B"
			    " T07.cbz exists already (move away the file)\n"
			    "warn: Fake: no record taken: anilist:30314 and"
			    " anilist:176957 both bear this title; write the one"
			    " to follow into /manga/Fake/source\n");
	strbuf_release(&errors);
	strbuf_release(&warns);
}

/* The series a caller may not see: ids 5 and 8. */
static int not_5_or_8(void *arg, int64_t series)
{
	(void)arg;
	return series != 5 && series != 8;
}

/* A reader shown some series only (issue 76): a failed import is its
 * line where every series of its name is shown (Bleach, id 1), none
 * where no series bears it, and a record not taken where its series
 * is; the services' lines are every reader's where they name no
 * series. */
static void test_health_shown(void **state)
{
	struct query_series_filter shown = { not_5_or_8, NULL };
	struct strbuf errors = STRBUF_INIT, warns = STRBUF_INIT;
	struct testdb *t = *state;
	const char *bleach = "warn: Bleach volume 7 not imported: ";

	add_checks(state);
	assert_int_equal(db_exec(t->db,
		BLEACH_07_NOT_IMPORTED
		" already'),"
		" ('Gone', 2, 'completed', 'transmission', 'G 02',"
		" 'prowlarr', 100, 'import: /m/Gone/G T02.cbz exists"
		" already');"
		" INSERT INTO series (id, root_id, path, name, status, source)"
		" VALUES (5, 1, 'Fake', 'Fake', 'no record taken:"
		" anilist:1 and anilist:2 both bear this title', ''),"
		" (6, 1, 'Seen', 'Seen', 'no record taken:"
		" anilist:3 and anilist:4 both bear this title', '')"), 0);
	assert_int_equal(monitor_reads_health(&errors, &warns, &shown), 0);
	assert_string_equal(errors.buf,
			    "error: prowlarr: paused until 2128-06-11T08:53:20Z"
			    " after 3 failures in a row\n"
			    "error: prowlarr: HTTP 500\n");
	assert_non_null(strstr(warns.buf, bleach));
	assert_non_null(strstr(warns.buf, "warn: Seen: no record taken"));
	assert_null(strstr(warns.buf, "Fake"));
	assert_null(strstr(warns.buf, "Gone"));
	/* the owner sees the lines of every series */
	strbuf_reset(&warns);
	strbuf_reset(&errors);
	assert_int_equal(monitor_reads_health(&errors, &warns, NULL), 0);
	assert_non_null(strstr(warns.buf, "warn: Fake: no record taken"));
	assert_non_null(strstr(warns.buf, "warn: Gone volume 2 not"));
	/* a second series of that name, hidden: the line is hidden too */
	assert_int_equal(db_exec(t->db,
		"INSERT INTO series (id, root_id, path, name)"
		" VALUES (8, 1, 'Other/Bleach', 'Bleach')"), 0);
	strbuf_reset(&warns);
	strbuf_reset(&errors);
	assert_int_equal(monitor_reads_health(&errors, &warns, &shown), 0);
	assert_null(strstr(warns.buf, bleach));
	assert_non_null(strstr(warns.buf, "warn: Seen: no record taken"));
	strbuf_release(&errors);
	strbuf_release(&warns);
}

/* A service's error that names a series the reader may not see, as its
 * title in any case or as a slug, is told only as a failure; one that
 * names a series it may see is told whole; the owner reads all. */
static void test_health_service_names(void **state)
{
	struct query_series_filter shown = { not_5_or_8, NULL };
	struct strbuf errors = STRBUF_INIT, warns = STRBUF_INIT;
	struct testdb *t = *state;

	add_checks(state);
	assert_int_equal(db_exec(t->db,
		"INSERT INTO series (id, root_id, path, name) VALUES"
		" (5, 1, 'Fake', 'Fake Saga'), (6, 1, 'Seen', 'Seen');"
		" INSERT INTO services (name, paused_until, failures,"
		" last_ok_at, last_error, error_level, last_error_at) VALUES"
		" ('mangaupdates', 0, 0, 10, 'Fake Saga: HTTP 500', 'error',"
		" 20), ('anilist', 0, 0, 10, 'the-FAKE_saga: HTTP 502',"
		" 'warn', 20), ('mangadex', 0, 0, 10, 'Seen: HTTP 500',"
		" 'error', 20)"), 0);
	assert_int_equal(monitor_reads_health(&errors, &warns, &shown), 0);
	assert_null(strstr(errors.buf, "Fake"));
	assert_null(strstr(warns.buf, "FAKE"));
	assert_non_null(strstr(errors.buf, "error: mangaupdates: a request"
			       " about a series failed\n"));
	assert_non_null(strstr(warns.buf, "warn: anilist: a request about"
			       " a series failed\n"));
	assert_non_null(strstr(errors.buf, "error: mangadex: Seen: HTTP"
			       " 500\n"));
	assert_non_null(strstr(errors.buf, "error: prowlarr: HTTP 500\n"));
	strbuf_reset(&warns);
	strbuf_reset(&errors);
	assert_int_equal(monitor_reads_health(&errors, &warns, NULL), 0);
	assert_non_null(strstr(errors.buf, "error: mangaupdates: Fake Saga:"
			       " HTTP 500\n"));
	assert_non_null(strstr(warns.buf, "warn: anilist: the-FAKE_saga:"
			       " HTTP 502\n"));
	strbuf_release(&errors);
	strbuf_release(&warns);
}

/* A service with a live throttle is told by it: a pause the store still
 * holds is over once the throttle says so, and a refusal's pause ends
 * with its cause; a service paused before any of its requests was
 * stored (AniList's 429 waited out in a check) is told too. */
static void test_health_live(void **state)
{
	struct strbuf errors = STRBUF_INIT, warns = STRBUF_INIT;
	const char *tail = " (429 too many requests)\n";
	struct throttle *prowlarr, *nautiljon, *anilist;

	add_checks(state);
	assert_int_equal(throttle_new("prowlarr", 60, NULL, NULL, &prowlarr),
			 0);
	assert_int_equal(throttle_new("nautiljon", 60, NULL, NULL,
				      &nautiljon), 0);
	throttle_rate_limited(nautiljon, 120);
	assert_int_equal(monitor_reads_health(&errors, &warns, NULL), 0);
	assert_string_equal(errors.buf, "error: prowlarr: HTTP 500\n");
	assert_true(!strncmp(warns.buf, "warn: nautiljon: paused until ",
			     30));
	assert_non_null(strstr(warns.buf, tail));
	assert_int_equal(strchr(warns.buf, '\n') + 1 - warns.buf,
			 strstr(warns.buf, tail) + strlen(tail) - warns.buf);
	assert_int_equal(throttle_new("anilist", 60, NULL, NULL, &anilist),
			 0);
	throttle_rate_limited(anilist, 60);
	strbuf_reset(&warns);
	assert_int_equal(monitor_reads_health(&errors, &warns, NULL), 0);
	assert_non_null(strstr(warns.buf, "warn: anilist: paused until "));
	/* a refusal sent with a 429 (a Cloudflare challenge) is told as one */
	throttle_refused(nautiljon, 429, 0);
	strbuf_reset(&warns);
	assert_int_equal(monitor_reads_health(&errors, &warns, NULL), 0);
	assert_non_null(strstr(warns.buf, " (refused, HTTP 429)\n"));
	throttle_free(anilist);
	throttle_free(prowlarr);
	throttle_free(nautiljon);
	strbuf_release(&errors);
	strbuf_release(&warns);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_blocklist, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_downloads, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_new, setup, teardown),
		cmocka_unit_test_setup_teardown(test_found, setup, teardown),
		cmocka_unit_test_setup_teardown(test_checks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_state, setup, teardown),
		cmocka_unit_test_setup_teardown(test_health, setup, teardown),
		cmocka_unit_test_setup_teardown(test_health_shown, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_health_service_names,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_health_live, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
