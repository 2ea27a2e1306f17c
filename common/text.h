/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_TEXT_H
#define MEDIAMON_TEXT_H

/*
 * Two small things done to C strings in many places, written once here:
 * the blanks (spaces and tabs, HTTP's "optional white space") cut from
 * both ends of a span, and an optional string copied so that it stays
 * NULL rather than becoming "". Nothing here allocates but text_dup().
 *
 *	text_trim_blanks(&s, &len);
 *	c->link = text_dup(r->link);
 *	if (r->link && !c->link)
 *		return -ENOMEM;
 */

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

/* Move *s past its leading blanks and shorten *len by those and the
 * trailing ones: what is left of the len bytes at *s. */
static inline void text_trim_blanks(const char **s, size_t *len)
{
	while (*len && (**s == ' ' || **s == '\t')) {
		(*s)++;
		(*len)--;
	}
	while (*len && ((*s)[*len - 1] == ' ' || (*s)[*len - 1] == '\t'))
		(*len)--;
}

/* A copy of s, or NULL when s is NULL or memory runs out: the caller
 * tells the two apart by s. */
static inline char *text_dup(const char *s)
{
	return s ? strdup(s) : NULL;
}

#endif
