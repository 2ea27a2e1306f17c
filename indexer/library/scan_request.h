/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_SCAN_REQUEST_H
#define MEDIAMON_SCAN_REQUEST_H

/*
 * What a scan is asked to do and what it counts (scan.h), apart so that
 * the scanner's own files (scan_*.c), which scan.c uses, need not use
 * scan.c back.
 */

#include <stddef.h>
#include <stdint.h>

struct scan_errors;

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
	/* 1 while total_estimate is still being counted on disk
	 * (scan_count.h); before it, as it is read first */
	uint64_t counting;
	uint64_t total_estimate;	/* files the store knew at the start,
					 * set by the caller (scan_estimate) */
	uint64_t files_held;	/* files gone but kept: their removal
				 * waits to be confirmed (scan.h) */
};

struct scan_request {
	int64_t root_id;
	const char *root_path;	/* absolute */
	/* Paths relative to the root, none below another; { "" } for all
	 * of it. A file that leaves one for another keeps its id. */
	const char *const *subpaths;
	size_t nr_subpaths;
	int full;		/* re-read the tags of unchanged files too */
	int confirm_removal;	/* remove what is gone, however much */
	int manga;		/* a manga root: read archives' ComicInfo.xml */
	int covers;		/* note where embedded pictures are */
	int threads;
	int io_depth;		/* files opened ahead of the parsing
				 * threads (scan_io.h); 0: none */
	const int *cancel;	/* becomes nonzero to stop the scan early */
	/* Where the first errors are told in words (scan_errors.h); may be
	 * NULL. */
	struct scan_errors *errors;
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
	/* Whether rel, or a folder above it, moved away since the scan
	 * started (watch_moved_since()): what the walk did not meet there
	 * is then left for the scan that the move starts; may be NULL. */
	int (*moved_since)(size_t root_index, const char *rel,
			   double since);
	size_t root_index;
};

#endif
