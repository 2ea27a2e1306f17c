/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The whole analysis of one track over any file: the content sniffing,
 * libFLAC and libmpg123 through their callbacks, and every measure the
 * decoded audio goes through (a short input ends as "too short", after
 * the decoders have seen all of it).
 */

#include <stdio.h>
#include <unistd.h>

#include "indexer/analysis/analysis.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct analysis_result r;
	char path[64];
	int fd = fuzz_memfd(data, size);

	if (fd < 0)
		return 0;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	if (analysis_run(path, &r) == 0)
		analysis_result_release(&r);
	close(fd);
	return 0;
}
