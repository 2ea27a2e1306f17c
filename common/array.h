/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_ARRAY_H
#define MEDIAMON_ARRAY_H

/*
 * Arrays that grow as they fill, doubling, so that n additions cost
 * about n element copies in all: written once here rather than at each
 * array.
 *
 *	struct item *v = array_grow(l->v, l->nr, &l->alloc, sizeof(*v), 64);
 *	if (!v)
 *		return -ENOMEM;
 *	l->v = v;
 *	l->v[l->nr++] = item;
 */

#include <stddef.h>

/*
 * Room for one more element in v, an array of *alloc elements of size
 * bytes of which nr are used: v itself when it has room, else v grown
 * (to first elements at the first growth, then twice as many), *alloc
 * updated. Returns NULL when out of memory, v then left as it was.
 */
void *array_grow(void *v, size_t nr, size_t *alloc, size_t size,
		 size_t first);

/* Free each of the nr strings of v, then v itself; v may be NULL. */
void array_free_strings(char **v, size_t nr);

#endif
