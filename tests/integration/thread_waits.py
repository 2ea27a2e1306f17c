# SPDX-License-Identifier: GPL-3.0-or-later
"""What each thread of a daemon waits in, read from
/proc/PID/task/TID/syscall (and, for a futex's deadline, /proc/PID/mem):
an event only, or a deadline and how far off. A test waits on it to see
a thread has found nothing to do, the observable moment after which work
it wrongly took would show; it reads the daemon and changes nothing."""

import os
import platform
import struct
import time

from conftest import WRAPPER, wait_for

# x86_64 system call numbers (arch/x86/entry/syscalls/syscall_64.tbl)
# and where each keeps its timeout: ("ms", i) a millisecond count in
# argument i (-1: none), ("rel", i) or ("abs", i) a struct timespec at the
# address in argument i (0: none), "always" a sleep.
SYSCALLS = {
    7: ("poll", ("ms", 2)),
    23: ("select", ("rel", 4)),
    35: ("nanosleep", "always"),
    202: ("futex", None),
    230: ("clock_nanosleep", "always"),
    232: ("epoll_wait", ("ms", 3)),
    270: ("pselect6", ("rel", 4)),
    271: ("ppoll", ("rel", 2)),
    281: ("epoll_pwait", ("ms", 3)),
}
FUTEX_WAIT, FUTEX_WAIT_BITSET = 0, 9
FUTEX_CMD_MASK, FUTEX_CLOCK_REALTIME = 0x7f, 256

# Whether a thread's wait can be read so: the numbers are x86_64's, and
# a daemon run behind a wrapper (valgrind) makes system calls of its own.
OBSERVABLE = platform.machine() == "x86_64" and not WRAPPER


def threads(pid):
    """{tid: name} of every thread of pid."""
    names = {}
    for tid in os.listdir("/proc/%d/task" % pid):
        try:
            with open("/proc/%d/task/%s/comm" % (pid, tid)) as f:
                names[int(tid)] = f.read().strip()
        except FileNotFoundError:
            pass
    return names


def timespec(pid, address):
    with open("/proc/%d/mem" % pid, "rb") as f:
        f.seek(address)
        sec, nsec = struct.unpack("qq", f.read(16))
    return sec + nsec / 1e9


def syscall(pid, tid):
    """The system call the thread is in and its arguments, (nr, [args]);
    None when it runs or is gone."""
    try:
        with open("/proc/%d/task/%d/syscall" % (pid, tid)) as f:
            fields = f.read().split()
    except FileNotFoundError:
        return None
    if not fields or not fields[0].lstrip("-").isdigit():
        return None
    return int(fields[0]), [int(a, 16) for a in fields[1:7]]


def left_in(pid, call):
    """Seconds until the wait of call (from syscall()) ends by itself: None
    when it waits for an event only, or is no wait."""
    if call is None or call[0] not in SYSCALLS:
        return None
    nr, args = call
    kind = SYSCALLS[nr][1]
    if kind == "always":
        return 0.0
    if kind is None:
        op = args[1]
        if op & FUTEX_CMD_MASK not in (FUTEX_WAIT, FUTEX_WAIT_BITSET):
            return None
        kind = ("rel" if op & FUTEX_CMD_MASK == FUTEX_WAIT else "abs", 3)
    how, i = kind
    if how == "ms":
        ms = struct.unpack("i", struct.pack("I", args[i] & 0xffffffff))[0]
        return None if ms < 0 else ms / 1000
    if not args[i]:
        return None
    at = timespec(pid, args[i])
    if how == "rel":
        return at
    clock = (time.CLOCK_REALTIME if args[1] & FUTEX_CLOCK_REALTIME
             else time.CLOCK_MONOTONIC)
    return at - time.clock_gettime(clock)


def seconds_left(pid, tid):
    """Seconds until the thread's wait ends by itself: None when it waits
    for an event only (or does not wait: it runs)."""
    return left_in(pid, syscall(pid, tid))


def waits_for_an_event(pid, tid):
    """Whether the thread waits with no deadline for an event: in poll()
    or its kin with no timeout, or on a condition variable with none (a
    futex wait by bitset, glibc's pthread_cond_wait): what a thread does
    once it has nothing to do. A lock's wait (FUTEX_WAIT), a sleep and a
    running thread are not."""
    call = syscall(pid, tid)
    if call is None or call[0] not in SYSCALLS:
        return False
    nr, args = call
    if SYSCALLS[nr][1] is None:
        return args[1] & FUTEX_CMD_MASK == FUTEX_WAIT_BITSET and \
            not args[3]
    return SYSCALLS[nr][1] != "always" and left_in(pid, call) is None


def wait_threads_waiting(mount, name, timeout=30):
    """Wait until every thread of mount's daemon called name (one at
    least) waits for an event only (waits_for_an_event()); returns their
    number. Where a thread's wait cannot be read (not OBSERVABLE), return
    None at once: the caller's later checks then only look sooner."""
    if not OBSERVABLE:
        return None
    pid = mount.proc.pid

    def busy():
        named = [t for t, n in threads(pid).items() if n == name]
        return named, [t for t in named if not waits_for_an_event(pid, t)]

    return len(wait_for(busy, timeout, "every %s thread waiting for an"
                        " event" % name, mount=mount, interval=0.02,
                        until=lambda v: v[0] and not v[1])[0])
