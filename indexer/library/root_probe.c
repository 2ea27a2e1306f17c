/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The look at a folder that root_probe.h describes: a stat of it and of
 * its parent and the first entry of its listing. It judges nothing and
 * keeps nothing.
 */
#include "indexer/library/root_probe.h"

#include <dirent.h>
#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "common/strbuf.h"

void root_probe(const char *dir, struct root_probe *p)
{
	struct strbuf parent = STRBUF_INIT;
	struct stat st, pst;
	struct dirent *d;
	DIR *dp;

	memset(p, 0, sizeof(*p));
	if (stat(dir, &st)) {
		p->err = -errno;
		return;
	}
	if (!S_ISDIR(st.st_mode)) {
		p->err = -ENOTDIR;
		return;
	}
	p->exists = 1;
	p->dev = st.st_dev;
	strbuf_addf(&parent, "%s/..", dir);
	if (stat(parent.buf, &pst) || st.st_dev != pst.st_dev ||
	    st.st_ino == pst.st_ino)
		p->mount_point = 1;
	strbuf_release(&parent);
	dp = opendir(dir);
	if (!dp) {
		p->err = -errno;
		return;
	}
	errno = 0;
	while (!p->has_entries && (d = readdir(dp)))
		p->has_entries = strcmp(d->d_name, ".") &&
				 strcmp(d->d_name, "..");
	if (!p->has_entries && errno)
		p->err = -errno;
	closedir(dp);
}

const char *root_probe_why(int err)
{
	switch (err) {
	case -EMFILE:
	case -ENFILE:
	case -ENOMEM:
		return NULL;
	case -ENOENT:
	case -ENOTDIR:
		return "gone";
	case -EACCES:
	case -EPERM:
		return "not readable";
	}
	return "I/O error";
}
