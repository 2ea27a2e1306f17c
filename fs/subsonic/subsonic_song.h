/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_SUBSONIC_SONG_H
#define MEDIAMON_SUBSONIC_SONG_H
/*
 * A song of the Subsonic API (fs/subsonic/subsonic.h): the Child of a track
 * file of /library/music/artists as the caller this thread holds may see it
 * (caller_begin_user()), its fields read in one look at the store.
 */
#include <stdint.h>

#include <jansson.h>

/*
 * The Child of the track file (a files.id) at path ("ARTIST/ALBUM/NAME"
 * under the view's artists) in the album of id album by the artist of id
 * artist, into *out (a new object), all a player such as Strawberry
 * requires of a song and what else the store knows: id ("so" and file),
 * title (its tag, else NAME), artist, album, track, discNumber, year,
 * genre and genres, duration (whole seconds; 0 when unknown), size,
 * contentType (as /rest/stream serves the file), suffix, bitRate,
 * samplingRate, channelCount, bitDepth (of lossless audio), path, musicBrainzId, created (when the
 * index first met the file, ISO 8601 in UTC, so the earliest of several
 * is the least text), replayGain (trackGain, albumGain, trackPeak of the
 * analysis), and the account's marks (its stars and plays). Returns 0, -ENODATA
 * when file is no track's (an image of the album's folder), or a
 * negative errno value.
 */
int subsonic_song_child(const char *album, const char *artist,
			const char *path, int64_t file, json_t **out);

#endif
