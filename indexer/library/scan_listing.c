/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * A folder's entries as a worker reads them (scan_listing.h): from
 * getdents64() or the listing the store keeps. No tags are read here.
 */
#include "indexer/library/scan_listing.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/array.h"
#include "common/db.h"
#include "common/log.h"

/* How old a folder's change time must be for its listing to be kept. The
 * kernel stamps changes with a clock that moves in ticks: a name added in
 * the tick of an earlier change, after the folder was stat()ed, leaves
 * the time as it was. */
#define LISTING_SETTLE_NS 1000000000ll

int scan_listing_cmp(const void *a, const void *b, void *names)
{
	return strcmp((const char *)names +
			      ((const struct scan_worker_listed *)a)->name,
		      (const char *)names +
			      ((const struct scan_worker_listed *)b)->name);
}

/* Add an entry whose name is at name in the worker's names. */
static int ent_add(struct scan_worker *wk, size_t name, size_t len,
		   unsigned char type)
{
	struct scan_worker_listed *e = array_grow(
		wk->ents, wk->nr_ents, &wk->alloc_ents, sizeof(*e), 64);

	if (!e)
		return log_error(-ENOMEM, "scan: out of memory reading a"
				 " folder");
	wk->ents = e;
	e = &wk->ents[wk->nr_ents++];
	e->name = name;
	e->len = len;
	e->type = type;
	e->stated = 0;
	return 0;
}

int scan_listing_wanted(const struct dirent64 *de)
{
	if (de->d_name[0] == '.' && (!de->d_name[1] ||
	    (de->d_name[1] == '.' && !de->d_name[2])))
		return 0;
	return de->d_type == DT_DIR || de->d_type == DT_REG ||
	       de->d_type == DT_LNK || de->d_type == DT_UNKNOWN;
}

int scan_listing_read(struct scan_worker *wk, int dfd)
{
	ssize_t n;

	wk->nr_ents = 0;
	strbuf_reset(&wk->names);
	while ((n = getdents64(dfd, wk->dents, sizeof(wk->dents))) > 0) {
		for (ssize_t off = 0; off < n;) {
			struct dirent64 *de = (void *)(wk->dents + off);
			size_t len;

			off += de->d_reclen;
			if (!scan_listing_wanted(de))
				continue;
			len = strlen(de->d_name);
			if (ent_add(wk, wk->names.len, len, de->d_type))
				return -ENOMEM;
			strbuf_add(&wk->names, de->d_name, len + 1);
		}
	}
	return n < 0 ? -errno : 0;
}

void scan_listing_make(const struct scan_worker *wk, struct music_rec *rec,
		       const struct stat *st)
{
	size_t len = 0;
	char *p;

	for (size_t i = 0; i < wk->nr_ents; i++) {
		if (wk->ents[i].type != DT_DIR && wk->ents[i].type != DT_REG)
			return;
		len += wk->ents[i].len + 2;
	}
	rec->listing = p = malloc(len ? len : 1);
	if (!p)
		return;
	for (size_t i = 0; i < wk->nr_ents; i++) {
		*p++ = (char)wk->ents[i].type;
		memcpy(p, wk->names.buf + wk->ents[i].name,
		       wk->ents[i].len + 1);
		p += wk->ents[i].len + 1;
	}
	rec->listing_len = len;
	rec->listing_ctime_ns = scan_worker_ts_ns(&st->st_ctim);
	rec->listing_inode = (int64_t)st->st_ino;
}

/* Take the worker's entries from a listing the store kept; returns 0,
 * -EINVAL when it is not one scan_listing_make() makes, or -ENOMEM. */
static int listing_parse(struct scan_worker *wk, const char *p, size_t n)
{
	wk->nr_ents = 0;
	strbuf_reset(&wk->names);
	strbuf_add(&wk->names, p, n);
	for (size_t off = 0; off < n;) {
		unsigned char type = (unsigned char)wk->names.buf[off];
		size_t len = strnlen(wk->names.buf + off + 1, n - off - 1);

		if (off + 1 + len >= n || !len ||
		    (type != DT_DIR && type != DT_REG))
			return -EINVAL;
		if (ent_add(wk, off + 1, len, type))
			return -ENOMEM;
		off += len + 2;
	}
	return 0;
}

int scan_listing_settled(const struct stat *st)
{
	struct timespec now;

	return !clock_gettime(CLOCK_REALTIME_COARSE, &now) &&
	       scan_worker_ts_ns(&now) - scan_worker_ts_ns(&st->st_ctim) >=
		       LISTING_SETTLE_NS;
}

int scan_listing_load(struct scan_worker *wk, const struct scan_dirs_entry *kd,
		      const struct stat *st)
{
	sqlite3_stmt *q;
	int rc, found = 0;

	if (!scan_worker_open(wk))
		return 0;
	if (!wk->reading) {
		if (db_exec(wk->db, "BEGIN"))
			return 0;
		wk->reading = 1;
	}
	q = wk->listing_of_dir;
	sqlite3_bind_int64(q, 1, kd->id);
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW &&
	    sqlite3_column_int64(q, 0) == scan_worker_ts_ns(&st->st_ctim) &&
	    sqlite3_column_int64(q, 1) == (int64_t)st->st_ino)
		found = !listing_parse(wk, sqlite3_column_blob(q, 2),
				       sqlite3_column_bytes(q, 2));
	else if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		db_error(wk->db, rc, "listing of a directory");
	sqlite3_reset(q);
	return found;
}

int scan_listing_load_files(struct scan_worker *wk,
			    const struct scan_dirs_entry *kd)
{
	sqlite3_stmt *st;
	int rc;

	scan_store_files_clear(&wk->known);
	if (!kd)
		return 0;
	if (!scan_worker_db(wk))
		return -EIO;
	st = wk->files_of_dir;
	sqlite3_bind_int64(st, 1, kd->id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct scan_store_file *k = scan_store_files_add(
			&wk->known, sqlite3_column_blob(st, 1),
			sqlite3_column_bytes(st, 1));

		if (!k) {
			sqlite3_reset(st);
			return -ENOMEM;
		}
		k->id = sqlite3_column_int64(st, 0);
		k->size = sqlite3_column_int64(st, 2);
		k->mtime_ns = sqlite3_column_int64(st, 3);
		k->inode = sqlite3_column_int64(st, 4);
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : db_error(wk->db, rc, "files of a"
						" directory");
}
