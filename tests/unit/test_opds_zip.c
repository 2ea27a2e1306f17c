/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The layout of a volume folder's zip (fs/tree/opds_zip.h) as Python's zipfile
 * reads it: names, sizes, offsets and CRCs in the central directory, a
 * local header read through, ZIP64 where a size, an offset or the count
 * must have it. The zips are sparse files holding the headers alone (the
 * images are zeros), so one of more than 4 GiB costs no disk and no read
 * of an image.
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
#include <unistd.h>
#include <zlib.h>

#include <cmocka.h>

#include "common/strbuf.h"
#include "fs/tree/opds_zip.h"

/* What zipfile says of each entry: name size offset crc method time, one a
 * line, then what reading the entry named by the second argument gives
 * (its length, or the error). */
static const char LIST[] =
	"import sys, zipfile\n"
	"z = zipfile.ZipFile(sys.argv[1])\n"
	"for i in z.infolist():\n"
	"    print(i.filename, i.file_size, i.compress_size,"
	" i.header_offset, '%08x' % i.CRC, i.compress_type,"
	" '%d-%02d-%02dT%02d:%02d:%02d' % i.date_time)\n"
	"if len(sys.argv) > 2:\n"
	"    print('read', len(z.read(sys.argv[2])))\n";

/* The CRC-32 of n zero bytes. */
static uint32_t zeros_crc(uint64_t n)
{
	static const unsigned char zero[4096];
	uLong crc = crc32(0, Z_NULL, 0);

	while (n) {
		uInt k = n > sizeof(zero) ? sizeof(zero) : (uInt)n;

		crc = crc32(crc, zero, k);
		n -= k;
	}
	return (uint32_t)crc;
}

static struct opds_zip *new_zip(void)
{
	struct opds_zip *z = calloc(1, sizeof(*z));

	assert_non_null(z);
	assert_int_equal(pthread_mutex_init(&z->lock, NULL), 0);
	z->fd = -1;
	return z;
}

/* Add an entry of size zero bytes whose CRC is crc. */
static void add(struct opds_zip *z, const char *name, uint64_t size,
		uint32_t crc)
{
	struct opds_zip_entry *e;

	if (z->nr == z->alloc) {
		z->alloc = z->alloc ? 2 * z->alloc : 8;
		z->v = realloc(z->v, z->alloc * sizeof(*z->v));
		assert_non_null(z->v);
	}
	e = &z->v[z->nr++];
	*e = (struct opds_zip_entry){ .name = strdup(name),
				      .name_len = strlen(name),
				      .size = size, .mtime_ns = 1700000000LL * 1000000000,
				      .crc = crc, .crc_known = 1 };
	assert_non_null(e->name);
}

/* Copy len bytes of the zip from off into the file fd. */
static void copy(struct opds_zip *z, int fd, uint64_t off, uint64_t len)
{
	char buf[65536];

	while (len) {
		size_t want = len > sizeof(buf) ? sizeof(buf) : (size_t)len;
		ssize_t n = opds_zip_read(z, buf, want, off);

		assert_int_equal(n, (ssize_t)want);
		assert_int_equal(pwrite(fd, buf, want, (off_t)off), want);
		off += want;
		len -= want;
	}
}

/* Lay z out and write its headers into a sparse file; zipfile's listing
 * of it, reading entry read when not NULL, into out. */
static void list(struct opds_zip *z, const char *read, struct strbuf *out)
{
	char path[] = "/tmp/test_opds_zip.XXXXXX";
	int fd = mkstemp(path);
	char cmd[512], line[512];
	FILE *p;

	assert_true(fd >= 0);
	opds_zip_lay_out(z);
	assert_int_equal(ftruncate(fd, (off_t)z->size), 0);
	for (size_t i = 0; i < z->nr; i++) {
		uint64_t end = i + 1 < z->nr ? z->v[i + 1].offset :
			       z->cd_offset;

		copy(z, fd, z->v[i].offset, end - z->v[i].offset -
		     z->v[i].size);
	}
	copy(z, fd, z->cd_offset, z->size - z->cd_offset);
	/* nothing past the end */
	assert_int_equal(opds_zip_read(z, line, 10, z->size), 0);
	close(fd);
	snprintf(cmd, sizeof(cmd), "/usr/bin/python3 -c \"$LIST\" %s %s",
		 path, read ? read : "");
	setenv("LIST", LIST, 1);
	p = popen(cmd, "r");
	assert_non_null(p);
	while (fgets(line, sizeof(line), p))
		strbuf_addstr(out, line);
	assert_int_equal(pclose(p), 0);
	unlink(path);
}

static void test_small(void **state)
{
	struct opds_zip *z = new_zip();
	struct strbuf out = STRBUF_INIT;

	(void)state;
	add(z, "001.jpg", 5, zeros_crc(5));
	add(z, "\xc3\xa9t\xc3\xa9.png", 0, zeros_crc(0));
	add(z, "010.jpg", 3, zeros_crc(3));
	list(z, "010.jpg", &out);
	assert_string_equal(out.buf,
			    "001.jpg 5 5 0 c622f71d 0 2023-11-14T22:13:20\n"
			    "\xc3\xa9t\xc3\xa9.png 0 0 51 00000000 0 2023-11-14T22:13:20\n"
			    "010.jpg 3 3 99 ff41d912 0 2023-11-14T22:13:20\n"
			    "read 3\n");
	/* three local headers, three central ones, each with its time
	 * field, and the end: no ZIP64 */
	assert_int_equal(z->size, 3 * 30 + 3 * 46 + 2 * (7 + 7 + 9) +
			 6 * 9 + 8 + 22);
	opds_zip_free(z);
	strbuf_release(&out);
}

/* An entry past 4 GiB needs ZIP64 sizes, the one after it a ZIP64
 * offset, and the central directory past 4 GiB the ZIP64 end. */
static void test_past_4_gib(void **state)
{
	struct opds_zip *z = new_zip();
	struct strbuf out = STRBUF_INIT, want = STRBUF_INIT;
	uint64_t big = (1ULL << 32) + 5;

	(void)state;
	add(z, "a.jpg", 5, zeros_crc(5));
	add(z, "big.jpg", big, 0x12345678);
	add(z, "c.jpg", 3, zeros_crc(3));
	list(z, "c.jpg", &out);
	strbuf_addf(&want, "a.jpg 5 5 0 c622f71d 0 2023-11-14T22:13:20\n"
		    "big.jpg %llu %llu 49 12345678 0 2023-11-14T22:13:20\n"
		    "c.jpg 3 3 %llu ff41d912 0 2023-11-14T22:13:20\n"
		    "read 3\n", (unsigned long long)big,
		    (unsigned long long)big,
		    (unsigned long long)(49 + 30 + 7 + 9 + 20 + big));
	assert_string_equal(out.buf, want.buf);
	assert_true(z->cd_offset > 0xffffffffULL);
	opds_zip_free(z);
	strbuf_release(&out);
	strbuf_release(&want);
}

/* 65535 entries and more: the count is in the ZIP64 end alone. */
static void test_many_entries(void **state)
{
	struct opds_zip *z = new_zip();
	struct strbuf out = STRBUF_INIT;
	char name[32];
	size_t lines = 0;

	(void)state;
	for (int i = 0; i < 65600; i++) {
		snprintf(name, sizeof(name), "p%05d.jpg", i);
		add(z, name, 0, 0);
	}
	list(z, NULL, &out);
	for (const char *s = out.buf; (s = strchr(s, '\n')); s++)
		lines++;
	assert_int_equal(lines, 65600);
	assert_non_null(strstr(out.buf, "p65599.jpg 0 0 "));
	opds_zip_free(z);
	strbuf_release(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_small),
		cmocka_unit_test(test_past_4_gib),
		cmocka_unit_test(test_many_entries),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
