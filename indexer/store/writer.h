/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_WRITER_H
#define MEDIAMON_WRITER_H

/*
 * The one thread that writes the store.
 *
 * Scan workers hand it records; it applies them, through the operations
 * of the domain that made them (struct writer_ops), in transactions of
 * about WRITER_BATCH rows, and bumps the generation counter
 * after every commit so readers know their view is stale. Anything else
 * that must write (a scan's own row, cleanup after a scan) runs inside the
 * writer thread through writer_call(), so SQLite never sees two writers.
 *
 * The queue is bounded: writer_put() blocks while it is full, which keeps a
 * fast walk from piling up memory ahead of the disk.
 *
 * The writer knows no domain: a domain (the library's rows, library/
 * music.h) registers its table of operations before writer_start(), and
 * each of its records begins with a struct writer_rec that names it.
 *
 * A fault of the store never passes for success: a transaction that
 * cannot commit is lost and counted (writer_lost()), and its scan fails.
 */

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#define WRITER_BATCH 1000
/* The rows of a transaction of a bulk load (writer_rec.bulk): its pages
 * written once a transaction, not once every thousand rows. */
#define WRITER_BULK_BATCH 20000
/* The domains that may register their operations. */
#define WRITER_DOMAINS_MAX 4

/* The head of every record queued: a domain's record embeds it first. */
struct writer_rec {
	struct writer_rec *next;
	const struct writer_ops *ops;	/* the domain's, registered */
	int bulk;		/* only new rows: the writer may apply it
				 * without checking foreign keys, in larger
				 * transactions */
};

/*
 * What the writer asks of a domain, always on its own thread. Any but
 * apply and release may be NULL.
 */
struct writer_ops {
	/* Once the store is migrated, before the thread starts: mend what
	 * a crash or a migration left; a failure is left for a commit. */
	void (*start)(sqlite3 *db);
	/* Prepare on db (the writer's connection, also a new one after a
	 * reopen), closing what an earlier one had. Returns 0 or a
	 * negative errno value (logged). */
	int (*open)(sqlite3 *db);
	/* The connection closes: finalize and free what open() made. */
	void (*close)(void);
	/* Apply one record inside the open transaction. Returns 0 or a
	 * negative errno value (logged): then the writer either rolls the
	 * transaction back (forget()) or goes on without it (failed()). */
	int (*apply)(const struct writer_rec *rec);
	/* The record failed for itself and was skipped. */
	void (*failed)(const struct writer_rec *rec);
	/* Free the record, applied, failed or dropped. */
	void (*release)(struct writer_rec *rec);
	/* Before each COMMIT: what the transaction's rows need besides.
	 * Returns 0 or a negative errno value (logged): then the
	 * transaction is rolled back. */
	int (*commit)(void);
	/* The transaction was rolled back, or a writer_call() may have
	 * deleted rows: forget what is kept between records. */
	void (*forget)(void);
};

/*
 * Have the writer use ops (kept, not copied) for the records that name
 * it; before writer_start(). Registering a table twice is harmless.
 * Returns 0, -EBUSY while the writer runs or -ENOSPC past
 * WRITER_DOMAINS_MAX (logged).
 */
int writer_register(const struct writer_ops *ops);

/* Open the store at db_path, migrate it and start the thread. */
int writer_start(const char *db_path);

/* Commit what is queued, stop the thread and close the store. */
void writer_stop(void);

/*
 * Go on with a new connection to the store's path, the old one closed:
 * after a fault of the file system (read-only, i/o errors) that may have
 * been mended by mounting it again. Runs ahead of what is queued; returns
 * 0 or a negative errno value (logged), the old connection kept.
 */
int writer_reopen(void);

/*
 * Try one small write (the store's header, unchanged): when it commits,
 * the faults of writing are over (storefile_writes_work()). Runs ahead of
 * what is queued; returns 0 or the write's error (logged).
 */
int writer_probe(void);

/*
 * When the store's file was deleted from under the writer, write it back
 * to its path from the writer's open connection (nothing is lost) and go
 * on there; readers see a new storefile_epoch(). Returns 0 (also when
 * there was nothing to do) or a negative errno value (logged).
 */
int writer_write_back(void);

/* Queue rec for writing; the writer owns it from now on and frees it
 * with rec->ops->release(). */
void writer_put(struct writer_rec *rec);

/*
 * Records gathered by one thread and queued together, so a worker takes
 * the queue's lock once per directory instead of once per file.
 */
struct writer_batch {
	struct writer_rec *head, *tail;
	size_t nr;
};

#define WRITER_BATCH_INIT { NULL, NULL, 0 }

/* Add rec to batch; queues the batch once it holds WRITER_PUT_BATCH. */
void writer_batch_add(struct writer_batch *batch, struct writer_rec *rec);

/* Queue what batch holds and empty it. */
void writer_batch_flush(struct writer_batch *batch);

/*
 * Run fn(db, arg) on the writer thread once everything queued before it
 * is committed, and wait for it. fn runs outside any transaction and may
 * open its own. Returns what fn returned. fn may be NULL: then this only
 * waits until the queue is committed.
 */
int writer_call(int (*fn)(sqlite3 *db, void *arg), void *arg);

/*
 * The same, but fn runs as soon as the writer has applied the records it
 * already took, ahead of what is still queued: a user's write through the
 * mount waits for one batch at most, never for a scan's backlog.
 */
int writer_call_urgent(int (*fn)(sqlite3 *db, void *arg), void *arg);

/* A counter that moves after every commit and every writer_call(). */
uint64_t writer_generation(void);

/*
 * Name the tables whose rows the mount lists by name (NULL-terminated,
 * kept, not copied), at most NAME_ROWS_MAX, before writer_start(). A
 * commit or writer_call() that changed what the rows of one of them hold
 * (once the store is migrated) also moves writer_names_generation(); one
 * that wrote only other tables (the audio analysis' results, a check's
 * figures), or wrote rows as they were (name_rows.h: a scan of an
 * unchanged library), does not. It starts at 0 with the process.
 */
void writer_names_tables(const char *const *tables);

/* The counter of commits that changed the tables named above. */
uint64_t writer_names_generation(void);

#define WRITER_ON_MOVE_MAX 4

/*
 * Call fn on the writer thread each time the generation moves (once for
 * the moves of a batch), for as long as the process lives; a second call
 * with the same fn does nothing. fn runs without the writer's lock and
 * only wakes its waiter: it takes no lock that is held while waiting for
 * the writer. Returns 0, or -ENOSPC (logged) past
 * WRITER_ON_MOVE_MAX functions. This is how a thread sleeps until the
 * store moves instead of looking at the generation now and then.
 */
int writer_on_move(void (*fn)(void));

/* Seconds the writer spent applying records since it started. */
double writer_busy_seconds(void);

/* Records that failed to apply since start (each logged). */
uint64_t writer_errors(void);

/*
 * Transactions lost to a fault of the store since start: a full disk, a
 * read-only or deleted file, a corrupt page (see store/storefile.h). Such
 * a transaction is rolled back, and the records queued after it are
 * dropped until the next writer_call(): the scan that made them failed,
 * and only running it again puts them in the store.
 */
uint64_t writer_lost(void);

/*
 * Have fn() called, on the writer thread, each time a transaction is
 * lost, so a running scan can stop at once. NULL removes it.
 */
void writer_on_loss(void (*fn)(void));

#endif
