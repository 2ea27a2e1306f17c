/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The real files behind the views' nodes (views_real.h): their paths,
 * and their stat, open and access as the caller. It lists no folder and
 * judges no listing; that is views.c's.
 */
#include "fs/tree/views_real.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>

#include "fs/tree/caller.h"
#include "indexer/reads.h"

/* The track the calling thread resolved last and its file on disk. */
static __thread struct {
	int64_t file;
	char path[4096];
} last_real;

void views_real_remember(int64_t file, const char *path)
{
	last_real.file = 0;
	if (path && strlen(path) < sizeof(last_real.path)) {
		strcpy(last_real.path, path);
		last_real.file = file;
	}
}

int views_real_path(int64_t file, struct strbuf *out)
{
	if (file && file == last_real.file) {
		strbuf_addstr(out, last_real.path);
		return 0;
	}
	return query_file_path(file, out);
}

int views_real_stat(int64_t file, struct stat *st)
{
	struct strbuf path = STRBUF_INIT;
	int rc;

	if (file < 0)
		return covers_stat(-file, caller_stat, st);
	rc = views_real_path(file, &path);
	if (!rc)
		rc = caller_stat(path.buf, st);
	if (!rc && !S_ISREG(st->st_mode))
		rc = -ENOENT;
	strbuf_release(&path);
	if (!rc)
		st->st_mode &= ~(mode_t)0222;
	return rc;
}

int views_real_open(int64_t file, struct cover_copy **copy)
{
	struct strbuf path = STRBUF_INIT;
	int rc;

	*copy = NULL;
	if (file < 0) {
		rc = covers_open(-file, caller_open, copy);
	} else {
		rc = views_real_path(file, &path);
		if (!rc)
			rc = caller_open(path.buf, O_RDONLY);
	}
	strbuf_release(&path);
	return rc == -EXDEV || rc == -EINVAL ? -EACCES : rc;
}

int views_real_access(int64_t file)
{
	struct strbuf path = STRBUF_INIT;
	int rc;

	if (caller_is_owner())
		return 0;
	rc = views_real_path(file < 0 ? -file : file, &path);
	if (!rc && !caller_may_read(path.buf))
		rc = -EACCES;
	strbuf_release(&path);
	return rc;
}

