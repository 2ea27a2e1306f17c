/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_CONFIG_H
#define MEDIAMON_CONFIG_H

/*
 * The daemon's configuration: an INI file parsed with inih, plus the short
 * forms given on the command line (-o music=DIR, -o manga=DIR, -o db=FILE).
 *
 * Every section and key of the configuration contract is known here and
 * checked when read, also those whose features come later, so a config
 * file written for the full daemon is accepted as it is. An unknown
 * section or key, a bad value, or a root that is not a readable directory
 * is an error naming the file and line; the daemon then does not start.
 *
 *	struct config cfg;
 *	char err[512];
 *	config_init(&cfg);
 *	if (config_load_file(&cfg, path, err, sizeof(err)) < 0 ||
 *	    config_set_option(&cfg, "music", "/srv/music", err,
 *			      sizeof(err)) < 0 ||
 *	    config_finish(&cfg, err, sizeof(err)) < 0)
 *		die(err);
 *	...
 *	config_release(&cfg);
 */

#include <stdbool.h>
#include <stddef.h>

#include "common/template.h"

struct strbuf;

/* The fields of [import] template, in this order: series, volume, ext. */
#define CONFIG_IMPORT_FIELDS 3
extern const struct template_field config_import_fields[CONFIG_IMPORT_FIELDS];

/* A list of strings, for the keys that may be repeated. */
struct config_list {
	char **items;
	size_t nr, alloc;
};

/* A user of the system, resolved when the configuration is read. */
struct config_user {
	char *name;
	unsigned uid, gid;
};

/* The manga sources, in the order of their table
 * (common/manga_sources.def): CONFIG_MANGA_NAME. */
enum config_manga {
#define MANGA_SOURCE(name, ...) CONFIG_MANGA_##name,
#include "common/manga_sources.def"
#undef MANGA_SOURCE
	CONFIG_MANGA_NR
};

/* The section of a manga source: its url and requests_per_minute, whose
 * defaults are its row's. */
struct config_manga_source {
	char *url;
	int rpm;
};

struct config {
	/* [general] */
	char *database;
	int database_shared_ok;		/* -o db_shared_ok: a shared folder */
	int threads;			/* 0 until config_finish: CPU count */
	int scan_io_depth;		/* files a scan opens ahead of its
					 * parsing threads; default 16 */
	char *log_level;		/* "debug", "info", "warn", "error" */
	int dry_run;			/* default 1 */
	long watch_debounce_ms;		/* default 200 */
	long poll_interval_s;		/* default 300 */
	int max_watches;		/* folders watched at most; default
					 * 0: half the kernel's limit per
					 * user, read at start */
	long keep_gone_s;		/* default 30 days: a gone track's
					 * rows are kept (gone.h), and a
					 * gone series' (manga_gone.h) */
	int max_open_per_user;		/* default 256: handles through the
					 * mount, per user but root and the
					 * daemon's own */
	int max_open_memory_per_user;	/* default 256 MiB: bytes the
					 * renderings and covers a user holds
					 * open keep in memory */
	int max_unpacks_per_user;	/* default 2: pages of archives a
					 * user's requests unpack at once */
	int max_unpacks;		/* default 5: those all users'
					 * requests unpack at once */

	struct config_list music_roots;
	int covers;			/* [music] covers, default 1 */
	int max_picture;		/* [music] max_picture, bytes of an
					 * embedded picture: 16 MiB */
	int music_follow_outside;	/* [music] follow_outside_symlinks */
	struct config_list manga_roots;
	int manga_follow_outside;	/* [manga] follow_outside_symlinks */
	int volume_from_chapters;	/* [manga] volume_from_chapters, 0 */
	long page_walk_cpu_ms;		/* [manga] page_walk_cpu, 10000 */
	char *manga_monitor;		/* [manga] monitor: "listed" (the
					 * default: the series of the
					 * monitored_root roots alone are
					 * searched) or "all" */
	struct config_list monitored_roots;	/* [manga] monitored_root */

	/* [monitor] */
	long auto_check_interval_s;	/* default 3600 */
	int missing_volumes, new_volumes;	/* default 1 */
	int search_enabled;		/* default 1 */
	int auto_download;		/* default 0 */
	struct config_list search_sources;	/* default catalog, prowlarr */
	/* Per flow (missing, new): the global keys above when not given. */
	int missing_auto_download, new_auto_download;
	struct config_list missing_search_sources, new_search_sources;
	long cache_ttl_s;		/* default twice the check interval,
					 * 2 h when that is 0 */
	int many_volumes;		/* default 20 */
	int max_series_per_check;	/* default 200, 0: no cap */
	char *edition;			/* default "fr" */
	struct config_list new_sources;	/* empty: chosen by the edition */

	/* [release]: the preferences of indexer/monitor/prefs.h */
	struct config_list release_languages, release_formats;
	struct config_list release_preferred_groups, release_blocked_groups;
	int release_min_seeders;	/* default 0 */
	int release_min_size_mb, release_max_size_mb;	/* 0: no bound */
	char *release_packs;		/* "last" (default), "first", "never" */

	/* [prowlarr] */
	char *prowlarr_url, *prowlarr_api_key;
	char *prowlarr_categories;	/* default "7000,7030" */
	char *prowlarr_indexer_ids;
	int prowlarr_rpm;		/* default 30 */
	struct config_user prowlarr_user;	/* Prowlarr's, on this machine,
						 * besides root and the
						 * daemon's */

	/* [NAME] of each manga source */
	struct config_manga_source manga_source[CONFIG_MANGA_NR];

	/* [catalog] */
	char *catalog_file;

	/* [download]: the torrent client (Prowlarr takes usenet too, unless
	 * [usenet] names a client) */
	char *download_client;		/* none, a torrent client of
					 * common/download_clients.def,
					 * prowlarr */
	char *download_url, *download_username, *download_password;
	char *download_category, *download_blackhole_dir;
	/* path_map: the clients' folders as this machine sees them, two
	 * items a mapping: REMOTE (normalized), then LOCAL (canonical) */
	struct config_list download_path_map;
	char *download_save_path;
	long download_poll_interval_s;	/* the tracker's, default 60 */
	long download_stall_timeout_s;	/* default 6 h */
	/* the user a client on this machine runs as, besides root, the
	 * daemon's and the save folder's owner (download.h) */
	struct config_user download_client_user;

	/* [usenet]: the usenet client */
	char *usenet_client;		/* none, a usenet client of
					 * common/download_clients.def,
					 * prowlarr */
	char *usenet_url, *usenet_api_key, *usenet_username;
	char *usenet_password, *usenet_category, *usenet_blackhole_dir;
	char *usenet_save_path;		/* where it saves: its DestDir */
	struct config_user usenet_client_user;

	/* [ed2k]: the client of ed2k links */
	char *ed2k_client;		/* none, amule */
	char *ed2k_host;		/* amuled's EC HOST:PORT */
	char *ed2k_password;		/* its EC password, plain */
	struct config_user ed2k_client_user;
	long ed2k_stall_timeout_s;	/* default 14 days, 0: never */

	/* [import]: completed downloads into the series folders */
	char *import_mode;		/* hardlink (default), copy, move */
	char *import_template;		/* "{series} T{volume:02}.{ext}" */
	int import_comicinfo;		/* a ComicInfo.xml into a .cbz without */

	/* [realdebrid] */
	char *rd_api_token, *rd_url, *rd_mount;
	/* [alldebrid], [premiumize]: the other debrid services (debrid.h) */
	char *ad_api_key, *ad_url;
	char *pm_api_key, *pm_url;
	/* each debrid service's user, when its url is on this machine */
	struct config_user rd_user, ad_user, pm_user;
	struct config_list rd_libraries;
	int rd_rpm;			/* default 200 */
	int rd_max_attempts;		/* default 3 */
	long rd_retry_delay_s;		/* default 10800 */
	long rd_download_timeout_s;	/* default 21600 */
	double rd_broken_ratio_guard;	/* default 0.5 */
	long rd_check_interval_s;	/* default 600; 0: on request only */
	int rd_repair_account_errors;	/* default 1 */
	char *rd_repair_mode;		/* "links", "quick", "full"; NULL:
					 * as repair_account_errors says */
	char *rd_orphans;		/* "keep", "list" (default), "delete" */
	long rd_orphan_grace_s;		/* default 86400 */

	/* [sonarr], [radarr] */
	char *sonarr_url, *sonarr_api_key;
	int sonarr_search_on_failure;	/* default 0 */
	char *radarr_url, *radarr_api_key;
	int radarr_search_on_failure;	/* default 0 */
	/* each service's user on this machine, besides root and the
	 * daemon's: only its listener is sent the secret */
	struct config_user sonarr_user, radarr_user;

	/* [plex], [jellyfin], [emby]: told of the paths a repair changed */
	char *plex_url, *plex_token;
	char *jellyfin_url, *jellyfin_api_key;
	char *emby_url, *emby_api_key;
	char *komga_url, *komga_api_key;	/* [komga]: told after imports */
	char *kavita_url, *kavita_api_key;	/* [kavita]: the same */
	struct config_user plex_user, jellyfin_user, emby_user;
	struct config_user komga_user, kavita_user;

	/* [notify]: the targets (common/notify_targets.h), each with the
	 * events it wants (notify_event_names), notify_events when its own
	 * list is empty */
	struct config_list notify_events;	/* default all */
	char *notify_discord_webhook;
	struct config_list notify_discord_events;
	char *notify_slack_webhook;
	struct config_list notify_slack_events;
	char *notify_ntfy_url, *notify_ntfy_token;
	struct config_list notify_ntfy_events;
	char *notify_webhook;		/* any receiver of a JSON POST */
	struct config_list notify_webhook_events;
	char *notify_telegram_url;	/* the Bot API's base */
	char *notify_telegram_token, *notify_telegram_chat;
	struct config_user notify_user;	/* a local target's */
	struct config_list notify_telegram_events;
	int notify_digest;		/* default 1 (digest.h) */
	double notify_error_rate;	/* default 0.05 */
	int notify_min_files_per_s;	/* 0: no scan_slow alert */
	long notify_retry_for_s;	/* default 1 d */

	/* [retention] */
	long retention_attempts_s;	/* default 30 d */
	long retention_metrics_s;	/* default 90 d */
	long backup_interval_s;		/* default 24 h */
	long cleanup_interval_s;	/* default 6 h; 0: on request only */
	int backups_kept;		/* default 7 */
	char *backup_dir;		/* NULL: only beside the database */
	int retention_scans;		/* default 1000: rows of the scan
					 * history kept */

	/* [http] */
	char *http_listen;		/* ADDRESS:PORT; NULL: no listener */
	char *http_htpasswd;		/* bcrypt accounts, a secret file */
	char *http_subsonic_passwords;	/* Subsonic tokens' passwords, a
					 * secret file */
	char *http_subsonic_api_keys;	/* Subsonic API keys, a secret
					 * file */
	int http_threads;		/* default 4; unused (a thread a
					 * connection, fs/http/http.c) */
	int http_max_connections;	/* default 256 */
	int http_max_per_address;	/* default 32 */
	int http_max_answers_per_account;	/* default 2: Subsonic answers
					 * in progress */
	long http_timeout_s;		/* idle or slow client; default 30 */
	struct config_list http_transcode_formats;	/* mp3, opus, aac */
	struct config_list http_transcode_bitrates;	/* CLIENT=KBPS */
	int http_max_transcodes;	/* default 2; 0: none */
	char *http_trusted_proxy;	/* its X-Forwarded-For is heard */
	struct config_user http_proxy_user;	/* the proxy's, on this
						 * machine */

	/* [analysis] */
	int analysis_enabled;		/* default 1 */
	int analysis_threads;		/* default 1 */
	struct config_user analysis_user;	/* mediamon-analyse, else
						 * no name: a uid of the
						 * child's own */

	/* [playlists] */
	int playlists_similar_tracks;	/* default 1000 */
};

/* The choices of [release] languages and formats, which the monitor's
 * preferences read from release titles. */
extern const char *const config_release_languages[];
/* The editions mediamon can follow ([monitor] edition and
 * /manga/SERIES/edition): the ones MangaDex translates into. */
extern const char *const config_editions[];
extern const char *const config_release_formats[];

/* Fill cfg with the defaults. */
void config_init(struct config *cfg);

/* Free everything cfg holds. */
void config_release(struct config *cfg);

/*
 * Read an INI file into cfg. On error returns a negative errno value and
 * writes "FILE:LINE: message" (or "FILE: message" when the file cannot be
 * opened) into err. A file that holds a secret (an api key, token,
 * password or webhook, or a URL with credentials: user:password@ or a
 * secret query parameter, redact_secret_param()) must belong to the
 * daemon's user (the effective uid) and give its group and others no
 * right (mode 0600 or less): else it is refused with -EPERM, the message
 * naming the key and the fix but never the value. Any configuration file
 * must belong to the daemon's user or root and be writable by no one else
 * (-EPERM, the message naming the fix).
 */
int config_load_file(struct config *cfg, const char *path,
		     char *err, size_t errlen);

/*
 * Whether the len bytes at name are the name of a key of some section: a
 * mount option "name=value" that names one is meant for the
 * configuration, which refuses it (config_set_option()), not the mount.
 */
bool config_names_key(const char *name, size_t len);

/*
 * Apply one command-line short form: "music", "manga" (each appends a
 * root), "db" or "db_shared_ok". On error returns -EINVAL with a message
 * naming the option: an unknown one too.
 */
int config_set_option(struct config *cfg, const char *key, const char *value,
		      char *err, size_t errlen);

/*
 * Check the whole: at least one music or manga root, or a [realdebrid]
 * mount and library (the repairer alone), defaults that depend on the
 * machine (threads, database path). Returns 0 or -EINVAL with err.
 */
int config_finish(struct config *cfg, char *err, size_t errlen);

/*
 * Parse a duration such as "90", "45s", "60m", "3h", "30d" into seconds.
 * A bare number is seconds. Returns 0 or -EINVAL.
 */
int config_parse_duration(const char *s, long *out);

/* Parse a whole number written in digits only (no sign, blank or
 * fraction) into *out. Returns 0 or -EINVAL. */
int config_parse_count(const char *s, long *out);

/*
 * Write seconds the way a user would: "5m", "2s", "3h", "1d" (the largest
 * unit that divides it), into buf.
 */
void config_format_duration(long seconds, char *buf, size_t len);

/*
 * Append the whole configuration to out as an INI file that config_load_file
 * reads back: every section and key in the order of the documentation,
 * defaults included, an unset key as a comment ("# url ="), each root on
 * its own line.
 * A secret that is set shows as "********", never its value, and so do
 * the credentials in a URL (redact()).
 */
void config_dump(const struct config *cfg, struct strbuf *out);

/*
 * The default configuration file: $XDG_CONFIG_HOME/mediamon/mediamon.conf
 * (or ~/.config/...) if it exists, else /etc/mediamon/mediamon.conf if it
 * exists, else NULL. The result is malloc'd.
 */
char *config_default_path(void);

#endif
