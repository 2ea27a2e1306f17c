/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The user database's changes (user_db.h): an inotify watch on /etc,
 * its events read without waiting by whoever asks, those of passwd and
 * group counted; a stat() of both when /etc cannot be watched. It reads
 * no user and no group: its callers do when the stamp moves.
 */
#include "fs/tree/user_db.h"

#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/hash.h"
#include "common/log.h"

#define ETC "/etc"
#define EVENTS (IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_CREATE | \
		IN_DELETE | IN_ATTRIB | IN_DELETE_SELF | IN_MOVE_SELF)

static struct {
	pthread_mutex_t lock;	/* the reading of the events and gen */
	int fd;			/* -1: not watched yet; -2: cannot be */
	uint64_t gen;
} db = { .lock = PTHREAD_MUTEX_INITIALIZER, .fd = -1 };

/* The two files' stamp, as a watch would tell their changes. */
static uint64_t stat_stamp(void)
{
	static const char *const files[] = { ETC "/passwd", ETC "/group" };
	uint64_t h = HASH_INIT;
	struct stat st;

	for (size_t i = 0; i < sizeof(files) / sizeof(*files); i++) {
		if (stat(files[i], &st))
			memset(&st, 0, sizeof(st));
		h = hash_add_bytes(h, &st.st_ino, sizeof(st.st_ino));
		h = hash_add_bytes(h, &st.st_size, sizeof(st.st_size));
		h = hash_add_bytes(h, &st.st_mtim, sizeof(st.st_mtim));
	}
	return hash_end(h);
}

/* The watch on /etc made (db.lock held): 0, or -errno (told once). */
static int watch(void)
{
	int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC), rc;

	if (fd >= 0 && inotify_add_watch(fd, ETC, EVENTS) >= 0) {
		db.fd = fd;
		return 0;
	}
	rc = -errno;
	if (fd >= 0)
		close(fd);
	db.fd = -2;
	return log_error(rc, "http: " ETC " cannot be watched: each request"
			 " looks at the user database's files instead");
}

/* Whether an event may be a change of the user database: one of its
 * files', or of the watch itself (/etc moved, the queue overflowed). */
static int of_users(const struct inotify_event *e)
{
	if (e->mask & (IN_Q_OVERFLOW | IN_IGNORED | IN_DELETE_SELF |
		       IN_MOVE_SELF))
		return 1;
	return e->len && (!strcmp(e->name, "passwd") ||
			  !strcmp(e->name, "group"));
}

/* The events waiting read (db.lock held): whether one is the user
 * database's; the watch dropped (made again by the next call) when it
 * ended or cannot be read. */
static int changed(void)
{
	union {
		struct inotify_event e;
		char bytes[4096];
	} buf;
	int seen = 0;

	for (;;) {
		ssize_t n = read(db.fd, &buf, sizeof(buf));

		if (n <= 0) {
			if (n < 0 && errno == EAGAIN)
				return seen;
			close(db.fd);
			db.fd = -1;
			return 1;
		}
		for (char *p = buf.bytes; p < buf.bytes + n;) {
			const struct inotify_event *e = (const void *)p;

			seen |= of_users(e);
			if (e->mask & IN_IGNORED) {
				close(db.fd);
				db.fd = -1;
				return 1;
			}
			p += sizeof(*e) + e->len;
		}
	}
}

uint64_t user_db_stamp(void)
{
	uint64_t stamp;

	pthread_mutex_lock(&db.lock);
	/* a watch made anew may have missed a change since the last */
	if (db.fd == -1 && !watch())
		db.gen++;
	if (db.fd >= 0 && changed())
		db.gen++;
	stamp = db.fd == -2 ? stat_stamp() : db.gen;
	pthread_mutex_unlock(&db.lock);
	return stamp;
}
