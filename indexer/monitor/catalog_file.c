/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The [catalog] file opened only where no other user could have put or
 * changed it (catalog_file.h), and its refusal kept for health. It reads
 * no line of it (catalog and catalog_import do).
 */
#include "indexer/monitor/catalog_file.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/log.h"
#include "common/strbuf.h"
#include "common/symlinks.h"

/* The last refusal of the reload, "" when none. */
static struct {
	pthread_mutex_t lock;
	char why[1024];
} refusal = { .lock = PTHREAD_MUTEX_INITIALIZER };

/* path as an absolute one, into out. */
static int catalog_abs_path(const char *path, struct strbuf *out)
{
	char cwd[4096];

	if (*path != '/') {
		if (!getcwd(cwd, sizeof(cwd)))
			return -errno;
		strbuf_addf(out, "%s/", cwd);
	}
	strbuf_addstr(out, path);
	return 0;
}

/* Make the missing file path in its folder, opened as an owned folder,
 * with flags: never through a link, never onto a file put there. */
static int create(const char *path, int flags, struct strbuf *why)
{
	char name[NAME_MAX + 1];
	int dfd, fd;

	dfd = symlinks_open_owned_parent(path, NULL, 0, why, name,
					 sizeof(name));
	if (dfd < 0)
		return dfd;
	fd = openat(dfd, name, flags | O_CREAT | O_EXCL | O_NOFOLLOW |
		    O_CLOEXEC, 0644);
	if (fd < 0)
		fd = -errno;
	close(dfd);
	return fd;
}

int catalog_file_open(const char *path, int flags, struct strbuf *why)
{
	struct strbuf abs = STRBUF_INIT, own = STRBUF_INIT;
	int fd = catalog_abs_path(path, &abs);

	if (!fd)
		fd = symlinks_open_owned(abs.buf, flags & ~O_CREAT, NULL, 0,
					 &own);
	if (fd == -ENOENT && !own.len && (flags & O_CREAT))
		fd = create(abs.buf, flags & ~O_CREAT, &own);
	if (fd < 0 && own.len)
		strbuf_addf(why, "catalog: the file %s is not used: %s (only"
			    " root or mediamon's user may change it or a"
			    " folder on its way)", path, own.buf);
	strbuf_release(&abs);
	strbuf_release(&own);
	return fd;
}

void catalog_file_refused(const char *why)
{
	int fresh;

	pthread_mutex_lock(&refusal.lock);
	fresh = why && strncmp(refusal.why, why, sizeof(refusal.why) - 1);
	snprintf(refusal.why, sizeof(refusal.why), "%s", why ? why : "");
	pthread_mutex_unlock(&refusal.lock);
	if (fresh)
		log_error(-EACCES, "%s: the catalog stays as it was", why);
}

void catalog_file_health(struct strbuf *errors)
{
	pthread_mutex_lock(&refusal.lock);
	if (refusal.why[0])
		strbuf_addf(errors, "error: %s: the catalog stays as it was"
			    " until it is mended\n", refusal.why);
	pthread_mutex_unlock(&refusal.lock);
}
