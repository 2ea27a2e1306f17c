/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_OPDS_PAGES_H
#define MEDIAMON_OPDS_PAGES_H

/*
 * /opds/pages: the pages of each volume archive of the catalog, for
 * OPDS-PSE page streaming, as FILE/N where FILE is the volume's files.id
 * and N a page's number from 0 in natural order (pages.h). The folders
 * list nothing; a page is found by the template its feed gives, and
 * only by a caller that may read the volume file. The archive is opened
 * as the caller each time; its index of pages (names, sizes) is read once
 * per change of it (pages_cache.h), a stat() answers from it with the
 * archive's own mtime, and an open reads that one page in a walk that
 * ends there (pages_read()), never past PAGES_MAX_IMAGE bytes (EFBIG when
 * its bytes run past it), nor past the walks' budget (pages.h: EFBIG
 * past the unpacking budget, EAGAIN past the time), E2BIG for an archive
 * grown past PAGES_MAX_ENTRIES entries, ENOENT for a number past its
 * last page.
 */

#include <stddef.h>
#include <stdint.h>

struct node;
struct strbuf;

/* Fill *out for name, FILE or FILE/N below /opds/pages: 0 or -ENOENT. */
int opds_pages_resolve(const char *name, struct node *out);

/*
 * Append page n (from 0, natural order) of the volume file (a files.id)
 * to out, read through the caller's own descriptor of it; when kind is
 * not -1, -ENOENT unless the page is of that kind (pages.h). -EFBIG and
 * -E2BIG are logged here, with the file's id, and so is the walk's time
 * running out, returned as -EAGAIN; -ENOENT for no archive.
 * The one reader of a volume's pages for the mount.
 */
int opds_pages_read(struct strbuf *out, int64_t file, size_t n, int kind);

/*
 * The size of page n of the volume file, as its header says, and its
 * archive's mtime (as ctime and atime too) into *st, from the index:
 * 0; 1 when the header does not say the size (the page must be read for
 * it, st's times set); or an error as opds_pages_read()'s.
 */
struct stat;
int opds_pages_stat(int64_t file, size_t n, int kind, struct stat *st);

/* Every page's name of the volume file, in natural order (pages.h), from
 * its index, into *names (malloc'd, as each; array_free_strings()) and
 * their number into *nr: 0 or an error as opds_pages_read()'s. */
int opds_pages_names(int64_t file, char ***names, size_t *nr);

/* The page of the node's series field (node.h): file *
 * PAGES_MAX_ENTRIES + the page's number. */
int opds_pages_render(struct strbuf *out, int64_t key);

#endif
