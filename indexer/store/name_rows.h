/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_NAME_ROWS_H
#define MEDIAMON_NAME_ROWS_H

/*
 * Whether the writer's connection changed the rows of the tables the
 * mount lists by name (writer_names_tables()), by what the rows hold,
 * not by the statements run: a row updated to the values it had, or
 * deleted and inserted again as it was (under another id, as a
 * series' volumes are rebuilt at each scan), changes nothing. So a scan
 * of an unchanged library leaves the names as they were.
 *
 *	name_rows_watch(db, tables);
 *	... writes ...
 *	if (name_rows_moved())
 *		... the names moved ...
 *
 * Only the writer's thread calls these.
 */

#include <sqlite3.h>

/* The tables watched, at most NAME_ROWS_MAX. */
#define NAME_ROWS_MAX 32

/* Watch db's writes to tables (NULL-terminated, kept, not copied; NULL:
 * none), whose id columns are read now, on a schema made: 0 or a
 * negative errno value (logged). */
int name_rows_watch(sqlite3 *db, const char *const *tables);

/* The rows db writes until the next name_rows_moved() are new ones (a
 * bulk load): they move the names, and are not read; db's hook is off
 * until then, which must come before db is closed. */
void name_rows_new(sqlite3 *db);

/* Whether the rows watched changed since the last call: 1, else 0. */
int name_rows_moved(void);

#endif
