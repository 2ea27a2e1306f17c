/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Upkeep of the store (maintenance.h): retention and vacuum through the
 * writer, and backups with SQLite's online backup API from a read-only
 * connection, written under a temporary name and then renamed.
 */
#include "indexer/maintenance.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/array.h"
#include "common/cache.h"
#include "common/clock.h"
#include "common/config.h"
#include "common/db.h"
#include "common/log.h"
#include "common/strbuf.h"
#include "indexer/library/gone.h"
#include "indexer/manga/manga_gone.h"
#include "indexer/monitor/checks.h"
#include "indexer/realdebrid/rd_store.h"
#include "indexer/store/storefile.h"
#include "indexer/store/writer.h"

#define PREFIX "mediamon-"
#define SUFFIX ".db"

/* Where backups of db_path go: BACKUPS beside it. */
static void backup_dir(const char *db_path, struct strbuf *out)
{
	char *copy = strdup(db_path);

	strbuf_addf(out, "%s/" MAINTENANCE_BACKUP_DIR,
		    copy ? dirname(copy) : ".");
	free(copy);
}

/* What follows PREFIX and the stamp clock_stamp() writes in name, NULL
 * when name does not start so: a backup folder may be shared, and only
 * the names the daemon gives are its own. */
static const char *after_stamp(const char *name)
{
	static const char shape[] = "dddddddd" "T" "dddddd" "Z";

	if (strncmp(name, PREFIX, strlen(PREFIX)))
		return NULL;
	name += strlen(PREFIX);
	for (size_t i = 0; i < strlen(shape); i++, name++)
		if (shape[i] == 'd' ? !isdigit((unsigned char)*name) :
		    *name != shape[i])
			return NULL;
	return name;
}

/* Only our own files are counted and pruned in the folder. */
static int is_backup(const char *name)
{
	const char *rest = after_stamp(name);

	return rest && !strcmp(rest, SUFFIX);
}

/* What a backup killed halfway leaves: its copy under the temporary
 * name, and that copy's journal. */
static int is_leftover(const char *name)
{
	const char *rest = after_stamp(name);

	return rest && !strncmp(rest, SUFFIX ".tmp", strlen(SUFFIX ".tmp"));
}

/* Names hold their time, so sorting names sorts by age. */
static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names in dir that pick() takes (backups: oldest first, as their
 * names sort by time). */
static int list_ours(const char *dir, int (*pick)(const char *name),
		     char ***out, size_t *nr)
{
	DIR *dp = opendir(dir);
	struct dirent *d;
	char **v = NULL;
	size_t alloc = 0;

	*nr = 0;
	if (!dp)
		return errno == ENOENT ? 0 :
			log_error(-errno, "backup: cannot read %s: %s", dir,
				  strerror(errno));
	while ((d = readdir(dp))) {
		char **grown;

		if (!pick(d->d_name))
			continue;
		grown = array_grow(v, *nr, &alloc, sizeof(*v), 1);
		if (!grown || !(grown[*nr] = strdup(d->d_name))) {
			v = grown ? grown : v;
			closedir(dp);
			for (size_t i = 0; i < *nr; i++)
				free(v[i]);
			free(v);
			*nr = 0;
			return log_error(-ENOMEM, "backup: out of memory");
		}
		v = grown;
		(*nr)++;
	}
	closedir(dp);
	if (*nr)
		qsort(v, *nr, sizeof(*v), cmp_names);
	*out = v;
	return 0;
}

/* Copy the whole database in one step: the store is small enough, and
 * a read connection in WAL mode never holds up the writer. */
static int copy_db(const char *db_path, const char *to)
{
	sqlite3 *src;
	int rc;

	rc = db_open(db_path, 1, &src);
	if (rc)
		return rc;
	rc = db_copy(src, to);
	db_close(src);
	return rc;
}

/* Delete what backups killed halfway left in dir: nothing else ever
 * deletes it. */
static int drop_leftovers(const char *dir)
{
	struct strbuf path = STRBUF_INIT;
	char **names = NULL;
	size_t nr;
	int rc = list_ours(dir, is_leftover, &names, &nr);

	for (size_t i = 0; i < nr; i++) {
		strbuf_reset(&path);
		strbuf_addf(&path, "%s/%s", dir, names[i]);
		if (unlink(path.buf) && errno != ENOENT)
			log_warn("backup: cannot delete %s: %s", path.buf,
				 strerror(errno));
		free(names[i]);
	}
	free(names);
	strbuf_release(&path);
	return rc;
}

int maintenance_backup(const char *db_path, const char *dir, double now,
		       int kept)
{
	struct strbuf tmp = STRBUF_INIT, path = STRBUF_INIT;
	char stamp[CLOCK_STAMP_LEN], **names = NULL;
	size_t nr;
	int rc = 0;

	if (mkdir(dir, 0700) && errno != EEXIST)
		return log_error(-errno, "backup: cannot create %s: %s", dir,
				 strerror(errno));
	rc = drop_leftovers(dir);
	if (rc)
		return rc;
	clock_stamp((time_t)now, stamp);
	strbuf_addf(&path, "%s/" PREFIX "%s" SUFFIX, dir, stamp);
	strbuf_addf(&tmp, "%s.tmp", path.buf);
	rc = copy_db(db_path, tmp.buf);
	/* a damaged copy would push a good one out; a store that gives
	 * one, or none, is checked, and said to be damaged when it is */
	if (!rc && storefile_damaged(tmp.buf, NULL))
		rc = log_error(-EIO, "backup: the copy of %s is damaged: not"
			       " kept", db_path);
	if (rc && storefile_damaged(db_path, NULL) > 0)
		storefile_note(STOREFILE_CORRUPT);
	if (!rc && rename(tmp.buf, path.buf))
		rc = log_error(-errno, "backup: cannot rename %s: %s", tmp.buf,
			       strerror(errno));
	if (rc)
		unlink(tmp.buf);
	else
		log_info("backup: database saved to %s", path.buf);
	if (!rc)
		rc = list_ours(dir, is_backup, &names, &nr);
	for (size_t i = 0; !rc && i < nr; i++) {
		if (i + kept < nr) {
			strbuf_reset(&tmp);
			strbuf_addf(&tmp, "%s/%s", dir, names[i]);
			if (unlink(tmp.buf))
				log_warn("backup: cannot delete %s: %s",
					 tmp.buf, strerror(errno));
		}
	}
	for (size_t i = 0; !rc && i < nr; i++)
		free(names[i]);
	free(names);
	strbuf_release(&tmp);
	strbuf_release(&path);
	return rc;
}

int maintenance_backups(const char *db_path, char ***paths, size_t *nr)
{
	struct strbuf dir = STRBUF_INIT;
	char **names = NULL;
	int rc;

	*paths = NULL;
	backup_dir(db_path, &dir);
	rc = list_ours(dir.buf, is_backup, &names, nr);
	for (size_t i = 0; !rc && i < *nr; i++) {
		char *full;

		if (asprintf(&full, "%s/%s", dir.buf, names[i]) < 0) {
			rc = log_error(-ENOMEM, "backup: out of memory");
			break;
		}
		free(names[i]);
		names[i] = full;
	}
	if (rc) {
		for (size_t i = 0; i < *nr; i++)
			free(names[i]);
		free(names);
		*nr = 0;
	} else {
		*paths = names;
	}
	strbuf_release(&dir);
	return rc;
}

double maintenance_last_backup_at(const struct config *cfg)
{
	double at = 0;
	char **paths;
	struct stat st;
	size_t nr;

	if (maintenance_backups(cfg->database, &paths, &nr))
		return 0;
	if (nr && !stat(paths[nr - 1], &st))
		at = st.st_mtime;
	for (size_t i = 0; i < nr; i++)
		free(paths[i]);
	free(paths);
	return at;
}

double maintenance_next_at(const struct config *cfg)
{
	double last;

	if (cfg->backup_interval_s <= 0)
		return 0;
	last = maintenance_last_backup_at(cfg);
	return last ? last + cfg->backup_interval_s :
		clock_wall() + MAINTENANCE_FIRST_DELAY;
}

int maintenance_prune_scans(sqlite3 *db, int keep, double before)
{
	sqlite3_stmt *st;
	int rc;

	rc = db_prepare(db, "DELETE FROM scans WHERE (id <= (SELECT id FROM"
			" scans ORDER BY id DESC LIMIT 1 OFFSET ?1)"
			" OR started_at < ?2) AND id IS NOT (SELECT max(id)"
			" FROM scans WHERE success AND scope LIKE 'all%')",
			&st);
	if (rc)
		return rc;
	sqlite3_bind_int(st, 1, keep);
	sqlite3_bind_double(st, 2, before);
	rc = db_step(st, "prune the scans");
	sqlite3_finalize(st);
	return rc;
}

/* The history's part of retention, at a time, on the writer. */
struct history_upkeep {
	const struct config *cfg;
	double now;
};

/* A writer_call() function: old checks and scans, the gone tracks past
 * their grace, and expired search answers go. */
static int history_upkeep(sqlite3 *db, void *arg)
{
	const struct history_upkeep *u = arg;
	double before = u->now - u->cfg->retention_metrics_s;
	int rc = checks_prune(db, before);

	if (!rc)
		rc = maintenance_prune_scans(db, u->cfg->retention_scans,
					     before);
	if (!rc)
		rc = gone_prune(db, u->now);
	if (!rc)
		rc = manga_gone_prune(db, u->now);
	return rc ? rc : cache_prune(db, u->cfg->cache_ttl_s, u->now);
}

int maintenance_prune(const struct config *cfg, double now)
{
	struct history_upkeep upkeep = { cfg, now };
	struct rd_sql attempts = {
		.sql = "DELETE FROM rd_attempts WHERE at < ?7",
		.num = { now - cfg->retention_attempts_s },
	};
	struct rd_sql passes = {
		.sql = "DELETE FROM rd_passes WHERE started_at < ?7",
		.num = { now - cfg->retention_metrics_s },
	};
	struct rd_sql actions = {
		.sql = "DELETE FROM rd_actions WHERE at < ?7",
		.num = { now - cfg->retention_attempts_s },
	};
	int rc;

	rc = writer_call(rd_store_sql, &attempts);
	if (!rc)
		rc = writer_call(rd_store_sql, &passes);
	if (!rc)
		rc = writer_call(rd_store_sql, &actions);
	if (!rc)
		rc = writer_call(history_upkeep, &upkeep);
	if (!rc)
		log_info("cleanup: history older than the retention dropped");
	return rc;
}

int maintenance_backup_now(const struct config *cfg, double now, int *far)
{
	struct strbuf dir = STRBUF_INIT;
	int kept = cfg->backups_kept > 0 ? cfg->backups_kept : 1;
	int rc;

	backup_dir(cfg->database, &dir);
	rc = maintenance_backup(cfg->database, dir.buf, now, kept);
	strbuf_release(&dir);
	/* the far copy's failure leaves the one beside the store standing:
	 * a retry would rotate the good local history away while the far
	 * disk stays gone */
	*far = 0;
	if (!rc && cfg->backup_dir)
		*far = maintenance_backup(cfg->database, cfg->backup_dir, now,
					  kept);
	return rc;
}

/* VACUUM runs outside any transaction, which writer_call() gives. */
static int vacuum(sqlite3 *db, void *unused)
{
	(void)unused;
	return db_exec(db, "VACUUM");
}

int maintenance_vacuum(void)
{
	double start = clock_mono();
	int rc = writer_call(vacuum, NULL);

	if (!rc)
		log_info("vacuum: database rebuilt in %.1f s",
			 clock_mono() - start);
	return rc;
}
