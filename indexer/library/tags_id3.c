/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * ID3v2 and ID3v1, read frame by frame as mutagen reads them (its
 * id3/_tags.py, _frames.py, _specs.py and _id3v1.py), so that one bad
 * frame costs only itself: the walk steps from frame to frame by their
 * sizes whatever their ids, a frame whose size runs past the tag is
 * read as far as the tag goes, a frame whose text cannot be decoded is
 * dropped. This file owns the walk: the tag header, the frame headers
 * and their sizes, the frames kept for reading and the pictures noted.
 * A frame's content is decoded in tags_id3_text.c and its values taken
 * in tags_id3_values.c (ID3v1's too); genres.c gives the names of genre
 * numbers. It stores no value itself.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "common/bytes.h"
#include "indexer/library/tags.h"
#include "indexer/library/tags_id3_private.h"
#include "indexer/library/tags_private.h"

#define TAG_MAX		(16 << 20)	/* largest tag read whole */
#define KEEP_MAX	16384		/* room for the frames kept */
#define ID_FRAME_MAX	1024		/* a TXXX/UFID id is smaller */
#define PIC_HEAD	4096		/* a picture frame's fields */

/* Tag header flags. */
#define TAG_UNSYNCED	0x80
#define TAG_EXTENDED	0x40
#define TAG_FOOTER	0x10

/* The frames the index reads, by their ID3v2.3/2.4 and v2.2 names. */
static const struct {
	char id[5], id22[4];
	unsigned char what;
} frames[] = {
	{ "TIT2", "TT2", TAGS_TITLE },
	{ "TPE1", "TP1", TAGS_ARTIST },
	{ "TPE2", "TP2", TAGS_ALBUM_ARTIST },
	{ "TALB", "TAL", TAGS_ALBUM },
	{ "TCON", "TCO", TAGS_GENRE },
	{ "TRCK", "TRK", TAGS_TRACK },
	{ "TPOS", "TPA", TAGS_DISC },
	{ "TDRC", "", W_DATE },
	{ "TYER", "TYE", W_TYER },
	{ "TXXX", "TXX", W_TXXX },
	{ "UFID", "UFI", W_UFID },
	{ "RVA2", "", W_RVA2 },
	{ "APIC", "PIC", W_PICTURE },
	{ "USLT", "ULT", W_LYRICS },
	{ "SYLT", "SLT", W_SYNCED },
};

/*
 * One walk through a tag's frames. Damage is noted here, not in the
 * tags, as a v2.4 tag may be walked twice (frame sizes as syncsafe and
 * as plain numbers) and only one walk counts.
 */
struct id3_walk {
	struct tags_win *w;
	struct tags *t;
	unsigned int ver;
	int unsync;			/* the tag's flag */
	int plain;			/* v2.4 sizes as plain numbers */
	int pictures;			/* raw file bytes: note pictures */
	uint64_t start, end;		/* the frames */
	unsigned char *keep;		/* keep_max bytes of kept frames */
	size_t used, keep_max;
	struct picture picture;
	uint64_t stop;			/* where the walk stopped */
	unsigned int valid;		/* frames with a valid id */
	int overran, disagree, lost;
	int damaged;
	char error[TAGS_ERROR_MAX];
};

static void __attribute__((format(printf, 2, 3)))
walk_damage(struct id3_walk *wk, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	tags_vnote(&wk->damaged, wk->error, sizeof(wk->error), fmt, ap);
	va_end(ap);
}

/* A frame id of A-Z and 0-9, as the ID3v2 structure document wants. */
static int id_ok(const unsigned char *id, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (!((id[i] >= 'A' && id[i] <= 'Z') ||
		      (id[i] >= '0' && id[i] <= '9')))
			return 0;
	}
	return 1;
}

/* What the frame named id (n bytes) is for. */
static unsigned int frame_what(const unsigned char *id, size_t n)
{
	for (size_t i = 0; i < ARRAY_SIZE(frames); i++) {
		const char *name = n == 3 ? frames[i].id22 : frames[i].id;

		if (*name && !memcmp(name, id, n))
			return frames[i].what;
	}
	return W_SKIP;
}

/*
 * Where a picture frame's content starts after the bytes some flags put
 * in front of it, and its length once decoded: 0 for a content a
 * reader cannot take as it is (compressed, encrypted, or unsynchronised
 * without the length it decodes to). For ID3v2.4, *unsync is set from
 * the frame's own flag too. len is the frame size from its header; after
 * points at the (raw) bytes after the header, of which avail are there.
 */
static uint64_t content_of(unsigned int ver, unsigned int flags,
			   uint32_t len, const unsigned char *after,
			   size_t avail, size_t *skip, int *unsync)
{
	*skip = 0;
	if (ver == 3) {
		if (flags & (V3_COMPRESSED | V3_ENCRYPTED))
			return 0;
		*skip = flags & V3_GROUPED ? 1 : 0;
	} else if (ver == 4) {
		if (flags & (V4_COMPRESSED | V4_ENCRYPTED))
			return 0;
		*unsync |= !!(flags & V4_UNSYNCED);
		*skip = flags & V4_GROUPED ? 1 : 0;
		if (flags & V4_LENGTH) {
			*skip += 4;
			if (avail < *skip || len < *skip)
				return 0;
			return bytes_syncsafe32(after + *skip - 4);
		}
		if (*unsync)
			return 0;
	}
	return len > *skip ? len - *skip : 0;
}

/*
 * Note one picture frame: hand the fields in front of its image to
 * picture_id3() and keep it in *best if it is the best so far. p holds
 * the raw bytes after the frame header, avail of them, at file offset
 * off. Returns -EBADMSG for a damaged one, else 0.
 */
static int note_picture(struct picture *best, unsigned int ver,
			unsigned int flags, uint32_t len,
			const unsigned char *p, size_t avail, uint64_t off,
			int unsync)
{
	struct picture pic;
	uint64_t size;
	size_t skip;

	size = content_of(ver, flags, len, p, avail, &skip, &unsync);
	if (!size || avail < skip)
		return 0;
	switch (picture_id3(p + skip, avail - skip, off + skip, ver, unsync,
			    size, &pic)) {
	case 0:
		picture_choose(best, &pic);
		break;
	case -EBADMSG:
		return -EBADMSG;
	}
	return 0;
}

/* Keep a frame's header facts and its len bytes at p for later. */
static void keep_frame(struct id3_walk *wk, unsigned int what,
		       unsigned int flags, const char *id,
		       const unsigned char *p, size_t len)
{
	struct tags_id3_kept k = { .len = len, .what = what, .flags = flags };

	if (wk->used + sizeof(k) + len > wk->keep_max) {
		walk_damage(wk, "id3v2: too many frames to read at %s", id);
		return;
	}
	memcpy(k.id, id, sizeof(k.id));
	memcpy(wk->keep + wk->used, &k, sizeof(k));
	memcpy(wk->keep + wk->used + sizeof(k), p, len);
	wk->used += sizeof(k) + len;
}

/* One frame met by the walk: len bytes of it are inside the tag. */
static int walk_frame(struct id3_walk *wk, const unsigned char *h, size_t hl,
		      uint64_t off, uint32_t size, size_t len)
{
	size_t idlen = wk->ver == 2 ? 3 : 4;
	unsigned int flags = wk->ver == 2 ? 0 : h[9], what;
	const unsigned char *p;
	char id[5] = { 0 };
	ssize_t n;

	/* iTunes wrote v2.2 names into v2.3 tags, padded with a zero */
	if (idlen == 4 && !h[3] && h[2])
		idlen = 3;
	memcpy(id, h, idlen);
	if (!id_ok(h, idlen)) {
		wk->lost = 1;
		walk_damage(wk, "id3v2: a frame has an invalid id");
		return 0;
	}
	wk->valid++;
	what = frame_what(h, idlen);
	if (what == W_PICTURE) {
		wk->t->has_picture = 1;
		if (!len || !wk->pictures || wk->t->no_pictures)
			return 0;
		n = tags_win_get(wk->w, off + hl, len < PIC_HEAD ? len :
				 PIC_HEAD, &p);
		if (n < 0)
			return n;
		if (note_picture(&wk->picture, wk->ver, flags, size, p, n,
				 off + hl, wk->unsync))
			walk_damage(wk, "id3v2: picture frame %s is damaged",
				    id);
		return 0;
	}
	if ((what == W_LYRICS || what == W_SYNCED) && !wk->t->want_lyrics)
		return 0;
	if (what == W_SKIP || !len ||
	    ((what == W_TXXX || what == W_UFID || what == W_RVA2) &&
	     len > ID_FRAME_MAX && !(what == W_TXXX && wk->t->want_lyrics)))
		return 0;
	if (len > (what == W_LYRICS || what == W_SYNCED || what == W_TXXX ?
		   TAGS_LYRICS_MAX : KEEP_MAX)) {
		walk_damage(wk, "id3v2: frame %s is too large to read", id);
		return 0;
	}
	n = tags_win_get(wk->w, off + hl, len, &p);
	if (n < 0)
		return n;
	keep_frame(wk, what, flags, id, p, n);
	return 0;
}

/* A frame's size from its header. */
static uint32_t frame_size(const struct id3_walk *wk, const unsigned char *h)
{
	if (wk->ver == 2)
		return (uint32_t)h[3] << 16 | h[4] << 8 | h[5];
	if (wk->ver == 4 && !wk->plain)
		return bytes_syncsafe32(h + 4);
	return bytes_be32(h + 4);
}

/*
 * Walk the frames from wk->start to wk->end as mutagen's read_frames
 * does: stop at padding (a zero id) or when no header fits; step over
 * every frame by its size, whatever its id; a frame running past the
 * end is read as far as the end, and ends the walk.
 */
static int walk_frames(struct id3_walk *wk)
{
	size_t hl = wk->ver == 2 ? 6 : 10, idlen = wk->ver == 2 ? 3 : 4;
	uint64_t off = wk->start, left;
	const unsigned char *h;
	uint32_t size;
	ssize_t n;
	int rc;

	while (off + hl <= wk->end) {
		n = tags_win_get(wk->w, off, hl, &h);
		if (n < 0)
			return n;
		if (n < (ssize_t)hl) {
			walk_damage(wk, "id3v2: the tag is cut short");
			break;
		}
		if (tags_id3_all_zero(h, idlen))
			break;
		size = frame_size(wk, h);
		if (wk->ver == 4 &&
		    bytes_syncsafe32(h + 4) != bytes_be32(h + 4))
			wk->disagree = 1;
		left = wk->end - off - hl;
		if (size > left) {
			wk->overran = 1;
			walk_damage(wk, "id3v2: a frame runs past the end of "
				    "the tag");
		}
		if (!size) {
			walk_damage(wk, "id3v2: an empty frame");
		} else {
			rc = walk_frame(wk, h, hl, off, size,
					size < left ? size : left);
			if (rc)
				return rc;
		}
		if (size > left)
			break;
		off += hl + size;
	}
	wk->stop = off;
	return 0;
}

/*
 * ID3v2.4 frame sizes are syncsafe, but iTunes wrote plain numbers.
 * Decide as mutagen's determine_bpi does: once reading the sizes as
 * syncsafe went wrong where the two readings differ, walk the tag again
 * with plain ones, and keep the walk that found more frames (or as many
 * without overrunning the tag).
 */
static int try_plain_sizes(struct id3_walk *wk)
{
	struct id3_walk again = *wk;
	int rc;

	again.plain = 1;
	again.used = 0;
	again.valid = again.overran = again.lost = again.damaged = 0;
	again.error[0] = '\0';
	memset(&again.picture, 0, sizeof(again.picture));
	again.keep = malloc(wk->keep_max);
	if (!again.keep)
		return -ENOMEM;
	rc = walk_frames(&again);
	if (!rc && (again.valid > wk->valid ||
		    (again.valid == wk->valid && wk->overran &&
		     !again.overran))) {
		memcpy(wk->keep, again.keep, again.used);
		wk->used = again.used;
		wk->picture = again.picture;
		wk->stop = again.stop;
		wk->damaged = 1;
		if (again.damaged)
			memcpy(wk->error, again.error, sizeof(wk->error));
		else
			snprintf(wk->error, sizeof(wk->error),
				 "id3v2: frame sizes are not syncsafe");
	}
	free(again.keep);
	return rc;
}

/* Walk the frames, then read the ones kept. */
static int read_frames(struct id3_walk *wk)
{
	struct tags *t = wk->t;
	const unsigned char *p;
	struct tags_id3_kept k;
	struct tags_id3_later later = { 0 };
	int rc;

	rc = walk_frames(wk);
	if (!rc && wk->ver == 4 && wk->disagree && (wk->lost || wk->overran))
		rc = try_plain_sizes(wk);
	if (rc)
		return rc;
	if (wk->damaged)
		tags_damage(t, "%s", wk->error);
	if (wk->picture.found)
		picture_choose(&t->picture, &wk->picture);
	for (size_t off = 0; !rc && off < wk->used; off += sizeof(k) + k.len) {
		memcpy(&k, wk->keep + off, sizeof(k));
		p = wk->keep + off + sizeof(k);
		rc = tags_id3_take_frame(t, wk->ver, wk->unsync, &k, p, &later);
	}
	if (!rc && later.tyer && !later.tdrc) {
		char y[16];

		snprintf(y, sizeof(y), "%d", later.tyer);
		tags_take_year(t, y, strlen(y));
	}
	for (int album = 0; !rc && album < 2; album++)
		if (later.has_rva2[album])
			tags_set_gain(t, album, later.rva2[album]);
	return rc;
}

/*
 * Step over an extended header as mutagen does: four bytes that look
 * like a frame id mean the flag was set without one (quodlibet #126);
 * an ID3v2.4 size counts itself, an ID3v2.3 size does not. Returns 0,
 * -EBADMSG when it does not fit, or a negative errno.
 */
static int skip_extended(struct id3_walk *wk)
{
	const unsigned char *p;
	uint64_t size;
	ssize_t n;

	n = tags_win_get(wk->w, wk->start, 4, &p);
	if (n < 0)
		return n;
	if (n < 4)
		return -EBADMSG;
	if (id_ok(p, 4)) {
		walk_damage(wk, "id3v2: the extended header flag is set "
			    "without one");
		return 0;
	}
	if (wk->ver == 4) {
		if ((p[0] | p[1] | p[2] | p[3]) & 0x80 ||
		    bytes_syncsafe32(p) < 4)
			return -EBADMSG;
		size = bytes_syncsafe32(p);
	} else {
		size = 4 + (uint64_t)bytes_be32(p);
	}
	if (size > wk->end - wk->start)
		return -EBADMSG;
	wk->start += size;
	return 0;
}

/*
 * In an unsynchronised ID3v2.2/2.3 tag, sizes count decoded bytes and
 * frame headers are unsynchronised too, so walking its frames means
 * decoding the walk through the whole tag, which is in memory. fn gets
 * each frame's header, its size and where its body starts, up to the
 * padding, to note the pictures at their raw offsets.
 */
static void note_unsynced_pictures(struct tags *t, const unsigned char *buf,
				   size_t len)
{
	unsigned int ver = buf[3];
	size_t hl = ver == 2 ? 6 : 10, idlen = ver == 2 ? 3 : 4, pos = 10;
	struct picture best = { 0 };
	unsigned char h[10];
	uint32_t size;

	if (buf[5] & TAG_EXTENDED && ver == 3 &&
	    picture_unsync_take(buf, len, &pos, h, 4) == 4)
		picture_unsync_take(buf, len, &pos, NULL, bytes_be32(h));
	while (picture_unsync_take(buf, len, &pos, h, hl) == hl && h[0] &&
	       id_ok(h, idlen)) {
		size = ver == 2 ? (uint32_t)h[3] << 16 | h[4] << 8 | h[5] :
		       bytes_be32(h + 4);
		if (frame_what(h, idlen) == W_PICTURE &&
		    note_picture(&best, ver, ver == 2 ? 0 : h[9], size,
				 buf + pos, len - pos, pos, 1))
			tags_damage(t, "id3v2: a picture frame is damaged");
		if (picture_unsync_take(buf, len, &pos, NULL, size) < size)
			break;
	}
	if (best.found)
		picture_choose(&t->picture, &best);
}

/*
 * ID3v2.2/2.3 unsynchronisation covers the whole tag after its header:
 * these rare tags are read whole and decoded, as mutagen does, and their
 * frames walked in memory; their pictures are noted where their raw
 * bytes are.
 */
static int read_unsynced(struct id3_walk *wk, uint64_t off, uint64_t size)
{
	struct tags_win mem;
	unsigned char *raw, *dec;
	size_t len;
	ssize_t n;
	int rc;

	if (size > TAG_MAX) {
		tags_damage(wk->t, "id3v2: the tag is too large to read");
		return 0;
	}
	raw = malloc(size);
	dec = malloc(size);
	if (!raw || !dec) {
		free(raw);
		free(dec);
		return -ENOMEM;
	}
	n = wk->w->fd >= 0 ? pread(wk->w->fd, raw, size, off) : -1;
	if (n < 0) {
		rc = wk->w->fd >= 0 ? -errno : -EBADMSG;
		goto out;
	}
	wk->t->bytes_read += n;
	len = n > 10 ? tags_id3_unsync_decode(raw + 10, n - 10, dec) : 0;
	tags_win_mem(&mem, wk->t, dec, len);
	wk->w = &mem;
	wk->start = 0;
	wk->end = len;
	wk->pictures = 0;
	rc = 0;
	if (n > 10 && raw[5] & TAG_EXTENDED && skip_extended(wk))
		tags_damage(wk->t, "id3v2: its extended header is damaged");
	else
		rc = read_frames(wk);
	if (!rc && !wk->t->no_pictures && n > 10)
		note_unsynced_pictures(wk->t, raw, n);
out:
	free(raw);
	free(dec);
	return rc;
}

/* tags_id3v2_read() with the walk wk, its keep made. */
static int read_tag(struct id3_walk *wk, uint64_t off, uint64_t *end)
{
	struct tags_win *w = wk->w;
	const unsigned char *p;
	unsigned int flags;
	ssize_t n;
	int rc, past = 0;

	*end = off;
	n = tags_win_get(w, off, 10, &p);
	if (n < 0)
		return n;
	if (n < 10 || memcmp(p, "ID3", 3))
		return 0;
	wk->ver = p[3];
	flags = p[5];
	*end = off + 10 + bytes_syncsafe32(p + 6) +
		(flags & TAG_FOOTER ? 10 : 0);
	if (wk->ver < 2 || wk->ver > 4 || (p[6] | p[7] | p[8] | p[9]) & 0x80) {
		tags_damage(w->t, "id3v2: version 2.%u or its size is not "
			    "readable", wk->ver);
		return 0;
	}
	if ((wk->ver == 4 && flags & 0x0f) || (wk->ver == 3 && flags & 0x1f) ||
	    (wk->ver == 2 && flags & 0x40)) {
		tags_damage(w->t, "id3v2: unknown tag flags 0x%02x", flags);
		return 0;
	}
	wk->start = off + 10;
	wk->end = off + 10 + bytes_syncsafe32(p + 6);
	/* A tag cut short: the audio is looked for where its frames end. */
	if (wk->end > w->size) {
		tags_damage(w->t, "id3v2: the tag runs past the end of the "
			    "file");
		wk->end = w->size;
		past = 1;
	}
	if (flags & TAG_UNSYNCED && wk->ver < 4) {
		if (past)
			*end = off + 10;
		return read_unsynced(wk, off, wk->end - off);
	}
	wk->unsync = !!(flags & TAG_UNSYNCED);
	if (flags & TAG_EXTENDED) {
		rc = skip_extended(wk);
		if (rc == -EBADMSG) {
			tags_damage(w->t, "id3v2: its extended header is "
				    "damaged");
			return 0;
		}
		if (rc)
			return rc;
	}
	rc = read_frames(wk);
	if (past)
		*end = wk->stop;
	return rc;
}

int tags_id3v2_read(struct tags_win *w, uint64_t off, uint64_t *end)
{
	unsigned char keep[KEEP_MAX], *big = NULL;
	struct id3_walk wk = {
		.w = w, .t = w->t, .keep = keep, .keep_max = KEEP_MAX,
		.pictures = 1,
	};
	int rc;

	if (w->t->want_lyrics) {	/* room for USLT and SYLT too */
		wk.keep_max += 2 * (TAGS_LYRICS_MAX +
				    sizeof(struct tags_id3_kept));
		wk.keep = big = malloc(wk.keep_max);
		if (!big)
			return -ENOMEM;
	}
	rc = read_tag(&wk, off, end);
	free(big);
	return rc;
}
