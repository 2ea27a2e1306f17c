/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_RENDER_SCANS_H
#define MEDIAMON_RENDER_SCANS_H

/*
 * /metrics/scans.json: every scan the history keeps ([retention] scans
 * and metrics), newest first, each with its files seen and failed (tags
 * damaged or unreadable, and i/o errors), success_pct, bytes read, MB
 * and files a second and duration; and totals over them (failed files,
 * average speeds, total time). Read from the store
 * (indexer/reads.h); appends one whole document to out
 * and returns 0 or a negative errno value.
 */

struct strbuf;

int render_scans_json(struct strbuf *out);

#endif
