/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Control input as people type it (fs/tree/control.h): blanks and a line end
 * around a command dropped, a second line or a NUL refused with its
 * reason, and the one log line of a refused write.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "common/log.h"
#include "common/strbuf.h"
#include "fs/tree/control.h"

/* control_text() of the len bytes at in: out holds the text. */
static int text(const char *in, size_t len, char *out, size_t max)
{
	memset(out, 'X', max);
	return control_text(in, len, out, max);
}

static void test_as_typed(void **state)
{
	static const struct {
		const char *in;
		const char *out;
	} good[] = {
		{ "1", "1" }, { "1\n", "1" }, { "1\r\n", "1" },
		{ " 1 ", "1" }, { "\t1\t\n", "1" }, { "  full \r\n", "full" },
		{ "retry  X \n", "retry  X" }, { "\n", "" }, { "   ", "" },
		{ "\r\n", "" }, { "", "" },
	};
	char out[16];

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		int n = text(good[i].in, strlen(good[i].in), out, sizeof(out));

		assert_int_equal(n, strlen(good[i].out));
		assert_string_equal(out, good[i].out);
	}
	/* the blanks do not count toward the length */
	assert_int_equal(text("   123456789012345   \r\n", 23, out,
			      sizeof(out)), 15);
}

static void test_refused(void **state)
{
	static const char *const bad[] = {
		"1\n1", "1\n\n", "1\r\r\n", "a\rb", "1234567890123456",
	};
	char out[16];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(text(bad[i], strlen(bad[i]), out,
				      sizeof(out)), -EINVAL);
	assert_int_equal(text("a\0b", 3, out, sizeof(out)), -EINVAL);
}

/* The last line of /log. */
static void last_line(struct strbuf *line)
{
	struct strbuf all = STRBUF_INIT;
	char *end, *start;

	log_ring_dump(&all);
	end = all.buf + all.len - 1;
	*end = '\0';
	start = strrchr(all.buf, '\n');
	strbuf_reset(line);
	strbuf_addstr(line, start ? start + 1 : all.buf);
	strbuf_release(&all);
}

static void test_refusal_logged(void **state)
{
	struct strbuf line = STRBUF_INIT, long_input = STRBUF_INIT;
	char out[16];

	(void)state;
	log_set_stderr(0);
	assert_int_equal(text("1\n1\n", 4, out, sizeof(out)), -EINVAL);
	control_log_refused("/control/rescan", "1\n1\n", 4, -EINVAL);
	last_line(&line);
	assert_non_null(strstr(line.buf, "control: /control/rescan refused"
			       " \"1\\n1\\n\" (4 bytes): one command a write"));
	/* no reason noted: the errno's, and none left over from before */
	control_log_refused("/control/pause", "2\x01\xff", 3, -EINVAL);
	last_line(&line);
	assert_non_null(strstr(line.buf, "/control/pause refused"
			       " \"2\\x01\\xff\" (3 bytes): not a command it"
			       " takes"));
	control_log_refused("/control/check-new", "1", 1, -EPERM);
	last_line(&line);
	assert_non_null(strstr(line.buf, "switched off"));
	for (int i = 0; i < 100; i++)
		strbuf_addch(&long_input, 'x');
	control_log_refused("/control/rescan", long_input.buf, long_input.len,
			    -EINVAL);
	last_line(&line);
	assert_non_null(strstr(line.buf, "xxx\"... (100 bytes)"));
	assert_null(strstr(line.buf, "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
			    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"));
	strbuf_release(&long_input);
	strbuf_release(&line);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_as_typed),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_refusal_logged),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
