/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <libxml/parser.h>

#include "common/strbuf.h"
#include "common/svg.h"
#include "common/utf8.h"

#define FFFD "\xef\xbf\xbd"

/* One class of what a name or tag may hold, and what XML gets of it. */
static const struct {
	const char *in, *out;
} classes[] = {
	/* kept as they are */
	{ "plain ASCII", "plain ASCII" },
	{ "tab\there\nline\rend", "tab\there\nline\rend" },
	{ "caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac", NULL },
	{ "U+0085 \xc2\x85 U+00A0 \xc2\xa0", NULL },
	{ "U+D7FF \xed\x9f\xbf U+E000 \xee\x80\x80", NULL },
	{ "U+FDCF \xef\xb7\x8f U+FDF0 \xef\xb7\xb0", NULL },
	{ "U+FFFD \xef\xbf\xbd U+FFFC \xef\xbf\xbc", NULL },
	{ "astral \xf0\x9f\x8e\xb5 \xf0\x90\x80\x80 \xf4\x8f\xbf\xbd", NULL },
	/* C0 controls but tab and line breaks */
	{ "a\x01" "b\x08" "c\x0b" "d\x0c" "e\x1f" "f",
	  "a" FFFD "b" FFFD "c" FFFD "d" FFFD "e" FFFD "f" },
	/* DEL and the C1 controls but U+0085 */
	{ "\x7f|\xc2\x80|\xc2\x84|\xc2\x86|\xc2\x9f",
	  FFFD "|" FFFD "|" FFFD "|" FFFD "|" FFFD },
	/* surrogates, as a file name's bytes may hold them */
	{ "x\xed\xa0\x80y\xed\xbf\xbfz",
	  "x" FFFD FFFD FFFD "y" FFFD FFFD FFFD "z" },
	/* the two noncharacters XML 1.0 has no place for */
	{ "\xef\xbf\xbe-\xef\xbf\xbf", FFFD "-" FFFD },
	/* the other noncharacters */
	{ "\xef\xb7\x90-\xef\xb7\xaf-\xf0\x9f\xbf\xbe-\xf4\x8f\xbf\xbf",
	  FFFD "-" FFFD "-" FFFD "-" FFFD },
	/* bytes that are no UTF-8: cut, overlong, stray, past U+10FFFF */
	{ "\xc3|\xc0\xaf|\x80|\xf4\x90\x80\x80|\xff",
	  FFFD "|" FFFD FFFD "|" FFFD "|" FFFD FFFD FFFD FFFD "|" FFFD },
};

/* Parse doc strictly: it must be well-formed, its root element's text
 * (or NULL) want. */
static void check_parses(const char *doc, const char *want)
{
	xmlDocPtr d = xmlReadMemory(doc, (int)strlen(doc), "t.xml", "UTF-8",
				    XML_PARSE_NONET | XML_PARSE_NOERROR |
				    XML_PARSE_NOWARNING);
	xmlChar *text;

	assert_non_null(d);
	if (want) {
		text = xmlNodeGetContent(xmlDocGetRootElement(d));
		assert_string_equal((const char *)text, want);
		xmlFree(text);
	}
	xmlFreeDoc(d);
}

/* Each class as an element's text and as an attribute, in a document. */
static void test_classes(void **state)
{
	struct strbuf out = STRBUF_INIT, doc = STRBUF_INIT;

	(void)state;
	for (size_t i = 0; i < sizeof(classes) / sizeof(*classes); i++) {
		const char *want = classes[i].out ? classes[i].out :
				   classes[i].in;

		strbuf_reset(&out);
		utf8_add_xml(&out, classes[i].in, 1);
		assert_string_equal(out.buf, want);
		strbuf_reset(&out);
		utf8_add_xml(&out, classes[i].in, 0);
		assert_string_equal(out.buf, want);
		strbuf_reset(&doc);
		strbuf_addstr(&doc, "<r a=\"");
		utf8_add_xml(&doc, classes[i].in, 1);
		strbuf_addstr(&doc, "\">");
		utf8_add_xml(&doc, classes[i].in, 1);
		strbuf_addstr(&doc, "</r>");
		/* a parser reads a line break of \r as \n */
		check_parses(doc.buf, strchr(want, '\r') ? NULL : want);
	}
	strbuf_release(&out);
	strbuf_release(&doc);
}

/* The markup is escaped when asked, kept for a writer that escapes. */
static void test_markup(void **state)
{
	struct strbuf out = STRBUF_INIT;

	(void)state;
	utf8_add_xml(&out, "a <b> & \"c\" 'd'", 1);
	assert_string_equal(out.buf,
			    "a &lt;b&gt; &amp; &quot;c&quot; 'd'");
	strbuf_reset(&out);
	utf8_add_xml(&out, "a <b> & \"c\"\x01", 0);
	assert_string_equal(out.buf, "a <b> & \"c\"" FFFD);
	strbuf_release(&out);
}

/* A line of fields: a tab between two, control characters in one made
 * spaces, bytes not UTF-8 U+FFFD, a line break after the last. */
static void test_line(void **state)
{
	struct strbuf out = STRBUF_INIT;

	(void)state;
	utf8_add_line(&out, "a\tb", "", "c\xff", NULL);
	utf8_add_line(&out, "one", NULL);
	assert_string_equal(out.buf, "a b\t\tc" FFFD "\none\n");
	strbuf_release(&out);
}

/* An SVG chart's title of every class is a well-formed document. */
static void test_svg(void **state)
{
	const double y[] = { 1, 2 };
	const double x[] = { 1e9, 2e9 };
	struct svg_line line = { "l", "#000000", y };
	struct svg_panel panel = { "p", &line, 1, 1 };
	struct strbuf out = STRBUF_INIT, title = STRBUF_INIT;
	struct svg_chart c = {
		.x_axis = "x", .empty = "none", .x = x, .nr_x = 2,
		.panels = &panel, .nr_panels = 1,
	};

	(void)state;
	for (size_t i = 0; i < sizeof(classes) / sizeof(*classes); i++)
		strbuf_addstr(&title, classes[i].in);
	c.title = title.buf;
	svg_chart(&out, &c);
	check_parses(out.buf, NULL);
	strbuf_release(&out);
	strbuf_release(&title);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_classes),
		cmocka_unit_test(test_markup),
		cmocka_unit_test(test_line),
		cmocka_unit_test(test_svg),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
