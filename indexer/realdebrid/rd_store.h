/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_RD_STORE_H
#define MEDIAMON_RD_STORE_H

/*
 * What Real-Debrid repair writes to the store (the rd_* tables of
 * schema.h), as writer_call() functions, so the jobs thread never writes
 * by itself.
 *
 *	struct rd_sql q = {
 *		.sql = "UPDATE rd_repairs SET state = ?1 WHERE torrent_id = ?2",
 *		.text = { "queued", id },
 *	};
 *	writer_call(rd_store_sql, &q);
 *
 *	struct rd_links_rows l = { links, nr, mount, now };
 *	writer_call(rd_store_links, &l);
 *
 * Each returns 0 or a negative errno value (logged) and writes in one
 * transaction. The jobs thread reads through its own read connection,
 * with the helpers at the end.
 */

#include <sqlite3.h>
#include <stddef.h>

struct rd_link;
struct rd_torrent;

/*
 * One statement: ?1 to ?6 take text (NULL: SQL NULL), ?7 to ?10 numbers.
 * The statement may name only some of them.
 */
struct rd_sql {
	const char *sql;
	const char *text[6];
	double num[4];
};

int rd_store_sql(sqlite3 *db, void *sql);

/*
 * The links found by one walk (at: its time): every link is added or
 * updated, keeping its mapping while it stays broken; links no longer
 * found are dropped: all of them, or with scopes, only those at or under
 * one of the nr_scopes paths (normalized) the walk covered.
 */
struct rd_links_rows {
	const struct rd_link *links;
	size_t nr;
	const char *mount;
	double at;
	const char *const *scopes;	/* NULL: the walk covered all */
	size_t nr_scopes;
};

int rd_store_links(sqlite3 *db, void *rows);

/*
 * A page of the account's torrents (no files), listed at `at` from
 * offset, total the account's count (-1: not told), with the cycle's
 * progress (rd_sync.h): page 1 starts the cycle again; past it, when
 * none of the first `again` torrents (those the page before read too)
 * was seen by the cycle, the account moved past them: the torrents are
 * kept, *gap is set and the cycle starts again. Otherwise the cycle
 * moves on to offset + nr, and its last page ends it and drops the
 * torrents it never saw, when it saw at least total torrents (any number
 * when total is -1).
 */
struct rd_torrents_rows {
	const struct rd_torrent *t;
	size_t nr;
	double at;
	long total;
	int page;			/* the cycle's, from 1 */
	long offset;			/* of t[0] in the account's list */
	long again;			/* leading torrents read before */
	int last;			/* the cycle's last page */
	int gap;			/* out: the cycle starts again */
};

int rd_store_torrents(sqlite3 *db, void *rows);

/* One torrent as rd_info() read it, with its files (struct rd_torrent). */
int rd_store_info(sqlite3 *db, void *torrent);

/* One request to Real-Debrid, for rd_attempts and the rate-limit clock. */
struct rd_attempt {
	double at;
	const char *endpoint;		/* "list", "info", "addMagnet" ... */
	const char *torrent_id;		/* or NULL */
	const char *result;		/* "ok" or what went wrong */
	long http_status;
	int error_code;
	double elapsed_s;
	int rate_limited;		/* 1: note `at` as the last 429 */
};

int rd_store_attempt(sqlite3 *db, void *attempt);

/* One pass of the repairer, what it found and did. */
struct rd_pass_row {
	const char *kind;		/* "scan" or "run" */
	const char *trigger;
	int dry_run;
	double started_at, finished_at;
	int guard_ok;
	const char *guard_reason;	/* when the guard failed */
	int links, broken, unmapped, started, repaired, retries, failed,
	    links_deleted, rescans, requests, rate_limited;
	int old_deleted;		/* old torrents deleted; not stored */
	int searches;			/* replacements searched; not stored */
	int orphans_deleted;		/* not stored */
};

int rd_store_pass(sqlite3 *db, void *row);

/*
 * Record, through the writer, one step a repair took beyond Real-Debrid
 * (rd_actions): at now, for torrent_id (or NULL), service ("sonarr",
 * "plex", "mount" ...), action ("search", "delete_file", "refresh",
 * "delete_orphan" ...), target (what it was done to, or NULL), result
 * ("ok" or what went wrong). Returns 0 or a negative errno value.
 */
int rd_store_action(const char *torrent_id, const char *service,
		    const char *action, const char *target,
		    const char *result);

/*
 * The first column of the first row of sql as a number, ?1 bound to text
 * (unless NULL) and ?2 to num; def when there is no row, it is NULL, or
 * the query fails (logged).
 */
double rd_store_num(sqlite3 *db, const char *sql, const char *text,
		    double num, double def);

/*
 * The first column of every row of sql, ?1 bound to text (unless NULL),
 * as strings into *out (malloc'd, NULL-terminated, free with
 * array_free_strings()) and *nr. Returns 0 or a negative errno value
 * (logged); *out is set only on success.
 */
int rd_store_strings(sqlite3 *db, const char *sql, const char *text,
		     char ***out, size_t *nr);

#endif
