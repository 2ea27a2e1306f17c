/* SPDX-License-Identifier: GPL-3.0-or-later */
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
#include "common/strbuf.h"
#include "common/utf8.h"
#include "fs/tree/views_name.h"


/* Sanitize value (len bytes) and add it as a whole name with ext. */
static void add(struct views_list *l, const char *value, size_t len,
		const char *ext)
{
	struct strbuf sb = STRBUF_INIT;

	views_name_add(&sb, value, len);
	strbuf_addstr(&sb, ext);
	assert_int_equal(views_list_add(l, sb.buf, sb.len, strlen(ext)), 0);
	strbuf_release(&sb);
}

/* The one name a value gets alone in a list. */
static char *name_of(const char *value, size_t len, const char *ext)
{
	struct views_list l = VIEWS_LIST_INIT;
	char *name;

	add(&l, value, len, ext);
	assert_int_equal(views_list_settle(&l), 0);
	assert_int_equal(l.nr, 1);
	name = strdup(l.v[0].name);
	views_list_clear(&l);
	return name;
}

/* Every name must be one a file system takes: valid UTF-8 without NUL
 * or "/", at most 255 bytes, not hidden, not "." or "..". */
static void assert_good_name(const char *name)
{
	size_t len = strlen(name);
	unsigned int cp;

	assert_true(len > 0);
	assert_true(len <= VIEWS_NAME_MAX);
	assert_int_not_equal(name[0], '.');
	assert_null(strchr(name, '/'));
	for (size_t i = 0, k; i < len; i += k) {
		k = utf8_decode((const unsigned char *)name + i, len - i, &cp);
		assert_int_not_equal(k, 0);
		assert_true(cp >= 0x20 && cp != 0x7f);
	}
}

static void test_replacements(void **state)
{
	static const struct {
		const char *value;
		size_t len;
		const char *ext, *want;
	} cases[] = {
		{ "Intro", 5, ".flac", "Intro.flac" },
		{ "AC/DC", 5, "", "AC\xe2\x88\x95" "DC" },
		{ "//", 2, "", "\xe2\x88\x95\xe2\x88\x95" },
		{ ".hidden", 7, ".mp3", "_hidden.mp3" },
		{ "...", 3, "", "___" },
		{ "..", 2, "", "__" },
		{ "a.b", 3, "", "a.b" },
		{ "line\nbreak\ttab\r", 15, "", "line break tab " },
		{ "del\x7f", 4, "", "del " },
		{ "c1\xc2\x85", 4, "", "c1 " },
		{ "bad\xff", 4, ".ogg", "bad\xef\xbf\xbd.ogg" },
		{ "cut\xc3", 4, "", "cut\xef\xbf\xbd" },
		{ "over\xc0\xaflong", 10, "", "over\xef\xbf\xbd\xef\xbf\xbdlong" },
		{ "nul\0in", 6, "", "nul\xef\xbf\xbdin" },
		{ "", 0, "", "_" },
		{ "", 0, ".flac", "_.flac" },
		{ "Beyonc\xc3\xa9", 8, "", "Beyonc\xc3\xa9" },
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		char *name = name_of(cases[i].value, cases[i].len,
				     cases[i].ext);

		assert_string_equal(name, cases[i].want);
		assert_good_name(name);
		free(name);
	}
}

static void test_ext(void **state)
{
	static const struct {
		const char *name;
		size_t want;
	} cases[] = {
		{ "a.flac", 5 }, { "dir/01 - a.MP3", 4 }, { "a.b.cbz", 4 },
		{ "noext", 0 }, { ".flac", 0 }, { "dir/.flac", 0 },
		{ "a.", 0 }, { "a.fl ac", 0 }, { "a.abcdefghijk", 0 },
		{ "a.abcdefghij", 11 }, { "a.t\xc3\xa9", 0 }, { "", 0 },
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++)
		assert_int_equal(views_name_ext(cases[i].name,
						strlen(cases[i].name)),
				 cases[i].want);
}

/* 300 bytes of title: cut to 255 on a character boundary, extension
 * kept, whatever the width of the characters at the cut. */
static void test_long_names(void **state)
{
	static const char *const units[] = { "a", "\xc3\xa9", "\xe2\x82\xac",
					     "\xf0\x9f\x8e\xb5", "/" };

	(void)state;
	for (size_t u = 0; u < ARRAY_SIZE(units); u++) {
		for (size_t shift = 0; shift < 4; shift++) {
			struct strbuf v = STRBUF_INIT;
			char *name;
			size_t len;

			for (size_t i = 0; i < shift; i++)
				strbuf_addch(&v, 'x');
			while (v.len < 300)
				strbuf_addstr(&v, units[u]);
			name = name_of(v.buf, v.len, ".flac");
			len = strlen(name);
			assert_good_name(name);
			assert_true(len > VIEWS_NAME_MAX - 5);
			assert_string_equal(name + len - 5, ".flac");
			free(name);
			strbuf_release(&v);
		}
	}
}

static void test_collisions(void **state)
{
	static const struct {
		const char *name;
		size_t index;
	} want[] = {
		{ "Song.flac", 0 }, { "Song (2).flac", 2 },
		{ "Song (3).flac", 4 }, { "Song.mp3", 3 },
		{ "AC\xe2\x88\x95" "DC", 5 }, { "AC\xe2\x88\x95" "DC (2)", 6 },
	};
	struct views_list l = VIEWS_LIST_INIT;
	const struct views_entry *e;

	(void)state;
	add(&l, "Song", 4, ".flac");		/* index 0 */
	add(&l, "Other", 5, ".flac");		/* 1 */
	add(&l, "Song", 4, ".flac");		/* 2 */
	add(&l, "Song", 4, ".mp3");		/* 3: another extension */
	add(&l, "Song", 4, ".flac");		/* 4 */
	add(&l, "AC/DC", 5, "");		/* 5 */
	add(&l, "AC\xe2\x88\x95" "DC", 7, "");	/* 6: same name made */
	assert_int_equal(views_list_settle(&l), 0);
	assert_int_equal(l.nr, 7);
	for (size_t i = 1; i < l.nr; i++)
		assert_true(strcmp(l.v[i - 1].name, l.v[i].name) < 0);

	for (size_t i = 0; i < ARRAY_SIZE(want); i++) {
		e = views_list_find(&l, want[i].name);
		assert_non_null(e);
		assert_int_equal(e->index, want[i].index);
	}
	assert_null(views_list_find(&l, "Song (4).flac"));
	assert_null(views_list_find(&l, "AC/DC"));
	views_list_clear(&l);
	assert_int_equal(l.nr, 0);
	assert_null(views_list_find(&l, "Song.flac"));
}

/* A name made with a suffix may meet a real name: still all distinct. */
static void test_collision_with_suffix(void **state)
{
	struct views_list l = VIEWS_LIST_INIT;

	(void)state;
	add(&l, "A", 1, "");
	add(&l, "A", 1, "");
	add(&l, "A (2)", 5, "");
	assert_int_equal(views_list_settle(&l), 0);
	assert_int_equal(l.nr, 3);
	for (size_t i = 1; i < l.nr; i++)
		assert_true(strcmp(l.v[i - 1].name, l.v[i].name) < 0);
	assert_int_equal(views_list_find(&l, "A")->index, 0);
	views_list_clear(&l);
}

/* Long names that only differ past the cut become one name, then are
 * told apart within 255 bytes, extension kept. */
static void test_collision_after_cut(void **state)
{
	struct views_list l = VIEWS_LIST_INIT;
	struct strbuf v = STRBUF_INIT;

	(void)state;
	while (v.len < 300)
		strbuf_addstr(&v, "\xe2\x82\xac");
	for (int i = 0; i < 12; i++) {
		v.buf[v.len - 1] = 'a' + i;
		add(&l, v.buf, v.len, ".flac");
	}
	assert_int_equal(views_list_settle(&l), 0);
	for (size_t i = 0; i < l.nr; i++) {
		size_t len = strlen(l.v[i].name);

		assert_good_name(l.v[i].name);
		assert_string_equal(l.v[i].name + len - 5, ".flac");
		if (i)
			assert_true(strcmp(l.v[i - 1].name, l.v[i].name) < 0);
	}
	for (int k = 2; k <= 12; k++) {
		char suffix[32];
		int found = 0;

		snprintf(suffix, sizeof(suffix), " (%d).flac", k);
		for (size_t i = 0; i < l.nr; i++)
			found += !!strstr(l.v[i].name, suffix);
		assert_int_equal(found, 1);
	}
	strbuf_release(&v);
	views_list_clear(&l);
}

/* The same rows added in the same order always get the same names. */
static void test_stable(void **state)
{
	static const char *const values[] = { "b", "a", "b", "c", "a", "b" };
	struct views_list l1 = VIEWS_LIST_INIT, l2 = VIEWS_LIST_INIT;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(values); i++) {
		add(&l1, values[i], 1, ".mp3");
		add(&l2, values[i], 1, ".mp3");
	}
	assert_int_equal(views_list_settle(&l1), 0);
	assert_int_equal(views_list_settle(&l2), 0);
	for (size_t i = 0; i < l1.nr; i++) {
		assert_string_equal(l1.v[i].name, l2.v[i].name);
		assert_int_equal(l1.v[i].index, l2.v[i].index);
	}
	assert_int_equal(views_list_find(&l1, "b (3).mp3")->index, 5);
	views_list_clear(&l1);
	views_list_clear(&l2);
}

/* What fits of a name is cut on a character's boundary, never inside
 * one; what fits whole is kept whole. */
static void test_fit(void **state)
{
	const char *s = "ab\xc3\xa9\xe2\x82\xac";	/* "abé€" */

	(void)state;
	assert_int_equal(utf8_fit(s, 7, 7), 7);
	assert_int_equal(utf8_fit(s, 7, 9), 7);
	assert_int_equal(utf8_fit(s, 7, 6), 4);
	assert_int_equal(utf8_fit(s, 7, 4), 4);
	assert_int_equal(utf8_fit(s, 7, 3), 2);
	assert_int_equal(utf8_fit(s, 7, 0), 0);
	assert_int_equal(utf8_fit("\x80\x80", 2, 1), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_replacements),
		cmocka_unit_test(test_ext),
		cmocka_unit_test(test_long_names),
		cmocka_unit_test(test_collisions),
		cmocka_unit_test(test_collision_with_suffix),
		cmocka_unit_test(test_collision_after_cut),
		cmocka_unit_test(test_stable),
		cmocka_unit_test(test_fit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
