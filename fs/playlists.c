/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The files of /playlists (playlists.h): which tracks each playlist
 * holds for its caller, the names of its folders, and the M3U8 text.
 * It reads the store through indexer/analysis/playlist_reads.h alone
 * and computes no similarity itself.
 */
#include "fs/playlists.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/array.h"
#include "common/bytes.h"
#include "common/log.h"
#include "common/strbuf.h"
#include "fs/caller.h"
#include "fs/node.h"
#include "fs/playlists_rel.h"
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

/* Text of one #EXTINF line: no line break within it. */
static void add_flat(struct strbuf *out, const char *s)
{
	for (; *s; s++)
		strbuf_addch(out, *s == '\n' || *s == '\r' ? ' ' : *s);
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
		add_flat(m->out, t->artist);
		strbuf_addstr(m->out, " - ");
	}
	add_flat(m->out, t->title);
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

int playlists_render_similar(struct strbuf *out, int64_t track)
{
	struct m3u m;

	m3u_begin(&m, out, SIMILAR_MAX + 1);
	m.first = 1;
	return done(&m, playlist_reads_similar(track, SIMILAR_MAX,
					   m.owner ? NULL : caller_may_read,
					   add_entry, &m));
}

int playlists_render_mix(struct strbuf *out, int64_t track)
{
	struct m3u m;

	m3u_begin(&m, out, SIMILAR_MAX + 1);
	m.first = m.mix = 1;
	return done(&m, playlist_reads_similar(track, PLAYLISTS_SIMILAR_POOL,
					   m.owner ? NULL : caller_may_read,
					   add_entry, &m));
}

/* The folders of named playlists. */
enum form {
	PLAYLISTS_SIMILAR,
	PLAYLISTS_MIX,
	PLAYLISTS_GENRE,
	PLAYLISTS_DECADE,
	PLAYLISTS_MPD,
};

static const char *const folders[] = {
	[PLAYLISTS_SIMILAR] = "similar",
	[PLAYLISTS_MIX] = "mix",
	[PLAYLISTS_GENRE] = "genre",
	[PLAYLISTS_DECADE] = "decade",
	[PLAYLISTS_MPD] = "mpd",
};

/* The form of the folder named by the len bytes at dir; -ENOENT. */
static int folder_form(const char *dir, size_t len)
{
	for (size_t i = 0; i < ARRAY_SIZE(folders); i++)
		if (strlen(folders[i]) == len && !memcmp(folders[i], dir, len))
			return (int)i;
	return -ENOENT;
}

/* Make the name at out->buf + start safe as a file name: '/' and control
 * characters as '_', a leading '.' as '_', at most PLAYLISTS_NAME_MAX
 * bytes, cut on a character's start. */
static void safe_name(struct strbuf *out, size_t start)
{
	for (size_t i = start; i < out->len; i++) {
		unsigned char c = out->buf[i];

		if (c < 0x20 || c == 0x7f || c == '/')
			out->buf[i] = '_';
	}
	if (out->buf[start] == '.')
		out->buf[start] = '_';
	if (out->len - start > PLAYLISTS_NAME_MAX) {
		size_t end = start + PLAYLISTS_NAME_MAX;

		while (end > start && ((unsigned char)out->buf[end] & 0xc0) ==
		       0x80)
			end--;
		out->len = end;
		out->buf[end] = '\0';
	}
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
	safe_name(&name, 0);
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
	safe_name(&name, 0);
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

/* The names of one kind of playlist the caller may see, each with the
 * number its node takes. */
struct names {
	struct name {
		char *text;
		int64_t key;
		char *path;	/* a track's, to check for the caller */
	} *v;
	size_t nr, alloc;
	int owner;
	/* The name looked up (len bytes, without extension); NULL when
	 * listing. */
	const char *want;
	size_t want_len;
};

/* Whether text may become the name looked up, numbered or not. */
static int wanted(const struct names *ns, const char *text)
{
	size_t len = strlen(text);

	if (!ns->want)
		return 1;
	if (len == ns->want_len)
		return !memcmp(text, ns->want, len);
	return ns->want_len > len + 2 && !memcmp(text, ns->want, len) &&
	       !memcmp(ns->want + len, " (", 2);
}

/* Take text (safe_name()d) as a name for key, of the track at path (or
 * NULL): its text is released. */
static int add_name(struct names *ns, struct strbuf *text, int64_t key,
		    const char *path)
{
	char *copy = NULL;
	struct name *v;

	if (!wanted(ns, text->buf)) {
		strbuf_release(text);
		return 0;
	}
	if (path && !ns->owner && !(copy = strdup(path))) {
		strbuf_release(text);
		return log_error(-ENOMEM, "playlists: out of memory");
	}
	v = array_grow(ns->v, ns->nr, &ns->alloc, sizeof(*v), 64);
	if (!v) {
		free(copy);
		strbuf_release(text);
		return log_error(-ENOMEM, "playlists: out of memory");
	}
	ns->v = v;
	ns->v[ns->nr].text = strbuf_detach(text, NULL);
	ns->v[ns->nr].path = copy;
	ns->v[ns->nr++].key = key;
	return 0;
}

static int add_track_name(void *arg, const struct playlist_track *t)
{
	struct names *ns = arg;
	struct strbuf name = STRBUF_INIT;

	if (strpbrk(t->path, "\n\r"))
		return 0;
	strbuf_addf(&name, "%s - %s", *t->artist ? t->artist :
		    "Unknown artist", t->title);
	safe_name(&name, 0);
	return add_name(ns, &name, t->track, t->path);
}

/* A genre or decade is named for a caller who may read one of its
 * tracks: the path of one in each folder is checked (names_readable()),
 * and the names met again dropped (names_settle()). */
static int add_genre_name(void *arg, const char *genre, int64_t track,
			  const char *path)
{
	struct strbuf name = STRBUF_INIT;

	strbuf_addstr(&name, genre);
	safe_name(&name, 0);
	return add_name(arg, &name, track, path);
}

static int add_decade_name(void *arg, int64_t decade, const char *path)
{
	struct strbuf name = STRBUF_INIT;

	strbuf_addf(&name, "%llds", (long long)decade);
	return add_name(arg, &name, decade, path);
}

static int read_similar(struct names *ns)
{
	return playlist_reads_analysed(add_track_name, ns);
}

static int read_genres(struct names *ns)
{
	return playlist_reads_genres(!ns->owner, add_genre_name, ns);
}

static int read_decades(struct names *ns)
{
	return playlist_reads_decades(add_decade_name, ns);
}

/*
 * The kinds of named playlists, by their folder's form: the prefix of
 * their names in mpd/, how their names are read, and whether two of one
 * name are numbered (tracks) or one (genres whose safe names meet).
 */
static const struct kind {
	const char *prefix;
	int (*read)(struct names *ns);
	int (*render)(struct strbuf *out, int64_t key);
	int numbered;
} kinds[] = {
	[PLAYLISTS_SIMILAR] = { "similar - ", read_similar,
				playlists_render_similar, 1 },
	[PLAYLISTS_MIX] = { "mix - ", read_similar, playlists_render_mix, 1 },
	[PLAYLISTS_GENRE] = { "genre - ", read_genres, playlists_render_genre,
			      0 },
	[PLAYLISTS_DECADE] = { "decade - ", read_decades,
			       playlists_render_decade, 0 },
};

static int by_name(const void *a, const void *b)
{
	const struct name *x = a, *y = b;
	int c = strcmp(x->text, y->text);

	if (c)
		return c;
	return (x->key > y->key) - (x->key < y->key);
}

static void names_release(struct names *ns)
{
	for (size_t i = 0; i < ns->nr; i++) {
		free(ns->v[i].text);
		free(ns->v[i].path);
	}
	free(ns->v);
}

/* Drop the tracks the caller may not read: one change of identity for
 * them all (caller_may_read_each()). */
static int names_readable(struct names *ns)
{
	char **paths = malloc((ns->nr ? ns->nr : 1) * sizeof(*paths));
	unsigned char *may = malloc(ns->nr ? ns->nr : 1);
	size_t n = 0, kept = 0;

	if (!paths || !may) {
		free(paths);
		free(may);
		return log_error(-ENOMEM, "playlists: out of memory");
	}
	for (size_t i = 0; i < ns->nr; i++)
		if (ns->v[i].path)
			paths[n++] = ns->v[i].path;
	caller_may_read_each(paths, n, may);
	for (size_t i = 0, j = 0; i < ns->nr; i++) {
		if (ns->v[i].path && !may[j++]) {
			free(ns->v[i].text);
			free(ns->v[i].path);
			continue;
		}
		ns->v[kept++] = ns->v[i];
	}
	ns->nr = kept;
	free(paths);
	free(may);
	return 0;
}

/* Number (" (2)", ...) or drop, as k says, the names after the first of
 * one name in ns (sorted); same is room for ns->nr counts. */
static void names_settle(struct names *ns, const struct kind *k,
			 size_t *same)
{
	struct strbuf name = STRBUF_INIT;
	size_t kept = 0;

	for (size_t i = 0; i < ns->nr; i++)
		same[i] = i && !strcmp(ns->v[i].text, ns->v[i - 1].text) ?
			  same[i - 1] + 1 : 1;
	for (size_t i = 0; i < ns->nr; i++) {
		if (same[i] > 1 && !k->numbered) {
			free(ns->v[i].text);
			free(ns->v[i].path);
			continue;
		}
		if (same[i] > 1) {
			strbuf_reset(&name);
			strbuf_addf(&name, "%s (%zu)", ns->v[i].text, same[i]);
			free(ns->v[i].text);
			ns->v[i].text = strbuf_detach(&name, NULL);
		}
		ns->v[kept++] = ns->v[i];
	}
	ns->nr = kept;
	strbuf_release(&name);
}

/* Read the names of kind k the caller may see, each made whole but for
 * its prefix and extension: all of them, or (want not NULL) those that
 * may be want, len bytes. */
static int names_read(struct names *ns, const struct kind *k,
		      const char *want, size_t len)
{
	size_t *same;
	int rc;

	*ns = (struct names){ .owner = caller_is_owner(), .want = want,
			      .want_len = len };
	rc = k->read(ns);
	if (!rc && !ns->owner)
		rc = names_readable(ns);
	same = rc ? NULL : malloc((ns->nr ? ns->nr : 1) * sizeof(*same));
	if (!rc && !same)
		rc = log_error(-ENOMEM, "playlists: out of memory");
	if (rc) {
		names_release(ns);
		return rc;
	}
	if (ns->nr)
		qsort(ns->v, ns->nr, sizeof(*ns->v), by_name);
	names_settle(ns, k, same);
	free(same);
	return 0;
}

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
	struct names ns;
	int rc = names_read(&ns, k, name, len);

	if (rc)
		return rc;
	rc = -ENOENT;
	for (size_t i = 0; rc && i < ns.nr; i++) {
		if (strlen(ns.v[i].text) == len &&
		    !memcmp(ns.v[i].text, name, len)) {
			*out = (struct node){ NODE_FILE,
					      .render_series = k->render,
					      .series = ns.v[i].key };
			rc = 0;
		}
	}
	names_release(&ns);
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
	struct names ns;
	struct node n;
	int rc = names_read(&ns, k, NULL, 0);

	for (size_t i = 0; !rc && i < ns.nr; i++) {
		n = (struct node){ NODE_FILE, .render_series = k->render,
				   .series = ns.v[i].key };
		strbuf_reset(&whole);
		strbuf_addf(&whole, "%s%s%s", prefix, ns.v[i].text, ext);
		rc = fn(whole.buf, &n, arg) ? 1 : 0;
	}
	strbuf_release(&whole);
	if (rc >= 0)
		names_release(&ns);
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
