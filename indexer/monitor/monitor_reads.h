/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_MONITOR_READS_H
#define MEDIAMON_MONITOR_READS_H

/*
 * What the store holds of the monitor's work, read for the documents of
 * the mount (fs/tree/render_*.c) on the calling thread's read connection.
 * Functions fill plain structs and return 0 or a negative errno value
 * (logged); rows are freed with their _free() function whatever the
 * read returned.
 */

#include <stddef.h>
#include <stdint.h>

#include "indexer/store/history.h"

struct query_series_filter;
struct strbuf;

/* Figures of each check in a history of monitor_checks_history(). */
enum monitor_check_value {
	MONITOR_CHECK_WANTED,
	MONITOR_CHECK_FOUND,
	MONITOR_CHECK_SENT,
	MONITOR_CHECK_FAILED,
	MONITOR_CHECK_COMPLETED,
	MONITOR_CHECK_IMPORTED,
	MONITOR_CHECK_DOWNLOAD_FAILED,
};

/* The last HISTORY_ROWS checks that finished, both flows, oldest first. */
int monitor_checks_history(struct history *h);

/* A release never sent again (control/blocklist). */
struct monitor_blocked {
	char *id, *title, *reason;
};

/* The blocklist, the oldest first, into *rows (malloc'd); free it with
 * monitor_blocked_free(). */
int monitor_reads_blocklist(struct monitor_blocked **rows, size_t *n);
void monitor_blocked_free(struct monitor_blocked *rows, size_t n);

/* A hand-off and what the tracker knows of it (tracker.h); NULL strings
 * are unknown. */
struct monitor_download {
	char *series;
	int volume;
	char *title, *source, *client, *client_id, *state;
	double progress;	/* 0 to 1 */
	char *reason, *path;
	double sent_at, changed_at, progress_at;
	/* as the client last said, -1 when it did not (tracker.h) */
	long long bytes_done, bytes_total, bytes_per_s;
};

/* Every hand-off, by series and volume, into *rows (malloc'd); free it
 * with monitor_downloads_free(). */
int monitor_reads_downloads(struct monitor_download **rows, size_t *n);
void monitor_downloads_free(struct monitor_download *rows, size_t n);

/* A monitored series with volumes published beyond the highest owned:
 * those from high + 1 to count are new. */
struct monitor_new {
	int64_t id;
	char *name, *path;	/* path: the folder's absolute path */
	int high, count;
	int manual;		/* count is the user's, not a source's */
	char *status;		/* NULL when unknown */
	char *by;		/* the source's: "SOURCE:EDITION" */
	double checked_at;
};

/* Those series that shown shows (NULL: all), by name then id, into
 * *rows (malloc'd); free it with monitor_new_free(). */
int monitor_reads_new(const struct query_series_filter *shown,
		      struct monitor_new **rows, size_t *n);
void monitor_new_free(struct monitor_new *rows, size_t n);

/* A release found for a wanted volume, and what the hand-off did with it
 * (state NULL: not tried, a better one went or auto_download is off). */
struct monitor_release {
	char *id, *title, *source, *protocol, *link, *magnet, *guid;
	char *indexer;
	int indexer_id;		/* 0 when unknown */
	double first, last;	/* the volumes it holds */
	int has_size, has_seeders;
	int64_t size, seeders;
	double published_at, found_at;
	char *state, *reason;
};

/* A volume wanted, with its releases best first and what its hand-off
 * came to (download_state NULL: nothing). The links are as the store
 * keeps them, secrets and all: the document masks them. */
struct monitor_wanted {
	int64_t series_id;
	char *series, *kind;
	int volume;
	double searched_at;
	char *download_state, *download_client, *download_client_id;
	char *download_title, *download_reason;
	char *dropped;			/* JSON [{title, source, reason}]
					 * the preferences dropped, or
					 * NULL */
	double download_at, download_progress;
	struct monitor_release *releases;
	size_t nr_releases;
};

/* The wanted volumes of monitored series (series 0: of all) that shown
 * shows (NULL: all), by series name, id and volume, into *rows
 * (malloc'd); free it with monitor_wanted_free(). */
int monitor_reads_found(int64_t series,
			const struct query_series_filter *shown,
			struct monitor_wanted **rows, size_t *n);
void monitor_wanted_free(struct monitor_wanted *rows, size_t n);

/* The counts of a check but its manga sources' requests, in the order
 * of the table checks (checks.h). */
enum monitor_check_count {
	MC_SERIES, MC_WANTED, MC_FOUND, MC_CATALOG, MC_PROWLARR,
	MC_CACHE_HITS, MC_SENT, MC_SKIPPED, MC_FAILED, MC_ERRORS,
	MC_COMPLETED, MC_DOWNLOAD_FAILED, MC_IMPORTED,
	MC_COUNTS
};

/* The manga sources, the rows of common/manga_sources.def in order. */
enum monitor_source {
#define MANGA_SOURCE(name, ...) MONITOR_SOURCE_##name,
#include "common/manga_sources.def"
#undef MANGA_SOURCE
	MONITOR_SOURCES
};

/* A check of either flow, as the table checks keeps it (checks.h). */
struct monitor_check {
	int64_t id;
	char *kind, *trigger;
	double started_at, finished_at;
	int finished;		/* finished_at is known */
	int count[MC_COUNTS];
	int requests[MONITOR_SOURCES];	/* of each manga source */
};

/* Every check kept, oldest first, into *rows (malloc'd); free it with
 * monitor_checks_free(). */
int monitor_reads_checks(struct monitor_check **rows, size_t *n);
void monitor_checks_free(struct monitor_check *rows, size_t n);

/* What monitor.json shows of the store: the search cache's live
 * entries and the newest check of each flow. */
struct monitor_state {
	int64_t cache_entries, cache_bytes;
	struct monitor_check last_missing, last_new;
	int has_missing, has_new;
};

/* Fill *s in one snapshot, the cache's entries counted as live for
 * ttl_s seconds before now; free it with monitor_state_release()
 * whatever this returns. */
int monitor_reads_state(double ttl_s, double now, struct monitor_state *s);
void monitor_state_release(struct monitor_state *s);

/*
 * Append /status/health's lines about remote services: errors to errors,
 * warnings to warns: a service paused (after failures, or rate limited),
 * its last error newer than its last success, a flow whose newest
 * finished check had errors, a completed download whose import
 * failed ("warn: SERIES volume N not imported: WHY (FIX)"), a series
 * two records of a source bear the title of ("warn: SERIES: no record
 * taken: SOURCE:A and SOURCE:B both bear this title; write the one to
 * follow into /manga/SERIES/source"), and the download save folders
 * found unavailable (save_guard.h). The lines of a series (a failed
 * import, a record not taken) are those of the series shown shows (NULL:
 * all, and the save folders named: the owner's); a service's error that
 * names a series shown does not show (its title or a slug of it) says
 * only that a request about a series failed; a save folder, which may be
 * a series' own, is named only to the owner. Returns 0 or a negative
 * errno value.
 */
int monitor_reads_health(struct strbuf *errors, struct strbuf *warns,
			 const struct query_series_filter *shown);

#endif
