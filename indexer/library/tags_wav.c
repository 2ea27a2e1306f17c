/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * WAV (RIFF, little-endian) and AIFF (FORM, big-endian): a list of
 * chunks, each a four-letter id, a 32-bit size and its data padded to an
 * even length. The stream is in WAV's "fmt " and "data" chunks, AIFF's
 * COMM chunk; the tags in an ID3v2 tag inside an "id3 " (or "ID3 ")
 * chunk, which is what mutagen reads of both, then for WAV the fields
 * it left empty from a LIST chunk of type INFO (RIFF's own tags, which
 * Windows and most rippers write: INAM, IART, IPRD, IGNR, ICRD, ITRK).
 */
#include <math.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "common/bytes.h"
#include "indexer/library/tags.h"
#include "indexer/library/tags_private.h"

#define HEAD_CHUNK	4096
#define CHUNK_HEAD	8
#define RATE_MAX	1e7	/* Hz: past this, a damaged header */

struct iff {
	int big_endian;
	uint64_t id3;			/* data offset of the ID3 chunk, or 0 */
	uint64_t info, info_end;	/* WAV: the INFO list's items, or 0 */
	uint32_t data_size;		/* WAV: of the samples */
	uint32_t block_align;		/* WAV: bytes a frame */
};

/* A 32-bit number in the file's byte order (AIFF's is big-endian). */
static uint32_t u32(const struct iff *f, const unsigned char *p)
{
	return f->big_endian ? bytes_be32(p) : bytes_le32(p);
}

/* Whether a WAV "fmt " chunk's format tag is of samples as they are
 * (integers, floats, or the extensible format, which holds either),
 * whose bits a sample are the audio's bit depth. */
static int pcm(unsigned int format)
{
	return format == 1 || format == 3 || format == 0xfffe;
}

/* An 80-bit IEEE 754 extended number, as AIFF gives its sample rate. */
static double extended(const unsigned char *p)
{
	int exp = (p[0] & 0x7f) << 8 | p[1];
	uint64_t mant = (uint64_t)bytes_be32(p + 2) << 32 | bytes_be32(p + 6);

	if (!exp && !mant)
		return 0;
	return (p[0] & 0x80 ? -1 : 1) * ldexp((double)mant, exp - 16383 - 63);
}

/* What the index reads in the chunk id whose len bytes of data are at
 * off. */
static int take_chunk(struct tags_win *w, struct iff *f, const char *id,
		      uint64_t off, uint32_t len)
{
	struct tags *t = w->t;
	const unsigned char *p;
	ssize_t n;

	if (!strncasecmp(id, "ID3 ", 4)) {
		if (!f->id3)
			f->id3 = off;
		return 0;
	}
	if (!f->big_endian && !memcmp(id, "LIST", 4) && len >= 4 && !f->info) {
		n = tags_win_get(w, off, 4, &p);
		if (n < 0)
			return n;
		if (n == 4 && !memcmp(p, "INFO", 4)) {
			f->info = off + 4;
			f->info_end = off + len;
		}
		return 0;
	}
	if (f->big_endian ? memcmp(id, "COMM", 4) : memcmp(id, "fmt ", 4)) {
		if (!f->big_endian && !memcmp(id, "data", 4))
			f->data_size = len;
		return 0;
	}
	n = tags_win_get(w, off, 18, &p);
	if (n < 0)
		return n;
	if (n < 16 || len < 16) {
		tags_damage(t, "%s: the %.4s chunk is cut short", t->codec,
			    id);
		return 0;
	}
	if (f->big_endian) {
		uint32_t frames = bytes_be32(p + 2);
		double rate = n >= 18 ? extended(p + 8) : 0;

		t->channels = bytes_be16(p);
		t->bit_depth = bytes_be16(p + 6);
		if (rate >= 1 && rate <= RATE_MAX)
			t->sample_rate = rate;
		if (t->sample_rate)
			t->duration_s = (double)frames / t->sample_rate;
	} else {
		t->channels = bytes_le16(p + 2);
		if (pcm(bytes_le16(p)))
			t->bit_depth = bytes_le16(p + 14);
		t->sample_rate = bytes_le32(p + 4);
		f->block_align = bytes_le16(p + 12);
	}
	return 0;
}

/* The fields of the INFO list's items between off and end that no
 * better source gave. */
static int read_info(struct tags_win *w, uint64_t off, uint64_t end)
{
	static const struct {
		char id[5];
		enum tags_field field;
	} items[] = {
		{ "INAM", TAGS_TITLE }, { "IART", TAGS_ARTIST },
		{ "IPRD", TAGS_ALBUM }, { "IGNR", TAGS_GENRE },
		{ "ICRD", TAGS_YEAR }, { "ITRK", TAGS_TRACK },
		{ "IPRT", TAGS_TRACK },
	};
	struct tags *t = w->t;
	const unsigned char *p;
	uint32_t len;
	ssize_t n;
	int rc = 0;

	t->reading = TAGS_RIFF;
	for (; !rc && off + CHUNK_HEAD <= end; off += (len & 1)) {
		n = tags_win_get(w, off, CHUNK_HEAD, &p);
		if (n < CHUNK_HEAD)
			return n < 0 ? n : 0;
		len = bytes_le32(p + 4);
		for (size_t i = 0; len < TAGS_WIN_SIZE &&
			     i < ARRAY_SIZE(items); i++) {
			if (memcmp(p, items[i].id, 4))
				continue;
			n = tags_win_get(w, off + CHUNK_HEAD, len, &p);
			if (n < 0)
				return n;
			if (items[i].field == TAGS_YEAR)
				tags_take_year(t, (const char *)p, n);
			else if (items[i].field == TAGS_TRACK)
				tags_take_pos(t, TAGS_TRACK, (const char *)p, n,
					      0);
			else
				rc = tags_add(t, items[i].field,
					      (const char *)p, n);
			break;
		}
		off += CHUNK_HEAD + (uint64_t)len;
	}
	if (!rc && off > end + 1)
		tags_damage(t, "riff: an INFO item runs past its list");
	return rc;
}

/* Read a RIFF/WAVE or FORM/AIFF file: tag is the format's name. */
static int read_iff(int fd, struct tags *t, int big_endian)
{
	unsigned char buf[TAGS_WIN_SIZE];
	struct iff f = { .big_endian = big_endian };
	const unsigned char *p;
	struct tags_win w;
	uint64_t off, end, start;
	ssize_t n;
	int rc;

	t->codec = big_endian ? "aiff" : "wav";
	rc = tags_win_init(&w, fd, t, buf, HEAD_CHUNK);
	if (rc)
		return rc;
	n = tags_win_get(&w, 0, 12, &p);
	if (n < 0)
		return n;
	if (n < 12 || memcmp(p, big_endian ? "FORM" : "RIFF", 4) ||
	    (big_endian ? memcmp(p + 8, "AIFF", 4) && memcmp(p + 8, "AIFC", 4)
	     : memcmp(p + 8, "WAVE", 4))) {
		tags_damage(t, "%s: no \"%s\" header", t->codec,
			    big_endian ? "FORM" : "RIFF");
		return 0;
	}
	end = 8 + (uint64_t)u32(&f, p + 4);
	if (end > w.size)
		end = w.size;
	for (off = 12; off + CHUNK_HEAD <= end;) {
		char id[4];
		uint32_t len;

		n = tags_win_get(&w, off, CHUNK_HEAD, &p);
		if (n < 0)
			return n;
		if (n < CHUNK_HEAD)
			break;
		memcpy(id, p, 4);
		len = u32(&f, p + 4);
		rc = take_chunk(&w, &f, id, off + CHUNK_HEAD, len);
		if (rc)
			return rc;
		off += CHUNK_HEAD + (uint64_t)len + (len & 1);
	}
	if (!t->sample_rate)
		tags_damage(t, "%s: no %s chunk", t->codec,
			    big_endian ? "COMM" : "\"fmt \"");
	if (!big_endian && f.block_align && t->sample_rate)
		t->duration_s = (double)(f.data_size / f.block_align) /
			t->sample_rate;
	tags_set_bitrate(t, w.size);
	if (f.id3) {
		t->reading = TAGS_ID3V2;
		rc = tags_id3v2_read(&w, f.id3, &start);
	}
	if (!rc && f.info)
		rc = read_info(&w, f.info, f.info_end);
	return rc;
}

/* WAV and AIFF differ in byte order and chunk names only. */
int tags_read_wav(int fd, struct tags *t)
{
	return read_iff(fd, t, 0);
}

/* See tags_read_wav(). */
int tags_read_aiff(int fd, struct tags *t)
{
	return read_iff(fd, t, 1);
}
