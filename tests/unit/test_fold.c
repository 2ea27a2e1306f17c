/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Search folding (common/fold.h): case and marks folded in each script
 * class (Latin, Greek, Cyrillic, compatibility forms), what has nothing
 * to fold kept, and text that is not UTF-8 refused by fold_text() but
 * kept as it is by fold_name().
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/fold.h"

static void folds_to(const char *in, const char *want)
{
	char *out = NULL;

	assert_int_equal(fold_text(in, strlen(in), &out), 0);
	assert_non_null(out);
	assert_string_equal(out, want);
	free(out);
}

static void test_latin(void **state)
{
	(void)state;
	folds_to("Déjà Vu", "deja vu");
	folds_to("ØRSTED", "ørsted");
	folds_to("Ørsted", "ørsted");
	folds_to("Straße", "strasse");
	folds_to("ŁÓDŹ", "łodz");
	folds_to("Ça Ira", "ca ira");
	/* a mark given apart from its letter folds as the composed one */
	folds_to("Dé\xcc\x81", "de");
	folds_to("E\xcc\x81te\xcc\x81", "ete");
}

static void test_greek_and_cyrillic(void **state)
{
	(void)state;
	folds_to("Λ", "λ");
	folds_to("ΛΆΜΔΑ", "λαμδα");
	folds_to("Ἀθῆναι", "αθηναι");
	/* final sigma folds as sigma does */
	folds_to("ΟΔΟΣ", "οδοσ");
	folds_to("οδος", "οδοσ");
	folds_to("ЁЖ Джем", "еж джем");
}

static void test_compatibility_forms(void **state)
{
	(void)state;
	folds_to("\xef\xac\x81n", "fin");		/* the fi ligature */
	folds_to("\xef\xbc\xa1\xef\xbc\xa2", "ab");	/* full width */
	folds_to("soft\xc2\xad" "hyphen", "softhyphen");
}

static void test_nothing_to_fold(void **state)
{
	(void)state;
	folds_to("", "");
	folds_to("abc 123", "abc 123");
	folds_to("日本語", "日本語");
}

static void test_not_utf8(void **state)
{
	static const char *const bad[] = {
		"\xff", "caf\xc3", "\xc0\xaf", "\xed\xa0\x80", "a\xf8\x88",
	};
	char *out = (char *)"untouched";

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		assert_int_equal(fold_text(bad[i], strlen(bad[i]), &out),
				 -EILSEQ);
		assert_null(out);
	}
	/* a NUL inside the bytes given is no text either */
	assert_int_equal(fold_text("a\0b", 3, &out), -EILSEQ);
	assert_null(out);
	/* a name of any bytes is kept as it is, to be found by the same */
	assert_int_equal(fold_name("Caf\xe9", &out), 0);
	assert_string_equal(out, "Caf\xe9");
	free(out);
	assert_int_equal(fold_name("Café", &out), 0);
	assert_string_equal(out, "cafe");
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_latin),
		cmocka_unit_test(test_greek_and_cyrillic),
		cmocka_unit_test(test_compatibility_forms),
		cmocka_unit_test(test_nothing_to_fold),
		cmocka_unit_test(test_not_utf8),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
