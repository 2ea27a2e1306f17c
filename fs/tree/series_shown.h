/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_SERIES_SHOWN_H
#define MEDIAMON_SERIES_SHOWN_H

/*
 * The status files that name manga series, as this thread's caller
 * (caller.h) may see them: a series whose folder on disk it may not list
 * is not in them. The owner sees every series and costs nothing; for
 * another caller the series' folders are read from the store in one
 * snapshot and checked after it, never while the store is read, and the
 * document is rendered for that caller alone: such a rendering must not
 * be shared with another caller.
 *
 *   /status/missing, /status/new, /status/found.json, /status/health
 *   (its lines of a series: render.h), /status/health.json (the same
 *   lines, each {level, line, since, see}: health_since.h)
 *
 * Each appends one whole document to out, as the node's render function
 * (node.h), and returns 0 or a negative errno value.
 */

#include "fs/tree/node.h"

node_render_fn series_shown_missing, series_shown_new, series_shown_found,
	series_shown_health, series_shown_health_json;

#endif
