/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The tracks the analysis' results relate, as the mount asks for them:
 * the groups of duplicates the recorded matches join (union-find), and
 * the tracks whose vectors are closest to a track's. Reads only, on the
 * connection it is given; what is recorded is analysis_store.c's.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/array.h"
#include "common/db.h"
#include "common/log.h"
#include "indexer/analysis/analysis_store.h"

/* A track in a pair of matches, with its group (union-find). */
struct uf_node {
	int64_t id;
	int parent;
};

struct nodes {
	struct uf_node *v;
	size_t nr;
};

/* Nodes sorted by track id are found by bsearch(). */
static int cmp_node(const void *a, const void *b)
{
	const struct uf_node *x = a, *y = b;

	return (x->id > y->id) - (x->id < y->id);
}

/* Pairs name tracks by id, union-find works on places. */
static int node_index(const struct nodes *n, int64_t id)
{
	struct uf_node key = { .id = id };
	struct uf_node *found = bsearch(&key, n->v, n->nr, sizeof(*n->v),
				     cmp_node);

	return found - n->v;
}

/* Halving the path as it is walked keeps the next walks short. */
static int root_of(struct nodes *n, int i)
{
	while (n->v[i].parent != i) {
		n->v[i].parent = n->v[n->v[i].parent].parent;
		i = n->v[i].parent;
	}
	return i;
}

/* The smaller index leads, so a group's root is its first track. */
static void join(struct nodes *n, int a, int b)
{
	a = root_of(n, a);
	b = root_of(n, b);
	if (a < b)
		n->v[b].parent = a;
	else if (b < a)
		n->v[a].parent = b;
}

/* Every recorded match as a pair of track ids, 2 per pair in pairs. */
static int load_pairs(sqlite3 *db, int64_t **pairs, size_t *nr)
{
	size_t alloc = 0;
	sqlite3_stmt *st;
	int rc;

	*pairs = NULL;
	*nr = 0;
	rc = db_prepare(db, "SELECT track_id, other_id FROM analysis_matches",
			&st);
	if (rc)
		return rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		/* room for a pair: for one element past *nr + 1 */
		int64_t *v = array_grow(*pairs, *nr + 1, &alloc, sizeof(*v),
					64);

		if (!v)
			break;
		*pairs = v;
		(*pairs)[(*nr)++] = sqlite3_column_int64(st, 0);
		(*pairs)[(*nr)++] = sqlite3_column_int64(st, 1);
	}
	sqlite3_finalize(st);
	if (rc == SQLITE_ROW)
		return log_error(-ENOMEM, "analysis: out of memory reading"
				 " matches");
	return rc == SQLITE_DONE ? 0 : db_error(db, rc, "read matches");
}

/* The tracks of the pairs, each once in id order, joined by their
 * matches. */
static int make_nodes(const int64_t *pairs, size_t nr, struct nodes *n)
{
	size_t kept = 0;

	n->v = malloc((nr ? nr : 1) * sizeof(*n->v));
	if (!n->v)
		return log_error(-ENOMEM, "analysis: out of memory");
	for (size_t i = 0; i < nr; i++)
		n->v[i].id = pairs[i];
	if (nr > 1)
		qsort(n->v, nr, sizeof(*n->v), cmp_node);
	for (size_t i = 0; i < nr; i++)
		if (!kept || n->v[i].id != n->v[kept - 1].id)
			n->v[kept++] = n->v[i];
	n->nr = kept;
	for (size_t i = 0; i < kept; i++)
		n->v[i].parent = i;
	for (size_t i = 0; i < nr; i += 2)
		join(n, node_index(n, pairs[i]), node_index(n, pairs[i + 1]));
	return 0;
}

/* A member of a group, for putting groups and their tracks in order. */
struct member {
	int group, index;
};

/* Groups in turn, each track of one in id order. */
static int cmp_member(const void *a, const void *b)
{
	const struct member *x = a, *y = b;

	if (x->group != y->group)
		return x->group - y->group;
	return x->index - y->index;
}

/* Number the groups in the order of their first track (a root is its
 * group's first) and list their members in order. */
static int order_groups(struct nodes *n, struct member **out)
{
	int *number = malloc((n->nr ? n->nr : 1) * sizeof(*number));
	struct member *m = malloc((n->nr ? n->nr : 1) * sizeof(*m));
	int groups = 0;

	if (!number || !m) {
		free(number);
		free(m);
		return log_error(-ENOMEM, "analysis: out of memory");
	}
	for (size_t i = 0; i < n->nr; i++)
		number[i] = root_of(n, i) == (int)i ? groups++ : -1;
	for (size_t i = 0; i < n->nr; i++)
		m[i] = (struct member){ number[root_of(n, i)], i };
	if (n->nr > 1)
		qsort(m, n->nr, sizeof(*m), cmp_member);
	free(number);
	*out = m;
	return 0;
}

int analysis_store_duplicates(sqlite3 *db,
			      int (*fn)(void *arg, int group,
					int64_t track_id),
			      void *arg)
{
	struct nodes n = { NULL, 0 };
	struct member *m = NULL;
	int64_t *pairs;
	size_t nr;
	int rc;

	rc = load_pairs(db, &pairs, &nr);
	if (!rc)
		rc = make_nodes(pairs, nr, &n);
	if (!rc)
		rc = order_groups(&n, &m);
	for (size_t i = 0; !rc && i < n.nr; i++)
		rc = fn(arg, m[i].group, n.v[m[i].index].id);
	free(pairs);
	free(n.v);
	free(m);
	return rc;
}

struct analysis_scored {
	int64_t id;
	double score;
};

/* Best first; equal scores in track id order, so the list is stable. */
static int better(const struct analysis_scored *a,
		  const struct analysis_scored *b)
{
	return a->score > b->score || (a->score == b->score && a->id < b->id);
}

int analysis_top_begin(struct analysis_top *t, const float *self,
		       size_t max, int (*keep)(void *arg, int64_t id),
		       void *arg)
{
	*t = (struct analysis_top){ self, keep, arg,
				    malloc((max ? max : 1) * sizeof(*t->v)),
				    max, 0 };
	return t->v ? 0 : log_error(-ENOMEM, "analysis: out of memory");
}

/* Keep the max best (sorted), placing the track among them; keep is
 * asked only of a track that would rank among the max. */
void analysis_top_offer(struct analysis_top *t, int64_t id,
			const float *vector)
{
	struct analysis_scored s = { id, analysis_similarity(t->self,
							     vector) };
	size_t i;

	if (!t->max || (t->n == t->max && !better(&s, &t->v[t->max - 1])))
		return;
	if (t->keep && !t->keep(t->arg, id))
		return;
	if (t->n < t->max)
		t->n++;
	for (i = t->n - 1; i > 0 && better(&s, &t->v[i - 1]); i--)
		t->v[i] = t->v[i - 1];
	t->v[i] = s;
}

void analysis_top_end(struct analysis_top *t, int64_t *ids, size_t *nr)
{
	for (size_t i = 0; i < t->n; i++)
		ids[i] = t->v[i].id;
	*nr = t->n;
	free(t->v);
	t->v = NULL;
}

/* Copy the vector of a row (a blob need not be aligned for floats);
 * 0 when it is not one of analysis_run(). */
static int row_vector(sqlite3_stmt *st, int col, float *out)
{
	if (sqlite3_column_bytes(st, col) != ANALYSIS_VECTOR_LEN *
	    (int)sizeof(float))
		return 0;
	memcpy(out, sqlite3_column_blob(st, col),
	       ANALYSIS_VECTOR_LEN * sizeof(float));
	return 1;
}

/* A track's vector and the top list of those most like it. */
struct similar {
	float self[ANALYSIS_VECTOR_LEN], other[ANALYSIS_VECTOR_LEN];
	struct analysis_top top;
	int found;
};

/* db_one_row(): the track's own vector, when it is one. */
static int read_self(sqlite3_stmt *st, void *arg)
{
	struct similar *s = arg;

	s->found = row_vector(st, 0, s->self);
	return 0;
}

/* db_each(): another track, offered to the top list. */
static int offer_other(void *arg, sqlite3_stmt *st)
{
	struct similar *s = arg;

	if (row_vector(st, 1, s->other))
		analysis_top_offer(&s->top, sqlite3_column_int64(st, 0),
				   s->other);
	return 0;
}

int analysis_store_similar(sqlite3 *db, int64_t track_id,
			   int (*keep)(void *arg, int64_t id), void *arg,
			   int64_t *ids, size_t max, size_t *nr)
{
	struct similar s = { .found = 0 };
	int rc;

	*nr = 0;
	rc = db_one_row(db, "read a track's vector", "SELECT vector FROM"
			" analysis WHERE track_id = ?1 AND state = 'ok'",
			DB_ARGS(DB_INT(track_id)), read_self, &s);
	if (rc < 0)
		return rc;
	if (!s.found)
		return -ENOENT;
	if (!max)
		return 0;
	rc = analysis_top_begin(&s.top, s.self, max, keep, arg);
	if (rc)
		return rc;
	rc = db_each(db, "read vectors", "SELECT track_id, vector FROM"
		     " analysis WHERE state = 'ok' AND track_id != ?1",
		     DB_ARGS(DB_INT(track_id)), offer_other, &s);
	analysis_top_end(&s.top, ids, nr);
	if (rc)
		*nr = 0;
	return rc;
}
