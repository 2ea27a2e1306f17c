/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_FOUND_H
#define MEDIAMON_FOUND_H

/*
 * What a check found for one series, stored by the writer: the tables
 * wanted (each volume searched) and found (its releases, ranked), and
 * series.last_checked.
 *
 *	writer_call(found_store, &res);
 *
 * The releases the preferences dropped (struct release_want's dropped) are kept
 * in wanted.dropped, a JSON array, for /status/found.json.
 *
 * A volume with releases where it had none is newly found, and so is one
 * whose releases a dry-run of mediamon --check found (wanted.untold):
 * that run tells no one, so the daemon's next check tells release_found
 * for it, once.
 *
 * found_run_once() marks this process as mediamon --check's, before its
 * monitor starts: a dry-run's finds are kept untold, and the hand-offs of
 * --check --apply are marked applied (downloads.applied), which the
 * daemon imports whatever its dry-run says (tracker.h).
 */

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

struct release_want;

/* The most releases kept per wanted volume. */
#define FOUND_MAX_RELEASES 20

struct found_results {
	int64_t series;
	const char *kind;		/* the flow: "missing", "new" */
	double at;			/* when the check started */
	int replace;			/* 0: a source failed, keep what
					 * was found */
	int dry_run;			/* nothing was sent */
	struct release_want *w;		/* newly_found set when stored */
	size_t nr;
};

/* A writer_call() function: store res (struct found_results) as above,
 * in one transaction. Returns 0 or a negative errno value (logged). */
int found_store(sqlite3 *db, void *res);

/* This process is mediamon --check's (indexer_check.c). */
void found_run_once(void);

/* Whether found_run_once() was called. */
int found_once(void);

#endif
