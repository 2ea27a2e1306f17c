/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_SUBSONIC_GENRES_H
#define MEDIAMON_SUBSONIC_GENRES_H
/*
 * The genres of the Subsonic API (fs/subsonic/subsonic.h): the folders of the
 * mount's /library/music/genres view, read with the rights of the user
 * this thread holds (caller_begin_user()), so a genre whose tracks the
 * user may not read is not there for it.
 */
#include <jansson.h>

/* getGenres: the folders of /library/music/genres that hold tracks the
 * user may see, each with its songCount and albumCount. */
int subsonic_genres_all(json_t *body);
/* The files.id of the tracks of the genre (a folder of
 * /library/music/genres) the user may see into *files (a new array,
 * empty for no such genre): 0 or a negative errno value. */
int subsonic_genres_files(const char *genre, json_t **files);
#endif
