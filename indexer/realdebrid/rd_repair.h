/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_RD_REPAIR_H
#define MEDIAMON_RD_REPAIR_H

/*
 * Repair of dead Real-Debrid links, as passes on the repair lane of the
 * jobs (jobs.h).
 *
 *	struct rd_repair *r;
 *
 *	rd_repair_new(cfg, &cancel, &r);
 *	rd_repair_links(r, NULL, 0);	(walk the library folders)
 *	rd_repair_links(r, changed, nr);	(the watcher saw these change)
 *	rd_repair_pass(r, RD_PASS_SCAN, jobs_dry_run(), "control", NULL);
 *	rd_repair_pass(r, RD_PASS_RUN, jobs_dry_run(), "schedule", NULL);
 *	rd_repair_pass(r, RD_PASS_RUN, jobs_dry_run(), "control",
 *		       &(struct rd_ask){ .mode = RD_MODE_LINKS, .limit = 5 });
 *	when = rd_repair_next_at(r);	(a follow-up pass is due then)
 *	rd_repair_free(r);
 *
 * The links into the mount are kept up to date between passes: the
 * library folders are walked whole at start (and after the watcher lost
 * events), and what the watcher sees change there is read again
 * (rd_repair_links(), on the jobs thread).
 *
 * A pass:
 *   1. reads again every link it knows, since a target the mount lost
 *      makes no event in the library (a pass asked for by hand, or one
 *      without the watcher, walks the [realdebrid] library folders whole
 *      instead) and stores them (rd_links.h, table rd_links);
 *   2. checks the mount guard (rd_guard.h); it is checked again before
 *      every destructive step, and while it fails nothing is repaired or
 *      deleted;
 *   3. (RD_PASS_RUN only) maps the dead links with the copy of the
 *      account the last listing left and starts their repairs, as in 5,
 *      so no repair waits on this pass's listing;
 *   4. lists the account's torrents whole, page by page (a listing cut
 *      short by a rate limit or failures goes on from its page in a
 *      follow-up pass, when the throttle's pause ends, or RD_POLL_S
 *      later), reads the info of the torrents a dead link may belong to
 *      (rd_sync.h), and maps each dead link to its torrent (rd_map.h);
 *      a link that maps to none or to several is "unmapped";
 *   5. (RD_PASS_RUN only) repairs what the pass's mode names (enum
 *      rd_mode: each torrent with dead links, each the account lists in
 *      error, magnet_error or dead (virus is left alone), or both), and
 *      each a user asked to retry (rd_commands.h), at most the pass's
 *      limit of them (3 and 5 together): re-add by
 *      info hash, select the files selected before, poll its info (a few
 *      times per pass, then again in a follow-up pass, RD_POLL_S later,
 *      for at most download_timeout) until it is downloaded, then delete the
 *      old torrent. Every request is recorded in rd_attempts.
 *
 * Each repair's steps, the deletion of old torrents and the clean-up of
 * a torrent that failed for good are rd_job.h's. A torrent repaired
 * max_attempts times within RD_LOOP_WINDOW whose links die again is a
 * repair loop: it is stopped and listed, and nothing is deleted.
 *
 * In dry-run, a pass sends GET requests only: it shows, in rd_repairs.plan,
 * what it would do, and deletes and commands nothing.
 */

#include <stddef.h>

struct config;
struct rd_repair;

#define RD_POLL_S 30.0			/* before a follow-up pass */
#define RD_LOOP_WINDOW (24 * 3600.0)	/* repaired this often: a loop */
#define RD_SETTLE_S (15 * 60.0)		/* for the mount to show a repair */

enum rd_pass_kind {
	RD_PASS_SCAN,			/* detect and map only */
	RD_PASS_RUN,			/* and repair */
};

/*
 * What a run pass repairs. Whatever the mode, the repairs a user asked
 * for (retry) are worked on, and what earlier repairs left (old torrents
 * to delete, the dead links of torrents failed for good, orphans) is
 * carried out.
 */
enum rd_mode {
	RD_MODE_LINKS,			/* the torrents with dead links */
	RD_MODE_QUICK,			/* those the account lists in error */
	RD_MODE_FULL,			/* both */
	RD_NR_MODES,
};

#define RD_LIMIT_MAX 100000		/* repairs a pass may be limited to */
#define RD_LIMIT_TEXT "100000"		/* the same, to be said */

/* What a pass asked by hand repairs. */
struct rd_ask {
	int mode;			/* enum rd_mode; -1: the configured */
	int limit;			/* repairs worked on at most; 0: all */
};

/* The mode named name ("links", "quick", "full"), or -EINVAL. */
int rd_mode_parse(const char *name);

/* The name of mode. */
const char *rd_mode_name(enum rd_mode mode);

/* The mode of passes nobody asked for: [realdebrid] repair_mode, or, when
 * it is not set, full with repair_account_errors and links without. */
enum rd_mode rd_mode_configured(const struct config *cfg);

/*
 * Make the repairer for cfg (which must outlive it): a read connection to
 * the store and one throttle for every Real-Debrid call, at
 * requests_per_minute, its state loaded from the store. *cancel (read
 * atomically) stops a pass early. Returns 0 or a negative errno value.
 */
int rd_repair_new(const struct config *cfg, const int *cancel,
		  struct rd_repair **out);

/* Free r and what it holds; NULL is allowed. */
void rd_repair_free(struct rd_repair *r);

/*
 * Run one pass of kind; dry_run as jobs_dry_run() says, trigger
 * ("control", "schedule") recorded in rd_passes, ask its mode and limit
 * (NULL: the configured mode, no limit). Returns 0 when the pass
 * ran (requests may have failed: they are recorded), -ECANCELED, or
 * another negative errno value when the store failed.
 */
int rd_repair_pass(struct rd_repair *r, enum rd_pass_kind kind, int dry_run,
		   const char *trigger, const struct rd_ask *ask);

/*
 * Bring the links the repair knows up to date for the nr paths (absolute,
 * normalized) under the library folders that changed, or with paths NULL
 * for every library folder, walked whole; each folder walked is watched
 * (watch_library_dir()). Links found are stored, links gone from those
 * paths leave, and new dead links are mapped from the local copy of the
 * account: no request is sent. Returns 0, -ECANCELED, or a negative errno
 * value when the store failed.
 */
int rd_repair_links(struct rd_repair *r, char *const *paths, size_t nr);

/*
 * The wall-clock time a follow-up run pass is due (a repair waits for its
 * download, a retry comes due, a rate-limit pause ends, a resync has
 * pages left), or 0 for none.
 */
double rd_repair_next_at(struct rd_repair *r);

/* When the last run pass finished, as the store remembers it, or 0. */
double rd_repair_last_run_at(struct rd_repair *r);

/* Whether a listing of the account is under way: a resync asked
 * (rd_commands.h), or one a rate limit, failures or a restart cut short
 * (rd_sync.h); it goes on at once after a restart. */
int rd_repair_resyncing(struct rd_repair *r);

#endif
