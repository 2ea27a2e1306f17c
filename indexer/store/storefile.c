/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The store as a file (storefile.h): claimed private and locked, its
 * faults noted and classified. No schema and no queries of a domain.
 */
#include "indexer/store/storefile.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/db.h"
#include "common/log.h"
#include "common/strbuf.h"

/* Space that must come back before a full store is tried again early. */
#define SPACE_MARGIN (256 * 1024)

static struct {
	pthread_mutex_t lock;
	char *path;		/* as configured */
	char *name;		/* as SQLite names it (symlinks resolved) */
	int lock_fd;
	dev_t dev;
	ino_t ino;
	int opened;
	enum storefile_fault fault;
	int err;		/* errno behind STOREFILE_IOERR */
	unsigned long long free_at_full;
	int suspect;
	uint64_t epoch;
	struct strbuf remembered;
} sf = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.lock_fd = -1,
	.remembered = STRBUF_INIT,
};

#define FAULT_NAME(fault, words) [fault] = words,

static const char *const fault_names[] = { STOREFILE_FAULTS(FAULT_NAME) };

int storefile_make_folders(const char *path)
{
	char *copy = strdup(path);
	int rc = 0;

	if (!copy)
		return log_error(-ENOMEM, "store: out of memory");
	for (char *p = copy + 1; !rc && (p = strchr(p, '/')); p++) {
		*p = '\0';
		if (mkdir(copy, 0700) && errno != EEXIST)
			rc = log_error(-errno, "database folder %s: %s", copy,
				       strerror(errno));
		*p = '/';
	}
	free(copy);
	return rc;
}

/*
 * What SQLite reports of a store's connections, so that the hook tells
 * them from a backup's; only the store's path names are compared.
 */
void storefile_opened(sqlite3 *db)
{
	const char *name = sqlite3_db_filename(db, "main");
	struct stat st;

	pthread_mutex_lock(&sf.lock);
	if (name && (!sf.name || strcmp(sf.name, name))) {
		free(sf.name);
		sf.name = strdup(name);
	}
	if (sf.path && !stat(sf.path, &st)) {
		sf.dev = st.st_dev;
		sf.ino = st.st_ino;
		sf.opened = 1;
		if (sf.fault == STOREFILE_DELETED ||
		    sf.fault == STOREFILE_REPLACED)
			sf.fault = STOREFILE_OK;
	}
	pthread_mutex_unlock(&sf.lock);
}

static int rank(enum storefile_fault f)
{
	return f == STOREFILE_CORRUPT ? 2 : f == STOREFILE_DELETED ||
		f == STOREFILE_REPLACED ? 1 : 0;
}

/* The bytes free to the daemon on the file system of path's folder, or
 * 0 when it cannot be told. */
static unsigned long long free_bytes(const char *path)
{
	char *copy = strdup(path);
	unsigned long long n = 0;
	struct statvfs vfs;

	if (copy && !statvfs(dirname(copy), &vfs))
		n = (unsigned long long)vfs.f_bavail * vfs.f_frsize;
	free(copy);
	return n;
}

/* What storefile_on_fault() was given. */
static void (*on_fault)(void);

static void note_locked(enum storefile_fault f, int err)
{
	void (*fn)(void) = __atomic_load_n(&on_fault, __ATOMIC_ACQUIRE);

	if (fn)
		fn();
	if (f == STOREFILE_FULL && sf.path)
		sf.free_at_full = free_bytes(sf.path);
	if (f == STOREFILE_CORRUPT)
		sf.suspect = 1;
	/* what the file is comes before what writing it met: a corrupt
	 * store stays so until checked or restored, a deleted one until
	 * written back */
	if (rank(f) >= rank(sf.fault)) {
		sf.fault = f;
		sf.err = err;
	}
}

void storefile_note(enum storefile_fault f)
{
	pthread_mutex_lock(&sf.lock);
	note_locked(f, 0);
	pthread_mutex_unlock(&sf.lock);
}

enum storefile_fault storefile_check(void)
{
	enum storefile_fault f = STOREFILE_OK;
	struct stat st;

	pthread_mutex_lock(&sf.lock);
	if (!sf.opened || !sf.path) {
		pthread_mutex_unlock(&sf.lock);
		return STOREFILE_OK;
	}
	if (stat(sf.path, &st))
		f = errno == ENOENT || errno == ENOTDIR ? STOREFILE_DELETED :
			STOREFILE_OK;
	else if (st.st_dev != sf.dev || st.st_ino != sf.ino)
		f = STOREFILE_REPLACED;
	if (f != STOREFILE_OK && sf.fault != f) {
		log_error(-EIO, "database %s: %s while mediamon uses it",
			  sf.path, fault_names[f]);
		note_locked(f, 0);
	}
	pthread_mutex_unlock(&sf.lock);
	return f;
}

enum storefile_fault storefile_classify(sqlite3 *db)
{
	int code = sqlite3_extended_errcode(db);
	int err = sqlite3_system_errno(db);

	switch (code & 0xff) {
	case SQLITE_FULL:
		return STOREFILE_FULL;
	case SQLITE_READONLY:
		return STOREFILE_READONLY;
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB:
		return STOREFILE_CORRUPT;
	case SQLITE_IOERR:
	case SQLITE_CANTOPEN:
		if (err == ENOSPC || err == EDQUOT)
			return STOREFILE_FULL;
		if (err == EROFS)
			return STOREFILE_READONLY;
		return STOREFILE_IOERR;
	}
	return STOREFILE_OK;
}

/* db_error()'s hook: faults of the store's connections are the store's;
 * a backup or a copy has its own caller to report to. */
static void on_db_error(sqlite3 *db, int rc)
{
	const char *name = db ? sqlite3_db_filename(db, "main") : NULL;
	enum storefile_fault f;

	(void)rc;
	if (!name)
		return;
	pthread_mutex_lock(&sf.lock);
	if (sf.name && !strcmp(name, sf.name)) {
		f = storefile_classify(db);
		if (f != STOREFILE_OK)
			note_locked(f, sqlite3_system_errno(db));
	}
	pthread_mutex_unlock(&sf.lock);
}

/* The pid another instance wrote in the lock file, or 0. */
static long lock_holder(int fd)
{
	char buf[32];
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);

	if (n <= 0)
		return 0;
	buf[n] = '\0';
	return strtol(buf, NULL, 10);
}

void storefile_note_pid(void)
{
	char buf[32];
	int n = snprintf(buf, sizeof(buf), "%ld\n", (long)getpid());

	if (sf.lock_fd < 0)
		return;
	if (ftruncate(sf.lock_fd, 0) || pwrite(sf.lock_fd, buf, n, 0) != n)
		log_warn("store: cannot write the pid into %s.lock: %s",
			 sf.path, strerror(errno));
}

/* A store made by an older mediamon may be readable by others: say so,
 * as only its owner should change what it shares. */
int storefile_create_private(const char *path)
{
	struct stat st;
	int fd;

	fd = open(path, O_RDONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0 && errno == ELOOP)
		fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return log_error(-errno, "database %s: cannot create: %s", path,
				 strerror(errno));
	if (!fstat(fd, &st) && (st.st_mode & 077))
		log_warn("database %s is readable by others (mode %04o);"
			 " chmod 600 it", path, st.st_mode & 07777);
	close(fd);
	return 0;
}

/*
 * Open the lock file, which the daemon writes its pid into: never through
 * a link, and only a file of the daemon's own with no other name, so a
 * link or a hard link planted in a store folder others may write to
 * cannot make the daemon overwrite a file it was never meant to touch.
 */
static int lock_open(const char *path, const char *lock_path)
{
	struct stat st;
	int fd, rc;

	fd = open(lock_path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW |
		  O_NONBLOCK | O_NOCTTY, 0600);
	if (fd < 0 && errno == ELOOP)
		return log_error(-ELOOP, "database %s: %s is a symbolic link,"
				 " not opened; remove it", path, lock_path);
	if (fd < 0)
		return log_error(-errno, "database %s: cannot open %s: %s",
				 path, lock_path, strerror(errno));
	if (fstat(fd, &st))
		rc = log_error(-errno, "database %s: cannot stat %s: %s", path,
			       lock_path, strerror(errno));
	else if (!S_ISREG(st.st_mode) || st.st_nlink != 1 ||
		 st.st_uid != geteuid())
		rc = log_error(-EPERM, "database %s: %s is not a file of this"
			       " user's alone (another name, owner or kind),"
			       " not written; remove it", path, lock_path);
	else
		return fd;
	close(fd);
	return rc;
}

/* Whether the store may live at path (storefile_claim()'s terms). */
static int check_private(const char *path)
{
	char *copy = strdup(path), *dir;
	struct stat st;
	int rc = 0, err;

	if (!copy)
		return log_error(-ENOMEM, "store: out of memory");
	dir = dirname(copy);
	if (stat(dir, &st))
		rc = log_error(-errno, "database folder %s: %s", dir,
			       strerror(errno));
	else if ((st.st_mode & (S_IWGRP | S_IWOTH)) ||
		 (st.st_uid != geteuid() && st.st_uid != 0))
		rc = log_error(-EPERM, "database %s: its folder %s may be"
			       " changed by other users (owner %u, mode %04o);"
			       " give the database a folder of its own, or"
			       " mount with -o db_shared_ok", path, dir,
			       (unsigned)st.st_uid, st.st_mode & 07777);
	free(copy);
	err = rc ? ENOENT : lstat(path, &st) ? errno : 0;
	if (err && err != ENOENT)
		rc = log_error(-err, "database %s: %s", path, strerror(err));
	else if (!err && S_ISLNK(st.st_mode))
		rc = log_error(-ELOOP, "database %s is a symbolic link, not"
			       " followed; name the file itself, or mount with"
			       " -o db_shared_ok", path);
	else if (!err && (!S_ISREG(st.st_mode) || st.st_uid != geteuid()))
		rc = log_error(-EPERM, "database %s is not a file of this"
			       " user's (owner %u); remove it, or mount with"
			       " -o db_shared_ok", path, (unsigned)st.st_uid);
	return rc;
}

/* How long a claim waits for the lock of a daemon that has ended: the
 * kernel lets it go once no process holds the file, and a process the
 * daemon was starting holds a copy of its files until it runs its
 * program. */
#define LOCK_WAIT_S 3.0

/* Whether the daemon the lock file names has ended. */
static int holder_ended(int fd)
{
	long pid = lock_holder(fd);

	return pid > 0 && kill((pid_t)pid, 0) && errno == ESRCH;
}

/* Take the lock on fd at once, or within LOCK_WAIT_S while the daemon
 * that held it has ended. Returns 0 or a negative errno value. */
static int take_lock(int fd)
{
	double until = clock_mono() + LOCK_WAIT_S;
	int err;

	while (flock(fd, LOCK_EX | LOCK_NB)) {
		err = errno;
		if (err != EWOULDBLOCK || clock_mono() >= until ||
		    !holder_ended(fd))
			return -err;
		nanosleep(&(struct timespec){ .tv_nsec = 50000000 }, NULL);
	}
	return 0;
}

int storefile_claim(const char *path, int shared_ok)
{
	char *lock_path = NULL;
	int fd, rc;

	rc = storefile_make_folders(path);
	if (!rc && !shared_ok)
		rc = check_private(path);
	if (rc)
		return rc;
	if (asprintf(&lock_path, "%s.lock", path) < 0)
		return log_error(-ENOMEM, "store: out of memory");
	fd = lock_open(path, lock_path);
	if (fd < 0) {
		free(lock_path);
		return fd;
	}
	rc = take_lock(fd);
	if (rc) {
		long pid = lock_holder(fd);

		rc = rc == -EWOULDBLOCK ?
			log_error(-EBUSY, "database %s is in use by another"
				  " mediamon (pid %ld); stop it first, or give"
				  " this one a database of its own",
				  path, pid) :
			log_error(rc, "database %s: cannot lock %s: %s",
				  path, lock_path, strerror(-rc));
		close(fd);
		free(lock_path);
		return rc;
	}
	free(lock_path);
	rc = storefile_create_private(path);
	if (rc) {
		close(fd);
		return rc;
	}
	pthread_mutex_lock(&sf.lock);
	if (sf.lock_fd >= 0)
		close(sf.lock_fd);
	sf.lock_fd = fd;
	free(sf.path);
	sf.path = strdup(path);
	pthread_mutex_unlock(&sf.lock);
	if (!sf.path)
		return log_error(-ENOMEM, "store: out of memory");
	storefile_note_pid();
	db_set_error_hook(on_db_error);
	return 0;
}

const char *storefile_path(void)
{
	return sf.path;
}

/* A connection of its own, with no setting run on it: a damaged header
 * must fail the check, not the open. */
static int open_plain(const char *path, sqlite3 **db)
{
	int rc;

	db_setup();
	rc = sqlite3_open_v2(path, db, SQLITE_OPEN_READONLY, NULL);
	if (rc == SQLITE_OK)
		return 0;
	rc = log_error(-EIO, "database %s: cannot open: %s", path,
		       *db ? sqlite3_errmsg(*db) : sqlite3_errstr(rc));
	sqlite3_close(*db);
	*db = NULL;
	return rc;
}

static int corrupt(int rc)
{
	return (rc & 0xff) == SQLITE_CORRUPT || (rc & 0xff) == SQLITE_NOTADB;
}

int storefile_damaged(const char *path, struct strbuf *why)
{
	sqlite3_stmt *st = NULL;
	sqlite3 *db;
	int rc, damaged = 0;

	rc = open_plain(path, &db);
	if (rc)
		return rc;
	rc = sqlite3_prepare_v2(db, "PRAGMA quick_check", -1, &st, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(st);
	for (; rc == SQLITE_ROW; rc = sqlite3_step(st)) {
		const char *line = (const char *)sqlite3_column_text(st, 0);

		/* "ok" alone, or what is wrong under a "*** in database
		 * main ***" heading */
		if (line && (!strcmp(line, "ok") || !strncmp(line, "***", 3)))
			continue;
		if (!damaged && why)
			strbuf_addstr(why, line ? line : "?");
		damaged = 1;
	}
	if (rc == SQLITE_DONE) {
		rc = damaged;
	} else if (corrupt(rc)) {
		if (why)
			strbuf_addstr(why, sqlite3_errmsg(db));
		rc = 1;
	} else {
		rc = db_error(db, rc, "quick_check");
	}
	sqlite3_finalize(st);
	sqlite3_close(db);
	return rc;
}

void storefile_writes_work(void)
{
	pthread_mutex_lock(&sf.lock);
	if (!rank(sf.fault))
		sf.fault = STOREFILE_OK;
	pthread_mutex_unlock(&sf.lock);
}

void storefile_clear(void)
{
	pthread_mutex_lock(&sf.lock);
	sf.fault = STOREFILE_OK;
	sf.suspect = 0;
	pthread_mutex_unlock(&sf.lock);
}

enum storefile_fault storefile_fault(void)
{
	enum storefile_fault f;

	pthread_mutex_lock(&sf.lock);
	f = sf.fault;
	pthread_mutex_unlock(&sf.lock);
	return f;
}

int storefile_space_returned(void)
{
	unsigned long long then;
	char *path;
	int back;

	pthread_mutex_lock(&sf.lock);
	then = sf.free_at_full;
	path = sf.fault == STOREFILE_FULL && sf.path ? strdup(sf.path) : NULL;
	pthread_mutex_unlock(&sf.lock);
	back = path && free_bytes(path) > then + SPACE_MARGIN;
	free(path);
	return back;
}

void storefile_on_fault(void (*fn)(void))
{
	__atomic_store_n(&on_fault, fn, __ATOMIC_RELEASE);
}

int storefile_take_suspect(void)
{
	int was;

	pthread_mutex_lock(&sf.lock);
	was = sf.suspect;
	sf.suspect = 0;
	pthread_mutex_unlock(&sf.lock);
	return was;
}

uint64_t storefile_epoch(void)
{
	return __atomic_load_n(&sf.epoch, __ATOMIC_ACQUIRE);
}

void storefile_new_epoch(void)
{
	__atomic_add_fetch(&sf.epoch, 1, __ATOMIC_RELEASE);
}

void storefile_remember(const char *line)
{
	pthread_mutex_lock(&sf.lock);
	strbuf_addf(&sf.remembered, "warn: %s\n", line);
	pthread_mutex_unlock(&sf.lock);
}

void storefile_health(struct strbuf *errors, struct strbuf *warns)
{
	pthread_mutex_lock(&sf.lock);
	switch (sf.fault) {
	case STOREFILE_OK:
		break;
	case STOREFILE_IOERR:
		strbuf_addf(errors, "error: store: i/o error: %s (%s)\n",
			    strerror(sf.err ? sf.err : EIO), sf.path);
		break;
	default:
		strbuf_addf(errors, "error: store: %s (%s)\n",
			    fault_names[sf.fault], sf.path);
	}
	strbuf_add(warns, sf.remembered.buf, sf.remembered.len);
	pthread_mutex_unlock(&sf.lock);
}
