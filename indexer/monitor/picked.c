/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * A release sent by hand (picked.h): its found row looked up by id and
 * checked (or, for one the preferences dropped, what the check kept of
 * it with the volume), then its volume's releases read back and only
 * that one handed over through handoff.h. It searches for nothing and talks to no client
 * itself.
 */
#include "indexer/monitor/picked.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/db.h"
#include "common/log.h"
#include "indexer/monitor/blocklist.h"
#include "indexer/monitor/handoff.h"
#include "indexer/monitor/prowlarr.h"

/* Where a release id's found row is, and its series' name. */
struct pick {
	int64_t series;
	int volume, rank;
	char *name;
};

/* One number (or none: 0) that sql gives for text parameters a and b and
 * integer c. */
static int any_row(sqlite3 *db, const char *sql, const char *a,
		   const char *b, int c, const char *what)
{
	sqlite3_stmt *st;
	int rc = db_prepare(db, sql, &st), found;

	if (rc)
		return rc;
	db_bind_text(st, 1, a);
	db_bind_text(st, 2, b);
	sqlite3_bind_int(st, 3, c);
	rc = sqlite3_step(st);
	found = rc == SQLITE_ROW;
	rc = db_finalize(st, rc, what);
	return rc ? rc : found;
}

static int pick_row(sqlite3_stmt *st, void *arg)
{
	struct pick *p = arg;

	p->series = sqlite3_column_int64(st, 0);
	p->volume = sqlite3_column_int(st, 1);
	p->rank = sqlite3_column_int(st, 2);
	return db_column_strdup(st, 3, "", &p->name);
}

/* Find release id among the found ones into *p (p->name to free), else
 * among those the preferences dropped (p->rank -1: a user may send one
 * anyway). Returns 0, 1 when none has it, or a negative errno value. */
static int find(sqlite3 *db, const char *id, struct pick *p)
{
	int rc = db_one_row(db, "read a found release",
			    "SELECT f.series_id, f.volume, f.rank, s.name"
			    " FROM found f JOIN series s ON s.id = f.series_id"
			    " WHERE f.release_id = ?1"
			    " ORDER BY f.found_at DESC LIMIT 1",
			    DB_ARGS(DB_TEXT(id)), pick_row, p);

	if (!rc)
		rc = db_one_row(db, "read a dropped release",
				"SELECT w.series_id, w.volume, -1, s.name"
				" FROM wanted w JOIN series s"
				" ON s.id = w.series_id, json_each(w.dropped) j"
				" WHERE w.dropped IS NOT NULL"
				" AND json_valid(w.dropped)"
				" AND json_extract(j.value, '$.id') = ?1"
				" LIMIT 1", DB_ARGS(DB_TEXT(id)), pick_row, p);
	return rc < 0 ? rc : !rc;
}

/* Say why a pick is refused, once, where it is decided. */
__attribute__((format(printf, 1, 2)))
static int refuse(const char *fmt, ...)
{
	char why[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	log_warn("send: %s", why);
	return -EINVAL;
}

/* The checks of picked_check(), keeping the pick for picked_send(). */
static int check(sqlite3 *db, const char *id, struct pick *p)
{
	int rc;

	if (!blocklist_valid_id(id))
		return refuse("\"%s\" is not a release id"
				   " (see /status/found.json)", id);
	rc = find(db, id, p);
	if (rc > 0)
		return refuse("no release found has id %s"
				   " (see /status/found.json)", id);
	if (!rc)
		rc = any_row(db, "SELECT 1 FROM blocklist WHERE id = ?1", id,
			     NULL, 0, "read the blocklist");
	if (rc > 0)
		return refuse("release %s is on the"
				   " blocklist (remove it there first)", id);
	if (!rc)
		rc = any_row(db, "SELECT 1 FROM downloads WHERE series = ?2"
			     " AND volume = ?3 AND state IN "
			     HANDOFF_HANDED_OVER, NULL, p->name, p->volume,
			     "read downloads");
	if (rc > 0)
		return refuse("volume %d of %s was handed"
				   " over already (see /status/downloads.json)",
				   p->volume, p->name);
	return rc;
}

int picked_check(sqlite3 *db, const char *id)
{
	struct pick p = { 0 };
	int rc = check(db, id, &p);

	free(p.name);
	return rc;
}

/* The protocol and source of a found row as the static strings a release
 * holds. */
static const char *protocol_of(const char *text)
{
	if (!text)
		return NULL;
	return strcmp(text, PROWLARR_USENET) ? PROWLARR_TORRENT :
		PROWLARR_USENET;
}

/* A db_read_rows() function: one of the volume's releases, by rank. */
static int release_row(sqlite3_stmt *st, void *row, void *arg)
{
	struct release_want *w = arg;
	const char *source = (const char *)sqlite3_column_text(st, 1);
	struct release r = {
		.title = (char *)sqlite3_column_text(st, 0),
		.source = source && !strcmp(source, "catalog") ? "catalog" :
			"prowlarr",
		.protocol = protocol_of((const char *)
					sqlite3_column_text(st, 2)),
		.link = (char *)sqlite3_column_text(st, 3),
		.magnet = (char *)sqlite3_column_text(st, 4),
		.guid = (char *)sqlite3_column_text(st, 5),
		.indexer = (char *)sqlite3_column_text(st, 6),
		.indexer_id = sqlite3_column_int(st, 7),
		.first = sqlite3_column_double(st, 8),
		.last = sqlite3_column_double(st, 9),
		.size = sqlite3_column_type(st, 10) == SQLITE_NULL ? -1 :
			sqlite3_column_int64(st, 10),
		.seeders = sqlite3_column_type(st, 11) == SQLITE_NULL ? -1 :
			sqlite3_column_int(st, 11),
		.published_at = sqlite3_column_double(st, 12),
		.found_at = sqlite3_column_double(st, 13),
	};

	(void)row;
	return release_want_add(w, &r) ? -ENOMEM : 1;
}

/* Add the dropped release id of p's volume to w, last, and pick it. */
static int add_dropped(sqlite3 *db, const char *id, struct pick *p,
		       struct release_want *w)
{
#define R(key) " json_extract(j.value, '$.release." key "'),"
	static const char sql[] = "SELECT json_extract(j.value, '$.title'),"
		" json_extract(j.value, '$.source'),"
		R("protocol") R("link") R("magnet") R("guid") R("indexer")
		R("indexer_id") R("first") R("last") R("size") R("seeders")
		R("published_at")
		" json_extract(j.value, '$.release.found_at')"
		" FROM wanted w, json_each(w.dropped) j"
		" WHERE w.series_id = ?1 AND w.volume = ?2"
		" AND json_valid(w.dropped)"
		" AND json_extract(j.value, '$.id') = ?3"
		" AND json_type(j.value, '$.release') = 'object' LIMIT 1";
#undef R
	sqlite3_stmt *st;
	int rc = db_prepare(db, sql, &st);

	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, p->series);
	sqlite3_bind_int(st, 2, p->volume);
	db_bind_text(st, 3, id);
	rc = sqlite3_step(st);
	/* in the columns of a found row, as the check kept it (prefs.c) */
	if (rc == SQLITE_ROW && release_row(st, NULL, w) < 0)
		rc = SQLITE_NOMEM;
	else if (rc == SQLITE_ROW)
		rc = SQLITE_DONE;
	else if (rc == SQLITE_DONE)
		rc = SQLITE_NOTFOUND;
	if (rc == SQLITE_NOTFOUND) {
		sqlite3_finalize(st);
		return refuse("release %s changed while it waited (see"
			      " /status/found.json)", id);
	}
	rc = db_finalize(st, rc, "read a dropped release");
	if (!rc)
		p->rank = (int)w->nr - 1;
	return rc;
}

int picked_send(struct handoff *h, sqlite3 *db, const char *id)
{
	struct pick p = { 0 };
	struct release_want *w = calloc(1, sizeof(*w));
	char sql[512];
	void *none = NULL;
	size_t n = 0;
	int rc = w ? check(db, id, &p) :
		log_error(-ENOMEM, "send: out of memory");

	snprintf(sql, sizeof(sql), "SELECT title, source, protocol, link,"
		 " magnet, guid, indexer, indexer_id, first, last, size,"
		 " seeders, published_at, found_at FROM found"
		 " WHERE series_id = %lld AND volume = %d ORDER BY rank",
		 (long long)p.series, p.volume);
	if (!rc)
		rc = db_read_rows(db, sql, "read a volume's releases",
				  release_row, w, &none, &n, 1);
	free(none);
	/* one the preferences dropped, sent anyway as asked */
	if (!rc && p.rank < 0)
		rc = add_dropped(db, id, &p, w);
	if (!rc)
		w->volume = p.volume;
	if (!rc && (size_t)p.rank >= w->nr)
		rc = refuse("release %s changed while it"
				 " waited (see /status/found.json)", id);
	if (!rc) {
		log_info("send: release %s for %s volume %d, asked by hand",
			 id, p.name, p.volume);
		h->pick = p.rank;
		rc = handoff_series(h, p.series, p.name, w, 1);
		h->pick = -1;
	}
	release_wants_free(w, w ? 1 : 0);
	free(p.name);
	return rc;
}
