/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The configuration's key table: every section and key, its type, range,
 * choices, default and help (the rows are config_keys.def), and the
 * defaults config_init sets. The parser, the checks, the printer and
 * tools/mediamon-docs (the documents' lists) all walk this table; a key
 * is added here and nowhere else. No parsing, no I/O.
 */

#include <limits.h>
#include <stdlib.h>

#include "common/bytes.h"
#include "common/config_table.h"
#include "common/manga_sources.h"
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
#define MANGA_SOURCE(name, title, editions, rank, ...) #name,
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
static const char *const transcode_formats[] = {
	"mp3", "opus", "aac", NULL
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
#include "common/config_keys.def"
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
		.max_unpacks_per_user = 2,
		.max_unpacks = 5,
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
#define MANGA_SOURCE(name, title, editions, rank, url, def_rpm, ...) \
		.manga_source[CONFIG_MANGA_##name].rpm = def_rpm,
#include "common/manga_sources.def"
#undef MANGA_SOURCE
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
		.http_max_answers_per_account = 2,
		.http_max_transcodes = 2,
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
