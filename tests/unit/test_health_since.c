/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "fs/tree/health_since.h"

static double since(const char *line)
{
	return health_since_of(line, strlen(line));
}

static int reset(void **state)
{
	(void)state;
	health_since_reset();
	return 0;
}

/* A line holds since the first reading that showed it, its numbers
 * moving or not; "ok" and lines never shown hold since no time. */
static void test_kept_while_shown(void **state)
{
	(void)state;
	health_since_note("ok\n", 1, 100);
	assert_true(since("ok") == 0);
	health_since_note("error: scan 7 did not finish; it runs again in"
			  " 30 s (see /log)\nwarn: x\n", 1, 100);
	health_since_note("error: scan 7 did not finish; it runs again in"
			  " 4 s (see /log)\nwarn: x\n", 1, 160);
	assert_true(since("error: scan 12 did not finish; it runs again in"
			  " 1 s (see /log)") == 100);
	assert_true(since("warn: x") == 100);
	assert_true(since("warn: y") == 0);
	/* the end of the text needs no '\n' */
	health_since_note("warn: x\nwarn: y", 1, 170);
	assert_true(since("warn: x") == 100);
	assert_true(since("warn: y") == 170);
}

/* A whole reading that lacks a line ends it: back, it holds since its
 * return. A reading of some lines alone (a reader's who may not see
 * every series) ends none. */
static void test_forgotten_when_gone(void **state)
{
	(void)state;
	health_since_note("warn: a\nwarn: b\n", 1, 100);
	health_since_note("warn: a\n", 0, 200);
	assert_true(since("warn: b") == 100);
	health_since_note("warn: a\n", 1, 300);
	assert_true(since("warn: b") == 0);
	assert_true(since("warn: a") == 100);
	health_since_note("ok\n", 1, 400);
	assert_true(since("warn: a") == 0);
	health_since_note("warn: a\nwarn: b\n", 1, 500);
	assert_true(since("warn: a") == 500 && since("warn: b") == 500);
}

static void check_see(const char *line, const char *see)
{
	assert_string_equal(health_since_see(line, strlen(line)), see);
}

/* Where a line's fix is told, by its words; a line no words match
 * points at the health file's own entry. */
static void test_see(void **state)
{
	(void)state;
	check_see("warn: music root /srv/music is unavailable (empty): its"
		  " 3 tracks are kept", "mediamon(8), ROOTS THAT GO AWAY");
	check_see("error: store: disk full (/var/lib/mediamon)",
		  "mediamon(8), THE STORE");
	check_see("error: qbittorrent: HTTP 500",
		  "mediamon.conf(5), [download]");
	check_see("warn: something new", "mediamon(8), /status/health");
	/* only the line's own bytes count */
	assert_string_equal(health_since_see("error: store: x", 5),
			    "mediamon(8), /status/health");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_kept_while_shown, reset),
		cmocka_unit_test_setup(test_forgotten_when_gone, reset),
		cmocka_unit_test(test_see),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
