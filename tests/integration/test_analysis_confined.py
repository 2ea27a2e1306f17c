# SPDX-License-Identifier: GPL-3.0-or-later
"""The audio analysis child confined: it runs as [analysis] user with no
capabilities, NO_NEW_PRIVS and a seccomp filter, and reads each track
from a descriptor the daemon opened by the mount's rules, so a track
swapped for a link to a root-only file is not analysed."""

import array
import json
import os
import pwd
import socket
import subprocess

import pytest

import conftest
from conftest import WRAPPER, start, unmount, wait_for
from test_analysis import (add_tracks, analysis, attr, to_flac,
                           wait_analysed, wait_paused)
from test_analysis import sounds  # noqa: F401 (a fixture)
from test_analyser import children


def analyser():
    return os.path.join(os.path.dirname(conftest.BINARY), "mediamon-analyse")


def status(pid):
    """The fields of /proc/PID/status, or None once pid is gone."""
    try:
        with open("/proc/%d/status" % pid) as f:
            return dict(line.rstrip("\n").split(":\t", 1) for line in f)
    except (FileNotFoundError, ProcessLookupError):
        return None


def child_status(m):
    """The status of the daemon's child while it analyses a track, once it
    has confined itself: its seccomp filter on, the last step (no new
    privileges comes before it, and a daemon that has them hands them
    down, so that does not tell)."""
    def look():
        for pid in children(m.proc.pid):
            s = status(pid)
            if s and s["Seccomp"] == "2":
                return s
        return None
    return wait_for(look, 60, "a confined analyser child",
                    until=lambda s: s is not None, mount=m, interval=0.01)


@pytest.mark.skipif(bool(WRAPPER), reason="the wrapper's children")
@pytest.mark.skipif(os.geteuid() != 0, reason="drops privileges as root")
def test_child_confined(sounds, tmp_path):
    """The child of a daemon run as root is [analysis] user's, without
    groups or capabilities, with NO_NEW_PRIVS and a seccomp filter."""
    root = tmp_path / "music"
    add_tracks(sounds, root, 8, "a")
    conf = tmp_path / "c.conf"
    conf.write_text("[music]\nroot = %s\n[analysis]\nuser = daemon\n" %
                    root)
    m = start(tmp_path, "config=" + str(conf))
    try:
        s = child_status(m)
        daemon = pwd.getpwnam("daemon")
        assert s["Uid"].split() == [str(daemon.pw_uid)] * 4, s["Uid"]
        assert s["Gid"].split() == [str(daemon.pw_gid)] * 4, s["Gid"]
        assert s["Groups"].strip() == ""
        for caps in ("CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb"):
            assert int(s[caps], 16) == 0, (caps, s[caps])
        assert s["NoNewPrivs"] == "1"
        assert s["Seccomp"] == "2"
        a = wait_analysed(m)
        assert (a["analysed"], a["failed"]) == (8, 0), a
    finally:
        unmount(m.path, m.proc)


def send(sock, path, fd=None):
    """One request of the daemon's protocol: the path and a NUL, with
    the descriptor fd passed along when given."""
    fds = [fd] if fd is not None else []
    sock.sendmsg([path.encode() + b"\0"],
                 [(socket.SOL_SOCKET, socket.SCM_RIGHTS,
                   array.array("i", fds))] if fds else [])
    line = b""
    while not line.endswith(b"\n"):
        more = sock.recv(65536)
        assert more, "the analyser closed its output: %r" % line
        line += more
    return json.loads(line)


@pytest.mark.parametrize("confined", [False, True])
def test_open_by_path_fails_confined(sounds, tmp_path, confined):
    """A confined analyser analyses the descriptor it is given and cannot
    open a path itself (the filter refuses the open); without
    --confined both work."""
    track = str(tmp_path / "a.flac")
    to_flac(sounds["click"], track, "t", "a", "b")
    parent, child = socket.socketpair()
    proc = subprocess.Popen([analyser()] + (["--confined"] if confined
                                            else []),
                            stdin=child, stdout=child)
    child.close()
    try:
        fd = os.open(track, os.O_RDONLY)
        try:
            by_fd = send(parent, track, fd)
        finally:
            os.close(fd)
        assert "error" not in by_fd and by_fd["fingerprint"], by_fd
        s = status(proc.pid)
        assert (s["NoNewPrivs"], s["Seccomp"]) == (
            ("1", "2") if confined else ("0", "0"))
        by_path = send(parent, track)
        if confined:
            assert by_path == {"error": -13}    # EACCES, from the filter
        else:
            assert by_path["fingerprint"] == by_fd["fingerprint"]
        # and the analyser still answers
        fd = os.open(track, os.O_RDONLY)
        try:
            assert send(parent, track, fd)["peak"] == by_fd["peak"]
        finally:
            os.close(fd)
    finally:
        parent.close()
        assert proc.wait(timeout=30) == 0


def test_swapped_for_link_to_root_only_file(sounds, tmp_path):
    """The issue's attack: a queued track is swapped for a link to a
    file only root may read, outside the roots, before it is analysed;
    that file's loudness and peak must not become the track's."""
    root = tmp_path / "music"
    secret = tmp_path / "private" / "secret.flac"
    to_flac(sounds["pink"], str(secret), "s", "s", "s")
    os.chmod(str(secret), 0o600)
    os.chmod(str(secret.parent), 0o700)
    conf = tmp_path / "c.conf"
    # the watcher's scan of the swap comes long after the analysis
    conf.write_text("[general]\nwatch_debounce = 60s\n[music]\nroot = %s\n"
                    % root)
    root.mkdir()
    m = start(tmp_path, "config=" + str(conf))
    try:
        assert m.write("control/pause", "1") == 1
        decoy = root / "up" / "decoy.flac"
        to_flac(sounds["click"], str(decoy), "Decoy", "Upload", "up")
        m.rescan()
        assert wait_paused(m)["queued"] == 1
        track = m.file("search/decoy/Decoy.flac")
        assert attr(track, "title") == "Decoy"
        os.unlink(str(decoy))
        os.symlink(str(secret), str(decoy))
        assert m.write("control/pause", "0") == 1
        a = wait_analysed(m)
        assert (a["analysed"], a["failed"]) == (0, 1), a
        assert attr(track, "loudness_lufs") is None
        assert attr(track, "peak") is None
    finally:
        unmount(m.path, m.proc)


NOBODY_KILL = """
import errno, os, sys
try:
    os.kill(int(sys.argv[1]), 0)
    print("signalled")
except OSError as e:
    print(errno.errorcode[e.errno])
"""


@pytest.mark.skipif(bool(WRAPPER), reason="the wrapper's children")
@pytest.mark.skipif(os.geteuid() != 0, reason="drops privileges as root")
def test_child_has_a_uid_of_its_own(sounds, tmp_path):
    """With no mediamon-analyse user and no [analysis] user, the child
    runs as a uid no user and no other process has, not as nobody: a
    nobody process cannot signal it (EPERM), and the analysis ends."""
    try:
        pwd.getpwnam("mediamon-analyse")
        pytest.skip("this system has a mediamon-analyse user")
    except KeyError:
        pass
    nobody = pwd.getpwnam("nobody")
    root = tmp_path / "music"
    add_tracks(sounds, root, 12, "a")
    m = start(tmp_path, "music=" + str(root))
    try:
        def probe():
            """As nobody, kill -0 a confined child of the daemon: what
            came of it, or None while none runs."""
            for pid in children(m.proc.pid):
                s = status(pid)
                if not s or s["Seccomp"] != "2":
                    continue
                uid = int(s["Uid"].split()[0])
                out = subprocess.run(
                    ["setpriv", "--reuid=%d" % nobody.pw_uid,
                     "--regid=%d" % nobody.pw_gid, "--clear-groups", "--",
                     "/usr/bin/python3", "-c", NOBODY_KILL, str(pid)],
                    capture_output=True, timeout=60)
                assert out.returncode == 0, out
                return uid, out.stdout.decode().strip()
            return None
        # a child that ended meanwhile (ESRCH) is looked for again
        uid, said = wait_for(probe, 60, "a child nobody may not signal",
                             until=lambda r: r is not None and
                             r[1] != "ESRCH", mount=m, interval=0.01)
        assert said == "EPERM", said
        assert uid != nobody.pw_uid
        assert 60578 <= uid <= 61183, uid
        with pytest.raises(KeyError):
            pwd.getpwuid(uid)
        assert "analyser runs as uid %d" % uid in m.read("log").decode()
        a = wait_analysed(m)
        assert (a["analysed"], a["failed"]) == (12, 0), a
    finally:
        unmount(m.path, m.proc)
