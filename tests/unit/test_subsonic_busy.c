/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The cap on each account's Subsonic answers in progress: one account
 * held at its cap while another goes on, the refusal logged once while
 * it lasts, an answer ended counted back, the cap changed on reload.
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
#include "fs/subsonic/subsonic_busy.h"

/* How many lines of the log's ring since from say the cap of account
 * is met. */
static int cap_lines(uint64_t from, const char *account)
{
	struct strbuf ring = STRBUF_INIT, line = STRBUF_INIT;
	const char *p;
	int n = 0;

	log_ring_since(from, &ring);
	strbuf_addf(&line, "http: %s has ", account);
	for (p = ring.buf; p && (p = strstr(p, line.buf)); p++)
		n++;
	strbuf_release(&line);
	strbuf_release(&ring);
	return n;
}

static void test_cap_per_account(void **state)
{
	uint64_t from = log_ring_end();

	(void)state;
	subsonic_busy_set(2);
	assert_int_equal(subsonic_busy_begin("alice"), 0);
	assert_int_equal(subsonic_busy_begin("alice"), 0);
	/* the third waits for no thread: refused at once, logged once */
	for (int i = 0; i < 5; i++)
		assert_int_equal(subsonic_busy_begin("alice"), -EBUSY);
	assert_int_equal(cap_lines(from, "alice"), 1);
	/* another account is not held by alice's */
	assert_int_equal(subsonic_busy_begin("bob"), 0);
	assert_int_equal(subsonic_busy_begin("bob"), 0);
	assert_int_equal(subsonic_busy_begin("bob"), -EBUSY);
	/* one ended: one more */
	subsonic_busy_end("alice");
	assert_int_equal(subsonic_busy_begin("alice"), 0);
	assert_int_equal(subsonic_busy_begin("alice"), -EBUSY);
	assert_int_equal(cap_lines(from, "alice"), 1);
	/* all ended: the cap met again is a new line */
	subsonic_busy_end("alice");
	subsonic_busy_end("alice");
	assert_int_equal(subsonic_busy_begin("alice"), 0);
	assert_int_equal(subsonic_busy_begin("alice"), 0);
	assert_int_equal(subsonic_busy_begin("alice"), -EBUSY);
	assert_int_equal(cap_lines(from, "alice"), 2);
	for (int i = 0; i < 2; i++) {
		subsonic_busy_end("alice");
		subsonic_busy_end("bob");
	}
	/* an end with no answer counted changes nothing */
	subsonic_busy_end("carol");
	assert_int_equal(subsonic_busy_begin("carol"), 0);
	subsonic_busy_end("carol");
}

static void test_cap_set_on_reload(void **state)
{
	(void)state;
	subsonic_busy_set(1);
	assert_int_equal(subsonic_busy_begin("alice"), 0);
	assert_int_equal(subsonic_busy_begin("alice"), -EBUSY);
	subsonic_busy_set(3);
	assert_int_equal(subsonic_busy_begin("alice"), 0);
	assert_int_equal(subsonic_busy_begin("alice"), 0);
	assert_int_equal(subsonic_busy_begin("alice"), -EBUSY);
	/* below 1 is 1: an account is never refused everything */
	subsonic_busy_set(0);
	for (int i = 0; i < 3; i++)
		subsonic_busy_end("alice");
	assert_int_equal(subsonic_busy_begin("alice"), 0);
	assert_int_equal(subsonic_busy_begin("alice"), -EBUSY);
	subsonic_busy_end("alice");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cap_per_account),
		cmocka_unit_test(test_cap_set_on_reload),
	};

	log_set_stderr(0);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
