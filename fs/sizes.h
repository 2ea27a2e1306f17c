/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_SIZES_H
#define MEDIAMON_SIZES_H

/*
 * The sizes stat() shows for generated files, which are never rendered
 * to be stat()ed: rendering one may read the whole store, and a lookup or
 * getattr must answer at once. Each open notes the size of its rendering,
 * by node and by the user it was made for (renderings may differ between
 * users); a stat() shows the last size noted for its node and user, or
 * SIZES_GUESS when none was. Generated files are opened with direct_io,
 * so a size that is wrong never cuts a read short.
 *
 *	sizes_note(&n, uid, h->content.len);	(at open)
 *	st->st_size = sizes_guess(&n, uid);	(at getattr)
 *
 * The table holds SIZES_SLOTS entries, each looked for in SIZES_PROBE
 * slots from the place its hash gives (the mount has a hundred or so
 * generated files a user); only when those are all taken does a newer
 * one take the slot of an older one.
 */

#include <stddef.h>
#include <sys/types.h>

#include "fs/node.h"

#define SIZES_SLOTS 1024
#define SIZES_PROBE 16
#define SIZES_GUESS 4096

/* Note that the rendering of n made for uid was size bytes. Any thread. */
void sizes_note(const struct node *n, uid_t uid, size_t size);

/* The size last noted for n and uid, or SIZES_GUESS. Any thread. */
size_t sizes_guess(const struct node *n, uid_t uid);

#endif
