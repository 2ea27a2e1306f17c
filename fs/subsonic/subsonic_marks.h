/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_SUBSONIC_MARKS_H
#define MEDIAMON_SUBSONIC_MARKS_H
/*
 * The marks of the account a Subsonic answer is for (fs/subsonic/subsonic.h):
 * its stars and plays (indexer/library/starred.h) and ratings
 * (indexer/library/account_rows.h). A thread loads them with
 * subsonic_marks_begin() before its method runs, and every song, album
 * and artist made meanwhile (fs/subsonic/subsonic_music.h) gets its
 * "starred" time (RFC 3339, UTC) and "userRating" (1 to 5), and a song
 * its "playCount" and "played" (subsonic_marks_add()), until
 * subsonic_marks_end().
 *
 * Also the form of a song's id: "so" and its file's files.id.
 */
#include <stdint.h>

#include <jansson.h>

#define SUBSONIC_MARKS_ID_LEN 32
/* What a song's id begins with. */
#define SUBSONIC_MARKS_SONG "so"

/* The id of the song of file (a files.id) into id. */
void subsonic_marks_song_id(int64_t file, char id[SUBSONIC_MARKS_ID_LEN]);

/* Load account's marks for this thread's answer: 0 or a negative errno
 * value. The name is kept, not copied, until subsonic_marks_end(). */
int subsonic_marks_begin(const char *account);
/* Forget them. */
void subsonic_marks_end(void);
/* The account of this thread's answer (NULL outside one). */
const char *subsonic_marks_account(void);
/* Add the marks of the thing whose API id is id to o, its object. */
void subsonic_marks_add(json_t *o, const char *id);
/* The marks of the thing whose API id is id ({"starred", "playCount",
 * "played"}, each when it has one; the times in RFC 3339, UTC, so the
 * later is the greater text), borrowed until subsonic_marks_end(), or
 * NULL when it has none. */
json_t *subsonic_marks_of(const char *id);
/* Add to album, an AlbumID3, the plays of songs (its Child objects, the
 * marks added), if any: "playCount" their sum, "played" the last. */
void subsonic_marks_album(json_t *album, json_t *songs);
#endif
