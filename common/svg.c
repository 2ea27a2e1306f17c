/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Line charts as SVG text (svg.h): geometry, axes, ticks, legends and
 * lines. It reads no store; callers hand it the series.
 */
#include "common/svg.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "common/strbuf.h"
#include "common/utf8.h"

/* The geometry, in pixels. */
#define WIDTH		800
#define LEFT		72	/* the y axis; its labels are left of it */
#define RIGHT		(WIDTH - 24)
#define HEAD		64	/* title and subtitle */
#define PANEL_HEAD	28	/* a panel's heading and legend */
#define PLOT		170	/* a panel's plot */
#define PANEL_GAP	16
#define FOOT		52	/* the x axis' labels and title */
#define Y_TICKS		4
#define X_LABELS	8	/* at most, about */
#define DOTS_UP_TO	60	/* points drawn as dots when this few */
#define CHAR_W		7	/* the mean width of a 12 px character */
#define MARK_COLOUR	"#9467bd"	/* marked points' lines */

static void text(struct strbuf *out, double x, double y, const char *attrs,
		 const char *s)
{
	strbuf_addf(out, "<text x=\"%.1f\" y=\"%.1f\" %s>", x, y, attrs);
	utf8_add_xml(out, s, 1);
	strbuf_addstr(out, "</text>\n");
}

/* The SI prefixes of tick labels, largest first. */
static const struct {
	double from;
	double unit;
	const char *suffix;
} prefixes[] = {
	{ 1e9, 1e9, "G" }, { 1e6, 1e6, "M" }, { 1e4, 1e3, "k" }, { 0, 1, "" },
};

/* The prefix of every tick of an axis up to max: the one its largest
 * tick needs, so that one axis never mixes "15k" and "5000". */
static size_t axis_prefix(double max)
{
	size_t i = 0;

	while (fabs(max) < prefixes[i].from)
		i++;
	return i;
}

/* Tick labels stay short: 12500 is "12.5k", 3000000 "3M"; 0 is "0". */
static void number(char *buf, size_t len, double v, size_t prefix)
{
	if (v == 0)
		snprintf(buf, len, "0");
	else
		snprintf(buf, len, "%.4g%s", v / prefixes[prefix].unit,
			 prefixes[prefix].suffix);
}

/* A round step (1, 2 or 5 times a power of ten) that splits 0..max in
 * about Y_TICKS. */
static double tick_step(double max)
{
	double raw = max / Y_TICKS, mag, f;

	if (!(raw > 0))
		return 0.25;
	mag = pow(10, floor(log10(raw)));
	f = raw / mag;
	return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * mag;
}

static double point_x(int i, int n)
{
	return LEFT + (i + 0.5) * (RIGHT - LEFT) / n;
}

/* The line's points, a polyline per run of known values; dots too when
 * there are few points, and always for a point alone. */
static void line(struct strbuf *out, const struct svg_line *l, int n,
		 double top, double ymax)
{
	for (int i = 0; i < n;) {
		int end = i;

		if (!isfinite(l->y[i])) {
			i++;
			continue;
		}
		while (end < n && isfinite(l->y[end]))
			end++;
		if (end - i > 1) {
			strbuf_addf(out, "<polyline fill=\"none\" stroke=\"%s\""
				    " stroke-width=\"2\" points=\"", l->colour);
			for (int j = i; j < end; j++)
				strbuf_addf(out, "%s%.1f,%.1f",
					    j > i ? " " : "", point_x(j, n),
					    top + PLOT - l->y[j] / ymax * PLOT);
			strbuf_addstr(out, "\"/>\n");
		}
		for (int j = i; j < end; j++)
			if (n <= DOTS_UP_TO || end - i == 1)
				strbuf_addf(out, "<circle cx=\"%.1f\""
					    " cy=\"%.1f\" r=\"3\""
					    " fill=\"%s\"/>\n",
					    point_x(j, n), top + PLOT -
					    l->y[j] / ymax * PLOT, l->colour);
		i = end;
	}
}

/* A marked point's upright dashed line, behind the lines drawn after
 * it; the legend shows a short one. */
static void mark(struct strbuf *out, double x, double y1, double y2)
{
	strbuf_addf(out, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\""
		    " y2=\"%.1f\" stroke=\"%s\" stroke-width=\"2\""
		    " stroke-dasharray=\"4 3\"/>\n", x, y1, x, y2, MARK_COLOUR);
}

/* One panel from y = top: heading and legend, grid, axis, lines. */
static void panel(struct strbuf *out, const struct svg_chart *c,
		  const struct svg_panel *p, double top, int first)
{
	double max = 0, step, ymax, lx;
	char label[32];
	size_t prefix;

	for (int l = 0; l < p->nr_lines; l++)
		for (int i = 0; i < c->nr_x; i++)
			if (isfinite(p->lines[l].y[i]) &&
			    p->lines[l].y[i] > max)
				max = p->lines[l].y[i];
	step = tick_step(max);
	if (p->whole && step < 1)
		step = 1;
	ymax = max > 0 ? ceil(max / step) * step : Y_TICKS * step;
	prefix = axis_prefix(ymax);
	text(out, LEFT, top + 16, "font-size=\"13\" font-weight=\"bold\""
	     " fill=\"#333333\"", p->axis);
	lx = RIGHT;
	for (int l = p->nr_lines - 1; l >= 0; l--) {
		lx -= 24 + CHAR_W * (double)strlen(p->lines[l].label);
		strbuf_addf(out, "<rect x=\"%.1f\" y=\"%.1f\" width=\"12\""
			    " height=\"12\" fill=\"%s\"/>\n", lx, top + 6,
			    p->lines[l].colour);
		text(out, lx + 16, top + 16,
		     "font-size=\"12\" fill=\"#333333\"", p->lines[l].label);
	}
	if (first && c->marked) {
		lx -= 24 + CHAR_W * (double)strlen(c->marked_label);
		mark(out, lx + 6, top + 4, top + 20);
		text(out, lx + 16, top + 16,
		     "font-size=\"12\" fill=\"#333333\"", c->marked_label);
	}
	top += PANEL_HEAD;
	for (int t = 0; t * step <= ymax + step / 2; t++) {
		double y = top + PLOT - t * step / ymax * PLOT;

		strbuf_addf(out, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\""
			    " y2=\"%.1f\" stroke=\"%s\" stroke-width=\"1\"/>\n",
			    LEFT, y, RIGHT, y, t ? "#e0e0e0" : "#555555");
		number(label, sizeof(label), t * step, prefix);
		text(out, LEFT - 6, y + 4, "font-size=\"11\" fill=\"#555555\""
		     " text-anchor=\"end\"", label);
	}
	strbuf_addf(out, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\""
		    " stroke=\"#555555\" stroke-width=\"1\"/>\n", LEFT, top,
		    LEFT, top + PLOT);
	if (!c->nr_x && first)
		text(out, (LEFT + RIGHT) / 2.0, top + PLOT / 2.0,
		     "font-size=\"14\" fill=\"#777777\" text-anchor=\"middle\"",
		     c->empty);
	for (int i = 0; c->marked && i < c->nr_x; i++)
		if (c->marked[i] > 0)
			mark(out, point_x(i, c->nr_x), top, top + PLOT);
	for (int l = 0; l < p->nr_lines; l++)
		line(out, &p->lines[l], c->nr_x, top, ymax);
}

/* The x axis under the last panel: a label every few points, the last
 * one always, and the axis' title. */
static void x_axis(struct strbuf *out, const struct svg_chart *c, double y)
{
	int every = (c->nr_x + X_LABELS - 1) / X_LABELS;
	char label[32];

	for (int i = 0; i < c->nr_x; i++) {
		if (i % every && i != c->nr_x - 1)
			continue;
		if (i == c->nr_x - 1 && i % every && i % every < every / 2)
			continue;
		strbuf_addf(out, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\""
			    " y2=\"%.1f\" stroke=\"#555555\"/>\n",
			    point_x(i, c->nr_x), y, point_x(i, c->nr_x), y + 4);
		snprintf(label, sizeof(label), "%lld", c->x[i]);
		text(out, point_x(i, c->nr_x), y + 17, "font-size=\"11\""
		     " fill=\"#555555\" text-anchor=\"middle\"", label);
	}
	text(out, (LEFT + RIGHT) / 2.0, y + 38, "font-size=\"12\""
	     " fill=\"#333333\" text-anchor=\"middle\"", c->x_axis);
}

void svg_chart(struct strbuf *out, const struct svg_chart *c)
{
	int height = HEAD + c->nr_panels * (PANEL_HEAD + PLOT + PANEL_GAP) +
		     FOOT;
	double top = HEAD;

	strbuf_addf(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		    "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\""
		    " height=\"%d\" viewBox=\"0 0 %d %d\""
		    " font-family=\"sans-serif\">\n<title>", WIDTH, height,
		    WIDTH, height);
	utf8_add_xml(out, c->title, 1);
	strbuf_addstr(out, "</title>\n<rect width=\"100%\" height=\"100%\""
		      " fill=\"#ffffff\"/>\n");
	text(out, 16, 28, "font-size=\"18\" font-weight=\"bold\""
	     " fill=\"#222222\"", c->title);
	if (c->subtitle)
		text(out, 16, 48, "font-size=\"12\" fill=\"#666666\"",
		     c->subtitle);
	for (int p = 0; p < c->nr_panels; p++) {
		panel(out, c, &c->panels[p], top, !p);
		top += PANEL_HEAD + PLOT + PANEL_GAP;
	}
	x_axis(out, c, top - PANEL_GAP);
	strbuf_addstr(out, "</svg>\n");
}
