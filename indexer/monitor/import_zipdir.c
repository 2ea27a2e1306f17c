/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * A .cbz's central directory (import_private.h): found from the end
 * records (zip64 ones too), its entries' names and sizes read without
 * inflating anything, and one stored entry added to a copy of the
 * archive whose every other byte stays as it came, so that giving a
 * volume its ComicInfo.xml costs its size and never inflates a page. It
 * decides nothing of an import and opens no file.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "common/bytes.h"
#include "common/fdio.h"
#include "indexer/monitor/import_private.h"

#define EOCD_SIG 0x06054b50u
#define EOCD_LEN 22
#define LOC64_SIG 0x07064b50u
#define LOC64_LEN 20
#define EOCD64_SIG 0x06064b50u
#define EOCD64_LEN 56
#define CDH_SIG 0x02014b50u
#define CDH_LEN 46
#define LFH_SIG 0x04034b50u
#define LFH_LEN 30
#define MAX_COMMENT 0xffff
/* a directory this long lists more pages than any volume holds */
#define MAX_DIR (64u << 20)

/* The zip64 end record the locator before the classic one at eocd
 * points to, into z. */
static int read_zip64_end(int fd, off_t eocd, struct import_zipdir *z)
{
	unsigned char loc[LOC64_LEN], rec[EOCD64_LEN];
	uint64_t at;
	int ret;

	if (eocd < LOC64_LEN + EOCD64_LEN)
		return -EIO;
	ret = fdio_pread_all(fd, loc, sizeof(loc), eocd - LOC64_LEN);
	if (ret || bytes_le32(loc) != LOC64_SIG)
		return ret ? ret : -EIO;
	at = bytes_le64(loc + 8);
	if (bytes_le32(loc + 4) || bytes_le32(loc + 16) > 1 ||
	    at > (uint64_t)eocd - LOC64_LEN - EOCD64_LEN)
		return -EIO;
	ret = fdio_pread_all(fd, rec, sizeof(rec), (off_t)at);
	if (ret || bytes_le32(rec) != EOCD64_SIG || bytes_le32(rec + 16) ||
	    bytes_le32(rec + 20))
		return ret ? ret : -EIO;
	z->entries = bytes_le64(rec + 32);
	z->dir_size = bytes_le64(rec + 40);
	z->dir_off = bytes_le64(rec + 48);
	z->end = at;
	z->zip64 = 1;
	return 0;
}

/* Find the classic end record in the tail of fd (size bytes): the one
 * whose comment runs to the file's end. Its offset, or -EIO. */
static off_t find_end(int fd, off_t size, struct import_zipdir *z)
{
	size_t tail = size < EOCD_LEN + MAX_COMMENT ? (size_t)size :
		EOCD_LEN + MAX_COMMENT;
	unsigned char *buf = malloc(tail ? tail : 1);
	off_t found = -EIO;

	if (!buf)
		abort();
	if (tail < EOCD_LEN || fdio_pread_all(fd, buf, tail, size - tail))
		goto out;
	for (size_t i = tail - EOCD_LEN + 1; i-- > 0; ) {
		const unsigned char *p = buf + i;

		if (bytes_le32(p) != EOCD_SIG ||
		    i + EOCD_LEN + bytes_le16(p + 20) != tail)
			continue;
		/* one disk only: a spanned archive is not a volume */
		if (bytes_le16(p + 4) || bytes_le16(p + 6))
			break;
		z->entries = bytes_le16(p + 10);
		z->dir_size = bytes_le32(p + 12);
		z->dir_off = bytes_le32(p + 16);
		z->comment_len = bytes_le16(p + 20);
		z->comment = malloc(z->comment_len ? z->comment_len : 1);
		if (!z->comment)
			abort();
		memcpy(z->comment, p + EOCD_LEN, z->comment_len);
		found = size - (off_t)(tail - i);
		break;
	}
out:
	free(buf);
	return found;
}

/* The zip64 extra field of the directory entry at p (fixed part read),
 * for the values its fixed part marks as there: the size and the local
 * header's offset. */
static int entry_zip64(const unsigned char *p, const unsigned char *extra,
		       size_t len, uint64_t *size, uint64_t *local)
{
	while (len >= 4) {
		unsigned int id = bytes_le16(extra), n = bytes_le16(extra + 2);
		const unsigned char *v = extra + 4;

		if (n > len - 4)
			return -EIO;
		if (id == 1) {
			size_t need = 8 * ((bytes_le32(p + 24) == UINT32_MAX) +
					   (bytes_le32(p + 20) == UINT32_MAX) +
					   (bytes_le32(p + 42) == UINT32_MAX));

			if (n < need)
				return -EIO;
			if (bytes_le32(p + 24) == UINT32_MAX)
				*size = bytes_le64(v), v += 8;
			if (bytes_le32(p + 20) == UINT32_MAX)
				v += 8;
			if (bytes_le32(p + 42) == UINT32_MAX)
				*local = bytes_le64(v);
			return 0;
		}
		extra += 4 + n;
		len -= 4 + n;
	}
	return 0;
}

/* Walk the directory read into z: every entry's record whole, the
 * count the end record gives, the sizes summed. */
static int check_records(struct import_zipdir *z)
{
	const unsigned char *p = z->dir, *end = z->dir + z->dir_size;
	unsigned long long n = 0;

	z->inflated = 0;
	while (p < end) {
		uint64_t size, local;
		size_t name, extra, comment;

		if ((size_t)(end - p) < CDH_LEN || bytes_le32(p) != CDH_SIG)
			return -EIO;
		name = bytes_le16(p + 28);
		extra = bytes_le16(p + 30);
		comment = bytes_le16(p + 32);
		if ((size_t)(end - p) - CDH_LEN < name + extra + comment)
			return -EIO;
		size = bytes_le32(p + 24);
		local = bytes_le32(p + 42);
		if (entry_zip64(p, p + CDH_LEN + name, extra, &size, &local) ||
		    local >= z->dir_off)
			return -EIO;
		z->inflated += size;
		p += CDH_LEN + name + extra + comment;
		n++;
	}
	return n == z->entries ? 0 : -EIO;
}

int import_zipdir_read(int fd, struct import_zipdir *z)
{
	struct stat st;
	off_t eocd;
	int ret;

	*z = (struct import_zipdir){ .dir = NULL };
	if (fstat(fd, &st))
		return -errno;
	eocd = find_end(fd, st.st_size, z);
	if (eocd < 0)
		return -EIO;
	z->end = eocd;
	/* the classic record's values maxed out say the zip64 ones count */
	ret = read_zip64_end(fd, eocd, z);
	if (ret && (z->entries == 0xffff || z->dir_size == UINT32_MAX ||
		    z->dir_off == UINT32_MAX))
		ret = -EIO;
	else
		ret = 0;
	if (!ret && (z->dir_size > MAX_DIR || z->dir_off > z->end ||
		     z->dir_size != z->end - z->dir_off))
		ret = -EIO;
	if (!ret) {
		z->dir = malloc(z->dir_size ? z->dir_size : 1);
		if (!z->dir)
			abort();
		ret = fdio_pread_all(fd, z->dir, z->dir_size, (off_t)z->dir_off);
	}
	if (!ret)
		ret = check_records(z);
	if (ret)
		import_zipdir_release(z);
	return ret;
}

void import_zipdir_release(struct import_zipdir *z)
{
	free(z->dir);
	free(z->comment);
	z->dir = NULL;
	z->comment = NULL;
}

int import_zipdir_has(const struct import_zipdir *z, const char *name)
{
	const unsigned char *p = z->dir, *end = z->dir + z->dir_size;
	size_t len = strlen(name);

	/* check_records() checked every record */
	while (p < end) {
		size_t n = bytes_le16(p + 28);

		if (n == len && !strncasecmp((const char *)p + CDH_LEN, name,
					     len))
			return 1;
		p += CDH_LEN + n + bytes_le16(p + 30) + bytes_le16(p + 32);
	}
	return 0;
}

/* The fixed part of a stored entry's local header (sig LFH_SIG) or
 * directory record (CDH_SIG) for name and its data, into p. */
static unsigned char *put_entry(unsigned char *p, uint32_t sig, size_t name,
				const void *data, size_t len, time_t mtime)
{
	unsigned int t, d;

	bytes_dos_time(mtime, &t, &d);
	p = bytes_put_le32(p, sig);
	if (sig == CDH_SIG)
		p = bytes_put_le16(p, 3 << 8 | 20);
	p = bytes_put_le16(bytes_put_le16(bytes_put_le16(p, 20), 0), 0);
	p = bytes_put_le16(bytes_put_le16(p, t), d);
	p = bytes_put_le32(p, crc32(crc32(0, NULL, 0), data, (uInt)len));
	p = bytes_put_le32(bytes_put_le32(p, (uint32_t)len), (uint32_t)len);
	return bytes_put_le16(bytes_put_le16(p, (unsigned int)name), 0);
}

/* The end records of the archive whose directory of entries lies at
 * off, size bytes: zip64 ones when it needs them or had them. */
static int put_end(int out, const struct import_zipdir *z,
		   unsigned long long entries, uint64_t off, uint64_t size)
{
	unsigned char buf[EOCD64_LEN + LOC64_LEN + EOCD_LEN], *p = buf;
	int big = z->zip64 || entries >= 0xffff || off >= UINT32_MAX ||
		size >= UINT32_MAX;
	int ret;

	if (big) {
		p = bytes_put_le64(bytes_put_le32(p, EOCD64_SIG), EOCD64_LEN - 12);
		p = bytes_put_le16(bytes_put_le16(p, 3 << 8 | 45), 45);
		p = bytes_put_le32(bytes_put_le32(p, 0), 0);
		p = bytes_put_le64(bytes_put_le64(p, entries), entries);
		p = bytes_put_le64(bytes_put_le64(p, size), off);
		p = bytes_put_le32(bytes_put_le32(p, LOC64_SIG), 0);
		p = bytes_put_le32(bytes_put_le64(p, off + size), 1);
	}
	p = bytes_put_le16(bytes_put_le16(bytes_put_le32(p, EOCD_SIG), 0), 0);
	p = bytes_put_le16(p, big ? 0xffff : (unsigned int)entries);
	p = bytes_put_le16(p, big ? 0xffff : (unsigned int)entries);
	p = bytes_put_le32(p, big ? UINT32_MAX : (uint32_t)size);
	p = bytes_put_le32(p, big ? UINT32_MAX : (uint32_t)off);
	p = bytes_put_le16(p, (unsigned int)z->comment_len);
	ret = fdio_write_all(out, buf, p - buf);
	return ret ? ret : fdio_write_all(out, z->comment, z->comment_len);
}

/* Copy len bytes of src from its start to out, in the kernel. */
static int copy_head(int src, int out, uint64_t len)
{
	off_t at = 0;

	while ((uint64_t)at < len) {
		ssize_t n = sendfile(out, src, &at, len - at < (1 << 30) ?
				     len - at : (1 << 30));

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EAGAIN;
	}
	return 0;
}

int import_zipdir_append(int src, const struct import_zipdir *z, int out,
			 const char *name, const void *data, size_t len,
			 time_t mtime)
{
	size_t nlen = strlen(name);
	unsigned char head[CDH_LEN + 12 + 20], *p;
	uint64_t local = z->dir_off, off, extra = local >= UINT32_MAX;
	int ret;

	if (nlen > 0xffff || len >= UINT32_MAX)
		return -EINVAL;
	ret = copy_head(src, out, z->dir_off);
	p = put_entry(head, LFH_SIG, nlen, data, len, mtime);
	if (!ret)
		ret = fdio_write_all(out, head, p - head);
	if (!ret)
		ret = fdio_write_all(out, name, nlen);
	if (!ret)
		ret = fdio_write_all(out, data, len);
	if (!ret)
		ret = fdio_write_all(out, z->dir, z->dir_size);
	off = local + LFH_LEN + nlen + len;
	p = put_entry(head, CDH_SIG, nlen, data, len, mtime);
	/* the extra field's length, a comment's, the disk, attributes */
	bytes_put_le16(p - 2, extra ? 12 : 0);
	p = bytes_put_le32(bytes_put_le16(bytes_put_le16(bytes_put_le16(p, 0), 0), 0), 0100644u << 16);
	p = bytes_put_le32(p, extra ? UINT32_MAX : (uint32_t)local);
	if (!ret)
		ret = fdio_write_all(out, head, p - head);
	if (!ret)
		ret = fdio_write_all(out, name, nlen);
	p = bytes_put_le64(bytes_put_le16(bytes_put_le16(head, 1), 8), local);
	if (!ret && extra)
		ret = fdio_write_all(out, head, p - head);
	if (!ret)
		ret = put_end(out, z, z->entries + 1, off, z->dir_size +
			      CDH_LEN + nlen + (extra ? 12 : 0));
	return ret;
}
