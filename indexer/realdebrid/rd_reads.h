/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_RD_READS_H
#define MEDIAMON_RD_READS_H

/*
 * What the store holds of the Real-Debrid repairs, read for the
 * documents of the mount (fs/tree/render_repair.c, fs/tree/render_charts.c) on
 * the calling thread's read connection. Functions fill plain structs and
 * return 0 or a negative errno value (logged); rows are freed with their
 * _free() or _release() function whatever the read returned. Strings
 * are NULL where the store holds NULL; times are seconds since the
 * epoch, 0 where the store holds none; a real figure the store does not
 * know is NAN.
 *
 * A link's state is one of: unmapped (no torrent, or several, match its
 * target), broken (mapped, not being repaired yet), repairing,
 * waiting_retry, repaired (the mount does not show it yet), failed.
 */

#include <stddef.h>
#include <stdint.h>

#include "indexer/realdebrid/rd_stats.h"

#include "indexer/realdebrid/rd_commands.h"
#include "indexer/store/history.h"

struct strbuf;

/* Figures of each pass in a history of rd_passes_history(). */
enum rd_pass_value {
	RD_PASS_REPAIRED,
	RD_PASS_FAILED,
};

/* The last HISTORY_ROWS repair passes that finished, oldest first. */
int rd_passes_history(struct history *h);

/* A dead link and the latest repair of its torrent. */
struct rd_broken {
	char *link, *target, *torrent, *torrent_name, *state, *reason;
	int64_t attempts;
	double next_retry_at;	/* set while it waits for a retry */
	char *plan;
};

/* The dead links, by path, into *rows (malloc'd); free it with
 * rd_broken_free(). */
int rd_reads_broken(struct rd_broken **rows, size_t *n);
void rd_broken_free(struct rd_broken *rows, size_t n);

/* A torrent of the account, as its last listing gave it. */
struct rd_held {
	char *id, *name, *hash, *status;
	int64_t bytes;
	double added_at, seen_at;
};

/* The account's torrents, the oldest added first, into *rows (malloc'd),
 * none until a listing of the account was whole (its first listing is
 * never shown half-way); free it with rd_held_free(). */
int rd_reads_held(struct rd_held **rows, size_t *n);
void rd_held_free(struct rd_held *rows, size_t n);

/* A dead link no torrent of the account explains (rd_cleanup.h). */
struct rd_orphan {
	char *path, *target;
	double since;
};

/* The orphans, the oldest first, into *rows (malloc'd); free it with
 * rd_orphans_free(). */
int rd_reads_orphans(struct rd_orphan **rows, size_t *n);
void rd_orphans_free(struct rd_orphan *rows, size_t n);

/* The counts of a pass, in the order repair.csv shows them. */
enum rd_pass_count {
	RD_LINKS, RD_BROKEN, RD_UNMAPPED, RD_GUARD_OK, RD_STARTED,
	RD_REPAIRED, RD_RETRIES, RD_FAILED, RD_LINKS_DELETED, RD_RESCANS,
	RD_REQUESTS, RD_RATE_LIMITED,
	RD_PASS_COUNTS
};

/* A repair pass as the table rd_passes keeps it (rd_job.h). */
struct rd_pass {
	int64_t id;
	char *kind, *trigger;
	int dry_run;
	double started_at, finished_at;
	int finished;		/* finished_at is known */
	double duration_s;	/* NAN while it runs */
	int64_t count[RD_PASS_COUNTS];
	char *guard_reason;	/* why the guard stopped it, or NULL */
};

/* Every pass kept, oldest first, into *rows (malloc'd); free it with
 * rd_passes_free(). */
int rd_reads_passes(struct rd_pass **rows, size_t *n);
void rd_passes_free(struct rd_pass *rows, size_t n);

/* The cycle of pages listing the account (rd_sync.h); an account never
 * listed gives zeros, next_page 1 and total -1. */
struct rd_sync {
	int full;			/* a resync asked, under way */
	int next_page;			/* the page the cycle lists next */
	int64_t pages_done;		/* in the cycle under way or last */
	int64_t torrents_seen;
	int64_t total;			/* the account's count, -1: unknown */
	double started_at;		/* the cycle's start, 0: none yet */
	double finished_at;		/* its end, 0: not over */
	double synced_at;		/* the last page listed, 0: none */
};

/* The listing of the account into *s. */
int rd_reads_sync(struct rd_sync *s);

/* A torrent's repair as its row reads (rd_repair.h runs them). */
struct rd_repair_row {
	char *torrent, *name, *hash, *state, *new_id;
	int64_t attempts;
	double started_at, updated_at, next_retry_at;
	char *last_error, *plan;
};

/* A repair given up for good. */
struct rd_failure {
	char *torrent, *name, *hash, *reason;
	double at;
	int64_t links_deleted, rescans;
};

/* A request made to Real-Debrid, as its row reads (rd_store.h notes it). */
struct rd_attempt_row {
	double at;
	char *endpoint, *torrent, *result;
	int has_http_status, has_error_code;
	int64_t http_status, error_code;
	double elapsed_s;
};

/* An old torrent still owed a deletion. */
struct rd_delete {
	char *torrent, *name, *new_id;
	double since_at;
	int64_t failures;
	char *last_error;
	double tried_at;
};

/* What was asked of another service for a repair (an Arr, a media
 * server) or done to an orphan. */
struct rd_action {
	double at;
	char *torrent, *service, *action, *target, *result;
};

/* The lists of /status/repairs.json, each with its count. */
struct rd_repairs {
	struct rd_repair_row *queue, *retry_queue, *repaired, *loops_stopped;
	size_t nr_queue, nr_retry_queue, nr_repaired, nr_loops_stopped;
	struct rd_failure *failed;
	size_t nr_failed;
	struct rd_attempt_row *attempts;	/* the newest first */
	size_t nr_attempts;
	struct rd_delete *deletes;
	size_t nr_deletes;
	struct rd_action *actions;	/* the newest first */
	size_t nr_actions;
	struct rd_pass last;
	int has_last;			/* a pass was made */
	struct rd_sync sync;
};

/* Fill *r in one snapshot: the repairs under way (oldest change
 * first), waiting for a retry (soonest first), the RD_RECENT last
 * repaired, those given up (newest first), the loops stopped (failed
 * but not given up, newest first), the old torrents to delete, the
 * RD_RECENT last requests and actions, the last pass and the listing.
 * Free it with rd_repairs_release() whatever this returns. */
#define RD_RECENT 50
int rd_reads_repairs(struct rd_repairs *r);
void rd_repairs_release(struct rd_repairs *r);

/* Requests made to one endpoint. */
struct rd_endpoint {
	char *endpoint;
	int64_t requests;
};

/* What /metrics/repair.json counts. */
struct rd_totals {
	struct rd_stats stats;		/* the counts (rd_stats.h) */
	struct rd_endpoint *endpoints;	/* by endpoint */
	size_t nr_endpoints, alloc_endpoints;
	struct rd_pass last;
	int has_last;
};

/* Fill *t in one snapshot; free it with rd_totals_release() whatever
 * this returns. */
int rd_reads_totals(struct rd_totals *t);
void rd_totals_release(struct rd_totals *t);

/*
 * Whether cmd (retry, forget) takes the repair of torrent id
 * (rd_commands_check()): 0, or -EINVAL.
 */
int rd_reads_takes(enum rd_command cmd, const char *id);

/*
 * Append /status/health's lines: to errors when the last pass found the
 * mount down ("error: Real-Debrid mount looks down (REASON) ..."), to
 * warns when dead links are unmapped or repair loops were stopped.
 * Returns 0 or a negative errno value.
 */
int rd_reads_health(struct strbuf *errors, struct strbuf *warns);

#endif
