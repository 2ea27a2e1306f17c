/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_CATALOG_IMPORT_H
#define MEDIAMON_CATALOG_IMPORT_H

/*
 * mediamon --import-catalog FORMAT FILE: an export of links (EBDZ's ed2k
 * links, kept by hand or by a browser extension) turned into lines of
 * the catalog file (catalog.h's format), appended to it.
 *
 *	struct catalog_import n;
 *
 *	if (!catalog_import_file(cfg->catalog_file, "links", "ebdz.txt",
 *				 stderr, &n))
 *		...	n.added, n.duplicates, n.bad
 *
 * FORMAT is one of:
 *
 *   links   one ed2k file link a line
 *           (ed2k://|file|NAME|SIZE|HASH|/): the title is NAME (%XX
 *           undone), the size SIZE
 *   csv     name,link a line (RFC 4180 quoting, within one line; a first
 *           line "name,link" is a header): the title is name, the link
 *           an ed2k file link (its size taken), a magnet or an http(s)
 *           link
 *
 * Each line added is {"title", "link", "size" (null when the link gives
 * none), "source": "import"}. Blank lines are skipped. A bad line (not a
 * link of the format, an empty name, text that is not UTF-8, longer than
 * CATALOG_MAX_LINE) is told on report as "FILE:N: why" and skipped; the
 * others are added. The catalog is kept as it is: what is added goes
 * after its last line, in one write, synced; a link it holds already, or
 * one an earlier line of FILE gave, is skipped (an ed2k file link is the
 * same as another of the same hash, whatever its name). A catalog that
 * does not exist is made (0644). The daemon reloads the catalog when it
 * changes.
 *
 * Returns 0 (bad lines are counted, not errors), -EINVAL for an unknown
 * FORMAT, or the error of reading FILE or the catalog, or of writing the
 * catalog (nothing added then), each told on report.
 */

#include <stddef.h>
#include <stdio.h>

struct catalog_import {
	size_t added, duplicates, bad;
};

int catalog_import_file(const char *catalog, const char *format,
			const char *file, FILE *report,
			struct catalog_import *out);

#endif
