#ifndef MEDIAMON_TAGS_H
#define MEDIAMON_TAGS_H

/*
 * Tag readers for the music formats the scanner parses: FLAC through
 * libFLAC's read-only metadata interface, MP3 through libid3tag plus its
 * own MPEG frame header reading for the duration.
 *
 * Both readers take a file descriptor the scanner opened read-only and
 * fill a struct tags with whatever they could read. They never load
 * picture data: of the embedded pictures they keep where the bytes of
 * one are (picture.h), the first front cover or else the first picture.
 * A caller that sets no_pictures before reading has pictures only
 * counted in has_picture: nothing of them is read or noted.
 * A damaged tag is not fatal: the reader keeps what it got, sets
 * tag_error and returns 0; only when the file cannot be read at all
 * (an I/O error) does it return a negative errno value. The caller falls
 * back to the file name for a missing title (tags_title_from_name).
 *
 * Strings are UTF-8 and malloc'd; fields never found stay NULL or 0.
 * Several values for one field (two ARTIST comments, a v2.4 frame with
 * several strings) are joined with "; ".
 */

#include <stdint.h>

#include "indexer/library/picture.h"

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

	const char *codec;		/* static string: "flac", "mp3" */
	double duration_s;
	int bitrate_kbps;		/* average over the whole file */
	int sample_rate;
	int channels;
	int no_pictures;		/* set by the caller: see above */
	int has_picture;		/* an embedded picture was seen */
	struct picture picture;		/* the one to show, if found */

	int tag_error;			/* something was damaged or cut */
	uint64_t bytes_read;		/* bytes read from the file */
};

/* Read a FLAC file's STREAMINFO and Vorbis comments. */
int tags_read_flac(int fd, struct tags *t);

/* Read an MP3 file's ID3v2 (2.2, 2.3, 2.4) or ID3v1 tag and duration. */
int tags_read_mp3(int fd, struct tags *t);

/*
 * Give t the file name name, less its extension, as title when it has
 * none: a name is bytes, so what is not UTF-8 becomes U+FFFD, and the tag
 * is not counted as damaged for it. Returns 0 or -ENOMEM.
 */
int tags_title_from_name(struct tags *t, const char *name);

/* Free the strings of t and zero it. */
void tags_release(struct tags *t);

#endif
