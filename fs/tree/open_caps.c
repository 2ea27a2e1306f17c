/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The caps on what files open through the mount hold (open_caps.h):
 * descriptors kept for the daemon, handles and bytes counted per user,
 * renderings kept in pages of their own. It opens no file itself.
 */
#include "fs/tree/open_caps.h"

#include <assert.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>

#include "common/array.h"
#include "common/log.h"
#include "common/strbuf.h"

/* A shared thing a user's handles hold, charged to it once. */
struct held {
	const void *key;
	size_t handles;
};

/* The handles one user holds and the bytes they keep; there are users
 * with open files. */
struct user {
	uid_t uid;
	size_t handles, bytes;
	size_t stats;		/* renderings its stat()s hold now */
	size_t unpacks;		/* pages it unpacks now */
	int warned;		/* its cap was said to be reached */
	int bytes_warned;	/* its memory cap too */
	int unpacks_warned;	/* its cap on unpacks too */
	struct held *held;
	size_t nr_held, alloc_held;
	struct user *next;
};

static struct {
	pthread_mutex_t lock;
	struct user *users;
	size_t per_user, bytes_per_user, unpacks_per_user;
	size_t handles, fds, max_fds;
	size_t unpacks, max_unpacks;	/* all users' pages unpacked now */
	int fds_warned, unpacks_warned;
} caps = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.per_user = 256,
	.bytes_per_user = OPEN_CAPS_BYTES,
	.unpacks_per_user = OPEN_CAPS_UNPACKS,
	.max_unpacks = OPEN_CAPS_ALL_UNPACKS,
	.max_fds = OPEN_CAPS_RESERVE,
};

/*
 * A daemon started with the usual soft limit (1,024) would give the
 * mount's files all of it long before the hard limit: raise it, and keep
 * a reserve the mount's files never take.
 */
void open_caps_init(void)
{
	struct rlimit rl;
	size_t reserve;

	if (getrlimit(RLIMIT_NOFILE, &rl)) {
		log_warn("fs: cannot read the descriptor limit: %s",
			 strerror(errno));
		return;
	}
	if (rl.rlim_cur < rl.rlim_max) {
		struct rlimit want = { rl.rlim_max, rl.rlim_max };

		if (setrlimit(RLIMIT_NOFILE, &want))
			log_warn("fs: cannot raise the descriptor limit from"
				 " %llu to %llu: %s",
				 (unsigned long long)rl.rlim_cur,
				 (unsigned long long)rl.rlim_max,
				 strerror(errno));
		else
			rl.rlim_cur = rl.rlim_max;
	}
	reserve = rl.rlim_cur / 2 < OPEN_CAPS_RESERVE ? rl.rlim_cur / 2 :
		OPEN_CAPS_RESERVE;
	pthread_mutex_lock(&caps.lock);
	caps.max_fds = rl.rlim_cur - reserve;
	pthread_mutex_unlock(&caps.lock);
	log_info("fs: %llu descriptors, %zu of them for files open through"
		 " the mount", (unsigned long long)rl.rlim_cur,
		 (size_t)(rl.rlim_cur - reserve));
}

void open_caps_set(int per_user, size_t bytes_per_user, int unpacks)
{
	pthread_mutex_lock(&caps.lock);
	caps.per_user = per_user > 0 ? (size_t)per_user : 1;
	caps.bytes_per_user = bytes_per_user;
	caps.unpacks_per_user = unpacks > 0 ? (size_t)unpacks : 1;
	pthread_mutex_unlock(&caps.lock);
}

void open_caps_set_all_unpacks(int unpacks)
{
	pthread_mutex_lock(&caps.lock);
	caps.max_unpacks = unpacks > 0 ? (size_t)unpacks : 1;
	pthread_mutex_unlock(&caps.lock);
}

/* The user uid, counted from now on when add and not yet. */
static struct user *user_find(uid_t uid, int add)
{
	struct user *u;

	for (u = caps.users; u; u = u->next)
		if (u->uid == uid)
			return u;
	if (!add || !(u = calloc(1, sizeof(*u))))
		return NULL;
	u->uid = uid;
	u->next = caps.users;
	caps.users = u;
	return u;
}

/* Forget a user who holds nothing any more. */
static void user_drop(struct user *gone)
{
	for (struct user **p = &caps.users; *p; p = &(*p)->next) {
		if (*p == gone) {
			*p = gone->next;
			free(gone->held);
			free(gone);
			return;
		}
	}
}

/* Whether u holds nothing: no handle, stat or unpacking. */
static int user_idle(const struct user *u)
{
	return !u->handles && !u->stats && !u->unpacks;
}

int open_caps_take(uid_t uid, int owner, int fd)
{
	struct user *u = NULL;
	int rc = 0;

	pthread_mutex_lock(&caps.lock);
	if (fd && caps.fds >= caps.max_fds) {
		if (!caps.fds_warned)
			log_warn("fs: the %zu descriptors for files open"
				 " through the mount are taken: more opens of"
				 " library files fail (ENFILE) until some"
				 " close", caps.max_fds);
		caps.fds_warned = 1;
		rc = -ENFILE;
	}
	if (!rc && !owner) {
		u = user_find(uid, 1);
		if (!u)
			rc = log_error(-ENOMEM, "fs: out of memory counting"
				       " the files of uid %u", (unsigned)uid);
	}
	if (!rc && u && u->handles >= caps.per_user) {
		if (!u->warned)
			log_warn("fs: uid %u holds %zu files open through the"
				 " mount, its cap ([general]"
				 " max_open_per_user): more opens fail"
				 " (EMFILE) until it closes some",
				 (unsigned)uid, u->handles);
		u->warned = 1;
		rc = -EMFILE;
	}
	if (!rc) {
		caps.handles++;
		caps.fds += !!fd;
		if (u)
			u->handles++;
	}
	pthread_mutex_unlock(&caps.lock);
	return rc;
}

void open_caps_put(uid_t uid, int fd)
{
	struct user *u;

	pthread_mutex_lock(&caps.lock);
	u = user_find(uid, 0);
	if (u && u->handles && !--u->handles && user_idle(u))
		user_drop(u);
	else if (u && u->handles <= caps.per_user / 2)
		u->warned = 0;
	if (caps.handles)
		caps.handles--;
	if (fd && caps.fds && --caps.fds <= caps.max_fds / 2)
		caps.fds_warned = 0;
	pthread_mutex_unlock(&caps.lock);
}

/* What u's handles hold of key, or NULL. */
static struct held *held_find(struct user *u, const void *key)
{
	for (size_t i = 0; i < u->nr_held; i++)
		if (u->held[i].key == key)
			return &u->held[i];
	return NULL;
}

/* Count key as held by u: a new entry with no handle yet. */
static int held_add(struct user *u, const void *key)
{
	struct held *more = array_grow(u->held, u->nr_held, &u->alloc_held,
				       sizeof(*more), 4);

	if (!more)
		return log_error(-ENOMEM, "fs: out of memory counting"
				 " the files of uid %u", (unsigned)u->uid);
	u->held = more;
	u->held[u->nr_held++] = (struct held){ key, 0 };
	return 0;
}

/* Whether a cap just met is met the first time since it was last left
 * (noted in *warned): its line is logged once while it lasts. */
static int first_time(int *warned)
{
	int was = *warned;

	*warned = 1;
	return !was;
}

/* Whether bytes more would take u past its memory cap: -ENOMEM (logged
 * once while it lasts), or 0. */
static int over_cap(struct user *u, size_t bytes)
{
	if (u->bytes + bytes <= caps.bytes_per_user)
		return 0;
	if (first_time(&u->bytes_warned))
		log_warn("fs: uid %u holds %zu bytes of renderings, covers"
			 " and pages being unpacked through the mount, its cap"
			 " ([general] max_open_memory_per_user): more opens"
			 " and stat()s of large files fail (ENOMEM) until it"
			 " closes some", (unsigned)u->uid, u->bytes);
	return -ENOMEM;
}

int open_caps_charge(uid_t uid, int owner, const void *shared, size_t bytes)
{
	struct held *h = NULL;
	struct user *u;
	int rc = 0;

	if (owner)
		return 0;
	pthread_mutex_lock(&caps.lock);
	u = user_find(uid, 0);
	if (u && shared)
		h = held_find(u, shared);
	if (!u || h)
		goto out;
	rc = over_cap(u, bytes);
	if (!rc && shared) {
		rc = held_add(u, shared);
		h = rc ? NULL : &u->held[u->nr_held - 1];
	}
	if (!rc)
		u->bytes += bytes;
out:
	if (h)
		h->handles++;
	pthread_mutex_unlock(&caps.lock);
	return rc;
}

void open_caps_uncharge(uid_t uid, const void *shared, size_t bytes)
{
	struct held *h = NULL;
	struct user *u;

	pthread_mutex_lock(&caps.lock);
	u = user_find(uid, 0);
	if (u && shared)
		h = held_find(u, shared);
	if (h && --h->handles)
		u = NULL;
	else if (h)
		*h = u->held[--u->nr_held];
	else if (shared)
		u = NULL;
	if (u) {
		u->bytes -= bytes < u->bytes ? bytes : u->bytes;
		if (u->bytes <= caps.bytes_per_user / 2)
			u->bytes_warned = 0;
	}
	pthread_mutex_unlock(&caps.lock);
}

/* Whether u unpacks its cap of pages already, or all users together
 * theirs: -EAGAIN (each logged once while it lasts), or 0. */
static int over_unpacks(struct user *u)
{
	int mine = u->unpacks >= caps.unpacks_per_user;
	char who[32] = "users unpack";

	if (!mine && caps.unpacks < caps.max_unpacks)
		return 0;
	if (mine)
		snprintf(who, sizeof(who), "uid %u unpacks", (unsigned)u->uid);
	if (first_time(mine ? &u->unpacks_warned : &caps.unpacks_warned))
		log_warn("fs: %s %zu pages of archives at once, %s"
			 " ([general] %s): more opens and stat()s of pages"
			 " fail (EAGAIN) until one ends", who, mine ?
			 u->unpacks : caps.unpacks, mine ? "its cap" :
			 "the cap of all of them", mine ?
			 "max_unpacks_per_user" : "max_unpacks");
	return -EAGAIN;
}

/* Charge bytes to uid's memory cap and count one more in the field at
 * `at` of its struct user (stats or unpacks, unpacks held to their own
 * cap first): 0, or -EAGAIN/-ENOMEM as over_unpacks()/over_cap(). */
static int charge(uid_t uid, size_t bytes, size_t at)
{
	struct user *u;
	int rc;

	pthread_mutex_lock(&caps.lock);
	u = user_find(uid, 1);
	if (!u)
		rc = log_error(-ENOMEM, "fs: out of memory counting the files"
			       " of uid %u", (unsigned)uid);
	else
		rc = at == offsetof(struct user, unpacks) ?
			over_unpacks(u) : 0;
	if (!rc)
		rc = over_cap(u, bytes);
	if (!rc) {
		u->bytes += bytes;
		(*(size_t *)((char *)u + at))++;
		caps.unpacks += at == offsetof(struct user, unpacks);
	} else if (u && user_idle(u)) {
		user_drop(u);
	}
	pthread_mutex_unlock(&caps.lock);
	return rc;
}

/* Give back what charge() took. */
static void uncharge(uid_t uid, size_t bytes, size_t at)
{
	struct user *u;
	size_t *count;

	pthread_mutex_lock(&caps.lock);
	u = user_find(uid, 0);
	count = u ? (size_t *)((char *)u + at) : NULL;
	if (count && *count) {
		u->bytes -= bytes < u->bytes ? bytes : u->bytes;
		if (u->bytes <= caps.bytes_per_user / 2)
			u->bytes_warned = 0;
		if (at == offsetof(struct user, unpacks)) {
			u->unpacks_warned = 0;
			caps.unpacks -= !!caps.unpacks;
			if (caps.unpacks <= caps.max_unpacks / 2)
				caps.unpacks_warned = 0;
		}
		if (!--*count && user_idle(u))
			user_drop(u);
	}
	pthread_mutex_unlock(&caps.lock);
}

int open_caps_stat_charge(uid_t uid, int owner, size_t bytes)
{
	return owner ? 0 : charge(uid, bytes, offsetof(struct user, stats));
}

void open_caps_stat_uncharge(uid_t uid, int owner, size_t bytes)
{
	if (!owner)
		uncharge(uid, bytes, offsetof(struct user, stats));
}

int open_caps_unpack_begin(uid_t uid, int owner, size_t bytes)
{
	return owner ? 0 : charge(uid, bytes, offsetof(struct user, unpacks));
}

void open_caps_unpack_end(uid_t uid, int owner, size_t bytes)
{
	if (!owner)
		uncharge(uid, bytes, offsetof(struct user, unpacks));
}

/* A rendering kept in the heap would leave it grown after its close,
 * below glibc's mmap threshold, by the other blocks of its thread. */
void open_caps_keep(struct strbuf *text, struct open_caps_text *out)
{
	size_t paged = (text->len + 4095) & ~(size_t)4095;
	char *pages = MAP_FAILED;

	/* A virtual file is rendered once per open: its handle keeps one
	 * rendering, never a second over the first. */
	assert(!out->buf && !out->len);

	if (text->len >= OPEN_CAPS_PAGED_BYTES)
		pages = mmap(NULL, paged, PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (pages == MAP_FAILED) {
		out->paged = 0;
		out->buf = strbuf_detach(text, &out->len);
		return;
	}
	memcpy(pages, text->buf, text->len);
	*out = (struct open_caps_text){ .buf = pages, .len = text->len,
					.paged = paged };
	strbuf_release(text);
}

void open_caps_unkeep(struct open_caps_text *t)
{
	if (t->paged)
		munmap(t->buf, t->paged);
	else
		free(t->buf);
	*t = (struct open_caps_text){ 0 };
}
