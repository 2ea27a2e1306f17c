/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>

#include "indexer/store/reader.h"
#include "indexer/store/writer.h"
#include "testdb.h"

/*
 * A domain of the test's own: its records are numbers written to a table
 * it makes, a negative one failing for itself. The writer knows it only
 * by the table of operations it registers.
 */
struct note_rec {
	struct writer_rec wr;
	int value;
};

static struct {
	sqlite3_stmt *insert;
	int started, opened, closed, applied, failed, released, commits,
	    forgets;
	int failed_value;
} d;

static void notes_start(sqlite3 *db)
{
	d.started++;
	assert_int_equal(sqlite3_exec(db, "CREATE TABLE IF NOT EXISTS notes"
				      " (v INTEGER)", NULL, NULL, NULL),
			 SQLITE_OK);
}

static int notes_open(sqlite3 *db)
{
	d.opened++;
	sqlite3_finalize(d.insert);
	return sqlite3_prepare_v2(db, "INSERT INTO notes (v) VALUES (?1)", -1,
				  &d.insert, NULL) == SQLITE_OK ? 0 : -EIO;
}

static void notes_close(void)
{
	d.closed++;
	sqlite3_finalize(d.insert);
	d.insert = NULL;
}

static int notes_apply(const struct writer_rec *wr)
{
	const struct note_rec *rec = (const struct note_rec *)wr;
	int rc;

	d.applied++;
	if (rec->value < 0)
		return -EINVAL;
	sqlite3_bind_int(d.insert, 1, rec->value);
	rc = sqlite3_step(d.insert);
	sqlite3_reset(d.insert);
	return rc == SQLITE_DONE ? 0 : -EIO;
}

static void notes_failed(const struct writer_rec *wr)
{
	d.failed++;
	d.failed_value = ((const struct note_rec *)wr)->value;
}

static void notes_release(struct writer_rec *wr)
{
	d.released++;
	free(wr);
}

static int notes_commit(void)
{
	d.commits++;
	return 0;
}

static void notes_forget(void)
{
	d.forgets++;
}

static const struct writer_ops notes_ops = {
	.start = notes_start,
	.open = notes_open,
	.close = notes_close,
	.apply = notes_apply,
	.failed = notes_failed,
	.release = notes_release,
	.commit = notes_commit,
	.forget = notes_forget,
};

static void put_as(int value, int bulk)
{
	struct note_rec *rec = calloc(1, sizeof(*rec));

	assert_non_null(rec);
	rec->wr.ops = &notes_ops;
	rec->wr.bulk = bulk;
	rec->value = value;
	writer_put(&rec->wr);
}

static void put(int value)
{
	put_as(value, 0);
}

static int nop(sqlite3 *db, void *unused)
{
	(void)db;
	(void)unused;
	return 0;
}

/* Records go through the registered table: applied, committed with the
 * domain's commit, the one that fails for itself handed back to failed
 * and counted, every one released; a call makes the domain forget. */
static void test_writer_applies_through_ops(void **state)
{
	struct testdb *t = *state;
	uint64_t errors = writer_errors();

	assert_int_equal(writer_register(&notes_ops), 0);
	assert_int_equal(writer_register(&notes_ops), 0);
	assert_int_equal(writer_start(t->path), 0);
	assert_int_equal(d.started, 1);
	assert_int_equal(d.opened, 1);
	assert_int_equal(writer_register(&(struct writer_ops){ 0 }), -EBUSY);

	put(7);
	put(-1);
	put(9);
	assert_int_equal(writer_call(NULL, NULL), 0);
	assert_int_equal(d.applied, 3);
	assert_int_equal(d.failed, 1);
	assert_int_equal(d.failed_value, -1);
	assert_int_equal(d.released, 3);
	assert_true(d.commits >= 1);
	assert_int_equal(writer_errors(), errors + 1);
	assert_int_equal(testdb_int(t->path, "SELECT count(*) FROM notes"), 2);
	assert_int_equal(testdb_int(t->path, "SELECT sum(v) FROM notes"), 16);

	d.forgets = 0;
	assert_int_equal(writer_call(nop, NULL), 0);
	assert_true(d.forgets >= 1);

	writer_stop();
	assert_int_equal(d.closed, 1);
}

static int moves;

static void count_move(void)
{
	moves++;
}

static void other_move(void)
{
}

static void third_move(void)
{
}

static void fourth_move(void)
{
}

static void fifth_move(void)
{
}

/* Whoever waits for the store hears of every move of the generation, on
 * the writer thread, once however often it asked; past the last slot a
 * waiter is refused. */
static void test_writer_tells_of_moves(void **state)
{
	struct testdb *t = *state;
	uint64_t before;

	assert_int_equal(writer_on_move(count_move), 0);
	assert_int_equal(writer_on_move(count_move), 0);
	assert_int_equal(writer_start(t->path), 0);
	before = writer_generation();
	moves = 0;
	put(5);
	assert_int_equal(writer_call(NULL, NULL), 0);
	assert_true(moves >= 1);
	assert_int_equal(writer_call(nop, NULL), 0);
	assert_true(writer_generation() > before);
	assert_int_equal((uint64_t)moves, writer_generation() - before);
	writer_stop();

	assert_int_equal(writer_on_move(other_move), 0);
	assert_int_equal(writer_on_move(third_move), 0);
	assert_int_equal(writer_on_move(fourth_move), 0);
	assert_int_equal(writer_on_move(fifth_move), -ENOSPC);
}

/* A writer_call() function: one row into the table named by arg. */
static int insert_into(sqlite3 *db, void *arg)
{
	char sql[64];

	snprintf(sql, sizeof(sql), "INSERT INTO %s (v) VALUES (1)",
		 (const char *)arg);
	return sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK ? 0 : -EIO;
}

/* The names' generation moves with the commits and calls that changed a
 * row of a table named, not with those that wrote only others. */
static void test_writer_names_generation(void **state)
{
	static const char *const named[] = { "notes", NULL };
	struct testdb *t = *state;
	uint64_t gen, names;

	writer_names_tables(named);
	assert_int_equal(writer_start(t->path), 0);
	assert_int_equal(writer_call(insert_into, "notes"), 0);
	assert_int_equal(sqlite3_exec(t->db, "CREATE TABLE figures (v INTEGER)",
				      NULL, NULL, NULL), SQLITE_OK);
	gen = writer_generation();
	names = writer_names_generation();
	assert_int_equal(writer_call(insert_into, "figures"), 0);
	assert_int_equal(writer_call(nop, NULL), 0);
	assert_true(writer_generation() >= gen + 2);
	assert_int_equal(writer_names_generation(), names);
	put(3);
	assert_int_equal(writer_call(NULL, NULL), 0);
	assert_true(writer_names_generation() > names);
	names = writer_names_generation();
	assert_int_equal(writer_call(insert_into, "notes"), 0);
	assert_int_equal(writer_names_generation(), names + 1);
	/* a bulk load's rows are new: read or not, they move the names */
	names = writer_names_generation();
	put_as(4, 1);
	assert_int_equal(writer_call(NULL, NULL), 0);
	assert_int_equal(writer_names_generation(), names + 1);
	/* its rows are not read, but those after it are again */
	names = writer_names_generation();
	assert_int_equal(writer_call(insert_into, "notes"), 0);
	assert_int_equal(writer_names_generation(), names + 1);
	writer_stop();
	writer_names_tables(NULL);
}

/* The notes as this thread's reader sees them. */
static int64_t notes_read(void)
{
	sqlite3_stmt *st;
	int64_t n = -1;

	assert_int_equal(reader_prepare("SELECT count(*) FROM notes", "test",
					&st), 0);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	reader_done(st);
	return n;
}

/* A read held across a commit is of the store before it, and says so:
 * reader_generation() is the generation read before it began, in the
 * reads that join it too; outside one, none. */
static void test_reader_generation(void **state)
{
	struct testdb *t = *state;
	uint64_t gen;
	int64_t before;
	sqlite3 *db;

	assert_int_equal(writer_start(t->path), 0);
	assert_int_equal(reader_init(t->path), 0);
	assert_int_equal(reader_generation(), UINT64_MAX);
	gen = writer_generation();
	assert_int_equal(reader_hold(), 0);
	assert_int_equal(reader_generation(), gen);
	before = notes_read();
	assert_int_equal(writer_call(insert_into, "notes"), 0);
	assert_true(writer_generation() > gen);
	db = reader_begin();
	assert_non_null(db);
	assert_int_equal(notes_read(), before);
	assert_int_equal(reader_generation(), gen);
	reader_end(db);
	reader_release();
	assert_int_equal(reader_generation(), UINT64_MAX);
	db = reader_begin();
	assert_non_null(db);
	assert_int_equal(reader_generation(), writer_generation());
	assert_int_equal(notes_read(), before + 1);
	reader_end(db);
	reader_close();
	writer_stop();
}

/* A writer_call() function: the statements at arg. */
static int run_sql(sqlite3 *db, void *arg)
{
	return sqlite3_exec(db, arg, NULL, NULL, NULL) == SQLITE_OK ? 0 : -EIO;
}

/* Whether writer_call(run_sql, sql) moved the names' generation. */
static int moves_names(const char *sql)
{
	uint64_t names = writer_names_generation();

	assert_int_equal(writer_call(run_sql, (void *)sql), 0);
	return writer_names_generation() != names;
}

/* What rows hold moves the names, not the statements that wrote them: a
 * row written as it was, or deleted and inserted again as it was under
 * another id (a series' volumes at each scan), is no change; a value
 * changed, an id changed by an update, a row added or removed are, and
 * so is a rowid that is not an id but a key (an album's, for the albums
 * that have a cover). */
static void test_writer_names_follow_values(void **state)
{
	static const char *const named[] = { "named", "covered", NULL };
	struct testdb *t = *state;

	assert_int_equal(sqlite3_exec(t->db, "CREATE TABLE named (id INTEGER"
				      " PRIMARY KEY, name TEXT, n REAL);"
				      " CREATE TABLE covered (album_id INTEGER"
				      " PRIMARY KEY); INSERT INTO covered"
				      " VALUES (1)", NULL, NULL, NULL),
			 SQLITE_OK);
	writer_names_tables(named);
	assert_int_equal(writer_start(t->path), 0);
	assert_true(moves_names("INSERT INTO named VALUES (1, 'a', 1.5),"
				" (2, NULL, NULL)"));
	assert_false(moves_names("UPDATE named SET name = name, n = n"));
	assert_false(moves_names("DELETE FROM named;"
				 " INSERT INTO named VALUES (7, 'a', 1.5),"
				 " (9, NULL, NULL)"));
	assert_false(moves_names("INSERT INTO named VALUES (3, 'b', 2);"
				 " DELETE FROM named WHERE id = 3"));
	assert_true(moves_names("UPDATE named SET name = 'c' WHERE id = 7"));
	assert_true(moves_names("UPDATE named SET n = 1 WHERE id = 7"));
	assert_true(moves_names("UPDATE named SET id = 8 WHERE id = 7"));
	assert_true(moves_names("INSERT INTO named VALUES (10, 'c', 1)"));
	assert_true(moves_names("DELETE FROM named WHERE id = 10"));
	assert_true(moves_names("DELETE FROM covered;"
				" INSERT INTO covered VALUES (2)"));
	assert_false(moves_names("DELETE FROM covered;"
				 " INSERT INTO covered VALUES (2)"));
	writer_stop();
	writer_names_tables(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_writer_applies_through_ops,
						testdb_setup, testdb_teardown),
		cmocka_unit_test_setup_teardown(test_writer_tells_of_moves,
						testdb_setup, testdb_teardown),
		cmocka_unit_test_setup_teardown(test_writer_names_generation,
						testdb_setup, testdb_teardown),
		cmocka_unit_test_setup_teardown(test_writer_names_follow_values,
						testdb_setup, testdb_teardown),
		cmocka_unit_test_setup_teardown(test_reader_generation,
						testdb_setup, testdb_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
