/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The bytes of a volume folder's zip that are not its images
 * (opds_zip_format.h): where each header lies, and each header and end
 * record made from the entries' names, sizes, times and CRC-32s. It
 * reads no file and asks the store nothing.
 */
#include "fs/tree/opds_zip_format.h"

#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "common/bytes.h"
#include "common/utf8.h"

#define LOCAL_SIZE 30		/* a local file header, without its name */
#define CENTRAL_SIZE 46		/* a central directory header, likewise */
#define END_SIZE 22		/* the end of central directory record */
#define END64_SIZE 56		/* the ZIP64 end of central directory */
#define LOCATOR_SIZE 20		/* and its locator */
#define MAX32 0xffffffffULL
#define MAX16 0xffffU
#define ZIP64_VERSION 45
#define STORED_VERSION 10
#define UTF8_FLAG 0x800
#define UT_SIZE 9		/* the extended timestamp field, mtime alone */

/* The local header of e needs ZIP64 sizes; its central header ZIP64
 * sizes, offset, or both. */
static int big(const struct opds_zip_entry *e)
{
	return e->size >= MAX32;
}

/* The ZIP64 field of e's central header: its length, 0 when none. */
static size_t central64(const struct opds_zip_entry *e)
{
	size_t n = (big(e) ? 16 : 0) + (e->offset >= MAX32 ? 8 : 0);

	return n ? n + 4 : 0;
}

/* Each header has the Unix time field ("UT": the mtime in UTC, which
 * the DOS time in UTC is not for unzip), then what ZIP64 needs. */
static size_t local_extra(const struct opds_zip_entry *e)
{
	return UT_SIZE + (big(e) ? 20 : 0);
}

static size_t central_extra(const struct opds_zip_entry *e)
{
	return UT_SIZE + central64(e);
}

static int needs_end64(const struct opds_zip *z)
{
	return z->nr >= MAX16 || z->cd_offset >= MAX32 ||
	       z->cd_size >= MAX32;
}

void opds_zip_lay_out(struct opds_zip *z)
{
	uint64_t at = 0;

	for (size_t i = 0; i < z->nr; i++) {
		struct opds_zip_entry *e = &z->v[i];

		e->offset = at;
		at += LOCAL_SIZE + e->name_len + local_extra(e) + e->size;
	}
	z->cd_offset = at;
	for (size_t i = 0; i < z->nr; i++) {
		struct opds_zip_entry *e = &z->v[i];

		e->cd_offset = at;
		at += CENTRAL_SIZE + e->name_len + central_extra(e);
	}
	z->cd_size = at - z->cd_offset;
	z->end_offset = at;
	z->size = at + (needs_end64(z) ? END64_SIZE + LOCATOR_SIZE : 0) +
		  END_SIZE;
}

static uint64_t cap32(uint64_t v)
{
	return v >= MAX32 ? MAX32 : v;
}

/* Whether name is UTF-8 beyond ASCII, which the zip's flag then says. */
static int utf8_name(const char *name, size_t len)
{
	const unsigned char *s = (const unsigned char *)name;
	unsigned int cp;
	int wide = 0;

	for (size_t i = 0, k; i < len; i += k) {
		k = utf8_decode(s + i, len - i, &cp);
		if (!k)
			return 0;
		wide |= k > 1;
	}
	return wide;
}

/* What the local and central headers of e share, from "version needed"
 * to the name's length. */
static unsigned char *common_fields(unsigned char *p,
				    const struct opds_zip_entry *e,
				    int zip64)
{
	unsigned t, d;

	bytes_dos_time((time_t)(e->mtime_ns / 1000000000), &t, &d);
	p = bytes_put_le16(p, zip64 ? ZIP64_VERSION : STORED_VERSION);
	p = bytes_put_le16(p, utf8_name(e->name, e->name_len) ? UTF8_FLAG : 0);
	p = bytes_put_le16(p, 0);		/* stored */
	p = bytes_put_le16(p, t);
	p = bytes_put_le16(p, d);
	p = bytes_put_le32(p, e->crc);
	p = bytes_put_le32(p, cap32(e->size));
	p = bytes_put_le32(p, cap32(e->size));
	return bytes_put_le16(p, (unsigned)e->name_len);
}

/* The "UT" field of e: its mtime in seconds (cut to 32 bits). */
static unsigned char *unix_time(unsigned char *p,
				const struct opds_zip_entry *e)
{
	int64_t t = e->mtime_ns / 1000000000;

	p = bytes_put_le16(p, 0x5455);
	p = bytes_put_le16(p, UT_SIZE - 4);
	*p++ = 1;			/* the mtime alone */
	return bytes_put_le32(p, t < 0 ? 0 : (uint64_t)t > MAX32 ? MAX32 :
		     (uint64_t)t);
}

size_t opds_zip_local_header(const struct opds_zip_entry *e, unsigned char *b)
{
	unsigned char *p = bytes_put_le32(b, 0x04034b50);

	p = common_fields(p, e, big(e));
	p = bytes_put_le16(p, (unsigned)local_extra(e));
	memcpy(p, e->name, e->name_len);
	p += e->name_len;
	p = unix_time(p, e);
	if (big(e)) {
		p = bytes_put_le16(p, 1);
		p = bytes_put_le16(p, 16);
		p = bytes_put_le64(p, e->size);
		p = bytes_put_le64(p, e->size);
	}
	return (size_t)(p - b);
}

size_t opds_zip_central_header(const struct opds_zip_entry *e,
			       unsigned char *b)
{
	size_t extra = central64(e);
	unsigned char *p = bytes_put_le32(b, 0x02014b50);

	p = bytes_put_le16(p, 3 << 8 | ZIP64_VERSION);	/* made by: Unix */
	p = common_fields(p, e, extra != 0);
	p = bytes_put_le16(p, (unsigned)central_extra(e));
	p = bytes_put_le16(p, 0);		/* comment */
	p = bytes_put_le16(p, 0);		/* disk */
	p = bytes_put_le16(p, 0);		/* internal attributes */
	p = bytes_put_le32(p, (uint64_t)(S_IFREG | 0444) << 16);
	p = bytes_put_le32(p, cap32(e->offset));
	memcpy(p, e->name, e->name_len);
	p += e->name_len;
	p = unix_time(p, e);
	if (extra) {
		p = bytes_put_le16(p, 1);
		p = bytes_put_le16(p, (unsigned)extra - 4);
		if (big(e)) {
			p = bytes_put_le64(p, e->size);
			p = bytes_put_le64(p, e->size);
		}
		if (e->offset >= MAX32)
			p = bytes_put_le64(p, e->offset);
	}
	return (size_t)(p - b);
}

/* The ZIP64 end records where needed, then the end record. */
size_t opds_zip_end_records(const struct opds_zip *z, unsigned char *b)
{
	unsigned char *p = b;

	if (needs_end64(z)) {
		p = bytes_put_le32(p, 0x06064b50);
		p = bytes_put_le64(p, END64_SIZE - 12);
		p = bytes_put_le16(p, 3 << 8 | ZIP64_VERSION);
		p = bytes_put_le16(p, ZIP64_VERSION);
		p = bytes_put_le32(p, 0);
		p = bytes_put_le32(p, 0);
		p = bytes_put_le64(p, z->nr);
		p = bytes_put_le64(p, z->nr);
		p = bytes_put_le64(p, z->cd_size);
		p = bytes_put_le64(p, z->cd_offset);
		p = bytes_put_le32(p, 0x07064b50);
		p = bytes_put_le32(p, 0);
		p = bytes_put_le64(p, z->end_offset);
		p = bytes_put_le32(p, 1);
	}
	p = bytes_put_le32(p, 0x06054b50);
	p = bytes_put_le16(p, 0);
	p = bytes_put_le16(p, 0);
	p = bytes_put_le16(p, z->nr >= MAX16 ? MAX16 : (unsigned)z->nr);
	p = bytes_put_le16(p, z->nr >= MAX16 ? MAX16 : (unsigned)z->nr);
	p = bytes_put_le32(p, cap32(z->cd_size));
	p = bytes_put_le32(p, cap32(z->cd_offset));
	p = bytes_put_le16(p, 0);
	return (size_t)(p - b);
}

size_t opds_zip_local_len(const struct opds_zip_entry *e)
{
	return LOCAL_SIZE + e->name_len + local_extra(e);
}
