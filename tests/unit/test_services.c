/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The services a reload may forget (indexer/store/services.h): every
 * download client of the clients' table (common/download_clients.def)
 * that is not configured, the configured one kept, and a service it does
 * not know never dropped.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "common/bytes.h"
#include "indexer/store/services.h"
#include "testdb.h"

static const char *const table[] = {
#define DOWNLOAD_CLIENT(name, protocol) #name,
#include "common/download_clients.def"
#undef DOWNLOAD_CLIENT
};

/* Whether the store holds the row of service name. */
static int has_row(struct testdb *t, const char *name)
{
	char sql[128];

	snprintf(sql, sizeof(sql), "SELECT count(*) FROM services"
		 " WHERE name = '%s'", name);
	return testdb_int(t->path, sql) == 1;
}

static void add_row(struct testdb *t, const char *name)
{
	char sql[128];

	snprintf(sql, sizeof(sql), "INSERT INTO services (name)"
		 " VALUES ('%s')", name);
	assert_int_equal(sqlite3_exec(t->db, sql, NULL, NULL, NULL),
			 SQLITE_OK);
}

static void test_forget_the_clients_not_configured(void **state)
{
	struct testdb *t = *state;
	const char *kept[] = { table[0], "prowlarr", NULL };

	add_row(t, "prowlarr");
	add_row(t, "mangadex");
	for (size_t i = 0; i < ARRAY_SIZE(table); i++)
		add_row(t, table[i]);
	assert_int_equal(services_forget_unconfigured(t->db, kept), 0);
	assert_true(has_row(t, table[0]));
	for (size_t i = 1; i < ARRAY_SIZE(table); i++)
		assert_false(has_row(t, table[i]));
	assert_true(has_row(t, "prowlarr"));
	/* not one a reload configures: kept */
	assert_true(has_row(t, "mangadex"));
}

static void test_forget_all_when_none_is(void **state)
{
	struct testdb *t = *state;
	const char *kept[] = { NULL };

	for (size_t i = 0; i < ARRAY_SIZE(table); i++)
		add_row(t, table[i]);
	assert_int_equal(services_forget_unconfigured(t->db, kept), 0);
	for (size_t i = 0; i < ARRAY_SIZE(table); i++)
		assert_false(has_row(t, table[i]));
	assert_int_equal(testdb_int(t->path, "SELECT count(*) FROM services"),
			 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
			test_forget_the_clients_not_configured, testdb_setup,
			testdb_teardown),
		cmocka_unit_test_setup_teardown(test_forget_all_when_none_is,
						testdb_setup, testdb_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
