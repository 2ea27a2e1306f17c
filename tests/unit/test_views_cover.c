#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "fs/views_cover.h"

/* The rank of a name, and the entry extension it gives. */
static int rank(const char *name, int artist, const char **ext)
{
	*ext = NULL;
	return views_cover_rank(name, strlen(name), artist, ext);
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cover_order),
		cmocka_unit_test(test_not_covers),
		cmocka_unit_test(test_artist),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
