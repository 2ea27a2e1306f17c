/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * A .cbz's central directory read from any file (import_zipdir.c), and,
 * when it reads, the ComicInfo.xml added to a copy: the end records, the
 * zip64 ones and every directory record are what a download says.
 */

#include <unistd.h>

#include "indexer/monitor/import_private.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char xml[] = "<ComicInfo/>";
	struct import_zipdir z;
	int fd = fuzz_memfd(data, size), out;

	if (fd < 0)
		return 0;
	if (!import_zipdir_read(fd, &z) &&
	    !import_zipdir_has(&z, "ComicInfo.xml")) {
		out = fuzz_memfd(NULL, 0);
		if (out >= 0) {
			import_zipdir_append(fd, &z, out, "ComicInfo.xml",
					     xml, sizeof(xml) - 1, 0);
			close(out);
		}
	}
	import_zipdir_release(&z);
	close(fd);
	return 0;
}
