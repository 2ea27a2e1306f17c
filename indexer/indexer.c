/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "indexer/indexer.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>

#include "common/clock.h"
#include "common/config.h"
#include "common/db.h"
#include "common/log.h"
#include "common/strbuf.h"
#include "common/notify.h"
#include "common/path.h"
#include "common/thread.h"
#include "indexer/jobs.h"
#include "indexer/maintenance.h"
#include "indexer/manga/manga.h"
#include "indexer/monitor/blocklist.h"
#include "indexer/monitor/prefs.h"
#include "indexer/manga/names.h"
#include "indexer/monitor/download.h"
#include "indexer/library/root_guard.h"
#include "indexer/library/symlinks.h"
#include "indexer/recovery.h"
#include "indexer/scan_alerts.h"
#include "indexer/library/watch.h"
#include "indexer/notifier.h"
#include "indexer/realdebrid/rd_links.h"
#include "indexer/realdebrid/rd_watch.h"
#include "indexer/store/schema.h"
#include "indexer/store/storefile.h"
#include "indexer/library/covers.h"
#include "indexer/library/gone.h"
#include "indexer/library/music.h"
#include "indexer/store/writer.h"

/* Why a scan is cancelled: the daemon stops (for good), or the writer
 * lost a transaction (for that scan only). */
#define CANCEL_STOP 1
#define CANCEL_LOSS 2

/* Subtree requests beyond this many merge into a scan of every root. */
#define PENDING_PATHS_MAX 256

/* A scan the store failed is run again after a wait that doubles each
 * time, from the first to the last, or as soon as the store's disk has
 * room again; one that failed for want of descriptors or memory, or on
 * an i/o error or a busy store, after a longer one, as what it waits for
 * is other programs (or users) letting go, or a disk coming back. */
#define RETRY_FIRST_S 1.0
#define RETRY_MAX_S 60.0
#define LATER_FIRST_S 10.0
#define LATER_MAX_S 600.0

/* What became of a scan order: done (or failed for good), or to run
 * again once the store takes writes, or later. */
enum outcome { RUN_DONE, RUN_AGAIN_STORE, RUN_AGAIN_LATER };

struct order_path {
	size_t root;
	char *sub;
	double event_at;	/* when the watcher saw it change, or 0 */
};

/* One queued scan: all roots, or a list of root-relative subtrees. */
struct scan_order {
	char trigger[INDEXER_TRIGGER_LEN];
	int all;
	int full;
	int confirm;		/* remove what is gone, however much */
	size_t nr;
	double event_at;	/* the earliest change behind it, or 0 */
	struct order_path paths[PENDING_PATHS_MAX];
};

/* The scans an order comes to: each root once, with all its paths, so a
 * file that moves from one path to another is seen as a rename. */
struct plan {
	struct scan_request *req;
	size_t nr;
	const char **subs;
};

/* What the writer thread needs to record a scan's row. */
struct scan_row {
	int64_t id;
	const struct scan_order *order;
	double started_at;
	double duration_s;
	double write_s;
	long peak_rss_kb;
	double cpu_s;		/* the daemon's, user and system, meanwhile */
	int success;
	int error;		/* why it failed, when it did */
	const struct scan_stats *stats;
};

/*
 * The roots of one start, as one block: FUSE threads read them (health)
 * while a reload stops and starts the indexer, so a block, once shown,
 * is kept until the daemon exits, in the list of retired ones.
 */
struct roots {
	struct roots *retired;
	size_t nr;
	const char **paths;	/* r's paths, for symlinks.h's rules */
	struct indexer_root r[];
};

static struct roots *shown;		/* read and set atomically */
static struct roots *retired;

static struct {
	const struct config *cfg;
	struct roots *block;
	struct indexer_root *roots;	/* block's, while running */
	size_t nr_roots;
	double started_at;
	double counters_since;	/* 0: since the start */

	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	int running, stopping;
	int cancel;		/* stops the running scan: CANCEL_STOP/LOSS */
	int busy;		/* an order is being carried out */
	int recovered;		/* the store was restored: scan it all */

	struct scan_order pending;
	int has_pending;
	double retry_at;	/* monotonic: the pending scan waits until */
	double retry_wait;	/* the next wait after a failure */
	double mend_at, mend_wait;	/* the same for mending the store */
	double guard_at;	/* monotonic: next look at unavailable roots */
	struct indexer_scan_result last;
	int has_last;
	uint64_t unstored_failures;

	/* the running scan, read by indexer_status() */
	int scanning;
	int64_t scan_id;
	struct scan_order current;
	double scan_started_mono, scan_started_wall, write_s_start;
	struct scan_stats stats;
} ix = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.wake = PTHREAD_COND_INITIALIZER,
	.retry_wait = RETRY_FIRST_S,
	.mend_wait = RETRY_FIRST_S,
};

static void order_clear(struct scan_order *o)
{
	for (size_t i = 0; i < o->nr; i++)
		free(o->paths[i].sub);
	memset(o, 0, sizeof(*o));
}

/* Fold a request into the pending scan: "all" swallows subtrees, full
 * sticks, the first trigger names the merged scan. */
static int order_merge(struct scan_order *o, const char *trigger, int full,
		       int root, const char *sub, double event_at)
{
	if (!ix.has_pending)
		snprintf(o->trigger, sizeof(o->trigger), "%s", trigger);
	ix.has_pending = 1;
	o->full |= full;
	if (event_at && (!o->event_at || event_at < o->event_at))
		o->event_at = event_at;
	if (o->all)
		return 0;
	if (root < 0 || o->nr == PENDING_PATHS_MAX) {
		for (size_t i = 0; i < o->nr; i++)
			free(o->paths[i].sub);
		o->nr = 0;
		o->all = 1;
		return 0;
	}
	for (size_t i = 0; i < o->nr; i++)
		if (o->paths[i].root == (size_t)root &&
		    !strcmp(o->paths[i].sub, sub))
			return 0;
	o->paths[o->nr].sub = strdup(sub);
	if (!o->paths[o->nr].sub)
		return log_error(-ENOMEM, "indexer: out of memory queueing a scan");
	o->paths[o->nr].event_at = event_at;
	o->paths[o->nr++].root = root;
	return 0;
}

/* Find the root holding path and the part below it; rejects anything
 * that is not a clean absolute path, so ".." can never leave a root. */
static int root_of(const char *path, const char **sub)
{
	size_t len = strlen(path);

	if (path[0] != '/' || strstr(path, "//") || strstr(path, "/./") ||
	    strstr(path, "/../") || (len >= 2 && !strcmp(path + len - 2, "/.")) ||
	    (len >= 3 && !strcmp(path + len - 3, "/..")))
		return -EINVAL;
	for (size_t i = 0; i < ix.nr_roots; i++) {
		const char *root = ix.roots[i].path;

		if (path_under(path, root)) {
			*sub = path + strlen(root);
			*sub += **sub == '/';
			return i;
		}
	}
	return -EINVAL;
}

/* Trim trailing slashes off a copy of path and find its root; *clean is
 * the copy (sub points into it), to be freed. */
static int resolve(const char *path, char **clean, const char **sub)
{
	size_t len = strlen(path);
	int root;

	*clean = strdup(path);
	if (!*clean)
		return -ENOMEM;
	while (len > 1 && (*clean)[len - 1] == '/')
		(*clean)[--len] = '\0';
	root = root_of(*clean, sub);
	if (root < 0) {
		free(*clean);
		*clean = NULL;
	}
	return root;
}

/* Requests name roots by their place in ix.roots, which a reload
 * replaces: they are taken only while the indexer runs, under its lock. */
static int accepting(void)
{
	return ix.running && !ix.stopping;
}

int indexer_rescan(const char *trigger, int full, const char *path)
{
	char *clean = NULL;
	const char *sub = "";
	int root = -1, rc = -EAGAIN;

	pthread_mutex_lock(&ix.lock);
	if (accepting() && path)
		root = rc = resolve(path, &clean, &sub);
	if (accepting() && (!path || root >= 0)) {
		rc = order_merge(&ix.pending, trigger, full, root, sub, 0);
		pthread_cond_signal(&ix.wake);
	}
	pthread_mutex_unlock(&ix.lock);
	free(clean);
	return rc == -ENOMEM || rc == -EAGAIN || rc >= 0 ? rc : -EINVAL;
}

int indexer_confirm_removal(const char *trigger)
{
	int rc = -EAGAIN;

	pthread_mutex_lock(&ix.lock);
	if (accepting()) {
		rc = order_merge(&ix.pending, trigger, 0, -1, NULL, 0);
		ix.pending.confirm = 1;
		pthread_cond_signal(&ix.wake);
	}
	pthread_mutex_unlock(&ix.lock);
	return rc;
}

int indexer_rescan_paths(const char *trigger, char *const *paths,
			 const double *event_at, size_t nr)
{
	char **clean = calloc(nr ? nr : 1, sizeof(*clean));
	const char **sub = calloc(nr ? nr : 1, sizeof(*sub));
	int *root = calloc(nr ? nr : 1, sizeof(*root));
	int rc = 0, queued = 0;

	if (!clean || !sub || !root) {
		rc = log_error(-ENOMEM, "indexer: out of memory queueing a"
			       " scan");
		goto out;
	}
	pthread_mutex_lock(&ix.lock);
	for (size_t i = 0; i < nr; i++)
		root[i] = accepting() ? resolve(paths[i], &clean[i], &sub[i]) :
			-EAGAIN;
	for (size_t i = 0; !rc && i < nr; i++) {
		if (root[i] < 0)
			continue;
		rc = order_merge(&ix.pending, trigger, 0, root[i], sub[i],
				 event_at[i]);
		queued += !rc;
	}
	pthread_cond_signal(&ix.wake);
	pthread_mutex_unlock(&ix.lock);
out:
	for (size_t i = 0; clean && i < nr; i++)
		free(clean[i]);
	free(clean);
	free(sub);
	free(root);
	return rc ? rc : queued;
}

static int row_begin(sqlite3 *db, void *arg)
{
	struct scan_row *row = arg;
	sqlite3_stmt *st;
	char scope[32];
	int rc;

	snprintf(scope, sizeof(scope), "%s%s", row->order->all ? "all" :
		 "subtree", row->order->full ? ",full" : "");
	rc = sqlite3_prepare_v2(db, "INSERT INTO scans (trigger, scope,"
				" started_at) VALUES (?1, ?2, ?3)", -1, &st,
				NULL);
	if (rc != SQLITE_OK)
		return db_error(db, rc, "insert scan");
	sqlite3_bind_text(st, 1, row->order->trigger, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, scope, -1, SQLITE_STATIC);
	sqlite3_bind_double(st, 3, row->started_at);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return db_error(db, rc, "insert scan");
	row->id = sqlite3_last_insert_rowid(db);
	return 0;
}

static int row_finish(sqlite3 *db, void *arg)
{
	const struct scan_row *row = arg;
	const struct scan_stats *s = row->stats;
	sqlite3_stmt *st;
	int rc;

	rc = sqlite3_prepare_v2(db, "UPDATE scans SET finished_at = ?2,"
		" duration_s = ?3, files_seen = ?4, files_new = ?5,"
		" files_changed = ?6, files_unchanged = ?7, files_deleted = ?8,"
		" tag_errors = ?9, io_errors = ?10, bytes_read = ?11,"
		" walk_s = ?12, parse_s = ?13, write_s = ?14,"
		" peak_rss_kb = ?15, success = ?16, cpu_s = ?17 WHERE id = ?1",
		-1, &st, NULL);
	if (rc != SQLITE_OK)
		return db_error(db, rc, "finish scan");
	sqlite3_bind_int64(st, 1, row->id);
	sqlite3_bind_double(st, 2, row->started_at + row->duration_s);
	sqlite3_bind_double(st, 3, row->duration_s);
	sqlite3_bind_int64(st, 4, s->files_seen);
	sqlite3_bind_int64(st, 5, s->files_new);
	sqlite3_bind_int64(st, 6, s->files_changed + s->files_renamed);
	sqlite3_bind_int64(st, 7, s->files_unchanged);
	sqlite3_bind_int64(st, 8, s->files_deleted);
	sqlite3_bind_int64(st, 9, s->tag_errors);
	sqlite3_bind_int64(st, 10, s->io_errors);
	sqlite3_bind_int64(st, 11, s->bytes_read);
	sqlite3_bind_double(st, 12, s->walk_ns / 1e9);
	sqlite3_bind_double(st, 13, s->parse_ns / 1e9);
	sqlite3_bind_double(st, 14, row->write_s);
	sqlite3_bind_int64(st, 15, row->peak_rss_kb);
	sqlite3_bind_int(st, 16, row->success);
	sqlite3_bind_double(st, 17, row->cpu_s);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : db_error(db, rc, "finish scan");
}

/* A busy folder scans a few times a second: the history keeps the
 * newest scans alone, between two cleanups too. */
static int prune_history(sqlite3 *db, void *unused)
{
	(void)unused;
	return maintenance_prune_scans(db, ix.cfg->retention_scans, 0);
}

/* Albums and artists that lost their last track go with it. This full
 * sweep is for roots dropped from the configuration, whose tracks went
 * by cascade; scans use music_drop_orphans(), which checks only what
 * their changes touched. */
static int drop_all_orphans(sqlite3 *db)
{
	return db_exec(db,
		"DELETE FROM albums WHERE id NOT IN"
		" (SELECT album_id FROM tracks WHERE album_id IS NOT NULL);"
		"DELETE FROM artists WHERE id NOT IN"
		" (SELECT artist_id FROM tracks WHERE artist_id IS NOT NULL"
		"  UNION SELECT album_artist_id FROM tracks"
		"  WHERE album_artist_id IS NOT NULL"
		"  UNION SELECT artist_id FROM albums"
		"  WHERE artist_id IS NOT NULL);");
}

/* Once a scan is committed, the changes the watcher saw are visible:
 * the time since each was seen is what users wait for. */
static void record_latency(const struct scan_order *o)
{
	double now = clock_mono();

	if (o->all && o->event_at)
		watch_latency(now - o->event_at);
	for (size_t i = 0; i < o->nr; i++)
		if (o->paths[i].event_at)
			watch_latency(now - o->paths[i].event_at);
}

static long peak_rss_kb(void)
{
	struct rusage ru;

	return getrusage(RUSAGE_SELF, &ru) ? 0 : ru.ru_maxrss;
}

/* The CPU time the daemon's threads used so far, user and system. */
static double cpu_seconds(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_SELF, &ru))
		return 0;
	return ru.ru_utime.tv_sec + ru.ru_stime.tv_sec +
		(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

static int cmp_order_path(const void *a, const void *b)
{
	const struct order_path *x = a, *y = b;

	if (x->root != y->root)
		return x->root < y->root ? -1 : 1;
	return strcmp(x->sub, y->sub);
}

/* Whether a path of r holds sub. Sorted order alone cannot tell: "a b"
 * sorts between "a" and "a/x". */
static int covered(const struct scan_request *r, const char *sub)
{
	for (size_t i = 0; i < r->nr_subpaths; i++)
		if (path_under(sub, r->subpaths[i]))
			return 1;
	return 0;
}

/* Group the order's paths by root, leaving out those below another. */
static int plan_make(struct scan_order *o, struct plan *p)
{
	static const char *whole = "";
	size_t n = o->all ? ix.nr_roots : o->nr, kept = 0;

	p->nr = 0;
	p->req = calloc(n ? n : 1, sizeof(*p->req));
	p->subs = calloc(o->nr ? o->nr : 1, sizeof(*p->subs));
	if (!p->req || !p->subs) {
		free(p->req);
		free(p->subs);
		return log_error(-ENOMEM, "indexer: out of memory planning a"
				 " scan");
	}
	if (o->nr > 1)	/* an empty list may have no array to give qsort() */
		qsort(o->paths, o->nr, sizeof(*o->paths), cmp_order_path);
	for (size_t i = 0; i < n; i++) {
		size_t root = o->all ? i : o->paths[i].root;
		struct scan_request *r = p->nr ? &p->req[p->nr - 1] : NULL;

		if (!o->all && r && r->root_index == root) {
			if (!covered(r, o->paths[i].sub)) {
				p->subs[kept++] = o->paths[i].sub;
				r->nr_subpaths++;
			}
			continue;
		}
		r = &p->req[p->nr++];
		*r = (struct scan_request) {
			.root_id = ix.roots[root].id,
			.root_path = ix.roots[root].path,
			.full = o->full,
			.confirm_removal = o->confirm,
			.threads = ix.cfg->threads,
			.cancel = &ix.cancel,
			.roots = ix.block->paths,
			.nr_roots = ix.nr_roots,
			.follow_outside = ix.roots[root].follow_outside,
			.on_dir = watch_dir,
			.on_dir_gone = watch_forget,
			.moved_since = watch_moved_since,
			.root_index = root,
			.nr_subpaths = 1,
			.manga = !strcmp(ix.roots[root].kind, "manga"),
			.covers = ix.cfg->covers,
		};
		if (o->all) {
			r->subpaths = &whole;
		} else {
			r->subpaths = &p->subs[kept];
			p->subs[kept++] = o->paths[i].sub;
		}
	}
	return 0;
}

/* Leave out of the plan the roots that are unavailable (root_guard.h),
 * unless the order confirms their removal: their rows stay as they are.
 * One that is back is watched again. */
static void plan_guard(struct plan *p, int confirm)
{
	size_t kept = 0;

	for (size_t i = 0; i < p->nr; i++) {
		size_t k = p->req[i].root_index;
		enum root_state st = root_guard_check(k, ix.roots[k].id);

		if (st == ROOT_DOWN && !confirm)
			continue;
		if (st == ROOT_DOWN)
			log_info("scan: %s is scanned as it is: the removal of"
				 " what it lost was confirmed",
				 p->req[i].root_path);
		if (st == ROOT_BACK)
			watch_renew(p->req[i].root_index);
		p->req[kept++] = p->req[i];
	}
	p->nr = kept;
}

static void plan_free(struct plan *p)
{
	free(p->req);
	free(p->subs);
}

/* Count what the plan will walk, for progress; runs on the writer. */
static int estimate(sqlite3 *db, void *arg)
{
	const struct plan *p = arg;
	sqlite3_stmt *st;
	uint64_t n = 0;
	int rc = 0;

	/* Every root: as many files as the last such scan saw, which costs
	 * nothing, where counting them is a pass over every file's row
	 * (a tenth of a no-change rescan). */
	if (ix.current.all) {
		rc = db_prepare(db, "SELECT files_seen FROM scans WHERE success"
				" AND scope LIKE 'all%' ORDER BY id DESC"
				" LIMIT 1", &st);
		if (rc)
			return rc;
		rc = sqlite3_step(st);
		if (rc == SQLITE_ROW)
			n = sqlite3_column_int64(st, 0);
		rc = db_finalize(st, rc, "read the last scan's files");
	}
	for (size_t i = 0; !rc && !ix.current.all && i < p->nr; i++)
		rc = scan_estimate(db, &p->req[i], &n);
	ix.stats.total_estimate = n;
	return rc;
}

/* Rebuild the manga series the plan's scans looked at: a whole root, or
 * the series folders its paths are in (paths come sorted, so a series
 * met twice is met in a row). Music-only scans rebuild nothing. */
static int refresh_manga(const struct plan *p)
{
	struct manga_scope *scope = NULL;
	struct manga_scopes scopes = { NULL, 0 };
	size_t n = 0, max = 0;
	int rc;

	for (size_t i = 0; i < p->nr; i++)
		max += p->req[i].manga ? p->req[i].nr_subpaths : 0;
	if (!max)
		return 0;
	scope = calloc(max, sizeof(*scope));
	/* Out of memory, every manga root: slower, never wrong. */
	if (!scope)
		return writer_call(manga_refresh, NULL);
	for (size_t i = 0; i < p->nr; i++) {
		const struct scan_request *r = &p->req[i];

		for (size_t j = 0; r->manga && j < r->nr_subpaths; j++) {
			const char *sub = r->subpaths[j];
			/* Out of memory, the whole root is refreshed. */
			char *series = *sub ? strndup(sub, strcspn(sub, "/")) :
				NULL;
			const char *prev = n ? scope[n - 1].series : NULL;

			if (n && scope[n - 1].root_id == r->root_id &&
			    (!prev || (series && !strcmp(series, prev)))) {
				free(series);
				continue;
			}
			scope[n++] = (struct manga_scope){ r->root_id, series };
		}
	}
	scopes.scope = scope;
	scopes.nr = n;
	rc = writer_call(manga_refresh, &scopes);
	for (size_t i = 0; i < n; i++)
		free((char *)scope[i].series);
	free(scope);
	return rc;
}

/*
 * Mend what can be mended of the store: a deleted file is written back; a
 * full one, once its disk has room again, is written to (a small write,
 * as a test); a file system that went read-only or failed is opened
 * again (it may have been mounted again) and tested the same way; another
 * file at the store's path is opened, and a scan of every root brings it
 * up to what the library holds. Returns 0 when the store takes writes
 * again.
 */
static int mend_store(void)
{
	int rc;

	storefile_check();
	switch (storefile_fault()) {
	case STOREFILE_DELETED:
		return writer_write_back();
	case STOREFILE_FULL:
		/* a page may fit where a batch does not: only room that
		 * came back is worth a test, or health would come and go */
		return storefile_space_returned() ? writer_probe() : -EAGAIN;
	case STOREFILE_READONLY:
	case STOREFILE_IOERR:
		rc = writer_reopen();
		return rc ? rc : writer_probe();
	case STOREFILE_REPLACED:
		rc = writer_reopen();
		if (!rc) {
			log_warn("store: going on with the file now at %s;"
				 " every root is scanned again",
				 indexer_db_path());
			pthread_mutex_lock(&ix.lock);
			order_merge(&ix.pending, "recovery", 0, -1, NULL, 0);
			pthread_cond_signal(&ix.wake);
			pthread_mutex_unlock(&ix.lock);
		}
		return rc;
	default:
		return -EAGAIN;
	}
}

/* The writer lost a transaction: the scan it came from has failed, and
 * walking on would only make records to drop. */
static void on_loss(void)
{
	int none = 0;

	__atomic_compare_exchange_n(&ix.cancel, &none, CANCEL_LOSS, 0,
				    __ATOMIC_RELAXED, __ATOMIC_RELAXED);
}

/* Keep the scan's figures for the mount: the store may not have taken
 * its row, and a failure must show even then. */
static void keep_result(const struct scan_row *row, int stored)
{
	struct indexer_scan_result *r = &ix.last;

	pthread_mutex_lock(&ix.lock);
	memset(r, 0, sizeof(*r));
	r->id = row->id;
	memcpy(r->trigger, row->order->trigger, sizeof(r->trigger));
	snprintf(r->scope, sizeof(r->scope), "%s%s", row->order->all ? "all" :
		 "subtree", row->order->full ? ",full" : "");
	r->started_at = row->started_at;
	r->duration_s = row->duration_s;
	r->write_s = row->write_s;
	r->peak_rss_kb = row->peak_rss_kb;
	r->cpu_s = row->cpu_s;
	r->success = row->success;
	r->error = row->success ? 0 : row->error;
	r->stored = stored;
	r->stats = ix.stats;
	ix.has_last = 1;
	ix.unstored_failures += !stored;
	pthread_mutex_unlock(&ix.lock);
}

/* Whether a scan that failed with rc may pass when run again: the
 * daemon (or the system) was short of descriptors or memory, or the
 * store was busy, or a read failed (a disk, of the store or of a root,
 * that comes back). */
static int passes_later(int rc)
{
	return rc == -EMFILE || rc == -ENFILE || rc == -ENOMEM ||
		rc == -EIO || rc == -EBUSY || rc == -EAGAIN;
}

/*
 * Carry out one scan order from its row to its figures. Runs on the
 * indexer thread; the FUSE side sees its progress through ix.stats.
 * Returns RUN_AGAIN_STORE when a fault of the store failed it: nothing of
 * what it found may be taken as done, and it is to run again;
 * RUN_AGAIN_LATER when it failed for a reason that may pass
 * (passes_later()).
 */
static enum outcome run_order(void)
{
	struct scan_row row = { .order = &ix.current };
	const struct scan_order *o = &ix.current;
	uint64_t lost = writer_lost();
	char name[32 + INDEXER_TRIGGER_LEN];
	struct plan plan;
	enum outcome retry;
	int rc = 0, stored, loss;

	row.started_at = clock_wall();
	row.cpu_s = cpu_seconds();
	if (plan_make(&ix.current, &plan))
		return RUN_AGAIN_LATER;
	mend_store();
	writer_call(NULL, NULL);
	plan_guard(&plan, o->confirm);
	pthread_mutex_lock(&ix.lock);
	memset(&ix.stats, 0, sizeof(ix.stats));
	pthread_mutex_unlock(&ix.lock);
	/* a loss cancelled the last scan, not this one; a stop stays */
	loss = CANCEL_LOSS;
	__atomic_compare_exchange_n(&ix.cancel, &loss, 0, 0, __ATOMIC_RELAXED,
				    __ATOMIC_RELAXED);
	/* A store that takes no row takes no scan either. */
	rc = writer_call(row_begin, &row);
	if (rc && storefile_fault() == STOREFILE_OK) {
		plan_free(&plan);
		return passes_later(rc) ? RUN_AGAIN_LATER : RUN_DONE;
	}
	/* A scan shows as running with its estimate, never with 0 files. */
	if (!rc)
		writer_call(estimate, &plan);
	pthread_mutex_lock(&ix.lock);
	ix.scan_id = row.id;
	ix.scan_started_wall = row.started_at;
	ix.scan_started_mono = clock_mono();
	ix.write_s_start = writer_busy_seconds();
	ix.scanning = 1;
	pthread_mutex_unlock(&ix.lock);
	if (!rc) {
		log_info("scan %lld started (%s%s)", (long long)row.id,
			 o->trigger, o->full ? ", full" : "");
		for (size_t i = 0; i < plan.nr && rc != -ECANCELED; i++) {
			const struct scan_request *r = &plan.req[i];
			uint64_t held = scan_stat(&ix.stats.files_held);
			int err = scan_run(indexer_db_path(), r, &ix.stats);

			root_guard_held(r->root_index,
					scan_stat(&ix.stats.files_held) - held,
					!err && !*r->subpaths[0]);
			rc = err ? : rc;
		}
		writer_call(NULL, NULL);
		rc = writer_call(music_drop_orphans, NULL) ? : rc;
		rc = refresh_manga(&plan) ? : rc;
	}
	plan_free(&plan);

	row.stats = &ix.stats;
	row.duration_s = clock_mono() - ix.scan_started_mono;
	row.write_s = writer_busy_seconds() - ix.write_s_start;
	row.peak_rss_kb = peak_rss_kb();
	row.cpu_s = cpu_seconds() - row.cpu_s;
	row.success = !rc && writer_lost() == lost;
	row.error = rc ? rc : -EIO;
	stored = row.id && !writer_call(row_finish, &row);
	if (stored)
		writer_call(prune_history, NULL);
	retry = !row.success && (writer_lost() != lost ||
				 storefile_check() != STOREFILE_OK ||
				 storefile_fault() != STOREFILE_OK) ?
		RUN_AGAIN_STORE : !row.success && passes_later(rc) ?
		RUN_AGAIN_LATER : RUN_DONE;
	keep_result(&row, stored);
	if (rc != -ECANCELED)
		scan_alerts_tell(ix.cfg, &(struct scan_alerts_scan) {
			.id = row.id, .all = o->all, .success = row.success,
			.duration_s = row.duration_s, .stats = &ix.stats });
	if (row.success)
		record_latency(o);
	if (row.id)
		snprintf(name, sizeof(name), "scan %lld", (long long)row.id);
	else
		snprintf(name, sizeof(name), "a %s scan", o->trigger);
	log_info("%s %s in %.2f s: %llu files, %llu new, %llu changed,"
		 " %llu deleted, %llu tag errors, %llu i/o errors%s", name,
		 row.success ? "finished" : "failed", row.duration_s,
		 (unsigned long long)ix.stats.files_seen,
		 (unsigned long long)ix.stats.files_new,
		 (unsigned long long)ix.stats.files_changed,
		 (unsigned long long)ix.stats.files_deleted,
		 (unsigned long long)ix.stats.tag_errors,
		 (unsigned long long)ix.stats.io_errors,
		 retry == RUN_AGAIN_STORE ? "; the store failed it (see"
		 " /status/health)" : retry ? "; it runs again later" : "");

	pthread_mutex_lock(&ix.lock);
	ix.scanning = 0;
	pthread_mutex_unlock(&ix.lock);
	return retry;
}

/* Put a failed order back in front of what came meanwhile, changes the
 * watcher saw included: nothing is dropped until the store takes it. */
static void order_requeue(const struct scan_order *o)
{
	ix.pending.confirm |= o->confirm;
	if (o->all)
		order_merge(&ix.pending, o->trigger, o->full, -1, NULL,
			    o->event_at);
	for (size_t i = 0; !o->all && i < o->nr; i++)
		order_merge(&ix.pending, o->trigger, o->full,
			    o->paths[i].root, o->paths[i].sub,
			    o->paths[i].event_at);
}

/* Wait on ix.wake until the monotonic time at. */
static void wait_until(double at)
{
	struct timespec ts;
	double t;

	clock_gettime(CLOCK_REALTIME, &ts);
	t = ts.tv_sec + ts.tv_nsec / 1e9 + (at - clock_mono());
	ts.tv_sec = (time_t)t;
	ts.tv_nsec = (long)((t - ts.tv_sec) * 1e9);
	pthread_cond_timedwait(&ix.wake, &ix.lock, &ts);
}

/* Whether a root is unavailable: the indexer looks at it again. */
static int roots_down(void)
{
	for (size_t i = 0; i < ix.nr_roots; i++)
		if (root_guard_down(i))
			return 1;
	return 0;
}

/* Look again at the roots that are unavailable, with ix.lock released:
 * one that is back is watched again and scanned as a whole. */
static void roots_recheck(void)
{
	for (size_t i = 0; i < ix.nr_roots; i++) {
		if (!root_guard_down(i) ||
		    root_guard_check(i, ix.roots[i].id) == ROOT_DOWN)
			continue;
		watch_renew(i);
		pthread_mutex_lock(&ix.lock);
		order_merge(&ix.pending, "root_back", 0, i, "", 0);
		pthread_mutex_unlock(&ix.lock);
	}
}

static void *indexer_main(void *unused)
{
	enum outcome retry;
	double first, most;

	(void)unused;
	pthread_mutex_lock(&ix.lock);
	while (!ix.stopping) {
		if (!ix.has_pending && !roots_down()) {
			pthread_cond_wait(&ix.wake, &ix.lock);
			continue;
		}
		if (!ix.has_pending) {
			if (ix.guard_at > clock_mono()) {
				wait_until(ix.guard_at);
				continue;
			}
			ix.guard_at = clock_mono() + ROOT_GUARD_EVERY_S;
			pthread_mutex_unlock(&ix.lock);
			roots_recheck();
			pthread_mutex_lock(&ix.lock);
			continue;
		}
		if (ix.retry_at > clock_mono()) {
			wait_until(ix.retry_at);
			continue;
		}
		ix.current = ix.pending;
		memset(&ix.pending, 0, sizeof(ix.pending));
		ix.has_pending = 0;
		ix.busy = 1;
		pthread_mutex_unlock(&ix.lock);

		retry = run_order();

		pthread_mutex_lock(&ix.lock);
		ix.busy = 0;
		if (retry && !ix.stopping) {
			order_requeue(&ix.current);
			first = retry == RUN_AGAIN_STORE ? RETRY_FIRST_S :
				LATER_FIRST_S;
			most = retry == RUN_AGAIN_STORE ? RETRY_MAX_S :
				LATER_MAX_S;
			ix.retry_wait = fmin(fmax(ix.retry_wait, first), most);
			ix.retry_at = clock_mono() + ix.retry_wait;
			log_warn("scan: run again in %.0f s%s", ix.retry_wait,
				 retry == RUN_AGAIN_STORE ? ", or once the"
				 " store takes writes again" : "");
			ix.retry_wait = fmin(ix.retry_wait * 2, most);
		} else if (!retry) {
			ix.retry_at = 0;
			ix.retry_wait = RETRY_FIRST_S;
		}
		order_clear(&ix.current);
	}
	pthread_mutex_unlock(&ix.lock);
	return NULL;
}

/* Make the roots table match the configuration: configured roots get
 * their ids, roots no longer configured are dropped with their files.
 * Scans cut short by a kill are marked failed. */
static int sync_roots_tx(sqlite3 *db, void *unused)
{
	sqlite3_stmt *add = NULL, *get = NULL;
	int rc;

	(void)unused;
	rc = db_exec(db, "UPDATE scans SET success = 0"
		     " WHERE finished_at IS NULL;"
		     "CREATE TEMP TABLE IF NOT EXISTS keep (id INTEGER);"
		     "DELETE FROM keep;");
	if (rc)
		return rc;
	rc = db_prepare(db, "INSERT OR IGNORE INTO roots (kind, path)"
			" VALUES (?1, ?2)", &add);
	if (!rc)
		rc = db_prepare(db, "SELECT id FROM roots WHERE kind = ?1"
				" AND path = ?2", &get);
	for (size_t i = 0; !rc && i < ix.nr_roots; i++) {
		struct indexer_root *r = &ix.roots[i];
		sqlite3_stmt *st[] = { add, get };

		for (int j = 0; !rc && j < 2; j++) {
			sqlite3_bind_text(st[j], 1, r->kind, -1, SQLITE_STATIC);
			sqlite3_bind_blob(st[j], 2, r->path, strlen(r->path),
					  SQLITE_STATIC);
			rc = sqlite3_step(st[j]);
			if (rc == SQLITE_ROW)
				r->id = sqlite3_column_int64(st[j], 0);
			rc = db_rows_end(db, rc, "register root");
			sqlite3_reset(st[j]);
		}
		if (!rc) {
			char sql[64];

			snprintf(sql, sizeof(sql),
				 "INSERT INTO keep VALUES (%lld)",
				 (long long)r->id);
			rc = db_exec(db, sql);
		}
	}
	sqlite3_finalize(add);
	sqlite3_finalize(get);
	if (!rc)
		rc = db_exec(db, "DELETE FROM roots WHERE id NOT IN"
			     " (SELECT id FROM keep)");
	if (!rc)
		rc = drop_all_orphans(db);
	return rc;
}

static int sync_roots(sqlite3 *db, void *unused)
{
	return db_transaction(db, sync_roots_tx, unused);
}

/* A db_transaction() function: run the SQL text arg. */
static int exec_tx(sqlite3 *db, void *sql)
{
	return db_exec(db, sql);
}

/*
 * A scan with covers off notes no embedded picture, and an unchanged file
 * is not read again: so when covers come back on, the tracks known to
 * hold a picture are made to look changed, once, and the next scan notes
 * their pictures. The store keeps what it was last indexed with.
 */
static int sync_covers(sqlite3 *db, void *unused)
{
	sqlite3_stmt *st;
	char sql[384];
	int rc, was = 1;

	(void)unused;
	rc = db_prepare(db, "SELECT value FROM settings WHERE name = 'covers'",
			&st);
	if (rc)
		return rc;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		was = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return db_error(db, rc, "read settings");
	if (!was == !ix.cfg->covers)
		return 0;
	snprintf(sql, sizeof(sql), "%s INSERT OR REPLACE INTO settings"
		 " VALUES ('covers', %d);", ix.cfg->covers ?
		 "UPDATE files SET mtime_ns = 0 WHERE id IN"
		 " (SELECT file_id FROM tracks WHERE has_picture);"
		 "UPDATE directories SET digest = NULL WHERE id IN"
		 " (SELECT dir_id FROM files WHERE mtime_ns = 0);" : "",
		 !!ix.cfg->covers);
	return db_transaction(db, exec_tx, sql);
}

/* The manga read API counts volumes made of chapters by the store's
 * settings (manga.h), so every reader sees the [manga] key the daemon
 * runs with, a reload's too. */
static int sync_volume_from_chapters(sqlite3 *db, void *unused)
{
	char sql[128];

	(void)unused;
	snprintf(sql, sizeof(sql), "INSERT OR REPLACE INTO settings VALUES"
		 " ('volume_from_chapters', %d);",
		 !!ix.cfg->volume_from_chapters);
	return db_transaction(db, exec_tx, sql);
}

/* The configured roots, music first, in a new block. */
static struct roots *roots_new(const struct config *cfg)
{
	const struct config_list *lists[] = {
		&cfg->music_roots, &cfg->manga_roots,
	};
	const char *kinds[] = { "music", "manga" };
	const int follow[] = {
		cfg->music_follow_outside, cfg->manga_follow_outside,
	};
	size_t n = cfg->music_roots.nr + cfg->manga_roots.nr;
	struct roots *b = calloc(1, sizeof(*b) + n * (sizeof(*b->r) +
						      sizeof(*b->paths)));

	if (!b) {
		log_error(-ENOMEM, "indexer: out of memory");
		return NULL;
	}
	b->paths = (const char **)&b->r[n];
	for (size_t k = 0; k < 2; k++)
		for (size_t i = 0; i < lists[k]->nr; i++) {
			b->paths[b->nr] = lists[k]->items[i];
			b->r[b->nr++] = (struct indexer_root){
				.kind = kinds[k],
				.path = lists[k]->items[i],
				.follow_outside = follow[k],
			};
		}
	return b;
}

/* Whether a scan runs or waits, or the store fails: the jobs thread's
 * auto checks and the analysis wait for both. */
static int scanning(void)
{
	int busy;

	pthread_mutex_lock(&ix.lock);
	busy = ix.busy || ix.has_pending;
	pthread_mutex_unlock(&ix.lock);
	return busy || storefile_fault() != STOREFILE_OK;
}

static int rescan_all(const char *trigger)
{
	return indexer_rescan(trigger, 0, NULL);
}

/* Library folders changed: the repair's jobs bring its links up to date
 * (all of them when nr is 0). */
static void libs_changed(char *const *paths, size_t nr)
{
	rd_watch_changed(paths, nr);
	jobs_submit(JOBS_REPAIR_LINKS, "watch");
}

/* Start the watcher on the roots and, when the repair runs (a mount and
 * a library are set), on the library folders named as its walk names
 * them. Without inotify the index still works, by rescans only. */
static void start_watch(const struct config *cfg)
{
	size_t nr_libs = cfg->rd_mount ? cfg->rd_libraries.nr : 0;
	const char **roots = calloc(ix.nr_roots + 1, sizeof(*roots));
	char **libs = calloc(nr_libs + 1, sizeof(*libs));
	struct watch_setup set = {
		.roots = roots, .nr_roots = ix.nr_roots,
		.libs = libs, .nr_libs = nr_libs,
		.rescan = indexer_rescan_paths, .rescan_all = rescan_all,
		.libs_changed = libs_changed,
	};
	size_t i;

	for (i = 0; roots && i < ix.nr_roots; i++)
		roots[i] = ix.roots[i].path;
	for (i = 0; libs && i < nr_libs; i++)
		if (!(libs[i] = path_normalize(NULL,
						   cfg->rd_libraries.items[i])))
			break;
	if (roots && libs && i == nr_libs)
		watch_start(cfg, &set);
	else
		log_error(-ENOMEM, "indexer: cannot start the watcher");
	for (size_t k = 0; libs && k < nr_libs; k++)
		free(libs[k]);
	free(libs);
	free(roots);
}

/* Hand the roots of this start to the root guard. */
static void guard_roots(void)
{
	struct root_guard_root *g = calloc(ix.nr_roots ? ix.nr_roots : 1,
					   sizeof(*g));

	for (size_t i = 0; g && i < ix.nr_roots; i++)
		g[i] = (struct root_guard_root){ ix.roots[i].kind,
						 ix.roots[i].path };
	root_guard_reset(g, g ? ix.nr_roots : 0);
	free(g);
}

int indexer_start(const struct config *cfg)
{
	int rc;

	ix.cfg = cfg;
	ix.started_at = clock_wall();
	/* the pid a second instance is told of: ours, since daemonizing */
	storefile_note_pid();
	ix.stopping = 0;
	ix.cancel = 0;
	ix.block = roots_new(cfg);
	if (!ix.block)
		return -ENOMEM;
	ix.roots = ix.block->r;
	ix.nr_roots = ix.block->nr;
	guard_roots();
	rc = writer_register(&music_writer_ops);
	if (!rc)
		rc = writer_start(cfg->database);
	if (rc)
		goto fail;
	writer_on_loss(on_loss);
	covers_enable(cfg->covers);
	covers_set_max_picture(cfg->max_picture);
	gone_set_keep(cfg->keep_gone_s);
	rc = writer_call(sync_roots, NULL);
	if (!rc)
		rc = writer_call(sync_covers, NULL);
	if (!rc)
		rc = writer_call(sync_volume_from_chapters, NULL);
	/* Without notifications the index still works, silently. */
	if (!rc && notifier_start(cfg))
		log_warn("indexer: no notifier, so no notifications");
	if (!rc) {
		start_watch(cfg);
		rc = thread_start(&ix.thread, indexer_main, NULL, "mm-indexer");
		if (rc)
			log_error(rc, "indexer: cannot start thread");
	}
	if (rc) {
		watch_stop();
		notifier_stop();
		writer_stop();
		goto fail;
	}
	pthread_mutex_lock(&ix.lock);
	ix.running = 1;
	pthread_mutex_unlock(&ix.lock);
	__atomic_store_n(&shown, ix.block, __ATOMIC_RELEASE);
	/* a restored store holds the library of its backup, or nothing:
	 * every file is read again */
	rc = indexer_rescan(ix.recovered ? "recovery" : "startup",
			    ix.recovered, NULL);
	ix.recovered = 0;
	/* Without the jobs thread the index still works, unmonitored. */
	if (!rc && jobs_start(cfg, scanning))
		log_warn("indexer: no jobs thread, so no checks");
	if (!rc && analysis_worker_start(cfg, scanning, indexer_open_file))
		log_warn("indexer: no analysis workers, so no analysis");
	return rc;
fail:
	root_guard_reset(NULL, 0);
	free(ix.block);
	ix.block = NULL;
	ix.roots = NULL;
	ix.nr_roots = 0;
	return rc;
}

void indexer_stop(void)
{
	if (!ix.running)
		return;
	jobs_stop();
	analysis_worker_stop();
	__atomic_store_n(&ix.cancel, CANCEL_STOP, __ATOMIC_RELAXED);
	/* Scan workers add watches: they must be gone before the watcher. */
	thread_stop(ix.thread, &ix.lock, &ix.wake, &ix.stopping);
	watch_stop();
	order_clear(&ix.pending);
	ix.has_pending = 0;
	ix.retry_at = 0;
	ix.retry_wait = RETRY_FIRST_S;
	writer_on_loss(NULL);
	notifier_stop();
	writer_stop();
	__atomic_store_n(&shown, NULL, __ATOMIC_RELEASE);
	pthread_mutex_lock(&ix.lock);
	ix.block->retired = retired;
	retired = ix.block;
	ix.block = NULL;
	ix.roots = NULL;
	ix.nr_roots = 0;
	ix.running = 0;
	pthread_mutex_unlock(&ix.lock);
}

void indexer_status(struct indexer_status *out)
{
	const uint64_t *src = (const uint64_t *)&ix.stats;
	uint64_t *dst = (uint64_t *)&out->scan;

	memset(out, 0, sizeof(*out));
	out->started_at = ix.started_at;
	out->dry_run = jobs_dry_run();
	pthread_mutex_lock(&ix.lock);
	out->counters_since = ix.counters_since ? ix.counters_since :
			      ix.started_at;
	out->scan_pending = ix.has_pending;
	if (ix.has_pending && ix.retry_at)
		out->scan_retry_in_s = fmax(0, ix.retry_at - clock_mono());
	out->has_last = ix.has_last;
	out->last = ix.last;
	out->unstored_failures = ix.unstored_failures;
	out->state = ix.scanning ? "scanning" : "idle";
	if (ix.scanning) {
		out->scan_id = ix.scan_id;
		memcpy(out->scan_trigger, ix.current.trigger,
		       sizeof(out->scan_trigger));
		out->scan_full = ix.current.full;
		out->scan_started_at = ix.scan_started_wall;
		out->scan_elapsed_s = clock_mono() - ix.scan_started_mono;
		out->scan_write_s = writer_busy_seconds() - ix.write_s_start;
		for (size_t i = 0; i < sizeof(ix.stats) / sizeof(*src); i++)
			dst[i] = scan_stat(&src[i]);
	}
	pthread_mutex_unlock(&ix.lock);
	jobs_status(&out->jobs);
	analysis_worker_status(&out->analysis);
	if (!strcmp(out->state, "idle") && (out->jobs.running &
					     (JOBS_REPAIR_SCAN |
					      JOBS_REPAIR_RUN)))
		out->state = "repairing";
	else if (!strcmp(out->state, "idle") &&
		 (out->jobs.running & JOBS_CHECKS))
		out->state = "checking";
	if (!strcmp(out->state, "idle") && out->analysis.paused)
		out->state = "paused";
}

/*
 * A connection met a corrupt page: quick_check says how bad. A damaged
 * store is recovered with the indexer stopped (recovery.h), and every
 * file is read again into what it became; a sound one was a false alarm.
 */
static void check_corruption(void)
{
	const struct config *cfg = ix.cfg;
	int rc = storefile_damaged(cfg->database, NULL);

	if (!rc) {
		log_info("database %s: quick_check finds it sound",
			 cfg->database);
		storefile_clear();
	}
	if (rc <= 0)
		return;
	indexer_stop();
	rc = recovery_check(cfg->database);
	ix.recovered = rc > 0;
	if (rc >= 0 && !indexer_start(cfg))
		return;
	log_error(rc < 0 ? rc : -EIO, "database %s: the indexer stays"
		  " stopped: the store could not be recovered (see above)",
		  cfg->database);
}

void indexer_watch_store(void)
{
	double now = clock_mono();
	int running, retry = 0;

	pthread_mutex_lock(&ix.lock);
	running = ix.running && !ix.stopping;
	pthread_mutex_unlock(&ix.lock);
	if (!running)
		return;
	if (storefile_take_suspect()) {
		check_corruption();
		return;
	}
	storefile_check();
	if (storefile_fault() == STOREFILE_OK) {
		ix.mend_at = 0;
		ix.mend_wait = RETRY_FIRST_S;
	} else if (now >= ix.mend_at || storefile_space_returned()) {
		/* tried again later, and later, while it fails; at once
		 * when the disk has room again */
		retry = !mend_store();
		ix.mend_at = now + ix.mend_wait;
		ix.mend_wait = fmin(ix.mend_wait * 2, RETRY_MAX_S);
	}
	if (retry)
		log_info("store: it takes writes again");
	pthread_mutex_lock(&ix.lock);
	if (retry && ix.retry_at) {
		ix.retry_at = 0;
		pthread_cond_signal(&ix.wake);
	}
	pthread_mutex_unlock(&ix.lock);
}

void indexer_pause_analysis(int on)
{
	log_info("analysis %s", on ? "paused" : "resumed");
	analysis_worker_pause(on);
}

void indexer_reset_metrics(void)
{
	pthread_mutex_lock(&ix.lock);
	ix.counters_since = clock_wall();
	pthread_mutex_unlock(&ix.lock);
	watch_reset_counters();
	jobs_reset_stats();
	analysis_worker_reset_counters();
	log_info("metrics: the counters since the start set to zero");
}

void indexer_note_read(void)
{
	analysis_worker_note_read();
}

int indexer_check(unsigned jobs, const char *trigger)
{
	return jobs_submit(jobs, trigger);
}

int indexer_retry_clients(const char *trigger)
{
	log_info("download: clients that refused their credentials will be"
		 " asked again (%s)", trigger);
	download_retry();
	return jobs_submit(JOBS_CHECK_MISSING, trigger);
}

int indexer_repair(const struct rd_ask *ask, const char *trigger)
{
	return jobs_submit_repair(ask, trigger);
}

int indexer_repair_torrent(enum rd_command cmd, const char *id,
			   const char *trigger)
{
	return jobs_submit_torrent(cmd, id, trigger);
}

void indexer_set_dry_run(int on)
{
	log_info("dry-run %s", on ? "on: nothing is sent or deleted" :
		 "off: downloads and repairs are carried out");
	jobs_set_dry_run(on);
}

uint64_t indexer_generation(void)
{
	return writer_generation();
}

const char *indexer_db_path(void)
{
	return ix.cfg->database;
}

void indexer_store_health(struct strbuf *errors, struct strbuf *warns)
{
	uint64_t write_errors = writer_errors();

	if (write_errors)
		strbuf_addf(errors, "error: %llu records could not be written"
			    " to the database (see /log)\n",
			    (unsigned long long)write_errors);
	storefile_health(errors, warns);
}

const struct indexer_root *indexer_roots(size_t *nr)
{
	const struct roots *b = __atomic_load_n(&shown, __ATOMIC_ACQUIRE);

	*nr = b ? b->nr : 0;
	return b ? b->r : NULL;
}

int indexer_open_file(const char *path, int flags)
{
	const struct roots *b = __atomic_load_n(&shown, __ATOMIC_ACQUIRE);
	struct symlinks_rule rule = { 0 };

	if (b) {
		rule.roots = b->paths;
		rule.nr_roots = b->nr;
	}
	for (size_t i = 0; i < rule.nr_roots; i++)
		if (path_under(path, b->r[i].path))
			rule.follow_outside = b->r[i].follow_outside;
	return symlinks_open_path(path, flags, &rule);
}

int indexer_prepare_store(const char *path, int shared_ok)
{
	sqlite3 *db;
	int rc;

	rc = storefile_claim(path, shared_ok);
	if (!rc)
		rc = recovery_check(path);
	if (rc < 0)
		return rc;
	ix.recovered = rc > 0;
	rc = db_open(path, 0, &db);
	if (rc)
		return rc;
	rc = schema_migrate(db);
	db_close(db);
	return rc;
}

int indexer_blocklist(const char *id, int remove)
{
	return remove ? blocklist_remove(id) :
		blocklist_add(id, NULL, "blocklisted by the user");
}

int indexer_set_series_prefs(int64_t series, const char *text)
{
	struct strbuf canon = STRBUF_INIT;
	struct prefs_own own;
	struct manga_setting s = {
		.series = series, .what = MANGA_SET_PREFS,
	};
	int rc = prefs_parse(text, &own, &canon);

	if (rc)
		return rc;
	prefs_own_release(&own);
	s.text = canon.buf;
	rc = writer_call_urgent(manga_store_setting, &s);
	strbuf_release(&canon);
	return rc;
}

int indexer_set_series_monitored(int64_t series, int on)
{
	struct manga_setting s = {
		.series = series, .what = MANGA_SET_MONITORED,
		.number = !!on, .is_number = 1,
	};

	return writer_call_urgent(manga_store_setting, &s);
}

int indexer_set_series_latest(int64_t series, long latest)
{
	struct manga_setting s = {
		.series = series, .what = MANGA_SET_LATEST,
		.number = latest, .is_number = latest > 0,
	};

	if (latest < 0 || latest > NAMES_MAX_NUMBER)
		return -EINVAL;
	return writer_call_urgent(manga_store_setting, &s);
}

int indexer_set_series_source(int64_t series, const char *source)
{
	struct manga_setting s = {
		.series = series, .what = MANGA_SET_SOURCE, .text = source,
	};

	return writer_call_urgent(manga_store_setting, &s);
}
