/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Starting and ending the transcoding child (transcode_child.h): its
 * arguments, its user, its descriptors. It reads nothing of what the
 * child writes and decodes nothing.
 */
#include "indexer/analysis/transcode_child.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/config.h"
#include "common/log.h"
#include "indexer/analysis/analysis_child.h"
#include "indexer/analysis/analysis_user.h"

/* The confinement's argument: --user=UID:GID as root (the configured
 * user, or a uid picked), else --confined. */
static int confine_arg(const struct config_user *user, char *buf,
		       size_t size)
{
	unsigned uid = user->uid, gid = user->gid;

	if (geteuid()) {
		snprintf(buf, size, "--confined");
		return 0;
	}
	if (!user->name) {
		if (analysis_user_pick(&uid))
			return log_error(-EAGAIN, "transcode: no uid of "
					 "%d-%d free for the transcoder",
					 ANALYSIS_USER_FIRST,
					 ANALYSIS_USER_LAST);
		gid = uid;
	}
	snprintf(buf, size, "--user=%u:%u", uid, gid);
	return 0;
}

int transcode_child_start(int in_fd, const char *format, unsigned kbps,
			  unsigned offset_s, const struct config_user *user,
			  pid_t *pid)
{
	char what[64];

	snprintf(what, sizeof(what), "--transcode=%s:%u:%u", format, kbps,
		 offset_s);
	return transcode_child_start_as(in_fd, what, user, pid);
}

int transcode_child_start_as(int in_fd, const char *what,
			     const struct config_user *user, pid_t *pid)
{
	char exe[PATH_MAX], confine[48];
	char *argv[] = { (char *)"mediamon-analyse", confine, (char *)what,
			 NULL };
	int pipefd[2], rc;

	rc = analysis_child_locate(exe, sizeof(exe));
	if (!rc)
		rc = confine_arg(user, confine, sizeof(confine));
	if (rc)
		return rc;
	if (lseek(in_fd, 0, SEEK_SET) < 0 || pipe2(pipefd, O_CLOEXEC))
		return log_error(-errno, "transcode: %s", strerror(errno));
	rc = analysis_child_spawn(exe, argv, in_fd, pipefd[1], pid);
	close(pipefd[1]);
	if (rc) {
		close(pipefd[0]);
		return log_error(rc, "transcode: %s not started: %s", exe,
				 strerror(-rc));
	}
	if (fcntl(pipefd[0], F_SETFL, O_NONBLOCK)) {
		rc = log_error(-errno, "transcode: %s", strerror(errno));
		close(pipefd[0]);
		transcode_child_end(*pid);
		return rc;
	}
	return pipefd[0];
}

void transcode_child_end(pid_t pid)
{
	int status;

	if (pid <= 0)
		return;
	if (waitpid(pid, &status, WNOHANG) == pid)
		return;
	kill(pid, SIGKILL);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
}
