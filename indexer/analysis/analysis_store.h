/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_ANALYSIS_STORE_H
#define MEDIAMON_ANALYSIS_STORE_H

/*
 * The analysis queue and results in the store (schema.h: analysis,
 * analysis_keys, analysis_queue, analysis_albums). Tracks are queued by
 * the writer when they are added (music.h) and by a trigger when their
 * file changes, each with its file's owner; the background workers take
 * them from here, the owners in turn (one user's flood holds no other's
 * new track behind it) and each owner's least track id first, and record what analysis_run() found, and the mount
 * reads duplicates and similar tracks back:
 *
 *	struct analysis_job job;
 *
 *	if (analysis_store_next(db, busy, nbusy, last, &job) == 0) {
 *		struct analysis_outcome o = { .job = &job, .at = now };
 *
 *		o.error = analysis_run(job.path, &o.result);
 *		analysis_store_lookup(db, &o);
 *		writer_call(analysis_store_record, &o);
 *		analysis_store_lookup_release(&o);
 *		analysis_result_release(&o.result);
 *		last = job.owner;
 *		analysis_job_release(&job);
 *	}
 *
 * Every function takes the connection to use: a read connection for the
 * readers and analysis_store_lookup(), the writer's for
 * analysis_store_record().
 */

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "indexer/analysis/analysis.h"

/* A track taken from the queue. */
struct analysis_job {
	int64_t gen;		/* its queue entry's, to take it off */
	int64_t track_id;
	int64_t owner;		/* its file's uid; -1: not known */
	char *path;		/* absolute, malloc'd */
};

/* The owner before the first, to start the turns with. */
#define ANALYSIS_OWNER_NONE INT64_MIN

/* A track sharing a fingerprint key, as analysis_store_lookup() judged
 * it. */
struct analysis_candidate {
	int64_t track_id;
	uint64_t print_hash;	/* of its fingerprint as judged */
	int same;		/* it matches: ANALYSIS_SAME at least */
};

/* What the analysis of a job came to, for analysis_store_record(). */
struct analysis_outcome {
	const struct analysis_job *job;
	double at;			/* wall clock */
	int error;			/* what analysis_run() returned */
	const char *why;		/* when set, the error's text */
	struct analysis_result result;	/* when error is 0 */
	/* filled by analysis_store_lookup(), when it was called */
	int looked_up;
	uint32_t keys[ANALYSIS_KEYS];
	int nr_keys;
	struct analysis_candidate *candidates;	/* by track id, malloc'd */
	size_t nr_candidates, alloc_candidates;
};

/* The figures of the store behind /metrics/analysis.json. */
struct analysis_counts {
	int64_t analysed;	/* tracks whose last analysis succeeded */
	int64_t failed;		/* tracks whose last analysis failed */
	int64_t queued;		/* tracks waiting for an analysis */
	int64_t too_short;	/* tracks too short to analyse (no failure) */
};

/*
 * Take into *job the oldest queued track, not one of the nbusy track ids
 * in busy (those other workers analyse now), of the first owner after
 * the owner last served (in the order of uids, back to the least after
 * the greatest) that has one. Returns 0, -ENOENT when there is none,
 * -ENOMEM or -EIO (logged).
 */
int analysis_store_next(sqlite3 *db, const int64_t *busy, size_t nbusy,
			int64_t last, struct analysis_job *job);

/* Queued tracks whose files are gone, found by analysis_store_gone(). */
struct analysis_gone {
	struct analysis_gone_track {
		int64_t track_id;
		int64_t gen;	/* its queue entry's */
	} *v;			/* malloc'd, freed by the caller */
	size_t nr;
	int64_t next;		/* the track id after the last looked at */
};

/*
 * Of the up to max queued tracks from track id from on, in queue order,
 * those whose paths gone() finds gone, into *out (v set even on error).
 * What a worker reads once one track failed as gone: the others of a
 * deleted folder follow it in the queue, and are taken off it at once
 * (analysis_store_drop()) rather than failing one by one. Returns 0,
 * -ENOMEM or -EIO (logged).
 */
int analysis_store_gone(sqlite3 *db, int64_t from, size_t max,
			int (*gone)(const char *path),
			struct analysis_gone *out);

/* A writer_call() function taking a struct analysis_gone: its tracks
 * are taken off the queue, but for those queued again since they were
 * read (their files came back). Returns 0 or -EIO (logged). */
int analysis_store_drop(sqlite3 *db, void *gone);

/* Free what analysis_store_next() put in *job. */
void analysis_job_release(struct analysis_job *job);

/*
 * On a read connection, before analysis_store_record(): find the tracks
 * whose fingerprint shares a key with the outcome's
 * (analysis_fingerprint_keys(), an indexed lookup per key) and judge
 * each with analysis_fingerprint_match(), so that the writer has only
 * rows to write. Fills the outcome's keys and candidates and sets
 * looked_up; nothing to do for a failed analysis. Returns 0, -ENOMEM or
 * -EIO (logged); on error the outcome is as it was, and
 * analysis_store_record() does the lookup itself.
 */
int analysis_store_lookup(sqlite3 *db, struct analysis_outcome *o);

/* Free what analysis_store_lookup() put in *o; may be called twice. */
void analysis_store_lookup_release(struct analysis_outcome *o);

/*
 * A writer_call() function taking a struct analysis_outcome: record the
 * result (state "ok", fingerprint keys and the tracks whose fingerprints
 * match replaced) or the failure (state "failed" with the error's text,
 * earlier results and matches dropped) of the job's track, and take it
 * off the queue unless it was queued again since it was taken (its file
 * changed meanwhile). The matches are the tracks sharing a key: those
 * analysis_store_lookup() judged, with the fingerprint it judged, keep
 * its verdict; any other (analysed meanwhile, or no lookup made) is
 * judged here. When none of the album's tracks waits any more, the
 * album's gain is computed again from its analysed tracks. A track
 * deleted meanwhile is left alone. Returns 0, -ENOMEM or -EIO (logged).
 */
int analysis_store_record(sqlite3 *db, void *outcome);

/* The words a failed analysis is recorded with, for error (negative). */
const char *analysis_store_error_text(int error);

/* Count the analysed, failed and queued tracks. Returns 0 or -EIO. */
int analysis_store_counts(sqlite3 *db, struct analysis_counts *out);

/*
 * Call fn(arg, group, track_id) for every track of every group of
 * tracks whose fingerprints match (analysis_fingerprint_match() at least
 * ANALYSIS_SAME, as analysis_store_record() found them among the tracks
 * that share a key; a track joins the group of any track it matches).
 * Groups are numbered from 0; the tracks of a group come in track id
 * order and groups in the order of their first track. Stops when fn
 * returns nonzero and returns that; else 0, -ENOMEM or -EIO.
 */
int analysis_store_duplicates(sqlite3 *db,
			      int (*fn)(void *arg, int group,
					int64_t track_id),
			      void *arg);

/*
 * The up to max analysed tracks most similar to track_id (cosine of
 * their vectors, analysis_similarity()), best first (equal scores by
 * track id), into ids; *nr says how many. The track itself is never
 * listed; nor is one keep(arg, its id) says 0 to, when keep is given,
 * so the ranking is over what keep lets through (keep is asked only
 * about a track that would rank among the max, while the statement
 * reads). Returns 0, -ENOENT when track_id has no vector, -ENOMEM or
 * -EIO.
 */
int analysis_store_similar(sqlite3 *db, int64_t track_id,
			   int (*keep)(void *arg, int64_t id), void *arg,
			   int64_t *ids, size_t max, size_t *nr);

/*
 * The ranking of analysis_store_similar() over vectors held elsewhere:
 * analysis_top_begin() for the max best like self, analysis_top_offer()
 * for each other track (keep asked as there), analysis_top_end() to put
 * the ids, best first, into ids and their number into *nr, and free.
 * analysis_top_begin() returns 0 or -ENOMEM (logged).
 */
struct analysis_top {
	const float *self;
	int (*keep)(void *arg, int64_t id);
	void *arg;
	struct analysis_scored *v;
	size_t max, n;
};

int analysis_top_begin(struct analysis_top *t, const float *self,
		       size_t max, int (*keep)(void *arg, int64_t id),
		       void *arg);
void analysis_top_offer(struct analysis_top *t, int64_t id,
			const float *vector);
void analysis_top_end(struct analysis_top *t, int64_t *ids, size_t *nr);

#endif
