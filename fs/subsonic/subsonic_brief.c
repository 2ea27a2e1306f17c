/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * A list page's albums (subsonic_brief.h): an album's songs of the
 * index that the caller may read now, summed with the account's marks.
 * It reads no song's record, lists no folder and makes no Child; it
 * judges no right itself (subsonic_index_may() does).
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

/* Sum the songs of the album a of ix that may holds to (one a song)
 * into m. */
static void sums_of_album(const struct subsonic_index *ix,
			  const struct subsonic_index_album *a,
			  const unsigned char *may, struct sums *m)
{
	for (size_t i = 0; i < a->nsongs; i++)
		if (may[i])
			sums_add(m, &ix->songs[a->song + i]);
	m->cover = a->cover;
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

/* The songs of the n albums of ix at albums, in order, into *out (a new
 * array), and their count into *count: 0 or -ENOMEM. */
static int page_songs(const struct subsonic_index *ix, const size_t *albums,
		    size_t n, size_t **out, size_t *count)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++)
		k += ix->albums[albums[i]].nsongs;
	*out = calloc(k + 1, sizeof(**out));
	if (!*out)
		return -ENOMEM;
	*count = k;
	k = 0;
	for (size_t i = 0; i < n; i++) {
		const struct subsonic_index_album *a = &ix->albums[albums[i]];

		for (size_t j = 0; j < a->nsongs; j++)
			(*out)[k++] = a->song + j;
	}
	return 0;
}

int subsonic_brief_albums(const struct subsonic_index *ix,
			  const size_t *albums, size_t n, json_t *into)
{
	unsigned char *may = NULL;
	size_t *songs = NULL, k = 0;
	int rc = page_songs(ix, albums, n, &songs, &k);

	if (!rc && !(may = malloc(k + 1)))
		rc = -ENOMEM;
	/* the page's songs judged at once, as the caller now */
	if (!rc)
		rc = subsonic_index_may(ix, songs, k, may);
	k = 0;
	for (size_t i = 0; !rc && i < n; i++) {
		const struct subsonic_index_album *a = &ix->albums[albums[i]];
		struct sums m = { 0 };
		json_t *o;

		sums_of_album(ix, a, may + k, &m);
		k += a->nsongs;
		if (!m.songs)
			continue;
		o = brief_of(a, &m);
		if (!o || json_array_append_new(into, o))
			rc = -ENOMEM;
	}
	free(songs);
	free(may);
	return rc;
}
