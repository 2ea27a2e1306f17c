/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_OPDS_ZIP_FORMAT_H
#define MEDIAMON_OPDS_ZIP_FORMAT_H

/*
 * The headers and end records of a volume folder's zip (opds_zip.h),
 * stored entries with a Unix time field each, ZIP64 records where a
 * size, an offset or the count must have them and only there. Each is
 * made into a buffer of OPDS_ZIP_HEADER_MAX bytes when a read reaches
 * it; opds_zip_lay_out() places them. Also the zip's and its entries'
 * structures, which opds_zip.h fills from the store.
 */

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct opds_zip_entry {
	int64_t file;		/* files.id */
	char *name;		/* its file name, and so its name inside */
	size_t name_len;
	uint64_t size, offset;	/* offset: of its local header */
	uint64_t cd_offset;	/* of its central directory header */
	int64_t mtime_ns;
	int64_t inode;		/* the store's: the file its CRC-32 is of */
	uint32_t crc;
	int crc_known;
	dev_t dev;		/* the file the opener was allowed, when */
	ino_t ino;		/* pinned (struct opds_zip) */
};

struct opds_zip {
	struct opds_zip_entry *v;
	size_t nr, alloc;
	char *folder;		/* absolute; NULL until opds_zip_locate() */
	uint64_t cd_offset, cd_size, end_offset, size;
	int64_t mtime_ns;	/* the newest of the folder and its images */
	int cover;		/* its first image's kind (pages.h) */
	int pinned;		/* a read must open each entry's dev, ino */
	/* a read's: one image open at a time */
	pthread_mutex_t lock;
	int fd;
	size_t fd_entry;
};

/* Place each entry's headers and the end records, and so the size, from
 * the entries' names and sizes (opds_zip_build() does; a test lays out
 * entries of its own, whose CRC-32 it gives). */
void opds_zip_lay_out(struct opds_zip *z);


/* The most bytes a header or the end records take. */
#define OPDS_ZIP_HEADER_MAX (46 + 65535 + 28)

/* The length of e's local header, its name and extra fields included. */
size_t opds_zip_local_len(const struct opds_zip_entry *e);

/* e's local header, its central directory header, and z's end records
 * into b: how many bytes. */
size_t opds_zip_local_header(const struct opds_zip_entry *e,
			     unsigned char *b);
size_t opds_zip_central_header(const struct opds_zip_entry *e,
			       unsigned char *b);
size_t opds_zip_end_records(const struct opds_zip *z, unsigned char *b);

#endif
