/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_SUBSONIC_INFO_H
#define MEDIAMON_SUBSONIC_INFO_H
/*
 * getArtistInfo, getArtistInfo2, getAlbumInfo and getAlbumInfo2
 * (fs/subsonic/subsonic.h) from what the library knows, asking no
 * service: no biography nor notes (mediamon fetches none), the album's
 * and the artist's MusicBrainz ids when their songs are tagged with one
 * (the artist's from its first SUBSONIC_INFO_SEEDS songs), the cover as
 * smallImageUrl, mediumImageUrl and largeImageUrl (getCoverArt of
 * SUBSONIC_INFO_SMALL, _MEDIUM and _LARGE pixels, as a path of this
 * server without the account's parameters, which a player adds as it
 * does to its own getCoverArt), and an artist's similarArtist: the
 * artists of the songs most alike (subsonic_music_similar()) its first
 * SUBSONIC_INFO_SEEDS songs, by how alike, count of them (20, at most
 * 100), each one the account may read. includeNotPresent is not heard:
 * every artist named is in the library.
 *
 * Each adds its member to body and returns 0, a negative errno value,
 * SUBSONIC_MISSING without id or SUBSONIC_NOT_FOUND when id names
 * nothing the account may read.
 */
#include <jansson.h>

#include "fs/subsonic/subsonic_lists.h"

#define SUBSONIC_INFO_SMALL	64
#define SUBSONIC_INFO_MEDIUM	300
#define SUBSONIC_INFO_LARGE	600
#define SUBSONIC_INFO_SEEDS	3

/* getArtistInfo2 ("artistInfo2", its similar artists as ArtistID3) or,
 * with old, getArtistInfo ("artistInfo", as Artist) of the artist id,
 * or of the artist of the album or song id. */
int subsonic_info_artist(json_t *body, subsonic_param_fn param, void *req,
			 int old);

/* getAlbumInfo and getAlbumInfo2 ("albumInfo") of the album id, or of
 * the album of the song id. */
int subsonic_info_album(json_t *body, subsonic_param_fn param, void *req);

#endif
