/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "indexer/library/covers.h"

/* The rank of a name, and the entry extension it gives. */
static int rank(const char *name, int artist, const char **ext)
{
	*ext = NULL;
	return covers_rank(name, strlen(name), artist, ext);
}

/* Names go first, then extensions; case never matters. */
static void test_cover_order(void **state)
{
	static const char *const order[] = {
		"cover.jpg", "COVER.JPEG", "Cover.png", "cover.WebP",
		"folder.jpg", "Folder.jpeg", "FOLDER.PNG", "folder.webp",
		"front.jpg", "front.jpeg", "front.png", "fRONT.webp",
		"album.jpg", "Album.Jpeg", "album.png", "ALBUM.WEBP",
	};
	static const char *const exts[] = { ".jpg", ".jpg", ".png", ".webp" };
	const char *ext;

	(void)state;
	for (size_t i = 0; i < sizeof(order) / sizeof(*order); i++) {
		assert_int_equal(rank(order[i], 0, &ext), (int)i);
		assert_string_equal(ext, exts[i % 4]);
	}
}

static void test_not_covers(void **state)
{
	static const char *const names[] = {
		"cover", "cover.", "cover.gif", "cover.jpg.bak", "mycover.jpg",
		"covers.jpg", "back.jpg", "artist.jpg", ".jpg", "",
	};
	const char *ext;

	(void)state;
	for (size_t i = 0; i < sizeof(names) / sizeof(*names); i++)
		assert_int_equal(rank(names[i], 0, &ext), -1);
}

/* Artist images are only artist.jpg and artist.png. */
static void test_artist(void **state)
{
	const char *ext;

	(void)state;
	assert_int_equal(rank("Artist.JPG", 1, &ext), 0);
	assert_string_equal(ext, ".jpg");
	assert_int_equal(rank("artist.png", 1, &ext), 1);
	assert_string_equal(ext, ".png");
	assert_int_equal(rank("artist.jpeg", 1, &ext), -1);
	assert_int_equal(rank("artist.webp", 1, &ext), -1);
	assert_int_equal(rank("cover.jpg", 1, &ext), -1);
}

static int disc(const char *name)
{
	return covers_disc_folder(name, strlen(name));
}

/* Disc folders in the spellings taggers and rippers use, any case. */
static void test_disc_folders(void **state)
{
	static const char *const yes[] = {
		"CD1", "cd2", "CD 1", "Cd 12", "Disc 1", "DISC2", "disk 2",
		"Disk 3", "disc 1 - The Early Years", "CD2 - Live", "CD 03",
	};
	static const char *const no[] = {
		"CD", "Disc", "CD ", "Disc ", "CD1 -", "CD1 - ", "CD1-Live",
		"CD1 Live", "CD 1a", "CD  1", "Discography", "Disco 1",
		"Album CD1", "ACD1", "1", "", "Disc one", "cd1.flac",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(yes) / sizeof(*yes); i++)
		if (!disc(yes[i]))
			fail_msg("'%s' is a disc folder", yes[i]);
	for (size_t i = 0; i < sizeof(no) / sizeof(*no); i++)
		if (disc(no[i]))
			fail_msg("'%s' is not a disc folder", no[i]);
	/* Only the len bytes given count. */
	assert_int_equal(covers_disc_folder("CD1/x", 3), 1);
	assert_int_equal(covers_disc_folder("CD1", 2), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cover_order),
		cmocka_unit_test(test_not_covers),
		cmocka_unit_test(test_artist),
		cmocka_unit_test(test_disc_folders),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
