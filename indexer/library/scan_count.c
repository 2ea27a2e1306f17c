/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * A scan's count of the files it will walk (scan_count.h): the folders
 * of its requests listed ahead of it on a thread of their own. It opens
 * folders alone, never a file, and writes nothing but the count; what
 * the scan itself finds is none of its business.
 */
#include "indexer/library/scan_count.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/log.h"
#include "common/strbuf.h"
#include "common/thread.h"
#include "indexer/library/scan_listing.h"
#include "indexer/library/scan_request.h"

/* Room for getdents64()'s records, 8-byte aligned as struct dirent64. */
#define COUNT_DENTS 32768

/* Whether the entry de of the folder dfd is a folder to walk: a link is
 * a file to the scanner, as a name it cannot tell is. */
static int is_folder(int dfd, const struct dirent64 *de)
{
	struct stat st;

	if (de->d_type != DT_UNKNOWN)
		return de->d_type == DT_DIR;
	return !fstatat(dfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) &&
	       S_ISDIR(st.st_mode);
}

/* Count the files of the folder dir (relative to root, "" for root
 * itself) and push its folders on todo, each NUL-ended. */
static void count_folder(int root, const char *dir, struct strbuf *todo,
			 uint64_t *count, char *dents)
{
	int dfd = openat(root, *dir ? dir : ".", O_RDONLY | O_DIRECTORY |
			 O_NOFOLLOW | O_CLOEXEC);
	uint64_t files = 0;
	ssize_t n;

	/* a folder that cannot be listed is the scan's to tell */
	if (dfd < 0)
		return;
	while ((n = getdents64(dfd, dents, COUNT_DENTS)) > 0) {
		for (ssize_t off = 0; off < n;) {
			struct dirent64 *de = (void *)(dents + off);

			off += de->d_reclen;
			if (!scan_listing_wanted(de))
				continue;
			if (!is_folder(dfd, de)) {
				files++;
				continue;
			}
			if (*dir)
				strbuf_addf(todo, "%s/", dir);
			strbuf_add(todo, de->d_name, strlen(de->d_name) + 1);
		}
	}
	close(dfd);
	__atomic_add_fetch(count, files, __ATOMIC_RELAXED);
}

int scan_count_tree(const char *path, uint64_t *count, const int *stop)
{
	struct strbuf todo = STRBUF_INIT, dir = STRBUF_INIT;
	struct stat st;
	char *dents;
	int root = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (root < 0) {
		/* a file asked alone is one file */
		if (errno == ENOTDIR && !lstat(path, &st))
			__atomic_add_fetch(count, 1, __ATOMIC_RELAXED);
		return errno == ENOTDIR ? 0 : -errno;
	}
	dents = aligned_alloc(8, COUNT_DENTS);
	if (!dents) {
		close(root);
		return -ENOMEM;
	}
	/* the folders still to list, a stack of NUL-ended names: deep
	 * first, as the scan goes */
	strbuf_add(&todo, "", 1);
	while (todo.len && !__atomic_load_n(stop, __ATOMIC_RELAXED)) {
		const char *last = memrchr(todo.buf, '\0', todo.len - 1);
		size_t at = last ? (size_t)(last + 1 - todo.buf) : 0;

		strbuf_reset(&dir);
		strbuf_addstr(&dir, todo.buf + at);
		todo.len = at;
		todo.buf[at] = '\0';
		count_folder(root, dir.buf, &todo, count, dents);
	}
	free(dents);
	strbuf_release(&todo);
	strbuf_release(&dir);
	close(root);
	return 0;
}

static void *count_main(void *arg)
{
	struct scan_count *c = arg;
	struct strbuf path = STRBUF_INIT;

	for (size_t i = 0; i < c->nr; i++) {
		const struct scan_request *r = &c->req[i];

		for (size_t k = 0; k < r->nr_subpaths; k++) {
			strbuf_reset(&path);
			strbuf_addstr(&path, r->root_path);
			if (*r->subpaths[k])
				strbuf_addf(&path, "/%s", r->subpaths[k]);
			if (scan_count_tree(path.buf, c->count, &c->stop) ==
			    -ENOMEM)
				log_warn("scan: no memory to count %s's files"
					 " ahead", path.buf);
		}
	}
	strbuf_release(&path);
	/* after the last of the count: who reads 0 reads the whole count */
	__atomic_store_n(c->counting, 0, __ATOMIC_RELEASE);
	return NULL;
}

int scan_count_start(struct scan_count *c, const struct scan_request *req,
		     size_t nr, uint64_t *count, uint64_t *counting)
{
	int rc;

	*c = (struct scan_count){ .req = req, .nr = nr, .count = count,
				  .counting = counting };
	__atomic_store_n(counting, 1, __ATOMIC_RELAXED);
	rc = thread_start(&c->thread, count_main, c, "mm-scan-count");
	if (rc) {
		__atomic_store_n(counting, 0, __ATOMIC_RELAXED);
		return log_error(rc, "scan: cannot count the files ahead: %s",
				 strerror(-rc));
	}
	c->started = 1;
	return 0;
}

void scan_count_stop(struct scan_count *c)
{
	if (!c->started)
		return;
	__atomic_store_n(&c->stop, 1, __ATOMIC_RELAXED);
	pthread_join(c->thread, NULL);
	c->started = 0;
}
