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
	xmlDocPtr doc;

	strbuf_reset(out);
	svg_chart(out, &c);
	doc = xmlReadMemory(out->buf, out->len, "chart.svg", NULL,
			    XML_PARSE_NONET | XML_PARSE_NOERROR |
			    XML_PARSE_NOWARNING);
	assert_non_null(doc);
	assert_string_equal((const char *)xmlDocGetRootElement(doc)->name,
			    "svg");
	xmlFreeDoc(doc);
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
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
