/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Completed downloads into series folders (import.h), on real files in a
 * temporary tree: links, copies, moves, packs of images, multi-volume
 * packs split by name, clashes, links and FIFOs that lead nowhere safe,
 * and the clients' paths mapped to this machine's.
 */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/bytes.h"
#include "common/config.h"
#include "common/strbuf.h"
#include "common/template.h"
#include "indexer/monitor/import.h"
#include "common/listener.h"
#include "indexer/monitor/import_owner.h"
#include "indexer/monitor/import_path.h"

static char tmp[] = "/tmp/test_import.XXXXXX";
static char dl[64], series[64], outside[64], conf[64];
static struct config cfg;

static void path_of(char *buf, size_t len, const char *base, const char *rel)
{
	snprintf(buf, len, "%s/%s", base, rel);
}

/* A file of text at base/rel, the folders on the way made. */
static void put(const char *base, const char *rel, const char *text)
{
	char path[512], *slash;
	FILE *f;

	path_of(path, sizeof(path), base, rel);
	for (slash = strchr(path + strlen(base) + 1, '/'); slash;
	     slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		mkdir(path, 0755);
		*slash = '/';
	}
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* The text of base/rel, or "" when it cannot be read. */
static const char *text_of(const char *base, const char *rel)
{
	static char buf[256];
	char path[512];
	ssize_t n;
	int fd;

	path_of(path, sizeof(path), base, rel);
	buf[0] = '\0';
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return buf;
	n = read(fd, buf, sizeof(buf) - 1);
	buf[n > 0 ? n : 0] = '\0';
	close(fd);
	return buf;
}

static ino_t inode_of(const char *base, const char *rel)
{
	char path[512];
	struct stat st;

	path_of(path, sizeof(path), base, rel);
	if (lstat(path, &st))
		return 0;
	return st.st_ino;
}

static void rm(const char *path)
{
	char cmd[600];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", path);
	assert_int_equal(system(cmd), 0);
}

/* How many entries a folder holds, hidden ones too. */
static int count(const char *dir)
{
	char cmd[600];
	int n = -1;
	FILE *p;

	snprintf(cmd, sizeof(cmd), "ls -A '%s' | wc -l", dir);
	p = popen(cmd, "r");
	assert_non_null(p);
	assert_int_equal(fscanf(p, "%d", &n), 1);
	pclose(p);
	return n;
}

/* The configuration with an [import] section of text. */
static void configure(const char *text)
{
	char err[512];
	FILE *f = fopen(conf, "w");

	assert_non_null(f);
	fprintf(f, "[manga]\nroot = %s\n%s", series, text);
	fclose(f);
	config_release(&cfg);
	config_init(&cfg);
	assert_int_equal(config_load_file(&cfg, conf, err, sizeof(err)), 0);
	assert_int_equal(config_finish(&cfg, err, sizeof(err)), 0);
}

/* Fresh folders for each test: the downloads, the series, outside. */
static int setup(void **state)
{
	(void)state;
	snprintf(dl, sizeof(dl), "%s/dl", tmp);
	snprintf(series, sizeof(series), "%s/One Piece", tmp);
	snprintf(outside, sizeof(outside), "%s/outside", tmp);
	snprintf(conf, sizeof(conf), "%s/mediamon.conf", tmp);
	assert_int_equal(mkdir(dl, 0755), 0);
	assert_int_equal(mkdir(series, 0755), 0);
	assert_int_equal(mkdir(outside, 0755), 0);
	configure("");
	return 0;
}

static int teardown(void **state)
{
	char other[128];

	(void)state;
	snprintf(other, sizeof(other), "%s/other", dl);
	umount2(other, MNT_DETACH);
	config_release(&cfg);
	rm(dl);
	rm(series);
	rm(outside);
	return 0;
}

/* Why the entry from was left out, or NULL when it was not. */
static const char *why_left_out(const struct import_result *res,
				const char *from)
{
	for (size_t i = 0; i < res->nr_left_out; i++)
		if (!strcmp(res->left_out[i].from, from))
			return res->left_out[i].why;
	return NULL;
}

/* Give the series folder an owner and a group other than the test's own
 * when root may (else it keeps the test's): those an imported file must
 * get. Returns the group, the owner in *uid. */
static gid_t other_group(uid_t *uid)
{
	if (geteuid()) {
		*uid = geteuid();
		return getegid();
	}
	assert_int_equal(chown(series, 4243, 4242), 0);
	*uid = 4243;
	return 4242;
}

/* A small tmpfs at DL/other (path), another file system: only root may
 * mount one, so the case is skipped for another user. teardown()
 * unmounts it whatever happens. */
static void mount_other(char *path, size_t len, const char *options)
{
	snprintf(path, len, "%s/other", dl);
	assert_int_equal(mkdir(path, 0755), 0);
	if (mount("tmpfs", path, "tmpfs", 0, options)) {
		print_message("no tmpfs (%s): case skipped\n",
			      strerror(errno));
		skip();
	}
}

static int run(const char *source, const double *vols, size_t nr,
	       struct import_result *res)
{
	struct import_request req = {
		.source = source, .source_root = dl, .series_dir = series,
		.series_root = tmp, .series = "One Piece",
		.volumes = vols, .nr_volumes = nr,
	};

	return import_run(&req, &cfg, res);
}

/* The hard link is the download's file itself, under the template's
 * name; the download keeps it. */
static void test_hardlink(void **state)
{
	struct import_result res = IMPORT_RESULT_INIT;
	char src[256], want[256];

	(void)state;
	put(dl, "One Piece T05 [FR].cbz", "vol5");
	path_of(src, sizeof(src), dl, "One Piece T05 [FR].cbz");
	assert_int_equal(run(src, (double[]){ 5 }, 1, &res), 0);
	assert_int_equal(res.nr_files, 1);
	assert_string_equal(res.files[0].how, "hardlink");
	assert_true(res.files[0].first == 5);
	assert_int_equal(inode_of(series, "One Piece T05.cbz"),
			 inode_of(dl, "One Piece T05 [FR].cbz"));
	path_of(want, sizeof(want), series, "One Piece T05.cbz");
	assert_string_equal(res.files[0].to, want);
	import_result_release(&res);
}

/* Copy mode writes a file of its own, owner and group from the series
 * folder, its mode never more than the source's nor the umask's, and no
 * temporary file stays behind. */
static void test_copy(void **state)
{
	struct import_result res = IMPORT_RESULT_INIT;
	char src[256], path[256];
	struct stat st;
	gid_t want_gid;
	uid_t want_uid;
	mode_t old;

	(void)state;
	configure("[import]\nmode = copy\n");
	put(dl, "One Piece T06.cbz", "vol6");
	path_of(src, sizeof(src), dl, "One Piece T06.cbz");
	assert_int_equal(chmod(src, 0600), 0);
	want_gid = other_group(&want_uid);
	/* the series folder's owner's own file, which they may read */
	assert_int_equal(chown(src, want_uid, -1), 0);
	old = umask(027);
	assert_int_equal(run(src, (double[]){ 6 }, 1, &res), 0);
	umask(old);
	assert_string_equal(res.files[0].how, "copy");
	assert_true(inode_of(series, "One Piece T06.cbz") !=
		    inode_of(dl, "One Piece T06.cbz"));
	assert_string_equal(text_of(series, "One Piece T06.cbz"), "vol6");
	path_of(path, sizeof(path), series, "One Piece T06.cbz");
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(st.st_gid, want_gid);
	assert_int_equal(st.st_uid, want_uid);
	assert_int_equal(count(series), 1);
	assert_string_equal(text_of(dl, "One Piece T06.cbz"), "vol6");
	import_result_release(&res);

	/* a source all may read: the umask's mode, no more */
	put(dl, "One Piece T07.cbz", "vol7");
	path_of(src, sizeof(src), dl, "One Piece T07.cbz");
	assert_int_equal(chmod(src, 0666), 0);
	old = umask(027);
	assert_int_equal(run(src, (double[]){ 7 }, 1, &res), 0);
	umask(old);
	path_of(path, sizeof(path), series, "One Piece T07.cbz");
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0640);
	assert_int_equal(st.st_uid, want_uid);
	import_result_release(&res);
}

/* The temporary file of an import killed before its rename (the daemon's,
 * 0600) goes with the next import into that folder; a file of that name
 * given away, of another mode or of another name stays. */
static void test_killed_import_left_over(void **state)
{
	static const struct {
		const char *name;
		mode_t mode;
		int stays;
	} files[] = {
		{ ".import-0123456789ab.tmp", 0600, 0 },
		{ ".import-a1b2c3d4e5f6.tmp", 0644, 1 },
		{ ".import-0123456789AB.tmp", 0600, 1 },
		{ ".import-0123.tmp", 0600, 1 },
		{ "x.import-0123456789ab.tmp", 0600, 1 },
	};
	struct import_result res = IMPORT_RESULT_INIT;
	char src[256], path[256];

	(void)state;
	configure("[import]\nmode = copy\n");
	for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
		put(series, files[i].name, "half");
		path_of(path, sizeof(path), series, files[i].name);
		assert_int_equal(chmod(path, files[i].mode), 0);
	}
	put(dl, "One Piece T08.cbz", "vol8");
	path_of(src, sizeof(src), dl, "One Piece T08.cbz");
	assert_int_equal(run(src, (double[]){ 8 }, 1, &res), 0);
	for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
		path_of(path, sizeof(path), series, files[i].name);
		if (access(path, F_OK) != (files[i].stays ? 0 : -1))
			fail_msg("%s: expected %s", files[i].name,
				 files[i].stays ? "kept" : "removed");
	}
	assert_string_equal(text_of(series, "One Piece T08.cbz"), "vol8");
	import_result_release(&res);
}

/* On another file system a hard link cannot be: the file is copied, as
 * the *arr programs do; but a download is never read across a mount point
 * below its save folder. Needs root, for the tmpfs. */
static void test_hardlink_across_file_systems(void **state)
{
	struct import_result res = IMPORT_RESULT_INIT;
	char other[128], src[256];
	struct import_request req = {
		.source = src, .source_root = other, .series_dir = series,
		.series_root = tmp, .series = "One Piece",
		.volumes = (double[]){ 7 }, .nr_volumes = 1,
	};

	(void)state;
	mount_other(other, sizeof(other), "size=1m");
	put(other, "One Piece T07.cbz", "vol7");
	path_of(src, sizeof(src), other, "One Piece T07.cbz");
	assert_int_equal(run(src, (double[]){ 7 }, 1, &res), -EXDEV);
	assert_non_null(strstr(res.reason.buf, "mount point"));
	assert_int_equal(count(series), 0);
	import_result_release(&res);
	assert_int_equal(import_run(&req, &cfg, &res), 0);
	assert_string_equal(res.files[0].how, "copy");
	assert_string_equal(text_of(series, "One Piece T07.cbz"), "vol7");
	assert_string_equal(text_of(other, "One Piece T07.cbz"), "vol7");
	assert_int_equal(count(series), 1);
	assert_int_equal(umount(other), 0);
	import_result_release(&res);
}

/* A copy that would not fit in the series folder's free space is not
 * begun; a hard link, which takes none, still goes. Needs root. */
static void test_no_space(void **state)
{
	struct import_result res = IMPORT_RESULT_INIT;
	char small[128], src[256], *big;
	int fd;

	(void)state;
	mount_other(small, sizeof(small), "size=64k");
	path_of(src, sizeof(src), dl, "One Piece T70.cbz");
	fd = open(src, O_WRONLY | O_CREAT, 0644);
	assert_true(fd >= 0);
	big = calloc(1, 256 << 10);
	assert_non_null(big);
	assert_int_equal(write(fd, big, 256 << 10), 256 << 10);
	free(big);
	close(fd);
	configure("[import]\nmode = copy\n");
	{
		struct import_request req = {
			.source = src, .source_root = dl,
			.series_dir = small, .series_root = small,
			.series = "One Piece",
		};

		assert_int_equal(import_run(&req, &cfg, &res), -ENOSPC);
		assert_non_null(strstr(res.reason.buf, "free"));
		assert_int_equal(count(small), 0);
	}
	import_result_release(&res);
	assert_int_equal(umount(small), 0);
}

/* Move takes the download's file away, the same inode in the series,
 * with the series folder's owner and group, and a mode never more than
 * it had. */
static void test_move(void **state)
{
	struct import_result res = IMPORT_RESULT_INIT;
	char src[256], path[256];
	struct stat st;
	gid_t want_gid;
	uid_t want_uid;
	mode_t old;
	ino_t ino;

	(void)state;
	configure("[import]\nmode = move\n");
	put(dl, "pack/One Piece T08.cbr", "vol8");
	path_of(path, sizeof(path), dl, "pack/One Piece T08.cbr");
	assert_int_equal(chmod(path, 0600), 0);
	want_gid = other_group(&want_uid);
	assert_int_equal(chown(path, want_uid, -1), 0);
	ino = inode_of(dl, "pack/One Piece T08.cbr");
	path_of(src, sizeof(src), dl, "pack");
	old = umask(022);
	assert_int_equal(run(src, (double[]){ 8 }, 1, &res), 0);
	umask(old);
	assert_string_equal(res.files[0].how, "move");
	assert_string_equal(res.files[0].from, "One Piece T08.cbr");
	assert_int_equal(inode_of(series, "One Piece T08.cbr"), ino);
	assert_int_equal(inode_of(dl, "pack/One Piece T08.cbr"), 0);
	path_of(path, sizeof(path), series, "One Piece T08.cbr");
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(st.st_gid, want_gid);
	assert_int_equal(st.st_uid, want_uid);
	import_result_release(&res);
}

static int run_owned(const char *source, double vol, const uid_t *owners,
		     size_t nr, struct import_result *res)
{
	struct import_request req = {
		.source = source, .source_root = dl, .series_dir = series,
		.series_root = tmp, .series = "One Piece",
		.volumes = &vol, .nr_volumes = 1,
		.owners = owners, .nr_owners = nr,
	};

	return import_run(&req, &cfg, res);
}

/* Another user's folder in the save folder is refused whole, naming
 * nothing inside it, in copy and in move mode; a file another user's
 * inside the download is left out; a file the series folder's owner
 * could not read is not copied for them; a move of a file that is not
 * theirs is a copy, the download's file kept as it was. Root only: the
 * files need owners. */
/* test_owners_and_reader()'s files in the client's folder, the series
 * folder's owner being owner. */
static void client_files_owned(uid_t owner)
{
	struct import_result res = IMPORT_RESULT_INIT;
	const uid_t root_only[] = { 0 };
	char src[256], path[256];
	struct stat st;

	/* another user's file in the client's folder: left out */
	configure("[import]\nmode = copy\n");
	put(dl, "pack/One Piece T10.cbz", "theirs");
	path_of(path, sizeof(path), dl, "pack/One Piece T10.cbz");
	assert_int_equal(chown(path, 4244, 4244), 0);
	path_of(src, sizeof(src), dl, "pack");
	assert_int_equal(run_owned(src, 10, root_only, 1, &res), -EACCES);
	assert_non_null(why_left_out(&res, "One Piece T10.cbz"));
	assert_int_equal(count(series), 0);
	import_result_release(&res);

	/* the client's 0600 file, which the series folder's owner could
	 * not read: not copied for them */
	assert_int_equal(chown(path, 0, 0), 0);
	assert_int_equal(chmod(path, 0600), 0);
	assert_int_equal(run_owned(src, 10, root_only, 1, &res), -EACCES);
	assert_non_null(strstr(why_left_out(&res, "One Piece T10.cbz"),
			       "could not read"));
	assert_int_equal(count(series), 0);
	import_result_release(&res);

	/* readable by all, moved: a copy, the client's file kept */
	configure("[import]\nmode = move\n");
	assert_int_equal(chmod(path, 0644), 0);
	assert_int_equal(run_owned(src, 10, root_only, 1, &res), 0);
	assert_string_equal(res.files[0].how, "copy");
	assert_string_equal(text_of(dl, "pack/One Piece T10.cbz"), "theirs");
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_uid, 0);
	path_of(path, sizeof(path), series, "One Piece T10.cbz");
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_uid, owner);
	import_result_release(&res);
}

static void test_owners_and_reader(void **state)
{
	static const char *const modes[] = { "copy", "move" };
	struct import_result res = IMPORT_RESULT_INIT;
	const uid_t root_only[] = { 0 };
	char src[256], path[256];
	struct stat st;
	uid_t owner;

	(void)state;
	if (geteuid()) {
		print_message("not root: case skipped\n");
		skip();
	}
	other_group(&owner);
	for (size_t i = 0; i < ARRAY_SIZE(modes); i++) {
		char conf_text[64];

		snprintf(conf_text, sizeof(conf_text),
			 "[import]\nmode = %s\n", modes[i]);
		configure(conf_text);
		put(dl, "victim/One Piece T09 secret.cbz", "private");
		path_of(path, sizeof(path), dl,
			"victim/One Piece T09 secret.cbz");
		assert_int_equal(chown(path, 4244, 4244), 0);
		assert_int_equal(chmod(path, 0600), 0);
		path_of(src, sizeof(src), dl, "victim");
		assert_int_equal(chown(src, 4244, 4244), 0);
		assert_int_equal(chmod(src, 0700), 0);
		assert_int_equal(run_owned(src, 9, root_only, 1, &res),
				 -EACCES);
		assert_non_null(strstr(res.reason.buf, "another user's"));
		assert_null(strstr(res.reason.buf, "secret"));
		assert_int_equal(res.nr_left_out, 0);
		assert_int_equal(res.no_volume, 0);
		assert_int_equal(count(series), 0);
		assert_int_equal(stat(path, &st), 0);
		assert_int_equal(st.st_uid, 4244);
		assert_int_equal(st.st_nlink, 1);
		import_result_release(&res);
		/* a file of the download's own folder inside it, too */
		path_of(path, sizeof(path), dl, "victim/inner");
		assert_int_equal(mkdir(path, 0755), 0);
		assert_int_equal(run_owned(path, 9, root_only, 1, &res),
				 -EACCES);
		assert_null(strstr(res.reason.buf, "secret"));
		import_result_release(&res);
		rm(src);
	}
	client_files_owned(owner);
}

/* With the client's list, only the files it lists are opened: another
 * volume planted beside them, or in a folder it does not list, is
 * neither imported nor named; a download of one file is its name. */
static void test_listed_only(void **state)
{
	static const char *const listed[] = {
		"One Piece T11.cbz", "more/One Piece T14.cbz",
	};
	static const char *const one[] = { "One Piece T15.cbz" };
	struct import_result res = IMPORT_RESULT_INIT;
	char src[256];
	struct import_request req = {
		.source = src, .source_root = dl, .series_dir = series,
		.series_root = tmp, .series = "One Piece",
		.listed = listed, .nr_listed = ARRAY_SIZE(listed),
		.listed_only = 1,
	};

	(void)state;
	configure("[import]\nmode = copy\n");
	put(dl, "pack/One Piece T11.cbz", "vol11");
	put(dl, "pack/One Piece T12.cbz", "planted");
	put(dl, "pack/more/One Piece T14.cbz", "vol14");
	put(dl, "pack/more/One Piece T16.cbz", "planted");
	put(dl, "pack/hidden/One Piece T13.cbz", "planted");
	path_of(src, sizeof(src), dl, "pack");
	assert_int_equal(import_run(&req, &cfg, &res), 0);
	assert_int_equal(res.nr_files, 2);
	assert_string_equal(res.files[0].from, "One Piece T11.cbz");
	assert_string_equal(res.files[1].from, "more/One Piece T14.cbz");
	assert_int_equal(res.nr_left_out, 0);
	assert_int_equal(count(series), 2);
	import_result_release(&res);

	/* a file: listed by its own name */
	put(dl, "One Piece T15.cbz", "vol15");
	path_of(src, sizeof(src), dl, "One Piece T15.cbz");
	req.listed = one;
	req.nr_listed = 1;
	assert_int_equal(import_run(&req, &cfg, &res), 0);
	assert_int_equal(res.nr_files, 1);
	import_result_release(&res);
	/* the client lists nothing there: nothing is opened */
	put(dl, "One Piece T17.cbz", "planted");
	path_of(src, sizeof(src), dl, "One Piece T17.cbz");
	assert_int_equal(import_run(&req, &cfg, &res), -ENOENT);
	assert_int_equal(res.nr_left_out, 0);
	assert_int_equal(count(series), 3);
	import_result_release(&res);
}

/* A socket of this process's listening on a port of the kernel's. */
static int listening(int family, unsigned *port)
{
	struct sockaddr_in6 a6 = { .sin6_family = AF_INET6,
				   .sin6_addr = IN6ADDR_LOOPBACK_INIT };
	struct sockaddr_in a4 = { .sin_family = AF_INET,
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	struct sockaddr *a = family == AF_INET ? (struct sockaddr *)&a4 :
		(struct sockaddr *)&a6;
	socklen_t len = family == AF_INET ? sizeof(a4) : sizeof(a6);
	int fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0 || bind(fd, a, len) || listen(fd, 1) ||
	    getsockname(fd, a, &len)) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	*port = ntohs(family == AF_INET ? a4.sin_port : a6.sin6_port);
	return fd;
}

/* The user listening on a client's port, by its url's address, port
 * and scheme; none where nothing listens; a url that does not read. */
static void test_listener(void **state)
{
	char url[128];
	unsigned port;
	uid_t uid;
	int fd;

	(void)state;
	fd = listening(AF_INET, &port);
	assert_true(fd >= 0);
	snprintf(url, sizeof(url), "http://127.0.0.1:%u/api", port);
	uid = (uid_t)-1;
	assert_int_equal(listener_uid(url, &uid), 0);
	assert_int_equal(uid, geteuid());
	snprintf(url, sizeof(url), "http://user:pw@localhost:%u", port);
	assert_int_equal(listener_uid(url, &uid), 0);
	close(fd);
	assert_int_equal(listener_uid(url, &uid), -ENOENT);
	fd = listening(AF_INET6, &port);
	if (fd >= 0) {
		snprintf(url, sizeof(url), "http://[::1]:%u/", port);
		assert_int_equal(listener_uid(url, &uid), 0);
		assert_int_equal(uid, geteuid());
		close(fd);
	}
	assert_int_equal(listener_uid("127.0.0.1:8080", &uid),
			 -EINVAL);
	assert_int_equal(listener_uid("http://h:99999/", &uid),
			 -EINVAL);
	assert_int_equal(listener_uid("http://[::1/", &uid),
			 -EINVAL);
	assert_int_equal(listener_uid(NULL, &uid), -EINVAL);
}

/* The owner's bits, then the group's, then the others', as the kernel
 * reads them: an owner the mode leaves out is not let in by others. */
static void test_may(void **state)
{
	struct import_user u = { .uid = 1000, .gid = 100,
				 .groups = { 100, 27 }, .nr_groups = 2 };
	struct import_user root = { .uid = 0 };
	struct stat st = { .st_uid = 1000, .st_gid = 5, .st_mode = 0044 };

	(void)state;
	assert_false(import_owner_may(&u, &st, IMPORT_MAY_READ));
	assert_true(import_owner_may(&root, &st, IMPORT_MAY_READ));
	st.st_uid = 2000;
	assert_true(import_owner_may(&u, &st, IMPORT_MAY_READ));
	st.st_mode = 0640;
	assert_false(import_owner_may(&u, &st, IMPORT_MAY_READ));
	st.st_gid = 27;
	assert_true(import_owner_may(&u, &st, IMPORT_MAY_READ));
	assert_false(import_owner_may(&u, &st, IMPORT_MAY_READ |
				      IMPORT_MAY_SEARCH));
	st.st_mode = 0750;
	assert_true(import_owner_may(&u, &st, IMPORT_MAY_READ |
				     IMPORT_MAY_SEARCH));
}

/* Widths pad each whole number; a field that does not exist, a width on
 * text, a slash or a missing field are refused. */
static void test_template(void **state)
{
	static const struct template_field f[] = {
		{ "series", 0, 0 }, { "volume", 1, 1 }, { "ext", 0, 1 },
	};
	static const struct {
		const char *tpl, *volume, *want;
	} good[] = {
		{ "{series} T{volume:02}.{ext}", "5", "Berserk T05.cbz" },
		{ "{series} T{volume:02}.{ext}", "105", "Berserk T105.cbz" },
		{ "{series} T{volume:02}.{ext}", "7.5", "Berserk T07.5.cbz" },
		{ "{series} T{volume:03}.{ext}", "100-102",
		  "Berserk T100-102.cbz" },
		{ "{series} v{volume:3}.{ext}", "1-3", "Berserk v001-003.cbz" },
		{ "{volume}.{ext}", "12", "12.cbz" },
	};
	static const char *const bad[] = {
		"{series} T{vol}.{ext}", "{series:02} T{volume}.{ext}",
		"{series} T{volume:x}.{ext}", "{series} T{volume:123}.{ext}",
		"{series}/T{volume}.{ext}", "{series} T{volume}",
		"{series} T{volume.{ext}", "{series} T}{volume}.{ext}",
	};
	char why[128];

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(*good); i++) {
		struct strbuf out = STRBUF_INIT;

		assert_int_equal(template_check(good[i].tpl, f, 3, why,
						sizeof(why)), 0);
		assert_int_equal(template_render(good[i].tpl, f,
			(const char *const[]){ "Berserk", good[i].volume,
					       "cbz" }, 3, &out), 0);
		assert_string_equal(out.buf, good[i].want);
		strbuf_release(&out);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		why[0] = '\0';
		assert_int_equal(template_check(bad[i], f, 3, why,
						sizeof(why)), -EINVAL);
		assert_true(why[0]);
	}
}

/* Series names that are no plain word: a slash becomes "∕", dots and
 * other scripts stay; the extension is written in lower case. */
static void test_odd_series_names(void **state)
{
	static const struct {
		const char *series, *file, *want;
	} cases[] = {
		{ "AC/DC", "AC-DC v02.CBZ", "AC\xe2\x88\x95" "DC T02.cbz" },
		{ "Dr. Stone", "Dr. Stone - Tome 3.pdf", "Dr. Stone T03.pdf" },
		{ "...", "T04.epub", "... T04.epub" },
		{ "進撃の巨人", "進撃の巨人 第5巻.cbz", "進撃の巨人 T05.cbz" },
	};

	(void)state;
	configure("[import]\nmode = copy\n");
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		struct import_result res = IMPORT_RESULT_INIT;
		struct import_request req = {
			.source = NULL, .source_root = dl,
			.series_dir = series, .series_root = tmp,
			.series = cases[i].series,
		};
		char src[256];

		put(dl, cases[i].file, "v");
		path_of(src, sizeof(src), dl, cases[i].file);
		req.source = src;
		assert_int_equal(import_run(&req, &cfg, &res), 0);
		assert_string_equal(strrchr(res.files[0].to, '/') + 1,
				    cases[i].want);
		assert_string_equal(text_of(series, cases[i].want), "v");
		import_result_release(&res);
	}
	configure("[import]\ntemplate = {volume:03} - {series}.{ext}\n");
	{
		struct import_result res = IMPORT_RESULT_INIT;
		char src[256];

		put(dl, "One Piece T09.cbz", "v9");
		path_of(src, sizeof(src), dl, "One Piece T09.cbz");
		assert_int_equal(run(src, NULL, 0, &res), 0);
		assert_string_equal(text_of(series, "009 - One Piece.cbz"),
				    "v9");
		import_result_release(&res);
	}
}

/* A folder of images becomes one .cbz whose pages are in natural order;
 * a text file and a hidden file beside them are left out. */
static void test_pack_images(void **state)
{
	static const char *const pages[] = {
		"1.jpg", "2.png", "10.jpg", "11.webp", "100.gif",
	};
	struct import_result res = IMPORT_RESULT_INIT;
	struct archive_entry *e;
	struct archive *a;
	char src[256], path[256], rel[64], buf[64];
	struct stat st;
	size_t i = 0;
	mode_t old;

	(void)state;
	for (size_t k = 0; k < 5; k++) {
		snprintf(rel, sizeof(rel), "One Piece T10/%s", pages[4 - k]);
		put(dl, rel, pages[4 - k]);
	}
	put(dl, "One Piece T10/info.txt", "scan group");
	put(dl, "One Piece T10/._1.jpg", "resource fork");
	/* one page others may not read: nor may they the pack */
	path_of(path, sizeof(path), dl, "One Piece T10/2.png");
	assert_int_equal(chmod(path, 0640), 0);
	path_of(src, sizeof(src), dl, "One Piece T10");
	old = umask(022);
	assert_int_equal(run(src, (double[]){ 10 }, 1, &res), 0);
	umask(old);
	assert_int_equal(res.nr_files, 1);
	assert_string_equal(res.files[0].how, "pack");
	assert_int_equal(res.nr_left_out, 2);
	assert_string_equal(why_left_out(&res, "info.txt"),
			    "not a volume file");
	assert_string_equal(why_left_out(&res, "._1.jpg"), "a hidden file");

	path_of(path, sizeof(path), series, "One Piece T10.cbz");
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0640);
	a = archive_read_new();
	assert_non_null(a);
	archive_read_support_format_zip(a);
	assert_int_equal(archive_read_open_filename(a, path, 4096),
			 ARCHIVE_OK);
	while (archive_read_next_header(a, &e) == ARCHIVE_OK) {
		ssize_t n;

		assert_true(i < 5);
		assert_string_equal(archive_entry_pathname(e), pages[i]);
		n = archive_read_data(a, buf, sizeof(buf) - 1);
		assert_true(n >= 0);
		buf[n] = '\0';
		assert_string_equal(buf, pages[i]);
		i++;
	}
	assert_int_equal(i, 5);
	archive_read_free(a);
	assert_int_equal(count(series), 1);
	import_result_release(&res);
}

/* A pack of three volumes becomes three imports, each under its own
 * name; extras, a chapter, an .nfo and a volume not wanted stay out. */
static void test_multi_volume_pack(void **state)
{
	struct import_result res = IMPORT_RESULT_INIT;
	char src[256];

	(void)state;
	put(dl, "One Piece v100-102/One Piece v100 (Digital) (LuCaZ).cbz",
	    "100");
	put(dl, "One Piece v100-102/One Piece v101 (Digital) (LuCaZ).cbz",
	    "101");
	put(dl, "One Piece v100-102/One Piece v102 (Digital) (LuCaZ).cbz",
	    "102");
	put(dl, "One Piece v100-102/One Piece v099 (Digital) (LuCaZ).cbz",
	    "99");
	put(dl, "One Piece v100-102/Extras/01.jpg", "x");
	put(dl, "One Piece v100-102/One Piece Chapter 1050.cbz", "ch");
	put(dl, "One Piece v100-102/release.nfo", "nfo");
	put(dl, "One Piece v100-102/cover.jpg", "jpg");
	path_of(src, sizeof(src), dl, "One Piece v100-102");
	assert_int_equal(run(src, (double[]){ 100, 101, 102 }, 3, &res), 0);
	assert_int_equal(res.nr_files, 3);
	for (int i = 0; i < 3; i++)
		assert_true(res.files[i].first == 100 + i);
	assert_string_equal(text_of(series, "One Piece T100.cbz"), "100");
	assert_string_equal(text_of(series, "One Piece T101.cbz"), "101");
	assert_string_equal(text_of(series, "One Piece T102.cbz"), "102");
	assert_int_equal(count(series), 3);
	assert_int_equal(res.nr_left_out, 5);
	for (size_t i = 0; i < res.nr_left_out; i++)
		assert_non_null(res.left_out[i].why);
	assert_string_equal(why_left_out(&res, "One Piece Chapter 1050.cbz"),
			    "a chapter, not a volume");
	assert_string_equal(why_left_out(&res, "release.nfo"),
			    "not a volume file");
	assert_string_equal(why_left_out(&res,
			    "One Piece v099 (Digital) (LuCaZ).cbz"),
			    "volume 99 is not wanted");
	assert_non_null(why_left_out(&res, "Extras"));
	assert_string_equal(why_left_out(&res, "cover.jpg"),
			    "an image beside volumes");
	import_result_release(&res);
}

/* Several volumes' image folders, each packed under its own volume. */
static void test_pack_of_image_folders(void **state)
{
	struct import_result res = IMPORT_RESULT_INIT;
	char src[256];

	(void)state;
	put(dl, "OP/Tome 11/001.jpg", "a");
	put(dl, "OP/Tome 12/001.jpg", "b");
	put(dl, "OP/Tome 12/002.jpg", "c");
	path_of(src, sizeof(src), dl, "OP");
	assert_int_equal(run(src, NULL, 0, &res), 0);
	assert_int_equal(res.nr_files, 2);
	assert_true(res.files[0].first == 11 && res.files[1].first == 12);
	assert_true(inode_of(series, "One Piece T11.cbz"));
	assert_true(inode_of(series, "One Piece T12.cbz"));
	import_result_release(&res);
}

/* A volume's folder of chapters' folders is one volume, its pages in
 * the chapters' order, each under its chapter's folder; extras apart. */
static void test_pack_of_chapter_folders(void **state)
{
	static const char *const pages[] = {
		"Chapitre 1/01.jpg", "Chapitre 1/02.jpg", "Chapitre 2/01.jpg",
		"Chapitre 10/01.jpg",
	};
	struct import_result res = IMPORT_RESULT_INIT;
	struct archive_entry *e;
	struct archive *a;
	char src[256], path[256], rel[64];
	size_t i = 0;

	(void)state;
	for (size_t k = 0; k < 4; k++) {
		snprintf(rel, sizeof(rel), "One Piece T13/%s", pages[3 - k]);
		put(dl, rel, pages[3 - k]);
	}
	put(dl, "One Piece T13/Extras/01.jpg", "extra");
	path_of(src, sizeof(src), dl, "One Piece T13");
	assert_int_equal(run(src, (double[]){ 13 }, 1, &res), 0);
	assert_int_equal(res.nr_files, 1);
	assert_non_null(why_left_out(&res, "Extras"));
	assert_true(res.files[0].first == 13);
	path_of(path, sizeof(path), series, "One Piece T13.cbz");
	a = archive_read_new();
	assert_non_null(a);
	archive_read_support_format_zip(a);
	assert_int_equal(archive_read_open_filename(a, path, 4096),
			 ARCHIVE_OK);
	while (archive_read_next_header(a, &e) == ARCHIVE_OK) {
		assert_true(i < 4);
		assert_string_equal(archive_entry_pathname(e), pages[i++]);
	}
	assert_int_equal(i, 4);
	archive_read_free(a);
	import_result_release(&res);
}

/* A name that is taken is an error that touches neither file, in every
 * mode, and no temporary file is left. */
static void test_clash(void **state)
{
	static const char *const modes[] = { "hardlink", "copy", "move" };
	char src[256], text[64];

	(void)state;
	put(series, "One Piece T20.cbz", "mine");
	put(dl, "One Piece T20.cbz", "theirs");
	path_of(src, sizeof(src), dl, "One Piece T20.cbz");
	for (size_t i = 0; i < 3; i++) {
		struct import_result res = IMPORT_RESULT_INIT;

		snprintf(text, sizeof(text), "[import]\nmode = %s\n",
			 modes[i]);
		configure(text);
		assert_int_equal(run(src, (double[]){ 20 }, 1, &res),
				 -EEXIST);
		assert_int_equal(res.nr_files, 0);
		assert_false(res.no_volume);
		assert_non_null(strstr(res.reason.buf, "already"));
		assert_string_equal(text_of(series, "One Piece T20.cbz"),
				    "mine");
		assert_string_equal(text_of(dl, "One Piece T20.cbz"),
				    "theirs");
		assert_int_equal(count(series), 1);
		import_result_release(&res);
	}
}

/* A link inside the download is followed to a file inside it, never out
 * of it: the volume behind such a link is refused. */
static void test_link_out_refused(void **state)
{
	struct import_result res = IMPORT_RESULT_INIT;
	char src[256], target[256], link[256];

	(void)state;
	configure("[import]\nmode = copy\n");
	put(outside, "secret.cbz", "secret");
	put(dl, "pack/One Piece T31.cbz", "31");
	path_of(target, sizeof(target), outside, "secret.cbz");
	path_of(link, sizeof(link), dl, "pack/One Piece T30.cbz");
	assert_int_equal(symlink(target, link), 0);
	path_of(src, sizeof(src), dl, "pack");
	assert_int_equal(run(src, (double[]){ 30 }, 1, &res), -EXDEV);
	/* a link planted in a good release does not make it a wrong one */
	assert_false(res.no_volume);
	assert_int_equal(res.nr_files, 0);
	assert_int_equal(count(series), 0);
	import_result_release(&res);

	/* inside the download, a link is as good as its file */
	path_of(link, sizeof(link), dl, "pack/One Piece T32.cbz");
	assert_int_equal(symlink("One Piece T31.cbz", link), 0);
	assert_int_equal(run(src, (double[]){ 32 }, 1, &res), 0);
	assert_string_equal(text_of(series, "One Piece T32.cbz"), "31");
	import_result_release(&res);
}

/* A FIFO is never opened (nothing waits on it), alone or in a folder. */
static void test_fifo_refused(void **state)
{
	struct import_result res = IMPORT_RESULT_INIT;
	char src[256];

	(void)state;
	configure("[import]\nmode = copy\n");
	path_of(src, sizeof(src), dl, "One Piece T40.cbz");
	assert_int_equal(mkfifo(src, 0644), 0);
	assert_int_equal(run(src, (double[]){ 40 }, 1, &res), -EINVAL);
	assert_non_null(strstr(res.reason.buf, "FIFO"));
	assert_false(res.no_volume);
	import_result_release(&res);
	assert_int_equal(run(dl, (double[]){ 40 }, 1, &res), -EINVAL);
	assert_false(res.no_volume);
	assert_int_equal(count(series), 0);
	import_result_release(&res);
}

/* A name that says nothing is the one wanted volume; a volume that is not
 * wanted, or that another file holds too, stays out with the reason. */
static void test_names_and_wanted(void **state)
{
	struct import_result res = IMPORT_RESULT_INIT;
	char src[256];

	(void)state;
	put(dl, "a1b2c3d4.cbz", "x");
	path_of(src, sizeof(src), dl, "a1b2c3d4.cbz");
	assert_int_equal(run(src, (double[]){ 41 }, 1, &res), 0);
	assert_true(inode_of(series, "One Piece T41.cbz"));
	import_result_release(&res);

	put(dl, "One Piece T42.cbz", "x");
	path_of(src, sizeof(src), dl, "One Piece T42.cbz");
	assert_int_equal(run(src, (double[]){ 43 }, 1, &res), -ENOENT);
	assert_string_equal(res.left_out[0].why, "volume 42 is not wanted");
	assert_non_null(strstr(res.reason.buf, "no wanted volume"));
	assert_true(res.no_volume);
	import_result_release(&res);

	put(dl, "twice/One Piece T44.pdf", "pdf");
	put(dl, "twice/One Piece T44.cbz", "cbz");
	path_of(src, sizeof(src), dl, "twice");
	assert_int_equal(run(src, (double[]){ 44 }, 1, &res), 0);
	assert_int_equal(res.nr_files, 1);
	assert_string_equal(why_left_out(&res, "One Piece T44.pdf"),
			    "volume 44 is also in One Piece T44.cbz");
	import_result_release(&res);
}

/* A pack of more entries than an import takes is refused whole. */
static void test_too_many_files(void **state)
{
	struct import_result res = IMPORT_RESULT_INIT;
	char src[256], name[64];
	int dfd;

	(void)state;
	path_of(src, sizeof(src), dl, "big");
	assert_int_equal(mkdir(src, 0755), 0);
	put(dl, "big/One Piece T50.cbz", "50");
	dfd = open(src, O_RDONLY | O_DIRECTORY);
	assert_true(dfd >= 0);
	for (int i = 0; i < IMPORT_MAX_FILES; i++) {
		snprintf(name, sizeof(name), "%05d.txt", i);
		close(openat(dfd, name, O_WRONLY | O_CREAT, 0644));
	}
	close(dfd);
	assert_int_equal(run(src, NULL, 0, &res), -EFBIG);
	assert_int_equal(count(series), 0);
	import_result_release(&res);
}

/* Map remote to local, its folder in root; both freed. */
static int map(const char *remote, const char *const *allow, size_t nr,
	       char *local, char *root, char *why)
{
	char *l, *r;
	int ret = import_map_path(&cfg, remote, allow, nr, &l, &r, why, 256);

	if (ret) {
		assert_null(l);
		assert_null(r);
		return ret;
	}
	snprintf(local, 256, "%s", l);
	snprintf(root, 256, "%s", r);
	free(l);
	free(r);
	return 0;
}

/* The clients' paths: the longest mapping wins, a path that leaves
 * every mapped or allowed folder by "..", or that names such a folder
 * itself, is refused; by text only: import_run() opens it. */
static void test_map_path(void **state)
{
	char text[512], why[256], allowed[128], local[256], root[256];
	const char *allow[1] = { allowed };

	(void)state;
	put(dl, "qbit/One Piece T60.cbz", "60");
	put(dl, "nested/x/One Piece T61.cbz", "61");
	snprintf(text, sizeof(text), "[download]\npath_map = /downloads:%s/"
		 "qbit\npath_map = /downloads/deep/:%s/nested\n", dl, dl);
	configure(text);
	assert_int_equal(cfg.download_path_map.nr, 4);
	assert_string_equal(cfg.download_path_map.items[2], "/downloads/deep");

	assert_int_equal(map("/downloads/One Piece T60.cbz", NULL, 0, local,
			     root, why), 0);
	assert_true(strstr(local, "/dl/qbit/One Piece T60.cbz"));
	assert_true(strstr(root, "/dl/qbit") && !strstr(root, "T60"));
	assert_int_equal(map("/downloads/deep/./x//One Piece T61.cbz", NULL,
			     0, local, root, why), 0);
	assert_true(strstr(local, "/dl/nested/x/One Piece T61.cbz"));
	assert_true(strstr(root, "/dl/nested") && !strstr(root, "/x"));

	/* out by "..", and a path that no mapping holds */
	assert_int_equal(map("/downloads/../etc/passwd", NULL, 0, local, root,
			     why), -EPERM);
	assert_non_null(strstr(why, "outside"));
	path_of(text, sizeof(text), outside, "elsewhere/One Piece T62.cbz");
	assert_int_equal(map(text, NULL, 0, local, root, why), -EPERM);
	/* ... unless it lies in an allowed folder */
	path_of(allowed, sizeof(allowed), outside, "elsewhere");
	assert_int_equal(map(text, allow, 1, local, root, why), 0);
	assert_string_equal(local, text);
	assert_string_equal(root, allowed);
	assert_int_equal(map("downloads/x", NULL, 0, local, root, why),
			 -EINVAL);

	/* a save folder named as the download: mapped, allowed, either */
	assert_int_equal(map("/downloads", NULL, 0, local, root, why), -EPERM);
	assert_non_null(strstr(why, "save folder"));
	assert_int_equal(map("/downloads/deep/", NULL, 0, local, root, why),
			 -EPERM);
	assert_int_equal(map(allowed, allow, 1, local, root, why), -EPERM);
	assert_non_null(strstr(why, "itself"));
}

/* A save folder's download opened beneath it: a link on the way (planted
 * after the check, or there all along), the download itself a link, or
 * a path that does not exist is refused, and nothing is read. */
static void test_source_beneath_root(void **state)
{
	struct import_result res = IMPORT_RESULT_INIT;
	char src[256], link[256];

	(void)state;
	configure("[import]\nmode = copy\n");
	put(outside, "elsewhere/One Piece T62.cbz", "private");
	path_of(link, sizeof(link), dl, "escape");
	assert_int_equal(symlink(outside, link), 0);
	path_of(src, sizeof(src), dl, "escape/elsewhere");
	assert_int_equal(run(src, (double[]){ 62 }, 1, &res), -ELOOP);
	assert_non_null(strstr(res.reason.buf, "symbolic link"));
	import_result_release(&res);
	path_of(link, sizeof(link), dl, "One Piece T62.cbz");
	path_of(src, sizeof(src), outside, "elsewhere/One Piece T62.cbz");
	assert_int_equal(symlink(src, link), 0);
	assert_int_equal(run(link, (double[]){ 62 }, 1, &res), -ELOOP);
	import_result_release(&res);
	path_of(src, sizeof(src), dl, "gone.cbz");
	assert_int_equal(run(src, (double[]){ 62 }, 1, &res), -ENOENT);
	import_result_release(&res);
	path_of(src, sizeof(src), outside, "elsewhere");
	assert_int_equal(run(src, (double[]){ 62 }, 1, &res), -EXDEV);
	import_result_release(&res);
	assert_int_equal(count(series), 0);
}

/* A series folder swapped for a link (to a folder its owner may not
 * write) is refused: nothing is written there, nor in the series. */
static void test_series_link_refused(void **state)
{
	struct import_result res = IMPORT_RESULT_INIT;
	char src[256], moved[256];

	(void)state;
	configure("[import]\nmode = copy\n");
	put(dl, "One Piece T63.cbz", "63");
	path_of(src, sizeof(src), dl, "One Piece T63.cbz");
	snprintf(moved, sizeof(moved), "%s/moved away", tmp);
	assert_int_equal(rename(series, moved), 0);
	assert_int_equal(symlink(outside, series), 0);
	assert_int_equal(run(src, (double[]){ 63 }, 1, &res), -ELOOP);
	assert_non_null(strstr(res.reason.buf, "series folder"));
	assert_int_equal(count(outside), 0);
	assert_int_equal(count(moved), 0);
	import_result_release(&res);
	assert_int_equal(unlink(series), 0);
	assert_int_equal(rename(moved, series), 0);
}

static int make_tmp(void **state)
{
	(void)state;
	return mkdtemp(tmp) ? 0 : -1;
}

static int remove_tmp(void **state)
{
	(void)state;
	rm(tmp);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_hardlink, setup, teardown),
		cmocka_unit_test_setup_teardown(test_copy, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_hardlink_across_file_systems, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_space, setup, teardown),
		cmocka_unit_test_setup_teardown(test_move, setup, teardown),
		cmocka_unit_test(test_template),
		cmocka_unit_test_setup_teardown(test_odd_series_names, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_pack_images, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_multi_volume_pack, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_pack_of_image_folders,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_pack_of_chapter_folders,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_clash, setup, teardown),
		cmocka_unit_test_setup_teardown(test_killed_import_left_over,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_link_out_refused, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_fifo_refused, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_names_and_wanted, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_too_many_files, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_source_beneath_root,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_series_link_refused,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_map_path, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_owners_and_reader, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_listed_only, setup,
						teardown),
		cmocka_unit_test(test_listener),
		cmocka_unit_test(test_may),
	};

	return cmocka_run_group_tests(tests, make_tmp, remove_tmp);
}
