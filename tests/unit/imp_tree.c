/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The tree the import's tests share (test_import*.c): a folder of their
 * own under /tmp with the download, the series folder and a folder
 * outside both, made afresh for each test, a configuration of the
 * import's keys, files put and read back there, and an import run into
 * the series. It owns no test.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/config.h"
#include "indexer/monitor/import.h"
#include "imp_tree.h"

char imp_tmp[] = IMP_TMP_TEMPLATE;
char imp_dl[64], imp_series[64], imp_outside[64], imp_conf[64];
struct config imp_cfg;

void imp_path(char *buf, size_t len, const char *base, const char *rel)
{
	snprintf(buf, len, "%s/%s", base, rel);
}

/* A file of text at base/rel, the folders on the way made. */
void imp_put(const char *base, const char *rel, const char *text)
{
	char path[512], *slash;
	FILE *f;

	imp_path(path, sizeof(path), base, rel);
	for (slash = strchr(path + strlen(base) + 1, '/'); slash;
	     slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		mkdir(path, 0755);
		*slash = '/';
	}
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* The text of base/rel, or "" when it cannot be read. */
const char *imp_text(const char *base, const char *rel)
{
	static char buf[256];
	char path[512];
	ssize_t n;
	int fd;

	imp_path(path, sizeof(path), base, rel);
	buf[0] = '\0';
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return buf;
	n = read(fd, buf, sizeof(buf) - 1);
	buf[n > 0 ? n : 0] = '\0';
	close(fd);
	return buf;
}

ino_t imp_inode(const char *base, const char *rel)
{
	char path[512];
	struct stat st;

	imp_path(path, sizeof(path), base, rel);
	if (lstat(path, &st))
		return 0;
	return st.st_ino;
}

void imp_rm(const char *path)
{
	char cmd[600];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", path);
	assert_int_equal(system(cmd), 0);
}

/* How many entries a folder holds, hidden ones too. */
int imp_count(const char *dir)
{
	char cmd[600];
	int n = -1;
	FILE *p;

	snprintf(cmd, sizeof(cmd), "ls -A '%s' | wc -l", dir);
	p = popen(cmd, "r");
	assert_non_null(p);
	assert_int_equal(fscanf(p, "%d", &n), 1);
	pclose(p);
	return n;
}

/* The configuration with an [import] section of text. */
void imp_configure(const char *text)
{
	char err[512];
	FILE *f = fopen(imp_conf, "w");

	assert_non_null(f);
	fprintf(f, "[manga]\nroot = %s\n%s", imp_series, text);
	fclose(f);
	config_release(&imp_cfg);
	config_init(&imp_cfg);
	assert_int_equal(config_load_file(&imp_cfg, imp_conf, err, sizeof(err)),
			 0);
	assert_int_equal(config_finish(&imp_cfg, err, sizeof(err)), 0);
}

/* Fresh folders for each test: the downloads, the series, outside. */
int imp_setup(void **state)
{
	(void)state;
	snprintf(imp_dl, sizeof(imp_dl), "%s/dl", imp_tmp);
	snprintf(imp_series, sizeof(imp_series), "%s/One Piece", imp_tmp);
	snprintf(imp_outside, sizeof(imp_outside), "%s/outside", imp_tmp);
	snprintf(imp_conf, sizeof(imp_conf), "%s/mediamon.conf", imp_tmp);
	assert_int_equal(mkdir(imp_dl, 0755), 0);
	assert_int_equal(mkdir(imp_series, 0755), 0);
	assert_int_equal(mkdir(imp_outside, 0755), 0);
	imp_configure("");
	return 0;
}

int imp_teardown(void **state)
{
	char other[128];

	(void)state;
	snprintf(other, sizeof(other), "%s/other", imp_dl);
	umount2(other, MNT_DETACH);
	config_release(&imp_cfg);
	imp_rm(imp_dl);
	imp_rm(imp_series);
	imp_rm(imp_outside);
	return 0;
}

/* Why the entry from was left out, or NULL when it was not. */
const char *imp_why(const struct import_result *res, const char *from)
{
	for (size_t i = 0; i < res->nr_left_out; i++)
		if (!strcmp(res->left_out[i].from, from))
			return res->left_out[i].why;
	return NULL;
}

/* Give the series folder an owner and a group other than the test's own
 * when root may (else it keeps the test's): those an imported file must
 * get. Returns the group, the owner in *uid. */
gid_t imp_other_group(uid_t *uid)
{
	if (geteuid()) {
		*uid = geteuid();
		return getegid();
	}
	assert_int_equal(chown(imp_series, 4243, 4242), 0);
	*uid = 4243;
	return 4242;
}

/* A small tmpfs at DL/other (path), another file system: only root may
 * mount one, so the case is skipped for another user. imp_teardown()
 * unmounts it whatever happens. */
void imp_mount_other(char *path, size_t len, const char *options)
{
	snprintf(path, len, "%s/other", imp_dl);
	assert_int_equal(mkdir(path, 0755), 0);
	if (mount("tmpfs", path, "tmpfs", 0, options)) {
		print_message("no tmpfs (%s): case skipped\n",
			      strerror(errno));
		skip();
	}
}

int imp_run(const char *source, const double *vols, size_t nr,
	    struct import_result *res)
{
	struct import_request req = {
		.source = source, .source_root = imp_dl,
		.series_dir = imp_series, .series_root = imp_tmp,
		.series = "One Piece",
		.volumes = vols, .nr_volumes = nr,
	};

	return import_run(&req, &imp_cfg, res);
}

int imp_group_setup(void **state)
{
	(void)state;
	/* searchable by the series folder's owner, as the import checks
	 * every folder from / down */
	return mkdtemp(imp_tmp) && !chmod(imp_tmp, 0755) ? 0 : -1;
}

int imp_group_teardown(void **state)
{
	(void)state;
	imp_rm(imp_tmp);
	return 0;
}
