/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * A list page's albums (subsonic_brief.h): an album folder's listing
 * summed from the index's songs and the account's marks. It reads no
 * song's record and makes no Child; it judges no right itself (the
 * listing, made as the caller, does).
 */
#include "fs/subsonic/subsonic_brief.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/clock.h"
#include "fs/subsonic/subsonic_marks.h"
#include "fs/subsonic/subsonic_music.h"

/* What an album's songs add up to. */
struct sums {
	json_int_t songs, duration, year, plays;
	int64_t first_seen;	/* the earliest, or 0 */
	const char *genre;	/* the first song's that has one */
	const char *played;	/* the last, RFC 3339 */
	int cover;
};

/* Add the song s, its marks included, to m. */
static void sums_add(struct sums *m, const struct subsonic_index_song *s)
{
	char id[SUBSONIC_MARKS_ID_LEN];
	json_t *marks;
	const char *at;

	m->songs++;
	m->duration += s->duration;
	if (s->year > m->year)
		m->year = s->year;
	if (s->first_seen > 0 &&
	    (!m->first_seen || s->first_seen < m->first_seen))
		m->first_seen = s->first_seen;
	if (!m->genre)
		m->genre = s->genre;
	subsonic_marks_song_id(s->file, id);
	marks = subsonic_marks_of(id);
	m->plays += json_integer_value(json_object_get(marks, "playCount"));
	at = json_string_value(json_object_get(marks, "played"));
	if (at && (!m->played || strcmp(at, m->played) > 0))
		m->played = at;
}

/* Sum the songs of ix that the listing items names into m. A file the
 * index does not know is no track of this names generation (a cover,
 * an image), or one that came since: left out. */
static void sums_of_listing(const struct subsonic_index *ix, json_t *items,
		struct sums *m)
{
	const struct subsonic_index_song *s;
	json_t *item;
	size_t i;

	json_array_foreach(items, i, item) {
		const char *name = json_string_value(json_object_get(item,
								   "name"));

		s = subsonic_index_find(ix, json_integer_value(
			json_object_get(item, "file")));
		if (s)
			sums_add(m, s);
		else if (name && !strncmp(name, "cover.", 6))
			m->cover = 1;
	}
}

/* The AlbumID3 of a from m, as subsonic_music.c's album_of() makes it. */
static json_t *brief_of(const struct subsonic_index_album *a,
		     const struct sums *m)
{
	const char *slash = strchr(a->rel, '/');
	char when[CLOCK_RFC3339_LEN];
	json_t *o = json_pack("{s:o,s:s,s:s%,s:o,s:I,s:I}", "id",
			      subsonic_music_id("al", a->rel), "name", a->name,
			      "artist", a->rel, (size_t)(slash - a->rel),
			      "artistId", subsonic_music_artist_id(a->rel),
			      "songCount", m->songs, "duration", m->duration);

	if (!o)
		return NULL;
	if (m->first_seen) {
		clock_rfc3339((time_t)m->first_seen, when);
		json_object_set_new(o, "created", json_string(when));
	}
	if (m->year)
		json_object_set_new(o, "year", json_integer(m->year));
	if (m->cover)
		json_object_set_new(o, "coverArt",
				    subsonic_music_id("al", a->rel));
	if (m->genre)
		json_object_set_new(o, "genre", json_string(m->genre));
	if (m->plays)
		json_object_set_new(o, "playCount", json_integer(m->plays));
	if (m->played)
		json_object_set_new(o, "played", json_string(m->played));
	subsonic_marks_add(o, json_string_value(json_object_get(o, "id")));
	return o;
}

int subsonic_brief_album(const struct subsonic_index *ix,
			 const struct subsonic_index_album *a, json_t **out)
{
	struct sums m = { 0 };
	json_t *items = NULL;
	char *path;
	int rc;

	*out = NULL;
	if (asprintf(&path, "%s/%s", SUBSONIC_MUSIC_TOP, a->rel) < 0)
		return -ENOMEM;
	rc = subsonic_music_children(path, 0, &items);
	free(path);
	if (rc)
		return rc;
	sums_of_listing(ix, items, &m);
	if (m.songs)
		*out = brief_of(a, &m);
	json_decref(items);
	if (!m.songs)
		return SUBSONIC_NOT_FOUND;
	return *out ? 0 : -ENOMEM;
}
