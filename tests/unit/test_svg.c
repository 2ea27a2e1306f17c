/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <libxml/parser.h>

#include "common/strbuf.h"
#include "common/svg.h"

/* Occurrences of s in text. */
static int count(const char *text, const char *s)
{
	int n = 0;

	for (const char *p = text; (p = strstr(p, s)); p += strlen(s))
		n++;
	return n;
}

/* Parse the document in out: it must be well-formed SVG. */
static void check_document(const struct strbuf *out)
{
	xmlDocPtr doc;

	doc = xmlReadMemory(out->buf, out->len, "chart.svg", NULL,
			    XML_PARSE_NONET | XML_PARSE_NOERROR |
			    XML_PARSE_NOWARNING);
	assert_non_null(doc);
	assert_string_equal((const char *)xmlDocGetRootElement(doc)->name,
			    "svg");
	xmlFreeDoc(doc);
}

/* The chart of one panel of one line through y, as a checked document. */
static void render(struct strbuf *out, const double *y, int n, int whole,
		   const char *title)
{
	static double at[100];
	const struct svg_line line = { "files/s", "#1f77b4", y };
	const struct svg_panel panel = { "Files per second", &line, 1, whole };
	const struct svg_chart c = {
		.title = title, .x_axis = "scan", .empty = "no scan yet",
		.x = at, .nr_x = n, .panels = &panel, .nr_panels = 1,
	};

	for (int i = 0; i < n; i++)
		at[i] = 1795000000 + 3600.0 * i;
	strbuf_reset(out);
	svg_chart(out, &c);
	check_document(out);
}

/* Text from elsewhere is escaped, so the document stays well formed. */
static void test_escaped(void **state)
{
	struct strbuf out = STRBUF_INIT;
	const double y[] = { 1, 2 };

	(void)state;
	render(&out, y, 2, 0, "a <b> & \"c\"");
	assert_int_equal(count(out.buf, "a &lt;b&gt; &amp; &quot;c&quot;"),
			 2);
	strbuf_release(&out);
}

/* A missing value breaks the line; a point alone is a dot. */
static void test_gaps(void **state)
{
	struct strbuf out = STRBUF_INIT;
	double y[100];

	(void)state;
	for (int i = 0; i < 100; i++)
		y[i] = i;
	y[50] = NAN;
	y[98] = NAN;
	render(&out, y, 100, 0, "t");
	assert_int_equal(count(out.buf, "<polyline"), 2);
	/* many points: only the one alone (99) is a dot */
	assert_int_equal(count(out.buf, "<circle"), 1);
	render(&out, y, 10, 0, "t");
	assert_int_equal(count(out.buf, "<polyline"), 1);
	assert_int_equal(count(out.buf, "<circle"), 10);
	strbuf_release(&out);
}

/* Counts of things have no tick between 0 and 1; round steps. */
static void test_ticks(void **state)
{
	struct strbuf out = STRBUF_INIT;
	const double zero[] = { 0, 0 }, big[] = { 12500, 31000 };

	(void)state;
	render(&out, zero, 2, 1, "t");
	assert_int_equal(count(out.buf, ">0.25<"), 0);
	assert_int_equal(count(out.buf, ">4<"), 1);
	render(&out, zero, 2, 0, "t");
	assert_int_equal(count(out.buf, ">0.25<"), 1);
	render(&out, big, 2, 0, "t");
	assert_int_equal(count(out.buf, ">10k<"), 1);
	assert_int_equal(count(out.buf, ">40k<"), 1);
	assert_int_equal(count(out.buf, ">50k<"), 0);
	strbuf_release(&out);
}

/* Every tick of an axis in one format, the prefix its largest needs:
 * never "15k" over "5000", nor "1.2M" over "800k". */
static void test_one_format(void **state)
{
	struct strbuf out = STRBUF_INIT;
	const double k[] = { 3000, 15000 }, m[] = { 1, 1.2e6 };
	const double small[] = { 1, 7000 };

	(void)state;
	render(&out, k, 2, 1, "t");
	assert_int_equal(count(out.buf, ">5k<"), 1);
	assert_int_equal(count(out.buf, ">10k<"), 1);
	assert_int_equal(count(out.buf, ">15k<"), 1);
	assert_int_equal(count(out.buf, ">5000<"), 0);
	assert_int_equal(count(out.buf, ">0k<"), 0);
	render(&out, m, 2, 1, "t");
	assert_int_equal(count(out.buf, ">0.5M<"), 1);
	assert_int_equal(count(out.buf, ">1M<"), 1);
	assert_int_equal(count(out.buf, ">500k<"), 0);
	/* a largest tick below 10000: no prefix on any tick */
	render(&out, small, 2, 1, "t");
	assert_int_equal(count(out.buf, ">2000<"), 1);
	assert_int_equal(count(out.buf, ">8000<"), 1);
	assert_int_equal(count(out.buf, "k<"), 0);
	strbuf_release(&out);
}

/* Marked points (full scans) are an upright dashed line in each panel,
 * with one legend entry; unmarked and NAN ones are not. */
static void test_marks(void **state)
{
	static const double at[5] = { 1e9, 1e9 + 60, 1e9 + 120,
				       1e9 + 180, 1e9 + 240 };
	const double y[] = { 1, 2, 3, 4, 5 };
	const double marked[] = { 0, 1, 0, NAN, 1 };
	const struct svg_line line = { "files/s", "#1f77b4", y };
	const struct svg_panel panels[] = {
		{ "Files per second", &line, 1, 0 },
		{ "Duration", &line, 1, 0 },
	};
	struct svg_chart c = {
		.title = "t", .x_axis = "scan", .empty = "no scan yet",
		.x = at, .nr_x = 5, .panels = panels, .nr_panels = 2,
		.marked = marked, .marked_label = "full scan",
	};
	struct strbuf out = STRBUF_INIT;

	(void)state;
	svg_chart(&out, &c);
	check_document(&out);
	/* two points in two panels, and the legend's */
	assert_int_equal(count(out.buf, "stroke-dasharray"), 5);
	assert_int_equal(count(out.buf, ">full scan<"), 1);
	strbuf_reset(&out);
	c.marked = NULL;
	svg_chart(&out, &c);
	assert_int_equal(count(out.buf, "stroke-dasharray"), 0);
	assert_int_equal(count(out.buf, ">full scan<"), 0);
	strbuf_release(&out);
}

/* No history: the axes and a line saying so, no line drawn. */
static void test_empty(void **state)
{
	struct strbuf out = STRBUF_INIT;

	(void)state;
	render(&out, NULL, 0, 0, "t");
	assert_int_equal(count(out.buf, ">no scan yet<"), 1);
	assert_int_equal(count(out.buf, "<polyline"), 0);
	assert_int_equal(count(out.buf, "<circle"), 0);
	strbuf_release(&out);
}

/* The smallest font-size of the document in out, and whether every
 * text's x lies inside its width. */
static int smallest_font(const struct strbuf *out, int width)
{
	int least = 1000;

	for (const char *p = out->buf; (p = strstr(p, "font-size=\""));
	     p++)
		if (atoi(p + 11) < least)
			least = atoi(p + 11);
	for (const char *p = out->buf; (p = strstr(p, "<text x=\"")); p++) {
		assert_true(atof(p + 9) >= 0);
		assert_true(atof(p + 9) <= width);
	}
	return least;
}

/* The chart of y at the times at, wide or narrow, checked. */
static void render_at(struct strbuf *out, const double *at, int n,
		      int narrow)
{
	static const double y[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	const struct svg_line line = { "files/s", "#1f77b4", y };
	const struct svg_line lines[] = {
		line, { "completed", "#17becf", y }, { "imported", "#000", y },
	};
	const struct svg_panel panel = { "Releases handed off per check",
					 lines, 3, 1 };
	const struct svg_chart c = {
		.title = "mediamon: missing and new volume checks",
		.subtitle = "42 scans, 11-20 16:00 to 11-23 16:46 UTC",
		.x_axis = "scan started (UTC)", .empty = "no scan yet",
		.x = at, .nr_x = n, .panels = &panel, .nr_panels = 1,
		.narrow = narrow,
	};

	strbuf_reset(out);
	svg_chart(out, &c);
	check_document(out);
	assert_true(smallest_font(out, narrow ? SVG_NARROW_WIDTH :
				  SVG_WIDTH) >= 12);
}

/* Points stand at their times, not one step apart; the axis is
 * labelled at round times in the format their step wants. */
static void test_time_axis(void **state)
{
	/* 2026-11-20 00:00 UTC, then one, two and ten hours later */
	const double at[] = { 1795132800, 1795136400, 1795140000,
			      1795168800 };
	const double days[] = { 1795132800, 1795132800 + 86400 * 5 };
	const double same[] = { 1795136400, 1795136400 };
	const double back[] = { 1795136400, 1795132800, 1795140000 };
	struct strbuf out = STRBUF_INIT;
	const char *p;

	(void)state;
	render_at(&out, at, 4, 0);
	/* the second dot is near the first: 1 h of 10 */
	p = strstr(out.buf, "<circle cx=\"");
	assert_non_null(p);
	assert_true(atof(p + 12) < 100);
	p = strstr(p + 1, "<circle cx=\"");
	assert_true(atof(p + 12) < 160);
	assert_int_equal(count(out.buf, ">00:00<"), 1);
	assert_int_equal(count(out.buf, ">03:00<"), 1);
	assert_int_equal(count(out.buf, ">scan started (UTC)<"), 1);
	render_at(&out, days, 2, 0);
	assert_int_equal(count(out.buf, ">11-20<"), 1);
	assert_int_equal(count(out.buf, ">11-25<"), 1);
	render_at(&out, same, 2, 0);
	assert_int_equal(count(out.buf, ">2026-11-20 01:00<"), 1);
	/* a clock gone back: every point still inside the plot */
	render_at(&out, back, 3, 0);
	for (p = out.buf; (p = strstr(p, "<circle cx=\"")); p++)
		assert_true(atof(p + 12) >= 72 && atof(p + 12) <= 776);
	strbuf_release(&out);
}

/* A narrow chart is SVG_NARROW_WIDTH wide, its legend under its
 * heading, a few labels only; neither width writes under 12 px, nor
 * outside the chart. */
static void test_narrow(void **state)
{
	double at[8];
	struct strbuf out = STRBUF_INIT;
	char head[64];

	(void)state;
	for (int i = 0; i < 8; i++)
		at[i] = 1795132800 + 86400.0 * 3 * i;
	render_at(&out, at, 8, 1);
	snprintf(head, sizeof(head), "width=\"%d\"", SVG_NARROW_WIDTH);
	assert_non_null(strstr(out.buf, head));
	assert_true(count(out.buf, "text-anchor=\"middle\">1") <= 4);
	render_at(&out, at, 8, 0);
	snprintf(head, sizeof(head), "width=\"%d\"", SVG_WIDTH);
	assert_non_null(strstr(out.buf, head));
	strbuf_release(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escaped),
		cmocka_unit_test(test_gaps),
		cmocka_unit_test(test_ticks),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_one_format),
		cmocka_unit_test(test_marks),
		cmocka_unit_test(test_time_axis),
		cmocka_unit_test(test_narrow),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
