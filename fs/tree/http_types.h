/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_HTTP_TYPES_H
#define MEDIAMON_HTTP_TYPES_H

/*
 * The media type of the mount's file at path (a path of the mount, from
 * "/"): an OPDS feed's profile, a library file's by its extension, a
 * generated file's by its name; "text/plain; charset=utf-8" for a name
 * without an extension, "application/octet-stream" for one unknown.
 */
const char *http_types_of(const char *path);

#endif
