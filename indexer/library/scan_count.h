/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_SCAN_COUNT_H
#define MEDIAMON_SCAN_COUNT_H

/*
 * A scan's count of the files it will walk, for a scan whose store knows
 * none of them (a first scan, a root just added): a thread lists the
 * folders ahead of the scan, and the count grows as it goes, so that the
 * scan's progress has an estimate from its first moments. It lists
 * folders alone, opens no file and writes nothing but the count.
 */

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

struct scan_request;

struct scan_count {
	pthread_t thread;
	const struct scan_request *req;	/* the scan's requests */
	size_t nr;
	uint64_t *count;	/* the files found, added to atomically */
	uint64_t *counting;	/* 1 while the count goes on, then 0 */
	int stop;		/* set by scan_count_stop() */
	int started;
};

/*
 * Count the files below each subpath of the nr requests req (which must
 * outlive the count) into *count, as the scanner would see them (every
 * name but a folder, "." and ".."; a link is a file), with *counting 1
 * until it is done. Returns 0 or a negative errno value (then nothing
 * is counted: the scan has no estimate).
 */
int scan_count_start(struct scan_count *c, const struct scan_request *req,
		     size_t nr, uint64_t *count, uint64_t *counting);

/* Stop the count where it is (what it counted stays) and wait for it. */
void scan_count_stop(struct scan_count *c);

/* Count the files below the folder path into *count, as the thread
 * does, until *stop becomes nonzero. Returns 0 or a negative errno value
 * (a folder that cannot be read is left out). */
int scan_count_tree(const char *path, uint64_t *count, const int *stop);

#endif
