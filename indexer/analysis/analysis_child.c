/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The daemon's side of mediamon-analyse (analysis_child.h): finding
 * the program, starting it confined, passing it descriptors and reading
 * its answers. It decodes nothing itself.
 */
#include "indexer/analysis/analysis_child.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "common/clock.h"
#include "common/log.h"
#include "common/strbuf.h"

#ifndef MEDIAMON_LIBEXECDIR
#define MEDIAMON_LIBEXECDIR "/usr/local/libexec/mediamon"
#endif

#define ANALYSER "mediamon-analyse"

/* How long a child that closed its output may take to exit. */
#define EXIT_GRACE_S 2.0
/* How a child ended by SIGTERM is told: the daemon's stop (systemd
 * signals the whole unit) ends it so, which is no crash. */
#define STOPPED "analyser stopped: signal"

/* Whether dir/ANALYSER is an executable; writes its path to buf. */
static int found_in(const char *dir, char *buf, size_t size)
{
	int n = snprintf(buf, size, "%s/" ANALYSER, dir);

	return n > 0 && (size_t)n < size && !access(buf, X_OK);
}

int analysis_child_locate(char *buf, size_t size)
{
	char self[PATH_MAX], *slash;
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	if (n > 0) {
		self[n] = 0;
		slash = strrchr(self, '/');
		if (slash) {
			*slash = 0;
			if (found_in(self, buf, size))
				return 0;
		}
	}
	if (found_in(MEDIAMON_LIBEXECDIR, buf, size))
		return 0;
	return log_error(-ENOENT, "analysis: no executable " ANALYSER
			 " next to the daemon (%s) or in " MEDIAMON_LIBEXECDIR,
			 n > 0 ? self : "?");
}

/* Start exe on one end of a socket pair, its stdin and stdout, confined
 * as c says. The worker thread's signal mask is not the child's
 * business, nor the daemon's other files (the FUSE device, the store,
 * inotify). */
static int spawn_child(struct analysis_child *c, const char *exe, char *why,
		       size_t why_len)
{
	char user[48], watchdog[32];
	char *argv[] = { (char *)ANALYSER, watchdog, NULL, NULL };
	int sv[2], rc;

	snprintf(user, sizeof(user), "--user=%u:%u", (unsigned)c->uid,
		 (unsigned)c->gid);
	snprintf(watchdog, sizeof(watchdog), "--watchdog=%d",
		 ANALYSIS_CHILD_WATCHDOG_S);
	if (c->confined)
		argv[2] = c->as_user ? user : (char *)"--confined";

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv)) {
		rc = -errno;
		snprintf(why, why_len, "analyser not started: %s",
			 strerror(-rc));
		return log_error(-ECHILD, "analysis: %s", why);
	}
	rc = analysis_child_spawn(exe, argv, sv[1], sv[1], &c->pid);
	close(sv[1]);
	if (rc) {
		close(sv[0]);
		c->pid = 0;
		snprintf(why, why_len, "analyser not started: %s",
			 strerror(-rc));
		return log_error(-ECHILD, "analysis: %s: %s", exe, why);
	}
	c->fd = sv[0];
	return 0;
}

/* Reap the child, killing it when it does not exit within grace_s where
 * the daemon may (as root, or as the child's own user); else its watchdog
 * (ANALYSIS_CHILD_WATCHDOG_S) ends it. Says in why how it ended. */
static void reap(struct analysis_child *c, double grace_s, char *why,
		 size_t why_len)
{
	double until = clock_mono() + grace_s;
	int status = 0;
	pid_t got;

	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	if (!c->pid)
		return;
	while ((got = waitpid(c->pid, &status, WNOHANG)) == 0 &&
	       clock_mono() < until)
		nanosleep(&(struct timespec){ .tv_nsec = 10000000 }, NULL);
	if (got == 0) {
		kill(c->pid, SIGKILL);
		got = waitpid(c->pid, &status, 0);
	}
	c->pid = 0;
	if (!why)
		return;
	if (got < 0)
		snprintf(why, why_len, "analyser lost: %s", strerror(errno));
	else if (WIFSIGNALED(status))
		snprintf(why, why_len, "%s %d",
			 WTERMSIG(status) == SIGTERM ? STOPPED :
			 "analyser crashed: signal", WTERMSIG(status));
	else
		snprintf(why, why_len, "analyser exited: status %d",
			 WEXITSTATUS(status));
}

/* The request: the path and a NUL, so that any byte of a file name, a
 * newline too, passes; the track's descriptor, when there is one, goes
 * with its first byte. */
static int send_request(int fd, int track_fd, const char *path)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} control;
	size_t off = 0, len = strlen(path) + 1;
	struct iovec iov;
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *c;
	ssize_t n;

	if (track_fd >= 0) {
		memset(&control, 0, sizeof(control));
		msg.msg_control = control.buf;
		msg.msg_controllen = sizeof(control.buf);
		c = CMSG_FIRSTHDR(&msg);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &track_fd, sizeof(int));
	}
	while (off < len) {
		iov = (struct iovec){ (char *)path + off, len - off };
		n = sendmsg(fd, &msg, MSG_NOSIGNAL);
		if (n < 0 && errno != EINTR)
			return -errno;
		if (n > 0) {
			off += n;
			msg.msg_control = NULL;
			msg.msg_controllen = 0;
		}
	}
	return 0;
}

/* Read one answer line into sb until the deadline (monotonic). Returns
 * 0, -EPIPE at the end of the child's output, -ETIMEDOUT. */
static int read_line(int fd, struct strbuf *sb, double deadline)
{
	char buf[8192];
	ssize_t n;
	double left;

	while (!sb->len || sb->buf[sb->len - 1] != '\n') {
		left = deadline - clock_mono();
		if (left <= 0)
			return -ETIMEDOUT;
		n = poll(&(struct pollfd){ .fd = fd, .events = POLLIN }, 1,
			 (int)(left * 1000) + 1);
		if (n < 0 && errno != EINTR)
			return -EPIPE;
		if (n <= 0)
			continue;
		n = read(fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -EPIPE;
		strbuf_add(sb, buf, n);
	}
	return 0;
}

/* The fingerprint's items, which must be 32-bit. */
static int parse_fingerprint(json_t *a, struct analysis_result *r)
{
	size_t n = json_array_size(a);
	json_int_t v;

	if (!json_is_array(a) || n > INT_MAX)
		return -EBADMSG;
	r->fingerprint = malloc((n ? n : 1) * sizeof(uint32_t));
	if (!r->fingerprint)
		return -ENOMEM;
	r->fingerprint_len = (int)n;
	for (size_t i = 0; i < n; i++) {
		v = json_integer_value(json_array_get(a, i));
		if (!json_is_integer(json_array_get(a, i)) || v < 0 ||
		    v > UINT32_MAX)
			return -EBADMSG;
		r->fingerprint[i] = (uint32_t)v;
	}
	return 0;
}

/* An answer line as analyser/main.c writes it; -EBADMSG for anything
 * else, an error that is not a negative errno value too. */
static int parse(const char *line, struct analysis_result *r, double *cpu,
		 int *error)
{
	json_t *j = json_loads(line, 0, NULL), *vec, *fp, *err;
	int rc = -EBADMSG;

	if (!j)
		return rc;
	err = json_object_get(j, "error");
	if (err) {
		*error = (int)json_integer_value(err);
		if (json_is_integer(err) && *error < 0 && *error > -4096)
			rc = 0;
		json_decref(j);
		return rc;
	}
	*error = 0;
	if (json_unpack(j, "{s:F, s:F, s:F, s:F, s:F, s:F, s:o, s:o}",
			"duration_s", &r->duration_s,
			"loudness_lufs", &r->loudness_lufs,
			"peak", &r->peak, "gain_db", &r->gain_db,
			"bpm", &r->bpm, "cpu_s", cpu,
			"vector", &vec, "fingerprint", &fp) ||
	    json_array_size(vec) != ANALYSIS_VECTOR_LEN) {
		json_decref(j);
		return rc;
	}
	rc = 0;
	for (int i = 0; i < ANALYSIS_VECTOR_LEN && !rc; i++) {
		json_t *x = json_array_get(vec, i);

		if (!json_is_number(x))
			rc = -EBADMSG;
		r->vector[i] = (float)json_number_value(x);
	}
	if (!rc)
		rc = parse_fingerprint(fp, r);
	json_decref(j);
	return rc;
}

int analysis_child_spawn(const char *exe, char **argv, int in_fd, int out,
			 pid_t *pid)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t none, all;
	int rc;

	sigemptyset(&none);
	sigfillset(&all);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, in_fd, 0);
	posix_spawn_file_actions_adddup2(&fa, out, 1);
	posix_spawn_file_actions_addclosefrom_np(&fa, 3);
	posix_spawnattr_init(&attr);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setsigdefault(&attr, &all);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK |
				 POSIX_SPAWN_SETSIGDEF);
	rc = -posix_spawn(pid, exe, &fa, &attr, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	return rc;
}

int analysis_child_run(struct analysis_child *c, const char *exe,
		       int track_fd, const char *path,
		       struct analysis_result *r, double *cpu_s, char *why,
		       size_t why_len)
{
	struct strbuf line = STRBUF_INIT;
	int rc, error = 0;

	memset(r, 0, sizeof(*r));
	*cpu_s = 0;
	if (!c->pid && spawn_child(c, exe, why, why_len))
		return -ECHILD;
	rc = send_request(c->fd, track_fd, path);
	if (!rc)
		rc = read_line(c->fd, &line,
			       clock_mono() + ANALYSIS_CHILD_TIMEOUT_S);
	if (!rc)
		rc = parse(line.buf, r, cpu_s, &error);
	strbuf_release(&line);
	if (rc == -ENOMEM) {
		analysis_result_release(r);
		return log_error(rc, "analysis: %s: no memory", path);
	}
	if (rc) {
		analysis_result_release(r);
		memset(r, 0, sizeof(*r));
		reap(c, rc == -ETIMEDOUT || rc == -EBADMSG ? 0 : EXIT_GRACE_S,
		     why, why_len);
		if (rc == -ETIMEDOUT)
			snprintf(why, why_len, "analyser timed out after %d s",
				 ANALYSIS_CHILD_TIMEOUT_S);
		else if (rc == -EBADMSG)
			snprintf(why, why_len, "analyser answered garbage");
		if (!strncmp(why, STOPPED, sizeof(STOPPED) - 1)) {
			log_info("analysis: %s: %s", path, why);
			return -ECHILD;
		}
		return log_error(-ECHILD, "analysis: %s: %s", path, why);
	}
	return error;
}

void analysis_child_end(struct analysis_child *c)
{
	reap(c, EXIT_GRACE_S, NULL, 0);
}
