#ifndef MEDIAMON_PATH_H
#define MEDIAMON_PATH_H

/*
 * Paths as text, without asking the file system: whether one lies in a
 * folder, by whole names ("/a/b" lies in "/a", "/ab" does not). Callers
 * give normalized paths (no ".", "..", repeated or trailing slashes), so a
 * prefix test is enough.
 *
 *	if (path_under(target, root))	(target is root or inside it)
 *	if (path_below(target, mount))	(strictly inside the mount)
 */

/*
 * Whether path is dir or lies below it. Every path lies under "" (as
 * root-relative paths are written, "" being the root itself) and every
 * absolute path under "/".
 */
int path_under(const char *path, const char *dir);

/* Whether path lies strictly below dir: under it, and not dir itself. */
int path_below(const char *path, const char *dir);

#endif
