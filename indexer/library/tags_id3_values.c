/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The values ID3 tags give: an ID3v2 frame's decoded strings taken into
 * the tags (title to genre, TCON's genre references, dates, MusicBrainz
 * ids from TXXX and UFID, ReplayGain from TXXX and RVA2), and ID3v1's
 * fixed fields. It does not walk a tag nor decode a frame; that is
 * tags_id3.c's and tags_id3_text.c's.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/bytes.h"
#include "indexer/library/genres.h"
#include "indexer/library/tags.h"
#include "indexer/library/tags_id3_private.h"
#include "indexer/library/tags_private.h"

/* What a TXXX frame gives: a MusicBrainz id into a field of struct
 * tags, or a ReplayGain as foobar2000 and Picard write it. */
enum txxx_kind { TXXX_ID, TXXX_GAIN, TXXX_ALBUM_GAIN };

static const struct {
	const char *desc;
	enum txxx_kind kind;
	size_t field;
} txxx_frames[] = {
	{ "MusicBrainz Album Id", TXXX_ID,
	  offsetof(struct tags, mb_album_id) },
	{ "MusicBrainz Artist Id", TXXX_ID,
	  offsetof(struct tags, mb_artist_id) },
	{ "MusicBrainz Album Artist Id", TXXX_ID,
	  offsetof(struct tags, mb_album_artist_id) },
	{ "REPLAYGAIN_TRACK_GAIN", TXXX_GAIN, 0 },
	{ "REPLAYGAIN_ALBUM_GAIN", TXXX_ALBUM_GAIN, 0 },
};

/* The next of count NUL-terminated strings at *s. */
static const char *next_string(const unsigned char **s)
{
	const char *cur = (const char *)*s;

	*s += strlen(cur) + 1;
	return cur;
}

int tags_genre_add(struct tags *t, unsigned long n)
{
	const char *name = genres_name(n);

	if (!name)
		return 1;
	return tags_add(t, TAGS_GENRE, name, strlen(name));
}

/* Add the genre named by the reference ref (n bytes): a number, "RX"
 * or "CR". Returns 0, 1 when ref is no reference, or -ENOMEM. */
static int add_genre_ref(struct tags *t, const char *ref, size_t n)
{
	unsigned long v = 0;
	size_t i;

	if (n == 2 && !memcmp(ref, "RX", 2))
		return tags_add(t, TAGS_GENRE, "Remix", 5);
	if (n == 2 && !memcmp(ref, "CR", 2))
		return tags_add(t, TAGS_GENRE, "Cover", 5);
	for (i = 0; i < n && i < 4; i++) {
		if (ref[i] < '0' || ref[i] > '9')
			return 1;
		v = v * 10 + ref[i] - '0';
	}
	if (!n || i < n)
		return 1;
	return tags_genre_add(t, v);
}

/*
 * A TCON string: a genre number ("17"), ID3v2.3 references in front of
 * a refinement ("(17)", "(17)Rock", "(RX)(CR)"; "((" escapes a bracket)
 * or a name.
 */
static int add_genre(struct tags *t, const char *s)
{
	const char *close;
	int rc;

	rc = add_genre_ref(t, s, strlen(s));
	if (rc <= 0)
		return rc;
	while (s[0] == '(' && s[1] != '(' && (close = strchr(s, ')'))) {
		rc = add_genre_ref(t, s + 1, close - s - 1);
		if (rc < 0)
			return rc;
		if (rc)
			break;
		s = close + 1;
	}
	if (s[0] == '(' && s[1] == '(')
		s++;
	return tags_add(t, TAGS_GENRE, s, strlen(s));
}

/* TXXX descriptions are compared as ASCII, without case; of a gain, the
 * first value counts, as a Vorbis comment's. */
static int take_txxx(struct tags *t, const unsigned char *s, size_t count)
{
	const char *desc, *v;
	size_t i, k;
	int rc = 0;

	if (count < 2)
		return 0;
	desc = next_string(&s);
	/* lyrics as ffmpeg (TXXX:USLT) and some taggers write them */
	if (!strcasecmp(desc, "USLT") || !strcasecmp(desc, "LYRICS") ||
	    !strcasecmp(desc, "UNSYNCEDLYRICS")) {
		v = next_string(&s);
		return tags_take_lyrics(t, v, strlen(v), NULL);
	}
	for (i = 0; i < ARRAY_SIZE(txxx_frames); i++)
		if (!strcasecmp(desc, txxx_frames[i].desc))
			break;
	if (i == ARRAY_SIZE(txxx_frames))
		return 0;
	if (txxx_frames[i].kind != TXXX_ID) {
		v = next_string(&s);
		tags_take_gain(t, txxx_frames[i].kind == TXXX_ALBUM_GAIN, v,
			       strlen(v), 0);
		return 0;
	}
	for (k = 1; !rc && k < count; k++) {
		v = next_string(&s);
		rc = tags_add_mbid(t, (char **)((char *)t +
				   txxx_frames[i].field), v, strlen(v));
	}
	return rc;
}

/* UFID: an owner in Latin-1 up to a zero byte, then the id's bytes; the
 * owner "http://musicbrainz.org" holds the recording's id, as Picard
 * writes it (https://picard.musicbrainz.org/docs/mappings/). */
static int take_ufid(struct tags *t, const unsigned char *p, size_t n)
{
	static const char owner[] = "http://musicbrainz.org";

	if (n < sizeof(owner) || memcmp(p, owner, sizeof(owner)))
		return 0;
	p += sizeof(owner);
	return tags_add_mbid(t, &t->mb_track_id, (const char *)p,
			     n - sizeof(owner));
}

/*
 * RVA2, as mutagen's EasyID3 and Quod Libet write ReplayGain: an
 * identification "track" or "album" in Latin-1 up to a zero byte, then
 * for each channel its type (1 the master volume), the adjustment in
 * 1/512 dB as a signed 16-bit big-endian number, the peak's size in
 * bits and the peak. The master volume's adjustment is the gain.
 */
static void take_rva2(struct tags_id3_later *later, const unsigned char *p,
		      size_t n)
{
	const unsigned char *zero = memchr(p, 0, n);
	size_t at;
	int album;

	if (!zero)
		return;
	if (!strcasecmp((const char *)p, "track"))
		album = 0;
	else if (!strcasecmp((const char *)p, "album"))
		album = 1;
	else
		return;
	for (at = zero + 1 - p; at + 4 <= n;
	     at += 4 + (p[at + 3] + 7) / 8) {
		if (p[at] != 1)
			continue;
		if (!later->has_rva2[album]) {
			later->has_rva2[album] = 1;
			later->rva2[album] =
				(int16_t)(p[at + 1] << 8 | p[at + 2]) / 512.0;
		}
		return;
	}
}

/* The strings of a frame for the field or purpose what. */
static int take_strings(struct tags *t, unsigned int what,
			const unsigned char *s, size_t count,
			struct tags_id3_later *later)
{
	const char *v;
	size_t i;
	int rc = 0;

	switch (what) {
	case TAGS_TRACK:
	case TAGS_DISC:
		v = next_string(&s);
		tags_take_pos(t, what, v, strlen(v), 0);
		return 0;
	case W_DATE:
		later->tdrc = 1;
		v = next_string(&s);
		return tags_take_year(t, v, strlen(v)) || !*v ? 0 : -EDOM;
	case W_TYER:
		v = next_string(&s);
		if (*v && strspn(v, "0123456789") == strlen(v) &&
		    strlen(v) < 10)
			later->tyer = atoi(v);
		return later->tyer || !*v ? 0 : -EDOM;
	case W_TXXX:
		return take_txxx(t, s, count);
	}
	for (i = 0; !rc && i < count; i++) {
		v = next_string(&s);
		rc = what == TAGS_GENRE ? add_genre(t, v) :
		     tags_add(t, what, v, strlen(v));
	}
	return rc;
}

/*
 * A USLT frame's content, n bytes at p: its encoding, its language (3
 * bytes), a description and the lyrics, the two strings decoded as a
 * text frame's strings after the encoding. Returns 0, -EBADMSG or
 * -ENOMEM.
 */
static int take_uslt(struct tags *t, unsigned int ver,
		     const unsigned char *p, size_t n)
{
	unsigned char *text, *strings = NULL;
	const unsigned char *s;
	size_t count = 0;
	int rc, repaired = 0;
	char lang[3];

	if (n < 4)
		return -EBADMSG;
	memcpy(lang, p + 1, 3);
	text = malloc(n - 3);
	if (!text)
		return -ENOMEM;
	text[0] = p[0];
	memcpy(text + 1, p + 4, n - 4);
	rc = tags_id3_frame_strings(ver, text, n - 3, &strings, &count,
				    &repaired);
	if (!rc && count >= 2) {
		s = strings;
		next_string(&s);	/* the description */
		rc = tags_take_lyrics(t, (const char *)s, n * 2, lang);
	}
	free(strings);
	free(text);
	return rc;
}

/* Append the SYLT entry text (olen bytes) at ms to the LRC text at lrc
 * (its end at *o): its line breaks become spaces, the one before it
 * (its mark of a new line) goes. */
static void lrc_line(char *lrc, size_t *o, const unsigned char *text,
		     size_t olen, unsigned long ms)
{
	if (olen && (*text == '\n' || *text == '\r')) {
		text++;
		olen--;
	}
	*o += sprintf(lrc + *o, "[%02lu:%02lu.%03lu]", ms / 60000,
		      ms / 1000 % 60, ms % 1000);
	for (size_t i = 0; i < olen; i++)
		lrc[(*o)++] = text[i] == '\n' || text[i] == '\r' ? ' ' :
			      text[i];
	lrc[(*o)++] = '\n';
	lrc[*o] = '\0';
}

/*
 * A SYLT frame's content, n bytes at p: its encoding, language, time
 * format, content type and description, then texts each followed by
 * its time. Only times in milliseconds (format 2) are read, into LRC
 * text, its lines in the frame's order. Returns 0, -EBADMSG or -ENOMEM.
 */
static int take_sylt(struct tags *t, const unsigned char *p, size_t n)
{
	unsigned char *one;
	char *lrc;
	size_t olen, o = 0;
	ssize_t used;
	int repaired = 0, enc;

	if (n < 7 || p[0] > 3)
		return -EBADMSG;
	if (p[4] != 2 || t->lyrics_synced)
		return 0;
	enc = p[0];
	one = malloc(2 * n + 16);
	lrc = malloc(5 * n + 64);	/* 5 bytes an entry at least */
	if (!one || !lrc) {
		free(one);
		free(lrc);
		return -ENOMEM;
	}
	lrc[0] = '\0';
	p += 6;
	n -= 6;
	used = tags_id3_one_string(p, n, enc, one, &olen, &repaired);
	while (used >= 0 && n - used > 0) {
		p += used;
		n -= used;
		used = tags_id3_one_string(p, n, enc, one, &olen, &repaired);
		if (used < 0 || n - used < 4)
			break;
		lrc_line(lrc, &o, one, olen, bytes_be32(p + used));
		used += 4;
	}
	free(one);
	if (o)
		t->lyrics_synced = lrc;
	else
		free(lrc);
	return used < 0 ? -EBADMSG : 0;
}

int tags_id3_take_frame(struct tags *t, unsigned int ver, int tag_unsync,
			const struct tags_id3_kept *k,
			const unsigned char *data,
			struct tags_id3_later *later)
{
	unsigned char *own[2] = { NULL, NULL }, *strings = NULL;
	const unsigned char *p;
	size_t n, count;
	int rc, repaired = 0, claim_off;

	rc = tags_id3_frame_content(ver, tag_unsync, k->flags, data, k->len,
				    own, &p, &n);
	claim_off = rc == -ERANGE;
	if (claim_off)
		rc = 0;
	if (!rc && k->what == W_UFID) {
		rc = take_ufid(t, p, n);
	} else if (!rc && k->what == W_RVA2) {
		take_rva2(later, p, n);
	} else if (!rc && k->what == W_LYRICS) {
		rc = take_uslt(t, ver, p, n);
	} else if (!rc && k->what == W_SYNCED) {
		rc = take_sylt(t, p, n);
	} else if (!rc) {
		rc = tags_id3_frame_strings(ver, p, n, &strings, &count,
					    &repaired);
		if (!rc && count)
			rc = take_strings(t, k->what, strings, count,
					  later);
		free(strings);
	}
	free(own[0]);
	free(own[1]);
	if (!rc && claim_off)
		rc = -ERANGE;
	if (rc == -EBADMSG)
		tags_damage(t, "id3v2: frame %s cannot be read", k->id);
	else if (rc == -EDOM)
		tags_damage(t, "id3v2: frame %s holds no date", k->id);
	else if (rc == -ERANGE)
		tags_damage(t, "id3v2: frame %s is not the size it says "
			    "once inflated", k->id);
	else if (repaired)
		tags_damage(t, "id3v2: frame %s holds UTF-16 without a "
			    "fitting byte order mark", k->id);
	return rc == -ENOMEM ? rc : 0;
}

/* An ID3v1 text field: up to a zero byte, without the white space
 * around it, Latin-1. */
static int v1_text(struct tags *t, enum tags_field f,
		   const unsigned char *p, size_t n)
{
	unsigned char out[64];
	size_t len = strnlen((const char *)p, n), o = 0;

	while (len && strchr(" \t\n\r\v\f", p[len - 1]))
		len--;
	while (len && strchr(" \t\n\r\v\f", *p)) {
		p++;
		len--;
	}
	for (size_t i = 0; i < len; i++)
		o += tags_id3_put_utf8(out + o, p[i]);
	if (f == TAGS_YEAR) {
		tags_take_year(t, (const char *)out, o);
		return 0;
	}
	return tags_add(t, f, (const char *)out, o);
}

/*
 * ID3v1.1 as mutagen's ParseID3v1 reads it: a track number in the last
 * byte of the comment, unless that byte is a space padding the comment
 * (WinAmp), and 255 for no genre.
 */
int tags_id3v1_take(struct tags *t, const unsigned char *p)
{
	const char *name;
	char num[8];
	int rc;

	rc = v1_text(t, TAGS_TITLE, p + 3, 30);
	if (!rc)
		rc = v1_text(t, TAGS_ARTIST, p + 33, 30);
	if (!rc)
		rc = v1_text(t, TAGS_ALBUM, p + 63, 30);
	if (!rc)
		rc = v1_text(t, TAGS_YEAR, p + 93, 4);
	if (rc)
		return rc;
	if (p[126] && (p[126] != ' ' || !p[125])) {
		snprintf(num, sizeof(num), "%u", p[126]);
		tags_take_pos(t, TAGS_TRACK, num, strlen(num), 0);
	}
	if ((name = genres_name(p[127])))
		rc = tags_add(t, TAGS_GENRE, name, strlen(name));
	return rc;
}
