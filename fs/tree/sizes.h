/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_SIZES_H
#define MEDIAMON_SIZES_H

/*
 * True sizes for the generated files. A lookup or getattr renders the
 * file for its caller (under the render deadline, as an open does) and
 * shows that rendering's length; the rendering is kept here, by node,
 * user and asking thread (renderings differ between users, and between
 * processes of one user with other groups), for the open that follows
 * on that thread: it takes it while it is current, so what the open reads is
 * what the stat said, and the file is not rendered twice. A rendering is
 * current while it is younger than SIZES_KEEP_MS and neither the store's
 * generation (indexer_generation()) nor a control write
 * (sizes_forget_all()) has moved since it was made; an open that finds
 * none current renders anew. Each kept rendering is taken once.
 *
 *	sizes_keep(&n, uid, tid, &text);	(at getattr: text is taken)
 *	if (!sizes_take(&n, uid, tid, &text))	(at open)
 *		render(...);
 *
 * The table holds SIZES_SLOTS renderings, each looked for in SIZES_PROBE
 * slots from the place its hash gives (the mount has a hundred or so
 * generated files a user; a walk of /manga a few per series); when those
 * are all taken a newer one takes the slot of an older one, and no more
 * than SIZES_KEEP_BYTES are kept in all: a rendering past that is not
 * kept, and its open renders anew.
 */

#include <stdint.h>
#include <sys/types.h>

#include "fs/tree/node.h"

struct strbuf;

#define SIZES_SLOTS 1024
#define SIZES_PROBE 16
#define SIZES_KEEP_MS 5000
#define SIZES_KEEP_BYTES (64u << 20)

/* Keep the rendering of n made for uid, asked for by the thread tid
 * (text is left empty), in place of the one kept before. Any thread. */
void sizes_keep(const struct node *n, uid_t uid, pid_t tid,
		struct strbuf *text);

/* Move the current rendering of n kept for uid and tid into text
 * (empty): 1, or 0 when there is none. Any thread. */
int sizes_take(const struct node *n, uid_t uid, pid_t tid,
	       struct strbuf *text);

/* How many renderings a lookup or getattr made and handed to
 * sizes_keep() since the start: what a stat() of a generated file cost.
 * Any thread. */
uint64_t sizes_kept_count(void);

/* Drop every kept rendering: a control write may change what any shows.
 * Any thread. */
void sizes_forget_all(void);

/* Free what is kept, at the session's end. */
void sizes_clear(void);

#endif
