/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "tests/fuzz/fuzz.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "common/log.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);

/* Thousands of runs a second would drown libFuzzer's own lines. */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	log_set_stderr(0);
	return 0;
}

int fuzz_memfd(const uint8_t *data, size_t size)
{
	int fd = memfd_create("fuzz", 0);
	size_t done = 0;

	if (fd < 0)
		return -1;
	while (done < size) {
		ssize_t n = write(fd, data + done, size - done);

		if (n <= 0) {
			close(fd);
			return -1;
		}
		done += n;
	}
	if (lseek(fd, 0, SEEK_SET) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

int fuzz_split(const uint8_t *data, size_t size, char **head,
	       const uint8_t **rest, size_t *rest_len)
{
	const uint8_t *nul = memchr(data, '\0', size < 256 ? size : 256);

	*head = NULL;
	*rest = data;
	*rest_len = size;
	if (!nul)
		return 0;
	*head = strndup((const char *)data, nul - data);
	if (!*head)
		return -1;
	*rest = nul + 1;
	*rest_len = size - (nul + 1 - data);
	return 0;
}
