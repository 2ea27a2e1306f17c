/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_ANALYSIS_CONFINE_H
#define MEDIAMON_ANALYSIS_CONFINE_H

/*
 * The confinement of the analyser (mediamon-analyse), which decodes files
 * any user may have put in a library with a hundred libraries behind it:
 * once it has started, it keeps only what decoding a descriptor it was
 * given needs. Run as root (or by a daemon holding CAP_SETUID, CAP_SETGID
 * and CAP_SETPCAP), it becomes an unprivileged user (no supplementary
 * groups, no capability in any set, the bounding set included); run as
 * anyone, it drops every capability it holds (ambient ones handed down
 * included) and sets NO_NEW_PRIVS and a seccomp filter
 * (libseccomp) that allows the system calls of reading, decoding and
 * answering, refuses every open with EACCES and kills the process on any
 * other call. The list and why each is there are in analysis_confine.c.
 * libseccomp rather than a BPF program of our own: it checks the
 * architecture of each call (x32's numbers on x86_64 too), knows the
 * numbers of every architecture by name and compiles the checks of
 * arguments, which a hand-written program would each get to redo.
 *
 *	...	everything that opens files or sets itself up lazily first
 *	if (analysis_confine(as_user, uid, gid))
 *		exit(2);
 *	...	analysis_run_fd(fd, name, &r) on descriptors received
 */

#include <sys/types.h>

/*
 * Confine the calling process, all its threads: with as_user, first
 * become uid and gid (the caller must be root or hold CAP_SETUID,
 * CAP_SETGID and CAP_SETPCAP then), with no supplementary group and no
 * capability; without it, drop every capability held; then NO_NEW_PRIVS
 * and the filter. Returns 0, or a negative errno value when any step
 * failed (logged); the process must then not go on.
 */
int analysis_confine(int as_user, uid_t uid, gid_t gid);

#endif
