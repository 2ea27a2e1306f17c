/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_SUBSONIC_KEPT_H
#define MEDIAMON_SUBSONIC_KEPT_H
/*
 * The scaled covers getCoverArt keeps in the daemon's memory
 * (fs/subsonic/subsonic_cover.h), by key: the cover's file, what its
 * descriptor's stat said of it and the size asked, so that a cover
 * changed in the library is a key of its own. The most recently asked
 * first: a cover kept past the cap lets the least recently asked go.
 * Any thread.
 *
 *	if (!subsonic_kept_recall(&key, &img)) {
 *		...	scale it into img
 *		subsonic_kept_keep(&key, img.buf, img.len, cap);
 *	}
 */
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

struct strbuf;

struct subsonic_kept_key {
	int64_t file;		/* files.id, negative for an embedded picture */
	dev_t dev;
	ino_t ino;		/* 0 for an embedded picture's copy */
	off_t len;
	struct timespec mtime;
	int size;		/* the size asked */
};

/* The bytes kept for key appended to out, and made the most recently
 * asked: 1; or 0 when none are kept. */
int subsonic_kept_recall(const struct subsonic_kept_key *key,
			 struct strbuf *out);

/* Keep a copy of the len bytes of bytes for key (a second copy beside
 * any kept), those least recently asked let go while more than cap
 * bytes are kept; bytes of more than a quarter of cap, or that no
 * memory holds, are not kept. */
void subsonic_kept_keep(const struct subsonic_kept_key *key,
			const void *bytes, size_t len, size_t cap);

/* The bytes kept now. */
size_t subsonic_kept_bytes(void);

#endif
