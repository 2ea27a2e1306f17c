/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The search index of a first scan built aside (search_build.h): the
 * thread, its connection and its file. It writes nothing in the store:
 * the writer takes the rows (schema.c).
 */
#include "indexer/library/search_build.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/db.h"
#include "common/log.h"
#include "common/strbuf.h"
#include "common/thread.h"
#include "indexer/store/schema.h"

/* What the store's table reads its text from; the one aside keeps none. */
#define CONTENT "content='tracks_search', content_rowid='id'"

struct search_build {
	pthread_t thread;
	char *store;		/* the store's file, a URI read-only */
	char *path;		/* the file aside */
	char *table;		/* its tracks_fts, contentless */
	int rc;
	int joined, attached;
};

static void build_free(struct search_build *b)
{
	free(b->store);
	free(b->path);
	free(b->table);
	free(b);
}

static int fill_text(sqlite3_stmt *st, void *out)
{
	return db_column_strdup(st, 0, NULL, out);
}

/* The store's tracks_fts as a contentless table, in *out (malloc'd). */
static int table_aside(sqlite3 *db, char **out)
{
	struct strbuf sql = STRBUF_INIT;
	char *def = NULL, *at;
	int rc;

	rc = db_one_row(db, "read tracks_fts's definition",
			"SELECT sql FROM sqlite_master WHERE type = 'table'"
			" AND name = 'tracks_fts'", NULL, 0, fill_text, &def);
	if (rc < 0)
		return rc;
	at = def ? strstr(def, CONTENT) : NULL;
	if (!at) {
		free(def);
		return log_error(-EINVAL, "search: tracks_fts is not defined"
				 " as a first scan's index built aside"
				 " expects: rebuilt in the store");
	}
	strbuf_add(&sql, def, at - def);
	strbuf_addstr(&sql, "content=''");
	strbuf_addstr(&sql, at + strlen(CONTENT));
	free(def);
	*out = strbuf_detach(&sql, NULL);
	return *out ? 0 : log_error(-ENOMEM, "search: out of memory");
}

/* The store's file as a URI that opens it read-only: the writer's is
 * its only read-write connection. */
static char *store_uri(const char *path)
{
	struct strbuf u = STRBUF_INIT;

	strbuf_addstr(&u, "file:");
	for (; *path; path++) {
		if (*path == '?' || *path == '#' || *path == '%')
			strbuf_addf(&u, "%%%02X", (unsigned char)*path);
		else
			strbuf_addch(&u, *path);
	}
	strbuf_addstr(&u, "?mode=ro");
	return strbuf_detach(&u, NULL);
}

/* The tracks of the store attached as "store", in rowid order: what
 * FTS5's 'rebuild' reads, in its order. */
static int fill_aside(sqlite3 *db, struct search_build *b)
{
	int rc = db_exec(db, "PRAGMA journal_mode = OFF;"
			 "PRAGMA synchronous = OFF;");

	if (!rc)
		rc = db_run(db, "attach the store", "ATTACH ?1 AS store",
			    DB_ARGS(DB_TEXT(b->store)));
	if (!rc)
		rc = db_exec(db, b->table);
	if (!rc)
		rc = db_exec(db, "INSERT INTO tracks_fts (rowid, title,"
			     " artist, album, album_artist) SELECT id, title,"
			     " artist, album, album_artist"
			     " FROM store.tracks_search ORDER BY id");
	return rc;
}

static void *build_main(void *arg)
{
	struct search_build *b = arg;
	sqlite3 *db = NULL;
	int rc;

	db_setup();
	rc = sqlite3_open_v2(b->path, &db, SQLITE_OPEN_READWRITE |
			     SQLITE_OPEN_CREATE | SQLITE_OPEN_URI, NULL);
	if (rc != SQLITE_OK)
		b->rc = db_error(db, rc, "open the search index aside");
	else
		b->rc = fill_aside(db, b);
	sqlite3_close(db);
	return NULL;
}

struct search_build *search_build_start(sqlite3 *db)
{
	const char *store = sqlite3_db_filename(db, "main");
	struct search_build *b;
	int rc;

	if (!store || !*store)
		return NULL;
	b = calloc(1, sizeof(*b));
	if (!b || !(b->store = store_uri(store)) ||
	    asprintf(&b->path, "%s-search", store) < 0) {
		log_error(-ENOMEM, "search: out of memory");
		if (b)
			b->path = NULL;
		goto fail;
	}
	/* what a crash left */
	if (unlink(b->path) && errno != ENOENT) {
		log_error(-errno, "search: cannot delete %s: %s", b->path,
			  strerror(errno));
		goto fail;
	}
	if (table_aside(db, &b->table))
		goto fail;
	rc = thread_start(&b->thread, build_main, b, "mm-search");
	if (!rc)
		return b;
	log_error(rc, "search: cannot start a thread");
fail:
	if (b)
		build_free(b);
	return NULL;
}

static void wait_built(struct search_build *b)
{
	if (b->joined)
		return;
	pthread_join(b->thread, NULL);
	b->joined = 1;
}

int search_build_attach(sqlite3 *db, void *arg)
{
	struct search_build *b = arg;
	int rc;

	wait_built(b);
	if (b->rc)
		return b->rc;
	rc = db_run(db, "attach the search index aside",
		    "ATTACH ?1 AS " SCHEMA_SEARCH_ASIDE,
		    DB_ARGS(DB_TEXT(b->path)));
	b->attached = !rc;
	return rc;
}

void search_build_end(sqlite3 *db, struct search_build *b)
{
	if (!b)
		return;
	wait_built(b);
	if (b->attached) {
		db_exec(db, "DETACH " SCHEMA_SEARCH_ASIDE);
		db_exec(db, "PRAGMA writable_schema = RESET");
	}
	if (unlink(b->path) && errno != ENOENT)
		log_warn("search: cannot delete %s: %s", b->path,
			 strerror(errno));
	build_free(b);
}
