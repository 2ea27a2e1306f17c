/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * What a .cbz may inflate to
 * (import_zip.c, issue 76): a zip of zeros is refused past
 * IMPORT_MAX_RATIO by the sizes its central directory gives, one of
 * pages that do not compress is not, nor what is not a zip. The rewrite
 * of an imported volume that its folder's owner replaced with a FIFO
 * returns at once (issue 76's probe: it held the monitor for good), and
 * another user's file linked in its place is left as it is.
 */
#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "indexer/monitor/import_private.h"

/* A file of its own, unlinked already, opened read-write. */
static int temp_file(void)
{
	char path[] = "/tmp/mediamon-zip-XXXXXX";
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	unlink(path);
	return fd;
}

/* A zip on fd of one deflated entry of len bytes: zeros, or bytes that
 * do not compress. */
static void write_zip(int fd, size_t len, int zeros)
{
	struct archive *a = archive_write_new();
	struct archive_entry *e = archive_entry_new();
	char *data = malloc(len);
	unsigned int seed = 76;

	assert_non_null(data);
	for (size_t i = 0; i < len; i++)
		data[i] = zeros ? 0 : (char)(rand_r(&seed) >> 7);
	assert_int_equal(archive_write_set_format_zip(a), ARCHIVE_OK);
	assert_int_equal(archive_write_zip_set_compression_deflate(a),
			 ARCHIVE_OK);
	assert_int_equal(archive_write_open_fd(a, fd), ARCHIVE_OK);
	archive_entry_set_pathname(e, "01.png");
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, 0644);
	archive_entry_set_size(e, len);
	assert_int_equal(archive_write_header(a, e), ARCHIVE_OK);
	assert_int_equal(archive_write_data(a, data, len), (la_ssize_t)len);
	assert_int_equal(archive_write_close(a), ARCHIVE_OK);
	archive_write_free(a);
	archive_entry_free(e);
	free(data);
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
}

/* How many entries the folder dir holds, hidden ones too. */
static int entries_in(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)))
		n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
	closedir(d);
	return n;
}

static off_t size_of(int fd)
{
	struct stat st;

	assert_int_equal(fstat(fd, &st), 0);
	return st.st_size;
}

static void test_bomb_refused(void **state)
{
	unsigned long long inflated;
	int fd = temp_file();

	(void)state;
	write_zip(fd, 16 << 20, 1);
	assert_true(size_of(fd) < (16 << 20) / 100);
	assert_int_equal(import_zip_inflated(fd, &inflated), 0);
	assert_int_equal(inflated, 16 << 20);
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	assert_int_equal(import_zip_refused(fd, size_of(fd)), -EFBIG);
	close(fd);
}

/* Pages that do not compress, and what is not a zip, go in. */
static void test_pages_taken(void **state)
{
	unsigned long long inflated;
	int fd = temp_file();

	(void)state;
	write_zip(fd, 3 << 20, 0);
	assert_int_equal(import_zip_refused(fd, size_of(fd)), 0);
	close(fd);
	/* below IMPORT_RATIO_FREE, whatever the ratio */
	fd = temp_file();
	write_zip(fd, 512 << 10, 1);
	assert_int_equal(import_zip_refused(fd, size_of(fd)), 0);
	close(fd);
	fd = temp_file();
	assert_int_equal(write(fd, "not a zip at all", 16), 16);
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	assert_int_equal(import_zip_inflated(fd, &inflated), -EIO);
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	assert_int_equal(import_zip_refused(fd, 16), 0);
	close(fd);
}

/*
 * The series folder is its owner's: between the import placing a volume
 * and the rewrite opening it by name, the owner may rename a FIFO over
 * it. The rewrite must refuse it at once, not wait for a writer that
 * never comes; a child with a deadline (alarm) tells a wait from a
 * refusal.
 */
static void test_rewrite_of_fifo(void **state)
{
	char dir[] = "/tmp/mediamon-fifo-XXXXXX";
	struct stat dst, st;
	int dfd, status;
	pid_t pid;

	(void)state;
	assert_non_null(mkdtemp(dir));
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(dfd >= 0);
	assert_int_equal(fstat(dfd, &dst), 0);
	assert_int_equal(mkfifoat(dfd, "Saga T04.cbz", 0644), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (!pid) {
		alarm(10);
		_exit(import_write_comicinfo(dfd, &dst, "Saga T04.cbz",
					     "<ComicInfo/>", 12) < 0 ? 0 : 1);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_false(WIFSIGNALED(status));	/* SIGALRM: it waited */
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	/* left as it was, and no temporary file beside it */
	assert_int_equal(fstatat(dfd, "Saga T04.cbz", &st,
				 AT_SYMLINK_NOFOLLOW), 0);
	assert_true(S_ISFIFO(st.st_mode));
	assert_int_equal(unlinkat(dfd, "Saga T04.cbz", 0), 0);
	close(dfd);
	assert_int_equal(rmdir(dir), 0);
}

/*
 * Where fs.protected_hardlinks is off, the series folder's owner may link
 * another user's zip (a .cbz, a .docx) in the volume's place: root must
 * not read it and give them a rewritten copy. A volume of the folder's
 * owner is rewritten; another user's is left as it is, and nothing is
 * written beside it. Root alone may give a file to another user.
 */
static void test_rewrite_of_another_users_file(void **state)
{
	char dir[] = "/tmp/mediamon-link-XXXXXX";
	struct stat dst, st;
	int dfd, fd;

	(void)state;
	if (geteuid())
		skip();
	assert_non_null(mkdtemp(dir));
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(dfd >= 0);
	assert_int_equal(fstat(dfd, &dst), 0);
	fd = openat(dfd, "Saga T05.cbz", O_RDWR | O_CREAT | O_EXCL, 0600);
	assert_true(fd >= 0);
	write_zip(fd, 3000, 0);
	assert_int_equal(fchown(fd, 4243, 4243), 0);
	assert_int_equal(import_write_comicinfo(dfd, &dst, "Saga T05.cbz",
						"<ComicInfo/>", 12), -EAGAIN);
	assert_int_equal(fstatat(dfd, "Saga T05.cbz", &st, 0), 0);
	assert_int_equal(st.st_size, size_of(fd));
	assert_int_equal(st.st_uid, 4243);
	assert_int_equal(entries_in(dir), 1);
	/* the folder owner's own volume is rewritten */
	assert_int_equal(fchown(fd, dst.st_uid, dst.st_gid), 0);
	assert_int_equal(import_write_comicinfo(dfd, &dst, "Saga T05.cbz",
						"<ComicInfo/>", 12), 1);
	assert_int_equal(fstatat(dfd, "Saga T05.cbz", &st, 0), 0);
	assert_true(st.st_size > size_of(fd));
	close(fd);
	assert_int_equal(unlinkat(dfd, "Saga T05.cbz", 0), 0);
	close(dfd);
	assert_int_equal(rmdir(dir), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bomb_refused),
		cmocka_unit_test(test_pages_taken),
		cmocka_unit_test(test_rewrite_of_fifo),
		cmocka_unit_test(test_rewrite_of_another_users_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
