/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * One statement with its parameters run through writer_call() or
 * writer_call_urgent() (writer_run.h). It owns no state and no thread:
 * the writer's queue and its connection stay writer.c's.
 */
#include "indexer/store/writer_run.h"

#include "indexer/store/writer.h"

struct statement {
	const char *what, *sql;
	const struct db_arg *args;
	size_t nr;
};

/* A writer_call() function: the statement at arg. */
static int run(sqlite3 *db, void *arg)
{
	const struct statement *s = arg;

	return db_run(db, s->what, s->sql, s->args, s->nr);
}

int writer_run(const char *what, const char *sql,
	       const struct db_arg *args, size_t nr)
{
	struct statement s = { what, sql, args, nr };

	return writer_call(run, &s);
}

int writer_run_urgent(const char *what, const char *sql,
		      const struct db_arg *args, size_t nr)
{
	struct statement s = { what, sql, args, nr };

	return writer_call_urgent(run, &s);
}
