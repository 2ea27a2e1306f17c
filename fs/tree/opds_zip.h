/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_OPDS_ZIP_H
#define MEDIAMON_OPDS_ZIP_H

/*
 * A volume that is a folder of images, served by the OPDS catalog
 * (opds.h) as a generated .cbz: a zip whose entries are stored (no
 * compression), so that its size is known from the store's rows before
 * a byte of it is made, and made while it is read, never whole in
 * memory.
 *
 * Its entries are the folder's images (pages.h's kinds, by name), by
 * name, each under its own name (flagged UTF-8 when it is UTF-8), with
 * its own mtime; nothing else of the folder goes in. ZIP64 records are
 * written where a size, an offset or the count must have them and only
 * there. Its mtime is the newest of the folder's and its images'; the
 * same rows give the same bytes, so a download resumed after a restart
 * is right. A folder with no image has no zip (-ENOENT), nor has one of
 * more than PAGES_MAX_ENTRIES files (counted from the store's index
 * first), as an archive of more entries has no pages (-E2BIG, logged
 * once for the folder).
 *
 * An image's CRC-32 is the one the scan read of it (scan_read.h), kept in
 * the store with its size and mtime: no request's thread reads an image
 * for it. A zip one of whose images has no CRC-32 there yet (a store
 * older than them), or whose size or mtime on disk is no longer the
 * store's (changed, not scanned yet), is refused at the open with
 * -EAGAIN, try again later: the folder's scan is asked for and the
 * refusal logged, once for each state of its rows. Not a zip with data
 * descriptors: its central directory, which readers read first, must
 * hold every CRC-32 too. The open counts as the unpacking of a page for
 * the caller's cap (open_caps.h): one user's loop of opens holds at
 * most that many of the threads. The caller (caller.h) must be allowed
 * to list the folder and read every image at the open (-EACCES, as for
 * a volume file it may not read); the reads then open those images, and
 * only those, as the daemon, as a descriptor opened before a chmod
 * still reads (so the HTTP listener's body, read on no request, reads
 * them too). An image changed after the open (its size or mtime no
 * longer the store's) fails the read with -EIO, logged; the next scan
 * gives the zip its new size, time and CRC-32.
 *
 *	struct opds_zip *z;
 *
 *	if (!opds_zip_open(dir, &z)) {
 *		n = opds_zip_read(z, buf, size, off);
 *		opds_zip_free(z);
 *	}
 */

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "fs/tree/opds_zip_format.h"

struct stat;
struct strbuf;


/* The zip of the folder dir (a directories.id), laid out from the
 * store's rows; the caller holds a snapshot (query_begin()) or reads
 * in one. 0, -ENOENT (no such folder, or no image in it), -ENOMEM or an
 * error of the store. */
int opds_zip_build(int64_t dir, struct opds_zip **out);


/* Find where z's folder is on disk (for its reads and checks): 0 or a
 * negative errno value. */
int opds_zip_locate(struct opds_zip *z);

/* 0 when this thread's caller may list z's folder and read each of its
 * images (the owner always), -EACCES when not. z is located. */
int opds_zip_access(const struct opds_zip *z);

/* opds_zip_build(), opds_zip_locate() and opds_zip_access() in one
 * snapshot of the store, for a read; for a caller other than the owner,
 * each image is opened as the caller once and its file (dev, ino) kept:
 * a read finds another file there (swapped since) -EACCES, logged. Every
 * CRC-32 is known once it returns. -EAGAIN (or -ENOMEM) when the caller
 * is at its cap of pages unpacked at once (open_caps_unpack_begin()), or
 * when a CRC-32 is not the scan's of the image on disk (above). */
int opds_zip_open(int64_t dir, struct opds_zip **out);

/* Size and times (mtime, as atime and ctime too) of the zip of the folder
 * dir into *st: 0 or a negative errno value (node.h's stat_series). */
int opds_zip_stat(int64_t dir, struct stat *st);

/* Up to size bytes of the zip from off into buf: how many (0 past its
 * end) or a negative errno value. Any thread. */
ssize_t opds_zip_read(struct opds_zip *z, char *buf, size_t size,
		      uint64_t off);

/* Free z (NULL is taken) and close what it holds open. */
void opds_zip_free(struct opds_zip *z);

#endif
