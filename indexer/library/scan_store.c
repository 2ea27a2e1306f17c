/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * What the store knows under a scan's paths, read when it begins
 * (scan_store.h): the SQL and the per-folder file lists. It writes
 * nothing.
 */
#include "indexer/library/scan_store.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/array.h"
#include "common/db.h"
#include "common/hash.h"
#include "common/log.h"

void scan_store_files_release(struct scan_store_files *l)
{
	free(l->v);
	strbuf_release(&l->names);
	hmap_release(&l->map, NULL);
	memset(l, 0, sizeof(*l));
}

void scan_store_files_clear(struct scan_store_files *l)
{
	l->nr = 0;
	strbuf_reset(&l->names);
	hmap_release(&l->map, NULL);
	l->mapped = NULL;
	l->nr_mapped = 0;
}

struct scan_store_file *scan_store_files_add(struct scan_store_files *l,
					     const char *name, size_t len)
{
	struct scan_store_file *k =
		array_grow(l->v, l->nr, &l->alloc, sizeof(*k), 64);

	if (!k) {
		log_error(-ENOMEM, "scan: out of memory");
		return NULL;
	}
	l->v = k;
	k = &l->v[l->nr++];
	memset(k, 0, sizeof(*k));
	k->name = l->names.len;
	k->name_len = len;
	strbuf_add(&l->names, name, len);
	strbuf_addch(&l->names, '\0');
	return k;
}

static int same_name(const struct scan_store_files *l,
		     const struct scan_store_file *k, const char *name,
		     size_t len)
{
	return k->name_len == len && !memcmp(l->names.buf + k->name, name, len);
}

/* Map the files added since the last look, every one again when v has
 * moved. Returns 0, or -ENOMEM when the map cannot have its buckets. */
static int files_map(struct scan_store_files *l)
{
	if (l->mapped != l->v) {
		hmap_release(&l->map, NULL);
		hmap_reserve(&l->map, l->nr);
		l->mapped = l->v;
		l->nr_mapped = 0;
	}
	for (; l->nr_mapped < l->nr; l->nr_mapped++) {
		struct scan_store_file *k = &l->v[l->nr_mapped];

		if (hmap_add(&l->map, &k->ent,
			     hash_bytes(l->names.buf + k->name, k->name_len)))
			return -ENOMEM;
	}
	return 0;
}

struct scan_store_file *scan_store_files_find(struct scan_store_files *l,
					      const char *name, size_t len)
{
	struct hmap_entry *e;

	if (files_map(l)) {
		for (size_t i = 0; i < l->nr; i++)
			if (same_name(l, &l->v[i], name, len))
				return &l->v[i];
		return NULL;
	}
	for (e = hmap_get(&l->map, hash_bytes(name, len)); e;
	     e = hmap_get_next(e)) {
		struct scan_store_file *k =
			hmap_entry_of(e, struct scan_store_file, ent);

		if (same_name(l, k, name, len))
			return k;
	}
	return NULL;
}

/* Bind ?1 to ?4 of a statement of scan_store_prepare_under(): the root, sub,
 * and the bounds of the paths under it. */
static void bind_under(sqlite3_stmt *st, const struct scan_request *req,
		       const char *sub)
{
	size_t sublen = strlen(sub);
	struct strbuf b = STRBUF_INIT;

	sqlite3_bind_int64(st, 1, req->root_id);
	if (!sublen)
		return;
	sqlite3_bind_blob(st, 2, sub, sublen, SQLITE_STATIC);
	strbuf_addf(&b, "%s/", sub);
	sqlite3_bind_blob(st, 3, b.buf, b.len, SQLITE_TRANSIENT);
	b.buf[b.len - 1] = '0';
	sqlite3_bind_blob(st, 4, b.buf, b.len, SQLITE_TRANSIENT);
	strbuf_release(&b);
}

int scan_store_prepare_under(sqlite3 *db, const char *columns,
			     const char *table, const struct scan_request *req,
			     const char *sub, const char *tail,
			     sqlite3_stmt **st)
{
	struct strbuf sql = STRBUF_INIT;
	int rc;

	/* A whole root is read in table order (the "+" keeps the index out)
	 * and sorted in memory: walking the path index would look up each
	 * row in the table, three times slower at 100,000 files. */
	strbuf_addf(&sql, "SELECT %s FROM %s WHERE %sroot_id = ?1", columns,
		    table, *sub ? "" : "+");
	if (*sub)
		strbuf_addf(&sql, " AND path = ?2 UNION ALL SELECT %s FROM %s"
			    " WHERE root_id = ?1 AND path > ?3 AND path < ?4",
			    columns, table);
	strbuf_addstr(&sql, tail);
	rc = sqlite3_prepare_v2(db, sql.buf, -1, st, NULL);
	if (rc == SQLITE_OK) {
		bind_under(*st, req, sub);
		rc = 0;
	} else {
		rc = db_error(db, rc, sql.buf);
	}
	strbuf_release(&sql);
	return rc;
}

/* The length of the folder part of a path relative to its root ("" for
 * its top), and in *name where the file's name starts. */
static size_t path_split(const char *path, size_t len, size_t *name)
{
	const char *slash = memrchr(path, '/', len);

	*name = slash ? (size_t)(slash - path) + 1 : 0;
	return slash ? (size_t)(slash - path) : 0;
}

int scan_store_prepare_files_under(sqlite3 *db, const char *columns,
				   const struct scan_request *req,
				   const char *sub, sqlite3_stmt **st)
{
	struct strbuf sql = STRBUF_INIT;
	size_t sublen = strlen(sub), name;
	size_t dirlen = path_split(sub, sublen, &name);
	int rc;

	if (!sublen)
		return scan_store_prepare_under(db, columns, "files", req, sub,
						"", st);
	strbuf_addf(&sql, "SELECT %s FROM files WHERE dir_id IN (SELECT id"
		    " FROM directories WHERE root_id = ?1 AND path = ?2"
		    " UNION ALL SELECT id FROM directories WHERE root_id = ?1"
		    " AND path > ?3 AND path < ?4) UNION ALL SELECT %s"
		    " FROM files WHERE dir_id = (SELECT id FROM directories"
		    " WHERE root_id = ?1 AND path = ?5) AND name = ?6",
		    columns, columns);
	rc = sqlite3_prepare_v2(db, sql.buf, -1, st, NULL);
	if (rc == SQLITE_OK) {
		bind_under(*st, req, sub);
		sqlite3_bind_blob(*st, 5, sub, dirlen, SQLITE_STATIC);
		sqlite3_bind_blob(*st, 6, sub + name, sublen - name,
				  SQLITE_STATIC);
		rc = 0;
	} else {
		rc = db_error(db, rc, sql.buf);
	}
	strbuf_release(&sql);
	return rc;
}

int scan_store_alone_load(sqlite3 *db, const struct scan_request *req,
			  struct scan_store_files *l)
{
	sqlite3_stmt *st;
	int rc = db_prepare(db, "SELECT id, size, mtime_ns, inode FROM files"
			    " WHERE dir_id = (SELECT id FROM directories"
			    " WHERE root_id = ?1 AND path = ?2)"
			    " AND name = ?3", &st);

	for (size_t i = 0; !rc && i < req->nr_subpaths; i++) {
		const char *sub = req->subpaths[i];
		size_t len = strlen(sub), name;

		if (!len)
			continue;
		sqlite3_bind_int64(st, 1, req->root_id);
		sqlite3_bind_blob(st, 2, sub, path_split(sub, len, &name),
				  SQLITE_STATIC);
		sqlite3_bind_blob(st, 3, sub + name, len - name,
				  SQLITE_STATIC);
		while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			struct scan_store_file *k =
				scan_store_files_add(l, sub, strlen(sub));

			if (!k) {
				rc = -ENOMEM;
				break;
			}
			k->id = sqlite3_column_int64(st, 0);
			k->size = sqlite3_column_int64(st, 1);
			k->mtime_ns = sqlite3_column_int64(st, 2);
			k->inode = sqlite3_column_int64(st, 3);
		}
		rc = db_rows_end(db, rc, "files rescanned alone");
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	return rc;
}
