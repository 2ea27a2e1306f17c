# SPDX-License-Identifier: GPL-3.0-or-later
"""Faults of the store, each made for real: the store is private, one
daemon holds it, and a fault is a failure: reported in metrics and
health, never taken for success, and survived."""

import contextlib
import errno
import json
import os
import re
import shutil
import signal
import sqlite3
import stat
import subprocess
import threading
import time

import pytest

from conftest import (BINARY, SLOW, is_mounted, local_env, share, start,
                      unmount, wait_for)


def settle(cond, what):
    """Wait (conftest's wait_for) up to a minute for cond(); a read that
    fails meanwhile, as the store comes and goes, counts as "not yet"."""
    return wait_for(cond, 60, what, ignore=(OSError,))


@contextlib.contextmanager
def tmpfs(path, size):
    """A small tmpfs of its own at path for the block (root only)."""
    path.mkdir(exist_ok=True)
    r = subprocess.run(["mount", "-t", "tmpfs", "-o",
                        "size=%s,mode=0700" % size, "tmpfs", str(path)],
                       capture_output=True, text=True)
    if r.returncode:
        pytest.skip("cannot mount a tmpfs: " + r.stderr.strip())
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)])


def fill(folder, leave=0):
    """Fill the file system of folder to the last byte but leave, with
    one file; returns its path."""
    path = os.path.join(str(folder), "filler")
    with open(path, "wb", buffering=0) as f:
        for chunk in (1 << 16, 1 << 12, 1 << 9, 1):
            try:
                while True:
                    f.write(b"\0" * chunk)
            except OSError as e:
                assert e.errno == errno.ENOSPC
        f.truncate(max(0, f.tell() - leave))
    return path


def store_paths(db, like):
    """The paths of the files the store holds that are like like, read
    with SQLite's own Python module."""
    con = sqlite3.connect("file:%s?mode=ro" % db, uri=True)
    try:
        return sorted(p.decode() if isinstance(p, bytes) else p
                      for (p,) in con.execute(
                          "SELECT path FROM file_paths"
                          " WHERE CAST(path AS TEXT)"
                          " LIKE ?", (like,)))
    finally:
        con.close()


def health(m):
    return m.read("status/health").decode()


def files_indexed(m):
    return m.json("status/summary.json")["counts"]["files"]


def analysis_done(m):
    a = m.json("metrics/analysis.json")
    return a["queued"] == 0 and a["busy"] == 0


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


def test_second_instance_on_a_live_mount_is_refused(mount, library,
                                                     tmp_path):
    """Issue 32: a second daemon with a store of its own, asked to mount
    where a mediamon runs, stops before it mounts on top of it; the first
    goes on serving."""
    other = tmp_path / "other"
    other.mkdir()
    r = subprocess.run([BINARY, "-f", "-o", "music=" + str(library),
                        "-o", "db=" + str(other / "other.db"), mount.path],
                       capture_output=True, text=True, env=local_env(),
                       timeout=30 * SLOW)
    assert r.returncode != 0
    assert ("mount point %s already holds a running mediamon"
            % mount.path) in r.stderr, r.stderr
    with open("/proc/mounts") as f:
        assert len([ln for ln in f if ln.split()[1] == mount.path]) == 1
    assert not os.path.exists(str(other / "other.db"))
    assert mount.read("status/health") == b"ok\n"


@pytest.mark.parametrize("room", [0, 32768],
                         ids=["no room at all", "room for a scan's row"])
def test_full_disk_fails_the_scan_and_loses_nothing(room, library,
                                                    tmp_path):
    """With the store's disk full, a scan of what the watcher saw fails,
    says so in metrics and health, and runs again by itself once there is
    room: every change of the full spell is then in the store. With no
    room at all the scan's row cannot be written either; with a little,
    the row is, and its batch fails to commit."""
    with tmpfs(tmp_path / "state", "4m") as state:
        m = start(tmp_path, "music=" + str(library))
        try:
            assert files_indexed(m) == 10
            # the audio analysis of the ten, which writes its results,
            # done first: else they may take the room the scan's row needs
            settle(lambda: analysis_done(m), "the analysis of the ten")
            filler = fill(state, room)
            # while full: a new album, a file gone, a file renamed
            album = library / "Gamma" / "Fourth"
            album.mkdir(parents=True)
            for n in range(1, 81):
                shutil.copy(str(library / "Alpha" / "First" / "01.flac"),
                            str(album / ("%02d.flac" % n)))
            os.unlink(str(library / "Beta" / "Third" / "notes.txt"))
            os.rename(str(library / "Alpha" / "Second" / "01.mp3"),
                      str(library / "Alpha" / "Second" / "first.mp3"))

            def failed():
                last = m.json("metrics/scan.json")["last"]
                return last if last["success"] is False else None
            last = settle(failed, "a failed scan in metrics")
            assert last["trigger"] == "watch"
            # the scan's row went in only where there was room for it
            assert (last["id"] is None) == (not room)
            assert ("error: store: disk full (%s)\n" % m.db) in health(m)
            assert files_indexed(m) == 10

            os.unlink(filler)
            settle(lambda: files_indexed(m) == 89, "the changes stored")
            settle(lambda: health(m) == "ok\n", "health ok again")
            assert m.json("metrics/scan.json")["last"]["success"] is True
            counts = m.json("status/summary.json")["counts"]
            assert counts["tracks"] == 89
            assert store_paths(m.db, "Alpha/Second/%") == [
                "Alpha/Second/02.mp3", "Alpha/Second/03.mp3",
                "Alpha/Second/first.mp3"]
            log = m.read("log").decode()
            assert "database or disk is full" in log
            assert "scan: run again in" in log
        finally:
            unmount(m.path, m.proc)


def test_full_disk_fails_the_backup_and_says_so(library, tmp_path):
    """Issue 32: a backup that fails for want of room is an error in
    health until one goes, not a log line alone, and nothing of it (the
    copy, its journal) is left beside the backups; the one that goes
    leaves the backup alone too, no -wal or -shm beside it."""
    with tmpfs(tmp_path / "state", "4m") as state:
        m = start(tmp_path, "music=" + str(library))
        try:
            settle(lambda: analysis_done(m), "the analysis of the ten")
            backups = state / "backups"
            filler = fill(state)
            m.write("control/maintenance", "backup")
            settle(lambda: "error: backup failed at " in health(m),
                   "health saying the backup failed")
            assert "No space left on device" in health(m) or \
                "Input/output error" in health(m), health(m)
            assert not backups.exists() or os.listdir(backups) == []
            os.unlink(filler)
            m.write("control/maintenance", "backup")
            settle(lambda: "backup failed" not in health(m),
                   "health without the failed backup")
            names = os.listdir(backups)
            assert len(names) == 1 and names[0].endswith(".db"), names
        finally:
            unmount(m.path, m.proc)


def backup_conf(tmp_path, far):
    conf = tmp_path / "backup.conf"
    conf.write_text("[retention]\nbackup_dir = %s\nbackups_kept = 2\n"
                    % far)
    return "config=" + str(conf)


def test_backup_dir_gets_each_backup(library, tmp_path):
    """Issue 68: [retention] backup_dir (another disk) gets each backup
    too, and what it gets opens as the store; one that cannot be written
    there leaves the backup beside the store standing, its cause in the
    log."""
    far = tmp_path / "far"
    m = start(tmp_path, backup_conf(tmp_path, far), "music=" + str(library))
    try:
        settle(lambda: analysis_done(m), "the analysis of the ten")
        m.write("control/maintenance", "backup")
        settle(lambda: far.is_dir() and any(
            n.endswith(".db") for n in os.listdir(far)),
            "a backup in backup_dir")
        names = [n for n in os.listdir(far) if n.endswith(".db")]
        assert len(names) == 1 and names[0].startswith("mediamon-"), names
        with contextlib.closing(sqlite3.connect(
                "file:%s?mode=ro" % (far / names[0]), uri=True)) as db:
            assert db.execute("PRAGMA quick_check").fetchone()[0] == "ok"
            assert db.execute("SELECT count(*) FROM files").fetchone()[0] \
                == files_indexed(m)
        assert names[0] in os.listdir(tmp_path / "state" / "backups")
        assert "error: backup failed" not in health(m)
    finally:
        unmount(m.path, m.proc)

    # the far disk gone: its folder's parent is missing
    lost = tmp_path / "gone" / "far"
    m = start(tmp_path, backup_conf(tmp_path, lost), "music=" + str(library))
    try:
        m.write("control/maintenance", "backup")
        settle(lambda: "backup: cannot create %s" % lost in
               m.read("log").decode(), "the far copy's failure logged")
        # the copy beside the store is made first, and stands
        assert "backup: database saved to %s/" % (
            tmp_path / "state" / "backups") in m.read("log").decode()
        assert "error: backup failed" not in health(m)
        settle(lambda: "warn: backup: the copy into backup_dir failed at "
               in health(m), "health warning of the far copy")
        assert "No such file or directory" in health(m), health(m)
        assert not lost.parent.exists()
        # a reload without backup_dir drops the warning with it
        (tmp_path / "backup.conf").write_text("[retention]\n")
        m.proc.send_signal(signal.SIGHUP)
        settle(lambda: "reload: done" in m.read("log").decode(),
               "reload: done in the log")
        settle(lambda: "backup_dir failed" not in health(m),
               "health without the far warning after the reload")
    finally:
        unmount(m.path, m.proc)


def far_backups(far):
    return sorted(n for n in os.listdir(far)
                  if re.fullmatch(r"mediamon-\d{8}T\d{6}Z\.db", n))


def test_backup_dir_unwritable_warns_until_fixed(library, tmp_path):
    """Issue 68: a backup_dir that cannot be written (a read-only share)
    is a warning in status/health naming the cause, gone once a copy
    there succeeds; the files there the daemon did not name stay, even
    named like its own, while its own are rotated to backups_kept."""
    source = tmp_path / "source"
    source.mkdir()
    far = tmp_path / "far"
    foreign = ["notes.txt", "mediamon-mine.db", "mediamon-2025.db",
               "mediamon-20250101T000000Z.db.bak"]
    m = start(tmp_path, backup_conf(tmp_path, far), "music=" + str(library))
    try:
        settle(lambda: analysis_done(m), "the analysis of the ten")
        with share(source, far):
            m.write("control/maintenance", "backup")
            settle(lambda: "warn: backup: the copy into backup_dir failed"
                   in health(m), "health warning of the far copy")
            assert "Read-only file system" in health(m), health(m)
            assert "error: backup failed" not in health(m)
            assert os.listdir(source) == []
        # the share gone, its mount point is a folder that takes them
        for name in foreign:
            (far / name).write_text("the owner's\n")
        m.write("control/maintenance", "backup")
        settle(lambda: "backup: database saved to %s/" % far in
               m.read("log").decode(), "the far copy made")
        settle(lambda: "backup_dir failed" not in health(m),
               "health without the far warning")
        names = far_backups(far)
        assert len(names) == 1, names
        with contextlib.closing(sqlite3.connect(
                "file:%s?mode=ro" % (far / names[0]), uri=True)) as db:
            assert db.execute("PRAGMA quick_check").fetchone()[0] == "ok"
            assert db.execute("SELECT count(*) FROM files").fetchone()[0] \
                == files_indexed(m)
        # more backups than backups_kept (2): only the daemon's rotate
        for i in range(3):
            log = m.read("log").decode()
            done = log.count("backup: database saved to %s/" % far)
            m.write("control/maintenance", "backup")
            settle(lambda: m.read("log").decode().count(
                "backup: database saved to %s/" % far) > done,
                "far backup %d" % i)
        assert len(far_backups(far)) <= 2, os.listdir(far)
        for name in foreign:
            assert (far / name).read_text() == "the owner's\n", name
    finally:
        unmount(m.path, m.proc)


def test_backup_dir_beside_the_store_refused(tmp_path, library):
    """Issue 68: backup_dir in the store's own folder (or its backups
    folder) is refused at start with the reason, and relative too."""
    mnt = tmp_path / "mnt"
    mnt.mkdir()
    state = tmp_path / "state"
    state.mkdir()
    for far in (str(state), str(state) + "/backups/", "rel/far"):
        conf = tmp_path / "backup.conf"
        conf.write_text("[retention]\nbackup_dir = %s\n" % far)
        out = subprocess.run(
            [BINARY, "-f", "-o", "config=" + str(conf), "-o",
             "music=" + str(library), "-o", "db=%s/mediamon.db" % state,
             str(mnt)], capture_output=True, timeout=60, env=local_env())
        assert out.returncode == 1 and not is_mounted(str(mnt)), out
        err = out.stderr.decode()
        assert "backup_dir in [retention] is %s" % far in err, err


def add_album(library, name, n):
    """n copies of a track in a new folder, as a watcher sees them."""
    album = library / name
    album.mkdir(parents=True)
    for i in range(1, n + 1):
        shutil.copy(str(library / "Alpha" / "First" / "01.flac"),
                    str(album / ("%02d.flac" % i)))


def delete_store(db):
    for suffix in ("", "-wal", "-shm"):
        with contextlib.suppress(FileNotFoundError):
            os.unlink(db + suffix)


def read_at_once(m, rel, readers=30):
    """rel read by readers threads at once: enough for every thread the
    mount answers with (ten) to take one. Returns what each read."""
    got = []
    threads = [threading.Thread(target=lambda: got.append(m.read(rel)))
               for _ in range(readers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30 * SLOW)
    assert len(got) == readers, "a read of %s hung" % rel
    return got


def test_deleted_store_is_written_back(mount, library):
    """A store deleted under the daemon, which SQLite would go on writing
    unseen, is written back from the copy the daemon holds open: what was
    in it and what changed since are all there, in a file of its own
    again, private like the first. Every thread of the mount reads the
    new file then, also those that read the first."""
    read_at_once(mount, "status/summary.json")
    delete_store(mount.db)
    add_album(library, "Later", 5)
    settle(lambda: os.path.exists(mount.db), "the store back")
    settle(lambda: files_indexed(mount) == 15, "the new files stored")
    assert store_paths(mount.db, "Later/%") == [
        "Later/%02d.flac" % i for i in range(1, 6)]
    assert len(store_paths(mount.db, "%")) == 15
    assert mode(mount.db) == 0o600
    log = mount.read("log").decode()
    assert ("database %s: deleted while mediamon uses it" % mount.db) in log
    assert ("database %s written back from the copy mediamon had open"
            % mount.db) in log
    settle(lambda: health(mount) == "ok\n", "health ok")
    # readers moved to the new file: a change is seen through the mount
    add_album(library, "Later Still", 2)
    settle(lambda: files_indexed(mount) == 17, "later files stored")
    assert len(os.listdir(mount.file("search/First 1"))) == 8
    assert {json.loads(doc)["counts"]["files"] for doc in
            read_at_once(mount, "status/summary.json")} == {17}


def test_deleted_store_on_a_full_disk(library, tmp_path):
    """A store deleted while its disk is full cannot be written back
    (its space is held by the deleted file): health says so, the scans
    of what changed fail, and all of it lands once there is room."""
    with tmpfs(tmp_path / "state", "4m") as state:
        m = start(tmp_path, "music=" + str(library))
        try:
            filler = fill(state)
            delete_store(m.db)
            add_album(library, "Later", 5)
            settle(lambda: ("error: store: deleted (%s)\n" % m.db)
                     in health(m), "health saying the store is deleted")
            settle(lambda: m.json("metrics/scan.json")["last"]
                     ["success"] is False, "a failed scan")
            assert not os.path.exists(m.db)
            os.unlink(filler)
            settle(lambda: os.path.exists(m.db), "the store back")
            settle(lambda: files_indexed(m) == 15, "the new files stored")
            assert len(store_paths(m.db, "%")) == 15
            settle(lambda: health(m) == "ok\n", "health ok")
        finally:
            unmount(m.path, m.proc)


@contextlib.contextmanager
def ext4(path, size="16M"):
    """An ext4 file system of its own at path, on a loop device, mounted
    errors=remount-ro as many are; yields a function that makes the
    kernel find an error in it, which turns it read-only as a failing
    disk would (root, loop devices and ext4's trigger_fs_error needed)."""
    image = str(path) + ".img"
    path.mkdir(exist_ok=True)
    for cmd in (["truncate", "-s", size, image],
                ["mkfs.ext4", "-q", "-F", image],
                ["mount", "-o", "loop,errors=remount-ro", image,
                 str(path)]):
        r = subprocess.run(cmd, capture_output=True, text=True)
        if r.returncode:
            pytest.skip("no ext4 on a loop device: " + r.stderr.strip())
    os.chmod(str(path), 0o700)
    device = None
    with open("/proc/mounts") as f:
        for line in f:
            if line.split()[1] == str(path):
                device = os.path.basename(line.split()[0])
    trigger = "/sys/fs/ext4/%s/trigger_fs_error" % device

    def fail():
        with open(trigger, "w") as f:
            f.write("mediamon test\n")
    try:
        if not os.path.exists(trigger):
            pytest.skip("this kernel has no " + trigger)
        yield fail, image
    finally:
        subprocess.run(["umount", "-l", str(path)])


def test_read_only_store_fails_the_scan_and_recovers(library, tmp_path):
    """The store's file system turns read-only (an error the kernel found
    in it): the scan of what changed fails, health names the store, and
    once a repaired file system is mounted in its place the daemon opens
    it again and the changes land there."""
    state = tmp_path / "state"
    with ext4(state) as (fail, image):
        m = start(tmp_path, "music=" + str(library))
        try:
            assert files_indexed(m) == 10
            subprocess.run(["sync", "-f", m.db], check=True)
            fail()
            add_album(library, "Later", 5)
            settle(lambda: m.json("metrics/scan.json")["last"]
                     ["success"] is False, "a failed scan")
            # the kernel answers EROFS or EIO, by the moment
            assert re.search(r"^error: store: (read-only|i/o error: .*)"
                             r" \(%s\)$" % re.escape(m.db), health(m),
                             re.M), health(m)
            assert files_indexed(m) == 10

            # mended as an admin would: a checked copy mounted instead
            repaired = str(tmp_path / "repaired.img")
            shutil.copy(image, repaired)
            subprocess.run(["e2fsck", "-f", "-y", repaired],
                           capture_output=True)
            subprocess.run(["umount", "-l", str(state)], check=True)
            subprocess.run(["mount", "-o", "loop", repaired, str(state)],
                           check=True)
            try:
                settle(lambda: files_indexed(m) == 15,
                         "the changes stored")
                settle(lambda: health(m) == "ok\n", "health ok")
                assert len(store_paths(m.db, "%")) == 15
                assert "database %s: " % m.db in m.read("log").decode()
            finally:
                unmount(m.path, m.proc)
                subprocess.run(["umount", "-l", str(state)])
        finally:
            unmount(m.path, m.proc)


def manga_root(root):
    """Two series, their volumes bytes written by hand."""
    for series, volumes in (("Berserk", (1, 2)), ("One Piece", (1, 3))):
        os.makedirs(str(root / series))
        for v in volumes:
            (root / series / ("%s T%02d.cbz" % (series, v))).write_bytes(
                b"x")
    return root


def series_file(m, series, name):
    return m.file(os.path.join("manga", series, name))


def set_series(m, series, name, value):
    fd = os.open(series_file(m, series, name), os.O_WRONLY | os.O_TRUNC)
    try:
        os.write(fd, value.encode())
    finally:
        os.close(fd)


def get_series(m, series, name):
    with open(series_file(m, series, name)) as f:
        return f.read()


def backup(db, when="20260101T000000Z"):
    """A backup where the daemon keeps them, made with SQLite's own
    backup API from Python, as the daemon makes them."""
    folder = os.path.join(os.path.dirname(db), "backups")
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, "mediamon-%s.db" % when)
    src = sqlite3.connect("file:%s?mode=ro" % db, uri=True)
    dst = sqlite3.connect(path)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()
    return path


def root_pages(db, tables):
    con = sqlite3.connect("file:%s?mode=ro" % db, uri=True)
    try:
        return [con.execute("SELECT rootpage FROM sqlite_schema WHERE"
                            " name = ?", (t,)).fetchone()[0]
                for t in tables]
    finally:
        con.close()


def damage(db, tables=None):
    """Overwrite pages of the store with noise, its header (page 1) left
    whole: the root pages of tables, or every page after the first."""
    with open(db, "r+b") as f:
        head = f.read(100)
        size = int.from_bytes(head[16:18], "big")
        size = 65536 if size == 1 else size
        pages = (root_pages(db, tables) if tables else
                 range(2, os.fstat(f.fileno()).st_size // size + 1))
        noise = __import__("random").Random(20)
        for page in pages:
            f.seek((page - 1) * size)
            f.write(noise.randbytes(size))


def settled(m):
    """Scanned, with nothing more to do."""
    doc = m.json("metrics/scan.json")
    return doc["running"] is None and doc["last"] and \
        not m.json("status/summary.json")["scan_pending"]


def test_damaged_store_restored_from_backup(library, tmp_path):
    """A store with damaged pages is found at start, kept aside, and
    replaced by the newest backup: the settings come from it, what came
    after is said to be lost, and a full scan finds the library again."""
    manga = manga_root(tmp_path / "manga")
    opts = ("music=" + str(library), "manga=" + str(manga))
    m = start(tmp_path, *opts)
    try:
        set_series(m, "Berserk", "monitored", "0")
        backup(m.db)
        set_series(m, "One Piece", "latest", "9")
        files = files_indexed(m)
    finally:
        unmount(m.path, m.proc)
    damage(m.db, ["files", "tracks"])

    m = start(tmp_path, *opts)
    try:
        settle(lambda: settled(m), "the recovery scan over")
        last = m.json("metrics/scan.json")["last"]
        assert last["trigger"] == "recovery" and last["scope"] == "all,full"
        assert last["success"] is True
        assert files_indexed(m) == files
        assert get_series(m, "Berserk", "monitored") == "0\n"
        assert get_series(m, "One Piece", "latest") == ""
        aside = [n for n in os.listdir(os.path.dirname(m.db))
                 if n.startswith("mediamon.db.damaged-") and
                 n.endswith("Z")]
        assert len(aside) == 1
        aside = os.path.join(os.path.dirname(m.db), aside[0])
        bak = os.path.join(os.path.dirname(m.db), "backups",
                           "mediamon-20260101T000000Z.db")
        warn = [line for line in health(m).splitlines()
                if line.startswith("warn: store: ")]
        assert len(warn) == 1 and warn[0].startswith(
            "warn: store: %s was damaged (" % m.db)
        assert warn[0].endswith("; kept as %s; restored from %s"
                                % (aside, bak))
        log = m.read("log").decode()
        assert "database %s is damaged: quick_check says: " % m.db in log
        assert ("lost with the damaged store: 1 series settings"
                " (monitored, latest, source)") in log
        # the damaged file is kept as it was
        with open(aside, "rb") as f:
            assert f.read(16) == b"SQLite format 3\0"
    finally:
        unmount(m.path, m.proc)


def test_damaged_store_without_good_backup(library, tmp_path):
    """With no backup that passes quick_check (the one there is damaged
    too), the damaged store is kept aside and a fresh one is made: the
    library comes back, the settings do not, and the log says so."""
    manga = manga_root(tmp_path / "manga")
    opts = ("music=" + str(library), "manga=" + str(manga))
    m = start(tmp_path, *opts)
    try:
        set_series(m, "Berserk", "monitored", "0")
        bak = backup(m.db)
        files = files_indexed(m)
    finally:
        unmount(m.path, m.proc)
    damage(bak)
    damage(m.db)

    m = start(tmp_path, *opts)
    try:
        settle(lambda: settled(m), "the recovery scan over")
        assert files_indexed(m) == files
        assert get_series(m, "Berserk", "monitored") == "1\n"
        assert "; no good backup: started afresh" in health(m)
        log = m.read("log").decode()
        assert "database %s: not restored (damaged" % bak in log
        assert "cannot be read from it, and is lost" in log
        assert os.path.exists(bak)
        assert mode(m.db) == 0o600
    finally:
        unmount(m.path, m.proc)


def test_damage_found_while_running(library, tmp_path):
    """Pages damaged under a running daemon: the next scan's reads meet
    them, quick_check confirms, and the daemon recovers by itself from
    its backup, with no restart by hand."""
    manga = manga_root(tmp_path / "manga")
    m = start(tmp_path, "music=" + str(library), "manga=" + str(manga))
    try:
        set_series(m, "Berserk", "monitored", "0")
        backup(m.db)
        files = files_indexed(m)
        con = sqlite3.connect(m.db)
        try:
            settle(lambda: con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                     .fetchone()[0] == 0, "the store checkpointed")
        finally:
            con.close()
        damage(m.db, ["files"])
        m.write("control/rescan", "1\n")
        settle(lambda: "was damaged (" in health(m), "the recovery")
        settle(lambda: settled(m) and m.json("metrics/scan.json")
                 ["last"]["trigger"] == "recovery", "the recovery scan")
        assert files_indexed(m) == files
        assert get_series(m, "Berserk", "monitored") == "0\n"
        assert m.proc.poll() is None
    finally:
        unmount(m.path, m.proc)
