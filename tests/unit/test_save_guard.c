/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/strbuf.h"
#include "indexer/monitor/save_guard.h"

/* An unavailable save folder is named to the owner; another reader is
 * told how many there are, not where (a series' own save folder may
 * name it: issue 76); once forgotten, neither is told. */
static void test_health_named_or_counted(void **state)
{
	struct strbuf warns = STRBUF_INIT;
	char dir[] = "/tmp/mediamon-save-XXXXXX";
	char gone[sizeof(dir) + 32];

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(gone, sizeof(gone), "%s/Victim Secret Series", dir);
	assert_non_null(save_guard_check(gone));
	save_guard_health(&warns, 1);
	assert_non_null(strstr(warns.buf, gone));
	assert_non_null(strstr(warns.buf, "warn: download save folder "));
	strbuf_reset(&warns);
	save_guard_health(&warns, 0);
	assert_string_equal(warns.buf, "warn: 1 download save folder is"
			    " unavailable: imports from it wait\n");
	strbuf_reset(&warns);
	save_guard_look(NULL, 0);
	save_guard_health(&warns, 0);
	save_guard_health(&warns, 1);
	assert_string_equal(warns.buf, "");
	assert_int_equal(rmdir(dir), 0);
	strbuf_release(&warns);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_health_named_or_counted),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
