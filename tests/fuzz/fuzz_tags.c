/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The tag readers over any file: FLAC (its metadata blocks), MP3 (ID3v2
 * at either end, APEv2, ID3v1, MPEG frame headers), Ogg, MP4, WavPack,
 * Monkey's Audio, WAV and AIFF, every one on every input, since a file's
 * name says nothing about its bytes.
 */

#include <unistd.h>

#include "common/bytes.h"
#include "indexer/library/tags.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int (*const readers[])(int, struct tags *) = {
		tags_read_flac, tags_read_mp3, tags_read_ogg, tags_read_mp4,
		tags_read_wavpack, tags_read_monkeys, tags_read_wav,
		tags_read_aiff,
	};
	int fd = fuzz_memfd(data, size);

	if (fd < 0)
		return 0;
	for (size_t i = 0; i < ARRAY_SIZE(readers); i++) {
		struct tags t = { 0 };

		readers[i](fd, &t);
		tags_release(&t);
	}
	close(fd);
	return 0;
}
