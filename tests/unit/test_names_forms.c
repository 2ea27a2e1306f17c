/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The name parser's forms of issue 48 (dates beside numbers, ranges,
 * names read with their series known, glued markers, names read alone)
 * and the guard over the names the demo and the tests use
 * (tests/data/names-kept.tsv). test_names.c holds the older forms.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/bytes.h"
#include "indexer/manga/names.h"

static const char *const kind_names[] = {
	[NAMES_NONE] = "none", [NAMES_VOLUME] = "volume",
	[NAMES_CHAPTER] = "chapter", [NAMES_SPECIAL] = "special",
};

/* The kept table, beside this file's folder, as make runs from the top. */
#define KEPT_TABLE "tests/unit/../data/names-kept.tsv"

/*
 * One kept row: a name that read as a volume reads as the same volume
 * (or range) still; others are only counted. Returns whether it held.
 */
static int kept_row(char *line, struct names_result *r)
{
	char *f[5];
	size_t n;
	double first, last;

	for (n = 0; n < 5 && line; n++)
		f[n] = strsep(&line, "\t");
	assert_int_equal(n, 5);
	if (strcmp(f[2], kind_names[NAMES_VOLUME]))
		return 1;
	first = strtod(f[3], NULL);
	last = strtod(f[4], NULL);
	assert_int_equal(names_parse(f[0], *f[1] ? f[1] : NULL, r), 0);
	if (r->kind == NAMES_VOLUME && r->first == first && r->last == last)
		return 1;
	print_message("\"%s\" in \"%s\": kept volume %g-%g, now %s %g-%g\n",
		      f[0], f[1], first, last, kind_names[r->kind], r->first,
		      r->last);
	return 0;
}

static void test_kept(void **state)
{
	struct names_result r = NAMES_RESULT_INIT;
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	int rows = 0, held = 0;
	FILE *f;

	(void)state;
	f = fopen(KEPT_TABLE, "r");
	if (!f)
		fail_msg("cannot open %s", KEPT_TABLE);
	while ((len = getline(&line, &cap, f)) > 0) {
		if (line[len - 1] == '\n')
			line[len - 1] = '\0';
		if (*line == '#' || !*line)
			continue;
		rows++;
		held += kept_row(line, &r);
	}
	free(line);
	fclose(f);
	names_release(&r);
	assert_true(rows >= 100);
	assert_int_equal(held, rows);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kept),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
