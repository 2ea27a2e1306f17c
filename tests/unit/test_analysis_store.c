/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The analysis queue and results in a real store: what the schema's
 * triggers queue, taking tracks, recording results and failures, album
 * gains, duplicate groups and similar tracks.
 */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/clock.h"
#include "common/db.h"
#include "testdb.h"
#include "common/log.h"
#include "indexer/analysis/analysis_store.h"
#include "indexer/analysis/mb_dups.h"
#include "indexer/store/schema.h"

#define PRINT_LEN 600

/* A store with one music folder and two albums of one artist. */
static int setup(void **state)
{
	struct testdb *e;

	if (testdb_setup(state))
		return -1;
	e = *state;
	assert_int_equal(db_exec(e->db,
		"INSERT INTO roots (id, kind, path) VALUES (1, 'music',"
		" CAST('/music' AS BLOB));"
		"INSERT INTO directories (id, root_id, path, mtime_ns)"
		" VALUES (1, 1, CAST('' AS BLOB), 0);"
		"INSERT INTO artists (id, name) VALUES (1, 'Alpha');"
		"INSERT INTO albums (id, title, artist_id) VALUES"
		" (1, 'First', 1), (2, 'Second', 1);"), 0);
	return 0;
}

static int64_t query_int(struct testdb *e, const char *sql)
{
	sqlite3_stmt *st;
	int64_t v = -1;

	assert_int_equal(sqlite3_prepare_v2(e->db, sql, -1, &st, NULL),
			 SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

/* A file and its track, as the writer adds them (and queues the track:
 * music.h); returns the track's id. */
static int64_t add_track(struct testdb *e, const char *name, int album)
{
	char sql[640];
	int64_t id;

	snprintf(sql, sizeof(sql),
		 "INSERT INTO files (root_id, dir_id, name, size, mtime_ns,"
		 " inode, kind) VALUES (1, 1, CAST('%s' AS BLOB), 100, 1, 1,"
		 " 'flac');"
		 "INSERT INTO tracks (file_id, title, artist_id, album_id)"
		 " VALUES (last_insert_rowid(), '%s', 1, %s);", name, name,
		 album ? (album == 1 ? "1" : "2") : "NULL");
	assert_int_equal(db_exec(e->db, sql), 0);
	id = sqlite3_last_insert_rowid(e->db);
	snprintf(sql, sizeof(sql), "INSERT INTO analysis_queue (track_id)"
		 " VALUES (%lld)", (long long)id);
	assert_int_equal(db_exec(e->db, sql), 0);
	return id;
}

/* The next track, the turns starting from the least owner. */
static int take(struct testdb *e, const int64_t *busy, size_t nbusy,
		struct analysis_job *job)
{
	return analysis_store_next(e->db, busy, nbusy, ANALYSIS_OWNER_NONE,
				   job);
}

static void touch(struct testdb *e, int64_t track, const char *set)
{
	char sql[256];

	snprintf(sql, sizeof(sql), "UPDATE files SET %s WHERE id ="
		 " (SELECT file_id FROM tracks WHERE id = %lld)", set,
		 (long long)track);
	assert_int_equal(db_exec(e->db, sql), 0);
}

static int64_t queued(struct testdb *e)
{
	return query_int(e, "SELECT count(*) FROM analysis_queue");
}

/* A fingerprint of PRINT_LEN items from seed, the same for one seed. */
static uint32_t *print_of(unsigned seed)
{
	uint32_t *fp = malloc(PRINT_LEN * sizeof(*fp));
	uint32_t x = seed * 2654435761u + 1;

	assert_non_null(fp);
	for (int i = 0; i < PRINT_LEN; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		fp[i] = x;
	}
	return fp;
}

/* A unit vector at angle a from the first axis, towards the second. */
static void vector_at(float *v, double a)
{
	memset(v, 0, ANALYSIS_VECTOR_LEN * sizeof(*v));
	v[0] = cos(a);
	v[1] = sin(a);
}

/* Take the next track and record an analysis of it with the given
 * fingerprint seed (0: none), angle and loudness, or error. */
static int64_t analyse_next(struct testdb *e, unsigned seed, double angle,
			    double lufs, int error)
{
	struct analysis_job job;
	struct analysis_outcome o = { .job = &job, .at = 1000, .error = error };
	int64_t id;

	assert_int_equal(take(e, NULL, 0, &job), 0);
	if (!error) {
		o.result.duration_s = 10;
		o.result.loudness_lufs = lufs;
		o.result.gain_db = ANALYSIS_REFERENCE_LUFS - lufs;
		o.result.peak = 0.5;
		o.result.bpm = 120;
		vector_at(o.result.vector, angle);
		if (seed) {
			o.result.fingerprint = print_of(seed);
			o.result.fingerprint_len = PRINT_LEN;
		}
	}
	assert_int_equal(analysis_store_record(e->db, &o), 0);
	id = job.track_id;
	free(o.result.fingerprint);
	analysis_job_release(&job);
	return id;
}

static void test_queue_follows_the_files(void **state)
{
	struct testdb *e = *state;
	struct analysis_job job;
	int64_t a = add_track(e, "a.flac", 0);

	assert_int_equal(queued(e), 1);
	assert_int_equal(take(e, NULL, 0, &job), 0);
	assert_int_equal(job.track_id, a);
	assert_string_equal(job.path, "/music/a.flac");
	analysis_job_release(&job);

	assert_int_equal(analyse_next(e, 1, 0, -20, 0), a);
	assert_int_equal(queued(e), 0);
	assert_int_equal(take(e, NULL, 0, &job), -ENOENT);

	/* a rename, a full rescan's rewrite and a tag change leave it */
	touch(e, a, "name = CAST('b.flac' AS BLOB)");
	touch(e, a, "size = 100, mtime_ns = 1, inode = 1");
	assert_int_equal(db_exec(e->db, "UPDATE tracks SET title = 'B'"), 0);
	assert_int_equal(queued(e), 0);
	/* a change of its content queues it again */
	touch(e, a, "mtime_ns = 2");
	assert_int_equal(queued(e), 1);
	touch(e, a, "inode = 7");
	assert_int_equal(queued(e), 1);

	/* a deleted file takes all of its rows */
	assert_true(query_int(e, "SELECT count(*) FROM analysis_keys") > 0);
	assert_int_equal(db_exec(e->db, "DELETE FROM files"), 0);
	assert_int_equal(queued(e), 0);
	assert_int_equal(query_int(e, "SELECT count(*) FROM analysis"), 0);
	assert_int_equal(query_int(e, "SELECT count(*) FROM analysis_keys"),
			 0);
}

static void test_busy_tracks_skipped(void **state)
{
	struct testdb *e = *state;
	struct analysis_job job;
	int64_t a = add_track(e, "a.flac", 0);
	int64_t b = add_track(e, "b.flac", 0);
	int64_t busy[2] = { a, b };

	assert_int_equal(take(e, busy, 1, &job), 0);
	assert_int_equal(job.track_id, b);
	analysis_job_release(&job);
	assert_int_equal(take(e, busy, 2, &job), -ENOENT);
	assert_null(job.path);
}

/* The plan of sql has no scan of a whole table. */
static void no_scan(struct testdb *e, const char *sql)
{
	char plan[4096] = "";
	sqlite3_stmt *st;

	assert_int_equal(db_prepare(e->db, sql, &st), 0);
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *detail = (const char *)sqlite3_column_text(st, 3);

		strncat(plan, detail ? detail : "",
			sizeof(plan) - strlen(plan) - 2);
		strcat(plan, ";");
	}
	sqlite3_finalize(st);
	if (strstr(plan, "SCAN"))
		fail_msg("%s: %s", sql, plan);
}

/* Issue 60: one owner's flood of 10,000 new tracks, queued by the
 * trigger as their files change, holds no other owner's new track
 * behind it: the owners are served in turn (wrapping round, over an
 * owner whose tracks are all busy), and the next owner and its track
 * are found through the index, without a scan of the queue. */
static void test_owners_served_in_turn(void **state)
{
	struct testdb *e = *state;
	struct analysis_job job;
	int64_t first, other, busy[1];

	assert_int_equal(db_exec(e->db, "DELETE FROM analysis_queue;"
		"WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1"
		" FROM n WHERE i < 10000) INSERT INTO files (root_id, dir_id,"
		" name, size, mtime_ns, inode, kind, uid) SELECT 1, 1,"
		" CAST('flood' || i AS BLOB), 1, 1, i, 'mp3', 1000 FROM n;"
		"INSERT INTO tracks (file_id, title, artist_id)"
		" SELECT id, 'flood', 1 FROM files WHERE uid = 1000;"
		"INSERT INTO files (root_id, dir_id, name, size, mtime_ns,"
		" inode, kind, uid) VALUES (1, 1, CAST('mine' AS BLOB), 1, 1,"
		" 0, 'flac', 1001);"
		"INSERT INTO tracks (file_id, title, artist_id)"
		" VALUES (last_insert_rowid(), 'mine', 1);"
		"UPDATE files SET mtime_ns = 2"), 0);
	assert_int_equal(queued(e), 10001);
	assert_int_equal(query_int(e, "SELECT count(*) FROM analysis_queue"
				   " WHERE owner = 1000"), 10000);
	first = query_int(e, "SELECT min(id) FROM tracks");
	other = query_int(e, "SELECT id FROM tracks WHERE title = 'mine'");

	assert_int_equal(take(e, NULL, 0, &job), 0);
	assert_int_equal(job.track_id, first);
	assert_int_equal(job.owner, 1000);
	analysis_job_release(&job);
	assert_int_equal(analysis_store_next(e->db, NULL, 0, 1000, &job), 0);
	assert_int_equal(job.track_id, other);
	assert_int_equal(job.owner, 1001);
	assert_string_equal(job.path, "/music/mine");
	analysis_job_release(&job);
	/* round again, and over the owner whose one track is busy */
	assert_int_equal(analysis_store_next(e->db, NULL, 0, 1001, &job), 0);
	assert_int_equal(job.track_id, first);
	analysis_job_release(&job);
	busy[0] = other;
	assert_int_equal(analysis_store_next(e->db, busy, 1, 1000, &job), 0);
	assert_int_equal(job.track_id, first);
	analysis_job_release(&job);
	/* an owner past every other, and no track left but a busy one */
	assert_int_equal(analysis_store_next(e->db, NULL, 0, 5000, &job), 0);
	assert_int_equal(job.owner, 1000);
	analysis_job_release(&job);
	assert_int_equal(db_exec(e->db, "DELETE FROM analysis_queue"
				 " WHERE owner = 1000"), 0);
	assert_int_equal(analysis_store_next(e->db, busy, 1, 1000, &job),
			 -ENOENT);
	assert_null(job.path);

	no_scan(e, "EXPLAIN QUERY PLAN SELECT owner FROM analysis_queue"
		" WHERE owner > 1000 ORDER BY owner LIMIT 1");
	no_scan(e, "EXPLAIN QUERY PLAN SELECT q.gen, q.track_id"
		" FROM analysis_queue q JOIN tracks t ON t.id = q.track_id"
		" JOIN file_paths f ON f.id = t.file_id"
		" JOIN roots r ON r.id = f.root_id WHERE q.owner = 1000"
		" ORDER BY q.track_id LIMIT 2");
}

/* Whether the test's file is gone: those named "gone". */
static int named_gone(const char *path)
{
	return strstr(path, "gone") != NULL;
}

/* Queued tracks whose files are gone are found from a track on, in
 * batches of at most max, and taken off the queue but for one queued
 * again since (its file came back); the others stay queued. */
static void test_gone_files_dropped_in_batches(void **state)
{
	struct testdb *e = *state;
	struct analysis_job job;
	struct analysis_gone g;
	int64_t a = add_track(e, "a.flac", 0);
	int64_t g1 = add_track(e, "gone1.flac", 0);
	int64_t b = add_track(e, "b.flac", 0);
	int64_t g2 = add_track(e, "gone2.flac", 0);
	int64_t g3 = add_track(e, "gone3.flac", 0);

	assert_int_equal(analysis_store_gone(e->db, a + 1, 3, named_gone,
					     &g), 0);
	assert_int_equal(g.nr, 2);
	assert_int_equal(g.v[0].track_id, g1);
	assert_int_equal(g.v[1].track_id, g2);
	assert_int_equal(g.next, g2 + 1);
	assert_int_equal(analysis_store_drop(e->db, &g), 0);
	free(g.v);
	assert_int_equal(queued(e), 3);

	assert_int_equal(analysis_store_gone(e->db, g.next, 3, named_gone,
					     &g), 0);
	assert_int_equal(g.nr, 1);
	assert_int_equal(g.v[0].track_id, g3);
	/* its file came back meanwhile: queued again, kept */
	touch(e, g3, "mtime_ns = 9");
	assert_int_equal(analysis_store_drop(e->db, &g), 0);
	free(g.v);
	assert_int_equal(queued(e), 3);

	assert_int_equal(analysis_store_gone(e->db, g3 + 1, 3, named_gone,
					     &g), 0);
	assert_int_equal(g.nr, 0);
	free(g.v);
	assert_int_equal(take(e, NULL, 0, &job), 0);
	assert_int_equal(job.track_id, a);
	analysis_job_release(&job);
	assert_int_equal(query_int(e, "SELECT count(*) FROM analysis_queue"
				   " WHERE track_id IN (SELECT id FROM tracks"
				   " WHERE title LIKE 'gone%')"), 1);
	(void)b;
}

static void test_change_during_analysis_requeues(void **state)
{
	struct testdb *e = *state;
	struct analysis_job job;
	struct analysis_outcome o = { .job = &job, .at = 5 };
	int64_t a = add_track(e, "a.flac", 0);

	assert_int_equal(take(e, NULL, 0, &job), 0);
	touch(e, a, "size = 200");
	o.result.duration_s = 3;
	vector_at(o.result.vector, 0);
	assert_int_equal(analysis_store_record(e->db, &o), 0);
	analysis_job_release(&job);
	/* the result is kept, and the new content waits its turn */
	assert_int_equal(query_int(e, "SELECT count(*) FROM analysis"
				   " WHERE state = 'ok'"), 1);
	assert_int_equal(queued(e), 1);
}

static void test_failure_recorded(void **state)
{
	struct testdb *e = *state;
	struct analysis_counts c;
	int64_t a = add_track(e, "a.flac", 0);
	sqlite3_stmt *st;

	add_track(e, "b.flac", 0);
	analyse_next(e, 1, 0, -20, 0);
	analyse_next(e, 0, 0, 0, -EBADMSG);
	assert_int_equal(analysis_store_counts(e->db, &c), 0);
	assert_int_equal(c.analysed, 1);
	assert_int_equal(c.failed, 1);
	assert_int_equal(c.queued, 0);

	/* a failure after a success drops what the success found */
	touch(e, a, "size = 5");
	analyse_next(e, 0, 0, 0, -EMEDIUMTYPE);
	assert_int_equal(sqlite3_prepare_v2(e->db, "SELECT state, error,"
		" bpm, vector FROM analysis WHERE track_id = ?1", -1, &st,
		NULL), SQLITE_OK);
	sqlite3_bind_int64(st, 1, a);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_string_equal(sqlite3_column_text(st, 0), "failed");
	assert_string_equal(sqlite3_column_text(st, 1),
			    analysis_store_error_text(-EMEDIUMTYPE));
	assert_int_equal(sqlite3_column_type(st, 2), SQLITE_NULL);
	assert_int_equal(sqlite3_column_type(st, 3), SQLITE_NULL);
	sqlite3_finalize(st);
	assert_int_equal(query_int(e, "SELECT count(*) FROM analysis_keys"),
			 0);
	assert_int_equal(analysis_store_counts(e->db, &c), 0);
	assert_int_equal(c.analysed, 0);
	assert_int_equal(c.failed, 2);
	assert_string_not_equal(analysis_store_error_text(-EBADMSG),
				analysis_store_error_text(-EMEDIUMTYPE));
}

/* A track too short to analyse is no failure: counted apart, with its
 * reason, and not queued again. */
static void test_too_short_counted_apart(void **state)
{
	struct testdb *e = *state;
	struct analysis_counts c;

	add_track(e, "jingle.flac", 0);
	add_track(e, "cut.flac", 0);
	analyse_next(e, 0, 0, 0, -ENODATA);
	analyse_next(e, 0, 0, 0, -EBADMSG);
	assert_int_equal(analysis_store_counts(e->db, &c), 0);
	assert_int_equal(c.too_short, 1);
	assert_int_equal(c.failed, 1);
	assert_int_equal(c.analysed, 0);
	assert_int_equal(c.queued, 0);
	assert_int_equal(query_int(e, "SELECT count(*) FROM analysis"
				   " WHERE state = 'too_short' AND error ="
				   " 'too short to analyse'"), 1);
}

static double album_gain(struct testdb *e, int album)
{
	char sql[128];
	sqlite3_stmt *st;
	double gain = NAN;

	snprintf(sql, sizeof(sql), "SELECT gain_db FROM analysis_albums"
		 " WHERE album_id = %d", album);
	assert_int_equal(sqlite3_prepare_v2(e->db, sql, -1, &st, NULL),
			 SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		gain = sqlite3_column_double(st, 0);
	sqlite3_finalize(st);
	return gain;
}

static void test_album_gain_once_album_done(void **state)
{
	struct testdb *e = *state;
	const double lufs[] = { -14, -20 }, secs[] = { 10, 10 };

	add_track(e, "1.flac", 1);
	add_track(e, "2.flac", 1);
	add_track(e, "3.flac", 2);
	add_track(e, "4.flac", 2);

	analyse_next(e, 0, 0, lufs[0], 0);
	assert_true(isnan(album_gain(e, 1)));
	analyse_next(e, 0, 0, lufs[1], 0);
	assert_true(fabs(album_gain(e, 1) -
			 analysis_album_gain(lufs, secs, 2)) < 1e-9);

	/* a track that cannot be analysed counts as done, without its
	 * loudness */
	analyse_next(e, 0, 0, 0, -EBADMSG);
	assert_true(isnan(album_gain(e, 2)));
	analyse_next(e, 0, 0, lufs[0], 0);
	assert_true(fabs(album_gain(e, 2) -
			 analysis_album_gain(lufs, secs, 1)) < 1e-9);
	assert_true(album_gain(e, 1) != album_gain(e, 2));
}

struct groups {
	int group[8];
	int64_t track[8];
	int nr;
};

static int collect(void *arg, int group, int64_t track)
{
	struct groups *g = arg;

	assert_true(g->nr < 8);
	g->group[g->nr] = group;
	g->track[g->nr++] = track;
	return 0;
}

static void test_duplicates_grouped(void **state)
{
	struct testdb *e = *state;
	const unsigned seeds[] = { 7, 8, 7, 9, 8, 7 };
	struct groups g = { .nr = 0 };
	int64_t id[6];

	for (int i = 0; i < 6; i++) {
		char name[32];

		snprintf(name, sizeof(name), "%d.flac", i);
		id[i] = add_track(e, name, 0);
	}
	for (int i = 0; i < 6; i++)
		analyse_next(e, seeds[i], 0, -20, 0);
	assert_int_equal(analysis_store_duplicates(e->db, collect, &g), 0);
	assert_int_equal(g.nr, 5);
	assert_int_equal(g.group[0], 0);
	assert_int_equal(g.track[0], id[0]);
	assert_int_equal(g.group[1], 0);
	assert_int_equal(g.track[1], id[2]);
	assert_int_equal(g.group[2], 0);
	assert_int_equal(g.track[2], id[5]);
	assert_int_equal(g.group[3], 1);
	assert_int_equal(g.track[3], id[1]);
	assert_int_equal(g.group[4], 1);
	assert_int_equal(g.track[4], id[4]);

	/* a deleted copy leaves its group; a lone one is no group */
	assert_int_equal(db_exec(e->db, "DELETE FROM files WHERE name IN"
				 " (CAST('1.flac' AS BLOB))"), 0);
	g.nr = 0;
	assert_int_equal(analysis_store_duplicates(e->db, collect, &g), 0);
	assert_int_equal(g.nr, 3);
	for (int i = 0; i < 3; i++)
		assert_int_equal(g.group[i], 0);

	/* a copy that changes into something else leaves it too */
	touch(e, id[5], "size = 1");
	analyse_next(e, 9, 0, -20, 0);
	g.nr = 0;
	assert_int_equal(analysis_store_duplicates(e->db, collect, &g), 0);
	assert_int_equal(g.nr, 4);
	assert_int_equal(g.track[0], id[0]);
	assert_int_equal(g.track[1], id[2]);
	assert_int_equal(g.track[2], id[3]);
	assert_int_equal(g.track[3], id[5]);
	assert_int_equal(g.group[2], 1);
	assert_int_equal(g.group[3], 1);
}

/* Keep every track but the one *arg names. */
static int all_but(void *arg, int64_t id)
{
	return id != *(const int64_t *)arg;
}

static void test_similar_ranked(void **state)
{
	struct testdb *e = *state;
	const double angle[] = { 0, 1.2, 0.3, 2.5, 0.6 };
	int64_t id[5], ids[4];
	size_t nr;

	for (int i = 0; i < 5; i++) {
		char name[32];

		snprintf(name, sizeof(name), "%d.flac", i);
		id[i] = add_track(e, name, 0);
	}
	for (int i = 0; i < 5; i++)
		analyse_next(e, 0, angle[i], -20, 0);
	assert_int_equal(analysis_store_similar(e->db, id[0], NULL, NULL,
						ids, 4, &nr), 0);
	assert_int_equal(nr, 4);
	assert_int_equal(ids[0], id[2]);
	assert_int_equal(ids[1], id[4]);
	assert_int_equal(ids[2], id[1]);
	assert_int_equal(ids[3], id[3]);
	assert_int_equal(analysis_store_similar(e->db, id[0], NULL, NULL,
						ids, 2, &nr), 0);
	assert_int_equal(nr, 2);
	assert_int_equal(ids[1], id[4]);

	/* the ranking is over the tracks keep lets through: with the best
	 * one held back, the next two are the two listed */
	assert_int_equal(analysis_store_similar(e->db, id[0], all_but, &id[2],
						ids, 2, &nr), 0);
	assert_int_equal(nr, 2);
	assert_int_equal(ids[0], id[4]);
	assert_int_equal(ids[1], id[1]);

	/* a track not analysed has no neighbours */
	add_track(e, "new.flac", 0);
	assert_int_equal(analysis_store_similar(e->db, id[4] + 1, NULL,
						NULL, ids, 4, &nr), -ENOENT);
	assert_int_equal(nr, 0);
}

/* An outcome for track id with the fingerprint fp (len items, kept by
 * the caller), as a worker has it once analysis_run() is done. */
static void outcome_of(struct analysis_job *job, struct analysis_outcome *o,
		       int64_t id, uint32_t *fp, int len)
{
	memset(job, 0, sizeof(*job));
	job->track_id = id;
	memset(o, 0, sizeof(*o));
	o->job = job;
	o->at = 1000;
	o->result.duration_s = 10;
	vector_at(o->result.vector, 0);
	o->result.fingerprint = fp;
	o->result.fingerprint_len = len;
}

/* The lookup on a worker's read connection, which must succeed. */
static void lookup(struct testdb *e, struct analysis_outcome *o)
{
	sqlite3 *rd;

	assert_int_equal(db_open(e->path, 1, &rd), 0);
	assert_int_equal(analysis_store_lookup(rd, o), 0);
	db_close(rd);
}

static int64_t matched(struct testdb *e, int64_t a, int64_t b)
{
	char sql[160];

	snprintf(sql, sizeof(sql), "SELECT count(*) FROM analysis_matches"
		 " WHERE track_id = %lld AND other_id = %lld",
		 (long long)(a < b ? a : b), (long long)(a < b ? b : a));
	return query_int(e, sql);
}

/* The writer keeps the lookup's verdicts, judges again a candidate
 * analysed anew since, and finds one analysed after the lookup. */
static void test_lookup_outside_writer(void **state)
{
	struct testdb *e = *state;
	uint32_t *seven = print_of(7), *eight = print_of(8);
	int64_t a = add_track(e, "a.flac", 0);
	int64_t b = add_track(e, "b.flac", 0);
	int64_t c = add_track(e, "c.flac", 0);
	struct analysis_outcome o, again;
	struct analysis_job job, job2;

	analyse_next(e, 7, 0, -20, 0);
	analyse_next(e, 9, 0, -20, 0);
	outcome_of(&job, &o, c, seven, PRINT_LEN);
	lookup(e, &o);
	assert_true(o.looked_up);
	assert_int_equal(o.nr_keys, ANALYSIS_KEYS);
	assert_int_equal(o.nr_candidates, 1);
	assert_int_equal(o.candidates[0].track_id, a);
	assert_true(o.candidates[0].same);

	/* meanwhile a becomes another recording and b a copy */
	outcome_of(&job2, &again, a, eight, PRINT_LEN);
	assert_int_equal(analysis_store_record(e->db, &again), 0);
	outcome_of(&job2, &again, b, seven, PRINT_LEN);
	assert_int_equal(analysis_store_record(e->db, &again), 0);

	assert_int_equal(analysis_store_record(e->db, &o), 0);
	analysis_store_lookup_release(&o);
	analysis_store_lookup_release(&o);
	assert_int_equal(matched(e, a, c), 0);
	assert_int_equal(matched(e, b, c), 1);
	assert_int_equal(query_int(e, "SELECT count(*) FROM analysis_matches"),
			 1);
	free(seven);
	free(eight);
}

/* Given a lookup, the writer does not judge again: a verdict changed
 * by hand is what it records. Without one it judges itself. */
static void test_lookup_verdict_kept(void **state)
{
	struct testdb *e = *state;
	uint32_t *seven = print_of(7);
	int64_t a = add_track(e, "a.flac", 0);
	int64_t b = add_track(e, "b.flac", 0);
	struct analysis_outcome o;
	struct analysis_job job;

	analyse_next(e, 7, 0, -20, 0);
	outcome_of(&job, &o, b, seven, PRINT_LEN);
	lookup(e, &o);
	assert_int_equal(o.nr_candidates, 1);
	o.candidates[0].same = 0;
	assert_int_equal(analysis_store_record(e->db, &o), 0);
	analysis_store_lookup_release(&o);
	assert_int_equal(matched(e, a, b), 0);

	outcome_of(&job, &o, b, seven, PRINT_LEN);
	assert_int_equal(analysis_store_record(e->db, &o), 0);
	assert_int_equal(matched(e, a, b), 1);

	/* a fingerprint without keys has no candidate, a failure no
	 * lookup */
	outcome_of(&job, &o, b, seven, 4);
	lookup(e, &o);
	assert_int_equal(o.nr_keys, 0);
	assert_int_equal(o.nr_candidates, 0);
	outcome_of(&job, &o, b, seven, PRINT_LEN);
	o.error = -EBADMSG;
	lookup(e, &o);
	assert_false(o.looked_up);
	free(seven);
}

/* Synthetic fingerprints for a large store: SCALE_LEN items each (25 s),
 * item i of track t from a hash of both, so no two tracks share a run. */
#define SCALE_LEN	200
#define SCALE_COPIES	50

static uint32_t scale_item(uint64_t t, uint64_t i)
{
	uint64_t z = (t << 32 | i) + 0x9e3779b97f4a7c15ULL;

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return (uint32_t)(z ^ (z >> 31));
}

/* Fill the store with n analysed tracks of synthetic fingerprints, in
 * one transaction, as analysis_store_record() would leave them. */
static void fill(struct testdb *e, int n)
{
	uint32_t fp[SCALE_LEN], keys[ANALYSIS_KEYS];
	sqlite3_stmt *file, *track, *row, *key;
	int nkeys;

	assert_int_equal(db_exec(e->db, "BEGIN"), 0);
	assert_int_equal(db_prepare(e->db, "INSERT INTO files (root_id,"
		" dir_id, name, size, mtime_ns, inode, kind) VALUES (1, 1,"
		" CAST(?1 AS BLOB), 1, 1, 1, 'flac')", &file), 0);
	assert_int_equal(db_prepare(e->db, "INSERT INTO tracks (id, file_id,"
		" title) VALUES (?1, last_insert_rowid(), 't')", &track), 0);
	assert_int_equal(db_prepare(e->db, "INSERT INTO analysis (track_id,"
		" state, analysed_at, fingerprint) VALUES (?1, 'ok', 1, ?2)",
		&row), 0);
	assert_int_equal(db_prepare(e->db, "INSERT OR IGNORE INTO"
		" analysis_keys (key, track_id) VALUES (?1, ?2)", &key), 0);
	for (int t = 1; t <= n; t++) {
		char name[32];

		snprintf(name, sizeof(name), "%d.flac", t);
		sqlite3_bind_text(file, 1, name, -1, SQLITE_TRANSIENT);
		assert_int_equal(sqlite3_step(file), SQLITE_DONE);
		sqlite3_reset(file);
		sqlite3_bind_int(track, 1, t);
		assert_int_equal(sqlite3_step(track), SQLITE_DONE);
		sqlite3_reset(track);
		for (int i = 0; i < SCALE_LEN; i++)
			fp[i] = scale_item(t, i);
		sqlite3_bind_int(row, 1, t);
		sqlite3_bind_blob(row, 2, fp, sizeof(fp), SQLITE_STATIC);
		assert_int_equal(sqlite3_step(row), SQLITE_DONE);
		sqlite3_reset(row);
		nkeys = analysis_fingerprint_keys(fp, SCALE_LEN, keys,
						  ANALYSIS_KEYS);
		assert_int_equal(nkeys, ANALYSIS_KEYS);
		for (int k = 0; k < nkeys; k++) {
			sqlite3_bind_int64(key, 1, keys[k]);
			sqlite3_bind_int(key, 2, t);
			assert_int_equal(sqlite3_step(key), SQLITE_DONE);
			sqlite3_reset(key);
		}
	}
	sqlite3_finalize(file);
	sqlite3_finalize(track);
	sqlite3_finalize(row);
	sqlite3_finalize(key);
	assert_int_equal(db_exec(e->db, "DELETE FROM analysis_queue;"
				 " COMMIT"), 0);
}

/* A near-copy of track t: cut by shift items at the start, each bit
 * flipped with a chance of 1 in 100 (a match of about 0.99). */
static int near_copy(uint64_t t, int shift, uint32_t *fp)
{
	int len = SCALE_LEN - shift;

	for (int i = 0; i < len; i++) {
		fp[i] = scale_item(t, i + shift);
		for (int bit = 0; bit < 32; bit++)
			if (scale_item(t + (1ULL << 31), i * 32 + bit) % 100
			    == 0)
				fp[i] ^= 1u << bit;
	}
	return len;
}

/*
 * A library of MEDIAMON_SCALE_TRACKS (default 20,000, so that the test
 * stays short under the sanitizers; the analysis bench runs 100,000)
 * tracks: the lookup finds each of SCALE_COPIES near-copies of stored
 * tracks and few unrelated candidates, for them and for as many new
 * fingerprints. The time per lookup is printed, not judged.
 */
static void test_lookup_scales(void **state)
{
	struct testdb *e = *state;
	const char *env = getenv("MEDIAMON_SCALE_TRACKS");
	int n = env ? atoi(env) : 20000, found = 0, len;
	size_t unrelated = 0;
	struct analysis_outcome o;
	struct analysis_job job;
	uint32_t fp[SCALE_LEN];
	double start, spent = 0;
	sqlite3 *rd;

	assert_true(n >= SCALE_COPIES);
	fill(e, n);
	assert_int_equal(db_open(e->path, 1, &rd), 0);
	for (int c = 0; c < 2 * SCALE_COPIES; c++) {
		/* the copies first, then fingerprints of no stored track */
		uint64_t t = c < SCALE_COPIES ?
			1 + (uint64_t)c * (n / SCALE_COPIES) :
			(uint64_t)n + 1 + c;

		if (c < SCALE_COPIES) {
			len = near_copy(t, c % 40, fp);
		} else {
			len = SCALE_LEN;
			for (int i = 0; i < len; i++)
				fp[i] = scale_item(t, i);
		}
		outcome_of(&job, &o, n + 1 + c, fp, len);
		start = clock_mono();
		assert_int_equal(analysis_store_lookup(rd, &o), 0);
		spent += clock_mono() - start;
		for (size_t i = 0; i < o.nr_candidates; i++) {
			if (c < SCALE_COPIES &&
			    o.candidates[i].track_id == (int64_t)t) {
				assert_true(o.candidates[i].same);
				found++;
			} else {
				assert_false(o.candidates[i].same);
				unrelated++;
			}
		}
		analysis_store_lookup_release(&o);
	}
	db_close(rd);
	print_message("lookup in %d tracks: %.3f ms per track, %d of %d"
		      " copies found, %zu unrelated candidates in %d"
		      " lookups\n", n, spent * 1000 / (2 * SCALE_COPIES),
		      found, SCALE_COPIES, unrelated, 2 * SCALE_COPIES);
	assert_int_equal(found, SCALE_COPIES);
	/* random prints share no band; 32-bit keys meet by chance, about
	 * 100 * 32 * 32 * n / 2^32 times in all: 2.4 for 100,000 tracks */
	assert_true(unrelated <= 2 * SCALE_COPIES / 10);
}

/* The groups mb_dups_groups() gives, flattened. */
struct mb_groups {
	int64_t ids[8];
	size_t nr, groups;
};

static int collect_mb(void *arg, const int64_t *ids, size_t nr)
{
	struct mb_groups *g = arg;

	for (size_t i = 0; i < nr && g->nr < 8; i++)
		g->ids[g->nr++] = ids[i];
	g->groups++;
	return 0;
}

/*
 * One recording id joins the tracks whose lengths are within 2 s of the
 * one before them; one further off, one without a length, another id
 * and no id at all join nothing, and no analysis is needed.
 */
static void test_mb_duplicates_grouped(void **state)
{
	static const struct {
		const char *mbid, *length;
	} rows[] = {
		{ "'x'", "180.0" }, { "'x'", "181.5" }, { "'x'", "183.0" },
		{ "'x'", "190.0" }, { "'y'", "100.0" }, { "'y'", "NULL" },
		{ "NULL", "100.0" },
	};
	struct testdb *e = *state;
	struct mb_groups g = { .nr = 0 };
	int64_t id[7];
	char sql[256], name[24];

	for (int i = 0; i < 7; i++) {
		snprintf(name, sizeof(name), "%d.flac", i);
		id[i] = add_track(e, name, 0);
		snprintf(sql, sizeof(sql), "UPDATE tracks SET mb_track_id = %s,"
			 " duration_s = %s WHERE id = %lld", rows[i].mbid,
			 rows[i].length, (long long)id[i]);
		assert_int_equal(db_exec(e->db, sql), 0);
	}
	assert_int_equal(mb_dups_groups(e->db, collect_mb, &g), 0);
	assert_int_equal(g.groups, 1);
	assert_int_equal(g.nr, 3);
	for (int i = 0; i < 3; i++)
		assert_int_equal(g.ids[i], id[i]);

	/* the middle one gone, the ends are too far apart */
	snprintf(sql, sizeof(sql), "UPDATE tracks SET mb_track_id = NULL"
		 " WHERE id = %lld", (long long)id[1]);
	assert_int_equal(db_exec(e->db, sql), 0);
	g = (struct mb_groups){ .nr = 0 };
	assert_int_equal(mb_dups_groups(e->db, collect_mb, &g), 0);
	assert_int_equal(g.groups, 0);
}

/* Every test has a store of its own. */
#define T(test) cmocka_unit_test_setup_teardown(test, setup, testdb_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_queue_follows_the_files),
		T(test_busy_tracks_skipped),
		T(test_owners_served_in_turn),
		T(test_change_during_analysis_requeues),
		T(test_gone_files_dropped_in_batches),
		T(test_failure_recorded),
		T(test_too_short_counted_apart),
		T(test_album_gain_once_album_done),
		T(test_duplicates_grouped),
		T(test_mb_duplicates_grouped),
		T(test_similar_ranked),
		T(test_lookup_outside_writer),
		T(test_lookup_verdict_kept),
		T(test_lookup_scales),
	};

	log_set_stderr(0);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
