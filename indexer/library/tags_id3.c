#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <id3tag.h>

#include "indexer/library/tags.h"
#include "indexer/library/tags_util.h"


#define WIN_SIZE	65536		/* bytes per read */
#define TAG_BUF		16384		/* room for the frames we keep */
#define ID_FRAME_MAX	1024		/* a bigger TXXX/UFID is not an id */
#define SYNC_SCAN	16384		/* how far to look for the audio */
#define MPEG_FRAME_MAX	2048		/* layer II, 384 kbit/s, 32 kHz: 1729 */
#define TAG_MAX		(16 << 20)	/* largest tag read whole */
#define PIC_HEAD	4096		/* room for a picture frame's fields */

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

/*
 * A window onto the file, refilled by one pread only when the reader
 * needs bytes outside it: the head of a typical file holds the whole tag
 * and the first audio frames, so it costs a single read.
 */
struct win {
	int fd;
	struct tags *t;
	uint64_t size;			/* of the file */
	uint64_t off;			/* file offset of buf[0] */
	size_t len;
	unsigned char buf[WIN_SIZE];
};

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

/* The ID3v2 frames the index reads, with their ID3v2.2 names. */
static const char text_ids[][5] = {
	"TIT2", "TPE1", "TPE2", "TALB", "TCON", "TRCK", "TPOS", "TDRC", "TYER",
	"TT2", "TP1", "TP2", "TAL", "TCO", "TRK", "TPA", "TYE",
};

/* These hold MusicBrainz ids only when small. */
static const char id_ids[][5] = { "TXXX", "UFID", "TXX", "UFI" };

static const struct {
	const char *id;
	size_t field;
} text_frames[] = {
	{ "TIT2", F(title) },
	{ "TPE1", F(artist) },
	{ "TPE2", F(album_artist) },
	{ "TALB", F(album) },
};

static const struct {
	const char *desc;
	size_t field;
} txxx_frames[] = {
	{ "MusicBrainz Album Id", F(mb_album_id) },
	{ "MusicBrainz Artist Id", F(mb_artist_id) },
	{ "MusicBrainz Album Artist Id", F(mb_album_artist_id) },
};

/* Xing headers and ID3v2.3 frame sizes are plain big-endian numbers. */
static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3];
}

/* ID3v2 tag sizes use 7 bits a byte, so that they never look like sync. */
static uint32_t syncsafe(const unsigned char *p)
{
	return (uint32_t)p[0] << 21 | p[1] << 14 | p[2] << 7 | p[3];
}

/* The tag headers we build for libid3tag need syncsafe sizes too. */
static void put_syncsafe(unsigned char *p, uint32_t v)
{
	p[0] = v >> 21 & 0x7f;
	p[1] = v >> 14 & 0x7f;
	p[2] = v >> 7 & 0x7f;
	p[3] = v & 0x7f;
}

/*
 * Point *p at the file bytes [off, off + len), len <= WIN_SIZE, reading
 * them if the window does not hold them. Returns how many bytes are
 * there, fewer at the end of the file, or a negative errno.
 */
static ssize_t win_get(struct win *w, uint64_t off, size_t len,
		       const unsigned char **p)
{
	ssize_t n;

	if (off >= w->size)
		return 0;
	if (len > w->size - off)
		len = w->size - off;
	if (off < w->off || off + len > w->off + w->len) {
		n = pread(w->fd, w->buf, WIN_SIZE, off);
		if (n < 0)
			return -errno;
		w->t->bytes_read += n;
		w->off = off;
		w->len = n;
	}
	*p = w->buf + (off - w->off);
	return len < w->off + w->len - off ? len : w->off + w->len - off;
}

/* Join all strings of a text frame; TCON strings may be genre numbers. */
static int take_strings(struct tags *t, char **dst,
			const union id3_field *v, int genre)
{
	unsigned int i, n = id3_field_getnstrings(v);
	const id3_ucs4_t *u;
	char *s;
	int err = 0;

	for (i = 0; !err && i < n; i++) {
		u = id3_field_getstrings(v, i);
		if (!u)
			continue;
		if (genre)
			u = id3_genre_name(u);
		s = (char *)id3_ucs4_utf8duplicate(u);
		if (!s)
			return -ENOMEM;
		err = tags_add(t, dst, s, strlen(s));
		free(s);
	}
	return err;
}

/* Numbers and dates are ASCII, so a stack copy saves an allocation. */
static const char *first_ascii(const union id3_field *v, char *buf,
			       size_t size)
{
	const id3_ucs4_t *u = id3_field_getstrings(v, 0);
	size_t i;

	for (i = 0; u && u[i] && i + 1 < size; i++)
		buf[i] = u[i] < 0x80 ? u[i] : '?';
	buf[i] = '\0';
	return buf;
}

/* TXXX descriptions are compared as ASCII, without case. */
static int ucs4_caseeq(const id3_ucs4_t *u, const char *s)
{
	for (; *u && *s; u++, s++) {
		if (*u >= 0x80 || (*u | 0x20) != (unsigned char)(*s | 0x20))
			return 0;
	}
	return !*u && !*s;
}

/* MusicBrainz ids: TXXX for release and artists, UFID for the recording. */
static int take_id(struct tags *t, const struct id3_frame *f)
{
	const union id3_field *a = id3_frame_field(f, 0);
	const union id3_field *b = id3_frame_field(f, 1);
	const union id3_field *c = id3_frame_field(f, 2);
	const id3_latin1_t *owner;
	const id3_ucs4_t *desc;
	const id3_byte_t *data;
	id3_length_t len;
	size_t i;
	char *s;
	int err;

	if (!strcmp(f->id, "UFID") && a && b) {
		owner = id3_field_getlatin1(a);
		data = id3_field_getbinarydata(b, &len);
		if (owner && data &&
		    !strcmp((const char *)owner, "http://musicbrainz.org"))
			return tags_add(t, &t->mb_track_id,
					(const char *)data, len);
		return 0;
	}
	if (!b || !c || !(desc = id3_field_getstring(b)))
		return 0;
	for (i = 0; i < ARRAY_SIZE(txxx_frames); i++) {
		if (!ucs4_caseeq(desc, txxx_frames[i].desc) ||
		    !id3_field_getstring(c))
			continue;
		s = (char *)id3_ucs4_utf8duplicate(id3_field_getstring(c));
		if (!s)
			return -ENOMEM;
		err = tags_add(t, (char **)((char *)t + txxx_frames[i].field),
			       s, strlen(s));
		free(s);
		return err;
	}
	return 0;
}

/* libid3tag gives ID3v2.2/2.3 frames their ID3v2.4 names and contents. */
static int take_frame(struct tags *t, const struct id3_frame *f)
{
	const union id3_field *v = id3_frame_field(f, 1);
	char num[16];
	size_t i;

	if (!strcmp(f->id, "APIC"))
		t->has_picture = 1;
	if (!v)
		return 0;
	if (!strcmp(f->id, "TXXX") || !strcmp(f->id, "UFID"))
		return take_id(t, f);
	if (!strcmp(f->id, "TCON"))
		return take_strings(t, &t->genre, v, 1);
	if (!strcmp(f->id, "TRCK"))
		tags_parse_pos(first_ascii(v, num, sizeof(num)),
			       &t->track, &t->track_total);
	if (!strcmp(f->id, "TPOS"))
		tags_parse_pos(first_ascii(v, num, sizeof(num)),
			       &t->disc, &t->disc_total);
	if (!strcmp(f->id, "TDRC") || !strcmp(f->id, "TYER"))
		tags_parse_year(first_ascii(v, num, sizeof(num)), &t->year);
	for (i = 0; i < ARRAY_SIZE(text_frames); i++) {
		if (!strcmp(f->id, text_frames[i].id))
			return take_strings(t, (char **)((char *)t +
					    text_frames[i].field), v, 0);
	}
	return 0;
}

/* The same frame handling serves ID3v1, ID3v2 and retried frames. */
static int take_tag(struct tags *t, const struct id3_tag *tag)
{
	const struct id3_frame *f;
	unsigned int i;
	int err = 0;

	for (i = 0; !err && (f = id3_tag_findframe(tag, NULL, i)); i++)
		err = take_frame(t, f);
	return err;
}

/*
 * Parse len bytes of frames preceded by 10 free bytes at p, where the
 * tag header goes. -EBADMSG when libid3tag refuses them.
 */
static int parse_frames(struct tags *t, unsigned char *p, size_t len,
			unsigned int ver)
{
	struct id3_tag *tag;
	int err;

	memcpy(p, "ID3", 3);
	p[3] = ver;
	p[4] = 0;
	p[5] = 0;
	put_syncsafe(p + 6, len);
	tag = id3_tag_parse(p, 10 + len);
	if (!tag)
		return -EBADMSG;
	err = take_tag(t, tag);
	id3_tag_delete(tag);
	return err;
}

/* ID3v2.4 sizes are syncsafe, but iTunes writes plain ones. */
static uint32_t frame_size(unsigned int ver, const unsigned char *h)
{
	if (ver == 2)
		return (uint32_t)h[3] << 16 | h[4] << 8 | h[5];
	if (ver == 4 && !((h[4] | h[5] | h[6] | h[7]) & 0x80))
		return syncsafe(h + 4);
	return be32(h + 4);
}

/* Frame ids are not NUL-terminated in the file, hence the length. */
static int in_list(const char (*list)[5], size_t n, const unsigned char *id,
		   size_t idlen)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (!memcmp(list[i], id, idlen) && !list[i][idlen])
			return 1;
	}
	return 0;
}

/*
 * Decide from the header alone whether a frame is worth reading: 0 to
 * step over it, 1 to keep it, 2 for a picture (noted, its image unread).
 */
static int frame_kind(const unsigned char *id, size_t idlen, uint32_t size)
{
	if (!memcmp(id, idlen == 3 ? "PIC" : "APIC", idlen))
		return 2;
	if (in_list(id_ids, ARRAY_SIZE(id_ids), id, idlen))
		return size <= ID_FRAME_MAX;
	return in_list(text_ids, ARRAY_SIZE(text_ids), id, idlen);
}

/* Anything but A-Z and 0-9 in an id means the walk has lost its way. */
static int frame_id_ok(const unsigned char *id, size_t idlen)
{
	size_t i;

	for (i = 0; i < idlen; i++) {
		if (!((id[i] >= 'A' && id[i] <= 'Z') ||
		      (id[i] >= '0' && id[i] <= '9')))
			return 0;
	}
	return 1;
}

/*
 * Hand libid3tag all kept frames at once; should it refuse them because
 * of one bad frame, go again frame by frame so only that one is lost.
 * Each retry writes its tag header over the end of frames already done.
 */
static int parse_kept(struct tags *t, unsigned char *buf, size_t len,
		      unsigned int ver)
{
	size_t hl = ver == 2 ? 6 : 10, off, flen;
	int err;

	if (len == 10)
		return 0;
	err = parse_frames(t, buf, len - 10, ver);
	if (err != -EBADMSG)
		return err;
	t->tag_error = 1;
	for (off = 10; off < len; off += flen) {
		flen = hl + frame_size(ver, buf + off);
		err = parse_frames(t, buf + off - 10, flen, ver);
		if (err && err != -EBADMSG)
			return err;
	}
	return 0;
}

/*
 * Where a frame's content starts after the bytes some flags put in front
 * of it, and its length once decoded: 0 for a content a reader cannot
 * take as it is (compressed, encrypted, or unsynchronised without the
 * length it decodes to). For ID3v2.4, *unsync is set from the frame's
 * own flag too. len is the frame size from its header; dli points at the
 * (raw) bytes after the header, of which avail are there.
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
			return syncsafe(after + *skip - 4);
		}
		if (*unsync)
			return 0;
	}
	return len > *skip ? len - *skip : 0;
}

/*
 * Note one picture frame: hand the fields in front of its image to
 * picture_id3() and keep it if it is the best so far. p holds the raw
 * bytes after the frame header, avail of them, at file offset off.
 */
static void note_picture(struct tags *t, unsigned int ver, unsigned int flags,
			 uint32_t len, const unsigned char *p, size_t avail,
			 uint64_t off, int unsync)
{
	struct picture pic;
	uint64_t size;
	size_t skip;

	t->has_picture = 1;
	size = content_of(ver, flags, len, p, avail, &skip, &unsync);
	if (!size || avail < skip)
		return;
	switch (picture_id3(p + skip, avail - skip, off + skip, ver, unsync,
			    size, &pic)) {
	case 0:
		picture_choose(&t->picture, &pic);
		break;
	case -EBADMSG:
		t->tag_error = 1;
		break;
	}
}

/*
 * In an unsynchronised ID3v2.2/2.3 tag, sizes count decoded bytes and
 * frame headers are unsynchronised too, so walking its frames means
 * decoding the walk through the whole tag, which is in memory anyway.
 * fn gets each frame's header, its size and where its body starts, up
 * to the padding, as libid3tag parses them; the walk stops at the first
 * nonzero answer, which it returns.
 */
static int walk_unsynced(const unsigned char *buf, size_t len,
			 int (*fn)(const unsigned char *h, uint32_t size,
				   size_t pos, void *arg), void *arg)
{
	unsigned int ver = buf[3];
	size_t hl = ver == 2 ? 6 : 10, pos = 10;
	unsigned char h[10];
	uint32_t size;
	int rc;

	if (buf[5] & ID3_TAG_FLAG_EXTENDEDHEADER && ver == 3 &&
	    picture_unsync_take(buf, len, &pos, h, 4) == 4)
		picture_unsync_take(buf, len, &pos, NULL, be32(h));
	while (picture_unsync_take(buf, len, &pos, h, hl) == hl && h[0]) {
		size = frame_size(ver, h);
		rc = fn(h, size, pos, arg);
		if (rc)
			return rc;
		if (picture_unsync_take(buf, len, &pos, NULL, size) < size)
			break;
	}
	return 0;
}

/* A whole tag read into memory, for the walkers below. */
struct unsynced {
	struct tags *t;
	const unsigned char *buf;
	size_t len;
};

/* The pictures of the frames up to the first that is not one. */
static int note_unsynced_picture(const unsigned char *h, uint32_t size,
				 size_t pos, void *arg)
{
	struct unsynced *u = arg;
	unsigned int ver = u->buf[3];
	size_t idlen = ver == 2 ? 3 : 4;

	if (!frame_id_ok(h, idlen))
		return 1;
	if (frame_kind(h, idlen, size) == 2)
		note_picture(u->t, ver, ver == 2 ? 0 : h[9], size,
			     u->buf + pos, u->len - pos, pos, 1);
	return 0;
}

/* libid3tag allocates the size a compressed frame claims (the 4 bytes in
 * front of its data) before it inflates it: gigabytes for a hostile one.
 * No frame inflates to more than a whole tag may hold, whatever its
 * name: libid3tag inflates a frame before it looks at that. */
static int check_unsynced_claim(const unsigned char *h, uint32_t size,
				size_t pos, void *arg)
{
	struct unsynced *u = arg;
	unsigned char claim[4];

	if (u->buf[3] != 3 || !(h[9] & V3_COMPRESSED))
		return 0;
	if (size < 4 ||
	    picture_unsync_take(u->buf, u->len, &pos, claim, 4) < 4 ||
	    be32(claim) > TAG_MAX)
		return -EMSGSIZE;
	return 0;
}

/*
 * Unsynchronised ID3v2.2/2.3 tags must be decoded before their frame
 * headers can be walked, which libid3tag does, so these rare tags are
 * read whole, pictures included.
 */
static int read_v2_whole(struct win *w, uint64_t size)
{
	struct unsynced u = { .t = w->t };
	struct id3_tag *tag;
	unsigned char *buf;
	ssize_t n;
	int err = 0;

	if (size > w->size || size > TAG_MAX) {
		w->t->tag_error = 1;
		return 0;
	}
	buf = malloc(size);
	if (!buf)
		return -ENOMEM;
	n = pread(w->fd, buf, size, 0);
	if (n < 0) {
		err = -errno;
		goto out;
	}
	w->t->bytes_read += n;
	u.buf = buf;
	u.len = n;
	tag = n < 10 || walk_unsynced(buf, n, check_unsynced_claim, &u) ?
	      NULL : id3_tag_parse(buf, n);
	if (!tag) {
		w->t->tag_error = 1;
		goto out;
	}
	err = take_tag(w->t, tag);
	id3_tag_delete(tag);
	if (!err && !w->t->no_pictures)
		walk_unsynced(buf, n, note_unsynced_picture, &u);
out:
	free(buf);
	return err;
}

/*
 * Walk the frame headers of the ID3v2 tag whose header p points at and
 * copy the few frames the index reads into a small buffer for libid3tag:
 * everything else is stepped over unread, and of a picture only the
 * fields in front of its image are read. A picture cut by the end of the
 * file is still noted (reading it back fails), then the walk stops. Sets
 * *audio to where the MPEG data should start.
 */
static int read_v2(struct win *w, const unsigned char *p, uint64_t *audio)
{
	unsigned char buf[10 + TAG_BUF];
	struct tags *t = w->t;
	unsigned int ver = p[3], flags = p[5];
	size_t hl = ver == 2 ? 6 : 10, idlen = ver == 2 ? 3 : 4, used = 10;
	uint64_t off = 10, end, tag_end;
	unsigned int fflags;
	uint32_t size;
	ssize_t n;
	int kind, unsync;

	if (ver < 2 || ver > 4 || (p[6] | p[7] | p[8] | p[9]) & 0x80 ||
	    (ver == 2 && flags & 0x40)) {
		t->tag_error = 1;
		return 0;
	}
	end = tag_end = 10 + syncsafe(p + 6);
	*audio = end + (flags & ID3_TAG_FLAG_FOOTERPRESENT ? 10 : 0);
	if (end > w->size) {
		t->tag_error = 1;
		end = w->size;
	}
	if (flags & ID3_TAG_FLAG_UNSYNCHRONISATION && ver < 4)
		return read_v2_whole(w, *audio);
	unsync = !!(flags & ID3_TAG_FLAG_UNSYNCHRONISATION);
	if (flags & ID3_TAG_FLAG_EXTENDEDHEADER) {
		n = win_get(w, off, 4, &p);
		if (n < 0)
			return n;
		off += n < 4 ? 4 : ver == 3 ? 4 + be32(p) : syncsafe(p);
		if (off > end)
			t->tag_error = 1;
	}
	while (off + hl <= end) {
		n = win_get(w, off, hl, &p);
		if (n < 0)
			return n;
		if (n == (ssize_t)hl && !p[0])
			break;
		size = frame_size(ver, p);
		if (n < (ssize_t)hl || !frame_id_ok(p, idlen) ||
		    size > tag_end - off - hl) {
			t->tag_error = 1;
			break;
		}
		kind = frame_kind(p, idlen, size);
		/* libid3tag would allocate the size a compressed frame
		 * claims, gigabytes for a hostile one: such text is skipped. */
		if (kind == 1 && ver > 2 && (p[9] & (ver == 3 ?
		    V3_COMPRESSED | V3_ENCRYPTED : V4_COMPRESSED |
		    V4_ENCRYPTED)))
			kind = 0;
		if (kind == 2 && t->no_pictures) {
			t->has_picture = 1;
		} else if (kind == 2) {
			fflags = ver == 2 ? 0 : p[9];
			n = win_get(w, off + hl, size < PIC_HEAD ? size :
				    PIC_HEAD, &p);
			if (n < 0)
				return n;
			note_picture(t, ver, fflags, size, p, n, off + hl,
				     unsync);
		}
		if (size > end - off - hl) {
			t->tag_error = 1;
			break;
		}
		if (kind == 1 && used + hl + size > sizeof(buf)) {
			t->tag_error = 1;
		} else if (kind == 1) {
			n = win_get(w, off, hl + size, &p);
			if (n < 0)
				return n;
			if (n < (ssize_t)(hl + size)) {
				t->tag_error = 1;
				break;
			}
			memcpy(buf + used, p, n);
			if (ver == 4)
				put_syncsafe(buf + used + 4, size);
			used += n;
		}
		off += hl + size;
	}
	if (*audio > w->size)
		*audio = off;
	return parse_kept(t, buf, used, ver);
}

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
		flags = be32(x + 4);
		x += 8;
		left -= 8;
		for (i = 0; i < 4; i++) {
			if (!(flags & 1u << i))
				continue;
			if (left < field_len[i])
				return;
			if (i == 0)
				a->frames = be32(x);
			x += field_len[i];
			left -= field_len[i];
		}
		if (left >= 24 && (!memcmp(x, "LAME", 4) ||
				   !memcmp(x, "Lav", 3)))
			a->gap = (x[21] << 4 | x[22] >> 4) +
				 ((x[22] & 0xf) << 8 | x[23]);
	} else if (a->h.len >= 36 + 18 && !memcmp(f + 36, "VBRI", 4)) {
		a->frames = be32(f + 36 + 14);
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
static int find_audio(struct win *w, uint64_t off, struct audio *a)
{
	const unsigned char *p;
	ssize_t n;
	size_t i;

	n = win_get(w, off, SYNC_SCAN + MPEG_FRAME_MAX, &p);
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
 * The ID3v1 tag is the file's last 128 bytes. It is only read when the
 * ID3v2 tag gave nothing, or when a CBR duration needs the audio's end.
 */
static int read_v1(struct win *w, int take, uint64_t *end)
{
	const unsigned char *p;
	struct id3_tag *tag;
	ssize_t n;
	int err;

	if (w->size < 128)
		return 0;
	n = win_get(w, w->size - 128, 128, &p);
	if (n < 0)
		return n;
	if (n < 128 || memcmp(p, "TAG", 3))
		return 0;
	*end = w->size - 128;
	if (!take)
		return 0;
	tag = id3_tag_parse(p, 128);
	if (!tag)
		return -ENOMEM;
	err = take_tag(w->t, tag);
	id3_tag_delete(tag);
	return err;
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

/*
 * ID3v2 first, as it tells where the audio starts; then the first MPEG
 * frame; the end of the file only when ID3v1 or a CBR duration needs it.
 */
int tags_read_mp3(int fd, struct tags *t)
{
	struct win w;
	struct audio a = { 0 };
	struct stat st;
	const unsigned char *p;
	uint64_t start = 0, end;
	ssize_t n;
	int err, v1;

	t->codec = "mp3";
	if (fstat(fd, &st))
		return -errno;
	w.fd = fd;
	w.t = t;
	w.size = st.st_size;
	w.off = 0;
	w.len = 0;
	n = win_get(&w, 0, 10, &p);
	if (n < 0)
		return n;
	if (n == 10 && !memcmp(p, "ID3", 3)) {
		err = read_v2(&w, p, &start);
		if (err)
			return err;
	}
	err = find_audio(&w, start, &a);
	if (err)
		return err;
	end = w.size;
	v1 = !t->title && !t->artist && !t->album;
	if (v1 || (a.h.rate && !a.frames)) {
		err = read_v1(&w, v1, &end);
		if (err)
			return err;
	}
	if (!a.h.rate) {
		t->tag_error = 1;
		return 0;
	}
	set_duration(t, &a, end);
	return 0;
}
