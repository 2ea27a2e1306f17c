#ifndef MEDIAMON_READER_H
#define MEDIAMON_READER_H

/*
 * Read connections to the store for the FUSE side: one per FUSE thread,
 * opened on first use and closed when the thread ends, so callbacks never
 * share a connection and never wait for the writer (WAL).
 */

#include <sqlite3.h>

/* Set the database file; call once before the FUSE loop starts. */
int reader_init(const char *db_path);

/* This thread's read-only connection, or NULL (logged) if it cannot open. */
sqlite3 *reader_db(void);

/*
 * This thread's connection inside a read transaction, so a document read
 * in several queries is one snapshot; NULL (logged) on failure. End it
 * with reader_end(), which takes NULL too.
 */
sqlite3 *reader_begin(void);
void reader_end(sqlite3 *db);

/* Close the calling thread's connection, if any. */
void reader_close(void);

#endif
