/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * A completed download brought into its series folder (import.h): walked,
 * planned and written by descriptor. Where it may read and write is
 * import_path's to say; it never replaces a file.
 */
#include "indexer/monitor/import.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "common/array.h"
#include "common/bytes.h"
#include "common/config.h"
#include "common/log.h"
#include "common/path.h"
#include "common/template.h"
#include "common/utf8.h"
#include "indexer/library/symlinks.h"
#include "indexer/manga/names.h"
#include "indexer/monitor/import_path.h"

#define MAX_DEPTH 4		/* folders in folders a pack may nest */
#define COPY_CHUNK (256 << 10)

static const char *const volume_exts[] = {
	"cbz", "cbr", "cb7", "pdf", "epub",
};
static const char *const image_exts[] = {
	"jpg", "jpeg", "png", "webp", "gif",
};

/* A file the download holds that goes into a volume. */
struct source {
	char *rel;		/* below the walk's base folder */
	int via_link;		/* a link inside the download leads to it */
	off_t size;
};

/* A volume the download may hold: a volume file or a folder of images. */
struct candidate {
	struct source file;	/* the volume file, or the folder's path */
	const char *name;	/* what names_parse() reads: in file.rel */
	const char *ext;	/* "cbz" for a folder of images */
	struct source *images;	/* naturally sorted; none for a file */
	size_t nr_images, alloc_images;
	off_t bytes;
	double first, last;
};

struct walk {
	const struct import_request *req;
	struct import_result *res;
	int base_fd;			/* the folder walked beneath */
	int file_fd;			/* the download, when a file */
	dev_t base_dev;
	struct symlinks_rule rule;	/* links lead into base only */
	struct candidate *v;
	size_t nr, alloc;
	size_t entries;
	int refused;			/* the first refusal's error */
};

/* Where the download's name ends; "" has none. */
static const char *ext_of(const char *name)
{
	const char *dot = strrchr(name, '.');

	return dot && dot != name ? dot + 1 : "";
}

static int has_ext(const char *name, const char *const *exts, size_t nr)
{
	for (size_t i = 0; i < nr; i++)
		if (!strcasecmp(ext_of(name), exts[i]))
			return 1;
	return 0;
}

static const char *base_name(const char *rel)
{
	const char *slash = strrchr(rel, '/');

	return slash ? slash + 1 : rel;
}

/* Add an entry to one of res's lists; out of memory aborts, as strbuf. */
static struct import_file *add_file(struct import_file **v, size_t *nr,
				    size_t *alloc, const char *from)
{
	struct import_file *f = array_grow(*v, *nr, alloc, sizeof(**v), 8);

	if (!f || !(from = strdup(from)))
		abort();
	*v = f;
	f = &f[(*nr)++];
	*f = (struct import_file){ .from = (char *)from };
	return f;
}

static void leave_out(struct import_result *res, const char *from,
		      double first, double last, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

/* An entry that goes nowhere, with why, for the result and the log. */
static void leave_out(struct import_result *res, const char *from,
		      double first, double last, const char *fmt, ...)
{
	struct import_file *f = add_file(&res->left_out, &res->nr_left_out,
					 &res->alloc_left_out, from);
	va_list ap;

	f->first = first;
	f->last = last;
	va_start(ap, fmt);
	if (vasprintf(&f->why, fmt, ap) < 0)
		abort();
	va_end(ap);
	log_debug("import: %s left out: %s", *from ? from : "the download",
		  f->why);
}

/* The first refusal decides the error when nothing else went in. */
static void refuse(struct walk *w, const char *rel, int err,
		   const char *why)
{
	if (!w->refused)
		w->refused = err;
	leave_out(w->res, rel, 0, 0, "%s", why);
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

static char *join(const char *dir, const char *name)
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
	c->name = base_name(rel);
	c->bytes = size;
	return c;
}

static int walk_folder(struct walk *w, const char *rel, int depth);

/*
 * Sort one entry name of the folder dfd (rel below the base) into the
 * walk: a volume file, an image of the folder's images, a folder to
 * walk, or an entry left out. A link is followed only to a regular file
 * inside the download.
 */
static int walk_entry(struct walk *w, int dfd, const char *dir,
		      const char *name, int depth, struct candidate *images)
{
	char *rel = join(dir, name);
	int via_link = 0, ret = 0;
	struct stat st;

	if (++w->entries > IMPORT_MAX_FILES) {
		free(rel);
		return -EFBIG;
	}
	if (w->file_fd >= 0 ? fstat(w->file_fd, &st) :
	    fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW)) {
		ret = -errno;
		goto out;
	}
	if (S_ISLNK(st.st_mode)) {
		int pfd = symlinks_follow(dfd, name, &w->rule, &st);

		if (pfd < 0) {
			refuse(w, rel, pfd == -EXDEV ? -EXDEV : -EINVAL,
			       pfd == -EXDEV ? "a link that leads out of the "
			       "download" : "a link to no regular file");
			goto out;
		}
		close(pfd);
		via_link = 1;
	}
	if (S_ISDIR(st.st_mode) && depth < MAX_DEPTH) {
		ret = walk_folder(w, rel, depth + 1);
	} else if (S_ISDIR(st.st_mode)) {
		refuse(w, rel, -EFBIG, "folders nested too deep");
	} else if (!S_ISREG(st.st_mode)) {
		refuse(w, rel, -EINVAL, "not a regular file (a FIFO, a "
		       "device or a socket)");
	} else if (*name == '.') {
		/* macOS's "._001.jpg" beside each page is no page */
		leave_out(w->res, rel, 0, 0, "a hidden file");
	} else if (has_ext(name, volume_exts, ARRAY_SIZE(volume_exts))) {
		add_candidate(w, rel, via_link, st.st_size);
		return 0;
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
		return 0;
	} else {
		leave_out(w->res, rel, 0, 0, "not a volume file");
	}
out:
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

	names_parse(*rel ? base_name(rel) : base_name(w->req->source),
		    w->req->series, &r);
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
	c->name = *rel ? base_name(c->file.rel) : base_name(w->req->source);
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
	int dfd, ret = 0;
	DIR *d;

	dfd = symlinks_open_beneath(w->base_fd, rel, O_RDONLY | O_DIRECTORY);
	if (dfd < 0)
		return dfd;
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
	for (size_t i = 0; i < nr; i++)
		free(names[i]);
	free(names);
	closedir(d);
	if (images.nr_images && w->nr > before) {
		for (size_t i = 0; i < images.nr_images; i++) {
			leave_out(w->res, images.images[i].rel, 0, 0,
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
			c->name = base_name(w->req->source);
	}
	return ret;
}

static void free_candidate(struct candidate *c)
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

/* "100", "10.5" or "100-102", as names gives volumes. */
static void volume_text(double first, double last, char *buf, size_t len)
{
	if (last > first)
		snprintf(buf, len, "%g-%g", first, last);
	else
		snprintf(buf, len, "%g", first);
}

/*
 * Give each candidate its volumes by its name, else (the download's only
 * candidate) by the download's name or the one wanted volume; leave out
 * what gives none, what is not wanted and a volume given twice.
 */
static void plan(struct walk *w)
{
	const struct import_request *req = w->req;
	struct names_result r = NAMES_RESULT_INIT;
	char vol[32];
	size_t kept = 0;

	for (size_t i = 0; i < w->nr; i++) {
		struct candidate *c = &w->v[i];
		int ok = 0;

		names_parse(c->name, req->series, &r);
		if (r.kind == NAMES_NONE && w->nr == 1 &&
		    strcmp(c->name, base_name(req->source)))
			names_parse(base_name(req->source), req->series, &r);
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
			leave_out(w->res, c->file.rel, 0, 0, "%s",
				  r.kind == NAMES_CHAPTER ? "a chapter, not a "
				  "volume" : r.kind == NAMES_SPECIAL ?
				  "a special, not a volume" : r.reason ?
				  r.reason : "its name gives no volume");
			continue;
		}
		volume_text(c->first, c->last, vol, sizeof(vol));
		if (!is_wanted(req, c->first, c->last)) {
			leave_out(w->res, c->file.rel, c->first, c->last,
				  "volume %s is not wanted", vol);
			continue;
		}
		for (size_t k = 0; ok && k < kept; k++) {
			if (w->v[k].first <= c->last &&
			    c->first <= w->v[k].last) {
				leave_out(w->res, c->file.rel, c->first,
					  c->last, "volume %s is also in %s",
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
		free_candidate(&w->v[i]);
	w->nr = kept;
}

/* The series' name made fit for a file name: no '/', no control bytes. */
static void add_series(struct strbuf *out, const char *series)
{
	size_t len = strlen(series);
	unsigned int cp;

	for (size_t i = 0, k; i < len; i += k ? k : 1) {
		k = utf8_decode((const unsigned char *)series + i, len - i,
				&cp);
		if (!k)
			strbuf_addch(out, '_');
		else if (cp == '/')
			strbuf_addstr(out, "\xe2\x88\x95");
		else if (cp < 0x20 || cp == 0x7f)
			strbuf_addch(out, ' ');
		else
			strbuf_add(out, series + i, k);
	}
}

/* The file name of candidate c, by the template. */
static int target_name(const struct config *cfg, const char *series,
		       const struct candidate *c, struct strbuf *out)
{
	struct strbuf name = STRBUF_INIT, ext = STRBUF_INIT;
	char vol[32];
	int ret;

	add_series(&name, series);
	volume_text(c->first, c->last, vol, sizeof(vol));
	for (const char *s = c->ext ? c->ext : ext_of(c->name); *s; s++)
		strbuf_addch(&ext, (*s >= 'A' && *s <= 'Z') ? *s + 32 : *s);
	ret = template_render(cfg->import_template, config_import_fields,
			      (const char *const[]){ name.buf, vol, ext.buf },
			      CONFIG_IMPORT_FIELDS, out);
	strbuf_release(&name);
	strbuf_release(&ext);
	if (!ret && out->len > 255)
		ret = -ENAMETOOLONG;
	return ret;
}

/*
 * An O_PATH descriptor of a file the walk found, with st: opened with no
 * link on its path, or, when a link inside the download led to it,
 * through that link checked anew. Anything but a regular file is -EINVAL.
 */
static int open_source(const struct walk *w, const struct source *s,
		       struct stat *st)
{
	const char *name = base_name(s->rel);
	char *dir = strndup(s->rel, name - s->rel);
	int dfd, fd;

	if (!dir)
		abort();
	if (w->file_fd >= 0) {
		fd = fcntl(w->file_fd, F_DUPFD_CLOEXEC, 0);
		if (fd < 0 || fstat(fd, st)) {
			if (fd >= 0)
				close(fd);
			fd = -errno;
		}
	} else if (!s->via_link) {
		fd = symlinks_open_beneath(w->base_fd, s->rel, O_PATH);
		if (fd >= 0 && fstat(fd, st)) {
			close(fd);
			fd = -errno;
		}
	} else {
		dfd = symlinks_open_beneath(w->base_fd, dir,
					    O_PATH | O_DIRECTORY);
		fd = dfd < 0 ? dfd : symlinks_follow(dfd, name, &w->rule, st);
		if (dfd >= 0)
			close(dfd);
	}
	free(dir);
	if (fd >= 0 && !S_ISREG(st->st_mode)) {
		close(fd);
		fd = -EINVAL;
	}
	return fd;
}

/* The mode a new file gets: 0666 less the umask, read without changing
 * it (umask() would, for every thread). */
static mode_t new_file_mode(void)
{
	unsigned int mask = 022;
	char line[128];
	FILE *f = fopen("/proc/self/status", "re");

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "Umask: %o", &mask) == 1)
			break;
	if (f)
		fclose(f);
	return 0666 & ~mask;
}

/*
 * Give the file fd (any descriptor, O_PATH too) the series folder's owner
 * and group, so that it is the folder owner's file and not root's (where
 * the daemon may not, it keeps its own), and mode: never more than the
 * source's mode allows, and the umask's at most.
 */
static void give(int fd, const struct stat *dst, mode_t mode,
		 const char *name)
{
	char path[32];

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	if (fchownat(fd, "", dst->st_uid, dst->st_gid, AT_EMPTY_PATH))
		log_debug("import: %s keeps its owner: %s", name,
			  strerror(errno));
	if (chmod(path, mode & new_file_mode()))
		log_warn("import: %s: cannot set its mode: %s", name,
			 strerror(errno));
}

/*
 * A new temporary file in the folder dfd, hidden and of no volume kind,
 * so the scanner passes it by: its name in tmp, readable by its creator
 * alone until finish_temp() gives it its owner and mode.
 */
static int open_temp(int dfd, char tmp[static 32])
{
	unsigned char rnd[6];
	int fd;

	for (int tries = 0; tries < 16; tries++) {
		if (getrandom(rnd, sizeof(rnd), 0) != sizeof(rnd))
			return -EIO;
		snprintf(tmp, 32, ".import-%02x%02x%02x%02x%02x%02x.tmp",
			 rnd[0], rnd[1], rnd[2], rnd[3], rnd[4], rnd[5]);
		fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
			    0600);
		if (fd >= 0)
			return fd;
		if (errno != EEXIST)
			return -errno;
	}
	return -EEXIST;
}

/*
 * Give the temporary file tmp its name in dfd without ever replacing a
 * file: renameat2(RENAME_NOREPLACE), or where the file system has no such
 * rename, a link (which never replaces either) and the temporary name
 * removed. The temporary name is gone whatever the outcome.
 */
static int place(int dfd, const char *tmp, const char *name)
{
	int ret = 0;

	if (renameat2(dfd, tmp, dfd, name, RENAME_NOREPLACE) == 0)
		return 0;
	if (errno == EINVAL || errno == ENOSYS)
		ret = linkat(dfd, tmp, dfd, name, 0) ? -errno : 0;
	else
		ret = -errno;
	unlinkat(dfd, tmp, 0);
	return ret;
}

/*
 * Copy size bytes of src to fd, in the kernel (sendfile() between two
 * files, on any file systems); a file that changed size is -EAGAIN.
 */
static int copy_data(int src, int fd, off_t size)
{
	off_t done = 0;

	for (;;) {
		ssize_t n = sendfile(fd, src, NULL, COPY_CHUNK);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (!n)
			return done == size ? 0 : -EAGAIN;
		done += n;
		if (done > size)
			return -EAGAIN;
	}
}

/* Give fd the folder's owner and mode, sync and close it, then place tmp
 * as name; tmp is gone after. */
static int finish_temp(int dfd, int fd, const struct stat *dst, mode_t mode,
		       const char *tmp, const char *name, int ret)
{
	if (!ret)
		give(fd, dst, mode, name);
	if (!ret && fsync(fd))
		ret = -errno;
	if (close(fd) && !ret)
		ret = -errno;
	if (ret) {
		unlinkat(dfd, tmp, 0);
		return ret;
	}
	return place(dfd, tmp, name);
}

/* Copy the file pfd (an O_PATH descriptor) to name in dfd. */
static int copy_file(int pfd, const struct stat *st, int dfd,
		     const struct stat *dst, const char *name)
{
	char tmp[32];
	int src, fd, ret;

	src = symlinks_reopen(pfd, O_RDONLY | O_NONBLOCK);
	if (src < 0)
		return src;
	fd = open_temp(dfd, tmp);
	if (fd < 0) {
		close(src);
		return fd;
	}
	ret = copy_data(src, fd, st->st_size);
	close(src);
	return finish_temp(dfd, fd, dst, st->st_mode, tmp, name, ret);
}

/* Link what pfd is open on as name in dfd: exactly that file, never
 * replacing one. */
static int link_file(int pfd, int dfd, const char *name)
{
	char path[32];

	snprintf(path, sizeof(path), "/proc/self/fd/%d", pfd);
	return linkat(AT_FDCWD, path, dfd, name, AT_SYMLINK_FOLLOW) ?
		-errno : 0;
}

/* Whether a failed link should become a copy: another file system, or
 * one that refuses links to this file (protected_hardlinks, FAT). */
static int link_refused(int err)
{
	return err == -EXDEV || err == -EPERM || err == -EMLINK ||
	       err == -EOPNOTSUPP || err == -ENOENT;
}

/*
 * Move the download's file s (pfd, st) to name in dfd: a rename that
 * never replaces, checked to have moved that very file; across file
 * systems a copy, and the download's file removed once it is in.
 */
static int move_file(const struct walk *w, const struct source *s, int pfd,
		     const struct stat *st, int dfd, const struct stat *dst,
		     const char *name, const char **how)
{
	const char *base = base_name(s->rel);
	char *dir = strndup(s->rel, base - s->rel);
	struct stat now;
	int sfd, ret;

	if (!dir)
		abort();
	sfd = symlinks_open_beneath(w->base_fd, dir, O_PATH | O_DIRECTORY);
	free(dir);
	if (sfd < 0)
		return sfd;
	ret = renameat2(sfd, base, dfd, name, RENAME_NOREPLACE) ? -errno : 0;
	if (ret == -EINVAL || ret == -ENOSYS) {
		ret = link_file(pfd, dfd, name);
		if (!ret)
			unlinkat(sfd, base, 0);
	} else if (ret == -EXDEV) {
		*how = "copy";
		ret = copy_file(pfd, st, dfd, dst, name);
		if (!ret && !fstatat(sfd, base, &now, AT_SYMLINK_NOFOLLOW) &&
		    now.st_dev == st->st_dev && now.st_ino == st->st_ino)
			unlinkat(sfd, base, 0);
		close(sfd);
		return ret;
	}
	if (!ret && (fstatat(dfd, name, &now, AT_SYMLINK_NOFOLLOW) ||
		     now.st_dev != st->st_dev || now.st_ino != st->st_ino)) {
		/* Another file took the checked one's place meanwhile. */
		renameat2(dfd, name, sfd, base, RENAME_NOREPLACE);
		ret = -EAGAIN;
	}
	close(sfd);
	if (ret)
		return ret;
	give(pfd, dst, st->st_mode, name);
	return 0;
}

/* Add one image to the archive a, as its path in the folder packed
 * (skip bytes of its path below the base). */
static int pack_image(const struct walk *w, struct archive *a,
		      const struct source *s, size_t skip, char *buf,
		      mode_t *mode)
{
	struct archive_entry *e;
	struct stat st;
	off_t done = 0;
	int pfd, fd, ret = 0;

	pfd = open_source(w, s, &st);
	if (pfd < 0)
		return pfd;
	fd = symlinks_reopen(pfd, O_RDONLY | O_NONBLOCK);
	close(pfd);
	if (fd < 0)
		return fd;
	if (st.st_size != s->size) {
		close(fd);
		return -EAGAIN;
	}
	*mode &= st.st_mode;
	e = archive_entry_new();
	if (!e)
		abort();
	archive_entry_set_pathname(e, s->rel + skip);
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, 0644);
	archive_entry_set_size(e, st.st_size);
	archive_entry_set_mtime(e, st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
	if (archive_write_header(a, e) != ARCHIVE_OK)
		ret = -EIO;
	while (!ret && done < st.st_size) {
		ssize_t n = read(fd, buf, COPY_CHUNK);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0 || done + n > st.st_size)
			ret = n < 0 ? -errno : -EAGAIN;
		else if (archive_write_data(a, buf, n) != n)
			ret = -EIO;
		else
			done += n;
	}
	archive_entry_free(e);
	close(fd);
	return ret;
}

/* Pack the folder of images c into a .cbz, stored (images are
 * compressed already), as name in dfd: readable by no more users than
 * every image is. */
static int pack_folder(const struct walk *w, const struct candidate *c,
		       int dfd, const struct stat *dst, const char *name)
{
	struct archive *a = archive_write_new();
	char tmp[32], *buf = malloc(COPY_CHUNK);
	int fd = -1, ret = 0;
	mode_t mode = 0666;

	if (!a || !buf)
		abort();
	fd = open_temp(dfd, tmp);
	if (fd < 0) {
		ret = fd;
		goto out;
	}
	if (archive_write_set_format_zip(a) != ARCHIVE_OK ||
	    archive_write_set_options(a, "zip:compression=store") !=
	    ARCHIVE_OK || archive_write_open_fd(a, fd) != ARCHIVE_OK)
		ret = -EIO;
	for (size_t i = 0; !ret && i < c->nr_images; i++)
		ret = pack_image(w, a, &c->images[i], *c->file.rel ?
				 strlen(c->file.rel) + 1 : 0, buf, &mode);
	if (archive_write_close(a) != ARCHIVE_OK && !ret)
		ret = -EIO;
	if (ret == -EIO)
		log_warn("import: packing %s: %s", name, archive_error_string(a)
			 ? archive_error_string(a) : "archive error");
	ret = finish_temp(dfd, fd, dst, mode, tmp, name, ret);
out:
	archive_write_free(a);
	free(buf);
	return ret;
}

/* Bring candidate c in as name in dfd, by the mode; *how says how. */
static int import_one(const struct walk *w, const struct candidate *c,
		      const char *mode, int dfd, const struct stat *dst,
		      const char *name, const char **how)
{
	struct stat st;
	int pfd, ret;

	if (c->images) {
		*how = "pack";
		return pack_folder(w, c, dfd, dst, name);
	}
	pfd = open_source(w, &c->file, &st);
	if (pfd < 0)
		return pfd;
	*how = mode;
	if (!strcmp(mode, "move") && !c->file.via_link) {
		ret = move_file(w, &c->file, pfd, &st, dfd, dst, name, how);
	} else if (!strcmp(mode, "copy")) {
		ret = copy_file(pfd, &st, dfd, dst, name);
	} else {
		*how = "hardlink";
		ret = link_file(pfd, dfd, name);
		if (link_refused(ret)) {
			*how = "copy";
			ret = copy_file(pfd, &st, dfd, dst, name);
		}
	}
	close(pfd);
	return ret;
}

/* What the mode will write anew in the folder, for its free space. */
static int check_space(const struct walk *w, const char *mode, int dfd,
		       const struct stat *dst, struct strbuf *reason)
{
	unsigned long long need = 0, total = 0;
	struct statvfs vfs;

	for (size_t i = 0; i < w->nr; i++) {
		total += w->v[i].bytes;
		/* A link or a rename on one file system writes nothing. */
		if (w->v[i].images || !strcmp(mode, "copy") ||
		    dst->st_dev != w->base_dev)
			need += w->v[i].bytes;
	}
	if (total > IMPORT_MAX_BYTES) {
		strbuf_addf(reason, "the download weighs %llu bytes, more "
			    "than an import takes (%lld)", total,
			    IMPORT_MAX_BYTES);
		return -EFBIG;
	}
	if (!fstatvfs(dfd, &vfs) &&
	    need > (unsigned long long)vfs.f_bavail * vfs.f_frsize) {
		strbuf_addf(reason, "%llu bytes to write, but only %llu free "
			    "in %s", need, (unsigned long long)vfs.f_bavail *
			    vfs.f_frsize, w->req->series_dir);
		return -ENOSPC;
	}
	return 0;
}

/*
 * Open the download for the walk, once, beneath its trusted folder (no
 * link, no mount point on the way): a folder is the base itself; a file
 * is walked as the one entry of its folder, by the descriptor of the
 * file itself (w->file_fd, opened in that folder and checked to be the
 * file first opened: -EAGAIN when not), never by its name again, so no
 * sibling of it is read. *real is the folder's path, which links inside
 * it must not leave.
 */
static int open_base(struct walk *w, struct strbuf *real, const char **only)
{
	const char *src = w->req->source;
	struct stat st, now;
	char *dir;
	int fd;

	*only = NULL;
	fd = import_path_open(w->req->source_root, src, O_PATH);
	if (fd < 0)
		return fd;
	if (fstat(fd, &st)) {
		close(fd);
		return -errno;
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
		*only = base_name(src);
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
	w->base_dev = st.st_dev;
	fd = symlinks_fd_path(w->base_fd, real);
	w->rule.root = real->buf;
	return fd;
}

/* Why, in the result and the log; returns err. */
static int failed(struct import_result *res, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int failed(struct import_result *res, int err, const char *fmt, ...)
{
	va_list ap;

	if (!res->reason.len) {
		va_start(ap, fmt);
		strbuf_vaddf(&res->reason, fmt, ap);
		va_end(ap);
	}
	return log_error(err, "import: %s", res->reason.buf);
}

int import_run(const struct import_request *req, const struct config *cfg,
	       struct import_result *res)
{
	struct walk w = { .req = req, .res = res, .base_fd = -1,
			  .file_fd = -1 };
	struct strbuf name = STRBUF_INIT, real = STRBUF_INIT;
	const char *only, *how;
	struct stat dst;
	int dfd = -1, ret, first_err = 0;

	ret = open_base(&w, &real, &only);
	if (ret) {
		ret = failed(res, ret, "cannot open %s: %s", req->source,
			     import_path_error(ret));
		goto out;
	}
	ret = only ? walk_entry(&w, w.base_fd, "", only, 0, NULL) :
		walk_folder(&w, "", 0);
	if (ret == -EFBIG) {
		ret = failed(res, ret, "%s holds more than %d files and "
			     "folders", req->source, IMPORT_MAX_FILES);
		goto out;
	}
	if (ret) {
		ret = failed(res, ret, "cannot read %s: %s", req->source,
			     strerror(-ret));
		goto out;
	}
	if (w.nr)
		qsort(w.v, w.nr, sizeof(*w.v), candidate_order);
	plan(&w);
	if (!w.nr) {
		res->no_volume = 1;
		ret = failed(res, w.refused ? w.refused : -ENOENT, "%s holds "
			     "no wanted volume of %s%s%s", req->source,
			     req->series, res->nr_left_out ? ": " : "",
			     res->nr_left_out ? res->left_out[0].why : "");
		goto out;
	}
	dfd = import_path_open(req->series_root, req->series_dir,
			       O_RDONLY | O_DIRECTORY);
	if (dfd < 0 || fstat(dfd, &dst)) {
		ret = dfd < 0 ? dfd : -errno;
		ret = failed(res, ret, "cannot open the series folder %s: %s",
			     req->series_dir, import_path_error(ret));
		goto out;
	}
	ret = check_space(&w, cfg->import_mode, dfd, &dst, &res->reason);
	if (ret) {
		ret = failed(res, ret, "%s", res->reason.buf);
		goto out;
	}
	for (size_t i = 0; i < w.nr; i++) {
		struct candidate *c = &w.v[i];
		struct import_file *f;

		strbuf_reset(&name);
		ret = target_name(cfg, req->series, c, &name);
		if (!ret)
			ret = import_one(&w, c, cfg->import_mode, dfd,
					 &dst, name.buf, &how);
		if (ret) {
			leave_out(res, c->file.rel, c->first, c->last,
				  "%s/%s %s", req->series_dir, name.buf,
				  ret == -EEXIST ? "exists already" :
				  strerror(-ret));
			if (!first_err) {
				first_err = ret;
				strbuf_addf(&res->reason, "cannot import %s: "
					    "%s", req->source, res->left_out[
					    res->nr_left_out - 1].why);
			}
			continue;
		}
		f = add_file(&res->files, &res->nr_files, &res->alloc_files,
			     c->file.rel);
		f->to = join(req->series_dir, name.buf);
		f->first = c->first;
		f->last = c->last;
		f->how = how;
		log_info("import: %s: %s as %s (%s)", req->series,
			 *c->file.rel ? c->file.rel : base_name(req->source),
			 name.buf, how);
	}
	ret = first_err ? failed(res, first_err, "%s", res->reason.buf) : 0;
out:
	if (dfd >= 0)
		close(dfd);
	if (w.base_fd >= 0)
		close(w.base_fd);
	if (w.file_fd >= 0)
		close(w.file_fd);
	for (size_t i = 0; i < w.nr; i++)
		free_candidate(&w.v[i]);
	free(w.v);
	strbuf_release(&name);
	strbuf_release(&real);
	return ret;
}

void import_result_release(struct import_result *res)
{
	for (size_t i = 0; i < res->nr_files; i++) {
		free(res->files[i].from);
		free(res->files[i].to);
		free(res->files[i].why);
	}
	for (size_t i = 0; i < res->nr_left_out; i++) {
		free(res->left_out[i].from);
		free(res->left_out[i].to);
		free(res->left_out[i].why);
	}
	free(res->files);
	free(res->left_out);
	strbuf_release(&res->reason);
	*res = (struct import_result)IMPORT_RESULT_INIT;
}
