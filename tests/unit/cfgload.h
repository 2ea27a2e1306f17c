/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_TEST_CFGLOAD_H
#define MEDIAMON_TEST_CFGLOAD_H

/*
 * What the configuration's tests share (test_config*.c): a folder of
 * their own under /tmp, with the roots a configuration names in it
 * (music, music/sub, manga, lib, an unreadable locked, xdg/mediamon
 * with an empty mediamon.conf, a file afile), made for a group of tests
 * and removed after it:
 *
 *	return cmocka_run_group_tests(tests, cfgload_setup,
 *				      cfgload_teardown);
 *
 * Texts name that folder as "@" at the end of a word or before "/".
 */

#include <stddef.h>
#include <sys/types.h>

#include "common/config.h"

#define CFGLOAD_DIR_TEMPLATE "/tmp/test_config.XXXXXX"

/* The folder, the file the last cfgload() wrote, and its message. */
extern char cfgload_dir[sizeof(CFGLOAD_DIR_TEMPLATE)];
extern char cfgload_path[sizeof(CFGLOAD_DIR_TEMPLATE) + 32];
extern char cfgload_err[1024];

/* The message buffer and its size, as config_*() take them. */
#define CFGLOAD_ERR cfgload_err, sizeof(cfgload_err)

/* A file or a message, with '@' standing for the test's directory. */
struct cfgload_bad {
	const char *text;
	int line;
	const char *msg;
};

int cfgload_setup(void **state);
int cfgload_teardown(void **state);

/* s with each "@" that stands for the folder replaced, malloc'd. */
char *cfgload_expand(const char *s);

/* config_init() cfg and load text, expanded, from a fresh file in the
 * folder: 0 or what config_load_file() returns, the message in
 * cfgload_err. */
int cfgload(struct config *cfg, const char *text);

/* Each of bad's nr texts refused with -EINVAL and its message, naming
 * the file and the line. */
void cfgload_check(const struct cfgload_bad *bad, size_t nr);

/* Reload the file the last cfgload() wrote after giving it mode. */
int cfgload_reload(struct config *cfg, mode_t mode);

/* Set the environment variable name to value, or unset it (NULL). */
void cfgload_setenv(const char *name, const char *value);

/* A file name in the folder holding text, with mode: its path,
 * malloc'd. */
char *cfgload_put(const char *name, const char *text, mode_t mode);

#endif
