/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_SUBSONIC_ARTISTS_H
#define MEDIAMON_SUBSONIC_ARTISTS_H
/*
 * The index of artists of the Subsonic API (fs/subsonic/subsonic.h) as the
 * caller this thread holds may see it (caller_begin_user()).
 */
#include <jansson.h>

/*
 * getArtists: set body's "artists" to every artist folder of
 * /library/music/artists, grouped by its first letter, each an ArtistID3
 * with albumCount (its albums holding a track the caller may see), the
 * cover of the first of them that has one as its coverArt, and the
 * account's marks. Returns 0 or a negative errno value.
 */
int subsonic_artists_all(json_t *body);

#endif
