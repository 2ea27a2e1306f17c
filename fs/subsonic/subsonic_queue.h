/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_SUBSONIC_QUEUE_H
#define MEDIAMON_SUBSONIC_QUEUE_H
/*
 * What a Subsonic account keeps of its listening besides its stars
 * (subsonic_stars.h), in the store per account
 * (indexer/library/account_rows.h): its bookmarks (getBookmarks,
 * createBookmark, deleteBookmark: a position in milliseconds in a song,
 * and a comment), its play queue (getPlayQueue, savePlayQueue: the
 * songs, the current one and the position in it, and the player that
 * saved it; getPlayQueueByIndex and savePlayQueueByIndex, of the
 * OpenSubsonic indexBasedQueue extension, the same queue with the
 * current entry's index among the entries answered in place of its id:
 * the store keeps the current song, not its index, so a song queued
 * twice is current at its first entry), and its ratings (setRating: 1
 * to 5 of a song, an album or an artist, 0 takes it back;
 * subsonic_marks.h shows it as userRating).
 *
 * The songs, albums and artists are subsonic_music.h's, seen as the
 * caller: naming one the account may not read is SUBSONIC_NOT_FOUND and
 * changes nothing, and what it can no longer read is not answered (a
 * bookmark, a queue's song). A missing parameter is SUBSONIC_MISSING; a
 * position, an index or a rating that is no number of its range (an
 * index past the ids saved) -EINVAL (the
 * generic error, saying so).
 */
#include <jansson.h>

#include "fs/subsonic/subsonic_edits.h"

int subsonic_queue_bookmarks(json_t *body, const struct subsonic_query *q);
int subsonic_queue_bookmark(json_t *body, const struct subsonic_query *q);
int subsonic_queue_unbookmark(json_t *body, const struct subsonic_query *q);
int subsonic_queue_get(json_t *body, const struct subsonic_query *q);
int subsonic_queue_save(json_t *body, const struct subsonic_query *q);
int subsonic_queue_get_by_index(json_t *body,
				const struct subsonic_query *q);
int subsonic_queue_save_by_index(json_t *body,
				 const struct subsonic_query *q);
int subsonic_queue_rate(json_t *body, const struct subsonic_query *q);

#endif
