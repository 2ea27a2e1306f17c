/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Name templates of the configuration (template.h): parsed, checked
 * and filled. It knows no field of its own; callers name them.
 */
#include "common/template.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/strbuf.h"

#define WIDTH_MAX 99

/*
 * The field that the braces at *s open ("{name}" or "{name:NN}"): its
 * index in fields, its width (0 for none), and *s moved past the closing
 * brace. Returns -1 and says why when it is no field of fields.
 */
static int parse_field(const char **s, const struct template_field *fields,
		       size_t nr, int *width, char *why, size_t len)
{
	const char *start = *s + 1, *end = strchr(start, '}');
	size_t name_len;
	size_t i;

	*width = 0;
	if (!end) {
		snprintf(why, len, "a '{' is not closed");
		return -1;
	}
	name_len = strcspn(start, ":}");
	for (i = 0; i < nr; i++)
		if (strlen(fields[i].name) == name_len &&
		    !strncmp(fields[i].name, start, name_len))
			break;
	if (i == nr) {
		snprintf(why, len, "unknown field {%.*s}", (int)(end - start),
			 start);
		return -1;
	}
	if (start[name_len] == ':') {
		const char *w = start + name_len + 1;

		if (!fields[i].number) {
			snprintf(why, len, "{%s} takes no width",
				 fields[i].name);
			return -1;
		}
		if (!isdigit((unsigned char)w[0]) || (w + 1 != end &&
		    (!isdigit((unsigned char)w[1]) || w + 2 != end))) {
			snprintf(why, len, "the width of {%s} must be one or "
				 "two digits, as in {%s:02}", fields[i].name,
				 fields[i].name);
			return -1;
		}
		*width = (int)strtol(w, NULL, 10);
	}
	*s = end + 1;
	return (int)i;
}

int template_check(const char *tpl, const struct template_field *fields,
		   size_t nr, char *why, size_t len)
{
	int seen[16] = { 0 }, width, i;

	if (nr > sizeof(seen) / sizeof(*seen))
		return -EINVAL;
	for (const char *s = tpl; *s;) {
		if (*s == '}') {
			snprintf(why, len, "a '}' closes no field");
			return -EINVAL;
		}
		if (*s == '/') {
			snprintf(why, len, "a template names a file: no '/'");
			return -EINVAL;
		}
		if (*s != '{') {
			s++;
			continue;
		}
		i = parse_field(&s, fields, nr, &width, why, len);
		if (i < 0)
			return -EINVAL;
		seen[i] = 1;
	}
	for (size_t k = 0; k < nr; k++) {
		if (fields[k].required && !seen[k]) {
			snprintf(why, len, "{%s} is missing", fields[k].name);
			return -EINVAL;
		}
	}
	return 0;
}

/* A number's text with each whole-number part padded to width. */
static void add_padded(struct strbuf *out, const char *text, int width)
{
	for (const char *s = text; *s;) {
		size_t digits = strspn(s, "0123456789");

		if (!digits || (s > text && s[-1] == '.')) {
			strbuf_add(out, s, digits ? digits : 1);
			s += digits ? digits : 1;
			continue;
		}
		for (int pad = width - (int)digits; pad > 0; pad--)
			strbuf_addch(out, '0');
		strbuf_add(out, s, digits);
		s += digits;
	}
}

int template_render(const char *tpl, const struct template_field *fields,
		    const char *const *values, size_t nr, struct strbuf *out)
{
	char why[128];
	int width, i;

	for (const char *s = tpl; *s;) {
		size_t plain = strcspn(s, "{");

		strbuf_add(out, s, plain);
		s += plain;
		if (!*s)
			break;
		i = parse_field(&s, fields, nr, &width, why, sizeof(why));
		if (i < 0)
			return -EINVAL;
		add_padded(out, values[i], fields[i].number ? width : 0);
	}
	return 0;
}
