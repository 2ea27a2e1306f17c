/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_LIBRARY_STATS_H
#define MEDIAMON_LIBRARY_STATS_H

/*
 * What the store holds of the library, as plain figures for the status
 * documents and the Prometheus file: the running totals, the files under
 * each root, the last finished scan and the sums over the scans. Each
 * function reads through the calling thread's read connection (reader.h)
 * in one read transaction, or in the one its caller holds, and returns 0
 * or a negative errno value (logged). None reads the live status: the
 * caller adds it.
 */

#include <stddef.h>
#include <stdint.h>

/* The running totals (schema version 26) and the missing volumes. */
struct library_counts {
	int64_t tracks, albums, artists, files;
	int64_t series, volumes;	/* manga */
	int64_t missing;		/* volumes of monitored series */
	int64_t broken_links;		/* dead Real-Debrid symlinks */
	int64_t albums_with_cover;	/* both 0 with cover art off */
	int64_t albums_without_cover;
};

int library_stats_counts(struct library_counts *out);

/* Call fn for every root in id order: its kind, path (len bytes, not
 * always UTF-8) and the files indexed under it; stops at fn's nonzero. */
int library_stats_each_root(int (*fn)(void *arg, const char *kind,
				      const char *path, size_t len,
				      int64_t files),
			    void *arg);

/*
 * What lies in each folder, for the counts of a user who is not the owner
 * (render_status.c): call fn for every folder's tracks of one album and
 * artist, with the folder's absolute path, the album (0 for none), the
 * artist (0 for none), whether the album has a cover (1 or 0, -1 with
 * cover art off), and how many tracks; then for every series with its folder's absolute path and its
 * volumes (album -1). Reads every folder of the library.
 */
int library_stats_each_folder(int (*fn)(void *arg, const char *dir,
					int64_t album, int64_t artist,
					int cover, int64_t n),
			      void *arg);

/* The missing volumes of the monitored series whose folders are the n
 * absolute paths at series into *out. */
int library_stats_missing_under(char *const *series, size_t n,
				int64_t *out);

/* One finished scan as the store keeps it (its row of scans). */
struct library_scan {
	int64_t id;
	char trigger[16];		/* "startup", "control", "watch"... */
	char scope[16];			/* "all" or "subtree", then ",full" */
	double started_at, finished_at, duration_s;	/* seconds */
	int64_t files_seen, files_new, files_changed, files_unchanged;
	int64_t files_deleted, tag_errors, io_errors, bytes_read;
	double walk_s, parse_s, write_s;
	int64_t peak_rss_kb;
	double cpu_s;			/* the daemon's, over the scan; 0
					 * before schema version 33 */
	int success;
	int has_started, has_finished;	/* the times are not NULL */
	/* The first errors in words, a JSON array (scan_errors.h), or NULL:
	 * given to library_stats_each_scan()'s fn alone, valid during the
	 * call. */
	const char *first_errors;
};

/* The last finished scan of the store into *out, *found 0 if none. */
int library_stats_last_scan(struct library_scan *out, int *found);

/* The last scan whose success is known (it finished, or a start found it
 * unfinished) into *out, *found 0 if none: what the health file judges. */
int library_stats_last_judged(struct library_scan *out, int *found);

/* Call fn for every scan that ended, in id order; stops at its nonzero
 * and returns it. */
int library_stats_each_scan(int (*fn)(void *arg,
				      const struct library_scan *scan),
			    void *arg);

/* Call fn for every file whose tags are damaged or could not be read, in
 * path order: its absolute path, and why (the first damage the tag
 * reader met, tags.h; NULL for a file indexed before reasons were kept);
 * stops at its nonzero and returns it. */
int library_stats_each_tag_error(int (*fn)(void *arg, const char *path,
					   const char *reason),
				 void *arg);

/* The sums over the scans of the store that ended. */
struct library_scan_totals {
	int64_t scans;
	double succeeded, failed, files_seen, duration_s, bytes_read;
};

int library_stats_scan_totals(struct library_scan_totals *out);

#endif
