/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * A POST's form parameters (http_form.h): the body split into pairs and
 * decoded. It judges neither who posts nor what the names mean.
 */
#include "fs/tree/http_form.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/hex.h"

int http_form_type(const char *type)
{
	static const char form[] = "application/x-www-form-urlencoded";
	size_t len = sizeof(form) - 1;

	if (!type || strncasecmp(type, form, len))
		return 0;
	type += len;
	type += strspn(type, " \t");
	return !*type || *type == ';';
}

/* Decode s in place ("+" a space, %XX a byte, a "%" without two hex
 * digits kept as it is): 0, or -EINVAL when it decodes a NUL. */
static int form_decode(char *s)
{
	char *out = s;
	int b;

	for (; *s; s++) {
		if (*s == '+') {
			*out++ = ' ';
		} else if (*s == '%' && (b = hex_byte(s + 1)) >= 0) {
			if (!b)
				return -EINVAL;
			*out++ = (char)b;
			s += 2;
		} else {
			*out++ = *s;
		}
	}
	*out = '\0';
	return 0;
}

/* Add the pair "name=value" (or "name") at s to f. */
static int add_pair(struct http_form *f, char *s, size_t *room)
{
	char *eq = strchr(s, '=');
	struct http_form_pair *grown;

	if (eq)
		*eq++ = '\0';
	if (form_decode(s) || (eq && form_decode(eq)))
		return -EINVAL;
	if (f->npairs == *room) {
		*room = *room ? 2 * *room : 16;
		grown = realloc(f->pairs, *room * sizeof(*f->pairs));
		if (!grown)
			return -ENOMEM;
		f->pairs = grown;
	}
	f->pairs[f->npairs++] = (struct http_form_pair){ s, eq ? eq : "" };
	return 0;
}

int http_form_parse(struct http_form *f, const char *body, size_t len)
{
	size_t room = 0;
	char *s, *next;
	int rc = 0;

	*f = (struct http_form){ 0 };
	if (memchr(body, '\0', len))
		return -EINVAL;
	f->text = malloc(len + 1);
	if (!f->text)
		return -ENOMEM;
	memcpy(f->text, body, len);
	f->text[len] = '\0';
	for (s = f->text; !rc && s; s = next) {
		next = strchr(s, '&');
		if (next)
			*next++ = '\0';
		if (*s)
			rc = add_pair(f, s, &room);
	}
	if (rc)
		http_form_free(f);
	return rc;
}

const char *http_form_get(const struct http_form *f, const char *name)
{
	for (size_t i = 0; f && i < f->npairs; i++)
		if (!strcmp(f->pairs[i].name, name))
			return f->pairs[i].value;
	return NULL;
}

void http_form_free(struct http_form *f)
{
	free(f->text);
	free(f->pairs);
	*f = (struct http_form){ 0 };
}
