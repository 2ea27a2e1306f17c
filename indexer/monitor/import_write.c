/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The volumes a walk found written into the series folder
 * (import_private.h): named by the template, hard-linked, copied, moved
 * or packed into a .cbz by descriptor, under a hidden temporary name
 * created as the folder's owner then placed without replacing, with a
 * mode no wider than the source's. It never replaces a file and never
 * opens the download but through the walk's descriptors.
 */
#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/fsuid.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

#include "common/config.h"
#include "common/log.h"
#include "common/symlinks.h"
#include "common/template.h"
#include "common/utf8.h"
#include "indexer/monitor/import_private.h"

#define COPY_CHUNK (256 << 10)

/* Whether the file name is a .cbz's. */
static int is_cbz(const char *name)
{
	size_t len = strlen(name);

	return len >= 4 && !strcasecmp(name + len - 4, ".cbz");
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

int import_target_name(const struct config *cfg, const char *series,
		       const struct candidate *c, struct strbuf *out)
{
	struct strbuf name = STRBUF_INIT, ext = STRBUF_INIT;
	char vol[32];
	int ret;

	add_series(&name, series);
	import_volume_text(c->first, c->last, vol, sizeof(vol));
	for (const char *s = c->ext ? c->ext : import_ext_of(c->name); *s; s++)
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
 * through that link checked anew. Anything but a regular file is -EINVAL,
 * one the walk may no longer take (import_may_take()) -EACCES.
 */
static int open_source(const struct walk *w, const struct source *s,
		       struct stat *st)
{
	const char *name = import_base_name(s->rel);
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
	} else if (fd >= 0 && import_may_take(w, fd, st,
						     IMPORT_MAY_READ)) {
		/* changed since the walk took it */
		close(fd);
		fd = -EACCES;
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
 * Take on, for the files this thread creates, the identity of the series
 * folder's owner dst (setfsuid(), this thread's alone), so that a copy is
 * theirs from its creation: no capability to give files away is needed,
 * only root's or CAP_SETUID's right to act as a user. Where the daemon
 * may not act as the owner (a daemon of its own user writing in a folder
 * its group shares), it creates as itself and give() hands the file over
 * where it may. The group is taken where it may, else give() sets it.
 * become_self() gives the identity back.
 */
static void become_owner(const struct stat *dst)
{
	if (dst->st_uid != geteuid()) {
		setfsuid(dst->st_uid);
		if ((uid_t)setfsuid(-1) != dst->st_uid)
			setfsuid(geteuid());
	}
	setfsgid(dst->st_gid);
}

static void become_self(void)
{
	setfsuid(geteuid());
	setfsgid(getegid());
}

/*
 * Give the file fd (any descriptor, O_PATH too) the series folder's owner
 * and group where it has others (a file linked or moved in keeps its
 * owner where the daemon may not give it away, as mv(1) does), and mode:
 * never more than the source's mode allows, and the umask's at most.
 */
static void give(int fd, const struct stat *dst, mode_t mode,
		 const char *name)
{
	char path[32];
	struct stat st;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	if (fstat(fd, &st))
		st.st_uid = (uid_t)-1;
	if ((st.st_uid != dst->st_uid || st.st_gid != dst->st_gid) &&
	    fchownat(fd, "", dst->st_uid, dst->st_gid, AT_EMPTY_PATH))
		log_debug("import: %s keeps its owner: %s", name,
			  strerror(errno));
	if (chmod(path, mode & new_file_mode()))
		log_warn("import: %s: cannot set its mode: %s", name,
			 strerror(errno));
}

#define TEMP_PREFIX ".import-"
#define TEMP_SUFFIX ".tmp"
#define TEMP_HEX 12

/* Whether name is one open_temp() gives. */
static int is_temp_name(const char *name)
{
	size_t plen = strlen(TEMP_PREFIX);

	if (strlen(name) != plen + TEMP_HEX + strlen(TEMP_SUFFIX) ||
	    strncmp(name, TEMP_PREFIX, plen) ||
	    strcmp(name + plen + TEMP_HEX, TEMP_SUFFIX))
		return 0;
	for (size_t i = plen; i < plen + TEMP_HEX; i++)
		if (!strchr("0123456789abcdef", name[i]))
			return 0;
	return 1;
}

void import_drop_temps(int dfd)
{
	int fd = openat(dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *dp = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *d;
	struct stat st, dir;

	if (!dp || fstat(dfd, &dir)) {
		if (dp)
			closedir(dp);
		else if (fd >= 0)
			close(fd);
		return;
	}
	while ((d = readdir(dp))) {
		if (!is_temp_name(d->d_name) ||
		    fstatat(dfd, d->d_name, &st, AT_SYMLINK_NOFOLLOW) ||
		    !S_ISREG(st.st_mode) ||
		    (st.st_uid != geteuid() && st.st_uid != dir.st_uid) ||
		    (st.st_mode & 07777) != 0600)
			continue;
		if (!unlinkat(dfd, d->d_name, 0))
			log_info("import: removed %s, left by an import that"
				 " was stopped", d->d_name);
	}
	closedir(dp);
}

/*
 * A new temporary file in the folder dfd (dst its stat), hidden and of no
 * volume kind, so the scanner passes it by: its name in tmp, the folder
 * owner's and readable by them alone until finish_temp() gives it its
 * mode.
 */
static int open_temp(int dfd, const struct stat *dst, char tmp[static 32])
{
	int fd;

	become_owner(dst);
	fd = symlinks_create_temp(dfd, TEMP_PREFIX, TEMP_SUFFIX, 0600, tmp,
				  32);
	become_self();
	return fd;
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
	fd = open_temp(dfd, dst, tmp);
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
	const char *base = import_base_name(s->rel);
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
		      const struct source *s, size_t skip, int width,
		      char *buf, mode_t *mode)
{
	struct strbuf name = STRBUF_INIT;
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
	import_zip_page_name(s->rel + skip, width, &name);
	archive_entry_set_pathname(e, name.buf);
	strbuf_release(&name);
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
	size_t skip = *c->file.rel ? strlen(c->file.rel) + 1 : 0;
	int width = import_zip_page_width(c->images, c->nr_images, skip);
	int fd = -1, ret = 0;
	mode_t mode = 0666;

	if (!a || !buf)
		abort();
	fd = open_temp(dfd, dst, tmp);
	if (fd < 0) {
		ret = fd;
		goto out;
	}
	if (archive_write_set_format_zip(a) != ARCHIVE_OK ||
	    archive_write_set_options(a, "zip:compression=store") !=
	    ARCHIVE_OK || archive_write_open_fd(a, fd) != ARCHIVE_OK)
		ret = -EIO;
	for (size_t i = 0; !ret && i < c->nr_images; i++)
		ret = pack_image(w, a, &c->images[i], skip, width, buf,
				 &mode);
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

int import_write_one(const struct walk *w, const struct candidate *c,
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
	/* refused before anything of it lands in the folder */
	if (w->refuse_bombs && is_cbz(name)) {
		int src = symlinks_reopen(pfd, O_RDONLY | O_NONBLOCK);

		ret = src < 0 ? src : import_zip_refused(src, st.st_size);
		if (src >= 0)
			close(src);
		if (ret) {
			close(pfd);
			return ret;
		}
	}
	/* a move never changes whose a file is: another's is copied */
	if (!strcmp(mode, "move") && st.st_uid != dst->st_uid)
		mode = "copy";
	*how = mode;
	if (!strcmp(mode, "move") && !c->file.via_link) {
		ret = move_file(w, &c->file, pfd, &st, dfd, dst, name, how);
	} else if (!strcmp(mode, "copy")) {
		ret = copy_file(pfd, &st, dfd, dst, name);
	} else if (st.st_uid != dst->st_uid) {
		/* a link of another's file would keep it readable to the
		 * series folder's owner whatever its owner does to it later
		 * (fs.protected_hardlinks refuses them that link): a copy */
		*how = "copy";
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

/*
 * Open the volume just placed as name in the series folder dfd, into
 * *st. The folder is its owner's, who may have put something else in
 * its place since: a FIFO (O_NONBLOCK opens it at once, nothing waits
 * for a writer) or a hard link to another user's file (where
 * fs.protected_hardlinks is off), which root would read and give them
 * rewritten. What is not a regular file of the folder's owner (or of
 * the daemon's user, when it may not give files away) is -EAGAIN.
 */
static int open_placed(int dfd, const struct stat *dst, const char *name,
		       struct stat *st)
{
	int fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK |
			O_CLOEXEC);

	if (fd < 0)
		return -errno;
	if (fstat(fd, st)) {
		int ret = -errno;

		close(fd);
		return ret;
	}
	if (!S_ISREG(st->st_mode) || (st->st_uid != dst->st_uid &&
				      (!geteuid() ||
				       st->st_uid != geteuid()))) {
		log_warn("import: %s is not the volume placed: left as it is",
			 name);
		close(fd);
		return -EAGAIN;
	}
	return fd;
}

int import_write_comicinfo(int dfd, const struct stat *dst, const char *name,
			   const char *xml, size_t len)
{
	struct import_zipdir z = { .dir = NULL };
	struct stat before, now;
	char tmp[32];
	int src, fd, ret;

	src = open_placed(dfd, dst, name, &before);
	if (src < 0) {
		ret = src;
		goto out;
	}
	ret = import_zipdir_read(src, &z);
	if (!ret && import_zipdir_has(&z, "ComicInfo.xml"))
		goto out;
	fd = ret ? -1 : open_temp(dfd, dst, tmp);
	if (fd < 0) {
		ret = ret ? ret : fd;
		goto out;
	}
	ret = import_zipdir_append(src, &z, fd, "ComicInfo.xml", xml, len,
				   time(NULL));
	/* the volume as it was, unless it is still the file read */
	if (!ret && (fstatat(dfd, name, &now, AT_SYMLINK_NOFOLLOW) ||
		     now.st_ino != before.st_ino || now.st_dev != before.st_dev
		     || now.st_size != before.st_size))
		ret = -EAGAIN;
	if (!ret)
		give(fd, dst, before.st_mode, name);
	if (!ret && fsync(fd))
		ret = -errno;
	close(fd);
	if (!ret && renameat(dfd, tmp, dfd, name))
		ret = -errno;
	if (ret)
		unlinkat(dfd, tmp, 0);
	else
		ret = 1;
out:
	if (src >= 0)
		close(src);
	import_zipdir_release(&z);
	return ret;
}

/* What the mode will write anew in the folder, for its free space. */
int import_check_space(const struct walk *w, const char *mode, int dfd,
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
