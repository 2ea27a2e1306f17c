/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Whether a root may be scanned (root_guard.h): the look at it, the
 * store's rows of it, and its state for health. Scanning, watching and
 * the timing of the looks are the indexer's.
 */
#include "indexer/library/root_guard.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/bytes.h"
#include "common/db.h"
#include "common/log.h"
#include "common/notify.h"
#include "indexer/store/writer.h"

#define WHY_LEN 40

struct guarded {
	struct root_guard_root root;	/* its strings owned here */
	int down;
	int err;		/* the last look's, 0 when it saw none */
	char why[WHY_LEN];
	long long kept;
	uint64_t held;		/* files whose removal waits */
};

static struct {
	pthread_mutex_t lock;
	struct guarded *v;
	size_t nr;
} rg = { .lock = PTHREAD_MUTEX_INITIALIZER };

/* What read_held() reads: each bit a query of its, in order. */
#define HELD_FILES 1		/* has_files, stored_dev */
#define HELD_KEPT 2		/* kept */
#define HELD_TOP 4		/* top, nr_top */

/* What the store holds of a root, read on the writer. */
struct root_held {
	int64_t root_id;
	int manga;
	int want;		/* HELD_ bits */
	int has_files;
	long long stored_dev;	/* 0: none recorded */
	long long kept;		/* tracks, or volumes for manga */
	struct strbuf top;	/* names, each ended by a NUL */
	size_t nr_top;
	long long new_dev;	/* for record_dev() */
};

/* A writer_call() function: fill what the struct root_held arg wants of the
 * store: up to 16 of the top entries it knows are looked for on a new
 * device. */
static int read_held(sqlite3 *db, void *arg)
{
	struct root_held *h = arg;
	const char *sql[] = {
		"SELECT EXISTS (SELECT 1 FROM directories d JOIN files f"
		" ON f.dir_id = d.id WHERE d.root_id = ?1),"
		" (SELECT dev FROM roots WHERE id = ?1)",
		h->manga ?
		"SELECT count(*) FROM volumes v JOIN series s"
		" ON s.id = v.series_id WHERE s.root_id = ?1" :
		"SELECT count(*) FROM directories d JOIN files f"
		" ON f.dir_id = d.id JOIN tracks t ON t.file_id = f.id"
		" WHERE d.root_id = ?1",
		"SELECT path FROM directories WHERE root_id = ?1"
		" AND length(path) > 0 AND instr(path, '/') = 0"
		" UNION ALL SELECT f.name FROM directories d JOIN files f"
		" ON f.dir_id = d.id WHERE d.root_id = ?1"
		" AND length(d.path) = 0"
		" LIMIT 16",
	};
	int rc = 0;

	for (size_t i = 0; !rc && i < ARRAY_SIZE(sql); i++) {
		sqlite3_stmt *st;

		if (!(h->want & (1 << i)))
			continue;
		rc = db_prepare(db, sql[i], &st);
		if (rc)
			break;
		sqlite3_bind_int64(st, 1, h->root_id);
		while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			if (i == 0) {
				h->has_files = sqlite3_column_int(st, 0);
				h->stored_dev = sqlite3_column_int64(st, 1);
			} else if (i == 1) {
				h->kept = sqlite3_column_int64(st, 0);
			} else {
				strbuf_add(&h->top, sqlite3_column_blob(st, 0),
					   sqlite3_column_bytes(st, 0));
				strbuf_addch(&h->top, '\0');
				h->nr_top++;
			}
		}
		rc = db_rows_end(db, rc, "read a root's rows");
		sqlite3_finalize(st);
	}
	return rc;
}

static int record_dev(sqlite3 *db, void *arg)
{
	const struct root_held *h = arg;
	sqlite3_stmt *st;
	int rc = db_prepare(db, "UPDATE roots SET dev = ?2 WHERE id = ?1",
			    &st);

	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, h->root_id);
	sqlite3_bind_int64(st, 2, h->new_dev);
	rc = db_step(st, "record a root's device");
	sqlite3_finalize(st);
	return rc;
}

/* Whether one of the top entries the store knows is in the root. */
static int has_known_entry(const char *root, const struct root_held *h)
{
	const char *name = h->top.buf;
	int fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int found = 0;
	struct stat st;

	if (fd < 0)
		return 0;
	for (size_t i = 0; !found && i < h->nr_top; i++) {
		found = !fstatat(fd, name, &st, AT_SYMLINK_NOFOLLOW);
		name += strlen(name) + 1;
	}
	close(fd);
	return found;
}

/* Why the root at path, whose rows h holds, may not be scanned; NULL
 * when it may. On another device, the top entries are read. */
static const char *root_refusal(const char *path, const struct root_probe *p,
				struct root_held *h)
{
	if (!h->has_files)
		return NULL;
	/* The daemon's own shortage says nothing of the root: the scan
	 * fails, and runs again, as any scan would. */
	if (p->err)
		return root_probe_why(p->err);
	if (!p->has_entries)
		return "empty";
	if (!h->stored_dev || h->stored_dev == (long long)p->dev)
		return NULL;
	h->want = HELD_TOP;
	if (!writer_call(read_held, h) && h->nr_top &&
	    !has_known_entry(path, h))
		return "not the same file system";
	return NULL;
}

static void guarded_free(struct guarded *v, size_t nr)
{
	for (size_t i = 0; i < nr; i++) {
		free((char *)v[i].root.kind);
		free((char *)v[i].root.path);
	}
	free(v);
}

void root_guard_reset(const struct root_guard_root *roots, size_t nr)
{
	struct guarded *v = nr ? calloc(nr, sizeof(*v)) : NULL, *old;
	size_t nr_old;

	for (size_t i = 0; v && i < nr; i++) {
		v[i].root.kind = strdup(roots[i].kind);
		v[i].root.path = strdup(roots[i].path);
		if (!v[i].root.kind || !v[i].root.path) {
			guarded_free(v, i + 1);
			v = NULL;
		}
	}
	if (nr && !v) {
		log_error(-ENOMEM, "indexer: out of memory guarding roots");
		nr = 0;
	}
	pthread_mutex_lock(&rg.lock);
	old = rg.v;
	nr_old = rg.nr;
	rg.v = v;
	rg.nr = nr;
	pthread_mutex_unlock(&rg.lock);
	guarded_free(old, nr_old);
}

/* Note the error the look at root number index met (0: none), for
 * health. */
static void set_err(size_t index, int err)
{
	pthread_mutex_lock(&rg.lock);
	if (index < rg.nr)
		rg.v[index].err = err;
	pthread_mutex_unlock(&rg.lock);
}

/* Set the state of root number index, with the count kept when it
 * goes down; returns what it was. */
static int set_down(size_t index, const char *why, long long kept)
{
	struct guarded *g;
	int was = 0;

	pthread_mutex_lock(&rg.lock);
	if (index < rg.nr) {
		g = &rg.v[index];
		was = g->down;
		g->down = why != NULL;
		snprintf(g->why, sizeof(g->why), "%s", why ? why : "");
		if (why && !was)
			g->kept = kept;
	}
	pthread_mutex_unlock(&rg.lock);
	return was;
}

enum root_state root_guard_check(size_t index, int64_t id)
{
	struct root_held h = { .top = STRBUF_INIT };
	const struct root_guard_root *r;
	struct root_probe p;
	const char *why;
	int was;

	pthread_mutex_lock(&rg.lock);
	r = index < rg.nr ? &rg.v[index].root : NULL;
	pthread_mutex_unlock(&rg.lock);
	if (!r)
		return ROOT_OK;
	h.root_id = id;
	h.manga = !strcmp(r->kind, "manga");
	h.want = HELD_FILES;
	root_probe(r->path, &p);
	set_err(index, p.err);
	/* A store that cannot say leaves the scan to meet what it meets. */
	if (writer_call(read_held, &h)) {
		strbuf_release(&h.top);
		return ROOT_OK;
	}
	why = root_refusal(r->path, &p, &h);
	if (why && !root_guard_down(index)) {
		h.want = HELD_KEPT;
		writer_call(read_held, &h);
	}
	if (!why && p.exists && h.stored_dev != (long long)p.dev) {
		h.new_dev = p.dev;
		writer_call(record_dev, &h);
	}
	strbuf_release(&h.top);
	was = set_down(index, why, h.kept);
	if (why && !was) {
		log_warn("scan: %s root %s is unavailable (%s): its %lld %s are"
			 " kept, and it is looked at again every %.0f s",
			 r->kind, r->path, why, h.kept,
			 h.manga ? "volumes" : "tracks", ROOT_GUARD_EVERY_S);
		notify_event(NOTIFY_ROOT_UNAVAILABLE, r->path,
			     json_pack("{s:s, s:s, s:s, s:I}", "kind", r->kind,
				       "root", r->path, "reason", why,
				       h.manga ? "volumes" : "tracks",
				       (json_int_t)h.kept),
			     "%s root %s is unavailable (%s): its %lld %s are"
			     " kept", r->kind, r->path, why, h.kept,
			     h.manga ? "volumes" : "tracks");
	}
	if (!why && was)
		log_info("scan: %s root %s is back: it is scanned again",
			 r->kind, r->path);
	return why ? ROOT_DOWN : was ? ROOT_BACK : ROOT_OK;
}

void root_guard_look(void)
{
	struct strbuf path = STRBUF_INIT;
	struct root_probe p;

	for (size_t i = 0;; i++) {
		strbuf_reset(&path);
		pthread_mutex_lock(&rg.lock);
		if (i < rg.nr)
			strbuf_addstr(&path, rg.v[i].root.path);
		pthread_mutex_unlock(&rg.lock);
		if (!path.len)
			break;
		root_probe(path.buf, &p);
		/* the roots may have changed meanwhile (a reload) */
		pthread_mutex_lock(&rg.lock);
		if (i < rg.nr && !strcmp(rg.v[i].root.path, path.buf))
			rg.v[i].err = p.err;
		pthread_mutex_unlock(&rg.lock);
	}
	strbuf_release(&path);
}

void root_guard_held(size_t index, uint64_t files, int whole)
{
	pthread_mutex_lock(&rg.lock);
	if (index < rg.nr && (files || whole))
		rg.v[index].held = files;
	pthread_mutex_unlock(&rg.lock);
}

int root_guard_down(size_t index)
{
	int down;

	pthread_mutex_lock(&rg.lock);
	down = index < rg.nr && rg.v[index].down;
	pthread_mutex_unlock(&rg.lock);
	return down;
}

void root_guard_health(const char *kind, const char *path,
		       struct strbuf *errors, struct strbuf *warns)
{
	pthread_mutex_lock(&rg.lock);
	for (size_t i = 0; i < rg.nr; i++) {
		const struct guarded *g = &rg.v[i];

		if (strcmp(g->root.path, path) || strcmp(g->root.kind, kind))
			continue;
		if (g->err)
			strbuf_addf(errors, "error: %s root %s is not readable:"
				    " %s\n", kind, path, strerror(-g->err));
		if (g->down)
			strbuf_addf(warns, "warn: %s root %s is unavailable"
				    " (%s): its %lld %s are kept\n", kind,
				    path, g->why, g->kept,
				    strcmp(kind, "manga") ? "tracks" :
				    "volumes");
		if (g->held)
			strbuf_addf(warns, "warn: %s root %s: %llu files gone"
				    " at once are kept until their removal is"
				    " confirmed (echo confirm-removal >"
				    " control/rescan)\n", kind, path,
				    (unsigned long long)g->held);
		break;
	}
	pthread_mutex_unlock(&rg.lock);
}
