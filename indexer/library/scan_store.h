/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_SCAN_STORE_H
#define MEDIAMON_SCAN_STORE_H

/*
 * What the store knows under the paths a scan walks, read once when it
 * begins (scan.c): the SQL that finds the rows under a path, and the
 * files known at exactly a subpath, rescanned alone. The lists of files the
 * store has in one folder, which a worker compares with the folder's
 * entries, are file_lists too.
 *
 *	rc = scan_store_prepare_under(db, "id, path", "directories", req, sub,
 *"", &st);
 */

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "common/hmap.h"
#include "common/strbuf.h"
#include "indexer/library/scan_request.h"

/* What the store knows about a file: the files of a directory that did
 * not look as the store has it, or a file rescanned alone. */
struct scan_store_file {
	int64_t id, size, mtime_ns, inode;
	size_t name;		/* in its list's names, NUL-terminated */
	size_t name_len;
	int claimed;
	struct hmap_entry ent;	/* in its list's map */
};

/* The files in v, and a map of them by name made as scan_store_files_find()
 * needs it: the files added since, all of them again once v has moved. */
struct scan_store_files {
	struct scan_store_file *v;
	size_t nr, alloc;
	struct strbuf names;
	struct hmap map;
	const struct scan_store_file *mapped; /* v when last mapped */
	size_t nr_mapped;
};

/* Free what l holds and empty it. */
void scan_store_files_release(struct scan_store_files *l);

/* Empty l, keeping its memory for the next folder's files. */
void scan_store_files_clear(struct scan_store_files *l);

/* Add a file to l; NULL when out of memory (logged). */
struct scan_store_file *scan_store_files_add(struct scan_store_files *l,
					     const char *name, size_t len);

/* The file named name (len bytes) in l, or NULL: a hashed look-up, so
 * that a folder of 100,000 files costs no more per file than one of ten
 * (a look at each when there is no memory for the map). */
struct scan_store_file *scan_store_files_find(struct scan_store_files *l,
					      const char *name, size_t len);

/* Prepare "SELECT columns FROM table" for the rows under sub (the whole
 * root when it is empty), followed by tail. Paths under "a/b" are "a/b"
 * itself and those between "a/b/" and "a/b0", '0' being the byte after
 * '/'; the two are a UNION ALL of plain index searches, since an OR of
 * them was seen planned as a pass over the whole index. */
int scan_store_prepare_under(sqlite3 *db, const char *columns,
			     const char *table, const struct scan_request *req,
			     const char *sub, const char *tail,
			     sqlite3_stmt **st);

/* Prepare "SELECT columns FROM files" for the files under sub (those of
 * the whole root when it is empty): the files of the folders
 * scan_store_prepare_under() would find, and the one file at sub, by its folder
 * and name, when sub is a file. */
int scan_store_prepare_files_under(sqlite3 *db, const char *columns,
				   const struct scan_request *req,
				   const char *sub, sqlite3_stmt **st);

/* The files known at exactly a subpath: rescanned alone, they are looked
 * up here, and one that is gone is deleted. */
int scan_store_alone_load(sqlite3 *db, const struct scan_request *req,
			  struct scan_store_files *l);

#endif
