/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * What needs every source of the configuration read first: roots that
 * overlap, the defaults that allocate or depend on the machine, the
 * flows' inherited keys, secrets from systemd's credentials; and where
 * the default configuration file is. Reads no configuration file.
 */

#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/bytes.h"
#include "common/config_table.h"
#include "common/path.h"
#include "common/redact.h"

#define SYSTEM_CONF "/etc/mediamon/mediamon.conf"

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

/* 0 asks for half of the inotify watches the kernel allows a user, read
 * now: the daemon's watches come from its user's quota (root's, shared
 * with every service of root), and folders any user makes in a root must
 * not take it all. Left 0 (no cap but the kernel's) when unreadable. */
static void default_watches(struct config *cfg)
{
	FILE *f;
	long max;

	if (cfg->max_watches)
		return;
	f = fopen("/proc/sys/fs/inotify/max_user_watches", "re");
	if (f && fscanf(f, "%ld", &max) == 1 && max > 1)
		cfg->max_watches = max / 2 > INT_MAX ? INT_MAX : max / 2;
	if (f)
		fclose(f);
}

/* A monitored root names one of the manga roots, so no folder outside
 * them is searched for, nor a root mistyped monitored by none. */
static int check_monitored(const struct config *cfg, char *err,
			   size_t errlen)
{
	for (size_t i = 0; i < cfg->monitored_roots.nr; i++) {
		const char *m = cfg->monitored_roots.items[i];
		size_t j = 0;

		while (j < cfg->manga_roots.nr &&
		       strcmp(cfg->manga_roots.items[j], m))
			j++;
		if (j == cfg->manga_roots.nr) {
			snprintf(err, errlen, "monitored_root '%s' in [manga]"
				 " is none of its roots: give it as root too",
				 m);
			return -EINVAL;
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
		if (config_list_push(to, strdup(from->items[i])))
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
	char why[CONFIG_WHY_MAX], *path, *secret;
	const struct key *k;
	int ret;

	for (k = config_keys; dir && *dir && k < config_keys + config_keys_nr;
	     k++) {
		char **field = (char **)((char *)cfg + k->offset);

		if (!(k->flags & SECRET) || *field)
			continue;
		if (asprintf(&path, "%s/%s_%s", dir, k->section, k->name) < 0)
			return -ENOMEM;
		secret = NULL;
		ret = access(path, F_OK) && errno == ENOENT ? 0 :
			config_read_secret(path, false, &secret, why,
					   sizeof(why));
		if (secret && config_parse_value(cfg, k, secret)) {
			ret = -EINVAL;
			config_expect(k, why, sizeof(why));
		}
		free(path);
		config_free_secret(secret);
		if (ret) {
			snprintf(err, errlen, "credential %s_%s: %s",
				 k->section, k->name, why);
			return ret == -ENOMEM ? ret : -EINVAL;
		}
	}
	return 0;
}

/*
 * The repairer works with one debrid service: two keys are refused, and
 * so is an [alldebrid] or [premiumize] url without its key (their url
 * has no default: it is set only for that service).
 */
static int check_debrid(const struct config *cfg, char *err, size_t errlen)
{
	const struct {
		const char *section, *key_value, *url;
	} services[] = {
		{ "realdebrid", cfg->rd_api_token, NULL },
		{ "alldebrid", cfg->ad_api_key, cfg->ad_url },
		{ "premiumize", cfg->pm_api_key, cfg->pm_url },
	};
	const char *first = NULL;

	for (size_t i = 0; i < ARRAY_SIZE(services); i++) {
		if (services[i].url && !services[i].key_value) {
			snprintf(err, errlen, "[%s] url is set but api_key is"
				 " empty: give the key (or api_key_file), or "
				 "remove the section", services[i].section);
			return -EINVAL;
		}
		if (!services[i].key_value)
			continue;
		if (first) {
			snprintf(err, errlen, "[%s] and [%s] both give a key,"
				 " but the repairer works with one debrid "
				 "service: remove one of them", first,
				 services[i].section);
			return -EINVAL;
		}
		first = services[i].section;
	}
	return 0;
}

/* Every secret set, and those in every URL, for redact() to mask
 * wherever it shows. */
static int learn_secrets(const struct config *cfg)
{
	const struct key *k;
	int ret = 0;

	for (k = config_keys; !ret && k < config_keys + config_keys_nr; k++) {
		const char *v;

		if (!(k->flags & SECRET) && k->type != T_URL)
			continue;	/* a number's field holds no text */
		v = *(char *const *)((const char *)cfg + k->offset);
		if (k->flags & SECRET)
			ret = redact_learn(v);
		if (!ret && k->type == T_URL)
			ret = redact_learn_url(v);
	}
	return ret;
}

/* path as the file system resolves it, or in normal form when it is
 * not there yet; NULL when out of memory. */
static char *real_or_normal(const char *path)
{
	char *real = realpath(path, NULL);

	return real ? real : path_normalize("/", path);
}

/*
 * A folder for backups away from the store: absolute, and neither the
 * database's folder nor the backups folder beside it, which a disk that
 * dies would take with the store.
 */
static int check_backup_dir(const struct config *cfg, char *err,
			    size_t errlen)
{
	char *copy, *db_dir = NULL, *dir = NULL, *beside = NULL;
	int ret = -ENOMEM;

	if (!cfg->backup_dir)
		return 0;
	if (cfg->backup_dir[0] != '/') {
		snprintf(err, errlen, "backup_dir in [retention] is %s, not an"
			 " absolute path: give the whole path",
			 cfg->backup_dir);
		return -EINVAL;
	}
	copy = strdup(cfg->database);
	if (!copy || !(db_dir = real_or_normal(dirname(copy))) ||
	    !(dir = real_or_normal(cfg->backup_dir)) ||
	    asprintf(&beside, "%s/backups", db_dir) < 0) {
		beside = NULL;
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	ret = 0;
	if (!strcmp(dir, db_dir) || !strcmp(dir, beside)) {
		snprintf(err, errlen, "backup_dir in [retention] is %s, the "
			 "folder of the database %s or of its backups: give "
			 "one on another disk or share", cfg->backup_dir,
			 cfg->database);
		ret = -EINVAL;
	}
out:
	free(copy);
	free(db_dir);
	free(dir);
	free(beside);
	return ret;
}

/* Each key's directories checked and each unset key given its default;
 * a default user this system lacks is an error, except for a key that
 * falls back on the daemon's own user. */
static int apply_defaults(struct config *cfg, char *err, size_t errlen)
{
	const struct key *k;
	void *field;
	int ret;

	for (k = config_keys; k < config_keys + config_keys_nr; k++) {
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
		ret = config_parse_value(cfg, k, k->def);
		if (ret == -EINVAL && k->own_uid)
			continue;
		if (ret == -ENOMEM)
			return ret;
		/* only a default user can be missing from the system */
		if (ret) {
			snprintf(err, errlen, "%s in [%s] is %s by default, a "
				 "user this system does not have: set it to "
				 "one it has", k->name, k->section, k->def);
			return ret;
		}
	}
	return 0;
}

/* The database's path when none is given (the XDG state folder, or
 * /var/lib), made absolute; -ENOMEM alone. */
static int place_database(struct config *cfg)
{
	char *cwd, *abs;

	if (!cfg->database) {
		if (xdg_path("XDG_STATE_HOME", ".local/state", "mediamon.db",
			     &cfg->database) < 0)
			return -ENOMEM;
		if (!cfg->database &&
		    !(cfg->database = strdup("/var/lib/mediamon/mediamon.db")))
			return -ENOMEM;
	}
	/* A daemon leaves its working directory for "/", so a relative
	 * database path is anchored where the user gave it. */
	if (cfg->database[0] == '/')
		return 0;
	cwd = getcwd(NULL, 0);
	if (!cwd || asprintf(&abs, "%s/%s", cwd, cfg->database) < 0) {
		free(cwd);
		return -ENOMEM;
	}
	free(cwd);
	free(cfg->database);
	cfg->database = abs;
	return 0;
}

/* ret, err saying "out of memory" for -ENOMEM (the others said why). */
static int finish_failed(int ret, char *err, size_t errlen)
{
	if (ret == -ENOMEM)
		snprintf(err, errlen, "out of memory");
	return ret;
}

/*
 * What needs every source read first: overlap between roots, secrets
 * from the credentials, and defaults that allocate or depend on the
 * machine.
 */
int config_finish(struct config *cfg, char *err, size_t errlen)
{
	long cpus;
	int ret;

	ret = apply_defaults(cfg, err, errlen);
	if (!ret && inherit_flows(cfg))
		ret = -ENOMEM;
	if (ret)
		return finish_failed(ret, err, errlen);
	/* Longer than a check's interval, so the next check finds the
	 * cache still valid. */
	if (cfg->cache_ttl_s < 0)
		cfg->cache_ttl_s = cfg->auto_check_interval_s ?
			2 * cfg->auto_check_interval_s : 7200;
	ret = load_credentials(cfg, err, errlen);
	if (!ret && learn_secrets(cfg))
		ret = -ENOMEM;
	if (ret)
		return finish_failed(ret, err, errlen);
	ret = check_debrid(cfg, err, errlen);
	if (ret)
		return ret;
	/* A bot's messages go to one chat: either alone sends nothing. */
	if (!cfg->notify_telegram_token != !cfg->notify_telegram_chat) {
		snprintf(err, errlen, "[notify] telegram_token and "
			 "telegram_chat go together: give %s too",
			 cfg->notify_telegram_token ? "telegram_chat" :
			 "telegram_token");
		return -EINVAL;
	}
	default_watches(cfg);
	ret = check_monitored(cfg, err, errlen);
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
	if (place_database(cfg))
		return finish_failed(-ENOMEM, err, errlen);
	return check_backup_dir(cfg, err, errlen);
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
