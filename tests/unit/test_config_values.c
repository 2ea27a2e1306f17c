/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The configuration's bad values refused with the file's name, line and
 * a message: durations, unknown sections and keys, each key's bad
 * values, the download clients' choices, roots, duplicate keys, syntax,
 * comments, an empty file, Real-Debrid alone and the backup folder.
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

/* Durations are shown as a user would write them, and read back equal. */
static void test_format_duration(void **state)
{
	static const struct {
		long s;
		const char *text;
	} cases[] = {
		{ 0, "0s" }, { 1, "1s" }, { 90, "90s" }, { 120, "2m" },
		{ 300, "5m" }, { 3600, "1h" }, { 5400, "90m" },
		{ 86400, "1d" }, { 90000, "25h" }, { 2592000, "30d" },
	};
	char buf[32];
	long back;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		config_format_duration(cases[i].s, buf, sizeof(buf));
		assert_string_equal(buf, cases[i].text);
		assert_int_equal(config_parse_duration(buf, &back), 0);
		assert_int_equal(back, cases[i].s);
	}
}

/* The largest duration a long holds, and past it, in each unit. */
#if LONG_MAX > 2147483647L
#define LONG_MAX_TEXT "9223372036854775807"
#define LONG_OVER_TEXT "9223372036854775808"
#define DAYS_MAX 106751991167300L
#define DAYS_MAX_TEXT "106751991167300"
#define DAYS_OVER_TEXT "106751991167301"
#define MINUTES_OVER_TEXT "153722867280912931"
#else
#define LONG_MAX_TEXT "2147483647"
#define LONG_OVER_TEXT "2147483648"
#define DAYS_MAX 24855L
#define DAYS_MAX_TEXT "24855"
#define DAYS_OVER_TEXT "24856"
#define MINUTES_OVER_TEXT "35791395"
#endif

/* Junk, signs and overflow must be refused, not read as a wrong delay. */
static void test_durations(void **state)
{
	static const struct {
		const char *s;
		long value;
	} good[] = {
		{ "0", 0 }, { "90", 90 }, { "45s", 45 }, { "60m", 3600 },
		{ "3h", 10800 }, { "30d", 2592000 },
		{ LONG_MAX_TEXT, LONG_MAX },
		{ DAYS_MAX_TEXT "d", DAYS_MAX * 86400 },
	};
	static const char *const bad[] = {
		"", "m", "5x", "-5", "-5m", "+5", " 5", "5 ", "5 m", "1.5h",
		"5M", "5ms", "5mm", "0x10", LONG_OVER_TEXT,
		DAYS_OVER_TEXT "d", MINUTES_OVER_TEXT "m",
	};
	size_t i;
	long n;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(good); i++) {
		assert_int_equal(config_parse_duration(good[i].s, &n), 0);
		assert_int_equal(n, good[i].value);
	}
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		n = -1;
		assert_int_equal(config_parse_duration(bad[i], &n), -EINVAL);
		assert_int_equal(n, -1);
	}
}

/* config_parse_count(): digits only, up to LONG_MAX; no unit, sign,
 * blank or fraction. */
static void test_parse_count(void **state)
{
	static const char *const bad[] = {
		"", "5s", "-5", "+5", " 5", "5 ", "1.5", "0x10", "x",
		LONG_OVER_TEXT,
	};
	long n;

	(void)state;
	assert_int_equal(config_parse_count("0", &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(config_parse_count("250", &n), 0);
	assert_int_equal(n, 250);
	assert_int_equal(config_parse_count(LONG_MAX_TEXT, &n), 0);
	assert_int_equal(n, LONG_MAX);
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		n = -1;
		assert_int_equal(config_parse_count(bad[i], &n), -EINVAL);
		assert_int_equal(n, -1);
	}
}

/* A typo in a name must stop the daemon, not be silently ignored. */
static void test_unknown_section_and_key(void **state)
{
	static const struct cfgload_bad bad[] = {
		{ "[general]\nthreads = 2\n\n[foo]\nx = 1\n", 4,
		  "unknown section [foo]" },
		{ "[general]\n  [bar] ; empty\n", 2, "unknown section [bar]" },
		{ "[general]\n; comment\nbar = 1\n", 3,
		  "unknown key 'bar' in [general]" },
		{ "[music]\nroots = @/music\n", 2,
		  "unknown key 'roots' in [music]" },
		{ "threads = 2\n", 1, "key 'threads' is outside any section" },
		{ "[general]\nthreads = 0\nbar = 1\n", 2,
		  "bad value '0' for threads in [general]: expected a whole "
		  "number from 1 to 256" },
	};

	(void)state;
	cfgload_check(bad, ARRAY_SIZE(bad));
}

/* Each type names what it expected, on the line of the bad value. */
/* Values each key refuses, with the line and the words of the error. */
static const struct cfgload_bad bad_values[] = {
	{ "[general]\ndry_run = maybe\n", 2,
	  "bad value 'maybe' for dry_run in [general]: expected yes "
	  "or no" },
	{ "[music]\n\ncovers = jpeg\n", 3,
	  "bad value 'jpeg' for covers in [music]: expected yes or "
	  "no" },
	{ "[manga]\nvolume_from_chapters = all\n", 2,
	  "bad value 'all' for volume_from_chapters in [manga]: "
	  "expected yes or no" },
	{ "[general]\ncovers = no\n", 2,
	  "unknown key 'covers' in [general]" },
	{ "[analysis]\nuser = no-such-user-here\n", 2,
	  "bad value 'no-such-user-here' for user in [analysis]: "
	  "expected the name of a user of this system other than "
	  "root" },
	{ "[analysis]\nuser =\n", 2,
	  "bad value '' for user in [analysis]: expected the name of "
	  "a user of this system other than root" },
	{ "[analysis]\n\nuser = root\n", 3,
	  "bad value 'root' for user in [analysis]: expected the name "
	  "of a user of this system other than root" },
	{ "[general]\nthreads = four\n", 2,
	  "bad value 'four' for threads in [general]: expected a "
	  "whole number from 1 to 256" },
	{ "\n[general]\nthreads = 257\n", 3,
	  "bad value '257' for threads in [general]: expected a "
	  "whole number from 1 to 256" },
	{ "[general]\nthreads = -1\n", 2,
	  "bad value '-1' for threads in [general]: expected a "
	  "whole number from 1 to 256" },
	{ "[general]\nscan_io_depth = 0\n", 2,
	  "bad value '0' for scan_io_depth in [general]: expected a "
	  "whole number from 1 to 256" },
	{ "[general]\nscan_io_depth = -4\n", 2,
	  "bad value '-4' for scan_io_depth in [general]: expected a "
	  "whole number from 1 to 256" },
	{ "[general]\nscan_io_depth = 100000\n", 2,
	  "bad value '100000' for scan_io_depth in [general]: expected"
	  " a whole number from 1 to 256" },
	{ "[general]\nscan_io_depth = deep\n", 2,
	  "bad value 'deep' for scan_io_depth in [general]: expected a"
	  " whole number from 1 to 256" },
	{ "[general]\nmax_open_per_user = 0\n", 2,
	  "bad value '0' for max_open_per_user in [general]: expected"
	  " a whole number from 1 to 1000000" },
	{ "[general]\nmax_open_per_user = 256 files\n", 2,
	  "bad value '256 files' for max_open_per_user in [general]:"
	  " expected a whole number from 1 to 1000000" },
	{ "[retention]\nscans = 0\n", 2,
	  "bad value '0' for scans in [retention]: expected a whole"
	  " number from 1 to 1000000" },
	{ "[monitor]\nmany_volumes = 10001\n", 2,
	  "bad value '10001' for many_volumes in [monitor]: expected "
	  "a whole number from 1 to 10000" },
	{ "[nautiljon]\nrequests_per_minute = 0\n", 2,
	  "bad value '0' for requests_per_minute in [nautiljon]: "
	  "expected a whole number from 1 to 10000" },
	{ "[monitor]\nsearch_sources = catalog, nautiljon\n", 2,
	  "bad value 'catalog, nautiljon' for search_sources in"
	  " [monitor]: expected a comma-separated list of catalog,"
	  " prowlarr" },
	{ "[monitor]\nauto_check_interval = -1m\n", 2,
	  "bad value '-1m' for auto_check_interval in [monitor]:"
	  " expected a duration such as 90, 45s, 60m, 3h or 30d" },
	{ "[monitor]\ncache_ttl = 5x\n", 2,
	  "bad value '5x' for cache_ttl in [monitor]: expected a "
	  "duration such as 90, 45s, 60m, 3h or 30d" },
	{ "[general]\npoll_interval = 0\n", 2,
	  "bad value '0' for poll_interval in [general]: expected a "
	  "nonzero duration such as 90, 45s, 60m, 3h or 30d" },
	{ "[retention]\nattempts = -3d\n", 2,
	  "bad value '-3d' for attempts in [retention]: expected a "
	  "nonzero duration such as 90, 45s, 60m, 3h or 30d" },
	{ "[general]\nwatch_debounce = 1m\n", 2,
	  "bad value '1m' for watch_debounce in [general]: expected a "
	  "delay of at most 60s, such as 200 (milliseconds), 200ms or "
	  "2s" },
	{ "[general]\nwatch_debounce = 61s\n", 2,
	  "bad value '61s' for watch_debounce in [general]: expected a "
	  "delay of at most 60s, such as 200 (milliseconds), 200ms or "
	  "2s" },
	{ "[prowlarr]\nurl = localhost:9696\n", 2,
	  "bad value 'localhost:9696' for url in [prowlarr]: expected "
	  "an http:// or https:// URL" },
	{ "[sonarr]\nurl = http://\n", 2,
	  "bad value 'http://' for url in [sonarr]: expected an "
	  "http:// or https:// URL" },
	{ "[radarr]\nurl = ftp://host\n", 2,
	  "bad value 'ftp://host' for url in [radarr]: expected an "
	  "http:// or https:// URL" },
	{ "[general]\nlog_level = verbose\n", 2,
	  "bad value 'verbose' for log_level in [general]: expected "
	  "one of debug, info, warn, error" },
	{ "[usenet]\nurl = nas:8080\n", 2,
	  "bad value 'nas:8080' for url in [usenet]: expected an"
	  " http:// or https:// URL" },
	{ "[monitor]\nnew_search_sources = nautiljon\n", 2,
	  "bad value 'nautiljon' for new_search_sources in [monitor]:"
	  " expected a comma-separated list of catalog, prowlarr" },
	{ "[monitor]\nmissing_auto_download = maybe\n", 2,
	  "bad value 'maybe' for missing_auto_download in [monitor]:"
	  " expected yes or no" },
	{ "[monitor]\nsearch_sources = catalog, google\n", 2,
	  "bad value 'catalog, google' for search_sources in "
	  "[monitor]: expected a comma-separated list of catalog, "
	  "prowlarr" },
	{ "[monitor]\nsearch_sources = catalog,,prowlarr\n", 2,
	  "bad value 'catalog,,prowlarr' for search_sources in "
	  "[monitor]: expected a comma-separated list of catalog, "
	  "prowlarr" },
	{ "[monitor]\nsearch_sources =\n", 2,
	  "bad value '' for search_sources in [monitor]: expected a "
	  "comma-separated list of catalog, prowlarr" },
	{ "[prowlarr]\ncategories = 7000,abc\n", 2,
	  "bad value '7000,abc' for categories in [prowlarr]: "
	  "expected whole numbers separated by commas" },
	{ "[prowlarr]\nindexer_ids = 1,\n", 2,
	  "bad value '1,' for indexer_ids in [prowlarr]: expected "
	  "whole numbers separated by commas" },
	{ "[prowlarr]\nindexer_ids = 1 2\n", 2,
	  "bad value '1 2' for indexer_ids in [prowlarr]: expected "
	  "whole numbers separated by commas" },
	{ "[realdebrid]\nbroken_ratio_guard = 0\n", 2,
	  "bad value '0' for broken_ratio_guard in [realdebrid]: "
	  "expected a number above 0 and at most 1, or a percentage"
	  " such as 5%" },
	{ "[realdebrid]\nbroken_ratio_guard = 1.5\n", 2,
	  "bad value '1.5' for broken_ratio_guard in [realdebrid]: "
	  "expected a number above 0 and at most 1, or a percentage"
	  " such as 5%" },
	{ "[realdebrid]\nbroken_ratio_guard = half\n", 2,
	  "bad value 'half' for broken_ratio_guard in [realdebrid]: "
	  "expected a number above 0 and at most 1, or a percentage"
	  " such as 5%" },
	{ "[notify]\nerror_rate = 150%\n", 2,
	  "bad value '150%' for error_rate in [notify]: "
	  "expected a number above 0 and at most 1, or a percentage"
	  " such as 5%" },
	{ "[notify]\nerror_rate = 5 %\n", 2,
	  "bad value '5 %' for error_rate in [notify]: "
	  "expected a number above 0 and at most 1, or a percentage"
	  " such as 5%" },
	{ "[notify]\nerror_rate = %\n", 2,
	  "bad value '%' for error_rate in [notify]: "
	  "expected a number above 0 and at most 1, or a percentage"
	  " such as 5%" },
	{ "[notify]\nwebhook = ftp://example.com/hook\n", 2,
	  "bad value for webhook in [notify]: expected an http:// or"
	  " https:// URL" },
	{ "[notify]\nevents = sent, grabbed\n", 2,
	  "bad value 'sent, grabbed' for events in [notify]: expected"
	  " a comma-separated list of all, new_volume, release_found,"
	  " sent, handoff_failed, repair_done, repair_failed,"
	  " repair_pass, health_error, health_ok, error_rate,"
	  " replacement, imported, import_failed, root_unavailable,"
	  " scan_finished,"
	  " scan_slow" },
	{ "[notify]\nslack_events =\n", 2,
	  "bad value '' for slack_events in [notify]: expected"
	  " a comma-separated list of all, new_volume, release_found,"
	  " sent, handoff_failed, repair_done, repair_failed,"
	  " repair_pass, health_error, health_ok, error_rate,"
	  " replacement, imported, import_failed, root_unavailable,"
	  " scan_finished,"
	  " scan_slow" },
	{ "[notify]\nretry_for = 0\n", 2,
	  "bad value '0' for retry_for in [notify]: "
	  "expected a nonzero duration such as 90, 45s, 60m, 3h or 30d" },
	{ "[realdebrid]\ndownload_timeout = 0\n", 2,
	  "bad value '0' for download_timeout in [realdebrid]: "
	  "expected a nonzero duration such as 90, 45s, 60m, 3h or 30d" },
	{ "[realdebrid]\nmax_attempts = 3 times\n", 2,
	  "bad value '3 times' for max_attempts in [realdebrid]: "
	  "expected a whole number from 1 to 100" },
	{ "[import]\n\nmode = symlink\n", 3,
	  "bad value 'symlink' for mode in [import]: expected one of"
	  " hardlink, copy, move" },
	{ "[realdebrid]\norphans = remove\n", 2,
	  "bad value 'remove' for orphans in [realdebrid]: expected"
	  " one of keep, list, delete" },
	{ "[realdebrid]\norphan_grace = soon\n", 2,
	  "bad value 'soon' for orphan_grace in [realdebrid]:"
	  " expected a duration such as 90, 45s, 60m, 3h or 30d" },
	{ "[sonarr]\nsearch_on_failure = always\n", 2,
	  "bad value 'always' for search_on_failure in [sonarr]:"
	  " expected yes or no" },
	{ "[plex]\nurl = plex:32400\n", 2,
	  "bad value 'plex:32400' for url in [plex]: expected an"
	  " http:// or https:// URL" },
	{ "[import]\ntemplate = {series} T{vol}.{ext}\n", 2,
	  "bad template '{series} T{vol}.{ext}' for template in "
	  "[import]: unknown field {vol}" },
	{ "[import]\ntemplate = {series} T{volume:02}\n", 2,
	  "bad template '{series} T{volume:02}' for template in "
	  "[import]: {ext} is missing" },
	{ "[import]\ntemplate = {series:02} {volume}.{ext}\n", 2,
	  "bad template '{series:02} {volume}.{ext}' for template in "
	  "[import]: {series} takes no width" },
	{ "[import]\ntemplate = {series}/{volume}.{ext}\n", 2,
	  "bad template '{series}/{volume}.{ext}' for template in "
	  "[import]: a template names a file: no '/'" },
	{ "[download]\npath_map = downloads:/srv\n", 2,
	  "bad value 'downloads:/srv' for path_map in [download]: "
	  "expected REMOTE:LOCAL, two absolute paths (the client's "
	  "folder, then the same folder here)" },
	{ "[download]\npath_map = /downloads\n", 2,
	  "bad value '/downloads' for path_map in [download]: "
	  "expected REMOTE:LOCAL, two absolute paths (the client's "
	  "folder, then the same folder here)" },
	{ "[download]\npath_map = /downloads:@/nope\n", 2,
	  "download path_map '/downloads:@/nope': the local folder is"
	  " not a readable directory: No such file or directory" },
};

static void test_bad_values(void **state)
{
	(void)state;
	cfgload_check(bad_values, ARRAY_SIZE(bad_values));
}

/*
 * The client keys take the clients of the clients' table of their
 * protocol or of either, refuse the others, and name their choices in the
 * table's order: none, those clients, prowlarr.
 */
static void test_client_choices(void **state)
{
	static const struct {
		const char *name, *protocol;
	} table[] = {
#define DOWNLOAD_CLIENT(name, protocol) { #name, #protocol },
#include "common/download_clients.def"
#undef DOWNLOAD_CLIENT
	};
	static const char *const sections[][2] = {
		{ "download", "torrent" }, { "usenet", "usenet" },
	};
	struct strbuf text = STRBUF_INIT, msg = STRBUF_INIT;
	struct config cfg;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(sections); i++) {
		const char *section = sections[i][0];

		strbuf_reset(&msg);
		strbuf_addf(&msg, "bad value 'deluge' for client in [%s]:"
			    " expected one of none", section);
		for (size_t j = 0; j < ARRAY_SIZE(table); j++) {
			int takes = !strcmp(table[j].protocol,
					    sections[i][1]) ||
				!strcmp(table[j].protocol, "either");

			strbuf_reset(&text);
			strbuf_addf(&text, "[%s]\nclient = %s\n", section,
				    table[j].name);
			assert_int_equal(cfgload(&cfg, text.buf),
					 takes ? 0 : -EINVAL);
			config_release(&cfg);
			if (takes)
				strbuf_addf(&msg, ", %s", table[j].name);
		}
		strbuf_addstr(&msg, ", prowlarr");
		strbuf_reset(&text);
		strbuf_addf(&text, "[%s]\nclient = deluge\n", section);
		cfgload_check(&(struct cfgload_bad){ text.buf, 2, msg.buf }, 1);
	}
	strbuf_release(&text);
	strbuf_release(&msg);
}

/* A root is checked when read, so its error names its line. */
static void test_bad_roots(void **state)
{
	static const struct cfgload_bad bad[] = {
		{ "[music]\nroot = /nonexistent/mediamon\n", 2,
		  "music root '/nonexistent/mediamon' is not a readable "
		  "directory: No such file or directory" },
		{ "[manga]\nroot = @/manga\nroot = @/afile\n", 3,
		  "manga root '@/afile' is not a readable directory: Not a "
		  "directory" },
		{ "[realdebrid]\nlibrary = @/nope\n", 2,
		  "realdebrid library '@/nope' is not a readable directory: "
		  "No such file or directory" },
	};

	(void)state;
	cfgload_check(bad, ARRAY_SIZE(bad));
}

/* Root reads every directory, so only another user can see this error. */
/* Root reads anything, so as root the check runs in a child that has
 * become nobody, on a tree nobody may enter but for the locked folder;
 * the child only parses and reports through its exit status. */
static void test_unreadable_root(void **state)
{
	char dir[] = "/tmp/mediamon-locked-XXXXXX", path[128], msg[512];
	struct config cfg;
	pid_t pid;
	int status;
	FILE *f;

	(void)state;
	if (geteuid() != 0) {
		assert_int_equal(cfgload(&cfg, "[music]\nroot = @/locked\n"),
				 -EINVAL);
		assert_non_null(strstr(cfgload_err, ":2: music root"));
		assert_non_null(strstr(cfgload_err, ": Permission denied"));
		config_release(&cfg);
		return;
	}
	assert_non_null(mkdtemp(dir));
	assert_int_equal(chmod(dir, 0755), 0);
	snprintf(path, sizeof(path), "%s/locked", dir);
	assert_int_equal(mkdir(path, 0700), 0);
	snprintf(path, sizeof(path), "%s/conf", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, "[music]\nroot = %s/locked\n", dir);
	fclose(f);
	assert_int_equal(chmod(path, 0644), 0);

	pid = fork();
	assert_true(pid >= 0);
	if (!pid) {
		int ok;

		/* a child stuck loading ends, failing the test */
		alarm(30);
		ok = !setgid(65534) && !setuid(65534);

		config_init(&cfg);
		ok = ok && config_load_file(&cfg, path, msg, sizeof(msg)) ==
			-EINVAL && strstr(msg, ":2: music root") &&
			strstr(msg, ": Permission denied");
		_exit(ok ? 0 : 1);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	snprintf(path, sizeof(path), "rm -rf %s", dir);
	assert_int_equal(system(path), 0);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

/* A key given twice is likely a mistake; which one wins is unclear. */
static void test_duplicate_keys(void **state)
{
	static const struct cfgload_bad bad[] = {
		{ "[general]\nthreads = 2\nlog_level = info\nthreads = 3\n",
		  4, "threads in [general] was already given on line 2" },
		{ "[general]\nthreads = 2\n[music]\nroot = @/music\n"
		  "[general]\nthreads = 2\n",
		  6, "threads in [general] was already given on line 2" },
		{ "[monitor]\nsearch_sources = catalog\n"
		  "search_sources = prowlarr\n",
		  3, "search_sources in [monitor] was already given on "
		  "line 2" },
		{ "[general]\nthreads = 2\n  3\n",
		  3, "threads in [general] was already given on line 2" },
	};

	(void)state;
	cfgload_check(bad, ARRAY_SIZE(bad));
}

/*
 * inih reports its own errors by line only; the first error must win,
 * whether it is inih's or ours.
 */
static void test_syntax_errors(void **state)
{
	static const struct cfgload_bad bad[] = {
		{ "[general]\nthreads\n", 2,
		  "expected '[section]' or 'key = value'" },
		{ "[general\nthreads = 2\n", 1,
		  "expected '[section]' or 'key = value'" },
		{ "[general]\ngarbage\nbar = 1\n", 2,
		  "expected '[section]' or 'key = value'" },
		{ "[general]\nbar = 1\ngarbage\n", 2,
		  "unknown key 'bar' in [general]" },
	};
	struct config cfg;
	char text[1024], *want;

	(void)state;
	cfgload_check(bad, ARRAY_SIZE(bad));

	snprintf(text, sizeof(text), "[general]\n%0900d\nthreads = 2\n", 0);
	assert_int_equal(cfgload(&cfg, text), -EINVAL);
	assert_true(asprintf(&want, "%s:2: a line of 901 characters that is"
				    " not 'key = value'", cfgload_path) > 0);
	assert_string_equal(cfgload_err, want);
	free(want);
	config_release(&cfg);
}

/*
 * Lines are read whole, past inih's 200 bytes: a path on a NAS may be
 * PATH_MAX long. A short line after a long one is its own.
 */
static void test_long_lines(void **state)
{
	struct config cfg;
	char text[8192], path[4096], dir[] = "/tmp/mm-long-XXXXXX";
	size_t len;

	(void)state;
	assert_non_null(mkdtemp(dir));
	len = (size_t)snprintf(path, sizeof(path), "%s/", dir);
	while (len < 300) {
		memcpy(path + len, "a-rather-long-folder-name-of-a-nas", 34);
		len += 34;
		path[len] = 0;
		assert_int_equal(mkdir(path, 0700), 0);
		path[len++] = '/';
	}
	path[--len] = 0;
	snprintf(text, sizeof(text), "[general]\ndatabase = /%0900d   # db\n"
		 "threads = 3\n[music]\nroot = %s\n", 0, path);
	assert_int_equal(cfgload(&cfg, text), 0);
	assert_int_equal(strlen(cfg.database), 901);
	assert_int_equal(cfg.threads, 3);
	assert_int_equal(cfg.music_roots.nr, 1);
	assert_string_equal(cfg.music_roots.items[0], path);
	config_release(&cfg);
	while (len > strlen(dir)) {
		assert_int_equal(rmdir(path), 0);
		*strrchr(path, '/') = 0;
		len = strlen(path);
	}
	assert_int_equal(rmdir(dir), 0);
}

/*
 * A '#' or ';' at the start of a line or after a blank begins a comment,
 * as people write them after a value; one inside a word is part of it.
 */
static void test_comments(void **state)
{
	static const struct cfgload_bad bad[] = {
		{ "[general]\nthreads = # none yet\n", 2,
		  "bad value '' for threads in [general]: expected a whole "
		  "number from 1 to 256" },
		{ "[general]\nthreads = 4# no blank before\n", 2,
		  "bad value '4# no blank before' for threads in [general]: "
		  "expected a whole number from 1 to 256" },
		{ "[general]\nthreads = 4 scan workers ; four\n", 2,
		  "bad value '4 scan workers' for threads in [general]: "
		  "expected a whole number from 1 to 256" },
		{ "[general]\n\n[foo] # not ours\n", 3,
		  "unknown section [foo]" },
		{ "[general] ; the first\nbar = 1 # no such key\n", 2,
		  "unknown key 'bar' in [general]" },
		{ "[general]\nthreads = 2 # workers\nthreads = 3 ; again\n",
		  3, "threads in [general] was already given on line 2" },
	};
	struct config cfg;

	(void)state;
	assert_int_equal(cfgload(&cfg, "[general]  # the first\n"
				 "threads = 4          # scan workers\n"
				 "dry_run = no\t; act\n"
				 "# threads = 9\n"
				 "   ; poll_interval = 1\n"
				 "poll_interval = 1h\t# an hour\r\n"
				 "database = @/a#b;c.db # a '#' in a word\n"
				 "[prowlarr] ; the indexers\n"
				 "url = http://127.0.0.1:9696/#/x;y  #"
				 " fragment\n"
				 "[release]\n"
				 "blocked_groups = A#1, B;2 ; two"
				 " groups\n"), 0);
	assert_int_equal(cfg.threads, 4);
	assert_false(cfg.dry_run);
	assert_int_equal(cfg.poll_interval_s, 3600);
	assert_true(cfg.database && !strcmp(strrchr(cfg.database, '/'),
					    "/a#b;c.db"));
	assert_string_equal(cfg.prowlarr_url, "http://127.0.0.1:9696/#/x;y");
	assert_int_equal(cfg.release_blocked_groups.nr, 2);
	assert_string_equal(cfg.release_blocked_groups.items[0], "A#1");
	assert_string_equal(cfg.release_blocked_groups.items[1], "B;2");
	config_release(&cfg);
	cfgload_check(bad, ARRAY_SIZE(bad));
}

/* An empty file is valid, but the daemon still needs a root. */
static void test_empty_file(void **state)
{
	struct config cfg;

	(void)state;
	assert_int_equal(cfgload(&cfg, ""), 0);
	assert_int_equal(config_finish(&cfg, CFGLOAD_ERR), -EINVAL);
	assert_string_equal(cfgload_err, "no music or manga root configured,"
					 " nor a "
			    "[realdebrid] mount and library (give -o "
			    "music=DIR or a config file)");
	config_release(&cfg);

	assert_int_equal(cfgload(&cfg, "; only a comment\n[general]\n"), 0);
	config_release(&cfg);
}

/* The repairer alone needs no root, but it needs its mount and library. */
static void test_realdebrid_alone(void **state)
{
	struct config cfg;

	(void)state;
	assert_int_equal(cfgload(&cfg, "[realdebrid]\nmount = /mnt/rd\n"
				 "library = @/lib\n"), 0);
	assert_int_equal(config_finish(&cfg, CFGLOAD_ERR), 0);
	assert_int_equal(cfg.music_roots.nr + cfg.manga_roots.nr, 0);
	assert_int_equal(cfg.rd_check_interval_s, 600);
	assert_int_equal(cfg.rd_repair_account_errors, 1);
	config_release(&cfg);

	assert_int_equal(cfgload(&cfg, "[realdebrid]\nmount = /mnt/rd\n"), 0);
	assert_int_equal(config_finish(&cfg, CFGLOAD_ERR), -EINVAL);
	assert_non_null(strstr(cfgload_err, "no music or manga root"
					    " configured"));
	config_release(&cfg);
	assert_int_equal(cfgload(&cfg, "[realdebrid]\nlibrary = @/lib\n"), 0);
	assert_int_equal(config_finish(&cfg, CFGLOAD_ERR), -EINVAL);
	config_release(&cfg);
}

/* Backups away from the store: not its own folder, nor the backups
 * folder beside it, however written; absolute. */
static void test_backup_dir(void **state)
{
	static const char *const refused[] = {
		"@/store", "@/store/", "@/store/./backups", "@/other/../store",
	};
	struct config cfg;
	char *text;

	(void)state;
	for (size_t i = 0; i < sizeof(refused) / sizeof(*refused); i++) {
		assert_true(asprintf(&text, "[general]\ndatabase = @/store/m.db"
				     "\n[realdebrid]\nmount = /mnt/rd\n"
				     "library = @/lib\n[retention]\n"
				     "backup_dir = %s\n", refused[i]) > 0);
		assert_int_equal(cfgload(&cfg, text), 0);
		free(text);
		assert_int_equal(config_finish(&cfg, CFGLOAD_ERR),
				 -EINVAL);
		assert_non_null(strstr(cfgload_err, "the folder of the"
						    " database"));
		config_release(&cfg);
	}
	assert_int_equal(cfgload(&cfg, "[realdebrid]\nmount = /mnt/rd\n"
				 "library = @/lib\n[retention]\n"
				 "backup_dir = far/away\n"), 0);
	assert_int_equal(config_finish(&cfg, CFGLOAD_ERR), -EINVAL);
	assert_non_null(strstr(cfgload_err, "not an absolute path"));
	config_release(&cfg);
	assert_int_equal(cfgload(&cfg, "[general]\ndatabase = @/store/m.db\n"
				 "[realdebrid]\nmount = /mnt/rd\n"
				 "library = @/lib\n[retention]\n"
				 "backup_dir = @/store/backups/far\n"), 0);
	assert_int_equal(config_finish(&cfg, CFGLOAD_ERR), 0);
	config_release(&cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_durations),
		cmocka_unit_test(test_format_duration),
		cmocka_unit_test(test_parse_count),
		cmocka_unit_test(test_unknown_section_and_key),
		cmocka_unit_test(test_bad_values),
		cmocka_unit_test(test_client_choices),
		cmocka_unit_test(test_bad_roots),
		cmocka_unit_test(test_unreadable_root),
		cmocka_unit_test(test_duplicate_keys),
		cmocka_unit_test(test_syntax_errors),
		cmocka_unit_test(test_long_lines),
		cmocka_unit_test(test_comments),
		cmocka_unit_test(test_empty_file),
		cmocka_unit_test(test_realdebrid_alone),
		cmocka_unit_test(test_backup_dir),
	};

	return cmocka_run_group_tests(tests, cfgload_setup, cfgload_teardown);
}
