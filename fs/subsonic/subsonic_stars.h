/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_SUBSONIC_STARS_H
#define MEDIAMON_SUBSONIC_STARS_H
/*
 * What a Subsonic account marks (fs/subsonic/subsonic.h), kept in the store per
 * account (indexer/library/starred.h): star and unstar of songs, albums
 * and artists, getStarred2, and scrobble (a play counted with
 * submission=true, the default; submission=false, "now playing", is
 * taken and counts nothing). The songs, albums and artists are
 * subsonic_music.h's, seen as the caller: a star of one the account may
 * not see is not listed, and starring or scrobbling it is
 * SUBSONIC_NOT_FOUND, as for an id that names nothing.
 */
#include <jansson.h>

/* star (on) or unstar: the ids in the arrays ids (any kind), albums
 * (album ids) and artists (artist ids), of which at least one holds
 * one (SUBSONIC_MISSING otherwise). Starring, each must name something
 * the account sees, or nothing is starred. */
int subsonic_stars_star(json_t *ids, json_t *albums, json_t *artists,
			int on);
/* getStarred2: what the account starred and sees, oldest first, as
 * "starred2" {artist, album, song}; with v1, getStarred: the same as
 * "starred", the artists as Artist (id, name, starred) and the albums as
 * Child (a folder, isDir, of its artist's, its title the album's
 * name). */
int subsonic_stars_starred(json_t *body, int v1);
/* Make the items of the array a of AlbumID3 albums (album 1) or
 * ArtistID3 artists the shapes before the ID3 methods: an album a
 * Child folder of its artist's, titled with its name; an Artist.
 * 0 or -ENOMEM. */
int subsonic_stars_old_shapes(json_t *a, int album);
/* scrobble: the songs of ids, each at the time of the same place in
 * times (milliseconds since the epoch; now when missing), counted when
 * submission is NULL or "true". */
int subsonic_stars_scrobble(json_t *ids, json_t *times,
			    const char *submission);
#endif
