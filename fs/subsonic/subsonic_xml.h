/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_SUBSONIC_XML_H
#define MEDIAMON_SUBSONIC_XML_H

/*
 * A subsonic-response in XML (fs/subsonic/subsonic.h), from the jansson
 * tree its JSON is written from: the two encodings say the same.
 */
#include <jansson.h>

struct strbuf;

/*
 * Append to out the element name of the JSON object o, as the schemas
 * map one to the other: its scalar members are attributes (but "value",
 * the element's text: a genre's name), its objects child elements, its
 * arrays one element per item, all named by their member; extra is
 * written after the name (" xmlns=...", or "").
 */
void subsonic_xml_element(struct strbuf *out, const char *name, json_t *o,
			  const char *extra);

#endif
