/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_PLAYLISTS_REL_H
#define MEDIAMON_PLAYLISTS_REL_H

/*
 * Where music files are in the mount, for the playlists of
 * /playlists/library (playlists.h): a track's name in its album's folder
 * of /library/music/albums, as this thread's caller lists it there
 * (views.h), so that a player that sees the mount alone plays it.
 */

#include <stddef.h>
#include <stdint.h>

struct strbuf;

/* A playlist's entry written without its path: its #EXTINF line is
 * out->buf[from] to out->buf[at], and it is the track of file (a
 * files.id). */
struct playlists_rel_entry {
	size_t from, at;
	int64_t file;
};

/*
 * Rewrite out, a playlist whose nr entries are e (in order, the first
 * starting after the playlist's head), with each entry's path: up times
 * "../" (from the playlist to the mount's root), then the track's name
 * in its album's folder, "library/music/albums/ALBUM/NAME". An entry
 * whose track is in no album folder the caller lists is dropped. The
 * album folders are listed one after another until every track is
 * found. Returns 0, or a negative errno value with out as it was.
 */
int playlists_rel_write(struct strbuf *out,
			const struct playlists_rel_entry *e, size_t nr,
			int up);

#endif
