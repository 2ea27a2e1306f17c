/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The ids searches found for a series (series.found, version 50), apart
 * from the source the user wrote: a store of version 49 keeps the ids
 * its source holds, which nothing tells apart from the user's; writing
 * the series' source or edition forgets the found ids, other settings
 * do not; a change of [monitor] edition forgets those of the series that
 * follow it, not those of a series with an edition of its own.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/db.h"
#include "indexer/manga/manga.h"
#include "indexer/monitor/published.h"
#include "indexer/store/schema.h"
#include "musicdb.h"
#include "testdb.h"

/* Series 1 follows [monitor] edition, 2 has its own; both hold ids a
 * search found, 1 an id its user wrote too. */
#define ROWS \
	"INSERT INTO roots (id, kind, path) VALUES (1, 'manga', '/m');" \
	" INSERT INTO series (id, root_id, path, name, source, found," \
	" edition) VALUES" \
	" (1, 1, 'Berserk', 'Berserk', 'anilist:7', 'mangadex:a b', NULL)," \
	" (2, 1, 'Kingdom', 'Kingdom', '', 'mangaupdates:9', 'ja');"

static int setup(void **state)
{
	struct testdb *t;

	if (testdb_setup(state))
		return -1;
	t = *state;
	return db_exec(t->db, ROWS) ? -1 : 0;
}

/* The found ids of series id, as the store holds them. */
static char *found_of(struct testdb *t, int id)
{
	char sql[64];

	snprintf(sql, sizeof(sql), "SELECT found FROM series WHERE id = %d",
		 id);
	return musicdb_text(t->path, sql);
}

static void assert_found(struct testdb *t, int id, const char *want)
{
	char *found = found_of(t, id);

	assert_non_null(found);
	assert_string_equal(found, want);
	free(found);
}

/* A store of version 49 kept the ids a search found in source: they
 * stay there, and the series has no found ids yet. */
static void test_version_49_keeps_its_sources(void **state)
{
	struct testdb *t = *state;
	char *source;

	assert_int_equal(db_exec(t->db, UNDO_IMAGE_CRCS UNDO_VERSION_52
		UNDO_VERSION_51
		UNDO_VERSION_50
		" UPDATE series SET source = 'nautiljon:berserk"
		" mangadex:a77742b1-befd-49a4-bff5-1ad4e6b0ef7b'"
		" WHERE id = 1; PRAGMA user_version = 49"), 0);
	assert_int_equal(schema_migrate(t->db), 0);
	source = musicdb_text(t->path, "SELECT source FROM series"
			      " WHERE id = 1");
	assert_non_null(source);
	assert_string_equal(source, "nautiljon:berserk"
			    " mangadex:a77742b1-befd-49a4-bff5-1ad4e6b0ef7b");
	free(source);
	assert_found(t, 1, "");
	assert_found(t, 2, "");
	assert_int_equal(testdb_int(t->path, "PRAGMA user_version"),
			 schema_version());
}

/* The settings of series 1, each stored as the mount stores it. */
static void set(struct testdb *t, int what, const char *text, long number)
{
	struct manga_setting s = {
		.series = 1, .what = what, .text = text, .number = number,
		.is_number = !text,
	};

	assert_int_equal(manga_store_setting(t->db, &s), 0);
}

static void test_user_settings(void **state)
{
	struct testdb *t = *state;

	set(t, MANGA_SET_MONITORED, NULL, 0);
	set(t, MANGA_SET_LATEST, NULL, 12);
	set(t, MANGA_SET_PREFS, "lang=fr", 0);
	assert_found(t, 1, "mangadex:a b");
	set(t, MANGA_SET_EDITION, "ja", 0);
	assert_found(t, 1, "");
	assert_int_equal(db_exec(t->db, "UPDATE series SET found ="
				 " 'mangadex:a b' WHERE id = 1"), 0);
	set(t, MANGA_SET_SOURCE, "mangadex:c", 0);
	assert_found(t, 1, "");
	assert_found(t, 2, "mangaupdates:9");
}

static void test_edition_of_the_configuration(void **state)
{
	struct testdb *t = *state;

	assert_int_equal(published_forget_found(t->db), 0);
	assert_found(t, 1, "");
	assert_found(t, 2, "mangaupdates:9");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
			test_version_49_keeps_its_sources, setup,
			testdb_teardown),
		cmocka_unit_test_setup_teardown(test_user_settings, setup,
						testdb_teardown),
		cmocka_unit_test_setup_teardown(
			test_edition_of_the_configuration, setup,
			testdb_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
