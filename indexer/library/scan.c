/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The parallel scanner's run (scan.h): the workers, the walk of one
 * root or paths in it, and what goes to the writer when it ends. It
 * never writes the store itself.
 */
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
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <linux/magic.h>

#include "common/array.h"
#include "common/clock.h"
#include "common/db.h"
#include "common/log.h"
#include "common/symlinks.h"
#include "common/thread.h"
#include "indexer/library/scan_compare.h"
#include "indexer/library/scan_dirs.h"
#include "indexer/library/scan_errors.h"
#include "indexer/library/scan_io.h"
#include "indexer/library/scan_listing.h"
#include "indexer/library/scan_stack.h"
#include "indexer/library/scan_store.h"
#include "indexer/library/scan_worker.h"

int scan_estimate(sqlite3 *db, const struct scan_request *req,
		  uint64_t *count)
{
	for (size_t i = 0; i < req->nr_subpaths; i++) {
		sqlite3_stmt *st;
		int rc = scan_store_prepare_files_under(db, "count(*)", req,
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

/* Push the subfolders among the worker's entries of the folder rel. */
static void push_subdirs(struct scan_worker *wk, const char *rel, size_t len)
{
	for (size_t i = 0; i < wk->nr_ents; i++)
		if (wk->ents[i].type == DT_DIR)
			scan_stack_subdirs_add(wk->s, &wk->subdirs, rel, len,
					       wk->names.buf + wk->ents[i].name,
					       wk->ents[i].len);
	scan_stack_push_jobs(wk->s, &wk->subdirs);
}

/* The folder rel opened beneath the root, or -errno. One whose whole
 * path is PATH_MAX or more could be read through the root's descriptor,
 * but its files could never be opened by their paths (the mount's
 * views): -ENAMETOOLONG, wherever the root lies (issue 81). */
static int open_walked(const struct scan *s, const char *rel, size_t len)
{
	if (strlen(s->req->root_path) + 1 + len >= PATH_MAX)
		return -ENAMETOOLONG;
	return symlinks_open_beneath(s->root_fd, rel, O_RDONLY | O_DIRECTORY);
}

/*
 * Walk the folder rel: list it (or take its listing from the store, when
 * no name came or went in it since), push its subfolders, and compare
 * its files with the store. The folder is watched (on_dir) before it is
 * stat()ed and listed, so that a name that comes after is the watcher's.
 */
static void scan_dir(struct scan_worker *wk, const char *rel, size_t len)
{
	struct scan *s = wk->s;
	uint64_t now;
	struct scan_dirs_entry *kd;
	struct stat st, *stated = NULL;
	size_t files;
	int dfd, rc = 0, stored = 0, unchanged;

	dfd = open_walked(s, rel, len);
	/* A folder swapped for a link while walked is not walked, nor kept:
	 * what it held is no longer in the root. */
	if (dfd == -ELOOP || dfd == -EXDEV) {
		log_info("scan: %s/%s is a link now, so it is not walked",
			 s->req->root_path, rel);
		return;
	}
	if (dfd >= 0 && s->req->on_dir)
		s->req->on_dir(s->req->root_index, rel, len, dfd);
	kd = scan_dirs_find(&s->dirs, rel, len, &wk->near);
	if (kd)
		__atomic_store_n(&kd->seen, 1, __ATOMIC_RELEASE);
	if (dfd >= 0 && s->listings && !fstat(dfd, &st) &&
	    st.st_dev == s->root_dev) {
		stated = &st;
		if (kd && kd->has_digest && !s->req->full)
			stored = scan_listing_load(wk, kd, &st);
	}
	/* A listing from the store only ever proves a folder unchanged;
	 * one that does not is listed again. */
	if (stored && !scan_compare_dir_unchanged(wk, dfd, kd, &files))
		stored = 0;
	if (!stored)
		rc = dfd < 0 ? dfd : scan_listing_read(wk, dfd);
	if (rc) {
		warn_once(s->req->root_path, rel, -rc);
		scan_errors_note(s->req->errors, s->req->root_path, rel, len,
				 "cannot read the folder: %s", strerror(-rc));
		scan_compare_note_failure(s, rc);
		scan_worker_stat_add(&s->stats->io_errors, 1);
		scan_stack_keep_subtree(s, rel, len);
		if (dfd >= 0)
			close(dfd);
		return;
	}
	push_subdirs(wk, rel, len);
	unchanged = stored || (kd && !s->req->full &&
			       scan_compare_dir_unchanged(wk, dfd, kd, &files));
	/* Looked at after its files were: a file a rename took may have
	 * come back here meanwhile (SCAN_MOVING). */
	if (unchanged && scan_compare_renamed_any(s))
		unchanged = 0;
	if (unchanged) {
		wk->local.files_seen += files;
		wk->local.files_unchanged += files;
		wk->local.dirs_from_store += stored;
		/* the store's listing is not this one: keep this one */
		if (!stored && stated && scan_listing_settled(stated))
			scan_compare_dir_record(wk, dfd, rel, len, kd, 1,
						kd->digest, stated, 1);
	} else {
		uint64_t sum;
		int whole = scan_compare_files(wk, dfd, rel, len, kd, &sum);

		scan_compare_dir_record(wk, dfd, rel, len, kd, whole, sum,
					stated, 0);
		scan_stack_push_jobs(s, &wk->subdirs);
	}
	close(dfd);
	now = scan_worker_clock_ns(CLOCK_MONOTONIC_COARSE);
	if (now - wk->added_ns >= STATS_EVERY_NS) {
		scan_worker_flush(wk);
		wk->added_ns = now;
	} else {
		writer_batch_flush(&wk->batch);
	}
}

static void *scan_worker(void *arg)
{
	struct scan *s = arg;
	struct scan_worker wk = { .s = s, .batch = WRITER_BATCH_INIT,
				  .names = STRBUF_INIT, .path = STRBUF_INIT,
				  .inblock = -1 };

	thread_name("mm-scan");
	pthread_mutex_lock(&s->lock);
	wk.extra = s->nr_walkers++ >= (s->req->threads > 0 ?
					 s->req->threads : 1);
	wk.started_ns = scan_worker_now_ns();
	for (;;) {
		struct scan_worker_dir_job *job;

		if (wk.extra && scan_io_asleep(&s->io) && s->busy) {
			uint64_t idle = scan_worker_now_ns();

			while (scan_io_asleep(&s->io) && s->busy)
				pthread_cond_wait(&s->woken, &s->lock);
			wk.idle_ns += scan_worker_now_ns() - idle;
		}
		if (!s->nr_jobs && s->busy) {
			uint64_t idle = scan_worker_now_ns();

			while (!s->nr_jobs && s->busy)
				pthread_cond_wait(&s->cond, &s->lock);
			wk.idle_ns += scan_worker_now_ns() - idle;
		}
		if (!s->nr_jobs)
			break;
		job = s->jobs[--s->nr_jobs];
		pthread_mutex_unlock(&s->lock);

		if (!__atomic_load_n(s->req->cancel, __ATOMIC_RELAXED))
			scan_dir(&wk, job->path, job->len);
		free(job);

		pthread_mutex_lock(&s->lock);
		if (--s->busy == 0) {
			pthread_cond_broadcast(&s->cond);
			pthread_cond_broadcast(&s->woken);
		}
	}
	pthread_mutex_unlock(&s->lock);
	scan_worker_flush(&wk);
	scan_worker_release(&wk);
	return NULL;
}

/*
 * The workers: threads of them parse at once (s->parsing), and up to half
 * scan_io_depth walk, so that more folders are listed at once where each
 * listing waits: on a network share or FUSE, where each folder's open and
 * listing is a round trip, and on a local disk once its cache is found
 * cold (those beyond threads wait for the pool of files opened ahead to
 * wake, and a warm scan never starts them walking).
 */
static int walkers(const struct scan *s)
{
	int n = s->req->threads > 0 ? s->req->threads : 1;

	if (s->req->io_depth / 2 > n)
		n = s->req->io_depth / 2;
	return n;
}

static void scan_walk(struct scan *s)
{
	int n = walkers(s);
	pthread_t *tids = calloc(n, sizeof(*tids));
	int started = 0;

	if (tids) {
		for (; started < n; started++)
			if (pthread_create(&tids[started], NULL,
					   scan_worker, s))
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
static void dir_gone(struct scan *s, const struct scan_dirs_entry *k,
		     const struct scan_dirs_entry **last)
{
	const char *path = scan_dirs_path(&s->dirs, k);
	char *rel;

	if (!s->req->on_dir_gone)
		return;
	if (*last &&
	    scan_dirs_under(&s->dirs, k, scan_dirs_path(&s->dirs, *last),
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
	struct music_rec *rec = scan_compare_rec_new(s, op, "", 0);

	if (!rec) {
		scan_worker_stat_add(&s->stats->io_errors, 1);
		return;
	}
	rec->id = id;
	rec->deleted = &s->stats->files_deleted;
	writer_batch_add(batch, &rec->wr);
}

/* Whether k is a folder the walk did not meet, nor saw move away. */
static int dir_unseen(struct scan *s, const struct scan_dirs_entry *k)
{
	return !k->seen &&
	       !scan_compare_moved_away(s, scan_dirs_path(&s->dirs, k), k->len);
}

/* Queue deletions for whatever the walk did not meet: the files gone
 * from the directories it read (unless a rename took them), then the
 * directories it did not find, with the files they still hold. */
static void scan_delete_unseen(struct scan *s)
{
	struct writer_batch batch = WRITER_BATCH_INIT;
	const struct scan_dirs_entry *last = NULL;
	struct scan_dirs_entry **unseen = NULL;
	size_t nr = 0, alloc = 0;

	for (struct scan_worker_gone *g = s->gone; g; g = g->next)
		if (!scan_compare_is_claimed(s, g->id))
			delete_rec(s, &batch, MUSIC_DELETE_FILE, g->id);
	for (size_t i = 0; i < s->alone.nr; i++)
		if (!s->alone.v[i].claimed &&
		    !scan_compare_is_claimed(s, s->alone.v[i].id))
			delete_rec(s, &batch, MUSIC_DELETE_FILE,
				   s->alone.v[i].id);
	/* In path order, when there is the memory to sort them. */
	for (size_t i = 0; i < s->dirs.nr; i++) {
		struct scan_dirs_entry *k = &s->dirs.v[i], **v;

		if (!dir_unseen(s, k))
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
	scan_dirs_sort(&s->dirs, unseen, nr);
	for (size_t i = 0; i < nr; i++) {
		dir_gone(s, unseen[i], &last);
		delete_rec(s, &batch, MUSIC_DELETE_DIR, unseen[i]->id);
	}
	free(unseen);
	writer_batch_flush(&batch);
}

/* Add to *n the files the store holds in the folders the walk did not
 * meet, and set *total to the root's files. */
static int count_unseen(struct scan *s, uint64_t *n, uint64_t *total)
{
	sqlite3_stmt *in = NULL, *all = NULL;
	sqlite3 *db;
	int rc = db_open(s->db_path, 1, &db);

	if (rc)
		return rc;
	rc = db_prepare(db, "SELECT count(*) FROM files WHERE dir_id = ?1",
			&in);
	if (!rc)
		rc = db_prepare(db, "SELECT count(*) FROM directories d"
				" JOIN files f ON f.dir_id = d.id"
				" WHERE d.root_id = ?1", &all);
	for (size_t i = 0; !rc && i < s->dirs.nr; i++) {
		if (!dir_unseen(s, &s->dirs.v[i]))
			continue;
		sqlite3_bind_int64(in, 1, s->dirs.v[i].id);
		rc = sqlite3_step(in);
		if (rc == SQLITE_ROW)
			*n += sqlite3_column_int64(in, 0);
		rc = db_rows_end(db, rc, "count a folder's files");
		sqlite3_reset(in);
	}
	if (!rc) {
		sqlite3_bind_int64(all, 1, s->req->root_id);
		rc = sqlite3_step(all);
		if (rc == SQLITE_ROW)
			*total = sqlite3_column_int64(all, 0);
		rc = db_rows_end(db, rc, "count a root's files");
	}
	sqlite3_finalize(in);
	sqlite3_finalize(all);
	db_close(db);
	return rc;
}

/*
 * Whether what the walk did not meet is to be kept for now: SCAN_HOLD_MIN
 * files or more, and more than half of the root's, with no confirmation
 * asked. A root that lost so much at once may be half there (a folder of
 * it on a mount that dropped); its files are counted in files_held.
 */
static int removal_held(struct scan *s)
{
	uint64_t n = 0, total = 0;
	int dirs = 0;

	if (s->req->confirm_removal)
		return 0;
	for (struct scan_worker_gone *g = s->gone; g; g = g->next)
		n += !scan_compare_is_claimed(s, g->id);
	for (size_t i = 0; i < s->alone.nr; i++)
		n += !s->alone.v[i].claimed &&
		     !scan_compare_is_claimed(s, s->alone.v[i].id);
	for (size_t i = 0; !dirs && i < s->dirs.nr; i++)
		dirs = dir_unseen(s, &s->dirs.v[i]);
	if (n < SCAN_HOLD_MIN && !dirs)
		return 0;
	/* a store that cannot count them removes them, as before */
	if (count_unseen(s, &n, &total) || n < SCAN_HOLD_MIN ||
	    n * 2 <= total)
		return 0;
	scan_worker_stat_add(&s->stats->files_held, n);
	log_warn("scan: %s: %llu of its %llu files are gone at once: they are"
		 " kept until their removal is confirmed (echo confirm-removal"
		 " > control/rescan)", s->req->root_path,
		 (unsigned long long)n, (unsigned long long)total);
	return 1;
}

/*
 * Scan the file sub alone (name in the folder dfd, st its lstat()): it
 * is looked up in what the store has at that path, and its folder keeps
 * no digest once it changed, so that the next walk of the folder looks
 * at every file.
 */
static void scan_alone(struct scan_worker *wk, int dfd, const char *sub,
		       const char *name, const struct stat *st)
{
	struct scan *s = wk->s;
	const char *slash = strrchr(sub, '/');
	size_t dlen = slash ? (size_t)(slash - sub) : 0;
	struct scan_store_file *k =
		scan_store_files_find(&s->alone, sub, strlen(sub));
	struct stat copy = *st;
	uint64_t h;
	size_t queued = wk->batch.nr;

	strbuf_reset(&wk->path);
	strbuf_addstr(&wk->path, sub);
	if (S_ISLNK(st->st_mode))
		scan_compare_link(wk, dfd, name, k, &h);
	else
		scan_compare_file(wk, dfd, name, -1, &copy, k, &h);
	if (wk->batch.nr != queued)
		scan_compare_dir_record(wk, dfd, sub, dlen, NULL, 0, 0, NULL,
					0);
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
	struct scan_worker wk = { .s = s, .batch = WRITER_BATCH_INIT,
				  .names = STRBUF_INIT, .path = STRBUF_INIT,
				  .inblock = -1 };
	struct stat st;
	char *dir;
	int dfd, rc;

	if (!len) {
		rc = scan_stack_subdirs_add(s, &wk.subdirs, "", 0, "", 0);
		if (!rc)
			rc = scan_stack_push_jobs(s, &wk.subdirs);
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
		scan_worker_stat_add(&s->stats->io_errors, 1);
		scan_errors_note(s->req->errors, s->req->root_path, sub,
				 strlen(sub), "cannot stat: %s",
				 strerror(-dfd));
		return log_error(dfd, "scan: cannot stat %s/%s: %s",
				 s->req->root_path, sub, strerror(-dfd));
	}
	if (S_ISDIR(st.st_mode) &&
	    !scan_stack_subdirs_add(s, &wk.subdirs, "", 0, sub, len))
		scan_stack_push_jobs(s, &wk.subdirs);
	else if (S_ISREG(st.st_mode) || S_ISLNK(st.st_mode))
		scan_alone(&wk, dfd, sub, name, &st);
	scan_worker_flush(&wk);
	scan_worker_release(&wk);
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
		struct scan_worker_gone *g = s->gone;

		s->gone = g->next;
		free(g);
	}
	scan_compare_claims_release(s);
	free(s->inodes);
	scan_dirs_release(&s->dirs);
	scan_store_files_release(&s->alone);
}

/* What the store knows below the root: its folders and the files it
 * holds alone; with nothing known, the scan adds in bulk. */
static int load_known(struct scan *s)
{
	sqlite3 *db;
	int rc = db_open(s->db_path, 1, &db);

	if (rc)
		return rc;
	rc = scan_dirs_load(db, s->db_path, s->req, &s->dirs);
	if (!rc)
		rc = scan_store_alone_load(db, s->req, &s->alone);
	/* With nothing known, no file can be renamed, changed or deleted:
	 * every record adds rows. */
	s->bulk = !s->dirs.nr && !s->alone.nr;
	s->inodes_loaded = s->bulk;
	db_close(db);
	return rc;
}

/* Each asked path started; the first failure is returned. A path that
 * cannot be started keeps what the store knows of it; the others are
 * scanned and the scan reports the failure. */
static int start_subpaths(struct scan *s)
{
	const struct scan_request *req = s->req;
	int rc = 0, err;

	for (size_t i = 0; i < req->nr_subpaths; i++) {
		const char *sub = req->subpaths[i];
		struct scan_store_file *k;

		err = scan_start(s, sub);
		if (!err)
			continue;
		k = scan_store_files_find(&s->alone, sub, strlen(sub));
		if (k)
			k->claimed = 1;
		scan_stack_keep_subtree(s, sub, strlen(sub));
		rc = rc ? : err;
	}
	return rc;
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
		.woken = PTHREAD_COND_INITIALIZER,
		.started = clock_mono(),
	};
	struct stat root;
	int rc, err;

	s.rule = (struct symlinks_rule){ req->root_path, req->roots,
				      req->nr_roots, req->follow_outside };
	s.root_fd = open(req->root_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (s.root_fd < 0) {
		scan_worker_stat_add(&stats->io_errors, 1);
		scan_errors_note(req->errors, req->root_path, "", 0,
				 "cannot open the root: %s", strerror(errno));
		return log_error(-errno, "scan: cannot open root %s: %s",
				 req->root_path, strerror(errno));
	}
	if (!fstat(s.root_fd, &root) && keeps_ctimes(s.root_fd)) {
		s.listings = 1;
		s.root_dev = root.st_dev;
	}
	/* Set up before scan_start(), which parses a file rescanned alone.
	 * On a local file system no file is opened ahead while the page
	 * cache answers: there handing 20,000 files over took a first scan
	 * from 0.35 s to 0.6-0.7 s here. Once the disk is read (a cold
	 * cache), they are. */
	scan_io_init(&s.io, req->io_depth, s.listings, &s.noatime_refused);
	sem_init(&s.parsing, 0, req->threads > 0 ? req->threads : 1);
	rc = load_known(&s);
	if (rc)
		goto out;
	rc = start_subpaths(&s);
	/* A first scan builds the indexes of what it adds once, at its end,
	 * whatever became of it. */
	if (s.bulk)
		writer_call(music_bulk_begin, NULL);
	scan_walk(&s);
	if (s.bulk && (err = writer_call(music_bulk_end, NULL)))
		rc = rc ? : err;
	if (__atomic_load_n(req->cancel, __ATOMIC_RELAXED))
		rc = -ECANCELED;
	else if (!removal_held(&s))
		scan_delete_unseen(&s);
	rc = rc ? : s.for_now;
	log_debug("scan: %s: %llu folders as the store listed them",
		  req->root_path, (unsigned long long)scan_stat(
			  &stats->dirs_from_store));
out:
	scan_io_stop(&s.io);
	sem_destroy(&s.parsing);
	scan_release(&s);
	close(s.root_fd);
	return rc;
}
