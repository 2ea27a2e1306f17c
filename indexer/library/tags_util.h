#ifndef MEDIAMON_TAGS_UTIL_H
#define MEDIAMON_TAGS_UTIL_H

/*
 * Helpers the FLAC and MP3 readers share, so both store values the same
 * way. Not for use outside the tag readers.
 */

#include <stddef.h>

#include "indexer/library/tags.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* The offset of a string field, for tables mapping tag names to fields. */
#define F(name) offsetof(struct tags, name)

/*
 * Add one value of len bytes to *field: several values are joined with
 * "; ", invalid UTF-8 becomes U+FFFD and sets t->tag_error, and empty or
 * repeated values are dropped. Returns 0 or -ENOMEM.
 */
int tags_add(struct tags *t, char **field, const char *s, size_t len);

/* Parse "3" or "3/12" into num and total (total may be NULL). */
void tags_parse_pos(const char *s, int *num, int *total);

/* Take the leading four-digit year of "2019" or "2019-05-01". */
void tags_parse_year(const char *s, int *year);

#endif
