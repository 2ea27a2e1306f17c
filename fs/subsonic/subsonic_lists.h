/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_SUBSONIC_LISTS_H
#define MEDIAMON_SUBSONIC_LISTS_H
/*
 * The Subsonic API's lists over the whole music the user may see
 * (fs/subsonic/subsonic_index.h): getIndexes, getAlbumList2, getRandomSongs,
 * search3, getSimilarSongs(2), getTopSongs and getSongsByGenre, each
 * costing the page it answers once the index is gathered. Each reads its
 * parameters through param (the query's value of a name, or NULL), adds
 * its member to body and returns 0, a negative errno value or a Subsonic
 * error code (SUBSONIC_MISSING for a missing parameter,
 * SUBSONIC_NOT_FOUND for a list type not offered).
 */
#include <jansson.h>

typedef const char *(*subsonic_param_fn)(void *req, const char *name);

/* getIndexes: the artists as getArtists gives them, as "indexes", with
 * lastModified when the store's names last moved (ms); none of them when
 * ifModifiedSince is that time or later. */
int subsonic_lists_indexes(json_t *body, subsonic_param_fn param,
			   void *req);
/* getAlbumList2: type random, newest (the albums whose tracks the index
 * met last first), alphabeticalByName, alphabeticalByArtist, byYear
 * (fromYear, toYear; from after to goes backwards), byGenre (genre, a
 * folder of /library/music/genres; by name), or by the account's marks:
 * starred (the albums it starred, the latest star first), frequent (the
 * albums whose songs it played most), recent (those it played a song of,
 * the latest first), highest (the albums it rated, by their rating,
 * then those it starred, then those played, each by their plays); size
 * (10, at most 500) and offset. */
int subsonic_lists_albums(json_t *body, subsonic_param_fn param, void *req);
/* getRandomSongs: size (10, at most 500) songs, fromYear and toYear. */
int subsonic_lists_random(json_t *body, subsonic_param_fn param, void *req);
/* search3: the artists, albums and songs whose name or title holds
 * query, case aside (an empty query, or "", every one), with their
 * artistCount/artistOffset, albumCount/albumOffset and
 * songCount/songOffset (20 and 0 each). */
int subsonic_lists_search(json_t *body, subsonic_param_fn param, void *req);
/* getSimilarSongs and getSimilarSongs2 (member "similarSongs" or
 * "similarSongs2"): the songs of /similar of the song id
 * (subsonic_music_similar()), most alike first, count of them (50, at
 * most 500); an id of no song the user may see is SUBSONIC_NOT_FOUND. */
int subsonic_lists_similar(json_t *body, const char *member,
			   subsonic_param_fn param, void *req);
/* getSonicSimilarTracks: the same songs (count: 10, at most 500) as
 * "sonicMatch", each {"entry": the song, "similarity": -1}: the
 * analysis ranks them, and tells no normalized score of it. */
int subsonic_lists_sonic_similar(json_t *body, subsonic_param_fn param,
				 void *req);
/* getTopSongs: the songs of the artist (the name getArtists gives, case
 * aside), those the account played most first, then those it played
 * last, then the view's order (mediamon asks no outside service), count
 * of them (50, at most 500); an artist of no song the user may see has
 * none. */
int subsonic_lists_top(json_t *body, subsonic_param_fn param, void *req);
/* getSongsByGenre: the songs of genre, count (10, at most 500) from
 * offset, in the view's order. */
int subsonic_lists_genre_songs(json_t *body, subsonic_param_fn param,
			       void *req);
#endif
