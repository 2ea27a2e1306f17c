/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Whether the writer changed the rows the mount lists by name
 * (name_rows.h): SQLite's pre-update hook sums a hash of each row of a
 * table watched, adding the rows written and taking away the rows they
 * replace or delete, so that what changed nothing sums to nothing. It
 * writes nothing and keeps no row.
 */
/* sqlite3.h declares the pre-update hook only with this (Debian's
 * library has it) */
#define SQLITE_ENABLE_PREUPDATE_HOOK
#include "indexer/store/name_rows.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "common/db.h"
#include "common/hash.h"
#include "common/log.h"

static struct {
	const char *const *tables;
	int id[NAME_ROWS_MAX];	/* each table's id column, or -1 */
	uint64_t sum;		/* rows written less rows replaced */
	int known;		/* moved, whatever the sum: a row could not be
				 * read, or the rows are new */
	sqlite3 *off;		/* the connection whose hook is off */
} rows;

static int table_of(const char *name)
{
	for (int i = 0; rows.tables && rows.tables[i]; i++)
		if (!strcmp(rows.tables[i], name))
			return i;
	return -1;
}

/* A number by its value: a REAL column's whole number may come as an
 * integer before it is stored and as a real once read back. */
static uint64_t add_value(uint64_t h, sqlite3_value *v)
{
	int type = sqlite3_value_type(v);
	const void *bytes;
	double real;
	uint64_t bits;

	if (type == SQLITE_FLOAT) {
		real = sqlite3_value_double(v);
		if (real >= -9.2e18 && real <= 9.2e18 &&
		    real == (double)(int64_t)real)
			type = SQLITE_INTEGER;
	}
	h = hash_add(h, (uint64_t)type);
	switch (type) {
	case SQLITE_NULL:
		return h;
	case SQLITE_INTEGER:
		return hash_add(h, (uint64_t)sqlite3_value_int64(v));
	case SQLITE_FLOAT:
		memcpy(&bits, &real, sizeof(bits));
		return hash_add(h, bits);
	default:
		bytes = sqlite3_value_blob(v);
		return hash_add_bytes(h, bytes, (size_t)sqlite3_value_bytes(v));
	}
}

/* The hash of the row of table t being written (new) or replaced (old),
 * without column skip. */
static uint64_t row_hash(sqlite3 *db, int t, int new, int skip)
{
	int n = sqlite3_preupdate_count(db);
	uint64_t h = hash_add(HASH_INIT, (uint64_t)t);
	sqlite3_value *v;

	for (int i = 0; i < n; i++) {
		if (i == skip)
			continue;
		if ((new ? sqlite3_preupdate_new(db, i, &v) :
		     sqlite3_preupdate_old(db, i, &v)) != SQLITE_OK || !v) {
			rows.known = 1;
			return 0;
		}
		h = add_value(h, v);
	}
	return hash_end(h);
}

/* An update keeps the row's id in the sum (one changed is a change); an
 * insert or a delete does not, so that a row deleted and inserted again
 * under another id cancels out. */
static void on_write(void *arg, sqlite3 *db, int op, const char *schema,
		     const char *table, sqlite3_int64 old_key,
		     sqlite3_int64 new_key)
{
	int t = table_of(table);
	int skip;

	(void)arg, (void)schema, (void)old_key, (void)new_key;
	if (rows.known || t < 0)
		return;
	skip = op == SQLITE_UPDATE ? -1 : rows.id[t];
	if (op != SQLITE_INSERT)
		rows.sum -= row_hash(db, t, 0, skip);
	if (op != SQLITE_DELETE)
		rows.sum += row_hash(db, t, 1, skip);
}

/* The column of table that is a number it was given, not a name: one
 * named id that is its rowid (an INTEGER PRIMARY KEY), else -1 (a key
 * such as a file's id in the rows of the file's tags is what they name;
 * no such table yet). */
static int id_column(sqlite3 *db, const char *table, int *col)
{
	static const char sql[] =
		"SELECT cid FROM pragma_table_info(?1) WHERE name = 'id'"
		" AND pk = 1 AND upper(type) = 'INTEGER' AND NOT EXISTS"
		" (SELECT 1 FROM pragma_table_info(?1) WHERE pk > 1)";
	sqlite3_stmt *st;
	int rc;

	*col = -1;
	rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
	if (rc != SQLITE_OK)
		return db_error(db, rc, "read a table's id column");
	sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*col = sqlite3_column_int(st, 0);
	return db_finalize(st, rc, "read a table's id column");
}

int name_rows_watch(sqlite3 *db, const char *const *tables)
{
	int rc = 0;

	rows.tables = tables;
	for (int i = 0; tables && tables[i]; i++) {
		if (i >= NAME_ROWS_MAX)
			return log_error(-E2BIG, "writer: more than %d tables"
					 " listed by name", NAME_ROWS_MAX);
		rc = id_column(db, tables[i], &rows.id[i]);
		if (rc)
			return rc;
	}
	sqlite3_preupdate_hook(db, tables ? on_write : NULL, NULL);
	rows.off = NULL;
	return 0;
}

/* New rows are not read: SQLite does not even call on_write() for them
 * (its call, for nothing, was 2% of the writer's time in a first scan). */
void name_rows_new(sqlite3 *db)
{
	rows.known = 1;
	if (rows.tables && !rows.off) {
		sqlite3_preupdate_hook(db, NULL, NULL);
		rows.off = db;
	}
}

int name_rows_moved(void)
{
	int moved = rows.sum || rows.known;

	if (rows.off)
		sqlite3_preupdate_hook(rows.off, on_write, NULL);
	rows.off = NULL;
	rows.sum = 0;
	rows.known = 0;
	return moved;
}
