/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * WavPack and Monkey's Audio: a header at the start says the stream
 * (read as mutagen's WavPackInfo and MonkeysAudioInfo read it) and an
 * APEv2 tag at the end, before an ID3v1 tag if there is one, holds the
 * tags.
 */
#include <stdint.h>
#include <string.h>

#include "common/bytes.h"
#include "indexer/library/tags.h"
#include "indexer/library/tags_private.h"

#define HEAD_CHUNK	4096
#define V1_SIZE		128
#define APE_FOOTER	32
#define WV_HEAD		32
#define MAC_HEAD	76

/* WavPack's sample rates, by the four bits of a block header's flags. */
static const int wv_rates[] = {
	6000, 8000, 9600, 11025, 12000, 16000, 22050, 24000, 32000, 44100,
	48000, 64000, 88200, 96000, 192000,
};

/* The APEv2 tag at the end of the file, if there is one. */
static int read_ape_end(struct tags_win *w)
{
	const unsigned char *p;
	uint64_t off, at;
	ssize_t n;

	n = tags_win_tail(w, V1_SIZE + APE_FOOTER, &p, &off);
	if (n < 0)
		return n;
	at = w->size;
	if (n >= V1_SIZE && !memcmp(p + n - V1_SIZE, "TAG", 3))
		at -= V1_SIZE;
	if (at < off + APE_FOOTER ||
	    memcmp(p + (at - APE_FOOTER - off), "APETAGEX", 8))
		return 0;
	w->t->reading = TAGS_APE;
	return tags_ape_read(w, at - APE_FOOTER);
}

/* The first WavPack block header: sample rate, channels, bits a sample,
 * length. */
static void take_wavpack(struct tags *t, const unsigned char *p)
{
	uint32_t total = bytes_le32(p + 12), flags = bytes_le32(p + 24);
	unsigned int rate = flags >> 23 & 0xf;

	t->codec = "wavpack";
	t->channels = flags & 4 ? 1 : 2;
	/* bytes stored a sample, less one, as mutagen reads it */
	t->bit_depth = ((flags & 3) + 1) * 8;
	if (rate < ARRAY_SIZE(wv_rates))
		t->sample_rate = wv_rates[rate];
	if (t->sample_rate && total != UINT32_MAX && !bytes_le32(p + 16))
		t->duration_s = (double)total / t->sample_rate;
}

/* A Monkey's Audio header: before version 3.98 without a descriptor. */
static void take_monkeys(struct tags *t, const unsigned char *p)
{
	unsigned int version = bytes_le16(p + 4);
	uint32_t per_frame, final, frames;

	t->codec = "ape";
	if (version >= 3980) {
		per_frame = bytes_le32(p + 56);
		final = bytes_le32(p + 60);
		frames = bytes_le32(p + 64);
		t->channels = bytes_le16(p + 70);
		t->sample_rate = bytes_le32(p + 72);
		t->bit_depth = bytes_le16(p + 68);
	} else {
		unsigned int flags = bytes_le16(p + 8);

		/* 8 and 24 bits are flagged; 16 is the rest */
		t->bit_depth = flags & 1 ? 8 : flags & 8 ? 24 : 16;
		t->channels = bytes_le16(p + 10);
		t->sample_rate = bytes_le32(p + 12);
		frames = bytes_le32(p + 24);
		final = bytes_le32(p + 28);
		per_frame = version >= 3950 ? 73728 * 4 : version >= 3900 ||
			(version >= 3800 && bytes_le16(p + 6) == 4) ? 73728 :
			9216;
	}
	if (t->sample_rate && frames)
		t->duration_s = ((double)(frames - 1) * per_frame + final) /
			t->sample_rate;
}

/* Read the header of the format magic names, then the tag. */
static int read_file(int fd, struct tags *t, const char *magic,
		     size_t head)
{
	unsigned char buf[TAGS_WIN_SIZE];
	const unsigned char *p;
	struct tags_win w;
	ssize_t n;
	int rc;

	t->codec = head == WV_HEAD ? "wavpack" : "ape";
	rc = tags_win_init(&w, fd, t, buf, HEAD_CHUNK);
	if (rc)
		return rc;
	n = tags_win_get(&w, 0, head, &p);
	if (n < 0)
		return n;
	if ((size_t)n < head || memcmp(p, magic, 4)) {
		tags_damage(t, "%s: no \"%s\" header", t->codec, magic);
		return 0;
	}
	if (head == WV_HEAD)
		take_wavpack(t, p);
	else
		take_monkeys(t, p);
	tags_set_bitrate(t, w.size);
	return read_ape_end(&w);
}

/* WavPack and Monkey's Audio differ in their header only. */
int tags_read_wavpack(int fd, struct tags *t)
{
	return read_file(fd, t, "wvpk", WV_HEAD);
}

/* See tags_read_wavpack(). */
int tags_read_monkeys(int fd, struct tags *t)
{
	return read_file(fd, t, "MAC ", MAC_HEAD);
}
