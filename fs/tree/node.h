/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_NODE_H
#define MEDIAMON_NODE_H

/*
 * What one entry of the mount is: a folder, a generated file, a control
 * file or a library file, with the functions that render or command it.
 * The tree (nodes.h) and the views (views.h, manga_view.h) hand these
 * out; fs.c serves them.
 */

#include <stdint.h>
#include <sys/types.h>

struct stat;
struct strbuf;

/*
 * A generated file's render function (node.render): one whole document
 * appended to out; 0 or a negative errno value. The fs/tree/render_*.c
 * modules declare theirs with it.
 */
typedef int node_render_fn(struct strbuf *out);

enum node_type {
	NODE_DIR,
	NODE_FILE,	/* generated, read-only */
	NODE_CONTROL,	/* generated on read, takes commands on write */
	NODE_REAL,	/* a library file: reads come from the real file */
};

struct node {
	enum node_type type;
	node_render_fn *render;
	int (*write)(const char *buf, size_t len);
	/* A node about one series of /manga takes its id instead. */
	int (*render_series)(struct strbuf *out, int64_t series);
	int (*write_series)(const char *buf, size_t len, int64_t series);
	/* A file whose size and times are known without its rendering
	 * (a manga page, from its archive's index): fills st_size and the
	 * times, 0; 1 when only the times are known; or -errno. A folder's
	 * fills its times (a volume's pages: the archive's), 1 or -errno;
	 * the kernel asks for them each time (fs_attr_timeout()). */
	int (*stat_series)(int64_t series, struct stat *st);
	int64_t series;
	/* /manga and /manga/SERIES list what the store holds. */
	int dynamic;
	/* The files.id of a NODE_REAL; negated, a track's embedded
	 * picture (indexer/library/covers.h). */
	int64_t file;
	/* It names real paths: the daemon's user's (and root's) alone. */
	int owner_only;
	/* A generated file that is always empty: stat() shows size 0. */
	int empty;
	/* A file that grows, read as a stream (fs/mount/grow.h): /log. */
	int grows;
	/* A list as long as the library is large, read from a rendering
	 * made apart once it is (fs/tree/snapshots.h). */
	int snapshot;
	/* A track of the music views: the names it has there, one a view
	 * (nodes_identity()); 0 for anything else. */
	int names;
	/* An editor's temporary file (fs/mount/edits.h, fs/tree/scratch.h). */
	int temp;
	/* A volume folder's generated zip (fs/tree/opds_zip.h), read as it is
	 * made; series is the folder's directories.id. */
	int zip;
};

#endif
