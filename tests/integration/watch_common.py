# SPDX-License-Identifier: GPL-3.0-or-later
"""What the tests of the live index share (test_watch*.py and others): the
store's files and tracks against the library's, a wait until they
agree, the scans the store records, a configuration with a short
debounce, a daemon watching a library, and a small inotify queue."""

import contextlib
import csv
import io
import os
import re
import sqlite3
import stat
import urllib.parse

import pytest

from conftest import is_mounted, make_flac, make_mp3, wait_for


CONVERGE_S = 15          # generous: the machine is shared and noisy


# What reading the store or a file of the mount may raise while the daemon
# changes them: "not yet" to a wait.
NOT_YET = (OSError, ValueError, KeyError, TypeError, sqlite3.Error)


DEBOUNCE = "100ms"


HEALTH_LIMIT = re.compile(r"^warn: inotify watch limit reached, (\d+) "
                          r"directories polled every (\S+)$", re.M)


def as_bytes(value):
    return value if isinstance(value, bytes) else os.fsencode(value)


def connect_ro(mount):
    uri = "file:%s?mode=ro" % urllib.parse.quote(mount.db)
    return sqlite3.connect(uri, uri=True, timeout=10)


def root_id(db, root):
    want = {os.fsencode(str(root)), os.fsencode(os.path.realpath(str(root)))}
    rows = db.execute("SELECT id, path FROM roots").fetchall()
    for rid, path in rows:
        if as_bytes(path) in want:
            return rid
    raise AssertionError("root %s not in the roots table: %r" % (root, rows))


def db_files(mount, root):
    """{relative path (bytes): {id, size, mtime_ns, inode}} of the store."""
    db = connect_ro(mount)
    try:
        rid = root_id(db, root)
        return {as_bytes(p): {"id": i, "size": s, "mtime_ns": m, "inode": n}
                for i, p, s, m, n in db.execute(
                    "SELECT id, path, size, mtime_ns, inode FROM file_paths"
                    " WHERE root_id = ?", (rid,))}
    finally:
        db.close()


def db_tracks(mount, root):
    """{relative path (bytes): (track id, title, file id)}."""
    db = connect_ro(mount)
    try:
        rid = root_id(db, root)
        return {as_bytes(p): (t, title, f) for p, t, title, f in db.execute(
            "SELECT f.path, t.id, t.title, f.id FROM tracks t"
            " JOIN file_paths f ON f.id = t.file_id WHERE f.root_id = ?",
            (rid,))}
    finally:
        db.close()


def fs_files(root):
    """What `find ROOT -type f` shows, as relative paths (bytes)."""
    rootb = os.fsencode(str(root))
    out = set()
    for dirpath, _, names in os.walk(rootb):
        for name in names:
            p = os.path.join(dirpath, name)
            try:
                st = os.lstat(p)
            except FileNotFoundError:
                continue
            if stat.S_ISREG(st.st_mode):
                out.add(os.path.relpath(p, rootb))
    return out


def fs_dirs(root):
    """Every directory under root, root included."""
    return sum(1 for _ in os.walk(str(root)))


def alive(mount):
    assert mount.proc.poll() is None, "mediamon exited:\n" + mount.diag()
    assert is_mounted(mount.path)


def wait_converged(mount, root, timeout=CONVERGE_S):
    """Wait until the store's file paths under root are exactly the
    regular files under root; returns the store's {path: row}."""
    def look():
        want = fs_files(root)
        have = db_files(mount, root)
        missing, extra = sorted(want - set(have)), sorted(set(have) - want)
        return {"missing from the store (%d)" % len(missing): missing[:20],
                "extra in the store (%d)" % len(extra): extra[:20]}, have
    return wait_for(look, timeout, "store equal to the files under %s"
                    % root, until=lambda v: not any(v[0].values()),
                    mount=mount, ignore=(sqlite3.Error,))[1]


def scan_rows(mount):
    return list(csv.DictReader(io.StringIO(
        mount.read("metrics/scan.csv").decode())))


def scans_total(mount):
    return mount.json("metrics/scan.json")["totals"]["scans"]


def counts(mount):
    return mount.json("status/summary.json")["counts"]


def write_conf(tmp_path, root, debounce=DEBOUNCE, poll="2s", name="w.conf",
               music=""):
    conf = tmp_path / name
    conf.write_text("[music]\nroot = %s\n%s[general]\nwatch_debounce = %s\n"
                    "poll_interval = %s\n" % (root, music, debounce, poll))
    return conf


@pytest.fixture(scope="session")
def album_template(tmp_path_factory):
    """An album made outside any root: two FLAC, one MP3, one text file."""
    src = tmp_path_factory.mktemp("album") / "Gamma"
    make_flac(str(src / "Fourth" / "01.flac"), "Fourth 1", "Gamma",
              "Fourth", 1, 400)
    make_flac(str(src / "Fourth" / "02.flac"), "Fourth 2", "Gamma",
              "Fourth", 2, 450)
    make_mp3(str(src / "Fourth" / "03.mp3"), "Fourth 3", "Gamma",
             "Fourth", 3, 500)
    (src / "Fourth" / "info.txt").write_text("about the album\n")
    return src


@pytest.fixture
def outside(tmp_path):
    """A directory beside the root, on the same filesystem."""
    d = tmp_path / "outside"
    d.mkdir()
    return d


@pytest.fixture
def watched(make_mount, library, tmp_path):
    """A mount of the library with a 100 ms debounce and a 2 s poll."""
    m = make_mount("config=" + str(write_conf(tmp_path, library)))
    m.root = str(library)
    return m


@contextlib.contextmanager
def small_inotify_queue(events=64):
    """The inotify queue of a daemon that makes its instance in the block
    holds `events` events (the test is skipped when the limit cannot be
    lowered); wait in the block until it holds a watch."""
    sysctl = "/proc/sys/fs/inotify/max_queued_events"
    with open(sysctl) as f:
        old = f.read().strip()
    try:
        with open(sysctl, "w") as f:
            f.write(str(events))
    except OSError as e:
        pytest.skip("cannot lower %s: %s" % (sysctl, e))
    try:
        yield
    finally:
        with open(sysctl, "w") as f:
            f.write(old)
