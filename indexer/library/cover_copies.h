/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_COVER_COPIES_H
#define MEDIAMON_COVER_COPIES_H

/*
 * The in-memory copies of embedded pictures that open covers read: one
 * copy per picture, however many handles read it, counted by the handles
 * that hold it. A copy no handle holds is kept a while
 * (COVER_COPIES_IDLE_BYTES of them at most, COVER_COPIES_IDLE idle
 * copies), so a file manager opening one cover several times reads it
 * once.
 *
 * A copy is an anonymous in-memory file (memfd) of exactly the picture's
 * bytes, read-only, with the track's times; each open gets a descriptor
 * of its own of that one file:
 *
 *	struct cover_copy *c;
 *
 *	fd = cover_copies_get(&key, track_fd, path, &c);	(at open)
 *	... read fd; charge cover_copies_size(c) once per user ...
 *	close(fd);
 *	cover_copies_put(c);					(at release)
 *
 * Opens of one picture at once wait for the first one's read rather than
 * read it again. The size of a copy is the picture's recorded size,
 * checked against the file before anything is allocated; the caller
 * caps it ([music] max_picture) first.
 */

#include <stdint.h>

#include "indexer/library/picture.h"

#define COVER_COPIES_IDLE_BYTES (32 << 20)
#define COVER_COPIES_IDLE 8

struct cover_copy;

/* What makes two opens the same picture: the track, its mtime then, and
 * where the picture is in it. */
struct cover_copies_key {
	int64_t track, mtime_ns;
	struct picture pic;
};

/*
 * A descriptor of the copy of key's picture, read from fd (the track,
 * opened by the caller for the opener, and closed here) when there is no
 * copy yet; path names the track in log lines. Sets *out to the copy the
 * descriptor holds a count of. Returns the descriptor, -EIO when the
 * picture runs past the end of the file, or another negative errno value
 * (each logged here).
 */
int cover_copies_get(const struct cover_copies_key *key, int fd,
		     const char *path, struct cover_copy **out);

/* The bytes of the copy. */
uint64_t cover_copies_size(const struct cover_copy *c);

/* Give back the count cover_copies_get() took, once its descriptor is
 * closed. NULL does nothing. */
void cover_copies_put(struct cover_copy *c);

#endif
