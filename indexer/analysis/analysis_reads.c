/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The analysis' counts and duplicate groups read for the mount
 * (analysis_reads.h), on the calling thread's read connection. It
 * writes nothing.
 */
#include "indexer/analysis/analysis_reads.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/array.h"
#include "common/db.h"
#include "common/strbuf.h"
#include "indexer/analysis/mb_dups.h"
#include "indexer/store/reader.h"

int analysis_reads_counts(struct analysis_counts *out)
{
	memset(out, 0, sizeof(*out));
	return READER_WITH(db, analysis_store_counts(db, out));
}

/* A track of a group of the audio analysis, to tell whether a group of
 * the tags adds anything. */
struct dup_member {
	int64_t id;
	int group;
};

struct dup_paths {
	sqlite3 *db;
	sqlite3_stmt *path;
	int (*fn)(void *arg, int group, const char *reason, const char *path);
	void *arg;
	const char *reason;
	struct dup_member *audio;
	size_t nr, alloc;
	int groups;
};

/* Paths come from the store per track, as the groups give ids. */
static int dup_path(struct dup_paths *d, int group, int64_t track_id)
{
	struct strbuf path = STRBUF_INIT;
	int rc;

	sqlite3_bind_int64(d->path, 1, track_id);
	rc = sqlite3_step(d->path);
	if (rc == SQLITE_ROW) {
		strbuf_add(&path, sqlite3_column_blob(d->path, 0),
			   sqlite3_column_bytes(d->path, 0));
		strbuf_addch(&path, '/');
		strbuf_add(&path, sqlite3_column_blob(d->path, 1),
			   sqlite3_column_bytes(d->path, 1));
	}
	sqlite3_reset(d->path);
	if (rc == SQLITE_ROW)
		rc = d->fn(d->arg, group, d->reason, path.buf);
	else
		rc = rc == SQLITE_DONE ? 0 :
			db_error(d->db, rc, "read a duplicate's path");
	strbuf_release(&path);
	return rc;
}

/* A track of the analysis' groups: noted, then shown. */
static int audio_dup(void *arg, int group, int64_t track_id)
{
	struct dup_paths *d = arg;

	struct dup_member *v = array_grow(d->audio, d->nr, &d->alloc,
					  sizeof(*v), 16);

	if (!v)
		return -ENOMEM;
	d->audio = v;
	d->audio[d->nr++] = (struct dup_member){ track_id, group };
	if (group >= d->groups)
		d->groups = group + 1;
	return dup_path(d, group, track_id);
}

static int cmp_member(const void *a, const void *b)
{
	const struct dup_member *x = a, *y = b;

	return (x->id > y->id) - (x->id < y->id);
}

/* The analysis' group of track id, or -1. */
static int audio_group(const struct dup_paths *d, int64_t id)
{
	struct dup_member key = { id, 0 };
	const struct dup_member *m;

	m = d->nr ? bsearch(&key, d->audio, d->nr, sizeof(*d->audio),
			    cmp_member) : NULL;
	return m ? m->group : -1;
}

/* A group of the tags, shown unless the analysis holds it whole. */
static int tag_dups(void *arg, const int64_t *ids, size_t nr)
{
	struct dup_paths *d = arg;
	int first = audio_group(d, ids[0]), rc = 0;
	size_t i;

	for (i = 1; first >= 0 && i < nr; i++)
		if (audio_group(d, ids[i]) != first)
			break;
	if (first >= 0 && i == nr)
		return 0;
	for (i = 0; !rc && i < nr; i++)
		rc = dup_path(d, d->groups, ids[i]);
	d->groups++;
	return rc;
}

int analysis_reads_duplicates(int (*fn)(void *arg, int group,
					const char *reason,
					const char *path),
			      void *arg)
{
	struct dup_paths d = { .db = reader_begin(), .fn = fn, .arg = arg,
			       .reason = ANALYSIS_DUP_AUDIO };
	int rc;

	if (!d.db)
		return -EIO;
	rc = db_prepare(d.db, "SELECT r.path, f.path FROM tracks t"
			" JOIN file_paths f ON f.id = t.file_id"
			" JOIN roots r ON r.id = f.root_id WHERE t.id = ?1",
			&d.path);
	if (!rc)
		rc = analysis_store_duplicates(d.db, audio_dup, &d);
	if (!rc) {
		if (d.nr)
			qsort(d.audio, d.nr, sizeof(*d.audio), cmp_member);
		d.reason = ANALYSIS_DUP_MUSICBRAINZ;
		rc = mb_dups_groups(d.db, tag_dups, &d);
	}
	sqlite3_finalize(d.path);
	reader_end(d.db);
	free(d.audio);
	return rc;
}
