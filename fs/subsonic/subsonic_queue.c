/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The Subsonic API's bookmarks, play queue and ratings
 * (subsonic_queue.h). What an id names and whether the account reads it
 * is subsonic_music.h's; the rows are written through the indexer and
 * read through the store's read API. It speaks no SQL.
 */
#include "fs/subsonic/subsonic_queue.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/clock.h"
#include "common/strbuf.h"
#include "fs/subsonic/subsonic_auth.h"
#include "fs/subsonic/subsonic_marks.h"
#include "fs/subsonic/subsonic_music.h"
#include "indexer/indexer.h"
#include "indexer/reads.h"

/* The whole number of s (digits only) up to max into *out: 0, or
 * -EINVAL. */
static int number(const char *s, long long max, long long *out)
{
	char *end;

	if (!s || !isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	*out = strtoll(s, &end, 10);
	return *end || errno || *out > max ? -EINVAL : 0;
}

/* The song id names, as the account reads it, into *out (may be NULL)
 * and its file into *file: 0, SUBSONIC_NOT_FOUND or -errno. */
static int song(const char *id, int64_t *file, json_t **out)
{
	json_t *o = NULL;
	int rc;

	*file = subsonic_music_file(id);
	rc = *file > 0 ? subsonic_music_get(id, &o) : SUBSONIC_NOT_FOUND;
	if (out)
		*out = o;
	else
		json_decref(o);
	return rc;
}

/* The time at (seconds since the epoch) in ISO 8601, a new string. */
static json_t *when(double at)
{
	char text[CLOCK_RFC3339_LEN];

	clock_rfc3339((time_t)at, text);
	return json_string(text);
}

static int list_bookmark(void *arg, const struct account_bookmark *b)
{
	char id[SUBSONIC_MARKS_ID_LEN];
	json_t *entry, *o;
	int rc;

	subsonic_marks_song_id(b->file, id);
	rc = subsonic_music_get(id, &entry);
	if (rc == SUBSONIC_NOT_FOUND)
		return 0;
	if (rc)
		return rc;
	o = json_pack("{s:I,s:s,s:s,s:o,s:o,s:o}", "position",
		      (json_int_t)b->position, "username", b->account,
		      "comment", b->comment, "created", when(b->created),
		      "changed", when(b->changed), "entry", entry);
	return o && !json_array_append_new(arg, o) ? 0 : -ENOMEM;
}

int subsonic_queue_bookmarks(json_t *body, const struct subsonic_query *q)
{
	json_t *a = json_array();
	int rc = a ? account_rows_bookmarks_each(subsonic_marks_account(),
						 list_bookmark, a) : -ENOMEM;

	(void)q;
	if (!rc && json_object_set_new(body, "bookmarks",
				       json_pack("{s:O}", "bookmark", a)))
		rc = -ENOMEM;
	json_decref(a);
	return rc;
}

int subsonic_queue_bookmark(json_t *body, const struct subsonic_query *q)
{
	const char *id = q->value(q->req, "id");
	const char *at = q->value(q->req, "position");
	struct account_bookmark b = {
		.account = subsonic_marks_account(),
		.comment = q->value(q->req, "comment"),
		.changed = clock_wall(),
	};
	long long position;
	int rc;

	(void)body;
	if (!id || !at)
		return SUBSONIC_MISSING;
	rc = number(at, INT64_MAX, &position);
	if (!rc)
		rc = song(id, &b.file, NULL);
	b.position = position;
	return rc ? rc : indexer_bookmark(&b);
}

int subsonic_queue_unbookmark(json_t *body, const struct subsonic_query *q)
{
	const char *id = q->value(q->req, "id");
	struct account_bookmark b = {
		.account = subsonic_marks_account(), .remove = 1,
	};
	int rc;

	(void)body;
	if (!id)
		return SUBSONIC_MISSING;
	rc = song(id, &b.file, NULL);
	return rc ? rc : indexer_bookmark(&b);
}

/* What queue_of() makes: the shape asked and the answer. */
struct queue_out {
	int by_index;		/* PlayQueueByIndex, not PlayQueue */
	json_t *o;
};

/* Mark the current entry, number index of the entries answered, in o:
 * its id, or its index by_index, and the position in it. */
static int mark_current(json_t *o, const struct account_queue *q,
			size_t index, int by_index)
{
	char id[SUBSONIC_MARKS_ID_LEN];

	subsonic_marks_song_id(q->current, id);
	if (json_object_set_new(o, by_index ? "currentIndex" : "current",
				by_index ? json_integer((json_int_t)index) :
				json_string(id)))
		return -ENOMEM;
	return json_object_set_new(o, "position",
				   json_integer((json_int_t)q->position)) ?
	       -ENOMEM : 0;
}

/* The PlayQueue (or PlayQueueByIndex) of the queue q into arg's o: its
 * songs the account reads, its current one only when it reads it (by
 * index, the first entry that is the current song). */
static int queue_of(void *arg, const struct account_queue *q)
{
	char id[SUBSONIC_MARKS_ID_LEN];
	struct queue_out *out = arg;
	json_t *entries = json_array(), *o;
	int rc = entries ? 0 : -ENOMEM, current = 0;
	size_t at = 0;

	for (size_t i = 0; !rc && i < q->nr_files; i++) {
		subsonic_marks_song_id(q->files[i], id);
		rc = subsonic_music_get(id, &o);
		if (rc == SUBSONIC_NOT_FOUND) {
			rc = 0;
			continue;
		}
		if (!rc && !current && q->files[i] == q->current) {
			current = 1;
			at = json_array_size(entries);
		}
		if (!rc && json_array_append_new(entries, o))
			rc = -ENOMEM;
	}
	out->o = rc ? NULL : json_pack("{s:s,s:o,s:s,s:O}", "username",
				       q->account, "changed",
				       when(q->changed), "changedBy",
				       q->changed_by, "entry", entries);
	if (out->o && current && mark_current(out->o, q, at, out->by_index)) {
		json_decref(out->o);
		out->o = NULL;
	}
	json_decref(entries);
	return rc ? rc : out->o ? 0 : -ENOMEM;
}

/* getPlayQueue, or getPlayQueueByIndex with by_index. */
static int queue_get(json_t *body, int by_index)
{
	struct account_queue none = {
		.account = subsonic_marks_account(), .changed_by = "",
	};
	struct queue_out out = { .by_index = by_index };
	int rc = account_rows_queue_get(none.account, queue_of, &out);

	if (!rc)
		rc = queue_of(&out, &none);	/* none kept: an empty one */
	if (rc >= 0 && json_object_set_new(body, by_index ?
					   "playQueueByIndex" : "playQueue",
					   out.o))
		return -ENOMEM;
	return rc < 0 ? rc : 0;
}

int subsonic_queue_get(json_t *body, const struct subsonic_query *q)
{
	(void)q;
	return queue_get(body, 0);
}

int subsonic_queue_get_by_index(json_t *body,
				const struct subsonic_query *q)
{
	(void)q;
	return queue_get(body, 1);
}

/* The files of the songs of ids into files: each one the account
 * reads. The current one into *at: the song current names, or with
 * index >= 0 the one at index of ids. */
static int queue_files(json_t *ids, const char *current, long long index,
		       int64_t *files, int64_t *at)
{
	json_t *v;
	size_t i;
	int rc = 0;

	*at = 0;
	json_array_foreach(ids, i, v) {
		rc = song(json_string_value(v), &files[i], NULL);
		if (rc)
			return rc;
		if (index < 0 ? !strcmp(json_string_value(v), current) :
		    (long long)i == index)
			*at = files[i];
	}
	if (*at)
		return 0;
	return index < 0 ? SUBSONIC_NOT_FOUND : -EINVAL;
}

/* savePlayQueue (the current song's id in current), or
 * savePlayQueueByIndex (its index in index, current NULL). */
static int queue_save(const struct subsonic_query *q, const char *current,
		      const char *index)
{
	const char *at = q->value(q->req, "position");
	struct account_queue s = {
		.account = subsonic_marks_account(), .changed = clock_wall(),
		.changed_by = q->value(q->req, "c"),
	};
	long long position = 0, nr = -1;
	json_t *ids = NULL;
	int64_t *files = NULL;
	int rc = q->values(q->req, "id", &ids);

	if (!rc && json_array_size(ids) && !current && !index)
		rc = SUBSONIC_MISSING;
	if (!rc && at && *at)
		rc = number(at, INT64_MAX, &position);
	if (!rc && index && json_array_size(ids))
		rc = number(index, INT64_MAX, &nr);
	if (!rc && json_array_size(ids)) {
		files = calloc(json_array_size(ids), sizeof(*files));
		rc = files ? queue_files(ids, current, nr, files,
					 &s.current) : -ENOMEM;
	}
	s.files = files;
	s.nr_files = json_array_size(ids);
	s.position = s.nr_files ? position : 0;
	if (!rc)
		rc = indexer_play_queue(&s);
	free(files);
	json_decref(ids);
	return rc;
}

int subsonic_queue_save(json_t *body, const struct subsonic_query *q)
{
	(void)body;
	return queue_save(q, q->value(q->req, "current"), NULL);
}

int subsonic_queue_save_by_index(json_t *body,
				 const struct subsonic_query *q)
{
	(void)body;
	return queue_save(q, NULL, q->value(q->req, "currentIndex"));
}

int subsonic_queue_rate(json_t *body, const struct subsonic_query *q)
{
	const char *id = q->value(q->req, "id");
	const char *rating = q->value(q->req, "rating");
	struct account_rating r = { .account = subsonic_marks_account() };
	json_t *o = NULL;
	long long n;
	int rc;

	(void)body;
	if (!id || !rating)
		return SUBSONIC_MISSING;
	rc = number(rating, 5, &n);
	r.rating = (int)n;
	r.file = subsonic_music_file(id);
	r.kind = r.file > 0 ? STARRED_SONG : !strncmp(id, "al", 2) ?
		 STARRED_ALBUM : STARRED_ARTIST;
	if (!rc && r.file <= 0 && strncmp(id, "al", 2) &&
	    strncmp(id, "ar", 2))
		rc = SUBSONIC_NOT_FOUND;
	if (!rc)
		rc = subsonic_music_get(id, &o);
	if (!rc)	/* the id as the answers give it */
		r.item = json_string_value(json_object_get(o, "id"));
	if (!rc)
		rc = indexer_rating(&r);
	json_decref(o);
	return rc;
}
