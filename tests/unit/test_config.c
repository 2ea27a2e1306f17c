/* SPDX-License-Identifier: GPL-3.0-or-later */
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


/* A file or a message, with '@' standing for the test's directory. */
struct bad {
	const char *text;
	int line;
	const char *msg;
};

static char tmpdir[] = "/tmp/test_config.XXXXXX";
static char conf[sizeof(tmpdir) + 32];
static char err[1024];

/* Texts name real directories, which exist only under the test's own:
 * "@" at the end of a word or before "/" stands for it. */
static char *expand(const char *s)
{
	char *out = malloc(strlen(s) * sizeof(tmpdir) + 1), *w = out;

	assert_non_null(out);
	for (; *s; s++) {
		/* user:password@host keeps its "@" */
		if (*s == '@' && strchr("/\n' ", s[1]))
			w = stpcpy(w, tmpdir);
		else
			*w++ = *s;
	}
	*w = '\0';
	return out;
}

/* Every load gets a fresh file, as inih reads by name. */
static int load(struct config *cfg, const char *text)
{
	char *body = expand(text);
	int fd, ret;

	snprintf(conf, sizeof(conf), "%s/conf.XXXXXX", tmpdir);
	fd = mkstemp(conf);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, body, strlen(body)), strlen(body));
	close(fd);
	free(body);
	config_init(cfg);
	err[0] = '\0';
	ret = config_load_file(cfg, conf, err, sizeof(err));
	if (ret)
		assert_true(err[0]);
	return ret;
}

/* Comparing whole messages checks the file name and line number too. */
static void check_errors(const struct bad *bad, size_t nr)
{
	struct config cfg;
	char *want, *msg;
	size_t i;

	for (i = 0; i < nr; i++) {
		assert_int_equal(load(&cfg, bad[i].text), -EINVAL);
		msg = expand(bad[i].msg);
		assert_true(asprintf(&want, "%s:%d: %s", conf, bad[i].line,
				     msg) > 0);
		assert_string_equal(err, want);
		free(want);
		free(msg);
		config_release(&cfg);
	}
}

/* Numbers are set by config_init, strings and lists by config_finish. */
static void test_defaults(void **state)
{
	struct config cfg;

	(void)state;
	config_init(&cfg);
	assert_null(cfg.database);
	assert_int_equal(cfg.threads, 0);
	assert_int_equal(cfg.scan_io_depth, 16);
	assert_int_equal(cfg.dry_run, 1);
	assert_int_equal(cfg.covers, 1);
	assert_int_equal(cfg.volume_from_chapters, 0);
	assert_int_equal(cfg.watch_debounce_ms, 200);
	assert_int_equal(cfg.poll_interval_s, 300);
	assert_int_equal(cfg.max_open_per_user, 256);
	assert_int_equal(cfg.max_open_memory_per_user, 256 << 20);
	assert_int_equal(cfg.max_picture, 16 << 20);
	assert_int_equal(cfg.auto_check_interval_s, 3600);
	assert_int_equal(cfg.missing_volumes, 1);
	assert_int_equal(cfg.new_volumes, 1);
	assert_int_equal(cfg.search_enabled, 1);
	assert_int_equal(cfg.auto_download, 0);
	assert_int_equal(cfg.many_volumes, 20);
	assert_int_equal(cfg.prowlarr_rpm, 30);
	assert_int_equal(cfg.nautiljon_rpm, 6);
	assert_int_equal(cfg.rd_rpm, 200);
	assert_int_equal(cfg.rd_max_attempts, 3);
	assert_int_equal(cfg.rd_retry_delay_s, 3 * 3600);
	assert_int_equal(cfg.rd_download_timeout_s, 6 * 3600);
	assert_true(cfg.rd_broken_ratio_guard == 0.5);
	assert_int_equal(cfg.retention_attempts_s, 30 * 86400);
	assert_int_equal(cfg.retention_metrics_s, 90 * 86400);
	assert_int_equal(cfg.backup_interval_s, 86400);
	assert_int_equal(cfg.backups_kept, 7);
	assert_int_equal(cfg.cleanup_interval_s, 6 * 3600);
	assert_int_equal(cfg.retention_scans, 1000);
	assert_int_equal(cfg.rd_check_interval_s, 600);
	assert_int_equal(cfg.rd_repair_account_errors, 1);
	assert_int_equal(cfg.rd_orphan_grace_s, 86400);
	assert_int_equal(cfg.sonarr_search_on_failure, 0);
	assert_int_equal(cfg.radarr_search_on_failure, 0);
	assert_int_equal(cfg.analysis_enabled, 1);
	assert_int_equal(cfg.analysis_threads, 1);

	assert_int_equal(config_set_option(&cfg, "music", tmpdir, err,
					   sizeof(err)), 0);
	assert_int_equal(config_finish(&cfg, err, sizeof(err)), 0);
	assert_string_equal(cfg.log_level, "info");
	/* twice the check interval: every check finds the last one's */
	assert_int_equal(cfg.cache_ttl_s, 7200);
	assert_string_equal(cfg.release_packs, "last");
	assert_string_equal(cfg.rd_orphans, "list");
	assert_int_equal(cfg.search_sources.nr, 2);
	assert_string_equal(cfg.search_sources.items[0], "catalog");
	assert_string_equal(cfg.search_sources.items[1], "prowlarr");
	assert_string_equal(cfg.prowlarr_categories, "7000,7030");
	assert_string_equal(cfg.nautiljon_url, "https://www.nautiljon.com");
	assert_string_equal(cfg.download_client, "none");
	assert_string_equal(cfg.import_mode, "hardlink");
	assert_string_equal(cfg.import_template, "{series} T{volume:02}.{ext}");
	assert_int_equal(cfg.download_path_map.nr, 0);
	assert_string_equal(cfg.rd_url, "https://api.real-debrid.com/rest/1.0");
	assert_null(cfg.prowlarr_url);
	assert_null(cfg.prowlarr_api_key);
	assert_null(cfg.prowlarr_indexer_ids);
	assert_null(cfg.notify_discord_webhook);
	assert_int_equal(cfg.notify_events.nr, 1);
	assert_string_equal(cfg.notify_events.items[0], "all");
	assert_int_equal(cfg.notify_discord_events.nr, 0);
	assert_int_equal(cfg.notify_retry_for_s, 86400);
	assert_int_equal(cfg.manga_roots.nr, 0);
	assert_int_equal(cfg.rd_libraries.nr, 0);
	config_release(&cfg);
}

/* Users write booleans in many spellings; all of them must work. */
static void test_bools(void **state)
{
	static const struct {
		const char *word;
		int value;
	} words[] = {
		{ "yes", 1 }, { "no", 0 }, { "true", 1 }, { "false", 0 },
		{ "on", 1 }, { "off", 0 }, { "1", 1 }, { "0", 0 },
		{ "Yes", 1 }, { "OFF", 0 },
	};
	struct config cfg;
	char *text;
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(words); i++) {
		assert_true(asprintf(&text, "[general]\ndry_run = %s\n"
				     "[music]\ncovers = %s\n"
				     "[analysis]\nenabled = %s\n",
				     words[i].word, words[i].word,
				     words[i].word) > 0);
		assert_int_equal(load(&cfg, text), 0);
		assert_int_equal(cfg.dry_run, words[i].value);
		assert_int_equal(cfg.covers, words[i].value);
		assert_int_equal(cfg.analysis_enabled, words[i].value);
		config_release(&cfg);
		free(text);
	}
}

/* The edges of each range are accepted, and blanks in lists ignored. */
static void test_good_values(void **state)
{
	struct config cfg;

	(void)state;
	assert_int_equal(load(&cfg,
		"[general]\n"
		"threads = 256\n"
		"scan_io_depth = 256\n"
		"watch_debounce = 2s\n"
		"poll_interval = 90\n"
		"log_level = debug\n"
		"[monitor]\n"
		"many_volumes = 1\n"
		"cache_ttl = 0\n"
		"auto_check_interval = 0\n"
		"search_sources = prowlarr ,catalog\n"
		"[prowlarr]\n"
		"categories = 7000 , 7030,-2\n"
		"url = http://127.0.0.1:9696\n"
		"[realdebrid]\n"
		"broken_ratio_guard = 1\n"
		"retry_delay = 1d\n"
		"download_timeout = 90m\n"
		"[retention]\n"
		"backup_interval = 0\n"
		"[download]\n"
		"client = blackhole\n"
		"category = with spaces ; inline comment\n"), 0);
	assert_int_equal(cfg.threads, 256);
	assert_int_equal(cfg.scan_io_depth, 256);
	assert_int_equal(cfg.watch_debounce_ms, 2000);
	assert_int_equal(cfg.poll_interval_s, 90);
	assert_string_equal(cfg.log_level, "debug");
	assert_int_equal(cfg.many_volumes, 1);
	assert_int_equal(cfg.cache_ttl_s, 0);
	assert_int_equal(cfg.auto_check_interval_s, 0);
	assert_int_equal(cfg.search_sources.nr, 2);
	assert_string_equal(cfg.search_sources.items[0], "prowlarr");
	assert_string_equal(cfg.search_sources.items[1], "catalog");
	assert_string_equal(cfg.prowlarr_categories, "7000,7030,-2");
	assert_string_equal(cfg.prowlarr_url, "http://127.0.0.1:9696");
	assert_true(cfg.rd_broken_ratio_guard == 1.0);
	assert_int_equal(cfg.rd_retry_delay_s, 86400);
	assert_int_equal(cfg.rd_download_timeout_s, 90 * 60);
	assert_int_equal(cfg.backup_interval_s, 0);
	assert_string_equal(cfg.download_client, "blackhole");
	assert_string_equal(cfg.download_category, "with spaces");
	config_release(&cfg);

	assert_int_equal(load(&cfg, "[general]\nwatch_debounce = 0\n"
			      "database =\n[monitor]\n"
			      "search_sources = prowlarr\n"), 0);
	assert_int_equal(cfg.watch_debounce_ms, 0);
	assert_null(cfg.database);
	assert_int_equal(cfg.search_sources.nr, 1);
	assert_string_equal(cfg.search_sources.items[0], "prowlarr");
	config_release(&cfg);

	assert_int_equal(load(&cfg, "[general]\nwatch_debounce = 150ms\n"), 0);
	assert_int_equal(cfg.watch_debounce_ms, 150);
	config_release(&cfg);
}

/* A file written for the full daemon must load as it is. */
/* Every section and key of the contract, read by test_full_config. */
static const char full_text[] =
	"# every section and key of the contract\n"
	"[general]\n"
	"database = /var/tmp/m.db\n"
	"threads = 4\n"
	"log_level = warn\n"
	"dry_run = no\n"
	"watch_debounce = 500ms\n"
	"poll_interval = 10m\n"
	"[music]\n"
	"root = @/music\n"
	"covers = no\n"
	"[manga]\n"
	"root = @/manga\n"
	"volume_from_chapters = yes\n"
	"[monitor]\n"
	"auto_check_interval = 30m\n"
	"missing_volumes = no\n"
	"new_volumes = off\n"
	"search_enabled = false\n"
	"auto_download = yes\n"
	"search_sources = catalog, prowlarr\n"
	"new_search_sources = catalog\n"
	"new_auto_download = no\n"
	"cache_ttl = 2h\n"
	"many_volumes = 50\n"
	"[prowlarr]\n"
	"url = http://localhost:9696\n"
	"api_key = 0123abcd\n"
	"categories = 7030\n"
	"indexer_ids = 1, 4\n"
	"requests_per_minute = 10\n"
	"[nautiljon]\n"
	"url = http://127.0.0.1:8081\n"
	"requests_per_minute = 2\n"
	"[catalog]\n"
	"file = /srv/catalog.jsonl\n"
	"[download]\n"
	"client = qbittorrent\n"
	"url = http://localhost:8080\n"
	"username = admin\n"
	"password = pa55\n"
	"category = manga\n"
	"blackhole_dir = /srv/blackhole\n"
	"[usenet]\n"
	"client = sabnzbd\n"
	"url = http://localhost:8085\n"
	"api_key = sabkey\n"
	"username = nzb\n"
	"password = nzbpass\n"
	"category = books\n"
	"blackhole_dir = /srv/nzb\n"
	"[realdebrid]\n"
	"api_token = TOKEN\n"
	"url = https://rd.example/rest/1.0\n"
	"mount = /mnt/rd\n"
	"library = @/lib\n"
	"library = @/music\n"
	"requests_per_minute = 100\n"
	"max_attempts = 5\n"
	"retry_delay = 6h\n"
	"broken_ratio_guard = 0.25\n"
	"check_interval = 0\n"
	"repair_account_errors = no\n"
	"orphans = delete\n"
	"orphan_grace = 2d\n"
	"[sonarr]\n"
	"url = http://localhost:8989\n"
	"api_key = sonarrkey\n"
	"search_on_failure = yes\n"
	"[radarr]\n"
	"url = http://localhost:7878\n"
	"api_key = radarrkey\n"
	"[plex]\n"
	"url = http://localhost:32400\n"
	"token = plextoken\n"
	"[jellyfin]\n"
	"url = http://localhost:8096\n"
	"api_key = jellykey\n"
	"[emby]\n"
	"url = http://localhost:8097\n"
	"api_key = embykey\n"
	"[notify]\n"
	"events = health_error, health_ok, repair_failed\n"
	"discord_webhook = https://discord.com/api/webhooks/1/x\n"
	"discord_events = all\n"
	"slack_webhook = https://hooks.slack.com/services/T/B/x\n"
	"ntfy_url = https://ntfy.example/topic\n"
	"ntfy_token = tk_abc\n"
	"ntfy_events = sent,new_volume\n"
	"webhook = http://127.0.0.1:9/hook\n"
	"retry_for = 2h\n"
	"[retention]\n"
	"attempts = 7d\n"
	"metrics = 14d\n"
	"backup_interval = 12h\n"
	"backups_kept = 3\n"
	"cleanup_interval = 1h\n"
	"[analysis]\n"
	"enabled = yes\n"
	"threads = 2\n"
	"user = daemon\n";

/* What full_text says of the paths and the manga loop. */
static void check_full_loop(const struct config *cfg)
{
	char *path;

	assert_string_equal(cfg->database, "/var/tmp/m.db");
	assert_int_equal(cfg->threads, 4);
	assert_string_equal(cfg->log_level, "warn");
	assert_int_equal(cfg->dry_run, 0);
	assert_int_equal(cfg->watch_debounce_ms, 500);
	assert_int_equal(cfg->poll_interval_s, 600);
	assert_int_equal(cfg->covers, 0);
	path = expand("@/music");
	assert_int_equal(cfg->music_roots.nr, 1);
	assert_string_equal(cfg->music_roots.items[0], path);
	assert_int_equal(cfg->rd_libraries.nr, 2);
	assert_string_equal(cfg->rd_libraries.items[1], path);
	free(path);
	path = expand("@/manga");
	assert_int_equal(cfg->manga_roots.nr, 1);
	assert_string_equal(cfg->manga_roots.items[0], path);
	assert_int_equal(cfg->volume_from_chapters, 1);
	free(path);
	path = expand("@/lib");
	assert_string_equal(cfg->rd_libraries.items[0], path);
	free(path);

	assert_int_equal(cfg->auto_check_interval_s, 1800);
	assert_int_equal(cfg->missing_volumes, 0);
	assert_int_equal(cfg->new_volumes, 0);
	assert_int_equal(cfg->search_enabled, 0);
	assert_int_equal(cfg->auto_download, 1);
	assert_int_equal(cfg->search_sources.nr, 2);
	assert_int_equal(cfg->cache_ttl_s, 7200);
	assert_int_equal(cfg->many_volumes, 50);

	assert_string_equal(cfg->prowlarr_url, "http://localhost:9696");
	assert_string_equal(cfg->prowlarr_api_key, "0123abcd");
	assert_string_equal(cfg->prowlarr_categories, "7030");
	assert_string_equal(cfg->prowlarr_indexer_ids, "1,4");
	assert_int_equal(cfg->prowlarr_rpm, 10);
	assert_string_equal(cfg->nautiljon_url, "http://127.0.0.1:8081");
	assert_int_equal(cfg->nautiljon_rpm, 2);
	assert_string_equal(cfg->catalog_file, "/srv/catalog.jsonl");

	assert_string_equal(cfg->download_client, "qbittorrent");
	assert_string_equal(cfg->download_url, "http://localhost:8080");
	assert_string_equal(cfg->download_username, "admin");
	assert_string_equal(cfg->download_password, "pa55");
	assert_string_equal(cfg->download_category, "manga");
	assert_string_equal(cfg->download_blackhole_dir, "/srv/blackhole");
	assert_string_equal(cfg->usenet_client, "sabnzbd");
	assert_string_equal(cfg->usenet_url, "http://localhost:8085");
	assert_string_equal(cfg->usenet_api_key, "sabkey");
	assert_string_equal(cfg->usenet_username, "nzb");
	assert_string_equal(cfg->usenet_password, "nzbpass");
	assert_string_equal(cfg->usenet_category, "books");
	assert_string_equal(cfg->usenet_blackhole_dir, "/srv/nzb");
	assert_int_equal(cfg->missing_auto_download, 1);
	assert_int_equal(cfg->new_auto_download, 0);
	assert_int_equal(cfg->missing_search_sources.nr, 2);
	assert_int_equal(cfg->new_search_sources.nr, 1);
	assert_string_equal(cfg->new_search_sources.items[0], "catalog");
}

/* What full_text says of the services, notifications and upkeep. */
static void check_full_services(const struct config *cfg)
{
	struct passwd *daemon;

	assert_string_equal(cfg->rd_api_token, "TOKEN");
	assert_string_equal(cfg->rd_url, "https://rd.example/rest/1.0");
	assert_string_equal(cfg->rd_mount, "/mnt/rd");
	assert_int_equal(cfg->rd_rpm, 100);
	assert_int_equal(cfg->rd_max_attempts, 5);
	assert_int_equal(cfg->rd_retry_delay_s, 6 * 3600);
	assert_true(cfg->rd_broken_ratio_guard == 0.25);
	assert_int_equal(cfg->rd_check_interval_s, 0);
	assert_int_equal(cfg->rd_repair_account_errors, 0);
	assert_string_equal(cfg->rd_orphans, "delete");
	assert_int_equal(cfg->rd_orphan_grace_s, 2 * 86400);

	assert_string_equal(cfg->sonarr_url, "http://localhost:8989");
	assert_string_equal(cfg->sonarr_api_key, "sonarrkey");
	assert_int_equal(cfg->sonarr_search_on_failure, 1);
	assert_string_equal(cfg->radarr_url, "http://localhost:7878");
	assert_string_equal(cfg->radarr_api_key, "radarrkey");
	assert_int_equal(cfg->radarr_search_on_failure, 0);
	assert_string_equal(cfg->plex_url, "http://localhost:32400");
	assert_string_equal(cfg->plex_token, "plextoken");
	assert_string_equal(cfg->jellyfin_url, "http://localhost:8096");
	assert_string_equal(cfg->jellyfin_api_key, "jellykey");
	assert_string_equal(cfg->emby_url, "http://localhost:8097");
	assert_string_equal(cfg->emby_api_key, "embykey");
	assert_string_equal(cfg->notify_discord_webhook,
			    "https://discord.com/api/webhooks/1/x");
	assert_int_equal(cfg->notify_events.nr, 3);
	assert_string_equal(cfg->notify_events.items[2], "repair_failed");
	assert_int_equal(cfg->notify_discord_events.nr, 1);
	assert_string_equal(cfg->notify_slack_webhook,
			    "https://hooks.slack.com/services/T/B/x");
	assert_int_equal(cfg->notify_slack_events.nr, 0);
	assert_string_equal(cfg->notify_ntfy_url,
			    "https://ntfy.example/topic");
	assert_string_equal(cfg->notify_ntfy_token, "tk_abc");
	assert_int_equal(cfg->notify_ntfy_events.nr, 2);
	assert_string_equal(cfg->notify_ntfy_events.items[1], "new_volume");
	assert_string_equal(cfg->notify_webhook, "http://127.0.0.1:9/hook");
	assert_int_equal(cfg->notify_webhook_events.nr, 0);
	assert_int_equal(cfg->notify_retry_for_s, 7200);

	assert_int_equal(cfg->retention_attempts_s, 7 * 86400);
	assert_int_equal(cfg->retention_metrics_s, 14 * 86400);
	assert_int_equal(cfg->backup_interval_s, 12 * 3600);
	assert_int_equal(cfg->backups_kept, 3);
	assert_int_equal(cfg->cleanup_interval_s, 3600);
	assert_int_equal(cfg->analysis_enabled, 1);
	assert_int_equal(cfg->analysis_threads, 2);
	daemon = getpwnam("daemon");
	assert_non_null(daemon);
	assert_string_equal(cfg->analysis_user.name, "daemon");
	assert_int_equal(cfg->analysis_user.uid, daemon->pw_uid);
	assert_int_equal(cfg->analysis_user.gid, daemon->pw_gid);
}

static void test_full_config(void **state)
{
	struct config cfg;

	(void)state;
	assert_int_equal(load(&cfg, full_text), 0);
	assert_int_equal(config_finish(&cfg, err, sizeof(err)), 0);
	check_full_loop(&cfg);
	check_full_services(&cfg);
	config_release(&cfg);
}

/*
 * Roots are appended as read and canonical, so config_finish can drop the
 * same directory given twice under different spellings.
 */
static void test_repeated_roots(void **state)
{
	struct config cfg;
	char *a, *b;

	(void)state;
	assert_int_equal(load(&cfg,
		"[music]\nroot = @/music\nroot = @/manga/../lib\n"
		"[manga]\nroot = @/manga\n"
		"[music]\nroot = @//music/\n"), 0);
	a = expand("@/music");
	b = expand("@/lib");
	assert_int_equal(cfg.music_roots.nr, 3);
	assert_string_equal(cfg.music_roots.items[0], a);
	assert_string_equal(cfg.music_roots.items[1], b);
	assert_string_equal(cfg.music_roots.items[2], a);
	assert_int_equal(config_set_option(&cfg, "music", a, err,
					   sizeof(err)), 0);
	assert_int_equal(config_finish(&cfg, err, sizeof(err)), 0);
	assert_int_equal(cfg.music_roots.nr, 2);
	assert_string_equal(cfg.music_roots.items[0], a);
	assert_string_equal(cfg.music_roots.items[1], b);
	assert_int_equal(cfg.manga_roots.nr, 1);
	free(a);
	free(b);
	config_release(&cfg);
}

/* Nested roots would index the same files twice, in either order. */
static void test_nested_roots(void **state)
{
	static const char *const texts[] = {
		"[music]\nroot = @/music\nroot = @/music/sub\n",
		"[music]\nroot = @/music/sub\nroot = @/music\n",
	};
	struct config cfg;
	char *want;
	size_t i;

	(void)state;
	want = expand("music root '@/music/sub' is inside music root "
		      "'@/music'");
	for (i = 0; i < ARRAY_SIZE(texts); i++) {
		assert_int_equal(load(&cfg, texts[i]), 0);
		assert_int_equal(config_finish(&cfg, err, sizeof(err)),
				 -EINVAL);
		assert_string_equal(err, want);
		config_release(&cfg);
	}
	free(want);

	assert_int_equal(load(&cfg, "[music]\nroot = @/music\n"
			      "[manga]\nroot = @/music/sub\n"), 0);
	assert_int_equal(config_finish(&cfg, err, sizeof(err)), 0);
	config_release(&cfg);
}

/* Junk, signs and overflow must be refused, not read as a wrong delay. */
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

/* A typo in a name must stop the daemon, not be silently ignored. */
static void test_unknown_section_and_key(void **state)
{
	static const struct bad bad[] = {
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
	check_errors(bad, ARRAY_SIZE(bad));
}

/* Each type names what it expected, on the line of the bad value. */
/* Values each key refuses, with the line and the words of the error. */
static const struct bad bad_values[] = {
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
	check_errors(bad_values, ARRAY_SIZE(bad_values));
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
			assert_int_equal(load(&cfg, text.buf),
					 takes ? 0 : -EINVAL);
			config_release(&cfg);
			if (takes)
				strbuf_addf(&msg, ", %s", table[j].name);
		}
		strbuf_addstr(&msg, ", prowlarr");
		strbuf_reset(&text);
		strbuf_addf(&text, "[%s]\nclient = deluge\n", section);
		check_errors(&(struct bad){ text.buf, 2, msg.buf }, 1);
	}
	strbuf_release(&text);
	strbuf_release(&msg);
}

/* A root is checked when read, so its error names its line. */
static void test_bad_roots(void **state)
{
	static const struct bad bad[] = {
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
	check_errors(bad, ARRAY_SIZE(bad));
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
		assert_int_equal(load(&cfg, "[music]\nroot = @/locked\n"),
				 -EINVAL);
		assert_non_null(strstr(err, ":2: music root"));
		assert_non_null(strstr(err, ": Permission denied"));
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
	static const struct bad bad[] = {
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
	check_errors(bad, ARRAY_SIZE(bad));
}

/*
 * inih reports its own errors by line only; the first error must win,
 * whether it is inih's or ours.
 */
static void test_syntax_errors(void **state)
{
	static const struct bad bad[] = {
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
	check_errors(bad, ARRAY_SIZE(bad));

	snprintf(text, sizeof(text), "[general]\ndatabase = /%0900d\n"
		 "threads = 2\n", 0);
	assert_int_equal(load(&cfg, text), -EINVAL);
	assert_true(asprintf(&want, "%s:2: line is longer than ", conf) > 0);
	assert_memory_equal(err, want, strlen(want));
	assert_null(cfg.database);
	free(want);
	config_release(&cfg);
}

/*
 * A '#' or ';' at the start of a line or after a blank begins a comment,
 * as people write them after a value; one inside a word is part of it.
 */
static void test_comments(void **state)
{
	static const struct bad bad[] = {
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
	assert_int_equal(load(&cfg, "[general]  # the first\n"
			      "threads = 4          # scan workers\n"
			      "dry_run = no\t; act\n"
			      "# threads = 9\n"
			      "   ; poll_interval = 1\n"
			      "poll_interval = 1h\t# an hour\r\n"
			      "database = @/a#b;c.db # a '#' in a word\n"
			      "[prowlarr] ; the indexers\n"
			      "url = http://127.0.0.1:9696/#/x;y  # fragment\n"
			      "[release]\n"
			      "blocked_groups = A#1, B;2 ; two groups\n"), 0);
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
	check_errors(bad, ARRAY_SIZE(bad));
}

/* An empty file is valid, but the daemon still needs a root. */
static void test_empty_file(void **state)
{
	struct config cfg;

	(void)state;
	assert_int_equal(load(&cfg, ""), 0);
	assert_int_equal(config_finish(&cfg, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "no music or manga root configured, nor a "
			    "[realdebrid] mount and library (give -o "
			    "music=DIR or a config file)");
	config_release(&cfg);

	assert_int_equal(load(&cfg, "; only a comment\n[general]\n"), 0);
	config_release(&cfg);
}

/* The repairer alone needs no root, but it needs its mount and library. */
static void test_realdebrid_alone(void **state)
{
	struct config cfg;

	(void)state;
	assert_int_equal(load(&cfg, "[realdebrid]\nmount = /mnt/rd\n"
			      "library = @/lib\n"), 0);
	assert_int_equal(config_finish(&cfg, err, sizeof(err)), 0);
	assert_int_equal(cfg.music_roots.nr + cfg.manga_roots.nr, 0);
	assert_int_equal(cfg.rd_check_interval_s, 600);
	assert_int_equal(cfg.rd_repair_account_errors, 1);
	config_release(&cfg);

	assert_int_equal(load(&cfg, "[realdebrid]\nmount = /mnt/rd\n"), 0);
	assert_int_equal(config_finish(&cfg, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "no music or manga root configured"));
	config_release(&cfg);
	assert_int_equal(load(&cfg, "[realdebrid]\nlibrary = @/lib\n"), 0);
	assert_int_equal(config_finish(&cfg, err, sizeof(err)), -EINVAL);
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
		assert_int_equal(load(&cfg, text), 0);
		free(text);
		assert_int_equal(config_finish(&cfg, err, sizeof(err)),
				 -EINVAL);
		assert_non_null(strstr(err, "the folder of the database"));
		config_release(&cfg);
	}
	assert_int_equal(load(&cfg, "[realdebrid]\nmount = /mnt/rd\n"
			      "library = @/lib\n[retention]\n"
			      "backup_dir = far/away\n"), 0);
	assert_int_equal(config_finish(&cfg, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "not an absolute path"));
	config_release(&cfg);
	assert_int_equal(load(&cfg, "[general]\ndatabase = @/store/m.db\n"
			      "[realdebrid]\nmount = /mnt/rd\n"
			      "library = @/lib\n[retention]\n"
			      "backup_dir = @/store/backups/far\n"), 0);
	assert_int_equal(config_finish(&cfg, err, sizeof(err)), 0);
	config_release(&cfg);
}

/* A file that cannot be read has no line to name. */
static void test_unreadable_file(void **state)
{
	struct config cfg;
	char *path, *want;

	(void)state;
	path = expand("@/missing.conf");
	config_init(&cfg);
	assert_int_equal(config_load_file(&cfg, path, err, sizeof(err)),
			 -ENOENT);
	assert_true(asprintf(&want, "%s: No such file or directory",
			     path) > 0);
	assert_string_equal(err, want);
	free(want);
	free(path);

	path = expand("@/music");
	assert_int_equal(config_load_file(&cfg, path, err, sizeof(err)),
			 -EISDIR);
	assert_true(asprintf(&want, "%s: Is a directory", path) > 0);
	assert_string_equal(err, want);
	free(want);
	free(path);
	config_release(&cfg);
}

/* Error messages end up in logs, which must never hold a secret. */
static void test_secrets_not_echoed(void **state)
{
	static const struct bad bad[] = {
		{ "[notify]\ndiscord_webhook = hunter2\n", 2,
		  "bad value for discord_webhook in [notify]: expected an "
		  "http:// or https:// URL" },
		{ "[notify]\nntfy_url = hunter2\n", 2,
		  "bad value for ntfy_url in [notify]: expected an "
		  "http:// or https:// URL" },
		{ "[notify]\nslack_webhook = hunter2\n", 2,
		  "bad value for slack_webhook in [notify]: expected an "
		  "http:// or https:// URL" },
		{ "[notify]\nntfy_token = hunter2\nntfy_token = hunter2\n", 3,
		  "ntfy_token in [notify] was already given on line 2" },
		{ "[notify]\ndiscord_webhook = https://x/hunter2\n"
		  "discord_webhook = https://x/hunter2\n", 3,
		  "discord_webhook in [notify] was already given on line 2" },
		{ "[sonarr]\napi_key = hunter2\napi_key = hunter2\n", 3,
		  "api_key in [sonarr] was already given on line 2" },
		{ "[prowlarr]\napi_key = hunter2\n\napi_key = hunter2\n", 4,
		  "api_key in [prowlarr] was already given on line 2" },
		{ "[download]\npassword = hunter2\npassword = hunter2\n", 3,
		  "password in [download] was already given on line 2" },
		{ "[realdebrid]\napi_token = hunter2\napi_token = x\n", 3,
		  "api_token in [realdebrid] was already given on line 2" },
	};

	(void)state;
	check_errors(bad, ARRAY_SIZE(bad));
}

/* Reload the last file written by load() after giving it mode. */
static int reload_with_mode(struct config *cfg, mode_t mode)
{
	assert_int_equal(chmod(conf, mode), 0);
	config_release(cfg);
	config_init(cfg);
	err[0] = '\0';
	return config_load_file(cfg, conf, err, sizeof(err));
}

/* Every user of the machine may read a file with o+r, and the members of
 * its group one with g+r: one that holds a secret is refused, naming the
 * key and the fix, never the value. */
static void test_secret_file_readable_by_others(void **state)
{
	static const char *const secrets[] = {
		"[prowlarr]\napi_key = hunter2\n",
		"[download]\npassword = hunter2\n",
		"[usenet]\napi_key = hunter2\n",
		"[usenet]\npassword = hunter2\n",
		"[realdebrid]\napi_token = hunter2\n",
		"[sonarr]\napi_key = hunter2\n",
		"[radarr]\napi_key = hunter2\n",
		"[notify]\ndiscord_webhook = https://x/hunter2\n",
		"[download]\nurl = http://admin:hunter2@127.0.0.1:8080\n",
		"[sonarr]\nurl = http://h:8989/?apikey=hunter2\n",
		"[notify]\nslack_webhook = https://x/hunter2\n",
		"[notify]\nntfy_url = https://x/hunter2\n",
		"[notify]\nntfy_token = hunter2\n",
		"[notify]\nwebhook = https://x/hunter2\n",
	};
	static const struct {
		mode_t mode;
		const char *who;
	} modes[] = {
		{ 0604, "every user can read this file" },
		{ 0640, "its group can read this file" },
		{ 0620, "others have rights on this file" },
		{ 0601, "others have rights on this file" },
	};
	struct config cfg;
	char *want;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(secrets); i++) {
		assert_int_equal(load(&cfg, secrets[i]), 0);
		assert_int_equal(reload_with_mode(&cfg, 0400), 0);
		for (size_t m = 0; m < ARRAY_SIZE(modes); m++) {
			assert_int_equal(reload_with_mode(&cfg, modes[m].mode),
					 -EPERM);
			assert_null(strstr(err, "hunter2"));
			assert_true(asprintf(&want, "%s:2: %.*s in [%.*s] is a "
				"secret, but %s (mode %04o); run chmod 600 %s",
				conf,
				(int)strcspn(strchr(secrets[i], '\n') + 1,
					     " "),
				strchr(secrets[i], '\n') + 1,
				(int)(strchr(secrets[i], ']') - secrets[i] - 1),
				secrets[i] + 1, modes[m].who, modes[m].mode,
				conf) > 0);
			assert_string_equal(err, want);
			free(want);
		}
		config_release(&cfg);
	}
	/* no secret, or an empty one, is nothing to hide */
	assert_int_equal(load(&cfg, "[prowlarr]\nurl = http://x/?q=1\n"
			      "api_key =\n"), 0);
	assert_int_equal(reload_with_mode(&cfg, 0644), 0);
	config_release(&cfg);
}

/* A file others may write changes what the daemon does: refused even
 * when it holds no secret (another user's file: just below). */
static void test_file_others_may_change(void **state)
{
	struct config cfg;
	char *want;

	(void)state;
	assert_int_equal(load(&cfg, "[general]\nthreads = 2\n"), 0);
	assert_int_equal(reload_with_mode(&cfg, 0664), -EPERM);
	assert_true(asprintf(&want, "%s: its group can change this file (mode"
			     " 0664), and with it what the daemon does; run"
			     " chmod go-w %s", conf, conf) > 0);
	assert_string_equal(err, want);
	free(want);
	assert_int_equal(reload_with_mode(&cfg, 0646), -EPERM);
	assert_non_null(strstr(err, "every user can change this file"));
	assert_int_equal(reload_with_mode(&cfg, 0644), 0);
	config_release(&cfg);
}

/* The environment is the test's input here; put back what was there. */
static void set_env(const char *name, const char *value)
{
	if (value)
		assert_int_equal(setenv(name, value, 1), 0);
	else
		assert_int_equal(unsetenv(name), 0);
}

/* A file under the test's directory, holding text, with mode. */
static char *put_file(const char *name, const char *text, mode_t mode)
{
	char *path;
	FILE *f;

	assert_true(asprintf(&path, "%s/%s", tmpdir, name) > 0);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	assert_int_equal(chmod(path, mode), 0);
	return path;
}

/* A secret may come from a file its KEY_file line names, so the
 * configuration itself holds none: it may then be readable by all. */
static void test_secret_files(void **state)
{
	static const struct bad bad[] = {
		{ "[realdebrid]\napi_token = x\napi_token_file = @/tok\n", 3,
		  "api_token in [realdebrid] was already given on line 2" },
		{ "[realdebrid]\napi_token_file = @/none\n", 2,
		  "api_token_file in [realdebrid]: cannot read @/none: No such "
		  "file or directory" },
		{ "[realdebrid]\napi_token_file = @/lib\n", 2,
		  "api_token_file in [realdebrid]: @/lib is not a regular file" },
		{ "[sonarr]\napi_key_file = @/empty\n", 2,
		  "api_key_file in [sonarr]: @/empty is empty" },
		{ "[sonarr]\napi_key_file = @/two\n", 2,
		  "api_key_file in [sonarr]: @/two holds more than one line, or "
		  "control characters" },
		{ "[notify]\nwebhook_file = @/tok\n", 2,
		  "webhook_file in [notify]: bad value in @/tok: expected an "
		  "http:// or https:// URL" },
		{ "[realdebrid]\nurl_file = @/tok\n", 2,
		  "unknown key 'url_file' in [realdebrid]" },
		{ "[sonarr]\napi_key_file = @/link\n", 2,
		  "api_key_file in [sonarr]: @/link is a symbolic link, not"
		  " followed: name the file itself" },
	};
	struct config cfg;
	char *tok, *open_tok, *want, *path;

	(void)state;
	tok = put_file("tok", "RDTOKEN-from-file\n", 0600);
	free(put_file("empty", "\n", 0600));
	free(put_file("two", "hunter2\nhunter3\n", 0600));
	free(put_file("hook", "https://x.example/api/webhooks/1/h\r\n", 0400));
	assert_int_equal(load(&cfg, "[realdebrid]\napi_token_file = @/tok\n"
			      "[prowlarr]\napi_key_file = tok\n"
			      "[notify]\ndiscord_webhook_file = @/hook\n"), 0);
	assert_string_equal(cfg.rd_api_token, "RDTOKEN-from-file");
	/* a relative path is the configuration's folder's */
	assert_string_equal(cfg.prowlarr_api_key, "RDTOKEN-from-file");
	assert_string_equal(cfg.notify_discord_webhook,
			    "https://x.example/api/webhooks/1/h");
	/* no secret in the file itself: every user may read it */
	assert_int_equal(reload_with_mode(&cfg, 0644), 0);
	assert_string_equal(cfg.rd_api_token, "RDTOKEN-from-file");
	config_release(&cfg);

	path = expand("@/link");
	assert_int_equal(symlink(tok, path), 0);
	check_errors(bad, ARRAY_SIZE(bad));
	unlink(path);
	free(path);

	/* a secret file others may read is refused like a config */
	open_tok = put_file("open", "hunter2\n", 0644);
	assert_int_equal(load(&cfg, "[download]\npassword_file = @/open\n"),
			 -EPERM);
	assert_null(strstr(err, "hunter2"));
	path = expand("@/open");
	assert_true(asprintf(&want, "%s:2: password_file in [download]: %s "
			     "holds a secret, but every user can read this "
			     "file (mode 0644); run chmod 600 %s", conf, path,
			     path) > 0);
	assert_string_equal(err, want);
	free(want);
	config_release(&cfg);
	assert_int_equal(chmod(path, 0640), 0);
	assert_int_equal(load(&cfg, "[download]\npassword_file = @/open\n"),
			 -EPERM);
	assert_non_null(strstr(err, "its group can read this file (mode "
			       "0640)"));
	free(path);
	config_release(&cfg);
	unlink(open_tok);
	free(open_tok);
	free(tok);
}

/* systemd's credentials fill the secrets the files left unset. */
static void test_credentials(void **state)
{
	char *old = getenv("CREDENTIALS_DIRECTORY"), *dir;
	struct config cfg;

	(void)state;
	old = old ? strdup(old) : NULL;
	dir = expand("@/creds");
	assert_int_equal(mkdir(dir, 0700), 0);
	free(put_file("creds/realdebrid_api_token", "RDTOKEN-cred\n", 0400));
	free(put_file("creds/sonarr_api_key", "sonarr-cred", 0440));
	set_env("CREDENTIALS_DIRECTORY", dir);

	assert_int_equal(load(&cfg, "[music]\nroot = @/music\n"
			      "[sonarr]\napi_key = from-the-file\n"), 0);
	assert_int_equal(config_finish(&cfg, err, sizeof(err)), 0);
	assert_string_equal(cfg.rd_api_token, "RDTOKEN-cred");
	assert_string_equal(cfg.sonarr_api_key, "from-the-file");
	assert_null(cfg.prowlarr_api_key);
	config_release(&cfg);

	free(put_file("creds/notify_webhook", "hunter2\n", 0400));
	assert_int_equal(load(&cfg, "[music]\nroot = @/music\n"), 0);
	assert_int_equal(config_finish(&cfg, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "credential notify_webhook: expected an "
			    "http:// or https:// URL");
	config_release(&cfg);

	set_env("CREDENTIALS_DIRECTORY", old);
	free(old);
	free(dir);
}

/* A file another user owns is theirs to change: one that holds a secret
 * is refused even when no one else may read it (root only: others cannot
 * give a file away). */
static void test_secret_file_of_another_user(void **state)
{
	struct config cfg;
	char *want;

	(void)state;
	if (geteuid() != 0)
		skip();
	assert_int_equal(load(&cfg, "[prowlarr]\napi_key = hunter2\n"), 0);
	assert_int_equal(chown(conf, 65534, -1), 0);
	assert_int_equal(reload_with_mode(&cfg, 0600), -EPERM);
	assert_true(asprintf(&want, "%s:2: api_key in [prowlarr] is a secret,"
			     " but this file belongs to uid 65534, not to the"
			     " daemon's user (uid 0); run chown 0 %s", conf,
			     conf) > 0);
	assert_string_equal(err, want);
	free(want);
	config_release(&cfg);
	/* without a secret too (issue 32): it says what the daemon does */
	assert_int_equal(load(&cfg, "[general]\nthreads = 2\n"), 0);
	assert_int_equal(chown(conf, 65534, -1), 0);
	assert_int_equal(reload_with_mode(&cfg, 0644), -EPERM);
	assert_true(asprintf(&want, "%s: this file belongs to uid 65534, not"
			     " to the daemon's user (uid 0) or root, who alone"
			     " may change what the daemon does; run chown 0 %s",
			     conf, conf) > 0);
	assert_string_equal(err, want);
	free(want);
	assert_int_equal(chown(conf, 0, -1), 0);
	assert_int_equal(reload_with_mode(&cfg, 0644), 0);
	config_release(&cfg);
}

/* The short forms are checked like the file's keys. */
static void test_set_option(void **state)
{
	struct config cfg;
	char *music, *manga;

	(void)state;
	music = expand("@/music");
	manga = expand("@/manga");
	config_init(&cfg);
	assert_int_equal(chdir(tmpdir), 0);
	assert_int_equal(config_set_option(&cfg, "music", "music/sub/..",
					   err, sizeof(err)), 0);
	assert_int_equal(config_set_option(&cfg, "manga", manga, err,
					   sizeof(err)), 0);
	assert_int_equal(config_set_option(&cfg, "db", "/tmp/x.db", err,
					   sizeof(err)), 0);
	assert_int_equal(chdir("/"), 0);
	assert_int_equal(cfg.music_roots.nr, 1);
	assert_string_equal(cfg.music_roots.items[0], music);
	assert_string_equal(cfg.manga_roots.items[0], manga);
	assert_string_equal(cfg.database, "/tmp/x.db");

	assert_int_equal(config_set_option(&cfg, "music", "/nonexistent/x",
					   err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "option music=/nonexistent/x: not a readable "
			    "directory: No such file or directory");
	assert_int_equal(config_set_option(&cfg, "threads", "2", err,
					   sizeof(err)), -EINVAL);
	assert_string_equal(err, "unknown option 'threads'");
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
		set_env("XDG_STATE_HOME", cases[i].state);
		set_env("HOME", cases[i].home);
		config_init(&cfg);
		assert_int_equal(config_set_option(&cfg, "manga", tmpdir, err,
						   sizeof(err)), 0);
		assert_int_equal(config_finish(&cfg, err, sizeof(err)), 0);
		assert_string_equal(cfg.database, cases[i].database);
		assert_int_equal(cfg.threads, sysconf(_SC_NPROCESSORS_ONLN));
		config_release(&cfg);
	}
	set_env("XDG_STATE_HOME", old_state);
	set_env("HOME", old_home);
	free(old_state);
	free(old_home);

	assert_int_equal(load(&cfg, "[general]\nthreads = 3\n"
			      "[music]\nroot = @\n"), 0);
	assert_int_equal(config_finish(&cfg, err, sizeof(err)), 0);
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
	want = expand("@/xdg/mediamon/mediamon.conf");
	set_env("XDG_CONFIG_HOME", tmpdir);
	path = config_default_path();
	if (access("/etc/mediamon/mediamon.conf", F_OK))
		assert_null(path);
	else
		assert_string_equal(path, "/etc/mediamon/mediamon.conf");
	free(path);

	path = expand("@/xdg");
	set_env("XDG_CONFIG_HOME", path);
	free(path);
	path = config_default_path();
	assert_string_equal(path, want);
	free(path);
	free(want);
	set_env("XDG_CONFIG_HOME", old);
	free(old);
}

/* Roots must be real directories, so every test shares one tree. */
static int make_tree(void **state)
{
	static const char *const dirs[] = {
		"music", "music/sub", "manga", "lib", "locked", "xdg",
		"xdg/mediamon",
	};
	char path[sizeof(tmpdir) + 64];
	size_t i;
	FILE *f;

	(void)state;
	if (!mkdtemp(tmpdir))
		return -1;
	for (i = 0; i < ARRAY_SIZE(dirs); i++) {
		snprintf(path, sizeof(path), "%s/%s", tmpdir, dirs[i]);
		if (mkdir(path, 0700) < 0)
			return -1;
	}
	snprintf(path, sizeof(path), "%s/locked", tmpdir);
	chmod(path, 0);
	snprintf(path, sizeof(path), "%s/xdg/mediamon/mediamon.conf", tmpdir);
	f = fopen(path, "w");
	if (!f)
		return -1;
	fclose(f);
	snprintf(path, sizeof(path), "%s/afile", tmpdir);
	f = fopen(path, "w");
	if (!f)
		return -1;
	return fclose(f);
}

/* nftw visits children first, so plain remove() empties the tree. */
static int remove_entry(const char *path, const struct stat *st, int flag,
			struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/* Leave nothing behind in /tmp, even when a test fails. */
static int remove_tree(void **state)
{
	(void)state;
	return nftw(tmpdir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
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
		assert_int_equal(load(&cfg, text), 0);
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
	assert_int_equal(load(&cfg, "[manga]\nroot = @/manga\n"
			      "[monitor]\nauto_download = yes\n"
			      "search_sources = prowlarr\n"), 0);
	assert_int_equal(config_finish(&cfg, err, sizeof(err)), 0);
	assert_int_equal(cfg.missing_auto_download, 1);
	assert_int_equal(cfg.new_auto_download, 1);
	assert_int_equal(cfg.missing_search_sources.nr, 1);
	assert_string_equal(cfg.missing_search_sources.items[0], "prowlarr");
	assert_int_equal(cfg.new_search_sources.nr, 1);
	config_release(&cfg);

	assert_int_equal(load(&cfg, "[manga]\nroot = @/manga\n"
			      "[monitor]\nnew_auto_download = yes\n"
			      "missing_search_sources = catalog\n"
			      "new_search_sources = prowlarr, catalog\n"), 0);
	assert_int_equal(config_finish(&cfg, err, sizeof(err)), 0);
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
	assert_int_equal(load(&cfg, dump_conf), 0);
	assert_int_equal(config_finish(&cfg, err, sizeof(err)), 0);
	config_dump(&cfg, &first);
	config_release(&cfg);
	for (size_t i = 0; i < ARRAY_SIZE(secrets); i++)
		assert_null(strstr(first.buf, secrets[i]));
	want = expand("\n[music]\nroot = @/music\nroot = @/lib\n"
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
	want = expand("\npath_map = /data:@/lib\npath_map = /data/b:@/music/"
		      "sub\n# client_user =\n\n[usenet]\n");
	assert_non_null(strstr(first.buf, want));
	free(want);
	assert_non_null(strstr(first.buf, "\n[import]\nmode = move\ntemplate ="
			       " {volume:03} {series}.{ext}\n"));
	assert_non_null(strstr(first.buf, "\nmissing_search_sources ="
			       " prowlarr\n"));

	assert_int_equal(load(&cfg, first.buf), 0);
	assert_int_equal(config_finish(&cfg, err, sizeof(err)), 0);
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
		assert_int_equal(load(&cfg, ttl[i].text), 0);
		assert_int_equal(config_set_option(&cfg, "music", tmpdir, err,
						   sizeof(err)), 0);
		assert_int_equal(config_finish(&cfg, err, sizeof(err)), 0);
		assert_int_equal(cfg.cache_ttl_s, ttl[i].ttl);
		config_release(&cfg);
	}
	assert_int_equal(load(&cfg, "[release]\nlanguages = fr, en\n"
			      "blocked_groups = Bad Team, X\npacks = never\n"
			      "min_size_mb = 10\n"), 0);
	assert_int_equal(cfg.release_languages.nr, 2);
	assert_string_equal(cfg.release_blocked_groups.items[0], "Bad Team");
	assert_string_equal(cfg.release_packs, "never");
	assert_int_equal(cfg.release_min_size_mb, 10);
	config_release(&cfg);
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		assert_int_equal(load(&cfg, bad[i]), -EINVAL);
		config_release(&cfg);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_cache_and_release),
		cmocka_unit_test(test_bools),
		cmocka_unit_test(test_good_values),
		cmocka_unit_test(test_full_config),
		cmocka_unit_test(test_repeated_roots),
		cmocka_unit_test(test_nested_roots),
		cmocka_unit_test(test_durations),
		cmocka_unit_test(test_format_duration),
		cmocka_unit_test(test_unknown_section_and_key),
		cmocka_unit_test(test_bad_values),
		cmocka_unit_test(test_client_choices),
		cmocka_unit_test(test_bad_roots),
		cmocka_unit_test(test_unreadable_root),
		cmocka_unit_test(test_duplicate_keys),
		cmocka_unit_test(test_syntax_errors),
		cmocka_unit_test(test_comments),
		cmocka_unit_test(test_empty_file),
		cmocka_unit_test(test_realdebrid_alone),
		cmocka_unit_test(test_backup_dir),
		cmocka_unit_test(test_unreadable_file),
		cmocka_unit_test(test_secrets_not_echoed),
		cmocka_unit_test(test_secret_file_readable_by_others),
		cmocka_unit_test(test_file_others_may_change),
		cmocka_unit_test(test_secret_files),
		cmocka_unit_test(test_credentials),
		cmocka_unit_test(test_secret_file_of_another_user),
		cmocka_unit_test(test_set_option),
		cmocka_unit_test(test_finish_defaults),
		cmocka_unit_test(test_default_path),
		cmocka_unit_test(test_ratios),
		cmocka_unit_test(test_flow_settings),
		cmocka_unit_test(test_dump),
	};

	return cmocka_run_group_tests(tests, make_tree, remove_tree);
}
