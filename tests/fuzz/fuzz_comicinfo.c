/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ComicInfo.xml found in any archive (or anything else). */

#include <unistd.h>

#include "indexer/manga/comicinfo.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct comicinfo ci;
	int fd = fuzz_memfd(data, size);

	if (fd < 0)
		return 0;
	comicinfo_read(fd, &ci);
	comicinfo_release(&ci);
	close(fd);
	return 0;
}
