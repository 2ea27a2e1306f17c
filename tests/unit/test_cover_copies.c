/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The shared copies of embedded pictures (cover_copies.h): opens of one
 * picture read one in-memory file, byte for byte the picture; a picture
 * changed in its track is another copy; idle copies are kept up to their
 * count and dropped oldest first; opens at once wait for one read; a
 * picture past the end of its file is -EIO and leaves nothing behind.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "indexer/library/cover_copies.h"

#define PICTURE_AT 100
#define PICTURE_LEN 5000

static char track_path[] = "/tmp/mediamon-cover-copies.XXXXXX";
static unsigned char picture[PICTURE_LEN];

static int make_track(void **state)
{
	unsigned char head[PICTURE_AT] = { 0 };
	int fd = mkstemp(track_path);

	(void)state;
	if (fd < 0)
		return -1;
	for (size_t i = 0; i < sizeof(picture); i++)
		picture[i] = (i * 7 + 3) & 0xff;
	if (write(fd, head, sizeof(head)) != sizeof(head) ||
	    write(fd, picture, sizeof(picture)) != sizeof(picture))
		return -1;
	return close(fd);
}

static int drop_track(void **state)
{
	(void)state;
	return unlink(track_path);
}

static struct cover_copies_key key_of(int64_t track, uint64_t length)
{
	struct cover_copies_key k = { .track = track, .mtime_ns = 1 };

	k.pic.found = 1;
	k.pic.offset = PICTURE_AT;
	k.pic.length = length;
	return k;
}

/* A descriptor of the copy of key, expected to succeed. */
static int get(const struct cover_copies_key *key, struct cover_copy **c)
{
	int fd = cover_copies_get(key, open(track_path, O_RDONLY), track_path,
				  c);

	assert_true(fd >= 0);
	assert_non_null(*c);
	return fd;
}

static ino_t inode_of(int fd)
{
	struct stat st;

	assert_int_equal(fstat(fd, &st), 0);
	return st.st_ino;
}

/* Two opens of one picture read one file holding exactly the picture,
 * read-only; the same track with another mtime is another copy. */
static void test_one_copy_per_picture(void **state)
{
	struct cover_copies_key key = key_of(1, PICTURE_LEN), changed = key;
	struct cover_copy *a, *b, *c;
	unsigned char got[PICTURE_LEN + 1];
	struct stat st;
	int fa, fb, fc;

	(void)state;
	fa = get(&key, &a);
	fb = get(&key, &b);
	assert_ptr_equal(a, b);
	assert_int_equal(cover_copies_size(a), PICTURE_LEN);
	assert_int_equal(inode_of(fa), inode_of(fb));
	assert_int_equal(fstat(fb, &st), 0);
	assert_int_equal(st.st_size, PICTURE_LEN);
	assert_int_equal(st.st_mode & 0777, 0444);
	assert_int_equal(pread(fb, got, sizeof(got), 0), PICTURE_LEN);
	assert_memory_equal(got, picture, PICTURE_LEN);
	changed.mtime_ns = 2;
	fc = get(&changed, &c);
	assert_ptr_not_equal(a, c);
	assert_int_not_equal(inode_of(fa), inode_of(fc));
	close(fa);
	cover_copies_put(a);
	close(fb);
	cover_copies_put(b);
	close(fc);
	cover_copies_put(c);
}

/* An idle copy is found again until COVER_COPIES_IDLE others have been
 * put after it: then it is read anew. */
static void test_idle_copies_kept_then_dropped(void **state)
{
	struct cover_copies_key first = key_of(100, 10);
	struct cover_copy *c;
	int keep, fd;
	ino_t ino;

	(void)state;
	keep = get(&first, &c);
	ino = inode_of(keep);
	cover_copies_put(c);
	fd = get(&first, &c);
	assert_int_equal(inode_of(fd), ino);
	close(fd);
	cover_copies_put(c);
	for (int i = 1; i <= COVER_COPIES_IDLE; i++) {
		struct cover_copies_key other = key_of(100 + i, 10);

		fd = get(&other, &c);
		close(fd);
		cover_copies_put(c);
	}
	fd = get(&first, &c);
	assert_int_not_equal(inode_of(fd), ino);
	close(fd);
	cover_copies_put(c);
	close(keep);
}

#define OPENERS 8

struct opener {
	pthread_t thread;
	struct cover_copy *copy;
	int fd;
};

static void *open_one(void *arg)
{
	struct opener *o = arg;
	struct cover_copies_key key = key_of(300, PICTURE_LEN);

	o->fd = cover_copies_get(&key, open(track_path, O_RDONLY),
				 track_path, &o->copy);
	return NULL;
}

/* Opens of one picture at once share the one copy the first reads. */
static void test_opens_at_once_share(void **state)
{
	struct opener o[OPENERS];

	(void)state;
	for (int i = 0; i < OPENERS; i++)
		assert_int_equal(pthread_create(&o[i].thread, NULL, open_one,
						&o[i]), 0);
	for (int i = 0; i < OPENERS; i++)
		assert_int_equal(pthread_join(o[i].thread, NULL), 0);
	for (int i = 0; i < OPENERS; i++) {
		assert_true(o[i].fd >= 0);
		assert_ptr_equal(o[i].copy, o[0].copy);
		assert_int_equal(inode_of(o[i].fd), inode_of(o[0].fd));
	}
	for (int i = 0; i < OPENERS; i++) {
		close(o[i].fd);
		cover_copies_put(o[i].copy);
	}
}

/* A picture recorded past the end of its file is -EIO, every time: no
 * copy of it is kept. */
static void test_picture_past_the_end(void **state)
{
	struct cover_copies_key key = key_of(200, PICTURE_LEN + 1);
	struct cover_copy *c = (struct cover_copy *)&c;

	(void)state;
	for (int i = 0; i < 2; i++) {
		assert_int_equal(cover_copies_get(&key,
						  open(track_path, O_RDONLY),
						  track_path, &c), -EIO);
		assert_null(c);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_one_copy_per_picture),
		cmocka_unit_test(test_idle_copies_kept_then_dropped),
		cmocka_unit_test(test_opens_at_once_share),
		cmocka_unit_test(test_picture_past_the_end),
	};

	return cmocka_run_group_tests(tests, make_track, drop_track);
}
