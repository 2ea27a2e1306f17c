/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_SUBSONIC_LYRICS_H
#define MEDIAMON_SUBSONIC_LYRICS_H
/*
 * A song's lyrics for the Subsonic API, read on request from the one
 * song's files with the rights of the user this thread holds (nothing
 * is kept in the store): first its sidecar, the file beside it of the
 * same name with the extension .lrc (or .LRC), when the user may read
 * it (one it may not is passed over as if it were not there); then the
 * lyrics of its tags (tags.h's want_lyrics): an ID3v2 SYLT frame timed
 * in milliseconds, then USLT (or TXXX), LYRICS, UNSYNCEDLYRICS, \251lyr
 * or Lyrics. Each is split into lines by
 * subsonic_lrc.h, so LRC time tags in either give synced lines. At most
 * SUBSONIC_LYRICS_LRC_MAX bytes of a sidecar are read; of a tag, the
 * tag readers' TAGS_LYRICS_MAX.
 *
 * getLyricsBySongId (the OpenSubsonic songLyrics extension): the song
 * id's lyricsList, a structuredLyrics entry for each source that has
 * lines, in that order (lang from [la:] or the USLT frame, else "und";
 * displayArtist
 * and displayTitle from [ar:] and [ti:], else the song's artist and
 * title; offset from [offset:]; synced; line, with start in
 * milliseconds when synced); none when the song has no lyrics. An id of
 * no song the user may see is SUBSONIC_NOT_FOUND; a missing one
 * SUBSONIC_MISSING.
 *
 * getLyrics: the lyrics of the first song, in the view's order, whose
 * title and artist (the song's, or its album's artist folder) are
 * artist and title, case and marks aside (either may be left out), as
 * the lines of its first source without their time tags, with the
 * song's artist and title; an empty lyrics when no song the user may
 * see has any.
 */
#include <jansson.h>

#include "fs/subsonic/subsonic_lists.h"

#define SUBSONIC_LYRICS_LRC_MAX	(1 << 20)

int subsonic_lyrics_by_song(json_t *body, subsonic_param_fn param,
			    void *req);
int subsonic_lyrics_find(json_t *body, subsonic_param_fn param, void *req);

#endif
