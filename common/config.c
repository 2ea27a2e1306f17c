/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "common/config.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <ini.h>
#include <limits.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/bytes.h"
#include "common/http.h"
#include "common/notify.h"
#include "common/path.h"
#include "common/strbuf.h"
#include "common/template.h"

#define O(field) .offset = offsetof(struct config, field)
#define SYSTEM_CONF "/etc/mediamon/mediamon.conf"
#define SECRET_MAX 4096		/* bytes of a secret read from a file */

/* The first five are kept as char *, the next three as struct
 * config_list. */
enum type {
	T_STRING,
	T_URL,
	T_ENUM,
	T_IDS,		/* comma-separated integers, kept as one string */
	T_TEMPLATE,	/* a file name template (common/template.h) */
	T_LIST,		/* comma-separated, given once */
	T_DIR,		/* a readable directory, appended to a list */
	T_MAP,		/* REMOTE:LOCAL, appended to a list as two items */
	T_BOOL,
	T_INT,
	T_DURATION,	/* seconds */
	T_MSEC,		/* milliseconds: "200", "200ms" or "2s" */
	T_RATIO,
	T_USER,		/* a user of the system, kept as struct config_user */
};

#define REPEAT 1
#define SECRET 2

struct key {
	const char *section, *name;
	enum type type;
	size_t offset;
	long min, max;		/* range of T_INT, T_DURATION and T_MSEC */
	const char *const *choices;
	const char *def;	/* an allocated default, set by config_finish */
	int flags;
};

static const char *const levels[] = {
	"debug", "info", "warn", "error", NULL
};
static const char *const clients[] = {
	"none", "qbittorrent", "transmission", "prowlarr", "blackhole", NULL
};
static const char *const usenet_clients[] = {
	"none", "sabnzbd", "nzbget", "prowlarr", "blackhole", NULL
};
static const char *const sources[] = {
	"catalog", "prowlarr", NULL
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

static const char *const packs[] = {
	"last", "first", "never", NULL
};

static const struct key keys[] = {
	{ "general", "database", T_STRING, O(database) },
	{ "general", "threads", T_INT, O(threads), 1, 256 },
	{ "general", "log_level", T_ENUM, O(log_level), .choices = levels,
	  .def = "info" },
	{ "general", "dry_run", T_BOOL, O(dry_run) },
	{ "general", "watch_debounce", T_MSEC, O(watch_debounce_ms),
	  0, 60000 },
	{ "general", "poll_interval", T_DURATION, O(poll_interval_s),
	  1, LONG_MAX },
	{ "general", "max_open_per_user", T_INT, O(max_open_per_user),
	  1, 1000000 },
	{ "music", "root", T_DIR, O(music_roots), .flags = REPEAT },
	{ "music", "covers", T_BOOL, O(covers) },
	{ "music", "follow_outside_symlinks", T_BOOL,
	  O(music_follow_outside) },
	{ "manga", "root", T_DIR, O(manga_roots), .flags = REPEAT },
	{ "manga", "follow_outside_symlinks", T_BOOL,
	  O(manga_follow_outside) },
	{ "manga", "volume_from_chapters", T_BOOL, O(volume_from_chapters) },
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
	{ "import", "mode", T_ENUM, O(import_mode), .choices = import_modes,
	  .def = "hardlink" },
	{ "import", "template", T_TEMPLATE, O(import_template),
	  .def = "{series} T{volume:02}.{ext}" },
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
	{ "realdebrid", "orphans", T_ENUM, O(rd_orphans), .choices = orphans,
	  .def = "list" },
	{ "realdebrid", "orphan_grace", T_DURATION, O(rd_orphan_grace_s),
	  0, LONG_MAX },
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
	{ "notify", "digest", T_BOOL, O(notify_digest) },
	{ "notify", "error_rate", T_RATIO, O(notify_error_rate) },
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
	{ "retention", "cleanup_interval", T_DURATION, O(cleanup_interval_s),
	  0, LONG_MAX },
	{ "retention", "scans", T_INT, O(retention_scans), 1, 1000000 },
	{ "analysis", "enabled", T_BOOL, O(analysis_enabled) },
	{ "analysis", "threads", T_INT, O(analysis_threads), 1, 256 },
	{ "analysis", "user", T_USER, O(analysis_user), .def = "nobody" },
};

/* What the inih callbacks share while one file is read. */
struct parse {
	struct config *cfg;
	FILE *file;
	int line;		/* line of the text the reader returned last */
	bool at_bol;
	int read_errno;
	int errline, err;	/* the first error, with msg */
	char msg[512];
	int seen[ARRAY_SIZE(keys)];	/* line where each key was given */
	bool from_file[ARRAY_SIZE(keys)];	/* secrets given as KEY_file */
	const char *path;	/* the file read */
};

struct unit {
	const char *suffix;
	long scale;
};

static const struct unit plain[] = { { "", 1 }, { 0 } };
static const struct unit seconds[] = {
	{ "", 1 }, { "s", 1 }, { "m", 60 }, { "h", 3600 }, { "d", 86400 },
	{ 0 }
};
static const struct unit millis[] = {
	{ "", 1 }, { "ms", 1 }, { "s", 1000 }, { 0 }
};

/*
 * Whole numbers, durations and delays differ only in their units; a sign,
 * a blank or a fraction is refused by all of them.
 */
static int parse_scaled(const char *s, const struct unit *u, long *out)
{
	char *end;
	long n;

	if (!isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	n = strtol(s, &end, 10);
	if (errno)
		return -EINVAL;
	for (; u->suffix; u++) {
		if (strcmp(end, u->suffix))
			continue;
		if (n > LONG_MAX / u->scale)
			return -EINVAL;
		*out = n * u->scale;
		return 0;
	}
	return -EINVAL;
}

/* A bare number is seconds, as in most daemons' configuration files. */
int config_parse_duration(const char *s, long *out)
{
	return parse_scaled(s, seconds, out);
}

/* Users write booleans in every common spelling; odd indexes are true. */
static int parse_bool(const char *s)
{
	static const char *const words[] = {
		"no", "yes", "false", "true", "off", "on", "0", "1"
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(words); i++)
		if (!strcasecmp(s, words[i]))
			return i & 1;
	return -EINVAL;
}

/* Takes a length so that list items are matched without copying them. */
static bool is_choice(const char *const *choices, const char *s, size_t len)
{
	if (!choices)	/* any name, as the groups' */
		return true;
	for (; *choices; choices++)
		if (strlen(*choices) == len && !strncmp(*choices, s, len))
			return true;
	return false;
}

/* A service address must be absolute, as the clients append API paths. */
static bool is_url(const char *s)
{
	size_t n = !strncmp(s, "http://", 7) ? 7 :
		   !strncmp(s, "https://", 8) ? 8 : 0;

	return n && s[n] && !s[n + strcspn(s + n, " \t")];
}

/* An empty value is how a file says "not set", so it is stored as NULL. */
static int set_string(char **field, const char *s)
{
	free(*field);
	*field = *s ? strdup(s) : NULL;
	return !*s || *field ? 0 : -ENOMEM;
}

/* A user is resolved when the file is read, so that a name the system does
 * not know is an error before the daemon starts; root is not one to drop
 * privileges to. */
static int set_user(struct config_user *u, const char *s)
{
	struct passwd pw, *found = NULL;
	char buf[4096];
	char *name;

	if (!*s || getpwnam_r(s, &pw, buf, sizeof(buf), &found) || !found ||
	    !found->pw_uid)
		return -EINVAL;
	name = strdup(s);
	if (!name)
		return -ENOMEM;
	free(u->name);
	*u = (struct config_user){ name, found->pw_uid, found->pw_gid };
	return 0;
}

/*
 * Prowlarr takes these ids in a query string, so they are checked and kept
 * without the blanks a user may put after the commas. Negative ids are
 * Prowlarr's own: -1 and -2 stand for all usenet and all torrent indexers.
 */
static int set_ids(char **field, const char *s)
{
	char *ids = malloc(strlen(s) + 1), *w = ids;

	if (!ids)
		return -ENOMEM;
	for (;;) {
		s += strspn(s, " \t");
		if (*s == '-')
			*w++ = *s++;
		if (!isdigit((unsigned char)*s))
			goto bad;
		while (isdigit((unsigned char)*s))
			*w++ = *s++;
		s += strspn(s, " \t");
		if (!*s)
			break;
		if (*s != ',')
			goto bad;
		*w++ = *s++;
	}
	*w = '\0';
	free(*field);
	*field = ids;
	return 0;
bad:
	free(ids);
	return -EINVAL;
}

/* Takes ownership of item, so that callers can pass strdup() straight in. */
static int list_push(struct config_list *l, char *item)
{
	char **items;

	if (!item)
		return -ENOMEM;
	items = realloc(l->items, (l->nr + 1) * sizeof(*items));
	if (!items) {
		free(item);
		return -ENOMEM;
	}
	items[l->nr++] = item;
	l->items = items;
	return 0;
}

/* Leaves an empty list, so that it can be filled again. */
static void list_free(struct config_list *l)
{
	while (l->nr)
		free(l->items[--l->nr]);
	free(l->items);
	l->items = NULL;
}

/* A list key is given once and whole, so it replaces what was there. */
static int set_list(struct config_list *l, const char *const *choices,
		    const char *s)
{
	struct config_list tmp = { 0 };
	const char *end;
	size_t len;
	int ret;

	for (;; s = end + 1) {
		s += strspn(s, " \t");
		end = s + strcspn(s, ",");
		len = end - s;
		while (len && isblank((unsigned char)s[len - 1]))
			len--;
		ret = len && is_choice(choices, s, len) ? 0 : -EINVAL;
		if (!ret)
			ret = list_push(&tmp, strndup(s, len));
		if (ret || !*end)
			break;
	}
	if (ret) {
		list_free(&tmp);
		return ret;
	}
	list_free(l);
	*l = tmp;
	return 0;
}

/*
 * Directories are checked where they are read, so the error names the
 * line, and kept canonical so that config_finish can compare them.
 */
static int add_dir(struct config_list *l, const char *path)
{
	char *real = realpath(path, NULL);
	struct stat st;
	int ret = 0;

	if (!real)
		return -errno;
	if (stat(real, &st) < 0)
		ret = -errno;
	else if (!S_ISDIR(st.st_mode))
		ret = -ENOTDIR;
	else if (access(real, R_OK | X_OK) < 0)
		ret = -errno;
	if (ret) {
		free(real);
		return ret;
	}
	return list_push(l, real);
}

/*
 * A path mapping "REMOTE:LOCAL" (split at the first ":/"), kept as two
 * items: REMOTE normalized, LOCAL a readable directory made canonical.
 * Returns -EINVAL for a value that is no mapping, else as add_dir().
 */
static int add_map(struct config_list *l, const char *s)
{
	const char *colon = strstr(s, ":/");
	char *given, *remote;
	int ret;

	if (*s != '/' || !colon)
		return -EINVAL;
	given = strndup(s, colon - s);
	if (!given)
		return -ENOMEM;
	remote = path_normalize(NULL, given);
	free(given);
	ret = list_push(l, remote);
	if (ret)
		return ret;
	ret = add_dir(l, colon + 1);
	if (ret)
		free(l->items[--l->nr]);
	return ret;
}

/*
 * One parser for every key, so the file, the command line and the
 * defaults all go through the same checks. Returns -EINVAL for a value the
 * key does not accept, or the errno of a directory that cannot be used.
 */
static int parse_value(struct config *cfg, const struct key *k,
		       const char *s)
{
	void *field = (char *)cfg + k->offset;
	char *end, why[128];
	long n;
	int ret;
	double d;

	switch (k->type) {
	case T_URL:
		if (!is_url(s))
			return -EINVAL;
		return set_string(field, s);
	case T_ENUM:
		if (!is_choice(k->choices, s, strlen(s)))
			return -EINVAL;
		return set_string(field, s);
	case T_STRING:
		return set_string(field, s);
	case T_IDS:
		return set_ids(field, s);
	case T_TEMPLATE:
		if (template_check(s, config_import_fields,
				   CONFIG_IMPORT_FIELDS, why, sizeof(why)))
			return -EINVAL;
		return set_string(field, s);
	case T_LIST:
		return set_list(field, k->choices, s);
	case T_DIR:
		return add_dir(field, s);
	case T_MAP:
		return add_map(field, s);
	case T_BOOL:
		ret = parse_bool(s);
		if (ret < 0)
			return ret;
		*(int *)field = ret;
		return 0;
	case T_INT:
	case T_DURATION:
	case T_MSEC:
		ret = parse_scaled(s, k->type == T_INT ? plain :
				   k->type == T_MSEC ? millis : seconds, &n);
		if (ret || n < k->min || n > k->max)
			return -EINVAL;
		if (k->type == T_INT)
			*(int *)field = n;
		else
			*(long *)field = n;
		return 0;
	case T_RATIO:
		errno = 0;
		d = strtod(s, &end);
		if (end != s && !strcmp(end, "%")) {
			d /= 100;
			end++;
		}
		if (errno || end == s || *end || !(d > 0 && d <= 1))
			return -EINVAL;
		*(double *)field = d;
		return 0;
	case T_USER:
		return set_user(field, s);
	}
	return -EINVAL;
}

static void append(char *buf, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Message parts are built in fixed buffers, where truncation is fine. */
static void append(char *buf, size_t len, const char *fmt, ...)
{
	size_t used = strnlen(buf, len);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf + used, len - used, fmt, ap);
	va_end(ap);
}

/* The hint lets the user fix a bad value without opening the manual. */
static void expect(const struct key *k, char *buf, size_t len)
{
	const char *const *c;

	*buf = '\0';
	switch (k->type) {
	case T_URL:
		append(buf, len, "expected an http:// or https:// URL");
		break;
	case T_ENUM:
	case T_LIST:
		append(buf, len, k->type == T_ENUM ? "expected one of" :
		       "expected a comma-separated list of");
		if (!k->choices)
			append(buf, len, " names");
		for (c = k->choices; c && *c; c++)
			append(buf, len, "%s%s", c == k->choices ? " " : ", ",
			       *c);
		break;
	case T_IDS:
		append(buf, len, "expected whole numbers separated by commas");
		break;
	case T_BOOL:
		append(buf, len, "expected yes or no");
		break;
	case T_INT:
		append(buf, len, "expected a whole number from %ld to %ld",
		       k->min, k->max);
		break;
	case T_DURATION:
		append(buf, len, "expected a %sduration such as 90, 45s, 60m, "
		       "3h or 30d", k->min ? "nonzero " : "");
		break;
	case T_MSEC:
		append(buf, len, "expected a delay of at most %lds, such as "
		       "200 (milliseconds), 200ms or 2s", k->max / 1000);
		break;
	case T_RATIO:
		append(buf, len, "expected a number above 0 and at most 1, "
		       "or a percentage such as 5%%");
		break;
	case T_MAP:
		append(buf, len, "expected REMOTE:LOCAL, two absolute paths "
		       "(the client's folder, then the same folder here)");
		break;
	case T_USER:
		append(buf, len, "expected the name of a user of this system "
		       "other than root");
		break;
	default:
		break;
	}
}

/* A linear scan is plenty for fifty keys read once at start. */
static const struct key *find_key(const char *section, const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(keys); i++)
		if (!strcmp(keys[i].section, section) &&
		    !strcmp(keys[i].name, name))
			return &keys[i];
	return NULL;
}

/* The key table is the only list of sections: a new one needs no edit. */
static bool is_section(const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(keys); i++)
		if (strlen(keys[i].section) == len &&
		    !strncmp(keys[i].section, name, len))
			return true;
	return false;
}

static int fail(struct parse *p, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * Only the first error is kept: later ones are often its echoes, and one
 * clear message is what the user acts on. Returns 0, inih's "failed".
 */
static int fail(struct parse *p, int err, const char *fmt, ...)
{
	va_list ap;

	if (p->errline)
		return 0;
	p->errline = p->line;
	p->err = err;
	va_start(ap, fmt);
	vsnprintf(p->msg, sizeof(p->msg), fmt, ap);
	va_end(ap);
	return 0;
}

/*
 * inih tells its handler neither the line nor a section without keys, and
 * silently cuts long lines; reading the lines ourselves gives all three.
 */
static char *read_line(char *buf, int size, void *stream)
{
	struct parse *p = stream;
	const char *s, *end;
	size_t len;

	if (!fgets(buf, size, p->file)) {
		p->read_errno = ferror(p->file) ? errno : 0;
		return NULL;
	}
	len = strlen(buf);
	if (p->at_bol) {
		p->line++;
		s = buf + strspn(buf, " \t");
		end = *s == '[' ? strchr(s, ']') : NULL;
		if (end && !is_section(s + 1, end - s - 1))
			fail(p, -EINVAL, "unknown section %.*s",
			     (int)(end - s + 1), s);
	}
	p->at_bol = len && buf[len - 1] == '\n';
	if (!p->at_bol && len == (size_t)size - 1)
		fail(p, -EINVAL, "line is longer than %d characters", size - 3);
	return buf;
}

/*
 * A secret key may be given as KEY_file, the path of a file holding it,
 * so that the configuration itself holds no secret.
 */
static const struct key *find_secret_file_key(const char *section,
					      const char *name)
{
	size_t len = strlen(name), i;

	for (i = 0; i < ARRAY_SIZE(keys); i++) {
		size_t n = strlen(keys[i].name);

		if ((keys[i].flags & SECRET) && len == n + 5 &&
		    !strcmp(keys[i].section, section) &&
		    !strncmp(name, keys[i].name, n) &&
		    !strcmp(name + n, "_file"))
			return &keys[i];
	}
	return NULL;
}

/*
 * Whether the file at path (st) may not hold a secret: it belongs to
 * another user than the daemon's, or its group or others have rights on
 * it. Then why (len bytes) says which, and the fix.
 */
static bool secret_file_exposed(const struct stat *st, const char *path,
				char *why, size_t len)
{
	uid_t uid = geteuid();

	if (st->st_uid == uid && !(st->st_mode & (S_IRWXG | S_IRWXO)))
		return false;
	if (st->st_uid != uid)
		snprintf(why, len, "this file belongs to uid %u, not to the "
			 "daemon's user (uid %u); run chown %u %s",
			 (unsigned)st->st_uid, (unsigned)uid, (unsigned)uid,
			 path);
	else
		snprintf(why, len, "%s (mode %04o); run chmod 600 %s",
			 st->st_mode & S_IROTH ?
			 "every user can read this file" :
			 st->st_mode & S_IRGRP ?
			 "its group can read this file" :
			 "others have rights on this file",
			 st->st_mode & 07777, path);
	return true;
}

/*
 * Read the secret held by the file at path: its text up to the end of its
 * first line, which must be its only one. With check_mode, a file another
 * user may own or read is refused, as the configuration file is. Returns 0 with
 * *out (malloc'd), or a negative errno value with why, which never holds
 * the file's content.
 */
static int read_secret(const char *path, bool check_mode, char **out,
		       char *why, size_t len)
{
	char buf[SECRET_MAX + 2], exposed[256];
	struct stat st;
	ssize_t n = -1;
	int fd, ret = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0 || fstat(fd, &st) || (S_ISREG(st.st_mode) &&
	    (n = read(fd, buf, sizeof(buf) - 1)) < 0)) {
		ret = -errno;
		snprintf(why, len, "cannot read %s: %s", path, strerror(errno));
	} else if (!S_ISREG(st.st_mode)) {
		ret = -EINVAL;
		snprintf(why, len, "%s is not a regular file", path);
	} else if (check_mode && secret_file_exposed(&st, path, exposed,
						     sizeof(exposed))) {
		ret = -EPERM;
		snprintf(why, len, "%s holds a secret, but %s", path, exposed);
	}
	if (fd >= 0)
		close(fd);
	if (ret)
		return ret;
	n = n > 0 ? n : 0;
	if (n && buf[n - 1] == '\n')
		n--;
	if (n && buf[n - 1] == '\r')
		n--;
	buf[n] = '\0';
	if (n > SECRET_MAX) {
		ret = -EINVAL;
		snprintf(why, len, "%s is longer than %d bytes", path,
			 SECRET_MAX);
	} else if (!n) {
		ret = -EINVAL;
		snprintf(why, len, "%s is empty", path);
	}
	for (ssize_t i = 0; !ret && i < n; i++) {
		if ((unsigned char)buf[i] < ' ' || buf[i] == 0x7f) {
			ret = -EINVAL;
			snprintf(why, len, "%s holds more than one line, or "
				 "control characters", path);
		}
	}
	if (!ret && !(*out = strdup(buf)))
		ret = -ENOMEM;
	if (ret == -ENOMEM)
		snprintf(why, len, "out of memory");
	explicit_bzero(buf, sizeof(buf));
	return ret;
}

/* Free a secret's copy without leaving it in freed memory. */
static void free_secret(char *secret)
{
	if (secret)
		explicit_bzero(secret, strlen(secret));
	free(secret);
}

/*
 * The value of key k read from the file its KEY_file line names (path,
 * relative to the configuration's folder), set in cfg.
 */
static int set_from_file(struct parse *p, const struct key *k,
			 const char *name, const char *path)
{
	char why[384], want[256], *full = NULL, *secret = NULL;
	const char *slash = strrchr(p->path, '/');
	int ret;

	if (*path != '/' && slash &&
	    asprintf(&full, "%.*s/%s", (int)(slash - p->path), p->path,
		     path) < 0)
		return fail(p, -ENOMEM, "out of memory");
	ret = read_secret(full ? full : path, true, &secret, why,
			  sizeof(why));
	if (!ret && (ret = parse_value(p->cfg, k, secret)) == -EINVAL) {
		expect(k, want, sizeof(want));
		snprintf(why, sizeof(why), "bad value in %s: %s",
			 full ? full : path, want);
	}
	free(full);
	free_secret(secret);
	if (!ret)
		return 1;
	return fail(p, ret == -EPERM ? -EPERM : ret == -ENOMEM ? ret :
		    -EINVAL, "%s in [%s]: %s", name, k->section,
		    ret == -ENOMEM ? "out of memory" : why);
}

/*
 * inih can only hear that a line failed, not why, so the reason is kept in
 * the parse state for config_load_file to report.
 */
static int handle(void *user, const char *section, const char *name,
		  const char *value)
{
	struct parse *p = user;
	const struct key *k = find_key(section, name);
	const struct key *file_of = k ? NULL :
		find_secret_file_key(section, name);
	char want[256];
	int ret, *seen;

	if (p->errline)
		return 0;
	if (!k && !file_of && !*section)
		return fail(p, -EINVAL, "key '%s' is outside any section",
			    name);
	if (!k && !file_of)
		return fail(p, -EINVAL, "unknown key '%s' in [%s]", name,
			    section);
	k = k ? k : file_of;
	seen = &p->seen[k - keys];
	if (*seen && !(k->flags & REPEAT))
		return fail(p, -EINVAL, "%s in [%s] was already given on "
			    "line %d", k->name, section, *seen);
	*seen = p->line;
	p->from_file[k - keys] = file_of != NULL;
	if (file_of)
		return set_from_file(p, k, name, value);

	ret = parse_value(p->cfg, k, value);
	if (!ret)
		return 1;
	if (ret == -ENOMEM)
		return fail(p, ret, "out of memory");
	if (k->type == T_DIR)
		return fail(p, -EINVAL, "%s %s '%s' is not a readable "
			    "directory: %s", section, name, value,
			    strerror(-ret));
	if (k->type == T_MAP && ret != -EINVAL)
		return fail(p, -EINVAL, "%s %s '%s': the local folder is not "
			    "a readable directory: %s", section, name, value,
			    strerror(-ret));
	if (k->type == T_TEMPLATE) {
		template_check(value, config_import_fields,
			       CONFIG_IMPORT_FIELDS, want, sizeof(want));
		return fail(p, -EINVAL, "bad template '%s' for %s in [%s]: "
			    "%s", value, name, section, want);
	}
	expect(k, want, sizeof(want));
	if (k->flags & SECRET)
		return fail(p, -EINVAL, "bad value for %s in [%s]: %s", name,
			    section, want);
	if (k->type == T_URL) {
		struct strbuf shown = STRBUF_INIT;

		http_redact_url(value, "********", &shown);
		ret = fail(p, -EINVAL, "bad value '%s' for %s in [%s]: %s",
			   shown.buf, name, section, want);
		strbuf_release(&shown);
		return ret;
	}
	return fail(p, -EINVAL, "bad value '%s' for %s in [%s]: %s", value,
		    name, section, want);
}

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
		.download_poll_interval_s = 60,
		.download_stall_timeout_s = 6 * 3600,
		.max_open_per_user = 256,
		.auto_check_interval_s = 3600,
		.missing_volumes = 1,
		.new_volumes = 1,
		.search_enabled = 1,
		.missing_auto_download = -1,
		.new_auto_download = -1,
		.cache_ttl_s = -1,
		.many_volumes = 20,
		.prowlarr_rpm = 30,
		.nautiljon_rpm = 6,
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
	};
}

/* Walks the key table, so a new string or list key is freed with no edit. */
void config_release(struct config *cfg)
{
	size_t i;
	void *field;

	for (i = 0; i < ARRAY_SIZE(keys); i++) {
		field = (char *)cfg + keys[i].offset;
		if (keys[i].type >= T_LIST && keys[i].type <= T_MAP)
			list_free(field);
		else if (keys[i].type == T_USER)
			free(((struct config_user *)field)->name);
		else if (keys[i].type <= T_TEMPLATE)
			free(*(char **)field);
	}
	*cfg = (struct config) { 0 };
}

/* Whether the value of key k is a secret: a secret key's, or a URL with
 * credentials in it (user:password@, an api key in the query). */
static bool holds_secret(const struct config *cfg, const struct key *k)
{
	const char *v = *(char *const *)((const char *)cfg + k->offset);
	struct strbuf sb = STRBUF_INIT;
	bool secret;

	if (!v || !*v)
		return false;
	if (k->flags & SECRET)
		return true;
	secret = http_redact_url(v, "", &sb);
	strbuf_release(&sb);
	return secret;
}

/*
 * A file that holds an api key or a password must be the daemon's user's
 * own and readable by no one else: another user who may read it, or who
 * owns it and may change it, holds the credentials too. Refuse to start
 * on it, naming the first secret and the fix, never its value.
 */
static int check_secret_mode(const struct parse *p, const struct stat *st,
			     const char *path, char *err, size_t errlen)
{
	const struct key *k = NULL;
	char why[256];

	if (!secret_file_exposed(st, path, why, sizeof(why)))
		return 0;
	for (size_t i = 0; !k && i < ARRAY_SIZE(keys); i++) {
		/* Only secret keys and URLs are strings: look at no other
		 * field. A secret given as KEY_file is not in this file. */
		if (p->seen[i] && !p->from_file[i] &&
		    (keys[i].flags & SECRET || keys[i].type == T_URL) &&
		    holds_secret(p->cfg, &keys[i]))
			k = &keys[i];
	}
	if (!k)
		return 0;
	snprintf(err, errlen, "%s:%d: %s in [%s] is a secret, but %s", path,
		 p->seen[k - keys], k->name, k->section, why);
	return -EPERM;
}

/*
 * A configuration says what the daemon reads, where it writes and whom
 * it trusts, so only the daemon's user or root may change it: a file that
 * another user owns, or that its group or others may write, is refused
 * whatever it holds.
 */
static int check_owner(const struct stat *st, const char *path, char *err,
		       size_t errlen)
{
	uid_t uid = geteuid();

	if (st->st_uid != uid && st->st_uid != 0) {
		snprintf(err, errlen, "%s: this file belongs to uid %u, not to"
			 " the daemon's user (uid %u) or root, who alone may"
			 " change what the daemon does; run chown %u %s",
			 path, (unsigned)st->st_uid, (unsigned)uid,
			 (unsigned)uid, path);
		return -EPERM;
	}
	if (st->st_mode & (S_IWGRP | S_IWOTH)) {
		snprintf(err, errlen, "%s: %s can change this file (mode %04o),"
			 " and with it what the daemon does; run chmod go-w %s",
			 path, st->st_mode & S_IWOTH ? "every user" :
			 "its group", st->st_mode & 07777, path);
		return -EPERM;
	}
	return 0;
}

/*
 * The file is opened here rather than by ini_parse so that an open error
 * keeps its errno and the reader can count lines.
 */
int config_load_file(struct config *cfg, const char *path,
		     char *err, size_t errlen)
{
	struct parse p = { .cfg = cfg, .at_bol = true, .path = path };
	struct stat st;
	int ret;

	p.file = fopen(path, "r");
	if (!p.file) {
		ret = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(-ret));
		return ret;
	}
	ret = ini_parse_stream(read_line, &p, handle, &p);
	if (!p.read_errno && fstat(fileno(p.file), &st))
		p.read_errno = errno;
	fclose(p.file);
	if (p.read_errno) {
		snprintf(err, errlen, "%s: %s", path, strerror(p.read_errno));
		return -p.read_errno;
	}
	if (p.errline && (ret <= 0 || p.errline <= ret)) {
		snprintf(err, errlen, "%s:%d: %s", path, p.errline, p.msg);
		return p.err;
	}
	if (ret) {
		snprintf(err, errlen, "%s:%d: expected '[section]' or "
			 "'key = value'", path, ret);
		return -EINVAL;
	}
	ret = check_secret_mode(&p, &st, path, err, errlen);
	return ret ? ret : check_owner(&st, path, err, errlen);
}

/* The short forms go through the same checks as the lines of a file. */
int config_set_option(struct config *cfg, const char *key, const char *value,
		      char *err, size_t errlen)
{
	static const struct { const char *name, *section, *key; } options[] = {
		{ "music", "music", "root" },
		{ "manga", "manga", "root" },
		{ "db", "general", "database" },
	};
	size_t i;
	int ret;

	for (i = 0; i < ARRAY_SIZE(options); i++)
		if (!strcmp(key, options[i].name))
			break;
	if (i == ARRAY_SIZE(options)) {
		snprintf(err, errlen, "unknown option '%s'", key);
		return -EINVAL;
	}
	ret = parse_value(cfg, find_key(options[i].section, options[i].key),
			  value);
	if (!ret)
		return 0;
	if (ret == -ENOMEM) {
		snprintf(err, errlen, "option %s: out of memory", key);
		return ret;
	}
	snprintf(err, errlen, "option %s=%s: not a readable directory: %s",
		 key, value, strerror(-ret));
	return -EINVAL;
}

/*
 * Overlapping roots would index the same files twice: a repeated root is
 * dropped, and a root inside another one is refused.
 */
static int check_dirs(struct config_list *l, const struct key *k,
		      char *err, size_t errlen)
{
	size_t i, j;
	const char *a, *b;

	for (i = 0; i < l->nr; i++) {
		for (j = 0; j < i && strcmp(l->items[i], l->items[j]); j++) {
			a = l->items[i];
			b = l->items[j];
			if (path_below(b, a)) {
				a = l->items[j];
				b = l->items[i];
			} else if (!path_below(a, b)) {
				continue;
			}
			snprintf(err, errlen, "%s %s '%s' is inside %s %s '%s'",
				 k->section, k->name, a, k->section, k->name,
				 b);
			return -EINVAL;
		}
		if (j < i) {
			free(l->items[i]);
			memmove(&l->items[i], &l->items[i + 1],
				(l->nr - i - 1) * sizeof(*l->items));
			l->nr--;
			i--;
		}
	}
	return 0;
}

/*
 * Both XDG lookups fall back alike: the variable when it holds an absolute
 * path, else a directory under $HOME. *out is NULL when neither is set.
 */
static int xdg_path(const char *var, const char *home_dir, const char *file,
		    char **out)
{
	const char *dir = getenv(var), *home = getenv("HOME");
	int n;

	*out = NULL;
	if (dir && *dir == '/')
		n = asprintf(out, "%s/mediamon/%s", dir, file);
	else if (home && *home)
		n = asprintf(out, "%s/%s/mediamon/%s", home, home_dir, file);
	else
		return 0;
	if (n < 0) {
		*out = NULL;
		return -ENOMEM;
	}
	return 0;
}

/* Copy the list from into an empty to. */
static int list_copy(struct config_list *to, const struct config_list *from)
{
	for (size_t i = 0; i < from->nr; i++)
		if (list_push(to, strdup(from->items[i])))
			return -ENOMEM;
	return 0;
}

/*
 * A flow's own search_sources and auto_download, where the file gave
 * none, are the global ones: the flows differ only where the user says.
 */
static int inherit_flows(struct config *cfg)
{
	if (cfg->missing_auto_download < 0)
		cfg->missing_auto_download = cfg->auto_download;
	if (cfg->new_auto_download < 0)
		cfg->new_auto_download = cfg->auto_download;
	if (!cfg->missing_search_sources.nr &&
	    list_copy(&cfg->missing_search_sources, &cfg->search_sources))
		return -ENOMEM;
	if (!cfg->new_search_sources.nr &&
	    list_copy(&cfg->new_search_sources, &cfg->search_sources))
		return -ENOMEM;
	return 0;
}

/*
 * The secrets the configuration left unset, from the credentials systemd
 * passed ($CREDENTIALS_DIRECTORY/SECTION_KEY, LoadCredential=), which
 * only the service's user can read.
 */
static int load_credentials(struct config *cfg, char *err, size_t errlen)
{
	const char *dir = getenv("CREDENTIALS_DIRECTORY");
	char why[384], *path, *secret;
	const struct key *k;
	int ret;

	for (k = keys; dir && *dir && k < keys + ARRAY_SIZE(keys); k++) {
		char **field = (char **)((char *)cfg + k->offset);

		if (!(k->flags & SECRET) || *field)
			continue;
		if (asprintf(&path, "%s/%s_%s", dir, k->section, k->name) < 0)
			return -ENOMEM;
		secret = NULL;
		ret = access(path, F_OK) && errno == ENOENT ? 0 :
			read_secret(path, false, &secret, why, sizeof(why));
		if (secret && parse_value(cfg, k, secret)) {
			ret = -EINVAL;
			expect(k, why, sizeof(why));
		}
		free(path);
		free_secret(secret);
		if (ret) {
			snprintf(err, errlen, "credential %s_%s: %s",
				 k->section, k->name, why);
			return ret == -ENOMEM ? ret : -EINVAL;
		}
	}
	return 0;
}

/*
 * What needs every source read first: overlap between roots, secrets
 * from the credentials, and defaults that allocate or depend on the
 * machine.
 */
int config_finish(struct config *cfg, char *err, size_t errlen)
{
	const struct key *k;
	void *field;
	long cpus;
	int ret;

	for (k = keys; k < keys + ARRAY_SIZE(keys); k++) {
		field = (char *)cfg + k->offset;
		if (k->type == T_DIR) {
			ret = check_dirs(field, k, err, errlen);
			if (ret)
				return ret;
		}
		if (!k->def || (k->type == T_LIST ?
				((struct config_list *)field)->nr :
				!!*(char **)field))
			continue;
		ret = parse_value(cfg, k, k->def);
		if (ret == -ENOMEM)
			goto nomem;
		/* only a default user can be missing from the system */
		if (ret) {
			snprintf(err, errlen, "%s in [%s] is %s by default, "
				 "a user this system does not have: set it "
				 "to one it has", k->name, k->section, k->def);
			return ret;
		}
	}
	if (inherit_flows(cfg))
		goto nomem;
	/* Longer than a check's interval, so the next check finds the
	 * cache still valid. */
	if (cfg->cache_ttl_s < 0)
		cfg->cache_ttl_s = cfg->auto_check_interval_s ?
			2 * cfg->auto_check_interval_s : 7200;
	ret = load_credentials(cfg, err, errlen);
	if (ret == -ENOMEM)
		goto nomem;
	if (ret)
		return ret;
	/* The repairer alone is a whole use of the daemon. */
	if (!cfg->music_roots.nr && !cfg->manga_roots.nr &&
	    !(cfg->rd_mount && cfg->rd_libraries.nr)) {
		snprintf(err, errlen, "no music or manga root configured, "
			 "nor a [realdebrid] mount and library (give -o "
			 "music=DIR or a config file)");
		return -EINVAL;
	}
	if (!cfg->threads) {
		cpus = sysconf(_SC_NPROCESSORS_ONLN);
		cfg->threads = cpus > 0 ? cpus : 1;
	}
	if (!cfg->database) {
		if (xdg_path("XDG_STATE_HOME", ".local/state", "mediamon.db",
			     &cfg->database) < 0)
			goto nomem;
		if (!cfg->database &&
		    !(cfg->database = strdup("/var/lib/mediamon/mediamon.db")))
			goto nomem;
	}
	/* A daemon leaves its working directory for "/", so a relative
	 * database path is anchored where the user gave it. */
	if (cfg->database[0] != '/') {
		char *cwd = getcwd(NULL, 0), *abs;

		if (!cwd || asprintf(&abs, "%s/%s", cwd, cfg->database) < 0) {
			free(cwd);
			goto nomem;
		}
		free(cwd);
		free(cfg->database);
		cfg->database = abs;
	}
	return 0;
nomem:
	snprintf(err, errlen, "out of memory");
	return -ENOMEM;
}

void config_format_duration(long seconds, char *buf, size_t len)
{
	static const struct {
		long size;
		char unit;
	} units[] = { { 86400, 'd' }, { 3600, 'h' }, { 60, 'm' } };

	for (size_t i = 0; seconds && i < ARRAY_SIZE(units); i++) {
		if (seconds % units[i].size == 0) {
			snprintf(buf, len, "%ld%c", seconds / units[i].size,
				 units[i].unit);
			return;
		}
	}
	snprintf(buf, len, "%lds", seconds);
}

/* A user's own file wins over the system one, as XDG prescribes. */
char *config_default_path(void)
{
	char *path;

	if (xdg_path("XDG_CONFIG_HOME", ".config", "mediamon.conf", &path) < 0)
		return NULL;
	if (path && !access(path, F_OK))
		return path;
	free(path);
	return access(SYSTEM_CONF, F_OK) ? NULL : strdup(SYSTEM_CONF);
}

/* Every type is written back the way its parser reads it. */
static void dump_value(const struct config *cfg, const struct key *k,
		       struct strbuf *out)
{
	const void *field = (const char *)cfg + k->offset;
	const struct config_list *l = field;
	char buf[32];

	switch (k->type) {
	case T_STRING:
	case T_URL:
	case T_ENUM:
	case T_IDS:
	case T_TEMPLATE:
		if (!*(char *const *)field)
			break;
		if (k->flags & SECRET)
			strbuf_addstr(out, "********");
		else if (k->type == T_URL)
			http_redact_url(*(char *const *)field, "********", out);
		else
			strbuf_addstr(out, *(char *const *)field);
		break;
	case T_LIST:
	case T_DIR:
	case T_MAP:
		for (size_t i = 0; i < l->nr; i++)
			strbuf_addf(out, "%s%s", i ? ", " : "", l->items[i]);
		break;
	case T_BOOL:
		strbuf_addstr(out, *(const int *)field ? "yes" : "no");
		break;
	case T_INT:
		strbuf_addf(out, "%d", *(const int *)field);
		break;
	case T_DURATION:
		config_format_duration(*(const long *)field, buf, sizeof(buf));
		strbuf_addstr(out, buf);
		break;
	case T_MSEC:
		strbuf_addf(out, "%ldms", *(const long *)field);
		break;
	case T_RATIO:
		strbuf_addf(out, "%g", *(const double *)field);
		break;
	case T_USER:
		strbuf_addstr(out, ((const struct config_user *)field)->name);
		break;
	}
}

void config_dump(const struct config *cfg, struct strbuf *out)
{
	struct strbuf value = STRBUF_INIT;
	const char *section = NULL;
	const struct config_list *l;

	for (const struct key *k = keys; k < keys + ARRAY_SIZE(keys); k++) {
		if (!section || strcmp(section, k->section))
			strbuf_addf(out, "%s[%s]\n", section ? "\n" : "",
				    k->section);
		section = k->section;
		l = (const void *)((const char *)cfg + k->offset);
		if (k->type == T_MAP) {
			if (!l->nr)
				strbuf_addf(out, "# %s =\n", k->name);
			for (size_t i = 0; i + 1 < l->nr; i += 2)
				strbuf_addf(out, "%s = %s:%s\n", k->name,
					    l->items[i], l->items[i + 1]);
			continue;
		}
		if (k->type != T_DIR) {
			strbuf_reset(&value);
			dump_value(cfg, k, &value);
			strbuf_addf(out, "%s%s =%s%s\n", value.len ? "" : "# ",
				    k->name, value.len ? " " : "", value.buf);
			continue;
		}
		/* A repeatable key is given once per value. */
		for (size_t i = 0; i < l->nr; i++)
			strbuf_addf(out, "%s = %s\n", k->name, l->items[i]);
	}
	strbuf_release(&value);
}
