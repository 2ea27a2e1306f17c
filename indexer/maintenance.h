/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_MAINTENANCE_H
#define MEDIAMON_MAINTENANCE_H

/*
 * Upkeep of the store, on the maintenance lane of the jobs (jobs.h):
 * retention, backups of the database with SQLite's online backup API,
 * and vacuum, each timed or on request (/control/maintenance).
 *
 *	maintenance_prune(cfg, clock_wall());
 *	maintenance_backup_now(cfg, clock_wall());
 *	next = maintenance_next_at(cfg);
 *	maintenance_vacuum();
 *
 * Retention drops Real-Debrid requests (rd_attempts) older than
 * [retention] attempts, and repair passes (rd_passes) and the monitor's
 * checks older than [retention] metrics (the newest check of each flow
 * stays); expired search-cache entries go too (as at the start of every
 * check), and so do scans older than [retention] metrics or beyond the
 * newest [retention] scans (maintenance_prune_scans()). A backup copies the
 * database, while the daemon runs, to BACKUPS/mediamon-YYYYMMDDTHHMMSSZ.db,
 * where BACKUPS is the folder "backups" beside the database; it is written
 * under a temporary name and renamed, so a backup file is always whole, and
 * kept only when PRAGMA quick_check passes (a damaged copy says the store is
 * damaged: see recovery.h). Only the newest backups_kept are kept. A
 * folder another user may change is refused (maintenance_backup()). Vacuum
 * rebuilds the database file without its free pages, through the writer
 * (scans wait meanwhile).
 */

#include <sqlite3.h>
#include <stddef.h>

struct config;
struct strbuf;

/* How long after start the first backup waits when there is none, and
 * the first cleanup at most (the store does not say when the last one
 * ran: the first comes cleanup_interval after start, or this soon). */
#define MAINTENANCE_FIRST_DELAY 600.0

/* How long after a failed timed backup the next one is tried. */
#define MAINTENANCE_RETRY_S 3600.0

/* The folder backups go to, beside the database. */
#define MAINTENANCE_BACKUP_DIR "backups"

/* Apply retention at now. Returns 0 or a negative errno value (logged). */
int maintenance_prune(const struct config *cfg, double now);

/*
 * Drop the scans of the history (db, on the writer) beyond the newest
 * keep, and those started before before (0: none), but the newest
 * successful scan of every root, from which the next one's progress is
 * estimated. Returns 0 or a negative errno value (logged).
 */
int maintenance_prune_scans(sqlite3 *db, int keep, double before);

/*
 * Write a backup of cfg's database, named for now, into the backups
 * folder, and drop the oldest beyond backups_kept; then the same into
 * [retention] backup_dir when set. Returns 0 or a negative errno value
 * (logged) of the backup beside the store; a failed backup leaves no
 * partial file. *far is set to the copy into backup_dir's 0 or negative
 * errno value (logged), 0 too when there was none to make. A folder
 * refused (-EACCES, see maintenance_backup()) says why in why.
 */
int maintenance_backup_now(const struct config *cfg, double now, int *far,
			   struct strbuf *why);

/*
 * When the next timed backup is due (wall clock): the newest backup's
 * time plus backup_interval, or MAINTENANCE_FIRST_DELAY from now when
 * there is none; 0 when backups are off (backup_interval 0).
 */
double maintenance_next_at(const struct config *cfg);

/*
 * The time of the newest backup of cfg's database (its file's), or 0
 * when there is none.
 */
double maintenance_last_backup_at(const struct config *cfg);

/*
 * Write a backup of the database at db_path into dir (created if need
 * be), named for now, and keep the newest kept backups there. The folder
 * is opened from / with no link on its way and none of its folders one
 * that a user other than root or the daemon's may change (its owner, a
 * group or everyone but in a sticky folder: symlinks_open_owned()), else
 * refused with -EACCES and the reason in why (unless NULL); the copy is
 * made in it under a new name (db_copy()), then renamed. Only regular
 * files of the daemon's user bearing a backup's name are counted and
 * deleted there. Returns 0 or a negative errno value (logged).
 */
int maintenance_backup(const char *db_path, const char *dir, double now,
		       int kept, struct strbuf *why);

/*
 * The backups of the store at db_path, oldest first, as paths in *paths
 * (each malloc'd, and the array: the caller frees them). Returns 0 (with
 * none when there is no folder yet) or a negative errno value (logged):
 * -EACCES with the reason in why (unless NULL) when the folder is
 * refused as maintenance_backup() refuses one.
 */
int maintenance_backups(const char *db_path, char ***paths, size_t *nr,
			struct strbuf *why);

/* Vacuum the database through the writer. Returns 0 or a negative errno
 * value (logged). */
int maintenance_vacuum(void);

#endif
