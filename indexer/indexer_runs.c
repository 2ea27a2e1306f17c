/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * One scan order carried out, on the indexer thread: planned as one scan
 * of each root with all its paths (unavailable roots left out), its row
 * in the scan history begun and finished, its files estimated, each
 * root's scan run (library/scan.h), the manga series it touched rebuilt,
 * and its result kept for the mount and told (scan_alerts.h). It neither
 * queues nor waits: when to run an order, and again, is indexer.c's.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "common/clock.h"
#include "common/config.h"
#include "common/db.h"
#include "common/log.h"
#include "common/path.h"
#include "common/strbuf.h"
#include "indexer/indexer_private.h"
#include "indexer/library/music.h"
#include "indexer/library/root_guard.h"
#include "indexer/library/scan_count.h"
#include "indexer/library/scan_errors.h"
#include "indexer/maintenance.h"
#include "indexer/manga/manga.h"
#include "indexer/scan_alerts.h"
#include "indexer/store/storefile.h"
#include "indexer/store/writer.h"

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
	const char *first_errors;	/* JSON (scan_errors.h), or NULL */
};

void indexer_scope(const struct scan_order *o, char out[INDEXER_SCOPE_LEN])
{
	snprintf(out, INDEXER_SCOPE_LEN, "%s%s", o->all ? "all" : "subtree",
		 o->full ? ",full" : "");
}

static int row_begin(sqlite3 *db, void *arg)
{
	struct scan_row *row = arg;
	sqlite3_stmt *st;
	char scope[INDEXER_SCOPE_LEN];
	int rc;

	indexer_scope(row->order, scope);
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
		" peak_rss_kb = ?15, success = ?16, cpu_s = ?17,"
		" first_errors = ?18 WHERE id = ?1",
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
	if (row->first_errors)
		sqlite3_bind_text(st, 18, row->first_errors, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : db_error(db, rc, "finish scan");
}

/* A busy folder scans a few times a second: the history keeps the
 * newest scans alone, between two cleanups too. */
static int prune_history(sqlite3 *db, void *unused)
{
	(void)unused;
	return maintenance_prune_scans(db, indexer.cfg->retention_scans, 0);
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
	size_t n = o->all ? indexer.nr_roots : o->nr, kept = 0;

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
			.root_id = indexer.roots[root].id,
			.root_path = indexer.roots[root].path,
			.full = o->full,
			.confirm_removal = o->confirm,
			.threads = indexer.cfg->threads,
			.io_depth = indexer.cfg->scan_io_depth,
			.cancel = &indexer.cancel,
			.roots = indexer.block->paths,
			.nr_roots = indexer.nr_roots,
			.follow_outside = indexer.roots[root].follow_outside,
			.on_dir = watch_dir,
			.on_dir_gone = watch_forget,
			.moved_since = watch_moved_since,
			.root_index = root,
			.nr_subpaths = 1,
			.manga = !strcmp(indexer.roots[root].kind, "manga"),
			.covers = indexer.cfg->covers,
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
		enum root_state st = root_guard_check(k, indexer.roots[k].id);

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

/* 1 when each root of the plan has a file in the store already, 0 when
 * one has none (a root just added: no count of the past knows it). */
static int roots_known(sqlite3 *db, const struct plan *p)
{
	sqlite3_int64 known = 1;
	int rc = 0;

	for (size_t i = 0; !rc && known && i < p->nr; i++)
		rc = db_one_int(db, "look for new roots", "SELECT EXISTS"
				" (SELECT 1 FROM files WHERE root_id = ?1)",
				DB_ARGS(DB_INT(p->req[i].root_id)), &known);
	return rc ? rc : !!known;
}

/* Count what the plan will walk, for progress (0: unknown); runs on the
 * writer. */
static int estimate(sqlite3 *db, void *arg)
{
	const struct plan *p = arg;
	sqlite3_stmt *st;
	uint64_t n = 0;
	int rc = 0;

	indexer.stats.total_estimate = 0;
	/* Every root: as many files as the last such scan saw, which costs
	 * nothing, where counting them is a pass over every file's row
	 * (a tenth of a no-change rescan); unknown while a root is new. */
	if (indexer.current.all && (rc = roots_known(db, p)) <= 0)
		return rc;
	if (indexer.current.all) {
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
	for (size_t i = 0; !rc && !indexer.current.all && i < p->nr; i++)
		rc = scan_estimate(db, &p->req[i], &n);
	indexer.stats.total_estimate = n;
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

/* The writer lost a transaction: the scan it came from has failed, and
 * walking on would only make records to drop. */
void indexer_on_loss(void)
{
	int none = 0;

	__atomic_compare_exchange_n(&indexer.cancel, &none, CANCEL_LOSS, 0,
				    __ATOMIC_RELAXED, __ATOMIC_RELAXED);
}

/* Keep the scan's figures for the mount: the store may not have taken
 * its row, and a failure must show even then. */
static void keep_result(const struct scan_row *row, int stored)
{
	struct indexer_scan_result *r = &indexer.last;

	pthread_mutex_lock(&indexer.lock);
	memset(r, 0, sizeof(*r));
	r->id = row->id;
	memcpy(r->trigger, row->order->trigger, sizeof(r->trigger));
	indexer_scope(row->order, r->scope);
	r->started_at = row->started_at;
	r->duration_s = row->duration_s;
	r->write_s = row->write_s;
	r->peak_rss_kb = row->peak_rss_kb;
	r->cpu_s = row->cpu_s;
	r->success = row->success;
	r->error = row->success ? 0 : row->error;
	r->stored = stored;
	r->stats = indexer.stats;
	indexer.has_last = 1;
	indexer.unstored_failures += !stored;
	pthread_mutex_unlock(&indexer.lock);
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

/* The scan of row shows as running from now on, its clocks started. */
static void mark_running(struct scan_row *row)
{
	pthread_mutex_lock(&indexer.lock);
	indexer.scan_id = row->id;
	indexer.scan_started_wall = row->started_at;
	indexer.scan_started_mono = clock_mono();
	/* over the same time as the duration, so its share means something */
	row->cpu_s = cpu_seconds();
	indexer.write_s_start = writer_busy_seconds();
	indexer.starting = 0;
	indexer.scanning = 1;
	pthread_mutex_unlock(&indexer.lock);
}

/* Scan each request of plan (until one is cancelled), then drop the
 * orphans and refresh the manga; the last failure is returned. */
static int walk_plan(const struct plan *plan)
{
	int rc = 0;

	for (size_t i = 0; i < plan->nr && rc != -ECANCELED; i++) {
		const struct scan_request *r = &plan->req[i];
		uint64_t held = scan_stat(&indexer.stats.files_held);
		int err = scan_run(indexer_db_path(), r, &indexer.stats);

		root_guard_held(r->root_index,
				scan_stat(&indexer.stats.files_held) - held,
				!err && !*r->subpaths[0]);
		rc = err ? : rc;
	}
	writer_call(NULL, NULL);
	rc = writer_call(music_drop_orphans, NULL) ? : rc;
	return refresh_manga(plan) ? : rc;
}

/* Log the end of row's scan, its figures and whether it runs again. */
static void log_finished(const struct scan_row *row,
			 enum indexer_outcome retry)
{
	char name[32 + INDEXER_TRIGGER_LEN];

	if (row->id)
		snprintf(name, sizeof(name), "scan %lld", (long long)row->id);
	else
		snprintf(name, sizeof(name), "a %s scan",
			 row->order->trigger);
	log_info("%s %s in %.2f s: %llu files, %llu new, %llu changed,"
		 " %llu deleted, %llu tag errors, %llu i/o errors%s", name,
		 row->success ? "finished" : "failed", row->duration_s,
		 (unsigned long long)indexer.stats.files_seen,
		 (unsigned long long)indexer.stats.files_new,
		 (unsigned long long)indexer.stats.files_changed,
		 (unsigned long long)indexer.stats.files_deleted,
		 (unsigned long long)indexer.stats.tag_errors,
		 (unsigned long long)indexer.stats.io_errors,
		 retry == RUN_AGAIN_STORE ? "; the store failed it (see"
		 " /status/health)" : retry ? "; it runs again later" : "");
}

/*
 * Carry out one scan order from its row to its figures. Runs on the
 * indexer thread; the FUSE side sees its progress through indexer.stats.
 * Returns RUN_AGAIN_STORE when a fault of the store failed it: nothing of
 * what it found may be taken as done, and it is to run again;
 * RUN_AGAIN_LATER when it failed for a reason that may pass
 * (passes_later()).
 */
/* Before a run: PLAN's requests share ERRORS, the store is mended and
 * its queue drained, the counts start again and a loss's cancel is
 * cleared. */
static void prepare_run(struct plan *plan, struct scan_errors *errors)
{
	int loss = CANCEL_LOSS;

	scan_errors_init(errors);
	for (size_t i = 0; i < plan->nr; i++)
		plan->req[i].errors = errors;
	indexer_mend_store();
	writer_call(NULL, NULL);
	plan_guard(plan, indexer.current.confirm);
	pthread_mutex_lock(&indexer.lock);
	memset(&indexer.stats, 0, sizeof(indexer.stats));
	pthread_mutex_unlock(&indexer.lock);
	/* a loss cancelled the last scan, not this one; a stop stays */
	__atomic_compare_exchange_n(&indexer.cancel, &loss, 0, 0,
				    __ATOMIC_RELAXED, __ATOMIC_RELAXED);
}

/* After a run that ended with RC while the writer had lost LOST rows
 * before it: ROW's figures stored and told; what the loop does next. */
static enum indexer_outcome finish_run(struct scan_row *row, int rc,
				       uint64_t lost)
{
	const struct scan_order *o = &indexer.current;
	enum indexer_outcome retry;
	int stored;

	row->stats = &indexer.stats;
	row->duration_s = clock_mono() - indexer.scan_started_mono;
	row->write_s = writer_busy_seconds() - indexer.write_s_start;
	row->peak_rss_kb = peak_rss_kb();
	row->cpu_s = cpu_seconds() - row->cpu_s;
	row->success = !rc && writer_lost() == lost;
	row->error = rc ? rc : -EIO;
	stored = row->id && !writer_call(row_finish, row);
	if (stored)
		writer_call(prune_history, NULL);
	retry = !row->success && (writer_lost() != lost ||
				  storefile_check() != STOREFILE_OK ||
				  storefile_fault() != STOREFILE_OK) ?
		RUN_AGAIN_STORE : !row->success && passes_later(rc) ?
		RUN_AGAIN_LATER : RUN_DONE;
	keep_result(row, stored);
	if (rc != -ECANCELED)
		scan_alerts_tell(indexer.cfg, &(struct scan_alerts_scan) {
			.id = row->id, .all = o->all, .success = row->success,
			.duration_s = row->duration_s,
			.stats = &indexer.stats });
	if (row->success)
		record_latency(o);
	log_finished(row, retry);
	return retry;
}

enum indexer_outcome indexer_run_order(void)
{
	struct scan_row row = { .order = &indexer.current };
	struct scan_count count = { .started = 0 };
	const struct scan_order *o = &indexer.current;
	uint64_t lost = writer_lost();
	struct plan plan;
	struct scan_errors errors;
	struct strbuf first_errors = STRBUF_INIT;
	enum indexer_outcome retry;
	int rc = 0;

	row.started_at = clock_wall();
	if (plan_make(&indexer.current, &plan))
		return RUN_AGAIN_LATER;
	prepare_run(&plan, &errors);
	/* A store that takes no row takes no scan either. */
	rc = writer_call(row_begin, &row);
	if (rc && storefile_fault() == STOREFILE_OK) {
		plan_free(&plan);
		scan_errors_destroy(&errors);
		return passes_later(rc) ? RUN_AGAIN_LATER : RUN_DONE;
	}
	/* A scan shows as running with its estimate, never with 0 files;
	 * one the store has none for counts the files on disk ahead. */
	if (!rc)
		writer_call(estimate, &plan);
	if (!rc && !indexer.stats.total_estimate)
		scan_count_start(&count, plan.req, plan.nr,
				 &indexer.stats.total_estimate,
				 &indexer.stats.counting);
	mark_running(&row);
	if (!rc) {
		log_info("scan %lld started (%s%s)", (long long)row.id,
			 o->trigger, o->full ? ", full" : "");
		rc = walk_plan(&plan);
	}
	scan_count_stop(&count);
	plan_free(&plan);
	if (scan_errors_json(&errors, &first_errors))
		log_warn("scan %lld: out of memory for its first errors' text",
			 (long long)row.id);
	scan_errors_destroy(&errors);

	row.first_errors = first_errors.len ? first_errors.buf : NULL;
	retry = finish_run(&row, rc, lost);
	strbuf_release(&first_errors);

	pthread_mutex_lock(&indexer.lock);
	indexer.scanning = 0;
	pthread_mutex_unlock(&indexer.lock);
	return retry;
}
