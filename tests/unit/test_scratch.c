/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The temporary files of editors held in memory (fs/tree/scratch.h): made
 * once, written in order, found, aliased after a rename, and bounded.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "common/strbuf.h"
#include "fs/tree/nodes.h"
#include "fs/tree/scratch.h"

static int teardown(void **state)
{
	(void)state;
	scratch_clear();
	return 0;
}

static void test_file(void **state)
{
	struct strbuf text = STRBUF_INIT, target = STRBUF_INIT;
	struct node n;

	(void)state;
	assert_int_equal(scratch_make("/manga/S/sedAAAAAA"), 0);
	assert_int_equal(scratch_make("/manga/S/sedAAAAAA"), -EEXIST);
	assert_int_equal(scratch_find("/manga/S/sedAAAAAA", &n, &target), 0);
	assert_true(n.temp && n.owner_only && n.type == NODE_CONTROL);
	assert_int_equal(nodes_mode(&n) & 0777, 0600);
	assert_int_equal(nodes_write(&n, "12", 2), 0);
	assert_int_equal(nodes_write(&n, "\n", 1), 0);
	assert_int_equal(nodes_render(&n, &text), 0);
	assert_string_equal(text.buf, "12\n");
	assert_int_equal(scratch_text("/manga/S/sedAAAAAA", &text), 0);
	assert_string_equal(text.buf, "12\n");
	assert_int_equal(scratch_find("/manga/S/other", &n, &target),
			 -ENOENT);
	/* renamed: an alias of the file it now is, with no text of its own */
	scratch_alias("/manga/S/sedAAAAAA", "/manga/S/latest");
	assert_int_equal(scratch_find("/manga/S/sedAAAAAA", &n, &target), 1);
	assert_string_equal(target.buf, "/manga/S/latest");
	assert_int_equal(scratch_text("/manga/S/sedAAAAAA", &text), -ENOENT);
	assert_int_equal(scratch_drop("/manga/S/sedAAAAAA"), 0);
	assert_int_equal(scratch_drop("/manga/S/sedAAAAAA"), -ENOENT);
	strbuf_release(&text);
	strbuf_release(&target);
}

static void test_bounds(void **state)
{
	struct strbuf target = STRBUF_INIT;
	static char big[SCRATCH_BYTES + 1];
	char path[64];
	struct node n;

	(void)state;
	for (int i = 0; i < SCRATCH_FILES; i++) {
		snprintf(path, sizeof(path), "/manga/S/%d", i);
		assert_int_equal(scratch_make(path), 0);
	}
	assert_int_equal(scratch_make("/manga/S/one-more"), -ENOSPC);
	assert_int_equal(scratch_find("/manga/S/0", &n, &target), 0);
	assert_int_equal(nodes_write(&n, big, sizeof(big)), -EFBIG);
	assert_int_equal(nodes_write(&n, big, SCRATCH_BYTES), 0);
	/* aliases make room: once every slot is taken, the oldest goes */
	for (int i = 0; i < SCRATCH_FILES; i++) {
		snprintf(path, sizeof(path), "/manga/S/%d", i);
		scratch_alias(path, "/manga/S/latest");
	}
	for (int i = 0; i <= SCRATCH_ALIASES; i++) {
		snprintf(path, sizeof(path), "/manga/S/x%d", i);
		assert_int_equal(scratch_make(path), 0);
		scratch_alias(path, "/manga/S/source");
	}
	assert_int_equal(scratch_find("/manga/S/0", &n, &target), -ENOENT);
	assert_int_equal(scratch_find("/manga/S/1", &n, &target), 1);
	assert_int_equal(scratch_find("/manga/S/x0", &n, &target), 1);
	assert_string_equal(target.buf, "/manga/S/source");
	strbuf_release(&target);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_file, teardown),
		cmocka_unit_test_teardown(test_bounds, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
