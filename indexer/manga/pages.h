/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_PAGES_H
#define MEDIAMON_PAGES_H

/*
 * The pages of a volume archive (comic_archive.h), for the covers and
 * the page streaming of the OPDS catalog: the first page is the cover.
 *
 * A page is an entry that is a regular file (no link, no hard link)
 * whose name ends in .jpg, .jpeg, .png, .webp or .gif (any case), whose
 * path stays inside the archive (not absolute, no ".." between slashes
 * or backslashes) and whose declared size is at most PAGES_MAX_IMAGE;
 * the first page is the first in natural order ("2.jpg" before
 * "10.jpg", strverscmp()). At most PAGES_MAX_ENTRIES entries are
 * walked. An entry is read only up to PAGES_MAX_IMAGE bytes, whatever
 * its header says: never more is held in memory.
 *
 * The functions below read the archive at fd (the caller's, read with
 * pread() alone) and return 0 or a negative errno value: -EINVAL when it
 * is no archive, -ENOENT when it holds no page (or not that one), -E2BIG
 * past PAGES_MAX_ENTRIES entries, -EFBIG for a page past
 * PAGES_MAX_IMAGE, -ENOMEM, or the -errno of a failed read.
 */

#include <stddef.h>

struct archive_entry;
struct strbuf;

#define PAGES_MAX_ENTRIES 10000
#define PAGES_MAX_IMAGE (32 << 20)

/*
 * Append the bytes of page n (from 0, in natural order; page 0 is the
 * cover) to out, and put its entry name into *name (malloc'd); -ENOENT
 * when there are no more pages than n. One walk of the archive lists
 * the page names, holding no page but one: the page that stands n-th as
 * stored, read in the same walk, which is page n in an archive that
 * stores its pages in natural order (the usual). Only where page n
 * stands elsewhere is the archive walked a second time, for it. On an
 * error, out is as it was and *name NULL.
 */
int pages_read_nth(int fd, size_t n, char **name, struct strbuf *out);

/*
 * Every page's name, in natural order, into *names (malloc'd, as each
 * name; NULL when there is none) and their number into *nr, from one
 * walk that reads no page; array_free_strings() frees them. On an error
 * *names is NULL and *nr 0.
 */
int pages_names(int fd, char ***names, size_t *nr);

/*
 * What a walk of the archive's entries learns of its pages, one entry at
 * a time (the scan's walk for ComicInfo.xml, comicinfo.h): how many
 * there are and the first one's kind, -1 when it has none. Past
 * PAGES_MAX_ENTRIES entries, or when the walk was cut short, it holds
 * none: such an archive is not read.
 */
struct pages_tally {
	size_t entries, pages;
	char *first;	/* malloc'd */
	int cut;	/* the walk ended before the last entry */
	/* entries named as pages that are none: a link, a path out of
	 * the archive, a size past PAGES_MAX_IMAGE */
	size_t refused;
};

/* Count the entry e; 0 or -ENOMEM. */
int pages_tally_add(struct pages_tally *t, struct archive_entry *e);
/* The number of pages and the first one's kind into *kind (-1: none),
 * then free what t holds. */
size_t pages_tally_end(struct pages_tally *t, int *kind);

/* The formats of pages: the kind of a page by its name (an index below
 * PAGES_KINDS), or -1 when the name is no page's, and by an extension
 * alone ("jpg"; NULL is none); each kind's extension and media type
 * ("image/jpeg"). */
#define PAGES_KINDS 5
int pages_kind(const char *name);
int pages_ext_kind(const char *ext);
const char *pages_ext(int kind);
const char *pages_type(int kind);

#endif
