/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_TRANSCODE_CHILD_H
#define MEDIAMON_TRANSCODE_CHILD_H

/*
 * The daemon's side of mediamon-analyse --transcode (analyser/
 * transcode.h): a child that re-encodes one track for a player, started
 * on the track's descriptor (opened as the account asking), writing to
 * a pipe. It is confined as the analyser is (analysis_confine.h): as
 * [analysis] user, or a uid of its own (analysis_user.h), when the
 * daemon runs as root; NO_NEW_PRIVS and the seccomp filter always. Its
 * stderr is the daemon's (its log lines).
 *
 *	pid_t pid;
 *	int out = transcode_child_start(fd, "mp3", 128, 0, &cfg->analysis_user,
 *					&pid);
 *	...	read out (non-blocking) to its end
 *	transcode_child_end(pid);	(also to stop it early)
 */

#include <sys/types.h>

struct config_user;

/*
 * Start the child on in_fd (at any offset: it reads from the start; it
 * stays the caller's) for format (mp3, opus or aac) at kbps from
 * offset_s seconds on, as user (its name unset: a uid picked). Returns
 * the pipe's reading end (non-blocking, close-on-exec), the caller's to
 * close, and the child in *pid; or a negative errno value (logged).
 */
int transcode_child_start(int in_fd, const char *format, unsigned kbps,
			  unsigned offset_s, const struct config_user *user,
			  pid_t *pid);

/* transcode_child_start() of a child that does what (an argument of
 * mediamon-analyse: --transcode=... or --scale=SIZE:PIXELS, the cover
 * scaler of analyser/scale.h) instead. */
int transcode_child_start_as(int in_fd, const char *what,
			     const struct config_user *user, pid_t *pid);

/* End the child pid (SIGKILL, when it has not ended) and reap it. */
void transcode_child_end(pid_t pid);

#endif
