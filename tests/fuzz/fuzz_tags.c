/*
 * The tag readers over any file: the FLAC one (its metadata blocks) and
 * the MP3 one (ID3v2 at either end, APEv2, ID3v1, MPEG frame headers),
 * both on every input, since a file's name says nothing about its bytes.
 */

#include <unistd.h>

#include "indexer/library/tags.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tags flac = { 0 }, mp3 = { 0 };
	int fd = fuzz_memfd(data, size);

	if (fd < 0)
		return 0;
	tags_read_flac(fd, &flac);
	tags_release(&flac);
	if (lseek(fd, 0, SEEK_SET) == 0) {
		tags_read_mp3(fd, &mp3);
		tags_release(&mp3);
	}
	close(fd);
	return 0;
}
