/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_PICTURE_H
#define MEDIAMON_PICTURE_H

/*
 * Embedded pictures: where the bytes of a picture inside a FLAC or MP3
 * file are, found from the few bytes in front of them, and how to read
 * them back later without any tag library.
 *
 * The tag readers hand the head of each FLAC PICTURE block or ID3v2
 * APIC (v2.2: PIC) frame to picture_flac() or picture_id3(), keep one
 * picture per file with picture_choose(), and the library views read the
 * kept one with picture_read() when a cover is opened:
 *
 *	struct picture pic = { 0 }, cand;
 *
 *	if (!picture_flac(head, n, block_off + 4, block_len, &cand))
 *		picture_choose(&pic, &cand);
 *	...
 *	buf = malloc(pic.length);
 *	rc = picture_read(fd, &pic, buf);
 *
 * The image bytes themselves are never read while scanning. An ID3 frame
 * under unsynchronisation stores every 0xFF followed by 0x00 or a byte
 * from 0xE0 up as 0xFF 0x00 ...: offset is then where the raw bytes
 * start, length the size once decoded, and picture_read() decodes them.
 */

#include <stddef.h>
#include <stdint.h>

#define PICTURE_MIME_MAX	64	/* with its NUL */
#define PICTURE_FRONT		3	/* the picture type of a front cover */
/* unsync's value for a picture in an Ogg file's METADATA_BLOCK_PICTURE
 * comments, in base64 over pages: offset is then the number of the
 * comment among them, and tags_read_ogg_picture() reads it. */
#define PICTURE_OGG		2

struct picture {
	int found;		/* the rest is meaningful */
	int type;		/* ID3 / FLAC picture type, 0 to 20 */
	char mime[PICTURE_MIME_MAX];	/* "image/jpeg"; ID3v2.2 "JPG" too */
	uint64_t offset;	/* of the image bytes in the file */
	uint64_t length;	/* of the image, decoded */
	int unsync;		/* ID3 unsynchronisation to undo, or
				 * PICTURE_OGG */
};

/*
 * Parse the head of a FLAC PICTURE block's data: the len bytes at buf,
 * which start at file offset off (the block header's offset plus 4), of a
 * block of block_len bytes. On success fills *pic (found set) and returns
 * 0. Returns -ENODATA with *need set to the bytes the head takes when
 * len is too short for it, and -EBADMSG when the fields do not fit in the
 * block, the MIME type is longer than PICTURE_MIME_MAX - 1 or the image
 * is empty.
 */
int picture_flac(const unsigned char *buf, size_t len, uint64_t off,
		 uint32_t block_len, struct picture *pic, size_t *need);

/*
 * Parse the head of an ID3v2 picture frame's content (after the frame
 * header and any grouping byte or data length indicator): the len raw
 * bytes at buf, at file offset off. ver is the tag's major version (2 for
 * a PIC frame with a three-letter image format, 3 or 4 for APIC); unsync
 * says the content is unsynchronised; size is the content's length once
 * decoded. Returns 0 and fills *pic, -ENODATA when the head does not end
 * within len bytes, -ENOENT when the frame holds a link to an image (MIME
 * type "-->") rather than one, or -EBADMSG when it is damaged (an
 * unknown text encoding, fields running past size, an empty image).
 */
int picture_id3(const unsigned char *buf, size_t len, uint64_t off,
		unsigned int ver, int unsync, uint64_t size,
		struct picture *pic);

/*
 * Keep cand in *best when best holds nothing yet, or when cand is a
 * front cover and best is not: the first front cover wins, else the
 * first picture. Returns 1 when cand was taken, 0 otherwise.
 */
int picture_choose(struct picture *best, const struct picture *cand);

/*
 * Decode up to n bytes of unsynchronised data from the len bytes at buf,
 * starting at raw index *pos, into out (or only step over them when out
 * is NULL). Advances *pos past the raw bytes used and returns how many
 * bytes were decoded, fewer than n when buf ends first.
 */
size_t picture_unsync_take(const unsigned char *buf, size_t len,
			   size_t *pos, unsigned char *out, size_t n);

/*
 * Read the pic->length image bytes of pic from fd into out (which has
 * room for them), undoing unsynchronisation. Returns 0, -EIO when the
 * file ends before the image does (it was cut, or the recorded size is
 * false), or another negative errno value when a read fails.
 */
int picture_read(int fd, const struct picture *pic, unsigned char *out);

#endif
