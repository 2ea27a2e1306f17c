/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * FLAC metadata, walked block by block through the window: "fLaC" (maybe
 * after an ID3v2 tag, which mutagen steps over too), then blocks of a
 * 4-byte header (last-block flag, type, 24-bit length) and their data.
 *
 * The walk is ours, not libFLAC's metadata iterator, because the files
 * real libraries hold need what libFLAC does not do: a VORBIS_COMMENT or
 * PICTURE block whose length is too short for what it holds (mutagen
 * #52 and #106) is read by its contents, as mutagen and the reference
 * decoder read it, and the walk goes on after where it really ends;
 * libFLAC's iterator gives such a comment block with no comments and no
 * error, and loses the blocks after a short picture. Only the first
 * VORBIS_COMMENT block counts, as in mutagen and metaflac.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "common/bytes.h"
#include "indexer/library/tags.h"
#include "indexer/library/tags_private.h"

#define STREAMINFO	0
#define VORBIS_COMMENT	4
#define PICTURE		6
#define STREAMINFO_LEN	34
#define FLAC_CHUNK	4096	/* most files' metadata up to padding */
#define SEEN_STREAMINFO	1
#define SEEN_COMMENTS	2

/*
 * Note a picture block whose data starts at off, declared len bytes
 * long: where its image is, from the fields in front of it. When the
 * fields say the block is longer than declared, *end is set past its
 * image, where mutagen goes on. Returns 0 or a negative errno.
 */
static int read_picture(struct tags_win *w, uint64_t off, uint32_t len,
			uint64_t *end)
{
	struct tags *t = w->t;
	const unsigned char *p;
	struct picture pic;
	uint64_t avail = w->size > off ? w->size - off : 0;
	size_t want = 512, need;
	ssize_t n;
	int rc;

	t->has_picture = 1;
	for (;;) {
		n = tags_win_get(w, off, want, &p);
		if (n < 0)
			return n;
		rc = -EBADMSG;
		if (!n)
			break;
		rc = picture_flac(p, n, off, len, &pic, &need);
		if (rc == -EBADMSG && len < avail)
			rc = picture_flac(p, n, off, avail < UINT32_MAX ?
					  avail : UINT32_MAX, &pic, &need);
		if (rc != -ENODATA || (size_t)n < want || need > TAGS_WIN_SIZE)
			break;
		want = need;
	}
	if (rc) {
		tags_damage(t, "flac: a picture block is damaged");
		return 0;
	}
	if (pic.offset + pic.length > off + len) {
		tags_damage(t, "flac: a picture block's length is too short");
		*end = pic.offset + pic.length;
	}
	if (!t->no_pictures)
		picture_choose(&t->picture, &pic);
	return 0;
}

/* Sample rate, channels, bits a sample and length from the STREAMINFO data at p. */
static void take_streaminfo(struct tags *t, const unsigned char *p)
{
	uint64_t samples = (uint64_t)(p[13] & 0x0f) << 32 | bytes_be32(p + 14);

	t->sample_rate = bytes_be24(p + 10) >> 4;
	t->channels = (p[12] >> 1 & 7) + 1;
	t->bit_depth = ((p[12] & 1) << 4 | p[13] >> 4) + 1;
	if (t->sample_rate)
		t->duration_s = (double)samples / t->sample_rate;
}

/* Where "fLaC" should be: at the start, or after an ID3v2 tag. */
static int find_marker(struct tags_win *w, uint64_t *off)
{
	const unsigned char *p;
	ssize_t n;

	*off = 0;
	n = tags_win_get(w, 0, 10, &p);
	if (n < 0)
		return n;
	if (n == 10 && !memcmp(p, "ID3", 3) &&
	    !((p[6] | p[7] | p[8] | p[9]) & 0x80)) {
		*off = 10 + (uint64_t)bytes_syncsafe32(p + 6);
		if (p[5] & 0x10)
			*off += 10;
	}
	n = tags_win_get(w, *off, 4, &p);
	if (n < 0)
		return n;
	return n == 4 && !memcmp(p, "fLaC", 4);
}

/* One block of the given type whose data is len bytes at off; *next is
 * where the following block starts. */
static int read_block(struct tags_win *w, int type, uint64_t off,
		      uint32_t len, uint64_t *next, int *seen)
{
	struct tags *t = w->t;
	const unsigned char *p;
	uint64_t end = off + len;
	ssize_t n;
	int rc;

	switch (type) {
	case STREAMINFO:
		if (*seen & SEEN_STREAMINFO)
			return 0;
		*seen |= SEEN_STREAMINFO;
		if (len < STREAMINFO_LEN) {
			tags_damage(t, "flac: STREAMINFO is too short");
			return 0;
		}
		n = tags_win_get(w, off, STREAMINFO_LEN, &p);
		if (n < 0)
			return n;
		if (n == STREAMINFO_LEN)
			take_streaminfo(t, p);
		break;
	case VORBIS_COMMENT:
		if (*seen & SEEN_COMMENTS) {
			tags_damage(t, "flac: a second VORBIS_COMMENT block "
				    "is not read");
			return 0;
		}
		*seen |= SEEN_COMMENTS;
		rc = tags_vorbis_read(w, off, &end, 0);
		if (rc == 1)
			tags_damage(t, "flac: the comments are cut short");
		else if (rc)
			return rc;
		if (end > off + len) {
			tags_damage(t, "flac: a VORBIS_COMMENT block's "
				    "length is too short");
			*next = end;
		}
		break;
	case PICTURE:
		rc = read_picture(w, off, len, &end);
		if (rc)
			return rc;
		if (end > off + len)
			*next = end;
		break;
	}
	return 0;
}

int tags_read_flac(int fd, struct tags *t)
{
	unsigned char buf[TAGS_WIN_SIZE];
	struct tags_win w;
	const unsigned char *p;
	uint64_t off, next;
	uint32_t len;
	ssize_t n;
	int rc, last = 0, seen = 0;

	t->codec = "flac";
	t->reading = TAGS_VORBIS;
	rc = tags_win_init(&w, fd, t, buf, FLAC_CHUNK);
	if (rc)
		return rc;
	rc = find_marker(&w, &off);
	if (rc <= 0) {
		if (!rc)
			tags_damage(t, "flac: no \"fLaC\" marker");
		return rc;
	}
	for (off += 4; !last; off = next) {
		n = tags_win_get(&w, off, 4, &p);
		if (n < 0)
			return n;
		if (n < 4) {
			tags_damage(t, "flac: the metadata is cut short");
			break;
		}
		last = p[0] & 0x80;
		len = bytes_be24(p + 1);
		next = off + 4 + len;
		rc = read_block(&w, p[0] & 0x7f, off + 4, len, &next, &seen);
		if (rc)
			return rc;
		if (next > w.size) {
			tags_damage(t, "flac: the metadata runs past the end "
				    "of the file");
			break;
		}
	}
	if (!(seen & SEEN_STREAMINFO))
		tags_damage(t, "flac: no STREAMINFO block");
	tags_set_bitrate(t, w.size);
	return 0;
}
