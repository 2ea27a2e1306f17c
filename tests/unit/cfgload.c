/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * What the configuration's tests share (test_config*.c): a folder of
 * their own holding the roots a configuration names, texts loaded from a
 * fresh file in it, the errors they must give, and the environment and
 * files a test sets. It owns no test.
 */
#include <errno.h>
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/bytes.h"
#include "common/config.h"
#include "cfgload.h"

char cfgload_dir[] = CFGLOAD_DIR_TEMPLATE;
char cfgload_path[sizeof(cfgload_dir) + 32];
char cfgload_err[1024];

/* Texts name real directories, which exist only under the test's own:
 * "@" at the end of a word or before "/" stands for it. */
char *cfgload_expand(const char *s)
{
	char *out = malloc(strlen(s) * sizeof(cfgload_dir) + 1), *w = out;

	assert_non_null(out);
	for (; *s; s++) {
		/* user:password@host keeps its "@" */
		if (*s == '@' && strchr("/\n' ", s[1]))
			w = stpcpy(w, cfgload_dir);
		else
			*w++ = *s;
	}
	*w = '\0';
	return out;
}

/* Every load gets a fresh file, as inih reads by name. */
int cfgload(struct config *cfg, const char *text)
{
	char *body = cfgload_expand(text);
	int fd, ret;

	snprintf(cfgload_path, sizeof(cfgload_path), "%s/conf.XXXXXX",
		 cfgload_dir);
	fd = mkstemp(cfgload_path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, body, strlen(body)), strlen(body));
	close(fd);
	free(body);
	config_init(cfg);
	cfgload_err[0] = '\0';
	ret = config_load_file(cfg, cfgload_path, CFGLOAD_ERR);
	if (ret)
		assert_true(cfgload_err[0]);
	return ret;
}

/* Comparing whole messages checks the file name and line number too. */
void cfgload_check(const struct cfgload_bad *bad, size_t nr)
{
	struct config cfg;
	char *want, *msg;
	size_t i;

	for (i = 0; i < nr; i++) {
		assert_int_equal(cfgload(&cfg, bad[i].text), -EINVAL);
		msg = cfgload_expand(bad[i].msg);
		assert_true(asprintf(&want, "%s:%d: %s", cfgload_path,
				     bad[i].line, msg) > 0);
		assert_string_equal(cfgload_err, want);
		free(want);
		free(msg);
		config_release(&cfg);
	}
}

/* Reload the last file written by cfgload() after giving it mode. */
int cfgload_reload(struct config *cfg, mode_t mode)
{
	assert_int_equal(chmod(cfgload_path, mode), 0);
	config_release(cfg);
	config_init(cfg);
	cfgload_err[0] = '\0';
	return config_load_file(cfg, cfgload_path, CFGLOAD_ERR);
}

/* The environment is the test's input here; put back what was there. */
void cfgload_setenv(const char *name, const char *value)
{
	if (value)
		assert_int_equal(setenv(name, value, 1), 0);
	else
		assert_int_equal(unsetenv(name), 0);
}

/* A file under the test's directory, holding text, with mode. */
char *cfgload_put(const char *name, const char *text, mode_t mode)
{
	char *path;
	FILE *f;

	assert_true(asprintf(&path, "%s/%s", cfgload_dir, name) > 0);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	assert_int_equal(chmod(path, mode), 0);
	return path;
}

/* Roots must be real directories, so every test shares one tree. */
int cfgload_setup(void **state)
{
	static const char *const dirs[] = {
		"music", "music/sub", "manga", "lib", "locked", "xdg",
		"xdg/mediamon",
	};
	char path[sizeof(cfgload_dir) + 64];
	size_t i;
	FILE *f;

	(void)state;
	if (!mkdtemp(cfgload_dir))
		return -1;
	for (i = 0; i < ARRAY_SIZE(dirs); i++) {
		snprintf(path, sizeof(path), "%s/%s", cfgload_dir, dirs[i]);
		if (mkdir(path, 0700) < 0)
			return -1;
	}
	snprintf(path, sizeof(path), "%s/locked", cfgload_dir);
	chmod(path, 0);
	snprintf(path, sizeof(path), "%s/xdg/mediamon/mediamon.conf",
		 cfgload_dir);
	f = fopen(path, "w");
	if (!f)
		return -1;
	fclose(f);
	snprintf(path, sizeof(path), "%s/afile", cfgload_dir);
	f = fopen(path, "w");
	if (!f)
		return -1;
	return fclose(f);
}

/* nftw visits children first, so plain remove() empties the tree. */
static int remove_entry(const char *path, const struct stat *st, int flag,
			struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/* Leave nothing behind in /tmp, even when a test fails. */
int cfgload_teardown(void **state)
{
	(void)state;
	return nftw(cfgload_dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

