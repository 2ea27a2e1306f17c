/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_SCAN_READ_H
#define MEDIAMON_SCAN_READ_H

/*
 * What the scanner reads in a file, and how: tags of audio files anywhere,
 * the ComicInfo.xml of volume archives under a manga root, and the CRC-32
 * of the images there (what a volume folder's generated .cbz, opds_zip.h,
 * says of its entries: read here, never on a request's thread).
 *
 *	rec->kind = scan_read_kind(name, manga);
 *	rc = scan_read_parse(s, stats, fd, st.st_size, name, rec);
 *	scan_read_note_pages(s, path, len, &rec->ci);
 */

#include <stddef.h>
#include <sys/types.h>

#include "indexer/library/scan_worker.h"

/* The kind the store keeps of file name ("flac", "mp3", ..., "archive"
 * under a manga root, or "other", which is not read). */
const char *scan_read_kind(const char *name, int manga);

/* Whether the scan reads a file of kind (scan_read_kind()) named name:
 * an audio file or an archive for its tags, an image of a manga root
 * (pages.h's kinds) for its CRC-32. */
int scan_read_wanted(const char *kind, const char *name, int manga);

/* Read the tags of the open file fd (of size bytes) into rec by its kind,
 * or the CRC-32 of an image (kind "other") into rec->crc, has_crc set;
 * returns 0, or a negative errno value when the file could not be read at
 * all (it is then left out of this scan). */
int scan_read_parse(const struct scan *s, struct scan_stats *stats, int fd,
		    off_t size, const char *name, struct music_rec *rec);

/* A volume archive whose pages are not all read (pages.h): a scan error
 * of its own, and a line of the log. */
void scan_read_note_pages(const struct scan *s, const char *path, size_t len,
			  const struct comicinfo *ci);

#endif
