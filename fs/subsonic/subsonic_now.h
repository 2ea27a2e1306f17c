/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_SUBSONIC_NOW_H
#define MEDIAMON_SUBSONIC_NOW_H
/*
 * getNowPlaying: what each account's players said they play (scrobble
 * with submission=false) in the last SUBSONIC_NOW_MINUTES minutes, kept
 * in memory only (a restart forgets it), one song per account and
 * player, answered to an account only where it may read the song.
 */
#include <jansson.h>

#define SUBSONIC_NOW_MINUTES 10

/* The account plays the last song of ids (strings) on the player
 * client (the "c" parameter; NULL for none). */
void subsonic_now_playing(const char *account, json_t *ids,
			  const char *client);
/* getNowPlaying into body, as the caller: 0 or a negative errno value. */
int subsonic_now_list(json_t *body);
#endif
