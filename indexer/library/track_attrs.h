/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_TRACK_ATTRS_H
#define MEDIAMON_TRACK_ATTRS_H

/*
 * The record of a track as extended attributes of its file in the views
 * (/library, /search, /similar), so `getfattr -d` shows it:
 *
 *   user.mediamon.title, .artist, .album, .track   its tags
 *   user.mediamon.album_artist, .disc, .year       (the album artist is
 *                        the artist when the tags name none)
 *   user.mediamon.tag_source  where each field came from, as
 *                        tags_sources() writes it: "title=id3v2 ..."
 *   user.mediamon.bpm, .loudness_lufs, .gain_db, .peak
 *                        its analysis (analysis.h; peak linear)
 *   user.mediamon.album_gain_db   its album's gain: over the tracks
 *                        of the album that may(path of the file) passes
 *                        when may is given, so a caller who may not read
 *                        all of them learns nothing of the others
 *   user.mediamon.mb_track_id, .mb_album_id   its MusicBrainz recording
 *                        and release ids (tags_add_mbid())
 *
 * Values are text ("120.02", "-23.00", "7"). A field the store does not
 * have (a tag not set, a track not analysed yet) is no attribute.
 *
 *	n = track_attrs_get(file, "user.mediamon.bpm", NULL, buf,
 *			    sizeof(buf));
 */

#include <stddef.h>
#include <stdint.h>

/*
 * Whether name is one of the attributes above: ls -l asks every file for
 * security and ACL attributes, which are answered without a look at the
 * file. Returns 1 or 0.
 */
int track_attrs_known(const char *name);

/*
 * Copy the value of the attribute name of the track whose file is file
 * (a files.id) into buf, which holds size bytes; size 0 asks for the
 * length only. may, when not NULL, says which files on disk the album
 * gain is computed over (see above). Returns the value's length, -ENODATA when
 * there is no such attribute (an unknown name, a field not set, a file that is
 * no track), -ERANGE when size is too small, or -EIO.
 */
int track_attrs_get(int64_t file, const char *name,
		    int (*may)(const char *path), char *buf, size_t size);

/*
 * Copy the names of the attributes the track of file has, each ending
 * with a NUL, into buf (size 0: the length only). Returns their total
 * length, -ERANGE when size is too small, or -EIO.
 */
int track_attrs_list(int64_t file, int (*may)(const char *path), char *buf,
		     size_t size);

/*
 * Copy every attribute the track of file has, its name and its value
 * each ending with a NUL, into buf (size 0: the length only), in one
 * read of the store: what a caller wanting the whole record asks for
 * instead of each attribute in turn. Returns their total length,
 * -ENODATA when the file is no track, -ERANGE when size is too small,
 * or -EIO.
 */
int track_attrs_all(int64_t file, int (*may)(const char *path), char *buf,
		    size_t size);

/* What the store knows of a track's file beside its tags, for the
 * Subsonic songs (fs/subsonic/subsonic_song.h): a number it does not know is 0.
 * */
struct track_media {
	long long size;		/* bytes, when last scanned */
	long bitrate_kbps;	/* its audio's, or the file's over its length */
	long sample_rate;	/* Hz */
	long channels;
	long bit_depth;		/* bits a sample; 0 for lossy audio */
	char *genre;		/* its tag, or NULL */
};

/*
 * Read the file facts of the track of file (a files.id) into *out, to
 * release with track_attrs_media_free() either way. It judges no right.
 * Returns 0, -ENODATA when the file is no track, -ENOMEM or -EIO
 * (logged).
 */
int track_attrs_media(int64_t file, struct track_media *out);
void track_attrs_media_free(struct track_media *m);

/* The few tags of every track that the Subsonic lists order and find
 * songs by (fs/subsonic/subsonic_index.h), by files.id. */
struct track_titles {
	struct track_title {
		int64_t file;	/* files.id */
		char *title;	/* its tag, or NULL */
		char *album;	/* its album's title, or NULL */
		long year;	/* or 0 */
		long duration;	/* whole seconds, rounded */
		int64_t first_seen;	/* files.first_seen, or 0 */
		char *genre;	/* its tag, or NULL */
		char *path;	/* its file's on disk, absolute */
	} *v;
	size_t nr, alloc;
};

/*
 * Read the titles, album titles, years, lengths, genres, first
 * sightings and paths on disk of every track of the store
 * into *out, in the order of their files' ids, in one query (a caller
 * that asks for many tracks at once reads them here instead of track by
 * track with track_attrs_all()). It judges no right: the caller asks
 * only for the files it may see. Returns 0 or a negative errno value
 * (logged); *out is to free with track_attrs_titles_free() either way.
 */
int track_attrs_titles(struct track_titles *out);
/* The track of file in t (from track_attrs_titles()), or NULL. */
const struct track_title *track_attrs_title(const struct track_titles *t,
					    int64_t file);
void track_attrs_titles_free(struct track_titles *t);

#endif
