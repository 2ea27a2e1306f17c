/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * getAlbumList and search2 (subsonic_old.h): the ID3 lists of
 * subsonic_lists.c reshaped by subsonic_stars_old_shapes(). It gathers
 * and filters nothing itself.
 */
#include "fs/subsonic_old.h"

#include <errno.h>

#include "fs/subsonic_stars.h"

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

int subsonic_old_albums(json_t *body, subsonic_param_fn param, void *req)
{
	json_t *made = json_object();
	int rc = made ? subsonic_lists_albums(made, param, req) : -ENOMEM;

	if (!rc)
		rc = reshaped(body, made, "albumList2", "albumList");
	json_decref(made);
	return rc;
}

int subsonic_old_search(json_t *body, subsonic_param_fn param, void *req)
{
	json_t *made = json_object();
	int rc = made ? subsonic_lists_search(made, param, req) : -ENOMEM;

	if (!rc)
		rc = reshaped(body, made, "searchResult3", "searchResult2");
	json_decref(made);
	return rc;
}
