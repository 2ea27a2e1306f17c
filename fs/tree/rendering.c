/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * A generated file's rendering under the deadline, and the name its time
 * is kept under (rendering.h), the same for both doors. It renders
 * through nodes_render() alone and keeps nothing: what a rendering is
 * kept for is fs/tree/sizes.c's and each door's.
 */
#include "fs/tree/rendering.h"

#include <errno.h>
#include <string.h>

#include "common/clock.h"
#include "common/log.h"
#include "fs/tree/playlists.h"
#include "indexer/reads.h"

/* Written once before the first request, only read after. */
static double deadline_s = RENDERING_DEADLINE_S;

void rendering_set_deadline(double seconds)
{
	deadline_s = seconds;
}

/* A rendering that reads a large store for longer than the deadline
 * must not hold its thread. */
int rendering_make(const struct node *n, const char *path,
		   struct strbuf *out)
{
	int rc;

	reader_deadline(clock_mono() + deadline_s);
	rc = nodes_render(n, out);
	reader_deadline(0);
	if (rc != -ETIMEDOUT)
		return rc;
	return log_error(-EAGAIN, "fs: %s took longer than %g s to render;"
			 " it cannot be opened or stat()ed now", path,
			 deadline_s);
}

const char *rendering_stamp_name(const char *path, const struct node *n,
				 char *buf)
{
	if (strncmp(path, "/playlists/", 11) ||
	    playlists_stamp_name(n, buf, RENDERING_STAMP_NAME))
		return path;
	return buf;
}
