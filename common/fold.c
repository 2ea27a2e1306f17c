/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Search folding (fold.h) through utf8proc, one character at a time:
 * ASCII lowered at once, every other character decomposed, case folded
 * and its marks stripped by utf8proc_decompose_char(). With the marks
 * gone, no reordering of them is needed, so this costs a fraction of
 * utf8proc_map() for the same text. It matches nothing and keeps
 * nothing.
 */
#include "common/fold.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <utf8proc.h>

#define FOLD_OPTIONS (UTF8PROC_COMPAT | UTF8PROC_CASEFOLD | \
		      UTF8PROC_STRIPMARK | UTF8PROC_DECOMPOSE | \
		      UTF8PROC_IGNORE)
/* Code points one character may fold to (U+FDFA's 18 the most). */
#define FOLD_PARTS 32

/* Room for more bytes past the n of *buf (*room allotted, one kept for
 * the NUL): 0 or -ENOMEM. */
static int fold_room(unsigned char **buf, size_t n, size_t more,
		     size_t *room)
{
	unsigned char *grown;
	size_t want = *room;

	while (n + more + 1 > want)
		want *= 2;
	if (want == *room)
		return 0;
	grown = realloc(*buf, want);
	if (!grown)
		return -ENOMEM;
	*buf = grown;
	*room = want;
	return 0;
}

/* Fold the character at *p (before end) onto buf: 0, -EILSEQ or
 * -ENOMEM. */
static int fold_one(const unsigned char **p, const unsigned char *end,
		     unsigned char **buf, size_t *n, size_t *room)
{
	utf8proc_int32_t cp, parts[FOLD_PARTS];
	utf8proc_ssize_t step, k;
	int bound = 0, rc;

	if (**p < 0x80) {
		if (!**p)
			return -EILSEQ;
		rc = fold_room(buf, *n, 1, room);
		if (!rc)
			(*buf)[(*n)++] = **p >= 'A' && **p <= 'Z' ?
					 **p + ('a' - 'A') : **p;
		(*p)++;
		return rc;
	}
	step = utf8proc_iterate(*p, end - *p, &cp);
	if (step <= 0)
		return -EILSEQ;
	*p += step;
	k = utf8proc_decompose_char(cp, parts, FOLD_PARTS, FOLD_OPTIONS,
				    &bound);
	if (k < 0 || k > FOLD_PARTS)
		return -EILSEQ;
	rc = fold_room(buf, *n, (size_t)k * 4, room);
	for (utf8proc_ssize_t i = 0; !rc && i < k; i++)
		*n += utf8proc_encode_char(parts[i], *buf + *n);
	return rc;
}

int fold_text(const char *s, size_t len, char **out)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + len;
	size_t room = len + 16, n = 0;
	unsigned char *buf = malloc(room);
	int rc = buf ? 0 : -ENOMEM;

	*out = NULL;
	while (!rc && p < end)
		rc = fold_one(&p, end, &buf, &n, &room);
	if (rc) {
		free(buf);
		return rc;
	}
	buf[n] = '\0';
	*out = (char *)buf;
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
