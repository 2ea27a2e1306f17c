#ifndef MEDIAMON_QUERY_STATUS_H
#define MEDIAMON_QUERY_STATUS_H

/*
 * The documents of the indexer's state: what the store holds (the scans,
 * the missing volumes, the albums without a cover) and the health of
 * every part. Each appends one whole document to out, read from the
 * store in one transaction and from the live status (indexer.h), and
 * returns 0 or a negative errno value. summary.json, scan.json,
 * watch.json, scan.csv and tag-errors are the mount's
 * (fs/render_status.h).
 *
 *   /status/health, /status/missing, /status/missing.json,
 *   /status/unparsed, /status/no-cover
 */

struct strbuf;
struct query_series_filter;

int query_health(struct strbuf *out);
/* /status/missing shows the series shown passes (query_manga.h). */
int query_missing(struct strbuf *out, const struct query_series_filter *shown);
int query_missing_json(struct strbuf *out);
int query_unparsed(struct strbuf *out);
int query_no_cover(struct strbuf *out);

#endif
