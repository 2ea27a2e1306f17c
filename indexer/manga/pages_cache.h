/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_PAGES_CACHE_H
#define MEDIAMON_PAGES_CACHE_H

/*
 * The page indexes (pages.h) of the archives read lately, so that a
 * listing and each page's stat() read an archive's index once per change
 * of it, not once per page. An index is kept by the identity of its file
 * (device, inode, size, mtime and ctime, from fstat() of the caller's
 * descriptor): a file written in place or replaced is read again. An
 * archive whose index failed for good (no archive, past the entries'
 * limit or the unpacking budget) keeps that failure the same way. The
 * cache holds at most PAGES_CACHE_ARCHIVES indexes and PAGES_CACHE_BYTES
 * bytes of them, the least recently used going first; a bigger index is
 * used once and not kept. Any thread.
 *
 *	const struct pages_index *ix;
 *	struct stat st;
 *	int fresh;
 *
 *	if (!pages_cache_get(fd, &ix, &st, &fresh)) {
 *		... ix->pages[n] ...
 *		pages_cache_put(ix);
 *	}
 */

#include <sys/stat.h>

struct pages_index;

#define PAGES_CACHE_ARCHIVES 64
#define PAGES_CACHE_BYTES (16 << 20)

/* The index of the archive open at fd into *ix, and its fstat() into
 * *st: 0, or the error of its reading (pages.h), kept or not; *fresh is
 * 1 when the archive was read now, 0 when the cache answered. */
int pages_cache_get(int fd, const struct pages_index **ix, struct stat *st,
		    int *fresh);

/* Let go of what pages_cache_get() gave. */
void pages_cache_put(const struct pages_index *ix);

#endif
