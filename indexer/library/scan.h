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
 * cancelled or the root itself could not be opened.
 *
 * Every open is read-only (O_NOATIME where allowed), so the scanner causes
 * no write events for a watcher to pick up. Folders are opened with no
 * link on their path, links to folders are not walked, and a link to a
 * file is followed by the rule of symlinks.h: a path that goes through a
 * link to a folder is not in the root (a rescan of it leaves only
 * deletions).
 */

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

struct scan_stats {
	uint64_t files_seen;
	uint64_t files_new;
	uint64_t files_changed;
	uint64_t files_unchanged;
	uint64_t files_renamed;
	uint64_t files_deleted;
	uint64_t tag_errors;
	uint64_t io_errors;
	uint64_t bytes_read;
	uint64_t dirs_from_store;	/* folders not listed: their listing
					 * in the store held (scan.c) */
	uint64_t walk_ns;	/* summed over workers: listing and stat */
	uint64_t parse_ns;	/* summed over workers: opening and tags */
	uint64_t total_estimate;	/* files the store knew at the start,
					 * set by the caller (scan_estimate) */
};

struct scan_request {
	int64_t root_id;
	const char *root_path;	/* absolute */
	/* Paths relative to the root, none below another; { "" } for all
	 * of it. A file that leaves one for another keeps its id. */
	const char *const *subpaths;
	size_t nr_subpaths;
	int full;		/* re-read the tags of unchanged files too */
	int manga;		/* a manga root: read archives' ComicInfo.xml */
	int covers;		/* note where embedded pictures are */
	int threads;
	const int *cancel;	/* becomes nonzero to stop the scan early */
	/* Where links to files may lead (symlinks.h): inside root_path or
	 * one of roots, or anywhere with follow_outside. */
	const char *const *roots;
	size_t nr_roots;
	int follow_outside;
	/* Called with root_index before each directory is read, with a
	 * descriptor of it (to watch it, so nothing created meanwhile is
	 * missed); may be NULL. */
	void (*on_dir)(size_t root_index, const char *rel, size_t len,
		       int dirfd);
	/* Called with root_index for each directory the store forgets,
	 * the first of a subtree only; may be NULL. */
	void (*on_dir_gone)(size_t root_index, const char *rel);
	size_t root_index;
};

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
