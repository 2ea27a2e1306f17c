/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * A download walked and its volumes found (import_private.h): its files
 * and folders sorted into volume files and folders of images, chapters
 * merged into their volume, each given its volumes by its name and
 * checked against the wanted ones. It only reads, by descriptor beneath
 * the download; it writes nothing and never follows a link out of it.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/array.h"
#include "common/bytes.h"
#include "common/log.h"
#include "common/symlinks.h"
#include "indexer/manga/names.h"
#include "indexer/monitor/import_path.h"
#include "indexer/monitor/import_private.h"

#define MAX_DEPTH 4		/* folders in folders a pack may nest */

static const char *const volume_exts[] = {
	"cbz", "cbr", "cb7", "pdf", "epub",
};
static const char *const image_exts[] = {
	"jpg", "jpeg", "png", "webp", "gif",
};

const char *import_ext_of(const char *name)
{
	const char *dot = strrchr(name, '.');

	return dot && dot != name ? dot + 1 : "";
}

static int has_ext(const char *name, const char *const *exts, size_t nr)
{
	for (size_t i = 0; i < nr; i++)
		if (!strcasecmp(import_ext_of(name), exts[i]))
			return 1;
	return 0;
}

const char *import_base_name(const char *rel)
{
	const char *slash = strrchr(rel, '/');

	return slash ? slash + 1 : rel;
}

const char *import_may_take(const struct walk *w, int fd,
			    const struct stat *st, int mask)
{
	const struct import_request *req = w->req;
	size_t i;

	for (i = 0; i < req->nr_owners; i++)
		if (st->st_uid == req->owners[i])
			break;
	if (req->nr_owners && i == req->nr_owners)
		return "another user's, neither the download client's nor the"
			" save folder owner's: refused, nothing in it read";
	if (w->reader && !import_owner_acl_may(w->reader, fd, st, mask))
		return "the series folder's owner could not read it: refused,"
			" nothing in it read";
	return NULL;
}

/* The first of the listed names not before key (lower bound). */
static size_t first_from(const struct import_request *req, const char *key)
{
	size_t lo = 0, hi = req->nr_listed;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strcmp(req->listed[mid], key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Whether rel is a file the client lists, or a folder on the way to one:
 * anything when the request has no list. */
static int is_listed(const struct import_request *req, const char *rel)
{
	size_t i = first_from(req, rel), n = strlen(rel);
	char *dir;
	int found;

	if (!req->listed_only ||
	    (i < req->nr_listed && !strcmp(req->listed[i], rel)))
		return 1;
	dir = import_join(rel, "");
	i = first_from(req, dir);
	found = i < req->nr_listed && !strncmp(req->listed[i], dir, n + 1);
	free(dir);
	return found;
}

/* The first refusal decides the error when nothing else went in. */
static void refuse(struct walk *w, const char *rel, int err,
		   const char *why)
{
	if (!w->refused)
		w->refused = err;
	import_leave_out(w->res, rel, 0, 0, "%s", why);
}

static int natural_order(const void *a, const void *b)
{
	return strverscmp(*(char *const *)a, *(char *const *)b);
}

static int candidate_order(const void *a, const void *b)
{
	return strverscmp(((const struct candidate *)a)->file.rel,
			  ((const struct candidate *)b)->file.rel);
}

char *import_join(const char *dir, const char *name)
{
	char *s;

	if (asprintf(&s, "%s%s%s", dir, *dir ? "/" : "", name) < 0)
		abort();
	return s;
}

static struct candidate *add_candidate(struct walk *w, char *rel,
				       int via_link, off_t size)
{
	struct candidate *c = array_grow(w->v, w->nr, &w->alloc,
					 sizeof(*c), 8);

	if (!c)
		abort();
	w->v = c;
	c = &c[w->nr++];
	*c = (struct candidate){ .file = { rel, via_link, size } };
	c->name = import_base_name(rel);
	c->bytes = size;
	return c;
}

static int walk_folder(struct walk *w, const char *rel, int depth);

/* import_may_take() of the regular file name of the folder dfd (st its
 * stat): pfd when a link led to it, else the download's one file or the
 * name opened with no link followed, and it must still be st. */
static const char *file_may_take(const struct walk *w, int dfd,
				 const char *name, int pfd,
				 const struct stat *st)
{
	int fd = pfd >= 0 ? pfd : w->file_fd >= 0 ? w->file_fd :
		openat(dfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	const char *why = NULL;
	struct stat now;

	if (fd < 0 || fstat(fd, &now) || now.st_dev != st->st_dev ||
	    now.st_ino != st->st_ino)
		why = "changed while looked at: refused, nothing in it read";
	else
		why = import_may_take(w, fd, st, IMPORT_MAY_READ);
	if (fd >= 0 && fd != pfd && fd != w->file_fd)
		close(fd);
	return why;
}

/*
 * Sort one entry name of the folder dfd (rel below the base) into the
 * walk: a volume file, an image of the folder's images, a folder to
 * walk, or an entry left out. A link is followed only to a regular file
 * inside the download.
 */
static int walk_entry(struct walk *w, int dfd, const char *dir,
		      const char *name, int depth, struct candidate *images)
{
	char *rel = import_join(dir, name);
	int via_link = 0, ret = 0, pfd = -1;
	const char *why;
	struct stat st;

	if (++w->entries > IMPORT_MAX_FILES) {
		free(rel);
		return -EFBIG;
	}
	if (!is_listed(w->req, rel))
		goto out;
	if (w->file_fd >= 0 ? fstat(w->file_fd, &st) :
	    fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW)) {
		ret = -errno;
		goto out;
	}
	if (S_ISLNK(st.st_mode)) {
		pfd = symlinks_follow(dfd, name, &w->rule, &st);
		if (pfd < 0) {
			refuse(w, rel, pfd == -EXDEV ? -EXDEV : -EINVAL,
			       pfd == -EXDEV ? "a link that leads out of the "
			       "download" : "a link to no regular file");
			goto out;
		}
		via_link = 1;
	}
	if (S_ISDIR(st.st_mode) && depth < MAX_DEPTH) {
		ret = walk_folder(w, rel, depth + 1);
	} else if (S_ISDIR(st.st_mode)) {
		refuse(w, rel, -EFBIG, "folders nested too deep");
	} else if (!S_ISREG(st.st_mode)) {
		refuse(w, rel, -EINVAL, "not a regular file (a FIFO, a "
		       "device or a socket)");
	} else if ((why = file_may_take(w, dfd, name, pfd, &st))) {
		refuse(w, rel, -EACCES, why);
	} else if (*name == '.') {
		/* macOS's "._001.jpg" beside each page is no page */
		import_leave_out(w->res, rel, 0, 0, "a hidden file");
	} else if (has_ext(name, volume_exts, ARRAY_SIZE(volume_exts))) {
		add_candidate(w, rel, via_link, st.st_size);
		rel = NULL;	/* the candidate's now */
	} else if (images && has_ext(name, image_exts,
				     ARRAY_SIZE(image_exts))) {
		struct source *s = array_grow(images->images,
					      images->nr_images,
					      &images->alloc_images,
					      sizeof(*s), 64);

		if (!s)
			abort();
		images->images = s;
		s[images->nr_images++] = (struct source){ rel, via_link,
							  st.st_size };
		images->bytes += st.st_size;
		rel = NULL;	/* the image's now */
	} else {
		import_leave_out(w->res, rel, 0, 0, "not a volume file");
	}
out:
	if (pfd >= 0)
		close(pfd);
	free(rel);
	return ret;
}

/* Whether rel is a folder right below dir. */
static int is_child(const char *rel, const char *dir)
{
	size_t n = strlen(dir);

	if (!n)
		return !strchr(rel, '/');
	return !strncmp(rel, dir, n) && rel[n] == '/' && !strchr(rel + n + 1,
								  '/');
}

/*
 * A volume's folder of chapters' folders of images ("T05/Ch 1/01.jpg"):
 * when rel's name gives one volume and the candidates from the index
 * from on are all folders of images right below it, they become one
 * candidate, their pages in order, each in its chapter's folder; but
 * for specials ("Extras"), which stay apart.
 */
static void merge_chapters(struct walk *w, const char *rel, size_t from)
{
	struct names_result r = NAMES_RESULT_INIT;
	size_t into = w->nr, kept = from;
	struct candidate *c;
	int ok;

	names_parse(*rel ? import_base_name(rel) :
		    import_base_name(w->req->source), w->req->series, &r);
	ok = r.kind == NAMES_VOLUME && !r.is_range;
	for (size_t i = from; ok && i < w->nr; i++)
		ok = w->v[i].images && is_child(w->v[i].file.rel, rel);
	for (size_t i = from; ok && i < w->nr; i++) {
		struct candidate *m = &w->v[i];

		names_parse(m->name, w->req->series, &r);
		if (r.kind == NAMES_SPECIAL || into == w->nr) {
			if (r.kind != NAMES_SPECIAL)
				into = kept;
			w->v[kept++] = *m;
			continue;
		}
		c = &w->v[into];
		for (size_t k = 0; k < m->nr_images; k++) {
			struct source *s = array_grow(c->images, c->nr_images,
						      &c->alloc_images,
						      sizeof(*s), 64);

			if (!s)
				abort();
			c->images = s;
			s[c->nr_images++] = m->images[k];
		}
		c->bytes += m->bytes;
		free(m->images);
		free(m->file.rel);
	}
	names_release(&r);
	if (!ok || into == w->nr)
		return;
	w->nr = kept;
	c = &w->v[into];
	free(c->file.rel);
	c->file.rel = strdup(rel);
	if (!c->file.rel)
		abort();
	c->name = *rel ? import_base_name(c->file.rel) :
		  import_base_name(w->req->source);
}

/*
 * Walk the folder rel below the base, names in natural order. Its images
 * make one candidate, named as the folder (or, for the base, as the
 * download), unless volumes lie beside or below them (a pack's cover).
 */
static int walk_folder(struct walk *w, const char *rel, int depth)
{
	struct candidate images = { .name = NULL };
	struct dirent *de;
	char **names = NULL;
	size_t nr = 0, alloc = 0;
	size_t before = w->nr;
	const char *why;
	struct stat st;
	int dfd, ret = 0;
	DIR *d;

	dfd = symlinks_open_beneath(w->base_fd, rel, O_RDONLY | O_DIRECTORY);
	if (dfd < 0)
		return dfd;
	if (fstat(dfd, &st)) {
		ret = -errno;
		close(dfd);
		return ret;
	}
	why = import_may_take(w, dfd, &st,
			      IMPORT_MAY_READ | IMPORT_MAY_SEARCH);
	if (why) {
		/* the base was checked when opened: a folder inside */
		refuse(w, rel, -EACCES, why);
		close(dfd);
		return 0;
	}
	d = fdopendir(dfd);
	if (!d) {
		close(dfd);
		return -errno;
	}
	while ((errno = 0, de = readdir(d))) {
		char **v;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (nr >= IMPORT_MAX_FILES) {
			ret = -EFBIG;
			break;
		}
		v = array_grow(names, nr, &alloc, sizeof(*names), 32);
		if (!v || !(v[nr] = strdup(de->d_name)))
			abort();
		names = v;
		nr++;
	}
	if (!ret && errno)
		ret = -errno;
	if (!ret && nr)
		qsort(names, nr, sizeof(*names), natural_order);
	for (size_t i = 0; !ret && i < nr; i++)
		ret = walk_entry(w, dirfd(d), rel, names[i], depth, &images);
	array_free_strings(names, nr);
	closedir(d);
	if (images.nr_images && w->nr > before) {
		for (size_t i = 0; i < images.nr_images; i++) {
			import_leave_out(w->res, images.images[i].rel, 0, 0,
					 "an image beside volumes");
			free(images.images[i].rel);
		}
		free(images.images);
	} else if (!images.nr_images && w->nr > before) {
		merge_chapters(w, rel, before);
	} else if (images.nr_images) {
		struct candidate *c = add_candidate(w, strdup(rel), 0, 0);

		if (!c->file.rel)
			abort();
		c->images = images.images;
		c->nr_images = images.nr_images;
		c->bytes = images.bytes;
		c->ext = "cbz";
		if (!*rel)
			c->name = import_base_name(w->req->source);
	}
	return ret;
}

void import_free_candidate(struct candidate *c)
{
	for (size_t k = 0; k < c->nr_images; k++)
		free(c->images[k].rel);
	free(c->images);
	free(c->file.rel);
}

/* Whether a wanted volume lies in first..last (any, when none named). */
static int is_wanted(const struct import_request *req, double first,
		     double last)
{
	if (!req->nr_volumes)
		return 1;
	for (size_t i = 0; i < req->nr_volumes; i++)
		if (req->volumes[i] >= first && req->volumes[i] <= last)
			return 1;
	return 0;
}

void import_volume_text(double first, double last, char *buf, size_t len)
{
	if (last > first)
		snprintf(buf, len, "%g-%g", first, last);
	else
		snprintf(buf, len, "%g", first);
}

/*
 * Each candidate's volumes are given by its name, else (the download's
 * only candidate) by the download's name or the one wanted volume.
 */
void import_walk_plan(struct walk *w)
{
	const struct import_request *req = w->req;
	struct names_result r = NAMES_RESULT_INIT;
	char vol[32];
	size_t kept = 0;

	if (w->nr)
		qsort(w->v, w->nr, sizeof(*w->v), candidate_order);
	for (size_t i = 0; i < w->nr; i++) {
		struct candidate *c = &w->v[i];
		int ok = 0;

		names_parse(c->name, req->series, &r);
		if (r.kind == NAMES_NONE && w->nr == 1 &&
		    strcmp(c->name, import_base_name(req->source)))
			names_parse(import_base_name(req->source),
				    req->series, &r);
		if (r.kind == NAMES_VOLUME) {
			c->first = r.first;
			c->last = r.last;
			ok = 1;
		} else if (r.kind == NAMES_NONE && w->nr == 1 &&
			   req->nr_volumes == 1) {
			c->first = c->last = req->volumes[0];
			ok = 1;
		}
		if (!ok) {
			const char *why = r.reason ? r.reason :
				"its name gives no volume";

			if (r.kind == NAMES_CHAPTER)
				why = "a chapter, not a volume";
			else if (r.kind == NAMES_SPECIAL)
				why = "a special, not a volume";
			import_leave_out(w->res, c->file.rel, 0, 0, "%s", why);
			continue;
		}
		import_volume_text(c->first, c->last, vol, sizeof(vol));
		if (!is_wanted(req, c->first, c->last)) {
			import_leave_out(w->res, c->file.rel, c->first, c->last,
					 "volume %s is not wanted", vol);
			continue;
		}
		for (size_t k = 0; ok && k < kept; k++) {
			if (w->v[k].first <= c->last &&
			    c->first <= w->v[k].last) {
				import_leave_out(w->res, c->file.rel,
						 c->first, c->last,
						 "volume %s is also in %s",
						 vol, w->v[k].file.rel);
				ok = 0;
			}
		}
		if (!ok)
			continue;
		/* The kept ones move to the front, in order. */
		if (kept != i) {
			struct candidate t = w->v[kept];

			w->v[kept] = *c;
			*c = t;
		}
		kept++;
	}
	names_release(&r);
	for (size_t i = kept; i < w->nr; i++)
		import_free_candidate(&w->v[i]);
	w->nr = kept;
}

/*
 * The folders between the save folder and the download, each one of the
 * owners' and searchable by the reader, else w->foreign says why and
 * -EACCES: a download inside another user's folder is never theirs.
 */
static int check_way(struct walk *w)
{
	const char *src = w->req->source, *root = w->req->source_root;
	const char *p = src + strlen(root);
	struct stat st;
	int ret = 0;

	while (!ret && (p = strchr(p + 1, '/'))) {
		char *dir = strndup(src, p - src);
		int fd;

		if (!dir)
			abort();
		fd = import_path_open(root, dir, O_PATH | O_DIRECTORY);
		free(dir);
		if (fd < 0)
			return fd;
		if (fstat(fd, &st))
			ret = -errno;
		else if ((w->foreign = import_may_take(w, fd, &st,
							  IMPORT_MAY_SEARCH)))
			ret = -EACCES;
		close(fd);
	}
	return ret;
}

/*
 * Whether the reader could reach the base folder from / (the save folder
 * and every folder above it included, which check_way() does not look
 * at): else w->foreign says why and -EACCES; a save folder the client
 * named may be another user's private folder.
 */
static int reader_reaches(struct walk *w)
{
	int ret = w->reader ? import_owner_reaches(w->reader, w->base_fd) :
		0;

	if (ret == -EACCES)
		w->foreign = "the series folder's owner could not reach it "
			"(a folder on its way from / shuts them out): "
			"refused, nothing in it read";
	return ret;
}

int import_walk_open(struct walk *w, struct strbuf *real, const char **only)
{
	const char *src = w->req->source;
	struct stat st, now;
	char *dir;
	int fd;

	*only = NULL;
	fd = check_way(w);
	if (fd)
		return fd;
	fd = import_path_open(w->req->source_root, src, O_PATH);
	if (fd < 0)
		return fd;
	if (fstat(fd, &st)) {
		close(fd);
		return -errno;
	}
	w->foreign = import_may_take(w, fd, &st, S_ISDIR(st.st_mode) ?
				     IMPORT_MAY_READ | IMPORT_MAY_SEARCH :
				     IMPORT_MAY_READ);
	if (w->foreign) {
		close(fd);
		return -EACCES;
	}
	if (S_ISDIR(st.st_mode)) {
		w->base_fd = symlinks_reopen(fd, O_RDONLY | O_DIRECTORY);
		close(fd);
		if (w->base_fd < 0)
			return w->base_fd;
	} else {
		/* The file as its folder, opened after, holds it: the same
		 * file, or the download changed meanwhile. */
		close(fd);
		*only = import_base_name(src);
		dir = strndup(src, *only - src);
		if (!dir)
			abort();
		w->base_fd = import_path_open(w->req->source_root, dir,
					      O_PATH | O_DIRECTORY);
		free(dir);
		if (w->base_fd < 0)
			return w->base_fd;
		w->file_fd = symlinks_open_within(w->base_fd, *only, O_PATH);
		if (w->file_fd < 0)
			return w->file_fd;
		if (fstat(w->file_fd, &now))
			return -errno;
		if (now.st_dev != st.st_dev || now.st_ino != st.st_ino)
			return -EAGAIN;
	}
	if (fstat(w->base_fd, &st))
		return -errno;
	fd = reader_reaches(w);
	if (fd)
		return fd;
	w->base_dev = st.st_dev;
	fd = symlinks_fd_path(w->base_fd, real);
	w->rule.root = real->buf;
	return fd;
}

int import_walk_run(struct walk *w, const char *only)
{
	return only ? walk_entry(w, w->base_fd, "", only, 0, NULL) :
		walk_folder(w, "", 0);
}
