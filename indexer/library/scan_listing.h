/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_SCAN_LISTING_H
#define MEDIAMON_SCAN_LISTING_H

/*
 * A folder's entries as a worker reads them: listed with getdents64(),
 * or taken from the listing the store keeps with the folder when its
 * change time and inode say no name came or went in it since (the
 * store's dir_listings); and the files the store has in a folder, to
 * compare them with its entries one by one.
 *
 *	if (!scan_listing_load(wk, kd, &st))
 *		rc = scan_listing_read(wk, dfd);
 */

#include <sys/stat.h>

#include "indexer/library/scan_dirs.h"
#include "indexer/library/scan_worker.h"

/* Entries by name (qsort_r() with the worker's names as its argument),
 * the order of the store's path index. */
int scan_listing_cmp(const void *a, const void *b, void *names);

/* Whether the scanner takes the entry de of a folder: not "." nor "..",
 * a folder, a file, a link, or a name whose type the folder does not
 * tell (scan_count.c counts what this takes). */
struct dirent64;
int scan_listing_wanted(const struct dirent64 *de);

/* Read the entries of the folder dfd into the worker's list, "." and
 * ".." left out (getdents64() itself: a DIR stream costs two fcntl()s
 * more a folder), in the order the kernel gives them; returns 0 or a
 * negative errno value. */
int scan_listing_read(struct scan_worker *wk, int dfd);

/*
 * A listing as the store keeps it: for each entry its d_type (a folder
 * or a regular file: a folder holding anything else is never found
 * unchanged, and keeps none) and its name, NUL-terminated. Made from the
 * worker's entries into rec; nothing is kept when one is of another
 * type, or when memory runs out.
 */
void scan_listing_make(const struct scan_worker *wk, struct music_rec *rec,
		       const struct stat *st);

/*
 * Whether the change time of a folder (st) is far enough behind the
 * clock the kernel stamps it with that a later change in it must move it.
 */
int scan_listing_settled(const struct stat *st);

/*
 * Take the worker's entries from the listing the store keeps for kd when
 * the folder, stat()ed (st) after it was opened and watched, has the
 * change time and inode the listing was kept under: no name came or went
 * in it since. Returns 1 then, 0 when the folder must be listed. The
 * lookups of a worker share a read transaction until its next flush (a
 * statement alone takes and drops the store's read lock each time, five
 * times the cost of the lookup).
 */
int scan_listing_load(struct scan_worker *wk, const struct scan_dirs_entry *kd,
		      const struct stat *st);

/* The files the store has in the directory kd, into wk->known; returns 0
 * or a negative errno value. */
int scan_listing_load_files(struct scan_worker *wk,
			    const struct scan_dirs_entry *kd);

#endif
