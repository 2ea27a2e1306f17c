/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_SUBSONIC_BRIEF_H
#define MEDIAMON_SUBSONIC_BRIEF_H
/*
 * The AlbumID3 of an album on a page of a Subsonic list
 * (fs/subsonic/subsonic_lists.h), made in a time that does not grow
 * with its songs' records: its folder is listed as the caller at the
 * moment (so its rights are those of now, and an album the caller may
 * no longer read is left out), and each song it holds is taken from
 * the lists' index (fs/subsonic/subsonic_index.h) instead of its record
 * read and its Child made. It answers as getAlbum's album (without its
 * songs), field for field.
 *
 *	rc = subsonic_brief_album(ix, &ix->albums[i], &album);
 */
#include <jansson.h>

#include "fs/subsonic/subsonic_index.h"

/* The AlbumID3 (without songs) of the album a of ix into *out: 0, a
 * negative errno value, or SUBSONIC_NOT_FOUND when its folder holds no
 * track of ix the caller sees. */
int subsonic_brief_album(const struct subsonic_index *ix,
			 const struct subsonic_index_album *a, json_t **out);

#endif
