/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "fake.h"
#include <jansson.h>

#include "common/http.h"
#include "common/log.h"
#include "indexer/realdebrid/arr.h"

#define KEY "arrKEY-test"	/* the fake's */

static struct fake fake;
static char base[64];

/* One fake for the group; each test sets the items it needs. */
static int start_fake(void **state)
{
	(void)state;
	if (fake_start("arr_fake.py", &fake))
		return -1;
	snprintf(base, sizeof(base), "http://127.0.0.1:%d/", fake.port);
	log_set_stderr(0);
	return http_init();
}

/* Closing its stdin ends the fake. */
static int stop_fake(void **state)
{
	(void)state;
	http_cleanup();
	fake_stop(&fake);
	return 0;
}

/* Make the fake that service, holding items (a JSON array). */
static void set_items(const char *kind, const char *items)
{
	char body[1024];
	json_t *ok;

	snprintf(body, sizeof(body), "{\"kind\": \"%s\", \"items\": %s}",
		 kind, items);
	ok = fake_json(&fake, "POST", "/_items", body);
	assert_non_null(ok);
	json_decref(ok);
}

/* The commands the fake received since the test started. */
static size_t nr_commands(void)
{
	json_t *c = fake_json(&fake, NULL, "/_commands", NULL);
	size_t n;

	assert_non_null(c);
	n = json_array_size(c);
	json_decref(c);
	return n;
}

static void test_find_series(void **state)
{
	struct arr a = { ARR_SONARR, base, KEY, 0, NULL };
	int64_t id = 0;

	(void)state;
	set_items("sonarr", "[{\"id\": 7, \"path\": \"/tv/Show\"},"
		  " {\"id\": 8, \"path\": \"/tv/Show 2/\"},"
		  " {\"id\": 9, \"path\": \"/tv/Show/Specials\"},"
		  " {\"id\": 10, \"title\": \"no path\"}]");
	assert_int_equal(arr_find(&a, "/tv/Show/S1/e1.mkv", &id), 0);
	assert_int_equal(id, 7);
	assert_int_equal(arr_find(&a, "/tv/Show 2/S1/e1.mkv", &id), 0);
	assert_int_equal(id, 8);
	/* The deepest folder holding the path wins. */
	assert_int_equal(arr_find(&a, "/tv/Show/Specials/x.mkv", &id), 0);
	assert_int_equal(id, 9);
	assert_int_equal(arr_find(&a, "/tv/Showtime/e1.mkv", &id), -ENOENT);
	assert_int_equal(arr_find(&a, "relative/path", &id), -EINVAL);
}

static void test_find_movie_and_rescan(void **state)
{
	struct arr a = { ARR_RADARR, base, KEY, 0, NULL };
	size_t before = nr_commands();
	json_t *req, *want = json_pack("{s:s, s:i}", "name", "RescanMovie",
				       "movieId", 3);
	int64_t id = 0;

	(void)state;
	set_items("radarr", "[{\"id\": 3, \"path\": \"/movies/M (1999)\"}]");
	assert_int_equal(arr_find(&a, "/movies/M (1999)/m.mkv", &id), 0);
	assert_int_equal(id, 3);
	assert_int_equal(arr_rescan(&a, id), 0);
	assert_int_equal(nr_commands(), before + 1);
	req = fake_last_request(&fake);
	assert_non_null(req);
	assert_string_equal(json_string_value(json_object_get(req, "path")),
			    "/api/v3/command");
	assert_string_equal(json_string_value(json_object_get(req,
			    "api_key")), "ok");
	assert_true(json_equal(json_object_get(req, "body"), want));
	json_decref(want);
	json_decref(req);
}

static void test_rescan_needs_an_id(void **state)
{
	struct arr a = { ARR_SONARR, base, KEY, 0, NULL };
	long before = fake_nr_requests(&fake);

	(void)state;
	assert_int_equal(arr_rescan(&a, 0), -EINVAL);
	assert_int_equal(arr_rescan(&a, -5), -EINVAL);
	a.api_key = NULL;
	assert_int_equal(arr_rescan(&a, 7), -EINVAL);
	assert_int_equal(fake_nr_requests(&fake), before);
}

static void test_refused_key(void **state)
{
	struct arr a = { ARR_SONARR, base, "wrongKEY", 0, NULL };
	int64_t id;

	(void)state;
	assert_int_equal(arr_find(&a, "/tv/Show/e1.mkv", &id), -EACCES);
	assert_int_equal(arr_rescan(&a, 7), -EACCES);
}

static void test_bad_answers(void **state)
{
	struct arr a = { ARR_SONARR, base, KEY, 0, NULL };
	char url[96];
	int64_t id;

	(void)state;
	set_items("sonarr", "{\"not\": \"a list\"}");
	assert_int_equal(arr_find(&a, "/tv/Show/e1.mkv", &id), -EPROTO);
	set_items("sonarr", "[{\"id\": \"7\", \"path\": \"/tv/Show\"}]");
	assert_int_equal(arr_find(&a, "/tv/Show/e1.mkv", &id), -EPROTO);
	/* A Radarr asked as a Sonarr answers 404. */
	set_items("radarr", "[]");
	assert_int_equal(arr_find(&a, "/tv/Show/e1.mkv", &id), -EIO);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/close", fake.port);
	a.url = url;
	assert_true(arr_find(&a, "/tv/Show/e1.mkv", &id) < 0);
}

/* Sonarr with series 7 holding episode files 21 (episodes 31, 32) and
 * 22 (episode 33) at /tv/Show/..., file 22 "missing" as given. */
static void set_files(const char *missing)
{
	char body[1024];
	json_t *ok;

	snprintf(body, sizeof(body), "{\"kind\": \"sonarr\", \"items\":"
		 " [{\"id\": 7, \"path\": \"/tv/Show\"}], \"files\": ["
		 "{\"id\": 21, \"seriesId\": 7, \"path\": \"/tv/Show/a.mkv\"},"
		 " {\"id\": 22, \"seriesId\": 7, \"path\": \"/tv/Show/b.mkv\"},"
		 " {\"id\": 23, \"seriesId\": 8,"
		 " \"path\": \"/tv/Show/a.mkv\"}],"
		 " \"episodes\": [{\"id\": 31, \"episodeFileId\": 21},"
		 " {\"id\": 32, \"episodeFileId\": 21},"
		 " {\"id\": 33, \"episodeFileId\": 22}], \"missing\": %s}",
		 missing);
	ok = fake_json(&fake, "POST", "/_items", body);
	assert_non_null(ok);
	json_decref(ok);
}

static void test_files_deleted_and_searched(void **state)
{
	struct arr a = { ARR_SONARR, base, KEY, 0, NULL };
	const char *paths[] = { "/tv/Show/b.mkv", "/tv/Show/a.mkv",
				"/tv/Show/none.mkv" };
	struct arr_ids files = { 0 }, episodes = { 0 };
	json_t *req, *want = json_pack("{s:s, s:[i, i, i]}", "name",
				       "EpisodeSearch", "episodeIds", 31, 32,
				       33);

	(void)state;
	set_files("[22]");
	assert_int_equal(arr_files(&a, 7, paths, 3, &files), 0);
	assert_int_equal(files.nr, 2);
	assert_int_equal(files.v[0], 21);
	assert_int_equal(files.v[1], 22);
	for (size_t i = 0; i < files.nr; i++)
		assert_int_equal(arr_episodes(&a, files.v[i], &episodes), 0);
	assert_int_equal(episodes.nr, 3);
	assert_int_equal(arr_delete_file(&a, 21), 0);
	/* gone already: a 404 */
	assert_int_equal(arr_delete_file(&a, 22), -ENOENT);
	assert_int_equal(arr_search(&a, episodes.v, episodes.nr), 0);
	req = fake_last_request(&fake);
	assert_non_null(req);
	assert_true(json_equal(json_object_get(req, "body"), want));
	json_decref(req);
	json_decref(want);
	arr_ids_release(&files);
	arr_ids_release(&episodes);
}

static void test_movie_file_and_search(void **state)
{
	struct arr a = { ARR_RADARR, base, KEY, 0, NULL };
	const char *paths[] = { "/movies/M/m.mkv" };
	struct arr_ids files = { 0 };
	int64_t movie = 3;
	json_t *ok, *req, *want = json_pack("{s:s, s:[i]}", "name",
					    "MoviesSearch", "movieIds", 3);

	(void)state;
	ok = fake_json(&fake, "POST", "/_items", "{\"kind\": \"radarr\","
		       " \"files\": [{\"id\": 5, \"movieId\": 3, \"path\":"
		       " \"/movies/M/m.mkv\"}]}");
	json_decref(ok);
	assert_int_equal(arr_files(&a, 3, paths, 1, &files), 0);
	assert_int_equal(files.nr, 1);
	assert_int_equal(arr_episodes(&a, 5, &files), -EINVAL);
	assert_int_equal(arr_delete_file(&a, 5), 0);
	req = fake_last_request(&fake);
	assert_string_equal(json_string_value(json_object_get(req, "path")),
			    "/api/v3/moviefile/5");
	json_decref(req);
	assert_int_equal(arr_search(&a, &movie, 1), 0);
	req = fake_last_request(&fake);
	assert_true(json_equal(json_object_get(req, "body"), want));
	json_decref(req);
	json_decref(want);
	arr_ids_release(&files);
}

static void test_file_bad_cases(void **state)
{
	struct arr a = { ARR_SONARR, base, KEY, 0, NULL };
	const char *paths[] = { "/tv/Show/a.mkv" };
	struct arr_ids ids = { 0 };
	long before;

	(void)state;
	set_files("[]");
	before = fake_nr_requests(&fake);
	assert_int_equal(arr_files(&a, 0, paths, 1, &ids), -EINVAL);
	assert_int_equal(arr_delete_file(&a, 0), -EINVAL);
	assert_int_equal(arr_search(&a, NULL, 0), -EINVAL);
	assert_int_equal(fake_nr_requests(&fake), before);
	a.api_key = "wrongKEY";
	assert_int_equal(arr_files(&a, 7, paths, 1, &ids), -EACCES);
	assert_int_equal(arr_delete_file(&a, 21), -EACCES);
	assert_int_equal(ids.nr, 0);
	/* A Radarr asked for episode files answers 404: not "gone". */
	a.api_key = KEY;
	set_items("radarr", "[]");
	assert_int_equal(arr_files(&a, 7, paths, 1, &ids), -EIO);
	assert_int_equal(arr_ids_add(&ids, 4), 0);
	assert_int_equal(arr_ids_add(&ids, 4), 0);
	assert_int_equal(ids.nr, 1);
	arr_ids_release(&ids);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_find_series),
		cmocka_unit_test(test_find_movie_and_rescan),
		cmocka_unit_test(test_rescan_needs_an_id),
		cmocka_unit_test(test_refused_key),
		cmocka_unit_test(test_bad_answers),
		cmocka_unit_test(test_files_deleted_and_searched),
		cmocka_unit_test(test_movie_file_and_search),
		cmocka_unit_test(test_file_bad_cases),
	};

	return cmocka_run_group_tests(tests, start_fake, stop_fake);
}
