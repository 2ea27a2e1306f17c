#ifndef MEDIAMON_QUERY_MANGA_H
#define MEDIAMON_QUERY_MANGA_H

/*
 * What the store knows of each manga series, for the /manga folders
 * (fs/manga_view.h): the series themselves, and the documents of one
 * series, each appended whole to out. Functions return 0, -ENOENT when
 * the series is gone, or another negative errno value (logged).
 */

#include <stddef.h>
#include <stdint.h>

struct strbuf;

/* The settings a user may write for a series (indexer_set_series_*()). */
enum query_series_setting {
	QUERY_SERIES_MONITORED,	/* 1 or 0 */
	QUERY_SERIES_LATEST,	/* the latest volume published, or nothing */
	QUERY_SERIES_SOURCE,	/* where news of it comes from, or nothing */
	QUERY_SERIES_PREFS,	/* its release preferences, or nothing */
};

/*
 * Which series a document shows to the caller it is made for (the mount
 * decides): those for which keep(arg, series id) is nonzero; a NULL
 * filter shows every series. keep runs while the store is read: it may
 * read neither the store nor the disk.
 */
struct query_series_filter {
	int (*keep)(void *arg, int64_t series);
	void *arg;
};

/* Whether the filter shows the series with this id. */
int query_series_shown(const struct query_series_filter *f, int64_t series);

/*
 * Call fn with the id and the absolute path of the folder of every
 * series, by id, read in one snapshot; stops when fn returns nonzero, and
 * returns that value. fn may not read the store.
 */
int query_series_folders(int (*fn)(void *arg, int64_t id, const char *path),
			 void *arg);

/*
 * Call fn with the name and id of every series, by name then id; stops
 * when fn returns nonzero, and returns that value. fn may read the store
 * but not walk the series again: the walk is this thread's one
 * statement.
 */
int query_series_each(int (*fn)(void *arg, const char *name, int64_t id),
		      void *arg);

/* The missing volumes of a series, in order, into *gaps (malloc'd). */
int query_series_gaps(int64_t series, int **gaps, size_t *n);

/* A volume of a series as a file (file is its files.id) or a folder of
 * images (file 0, dir its directories.id), its numbers and its path
 * relative to the root. */
struct query_volume {
	int64_t file, dir;
	double first, last;
	const char *path;
	size_t path_len;
};

/*
 * Call fn for every volume of series that is on disk, by number then
 * path; fn returns 0, or a negative errno value that stops and is
 * returned.
 */
int query_series_volume_files(int64_t series,
			      int (*fn)(void *arg,
					const struct query_volume *v),
			      void *arg);

/* Call fn with the files.id and path (relative to the root) of every
 * file of the folder dir (a directories.id), by path; as above. */
int query_folder_files(int64_t dir,
		       int (*fn)(void *arg, int64_t file, const char *path,
				 size_t len),
		       void *arg);

/* The volumes owned, one number per line, ranges expanded, each once. */
int query_series_volumes(struct strbuf *out, int64_t series);

/* The volumes missing, one whole number per line. */
int query_series_missing(struct strbuf *out, int64_t series);

/* One setting as a line of text, or nothing when it is not set. */
int query_series_setting(struct strbuf *out, int64_t series,
			 enum query_series_setting which);

/*
 * status.json: series, path, monitored, latest, volumes, missing,
 * source, status, last_checked, and the files that are not volumes
 * (chapters, specials, unparsed), read as one snapshot.
 */
int query_series_status(struct strbuf *out, int64_t series);

#endif
