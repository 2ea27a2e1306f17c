/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * An ID3v2 frame's content and text: its format flags undone
 * (unsynchronisation, a grouping byte, zlib compression) and its strings
 * decoded to UTF-8 as mutagen decodes them: UTF-16 without a byte order
 * mark is read as little-endian, and with a mark that does not fit the
 * bytes the other way is tried before giving up. It knows no frame ids
 * and stores no value; that is tags_id3_values.c's.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include <zlib.h>

#include "common/bytes.h"
#include "common/utf8.h"
#include "indexer/library/tags_id3_private.h"

#define TEXT_MAX	65536		/* a frame's text, once inflated */

size_t tags_id3_unsync_decode(const unsigned char *in, size_t len,
			      unsigned char *out)
{
	size_t i, n = 0;

	for (i = 0; i < len; i++) {
		if (in[i] == 0xff && (i + 1 == len || in[i + 1] >= 0xe0 ||
				      in[i + 1] == 0xff)) {
			memcpy(out, in, len);
			return len;
		}
	}
	for (i = 0; i < len; i++) {
		out[n++] = in[i];
		if (in[i] == 0xff && !in[i + 1])
			i++;
	}
	return n;
}

/* Inflate the zlib stream at in into out (TEXT_MAX bytes). Returns the
 * length, or -1 when it is not a whole stream that fits. */
static ssize_t inflate_text(const unsigned char *in, size_t len,
			    unsigned char *out)
{
	z_stream z = { 0 };
	ssize_t n = -1;

	if (inflateInit(&z) != Z_OK)
		return -1;
	z.next_in = (unsigned char *)in;
	z.avail_in = len;
	z.next_out = out;
	z.avail_out = TEXT_MAX;
	if (inflate(&z, Z_FINISH) == Z_STREAM_END)
		n = TEXT_MAX - z.avail_out;
	inflateEnd(&z);
	return n;
}

/* The compressed frame DATA of LEN bytes inflated into own[1], then in
 * *OUT and *OUT_LEN; DLI is its version 4 data length indicator, CLAIM
 * the size version 3 says. -ERANGE when the size is not the one said. */
static int frame_inflate(const unsigned char *data, size_t len,
			 const unsigned char *dli, uint64_t claim,
			 unsigned char *own[2], const unsigned char **out,
			 size_t *out_len)
{
	ssize_t n;

	own[1] = malloc(TEXT_MAX);
	if (!own[1])
		return -ENOMEM;
	n = inflate_text(data, len, own[1]);
	/* A compressed frame may lack the size mutagen 0.12 did not write:
	 * then the four bytes taken for it are the start of the data. */
	if (n < 0 && dli) {
		unsigned char *joined = malloc(len + 4);

		if (!joined)
			return -ENOMEM;
		memcpy(joined, dli, 4);
		memcpy(joined + 4, data, len);
		n = inflate_text(joined, len + 4, own[1]);
		free(joined);
	}
	if (n < 0)
		return -EBADMSG;
	*out = own[1];
	*out_len = n;
	if (dli)
		claim = bytes_syncsafe32(dli);
	return claim == (uint64_t)n ? 0 : -ERANGE;
}

int tags_id3_frame_content(unsigned int ver, int tag_unsync,
			   unsigned int flags, const unsigned char *data,
			   size_t len, unsigned char *own[2],
			   const unsigned char **out, size_t *out_len)
{
	const unsigned char *dli = NULL;
	int zipped = 0, unsync = 0;
	uint64_t claim = 0;

	if (ver == 4) {
		if (flags & V4_GROUPED) {
			if (!len)
				return -EBADMSG;
			data++;
			len--;
		}
		if (flags & (V4_COMPRESSED | V4_LENGTH)) {
			if (len < 4)
				return -EBADMSG;
			dli = data;
			data += 4;
			len -= 4;
		}
		unsync = flags & V4_UNSYNCED || tag_unsync;
		if (flags & V4_ENCRYPTED)
			return 1;
		zipped = flags & V4_COMPRESSED;
	} else if (ver == 3) {
		if (flags & V3_COMPRESSED) {
			if (len < 4)
				return -EBADMSG;
			claim = bytes_be32(data);
			data += 4;
			len -= 4;
		}
		if (flags & V3_ENCRYPTED)
			return 1;
		if (flags & V3_GROUPED) {
			if (!len)
				return -EBADMSG;
			data++;
			len--;
		}
		zipped = flags & V3_COMPRESSED;
	}
	if (unsync && len) {
		own[0] = malloc(len);
		if (!own[0])
			return -ENOMEM;
		len = tags_id3_unsync_decode(data, len, own[0]);
		data = own[0];
	}
	*out = data;
	*out_len = len;
	if (!zipped)
		return 0;
	return frame_inflate(data, len, dli, claim, own, out, out_len);
}

size_t tags_id3_put_utf8(unsigned char *out, unsigned int cp)
{
	if (cp < 0x80) {
		out[0] = cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = 0xc0 | cp >> 6;
		out[1] = 0x80 | (cp & 0x3f);
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = 0xe0 | cp >> 12;
		out[1] = 0x80 | (cp >> 6 & 0x3f);
		out[2] = 0x80 | (cp & 0x3f);
		return 3;
	}
	out[0] = 0xf0 | cp >> 18;
	out[1] = 0x80 | (cp >> 12 & 0x3f);
	out[2] = 0x80 | (cp >> 6 & 0x3f);
	out[3] = 0x80 | (cp & 0x3f);
	return 4;
}

/*
 * UTF-16 as Python's codecs decode it, over the bytes at p with, when
 * bom_le, a little-endian byte order mark taken as put in front, and,
 * when pad, a zero byte taken as put behind. enc 1 ("utf-16") takes a
 * leading mark and is little-endian without one; enc 2 ("utf-16-be")
 * has no mark. Stops after a U+0000. A surrogate out of its pair or
 * bytes cut short are an error.
 */
struct u16 {
	const unsigned char *p;
	size_t n, vlen;
	int bom_le, pad, be, bom;
};

static unsigned int u16_byte(const struct u16 *s, size_t i)
{
	if (s->bom_le && i < 2)
		return i ? 0xfe : 0xff;
	i -= s->bom_le ? 2 : 0;
	return i < s->n ? s->p[i] : 0;
}

static int u16_unit(const struct u16 *s, size_t *pos, unsigned int *u)
{
	unsigned int a, b;

	if (*pos + 2 > s->vlen)
		return 0;
	a = u16_byte(s, *pos);
	b = u16_byte(s, *pos + 1);
	*u = s->be ? a << 8 | b : b << 8 | a;
	*pos += 2;
	return 1;
}

/*
 * Decode one string; on success write it (NUL-terminated) to out, set
 * *olen to its length and return how many bytes of p it took, its
 * terminator included. Returns -1 when it does not decode.
 */
static ssize_t u16_string(struct u16 *s, int enc, unsigned char *out,
			  size_t *olen)
{
	size_t pos = 0, o = 0, skip = s->bom_le ? 2 : 0;
	unsigned int u, lo, a, b;

	s->vlen = s->n + skip + (s->pad ? 1 : 0);
	s->be = enc == 2;
	if (enc == 1 && s->vlen >= 2) {
		a = u16_byte(s, 0);
		b = u16_byte(s, 1);
		if ((a == 0xff && b == 0xfe) || (a == 0xfe && b == 0xff)) {
			s->be = a == 0xfe;
			s->bom = 1;
			pos = 2;
		}
	}
	for (;;) {
		if (!u16_unit(s, &pos, &u)) {
			if (pos < s->vlen)
				return -1;	/* an odd byte left */
			break;
		}
		if (!u)
			break;
		if (u >= 0xdc00 && u <= 0xdfff)
			return -1;
		if (u >= 0xd800 && u <= 0xdbff) {
			if (!u16_unit(s, &pos, &lo) || lo < 0xdc00 ||
			    lo > 0xdfff)
				return -1;
			u = 0x10000 + ((u - 0xd800) << 10) + (lo - 0xdc00);
		}
		o += tags_id3_put_utf8(out + o, u);
	}
	out[o] = '\0';
	*olen = o;
	pos = pos > skip ? pos - skip : 0;
	return pos < s->n ? pos : s->n;
}

/* Latin-1 and UTF-8 strings end at the first zero byte; UTF-8 that is
 * not well-formed does not decode. */
static ssize_t byte_string(const unsigned char *p, size_t n, int enc,
			   unsigned char *out, size_t *olen)
{
	size_t len = strnlen((const char *)p, n), i, o = 0, k;
	unsigned int cp;

	for (i = 0; i < len; i += k) {
		if (enc == 0) {
			o += tags_id3_put_utf8(out + o, p[i]);
			k = 1;
			continue;
		}
		k = utf8_decode(p + i, len - i, &cp);
		if (!k)
			return -1;
		memcpy(out + o, p + i, k);
		o += k;
	}
	out[o] = '\0';
	*olen = o;
	return len < n ? len + 1 : len;
}

/*
 * One string of encoding enc from the n bytes at p (tags_id3_private.h),
 * with mutagen's
 * repairs for UTF-16 (its iter_text_fixups): as it is, with a zero byte
 * added at the end, with a little-endian mark added in front, with both.
 * *repaired is set when one was needed, or a byte order mark lacked.
 */
ssize_t tags_id3_one_string(const unsigned char *p, size_t n, int enc,
			    unsigned char *out, size_t *olen, int *repaired)
{
	static const struct { int bom_le, pad; } tries[] = {
		{ 0, 0 }, { 0, 1 }, { 1, 0 }, { 1, 1 },
	};
	struct u16 s = { .p = p, .n = n };
	ssize_t used;

	if (enc == 0 || enc == 3)
		return byte_string(p, n, enc, out, olen);
	for (size_t i = 0; i < (enc == 1 ? 4u : 2u); i++) {
		s.bom_le = tries[i].bom_le;
		s.pad = tries[i].pad;
		s.bom = 0;
		used = u16_string(&s, enc, out, olen);
		if (used < 0)
			continue;
		if (i || (enc == 1 && !s.bom))
			*repaired = 1;
		return used;
	}
	return -1;
}

int tags_id3_all_zero(const unsigned char *p, size_t n)
{
	while (n && !*p) {
		p++;
		n--;
	}
	return !n;
}

int tags_id3_frame_strings(unsigned int ver, const unsigned char *p,
			   size_t n, unsigned char **out, size_t *count,
			   int *repaired)
{
	unsigned char *buf, *o;
	size_t olen;
	ssize_t used;
	int enc;

	*out = NULL;
	*count = 0;
	if (!n || p[0] > 3)
		return -EBADMSG;
	enc = p[0];
	p++;
	n--;
	buf = malloc(2 * n + 16);
	if (!buf)
		return -ENOMEM;
	o = buf;
	while (n) {
		used = tags_id3_one_string(p, n, enc, o, &olen, repaired);
		if (used < 0) {
			free(buf);
			return -EBADMSG;
		}
		o += olen + 1;
		(*count)++;
		p += used;
		n -= used;
		if (ver < 4 && tags_id3_all_zero(p, n))
			break;
	}
	*out = buf;
	return 0;
}
