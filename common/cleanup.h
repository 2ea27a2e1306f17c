/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_CLEANUP_H
#define MEDIAMON_CLEANUP_H

/*
 * Locals released when they go out of scope (GCC's and clang's
 * __attribute__((cleanup))), so that a function with many ways out
 * frees its buffers, statements, streams and descriptors in one place:
 * its declarations. It owns only the release of what a local holds; it
 * allocates nothing and logs nothing.
 *
 *	CLEANUP_FREE char *name = NULL;
 *	CLEANUP_STMT sqlite3_stmt *st = NULL;
 *
 *	if (db_prepare(db, sql, &st))
 *		return -EIO;
 *	name = strdup(...);
 *	if (!name)
 *		return -ENOMEM;		(st is finalized here)
 *	...
 *	*out = CLEANUP_STEAL(name);	(handed over: not freed)
 *	return 0;			(st is finalized here)
 *
 * The rules:
 * - Every cleanup local is initialised where it is declared (NULL, -1
 *   for a descriptor): its release runs on every way out of its scope,
 *   even one taken before the first assignment.
 * - What leaves the function (a returned pointer, one stored in the
 *   caller's struct, a descriptor handed over) is taken with
 *   CLEANUP_STEAL() or CLEANUP_STEAL_FD(), which return the value and
 *   leave the local empty, so it is not released.
 * - No goto jumps into the scope of a cleanup local from outside it
 *   (past its declaration): its release would run on what was never
 *   set. Jumping out of the scope releases it, as a return does.
 * - Releasing by hand a value still held by a cleanup local releases it
 *   twice: steal it first, or let the scope end.
 * - The release functions take an empty local (NULL, -1) and do nothing.
 */

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <jansson.h>
#include <sqlite3.h>

static inline void cleanup_free(void *p)
{
	free(*(void **)p);
}

static inline void cleanup_stmt(sqlite3_stmt **st)
{
	/* sqlite3_finalize() takes NULL; its result repeats the error of
	 * the statement's last step, which its user has looked at. */
	sqlite3_finalize(*st);
}

static inline void cleanup_file(FILE **f)
{
	if (*f)
		fclose(*f);
}

static inline void cleanup_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
}

static inline void cleanup_json(json_t **j)
{
	json_decref(*j);
}

#define CLEANUP_FREE __attribute__((cleanup(cleanup_free)))
#define CLEANUP_STMT __attribute__((cleanup(cleanup_stmt)))
#define CLEANUP_FILE __attribute__((cleanup(cleanup_file)))
#define CLEANUP_FD __attribute__((cleanup(cleanup_fd)))
#define CLEANUP_JSON __attribute__((cleanup(cleanup_json)))

/*
 * A module's own release function as a cleanup: CLEANUP_FUNC(struct x,
 * x_free) at file scope, after x_free()'s declaration, defines
 * x_free_at(); then CLEANUP(x_free) struct x *x = NULL; releases x with
 * x_free(x) at the end of its scope (x_free() takes NULL).
 */
#define CLEANUP_FUNC(type, fn)						\
	static inline void fn##_at(type **p)				\
	{								\
		fn(*p);							\
	}
#define CLEANUP(fn) __attribute__((cleanup(fn##_at)))

/*
 * Free each of the pointers given, NULL ones too, in one statement: what
 * a struct owns, freed by the function that releases it.
 *
 *	CLEANUP_FREE_ALL(r->title, r->link, r->guid);
 */
static inline void cleanup_free_all(void *const *p, size_t nr)
{
	for (size_t i = 0; i < nr; i++)
		free(p[i]);
}
#define CLEANUP_FREE_ALL(...)						\
	cleanup_free_all((void *const[]){ __VA_ARGS__ },		\
			 sizeof((void *const[]){ __VA_ARGS__ }) /	\
			 sizeof(void *))

/*
 * Release each of the nr elements of the array rows with release(&row),
 * then free rows: the free-every-row loop of an array whose elements own
 * memory. Takes NULL rows.
 *
 *	CLEANUP_FREE_ROWS(r, nr, release_clear);
 */
#define CLEANUP_FREE_ROWS(rows, nr, release) do {			\
	__typeof__(rows) cleanup_rows_ = (rows);			\
									\
	for (size_t cleanup_i_ = 0; cleanup_rows_ && cleanup_i_ < (nr);	\
	     cleanup_i_++)						\
		release(&cleanup_rows_[cleanup_i_]);			\
	free(cleanup_rows_);						\
} while (0)

/* The value of the pointer local p, which is left NULL: handed over. */
#define CLEANUP_STEAL(p) ({						\
	__typeof__(p) cleanup_taken_ = (p);				\
	(p) = NULL;							\
	cleanup_taken_;							\
})

/* The descriptor in the local fd, which is left -1: handed over. */
#define CLEANUP_STEAL_FD(fd) ({						\
	int cleanup_taken_fd_ = (fd);					\
	(fd) = -1;							\
	cleanup_taken_fd_;						\
})

#endif
