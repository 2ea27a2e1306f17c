/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_SUBSONIC_PUMP_H
#define MEDIAMON_SUBSONIC_PUMP_H
/*
 * The answers that wait on a pipe (a transcoding child's:
 * fs/subsonic/subsonic_transcode.h) without holding an HTTP thread: the
 * connection is suspended (the listener allows it) while the pipe is
 * empty, and one thread of this module (mm-pump) resumes it when the
 * pipe has bytes or ends, or when it stayed empty PUMP_STALL_S seconds
 * (then *stalled is set: the answer ends in error).
 *
 *	in the body's callback, read() said EAGAIN:
 *		if (subsonic_pump_wait(c, fd, &s->stalled))
 *			return MHD_CONTENT_READER_END_WITH_ERROR;
 *		return 0;
 */
#include <microhttpd.h>

#define PUMP_STALL_S 60

/* Suspend c until fd is readable (or hung up), or stalled: 0, or a
 * negative errno value (logged) when it cannot wait, c not suspended.
 * Only from c's body callback. */
int subsonic_pump_wait(struct MHD_Connection *c, int fd, int *stalled);

/* Resume every connection waiting, each *stalled set, so that the
 * listener can stop (it may not with a connection suspended). */
void subsonic_pump_stop(void);

#endif
