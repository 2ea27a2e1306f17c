/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_OPDS_PAGES_H
#define MEDIAMON_OPDS_PAGES_H

/*
 * /opds/pages: the pages of each volume archive of the catalog, for
 * OPDS-PSE page streaming, as FILE/N where FILE is the volume's files.id
 * and N a page's number from 0 in natural order (pages.h). The folders
 * list nothing; a page is found by the template its feed gives, and
 * only by a caller that may read the volume file. Each open reads the
 * archive as the caller, the page names and the one page in one walk
 * (pages_read_nth()), never past PAGES_MAX_IMAGE bytes (EFBIG when its
 * bytes run past it), E2BIG for an archive grown past PAGES_MAX_ENTRIES
 * entries, ENOENT for a number past its last page.
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
 * -E2BIG are logged here, with the file's id; -ENOENT for no archive.
 * The one reader of a volume's pages for the mount.
 */
int opds_pages_read(struct strbuf *out, int64_t file, size_t n, int kind);

/* The page of the node's series field (node.h): file *
 * PAGES_MAX_ENTRIES + the page's number. */
int opds_pages_render(struct strbuf *out, int64_t key);

#endif
