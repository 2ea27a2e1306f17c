/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_TAGS_ID3_PRIVATE_H
#define MEDIAMON_TAGS_ID3_PRIVATE_H

/*
 * What the ID3 reader's files share, for them alone: the walk through a
 * tag's frames (tags_id3.c), the decoding of a frame's content and text
 * (tags_id3_text.c), and the values taken from the frames and from
 * ID3v1 (tags_id3_values.c).
 */

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "indexer/library/tags.h"

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
enum tags_id3_what {
	W_SKIP = TAGS_NR_FIELDS, W_DATE, W_TYER, W_TXXX, W_UFID, W_RVA2,
	W_PICTURE, W_LYRICS, W_SYNCED,
};

/* A frame kept for reading once the walk is over, its bytes after it. */
struct tags_id3_kept {
	uint32_t len;
	unsigned char what, flags;
	char id[5];
};

/* What counts only once the tag's frames are all read: a TYER's year,
 * when it is all digits and the tag has no TDRC frame, even one without
 * a date (mutagen's update_to_v24); the gains of RVA2 frames, when no
 * TXXX frame gives one. */
struct tags_id3_later {
	int tyer;
	int tdrc;
	int has_rva2[2];
	double rva2[2];
};

/* tags_id3_text.c */

/*
 * Undo unsynchronisation as mutagen does: each 0x00 after a 0xFF goes;
 * bytes that were never unsynchronised (a 0xFF before 0xFF, a byte from
 * 0xE0 up, or at the end) are taken as they are. Returns the length of
 * what is written to out (room for len bytes).
 */
size_t tags_id3_unsync_decode(const unsigned char *in, size_t len,
			      unsigned char *out);

/*
 * The content of a frame once its flags are undone, as mutagen's
 * Frame._fromData does (a grouping byte is stepped over, as the
 * standard says). *out points into data or into own[0] or own[1],
 * allocated here for the caller to free. Returns 0, 1 for an encrypted
 * frame (nothing to read), -EBADMSG for a frame that cannot be undone,
 * or -ENOMEM.
 */
int tags_id3_frame_content(unsigned int ver, int tag_unsync,
			   unsigned int flags, const unsigned char *data,
			   size_t len, unsigned char *own[2],
			   const unsigned char **out, size_t *out_len);

/* Append the UTF-8 form of cp to out. */
size_t tags_id3_put_utf8(unsigned char *out, unsigned int cp);

/*
 * Decode one string of encoding enc (0 to 3, a frame's encoding byte)
 * up to its terminator or the end of the n bytes at p into out (room
 * for 2 * n + 4 bytes) as UTF-8 ending with a NUL, its length in *olen.
 * Returns the bytes used (its terminator too), or -1 when it does not
 * decode; *repaired as tags_id3_frame_strings() sets it.
 */
ssize_t tags_id3_one_string(const unsigned char *p, size_t n, int enc,
			    unsigned char *out, size_t *olen, int *repaired);

/* Whether the n bytes at p are all zero. */
int tags_id3_all_zero(const unsigned char *p, size_t n);

/*
 * Decode the strings of a text frame's content (its encoding byte, then
 * strings), as mutagen's MultiSpec of EncodedTextSpec reads them: each
 * to its terminator; before v2.4, what is left after a string is
 * padding when it is all zeros. *out gets the strings, each ending with
 * a NUL, and *count their number; *repaired is set when UTF-16 needed
 * mutagen's repairs. Returns 0, -EBADMSG when one does not decode (the
 * whole frame is lost) or -ENOMEM.
 */
int tags_id3_frame_strings(unsigned int ver, const unsigned char *p,
			   size_t n, unsigned char **out, size_t *count,
			   int *repaired);

/* tags_id3_values.c */

/* Read one kept frame, noting why when it cannot be. */
int tags_id3_take_frame(struct tags *t, unsigned int ver, int tag_unsync,
			const struct tags_id3_kept *k,
			const unsigned char *data,
			struct tags_id3_later *later);

#endif
