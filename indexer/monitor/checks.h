/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_CHECKS_H
#define MEDIAMON_CHECKS_H

/*
 * The history of the monitor's checks: one row per check of either flow
 * (missing, new) in the table checks, with what it cost and found. Kept
 * for [retention] metrics, the newest check of each flow always.
 *
 *	struct checks_row row = { .kind = "missing", .trigger = "control",
 *				  .started_at = clock_wall() };
 *
 *	writer_call(checks_store, &row);	(row.id is set)
 *	...	count into row
 *	row.finished_at = clock_wall();
 *	writer_call(checks_store, &row);
 *
 * The requests of each manga source (common/manga_sources.def) are rows
 * of check_requests (check_id, source, requests), one a source the
 * table had when the check was stored: a check from before a source was
 * added has no row of it, and one of a source since removed is kept
 * and read by no one. The mount reads them through monitor_reads.h.
 *
 * Every function returns 0 or a negative errno value (store errors are
 * logged).
 */

#include <sqlite3.h>
#include <stdint.h>

struct checks_row {
	int64_t id;			/* 0 until first stored */
	const char *kind;		/* "missing" or "new" */
	const char *trigger;		/* "control", "schedule" */
	double started_at, finished_at;	/* finished_at 0: not (yet) */
	int series, wanted, found;
	int catalog, prowlarr;		/* requests per source */
	int cache_hits;
	int sent, skipped, failed;	/* releases handed off, or not */
	int errors;
	/* requests per manga source (common/manga_sources.def): this
	 * row's NAME, the row (id, "NAME") of check_requests */
#define MANGA_SOURCE(name, ...) int name;
#include "common/manga_sources.def"
#undef MANGA_SOURCE
};

/*
 * A column of a SELECT on checks: the requests of the manga source name
 * in the row's check, 0 when check_requests holds none.
 */
#define CHECKS_REQUESTS(name) \
	", coalesce((SELECT requests FROM check_requests" \
	" WHERE check_id = checks.id AND source = '" #name "'), 0)"

/*
 * A writer_call() function (on the writer's connection, inside the
 * caller's transaction if one is open): insert the row when its id is 0,
 * setting it, else update it; its requests of each manga source with it.
 */
int checks_store(sqlite3 *db, void *row);

/* What became of a download the tracker follows (tracker.h). */
enum checks_outcome {
	CHECKS_COMPLETED,
	CHECKS_DOWNLOAD_FAILED,
	CHECKS_IMPORTED,
};

/*
 * A writer_call() function: count the outcome arg (an enum
 * checks_outcome) against the newest missing check, whose hand-offs (or
 * those of the checks before) it follows.
 */
int checks_count_download(sqlite3 *db, void *arg);

/*
 * When the newest check of either flow the daemon ran finished (those
 * of mediamon --check, trigger "check", left out), or 0 when none did
 * (or the store cannot tell: logged).
 */
double checks_finished_at(sqlite3 *db);

/*
 * Drop the checks started before before, except the newest of each
 * flow. A writer function's part, on the writer's connection.
 */
int checks_prune(sqlite3 *db, double before);

#endif
