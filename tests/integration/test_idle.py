# SPDX-License-Identifier: GPL-3.0-or-later
"""An idle mount is idle (issue 49): every thread is named, and once the
first scan is over no thread sleeps on a near timer, the mark of a thread
that looks every so often instead of waiting for the event itself. Read
from each thread's /proc/PID/task/TID/syscall (and, for a futex's
deadline, /proc/PID/mem): what the thread waits in, never how often it
woke, so a slow machine cannot fail it."""

import os
import platform
import struct
import time

import pytest

from conftest import WRAPPER, wait_for

# A wait with a deadline closer than this is a periodic look; the real
# deadlines of an idle daemon (the next maintenance) are hours away.
NEAR_S = 10

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

pytestmark = pytest.mark.skipif(
    platform.machine() != "x86_64" or bool(WRAPPER),
    reason="system call numbers of x86_64, of the daemon itself")


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


def seconds_left(pid, tid):
    """Seconds until the thread's wait ends by itself: None when it waits
    for an event only (or does not wait: it runs)."""
    try:
        with open("/proc/%d/task/%d/syscall" % (pid, tid)) as f:
            fields = f.read().split()
    except FileNotFoundError:
        return None
    if not fields or not fields[0].lstrip("-").isdigit():
        return None
    nr = int(fields[0])
    args = [int(a, 16) for a in fields[1:7]]
    if nr not in SYSCALLS:
        return None
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


def test_threads_named(mount):
    """Each thread says what it is: mm- and its part; the main thread
    keeps the program's name, for ps and pidof, and so does a worker
    libfuse started that has answered no request yet (it names itself at
    its first)."""
    os.stat(os.path.join(mount.path, "status"))
    names = threads(mount.proc.pid)
    assert names[mount.proc.pid] == "mediamon"
    others = [n for t, n in names.items() if t != mount.proc.pid]
    assert all((n.startswith("mm-") or n == "mediamon") and len(n) <= 15
               for n in others), names
    for name in ("mm-writer", "mm-indexer", "mm-watch", "mm-service",
                 "mm-invalidate", "mm-analysis", "mm-maintenance",
                 "mm-fuse"):
        assert name in others, (name, names)


def test_idle_mount_waits_for_events(mount):
    """With the first scan over, every thread waits for an event or for
    a deadline far off: none looks now and then."""
    pid = mount.proc.pid
    try:
        seconds_left(pid, pid)
        timespec(pid, 0x10000)
    except PermissionError:
        pytest.skip("this user may not read the daemon's /proc files")
    except OSError:
        pass

    def near():
        waits = {}
        for tid, name in threads(pid).items():
            left = seconds_left(pid, tid)
            if left is not None and left < NEAR_S:
                waits["%s (%d)" % (name, tid)] = round(left, 3)
        return waits

    wait_for(near, 15, "moment when no thread waits on a near timer",
             until=lambda waits: not waits, mount=mount, interval=0.2)

