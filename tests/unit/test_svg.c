/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
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
	static const long long ids[100] = { 0 };
	const struct svg_line line = { "files/s", "#1f77b4", y };
	const struct svg_panel panel = { "Files per second", &line, 1, whole };
	const struct svg_chart c = {
		.title = title, .x_axis = "scan", .empty = "no scan yet",
		.x = ids, .nr_x = n, .panels = &panel, .nr_panels = 1,
	};

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
	static const long long ids[5] = { 1, 2, 3, 4, 5 };
	const double y[] = { 1, 2, 3, 4, 5 };
	const double marked[] = { 0, 1, 0, NAN, 1 };
	const struct svg_line line = { "files/s", "#1f77b4", y };
	const struct svg_panel panels[] = {
		{ "Files per second", &line, 1, 0 },
		{ "Duration", &line, 1, 0 },
	};
	struct svg_chart c = {
		.title = "t", .x_axis = "scan", .empty = "no scan yet",
		.x = ids, .nr_x = 5, .panels = panels, .nr_panels = 2,
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escaped),
		cmocka_unit_test(test_gaps),
		cmocka_unit_test(test_ticks),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_one_format),
		cmocka_unit_test(test_marks),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
