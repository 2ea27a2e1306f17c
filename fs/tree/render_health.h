/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_RENDER_HEALTH_H
#define MEDIAMON_RENDER_HEALTH_H

/*
 * The lines of /status/health that judge the index: roots that cannot be
 * read, the analyser, the store (writes that failed, the file), the
 * watcher's limit, the last scan, the monitor and the repair, from the
 * live status (indexer/indexer.h) and the domains' reads
 * (indexer/reads.h).
 */

struct strbuf;
struct query_series_filter;

/*
 * Append one line per problem to out, errors first; "ok" alone when there
 * is none and out was empty. The lines of a series are those of the
 * series shown shows (NULL: every line, the owner's); what names a
 * download's save folder is the owner's too. The file is read most when
 * the store is in trouble: a store that cannot be read is one more line,
 * never a failed read, so it returns 0.
 */
int render_health_lines(struct strbuf *out,
			const struct query_series_filter *shown);

#endif
