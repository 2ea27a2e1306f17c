/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The files of /playlists (playlists.h): which tracks each playlist
 * holds for its caller, the names of its folders, and the M3U8 text.
 * It reads the store through indexer/analysis/playlist_reads.h alone
 * and computes no similarity itself.
 */
#include "fs/tree/playlists.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/array.h"
#include "common/bytes.h"
#include "common/log.h"
#include "common/strbuf.h"
#include "fs/tree/caller.h"
#include "fs/tree/node.h"
#include "fs/tree/playlists_names.h"
#include "fs/tree/playlists_own.h"
#include "fs/tree/playlists_rel.h"
#include "indexer/indexer.h"
#include "indexer/reads.h"

/* A playlist being written: how many entries it holds, and may. */
struct m3u {
	struct strbuf *out;
	size_t n, max;
	int owner;
	int first;	/* the track of a similar list, still to come */
	/* A mix: only tracks within PLAYLISTS_MIX_LU of lufs, the first
	 * track's loudness (NAN when not measured: none). */
	int mix;
	double lufs;
	/* The form of /playlists/library: the levels from the playlist up
	 * to the mount's root (0: the absolute form), and each entry's
	 * #EXTINF line in out and file, whose path playlists_rel_write()
	 * adds. */
	int up;
	struct playlists_rel_entry *rel;
	size_t nr_rel, alloc_rel;
};

/* The up of the playlists rendered on this thread now (render_rel()). */
static __thread int rel_up;

/* Keep the entry written from from on, to add its path at the end. */
static int rel_keep(struct m3u *m, size_t from, int64_t file)
{
	struct playlists_rel_entry *grown;

	grown = array_grow(m->rel, m->nr_rel, &m->alloc_rel, sizeof(*m->rel),
			   32);
	if (!grown)
		return -ENOMEM;
	m->rel = grown;
	m->rel[m->nr_rel++] = (struct playlists_rel_entry){ from, m->out->len,
							    file };
	return 0;
}

/* Whether the caller of this thread may have t in a playlist. */
static int shown(const struct m3u *m, const struct playlist_track *t)
{
	if (strpbrk(t->path, "\n\r"))
		return 0;
	return m->owner || caller_may_read(t->path);
}

static int add_entry(void *arg, const struct playlist_track *t)
{
	struct m3u *m = arg;
	int first = m->first;
	size_t from = m->out->len;

	m->first = 0;
	if (m->n >= m->max)
		return 1;
	if (!shown(m, t))
		return first ? -ENOENT : 0;
	if (m->mix && first)
		m->lufs = t->has_lufs ? t->lufs : NAN;
	if (m->mix && !first && !(t->has_lufs &&
				  fabs(t->lufs - m->lufs) <= PLAYLISTS_MIX_LU))
		return 0;
	strbuf_addf(m->out, "#EXTINF:%lld,", t->seconds < 0 ? -1LL :
		    (long long)llround(t->seconds));
	if (*t->artist) {
		playlists_extinf_text(m->out, t->artist);
		strbuf_addstr(m->out, " - ");
	}
	playlists_extinf_text(m->out, t->title);
	m->n++;
	if (!m->up) {
		strbuf_addf(m->out, "\n%s\n", t->path);
		return 0;
	}
	strbuf_addch(m->out, '\n');
	return rel_keep(m, from, t->file);
}

static int add_duplicate(void *arg, int group, const struct playlist_track *t)
{
	(void)group;
	return add_entry(arg, t);
}

static void m3u_begin(struct m3u *m, struct strbuf *out, size_t max)
{
	*m = (struct m3u){ .out = out, .max = max,
			   .owner = caller_is_owner(), .up = rel_up };
	strbuf_addstr(out, "#EXTM3U\n");
}

/* End the playlist: a callback's "stop" (1) is no error. */
static int done(struct m3u *m, int rc)
{
	rc = rc > 0 ? 0 : rc;
	if (!rc && m->up)
		rc = playlists_rel_write(m->out, m->rel, m->nr_rel, m->up);
	free(m->rel);
	return rc;
}

int playlists_render_recent(struct strbuf *out)
{
	struct m3u m;

	m3u_begin(&m, out, PLAYLISTS_RECENT);
	return done(&m, playlist_reads_recent(PLAYLISTS_MAX, add_entry, &m));
}

int playlists_render_duplicates(struct strbuf *out)
{
	struct m3u m;

	m3u_begin(&m, out, PLAYLISTS_MAX);
	return done(&m, playlist_reads_duplicates(add_duplicate, &m));
}

/*
 * The rankings of the tracks most like a track, made for the owner at
 * the store's generation, by track: the similar and mix playlists of a
 * track in similar/, mix/, mpd/ and library/ rank it once, not six
 * times. A track's similar list is the first SIMILAR_MAX of its mix's
 * pool (ties are broken by track id). A ranking made for another user
 * is not kept: it is made among the tracks that user may read.
 */
#define RANKS_SLOTS 2048

static struct {
	pthread_mutex_t lock;
	struct rank {
		int64_t track;
		uint64_t generation;
		size_t n;
		int64_t ids[PLAYLISTS_SIMILAR_POOL + 1];
	} slot[RANKS_SLOTS];
} ranks = { .lock = PTHREAD_MUTEX_INITIALIZER };

static int rank_of(int64_t track, int owner, int64_t *ids, size_t *n)
{
	struct rank *r = &ranks.slot[(uint64_t)track % RANKS_SLOTS];
	uint64_t generation = indexer_generation();
	int rc, found = 0;

	pthread_mutex_lock(&ranks.lock);
	if (owner && r->track == track && r->generation == generation) {
		*n = r->n;
		memcpy(ids, r->ids, r->n * sizeof(*ids));
		found = 1;
	}
	pthread_mutex_unlock(&ranks.lock);
	if (found)
		return 0;
	rc = playlist_rows_rank(generation, track, PLAYLISTS_SIMILAR_POOL,
				owner ? NULL : caller_may_read, ids, n);
	if (rc || !owner)
		return rc;
	pthread_mutex_lock(&ranks.lock);
	*r = (struct rank){ .track = track, .generation = generation,
			    .n = *n };
	memcpy(r->ids, ids, *n * sizeof(*ids));
	pthread_mutex_unlock(&ranks.lock);
	return 0;
}

/* The first entries of the ranking of track: the track, then those most
 * like it that m takes, read SIMILAR_MAX + 1 at a time until m holds
 * what it may (a mix takes only some of its pool). */
static int render_ranked(struct m3u *m, int64_t track, size_t max)
{
	int64_t ids[PLAYLISTS_SIMILAR_POOL + 1];
	size_t n, step = SIMILAR_MAX + 1;
	uint64_t generation = indexer_generation();
	int rc = rank_of(track, m->owner, ids, &n);

	n = n < max ? n : max;
	for (size_t at = 0; !rc && at < n && m->n < m->max; at += step)
		rc = playlist_rows_tracks(generation, ids + at,
					  n - at < step ? n - at : step,
					  add_entry, m);
	return done(m, rc);
}

int playlists_render_similar(struct strbuf *out, int64_t track)
{
	struct m3u m;

	m3u_begin(&m, out, SIMILAR_MAX + 1);
	m.first = 1;
	return render_ranked(&m, track, SIMILAR_MAX + 1);
}

int playlists_render_mix(struct strbuf *out, int64_t track)
{
	struct m3u m;

	m3u_begin(&m, out, SIMILAR_MAX + 1);
	m.first = m.mix = 1;
	return render_ranked(&m, track, PLAYLISTS_SIMILAR_POOL + 1);
}

/* The folders of named playlists: each form and its folder's name. */
#define FORMS(X)							\
	X(PLAYLISTS_SIMILAR, "similar") X(PLAYLISTS_MIX, "mix")		\
	X(PLAYLISTS_GENRE, "genre") X(PLAYLISTS_DECADE, "decade")	\
	X(PLAYLISTS_MPD, "mpd")
#define FORM_ENUM(form, name) form,
#define FORM_NAME(form, name) [form] = name,

enum form { FORMS(FORM_ENUM) };

static const char *const folders[] = { FORMS(FORM_NAME) };

/* The form of the folder named by the len bytes at dir; -ENOENT. */
static int folder_form(const char *dir, size_t len)
{
	for (size_t i = 0; i < ARRAY_SIZE(folders); i++)
		if (strlen(folders[i]) == len && !memcmp(folders[i], dir, len))
			return (int)i;
	return -ENOENT;
}

/* The genres whose names are one name. */
struct genre_match {
	const char *name;
	struct m3u *m;
};

static int genre_tracks(void *arg, const char *genre, int64_t track,
			const char *path)
{
	struct genre_match *g = arg;
	struct strbuf name = STRBUF_INIT;
	int rc = 0;

	(void)track;
	(void)path;
	strbuf_addstr(&name, genre);
	playlists_safe_name(&name, 0);
	if (!strcmp(name.buf, g->name))
		rc = playlist_reads_genre(genre, PLAYLISTS_MAX, add_entry,
					  g->m);
	strbuf_release(&name);
	return rc;
}

int playlists_render_genre(struct strbuf *out, int64_t track)
{
	struct strbuf name = STRBUF_INIT;
	struct m3u m;
	struct genre_match g = { NULL, &m };
	int rc = playlist_reads_genre_of(track, &name);

	if (rc) {
		strbuf_release(&name);
		return rc;
	}
	playlists_safe_name(&name, 0);
	g.name = name.buf;
	m3u_begin(&m, out, PLAYLISTS_MAX);
	rc = playlist_reads_genres(0, genre_tracks, &g);
	strbuf_release(&name);
	return done(&m, rc);
}

int playlists_render_decade(struct strbuf *out, int64_t decade)
{
	struct m3u m;

	m3u_begin(&m, out, PLAYLISTS_MAX);
	return done(&m, playlist_reads_decade(decade, PLAYLISTS_MAX, add_entry,
					  &m));
}

/*
 * The kinds of named playlists, by their folder's form: the prefix of
 * their names in mpd/, and which names they take (playlists_names.h).
 */
static const struct kind {
	const char *prefix;
	enum playlists_names_kind names;
	int (*render)(struct strbuf *out, int64_t key);
} kinds[] = {
	[PLAYLISTS_SIMILAR] = { "similar - ", PLAYLISTS_NAMES_TRACKS,
				playlists_render_similar },
	[PLAYLISTS_MIX] = { "mix - ", PLAYLISTS_NAMES_TRACKS,
			    playlists_render_mix },
	[PLAYLISTS_GENRE] = { "genre - ", PLAYLISTS_NAMES_GENRES,
			      playlists_render_genre },
	[PLAYLISTS_DECADE] = { "decade - ", PLAYLISTS_NAMES_DECADES,
			       playlists_render_decade },
};

/* The playlists of mpd/ beside the named ones. */
static const struct {
	const char *name;
	int (*render)(struct strbuf *out);
} mpd_fixed[] = {
	{ "recent.m3u", playlists_render_recent },
	{ "duplicates.m3u", playlists_render_duplicates },
};

/* The length of name without ext, or 0 when it does not end in it. */
static size_t stem(const char *name, const char *ext)
{
	size_t n = strlen(name), e = strlen(ext);

	return n > e && !strcmp(name + n - e, ext) ? n - e : 0;
}

/* Find the playlist of kind k named name (prefix and extension taken
 * off, len bytes). */
static int kind_resolve(const struct kind *k, const char *name, size_t len,
			struct node *out)
{
	struct playlists_names *ns;
	int rc = playlists_names_get(k->names, &ns);

	if (rc)
		return rc;
	rc = -ENOENT;
	for (size_t i = 0; rc && i < ns->nr; i++) {
		if (!strncmp(ns->v[i].text, name, len) &&
		    !ns->v[i].text[len]) {
			*out = (struct node){ NODE_FILE,
					      .render_series = k->render,
					      .series = ns->v[i].key };
			rc = 0;
		}
	}
	playlists_names_put(ns);
	return rc;
}

/* The playlists of /playlists/library, each a playlist of the absolute
 * form by its render, with the levels it stands below the mount's root:
 * a node's series is the absolute one's * NR_REL + its index here. */
static int render_recent_rel(struct strbuf *out, int64_t key)
{
	(void)key;
	return playlists_render_recent(out);
}

static int render_duplicates_rel(struct strbuf *out, int64_t key)
{
	(void)key;
	return playlists_render_duplicates(out);
}

static const struct {
	int (*render)(struct strbuf *out, int64_t key);
	int up;
	const char *name;	/* in /playlists/library itself */
} rel_forms[] = {
	{ render_recent_rel, 2, "recent.m3u8" },
	{ render_duplicates_rel, 2, "duplicates.m3u8" },
	{ playlists_render_similar, 3, NULL },
	{ playlists_render_mix, 3, NULL },
	{ playlists_render_genre, 3, NULL },
	{ playlists_render_decade, 3, NULL },
};

#define NR_REL ((int64_t)ARRAY_SIZE(rel_forms))

static int render_rel(struct strbuf *out, int64_t key)
{
	int rc;

	rel_up = rel_forms[key % NR_REL].up;
	rc = rel_forms[key % NR_REL].render(out, key / NR_REL);
	rel_up = 0;
	return rc;
}

/* Turn *n, a playlist of the absolute form, into its relative one. */
static int rel_node(struct node *n)
{
	for (int64_t i = 0; i < NR_REL; i++) {
		if (rel_forms[i].render == n->render_series) {
			*n = (struct node){ NODE_FILE,
					    .render_series = render_rel,
					    .series = n->series * NR_REL + i };
			return 0;
		}
	}
	return -ENOENT;
}

static const struct node rel_dir = { .type = NODE_DIR, .dynamic = 1 };

/* Fill *out for rest, a path below /playlists/library. */
static int rel_resolve(const char *rest, struct node *out)
{
	const char *slash = strchr(rest, '/');
	int form = folder_form(rest, slash ? (size_t)(slash - rest) :
			       strlen(rest)), rc;

	for (int64_t i = 0; i < NR_REL; i++) {
		if (rel_forms[i].name && !strcmp(rest, rel_forms[i].name)) {
			*out = (struct node){ NODE_FILE,
					      .render_series = render_rel,
					      .series = i };
			return 0;
		}
	}
	if (form < 0 || form == PLAYLISTS_MPD)
		return -ENOENT;
	if (!slash) {
		*out = rel_dir;
		return 0;
	}
	rc = playlists_resolve(rest, out);
	return rc ? rc : rel_node(out);
}

int playlists_resolve(const char *path, struct node *out)
{
	const char *name = strchr(path, '/');
	int form = name ? folder_form(path, name - path) : -ENOENT;
	size_t len;

	if (!strncmp(path, "library/", 8))
		return rel_resolve(path + 8, out);
	if (!strncmp(path, "own/", 4))
		return playlists_own_resolve(path + 4, out);
	if (form < 0)
		return form;
	name++;

	if (form != PLAYLISTS_MPD) {
		len = stem(name, ".m3u8");
		return len ? kind_resolve(&kinds[form], name, len, out) :
			     -ENOENT;
	}
	for (size_t i = 0; i < ARRAY_SIZE(mpd_fixed); i++) {
		if (!strcmp(name, mpd_fixed[i].name)) {
			*out = (struct node){ NODE_FILE,
					      .render = mpd_fixed[i].render };
			return 0;
		}
	}
	len = stem(name, ".m3u");
	for (size_t i = 0; len && i < ARRAY_SIZE(kinds); i++) {
		size_t p = strlen(kinds[i].prefix);

		if (len > p && !strncmp(name, kinds[i].prefix, p))
			return kind_resolve(&kinds[i], name + p, len - p, out);
	}
	return -ENOENT;
}

/* List the playlists of kind k with names prefix NAME ext; 1 when fn
 * stopped. */
static int kind_list(const struct kind *k, const char *prefix,
		     const char *ext,
		     int (*fn)(const char *name, const struct node *child,
			       void *arg),
		     void *arg)
{
	struct strbuf whole = STRBUF_INIT;
	struct playlists_names *ns;
	struct node n;
	int rc = playlists_names_get(k->names, &ns);

	if (rc)
		return rc;
	for (size_t i = 0; !rc && i < ns->nr; i++) {
		n = (struct node){ NODE_FILE, .render_series = k->render,
				   .series = ns->v[i].key };
		strbuf_reset(&whole);
		strbuf_addf(&whole, "%s%s%s", prefix, ns->v[i].text, ext);
		rc = fn(whole.buf, &n, arg) ? 1 : 0;
	}
	strbuf_release(&whole);
	playlists_names_put(ns);
	return rc;
}

/* A listing of a folder of /playlists/library: each child in its
 * relative form. */
struct rel_list {
	int (*fn)(const char *name, const struct node *child, void *arg);
	void *arg;
};

static int rel_child(const char *name, const struct node *child, void *arg)
{
	struct rel_list *l = arg;
	struct node n = *child;

	return rel_node(&n) ? 0 : l->fn(name, &n, l->arg);
}

/* List /playlists/library ("") or one of its folders. */
static int rel_list(const char *dir,
		    int (*fn)(const char *name, const struct node *child,
			      void *arg),
		    void *arg)
{
	struct rel_list l = { fn, arg };
	int form = folder_form(dir, strlen(dir)), rc;
	struct node n;

	if (*dir) {
		if (form < 0 || form == PLAYLISTS_MPD)
			return -ENOENT;
		rc = kind_list(&kinds[form], "", ".m3u8", rel_child, &l);
		return rc < 0 ? rc : 0;
	}
	for (int64_t i = 0; i < NR_REL; i++) {
		n = (struct node){ NODE_FILE, .render_series = render_rel,
				   .series = i };
		if (rel_forms[i].name && fn(rel_forms[i].name, &n, arg))
			return 0;
	}
	for (int i = 0; i < PLAYLISTS_MPD; i++)
		if (fn(folders[i], &rel_dir, arg))
			return 0;
	return 0;
}

int playlists_list(const char *dir,
		   int (*fn)(const char *name, const struct node *child,
			     void *arg),
		   void *arg)
{
	int form = folder_form(dir, strlen(dir));
	struct node n;
	int rc = 0;

	if (!strcmp(dir, "library") || !strncmp(dir, "library/", 8))
		return rel_list(dir + 7 + !!dir[7], fn, arg);
	if (!strcmp(dir, "own"))
		return playlists_own_list(fn, arg);
	if (form < 0)
		return form;
	if (form != PLAYLISTS_MPD) {
		rc = kind_list(&kinds[form], "", ".m3u8", fn, arg);
		return rc < 0 ? rc : 0;
	}
	for (size_t i = 0; i < ARRAY_SIZE(mpd_fixed); i++) {
		n = (struct node){ NODE_FILE, .render = mpd_fixed[i].render };
		if (fn(mpd_fixed[i].name, &n, arg))
			return 0;
	}
	for (size_t i = 0; !rc && i < ARRAY_SIZE(kinds); i++)
		rc = kind_list(&kinds[i], kinds[i].prefix, ".m3u", fn, arg);
	return rc < 0 ? rc : 0;
}

int playlists_stamp_name(const struct node *n, char *buf, size_t size)
{
	for (size_t i = 0; i < ARRAY_SIZE(kinds); i++)
		if (n->render_series == kinds[i].render) {
			snprintf(buf, size, "/playlists/k%zu/%lld", i,
				 (long long)n->series);
			return 0;
		}
	if (n->render_series == playlists_own_render) {
		snprintf(buf, size, "/playlists/o/%lld", (long long)n->series);
		return 0;
	}
	if (n->render_series == render_rel) {
		snprintf(buf, size, "/playlists/r/%lld", (long long)n->series);
		return 0;
	}
	for (size_t i = 0; i < ARRAY_SIZE(mpd_fixed); i++)
		if (!n->render_series && n->render == mpd_fixed[i].render) {
			snprintf(buf, size, "/playlists/f%zu", i);
			return 0;
		}
	return -ENOENT;
}

static int later(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec != b->tv_sec ? a->tv_sec > b->tv_sec :
	       a->tv_nsec > b->tv_nsec;
}

int playlists_dir_time(const char *dir, struct timespec *at)
{
	int form, rc = 0;

	if (!strncmp(dir, "library/", 8))
		dir += 8;
	form = folder_form(dir, strlen(dir));
	if (form < 0)
		return form;
	*at = (struct timespec){ 0 };
	for (size_t i = 0; !rc && i < ARRAY_SIZE(kinds); i++) {
		struct playlists_names *ns;

		if (form != PLAYLISTS_MPD && form != (int)i)
			continue;
		rc = playlists_names_get(kinds[i].names, &ns);
		if (rc)
			break;
		if (later(&ns->at, at))
			*at = ns->at;
		playlists_names_put(ns);
	}
	return rc;
}
