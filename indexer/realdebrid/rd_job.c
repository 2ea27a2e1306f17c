/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The repair of one torrent across passes (rd_job.h), the old torrent's
 * deletion, and the dead links of a torrent that failed for good. When a
 * repair runs is the pass's (rd_repair.c); this file does the requests.
 */
#include "indexer/realdebrid/rd_job.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/array.h"
#include "common/bytes.h"
#include "common/cleanup.h"
#include "common/clock.h"
#include "common/config.h"
#include "common/db.h"
#include "common/log.h"
#include "common/notify.h"
#include "common/strbuf.h"
#include "indexer/realdebrid/rd_cleanup.h"
#include "indexer/realdebrid/rd_client.h"
#include "indexer/realdebrid/rd_session.h"
#include "indexer/realdebrid/rd_store.h"
#include "indexer/realdebrid/rd_sync.h"
#include "indexer/store/writer.h"

enum state {
	QUEUED,
	WAITING_RETRY,
	ADDING,				/* added, its files to select */
	DOWNLOADING,			/* selected, not downloaded yet */
	REPAIRED,
	FAILED,
};

static const char *const state_names[] = {
	"queued", "waiting_retry", "adding", "downloading", "repaired",
	"failed",
};

/* A torrent in the repair queue, as rd_repairs holds it. */
struct job {
	char *id, *hash, *name, *new_id;
	enum state state;
	int attempts;
	double started_at;
	int done;			/* nothing more to do in this pass */
	struct rd_torrent info;		/* the new torrent's, once read */
};

enum rd_outcome rd_job_classify(int rc, const char *status, double now,
				double rate_limited_at)
{
	if (rc == -EACCES || rc == -ECANCELED)
		return RD_STOP;
	if (rc == -EPERM)
		return rate_limited_at && now - rate_limited_at <=
			RD_INFRINGING_GRACE ? RD_RETRY : RD_PERMANENT;
	if (!rc && status && !strcmp(status, "virus"))
		return RD_PERMANENT;
	return RD_RETRY;
}

/* The columns of load_jobs() a job keeps as they are. */
static const struct db_field job_fields[] = {
	DB_FIELD(struct job, id, 0),
	DB_FIELD(struct job, hash, 1),
	DB_FIELD(struct job, name, 2),
	DB_FIELD(struct job, new_id, 4),
	DB_FIELD_INT(struct job, attempts, 5),
	DB_FIELD_REAL(struct job, started_at, 6),
};

/* Free what a job owns, loaded whole or half. */
static void job_clear(struct job *j)
{
	db_row_fields_free(j, DB_FIELDS(job_fields));
	rd_torrent_release(&j->info);
}

/* The repairs to work on now: under way, queued, or retries due. */
static int load_jobs(struct rd_job_ctx *w, double now, struct job **out,
		     size_t *nr)
{
	struct job *jobs = NULL;
	size_t alloc = 0;
	sqlite3_stmt *st;
	int rc, failed = 0;

	*nr = 0;
	rc = sqlite3_prepare_v2(w->db, "SELECT torrent_id, hash, name, state,"
		" new_id, attempts, started_at FROM rd_repairs p WHERE (state"
		" IN ('adding', 'downloading') AND NOT ?5 AND (?6 = 0 OR"
		" coalesce(started_at, 0) < ?6)) OR ((state = 'queued' OR"
		" (state = 'waiting_retry' AND next_at <= ?1)) AND (asked_at IS"
		" NOT NULL OR (?2 AND EXISTS (SELECT 1 FROM rd_links l WHERE"
		" l.torrent_id = p.torrent_id AND l.broken)) OR (?3 AND EXISTS"
		" (SELECT 1 FROM rd_torrents t WHERE t.id = p.torrent_id AND"
		" t.status IN " RD_ERRORED ")))) ORDER BY updated_at,"
		" torrent_id LIMIT ?4", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return db_error(w->db, rc, "rd: read repairs");
	sqlite3_bind_double(st, 1, now);
	sqlite3_bind_int(st, 2, w->links);
	sqlite3_bind_int(st, 3, w->errored);
	sqlite3_bind_int(st, 4, !w->limit ? -1 : w->limit > w->worked ?
			 w->limit - w->worked : 0);
	sqlite3_bind_int(st, 5, w->fresh);
	sqlite3_bind_double(st, 6, w->since);
	while (!failed && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct job *grown = array_grow(jobs, *nr, &alloc,
					       sizeof(*jobs), 1);
		const char *state = (const char *)sqlite3_column_text(st, 3);
		struct job *j;

		if (!grown) {
			failed = 1;
			break;
		}
		jobs = grown;
		j = memset(&jobs[(*nr)++], 0, sizeof(*j));
		failed = db_row_fields(st, j, DB_FIELDS(job_fields)) != 0;
		for (size_t i = 0; i < sizeof(state_names) /
		     sizeof(*state_names); i++)
			if (!strcmp(state, state_names[i]))
				j->state = i;
	}
	sqlite3_finalize(st);
	if (failed || rc != SQLITE_DONE) {
		CLEANUP_FREE_ROWS(jobs, *nr, job_clear);
		return failed ? log_error(-ENOMEM, "rd: out of memory") :
			db_error(w->db, rc, "rd: read repairs");
	}
	*out = jobs;
	return 0;
}

/* Write a repair's state back; error and next_at as they now are. */
static int save(const struct job *j, const char *error, double next_at)
{
	struct rd_sql q = {
		.sql = "UPDATE rd_repairs SET state = ?1, new_id = ?2,"
		       " last_error = coalesce(?3, last_error), attempts = ?7,"
		       " next_at = ?8, started_at = ?9, updated_at = ?10,"
		       " plan = NULL, finished_at = CASE WHEN ?1 IN"
		       " ('repaired', 'failed') THEN ?10 END"
		       " WHERE torrent_id = ?4",
		.text = { state_names[j->state], j->new_id, error, j->id },
		.num = { j->attempts, next_at, j->started_at, clock_wall() },
	};

	return writer_call(rd_store_sql, &q);
}

/* Delete the torrent's dead links, ask the Arrs to rescan, and note it. */
static int clean_up(struct rd_job_ctx *w, const struct job *j)
{
	struct rd_cleanup c = {
		.cfg = w->cfg,
		.db = w->db,
		.torrent_id = j->id,
		.torrent_name = j->name,
		.guard = w->guard,
		.arg = w->arg,
	};
	int rc = rd_cleanup_links(&c);

	w->n->links_deleted += c.deleted;
	w->n->rescans += c.rescans;
	w->n->searches += c.searches;
	if (!rc)
		rc = writer_call(rd_store_sql, &(struct rd_sql){
			.sql = "UPDATE rd_failures SET links_deleted ="
			       " links_deleted + ?7, rescans = rescans + ?8"
			       " WHERE torrent_id = ?1",
			.text = { j->id },
			.num = { c.deleted, c.rescans },
		});
	return rc;
}

/* The torrent cannot come back: record why. Its dead links go with
 * rd_job_clean_up_failed() once the failure is orphan_grace old. */
static int give_up(struct rd_job_ctx *w, struct job *j, const char *why)
{
	struct rd_sql q = {
		.sql = "INSERT OR REPLACE INTO rd_failures (torrent_id, name,"
		       " hash, reason, at) VALUES (?1, ?2, ?3, ?4, ?7)",
		.text = { j->id, j->name, j->hash, why },
		.num = { clock_wall() },
	};
	int rc;

	log_error(-EPERM, "rd: torrent %s (%s) cannot be repaired: %s", j->id,
		  j->name ? j->name : "?", why);
	notify_event(NOTIFY_REPAIR_FAILED, j->name ? j->name : j->id,
		     json_pack("{s:s, s:s?, s:s?, s:s}", "torrent_id", j->id,
			       "name", j->name, "hash", j->hash, "reason", why),
		     "torrent %s cannot be repaired: %s", j->id, why);
	j->state = FAILED;
	w->n->failed++;
	rc = save(j, why, 0);
	if (!rc)
		rc = writer_call(rd_store_sql, &q);
	return rc;
}

/* A request of a repair failed (rc), or its torrent went bad (status). */
static int fail(struct rd_job_ctx *w, struct job *j, int rc,
		const char *status, const char *error)
{
	enum rd_outcome o = rd_job_classify(rc, status, clock_wall(),
					    w->s->rate_limited_at);
	char why[128];

	if (o == RD_STOP) {
		w->s->stop = 1;
		return 0;
	}
	j->attempts++;
	j->done = 1;
	if (j->new_id && (status || rc == -ETIMEDOUT) &&
	    rd_session_ready(w->s) && w->guard(w->arg)) {
		struct rd_result res;
		/* A re-added torrent that went bad or never finished is of
		 * no use, and holds one of the account's slots. */
		int gone = w->s->ops->del(&w->s->c, j->new_id, w->s->cancel,
					  &res);

		rd_session_note(w->s, "delete", j->new_id, gone, &res);
	}
	free(j->new_id);
	j->new_id = NULL;
	if (o == RD_PERMANENT)
		return give_up(w, j, error);
	if (j->attempts >= w->cfg->rd_max_attempts) {
		snprintf(why, sizeof(why), "%s, %d attempts", error,
			 j->attempts);
		return give_up(w, j, why);
	}
	j->state = WAITING_RETRY;
	w->n->retries++;
	log_warn("rd: torrent %s: %s, attempt %d of %d, retried in %ld s",
		 j->id, error, j->attempts, w->cfg->rd_max_attempts,
		 w->cfg->rd_retry_delay_s);
	return save(j, error, clock_wall() + w->cfg->rd_retry_delay_s);
}

/* Re-add the torrent by its info hash; the files selected before are
 * read first when they never were, as the new torrent needs them. */
static int start_job(struct rd_job_ctx *w, struct job *j)
{
	struct rd_result res;
	char *new_id;
	int rc;

	if (!j->hash || !rd_store_num(w->db, "SELECT info_at FROM rd_torrents"
				   " WHERE id = ?1", j->id, 0, 0)) {
		/* For the files selected before; a torrent gone is fine. */
		rc = rd_sync_info(w->s, j->id);
		if (!rc && !j->hash) {
			char **h;
			size_t nr;

			rc = rd_store_strings(w->db, "SELECT hash FROM"
					      " rd_torrents WHERE id = ?1 AND"
					      " hash IS NOT NULL", j->id, &h,
					      &nr);
			if (!rc && nr)
				j->hash = strdup(h[0]);
			if (!rc)
				array_free_strings(h, nr);
		}
	}
	if (!rd_session_ready(w->s))
		return 0;
	if (!j->hash)
		return fail(w, j, -ENOENT, NULL, "no info hash known");
	rc = w->s->ops->add_magnet(&w->s->c, j->hash, w->s->cancel, &new_id,
				   &res);
	rd_session_note(w->s, "addMagnet", j->id, rc, &res);
	if (rc)
		return rc == -ECANCELED ? rc :
			fail(w, j, rc, NULL, rd_session_result(rc, &res));
	log_info("rd: torrent %s (%s) re-added as %s", j->id,
		 j->name ? j->name : "?", new_id);
	j->new_id = new_id;
	j->state = ADDING;
	j->started_at = clock_wall();
	w->n->started++;
	return save(j, NULL, 0);
}

/* Select the files that were selected before, or every file when the
 * old torrent's files were never read. */
static int select_files(struct rd_job_ctx *w, struct job *j)
{
	struct rd_result res;
	char **old;
	size_t nr;
	int *ids, rc;

	rc = rd_store_strings(w->db, "SELECT file_id FROM rd_files WHERE"
			      " torrent_id = ?1 AND selected ORDER BY file_id",
			      j->id, &old, &nr);
	if (rc)
		return rc;
	ids = calloc(nr ? nr : j->info.nr_files + 1, sizeof(*ids));
	if (!ids) {
		array_free_strings(old, nr);
		return log_error(-ENOMEM, "rd: out of memory");
	}
	for (size_t i = 0; i < nr; i++)
		ids[i] = atoi(old[i]);
	array_free_strings(old, nr);
	if (!nr)
		for (; nr < j->info.nr_files; nr++)
			ids[nr] = j->info.files[nr].id;
	if (!nr) {
		free(ids);
		return fail(w, j, -EPROTO, NULL, "no files to select");
	}
	rc = w->s->ops->select_files(&w->s->c, j->new_id, ids, nr,
				     w->s->cancel, &res);
	free(ids);
	rd_session_note(w->s, "selectFiles", j->new_id, rc, &res);
	if (rc)
		return rc == -ECANCELED ? rc :
			fail(w, j, rc, NULL, rd_session_result(rc, &res));
	j->state = DOWNLOADING;
	return save(j, NULL, 0);
}

/*
 * Delete the old torrent of a repair. Gone already is as good as
 * deleted; any other failure leaves the deletion pending, counted and
 * shown, for a later pass.
 */
static int delete_old(struct rd_job_ctx *w, const char *id)
{
	struct rd_result res;
	int rc = w->s->ops->del(&w->s->c, id, w->s->cancel, &res);
	struct rd_sql q = {
		.text = { id, rd_session_result(rc, &res) },
		.num = { clock_wall() },
	};

	rd_session_note(w->s, "delete", id, rc, &res);
	if (rc == -ECANCELED)
		return rc;
	if (!rc || rc == -ENOENT) {
		w->n->old_deleted++;
		q.sql = "UPDATE rd_deletes SET deleted_at = ?7, error = NULL,"
			" tried_at = ?7 WHERE torrent_id = ?1";
		rc = writer_call(rd_store_sql, &q);
		q.sql = "DELETE FROM rd_torrents WHERE id = ?1";
		return rc ? rc : writer_call(rd_store_sql, &q);
	}
	log_warn("rd: old torrent %s is still on the account (%s): deleted"
		 " again in %ld s", id, q.text[1], w->cfg->rd_retry_delay_s);
	q.sql = "UPDATE rd_deletes SET failures = failures + 1, error = ?2,"
		" tried_at = ?7 WHERE torrent_id = ?1";
	return writer_call(rd_store_sql, &q);
}

/* The new torrent is downloaded: the links follow it, and the old one
 * goes. The repair is done even when that deletion fails; the deletion
 * is owed before the repair is recorded, so no kill can lose it. */
static int finish(struct rd_job_ctx *w, struct job *j)
{
	int old = strcmp(j->id, j->new_id) != 0;
	int rc;

	if (!w->guard(w->arg))
		return 0;
	rc = writer_call(rd_store_info, &j->info);
	if (!rc && old)
		rc = writer_call(rd_store_sql, &(struct rd_sql){
			.sql = "INSERT OR IGNORE INTO rd_deletes (torrent_id,"
			       " new_id, name, since) VALUES (?1, ?2, ?3, ?7)",
			.text = { j->id, j->new_id, j->name },
			.num = { clock_wall() },
		});
	if (!rc)
		rc = writer_call(rd_store_sql, &(struct rd_sql){
			.sql = "UPDATE rd_links SET torrent_id = ?2 WHERE"
			       " torrent_id = ?1",
			.text = { j->id, j->new_id },
		});
	if (rc)
		return rc;
	log_info("rd: torrent %s (%s) repaired as %s", j->id,
		 j->name ? j->name : "?", j->new_id);
	notify_event(NOTIFY_REPAIR_DONE, j->name ? j->name : j->id,
		     json_pack("{s:s, s:s?, s:s}", "torrent_id", j->id,
			       "name", j->name, "new_id", j->new_id),
		     "torrent %s repaired as %s", j->id, j->new_id);
	j->state = REPAIRED;
	j->done = 1;
	w->n->repaired++;
	rc = save(j, NULL, 0);
	if (!rc && old)
		rc = delete_old(w, j->id);
	return rc;
}

/* Statuses on the way to "downloaded": waited for, up to the configured
 * download_timeout; any other is a failure. */
static int in_progress(const char *status)
{
	static const char *const busy[] = {
		"magnet_conversion", "waiting_files_selection", "queued",
		"downloading", "compressing", "uploading",
	};

	for (size_t i = 0; i < ARRAY_SIZE(busy); i++)
		if (!strcmp(status, busy[i]))
			return 1;
	return 0;
}

/* Look at the new torrent once and move the repair on. */
static int poll_once(struct rd_job_ctx *w, struct job *j)
{
	struct rd_result res;
	const char *status;
	int rc;

	rd_torrent_release(&j->info);
	rc = w->s->ops->info(&w->s->c, j->new_id, w->s->cancel, &j->info,
			     &res);
	rd_session_note(w->s, "info", j->new_id, rc, &res);
	if (rc) {
		memset(&j->info, 0, sizeof(j->info));
		return rc == -ECANCELED ? rc :
			fail(w, j, rc, NULL, rd_session_result(rc, &res));
	}
	status = j->info.status ? j->info.status : "";
	if (!strcmp(status, "downloaded"))
		return finish(w, j);
	if (j->state == ADDING && w->s->ops->select_files &&
	    !strcmp(status, "waiting_files_selection"))
		return select_files(w, j);
	if (!in_progress(status))
		return fail(w, j, 0, status, status);
	if (clock_wall() - j->started_at > w->cfg->rd_download_timeout_s)
		return fail(w, j, -ETIMEDOUT, NULL, "not downloaded in time");
	return 0;
}

/* Move one repair on as far as it goes in this pass: a few polls, then
 * the rest is for a follow-up pass, so the jobs thread is never held. */
static int step(struct rd_job_ctx *w, struct job *j)
{
	int polls = 0, rc = 0;

	while (!rc && !j->done && rd_session_ready(w->s)) {
		if (j->state == QUEUED || j->state == WAITING_RETRY) {
			rc = start_job(w, j);
			continue;
		}
		if (polls++ == RD_POLLS_PER_PASS)
			break;
		rc = poll_once(w, j);
	}
	return rc;
}

/* What a run would do, in dry-run, shown in rd_repairs.plan. */
static int plan(struct rd_job_ctx *w, const struct job *j)
{
	struct strbuf text = STRBUF_INIT;
	double files = rd_store_num(w->db, "SELECT count(*) FROM rd_files WHERE"
				 " torrent_id = ?1 AND selected", j->id, 0, 0);
	int rc;

	if (j->state == ADDING || j->state == DOWNLOADING)
		strbuf_addf(&text, "would go on with the repair: wait for %s,"
			    " then delete torrent %s", j->new_id, j->id);
	else if (!j->hash)
		strbuf_addstr(&text, "would read the torrent's info hash");
	else if (files)
		strbuf_addf(&text, "would re-add info hash %s, select the %.0f"
			    " files selected before, then delete torrent %s",
			    j->hash, files, j->id);
	else
		strbuf_addf(&text, "would re-add info hash %s, select its"
			    " files, then delete torrent %s", j->hash, j->id);
	rc = writer_call(rd_store_sql, &(struct rd_sql){
		.sql = "UPDATE rd_repairs SET plan = ?2 WHERE torrent_id = ?1",
		.text = { j->id, text.buf },
	});
	strbuf_release(&text);
	return rc;
}

/* Clean up after the failed torrent id, named as its failure was. */
static int clean_up_named(struct rd_job_ctx *w, char *id)
{
	char **name;
	size_t nr;
	int rc = rd_store_strings(w->db, "SELECT name FROM rd_failures WHERE"
				  " torrent_id = ?1 AND name IS NOT NULL",
				  id, &name, &nr);

	if (rc)
		return rc;
	rc = clean_up(w, &(struct job){ .id = id,
					.name = nr ? name[0] : NULL });
	array_free_strings(name, nr);
	return rc;
}

int rd_job_clean_up_failed(struct rd_job_ctx *w)
{
	char since[32], **ids;
	size_t nr;
	int rc;

	snprintf(since, sizeof(since), "%.6f",
		 clock_wall() - w->cfg->rd_orphan_grace_s);
	rc = rd_store_strings(w->db, "SELECT f.torrent_id FROM rd_failures f"
			      " WHERE f.at <= CAST(?1 AS REAL) AND EXISTS"
			      " (SELECT 1 FROM rd_links l WHERE l.torrent_id ="
			      " f.torrent_id AND l.broken) ORDER BY"
			      " f.torrent_id", since, &ids, &nr);
	if (rc)
		return rc;
	for (size_t i = 0; !rc && i < nr && w->guard(w->arg); i++)
		rc = clean_up_named(w, ids[i]);
	array_free_strings(ids, nr);
	return rc;
}

int rd_job_delete_old(struct rd_job_ctx *w, double now)
{
	char sql[160], **ids;
	size_t nr;
	int rc;

	snprintf(sql, sizeof(sql), "SELECT torrent_id FROM rd_deletes WHERE"
		 " deleted_at IS NULL AND coalesce(tried_at, 0) <= %.3f"
		 " ORDER BY tried_at, torrent_id",
		 now - w->cfg->rd_retry_delay_s);
	rc = rd_store_strings(w->db, sql, NULL, &ids, &nr);
	if (rc)
		return rc;
	for (size_t i = 0; !rc && i < nr && rd_session_ready(w->s) &&
	     w->guard(w->arg); i++)
		rc = delete_old(w, ids[i]);
	array_free_strings(ids, nr);
	return rc;
}

double rd_job_delete_due(sqlite3 *db, const struct config *cfg)
{
	return rd_store_num(db, "SELECT min(coalesce(tried_at, 0)) + ?2"
			    " FROM rd_deletes WHERE deleted_at IS NULL", NULL,
			    cfg->rd_retry_delay_s, 0);
}

int rd_job_work_all(struct rd_job_ctx *w, double now)
{
	struct job *jobs = NULL;
	size_t nr;
	int rc;

	rc = load_jobs(w, now, &jobs, &nr);
	if (rc)
		return rc;
	w->worked += nr;
	for (size_t i = 0; !rc && i < nr; i++) {
		if (w->s->cancel &&
		    __atomic_load_n(w->s->cancel, __ATOMIC_RELAXED))
			rc = -ECANCELED;
		else if (w->dry_run)
			rc = plan(w, &jobs[i]);
		else if (rd_session_ready(w->s))
			rc = step(w, &jobs[i]);
	}
	CLEANUP_FREE_ROWS(jobs, nr, job_clear);
	return rc;
}
