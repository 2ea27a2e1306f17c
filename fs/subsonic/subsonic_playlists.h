/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_SUBSONIC_PLAYLISTS_H
#define MEDIAMON_SUBSONIC_PLAYLISTS_H
/*
 * The Subsonic API's playlists: the M3U8 files of /playlists
 * (playlists.h) as the user this thread holds reads them: recent.m3u8,
 * duplicates.m3u8 and those of similar/, mix/, genre/ and decade/.
 *
 * A playlist's id is "pl" and the hex of its path below /playlists
 * ("genre/Rock.m3u8"), its name that path without ".m3u8"; its entries
 * are the songs of its tracks the user may see in the artists view
 * (subsonic_music_albums()), in its order, and its duration the sum of
 * their #EXTINF seconds. A playlist with no such song is not there for
 * the user. The accounts' own playlists ("up" ids) are
 * subsonic_edits.h's: getPlaylists lists them after these.
 *
 * Each function adds its member to body and returns 0, a negative errno
 * value, or SUBSONIC_NOT_FOUND when id names no playlist the user may
 * see.
 */
#include <jansson.h>

/* getPlaylists: every playlist, without its entries. */
int subsonic_playlists_all(json_t *body);
/* getPlaylist: the playlist id with its entries ("entry"). */
int subsonic_playlists_one(json_t *body, const char *id);
#endif
