# SPDX-License-Identifier: GPL-3.0-or-later
"""The analysis in its own process, mediamon-analyse: the daemon maps
none of the analysis libraries, a child killed mid-track costs that track
only, and a missing mediamon-analyse is an error, not a crash."""

import os
import shutil
import signal
import socket
import subprocess

import pytest

import conftest
from conftest import WRAPPER, start, unmount, wait_for
from syscall_filter import X86_64, unit_filter
from test_analysis import add_tracks, analysis, wait_analysed
from test_analysis import sounds  # noqa: F401 (a fixture)

LIBEXEC_ANALYSER = "/usr/local/libexec/mediamon/mediamon-analyse"


def children(pid):
    """The daemon's mediamon-analyse children (not other sessions')."""
    out = subprocess.run(["pgrep", "-P", str(pid), "-f", "mediamon-analyse"],
                         stdout=subprocess.PIPE).stdout.decode()
    return [int(p) for p in out.split()]


def fd_targets(pid):
    """{descriptor: what it is open on} of process pid."""
    out = {}
    fds = "/proc/%d/fd" % pid
    for fd in os.listdir(fds):
        try:
            out[fd] = os.readlink(os.path.join(fds, fd))
        except FileNotFoundError:
            pass            # closed since the listing
    return out


def inherited_fds(child, parent, root):
    """The descriptors of child past 0-2 open on something parent holds
    open too: what it inherited. The child opens its own (the tracks, the
    libraries the loader maps) as it runs; files under root both may
    read."""
    theirs = set(fd_targets(parent).values())
    return [t for fd, t in fd_targets(child).items()
            if fd not in ("0", "1", "2") and t in theirs and
            not t.startswith(str(root) + os.sep)]


def nice(pid):
    with open("/proc/%d/stat" % pid) as f:
        return int(f.read().rsplit(")", 1)[1].split()[16])


def maps(pid):
    with open("/proc/%d/maps" % pid) as f:
        return f.read()


@pytest.mark.skipif(bool(WRAPPER), reason="the wrapper's maps, not ours")
def test_daemon_maps_no_analysis_library(sounds, tmp_path):
    root = tmp_path / "music"
    add_tracks(sounds, root, 2, "a")
    m = start(tmp_path, "music=" + str(root))
    try:
        a = wait_analysed(m)
        assert (a["analysed"], a["failed"]) == (2, 0)
        daemon = maps(m.proc.pid)
        assert os.path.realpath(conftest.BINARY) in daemon
        for lib in ("libavcodec", "libchromaprint", "libaubio",
                    "libebur128", "libmpg123"):
            assert lib not in daemon
        # the queue is empty: the child is gone
        wait_for(lambda: children(m.proc.pid), 10, "analyser child gone",
                 until=lambda pids: not pids, mount=m)
    finally:
        unmount(m.path, m.proc)


@pytest.mark.skipif(bool(WRAPPER), reason="the wrapper's children")
def test_child_killed_mid_track(sounds, tmp_path):
    """The child runs at the worker's priority; SIGKILL to it (a process
    of its user, the OOM killer) is said, and costs the track it analysed
    one more try, in the next child, which analyses the rest too."""
    root = tmp_path / "music"
    n = 8
    add_tracks(sounds, root, n, "a")
    conf = tmp_path / "c.conf"
    conf.write_text("[music]\nroot = %s\n[analysis]\nthreads = 1\n" % root)
    m = start(tmp_path, "config=" + str(conf))
    try:
        a, pids = wait_for(lambda: (analysis(m), children(m.proc.pid)), 60,
                           "child analysing with more tracks queued",
                           until=lambda v: v[0]["busy"] and
                           v[0]["queued"] > 1 and v[1], mount=m,
                           interval=0.01)
        assert len(pids) == 1
        assert nice(pids[0]) == 19	# the worker thread's
        # it ends itself past the daemon's wait (test_watchdog_...)
        with open("/proc/%d/cmdline" % pids[0], "rb") as f:
            assert b"\0--watchdog=" in f.read()
        assert inherited_fds(pids[0], m.proc.pid, root) == []
        os.kill(pids[0], signal.SIGKILL)
        a = wait_analysed(m)
        assert (a["failed"], a["analysed"]) == (0, n), a
        assert m.proc.poll() is None
        log = open(m.proc.log_path, "rb").read()
        assert b"analyser crashed: signal 9" in log
        assert b": tried once more" in log
    finally:
        unmount(m.path, m.proc)


@pytest.mark.skipif(not X86_64 or bool(WRAPPER),
                    reason="the filter's system call numbers are x86-64's")
def test_priority_refused_by_the_filter(sounds, tmp_path):
    """Under a system call filter that refuses lowering the priority (the
    unit's, which leaves @resources out), the analysis says so once and
    runs at the daemon's priority: every track is analysed, and nothing
    is warned of."""
    root = tmp_path / "music"
    n = 6
    add_tracks(sounds, root, n, "a")
    conf = tmp_path / "c.conf"
    conf.write_text("[music]\nroot = %s\n[analysis]\nthreads = 2\n" % root)
    m = start(tmp_path, "config=" + str(conf),
              wrapper=unit_filter())
    try:
        a, pids = wait_for(lambda: (analysis(m), children(m.proc.pid)), 60,
                           "a child analysing", until=lambda v: v[1],
                           mount=m, interval=0.01)
        assert nice(pids[0]) == nice(m.proc.pid)
        a = wait_analysed(m)
        assert (a["failed"], a["analysed"]) == (0, n), a
        log = open(m.proc.log_path).read()
        for what in ("CPU", "I/O"):
            assert log.count("runs at the daemon's %s priority: the system"
                             " call filter refuses" % what) == 1, log
        assert "cannot lower" not in log and " warn" not in log, log
    finally:
        unmount(m.path, m.proc)


@pytest.mark.skipif(bool(WRAPPER), reason="stops the daemon itself")
def test_watchdog_ends_a_stuck_request(tmp_path):
    """mediamon-analyse --watchdog=1 ends itself (SIGALRM) when a request
    takes longer: here one whose file lies on a mount whose daemon is
    stopped, so its open never returns. It goes even where the daemon may
    not signal it, as the unit runs it (another user, no CAP_KILL)."""
    exe = os.path.join(os.path.dirname(conftest.BINARY), "mediamon-analyse")
    m = start(tmp_path, "music=" + str(tmp_path))
    ours, theirs = socket.socketpair()
    p = None
    try:
        os.kill(m.proc.pid, signal.SIGSTOP)
        p = subprocess.Popen([exe, "--watchdog=1"], stdin=theirs,
                             stdout=theirs, stderr=subprocess.DEVNULL)
        stuck = os.path.join(str(m.path), "status", "health")
        ours.sendall(stuck.encode() + b"\0")
        assert p.wait(timeout=60) == -signal.SIGALRM
    finally:
        if p and p.poll() is None:
            p.kill()
        os.kill(m.proc.pid, signal.SIGCONT)
        if p:
            p.wait()
        ours.close()
        theirs.close()
        unmount(m.path, m.proc)


@pytest.mark.skipif(os.path.exists(LIBEXEC_ANALYSER),
                    reason="an installed mediamon-analyse would be found")
def test_missing_analyser(sounds, tmp_path, monkeypatch):
    """A daemon with no mediamon-analyse next to it fails every track,
    says so in the log and /status/health, and carries on."""
    alone = tmp_path / "bin"
    alone.mkdir()
    shutil.copy(conftest.BINARY, str(alone / "mediamon"))
    monkeypatch.setattr(conftest, "BINARY", str(alone / "mediamon"))
    root = tmp_path / "music"
    add_tracks(sounds, root, 3, "a")
    m = start(tmp_path, "music=" + str(root))
    try:
        a = wait_analysed(m)
        assert (a["failed"], a["analysed"], a["done"]) == (3, 0, 3)
        assert a["last_error"]["message"].endswith(
            ": mediamon-analyse not found")
        health = m.read("status/health").decode()
        assert health.startswith(
            "error: analysis: mediamon-analyse not found"), health
        log = open(m.proc.log_path).read()
        assert "no executable mediamon-analyse next to the daemon (%s)" % (
            alone) in log
        assert m.proc.poll() is None
        assert m.read("status/summary.json")
    finally:
        unmount(m.path, m.proc)
