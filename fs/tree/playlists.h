/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_PLAYLISTS_H
#define MEDIAMON_PLAYLISTS_H

/*
 * /playlists: M3U8 playlists of what the analysis knows, as read-only
 * files that MPD (playlist_directory), VLC and mpv load:
 *
 *   recent.m3u8         the PLAYLISTS_RECENT tracks whose files changed
 *                       last, newest first
 *   duplicates.m3u8     the tracks the analysis found to hold one
 *                       recording, a group after another (the audio
 *                       groups of /status/duplicates), at most
 *                       PLAYLISTS_MAX entries
 *   similar/NAME.m3u8   an analysed track, then the SIMILAR_MAX tracks
 *                       that sound most like it, most alike first
 *   mix/NAME.m3u8       the same without the tracks whose loudness is
 *                       more than PLAYLISTS_MIX_LU from the first's: a
 *                       mix of alike tracks that plays without jumps in
 *                       loudness, ReplayGain or not
 *   genre/GENRE.m3u8    the tracks of a genre (and of the genres of the
 *                       same file name), by artist, album, disc and
 *                       number, at most PLAYLISTS_MAX
 *   decade/1990s.m3u8   the tracks of the years 1990 to 1999, so ordered
 *   mpd/                the same playlists flat, as MPD's
 *                       playlist_directory must hold them (it lists no
 *                       folder and no .m3u8): recent.m3u,
 *                       duplicates.m3u, "similar - NAME.m3u",
 *                       "mix - NAME.m3u",
 *                       "genre - GENRE.m3u", "decade - 1990s.m3u"
 *   library/            recent.m3u8, duplicates.m3u8, similar/, mix/,
 *                       genre/ and decade/ again, each path relative
 *                       to the playlist and leading to the track's name
 *                       in its album's folder of /library/music/albums
 *                       (playlists_rel.h), for a player that sees the
 *                       mount alone; a track the caller finds in no
 *                       album folder is left out
 *
 * NAME is "ARTIST - TITLE" (GENRE the genre) with '/' and control
 * characters as '_', a leading '.' as '_', cut to PLAYLISTS_NAME_MAX
 * bytes on a character's start (playlists_names.h); tracks of one name
 * after the first (by track id) are "NAME (2)", "NAME (3)", ...; genres
 * whose names meet are one playlist. genre/ and decade/ list every genre
 * and decade, one the caller may read no track of too (its playlist is
 * empty then). similar/ and mix/ hold the playlists of the
 * [playlists] similar_tracks tracks analysed last (by track id).
 *
 * Each file starts "#EXTM3U", then each track as "#EXTINF:SECONDS,ARTIST
 * - TITLE" (newlines as spaces) and the absolute path of its file. A
 * caller other than the daemon's user (fs/tree/caller.h) is shown only the
 * tracks it may read: in every list and in the names of similar/, mix/
 * and mpd/, and the tracks most like one are ranked among those alone
 * (a mix takes its tracks of the PLAYLISTS_SIMILAR_POOL most alike). A
 * file whose path holds a newline is in no playlist.
 *
 * The render functions append a whole playlist to out and return 0 or
 * a negative errno value (node.h).
 */

#include <stdint.h>
#include <time.h>

struct node;
struct strbuf;

#define PLAYLISTS_RECENT 100
#define PLAYLISTS_MAX 1000
#define PLAYLISTS_SIMILAR_POOL 100
#define PLAYLISTS_MIX_LU 3.0

int playlists_render_recent(struct strbuf *out);
int playlists_render_duplicates(struct strbuf *out);
int playlists_render_similar(struct strbuf *out, int64_t track);
/* The similar list of track without the tracks whose loudness is more
 * than PLAYLISTS_MIX_LU from its own (or not measured). */
int playlists_render_mix(struct strbuf *out, int64_t track);
/* The genre of track (and of any genre of the same file name). */
int playlists_render_genre(struct strbuf *out, int64_t track);
/* The years decade to decade + 9. */
int playlists_render_decade(struct strbuf *out, int64_t decade);

/* Fill *out for path, FOLDER/NAME below /playlists: 0 or -ENOENT (or
 * another negative errno value when the store cannot be read). */
int playlists_resolve(const char *path, struct node *out);

/* List the folder dir of /playlists (similar, genre, decade, mpd or own);
 * stops when fn returns nonzero. -ENOENT for another name. */
int playlists_list(const char *dir,
		   int (*fn)(const char *name, const struct node *child,
			     void *arg),
		   void *arg);

/* A name for the playlist of node n that the same playlist keeps from
 * one start of the daemon to the next, whatever folder shows it (mpd/
 * and its twin share it), for its time (fs/tree/stamps.h), into buf (size
 * bytes): 0, or -ENOENT for a node that is no playlist. */
struct node;
int playlists_stamp_name(const struct node *n, char *buf, size_t size);

/* The mtime of the folder dir of /playlists whose names follow the
 * store (similar, mix, genre, decade, mpd and those of library/): when
 * the names it lists for this thread's caller were first seen as they
 * are (playlists_names.h). 0, -ENOENT for another folder (its names are
 * fixed), or another negative errno value. */
int playlists_dir_time(const char *dir, struct timespec *at);

#endif
