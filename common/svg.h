/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_SVG_H
#define MEDIAMON_SVG_H

/*
 * Small line charts as SVG documents, written by hand: a title, and one
 * or more panels stacked over a shared time axis, each with its own y
 * axis (from 0, with round ticks and the unit in its heading) and a
 * legend. What a file manager's preview or a browser shows of the
 * history in the store, with no library behind it.
 *
 *	const double rate[] = { 51000, 48000, NAN, 53000 };
 *	const double at[] = { 1795000000, 1795003600, 1795090000,
 *			      1795093600 };
 *	struct svg_line lines[] = { { "files/s", "#1f77b4", rate } };
 *	struct svg_panel panels[] = { { "files per second", lines, 1 } };
 *	struct svg_chart c = {
 *		.title = "Scans", .x_axis = "scan started (UTC)",
 *		.empty = "no scan yet", .x = at, .nr_x = 4,
 *		.panels = panels, .nr_panels = 1,
 *	};
 *
 *	svg_chart(&out, &c);
 *
 * Points stand where their times fall, the axis labelled at round times
 * (hours, days, weeks) in UTC. A value that is NAN has no point: the
 * line breaks there. Points whose marked value is above 0 (a full scan
 * among quick ones) get an upright dashed line across every panel, and
 * an entry in the first legend. All ticks of a y axis have one number
 * format: "0, 5k, 10k, 15k", the prefix the largest needs. A narrow
 * chart is SVG_NARROW_WIDTH wide, for a phone showing it at its own
 * size; no text of either is under 12 px. Text goes through
 * utf8_add_xml().
 */

struct strbuf;

#define SVG_WIDTH		800
#define SVG_NARROW_WIDTH	340

struct svg_line {
	const char *label;	/* in the panel's legend */
	const char *colour;	/* an SVG colour, "#1f77b4" */
	const double *y;	/* one value per x; NAN: none */
};

struct svg_panel {
	const char *axis;	/* what the y axis counts, with its unit */
	const struct svg_line *lines;
	int nr_lines;
	int whole;		/* counts of things: no tick between 0 and 1 */
};

struct svg_chart {
	const char *title;
	const char *subtitle;	/* under the title; NULL for none */
	const char *x_axis;	/* what the times of the x axis are */
	const char *empty;	/* shown in the first panel when nr_x is 0 */
	const double *x;	/* each point's time (Unix), oldest first */
	int nr_x;
	int narrow;		/* SVG_NARROW_WIDTH wide, not SVG_WIDTH */
	const struct svg_panel *panels;
	int nr_panels;
	const double *marked;	/* per x, above 0: marked; NULL: none */
	const char *marked_label; /* the marks' entry in the first legend */
};

/* Append the whole SVG document of chart c to out. */
void svg_chart(struct strbuf *out, const struct svg_chart *c);

#endif
