/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Who asks (caller.h): the FUSE caller's identity taken on around each
 * system call and given back after it, its groups read from /proc, and
 * the mode bits checked when the daemon may not change identity. It never
 * holds the caller's identity while the store is read.
 */
#include "fs/tree/caller.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/fsuid.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/hash.h"
#include "common/log.h"
#include "common/strbuf.h"
#include "common/thread.h"
#include "indexer/indexer.h"

/* The call that takes 32-bit group ids where an older one takes 16 (arm,
 * i386); glibc's setgroups() would change every thread's. */
#ifdef SYS_setgroups32
#define SYS_SETGROUPS SYS_setgroups32
#else
#define SYS_SETGROUPS SYS_setgroups
#endif

#define KEPT 64			/* folders a thread keeps a verdict on */

/* A file system identity. */
struct who {
	uid_t uid;
	gid_t gid;
	int ngroups;
	gid_t groups[CALLER_GROUPS];
};

/* The daemon's own, and whether it may take another one. */
static struct {
	struct who self;
	int can_switch;
} me;

/* The request this thread answers, and its caller. */
struct current {
	fuse_req_t req;
	uid_t uid;
	gid_t gid;
	pid_t pid;
	int set, owner;
	int known;		/* the thread's who holds this caller */
	int anyone;		/* stands for anyone (caller_begin_anyone()) */
};

static __thread struct current cur;

/* The caller that anyone stands in for, and its identity. */
static __thread struct {
	struct current cur;
	struct who who;
} outer;

/* A user with no rights of its own: nobody, in no group. */
#define ANYONE_ID 65534

/* What a thread keeps from one request to the next: its caller's groups
 * (of which process, read when), and whether that caller may list
 * folders it asked about. */
struct state {
	struct who who;
	pid_t pid;
	double groups_at;
	/* the caller's verdicts, and anyone's */
	struct kept_set {
		struct who kept_for;
		struct kept {
			char *dir;
			double at;
			int may;
		} kept[KEPT];
	} sets[2];
};

static pthread_key_t state_key;
static pthread_once_t state_once = PTHREAD_ONCE_INIT;

static struct state *state(void);

static void state_free(void *arg)
{
	struct state *st = arg;

	for (size_t s = 0; s < 2; s++)
		for (size_t i = 0; i < KEPT; i++)
			free(st->sets[s].kept[i].dir);
	free(st);
}

static void state_key_make(void)
{
	if (pthread_key_create(&state_key, state_free))
		log_error(-ENOMEM, "caller: cannot create thread key");
}

/* Take the identity w on this thread, for file system calls alone. */
static int become(const struct who *w)
{
	if (syscall(SYS_SETGROUPS, (size_t)w->ngroups, w->groups))
		return -errno;
	setfsgid(w->gid);
	setfsuid(w->uid);
	return 0;
}

/* The daemon's own identity again (its capabilities come back with it). */
static void back(void)
{
	setfsuid(me.self.uid);
	setfsgid(me.self.gid);
	syscall(SYS_SETGROUPS, (size_t)me.self.ngroups, me.self.groups);
}

/* Whether this thread may take another identity and give it back: tried
 * once, with an id that is not the daemon's. */
static int may_switch(void)
{
	uid_t uid = me.self.uid == 65534 ? 65533 : 65534;
	gid_t gid = me.self.gid == 65534 ? 65533 : 65534;
	int ok;

	setfsuid(uid);
	ok = (uid_t)setfsuid(-1) == uid;
	setfsuid(me.self.uid);
	setfsgid(gid);
	ok = ok && (gid_t)setfsgid(-1) == gid;
	setfsgid(me.self.gid);
	return ok && !syscall(SYS_SETGROUPS, (size_t)me.self.ngroups,
			      me.self.groups);
}

void caller_init(void)
{
	int n;

	pthread_once(&state_once, state_key_make);
	me.self.uid = geteuid();
	me.self.gid = getegid();
	n = getgroups(CALLER_GROUPS, me.self.groups);
	me.self.ngroups = n > 0 ? n : 0;
	/* Groups it could not all note, it could not give back. */
	me.can_switch = n >= 0 && may_switch();
	if (!me.can_switch)
		log_info("caller: cannot act as other users; their access is"
			 " checked by the mode bits of each folder");
}

void caller_begin(fuse_req_t req)
{
	const struct fuse_ctx *ctx = fuse_req_ctx(req);
	static __thread int named;

	/* libfuse starts its workers unnamed, each as the load asks */
	if (!named) {
		thread_name("mm-fuse");
		named = 1;
	}
	cur.req = req;
	cur.uid = ctx->uid;
	cur.gid = ctx->gid;
	cur.pid = ctx->pid;
	cur.owner = ctx->uid == me.self.uid || ctx->uid == 0;
	cur.known = 0;
	cur.anyone = 0;
	cur.set = 1;
}

void caller_begin_user(uid_t uid, gid_t gid, const gid_t *groups, int n)
{
	struct state *st = state();

	cur.req = NULL;
	cur.uid = uid;
	cur.gid = gid;
	cur.pid = 0;
	cur.owner = uid == me.self.uid || uid == 0;
	cur.anyone = 0;
	cur.set = 1;
	/* Without a state the checks fail: fewer rights, never more. */
	cur.known = st != NULL;
	if (!st)
		return;
	n = n < 0 ? 0 : n < CALLER_GROUPS ? n : CALLER_GROUPS;
	st->who.uid = uid;
	st->who.gid = gid;
	st->who.ngroups = n;
	memcpy(st->who.groups, groups, n * sizeof(*groups));
	/* the groups were not read from a FUSE caller's process */
	st->pid = 0;
	st->groups_at = 0;
}

void caller_end(void)
{
	cur.set = 0;
	cur.req = NULL;
}

void caller_as_daemon(void)
{
	cur.req = NULL;
	cur.owner = 1;
	cur.set = 1;
}

int caller_is_owner(void)
{
	return cur.set && cur.owner;
}

uid_t caller_uid(void)
{
	return cur.uid;
}

gid_t caller_gid(void)
{
	return cur.gid;
}

static struct state *state(void)
{
	struct state *st = pthread_getspecific(state_key);

	if (st)
		return st;
	st = calloc(1, sizeof(*st));
	if (!st || pthread_setspecific(state_key, st)) {
		free(st);
		log_error(-ENOMEM, "caller: no memory for a thread's state");
		return NULL;
	}
	return st;
}

/* The caller's identity, its groups read from /proc unless this thread
 * read them for the same process less than CALLER_KEEP_S ago. A caller
 * whose groups cannot be read has none: fewer rights, never more. */
static const struct who *caller(void)
{
	struct state *st;
	double now;
	int n;

	if (!cur.set)
		return NULL;
	st = state();
	if (!st)
		return NULL;
	if (cur.known)
		return &st->who;
	if (cur.anyone)
		return NULL;
	now = clock_mono();
	if (st->who.uid != cur.uid || st->who.gid != cur.gid ||
	    st->pid != cur.pid || !st->groups_at ||
	    now - st->groups_at >= CALLER_KEEP_S) {
		st->who.uid = cur.uid;
		st->who.gid = cur.gid;
		n = fuse_req_getgroups(cur.req, CALLER_GROUPS, st->who.groups);
		if (n < 0)
			log_debug("caller: no groups for process %d: %s",
				  (int)cur.pid, strerror(-n));
		st->who.ngroups = n < 0 ? 0 : n < CALLER_GROUPS ? n :
			CALLER_GROUPS;
		st->pid = cur.pid;
		st->groups_at = now;
	}
	cur.known = 1;
	return &st->who;
}

void caller_begin_anyone(void)
{
	struct state *st = state();

	outer.cur = cur;
	cur.uid = ANYONE_ID;
	cur.gid = ANYONE_ID;
	cur.owner = 0;
	cur.anyone = 1;
	/* Without a state the checks fail: fewer rights, never more. */
	cur.known = st != NULL;
	if (st) {
		outer.who = st->who;
		st->who = (struct who){ .uid = ANYONE_ID, .gid = ANYONE_ID };
	}
}

void caller_end_anyone(void)
{
	struct state *st = pthread_getspecific(state_key);

	if (st && cur.known)
		st->who = outer.who;
	cur = outer.cur;
}

void caller_begin_owner(void)
{
	outer.cur = cur;
	cur.owner = 1;
	cur.set = 1;
}

void caller_end_owner(void)
{
	cur = outer.cur;
}

uint64_t caller_who(void)
{
	const struct who *w = caller();
	uint64_t h;

	if (!w)
		return 0;
	h = hash_add(hash_add(HASH_INIT, w->uid), w->gid);
	h = hash_add_bytes(h, w->groups, w->ngroups * sizeof(*w->groups));
	return hash_end(h);
}

int caller_identity(uid_t *uid, gid_t *gid, gid_t *groups, int *n)
{
	const struct who *w = caller();

	if (!w)
		return -ENOENT;
	*uid = w->uid;
	*gid = w->gid;
	*n = w->ngroups;
	memcpy(groups, w->groups, w->ngroups * sizeof(*groups));
	return 0;
}

static int in_groups(const struct who *w, gid_t gid)
{
	if (w->gid == gid)
		return 1;
	for (int i = 0; i < w->ngroups; i++)
		if (w->groups[i] == gid)
			return 1;
	return 0;
}

/* The rights the mode bits of st give w, as R_OK | W_OK | X_OK. */
static int mode_rights(const struct who *w, const struct stat *st)
{
	if (st->st_uid == w->uid)
		return (st->st_mode >> 6) & 7;
	if (in_groups(w, st->st_gid))
		return (st->st_mode >> 3) & 7;
	return st->st_mode & 7;
}

/* A daemon that may not become w: w may search every folder above path
 * and has mode on path itself, by the mode bits. */
static int modes_allow(const struct who *w, const char *path, int mode)
{
	char *copy = strdup(path);
	struct stat st;
	int rc = 0;

	if (!copy)
		return -ENOMEM;
	for (char *p = strchr(copy + 1, '/'); !rc && p; p = strchr(p + 1,
								  '/')) {
		*p = '\0';
		if (stat(copy, &st))
			rc = -errno;
		else if (!(mode_rights(w, &st) & X_OK))
			rc = -EACCES;
		*p = '/';
	}
	if (!rc && stat(path, &st))
		rc = -errno;
	if (!rc && (mode_rights(w, &st) & mode) != mode)
		rc = -EACCES;
	free(copy);
	return rc;
}

/* Whether this thread's identity may do mode on name in the folder fd
 * (AT_FDCWD: name is a path), as the kernel judges it (faccessat2()
 * with AT_EACCESS takes the file system ids); a kernel before 5.8 is
 * asked by opening it. */
static int may_at(int fd, const char *name, int mode)
{
	int file;

#ifdef SYS_faccessat2
	if (!syscall(SYS_faccessat2, fd, name, mode, AT_EACCESS))
		return 0;
	if (errno != ENOSYS)
		return -errno;
#endif
	file = openat(fd, name, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (file < 0)
		return -errno;
	close(file);
	return 0;
}

/* Whether this thread's identity may do mode on path (may_at()). */
static int may(const char *path, int mode)
{
	return may_at(AT_FDCWD, path, mode);
}

/* Whom a check is for, or NULL for the owner (no check); -EACCES in
 * *rc when no request is answered on this thread. */
static const struct who *checked(int *rc)
{
	const struct who *w;

	*rc = 0;
	if (cur.set && cur.owner)
		return NULL;
	w = caller();
	if (!w)
		*rc = cur.set ? -ENOMEM : -EACCES;
	return w;
}

/* Take w's rights for a call on path that needs mode: its ids, or, when
 * the daemon may not take them, a check of the mode bits. Returns 0 to go
 * on, or a negative errno value; as_done() in either case. No check for
 * the owner (w NULL). */
static int as_caller(const struct who *w, const char *path, int mode)
{
	if (!w)
		return 0;
	return me.can_switch ? become(w) : modes_allow(w, path, mode);
}

static void as_done(const struct who *w)
{
	if (w && me.can_switch)
		back();
}

/* Whether w may do mode on path, as the kernel says when the daemon may
 * become w, by the mode bits when not: 0 or a negative errno value. */
static int may_do(const struct who *w, const char *path, int mode)
{
	int rc = as_caller(w, path, mode);

	if (!rc && me.can_switch)
		rc = may(path, mode);
	as_done(w);
	return rc;
}

int caller_open(const char *path, int flags)
{
	const struct who *w;
	int rc;

	w = checked(&rc);
	if (!rc)
		rc = as_caller(w, path, R_OK);
	if (!rc)
		rc = indexer_open_file(path, flags);
	as_done(w);
	return rc;
}

int caller_stat(const char *path, struct stat *st)
{
	const struct who *w;
	int rc;

	w = checked(&rc);
	if (!rc)
		rc = as_caller(w, path, 0);
	if (!rc && stat(path, st))
		rc = -errno;
	as_done(w);
	return rc;
}

int caller_may_read(const char *path)
{
	const struct who *w;
	int rc;

	w = checked(&rc);
	if (rc || !w)
		return !rc;
	return !may_do(w, path, R_OK);
}

/* The folder of the files judged last, as caller_may_read_each() keeps
 * it: its path, the verdict on it, the files judged in it, and, once a
 * second one is and the caller's identity is taken, the folder opened
 * (O_PATH) so that each file's check looks up its name alone, not
 * every folder above it again (for one file, the open would cost more
 * than it saves). */
struct judged_dir {
	struct strbuf path;
	int may, fd, files;
};

/* Whether w may list the folder of path and read path, d the folder
 * judged before. */
static int may_read_in(const struct who *w, const char *path,
		       struct judged_dir *d)
{
	const char *slash = strrchr(path, '/');
	size_t len = slash ? (size_t)(slash - path) : 0;
	int rc;

	if (!len)
		return 0;
	if (d->path.len != len || memcmp(d->path.buf, path, len)) {
		strbuf_reset(&d->path);
		strbuf_add(&d->path, path, len);
		if (d->fd >= 0)
			close(d->fd);
		d->fd = -1;
		d->may = me.can_switch ? !may(d->path.buf, R_OK | X_OK) :
			!modes_allow(w, d->path.buf, R_OK | X_OK);
		d->files = 0;
	}
	if (!d->may)
		return 0;
	if (d->files++ == 1 && me.can_switch)
		d->fd = open(d->path.buf, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (d->fd >= 0)
		rc = may_at(d->fd, slash + 1, R_OK);
	else
		rc = me.can_switch ? may(path, R_OK) :
			modes_allow(w, path, R_OK);
	return !rc;
}

void caller_may_read_each(char *const *paths, size_t n, unsigned char *out)
{
	struct judged_dir d = { STRBUF_INIT, 0, -1, 0 };
	const struct who *w;
	int rc;

	w = checked(&rc);
	memset(out, !rc && !w, n);
	if (rc || !w || (me.can_switch && become(w)))
		return;
	for (size_t i = 0; i < n; i++)
		out[i] = may_read_in(w, paths[i], &d);
	if (d.fd >= 0)
		close(d.fd);
	if (me.can_switch)
		back();
	strbuf_release(&d.path);
}

static int same_who(const struct who *a, const struct who *b)
{
	return a->uid == b->uid && a->gid == b->gid &&
	       a->ngroups == b->ngroups &&
	       !memcmp(a->groups, b->groups, a->ngroups * sizeof(*a->groups));
}

/* The verdict kept on dir for w, or the slot to keep a new one in (the
 * oldest); verdicts for another identity are all dropped first. */
static struct kept *kept_slot(struct state *st, const struct who *w,
			      const char *dir, double now, int *found)
{
	struct kept_set *ks = &st->sets[cur.anyone];
	struct kept *oldest = &ks->kept[0];

	if (!same_who(&ks->kept_for, w)) {
		for (size_t i = 0; i < KEPT; i++) {
			free(ks->kept[i].dir);
			ks->kept[i].dir = NULL;
		}
		ks->kept_for = *w;
	}
	for (size_t i = 0; i < KEPT; i++) {
		struct kept *k = &ks->kept[i];

		if (k->dir && !strcmp(k->dir, dir)) {
			*found = now - k->at < CALLER_KEEP_S;
			return k;
		}
		if (!k->dir || (oldest->dir && k->at < oldest->at))
			oldest = k;
	}
	*found = 0;
	return oldest;
}

int caller_may_list(const char *dir)
{
	const struct who *w;
	struct state *st;
	struct kept *k;
	double now;
	int rc, found;

	w = checked(&rc);
	if (rc || !w)
		return !rc;
	st = pthread_getspecific(state_key);
	now = clock_mono();
	k = kept_slot(st, w, dir, now, &found);
	if (found)
		return k->may;
	rc = may_do(w, dir, R_OK | X_OK);
	if (!k->dir || strcmp(k->dir, dir)) {
		free(k->dir);
		k->dir = strdup(dir);
	}
	if (k->dir) {
		k->at = now;
		k->may = !rc;
	}
	return !rc;
}
