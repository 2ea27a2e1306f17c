/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_OPDS_COVER_H
#define MEDIAMON_OPDS_COVER_H

/*
 * /opds/covers: the cover of each volume archive of the catalog, its
 * first page (indexer/manga/pages.h), as FILE.EXT where FILE is the
 * volume's files.id and EXT its page's extension, as the last scan of
 * the volume found it (a feed shows no cover the scan did not find, and
 * opens no archive). The folder lists nothing; a cover is found by the
 * name its feed gives, and only by a caller that may read the volume
 * file. It is read out of the archive as the caller, when opened, never
 * past PAGES_MAX_IMAGE bytes: a page whose bytes run past it (its header
 * said less) fails the open with EFBIG, an archive grown past
 * PAGES_MAX_ENTRIES entries with E2BIG, and nothing else is touched;
 * a stat() answers from the archive's index (opds_pages_stat()). The
 * cover of a volume that is a folder of images is its first image, as
 * FILE.EXT where FILE is that image's files.id: the image itself.
 */

#include <stdint.h>

struct node;
struct strbuf;

/*
 * The name of the cover of the volume file (a files.id) whose first
 * page is of kind (pages.h; the scan learnt it, comicinfo.h), appended
 * to out; its media type is pages_type(kind). No archive is opened.
 */
void opds_cover_name(int64_t file, int kind, struct strbuf *out);

/* Fill *out for name, an entry of /opds/covers: 0 or -ENOENT. */
int opds_cover_resolve(const char *name, struct node *out);

/* The cover of the node's series field (node.h): file * PAGES_KINDS +
 * the page's kind. */
int opds_cover_render(struct strbuf *out, int64_t key);

#endif
