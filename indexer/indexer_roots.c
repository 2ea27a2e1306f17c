/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The roots of a start: the configured music and manga roots as one
 * block, shown to the mount's threads (indexer_roots(),
 * indexer_open_file()) and kept after a reload; the store's roots table
 * made to match them; the watcher and the root guard given them, and the
 * unavailable ones looked at again. It queues scans through the queue
 * (indexer_queue.c) and runs none itself.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/config.h"
#include "common/db.h"
#include "common/log.h"
#include "common/path.h"
#include "common/symlinks.h"
#include "indexer/indexer_private.h"
#include "indexer/jobs.h"
#include "indexer/library/root_guard.h"
#include "indexer/library/watch.h"
#include "indexer/realdebrid/rd_watch.h"

static struct indexer_roots_block *shown;	/* read and set atomically */
static struct indexer_roots_block *retired;

/* The configured roots, music first, in a new block. */
struct indexer_roots_block *indexer_roots_new(const struct config *cfg)
{
	const struct config_list *lists[] = {
		&cfg->music_roots, &cfg->manga_roots,
	};
	const char *kinds[] = { "music", "manga" };
	const int follow[] = {
		cfg->music_follow_outside, cfg->manga_follow_outside,
	};
	size_t n = cfg->music_roots.nr + cfg->manga_roots.nr;
	struct indexer_roots_block *b = calloc(1, sizeof(*b) +
					       n * (sizeof(*b->r) +
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
	for (size_t i = 0; !rc && i < indexer.nr_roots; i++) {
		struct indexer_root *r = &indexer.roots[i];
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

int indexer_sync_roots(sqlite3 *db, void *unused)
{
	return db_transaction(db, sync_roots_tx, unused);
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
void indexer_start_watch(const struct config *cfg)
{
	size_t nr_libs = cfg->rd_mount ? cfg->rd_libraries.nr : 0;
	const char **roots = calloc(indexer.nr_roots + 1, sizeof(*roots));
	char **libs = calloc(nr_libs + 1, sizeof(*libs));
	struct watch_setup set = {
		.roots = roots, .nr_roots = indexer.nr_roots,
		.libs = libs, .nr_libs = nr_libs,
		.rescan = indexer_rescan_paths,
		.libs_changed = libs_changed,
	};
	size_t i;

	for (i = 0; roots && i < indexer.nr_roots; i++)
		roots[i] = indexer.roots[i].path;
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
void indexer_guard_roots(void)
{
	struct root_guard_root *g = calloc(indexer.nr_roots ?
					   indexer.nr_roots : 1, sizeof(*g));

	for (size_t i = 0; g && i < indexer.nr_roots; i++)
		g[i] = (struct root_guard_root){ indexer.roots[i].kind,
						 indexer.roots[i].path };
	root_guard_reset(g, g ? indexer.nr_roots : 0);
	free(g);
}

/* Whether a root is unavailable: the indexer looks at it again. */
int indexer_roots_down(void)
{
	for (size_t i = 0; i < indexer.nr_roots; i++)
		if (root_guard_down(i))
			return 1;
	return 0;
}

/* Look again at the roots that are unavailable, with indexer.lock
 * released: one that is back is watched again and scanned as a whole. */
void indexer_roots_recheck(void)
{
	for (size_t i = 0; i < indexer.nr_roots; i++) {
		if (!root_guard_down(i) ||
		    root_guard_check(i, indexer.roots[i].id) == ROOT_DOWN)
			continue;
		watch_renew(i);
		pthread_mutex_lock(&indexer.lock);
		indexer_order_merge(&indexer.pending, "root_back", 0, i, "",
				    0);
		pthread_mutex_unlock(&indexer.lock);
	}
}

/* Show block b to the readers of the roots (NULL: none). */
void indexer_roots_show(struct indexer_roots_block *b)
{
	__atomic_store_n(&shown, b, __ATOMIC_RELEASE);
}

/* Keep block b, no longer shown, until the daemon exits. */
void indexer_roots_retire(struct indexer_roots_block *b)
{
	b->retired = retired;
	retired = b;
}

const struct indexer_root *indexer_roots(size_t *nr)
{
	const struct indexer_roots_block *b = __atomic_load_n(&shown,
							      __ATOMIC_ACQUIRE);

	*nr = b ? b->nr : 0;
	return b ? b->r : NULL;
}

int indexer_open_file(const char *path, int flags)
{
	const struct indexer_roots_block *b = __atomic_load_n(&shown,
							      __ATOMIC_ACQUIRE);
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
