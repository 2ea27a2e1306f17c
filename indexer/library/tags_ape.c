/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * APEv2 tags, as MP3 taggers (foobar2000, MP3Gain) append them: a
 * 32-byte footer "APETAGEX" with the tag's size and item count, the
 * items before it (a value length, flags, a key ending with a zero, the
 * value), and maybe a header. Text values are UTF-8, several in one
 * item separated by zero bytes. Keys are matched without case, as
 * mutagen's APEv2 does.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "common/bytes.h"
#include "common/utf8.h"
#include "indexer/library/tags.h"
#include "indexer/library/tags_private.h"

#define HAS_HEADER	0x80000000u
#define KEY_MAX		255
#define BINARY		1	/* an item's type, in bits 1-2 of its flags */
#define COVER_KEY	"Cover Art (Front)"
#define NAME_PEEK	1024	/* enough of a cover item for its file name */

enum { V_TEXT, V_POS, V_YEAR, V_GAIN, V_ALBUM_GAIN, V_ID, V_LYRICS };

/* The MusicBrainz ids are named as Picard writes them to APEv2
 * (https://picard.musicbrainz.org/docs/mappings/): MUSICBRAINZ_TRACKID
 * is the recording's id. */
static const struct ape_key {
	const char *key;
	enum tags_field field;
	int kind;
	size_t id;			/* V_ID: where in struct tags */
} keys[] = {
	{ "Title", TAGS_TITLE, V_TEXT, 0 },
	{ "Artist", TAGS_ARTIST, V_TEXT, 0 },
	{ "Album Artist", TAGS_ALBUM_ARTIST, V_TEXT, 0 },
	{ "AlbumArtist", TAGS_ALBUM_ARTIST, V_TEXT, 0 },
	{ "Album", TAGS_ALBUM, V_TEXT, 0 },
	{ "Genre", TAGS_GENRE, V_TEXT, 0 },
	{ "Track", TAGS_TRACK, V_POS, 0 },
	{ "Disc", TAGS_DISC, V_POS, 0 },
	{ "Year", TAGS_YEAR, V_YEAR, 0 },
	{ "REPLAYGAIN_TRACK_GAIN", 0, V_GAIN, 0 },
	{ "REPLAYGAIN_ALBUM_GAIN", 0, V_ALBUM_GAIN, 0 },
	{ "MUSICBRAINZ_TRACKID", 0, V_ID, offsetof(struct tags, mb_track_id) },
	{ "MUSICBRAINZ_ALBUMID", 0, V_ID, offsetof(struct tags, mb_album_id) },
	{ "MUSICBRAINZ_ARTISTID", 0, V_ID,
	  offsetof(struct tags, mb_artist_id) },
	{ "MUSICBRAINZ_ALBUMARTISTID", 0, V_ID,
	  offsetof(struct tags, mb_album_artist_id) },
	{ "Lyrics", 0, V_LYRICS, 0 },		/* only with want_lyrics */
};

/* Whether the n bytes at s are well-formed UTF-8: mutagen refuses an
 * item that is not. */
static int utf8_ok(const unsigned char *s, size_t n)
{
	unsigned int cp;
	size_t k;

	for (size_t i = 0; i < n; i += k) {
		k = s[i] ? utf8_decode(s + i, n - i, &cp) : 1;
		if (!k)
			return 0;
	}
	return 1;
}

/* Take a text item's values (separated by zero bytes) for key k. */
static int take_item(struct tags *t, const struct ape_key *k,
		     const unsigned char *v, size_t n)
{
	const char *s = (const char *)v, *end = s + n, *z;
	enum tags_field f = k->field;
	int kind = k->kind, rc = 0;

	if (!utf8_ok(v, n)) {
		tags_damage(t, "ape: a value is not UTF-8");
		return 0;
	}
	if (kind == V_GAIN || kind == V_ALBUM_GAIN)
		tags_take_gain(t, kind == V_ALBUM_GAIN, s, n, 0);
	else if (kind == V_POS)
		tags_take_pos(t, f, s, n, 0);
	else if (kind == V_YEAR)
		tags_take_year(t, s, n);
	else if (kind == V_LYRICS)
		return tags_take_lyrics(t, s, n, NULL);
	for (; (kind == V_TEXT || kind == V_ID) && !rc && s <= end;
	     s = z + 1) {
		z = memchr(s, '\0', end - s);
		if (!z)
			z = end;
		rc = kind == V_ID ?
			tags_add_mbid(t, (char **)((char *)t + k->id), s,
				      z - s) :
			tags_add(t, f, s, z - s);
	}
	return rc;
}

/*
 * Note the picture of a cover item whose vlen bytes of value are at off:
 * a file name ending with a zero byte, then the image, as mutagen and
 * foobar2000 write it. Its MIME type is told from its first bytes.
 */
static int take_cover(struct tags_win *w, uint64_t off, uint32_t vlen)
{
	struct tags *t = w->t;
	struct picture pic = { .found = 1, .type = PICTURE_FRONT };
	const unsigned char *p, *z, *img;
	ssize_t n;

	t->has_picture = 1;
	if (t->no_pictures)
		return 0;
	n = tags_win_get(w, off, vlen < NAME_PEEK ? vlen : NAME_PEEK, &p);
	if (n < 0)
		return n;
	z = memchr(p, '\0', n);
	if (!z || (size_t)(z + 1 - p) >= vlen) {
		tags_damage(t, "ape: the cover item is damaged");
		return 0;
	}
	img = z + 1;
	strcpy(pic.mime, p + n - img >= 4 && !memcmp(img, "\x89PNG", 4) ?
	       "image/png" : "image/jpeg");
	pic.offset = off + (img - p);
	pic.length = vlen - (img - p);
	picture_choose(&t->picture, &pic);
	return 0;
}

/* One item at off, of which the tag holds left bytes; sets *len to its
 * size. Returns 0, 1 when it does not fit (the walk stops) or an errno. */
static int read_item(struct tags_win *w, uint64_t off, uint64_t left,
		     uint64_t *len)
{
	const unsigned char *p;
	size_t klen, i;
	uint32_t vlen, flags;
	char key[KEY_MAX + 1];
	ssize_t n;

	n = tags_win_get(w, off, left < 8 + KEY_MAX + 1 ? left :
			 8 + KEY_MAX + 1, &p);
	if (n < 0)
		return n;
	if (n < 9)
		return 1;
	vlen = bytes_le32(p);
	flags = bytes_le32(p + 4);
	klen = strnlen((const char *)p + 8, n - 8);
	if (klen == (size_t)n - 8 || klen < 2)
		return 1;
	memcpy(key, p + 8, klen + 1);
	*len = 8 + klen + 1 + (uint64_t)vlen;
	if (*len > left)
		return 1;
	if ((flags >> 1 & 3) == BINARY && !strcasecmp(key, COVER_KEY))
		return take_cover(w, off + 8 + klen + 1, vlen);
	if ((flags >> 1 & 3) != 0)
		return 0;
	for (i = 0; i < ARRAY_SIZE(keys); i++) {
		if (strcasecmp(key, keys[i].key))
			continue;
		if (!vlen || (keys[i].kind == V_LYRICS && !w->t->want_lyrics))
			return 0;
		if (vlen > TAGS_WIN_SIZE) {
			tags_damage(w->t, "ape: item %s is too large", key);
			return 0;
		}
		n = tags_win_get(w, off + 8 + klen + 1, vlen, &p);
		if (n < 0)
			return n;
		if (n < (ssize_t)vlen)
			return 1;
		return take_item(w->t, &keys[i], p, vlen);
	}
	return 0;
}

/* The footer's fields, or -EBADMSG when there is none at footer or its
 * size does not fit the file. */
static int read_footer(struct tags_win *w, uint64_t footer, uint64_t *size,
		       uint32_t *count, uint32_t *flags)
{
	const unsigned char *p;
	ssize_t n;

	n = tags_win_get(w, footer, 32, &p);
	if (n < 0)
		return n;
	if (n < 32 || memcmp(p, "APETAGEX", 8))
		return -EBADMSG;
	*size = bytes_le32(p + 12);
	*count = bytes_le32(p + 16);
	*flags = bytes_le32(p + 20);
	return *size < 32 || *size - 32 > footer ? -EBADMSG : 0;
}

int tags_ape_start(struct tags_win *w, uint64_t footer, uint64_t *start)
{
	uint64_t size;
	uint32_t count, flags;
	int rc;

	*start = footer;
	rc = read_footer(w, footer, &size, &count, &flags);
	if (rc)
		return rc == -EBADMSG ? 0 : rc;
	*start = footer + 32 - size;
	if (*start >= 32 && flags & HAS_HEADER)
		*start -= 32;
	return 0;
}

int tags_ape_read(struct tags_win *w, uint64_t footer)
{
	uint64_t size, off, len;
	uint32_t count, flags;
	int rc;

	rc = read_footer(w, footer, &size, &count, &flags);
	if (rc == -EBADMSG)
		tags_damage(w->t, "ape: the tag's size does not fit the file");
	if (rc)
		return rc == -EBADMSG ? 0 : rc;
	off = footer + 32 - size;
	for (uint32_t i = 0; i < count && off < footer; i++, off += len) {
		rc = read_item(w, off, footer - off, &len);
		if (rc)
			break;
	}
	if (rc == 1) {
		tags_damage(w->t, "ape: an item runs past the end of the tag");
		rc = 0;
	}
	return rc;
}
