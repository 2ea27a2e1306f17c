/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The configuration's options and what the daemon makes of it: options
 * on the command line, the defaults config_finish() fills in, the file
 * looked for when none is named, shares, the flow settings, the dump
 * that reads back equal, and release after a cache of strings.
 */
#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <pwd.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/bytes.h"
#include "common/config.h"
#include "common/strbuf.h"
#include "cfgload.h"

/* The short forms are checked like the file's keys. */
static void test_set_option(void **state)
{
	struct config cfg;
	char *music, *manga;

	(void)state;
	music = cfgload_expand("@/music");
	manga = cfgload_expand("@/manga");
	config_init(&cfg);
	assert_int_equal(chdir(cfgload_dir), 0);
	assert_int_equal(config_set_option(&cfg, "music", "music/sub/..",
					   CFGLOAD_ERR), 0);
	assert_int_equal(config_set_option(&cfg, "manga", manga, CFGLOAD_ERR),
			 0);
	assert_int_equal(config_set_option(&cfg, "db", "/tmp/x.db",
					   CFGLOAD_ERR), 0);
	assert_int_equal(chdir("/"), 0);
	assert_int_equal(cfg.music_roots.nr, 1);
	assert_string_equal(cfg.music_roots.items[0], music);
	assert_string_equal(cfg.manga_roots.items[0], manga);
	assert_string_equal(cfg.database, "/tmp/x.db");

	assert_int_equal(config_set_option(&cfg, "music", "/nonexistent/x",
					   CFGLOAD_ERR), -EINVAL);
	assert_string_equal(cfgload_err, "option music=/nonexistent/x: not a"
					 " readable "
			    "directory: No such file or directory");
	assert_int_equal(config_set_option(&cfg, "threads", "2", CFGLOAD_ERR),
			 -EINVAL);
	assert_string_equal(cfgload_err, "unknown option 'threads' (-o sets"
			    " config, music, manga, db and db_shared_ok;"
			    " other keys are set in the configuration file)");
	assert_true(config_names_key("threads=2", 7));
	assert_true(config_names_key("url", 3));
	assert_false(config_names_key("thread", 6));
	assert_false(config_names_key("threads", 6));
	assert_false(config_names_key("fsname=x", 6));
	assert_false(config_names_key("allow_other", 11));
	assert_int_equal(cfg.music_roots.nr, 1);
	free(music);
	free(manga);
	config_release(&cfg);
}

/* The database path follows XDG, then HOME, then the system place. */
static void test_finish_defaults(void **state)
{
	static const struct {
		const char *state, *home, *database;
	} cases[] = {
		{ "/srv/state", "/home/u", "/srv/state/mediamon/mediamon.db" },
		{ "relative", "/home/u",
		  "/home/u/.local/state/mediamon/mediamon.db" },
		{ NULL, "/home/u",
		  "/home/u/.local/state/mediamon/mediamon.db" },
		{ NULL, NULL, "/var/lib/mediamon/mediamon.db" },
	};
	char *old_state = getenv("XDG_STATE_HOME");
	char *old_home = getenv("HOME");
	struct passwd *own;
	struct config cfg;
	size_t i;

	(void)state;
	old_state = old_state ? strdup(old_state) : NULL;
	old_home = old_home ? strdup(old_home) : NULL;
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		cfgload_setenv("XDG_STATE_HOME", cases[i].state);
		cfgload_setenv("HOME", cases[i].home);
		config_init(&cfg);
		assert_int_equal(config_set_option(&cfg, "manga", cfgload_dir,
						   CFGLOAD_ERR), 0);
		assert_int_equal(config_finish(&cfg, CFGLOAD_ERR), 0);
		assert_string_equal(cfg.database, cases[i].database);
		assert_int_equal(cfg.threads, sysconf(_SC_NPROCESSORS_ONLN));
		config_release(&cfg);
	}
	cfgload_setenv("XDG_STATE_HOME", old_state);
	cfgload_setenv("HOME", old_home);
	free(old_state);
	free(old_home);

	assert_int_equal(cfgload(&cfg, "[general]\nthreads = 3\n"
				 "[music]\nroot = @\n"), 0);
	assert_int_equal(config_finish(&cfg, CFGLOAD_ERR), 0);
	assert_int_equal(cfg.threads, 3);
	/* the analysis runs as mediamon-analyse where the system has it,
	 * resolved; else it is left unset, never nobody: the analysis
	 * picks a uid of its own (analysis_user.h) */
	own = getpwnam("mediamon-analyse");
	if (own) {
		assert_string_equal(cfg.analysis_user.name, own->pw_name);
		assert_int_equal(cfg.analysis_user.uid, own->pw_uid);
		assert_int_equal(cfg.analysis_user.gid, own->pw_gid);
	} else {
		assert_null(cfg.analysis_user.name);
	}
	config_release(&cfg);
}

/* The user's file is used only when it exists. */
static void test_default_path(void **state)
{
	char *old = getenv("XDG_CONFIG_HOME"), *want, *path;

	(void)state;
	old = old ? strdup(old) : NULL;
	want = cfgload_expand("@/xdg/mediamon/mediamon.conf");
	cfgload_setenv("XDG_CONFIG_HOME", cfgload_dir);
	path = config_default_path();
	if (access("/etc/mediamon/mediamon.conf", F_OK))
		assert_null(path);
	else
		assert_string_equal(path, "/etc/mediamon/mediamon.conf");
	free(path);

	path = cfgload_expand("@/xdg");
	cfgload_setenv("XDG_CONFIG_HOME", path);
	free(path);
	path = config_default_path();
	assert_string_equal(path, want);
	free(path);
	free(want);
	cfgload_setenv("XDG_CONFIG_HOME", old);
	free(old);
}

/* Shares are written as fractions or percentages. */
static void test_ratios(void **state)
{
	static const struct {
		const char *text;
		double want;
	} good[] = {
		{ "5%", 0.05 }, { "0.1", 0.1 }, { "100%", 1 }, { "1", 1 },
		{ "2.5%", 0.025 },
	};
	struct config cfg;
	char text[64];

	(void)state;
	config_init(&cfg);
	assert_true(cfg.notify_error_rate == 0.05);
	for (size_t i = 0; i < ARRAY_SIZE(good); i++) {
		snprintf(text, sizeof(text), "[notify]\nerror_rate = %s\n",
			 good[i].text);
		assert_int_equal(cfgload(&cfg, text), 0);
		assert_true(cfg.notify_error_rate > good[i].want - 1e-12 &&
			    cfg.notify_error_rate < good[i].want + 1e-12);
		config_release(&cfg);
	}
}

/*
 * A flow without its own search_sources or auto_download has the global
 * ones; one with them keeps its own, whatever the global keys say.
 */
static void test_flow_settings(void **state)
{
	struct config cfg;

	(void)state;
	assert_int_equal(cfgload(&cfg, "[manga]\nroot = @/manga\n"
				 "[monitor]\nauto_download = yes\n"
				 "search_sources = prowlarr\n"), 0);
	assert_int_equal(config_finish(&cfg, CFGLOAD_ERR), 0);
	assert_int_equal(cfg.missing_auto_download, 1);
	assert_int_equal(cfg.new_auto_download, 1);
	assert_int_equal(cfg.missing_search_sources.nr, 1);
	assert_string_equal(cfg.missing_search_sources.items[0], "prowlarr");
	assert_int_equal(cfg.new_search_sources.nr, 1);
	config_release(&cfg);

	assert_int_equal(cfgload(&cfg, "[manga]\nroot = @/manga\n"
				 "[monitor]\nnew_auto_download = yes\n"
				 "missing_search_sources = catalog\n"
				 "new_search_sources = prowlarr,"
				 " catalog\n"), 0);
	assert_int_equal(config_finish(&cfg, CFGLOAD_ERR), 0);
	assert_int_equal(cfg.auto_download, 0);
	assert_int_equal(cfg.missing_auto_download, 0);
	assert_int_equal(cfg.new_auto_download, 1);
	assert_int_equal(cfg.search_sources.nr, 2);
	assert_string_equal(cfg.search_sources.items[0], "catalog");
	assert_int_equal(cfg.missing_search_sources.nr, 1);
	assert_string_equal(cfg.missing_search_sources.items[0], "catalog");
	assert_int_equal(cfg.new_search_sources.nr, 2);
	assert_string_equal(cfg.new_search_sources.items[0], "prowlarr");
	config_release(&cfg);
}

/* The dump reads back as the same configuration, with secrets masked. */
/* The configuration test_dump() dumps: secrets in each of their forms. */
static const char dump_conf[] =
	"[general]\n"
	"database = /var/tmp/m.db\n"
	"threads = 3\n"
	"watch_debounce = 2s\n"
	"[music]\n"
	"root = @/music\n"
	"root = @/lib\n"
	"[monitor]\n"
	"search_sources = prowlarr\n"
	"cache_ttl = 90m\n"
	"[prowlarr]\n"
	"api_key = 0123abcd\n"
	"indexer_ids = 1, -2\n"
	"[download]\n"
	"url = http://admin:pw42@h:8080/x?apikey=KEY42&a=1#f\n"
	"password = hunter2\n"
	"path_map = /data/:@/lib\n"
	"path_map = /data/b:@/music/sub/\n"
	"[import]\n"
	"mode = move\n"
	"template = {volume:03} {series}.{ext}\n"
	"[usenet]\n"
	"client = nzbget\n"
	"password = NZBPASS7\n"
	"[realdebrid]\n"
	"api_token = RDTOKEN42\n"
	"broken_ratio_guard = 0.25\n"
	"[sonarr]\n"
	"api_key = sonarrkey\n"
	"[radarr]\n"
	"api_key = radarrkey\n";

static void test_dump(void **state)
{
	static const char *const secrets[] = {
		"0123abcd", "hunter2", "RDTOKEN42", "sonarrkey", "radarrkey",
		"admin", "pw42", "KEY42", "NZBPASS7",
	};
	struct strbuf first = STRBUF_INIT, second = STRBUF_INIT;
	struct config cfg;
	char *want;

	(void)state;
	assert_int_equal(cfgload(&cfg, dump_conf), 0);
	assert_int_equal(config_finish(&cfg, CFGLOAD_ERR), 0);
	config_dump(&cfg, &first);
	config_release(&cfg);
	for (size_t i = 0; i < ARRAY_SIZE(secrets); i++)
		assert_null(strstr(first.buf, secrets[i]));
	want = cfgload_expand("\n[music]\nroot = @/music\nroot = @/lib\n"
			      "covers = yes\nmax_picture = 16777216\n"
			      "follow_outside_symlinks = no\n\n");
	assert_non_null(strstr(first.buf, want));
	free(want);
	assert_non_null(strstr(first.buf, "\n[prowlarr]\n# url =\n"
			       "api_key = ********\n"));
	assert_non_null(strstr(first.buf, "\nurl = http://********@h:8080/x"
			       "?apikey=********&a=1#f\n"));
	assert_non_null(strstr(first.buf, "\nwatch_debounce = 2000ms\n"));
	assert_non_null(strstr(first.buf, "\ncache_ttl = 90m\n"));
	assert_non_null(strstr(first.buf, "\nindexer_ids = 1,-2\n"));
	assert_non_null(strstr(first.buf, "\nbroken_ratio_guard = 0.25\n"));
	/* no mediamon-analyse: unset, a uid of the analysis' own */
	assert_non_null(strstr(first.buf, getpwnam("mediamon-analyse") ?
			       "\n[analysis]\nenabled = yes\nthreads = 1\n"
			       "user = mediamon-analyse\n" :
			       "\n[analysis]\nenabled = yes\nthreads = 1\n"
			       "# user =\n"));
	assert_non_null(strstr(first.buf, "\n[usenet]\nclient = nzbget\n"));
	want = cfgload_expand("\npath_map = /data:@/lib\npath_map ="
			      " /data/b:@/music/"
			      "sub\n# client_user =\n\n[usenet]\n");
	assert_non_null(strstr(first.buf, want));
	free(want);
	assert_non_null(strstr(first.buf, "\n[import]\nmode = move\ntemplate ="
			       " {volume:03} {series}.{ext}\n"));
	assert_non_null(strstr(first.buf, "\nmissing_search_sources ="
			       " prowlarr\n"));

	assert_int_equal(cfgload(&cfg, first.buf), 0);
	assert_int_equal(config_finish(&cfg, CFGLOAD_ERR), 0);
	config_dump(&cfg, &second);
	config_release(&cfg);
	assert_string_equal(first.buf, second.buf);
	strbuf_release(&first);
	strbuf_release(&second);
}

/* One group, so that the tree is made once for all the tests. */
/* The search cache outlives the check interval, so that each scheduled
 * check finds the answers of the one before; [release] takes the
 * languages and formats the titles are read for. */
static void test_cache_and_release(void **state)
{
	static const char *const bad[] = {
		"[release]\nlanguages = fr, klingon\n",
		"[release]\nformats = cbz, zip\n",
		"[release]\npacks = sometimes\n",
		"[release]\nmin_seeders = -1\n",
		"[release]\nblocked_groups = a,,b\n",
	};
	static const struct {
		const char *text;
		long ttl;
	} ttl[] = {
		{ "[monitor]\nauto_check_interval = 30m\n", 3600 },
		{ "[monitor]\nauto_check_interval = 0\n", 7200 },
		{ "[monitor]\nauto_check_interval = 2h\ncache_ttl = 5m\n",
		  300 },
	};
	struct config cfg;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(ttl); i++) {
		assert_int_equal(cfgload(&cfg, ttl[i].text), 0);
		assert_int_equal(config_set_option(&cfg, "music", cfgload_dir,
						   CFGLOAD_ERR), 0);
		assert_int_equal(config_finish(&cfg, CFGLOAD_ERR), 0);
		assert_int_equal(cfg.cache_ttl_s, ttl[i].ttl);
		config_release(&cfg);
	}
	assert_int_equal(cfgload(&cfg, "[release]\nlanguages = fr, en\n"
				 "blocked_groups = Bad Team, X\npacks = never\n"
				 "min_size_mb = 10\n"), 0);
	assert_int_equal(cfg.release_languages.nr, 2);
	assert_string_equal(cfg.release_blocked_groups.items[0], "Bad Team");
	assert_string_equal(cfg.release_packs, "never");
	assert_int_equal(cfg.release_min_size_mb, 10);
	config_release(&cfg);
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		assert_int_equal(cfgload(&cfg, bad[i]), -EINVAL);
		config_release(&cfg);
	}
}
int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cache_and_release),
		cmocka_unit_test(test_set_option),
		cmocka_unit_test(test_finish_defaults),
		cmocka_unit_test(test_default_path),
		cmocka_unit_test(test_ratios),
		cmocka_unit_test(test_flow_settings),
		cmocka_unit_test(test_dump),
	};

	return cmocka_run_group_tests(tests, cfgload_setup, cfgload_teardown);
}
