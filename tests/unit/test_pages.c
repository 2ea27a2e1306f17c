/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The pages of a volume archive (indexer/manga/pages.h): archives are
 * written here with libarchive, each case in a file of its own; the
 * first page is the first in natural order of the entries that are
 * plain images inside the archive within the size limit, and the limits
 * hold.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include <archive.h>
#include <archive_entry.h>

#include "common/array.h"
#include "common/strbuf.h"
#include "indexer/manga/comicinfo.h"
#include "indexer/manga/pages.h"
#include "indexer/manga/pages_cache.h"

enum format { ZIP, TAR };

/* An entry: data NULL makes it a symlink to "2.jpg"; size above the
 * data's length is what a tar header declares (libarchive pads). */
struct entry {
	const char *name;
	const char *data;
	int64_t size;
};

/* Page n of the archive at fd, read as the mount does: its index, then
 * that page; its name into *name (NULL on an error). */
static int read_nth(int fd, size_t n, char **name, struct strbuf *out)
{
	struct pages_index ix;
	int rc = pages_index(fd, &ix);

	*name = NULL;
	if (!rc)
		rc = pages_read(fd, &ix, n, out);
	if (!rc) {
		*name = strdup(ix.pages[n].name);
		assert_non_null(*name);
	}
	pages_index_release(&ix);
	return rc;
}

/* Write the n entries into a new file; returns it open for reading. */
static int make(enum format format, const struct entry *e, size_t n)
{
	char path[] = "/tmp/mediamon-pages.XXXXXX";
	struct archive *a = archive_write_new();
	int fd = mkstemp(path);

	assert_non_null(a);
	assert_true(fd >= 0);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(format == ZIP ? archive_write_set_format_zip(a) :
			 archive_write_set_format_ustar(a), ARCHIVE_OK);
	assert_int_equal(archive_write_open_fd(a, fd), ARCHIVE_OK);
	for (size_t i = 0; i < n; i++) {
		struct archive_entry *ae = archive_entry_new();
		size_t len = e[i].data ? strlen(e[i].data) : 0;

		archive_entry_set_pathname(ae, e[i].name);
		archive_entry_set_perm(ae, 0644);
		if (e[i].data) {
			archive_entry_set_filetype(ae, AE_IFREG);
			archive_entry_set_size(ae, e[i].size > (int64_t)len ?
					       e[i].size : (int64_t)len);
		} else {
			archive_entry_set_filetype(ae, AE_IFLNK);
			archive_entry_set_symlink(ae, "2.jpg");
		}
		assert_int_equal(archive_write_header(a, ae), ARCHIVE_OK);
		if (len)
			assert_int_equal(archive_write_data(a, e[i].data, len),
					 (la_ssize_t)len);
		archive_entry_free(ae);
	}
	assert_int_equal(archive_write_close(a), ARCHIVE_OK);
	archive_write_free(a);
	return fd;
}

static void test_kinds(void **state)
{
	(void)state;
	assert_string_equal(pages_type(pages_kind("p/01.JPG")), "image/jpeg");
	assert_string_equal(pages_ext(pages_kind("a.jpeg")), "jpeg");
	assert_string_equal(pages_type(pages_kind("a.png")), "image/png");
	assert_string_equal(pages_type(pages_kind("a.webp")), "image/webp");
	assert_string_equal(pages_type(pages_kind("a.gif")), "image/gif");
	assert_int_equal(pages_kind("ComicInfo.xml"), -1);
	assert_int_equal(pages_kind("jpg"), -1);
	assert_int_equal(pages_kind("a.jpg.txt"), -1);
	assert_int_equal(pages_ext_kind("PNG"), pages_kind("a.png"));
	assert_int_equal(pages_ext_kind("jpeg"), pages_kind("a.jpeg"));
	assert_int_equal(pages_ext_kind("txt"), -1);
	assert_int_equal(pages_ext_kind(""), -1);
	assert_int_equal(pages_ext_kind(NULL), -1);
}

/* Out of the archive, a link and a page past the limit come first in
 * natural order, and none is taken; "2" comes before "10". */
static void test_first_page(void **state)
{
	const struct entry e[] = {
		{ "../0.jpg", "out", 0 },
		{ "0\\..\\..\\x.jpg", "out too", 0 },
		{ "/0.jpg", "absolute", 0 },
		{ "0a.jpg", NULL, 0 },
		{ "1.jpg", "big", (int64_t)PAGES_MAX_IMAGE + 1 },
		{ "10.jpg", "ten", 0 },
		{ "2.jpg", "two", 0 },
		{ "ComicInfo.xml", "<ComicInfo/>", 0 },
	};
	struct strbuf out = STRBUF_INIT;
	char *name;
	int fd = make(TAR, e, sizeof(e) / sizeof(*e));

	(void)state;
	assert_int_equal(read_nth(fd, 0, &name, &out), 0);
	assert_string_equal(name, "2.jpg");
	assert_string_equal(out.buf, "two");
	free(name);
	/* the pages not taken are not counted: there are two */
	strbuf_reset(&out);
	assert_int_equal(read_nth(fd, 1, &name, &out), 0);
	assert_string_equal(name, "10.jpg");
	assert_string_equal(out.buf, "ten");
	free(name);
	strbuf_reset(&out);
	assert_int_equal(read_nth(fd, 2, &name, &out), -ENOENT);
	assert_null(name);
	assert_int_equal(out.len, 0);
	strbuf_release(&out);
	close(fd);
}

static void test_zip_pages(void **state)
{
	const struct entry e[] = {
		{ "Vol 1/p10.png", "ten", 0 },
		{ "Vol 1/p9.png", "nine", 0 },
	};
	struct strbuf out = STRBUF_INIT;
	char *name;
	int fd = make(ZIP, e, sizeof(e) / sizeof(*e));
	off_t at = lseek(fd, 0, SEEK_CUR);

	(void)state;
	assert_int_equal(read_nth(fd, 0, &name, &out), 0);
	assert_string_equal(name, "Vol 1/p9.png");
	assert_string_equal(out.buf, "nine");
	/* the descriptor's offset never moved */
	assert_int_equal(lseek(fd, 0, SEEK_CUR), at);
	free(name);
	strbuf_release(&out);
	close(fd);
}

static void test_no_page(void **state)
{
	const struct entry e[] = { { "ComicInfo.xml", "<ComicInfo/>", 0 } };
	char path[] = "/tmp/mediamon-pages.XXXXXX";
	struct strbuf out = STRBUF_INIT;
	char *name = (char *)"unset";
	int fd = make(ZIP, e, 1), other;

	(void)state;
	assert_int_equal(read_nth(fd, 0, &name, &out), -ENOENT);
	assert_null(name);
	close(fd);
	other = mkstemp(path);
	assert_true(other >= 0);
	unlink(path);
	assert_int_equal(write(other, "%PDF-1.4\n", 9), 9);
	assert_int_equal(read_nth(other, 0, &name, &out), -EINVAL);
	assert_null(name);
	assert_int_equal(out.len, 0);
	close(other);
}

/* Past PAGES_MAX_ENTRIES entries the walk stops, whatever comes later. */
static void test_too_many_entries(void **state)
{
	size_t n = PAGES_MAX_ENTRIES + 1;
	struct entry *e = calloc(n, sizeof(*e));
	char (*names)[16] = calloc(n, sizeof(*names));
	struct strbuf out = STRBUF_INIT;
	char *name;
	int fd;

	(void)state;
	assert_non_null(e);
	assert_non_null(names);
	for (size_t i = 0; i < n; i++) {
		snprintf(names[i], sizeof(names[i]), "%zu.jpg", i);
		e[i] = (struct entry){ names[i], "x", 0 };
	}
	fd = make(TAR, e, n);
	assert_int_equal(read_nth(fd, 0, &name, &out), -E2BIG);
	assert_null(name);
	assert_int_equal(out.len, 0);
	/* one fewer is read */
	close(fd);
	fd = make(TAR, e, n - 1);
	assert_int_equal(read_nth(fd, 0, &name, &out), 0);
	assert_string_equal(name, "0.jpg");
	assert_string_equal(out.buf, "x");
	free(name);
	strbuf_release(&out);
	close(fd);
	free(names);
	free(e);
}

/* Page n is the n-th page in natural order, from 0; past the last,
 * none. Entries that are no pages are not counted. */
static void test_nth_page(void **state)
{
	const struct entry e[] = {
		{ "10.jpg", "ten", 0 },
		{ "../0.jpg", "out", 0 },
		{ "0a.jpg", NULL, 0 },
		{ "2.jpg", "two", 0 },
		{ "1.jpg", "big", (int64_t)PAGES_MAX_IMAGE + 1 },
		{ "b/1.png", "b one", 0 },
		{ "ComicInfo.xml", "<ComicInfo/>", 0 },
	};
	const char *order[] = { "2.jpg", "10.jpg", "b/1.png" };
	const char *data[] = { "two", "ten", "b one" };
	struct strbuf out = STRBUF_INIT;
	char *name = (char *)"unset";
	int fd = make(TAR, e, sizeof(e) / sizeof(*e));

	(void)state;
	for (size_t i = 0; i < 3; i++) {
		strbuf_reset(&out);
		assert_int_equal(read_nth(fd, i, &name, &out), 0);
		assert_string_equal(name, order[i]);
		assert_string_equal(out.buf, data[i]);
		free(name);
	}
	/* appended to what out holds; left as it was when there is none */
	assert_int_equal(read_nth(fd, 3, &name, &out), -ENOENT);
	assert_null(name);
	assert_string_equal(out.buf, "b one");
	assert_int_equal(read_nth(fd, 0, &name, &out), 0);
	assert_string_equal(out.buf, "b onetwo");
	free(name);
	strbuf_release(&out);
	close(fd);
	fd = make(ZIP, e + 6, 1);
	assert_int_equal(read_nth(fd, 0, &name, &out), -ENOENT);
	close(fd);
}

/* The names of the pages, in natural order, from a walk that reads
 * none; none of an archive with no page, an error past the limit. */
static void test_page_names(void **state)
{
	const struct entry e[] = {
		{ "10.jpg", "ten", 0 },
		{ "../0.jpg", "out", 0 },
		{ "0a.jpg", NULL, 0 },
		{ "2.jpg", "two", 0 },
		{ "1.jpg", "big", (int64_t)PAGES_MAX_IMAGE + 1 },
		{ "b/1.png", "b one", 0 },
		{ "ComicInfo.xml", "<ComicInfo/>", 0 },
	};
	const char *order[] = { "2.jpg", "10.jpg", "b/1.png" };
	size_t n = PAGES_MAX_ENTRIES + 1;
	struct entry *many = calloc(n, sizeof(*many));
	struct pages_index ix;
	int fd = make(TAR, e, sizeof(e) / sizeof(*e));

	(void)state;
	assert_int_equal(pages_index(fd, &ix), 0);
	assert_int_equal(ix.nr, 3);
	for (size_t i = 0; i < ix.nr; i++) {
		assert_string_equal(ix.pages[i].name, order[i]);
		assert_int_equal(ix.pages[i].size, strlen(i == 1 ? "ten" :
							  i ? "b one" : "two"));
	}
	pages_index_release(&ix);
	close(fd);
	fd = make(ZIP, e + 6, 1);
	assert_int_equal(pages_index(fd, &ix), 0);
	assert_null(ix.pages);
	assert_int_equal(ix.nr, 0);
	close(fd);
	assert_non_null(many);
	for (size_t i = 0; i < n; i++)
		many[i] = (struct entry){ "x.jpg", "x", 0 };
	fd = make(TAR, many, n);
	assert_int_equal(pages_index(fd, &ix), -E2BIG);
	assert_null(ix.pages);
	assert_int_equal(ix.nr, 0);
	close(fd);
	free(many);
}

/* Stored in natural order, page n is the n-th page stored (read in the
 * walk that lists them); stored otherwise, it is still page n that is
 * read, as is the first of two entries of one name. */
static void test_nth_page_as_stored(void **state)
{
	const struct entry sorted[] = {
		{ "01.jpg", "one", 0 },
		{ "ComicInfo.xml", "<ComicInfo/>", 0 },
		{ "02.jpg", "two", 0 },
		{ "03.jpg", "three", 0 },
	};
	const struct entry shuffled[] = {
		{ "03.jpg", "three", 0 },
		{ "01.jpg", "one", 0 },
		{ "02.jpg", "two", 0 },
		{ "02.jpg", "two again", 0 },
		{ "01.jpg", "one again", 0 },
	};
	const char *want[] = { "one", "two", "three" };
	const char *first_of_name[] = { "one", "one", "two", "two", "three" };
	struct strbuf out = STRBUF_INIT;
	char *name;
	int fd;

	(void)state;
	for (int f = 0; f < 2; f++) {
		fd = f ? make(TAR, shuffled, 5) : make(ZIP, sorted, 4);
		for (size_t i = 0; i < (f ? 5u : 3u); i++) {
			strbuf_reset(&out);
			assert_int_equal(read_nth(fd, i, &name, &out), 0);
			assert_string_equal(out.buf,
					    f ? first_of_name[i] : want[i]);
			free(name);
		}
		close(fd);
	}
	strbuf_release(&out);
}

/* The scan's walk for ComicInfo.xml counts the pages and finds the
 * first one's format, as read_nth() would, with or without a
 * ComicInfo.xml; an archive past the entries' limit has none. */
static void test_scan_learns_the_pages(void **state)
{
	const struct entry e[] = {
		{ "../0.jpg", "out", 0 },
		{ "0a.jpg", NULL, 0 },
		{ "1.jpg", "big", (int64_t)PAGES_MAX_IMAGE + 1 },
		{ "10.png", "ten", 0 },
		{ "2.webp", "two", 0 },
		{ "ComicInfo.xml", "<ComicInfo><Series>S</Series>"
		  "<Volume>3</Volume></ComicInfo>", 0 },
		{ "3.JPG", "three", 0 },
	};
	size_t n = PAGES_MAX_ENTRIES + 1;
	struct entry *many = calloc(n, sizeof(*many));
	struct comicinfo ci;
	int fd = make(TAR, e, sizeof(e) / sizeof(*e));

	(void)state;
	assert_int_equal(comicinfo_read(fd, &ci), 0);
	assert_true(ci.found);
	assert_string_equal(ci.series, "S");
	assert_int_equal(ci.pages, 3);
	assert_string_equal(ci.cover, "webp");
	comicinfo_release(&ci);
	close(fd);
	/* no ComicInfo.xml: the pages all the same */
	fd = make(ZIP, e + 3, 2);
	assert_int_equal(comicinfo_read(fd, &ci), 0);
	assert_false(ci.found);
	assert_int_equal(ci.pages, 2);
	assert_string_equal(ci.cover, "webp");
	close(fd);
	/* no page */
	fd = make(ZIP, e + 5, 1);
	assert_int_equal(comicinfo_read(fd, &ci), 0);
	assert_true(ci.found);
	assert_int_equal(ci.pages, 0);
	assert_null(ci.cover);
	comicinfo_release(&ci);
	close(fd);
	assert_non_null(many);
	for (size_t i = 0; i < n; i++)
		many[i] = (struct entry){ "1.jpg", "x", 0 };
	fd = make(TAR, many, n);
	assert_int_equal(comicinfo_read(fd, &ci), 0);
	assert_int_equal(ci.pages, 0);
	assert_null(ci.cover);
	close(fd);
	fd = make(TAR, many, n - 1);
	assert_int_equal(comicinfo_read(fd, &ci), 0);
	assert_int_equal(ci.pages, n - 1);
	assert_string_equal(ci.cover, "jpg");
	close(fd);
	free(many);
}

/* A 7z (solid: one stream) of nr pages of size zeros each, stored. */
static int solid(size_t nr, size_t size)
{
	char path[] = "/tmp/mediamon-pages.XXXXXX";
	struct archive *a = archive_write_new();
	char *zeros = calloc(1, size), name[32];
	int fd = mkstemp(path);

	assert_non_null(a);
	assert_non_null(zeros);
	assert_true(fd >= 0);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(archive_write_set_format_7zip(a), ARCHIVE_OK);
	assert_int_equal(archive_write_set_format_option(a, "7zip",
			 "compression", "store"), ARCHIVE_OK);
	assert_int_equal(archive_write_open_fd(a, fd), ARCHIVE_OK);
	for (size_t i = 0; i < nr; i++) {
		struct archive_entry *ae = archive_entry_new();

		snprintf(name, sizeof(name), "%02zu.jpg", i + 1);
		archive_entry_set_pathname(ae, name);
		archive_entry_set_perm(ae, 0644);
		archive_entry_set_filetype(ae, AE_IFREG);
		archive_entry_set_size(ae, (int64_t)size);
		assert_int_equal(archive_write_header(a, ae), ARCHIVE_OK);
		assert_int_equal(archive_write_data(a, zeros, size),
				 (la_ssize_t)size);
		archive_entry_free(ae);
	}
	assert_int_equal(archive_write_close(a), ARCHIVE_OK);
	archive_write_free(a);
	free(zeros);
	return fd;
}

/* A solid archive is walked within the scan's unpacking budget: its
 * pages are read to the last one within it (each entry before a page
 * unpacked, not skipped: libarchive's skip loses the stream), and an
 * archive past it has no index: -EFBIG. */
static void test_solid_budget(void **state)
{
	size_t size = PAGES_MAX_UNPACK / 3 + 1;
	struct strbuf out = STRBUF_INIT;
	struct pages_index ix;
	int fd = solid(3, size - 2);

	(void)state;
	assert_int_equal(pages_index(fd, &ix), 0);
	assert_int_equal(ix.nr, 3);
	for (size_t i = 0; i < 3; i++) {
		strbuf_reset(&out);
		assert_int_equal(pages_read(fd, &ix, i, &out), 0);
		assert_int_equal(out.len, size - 2);
	}
	pages_index_release(&ix);
	close(fd);
	fd = solid(4, size);
	assert_int_equal(pages_index(fd, &ix), -EFBIG);
	assert_int_equal(ix.nr, 0);
	close(fd);
	strbuf_release(&out);
}

/* A walk ends once its thread spent the processor time it may (-ETIMEDOUT,
 * EAGAIN in the mount): the page behind 42 MiB to unpack is refused with
 * 1 ms, the index (nothing unpacked) is read, and each walk has the whole
 * budget again. */
static void test_cpu_budget(void **state)
{
	size_t size = PAGES_MAX_UNPACK / 3 - 2;
	struct strbuf out = STRBUF_INIT;
	struct pages_index ix;
	int fd = solid(3, size);

	(void)state;
	pages_set_cpu_budget(1);
	assert_int_equal(pages_index(fd, &ix), 0);
	assert_int_equal(ix.nr, 3);
	assert_int_equal(pages_read(fd, &ix, 2, &out), -ETIMEDOUT);
	assert_int_equal(out.len, 0);
	pages_set_cpu_budget(10000);
	assert_int_equal(pages_read(fd, &ix, 2, &out), 0);
	assert_int_equal(out.len, size);
	pages_index_release(&ix);
	close(fd);
	strbuf_release(&out);
}

/* Copy the archive at from into fd's file, in place (its inode kept). */
static void rewrite(int fd, int from)
{
	char buf[4096];
	off_t off = 0;
	ssize_t n;

	while ((n = pread(from, buf, sizeof(buf), off)) > 0) {
		assert_int_equal(pwrite(fd, buf, n, off), n);
		off += n;
	}
	assert_int_equal(n, 0);
	assert_int_equal(ftruncate(fd, off), 0);
	close(from);
}

/* The cache reads an archive's index once per change of the file, keeps
 * a lasting failure as well, and lets a held index outlive its slot. */
static void test_index_cache(void **state)
{
	const struct entry e[] = {
		{ "1.jpg", "one", 0 }, { "2.jpg", "two", 0 },
		{ "3.jpg", "three, longer", 0 },
	};
	const struct pages_index *ix, *again, *held;
	int fd = make(ZIP, e, 2), other, fresh;
	int many[PAGES_CACHE_ARCHIVES];
	struct stat st;

	(void)state;
	assert_int_equal(pages_cache_get(fd, &ix, &st, &fresh), 0);
	assert_true(fresh);
	assert_int_equal(ix->nr, 2);
	assert_int_equal(pages_cache_get(fd, &again, &st, &fresh), 0);
	assert_false(fresh);
	assert_ptr_equal(ix, again);
	pages_cache_put(again);
	pages_cache_put(ix);
	/* written in place: read again */
	rewrite(fd, make(ZIP, e, 3));
	assert_int_equal(pages_cache_get(fd, &ix, &st, &fresh), 0);
	assert_true(fresh);
	assert_int_equal(ix->nr, 3);
	assert_int_equal(ix->pages[2].size, strlen("three, longer"));
	held = ix;
	/* no archive: the failure is kept */
	other = make(ZIP, e, 1);
	assert_int_equal(ftruncate(other, 0), 0);
	assert_int_equal(write(other, "%PDF-1.4\n", 9), 9);
	assert_int_equal(pages_cache_get(other, &ix, &st, &fresh), -EINVAL);
	assert_true(fresh);
	assert_null(ix);
	assert_int_equal(pages_cache_get(other, &ix, &st, &fresh), -EINVAL);
	assert_false(fresh);
	close(other);
	/* as many others take every slot: the held index is still whole,
	 * and its file is read again */
	for (size_t i = 0; i < PAGES_CACHE_ARCHIVES; i++) {
		many[i] = make(ZIP, e + i % 3, 1);
		assert_int_equal(pages_cache_get(many[i], &ix, &st, &fresh),
				 0);
		assert_true(fresh);
		pages_cache_put(ix);
	}
	assert_string_equal(held->pages[2].name, "3.jpg");
	pages_cache_put(held);
	assert_int_equal(pages_cache_get(fd, &ix, &st, &fresh), 0);
	assert_true(fresh);
	pages_cache_put(ix);
	for (size_t i = 0; i < PAGES_CACHE_ARCHIVES; i++)
		close(many[i]);
	close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kinds),
		cmocka_unit_test(test_solid_budget),
		cmocka_unit_test(test_cpu_budget),
		cmocka_unit_test(test_index_cache),
		cmocka_unit_test(test_first_page),
		cmocka_unit_test(test_zip_pages),
		cmocka_unit_test(test_no_page),
		cmocka_unit_test(test_too_many_entries),
		cmocka_unit_test(test_nth_page),
		cmocka_unit_test(test_page_names),
		cmocka_unit_test(test_nth_page_as_stored),
		cmocka_unit_test(test_scan_learns_the_pages),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
