/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The bits a sample the tag readers find in lossless files (issue 77),
 * read from files sox, flac and ffmpeg wrote (tests/data/make-fixtures.sh)
 * and checked against what mutagen says of them; lossy files and PCM
 * the readers cannot size have none.
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

#include "indexer/library/tags.h"

static const char *fixtures;

typedef int reader_fn(int fd, struct tags *t);

/* Read path with reader into t, as the scanner does. */
static void read_path(const char *path, reader_fn *reader, struct tags *t)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		fail_msg("cannot open %s: %s", path, strerror(errno));
	memset(t, 0, sizeof(*t));
	assert_int_equal(reader(fd, t), 0);
	close(fd);
}

/* The depth, rate and channels reader finds in the fixture name. */
static void check(const char *name, reader_fn *reader, const char *codec,
		  int depth, int rate, int channels)
{
	char path[4096];
	struct tags t;

	snprintf(path, sizeof(path), "%s/%s", fixtures, name);
	read_path(path, reader, &t);
	assert_string_equal(t.codec, codec);
	assert_int_equal(t.bit_depth, depth);
	assert_int_equal(t.sample_rate, rate);
	assert_int_equal(t.channels, channels);
	assert_int_equal(t.tag_error, 0);
	tags_release(&t);
}

static void test_flac_24(void **state)
{
	(void)state;
	check("depth24.flac", tags_read_flac, "flac", 24, 96000, 2);
	check("full.flac", tags_read_flac, "flac", 16, 44100, 2);
}

static void test_wav(void **state)
{
	(void)state;
	check("depth24.wav", tags_read_wav, "wav", 24, 96000, 2);
	check("depth8.wav", tags_read_wav, "wav", 8, 22050, 1);
	check("float32.wav", tags_read_wav, "wav", 32, 48000, 1);
}

static void test_aiff_24(void **state)
{
	(void)state;
	check("depth24.aiff", tags_read_aiff, "aiff", 24, 96000, 2);
}

static void test_alac(void **state)
{
	(void)state;
	check("depth24.m4a", tags_read_mp4, "alac", 24, 96000, 2);
	check("depth16.m4a", tags_read_mp4, "alac", 16, 96000, 2);
}

static void test_wavpack_16(void **state)
{
	(void)state;
	check("depth16.wv", tags_read_wavpack, "wavpack", 16, 96000, 2);
}

/* MP3 is lossy: it has no bit depth, whatever its decoder makes of it. */
static void test_lossy_none(void **state)
{
	(void)state;
	check("v23.mp3", tags_read_mp3, "mp3", 0, 44100, 2);
}

/* A copy of the fixture name in a folder of the test's own, whose
 * two bytes at the offset "fmt " + 8 (a WAV's format tag) become tag.
 * Writes its path into path. */
static void wav_with_format(const char *name, unsigned int tag, char *dir,
			    char *path, size_t size)
{
	static unsigned char buf[1 << 20];
	char src[4096];
	unsigned char *fmt;
	ssize_t n;
	int fd;

	snprintf(src, sizeof(src), "%s/%s", fixtures, name);
	fd = open(src, O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	n = read(fd, buf, sizeof(buf));
	close(fd);
	assert_true(n > 64);
	fmt = memmem(buf, n, "fmt ", 4);
	assert_non_null(fmt);
	fmt[8] = tag & 0xff;
	fmt[9] = tag >> 8;
	assert_non_null(mkdtemp(dir));
	snprintf(path, size, "%s/%s", dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, buf, n), n);
	assert_int_equal(close(fd), 0);
}

/* The bits a sample of a compressed WAV (ADPCM here) are its codec's,
 * not the audio's: it is given none, its rate and channels still. */
static void test_wav_compressed_none(void **state)
{
	char dir[] = "/tmp/test_tags_depth-XXXXXX", path[4096];
	struct tags t;

	(void)state;
	wav_with_format("depth24.wav", 2, dir, path, sizeof(path));
	read_path(path, tags_read_wav, &t);
	assert_int_equal(t.bit_depth, 0);
	assert_int_equal(t.sample_rate, 96000);
	assert_int_equal(t.channels, 2);
	tags_release(&t);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(rmdir(dir), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_flac_24),
		cmocka_unit_test(test_wav),
		cmocka_unit_test(test_aiff_24),
		cmocka_unit_test(test_alac),
		cmocka_unit_test(test_wavpack_16),
		cmocka_unit_test(test_lossy_none),
		cmocka_unit_test(test_wav_compressed_none),
	};

	fixtures = getenv("MEDIAMON_FIXTURES");
	if (!fixtures || !*fixtures) {
		fprintf(stderr, "test_tags_depth: MEDIAMON_FIXTURES is not "
			"set; make it the directory written by "
			"tests/data/make-fixtures.sh\n");
		return 1;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
