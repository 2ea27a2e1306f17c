"""Faults of the store, each made for real: the store is private, one
daemon holds it, and a fault is a failure: reported in metrics and
health, never taken for success, and survived."""

import os
import stat
import subprocess
import threading

from conftest import BINARY, SLOW, is_mounted, local_env


def mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


def test_store_is_private(mount, tmp_path):
    """The folder mediamon makes is 0700, the store and every file beside
    it 0600, whatever the umask it was started with (the test's own is
    0022, which would give 0755 and 0644)."""
    state = tmp_path / "state"
    assert mode(str(state)) == 0o700
    names = sorted(os.listdir(str(state)))
    assert {"mediamon.db", "mediamon.db.lock"} <= set(names), names
    for name in names:
        assert mode(str(state / name)) == 0o600, name


def test_second_instance_is_refused(mount, library, tmp_path):
    """A second daemon on the same store stops before it mounts, saying
    which process holds the store; the first goes on serving."""
    other = tmp_path / "other"
    other.mkdir()
    r = subprocess.run([BINARY, "-f", "-o", "music=" + str(library),
                        "-o", "db=" + mount.db, str(other)],
                       capture_output=True, text=True, env=local_env(),
                       timeout=30 * SLOW)
    assert r.returncode != 0
    assert ("database %s is in use by another mediamon (pid %d)"
            % (mount.db, mount.proc.pid)) in r.stderr, r.stderr
    assert not is_mounted(str(other))
    assert mount.read("status/health") == b"ok\n"


def test_fstat_gives_the_open_snapshot(mount):
    """An open generated file is one snapshot: fstat() gives its size, from
    any thread of the process that opened it, while another process sees
    the size of a rendering made now."""
    path = mount.file("log")
    fd = os.open(path, os.O_RDONLY)
    try:
        size = os.fstat(fd).st_size
        mount.rescan()      # a scan logs lines: the log grows
        other = int(subprocess.run(["stat", "-c", "%s", path],
                                   capture_output=True, text=True,
                                   check=True).stdout)
        assert other > size
        assert os.fstat(fd).st_size == size
        seen = []
        t = threading.Thread(target=lambda: seen.append(
            os.fstat(fd).st_size))
        t.start()
        t.join()
        assert seen == [size]
        data = b""
        while True:
            part = os.read(fd, 4096)
            if not part:
                break
            data += part
        assert len(data) == size
    finally:
        os.close(fd)
    # closed, the file is a fresh rendering again
    assert os.stat(path).st_size >= other
