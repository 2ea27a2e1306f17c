#ifndef MEDIAMON_QUERY_STATUS_H
#define MEDIAMON_QUERY_STATUS_H

/*
 * The documents of the indexer's state: what the store holds (the scans,
 * the missing volumes, the albums without a cover) and the health of
 * every part. Each appends one whole document to out, read from the
 * store in one transaction and from the live status (indexer.h), and
 * returns 0 or a negative errno value. summary.json, scan.json and
 * watch.json are the mount's (fs/render_status.h).
 *
 *   /status/health, /status/missing, /status/missing.json,
 *   /status/unparsed, /status/no-cover, /status/tag-errors,
 *   /metrics/scan.csv
 */

struct strbuf;
struct query_series_filter;

int query_health(struct strbuf *out);
int query_scan_csv(struct strbuf *out);
/* /status/missing shows the series shown passes (query_manga.h). */
int query_missing(struct strbuf *out, const struct query_series_filter *shown);
int query_missing_json(struct strbuf *out);
int query_unparsed(struct strbuf *out);
int query_no_cover(struct strbuf *out);

/*
 * The files whose tags are damaged or could not be read at all (they are
 * indexed by what was read, or by their names), so a user can find the
 * files to tag again: one line each, in path order, of its absolute path,
 * a tab, and why (the first damage the tag reader met, tags.h; "damaged"
 * for a file indexed before reasons were kept).
 */
int query_tag_errors(struct strbuf *out);

#endif
