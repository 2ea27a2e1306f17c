/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_OPDS_H
#define MEDIAMON_OPDS_H

/*
 * /opds: the manga library as an OPDS 1.2 catalog of static Atom files,
 * every link relative, so that any web server serving the mount serves
 * the catalog:
 *
 *   catalog.xml       the root (navigation): the three feeds below
 *   series.xml        every series, A to Z (navigation)
 *   recent.xml        the OPDS_RECENT volume files added last
 *                     (acquisition), newest first
 *   updated.xml       the OPDS_RECENT series whose newest volume file is
 *                     the newest (navigation)
 *   series/NAME.xml   one series' volume files in volume order
 *                     (acquisition); NAME is its /library/manga name
 *   files/STEM/       the volume files again, each named "STEM VOLUME",
 *                     STEM its series' feed's name without ".xml" and
 *                     VOLUME its name in /library/manga: a book saved
 *                     under its link's last segment carries its series
 *                     ("Blue Lock Volume 004.cbz"); looked up, never
 *                     listed, as covers/ and pages/
 *   search.xml, search/QUERY.xml   the catalog's search (opds_search.h)
 *   covers/           the volume archives' covers (opds_cover.h)
 *   pages/            the volume archives' pages (opds_pages.h)
 *
 * A volume's acquisition entry is titled with its series and numbers
 * ("Blue Lock, volume 4"), with what its ComicInfo.xml says as its
 * summary, author and dc:issued (comicinfo.h); its link leads to its file in files/ (in
 * /library/manga when that name would pass NAME_MAX), with the media
 * type of its extension and its size. A volume that is a folder of
 * images is there as "STEM VOLUME.cbz", a zip of its images made as it
 * is read (opds_zip.h), its cover its first image, its pages not
 * streamed; one whose name would pass NAME_MAX, or with no image, is in
 * no feed. A volume archive's entry links to its
 * cover too, as both image and thumbnail, and a cbz, cbr or cb7 volume's
 * to its pages (OPDS-PSE: a template of their links, with their count),
 * both as the last scan of the archive found them: a feed opens no
 * archive. A feed's "updated" is the
 * mtime of the newest volume file it shows (the epoch when it shows
 * none), so a feed reads the same until the library changes. Each feed
 * is written for the caller that opens it (opds_shelf.h): a series or
 * volume it may not see is in none of its feeds, and its feed is not
 * there for it.
 *
 * Each render function appends one whole document to out and returns 0
 * or a negative errno value (node.h).
 */

#include <stdint.h>

struct node;
struct strbuf;

#define OPDS_RECENT 50

int opds_render_catalog(struct strbuf *out);
int opds_render_series_list(struct strbuf *out);
int opds_render_recent(struct strbuf *out);
int opds_render_updated(struct strbuf *out);
/* search/QUERY.xml (opds_search.h), query the number of QUERY */
int opds_render_search(struct strbuf *out, int64_t query);
int opds_render_series(struct strbuf *out, int64_t series);

/* Fill *out for name, an entry of /opds/series: 0 or -ENOENT (or
 * another negative errno value when the store cannot be read). */
int opds_resolve(const char *name, struct node *out);

/* Fill *out for rest, what follows "/opds/files/": a series' folder or
 * one of its volume files, the caller's to see (opds_shelf.h): 0,
 * -ENOENT, or another negative errno value. */
int opds_file_resolve(const char *rest, struct node *out);

/* Fill *out for name, "QUERY.xml" of /opds/search: 0, -ENOENT for no
 * query, -ENAMETOOLONG for one past OPDS_SEARCH_MAX bytes. */
int opds_search_resolve(const char *name, struct node *out);

/* List /opds/series; stops when fn returns nonzero. */
int opds_list(int (*fn)(const char *name, const struct node *child,
			void *arg),
	      void *arg);

#endif
