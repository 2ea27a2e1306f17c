/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Finding and reading the pages of a volume archive (pages.h) within
 * the limits that keep a hostile archive harmless. It reads; it keeps
 * nothing and writes nothing.
 */
#include "indexer/manga/pages.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <archive_entry.h>

#include "common/array.h"
#include "common/bytes.h"
#include "common/clock.h"
#include "common/strbuf.h"
#include "indexer/manga/comic_archive.h"

static const struct {
	const char *ext, *type;
} images[PAGES_KINDS] = {
	{ "jpg", "image/jpeg" },
	{ "jpeg", "image/jpeg" },
	{ "png", "image/png" },
	{ "webp", "image/webp" },
	{ "gif", "image/gif" },
};

int pages_ext_kind(const char *ext)
{
	for (int i = 0; ext && i < PAGES_KINDS; i++)
		if (!strcasecmp(ext, images[i].ext))
			return i;
	return -1;
}

int pages_kind(const char *name)
{
	const char *dot = strrchr(name, '.');

	return dot ? pages_ext_kind(dot + 1) : -1;
}

const char *pages_ext(int kind)
{
	return images[kind].ext;
}

const char *pages_type(int kind)
{
	return images[kind].type;
}

/* Whether the path stays inside the archive. */
static int inside(const char *path)
{
	const char *p = path;

	if (*path == '/' || *path == '\\')
		return 0;
	while (*p) {
		size_t len = strcspn(p, "/\\");

		if (len == 2 && p[0] == '.' && p[1] == '.')
			return 0;
		p += len;
		p += *p != '\0';
	}
	return 1;
}

/* The name of the entry e when it is a page, else NULL. */
static const char *page_name(struct archive_entry *e)
{
	const char *path = archive_entry_pathname(e);

	if (!path || archive_entry_filetype(e) != AE_IFREG ||
	    archive_entry_hardlink(e) || pages_kind(path) < 0 || !inside(path))
		return NULL;
	if (archive_entry_size_is_set(e) &&
	    archive_entry_size(e) > PAGES_MAX_IMAGE)
		return NULL;
	return path;
}

/* The processor time a walk may spend, in nanoseconds. */
static int64_t cpu_budget_ns = 10 * 1000000000LL;

void pages_set_cpu_budget(long ms)
{
	__atomic_store_n(&cpu_budget_ns, (int64_t)ms * 1000000,
			 __ATOMIC_RELAXED);
}

/* The processor time the calling thread has spent, in nanoseconds. */
static int64_t thread_cpu_ns(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts))
		return 0;
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* A walk of the pages, within the budget of pages.h. */
struct page_walk {
	struct comic_archive ca;
	double until;		/* clock_mono(): the wall time's bound */
	int64_t cpu_until;	/* thread_cpu_ns(): the processor's */
	int (*fn)(struct page_walk *w, struct archive_entry *e,
		  const char *name);
	const struct pages_index *ix;	/* pages_read()'s */
	size_t n, seen;
	struct pages_index *out;	/* pages_index()'s */
	size_t alloc;
	struct strbuf *text;
	char scratch[COMIC_ARCHIVE_READ];
};

/* Whether the walk has spent its time: the thread's processor time, or
 * the wall time's larger bound. */
static int over_time(const struct page_walk *w)
{
	return thread_cpu_ns() > w->cpu_until || clock_mono() > w->until;
}

/*
 * Unpack the entry at hand of a solid archive and throw it away, within
 * the walk's time: libarchive 3.6 skips a 7z entry of a stream it has
 * not begun to unpack by counting its bytes alone, and the read of a
 * later entry of that stream then fails ("Truncated 7-Zip file body").
 * Passing over it costs this unpacking anyway.
 */
static int drain(struct page_walk *w)
{
	la_ssize_t r;

	do {
		r = archive_read_data(w->ca.a, w->scratch, sizeof(w->scratch));
		if (r > 0 && over_time(w))
			return -ETIMEDOUT;
	} while (r > 0);
	return r ? (w->ca.src.err ? w->ca.src.err : -EINVAL) : 0;
}

/*
 * Walk the entries, calling w->fn with each page until it returns
 * nonzero (which is returned), within the budget. A damaged archive ends
 * the walk with what came before the damage; a failed read is an error.
 */
static int each_page(struct page_walk *w)
{
	struct comic_archive *ca = &w->ca;
	struct archive_entry *e;
	int64_t passed = 0, last = 0;
	const char *name;

	for (size_t n = 0;; n++) {
		int r;

		if (last && comic_archive_unpacks(ca->a) &&
		    (passed += last) > PAGES_MAX_UNPACK)
			return -EFBIG;
		if (over_time(w))
			return -ETIMEDOUT;
		r = archive_read_next_header(ca->a, &e);
		if (r == ARCHIVE_EOF)
			return 0;
		if (r != ARCHIVE_OK && r != ARCHIVE_WARN)
			return ca->src.err;
		if (n == PAGES_MAX_ENTRIES)
			return -E2BIG;
		last = !archive_entry_size_is_set(e) ? PAGES_MAX_UNPACK + 1 :
			archive_entry_size(e) > 0 ? archive_entry_size(e) : 0;
		name = page_name(e);
		if (name && (r = w->fn(w, e, name)))
			return r;
		if (w->text && comic_archive_unpacks(ca->a) &&
		    (r = drain(w)))
			return r;
	}
}

/* Keep name in *best when it comes first in natural order. */
static int keep_first(const char *name, char **best)
{
	char *copy;

	if (*best && strverscmp(name, *best) >= 0)
		return 0;
	copy = strdup(name);
	if (!copy)
		return -ENOMEM;
	free(*best);
	*best = copy;
	return 0;
}

int pages_tally_add(struct pages_tally *t, struct archive_entry *e)
{
	const char *name = page_name(e), *path = archive_entry_pathname(e);

	if (t->entries++ >= PAGES_MAX_ENTRIES)
		return 0;
	if (!name) {
		t->refused += path && pages_kind(path) >= 0;
		return 0;
	}
	t->pages++;
	return keep_first(name, &t->first);
}

size_t pages_tally_end(struct pages_tally *t, int *kind)
{
	size_t n = t->entries > PAGES_MAX_ENTRIES || t->cut ? 0 : t->pages;

	*kind = n ? pages_kind(t->first) : -1;
	free(t->first);
	*t = (struct pages_tally){ 0, 0, NULL, 0, 0 };
	return n;
}

static int by_natural_order(const void *a, const void *b)
{
	const struct pages_entry *x = a, *y = b;
	int c = strverscmp(x->name, y->name);

	return c ? c : (x->at > y->at) - (x->at < y->at);
}

/* Take out back to its first len bytes. */
static void cut(struct strbuf *out, size_t len)
{
	out->len = len;
	out->buf[len] = '\0';
}

/* Read the entry at hand, a page, up to PAGES_MAX_IMAGE bytes, onto
 * out, within the walk's time: 0, or an error with out as it was. */
static int read_entry(struct page_walk *w, struct strbuf *out)
{
	size_t start = out->len;
	la_ssize_t r;

	do {
		strbuf_grow(out, COMIC_ARCHIVE_READ);
		r = archive_read_data(w->ca.a, out->buf + out->len,
				      COMIC_ARCHIVE_READ);
		if (r > 0)
			out->len += r;
		out->buf[out->len] = '\0';
		if (r > 0 && over_time(w)) {
			cut(out, start);
			return -ETIMEDOUT;
		}
	} while (r > 0 && out->len - start <= PAGES_MAX_IMAGE);
	if (!r)
		return 0;
	cut(out, start);
	if (r > 0)
		return -EFBIG;
	return w->ca.src.err ? w->ca.src.err : -EINVAL;
}

/* One walk of the archive at fd with w->fn. */
static int walk_archive(int fd, struct page_walk *w)
{
	int rc = comic_archive_open(&w->ca, fd);

	w->until = clock_mono() + PAGES_MAX_WALL_S;
	w->cpu_until = thread_cpu_ns() +
		__atomic_load_n(&cpu_budget_ns, __ATOMIC_RELAXED);
	if (!rc)
		rc = each_page(w);
	comic_archive_close(&w->ca);
	return rc;
}

static int keep(struct page_walk *w, struct archive_entry *e,
		const char *name)
{
	struct pages_index *ix = w->out;
	struct pages_entry *grown;
	char *copy;

	grown = array_grow(ix->pages, ix->nr, &w->alloc, sizeof(*ix->pages),
			   64);
	if (!grown)
		return -ENOMEM;
	ix->pages = grown;
	copy = strdup(name);
	if (!copy)
		return -ENOMEM;
	ix->pages[ix->nr] = (struct pages_entry){
		copy, archive_entry_size_is_set(e) ? archive_entry_size(e) :
		-1, ix->nr };
	ix->bytes += sizeof(*ix->pages) + strlen(name) + 1;
	ix->nr++;
	return 0;
}

void pages_index_release(struct pages_index *ix)
{
	for (size_t i = 0; i < ix->nr; i++)
		free(ix->pages[i].name);
	free(ix->pages);
	*ix = (struct pages_index){ NULL, 0, 0 };
}

int pages_index(int fd, struct pages_index *ix)
{
	struct page_walk *w = malloc(sizeof(*w));
	int rc;

	*ix = (struct pages_index){ NULL, 0, 0 };
	if (!w)
		return -ENOMEM;
	*w = (struct page_walk){ .fn = keep, .out = ix };
	rc = walk_archive(fd, w);
	free(w);
	if (rc) {
		pages_index_release(ix);
		return rc;
	}
	if (!ix->nr)
		return 0;
	qsort(ix->pages, ix->nr, sizeof(*ix->pages), by_natural_order);
	/* the first entry of a name is the one read by that name */
	for (size_t i = 1; i < ix->nr; i++)
		if (!strcmp(ix->pages[i].name, ix->pages[i - 1].name))
			ix->pages[i].at = ix->pages[i - 1].at;
	ix->bytes += sizeof(*ix);
	return 0;
}

/* pages_read()'s walk: read the page at its place; 1 when read. */
static int read_wanted(struct page_walk *w, struct archive_entry *e,
		       const char *name)
{
	const struct pages_entry *p = &w->ix->pages[w->n];
	int rc;

	(void)e;
	if (w->seen++ != p->at)
		return 0;
	if (strcmp(name, p->name))
		return -ENOENT;
	rc = read_entry(w, w->text);
	return rc ? rc : 1;
}

int pages_read(int fd, const struct pages_index *ix, size_t n,
	       struct strbuf *out)
{
	struct page_walk *w;
	int rc;

	if (n >= ix->nr)
		return -ENOENT;
	w = malloc(sizeof(*w));
	if (!w)
		return -ENOMEM;
	*w = (struct page_walk){ .fn = read_wanted, .ix = ix, .n = n,
			    .text = out };
	rc = walk_archive(fd, w);
	free(w);
	return rc == 1 ? 0 : rc ? rc : -ENOENT;
}
