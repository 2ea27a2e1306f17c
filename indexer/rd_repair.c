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
#include "common/throttle.h"
#include "indexer/rd_cleanup.h"
#include "indexer/rd_client.h"
#include "indexer/rd_guard.h"
#include "indexer/rd_links.h"
#include "indexer/rd_map.h"
#include "indexer/rd_store.h"
#include "indexer/notify.h"
#include "indexer/service.h"
#include "indexer/writer.h"

#define SERVICE "realdebrid"


struct rd_repair {
	const struct config *cfg;
	const int *cancel;
	sqlite3 *db;
	struct throttle *t;
	struct rd_client c;
	char *mount;			/* normalized */
	double next_at;
	double paused_until;		/* the throttle's pause, this pass */
	double rate_limited_at;		/* the last rate-limit answer */

	/* The pass running. */
	int dry_run;
	int stop;			/* rate limited or refused: stop */
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
	struct throttle_state saved;
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
		rc = service_load(r->db, SERVICE, &saved);
	if (!rc)
		rc = throttle_new(SERVICE, cfg->rd_rpm, &saved, NULL, &r->t);
	if (rc) {
		rd_repair_free(r);
		return rc;
	}
	r->c = (struct rd_client) {
		.url = cfg->rd_url,
		.token = cfg->rd_api_token,
		.throttle = r->t,
	};
	*out = r;
	return 0;
}

void rd_repair_free(struct rd_repair *r)
{
	if (!r)
		return;
	throttle_free(r->t);
	db_close(r->db);
	free(r->mount);
	free(r);
}

double rd_repair_next_at(struct rd_repair *r)
{
	return r->next_at;
}

/* A failed request as rd_attempts and health show it. */
static const char *result_text(int rc, const struct rd_result *res)
{
	if (!rc)
		return "ok";
	if (res->error[0])
		return res->error;
	switch (rc) {
	case -EAGAIN:
		return "rate limited";
	case -EPERM:
		return "infringing";
	case -ENOSPC:
		return "no slot";
	case -ENOENT:
		return "unknown torrent";
	case -EACCES:
		return "token refused";
	case -EPROTO:
		return "malformed answer";
	case -EIO:
		return "server error";
	case -ETIMEDOUT:
		return "timed out";
	default:
		return "unreachable";
	}
}

/* Record a request: its attempt row, the service's state for health and
 * for the rate across restarts, and what it means for the pass. */
static void note(struct rd_repair *r, const char *endpoint, const char *id,
		 int rc, const struct rd_result *res)
{
	struct rd_attempt a = {
		.at = clock_wall(),
		.endpoint = endpoint,
		.torrent_id = id,
		.result = result_text(rc, res),
		.http_status = res->http_status,
		.error_code = res->error_code,
		.elapsed_s = res->elapsed_s,
		.rate_limited = rc == -EAGAIN,
	};
	/* Answers about one torrent are the service working. */
	int service_ok = !rc || rc == -EPERM || rc == -ENOENT ||
		rc == -ENOSPC;
	struct service_report rep = {
		.name = SERVICE,
		.throttle = r->t,
		.ok = service_ok,
		.error = service_ok ? NULL : a.result,
		.level = rc == -EAGAIN ? "warn" : "error",
	};

	if (rc == -ECANCELED) {
		r->stop = 1;
		return;
	}
	r->n.requests++;
	writer_call(rd_store_attempt, &a);
	writer_call(service_store, &rep);
	if (rc == -EAGAIN)
		r->rate_limited_at = a.at;
	if (rc == -EACCES)
		r->stop = 1;
}

/* Whether a request may go now: a paused service ends the pass rather
 * than holding the jobs thread, and a follow-up pass is due then. */
static int ready(struct rd_repair *r)
{
	double until;

	if (r->stop || cancelled(r))
		return 0;
	if (throttle_paused(r->t, &until)) {
		r->stop = 1;
		r->paused_until = until;
		return 0;
	}
	return 1;
}

/* Look at the mount again right before a destructive step, with the
 * link counts of this pass. */
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
		r->stop = 1;
	}
	return r->guard_ok;
}

static int detect(struct rd_repair *r, double now)
{
	struct rd_links_rows rows = { .mount = r->mount, .at = now };
	struct rd_link *links;
	struct rd_guard g;
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
	rd_guard_probe(r->mount, &g);
	g.links = nr;
	g.broken = r->n.broken;
	r->guard_ok = rd_guard_ok(&g, r->cfg->rd_broken_ratio_guard, r->why,
				  sizeof(r->why));
	if (!r->guard_ok)
		log_error(-EHOSTDOWN, "rd: mount %s looks down (%s): nothing"
			  " is repaired or deleted", r->mount, r->why);
	rows.links = links;
	rows.nr = nr;
	rc = writer_call(rd_store_links, &rows);
	rd_links_free(links, nr);
	return rc;
}

/* Read a number from the store: the first column of sql's first row,
 * with ?1 bound to text when given and ?2 to num; def when there is no
 * row. */
static double query_num(struct rd_repair *r, const char *sql,
			const char *text, double num, double def)
{
	sqlite3_stmt *st;
	double v = def;
	int rc;

	rc = sqlite3_prepare_v2(r->db, sql, -1, &st, NULL);
	if (rc != SQLITE_OK) {
		db_error(r->db, rc, "rd: read the store");
		return def;
	}
	if (text)
		sqlite3_bind_text(st, 1, text, -1, SQLITE_STATIC);
	sqlite3_bind_double(st, 2, num);
	if (sqlite3_step(st) == SQLITE_ROW &&
	    sqlite3_column_type(st, 0) != SQLITE_NULL)
		v = sqlite3_column_double(st, 0);
	sqlite3_finalize(st);
	return v;
}

/* Read the strings of sql's rows (its first column, ?1 bound to text
 * when given) into a NULL-terminated array. */
static int query_strings(struct rd_repair *r, const char *sql,
			 const char *text, char ***out, size_t *nr)
{
	sqlite3_stmt *st;
	char **v = NULL;
	size_t n = 0;
	int rc;

	rc = sqlite3_prepare_v2(r->db, sql, -1, &st, NULL);
	if (rc != SQLITE_OK)
		return db_error(r->db, rc, "rd: read the store");
	if (text)
		sqlite3_bind_text(st, 1, text, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		char **grown = realloc(v, (n + 2) * sizeof(*v));

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
			db_error(r->db, rc, "rd: read the store");
	}
	*out = v;
	*nr = n;
	return 0;
}

static void strings_free(char **v, size_t nr)
{
	for (size_t i = 0; i < nr; i++)
		free(v[i]);
	free(v);
}

/* List one page and store it; next_offset is where the saved offset
 * goes, or -1 for "past this page". */
static int list_page(struct rd_repair *r, long offset, int limit,
		     long next_offset)
{
	struct rd_torrents_rows rows = { .at = clock_wall() };
	struct rd_torrent *t;
	struct rd_result res;
	size_t nr;
	long total;
	int rc;

	if (!ready(r))
		return 0;
	rc = rd_list(&r->c, offset, limit, r->cancel, &t, &nr, &total, &res);
	note(r, "list", NULL, rc, &res);
	if (rc)
		return rc == -ECANCELED ? rc : 0;
	rows.t = t;
	rows.nr = nr;
	rows.total = total;
	rows.next_offset = next_offset >= 0 ? next_offset : offset + (long)nr;
	if (next_offset < 0 && (!nr || (total >= 0 &&
					rows.next_offset >= total)))
		rows.next_offset = 0;
	rc = writer_call(rd_store_torrents, &rows);
	rd_torrents_free(t, nr);
	return rc;
}

/* Read a torrent's info and keep it; *out (may be NULL) gets it. */
static int read_info(struct rd_repair *r, const char *id,
		     struct rd_torrent *out)
{
	struct rd_torrent t;
	struct rd_result res;
	int rc;

	if (!ready(r))
		return -EAGAIN;
	rc = rd_info(&r->c, id, r->cancel, &t, &res);
	note(r, "info", id, rc, &res);
	if (rc)
		return rc;
	rc = writer_call(rd_store_info, &t);
	if (out && !rc)
		*out = t;
	else
		rd_torrent_release(&t);
	return rc;
}

static int sync_account(struct rd_repair *r)
{
	long offset = query_num(r, "SELECT list_offset FROM rd_sync", NULL,
				0, 0);
	int rc = 0;

	if (offset)
		rc = list_page(r, 0, RD_SYNC_RECENT, offset);
	if (!rc)
		rc = list_page(r, offset, RD_SYNC_PAGE, -1);
	return rc;
}

/* Read the info of the torrents a dead link may belong to, so mapping
 * sees their original names and files. */
static int read_candidates(struct rd_repair *r)
{
	char **names = NULL, **ids;
	size_t nr = 0, nr_ids;
	int budget = RD_INFO_PER_PASS, rc;

	rc = query_strings(r, "SELECT DISTINCT torrent_name FROM rd_links"
			   " WHERE broken AND torrent_name IS NOT NULL"
			   " AND torrent_id IS NULL", NULL, &names, &nr);
	for (size_t i = 0; !rc && i < nr && budget > 0; i++) {
		rc = query_strings(r, "SELECT id FROM rd_torrents WHERE"
				   " (filename = ?1 OR original_filename = ?1)"
				   " AND info_at IS NULL", names[i], &ids,
				   &nr_ids);
		if (rc)
			break;
		/* A failed read is recorded; the link stays unmapped. */
		for (size_t j = 0; j < nr_ids && budget > 0; j++, budget--)
			if (read_info(r, ids[j], NULL) == -ECANCELED)
				rc = -ECANCELED;
		strings_free(ids, nr_ids);
	}
	strings_free(names, nr);
	return rc;
}

/* A broken link and what mapping found for it. */
struct mapped {
	char *path, *name, *file;
	size_t path_len;
};

/* Map every broken link not mapped yet to its torrent, or say why not. */
static int map_links(struct rd_repair *r)
{
	struct mapped *m = NULL;
	sqlite3_stmt *st;
	size_t nr = 0;
	int rc;

	rc = sqlite3_prepare_v2(r->db, "SELECT path, torrent_name, file FROM"
				" rd_links WHERE broken AND torrent_id IS NULL",
				-1, &st, NULL);
	if (rc != SQLITE_OK)
		return db_error(r->db, rc, "rd: read links");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct mapped *grown = realloc(m, (nr + 1) * sizeof(*m));
		const char *name = (const char *)sqlite3_column_text(st, 1);
		const char *file = (const char *)sqlite3_column_text(st, 2);

		if (!grown) {
			rc = -ENOMEM;
			break;
		}
		m = grown;
		m[nr].path_len = sqlite3_column_bytes(st, 0);
		m[nr].path = malloc(m[nr].path_len + 1);
		m[nr].name = name ? strdup(name) : NULL;
		m[nr].file = file ? strdup(file) : NULL;
		nr++;
		if (!m[nr - 1].path || (name && !m[nr - 1].name) ||
		    (file && !m[nr - 1].file)) {
			rc = -ENOMEM;
			break;
		}
		memcpy(m[nr - 1].path, sqlite3_column_blob(st, 0),
		       m[nr - 1].path_len);
		m[nr - 1].path[m[nr - 1].path_len] = '\0';
	}
	sqlite3_finalize(st);
	rc = rc == SQLITE_DONE ? 0 : rc == -ENOMEM ?
		log_error(rc, "rd: out of memory") :
		db_error(r->db, rc, "rd: read links");
	for (size_t i = 0; !rc && i < nr; i++) {
		struct rd_sql q = {
			.sql = "UPDATE rd_links SET torrent_id = ?1,"
			       " map_error = ?2 WHERE path = CAST(?3 AS BLOB)",
			.text = { NULL, NULL, m[i].path },
		};
		const char *why = "the target names no torrent folder";
		char *id = NULL;

		if (m[i].name && m[i].file) {
			rc = rd_map_link(r->db, m[i].name, m[i].file, &id,
					 &why);
			if (rc == -ENOENT || rc == -EEXIST)
				rc = 0;
			if (rc)
				break;
		}
		q.text[0] = id;
		q.text[1] = id ? NULL : why;
		r->n.unmapped += !id;
		rc = writer_call(rd_store_sql, &q);
		free(id);
	}
	for (size_t i = 0; i < nr; i++) {
		free(m[i].path);
		free(m[i].name);
		free(m[i].file);
	}
	free(m);
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

	rc = query_strings(r, "SELECT DISTINCT l.torrent_id FROM rd_links l"
			   " WHERE l.broken AND l.torrent_id IS NOT NULL"
			   " AND NOT EXISTS (SELECT 1 FROM rd_repairs p WHERE"
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
		double settling = query_num(r, "SELECT max(finished_at) FROM"
			" rd_repairs WHERE new_id = ?1 AND state = 'repaired'",
			ids[i], 0, 0);
		double repairs;

		if (settling > now - RD_SETTLE_S)
			continue;
		repairs = query_num(r, "SELECT count(*) FROM rd_repairs WHERE"
			" state = 'repaired' AND hash = (SELECT hash FROM"
			" rd_torrents WHERE id = ?1) AND finished_at > ?2",
			ids[i], now - RD_LOOP_WINDOW, 0);
		if (repairs >= r->cfg->rd_max_attempts) {
			snprintf(loop, sizeof(loop), "repair loop: repaired %.0f"
				 " times within a day, stopped", repairs);
			q.text[1] = "failed";
			q.text[2] = loop;
			log_warn("rd: torrent %s: %s", ids[i], loop);
		}
		rc = writer_call(rd_store_sql, &q);
	}
	strings_free(ids, nr);
	if (rc)
		return rc;
	return writer_call(rd_store_sql, &(struct rd_sql){
		.sql = "DELETE FROM rd_repairs WHERE state IN ('queued',"
		       " 'waiting_retry') AND NOT EXISTS (SELECT 1 FROM rd_links"
		       " l WHERE l.torrent_id = rd_repairs.torrent_id AND"
		       " l.broken)",
	});
}

static void job_clear(struct job *j)
{
	free(j->id);
	free(j->hash);
	free(j->name);
	free(j->new_id);
	rd_torrent_release(&j->info);
}

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
					       r->rate_limited_at);
	char why[128];

	if (o == RD_STOP) {
		r->stop = 1;
		return 0;
	}
	j->attempts++;
	j->done = 1;
	if (j->new_id && status && ready(r)) {
		struct rd_result res;

		/* A re-added torrent that went bad is of no use. */
		note(r, "delete", j->new_id, rd_delete(&r->c, j->new_id,
			r->cancel, &res), &res);
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

static int start(struct rd_repair *r, struct job *j)
{
	struct rd_result res;
	char *new_id;
	int rc;

	if (!j->hash || !query_num(r, "SELECT info_at FROM rd_torrents"
				   " WHERE id = ?1", j->id, 0, 0)) {
		/* For the files selected before; a torrent gone is fine. */
		rc = read_info(r, j->id, NULL);
		if (!rc && !j->hash) {
			char **h;
			size_t nr;

			rc = query_strings(r, "SELECT hash FROM rd_torrents"
					   " WHERE id = ?1 AND hash IS NOT"
					   " NULL", j->id, &h, &nr);
			if (!rc && nr)
				j->hash = strdup(h[0]);
			if (!rc)
				strings_free(h, nr);
		}
	}
	if (!ready(r))
		return 0;
	if (!j->hash)
		return fail(r, j, -ENOENT, NULL, "no info hash known");
	rc = rd_add_magnet(&r->c, j->hash, r->cancel, &new_id, &res);
	note(r, "addMagnet", j->id, rc, &res);
	if (rc)
		return rc == -ECANCELED ? rc :
			fail(r, j, rc, NULL, result_text(rc, &res));
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

	rc = query_strings(r, "SELECT file_id FROM rd_files WHERE torrent_id"
			   " = ?1 AND selected ORDER BY file_id", j->id, &old,
			   &nr);
	if (rc)
		return rc;
	ids = calloc(nr ? nr : j->info.nr_files + 1, sizeof(*ids));
	if (!ids) {
		strings_free(old, nr);
		return log_error(-ENOMEM, "rd: out of memory");
	}
	for (size_t i = 0; i < nr; i++)
		ids[i] = atoi(old[i]);
	strings_free(old, nr);
	if (!nr)
		for (; nr < j->info.nr_files; nr++)
			ids[nr] = j->info.files[nr].id;
	if (!nr) {
		free(ids);
		return fail(r, j, -EPROTO, NULL, "no files to select");
	}
	rc = rd_select_files(&r->c, j->new_id, ids, nr, r->cancel, &res);
	free(ids);
	note(r, "selectFiles", j->new_id, rc, &res);
	if (rc)
		return rc == -ECANCELED ? rc :
			fail(r, j, rc, NULL, result_text(rc, &res));
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
		rc = rd_delete(&r->c, j->id, r->cancel, &res);
		note(r, "delete", j->id, rc, &res);
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
	rc = rd_info(&r->c, j->new_id, r->cancel, &j->info, &res);
	note(r, "info", j->new_id, rc, &res);
	if (rc) {
		memset(&j->info, 0, sizeof(j->info));
		return rc == -ECANCELED ? rc :
			fail(r, j, rc, NULL, result_text(rc, &res));
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

static int step(struct rd_repair *r, struct job *j)
{
	int polls = 0, rc = 0;

	while (!rc && !j->done && ready(r)) {
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
	double files = query_num(r, "SELECT count(*) FROM rd_files WHERE"
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

	rc = query_strings(r, "SELECT f.torrent_id FROM rd_failures f WHERE"
			   " EXISTS (SELECT 1 FROM rd_links l WHERE"
			   " l.torrent_id = f.torrent_id AND l.broken)"
			   " ORDER BY f.torrent_id", NULL, &ids, &nr);
	if (rc)
		return rc;
	for (size_t i = 0; !rc && i < nr && guard_holds(r); i++)
		rc = clean_up(r, &(struct job){ .id = ids[i] });
	strings_free(ids, nr);
	return rc;
}

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
		else if (ready(r))
			rc = step(r, &jobs[i]);
	}
	for (size_t i = 0; i < nr; i++)
		job_clear(&jobs[i]);
	free(jobs);
	if (!rc && !r->dry_run && !r->stop)
		rc = clean_up_pending(r);
	return rc;
}

/* When a follow-up pass is due: a retry, a download to look at again, or
 * repairs a stopped pass left; but not before a pause ends, and never
 * sooner than a second from now. */
static void schedule(struct rd_repair *r, double now)
{
	double next = query_num(r, "SELECT min(next_at) FROM rd_repairs"
				" WHERE state = 'waiting_retry'", NULL, 0, 0);
	double busy = r->dry_run ? 0 : query_num(r, "SELECT count(*) FROM"
		" rd_repairs WHERE state IN ('adding', 'downloading') OR"
		" (state = 'queued' AND ?2)", NULL, r->stop, 0);

	if (busy && (!next || now + RD_POLL_S < next))
		next = now + RD_POLL_S;
	if (next && next < r->paused_until)
		next = r->paused_until;
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
	r->stop = 0;
	r->paused_until = 0;
	r->dry_run = dry_run;
	r->rate_limited_at = query_num(r, "SELECT rate_limited_at FROM"
				       " rd_sync", NULL, 0, 0);
	log_info("rd: %s pass started (%s%s)", kind == RD_PASS_RUN ? "repair" :
		 "scan", trigger, dry_run ? ", dry-run" : "");
	rc = detect(r, started);
	if (!rc && token)
		rc = sync_account(r);
	if (!rc && token)
		rc = read_candidates(r);
	if (!rc)
		rc = map_links(r);
	if (!rc)
		rc = queue_repairs(r, started);
	if (!rc && kind == RD_PASS_RUN && token && r->guard_ok)
		rc = repair_all(r, started);
	schedule(r, clock_wall());

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
