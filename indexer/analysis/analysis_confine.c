/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The analyser's confinement (analysis_confine.h): the user it
 * becomes, its capabilities dropped, NO_NEW_PRIVS and the seccomp list
 * with why each call is on it. Nothing that analyses.
 */
#include "indexer/analysis/analysis_confine.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <seccomp.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/log.h"

/* LeakSanitizer's check at exit stops the process's threads with ptrace
 * from a task it clones and reads /proc/self/task, which the filter
 * refuses; a sanitized build checks for leaks before it is confined. */
#if defined(__SANITIZE_ADDRESS__)
#define CONFINE_LSAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define CONFINE_LSAN 1
#endif
#endif
#ifdef CONFINE_LSAN
#include <sanitizer/lsan_interface.h>
#endif

/*
 * What the analyser calls once it has started, found by tracing it (strace
 * -f) over every fixture of the analysis tests, FLAC and MP3, good and
 * damaged, also its ASan build, and what glibc's abort() calls. SCMP_SYS()
 * names the call on the machine's architecture; a name the architecture
 * lacks adds nothing.
 */
static const int allowed[] = {
	/* the request and its descriptor in, the answer and the log out */
	SCMP_SYS(recvmsg), SCMP_SYS(read), SCMP_SYS(write),
	/* decoding the descriptor: libFLAC's stream (a copy of it, dup'd
	 * by fcntl), libmpg123's reads and seeks, the type check */
	SCMP_SYS(pread64), SCMP_SYS(lseek), SCMP_SYS(fcntl),
	SCMP_SYS(fstat), SCMP_SYS(close),
	/* malloc and free of the decoders' buffers (mmap and mprotect
	 * below, never executable) */
	SCMP_SYS(brk), SCMP_SYS(munmap), SCMP_SYS(mremap),
	SCMP_SYS(madvise),
	/* glibc's locks and pthread_once */
	SCMP_SYS(futex),
	/* the analysis's CPU time, which the vDSO does not give */
	SCMP_SYS(clock_gettime),
	/* ending: at the end of the input, or abort() of a library */
	SCMP_SYS(exit_group), SCMP_SYS(rt_sigreturn),
	SCMP_SYS(rt_sigprocmask), SCMP_SYS(getpid), SCMP_SYS(gettid),
	SCMP_SYS(restart_syscall),
	/* the watchdog (mediamon-analyse --watchdog), armed per request */
	SCMP_SYS(setitimer),
};

/*
 * Whatever may open a file is refused with EACCES rather than killed: a
 * library that looks for an optional file carries on without it, and an
 * open by path (there is no reason for one) fails cleanly.
 */
static const int refused[] = {
	SCMP_SYS(open), SCMP_SYS(openat), SCMP_SYS(openat2),
	SCMP_SYS(creat),
};

/* Drop every capability from the bounding set, which needs CAP_SETPCAP:
 * before the user changes. The kernel says EINVAL past its last one. */
static int drop_bounding(void)
{
	for (int cap = 0; ; cap++)
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0))
			return errno == EINVAL && cap > 0 ? 0 : -errno;
}

/* No capability in any set: the permitted, effective and inheritable
 * ones, then the ambient, which a daemon run as a user of its own with
 * ambient capabilities (the unit's) hands down through exec. Dropping
 * needs no capability. */
static int drop_caps(void)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct none[_LINUX_CAPABILITY_U32S_3] = { 0 };

	if (syscall(SYS_capset, &hdr, none) ||
	    prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0))
		return log_error(-errno, "analyser: cannot drop its "
				 "capabilities: %s", strerror(errno));
	return 0;
}

/* Become uid and gid with nothing of root or of the daemon's user left:
 * no supplementary group, no capability in any set, the bounding one
 * included (a daemon run as root or holding CAP_SETUID, CAP_SETGID and
 * CAP_SETPCAP). */
static int become(uid_t uid, gid_t gid)
{
	uid_t r, e, s;

	if (!uid)
		return log_error(-EINVAL, "analyser: will not run as root");
	if (setgroups(0, NULL) || drop_bounding() ||
	    setresgid(gid, gid, gid) || setresuid(uid, uid, uid))
		return log_error(-errno, "analyser: cannot become uid %u gid "
				 "%u: %s", (unsigned)uid, (unsigned)gid,
				 strerror(errno));
	if (drop_caps())
		return -EPERM;
	if (getresuid(&r, &e, &s) || r != uid || e != uid || s != uid ||
	    !setuid(0))
		return log_error(-EPERM, "analyser: still root after "
				 "dropping to uid %u", (unsigned)uid);
	return 0;
}

/* The rules over ctx: the lists above; memory that is never executable;
 * fstat() as glibc makes it, newfstatat() of a descriptor, never of a
 * path; signals to this process alone (abort()). */
static int add_rules(scmp_filter_ctx ctx)
{
	int rc = 0;

	for (size_t i = 0; !rc && i < sizeof(allowed) / sizeof(*allowed); i++)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, allowed[i], 0);
	for (size_t i = 0; !rc && i < sizeof(refused) / sizeof(*refused); i++)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EACCES), refused[i],
				      0);
	if (!rc)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(mmap), 1,
				      SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC,
					      0));
	if (!rc)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(mprotect),
				      1, SCMP_A2(SCMP_CMP_MASKED_EQ,
						 PROT_EXEC, 0));
	if (!rc)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(newfstatat),
				      1, SCMP_A3(SCMP_CMP_EQ, AT_EMPTY_PATH,
						 0));
	if (!rc)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(tgkill), 1,
				      SCMP_A0(SCMP_CMP_EQ, getpid(), 0));
	return rc;
}

/* The filter on every thread of the process (TSYNC); anything it does
 * not name kills the process (SIGSYS), which the daemon reports as a
 * crash of the analyser. */
static int load_filter(void)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_KILL_PROCESS);
	int rc;

	if (!ctx)
		return log_error(-ENOMEM, "analyser: seccomp: no memory");
	rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 1);
	if (!rc)
		rc = add_rules(ctx);
	if (!rc)
		rc = seccomp_load(ctx);
	seccomp_release(ctx);
	if (rc)
		return log_error(rc < 0 ? rc : -EINVAL, "analyser: seccomp "
				 "filter not loaded: %s", strerror(-rc));
	return 0;
}

int analysis_confine(int as_user, uid_t uid, gid_t gid)
{
	int rc;

#ifdef CONFINE_LSAN
	__lsan_do_leak_check();
#endif
	rc = as_user ? become(uid, gid) : drop_caps();
	if (rc)
		return rc;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		return log_error(-errno, "analyser: no NO_NEW_PRIVS: %s",
				 strerror(errno));
	return load_filter();
}
