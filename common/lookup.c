/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The walks of a table of words and of one of error numbers (lookup.h).
 * It holds no table: the words are their callers'.
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

const char *lookup_errno_text(const struct lookup_errno *v, size_t n,
			      int err)
{
	for (size_t i = 0; i < n; i++)
		if (v[i].err == err)
			return v[i].text;
	return strerror(-err);
}
