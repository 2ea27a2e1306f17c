/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * CSV fields (common/csv.h): plain words as they are, anything with a
 * comma, a double quote, CR or LF quoted by RFC 4180.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "common/csv.h"
#include "common/strbuf.h"

/* The field s as csv_add_field() writes it, after "x," to see that it
 * appends. */
static void field_is(const char *s, const char *want)
{
	struct strbuf out = STRBUF_INIT;

	strbuf_addstr(&out, "x,");
	csv_add_field(&out, s);
	assert_string_equal(out.buf + 2, want);
	assert_memory_equal(out.buf, "x,", 2);
	strbuf_release(&out);
}

static void test_plain(void **state)
{
	(void)state;
	field_is("control", "control");
	field_is("", "");
	field_is(NULL, "");
	field_is("a b;c\tdé", "a b;c\tdé");
	field_is("2026-11-24T18:00:00Z", "2026-11-24T18:00:00Z");
}

static void test_quoted(void **state)
{
	(void)state;
	field_is("all,full", "\"all,full\"");
	field_is("say \"hi\"", "\"say \"\"hi\"\"\"");
	field_is("\"", "\"\"\"\"");
	field_is("two\nlines", "\"two\nlines\"");
	field_is("cr\rhere", "\"cr\rhere\"");
	field_is(",\",\r\n", "\",\"\",\r\n\"");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain),
		cmocka_unit_test(test_quoted),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
