/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <dirent.h>
#include <errno.h>
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

#include "common/bytes.h"
#include "common/clock.h"
#include "common/config.h"
#include "common/db.h"
#include "common/log.h"
#include "common/strbuf.h"
#include "indexer/maintenance.h"
#include "indexer/store/schema.h"
#include "indexer/store/writer.h"

#define NOV_21_2026 1795276800.0	/* 2026-11-21T16:00:00Z */

struct env {
	char dir[64], db[96], backups[96];
	struct config cfg;
};

/* A store of its own per test, with the writer running, as retention
 * writes through it. */
static int setup(void **state)
{
	struct env *e = calloc(1, sizeof(*e));

	strcpy(e->dir, "/tmp/mediamon-maint-XXXXXX");
	assert_non_null(mkdtemp(e->dir));
	snprintf(e->db, sizeof(e->db), "%s/index.db", e->dir);
	snprintf(e->backups, sizeof(e->backups), "%s/backups", e->dir);
	assert_int_equal(writer_start(e->db), 0);
	config_init(&e->cfg);
	e->cfg.database = e->db;
	*state = e;
	return 0;
}

/* The folder goes with its backups. */
static int teardown(void **state)
{
	struct env *e = *state;
	char cmd[128];

	writer_stop();
	e->cfg.database = NULL;
	config_release(&e->cfg);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", e->dir);
	assert_int_equal(system(cmd), 0);
	free(e);
	return 0;
}

/* Rows for a test go in through the writer, like the daemon's. */
static int exec_sql(sqlite3 *db, void *sql)
{
	return db_exec(db, sql);
}

/* One number from a store, through a connection of its own. */
static int count(const char *db_path, const char *sql)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	int n;

	assert_int_equal(db_open(db_path, 1, &db), 0);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL),
			 SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	n = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	db_close(db);
	return n;
}

/* Whether the backup folder holds name. */
static int exists(const struct env *e, const char *name)
{
	char path[160];

	snprintf(path, sizeof(path), "%s/%s", e->backups, name);
	return access(path, F_OK) == 0;
}

static void test_backups_kept(void **state)
{
	static const char *const foreign[] = {
		"notes.txt", "mediamon-mine.db", "mediamon-2026.db",
		"mediamon-20261120T160000Z.db.bak",
		"mediamon-20261120T1600000.db.tmp",
	};
	struct env *e = *state;
	char path[160];
	struct stat st;

	assert_int_equal(writer_call(exec_sql, "INSERT INTO rd_attempts (at,"
				     " endpoint, result) VALUES (1, 'list',"
				     " 'ok')"), 0);
	for (int day = 0; day < 3; day++)
		assert_int_equal(maintenance_backup(e->db, e->backups,
						    NOV_21_2026 + day * 86400,
						    2, NULL), 0);
	assert_false(exists(e, "mediamon-20261121T160000Z.db"));
	assert_true(exists(e, "mediamon-20261122T160000Z.db"));
	assert_true(exists(e, "mediamon-20261123T160000Z.db"));
	assert_false(exists(e, "mediamon-20261123T160000Z.db.tmp"));
	/* nothing of the copy's own journal is left beside it */
	assert_false(exists(e, "mediamon-20261123T160000Z.db.tmp-wal"));
	assert_false(exists(e, "mediamon-20261123T160000Z.db.tmp-shm"));
	assert_false(exists(e, "mediamon-20261123T160000Z.db-wal"));
	assert_false(exists(e, "mediamon-20261123T160000Z.db-shm"));
	snprintf(path, sizeof(path), "%s/mediamon-20261123T160000Z.db",
		 e->backups);
	assert_int_equal(count(path, "PRAGMA user_version"), schema_version());
	assert_int_equal(count(path, "SELECT count(*) FROM rd_attempts"), 1);
	/* A backup holds what the store holds: for its owner alone. */
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(stat(e->backups, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	/* Other files in the folder are not backups and stay, even named
	 * alike: the folder may be a share the owner keeps files in. */
	for (size_t i = 0; i < ARRAY_SIZE(foreign); i++) {
		snprintf(path, sizeof(path), "%s/%s", e->backups, foreign[i]);
		fclose(fopen(path, "w"));
	}
	assert_int_equal(maintenance_backup(e->db, e->backups,
					    NOV_21_2026 + 5 * 86400, 1, NULL),
			 0);
	for (size_t i = 0; i < ARRAY_SIZE(foreign); i++)
		assert_true(exists(e, foreign[i]));
	assert_false(exists(e, "mediamon-20261123T160000Z.db"));
	assert_true(exists(e, "mediamon-20261126T160000Z.db"));
}

/* What a backup killed halfway left goes with the next backup; a file
 * that is not ours stays. */
static void test_killed_backup_left_over(void **state)
{
	static const char *const left[] = {
		"mediamon-20261120T160000Z.db.tmp",
		"mediamon-20261120T160000Z.db.tmp-wal",
		"mediamon-20261120T160000Z.db.tmp-journal",
	};
	struct env *e = *state;
	char path[160];

	assert_int_equal(mkdir(e->backups, 0700), 0);
	for (size_t i = 0; i < ARRAY_SIZE(left); i++) {
		snprintf(path, sizeof(path), "%s/%s", e->backups, left[i]);
		fclose(fopen(path, "w"));
	}
	snprintf(path, sizeof(path), "%s/other.db.tmp", e->backups);
	fclose(fopen(path, "w"));
	assert_int_equal(maintenance_backup(e->db, e->backups, NOV_21_2026,
					    2, NULL), 0);
	for (size_t i = 0; i < ARRAY_SIZE(left); i++)
		assert_false(exists(e, left[i]));
	assert_true(exists(e, "other.db.tmp"));
	assert_true(exists(e, "mediamon-20261121T160000Z.db"));
}

static void test_backup_fails_whole(void **state)
{
	struct env *e = *state;
	char file[128];

	snprintf(file, sizeof(file), "%s/not-a-dir", e->dir);
	fclose(fopen(file, "w"));
	assert_true(maintenance_backup(e->db, file, NOV_21_2026, 2, NULL) < 0);
	assert_true(maintenance_backup("/nonexistent/index.db", e->backups,
				       NOV_21_2026, 2, NULL) < 0);
	assert_false(exists(e, "mediamon-20261121T160000Z.db"));
	assert_false(exists(e, "mediamon-20261121T160000Z.db.tmp"));
}

/* Whether path holds what write_file() put there. */
static int holds(const char *path, const char *text)
{
	char buf[64] = "";
	FILE *f = fopen(path, "r");

	if (!f)
		return 0;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = '\0';
	fclose(f);
	return !strcmp(buf, text);
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_true(fputs(text, f) >= 0);
	assert_int_equal(fclose(f), 0);
}

/* Issue 76: a backup folder that another user may change is refused,
 * with why, and nothing is written in it; mended, it is used. */
static void test_folder_others_may_change(void **state)
{
	struct env *e = *state;
	struct strbuf why = STRBUF_INIT;
	char want[512], path[160];
	DIR *d;

	assert_int_equal(mkdir(e->backups, 0700), 0);
	assert_int_equal(chmod(e->backups, 0777), 0);
	assert_int_equal(maintenance_backup(e->db, e->backups, NOV_21_2026,
					    2, &why), -EACCES);
	snprintf(want, sizeof(want), "the folder %s is not used: %s may be"
		 " written by every user (only root or mediamon's user may"
		 " change it)", e->backups, e->backups);
	assert_string_equal(why.buf, want);
	d = opendir(e->backups);
	assert_non_null(d);
	for (struct dirent *de; (de = readdir(d));)
		assert_true(de->d_name[0] == '.');
	closedir(d);
	/* a folder on the way counts as much */
	snprintf(path, sizeof(path), "%s/far", e->backups);
	strbuf_reset(&why);
	assert_int_equal(maintenance_backup(e->db, path, NOV_21_2026, 2,
					    &why), -EACCES);
	assert_non_null(strstr(why.buf, "may be written by every user"));
	assert_int_equal(access(path, F_OK), -1);
	if (!geteuid()) {
		assert_int_equal(chmod(e->backups, 0700), 0);
		assert_int_equal(chown(e->backups, 65534, 65534), 0);
		strbuf_reset(&why);
		assert_int_equal(maintenance_backup(e->db, e->backups,
						    NOV_21_2026, 2, &why),
				 -EACCES);
		assert_non_null(strstr(why.buf, " belongs to user "));
		assert_int_equal(chown(e->backups, 0, 0), 0);
	}
	assert_int_equal(chmod(e->backups, 0700), 0);
	strbuf_reset(&why);
	assert_int_equal(maintenance_backup(e->db, e->backups, NOV_21_2026,
					    2, &why), 0);
	assert_int_equal(why.len, 0);
	assert_true(exists(e, "mediamon-20261121T160000Z.db"));
	strbuf_release(&why);
}

/* Issue 76: in a folder every user may add names to (sticky, as /tmp),
 * a link put at the copy's or the backup's name is never written
 * through, and another user's file named as a backup is neither counted
 * nor deleted. */
static void test_links_at_the_names(void **state)
{
	struct env *e = *state;
	char victim[128], tmp[160], path[160];
	struct stat st;

	assert_int_equal(mkdir(e->backups, 0700), 0);
	assert_int_equal(chmod(e->backups, 01777), 0);
	snprintf(victim, sizeof(victim), "%s/victim", e->dir);
	write_file(victim, "precious\n");
	snprintf(tmp, sizeof(tmp), "%s/mediamon-20261121T160000Z.db.tmp",
		 e->backups);
	assert_int_equal(symlink(victim, tmp), 0);
	assert_int_equal(maintenance_backup(e->db, e->backups, NOV_21_2026,
					    2, NULL), -EEXIST);
	assert_true(holds(victim, "precious\n"));
	assert_int_equal(lstat(tmp, &st), 0);
	assert_true(S_ISLNK(st.st_mode));
	assert_false(exists(e, "mediamon-20261121T160000Z.db"));
	/* at the backup's own name, the link is replaced, not followed */
	snprintf(path, sizeof(path), "%s/mediamon-20261121T170000Z.db",
		 e->backups);
	assert_int_equal(symlink(victim, path), 0);
	assert_int_equal(maintenance_backup(e->db, e->backups,
					    NOV_21_2026 + 3600, 1, NULL), 0);
	assert_true(holds(victim, "precious\n"));
	assert_int_equal(lstat(path, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_true(count(path, "SELECT count(*) FROM sqlite_schema") > 10);
	if (geteuid())
		return;
	/* another user's file with a newer backup's name pushes none out */
	snprintf(path, sizeof(path), "%s/mediamon-20991231T000000Z.db",
		 e->backups);
	write_file(path, "theirs\n");
	assert_int_equal(chown(path, 65534, 65534), 0);
	assert_int_equal(maintenance_backup(e->db, e->backups,
					    NOV_21_2026 + 7200, 1, NULL), 0);
	assert_true(holds(path, "theirs\n"));
	assert_true(exists(e, "mediamon-20261121T180000Z.db"));
	assert_false(exists(e, "mediamon-20261121T170000Z.db"));
}

/* [retention] backup_dir gets each backup too, rotated there alike and
 * opening as a store; a far folder that cannot be written fails only the
 * far copy. */
static void test_backup_dir_too(void **state)
{
	struct env *e = *state;
	char dir[96], path[160];
	int far;

	snprintf(dir, sizeof(dir), "%s/far", e->dir);
	e->cfg.backups_kept = 2;
	e->cfg.backup_dir = strdup(dir);
	assert_non_null(e->cfg.backup_dir);
	for (int i = 0; i < 3; i++)
		assert_int_equal(maintenance_backup_now(&e->cfg, NOV_21_2026 +
							i * 3600, &far, NULL),
				 0);
	assert_int_equal(far, 0);
	snprintf(path, sizeof(path), "%s/mediamon-20261121T160000Z.db", dir);
	assert_int_equal(access(path, F_OK), -1);
	snprintf(path, sizeof(path), "%s/mediamon-20261121T180000Z.db", dir);
	assert_true(count(path, "SELECT count(*) FROM sqlite_schema") > 10);
	assert_true(exists(e, "mediamon-20261121T170000Z.db"));

	free(e->cfg.backup_dir);
	snprintf(path, sizeof(path), "%s/index.db/far", e->dir);
	e->cfg.backup_dir = strdup(path);
	assert_non_null(e->cfg.backup_dir);
	assert_int_equal(maintenance_backup_now(&e->cfg, NOV_21_2026 +
						3 * 3600, &far, NULL), 0);
	assert_int_equal(far, -ENOTDIR);
	assert_true(exists(e, "mediamon-20261121T190000Z.db"));
}

static void test_retention_and_next(void **state)
{
	struct env *e = *state;
	double now = clock_wall(), next;
	int far;

	e->cfg.retention_attempts_s = 30 * 86400;
	e->cfg.retention_metrics_s = 90 * 86400;
	e->cfg.backup_interval_s = 3600;
	next = maintenance_next_at(&e->cfg);
	assert_true(next >= now + MAINTENANCE_FIRST_DELAY &&
		    next < now + MAINTENANCE_FIRST_DELAY + 100);
	assert_int_equal(writer_call(exec_sql,
		"INSERT INTO rd_attempts (at, endpoint, result) VALUES"
		" (unixepoch() - 31 * 86400, 'list', 'ok'),"
		" (unixepoch() - 29 * 86400, 'list', 'ok');"
		"INSERT INTO rd_passes (kind, trigger, dry_run, started_at)"
		" VALUES ('run', 'control', 1, unixepoch() - 91 * 86400),"
		" ('run', 'control', 1, unixepoch() - 89 * 86400)"), 0);
	assert_int_equal(maintenance_prune(&e->cfg, now), 0);
	assert_int_equal(count(e->db, "SELECT count(*) FROM rd_attempts"), 1);
	assert_int_equal(count(e->db, "SELECT count(*) FROM rd_passes"), 1);
	/* Retention alone writes no backup. */
	assert_true(maintenance_last_backup_at(&e->cfg) == 0);
	assert_true(maintenance_next_at(&e->cfg) < now + 3000);
	assert_int_equal(maintenance_backup_now(&e->cfg, now, &far, NULL), 0);
	assert_int_equal(far, 0);
	assert_true(maintenance_last_backup_at(&e->cfg) >= now - 2);
	next = maintenance_next_at(&e->cfg);
	assert_true(next > now + 3500 && next < now + 3700);
	e->cfg.backup_interval_s = 0;
	assert_true(maintenance_next_at(&e->cfg) == 0);
}

/* Vacuum gives the free pages back: the file shrinks. */
static void test_vacuum(void **state)
{
	struct env *e = *state;
	struct stat before, after;

	assert_int_equal(writer_call(exec_sql,
		"WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n"
		" WHERE i < 20000) INSERT INTO rd_attempts (at, endpoint,"
		" result) SELECT i, 'list', printf('%0200d', i) FROM n;"
		"DELETE FROM rd_attempts;"
		"PRAGMA wal_checkpoint(TRUNCATE)"), 0);
	assert_true(count(e->db, "PRAGMA freelist_count") > 100);
	assert_int_equal(stat(e->db, &before), 0);
	assert_int_equal(maintenance_vacuum(), 0);
	assert_int_equal(writer_call(exec_sql,
				     "PRAGMA wal_checkpoint(TRUNCATE)"), 0);
	assert_int_equal(count(e->db, "PRAGMA freelist_count"), 0);
	assert_int_equal(stat(e->db, &after), 0);
	assert_true(after.st_size < before.st_size / 4);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_backups_kept, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_killed_backup_left_over,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_backup_fails_whole, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_folder_others_may_change,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_links_at_the_names, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_backup_dir_too, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_retention_and_next, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_vacuum, setup, teardown),
	};

	log_set_stderr(0);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
