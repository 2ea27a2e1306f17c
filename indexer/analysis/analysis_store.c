/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The queue and results of the analysis in the store: taking a queued
 * track (the owners in turn), judging the tracks that share its
 * fingerprint's keys on a read connection, and recording a result or
 * failure on the writer's (with its matches and its album's gain), and
 * the counts. The groups of
 * duplicates and the similar tracks the mount asks for are read in
 * analysis_related.c. No analysis runs here: it takes analysis_run()'s
 * results.
 */
#include "indexer/analysis/analysis_store.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/array.h"
#include "common/cleanup.h"
#include "common/db.h"
#include "common/log.h"
#include "common/lookup.h"

/* Prepare and run sql with one integer parameter, returning no row. */
static int exec_id(sqlite3 *db, const char *sql, int64_t id)
{
	sqlite3_stmt *st;
	int rc = db_prepare(db, sql, &st);

	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, id);
	rc = db_step(st, sql);
	sqlite3_finalize(st);
	return rc;
}

/* The first column of the one row sql (with an integer parameter)
 * returns, or dflt when it returns none. */
static int query_int(sqlite3 *db, const char *sql, int64_t id, int64_t dflt,
		     int64_t *out)
{
	sqlite3_stmt *st;
	int rc = db_prepare(db, sql, &st);

	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	*out = rc == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL ?
		sqlite3_column_int64(st, 0) : dflt;
	return db_finalize(st, rc, sql);
}

/* Other workers hold their tracks: a track is analysed by one only. */
static int is_busy(int64_t id, const int64_t *busy, size_t nbusy)
{
	for (size_t i = 0; i < nbusy; i++)
		if (busy[i] == id)
			return 1;
	return 0;
}

/* The absolute path of the queued track of the row st stands on (its
 * root's path in column 2, its file's in 3), malloc'd; NULL when out of
 * memory (logged). */
static char *queued_path(sqlite3_stmt *st)
{
	int rlen = sqlite3_column_bytes(st, 2);
	int flen = sqlite3_column_bytes(st, 3);
	char *path = malloc(rlen + flen + 2);

	if (!path) {
		log_error(-ENOMEM, "analysis: out of memory");
		return NULL;
	}
	memcpy(path, sqlite3_column_blob(st, 2), rlen);
	path[rlen] = '/';
	memcpy(path + rlen + 1, sqlite3_column_blob(st, 3), flen);
	path[rlen + 1 + flen] = '\0';
	return path;
}

#define QUEUED \
	"SELECT q.gen, q.track_id, r.path, f.path FROM analysis_queue q" \
	" JOIN tracks t ON t.id = q.track_id" \
	" JOIN file_paths f ON f.id = t.file_id" \
	" JOIN roots r ON r.id = f.root_id"

/* Take into *job the first queued track of owner that is not busy:
 * 0, or -ENOENT when there is none. */
static int next_of(sqlite3 *db, int64_t owner, const int64_t *busy,
		   size_t nbusy, struct analysis_job *job)
{
	sqlite3_stmt *st;
	int rc = db_prepare(db, QUEUED " WHERE q.owner = ?2"
			    " ORDER BY q.track_id LIMIT ?1", &st);

	if (rc)
		return rc;
	/* the busy tracks may all come first: one more row is the next */
	sqlite3_bind_int64(st, 1, (int64_t)nbusy + 1);
	sqlite3_bind_int64(st, 2, owner);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(st, 1);

		if (is_busy(id, busy, nbusy))
			continue;
		job->path = queued_path(st);
		if (!job->path) {
			sqlite3_finalize(st);
			return -ENOMEM;
		}
		job->gen = sqlite3_column_int64(st, 0);
		job->track_id = id;
		job->owner = owner;
		break;
	}
	sqlite3_finalize(st);
	if (rc == SQLITE_ROW)
		return 0;
	return rc == SQLITE_DONE ? -ENOENT :
		db_error(db, rc, "read the analysis queue");
}

int analysis_store_next(sqlite3 *db, const int64_t *busy, size_t nbusy,
			int64_t last, struct analysis_job *job)
{
	int64_t owner = last;
	int wrapped = 0, rc;

	memset(job, 0, sizeof(*job));
	for (;;) {
		rc = query_int(db, "SELECT owner FROM analysis_queue"
			       " WHERE owner > ?1 ORDER BY owner LIMIT 1",
			       owner, ANALYSIS_OWNER_NONE, &owner);
		if (rc)
			return rc;
		if (owner == ANALYSIS_OWNER_NONE && wrapped)
			return -ENOENT;
		if (owner == ANALYSIS_OWNER_NONE) {
			wrapped = 1;	/* from the least owner again */
			continue;
		}
		if (wrapped && owner > last)
			return -ENOENT;	/* every owner's were busy */
		rc = next_of(db, owner, busy, nbusy, job);
		if (rc != -ENOENT)
			return rc;
	}
}

int analysis_store_gone(sqlite3 *db, int64_t from, size_t max,
			int (*gone)(const char *path),
			struct analysis_gone *out)
{
	sqlite3_stmt *st;
	int rc;

	out->nr = 0;
	out->next = 0;
	out->v = calloc(max ? max : 1, sizeof(*out->v));
	if (!out->v)
		return log_error(-ENOMEM, "analysis: out of memory");
	rc = db_prepare(db, QUEUED " WHERE q.track_id >= ?1"
			" ORDER BY q.track_id LIMIT ?2", &st);
	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, from);
	sqlite3_bind_int64(st, 2, (int64_t)max);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		char *path = queued_path(st);

		if (!path) {
			sqlite3_finalize(st);
			return -ENOMEM;
		}
		out->next = sqlite3_column_int64(st, 1) + 1;
		if (gone(path)) {
			out->v[out->nr].gen = sqlite3_column_int64(st, 0);
			out->v[out->nr++].track_id =
				sqlite3_column_int64(st, 1);
		}
		free(path);
	}
	return db_finalize(st, rc, "read the analysis queue");
}

int analysis_store_drop(sqlite3 *db, void *gone)
{
	const struct analysis_gone *g = gone;
	sqlite3_stmt *st;
	int rc = db_prepare(db, "DELETE FROM analysis_queue"
			    " WHERE track_id = ?1 AND gen = ?2", &st);

	if (rc)
		return rc;
	for (size_t i = 0; !rc && i < g->nr; i++) {
		sqlite3_bind_int64(st, 1, g->v[i].track_id);
		sqlite3_bind_int64(st, 2, g->v[i].gen);
		rc = db_step(st, "take a gone track off the queue");
	}
	sqlite3_finalize(st);
	return rc;
}

void analysis_job_release(struct analysis_job *job)
{
	free(job->path);
	job->path = NULL;
}

const char *analysis_store_error_text(int error)
{
	static const struct lookup_errno words[] = {
		{ -EBADMSG, "damaged audio" },
		{ -ENODATA, "too short to analyse" },
		{ -EMEDIUMTYPE, "not audio the analysis decodes" },
	};

	return LOOKUP_ERRNO(words, error);
}

/* The track's results, or its failure with every figure left NULL. */
static int record_row(sqlite3 *db, const struct analysis_outcome *o)
{
	const struct analysis_result *r = &o->result;
	sqlite3_stmt *st;
	int rc;

	rc = db_prepare(db, "INSERT OR REPLACE INTO analysis (track_id,"
			" state, error, analysed_at, duration_s, bpm,"
			" loudness_lufs, peak, gain_db, vector, fingerprint)"
			" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10,"
			" ?11)", &st);
	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, o->job->track_id);
	sqlite3_bind_text(st, 2, !o->error ? "ok" : o->error == -ENODATA ?
			  "too_short" : "failed", -1, SQLITE_STATIC);
	db_bind_text(st, 3, !o->error ? NULL : o->why ? o->why :
		     analysis_store_error_text(o->error));
	sqlite3_bind_double(st, 4, o->at);
	if (!o->error) {
		sqlite3_bind_double(st, 5, r->duration_s);
		if (r->bpm > 0)
			sqlite3_bind_double(st, 6, r->bpm);
		sqlite3_bind_double(st, 7, r->loudness_lufs);
		sqlite3_bind_double(st, 8, r->peak);
		sqlite3_bind_double(st, 9, r->gain_db);
		sqlite3_bind_blob(st, 10, r->vector, sizeof(r->vector),
				  SQLITE_STATIC);
		sqlite3_bind_blob(st, 11, r->fingerprint,
				  r->fingerprint_len * sizeof(uint32_t),
				  SQLITE_STATIC);
	}
	rc = db_step(st, "record an analysis");
	sqlite3_finalize(st);
	return rc;
}

/* The outcome's keys: those analysis_store_lookup() found, or made
 * now; none for a failure. */
static int outcome_keys(const struct analysis_outcome *o, uint32_t *keys)
{
	const struct analysis_result *r = &o->result;

	if (o->error || r->fingerprint_len <= 0)
		return 0;
	if (o->looked_up) {
		memcpy(keys, o->keys, o->nr_keys * sizeof(*keys));
		return o->nr_keys;
	}
	return analysis_fingerprint_keys(r->fingerprint, r->fingerprint_len,
					 keys, ANALYSIS_KEYS);
}

/* The keys a duplicate is looked for under, from this analysis only. */
static int record_keys(sqlite3 *db, int64_t id, const uint32_t *keys,
		       int nkeys)
{
	sqlite3_stmt *st;
	int rc;

	rc = exec_id(db, "DELETE FROM analysis_keys WHERE track_id = ?1", id);
	if (rc || !nkeys)
		return rc;
	rc = db_prepare(db, "INSERT OR IGNORE INTO analysis_keys (key,"
			" track_id) VALUES (?1, ?2)", &st);
	for (int i = 0; !rc && i < nkeys; i++) {
		sqlite3_bind_int64(st, 1, keys[i]);
		sqlite3_bind_int64(st, 2, id);
		rc = db_step(st, "record a fingerprint key");
	}
	sqlite3_finalize(st);
	return rc;
}

/* Whether a fingerprint is the one a verdict was given on: a hash of
 * its items (FNV-1a over 32-bit words, mixed at the end). */
static uint64_t print_hash(const uint32_t *fp, int len)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (int i = 0; i < len; i++)
		h = (h ^ fp[i]) * 0x100000001b3ULL;
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	return h ^ (h >> 33);
}

/* A track sharing a key, with its fingerprint copied out of the row. */
struct fp_track {
	int64_t id;
	uint32_t *fp;
	int len;
};

/* Track ids in order, for sorting the candidates. */
static int cmp_id(const void *a, const void *b)
{
	const int64_t *x = a, *y = b;

	return (*x > *y) - (*x < *y);
}

/* The tracks other than id that have one of the keys, each once, in id
 * order: an index lookup per key. */
static int key_tracks(sqlite3 *db, int64_t id, const uint32_t *keys,
		      int nkeys, int64_t **ids, size_t *nr)
{
	size_t alloc = 0, n = 0, kept = 0;
	int64_t *v = NULL, *more;
	sqlite3_stmt *st;
	int rc;

	*ids = NULL;
	*nr = 0;
	rc = db_prepare(db, "SELECT track_id FROM analysis_keys WHERE key = ?1"
			" AND track_id != ?2", &st);
	if (rc)
		return rc;
	sqlite3_bind_int64(st, 2, id);
	for (int i = 0; !rc && i < nkeys; i++) {
		sqlite3_bind_int64(st, 1, keys[i]);
		while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			more = array_grow(v, n, &alloc, sizeof(*v), 16);
			if (!more)
				break;
			v = more;
			v[n++] = sqlite3_column_int64(st, 0);
		}
		sqlite3_reset(st);
		if (rc == SQLITE_ROW)
			rc = log_error(-ENOMEM, "analysis: out of memory");
		else
			rc = rc == SQLITE_DONE ? 0 :
				db_error(db, rc, "look a fingerprint key up");
	}
	sqlite3_finalize(st);
	if (rc) {
		free(v);
		return rc;
	}
	if (n > 1)
		qsort(v, n, sizeof(*v), cmp_id);
	for (size_t i = 0; i < n; i++)
		if (!kept || v[i] != v[kept - 1])
			v[kept++] = v[i];
	*ids = v;
	*nr = kept;
	return 0;
}

/* Call fn for each analysed track other than id that shares one of the
 * keys, in id order, with its fingerprint. A key is shared by few
 * unrelated tracks (analysis_match.c), besides chance equalities of 32-bit
 * values (about one lookup in 40 at 100,000 tracks), so this stays short
 * whatever the size of the library. */
static int for_candidates(sqlite3 *db, int64_t id, const uint32_t *keys,
			  int nkeys, int (*fn)(void *arg,
					       const struct fp_track *c),
			  void *arg)
{
	struct fp_track c;
	sqlite3_stmt *st;
	int64_t *ids;
	size_t nr;
	int rc;

	rc = key_tracks(db, id, keys, nkeys, &ids, &nr);
	if (rc)
		return rc;
	rc = db_prepare(db, "SELECT fingerprint FROM analysis"
			" WHERE track_id = ?1 AND state = 'ok'", &st);
	for (size_t i = 0; !rc && i < nr; i++) {
		sqlite3_bind_int64(st, 1, ids[i]);
		rc = sqlite3_step(st);
		if (rc != SQLITE_ROW) {
			sqlite3_reset(st);
			rc = rc == SQLITE_DONE ? 0 :
				db_error(db, rc, "read a fingerprint");
			continue;
		}
		c.id = ids[i];
		c.len = sqlite3_column_bytes(st, 0) / sizeof(uint32_t);
		c.fp = malloc(c.len * sizeof(*c.fp) + 1);
		if (!c.fp) {
			sqlite3_reset(st);
			rc = log_error(-ENOMEM, "analysis: out of memory");
			break;
		}
		/* a blob need not be aligned for 32-bit items */
		if (c.len)
			memcpy(c.fp, sqlite3_column_blob(st, 0),
			       c.len * sizeof(*c.fp));
		sqlite3_reset(st);
		rc = fn(arg, &c);
		free(c.fp);
	}
	sqlite3_finalize(st);
	free(ids);
	return rc;
}

/* Whether the outcome's fingerprint and a candidate's are one
 * recording. */
static int same_recording(const struct analysis_outcome *o,
			  const struct fp_track *c)
{
	return analysis_fingerprint_match(o->result.fingerprint,
					  o->result.fingerprint_len, c->fp,
					  c->len) >= ANALYSIS_SAME;
}

/* Keep the verdict on a candidate in the outcome. */
static int add_verdict(void *arg, const struct fp_track *c)
{
	struct analysis_outcome *o = arg;
	struct analysis_candidate *v;

	v = array_grow(o->candidates, o->nr_candidates, &o->alloc_candidates,
		       sizeof(*v), 1);
	if (!v)
		return log_error(-ENOMEM, "analysis: out of memory");
	o->candidates = v;
	v[o->nr_candidates++] = (struct analysis_candidate){
		.track_id = c->id,
		.print_hash = print_hash(c->fp, c->len),
		.same = same_recording(o, c),
	};
	return 0;
}

/* A db_transaction() function: the candidates of the outcome arg. */
static int lookup_tx(sqlite3 *db, void *arg)
{
	struct analysis_outcome *found = arg;

	return for_candidates(db, found->job->track_id, found->keys,
			      found->nr_keys, add_verdict, found);
}

int analysis_store_lookup(sqlite3 *db, struct analysis_outcome *o)
{
	struct analysis_outcome found = *o;
	int rc;

	if (o->error || o->result.fingerprint_len <= 0)
		return 0;
	found.candidates = NULL;
	found.nr_candidates = found.alloc_candidates = 0;
	found.nr_keys = analysis_fingerprint_keys(o->result.fingerprint,
						  o->result.fingerprint_len,
						  found.keys, ANALYSIS_KEYS);
	/* one read transaction: the lookups see one state of the store */
	rc = db_transaction(db, lookup_tx, &found);
	if (rc) {
		free(found.candidates);
		return rc;
	}
	found.looked_up = 1;
	free(o->candidates);
	*o = found;
	return 0;
}

void analysis_store_lookup_release(struct analysis_outcome *o)
{
	free(o->candidates);
	o->candidates = NULL;
	o->nr_candidates = o->alloc_candidates = 0;
}

/* The verdict analysis_store_lookup() gave on a candidate's fingerprint
 * as it is now, or -1 when it judged another one or none. */
static int known_verdict(const struct analysis_outcome *o,
			 const struct fp_track *c)
{
	struct analysis_candidate *v = NULL;
	size_t lo = 0, hi = o->nr_candidates, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (o->candidates[mid].track_id < c->id) {
			lo = mid + 1;
		} else {
			v = &o->candidates[mid];
			hi = mid;
		}
	}
	if (!v || v->track_id != c->id ||
	    v->print_hash != print_hash(c->fp, c->len))
		return -1;
	return v->same;
}

/* A pair of matches to write, and the statement writing it. */
struct pairing {
	const struct analysis_outcome *o;
	sqlite3 *db;
	sqlite3_stmt *add;
};

/* Record a candidate that matches, the smaller id first. */
static int add_match(void *arg, const struct fp_track *c)
{
	struct pairing *p = arg;
	int64_t id = p->o->job->track_id;
	int same = known_verdict(p->o, c);

	if (same < 0)
		same = same_recording(p->o, c);
	if (!same)
		return 0;
	sqlite3_bind_int64(p->add, 1, id < c->id ? id : c->id);
	sqlite3_bind_int64(p->add, 2, id < c->id ? c->id : id);
	return db_step(p->add, "record a match");
}

/* The tracks whose fingerprints match the new one, kept as pairs. The
 * candidates sharing a key are read again: one analysed since the
 * lookup, or analysed again with another fingerprint, is judged here,
 * so the lookup outside the writer misses nothing. */
static int record_matches(sqlite3 *db, const struct analysis_outcome *o,
			  const uint32_t *keys, int nkeys)
{
	struct pairing p = { .o = o, .db = db };
	int64_t id = o->job->track_id;
	int rc;

	rc = exec_id(db, "DELETE FROM analysis_matches WHERE track_id = ?1"
		     " OR other_id = ?1", id);
	if (rc || !nkeys)
		return rc;
	rc = db_prepare(db, "INSERT OR IGNORE INTO analysis_matches"
			" (track_id, other_id) VALUES (?1, ?2)", &p.add);
	if (rc)
		return rc;
	rc = for_candidates(db, id, keys, nkeys, add_match, &p);
	sqlite3_finalize(p.add);
	return rc;
}

/* An album's gain counts once every track of it is analysed: until then
 * it is left as it was, and an album none of whose tracks could be
 * analysed has none. */
static int record_album(sqlite3 *db, int64_t album)
{
	CLEANUP_FREE double *lufs = NULL;
	CLEANUP_FREE double *secs = NULL;
	sqlite3_stmt *st;
	int64_t waiting, total;
	int n = 0, rc;

	rc = query_int(db, "SELECT count(*) FROM tracks t"
		       " LEFT JOIN analysis a ON a.track_id = t.id"
		       " WHERE t.album_id = ?1 AND (a.track_id IS NULL OR t.id"
		       " IN (SELECT track_id FROM analysis_queue))", album, 0,
		       &waiting);
	if (!rc)
		rc = query_int(db, "SELECT count(*) FROM tracks"
			       " WHERE album_id = ?1", album, 0, &total);
	if (rc || waiting)
		return rc;
	lufs = calloc(total ? total : 1, sizeof(*lufs));
	secs = calloc(total ? total : 1, sizeof(*secs));
	rc = lufs && secs ? 0 : log_error(-ENOMEM, "analysis: out of memory");
	if (!rc)
		rc = db_prepare(db, "SELECT a.loudness_lufs, a.duration_s"
				" FROM tracks t JOIN analysis a"
				" ON a.track_id = t.id WHERE t.album_id = ?1"
				" AND a.state = 'ok'", &st);
	if (!rc) {
		sqlite3_bind_int64(st, 1, album);
		while ((rc = sqlite3_step(st)) == SQLITE_ROW && n < total) {
			lufs[n] = sqlite3_column_double(st, 0);
			secs[n++] = sqlite3_column_double(st, 1);
		}
		sqlite3_finalize(st);
		rc = rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 :
			db_error(db, rc, "read an album's loudness");
	}
	if (!rc && !n)
		rc = exec_id(db, "DELETE FROM analysis_albums"
			     " WHERE album_id = ?1", album);
	if (!rc && n) {
		rc = db_prepare(db, "INSERT OR REPLACE INTO analysis_albums"
				" (album_id, gain_db) VALUES (?1, ?2)", &st);
		if (!rc) {
			sqlite3_bind_int64(st, 1, album);
			sqlite3_bind_double(st, 2,
					    analysis_album_gain(lufs, secs, n));
			rc = db_step(st, "record an album gain");
			sqlite3_finalize(st);
		}
	}
	return rc;
}

static int record_tx(sqlite3 *db, void *outcome)
{
	const struct analysis_outcome *o = outcome;
	uint32_t keys[ANALYSIS_KEYS];
	int64_t album, exists;
	sqlite3_stmt *st;
	int rc, nkeys = outcome_keys(o, keys);

	rc = query_int(db, "SELECT count(*) FROM tracks WHERE id = ?1",
		       o->job->track_id, 0, &exists);
	if (!rc && exists) {
		rc = record_row(db, o);
		if (!rc)
			rc = record_keys(db, o->job->track_id, keys, nkeys);
		if (!rc)
			rc = record_matches(db, o, keys, nkeys);
		if (!rc)
			rc = db_prepare(db, "DELETE FROM analysis_queue"
					" WHERE track_id = ?1 AND gen = ?2",
					&st);
		if (!rc) {
			sqlite3_bind_int64(st, 1, o->job->track_id);
			sqlite3_bind_int64(st, 2, o->job->gen);
			rc = db_step(st, "take a track off the queue");
			sqlite3_finalize(st);
		}
		if (!rc)
			rc = query_int(db, "SELECT album_id FROM tracks"
				       " WHERE id = ?1", o->job->track_id, 0,
				       &album);
		if (!rc && album)
			rc = record_album(db, album);
	}
	return rc;
}

int analysis_store_record(sqlite3 *db, void *outcome)
{
	return db_transaction(db, record_tx, outcome);
}

static int counts_row(sqlite3_stmt *st, void *arg)
{
	struct analysis_counts *out = arg;

	out->analysed = sqlite3_column_int64(st, 0);
	out->failed = sqlite3_column_int64(st, 1);
	out->queued = sqlite3_column_int64(st, 2);
	out->too_short = sqlite3_column_int64(st, 3);
	return 0;
}

int analysis_store_counts(sqlite3 *db, struct analysis_counts *out)
{
	int rc;

	memset(out, 0, sizeof(*out));
	/* running totals the store's triggers keep (schema version 26) */
	rc = db_one_row(db, "count analyses", "SELECT (SELECT n FROM totals"
			" WHERE name = 'analysis_ok'),"
			" (SELECT n FROM totals"
			" WHERE name = 'analysis_failed'),"
			" (SELECT n FROM totals"
			" WHERE name = 'analysis_queued'),"
			" (SELECT n FROM totals"
			" WHERE name = 'analysis_too_short')", NULL, 0,
			counts_row, out);
	return rc < 0 ? rc : 0;
}
