/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_RENDER_MANGA_H
#define MEDIAMON_RENDER_MANGA_H

/*
 * The files of a series' folder in /manga (fs/tree/manga_view.h) that show
 * what the store knows of it (indexer/manga/manga_reads.h). Each appends
 * one whole document to out, as a node's render_series function
 * (node.h), and returns 0, -ENOENT when the series is gone, or another
 * negative errno value.
 */

#include <stdint.h>

#include "indexer/reads.h"

struct strbuf;

/* volumes: the volumes owned, one number per line, ranges expanded, each
 * once. */
int render_manga_volumes(struct strbuf *out, int64_t series);

/* missing: the volumes missing, one whole number per line. */
int render_manga_missing(struct strbuf *out, int64_t series);

/* monitored, latest, source, preferences: one setting as a line of
 * text, or nothing when it is not set. */
int render_manga_setting(struct strbuf *out, int64_t series,
			 enum manga_file_setting which);

/*
 * status.json: series, path, monitored, latest, volumes, missing,
 * source, status, last_checked, and the files that are not volumes
 * (chapters, specials, unparsed), read as one snapshot.
 */
int render_manga_status(struct strbuf *out, int64_t series);

/*
 * The documents of every monitored series' wanted volumes:
 * /status/missing, a line of the series' name, a tab and the volume for
 * each, of the series shown passes (store/series_filter.h; NULL: all);
 * /status/missing.json, the same with each series' folder; and
 * /status/unparsed, a volume file whose name gives no number, a tab and
 * why, a line each.
 */
int render_manga_all_missing(struct strbuf *out,
			     const struct query_series_filter *shown);
int render_manga_missing_json(struct strbuf *out);
int render_manga_unparsed(struct strbuf *out);

#endif
