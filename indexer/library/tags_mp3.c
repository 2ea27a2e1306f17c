/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * An MP3 file: its tags, read from the best source down field by field
 * (an ID3v2 tag at the start or appended at the end, then APEv2, then
 * ID3v1), and its duration from the MPEG frame headers.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/types.h>

#include "common/bytes.h"
#include "indexer/library/tags.h"
#include "indexer/library/tags_private.h"

#define SYNC_SCAN	16384	/* how far to look for the audio */
#define MPEG_FRAME_MAX	2048	/* layer II at 384 kbit/s, 32 kHz: 1729 */
#define TAIL_SIZE	4096	/* the end of the file, read at once */
#define V1_SIZE		128
#define APE_FOOTER	32

struct mpeg {
	unsigned int rate, kbps, channels;
	unsigned int samples;		/* per frame */
	unsigned int len;		/* of the frame, in bytes */
	unsigned int side;		/* layer III side info size */
};

/* The first audio frame and what its Xing/Info or VBRI header says. */
struct audio {
	uint64_t off;
	struct mpeg h;
	uint32_t frames;		/* 0: no VBR header, assume CBR */
	unsigned int gap;		/* encoder delay + padding, samples */
};

/* Xing headers are plain big-endian numbers. */
static const unsigned short kbps_table[2][3][15] = {
	{	/* MPEG-1 layers I, II, III */
		{ 0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384,
		  416, 448 },
		{ 0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320,
		  384 },
		{ 0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256,
		  320 },
	}, {	/* MPEG-2 and 2.5 */
		{ 0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224,
		  256 },
		{ 0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144,
		  160 },
		{ 0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144,
		  160 },
	},
};

/*
 * Decode a 4-byte MPEG audio frame header; returns 0 if b is not one.
 * Free-format and reserved values are refused, as they are far more
 * often chance bytes than real audio.
 */
static int mpeg_header(const unsigned char *b, struct mpeg *h)
{
	unsigned int ver = b[1] >> 3 & 3, layer = 4 - (b[1] >> 1 & 3);
	unsigned int bri = b[2] >> 4, sri = b[2] >> 2 & 3, pad = b[2] >> 1 & 1;
	int lsf = ver != 3, mono = b[3] >> 6 == 3;

	if (b[0] != 0xff || (b[1] & 0xe0) != 0xe0 || ver == 1 ||
	    layer == 4 || bri == 0 || bri == 15 || sri == 3 ||
	    (b[3] & 3) == 2)
		return 0;
	h->kbps = kbps_table[lsf][layer - 1][bri];
	h->rate = (sri == 0 ? 44100 : sri == 1 ? 48000 : 32000) >>
		  (ver == 3 ? 0 : ver == 2 ? 1 : 2);
	h->channels = mono ? 1 : 2;
	h->samples = layer == 1 ? 384 : layer == 3 && lsf ? 576 : 1152;
	if (layer == 1)
		h->len = (12000 * h->kbps / h->rate + pad) * 4;
	else
		h->len = h->samples / 8 * 1000 * h->kbps / h->rate + pad;
	h->side = layer != 3 ? 0 : lsf ? (mono ? 9 : 17) : (mono ? 17 : 32);
	return 1;
}

/*
 * VBR files carry their frame count in the first frame: a Xing or Info
 * header after the side info (LAME and most encoders, with LAME's encoder
 * delay and padding after it), or a VBRI header at a fixed place
 * (Fraunhofer). f holds the whole frame.
 */
static void read_vbr(const unsigned char *f, struct audio *a)
{
	static const unsigned int field_len[4] = { 4, 4, 100, 4 };
	const unsigned char *x = f + 4 + a->h.side;
	size_t left = a->h.len - 4 - a->h.side;
	uint32_t flags;
	int i;

	if (a->h.side && left >= 8 &&
	    (!memcmp(x, "Xing", 4) || !memcmp(x, "Info", 4))) {
		flags = bytes_be32(x + 4);
		x += 8;
		left -= 8;
		for (i = 0; i < 4; i++) {
			if (!(flags & 1u << i))
				continue;
			if (left < field_len[i])
				return;
			if (i == 0)
				a->frames = bytes_be32(x);
			x += field_len[i];
			left -= field_len[i];
		}
		if (left >= 24 && (!memcmp(x, "LAME", 4) ||
				   !memcmp(x, "Lav", 3)))
			a->gap = (x[21] << 4 | x[22] >> 4) +
				 ((x[22] & 0xf) << 8 | x[23]);
	} else if (a->h.len >= 36 + 18 && !memcmp(f + 36, "VBRI", 4)) {
		a->frames = bytes_be32(f + 36 + 14);
	}
}

/*
 * The 0xFFE sync pattern is common in junk and picture data, so a frame
 * found at p[i] only counts if the next frame header follows where it
 * says it ends, or if the file ends there (n bytes of p reach EOF).
 */
static int frame_confirmed(const unsigned char *p, size_t n, size_t i,
			   const struct mpeg *h, int eof)
{
	struct mpeg next;
	size_t end = i + h->len;

	if (end + 4 > n)
		return eof && end <= n;
	return mpeg_header(p + end, &next) &&
	       (p[end + 1] & 0xfe) == (p[i + 1] & 0xfe) &&
	       (p[end + 2] & 0x0c) == (p[i + 2] & 0x0c);
}

/*
 * Find the first MPEG audio frame within SYNC_SCAN bytes of off, where
 * junk or padding may precede it. a->h.rate stays 0 if there is none.
 */
static int find_audio(struct tags_win *w, uint64_t off, struct audio *a)
{
	const unsigned char *p;
	ssize_t n;
	size_t i;

	n = tags_win_get(w, off, SYNC_SCAN + MPEG_FRAME_MAX, &p);
	if (n < 0)
		return n;
	for (i = 0; i < SYNC_SCAN && i + 4 <= (size_t)n; i++) {
		if (p[i] == 0xff && mpeg_header(p + i, &a->h) &&
		    frame_confirmed(p, n, i, &a->h, off + n >= w->size)) {
			a->off = off + i;
			read_vbr(p + i, a);
			return 0;
		}
	}
	a->h.rate = 0;
	return 0;
}

/*
 * The duration comes from the VBR header's frame count less LAME's
 * delay and padding, or else from the size at a constant bitrate. The
 * average bitrate leaves out the VBR header frame, so that a 128 kbit/s
 * CBR file says 128.
 */
static void set_duration(struct tags *t, const struct audio *a, uint64_t end)
{
	uint64_t bytes = end > a->off ? end - a->off : 0;
	uint64_t samples = (uint64_t)a->frames * a->h.samples;

	t->sample_rate = a->h.rate;
	t->channels = a->h.channels;
	if (!a->frames) {
		t->bitrate_kbps = a->h.kbps;
		t->duration_s = bytes * 8.0 / (a->h.kbps * 1000.0);
		return;
	}
	if (bytes > a->h.len)
		t->bitrate_kbps = (bytes - a->h.len) * 8.0 * a->h.rate /
				  samples / 1000 + 0.5;
	t->duration_s = (double)(a->gap < samples ? samples - a->gap :
				 samples) / a->h.rate;
}

/* The fields an ID3v1 tag can hold: while one is missing, the end of
 * the file may give it. */
static int v1_fields_missing(const struct tags *t)
{
	static const enum tags_field v1[] = {
		TAGS_TITLE, TAGS_ARTIST, TAGS_ALBUM, TAGS_GENRE, TAGS_TRACK,
		TAGS_YEAR,
	};

	for (size_t i = 0; i < ARRAY_SIZE(v1); i++)
		if (!t->source[v1[i]])
			return 1;
	return 0;
}

/*
 * Splitters leave the tag of another file behind the first one (TagLib's
 * duplicate_id3v2.mp3): step over such tags to find the audio, without
 * reading them, as mutagen reads only the first. Sets *off past them.
 */
static int skip_more_tags(struct tags_win *w, uint64_t *off)
{
	const unsigned char *p;
	ssize_t n;

	for (;;) {
		n = tags_win_get(w, *off, 10, &p);
		if (n < 0)
			return n;
		if (n < 10 || memcmp(p, "ID3", 3) || p[3] < 2 || p[3] > 4 ||
		    (p[6] | p[7] | p[8] | p[9]) & 0x80)
			return 0;
		tags_damage(w->t, "id3v2: a second tag follows the first");
		*off += 10 + (uint64_t)bytes_syncsafe32(p + 6) +
			(p[5] & 0x10 ? 10 : 0);
	}
}

/*
 * Where an ID3v2.4 tag appended before end starts: its footer, "3DI"
 * and the header's fields, ends there. *off is end when there is none.
 */
static int find_appended(struct tags_win *w, uint64_t end, uint64_t *off)
{
	const unsigned char *p;
	uint64_t size;
	ssize_t n;

	*off = end;
	if (end < 20)
		return 0;
	n = tags_win_get(w, end - 10, 10, &p);
	if (n < 0)
		return n;
	if (n < 10 || memcmp(p, "3DI", 3) || p[3] != 4 ||
	    (p[6] | p[7] | p[8] | p[9]) & 0x80)
		return 0;
	size = bytes_syncsafe32(p + 6);
	if (size + 20 > end)
		return 0;
	*off = end - 20 - size;
	return 0;
}

/*
 * The tags at the end of the file, read in one go: an ID3v1 tag in the
 * last 128 bytes, an APEv2 tag before it (or at the very end), and an
 * ID3v2.4 tag appended before those with a footer ("3DI"), which is
 * read only when the file has none at its start. Each fills what the
 * better ones left empty. *end is set to where the audio ends.
 */
static int read_tail(struct tags_win *w, int has_v2, uint64_t *end)
{
	struct tags *t = w->t;
	unsigned char v1[V1_SIZE];
	const unsigned char *p;
	uint64_t off, at, ape = 0, tag_end, v2 = 0;
	int has_v1 = 0, rc = 0;
	ssize_t n;

	n = tags_win_tail(w, TAIL_SIZE, &p, &off);
	if (n < 0)
		return n;
	at = w->size;
	if (n >= V1_SIZE && !memcmp(p + n - V1_SIZE, "TAG", 3)) {
		memcpy(v1, p + n - V1_SIZE, V1_SIZE);
		has_v1 = 1;
		at -= V1_SIZE;
	}
	*end = at;
	if (at >= off + APE_FOOTER &&
	    !memcmp(p + (at - APE_FOOTER - off), "APETAGEX", 8))
		ape = at - APE_FOOTER;
	if (!has_v2) {
		tag_end = at;
		if (ape)
			rc = tags_ape_start(w, ape, &tag_end);
		if (!rc)
			rc = find_appended(w, tag_end, &v2);
		if (!rc && v2 < tag_end) {
			t->reading = TAGS_ID3V2;
			rc = tags_id3v2_read(w, v2, &off);
			*end = v2;
		}
	}
	if (!rc && ape) {
		rc = tags_ape_start(w, ape, &off);
		if (off < *end)
			*end = off;
		t->reading = TAGS_APE;
		if (!rc)
			rc = tags_ape_read(w, ape);
	}
	if (!rc && has_v1) {
		t->reading = TAGS_ID3V1;
		rc = tags_id3v1_take(t, v1);
	}
	return rc;
}

/*
 * ID3v2 first, as it tells where the audio starts; then the first MPEG
 * frame; the end of the file only when a field is missing or a CBR
 * duration needs the audio's end.
 */
int tags_read_mp3(int fd, struct tags *t)
{
	unsigned char buf[TAGS_WIN_SIZE];
	struct tags_win w;
	struct audio a = { 0 };
	uint64_t start, end;
	int rc, has_v2;

	t->codec = "mp3";
	rc = tags_win_init(&w, fd, t, buf, sizeof(buf));
	if (rc)
		return rc;
	t->reading = TAGS_ID3V2;
	rc = tags_id3v2_read(&w, 0, &start);
	if (rc)
		return rc;
	has_v2 = start > 0;
	if (has_v2) {
		rc = skip_more_tags(&w, &start);
		if (rc)
			return rc;
	}
	if (start > w.size)
		start = w.size;
	rc = find_audio(&w, start, &a);
	if (rc)
		return rc;
	end = w.size;
	if (!has_v2 || v1_fields_missing(t) || (a.h.rate && !a.frames)) {
		rc = read_tail(&w, has_v2, &end);
		if (rc)
			return rc;
	}
	if (!a.h.rate) {
		tags_damage(t, "mp3: no MPEG audio frame found");
		return 0;
	}
	set_duration(t, &a, end);
	return 0;
}
