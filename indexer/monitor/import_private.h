/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_IMPORT_PRIVATE_H
#define MEDIAMON_IMPORT_PRIVATE_H

/*
 * What the import's files share, for them alone: the walk of a download
 * and the volumes it found (import_walk.c), their writing into the
 * series folder (import_write.c), and the result both add to
 * (import.c, which runs them in turn).
 */

#include <sys/stat.h>
#include <sys/types.h>

#include "common/strbuf.h"
#include "common/symlinks.h"
#include "indexer/monitor/import_owner.h"
#include "indexer/monitor/import.h"

struct config;

/* A file the download holds that goes into a volume. */
struct source {
	char *rel;		/* below the walk's base folder */
	int via_link;		/* a link inside the download leads here */
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
	/* the series folder's owner, who must be able to read what is
	 * taken; NULL: not known (its folder did not open) */
	const struct import_user *reader;
	const char *foreign;		/* why the download itself is
					 * refused (import_may_take()) */
	int refuse_bombs;		/* a .cbz is refused past
					 * IMPORT_MAX_RATIO ([import]
					 * comicinfo: it is rewritten) */
};

/* import_result.c: the result's lists. */

/* Add an entry to one of res's lists; out of memory aborts, as strbuf. */
struct import_file *import_add_file(struct import_file **v, size_t *nr,
				    size_t *alloc, const char *from);

/* An entry that goes nowhere, with why, for the result and the log. */
void import_leave_out(struct import_result *res, const char *from,
		      double first, double last, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

/* import_walk.c: the download walked and its volumes planned. */

/* Where the download's name ends; "" has none. */
const char *import_ext_of(const char *name);

/* The last part of a relative path. */
const char *import_base_name(const char *rel);

/* dir/name, or name when dir is ""; out of memory aborts. */
char *import_join(const char *dir, const char *name);

/* "100", "10.5" or "100-102", as names gives volumes. */
void import_volume_text(double first, double last, char *buf, size_t len);

/*
 * Open the download for the walk, once, beneath its trusted folder (no
 * link, no mount point on the way): a folder is the base itself; a file
 * is walked as the one entry of its folder (*only its name), by the
 * descriptor of the file itself (w->file_fd), never by its name again.
 * *real is the folder's path, which links inside it must not leave.
 * Returns 0 or a negative errno value (import_path_error() tells it).
 */
int import_walk_open(struct walk *w, struct strbuf *real, const char **only);

/*
 * Walk the download: only, the file import_walk_open() found, or the
 * whole base folder, into w's candidates. Returns 0, -EFBIG when it
 * holds more than IMPORT_MAX_FILES entries, or the error of a read.
 */
int import_walk_run(struct walk *w, const char *only);

/*
 * Sort the candidates, give each its volumes, and leave out what gives
 * none, what is not wanted and a volume given twice.
 */
void import_walk_plan(struct walk *w);

void import_free_candidate(struct candidate *c);

/*
 * Whether the walk may take st, open as fd (O_PATH will do; a folder:
 * mask IMPORT_MAY_SEARCH and IMPORT_MAY_READ, a file IMPORT_MAY_READ):
 * NULL, or why not, in a few words naming nothing of it: one of the
 * request's owners' and readable by the series folder's owner as the
 * kernel would judge it, its ACL counted (import_owner_acl_may()).
 */
const char *import_may_take(const struct walk *w, int fd,
			    const struct stat *st, int mask);

/* import_zip.c: what a .cbz inflates to, and a capped sink. */

struct archive;

/*
 * The sum of the sizes the zip on fd gives its entries, read from its
 * central directory (nothing inflated) into *inflated, fd read from its
 * start. Returns 0, or -EIO for what does not read as a zip.
 */
int import_zip_inflated(int fd, unsigned long long *inflated);

/*
 * Whether the .cbz on fd (size bytes) is refused as a zip bomb
 * (import.h, IMPORT_MAX_RATIO): -EFBIG, or 0 (also for what is not a
 * zip, which nothing inflates).
 */
int import_zip_refused(int fd, off_t size);

/* import_zipdir.c: a .cbz's central directory, read and extended. */

/* What the end records of a zip say, and its central directory. */
struct import_zipdir {
	unsigned long long entries;	/* as the end record counts them */
	unsigned long long dir_off, dir_size;
	unsigned long long end;		/* where the end records begin */
	unsigned long long inflated;	/* the entries' sizes, summed */
	int zip64;			/* it had zip64 end records */
	unsigned char *dir;		/* the directory's bytes */
	unsigned char *comment;		/* the archive's comment */
	size_t comment_len;
};

/*
 * Read the central directory of the zip on fd into z (released by
 * import_zipdir_release(), also after a failure): every record checked,
 * nothing inflated. Returns 0, or -EIO for what is not one zip on one
 * disk whose directory ends where its end records begin.
 */
int import_zipdir_read(int fd, struct import_zipdir *z);
void import_zipdir_release(struct import_zipdir *z);

/* Whether z lists an entry named name (ASCII case ignored). */
int import_zipdir_has(const struct import_zipdir *z, const char *name);

/*
 * Write to out the zip on src (z its directory) with one more entry,
 * name holding data (len bytes) stored, dated mtime: every byte of src
 * before its directory copied as it is, the new entry after them, then
 * the directory with its record added. Returns 0, -EAGAIN when src is
 * shorter than z says, or another negative errno value.
 */
int import_zipdir_append(int src, const struct import_zipdir *z, int out,
			 const char *name, const void *data, size_t len,
			 time_t mtime);

/*
 * The name of a page in a .cbz packed from a folder: its path below the
 * folder (rel) with each run of digits written width digits wide, so
 * that readers sorting pages by name read "2.png" before "10.png"; width
 * is import_zip_page_width() of the folder's pages, whose paths are
 * below the folder from byte skip on.
 */
int import_zip_page_width(const struct source *pages, size_t nr,
			  size_t skip);
void import_zip_page_name(const char *rel, int width, struct strbuf *out);

/* import_write.c: the volumes written into the series folder. */

/* The file name of candidate c, by the template. */
int import_target_name(const struct config *cfg, const char *series,
		       const struct candidate *c, struct strbuf *out);

/*
 * Whether the walk's volumes may go in: -EFBIG when they weigh more than
 * IMPORT_MAX_BYTES, -ENOSPC when what the mode writes anew would not fit
 * in the folder dfd; reason says why.
 */
int import_check_space(const struct walk *w, const char *mode, int dfd,
		       const struct stat *dst, struct strbuf *reason);

/*
 * Remove from the series folder dfd the temporary files of imports killed
 * before their rename: named as import_write_one() names them, the
 * daemon's user's or the folder owner's and mode 0600, as only a
 * temporary file not yet given its mode is. Nothing else deletes them.
 */
void import_drop_temps(int dfd);

/*
 * Give the .cbz name in the series folder dfd (dst its stat), just
 * imported, the ComicInfo.xml xml (len bytes) when it has none at its
 * top: the archive written anew beside it, every byte of it kept and
 * that entry added (import_zipdir_append()), then put in its place.
 * Returns 1 when it was written anew, 0 when it had one, -EIO for an
 * archive that does not read, -EAGAIN when the file changed meanwhile
 * or what stands at name is not a regular file of the folder's owner
 * (the folder is theirs: a FIFO, another user's file linked there), or
 * another negative errno value; the volume is left as it was on any
 * error.
 */
int import_write_comicinfo(int dfd, const struct stat *dst, const char *name,
			   const char *xml, size_t len);

/*
 * Bring candidate c in as name in the series folder dfd (dst its stat),
 * by the mode; *how says how. Never replaces a file: -EEXIST.
 */
int import_write_one(const struct walk *w, const struct candidate *c,
		     const char *mode, int dfd, const struct stat *dst,
		     const char *name, const char **how);

#endif
