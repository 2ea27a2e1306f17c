# SPDX-License-Identifier: GPL-3.0-or-later
"""An unavailable root is not an empty library (issue 45): a bind mount
of an empty folder over a root, or a root renamed away, keeps every row
(tracks, analysis, a manga series' settings), health and a notification
say so, and when the root comes back it is scanned and watched again by
itself. A root empty from the start, or a file deleted for real, are
indexed as they are."""

import errno
import os
import pathlib
import shutil
import sqlite3
import subprocess

import pytest

from conftest import is_mounted, make_flac, start, unmount, wait_for
from test_analysis import wait_analysed
from test_manga import make_library, read_series, write_series
from test_notify import Targets
from test_opds_scan import Trace


def counts(m):
    """The rows a lost root would lose: files, tracks, analyses,
    series, volumes and the series' own settings."""
    db = sqlite3.connect("file:%s?mode=ro" % m.db, uri=True)
    try:
        return {t: db.execute("SELECT count(*) FROM %s" % t).fetchone()[0]
                for t in ("files", "tracks", "analysis", "series",
                          "volumes")}
    finally:
        db.close()


def health(m):
    return m.read("status/health").decode()


def shown_files(m):
    """Every file the library views show."""
    got = set()
    for top, _, names in os.walk(m.file("library")):
        got.update(os.path.relpath(os.path.join(top, n), m.path)
                   for n in names)
    return got


def conf(tmp_path, targets, section, debounce="100ms"):
    path = tmp_path / "guard.conf"
    path.write_text("[general]\nwatch_debounce = %s\n%s%s"
                    % (debounce, section, targets.conf()))
    path.chmod(0o600)
    return str(path)


def bind(empty, root):
    subprocess.run(["mount", "--bind", str(empty), str(root)], check=True)


def unbind(root):
    """Take back what was mounted over root. The daemon may hold a file
    of it open for a moment (the analysis reads what a scan found there,
    slowly under a sanitizer): try again until a deadline."""
    wait_for(lambda: subprocess.run(["umount", str(root)],
                                    capture_output=True).returncode == 0,
             60, "the unmount of %s" % root, interval=0.2)


def wait_back(m, root):
    """Wait until health no longer names root unavailable and the scan
    its return started has finished."""
    wait_for(lambda: health(m), 30, "health without %s" % root,
             until=lambda h: "is unavailable" not in h, mount=m)
    return m.wait_quiet()


def told(t, root):
    return wait_for(lambda: [s for e, s in t.events("hook")
                             if e == "root_unavailable"], 30,
                    "a root_unavailable notification", until=bool)


def subject(path):
    """A notification's subject naming path: cut at 200 bytes
    (NOTIFY_SUBJECT_MAX; mediamon.conf(5), [notify] webhook), as where
    the clone sits deep."""
    return path.encode()[:200].decode()


def watched_again(m, root, before):
    """A file added after the return is indexed with no rescan asked:
    the watches are back."""
    make_flac(str(root / "Gamma" / "Fourth" / "01.flac"), "Fourth 1",
              "Gamma", "Fourth", 1, 900)
    wait_for(lambda: counts(m)["tracks"], 30, "the new track indexed",
             until=lambda n: n == before["tracks"] + 1, mount=m)


def guard(fake, library, tmp_path, debounce="100ms"):
    t = Targets(fake)
    m = start(tmp_path, "config=" + conf(tmp_path, t, "[music]\nroot = %s\n"
                                         % library, debounce))
    try:
        wait_analysed(m)
        m.wait_quiet()
        yield m, t
    finally:
        if os.path.ismount(str(library)):
            unbind(library)
        unmount(m.path, m.proc)
    assert not is_mounted(m.path)


@pytest.fixture
def guarded(fake, library, tmp_path):
    yield from guard(fake, library, tmp_path)


@pytest.fixture
def guarded_still(fake, library, tmp_path):
    """A guarded root whose watcher waits a minute: a root emptied by
    rmtree is seen by the rescan at once, not an album at a time as the
    watcher would (under load rmtree outlasts a short window, and an
    album deleted while others remain is gone for good, as it should)."""
    yield from guard(fake, library, tmp_path, "60s")


def test_bind_mount_of_an_empty_folder(guarded, library, tmp_path):
    m, t = guarded
    before, files = counts(m), shown_files(m)
    assert before["tracks"] == 9 and before["analysis"] > 0
    empty = tmp_path / "empty"
    empty.mkdir()
    bind(empty, library)
    try:
        m.rescan()
        h = health(m)
        assert ("warn: music root %s is unavailable (empty): its 9 tracks"
                " are kept\n" % library) in h
        assert counts(m) == before
        assert shown_files(m) == files
        some = sorted(f for f in files if f.endswith(".flac"))[0]
        with pytest.raises(OSError) as e:
            m.read(some)
        assert e.value.errno in (errno.ENOENT, errno.EIO)
        assert told(t, library) == [subject(str(library))]
    finally:
        unbind(library)
    wait_back(m, library)
    assert counts(m) == before
    assert shown_files(m) == files
    watched_again(m, library, before)


def test_another_file_system_over_the_root(guarded, library):
    """A mount of another file system whose top entries are none the
    store knows is not the library: its rows stay until it goes."""
    m, t = guarded
    before = counts(m)
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "other",
                    str(library)], check=True)
    try:
        (library / "lost+found").mkdir()
        m.rescan()
        assert ("warn: music root %s is unavailable (not the same file"
                " system): its 9 tracks are kept\n" % library) in health(m)
        assert counts(m) == before
    finally:
        unbind(library)
    wait_back(m, library)
    assert counts(m) == before


def test_library_moved_to_another_disk(guarded, library, tmp_path):
    """Another file system that holds the library's top folders is the
    library moved whole: it is scanned, and its device recorded."""
    m, t = guarded
    before = counts(m)
    copy = tmp_path / "copy"
    shutil.copytree(str(library), str(copy))
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "moved",
                    str(library)], check=True)
    try:
        for name in os.listdir(str(copy)):
            shutil.copytree(str(copy / name), str(library / name))
        m.rescan()
        assert "unavailable" not in health(m)
        assert counts(m)["tracks"] == before["tracks"]
        db = sqlite3.connect("file:%s?mode=ro" % m.db, uri=True)
        try:
            dev = db.execute("SELECT dev FROM roots").fetchone()[0]
        finally:
            db.close()
        assert dev == os.stat(str(library)).st_dev
    finally:
        unbind(library)
    m.rescan()
    assert "unavailable" not in health(m)
    assert counts(m)["tracks"] == before["tracks"]


def test_root_renamed_away_and_back(guarded, library, tmp_path):
    m, t = guarded
    before = counts(m)
    away = tmp_path / "away"
    os.rename(str(library), str(away))
    try:
        m.rescan()
        h = health(m)
        assert ("warn: music root %s is unavailable (gone): its 9 tracks"
                " are kept\n" % library) in h
        # and, as before, the error that turns health to error
        assert ("error: music root %s is not readable" % library) in h
        assert counts(m) == before
        assert told(t, library) == [subject(str(library))]
    finally:
        os.rename(str(away), str(library))
    wait_back(m, library)
    assert counts(m) == before
    watched_again(m, library, before)


def test_manga_root_emptied_keeps_settings(fake, tmp_path):
    t = Targets(fake)
    root = tmp_path / "manga"
    make_library(str(root))
    m = start(tmp_path, "config=" + conf(tmp_path, t, "[manga]\nroot = %s\n"
                                         % root))
    m.root = str(root)
    empty = tmp_path / "empty"
    empty.mkdir()
    try:
        write_series(m, "Berserk", "monitored", "0\n")
        write_series(m, "Berserk", "latest", "8\n")
        before = counts(m)
        volumes = read_series(m, "Berserk", "volumes")
        bind(empty, root)
        try:
            m.rescan()
            assert ("warn: manga root %s is unavailable (empty): its %d"
                    " volumes are kept\n" % (root, before["volumes"])) \
                in health(m)
            assert counts(m) == before
            assert read_series(m, "Berserk", "monitored") == "0\n"
        finally:
            unbind(root)
        wait_back(m, root)
        assert counts(m) == before
        assert read_series(m, "Berserk", "monitored") == "0\n"
        assert read_series(m, "Berserk", "latest") == "8\n"
        assert read_series(m, "Berserk", "volumes") == volumes
    finally:
        if os.path.ismount(str(root)):
            unbind(root)
        unmount(m.path, m.proc)
    assert not is_mounted(m.path)


def test_root_emptied_for_good_is_confirmed(guarded_still, library):
    """A root emptied on purpose stays unavailable until the user
    confirms; then it is scanned as it is."""
    m, t = guarded_still
    for name in os.listdir(str(library)):
        shutil.rmtree(str(library / name))
    m.rescan()
    assert "music root %s is unavailable (empty)" % library in health(m)
    assert counts(m)["tracks"] == 9
    m.rescan("confirm-removal")
    assert counts(m)["tracks"] == 0
    wait_for(lambda: health(m), 30, "health without %s" % library,
             until=lambda h: "unavailable" not in h, mount=m)


def test_root_empty_from_the_start(fake, tmp_path):
    t = Targets(fake)
    root = tmp_path / "music"
    root.mkdir()
    m = start(tmp_path, "config=" + conf(tmp_path, t, "[music]\nroot = %s\n"
                                         % root))
    try:
        m.rescan()
        assert counts(m)["tracks"] == 0
        assert health(m) == "ok\n"
        # gone, it is not unavailable (nothing is kept), but health tells
        # it from the look of the next scan until a look finds it again
        root.rmdir()
        m.rescan()
        h = health(m)
        assert ("error: music root %s is not readable: No such file or"
                " directory\n" % root) in h
        assert "unavailable" not in h
        root.mkdir()
        m.rescan()
        assert health(m) == "ok\n"
        assert not [e for e, _ in t.events("hook")
                    if e == "root_unavailable"]
    finally:
        unmount(m.path, m.proc)


def thread_ids(pid, name):
    """The ids of the daemon's threads called name."""
    ids = set()
    for t in pathlib.Path("/proc/%d/task" % pid).iterdir():
        try:
            if (t / "comm").read_text().strip() == name:
                ids.add(t.name.encode())
        except FileNotFoundError:
            pass  # a thread that ended since the folder was read
    return ids


def health_traced(m, log):
    """status/health, with the calls that look at a file that the
    daemon made meanwhile, but for the service thread's: its own timed
    look at the roots, for the health notifications the targets want
    (fs/daemon.c, check_health()), may fall in the same moment; the
    read is answered by the mount's threads."""
    service = thread_ids(m.proc.pid, "mm-service")
    assert service, "no mm-service thread"
    trace = Trace(m.proc.pid, log, "access,faccessat,faccessat2,stat,lstat,"
                  "newfstatat,statx,open,openat,openat2")
    try:
        trace.wait_attached()
        h = health(m)
    finally:
        seen = trace.stop()
    return h, b"".join(line for line in seen.splitlines(True)
                       if line.split(b" ", 1)[0] not in service)


def test_health_looks_at_no_root(guarded, library, tmp_path):
    """Reading status/health touches no root (a hung one would hold the
    reader): it tells what the guard's last look saw, and a look at a
    root gone (a rescan's) turns it to error."""
    m, _ = guarded
    h, seen = health_traced(m, str(tmp_path / "strace.log"))
    assert h == "ok\n"
    assert str(library).encode() not in seen
    away = tmp_path / "away"
    os.rename(str(library), str(away))
    try:
        m.rescan()
        h, seen = health_traced(m, str(tmp_path / "strace2.log"))
        assert ("error: music root %s is not readable: No such file or"
                " directory\n" % library) in h
        assert str(library).encode() not in seen
    finally:
        os.rename(str(away), str(library))
    wait_back(m, library)


def test_file_deleted_for_real_is_removed(guarded, library):
    m, t = guarded
    before = counts(m)
    os.unlink(str(library / "Alpha" / "First" / "01.flac"))
    m.rescan()
    after = counts(m)
    assert after["tracks"] == before["tracks"] - 1
    assert "unavailable" not in health(m)
    # the whole root emptied file by file is still a root that lists
    # something (its folders): its rows go with its files
    for top, _, names in os.walk(str(library)):
        for n in names:
            os.unlink(os.path.join(top, n))
    m.rescan()
    assert counts(m)["tracks"] == 0
    assert "unavailable" not in health(m)


@pytest.fixture
def big(tmp_path):
    """A root of 240 files: 140 in A, 100 in B (not audio: only their
    rows count here), and a daemon that waits a minute before a change
    it saw is scanned."""
    root = tmp_path / "big"
    for folder, n in (("A", 140), ("B", 100)):
        (root / folder).mkdir(parents=True)
        for i in range(n):
            (root / folder / ("%03d.txt" % i)).write_text("%s %d\n"
                                                          % (folder, i))
    path = tmp_path / "big.conf"
    path.write_text("[general]\nwatch_debounce = 60s\n[music]\nroot = %s\n"
                    % root)
    m = start(tmp_path, "config=" + str(path))
    try:
        yield m, root
    finally:
        unmount(m.path, m.proc)
    assert not is_mounted(m.path)


def held_line(root, n):
    return ("warn: music root %s: %d files gone at once are kept until"
            " their removal is confirmed (echo confirm-removal >"
            " control/rescan)\n" % (root, n))


def test_half_of_a_root_gone_waits_for_confirmation(big):
    m, root = big
    assert counts(m)["files"] == 240
    subprocess.run(["rm", "-r", str(root / "A")], check=True)
    m.rescan()
    assert counts(m)["files"] == 240
    assert held_line(root, 140) in health(m)
    # a rescan holds them again; the confirmation removes them
    m.rescan()
    assert counts(m)["files"] == 240
    m.rescan("confirm-removal")
    assert counts(m)["files"] == 100
    assert "gone at once" not in health(m)


@pytest.mark.parametrize("gone", [
    99,                 # fewer than 100
    110,                # not more than half of 240
])
def test_fewer_files_gone_are_removed(big, gone):
    m, root = big
    for name in sorted(os.listdir(str(root / "A")))[:gone]:
        os.unlink(str(root / "A" / name))
    m.rescan()
    assert counts(m)["files"] == 240 - gone
    assert "gone at once" not in health(m)
