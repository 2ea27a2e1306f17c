/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Line charts as SVG text (svg.h): geometry, axes, ticks, legends and
 * lines. It reads no store; callers hand it the series.
 */
#include "common/svg.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "common/strbuf.h"
#include "common/utf8.h"

/* The geometry, in pixels, of both widths. */
#define HEAD		64	/* title and subtitle */
#define PLOT		170	/* a panel's plot */
#define PANEL_GAP	16
#define FOOT		52	/* the x axis' labels and title */
#define PAD		10	/* between the y axis and the first point */
#define Y_TICKS		4
#define CHAR_W		7	/* the mean width of a 12 px character */
#define MARK_COLOUR	"#9467bd"	/* marked points' lines */

/* Where a chart's parts go: from its width, and the times it spans. */
struct frame {
	int width;
	int left;		/* the y axis; its labels are left of it */
	int right;
	int panel_head;		/* a panel's heading and its legend */
	int legend_under;	/* the legend in a row under the heading */
	int x_labels;		/* at most */
	int dots_up_to;		/* points drawn as dots when this few */
	double t0, t1;		/* the earliest and latest point's times */
};

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

static double point_x(const struct frame *f, double t)
{
	if (!(f->t1 > f->t0))
		return (f->left + f->right) / 2.0;
	return f->left + PAD + (t - f->t0) / (f->t1 - f->t0) *
	       (f->right - f->left - 2 * PAD);
}

/* The line's points, a polyline per run of known values; dots too when
 * there are few points, and always for a point alone. */
static void line(struct strbuf *out, const struct svg_chart *c,
		 const struct frame *f, const struct svg_line *l, double top,
		 double ymax)
{
	int n = c->nr_x;

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
					    j > i ? " " : "",
					    point_x(f, c->x[j]),
					    top + PLOT - l->y[j] / ymax * PLOT);
			strbuf_addstr(out, "\"/>\n");
		}
		for (int j = i; j < end; j++)
			if (n <= f->dots_up_to || end - i == 1)
				strbuf_addf(out, "<circle cx=\"%.1f\""
					    " cy=\"%.1f\" r=\"3\""
					    " fill=\"%s\"/>\n",
					    point_x(f, c->x[j]), top + PLOT -
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

/* The legend of panel p (and the marks', in the first), right of its
 * heading at y, or in a row of its own under it, from the left. */
static void legend(struct strbuf *out, const struct svg_chart *c,
		   const struct frame *f, const struct svg_panel *p,
		   double y, int first)
{
	int marks = first && c->marked, all = p->nr_lines + marks;
	double x = f->legend_under ? 16 : f->right;

	/* left to right: the marks', then the lines' */
	for (int k = 0; k < all; k++) {
		int l = (f->legend_under ? k : all - 1 - k) - marks;
		const char *label = l < 0 ? c->marked_label :
				    p->lines[l].label;
		double w = 24 + CHAR_W * (double)strlen(label);

		if (!f->legend_under)
			x -= w;
		if (l < 0)
			mark(out, x + 6, y - 12, y + 4);
		else
			strbuf_addf(out, "<rect x=\"%.1f\" y=\"%.1f\""
				    " width=\"12\" height=\"12\""
				    " fill=\"%s\"/>\n", x, y - 10,
				    p->lines[l].colour);
		text(out, x + 16, y, "font-size=\"12\" fill=\"#333333\"",
		     label);
		if (f->legend_under)
			x += w;
	}
}

/* One panel from y = top: heading and legend, grid, axis, lines. */
static void panel(struct strbuf *out, const struct svg_chart *c,
		  const struct frame *f, const struct svg_panel *p,
		  double top, int first)
{
	double max = 0, step, ymax;
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
	text(out, f->legend_under ? 16 : f->left, top + 16,
	     "font-size=\"13\" font-weight=\"bold\" fill=\"#333333\"",
	     p->axis);
	legend(out, c, f, p, f->legend_under ? top + 36 : top + 16, first);
	top += f->panel_head;
	for (int t = 0; t * step <= ymax + step / 2; t++) {
		double y = top + PLOT - t * step / ymax * PLOT;

		strbuf_addf(out, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\""
			    " y2=\"%.1f\" stroke=\"%s\" stroke-width=\"1\"/>\n",
			    f->left, y, f->right, y,
			    t ? "#e0e0e0" : "#555555");
		number(label, sizeof(label), t * step, prefix);
		text(out, f->left - 6, y + 4, "font-size=\"12\""
		     " fill=\"#555555\" text-anchor=\"end\"", label);
	}
	strbuf_addf(out, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\""
		    " stroke=\"#555555\" stroke-width=\"1\"/>\n", f->left, top,
		    f->left, top + PLOT);
	if (!c->nr_x && first)
		text(out, (f->left + f->right) / 2.0, top + PLOT / 2.0,
		     "font-size=\"14\" fill=\"#777777\" text-anchor=\"middle\"",
		     c->empty);
	for (int i = 0; c->marked && i < c->nr_x; i++)
		if (c->marked[i] > 0)
			mark(out, point_x(f, c->x[i]), top, top + PLOT);
	for (int l = 0; l < p->nr_lines; l++)
		line(out, c, f, &p->lines[l], top, ymax);
}

/* The round steps of a time axis, shortest first, and how a tick of
 * each is written (UTC). */
static const struct {
	double step;
	const char *format;
} steps[] = {
	{ 600, "%H:%M" }, { 1800, "%H:%M" }, { 3600, "%H:%M" },
	{ 3 * 3600, "%H:%M" }, { 6 * 3600, "%H:%M" },
	{ 12 * 3600, "%m-%d %H:%M" }, { 86400, "%m-%d" },
	{ 2 * 86400, "%m-%d" }, { 7 * 86400, "%m-%d" },
	{ 14 * 86400, "%m-%d" }, { 28 * 86400, "%m-%d" },
	{ 91 * 86400, "%Y-%m" }, { 365 * 86400, "%Y" },
};

/* One tick of the x axis at time t, its label centred under it but
 * kept inside the chart. */
static void x_tick(struct strbuf *out, const struct frame *f, double t,
		   const char *format, double y)
{
	time_t when = (time_t)t;
	double x = point_x(f, t), half;
	char label[32];
	struct tm tm;

	if (!gmtime_r(&when, &tm) ||
	    !strftime(label, sizeof(label), format, &tm))
		return;
	strbuf_addf(out, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\""
		    " y2=\"%.1f\" stroke=\"#555555\"/>\n", x, y, x, y + 4);
	half = CHAR_W * (double)strlen(label) / 2;
	x = fmin(fmax(x, half + 2), f->width - half - 2);
	text(out, x, y + 17, "font-size=\"12\" fill=\"#555555\""
	     " text-anchor=\"middle\"", label);
}

/* The x axis under the last panel: ticks at round times, as many as
 * fit, in the format their step wants (the day too when hours go past
 * midnight), or the one time of a chart whose points share it; and the
 * axis' title. */
static void x_axis(struct strbuf *out, const struct svg_chart *c,
		   const struct frame *f, double y)
{
	double span = f->t1 - f->t0, first;
	size_t i = 0;
	int ticks = 0;

	while (i + 1 < sizeof(steps) / sizeof(*steps) &&
	       floor(f->t1 / steps[i].step) - ceil(f->t0 / steps[i].step) +
	       1 > f->x_labels)
		i++;
	first = ceil(f->t0 / steps[i].step) * steps[i].step;
	for (double t = first; c->nr_x && span > 0 && t <= f->t1;
	     t += steps[i].step, ticks++)
		x_tick(out, f, t, steps[i].step < 12 * 3600 && span > 86400 ?
		       "%m-%d %H:%M" : steps[i].format, y);
	if (c->nr_x && !ticks)
		x_tick(out, f, f->t0, "%Y-%m-%d %H:%M", y);
	text(out, (f->left + f->right) / 2.0, y + 38, "font-size=\"12\""
	     " fill=\"#333333\" text-anchor=\"middle\"", c->x_axis);
}

static void frame_of(const struct svg_chart *c, struct frame *f)
{
	*f = (struct frame){
		.width = SVG_WIDTH, .left = 72, .right = SVG_WIDTH - 24,
		.panel_head = 28, .x_labels = 7, .dots_up_to = 60,
	};
	if (c->narrow)
		*f = (struct frame){
			.width = SVG_NARROW_WIDTH, .left = 44,
			.right = SVG_NARROW_WIDTH - 12, .panel_head = 46,
			.legend_under = 1, .x_labels = 3, .dots_up_to = 30,
		};
	/* the clock may have gone back between two points */
	for (int i = 0; i < c->nr_x; i++) {
		if (!i || c->x[i] < f->t0)
			f->t0 = c->x[i];
		if (!i || c->x[i] > f->t1)
			f->t1 = c->x[i];
	}
}

void svg_chart(struct strbuf *out, const struct svg_chart *c)
{
	struct frame f;
	int height;
	double top = HEAD;

	frame_of(c, &f);
	height = HEAD + c->nr_panels * (f.panel_head + PLOT + PANEL_GAP) +
		 FOOT;
	strbuf_addf(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		    "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\""
		    " height=\"%d\" viewBox=\"0 0 %d %d\""
		    " font-family=\"sans-serif\">\n<title>", f.width, height,
		    f.width, height);
	utf8_add_xml(out, c->title, 1);
	strbuf_addstr(out, "</title>\n<rect width=\"100%\" height=\"100%\""
		      " fill=\"#ffffff\"/>\n");
	text(out, 16, 28, c->narrow ? "font-size=\"14\" font-weight=\"bold\""
	     " fill=\"#222222\"" : "font-size=\"18\" font-weight=\"bold\""
	     " fill=\"#222222\"", c->title);
	if (c->subtitle)
		text(out, 16, 48, "font-size=\"12\" fill=\"#666666\"",
		     c->subtitle);
	for (int p = 0; p < c->nr_panels; p++) {
		panel(out, c, &f, &c->panels[p], top, !p);
		top += f.panel_head + PLOT + PANEL_GAP;
	}
	x_axis(out, c, &f, top - PANEL_GAP);
	strbuf_addstr(out, "</svg>\n");
}
