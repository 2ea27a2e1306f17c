/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * MP4 audio (.m4a, .m4b, .mp4: AAC or ALAC), read as mutagen's MP4 reads
 * it. The file is a tree of boxes, each a 32-bit size (1: a 64-bit size
 * follows the type; 0: to the end of its parent) and a four-letter type;
 * only the headers are read on the way to what the index wants, so that
 * an mdat box before moov costs one jump. In moov: the first trak whose
 * handler is "soun" gives the codec, channels and sample rate (its stsd
 * entry; an ALAC entry's own alac box) and the duration (its mdhd);
 * udta/meta/ilst the tags, each item a box holding one data box a value
 * (several are joined), the freeform "----" items naming themselves with
 * mean and name boxes (MusicBrainz ids, ReplayGain), and covr holding
 * the pictures, whose bytes lie in the file as they are.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "common/bytes.h"
#include "indexer/library/tags.h"
#include "indexer/library/tags_private.h"

#define MP4_CHUNK	16384
#define TYPE_UTF8	1
#define TYPE_PNG	14
#define TYPE_BMP	27
#define NAME_MAX_LEN	64

struct box {
	uint64_t off;		/* of the header */
	uint64_t body;		/* of the content */
	uint64_t end;
	char type[4];
};

/* What the walk carries from box to box. */
struct mp4 {
	struct tags_win *w;
	int have_moov;
	int have_track;		/* the sound track was found */
	int in_sound;		/* the trak being walked is a sound track */
	uint32_t timescale;
	uint64_t duration;
};

/* The header of the box at off inside a parent ending at end. Returns 1,
 * 0 when there is none (damage noted), or a negative errno. */
static int box_at(struct tags_win *w, uint64_t off, uint64_t end,
		  struct box *b)
{
	const unsigned char *p;
	uint64_t size;
	ssize_t n;

	n = tags_win_get(w, off, 16, &p);
	if (n < 0)
		return n;
	if (n < 8 || off + 8 > end) {
		tags_damage(w->t, "mp4: a box is cut short");
		return 0;
	}
	size = bytes_be32(p);
	memcpy(b->type, p + 4, 4);
	b->off = off;
	b->body = off + 8;
	if (size == 1) {
		if (n < 16) {
			tags_damage(w->t, "mp4: a box is cut short");
			return 0;
		}
		size = bytes_be64(p + 8);
		b->body += 8;
	} else if (!size) {
		size = end - off;
	}
	if (size < b->body - off || size > end - off) {
		tags_damage(w->t, "mp4: box \"%.4s\" has a bad size",
			    b->type);
		return 0;
	}
	b->end = off + size;
	return 1;
}

/* The len bytes at off of box b's content, at most 64 kB; fewer when the
 * box is shorter. */
static ssize_t box_get(struct tags_win *w, const struct box *b, uint64_t off,
		       size_t len, const unsigned char **p)
{
	if (off >= b->end)
		return 0;
	if (len > b->end - off)
		len = b->end - off;
	return tags_win_get(w, off, len, p);
}

/* The picture of a covr data box of the given type whose image is the
 * len bytes at off. */
static void take_cover(struct tags *t, uint32_t type, uint64_t off,
		       uint64_t len)
{
	struct picture pic = { .found = 1, .type = PICTURE_FRONT };
	const char *mime = type == TYPE_PNG ? "image/png" :
		type == TYPE_BMP ? "image/bmp" : "image/jpeg";

	t->has_picture = 1;
	if (t->no_pictures || !len)
		return;
	strcpy(pic.mime, mime);
	pic.offset = off;
	pic.length = len;
	picture_choose(&t->picture, &pic);
}

/* Take a track or disc pair (two 16-bit numbers after two zero bytes). */
static void take_pair(struct tags *t, enum tags_field f,
		      const unsigned char *p, size_t n)
{
	char s[32];

	if (n < 6)
		return;
	snprintf(s, sizeof(s), "%u/%u", bytes_be16(p + 2), bytes_be16(p + 4));
	tags_take_pos(t, f, s, strlen(s), 0);
}

/* The MusicBrainz ids of the freeform items (mean com.apple.iTunes), by
 * their name as Picard writes them
 * (https://picard.musicbrainz.org/docs/mappings/): "MusicBrainz Track
 * Id" is the recording's id. */
static char **freeform_field(struct tags *t, const char *name)
{
	if (!strcmp(name, "MusicBrainz Track Id"))
		return &t->mb_track_id;
	if (!strcmp(name, "MusicBrainz Album Id"))
		return &t->mb_album_id;
	if (!strcmp(name, "MusicBrainz Artist Id"))
		return &t->mb_artist_id;
	if (!strcmp(name, "MusicBrainz Album Artist Id"))
		return &t->mb_album_artist_id;
	return NULL;
}

/* Take one data box's value for the item of type item (for "----", the
 * freeform name). */
static int take_data(struct mp4 *m, const char *item, const char *name,
		     const struct box *d)
{
	static const struct {
		const char *type;
		enum tags_field field;
	} texts[] = {
		{ "\xa9nam", TAGS_TITLE }, { "\xa9" "ART", TAGS_ARTIST },
		{ "aART", TAGS_ALBUM_ARTIST }, { "\xa9" "alb", TAGS_ALBUM },
		{ "\xa9gen", TAGS_GENRE },
	};
	struct tags *t = m->w->t;
	const unsigned char *p;
	uint32_t type;
	size_t len;
	char **id;
	ssize_t n;

	n = box_get(m->w, d, d->body, 8, &p);
	if (n < 0)
		return n;
	if (n < 8) {
		tags_damage(t, "mp4: item \"%.4s\" has a short data box",
			    item);
		return 0;
	}
	type = bytes_be32(p) & 0xffffff;
	if (!memcmp(item, "covr", 4)) {
		take_cover(t, type, d->body + 8, d->end - d->body - 8);
		return 0;
	}
	len = d->end - d->body - 8;
	if (len >= TAGS_WIN_SIZE)
		return 0;
	n = box_get(m->w, d, d->body + 8, len, &p);
	if (n < 0)
		return n;
	if (!memcmp(item, "trkn", 4))
		take_pair(t, TAGS_TRACK, p, n);
	else if (!memcmp(item, "disk", 4))
		take_pair(t, TAGS_DISC, p, n);
	else if (!memcmp(item, "gnre", 4) && n >= 2 && bytes_be16(p))
		return tags_genre_add(t, bytes_be16(p) - 1) < 0 ? -ENOMEM : 0;
	else if (!memcmp(item, "\xa9" "day", 4))
		tags_take_year(t, (const char *)p, n);
	if (type != TYPE_UTF8)
		return 0;
	if (name && (!strcasecmp(name, "replaygain_track_gain") ||
		     !strcasecmp(name, "replaygain_album_gain"))) {
		tags_take_gain(t, !strcasecmp(name, "replaygain_album_gain"),
			       (const char *)p, n, 0);
		return 0;
	}
	if (name) {
		id = freeform_field(t, name);
		return id ? tags_add_mbid(t, id, (const char *)p, n) : 0;
	}
	if (!memcmp(item, "\xa9lyr", 4))	/* only with want_lyrics */
		return tags_take_lyrics(t, (const char *)p, n, NULL);
	for (size_t i = 0; i < ARRAY_SIZE(texts); i++)
		if (!memcmp(item, texts[i].type, 4))
			return tags_add(t, texts[i].field, (const char *)p, n);
	return 0;
}

/* Copy a freeform item's name (a name box's content after its version
 * and flags) into buf. */
static int take_name(struct tags_win *w, const struct box *b, char *buf)
{
	const unsigned char *p;
	ssize_t n;

	n = box_get(w, b, b->body + 4, NAME_MAX_LEN - 1, &p);
	if (n < 0)
		return n;
	memcpy(buf, p, n);
	buf[n] = '\0';
	return 0;
}

/* One ilst item: its data boxes, in order. */
static int read_item(struct mp4 *m, const struct box *item)
{
	char name[NAME_MAX_LEN] = "";
	int freeform = !memcmp(item->type, "----", 4);
	struct box b;
	uint64_t off;
	int rc;

	for (off = item->body; off < item->end; off = b.end) {
		rc = box_at(m->w, off, item->end, &b);
		if (rc <= 0)
			return rc;
		rc = 0;
		if (freeform && !memcmp(b.type, "name", 4))
			rc = take_name(m->w, &b, name);
		else if (!memcmp(b.type, "data", 4) && (!freeform || *name))
			rc = take_data(m, item->type, freeform ? name : NULL,
				       &b);
		if (rc)
			return rc;
	}
	return 0;
}

/* The handler of a trak's hdlr box: a sound track or not. */
static int read_hdlr(struct mp4 *m, const struct box *b)
{
	const unsigned char *p;
	ssize_t n = box_get(m->w, b, b->body, 12, &p);

	if (n < 0)
		return n;
	m->in_sound = n == 12 && !memcmp(p + 8, "soun", 4);
	return 0;
}

/* A sound track's timescale and duration. */
static int read_mdhd(struct mp4 *m, const struct box *b)
{
	const unsigned char *p;
	ssize_t n = box_get(m->w, b, b->body, 32, &p);

	if (n < 0)
		return n;
	if (n >= 24 && !p[0]) {
		m->timescale = bytes_be32(p + 12);
		m->duration = bytes_be32(p + 16);
	} else if (n >= 32 && p[0] == 1) {
		m->timescale = bytes_be32(p + 20);
		m->duration = bytes_be64(p + 24);
	} else {
		tags_damage(m->w->t, "mp4: the mdhd box is damaged");
	}
	return 0;
}

/* The first sample entry of a sound track's stsd box: codec, channels,
 * sample rate; an ALAC entry's alac box (its magic cookie) has the true
 * ones, and the bits a sample. */
static int read_stsd(struct mp4 *m, const struct box *b)
{
	struct tags *t = m->w->t;
	const unsigned char *p;
	struct box e;
	ssize_t n;
	int rc;

	rc = box_at(m->w, b->body + 8, b->end, &e);
	if (rc <= 0)
		return rc;
	n = box_get(m->w, &e, e.body, 28 + 36, &p);
	if (n < 0)
		return n;
	if (n < 28) {
		tags_damage(t, "mp4: the stsd box is damaged");
		return 0;
	}
	t->codec = !memcmp(e.type, "mp4a", 4) ? "aac" :
		!memcmp(e.type, "alac", 4) ? "alac" : "mp4";
	t->channels = bytes_be16(p + 16);
	t->sample_rate = bytes_be16(p + 24);
	if (n >= 28 + 36 && !memcmp(p + 32, "alac", 4)) {
		t->bit_depth = p[28 + 8 + 9];
		t->channels = p[28 + 8 + 13];
		t->sample_rate = bytes_be32(p + 28 + 8 + 24);
	}
	return 0;
}

/* Where a walk is, by the parent of the boxes it walks. */
enum level { TOP, MOOV, TRAK, MDIA, MINF, STBL, UDTA, META, ILST };

/* visit() and walk() call each other, one level down each time. */
static int walk(struct mp4 *m, uint64_t off, uint64_t end, enum level at);

/* The content of a meta box: a full box (version and flags first),
 * except in some QuickTime writers', whose first child follows at once. */
static int walk_meta(struct mp4 *m, const struct box *b)
{
	const unsigned char *p;
	ssize_t n = box_get(m->w, b, b->body, 8, &p);

	if (n < 0)
		return n;
	return walk(m, b->body + (n == 8 && !memcmp(p + 4, "hdlr", 4) ? 0 : 4),
		    b->end, META);
}

/* A trak box: kept when it is the first sound track. */
static int walk_trak(struct mp4 *m, const struct box *b)
{
	uint32_t timescale = m->timescale;
	uint64_t duration = m->duration;
	int rc;

	if (m->have_track)
		return 0;
	m->in_sound = 0;
	rc = walk(m, b->body, b->end, TRAK);
	m->have_track = m->in_sound;
	if (!m->in_sound) {
		m->timescale = timescale;
		m->duration = duration;
	}
	m->in_sound = 0;
	return rc;
}

/* One box of the level at: what the index reads in it, or its children. */
static int visit(struct mp4 *m, const struct box *b, enum level at)
{
	static const struct {
		enum level at;
		char type[5];
		enum level into;
	} parents[] = {
		{ TOP, "moov", MOOV }, { MOOV, "udta", UDTA },
		{ TRAK, "mdia", MDIA }, { MDIA, "minf", MINF },
		{ MINF, "stbl", STBL }, { META, "ilst", ILST },
	};

	if (at == ILST)
		return read_item(m, b);
	if (at == MOOV && !memcmp(b->type, "trak", 4))
		return walk_trak(m, b);
	if ((at == MOOV || at == UDTA) && !memcmp(b->type, "meta", 4))
		return walk_meta(m, b);
	if (at == MDIA && !memcmp(b->type, "hdlr", 4))
		return read_hdlr(m, b);
	if (at == MDIA && !memcmp(b->type, "mdhd", 4))
		return read_mdhd(m, b);
	if (at == STBL && m->in_sound && !memcmp(b->type, "stsd", 4))
		return read_stsd(m, b);
	if (at == TOP && !memcmp(b->type, "moov", 4))
		m->have_moov = 1;
	for (size_t i = 0; i < ARRAY_SIZE(parents); i++)
		if (parents[i].at == at && !memcmp(b->type, parents[i].type, 4))
			return walk(m, b->body, b->end, parents[i].into);
	return 0;
}

/* Walk the boxes between off and end, children of a box of level at. */
static int walk(struct mp4 *m, uint64_t off, uint64_t end, enum level at)
{
	struct box b;
	int rc = 0;

	for (; !rc && off < end; off = b.end) {
		rc = box_at(m->w, off, end, &b);
		if (rc <= 0)
			return rc;
		rc = visit(m, &b, at);
	}
	return rc;
}

/* An MP4 file starts with ftyp; what is not one is damage, not an I/O
 * error, so it is listed with its reason. */
int tags_read_mp4(int fd, struct tags *t)
{
	unsigned char buf[TAGS_WIN_SIZE];
	struct tags_win w;
	struct mp4 m = { .w = &w };
	const unsigned char *p;
	ssize_t n;
	int rc;

	t->codec = "mp4";
	t->reading = TAGS_MP4;
	rc = tags_win_init(&w, fd, t, buf, MP4_CHUNK);
	if (rc)
		return rc;
	n = tags_win_get(&w, 0, 8, &p);
	if (n < 0)
		return n;
	if (n < 8 || memcmp(p + 4, "ftyp", 4)) {
		tags_damage(t, "mp4: no \"ftyp\" box");
		return 0;
	}
	rc = walk(&m, 0, w.size, TOP);
	if (rc)
		return rc;
	if (!m.have_moov)
		tags_damage(t, "mp4: no \"moov\" box");
	else if (!m.have_track)
		tags_damage(t, "mp4: no sound track");
	if (m.have_track && m.timescale)
		t->duration_s = (double)m.duration / m.timescale;
	tags_set_bitrate(t, w.size);
	return 0;
}
