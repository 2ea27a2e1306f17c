/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Completed downloads into series folders (import.h), on real files in a
 * temporary tree: hard links, copies and moves, across file systems and
 * on a full one, an import killed halfway, clashes, and what is refused:
 * links and FIFOs that lead nowhere safe, too many files, a source
 * outside the download, a series folder that is a link.
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
#include "imp_tree.h"

/* The hard link is the download's file itself, under the template's
 * name; the download keeps it. */
static void test_hardlink(void **state)
{
	struct import_result res = IMPORT_RESULT_INIT;
	char src[256], want[256];

	(void)state;
	imp_put(imp_dl, "One Piece T05 [FR].cbz", "vol5");
	imp_path(src, sizeof(src), imp_dl, "One Piece T05 [FR].cbz");
	assert_int_equal(imp_run(src, (double[]){ 5 }, 1, &res), 0);
	assert_int_equal(res.nr_files, 1);
	assert_string_equal(res.files[0].how, "hardlink");
	assert_true(res.files[0].first == 5);
	assert_int_equal(imp_inode(imp_series, "One Piece T05.cbz"),
			 imp_inode(imp_dl, "One Piece T05 [FR].cbz"));
	imp_path(want, sizeof(want), imp_series, "One Piece T05.cbz");
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
	imp_configure("[import]\nmode = copy\n");
	imp_put(imp_dl, "One Piece T06.cbz", "vol6");
	imp_path(src, sizeof(src), imp_dl, "One Piece T06.cbz");
	assert_int_equal(chmod(src, 0600), 0);
	want_gid = imp_other_group(&want_uid);
	/* the series folder's owner's own file, which they may read */
	assert_int_equal(chown(src, want_uid, -1), 0);
	old = umask(027);
	assert_int_equal(imp_run(src, (double[]){ 6 }, 1, &res), 0);
	umask(old);
	assert_string_equal(res.files[0].how, "copy");
	assert_true(imp_inode(imp_series, "One Piece T06.cbz") !=
		    imp_inode(imp_dl, "One Piece T06.cbz"));
	assert_string_equal(imp_text(imp_series, "One Piece T06.cbz"), "vol6");
	imp_path(path, sizeof(path), imp_series, "One Piece T06.cbz");
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(st.st_gid, want_gid);
	assert_int_equal(st.st_uid, want_uid);
	assert_int_equal(imp_count(imp_series), 1);
	assert_string_equal(imp_text(imp_dl, "One Piece T06.cbz"), "vol6");
	import_result_release(&res);

	/* a source all may read: the umask's mode, no more */
	imp_put(imp_dl, "One Piece T07.cbz", "vol7");
	imp_path(src, sizeof(src), imp_dl, "One Piece T07.cbz");
	assert_int_equal(chmod(src, 0666), 0);
	old = umask(027);
	assert_int_equal(imp_run(src, (double[]){ 7 }, 1, &res), 0);
	umask(old);
	imp_path(path, sizeof(path), imp_series, "One Piece T07.cbz");
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
	imp_configure("[import]\nmode = copy\n");
	for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
		imp_put(imp_series, files[i].name, "half");
		imp_path(path, sizeof(path), imp_series, files[i].name);
		assert_int_equal(chmod(path, files[i].mode), 0);
	}
	imp_put(imp_dl, "One Piece T08.cbz", "vol8");
	imp_path(src, sizeof(src), imp_dl, "One Piece T08.cbz");
	assert_int_equal(imp_run(src, (double[]){ 8 }, 1, &res), 0);
	for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
		imp_path(path, sizeof(path), imp_series, files[i].name);
		if (access(path, F_OK) != (files[i].stays ? 0 : -1))
			fail_msg("%s: expected %s", files[i].name,
				 files[i].stays ? "kept" : "removed");
	}
	assert_string_equal(imp_text(imp_series, "One Piece T08.cbz"), "vol8");
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
		.source = src, .source_root = other, .series_dir = imp_series,
		.series_root = imp_tmp, .series = "One Piece",
		.volumes = (double[]){ 7 }, .nr_volumes = 1,
	};

	(void)state;
	imp_mount_other(other, sizeof(other), "size=1m");
	imp_put(other, "One Piece T07.cbz", "vol7");
	imp_path(src, sizeof(src), other, "One Piece T07.cbz");
	assert_int_equal(imp_run(src, (double[]){ 7 }, 1, &res), -EXDEV);
	assert_non_null(strstr(res.reason.buf, "mount point"));
	assert_int_equal(imp_count(imp_series), 0);
	import_result_release(&res);
	assert_int_equal(import_run(&req, &imp_cfg, &res), 0);
	assert_string_equal(res.files[0].how, "copy");
	assert_string_equal(imp_text(imp_series, "One Piece T07.cbz"), "vol7");
	assert_string_equal(imp_text(other, "One Piece T07.cbz"), "vol7");
	assert_int_equal(imp_count(imp_series), 1);
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
	imp_mount_other(small, sizeof(small), "size=64k");
	imp_path(src, sizeof(src), imp_dl, "One Piece T70.cbz");
	fd = open(src, O_WRONLY | O_CREAT, 0644);
	assert_true(fd >= 0);
	big = calloc(1, 256 << 10);
	assert_non_null(big);
	assert_int_equal(write(fd, big, 256 << 10), 256 << 10);
	free(big);
	close(fd);
	imp_configure("[import]\nmode = copy\n");
	{
		struct import_request req = {
			.source = src, .source_root = imp_dl,
			.series_dir = small, .series_root = small,
			.series = "One Piece",
		};

		assert_int_equal(import_run(&req, &imp_cfg, &res), -ENOSPC);
		assert_non_null(strstr(res.reason.buf, "free"));
		assert_int_equal(imp_count(small), 0);
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
	imp_configure("[import]\nmode = move\n");
	imp_put(imp_dl, "pack/One Piece T08.cbr", "vol8");
	imp_path(path, sizeof(path), imp_dl, "pack/One Piece T08.cbr");
	assert_int_equal(chmod(path, 0600), 0);
	want_gid = imp_other_group(&want_uid);
	assert_int_equal(chown(path, want_uid, -1), 0);
	ino = imp_inode(imp_dl, "pack/One Piece T08.cbr");
	imp_path(src, sizeof(src), imp_dl, "pack");
	old = umask(022);
	assert_int_equal(imp_run(src, (double[]){ 8 }, 1, &res), 0);
	umask(old);
	assert_string_equal(res.files[0].how, "move");
	assert_string_equal(res.files[0].from, "One Piece T08.cbr");
	assert_int_equal(imp_inode(imp_series, "One Piece T08.cbr"), ino);
	assert_int_equal(imp_inode(imp_dl, "pack/One Piece T08.cbr"), 0);
	imp_path(path, sizeof(path), imp_series, "One Piece T08.cbr");
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(st.st_gid, want_gid);
	assert_int_equal(st.st_uid, want_uid);
	import_result_release(&res);
}

/* A name that is taken is an error that touches neither file, in every
 * mode, and no temporary file is left. */
static void test_clash(void **state)
{
	static const char *const modes[] = { "hardlink", "copy", "move" };
	char src[256], text[64];

	(void)state;
	imp_put(imp_series, "One Piece T20.cbz", "mine");
	imp_put(imp_dl, "One Piece T20.cbz", "theirs");
	imp_path(src, sizeof(src), imp_dl, "One Piece T20.cbz");
	for (size_t i = 0; i < 3; i++) {
		struct import_result res = IMPORT_RESULT_INIT;

		snprintf(text, sizeof(text), "[import]\nmode = %s\n",
			 modes[i]);
		imp_configure(text);
		assert_int_equal(imp_run(src, (double[]){ 20 }, 1, &res),
				 -EEXIST);
		assert_int_equal(res.nr_files, 0);
		assert_false(res.no_volume);
		assert_non_null(strstr(res.reason.buf, "already"));
		assert_string_equal(imp_text(imp_series, "One Piece T20.cbz"),
				    "mine");
		assert_string_equal(imp_text(imp_dl, "One Piece T20.cbz"),
				    "theirs");
		assert_int_equal(imp_count(imp_series), 1);
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
	imp_configure("[import]\nmode = copy\n");
	imp_put(imp_outside, "secret.cbz", "secret");
	imp_put(imp_dl, "pack/One Piece T31.cbz", "31");
	imp_path(target, sizeof(target), imp_outside, "secret.cbz");
	imp_path(link, sizeof(link), imp_dl, "pack/One Piece T30.cbz");
	assert_int_equal(symlink(target, link), 0);
	imp_path(src, sizeof(src), imp_dl, "pack");
	assert_int_equal(imp_run(src, (double[]){ 30 }, 1, &res), -EXDEV);
	/* a link planted in a good release does not make it a wrong one */
	assert_false(res.no_volume);
	assert_int_equal(res.nr_files, 0);
	assert_int_equal(imp_count(imp_series), 0);
	import_result_release(&res);

	/* inside the download, a link is as good as its file */
	imp_path(link, sizeof(link), imp_dl, "pack/One Piece T32.cbz");
	assert_int_equal(symlink("One Piece T31.cbz", link), 0);
	assert_int_equal(imp_run(src, (double[]){ 32 }, 1, &res), 0);
	assert_string_equal(imp_text(imp_series, "One Piece T32.cbz"), "31");
	import_result_release(&res);
}

/* A FIFO is never opened (nothing waits on it), alone or in a folder. */
static void test_fifo_refused(void **state)
{
	struct import_result res = IMPORT_RESULT_INIT;
	char src[256];

	(void)state;
	imp_configure("[import]\nmode = copy\n");
	imp_path(src, sizeof(src), imp_dl, "One Piece T40.cbz");
	assert_int_equal(mkfifo(src, 0644), 0);
	assert_int_equal(imp_run(src, (double[]){ 40 }, 1, &res), -EINVAL);
	assert_non_null(strstr(res.reason.buf, "FIFO"));
	assert_false(res.no_volume);
	import_result_release(&res);
	assert_int_equal(imp_run(imp_dl, (double[]){ 40 }, 1, &res), -EINVAL);
	assert_false(res.no_volume);
	assert_int_equal(imp_count(imp_series), 0);
	import_result_release(&res);
}

/* A pack of more entries than an import takes is refused whole. */
static void test_too_many_files(void **state)
{
	struct import_result res = IMPORT_RESULT_INIT;
	char src[256], name[64];
	int dfd;

	(void)state;
	imp_path(src, sizeof(src), imp_dl, "big");
	assert_int_equal(mkdir(src, 0755), 0);
	imp_put(imp_dl, "big/One Piece T50.cbz", "50");
	dfd = open(src, O_RDONLY | O_DIRECTORY);
	assert_true(dfd >= 0);
	for (int i = 0; i < IMPORT_MAX_FILES; i++) {
		snprintf(name, sizeof(name), "%05d.txt", i);
		close(openat(dfd, name, O_WRONLY | O_CREAT, 0644));
	}
	close(dfd);
	assert_int_equal(imp_run(src, NULL, 0, &res), -EFBIG);
	assert_int_equal(imp_count(imp_series), 0);
	import_result_release(&res);
}

/* A save folder's download opened beneath it: a link on the way (planted
 * after the check, or there all along), the download itself a link, or
 * a path that does not exist is refused, and nothing is read. */
static void test_source_beneath_root(void **state)
{
	struct import_result res = IMPORT_RESULT_INIT;
	char src[256], link[256];

	(void)state;
	imp_configure("[import]\nmode = copy\n");
	imp_put(imp_outside, "elsewhere/One Piece T62.cbz", "private");
	imp_path(link, sizeof(link), imp_dl, "escape");
	assert_int_equal(symlink(imp_outside, link), 0);
	imp_path(src, sizeof(src), imp_dl, "escape/elsewhere");
	assert_int_equal(imp_run(src, (double[]){ 62 }, 1, &res), -ELOOP);
	assert_non_null(strstr(res.reason.buf, "symbolic link"));
	import_result_release(&res);
	imp_path(link, sizeof(link), imp_dl, "One Piece T62.cbz");
	imp_path(src, sizeof(src), imp_outside, "elsewhere/One Piece T62.cbz");
	assert_int_equal(symlink(src, link), 0);
	assert_int_equal(imp_run(link, (double[]){ 62 }, 1, &res), -ELOOP);
	import_result_release(&res);
	imp_path(src, sizeof(src), imp_dl, "gone.cbz");
	assert_int_equal(imp_run(src, (double[]){ 62 }, 1, &res), -ENOENT);
	import_result_release(&res);
	imp_path(src, sizeof(src), imp_outside, "elsewhere");
	assert_int_equal(imp_run(src, (double[]){ 62 }, 1, &res), -EXDEV);
	import_result_release(&res);
	assert_int_equal(imp_count(imp_series), 0);
}

/* A series folder swapped for a link (to a folder its owner may not
 * write) is refused: nothing is written there, nor in the series. */
static void test_series_link_refused(void **state)
{
	struct import_result res = IMPORT_RESULT_INIT;
	char src[256], moved[256];

	(void)state;
	imp_configure("[import]\nmode = copy\n");
	imp_put(imp_dl, "One Piece T63.cbz", "63");
	imp_path(src, sizeof(src), imp_dl, "One Piece T63.cbz");
	snprintf(moved, sizeof(moved), "%s/moved away", imp_tmp);
	assert_int_equal(rename(imp_series, moved), 0);
	assert_int_equal(symlink(imp_outside, imp_series), 0);
	assert_int_equal(imp_run(src, (double[]){ 63 }, 1, &res), -ELOOP);
	assert_non_null(strstr(res.reason.buf, "series folder"));
	assert_int_equal(imp_count(imp_outside), 0);
	assert_int_equal(imp_count(moved), 0);
	import_result_release(&res);
	assert_int_equal(unlink(imp_series), 0);
	assert_int_equal(rename(moved, imp_series), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		IMP_TEST(test_hardlink),
		IMP_TEST(test_copy),
		IMP_TEST(test_hardlink_across_file_systems),
		IMP_TEST(test_no_space),
		IMP_TEST(test_move),
		IMP_TEST(test_clash),
		IMP_TEST(test_killed_import_left_over),
		IMP_TEST(test_link_out_refused),
		IMP_TEST(test_fifo_refused),
		IMP_TEST(test_too_many_files),
		IMP_TEST(test_source_beneath_root),
		IMP_TEST(test_series_link_refused),
	};

	return cmocka_run_group_tests(tests, imp_group_setup,
				      imp_group_teardown);
}
