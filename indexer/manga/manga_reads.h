/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_MANGA_READS_H
#define MEDIAMON_MANGA_READS_H

/*
 * What the store knows of each manga series, read for the /manga folders
 * (fs/tree/manga_view.h, fs/tree/views_manga.h) and the documents of a series
 * (fs/tree/render_manga.h) on the calling thread's read connection
 * (indexer/store/reader.h). Functions fill plain structs and return 0,
 * -ENOENT when the series is gone, or another negative errno value
 * (logged).
 */

#include <stddef.h>
#include <stdint.h>

/* The settings a user may write for a series (indexer_set_series_*()). */
enum manga_file_setting {
	MANGA_SETTING_MONITORED,	/* 1 or 0 */
	MANGA_SETTING_LATEST,	/* the latest volume published, or nothing */
	MANGA_SETTING_SOURCE,	/* where news of it comes from, or nothing */
	MANGA_SETTING_PREFS,	/* its release preferences, or nothing */
	MANGA_SETTING_EDITION,	/* its own edition, or nothing */
	MANGA_SETTING_META,	/* what the source of its count said of it
				 * (monitor/series_meta.h), JSON with the
				 * "edition" counted, or nothing */
};

/*
 * Call fn with the id, the name and the absolute path of the folder of
 * every series, in no order, read in one snapshot; stops when fn returns
 * nonzero, and returns that value. fn may not read the store.
 */
int manga_reads_named(int (*fn)(void *arg, int64_t id, const char *name,
				const char *path),
		      void *arg);

/*
 * Call fn with the id and the absolute path of the folder of every
 * series, by id, read in one snapshot; stops when fn returns nonzero, and
 * returns that value. fn may not read the store.
 */
int manga_reads_folders(int (*fn)(void *arg, int64_t id, const char *path),
			void *arg);

/*
 * Call fn with every missing volume of a monitored series
 * (manga_each_missing()), read in one snapshot; stops when fn returns
 * nonzero, and returns that value. fn may not read the store.
 */
int manga_reads_missing(int (*fn)(void *arg, int64_t id, const char *series,
				  int volume, const char *series_path),
			void *arg);

/* Call fn with every volume file whose name gives no volume number, and
 * why (manga_each_unparsed()), as manga_reads_missing() does. */
int manga_reads_unparsed(int (*fn)(void *arg, const char *path,
				   const char *reason),
			 void *arg);

/*
 * Call fn with the name and id of every series, by name then id; stops
 * when fn returns nonzero, and returns that value. fn may read the store
 * but not walk the series again: the walk is this thread's one
 * statement.
 */
int manga_reads_each(int (*fn)(void *arg, const char *name, int64_t id),
		     void *arg);

/* The missing volumes of a series, in order, into *gaps (malloc'd). */
int manga_reads_gaps(int64_t series, int **gaps, size_t *n);

/*
 * The numbers of the volumes owned, into *nums (malloc'd, NULL when
 * none): ranges expanded to their whole volumes, decimals as they are,
 * sorted, each once; and the latest volume published (0 when unknown).
 */
int manga_reads_owned(int64_t series, double **nums, size_t *n,
		      double *latest);

/* A volume of a series as a file (file is its files.id) or a folder of
 * images (file 0, dir its directories.id), its numbers and its path
 * relative to the root; a file's size and mtime as last indexed (0 for a
 * folder). */
struct manga_volume_file {
	int64_t file, dir;
	double first, last;
	const char *path;
	size_t path_len;
	int64_t size, mtime_ns;
	int64_t pages;		/* of an archive, as the scan counted them */
	const char *cover;	/* its first page's extension; NULL: none
				 * or not known yet (comicinfo.h) */
	/* what its ComicInfo.xml says (comicinfo.h); NULL: nothing */
	const char *summary, *writer, *issued;
};

/*
 * Call fn for every volume of series that is on disk, by number then
 * path; fn returns 0, or a negative errno value that stops and is
 * returned.
 */
int manga_reads_volume_files(int64_t series,
			     int (*fn)(void *arg,
				       const struct manga_volume_file *v),
			     void *arg);

/* The same for every special of series ("Hors-Serie", "Extra"...: a file
 * named as one, manga.h), by number then path. */
int manga_reads_special_files(int64_t series,
			      int (*fn)(void *arg,
					const struct manga_volume_file *v),
			      void *arg);

/* A file of a volume folder: its files.id, path (relative to the root),
 * size and mtime, and the folder's mtime, as last indexed; the CRC-32 the
 * scan read of it with that size and mtime (an image's), -1 when none. */
struct manga_folder_file {
	int64_t file;
	const char *path;
	size_t path_len;
	int64_t size, mtime_ns, dir_mtime_ns;
	int64_t crc;
	int64_t inode;		/* of the file the scan read */
};

/* How many files the folder dir (a directories.id) holds, from its
 * index alone, into *count: 0 or a negative errno value. */
int manga_reads_folder_count(int64_t dir, int64_t *count);

/* Call fn for every file of the folder dir (a directories.id), by name;
 * as above. */
int manga_reads_folder_files(int64_t dir,
			     int (*fn)(void *arg,
				       const struct manga_folder_file *f),
			     void *arg);

/* One setting of a series as text into *value (malloc'd), NULL when it
 * is not set. */
int manga_reads_setting(int64_t series, enum manga_file_setting which,
			char **value);

/* The files of a series that are not volumes. */
enum manga_other_kind {
	MANGA_OTHER_CHAPTER,
	MANGA_OTHER_SPECIAL,
	MANGA_OTHER_UNPARSED,	/* its name gives no volume */
	MANGA_OTHER_KINDS
};

struct manga_other {
	enum manga_other_kind kind;
	double number;		/* 0 when its name gives none */
	char *path;		/* relative to the root */
	char *reason;		/* why unparsed; NULL when none is kept */
	int has_volume;		/* a chapter whose name gives its volume */
	double volume;
};

/* What status.json shows of a series. The strings are malloc'd; source,
 * status and last_checked (RFC 3339) are NULL when not set. */
struct manga_status {
	char *name, *path;	/* path: the folder's absolute path */
	int monitored;
	double latest;		/* 0 when unknown */
	char *source, *status, *last_checked;
	char *found;		/* the ids searches found, "SOURCE:ID ..." */
	char *edition;		/* its own, or NULL */
	double published;	/* the count of volumes out, 0 if none */
	char *published_by;	/* "SOURCE:EDITION" of the count, or NULL */
	char *published_record;	/* "SOURCE:ID" that gave it, or NULL */
	char *published_line;	/* the line it was read from, or NULL */
	char *meta;		/* what its record said (monitor/series_meta.h),
				 * JSON, or NULL */
	double *volumes;	/* as manga_reads_owned() gives them */
	size_t nr_volumes;
	int *missing;
	size_t nr_missing;
	struct manga_other *others;	/* by kind, number, path */
	size_t nr_others;
};

/* Fill *s with what status.json shows of series, read in one snapshot;
 * free it with manga_status_release() whatever this returns. */
int manga_reads_status(int64_t series, struct manga_status *s);
void manga_status_release(struct manga_status *s);

#endif
