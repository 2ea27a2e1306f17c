/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * A series' own save_path looked at before it is used (series_save.h):
 * whose each of its folders is. It makes no folder, opens nothing inside
 * one, and sends nothing; the hand-off and the import ask it.
 */
#include "indexer/monitor/series_save.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/listener.h"
#include "common/path.h"
#include "common/symlinks.h"
#include "indexer/monitor/download.h"

/* The folder at path (its first len bytes) as series_save.h wants it:
 * 0, 1 when it is not made yet, or -EACCES with why: the owner first,
 * with the client's own words, then who else may change it. */
static int look(char *path, size_t len, const uid_t *trusted, size_t nr,
		char *why, size_t why_len)
{
	char saved = path[len], name[64], what[128];
	struct stat st;
	int rc = 0;

	path[len] = '\0';
	if (lstat(path, &st)) {
		rc = errno == ENOENT ? 1 : -EACCES;
		if (rc < 0)
			snprintf(why, why_len, "the series' save_path lies in"
				 " %s, which cannot be looked at (%s):"
				 " not used", path, strerror(errno));
	} else if (!S_ISDIR(st.st_mode)) {
		rc = -EACCES;
		snprintf(why, why_len, "the series' save_path lies in %s,"
			 " which is %s: not used", path, S_ISLNK(st.st_mode) ?
			 "a symbolic link" : "no folder");
	} else if (!listener_uid_trusted(st.st_uid, trusted, nr)) {
		rc = -EACCES;
		listener_name(st.st_uid, name, sizeof(name));
		snprintf(why, why_len, "the series' save_path lies in %s,"
			 " a folder of user %s, not the client's: not used"
			 " (name that user as client_user if it runs the"
			 " client)", path, name);
	} else if (symlinks_untrusted(&st, trusted, nr, what, sizeof(what))) {
		rc = -EACCES;
		snprintf(why, why_len, "the series' save_path lies in %s,"
			 " which %s: not used", path, what);
	}
	path[len] = saved;
	return rc;
}

int series_save_check(const struct download_client *c, const char *folder,
		      char *why, size_t len)
{
	const char *base = c->save_path && *c->save_path ? c->save_path :
		NULL;
	char *path = path_normalize("/", folder);
	uid_t trusted[2];
	size_t nr = 0, at;
	struct stat st;
	int rc = 0;

	if (!path) {
		snprintf(why, len, "out of memory");
		return -ENOMEM;
	}
	if (c->client_user)
		trusted[nr++] = c->client_uid;
	if (base && path_under(path, base) && !stat(base, &st)) {
		trusted[nr++] = st.st_uid;
		at = strlen(base) - (base[strlen(base) - 1] == '/');
	} else {
		at = 0;
	}
	while (!rc && path[at]) {
		at += path[at] == '/';
		at += strcspn(path + at, "/");
		rc = look(path, at, trusted, nr, why, len);
	}
	free(path);
	return rc < 0 ? rc : 0;
}
