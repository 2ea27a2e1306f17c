/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <zlib.h>

#include "common/bytes.h"
#include "common/utf8.h"
#include "indexer/library/genres.h"
#include "indexer/library/tags.h"
#include "indexer/library/tags_util.h"

/*
 * ID3v2 and ID3v1, read frame by frame as mutagen reads them (its
 * id3/_tags.py, _frames.py, _specs.py and _id3v1.py), so that one bad
 * frame costs only itself: the walk steps from frame to frame by their
 * sizes whatever their ids, a frame whose size runs past the tag is
 * read as far as the tag goes, a frame whose text cannot be decoded is
 * dropped. The text is decoded here, as mutagen decodes UTF-16 without
 * a byte order mark (read it as little-endian) or with a mark that does
 * not fit the bytes (try the other way before giving up); genres.c gives
 * the names of genre numbers.
 */

#define TAG_MAX		(16 << 20)	/* largest tag read whole */
#define KEEP_MAX	16384		/* room for the frames kept */
#define TEXT_MAX	65536		/* a frame's text, once inflated */
#define ID_FRAME_MAX	1024		/* a TXXX/UFID id is smaller */
#define PIC_HEAD	4096		/* a picture frame's fields */

/* Tag header flags. */
#define TAG_UNSYNCED	0x80
#define TAG_EXTENDED	0x40
#define TAG_FOOTER	0x10

/* Frame format flags (the second flag byte) that change a frame's
 * content: v2.3 compression, encryption, grouping; v2.4 grouping,
 * compression, encryption, unsynchronisation, data length indicator. */
#define V3_COMPRESSED	0x80
#define V3_ENCRYPTED	0x40
#define V3_GROUPED	0x20
#define V4_GROUPED	0x40
#define V4_COMPRESSED	0x08
#define V4_ENCRYPTED	0x04
#define V4_UNSYNCED	0x02
#define V4_LENGTH	0x01

/* What a frame gives: a field's text, or one of these. */
enum what {
	W_SKIP = TAGS_NR_FIELDS, W_DATE, W_TYER, W_TXXX, W_UFID, W_RVA2,
	W_PICTURE,
};

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
};

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

/* A frame kept for reading once the walk is over, its bytes after it. */
struct kept {
	uint32_t len;
	unsigned char what, flags;
	char id[5];
};

/*
 * One walk through a tag's frames. Damage is noted here, not in the
 * tags, as a v2.4 tag may be walked twice (frame sizes as syncsafe and
 * as plain numbers) and only one walk counts.
 */
struct walk {
	struct tags_win *w;
	struct tags *t;
	unsigned int ver;
	int unsync;			/* the tag's flag */
	int plain;			/* v2.4 sizes as plain numbers */
	int pictures;			/* raw file bytes: note pictures */
	uint64_t start, end;		/* the frames */
	unsigned char *keep;		/* KEEP_MAX bytes of kept frames */
	size_t used;
	struct picture picture;
	uint64_t stop;			/* where the walk stopped */
	unsigned int valid;		/* frames with a valid id */
	int overran, disagree, lost;
	int damaged;
	char error[TAGS_ERROR_MAX];
};

static void __attribute__((format(printf, 2, 3)))
walk_damage(struct walk *wk, const char *fmt, ...)
{
	va_list ap;

	wk->damaged = 1;
	if (wk->error[0])
		return;
	va_start(ap, fmt);
	vsnprintf(wk->error, sizeof(wk->error), fmt, ap);
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
 * Undo unsynchronisation as mutagen does: each 0x00 after a 0xFF goes;
 * bytes that were never unsynchronised (a 0xFF before 0xFF, a byte from
 * 0xE0 up, or at the end) are taken as they are. Returns the length of
 * what is written to out (room for len bytes).
 */
static size_t unsync_decode(const unsigned char *in, size_t len,
			    unsigned char *out)
{
	size_t i, n = 0;

	for (i = 0; i < len; i++) {
		if (in[i] == 0xff && (i + 1 == len || in[i + 1] >= 0xe0 ||
				      in[i + 1] == 0xff)) {
			memcpy(out, in, len);
			return len;
		}
	}
	for (i = 0; i < len; i++) {
		out[n++] = in[i];
		if (in[i] == 0xff && !in[i + 1])
			i++;
	}
	return n;
}

/* Inflate the zlib stream at in into out (TEXT_MAX bytes). Returns the
 * length, or -1 when it is not a whole stream that fits. */
static ssize_t inflate_text(const unsigned char *in, size_t len,
			    unsigned char *out)
{
	z_stream z = { 0 };
	ssize_t n = -1;

	if (inflateInit(&z) != Z_OK)
		return -1;
	z.next_in = (unsigned char *)in;
	z.avail_in = len;
	z.next_out = out;
	z.avail_out = TEXT_MAX;
	if (inflate(&z, Z_FINISH) == Z_STREAM_END)
		n = TEXT_MAX - z.avail_out;
	inflateEnd(&z);
	return n;
}

/*
 * The content of a frame once its flags are undone, as mutagen's
 * Frame._fromData does (a grouping byte is stepped over, as the
 * standard says). *out points into data or into own[0] or own[1],
 * allocated here for the caller to free. Returns 0, 1 for an encrypted
 * frame (nothing to read), -EBADMSG for a frame that cannot be undone,
 * or -ENOMEM.
 */
static int frame_content(unsigned int ver, int tag_unsync,
			 unsigned int flags, const unsigned char *data,
			 size_t len, unsigned char *own[2],
			 const unsigned char **out, size_t *out_len)
{
	const unsigned char *dli = NULL;
	int zipped = 0, unsync = 0;
	uint64_t claim = 0;
	ssize_t n;

	if (ver == 4) {
		if (flags & V4_GROUPED) {
			if (!len)
				return -EBADMSG;
			data++;
			len--;
		}
		if (flags & (V4_COMPRESSED | V4_LENGTH)) {
			if (len < 4)
				return -EBADMSG;
			dli = data;
			data += 4;
			len -= 4;
		}
		unsync = flags & V4_UNSYNCED || tag_unsync;
		if (flags & V4_ENCRYPTED)
			return 1;
		zipped = flags & V4_COMPRESSED;
	} else if (ver == 3) {
		if (flags & V3_COMPRESSED) {
			if (len < 4)
				return -EBADMSG;
			claim = bytes_be32(data);
			data += 4;
			len -= 4;
		}
		if (flags & V3_ENCRYPTED)
			return 1;
		if (flags & V3_GROUPED) {
			if (!len)
				return -EBADMSG;
			data++;
			len--;
		}
		zipped = flags & V3_COMPRESSED;
	}
	if (unsync && len) {
		own[0] = malloc(len);
		if (!own[0])
			return -ENOMEM;
		len = unsync_decode(data, len, own[0]);
		data = own[0];
	}
	*out = data;
	*out_len = len;
	if (!zipped)
		return 0;
	own[1] = malloc(TEXT_MAX);
	if (!own[1])
		return -ENOMEM;
	n = inflate_text(data, len, own[1]);
	/* A compressed frame may lack the size mutagen 0.12 did not write:
	 * then the four bytes taken for it are the start of the data. */
	if (n < 0 && dli) {
		unsigned char *joined = malloc(len + 4);

		if (!joined)
			return -ENOMEM;
		memcpy(joined, dli, 4);
		memcpy(joined + 4, data, len);
		n = inflate_text(joined, len + 4, own[1]);
		free(joined);
	}
	if (n < 0)
		return -EBADMSG;
	*out = own[1];
	*out_len = n;
	if (dli)
		claim = bytes_syncsafe32(dli);
	return claim == (uint64_t)n ? 0 : -ERANGE;
}

/* Append the UTF-8 form of cp to out. */
static size_t put_utf8(unsigned char *out, unsigned int cp)
{
	if (cp < 0x80) {
		out[0] = cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = 0xc0 | cp >> 6;
		out[1] = 0x80 | (cp & 0x3f);
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = 0xe0 | cp >> 12;
		out[1] = 0x80 | (cp >> 6 & 0x3f);
		out[2] = 0x80 | (cp & 0x3f);
		return 3;
	}
	out[0] = 0xf0 | cp >> 18;
	out[1] = 0x80 | (cp >> 12 & 0x3f);
	out[2] = 0x80 | (cp >> 6 & 0x3f);
	out[3] = 0x80 | (cp & 0x3f);
	return 4;
}

/*
 * UTF-16 as Python's codecs decode it, over the bytes at p with, when
 * bom_le, a little-endian byte order mark taken as put in front, and,
 * when pad, a zero byte taken as put behind. enc 1 ("utf-16") takes a
 * leading mark and is little-endian without one; enc 2 ("utf-16-be")
 * has no mark. Stops after a U+0000. A surrogate out of its pair or
 * bytes cut short are an error.
 */
struct u16 {
	const unsigned char *p;
	size_t n, vlen;
	int bom_le, pad, be, bom;
};

static unsigned int u16_byte(const struct u16 *s, size_t i)
{
	if (s->bom_le && i < 2)
		return i ? 0xfe : 0xff;
	i -= s->bom_le ? 2 : 0;
	return i < s->n ? s->p[i] : 0;
}

static int u16_unit(const struct u16 *s, size_t *pos, unsigned int *u)
{
	unsigned int a, b;

	if (*pos + 2 > s->vlen)
		return 0;
	a = u16_byte(s, *pos);
	b = u16_byte(s, *pos + 1);
	*u = s->be ? a << 8 | b : b << 8 | a;
	*pos += 2;
	return 1;
}

/*
 * Decode one string; on success write it (NUL-terminated) to out, set
 * *olen to its length and return how many bytes of p it took, its
 * terminator included. Returns -1 when it does not decode.
 */
static ssize_t u16_string(struct u16 *s, int enc, unsigned char *out,
			  size_t *olen)
{
	size_t pos = 0, o = 0, skip = s->bom_le ? 2 : 0;
	unsigned int u, lo, a, b;

	s->vlen = s->n + skip + (s->pad ? 1 : 0);
	s->be = enc == 2;
	if (enc == 1 && s->vlen >= 2) {
		a = u16_byte(s, 0);
		b = u16_byte(s, 1);
		if ((a == 0xff && b == 0xfe) || (a == 0xfe && b == 0xff)) {
			s->be = a == 0xfe;
			s->bom = 1;
			pos = 2;
		}
	}
	for (;;) {
		if (!u16_unit(s, &pos, &u)) {
			if (pos < s->vlen)
				return -1;	/* an odd byte left */
			break;
		}
		if (!u)
			break;
		if (u >= 0xdc00 && u <= 0xdfff)
			return -1;
		if (u >= 0xd800 && u <= 0xdbff) {
			if (!u16_unit(s, &pos, &lo) || lo < 0xdc00 ||
			    lo > 0xdfff)
				return -1;
			u = 0x10000 + ((u - 0xd800) << 10) + (lo - 0xdc00);
		}
		o += put_utf8(out + o, u);
	}
	out[o] = '\0';
	*olen = o;
	pos = pos > skip ? pos - skip : 0;
	return pos < s->n ? pos : s->n;
}

/* Latin-1 and UTF-8 strings end at the first zero byte; UTF-8 that is
 * not well-formed does not decode. */
static ssize_t byte_string(const unsigned char *p, size_t n, int enc,
			   unsigned char *out, size_t *olen)
{
	size_t len = strnlen((const char *)p, n), i, o = 0, k;
	unsigned int cp;

	for (i = 0; i < len; i += k) {
		if (enc == 0) {
			o += put_utf8(out + o, p[i]);
			k = 1;
			continue;
		}
		k = utf8_decode(p + i, len - i, &cp);
		if (!k)
			return -1;
		memcpy(out + o, p + i, k);
		o += k;
	}
	out[o] = '\0';
	*olen = o;
	return len < n ? len + 1 : len;
}

/*
 * One string of encoding enc from the n bytes at p, with mutagen's
 * repairs for UTF-16 (its iter_text_fixups): as it is, with a zero byte
 * added at the end, with a little-endian mark added in front, with both.
 * *repaired is set when one was needed, or a byte order mark lacked.
 */
static ssize_t one_string(const unsigned char *p, size_t n, int enc,
			  unsigned char *out, size_t *olen, int *repaired)
{
	static const struct { int bom_le, pad; } tries[] = {
		{ 0, 0 }, { 0, 1 }, { 1, 0 }, { 1, 1 },
	};
	struct u16 s = { .p = p, .n = n };
	ssize_t used;

	if (enc == 0 || enc == 3)
		return byte_string(p, n, enc, out, olen);
	for (size_t i = 0; i < (enc == 1 ? 4u : 2u); i++) {
		s.bom_le = tries[i].bom_le;
		s.pad = tries[i].pad;
		s.bom = 0;
		used = u16_string(&s, enc, out, olen);
		if (used < 0)
			continue;
		if (i || (enc == 1 && !s.bom))
			*repaired = 1;
		return used;
	}
	return -1;
}

/* Whether the n bytes at p are all zero. */
static int all_zero(const unsigned char *p, size_t n)
{
	while (n && !*p) {
		p++;
		n--;
	}
	return !n;
}

/*
 * Decode the strings of a text frame's content (its encoding byte, then
 * strings), as mutagen's MultiSpec of EncodedTextSpec reads them: each
 * to its terminator; before v2.4, what is left after a string is
 * padding when it is all zeros. *out gets the strings, each ending with
 * a NUL, and *count their number; *repaired is set when UTF-16 needed
 * mutagen's repairs. Returns 0, -EBADMSG when one does not decode (the
 * whole frame is lost) or -ENOMEM.
 */
static int frame_strings(unsigned int ver, const unsigned char *p,
			 size_t n, unsigned char **out, size_t *count,
			 int *repaired)
{
	unsigned char *buf, *o;
	size_t olen;
	ssize_t used;
	int enc;

	*out = NULL;
	*count = 0;
	if (!n || p[0] > 3)
		return -EBADMSG;
	enc = p[0];
	p++;
	n--;
	buf = malloc(2 * n + 16);
	if (!buf)
		return -ENOMEM;
	o = buf;
	while (n) {
		used = one_string(p, n, enc, o, &olen, repaired);
		if (used < 0) {
			free(buf);
			return -EBADMSG;
		}
		o += olen + 1;
		(*count)++;
		p += used;
		n -= used;
		if (ver < 4 && all_zero(p, n))
			break;
	}
	*out = buf;
	return 0;
}

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
		rc = tags_add_to(t, (char **)((char *)t +
				 txxx_frames[i].field), v, strlen(v));
	}
	return rc;
}

/* UFID: an owner in Latin-1 up to a zero byte, then the id's bytes. */
static int take_ufid(struct tags *t, const unsigned char *p, size_t n)
{
	static const char owner[] = "http://musicbrainz.org";

	if (n < sizeof(owner) || memcmp(p, owner, sizeof(owner)))
		return 0;
	return tags_add_to(t, &t->mb_track_id, (const char *)p + sizeof(owner),
			   n - sizeof(owner));
}

/* What counts only once the tag's frames are all read: a TYER's year,
 * when it is all digits and the tag has no TDRC frame, even one without
 * a date (mutagen's update_to_v24); the gains of RVA2 frames, when no
 * TXXX frame gives one. */
struct later {
	int tyer;
	int tdrc;
	int has_rva2[2];
	double rva2[2];
};

/*
 * RVA2, as mutagen's EasyID3 and Quod Libet write ReplayGain: an
 * identification "track" or "album" in Latin-1 up to a zero byte, then
 * for each channel its type (1 the master volume), the adjustment in
 * 1/512 dB as a signed 16-bit big-endian number, the peak's size in
 * bits and the peak. The master volume's adjustment is the gain.
 */
static void take_rva2(struct later *later, const unsigned char *p, size_t n)
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
			struct later *later)
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

/* Read one kept frame, noting why when it cannot be. */
static int take_frame(struct tags *t, unsigned int ver, int tag_unsync,
		      const struct kept *k, const unsigned char *data,
		      struct later *later)
{
	unsigned char *own[2] = { NULL, NULL }, *strings = NULL;
	const unsigned char *p;
	size_t n, count;
	int rc, repaired = 0, claim_off;

	rc = frame_content(ver, tag_unsync, k->flags, data, k->len, own,
			   &p, &n);
	claim_off = rc == -ERANGE;
	if (claim_off)
		rc = 0;
	if (!rc && k->what == W_UFID) {
		rc = take_ufid(t, p, n);
	} else if (!rc && k->what == W_RVA2) {
		take_rva2(later, p, n);
	} else if (!rc) {
		rc = frame_strings(ver, p, n, &strings, &count, &repaired);
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
static void keep_frame(struct walk *wk, unsigned int what,
		       unsigned int flags, const char *id,
		       const unsigned char *p, size_t len)
{
	struct kept k = { .len = len, .what = what, .flags = flags };

	if (wk->used + sizeof(k) + len > KEEP_MAX) {
		walk_damage(wk, "id3v2: too many frames to read at %s", id);
		return;
	}
	memcpy(k.id, id, sizeof(k.id));
	memcpy(wk->keep + wk->used, &k, sizeof(k));
	memcpy(wk->keep + wk->used + sizeof(k), p, len);
	wk->used += sizeof(k) + len;
}

/* One frame met by the walk: len bytes of it are inside the tag. */
static int walk_frame(struct walk *wk, const unsigned char *h, size_t hl,
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
	if (what == W_SKIP || !len ||
	    ((what == W_TXXX || what == W_UFID || what == W_RVA2) &&
	     len > ID_FRAME_MAX))
		return 0;
	if (len > KEEP_MAX) {
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
static uint32_t frame_size(const struct walk *wk, const unsigned char *h)
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
static int walk_frames(struct walk *wk)
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
		if (all_zero(h, idlen))
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
static int try_plain_sizes(struct walk *wk)
{
	struct walk again = *wk;
	int rc;

	again.plain = 1;
	again.used = 0;
	again.valid = again.overran = again.lost = again.damaged = 0;
	again.error[0] = '\0';
	memset(&again.picture, 0, sizeof(again.picture));
	again.keep = malloc(KEEP_MAX);
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
static int read_frames(struct walk *wk)
{
	struct tags *t = wk->t;
	const unsigned char *p;
	struct kept k;
	struct later later = { 0 };
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
		rc = take_frame(t, wk->ver, wk->unsync, &k, p, &later);
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
static int skip_extended(struct walk *wk)
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
static int read_unsynced(struct walk *wk, uint64_t off, uint64_t size)
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
	len = n > 10 ? unsync_decode(raw + 10, n - 10, dec) : 0;
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

int tags_id3v2_read(struct tags_win *w, uint64_t off, uint64_t *end)
{
	unsigned char keep[KEEP_MAX];
	struct walk wk = { .w = w, .t = w->t, .keep = keep, .pictures = 1 };
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
	wk.ver = p[3];
	flags = p[5];
	*end = off + 10 + bytes_syncsafe32(p + 6) +
		(flags & TAG_FOOTER ? 10 : 0);
	if (wk.ver < 2 || wk.ver > 4 || (p[6] | p[7] | p[8] | p[9]) & 0x80) {
		tags_damage(w->t, "id3v2: version 2.%u or its size is not "
			    "readable", wk.ver);
		return 0;
	}
	if ((wk.ver == 4 && flags & 0x0f) || (wk.ver == 3 && flags & 0x1f) ||
	    (wk.ver == 2 && flags & 0x40)) {
		tags_damage(w->t, "id3v2: unknown tag flags 0x%02x", flags);
		return 0;
	}
	wk.start = off + 10;
	wk.end = off + 10 + bytes_syncsafe32(p + 6);
	/* A tag cut short: the audio is looked for where its frames end. */
	if (wk.end > w->size) {
		tags_damage(w->t, "id3v2: the tag runs past the end of the "
			    "file");
		wk.end = w->size;
		past = 1;
	}
	if (flags & TAG_UNSYNCED && wk.ver < 4) {
		if (past)
			*end = off + 10;
		return read_unsynced(&wk, off, wk.end - off);
	}
	wk.unsync = !!(flags & TAG_UNSYNCED);
	if (flags & TAG_EXTENDED) {
		rc = skip_extended(&wk);
		if (rc == -EBADMSG) {
			tags_damage(w->t, "id3v2: its extended header is "
				    "damaged");
			return 0;
		}
		if (rc)
			return rc;
	}
	rc = read_frames(&wk);
	if (past)
		*end = wk.stop;
	return rc;
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
		o += put_utf8(out + o, p[i]);
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
