/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * A folder's files against what the store has of them
 * (scan_compare.h): unchanged, renamed, changed or new, and the records
 * of the ones to read. No walking and no writing here.
 */
#include "indexer/library/scan_compare.h"
#include "indexer/library/scan_errors.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <search.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/array.h"
#include "common/bytes.h"
#include "common/db.h"
#include "common/hash.h"
#include "common/log.h"
#include "common/symlinks.h"
#include "indexer/library/scan_io.h"
#include "indexer/library/scan_listing.h"
#include "indexer/library/scan_read.h"
#include "indexer/library/scan_stack.h"
#include "indexer/library/tags.h"
#include "indexer/manga/pages.h"

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

struct music_rec *scan_compare_rec_new(const struct scan *s, enum music_op op,
				       const char *path, size_t len)
{
	struct music_rec *rec = music_rec_new(op, path, len);

	if (rec) {
		rec->root_id = s->req->root_id;
		rec->wr.bulk = s->bulk;
	}
	return rec;
}

void scan_compare_fail_for_now(struct scan *s, int err)
{
	int none = 0;

	__atomic_compare_exchange_n(&s->for_now, &none, err, 0,
				    __ATOMIC_RELAXED, __ATOMIC_RELAXED);
}

void scan_compare_note_failure(struct scan *s, int err)
{
	if (err == -EMFILE || err == -ENFILE || err == -ENOMEM)
		scan_compare_fail_for_now(s, err);
}

/* Open name in dfd (or through the link pfd) as scan_io_open() does,
 * unless it was opened ahead (scan_io.h). */
static int open_readonly(struct scan_worker *wk, int dfd, const char *name,
			 int pfd, struct stat *st)
{
	int fd = pfd < 0 ? scan_io_window_take(&wk->io, name, st) : -1;

	return fd >= 0 ? fd : scan_io_open(&wk->s->noatime_refused, dfd, name,
					   pfd, st);
}

static int cmp_inode(const void *a, const void *b)
{
	const struct scan_worker_by_inode *x = a, *y = b;

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

		rc = scan_store_prepare_files_under(
			db, "inode, id, size, mtime_ns", s->req,
			s->req->subpaths[i], &st);
		if (rc)
			break;
		while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			struct scan_worker_by_inode *b =
				array_grow(s->inodes, s->nr_inodes, &alloc,
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

/* A file id a rename took, and the path it took it to. */
struct claim {
	int64_t id;
	char *path;
};

static int cmp_claim(const void *a, const void *b)
{
	const struct claim *x = a, *y = b;

	return (x->id > y->id) - (x->id < y->id);
}

static struct claim *claim_of(struct scan *s, int64_t id)
{
	struct claim key = { .id = id };
	void **node = tfind(&key, &s->claimed, cmp_claim);

	return node ? *node : NULL;
}

int scan_compare_is_claimed(struct scan *s, int64_t id)
{
	return claim_of(s, id) != NULL;
}

int scan_compare_renamed_any(struct scan *s)
{
	return __atomic_load_n(&s->renamed, __ATOMIC_ACQUIRE);
}

static void claim_free(void *p)
{
	struct claim *c = p;

	free(c->path);
	free(c);
}

void scan_compare_claims_release(struct scan *s)
{
	tdestroy(s->claimed, claim_free);
	s->claimed = NULL;
}

/* Take the file id for a rename to the path the worker is at, unless one
 * took it before. */
static int claim(struct scan_worker *wk, int64_t id)
{
	struct scan *s = wk->s;
	struct claim *c = malloc(sizeof(*c));
	void **node;
	int mine = 0;

	if (!c || !(c->path = strndup(wk->path.buf, wk->path.len))) {
		free(c);
		return 0;
	}
	c->id = id;
	pthread_mutex_lock(&s->lock);
	node = tsearch(c, &s->claimed, cmp_claim);
	mine = node && *node == c;
	if (mine)
		__atomic_store_n(&s->renamed, 1, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&s->lock);
	if (!mine)
		claim_free(c);
	return mine;
}

/* A rename taken before its old path was found gone is given back. */
static void unclaim(struct scan *s, int64_t id)
{
	struct claim *c;

	pthread_mutex_lock(&s->lock);
	c = claim_of(s, id);
	tdelete(c, &s->claimed, cmp_claim);
	pthread_mutex_unlock(&s->lock);
	claim_free(c);
}

/* Whether a path of the root names nothing now. */
static int path_gone(struct scan *s, const char *path)
{
	struct stat st;

	return fstatat(s->root_fd, path, &st, AT_SYMLINK_NOFOLLOW) < 0 &&
		errno == ENOENT;
}

/* Whether the file id's path, as the store has it, names nothing now. */
static int old_path_gone(struct scan_worker *wk, int64_t id)
{
	sqlite3_stmt *st = wk->path_of_file;
	char *path = NULL;
	int gone = 0;

	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_step(st) == SQLITE_ROW)
		path = strndup(sqlite3_column_blob(st, 0),
			       sqlite3_column_bytes(st, 0));
	sqlite3_reset(st);
	if (path)
		gone = path_gone(wk->s, path);
	free(path);
	return gone;
}

/*
 * A new path whose inode, size and mtime belong to a file the store has
 * elsewhere, whose old path is gone, is that file renamed: its id, or 0.
 * The id is taken before its old path is looked at, so that a worker
 * that finds the file back where the store has it knows of the rename
 * (scan_compare_is_claimed()). *moving is set when a rename of this scan took
 * the id to a path that is gone now: the file moved again while the scan
 * walked, and no new row is due.
 */
static int64_t find_renamed(struct scan_worker *wk, const struct stat *st,
			    int *moving)
{
	struct scan *s = wk->s;
	sqlite3 *db = scan_worker_db(wk);
	struct scan_worker_by_inode key = { .inode = st->st_ino }, *b = NULL;
	const struct claim *c;
	char *taken = NULL;
	int was_taken = 0;

	if (!db)
		return 0;
	pthread_mutex_lock(&s->lock);
	if (!s->inodes_loaded)
		inodes_load(s, db);
	if (s->nr_inodes)
		b = bsearch(&key, s->inodes, s->nr_inodes, sizeof(*b),
			    cmp_inode);
	if (b &&
	    (b->size != st->st_size || b->mtime_ns != scan_worker_mtime_ns(st)))
		b = NULL;
	/* copied: unclaim() may free it once the lock is let go */
	if (b && (c = claim_of(s, b->id))) {
		was_taken = 1;
		taken = strdup(c->path);
	}
	pthread_mutex_unlock(&s->lock);
	if (!b)
		return 0;
	if (was_taken) {
		*moving = taken && path_gone(s, taken);
		free(taken);
		return 0;
	}
	if (!claim(wk, b->id))
		return 0;
	if (!old_path_gone(wk, b->id)) {
		unclaim(s, b->id);
		return 0;
	}
	return b->id;
}

int scan_compare_moved_away(struct scan *s, const char *path, size_t len)
{
	char *rel;
	int moved;

	if (!s->req->moved_since)
		return 0;
	rel = strndup(path, len);
	if (!rel)
		return 1;
	moved = s->req->moved_since(s->req->root_index, rel, s->started);
	free(rel);
	return moved;
}

/* Remember a file the store has that the walk did not find where the
 * store has it. */
static void note_gone(struct scan *s, int64_t id)
{
	struct scan_worker_gone *g = malloc(sizeof(*g));

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

/* Stat name when the listing did not (st empty) and it is not to be read,
 * or open it to read it; returns 0, -ENOENT when it is gone or no
 * regular file, or another negative errno value. */
static int stat_or_open(struct scan_worker *wk, int dfd, const char *name,
			int pfd, struct stat *st, int stat_only, int *fd,
			uint64_t *start)
{
	if (!st->st_mode && stat_only) {
		if (fstatat(dfd, name, st, AT_SYMLINK_NOFOLLOW) < 0)
			return -errno;
		if (!S_ISREG(st->st_mode))
			return -ENOENT;
	}
	if (st->st_mode)
		return 0;
	*start = scan_worker_now_ns();
	*fd = open_readonly(wk, dfd, name, pfd, st);
	if (*fd >= 0)
		return 0;
	if (*fd == -EINVAL)
		*fd = -ENOENT;
	return *fd;
}

/* Claim the known file k; returns 1 when a rename of this scan took it
 * elsewhere and it is back where the store has it (no lock taken in a
 * scan with no rename). */
static int moved_back(struct scan *s, struct scan_store_file *k)
{
	int moving;

	k->claimed = 1;
	if (!scan_compare_renamed_any(s))
		return 0;
	pthread_mutex_lock(&s->lock);
	moving = scan_compare_is_claimed(s, k->id);
	pthread_mutex_unlock(&s->lock);
	return moving;
}

/* Read the tags of name (opened ahead as fd, or now) into rec, and note
 * what was damaged or left unread; returns 0 or a negative errno value. */
static int read_tags(struct scan_worker *wk, int dfd, const char *name,
		     int pfd, struct stat *st, struct music_rec *rec, int *fd,
		     uint64_t *start)
{
	struct scan *s = wk->s;
	int rc;

	if (*fd < 0) {
		*start = scan_worker_now_ns();
		*fd = open_readonly(wk, dfd, name, pfd, st);
	}
	if (*fd < 0)
		return *fd;
	while (sem_wait(&s->parsing))
		;
	rc = scan_read_parse(s, &wk->local, *fd, st->st_size, name, rec);
	sem_post(&s->parsing);
	if (rc)
		return rc;
	if (rec->tags.tag_error)
		scan_errors_note(s->req->errors, s->req->root_path,
				 wk->path.buf, wk->path.len,
				 "damaged tags: %s", rec->tags.error);
	scan_read_note_pages(s, wk->path.buf, wk->path.len, &rec->ci);
	return 0;
}

/* The file at the worker's path could not be read (rc): it is kept as
 * the store knows it (k), and noted. */
static enum scan_outcome read_failed(struct scan_worker *wk,
				     struct scan_store_file *k, int rc)
{
	struct scan *s = wk->s;
	const char *path = wk->path.buf;
	int len = (int)wk->path.len;

	if (k)
		k->claimed = 1;
	scan_compare_note_failure(s, rc);
	scan_errors_note(s->req->errors, s->req->root_path, path, len,
			 "cannot read: %s", strerror(-rc));
	log_warn("scan: cannot read %s/%.*s: %s", s->req->root_path,
		 len, path, strerror(-rc));
	scan_worker_stat_add(&wk->local.io_errors, 1);
	return SCAN_FAILED;
}

/* The end of a file kept (read, renamed, unchanged or moving): its
 * descriptor FD closed, the parse time since START counted, its hash
 * in *H. */
static enum scan_outcome file_kept(struct scan_worker *wk, const char *name,
				   const struct stat *st, int fd,
				   uint64_t start, int moving, uint64_t *h)
{
	if (fd >= 0)
		close(fd);
	if (start) {
		start = scan_worker_now_ns() - start;
		wk->parse_ns += start;
		scan_worker_stat_add(&wk->local.parse_ns, start);
	}
	*h = file_hash(name, strlen(name), st->st_size,
		       scan_worker_mtime_ns(st), st->st_ino);
	return moving ? SCAN_MOVING : SCAN_KEPT;
}

/* No memory for the record of the file at WK's path, open at FD. */
static enum scan_outcome out_of_memory(struct scan_worker *wk, int fd)
{
	if (fd >= 0)
		close(fd);
	scan_compare_note_failure(wk->s,
				  log_error(-ENOMEM,
					    "scan: out of memory at %.*s",
					    (int)wk->path.len, wk->path.buf));
	scan_worker_stat_add(&wk->local.io_errors, 1);
	return SCAN_FAILED;
}

enum scan_outcome scan_compare_file(struct scan_worker *wk, int dfd,
				    const char *name, int pfd, struct stat *st,
				    struct scan_store_file *k, uint64_t *h)
{
	struct scan *s = wk->s;
	struct scan_stats *stats = &wk->local;
	const char *path = wk->path.buf;
	size_t len = wk->path.len;
	const char *kind = scan_read_kind(name, s->req->manga);
	int read_it = scan_read_wanted(kind, name, s->req->manga);
	int fd = -1, unchanged, rc;
	int moving = 0;
	struct music_rec *rec;
	int64_t renamed = 0;
	uint64_t start = 0;

	rc = stat_or_open(wk, dfd, name, pfd, st, !read_it || k, &fd, &start);
	if (rc == -ENOENT)
		return SCAN_ABSENT;
	if (rc)
		goto cannot_read;
	scan_worker_stat_add(&stats->files_seen, 1);
	if (k && (moving = moved_back(s, k)))
		goto kept;
	unchanged = k && k->size == st->st_size &&
		    k->mtime_ns == scan_worker_mtime_ns(st) &&
		    k->inode == (int64_t)st->st_ino;
	if (unchanged && !s->req->full) {
		scan_worker_stat_add(&stats->files_unchanged, 1);
		goto kept;
	}
	if (!k && (renamed = find_renamed(wk, st, &moving))) {
		rec = scan_compare_rec_new(s, MUSIC_RENAME, path, len);
		if (!rec)
			goto oom;
		rec->id = renamed;
		scan_worker_stat_add(&stats->files_renamed, 1);
		goto put;
	}
	if (moving)
		goto kept;

	rec = scan_compare_rec_new(s, MUSIC_FILE, path, len);
	if (!rec)
		goto oom;
	rec->id = k ? k->id : 0;
	rec->kind = kind;
	if (read_it && (rc = read_tags(wk, dfd, name, pfd, st, rec, &fd,
				       &start))) {
		music_rec_free(rec);
		goto failed;
	}
	scan_worker_stat_add(unchanged ? &stats->files_unchanged
			     : k       ? &stats->files_changed
				       : &stats->files_new,
			     1);
	rec = music_rec_pack(rec);
put:
	scan_worker_rec_stat(rec, st);
	writer_batch_add(&wk->batch, &rec->wr);
kept:
	return file_kept(wk, name, st, fd, start, moving, h);
oom:
	return out_of_memory(wk, fd);
cannot_read:
	scan_worker_stat_add(&stats->files_seen, 1);
failed:
	if (fd >= 0)
		close(fd);
	return read_failed(wk, k, rc);
}

enum scan_outcome scan_compare_link(struct scan_worker *wk, int dfd,
				    const char *name, struct scan_store_file *k,
				    uint64_t *h)
{
	struct scan *s = wk->s;
	const char *path = wk->path.buf;
	struct stat st;
	int pfd = symlinks_follow(dfd, name, &s->rule, &st);
	enum scan_outcome o = SCAN_ABSENT;

	if (pfd >= 0) {
		o = scan_compare_file(wk, dfd, name, pfd, &st, k, h);
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
		scan_errors_note(s->req->errors, s->req->root_path, path,
				 strlen(path), "cannot stat: %s",
				 strerror(-pfd));
		scan_compare_note_failure(s, pfd);
		scan_worker_stat_add(&wk->local.io_errors, 1);
		if (k)
			k->claimed = 1;
		o = SCAN_FAILED;
	}
	return o;
}

/* Set wk->path to the directory rel joined with name (name_len bytes). */
static void set_path(struct scan_worker *wk, const char *rel, size_t len,
		     const char *name, size_t name_len)
{
	strbuf_reset(&wk->path);
	if (len) {
		strbuf_add(&wk->path, rel, len);
		strbuf_addch(&wk->path, '/');
	}
	strbuf_add(&wk->path, name, name_len);
}

int scan_compare_dir_unchanged(struct scan_worker *wk, int dfd,
			       const struct scan_dirs_entry *kd, size_t *files)
{
	uint64_t sum = 0;

	*files = 0;
	for (size_t i = 0; i < wk->nr_ents; i++) {
		struct scan_worker_listed *e = &wk->ents[i];
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
				 scan_worker_mtime_ns(&e->st), e->st.st_ino);
		++*files;
	}
	return kd->has_digest && sum == kd->digest;
}

void scan_compare_dir_record(struct scan_worker *wk, int dfd, const char *rel,
			     size_t len, const struct scan_dirs_entry *kd,
			     int has_digest, uint64_t digest,
			     const struct stat *st, int force)
{
	struct music_rec *rec;
	struct stat now;

	if (!force && kd && kd->has_digest == has_digest &&
	    (!has_digest || kd->digest == digest))
		return;
	rec = scan_compare_rec_new(wk->s, MUSIC_DIR, rel, len);
	if (!rec) {
		scan_worker_stat_add(&wk->local.io_errors, 1);
		return;
	}
	if (st)
		rec->mtime_ns = scan_worker_mtime_ns(st);
	else
		rec->mtime_ns =
			fstat(dfd, &now) ? 0 : scan_worker_mtime_ns(&now);
	rec->has_digest = has_digest;
	rec->digest = digest;
	if (st && has_digest && scan_listing_settled(st))
		scan_listing_make(wk, rec, st);
	writer_batch_add(&wk->batch, &rec->wr);
}

/* scan_io_want_fn: entry i's name when the scan will open it whatever it
 * finds (a new file to read, or any file to read in a full rescan): a
 * file the store knows is opened only once seen changed. */
static const char *want_opened(void *arg, size_t i, int *tail)
{
	struct scan_worker *wk = arg;
	const struct scan_worker_listed *e = &wk->ents[i];
	const char *name = wk->names.buf + e->name, *kind;

	if (e->type != DT_REG)
		return NULL;
	kind = scan_read_kind(name, wk->s->req->manga);
	if (!strcmp(kind, "other") || (!wk->s->req->full &&
	    scan_store_files_find(&wk->known, name, e->len)))
		return NULL;
	*tail = strcmp(kind, "flac") != 0;
	return name;
}

/*
 * Stat e, an entry of a listing that gave no type, in dfd (rel, len the
 * folder's path); a folder goes to the subfolders to scan, a link becomes
 * DT_LNK. Returns 1 when the entry is done with (gone, a folder, or not
 * stated: then its stored file k is kept and *whole cleared), else 0.
 */
static int stat_unknown(struct scan_worker *wk, int dfd, const char *rel,
			size_t len, struct scan_worker_listed *e,
			struct scan_store_file *k, int *whole)
{
	struct scan *s = wk->s;
	const char *name = wk->names.buf + e->name;

	if (fstatat(dfd, name, &e->st, AT_SYMLINK_NOFOLLOW) < 0) {
		if (errno == ENOENT)
			return 1;
		log_warn("scan: cannot stat %s/%s: %s", s->req->root_path,
			 wk->path.buf, strerror(errno));
		scan_errors_note(s->req->errors, s->req->root_path,
				 wk->path.buf, wk->path.len,
				 "cannot stat: %s", strerror(errno));
		scan_worker_stat_add(&wk->local.io_errors, 1);
		if (k)
			k->claimed = 1;
		*whole = 0;
		return 1;
	}
	e->stated = 1;
	if (S_ISDIR(e->st.st_mode)) {
		scan_stack_subdirs_add(s, &wk->subdirs, rel, len, name,
				       e->len);
		return 1;
	}
	if (S_ISLNK(e->st.st_mode))
		e->type = DT_LNK;
	return 0;
}

int scan_compare_files(struct scan_worker *wk, int dfd, const char *rel,
		       size_t len, const struct scan_dirs_entry *kd,
		       uint64_t *sum)
{
	struct scan *s = wk->s;
	int whole = 1, rc;

	*sum = 0;
	/* By name, as the store's path index is: a first scan adds its rows
	 * in the index's order. A folder found as the store has it is never
	 * sorted. */
	if (wk->nr_ents > 1)
		qsort_r(wk->ents, wk->nr_ents, sizeof(*wk->ents),
			scan_listing_cmp, wk->names.buf);
	rc = scan_listing_load_files(wk, kd);
	if (rc) {
		/* What the store has there is not known: its files are
		 * left as they are, for the next scan. */
		scan_compare_fail_for_now(s, rc);
		scan_worker_stat_add(&wk->local.io_errors, 1);
		return 0;
	}
	if (scan_io_note_reads(&s->io, &wk->inblock)) {
		pthread_mutex_lock(&s->lock);
		pthread_cond_broadcast(&s->woken);
		pthread_mutex_unlock(&s->lock);
	}
	scan_io_window_start(&wk->io, &s->io, dfd, wk->nr_ents, want_opened,
			     wk);
	for (size_t i = 0; i < wk->nr_ents; i++) {
		struct scan_worker_listed *e = &wk->ents[i];
		const char *name = wk->names.buf + e->name;
		struct scan_store_file *k;
		enum scan_outcome o;
		uint64_t h = 0;

		scan_io_window_at(&wk->io, i);
		if (e->type == DT_DIR)
			continue;
		set_path(wk, rel, len, name, e->len);
		k = scan_store_files_find(&wk->known, name, e->len);
		if (e->type == DT_UNKNOWN && !e->stated &&
		    stat_unknown(wk, dfd, rel, len, e, k, &whole))
			continue;
		if (e->type != DT_LNK && e->stated &&
		    !S_ISREG(e->st.st_mode))
			continue;
		if (e->type == DT_LNK) {
			o = scan_compare_link(wk, dfd, name, k, &h);
		} else {
			if (!e->stated)
				e->st.st_mode = 0;
			o = scan_compare_file(wk, dfd, name, -1, &e->st, k, &h);
		}
		if (o == SCAN_KEPT)
			*sum += h;
		else if (o == SCAN_FAILED || o == SCAN_MOVING)
			whole = 0;
	}
	scan_io_window_end(&wk->io);
	for (size_t i = 0; i < wk->known.nr; i++) {
		struct scan_store_file *k = &wk->known.v[i];

		if (k->claimed)
			continue;
		whole = 0;
		set_path(wk, rel, len, wk->known.names.buf + k->name,
			 k->name_len);
		if (!scan_compare_moved_away(s, wk->path.buf, wk->path.len))
			note_gone(s, k->id);
	}
	return whole;
}
