/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_SUBSONIC_OLD_H
#define MEDIAMON_SUBSONIC_OLD_H
/*
 * The lists in the shape before the ID3 methods: getAlbumList (what
 * getAlbumList2 lists, each album a Child folder of its artist's) and
 * search2 (what search3 finds, its artists as Artist, its albums as
 * Child folders, its songs as they are), with the same parameters and
 * errors as fs/subsonic/subsonic_lists.h's; getMusicDirectory (an artist's id:
 * its albums as Child folders; an album's id: its songs), as the
 * caller may read them (fs/subsonic/subsonic_music.h), else error 70.
 */
#include <jansson.h>

#include "fs/subsonic/subsonic_lists.h"

int subsonic_old_albums(json_t *body, subsonic_param_fn param, void *req);
int subsonic_old_search(json_t *body, subsonic_param_fn param, void *req);
int subsonic_old_directory(json_t *body, const char *id);
#endif
