/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_SUBSONIC_SPEC_H
#define MEDIAMON_SUBSONIC_SPEC_H
/*
 * The methods of the Subsonic API (1.16.1) and of OpenSubsonic that
 * /rest does not serve, so that asking one is told it is not
 * implemented rather than that it is no method at all.
 */
#include <stddef.h>

/* The spec's spelling of the unserved method name (its first len
 * bytes), or NULL when the spec has no such method or it is served. */
const char *subsonic_spec_unserved(const char *name, size_t len);
#endif
