/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The INI config parser over any file, then the checks of the whole. */

#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/config.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config cfg;
	char path[64], err[512];
	int fd = fuzz_memfd(data, size);

	if (fd < 0)
		return 0;
	/* As a user's own file would be: not readable by others. */
	fchmod(fd, 0600);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	config_init(&cfg);
	if (!config_load_file(&cfg, path, err, sizeof(err)))
		config_finish(&cfg, err, sizeof(err));
	config_release(&cfg);
	close(fd);
	return 0;
}
