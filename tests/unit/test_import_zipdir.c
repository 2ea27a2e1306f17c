/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * A .cbz's central directory read and one entry added (import_zipdir.c,
 * issue 76): the archive written by libarchive (deflated, data
 * descriptors, zip64 forced, a comment) keeps every byte before its
 * directory and every entry's content, reads whole with the entry added,
 * and nothing was inflated; a truncated file, one that is no zip and one
 * whose directory does not end at its end records are refused.
 */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "indexer/monitor/import_private.h"

#define XML "<?xml version=\"1.0\"?><ComicInfo><Volume>4</Volume></ComicInfo>"

static int temp_file(void)
{
	char path[] = "/tmp/mediamon-zipdir-XXXXXX";
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	unlink(path);
	return fd;
}

static off_t size_of(int fd)
{
	struct stat st;

	assert_int_equal(fstat(fd, &st), 0);
	return st.st_size;
}

/* The pages: 01.png of zeros (compresses far), 02.jpg of noise. */
static char *page(int i, size_t *len)
{
	char *p;
	unsigned int seed = 76;

	*len = i ? 300000 : 4 << 20;
	p = malloc(*len);
	assert_non_null(p);
	for (size_t k = 0; k < *len; k++)
		p[k] = i ? (char)(rand_r(&seed) >> 7) : 0;
	return p;
}

/* A zip of the two pages on a new file, written with options (a
 * libarchive option string, or NULL) and comment. */
static int write_zip(const char *options, const char *comment)
{
	struct archive *a = archive_write_new();
	int fd = temp_file();

	assert_int_equal(archive_write_set_format_zip(a), ARCHIVE_OK);
	if (options)
		assert_int_equal(archive_write_set_options(a, options),
				 ARCHIVE_OK);
	assert_int_equal(archive_write_open_fd(a, fd), ARCHIVE_OK);
	for (int i = 0; i < 2; i++) {
		struct archive_entry *e = archive_entry_new();
		size_t len;
		char *data = page(i, &len);

		archive_entry_set_pathname(e, i ? "02.jpg" : "01.png");
		archive_entry_set_filetype(e, AE_IFREG);
		archive_entry_set_perm(e, 0644);
		archive_entry_set_size(e, len);
		assert_int_equal(archive_write_header(a, e), ARCHIVE_OK);
		assert_int_equal(archive_write_data(a, data, len),
				 (la_ssize_t)len);
		archive_entry_free(e);
		free(data);
	}
	assert_int_equal(archive_write_close(a), ARCHIVE_OK);
	archive_write_free(a);
	/* libarchive writes none: the end record's last field, then it */
	if (comment) {
		off_t end = size_of(fd);
		unsigned char len[2] = { strlen(comment), 0 };

		assert_int_equal(pwrite(fd, len, 2, end - 2), 2);
		assert_int_equal(pwrite(fd, comment, strlen(comment), end),
				 (ssize_t)strlen(comment));
	}
	return fd;
}

/* Every entry of the zip on fd read back by libarchive: the pages as
 * written and the ComicInfo.xml when with_info; their count. */
static int read_back(int fd, int with_info)
{
	struct archive *a = archive_read_new();
	struct archive_entry *e;
	int n = 0;

	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	assert_int_equal(archive_read_support_format_zip_seekable(a),
			 ARCHIVE_OK);
	assert_int_equal(archive_read_open_fd(a, fd, 65536), ARCHIVE_OK);
	while (archive_read_next_header(a, &e) == ARCHIVE_OK) {
		const char *name = archive_entry_pathname(e);
		size_t len = strcmp(name, "ComicInfo.xml") ? 0 : strlen(XML);
		char *want = len ? strdup(XML) :
			page(!strcmp(name, "02.jpg"), &len);
		char *got = malloc(len + 1);

		assert_non_null(got);
		assert_int_equal(archive_read_data(a, got, len + 1),
				 (la_ssize_t)len);
		assert_memory_equal(got, want, len);
		free(got);
		free(want);
		n++;
	}
	assert_int_equal(archive_read_free(a), ARCHIVE_OK);
	assert_int_equal(n, 2 + with_info);
	return n;
}

/* Add the ComicInfo.xml to the zip on fd; the new file. */
static int append(int fd, struct import_zipdir *z)
{
	int out = temp_file();

	assert_int_equal(import_zipdir_append(fd, z, out, "ComicInfo.xml",
					      XML, strlen(XML), 1700000000),
			 0);
	return out;
}

static void check_append(const char *options, const char *comment)
{
	struct import_zipdir z, again;
	int fd = write_zip(options, comment), out;
	char *head, *copy;

	assert_int_equal(import_zipdir_read(fd, &z), 0);
	assert_int_equal(z.entries, 2);
	assert_int_equal(z.inflated, (4 << 20) + 300000);
	assert_false(import_zipdir_has(&z, "ComicInfo.xml"));
	assert_true(import_zipdir_has(&z, "02.JPG"));
	out = append(fd, &z);
	/* the entries' bytes before the directory, as they came */
	head = malloc(z.dir_off);
	copy = malloc(z.dir_off);
	assert_true(head && copy);
	assert_int_equal(pread(fd, head, z.dir_off, 0), (ssize_t)z.dir_off);
	assert_int_equal(pread(out, copy, z.dir_off, 0), (ssize_t)z.dir_off);
	assert_memory_equal(head, copy, z.dir_off);
	/* nothing inflated: the new entry's and its record's bytes added */
	assert_int_equal(size_of(out) - size_of(fd),
			 30 + 46 + 2 * strlen("ComicInfo.xml") + strlen(XML));
	read_back(out, 1);
	assert_int_equal(import_zipdir_read(out, &again), 0);
	assert_int_equal(again.entries, 3);
	assert_int_equal(again.zip64, z.zip64);
	assert_int_equal(again.comment_len, comment ? strlen(comment) : 0);
	assert_true(import_zipdir_has(&again, "comicinfo.xml"));
	import_zipdir_release(&again);
	import_zipdir_release(&z);
	free(head);
	free(copy);
	close(out);
	close(fd);
}

static void test_append_deflated(void **state)
{
	(void)state;
	check_append(NULL, NULL);
}

static void test_append_stored_with_comment(void **state)
{
	(void)state;
	check_append("zip:compression=store", "volume 4");
}

static void test_append_zip64(void **state)
{
	struct import_zipdir z;
	int fd = write_zip("zip:zip64", NULL);

	(void)state;
	assert_int_equal(import_zipdir_read(fd, &z), 0);
	assert_true(z.zip64);
	import_zipdir_release(&z);
	check_append("zip:zip64", NULL);
	close(fd);
}

/* Cut short, not a zip, or an end record that says what is not there. */
static void test_refused(void **state)
{
	struct import_zipdir z;
	int fd = write_zip(NULL, NULL), bad = temp_file();
	off_t size = size_of(fd);
	char *all = malloc(size);

	(void)state;
	assert_non_null(all);
	assert_int_equal(pread(fd, all, size, 0), size);
	assert_int_equal(ftruncate(fd, size - 30), 0);
	assert_int_equal(import_zipdir_read(fd, &z), -EIO);
	import_zipdir_release(&z);
	assert_int_equal(write(bad, "not a zip at all", 16), 16);
	assert_int_equal(import_zipdir_read(bad, &z), -EIO);
	import_zipdir_release(&z);
	/* the directory said to start a byte later than it does */
	all[size - 6]++;
	assert_int_equal(ftruncate(bad, 0), 0);
	assert_int_equal(pwrite(bad, all, size, 0), size);
	assert_int_equal(import_zipdir_read(bad, &z), -EIO);
	import_zipdir_release(&z);
	free(all);
	close(fd);
	close(bad);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_append_deflated),
		cmocka_unit_test(test_append_stored_with_comment),
		cmocka_unit_test(test_append_zip64),
		cmocka_unit_test(test_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
