/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * A damaged store found by quick_check and replaced (indexer/recovery):
 * kept aside, restored from the newest good backup or made afresh; and a
 * backup of a damaged store refused (indexer/maintenance).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/db.h"
#include "common/log.h"
#include "common/strbuf.h"
#include "indexer/maintenance.h"
#include "indexer/recovery.h"
#include "indexer/store/schema.h"
#include "indexer/store/storefile.h"
#include "testdb.h"

struct env {
	char dir[64];
	char db[96];
	char backups[96];
};

/* A store of the current schema holding rows rows in settings. */
static void make_store(const char *path, int rows)
{
	sqlite3 *db;

	assert_int_equal(db_open(path, 0, &db), 0);
	assert_int_equal(schema_migrate(db), 0);
	for (int i = 0; i < rows; i++) {
		char sql[96];

		snprintf(sql, sizeof(sql), "INSERT INTO settings VALUES"
			 " ('k%d', %d)", i, i);
		assert_int_equal(db_exec(db, sql), 0);
	}
	db_close(db);
}

static int setup(void **state)
{
	struct env *e = calloc(1, sizeof(*e));

	strcpy(e->dir, "/tmp/mediamon-recovery-XXXXXX");
	assert_non_null(mkdtemp(e->dir));
	snprintf(e->db, sizeof(e->db), "%s/index.db", e->dir);
	snprintf(e->backups, sizeof(e->backups), "%s/backups", e->dir);
	assert_int_equal(mkdir(e->backups, 0700), 0);
	storefile_clear();
	*state = e;
	return 0;
}

static int teardown(void **state)
{
	struct env *e = *state;
	char cmd[96];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", e->dir);
	assert_int_equal(system(cmd), 0);
	free(e);
	return 0;
}

/* Noise over every page but the first: the header stays whole. */
static void damage(const char *path)
{
	int fd = open(path, O_RDWR);
	char noise[4096];
	struct stat st;

	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &st), 0);
	for (size_t i = 0; i < sizeof(noise); i++)
		noise[i] = (char)(i * 7919 + 13);
	for (off_t at = 4096; at < st.st_size; at += 4096)
		assert_int_equal(pwrite(fd, noise, sizeof(noise), at), 4096);
	close(fd);
}

/* The names in dir that start with prefix. */
static int count_names(const char *dir, const char *prefix)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int n = 0;

	assert_non_null(d);
	/* the file itself, not the -wal or -shm beside it */
	while ((de = readdir(d)))
		n += !strncmp(de->d_name, prefix, strlen(prefix)) &&
			!strchr(de->d_name + strlen(prefix), '-');
	closedir(d);
	return n;
}

static void test_sound_store_stays(void **state)
{
	struct env *e = *state;

	make_store(e->db, 3);
	assert_int_equal(storefile_damaged(e->db, NULL), 0);
	assert_int_equal(recovery_check(e->db), 0);
	assert_int_equal(testdb_int(e->db, "SELECT count(*) FROM settings"), 3);
	assert_int_equal(count_names(e->dir, "index.db.damaged-"), 0);
}

/* The newest backup that passes quick_check wins; a damaged newer one
 * is passed over; the damaged store is kept, not deleted. */
static void test_restored_from_newest_good_backup(void **state)
{
	struct env *e = *state;
	char older[160], newer[160];
	struct strbuf errors = STRBUF_INIT, warns = STRBUF_INIT;
	uint64_t epoch = storefile_epoch();

	snprintf(older, sizeof(older), "%s/mediamon-20260101T000000Z.db",
		 e->backups);
	snprintf(newer, sizeof(newer), "%s/mediamon-20260102T000000Z.db",
		 e->backups);
	make_store(older, 2);
	make_store(newer, 4);
	damage(newer);
	make_store(e->db, 5);
	damage(e->db);
	assert_int_equal(storefile_damaged(e->db, NULL), 1);

	assert_int_equal(recovery_check(e->db), 1);
	assert_int_equal(testdb_int(e->db, "SELECT count(*) FROM settings"), 2);
	assert_int_equal(count_names(e->dir, "index.db.damaged-"), 1);
	assert_int_not_equal(storefile_epoch(), epoch);
	assert_int_equal(storefile_fault(), STOREFILE_OK);
	storefile_health(&errors, &warns);
	assert_string_equal(errors.buf, "");
	assert_non_null(strstr(warns.buf, "was damaged ("));
	assert_non_null(strstr(warns.buf, older));
	assert_int_equal(recovery_check(e->db), 0);
	strbuf_release(&errors);
	strbuf_release(&warns);
}

/* With no backup, the store starts empty, private. */
static void test_fresh_without_backup(void **state)
{
	struct env *e = *state;
	struct stat st;

	make_store(e->db, 5);
	damage(e->db);
	assert_int_equal(recovery_check(e->db), 1);
	assert_int_equal(stat(e->db, &st), 0);
	assert_int_equal(st.st_size, 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(count_names(e->dir, "index.db.damaged-"), 1);
}

/* Issue 76: a backups folder that another user may change is not
 * restored from (they may have put any store there): the store starts
 * afresh, the damaged one kept aside, and health says why. */
static void test_backups_others_may_change(void **state)
{
	struct env *e = *state;
	char backup[160];
	struct strbuf errors = STRBUF_INIT, warns = STRBUF_INIT;

	snprintf(backup, sizeof(backup), "%s/mediamon-20260101T000000Z.db",
		 e->backups);
	make_store(backup, 2);
	make_store(e->db, 5);
	damage(e->db);
	assert_int_equal(chmod(e->backups, 0777), 0);
	assert_int_equal(recovery_check(e->db), 1);
	assert_int_equal(testdb_int(e->db, "SELECT count(*) FROM sqlite_schema"),
			 0);
	assert_int_equal(count_names(e->dir, "index.db.damaged-"), 1);
	storefile_health(&errors, &warns);
	assert_non_null(strstr(warns.buf, "no backup used (the folder "));
	assert_non_null(strstr(warns.buf, "/backups may be written by every"
			       " user"));
	assert_null(strstr(warns.buf, backup));
	strbuf_release(&errors);
	strbuf_release(&warns);
}

/* A copy of a damaged store is no backup: it would push a good one out. */
static void test_damaged_store_not_backed_up(void **state)
{
	struct env *e = *state;

	make_store(e->db, 5);
	damage(e->db);
	assert_true(maintenance_backup(e->db, e->backups, 1795276800.0, 2,
				       NULL) < 0);
	assert_int_equal(count_names(e->backups, "mediamon-"), 0);
	assert_int_equal(storefile_fault(), STOREFILE_CORRUPT);
	assert_int_equal(storefile_take_suspect(), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_sound_store_stays, setup,
						teardown),
		cmocka_unit_test_setup_teardown(
			test_restored_from_newest_good_backup, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fresh_without_backup,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_damaged_store_not_backed_up, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_backups_others_may_change, setup, teardown),
	};

	log_set_stderr(0);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
