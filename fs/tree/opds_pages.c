/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The pages of /opds/pages (opds_pages.h): which names lead to a page,
 * and its bytes, read through the caller's own descriptor of the volume.
 * It must not read an archive but through indexer/manga/pages.h.
 */
#include "fs/tree/opds_pages.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/array.h"
#include "common/log.h"
#include "common/strbuf.h"
#include "fs/tree/caller.h"
#include "fs/tree/node.h"
#include "fs/tree/open_caps.h"
#include "fs/tree/views.h"
#include "fs/tree/views_real.h"
#include "indexer/reads.h"

/* A decimal as written once ("0", "12", never "012"), up to max, ending
 * at *end; -1 when it is none. */
static int64_t number(const char *s, const char **end, int64_t max)
{
	int64_t n = 0;

	if (*s < '0' || *s > '9' || (*s == '0' && s[1] >= '0' && s[1] <= '9'))
		return -1;
	for (; *s >= '0' && *s <= '9'; s++) {
		if (n > (max - (*s - '0')) / 10)
			return -1;
		n = n * 10 + (*s - '0');
	}
	*end = s;
	return n;
}

static int stat_page(int64_t key, struct stat *st)
{
	return opds_pages_stat(key / PAGES_MAX_ENTRIES,
			       (size_t)(key % PAGES_MAX_ENTRIES), -1, st);
}

int opds_pages_resolve(const char *name, struct node *out)
{
	const char *end;
	int64_t file = number(name, &end, INT64_MAX / PAGES_MAX_ENTRIES - 1);
	int64_t page = 0;
	struct stat st;

	if (file < 1 || (*end && *end != '/'))
		return -ENOENT;
	if (*end)
		page = number(end + 1, &end, PAGES_MAX_ENTRIES - 1);
	if (page < 0 || *end)
		return -ENOENT;
	if (views_real_stat(file, &st) || views_real_access(file))
		return -ENOENT;
	if (name[strcspn(name, "/")] != '/') {
		*out = (struct node){ .type = NODE_DIR, .dynamic = 1 };
		return 0;
	}
	*out = (struct node){ NODE_FILE, .render_series = opds_pages_render,
			      .stat_series = stat_page,
			      .series = file * PAGES_MAX_ENTRIES + page };
	return 0;
}

/* Log what the reading of page n of file met, once here (kept: the
 * index's failure as the cache keeps it, logged when it was met): the
 * limits of pages.h; -ETIMEDOUT comes out as -EAGAIN. */
static int logged(int rc, int64_t file, size_t n, int kept)
{
	const char *why = rc == -EFBIG ? "it or the entries before it are"
			  " past the size limits" : rc == -E2BIG ? "its"
			  " archive has too many entries" : rc == -ETIMEDOUT ?
			  "its archive took too long to read" : NULL;

	if (why && !kept)
		log_warn("pages: page %zu of file %" PRId64 " is not served:"
			 " %s", n, file, why);
	return rc == -EINVAL ? -ENOENT : rc == -ETIMEDOUT ? -EAGAIN : rc;
}

/* A volume file open as the caller, and its index. */
struct opened {
	int fd;
	const struct pages_index *ix;
	struct stat st;
	int kept;	/* the index's failure, as the cache kept it */
};

/* Open the volume file and find its index: 0 or an error. */
static int index_of(int64_t file, struct opened *o)
{
	struct cover_copy *copy;
	int rc, fresh;

	o->ix = NULL;
	o->kept = 0;
	o->fd = views_real_open(file, &copy);
	if (o->fd < 0)
		return o->fd;
	rc = pages_cache_get(o->fd, &o->ix, &o->st, &fresh);
	o->kept = rc && !fresh;
	if (rc) {
		close(o->fd);
		o->fd = -1;
	}
	return rc;
}

/* index_of(), and page n there, of kind when not -1: 0 or an error. */
static int page_of(int64_t file, size_t n, int kind, struct opened *o)
{
	int rc = index_of(file, o);

	if (!rc && (n >= o->ix->nr ||
		    (kind >= 0 && pages_kind(o->ix->pages[n].name) != kind)))
		rc = -ENOENT;
	return rc;
}

static void let_go(struct opened *o)
{
	pages_cache_put(o->ix);
	if (o->fd >= 0)
		close(o->fd);
}

/* Read page n of o for the caller, counted in its caps while it is
 * unpacked: as much as its header says, else as much as a page may be. */
static int unpack(struct opened *o, size_t n, struct strbuf *out)
{
	int64_t said = o->ix->pages[n].size;
	size_t bytes = said >= 0 && said < PAGES_MAX_IMAGE ? (size_t)said :
		       PAGES_MAX_IMAGE;
	int owner = caller_is_owner();
	int rc = open_caps_unpack_begin(caller_uid(), owner, bytes);

	if (rc)
		return rc;
	rc = pages_read(o->fd, o->ix, n, out);
	open_caps_unpack_end(caller_uid(), owner, bytes);
	return rc;
}

int opds_pages_read(struct strbuf *out, int64_t file, size_t n, int kind)
{
	struct opened o;
	int rc = page_of(file, n, kind, &o);

	if (!rc)
		rc = unpack(&o, n, out);
	let_go(&o);
	return logged(rc, file, n, o.kept);
}

int opds_pages_stat(int64_t file, size_t n, int kind, struct stat *st)
{
	struct opened o;
	int rc = page_of(file, n, kind, &o);

	if (!rc) {
		st->st_mtim = st->st_ctim = st->st_atim = o.st.st_mtim;
		st->st_size = o.ix->pages[n].size;
		rc = o.ix->pages[n].size < 0;
	}
	let_go(&o);
	return rc < 0 ? logged(rc, file, n, o.kept) : rc;
}

int opds_pages_names(int64_t file, char ***names, size_t *nr)
{
	struct opened o;
	int rc = index_of(file, &o);
	const struct pages_index *ix = o.ix;

	*names = NULL;
	*nr = 0;
	if (!rc && ix->nr && !(*names = calloc(ix->nr, sizeof(**names))))
		rc = -ENOMEM;
	for (size_t i = 0; !rc && i < ix->nr; i++, ++*nr)
		if (!((*names)[i] = strdup(ix->pages[i].name)))
			rc = -ENOMEM;
	if (rc) {
		array_free_strings(*names, *nr);
		*names = NULL;
		*nr = 0;
	}
	let_go(&o);
	return rc == -ENOMEM ? rc : logged(rc, file, 0, o.kept);
}

int opds_pages_render(struct strbuf *out, int64_t key)
{
	return opds_pages_read(out, key / PAGES_MAX_ENTRIES,
			       (size_t)(key % PAGES_MAX_ENTRIES), -1);
}
