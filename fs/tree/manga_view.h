/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_MANGA_VIEW_H
#define MEDIAMON_MANGA_VIEW_H

/*
 * /manga: one folder per series, named after its folder (" (2)", " (3)"
 * tell apart series of the same name in different roots, in a stable
 * order, counting only those the caller sees), holding:
 *
 *   volumes      the volumes owned, one number per line, ranges expanded
 *   missing      the volumes missing, one per line
 *   monitored    1 or 0; write 0 or 1
 *   latest       the latest volume published, when known; write a whole
 *                number from 1 to 9999, or nothing to forget it
 *   source       where news of the series comes from (a Nautiljon slug);
 *                write up to 200 bytes of text, or nothing
 *   status.json  all of it, with chapters, specials and unparsed files
 *
 * and the pages of its volume archives and its cover (manga_pages.h).
 * A write that is not understood is -EINVAL and changes nothing. A series
 * whose folder the caller may not list (caller.h) is not there for it.
 */

struct node;

/* Fill *out for rel, the path below /manga/ ("NAME" or "NAME/FILE"). */
int manga_view_resolve(const char *rel, struct node *out);

/* List /manga (rel "") or one series' folder (rel "NAME"). */
int manga_view_list(const char *rel,
		    int (*fn)(const char *name, const struct node *child,
			      void *arg),
		    void *arg);

#endif
