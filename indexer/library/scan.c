#include "indexer/library/scan.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <search.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>

#include <linux/magic.h>

#include "common/array.h"
#include "common/bytes.h"
#include "common/db.h"
#include "common/hash.h"
#include "common/hmap.h"
#include "common/log.h"
#include "common/strbuf.h"
#include "indexer/library/symlinks.h"
#include "indexer/library/tags.h"
#include "indexer/store/writer.h"

/* What the store knew about a directory when the scan began. */
struct known_dir {
	struct hmap_entry ent;	/* by path */
	size_t off;		/* path in the set's arena */
	size_t len;
	int64_t id;
	uint64_t digest;
	int has_digest;
	int seen;
};

/* The directories known under the scanned paths, found by path through
 * a hash table: a walk looks up every folder it meets, and a sorted set
 * cost a binary search each and a sort of them all before the walk. */
struct dir_set {
	struct known_dir *v;
	size_t nr, alloc;
	struct strbuf arena;
	struct hmap by_path;
	/* v's directories by path (memcmp order), sorted the first time a
	 * subtree is looked for, under the scan's lock; NULL before, or
	 * when there was no memory for it. */
	struct known_dir **sorted;
	int sort_tried;
};

/* What the store knows about a file: the files of a directory that did
 * not look as the store has it, or a file rescanned alone. */
struct known_file {
	int64_t id, size, mtime_ns, inode;
	size_t name;		/* in its list's names */
	size_t name_len;
	int claimed;
};

struct file_list {
	struct known_file *v;
	size_t nr, alloc;
	struct strbuf names;
};

/* A file the store knows under a path the walk did not find: deleted at
 * the end, unless a rename claimed it meanwhile. */
struct gone {
	struct gone *next;
	int64_t id;
};

/* A file the store knew under the scanned paths, by inode, for renames;
 * read from the store the first time a new file is met. */
struct by_inode {
	int64_t inode, id, size, mtime_ns;
};

struct dir_job {
	size_t len;
	char path[];		/* NUL-terminated */
};

/* A folder's subfolders, gathered to be pushed at once. */
struct subdirs {
	struct dir_job **v;
	size_t nr, alloc;
};

struct scan {
	const char *db_path;
	const struct scan_request *req;
	struct scan_stats *stats;
	int root_fd;
	struct symlinks_rule rule;
	int refused;		/* links not followed, said once */
	int noatime_refused;	/* O_NOATIME refused once: not tried again */
	int for_now;		/* a failure a later scan may not meet */
	int bulk;		/* the store has nothing under the paths: a
				 * bulk load (music_rec.bulk) */
	/* The root's file system gives a folder a new change time whenever
	 * a name in it comes or goes: a folder of the root's device whose
	 * change time and inode are still those the store keeps with its
	 * listing is not listed again (listing_load()). */
	int listings;
	dev_t root_dev;
	struct dir_set dirs;
	/* The files known at exactly a subpath: a file rescanned alone. */
	struct file_list alone;

	pthread_mutex_t lock;
	pthread_cond_t cond;
	/* The directories to walk, a stack: a folder's subfolders go on it
	 * in the reverse of their paths' order, so the walk goes depth
	 * first in about the order of the store's path index, and a first
	 * scan adds its rows near the index's end instead of splitting its
	 * pages all over it. */
	struct dir_job **jobs;
	size_t nr_jobs, alloc_jobs;
	size_t busy;		/* jobs queued or being worked on */

	/* Under lock: renames and what went. */
	struct by_inode *inodes;
	size_t nr_inodes;
	int inodes_loaded;
	void *claimed;		/* tsearch() tree of the ids renames took */
	struct gone *gone;
};

/* One entry of the directory being scanned. */
struct listed {
	size_t name;		/* in the worker's names */
	size_t len;
	unsigned char type;	/* d_type */
	int stated;		/* st holds the entry's stat */
	struct stat st;
};

/* One worker's own state: the records it has not queued yet, its times
 * (its walk is the time it was neither parsing nor waiting for a
 * folder, so that a folder costs no clock reading), its counters, added
 * to the scan's every STATS_EVERY_NS and at its end (atomics shared by
 * every worker, bumped per file or even per folder, would bounce one
 * cache line between the cores), the entries of the directory it reads
 * and, once needed, a read connection to look up the files a directory
 * held. */
struct worker {
	struct scan *s;
	struct writer_batch batch;
	uint64_t started_ns;	/* 0: not a walk's worker, whose walk is
				 * not timed */
	uint64_t parse_ns, idle_ns;
	uint64_t walk_added_ns;	/* the walk time local held so far */
	struct scan_stats local;
	uint64_t added_ns;	/* when local was last added to the scan's
				 * (coarse clock) */
	struct listed *ents;
	size_t nr_ents, alloc_ents;
	struct strbuf names;
	struct strbuf path;
	struct subdirs subdirs;
	size_t near;		/* dir_find()'s first guess */
	struct file_list known;
	char dents[32768];		/* getdents64() */
	sqlite3 *db;
	sqlite3_stmt *files_of_dir, *path_of_file, *listing_of_dir;
	int db_failed;
	int reading;		/* a read transaction of listings is open */
};

/* How often a worker adds its counters to the scan's: progress is read
 * by people, every second or so. */
#define STATS_EVERY_NS 20000000ull

/* How old a folder's change time must be for its listing to be kept. The
 * kernel stamps changes with a clock that moves in ticks: a name added in
 * the tick of an earlier change, after the folder was stat()ed, leaves
 * the time as it was. */
#define LISTING_SETTLE_NS 1000000000ll

static void worker_read_end(struct worker *wk);

static void stat_add(uint64_t *counter, uint64_t n)
{
	__atomic_add_fetch(counter, n, __ATOMIC_RELAXED);
}

static uint64_t clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static uint64_t now_ns(void)
{
	return clock_ns(CLOCK_MONOTONIC);
}

static void worker_flush(struct worker *wk)
{
	uint64_t *from = (uint64_t *)&wk->local;
	uint64_t *to = (uint64_t *)wk->s->stats;

	if (wk->started_ns) {
		uint64_t walk = now_ns() - wk->started_ns - wk->idle_ns -
			wk->parse_ns;

		wk->local.walk_ns += walk - wk->walk_added_ns;
		wk->walk_added_ns = walk;
	}
	for (size_t i = 0; i < sizeof(wk->local) / sizeof(*from); i++) {
		if (from[i])
			stat_add(&to[i], from[i]);
		from[i] = 0;
	}
	writer_batch_flush(&wk->batch);
	worker_read_end(wk);
}

static int64_t ts_ns(const struct timespec *t)
{
	return t->tv_sec * 1000000000ll + t->tv_nsec;
}

static int64_t mtime_ns(const struct stat *st)
{
	return ts_ns(&st->st_mtim);
}

/*
 * What one file adds to its directory's digest: its name, size, mtime
 * and inode, hashed. A directory's digest is the sum of its files', so
 * the order the kernel lists them in does not matter; equal digests say
 * the store holds every file of the directory as it is on disk, with the
 * odds of a chance match far below those of a disk error. The store
 * keeps the digests: another hash here costs every store one scan that
 * compares each folder's files row by row (and keeps the new digests).
 */
static uint64_t file_hash(const char *name, size_t len, int64_t size,
			  int64_t mtime, int64_t inode)
{
	uint64_t h = hash_add_bytes(HASH_INIT, name, len);

	h = hash_add(h, size);
	h = hash_add(h, mtime);
	return hash_end(hash_add(h, inode));
}

static const char *dir_path(const struct dir_set *set,
			    const struct known_dir *k)
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
	const struct known_dir *x = *(struct known_dir *const *)a;
	const struct known_dir *y = *(struct known_dir *const *)b;
	const struct dir_set *set = arg;

	return cmp_path(dir_path(set, x), x->len, dir_path(set, y), y->len);
}

/* Sort n directories by path; qsort_r() takes no NULL base, which an
 * empty list has. */
static void dirs_sort(const struct dir_set *set, struct known_dir **v,
		      size_t n)
{
	if (n > 1)
		qsort_r(v, n, sizeof(*v), cmp_dir, (void *)set);
}

static int dir_is(const struct dir_set *set, const struct known_dir *k,
		  const char *path, size_t len)
{
	return k->len == len && !memcmp(dir_path(set, k), path, len);
}

/* How many directories after the last one a worker found dir_find() looks
 * at before the table: the next folder of a worker most often lies
 * within a dozen rows (the other worker took those between, or they
 * were an artist's albums). At a million files, 4 found 78% of them,
 * 16 found 88%. */
#define NEAR_LOOKS 16

/*
 * The directory at path as the store knows it, or NULL. The set is in
 * the order of the rows, which is the order the first scan walked them
 * in and every walk after walks them in: the few that follow the last
 * one a worker found (*near) are looked at before the table, whose
 * random reads miss the cache each time.
 */
static struct known_dir *dir_find(struct dir_set *set, const char *path,
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
		struct known_dir *k = hmap_entry_of(e, struct known_dir, ent);

		if (dir_is(set, k, path, len)) {
			*near = k - set->v + 1;
			return k;
		}
	}
	return NULL;
}

/* Whether the directory k is path or lies below it. */
static int dir_under(const struct dir_set *set, const struct known_dir *k,
		     const char *path, size_t len)
{
	const char *p = dir_path(set, k);

	return !len || (k->len >= len && !memcmp(p, path, len) &&
			(k->len == len || p[len] == '/'));
}

/* Whether the directory k sorts before path + "/", where what lies below
 * path begins: a folder beside it, "path 2", comes between path and
 * what lies below it, since ' ' comes before '/'. */
static int dir_before_below(const struct dir_set *set,
			    const struct known_dir *k, const char *path,
			    size_t len)
{
	const char *p = dir_path(set, k);
	int c = memcmp(p, path, k->len < len ? k->len : len);

	if (c)
		return c < 0;
	return k->len <= len || (unsigned char)p[len] < '/';
}

/* Keep every directory the store knows under one the walk could not
 * enter, and so the files they hold: an unreadable folder is not an
 * empty one. Called with the scan's lock held (or before the walk):
 * the first call sorts the set, and without the memory to, every
 * directory is looked at. */
static void dirs_keep_subtree(struct dir_set *set, const char *path,
			      size_t len)
{
	size_t lo = 0, hi = set->nr, near = 0;
	struct known_dir *top;

	if (!len) {
		for (size_t i = 0; i < set->nr; i++)
			__atomic_store_n(&set->v[i].seen, 1, __ATOMIC_RELEASE);
		return;
	}
	top = dir_find(set, path, len, &near);
	if (top)
		__atomic_store_n(&top->seen, 1, __ATOMIC_RELEASE);
	if (!set->sort_tried) {
		set->sort_tried = 1;
		set->sorted = malloc(set->nr * sizeof(*set->sorted));
		for (size_t i = 0; set->sorted && i < set->nr; i++)
			set->sorted[i] = &set->v[i];
		if (set->sorted)
			dirs_sort(set, set->sorted, set->nr);
	}
	if (!set->sorted) {
		for (size_t i = 0; i < set->nr; i++)
			if (dir_under(set, &set->v[i], path, len))
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
	for (; lo < set->nr && dir_under(set, set->sorted[lo], path, len);
	     lo++)
		__atomic_store_n(&set->sorted[lo]->seen, 1, __ATOMIC_RELEASE);
}

static void dirs_release(struct dir_set *set)
{
	hmap_release(&set->by_path, NULL);
	free(set->sorted);
	free(set->v);
	strbuf_release(&set->arena);
	memset(set, 0, sizeof(*set));
}

static void files_release(struct file_list *l)
{
	free(l->v);
	strbuf_release(&l->names);
	memset(l, 0, sizeof(*l));
}

/* Add a file to l; NULL when out of memory (logged). */
static struct known_file *files_add(struct file_list *l, const char *name,
				    size_t len)
{
	struct known_file *k = array_grow(l->v, l->nr, &l->alloc,
					  sizeof(*k), 64);

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
	return k;
}

static struct known_file *files_find(struct file_list *l, const char *name,
				     size_t len)
{
	for (size_t i = 0; i < l->nr; i++)
		if (l->v[i].name_len == len &&
		    !memcmp(l->names.buf + l->v[i].name, name, len))
			return &l->v[i];
	return NULL;
}

/* Bind ?1 to ?4 of a statement of prepare_under(): the root, sub, and
 * the bounds of the paths under it. */
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

/* Prepare "SELECT columns FROM table" for the rows under sub (the whole
 * root when it is empty), followed by tail. Paths under "a/b" are "a/b"
 * itself and those between "a/b/" and "a/b0", '0' being the byte after
 * '/'; the two are a UNION ALL of plain index searches, since an OR of
 * them was seen planned as a pass over the whole index. */
static int prepare_under(sqlite3 *db, const char *columns, const char *table,
			 const struct scan_request *req, const char *sub,
			 const char *tail, sqlite3_stmt **st)
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

/* Prepare "SELECT columns FROM files" for the files under sub (those of
 * the whole root when it is empty): the files of the folders
 * prepare_under() would find, and the one file at sub, by its folder and
 * name, when sub is a file. */
static int prepare_files_under(sqlite3 *db, const char *columns,
			       const struct scan_request *req,
			       const char *sub, sqlite3_stmt **st)
{
	struct strbuf sql = STRBUF_INIT;
	size_t sublen = strlen(sub), name;
	size_t dirlen = path_split(sub, sublen, &name);
	int rc;

	if (!sublen)
		return prepare_under(db, columns, "files", req, sub, "", st);
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

int scan_estimate(sqlite3 *db, const struct scan_request *req,
		  uint64_t *count)
{
	for (size_t i = 0; i < req->nr_subpaths; i++) {
		sqlite3_stmt *st;
		int rc = prepare_files_under(db, "count(*)", req,
					     req->subpaths[i], &st);

		if (rc)
			return rc;
		while ((rc = sqlite3_step(st)) == SQLITE_ROW)
			*count += sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
		if (rc != SQLITE_DONE)
			return db_error(db, rc, "count files");
	}
	return 0;
}

/* Add the directories st gives (id, path, digest) to set, and finalize
 * st. */
static int dirs_read(sqlite3_stmt *st, struct dir_set *set)
{
	int rc;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct known_dir *k = array_grow(set->v, set->nr, &set->alloc,
						 sizeof(*k), 1024);

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
	struct dir_set set;
	int rc;
};

static int dirs_read_part(sqlite3 *db, struct dirs_part *part)
{
	sqlite3_stmt *st;
	int rc = prepare_under(db, "id, path, digest", "directories",
			       part->req, "", part->above ? " AND id > ?2" :
			       " AND id <= ?2", &st);

	if (rc)
		return rc;
	sqlite3_bind_int64(st, 2, part->split);
	return dirs_read(st, &part->set);
}

static void *dirs_part_thread(void *arg)
{
	struct dirs_part *part = arg;
	sqlite3 *db;

	pthread_setname_np(pthread_self(), "scan load");
	part->rc = db_open(part->db_path, 1, &db);
	if (!part->rc) {
		part->rc = dirs_read_part(db, part);
		db_close(db);
	}
	return NULL;
}

/* Append the directories of from to set, emptying from. */
static int dirs_append(struct dir_set *set, struct dir_set *from)
{
	size_t base = set->arena.len;

	for (size_t i = 0; i < from->nr; i++) {
		struct known_dir *k = array_grow(set->v, set->nr, &set->alloc,
						 sizeof(*k), from->nr);

		if (!k)
			return log_error(-ENOMEM, "scan: out of memory loading"
					 " directories");
		set->v = k;
		set->v[set->nr] = from->v[i];
		set->v[set->nr++].off += base;
	}
	strbuf_add(&set->arena, from->arena.buf, from->arena.len);
	dirs_release(from);
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
			  const struct scan_request *req, struct dir_set *set)
{
	struct dirs_part mine = { .req = req }, other = {
		.db_path = db_path, .req = req, .above = 1,
	};
	sqlite3_stmt *st;
	pthread_t tid;
	int started = 0, rc;

	rc = db_prepare(db, "SELECT max(id) FROM directories", &st);
	if (rc)
		return rc;
	rc = sqlite3_step(st);
	mine.split = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	rc = db_finalize(st, rc, "directories' last id");
	if (rc)
		return rc;
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
	dirs_release(&other.set);
	return rc;
}

/* Load the directories under every subpath, with their paths packed in
 * one arena, into a table by path. A library has about a tenth as many
 * directories as files: the files themselves are looked up only in the
 * directories whose digest says they changed. */
static int dirs_load(sqlite3 *db, const char *db_path,
		     const struct scan_request *req, struct dir_set *set)
{
	int whole = req->nr_subpaths == 1 && !*req->subpaths[0], rc = 0;

	if (whole)
		rc = dirs_load_root(db, db_path, req, set);
	for (size_t i = 0; !rc && !whole && i < req->nr_subpaths; i++) {
		sqlite3_stmt *st;

		rc = prepare_under(db, "id, path, digest", "directories", req,
				   req->subpaths[i], "", &st);
		if (!rc)
			rc = dirs_read(st, set);
	}
	hmap_reserve(&set->by_path, set->nr);
	for (size_t i = 0; !rc && i < set->nr; i++) {
		struct known_dir *k = &set->v[i];

		if (hmap_add(&set->by_path, &k->ent,
			     hash_bytes(dir_path(set, k), k->len)))
			rc = log_error(-ENOMEM, "scan: out of memory loading"
				       " directories");
	}
	return rc;
}

/* The files known at exactly a subpath: rescanned alone, they are looked
 * up here, and one that is gone is deleted. */
static int alone_load(sqlite3 *db, const struct scan_request *req,
		      struct file_list *l)
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
			struct known_file *k = files_add(l, sub, strlen(sub));

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

/* Keep what the store has under path, which the walk will not see. */
static void keep_subtree(struct scan *s, const char *path, size_t len)
{
	pthread_mutex_lock(&s->lock);
	dirs_keep_subtree(&s->dirs, path, len);
	pthread_mutex_unlock(&s->lock);
}

/* A folder that cannot be queued is not walked, and what the store has
 * under it is kept. */
static int queue_failed(struct scan *s, const char *path, size_t len)
{
	keep_subtree(s, path, len);
	stat_add(&s->stats->io_errors, 1);
	return log_error(-ENOMEM, "scan: out of memory queueing %.*s",
			 (int)len, path);
}

/* Add the folder name of the folder rel (of len bytes; "" for the root's
 * top) to d, to be pushed with push_jobs(). */
static int subdirs_add(struct scan *s, struct subdirs *d, const char *rel,
		       size_t len, const char *name, size_t nlen)
{
	size_t plen = len ? len + 1 + nlen : nlen;
	struct dir_job *job = malloc(sizeof(*job) + plen + 1), **v;

	v = job ? array_grow(d->v, d->nr, &d->alloc, sizeof(*v), 16) : NULL;
	if (!v) {
		char path[PATH_MAX];

		free(job);
		/* Too long for path: the folder holding it keeps all. */
		if (plen >= sizeof(path))
			return queue_failed(s, rel, len);
		snprintf(path, sizeof(path), "%.*s%s%.*s", (int)len, rel,
			 len ? "/" : "", (int)nlen, name);
		return queue_failed(s, path, plen);
	}
	d->v = v;
	job->len = plen;
	if (len) {
		memcpy(job->path, rel, len);
		job->path[len] = '/';
	}
	memcpy(job->path + plen - nlen, name, nlen);
	job->path[plen] = '\0';
	d->v[d->nr++] = job;
	return 0;
}

/* Folders in the order of the paths below them: "a b" before "a", whose
 * "a/x" comes after "a b/x" since ' ' comes before '/'. */
static int cmp_subdir(const void *a, const void *b)
{
	const struct dir_job *x = *(struct dir_job *const *)a;
	const struct dir_job *y = *(struct dir_job *const *)b;
	size_t n = x->len < y->len ? x->len : y->len;
	int c = memcmp(x->path, y->path, n);

	if (c || x->len == y->len)
		return c;
	return x->len < y->len ? '/' - (unsigned char)y->path[n] :
		(unsigned char)x->path[n] - '/';
}

/* Put the folders of d on the stack, the first of them on top, and wake
 * a worker for each; d is left empty. */
static int push_jobs(struct scan *s, struct subdirs *d)
{
	size_t n = d->nr;
	int rc = 0;

	if (!n)
		return 0;
	if (n > 1)
		qsort(d->v, n, sizeof(*d->v), cmp_subdir);
	pthread_mutex_lock(&s->lock);
	while (s->nr_jobs + n > s->alloc_jobs) {
		struct dir_job **v = array_grow(s->jobs, s->alloc_jobs,
						&s->alloc_jobs, sizeof(*v),
						256);

		if (!v)
			break;
		s->jobs = v;
	}
	if (s->nr_jobs + n <= s->alloc_jobs) {
		while (n)
			s->jobs[s->nr_jobs++] = d->v[--n];
		s->busy += d->nr;
		if (d->nr > 1)
			pthread_cond_broadcast(&s->cond);
		else
			pthread_cond_signal(&s->cond);
	}
	pthread_mutex_unlock(&s->lock);
	for (; n; n--) {
		struct dir_job *job = d->v[n - 1];

		rc = queue_failed(s, job->path, job->len);
		free(job);
	}
	d->nr = 0;
	return rc;
}

/* A record of this scan's root for path; NULL when out of memory. */
static struct music_rec *rec_new(const struct scan *s, enum music_op op,
				 const char *path, size_t len)
{
	struct music_rec *rec = music_rec_new(op, path, len);

	if (rec) {
		rec->root_id = s->req->root_id;
		rec->bulk = s->bulk;
	}
	return rec;
}

/* The audio formats the scanner reads tags from, by extension: the kind
 * the store keeps of their files, and the reader. */
static const struct audio_format {
	const char *ext;
	const char *kind;
	int (*read)(int fd, struct tags *t);
} audio_formats[] = {
	{ ".flac", "flac", tags_read_flac }, { ".mp3", "mp3", tags_read_mp3 },
	{ ".ogg", "ogg", tags_read_ogg }, { ".oga", "ogg", tags_read_ogg },
	{ ".opus", "ogg", tags_read_ogg }, { ".m4a", "mp4", tags_read_mp4 },
	{ ".m4b", "mp4", tags_read_mp4 }, { ".mp4", "mp4", tags_read_mp4 },
	{ ".wv", "wavpack", tags_read_wavpack },
	{ ".ape", "ape", tags_read_monkeys }, { ".wav", "wav", tags_read_wav },
	{ ".aif", "aiff", tags_read_aiff }, { ".aiff", "aiff", tags_read_aiff },
	{ ".aifc", "aiff", tags_read_aiff },
};

/* The reader of files of the kind kind (one of audio_formats'). */
static int (*reader_of(const char *kind))(int, struct tags *)
{
	for (size_t i = 0; i < ARRAY_SIZE(audio_formats); i++)
		if (!strcmp(audio_formats[i].kind, kind))
			return audio_formats[i].read;
	return tags_read_mp3;
}

/* What the scanner reads in a file: tags of audio files anywhere, the
 * ComicInfo.xml of volume archives under a manga root. */
static const char *file_kind(const char *name, int manga)
{
	static const char *const archives[] = {
		".cbz", ".cbr", ".cb7", ".cbt", ".zip", ".rar", ".7z", ".epub",
	};
	const char *dot = strrchr(name, '.');

	if (!dot)
		return "other";
	for (size_t i = 0; i < ARRAY_SIZE(audio_formats); i++)
		if (!strcasecmp(dot, audio_formats[i].ext))
			return audio_formats[i].kind;
	for (size_t i = 0; manga && i < ARRAY_SIZE(archives); i++)
		if (!strcasecmp(dot, archives[i]))
			return "archive";
	return "other";
}

/* Fail the scan with err once it has walked all it can: what was left
 * out is to be scanned again (scan_run()). */
static void fail_for_now(struct scan *s, int err)
{
	int none = 0;

	__atomic_compare_exchange_n(&s->for_now, &none, err, 0,
				    __ATOMIC_RELAXED, __ATOMIC_RELAXED);
}

/* A file or folder that could not be opened or read for want of
 * descriptors or memory may well be read later. */
static void note_failure(struct scan *s, int err)
{
	if (err == -EMFILE || err == -ENFILE || err == -ENOMEM)
		fail_for_now(s, err);
}

/* Open name in dfd, or what the link pfd (symlinks_follow()) leads to when
 * it is not -1. */
static int open_flags(int dfd, const char *name, int pfd, int flags)
{
	int fd;

	if (pfd >= 0)
		return symlinks_reopen(pfd, flags);
	fd = openat(dfd, name, flags);
	return fd < 0 ? -errno : fd;
}

/* Open for reading without touching atime, and fill *st. O_NOATIME is
 * refused for files the daemon does not own: then a plain read-only open,
 * and once refused in a scan, no more tries. What is opened may not be
 * what was listed or stat()ed (it may have been replaced since): O_NOFOLLOW
 * keeps a link put in its place from being followed, O_NONBLOCK a FIFO
 * from blocking the worker forever, and what is not a regular file is not
 * read. */
static int open_readonly(struct scan *s, int dfd, const char *name, int pfd,
			 struct stat *st)
{
	int flags = O_RDONLY | O_CLOEXEC | O_NONBLOCK | (pfd < 0 ? O_NOFOLLOW :
							 0);
	int fd = -EPERM;

	if (!__atomic_load_n(&s->noatime_refused, __ATOMIC_RELAXED))
		fd = open_flags(dfd, name, pfd, flags | O_NOATIME);
	if (fd == -EPERM) {
		__atomic_store_n(&s->noatime_refused, 1, __ATOMIC_RELAXED);
		fd = open_flags(dfd, name, pfd, flags);
	}
	if (fd < 0)
		return fd == -ELOOP ? -EINVAL : fd;
	if (fstat(fd, st) || !S_ISREG(st->st_mode)) {
		close(fd);
		return -EINVAL;
	}
	return fd;
}

/* Read the tags of the open file fd (of size bytes) into rec; returns 0,
 * or a negative errno value when the file could not be read at all (it
 * is then left out of this scan). */
static int parse_file(const struct scan *s, struct scan_stats *stats,
		      int fd, off_t size, const char *name,
		      struct music_rec *rec)
{
	int rc;

	if (!strcmp(rec->kind, "archive")) {
		rc = comicinfo_read(fd, &rec->ci);
		rec->parsed = !rc;
		return rc;
	}
	rec->tags.no_pictures = !s->req->covers;
	rec->tags.file_size = size;
	rc = reader_of(rec->kind)(fd, &rec->tags);
	if (rc)
		return rc;
	rec->parsed = 1;
	stat_add(&stats->bytes_read, rec->tags.bytes_read);
	if (rec->tags.tag_error)
		stat_add(&stats->tag_errors, 1);
	return tags_title_from_name(&rec->tags, name);
}

static int cmp_inode(const void *a, const void *b)
{
	const struct by_inode *x = a, *y = b;

	return (x->inode > y->inode) - (x->inode < y->inode);
}

/* The files known under the scanned paths, by inode: only a new file
 * needs them (to tell a rename), so a scan that finds nothing new never
 * reads them. Called with the lock held. */
static int inodes_load(struct scan *s, sqlite3 *db)
{
	size_t alloc = 0;
	int rc = 0;

	s->inodes_loaded = 1;
	for (size_t i = 0; !rc && i < s->req->nr_subpaths; i++) {
		sqlite3_stmt *st;

		rc = prepare_files_under(db, "inode, id, size, mtime_ns",
					 s->req, s->req->subpaths[i], &st);
		if (rc)
			break;
		while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			struct by_inode *b = array_grow(s->inodes,
							s->nr_inodes, &alloc,
							sizeof(*b), 1024);

			if (!b) {
				rc = log_error(-ENOMEM, "scan: out of memory"
					       " for renames");
				break;
			}
			s->inodes = b;
			b = &s->inodes[s->nr_inodes++];
			b->inode = sqlite3_column_int64(st, 0);
			b->id = sqlite3_column_int64(st, 1);
			b->size = sqlite3_column_int64(st, 2);
			b->mtime_ns = sqlite3_column_int64(st, 3);
		}
		rc = db_finalize(st, rc, "files by inode");
	}
	if (s->nr_inodes > 1)
		qsort(s->inodes, s->nr_inodes, sizeof(*s->inodes), cmp_inode);
	return rc;
}

static int cmp_id(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

/* Whether a rename took the file id. Called with the lock held. */
static int is_claimed(struct scan *s, int64_t id)
{
	return tfind(&id, &s->claimed, cmp_id) != NULL;
}

/* Take the file id for a rename, unless one took it before. */
static int claim(struct scan *s, int64_t id)
{
	int64_t *key = malloc(sizeof(*key));
	void **node;
	int mine = 0;

	if (!key)
		return 0;
	*key = id;
	pthread_mutex_lock(&s->lock);
	node = tsearch(key, &s->claimed, cmp_id);
	mine = node && *node == key;
	pthread_mutex_unlock(&s->lock);
	if (!mine)
		free(key);
	return mine;
}

/* The worker's read connection, opened the first time it is needed. */
static sqlite3 *worker_open(struct worker *wk)
{
	if (wk->db || wk->db_failed)
		return wk->db;
	if (db_open(wk->s->db_path, 1, &wk->db) ||
	    db_prepare(wk->db, "SELECT id, name, size, mtime_ns, inode"
		       " FROM files WHERE dir_id = ?1", &wk->files_of_dir) ||
	    db_prepare(wk->db, "SELECT path FROM file_paths WHERE id = ?1",
		       &wk->path_of_file) ||
	    db_prepare(wk->db, "SELECT ctime_ns, inode, names"
		       " FROM dir_listings WHERE dir_id = ?1",
		       &wk->listing_of_dir)) {
		sqlite3_finalize(wk->files_of_dir);
		sqlite3_finalize(wk->path_of_file);
		sqlite3_finalize(wk->listing_of_dir);
		wk->files_of_dir = wk->path_of_file = NULL;
		wk->listing_of_dir = NULL;
		db_close(wk->db);
		wk->db = NULL;
		wk->db_failed = 1;
	}
	return wk->db;
}

/* End the read transaction the listings are looked up in, so that what is
 * read next is what the writer has committed since. */
static void worker_read_end(struct worker *wk)
{
	if (wk->reading && db_exec(wk->db, "COMMIT"))
		sqlite3_exec(wk->db, "ROLLBACK", NULL, NULL, NULL);
	wk->reading = 0;
}

/* The worker's read connection for a statement that must see the
 * writer's latest. */
static sqlite3 *worker_db(struct worker *wk)
{
	worker_read_end(wk);
	return worker_open(wk);
}

/* Whether the file id's path, as the store has it, names nothing now. */
static int old_path_gone(struct worker *wk, int64_t id)
{
	sqlite3_stmt *st = wk->path_of_file;
	struct stat old;
	char *path = NULL;
	int gone = 0;

	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_step(st) == SQLITE_ROW)
		path = strndup(sqlite3_column_blob(st, 0),
			       sqlite3_column_bytes(st, 0));
	sqlite3_reset(st);
	if (path)
		gone = fstatat(wk->s->root_fd, path, &old,
			       AT_SYMLINK_NOFOLLOW) < 0 && errno == ENOENT;
	free(path);
	return gone;
}

/* A new path whose inode, size and mtime belong to a file the store has
 * elsewhere, whose old path is gone, is that file renamed: its id, or 0. */
static int64_t find_renamed(struct worker *wk, const struct stat *st)
{
	struct scan *s = wk->s;
	sqlite3 *db = worker_db(wk);
	struct by_inode key = { .inode = st->st_ino }, *b = NULL;

	if (!db)
		return 0;
	pthread_mutex_lock(&s->lock);
	if (!s->inodes_loaded)
		inodes_load(s, db);
	if (s->nr_inodes)
		b = bsearch(&key, s->inodes, s->nr_inodes, sizeof(*b),
			    cmp_inode);
	if (b && (b->size != st->st_size || b->mtime_ns != mtime_ns(st) ||
		  is_claimed(s, b->id)))
		b = NULL;
	pthread_mutex_unlock(&s->lock);
	if (!b || !old_path_gone(wk, b->id) || !claim(s, b->id))
		return 0;
	return b->id;
}

/* Remember a file the store has that the walk did not find where the
 * store has it. */
static void note_gone(struct scan *s, int64_t id)
{
	struct gone *g = malloc(sizeof(*g));

	if (!g) {
		log_error(-ENOMEM, "scan: out of memory; a file gone stays"
			  " until the next scan");
		return;
	}
	g->id = id;
	pthread_mutex_lock(&s->lock);
	g->next = s->gone;
	s->gone = g;
	pthread_mutex_unlock(&s->lock);
}

/* How one file fared: what to add to its directory's digest. */
enum outcome { FILE_KEPT, FILE_FAILED, FILE_ABSENT };

/*
 * Scan the file name of the folder dfd (the path relative to the root in
 * wk->path), or the file the link name leads to when pfd is its
 * descriptor (else -1). st holds its stat, or has st_mode 0 when the
 * file was not stat()ed yet: then it is opened at once when it is read
 * anyway (a new file), and stat()ed through its descriptor. k is what the
 * store knows of it. *h gets what the file adds to its directory's
 * digest.
 */
static enum outcome scan_file(struct worker *wk, int dfd, const char *name,
			      int pfd, struct stat *st, struct known_file *k,
			      uint64_t *h)
{
	struct scan *s = wk->s;
	struct scan_stats *stats = &wk->local;
	const char *path = wk->path.buf;
	size_t len = wk->path.len, nlen = strlen(name);
	const char *kind = file_kind(name, s->req->manga);
	int read_it = strcmp(kind, "other") != 0, fd = -1, unchanged, rc;
	struct music_rec *rec;
	int64_t renamed = 0;
	uint64_t start = 0;

	if (!st->st_mode && (!read_it || k)) {
		if (fstatat(dfd, name, st, AT_SYMLINK_NOFOLLOW) < 0) {
			if (errno == ENOENT)
				return FILE_ABSENT;
			rc = -errno;
			goto cannot_read;
		}
		if (!S_ISREG(st->st_mode))
			return FILE_ABSENT;
	}
	if (!st->st_mode) {
		start = now_ns();
		fd = open_readonly(s, dfd, name, pfd, st);
		if (fd == -ENOENT || fd == -EINVAL)
			return FILE_ABSENT;
		if (fd < 0) {
			rc = fd;
			goto cannot_read;
		}
	}
	stat_add(&stats->files_seen, 1);
	if (k)
		k->claimed = 1;
	unchanged = k && k->size == st->st_size &&
		k->mtime_ns == mtime_ns(st) && k->inode == (int64_t)st->st_ino;
	if (unchanged && !s->req->full) {
		stat_add(&stats->files_unchanged, 1);
		goto kept;
	}
	if (!k && (renamed = find_renamed(wk, st))) {
		rec = rec_new(s, MUSIC_RENAME, path, len);
		if (!rec)
			goto oom;
		rec->id = renamed;
		stat_add(&stats->files_renamed, 1);
		goto put;
	}

	rec = rec_new(s, MUSIC_FILE, path, len);
	if (!rec)
		goto oom;
	rec->id = k ? k->id : 0;
	rec->kind = kind;
	if (read_it) {
		if (fd < 0) {
			start = now_ns();
			fd = open_readonly(s, dfd, name, pfd, st);
		}
		rc = fd < 0 ? fd : parse_file(s, stats, fd, st->st_size, name,
					      rec);
		if (rc) {
			music_rec_free(rec);
			goto failed;
		}
	}
	stat_add(unchanged ? &stats->files_unchanged : k ?
		 &stats->files_changed : &stats->files_new, 1);
put:
	rec->size = st->st_size;
	rec->mtime_ns = mtime_ns(st);
	rec->inode = st->st_ino;
	writer_batch_add(&wk->batch, rec);
kept:
	if (fd >= 0)
		close(fd);
	if (start) {
		start = now_ns() - start;
		wk->parse_ns += start;
		stat_add(&stats->parse_ns, start);
	}
	*h = file_hash(name, nlen, st->st_size, mtime_ns(st), st->st_ino);
	return FILE_KEPT;
oom:
	if (fd >= 0)
		close(fd);
	note_failure(s, log_error(-ENOMEM, "scan: out of memory at %.*s",
				  (int)len, path));
	stat_add(&stats->io_errors, 1);
	return FILE_FAILED;
cannot_read:
	stat_add(&stats->files_seen, 1);
failed:
	if (fd >= 0)
		close(fd);
	/* A file that cannot be read is kept as the store knows it. */
	if (k)
		k->claimed = 1;
	note_failure(s, rc);
	log_warn("scan: cannot read %s/%.*s: %s", s->req->root_path,
		 (int)len, path, strerror(-rc));
	stat_add(&stats->io_errors, 1);
	return FILE_FAILED;
}

/*
 * Scan the file the link name of the folder dfd leads to, as symlinks.h
 * rules: a link to a folder, a FIFO or a device is left alone, and one
 * that leads outside the roots (unless they follow outside) is not in
 * the library, which the first of a scan says. A link that cannot be
 * followed keeps the file the store knows.
 */
static enum outcome scan_link(struct worker *wk, int dfd, const char *name,
			      struct known_file *k, uint64_t *h)
{
	struct scan *s = wk->s;
	const char *path = wk->path.buf;
	struct stat st;
	int pfd = symlinks_follow(dfd, name, &s->rule, &st);
	enum outcome o = FILE_ABSENT;

	if (pfd >= 0) {
		o = scan_file(wk, dfd, name, pfd, &st, k, h);
		close(pfd);
	} else if (pfd == -EXDEV &&
		   !__atomic_exchange_n(&s->refused, 1, __ATOMIC_RELAXED)) {
		log_warn("scan: %s/%s leads outside every root, so it is not"
			 " followed (follow_outside_symlinks = no; more such"
			 " links are named at the debug level)",
			 s->req->root_path, path);
	} else if (pfd == -EXDEV) {
		log_debug("scan: %s/%s leads outside every root, so it is not"
			  " followed", s->req->root_path, path);
	} else if (pfd != -EINVAL) {
		log_warn("scan: cannot stat %s/%s: %s", s->req->root_path,
			 path, strerror(-pfd));
		note_failure(s, pfd);
		stat_add(&wk->local.io_errors, 1);
		if (k)
			k->claimed = 1;
		o = FILE_FAILED;
	}
	return o;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(a, b);
}

/* A folder that cannot be read (lost+found, no permission) stays so for
 * every scan after; say it once, so the log keeps room for news. Every
 * scan still counts it as an i/o error. */
static void warn_once(const char *root, const char *rel, int err)
{
	static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
	static void *warned;
	char *key;
	int first = 1;

	if (asprintf(&key, "%s/%s", root, rel) < 0)
		key = NULL;
	pthread_mutex_lock(&lock);
	if (key) {
		void **node = tsearch(key, &warned, cmp_str);

		first = !node || *node == key;
		if (!node || !first)
			free(key);
	}
	pthread_mutex_unlock(&lock);
	if (first)
		log_warn("scan: cannot read directory %s/%s: %s", root, rel,
			 strerror(err));
	else
		log_debug("scan: cannot read directory %s/%s: %s", root, rel,
			  strerror(err));
}

static int cmp_listed(const void *a, const void *b, void *names)
{
	return strcmp((const char *)names + ((const struct listed *)a)->name,
		      (const char *)names + ((const struct listed *)b)->name);
}

/* Add an entry whose name is at name in the worker's names. */
static int ent_add(struct worker *wk, size_t name, size_t len,
		   unsigned char type)
{
	struct listed *e = array_grow(wk->ents, wk->nr_ents, &wk->alloc_ents,
				      sizeof(*e), 64);

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

/* Read the entries of the folder dfd into the worker's list, "." and
 * ".." left out (getdents64() itself: a DIR stream costs two fcntl()s
 * more a folder), in the order the kernel gives them; returns 0 or a
 * negative errno value. */
static int read_entries(struct worker *wk, int dfd)
{
	ssize_t n;

	wk->nr_ents = 0;
	strbuf_reset(&wk->names);
	while ((n = getdents64(dfd, wk->dents, sizeof(wk->dents))) > 0) {
		for (ssize_t off = 0; off < n;) {
			struct dirent64 *de = (void *)(wk->dents + off);
			size_t len;

			off += de->d_reclen;
			if (de->d_name[0] == '.' && (!de->d_name[1] ||
			    (de->d_name[1] == '.' && !de->d_name[2])))
				continue;
			if (de->d_type != DT_DIR && de->d_type != DT_REG &&
			    de->d_type != DT_LNK && de->d_type != DT_UNKNOWN)
				continue;
			len = strlen(de->d_name);
			if (ent_add(wk, wk->names.len, len, de->d_type))
				return -ENOMEM;
			strbuf_add(&wk->names, de->d_name, len + 1);
		}
	}
	return n < 0 ? -errno : 0;
}

/*
 * A listing as the store keeps it: for each entry its d_type (a folder
 * or a regular file: a folder holding anything else is never found
 * unchanged, and keeps none) and its name, NUL-terminated. Made from the
 * worker's entries into rec; nothing is kept when one is of another
 * type, or when memory runs out.
 */
static void listing_make(const struct worker *wk, struct music_rec *rec,
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
	rec->listing_ctime_ns = ts_ns(&st->st_ctim);
	rec->listing_inode = (int64_t)st->st_ino;
}

/* Take the worker's entries from a listing the store kept; returns 0,
 * -EINVAL when it is not one listing_make() makes, or -ENOMEM. */
static int listing_parse(struct worker *wk, const char *p, size_t n)
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

/*
 * Whether the change time of a folder (st) is far enough behind the
 * clock the kernel stamps it with that a later change in it must move it.
 */
static int listing_settled(const struct stat *st)
{
	struct timespec now;

	return !clock_gettime(CLOCK_REALTIME_COARSE, &now) &&
	       ts_ns(&now) - ts_ns(&st->st_ctim) >= LISTING_SETTLE_NS;
}

/*
 * Take the worker's entries from the listing the store keeps for kd when
 * the folder, stat()ed (st) after it was opened and watched, has the
 * change time and inode the listing was kept under: no name came or went
 * in it since. Returns 1 then, 0 when the folder must be listed. The
 * lookups of a worker share a read transaction until its next flush (a
 * statement alone takes and drops the store's read lock each time, five
 * times the cost of the lookup).
 */
static int listing_load(struct worker *wk, const struct known_dir *kd,
			const struct stat *st)
{
	sqlite3_stmt *q;
	int rc, found = 0;

	if (!worker_open(wk))
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
	    sqlite3_column_int64(q, 0) == ts_ns(&st->st_ctim) &&
	    sqlite3_column_int64(q, 1) == (int64_t)st->st_ino)
		found = !listing_parse(wk, sqlite3_column_blob(q, 2),
				       sqlite3_column_bytes(q, 2));
	else if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		db_error(wk->db, rc, "listing of a directory");
	sqlite3_reset(q);
	return found;
}

/* Set wk->path to the directory rel joined with name. */
static void set_path(struct worker *wk, const char *rel, size_t len,
		     const char *name)
{
	strbuf_reset(&wk->path);
	if (len) {
		strbuf_add(&wk->path, rel, len);
		strbuf_addch(&wk->path, '/');
	}
	strbuf_addstr(&wk->path, name);
}

/*
 * Stat the regular files of a directory the store knows and sum their
 * digest. Returns 1 when it matches the store's: every file is as the
 * store has it, and nothing more is done for them. Links, and entries
 * whose type the listing does not give, are not looked into here: a
 * directory holding any takes the long way.
 */
static int dir_unchanged(struct worker *wk, int dfd,
			 const struct known_dir *kd, size_t *files)
{
	uint64_t sum = 0;

	*files = 0;
	for (size_t i = 0; i < wk->nr_ents; i++) {
		struct listed *e = &wk->ents[i];
		const char *name = wk->names.buf + e->name;

		if (e->type == DT_DIR)
			continue;
		if (e->type != DT_REG)
			return 0;
		if (fstatat(dfd, name, &e->st, AT_SYMLINK_NOFOLLOW) < 0)
			return 0;
		e->stated = 1;
		if (!S_ISREG(e->st.st_mode))
			return 0;
		sum += file_hash(name, e->len, e->st.st_size,
				 mtime_ns(&e->st), e->st.st_ino);
		++*files;
	}
	return kd->has_digest && sum == kd->digest;
}

/* The files the store has in the directory kd, into wk->known; returns 0
 * or a negative errno value. */
static int load_dir_files(struct worker *wk, const struct known_dir *kd)
{
	sqlite3_stmt *st;
	int rc;

	wk->known.nr = 0;
	strbuf_reset(&wk->known.names);
	if (!kd)
		return 0;
	if (!worker_db(wk))
		return -EIO;
	st = wk->files_of_dir;
	sqlite3_bind_int64(st, 1, kd->id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct known_file *k = files_add(&wk->known,
						 sqlite3_column_blob(st, 1),
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

/*
 * Record the directory rel (open as dfd) when it is new or its digest
 * moved, or with force, after its files: the writer then knows whether
 * they all went in, and keeps no digest for a directory one of whose
 * files failed. Its mtime is kept too, but is no reason to write the row
 * again. st: the folder's stat() from before it was listed, or NULL
 * where listings are not kept; its listing goes with it once settled.
 */
static void dir_record(struct worker *wk, int dfd, const char *rel,
		       size_t len, const struct known_dir *kd, int has_digest,
		       uint64_t digest, const struct stat *st, int force)
{
	struct music_rec *rec;
	struct stat now;

	if (!force && kd && kd->has_digest == has_digest &&
	    (!has_digest || kd->digest == digest))
		return;
	rec = rec_new(wk->s, MUSIC_DIR, rel, len);
	if (!rec) {
		stat_add(&wk->local.io_errors, 1);
		return;
	}
	if (st)
		rec->mtime_ns = mtime_ns(st);
	else
		rec->mtime_ns = fstat(dfd, &now) ? 0 : mtime_ns(&now);
	rec->has_digest = has_digest;
	rec->digest = digest;
	if (st && has_digest && listing_settled(st))
		listing_make(wk, rec, st);
	writer_batch_add(&wk->batch, rec);
}

/*
 * Compare each file of the directory rel with what the store has (kd:
 * the directory as the store knows it, NULL when new), reading what is
 * new or changed, and sum into *sum the digest of what the store will
 * hold. Returns whether every file went as it should and none is gone:
 * a directory keeps no digest otherwise, so that the next scan looks at
 * its files again. The rows of gone files are deleted at the scan's end
 * (one may prove a rename), so a digest written before then would hide
 * them for good from a scan that follows a kill.
 */
static int scan_files(struct worker *wk, int dfd, const char *rel,
		      size_t len, const struct known_dir *kd, uint64_t *sum)
{
	struct scan *s = wk->s;
	int whole = 1, rc;

	*sum = 0;
	/* By name, as the store's path index is: a first scan adds its rows
	 * in the index's order. A folder found as the store has it is never
	 * sorted. */
	if (wk->nr_ents > 1)
		qsort_r(wk->ents, wk->nr_ents, sizeof(*wk->ents), cmp_listed,
			wk->names.buf);
	rc = load_dir_files(wk, kd);
	if (rc) {
		/* What the store has there is not known: its files are
		 * left as they are, for the next scan. */
		fail_for_now(s, rc);
		stat_add(&wk->local.io_errors, 1);
		return 0;
	}
	for (size_t i = 0; i < wk->nr_ents; i++) {
		struct listed *e = &wk->ents[i];
		const char *name = wk->names.buf + e->name;
		struct known_file *k;
		enum outcome o;
		uint64_t h = 0;

		if (e->type == DT_DIR)
			continue;
		set_path(wk, rel, len, name);
		k = files_find(&wk->known, name, e->len);
		if (e->type == DT_UNKNOWN && !e->stated) {
			if (fstatat(dfd, name, &e->st,
				    AT_SYMLINK_NOFOLLOW) < 0) {
				if (errno == ENOENT)
					continue;
				log_warn("scan: cannot stat %s/%s: %s",
					 s->req->root_path, wk->path.buf,
					 strerror(errno));
				stat_add(&wk->local.io_errors, 1);
				if (k)
					k->claimed = 1;
				whole = 0;
				continue;
			}
			e->stated = 1;
			if (S_ISDIR(e->st.st_mode)) {
				subdirs_add(s, &wk->subdirs, rel, len, name,
					    e->len);
				continue;
			}
			if (S_ISLNK(e->st.st_mode))
				e->type = DT_LNK;
		}
		if (e->type != DT_LNK && e->stated &&
		    !S_ISREG(e->st.st_mode))
			continue;
		if (e->type == DT_LNK) {
			o = scan_link(wk, dfd, name, k, &h);
		} else {
			if (!e->stated)
				e->st.st_mode = 0;
			o = scan_file(wk, dfd, name, -1, &e->st, k, &h);
		}
		if (o == FILE_KEPT)
			*sum += h;
		else if (o == FILE_FAILED)
			whole = 0;
	}
	for (size_t i = 0; i < wk->known.nr; i++) {
		struct known_file *k = &wk->known.v[i];

		if (!k->claimed) {
			note_gone(s, k->id);
			whole = 0;
		}
	}
	return whole;
}

/* Push the subfolders among the worker's entries of the folder rel. */
static void push_subdirs(struct worker *wk, const char *rel, size_t len)
{
	for (size_t i = 0; i < wk->nr_ents; i++)
		if (wk->ents[i].type == DT_DIR)
			subdirs_add(wk->s, &wk->subdirs, rel, len,
				    wk->names.buf + wk->ents[i].name,
				    wk->ents[i].len);
	push_jobs(wk->s, &wk->subdirs);
}

/*
 * Walk the folder rel: list it (or take its listing from the store, when
 * no name came or went in it since), push its subfolders, and compare
 * its files with the store. The folder is watched (on_dir) before it is
 * stat()ed and listed, so that a name that comes after is the watcher's.
 */
static void scan_dir(struct worker *wk, const char *rel, size_t len)
{
	struct scan *s = wk->s;
	uint64_t now;
	struct known_dir *kd;
	struct stat st, *stated = NULL;
	size_t files;
	int dfd, rc = 0, stored = 0, unchanged;

	dfd = symlinks_open_beneath(s->root_fd, rel, O_RDONLY | O_DIRECTORY);
	/* A folder swapped for a link while walked is not walked, nor kept:
	 * what it held is no longer in the root. */
	if (dfd == -ELOOP || dfd == -EXDEV) {
		log_info("scan: %s/%s is a link now, so it is not walked",
			 s->req->root_path, rel);
		return;
	}
	if (dfd >= 0 && s->req->on_dir)
		s->req->on_dir(s->req->root_index, rel, len, dfd);
	kd = dir_find(&s->dirs, rel, len, &wk->near);
	if (kd)
		__atomic_store_n(&kd->seen, 1, __ATOMIC_RELEASE);
	if (dfd >= 0 && s->listings && !fstat(dfd, &st) &&
	    st.st_dev == s->root_dev) {
		stated = &st;
		if (kd && kd->has_digest && !s->req->full)
			stored = listing_load(wk, kd, &st);
	}
	/* A listing from the store only ever proves a folder unchanged;
	 * one that does not is listed again. */
	if (stored && !dir_unchanged(wk, dfd, kd, &files))
		stored = 0;
	if (!stored)
		rc = dfd < 0 ? dfd : read_entries(wk, dfd);
	if (rc) {
		warn_once(s->req->root_path, rel, -rc);
		note_failure(s, rc);
		stat_add(&s->stats->io_errors, 1);
		keep_subtree(s, rel, len);
		if (dfd >= 0)
			close(dfd);
		return;
	}
	push_subdirs(wk, rel, len);
	unchanged = stored || (kd && !s->req->full &&
			       dir_unchanged(wk, dfd, kd, &files));
	if (unchanged) {
		wk->local.files_seen += files;
		wk->local.files_unchanged += files;
		wk->local.dirs_from_store += stored;
		/* the store's listing is not this one: keep this one */
		if (!stored && stated && listing_settled(stated))
			dir_record(wk, dfd, rel, len, kd, 1, kd->digest,
				   stated, 1);
	} else {
		uint64_t sum;
		int whole = scan_files(wk, dfd, rel, len, kd, &sum);

		dir_record(wk, dfd, rel, len, kd, whole, sum, stated, 0);
		push_jobs(s, &wk->subdirs);
	}
	close(dfd);
	now = clock_ns(CLOCK_MONOTONIC_COARSE);
	if (now - wk->added_ns >= STATS_EVERY_NS) {
		worker_flush(wk);
		wk->added_ns = now;
	} else {
		writer_batch_flush(&wk->batch);
	}
}

static void worker_release(struct worker *wk)
{
	sqlite3_finalize(wk->files_of_dir);
	sqlite3_finalize(wk->path_of_file);
	sqlite3_finalize(wk->listing_of_dir);
	if (wk->db)
		db_close(wk->db);
	free(wk->ents);
	strbuf_release(&wk->names);
	strbuf_release(&wk->path);
	free(wk->subdirs.v);
	files_release(&wk->known);
}

static void *scan_worker(void *arg)
{
	struct scan *s = arg;
	struct worker wk = { .s = s, .batch = WRITER_BATCH_INIT,
			     .names = STRBUF_INIT, .path = STRBUF_INIT };

	pthread_setname_np(pthread_self(), "scan");
	wk.started_ns = now_ns();
	pthread_mutex_lock(&s->lock);
	for (;;) {
		struct dir_job *job;

		if (!s->nr_jobs && s->busy) {
			uint64_t idle = now_ns();

			while (!s->nr_jobs && s->busy)
				pthread_cond_wait(&s->cond, &s->lock);
			wk.idle_ns += now_ns() - idle;
		}
		if (!s->nr_jobs)
			break;
		job = s->jobs[--s->nr_jobs];
		pthread_mutex_unlock(&s->lock);

		if (!__atomic_load_n(s->req->cancel, __ATOMIC_RELAXED))
			scan_dir(&wk, job->path, job->len);
		free(job);

		pthread_mutex_lock(&s->lock);
		if (--s->busy == 0)
			pthread_cond_broadcast(&s->cond);
	}
	pthread_mutex_unlock(&s->lock);
	worker_flush(&wk);
	worker_release(&wk);
	return NULL;
}

static void scan_walk(struct scan *s)
{
	int n = s->req->threads > 0 ? s->req->threads : 1;
	pthread_t *tids = calloc(n, sizeof(*tids));
	int started = 0;

	if (tids) {
		for (; started < n; started++)
			if (pthread_create(&tids[started], NULL, scan_worker, s))
				break;
	}
	if (!started) {
		log_warn("scan: no worker thread could start; scanning inline");
		scan_worker(s);
	}
	for (int i = 0; i < started; i++)
		pthread_join(tids[i], NULL);
	free(tids);
}

/* Tell on_dir_gone of a directory forgotten, unless it lies below the
 * last one told of (in path order, only the top of a subtree is told;
 * out of it, more are told than need be). */
static void dir_gone(struct scan *s, const struct known_dir *k,
		     const struct known_dir **last)
{
	const char *path = dir_path(&s->dirs, k);
	char *rel;

	if (!s->req->on_dir_gone)
		return;
	if (*last && dir_under(&s->dirs, k, dir_path(&s->dirs, *last),
			       (*last)->len))
		return;
	*last = k;
	rel = strndup(path, k->len);
	if (rel)
		s->req->on_dir_gone(s->req->root_index, rel);
	free(rel);
}

/* Queue one deletion; the writer counts the files it takes in
 * stats->files_deleted. */
static void delete_rec(struct scan *s, struct writer_batch *batch,
		       enum music_op op, int64_t id)
{
	struct music_rec *rec = rec_new(s, op, "", 0);

	if (!rec) {
		stat_add(&s->stats->io_errors, 1);
		return;
	}
	rec->id = id;
	rec->deleted = &s->stats->files_deleted;
	writer_batch_add(batch, rec);
}

/* Queue deletions for whatever the walk did not meet: the files gone
 * from the directories it read (unless a rename took them), then the
 * directories it did not find, with the files they still hold. */
static void scan_delete_unseen(struct scan *s)
{
	struct writer_batch batch = WRITER_BATCH_INIT;
	const struct known_dir *last = NULL;
	struct known_dir **unseen = NULL;
	size_t nr = 0, alloc = 0;

	for (struct gone *g = s->gone; g; g = g->next)
		if (!is_claimed(s, g->id))
			delete_rec(s, &batch, MUSIC_DELETE_FILE, g->id);
	for (size_t i = 0; i < s->alone.nr; i++)
		if (!s->alone.v[i].claimed &&
		    !is_claimed(s, s->alone.v[i].id))
			delete_rec(s, &batch, MUSIC_DELETE_FILE,
				   s->alone.v[i].id);
	/* In path order, when there is the memory to sort them. */
	for (size_t i = 0; i < s->dirs.nr; i++) {
		struct known_dir *k = &s->dirs.v[i], **v;

		if (k->seen)
			continue;
		v = array_grow(unseen, nr, &alloc, sizeof(*v), 64);
		if (v) {
			unseen = v;
			unseen[nr++] = k;
			continue;
		}
		dir_gone(s, k, &last);
		delete_rec(s, &batch, MUSIC_DELETE_DIR, k->id);
	}
	dirs_sort(&s->dirs, unseen, nr);
	for (size_t i = 0; i < nr; i++) {
		dir_gone(s, unseen[i], &last);
		delete_rec(s, &batch, MUSIC_DELETE_DIR, unseen[i]->id);
	}
	free(unseen);
	writer_batch_flush(&batch);
}

/*
 * Scan the file sub alone (name in the folder dfd, st its lstat()): it
 * is looked up in what the store has at that path, and its folder keeps
 * no digest once it changed, so that the next walk of the folder looks
 * at every file.
 */
static void scan_alone(struct worker *wk, int dfd, const char *sub,
		       const char *name, const struct stat *st)
{
	struct scan *s = wk->s;
	const char *slash = strrchr(sub, '/');
	size_t dlen = slash ? (size_t)(slash - sub) : 0;
	struct known_file *k = files_find(&s->alone, sub, strlen(sub));
	struct stat copy = *st;
	uint64_t h;
	size_t queued = wk->batch.nr;

	strbuf_reset(&wk->path);
	strbuf_addstr(&wk->path, sub);
	if (S_ISLNK(st->st_mode))
		scan_link(wk, dfd, name, k, &h);
	else
		scan_file(wk, dfd, name, -1, &copy, k, &h);
	if (wk->batch.nr != queued)
		dir_record(wk, dfd, sub, dlen, NULL, 0, 0, NULL, 0);
}

/*
 * Start the walk at sub: a directory is walked, a file (or a link to one)
 * is scanned alone, and a path that no longer exists, or that goes
 * through a link to a folder, leaves only deletions.
 */
static int scan_start(struct scan *s, const char *sub)
{
	size_t len = strlen(sub);
	const char *slash = strrchr(sub, '/');
	const char *name = slash ? slash + 1 : sub;
	struct worker wk = { .s = s, .batch = WRITER_BATCH_INIT,
			     .names = STRBUF_INIT, .path = STRBUF_INIT };
	struct stat st;
	char *dir;
	int dfd, rc;

	if (!len) {
		rc = subdirs_add(s, &wk.subdirs, "", 0, "", 0);
		if (!rc)
			rc = push_jobs(s, &wk.subdirs);
		free(wk.subdirs.v);
		return rc;
	}
	dir = strndup(sub, slash ? (size_t)(slash - sub) : 0);
	if (!dir)
		return log_error(-ENOMEM, "scan: out of memory at %s", sub);
	dfd = symlinks_open_beneath(s->root_fd, dir, O_RDONLY | O_DIRECTORY);
	free(dir);
	if (dfd == -ELOOP || dfd == -EXDEV)
		log_info("scan: %s/%s goes through a link, so it is not in"
			 " the root", s->req->root_path, sub);
	if (dfd == -ENOENT || dfd == -ENOTDIR || dfd == -ELOOP ||
	    dfd == -EXDEV)
		return 0;
	if (dfd >= 0 && fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		if (errno == ENOENT || errno == ENOTDIR) {
			close(dfd);
			return 0;
		}
		dfd = -errno;
	}
	if (dfd < 0) {
		stat_add(&s->stats->io_errors, 1);
		return log_error(dfd, "scan: cannot stat %s/%s: %s",
				 s->req->root_path, sub, strerror(-dfd));
	}
	if (S_ISDIR(st.st_mode) && !subdirs_add(s, &wk.subdirs, "", 0, sub,
						len))
		push_jobs(s, &wk.subdirs);
	else if (S_ISREG(st.st_mode) || S_ISLNK(st.st_mode))
		scan_alone(&wk, dfd, sub, name, &st);
	worker_flush(&wk);
	worker_release(&wk);
	close(dfd);
	return 0;
}

/*
 * Whether the file system of fd gives a folder a new change time each
 * time a name comes or goes in it, as POSIX asks: the local ones named
 * here do. A network or FUSE file system may show a time it cached.
 */
static int keeps_ctimes(int fd)
{
	struct statfs sf;

	if (fstatfs(fd, &sf))
		return 0;
	switch (sf.f_type) {
	case EXT4_SUPER_MAGIC:	/* ext2 and ext3 too */
	case XFS_SUPER_MAGIC:
	case BTRFS_SUPER_MAGIC:
	case F2FS_SUPER_MAGIC:
	case TMPFS_MAGIC:
		return 1;
	}
	return 0;
}

static void scan_release(struct scan *s)
{
	while (s->nr_jobs)
		free(s->jobs[--s->nr_jobs]);
	free(s->jobs);
	while (s->gone) {
		struct gone *g = s->gone;

		s->gone = g->next;
		free(g);
	}
	tdestroy(s->claimed, free);
	free(s->inodes);
	dirs_release(&s->dirs);
	files_release(&s->alone);
}

int scan_run(const char *db_path, const struct scan_request *req,
	     struct scan_stats *stats)
{
	struct scan s = {
		.db_path = db_path,
		.req = req,
		.stats = stats,
		.lock = PTHREAD_MUTEX_INITIALIZER,
		.cond = PTHREAD_COND_INITIALIZER,
	};
	struct stat root;
	sqlite3 *db;
	int rc, err;

	s.rule = (struct symlinks_rule){ req->root_path, req->roots,
				      req->nr_roots, req->follow_outside };
	s.root_fd = open(req->root_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (s.root_fd < 0) {
		stat_add(&stats->io_errors, 1);
		return log_error(-errno, "scan: cannot open root %s: %s",
				 req->root_path, strerror(errno));
	}
	if (!fstat(s.root_fd, &root) && keeps_ctimes(s.root_fd)) {
		s.listings = 1;
		s.root_dev = root.st_dev;
	}
	rc = db_open(db_path, 1, &db);
	if (!rc) {
		rc = dirs_load(db, db_path, req, &s.dirs);
		if (!rc)
			rc = alone_load(db, req, &s.alone);
		/* With nothing known, no file can be renamed, changed or
		 * deleted: every record adds rows. */
		s.bulk = !s.dirs.nr && !s.alone.nr;
		s.inodes_loaded = s.bulk;
		db_close(db);
	}
	if (rc)
		goto out;

	/* A path that cannot be started keeps what the store knows of it;
	 * the others are scanned and the scan reports the failure. */
	for (size_t i = 0; i < req->nr_subpaths; i++) {
		const char *sub = req->subpaths[i];

		err = scan_start(&s, sub);
		if (err) {
			struct known_file *k = files_find(&s.alone, sub,
							  strlen(sub));

			if (k)
				k->claimed = 1;
			keep_subtree(&s, sub, strlen(sub));
			rc = rc ? : err;
		}
	}
	/* A first scan builds the indexes of what it adds once, at its end,
	 * whatever became of it. */
	if (s.bulk)
		writer_call(music_bulk_begin, NULL);
	scan_walk(&s);
	if (s.bulk && (err = writer_call(music_bulk_end, NULL)))
		rc = rc ? : err;
	if (__atomic_load_n(req->cancel, __ATOMIC_RELAXED))
		rc = -ECANCELED;
	else
		scan_delete_unseen(&s);
	rc = rc ? : s.for_now;
	log_debug("scan: %s: %llu folders as the store listed them",
		  req->root_path, (unsigned long long)scan_stat(
			  &stats->dirs_from_store));
out:
	scan_release(&s);
	close(s.root_fd);
	return rc;
}
