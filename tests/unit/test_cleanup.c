/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Locals released at the end of their scope (common/cleanup.h): a
 * statement finalized, a stream and a descriptor closed, a JSON value's
 * reference dropped on every way out, a goto out of the scope included;
 * a stolen value kept, an empty local left alone. (A buffer not freed
 * shows as a leak under make asan.)
 */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "common/cleanup.h"

static int fd_open(int fd)
{
	return fcntl(fd, F_GETFD) != -1;
}

static int new_fd(void)
{
	int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);

	assert_true(fd >= 0);
	return fd;
}

/* Prepares a statement on db, returns early when stop is set, else
 * steps it once: the statement is finalized on both ways out. */
static int one_query(sqlite3 *db, int stop)
{
	CLEANUP_STMT sqlite3_stmt *st = NULL;

	assert_int_equal(sqlite3_prepare_v2(db, "SELECT 1", -1, &st, NULL),
			 SQLITE_OK);
	if (stop)
		return 1;
	return sqlite3_step(st) == SQLITE_ROW ? 0 : -1;
}

static void test_stmt_finalized(void **state)
{
	sqlite3 *db;

	(void)state;
	assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
	assert_int_equal(one_query(db, 1), 1);
	assert_null(sqlite3_next_stmt(db, NULL));
	assert_int_equal(one_query(db, 0), 0);
	assert_null(sqlite3_next_stmt(db, NULL));
	assert_int_equal(sqlite3_close(db), SQLITE_OK);
}

static void test_fd_closed(void **state)
{
	int fd = -1;

	(void)state;
	{
		CLEANUP_FD int held = new_fd();

		fd = held;
	}
	assert_false(fd_open(fd));
	{
		CLEANUP_FD int empty = -1;

		(void)empty;
	}
}

static void test_fd_stolen(void **state)
{
	int fd;

	(void)state;
	{
		CLEANUP_FD int held = new_fd();

		fd = CLEANUP_STEAL_FD(held);
		assert_int_equal(held, -1);
	}
	assert_true(fd_open(fd));
	close(fd);
}

/* Leaves its scope by a goto: the stream is closed all the same. */
static int file_goto(int *fd)
{
	int rc = 0;

	{
		CLEANUP_FILE FILE *f = fopen("/dev/null", "re");

		assert_non_null(f);
		*fd = fileno(f);
		if (*fd >= 0)
			goto out;
		rc = -1;
	}
out:
	return rc;
}

static void test_file_closed(void **state)
{
	int fd = -1;

	(void)state;
	assert_int_equal(file_goto(&fd), 0);
	assert_false(fd_open(fd));
	{
		CLEANUP_FILE FILE *none = NULL;

		(void)none;
	}
}

static void test_json_released(void **state)
{
	json_t *kept = json_object();

	(void)state;
	assert_non_null(kept);
	{
		CLEANUP_JSON json_t *ref = json_incref(kept);

		assert_int_equal(kept->refcount, 2);
		(void)ref;
	}
	assert_int_equal(kept->refcount, 1);
	{
		CLEANUP_JSON json_t *ref = json_incref(kept);
		json_t *out = CLEANUP_STEAL(ref);

		assert_null(ref);
		assert_ptr_equal(out, kept);
	}
	assert_int_equal(kept->refcount, 2);
	json_decref(kept);
	json_decref(kept);
}

/* A buffer stolen out of its cleanup local stays the caller's. */
static char *made(const char *s)
{
	CLEANUP_FREE char *copy = strdup(s);

	assert_non_null(copy);
	return CLEANUP_STEAL(copy);
}

static void test_free_steal(void **state)
{
	char *s;

	(void)state;
	s = made("kept");
	assert_string_equal(s, "kept");
	free(s);
	{
		CLEANUP_FREE char *dropped = strdup("dropped");
		CLEANUP_FREE char *none = NULL;

		assert_non_null(dropped);
		(void)none;
	}
}

/* A release function of one's own, counted. */
struct counted {
	int *released;
};

static void counted_free(struct counted *c)
{
	if (c)
		(*c->released)++;
}

CLEANUP_FUNC(struct counted, counted_free)

/* Released once at the end of its scope, not at all when stolen, and
 * never for NULL. */
static void test_own_function(void **state)
{
	int released = 0;
	struct counted one = { &released }, two = { &released };
	struct counted *kept;

	(void)state;
	{
		CLEANUP(counted_free) struct counted *c = &one;
		CLEANUP(counted_free) struct counted *none = NULL;

		(void)c;
		(void)none;
	}
	assert_int_equal(released, 1);
	{
		CLEANUP(counted_free) struct counted *c = &two;

		kept = CLEANUP_STEAL(c);
	}
	assert_int_equal(released, 1);
	assert_ptr_equal(kept, &two);
}

/* An element that owns memory, its releases counted. */
struct row {
	char *text;
	int *released;
};

static void row_clear(struct row *r)
{
	free(r->text);
	(*r->released)++;
}

/* Each of the nr rows released, then the array freed; NULL rows taken. */
static void test_free_rows(void **state)
{
	struct row *rows = calloc(3, sizeof(*rows));
	struct row *none = NULL;
	int released = 0;

	(void)state;
	assert_non_null(rows);
	for (int i = 0; i < 3; i++) {
		rows[i].text = strdup("row");
		rows[i].released = &released;
		assert_non_null(rows[i].text);
	}
	CLEANUP_FREE_ROWS(rows, 3, row_clear);
	assert_int_equal(released, 3);
	CLEANUP_FREE_ROWS(none, 5, row_clear);
	assert_int_equal(released, 3);
}

/* Every pointer given is freed, NULL ones passed over (make asan shows
 * a leak); the count comes from the list. */
static void test_free_all(void **state)
{
	struct {
		char *a, *b, *c;
	} owner = { strdup("a"), NULL, strdup("c") };
	void *one = malloc(1);

	(void)state;
	assert_non_null(owner.a);
	assert_non_null(owner.c);
	CLEANUP_FREE_ALL(owner.a, owner.b, owner.c);
	CLEANUP_FREE_ALL(one);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stmt_finalized),
		cmocka_unit_test(test_fd_closed),
		cmocka_unit_test(test_fd_stolen),
		cmocka_unit_test(test_file_closed),
		cmocka_unit_test(test_json_released),
		cmocka_unit_test(test_free_steal),
		cmocka_unit_test(test_free_all),
		cmocka_unit_test(test_own_function),
		cmocka_unit_test(test_free_rows),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
