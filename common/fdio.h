/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_FDIO_H
#define MEDIAMON_FDIO_H

#include <stddef.h>
#include <sys/types.h>

/*
 * Whole reads and writes of a descriptor, through interruptions and short
 * counts, written once here rather than as a loop in each caller.
 *
 *	if ((ret = fdio_write_all(fd, buf, len)))
 *		return ret;
 */

/* Write the len bytes of buf to fd. Returns 0 or -errno. */
int fdio_write_all(int fd, const void *buf, size_t len);

/* Read len bytes of fd at off into buf. Returns 0, -EIO when the file
 * ends before them, or -errno. */
int fdio_pread_all(int fd, void *buf, size_t len, off_t off);

#endif
