/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The user database's stamp (fs/tree/user_db.h): a change of
 * /etc/group's attributes alone (no byte, size or time of its content
 * changed: what a stat() of it compared would miss) moves it at the next
 * call; with no descriptor left for the watch, the stamp is the files'
 * and the fallback is told once.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/log.h"
#include "common/strbuf.h"
#include "fs/tree/user_db.h"

/* /etc/group's mode set again as it is: an attribute event, nothing
 * changed. */
static void touch_group(void)
{
	struct stat st;

	assert_int_equal(stat("/etc/group", &st), 0);
	assert_int_equal(chmod("/etc/group", st.st_mode & 07777), 0);
}

static void test_watched(void **state)
{
	uint64_t before;

	(void)state;
	if (geteuid())
		skip();
	before = user_db_stamp();
	touch_group();
	assert_true(user_db_stamp() != before);
}

/* How many times the log ring holds what. */
static int times_told(const char *what)
{
	struct strbuf ring = STRBUF_INIT;
	int n = 0;

	log_ring_dump(&ring);
	for (const char *p = ring.buf; p && (p = strstr(p, what)); p++)
		n++;
	strbuf_release(&ring);
	return n;
}

/* In a child, whose stamp has never been asked: no descriptor left for
 * the watch. Exits 0 when the fallback is told once and its stamp is
 * the files' (the same until they change: a chmod is no change to it). */
static int unwatched(void)
{
	struct rlimit none;
	int lowest = dup(0);
	uint64_t first;

	if (lowest < 0)
		return 2;
	close(lowest);
	none.rlim_cur = none.rlim_max = (rlim_t)lowest;
	if (setrlimit(RLIMIT_NOFILE, &none))
		return 3;
	first = user_db_stamp();
	touch_group();
	if (user_db_stamp() != first)
		return 4;
	return times_told("/etc cannot be watched") == 1 ? 0 : 5;
}

static void test_unwatched(void **state)
{
	pid_t pid;
	int status;

	(void)state;
	if (geteuid())
		skip();
	pid = fork();
	assert_true(pid >= 0);
	if (!pid)
		_exit(unwatched());
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unwatched),
		cmocka_unit_test(test_watched),
	};

	log_set_stderr(0);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
