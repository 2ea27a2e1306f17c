/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Where an embedded picture's bytes lie and how to read them back
 * (picture.h), with no tag library. It decodes no image.
 */
#include "indexer/library/picture.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "common/bytes.h"

#define READ_CHUNK	65536	/* raw bytes per read of an unsynced image */

/*
 * The fixed part of a PICTURE block is type, MIME length, MIME,
 * description length, description, width, height, depth, colours and the
 * image length, all before the image.
 */
int picture_flac(const unsigned char *buf, size_t len, uint64_t off,
		 uint32_t block_len, struct picture *pic, size_t *need)
{
	uint64_t head, mime_len, desc_len, data_len;

	*need = 8;
	if (len < *need)
		return block_len < *need ? -EBADMSG : -ENODATA;
	mime_len = bytes_be32(buf + 4);
	if (mime_len >= PICTURE_MIME_MAX || 8 + mime_len + 4 > block_len)
		return -EBADMSG;
	*need = 8 + mime_len + 4;
	if (len < *need)
		return -ENODATA;
	desc_len = bytes_be32(buf + 8 + mime_len);
	head = 8 + mime_len + 4 + desc_len + 16 + 4;
	if (head > block_len)
		return -EBADMSG;
	*need = head;
	if (len < head)
		return -ENODATA;
	data_len = bytes_be32(buf + head - 4);
	if (!data_len || data_len > block_len - head)
		return -EBADMSG;
	memset(pic, 0, sizeof(*pic));
	pic->found = 1;
	pic->type = bytes_be32(buf);
	memcpy(pic->mime, buf + 8, mime_len);
	pic->offset = off + head;
	pic->length = data_len;
	return 0;
}

/* Decoding through an ID3 frame: raw bytes read so far and decoded
 * bytes given, with 0xFF 0x00 read as 0xFF when unsynchronised. */
struct cursor {
	const unsigned char *buf;
	size_t len, raw;
	uint64_t done;
	int unsync;
};

size_t picture_unsync_take(const unsigned char *buf, size_t len,
			   size_t *pos, unsigned char *out, size_t n)
{
	size_t i;

	for (i = 0; i < n && *pos < len; i++) {
		unsigned char b = buf[(*pos)++];

		if (b == 0xff && *pos < len && !buf[*pos])
			(*pos)++;
		if (out)
			out[i] = b;
	}
	return i;
}

/* The next decoded byte, or -1 when the raw bytes run out (also when
 * they end on a 0xFF whose next byte decides). */
static int next_byte(struct cursor *c)
{
	unsigned char b;

	if (c->raw >= c->len || (c->unsync && c->buf[c->raw] == 0xff &&
				 c->raw + 1 >= c->len))
		return -1;
	if (c->unsync)
		picture_unsync_take(c->buf, c->len, &c->raw, &b, 1);
	else
		b = c->buf[c->raw++];
	c->done++;
	return b;
}

/*
 * Step over a string ending with a NUL of the text encoding (two zero
 * bytes on a two-byte boundary for UTF-16), copying up to size - 1 bytes
 * of it to out when out is not NULL. -ENODATA if it does not end.
 */
static int skip_string(struct cursor *c, int wide, char *out, size_t size)
{
	size_t n = 0;
	int a, b;

	for (;;) {
		a = next_byte(c);
		if (a < 0)
			return -ENODATA;
		if (!wide) {
			if (!a)
				break;
			if (out && n + 1 < size)
				out[n++] = a;
			continue;
		}
		b = next_byte(c);
		if (b < 0)
			return -ENODATA;
		if (!a && !b)
			break;
	}
	if (out)
		out[n] = '\0';
	return 0;
}

/*
 * APIC holds a text encoding, the MIME type, the picture type, a
 * description in that encoding and the image; ID3v2.2's PIC has a
 * three-letter image format ("JPG", "PNG") where APIC has the MIME type.
 * The MIME type "-->" says the frame holds a link, not an image.
 */
int picture_id3(const unsigned char *buf, size_t len, uint64_t off,
		unsigned int ver, int unsync, uint64_t size,
		struct picture *pic)
{
	struct cursor c = { buf, len, 0, 0, unsync };
	struct picture p = { .found = 1, .unsync = unsync };
	int enc, type, i, rc;

	enc = next_byte(&c);
	if (enc < 0)
		return -ENODATA;
	if (enc > 3)
		return -EBADMSG;
	if (ver == 2) {
		for (i = 0; i < 3; i++) {
			int b = next_byte(&c);

			if (b < 0)
				return -ENODATA;
			p.mime[i] = b;
		}
	} else {
		rc = skip_string(&c, 0, p.mime, sizeof(p.mime));
		if (rc)
			return rc;
	}
	if (!strcmp(p.mime, "-->"))
		return -ENOENT;
	type = next_byte(&c);
	if (type < 0)
		return -ENODATA;
	p.type = type;
	rc = skip_string(&c, enc == 1 || enc == 2, NULL, 0);
	if (rc)
		return rc;
	if (c.done >= size)
		return -EBADMSG;
	p.offset = off + c.raw;
	p.length = size - c.done;
	*pic = p;
	return 0;
}

int picture_choose(struct picture *best, const struct picture *cand)
{
	if (best->found && (best->type == PICTURE_FRONT ||
			    cand->type != PICTURE_FRONT))
		return 0;
	*best = *cand;
	return 1;
}

/* Undo unsynchronisation in raw while filling out; *ff carries a 0xFF
 * that ended the previous chunk. */
static void decode(const unsigned char *raw, size_t n, unsigned char *out,
		     uint64_t want, uint64_t *got, int *ff)
{
	size_t i;

	for (i = 0; i < n && *got < want; i++) {
		if (*ff && !raw[i]) {
			*ff = 0;
			continue;
		}
		*ff = raw[i] == 0xff;
		out[(*got)++] = raw[i];
	}
}

int picture_read(int fd, const struct picture *pic, unsigned char *out)
{
	unsigned char raw[READ_CHUNK];
	uint64_t off = pic->offset, got = 0;
	ssize_t n;
	int ff = 0;

	while (got < pic->length) {
		if (pic->unsync)
			n = pread(fd, raw, sizeof(raw), off);
		else
			n = pread(fd, out + got, pic->length - got, off);
		if (n < 0)
			return -errno;
		if (!n)
			return -EIO;
		off += n;
		if (pic->unsync)
			decode(raw, n, out, pic->length, &got, &ff);
		else
			got += n;
	}
	return 0;
}
