/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_STRBUF_H
#define MEDIAMON_STRBUF_H

/*
 * A growable byte buffer, always NUL-terminated, in the manner of git's
 * strbuf.h.
 *
 *	struct strbuf sb = STRBUF_INIT;
 *	strbuf_addf(&sb, "%d files\n", n);
 *	...
 *	strbuf_release(&sb);
 *
 * `buf` is never NULL: an empty strbuf points at a shared empty string, so
 * it can be printed at once. The add functions abort the process when
 * memory runs out, as the rendering code has no sensible way to go on with
 * half a document; everything else in the daemon checks its allocations.
 */

#include <stdarg.h>
#include <stddef.h>

struct strbuf {
	size_t alloc;
	size_t len;
	char *buf;
};

extern char strbuf_empty[];
#define STRBUF_INIT { 0, 0, strbuf_empty }

void strbuf_init(struct strbuf *sb, size_t hint);
void strbuf_release(struct strbuf *sb);

/* Make room for at least extra more bytes beyond len. */
void strbuf_grow(struct strbuf *sb, size_t extra);

/* Set len to 0, keeping the allocation. */
void strbuf_reset(struct strbuf *sb);

/* Hand the buffer to the caller (who frees it) and reset sb. */
char *strbuf_detach(struct strbuf *sb, size_t *len);

void strbuf_add(struct strbuf *sb, const void *data, size_t len);
void strbuf_addstr(struct strbuf *sb, const char *s);
void strbuf_addch(struct strbuf *sb, int c);
void strbuf_addf(struct strbuf *sb, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void strbuf_vaddf(struct strbuf *sb, const char *fmt, va_list ap);

/* Drop trailing whitespace (spaces, tabs, newlines). */
void strbuf_rtrim(struct strbuf *sb);

#endif
