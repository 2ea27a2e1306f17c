/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The Subsonic API's genres (subsonic_genres.h): the folders of
 * /library/music/genres and the tracks below them, listed through
 * subsonic_music.h as the caller. It answers no request and speaks no
 * SQL.
 */
#include "fs/subsonic/subsonic_genres.h"

#include <errno.h>
#include <string.h>

#include "common/strbuf.h"
#include "fs/subsonic/subsonic_music.h"

#define GENRES "/library/music/genres"

/* Append to files the files.id of the tracks under the mount's folder
 * path, count into *albums the folders holding some, down to depth
 * folders. */
static int collect_tracks(const char *path, int depth, json_t *files,
			  json_int_t *albums)
{
	json_t *tracks = NULL, *dirs = NULL;
	struct strbuf sub = STRBUF_INIT;
	json_int_t here = 0;
	json_t *item;
	size_t i;
	int rc = subsonic_music_children(path, 0, &tracks);

	json_array_foreach(tracks, i, item) {
		json_t *file = json_object_get(item, "file");

		if (!subsonic_music_is_track(json_integer_value(file)))
			continue;
		here++;
		if (json_array_append(files, file))
			rc = -ENOMEM;
	}
	json_decref(tracks);
	*albums += here > 0;
	if (!rc && depth > 0)
		rc = subsonic_music_children(path, 1, &dirs);
	json_array_foreach(rc ? NULL : dirs, i, item) {
		strbuf_reset(&sub);
		strbuf_addf(&sub, "%s/%s", path, json_string_value(
			json_object_get(item, "name")));
		rc = collect_tracks(sub.buf, depth - 1, files, albums);
		if (rc == SUBSONIC_NOT_FOUND)
			rc = 0;
		if (rc)
			break;
	}
	json_decref(dirs);
	strbuf_release(&sub);
	return rc;
}

int subsonic_genres_all(json_t *body)
{
	struct strbuf path = STRBUF_INIT;
	json_t *genres = json_array(), *folders = NULL, *item;
	size_t i;
	int rc = genres ? subsonic_music_children(GENRES, 1, &folders) :
		-ENOMEM;

	json_array_foreach(folders, i, item) {
		const char *name = json_string_value(json_object_get(item,
								   "name"));
		json_int_t albums = 0;
		json_t *files = json_array();

		strbuf_reset(&path);
		strbuf_addf(&path, GENRES "/%s", name);
		rc = files ? collect_tracks(path.buf, 3, files, &albums) :
			-ENOMEM;
		if (rc == SUBSONIC_NOT_FOUND || (!rc && !albums)) {
			json_decref(files);
			rc = 0;
			continue;
		}
		if (!rc && json_array_append_new(genres, json_pack(
				"{s:s,s:I,s:I}", "value", name, "songCount",
				(json_int_t)json_array_size(files),
				"albumCount", albums)))
			rc = -ENOMEM;
		json_decref(files);
		if (rc) {
			rc = rc ? rc : -ENOMEM;
			break;
		}
	}
	json_decref(folders);
	strbuf_release(&path);
	if (!rc && json_object_set_new(body, "genres", json_pack("{s:O}",
						"genre", genres)))
		rc = -ENOMEM;
	json_decref(genres);
	return rc;
}

int subsonic_genres_files(const char *genre, json_t **files)
{
	struct strbuf path = STRBUF_INIT;
	json_int_t albums = 0;
	int rc = SUBSONIC_NOT_FOUND;

	*files = json_array();
	if (!*files)
		return -ENOMEM;
	if (*genre && !strchr(genre, '/') && strcmp(genre, ".") &&
	    strcmp(genre, "..")) {
		strbuf_addf(&path, GENRES "/%s", genre);
		rc = collect_tracks(path.buf, 3, *files, &albums);
	}
	if (rc == SUBSONIC_NOT_FOUND)
		rc = 0;
	if (rc) {
		json_decref(*files);
		*files = NULL;
	}
	strbuf_release(&path);
	return rc;
}
