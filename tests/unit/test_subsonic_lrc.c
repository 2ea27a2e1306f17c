/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Lyrics text into lines (fs/subsonic/subsonic_lrc.h): LRC time tags of
 * every form, several on a line, ID tags, lines without a time dropped
 * from synced lyrics and kept in plain ones, what only looks like a tag
 * kept as text, and the caps on a line's length and the lines' number.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fs/subsonic/subsonic_lrc.h"

static void parse(const char *text, struct subsonic_lrc *l)
{
	assert_int_equal(subsonic_lrc_parse(text, strlen(text), l), 0);
}

static void check_line(const struct subsonic_lrc *l, size_t i,
		       long long start, const char *text)
{
	assert_true(i < l->nr);
	assert_int_equal(l->lines[i].start, start);
	assert_string_equal(l->lines[i].text, text);
}

static void test_synced(void **state)
{
	struct subsonic_lrc l;

	(void)state;
	parse("[ar:Someone]\n[ti:A song]\n[la:fra]\n[offset:+120]\n"
	      "[length:03:00]\n[00:10.5]ten and a half\r\n"
	      "[01:00.00][00:05.250]twice\r[12:34]no fraction\n"
	      "untimed\n[00:05.250]same start, later\n", &l);
	assert_true(l.synced);
	assert_int_equal(l.offset, 120);
	assert_string_equal(l.artist, "Someone");
	assert_string_equal(l.title, "A song");
	assert_string_equal(l.lang, "fra");
	assert_int_equal(l.nr, 5);
	check_line(&l, 0, 5250, "twice");
	check_line(&l, 1, 5250, "same start, later");
	check_line(&l, 2, 10500, "ten and a half");
	check_line(&l, 3, 60000, "twice");
	check_line(&l, 4, 754000, "no fraction");
	subsonic_lrc_release(&l);
}

static void test_plain(void **state)
{
	struct subsonic_lrc l;

	(void)state;
	parse("\n\n[ti:Kept]\nOne\n\n[99:99.99]not a time\n[1:2]short\n"
	      "[00:00.1234]too fine\n[aa:bb]x\n[offset:lots]\n\n", &l);
	assert_false(l.synced);
	assert_int_equal(l.offset, 0);
	assert_string_equal(l.title, "Kept");
	assert_null(l.artist);
	assert_string_equal(l.lang, "");
	assert_int_equal(l.nr, 6);
	check_line(&l, 0, -1, "One");
	check_line(&l, 1, -1, "");
	check_line(&l, 2, -1, "[99:99.99]not a time");
	check_line(&l, 3, -1, "[1:2]short");
	check_line(&l, 4, -1, "[00:00.1234]too fine");
	check_line(&l, 5, -1, "[aa:bb]x");
	subsonic_lrc_release(&l);
}

static void test_caps(void **state)
{
	size_t n = 2 * SUBSONIC_LRC_LINE_MAX + 8;
	char *text = malloc(2 * SUBSONIC_LRC_LINES * 3 + n);
	struct subsonic_lrc l;
	size_t at = 0;

	(void)state;
	assert_non_null(text);
	/* a long line of two-byte characters is cut on one's boundary */
	text[at++] = 'a';
	for (size_t i = 0; i < SUBSONIC_LRC_LINE_MAX; i += 2) {
		text[at++] = (char)0xc3;
		text[at++] = (char)0xa9;
	}
	text[at++] = '\n';
	for (size_t i = 0; i < 2 * SUBSONIC_LRC_LINES; i++) {
		text[at++] = 'x';
		text[at++] = '\n';
	}
	assert_int_equal(subsonic_lrc_parse(text, at, &l), 0);
	assert_int_equal(l.nr, SUBSONIC_LRC_LINES);
	assert_int_equal(strlen(l.lines[0].text), SUBSONIC_LRC_LINE_MAX - 1);
	assert_int_equal((unsigned char)l.lines[0].text[1], 0xc3);
	subsonic_lrc_release(&l);
	/* a line's many times repeat its text: the text in all is capped */
	at = 0;
	for (size_t i = 0; i < 64; i++)
		at += sprintf(text + at, "[00:%02zu.00]", i % 60);
	memset(text + at, 'y', 4000);
	at += 4000;
	text[at++] = '\n';
	for (size_t i = 0; i < 10; i++)
		memcpy(text + at * (i + 1), text, at);
	assert_int_equal(subsonic_lrc_parse(text, at * 11, &l), 0);
	assert_true(l.synced);
	assert_int_equal(l.bytes, SUBSONIC_LRC_TEXT_MAX / 4000 * 4000);
	assert_int_equal(l.nr, SUBSONIC_LRC_TEXT_MAX / 4000);
	subsonic_lrc_release(&l);
	/* nothing at all, and an offset past a day */
	parse("[offset:999999999999]", &l);
	assert_int_equal(l.nr, 0);
	assert_int_equal(l.offset, 0);
	subsonic_lrc_release(&l);
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_synced),
		cmocka_unit_test(test_plain),
		cmocka_unit_test(test_caps),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
