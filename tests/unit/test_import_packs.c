/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * What an import names and packs (import.h, import_path.h): the
 * template, odd series names, folders of images packed into a .cbz,
 * multi-volume packs split by name, folders of chapters, the names of
 * the wanted volumes, and the clients' paths mapped to this machine's.
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

/* Widths pad each whole number; a field that does not exist, a width on
 * text, a slash or a missing field are refused. */
static void test_template(void **state)
{
	static const struct template_field f[] = {
		{ "series", 0, 0 }, { "volume", 1, 1 }, { "ext", 0, 1 },
	};
	static const struct {
		const char *tpl, *volume, *want;
	} good[] = {
		{ "{series} T{volume:02}.{ext}", "5", "Berserk T05.cbz" },
		{ "{series} T{volume:02}.{ext}", "105", "Berserk T105.cbz" },
		{ "{series} T{volume:02}.{ext}", "7.5", "Berserk T07.5.cbz" },
		{ "{series} T{volume:03}.{ext}", "100-102",
		  "Berserk T100-102.cbz" },
		{ "{series} v{volume:3}.{ext}", "1-3", "Berserk v001-003.cbz" },
		{ "{volume}.{ext}", "12", "12.cbz" },
	};
	static const char *const bad[] = {
		"{series} T{vol}.{ext}", "{series:02} T{volume}.{ext}",
		"{series} T{volume:x}.{ext}", "{series} T{volume:123}.{ext}",
		"{series}/T{volume}.{ext}", "{series} T{volume}",
		"{series} T{volume.{ext}", "{series} T}{volume}.{ext}",
	};
	char why[128];

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(*good); i++) {
		struct strbuf out = STRBUF_INIT;

		assert_int_equal(template_check(good[i].tpl, f, 3, why,
						sizeof(why)), 0);
		assert_int_equal(template_render(good[i].tpl, f,
			(const char *const[]){ "Berserk", good[i].volume,
					       "cbz" }, 3, &out), 0);
		assert_string_equal(out.buf, good[i].want);
		strbuf_release(&out);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		why[0] = '\0';
		assert_int_equal(template_check(bad[i], f, 3, why,
						sizeof(why)), -EINVAL);
		assert_true(why[0]);
	}
}

/* Series names that are no plain word: a slash becomes "∕", dots and
 * other scripts stay; the extension is written in lower case. */
static void test_odd_series_names(void **state)
{
	static const struct {
		const char *series, *file, *want;
	} cases[] = {
		{ "AC/DC", "AC-DC v02.CBZ", "AC\xe2\x88\x95" "DC T02.cbz" },
		{ "Dr. Stone", "Dr. Stone - Tome 3.pdf", "Dr. Stone T03.pdf" },
		{ "...", "T04.epub", "... T04.epub" },
		{ "進撃の巨人", "進撃の巨人 第5巻.cbz", "進撃の巨人 T05.cbz" },
	};

	(void)state;
	imp_configure("[import]\nmode = copy\n");
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		struct import_result res = IMPORT_RESULT_INIT;
		struct import_request req = {
			.source = NULL, .source_root = imp_dl,
			.series_dir = imp_series, .series_root = imp_tmp,
			.series = cases[i].series,
		};
		char src[256];

		imp_put(imp_dl, cases[i].file, "v");
		imp_path(src, sizeof(src), imp_dl, cases[i].file);
		req.source = src;
		assert_int_equal(import_run(&req, &imp_cfg, &res), 0);
		assert_string_equal(strrchr(res.files[0].to, '/') + 1,
				    cases[i].want);
		assert_string_equal(imp_text(imp_series, cases[i].want), "v");
		import_result_release(&res);
	}
	imp_configure("[import]\ntemplate = {volume:03} - {series}.{ext}\n");
	{
		struct import_result res = IMPORT_RESULT_INIT;
		char src[256];

		imp_put(imp_dl, "One Piece T09.cbz", "v9");
		imp_path(src, sizeof(src), imp_dl, "One Piece T09.cbz");
		assert_int_equal(imp_run(src, NULL, 0, &res), 0);
		assert_string_equal(imp_text(imp_series, "009 - One Piece.cbz"),
				    "v9");
		import_result_release(&res);
	}
}

/* A folder of images becomes one .cbz whose pages are in natural order,
 * their numbers padded so that a reader sorting them by name reads them
 * so too; a text file and a hidden file beside them are left out. */
static void test_pack_images(void **state)
{
	static const char *const pages[] = {
		"1.jpg", "2.png", "10.jpg", "11.webp", "100.gif",
	};
	static const char *const names[] = {
		"001.jpg", "002.png", "010.jpg", "011.webp", "100.gif",
	};
	struct import_result res = IMPORT_RESULT_INIT;
	struct archive_entry *e;
	struct archive *a;
	char src[256], path[256], rel[64], buf[64];
	struct stat st;
	size_t i = 0;
	mode_t old;

	(void)state;
	for (size_t k = 0; k < 5; k++) {
		snprintf(rel, sizeof(rel), "One Piece T10/%s", pages[4 - k]);
		imp_put(imp_dl, rel, pages[4 - k]);
	}
	imp_put(imp_dl, "One Piece T10/info.txt", "scan group");
	imp_put(imp_dl, "One Piece T10/._1.jpg", "resource fork");
	/* one page others may not read: nor may they the pack */
	imp_path(path, sizeof(path), imp_dl, "One Piece T10/2.png");
	assert_int_equal(chmod(path, 0640), 0);
	imp_path(src, sizeof(src), imp_dl, "One Piece T10");
	old = umask(022);
	assert_int_equal(imp_run(src, (double[]){ 10 }, 1, &res), 0);
	umask(old);
	assert_int_equal(res.nr_files, 1);
	assert_string_equal(res.files[0].how, "pack");
	assert_int_equal(res.nr_left_out, 2);
	assert_string_equal(imp_why(&res, "info.txt"),
			    "not a volume file");
	assert_string_equal(imp_why(&res, "._1.jpg"), "a hidden file");

	imp_path(path, sizeof(path), imp_series, "One Piece T10.cbz");
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0640);
	a = archive_read_new();
	assert_non_null(a);
	archive_read_support_format_zip(a);
	assert_int_equal(archive_read_open_filename(a, path, 4096),
			 ARCHIVE_OK);
	while (archive_read_next_header(a, &e) == ARCHIVE_OK) {
		ssize_t n;

		assert_true(i < 5);
		assert_string_equal(archive_entry_pathname(e), names[i]);
		n = archive_read_data(a, buf, sizeof(buf) - 1);
		assert_true(n >= 0);
		buf[n] = '\0';
		assert_string_equal(buf, pages[i]);
		i++;
	}
	assert_int_equal(i, 5);
	archive_read_free(a);
	assert_int_equal(imp_count(imp_series), 1);
	import_result_release(&res);
}

/* A pack of three volumes becomes three imports, each under its own
 * name; extras, a chapter, an .nfo and a volume not wanted stay out. */
static void test_multi_volume_pack(void **state)
{
	struct import_result res = IMPORT_RESULT_INIT;
	char src[256];

	(void)state;
	imp_put(imp_dl, "One Piece v100-102/One Piece v100 (Digital)"
			" (LuCaZ).cbz",
		"100");
	imp_put(imp_dl, "One Piece v100-102/One Piece v101 (Digital)"
			" (LuCaZ).cbz",
		"101");
	imp_put(imp_dl, "One Piece v100-102/One Piece v102 (Digital)"
			" (LuCaZ).cbz",
		"102");
	imp_put(imp_dl, "One Piece v100-102/One Piece v099 (Digital)"
			" (LuCaZ).cbz",
		"99");
	imp_put(imp_dl, "One Piece v100-102/Extras/01.jpg", "x");
	imp_put(imp_dl, "One Piece v100-102/One Piece Chapter 1050.cbz", "ch");
	imp_put(imp_dl, "One Piece v100-102/release.nfo", "nfo");
	imp_put(imp_dl, "One Piece v100-102/cover.jpg", "jpg");
	imp_path(src, sizeof(src), imp_dl, "One Piece v100-102");
	assert_int_equal(imp_run(src, (double[]){ 100, 101, 102 }, 3, &res), 0);
	assert_int_equal(res.nr_files, 3);
	for (int i = 0; i < 3; i++)
		assert_true(res.files[i].first == 100 + i);
	assert_string_equal(imp_text(imp_series, "One Piece T100.cbz"), "100");
	assert_string_equal(imp_text(imp_series, "One Piece T101.cbz"), "101");
	assert_string_equal(imp_text(imp_series, "One Piece T102.cbz"), "102");
	assert_int_equal(imp_count(imp_series), 3);
	assert_int_equal(res.nr_left_out, 5);
	for (size_t i = 0; i < res.nr_left_out; i++)
		assert_non_null(res.left_out[i].why);
	assert_string_equal(imp_why(&res, "One Piece Chapter 1050.cbz"),
			    "a chapter, not a volume");
	assert_string_equal(imp_why(&res, "release.nfo"),
			    "not a volume file");
	assert_string_equal(imp_why(&res,
			    "One Piece v099 (Digital) (LuCaZ).cbz"),
			    "volume 99 is not wanted");
	assert_non_null(imp_why(&res, "Extras"));
	assert_string_equal(imp_why(&res, "cover.jpg"),
			    "an image beside volumes");
	import_result_release(&res);
}

/* Several volumes' image folders, each packed under its own volume. */
static void test_pack_of_image_folders(void **state)
{
	struct import_result res = IMPORT_RESULT_INIT;
	char src[256];

	(void)state;
	imp_put(imp_dl, "OP/Tome 11/001.jpg", "a");
	imp_put(imp_dl, "OP/Tome 12/001.jpg", "b");
	imp_put(imp_dl, "OP/Tome 12/002.jpg", "c");
	imp_path(src, sizeof(src), imp_dl, "OP");
	assert_int_equal(imp_run(src, NULL, 0, &res), 0);
	assert_int_equal(res.nr_files, 2);
	assert_true(res.files[0].first == 11 && res.files[1].first == 12);
	assert_true(imp_inode(imp_series, "One Piece T11.cbz"));
	assert_true(imp_inode(imp_series, "One Piece T12.cbz"));
	import_result_release(&res);
}

/* A volume's folder of chapters' folders is one volume, its pages in
 * the chapters' order, each under its chapter's folder, numbers padded
 * alike; extras apart. */
static void test_pack_of_chapter_folders(void **state)
{
	static const char *const pages[] = {
		"Chapitre 1/01.jpg", "Chapitre 1/02.jpg", "Chapitre 2/01.jpg",
		"Chapitre 10/01.jpg",
	};
	static const char *const names[] = {
		"Chapitre 01/01.jpg", "Chapitre 01/02.jpg",
		"Chapitre 02/01.jpg", "Chapitre 10/01.jpg",
	};
	struct import_result res = IMPORT_RESULT_INIT;
	struct archive_entry *e;
	struct archive *a;
	char src[256], path[256], rel[64];
	size_t i = 0;

	(void)state;
	for (size_t k = 0; k < 4; k++) {
		snprintf(rel, sizeof(rel), "One Piece T13/%s", pages[3 - k]);
		imp_put(imp_dl, rel, pages[3 - k]);
	}
	imp_put(imp_dl, "One Piece T13/Extras/01.jpg", "extra");
	imp_path(src, sizeof(src), imp_dl, "One Piece T13");
	assert_int_equal(imp_run(src, (double[]){ 13 }, 1, &res), 0);
	assert_int_equal(res.nr_files, 1);
	assert_non_null(imp_why(&res, "Extras"));
	assert_true(res.files[0].first == 13);
	imp_path(path, sizeof(path), imp_series, "One Piece T13.cbz");
	a = archive_read_new();
	assert_non_null(a);
	archive_read_support_format_zip(a);
	assert_int_equal(archive_read_open_filename(a, path, 4096),
			 ARCHIVE_OK);
	while (archive_read_next_header(a, &e) == ARCHIVE_OK) {
		assert_true(i < 4);
		assert_string_equal(archive_entry_pathname(e), names[i++]);
	}
	assert_int_equal(i, 4);
	archive_read_free(a);
	import_result_release(&res);
}

/* A name that says nothing is the one wanted volume; a volume that is not
 * wanted, or that another file holds too, stays out with the reason. */
static void test_names_and_wanted(void **state)
{
	struct import_result res = IMPORT_RESULT_INIT;
	char src[256];

	(void)state;
	imp_put(imp_dl, "a1b2c3d4.cbz", "x");
	imp_path(src, sizeof(src), imp_dl, "a1b2c3d4.cbz");
	assert_int_equal(imp_run(src, (double[]){ 41 }, 1, &res), 0);
	assert_true(imp_inode(imp_series, "One Piece T41.cbz"));
	import_result_release(&res);

	imp_put(imp_dl, "One Piece T42.cbz", "x");
	imp_path(src, sizeof(src), imp_dl, "One Piece T42.cbz");
	assert_int_equal(imp_run(src, (double[]){ 43 }, 1, &res), -ENOENT);
	assert_string_equal(res.left_out[0].why, "volume 42 is not wanted");
	assert_non_null(strstr(res.reason.buf, "no wanted volume"));
	assert_true(res.no_volume);
	import_result_release(&res);

	imp_put(imp_dl, "twice/One Piece T44.pdf", "pdf");
	imp_put(imp_dl, "twice/One Piece T44.cbz", "cbz");
	imp_path(src, sizeof(src), imp_dl, "twice");
	assert_int_equal(imp_run(src, (double[]){ 44 }, 1, &res), 0);
	assert_int_equal(res.nr_files, 1);
	assert_string_equal(imp_why(&res, "One Piece T44.pdf"),
			    "volume 44 is also in One Piece T44.cbz");
	import_result_release(&res);
}

/* Map remote to local, its folder in root; both freed. */
static int map(const char *remote, const char *const *allow, size_t nr,
	       char *local, char *root, char *why)
{
	char *l, *r;
	int ret = import_map_path(&imp_cfg, remote, allow, nr, &l, &r, why,
				  256);

	if (ret) {
		assert_null(l);
		assert_null(r);
		return ret;
	}
	snprintf(local, 256, "%s", l);
	snprintf(root, 256, "%s", r);
	free(l);
	free(r);
	return 0;
}

/* The clients' paths: the longest mapping wins, a path that leaves
 * every mapped or allowed folder by "..", or that names such a folder
 * itself, is refused; by text only: import_run() opens it. */
static void test_map_path(void **state)
{
	char text[512], why[256], allowed[128], local[256], root[256];
	const char *allow[1] = { allowed };

	(void)state;
	imp_put(imp_dl, "qbit/One Piece T60.cbz", "60");
	imp_put(imp_dl, "nested/x/One Piece T61.cbz", "61");
	snprintf(text, sizeof(text), "[download]\npath_map = /downloads:%s/"
		 "qbit\npath_map ="
		 " /downloads/deep/:%s/nested\n", imp_dl, imp_dl);
	imp_configure(text);
	assert_int_equal(imp_cfg.download_path_map.nr, 4);
	assert_string_equal(imp_cfg.download_path_map.items[2],
			    "/downloads/deep");

	assert_int_equal(map("/downloads/One Piece T60.cbz", NULL, 0, local,
			     root, why), 0);
	assert_true(strstr(local, "/dl/qbit/One Piece T60.cbz"));
	assert_true(strstr(root, "/dl/qbit") && !strstr(root, "T60"));
	assert_int_equal(map("/downloads/deep/./x//One Piece T61.cbz", NULL,
			     0, local, root, why), 0);
	assert_true(strstr(local, "/dl/nested/x/One Piece T61.cbz"));
	assert_true(strstr(root, "/dl/nested") && !strstr(root, "/x"));

	/* out by "..", and a path that no mapping holds */
	assert_int_equal(map("/downloads/../etc/passwd", NULL, 0, local, root,
			     why), -EPERM);
	assert_non_null(strstr(why, "outside"));
	imp_path(text, sizeof(text), imp_outside, "elsewhere/One Piece"
						  " T62.cbz");
	assert_int_equal(map(text, NULL, 0, local, root, why), -EPERM);
	/* ... unless it lies in an allowed folder */
	imp_path(allowed, sizeof(allowed), imp_outside, "elsewhere");
	assert_int_equal(map(text, allow, 1, local, root, why), 0);
	assert_string_equal(local, text);
	assert_string_equal(root, allowed);
	assert_int_equal(map("downloads/x", NULL, 0, local, root, why),
			 -EINVAL);

	/* a save folder named as the download: mapped, allowed, either */
	assert_int_equal(map("/downloads", NULL, 0, local, root, why), -EPERM);
	assert_non_null(strstr(why, "save folder"));
	assert_int_equal(map("/downloads/deep/", NULL, 0, local, root, why),
			 -EPERM);
	assert_int_equal(map(allowed, allow, 1, local, root, why), -EPERM);
	assert_non_null(strstr(why, "itself"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_template),
		IMP_TEST(test_odd_series_names),
		IMP_TEST(test_pack_images),
		IMP_TEST(test_multi_volume_pack),
		IMP_TEST(test_pack_of_image_folders),
		IMP_TEST(test_pack_of_chapter_folders),
		IMP_TEST(test_names_and_wanted),
		IMP_TEST(test_map_path),
	};

	return cmocka_run_group_tests(tests, imp_group_setup,
				      imp_group_teardown);
}
