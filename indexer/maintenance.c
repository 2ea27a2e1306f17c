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
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
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
#include "common/symlinks.h"
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

/* Say why the folder dir is refused (what symlinks_open_owned() said),
 * in the log and into why unless NULL: -EACCES. */
static int refused(const char *dir, const struct strbuf *what,
		   struct strbuf *why)
{
	struct strbuf line = STRBUF_INIT;

	strbuf_addf(&line, "the folder %s is not used: %s (only root or"
		    " mediamon's user may change it)", dir, what->buf);
	log_error(-EACCES, "backup: %s", line.buf);
	if (why)
		strbuf_addstr(why, line.buf);
	strbuf_release(&line);
	return -EACCES;
}

/* Make the folder dir in its parent, opened as open_backup_folder()
 * opens one (own says why when it is refused), and open it so. */
static int make_backup_folder(const char *dir, struct strbuf *own)
{
	char name[NAME_MAX + 1];
	int dfd, pfd;

	pfd = symlinks_open_owned_parent(dir, NULL, 0, own, name,
					 sizeof(name));
	dfd = pfd;
	if (pfd >= 0 && mkdirat(pfd, name, 0700) && errno != EEXIST)
		dfd = -errno;
	if (pfd >= 0)
		close(pfd);
	if (dfd < 0) {
		if (!own->len)
			log_error(dfd, "backup: cannot create %s: %s", dir,
				  strerror(-dfd));
		return dfd;
	}
	dfd = symlinks_open_owned(dir, O_RDONLY | O_DIRECTORY, NULL, 0, own);
	if (dfd < 0 && !own->len)
		log_error(dfd, "backup: cannot open %s: %s", dir,
			  strerror(-dfd));
	return dfd;
}

/*
 * Open the folder dir from /, with no link on its way and none of its
 * folders one that a user other than root or the daemon's may change
 * (another could lead a copy of the store to a file of their choice):
 * -EACCES with the reason in why, logged. Made first (its parent
 * checked alike) when create says so; else -ENOENT when missing.
 */
static int open_backup_folder(const char *dir, int create,
			      struct strbuf *why)
{
	struct strbuf own = STRBUF_INIT;
	int dfd, made = 0;

	dfd = symlinks_open_owned(dir, O_RDONLY | O_DIRECTORY, NULL, 0, &own);
	if (dfd == -ENOENT && !own.len && create) {
		made = 1;
		dfd = make_backup_folder(dir, &own);
	}
	if (dfd < 0 && own.len)
		dfd = refused(dir, &own, why);
	else if (dfd < 0 && !made && (dfd != -ENOENT || create))
		log_error(dfd, "backup: cannot open %s: %s", dir,
			  strerror(-dfd));
	strbuf_release(&own);
	return dfd;
}

/* Whether name in dfd is a file the daemon made: a regular file of its
 * user's. Another user's in a shared folder is never counted nor
 * deleted. */
static int made_here(int dfd, const char *name)
{
	struct stat st;

	return !fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) &&
		S_ISREG(st.st_mode) && st.st_uid == geteuid();
}

/* The names in the folder dfd (dir) that pick() takes, of files the
 * daemon made (backups: oldest first, as their names sort by time). */
static int list_ours(int dfd, const char *dir, int (*pick)(const char *),
		     char ***out, size_t *nr)
{
	int fd = openat(dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *dp = fd < 0 ? NULL : fdopendir(fd);
	struct dirent *d;
	char **v = NULL, **grown;
	size_t alloc = 0;

	*nr = 0;
	if (!dp) {
		if (fd >= 0)
			close(fd);
		return log_error(-errno, "backup: cannot read %s: %s", dir,
				 strerror(errno));
	}
	while ((d = readdir(dp))) {
		if (!pick(d->d_name) || !made_here(dfd, d->d_name))
			continue;
		grown = array_grow(v, *nr, &alloc, sizeof(*v), 1);
		if (!grown || !(grown[*nr] = strdup(d->d_name))) {
			closedir(dp);
			array_free_strings(grown ? grown : v, *nr);
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
static int copy_db(const char *db_path, int dfd, const char *name)
{
	sqlite3 *src;
	int rc;

	rc = db_open(db_path, 1, &src);
	if (rc)
		return rc;
	rc = db_copy(src, dfd, name);
	db_close(src);
	return rc;
}

/* Delete the names of the folder dfd (dir) but the newest keep that
 * pick() takes: what backups killed halfway left (nothing else ever
 * deletes it), or the oldest backups. */
static int drop_ours(int dfd, const char *dir, int (*pick)(const char *),
		     size_t keep)
{
	char **names = NULL;
	size_t nr;
	int rc = list_ours(dfd, dir, pick, &names, &nr);

	for (size_t i = 0; i + keep < nr; i++)
		if (unlinkat(dfd, names[i], 0) && errno != ENOENT)
			log_warn("backup: cannot delete %s/%s: %s", dir,
				 names[i], strerror(errno));
	array_free_strings(names, nr);
	return rc;
}

/* Whether the copy name in dfd is sound: a damaged copy would push a
 * good one out (it is deleted). When it is not, or none was made, the
 * store is checked, and said to be damaged when it is. */
static int check_copy(const char *db_path, int dfd, const char *dir,
		      const char *name, int rc)
{
	struct strbuf path = STRBUF_INIT;

	strbuf_addf(&path, "%s/%s", dir, name);
	if (!rc && storefile_damaged(path.buf, NULL)) {
		rc = log_error(-EIO, "backup: the copy of %s is damaged: not"
			       " kept", db_path);
		unlinkat(dfd, name, 0);
	}
	if (rc && storefile_damaged(db_path, NULL) > 0)
		storefile_note(STOREFILE_CORRUPT);
	strbuf_release(&path);
	return rc;
}

int maintenance_backup(const char *db_path, const char *dir, double now,
		       int kept, struct strbuf *why)
{
	struct strbuf tmp = STRBUF_INIT, name = STRBUF_INIT;
	char stamp[CLOCK_STAMP_LEN];
	int rc, dfd = open_backup_folder(dir, 1, why);

	if (dfd < 0)
		return dfd;
	rc = drop_ours(dfd, dir, is_leftover, 0);
	clock_stamp((time_t)now, stamp);
	strbuf_addf(&name, PREFIX "%s" SUFFIX, stamp);
	strbuf_addf(&tmp, "%s.tmp", name.buf);
	if (!rc)
		rc = check_copy(db_path, dfd, dir, tmp.buf,
				copy_db(db_path, dfd, tmp.buf));
	if (!rc && renameat(dfd, tmp.buf, dfd, name.buf)) {
		rc = log_error(-errno, "backup: cannot rename %s/%s: %s", dir,
			       tmp.buf, strerror(errno));
		unlinkat(dfd, tmp.buf, 0);
	}
	if (!rc) {
		log_info("backup: database saved to %s/%s", dir, name.buf);
		rc = drop_ours(dfd, dir, is_backup, kept);
	}
	close(dfd);
	strbuf_release(&tmp);
	strbuf_release(&name);
	return rc;
}

int maintenance_backups(const char *db_path, char ***paths, size_t *nr,
			struct strbuf *why)
{
	struct strbuf dir = STRBUF_INIT;
	char **names = NULL;
	int rc, dfd;

	*paths = NULL;
	*nr = 0;
	backup_dir(db_path, &dir);
	dfd = open_backup_folder(dir.buf, 0, why);
	rc = dfd == -ENOENT ? 0 : dfd < 0 ? dfd :
		list_ours(dfd, dir.buf, is_backup, &names, nr);
	if (dfd >= 0)
		close(dfd);
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
		array_free_strings(names, *nr);
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

	if (maintenance_backups(cfg->database, &paths, &nr, NULL))
		return 0;
	if (nr && !stat(paths[nr - 1], &st))
		at = st.st_mtime;
	array_free_strings(paths, nr);
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

int maintenance_backup_now(const struct config *cfg, double now, int *far,
			   struct strbuf *why)
{
	struct strbuf dir = STRBUF_INIT;
	int kept = cfg->backups_kept > 0 ? cfg->backups_kept : 1;
	int rc;

	backup_dir(cfg->database, &dir);
	rc = maintenance_backup(cfg->database, dir.buf, now, kept, why);
	strbuf_release(&dir);
	/* the far copy's failure leaves the one beside the store standing:
	 * a retry would rotate the good local history away while the far
	 * disk stays gone */
	*far = 0;
	if (!rc && cfg->backup_dir)
		*far = maintenance_backup(cfg->database, cfg->backup_dir, now,
					  kept, why);
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
