#ifndef MEDIAMON_RD_READ_H
#define MEDIAMON_RD_READ_H

/*
 * What the mount shows of the repair that the repair's own tables hold,
 * read on a connection the caller owns (the mount's read connections):
 * the listing of the account under way, and the history of passes.
 *
 *	struct rd_read_sync sync;
 *
 *	if (!rd_read_sync(db, &sync))
 *		...	sync.pages_done, sync.torrents_seen, sync.started_at
 *	rd_read_passes_csv(db, &out);
 */

#include <sqlite3.h>

struct strbuf;

/* The cycle of pages listing the account (rd_sync.h). */
struct rd_read_sync {
	int full;			/* a resync asked, under way */
	int next_page;			/* the page the cycle lists next */
	long pages_done;		/* in the cycle under way or last */
	long torrents_seen;
	long total;			/* the account's count, -1: unknown */
	double started_at;		/* the cycle's start, 0: none yet */
	double finished_at;		/* its end, 0: not over */
	double synced_at;		/* the last page listed, 0: none */
};

/* Fill *out; an account never listed gives zeros (next_page 1, total
 * -1). Returns 0 or a negative errno value (logged). */
int rd_read_sync(sqlite3 *db, struct rd_read_sync *out);

/*
 * Append /metrics/repair.csv: a header, then one row per pass, oldest
 * first: id, kind, trigger, dry_run, started_at, finished_at (RFC 3339),
 * duration_s, links (checked), broken, unmapped, guard_ok, started,
 * repaired, retries, failed, links_deleted, rescans, requests,
 * rate_limited. Returns 0 or a negative errno value (logged).
 */
int rd_read_passes_csv(sqlite3 *db, struct strbuf *out);

#endif
