/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_SUBSONIC_BRIEF_H
#define MEDIAMON_SUBSONIC_BRIEF_H
/*
 * The AlbumID3 of an album on a page of a Subsonic list
 * (fs/subsonic/subsonic_lists.h), made in a time that does not grow
 * with its songs' records: its songs are taken from the lists' index
 * (fs/subsonic/subsonic_index.h), those whose files the caller may read
 * at the moment (subsonic_index_may(): so its rights are those of now,
 * and an album the caller may no longer read is left out), instead of
 * its folder listed, each record read and its Child made. It answers as
 * getAlbum's album (without its songs), field for field.
 *
 *	rc = subsonic_brief_albums(ix, places, n, array);
 */
#include <jansson.h>

#include "fs/subsonic/subsonic_index.h"

/* Append to into the AlbumID3 (without songs) of each of the n albums
 * of ix at albums (their places in ix->albums), in order, that holds a
 * song of ix the caller may read now (the others left out), their songs
 * judged with one change of identity: 0 or -ENOMEM. */
int subsonic_brief_albums(const struct subsonic_index *ix,
			  const size_t *albums, size_t n, json_t *into);

#endif
