/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_SUBSONIC_EDITS_H
#define MEDIAMON_SUBSONIC_EDITS_H
/*
 * The Subsonic API's playlists that each account makes for itself
 * (createPlaylist, updatePlaylist, deletePlaylist), kept in the store
 * (indexer/library/account_rows.h), and read by getPlaylists and
 * getPlaylist beside the generated ones (subsonic_playlists.h).
 *
 * Such a playlist's id is "up" and its number. Its owner reads and edits
 * it; another account sees it only when it is public (updatePlaylist's
 * public: "visible to all users"), then without editing it, and every
 * account reads in it only the songs its user may read
 * (subsonic_music_get()): a song it may not read is neither listed nor
 * counted, and cannot be added. songIndexToRemove counts the songs as
 * the owner's getPlaylist lists them.
 *
 * Each function adds its member to body (if any) and returns 0, a
 * negative errno value, or a Subsonic error code: SUBSONIC_MISSING,
 * SUBSONIC_NOT_FOUND (an id of no playlist the account sees, a song it
 * may not read, an index out of the playlist), or SUBSONIC_EDITS_DENIED
 * (a playlist the account sees but does not own).
 */
#include <jansson.h>

#define SUBSONIC_EDITS_DENIED 50
/* The songs a playlist holds at most: more is SUBSONIC_EDITS_TOO_MANY (no
 * code of the API: answered as the generic error, 0, with the text
 * SUBSONIC_EDITS_TOO_MANY_TEXT) and changes nothing. */
#define SUBSONIC_EDITS_MAX_SONGS 10000
#define SUBSONIC_EDITS_TOO_MANY 1000
#define SUBSONIC_EDITS_TOO_MANY_TEXT "A playlist holds at most 10000" \
	" songs: nothing was changed."
#define SUBSONIC_EDITS_PREFIX "up"

/* A request's parameters: the value of one, every value of one (a new
 * array in *out: 0 or -ENOMEM). */
struct subsonic_query {
	const char *(*value)(void *req, const char *name);
	int (*values)(void *req, const char *name, json_t **out);
	void *req;
};

int subsonic_edits_create(json_t *body, const struct subsonic_query *q);
int subsonic_edits_update(json_t *body, const struct subsonic_query *q);
int subsonic_edits_delete(json_t *body, const struct subsonic_query *q);

/* getPlaylists: append the account's playlists and the others' public
 * ones, without their entries, to the array list. */
int subsonic_edits_all(json_t *list);

/* getPlaylist of an "up" id: 0, or SUBSONIC_NOT_FOUND. */
int subsonic_edits_one(json_t *body, const char *id);

#endif
