/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Vorbis comments, as FLAC, Ogg Vorbis and Ogg Opus hold them: a vendor
 * string, a count, then that many "NAME=value" comments, each with its
 * 32-bit little-endian length. Names are matched without case.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/base64.h"
#include "common/bytes.h"
#include "indexer/library/tags.h"
#include "indexer/library/tags_private.h"

#define KEY_PEEK	64	/* enough of a comment to see its key */
#define PICTURE_KEY	"METADATA_BLOCK_PICTURE="
#define PICTURE_HEAD	1024	/* base64 characters of a picture's head */

enum vkind {
	V_TEXT, V_POS, V_COUNT, V_YEAR, V_ID, V_GAIN, V_R128, V_LYRICS,
};

/* The Vorbis comment names the index reads, matched without case; the
 * MusicBrainz ids as Picard names them
 * (https://picard.musicbrainz.org/docs/mappings/): MUSICBRAINZ_TRACKID
 * is the recording's id. */
static const struct vkey {
	const char *name;
	enum vkind kind;
	enum tags_field field;
	size_t id;			/* V_ID: where in struct tags;
					 * V_GAIN, V_R128: 1 for the album */
} vkeys[] = {
	{ "TITLE", V_TEXT, TAGS_TITLE, 0 },
	{ "ARTIST", V_TEXT, TAGS_ARTIST, 0 },
	{ "ALBUMARTIST", V_TEXT, TAGS_ALBUM_ARTIST, 0 },
	{ "ALBUM ARTIST", V_TEXT, TAGS_ALBUM_ARTIST, 0 },
	{ "ALBUM", V_TEXT, TAGS_ALBUM, 0 },
	{ "GENRE", V_TEXT, TAGS_GENRE, 0 },
	{ "TRACKNUMBER", V_POS, TAGS_TRACK, 0 },
	{ "TRACKTOTAL", V_COUNT, TAGS_TRACK, 0 },
	{ "TOTALTRACKS", V_COUNT, TAGS_TRACK, 0 },
	{ "DISCNUMBER", V_POS, TAGS_DISC, 0 },
	{ "DISCTOTAL", V_COUNT, TAGS_DISC, 0 },
	{ "TOTALDISCS", V_COUNT, TAGS_DISC, 0 },
	{ "DATE", V_YEAR, TAGS_YEAR, 0 },
	{ "YEAR", V_YEAR, TAGS_YEAR, 0 },
	{ "MUSICBRAINZ_TRACKID", V_ID, 0, offsetof(struct tags, mb_track_id) },
	{ "MUSICBRAINZ_ALBUMID", V_ID, 0, offsetof(struct tags, mb_album_id) },
	{ "MUSICBRAINZ_ARTISTID", V_ID, 0,
	  offsetof(struct tags, mb_artist_id) },
	{ "MUSICBRAINZ_ALBUMARTISTID", V_ID, 0,
	  offsetof(struct tags, mb_album_artist_id) },
	{ "REPLAYGAIN_TRACK_GAIN", V_GAIN, 0, 0 },
	{ "REPLAYGAIN_ALBUM_GAIN", V_GAIN, 0, 1 },
	{ "R128_TRACK_GAIN", V_R128, 0, 0 },
	{ "R128_ALBUM_GAIN", V_R128, 0, 1 },
	{ "LYRICS", V_LYRICS, 0, 0 },		/* only with want_lyrics */
	{ "UNSYNCEDLYRICS", V_LYRICS, 0, 0 },
};

/* The key of a comment of len bytes at s ("NAME=value") that t reads,
 * or NULL. */
static const struct vkey *find_key(const struct tags *t, const char *s,
				   size_t len)
{
	const char *eq = memchr(s, '=', len);
	size_t klen;

	if (!eq)
		return NULL;
	klen = eq - s;
	for (size_t i = 0; i < ARRAY_SIZE(vkeys); i++) {
		if (strlen(vkeys[i].name) == klen &&
		    !strncasecmp(s, vkeys[i].name, klen))
			return vkeys[i].kind != V_LYRICS || t->want_lyrics ?
			       &vkeys[i] : NULL;
	}
	return NULL;
}

/* Take one comment "NAME=value" of len bytes. One without '=' is
 * damage, as the Vorbis comment specification wants one. */
static int take_comment(struct tags *t, const char *s, size_t len)
{
	const struct vkey *k = find_key(t, s, len);
	const char *v;
	size_t vlen;

	if (!memchr(s, '=', len)) {
		tags_damage(t, "vorbis: a comment has no \"=\"");
		return 0;
	}
	if (!k)
		return 0;
	v = s + strlen(k->name) + 1;
	vlen = len - strlen(k->name) - 1;
	switch (k->kind) {
	case V_TEXT:
		return tags_add(t, k->field, v, vlen);
	case V_POS:
	case V_COUNT:
		tags_take_pos(t, k->field, v, vlen, k->kind == V_COUNT);
		return 0;
	case V_YEAR:
		tags_take_year(t, v, vlen);
		return 0;
	case V_ID:
		return tags_add_mbid(t, (char **)((char *)t + k->id), v, vlen);
	case V_GAIN:
	case V_R128:
		tags_take_gain(t, k->id, v, vlen, k->kind == V_R128);
		return 0;
	case V_LYRICS:
		if (vlen > TAGS_LYRICS_MAX) {
			tags_damage(t, "vorbis: lyrics too large to read");
			return 0;
		}
		return tags_take_lyrics(t, v, vlen, NULL);
	}
	return 0;
}

/* Whether the n bytes at p start a comment naming a picture. */
static int is_picture(const unsigned char *p, size_t n)
{
	size_t klen = strlen(PICTURE_KEY);

	return n >= klen && !strncasecmp((const char *)p, PICTURE_KEY, klen);
}

/*
 * Note the picture of the nth METADATA_BLOCK_PICTURE comment, of len
 * bytes at off (its key included): a FLAC PICTURE block in base64, whose
 * head, decoded, says its type, MIME type and image length. As its bytes
 * are not in the file as they are, it is kept by its number, offset
 * being that number (PICTURE_OGG).
 */
static int take_picture(struct tags_win *w, uint64_t off, uint32_t len,
			uint32_t nth)
{
	struct tags *t = w->t;
	size_t klen = strlen(PICTURE_KEY), need, total;
	unsigned char head[PICTURE_HEAD / 4 * 3];
	const unsigned char *p;
	struct picture pic;
	ssize_t n, got;
	char tail[4];

	t->has_picture = 1;
	if (t->no_pictures)
		return 0;
	len -= klen;
	off += klen;
	n = tags_win_get(w, off + len - (len < 4 ? len : 4), 4, &p);
	if (n < 0)
		return n;
	memcpy(tail, p, n);
	total = len / 4 * 3 - (n == 4 && tail[3] == '=') -
		(n == 4 && tail[2] == '=');
	n = tags_win_get(w, off, len < PICTURE_HEAD ? len : PICTURE_HEAD, &p);
	if (n < 0)
		return n;
	got = base64_decode((const char *)p, n, head, sizeof(head));
	if (got < 0 || picture_flac(head, got, 0, total, &pic, &need)) {
		tags_damage(t, "vorbis: a METADATA_BLOCK_PICTURE comment is "
			    "damaged");
		return 0;
	}
	pic.offset = nth;
	pic.unsync = PICTURE_OGG;
	picture_choose(&t->picture, &pic);
	return 0;
}

/* Where the walk over a comment block is. */
struct vc_walk {
	uint64_t off;			/* of the next comment's length */
	uint32_t left;			/* comments not yet walked */
};

/* Start a walk over the block whose vendor length is at off. Returns 0,
 * 1 when the block is cut by the end of the file, or a negative errno. */
static int walk_start(struct tags_win *w, uint64_t off, struct vc_walk *k)
{
	const unsigned char *p;
	ssize_t n;

	n = tags_win_get(w, off, 4, &p);
	if (n < 4)
		return n < 0 ? n : 1;
	off += 4 + (uint64_t)bytes_le32(p);
	n = tags_win_get(w, off, 4, &p);
	if (n < 4)
		return n < 0 ? n : 1;
	k->left = bytes_le32(p);
	k->off = off + 4;
	return 0;
}

/*
 * The next comment: *off and *len say where it is, *p holds its first
 * bytes (all of it below TAGS_WIN_SIZE, else KEY_PEEK), and their number
 * is returned; 0 at the end, -1 when the comments are cut by the end of
 * the file, or a negative errno below that.
 */
static ssize_t walk_next(struct tags_win *w, struct vc_walk *k, uint64_t *off,
			 uint32_t *len, const unsigned char **p)
{
	ssize_t n;

	if (!k->left)
		return 0;
	k->left--;
	n = tags_win_get(w, k->off, 4, p);
	if (n < 4)
		return n < 0 ? n - 1 : -1;
	*len = bytes_le32(*p);
	*off = k->off + 4;
	if (*off + *len > w->size)
		return -1;
	k->off = *off + *len;
	*p = (const unsigned char *)"";
	n = tags_win_get(w, *off, *len < TAGS_WIN_SIZE ? *len : KEY_PEEK, p);
	if (n < 0)
		return n - 1;
	return n ? n : 1;
}

/* A picture comment is looked at before the size check of the others:
 * a cover's base64 is larger than the window, and only its head is
 * needed. */
int tags_vorbis_read(struct tags_win *w, uint64_t off, uint64_t *end,
		     int pictures)
{
	const unsigned char *p;
	struct vc_walk k;
	uint32_t len, nth = 0;
	ssize_t n = 0;
	int rc;

	rc = walk_start(w, off, &k);
	if (rc)
		return rc;
	while (!rc && (n = walk_next(w, &k, &off, &len, &p)) > 0) {
		if (pictures && is_picture(p, n))
			rc = take_picture(w, off, len, nth++);
		else if (len < TAGS_WIN_SIZE)
			rc = take_comment(w->t, (const char *)p, len ? n : 0);
		else if (find_key(w->t, (const char *)p, n))
			tags_damage(w->t, "vorbis: a comment is too large");
	}
	if (!rc && n < 0)
		return n == -1 ? 1 : n + 1;
	*end = k.off;
	return rc;
}

/* The picture is found by its number among the picture comments, as
 * tags_vorbis_read() counted them, and decoded whole. */
int tags_vorbis_picture(struct tags_win *w, uint64_t off,
			const struct picture *pic, unsigned char *out)
{
	size_t klen = strlen(PICTURE_KEY), need;
	struct picture found;
	const unsigned char *p;
	unsigned char *block;
	struct vc_walk k;
	uint32_t len, nth = 0;
	ssize_t n, got;
	int rc;

	rc = walk_start(w, off, &k);
	if (rc)
		return rc < 0 ? rc : -EIO;
	while (!rc && (n = walk_next(w, &k, &off, &len, &p)) > 0) {
		if (!is_picture(p, n) || nth++ != pic->offset)
			continue;
		n = tags_win_get(w, off + klen, len - klen, &p);
		if (n < (ssize_t)(len - klen))
			return n < 0 ? n : -EIO;
		block = malloc(n / 4 * 3 + 1);
		if (!block)
			return -ENOMEM;
		got = base64_decode((const char *)p, n, block, n / 4 * 3);
		rc = got < 0 || picture_flac(block, got, 0, got, &found,
					     &need) ||
			found.length != pic->length ? -EIO : 0;
		if (!rc)
			memcpy(out, block + found.offset, found.length);
		free(block);
		return rc;
	}
	return rc < 0 ? rc : -EIO;
}
