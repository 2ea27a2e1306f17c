/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The covers of /opds (opds_cover.h): which volume has one, under what
 * name, and its bytes, read through the caller's own descriptor of the
 * volume. It must not read an archive but through indexer/manga/pages.h.
 */
#include "fs/tree/opds_cover.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/strbuf.h"
#include "fs/tree/node.h"
#include "fs/tree/opds_pages.h"
#include "fs/tree/views.h"
#include "fs/tree/views_real.h"
#include "indexer/reads.h"

void opds_cover_name(int64_t file, int kind, struct strbuf *out)
{
	strbuf_addf(out, "%" PRId64 ".%s", file, pages_ext(kind));
}

/* Its size and times, from the archive's index (opds_pages_stat()). */
static int stat_cover(int64_t key, struct stat *st)
{
	return opds_pages_stat(key / PAGES_KINDS, 0, key % PAGES_KINDS, st);
}

/* Whether the file is itself an image of that kind (a volume folder's
 * first), not an archive. */
static int is_image(int64_t file, int kind)
{
	struct strbuf path = STRBUF_INIT;
	int image = !views_real_path(file, &path) &&
		    pages_kind(path.buf) == kind;

	strbuf_release(&path);
	return image;
}

int opds_cover_resolve(const char *name, struct node *out)
{
	char *end;
	long long file;
	int kind;
	struct stat st;

	if (*name < '1' || *name > '9')
		return -ENOENT;
	errno = 0;
	file = strtoll(name, &end, 10);
	kind = *end == '.' ? pages_kind(end) : -1;
	if (errno || kind < 0 || strcmp(end + 1, pages_ext(kind)) ||
	    file > (INT64_MAX - kind) / PAGES_KINDS)
		return -ENOENT;
	if (views_real_stat(file, &st) || views_real_access(file))
		return -ENOENT;
	if (is_image(file, kind)) {
		*out = (struct node){ .type = NODE_REAL, .file = file };
		return 0;
	}
	*out = (struct node){ NODE_FILE, .render_series = opds_cover_render,
			      .stat_series = stat_cover,
			      .series = file * PAGES_KINDS + kind };
	return 0;
}

/* The first page of the volume file, read as the caller reads it: the
 * cover of the kind its name gives, or none. */
int opds_cover_render(struct strbuf *out, int64_t key)
{
	return opds_pages_read(out, key / PAGES_KINDS, 0, key % PAGES_KINDS);
}
