/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * What the Real-Debrid repair writes to the store (rd_store.h), as
 * writer_call() functions, and the read helpers of the repair's own
 * connection. It decides nothing of what is written.
 */
#include "indexer/realdebrid/rd_store.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/array.h"
#include "common/bytes.h"
#include "common/clock.h"
#include "common/db.h"
#include "common/log.h"
#include "common/strbuf.h"
#include "indexer/realdebrid/rd_client.h"
#include "indexer/realdebrid/rd_links.h"
#include "indexer/store/writer.h"

int rd_store_sql(sqlite3 *db, void *arg)
{
	const struct rd_sql *q = arg;
	sqlite3_stmt *st;
	int rc;

	rc = sqlite3_prepare_v2(db, q->sql, -1, &st, NULL);
	if (rc != SQLITE_OK)
		return db_error(db, rc, "rd: store");
	for (int i = 0; i < 6; i++)
		if (q->text[i])
			sqlite3_bind_text(st, i + 1, q->text[i], -1,
					  SQLITE_STATIC);
	for (int i = 0; i < 4; i++)
		sqlite3_bind_double(st, i + 7, q->num[i]);
	rc = db_step(st, "rd: store");
	sqlite3_finalize(st);
	return rc;
}

int rd_store_action(const char *torrent_id, const char *service,
		    const char *action, const char *target, const char *result)
{
	return writer_call(rd_store_sql, &(struct rd_sql){
		.sql = "INSERT INTO rd_actions (at, torrent_id, service,"
		       " action, target, result) VALUES (?7, ?1, ?2, ?3, ?4,"
		       " ?5)",
		.text = { torrent_id, service, action, target, result },
		.num = { clock_wall() },
	});
}

/*
 * Drop the links under the scopes that the walk no longer found. Paths
 * are compared as bytes: under DIR is from "DIR/" up to "DIR0", '0'
 * coming right after '/', so the primary key's index serves each scope.
 */
static int drop_unseen(sqlite3 *db, const struct rd_links_rows *r)
{
	struct strbuf lo = STRBUF_INIT, hi = STRBUF_INIT;
	sqlite3_stmt *st = NULL;
	int rc;

	rc = db_prepare(db, "DELETE FROM rd_links WHERE (path = ?1 OR (path"
			" >= ?2 AND path < ?3)) AND seen_at < ?4", &st);
	for (size_t i = 0; !rc && i < r->nr_scopes; i++) {
		const char *scope = r->scopes[i];
		size_t len = strlen(scope);

		strbuf_reset(&lo);
		strbuf_reset(&hi);
		strbuf_addf(&lo, "%s/", len == 1 ? "" : scope);
		strbuf_addf(&hi, "%s0", len == 1 ? "" : scope);
		sqlite3_bind_blob(st, 1, scope, len, SQLITE_STATIC);
		sqlite3_bind_blob(st, 2, lo.buf, lo.len, SQLITE_STATIC);
		sqlite3_bind_blob(st, 3, hi.buf, hi.len, SQLITE_STATIC);
		sqlite3_bind_double(st, 4, r->at);
		rc = db_step(st, "rd: store links");
	}
	sqlite3_finalize(st);
	strbuf_release(&lo);
	strbuf_release(&hi);
	return rc;
}

/* A link keeps its torrent while it stays the same dead link: mapping
 * costs requests, and a repair under way must find its links. */
static int links_tx(sqlite3 *db, void *arg)
{
	const struct rd_links_rows *r = arg;
	sqlite3_stmt *st;
	int rc;

	rc = db_prepare(db, "INSERT INTO rd_links (path, target,"
		" torrent_name, file, broken, seen_at) VALUES (?1, ?2, ?3, ?4,"
		" ?5, ?6) ON CONFLICT (path) DO UPDATE SET target = ?2,"
		" torrent_name = ?3, file = ?4, broken = ?5, seen_at = ?6,"
		" torrent_id = CASE WHEN ?5 AND target = ?2 THEN torrent_id"
		" END, map_error = CASE WHEN ?5 AND target = ?2 THEN map_error"
		" END", &st);
	if (rc)
		return rc;
	for (size_t i = 0; !rc && i < r->nr; i++) {
		const struct rd_link *l = &r->links[i];
		char *name = NULL, *file = NULL;

		rd_links_parse(r->mount, l->target, &name, &file);
		sqlite3_bind_blob(st, 1, l->path, strlen(l->path),
				  SQLITE_STATIC);
		sqlite3_bind_blob(st, 2, l->target, strlen(l->target),
				  SQLITE_STATIC);
		sqlite3_bind_text(st, 3, name, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 4, file, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int(st, 5, l->broken);
		sqlite3_bind_double(st, 6, r->at);
		rc = db_step(st, "rd: store links");
		free(name);
		free(file);
	}
	sqlite3_finalize(st);
	if (rc)
		return rc;
	if (!r->scopes)
		return rd_store_sql(db, &(struct rd_sql){
			.sql = "DELETE FROM rd_links WHERE seen_at < ?7",
			.num = { r->at },
		});
	return drop_unseen(db, r);
}

int rd_store_links(sqlite3 *db, void *rows)
{
	return db_transaction(db, links_tx, rows);
}

#define UPSERT_TORRENT \
	"INSERT INTO rd_torrents (id, filename, original_filename, hash," \
	" status, bytes, added_at, seen_at, info_at) VALUES (?1, ?2, ?3, ?4," \
	" ?5, ?6, ?7, ?8, ?9) ON CONFLICT (id) DO UPDATE SET filename = ?2," \
	" original_filename = coalesce(?3, original_filename)," \
	" hash = coalesce(?4, hash), status = ?5, bytes = ?6, added_at = ?7," \
	" seen_at = ?8, info_at = coalesce(?9, info_at)"

/* Add or update a torrent as listed (info_at 0: no info read, which
 * keeps what an earlier info said) or as its info was read. */
static int upsert_torrent(sqlite3_stmt *st, const struct rd_torrent *t,
			  double at, double info_at)
{
	sqlite3_bind_text(st, 1, t->id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, t->filename, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, t->original_filename, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, t->hash, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, t->status, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 6, t->bytes);
	sqlite3_bind_double(st, 7, t->added_at);
	sqlite3_bind_double(st, 8, at);
	if (info_at)
		sqlite3_bind_double(st, 9, info_at);
	else
		sqlite3_bind_null(st, 9);
	return db_step(st, "rd: store torrents");
}

/* The torrents of the cycle's last page, once it saw as many torrents as
 * the account holds (?8, or -1 when not told), are all there is: the
 * others are gone. A torrent a repair waits for is kept, whatever the
 * listing said. */
#define DROP_UNSEEN \
	"DELETE FROM rd_torrents WHERE seen_at < ?7 AND (?8 < 0 OR" \
	" (SELECT count(*) FROM rd_torrents WHERE seen_at >= ?7) >= ?8)" \
	" AND id NOT IN (SELECT new_id FROM rd_repairs WHERE new_id IS NOT" \
	" NULL AND state IN ('adding', 'downloading'))"

/* Whether one of the first `again` torrents of the page was seen by the
 * cycle under way: the page follows on from the one before. */
static int follows_on(sqlite3 *db, const struct rd_torrents_rows *r,
		      int *yes)
{
	sqlite3_stmt *st = NULL;
	int rc;

	*yes = 0;
	rc = db_prepare(db, "SELECT 1 FROM rd_torrents WHERE id = ?1 AND"
			" seen_at >= (SELECT cycle_started_at FROM rd_sync)",
			&st);
	for (size_t i = 0; !rc && !*yes && i < r->nr &&
	     i < (size_t)r->again; i++) {
		sqlite3_bind_text(st, 1, r->t[i].id, -1, SQLITE_STATIC);
		rc = sqlite3_step(st);
		*yes = rc == SQLITE_ROW;
		rc = rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 :
			db_error(db, rc, "rd: read torrents seen");
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	return rc;
}

/* The page and the cycle's progress go in one transaction: a kill between
 * them would skip or repeat a page. */
static int torrents_tx(sqlite3 *db, void *arg)
{
	struct rd_torrents_rows *r = arg;
	struct rd_sql q = {
		.num = { r->at, r->total, r->offset + (double)r->nr, r->page },
	};
	sqlite3_stmt *st;
	int follows = 1, rc = 0;

	if (r->page > 1 && r->again > 0 && r->nr)
		rc = follows_on(db, r, &follows);
	r->gap = !follows;
	if (!rc)
		rc = db_prepare(db, UPSERT_TORRENT, &st);
	if (rc)
		return rc;
	for (size_t i = 0; !rc && i < r->nr; i++)
		rc = upsert_torrent(st, &r->t[i], r->at, 0);
	sqlite3_finalize(st);
	q.sql = "INSERT INTO rd_sync (id, list_total, synced_at) VALUES"
		" (1, ?8, ?7) ON CONFLICT (id) DO UPDATE SET list_total = ?8,"
		" synced_at = ?7";
	if (!rc)
		rc = rd_store_sql(db, &q);
	q.sql = "UPDATE rd_sync SET list_page = 1";
	if (rc || r->gap)
		return rc ? rc : rd_store_sql(db, &q);
	q.sql = "UPDATE rd_sync SET cycle_started_at = ?7, pages_done = 0,"
		" torrents_seen = 0";
	if (r->page == 1)
		rc = rd_store_sql(db, &q);
	q.sql = r->last ?
		"UPDATE rd_sync SET list_page = 1, full_sync = 0,"
		" pages_done = pages_done + 1,"
		" torrents_seen = max(torrents_seen, ?9),"
		" cycle_finished_at = ?7" :
		"UPDATE rd_sync SET list_page = ?10 + 1,"
		" pages_done = pages_done + 1,"
		" torrents_seen = max(torrents_seen, ?9)";
	if (!rc)
		rc = rd_store_sql(db, &q);
	if (rc || !r->last)
		return rc;
	/* A cycle begun before its start was noted drops nothing. */
	q.num[0] = rd_store_num(db, "SELECT cycle_started_at FROM rd_sync",
				NULL, 0, 0);
	q.sql = DROP_UNSEEN;
	return rd_store_sql(db, &q);
}

int rd_store_torrents(sqlite3 *db, void *rows)
{
	return db_transaction(db, torrents_tx, rows);
}

/* The files are replaced whole: a torrent's selection may change. */
static int info_tx(sqlite3 *db, void *arg)
{
	const struct rd_torrent *t = arg;
	sqlite3_stmt *st;
	int rc;

	rc = db_prepare(db, UPSERT_TORRENT, &st);
	if (rc)
		return rc;
	rc = upsert_torrent(st, t, clock_wall(), clock_wall());
	sqlite3_finalize(st);
	if (!rc)
		rc = rd_store_sql(db, &(struct rd_sql){
			.sql = "DELETE FROM rd_files WHERE torrent_id = ?1",
			.text = { t->id },
		});
	if (rc)
		return rc;
	rc = db_prepare(db, "INSERT OR REPLACE INTO rd_files (torrent_id,"
			" file_id, path, bytes, selected) VALUES (?1, ?2, ?3,"
			" ?4, ?5)", &st);
	if (rc)
		return rc;
	for (size_t i = 0; !rc && i < t->nr_files; i++) {
		sqlite3_bind_text(st, 1, t->id, -1, SQLITE_STATIC);
		sqlite3_bind_int(st, 2, t->files[i].id);
		sqlite3_bind_text(st, 3, t->files[i].path, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 4, t->files[i].bytes);
		sqlite3_bind_int(st, 5, t->files[i].selected);
		rc = db_step(st, "rd: store torrent files");
	}
	sqlite3_finalize(st);
	return rc;
}

int rd_store_info(sqlite3 *db, void *torrent)
{
	return db_transaction(db, info_tx, torrent);
}

int rd_store_attempt(sqlite3 *db, void *arg)
{
	const struct rd_attempt *a = arg;
	int rc = db_run(db, "rd: store attempt",
			"INSERT INTO rd_attempts (at, endpoint, torrent_id,"
			" result, http_status, error_code, elapsed_s)"
			" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
			DB_ARGS(DB_REAL(a->at), DB_TEXT(a->endpoint),
				DB_TEXT(a->torrent_id), DB_TEXT(a->result),
				DB_INT_OR_NULL(a->http_status),
				DB_INT_OR_NULL(a->error_code),
				DB_REAL(a->elapsed_s)));

	if (rc || !a->rate_limited)
		return rc;
	return rd_store_sql(db, &(struct rd_sql){
		.sql = "INSERT INTO rd_sync (id, rate_limited_at) VALUES"
		       " (1, ?7) ON CONFLICT (id) DO UPDATE SET"
		       " rate_limited_at = ?7",
		.num = { a->at },
	});
}

int rd_store_pass(sqlite3 *db, void *arg)
{
	const struct rd_pass_row *p = arg;
	const int n[] = {
		p->links, p->broken, p->unmapped, p->guard_ok, p->started,
		p->repaired, p->retries, p->failed, p->links_deleted,
		p->rescans, p->requests, p->rate_limited,
	};
	sqlite3_stmt *st;
	int rc;

	rc = db_prepare(db, "INSERT INTO rd_passes (kind, trigger, dry_run,"
		" started_at, finished_at, duration_s, guard_reason, links,"
		" broken, unmapped, guard_ok, started, repaired, retries,"
		" failed, links_deleted, rescans, requests, rate_limited)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?5 - ?4, ?6, ?7, ?8, ?9, ?10,"
		" ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)", &st);
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, p->kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, p->trigger, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 3, p->dry_run);
	sqlite3_bind_double(st, 4, p->started_at);
	sqlite3_bind_double(st, 5, p->finished_at);
	sqlite3_bind_text(st, 6, p->guard_reason, -1, SQLITE_STATIC);
	for (size_t i = 0; i < ARRAY_SIZE(n); i++)
		sqlite3_bind_int(st, 7 + i, n[i]);
	rc = db_step(st, "rd: store pass");
	sqlite3_finalize(st);
	return rc;
}

double rd_store_num(sqlite3 *db, const char *sql, const char *text,
		    double num, double def)
{
	sqlite3_stmt *st;
	double v = def;
	int rc;

	rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
	if (rc != SQLITE_OK) {
		db_error(db, rc, "rd: read the store");
		return def;
	}
	if (text)
		sqlite3_bind_text(st, 1, text, -1, SQLITE_STATIC);
	sqlite3_bind_double(st, 2, num);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
		v = sqlite3_column_double(st, 0);
	db_finalize(st, rc, "rd: read the store");
	return v;
}

int rd_store_strings(sqlite3 *db, const char *sql, const char *text,
		     char ***out, size_t *nr)
{
	sqlite3_stmt *st;
	char **v = NULL;
	size_t n = 0, alloc = 0;
	int rc;

	rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
	if (rc != SQLITE_OK)
		return db_error(db, rc, "rd: read the store");
	if (text)
		sqlite3_bind_text(st, 1, text, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		char **grown = array_grow(v, n + 1, &alloc, sizeof(*v), 2);

		if (!grown || !(grown[n] = strndup((const char *)
				sqlite3_column_blob(st, 0),
				sqlite3_column_bytes(st, 0)))) {
			v = grown ? grown : v;
			rc = -ENOMEM;
			break;
		}
		v = grown;
		v[++n] = NULL;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		for (size_t i = 0; i < n; i++)
			free(v[i]);
		free(v);
		return rc == -ENOMEM ? log_error(rc, "rd: out of memory") :
			db_error(db, rc, "rd: read the store");
	}
	*out = v;
	*nr = n;
	return 0;
}

