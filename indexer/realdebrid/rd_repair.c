/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The Real-Debrid repair's passes (rd_repair.h): the links kept up to
 * date, dead ones found and mapped, repairs started (those the last
 * listing maps before the account is listed again) and followed, under
 * the mount guard. It runs on the jobs' repair lane; no FUSE request
 * waits on it.
 */
#include "indexer/realdebrid/rd_repair.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/array.h"
#include "common/cleanup.h"
#include "common/clock.h"
#include "common/config.h"
#include "common/db.h"
#include "common/log.h"
#include "common/notify.h"
#include "common/path.h"
#include "indexer/realdebrid/mediaserver.h"
#include "indexer/realdebrid/rd_cleanup.h"
#include "indexer/realdebrid/rd_job.h"
#include "indexer/realdebrid/rd_guard.h"
#include "indexer/realdebrid/rd_links.h"
#include "indexer/realdebrid/rd_map.h"
#include "indexer/realdebrid/rd_session.h"
#include "indexer/realdebrid/rd_store.h"
#include "indexer/realdebrid/rd_sync.h"
#include "indexer/library/watch.h"
#include "indexer/store/writer.h"

struct rd_repair {
	const struct config *cfg;
	const int *cancel;
	sqlite3 *db;
	struct rd_session s;
	char *mount;			/* normalized */
	double next_at;
	int walked;			/* the libraries were walked whole,
					 * their folders watched since */
	int rate_above;			/* the last pass that ended repairs
					 * failed too many for good */

	/* The pass running. */
	int dry_run;
	enum rd_mode mode;
	int limit;
	int guard_ok;
	char why[RD_GUARD_WHY];
	struct rd_pass_row n;
};

static const char *const mode_names[RD_NR_MODES] = {
	[RD_MODE_LINKS] = "links",
	[RD_MODE_QUICK] = "quick",
	[RD_MODE_FULL] = "full",
};

int rd_mode_parse(const char *name)
{
	for (int i = 0; i < RD_NR_MODES; i++)
		if (name && !strcasecmp(name, mode_names[i]))
			return i;
	return -EINVAL;
}

const char *rd_mode_name(enum rd_mode mode)
{
	return mode_names[mode];
}

enum rd_mode rd_mode_configured(const struct config *cfg)
{
	int mode = rd_mode_parse(cfg->rd_repair_mode);

	if (mode >= 0)
		return mode;
	return cfg->rd_repair_account_errors ? RD_MODE_FULL : RD_MODE_LINKS;
}

CLEANUP_FUNC(struct rd_repair, rd_repair_free)

int rd_repair_new(const struct config *cfg, const int *cancel,
		  struct rd_repair **out)
{
	CLEANUP(rd_repair_free) struct rd_repair *r = calloc(1, sizeof(*r));
	int rc;

	if (!r)
		return log_error(-ENOMEM, "rd: out of memory");
	r->cfg = cfg;
	r->cancel = cancel;
	r->mount = path_normalize(NULL, cfg->rd_mount ? cfg->rd_mount :
				      "/");
	rc = r->mount ? db_open(cfg->database, 1, &r->db) :
		log_error(-ENOMEM, "rd: out of memory");
	if (!rc)
		rc = rd_session_init(&r->s, cfg, r->db, cancel);
	if (!rc)
		*out = CLEANUP_STEAL(r);
	return rc;
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

double rd_repair_last_run_at(struct rd_repair *r)
{
	return rd_store_num(r->db, "SELECT max(finished_at) FROM rd_passes"
			    " WHERE kind = 'run'", NULL, 0, 0);
}

int rd_repair_resyncing(struct rd_repair *r)
{
	return rd_sync_listing(r->db);
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

/*
 * Find the links into the mount: every path (NULL: walk the library
 * folders whole, watching each folder on the way), into *links, and store
 * them, dropping the ones gone from where the walk looked (everywhere
 * when scopes is NULL).
 */
static int links_update(struct rd_repair *r, char *const *paths, size_t nr,
			char *const *scopes, size_t nr_scopes, double now,
			struct rd_link **links, size_t *nr_links)
{
	struct rd_links_rows rows = {
		.mount = r->mount,
		.at = now,
		.scopes = (const char *const *)scopes,
		.nr_scopes = nr_scopes,
	};
	int rc;

	if (paths)
		rc = rd_links_read((const char *const *)paths, nr, r->mount,
				   r->cancel, watch_library_dir, links,
				   nr_links);
	else
		rc = rd_links_walk((const char *const *)
				   r->cfg->rd_libraries.items,
				   r->cfg->rd_libraries.nr, r->mount,
				   r->cancel, watch_library_dir, links,
				   nr_links);
	if (rc)
		return rc;
	rows.links = *links;
	rows.nr = *nr_links;
	rc = writer_call(rd_store_links, &rows);
	if (rc) {
		rd_links_free(*links, *nr_links);
		return rc;
	}
	if (!paths)
		r->walked = 1;
	return 0;
}

/*
 * Look at every link into the mount, then judge the mount by what was
 * seen. While the watcher keeps the links up to date, a pass reads again
 * only the links it knows, since a target the mount lost makes no event
 * in the library; a pass asked for by hand, the first one, every pass
 * without the watcher, and one that knows no link walk the folders whole.
 */
static int detect(struct rd_repair *r, double now, const char *trigger)
{
	struct watch_status ws;
	struct rd_link *links;
	char **known = NULL;
	size_t nr, nr_known = 0;
	int rc = 0;

	watch_status(&ws);
	if (r->walked && ws.enabled && strcmp(trigger, "control"))
		rc = rd_store_strings(r->db, "SELECT path FROM rd_links",
				      NULL, &known, &nr_known);
	if (rc)
		return rc;
	rc = links_update(r, known, nr_known, NULL, 0, now, &links, &nr);
	array_free_strings(known, nr_known);
	if (rc)
		return rc;
	r->n.links = nr;
	for (size_t i = 0; i < nr; i++)
		r->n.broken += links[i].broken;
	rd_links_free(links, nr);
	guard_holds(r);
	return 0;
}

int rd_repair_links(struct rd_repair *r, char *const *paths, size_t nr)
{
	struct rd_link *links;
	size_t nr_links;
	int unmapped = 0, rc;

	rc = links_update(r, paths, nr, paths, nr, clock_wall(), &links,
			  &nr_links);
	if (rc)
		return rc;
	rd_links_free(links, nr_links);
	rc = rd_map_links(r->db, &unmapped);
	log_debug("rd: %s: %zu links into the mount, %d unmapped",
		  paths ? "changed paths read" : "libraries walked", nr_links,
		  unmapped);
	return rc;
}

/* The torrents with dead links and no repair. */
#define QUEUE_SQL \
	"SELECT DISTINCT l.torrent_id FROM rd_links l WHERE l.broken AND" \
	" l.torrent_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM" \
	" rd_repairs p WHERE p.torrent_id = l.torrent_id)"

/* The torrents the account lists in a state a repair can mend, with no
 * repair. */
#define ERRORED_SQL \
	"SELECT t.id FROM rd_torrents t WHERE t.status IN " RD_ERRORED \
	" AND t.hash IS NOT NULL AND NOT EXISTS (SELECT 1 FROM rd_repairs p" \
	" WHERE p.torrent_id = t.id)"

/* A repair loop stopped is a failure for good: the user hears of it as
 * of any other (rd_job.h), under the torrent's name. */
static void tell_loop(const struct rd_repair *r, const char *id,
		      const char *why)
{
	char **name = NULL;
	size_t nr = 0;

	if (r->dry_run)
		return;
	rd_store_strings(r->db, "SELECT filename FROM rd_torrents WHERE"
			 " id = ?1 AND filename IS NOT NULL", id, &name, &nr);
	notify_event(NOTIFY_REPAIR_FAILED, nr ? name[0] : id,
		     json_pack("{s:s, s:s?, s:s}", "torrent_id", id, "name",
			       nr ? name[0] : NULL, "reason", why),
		     "torrent %s cannot be repaired: %s", id, why);
	array_free_strings(name, nr);
}

/*
 * Put each torrent with dead links (links and full modes) and each the
 * account lists as errored (quick and full modes) in the repair queue, unless a
 * repair of it is under way, or it was just repaired and the mount has not
 * caught up yet, or it is in a repair loop; drop waiting repairs whose links
 * came back by themselves (or whose torrent the account no longer lists as
 * errored), unless a user asked for them.
 */
static int queue_repairs(struct rd_repair *r, double now)
{
	static const char *const queue_sql[RD_NR_MODES] = {
		[RD_MODE_LINKS] = QUEUE_SQL,
		[RD_MODE_QUICK] = ERRORED_SQL,
		[RD_MODE_FULL] = QUEUE_SQL " UNION " ERRORED_SQL,
	};
	char **ids = NULL;
	size_t nr = 0;
	int rc;

	rc = rd_store_strings(r->db, queue_sql[r->mode], NULL, &ids, &nr);
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
			tell_loop(r, ids[i], loop);
		}
		rc = writer_call(rd_store_sql, &q);
	}
	array_free_strings(ids, nr);
	if (rc)
		return rc;
	return writer_call(rd_store_sql, &(struct rd_sql){
		.sql = "DELETE FROM rd_repairs WHERE state IN ('queued',"
		       " 'waiting_retry') AND asked_at IS NULL AND NOT EXISTS"
		       " (SELECT 1 FROM rd_links l WHERE"
		       " l.torrent_id = rd_repairs.torrent_id AND l.broken)"
		       " AND NOT (?7 AND EXISTS (SELECT 1 FROM rd_torrents t"
		       " WHERE t.id = rd_repairs.torrent_id AND t.status IN"
		       " " RD_ERRORED "))",
		.num = { r->mode != RD_MODE_LINKS },
	});
}

/* Ask the guard again before each link goes. */
static int guard_cb(void *r)
{
	return guard_holds(r);
}

/* Delete the orphans past their grace ([realdebrid] orphans = delete). */
static int clean_up_orphans(struct rd_repair *r, double now)
{
	struct rd_cleanup c = {
		.cfg = r->cfg,
		.db = r->db,
		.guard = guard_cb,
		.arg = r,
	};
	int rc = rd_cleanup_orphans(&c, now);

	r->n.orphans_deleted += c.deleted;
	return rc;
}

/* The repairs of one pass, across its two lanes. */
static void job_ctx(struct rd_repair *r, struct rd_job_ctx *w)
{
	*w = (struct rd_job_ctx){
		.cfg = r->cfg,
		.db = r->db,
		.s = &r->s,
		.dry_run = r->dry_run,
		.links = r->mode != RD_MODE_QUICK,
		.errored = r->mode != RD_MODE_LINKS,
		.limit = r->limit,
		.n = &r->n,
		.guard = guard_cb,
		.arg = r,
	};
}

/*
 * The first lane: the dead links the copy of the account (the last
 * listing's) maps are queued and their repairs started before this
 * pass lists the account, so none waits on pages it does not need.
 */
static int repair_known(struct rd_repair *r, double now,
			struct rd_job_ctx *w)
{
	int unmapped = 0;	/* the pass counts those left after listing */
	int rc = rd_map_links(r->db, &unmapped);

	if (!rc)
		rc = queue_repairs(r, now);
	w->fresh = 1;
	if (!rc)
		rc = rd_job_work_all(w, now);
	w->fresh = 0;
	w->since = now;
	return rc;
}

/* The second lane, once the account is listed: move the repairs on
 * (those the listing brought, and those under way from earlier passes),
 * then what they left: old torrents to delete, dead links of torrents
 * that failed for good, orphans past their grace. */
static int repair(struct rd_repair *r, double now, struct rd_job_ctx *w)
{
	int rc = rd_job_work_all(w, now);

	if (!rc && !r->dry_run && !r->s.stop)
		rc = rd_job_delete_old(w, now);
	if (!rc && !r->dry_run && !r->s.stop)
		rc = rd_job_clean_up_failed(w);
	if (!rc && !r->dry_run && !r->s.stop)
		rc = clean_up_orphans(r, now);
	return rc;
}

/* The folders a pass changed: those of the links it deleted, and of the
 * links of the torrents it repaired. */
#define CHANGED_SQL \
	"SELECT DISTINCT rtrim(rtrim(p, replace(p, '/', '')), '/') FROM" \
	" (SELECT target AS p FROM rd_actions WHERE at >= CAST(?1 AS REAL)" \
	" AND service = 'mount' AND result = 'ok' AND action IN" \
	" ('delete_link', 'delete_orphan') UNION ALL SELECT CAST(l.path AS" \
	" TEXT) FROM rd_links l JOIN rd_repairs r ON l.torrent_id IN" \
	" (r.torrent_id, r.new_id) WHERE r.state = 'repaired' AND" \
	" r.finished_at >= CAST(?1 AS REAL)) ORDER BY 1"

/* Keep what a media server was told, or why not, in rd_actions. */
static int note_refresh(void *arg, const char *service, const char *target,
			int rc)
{
	(void)arg;
	return rd_store_action(NULL, service, "refresh", target,
			       !rc ? "ok" : strerror(-rc));
}

/* Tell the media servers, once a pass, of the folders it changed. */
static int refresh_media(struct rd_repair *r, double started)
{
	struct mediaserver_told told;
	char since[32], **folders = NULL;
	size_t nr = 0;
	int rc;

	snprintf(since, sizeof(since), "%.6f", started);
	rc = rd_store_strings(r->db, CHANGED_SQL, since, &folders, &nr);
	if (!rc)
		rc = mediaserver_refresh(r->cfg, (const char *const *)folders,
					 nr, note_refresh, NULL, &told);
	if (!rc && (told.asked || told.failed))
		log_info("rd: media servers told of %zu folders: %d requests,"
			 " %d failed", nr, told.asked, told.failed);
	array_free_strings(folders, nr);
	return rc;
}

/* When a follow-up pass is due: a retry, a download to look at again,
 * an old torrent to delete again, or repairs a stopped pass left; but
 * not before a pause ends, and never sooner than a second from now. */
static void schedule(struct rd_repair *r, double now)
{
	double next = rd_store_num(r->db, "SELECT min(next_at) FROM rd_repairs"
				" WHERE state = 'waiting_retry'", NULL, 0, 0);
	double busy = r->dry_run ? 0 : rd_store_num(r->db, "SELECT count(*)"
		" FROM rd_repairs WHERE state IN ('adding', 'downloading') OR"
		" (state = 'queued' AND ?2)", NULL, r->s.stop, 0);
	double deletes = r->dry_run ? 0 : rd_job_delete_due(r->db, r->cfg);
	/* A listing cut short goes on once the throttle's pause ends. */
	double listing = !rd_sync_listing(r->db) ? 0 : r->s.paused_until ?
		r->s.paused_until : now + RD_POLL_S;

	if (deletes && (!next || deletes < next))
		next = deletes;
	if (busy && (!next || now + RD_POLL_S < next))
		next = now + RD_POLL_S;
	if (listing && (!next || listing < next))
		next = listing;
	if (next && next < r->s.paused_until)
		next = r->s.paused_until;
	if (next && next < now + 1)
		next = r->guard_ok ? now + 1 : now + RD_POLL_S;
	r->next_at = next;
}

/* One notification per pass that changed something on the account or
 * on disk; a pass that only looked says nothing. */
static void tell(const struct rd_repair *r)
{
	const struct rd_pass_row *n = &r->n;

	if (r->dry_run || !(n->started || n->repaired || n->failed ||
			    n->links_deleted || n->old_deleted ||
			    n->orphans_deleted))
		return;
	notify_event(NOTIFY_REPAIR_PASS, NULL,
		     json_pack("{s:s, s:s, s:i, s:i, s:i, s:i, s:i, s:i, s:i,"
			       " s:i, s:i, s:i, s:i, s:i, s:i, s:i}",
			       "kind", n->kind, "trigger", n->trigger,
			       "links", n->links, "broken", n->broken,
			       "started", n->started, "repaired", n->repaired,
			       "failed", n->failed,
			       "links_deleted", n->links_deleted,
			       "rescans", n->rescans,
			       "searches", n->searches, "retries", n->retries,
			       "unmapped", n->unmapped,
			       "old_deleted", n->old_deleted,
			       "orphans_deleted", n->orphans_deleted,
			       "requests", n->requests,
			       "rate_limited", n->rate_limited),
		     "%d repairs started, %d torrents repaired, %d failed for"
		     " good (%d dead links deleted, %d rescans and %d"
		     " searches asked), %d to retry, %d links unmapped, %d old"
		     " torrents deleted, %d orphans deleted.",
		     n->started, n->repaired, n->failed, n->links_deleted,
		     n->rescans, n->searches, n->retries, n->unmapped,
		     n->old_deleted, n->orphans_deleted);
}

/* Of the passes that ended repairs, only the first of a run of them that
 * failed more than [notify] error_rate for good is news, as for scans. */
static void tell_error_rate(struct rd_repair *r)
{
	const struct rd_pass_row *n = &r->n;
	int ended = n->repaired + n->failed;
	double limit = r->cfg->notify_error_rate;
	double rate = ended ? (double)n->failed / ended : 0;

	if (r->dry_run || !ended)
		return;
	if (rate <= limit || r->rate_above) {
		r->rate_above = rate > limit;
		return;
	}
	r->rate_above = 1;
	notify_event(NOTIFY_ERROR_RATE, NULL,
		     json_pack("{s:s, s:i, s:i, s:f, s:f}",
			       "repair_pass", n->kind, "repaired", n->repaired,
			       "failed", n->failed, "error_rate", rate,
			       "threshold", limit),
		     "a %s repair pass failed %d of %d repairs for good "
		     "(%.1f%%, above %.1f%%)", r->s.ops->title, n->failed,
		     ended, rate * 100, limit * 100);
}

int rd_repair_pass(struct rd_repair *r, enum rd_pass_kind kind, int dry_run,
		   const char *trigger, const struct rd_ask *ask)
{
	double started = clock_wall();
	struct rd_job_ctx w;
	const char *key = debrid_key(r->cfg);
	int token = key && *key;
	char limit[32] = "";
	int rc;

	memset(&r->n, 0, sizeof(r->n));
	rd_session_begin(&r->s, r->db);
	r->dry_run = dry_run;
	r->mode = ask && ask->mode >= 0 ? (enum rd_mode)ask->mode :
		rd_mode_configured(r->cfg);
	r->limit = ask ? ask->limit : 0;
	if (r->limit)
		snprintf(limit, sizeof(limit), ", at most %d repairs",
			 r->limit);
	log_info("rd: %s pass started (%s, mode %s%s%s)",
		 kind == RD_PASS_RUN ? "repair" : "scan", trigger,
		 rd_mode_name(r->mode), limit, dry_run ? ", dry-run" : "");
	job_ctx(r, &w);
	rc = detect(r, started, trigger);
	if (!rc && kind == RD_PASS_RUN && token && r->guard_ok)
		rc = repair_known(r, started, &w);
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
	if (!rc)
		rc = rd_cleanup_track_orphans(r->cfg, started);
	if (!rc && kind == RD_PASS_RUN && token && r->guard_ok)
		rc = repair(r, started, &w);
	if (!rc && kind == RD_PASS_RUN && !dry_run)
		rc = refresh_media(r, started);
	schedule(r, clock_wall());

	r->n.requests = r->s.requests;
	r->n.rate_limited = r->s.rate_limits;
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
	tell_error_rate(r);
	log_info("rd: pass %s: %d links, %d broken, %d unmapped, %d repairs"
		 " started, %d repaired, %d to retry, %d failed, %d links"
		 " deleted, %d requests", rc ? "stopped" : "finished",
		 r->n.links, r->n.broken, r->n.unmapped, r->n.started,
		 r->n.repaired, r->n.retries, r->n.failed, r->n.links_deleted,
		 r->n.requests);
	return rc;
}
