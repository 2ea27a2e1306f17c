#ifndef MEDIAMON_MAINTENANCE_H
#define MEDIAMON_MAINTENANCE_H

/*
 * Timed upkeep of the store, on the jobs thread: retention, and backups
 * of the database with SQLite's online backup API.
 *
 *	maintenance_run(cfg, clock_wall());
 *	next = maintenance_next_at(cfg);
 *
 * Retention drops Real-Debrid requests (rd_attempts) older than
 * [retention] attempts, and repair passes (rd_passes) and the monitor's
 * checks older than [retention] metrics (the newest check of each flow
 * stays); expired search-cache entries go too (as at the start of every
 * check). A backup copies the database, while the daemon
 * runs, to BACKUPS/mediamon-YYYYMMDDTHHMMSSZ.db, where BACKUPS is the
 * folder "backups" beside the database; it is written under a temporary
 * name and renamed, so a backup file is always whole, and kept only when
 * PRAGMA quick_check passes (a damaged copy says the store is damaged:
 * see recovery.h). Only the newest backups_kept are kept.
 */

#include <stddef.h>

struct config;

/* How long after start the first backup waits when there is none. */
#define MAINTENANCE_FIRST_DELAY 600.0

/* The folder backups go to, beside the database. */
#define MAINTENANCE_BACKUP_DIR "backups"

/*
 * Apply retention at now, then, when backup_interval is not 0, write a
 * backup and drop the oldest beyond backups_kept. Returns 0 or a negative
 * errno value (logged); a failed backup leaves no partial file.
 */
int maintenance_run(const struct config *cfg, double now);

/*
 * When the next run is due (wall clock): the newest backup's time plus
 * backup_interval, or MAINTENANCE_FIRST_DELAY from now when there is
 * none; a day after now when backups are off, for retention alone.
 */
double maintenance_next_at(const struct config *cfg);

/*
 * Write a backup of the database at db_path into dir (created if need
 * be), named for now, and keep the newest kept backups there. Returns 0
 * or a negative errno value (logged).
 */
int maintenance_backup(const char *db_path, const char *dir, double now,
		       int kept);

/*
 * The backups of the store at db_path, oldest first, as paths in *paths
 * (each malloc'd, and the array: the caller frees them). Returns 0 (with
 * none when there is no folder yet) or a negative errno value (logged).
 */
int maintenance_backups(const char *db_path, char ***paths, size_t *nr);

#endif
