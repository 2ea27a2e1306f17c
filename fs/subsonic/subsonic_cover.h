/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_SUBSONIC_COVER_H
#define MEDIAMON_SUBSONIC_COVER_H

/*
 * getCoverArt's size (fs/subsonic/subsonic.h): a cover made to fit size
 * x size pixels, its aspect kept and never made larger, as a JPEG (a PNG
 * when the cover is a PNG with transparency), by mediamon-analyse
 * --scale (analyser/scale.h) in a confined child started on the cover's
 * descriptor, opened as the account asking; a cover of more than
 * SUBSONIC_COVER_PIXELS pixels is refused before its pixels are
 * decoded. The scaled covers are kept in the daemon's memory
 * (subsonic_kept.h), the most recently asked SUBSONIC_COVER_CACHE bytes
 * of them, keyed by the cover's
 * file, size and modification time and the size asked: a cover changed
 * in the library is scaled anew; every ask opens the cover as the
 * account first, so none is given to an account that may not read it.
 * Each cover scaled, and each answered from memory, is counted
 * (http_stats_cover()).
 *
 *	int size = subsonic_cover_size(param(r, "size"));
 *	...	size < 0: a bad size; 0: the cover as it is
 *	rc = subsonic_cover_make(path, size, &resp);
 *	...	queue resp
 */
#include <microhttpd.h>

struct config;

#define SUBSONIC_COVER_MIN	16	/* sizes below are made this */
#define SUBSONIC_COVER_MAX	2048	/* and above, this */
#define SUBSONIC_COVER_PIXELS	(40 * 1000 * 1000)
#define SUBSONIC_COVER_CACHE	(16 << 20)
/* Scaling children at once; a further ask waits for one to end. */
#define SUBSONIC_COVER_CHILDREN	2
/* How long an ask waits for its turn and its child, in seconds. */
#define SUBSONIC_COVER_WAIT_S	15

/* Take the scaling child's user, [analysis] user, from cfg. */
void subsonic_cover_load(const struct config *cfg);

/* The size parameter arg: 0 when absent or "0" (the cover as it is), a
 * number of pixels put within SUBSONIC_COVER_MIN..SUBSONIC_COVER_MAX,
 * or -EINVAL for anything but a whole number. */
int subsonic_cover_size(const char *arg);

/*
 * The answer to getCoverArt of the cover at the mount path path made to
 * fit size x size, as the caller (caller_begin_user()) may read it, into
 * *out (the caller's to queue): 0; or, *out NULL, a negative errno
 * value: -EACCES or -ENOENT as opening it gives, -EMEDIUMTYPE for a
 * cover the scaler cannot read or one too large, -ETIMEDOUT past
 * SUBSONIC_COVER_WAIT_S.
 */
int subsonic_cover_make(const char *path, int size,
			struct MHD_Response **out);

#endif
