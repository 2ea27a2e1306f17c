/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_CATALOG_FILE_H
#define MEDIAMON_CATALOG_FILE_H

/*
 * The [catalog] file opened as the daemon may trust it: what it reads
 * there becomes the releases it hands to clients, and mediamon
 * --import-catalog appends there as root. Its path is walked from /
 * (symlinks_open_owned()): a link on the way is followed only when root
 * or the daemon's user made it, and the file and every folder on the
 * way must be theirs and written by no other group nor by every user
 * (a sticky folder aside), else it is refused with -EACCES.
 *
 *	struct strbuf why = STRBUF_INIT;
 *	int fd = catalog_file_open(path, O_RDONLY | O_NONBLOCK, &why);
 *
 * A refusal of the daemon's reload is logged once, stays a line of
 * /status/health until the file opens again, and leaves the catalog as
 * it was (catalog_reload()).
 */

struct strbuf;

/*
 * Open the catalog file at path (a relative one from the current folder)
 * with flags (O_CLOEXEC added), as above. With O_CREAT a missing file is
 * made (0644) in its folder, never through a link nor onto a file put
 * there meanwhile. Returns the descriptor; -EACCES (or -ELOOP, -EXDEV)
 * with the reason in why (a whole sentence naming the path); -ENOENT
 * with why empty when there is no file; or another negative errno value.
 */
int catalog_file_open(const char *path, int flags, struct strbuf *why);

/*
 * Note the reload's refusal why (NULL: the file opened or is missing):
 * logged when it is new, kept for catalog_file_health() until cleared.
 */
void catalog_file_refused(const char *why);

/* Append the line of the refused catalog file, if any, to errors. */
void catalog_file_health(struct strbuf *errors);

#endif
