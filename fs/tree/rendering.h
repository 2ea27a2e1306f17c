/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_RENDERING_H
#define MEDIAMON_RENDERING_H

/*
 * A generated file's rendering as either door makes it for its caller:
 * bounded by the render deadline, and the name its time is kept under
 * (fs/tree/stamps.h). The mount (fs/mount/fs_attr.c, fs_file.c), the HTTP
 * door (fs/http/http_serve.c) and the Subsonic playlists ask it alike.
 *
 *	rendering_set_deadline(s);	(once, as the options are read)
 *	rc = rendering_make(&n, path, &text);
 *	at = stamps_time(rendering_stamp_name(path, &n, buf), ...);
 */

#include "common/strbuf.h"
#include "fs/tree/nodes.h"

/* How long a rendering may read the store unless -o render_deadline=S
 * says, in seconds. */
#define RENDERING_DEADLINE_S 10

/* The room rendering_stamp_name() needs in its buf. */
#define RENDERING_STAMP_NAME 64

/* Set how long a rendering may read the store, in seconds (more than
 * 0); called before the first request, only read after. */
void rendering_set_deadline(double seconds);

/* Render n (at path) into out, giving up at the render deadline: 0, or
 * -EAGAIN when it took longer (logged), or nodes_render()'s error. */
int rendering_make(const struct node *n, const char *path,
		   struct strbuf *out);

/* The name the time and size of the generated file n at path are kept
 * under (fs/tree/stamps.h): its path, but a playlist's node, which mpd/
 * and its folder (similar/, mix/, genre/, decade/) show under two names
 * with the same bytes; buf has room for RENDERING_STAMP_NAME bytes. */
const char *rendering_stamp_name(const char *path, const struct node *n,
				 char *buf);

#endif
