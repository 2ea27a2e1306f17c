/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_RD_UNLINK_H
#define MEDIAMON_RD_UNLINK_H

/*
 * Deleting one dead link of a Real-Debrid library by descriptor, never by
 * a path resolved again: the library folder that holds the link is opened
 * once, the link's folder beneath it with no symbolic link on the way
 * (symlinks_open_beneath()), and the link goes with unlinkat() on that
 * folder only when fstatat() and readlinkat() there say it still is the
 * dead link to target the decision was about. A folder of the library
 * swapped for a link to somewhere else deletes nothing there.
 *
 *	rc = rd_unlink_dead(&cfg->rd_libraries, link->path, link->target);
 *	if (!rc)
 *		...	deleted
 *	else if (rc == -ESTALE)
 *		...	changed since, left alone
 */

struct config_list;

/*
 * Delete the symlink path (absolute, normalized, as the walk of the
 * library folders libraries named it) when it still points to target
 * (absolute, normalized) and target still does not resolve. Returns 0
 * when it went, -ESTALE when it is no longer that dead link, -EXDEV when
 * path lies in no library folder, -ELOOP when a link lies on the way from
 * the library folder, or another negative errno value; all but -ESTALE
 * are logged.
 */
int rd_unlink_dead(const struct config_list *libraries, const char *path,
		   const char *target);

#endif
