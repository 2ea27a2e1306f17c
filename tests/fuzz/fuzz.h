/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_FUZZ_H
#define MEDIAMON_FUZZ_H

/*
 * What the libFuzzer harnesses in tests/fuzz/ share: each harness is one
 * fuzz_NAME.c defining LLVMFuzzerTestOneInput(), linked with this file and
 * the library built with -fsanitize=fuzzer-no-link (make fuzz).
 *
 *	int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
 *	{
 *		int fd = fuzz_memfd(data, size);
 *
 *		if (fd < 0)
 *			return 0;
 *		...	read it as a file
 *		close(fd);
 *		return 0;
 *	}
 *
 * Log lines are kept out of the fuzzer's output (they still go through
 * the formatting and the /log ring), once, from LLVMFuzzerInitialize().
 */

#include <stddef.h>
#include <stdint.h>

/*
 * An anonymous in-memory file holding the size bytes at data, its offset
 * at 0, for readers that take a file descriptor or a path
 * (/proc/self/fd/N). Returns the descriptor, which the caller closes, or
 * -1 when it cannot be made (the input is then skipped).
 */
int fuzz_memfd(const uint8_t *data, size_t size);

/*
 * Split an input into a short NUL-terminated first part (a series name,
 * say) and the rest: when a NUL byte comes within the first 256 bytes,
 * *head is a malloc'd copy of what stands before it and *rest, *rest_len
 * what follows; otherwise *head is NULL and the rest is the whole input.
 * Returns 0, or -1 when out of memory.
 */
int fuzz_split(const uint8_t *data, size_t size, char **head,
	       const uint8_t **rest, size_t *rest_len);

#endif
