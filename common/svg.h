/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_SVG_H
#define MEDIAMON_SVG_H

/*
 * Small line charts as SVG documents, written by hand: a title, and one
 * or more panels stacked over a shared x axis, each with its own y axis
 * (from 0, with round ticks and the unit in its heading) and a legend.
 * What a file manager's preview or a browser shows of the history in the
 * store, with no library behind it.
 *
 *	const double rate[] = { 51000, 48000, NAN, 53000 };
 *	const long long ids[] = { 7, 8, 9, 10 };
 *	struct svg_line lines[] = { { "files/s", "#1f77b4", rate } };
 *	struct svg_panel panels[] = { { "files per second", lines, 1 } };
 *	struct svg_chart c = {
 *		.title = "Scans", .x_axis = "scan", .empty = "no scan yet",
 *		.x = ids, .nr_x = 4, .panels = panels, .nr_panels = 1,
 *	};
 *
 *	svg_chart(&out, &c);
 *
 * A value that is NAN has no point: the line breaks there. Points whose
 * marked value is above 0 (a full scan among quick ones) get an upright
 * dashed line across every panel, and an entry in the first legend.
 * All ticks of a y axis have one number format: "0, 5k, 10k, 15k", the
 * prefix the largest needs. Text goes through utf8_add_xml().
 */

struct strbuf;

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
	const char *x_axis;	/* what the x axis counts */
	const char *empty;	/* shown in the first panel when nr_x is 0 */
	const long long *x;	/* the label of each point, oldest first */
	int nr_x;
	const struct svg_panel *panels;
	int nr_panels;
	const double *marked;	/* per x, above 0: marked; NULL: none */
	const char *marked_label; /* the marks' entry in the first legend */
};

/* Append the whole SVG document of chart c to out. */
void svg_chart(struct strbuf *out, const struct svg_chart *c);

#endif
