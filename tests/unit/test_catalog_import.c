/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * mediamon --import-catalog (indexer/monitor/catalog_import.h): a CSV
 * export with its header, quoting and bad lines named by number; links
 * of one hash taken once; a catalog without its last newline, or none,
 * kept and added to; an unknown format or an unreadable export changing
 * nothing. And the ed2k link reader it stands on (links.h).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "indexer/monitor/catalog_import.h"
#include "indexer/monitor/links.h"

static char dir[] = "/tmp/mediamon-catalog-import-XXXXXX";
static char catalog[128], export[128];

static void put(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* The file at path, malloc'd ("" when it does not exist). */
static char *slurp(const char *path)
{
	char *buf = calloc(1, 1 << 16);
	FILE *f = fopen(path, "r");

	assert_non_null(buf);
	if (f) {
		assert_true(fread(buf, 1, (1 << 16) - 1, f) < (1 << 16) - 1);
		fclose(f);
	}
	return buf;
}

/* Import text in format; the report into report (room for 4096). */
static int import(const char *format, const char *text,
		  struct catalog_import *n, char *report)
{
	FILE *r = fmemopen(report, 4096, "w");
	int ret;

	assert_non_null(r);
	memset(report, 0, 4096);
	put(export, text);
	ret = catalog_import_file(catalog, format, export, r, n);
	fclose(r);
	return ret;
}

static int setup(void **state)
{
	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(catalog, sizeof(catalog), "%s/catalog.jsonl", dir);
	snprintf(export, sizeof(export), "%s/export", dir);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	unlink(catalog);
	unlink(export);
	rmdir(dir);
	return 0;
}

#define H1 "0123456789abcdef0123456789abcdef"
#define H2 "00000000000000000000000000000002"

static void test_csv(void **state)
{
	struct catalog_import n;
	char report[4096], *got;

	(void)state;
	unlink(catalog);
	assert_int_equal(import("csv", "Name,Link\r\n"
		"\"Saga 01 T10, \"\"FR\"\"\",ed2k://|file|x|5|" H2 "|/\r\n"
		"no link\n"
		"\"open,https://x\n"
		"Saga 01 T11,ftp://x/y\n"
		",https://ddl.example/a\n"
		"Saga 01 T12,https://ddl.example/b\n", &n, report), 0);
	assert_int_equal(n.added, 2);
	assert_int_equal(n.bad, 4);
	assert_non_null(strstr(report, ":3: fewer than two fields"));
	assert_non_null(strstr(report, ":4: a double quote out of place"));
	assert_non_null(strstr(report, ":5: the link is not ed2k"));
	assert_non_null(strstr(report, ":6: no name"));
	got = slurp(catalog);
	assert_string_equal(got,
		"{\"title\":\"Saga 01 T10, \\\"FR\\\"\",\"link\":"
		"\"ed2k://|file|x|5|" H2 "|/\",\"size\":5,\"source\":"
		"\"import\"}\n"
		"{\"title\":\"Saga 01 T12\",\"link\":\"https://ddl.example/b\","
		"\"size\":null,\"source\":\"import\"}\n");
	free(got);
}

static void test_csv_report(void **state)
{
	struct catalog_import n;
	FILE *r;
	char report[4096], expect[1024];

	(void)state;
	memset(report, 0, sizeof(report));
	put(export, "a,https://x,y\n\nb\n");
	r = fmemopen(report, sizeof(report), "w");
	assert_non_null(r);
	assert_int_equal(catalog_import_file(catalog, "csv", export, r, &n),
			 0);
	fclose(r);
	snprintf(expect, sizeof(expect), "%s:1: more than two fields"
		 " (name,link)\n%s:3: fewer than two fields (name,link)\n",
		 export, export);
	assert_string_equal(report, expect);
	assert_int_equal(n.added, 0);
}

static void test_links_kept_and_once(void **state)
{
	struct catalog_import n;
	char report[4096], *got;

	(void)state;
	/* a catalog whose last line has no newline */
	put(catalog, "{\"title\": \"Old\", \"link\": \"ed2k://|file|Old|1|"
	    H1 "|/\"}");
	assert_int_equal(import("links",
		"ed2k://|file|Saga%2001%20T04.cbz|300|" H1 "|/\n"
		"  ed2k://|FILE|Saga%2001%20T05.cbz|7|" H2 "|/|sources,"
		"1.2.3.4:4662|/  \n"
		"ed2k://|file|Again.cbz|7|" H2 "|/\n", &n, report), 0);
	assert_int_equal(n.added, 1);
	assert_int_equal(n.duplicates, 2);
	assert_int_equal(n.bad, 0);
	got = slurp(catalog);
	assert_non_null(strstr(got, "|/\"}\n{\"title\":\"Saga 01 T05.cbz\""));
	assert_non_null(strstr(got, "\"size\":7"));
	free(got);
}

static void test_refusals(void **state)
{
	struct catalog_import n;
	char report[4096], *before, *after;
	FILE *r;

	(void)state;
	put(catalog, "{\"title\": \"Old\", \"link\": \"https://x\"}\n");
	before = slurp(catalog);
	assert_int_equal(import("xml", "ed2k://|file|a|1|" H1 "|/\n", &n,
				report), -EINVAL);
	assert_non_null(strstr(report, "unknown format"));
	r = fmemopen(report, sizeof(report), "w");
	assert_int_equal(catalog_import_file(catalog, "links",
					     "/nonexistent/export", r, &n),
			 -ENOENT);
	fclose(r);
	/* every line bad: nothing written */
	assert_int_equal(import("links", "ed2k://|server|1.2.3.4|4661|/\n"
				"ed2k://|file||1|" H1 "|/\n"
				"ed2k://|file|a%2|1|" H1 "|/\n"
				"ed2k://|file|a%00|1|" H1 "|/\n"
				"ed2k://|file|a|x|" H1 "|/\n"
				"ed2k://|file|a|1|" H1 "0|/\n"
				"\xff\xfe|file|a|1|" H1 "|/\n", &n, report), 0);
	assert_int_equal(n.bad, 7);
	assert_int_equal(n.added, 0);
	after = slurp(catalog);
	assert_string_equal(before, after);
	free(before);
	free(after);
}

/* Issue 76: the catalog is appended to only where no other user could
 * have led it: a link of another user's at its name, or a folder on its
 * way every user may write to, refuses the import, which says why and
 * writes nowhere. */
static void test_catalog_others_may_change(void **state)
{
	struct catalog_import n;
	char report[4096], victim[160], open_dir[160], inner[192], *got;

	(void)state;
	snprintf(victim, sizeof(victim), "%s/victim", dir);
	put(victim, "precious\n");
	unlink(catalog);
	assert_int_equal(symlink(victim, catalog), 0);
	if (!geteuid()) {
		assert_int_equal(lchown(catalog, 65534, 65534), 0);
		assert_int_equal(import("links", "ed2k://|file|a|1|" H1 "|/\n",
					&n, report), -EACCES);
		assert_non_null(strstr(report, "is a symbolic link of user"));
		assert_int_equal(n.added, 0);
		got = slurp(victim);
		assert_string_equal(got, "precious\n");
		free(got);
	}
	assert_int_equal(unlink(catalog), 0);
	snprintf(open_dir, sizeof(open_dir), "%s/open", dir);
	assert_int_equal(mkdir(open_dir, 0777), 0);
	assert_int_equal(chmod(open_dir, 0777), 0);
	snprintf(inner, sizeof(inner), "%s/catalog.jsonl", open_dir);
	{
		FILE *r = fmemopen(report, sizeof(report), "w");

		memset(report, 0, sizeof(report));
		put(export, "ed2k://|file|a|1|" H1 "|/\n");
		assert_int_equal(catalog_import_file(inner, "links", export, r,
						     &n), -EACCES);
		fclose(r);
	}
	assert_non_null(strstr(report, "may be written by every user"));
	assert_int_equal(access(inner, F_OK), -1);
	assert_int_equal(rmdir(open_dir), 0);
	unlink(victim);
}

static void test_ed2k_parse(void **state)
{
	struct links_ed2k e;

	(void)state;
	assert_int_equal(links_ed2k_parse("ed2k://|file|One%20Piece%20T1"
					  "05.cbz|123456|ABCDEF0123456789ABCD"
					  "EF0123456789|/|h=X|/", &e), 0);
	assert_string_equal(e.name, "One Piece T105.cbz");
	assert_int_equal(e.size, 123456);
	assert_string_equal(e.hash, "abcdef0123456789abcdef0123456789");
	free(e.name);
	/* a name in UTF-8, as escaped bytes */
	assert_int_equal(links_ed2k_parse("ed2k://|file|%C3%A9t%C3%A9|1|"
					  H1 "|/", &e), 0);
	assert_string_equal(e.name, "\xc3\xa9t\xc3\xa9");
	free(e.name);
	assert_int_equal(links_ed2k_parse(NULL, &e), -EINVAL);
	assert_int_equal(links_ed2k_parse("magnet:?xt=x", &e), -EINVAL);
	assert_int_equal(links_ed2k_parse("ed2k://|file|a|1|" H1, &e),
			 -EINVAL);
	assert_int_equal(links_ed2k_parse("ed2k://|file|a|99999999999999999"
					  "999|" H1 "|/", &e), -EINVAL);
	assert_int_equal(links_ed2k_parse("ed2k://|file|a%|1|" H1 "|/", &e),
			 -EINVAL);
	assert_int_equal(links_ed2k_parse("ed2k://|file|a|-1|" H1 "|/", &e),
			 -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_csv),
		cmocka_unit_test(test_csv_report),
		cmocka_unit_test(test_links_kept_and_once),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_catalog_others_may_change),
		cmocka_unit_test(test_ed2k_parse),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
