/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * getAlbumList, search2 and getMusicDirectory (subsonic_old.h): the ID3
 * answers of subsonic_lists.c and subsonic_music.c reshaped by
 * subsonic_stars_old_shapes(). It gathers and filters nothing itself.
 */
#include "fs/subsonic/subsonic_old.h"

#include <errno.h>
#include <strings.h>

#include "fs/subsonic/subsonic_music.h"
#include "fs/subsonic/subsonic_stars.h"

/* Move the member from of made (by a list of subsonic_lists.c) to
 * body as to, its arrays artist and album in the old shapes. */
static int reshaped(json_t *body, json_t *made, const char *from,
		    const char *to)
{
	json_t *list = json_object_get(made, from);
	json_t *artists = json_object_get(list, "artist");
	json_t *albums = json_object_get(list, "album");
	int rc = list ? 0 : -ENOMEM;

	if (!rc && artists)
		rc = subsonic_stars_old_shapes(artists, 0);
	if (!rc && albums)
		rc = subsonic_stars_old_shapes(albums, 1);
	if (!rc && json_object_set(body, to, list))
		rc = -ENOMEM;
	return rc;
}

/* The answer make gives under from, reshaped into body under to. */
static int made_old(json_t *body, int (*make)(json_t *, subsonic_param_fn,
					      void *),
		    subsonic_param_fn param, void *req, const char *from,
		    const char *to)
{
	json_t *made = json_object();
	int rc = made ? make(made, param, req) : -ENOMEM;

	if (!rc)
		rc = reshaped(body, made, from, to);
	json_decref(made);
	return rc;
}

int subsonic_old_albums(json_t *body, subsonic_param_fn param, void *req)
{
	return made_old(body, subsonic_lists_albums, param, req,
			"albumList2", "albumList");
}

int subsonic_old_search(json_t *body, subsonic_param_fn param, void *req)
{
	return made_old(body, subsonic_lists_search, param, req,
			"searchResult3", "searchResult2");
}

/* The Directory of the ID3 artist or album o with its children: its
 * id, name, parent (an album's artist) and marks. */
static json_t *directory(json_t *o, json_t *children)
{
	static const char *const kept[] = {
		"id", "name", "starred", "playCount", "played",
	};
	json_t *dir = json_pack("{s:O}", "child", children), *v;

	for (size_t i = 0; dir && i < sizeof(kept) / sizeof(*kept); i++) {
		v = json_object_get(o, kept[i]);
		if (v && json_object_set(dir, kept[i], v)) {
			json_decref(dir);
			return NULL;
		}
	}
	v = json_object_get(o, "artistId");
	if (dir && v && json_object_set(dir, "parent", v)) {
		json_decref(dir);
		return NULL;
	}
	return dir;
}

int subsonic_old_directory(json_t *body, const char *id)
{
	int artist = !strncasecmp(id, "ar", 2);
	const char *member = artist ? "artist" : "album";
	json_t *made = json_object(), *o, *children, *dir = NULL;
	int rc = !made ? -ENOMEM : artist ? subsonic_music_artist(made, id) :
		 subsonic_music_album(made, id);

	o = json_object_get(made, member);
	children = json_object_get(o, artist ? "album" : "song");
	if (!rc && !children)
		rc = -ENOMEM;
	if (!rc && artist)
		rc = subsonic_stars_old_shapes(children, 1);
	if (!rc) {
		dir = directory(o, children);
		if (!dir || json_object_set_new(body, "directory", dir))
			rc = -ENOMEM;
	}
	json_decref(made);
	return rc;
}
