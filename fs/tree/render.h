/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_RENDER_H
#define MEDIAMON_RENDER_H

/*
 * The generated files the mount makes itself, without the store: /log
 * (the README is fs/tree/nodes.c's), and /status/health: the mount's own lines
 * (a reload refused,
 * render_reload_refused(); the last backup) before the index's
 * (fs/tree/render_health.h). Each appends one whole document to out and
 * returns 0. The other documents are built in the other fs/tree/render_*.c
 * from the domains' reads (indexer/reads.h) and the live status.
 */

#include "fs/tree/node.h"

struct query_series_filter;

/* render_health() is every line, the daemon's own (notifications);
 * render_health_shown() the lines of the series shown shows (NULL: all)
 * and no save folder's name but to the owner (render_health.h): the
 * file as a caller reads it (series_shown.h). */
node_render_fn render_log, render_health;
int render_health_shown(struct strbuf *out,
			const struct query_series_filter *shown);

/* Say in health why the last reload was refused; NULL once one works. */
void render_reload_refused(const char *why);

/* Say in health what the HTTP listener could not do at a reload (the
 * address it could not take); NULL once a reload makes one or unsets
 * listen. */
void render_http_fault(const char *why);

#endif
