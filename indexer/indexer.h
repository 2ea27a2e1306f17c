/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_INDEXER_H
#define MEDIAMON_INDEXER_H

/*
 * The seam between the FUSE side and everything that learns about the
 * world. The FUSE side starts and stops the indexer, submits commands,
 * copies the live status, and watches the generation counter; for
 * anything else it reads the store through connections of its own.
 *
 * Commands never wait for their work: they are validated, queued (merged
 * with a pending one of the same kind) and carried out by the indexer's
 * own thread.
 */

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "indexer/analysis/analysis_worker.h"
/* the transcoding child of the Subsonic stream */
#include "indexer/analysis/transcode_child.h"
/* connections_check(), the one-shot --check-connections */
#include "indexer/connections.h"
#include "indexer/jobs.h"
#include "indexer/library/account_rows.h"
#include "indexer/library/scan.h"
#include "indexer/library/starred.h"
#include "indexer/library/watch.h"
#include "indexer/monitor/catalog_import.h"

struct strbuf;

struct config;

#define INDEXER_TRIGGER_LEN 16
#define INDEXER_SCOPE_LEN 16

struct indexer_root {
	int64_t id;
	const char *kind;	/* "music" or "manga" */
	const char *path;	/* absolute */
	int follow_outside;	/* links may lead out of every root */
};

/* A finished scan as the indexer saw it, which the store may not hold. */
struct indexer_scan_result {
	int64_t id;			/* its row; 0: the store took none */
	char trigger[INDEXER_TRIGGER_LEN];
	char scope[INDEXER_SCOPE_LEN];	/* "all" or "subtree", then ",full" */
	double started_at;		/* wall clock */
	double duration_s;
	double write_s;
	long peak_rss_kb;
	double cpu_s;			/* the daemon's, over the scan */
	int success;
	int error;			/* why it failed: a negative errno
					 * value, or 0 */
	int stored;			/* its row holds these figures */
	struct scan_stats stats;
};

struct indexer_status {
	const char *state;		/* "idle", "scanning", "checking",
					 * "repairing" or "paused" (the
					 * analysis queue, when nothing
					 * else runs) */
	double started_at;		/* when the daemon started (wall) */
	double counters_since;		/* the start or the last
					 * indexer_reset_metrics() (wall) */
	int dry_run;			/* as jobs_dry_run() */
	int scan_pending;		/* a scan asked waits for its turn,
					 * or its plan is being made */

	/* The running scan, when state is "scanning". */
	int64_t scan_id;
	char scan_trigger[INDEXER_TRIGGER_LEN];
	int scan_full;
	char scan_scope[INDEXER_SCOPE_LEN]; /* as a finished scan's */
	double scan_started_at;		/* wall clock */
	double scan_elapsed_s;
	double scan_write_s;
	struct scan_stats scan;		/* a copy of the live counters */

	/* A scan the store failed, or that failed for a reason that may
	 * pass (out of descriptors or memory, the store busy), waits this
	 * long to run again (0: none). */
	double scan_retry_in_s;
	/* The last finished scan, when has_last; failed scans the store
	 * took no row of, since start. */
	int has_last;
	struct indexer_scan_result last;
	uint64_t unstored_failures;

	struct jobs_status jobs;	/* checks running, queued, figures */
	struct analysis_worker_status analysis;
};

/*
 * Lock the store for this process, create what is missing of it (folders
 * 0700, the file 0600: see store/storefile.h), check it (a damaged store
 * is recovered: see recovery.h) and bring its schema up to date, before
 * the mount: a store that cannot be used, or that another mediamon uses,
 * stops the daemon before anything is mounted; so does one in a folder
 * others may write to, unless shared_ok (storefile_claim()). Returns 0 or
 * a negative errno value (logged).
 */
int indexer_prepare_store(const char *path, int shared_ok);

/*
 * Open the store, bring its roots in line with cfg and start the threads;
 * a first scan of every root (trigger "startup") is queued. cfg must stay
 * valid until indexer_stop(). Returns 0 or a negative errno value.
 */
int indexer_start(const struct config *cfg);

/* Cancel a running scan (nothing is deleted), commit and close the store. */
void indexer_stop(void);

/*
 * Queue a scan: of every root when path is NULL, else of the file or
 * subtree at path (absolute, inside a configured root, no "." or ".."
 * components). full re-reads every file's tags. trigger names the cause
 * ("control", "watch", "schedule"). While a scan runs, requests merge into
 * one pending scan. Returns 0, -EINVAL for a path outside every root, or
 * -EAGAIN while the indexer is stopped or restarting (a reload).
 */
int indexer_rescan(const char *trigger, int full, const char *path);

/*
 * Queue a scan of every root that removes what is gone however much it
 * is (scan.h: a removal held); 0, or -EAGAIN while the indexer stops or
 * starts.
 */
int indexer_confirm_removal(const char *trigger);

/*
 * The same for the watcher and the poll timer, for nr paths at once: they
 * join the pending scan together, so both ends of a move are scanned in
 * one pass. event_at[i] (monotonic clock, 0 for none) is when the change
 * at paths[i] was seen, so the time until its scan is committed can be
 * measured. Paths outside every root are left out; returns how many paths
 * were queued, or a negative errno value.
 */
int indexer_rescan_paths(const char *trigger, char *const *paths,
			 const double *event_at, size_t nr);

/*
 * Queue jobs (enum jobs_job: the checks, repair passes, a resync,
 * maintenance) on their lanes of the jobs threads; trigger names the
 * cause. Returns 0, or -EPERM when the configuration switches one of
 * them off, or -EAGAIN while the jobs restart.
 */
int indexer_check(unsigned jobs, const char *trigger);

/*
 * Let the download clients that refused their credentials be asked
 * again, and queue a missing-volume check that asks them. Returns as
 * indexer_check().
 */
int indexer_retry_clients(const char *trigger);

/*
 * Queue a repair run pass of ask's mode and limit (see
 * jobs_submit_repair()). Returns as indexer_check().
 */
int indexer_repair(const struct rd_ask *ask, const char *trigger);

/*
 * Queue the retry or the forgetting of the repair of torrent id, which
 * rd_commands_check() accepted (see jobs_submit_torrent()).
 */
int indexer_repair_torrent(enum rd_command cmd, const char *id,
			   const char *trigger);

/*
 * Look after the store, from a timer of the caller's (every few
 * seconds): a store a connection found corrupt is checked and, when
 * damaged, recovered (the indexer stops and starts again around it); a
 * store file deleted under the daemon is written back; and a scan the
 * store failed runs as soon as that is done or the store's disk has room
 * again. Not to be called beside indexer_start() or indexer_stop().
 */
void indexer_watch_store(void);

/*
 * mediamon --check [--apply] (indexer_check.c): the daemon's work done
 * once, without a mount. The store of cfg is claimed as a start claims
 * it (indexer_prepare_store(): a store another mediamon holds is
 * refused), the indexer started on it, and after its first scan one
 * missing-volume check and one Real-Debrid repair pass (each when cfg
 * enables it) run; then what they found and what they did, or would do,
 * is printed to out, one line each:
 *
 *	scan: 12 files seen, 12 new, 0 changed, ... (0.1 s)
 *	library: 5 tracks, 1 albums, 1 series, 3 volumes, ...
 *	unparsed: /manga/Saga/extra.cbz: no volume number
 *	missing: Saga: volume 2, 4
 *	release: Saga volume 2: would send "Saga v02"
 *	dead link: /tv/Show/E01.mkv -> /rd/...: broken (torrent ABC): would
 *		re-add info hash ...
 *	error: prowlarr: ...
 *
 * Without apply it is a dry-run (cfg->dry_run is set before any job
 * thread starts, jobs.h): nothing is sent to a client, no file moved, no
 * link or torrent changed, no notification made (the notifier is not
 * started: an alert told once would not be told by the daemon again);
 * the store records the scan and the checks as the daemon's own dry-run
 * does. With apply, cfg->dry_run is off and notifications are queued in
 * the store as the daemon's, those not yet sent left for it.
 * Returns 0 when nothing was found wrong, 1 when something was (a
 * missing volume, an unparsed name, a dead link, a failed scan, a
 * service that failed), 2 when it could not run (the store in use or
 * unusable: logged).
 */
int indexer_check_once(struct config *cfg, int apply, FILE *out);

/* Switch dry-run on or off until the daemon stops (see jobs.h). */
void indexer_set_dry_run(int on);

/* Pause (on) or resume the analysis queue until the daemon stops. */
void indexer_pause_analysis(int on);

/*
 * Set the counters since the start to zero: the watcher's, the remote
 * services' requests and the cache's, the analysis'. What the store
 * holds (scans, checks, repairs) stays.
 */
void indexer_reset_metrics(void);

/*
 * Note that the mount is serving a read of a library file: the analysis
 * holds back, as reads come first.
 */
void indexer_note_read(void);

/*
 * Store a user's setting of one series (/manga/SERIES): whether it is
 * monitored, the latest volume published (0 forgets it), where news of
 * it comes from ("" for none). Waits for the writer (one batch at most).
 * Returns 0, -EINVAL for a latest volume past any volume number
 * (NAMES_MAX_NUMBER), -ENOENT when the series is gone, or another
 * negative errno value.
 */
int indexer_set_series_monitored(int64_t series, int on);
int indexer_set_series_latest(int64_t series, long latest);
int indexer_set_series_source(int64_t series, const char *source);

/* Store the edition a series follows (one of config_editions), or, for
 * NULL, forget it: [monitor] edition is followed. Returns 0, -EINVAL
 * for another, -ENOENT when the series is gone, or another negative
 * errno value. */
int indexer_set_series_edition(int64_t series, const char *edition);

/* The longest text of a series' preferences (prefs.h: PREFS_TEXT_MAX). */
#define INDEXER_PREFS_MAX 1024

/*
 * Store a series' release preferences (/manga/SERIES/preferences), text
 * as prefs_parse() reads it ("" forgets them). Returns 0, -EINVAL for
 * text prefs_parse() refuses (nothing changes), -ENOENT when the series
 * is gone, or another negative errno value.
 */
int indexer_set_series_prefs(int64_t series, const char *text);

/*
 * Send release id (as /status/found.json shows it) to the download client
 * of its protocol, as the monitor would, whatever auto_download says; it
 * is then followed and imported (picked.h). Checked at once: -EINVAL
 * (logged) when no found release has the id, when it is blocklisted or
 * its volume handed over already; -EPERM when no download client is set
 * up; -EBUSY when too many wait; else it is queued and 0 returned.
 */
int indexer_send(const char *id);

/*
 * Put release id (as /status/found.json shows it) on the blocklist, or
 * take it off (remove). Returns 0, -EINVAL for an id of the wrong shape
 * or, removing, one not on it, or another negative errno value.
 */
int indexer_blocklist(const char *id, int remove);

/*
 * Keep the star change (library/starred.h) of a Subsonic account, ahead
 * of a scan's backlog. Returns 0 or a negative errno value (logged).
 */
int indexer_star(const struct starred_change *change);

/*
 * Count a play of the song of file (a files.id) that account told at
 * (seconds since the epoch), ahead of a scan's backlog. Returns 0 or a
 * negative errno value (logged).
 */
int indexer_scrobble(const char *account, int64_t file, double at);

/*
 * Keep what a Subsonic account changed of its own rows
 * (library/account_rows.h), ahead of a scan's backlog: a playlist (its
 * id set when it is new; -ENOENT when it is no playlist of the account),
 * a bookmark, its play queue, a rating. Each returns 0 or a negative
 * errno value (logged).
 */
int indexer_playlist(struct account_playlist_change *change);
int indexer_bookmark(const struct account_bookmark *bookmark);
int indexer_play_queue(const struct account_queue *queue);
int indexer_rating(const struct account_rating *rating);

/* Copy the live status. */
void indexer_status(struct indexer_status *out);

/* A counter that moves whenever the store's content may have changed. */
uint64_t indexer_generation(void);

/* Keep the n first-seen times at t (fs/tree/stamps.h) in the store, each
 * in place of the one it kept for its key (the others stay): one
 * transaction, waited for, ahead of a scan's backlog. 0 or a negative
 * errno value (logged). */
struct playlist_time;
int indexer_save_playlist_times(const struct playlist_time *t, size_t n);

/*
 * A counter that moves only when what the mount lists by name may have
 * changed: the roots, folders, files, tags, covers, series, volumes and
 * missing volumes; not the audio analysis' results nor a check's figures.
 */
uint64_t indexer_names_generation(void);

/* The database file, for read connections. */
const char *indexer_db_path(void);

/* Append the store's own lines of the health file: records the writer
 * could not apply, then the store file's state ("error:" lines to
 * errors, "warn:" to warns). */
void indexer_store_health(struct strbuf *errors, struct strbuf *warns);

/* The configured roots (none while the indexer is stopped); the array
 * stays valid until the daemon exits, also across reloads. */
const struct indexer_root *indexer_roots(size_t *nr);

/*
 * Open the absolute path of an indexed file with flags for the mount, as
 * common/symlinks.h rules for the roots in use (a link on its path
 * leads only into a root, unless that root follows outside), and only
 * when it is a regular file now. Returns the descriptor, -EXDEV for a
 * link that leads out, -EINVAL for something other than a regular file
 * (a FIFO is never waited for), or another negative errno value.
 */
int indexer_open_file(const char *path, int flags);

#endif
