/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The Subsonic accounts' own rows (library/account_rows.h): playlists
 * kept per account and changed by their owner alone, public ones read
 * by others; bookmarks, play queues and ratings per account; and
 * version 53 making their tables in a version 52 store.
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

#include "common/db.h"
#include "common/strbuf.h"
#include "indexer/library/account_rows.h"
#include "indexer/store/schema.h"
#include "tests/unit/testdb.h"

static int setup(void **state)
{
	return testdb_reader_setup(state, "");
}

static int add_playlist(void *arg, const struct account_playlist *p)
{
	strbuf_addf(arg, "%lld:%s:%s:%s:%d:%.0f:%.0f ", (long long)p->id,
		    p->account, p->name, p->comment, p->is_public, p->created,
		    p->changed);
	return 0;
}

static void playlists_of(const char *account, int others, struct strbuf *sb)
{
	strbuf_reset(sb);
	assert_int_equal(account_rows_playlists_each(account, others,
						     add_playlist, sb), 0);
}

static void files_of(int64_t id, struct strbuf *sb)
{
	int64_t *files;
	size_t nr;

	strbuf_reset(sb);
	assert_int_equal(account_rows_playlist_files(id, &files, &nr), 0);
	for (size_t i = 0; i < nr; i++)
		strbuf_addf(sb, "%lld ", (long long)files[i]);
	free(files);
}

static void test_playlists(void **state)
{
	struct testdb *t = *state;
	struct strbuf sb = STRBUF_INIT;
	const int64_t files[] = { 7, 3, 7 };
	struct account_playlist_change c = {
		.account = "ann", .name = "Road", .is_public = -1, .songs = 1,
		.files = files, .nr_files = 3, .at = 10,
	};
	int64_t id;

	assert_int_equal(account_rows_playlist(t->db, &c), 0);
	id = c.id;
	assert_true(id > 0);
	playlists_of("ann", 0, &sb);
	assert_string_equal(sb.buf, "1:ann:Road::0:10:10 ");
	files_of(id, &sb);
	assert_string_equal(sb.buf, "7 3 7 ");
	/* another account's change of it: refused, nothing changed */
	c = (struct account_playlist_change){ .account = "bob", .id = id,
					      .name = "Mine", .is_public = 1,
					      .at = 20 };
	assert_int_equal(account_rows_playlist(t->db, &c), -ENOENT);
	assert_int_equal(c.id, id);
	c.remove = 1;
	assert_int_equal(account_rows_playlist(t->db, &c), -ENOENT);
	playlists_of("bob", 1, &sb);
	assert_string_equal(sb.buf, "");
	assert_int_equal(account_rows_playlist_get(id, "bob", add_playlist,
						   &sb), 0);
	/* the owner's: name and public changed, songs kept, comment too */
	c = (struct account_playlist_change){ .account = "ann", .id = id,
					      .comment = "c", .is_public = 1,
					      .at = 30 };
	assert_int_equal(account_rows_playlist(t->db, &c), 0);
	playlists_of("bob", 1, &sb);
	assert_string_equal(sb.buf, "1:ann:Road:c:1:10:30 ");
	playlists_of("bob", 0, &sb);
	assert_string_equal(sb.buf, "");
	assert_int_equal(account_rows_playlist_get(id, "bob", add_playlist,
						   &sb), 1);
	files_of(id, &sb);
	assert_string_equal(sb.buf, "7 3 7 ");
	c = (struct account_playlist_change){ .account = "ann", .id = id,
					      .is_public = -1, .songs = 1,
					      .files = files + 1,
					      .nr_files = 1, .at = 40 };
	assert_int_equal(account_rows_playlist(t->db, &c), 0);
	files_of(id, &sb);
	assert_string_equal(sb.buf, "3 ");
	playlists_of("ann", 0, &sb);
	assert_string_equal(sb.buf, "1:ann:Road:c:1:10:40 ");
	c.remove = 1;
	assert_int_equal(account_rows_playlist(t->db, &c), 0);
	playlists_of("ann", 1, &sb);
	assert_string_equal(sb.buf, "");
	assert_int_equal(testdb_int(t->path, "SELECT count(*) FROM"
				    " subsonic_playlist_songs"), 0);
	strbuf_release(&sb);
}

static int add_bookmark(void *arg, const struct account_bookmark *b)
{
	strbuf_addf(arg, "%lld:%lld:%s:%.0f:%.0f ", (long long)b->file,
		    (long long)b->position, b->comment, b->created,
		    b->changed);
	return 0;
}

static void bookmarks_of(const char *account, struct strbuf *sb)
{
	strbuf_reset(sb);
	assert_int_equal(account_rows_bookmarks_each(account, add_bookmark,
						     sb), 0);
}

static void test_bookmarks(void **state)
{
	struct testdb *t = *state;
	struct strbuf sb = STRBUF_INIT;
	struct account_bookmark b = { "ann", 5, 1000, "x", 0, 10, 0 };

	assert_int_equal(account_rows_bookmark(t->db, &b), 0);
	b.file = 6;
	b.changed = 20;
	assert_int_equal(account_rows_bookmark(t->db, &b), 0);
	b.file = 5;
	b.position = 2000;
	b.comment = NULL;
	b.changed = 30;
	assert_int_equal(account_rows_bookmark(t->db, &b), 0);
	bookmarks_of("ann", &sb);
	assert_string_equal(sb.buf, "5:2000::10:30 6:1000:x:20:20 ");
	bookmarks_of("bob", &sb);
	assert_string_equal(sb.buf, "");
	b.remove = 1;
	assert_int_equal(account_rows_bookmark(t->db, &b), 0);
	bookmarks_of("ann", &sb);
	assert_string_equal(sb.buf, "6:1000:x:20:20 ");
	strbuf_release(&sb);
}

static int add_queue(void *arg, const struct account_queue *q)
{
	strbuf_addf(arg, "%lld:%lld:%.0f:%s:", (long long)q->current,
		    (long long)q->position, q->changed, q->changed_by);
	for (size_t i = 0; i < q->nr_files; i++)
		strbuf_addf(arg, " %lld", (long long)q->files[i]);
	return 0;
}

static void test_queues(void **state)
{
	struct testdb *t = *state;
	struct strbuf sb = STRBUF_INIT;
	const int64_t files[] = { 4, 2, 9 };
	struct account_queue q = { "ann", 2, 500, 10, "app", files, 3 };

	assert_int_equal(account_rows_queue_get("ann", add_queue, &sb), 0);
	assert_int_equal(account_rows_queue(t->db, &q), 0);
	assert_int_equal(account_rows_queue_get("ann", add_queue, &sb), 1);
	assert_string_equal(sb.buf, "2:500:10:app: 4 2 9");
	assert_int_equal(account_rows_queue_get("bob", add_queue, &sb), 0);
	q = (struct account_queue){ "ann", 0, 0, 20, NULL, NULL, 0 };
	assert_int_equal(account_rows_queue(t->db, &q), 0);
	strbuf_reset(&sb);
	assert_int_equal(account_rows_queue_get("ann", add_queue, &sb), 1);
	assert_string_equal(sb.buf, "0:0:20::");
	strbuf_release(&sb);
}

static int add_rating(void *arg, const struct account_rating *r)
{
	strbuf_addf(arg, "%d:%lld:%s:%d ", (int)r->kind, (long long)r->file,
		    r->item ? r->item : "-", r->rating);
	return 0;
}

static void ratings_of(const char *account, struct strbuf *sb)
{
	strbuf_reset(sb);
	assert_int_equal(account_rows_ratings_each(account, add_rating, sb),
			 0);
}

static void test_ratings(void **state)
{
	struct testdb *t = *state;
	struct strbuf sb = STRBUF_INIT;
	struct account_rating r = { "ann", STARRED_SONG, 5, NULL, 4 };

	assert_int_equal(account_rows_rating(t->db, &r), 0);
	r.rating = 2;
	assert_int_equal(account_rows_rating(t->db, &r), 0);
	r = (struct account_rating){ "ann", STARRED_ALBUM, 0, "al61", 5 };
	assert_int_equal(account_rows_rating(t->db, &r), 0);
	r.rating = 6;
	assert_int_equal(account_rows_rating(t->db, &r), -EINVAL);
	r.rating = -1;
	assert_int_equal(account_rows_rating(t->db, &r), -EINVAL);
	ratings_of("ann", &sb);
	assert_true(strstr(sb.buf, "0:5:-:2 ") && strstr(sb.buf,
							 "1:0:al61:5 "));
	ratings_of("bob", &sb);
	assert_string_equal(sb.buf, "");
	r.rating = 0;
	assert_int_equal(account_rows_rating(t->db, &r), 0);
	ratings_of("ann", &sb);
	assert_string_equal(sb.buf, "0:5:-:2 ");
	strbuf_release(&sb);
}

/* A version 52 store takes the tables at version 53. */
static void test_migrated_from_52(void **state)
{
	struct testdb *t = *state;
	struct strbuf sb = STRBUF_INIT;
	struct account_bookmark b = { "ann", 5, 1000, NULL, 0, 10, 0 };

	assert_int_equal(db_exec(t->db, "DROP TABLE subsonic_playlist_songs;"
				 " DROP TABLE subsonic_playlists;"
				 " DROP TABLE subsonic_bookmarks;"
				 " DROP TABLE subsonic_queues;"
				 " DROP TABLE subsonic_queue_songs;"
				 " DROP TABLE subsonic_ratings;"
				 /* and version 54's column */
				 " ALTER TABLE files DROP COLUMN crc;"
				 " PRAGMA user_version = 52"), 0);
	assert_int_equal(account_rows_bookmark(t->db, &b), -EIO);
	assert_int_equal(schema_migrate(t->db), 0);
	assert_int_equal(testdb_int(t->path, "PRAGMA user_version"), 54);
	assert_int_equal(account_rows_bookmark(t->db, &b), 0);
	bookmarks_of("ann", &sb);
	assert_string_equal(sb.buf, "5:1000::10:10 ");
	assert_int_equal(testdb_int(t->path, "SELECT count(*) FROM"
				    " sqlite_master WHERE name IN"
				    " ('subsonic_playlists',"
				    " 'subsonic_playlist_songs',"
				    " 'subsonic_queues',"
				    " 'subsonic_queue_songs',"
				    " 'subsonic_ratings')"), 5);
	strbuf_release(&sb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_playlists, setup,
						testdb_reader_teardown),
		cmocka_unit_test_setup_teardown(test_bookmarks, setup,
						testdb_reader_teardown),
		cmocka_unit_test_setup_teardown(test_queues, setup,
						testdb_reader_teardown),
		cmocka_unit_test_setup_teardown(test_ratings, setup,
						testdb_reader_teardown),
		cmocka_unit_test_setup_teardown(test_migrated_from_52, setup,
						testdb_reader_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
