/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The Subsonic API's index of artists (subsonic_artists.h): the artist
 * folders of the caller's lists' index (subsonic_index.h), each with the
 * count of its albums the caller may read now and a cover. It answers
 * no request, lists no folder and speaks no SQL.
 */
#include "fs/subsonic/subsonic_artists.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fs/subsonic/subsonic_index.h"
#include "fs/subsonic/subsonic_marks.h"
#include "fs/subsonic/subsonic_music.h"

/* The group of index whose letter is the first character of name (a
 * whole UTF-8 sequence, an ASCII letter in upper case), the last one
 * when it has that letter, else a new one appended: NULL when out of
 * memory. */
static json_t *group_of(json_t *index, const char *name)
{
	json_t *last = json_array_get(index, json_array_size(index) - 1);
	json_t *group;
	char first[8];
	size_t len = 1;

	while (len < 4 && ((unsigned char)name[len] & 0xc0) == 0x80)
		len++;
	memcpy(first, name, len);
	first[len] = '\0';
	if (len == 1 && first[0] >= 'a' && first[0] <= 'z')
		first[0] -= 'a' - 'A';
	if (last && !strcmp(json_string_value(json_object_get(last, "name")),
			    first))
		return last;
	group = json_pack("{s:s,s:[]}", "name", first, "artist");
	if (!group || json_array_append_new(index, group))
		return NULL;
	return group;
}

/* Append to index the ArtistID3 of the artist folder of the albums
 * from..to-1 of ix, with the count of those seen and the cover of the
 * first of them with one, unless it has none seen: 0 or -ENOMEM. */
static int artist_add(json_t *index, const struct subsonic_index *ix,
		      size_t from, size_t to, const unsigned char *seen)
{
	const char *name = ix->albums[from].artist;
	const struct subsonic_index_album *cover = NULL;
	json_int_t count = 0;
	json_t *entry, *group;

	for (size_t a = from; a < to; a++) {
		count += seen[a];
		if (seen[a] && ix->albums[a].cover && !cover)
			cover = &ix->albums[a];
	}
	if (!count)
		return 0;
	group = group_of(index, name);
	entry = group ? json_pack("{s:o,s:s,s:I}", "id",
		subsonic_music_id("ar", name), "name", name, "albumCount",
		count) : NULL;
	if (entry && cover && json_object_set_new(entry, "coverArt",
			subsonic_music_id("al", cover->rel))) {
		json_decref(entry);
		entry = NULL;
	}
	if (!entry)
		return -ENOMEM;
	subsonic_marks_add(entry, json_string_value(json_object_get(entry,
								    "id")));
	return json_array_append_new(json_object_get(group, "artist"),
				     entry) ? -ENOMEM : 0;
}

int subsonic_artists_all(json_t *body)
{
	struct subsonic_index *ix = NULL;
	unsigned char *seen = NULL;
	json_t *index = json_array();
	size_t from = 0;
	int rc = index ? subsonic_index_get(&ix) : -ENOMEM;

	if (!rc && !(seen = malloc(ix->nalbums + 1)))
		rc = -ENOMEM;
	if (!rc)
		rc = subsonic_index_seen(ix, 0, ix->nalbums, seen);
	/* the index holds an artist's albums together, in the view's
	 * order */
	for (size_t a = 1; !rc && a <= ix->nalbums; a++) {
		if (a < ix->nalbums && !strcmp(ix->albums[a].artist,
					       ix->albums[from].artist))
			continue;
		rc = artist_add(index, ix, from, a, seen);
		from = a;
	}
	free(seen);
	subsonic_index_put(ix);
	if (rc) {
		json_decref(index);
		return rc;
	}
	return json_object_set_new(body, "artists", json_pack("{s:s,s:o}",
		"ignoredArticles", "", "index", index)) ? -ENOMEM : 0;
}
