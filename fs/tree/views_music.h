/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_VIEWS_MUSIC_H
#define MEDIAMON_VIEWS_MUSIC_H

/*
 * The folders of the music views, /search and /similar (views.h), made
 * from what the store lists (indexer/library/query_views.h) and named by
 * views_name.h: a folder of folders names each after its labels
 * ("ALBUM (YEAR)", "ALBUM (ALBUM ARTIST)", "ALBUM ARTIST - ALBUM", with
 * "Unknown ..." for an empty label), a folder of tracks names each
 * "D-NN - TITLE.EXT" or "NN - TITLE.EXT" and adds the album's cover as
 * cover.EXT and folder.EXT; an artist's folder of albums adds artist.EXT.
 *
 * Each fills an empty listing under construction and returns 0 or a
 * negative errno value; the caller holds a snapshot (query_begin()).
 */

#include "fs/tree/views_cache.h"

#define VIEWS_SEARCH_MAX 1000

/*
 * Fill ls, a folder depth levels below the root of a music view whose
 * folders of depth d stand for levels[d], the view being view_depth
 * levels deep above its tracks; ls->chain holds its keys.
 */
int views_music_build(struct views_listing *ls,
		      const enum query_level *levels, int view_depth,
		      int depth);

/* Fill ls with the tracks /search/QUERY holds (views.h), found among
 * those whose file may(path) passes when may is given. */
int views_music_search(struct views_listing *ls, const char *query,
		       int (*may)(const char *path));

/* Fill ls with the tracks /similar/QUERY holds (views.h), matched and
 * ranked among those whose file may(path) passes when may is given. */
int views_music_similar(struct views_listing *ls, const char *query,
			int (*may)(const char *path));

#endif
