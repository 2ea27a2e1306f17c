/* SPDX-License-Identifier: GPL-3.0-or-later */
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

#include <cmocka.h>

#include "indexer/library/picture.h"
#include "indexer/library/tags.h"

static const char *fixtures;

/* Put a FLAC big-endian number at p. */
static void put32(unsigned char *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

/*
 * A PICTURE block's data as metaflac lays it out: type, MIME, description,
 * 16 bytes of sizes, image length, image. Returns its length.
 */
static size_t flac_block(unsigned char *b, uint32_t type, const char *mime,
			 const char *desc, uint32_t data_len)
{
	size_t n = 0, ml = strlen(mime), dl = strlen(desc);

	put32(b + n, type);
	put32(b + n + 4, ml);
	memcpy(b + n + 8, mime, ml);
	n += 8 + ml;
	put32(b + n, dl);
	memcpy(b + n + 4, desc, dl);
	n += 4 + dl;
	memset(b + n, 0, 16);
	n += 16;
	put32(b + n, data_len);
	n += 4;
	memset(b + n, 0xab, data_len);
	return n + data_len;
}

static void test_flac_located(void **state)
{
	unsigned char b[512];
	struct picture pic;
	size_t len, need;

	(void)state;
	len = flac_block(b, 3, "image/png", "Cover", 100);
	assert_int_equal(picture_flac(b, len, 1000, len, &pic, &need), 0);
	assert_int_equal(pic.found, 1);
	assert_int_equal(pic.type, 3);
	assert_string_equal(pic.mime, "image/png");
	assert_int_equal(pic.offset, 1000 + len - 100);
	assert_int_equal(pic.length, 100);
	assert_int_equal(pic.unsync, 0);
}

/* Too few bytes read: the caller learns how many the head takes. */
static void test_flac_needs_more(void **state)
{
	unsigned char b[512];
	struct picture pic;
	size_t len, need;

	(void)state;
	len = flac_block(b, 0, "image/jpeg", "a long description", 50);
	assert_int_equal(picture_flac(b, 4, 0, len, &pic, &need), -ENODATA);
	assert_int_equal(need, 8);
	assert_int_equal(picture_flac(b, 20, 0, len, &pic, &need), -ENODATA);
	assert_int_equal(need, 8 + 10 + 4);
	assert_int_equal(picture_flac(b, need, 0, len, &pic, &need),
			 -ENODATA);
	assert_int_equal(need, len - 50);
	assert_int_equal(picture_flac(b, need, 0, len, &pic, &need), 0);
	assert_int_equal(pic.length, 50);
}

/* Lengths that point outside the block are damage, never a location:
 * reading there would return audio as if it were the image. */
static void test_flac_damaged(void **state)
{
	unsigned char b[512];
	struct picture pic;
	size_t len, need;

	(void)state;
	len = flac_block(b, 3, "image/png", "", 100);
	assert_int_equal(picture_flac(b, len, 0, len - 1, &pic, &need),
			 -EBADMSG);
	put32(b + 4, 400);
	assert_int_equal(picture_flac(b, len, 0, len, &pic, &need), -EBADMSG);
	len = flac_block(b, 3, "image/png", "", 0);
	assert_int_equal(picture_flac(b, len, 0, len, &pic, &need), -EBADMSG);
	assert_int_equal(picture_flac(b, 3, 0, 3, &pic, &need), -EBADMSG);
}

static void test_id3_latin1(void **state)
{
	static const unsigned char f[] = "\x00image/jpeg\x00\x03My cover\x00"
					 "\xff\xd8\xff\xe0";
	struct picture pic;

	(void)state;
	assert_int_equal(picture_id3(f, sizeof(f) - 1, 500, 3, 0,
				     sizeof(f) - 1, &pic), 0);
	assert_string_equal(pic.mime, "image/jpeg");
	assert_int_equal(pic.type, 3);
	assert_int_equal(pic.offset, 500 + sizeof(f) - 1 - 4);
	assert_int_equal(pic.length, 4);
}

/* A UTF-16 description ends with two zero bytes on a two-byte boundary,
 * whatever single zero bytes it holds. */
static void test_id3_utf16(void **state)
{
	static const unsigned char f[] = "\x01image/png\x00\x04"
					 "\xff\xfe" "A\x00" "\x00\x00"
					 "\x89PNG";
	struct picture pic;

	(void)state;
	assert_int_equal(picture_id3(f, sizeof(f) - 1, 0, 4, 0,
				     sizeof(f) - 1, &pic), 0);
	assert_int_equal(pic.type, 4);
	assert_int_equal(pic.offset, sizeof(f) - 1 - 4);
	assert_int_equal(pic.length, 4);
}

/* ID3v2.2 names the format in three letters instead of a MIME type. */
static void test_id3_v22(void **state)
{
	static const unsigned char f[] = "\x00PNG\x00\x00" "abc";
	struct picture pic;

	(void)state;
	assert_int_equal(picture_id3(f, sizeof(f) - 1, 10, 2, 0,
				     sizeof(f) - 1, &pic), 0);
	assert_string_equal(pic.mime, "PNG");
	assert_int_equal(pic.type, 0);
	assert_int_equal(pic.offset, 16);
	assert_int_equal(pic.length, 3);
}

/*
 * Under unsynchronisation the offset counts raw bytes and the length
 * decoded ones: here the description's 0xFF 0xE0 is stored with a zero
 * between, and the size (of the decoded content) is one less than raw.
 */
static void test_id3_unsynced(void **state)
{
	static const unsigned char f[] = "\x00image/jpeg\x00\x03\xff\x00\xe0"
					 "\x00" "\xff\x00\xd8";
	struct picture pic;
	size_t raw = sizeof(f) - 1;

	(void)state;
	assert_int_equal(picture_id3(f, raw, 0, 3, 1, raw - 2, &pic), 0);
	assert_int_equal(pic.unsync, 1);
	assert_int_equal(pic.offset, raw - 3);
	assert_int_equal(pic.length, 2);
	/* a raw head that ends on 0xFF cannot be decoded yet */
	assert_int_equal(picture_id3(f, 14, 0, 3, 1, raw - 2, &pic),
			 -ENODATA);
}

static void test_id3_damaged(void **state)
{
	static const unsigned char bad_enc[] = "\x07image/jpeg\x00\x03\x00x";
	static const unsigned char no_image[] = "\x00image/jpeg\x00\x03\x00";
	static const unsigned char no_end[] = "\x00image/jpeg";
	static const unsigned char link[] = "\x00-->\x00\x03\x00http://x/y.jpg";
	struct picture pic;

	(void)state;
	assert_int_equal(picture_id3(bad_enc, sizeof(bad_enc) - 1, 0, 3, 0,
				     sizeof(bad_enc) - 1, &pic), -EBADMSG);
	assert_int_equal(picture_id3(no_image, sizeof(no_image) - 1, 0, 3, 0,
				     sizeof(no_image) - 1, &pic), -EBADMSG);
	assert_int_equal(picture_id3(no_end, sizeof(no_end) - 1, 0, 3, 0,
				     100, &pic), -ENODATA);
	assert_int_equal(picture_id3(link, sizeof(link) - 1, 0, 3, 0,
				     sizeof(link) - 1, &pic), -ENOENT);
}

/* The first front cover wins; without one, the first picture. */
static void test_choose(void **state)
{
	struct picture best = { 0 };
	struct picture back = { .found = 1, .type = 4, .offset = 1 };
	struct picture other = { .found = 1, .type = 0, .offset = 2 };
	struct picture front = { .found = 1, .type = 3, .offset = 3 };
	struct picture front2 = { .found = 1, .type = 3, .offset = 4 };

	(void)state;
	assert_int_equal(picture_choose(&best, &back), 1);
	assert_int_equal(picture_choose(&best, &other), 0);
	assert_int_equal(best.offset, 1);
	assert_int_equal(picture_choose(&best, &front), 1);
	assert_int_equal(picture_choose(&best, &front2), 0);
	assert_int_equal(best.offset, 3);
}

static void test_unsync_take(void **state)
{
	static const unsigned char raw[] = "a\xff\x00\xe0\xff\x00\x00z";
	unsigned char out[8];
	size_t pos = 0;

	(void)state;
	assert_int_equal(picture_unsync_take(raw, sizeof(raw) - 1, &pos, out,
					     5), 5);
	assert_memory_equal(out, "a\xff\xe0\xff\x00", 5);
	assert_int_equal(pos, 7);
	assert_int_equal(picture_unsync_take(raw, sizeof(raw) - 1, &pos, NULL,
					     5), 1);
	assert_int_equal(pos, 8);
}

/* A temporary file holding len bytes of b. */
static int temp_file(const void *b, size_t len)
{
	char path[] = "/tmp/test_picture.XXXXXX";
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	unlink(path);
	assert_int_equal(write(fd, b, len), (ssize_t)len);
	return fd;
}

/*
 * Reading back: an unsynchronised image larger than one read chunk, with
 * 0xFF 0x00 pairs across the chunk boundary, decodes to the original.
 */
static void test_read_unsynced(void **state)
{
	size_t n = 200000, raw_len = 0;
	unsigned char *orig = malloc(n), *raw = malloc(2 * n + 10);
	unsigned char *out = malloc(n + 1);
	struct picture pic = { .found = 1, .offset = 3, .unsync = 1 };
	int fd;

	(void)state;
	assert_non_null(orig);
	assert_non_null(raw);
	assert_non_null(out);
	memcpy(raw, "xyz", 3);
	raw_len = 3;
	for (size_t i = 0; i < n; i++)
		orig[i] = i % 3 ? 0xff : (i * 7) & 0xff;
	for (size_t i = 0; i < n; i++) {
		raw[raw_len++] = orig[i];
		if (orig[i] == 0xff && (i + 1 == n || orig[i + 1] >= 0xe0 ||
					!orig[i + 1]))
			raw[raw_len++] = 0;
	}
	fd = temp_file(raw, raw_len);
	pic.length = n;
	assert_int_equal(picture_read(fd, &pic, out), 0);
	assert_memory_equal(out, orig, n);
	/* a recorded length beyond the end of the file is an error */
	pic.length = n + 1;
	assert_int_equal(picture_read(fd, &pic, out), -EIO);
	close(fd);
	free(orig);
	free(raw);
	free(out);
}

/* Plain bytes are read as they are; a file shorter than the recorded
 * image gives -EIO, never a short image. */
static void test_read_plain(void **state)
{
	static const unsigned char file[] = "head\xff\x00\xd8tail";
	struct picture pic = { .found = 1, .offset = 4, .length = 3 };
	unsigned char out[16];
	int fd = temp_file(file, sizeof(file) - 1);

	(void)state;
	assert_int_equal(picture_read(fd, &pic, out), 0);
	assert_memory_equal(out, "\xff\x00\xd8", 3);
	pic.length = 9;
	assert_int_equal(picture_read(fd, &pic, out), -EIO);
	close(fd);
}

typedef int reader_fn(int fd, struct tags *t);

/* Read a fixture's tags, then its kept picture's bytes into *out. */
static int fixture_picture(const char *name, reader_fn *reader,
			   struct tags *t, unsigned char **out)
{
	char path[4096];
	int fd, rc;

	snprintf(path, sizeof(path), "%s/%s", fixtures, name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		fail_msg("cannot open %s: %s", path, strerror(errno));
	memset(t, 0, sizeof(*t));
	assert_int_equal(reader(fd, t), 0);
	assert_int_equal(t->picture.found, 1);
	*out = malloc(t->picture.length);
	assert_non_null(*out);
	rc = picture_read(fd, &t->picture, *out);
	close(fd);
	return rc;
}

/* The fixtures' pictures (made by metaflac and mutagen, or by hand for
 * ID3v2.2) are found where their known bytes are. */
static void test_fixtures(void **state)
{
	static const struct {
		const char *name;
		reader_fn *reader;
		const char *mime;
		uint64_t length;
		const char *start;
	} cases[] = {
		{ "picture.flac", tags_read_flac, "image/png", 2000, NULL },
		{ "picture.mp3", tags_read_mp3, "image/jpeg", 100004,
		  "\xff\xd8\xff\xe0" },
		{ "picfirst.mp3", tags_read_mp3, "image/jpeg", 100004,
		  "\xff\xd8\xff\xe0" },
		{ "v22.mp3", tags_read_mp3, "JPG", 500, "\xff\xd8\xff\xe0" },
	};
	unsigned char *img;
	struct tags t;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		assert_int_equal(fixture_picture(cases[i].name,
						 cases[i].reader, &t, &img),
				 0);
		assert_string_equal(t.picture.mime, cases[i].mime);
		assert_int_equal(t.picture.type, 3);
		assert_int_equal(t.picture.length, cases[i].length);
		if (cases[i].start)
			assert_memory_equal(img, cases[i].start, 4);
		free(img);
		tags_release(&t);
	}
}

/* A picture cut by the end of the file is kept, and reading it fails. */
static void test_fixture_cut(void **state)
{
	unsigned char *img;
	struct tags t;

	(void)state;
	assert_int_equal(fixture_picture("cutpicture.flac", tags_read_flac,
					 &t, &img), -EIO);
	assert_int_equal(t.picture.length, 100004);
	assert_int_equal(t.tag_error, 1);
	free(img);
	tags_release(&t);
}

/* With no_pictures, a picture is counted and nothing of it is noted,
 * and the other tags are read the same. */
static void test_fixtures_no_pictures(void **state)
{
	static const struct {
		const char *name;
		reader_fn *reader;
	} cases[] = {
		{ "picture.flac", tags_read_flac },
		{ "picture.mp3", tags_read_mp3 },
		{ "picfirst.mp3", tags_read_mp3 },
		{ "v22.mp3", tags_read_mp3 },
	};
	char path[4096];
	struct tags with, without;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		int fd;

		snprintf(path, sizeof(path), "%s/%s", fixtures,
			 cases[i].name);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		assert_true(fd >= 0);
		memset(&with, 0, sizeof(with));
		memset(&without, 0, sizeof(without));
		without.no_pictures = 1;
		assert_int_equal(cases[i].reader(fd, &with), 0);
		assert_int_equal(cases[i].reader(fd, &without), 0);
		close(fd);
		assert_int_equal(with.picture.found, 1);
		assert_int_equal(without.picture.found, 0);
		assert_int_equal(without.has_picture, 1);
		assert_int_equal(without.tag_error, with.tag_error);
		assert_non_null(with.title);
		assert_non_null(without.title);
		assert_string_equal(without.title, with.title);
		assert_true(without.bytes_read <= with.bytes_read);
		tags_release(&with);
		tags_release(&without);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_flac_located),
		cmocka_unit_test(test_flac_needs_more),
		cmocka_unit_test(test_flac_damaged),
		cmocka_unit_test(test_id3_latin1),
		cmocka_unit_test(test_id3_utf16),
		cmocka_unit_test(test_id3_v22),
		cmocka_unit_test(test_id3_unsynced),
		cmocka_unit_test(test_id3_damaged),
		cmocka_unit_test(test_choose),
		cmocka_unit_test(test_unsync_take),
		cmocka_unit_test(test_read_unsynced),
		cmocka_unit_test(test_read_plain),
		cmocka_unit_test(test_fixtures),
		cmocka_unit_test(test_fixture_cut),
		cmocka_unit_test(test_fixtures_no_pictures),
	};

	fixtures = getenv("MEDIAMON_FIXTURES");
	if (!fixtures || !*fixtures) {
		fprintf(stderr, "test_picture: MEDIAMON_FIXTURES is not set; "
			"make it the directory written by "
			"tests/data/make-fixtures.sh\n");
		return 1;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
