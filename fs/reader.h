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

/* Close the calling thread's connection, if any. */
void reader_close(void);

#endif
