# SPDX-License-Identifier: GPL-3.0-or-later
"""An idle mount is idle (issue 49): every thread is named, and once the
first scan is over no thread sleeps on a near timer, the mark of a thread
that looks every so often instead of waiting for the event itself. Read
from each thread's /proc/PID/task/TID/syscall (and, for a futex's
deadline, /proc/PID/mem): what the thread waits in, never how often it
woke, so a slow machine cannot fail it."""

import os

import pytest

from conftest import wait_for
from thread_waits import OBSERVABLE, seconds_left, threads, timespec

# A wait with a deadline closer than this is a periodic look; the real
# deadlines of an idle daemon (the next maintenance) are hours away.
NEAR_S = 10

pytestmark = pytest.mark.skipif(
    not OBSERVABLE, reason="system call numbers of x86_64, of the daemon"
    " itself")


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

