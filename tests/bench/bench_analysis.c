/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * bench_analysis FILE...: analyses each file as the background workers
 * do (analysis_run()) and prints one line with the CPU time it took, user
 * and system, from getrusage():
 *
 *	analysis: 8 files, 245.0 s of audio, 1.102 s of CPU, 222.3 audio s
 *	per CPU s
 *
 * (on one line). Fails when a file cannot be analysed: a benchmark of
 * failures would measure nothing.
 *
 * bench_analysis --duplicates N DIR: fills a store in DIR with N analysed
 * tracks of random fingerprints (30 s each), then records DUP_TRACKS new
 * ones as the workers do, half of them near-copies of stored tracks, and
 * prints the time per track of the duplicate lookup (on a read
 * connection) and of the record (the writer's call):
 *
 *	duplicates: 100000 tracks, 0.180 ms lookup, 0.410 ms record per
 *	track, 50 of 50 copies found, 2 unrelated candidates
 *
 * (on one line). Fails when a copy is not found.
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/db.h"
#include "common/log.h"
#include "indexer/analysis/analysis.h"
#include "indexer/analysis/analysis_store.h"
#include "indexer/store/schema.h"

/* The tracks recorded and timed once the store is full. */
#define DUP_TRACKS	100
/* Items of a synthetic fingerprint: 30 s. */
#define DUP_LEN		240

/* The CPU time of this process so far, in seconds. */
static double cpu_seconds(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_SELF, &ru))
		return 0;
	return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
	       ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

/* One stream of random items for the whole store (xorshift64*), so
 * that no two tracks repeat each other. */
static uint32_t next_item(uint64_t *x)
{
	*x ^= *x >> 12;
	*x ^= *x << 25;
	*x ^= *x >> 27;
	return (uint32_t)((*x * 0x2545f4914f6cdd1dULL) >> 32);
}

/* N files and tracks in one statement each, analysed with random
 * fingerprints and indexed under their keys, the queue left empty. */
static int dup_fill(sqlite3 *db, int n, uint64_t *x)
{
	uint32_t fp[DUP_LEN], keys[ANALYSIS_KEYS];
	sqlite3_stmt *row = NULL, *key = NULL;
	char sql[512];
	int rc, nkeys;

	snprintf(sql, sizeof(sql), "BEGIN;"
		 "INSERT INTO roots (id, kind, path) VALUES (1, 'music',"
		 " CAST('/nowhere' AS BLOB));"
		 "INSERT INTO directories (id, root_id, path, mtime_ns)"
		 " VALUES (1, 1, CAST('' AS BLOB), 0);"
		 "WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1"
		 " FROM c WHERE i < %d) INSERT INTO files (root_id, dir_id,"
		 " name, size, mtime_ns, inode, kind) SELECT 1, 1,"
		 " CAST(i || '.flac' AS BLOB), 1, 1, i, 'flac' FROM c;"
		 "INSERT INTO tracks (id, file_id, title) SELECT id, id, 't'"
		 " FROM files;", n);
	rc = db_exec(db, sql);
	if (!rc)
		rc = db_prepare(db, "INSERT INTO analysis (track_id, state,"
				" analysed_at, fingerprint) VALUES (?1, 'ok',"
				" 1, ?2)", &row);
	if (!rc)
		rc = db_prepare(db, "INSERT OR IGNORE INTO analysis_keys (key,"
				" track_id) VALUES (?1, ?2)", &key);
	for (int t = 1; !rc && t <= n; t++) {
		for (int i = 0; i < DUP_LEN; i++)
			fp[i] = next_item(x);
		sqlite3_bind_int(row, 1, t);
		sqlite3_bind_blob(row, 2, fp, sizeof(fp), SQLITE_STATIC);
		rc = sqlite3_step(row) == SQLITE_DONE ? 0 : -EIO;
		sqlite3_reset(row);
		nkeys = analysis_fingerprint_keys(fp, DUP_LEN, keys,
						  ANALYSIS_KEYS);
		for (int k = 0; !rc && k < nkeys; k++) {
			sqlite3_bind_int64(key, 1, keys[k]);
			sqlite3_bind_int(key, 2, t);
			rc = sqlite3_step(key) == SQLITE_DONE ? 0 : -EIO;
			sqlite3_reset(key);
		}
	}
	sqlite3_finalize(row);
	sqlite3_finalize(key);
	if (!rc)
		rc = db_exec(db, "DELETE FROM analysis_queue; COMMIT");
	return rc;
}

/* A near-copy of a stored track's fingerprint, as another encoding
 * gives it: cut by shift items at the start, about 1% of its bits
 * flipped. Returns its length, or 0 when the track cannot be read. */
static int dup_copy(sqlite3 *db, int64_t track, int shift, uint64_t *x,
		    uint32_t *fp)
{
	sqlite3_stmt *st;
	int len = 0;

	if (db_prepare(db, "SELECT fingerprint FROM analysis"
		       " WHERE track_id = ?1", &st))
		return 0;
	sqlite3_bind_int64(st, 1, track);
	if (sqlite3_step(st) == SQLITE_ROW &&
	    sqlite3_column_bytes(st, 0) == DUP_LEN * sizeof(*fp)) {
		len = DUP_LEN - shift;
		memcpy(fp, (const uint32_t *)sqlite3_column_blob(st, 0) + shift,
		       len * sizeof(*fp));
	}
	sqlite3_finalize(st);
	for (int i = 0; i < len; i++)
		for (int bit = 0; bit < 32; bit++)
			if (next_item(x) % 100 == 0)
				fp[i] ^= 1u << bit;
	return len;
}

/* A store at PATH, open in *DB, with n analysed tracks and DUP_TRACKS
 * new ones queued for the analysis. */
static int dup_store(const char *path, int n, uint64_t *x, sqlite3 **db)
{
	char sql[512];
	int rc;

	rc = db_open(path, 0, db);
	if (!rc)
		rc = schema_migrate(*db);
	if (!rc)
		rc = dup_fill(*db, n, x);
	snprintf(sql, sizeof(sql), "WITH RECURSIVE c(i) AS (SELECT 1"
		 " UNION ALL SELECT i + 1 FROM c WHERE i < %d)"
		 " INSERT INTO files (root_id, dir_id, name, size, mtime_ns,"
		 " inode, kind) SELECT 1, 1, CAST('new' || i AS BLOB), 1, 1,"
		 " 0, 'flac' FROM c; INSERT INTO tracks (file_id, title)"
		 " SELECT id, 'new' FROM files WHERE inode = 0;"
		 /* queued as the writer queues the tracks it adds */
		 " INSERT INTO analysis_queue (track_id) SELECT t.id FROM"
		 " tracks t JOIN files f ON f.id = t.file_id WHERE f.inode = 0"
		 " ORDER BY t.id", DUP_TRACKS);
	if (!rc)
		rc = db_exec(*db, sql);
	return rc;
}

/* Time the lookup and the record of DUP_TRACKS new tracks in a store of
 * n, as analysis_worker.c does them. */
static int bench_duplicates(int n, const char *dir)
{
	double lookup_s = 0, record_s = 0, start;
	int found = 0, unrelated = 0, rc;
	uint32_t fp[DUP_LEN];
	uint64_t x = 88172645463325252ULL;
	sqlite3 *db = NULL, *rd = NULL;
	char path[4096];

	/* the schema's steps say nothing the figures need; errors still */
	log_set_level(LOG_WARN);
	snprintf(path, sizeof(path), "%s/duplicates.db", dir);
	unlink(path);
	rc = dup_store(path, n, &x, &db);
	if (!rc)
		rc = db_open(path, 1, &rd);
	for (int c = 0; !rc && c < DUP_TRACKS; c++) {
		int64_t original = 1 + (int64_t)c * n / (DUP_TRACKS / 2);
		struct analysis_job job;
		struct analysis_outcome o = { .job = &job, .at = 2 };

		rc = analysis_store_next(rd, NULL, 0, ANALYSIS_OWNER_NONE,
					 &job);
		if (rc)
			break;
		o.result.duration_s = 30;
		o.result.fingerprint = fp;
		o.result.fingerprint_len = DUP_LEN;
		if (c < DUP_TRACKS / 2)
			o.result.fingerprint_len = dup_copy(rd, original,
							    c % 40, &x, fp);
		else
			for (int i = 0; i < DUP_LEN; i++)
				fp[i] = next_item(&x);
		start = clock_mono();
		rc = analysis_store_lookup(rd, &o);
		lookup_s += clock_mono() - start;
		start = clock_mono();
		if (!rc)
			rc = analysis_store_record(db, &o);
		record_s += clock_mono() - start;
		for (size_t i = 0; i < o.nr_candidates; i++) {
			if (c < DUP_TRACKS / 2 &&
			    o.candidates[i].track_id == original &&
			    o.candidates[i].same)
				found++;
			else if (!o.candidates[i].same)
				unrelated++;
		}
		analysis_store_lookup_release(&o);
		analysis_job_release(&job);
	}
	db_close(rd);
	db_close(db);
	unlink(path);
	if (rc) {
		fprintf(stderr, "bench_analysis: the store failed: %d\n", rc);
		return 1;
	}
	printf("duplicates: %d tracks, %.3f ms lookup, %.3f ms record per"
	       " track, %d of %d copies found, %d unrelated candidates\n", n,
	       lookup_s * 1000 / DUP_TRACKS, record_s * 1000 / DUP_TRACKS,
	       found, DUP_TRACKS / 2, unrelated);
	return found == DUP_TRACKS / 2 ? 0 : 1;
}

int main(int argc, char **argv)
{
	struct analysis_result r;
	double audio = 0, start, cpu;

	if (argc == 4 && !strcmp(argv[1], "--duplicates") &&
	    atoi(argv[2]) >= DUP_TRACKS / 2)
		return bench_duplicates(atoi(argv[2]), argv[3]);
	if (argc < 2 || argv[1][0] == '-') {
		fprintf(stderr, "usage: %s FILE... | --duplicates N DIR\n",
			argv[0]);
		return 2;
	}
	start = cpu_seconds();
	for (int i = 1; i < argc; i++) {
		if (analysis_run(argv[i], &r)) {
			fprintf(stderr, "bench_analysis: %s failed\n", argv[i]);
			return 1;
		}
		audio += r.duration_s;
		analysis_result_release(&r);
	}
	cpu = cpu_seconds() - start;
	printf("analysis: %d files, %.1f s of audio, %.3f s of CPU, %.1f "
	       "audio s per CPU s\n", argc - 1, audio, cpu,
	       cpu > 0 ? audio / cpu : 0);
	return 0;
}
