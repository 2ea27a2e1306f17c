/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Album ids without the year of the folder (subsonic_albumid.h): an
 * id's length, the folder an id names now, an id of before in its form
 * of today. It lists no folder (its caller does, as the caller) and
 * reads no marks.
 */
#include "fs/subsonic/subsonic_albumid.h"

#include <ctype.h>
#include <errno.h>
#include <string.h>

#include <jansson.h>

#include "common/strbuf.h"
#include "fs/subsonic/subsonic_auth.h"

#define YEAR_LEN 7	/* " (1999)" */

/* The length of the folder name name (len bytes) without the year the
 * view gives it. */
static size_t without_year(const char *name, size_t len)
{
	const char *y = name + len - YEAR_LEN;

	if (len <= YEAR_LEN || strncmp(y, " (", 2) || y[6] != ')')
		return len;
	for (int i = 2; i < 6; i++)
		if (!isdigit((unsigned char)y[i]))
			return len;
	return len - YEAR_LEN;
}

size_t subsonic_albumid_len(const char *rel)
{
	const char *slash = strrchr(rel, '/');
	const char *name = slash ? slash + 1 : rel;

	return (size_t)(name - rel) + without_year(name, strlen(name));
}

const char *subsonic_albumid_folder(json_t *items, const char *want)
{
	size_t len = without_year(want, strlen(want)), i;
	const char *name, *found = NULL;
	json_t *item;

	json_array_foreach(items, i, item) {
		name = json_string_value(json_object_get(item, "name"));
		if (!strcmp(name, want))
			return name;
		if (!found && without_year(name, strlen(name)) == len &&
		    !strncmp(name, want, len))
			found = name;
	}
	return found;
}

void subsonic_albumid_today(const char *id, struct strbuf *out)
{
	struct strbuf rel = STRBUF_INIT;
	size_t len;

	strbuf_reset(out);
	if (strncmp(id, "al", 2) || subsonic_auth_unhex(id + 2, &rel)) {
		strbuf_addstr(out, id);
		strbuf_release(&rel);
		return;
	}
	len = subsonic_albumid_len(rel.buf);
	strbuf_addstr(out, "al");
	for (size_t i = 0; i < len; i++)
		strbuf_addf(out, "%02x", (unsigned char)rel.buf[i]);
	strbuf_release(&rel);
}
