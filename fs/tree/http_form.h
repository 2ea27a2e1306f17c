/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_HTTP_FORM_H
#define MEDIAMON_HTTP_FORM_H
/*
 * The parameters a POST carries in an application/x-www-form-urlencoded
 * body (the OpenSubsonic formPost extension: fs/subsonic/subsonic.h),
 * read as the query's are: NAME=VALUE pairs joined by "&", "+" a space
 * and %XX a byte, a name that comes again kept each time.
 *
 *	struct http_form f;
 *
 *	if (!http_form_parse(&f, body, len)) {
 *		use(http_form_get(&f, "u"));
 *		http_form_free(&f);
 *	}
 */
#include <stddef.h>

struct http_form {
	char *text;		/* the body, decoded in place */
	struct http_form_pair {
		const char *name, *value;
	} *pairs;
	size_t npairs;
};

/* Whether the Content-Type type (NULL: none) is a form's,
 * application/x-www-form-urlencoded with or without parameters. */
int http_form_type(const char *type);

/* Read the len bytes at body into f (a copy of them kept): 0, -EINVAL
 * when a name or value holds a NUL (%00), or -ENOMEM. */
int http_form_parse(struct http_form *f, const char *body, size_t len);

/* The first value of name in f (NULL: no form), or NULL. */
const char *http_form_get(const struct http_form *f, const char *name);

void http_form_free(struct http_form *f);
#endif
