/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_TAGS_H
#define MEDIAMON_TAGS_H

/*
 * Tag readers for the music formats the scanner parses: FLAC (its
 * metadata blocks: STREAMINFO, the Vorbis comments, pictures), MP3
 * (ID3v2 2.2 to 2.4 at the start or, with a footer, at the end; APEv2;
 * ID3v1; the MPEG frame headers for the duration), Ogg Vorbis and Opus
 * (Vorbis comments), MP4 (ilst atoms), WavPack and Monkey's Audio
 * (APEv2), WAV and AIFF (an ID3v2 tag in a chunk; WAV's RIFF INFO
 * list after it).
 *
 * The readers take a file descriptor the scanner opened read-only and
 * fill a struct tags with whatever they could read. They never load
 * picture data: of the embedded pictures they keep where the bytes of
 * one are (picture.h; for Ogg, which comment holds it), the first front
 * cover or else the first picture.
 * A caller that sets no_pictures before reading has pictures only
 * counted in has_picture: none is noted (of a FLAC picture, the fields
 * in front of its image are still read, as they say where it ends). A
 * caller that knows the file's size (it stat()ed the descriptor) sets
 * file_size, which saves the readers a stat of their own.
 *
 * Damage costs the part that is damaged, not the file: a bad frame or
 * comment is skipped and the others kept. The reader then sets
 * tag_error, keeps in error why (the first damage it met) and returns 0;
 * only when the file cannot be read at all (an I/O error) does it return
 * a negative errno value. The caller falls back to the file name for a
 * missing title (tags_title_from_name).
 *
 * The readers read as mutagen does (python3-mutagen, which the tests
 * compare them with), field by field from the best source that has it:
 * an MP3's ID3v2 tag, then its APEv2 tag, then its ID3v1 tag; a FLAC's
 * first Vorbis comment block; an Ogg file's first stream's comments; an
 * MP4's ilst; then, for the title, the file name. The
 * source of each field is kept (source[], tags_sources()). The end of an
 * MP3, where APEv2, ID3v1 and an appended ID3v2 tag are, is read once,
 * and only when its ID3v2 tag lacks a field ID3v1 can hold (title,
 * artist, album, year, track, genre) or the duration needs it.
 *
 * A caller that sets want_lyrics (subsonic_lyrics.h, which reads a
 * track's lyrics on request; the scanner does not) has the first
 * unsynchronised lyrics of the file in lyrics, as they are, and their
 * language in lyrics_lang: an ID3v2 USLT frame (or a TXXX frame USLT,
 * LYRICS or UNSYNCEDLYRICS, as ffmpeg writes them), a Vorbis comment
 * LYRICS or UNSYNCEDLYRICS, an MP4 \251lyr atom or an APEv2 item
 * Lyrics, each up to TAGS_LYRICS_MAX bytes (a larger one is left
 * unread, as damage); and the first ID3v2 SYLT frame timed in
 * milliseconds in lyrics_synced, made LRC text, a "[mm:ss.xxx]" line
 * each of its texts. Without it, these are never read.
 *
 * Strings are UTF-8 and malloc'd; fields never found stay NULL or 0.
 * Several values for one field (two ARTIST comments, a v2.4 frame with
 * several strings) are joined with "; ", without empty or repeated ones.
 */

#include <stddef.h>
#include <stdint.h>

#include "indexer/library/picture.h"

/* The fields whose source is kept, in the order tags_sources() names
 * them. */
enum tags_field {
	TAGS_TITLE, TAGS_ARTIST, TAGS_ALBUM_ARTIST, TAGS_ALBUM, TAGS_GENRE,
	TAGS_TRACK, TAGS_DISC, TAGS_YEAR,
	TAGS_NR_FIELDS
};

/* Where a field's value came from, best first. */
enum tags_source {
	TAGS_NONE, TAGS_VORBIS, TAGS_ID3V2, TAGS_APE, TAGS_ID3V1, TAGS_NAME,
	TAGS_MP4, TAGS_RIFF,
};

#define TAGS_ERROR_MAX	96	/* with its NUL */
#define TAGS_LYRICS_MAX	(60 << 10)	/* the largest lyrics read */
#define TAGS_SOURCES_MAX 128	/* room for tags_sources_text() of every
				 * field */

struct tags {
	char *title;
	char *artist;
	char *album_artist;
	char *album;
	char *genre;
	int track, track_total;
	int disc, disc_total;
	int year;

	char *mb_track_id;		/* MusicBrainz recording id */
	char *mb_album_id;		/* MusicBrainz release id */
	char *mb_artist_id;
	char *mb_album_artist_id;

	const char *codec;		/* static string: "flac", "mp3",
					 * "vorbis", "opus", "aac", "alac",
					 * "wavpack", "ape", "wav", "aiff" */
	double duration_s;
	int bitrate_kbps;		/* average over the whole file */
	int sample_rate;
	int channels;
	int bit_depth;			/* bits a sample of lossless audio
					 * (FLAC, ALAC, WAV, AIFF, WavPack,
					 * APE); 0 for lossy formats */
	double gain_db;			/* ReplayGain of the tags, in dB to */
	double album_gain_db;		/* -18 LUFS (R128's +5 dB) ... */
	int has_gain, has_album_gain;	/* ... when these are set */
	int no_pictures;		/* set by the caller: see above */
	int64_t file_size;		/* set by the caller, or 0: see above */
	int has_picture;		/* an embedded picture was seen */
	int want_lyrics;		/* set by the caller: see above */
	char *lyrics;			/* with want_lyrics: see above */
	char lyrics_lang[4];		/* their language ("" unknown) */
	char *lyrics_synced;		/* with want_lyrics: see above */
	struct picture picture;		/* the one to show, if found */

	unsigned char source[TAGS_NR_FIELDS];	/* enum tags_source */
	unsigned char reading;		/* the source read now */
	int tag_error;			/* something was damaged or cut */
	char error[TAGS_ERROR_MAX];	/* the first damage; "" if none */
	uint64_t bytes_read;		/* bytes read from the file */
};

/* Read a FLAC file's STREAMINFO, first Vorbis comment block and
 * pictures. */
int tags_read_flac(int fd, struct tags *t);

/* Read an MP3 file's ID3v2, APEv2 and ID3v1 tags and its duration. */
int tags_read_mp3(int fd, struct tags *t);

/* Read an Ogg Vorbis or Ogg Opus file's first stream: its identification
 * and comment headers, and its last granule position for the duration. */
int tags_read_ogg(int fd, struct tags *t);

/*
 * Read the image of an Ogg file's picture that tags_read_ogg() noted
 * (unsync PICTURE_OGG: in base64, in a comment) from fd into out, which
 * has room for pic->length bytes. Returns 0, -EIO when the file no
 * longer holds it as it was, or another negative errno.
 */
int tags_read_ogg_picture(int fd, const struct picture *pic,
			  unsigned char *out);

/* Read an MP4 audio file's first sound track and its ilst tags. */
int tags_read_mp4(int fd, struct tags *t);

/* Read a WavPack file's first block header and its APEv2 tag. */
int tags_read_wavpack(int fd, struct tags *t);

/* Read a Monkey's Audio file's header and its APEv2 tag. */
int tags_read_monkeys(int fd, struct tags *t);

/* Read a WAV file's "fmt " and data chunks, the ID3v2 tag of its "id3 "
 * chunk, then its RIFF INFO list for the fields ID3v2 left empty. */
int tags_read_wav(int fd, struct tags *t);

/* Read an AIFF (or AIFF-C) file's COMM chunk and the ID3v2 tag of its
 * "ID3 " chunk. */
int tags_read_aiff(int fd, struct tags *t);

/*
 * Give t the file name name, less its extension, as title when it has
 * none: a name is bytes, so what is not UTF-8 becomes U+FFFD, and the tag
 * is not counted as damaged for it. Returns 0 or -ENOMEM.
 */
int tags_title_from_name(struct tags *t, const char *name);

/*
 * Write where each field that has a value came from into code, short as
 * the store keeps it: a letter a field in enum tags_field's order ('v'
 * vorbis, '2' id3v2, 'a' ape, '1' id3v1, 'n' name, 'm' mp4, 'r' riff,
 * '-' none), as
 * "22-22222" for an ID3v2 tag without album artist. Empty when no field
 * has a value.
 */
void tags_sources(const struct tags *t, char code[TAGS_NR_FIELDS + 1]);

/*
 * Spell out a code of tags_sources() into buf (size bytes, NUL-terminated,
 * cut if short), as "title=id3v2 artist=ape track=id3v1": the fields
 * named title, artist, album_artist, album, genre, track, disc, year; the
 * sources vorbis, id3v2, ape, id3v1, name, mp4, riff. Text that is no
 * such code (as stores of schema 16 kept) is given as it is.
 */
void tags_sources_text(const char *code, char *buf, size_t size);

/* Free the strings of t and zero it. */
void tags_release(struct tags *t);

/* The fields of t that hold strings of their own (those tags_release()
 * frees), as pointers to them in f. */
#define TAGS_TEXT_FIELDS 11
void tags_text_fields(struct tags *t, char **f[TAGS_TEXT_FIELDS]);

#endif
