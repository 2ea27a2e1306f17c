/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Reads and sizes of open renderings, and the files that grow (grow.h):
 * serves what a handle holds and what the log ring kept after it; it
 * renders nothing and never waits but on the ring's lock.
 */
#include "fs/mount/grow.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "common/strbuf.h"

void grow_open(struct handle *h, struct strbuf *text)
{
	h->stream_start = log_ring_since(0, text);
}

size_t grow_length(void)
{
	uint64_t start = log_ring_start();

	return log_ring_end() - start;
}

/*
 * A rendering is replied as a copy of the part asked for: the reader may
 * close the file, and another thread free the rendering, the moment the
 * reply is written. Past a growing file's rendering, the part comes from
 * the stream.
 */
void grow_read(fuse_req_t req, const struct handle *h, size_t size,
	       off_t off)
{
	struct strbuf more = STRBUF_INIT;
	const char *from = h->content.buf;
	size_t len = 0;
	char *part;

	if ((size_t)off < h->content.len) {
		len = h->content.len - off;
		from += off;
	} else if (h->node.grows) {
		log_ring_since(h->stream_start + off, &more);
		len = more.len;
		from = more.buf;
	}
	if (size < len)
		len = size;
	part = malloc(len ? len : 1);
	if (!part) {
		strbuf_release(&more);
		fuse_reply_err(req, ENOMEM);
		return;
	}
	if (len)
		memcpy(part, from, len);
	fuse_reply_buf(req, part, len);
	free(part);
	strbuf_release(&more);
}
