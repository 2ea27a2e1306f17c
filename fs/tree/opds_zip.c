/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The generated .cbz of a volume folder (opds_zip.h): its layout from the
 * store's rows, its headers made on demand, its images' bytes read as
 * the daemon once the caller's rights are checked. It decides no name of
 * the catalog and keeps no image in memory past one read.
 */
#include "fs/tree/opds_zip.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/array.h"
#include "common/log.h"
#include "common/strbuf.h"
#include "fs/tree/caller.h"
#include "fs/tree/open_caps.h"
#include "indexer/indexer.h"
#include "indexer/reads.h"

#define MAX16 0xffffU

static int add_file(void *arg, const struct manga_folder_file *f)
{
	struct opds_zip *z = arg;
	const char *base = memrchr(f->path, '/', f->path_len);
	struct opds_zip_entry *e;
	size_t len;
	int kind;

	base = base ? base + 1 : f->path;
	len = f->path_len - (size_t)(base - f->path);
	if (f->dir_mtime_ns > z->mtime_ns)
		z->mtime_ns = f->dir_mtime_ns;
	if (!len || len > MAX16 || memchr(base, '\0', len) || f->size < 0)
		return 0;
	e = array_grow(z->v, z->nr, &z->alloc, sizeof(*e), 32);
	if (!e)
		return -ENOMEM;
	z->v = e;
	e = &z->v[z->nr];
	*e = (struct opds_zip_entry){ .file = f->file, .name_len = len,
				      .size = (uint64_t)f->size,
				      .mtime_ns = f->mtime_ns,
				      .inode = f->inode,
				      .crc = (uint32_t)f->crc,
				      .crc_known = f->crc >= 0 };
	e->name = strndup(base, len);
	if (!e->name)
		return -ENOMEM;
	kind = pages_kind(e->name);
	if (kind < 0) {
		free(e->name);
		return 0;
	}
	if (z->nr == PAGES_MAX_ENTRIES) {
		free(e->name);
		return -E2BIG;
	}
	if (!z->nr)
		z->cover = kind;
	z->nr++;
	if (f->mtime_ns > z->mtime_ns)
		z->mtime_ns = f->mtime_ns;
	return 0;
}


/* Whether the folder dir in the state state (what its rows say) is told
 * of the first time (of the last TOLD folders and states told of): 1
 * then, else 0. */
#define TOLD 64
static int told_first(int64_t dir, int64_t state)
{
	static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
	static struct { int64_t dir, state; } told[TOLD];
	static size_t next;
	int known = 0;

	pthread_mutex_lock(&lock);
	for (size_t i = 0; !known && i < TOLD; i++)
		known = told[i].dir == dir && told[i].state == state;
	if (!known) {
		told[next % TOLD].dir = dir;
		told[next++ % TOLD].state = state;
	}
	pthread_mutex_unlock(&lock);
	return !known;
}

/* Log once for each folder that it has more images (or files) than a
 * volume may: its zip is not served. */
static void too_many(int64_t dir)
{
	if (told_first(dir, -1))
		log_warn("opds: the volume folder %" PRId64 " has more than"
			 " %d images or files: no .cbz is made of it (as an archive"
			 " past %d entries has no pages)", dir,
			 PAGES_MAX_ENTRIES, PAGES_MAX_ENTRIES);
}

/* Whether this thread counts work on a folder's images already. */
static __thread int counting;

/*
 * Count the work of this thread's caller on a folder's images (its rows,
 * its rights, its opens) as a page unpacked (open_caps.h), unless the
 * thread counts some already: 0, -EAGAIN or -ENOMEM past the caller's
 * cap, so that one user's loop over a large folder holds at most that
 * many of the threads. *counted tells work_end() to give it back.
 */
static int work_begin(int *counted)
{
	int rc = 0;

	*counted = 0;
	if (!counting) {
		rc = open_caps_unpack_begin(caller_uid(), caller_is_owner(),
					    0);
		*counted = counting = !rc;
	}
	return rc;
}

static void work_end(int counted)
{
	if (!counted)
		return;
	counting = 0;
	open_caps_unpack_end(caller_uid(), caller_is_owner(), 0);
}

static int build_rows(int64_t dir, struct opds_zip **out)
{
	struct opds_zip *z = calloc(1, sizeof(*z));
	int64_t files;
	int rc;

	*out = NULL;
	if (!z)
		return -ENOMEM;
	pthread_mutex_init(&z->lock, NULL);
	z->fd = -1;
	/* counted from the index first: no sort of a huge folder's names */
	rc = manga_reads_folder_count(dir, &files);
	if (!rc && files > PAGES_MAX_ENTRIES)
		rc = -E2BIG;
	if (!rc)
		rc = manga_reads_folder_files(dir, add_file, z);
	if (!rc && !z->nr)
		rc = -ENOENT;
	if (rc == -E2BIG)
		too_many(dir);
	if (rc) {
		opds_zip_free(z);
		return rc;
	}
	opds_zip_lay_out(z);
	*out = z;
	return 0;
}

int opds_zip_build(int64_t dir, struct opds_zip **out)
{
	int counted, rc = work_begin(&counted);

	*out = NULL;
	if (!rc)
		rc = build_rows(dir, out);
	work_end(counted);
	return rc;
}

int opds_zip_locate(struct opds_zip *z)
{
	struct strbuf path = STRBUF_INIT;
	char *slash;
	int rc = query_file_path(z->v[0].file, &path);

	if (!rc && !(slash = strrchr(path.buf, '/')))
		rc = -ENOENT;
	if (!rc) {
		*slash = '\0';
		free(z->folder);
		z->folder = strbuf_detach(&path, NULL);
		return 0;
	}
	strbuf_release(&path);
	return rc;
}

/* The absolute path of entry i into path. */
static void entry_path(const struct opds_zip *z, size_t i,
		       struct strbuf *path)
{
	strbuf_reset(path);
	strbuf_addf(path, "%s/", z->folder);
	strbuf_add(path, z->v[i].name, z->v[i].name_len);
}

static int access_check(const struct opds_zip *z)
{
	char **paths;
	unsigned char *may;
	struct strbuf path = STRBUF_INIT;
	int rc = 0;

	if (caller_is_owner())
		return 0;
	if (!caller_may_list(z->folder))
		return -EACCES;
	paths = calloc(z->nr, sizeof(*paths));
	may = calloc(z->nr, 1);
	if (!paths || !may)
		rc = -ENOMEM;
	for (size_t i = 0; !rc && i < z->nr; i++) {
		entry_path(z, i, &path);
		if (!(paths[i] = strbuf_detach(&path, NULL)))
			rc = -ENOMEM;
	}
	if (!rc)
		caller_may_read_each(paths, z->nr, may);
	for (size_t i = 0; !rc && i < z->nr; i++)
		if (!may[i])
			rc = -EACCES;
	for (size_t i = 0; paths && i < z->nr; i++)
		free(paths[i]);
	free(paths);
	free(may);
	strbuf_release(&path);
	return rc;
}

int opds_zip_access(const struct opds_zip *z)
{
	int counted, rc;

	if (caller_is_owner())
		return 0;
	rc = work_begin(&counted);
	if (!rc)
		rc = access_check(z);
	work_end(counted);
	return rc;
}

/*
 * Keep which file each entry is for a caller other than the owner, by
 * opening it as the caller: the reads open the entries later as the
 * daemon, and an entry swapped since (a symlink to another user's image
 * of the same size) must not be read for it. The owner's are looked at
 * as the daemon. *changed is set when an image's size, mtime or inode
 * is not the store's (its CRC-32 would not be its own: another file
 * renamed over it may have the same size and mtime).
 */
static int pin(struct opds_zip *z, int owner, int *changed)
{
	struct strbuf path = STRBUF_INIT;
	struct stat st;
	int rc = 0, fd;

	for (size_t i = 0; !rc && i < z->nr; i++) {
		entry_path(z, i, &path);
		if (owner) {
			if (stat(path.buf, &st))
				rc = -errno;
		} else if ((fd = caller_open(path.buf, O_RDONLY)) < 0) {
			rc = fd == -ENOENT ? fd : -EACCES;
		} else {
			if (fstat(fd, &st))
				rc = -errno;
			close(fd);
		}
		if (rc)
			break;
		z->v[i].dev = st.st_dev;
		z->v[i].ino = st.st_ino;
		*changed |= (uint64_t)st.st_size != z->v[i].size ||
			    (int64_t)st.st_ino != z->v[i].inode ||
			    st.st_mtim.tv_sec * 1000000000LL +
			    st.st_mtim.tv_nsec != z->v[i].mtime_ns;
	}
	z->pinned = !owner;
	strbuf_release(&path);
	return rc;
}

/*
 * A zip whose CRC-32s the scan has not all read, or one of whose images
 * changed since (changed): -EAGAIN, the folder's scan asked for (again
 * whole, every image read, when a CRC-32 is missing from images as the
 * store has them) and logged, once for each state of the folder's rows.
 * The request's thread reads no image for a CRC-32.
 */
static int crcs_known(struct opds_zip *z, int64_t dir, int changed)
{
	int missing = 0;

	for (size_t i = 0; i < z->nr; i++)
		missing |= !z->v[i].crc_known;
	if (!missing && !changed)
		return 0;
	if (told_first(dir, z->mtime_ns ^ (int64_t)z->size)) {
		log_warn("opds: %s %s: its .cbz waits for its scan", z->folder,
			 changed ? "changed since it was scanned" :
			 "has images whose CRC-32 is not read yet");
		indexer_rescan("opds", !changed, z->folder);
	}
	return -EAGAIN;
}

/*
 * The open is counted as a page's unpacking of the caller (open_caps.h):
 * it opens (or looks at) each image as the caller, so that one user's
 * loop of opens of large folders holds at most its cap of the threads,
 * and fails with EAGAIN past it. Every CRC-32 is the scan's
 * (crcs_known()).
 */
int opds_zip_open(int64_t dir, struct opds_zip **out)
{
	int owner = caller_is_owner(), counted, changed = 0;
	int rc = work_begin(&counted);

	*out = NULL;
	if (rc)
		return rc;
	rc = query_begin();
	if (rc)
		goto out;
	rc = opds_zip_build(dir, out);
	if (!rc)
		rc = opds_zip_locate(*out);
	query_end();
	if (!rc)
		rc = opds_zip_access(*out);
	if (!rc)
		rc = pin(*out, owner, &changed);
	if (!rc)
		rc = crcs_known(*out, dir, changed);
	if (rc) {
		opds_zip_free(*out);
		*out = NULL;
	}
out:
	work_end(counted);
	return rc;
}

int opds_zip_stat(int64_t dir, struct stat *st)
{
	struct opds_zip *z;
	int rc = query_begin();

	if (rc)
		return rc;
	rc = opds_zip_build(dir, &z);
	query_end();
	if (rc)
		return rc;
	st->st_size = (off_t)z->size;
	st->st_mtim.tv_sec = z->mtime_ns / 1000000000;
	st->st_mtim.tv_nsec = z->mtime_ns % 1000000000;
	st->st_atim = st->st_ctim = st->st_mtim;
	opds_zip_free(z);
	return 0;
}

void opds_zip_free(struct opds_zip *z)
{
	if (!z)
		return;
	for (size_t i = 0; i < z->nr; i++)
		free(z->v[i].name);
	if (z->fd >= 0)
		close(z->fd);
	pthread_mutex_destroy(&z->lock);
	free(z->v);
	free(z->folder);
	free(z);
}


/* Open entry i, unless it is open already, and check that it is as large
 * as the store says. The caller's rights were checked at the open
 * (opds_zip_access(), pin()): a read opens, as the daemon, the file that
 * was checked or nothing. */
static int open_entry(struct opds_zip *z, size_t i)
{
	struct strbuf path = STRBUF_INIT;
	struct stat st;
	int fd;

	if (z->fd >= 0 && z->fd_entry == i)
		return 0;
	if (z->fd >= 0)
		close(z->fd);
	z->fd = -1;
	entry_path(z, i, &path);
	fd = indexer_open_file(path.buf, O_RDONLY);
	if (fd >= 0 && fstat(fd, &st)) {
		close(fd);
		fd = -errno;
	}
	if (fd >= 0 && z->pinned && (st.st_dev != z->v[i].dev ||
				     st.st_ino != z->v[i].ino)) {
		close(fd);
		fd = log_error(-EACCES, "opds: %s is not the file its zip was"
			       " opened with: not read", path.buf);
	}
	if (fd >= 0 && ((uint64_t)st.st_size != z->v[i].size ||
			st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec !=
			z->v[i].mtime_ns)) {
		close(fd);
		fd = log_error(-EIO, "opds: %s is %lld bytes, not the %llu"
			       " last indexed, or of another mtime: its"
			       " folder's zip waits for the next scan",
			       path.buf, (long long)st.st_size,
			       (unsigned long long)z->v[i].size);
	}
	strbuf_release(&path);
	if (fd < 0)
		return fd;
	z->fd = fd;
	z->fd_entry = i;
	return 0;
}

/* Read len bytes of entry i from off into buf, all of them. */
static int read_entry(struct opds_zip *z, size_t i, char *buf, size_t len,
		      uint64_t off)
{
	int rc = open_entry(z, i);

	while (!rc && len) {
		ssize_t n = pread(z->fd, buf, len, (off_t)off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			rc = n < 0 ? -errno : -EIO;
			break;
		}
		buf += n;
		len -= (size_t)n;
		off += (uint64_t)n;
	}
	return rc;
}

/* The last entry whose part (at is its offset or cd_offset) starts at or
 * before off. */
static size_t entry_at(const struct opds_zip *z, uint64_t off, int central)
{
	size_t lo = 0, hi = z->nr;

	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;
		uint64_t at = central ? z->v[mid].cd_offset :
			      z->v[mid].offset;

		if (at <= off)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

/* Copy what of the header hdr (len bytes, starting at start in the zip)
 * lies at off, up to size bytes, into buf: how many. */
static size_t copy_part(char *buf, size_t size, uint64_t off,
			const unsigned char *hdr, size_t len, uint64_t start)
{
	size_t skip = (size_t)(off - start), n = len - skip;

	if (n > size)
		n = size;
	memcpy(buf, hdr + skip, n);
	return n;
}

/* One part of the zip at off (a header, an image's bytes, the end): up
 * to size bytes into buf, how many, or a negative errno value. */
static ssize_t read_part(struct opds_zip *z, unsigned char *hdr, char *buf,
			 size_t size, uint64_t off)
{
	struct opds_zip_entry *e;
	size_t i, len;
	int rc;

	if (off >= z->end_offset)
		return (ssize_t)copy_part(buf, size, off, hdr,
					  opds_zip_end_records(z, hdr),
					  z->end_offset);
	if (off >= z->cd_offset) {
		e = &z->v[entry_at(z, off, 1)];
		return (ssize_t)copy_part(buf, size, off, hdr,
					  opds_zip_central_header(e, hdr),
					  e->cd_offset);
	}
	i = entry_at(z, off, 0);
	e = &z->v[i];
	len = opds_zip_local_len(e);
	if (off < e->offset + len)
		return (ssize_t)copy_part(buf, size, off, hdr,
					  opds_zip_local_header(e, hdr),
					  e->offset);
	off -= e->offset + len;
	if (size > e->size - off)
		size = (size_t)(e->size - off);
	rc = read_entry(z, i, buf, size, off);
	return rc ? rc : (ssize_t)size;
}

ssize_t opds_zip_read(struct opds_zip *z, char *buf, size_t size,
		      uint64_t off)
{
	unsigned char *hdr = malloc(OPDS_ZIP_HEADER_MAX);
	size_t done = 0;
	ssize_t n = 0;

	if (!hdr)
		return -ENOMEM;
	if (off >= z->size || !size) {
		free(hdr);
		return 0;
	}
	if (size > z->size - off)
		size = (size_t)(z->size - off);
	pthread_mutex_lock(&z->lock);
	while (done < size) {
		n = read_part(z, hdr, buf + done, size - done, off + done);
		if (n <= 0)
			break;
		done += (size_t)n;
	}
	pthread_mutex_unlock(&z->lock);
	free(hdr);
	return n < 0 ? n : (ssize_t)done;
}
