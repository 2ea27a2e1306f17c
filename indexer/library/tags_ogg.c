/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Ogg Vorbis and Ogg Opus, read as mutagen reads them: the first logical
 * stream of the file (the serial number of its first page) is the one
 * described. Its first packet says the codec (Vorbis' identification
 * header or OpusHead), its second holds the Vorbis comments, which may
 * run over many pages (a cover art comment makes it large): its
 * segments are gathered from the pages of that stream into one buffer.
 * The duration is the granule position of the stream's last page: the
 * last page of the file when it belongs to the stream and ends it, else
 * found by walking every page header from the start (a chained file,
 * whose later streams are not counted, as in mutagen). Opus counts at
 * 48 kHz and starts after its pre-skip.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/bytes.h"
#include "indexer/library/tags.h"
#include "indexer/library/tags_private.h"

#define PAGE_HEAD	27
#define PAGE_MAX	(PAGE_HEAD + 255 + 255 * 255)
#define OGG_CHUNK	16384	/* the head pages of most files */
#define PACKET_MAX	(16u << 20)	/* comments with a cover, at most */
#define FLAG_LAST	4
#define OPUS_RATE	48000

struct page {
	uint64_t off;
	int flags;
	int64_t granule;		/* -1: no packet ends on the page */
	uint32_t serial;
	unsigned int nsegs;
	unsigned char lacing[255];
	uint32_t body;			/* bytes after the header */
	uint32_t size;			/* header and body */
};

/* Parse the page header at off. Returns 1, 0 when there is no page
 * there (or it is cut), or a negative errno. */
static int page_at(struct tags_win *w, uint64_t off, struct page *pg)
{
	const unsigned char *p;
	ssize_t n;

	n = tags_win_get(w, off, PAGE_HEAD, &p);
	if (n < PAGE_HEAD)
		return n < 0 ? n : 0;
	if (memcmp(p, "OggS", 4) || p[4])
		return 0;
	pg->off = off;
	pg->flags = p[5];
	pg->granule = (int64_t)bytes_le64(p + 6);
	pg->serial = bytes_le32(p + 14);
	pg->nsegs = p[26];
	n = tags_win_get(w, off + PAGE_HEAD, pg->nsegs, &p);
	if (n < (ssize_t)pg->nsegs)
		return n < 0 ? n : 0;
	memcpy(pg->lacing, p, pg->nsegs);
	pg->body = 0;
	for (unsigned int i = 0; i < pg->nsegs; i++)
		pg->body += pg->lacing[i];
	pg->size = PAGE_HEAD + pg->nsegs + pg->body;
	return off + pg->size <= w->size;
}

/* A packet being gathered from the segments of its pages. */
struct packet {
	unsigned char *data;
	size_t len, cap;
	int number;			/* of the stream's packets, from 0 */
	int too_big;
};

/* Add len bytes of the page body at off to the packet; past PACKET_MAX
 * the bytes are dropped and the packet marked. */
static int packet_add(struct tags_win *w, struct packet *pk, uint64_t off,
		      size_t len)
{
	const unsigned char *p;
	unsigned char *grown;
	ssize_t n;

	if (!len || pk->too_big)
		return 0;
	if (pk->len + len > PACKET_MAX) {
		pk->too_big = 1;
		return 0;
	}
	if (pk->len + len > pk->cap) {
		size_t cap = pk->cap ? pk->cap : 4096;

		while (cap < pk->len + len)
			cap *= 2;
		grown = realloc(pk->data, cap);
		if (!grown)
			return -ENOMEM;
		pk->data = grown;
		pk->cap = cap;
	}
	n = tags_win_get(w, off, len, &p);
	if (n < (ssize_t)len)
		return n < 0 ? n : -EBADMSG;
	memcpy(pk->data + pk->len, p, len);
	pk->len += len;
	return 0;
}

/* What the stream's first two packets say. */
struct stream {
	uint32_t serial;
	int opus;
	int pre_skip;
	const struct picture *find;	/* the picture to read back, or NULL */
	unsigned char *out;		/* where its image goes */
	int found;			/* the comment packet was read */
};

/* Read the identification header, packet 0 of len bytes at p. */
static int take_ident(struct tags *t, struct stream *s,
		      const unsigned char *p, size_t len)
{
	if (len >= 30 && !memcmp(p, "\x01vorbis", 7)) {
		t->codec = "vorbis";
		t->channels = p[11];
		t->sample_rate = bytes_le32(p + 12);
		return 0;
	}
	if (len >= 19 && !memcmp(p, "OpusHead", 8)) {
		t->codec = "opus";
		s->opus = 1;
		t->channels = p[9];
		s->pre_skip = bytes_le16(p + 10);
		t->sample_rate = OPUS_RATE;
		return 0;
	}
	tags_damage(t, "ogg: the stream is neither Vorbis nor Opus");
	return -EBADMSG;
}

/* Read the comment header, packet 1 of len bytes at p. */
static int take_comments(struct tags *t, struct stream *s,
			 const unsigned char *p, size_t len)
{
	const char *magic = s->opus ? "OpusTags" : "\x03vorbis";
	size_t skip = s->opus ? 8 : 7;
	struct tags_win mem;
	uint64_t end;
	int rc;

	if (len < skip || memcmp(p, magic, skip)) {
		tags_damage(t, "ogg: the second packet holds no comments");
		return 0;
	}
	tags_win_mem(&mem, t, p, len);
	if (s->find) {
		s->found = 1;
		return tags_vorbis_picture(&mem, skip, s->find, s->out);
	}
	rc = tags_vorbis_read(&mem, skip, &end, 1);
	if (rc == 1)
		tags_damage(t, "ogg: the comments are cut short");
	return rc < 0 ? rc : 0;
}

/*
 * Gather the first two packets of the first stream and read them.
 * Returns 0 (damage noted), or a negative errno.
 */
static int read_headers(struct tags_win *w, struct stream *s)
{
	struct tags *t = w->t;
	struct packet pk = { 0 };
	struct page pg;
	uint64_t off = 0, body;
	int rc = 0, found;

	while (pk.number < 2) {
		found = page_at(w, off, &pg);
		if (found <= 0) {
			rc = found;
			if (!found)
				tags_damage(t, off ? "ogg: the headers are cut "
					    "short" : "ogg: no \"OggS\" page");
			break;
		}
		if (!off)
			s->serial = pg.serial;
		body = off + PAGE_HEAD + pg.nsegs;
		off += pg.size;
		if (pg.serial != s->serial)
			continue;
		for (unsigned int i = 0; !rc && i < pg.nsegs; i++) {
			rc = packet_add(w, &pk, body, pg.lacing[i]);
			body += pg.lacing[i];
			if (rc || pg.lacing[i] == 255)
				continue;
			if (pk.too_big) {
				tags_damage(t, "ogg: the comments are too "
					    "large");
				rc = pk.number ? 0 : -EBADMSG;
			} else if (!pk.number) {
				rc = take_ident(t, s, pk.data, pk.len);
			} else {
				rc = take_comments(t, s, pk.data, pk.len);
			}
			pk.len = 0;
			pk.too_big = 0;
			if (++pk.number == 2)
				break;
		}
		if (rc)
			break;
	}
	free(pk.data);
	return rc == -EBADMSG ? 0 : rc;
}

/*
 * The granule position of the stream's last page that has one, as
 * mutagen's OggPage.find_last() finds it: *granule stays -1 without one.
 */
static int last_granule(struct tags_win *w, uint32_t serial,
			int64_t *granule)
{
	const unsigned char *p;
	struct page pg;
	uint64_t tail, off;
	ssize_t n;
	int rc;

	n = tags_win_tail(w, PAGE_MAX < TAGS_WIN_SIZE ? PAGE_MAX :
			  TAGS_WIN_SIZE, &p, &tail);
	if (n < 0)
		return n;
	for (ssize_t i = n - 4; i >= 0; i--) {
		if (memcmp(p + i, "OggS", 4))
			continue;
		rc = page_at(w, tail + i, &pg);
		if (rc < 0)
			return rc;
		if (rc && pg.serial == serial && pg.granule != -1 &&
		    (pg.flags & FLAG_LAST)) {
			*granule = pg.granule;
			return 0;
		}
		break;
	}
	for (off = 0; (rc = page_at(w, off, &pg)) > 0; off += pg.size) {
		if (pg.serial != serial)
			continue;
		if (pg.granule != -1)
			*granule = pg.granule;
		if (pg.flags & FLAG_LAST)
			break;
	}
	return rc < 0 ? rc : 0;
}

/* The headers first: they say the codec and the rate the last granule
 * position counts in. */
int tags_read_ogg(int fd, struct tags *t)
{
	unsigned char buf[TAGS_WIN_SIZE];
	struct stream s = { 0 };
	struct tags_win w;
	int64_t granule = -1;
	int rc;

	t->codec = "ogg";
	t->reading = TAGS_VORBIS;
	rc = tags_win_init(&w, fd, t, buf, OGG_CHUNK);
	if (!rc)
		rc = read_headers(&w, &s);
	if (rc || !t->sample_rate)
		return rc;
	rc = last_granule(&w, s.serial, &granule);
	if (rc)
		return rc;
	if (s.opus)
		granule = granule > s.pre_skip ? granule - s.pre_skip : 0;
	if (granule > 0)
		t->duration_s = (double)granule / t->sample_rate;
	tags_set_bitrate(t, w.size);
	return 0;
}

/* The comment packet is gathered again as the scan gathered it: its
 * picture is in base64 over pages, not in the file as it is. */
int tags_read_ogg_picture(int fd, const struct picture *pic,
			  unsigned char *out)
{
	unsigned char buf[TAGS_WIN_SIZE];
	struct stream s = { .find = pic, .out = out };
	struct tags t = { 0 };
	struct tags_win w;
	int rc;

	rc = tags_win_init(&w, fd, &t, buf, OGG_CHUNK);
	if (!rc)
		rc = read_headers(&w, &s);
	if (!rc && !s.found)
		rc = -EIO;
	tags_release(&t);
	return rc;
}
