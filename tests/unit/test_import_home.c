/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * A client's own default folder learned as a save folder
 * (import_home.h), against the fake Transmission's session-get: mapped
 * by path_map, kept once learned, refused when too wide to trust, and
 * a client that cannot say it named with the fix.
 */
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "fake.h"
#include <jansson.h>

#include "common/config.h"
#include "common/log.h"
#include "indexer/monitor/download.h"
#include "indexer/monitor/import_home.h"

static struct fake tr;
static struct download_session session;
static struct download_client c;
static struct config cfg;
static char url[64];

static int start_fake(void **state)
{
	(void)state;
	if (fake_start("transmission_fake.py", &tr))
		return -1;
	snprintf(url, sizeof(url), "http://127.0.0.1:%d", tr.port);
	return 0;
}

static int stop_fake(void **state)
{
	(void)state;
	fake_stop(&tr);
	return 0;
}

/* The fake saving in dir, a fresh session, no path_map. */
static void saving_in(const char *dir)
{
	char path[PATH_MAX + 64];

	snprintf(path, sizeof(path), "/_reset?download_dir=%s", dir);
	json_decref(fake_json(&tr, "POST", path, NULL));
	memset(&session, 0, sizeof(session));
	c = (struct download_client){ .client = "transmission", .url = url,
				      .session = &session };
	memset(&cfg, 0, sizeof(cfg));
}

/* Learnt as the client says it, then kept: no second request. */
static void test_learnt_and_kept(void **state)
{
	char home[PATH_MAX] = "", why[300] = "";

	(void)state;
	saving_in("/srv/downloads/");
	assert_int_equal(import_home_learn(&cfg, &c, home, why, sizeof(why)),
			 0);
	assert_string_equal(home, "/srv/downloads");
	assert_int_equal(fake_count(&tr, "/_requests"), 2);	/* the 409 */
	assert_int_equal(import_home_learn(&cfg, &c, home, why, sizeof(why)),
			 0);
	assert_int_equal(fake_count(&tr, "/_requests"), 2);
}

/* The client's view mapped by path_map, as its downloads' paths are. */
static void test_mapped(void **state)
{
	char home[PATH_MAX] = "", why[300] = "";
	char *map[] = { "/downloads", "/srv/dl" };

	(void)state;
	saving_in("/downloads/complete");
	cfg.download_path_map = (struct config_list){ .items = map, .nr = 2 };
	assert_int_equal(import_home_learn(&cfg, &c, home, why, sizeof(why)),
			 0);
	assert_string_equal(home, "/srv/dl/complete");
}

/* A folder that would hand the import the machine, a system folder or
 * everyone's: refused, with the fix. */
static void test_too_wide(void **state)
{
	static const char *const wide[] = {
		"/", "/etc", "/etc/ssl/private", "/usr/share", "/home",
		"/root", "/var", "/proc/self", "/srv/../etc", "downloads",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(wide) / sizeof(*wide); i++) {
		char home[PATH_MAX] = "", why[300] = "";

		saving_in(wide[i]);
		assert_int_equal(import_home_learn(&cfg, &c, home, why,
						   sizeof(why)), -EPERM);
		assert_string_equal(home, "");
		assert_non_null(strstr(why, "not trusted as a save folder: "
				       "name a folder of its own as "
				       "[download] save_path"));
	}
}

/* A refused folder deeper than a short reason holds: named whole in the
 * reason, not cut in its middle (issue 81). */
static void test_long_path_whole(void **state)
{
	char home[PATH_MAX] = "", why[2 * PATH_MAX + 512] = "", dir[300];
	size_t n;

	(void)state;
	n = (size_t)snprintf(dir, sizeof(dir), "downloads");
	while (n + 9 < sizeof(dir))
		n += (size_t)snprintf(dir + n, sizeof(dir) - n, "/deepdeep");
	saving_in(dir);
	assert_int_equal(import_home_learn(&cfg, &c, home, why, sizeof(why)),
			 -EPERM);
	assert_non_null(strstr(why, dir));
	assert_non_null(strstr(why, "not trusted as a save folder"));
}

/* A client that cannot be asked, or tells no folder: the reason and
 * the fix, nothing learnt. */
static void test_not_told(void **state)
{
	char home[PATH_MAX] = "", why[300] = "";

	(void)state;
	saving_in("/srv/downloads");
	c.url = "http://127.0.0.1:1";
	assert_true(import_home_learn(&cfg, &c, home, why, sizeof(why)) < 0);
	assert_string_equal(home, "");
	assert_non_null(strstr(why, "cannot learn where transmission saves"));
	assert_non_null(strstr(why, "start it, or name its folder as"
			       " [download] save_path"));
	c = (struct download_client){ .client = "blackhole",
				      .blackhole_dir = "/srv/watch" };
	assert_int_equal(import_home_learn(&cfg, &c, home, why, sizeof(why)),
			 -EOPNOTSUPP);
	assert_non_null(strstr(why, "blackhole tells no folder of its own"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_learnt_and_kept),
		cmocka_unit_test(test_mapped),
		cmocka_unit_test(test_too_wide),
		cmocka_unit_test(test_long_path_whole),
		cmocka_unit_test(test_not_told),
	};

	return cmocka_run_group_tests(tests, start_fake, stop_fake);
}
