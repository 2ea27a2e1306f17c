/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_TEMPLATE_H
#define MEDIAMON_TEMPLATE_H

/*
 * Name templates as users write them in the configuration: text with
 * fields in braces, "{series} T{volume:02}.{ext}". A number field may
 * take a zero-padding width after a colon ({volume:03}); a text field
 * may not. There is no escape: a brace always opens or closes a field.
 *
 *	static const struct template_field fields[] = {
 *		{ "series", 0, 1 }, { "volume", 1, 1 },
 *	};
 *	const char *values[] = { "Berserk", "7" };
 *
 *	if (template_check(tpl, fields, 2, why, sizeof(why)) < 0)
 *		...	why says what is wrong, in a few words
 *	template_render(tpl, fields, values, 2, &out);	("Berserk T07")
 */

#include <stddef.h>

struct strbuf;

struct template_field {
	const char *name;
	int number;		/* takes a width: {name:02} */
	int required;		/* a template without it is refused */
};

/*
 * Whether tpl is a template of fields (nr of them): every brace opens or
 * closes a known field, a width is one or two digits on a number field,
 * every required field is there, and no '/' stands in it (it names a
 * file). Returns 0, or -EINVAL with why (len bytes) saying what is wrong.
 */
int template_check(const char *tpl, const struct template_field *fields,
		   size_t nr, char *why, size_t len);

/*
 * Append tpl to out with each field replaced by its value (values[i] for
 * fields[i]). A width pads each whole-number part of a number's text with
 * zeros: "7" is "07", "7.5" is "07.5", "7-9" is "07-09" with {volume:02}.
 * tpl must have passed template_check(); returns 0 or -EINVAL.
 */
int template_render(const char *tpl, const struct template_field *fields,
		    const char *const *values, size_t nr, struct strbuf *out);

#endif
