/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_MANGA_PAGES_H
#define MEDIAMON_MANGA_PAGES_H

/*
 * The pages and the cover of a series of /manga (manga_view.h), as
 * files:
 *
 *   VOLUME.pages/0001.EXT ...  the pages of each volume archive (zip,
 *              rar or 7z) whose scan found pages, VOLUME its name in
 *              /library/manga (views_manga.h), the pages numbered from
 *              1 in natural order (pages.h), four digits or more, EXT
 *              the page's own extension in lower case (jpg, jpeg, png,
 *              webp or gif); 0001 is the volume's cover
 *   cover.EXT  the series' cover: page 0001 of its first volume in
 *              volume order with a cover in the OPDS catalog
 *              (opds_shelf.h), as its series entries link to it
 *
 * Only a volume file the caller may read is there for it. A folder lists
 * its pages, and a page's stat() gives its size and its archive's mtime,
 * from the archive's index (read once per change of the archive:
 * pages_cache.h, through opds_pages_names() and opds_pages_stat()); a
 * page is read alone, when it is opened, within the limits and the
 * budget of pages.h, through opds_pages_read(): a page past
 * PAGES_MAX_IMAGE, or an archive past the unpacking budget, fails with
 * EFBIG, an archive past PAGES_MAX_ENTRIES entries with E2BIG, one past
 * the time budget with EAGAIN (each logged), and entries that are no
 * pages (a link, a path out of the archive, a size past the limit) are
 * not listed.
 */

#include <stdint.h>

struct node;

/* Fill *out for rest, what follows "/manga/SERIES/" in a path, in the
 * series of that id: 0, or -ENOENT when it is none of these files. */
int manga_pages_resolve(int64_t series, const char *rest, struct node *out);

/* List the series' VOLUME.pages folders and cover (rest NULL), or one
 * VOLUME.pages folder's pages (rest its name): 0 or a negative errno
 * value. fn returns nonzero to stop. */
int manga_pages_list(int64_t series, const char *rest,
		     int (*fn)(const char *name, const struct node *child,
			       void *arg),
		     void *arg);

#endif
