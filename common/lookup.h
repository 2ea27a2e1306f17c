/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_LOOKUP_H
#define MEDIAMON_LOOKUP_H

/*
 * Tables of words and what each stands for (a service's word for ours),
 * and the one walk that finds a word in them.
 *
 *	static const struct lookup_pair originals[] = {
 *		{ "JP", "ja" }, ...
 *	};
 *
 *	edition = LOOKUP(originals, country);	(NULL: not in the table)
 *
 * and of error numbers and the words that say them to the user:
 *
 *	static const struct lookup_errno words[] = {
 *		{ -ELOOP, "a symbolic link is on its way" }, ...
 *	};
 *
 *	text = LOOKUP_ERRNO(words, rc);		(strerror() when not there)
 */

#include <stddef.h>

#include "common/bytes.h"

struct lookup_pair {
	const char *key, *value;
};

/* The value of the first of the n pairs whose key is key (compared
 * exactly), or NULL; NULL for a NULL key. */
const char *lookup_value(const struct lookup_pair *pairs, size_t n,
			 const char *key);

#define LOOKUP(table, key) lookup_value(table, ARRAY_SIZE(table), key)

struct lookup_errno {
	int err;		/* a negative errno value */
	const char *text;
};

/* The text of the first of the n whose err is err, else strerror(-err). */
const char *lookup_errno_text(const struct lookup_errno *v, size_t n,
			      int err);

#define LOOKUP_ERRNO(table, err) \
	lookup_errno_text(table, ARRAY_SIZE(table), err)

#endif
