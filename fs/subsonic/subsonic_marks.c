/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * An account's marks for one answer of the Subsonic API
 * (subsonic_marks.h): its stars, plays and ratings read from the store
 * once per request into this thread's table and added to the objects
 * made meanwhile, and the form of a song's id. It judges no right and
 * writes nothing.
 */
#include "fs/subsonic/subsonic_marks.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "common/clock.h"
#include "common/strbuf.h"
#include "fs/subsonic/subsonic_albumid.h"
#include "indexer/reads.h"

/* This thread's account and its marks by API id: {"starred": time,
 * "playCount": n, "played": time}. */
static __thread const char *account;
static __thread json_t *marks;

void subsonic_marks_song_id(int64_t file, char id[SUBSONIC_MARKS_ID_LEN])
{
	snprintf(id, SUBSONIC_MARKS_ID_LEN, SUBSONIC_MARKS_SONG "%lld",
		 (long long)file);
}

const char *subsonic_marks_account(void)
{
	return account;
}

/* The marks of id, made empty when there are none: NULL when out of
 * memory. */
static json_t *marks_of(const char *id)
{
	json_t *m = json_object_get(marks, id);

	if (!m && !json_object_set_new(marks, id, json_object()))
		m = json_object_get(marks, id);
	return m;
}

/* Set the member name of the marks of id to the time at. */
static int mark_time(const char *id, const char *name, double at)
{
	char when[CLOCK_RFC3339_LEN];
	json_t *m = marks_of(id);

	clock_rfc3339((time_t)at, when);
	return m && !json_object_set_new(m, name, json_string(when)) ? 0 :
	       -ENOMEM;
}

/* A star, by the id of today of what it is of: an album starred by
 * its id of before (with its folder's year) is the same album. */
static int load_star(void *arg, enum starred_kind kind, int64_t file,
		     const char *item, double at)
{
	char id[SUBSONIC_MARKS_ID_LEN];
	struct strbuf today = STRBUF_INIT;
	int rc;

	(void)arg;
	if (kind == STARRED_SONG)
		subsonic_marks_song_id(file, id);
	if (kind == STARRED_ALBUM)
		subsonic_albumid_today(item, &today);
	rc = mark_time(kind == STARRED_SONG ? id : kind == STARRED_ALBUM ?
		       today.buf : item, "starred", at);
	strbuf_release(&today);
	return rc;
}

static int load_play(void *arg, int64_t file, int64_t count, double played)
{
	char id[SUBSONIC_MARKS_ID_LEN];
	int rc;

	(void)arg;
	subsonic_marks_song_id(file, id);
	rc = mark_time(id, "played", played);
	if (!rc && json_object_set_new(json_object_get(marks, id),
				       "playCount", json_integer(count)))
		rc = -ENOMEM;
	return rc;
}

static int load_rating(void *arg, const struct account_rating *r)
{
	char id[SUBSONIC_MARKS_ID_LEN];
	json_t *m;

	(void)arg;
	if (r->kind == STARRED_SONG)
		subsonic_marks_song_id(r->file, id);
	m = marks_of(r->kind == STARRED_SONG ? id : r->item);
	return m && !json_object_set_new(m, "userRating",
					 json_integer(r->rating)) ? 0 :
	       -ENOMEM;
}

int subsonic_marks_begin(const char *name)
{
	int rc;

	account = name;
	json_decref(marks);
	marks = json_object();
	rc = marks ? starred_each(name, load_star, NULL) : -ENOMEM;
	if (!rc)
		rc = starred_plays_each(name, load_play, NULL);
	if (!rc)
		rc = account_rows_ratings_each(name, load_rating, NULL);
	return rc;
}

void subsonic_marks_end(void)
{
	json_decref(marks);
	marks = NULL;
	account = NULL;
}

void subsonic_marks_add(json_t *o, const char *id)
{
	json_t *m = id ? json_object_get(marks, id) : NULL;

	if (o && m)
		json_object_update(o, m);
}

json_t *subsonic_marks_of(const char *id)
{
	return id ? json_object_get(marks, id) : NULL;
}

void subsonic_marks_album(json_t *album, json_t *songs)
{
	const char *last = NULL, *at;
	json_int_t plays = 0;
	json_t *song;
	size_t i;

	json_array_foreach(songs, i, song) {
		plays += json_integer_value(json_object_get(song,
							    "playCount"));
		at = json_string_value(json_object_get(song, "played"));
		if (at && (!last || strcmp(at, last) > 0))
			last = at;
	}
	if (plays)
		json_object_set_new(album, "playCount", json_integer(plays));
	if (last)
		json_object_set_new(album, "played", json_string(last));
}
