/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_MANGA_H
#define MEDIAMON_MANGA_H

/*
 * The manga library, derived from what the scanner indexed: a manga root
 * holds one folder per series; inside are volume files (.cbz, .pdf, ...)
 * or folders of images, one volume each. Their names go through the
 * volume-name parser, unless a volume archive's ComicInfo.xml gives its
 * Series and Volume; the series and volumes tables are rebuilt from the
 * files and directories tables after every scan, while what a user set
 * on a series (monitored, latest, source) stays.
 *
 * Missing volumes: every whole number from 1 up to the highest owned (or
 * the latest known, when higher) that no owned volume covers. Ranges
 * cover every whole number in them; decimals (10.5) cover none; chapters
 * and specials never fill or open a gap. A chapter keeps the volume its
 * name gives (volumes.volume_first, volume_last); when the store's
 * settings say volume_from_chapters (indexer_settings.c writes [manga]
 * volume_from_chapters there), a whole volume whose chapters run
 * without a hole from the lowest to the highest seen, the lowest being
 * 1 (or 0) or the one after the highest of the volume before, is owned:
 * no source says how many chapters a volume holds.
 */

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

/* A part of a manga root to refresh: one series folder, or all. */
struct manga_scope {
	int64_t root_id;
	const char *series;	/* a first-level folder's name; NULL: all */
};

struct manga_scopes {
	const struct manga_scope *scope;
	size_t nr;
};

/*
 * A writer_call() function: rebuild the series and volumes of what a
 * struct manga_scopes names (a scan of a few series folders rebuilds
 * only those), or of every manga root for NULL.
 */
int manga_refresh(sqlite3 *db, void *scopes);

struct manga_volume {
	double first, last;
};

/*
 * Write into missing (room for max numbers) the whole numbers from 1 to
 * the highest of the owned volumes' last and latest (0 for unknown) that
 * no owned volume covers, in order. Returns how many there are, which
 * may be more than max (only max are written).
 */
size_t manga_gaps(const struct manga_volume *owned, size_t nr, double latest,
		  int *missing, size_t max);

/*
 * The volumes owned of one series (kind "volume", and those its
 * chapters make, as said above), as first..last ranges in order, and
 * the latest volume known for it (0 when unknown). *v is malloc'd.
 * Returns 0, -ENOENT when there is no such series, or another negative
 * errno value.
 */
int manga_series_volumes(sqlite3 *db, int64_t series,
			 struct manga_volume **v, size_t *nr, double *latest);

/*
 * The missing volumes of one series (as manga_gaps() finds them from its
 * volumes and latest), in order, into *gaps (malloc'd, NULL when there
 * are none) and *n. Returns 0, -ENOENT when there is no such series,
 * -ENOMEM, or another negative errno value.
 */
int manga_series_gaps(sqlite3 *db, int64_t series, int **gaps, size_t *n);

/*
 * Call fn for every missing volume of every monitored series (its id,
 * name and folder), sorted by series name then number, reading through
 * db. Returns 0 or a negative errno value.
 */
int manga_each_missing(sqlite3 *db,
		       int (*fn)(void *arg, int64_t id, const char *series,
				 int volume, const char *series_path),
		       void *arg);

/*
 * Call fn for every volume file or image folder whose name gives no
 * volume (and no ComicInfo.xml gives one), so that a user can rename it,
 * and every chapter file of a volume that is not owned ("chapter 5 of
 * volume 1, which is missing: ..."): its full path and the parser's
 * reason (names.h) or that one, in path order,
 * reading through db. fn returns 0 to go on, or a negative errno value,
 * which stops the walk and is returned. Returns 0 or a negative errno
 * value.
 */
int manga_each_unparsed(sqlite3 *db,
			int (*fn)(void *arg, const char *path,
				  const char *reason),
			void *arg);

/* A setting of one series a user writes through the mount. */
struct manga_setting {
	int64_t series;
	enum {
		MANGA_SET_MONITORED,	/* number: 1 or 0 */
		MANGA_SET_LATEST,	/* number, or none: forgotten */
		MANGA_SET_SOURCE,	/* text ("" for none); forgets the
					 * ids searches found */
		MANGA_SET_PREFS,	/* text, checked (prefs.h) */
		MANGA_SET_EDITION,	/* text, checked, or NULL: none;
					 * forgets the ids searches found */
	} what;
	const char *text;
	long number;
	int is_number;		/* number holds the value; else text, and
				 * text NULL stores none */
};

/*
 * A writer_call() function taking a struct manga_setting: store it.
 * Returns 0, -ENOENT when the series is gone, or a negative errno value.
 */
int manga_store_setting(sqlite3 *db, void *setting);

#endif
