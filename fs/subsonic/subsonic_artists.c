/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The Subsonic API's index of artists (subsonic_artists.h): the folders
 * of /library/music/artists as the caller lists them, each with the
 * count of its albums and a cover. It answers no request and speaks no
 * SQL.
 */
#include "fs/subsonic/subsonic_artists.h"

#include <errno.h>
#include <string.h>

#include "common/strbuf.h"
#include "fs/subsonic/subsonic_marks.h"
#include "fs/subsonic/subsonic_music.h"

#define TOP SUBSONIC_MUSIC_TOP

/* Add to entry, an ArtistID3, the count of the albums of the artist
 * folder artist holding a track the user may see, and the id of the
 * first with a cover as its coverArt: 0 or a negative errno value. */
static int artist_summary(const char *artist, json_t *entry)
{
	struct strbuf rel = STRBUF_INIT;
	json_int_t count = 0;
	json_t *items = NULL, *item, *cover = NULL;
	int track, pic, rc;
	size_t i;

	strbuf_addf(&rel, TOP "/%s", artist);
	rc = subsonic_music_children(rel.buf, 1, &items);
	json_array_foreach(rc ? NULL : items, i, item) {
		strbuf_reset(&rel);
		strbuf_addf(&rel, "%s/%s", artist, json_string_value(
			json_object_get(item, "name")));
		rc = subsonic_music_album_holds(rel.buf, &track, &pic);
		if (rc && rc != SUBSONIC_NOT_FOUND)
			break;
		rc = 0;
		count += track;
		if (track && pic && !cover)
			cover = subsonic_music_id("al", rel.buf);
	}
	if (rc == SUBSONIC_NOT_FOUND)
		rc = 0;
	if (!rc && json_object_set_new(entry, "albumCount",
				       json_integer(count)))
		rc = -ENOMEM;
	if (!rc && cover)
		rc = json_object_set(entry, "coverArt", cover) ? -ENOMEM : 0;
	json_decref(cover);
	json_decref(items);
	strbuf_release(&rel);
	return rc;
}

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

int subsonic_artists_all(json_t *body)
{
	json_t *index = json_array(), *items = NULL, *item, *entry, *group;
	size_t i;
	int rc = index ? subsonic_music_children(TOP, 1, &items) : -ENOMEM;

	json_array_foreach(rc ? NULL : items, i, item) {
		const char *name = json_string_value(json_object_get(item,
								   "name"));

		group = group_of(index, name);
		entry = group ? json_pack("{s:o,s:s}", "id",
			subsonic_music_id("ar", name), "name", name) : NULL;
		rc = entry ? artist_summary(name, entry) : -ENOMEM;
		subsonic_marks_add(entry, json_string_value(json_object_get(
			entry, "id")));
		if (!rc && json_array_append_new(json_object_get(group,
							"artist"), entry))
			rc = -ENOMEM;
		else if (rc)
			json_decref(entry);
		if (rc)
			break;
	}
	json_decref(items);
	if (rc) {
		json_decref(index);
		return rc;
	}
	return json_object_set_new(body, "artists", json_pack("{s:s,s:o}",
		"ignoredArticles", "", "index", index)) ? -ENOMEM : 0;
}
