/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_GROW_H
#define MEDIAMON_GROW_H

/*
 * The reads of open renderings, and the files that grow (a node with
 * grows set: /log). A file that grows is a stream (the log ring's,
 * common/log.h): its open rendering starts at a place in it, a read past
 * the rendering's end gets what came after, and its size is the stream's
 * end from that place (handles_size()), so `tail -f` sees it grow and
 * reads the new lines. Lines the ring dropped before a reader reached
 * them are skipped: the read gives the oldest line kept. Nothing here
 * waits.
 *
 *	grow_open(h, &text);		(open of a node that grows)
 *	grow_read(req, h, size, off);	(read of a rendering)
 */

#include <fuse_lowlevel.h>
#include <sys/types.h>

#include "fs/mount/handles.h"

struct strbuf;

/* Append the stream as the ring holds it now to text, and note in h
 * where it starts. */
void grow_open(struct handle *h, struct strbuf *text);

/* Reply to a read of size bytes at off of the open rendering h. */
void grow_read(fuse_req_t req, const struct handle *h, size_t size,
	       off_t off);

/* The size of a file that grows, for a stat() without a handle. */
size_t grow_length(void);

#endif
