/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_RD_JOB_H
#define MEDIAMON_RD_JOB_H

/*
 * The repair of one torrent, step by step across passes, and what a
 * repair leaves to do: the old torrent's deletion, tried again until it
 * goes, and the dead links of a torrent that failed for good. The pass
 * (rd_repair.h) decides when; this module does the requests.
 *
 *	struct rd_job_ctx w = {
 *		.cfg = cfg,
 *		.db = read_connection,
 *		.s = &session,
 *		.dry_run = 0,
 *		.n = &pass_row,
 *		.guard = mount_looks_up,
 *		.arg = state,
 *	};
 *
 *	rc = rd_job_work_all(&w, now);		(every repair due)
 *	if (!rc && !w.dry_run && !session.stop)
 *		rc = rd_job_delete_old(&w, now);
 *	if (!rc && !w.dry_run && !session.stop)
 *		rc = rd_job_clean_up_failed(&w);
 *
 * A repair (a row of rd_repairs) goes queued -> adding (re-added by its
 * info hash) -> downloading (the files selected before are selected) ->
 * repaired (the new torrent is downloaded; the links follow it), or to
 * waiting_retry and, after max_attempts or at once for a permanent
 * answer, to failed. A repaired torrent's old torrent is deleted; when
 * that fails, the repair stays repaired and the deletion, kept in
 * rd_deletes with its failures, is tried again retry_delay later, until
 * Real-Debrid deletes it or no longer has it.
 *
 * Outcomes (rd_job_classify()): rate limits, no slot, magnet_error,
 * error, server and network errors are retried retry_delay later, at most
 * max_attempts times, then the repair has failed for good; infringing
 * and virus fail for good at once, but an infringing answer within
 * RD_INFRINGING_GRACE seconds of a rate-limit answer counts as rate
 * limiting. Failing for good deletes the torrent's dead links (only
 * those, only when they are still dead links to the same target) and
 * asks Sonarr or Radarr to rescan the series or movie holding them, by
 * its id; never without an id (rd_cleanup.h).
 *
 * Every destructive step (deleting a torrent or a link) asks guard(arg)
 * first and is skipped while it says the mount looks down. In dry-run
 * nothing is sent but GET requests: each repair gets, in rd_repairs.plan,
 * what a run would do.
 */

#include <sqlite3.h>

struct config;
struct rd_pass_row;
struct rd_session;

#define RD_POLLS_PER_PASS 8		/* info polls per repair per pass */

/* The statuses of the account's torrents a repair can mend (virus
 * stays as it is), as an SQL list. */
#define RD_ERRORED "('error', 'magnet_error', 'dead')"
#define RD_INFRINGING_GRACE 30.0	/* seconds after a rate limit */

enum rd_outcome {
	RD_RETRY,			/* try again retry_delay later */
	RD_PERMANENT,			/* give up on this torrent */
	RD_STOP,			/* stop the pass; no attempt counted */
};

struct rd_job_ctx {
	const struct config *cfg;	/* [realdebrid], [sonarr], [radarr] */
	sqlite3 *db;			/* a read connection to the store */
	struct rd_session *s;		/* every request goes through it */
	int dry_run;
	int links;			/* start the repairs of torrents with
					 * dead links */
	int errored;			/* and of those the account lists in
					 * RD_ERRORED; a repair asked for, or
					 * under way, goes on either way */
	int limit;			/* repairs worked on at most; 0: all */
	int worked;			/* repairs worked on so far, against
					 * limit */
	int fresh;			/* only repairs not under way yet */
	double since;			/* skip those under way started at or
					 * after since (0: none skipped) */
	struct rd_pass_row *n;		/* the pass's counts, added to */
	int (*guard)(void *arg);	/* 1: the mount looks up */
	void *arg;
};

/*
 * Move on every repair that is due at now (under way, or queued or a
 * retry whose time came that links and errored take; with fresh, only
 * the latter; never one under way started at or after since), oldest
 * touched first, at most limit of them counting those worked before
 * (added to worked), as far as each goes in this pass: a few
 * polls of a download, the rest for a follow-up pass. In dry-run, only
 * write each one's plan. Returns 0 (failed requests are
 * recorded, not returned), -ECANCELED, or a negative errno value when
 * the store failed.
 */
int rd_job_work_all(struct rd_job_ctx *w, double now);

/*
 * Delete again the old torrents of repairs whose deletion failed, those
 * last tried retry_delay or more before now. Returns as rd_job_work_all().
 */
int rd_job_delete_old(struct rd_job_ctx *w, double now);

/*
 * When the first deletion rd_job_delete_old() left is due again (its last
 * try plus cfg's retry_delay), read through db, or 0 when none waits.
 */
double rd_job_delete_due(sqlite3 *db, const struct config *cfg);

/*
 * Delete the dead links of the torrents that failed for good at least
 * [realdebrid] orphan_grace ago (the grace an orphan gets: a failure
 * recorded now waits for the pass after the grace), and ask for their
 * rescans.
 * Returns 0 or a negative errno value when the store failed.
 */
int rd_job_clean_up_failed(struct rd_job_ctx *w);

/*
 * What to do after a request of a repair failed with rc (0 when the
 * request went through but the torrent's status is bad) and status (the
 * torrent's, or NULL), at now, the last rate-limit answer being at
 * rate_limited_at (0: never).
 */
enum rd_outcome rd_job_classify(int rc, const char *status, double now,
				double rate_limited_at);

#endif
