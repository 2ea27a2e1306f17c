/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The local catalog on a real store in a temporary directory: loading a
 * JSON lines file with its bad lines, reloading only when the file
 * changed, and searching a series' volume through the name parser.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/db.h"
#include "common/log.h"
#include "common/strbuf.h"
#include "testdb.h"
#include "indexer/monitor/catalog.h"
#include "indexer/monitor/catalog_file.h"
#include "indexer/store/schema.h"

struct env {
	struct testdb t;
	char file[96];		/* the catalog, in the store's folder */
};

/* Several series, a range, a chapter, a longer series name, accents. */
static const char good_lines[] =
	"{\"title\": \"One Piece T105 FRENCH CBZ\", \"link\": \"l1\","
	" \"size\": 100, \"source\": \"ebdz\"}\n"
	"{\"title\": \"One Piece Tome 104\", \"link\": \"l2\"}\n"
	"{\"title\": \"One Piece T101-T103 [Pack]\", \"link\": \"l3\","
	" \"size\": null, \"source\": null, \"extra\": [1, 2]}\n"
	"{\"title\": \"One Piece Chapitre 1100\", \"link\": \"l4\"}\n"
	"{\"title\": \"One Piece Party T02\", \"link\": \"l5\"}\n"
	"{\"title\": \"Berserk T41\", \"link\": \"l6\", \"size\": 7}\n"
	"{\"title\": \"Pok\xc3\xa9mon T05\", \"link\": \"l7\"}\n";

/* Each is bad for its own reason; the blank line is not counted. */
static const char bad_lines[] =
	"not json at all\n"
	"{\"title\": \"Berserk T40\"}\n"
	"{\"title\": 40, \"link\": \"x\"}\n"
	"\n"
	"{\"title\": \"Berserk T40\", \"link\": \"x\", \"size\": \"big\"}\n"
	"{\"title\": \"Berserk T40\", \"link\": \"x\", \"size\": -1}\n"
	"{\"title\": \"Berserk T40\", \"link\": \"x\", \"source\": 3}\n"
	"{\"title\": \"\", \"link\": \"x\"}\n"
	"{\"title\": \"Berserk \xff T40\", \"link\": \"x\"}\n"
	"[\"Berserk T40\", \"x\"]\n";
#define NR_BAD 9

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

static int64_t query_int(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st;
	int64_t v = -1;

	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

static double loaded_at(sqlite3 *db)
{
	sqlite3_stmt *st;
	double v = -1;

	assert_int_equal(sqlite3_prepare_v2(db, "SELECT loaded_at FROM"
					    " catalog_meta", -1, &st, NULL),
			 SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_double(st, 0);
	sqlite3_finalize(st);
	return v;
}

static int setup(void **state)
{
	struct env *e = calloc(1, sizeof(*e));

	if (!e || testdb_open(&e->t)) {
		free(e);
		return -1;
	}
	snprintf(e->file, sizeof(e->file), "%s/catalog.jsonl", e->t.dir);
	*state = e;
	return 0;
}

static int teardown(void **state)
{
	struct env *e = *state;

	testdb_close(&e->t);
	free(e);
	return 0;
}

/* Loads the good lines (and the bad ones, when asked) into the store. */
static void load(struct env *e, int with_bad)
{
	char *text;

	assert_true(asprintf(&text, "%s%s", good_lines,
			     with_bad ? bad_lines : "") > 0);
	write_file(e->file, text);
	free(text);
	assert_int_equal(catalog_reload(e->t.db, e->file), 0);
}

/* Searches and checks the number of hits; the caller frees them. */
static struct catalog_hit *search(struct env *e, const char *series,
				  int volume, size_t expect)
{
	struct catalog_hit *hits = NULL;
	size_t nr = 99;

	assert_int_equal(catalog_search(e->t.db, series, volume, &hits, &nr),
			 0);
	assert_int_equal(nr, expect);
	if (!nr)
		assert_null(hits);
	return hits;
}

static void test_load_counts_bad_lines(void **state)
{
	struct env *e = *state;
	char *huge;
	FILE *f;

	load(e, 1);
	/* A 1 MB line in the middle, then one more good line. */
	f = fopen(e->file, "a");
	assert_non_null(f);
	huge = malloc(1 << 20);
	assert_non_null(huge);
	memset(huge, 'a', 1 << 20);
	fputs("{\"title\": \"", f);
	fwrite(huge, 1, 1 << 20, f);
	fputs(" T01\", \"link\": \"x\"}\n", f);
	fputs("{\"title\": \"Berserk T42\", \"link\": \"l8\"}", f);
	assert_int_equal(fclose(f), 0);
	free(huge);
	assert_int_equal(catalog_reload(e->t.db, e->file), 0);

	assert_int_equal(query_int(e->t.db, "SELECT entries FROM catalog_meta"),
			 8);
	assert_int_equal(query_int(e->t.db, "SELECT bad_lines FROM"
				   " catalog_meta"), NR_BAD + 1);
	assert_int_equal(query_int(e->t.db, "SELECT count(*) FROM catalog"), 8);
	assert_int_equal(query_int(e->t.db, "SELECT count(*) FROM catalog_fts"
				   " WHERE catalog_fts MATCH 'berserk'"), 2);
	assert_int_equal(db_exec(e->t.db,
				 "INSERT INTO catalog_fts (catalog_fts)"
				 " VALUES ('integrity-check')"), 0);
	assert_int_equal(query_int(e->t.db, "SELECT count(*) FROM catalog"
				   " WHERE size IS NULL AND source IS NULL"),
			 6);
}

static void test_search_single_volume(void **state)
{
	struct env *e = *state;
	struct catalog_hit *hits;

	load(e, 1);
	hits = search(e, "One Piece", 105, 1);
	assert_string_equal(hits[0].title, "One Piece T105 FRENCH CBZ");
	assert_string_equal(hits[0].link, "l1");
	assert_string_equal(hits[0].source, "ebdz");
	assert_int_equal(hits[0].size, 100);
	assert_true(hits[0].first == 105 && hits[0].last == 105);
	catalog_hits_free(hits, 1);

	hits = search(e, "one piece", 104, 1);
	assert_string_equal(hits[0].title, "One Piece Tome 104");
	assert_null(hits[0].source);
	assert_int_equal(hits[0].size, -1);
	catalog_hits_free(hits, 1);
	search(e, "One Piece", 106, 0);
}

static void test_search_range(void **state)
{
	struct env *e = *state;
	struct catalog_hit *hits;

	load(e, 0);
	hits = search(e, "One Piece", 102, 1);
	assert_string_equal(hits[0].title, "One Piece T101-T103 [Pack]");
	assert_true(hits[0].first == 101 && hits[0].last == 103);
	catalog_hits_free(hits, 1);
	catalog_hits_free(search(e, "One Piece", 101, 1), 1);
	catalog_hits_free(search(e, "One Piece", 103, 1), 1);
	search(e, "One Piece", 100, 0);
}

static void test_search_drops_chapters_and_other_series(void **state)
{
	struct env *e = *state;
	struct catalog_hit *hits;

	load(e, 0);
	search(e, "One Piece", 1100, 0);
	search(e, "One Piece", 2, 0);
	hits = search(e, "One Piece Party", 2, 1);
	assert_string_equal(hits[0].title, "One Piece Party T02");
	catalog_hits_free(hits, 1);
	search(e, "Piece", 105, 0);
	search(e, "Berserk", 105, 0);
}

static void test_search_accents(void **state)
{
	struct env *e = *state;
	struct catalog_hit *hits;

	load(e, 0);
	hits = search(e, "Pokemon", 5, 1);
	assert_string_equal(hits[0].title, "Pok\xc3\xa9mon T05");
	catalog_hits_free(hits, 1);
	catalog_hits_free(search(e, "POK\xc3\x89MON", 5, 1), 1);
}

static void test_search_order(void **state)
{
	struct env *e = *state;
	struct catalog_hit *hits;

	write_file(e->file,
		   "{\"title\": \"Berserk T40-T42\", \"link\": \"p\","
		   " \"size\": 900}\n"
		   "{\"title\": \"Berserk T41\", \"link\": \"a\"}\n"
		   "{\"title\": \"Berserk T41 [HQ]\", \"link\": \"b\","
		   " \"size\": 300}\n"
		   "{\"title\": \"Berserk T41 [LQ]\", \"link\": \"c\","
		   " \"size\": 100}\n"
		   "{\"title\": \"Berserk Tomes 41 a 43\", \"link\": \"q\","
		   " \"size\": 50}\n");
	assert_int_equal(catalog_reload(e->t.db, e->file), 0);
	hits = search(e, "Berserk", 41, 5);
	assert_string_equal(hits[0].link, "b");
	assert_string_equal(hits[1].link, "c");
	assert_string_equal(hits[2].link, "a");
	assert_string_equal(hits[3].link, "p");
	assert_string_equal(hits[4].link, "q");
	catalog_hits_free(hits, 5);
}

static void test_search_words_run_together(void **state)
{
	struct env *e = *state;

	write_file(e->file,
		   "{\"title\": \"DrStone T05\", \"link\": \"a\"}\n"
		   "{\"title\": \"Dr. Stone - Tome 5\", \"link\": \"b\"}\n");
	assert_int_equal(catalog_reload(e->t.db, e->file), 0);
	catalog_hits_free(search(e, "Dr. Stone", 5, 2), 2);
	catalog_hits_free(search(e, "DrStone", 5, 1), 1);
}

/* A series' leading article need not be in the title, nor the other
 * way round. */
static void test_search_leading_article(void **state)
{
	struct env *e = *state;

	write_file(e->file,
		   "{\"title\": \"Legend of Kamui v01-02\", \"link\": \"a\"}\n"
		   "{\"title\": \"The Legend of Kamui v02\", \"link\": \"b\"}\n"
		   "{\"title\": \"Legend of Kamui Gaiden v02\","
		   " \"link\": \"c\"}\n");
	assert_int_equal(catalog_reload(e->t.db, e->file), 0);
	catalog_hits_free(search(e, "The Legend of Kamui", 2, 2), 2);
	catalog_hits_free(search(e, "Legend of Kamui", 2, 2), 2);
	catalog_hits_free(search(e, "The Legend of Kamui", 1, 1), 1);
}

static void test_search_fts_syntax_harmless(void **state)
{
	static const char *const queries[] = {
		"\"", "\"One Piece\"", "One\" OR \"Berserk", "*", "One*",
		"NEAR(One Piece)", "One AND Piece", "One OR Berserk",
		"NOT Berserk", "-One", "title:One", "^One", "{title}: one",
		"(", ")", "+", ":", "", "   ", "\xff\xfe",
	};
	struct env *e = *state;
	struct catalog_hit *hits;
	size_t i, nr;

	load(e, 0);
	for (i = 0; i < sizeof(queries) / sizeof(*queries); i++) {
		assert_int_equal(catalog_search(e->t.db, queries[i], 105, &hits,
						&nr), 0);
		catalog_hits_free(hits, nr);
	}
	/* Operators are words like any other: none of these is a series. */
	search(e, "One OR Berserk", 41, 0);
	search(e, "NOT Berserk", 41, 0);
	/* Punctuation around the name still finds it. */
	catalog_hits_free(search(e, "\"One Piece\"*", 105, 1), 1);
	assert_int_equal(catalog_search(NULL, "x", 1, &hits, &nr), -EINVAL);
	assert_int_equal(catalog_search(e->t.db, NULL, 1, &hits, &nr),
			 -EINVAL);
}

static void test_reload_only_when_changed(void **state)
{
	struct env *e = *state;
	struct timespec times[2] = { { 0, UTIME_OMIT }, { 1000000, 0 } };
	double first;

	load(e, 0);
	first = loaded_at(e->t.db);
	assert_true(first > 0);
	assert_int_equal(catalog_reload(e->t.db, e->file), 0);
	assert_true(loaded_at(e->t.db) == first);

	/* Same content, new mtime: loaded again, same rows. */
	assert_int_equal(utimensat(AT_FDCWD, e->file, times, 0), 0);
	assert_int_equal(catalog_reload(e->t.db, e->file), 0);
	assert_true(loaded_at(e->t.db) > first);
	assert_int_equal(query_int(e->t.db, "SELECT count(*) FROM catalog"), 7);
	assert_int_equal(query_int(e->t.db,
				   "SELECT mtime_ns FROM catalog_meta"),
			 INT64_C(1000000) * 1000000000);
	first = loaded_at(e->t.db);
	assert_int_equal(catalog_reload(e->t.db, e->file), 0);
	assert_true(loaded_at(e->t.db) == first);

	/* New content replaces the old. */
	write_file(e->file, "{\"title\": \"Berserk T42\", \"link\": \"x\"}\n");
	assert_int_equal(catalog_reload(e->t.db, e->file), 0);
	assert_int_equal(query_int(e->t.db, "SELECT count(*) FROM catalog"), 1);
	search(e, "One Piece", 105, 0);
	catalog_hits_free(search(e, "Berserk", 42, 1), 1);
	assert_int_equal(db_exec(e->t.db,
				 "INSERT INTO catalog_fts (catalog_fts)"
				 " VALUES ('integrity-check')"), 0);
}

static void test_missing_file_empties(void **state)
{
	struct env *e = *state;
	double first;

	load(e, 0);
	assert_int_equal(unlink(e->file), 0);
	assert_int_equal(catalog_reload(e->t.db, e->file), 0);
	assert_int_equal(query_int(e->t.db, "SELECT count(*) FROM catalog"), 0);
	assert_int_equal(query_int(e->t.db, "SELECT entries FROM catalog_meta"),
			 0);
	assert_int_equal(query_int(e->t.db, "SELECT size FROM catalog_meta"),
			 -1);
	search(e, "One Piece", 105, 0);
	first = loaded_at(e->t.db);
	assert_int_equal(catalog_reload(e->t.db, e->file), 0);
	assert_true(loaded_at(e->t.db) == first);

	/* Back again. */
	load(e, 0);
	catalog_hits_free(search(e, "One Piece", 105, 1), 1);
	assert_int_equal(catalog_reload(e->t.db, NULL), -EINVAL);
	assert_int_equal(catalog_reload(e->t.db, e->t.dir), -EISDIR);

	/* A FIFO is refused at once, not waited on; the catalog stays. */
	assert_int_equal(unlink(e->file), 0);
	assert_int_equal(mkfifo(e->file, 0600), 0);
	assert_int_equal(catalog_reload(e->t.db, e->file), -EINVAL);
	catalog_hits_free(search(e, "One Piece", 105, 1), 1);
}

/* Whether the log ring holds what exactly once. */
static int logged_once(const char *what)
{
	struct strbuf ring = STRBUF_INIT;
	const char *first;
	int once;

	log_ring_dump(&ring);
	first = strstr(ring.buf, what);
	once = first && !strstr(first + 1, what);
	strbuf_release(&ring);
	return once;
}

/* Issue 76: a catalog file others may change (written by every user, or
 * a link of another user's) is refused: logged once, a line of health
 * until mended, the catalog kept as it was. */
static void test_file_others_may_change(void **state)
{
	struct env *e = *state;
	struct strbuf health = STRBUF_INIT;
	char want[512], other[160];

	load(e, 0);
	write_file(e->file, "{\"title\": \"Berserk T41\", \"link\": \"z\"}\n");
	assert_int_equal(chmod(e->file, 0666), 0);
	assert_int_equal(catalog_reload(e->t.db, e->file), -EACCES);
	assert_int_equal(catalog_reload(e->t.db, e->file), -EACCES);
	catalog_hits_free(search(e, "One Piece", 105, 1), 1);
	catalog_file_health(&health);
	snprintf(want, sizeof(want), "catalog: the file %s is not used: %s"
		 " may be written by every user", e->file, e->file);
	assert_true(logged_once(want));
	assert_non_null(strstr(health.buf, want));
	assert_true(!strncmp(health.buf, "error: ", 7));
	assert_int_equal(chmod(e->file, 0644), 0);
	assert_int_equal(catalog_reload(e->t.db, e->file), 0);
	assert_int_equal(query_int(e->t.db, "SELECT entries FROM catalog_meta"),
			 1);
	strbuf_reset(&health);
	catalog_file_health(&health);
	assert_string_equal(health.buf, "");
	if (geteuid()) {
		strbuf_release(&health);
		return;
	}
	/* a link another user made, though to a file of root's */
	snprintf(other, sizeof(other), "%s/other.jsonl", e->t.dir);
	write_file(other, good_lines);
	assert_int_equal(unlink(e->file), 0);
	assert_int_equal(symlink(other, e->file), 0);
	assert_int_equal(lchown(e->file, 65534, 65534), 0);
	assert_int_equal(catalog_reload(e->t.db, e->file), -EACCES);
	assert_int_equal(query_int(e->t.db, "SELECT entries FROM catalog_meta"),
			 1);
	catalog_file_health(&health);
	assert_non_null(strstr(health.buf, "is a symbolic link of user"));
	catalog_file_refused(NULL);
	strbuf_release(&health);
}

static void test_large_file(void **state)
{
	struct env *e = *state;
	struct catalog_hit *hits;
	FILE *f = fopen(e->file, "w");
	int i;

	assert_non_null(f);
	for (i = 0; i < 50000; i++)
		fprintf(f, "{\"title\": \"Series %d T%02d FRENCH CBZ\","
			" \"link\": \"https://example.org/%d\","
			" \"size\": %d, \"source\": \"gen\"}\n",
			i / 50, i % 50 + 1, i, i);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(catalog_reload(e->t.db, e->file), 0);
	assert_int_equal(query_int(e->t.db, "SELECT entries FROM catalog_meta"),
			 50000);
	assert_int_equal(query_int(e->t.db, "SELECT bad_lines FROM"
				   " catalog_meta"), 0);
	hits = search(e, "Series 321", 7, 1);
	assert_string_equal(hits[0].link, "https://example.org/16056");
	catalog_hits_free(hits, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
		T(test_load_counts_bad_lines),
		T(test_file_others_may_change),
		T(test_search_single_volume),
		T(test_search_range),
		T(test_search_drops_chapters_and_other_series),
		T(test_search_accents),
		T(test_search_order),
		T(test_search_words_run_together),
		T(test_search_leading_article),
		T(test_search_fts_syntax_harmless),
		T(test_reload_only_when_changed),
		T(test_missing_file_empties),
		T(test_large_file),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
