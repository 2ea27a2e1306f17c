/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Search folding (fold.h) through utf8proc: one call per text, no
 * table of its own. It matches nothing and keeps nothing.
 */
#include "common/fold.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include <utf8proc.h>

#define FOLD_OPTIONS (UTF8PROC_STABLE | UTF8PROC_COMPAT | \
		      UTF8PROC_CASEFOLD | UTF8PROC_STRIPMARK | \
		      UTF8PROC_DECOMPOSE | UTF8PROC_IGNORE)

int fold_text(const char *s, size_t len, char **out)
{
	utf8proc_uint8_t *folded = NULL;
	utf8proc_ssize_t n;

	*out = NULL;
	if (memchr(s, '\0', len))
		return -EILSEQ;
	n = utf8proc_map((const utf8proc_uint8_t *)s, (utf8proc_ssize_t)len,
			 &folded, FOLD_OPTIONS);
	if (n == UTF8PROC_ERROR_NOMEM)
		return -ENOMEM;
	if (n < 0)
		return -EILSEQ;
	*out = (char *)folded;
	return 0;
}

int fold_name(const char *s, char **out)
{
	int rc = fold_text(s, strlen(s), out);

	if (rc == -EILSEQ) {
		*out = strdup(s);
		rc = *out ? 0 : -ENOMEM;
	}
	return rc;
}
