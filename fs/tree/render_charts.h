/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_RENDER_CHARTS_H
#define MEDIAMON_RENDER_CHARTS_H

/*
 * Pictures of the history the store keeps: the last HISTORY_ROWS scans,
 * checks of the monitor and Real-Debrid repair passes as SVG charts
 * (common/svg.h), oldest left, from the rows their domains read
 * (indexer/reads.h). Each appends one whole document to out, read in one
 * transaction, and returns 0 or a negative errno value. An empty history
 * is a chart with its axes and a line that says so. Each chart comes
 * SVG_WIDTH wide and narrow (NAME-narrow.svg), for a phone.
 *
 *   /metrics/scans.svg    files per second and duration of each scan,
 *                         full scans marked
 *   /metrics/checks.svg   volumes wanted and found, releases sent and
 *                         failed per check
 *   /metrics/repairs.svg  torrents repaired and failed per pass
 */

#include "fs/tree/node.h"

node_render_fn render_scans_svg, render_checks_svg, render_repairs_svg;
node_render_fn render_scans_narrow_svg, render_checks_narrow_svg,
	render_repairs_narrow_svg;

#define RENDER_CHARTS 3

/*
 * Chart i (0 to RENDER_CHARTS - 1) of the page: its files' paths, wide
 * and narrow, into *wide and *narrow; returns how many points its
 * history has (0: nothing to show yet) or a negative errno value.
 */
int render_charts_shown(int i, const char **wide, const char **narrow);

#endif
