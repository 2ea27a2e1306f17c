/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/log.h"
#include "common/strbuf.h"
#include "indexer/analysis/analysis.h"
#include "indexer/analysis/analysis_child.h"

/* Written by tests/data/make-analysis-fixtures.sh. */
static const char *fixtures;
/* The built mediamon-analyse: next to the build folder's parent's
 * daemon (make BUILD=x BIN=x/mediamon), else in the work tree. */
static char analyser[4096];
/* Where the fake analysers of a test are written. */
static char dir[] = "/tmp/test_analysis_child.XXXXXX";

static void fixture(char *path, size_t size, const char *name)
{
	snprintf(path, size, "%s/analysis/%s", fixtures, name);
}

/* A fake analyser: a Python script that answers each NUL-ended request
 * as body says (req holds the path). */
static void fake(char *path, size_t size, const char *name,
		 const char *body)
{
	FILE *f;

	snprintf(path, size, "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, "#!/usr/bin/python3\nimport os, signal, sys, time\n"
		"buf = b''\nwhile True:\n"
		"    while b'\\0' not in buf:\n"
		"        more = sys.stdin.buffer.read1(4096)\n"
		"        if not more:\n            sys.exit(0)\n"
		"        buf += more\n"
		"    req, buf = buf.split(b'\\0', 1)\n"
		"%s\n    sys.stdout.flush()\n", body);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(chmod(path, 0755), 0);
}

/* Run one request that must fail with -ECHILD for the reason want. */
static void run_fails(struct analysis_child *c, const char *exe,
		      const char *want)
{
	struct analysis_result r;
	char why[ANALYSIS_CHILD_WHY_LEN];
	double cpu;

	assert_int_equal(analysis_child_run(c, exe, -1, "/x.flac", &r, &cpu,
					    why, sizeof(why)), -ECHILD);
	assert_string_equal(why, want);
	assert_null(r.fingerprint);
	assert_int_equal(c->pid, 0);
	assert_int_equal(c->fd, -1);
}

/* The child's answer is what analysis_run() gives in the process, also
 * from a confined child given the track's descriptor. */
static void test_same_as_in_process(void **state)
{
	struct analysis_child c = ANALYSIS_CHILD_INIT;
	struct analysis_result direct, r;
	char path[4096], why[ANALYSIS_CHILD_WHY_LEN];
	double cpu = -1;
	pid_t first;
	int fd;

	(void)state;
	c.confined = 1;
	fixture(path, sizeof(path), "click120.flac");
	assert_int_equal(analysis_run(path, &direct), 0);
	for (int i = 0; i < 2; i++) {
		fd = open(path, O_RDONLY);
		assert_true(fd >= 0);
		assert_int_equal(analysis_child_run(&c, analyser, fd, path, &r,
						    &cpu, why, sizeof(why)), 0);
		close(fd);
		if (!i)
			first = c.pid;
		assert_int_equal(c.pid, first);	/* one child for both */
		assert_true(cpu >= 0);
		assert_true(r.duration_s == direct.duration_s);
		assert_true(r.loudness_lufs == direct.loudness_lufs);
		assert_true(r.peak == direct.peak);
		assert_true(r.gain_db == direct.gain_db);
		assert_true(r.bpm == direct.bpm);
		assert_memory_equal(r.vector, direct.vector,
				    sizeof(r.vector));
		assert_int_equal(r.fingerprint_len, direct.fingerprint_len);
		assert_memory_equal(r.fingerprint, direct.fingerprint,
				    r.fingerprint_len * sizeof(uint32_t));
		analysis_result_release(&r);
	}
	/* it cannot open the path itself, and stays */
	assert_int_equal(analysis_child_run(&c, analyser, -1, path, &r, &cpu,
					    why, sizeof(why)), -EACCES);
	assert_int_equal(c.pid, first);
	analysis_result_release(&direct);
	analysis_child_end(&c);
	assert_int_equal(c.pid, 0);
	assert_int_equal(kill(first, 0), -1);	/* reaped */
}

/* A failed analysis is the child's answer, and the child stays. */
static void test_analysis_errors(void **state)
{
	struct analysis_child c = ANALYSIS_CHILD_INIT;
	struct analysis_result r;
	char path[4096], why[ANALYSIS_CHILD_WHY_LEN] = "";
	double cpu;
	pid_t pid;

	(void)state;
	fixture(path, sizeof(path), "garbage.mp3");
	assert_int_equal(analysis_child_run(&c, analyser, -1, path, &r, &cpu,
					    why, sizeof(why)), -EBADMSG);
	pid = c.pid;
	assert_true(pid > 0);
	assert_null(r.fingerprint);
	assert_int_equal(analysis_child_run(&c, analyser, -1, "/nonexistent/a",
					    &r, &cpu, why, sizeof(why)),
			 -ENOENT);
	/* a newline in a name passes */
	assert_int_equal(analysis_child_run(&c, analyser, -1,
					    "/nonexistent/a\nb", &r, &cpu, why,
					    sizeof(why)),
			 -ENOENT);
	assert_int_equal(c.pid, pid);
	assert_string_equal(why, "");
	analysis_child_end(&c);
	analysis_child_end(&c);		/* twice is harmless */
}

/* A child that dies or answers garbage fails its track and is gone; the
 * next call starts another. */
static void test_bad_children(void **state)
{
	struct analysis_child c = ANALYSIS_CHILD_INIT;
	struct analysis_result r;
	char exe[4096], why[ANALYSIS_CHILD_WHY_LEN], path[4096];
	double cpu;

	(void)state;
	fake(exe, sizeof(exe), "segv",
	     "    os.kill(os.getpid(), signal.SIGSEGV)");
	run_fails(&c, exe, "analyser crashed: signal 11");
	fake(exe, sizeof(exe), "exit", "    sys.exit(3)");
	run_fails(&c, exe, "analyser exited: status 3");
	fake(exe, sizeof(exe), "garbage", "    print('nonsense')");
	run_fails(&c, exe, "analyser answered garbage");
	fake(exe, sizeof(exe), "positive", "    print('{\"error\": 5}')");
	run_fails(&c, exe, "analyser answered garbage");
	fake(exe, sizeof(exe), "short", "    print('{\"duration_s\": 1.0,"
	     " \"loudness_lufs\": 1, \"peak\": 1, \"gain_db\": 1, \"bpm\": 1,"
	     " \"cpu_s\": 1, \"vector\": [1, 2], \"fingerprint\": []}')");
	run_fails(&c, exe, "analyser answered garbage");
	fake(exe, sizeof(exe), "bigitem", "    print('{\"duration_s\": 1.0,"
	     " \"loudness_lufs\": 1, \"peak\": 1, \"gain_db\": 1, \"bpm\": 1,"
	     " \"cpu_s\": 1, \"vector\": [' + ','.join(['0'] * 32) + '],"
	     " \"fingerprint\": [4294967296]}')");
	run_fails(&c, exe, "analyser answered garbage");
	snprintf(exe, sizeof(exe), "%s/absent", dir);
	run_fails(&c, exe, "analyser not started: No such file or directory");

	/* and a good one after them all */
	fixture(path, sizeof(path), "click120.flac");
	assert_int_equal(analysis_child_run(&c, analyser, -1, path, &r, &cpu,
					    why, sizeof(why)), 0);
	assert_true(r.fingerprint_len > 0);
	analysis_result_release(&r);
	analysis_child_end(&c);
}

/* A child that reads its request and then closes its output without
 * exiting is killed, not waited on for ever. */
static void test_closed_output(void **state)
{
	struct analysis_child c = ANALYSIS_CHILD_INIT;
	char exe[4096];

	(void)state;
	fake(exe, sizeof(exe), "mute",
	     "    os.close(0)\n    os.close(1)\n    time.sleep(3600)");
	run_fails(&c, exe, "analyser crashed: signal 9");
}

/* A child ended by SIGTERM, as the daemon's stop ends it, fails its
 * track as stopped, told as information, not as an error. */
static void test_stopped(void **state)
{
	struct analysis_child c = ANALYSIS_CHILD_INIT;
	struct strbuf logged = STRBUF_INIT;
	uint64_t from = log_ring_end();
	char exe[4096];

	(void)state;
	fake(exe, sizeof(exe), "term",
	     "    os.kill(os.getpid(), signal.SIGTERM)");
	run_fails(&c, exe, "analyser stopped: signal 15");
	log_ring_since(from, &logged);
	assert_non_null(strstr(logged.buf, "info: analysis: /x.flac: "
			       "analyser stopped: signal 15"));
	assert_null(strstr(logged.buf, "error:"));
	strbuf_release(&logged);
}

/* A test binary in build/tests has no mediamon-analyse beside it. */
static void test_locate(void **state)
{
	char path[4096];

	(void)state;
	if (!access(MEDIAMON_LIBEXECDIR "/mediamon-analyse", X_OK))
		skip();
	assert_int_equal(analysis_child_locate(path, sizeof(path)), -ENOENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_as_in_process),
		cmocka_unit_test(test_analysis_errors),
		cmocka_unit_test(test_bad_children),
		cmocka_unit_test(test_closed_output),
		cmocka_unit_test(test_stopped),
		cmocka_unit_test(test_locate),
	};
	char cmd[64];
	int rc;

	fixtures = getenv("MEDIAMON_FIXTURES");
	if (!fixtures || !*fixtures) {
		fprintf(stderr, "test_analysis_child: MEDIAMON_FIXTURES is not"
			" set; make it the directory written by "
			"tests/data/make-fixtures.sh\n");
		return 1;
	}
	snprintf(analyser, sizeof(analyser), "%s/../mediamon-analyse",
		 fixtures);
	if (access(analyser, X_OK))
		snprintf(analyser, sizeof(analyser), "./mediamon-analyse");
	if (!mkdtemp(dir)) {
		perror("test_analysis_child: mkdtemp");
		return 1;
	}
	log_set_stderr(0);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd))
		fprintf(stderr, "test_analysis_child: %s failed\n", cmd);
	return rc;
}
