/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The XML of a subsonic-response (subsonic_xml.h), written from the one
 * JSON tree its JSON is also written from. It knows no method and no
 * parameter.
 */
#include "fs/subsonic/subsonic_xml.h"

#include <string.h>

#include "common/strbuf.h"
#include "common/utf8.h"

/* The XML attribute or element text of the scalar v. */
static void add_scalar(struct strbuf *out, json_t *v)
{
	if (json_is_string(v))
		utf8_add_xml(out, json_string_value(v), 1);
	else if (json_is_integer(v))
		strbuf_addf(out, "%" JSON_INTEGER_FORMAT,
			    json_integer_value(v));
	else if (json_is_real(v))
		strbuf_addf(out, "%.17g", json_real_value(v));
	else
		strbuf_addstr(out, json_is_true(v) ? "true" : "false");
}

/*
 * The element name of the JSON object o, as the schemas map one to the
 * other: its scalar members are attributes (but "value", the element's
 * text: a genre's name), its objects child elements, its arrays one
 * element per item, all named by their member.
 */
void subsonic_xml_element(struct strbuf *out, const char *name, json_t *o,
			  const char *extra)
{
	const char *key;
	json_t *v, *item;
	size_t i;
	int open = 0;

	strbuf_addf(out, "<%s%s", name, extra);
	json_object_foreach(o, key, v) {
		if (json_is_object(v) || json_is_array(v) || json_is_null(v) ||
		    !strcmp(key, "value"))
			continue;
		strbuf_addf(out, " %s=\"", key);
		add_scalar(out, v);
		strbuf_addch(out, '"');
	}
	json_object_foreach(o, key, v) {
		if (!json_is_object(v) && !json_is_array(v) &&
		    strcmp(key, "value"))
			continue;
		if (!open)
			strbuf_addch(out, '>');
		open = 1;
		if (!strcmp(key, "value"))
			add_scalar(out, v);
		if (json_is_object(v))
			subsonic_xml_element(out, key, v, "");
		json_array_foreach(v, i, item)
			if (json_is_object(item))
				subsonic_xml_element(out, key, item, "");
	}
	if (open)
		strbuf_addf(out, "</%s>", name);
	else
		strbuf_addstr(out, "/>");
}
