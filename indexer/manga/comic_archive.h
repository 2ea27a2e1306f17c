/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_COMIC_ARCHIVE_H
#define MEDIAMON_COMIC_ARCHIVE_H

/*
 * A comic archive open for reading with libarchive through a descriptor
 * the caller owns, read with pread() alone so its offset never moves:
 * zip (.cbz, .zip, .epub), rar and rar5 (.cbr, .rar), 7z (.cb7, .7z) and
 * plain tar (.cbt), and no other format nor any decompression filter.
 * Seeking is offered, so a zip's central directory and a 7z's header are
 * read where they are.
 *
 *	struct comic_archive ca;
 *	struct archive_entry *e;
 *
 *	if (!comic_archive_open(&ca, fd)) {
 *		while (archive_read_next_header(ca.a, &e) == ARCHIVE_OK)
 *			...
 *		if (ca.src.err) ... the file could not be read ...
 *	}
 *	comic_archive_close(&ca);
 */

#include <stdint.h>

#include <archive.h>

#define COMIC_ARCHIVE_READ 65536	/* bytes per pread */

struct comic_archive {
	struct archive *a;
	struct comic_archive_source {
		int fd;
		int err;	/* -errno of a failed read, else 0 */
		int64_t size;
		int64_t off;
		char buf[COMIC_ARCHIVE_READ];
	} src;
};

/*
 * Open the archive at fd into *ca. Returns 0; -EINVAL when it is not an
 * archive of those formats (or is damaged before its first entry); the
 * -errno of a failed read or fstat(); -ENOMEM. Whatever it returns,
 * comic_archive_close() frees *ca.
 */
int comic_archive_open(struct comic_archive *ca, int fd);
void comic_archive_close(struct comic_archive *ca);

/* Whether passing over an entry of the archive a (one header read at
 * least) means unpacking it: in a solid 7z or RAR archive the entries are
 * one stream, where a zip's are apart. */
int comic_archive_unpacks(struct archive *a);

#endif
