/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The Subsonic API's playlists (subsonic_playlists.h): the files of
 * /playlists rendered through the mount's nodes as the caller, their
 * tracks matched to the songs of subsonic_music.h by their files' paths.
 * It chooses no track itself and speaks no SQL.
 */
#include "fs/subsonic/subsonic_playlists.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/clock.h"
#include "common/strbuf.h"
#include "fs/tree/caller.h"
#include "fs/tree/node.h"
#include "fs/tree/nodes.h"
#include "fs/tree/rendering.h"
#include "fs/tree/stamps.h"
#include "fs/subsonic/subsonic_auth.h"
#include "fs/subsonic/subsonic_edits.h"
#include "fs/subsonic/subsonic_music.h"
#include "indexer/indexer.h"
#include "indexer/reads.h"

#define TOP "/playlists"
#define SUFFIX ".m3u8"

static const char *const files[] = { "recent" SUFFIX, "duplicates" SUFFIX };
static const char *const folders[] = { "similar", "mix", "genre", "decade" };
/* getPlaylists lists the folders from here on: similar/ and mix/ hold two
 * per track, too many to render for one answer; getPlaylist takes them. */
#define LISTED 2

/* The songs the user may see by the absolute paths of their files into
 * *out (a new object): 0 or a negative errno value. */
static int songs_by_path(json_t **out)
{
	struct strbuf path = STRBUF_INIT;
	json_t *all, *album, *file;
	size_t i, k;
	int rc = subsonic_music_albums(&all);

	*out = rc ? NULL : json_object();
	if (!rc && !*out)
		rc = -ENOMEM;
	json_array_foreach(rc ? NULL : all, i, album) {
		json_t *songs = json_object_get(json_object_get(album,
							"album"), "song");

		json_array_foreach(json_object_get(album, "files"), k, file) {
			strbuf_reset(&path);
			rc = query_file_path(json_integer_value(file), &path);
			if (rc == -ENOENT) {
				rc = 0;
				continue;
			}
			if (rc || json_object_set(*out, path.buf,
					json_array_get(songs, k))) {
				rc = rc ? rc : -ENOMEM;
				break;
			}
		}
		if (rc)
			break;
	}
	json_decref(all);
	strbuf_release(&path);
	if (rc) {
		json_decref(*out);
		*out = NULL;
	}
	return rc;
}

/* Whether rel is the path of a playlist this API offers. */
static int offered(const char *rel)
{
	const char *slash = strchr(rel, '/');
	size_t len = strlen(rel);

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		if (!strcmp(rel, files[i]))
			return 1;
	if (!slash || strchr(slash + 1, '/') || len <= strlen(SUFFIX) ||
	    strcmp(rel + len - strlen(SUFFIX), SUFFIX) ||
	    slash + 1 == rel + len - strlen(SUFFIX))
		return 0;
	for (size_t i = 0; i < sizeof(folders) / sizeof(folders[0]); i++)
		if (strlen(folders[i]) == (size_t)(slash - rel) &&
		    !strncmp(rel, folders[i], slash - rel))
			return 1;
	return 0;
}

/* The playlist's Playlist of rel with its count and duration, created
 * and changed the time the mount shows for its file (fs/tree/stamps.h: when
 * its bytes were last seen to change, for this caller), into *out. */
static int playlist_of(const char *rel, size_t count, long long duration,
		       const struct timespec *at, json_t **out)
{
	char when[CLOCK_RFC3339_LEN];

	clock_rfc3339(at->tv_sec, when);
	*out = json_pack("{s:o,s:s%,s:I,s:I,s:b,s:s,s:s,s:s,s:b}", "id",
			 subsonic_music_id("pl", rel), "name", rel,
			 strlen(rel) - strlen(SUFFIX), "songCount",
			 (json_int_t)count, "duration", (json_int_t)duration,
			 "public", 0, "owner", "mediamon", "created", when,
			 "changed", when, "readonly", 1);
	return *out ? 0 : -ENOMEM;
}

/* The Playlist of rel (a path below TOP) into *out, its songs (by_path)
 * in "entry" when entries: 0, a negative errno value, or
 * SUBSONIC_NOT_FOUND when the user may see none of its songs. */
static int playlist(const char *rel, json_t *by_path, int entries,
		    json_t **out)
{
	struct strbuf path = STRBUF_INIT, text = STRBUF_INIT;
	json_t *songs = json_array();
	long long seconds = 0, duration = 0;
	uint64_t gen = indexer_generation();
	char stamp[RENDERING_STAMP_NAME];
	struct timespec at;
	struct node n;
	char *line, *next;
	int rc;

	*out = NULL;
	strbuf_addf(&path, TOP "/%s", rel);
	rc = songs ? nodes_resolve(path.buf, &n) : -ENOMEM;
	if (!rc && n.type == NODE_DIR)
		rc = -ENOENT;
	if (!rc)
		rc = nodes_render(&n, &text);
	if (rc == -ENOENT || rc == -EACCES)
		rc = SUBSONIC_NOT_FOUND;
	if (!rc)
		at = stamps_time(rendering_stamp_name(path.buf, &n, stamp),
				 caller_uid(), caller_gid(), gen, text.buf,
				 text.len);
	for (line = rc ? NULL : text.buf; line && *line; line = next) {
		json_t *song;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (!strncmp(line, "#EXTINF:", 8)) {
			seconds = atoll(line + 8);
			continue;
		}
		song = *line == '/' ? json_object_get(by_path, line) : NULL;
		if (!song)
			continue;
		if (json_array_append(songs, song)) {
			rc = -ENOMEM;
			break;
		}
		duration += seconds > 0 ? seconds : 0;
		seconds = 0;
	}
	if (!rc && !json_array_size(songs))
		rc = SUBSONIC_NOT_FOUND;
	if (!rc)
		rc = playlist_of(rel, json_array_size(songs), duration, &at,
				 out);
	if (!rc && entries && json_object_set(*out, "entry", songs)) {
		json_decref(*out);
		*out = NULL;
		rc = -ENOMEM;
	}
	json_decref(songs);
	strbuf_release(&text);
	strbuf_release(&path);
	return rc;
}

/* The names of the playlists of a folder of TOP being gathered, each as
 * "FOLDER/NAME". */
struct names {
	json_t *names;
	const char *folder;
};

static int each(const char *name, const struct node *n, void *arg)
{
	struct names *l = arg;
	struct strbuf rel = STRBUF_INIT;
	int rc = 0;

	if (n->type == NODE_DIR)
		return 0;
	strbuf_addf(&rel, "%s/%s", l->folder, name);
	if (offered(rel.buf) &&
	    json_array_append_new(l->names, json_string(rel.buf)))
		rc = -ENOMEM;
	strbuf_release(&rel);
	return rc;
}

/* The paths below TOP of every playlist offered, into names. */
static int all_names(json_t *names)
{
	struct strbuf dir = STRBUF_INIT;
	struct names l = { names, NULL };
	int rc = 0;

	for (size_t i = 0; !rc && i < sizeof(files) / sizeof(files[0]); i++)
		if (json_array_append_new(names, json_string(files[i])))
			rc = -ENOMEM;
	for (size_t i = LISTED;
	     !rc && i < sizeof(folders) / sizeof(folders[0]); i++) {
		strbuf_reset(&dir);
		strbuf_addf(&dir, TOP "/%s", folders[i]);
		l.folder = folders[i];
		rc = nodes_children(dir.buf, each, &l);
		if (rc == -ENOENT || rc == -EACCES)
			rc = 0;
	}
	strbuf_release(&dir);
	return rc;
}

int subsonic_playlists_all(json_t *body)
{
	json_t *names = json_array(), *by_path = NULL, *out = json_array();
	json_t *name, *p;
	size_t i;
	int rc = names && out ? all_names(names) : -ENOMEM;

	if (!rc)
		rc = songs_by_path(&by_path);
	json_array_foreach(rc ? NULL : names, i, name) {
		rc = playlist(json_string_value(name), by_path, 0, &p);
		if (rc == SUBSONIC_NOT_FOUND) {
			rc = 0;
			continue;
		}
		if (rc || json_array_append_new(out, p)) {
			rc = rc ? rc : -ENOMEM;
			break;
		}
	}
	if (!rc)
		rc = subsonic_edits_all(out);
	if (!rc && json_object_set_new(body, "playlists",
				       json_pack("{s:O}", "playlist", out)))
		rc = -ENOMEM;
	json_decref(out);
	json_decref(by_path);
	json_decref(names);
	return rc;
}

int subsonic_playlists_one(json_t *body, const char *id)
{
	struct strbuf rel = STRBUF_INIT;
	json_t *by_path = NULL, *p;
	int rc = SUBSONIC_NOT_FOUND;

	if (id && !strncmp(id, SUBSONIC_EDITS_PREFIX, 2))
		return subsonic_edits_one(body, id);
	if (id && !strncmp(id, "pl", 2) &&
	    !subsonic_auth_unhex(id + 2, &rel) && offered(rel.buf))
		rc = songs_by_path(&by_path);
	if (!rc)
		rc = playlist(rel.buf, by_path, 1, &p);
	if (!rc && json_object_set_new(body, "playlist", p))
		rc = -ENOMEM;
	json_decref(by_path);
	strbuf_release(&rel);
	return rc;
}
