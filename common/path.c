/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Paths as text (path.h): under, below, normal form. It must never
 * ask the file system.
 */
#include "common/path.h"

#include <string.h>

#include "common/strbuf.h"

int path_under(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	if (!n)
		return 1;
	if (n == 1 && *dir == '/')
		return *path == '/';
	return !strncmp(path, dir, n) && (!path[n] || path[n] == '/');
}

int path_below(const char *path, const char *dir)
{
	return path_under(path, dir) && strcmp(path, dir);
}

size_t path_holds(const char *dir, const char *path)
{
	size_t n = dir ? strlen(dir) : 0;

	while (n > 1 && dir[n - 1] == '/')
		n--;
	if (!n || strncmp(dir, path, n) || (path[n] != '/' && path[n] != '\0'))
		return 0;
	return n;
}

char *path_normalize(const char *dir, const char *path)
{
	struct strbuf in = STRBUF_INIT, out = STRBUF_INIT;
	char *save = NULL, *part;

	if (path[0] != '/' && dir)
		strbuf_addf(&in, "%s/", dir);
	strbuf_addstr(&in, path);
	for (part = strtok_r(in.buf, "/", &save); part;
	     part = strtok_r(NULL, "/", &save)) {
		if (!strcmp(part, "."))
			continue;
		if (!strcmp(part, "..")) {
			char *slash = strrchr(out.buf, '/');

			/* "/.." is "/"; an empty out is the shared empty
			 * string, never written to */
			if (slash) {
				out.len = slash - out.buf;
				out.buf[out.len] = '\0';
			}
			continue;
		}
		strbuf_addch(&out, '/');
		strbuf_addstr(&out, part);
	}
	if (!out.len)
		strbuf_addch(&out, '/');
	strbuf_release(&in);
	return strbuf_detach(&out, NULL);
}
