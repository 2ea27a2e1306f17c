/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_WRITER_RUN_H
#define MEDIAMON_WRITER_RUN_H

/*
 * One statement of the store run on the writer thread, its parameters
 * given in place: the writer_call() of a function that only does a
 * db_run() (common/db.h), without that function.
 *
 *	rc = writer_run("store blocklist entry",
 *			"INSERT INTO blocklist (id, reason) VALUES (?1, ?2)",
 *			DB_ARGS(DB_TEXT(id), DB_TEXT(reason)));
 *
 * Both wait for the statement, so args may live on the caller's stack.
 * They return 0 or -EIO (logged by db_run(), naming what).
 */

#include <stddef.h>

#include "common/db.h"

/* After everything queued before it is committed (writer_call()). */
int writer_run(const char *what, const char *sql,
	       const struct db_arg *args, size_t nr);

/* Ahead of what is still queued, for a user's write
 * (writer_call_urgent()). */
int writer_run_urgent(const char *what, const char *sql,
		      const struct db_arg *args, size_t nr);

#endif
