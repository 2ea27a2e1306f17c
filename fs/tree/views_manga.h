/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_VIEWS_MANGA_H
#define MEDIAMON_VIEWS_MANGA_H

/*
 * The folders of /library/manga (views.h): the series, by name; a
 * series' volumes, "Volume NNN.EXT" (a range "Volume 001-003.EXT", a
 * folder of images "Volume NNN" holding them under their own names), in
 * volume order, then an empty "MISSING - VOLUME N" for each gap.
 *
 * Each fills an empty listing under construction and returns 0 or a
 * negative errno value; the caller holds a snapshot (query_begin()).
 */

#include "fs/tree/views_cache.h"

/* Append to name the name a volume has in its series' folder, before
 * views_list_add() (which may cut it or tell it apart); returns the
 * length of its extension (0 for a folder of images). */
size_t views_manga_volume_name(struct strbuf *name,
			       const struct manga_volume_file *v);

/* Fill ls, a folder depth levels below /library/manga (0: the series,
 * 1: a series, whose key is ls->chain[0], 2: a folder of images, whose
 * key is ls->chain[1]). */
int views_manga_build(struct views_listing *ls, int depth);

#endif
