/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The walk of a table of words (lookup.h). It holds no table: the
 * words are their callers'.
 */
#include "common/lookup.h"

#include <string.h>

const char *lookup_value(const struct lookup_pair *pairs, size_t n,
			 const char *key)
{
	for (size_t i = 0; key && i < n; i++)
		if (!strcmp(key, pairs[i].key))
			return pairs[i].value;
	return NULL;
}
