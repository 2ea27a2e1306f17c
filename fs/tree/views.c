/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The library views (views.h): their paths, listings and real files; what
 * a folder holds is views_music.c's and views_manga.c's. */
#include "fs/tree/views.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/array.h"
#include "common/bytes.h"
#include "common/clock.h"
#include "common/hash.h"
#include "common/path.h"
#include "common/strbuf.h"
#include "fs/tree/caller.h"
#include "fs/tree/node.h"
#include "fs/tree/views_cache.h"
#include "fs/tree/views_manga.h"
#include "fs/tree/views_music.h"
#include "fs/tree/views_prefetch.h"
#include "fs/tree/views_real.h"
#include "fs/tree/views_statahead.h"
#include "indexer/indexer.h"
#include "indexer/reads.h"

/* The query views (search, similar) are last: their folders are named by
 * what the user asks, not by the store. */
enum view_kind { VIEW_MUSIC, VIEW_MANGA, VIEW_SEARCH, VIEW_SIMILAR };

static const struct view {
	const char *root;
	enum view_kind kind;
	enum query_level levels[3];
	int depth;		/* folder levels above the files */
} views[] = {
	{ "/library/music/artists", VIEW_MUSIC,
	  { QUERY_BY_ARTIST, QUERY_BY_ALBUM_YEAR }, 2 },
	{ "/library/music/albums", VIEW_MUSIC, { QUERY_BY_ALBUM_ARTIST }, 1 },
	{ "/library/music/genres", VIEW_MUSIC,
	  { QUERY_BY_GENRE, QUERY_BY_ARTIST, QUERY_BY_ALBUM_YEAR }, 3 },
	{ "/library/music/years", VIEW_MUSIC,
	  { QUERY_BY_YEAR, QUERY_BY_ARTIST_ALBUM }, 2 },
	{ "/library/manga", VIEW_MANGA, { 0 }, 2 },
	{ "/search", VIEW_SEARCH, { 0 }, 1 },
	{ "/similar", VIEW_SIMILAR, { 0 }, 1 },
};

#define NR_VIEWS (ARRAY_SIZE(views))

/* Tracks of a folder checked before all of them are. */
#define GROUP_FIRST 16

static int file_readable(const char *path);

/* Fill ls, a folder depth levels below view v's own; last is the folder's
 * own name (the query, for a search). */
static int build(struct views_listing *ls, const struct view *v, int depth,
		 const char *last)
{
	int (*may)(const char *path) = caller_is_owner() ? NULL : file_readable;

	switch (v->kind) {
	case VIEW_MUSIC:
		return views_music_build(ls, v->levels, v->depth, depth);
	case VIEW_MANGA:
		return views_manga_build(ls, depth);
	case VIEW_SIMILAR:
		return depth ? views_music_similar(ls, last, may) : 0;
	default:
		return depth ? views_music_search(ls, last, may) : 0;
	}
}

/* A folder's queries (its entries, its cover) read one snapshot of the
 * store, which costs one lock of it rather than one per query. */
static int build_snapshot(struct views_listing *ls, const struct view *v,
			  int depth)
{
	int rc = query_begin();

	if (rc)
		return rc;
	rc = build(ls, v, depth, strrchr(ls->path, '/') + 1);
	query_end();
	return rc;
}

/* A view owns its folder and everything below it, never a sibling that
 * only starts with its name. */
static const struct view *view_of(const char *path, const char **rest)
{
	for (size_t i = 0; i < NR_VIEWS; i++) {
		if (path_under(path, views[i].root)) {
			*rest = path + strlen(views[i].root);
			return &views[i];
		}
	}
	return NULL;
}

int views_owns(const char *path)
{
	const char *rest;

	return view_of(path, &rest) != NULL;
}

/* How many names follow the view's own folder in rest ("/a/b" is 2). */
static int depth_of(const char *rest)
{
	int d = 0;

	for (; *rest; rest++)
		d += *rest == '/';
	return d;
}

static int get_listing(const struct view *v, const char *path, size_t len,
		       int depth, struct views_listing **out);

/* Take the keys of the folder named by path's last name from its parent:
 * they select what ls holds. */
static int inherit_keys(struct views_listing *ls, const struct view *v,
			const char *path, size_t len, int depth)
{
	const char *slash = memrchr(path, '/', len);
	const struct views_entry *e;
	struct views_listing *parent;
	const struct views_item *it;
	char *name;
	int rc;

	rc = get_listing(v, path, slash - path, depth - 1, &parent);
	if (rc)
		return rc;
	name = strndup(slash + 1, len - (slash + 1 - path));
	if (!name)
		return -ENOMEM;
	e = views_list_find(&parent->names, name);
	free(name);
	if (!e)
		return -ENOENT;
	it = &parent->items[e->index];
	if (it->type != VIEWS_ITEM_DIR)
		return -ENOTDIR;
	for (int i = 0; i < parent->nchain; i++)
		if (query_key_copy(&ls->chain[ls->nchain++], &parent->chain[i]))
			return -ENOMEM;
	for (int k = 0; k < it->nkeys; k++)
		if (query_key_copy(&ls->chain[ls->nchain++], &it->key[k]))
			return -ENOMEM;
	return 0;
}

/* Whom the folder depth levels below v's own is made for: names are told
 * apart and /search and /similar rank among what the caller may see alone,
 * so none tells of what it may not. The owner's, and a music view's folders
 * of folders (made from the whole library), are made once for all. */
static uint64_t listing_who(const struct view *v, int depth)
{
	return caller_is_owner() || (v->kind == VIEW_MUSIC &&
				     depth < v->depth) ? 0 : caller_who();
}

/* A walk of the tree goes deep before it comes back up: keep a folder's
 * ancestors as fresh in the cache as the folder itself, or the wide ones
 * near the top would be made again for every few folders below them. */
static void touch_ancestors(const struct view *v, const char *path,
			    size_t len, int depth)
{
	while (depth-- > 0) {
		len = (const char *)memrchr(path, '/', len) - path;
		views_cache_find(path, len, listing_who(v, depth));
	}
}

static int may_see(const struct view *v, const struct views_listing *ls,
		   int depth, const struct views_item *it);

/* Of a folder made for one caller, keep what it may see alone, before
 * the names are told apart. */
static int keep_visible(const struct view *v, struct views_listing *ls,
			int depth)
{
	unsigned char *keep = malloc(ls->nr ? ls->nr : 1);

	if (!keep)
		return -ENOMEM;
	for (size_t i = 0; i < ls->nr; i++)
		keep[i] = may_see(v, ls, depth, &ls->items[i]);
	views_listing_keep(ls, keep);
	free(keep);
	return 0;
}

/* The listing of the folder at the len bytes of path, depth levels below
 * view v's own, from the cache or made (its parents too) and cached.
 * Called with the cache's lock held, which it lets go while it makes one:
 * the queries take the time, and other threads find other folders in the
 * cache meanwhile. */
static int get_listing(const struct view *v, const char *path, size_t len,
		       int depth, struct views_listing **out)
{
	uint64_t who = listing_who(v, depth);
	struct views_listing *ls;
	int rc = 0;

	while (!(ls = views_cache_find(path, len, who)) &&
	       views_cache_wait(path, len, who))
		;
	*out = ls;
	if (ls) {
		touch_ancestors(v, path, len, depth);
		return 0;
	}
	if (depth > v->depth)
		return -ENOTDIR;
	ls = views_cache_begin(path, len, who);
	if (!ls)
		return -ENOMEM;
	if (depth > 0 && v->kind < VIEW_SEARCH)
		rc = inherit_keys(ls, v, path, len, depth);
	if (!rc) {
		views_cache_unlock();
		rc = build_snapshot(ls, v, depth);
		if (!rc && who)
			rc = keep_visible(v, ls, depth);
		if (!rc)
			rc = views_list_settle(&ls->names);
		views_cache_lock();
	}
	views_cache_finish(ls, rc);
	if (!rc)
		*out = ls;
	return rc;
}

/* What the prefetcher makes, under the cache's lock. */
static void prefetch_make(const char *path)
{
	struct views_listing *ls;
	const struct view *v;
	const char *rest;

	views_cache_check();
	v = view_of(path, &rest);
	if (v && !get_listing(v, path, strlen(path), depth_of(rest), &ls))
		views_statahead_listing(ls);
}

void views_stop(void)
{
	views_prefetch_stop();
	views_statahead_stop();
}

/* A missing volume is an empty file: there is nothing to read. */
static int render_nothing(struct strbuf *out)
{
	(void)out;
	return 0;
}

/* Only files carry what fs.c needs (the files.id); folders are resolved
 * again from their path. */
static void item_node(const struct views_item *it, struct node *out)
{
	static const struct node empty_file = {
		NODE_FILE, .render = render_nothing, .empty = 1,
	};

	switch (it->type) {
	case VIEWS_ITEM_DIR:
		*out = (struct node){ .type = NODE_DIR, .dynamic = 1 };
		break;
	case VIEWS_ITEM_FILE:
		*out = (struct node){ .type = NODE_REAL, .file = it->file };
		break;
	default:
		*out = empty_file;
	}
}

/* The music views: each of a track's names (node.h). */
static int music_views(void)
{
	int nr = 0;

	for (size_t i = 0; i < NR_VIEWS; i++)
		nr += views[i].kind == VIEW_MUSIC;
	return nr;
}

/* Keep where a track is for views_real_stat() and views_real_open(). A
 * track or a cover of view v found by a music view or a query has a name
 * in each music view. */
static void resolved(const struct view *v, const struct views_item *it,
		     struct node *out)
{
	item_node(it, out);
	if (v->kind != VIEW_MANGA && out->type == NODE_REAL && out->file)
		out->names = music_views();
	views_real_remember(it->file, it->real);
}

static int visible(const struct view *v, struct views_listing *ls,
		   int depth, size_t i);

/*
 * Whether this thread's caller may see each folder of path between music
 * view v's own (rest is what follows it) and its last name: an entry of
 * a folder it may not see (a cover in an album whose tracks it may not
 * read) is not there for it either. Called with the cache's lock held.
 */
static int ancestors_visible(const struct view *v, const char *path,
			     const char *rest)
{
	const char *name = rest + 1, *end;
	struct views_listing *ls;
	int depth = 0, may = 1;

	while (may && (end = strchr(name, '/'))) {
		char *one = strndup(name, end - name);
		const struct views_entry *e;

		may = one && !get_listing(v, path, name - 1 - path, depth,
					  &ls) &&
		      (e = views_list_find(&ls->names, one)) &&
		      visible(v, ls, depth, e->index);
		free(one);
		name = end + 1;
		depth++;
	}
	return may;
}

int views_resolve(const char *path, struct node *out)
{
	const char *rest, *slash;
	const struct view *v = view_of(path, &rest);
	const struct views_entry *e;
	struct views_listing *parent;
	int depth, rc;

	if (!v)
		return -ENOENT;
	depth = depth_of(rest);
	if (!depth || (v->kind >= VIEW_SEARCH && depth == 1)) {
		*out = (struct node){ .type = NODE_DIR, .dynamic = 1 };
		return 0;
	}
	slash = strrchr(path, '/');
	views_cache_lock();
	views_cache_check();
	/* The ancestors first: making their listings may drop the parent's
	 * from the cache. */
	if (v->kind == VIEW_MUSIC && !caller_is_owner() &&
	    !ancestors_visible(v, path, rest))
		rc = -ENOENT;
	else
		rc = get_listing(v, path, slash - path, depth - 1, &parent);
	if (!rc) {
		e = views_list_find(&parent->names, slash + 1);
		if (e && visible(v, parent, depth - 1, e->index))
			resolved(v, &parent->items[e->index], out);
		else
			rc = -ENOENT;
	}
	views_cache_unlock();
	return rc == -ENOTDIR ? -ENOENT : rc;
}

/* Whether the caller may list the folder of the file at path and read
 * the file: what it may not read, it sees no tag of. */
static int file_readable(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *dir;
	int may;

	if (!slash || slash == path)
		return 0;
	dir = strndup(path, slash - path);
	if (!dir)
		return 0;
	may = caller_may_list(dir) && caller_may_read(path);
	free(dir);
	return may;
}

/* The same for a file known by its files.id (negated: a track's picture,
 * which shows what the track may). */
static int id_readable(int64_t file)
{
	struct strbuf path = STRBUF_INIT;
	int may = !views_real_path(file < 0 ? -file : file, &path) &&
		  file_readable(path.buf);

	strbuf_release(&path);
	return may;
}

int views_series_listable(int64_t series)
{
	struct strbuf path = STRBUF_INIT;
	int may = !query_series_folder(series, &path) &&
		  caller_may_list(path.buf);

	strbuf_release(&path);
	return may;
}

/* The paths of a few, or all, of the tracks below a folder. */
struct paths {
	char **v;
	size_t nr, alloc, max;
};

/* Keep p (malloc'd, or NULL for no memory), which ps then owns. */
static int paths_add(struct paths *ps, char *p)
{
	char **v = p ? array_grow(ps->v, ps->nr, &ps->alloc, sizeof(*v),
				  GROUP_FIRST) : NULL;

	if (!v) {
		free(p);
		return -ENOMEM;
	}
	ps->v = v;
	ps->v[ps->nr++] = p;
	return 0;
}

static int keep_path(void *arg, const struct query_track *t)
{
	struct paths *ps = arg;
	char *p;

	if (ps->nr == ps->max)
		return -E2BIG;
	if (asprintf(&p, "%s/%.*s", t->root, (int)t->path_len, t->path) < 0)
		return -ENOMEM;
	return paths_add(ps, p);
}

static void paths_clear(struct paths *ps)
{
	for (size_t i = 0; i < ps->nr; i++)
		free(ps->v[i]);
	free(ps->v);
	*ps = (struct paths){ .max = ps->max };
}

/*
 * Whether the caller may read a track below the folder of a music view
 * that it (an entry of ls, depth levels below the view's own) stands for:
 * a folder named after a tag shows only where a file the caller may read
 * carries that tag. The paths are read in one snapshot of the store and
 * checked after it (never while the store is read): the first
 * GROUP_FIRST, which mostly decide, then all when none of them does.
 */
static int group_readable(const struct view *v,
			  const struct views_listing *ls, int depth,
			  const struct views_item *it)
{
	struct query_key keys[VIEWS_MAX_KEYS + 2];
	struct query_at at = { v->levels, depth + 1, keys, 0 };
	struct paths ps = { .max = GROUP_FIRST };
	size_t from = 0;
	int rc, may = 0;

	for (int i = 0; i < ls->nchain; i++)
		keys[at.nkeys++] = ls->chain[i];
	for (int k = 0; k < it->nkeys; k++)
		keys[at.nkeys++] = it->key[k];
	for (;;) {
		rc = query_begin();
		if (!rc) {
			rc = query_view_tracks(&at, keep_path, &ps);
			query_end();
		}
		for (size_t i = from; !may && (!rc || rc == -E2BIG) &&
		     i < ps.nr; i++)
			may = file_readable(ps.v[i]);
		if (may || rc != -E2BIG || ps.max == SIZE_MAX)
			break;
		from = ps.nr;
		paths_clear(&ps);
		ps.max = SIZE_MAX;
	}
	paths_clear(&ps);
	return may;
}

/*
 * Whether this thread's caller, not the owner, may see it, an entry of
 * ls, a folder depth levels below view v's own: a file it may read in a
 * folder it may list; a folder named after a tag that some such file
 * carries; a series, and all in it, whose folder it may list.
 */
static int may_see(const struct view *v, const struct views_listing *ls,
		   int depth, const struct views_item *it)
{
	if (ls->anchor && !file_readable(ls->anchor))
		return 0;
	if (v->kind == VIEW_MANGA &&
	    !views_series_listable(depth ? ls->chain[0].n : it->key[0].n))
		return 0;
	switch (it->type) {
	case VIEWS_ITEM_FILE:
		return it->real ? file_readable(it->real) :
			id_readable(it->file);
	case VIEWS_ITEM_DIR:
		if (it->file_decides)
			return id_readable(it->file);
		return v->kind != VIEW_MUSIC ||
			group_readable(v, ls, depth, it);
	default:
		return 1;
	}
}

/*
 * Where the file that decides whether item it of a listing shows is on
 * disk, into *out (malloc'd): a file's own, or one track's of a tag
 * folder. 0 when none decides (visible), -ENOENT when its row is gone.
 */
static int deciding_path(const struct views_item *it, char **out)
{
	struct strbuf path = STRBUF_INIT;
	int rc;

	*out = NULL;
	if (it->type == VIEWS_ITEM_FILE && it->real) {
		*out = strdup(it->real);
		return *out ? 0 : -ENOMEM;
	}
	if (it->type != VIEWS_ITEM_FILE &&
	    (it->type != VIEWS_ITEM_DIR || !it->file))
		return 0;
	rc = views_real_path(it->file < 0 ? -it->file : it->file, &path);
	if (!rc)
		*out = strbuf_detach(&path, NULL);
	strbuf_release(&path);
	return rc;
}

/*
 * Judge at once every entry of ls (a folder depth levels below view v's
 * own, not of /library/manga) that s holds no verdict on: the paths that
 * decide are read in one snapshot of the store and checked after it with
 * one change of identity; a tag folder whose one track the caller may not
 * read is looked into further (group_readable()). Entries it could not
 * judge (no memory) are left to visible().
 */
static void judge_all(const struct view *v, struct views_listing *ls,
		      int depth, struct views_seen *s)
{
	struct paths ps = { .max = SIZE_MAX };
	unsigned char *may = NULL;
	size_t *which;
	int rc, began;

	if (ls->anchor && !file_readable(ls->anchor)) {
		memset(s->verdict, VIEWS_HIDDEN, ls->nr);
		return;
	}
	which = malloc((ls->nr ? ls->nr : 1) * sizeof(*which));
	rc = which ? query_begin() : -ENOMEM;
	began = !rc;

	for (size_t i = 0; !rc && i < ls->nr; i++) {
		char *p;

		if (s->verdict[i])
			continue;
		rc = deciding_path(&ls->items[i], &p);
		if (rc == -ENOENT)
			s->verdict[i] = VIEWS_HIDDEN;
		else if (!rc && !p)
			s->verdict[i] = VIEWS_SHOWN;
		else if (!rc && !(rc = paths_add(&ps, p)))
			which[ps.nr - 1] = i;
		rc = rc == -ENOENT ? 0 : rc;
	}
	if (began)
		query_end();
	may = rc ? NULL : calloc(ps.nr ? ps.nr : 1, 1);
	if (may)
		caller_may_read_each(ps.v, ps.nr, may);
	for (size_t k = 0; may && k < ps.nr; k++) {
		const struct views_item *it = &ls->items[which[k]];
		int shown = may[k] || (it->type == VIEWS_ITEM_DIR &&
				       !it->file_decides &&
				       group_readable(v, ls, depth, it));

		s->verdict[which[k]] = shown ? VIEWS_SHOWN : VIEWS_HIDDEN;
	}
	free(may);
	free(which);
	paths_clear(&ps);
}

/* The verdicts kept on ls for this thread's caller, made anew when older
 * than CALLER_KEEP_S (rights on disk change without the store moving);
 * NULL when there is no memory for them. */
static struct views_seen *seen_of(struct views_listing *ls)
{
	uint64_t who = caller_who();
	double now = clock_mono();
	struct views_seen *s = &ls->seen[0];

	for (int i = 0; i < VIEWS_SEEN; i++) {
		if (ls->seen[i].who == who && ls->seen[i].verdict) {
			s = &ls->seen[i];
			break;
		}
		if (!ls->seen[i].verdict ||
		    (s->verdict && ls->seen[i].at < s->at))
			s = &ls->seen[i];
	}
	if (s->verdict && s->who == who && now - s->at < CALLER_KEEP_S)
		return s;
	free(s->verdict);
	s->verdict = calloc(ls->nr ? ls->nr : 1, 1);
	s->who = who;
	s->at = now;
	return s->verdict ? s : NULL;
}

/* Whether this thread's caller may see the entry i of ls (its index in
 * ls->items), a folder depth levels below view v's own; the owner sees all,
 * a caller all of a folder made for it. Called with the cache's lock held. */
static int visible(const struct view *v, struct views_listing *ls,
		   int depth, size_t i)
{
	struct views_seen *s;

	if (caller_is_owner() || ls->who)
		return 1;
	s = seen_of(ls);
	if (!s)
		return may_see(v, ls, depth, &ls->items[i]);
	if (!s->verdict[i])
		s->verdict[i] = may_see(v, ls, depth, &ls->items[i]) ?
				VIEWS_SHOWN : VIEWS_HIDDEN;
	return s->verdict[i] == VIEWS_SHOWN;
}

/* views_list(), which a walk goes on from (ahead: its next folders made
 * and its files stated ahead), or a stat() that only counts the names. */
static int list_names(const char *path,
		      int (*fn)(const char *name, const struct node *child,
				void *arg),
		      void *arg, int ahead)
{
	const char *rest;
	const struct view *v = view_of(path, &rest);
	struct views_listing *ls;
	struct views_seen *seen;
	int depth;
	int rc;

	if (!v)
		return -ENOENT;
	depth = depth_of(rest);
	views_cache_lock();
	views_cache_check();
	rc = get_listing(v, path, strlen(path), depth, &ls);
	if (!rc && ahead)
		views_statahead_listing(ls);
	if (!rc && ahead && v->kind < VIEW_SEARCH && !ls->who)
		views_prefetch_next(ls, depth, v->depth, prefetch_make);
	if (!rc && v->kind != VIEW_MANGA && !caller_is_owner() && !ls->who &&
	    (seen = seen_of(ls)))
		judge_all(v, ls, depth, seen);
	for (size_t i = 0; !rc && i < ls->names.nr; i++) {
		size_t k = ls->names.v[i].index;
		struct node n;

		if (!visible(v, ls, depth, k))
			continue;
		item_node(&ls->items[k], &n);
		if (fn(ls->names.v[i].name, &n, arg))
			break;
	}
	views_cache_unlock();
	return rc;
}

int views_list(const char *path,
	       int (*fn)(const char *name, const struct node *child,
			 void *arg),
	       void *arg)
{
	return list_names(path, fn, arg, 1);
}

static int hash_name(const char *name, const struct node *child,
		     void *arg)
{
	uint64_t *names = arg;

	(void)child;
	*names = hash_add_bytes(*names, name, strlen(name) + 1);
	return 0;
}

int views_names_hash(const char *path, uint64_t *names)
{
	*names = HASH_INIT;
	return list_names(path, hash_name, names, 0);
}

void views_retired(void (*fn)(const char *path, void *arg), void *arg)
{
	struct views_listing *gone[VIEWS_CACHE_SLOTS];
	struct strbuf path = STRBUF_INIT;
	size_t nr;

	views_cache_lock();
	nr = views_cache_retired(gone);
	views_cache_unlock();
	for (size_t i = 0; i < nr; i++) {
		struct views_listing *ls = gone[i];

		fn(ls->path, arg);
		for (size_t k = 0; k < ls->names.nr; k++) {
			strbuf_reset(&path);
			strbuf_addf(&path, "%s/%s", ls->path,
				    ls->names.v[k].name);
			fn(path.buf, arg);
		}
		views_listing_free(ls);
	}
	strbuf_release(&path);
}

/* What the caller may read counts, unless it is the owner, who may read
 * all. */
int views_track_attrs_held(int64_t file, const char *name, char *buf,
			   size_t size)
{
	int (*may)(const char *path) = caller_is_owner() ? NULL :
		file_readable;

	return name ? track_attrs_get(file, name, may, buf, size) :
		track_attrs_list(file, may, buf, size);
}

int views_track_record_held(int64_t file, char *buf, size_t size)
{
	return track_attrs_all(file, caller_is_owner() ? NULL : file_readable,
			       buf, size);
}

int views_track_attrs(struct fuse_req *req, int64_t file, const char *name,
		      char *buf, size_t size)
{
	int rc;

	caller_begin(req);
	rc = views_track_attrs_held(file, name, buf, size);
	caller_end();
	return rc;
}
