/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * libarchive read through a caller's descriptor at an offset of our own
 * (comic_archive.h), in the comic formats alone. It opens; what is read
 * out of the entries is its callers' business.
 */
#include "indexer/manga/comic_archive.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/bytes.h"

/* Reads go through pread() so the caller's file offset never moves. */
static la_ssize_t source_read(struct archive *a, void *data,
			      const void **buf)
{
	struct comic_archive_source *src = data;
	ssize_t n;

	do
		n = pread(src->fd, src->buf, sizeof(src->buf), src->off);
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		src->err = -errno;
		archive_set_error(a, errno, "read failed");
		return -1;
	}
	src->off += n;
	*buf = src->buf;
	return n;
}

/*
 * Skipping costs nothing but moving the offset; never past the end, so
 * libarchive sees a cut file as cut.
 */
static la_int64_t source_skip(struct archive *a, void *data,
			      la_int64_t request)
{
	struct comic_archive_source *src = data;
	int64_t n = src->size - src->off;

	(void)a;
	if (n > request)
		n = request;
	if (n < 0)
		n = 0;
	src->off += n;
	return n;
}

/*
 * Seeking lets libarchive read a zip's central directory and a 7z's
 * header at the end, instead of guessing from the local headers.
 */
static la_int64_t source_seek(struct archive *a, void *data,
			      la_int64_t offset, int whence)
{
	struct comic_archive_source *src = data;
	int64_t base;

	switch (whence) {
	case SEEK_SET:
		base = 0;
		break;
	case SEEK_CUR:
		base = src->off;
		break;
	case SEEK_END:
		base = src->size;
		break;
	default:
		archive_set_error(a, EINVAL, "bad seek");
		return ARCHIVE_FATAL;
	}
	if (offset < -base || offset > INT64_MAX - base) {
		archive_set_error(a, EINVAL, "seek out of range");
		return ARCHIVE_FATAL;
	}
	src->off = base + offset;
	return src->off;
}

/*
 * Only the formats comic archives come in, so nothing else is even
 * tried; and no decompression filters, as a .cbt is a plain tar. These
 * calls fail only when memory runs out.
 */
static int setup(struct archive *a, struct comic_archive_source *src)
{
	static int (*const formats[])(struct archive *) = {
		archive_read_support_format_zip,
		archive_read_support_format_rar,
		archive_read_support_format_rar5,
		archive_read_support_format_7zip,
		archive_read_support_format_tar,
	};

	for (size_t i = 0; i < ARRAY_SIZE(formats); i++)
		if (formats[i](a) < ARCHIVE_WARN)
			return -ENOMEM;
	if (archive_read_set_read_callback(a, source_read) ||
	    archive_read_set_skip_callback(a, source_skip) ||
	    archive_read_set_seek_callback(a, source_seek) ||
	    archive_read_set_callback_data(a, src))
		return -ENOMEM;
	return 0;
}

int comic_archive_open(struct comic_archive *ca, int fd)
{
	struct stat st;
	int r, err;

	ca->a = NULL;
	ca->src.fd = fd;
	ca->src.err = 0;
	ca->src.off = 0;
	if (fstat(fd, &st))
		return -errno;
	ca->src.size = st.st_size;
	ca->a = archive_read_new();
	if (!ca->a)
		return -ENOMEM;
	err = setup(ca->a, &ca->src);
	if (err)
		return err;
	r = archive_read_open1(ca->a);
	if (r == ARCHIVE_OK || r == ARCHIVE_WARN)
		return 0;
	return ca->src.err ? ca->src.err : -EINVAL;
}

int comic_archive_unpacks(struct archive *a)
{
	int format = archive_format(a) & ARCHIVE_FORMAT_BASE_MASK;

	return format == ARCHIVE_FORMAT_7ZIP || format == ARCHIVE_FORMAT_RAR ||
	       format == ARCHIVE_FORMAT_RAR_V5;
}

void comic_archive_close(struct comic_archive *ca)
{
	if (ca->a)
		archive_read_free(ca->a);
	ca->a = NULL;
}
