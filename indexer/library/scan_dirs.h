/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_SCAN_DIRS_H
#define MEDIAMON_SCAN_DIRS_H

/*
 * The known-folder table of a scan: the directories the store knows
 * under the scanned paths, loaded when the scan begins (a whole root in
 * two halves on two threads), their paths packed in one arena and found
 * by path through a hash table, each marked seen as the walk meets it;
 * those left unseen at the end are deleted (scan.c).
 *
 *	rc = scan_dirs_load(db, db_path, req, &set);
 *	k = scan_dirs_find(&set, rel, len, &near);
 */

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "common/hmap.h"
#include "common/strbuf.h"
#include "indexer/library/scan_request.h"

/* What the store knew about a directory when the scan began. */
struct scan_dirs_entry {
	struct hmap_entry ent;	/* by path */
	size_t off;		/* path in the set's arena */
	size_t len;
	int64_t id;
	uint64_t digest;
	int has_digest;
	int seen;
};

/* The directories known under the scanned paths, found by path through
 * a hash table: a walk looks up every folder it meets, and a sorted set
 * cost a binary search each and a sort of them all before the walk. */
struct scan_dirs {
	struct scan_dirs_entry *v;
	size_t nr, alloc;
	struct strbuf arena;
	struct hmap by_path;
	/* v's directories by path (memcmp order), sorted the first time a
	 * subtree is looked for, under the scan's lock; NULL before, or
	 * when there was no memory for it. */
	struct scan_dirs_entry **sorted;
	int sort_tried;
};

/* The path of k, relative to the root, in the set's arena (len bytes,
 * not NUL-terminated). */
const char *scan_dirs_path(const struct scan_dirs *set,
			   const struct scan_dirs_entry *k);

/* Sort n directories by path; qsort_r() takes no NULL base, which an
 * empty list has. */
void scan_dirs_sort(const struct scan_dirs *set, struct scan_dirs_entry **v,
		    size_t n);

/*
 * The directory at path as the store knows it, or NULL. The set is in
 * the order of the rows, which is the order the first scan walked them
 * in and every walk after walks them in: the few that follow the last
 * one a worker found (*near) are looked at before the table, whose
 * random reads miss the cache each time.
 */
struct scan_dirs_entry *scan_dirs_find(struct scan_dirs *set, const char *path,
				       size_t len, size_t *near);

/* Whether the directory k is path or lies below it. */
int scan_dirs_under(const struct scan_dirs *set,
		    const struct scan_dirs_entry *k, const char *path,
		    size_t len);

/* Keep every directory the store knows under one the walk could not
 * enter, and so the files they hold: an unreadable folder is not an
 * empty one. Called with the scan's lock held (or before the walk):
 * the first call sorts the set, and without the memory to, every
 * directory is looked at. */
void scan_dirs_keep_subtree(struct scan_dirs *set, const char *path,
			    size_t len);

/* Free what set holds and empty it. */
void scan_dirs_release(struct scan_dirs *set);

/* Load the directories under every subpath, with their paths packed in
 * one arena, into a table by path. A library has about a tenth as many
 * directories as files: the files themselves are looked up only in the
 * directories whose digest says they changed. */
int scan_dirs_load(sqlite3 *db, const char *db_path,
		   const struct scan_request *req, struct scan_dirs *set);

#endif
