/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The configuration's key table: every section and key, its type, range,
 * choices and default, and the defaults config_init sets. The parser, the
 * checks and the printer all walk this table; a key is added here (and
 * documented in mediamon.conf(5) and mediamon.conf.example) and nowhere
 * else. No parsing, no I/O.
 */

#include <limits.h>
#include <stdlib.h>

#include "common/bytes.h"
#include "common/config_table.h"
#include "common/notify.h"

static const char *const levels[] = {
	"debug", "info", "warn", "error", NULL
};

/*
 * The choices of [download] client and [usenet] client: "none", the
 * clients of the section's protocol or of either, in the order of the
 * clients' table (common/download_clients.def), then "prowlarr" (a grab).
 * An ed2k client is in none of them.
 */
#define DOWNLOAD_CLIENT(name, protocol) CLIENT_##protocol(#name)
#define CLIENT_either(name) name,
#define CLIENT_torrent(name) name,
#define CLIENT_usenet(name)
#define CLIENT_ed2k(name)
static const char *const clients[] = {
	"none",
#include "common/download_clients.def"
	"prowlarr", NULL
};
#undef CLIENT_torrent
#undef CLIENT_usenet
#define CLIENT_torrent(name)
#define CLIENT_usenet(name) name,
static const char *const usenet_clients[] = {
	"none",
#include "common/download_clients.def"
	"prowlarr", NULL
};
#undef CLIENT_either
#undef CLIENT_usenet
#undef CLIENT_ed2k
#define CLIENT_either(name)
#define CLIENT_usenet(name)
#define CLIENT_ed2k(name) name,
/* [ed2k] client: "none" and the ed2k clients of the table. */
static const char *const ed2k_clients[] = {
	"none",
#include "common/download_clients.def"
	NULL
};
#undef CLIENT_either
#undef CLIENT_torrent
#undef CLIENT_usenet
#undef CLIENT_ed2k
#undef DOWNLOAD_CLIENT

static const char *const sources[] = {
	"catalog", "prowlarr", NULL
};
/* [monitor] new_sources: the manga sources' table's names. */
#define MANGA_SOURCE(name, title, editions, rank) #name,
static const char *const count_sources[] = {
#include "common/manga_sources.def"
	NULL
};
#undef MANGA_SOURCE
const char *const config_editions[] = {
	"fr", "en", "ja", "ko", "zh", "es", "es-la", "pt-br", "de", "it",
	NULL
};
static const char *const import_modes[] = {
	"hardlink", "copy", "move", NULL
};

const struct template_field config_import_fields[CONFIG_IMPORT_FIELDS] = {
	{ "series", 0, 0 }, { "volume", 1, 1 }, { "ext", 0, 1 },
};

const char *const config_release_languages[] = {
	"fr", "en", "es", "de", "it", "ja", NULL
};
const char *const config_release_formats[] = {
	"cbz", "cbr", "cb7", "pdf", "epub", NULL
};
static const char *const orphans[] = {
	"keep", "list", "delete", NULL
};

static const char *const repair_modes[] = {
	"links", "quick", "full", NULL
};

static const char *const monitor_scopes[] = {
	"listed", "all", NULL
};

static const char *const packs[] = {
	"last", "first", "never", NULL
};

const struct key config_keys[] = {
	{ "general", "database", T_STRING, O(database) },
	{ "general", "database_shared_ok", T_BOOL, O(database_shared_ok) },
	{ "general", "threads", T_INT, O(threads), 1, 256 },
	{ "general", "scan_io_depth", T_INT, O(scan_io_depth), 1, 256 },
	{ "general", "log_level", T_ENUM, O(log_level), .choices = levels,
	  .def = "info" },
	{ "general", "dry_run", T_BOOL, O(dry_run) },
	{ "general", "watch_debounce", T_MSEC, O(watch_debounce_ms),
	  0, 60000 },
	{ "general", "poll_interval", T_DURATION, O(poll_interval_s),
	  1, LONG_MAX },
	{ "general", "max_watches", T_INT, O(max_watches), 0, INT_MAX },
	{ "general", "keep_gone", T_DURATION, O(keep_gone_s), 0, LONG_MAX },
	{ "general", "max_open_per_user", T_INT, O(max_open_per_user),
	  1, 1000000 },
	{ "general", "max_open_memory_per_user", T_INT,
	  O(max_open_memory_per_user), 1 << 20, INT_MAX },
	{ "music", "root", T_DIR, O(music_roots), .flags = REPEAT },
	{ "music", "covers", T_BOOL, O(covers) },
	{ "music", "max_picture", T_INT, O(max_picture), 1024, 1 << 30 },
	{ "music", "follow_outside_symlinks", T_BOOL,
	  O(music_follow_outside) },
	{ "manga", "root", T_DIR, O(manga_roots), .flags = REPEAT },
	{ "manga", "follow_outside_symlinks", T_BOOL,
	  O(manga_follow_outside) },
	{ "manga", "volume_from_chapters", T_BOOL, O(volume_from_chapters) },
	{ "manga", "page_walk_cpu", T_MSEC, O(page_walk_cpu_ms), 1, 60000 },
	{ "manga", "monitor", T_ENUM, O(manga_monitor),
	  .choices = monitor_scopes, .def = "listed" },
	{ "manga", "monitored_root", T_DIR, O(monitored_roots),
	  .flags = REPEAT },
	{ "monitor", "auto_check_interval", T_DURATION,
	  O(auto_check_interval_s), 0, LONG_MAX },
	{ "monitor", "missing_volumes", T_BOOL, O(missing_volumes) },
	{ "monitor", "new_volumes", T_BOOL, O(new_volumes) },
	{ "monitor", "search_enabled", T_BOOL, O(search_enabled) },
	{ "monitor", "auto_download", T_BOOL, O(auto_download) },
	{ "monitor", "search_sources", T_LIST, O(search_sources),
	  .choices = sources, .def = "catalog, prowlarr" },
	{ "monitor", "missing_search_sources", T_LIST,
	  O(missing_search_sources), .choices = sources },
	{ "monitor", "new_search_sources", T_LIST, O(new_search_sources),
	  .choices = sources },
	{ "monitor", "missing_auto_download", T_BOOL,
	  O(missing_auto_download) },
	{ "monitor", "new_auto_download", T_BOOL, O(new_auto_download) },
	{ "monitor", "cache_ttl", T_DURATION, O(cache_ttl_s),
	  0, LONG_MAX },
	{ "monitor", "many_volumes", T_INT, O(many_volumes), 1, 10000 },
	{ "monitor", "max_series_per_check", T_INT, O(max_series_per_check),
	  0, 1000000 },
	{ "monitor", "edition", T_ENUM, O(edition),
	  .choices = config_editions,
	  .def = "fr" },
	{ "monitor", "new_sources", T_LIST, O(new_sources),
	  .choices = count_sources },
	{ "release", "languages", T_LIST, O(release_languages),
	  .choices = config_release_languages },
	{ "release", "formats", T_LIST, O(release_formats),
	  .choices = config_release_formats },
	{ "release", "preferred_groups", T_LIST,
	  O(release_preferred_groups) },
	{ "release", "blocked_groups", T_LIST, O(release_blocked_groups) },
	{ "release", "min_seeders", T_INT, O(release_min_seeders),
	  0, 1000000 },
	{ "release", "min_size_mb", T_INT, O(release_min_size_mb),
	  0, 10000000 },
	{ "release", "max_size_mb", T_INT, O(release_max_size_mb),
	  0, 10000000 },
	{ "release", "packs", T_ENUM, O(release_packs), .choices = packs,
	  .def = "last" },
	{ "prowlarr", "url", T_URL, O(prowlarr_url) },
	{ "prowlarr", "api_key", T_STRING, O(prowlarr_api_key),
	  .flags = SECRET },
	{ "prowlarr", "categories", T_IDS, O(prowlarr_categories),
	  .def = "7000,7030" },
	{ "prowlarr", "indexer_ids", T_IDS, O(prowlarr_indexer_ids) },
	{ "prowlarr", "requests_per_minute", T_INT, O(prowlarr_rpm),
	  1, 10000 },
	{ "nautiljon", "url", T_URL, O(nautiljon_url),
	  .def = "https://www.nautiljon.com" },
	{ "nautiljon", "requests_per_minute", T_INT, O(nautiljon_rpm),
	  1, 10000 },
	{ "mangadex", "url", T_URL, O(mangadex_url),
	  .def = "https://api.mangadex.org" },
	{ "mangadex", "requests_per_minute", T_INT, O(mangadex_rpm),
	  1, 10000 },
	{ "mangaupdates", "url", T_URL, O(mangaupdates_url),
	  .def = "https://api.mangaupdates.com" },
	{ "mangaupdates", "requests_per_minute", T_INT, O(mangaupdates_rpm),
	  1, 10000 },
	{ "anilist", "url", T_URL, O(anilist_url),
	  .def = "https://graphql.anilist.co" },
	{ "anilist", "requests_per_minute", T_INT, O(anilist_rpm),
	  1, 10000 },
	{ "catalog", "file", T_STRING, O(catalog_file) },
	{ "download", "client", T_ENUM, O(download_client), .choices = clients,
	  .def = "none" },
	{ "download", "url", T_URL, O(download_url) },
	{ "download", "username", T_STRING, O(download_username) },
	{ "download", "password", T_STRING, O(download_password),
	  .flags = SECRET },
	{ "download", "category", T_STRING, O(download_category) },
	{ "download", "save_path", T_STRING, O(download_save_path) },
	{ "download", "poll_interval", T_DURATION,
	  O(download_poll_interval_s), 1, 86400 },
	{ "download", "stall_timeout", T_DURATION,
	  O(download_stall_timeout_s), 60, 30 * 86400 },
	{ "download", "blackhole_dir", T_STRING,
	  O(download_blackhole_dir) },
	{ "download", "path_map", T_MAP, O(download_path_map),
	  .flags = REPEAT },
	{ "usenet", "client", T_ENUM, O(usenet_client),
	  .choices = usenet_clients, .def = "none" },
	{ "usenet", "url", T_URL, O(usenet_url) },
	{ "usenet", "api_key", T_STRING, O(usenet_api_key),
	  .flags = SECRET },
	{ "usenet", "username", T_STRING, O(usenet_username) },
	{ "usenet", "password", T_STRING, O(usenet_password),
	  .flags = SECRET },
	{ "usenet", "category", T_STRING, O(usenet_category) },
	{ "usenet", "save_path", T_STRING, O(usenet_save_path) },
	{ "usenet", "blackhole_dir", T_STRING, O(usenet_blackhole_dir) },
	{ "ed2k", "client", T_ENUM, O(ed2k_client), .choices = ed2k_clients,
	  .def = "none" },
	{ "ed2k", "host", T_STRING, O(ed2k_host), .def = "127.0.0.1:4712" },
	{ "ed2k", "password", T_STRING, O(ed2k_password), .flags = SECRET },
	{ "ed2k", "stall_timeout", T_DURATION, O(ed2k_stall_timeout_s),
	  0, 365 * 86400 },
	{ "import", "mode", T_ENUM, O(import_mode), .choices = import_modes,
	  .def = "hardlink" },
	{ "import", "template", T_TEMPLATE, O(import_template),
	  .def = "{series} T{volume:02}.{ext}" },
	{ "import", "comicinfo", T_BOOL, O(import_comicinfo) },
	{ "realdebrid", "api_token", T_STRING, O(rd_api_token),
	  .flags = SECRET },
	{ "realdebrid", "url", T_URL, O(rd_url),
	  .def = "https://api.real-debrid.com/rest/1.0" },
	{ "realdebrid", "mount", T_STRING, O(rd_mount) },
	{ "realdebrid", "library", T_DIR, O(rd_libraries),
	  .flags = REPEAT },
	{ "realdebrid", "requests_per_minute", T_INT, O(rd_rpm),
	  1, 10000 },
	{ "realdebrid", "max_attempts", T_INT, O(rd_max_attempts),
	  1, 100 },
	{ "realdebrid", "retry_delay", T_DURATION, O(rd_retry_delay_s),
	  0, LONG_MAX },
	{ "realdebrid", "download_timeout", T_DURATION,
	  O(rd_download_timeout_s), 1, LONG_MAX },
	{ "realdebrid", "broken_ratio_guard", T_RATIO,
	  O(rd_broken_ratio_guard) },
	{ "realdebrid", "check_interval", T_DURATION, O(rd_check_interval_s),
	  0, LONG_MAX },
	{ "realdebrid", "repair_account_errors", T_BOOL,
	  O(rd_repair_account_errors) },
	{ "realdebrid", "repair_mode", T_ENUM, O(rd_repair_mode),
	  .choices = repair_modes },
	{ "realdebrid", "orphans", T_ENUM, O(rd_orphans), .choices = orphans,
	  .def = "list" },
	{ "realdebrid", "orphan_grace", T_DURATION, O(rd_orphan_grace_s),
	  0, LONG_MAX },
	{ "alldebrid", "api_key", T_STRING, O(ad_api_key), .flags = SECRET },
	{ "alldebrid", "url", T_URL, O(ad_url) },
	{ "premiumize", "api_key", T_STRING, O(pm_api_key), .flags = SECRET },
	{ "premiumize", "url", T_URL, O(pm_url) },
	{ "sonarr", "url", T_URL, O(sonarr_url) },
	{ "sonarr", "api_key", T_STRING, O(sonarr_api_key),
	  .flags = SECRET },
	{ "sonarr", "search_on_failure", T_BOOL,
	  O(sonarr_search_on_failure) },
	{ "radarr", "url", T_URL, O(radarr_url) },
	{ "radarr", "api_key", T_STRING, O(radarr_api_key),
	  .flags = SECRET },
	{ "radarr", "search_on_failure", T_BOOL,
	  O(radarr_search_on_failure) },
	{ "plex", "url", T_URL, O(plex_url) },
	{ "plex", "token", T_STRING, O(plex_token), .flags = SECRET },
	{ "jellyfin", "url", T_URL, O(jellyfin_url) },
	{ "jellyfin", "api_key", T_STRING, O(jellyfin_api_key),
	  .flags = SECRET },
	{ "komga", "url", T_URL, O(komga_url) },
	{ "komga", "api_key", T_STRING, O(komga_api_key), .flags = SECRET },
	{ "kavita", "url", T_URL, O(kavita_url) },
	{ "kavita", "api_key", T_STRING, O(kavita_api_key), .flags = SECRET },
	{ "emby", "url", T_URL, O(emby_url) },
	{ "emby", "api_key", T_STRING, O(emby_api_key), .flags = SECRET },
	{ "notify", "events", T_LIST, O(notify_events),
	  .choices = notify_event_names, .def = "all" },
	{ "notify", "discord_webhook", T_URL, O(notify_discord_webhook),
	  .flags = SECRET },
	{ "notify", "discord_events", T_LIST, O(notify_discord_events),
	  .choices = notify_event_names },
	{ "notify", "slack_webhook", T_URL, O(notify_slack_webhook),
	  .flags = SECRET },
	{ "notify", "slack_events", T_LIST, O(notify_slack_events),
	  .choices = notify_event_names },
	{ "notify", "ntfy_url", T_URL, O(notify_ntfy_url), .flags = SECRET },
	{ "notify", "ntfy_token", T_STRING, O(notify_ntfy_token),
	  .flags = SECRET },
	{ "notify", "ntfy_events", T_LIST, O(notify_ntfy_events),
	  .choices = notify_event_names },
	{ "notify", "webhook", T_URL, O(notify_webhook), .flags = SECRET },
	{ "notify", "webhook_events", T_LIST, O(notify_webhook_events),
	  .choices = notify_event_names },
	{ "notify", "telegram_token", T_STRING, O(notify_telegram_token),
	  .flags = SECRET },
	{ "notify", "telegram_chat", T_STRING, O(notify_telegram_chat) },
	{ "notify", "telegram_events", T_LIST, O(notify_telegram_events),
	  .choices = notify_event_names },
	{ "notify", "telegram_url", T_URL, O(notify_telegram_url),
	  .def = "https://api.telegram.org" },
	{ "notify", "digest", T_BOOL, O(notify_digest) },
	{ "notify", "error_rate", T_RATIO, O(notify_error_rate) },
	{ "notify", "min_files_per_s", T_INT, O(notify_min_files_per_s),
	  0, 1000000 },
	{ "notify", "retry_for", T_DURATION, O(notify_retry_for_s),
	  1, LONG_MAX },
	{ "retention", "attempts", T_DURATION, O(retention_attempts_s),
	  1, LONG_MAX },
	{ "retention", "metrics", T_DURATION, O(retention_metrics_s),
	  1, LONG_MAX },
	{ "retention", "backup_interval", T_DURATION, O(backup_interval_s),
	  0, LONG_MAX },
	{ "retention", "backups_kept", T_INT, O(backups_kept),
	  1, 1000 },
	{ "retention", "backup_dir", T_STRING, O(backup_dir) },
	{ "retention", "cleanup_interval", T_DURATION, O(cleanup_interval_s),
	  0, LONG_MAX },
	{ "retention", "scans", T_INT, O(retention_scans), 1, 1000000 },
	{ "http", "listen", T_STRING, O(http_listen) },
	{ "http", "htpasswd", T_STRING, O(http_htpasswd) },
	{ "http", "threads", T_INT, O(http_threads), 1, 64 },
	{ "http", "max_connections", T_INT, O(http_max_connections),
	  1, 100000 },
	{ "http", "max_connections_per_address", T_INT,
	  O(http_max_per_address), 1, 100000 },
	{ "http", "timeout", T_DURATION, O(http_timeout_s), 1, 3600 },
	{ "http", "trusted_proxy", T_STRING, O(http_trusted_proxy) },
	{ "http", "subsonic_passwords", T_STRING,
	  O(http_subsonic_passwords) },
	{ "http", "subsonic_api_keys", T_STRING,
	  O(http_subsonic_api_keys) },
	{ "analysis", "enabled", T_BOOL, O(analysis_enabled) },
	{ "analysis", "threads", T_INT, O(analysis_threads), 1, 256 },
	{ "analysis", "user", T_USER, O(analysis_user),
	  .def = "mediamon-analyse", .own_uid = 1 },
	{ "playlists", "similar_tracks", T_INT, O(playlists_similar_tracks),
	  0, 1000000 },
};

const size_t config_keys_nr = ARRAY_SIZE(config_keys);
_Static_assert(ARRAY_SIZE(config_keys) <= CONFIG_KEYS_MAX,
	       "CONFIG_KEYS_MAX is below the number of keys");

/*
 * This cannot fail, so it sets only what needs no allocation; config_finish
 * fills in the string and list defaults that the file left unset.
 */
void config_init(struct config *cfg)
{
	*cfg = (struct config) {
		.dry_run = 1,
		.covers = 1,
		.watch_debounce_ms = 200,
		.poll_interval_s = 300,
		.keep_gone_s = 30 * 86400,
		.download_poll_interval_s = 60,
		.download_stall_timeout_s = 6 * 3600,
		.ed2k_stall_timeout_s = 14 * 86400,
		.max_open_per_user = 256,
		.max_open_memory_per_user = 256 << 20,
		.max_picture = 16 << 20,
		.page_walk_cpu_ms = 10000,
		.auto_check_interval_s = 3600,
		.missing_volumes = 1,
		.new_volumes = 1,
		.search_enabled = 1,
		.missing_auto_download = -1,
		.new_auto_download = -1,
		.cache_ttl_s = -1,
		.many_volumes = 20,
		.max_series_per_check = 200,
		.prowlarr_rpm = 30,
		.nautiljon_rpm = 6,
		.mangadex_rpm = 20,
		.mangaupdates_rpm = 20,
		.anilist_rpm = 30,
		.rd_rpm = 200,
		.rd_max_attempts = 3,
		.rd_retry_delay_s = 3 * 3600,
		.rd_download_timeout_s = 6 * 3600,
		.rd_broken_ratio_guard = 0.5,
		.rd_check_interval_s = 600,
		.rd_repair_account_errors = 1,
		.rd_orphan_grace_s = 86400,
		.notify_digest = 1,
		.notify_error_rate = 0.05,
		.notify_retry_for_s = 86400,
		.retention_attempts_s = 30 * 86400,
		.retention_metrics_s = 90 * 86400,
		.backup_interval_s = 24 * 3600,
		.backups_kept = 7,
		.cleanup_interval_s = 6 * 3600,
		.retention_scans = 1000,
		.analysis_enabled = 1,
		.analysis_threads = 1,
		.playlists_similar_tracks = 1000,
		.scan_io_depth = 16,
		.http_threads = 4,
		.http_max_connections = 256,
		.http_max_per_address = 32,
		.http_timeout_s = 30,
	};
}

/* Walks the key table, so a new string or list key is freed with no edit. */
void config_release(struct config *cfg)
{
	size_t i;
	void *field;

	for (i = 0; i < config_keys_nr; i++) {
		field = (char *)cfg + config_keys[i].offset;
		if (config_keys[i].type >= T_LIST &&
		    config_keys[i].type <= T_MAP)
			config_list_free(field);
		else if (config_keys[i].type == T_USER)
			free(((struct config_user *)field)->name);
		else if (config_keys[i].type <= T_TEMPLATE)
			free(*(char **)field);
	}
	*cfg = (struct config) { 0 };
}
