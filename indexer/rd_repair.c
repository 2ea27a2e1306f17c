#include "indexer/rd_repair.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/clock.h"
#include "common/config.h"
#include "common/db.h"
#include "common/log.h"
#include "common/strbuf.h"
#include "indexer/notify.h"
#include "indexer/rd_cleanup.h"
#include "indexer/rd_client.h"
#include "indexer/rd_guard.h"
#include "indexer/rd_links.h"
#include "indexer/rd_map.h"
#include "indexer/rd_session.h"
#include "indexer/rd_store.h"
#include "indexer/rd_sync.h"
#include "indexer/writer.h"

struct rd_repair {
	const struct config *cfg;
	const int *cancel;
	sqlite3 *db;
	struct rd_session s;
	char *mount;			/* normalized */
	double next_at;

	/* The pass running. */
	int dry_run;
	int guard_ok;
	char why[RD_GUARD_WHY];
	struct rd_pass_row n;
};

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

/* The jobs thread may stop a pass at any step; nothing is lost. */
static int cancelled(const struct rd_repair *r)
{
	return r->cancel && __atomic_load_n(r->cancel, __ATOMIC_RELAXED);
}

enum rd_outcome rd_repair_classify(int rc, const char *status, double now,
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

int rd_repair_new(const struct config *cfg, const int *cancel,
		  struct rd_repair **out)
{
	struct rd_repair *r = calloc(1, sizeof(*r));
	int rc;

	if (!r)
		return log_error(-ENOMEM, "rd: out of memory");
	r->cfg = cfg;
	r->cancel = cancel;
	r->mount = rd_links_normalize(NULL, cfg->rd_mount ? cfg->rd_mount :
				      "/");
	rc = r->mount ? db_open(cfg->database, 1, &r->db) :
		log_error(-ENOMEM, "rd: out of memory");
	if (!rc)
		rc = rd_session_init(&r->s, cfg, r->db, cancel);
	if (rc) {
		rd_repair_free(r);
		return rc;
	}
	*out = r;
	return 0;
}

void rd_repair_free(struct rd_repair *r)
{
	if (!r)
		return;
	rd_session_release(&r->s);
	db_close(r->db);
	free(r->mount);
	free(r);
}

double rd_repair_next_at(struct rd_repair *r)
{
	return r->next_at;
}

/* Look at the mount, with the link counts of this pass: before the pass
 * does anything, and again right before each destructive step. A mount
 * that looks down stops the pass's requests too. */
static int guard_holds(struct rd_repair *r)
{
	struct rd_guard g;

	rd_guard_probe(r->mount, &g);
	g.links = r->n.links;
	g.broken = r->n.broken;
	r->guard_ok = rd_guard_ok(&g, r->cfg->rd_broken_ratio_guard, r->why,
				  sizeof(r->why));
	if (!r->guard_ok) {
		log_error(-EHOSTDOWN, "rd: mount %s looks down (%s): nothing"
			  " is repaired or deleted", r->mount, r->why);
		r->s.stop = 1;
	}
	return r->guard_ok;
}

/* Walk the libraries for links into the mount and keep them, then judge
 * the mount by what the walk saw. */
static int detect(struct rd_repair *r, double now)
{
	struct rd_links_rows rows = { .mount = r->mount, .at = now };
	struct rd_link *links;
	size_t nr;
	int rc;

	rc = rd_links_walk((const char *const *)r->cfg->rd_libraries.items,
			   r->cfg->rd_libraries.nr, r->mount, r->cancel,
			   &links, &nr);
	if (rc)
		return rc;
	r->n.links = nr;
	for (size_t i = 0; i < nr; i++)
		r->n.broken += links[i].broken;
	guard_holds(r);
	rows.links = links;
	rows.nr = nr;
	rc = writer_call(rd_store_links, &rows);
	rd_links_free(links, nr);
	return rc;
}

/*
 * Put each torrent with dead links in the repair queue, unless a repair
 * of it is under way, or it was just repaired and the mount has not
 * caught up yet, or it is in a repair loop; drop waiting repairs whose
 * links came back by themselves.
 */
static int queue_repairs(struct rd_repair *r, double now)
{
	char **ids = NULL;
	size_t nr = 0;
	int rc;

	rc = rd_store_strings(r->db, "SELECT DISTINCT l.torrent_id FROM"
			      " rd_links l WHERE l.broken AND l.torrent_id IS"
			      " NOT NULL AND NOT EXISTS (SELECT 1 FROM"
			      " rd_repairs p WHERE"
			      " p.torrent_id = l.torrent_id)", NULL, &ids, &nr);
	for (size_t i = 0; !rc && i < nr; i++) {
		struct rd_sql q = {
			.sql = "INSERT INTO rd_repairs (torrent_id, hash, name,"
			       " state, updated_at, finished_at, last_error)"
			       " SELECT ?1, hash, filename, ?2, ?7,"
			       " CASE WHEN ?3 IS NULL THEN NULL ELSE ?7 END, ?3"
			       " FROM rd_torrents WHERE id = ?1",
			.text = { ids[i], "queued" },
			.num = { now },
		};
		char loop[96];
		double settling = rd_store_num(r->db, "SELECT max(finished_at)"
			" FROM rd_repairs WHERE new_id = ?1 AND state ="
			" 'repaired'", ids[i], 0, 0);
		double repairs;

		if (settling > now - RD_SETTLE_S)
			continue;
		repairs = rd_store_num(r->db, "SELECT count(*) FROM rd_repairs"
			" WHERE state = 'repaired' AND hash = (SELECT hash"
			" FROM rd_torrents WHERE id = ?1) AND finished_at > ?2",
			ids[i], now - RD_LOOP_WINDOW, 0);
		if (repairs >= r->cfg->rd_max_attempts) {
			snprintf(loop, sizeof(loop), "repair loop: repaired"
				 " %.0f times within a day, stopped", repairs);
			q.text[1] = "failed";
			q.text[2] = loop;
			log_warn("rd: torrent %s: %s", ids[i], loop);
		}
		rc = writer_call(rd_store_sql, &q);
	}
	rd_store_strings_free(ids, nr);
	if (rc)
		return rc;
	return writer_call(rd_store_sql, &(struct rd_sql){
		.sql = "DELETE FROM rd_repairs WHERE state IN ('queued',"
		       " 'waiting_retry') AND NOT EXISTS (SELECT 1 FROM"
		       " rd_links l WHERE l.torrent_id = rd_repairs.torrent_id"
		       " AND l.broken)",
	});
}

/* Free what a job owns, loaded whole or half. */
static void job_clear(struct job *j)
{
	free(j->id);
	free(j->hash);
	free(j->name);
	free(j->new_id);
	rd_torrent_release(&j->info);
}

/* Copy a text column that may be NULL; a copy that fails marks *failed,
 * so a row is checked once. */
static char *column_dup(sqlite3_stmt *st, int i, int *failed)
{
	const char *s = (const char *)sqlite3_column_text(st, i);
	char *d = s ? strdup(s) : NULL;

	if (s && !d)
		*failed = 1;
	return d;
}

/* The repairs to work on now: under way, queued, or retries due. */
static int load_jobs(struct rd_repair *r, double now, struct job **out,
		     size_t *nr)
{
	struct job *jobs = NULL;
	sqlite3_stmt *st;
	int rc, failed = 0;

	*nr = 0;
	rc = sqlite3_prepare_v2(r->db, "SELECT torrent_id, hash, name, state,"
		" new_id, attempts, started_at FROM rd_repairs WHERE state IN"
		" ('queued', 'adding', 'downloading') OR (state ="
		" 'waiting_retry' AND next_at <= ?1) ORDER BY updated_at,"
		" torrent_id", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return db_error(r->db, rc, "rd: read repairs");
	sqlite3_bind_double(st, 1, now);
	while (!failed && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct job *grown = realloc(jobs, (*nr + 1) * sizeof(*jobs));
		const char *state = (const char *)sqlite3_column_text(st, 3);
		struct job *j;

		if (!grown) {
			failed = 1;
			break;
		}
		jobs = grown;
		j = memset(&jobs[(*nr)++], 0, sizeof(*j));
		j->id = column_dup(st, 0, &failed);
		j->hash = column_dup(st, 1, &failed);
		j->name = column_dup(st, 2, &failed);
		j->new_id = column_dup(st, 4, &failed);
		j->attempts = sqlite3_column_int(st, 5);
		j->started_at = sqlite3_column_double(st, 6);
		for (size_t i = 0; i < sizeof(state_names) /
		     sizeof(*state_names); i++)
			if (!strcmp(state, state_names[i]))
				j->state = i;
	}
	sqlite3_finalize(st);
	if (failed || rc != SQLITE_DONE) {
		for (size_t i = 0; i < *nr; i++)
			job_clear(&jobs[i]);
		free(jobs);
		return failed ? log_error(-ENOMEM, "rd: out of memory") :
			db_error(r->db, rc, "rd: read repairs");
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

/* Ask the guard again before each link goes. */
static int guard_cb(void *r)
{
	return guard_holds(r);
}

/* Delete the torrent's dead links, ask the Arrs to rescan, and note it. */
static int clean_up(struct rd_repair *r, const struct job *j)
{
	struct rd_cleanup c = {
		.cfg = r->cfg,
		.db = r->db,
		.torrent_id = j->id,
		.guard = guard_cb,
		.arg = r,
	};
	int rc = rd_cleanup_links(&c);

	r->n.links_deleted += c.deleted;
	r->n.rescans += c.rescans;
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

/* The torrent cannot come back: record why and clear its dead links. */
static int give_up(struct rd_repair *r, struct job *j, const char *why)
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
	j->state = FAILED;
	r->n.failed++;
	rc = save(j, why, 0);
	if (!rc)
		rc = writer_call(rd_store_sql, &q);
	if (!rc && !r->dry_run && guard_holds(r))
		rc = clean_up(r, j);
	return rc;
}

/* A request of a repair failed (rc), or its torrent went bad (status). */
static int fail(struct rd_repair *r, struct job *j, int rc,
		const char *status, const char *error)
{
	enum rd_outcome o = rd_repair_classify(rc, status, clock_wall(),
					       r->s.rate_limited_at);
	char why[128];

	if (o == RD_STOP) {
		r->s.stop = 1;
		return 0;
	}
	j->attempts++;
	j->done = 1;
	if (j->new_id && status && rd_session_ready(&r->s)) {
		struct rd_result res;
		/* A re-added torrent that went bad is of no use. */
		int gone = rd_delete(&r->s.c, j->new_id, r->s.cancel, &res);

		rd_session_note(&r->s, "delete", j->new_id, gone, &res);
	}
	free(j->new_id);
	j->new_id = NULL;
	if (o == RD_PERMANENT)
		return give_up(r, j, error);
	if (j->attempts >= r->cfg->rd_max_attempts) {
		snprintf(why, sizeof(why), "%s, %d attempts", error,
			 j->attempts);
		return give_up(r, j, why);
	}
	j->state = WAITING_RETRY;
	r->n.retries++;
	log_warn("rd: torrent %s: %s, attempt %d of %d, retried in %ld s",
		 j->id, error, j->attempts, r->cfg->rd_max_attempts,
		 r->cfg->rd_retry_delay_s);
	return save(j, error, clock_wall() + r->cfg->rd_retry_delay_s);
}

/* Re-add the torrent by its info hash; the files selected before are
 * read first when they never were, as the new torrent needs them. */
static int start(struct rd_repair *r, struct job *j)
{
	struct rd_result res;
	char *new_id;
	int rc;

	if (!j->hash || !rd_store_num(r->db, "SELECT info_at FROM rd_torrents"
				   " WHERE id = ?1", j->id, 0, 0)) {
		/* For the files selected before; a torrent gone is fine. */
		rc = rd_sync_info(&r->s, j->id);
		if (!rc && !j->hash) {
			char **h;
			size_t nr;

			rc = rd_store_strings(r->db, "SELECT hash FROM"
					      " rd_torrents WHERE id = ?1 AND"
					      " hash IS NOT NULL", j->id, &h,
					      &nr);
			if (!rc && nr)
				j->hash = strdup(h[0]);
			if (!rc)
				rd_store_strings_free(h, nr);
		}
	}
	if (!rd_session_ready(&r->s))
		return 0;
	if (!j->hash)
		return fail(r, j, -ENOENT, NULL, "no info hash known");
	rc = rd_add_magnet(&r->s.c, j->hash, r->s.cancel, &new_id, &res);
	rd_session_note(&r->s, "addMagnet", j->id, rc, &res);
	if (rc)
		return rc == -ECANCELED ? rc :
			fail(r, j, rc, NULL, rd_session_result(rc, &res));
	log_info("rd: torrent %s (%s) re-added as %s", j->id,
		 j->name ? j->name : "?", new_id);
	j->new_id = new_id;
	j->state = ADDING;
	j->started_at = clock_wall();
	r->n.started++;
	return save(j, NULL, 0);
}

/* Select the files that were selected before, or every file when the
 * old torrent's files were never read. */
static int select_files(struct rd_repair *r, struct job *j)
{
	struct rd_result res;
	char **old;
	size_t nr;
	int *ids, rc;

	rc = rd_store_strings(r->db, "SELECT file_id FROM rd_files WHERE"
			      " torrent_id = ?1 AND selected ORDER BY file_id",
			      j->id, &old, &nr);
	if (rc)
		return rc;
	ids = calloc(nr ? nr : j->info.nr_files + 1, sizeof(*ids));
	if (!ids) {
		rd_store_strings_free(old, nr);
		return log_error(-ENOMEM, "rd: out of memory");
	}
	for (size_t i = 0; i < nr; i++)
		ids[i] = atoi(old[i]);
	rd_store_strings_free(old, nr);
	if (!nr)
		for (; nr < j->info.nr_files; nr++)
			ids[nr] = j->info.files[nr].id;
	if (!nr) {
		free(ids);
		return fail(r, j, -EPROTO, NULL, "no files to select");
	}
	rc = rd_select_files(&r->s.c, j->new_id, ids, nr, r->s.cancel, &res);
	free(ids);
	rd_session_note(&r->s, "selectFiles", j->new_id, rc, &res);
	if (rc)
		return rc == -ECANCELED ? rc :
			fail(r, j, rc, NULL, rd_session_result(rc, &res));
	j->state = DOWNLOADING;
	return save(j, NULL, 0);
}

/* The new torrent is downloaded: the old one goes, the links follow. */
static int finish(struct rd_repair *r, struct job *j)
{
	struct rd_result res;
	int rc;

	if (!guard_holds(r))
		return 0;
	if (strcmp(j->id, j->new_id)) {
		rc = rd_delete(&r->s.c, j->id, r->s.cancel, &res);
		rd_session_note(&r->s, "delete", j->id, rc, &res);
		if (rc == -ECANCELED)
			return rc;
	}
	rc = writer_call(rd_store_info, &j->info);
	if (!rc)
		rc = writer_call(rd_store_sql, &(struct rd_sql){
			.sql = "UPDATE rd_links SET torrent_id = ?2 WHERE"
			       " torrent_id = ?1",
			.text = { j->id, j->new_id },
		});
	if (!rc)
		rc = writer_call(rd_store_sql, &(struct rd_sql){
			.sql = "DELETE FROM rd_torrents WHERE id = ?1",
			.text = { j->id },
		});
	log_info("rd: torrent %s (%s) repaired as %s", j->id,
		 j->name ? j->name : "?", j->new_id);
	j->state = REPAIRED;
	j->done = 1;
	r->n.repaired++;
	return rc ? rc : save(j, NULL, 0);
}

/* Statuses on the way to "downloaded": waited for, up to RD_WAIT_MAX;
 * any other is a failure. */
static int in_progress(const char *status)
{
	static const char *const busy[] = {
		"magnet_conversion", "waiting_files_selection", "queued",
		"downloading", "compressing", "uploading",
	};

	for (size_t i = 0; i < sizeof(busy) / sizeof(*busy); i++)
		if (!strcmp(status, busy[i]))
			return 1;
	return 0;
}

/* Look at the new torrent once and move the repair on. */
static int poll_once(struct rd_repair *r, struct job *j)
{
	struct rd_result res;
	const char *status;
	int rc;

	rd_torrent_release(&j->info);
	rc = rd_info(&r->s.c, j->new_id, r->s.cancel, &j->info, &res);
	rd_session_note(&r->s, "info", j->new_id, rc, &res);
	if (rc) {
		memset(&j->info, 0, sizeof(j->info));
		return rc == -ECANCELED ? rc :
			fail(r, j, rc, NULL, rd_session_result(rc, &res));
	}
	status = j->info.status ? j->info.status : "";
	if (!strcmp(status, "downloaded"))
		return finish(r, j);
	if (j->state == ADDING && !strcmp(status, "waiting_files_selection"))
		return select_files(r, j);
	if (!in_progress(status))
		return fail(r, j, 0, status, status);
	if (clock_wall() - j->started_at > RD_WAIT_MAX)
		return fail(r, j, -ETIMEDOUT, NULL, "not downloaded in time");
	return 0;
}

/* Move one repair on as far as it goes in this pass: a few polls, then
 * the rest is for a follow-up pass, so the jobs thread is never held. */
static int step(struct rd_repair *r, struct job *j)
{
	int polls = 0, rc = 0;

	while (!rc && !j->done && rd_session_ready(&r->s)) {
		if (j->state == QUEUED || j->state == WAITING_RETRY) {
			rc = start(r, j);
			continue;
		}
		if (polls++ == RD_POLLS_PER_PASS)
			break;
		rc = poll_once(r, j);
	}
	return rc;
}

/* What a run would do, in dry-run, shown in rd_repairs.plan. */
static int plan(struct rd_repair *r, const struct job *j)
{
	struct strbuf text = STRBUF_INIT;
	double files = rd_store_num(r->db, "SELECT count(*) FROM rd_files WHERE"
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

/* Dead links of torrents that failed for good while the guard stopped
 * their deletion go once the mount looks up again. */
static int clean_up_pending(struct rd_repair *r)
{
	char **ids;
	size_t nr;
	int rc;

	rc = rd_store_strings(r->db, "SELECT f.torrent_id FROM rd_failures f"
			      " WHERE EXISTS (SELECT 1 FROM rd_links l WHERE"
			      " l.torrent_id = f.torrent_id AND l.broken)"
			      " ORDER BY f.torrent_id", NULL, &ids, &nr);
	if (rc)
		return rc;
	for (size_t i = 0; !rc && i < nr && guard_holds(r); i++)
		rc = clean_up(r, &(struct job){ .id = ids[i] });
	rd_store_strings_free(ids, nr);
	return rc;
}

/* Work the queue in the order repairs were last touched, so one torrent
 * that keeps failing cannot hold the others back. */
static int repair_all(struct rd_repair *r, double now)
{
	struct job *jobs = NULL;
	size_t nr;
	int rc;

	rc = load_jobs(r, now, &jobs, &nr);
	if (rc)
		return rc;
	for (size_t i = 0; !rc && i < nr; i++) {
		if (cancelled(r))
			rc = -ECANCELED;
		else if (r->dry_run)
			rc = plan(r, &jobs[i]);
		else if (rd_session_ready(&r->s))
			rc = step(r, &jobs[i]);
	}
	for (size_t i = 0; i < nr; i++)
		job_clear(&jobs[i]);
	free(jobs);
	if (!rc && !r->dry_run && !r->s.stop)
		rc = clean_up_pending(r);
	return rc;
}

/* When a follow-up pass is due: a retry, a download to look at again, or
 * repairs a stopped pass left; but not before a pause ends, and never
 * sooner than a second from now. */
static void schedule(struct rd_repair *r, double now)
{
	double next = rd_store_num(r->db, "SELECT min(next_at) FROM rd_repairs"
				" WHERE state = 'waiting_retry'", NULL, 0, 0);
	double busy = r->dry_run ? 0 : rd_store_num(r->db, "SELECT count(*)"
		" FROM rd_repairs WHERE state IN ('adding', 'downloading') OR"
		" (state = 'queued' AND ?2)", NULL, r->s.stop, 0);

	if (busy && (!next || now + RD_POLL_S < next))
		next = now + RD_POLL_S;
	if (next && next < r->s.paused_until)
		next = r->s.paused_until;
	if (next && next < now + 1)
		next = r->guard_ok ? now + 1 : now + RD_POLL_S;
	r->next_at = next;
}

/* One Discord message per pass that changed something on the account or
 * on disk; a pass that only looked says nothing. */
static void tell(const struct rd_repair *r)
{
	struct strbuf text = STRBUF_INIT;
	const struct rd_pass_row *n = &r->n;

	if (!r->cfg->notify_discord_webhook || r->dry_run ||
	    !(n->started || n->repaired || n->failed || n->links_deleted))
		return;
	strbuf_addf(&text, "mediamon: Real-Debrid repair pass: %d repairs"
		    " started, %d torrents repaired, %d failed for good"
		    " (%d dead links deleted, %d rescans asked), %d to retry,"
		    " %d links unmapped.", n->started, n->repaired, n->failed,
		    n->links_deleted, n->rescans, n->retries, n->unmapped);
	notify_discord(r->cfg->notify_discord_webhook, text.buf);
	strbuf_release(&text);
}

int rd_repair_pass(struct rd_repair *r, enum rd_pass_kind kind, int dry_run,
		   const char *trigger)
{
	double started = clock_wall();
	int token = r->cfg->rd_api_token && *r->cfg->rd_api_token;
	int rc;

	memset(&r->n, 0, sizeof(r->n));
	rd_session_begin(&r->s, r->db);
	r->dry_run = dry_run;
	log_info("rd: %s pass started (%s%s)", kind == RD_PASS_RUN ? "repair" :
		 "scan", trigger, dry_run ? ", dry-run" : "");
	rc = detect(r, started);
	if (!rc && token)
		rc = rd_sync_account(&r->s, r->db);
	if (!rc && token)
		rc = rd_sync_errored(&r->s, r->db);
	if (!rc && token)
		rc = rd_sync_candidates(&r->s, r->db);
	if (!rc)
		rc = rd_map_links(r->db, &r->n.unmapped);
	if (!rc)
		rc = queue_repairs(r, started);
	if (!rc && kind == RD_PASS_RUN && token && r->guard_ok)
		rc = repair_all(r, started);
	schedule(r, clock_wall());

	r->n.requests = r->s.requests;
	r->n.kind = kind == RD_PASS_RUN ? "run" : "scan";
	r->n.trigger = trigger;
	r->n.dry_run = dry_run;
	r->n.started_at = started;
	r->n.finished_at = clock_wall();
	r->n.guard_ok = r->guard_ok;
	r->n.guard_reason = r->guard_ok ? NULL : r->why;
	if (writer_call(rd_store_pass, &r->n) && !rc)
		rc = -EIO;
	tell(r);
	log_info("rd: pass %s: %d links, %d broken, %d unmapped, %d repairs"
		 " started, %d repaired, %d to retry, %d failed, %d links"
		 " deleted, %d requests", rc ? "stopped" : "finished",
		 r->n.links, r->n.broken, r->n.unmapped, r->n.started,
		 r->n.repaired, r->n.retries, r->n.failed, r->n.links_deleted,
		 r->n.requests);
	return rc;
}
