/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The blackhole client (client.h): a release's torrent, NZB or link
 * written into the folder a client watches, under a temporary name then
 * renamed, so the client never opens half a file. The folder is opened
 * with no link on its path and no folder on it that others may change
 * (symlinks_open_owned()), and written through that descriptor only. It
 * lists no download.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/fdio.h"
#include "common/hash.h"
#include "common/log.h"
#include "common/strbuf.h"
#include "common/symlinks.h"
#include "common/utf8.h"
#include "indexer/monitor/client.h"

/*
 * The release title as a file name any client and file manager can
 * handle; see download.h for the rules.
 */
static void safe_name(const char *title, struct strbuf *out)
{
	const unsigned char *s = (const unsigned char *)title;
	size_t len = strlen(title), i = 0, k;
	unsigned int cp;

	while (i < len && (s[i] == '.' || s[i] == ' '))
		i++;
	for (; i < len; i += k) {
		const char *piece = (const char *)s + i;
		size_t n;

		k = utf8_decode(s + i, len - i, &cp);
		if (!k) {
			k = 1;
			piece = "_";
		} else if (cp == '/') {
			piece = "\xe2\x88\x95";
		} else if (cp < 0x20 || cp == 0x7f ||
			   (cp >= 0x80 && cp < 0xa0)) {
			piece = "_";
		}
		n = piece == (const char *)s + i ? k : strlen(piece);
		if (out->len + n > DOWNLOAD_NAME_MAX)
			break;
		strbuf_add(out, piece, n);
	}
	strbuf_rtrim(out);
	if (!out->len)
		strbuf_addstr(out, "release");
}

/* A failed file operation as an errno value, for err and the caller. */
static int file_error(int e)
{
	if (e == EACCES || e == EPERM || e == EROFS)
		return -EACCES;
	if (e == ENOENT || e == ENOTDIR)
		return -ENOENT;
	return e == ENOMEM ? -ENOMEM : -EIO;
}

/* Write all of data to fd, through short writes and signals. */
/*
 * Move tmp to NAME.ext in the folder dfd, or "NAME (N).ext" when taken,
 * never replacing a file. A file system without RENAME_NOREPLACE gets a
 * look first, which a second writer could race; nothing else writes
 * these names.
 */
static int place(int dfd, const char *tmp, const char *name,
		 const char *ext, struct strbuf *final)
{
	for (int n = 1; n < 1000; n++) {
		int rc;

		strbuf_reset(final);
		strbuf_addstr(final, name);
		if (n > 1)
			strbuf_addf(final, " (%d)", n);
		strbuf_addstr(final, ext);
		rc = renameat2(dfd, tmp, dfd, final->buf, RENAME_NOREPLACE);
		if (rc && (errno == EINVAL || errno == ENOSYS)) {
			if (!faccessat(dfd, final->buf, F_OK,
				       AT_SYMLINK_NOFOLLOW))
				continue;
			rc = renameat(dfd, tmp, dfd, final->buf);
		}
		if (!rc)
			return 0;
		if (errno != EEXIST)
			return -1;
	}
	errno = EEXIST;
	return -1;
}

/*
 * Write data as NAME.ext in the folder dfd (dir): under a hidden
 * temporary name, synced, then renamed, so a watching client never opens
 * half a file; each name in dfd, so nothing on dir's path is looked up
 * again. No temporary file stays behind, whatever fails.
 */
static int write_atomic(const char *dir, int dfd, const char *name,
			const char *ext, const char *data, size_t len,
			struct strbuf *err)
{
	struct strbuf final = STRBUF_INIT;
	char tmp[48];
	int fd, ret = 0;

	fd = symlinks_create_temp(dfd, ".mediamon-", ".tmp", 0600, tmp,
				  sizeof(tmp));
	if (fd < 0)
		return client_fail(err, file_error(-fd), "blackhole: cannot"
				   " write in %s: %s", dir, strerror(-fd));
	/* made 0600 whatever the umask; the client often runs as another
	 * user */
	if (fchmod(fd, 0644) || fdio_write_all(fd, data, len) || fsync(fd)) {
		ret = client_fail(err, file_error(errno), "blackhole: cannot"
				  " write %s/%s: %s", dir, tmp,
				  strerror(errno));
		close(fd);
		goto fail;
	}
	if (close(fd)) {
		ret = client_fail(err, file_error(errno), "blackhole: cannot"
				  " write %s/%s: %s", dir, tmp,
				  strerror(errno));
		goto fail;
	}
	if (place(dfd, tmp, name, ext, &final)) {
		ret = client_fail(err, file_error(errno), "blackhole: cannot"
				  " name %s%s in %s: %s", name, ext, dir,
				  strerror(errno));
		goto fail;
	}
	/* The rename itself must survive a crash, as the file does. */
	fsync(dfd);
	log_info("blackhole: wrote %s/%s", dir, final.buf);
	goto out;
fail:
	unlinkat(dfd, tmp, 0);
out:
	strbuf_release(&final);
	return ret;
}

/* Whether s holds a control character, which would break its line. */
static int has_control(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 1;
	return 0;
}

/*
 * Whether why (NULL: none, the folder opened) is what was logged last
 * of c's folder; noted when not. A poll asks every minute, and health
 * keeps saying it.
 */
static int logged_already(const struct download_client *c, const char *why)
{
	static uint64_t last[2];
	int usenet = c->protocol && !strcmp(c->protocol, "usenet");
	uint64_t h = why ? hash_bytes(why, strlen(why)) : 0;

	return __atomic_exchange_n(&last[usenet], h, __ATOMIC_RELAXED) == h;
}

/*
 * Open the folder, before any link is read: a missing one costs nothing
 * then. Its path is walked from /, and a folder on it that a user other
 * than root, the daemon's or client_user may change (or a link) refuses
 * it: that user could lead the file elsewhere. Logged once until it
 * opens or fails otherwise.
 */
static int open_folder(const struct download_client *c, struct strbuf *err)
{
	struct strbuf why = STRBUF_INIT;
	const char *dir = c->blackhole_dir;
	int dfd;

	if (!dir || !*dir)
		return client_fail(err, -EINVAL, "blackhole: no folder set");
	if (*dir != '/')
		return client_fail(err, -EINVAL, "blackhole: the folder %s is"
				   " no absolute path", dir);
	dfd = symlinks_open_owned(dir, O_RDONLY | O_DIRECTORY, &c->client_uid,
				  c->client_user != NULL, &why);
	strbuf_reset(err);
	if (dfd < 0 && why.len)
		strbuf_addf(err, "blackhole: the folder %s is not used: %s"
			    " (only root, mediamon's user or client_user may"
			    " change it)", dir, why.buf);
	else if (dfd < 0)
		strbuf_addf(err, "blackhole: cannot open the folder %s: %s",
			    dir, strerror(-dfd));
	if (dfd < 0)
		dfd = why.len ? -EACCES : file_error(-dfd);
	if (!logged_already(c, dfd < 0 ? err->buf : NULL) && dfd < 0)
		log_error(dfd, "%s", err->buf);
	strbuf_release(&why);
	return dfd;
}

static int blackhole_ready(const struct download_client *c,
			   struct strbuf *err)
{
	int dfd = open_folder(c, err);

	if (dfd < 0)
		return dfd;
	close(dfd);
	return 0;
}

/* The folder opened, and writable by the daemon. */
static int blackhole_version(const struct download_client *c,
			     struct strbuf *out, struct strbuf *err)
{
	int dfd = open_folder(c, err), rc;

	if (dfd < 0)
		return dfd;
	rc = faccessat(dfd, ".", W_OK | X_OK, AT_EACCESS) ? errno : 0;
	close(dfd);
	if (rc)
		return client_fail(err, file_error(rc), "blackhole: the"
				   " folder %s: %s", c->blackhole_dir,
				   strerror(rc));
	strbuf_addf(out, "folder %s writable", c->blackhole_dir);
	return 0;
}

/* Write what p holds as the file the folder's client opens. */
static int blackhole_send(const struct download_client *c,
			  const struct download_release *r,
			  const struct client_payload *p, const int *cancel,
			  char *id, struct strbuf *err)
{
	struct strbuf line = STRBUF_INIT, name = STRBUF_INIT;
	const char *ext, *data = p->data;
	size_t len = p->len;
	int dfd, ret;

	(void)cancel;
	(void)id;
	if (p->kind == LINKS_TORRENT || p->kind == LINKS_NZB) {
		ext = p->kind == LINKS_TORRENT ? ".torrent" : ".nzb";
	} else if (has_control(p->text)) {
		return client_fail(err, -EINVAL, "blackhole: the link holds"
				   " control characters");
	} else {
		strbuf_addstr(&line, p->text);
		strbuf_addch(&line, '\n');
		data = line.buf;
		len = line.len;
		ext = p->kind == LINKS_MAGNET ? ".magnet" : ".link";
	}
	dfd = open_folder(c, err);
	ret = dfd < 0 ? dfd : 0;
	if (!ret) {
		safe_name(r->title, &name);
		ret = write_atomic(c->blackhole_dir, dfd, name.buf, ext,
				   data, len, err);
		close(dfd);
	}
	strbuf_release(&line);
	strbuf_release(&name);
	return ret;
}

/* A torrent folder takes magnets, torrents and links written down; a
 * usenet folder NZBs. */
const struct client_kind client_blackhole = {
	.takes = LINKS_MAGNET | LINKS_TORRENT | LINKS_NZB | CLIENT_ANY_LINK,
	.ready = blackhole_ready,
	.send = blackhole_send,
	.version = blackhole_version,
};
