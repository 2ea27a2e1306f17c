#ifndef MEDIAMON_QUERY_CHARTS_H
#define MEDIAMON_QUERY_CHARTS_H

/*
 * Pictures of the history the store keeps: the last QUERY_CHART_ROWS
 * scans, checks of the monitor and Real-Debrid repair passes as SVG
 * charts (common/svg.h), oldest left. Each appends one whole document to
 * out, read in one transaction, and returns 0 or a negative errno value.
 * An empty history is a chart with its axes and a line that says so.
 *
 *   /metrics/scans.svg    files per second and duration of each scan,
 *                         full scans marked
 *   /metrics/checks.svg   volumes wanted and found, releases sent and
 *                         failed per check
 *   /metrics/repairs.svg  torrents repaired and failed per pass
 */

#define QUERY_CHART_ROWS 100

struct strbuf;

int query_scans_svg(struct strbuf *out);
int query_checks_svg(struct strbuf *out);
int query_repairs_svg(struct strbuf *out);

#endif
