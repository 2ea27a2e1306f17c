/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The scanner on real temporary trees: its incremental decisions, a
 * subtree and a vanished path, cancels, special files, links inside and
 * outside the root, the folders' digests and kept listings, the walk's
 * order, and the indexes a first scan drops and builds again.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/db.h"
#include "common/log.h"
#include "indexer/library/music.h"
#include "indexer/library/scan.h"
#include "indexer/store/schema.h"
#include "indexer/library/search_index.h"
#include "indexer/store/writer.h"
#include "musicdb.h"
#include "testdb.h"

static uint64_t estimate(struct musicdb *e, const char *sub)
{
	struct scan_request req = {
		.root_id = e->root_id,
		.root_path = e->root,
		.subpaths = &sub,
		.nr_subpaths = 1,
	};
	uint64_t n = 0;
	sqlite3 *db;

	assert_int_equal(db_open(e->db, 1, &db), 0);
	assert_int_equal(scan_estimate(db, &req, &n), 0);
	db_close(db);
	return n;
}

static void test_scan_incremental(void **state)
{
	struct musicdb *e = *state;
	struct scan_stats s;
	char p[160], q[160];

	musicdb_make_tree(e);
	assert_int_equal(musicdb_scan(e, "", &s, 0), 0);
	assert_int_equal(s.files_seen, 12);
	assert_int_equal(s.files_new, 12);
	assert_int_equal(musicdb_int(e->db, "SELECT count(*) FROM directories"),
			 4);

	assert_int_equal(musicdb_scan(e, "", &s, 0), 0);
	assert_int_equal(s.files_unchanged, 12);
	assert_int_equal(estimate(e, ""), 12);
	assert_int_equal(estimate(e, "dir1"), 4);
	assert_int_equal(estimate(e, "dir1/file2.txt"), 1);
	assert_int_equal(estimate(e, "dir"), 0);

	snprintf(p, sizeof(p), "%s/dir0/file0.txt", e->root);
	musicdb_write(p, "longer now");
	snprintf(p, sizeof(p), "%s/dir1/file0.txt", e->root);
	unlink(p);
	snprintf(p, sizeof(p), "%s/dir2/file0.txt", e->root);
	snprintf(q, sizeof(q), "%s/dir0/moved.txt", e->root);
	assert_int_equal(rename(p, q), 0);
	assert_int_equal(musicdb_scan(e, "", &s, 0), 0);
	assert_int_equal(s.files_changed, 1);
	assert_int_equal(s.files_deleted, 1);
	assert_int_equal(s.files_renamed, 1);
	assert_int_equal(s.files_new, 0);
	assert_int_equal(musicdb_int(e->db, "SELECT count(*) FROM files"), 11);
}

static void test_scan_subtree_and_vanished_path(void **state)
{
	struct musicdb *e = *state;
	struct scan_stats s;
	char cmd[256];

	musicdb_make_tree(e);
	assert_int_equal(musicdb_scan(e, "", &s, 0), 0);
	assert_int_equal(musicdb_scan(e, "dir1", &s, 0), 0);
	assert_int_equal(s.files_seen, 4);
	assert_int_equal(musicdb_scan(e, "dir1/file2.txt", &s, 0), 0);
	assert_int_equal(s.files_seen, 1);
	/* a rename inside the subtree keeps the file's id */
	snprintf(cmd, sizeof(cmd), "mv %s/dir1/file0.txt %s/dir1/sub.txt",
		 e->root, e->root);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(musicdb_scan(e, "dir1", &s, 0), 0);
	assert_int_equal(s.files_renamed, 1);
	assert_int_equal(s.files_new, 0);
	/* a file at the root's top, rescanned alone */
	snprintf(cmd, sizeof(cmd), "%s/top.txt", e->root);
	musicdb_write(cmd, "x");
	assert_int_equal(musicdb_scan(e, "top.txt", &s, 0), 0);
	assert_int_equal(s.files_new, 1);
	assert_int_equal(estimate(e, "top.txt"), 1);
	assert_int_equal(musicdb_scan(e, "top.txt", &s, 0), 0);
	assert_int_equal(s.files_unchanged, 1);

	snprintf(cmd, sizeof(cmd), "rm -r %s/dir1", e->root);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(musicdb_scan(e, "dir1", &s, 0), 0);
	assert_int_equal(s.files_deleted, 4);
	assert_int_equal(musicdb_int(e->db, "SELECT count(*) FROM files"), 9);
	assert_int_equal(musicdb_int(e->db, "SELECT count(*) FROM directories"),
			 3);
}

static void test_scan_cancelled_deletes_nothing(void **state)
{
	struct musicdb *e = *state;
	struct scan_stats s;
	char cmd[200];

	musicdb_make_tree(e);
	assert_int_equal(musicdb_scan(e, "", &s, 0), 0);
	snprintf(cmd, sizeof(cmd), "rm -r %s/dir0", e->root);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(musicdb_scan(e, "", &s, 1), -ECANCELED);
	assert_int_equal(s.files_deleted, 0);
	assert_int_equal(musicdb_int(e->db, "SELECT count(*) FROM files"), 12);
}

static void test_scan_missing_root_deletes_nothing(void **state)
{
	struct musicdb *e = *state;
	struct scan_stats s;
	char moved[128];

	musicdb_make_tree(e);
	assert_int_equal(musicdb_scan(e, "", &s, 0), 0);
	snprintf(moved, sizeof(moved), "%s/away", e->dir);
	assert_int_equal(rename(e->root, moved), 0);
	assert_int_equal(musicdb_scan(e, "", &s, 0), -ENOENT);
	assert_int_equal(s.io_errors, 1);
	assert_int_equal(musicdb_int(e->db, "SELECT count(*) FROM files"), 12);
	assert_int_equal(rename(moved, e->root), 0);
}

static void test_scan_skips_special_files(void **state)
{
	struct musicdb *e = *state;
	struct scan_stats s;
	char p[160], q[160];

	snprintf(p, sizeof(p), "%s/fifo", e->root);
	assert_int_equal(mkfifo(p, 0644), 0);
	snprintf(p, sizeof(p), "%s/loop", e->root);
	assert_int_equal(symlink(".", p), 0);
	snprintf(p, sizeof(p), "%s/dangling", e->root);
	assert_int_equal(symlink("nowhere", p), 0);
	snprintf(p, sizeof(p), "%s/real.txt", e->root);
	musicdb_write(p, "x");
	snprintf(q, sizeof(q), "%s/link.txt", e->root);
	assert_int_equal(symlink("real.txt", q), 0);
	assert_int_equal(musicdb_scan(e, "", &s, 0), 0);
	/* the FIFO is never opened, the loop never followed, the dangling
	 * link counted as an error; the file and its link are indexed */
	assert_int_equal(s.files_seen, 2);
	assert_int_equal(s.io_errors, 1);
}

static int64_t count_path(struct musicdb *e, const char *path)
{
	char sql[160];

	snprintf(sql, sizeof(sql), "SELECT count(*) FROM file_paths"
		 " WHERE path = CAST('%s' AS BLOB)", path);
	return musicdb_int(e->db, sql);
}

/* A link to a file is followed inside the root only, unless the scan
 * follows outside; one that leads out again is forgotten. */
static void test_scan_links_by_rule(void **state)
{
	struct musicdb *e = *state;
	struct scan_stats s;
	char p[160], q[160];

	musicdb_make_tree(e);
	snprintf(p, sizeof(p), "%s/outside", e->dir);
	assert_int_equal(mkdir(p, 0755), 0);
	snprintf(p, sizeof(p), "%s/outside/secret.txt", e->dir);
	musicdb_write(p, "secret");
	snprintf(q, sizeof(q), "%s/out.txt", e->root);
	assert_int_equal(symlink(p, q), 0);
	snprintf(q, sizeof(q), "%s/in.txt", e->root);
	assert_int_equal(symlink("dir0/file0.txt", q), 0);

	assert_int_equal(musicdb_scan(e, "", &s, 0), 0);
	assert_int_equal(s.files_seen, 13);
	assert_int_equal(s.io_errors, 0);
	assert_int_equal(count_path(e, "in.txt"), 1);
	assert_int_equal(count_path(e, "out.txt"), 0);
	/* a rescan of the link alone says the same */
	assert_int_equal(musicdb_scan(e, "out.txt", &s, 0), 0);
	assert_int_equal(s.files_seen, 0);
	assert_int_equal(count_path(e, "out.txt"), 0);

	musicdb_follow_outside = 1;
	assert_int_equal(musicdb_scan(e, "", &s, 0), 0);
	musicdb_follow_outside = 0;
	assert_int_equal(s.files_seen, 14);
	assert_int_equal(count_path(e, "out.txt"), 1);
	assert_int_equal(musicdb_scan(e, "out.txt", &s, 0), 0);
	assert_int_equal(s.files_deleted, 1);
	assert_int_equal(count_path(e, "out.txt"), 0);
}

/* A path through a link to a folder is not in the root: a rescan of it
 * indexes nothing, and a folder swapped for a link is forgotten, the
 * watcher told of the first folder of each subtree. */
static void test_scan_through_folder_links(void **state)
{
	struct musicdb *e = *state;
	struct scan_stats s;
	char p[160], q[160];

	musicdb_make_tree(e);
	snprintf(p, sizeof(p), "%s/dir1/sub", e->root);
	assert_int_equal(mkdir(p, 0755), 0);
	snprintf(p, sizeof(p), "%s/dir1/sub/deep.txt", e->root);
	musicdb_write(p, "x");
	snprintf(p, sizeof(p), "%s/outside", e->dir);
	assert_int_equal(mkdir(p, 0755), 0);
	snprintf(p, sizeof(p), "%s/outside/hidden", e->dir);
	assert_int_equal(mkdir(p, 0755), 0);
	snprintf(p, sizeof(p), "%s/outside/hidden/x.txt", e->dir);
	musicdb_write(p, "x");
	snprintf(p, sizeof(p), "%s/outside", e->dir);
	snprintf(q, sizeof(q), "%s/rl", e->root);
	assert_int_equal(symlink(p, q), 0);

	assert_int_equal(musicdb_scan(e, "", &s, 0), 0);
	assert_int_equal(s.files_seen, 13);
	musicdb_gone[0] = '\0';
	assert_int_equal(musicdb_scan(e, "rl/hidden", &s, 0), 0);
	assert_int_equal(s.files_seen + s.io_errors, 0);
	assert_int_equal(musicdb_scan(e, "rl/hidden/x.txt", &s, 0), 0);
	assert_int_equal(musicdb_scan(e, "rl", &s, 0), 0);
	assert_int_equal(s.files_seen + s.io_errors, 0);
	assert_int_equal(musicdb_int(e->db, "SELECT count(*) FROM files"), 13);
	assert_string_equal(musicdb_gone, "");

	/* dir1 goes out, and a link to where it went takes its place */
	snprintf(p, sizeof(p), "%s/dir1", e->root);
	snprintf(q, sizeof(q), "%s/outside/dir1", e->dir);
	assert_int_equal(rename(p, q), 0);
	assert_int_equal(symlink(q, p), 0);
	assert_int_equal(musicdb_scan(e, "dir1/sub", &s, 0), 0);
	assert_int_equal(s.files_deleted, 1);
	assert_string_equal(musicdb_gone, "dir1/sub\n");
	musicdb_gone[0] = '\0';
	assert_int_equal(musicdb_scan(e, "", &s, 0), 0);
	assert_int_equal(s.files_deleted, 4);
	assert_int_equal(musicdb_int(e->db, "SELECT count(*) FROM file_paths"
				     " WHERE path >= CAST('dir1' AS BLOB) AND"
				     " path < CAST('dir2' AS BLOB)"), 0);
	assert_string_equal(musicdb_gone, "dir1\n");
}

/* Every directory walked keeps a digest of its files; one without (as a
 * failed file leaves it) is compared file by file and gets it back, and a
 * change that keeps a file's size (a new mtime) is still seen. */
static void test_scan_digests(void **state)
{
	struct musicdb *e = *state;
	struct scan_stats s;
	struct timespec t[2] = { { 0, UTIME_OMIT }, { 12345, 0 } };
	char p[160];

	musicdb_make_tree(e);
	assert_int_equal(musicdb_scan(e, "", &s, 0), 0);
	assert_int_equal(musicdb_int(e->db, "SELECT count(*) FROM directories"
				     " WHERE digest IS NULL"), 0);
	writer_call(musicdb_exec, "UPDATE directories SET digest = NULL"
		    " WHERE CAST(path AS TEXT) = 'dir1'");
	assert_int_equal(musicdb_scan(e, "", &s, 0), 0);
	assert_int_equal(s.files_unchanged, 12);
	assert_int_equal(musicdb_int(e->db, "SELECT count(*) FROM directories"
				     " WHERE digest IS NULL"), 0);

	snprintf(p, sizeof(p), "%s/dir2/file3.txt", e->root);
	assert_int_equal(utimensat(AT_FDCWD, p, t, 0), 0);
	assert_int_equal(musicdb_scan(e, "", &s, 0), 0);
	assert_int_equal(s.files_changed, 1);
	assert_int_equal(s.files_unchanged, 11);
	assert_int_equal(musicdb_int(e->db, "SELECT mtime_ns FROM file_paths"
				     " WHERE CAST(path AS TEXT) ="
				     " 'dir2/file3.txt'"), 12345000000000LL);
}

/* Digests made by another hash (a store of an older mediamon) match no
 * folder: the next scan compares each folder's files with their rows,
 * finds them unchanged, and keeps the digests it makes. */
static void test_scan_old_digests(void **state)
{
	struct musicdb *e = *state;
	struct scan_stats s;
	const char *sql = "SELECT group_concat(digest) FROM"
		" (SELECT digest FROM directories ORDER BY id)";
	char *made, *again;

	musicdb_make_tree(e);
	assert_int_equal(musicdb_scan(e, "", &s, 0), 0);
	made = musicdb_text(e->db, sql);
	assert_non_null(made);
	writer_call(musicdb_exec, "UPDATE directories SET digest = digest + 1");
	again = musicdb_text(e->db, sql);
	assert_string_not_equal(again, made);
	free(again);
	assert_int_equal(musicdb_scan(e, "", &s, 0), 0);
	assert_int_equal(s.files_unchanged, 12);
	assert_int_equal(s.files_new + s.files_changed + s.files_deleted +
			 s.files_renamed + s.io_errors, 0);
	again = musicdb_text(e->db, sql);
	assert_string_equal(again, made);
	free(again);
	free(made);
}

/* Wait until the change times of the folders made so far are old enough
 * for a scan to keep their listings (scan.c's LISTING_SETTLE_NS). */
static void settle(void)
{
	struct timespec t = { 1, 100000000 };

	assert_int_equal(nanosleep(&t, NULL), 0);
}

static struct timespec now_coarse(void)
{
	struct timespec t;

	assert_int_equal(clock_gettime(CLOCK_REALTIME_COARSE, &t), 0);
	return t;
}

/* Whether folders changed at t were still within the settle window when
 * the scan that just ended looked at them. A machine loaded enough to
 * stretch a scan past the window cannot show what a fresh folder does:
 * the asserts that need one are then not judged. */
static int still_fresh(struct timespec t)
{
	struct timespec n = now_coarse();

	return (n.tv_sec - t.tv_sec) * 1000000000ll + n.tv_nsec - t.tv_nsec <
	       900000000ll;
}

/* Whether the root's listing is kept under the change time the root has:
 * a scan that looked at it within the settle window of its change kept
 * the one before (when the scan ended says nothing of when it looked). */
static int root_listing_current(struct musicdb *e)
{
	struct stat st;

	assert_int_equal(stat(e->root, &st), 0);
	return musicdb_int(e->db, "SELECT l.ctime_ns FROM dir_listings l"
			   " JOIN directories d ON d.id = l.dir_id"
			   " WHERE CAST(d.path AS TEXT) = ''") ==
	       st.st_ctim.tv_sec * 1000000000ll + st.st_ctim.tv_nsec;
}

static int64_t listings_of(struct musicdb *e, const char *dir)
{
	char sql[200];

	snprintf(sql, sizeof(sql), "SELECT count(*) FROM dir_listings l"
		 " JOIN directories d ON d.id = l.dir_id"
		 " WHERE CAST(d.path AS TEXT) = '%s'", dir);
	return musicdb_int(e->db, sql);
}

/*
 * A folder whose change time and inode are those its listing was kept
 * under is not listed again: its names come from the store. Only an
 * unchanged folder is found that way: a file changed under the same
 * names is seen, a name added or renamed moves the folder's change time,
 * a listing kept in another form is set aside, and a folder changed
 * within the last second keeps none until a scan finds it settled.
 */
static void test_scan_listings(void **state)
{
	struct musicdb *e = *state;
	struct scan_stats s;
	struct timespec t[2] = { { 0, UTIME_OMIT }, { 12345, 0 } };
	char p[160], q[200];
	struct timespec changed = now_coarse();
	int64_t kept;
	int fresh;

	musicdb_make_tree(e);
	/* changed a moment ago: listed, and no listing kept */
	assert_int_equal(musicdb_scan(e, "", &s, 0), 0);
	assert_int_equal(s.files_new, 12);
	kept = musicdb_int(e->db, "SELECT count(*) FROM dir_listings");
	if (still_fresh(changed))
		assert_int_equal(kept, 0);
	settle();
	assert_int_equal(musicdb_scan(e, "", &s, 0), 0);
	assert_int_equal(s.dirs_from_store, kept);
	assert_int_equal(musicdb_int(e->db, "SELECT count(*) FROM"
					    " dir_listings"),
			 4);
	assert_int_equal(musicdb_scan(e, "", &s, 0), 0);
	assert_int_equal(s.dirs_from_store, 4);
	assert_int_equal(s.files_unchanged, 12);
	assert_int_equal(s.files_seen, 12);

	/* a new file, a renamed one: those folders are listed again */
	changed = now_coarse();
	snprintf(p, sizeof(p), "%s/dir0/new.txt", e->root);
	musicdb_write(p, "y");
	snprintf(p, sizeof(p), "%s/dir1/file0.txt", e->root);
	snprintf(q, sizeof(q), "%s/dir1/moved.txt", e->root);
	assert_int_equal(rename(p, q), 0);
	/* the same names, one file with a new mtime: from the store, but
	 * its digest differs, so the folder is listed and compared */
	snprintf(p, sizeof(p), "%s/dir2/file3.txt", e->root);
	assert_int_equal(utimensat(AT_FDCWD, p, t, 0), 0);
	assert_int_equal(musicdb_scan(e, "", &s, 0), 0);
	assert_int_equal(s.dirs_from_store, 1);
	assert_int_equal(s.files_new, 1);
	assert_int_equal(s.files_renamed, 1);
	assert_int_equal(s.files_changed, 1);
	assert_int_equal(s.files_unchanged, 10);
	if (still_fresh(changed)) {
		assert_int_equal(listings_of(e, "dir0"), 0);
		assert_int_equal(listings_of(e, "dir1"), 0);
	}
	assert_int_equal(listings_of(e, "dir2"), 1);
	assert_int_equal(musicdb_int(e->db, "SELECT count(*) FROM file_paths"
				     " WHERE CAST(path AS TEXT) IN"
				     " ('dir0/new.txt', 'dir1/moved.txt')"), 2);

	/* a listing the scan cannot read is not taken */
	settle();
	writer_call(musicdb_exec, "UPDATE dir_listings SET names = x'0800'");
	assert_int_equal(musicdb_scan(e, "", &s, 0), 0);
	assert_int_equal(s.dirs_from_store, 0);
	assert_int_equal(s.files_unchanged, 13);
	assert_int_equal(s.files_new + s.files_changed + s.files_deleted, 0);
	assert_int_equal(musicdb_int(e->db, "SELECT count(*) FROM"
					    " dir_listings"),
			 4);
	assert_int_equal(musicdb_scan(e, "", &s, 0), 0);
	assert_int_equal(s.dirs_from_store, 4);

	/* a folder gone takes its listing with it; the root's, kept under
	 * a change time it no longer has, waits to be replaced */
	snprintf(p, sizeof(p), "%s/dir0", e->root);
	snprintf(q, sizeof(q), "rm -r '%s'", p);
	assert_int_equal(system(q), 0);
	assert_int_equal(musicdb_scan(e, "", &s, 0), 0);
	fresh = !root_listing_current(e);
	assert_int_equal(s.files_deleted, 5);
	assert_int_equal(s.dirs_from_store, 2);
	assert_int_equal(listings_of(e, "dir0"), 0);
	assert_int_equal(musicdb_int(e->db, "SELECT count(*) FROM"
					    " dir_listings"),
			 3);
	settle();
	assert_int_equal(musicdb_scan(e, "", &s, 0), 0);
	assert_int_equal(s.dirs_from_store, fresh ? 2 : 3);
	assert_int_equal(musicdb_scan(e, "", &s, 0), 0);
	assert_int_equal(s.dirs_from_store, 3);
	assert_int_equal(s.files_unchanged, 8);
	assert_true(root_listing_current(e));
}

/* A walk goes depth first, each folder's subfolders in the order of the
 * paths below them ("a b/y" before "a/x", ' ' coming before '/'), so
 * that a first scan on one thread adds its folders in about the order
 * of the store's path index. */
static void test_scan_walk_order(void **state)
{
	static const char *const dirs[] = {
		"b", "a", "a/x", "a/x/z", "a-", "a b", "a b/y",
	};
	struct musicdb *e = *state;
	struct scan_stats s;
	char p[160], *order;

	for (size_t i = 0; i < sizeof(dirs) / sizeof(*dirs); i++) {
		snprintf(p, sizeof(p), "%s/%s", e->root, dirs[i]);
		assert_int_equal(mkdir(p, 0755), 0);
	}
	musicdb_scan_threads = 1;
	assert_int_equal(musicdb_scan(e, "", &s, 0), 0);
	musicdb_scan_threads = 2;
	order = musicdb_text(e->db, "SELECT group_concat(CAST(path AS TEXT),"
			     " '|') FROM (SELECT path FROM directories"
			     " ORDER BY id)");
	assert_string_equal(order, "|a b|a b/y|a-|a|a/x|a/x/z|b");
	free(order);
}

/* A root of more folders than one thread reads alone at a scan's start
 * is read in two halves, on two threads: every folder is found again, a
 * change in either half is seen, and a folder gone from either is
 * deleted (and told of, in path order). */
static void test_scan_many_folders(void **state)
{
	struct musicdb *e = *state;
	struct scan_stats s;
	char p[160];

	for (int d = 0; d < 8200; d++) {
		snprintf(p, sizeof(p), "%s/d%05d", e->root, d);
		assert_int_equal(mkdir(p, 0755), 0);
		snprintf(p, sizeof(p), "%s/d%05d/f.txt", e->root, d);
		musicdb_write(p, "x");
	}
	assert_int_equal(musicdb_scan(e, "", &s, 0), 0);
	assert_int_equal(s.files_new, 8200);
	assert_true(musicdb_int(e->db, "SELECT max(id) FROM directories") >=
		    8192);
	assert_int_equal(musicdb_scan(e, "", &s, 0), 0);
	assert_int_equal(s.files_unchanged, 8200);
	assert_int_equal(s.files_new + s.files_changed + s.files_deleted, 0);

	snprintf(p, sizeof(p), "%s/d00010/f.txt", e->root);
	musicdb_write(p, "longer");
	snprintf(p, sizeof(p), "%s/d08190/f.txt", e->root);
	musicdb_write(p, "longer");
	snprintf(p, sizeof(p), "%s/d08180/f.txt", e->root);
	assert_int_equal(unlink(p), 0);
	snprintf(p, sizeof(p), "%s/d08180", e->root);
	assert_int_equal(rmdir(p), 0);
	snprintf(p, sizeof(p), "%s/d00020/f.txt", e->root);
	assert_int_equal(unlink(p), 0);
	snprintf(p, sizeof(p), "%s/d00020", e->root);
	assert_int_equal(rmdir(p), 0);
	musicdb_gone[0] = '\0';
	assert_int_equal(musicdb_scan(e, "", &s, 0), 0);
	assert_int_equal(s.files_changed, 2);
	assert_int_equal(s.files_deleted, 2);
	assert_int_equal(s.files_unchanged, 8196);
	assert_int_equal(s.files_new, 0);
	assert_int_equal(musicdb_int(e->db, "SELECT count(*) FROM directories"),
			 8199);
	assert_string_equal(musicdb_gone, "d00020\nd08180\n");
}

/* The indexes and triggers of files and tracks, as the store has them,
 * one a line. */
static void index_sql(struct musicdb *e, char *out, size_t size)
{
	sqlite3 *db;
	sqlite3_stmt *st;

	out[0] = '\0';
	assert_int_equal(db_open(e->db, 1, &db), 0);
	assert_int_equal(db_prepare(db, "SELECT sql FROM sqlite_schema WHERE"
				    " type IN ('index', 'trigger') AND tbl_name"
				    " IN ('files', 'tracks') AND sql IS NOT NULL"
				    " ORDER BY name", &st), 0);
	while (sqlite3_step(st) == SQLITE_ROW) {
		strncat(out, (const char *)sqlite3_column_text(st, 0),
			size - strlen(out) - 2);
		strcat(out, "\n");
	}
	sqlite3_finalize(st);
	db_close(db);
}

/* A first scan of an empty store drops the secondary indexes of files
 * and tracks and the triggers of its rows (the stars' of a new file's id
 * too) and makes them at its end as the migrations made them; a writer
 * that starts after a bulk load was cut short makes them. */
static void test_bulk_indexes(void **state)
{
	struct musicdb *e = *state;
	struct scan_stats s;
	static char before[16384], after[16384];
	sqlite3 *db;

	index_sql(e, before, sizeof(before));
	assert_non_null(strstr(before, "tracks_genre"));
	assert_non_null(strstr(before, "subsonic_files_add"));
	assert_int_equal(writer_call(music_bulk_begin, NULL), 0);
	index_sql(e, after, sizeof(after));
	assert_null(strstr(after, "tracks_genre"));
	assert_null(strstr(after, "subsonic_files_add"));
	/* the ones that forget a file's stars when it goes stay */
	assert_non_null(strstr(after, "subsonic_files_del"));
	/* the files stay unique by folder and name while it runs */
	assert_non_null(strstr(after, "files_name"));
	assert_int_equal(writer_call(music_bulk_end, NULL), 0);
	index_sql(e, after, sizeof(after));
	assert_string_equal(after, before);

	musicdb_make_tree(e);
	assert_int_equal(musicdb_scan(e, "", &s, 0), 0);
	assert_int_equal(s.files_new, 12);
	index_sql(e, after, sizeof(after));
	assert_string_equal(after, before);
	/* a store that has files keeps them */
	assert_int_equal(writer_call(music_bulk_begin, NULL), 0);
	index_sql(e, after, sizeof(after));
	assert_string_equal(after, before);

	writer_stop();
	assert_int_equal(db_open(e->db, 0, &db), 0);
	assert_int_equal(schema_drop_bulk_indexes(db), 0);
	db_close(db);
	index_sql(e, after, sizeof(after));
	assert_null(strstr(after, "tracks_genre"));
	assert_null(strstr(after, "subsonic_files_add"));
	assert_int_equal(writer_register(&music_writer_ops), 0);
	assert_int_equal(writer_start(e->db), 0);
	index_sql(e, after, sizeof(after));
	assert_string_equal(after, before);
}

/* Each running total (schema version 26) and the count it stands for. */
int main(void)
{
	const struct CMUnitTest tests[] = {
		MUSICDB_TEST(test_scan_incremental),
		MUSICDB_TEST(test_scan_subtree_and_vanished_path),
		MUSICDB_TEST(test_scan_cancelled_deletes_nothing),
		MUSICDB_TEST(test_scan_missing_root_deletes_nothing),
		MUSICDB_TEST(test_scan_skips_special_files),
		MUSICDB_TEST(test_scan_links_by_rule),
		MUSICDB_TEST(test_scan_through_folder_links),
		MUSICDB_TEST(test_scan_digests),
		MUSICDB_TEST(test_scan_old_digests),
		MUSICDB_TEST(test_scan_listings),
		MUSICDB_TEST(test_scan_walk_order),
		MUSICDB_TEST(test_scan_many_folders),
		MUSICDB_TEST(test_bulk_indexes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
