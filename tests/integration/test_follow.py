# SPDX-License-Identifier: GPL-3.0-or-later
"""/log is an append-only stream (issue 46): an open handle keeps reading
what came after its rendering, its size grows, and the real tail -f and
tail -F show a new line."""

import errno
import os
import shutil
import subprocess

import pytest

from conftest import wait_for


def refuse(mount, marker):
    """Add one line naming marker to /log: a control write it refuses."""
    fd = os.open(mount.file("control/rescan"), os.O_WRONLY | os.O_TRUNC)
    try:
        with pytest.raises(OSError) as e:
            os.write(fd, marker.encode())
        assert e.value.errno == errno.EINVAL
    finally:
        os.close(fd)


def read_to_end(fd):
    data = b""
    while True:
        part = os.read(fd, 4096)
        if not part:
            return data
        data += part


def test_handle_reads_what_came_after(mount):
    """A handle read to its end gives the new line at the next read, its
    fstat() size and the stat() of the name grow by that line, and a read
    at an offset past the first rendering gives the same bytes."""
    fd = os.open(mount.file("log"), os.O_RDONLY)
    try:
        first = read_to_end(fd)
        assert os.fstat(fd).st_size == len(first)
        assert os.read(fd, 4096) == b""
        refuse(mount, "follow-one")
        grown = os.fstat(fd).st_size
        new = read_to_end(fd)
        assert b"follow-one" in new and new.endswith(b"\n")
        assert grown == len(first) + len(new)
        assert os.pread(fd, len(new), len(first)) == new
        assert os.pread(fd, 4096, grown) == b""
        assert os.stat(mount.file("log")).st_size >= grown
    finally:
        os.close(fd)
    # a new open starts with every line kept, the new one too
    assert b"follow-one" in mount.read("log")


@pytest.mark.skipif(not shutil.which("tail"), reason="needs tail")
@pytest.mark.parametrize("follow", ["-f", "-F"])
def test_tail_follows_the_log(mount, follow):
    """tail -f and tail -F (polling each second, as on any FUSE mount)
    print a line added after they started."""
    tail = subprocess.Popen(["tail", "-n", "0", follow, mount.file("log")],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    os.set_blocking(tail.stdout.fileno(), False)
    seen = []

    def shown():
        part = tail.stdout.read()
        if part:
            seen.append(part)
        return b"".join(seen)

    try:
        # tail has opened the file once it stat()s it in its loop; a line
        # refused before that is not in what it prints, so refuse until
        # one shows
        marks = iter(range(1000))

        def new_line():
            out = shown()
            if b"follow-tail" not in out:
                refuse(mount, "follow-tail-%d" % next(marks))
            return out

        out = wait_for(new_line, 10, "tail %s to print a new line" % follow,
                       until=lambda o: b"follow-tail" in o,
                       interval=0.5)
        assert out.endswith(b"\n")
    finally:
        tail.kill()
        tail.wait()
        tail.stdout.close()
        errors = tail.stderr.read()
        tail.stderr.close()
    assert b"truncated" not in errors and b"replaced" not in errors, errors
