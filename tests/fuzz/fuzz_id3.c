/* The MP3 reader (ID3v2, ID3v1 and MPEG frame headers) over any file. */

#include <unistd.h>

#include "indexer/tags.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tags t = { 0 };
	int fd = fuzz_memfd(data, size);

	if (fd < 0)
		return 0;
	tags_read_mp3(fd, &t);
	tags_release(&t);
	close(fd);
	return 0;
}
