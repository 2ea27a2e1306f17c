/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <errno.h>
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

#include "common/log.h"
#include "common/strbuf.h"
#include "indexer/realdebrid/rd_guard.h"
#include "indexer/realdebrid/rd_links.h"

/* Parse target under /mnt/rd and compare both parts. */
static void check_parse(const char *target, const char *name,
			const char *file)
{
	char *n = NULL, *f = NULL;

	assert_int_equal(rd_links_parse("/mnt/rd", target, &n, &f), 0);
	assert_string_equal(n, name);
	assert_string_equal(f, file);
	free(n);
	free(f);
}

static void test_parse(void **state)
{
	char *n = NULL, *f = NULL;

	(void)state;
	check_parse("/mnt/rd/__all__/Show.S01/Show.S01E01.mkv", "Show.S01",
		    "Show.S01E01.mkv");
	check_parse("/mnt/rd/Movie.2019/Movie.2019.mkv", "Movie.2019",
		    "Movie.2019.mkv");
	check_parse("/mnt/rd/__all__/Pack/Season 1/E01.mkv", "Pack",
		    "Season 1/E01.mkv");
	/* A torrent called __all__ under __all__ is still a torrent. */
	check_parse("/mnt/rd/__all__/__all__/x.mkv", "__all__", "x.mkv");
	assert_int_equal(rd_links_parse("/mnt/rd", "/mnt/rd/Movie.mkv", &n,
					&f), -EINVAL);
	assert_int_equal(rd_links_parse("/mnt/rd", "/mnt/rd/__all__/Show",
					&n, &f), -EINVAL);
	assert_int_equal(rd_links_parse("/mnt/rd", "/elsewhere/A/b.mkv", &n,
					&f), -EINVAL);
	assert_int_equal(rd_links_parse("/mnt/rd", "/mnt/rd", &n, &f),
			 -EINVAL);
}

/* Make the symlink dir/name pointing at target. */
static void link_at(const char *target, const char *dir, const char *name)
{
	struct strbuf p = STRBUF_INIT;

	strbuf_addf(&p, "%s/%s", dir, name);
	assert_int_equal(symlink(target, p.buf), 0);
	strbuf_release(&p);
}

/* The walk's order is the file system's; tests sort by path. */
static int cmp_path(const void *a, const void *b)
{
	return strcmp(((const struct rd_link *)a)->path,
		      ((const struct rd_link *)b)->path);
}

static int dirs_seen;

/* Count the folders a walk announces before it reads them. */
static void seen_dir(const char *dir)
{
	assert_true(dir[0] == '/');
	dirs_seen++;
}

/* Paths the watcher saw change, read one by one: a link alone (written
 * with a relative target, and with a path to normalize), a folder
 * walked, a path gone, a linked folder not followed, a plain file. */
static void read_changed(const char *lib, const char *mnt)
{
	struct strbuf a = STRBUF_INIT, b = STRBUF_INIT, c = STRBUF_INIT,
		d = STRBUF_INIT, e = STRBUF_INIT;
	const char *paths[5];
	struct rd_link *l = NULL;
	size_t nr = 0;

	strbuf_addf(&a, "%s/Show/./S1//e2.mkv", lib);
	strbuf_addf(&b, "%s/Show", lib);
	strbuf_addf(&c, "%s/gone.mkv", lib);
	strbuf_addf(&d, "%s/ShowAgain", lib);
	strbuf_addf(&e, "%s/__all__/A/e1.mkv", mnt);
	paths[0] = a.buf;
	paths[1] = c.buf;
	paths[2] = d.buf;
	paths[3] = e.buf;
	assert_int_equal(rd_links_read(paths, 4, mnt, NULL, seen_dir, &l,
				       &nr), 0);
	assert_int_equal(nr, 1);
	assert_true(strstr(l[0].path, "/lib/Show/S1/e2.mkv") != NULL);
	assert_null(strstr(l[0].path, "/./"));
	assert_int_equal(l[0].broken, 1);
	strbuf_reset(&e);
	strbuf_addf(&e, "%s/__all__/A/e2.mkv", mnt);
	assert_string_equal(l[0].target, e.buf);
	rd_links_free(l, nr);

	dirs_seen = 0;
	paths[0] = b.buf;
	assert_int_equal(rd_links_read(paths, 1, mnt, NULL, seen_dir, &l,
				       &nr), 0);
	assert_int_equal(dirs_seen, 2);
	assert_int_equal(nr, 2);
	rd_links_free(l, nr);

	assert_int_equal(rd_links_read(paths, 0, mnt, NULL, NULL, &l, &nr),
			 0);
	assert_int_equal(nr, 0);
	assert_null(l);
	strbuf_release(&a);
	strbuf_release(&b);
	strbuf_release(&c);
	strbuf_release(&d);
	strbuf_release(&e);
}

/* A library with links into a folder standing for the mount: dead ones,
 * live ones, relative ones, links elsewhere, a loop and a linked folder. */
static void test_walk(void **state)
{
	char tmpl[] = "/tmp/rd_links.XXXXXX";
	char *top = mkdtemp(tmpl);
	struct strbuf lib = STRBUF_INIT, mnt = STRBUF_INIT, p = STRBUF_INIT;
	const char *roots[1];
	struct rd_link *l = NULL;
	size_t nr = 0;
	int cancel = 0;

	(void)state;
	assert_non_null(top);
	strbuf_addf(&lib, "%s/lib", top);
	strbuf_addf(&mnt, "%s/mnt", top);
	strbuf_addf(&p, "mkdir -p %s/Show/S1 %s/__all__/A %s/other",
		    lib.buf, mnt.buf, top);
	assert_int_equal(system(p.buf), 0);
	strbuf_reset(&p);
	strbuf_addf(&p, "%s/__all__/A/e1.mkv", mnt.buf);
	fclose(fopen(p.buf, "w"));
	strbuf_reset(&p);
	strbuf_addf(&p, "%s/Show/S1", lib.buf);
	link_at("../../../mnt/__all__/A/e1.mkv", p.buf, "e1.mkv");
	link_at("../../../mnt/__all__/A/e2.mkv", p.buf, "e2.mkv");
	strbuf_reset(&p);
	strbuf_addf(&p, "%s/__all__/B/m.mkv", mnt.buf);
	link_at(p.buf, lib.buf, "m.mkv");
	link_at("/nowhere/x.mkv", lib.buf, "elsewhere.mkv");
	link_at("loop", lib.buf, "loop");
	link_at(mnt.buf, lib.buf, "mountdir");
	strbuf_reset(&p);
	strbuf_addf(&p, "%s/Show", lib.buf);
	link_at(p.buf, lib.buf, "ShowAgain");
	roots[0] = lib.buf;

	dirs_seen = 0;
	assert_int_equal(rd_links_walk(roots, 1, mnt.buf, &cancel, seen_dir,
				       &l, &nr), 0);
	/* lib, lib/Show, lib/Show/S1; the linked folder is not entered. */
	assert_int_equal(dirs_seen, 3);
	assert_int_equal(nr, 3);
	qsort(l, nr, sizeof(*l), cmp_path);
	assert_true(strstr(l[0].path, "/lib/Show/S1/e1.mkv") != NULL);
	assert_int_equal(l[0].broken, 0);
	assert_true(strstr(l[1].path, "/lib/Show/S1/e2.mkv") != NULL);
	assert_int_equal(l[1].broken, 1);
	strbuf_reset(&p);
	strbuf_addf(&p, "%s/__all__/A/e2.mkv", mnt.buf);
	assert_string_equal(l[1].target, p.buf);
	assert_true(strstr(l[2].path, "/lib/m.mkv") != NULL);
	assert_int_equal(l[2].broken, 1);
	rd_links_free(l, nr);

	/* A root that is a symlink to a folder is a root all the same. */
	strbuf_reset(&p);
	strbuf_addf(&p, "%s/ShowAgain", lib.buf);
	roots[0] = p.buf;
	assert_int_equal(rd_links_walk(roots, 1, mnt.buf, NULL, NULL, &l,
				       &nr), 0);
	assert_int_equal(nr, 2);
	qsort(l, nr, sizeof(*l), cmp_path);
	assert_true(strstr(l[0].path, "/lib/ShowAgain/S1/e1.mkv") != NULL);
	rd_links_free(l, nr);
	roots[0] = lib.buf;

	cancel = 1;
	assert_int_equal(rd_links_walk(roots, 1, mnt.buf, &cancel, NULL, &l,
				       &nr), -ECANCELED);

	read_changed(lib.buf, mnt.buf);

	strbuf_reset(&p);
	strbuf_addf(&p, "rm -rf %s", top);
	assert_int_equal(system(p.buf), 0);
	strbuf_release(&p);
	strbuf_release(&lib);
	strbuf_release(&mnt);
}

static void test_guard_probe(void **state)
{
	char tmpl[] = "/tmp/rd_guard.XXXXXX";
	char *dir = mkdtemp(tmpl);
	struct rd_guard g;

	(void)state;
	assert_non_null(dir);
	rd_guard_probe("/nonexistent/rd/mount", &g);
	assert_int_equal(g.exists, 0);
	rd_guard_probe(dir, &g);
	assert_int_equal(g.exists, 1);
	assert_int_equal(g.mount_point, 0);
	assert_int_equal(g.has_entries, 0);
	rd_guard_probe("/proc", &g);
	assert_int_equal(g.exists, 1);
	assert_int_equal(g.mount_point, 1);
	assert_int_equal(g.has_entries, 1);
	rd_guard_probe("/", &g);
	assert_int_equal(g.mount_point, 1);
	assert_int_equal(rmdir(dir), 0);
}

static void test_guard_decisions(void **state)
{
	struct rd_guard g = { 1, 1, 1, 10, 5 };
	char why[RD_GUARD_WHY];

	(void)state;
	assert_int_equal(rd_guard_ok(&g, 0.5, why, sizeof(why)), 1);
	g.broken = 6;
	assert_int_equal(rd_guard_ok(&g, 0.5, why, sizeof(why)), 0);
	assert_string_equal(why, "6 of 10 links broken, more than 50%");
	assert_int_equal(rd_guard_ok(&g, 0.6, why, sizeof(why)), 1);
	g.links = g.broken = 0;
	assert_int_equal(rd_guard_ok(&g, 0.5, why, sizeof(why)), 1);
	g.has_entries = 0;
	assert_int_equal(rd_guard_ok(&g, 0.5, why, sizeof(why)), 0);
	assert_string_equal(why, "empty");
	g.mount_point = 0;
	assert_int_equal(rd_guard_ok(&g, 0.5, why, sizeof(why)), 0);
	assert_string_equal(why, "not a mount point");
	g.exists = 0;
	assert_int_equal(rd_guard_ok(&g, 0.5, why, sizeof(why)), 0);
	assert_string_equal(why, "not found");
	/* A ratio of 1 lets every link be broken, but not a missing mount. */
	g = (struct rd_guard){ 1, 1, 1, 4, 4 };
	assert_int_equal(rd_guard_ok(&g, 1.0, why, sizeof(why)), 1);
	assert_int_equal(rd_guard_ok(&g, 0.0, why, sizeof(why)), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_walk),
		cmocka_unit_test(test_guard_probe),
		cmocka_unit_test(test_guard_decisions),
	};

	log_set_stderr(0);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
