/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The log's ring (common/log): lines of one format beyond the burst within
 * the window are counted, not kept, and said in one summary line when
 * /log is read; other formats and the lines before stay.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "common/log.h"
#include "common/strbuf.h"

/* How many lines of the ring hold needle. */
static int lines_with(const char *text, const char *needle)
{
	int n = 0;

	for (const char *p = text; (p = strstr(p, needle)); p++)
		n++;
	return n;
}

static void test_same_format_folded(void **state)
{
	struct strbuf out = STRBUF_INIT;

	(void)state;
	log_info("scan 1 started");
	for (int i = 0; i < 3000; i++) {
		log_warn("analysis: /m/t%d.mp3: not audio", i);
		if (i % 1000 == 0)
			log_info("between %d", i);
	}
	log_info("scan 1 finished");
	log_ring_dump(&out);
	assert_int_equal(lines_with(out.buf, "scan 1 started"), 1);
	assert_int_equal(lines_with(out.buf, "scan 1 finished"), 1);
	assert_int_equal(lines_with(out.buf, "between "), 3);
	/* the burst, then one summary naming the count and the last */
	assert_int_equal(lines_with(out.buf, "not audio\n"), 20 + 1);
	assert_non_null(strstr(out.buf, "warn: log: 2980 more lines like this"
			       " one left out (over 20 in 60 s), the last:"
			       " analysis: /m/t2999.mp3: not audio\n"));
	strbuf_release(&out);

	/* said once: a second read adds no summary, a line more is left out
	 * again and said at the next read */
	log_warn("analysis: /m/t%d.mp3: not audio", 3000);
	log_ring_dump(&out);
	assert_int_equal(lines_with(out.buf, "more lines like this"), 2);
	assert_non_null(strstr(out.buf, "warn: log: 1 more lines like this"
			       " one left out (over 20 in 60 s), the last:"
			       " analysis: /m/t3000.mp3: not audio\n"));
	strbuf_release(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_format_folded),
	};

	log_set_stderr(0);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
