/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "join.h"

#include <errno.h>
#include <time.h>

int join_within(pthread_t t, int seconds, void **ret)
{
	struct timespec deadline;

	if (clock_gettime(CLOCK_REALTIME, &deadline))
		return -errno;
	deadline.tv_sec += seconds;
	return -pthread_timedjoin_np(t, ret, &deadline);
}
