/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_SUBSONIC_OLD_H
#define MEDIAMON_SUBSONIC_OLD_H
/*
 * The lists in the shape before the ID3 methods: getAlbumList (what
 * getAlbumList2 lists, each album a Child folder of its artist's) and
 * search2 (what search3 finds, its artists as Artist, its albums as
 * Child folders, its songs as they are). Same parameters and errors as
 * fs/subsonic_lists.h's.
 */
#include <jansson.h>

#include "fs/subsonic_lists.h"

int subsonic_old_albums(json_t *body, subsonic_param_fn param, void *req);
int subsonic_old_search(json_t *body, subsonic_param_fn param, void *req);
#endif
