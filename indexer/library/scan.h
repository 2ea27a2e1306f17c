/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_SCAN_H
#define MEDIAMON_SCAN_H

/*
 * The parallel scanner: walks one root (or paths inside it) with a pool
 * of worker threads sharing a queue of directories, compares every file
 * with what the store knows, reads the tags of new and changed files and
 * hands records to the writer.
 *
 * A file whose size, mtime and inode did not change is not opened. The
 * store keeps, for each directory, a digest of its files' names, sizes,
 * mtimes and inodes: a directory whose files sum to it is unchanged, and
 * only the directories that differ have their files' rows read and
 * compared one by one (so a rescan that finds nothing reads one row a
 * directory, and holds nothing a file). A file that appeared under a new
 * name with the inode, size and mtime of a file that vanished is a
 * rename: its row and track keep their ids. Files and directories the
 * store knows but the walk did not find are deleted, except under a
 * directory that could not be read, and never when the scan was
 * cancelled or the root itself could not be opened. Nor when they would
 * be SCAN_HOLD_MIN files or more and more than half of the root's files,
 * unless the request confirms the removal: they are then counted in
 * files_held and kept.
 *
 * Every open is read-only (O_NOATIME where allowed), so the scanner causes
 * no write events for a watcher to pick up. Folders are opened with no
 * link on their path, links to folders are not walked, and a link to a
 * file is followed by the rule of symlinks.h: a path that goes through a
 * link to a folder is not in the root (a rescan of it leaves only
 * deletions).
 *
 * scan_request.h holds what a scan is asked (struct scan_request) and
 * what it counts (struct scan_stats); the scanner's own files are
 * scan_store (what the store knows under the scanned paths), scan_dirs
 * (the known folders), scan_worker (the state they share), scan_stack
 * (the folders to walk), scan_listing (a folder's entries, listed or
 * from the store), scan_compare (its files against the store's) and
 * this one: the walk of a folder, the pool of workers, where a scan
 * starts and what it deletes at its end.
 */

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "indexer/library/scan_request.h"

#define SCAN_HOLD_MIN 100

/*
 * Scan as req says, reading what the store knows through a connection of
 * its own to db_path; the caller must have committed pending writes. The
 * counters in stats are added to atomically while the scan runs, so
 * another thread may read them for progress. Returns 0 when the walk
 * finished, -ECANCELED when cancelled, another negative errno value when
 * the root could not be scanned at all; and, once it walked all it
 * could, the first failure a later scan may not meet (-EMFILE, -ENFILE or
 * -ENOMEM at a file or folder, which is kept as the store knows it, or
 * the store's own error reading what it knows of a folder).
 */
int scan_run(const char *db_path, const struct scan_request *req,
	     struct scan_stats *stats);

/*
 * Add to *count the files the store knows under req's subpaths,
 * so progress can be shown against a total from the first moment.
 */
int scan_estimate(sqlite3 *db, const struct scan_request *req,
		  uint64_t *count);

/* Read a counter of a running scan's stats from another thread. */
static inline uint64_t scan_stat(const uint64_t *counter)
{
	return __atomic_load_n(counter, __ATOMIC_RELAXED);
}

#endif
