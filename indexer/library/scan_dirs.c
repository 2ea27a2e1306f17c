/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The scan's table of known folders (scan_dirs.h): loaded once,
 * found by path, marked as seen. It deletes nothing itself.
 */
#include "indexer/library/scan_dirs.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "common/array.h"
#include "common/db.h"
#include "common/hash.h"
#include "common/log.h"
#include "common/thread.h"
#include "indexer/library/scan_store.h"

const char *scan_dirs_path(const struct scan_dirs *set,
			   const struct scan_dirs_entry *k)
{
	return set->arena.buf + k->off;
}

static int cmp_path(const void *a, size_t alen, const void *b, size_t blen)
{
	int c = memcmp(a, b, alen < blen ? alen : blen);

	if (c)
		return c;
	return (alen > blen) - (alen < blen);
}

static int cmp_dir(const void *a, const void *b, void *arg)
{
	const struct scan_dirs_entry *x = *(struct scan_dirs_entry *const *)a;
	const struct scan_dirs_entry *y = *(struct scan_dirs_entry *const *)b;
	const struct scan_dirs *set = arg;

	return cmp_path(scan_dirs_path(set, x), x->len, scan_dirs_path(set, y),
			y->len);
}

void scan_dirs_sort(const struct scan_dirs *set, struct scan_dirs_entry **v,
		    size_t n)
{
	if (n > 1)
		qsort_r(v, n, sizeof(*v), cmp_dir, (void *)set);
}

static int dir_is(const struct scan_dirs *set, const struct scan_dirs_entry *k,
		  const char *path, size_t len)
{
	return k->len == len && !memcmp(scan_dirs_path(set, k), path, len);
}

/* How many directories after the last one a worker found scan_dirs_find() looks
 * at before the table: the next folder of a worker most often lies
 * within a dozen rows (the other worker took those between, or they
 * were an artist's albums). At a million files, 4 found 78% of them,
 * 16 found 88%. */
#define NEAR_LOOKS 16

struct scan_dirs_entry *scan_dirs_find(struct scan_dirs *set, const char *path,
				       size_t len, size_t *near)
{
	struct hmap_entry *e;

	for (size_t i = *near; i < set->nr && i < *near + NEAR_LOOKS; i++)
		if (dir_is(set, &set->v[i], path, len)) {
			*near = i + 1;
			return &set->v[i];
		}
	for (e = hmap_get(&set->by_path, hash_bytes(path, len)); e;
	     e = hmap_get_next(e)) {
		struct scan_dirs_entry *k =
			hmap_entry_of(e, struct scan_dirs_entry, ent);

		if (dir_is(set, k, path, len)) {
			*near = k - set->v + 1;
			return k;
		}
	}
	return NULL;
}

int scan_dirs_under(const struct scan_dirs *set,
		    const struct scan_dirs_entry *k, const char *path,
		    size_t len)
{
	const char *p = scan_dirs_path(set, k);

	return !len || (k->len >= len && !memcmp(p, path, len) &&
			(k->len == len || p[len] == '/'));
}

/* Whether the directory k sorts before path + "/", where what lies below
 * path begins: a folder beside it, "path 2", comes between path and
 * what lies below it, since ' ' comes before '/'. */
static int dir_before_below(const struct scan_dirs *set,
			    const struct scan_dirs_entry *k, const char *path,
			    size_t len)
{
	const char *p = scan_dirs_path(set, k);
	int c = memcmp(p, path, k->len < len ? k->len : len);

	if (c)
		return c < 0;
	return k->len <= len || (unsigned char)p[len] < '/';
}

void scan_dirs_keep_subtree(struct scan_dirs *set, const char *path, size_t len)
{
	size_t lo = 0, hi = set->nr, near = 0;
	struct scan_dirs_entry *top;

	if (!len) {
		for (size_t i = 0; i < set->nr; i++)
			__atomic_store_n(&set->v[i].seen, 1, __ATOMIC_RELEASE);
		return;
	}
	top = scan_dirs_find(set, path, len, &near);
	if (top)
		__atomic_store_n(&top->seen, 1, __ATOMIC_RELEASE);
	if (!set->sort_tried) {
		set->sort_tried = 1;
		set->sorted = malloc(set->nr * sizeof(*set->sorted));
		for (size_t i = 0; set->sorted && i < set->nr; i++)
			set->sorted[i] = &set->v[i];
		if (set->sorted)
			scan_dirs_sort(set, set->sorted, set->nr);
	}
	if (!set->sorted) {
		for (size_t i = 0; i < set->nr; i++)
			if (scan_dirs_under(set, &set->v[i], path, len))
				__atomic_store_n(&set->v[i].seen, 1,
						 __ATOMIC_RELEASE);
		return;
	}
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (dir_before_below(set, set->sorted[mid], path, len))
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < set->nr && scan_dirs_under(set, set->sorted[lo], path, len);
	     lo++)
		__atomic_store_n(&set->sorted[lo]->seen, 1, __ATOMIC_RELEASE);
}

void scan_dirs_release(struct scan_dirs *set)
{
	hmap_release(&set->by_path, NULL);
	free(set->sorted);
	free(set->v);
	strbuf_release(&set->arena);
	memset(set, 0, sizeof(*set));
}

/* Add the directories st gives (id, path, digest) to set, and finalize
 * st. */
static int dirs_read(sqlite3_stmt *st, struct scan_dirs *set)
{
	int rc;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct scan_dirs_entry *k = array_grow(
			set->v, set->nr, &set->alloc, sizeof(*k), 1024);

		if (!k) {
			rc = log_error(-ENOMEM, "scan: out of memory loading"
				       " directories");
			break;
		}
		set->v = k;
		k = &set->v[set->nr++];
		k->id = sqlite3_column_int64(st, 0);
		k->len = sqlite3_column_bytes(st, 1);
		k->off = set->arena.len;
		strbuf_add(&set->arena, sqlite3_column_blob(st, 1), k->len);
		k->has_digest = sqlite3_column_type(st, 2) != SQLITE_NULL;
		k->digest = (uint64_t)sqlite3_column_int64(st, 2);
		k->seen = 0;
	}
	return db_finalize(st, rc, "directories");
}

/* The directories of a whole root whose ids are above split (or, with
 * above 0, at most split), read into set. */
struct dirs_part {
	const char *db_path;
	const struct scan_request *req;
	int64_t split;
	int above;
	struct scan_dirs set;
	int rc;
};

static int dirs_read_part(sqlite3 *db, struct dirs_part *part)
{
	sqlite3_stmt *st;
	int rc = scan_store_prepare_under(
		db, "id, path, digest", "directories", part->req, "",
		part->above ? " AND id > ?2" : " AND id <= ?2", &st);

	if (rc)
		return rc;
	sqlite3_bind_int64(st, 2, part->split);
	return dirs_read(st, &part->set);
}

static void *dirs_part_thread(void *arg)
{
	struct dirs_part *part = arg;
	sqlite3 *db;

	thread_name("mm-scan-load");
	part->rc = db_open(part->db_path, 1, &db);
	if (!part->rc) {
		part->rc = dirs_read_part(db, part);
		db_close(db);
	}
	return NULL;
}

/* Append the directories of from to set, emptying from. */
static int dirs_append(struct scan_dirs *set, struct scan_dirs *from)
{
	size_t base = set->arena.len;

	for (size_t i = 0; i < from->nr; i++) {
		struct scan_dirs_entry *k = array_grow(
			set->v, set->nr, &set->alloc, sizeof(*k), from->nr);

		if (!k)
			return log_error(-ENOMEM, "scan: out of memory loading"
					 " directories");
		set->v = k;
		set->v[set->nr] = from->v[i];
		set->v[set->nr++].off += base;
	}
	strbuf_add(&set->arena, from->arena.buf, from->arena.len);
	scan_dirs_release(from);
	return 0;
}

/* Below this many directories a whole root is read on one thread: a
 * second connection and thread cost more than they save. */
#define DIRS_SPLIT_MIN 8192

/*
 * Read the directories of a whole root, half of them (by id) on a second
 * thread with a connection of its own: the walk waits for them, and on
 * one thread they took 35 ms of a 1.5 s rescan of a million files while
 * the other core waited too.
 */
static int dirs_load_root(sqlite3 *db, const char *db_path,
			  const struct scan_request *req, struct scan_dirs *set)
{
	struct dirs_part mine = { .req = req }, other = {
		.db_path = db_path, .req = req, .above = 1,
	};
	sqlite3_int64 last;
	pthread_t tid;
	int started = 0, rc;

	rc = db_one_int(db, "directories' last id",
			"SELECT max(id) FROM directories", NULL, 0, &last);
	if (rc)
		return rc;
	mine.split = last;
	if (mine.split < DIRS_SPLIT_MIN) {
		mine.above = 1;
		mine.split = 0;
	} else {
		mine.split /= 2;
		other.split = mine.split;
		started = !pthread_create(&tid, NULL, dirs_part_thread,
					  &other);
	}
	rc = dirs_read_part(db, &mine);
	if (started)
		pthread_join(tid, NULL);
	else if (other.split)
		other.rc = dirs_read_part(db, &other);
	rc = rc ? rc : other.rc;
	*set = mine.set;
	if (!rc)
		rc = dirs_append(set, &other.set);
	scan_dirs_release(&other.set);
	return rc;
}

int scan_dirs_load(sqlite3 *db, const char *db_path,
		   const struct scan_request *req, struct scan_dirs *set)
{
	int whole = req->nr_subpaths == 1 && !*req->subpaths[0], rc = 0;

	if (whole)
		rc = dirs_load_root(db, db_path, req, set);
	for (size_t i = 0; !rc && !whole && i < req->nr_subpaths; i++) {
		sqlite3_stmt *st;

		rc = scan_store_prepare_under(db, "id, path, digest",
					      "directories", req,
					      req->subpaths[i], "", &st);
		if (!rc)
			rc = dirs_read(st, set);
	}
	hmap_reserve(&set->by_path, set->nr);
	for (size_t i = 0; !rc && i < set->nr; i++) {
		struct scan_dirs_entry *k = &set->v[i];

		if (hmap_add(&set->by_path, &k->ent,
			     hash_bytes(scan_dirs_path(set, k), k->len)))
			rc = log_error(-ENOMEM, "scan: out of memory loading"
				       " directories");
	}
	return rc;
}
