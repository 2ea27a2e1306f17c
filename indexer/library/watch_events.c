/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The watcher thread: inotify events read, each turned into the path it
 * touched (a rename's two ends paired by their cookie, what moved away
 * remembered for scans, a folder's moved_from waiting for its moved_to
 * until its move_self comes or a window ends), gathered for a window and
 * handed to the scanner in one batch, or to the repair's links for the
 * Real-Debrid library folders; a folder where renames go on kept for the
 * window after them; the directories without a watch polled on a timer.
 * It reads no event from the kernel (watch_queue.c does) and adds no
 * watch (watch_map.c does).
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/bytes.h"
#include "common/clock.h"
#include "common/log.h"
#include "common/path.h"
#include "common/strbuf.h"
#include "indexer/library/watch_private.h"

/* How long watch_settle() waits for the watcher, which a loaded machine
 * may keep from running for a while. */
#define SETTLE_WAIT_S 10

/* Join a directory and a name into a root-relative path. */
static void join(struct strbuf *out, const char *dir, const char *name)
{
	strbuf_reset(out);
	if (*dir) {
		strbuf_addstr(out, dir);
		strbuf_addch(out, '/');
	}
	strbuf_addstr(out, name);
}

/* Note a path for this window's scan, by a rename (move) or another
 * event. A burst of events repeats paths; only an immediate repeat is
 * folded here, watch_flush() folds the rest once the list is sorted, so a
 * large burst costs no quadratic search. */
static void touch(size_t root, const char *rel, double at, int move)
{
	struct watch_place *last = watch_wt.touched.nr ?
		&watch_wt.touched.v[watch_wt.touched.nr - 1] : NULL;

	if (!watch_wt.window_start)
		watch_wt.window_start = at;
	if (!last || last->root != root || strcmp(last->rel, rel)) {
		if (watch_list_add(&watch_wt.touched, root, rel, strlen(rel)))
			return;
		last = &watch_wt.touched.v[watch_wt.touched.nr - 1];
		last->at = at;
	}
	last->moves += move;
}

/* The closest directory holding both paths, which a rescan must cover for
 * the scanner to see both ends of a rename and keep the file's id. */
static void common_dir(const char *a, const char *b, struct strbuf *out)
{
	size_t n = 0, i;

	for (i = 0; a[i] && a[i] == b[i]; i++)
		if (a[i] == '/')
			n = i;
	if ((!a[i] && b[i] == '/') || (!b[i] && a[i] == '/'))
		n = i;
	strbuf_reset(out);
	strbuf_add(out, a, n);
}

static void moved_to(size_t root, const char *to, uint32_t cookie,
		     int isdir, double at)
{
	struct strbuf dir = STRBUF_INIT;

	for (size_t i = 0; i < watch_wt.moves.nr; i++) {
		struct watch_place *from = &watch_wt.moves.v[i];

		if (from->cookie != cookie)
			continue;
		if (isdir) {
			pthread_mutex_lock(&watch_wt.lock);
			watch_map_move(from->root, from->rel, root, to);
			pthread_mutex_unlock(&watch_wt.lock);
		}
		if (from->root == root) {
			common_dir(from->rel, to, &dir);
			touch(root, dir.buf, from->at, 1);
		} else {
			touch(from->root, from->rel, from->at, 1);
			touch(root, to, at, 1);
		}
		watch_list_del(&watch_wt.moves, i);
		strbuf_release(&dir);
		return;
	}
	touch(root, to, at, 1);
}

/* A created file is scanned when its writer closes it; what is complete
 * at creation (a directory, a symlink, a hard link) is scanned now. */
static int complete_at_creation(const char *root, const char *rel)
{
	struct strbuf path = STRBUF_INIT;
	struct stat st;
	int done;

	strbuf_addf(&path, "%s/%s", root, rel);
	done = !lstat(path.buf, &st) &&
		(S_ISLNK(st.st_mode) || st.st_nlink > 1);
	strbuf_release(&path);
	return done;
}

static int is_symlink(const char *root, const char *rel)
{
	struct strbuf path = STRBUF_INIT;
	struct stat st;
	int link;

	strbuf_addf(&path, "%s/%s", root, rel);
	link = !lstat(path.buf, &st) && S_ISLNK(st.st_mode);
	strbuf_release(&path);
	return link;
}

static enum watch_kind event_kind(uint32_t mask)
{
	static const struct {
		uint32_t mask;
		enum watch_kind kind;
	} kinds[] = {
		{ IN_Q_OVERFLOW, WATCH_OVERFLOW },
		{ IN_CREATE, WATCH_CREATE },
		{ IN_CLOSE_WRITE, WATCH_CLOSE_WRITE },
		{ IN_DELETE, WATCH_DELETE },
		{ IN_MOVED_FROM, WATCH_MOVED_FROM },
		{ IN_MOVED_TO, WATCH_MOVED_TO },
		{ IN_DELETE_SELF, WATCH_DELETE_SELF },
		{ IN_MOVE_SELF, WATCH_MOVE_SELF },
	};

	for (size_t i = 0; i < ARRAY_SIZE(kinds); i++)
		if (mask & kinds[i].mask)
			return kinds[i].kind;
	return WATCH_ATTRIB;
}

/* Keep what moved away for watch_moved_since(); the oldest record gives
 * way to the newest. */
static void moved_away(size_t root, const char *rel, double at)
{
	char *copy = strdup(rel);
	struct watch_place *p;

	if (!copy) {
		log_error(-ENOMEM, "watch: out of memory");
		return;
	}
	pthread_mutex_lock(&watch_wt.lock);
	p = &watch_wt.gone[watch_wt.gone_next++ % MOVES_KEPT];
	if (p->rel) {
		watch_wt.gone_lost_at = p->at;
		free(p->rel);
	}
	p->root = root;
	p->rel = copy;
	p->at = at;
	pthread_mutex_unlock(&watch_wt.lock);
}

int watch_moved_since(size_t root, const char *rel, double since)
{
	double newest;
	int moved;

	if (!__atomic_load_n(&watch_wt.running, __ATOMIC_ACQUIRE))
		return 0;
	pthread_mutex_lock(&watch_wt.lock);
	/* a record written over may have named it */
	moved = watch_wt.gone_lost_at >= since;
	/* none since: the usual answer, for each file a deletion took */
	newest = watch_wt.gone_next ?
		watch_wt.gone[(watch_wt.gone_next - 1) % MOVES_KEPT].at : -1;
	for (size_t i = 0; !moved && newest >= since && i < MOVES_KEPT; i++) {
		const struct watch_place *p = &watch_wt.gone[i];

		moved = p->rel && p->at >= since && p->root == root &&
			path_under(rel, p->rel);
	}
	pthread_mutex_unlock(&watch_wt.lock);
	return moved;
}

void watch_settle(const char *path)
{
	struct timespec until;
	unsigned long ask;

	if (!__atomic_load_n(&watch_wt.running, __ATOMIC_ACQUIRE) ||
	    pthread_equal(pthread_self(), watch_wt.thread))
		return;
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += SETTLE_WAIT_S;
	pthread_mutex_lock(&watch_wt.lock);
	ask = ++watch_wt.settle_asked;
	/* asks the watcher has not taken yet share one scope: the first's,
	 * or everything when they differ (or a copy cannot be made) */
	if (!watch_wt.settle_scoped) {
		watch_wt.settle_scope = path ? strdup(path) : NULL;
		watch_wt.settle_scoped = 1;
	} else if (watch_wt.settle_scope &&
		   (!path || strcmp(watch_wt.settle_scope, path))) {
		free(watch_wt.settle_scope);
		watch_wt.settle_scope = NULL;
	}
	pthread_mutex_unlock(&watch_wt.lock);
	watch_wake();
	pthread_mutex_lock(&watch_wt.lock);
	while ((long)(watch_wt.settle_done - ask) < 0 &&
	       __atomic_load_n(&watch_wt.running, __ATOMIC_ACQUIRE))
		if (pthread_cond_timedwait(&watch_wt.settled, &watch_wt.lock,
					   &until) == ETIMEDOUT)
			break;
	if ((long)(watch_wt.settle_done - ask) < 0)
		log_warn("watch: the watcher did not answer within %d s: the"
			 " rescan may leave a change to its own scan",
			 SETTLE_WAIT_S);
	pthread_mutex_unlock(&watch_wt.lock);
}

/* Answer the asks of watch_settle() up to ask. */
static void settled(unsigned long ask)
{
	pthread_mutex_lock(&watch_wt.lock);
	watch_wt.settle_done = ask;
	pthread_cond_broadcast(&watch_wt.settled);
	pthread_mutex_unlock(&watch_wt.lock);
}

/*
 * The kernel's queue of instance overflowed: what it lost may be
 * anywhere in the roots its watches lie in, each rescanned whole at the
 * window's end (the library folders' links all looked at); the other
 * roots lost nothing. Called under the lock, which it lets go.
 */
static void overflowed(size_t instance, double now)
{
	size_t n = watch_wt.nr_roots + watch_wt.nr_libs;
	unsigned char *mark = calloc(n ? n : 1, 1);

	if (!mark) {
		pthread_mutex_unlock(&watch_wt.lock);
		log_error(-ENOMEM, "watch: out of memory: an overflow's"
			  " roots are not rescanned");
		return;
	}
	for (size_t r = 0; r < n; r++)
		mark[r] = watch_queue_instance(r) == instance;
	watch_map_roots_of(instance, mark);
	pthread_mutex_unlock(&watch_wt.lock);
	for (size_t r = 0; r < n; r++) {
		if (!mark[r])
			continue;
		log_warn("watch: inotify queue overflowed; rescanning %s",
			 watch_root_path(r));
		if (r < watch_wt.nr_roots)
			touch(r, "", now, 0);
		else
			watch_wt.overflowed = 1;
	}
	free(mark);
	if (!watch_wt.window_start)
		watch_wt.window_start = now;
}

/*
 * Whether the move p may end now. The kernel queues a rename's
 * moved_from, its moved_to, then the renamed folder's own move_self,
 * one after the other, and a read between them (a renamer preempted
 * mid-rename, as in a storm on a loaded machine) gives the moved_from
 * alone: taking the folder for moved out would remove its watch, and
 * lose its own events (its move_self, and what changes in it until a
 * rescan watches it again). So a folder's move waits for its move_self
 * (self_moved()), after which its moved_to, if it has one in the same
 * root, has been read; without it, for one window (wait: this is the
 * window's end). A file has no watch to lose.
 */
static int move_due(struct watch_place *p, int wait)
{
	if (!p->isdir || p->moves)
		return 1;
	p->moves = wait;
	return 0;
}

/* The watched folder w was renamed or moved: the move of it that waits
 * may end. */
static void self_moved(const struct watch_place *w)
{
	for (size_t i = 0; i < watch_wt.moves.nr; i++) {
		struct watch_place *p = &watch_wt.moves.v[i];

		if (p->isdir && p->root == w->root && !strcmp(p->rel, w->rel))
			p->moves = 1;
	}
}

/* The path of the event watch_event() handles; the watcher thread's. */
static struct strbuf event_path = STRBUF_INIT;

void watch_event(const struct inotify_event *ev, double now)
{
	enum watch_kind kind = event_kind(ev->mask);
	int isdir = !!(ev->mask & IN_ISDIR);
	const struct watch_place *watched;
	struct strbuf *path = &event_path;
	const char *top;
	size_t root;

	pthread_mutex_lock(&watch_wt.lock);
	if (ev->mask & IN_IGNORED) {
		watch_map_drop(ev->wd);
		pthread_mutex_unlock(&watch_wt.lock);
		return;
	}
	watch_wt.st.events++;
	watch_wt.st.by_kind[kind]++;
	watch_wt.st.last_event_at = clock_wall();
	if (kind == WATCH_OVERFLOW) {
		watch_wt.st.overflows++;
		watch_wt.lost_at = now;
		overflowed(watch_queue_overflowed(ev), now);
		return;
	}
	watched = watch_map_get(ev->wd);
	if (watched && kind == WATCH_MOVE_SELF)
		self_moved(watched);
	if (!watched || !ev->len) {
		pthread_mutex_unlock(&watch_wt.lock);
		return;
	}
	root = watched->root;
	join(path, watched->rel, ev->name);
	pthread_mutex_unlock(&watch_wt.lock);
	top = watch_root_path(root);

	switch (kind) {
	case WATCH_CREATE:
		if (isdir || complete_at_creation(top, path->buf))
			touch(root, path->buf, now, 0);
		break;
	case WATCH_CLOSE_WRITE:
	case WATCH_DELETE:
		touch(root, path->buf, now, 0);
		break;
	case WATCH_ATTRIB:
		if (is_symlink(top, path->buf))
			touch(root, path->buf, now, 0);
		break;
	case WATCH_MOVED_FROM:
		moved_away(root, path->buf, now);
		if (!watch_list_add(&watch_wt.moves, root, path->buf,
				    path->len)) {
			watch_wt.moves.v[watch_wt.moves.nr - 1].cookie =
				ev->cookie;
			watch_wt.moves.v[watch_wt.moves.nr - 1].isdir = isdir;
			watch_wt.moves.v[watch_wt.moves.nr - 1].at = now;
		}
		if (!watch_wt.window_start)
			watch_wt.window_start = now;
		break;
	case WATCH_MOVED_TO:
		moved_to(root, path->buf, ev->cookie, isdir, now);
		break;
	default:
		break;
	}
}

/* Order by root and path, and equal paths by when they were seen, so the
 * one submit() keeps carries the earliest time. */
static int cmp_place(const void *a, const void *b)
{
	const struct watch_place *x = a, *y = b;
	int c;

	if (x->root != y->root)
		return x->root < y->root ? -1 : 1;
	c = strcmp(x->rel, y->rel);
	if (c)
		return c;
	return (x->at > y->at) - (x->at < y->at);
}

/* Hand the touched paths to the scanner in one go, each once, leaving
 * out those below another touched directory, which its scan covers.
 * Paths under the Real-Debrid library folders, sorted last, go to the
 * repair's links instead. */
static size_t submit(struct watch_place_list *l, const char *trigger)
{
	char **paths = calloc(l->nr ? l->nr : 1, sizeof(*paths));
	double *at = calloc(l->nr ? l->nr : 1, sizeof(*at));
	const struct watch_place *keep = NULL;
	size_t n = 0, indexed = 0;
	int queued = 0;

	if (!paths || !at) {
		log_error(-ENOMEM, "watch: out of memory");
		goto out;
	}
	if (l->nr > 1)	/* an empty list may have no array to give qsort() */
		qsort(l->v, l->nr, sizeof(*l->v), cmp_place);
	for (size_t i = 0; i < l->nr; i++) {
		const struct watch_place *p = &l->v[i];

		if (keep && keep->root == p->root &&
		    path_under(p->rel, keep->rel))
			continue;
		keep = p;
		if (asprintf(&paths[n], "%s%s%s", watch_root_path(p->root),
			     *p->rel ? "/" : "", p->rel) < 0) {
			paths[n] = NULL;
			log_error(-ENOMEM, "watch: out of memory");
			break;
		}
		at[n++] = p->at;
		indexed += p->root < watch_wt.nr_roots;
	}
	if (indexed)
		queued = watch_wt.set.rescan(trigger, paths, at, indexed);
	if (n > indexed) {
		watch_wt.set.libs_changed(paths + indexed, n - indexed);
		queued = (queued > 0 ? queued : 0) + n - indexed;
	}
out:
	for (size_t i = 0; paths && i < n; i++)
		free(paths[i]);
	free(paths);
	free(at);
	return queued > 0 ? queued : 0;
}

/* What moved out without coming back was deleted: its place is touched,
 * and a folder's watches removed, once move_due(). */
static void end_moves(int wait)
{
	for (size_t i = watch_wt.moves.nr; i-- > 0;) {
		struct watch_place *p = &watch_wt.moves.v[i];

		if (!move_due(p, wait))
			continue;
		if (p->isdir) {
			pthread_mutex_lock(&watch_wt.lock);
			watch_map_forget(p->root, p->rel);
			pthread_mutex_unlock(&watch_wt.lock);
		}
		touch(p->root, p->rel, p->at, 0);
		watch_list_del(&watch_wt.moves, i);
	}
}

/* Count a batch of n paths handed to the scanner. */
static void count_batch(size_t n)
{
	pthread_mutex_lock(&watch_wt.lock);
	watch_wt.st.batches++;
	watch_wt.st.paths_submitted += n;
	pthread_mutex_unlock(&watch_wt.lock);
}

/* Fold the places of the window that are one path into one: the
 * earliest time, their renames added. */
static void fold_touched(void)
{
	struct watch_place_list *l = &watch_wt.touched;
	size_t n = 0;

	if (l->nr > 1)	/* an empty list may have no array to give qsort() */
		qsort(l->v, l->nr, sizeof(*l->v), cmp_place);
	for (size_t i = 0; i < l->nr; i++) {
		struct watch_place *p = &l->v[i], *k = n ? &l->v[n - 1] : NULL;

		if (k && k->root == p->root && !strcmp(k->rel, p->rel)) {
			k->moves += p->moves;
			k->storm |= p->storm;
			free(p->rel);
			continue;
		}
		l->v[n++] = *p;
	}
	l->nr = n;
}

/*
 * Whether the place p waits for the next window: renames touched it in
 * this one, and it waits until a window brings it none, at most
 * STORM_HOLD_S. A scan of a folder while renames go on in it meets its
 * files half renamed and takes them for new ones (new ids, and rows gone
 * until the next scan); once they stop, one scan of the folder sees where
 * each went. Windows are counted, not the time of the last rename: a
 * watcher behind the kernel reads renames made long ago while they go
 * on. A lone rename waits one window; more than STORM_MOVES in one are a
 * storm, counted and named in the log.
 */
static int rename_held(struct watch_place *p, double now)
{
	if (!p->moves || now - p->at >= STORM_HOLD_S)
		return 0;
	if (!p->storm && p->moves > STORM_MOVES) {
		pthread_mutex_lock(&watch_wt.lock);
		watch_wt.st.storms++;
		pthread_mutex_unlock(&watch_wt.lock);
		log_info("watch: a storm of renames in %s%s%s: it is"
			 " rescanned once they stop (at most %d s later)",
			 watch_root_path(p->root), *p->rel ? "/" : "",
			 p->rel, STORM_HOLD_S);
		p->storm = 1;
	}
	p->moves = 0;
	return 1;
}

void watch_flush(void)
{
	struct watch_place_list *l = &watch_wt.touched, go = { 0 };
	double now = clock_mono();
	size_t n = 0;

	end_moves(1);
	if (watch_wt.overflowed) {
		watch_wt.set.libs_changed(NULL, 0);
		watch_wt.overflowed = 0;
	}
	fold_touched();
	/* what goes first, what waits after it */
	for (size_t i = 0; i < l->nr; i++) {
		struct watch_place p = l->v[i];

		if (rename_held(&l->v[i], now))
			continue;
		l->v[i] = l->v[go.nr];
		l->v[go.nr++] = p;
	}
	go.v = l->v;
	if (go.nr)
		n = submit(&go, "watch");
	for (size_t i = 0; i < go.nr; i++)
		free(l->v[i].rel);
	if (go.nr)
		memmove(l->v, l->v + go.nr,
			(l->nr - go.nr) * sizeof(*l->v));
	l->nr -= go.nr;
	watch_wt.window_start = l->nr || watch_wt.moves.nr ? now : 0;
	if (go.nr || !l->nr)
		count_batch(n);
}

/* The indexed root holding the absolute path scope, and the part below
 * it in *rel; -1 for none. */
static int scope_root(const char *scope, const char **rel)
{
	for (size_t i = 0; i < watch_wt.nr_roots; i++)
		if (path_under(scope, watch_wt.roots[i])) {
			*rel = scope + strlen(watch_wt.roots[i]);
			*rel += **rel == '/';
			return i;
		}
	return -1;
}

/* A rescan of scope (an absolute path, NULL for every root) asked for
 * the window: what it touched inside scope goes to the scanner now, to
 * join that rescan; the rest waits for the window's end. */
static void flush_scope(const char *scope)
{
	struct watch_place_list in = { 0 };
	const char *rel = "";
	int root = scope ? scope_root(scope, &rel) : -1;

	if (root < 0) {
		watch_flush();
		return;
	}
	end_moves(0);
	for (size_t i = 0; i < watch_wt.touched.nr;) {
		const struct watch_place *p = &watch_wt.touched.v[i];

		/* a place that cannot be moved over waits with the rest */
		if (p->root != (size_t)root || !path_under(p->rel, rel) ||
		    watch_list_add(&in, p->root, p->rel, strlen(p->rel))) {
			i++;
			continue;
		}
		in.v[in.nr - 1].at = p->at;
		watch_list_del(&watch_wt.touched, i);
	}
	if (in.nr)
		count_batch(submit(&in, "watch"));
	watch_list_clear(&in);
	free(in.v);
	if (!watch_wt.touched.nr && !watch_wt.moves.nr)
		watch_wt.window_start = 0;
}

/* Directories left without a watch are rescanned on a timer; one that
 * has gone needs no more polling. They are looked at without the lock,
 * which status reads wait for: on a share, thousands of lstat() are
 * seconds. */
static void poll_unwatched(void)
{
	struct watch_place_list due = { 0 }, gone = { 0 };
	struct hmap_iter it = HMAP_ITER_INIT;
	struct hmap_entry *e;

	pthread_mutex_lock(&watch_wt.lock);
	while ((e = hmap_next(&watch_wt.polled, &it))) {
		struct watch_place *p =
			hmap_entry_of(e, struct watch_place, ent);

		watch_list_add(&due, p->root, p->rel, strlen(p->rel));
	}
	watch_wt.next_poll = clock_mono() + watch_wt.poll_s;
	pthread_mutex_unlock(&watch_wt.lock);
	for (size_t i = 0; i < due.nr; i++) {
		struct watch_place *p = &due.v[i];
		struct strbuf path = STRBUF_INIT;
		struct stat st;

		strbuf_addf(&path, "%s/%s", watch_root_path(p->root), p->rel);
		if (lstat(path.buf, &st) && errno == ENOENT) {
			watch_list_add(&gone, p->root, p->rel, strlen(p->rel));
			watch_list_del(&due, i--);
		}
		strbuf_release(&path);
	}
	pthread_mutex_lock(&watch_wt.lock);
	for (size_t i = 0; i < gone.nr; i++)
		watch_polled_drop(gone.v[i].root, gone.v[i].rel);
	watch_wt.st.polled_dirs = watch_wt.polled.nr;
	pthread_mutex_unlock(&watch_wt.lock);
	submit(&due, "schedule");
	watch_list_clear(&due);
	watch_list_clear(&gone);
	free(due.v);
	free(gone.v);
}

static int poll_due(double now)
{
	int due;

	pthread_mutex_lock(&watch_wt.lock);
	due = watch_wt.polled.nr && now >= watch_wt.next_poll;
	pthread_mutex_unlock(&watch_wt.lock);
	return due;
}

/* Milliseconds poll() may sleep: until the window closes or the next
 * poll of unwatched directories, whichever comes first. */
static int next_timeout(double now)
{
	double until = -1;

	if (watch_wt.window_start)
		until = watch_wt.window_start +
			watch_wt.debounce_ms / 1000.0 - now;
	pthread_mutex_lock(&watch_wt.lock);
	if (watch_wt.polled.nr &&
	    (until < 0 || watch_wt.next_poll - now < until))
		until = watch_wt.next_poll - now;
	pthread_mutex_unlock(&watch_wt.lock);
	if (until < 0)
		return watch_wt.window_start || watch_wt.polled.nr ? 0 : -1;
	return (int)(until * 1000) + 1;
}

void *watch_main(void *unused)
{
	(void)unused;
	for (;;) {
		struct pollfd wake = { .fd = watch_wt.wake_fd,
				       .events = POLLIN };
		double now = clock_mono();
		unsigned long ask;
		char *scope;

		if (poll(&wake, 1, next_timeout(now)) < 0 && errno != EINTR) {
			log_error(-errno, "watch: poll: %s", strerror(errno));
			break;
		}
		if (wake.revents) {
			uint64_t count;

			if (read(watch_wt.wake_fd, &count, sizeof(count)) < 0 &&
			    errno != EAGAIN)
				log_error(-errno, "watch: eventfd: %s",
					  strerror(errno));
			if (!__atomic_load_n(&watch_wt.running,
					     __ATOMIC_ACQUIRE))
				break;
		}
		/* an ask taken before the read: the read sees every change
		 * made before it was asked */
		pthread_mutex_lock(&watch_wt.lock);
		ask = watch_wt.settle_asked;
		scope = watch_wt.settle_scope;
		watch_wt.settle_scope = NULL;
		watch_wt.settle_scoped = 0;
		pthread_mutex_unlock(&watch_wt.lock);
		watch_queue_drain();
		watch_queue_take(watch_event);
		now = clock_mono();
		if (watch_wt.window_start && now >= watch_wt.window_start +
		    watch_wt.debounce_ms / 1000.0)
			watch_flush();
		else if (watch_wt.window_start && ask != watch_wt.settle_done)
			flush_scope(scope);
		free(scope);
		if (ask != watch_wt.settle_done)
			settled(ask);
		if (poll_due(now))
			poll_unwatched();
	}
	pthread_mutex_lock(&watch_wt.lock);
	pthread_cond_broadcast(&watch_wt.settled);
	pthread_mutex_unlock(&watch_wt.lock);
	strbuf_release(&event_path);
	return NULL;
}
