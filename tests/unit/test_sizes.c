/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The renderings a stat() keeps for the open that follows (fs/tree/sizes.h):
 * taken once, by the same node and user only, and not after a control
 * write moved what the files show; each is counted (metrics/fuse.json
 * stat_renders).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "common/strbuf.h"
#include "fs/tree/sizes.h"

static int render_a(struct strbuf *out)
{
	strbuf_addstr(out, "a");
	return 0;
}

static int render_b(struct strbuf *out)
{
	strbuf_addstr(out, "b");
	return 0;
}

/* The thread that asks, the same for both but in test_thread_apart. */
#define TID 4242

static const struct node file_a = { NODE_FILE, .render = render_a };
static const struct node file_b = { NODE_FILE, .render = render_b };

static void keep(const struct node *n, uid_t uid, const char *text)
{
	struct strbuf sb = STRBUF_INIT;

	strbuf_addstr(&sb, text);
	sizes_keep(n, uid, TID, &sb);
	assert_int_equal(sb.len, 0);
	strbuf_release(&sb);
}

/* Whether n's rendering for uid is kept, and is text. */
static int taken(const struct node *n, uid_t uid, const char *text)
{
	struct strbuf sb = STRBUF_INIT;
	int found = sizes_take(n, uid, TID, &sb);

	if (found)
		assert_string_equal(sb.buf, text);
	strbuf_release(&sb);
	return found;
}

static void test_taken_once_by_its_own(void **state)
{
	(void)state;
	keep(&file_a, 1000, "for 1000");
	keep(&file_a, 0, "for root");
	keep(&file_b, 1000, "b for 1000");
	assert_false(taken(&file_a, 1001, ""));
	assert_true(taken(&file_a, 1000, "for 1000"));
	assert_false(taken(&file_a, 1000, ""));
	assert_true(taken(&file_a, 0, "for root"));
	assert_true(taken(&file_b, 1000, "b for 1000"));
	/* a newer one takes the place of the older */
	keep(&file_a, 1000, "old");
	keep(&file_a, 1000, "new");
	assert_true(taken(&file_a, 1000, "new"));
	assert_false(taken(&file_a, 1000, ""));
}

static void test_series_apart(void **state)
{
	struct node one = { NODE_FILE, .render = render_a, .series = 1 };
	struct node two = one;

	(void)state;
	two.series = 2;
	keep(&one, 0, "one");
	assert_false(taken(&two, 0, ""));
	assert_true(taken(&one, 0, "one"));
}

/* A process of one user with other groups may see other renderings: a
 * rendering is taken by the thread that asked for it alone. */
static void test_thread_apart(void **state)
{
	struct strbuf sb = STRBUF_INIT;

	(void)state;
	strbuf_addstr(&sb, "for one thread");
	sizes_keep(&file_a, 1000, TID + 1, &sb);
	assert_false(taken(&file_a, 1000, ""));
	assert_int_equal(sizes_take(&file_a, 1000, TID + 1, &sb), 1);
	assert_string_equal(sb.buf, "for one thread");
	strbuf_release(&sb);
}

static void test_forgotten_after_a_control_write(void **state)
{
	(void)state;
	keep(&file_a, 0, "before");
	keep(&file_b, 0, "before");
	sizes_forget_all();
	assert_false(taken(&file_a, 0, ""));
	assert_false(taken(&file_b, 0, ""));
	keep(&file_a, 0, "after");
	assert_true(taken(&file_a, 0, "after"));
	keep(&file_b, 0, "at the end");
	sizes_clear();
	assert_false(taken(&file_b, 0, ""));
}

/* Every rendering handed over is counted, taken or not. */
static void test_each_counted(void **state)
{
	uint64_t before = sizes_kept_count();

	(void)state;
	keep(&file_a, 1000, "a");
	keep(&file_a, 1000, "a again");
	keep(&file_b, 1001, "b");
	assert_true(taken(&file_a, 1000, "a again"));
	assert_int_equal(sizes_kept_count(), before + 3);
	assert_true(taken(&file_b, 1001, "b"));
	assert_int_equal(sizes_kept_count(), before + 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_taken_once_by_its_own),
		cmocka_unit_test(test_series_apart),
		cmocka_unit_test(test_thread_apart),
		cmocka_unit_test(test_forgotten_after_a_control_write),
		cmocka_unit_test(test_each_counted),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
