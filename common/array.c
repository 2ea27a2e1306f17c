/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Growing arrays by doubling (array.h). Owns only the arithmetic of
 * the growth; the array and its elements stay the caller's.
 */
#include "common/array.h"

#include <stdint.h>
#include <stdlib.h>

void *array_grow(void *v, size_t nr, size_t *alloc, size_t size,
		 size_t first)
{
	size_t n;

	if (nr < *alloc)
		return v;
	n = *alloc ? *alloc * 2 : first;
	if (n < *alloc || n > SIZE_MAX / size)
		return NULL;
	v = realloc(v, n * size);
	if (v)
		*alloc = n;
	return v;
}

void array_free_strings(char **v, size_t nr)
{
	for (size_t i = 0; v && i < nr; i++)
		free(v[i]);
	free(v);
}
