/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The one writer thread of the store (writer.h): its bounded queue,
 * the batched transactions and the generation after each commit. What a
 * record means is its domain's (struct writer_ops).
 */
#include "indexer/store/writer.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/db.h"
#include "common/log.h"
#include "common/thread.h"
#include "indexer/store/name_rows.h"
#include "indexer/store/schema.h"
#include "indexer/store/storefile.h"

#define QUEUE_MAX 4096
#define WRITER_PUT_BATCH 256

struct writer_callreq {
	struct writer_callreq *next;
	uint64_t after_seq;	/* 0: urgent, runs before queued records */
	int (*fn)(sqlite3 *db, void *arg);
	void *arg;
	int result;
	int done;
};
static struct {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;		/* records or calls arrived, or stop */
	pthread_cond_t space;		/* the queue has room again */
	pthread_cond_t called;		/* a call finished */
	struct writer_rec *head, *tail;
	size_t queued;
	uint64_t put_seq, applied_seq;
	struct writer_callreq *calls;
	const struct writer_ops *domains[WRITER_DOMAINS_MAX];
	size_t nr_domains;
	int stopping, running;

	char *path;
	sqlite3 *db;
	int in_txn;
	int doomed;		/* the open transaction met a fault of the
				 * store */
	int dropping;		/* records are dropped until the next call */
	int bulk;		/* the open transaction checks no foreign key */
	size_t rows_in_txn;

	uint64_t generation;
	uint64_t names_generation;
	const char *const *names_tables;
	uint64_t errors;
	uint64_t lost;		/* transactions lost to faults of the store */
	void (*on_loss)(void);
	double busy_s;
} w = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.wake = PTHREAD_COND_INITIALIZER,
	.space = PTHREAD_COND_INITIALIZER,
	.called = PTHREAD_COND_INITIALIZER,
};

/* What writer_on_move() was given: kept across restarts of the writer. */
static void (*on_move[WRITER_ON_MOVE_MAX])(void);

/* What a rollback or a call may have made stale, each domain forgets. */
static void forget(void)
{
	for (size_t i = 0; i < w.nr_domains; i++)
		if (w.domains[i]->forget)
			w.domains[i]->forget();
}

/* Each domain adds what its rows need before the COMMIT; the first that
 * fails dooms the transaction. */
static int domains_commit(void)
{
	int rc = 0;

	for (size_t i = 0; !rc && i < w.nr_domains; i++)
		if (w.domains[i]->commit)
			rc = w.domains[i]->commit();
	return rc;
}

/* Each domain prepares on db; a failure leaves the ones before it on db,
 * which close_store() or the next open puts right. */
static int domains_open(sqlite3 *db)
{
	int rc = 0;

	for (size_t i = 0; !rc && i < w.nr_domains; i++)
		if (w.domains[i]->open)
			rc = w.domains[i]->open(db);
	return rc;
}

int writer_register(const struct writer_ops *ops)
{
	int rc = 0;

	pthread_mutex_lock(&w.lock);
	for (size_t i = 0; i < w.nr_domains; i++)
		if (w.domains[i] == ops)
			goto out;
	if (w.running)
		rc = log_error(-EBUSY, "writer: a domain registered while"
			       " the writer runs");
	else if (w.nr_domains >= WRITER_DOMAINS_MAX)
		rc = log_error(-ENOSPC, "writer: more than %d domains",
			       WRITER_DOMAINS_MAX);
	else
		w.domains[w.nr_domains++] = ops;
out:
	pthread_mutex_unlock(&w.lock);
	return rc;
}

/* A transaction that met a fault of the store is lost, and so is what
 * its scan queued after it (until the next call): that scan failed and is
 * run again, which finds all of it again. The scan hears of it at once. */
static void lose(void)
{
	if (!sqlite3_get_autocommit(w.db))
		sqlite3_exec(w.db, "ROLLBACK", NULL, NULL, NULL);
	forget();
	w.dropping = 1;
	__atomic_add_fetch(&w.lost, 1, __ATOMIC_RELAXED);
	if (w.on_loss)
		w.on_loss();
}

/*
 * A transaction is begun only on the file the store was opened on: one
 * deleted or replaced since would take writes that no later start sees.
 * One that starts with a record of a bulk load (a first scan: nothing
 * but new rows, their parents written by the writer itself) checks no
 * foreign key, which SQLite would otherwise look up for every row, and
 * moves the names without reading its rows.
 */
static void begin(const struct writer_rec *first)
{
	w.in_txn = 1;
	w.bulk = first->bulk && !db_exec(w.db, "PRAGMA foreign_keys = OFF");
	if (first->bulk)
		name_rows_new(w.db);
	if (storefile_check() != STOREFILE_OK || db_exec(w.db, "BEGIN"))
		w.doomed = 1;
}

/* Set on the writer thread when the generation moved and its waiters
 * have not heard of it yet. */
static int untold;

static void moved(void)
{
	if (name_rows_moved())
		__atomic_add_fetch(&w.names_generation, 1, __ATOMIC_RELEASE);
	__atomic_add_fetch(&w.generation, 1, __ATOMIC_RELEASE);
	untold = 1;
}

/* Tell the waiters of writer_on_move() that the store moved. Called
 * without w.lock: a waiter's lock may be held by a thread that waits
 * for w.lock (indexer_status() asks writer_busy_seconds()). */
static void tell(void)
{
	if (!untold)
		return;
	untold = 0;
	for (int i = 0; i < WRITER_ON_MOVE_MAX; i++) {
		void (*fn)(void) = __atomic_load_n(&on_move[i],
						   __ATOMIC_ACQUIRE);

		if (fn)
			fn();
	}
}

/* Ending a transaction is where a batch becomes visible, so it is also
 * where readers learn (through the generation) that the store moved. */
static void commit(void)
{
	if (!w.in_txn)
		return;
	if (!w.doomed) {
		w.doomed = domains_commit() != 0;
		if (!w.doomed)
			w.doomed = db_exec(w.db, "COMMIT") != 0;
		if (!w.doomed)
			storefile_writes_work();
	}
	if (w.doomed)
		lose();
	if (w.bulk)
		db_exec(w.db, "PRAGMA foreign_keys = ON");
	w.in_txn = 0;
	w.doomed = 0;
	w.bulk = 0;
	w.rows_in_txn = 0;
	moved();
}

/* Returns the seconds spent, for the scan's write phase figure. A record
 * that fails for itself is counted and skipped; one that fails for the
 * store dooms its transaction. */
static double apply_list(struct writer_rec *list)
{
	double start = clock_mono();

	while (list) {
		struct writer_rec *next = list->next;

		if (!w.dropping) {
			if (!w.in_txn)
				begin(list);
			if (!w.doomed && list->ops->apply(list)) {
				if (storefile_classify(w.db) != STOREFILE_OK) {
					w.doomed = 1;
				} else {
					__atomic_add_fetch(&w.errors, 1,
							   __ATOMIC_RELAXED);
					if (list->ops->failed)
						list->ops->failed(list);
				}
			}
			if (++w.rows_in_txn >= (w.bulk ? WRITER_BULK_BATCH :
						 WRITER_BATCH))
				commit();
		}
		list->ops->release(list);
		list = next;
	}
	return clock_mono() - start;
}

/* Takes the oldest call whose records have all been applied. */
static struct writer_callreq *ready_call(void)
{
	struct writer_callreq **p = &w.calls;

	for (; *p; p = &(*p)->next) {
		if ((*p)->after_seq <= w.applied_seq) {
			struct writer_callreq *c = *p;

			*p = c->next;
			return c;
		}
	}
	return NULL;
}

static void *writer_main(void *unused)
{
	(void)unused;
	/* named for top -H and perf: the one thread whose load tells
	 * whether the store keeps up */
	thread_name("mm-writer");
	pthread_mutex_lock(&w.lock);
	for (;;) {
		struct writer_callreq *call;
		struct writer_rec *list;
		double busy;
		size_t n;

		while (!w.head && !w.calls && !w.stopping)
			pthread_cond_wait(&w.wake, &w.lock);
		if ((call = ready_call())) {
			pthread_mutex_unlock(&w.lock);
			commit();
			forget();
			w.dropping = 0;
			call->result = call->fn ? call->fn(w.db, call->arg) : 0;
			/* fn may have written: readers must look again */
			if (call->fn)
				moved();
			tell();
			pthread_mutex_lock(&w.lock);
			call->done = 1;
			pthread_cond_broadcast(&w.called);
			continue;
		}
		if (!w.head) {
			if (w.stopping)
				break;
			continue;
		}
		list = w.head;
		n = w.queued;
		w.head = w.tail = NULL;
		w.queued = 0;
		pthread_cond_broadcast(&w.space);
		pthread_mutex_unlock(&w.lock);

		busy = apply_list(list);
		tell();

		pthread_mutex_lock(&w.lock);
		w.busy_s += busy;
		w.applied_seq += n;
		/* What the queue held is visible once it is empty, unless a
		 * bulk load goes on: its transactions end by their size. */
		if (!w.head && !w.bulk) {
			commit();
			pthread_mutex_unlock(&w.lock);
			tell();
			pthread_mutex_lock(&w.lock);
		}
	}
	pthread_mutex_unlock(&w.lock);
	commit();
	tell();
	return NULL;
}

/*
 * One writer thread: while it runs, a commit on its connection from any
 * other thread (a domain that kept the connection open() gave it and
 * wrote from elsewhere) is a bug, and aborts. Before the thread starts
 * (the migrations, the domains' start()) and once it stopped, the
 * owner's thread has the connection.
 */
static int commit_on_writer(void *unused)
{
	(void)unused;
	assert(!__atomic_load_n(&w.running, __ATOMIC_ACQUIRE) ||
	       thread_is("mm-writer"));
	return 0;
}

static void close_store(void)
{
	for (size_t i = 0; i < w.nr_domains; i++)
		if (w.domains[i]->close)
			w.domains[i]->close();
	if (w.db) {
		db_exec(w.db, "PRAGMA optimize");
		db_close(w.db);
	}
	w.db = NULL;
}

/*
 * Go on with a new connection to whatever file the path holds now, once
 * it is open: the old one may be on a file deleted, or on a file system
 * gone read-only. Closing the old must touch nothing by name (its -wal is
 * the new one's), which a persistent WAL ensures.
 */
static int reopen_store(void)
{
	sqlite3 *db = NULL;
	int persist = 1, rc;

	rc = db_open(w.path, 0, &db);
	if (!rc) {
		sqlite3_commit_hook(db, commit_on_writer, NULL);
		rc = name_rows_watch(db, w.names_tables);
	}
	if (!rc)
		rc = domains_open(db);
	if (rc) {
		if (db)
			db_close(db);
		return rc;
	}
	sqlite3_file_control(w.db, "main", SQLITE_FCNTL_PERSIST_WAL, &persist);
	db_close(w.db);
	w.db = db;
	storefile_opened(db);
	storefile_new_epoch();
	return 0;
}

/* Give path-SUFFIX to fn. */
static int with_suffix(const char *path, const char *suffix,
		       int (*fn)(const char *))
{
	char *name;
	int rc;

	if (asprintf(&name, "%s%s", path, suffix) < 0)
		return -ENOMEM;
	rc = fn(name);
	free(name);
	return rc;
}

/*
 * The store's file was deleted while the writer had it open: the open
 * connection still holds all of it, so it is copied back to the path
 * (under a temporary name, then renamed, never over a file that came
 * meanwhile) and the writer goes on there. The -wal and -shm still named
 * for the deleted file are removed first: left beside the copy, SQLite
 * would take them for its own.
 */
static int write_back(sqlite3 *db, void *unused)
{
	char *tmp;
	int rc;

	(void)unused;
	if (storefile_check() != STOREFILE_DELETED)
		return 0;
	rc = storefile_make_folders(w.path);
	if (rc)
		return rc;
	if (asprintf(&tmp, "%s.tmp", w.path) < 0)
		return log_error(-ENOMEM, "writer: out of memory");
	/* what a kill left at the name in the store's own folder */
	if (unlink(tmp) && errno != ENOENT)
		log_warn("database %s: cannot delete: %s", tmp,
			 strerror(errno));
	rc = db_copy(db, AT_FDCWD, tmp);
	if (!rc) {
		with_suffix(w.path, "-wal", unlink);
		with_suffix(w.path, "-shm", unlink);
		if (renameat2(AT_FDCWD, tmp, AT_FDCWD, w.path,
			      RENAME_NOREPLACE))
			rc = log_error(-errno, "database %s: cannot write it"
				       " back: %s", w.path, strerror(errno));
	}
	if (rc)
		unlink(tmp);
	free(tmp);
	if (!rc)
		rc = reopen_store();
	if (!rc) {
		storefile_writes_work();
		log_warn("database %s written back from the copy mediamon had"
			 " open: nothing is lost", w.path);
	}
	return rc;
}

static int reopen(sqlite3 *db, void *unused)
{
	(void)db;
	(void)unused;
	return reopen_store();
}

/* The store's header written as it was: a write that changes nothing,
 * and yet goes through the WAL to the disk like any other. */
static int rewrite_version(sqlite3 *db, void *unused)
{
	sqlite3_stmt *st;
	char sql[64];
	int rc;

	(void)unused;
	rc = db_prepare(db, "PRAGMA user_version", &st);
	if (rc)
		return rc;
	rc = sqlite3_step(st);
	snprintf(sql, sizeof(sql), "PRAGMA user_version = %d",
		 sqlite3_column_int(st, 0));
	rc = db_finalize(st, rc, "read user_version");
	return rc ? rc : db_exec(db, sql);
}

static int probe(sqlite3 *db, void *unused)
{
	int rc = db_transaction(db, rewrite_version, unused);

	if (!rc)
		storefile_writes_work();
	return rc;
}

int writer_probe(void)
{
	return writer_call_urgent(probe, NULL);
}

int writer_write_back(void)
{
	return writer_call_urgent(write_back, NULL);
}

int writer_reopen(void)
{
	return writer_call_urgent(reopen, NULL);
}

int writer_start(const char *db_path)
{
	int rc;

	free(w.path);
	w.path = strdup(db_path);
	if (!w.path)
		return log_error(-ENOMEM, "writer: out of memory");
	rc = db_open(db_path, 0, &w.db);
	if (!rc) {
		sqlite3_commit_hook(w.db, commit_on_writer, NULL);
		storefile_opened(w.db);
		rc = schema_migrate(w.db);
	}
	/* a bulk load cut short left them out */
	if (!rc)
		rc = db_with_temp_files(w.db, schema_make_bulk_indexes, NULL);
	for (size_t i = 0; !rc && i < w.nr_domains; i++)
		if (w.domains[i]->start)
			w.domains[i]->start(w.db);
	if (!rc)
		rc = name_rows_watch(w.db, w.names_tables);
	if (!rc)
		rc = domains_open(w.db);
	if (!rc) {
		w.stopping = 0;
		rc = -pthread_create(&w.thread, NULL, writer_main, NULL);
		if (rc)
			log_error(rc, "writer: cannot start thread");
	}
	if (rc) {
		close_store();
		return rc;
	}
	__atomic_store_n(&w.running, 1, __ATOMIC_RELEASE);
	return 0;
}

void writer_stop(void)
{
	if (!w.running)
		return;
	thread_stop(w.thread, &w.lock, &w.wake, &w.stopping);
	__atomic_store_n(&w.running, 0, __ATOMIC_RELEASE);
	close_store();
}

void writer_batch_flush(struct writer_batch *batch)
{
	if (!batch->nr)
		return;
	pthread_mutex_lock(&w.lock);
	while (w.queued >= QUEUE_MAX)
		pthread_cond_wait(&w.space, &w.lock);
	if (w.tail)
		w.tail->next = batch->head;
	else
		w.head = batch->head;
	w.tail = batch->tail;
	w.queued += batch->nr;
	w.put_seq += batch->nr;
	pthread_cond_signal(&w.wake);
	pthread_mutex_unlock(&w.lock);
	batch->head = batch->tail = NULL;
	batch->nr = 0;
}

void writer_batch_add(struct writer_batch *batch, struct writer_rec *rec)
{
	rec->next = NULL;
	if (batch->tail)
		batch->tail->next = rec;
	else
		batch->head = rec;
	batch->tail = rec;
	if (++batch->nr >= WRITER_PUT_BATCH)
		writer_batch_flush(batch);
}

void writer_put(struct writer_rec *rec)
{
	struct writer_batch batch = WRITER_BATCH_INIT;

	writer_batch_add(&batch, rec);
	writer_batch_flush(&batch);
}

static int call_after(int (*fn)(sqlite3 *db, void *arg), void *arg,
		      int urgent)
{
	struct writer_callreq call = { .fn = fn, .arg = arg };
	struct writer_callreq **p;

	pthread_mutex_lock(&w.lock);
	/* A call after the stop began would wait for a thread that is gone. */
	if (!w.running || w.stopping) {
		pthread_mutex_unlock(&w.lock);
		return log_error(-ESHUTDOWN, "writer: store is closed");
	}
	call.after_seq = urgent ? 0 : w.put_seq;
	for (p = &w.calls; *p; p = &(*p)->next)
		;
	*p = &call;
	pthread_cond_signal(&w.wake);
	while (!call.done)
		pthread_cond_wait(&w.called, &w.lock);
	pthread_mutex_unlock(&w.lock);
	return call.result;
}

int writer_call(int (*fn)(sqlite3 *db, void *arg), void *arg)
{
	return call_after(fn, arg, 0);
}

int writer_call_urgent(int (*fn)(sqlite3 *db, void *arg), void *arg)
{
	return call_after(fn, arg, 1);
}

int writer_on_move(void (*fn)(void))
{
	for (int i = 0; i < WRITER_ON_MOVE_MAX; i++) {
		void (*none)(void) = NULL;

		if (__atomic_load_n(&on_move[i], __ATOMIC_ACQUIRE) == fn ||
		    __atomic_compare_exchange_n(&on_move[i], &none, fn, 0,
						__ATOMIC_RELEASE,
						__ATOMIC_RELAXED))
			return 0;
	}
	return log_error(-ENOSPC, "writer: too many waiters for the store");
}

uint64_t writer_generation(void)
{
	return __atomic_load_n(&w.generation, __ATOMIC_ACQUIRE);
}

void writer_names_tables(const char *const *tables)
{
	w.names_tables = tables;
}

uint64_t writer_names_generation(void)
{
	return __atomic_load_n(&w.names_generation, __ATOMIC_ACQUIRE);
}

double writer_busy_seconds(void)
{
	double s;

	pthread_mutex_lock(&w.lock);
	s = w.busy_s;
	pthread_mutex_unlock(&w.lock);
	return s;
}

uint64_t writer_errors(void)
{
	return __atomic_load_n(&w.errors, __ATOMIC_RELAXED);
}

uint64_t writer_lost(void)
{
	return __atomic_load_n(&w.lost, __ATOMIC_RELAXED);
}

void writer_on_loss(void (*fn)(void))
{
	pthread_mutex_lock(&w.lock);
	w.on_loss = fn;
	pthread_mutex_unlock(&w.lock);
}
