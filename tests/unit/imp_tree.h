/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_TEST_IMP_TREE_H
#define MEDIAMON_TEST_IMP_TREE_H

/*
 * The tree the import's tests share (test_import*.c): a folder of their
 * own, imp_tmp, made for a group of tests, and in it for each test the
 * download imp_dl, the series folder imp_series ("One Piece"), a folder
 * imp_outside, and the configuration imp_conf loaded into imp_cfg.
 *
 *	IMP_TEST(test_x),		(in main's list)
 *	...
 *	return cmocka_run_group_tests(tests, imp_group_setup,
 *				      imp_group_teardown);
 */

#include <stddef.h>
#include <sys/types.h>

#include "common/config.h"
#include "indexer/monitor/import.h"

#define IMP_TMP_TEMPLATE "/tmp/test_import.XXXXXX"

extern char imp_tmp[sizeof(IMP_TMP_TEMPLATE)];
extern char imp_dl[64], imp_series[64], imp_outside[64], imp_conf[64];
extern struct config imp_cfg;

int imp_group_setup(void **state);
int imp_group_teardown(void **state);

/* cmocka fixtures: the folders of one test, made and removed, and the
 * configuration with no [import] section. */
int imp_setup(void **state);
int imp_teardown(void **state);

#define IMP_TEST(f) cmocka_unit_test_setup_teardown(f, imp_setup, imp_teardown)

/* base/rel in buf of len bytes. */
void imp_path(char *buf, size_t len, const char *base, const char *rel);

/* A file of text at base/rel, the folders on the way made. */
void imp_put(const char *base, const char *rel, const char *text);

/* The text of base/rel (a static buffer), or "" when it cannot be
 * read; its inode, or 0. */
const char *imp_text(const char *base, const char *rel);
ino_t imp_inode(const char *base, const char *rel);

/* rm -rf path. */
void imp_rm(const char *path);

/* How many entries a folder holds, hidden ones too. */
int imp_count(const char *dir);

/* The configuration with an [import] section of text, loaded. */
void imp_configure(const char *text);

/* Why the entry from was left out, or NULL when it was not. */
const char *imp_why(const struct import_result *res, const char *from);

/* Give the series folder an owner and a group other than the test's own
 * when root may: those an imported file must get. Returns the group, the
 * owner in *uid. */
gid_t imp_other_group(uid_t *uid);

/* A small tmpfs at imp_dl/other (path), mounted with options, or the
 * test skipped when it cannot be; imp_teardown() unmounts it. */
void imp_mount_other(char *path, size_t len, const char *options);

/* Import source (NULL: the whole download) into the series as the nr
 * volumes vols. */
int imp_run(const char *source, const double *vols, size_t nr,
	    struct import_result *res);

#endif
