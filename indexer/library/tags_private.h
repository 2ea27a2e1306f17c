/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_TAGS_PRIVATE_H
#define MEDIAMON_TAGS_PRIVATE_H

/*
 * What the tag readers share, so that every format stores values the
 * same way and reads its file the same way. Not for use outside the tag
 * readers (tags_*.c).
 *
 * Values go through tags_add(), tags_take_pos() and tags_take_year(),
 * which keep a field to the first source that gave it a value: a reader
 * sets t->reading to the source it reads, best source first, and a
 * worse source only fills the fields the better ones left empty.
 */

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/bytes.h"
#include "indexer/library/tags.h"

#define TAGS_WIN_SIZE	65536	/* bytes per read of the file */

/*
 * A window onto the file, refilled by one pread only when the reader
 * needs bytes outside it: the head of a typical file holds the whole tag
 * and the first audio frames, so it costs a single read. A window made
 * by tags_win_mem() holds a whole "file" in memory and never reads.
 */
struct tags_win {
	int fd;				/* -1: buf holds all of it */
	struct tags *t;			/* bytes_read counts the reads */
	size_t chunk;			/* bytes per read, at least */
	uint64_t size;			/* of the file */
	uint64_t off;			/* file offset of buf[0] */
	size_t len;
	unsigned char *buf;
};

/* A window onto fd through buf, which has room for TAGS_WIN_SIZE bytes,
 * reading chunk bytes at a time (more when asked for more); the file is
 * fstat()ed for its size. Returns 0 or a negative errno. */
int tags_win_init(struct tags_win *w, int fd, struct tags *t,
		  unsigned char *buf, size_t chunk);

/* A window over the len bytes at data, as if they were a file. */
void tags_win_mem(struct tags_win *w, struct tags *t,
		  const unsigned char *data, size_t len);

/*
 * Point *p at the file bytes [off, off + len), len <= TAGS_WIN_SIZE,
 * reading them if the window does not hold them. Returns how many bytes
 * are there, fewer at the end of the file, or a negative errno. A read
 * that ends before w->size (the file shrank since it was measured)
 * moves w->size to where it ended, so that the readers, which count
 * from w->size, never point past what was read.
 */
ssize_t tags_win_get(struct tags_win *w, uint64_t off, size_t len,
		     const unsigned char **p);

/*
 * Point *p at the last len bytes of the file (fewer when it is shorter),
 * len <= TAGS_WIN_SIZE, in one read ending at its end; *off is where
 * they start. Returns their number or a negative errno.
 */
ssize_t tags_win_tail(struct tags_win *w, size_t len,
		      const unsigned char **p, uint64_t *off);

/*
 * Add one value of len bytes (up to a NUL) to the text field f (title to
 * genre) from the source t->reading, unless a better source gave f a
 * value: several values are joined with "; ", invalid UTF-8 becomes
 * U+FFFD (one per maximal ill-formed part, as Python decodes) and sets
 * t->tag_error, and empty or repeated values are dropped. Returns 0 or
 * -ENOMEM.
 */
int tags_add(struct tags *t, enum tags_field f, const char *s, size_t len);

/*
 * The same for a MusicBrainz id, a field that keeps no source: a value
 * that is no UUID (8-4-4-4-12 hex digits) is left out with a debug log,
 * never stored; one is kept in lower case, as MusicBrainz spells it.
 */
int tags_add_mbid(struct tags *t, char **field, const char *s, size_t len);

/*
 * Take a track or disc number (f is TAGS_TRACK or TAGS_DISC) from "3"
 * or "3/12" (len bytes): the first number and the first total a source
 * gives stay. With total_only, s holds only a total (TRACKTOTAL).
 */
void tags_take_pos(struct tags *t, enum tags_field f, const char *s,
		   size_t len, int total_only);

/*
 * Take the year of a date as mutagen's ID3TimeStamp reads it: the
 * number before the first "-", "T", ":", "/", "." or space of "2019",
 * "2019-05-01" or "2019-05-01T10:00". The first year a source gives
 * stays. Returns 1 when s held one, else 0.
 */
int tags_take_year(struct tags *t, const char *s, size_t len);

/* Set t's average bitrate from the file's size and its duration, when
 * that is one: a duration too short for the size gives none. */
void tags_set_bitrate(struct tags *t, uint64_t size);

/*
 * Take a track (album 0) or album gain from len bytes at s: ReplayGain's
 * "-6.50 dB", or with r128 an Opus R128_*_GAIN, a Q7.8 integer to -23
 * LUFS (5 dB is added, to ReplayGain's reference). The first one a file
 * gives stays; what is no number is left out.
 */
void tags_take_gain(struct tags *t, int album, const char *s, size_t len,
		    int r128);

/*
 * Take the len bytes at s (up to a NUL) as the file's lyrics in the
 * language lang (3 letters, or NULL), unless lyrics were taken already
 * or are not wanted (want_lyrics). Returns 0 or -ENOMEM.
 */
int tags_take_lyrics(struct tags *t, const char *s, size_t len,
		     const char *lang);

/* Take a gain of db decibels to ReplayGain's reference, as
 * tags_take_gain() takes one it has read. */
void tags_set_gain(struct tags *t, int album, double db);

/* Note damage: set t->tag_error and, if it is the first, say why (a
 * printf format: "id3v2: frame TYER: ..."). */
void tags_damage(struct tags *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* The same for a flag and a buffer of size bytes of the caller's (an
 * ID3v2 walk's, which may not count). */
void tags_vnote(int *flag, char *error, size_t size, const char *fmt,
		va_list ap) __attribute__((format(printf, 4, 0)));

/*
 * Read the ID3v2 tag whose header is at file offset off. *end is set to
 * where the tag ends (its footer included), which may lie past the end
 * of the file. No tag header there: returns 0 with *end = off. Values
 * come from t->reading's source. Returns 0 or a negative errno.
 */
int tags_id3v2_read(struct tags_win *w, uint64_t off, uint64_t *end);

/*
 * Read the Vorbis comments whose vendor length is at file offset off, as
 * far as they go, and set *end to where they end. A comment too large
 * for the window is stepped over (damage when the index would have read
 * it). With pictures, a METADATA_BLOCK_PICTURE comment (Ogg's way of
 * embedding a picture) sets has_picture. Returns 0, 1 when the comments
 * are cut by the end of the file, or a negative errno.
 */
int tags_vorbis_read(struct tags_win *w, uint64_t off, uint64_t *end,
		     int pictures);

/*
 * Read the image of pic (found by tags_vorbis_read(), PICTURE_OGG) from
 * the comments whose vendor length is at off into out, which has room
 * for pic->length bytes. The window must hold the comments whole (a
 * tags_win_mem() one). Returns 0, -EIO when the comment is no longer
 * there as it was, or -ENOMEM.
 */
int tags_vorbis_picture(struct tags_win *w, uint64_t off,
			const struct picture *pic, unsigned char *out);

/* Add the genre of ID3v1's list numbered n (0 is "Blues"), as MP4's
 * gnre atom names one too. Returns 0, 1 when n names none, or -ENOMEM. */
int tags_genre_add(struct tags *t, unsigned long n);

/* Take the values of the 128-byte ID3v1 tag at p ("TAG" first). */
int tags_id3v1_take(struct tags *t, const unsigned char *p);

/*
 * Set *start to where the APEv2 tag whose 32-byte footer is at file
 * offset footer starts, its header included; to footer when there is no
 * footer there. Returns 0 or a negative errno.
 */
int tags_ape_start(struct tags_win *w, uint64_t footer, uint64_t *start);

/* Read the APEv2 tag whose footer is at file offset footer. Returns 0,
 * also for a damaged tag (noted), or a negative errno. */
int tags_ape_read(struct tags_win *w, uint64_t footer);

#endif
