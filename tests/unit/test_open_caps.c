/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The caps on files open through the mount: the descriptor limit raised
 * at start, with a reserve the mount's files never take; one user held
 * to its cap while others and the owner go on; what is given back counted
 * back; the bytes a user's handles keep capped.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/resource.h>

#include <cmocka.h>

#include "common/strbuf.h"
#include "fs/tree/open_caps.h"

#define LIMIT 600	/* the hard limit the tests run under */

/* Take n handles of uid (with a descriptor when fd), each expected to
 * pass. */
static void take(uid_t uid, int owner, int fd, int n)
{
	for (int i = 0; i < n; i++)
		assert_int_equal(open_caps_take(uid, owner, fd), 0);
}

static void put(uid_t uid, int fd, int n)
{
	for (int i = 0; i < n; i++)
		open_caps_put(uid, fd);
}

/* A soft limit below the hard one is raised to it; half of a limit
 * below twice the reserve is the mount's. */
static void test_limit_raised_and_reserved(void **state)
{
	struct rlimit rl = { 100, LIMIT };

	(void)state;
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &rl), 0);
	open_caps_init();
	assert_int_equal(getrlimit(RLIMIT_NOFILE, &rl), 0);
	assert_int_equal(rl.rlim_cur, LIMIT);
	open_caps_set(100000, OPEN_CAPS_BYTES, OPEN_CAPS_UNPACKS);
	take(1000, 0, 1, LIMIT / 2);
	assert_int_equal(open_caps_take(1001, 0, 1), -ENFILE);
	assert_int_equal(open_caps_take(0, 1, 1), -ENFILE);
	/* what holds no descriptor is held by the user's cap alone */
	assert_int_equal(open_caps_take(1001, 0, 0), 0);
	open_caps_put(1001, 0);
	open_caps_put(1000, 1);
	assert_int_equal(open_caps_take(1001, 0, 1), 0);
	open_caps_put(1001, 1);
	put(1000, 1, LIMIT / 2 - 1);
}

/* A user at its cap gets EMFILE, for descriptors and renderings alike,
 * until it gives one back; another user and the owner do not. */
static void test_cap_per_user(void **state)
{
	(void)state;
	open_caps_set(4, OPEN_CAPS_BYTES, OPEN_CAPS_UNPACKS);
	take(1000, 0, 1, 2);
	take(1000, 0, 0, 2);
	assert_int_equal(open_caps_take(1000, 0, 0), -EMFILE);
	assert_int_equal(open_caps_take(1000, 0, 1), -EMFILE);
	take(1001, 0, 0, 4);
	take(0, 1, 0, 10);
	open_caps_put(1000, 0);
	assert_int_equal(open_caps_take(1000, 0, 1), 0);
	assert_int_equal(open_caps_take(1000, 0, 1), -EMFILE);
	/* a lower cap holds from the next open on */
	open_caps_set(1, OPEN_CAPS_BYTES, OPEN_CAPS_UNPACKS);
	put(1001, 0, 3);
	assert_int_equal(open_caps_take(1001, 0, 0), -EMFILE);
	put(1001, 0, 1);
	assert_int_equal(open_caps_take(1001, 0, 0), 0);
	put(1001, 0, 1);
	put(1000, 1, 3);
	put(1000, 0, 1);
	put(0, 0, 10);
	open_caps_set(2, OPEN_CAPS_BYTES, OPEN_CAPS_UNPACKS);
	take(1000, 0, 0, 2);
	put(1000, 0, 2);
}

/* The bytes a user's handles keep are capped with ENOMEM: a rendering
 * is charged per handle, a shared copy once however many handles of that
 * user hold it; another user and the owner are not held by it. */
static void test_memory_per_user(void **state)
{
	static const char copy_a = 'a', copy_b = 'b';

	(void)state;
	open_caps_set(256, 1000, OPEN_CAPS_UNPACKS);
	take(1000, 0, 1, 8);
	take(1001, 0, 1, 2);
	for (int i = 0; i < 5; i++)
		assert_int_equal(open_caps_charge(1000, 0, &copy_a, 600), 0);
	assert_int_equal(open_caps_charge(1000, 0, &copy_b, 600), -ENOMEM);
	assert_int_equal(open_caps_charge(1000, 0, NULL, 401), -ENOMEM);
	assert_int_equal(open_caps_charge(1000, 0, NULL, 400), 0);
	assert_int_equal(open_caps_charge(1001, 0, &copy_a, 600), 0);
	assert_int_equal(open_caps_charge(1001, 0, &copy_b, 400), 0);
	assert_int_equal(open_caps_charge(0, 1, NULL, 1 << 30), 0);
	/* the copy is still held by four handles: nothing comes back */
	open_caps_uncharge(1000, &copy_a, 600);
	assert_int_equal(open_caps_charge(1000, 0, &copy_b, 600), -ENOMEM);
	for (int i = 0; i < 4; i++)
		open_caps_uncharge(1000, &copy_a, 600);
	assert_int_equal(open_caps_charge(1000, 0, &copy_b, 600), 0);
	open_caps_uncharge(1000, &copy_b, 600);
	open_caps_uncharge(1000, NULL, 400);
	assert_int_equal(open_caps_charge(1000, 0, NULL, 1000), 0);
	open_caps_uncharge(1000, NULL, 1000);
	open_caps_uncharge(1001, &copy_a, 600);
	open_caps_uncharge(1001, &copy_b, 400);
	put(1000, 1, 8);
	put(1001, 1, 2);
	open_caps_set(256, OPEN_CAPS_BYTES, OPEN_CAPS_UNPACKS);
}

/* A user unpacks at most its cap of pages at once, their bytes counted
 * with its renderings': one more is EAGAIN (or ENOMEM past the bytes)
 * until one ends; another user and the owner are not held by it. */
static void test_unpacks_per_user(void **state)
{
	(void)state;
	open_caps_set(256, 1000, 2);
	assert_int_equal(open_caps_unpack_begin(1000, 0, 300), 0);
	assert_int_equal(open_caps_unpack_begin(1000, 0, 300), 0);
	assert_int_equal(open_caps_unpack_begin(1000, 0, 1), -EAGAIN);
	assert_int_equal(open_caps_unpack_begin(1001, 0, 1000), 0);
	assert_int_equal(open_caps_unpack_begin(0, 1, 1 << 30), 0);
	assert_int_equal(open_caps_unpack_begin(0, 1, 1 << 30), 0);
	assert_int_equal(open_caps_unpack_begin(0, 1, 1 << 30), 0);
	/* its stat()s and unpacks share the memory cap */
	assert_int_equal(open_caps_stat_charge(1000, 0, 401), -ENOMEM);
	open_caps_unpack_end(1000, 0, 300);
	assert_int_equal(open_caps_unpack_begin(1000, 0, 701), -ENOMEM);
	assert_int_equal(open_caps_unpack_begin(1000, 0, 700), 0);
	assert_int_equal(open_caps_unpack_begin(1000, 0, 0), -EAGAIN);
	open_caps_unpack_end(1000, 0, 700);
	open_caps_unpack_end(1000, 0, 300);
	open_caps_unpack_end(1001, 0, 1000);
	/* all given back: the whole cap again */
	assert_int_equal(open_caps_unpack_begin(1000, 0, 1000), 0);
	open_caps_unpack_end(1000, 0, 1000);
	/* an end with none begun gives back nothing */
	open_caps_unpack_end(1002, 0, 5);
	open_caps_set(256, 1000, 0);
	assert_int_equal(open_caps_unpack_begin(1000, 0, 1), 0);
	assert_int_equal(open_caps_unpack_begin(1000, 0, 1), -EAGAIN);
	open_caps_unpack_end(1000, 0, 1);
	open_caps_set(256, OPEN_CAPS_BYTES, OPEN_CAPS_UNPACKS);
}

/* Many users each under their cap unpack at most the cap of all of them
 * at once: the next user's page is EAGAIN until one ends, the owner is
 * not held, and a refusal counts nothing. */
static void test_unpacks_of_all_users(void **state)
{
	(void)state;
	open_caps_set(256, OPEN_CAPS_BYTES, 2);
	open_caps_set_all_unpacks(3);
	assert_int_equal(open_caps_unpack_begin(1000, 0, 10), 0);
	assert_int_equal(open_caps_unpack_begin(1000, 0, 10), 0);
	assert_int_equal(open_caps_unpack_begin(1001, 0, 10), 0);
	assert_int_equal(open_caps_unpack_begin(1001, 0, 10), -EAGAIN);
	assert_int_equal(open_caps_unpack_begin(1002, 0, 10), -EAGAIN);
	assert_int_equal(open_caps_unpack_begin(0, 1, 10), 0);
	open_caps_unpack_end(0, 1, 10);
	open_caps_unpack_end(1000, 0, 10);
	assert_int_equal(open_caps_unpack_begin(1002, 0, 10), 0);
	assert_int_equal(open_caps_unpack_begin(1001, 0, 10), -EAGAIN);
	/* an end with none begun frees no place */
	open_caps_unpack_end(1003, 0, 10);
	assert_int_equal(open_caps_unpack_begin(1003, 0, 10), -EAGAIN);
	open_caps_unpack_end(1000, 0, 10);
	open_caps_unpack_end(1001, 0, 10);
	open_caps_unpack_end(1002, 0, 10);
	/* at least one, whatever is set */
	open_caps_set_all_unpacks(0);
	assert_int_equal(open_caps_unpack_begin(1000, 0, 1), 0);
	assert_int_equal(open_caps_unpack_begin(1001, 0, 1), -EAGAIN);
	open_caps_unpack_end(1000, 0, 1);
	open_caps_set_all_unpacks(OPEN_CAPS_ALL_UNPACKS);
	open_caps_set(256, OPEN_CAPS_BYTES, OPEN_CAPS_UNPACKS);
}

/* A rendering from a page on is kept in pages of its own, whole; a
 * smaller one as it was; either is freed by open_caps_unkeep() (ASan and
 * valgrind see a leak or a wrong free). */
static void test_renderings_kept_in_pages(void **state)
{
	size_t sizes[] = { 0, 5, OPEN_CAPS_PAGED_BYTES - 1,
			   OPEN_CAPS_PAGED_BYTES,
			   3 * OPEN_CAPS_PAGED_BYTES + 7 };

	(void)state;
	for (size_t i = 0; i < sizeof(sizes) / sizeof(*sizes); i++) {
		struct strbuf text = STRBUF_INIT;
		struct open_caps_text kept = { 0 };

		for (size_t k = 0; k < sizes[i]; k++)
			strbuf_addch(&text, 'a' + k % 26);
		open_caps_keep(&text, &kept);
		assert_int_equal(text.len, 0);
		assert_int_equal(kept.len, sizes[i]);
		for (size_t k = 0; k < sizes[i]; k++)
			assert_int_equal(kept.buf[k], 'a' + k % 26);
		if (sizes[i] >= OPEN_CAPS_PAGED_BYTES)
			assert_true(kept.paged >= sizes[i] &&
				    kept.paged % 4096 == 0);
		else
			assert_int_equal(kept.paged, 0);
		open_caps_unkeep(&kept);
		assert_null(kept.buf);
		assert_int_equal(kept.len, 0);
		strbuf_release(&text);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_limit_raised_and_reserved),
		cmocka_unit_test(test_cap_per_user),
		cmocka_unit_test(test_memory_per_user),
		cmocka_unit_test(test_unpacks_per_user),
		cmocka_unit_test(test_unpacks_of_all_users),
		cmocka_unit_test(test_renderings_kept_in_pages),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
