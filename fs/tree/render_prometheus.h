/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_RENDER_PROMETHEUS_H
#define MEDIAMON_RENDER_PROMETHEUS_H

/*
 * /metrics/prometheus: every counter and gauge of /status/summary.json
 * and /metrics/{scan,watch,monitor,repair,analysis,fuse}.json in the
 * Prometheus text exposition format (version 0.0.4), for a node_exporter
 * textfile job or any scraper that reads a file:
 *
 *	# HELP mediamon_tracks Tracks in the index.
 *	# TYPE mediamon_tracks gauge
 *	mediamon_tracks 9
 *
 * Names start with mediamon_ and carry their unit in base units
 * (_seconds, _bytes); counters end with _total. Values absent from the
 * files (no scan yet, a check never run) have their HELP and TYPE lines
 * and no sample.
 */

struct strbuf;

/*
 * Append the whole exposition to out, from the figures the JSON files
 * show, read into structs from the store in one read transaction and
 * from the live status. Returns 0 or the negative errno value of the
 * read that failed.
 */
int render_prometheus(struct strbuf *out);

#endif
