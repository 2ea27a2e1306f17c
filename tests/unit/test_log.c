/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The log ring read as a stream (common/log.h): places, partial lines,
 * and the lines the ring dropped; lines of one format beyond the burst
 * within the window counted, not kept, and said in one summary line when
 * the ring is read, the other formats and the lines before them kept;
 * control characters shown escaped.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "common/log.h"
#include "common/strbuf.h"

/* What the stream holds from from on, as a string, and its place. */
static uint64_t since(uint64_t from, struct strbuf *out)
{
	strbuf_reset(out);
	return log_ring_since(from, out);
}

static void test_stream(void **state)
{
	struct strbuf all = STRBUF_INIT, part = STRBUF_INIT;
	uint64_t start, end, at;
	size_t first;

	(void)state;
	log_set_stderr(0);
	log_msg(LOG_INFO, "stream one");
	start = since(0, &all);
	end = log_ring_end();
	assert_int_equal(start, log_ring_start());
	assert_int_equal(end - start, all.len);
	assert_true(all.len > 0 && all.buf[all.len - 1] == '\n');
	/* nothing after the end */
	assert_int_equal(since(end, &part), end);
	assert_int_equal(part.len, 0);
	/* a new line starts at the old end */
	log_msg(LOG_INFO, "stream two");
	assert_int_equal(since(end, &part), end);
	assert_non_null(strstr(part.buf, "info: stream two\n"));
	assert_int_equal(log_ring_end(), end + part.len);
	/* from inside a line: its rest */
	first = part.len;
	at = since(end + first - 4, &part);
	assert_int_equal(at, end + first - 4);
	assert_string_equal(part.buf, "two\n");
	strbuf_release(&all);
	strbuf_release(&part);
}

/* Lines the ring dropped are skipped: a place older than the oldest line
 * kept gives from that line on. */
static void test_dropped(void **state)
{
	struct strbuf out = STRBUF_INIT;
	static char fmt[LOG_RING_LINES + 5][24];
	uint64_t old = log_ring_end();

	(void)state;
	log_set_stderr(0);
	/* each line a format of its own, as lines of as many places in the
	 * code: the lines of one format beyond a burst would be folded */
	for (int i = 0; i < LOG_RING_LINES + 5; i++) {
		snprintf(fmt[i], sizeof(fmt[i]), "filler %%d");
		log_msg(LOG_INFO, fmt[i], i);
	}
	assert_true(log_ring_start() > old);
	assert_int_equal(since(old, &out), log_ring_start());
	assert_int_equal(out.len, log_ring_end() - log_ring_start());
	assert_non_null(strstr(out.buf, "info: filler 5\n"));
	assert_null(strstr(out.buf, "info: filler 4\n"));
	strbuf_release(&out);
}

/* How many times needle is in text. */
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
	log_set_stderr(0);
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

/* A name someone else chose is logged with its control characters shown,
 * not sent to the terminal that reads /log; newlines become spaces. */
static void test_controls_escaped(void **state)
{
	struct strbuf out = STRBUF_INIT, esc = STRBUF_INIT;
	uint64_t end = log_ring_end();

	(void)state;
	log_set_stderr(0);
	log_msg(LOG_INFO, "sent \"%s\"", "a\x1b[31mred\x07\tb\x7f\xc2\x9b" "c\n"
		"d\xc3\xa9");
	since(end, &out);
	assert_non_null(strstr(out.buf, "info: sent \"a\\x1b[31mred\\x07"
			       "\\x09b\\x7f\\xc2\\x9bc d\xc3\xa9\"\n"));
	log_escape("line\x1b\n", &esc);
	assert_string_equal(esc.buf, "line\\x1b\n");
	strbuf_release(&esc);
	strbuf_release(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stream),
		cmocka_unit_test(test_dropped),
		cmocka_unit_test(test_same_format_folded),
		cmocka_unit_test(test_controls_escaped),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
