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
#include <stdint.h>

struct archive_entry;
struct strbuf;

#define PAGES_MAX_ENTRIES 10000
#define PAGES_MAX_IMAGE (32 << 20)

/*
 * Every walk below carries the scan's budget (comicinfo.h): it ends
 * with -EFBIG before it would unpack more than PAGES_MAX_UNPACK bytes of
 * entries to pass over them (a solid 7z or RAR, where passing over an
 * entry means unpacking it; an entry of unknown size counts as past the
 * budget), and with -ETIMEDOUT once the walking thread has spent the
 * processor time of pages_set_cpu_budget() on it, or PAGES_MAX_WALL_S
 * of wall time (a share that stalls).
 */
#define PAGES_MAX_UNPACK (64 << 20)
#define PAGES_MAX_WALL_S 60

/* The processor time a walk may spend: [manga] page_walk_cpu, 10 s
 * until set; safe from any thread. */
void pages_set_cpu_budget(long ms);

/* The pages of an archive in natural order, from one walk reading none. */
struct pages_index {
	struct pages_entry {
		char *name;	/* malloc'd */
		int64_t size;	/* as its header says; -1: not said */
		/* its place among the pages as stored: that of the
		 * first page of its name, the one read by that name */
		size_t at;
	} *pages;
	size_t nr;
	size_t bytes;		/* what the index holds in memory */
};

/* Read the index of the archive at fd into *ix: 0 or an error, *ix then
 * empty. pages_index_release() frees what it holds. */
int pages_index(int fd, struct pages_index *ix);
void pages_index_release(struct pages_index *ix);

/*
 * Append the bytes of page n of ix, the index of the archive at fd, to
 * out, from a walk that ends at that page: -ENOENT when there are no more
 * pages than n, or when the archive no longer holds it where ix says.
 * On an error, out is as it was.
 */
int pages_read(int fd, const struct pages_index *ix, size_t n,
	       struct strbuf *out);

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
