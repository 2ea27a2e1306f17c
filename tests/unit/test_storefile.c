/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The store as a file (indexer/store/storefile) and the writer's answer
 * to its faults: the lock and modes of a claimed store, a transaction
 * lost to a full store (SQLite's max_page_count makes one, as a full
 * disk would), and a store file deleted under the writer.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <pthread.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/db.h"
#include "common/log.h"
#include "common/strbuf.h"
#include "indexer/library/music.h"
#include "indexer/store/storefile.h"
#include "indexer/store/writer.h"
#include "testdb.h"

struct env {
	char dir[64];
	char db[128];
};

static int setup(void **state)
{
	struct env *e = calloc(1, sizeof(*e));

	strcpy(e->dir, "/tmp/mediamon-storefile-XXXXXX");
	assert_non_null(mkdtemp(e->dir));
	snprintf(e->db, sizeof(e->db), "%s/a/b/index.db", e->dir);
	storefile_clear();
	*state = e;
	return 0;
}

static int teardown(void **state)
{
	struct env *e = *state;
	char cmd[96];

	writer_stop();
	snprintf(cmd, sizeof(cmd), "rm -rf %s", e->dir);
	assert_int_equal(system(cmd), 0);
	free(e);
	return 0;
}

static mode_t mode_of(const char *path)
{
	struct stat st;

	assert_int_equal(stat(path, &st), 0);
	return st.st_mode & 07777;
}

/* The folders it makes are 0700, the file 0600, whatever the umask; a
 * second claim of the same store is refused while the first holds it. */
static void test_claim(void **state)
{
	struct env *e = *state;
	char path[160];
	mode_t old = umask(0);

	assert_int_equal(storefile_claim(e->db, 0), 0);
	umask(old);
	snprintf(path, sizeof(path), "%s/a", e->dir);
	assert_int_equal(mode_of(path), 0700);
	snprintf(path, sizeof(path), "%s/a/b", e->dir);
	assert_int_equal(mode_of(path), 0700);
	assert_int_equal(mode_of(e->db), 0600);
	snprintf(path, sizeof(path), "%s.lock", e->db);
	assert_int_equal(mode_of(path), 0600);
	assert_string_equal(storefile_path(), e->db);

	/* flock() locks belong to an open file: a second open is refused
	 * in this process as in another */
	assert_int_equal(storefile_claim(e->db, 0), -EBUSY);
	assert_string_equal(storefile_path(), e->db);
}

/* Close the descriptor arg points to a moment later. */
static void *close_later(void *arg)
{
	nanosleep(&(struct timespec){ .tv_nsec = 300000000 }, NULL);
	close(*(int *)arg);
	return NULL;
}

/* A lock the kernel still holds for a daemon that has ended (its pid is
 * gone) is waited for; a second claim while this one runs is refused. */
static void test_claim_waits_for_an_ended_holder(void **state)
{
	struct env *e = *state;
	char path[160];
	pthread_t t;
	int fd;

	snprintf(path, sizeof(path), "%s/a", e->dir);
	assert_int_equal(mkdir(path, 0700), 0);
	snprintf(path, sizeof(path), "%s/a/b", e->dir);
	assert_int_equal(mkdir(path, 0700), 0);
	snprintf(path, sizeof(path), "%s.lock", e->db);
	fd = open(path, O_RDWR | O_CREAT, 0600);
	assert_true(fd >= 0);
	assert_int_equal(flock(fd, LOCK_EX), 0);
	/* above any pid_max: no such process */
	assert_int_equal(write(fd, "4194999\n", 8), 8);
	assert_int_equal(pthread_create(&t, NULL, close_later, &fd), 0);
	assert_int_equal(storefile_claim(e->db, 0), 0);
	assert_int_equal(pthread_join(t, NULL), 0);
	assert_int_equal(storefile_claim(e->db, 0), -EBUSY);
}

/* The content of the file at path, for a victim that must stay whole. */
static void assert_content(const char *path, const char *want)
{
	char buf[64] = "";
	int fd = open(path, O_RDONLY);

	assert_true(fd >= 0);
	assert_true(read(fd, buf, sizeof(buf) - 1) >= 0);
	close(fd);
	assert_string_equal(buf, want);
}

/* A link or a second name planted as the lock file is refused, and what
 * it names keeps its content. */
static void test_claim_planted_lock(void **state)
{
	struct env *e = *state;
	char lock[160], victim[160];
	int fd;

	assert_int_equal(storefile_make_folders(e->db), 0);
	snprintf(lock, sizeof(lock), "%s.lock", e->db);
	snprintf(victim, sizeof(victim), "%s/victim", e->dir);
	fd = open(victim, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "root's own\n", 11), 11);
	close(fd);

	assert_int_equal(symlink(victim, lock), 0);
	assert_int_equal(storefile_claim(e->db, 0), -ELOOP);
	assert_content(victim, "root's own\n");
	assert_int_equal(unlink(lock), 0);

	assert_int_equal(link(victim, lock), 0);
	assert_int_equal(storefile_claim(e->db, 0), -EPERM);
	assert_content(victim, "root's own\n");
	assert_int_equal(unlink(lock), 0);

	assert_int_equal(mkfifo(lock, 0600), 0);
	assert_int_equal(storefile_claim(e->db, 0), -EPERM);
	assert_int_equal(unlink(lock), 0);
	assert_int_equal(storefile_claim(e->db, 0), 0);
}

/* A store in a folder others may write to, a link or another user's file
 * at its path is refused, and nothing made there; -o db_shared_ok takes
 * what is there. */
static void test_claim_shared(void **state)
{
	struct env *e = *state;
	char dir[160], victim[160];
	int fd;

	assert_int_equal(storefile_make_folders(e->db), 0);
	snprintf(dir, sizeof(dir), "%s/a/b", e->dir);
	snprintf(victim, sizeof(victim), "%s/victim", e->dir);
	assert_int_equal(chmod(dir, 01777), 0);
	assert_int_equal(storefile_claim(e->db, 0), -EPERM);
	assert_int_equal(access(e->db, F_OK), -1);
	assert_int_equal(chmod(dir, 0770), 0);
	assert_int_equal(storefile_claim(e->db, 0), -EPERM);
	assert_int_equal(chmod(dir, 0700), 0);

	fd = open(victim, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "root's own\n", 11), 11);
	close(fd);
	assert_int_equal(symlink(victim, e->db), 0);
	assert_int_equal(storefile_claim(e->db, 0), -ELOOP);
	assert_content(victim, "root's own\n");
	assert_int_equal(unlink(e->db), 0);

	fd = open(e->db, O_WRONLY | O_CREAT | O_TRUNC, 0666);
	assert_true(fd >= 0);
	close(fd);
	if (!geteuid()) {
		assert_int_equal(chown(e->db, 65534, 65534), 0);
		assert_int_equal(storefile_claim(e->db, 0), -EPERM);
		assert_int_equal(chown(e->db, 0, 0), 0);
	}
	assert_int_equal(chmod(dir, 01777), 0);
	assert_int_equal(storefile_claim(e->db, 1), 0);
}

static int cap_pages(sqlite3 *db, void *unused)
{
	(void)unused;
	return db_exec(db, "PRAGMA max_page_count = 1");
}

static int uncap_pages(sqlite3 *db, void *unused)
{
	(void)unused;
	return db_exec(db, "PRAGMA max_page_count = 1000000");
}

static int add_root(sqlite3 *db, void *unused)
{
	(void)unused;
	return db_exec(db, "INSERT INTO roots (kind, path)"
		       " VALUES ('music', '/music')");
}

static int losses;

static void on_loss(void)
{
	losses++;
}

/* n files under folder, in one batch of the writer's. */
static void put_files(const char *folder, int n)
{
	struct writer_batch batch = WRITER_BATCH_INIT;

	for (int i = 0; i < n; i++) {
		char path[64];
		struct music_rec *rec;

		snprintf(path, sizeof(path), "%s/%04d.txt", folder, i);
		rec = music_rec_new(MUSIC_FILE, path, strlen(path));
		assert_non_null(rec);
		rec->root_id = 1;
		rec->size = i;
		rec->mtime_ns = 1;
		rec->inode = i + 1;
		rec->kind = "other";
		writer_batch_add(&batch, &rec->wr);
	}
	writer_batch_flush(&batch);
}

static void health(struct strbuf *errors)
{
	struct strbuf warns = STRBUF_INIT;

	strbuf_reset(errors);
	storefile_health(errors, &warns);
	strbuf_release(&warns);
}

/* A transaction the store cannot take is lost, never half counted as
 * done: the scan hears of it, what it queued after is dropped until the
 * next call, health names the store, and the next commit that works ends
 * the fault. */
static void test_lost_transaction(void **state)
{
	struct env *e = *state;
	struct strbuf errors = STRBUF_INIT;
	char line[192];
	uint64_t lost;

	assert_int_equal(storefile_claim(e->db, 0), 0);
	assert_int_equal(writer_register(&music_writer_ops), 0);
	assert_int_equal(writer_start(e->db), 0);
	assert_int_equal(writer_call(add_root, NULL), 0);
	writer_on_loss(on_loss);
	losses = 0;
	lost = writer_lost();

	assert_int_equal(writer_call(cap_pages, NULL), 0);
	put_files("full", 3 * WRITER_BATCH);
	assert_int_equal(writer_call(NULL, NULL), 0);
	assert_int_equal(writer_lost(), lost + 1);
	assert_int_equal(losses, 1);
	assert_int_equal(storefile_fault(), STOREFILE_FULL);
	health(&errors);
	snprintf(line, sizeof(line), "error: store: disk full (%s)\n", e->db);
	assert_string_equal(errors.buf, line);
	assert_int_equal(writer_errors(), 0);

	/* a test write (of a page the store has) works: the fault is over */
	assert_int_equal(writer_call(uncap_pages, NULL), 0);
	assert_int_equal(writer_probe(), 0);
	assert_int_equal(storefile_fault(), STOREFILE_OK);
	put_files("room", 10);
	assert_int_equal(writer_call(NULL, NULL), 0);
	assert_int_equal(writer_lost(), lost + 1);
	assert_int_equal(storefile_fault(), STOREFILE_OK);
	health(&errors);
	assert_string_equal(errors.buf, "");
	assert_int_equal(testdb_int(e->db, "SELECT count(*) FROM files"), 10);
	writer_on_loss(NULL);
	strbuf_release(&errors);
}

/* A store deleted under the writer is found before the next transaction
 * and written back from the connection the writer holds, rows and all. */
static void test_deleted_written_back(void **state)
{
	struct env *e = *state;
	char path[160];
	uint64_t epoch, lost;

	assert_int_equal(storefile_claim(e->db, 0), 0);
	assert_int_equal(writer_register(&music_writer_ops), 0);
	assert_int_equal(writer_start(e->db), 0);
	assert_int_equal(writer_call(add_root, NULL), 0);
	put_files("before", 5);
	assert_int_equal(writer_call(NULL, NULL), 0);
	lost = writer_lost();
	epoch = storefile_epoch();

	assert_int_equal(unlink(e->db), 0);
	snprintf(path, sizeof(path), "%s-wal", e->db);
	unlink(path);
	put_files("after", 5);
	assert_int_equal(writer_call(NULL, NULL), 0);
	/* the batch met a deleted store: lost, never written to nowhere */
	assert_int_equal(writer_lost(), lost + 1);
	assert_int_equal(storefile_fault(), STOREFILE_DELETED);

	assert_int_equal(writer_write_back(), 0);
	assert_int_equal(storefile_fault(), STOREFILE_OK);
	assert_int_not_equal(storefile_epoch(), epoch);
	assert_int_equal(mode_of(e->db), 0600);
	assert_int_equal(testdb_int(e->db, "SELECT count(*) FROM files"), 5);
	put_files("after", 5);
	assert_int_equal(writer_call(NULL, NULL), 0);
	assert_int_equal(writer_lost(), lost + 1);
	assert_int_equal(testdb_int(e->db, "SELECT count(*) FROM files"), 10);
	/* nothing more to do: the store is where it belongs */
	assert_int_equal(writer_write_back(), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_claim_planted_lock, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_claim, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_claim_waits_for_an_ended_holder, setup, teardown),
		cmocka_unit_test_setup_teardown(test_claim_shared, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_lost_transaction, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_deleted_written_back,
						setup, teardown),
	};

	log_set_stderr(0);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
