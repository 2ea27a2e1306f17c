/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_ROOT_PROBE_H
#define MEDIAMON_ROOT_PROBE_H

/*
 * One look at a folder that should hold a library or a mount: whether it
 * is there, a mount point, and lists anything. The root guard
 * (root_guard.h) and the Real-Debrid repair's mount guard (rd_guard.h)
 * both judge by it.
 */

#include <sys/types.h>

/* What a look at a folder saw. */
struct root_probe {
	int err;		/* 0, or the negative errno of stat(), of
				 * opening it or of listing it */
	int exists;		/* stat() worked, and it is a folder */
	int mount_point;	/* its st_dev differs from its parent's */
	int has_entries;	/* it lists one entry or more */
	dev_t dev;
};

/* Look at the folder dir. A folder that cannot be looked at leaves the
 * fields 0 but err. */
void root_probe(const char *dir, struct root_probe *p);

/*
 * Why a folder whose look met err is unavailable, in a word or two:
 * "gone", "not readable" or "I/O error"; NULL for the daemon's own
 * shortage (EMFILE, ENFILE, ENOMEM), which says nothing of the folder.
 */
const char *root_probe_why(int err);

#endif
