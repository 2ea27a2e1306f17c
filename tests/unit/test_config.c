/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The configuration file read (config.h): the defaults, booleans, every
 * key given a good value, a full file, roots repeated or nested, and the
 * manga sources' sections made from their table.
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
#include "common/config_table.h"
#include "common/strbuf.h"
#include "cfgload.h"

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
	assert_int_equal(cfg.manga_source[CONFIG_MANGA_nautiljon].rpm,
			 6);
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

	assert_int_equal(config_set_option(&cfg, "music", cfgload_dir,
					   CFGLOAD_ERR), 0);
	assert_int_equal(config_finish(&cfg, CFGLOAD_ERR), 0);
	assert_string_equal(cfg.log_level, "info");
	/* twice the check interval: every check finds the last one's */
	assert_int_equal(cfg.cache_ttl_s, 7200);
	assert_string_equal(cfg.release_packs, "last");
	assert_string_equal(cfg.rd_orphans, "list");
	assert_int_equal(cfg.search_sources.nr, 2);
	assert_string_equal(cfg.search_sources.items[0], "catalog");
	assert_string_equal(cfg.search_sources.items[1], "prowlarr");
	assert_string_equal(cfg.prowlarr_categories, "7000,7030");
	assert_string_equal(cfg.manga_source[CONFIG_MANGA_nautiljon].url,
			    "https://www.nautiljon.com");
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
		assert_int_equal(cfgload(&cfg, text), 0);
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
	assert_int_equal(cfgload(&cfg,
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

	assert_int_equal(cfgload(&cfg, "[general]\nwatch_debounce = 0\n"
				 "database =\n[monitor]\n"
				 "search_sources = prowlarr\n"), 0);
	assert_int_equal(cfg.watch_debounce_ms, 0);
	assert_null(cfg.database);
	assert_int_equal(cfg.search_sources.nr, 1);
	assert_string_equal(cfg.search_sources.items[0], "prowlarr");
	config_release(&cfg);

	assert_int_equal(cfgload(&cfg, "[general]\nwatch_debounce ="
				       " 150ms\n"), 0);
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
	path = cfgload_expand("@/music");
	assert_int_equal(cfg->music_roots.nr, 1);
	assert_string_equal(cfg->music_roots.items[0], path);
	assert_int_equal(cfg->rd_libraries.nr, 2);
	assert_string_equal(cfg->rd_libraries.items[1], path);
	free(path);
	path = cfgload_expand("@/manga");
	assert_int_equal(cfg->manga_roots.nr, 1);
	assert_string_equal(cfg->manga_roots.items[0], path);
	assert_int_equal(cfg->volume_from_chapters, 1);
	free(path);
	path = cfgload_expand("@/lib");
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
	assert_string_equal(cfg->manga_source[CONFIG_MANGA_nautiljon].url,
			    "http://127.0.0.1:8081");
	assert_int_equal(cfg->manga_source[CONFIG_MANGA_nautiljon].rpm, 2);
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
	assert_int_equal(cfgload(&cfg, full_text), 0);
	assert_int_equal(config_finish(&cfg, CFGLOAD_ERR), 0);
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
	assert_int_equal(cfgload(&cfg,
		"[music]\nroot = @/music\nroot = @/manga/../lib\n"
		"[manga]\nroot = @/manga\n"
		"[music]\nroot = @//music/\n"), 0);
	a = cfgload_expand("@/music");
	b = cfgload_expand("@/lib");
	assert_int_equal(cfg.music_roots.nr, 3);
	assert_string_equal(cfg.music_roots.items[0], a);
	assert_string_equal(cfg.music_roots.items[1], b);
	assert_string_equal(cfg.music_roots.items[2], a);
	assert_int_equal(config_set_option(&cfg, "music", a, CFGLOAD_ERR), 0);
	assert_int_equal(config_finish(&cfg, CFGLOAD_ERR), 0);
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
	want = cfgload_expand("music root '@/music/sub' is inside music root "
			      "'@/music'");
	for (i = 0; i < ARRAY_SIZE(texts); i++) {
		assert_int_equal(cfgload(&cfg, texts[i]), 0);
		assert_int_equal(config_finish(&cfg, CFGLOAD_ERR),
				 -EINVAL);
		assert_string_equal(cfgload_err, want);
		config_release(&cfg);
	}
	free(want);

	assert_int_equal(cfgload(&cfg, "[music]\nroot = @/music\n"
				 "[manga]\nroot = @/music/sub\n"), 0);
	assert_int_equal(config_finish(&cfg, CFGLOAD_ERR), 0);
	config_release(&cfg);
}
/* Each key's field is what its type's parser writes and its printer
 * reads: an int written into a long keeps the long's other bytes. */
static void test_key_fields_fit_types(void **state)
{
	(void)state;
	for (size_t i = 0; i < config_keys_nr; i++) {
		const struct key *k = &config_keys[i];
		size_t want;

		switch (k->type) {
		case T_LIST:
		case T_DIR:
		case T_MAP:
			want = sizeof(struct config_list);
			break;
		case T_BOOL:
		case T_INT:
			want = sizeof(int);
			break;
		case T_DURATION:
		case T_MSEC:
			want = sizeof(long);
			break;
		case T_RATIO:
			want = sizeof(double);
			break;
		case T_USER:
			want = sizeof(struct config_user);
			break;
		default:
			want = sizeof(char *);
		}
		if (k->size != want)
			fail_msg("[%s] %s: a field of %zu bytes for a type "
				 "of %zu", k->section, k->name, k->size, want);
	}
}

/* The keys of the manga sources' table (common/manga_sources.def):
 * rows, read here apart from the key table. */
static const struct {
	const char *name, *title, *url, *address;
	int rpm;
} manga_rows[] = {
#define MANGA_SOURCE(name, title, editions, rank, url, rpm, address) \
	{ #name, title, url, address, rpm },
#include "common/manga_sources.def"
#undef MANGA_SOURCE
};

/* The key section.name of the key table, or NULL. */
static const struct key *key_named(const char *section, const char *name,
				   size_t *at)
{
	for (size_t i = 0; i < config_keys_nr; i++)
		if (!strcmp(config_keys[i].section, section) &&
		    !strcmp(config_keys[i].name, name)) {
			*at = i;
			return &config_keys[i];
		}
	return NULL;
}

/* Each row of the sources' table is a section of two keys in the key
 * table, in the rows' order: url, with the row's default, its address
 * as help, then requests_per_minute, whose default config_init sets to
 * the row's; and the two are the fields of cfg->manga_source[] that
 * the configuration sets. */
static void test_manga_source_keys(void **state)
{
	struct config cfg;
	const struct key *url, *rpm;
	size_t k, n, at, next, last = 0;
	char help[120];

	(void)state;
	assert_true(ARRAY_SIZE(manga_rows) == CONFIG_MANGA_NR);
	assert_string_equal(manga_rows[CONFIG_MANGA_nautiljon].name,
			    "nautiljon");
	config_init(&cfg);
	for (k = 0; k < ARRAY_SIZE(manga_rows); k++) {
		url = key_named(manga_rows[k].name, "url", &at);
		rpm = key_named(manga_rows[k].name, "requests_per_minute",
				&next);
		assert_non_null(url);
		assert_non_null(rpm);
		assert_true(next == at + 1 && (!k || at > last));
		last = next;
		assert_int_equal(url->type, T_URL);
		assert_string_equal(url->def, manga_rows[k].url);
		assert_string_equal(url->help, manga_rows[k].address);
		assert_true(url->offset == offsetof(struct config,
						    manga_source[k].url));
		assert_int_equal(rpm->type, T_INT);
		assert_true(rpm->offset == offsetof(struct config,
						    manga_source[k].rpm));
		assert_true(rpm->min == 1 && rpm->max == 10000);
		snprintf(help, sizeof(help), "The most requests a minute to"
			 " %s.", manga_rows[k].title);
		assert_string_equal(rpm->help, help);
		assert_int_equal(cfg.manga_source[k].rpm, manga_rows[k].rpm);
		for (n = 0, at = 0; at < config_keys_nr; at++)
			n += !strcmp(config_keys[at].section,
				     manga_rows[k].name);
		assert_int_equal(n, 2);
	}
	assert_int_equal(config_set_option(&cfg, "music", cfgload_dir,
					   CFGLOAD_ERR), 0);
	assert_int_equal(config_finish(&cfg, CFGLOAD_ERR), 0);
	for (k = 0; k < ARRAY_SIZE(manga_rows); k++)
		assert_string_equal(cfg.manga_source[k].url,
				    manga_rows[k].url);
	config_release(&cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_key_fields_fit_types),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_bools),
		cmocka_unit_test(test_good_values),
		cmocka_unit_test(test_full_config),
		cmocka_unit_test(test_repeated_roots),
		cmocka_unit_test(test_nested_roots),
		cmocka_unit_test(test_manga_source_keys),
	};

	return cmocka_run_group_tests(tests, cfgload_setup, cfgload_teardown);
}
