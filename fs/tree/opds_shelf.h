/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_OPDS_SHELF_H
#define MEDIAMON_OPDS_SHELF_H

/*
 * The manga series and volume files the OPDS catalog (opds.h) shows to
 * this thread's caller (caller.h), under the names /library/manga gives
 * them (views_manga.h), so that a feed's links lead to the files there.
 * The store is read in one snapshot; what the caller may see is checked
 * after it: a series whose folder it may not list is left out with all
 * its volumes, and so is a volume file it may not read, or a folder of
 * images it may not list or one of whose images it may not read. A
 * folder with no image is in no shelf. The owner sees all. A shelf is made for one caller and never shared with another.
 *
 *	struct opds_shelf s;
 *
 *	if (!opds_shelf_read(&s, OPDS_SHELF_ALL))
 *		... s.series[i], s.volumes[k] ...
 *	opds_shelf_release(&s);
 */

#include <stddef.h>
#include <stdint.h>

#include "common/strbuf.h"

/* A volume file, in its series' volume order, then its specials. A
 * volume that is a folder of images has no file but its zip (opds_zip.h),
 * named after the folder with ".cbz", sized and timed as the zip; its
 * cover is its first image. */
struct opds_volume {
	int64_t file;		/* files.id; 0 for a folder */
	int64_t dir;		/* a folder's directories.id */
	struct opds_zip *zip;	/* a folder's, located */
	char *name;		/* in /library/manga/SERIES; a special's:
				 * its own file name */
	double first, last;	/* its volume numbers */
	int64_t size, mtime_ns;	/* as last indexed */
	int64_t pages;		/* as the scan counted them (pages.h) */
	int cover;		/* its first page's kind; -1: none known */
	size_t series;		/* its series' index in the shelf */
	int special;		/* 1: a special, numbered by no volume */
	/* what its ComicInfo.xml says (comicinfo.h); NULL: nothing */
	char *summary, *writer, *issued;
};

/* A series, by name. */
struct opds_series {
	int64_t id;		/* series.id */
	char *dir;		/* its folder's name in /library/manga */
	char *feed;		/* its feed's name in /opds/series */
	int64_t newest_ns;	/* its newest volume's mtime; 0: none */
	/* its cover: the first of its volumes with one (opds_feed.h's
	 * OPDS_COVER), that volume's file and cover; 0: none */
	int64_t cover_file;
	int cover_kind;
	size_t nr_volumes;
};

struct opds_shelf {
	struct opds_series *series;
	size_t nr_series, alloc_series;
	struct opds_volume *volumes;	/* by series, then volume order */
	size_t nr_volumes, alloc_volumes;
};

/* What opds_shelf_read() reads: every series and its volume files,
 * every series alone, or (a series.id above 0) one series and its
 * volume files. */
#define OPDS_SHELF_NONE (-1)
#define OPDS_SHELF_ALL 0

/*
 * Fill *s with the series the caller may see, as what says. Returns 0 or
 * a negative errno value; *s is empty then, and always needs
 * opds_shelf_release().
 */
int opds_shelf_read(struct opds_shelf *s, int64_t what);
void opds_shelf_release(struct opds_shelf *s);

/* Fill *s with the one series whose series.id is series, unnamed (dir
 * and feed NULL), and its volume files, as opds_shelf_read() does: none
 * when the caller may not see the series. */
int opds_shelf_volumes(struct opds_shelf *s, int64_t series);

/* The series.id of the series whose feed is called feed, into *id, when
 * the caller may see it: 0, -ENOENT, or another negative errno value.
 * Only that series is checked. */
int opds_shelf_find(const char *feed, int64_t *id);

/* What the source of a series' count said of it (monitor/series_meta.h),
 * for its entry; each text NULL, each list empty, when it said nothing. */
struct opds_said {
	char *summary;
	char *language;		/* the edition counted ("en") */
	char *page;		/* the series' page at the source */
	struct strbuf authors, genres;	/* one a line */
};

/* Fill *said for series, which the caller may see (a series of a shelf
 * read for it). Returns 0 or -errno; *said always needs
 * opds_said_release(). */
int opds_shelf_said(int64_t series, struct opds_said *said);
void opds_said_release(struct opds_said *said);

#endif
