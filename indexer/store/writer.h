#ifndef MEDIAMON_WRITER_H
#define MEDIAMON_WRITER_H

/*
 * The one thread that writes the store.
 *
 * Scan workers hand it records; it applies them with prepared statements in
 * transactions of about WRITER_BATCH rows, and bumps the generation counter
 * after every commit so readers know their view is stale. Anything else
 * that must write (a scan's own row, cleanup after a scan) runs inside the
 * writer thread through writer_call(), so SQLite never sees two writers.
 *
 * The queue is bounded: writer_put() blocks while it is full, which keeps a
 * fast walk from piling up memory ahead of the disk.
 *
 * A fault of the store never passes for success: a transaction that
 * cannot commit is lost and counted (writer_lost()), and its scan fails.
 */

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "indexer/library/music.h"

#define WRITER_BATCH 1000
/* The rows of a transaction of a bulk load (music_rec.bulk): its pages
 * written once a transaction, not once every thousand rows. */
#define WRITER_BULK_BATCH 20000

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

/* Queue rec for writing; the writer owns it from now on. */
void writer_put(struct music_rec *rec);

/*
 * Records gathered by one thread and queued together, so a worker takes
 * the queue's lock once per directory instead of once per file.
 */
struct writer_batch {
	struct music_rec *head, *tail;
	size_t nr;
};

#define WRITER_BATCH_INIT { NULL, NULL, 0 }

/* Add rec to batch; queues the batch once it holds WRITER_PUT_BATCH. */
void writer_batch_add(struct writer_batch *batch, struct music_rec *rec);

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
