/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_ANALYSIS_CHILD_H
#define MEDIAMON_ANALYSIS_CHILD_H

/*
 * The audio analysis in a child process, mediamon-analyse (analyser/
 * main.c), so that the daemon does not map the decoders and Chromaprint.
 * An analysis worker keeps one child while it has tracks to analyse; the
 * child is started from the worker's thread and so inherits its CPU and
 * I/O priority. The worker opens each track itself and passes the
 * descriptor (SCM_RIGHTS) to a child that is confined: an unprivileged
 * user when the daemon runs as root, NO_NEW_PRIVS and a seccomp filter
 * that lets it open nothing (analysis_confine.h).
 *
 *	struct analysis_child c = ANALYSIS_CHILD_INIT;
 *	char exe[PATH_MAX], why[ANALYSIS_CHILD_WHY_LEN];
 *
 *	c.confined = 1;
 *	c.as_user = geteuid() == 0;
 *	c.uid = uid, c.gid = gid;
 *	if (analysis_child_locate(exe, sizeof(exe)) == 0)
 *		while (next_track(&path, &fd))
 *			if (analysis_child_run(&c, exe, fd, path, &r, &cpu,
 *					       why, sizeof(why)) == 0)
 *				...	analysis_result_release(&r)
 *	analysis_child_end(&c);
 */

#include <stddef.h>
#include <sys/types.h>

#include "indexer/analysis/analysis.h"

/* How long one track may take before its child is ended, in seconds. */
#define ANALYSIS_CHILD_TIMEOUT_S	600

/* How long the child lets one request run before it ends itself
 * (mediamon-analyse --watchdog): a little past the daemon's wait, so that
 * the daemon sees the time-out first, and the child goes even where the
 * daemon may not signal it (another user, and no CAP_KILL). */
#define ANALYSIS_CHILD_WATCHDOG_S	(ANALYSIS_CHILD_TIMEOUT_S + 5)

/* Room for the text analysis_child_run() gives when the child failed. */
#define ANALYSIS_CHILD_WHY_LEN		96

struct analysis_child {
	pid_t pid;	/* 0: not running */
	int fd;		/* its stdin and stdout, a socket */
	int confined;	/* start it confined (--confined) */
	int as_user;	/* and as uid and gid (--user), from root */
	uid_t uid;
	gid_t gid;
};

#define ANALYSIS_CHILD_INIT { .pid = 0, .fd = -1 }

/*
 * Find mediamon-analyse: next to the running executable first (the build
 * tree, tests), then in MEDIAMON_LIBEXECDIR (where make install puts it).
 * Writes its path to buf (size bytes). Returns 0, or -ENOENT when neither
 * holds an executable one (logged, naming both places).
 */
int analysis_child_locate(char *buf, size_t size);

/*
 * Analyse the track open on track_fd (at its start; it stays the
 * caller's) in c's child, starting the executable exe when c has none;
 * path names it. With track_fd -1 the child opens path itself, which a
 * confined child cannot (-EACCES). Fills *r and *cpu_s (the child's CPU
 * time for the track) as analysis_run() would. Returns 0; the negative
 * errno value the analysis failed with (as analysis_run()); or, when the
 * child could not be started, died, timed out (ANALYSIS_CHILD_TIMEOUT_S)
 * or answered garbage, -ECHILD with why (why_len bytes) saying which,
 * e.g. "analyser crashed: signal 9" (logged); the child is then gone and
 * the next call starts another. On error *r holds nothing to release.
 */
/* Spawn exe with argv, in_fd its stdin and out its stdout, the signals
 * at their defaults and no other descriptor of the daemon's, its pid
 * into *pid: 0 or a negative errno value. */
int analysis_child_spawn(const char *exe, char **argv, int in_fd, int out,
			 pid_t *pid);

int analysis_child_run(struct analysis_child *c, const char *exe,
		       int track_fd, const char *path,
		       struct analysis_result *r, double *cpu_s, char *why,
		       size_t why_len);

/* End c's child, if any: close its input and reap it. */
void analysis_child_end(struct analysis_child *c);

#endif
