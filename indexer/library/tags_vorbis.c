#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "common/bytes.h"
#include "indexer/library/tags.h"
#include "indexer/library/tags_util.h"

/*
 * Vorbis comments, as FLAC, Ogg Vorbis and Ogg Opus hold them: a vendor
 * string, a count, then that many "NAME=value" comments, each with its
 * 32-bit little-endian length. Names are matched without case.
 */

#define KEY_PEEK	64	/* enough of a comment to see its key */
#define PICTURE_KEY	"METADATA_BLOCK_PICTURE="

enum vkind { V_TEXT, V_POS, V_COUNT, V_YEAR, V_ID };

/* The Vorbis comment names the index reads, matched without case. */
static const struct vkey {
	const char *name;
	enum vkind kind;
	enum tags_field field;
	size_t id;			/* V_ID: where in struct tags */
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
};

/* The key of a comment of len bytes at s ("NAME=value"), or NULL. */
static const struct vkey *find_key(const char *s, size_t len)
{
	const char *eq = memchr(s, '=', len);
	size_t klen;

	if (!eq)
		return NULL;
	klen = eq - s;
	for (size_t i = 0; i < ARRAY_SIZE(vkeys); i++) {
		if (strlen(vkeys[i].name) == klen &&
		    !strncasecmp(s, vkeys[i].name, klen))
			return &vkeys[i];
	}
	return NULL;
}

/* Take one comment "NAME=value" of len bytes. One without '=' is
 * damage, as the Vorbis comment specification wants one. */
static int take_comment(struct tags *t, const char *s, size_t len)
{
	const struct vkey *k = find_key(s, len);
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
		return tags_add_to(t, (char **)((char *)t + k->id), v, vlen);
	}
	return 0;
}

/* Whether the n bytes at p start a comment naming a picture. */
static int is_picture(const unsigned char *p, size_t n)
{
	size_t klen = strlen(PICTURE_KEY);

	return n >= klen && !strncasecmp((const char *)p, PICTURE_KEY, klen);
}

int tags_vorbis_read(struct tags_win *w, uint64_t off, uint64_t *end,
		     int pictures)
{
	const unsigned char *p;
	uint32_t count, len;
	ssize_t n;
	int rc = 0;

	n = tags_win_get(w, off, 4, &p);
	if (n < 4)
		return n < 0 ? n : 1;
	off += 4 + (uint64_t)bytes_le32(p);
	n = tags_win_get(w, off, 4, &p);
	if (n < 4)
		return n < 0 ? n : 1;
	count = bytes_le32(p);
	off += 4;
	for (uint32_t i = 0; !rc && i < count; i++) {
		n = tags_win_get(w, off, 4, &p);
		if (n < 4)
			return n < 0 ? n : 1;
		len = bytes_le32(p);
		off += 4;
		if (off + len > w->size)
			return 1;
		p = (const unsigned char *)"";
		n = tags_win_get(w, off, len < TAGS_WIN_SIZE ? len :
				 KEY_PEEK, &p);
		if (n < 0)
			return n;
		if (pictures && is_picture(p, n))
			w->t->has_picture = 1;
		else if (len < TAGS_WIN_SIZE)
			rc = take_comment(w->t, (const char *)p, n);
		else if (find_key((const char *)p, n))
			tags_damage(w->t, "vorbis: a comment is too large");
		off += len;
	}
	*end = off;
	return rc;
}
