# SPDX-License-Identifier: GPL-3.0-or-later
"""Crash safety: SIGKILL the daemon at random moments while it scans a few
thousand files, 20 times, and restart it on the dead mount each time. After
every kill the store passes SQLite's integrity check; after every restart
the scans the kills cut short are marked failed; at the end the store holds
exactly the files on disk, each with the tags it has on disk. The same
for kills during the bulk load of a first scan."""

import ctypes
import errno
import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import time

import pytest

from conftest import BINARY, is_mounted, local_env, run, unmount, wait_for
from reliability import record
import thread_waits

# x86_64 system call numbers (arch/x86/entry/syscalls/syscall_64.tbl)
SYS_STATFS, SYS_PIDFD_GETFD = 137, 438

DIRS = 40
PER_DIR = 100
KILLS = 20
BULK_DIRS = 100
BULK_KILLS = 5


def tiny_flac(path, title):
    """A 10 ms mono FLAC tagged with metaflac: a few hundred bytes."""
    wav = path + ".wav"
    run("sox", "-n", "-r", "8000", "-c", "1", "-b", "16", wav,
        "synth", "0.01", "sine", "440")
    run("flac", "-s", "-f", "-o", path, wav)
    os.unlink(wav)
    run("metaflac", "--set-tag=TITLE=" + title, "--set-tag=ARTIST=Crash",
        "--set-tag=ALBUM=Kill", path)


def fill(root, srcs, dirs, folder):
    """dirs folders (named by the format folder) of PER_DIR copies of the
    FLAC files srcs (by title), taken in turn; returns each file's title
    by its path under root."""
    titles = sorted(srcs)
    truth = {}
    for d in range(dirs):
        os.makedirs(str(root / (folder % d)))
        for n in range(PER_DIR):
            rel = "%s/%04d.flac" % (folder % d, n)
            title = titles[(d + n) % len(titles)]
            shutil.copyfile(srcs[title], str(root / rel))
            truth[rel] = title
    return truth


class Daemon:
    """One mediamon run on a mount point that may be dead from the last."""

    def __init__(self, tmp_path, conf):
        self.mnt = tmp_path / "mnt"
        self.log = tmp_path / "mediamon.log"
        with open(str(self.log), "ab") as log:
            self.log_from = log.tell()
            self.proc = subprocess.Popen(
                [BINARY, "-f", "-o", "config=" + str(conf), str(self.mnt)],
                stdout=log, stderr=subprocess.STDOUT, env=local_env())
        self.proc.log_path = str(self.log)

    def serving(self):
        """Whether the mount answers: a dead one says ENOTCONN. An open,
        not a stat: the kernel may answer a stat from attributes it kept
        from the dead daemon."""
        try:
            with open(str(self.mnt / "status" / "summary.json")):
                return True
        except OSError:
            return False

    def wait_serving(self, timeout=30):
        wait_for(self.serving, timeout, "mount serving", mount=self,
                 interval=0.01)

    def scan_json(self):
        with open(str(self.mnt / "metrics" / "scan.json")) as f:
            return json.load(f)

    def scanning(self):
        try:
            return self.scan_json()["running"] is not None
        except OSError:
            return False

    def rescan(self, command):
        """Ask for a scan; returns the id of the newest scan begun before,
        which the one asked for will be newer than."""
        doc = self.scan_json()
        newest = doc["running"] or doc["last"]
        self.write("control/rescan", command)
        return newest["id"] if newest else 0

    def wait_scan(self, after_id, finished, timeout=60):
        """Wait until a scan newer than after_id has begun (or finished,
        when finished is true); returns scan.json. The scan is known by
        its id, so one that begins and ends between two looks is not
        missed."""
        def newer(doc):
            last = doc["last"]
            if last and last["id"] > after_id:
                return True
            return not finished and doc["running"] and \
                doc["running"]["id"] > after_id
        return wait_for(self.scan_json, timeout, "scan after scan %d %s" % (
            after_id, "finished" if finished else "begun"), until=newer,
            mount=self, interval=0.002 if not finished else 0.05)

    def write(self, rel, data):
        fd = os.open(str(self.mnt / rel), os.O_WRONLY | os.O_TRUNC)
        try:
            os.write(fd, data.encode())
        finally:
            os.close(fd)

    def kill(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def log_lines(self):
        """The lines this run has logged (the log is one for all runs)."""
        with open(str(self.log), "rb") as f:
            f.seek(self.log_from)
            return f.read().count(b"\n")

    def scan_files(self, after_id):
        """The files the first scan newer than after_id has seen while it
        runs; "ended" once it is over; None before it begins (or while the
        mount does not serve yet)."""
        doc = self.scan_json()
        run, last = doc["running"], doc["last"]
        if run and run["id"] > after_id:
            return run["files_seen"]
        if last and last["id"] > after_id:
            return "ended"
        return None

    def scanned(self, after_id):
        """Whether the scan newer than after_id has begun (False also
        while the mount does not serve)."""
        try:
            return self.scan_files(after_id) is not None
        except OSError:
            return False

    def wait_moment(self, moment, after_id, msg):
        """Wait for the moment of this run drawn by kill_moment(): its
        log's nth line, or its scan newer than after_id having seen n
        files (or ended, when it ends first). The moment is one the test
        sees, so the machine's speed moves when it comes, never what it
        is."""
        kind, n = moment
        if kind == "line":
            # a run that logs fewer lines than the measured one meets the
            # moment when its scan begins
            wait_for(lambda: (self.log_lines(), self.scanned(after_id)), 60,
                     "line %d of the log (%s)" % (n, msg), mount=self,
                     until=lambda v: v[0] >= n or v[1], interval=0.002)
            return
        wait_for(lambda: self.scan_files(after_id), 60,
                 "%d files seen by the scan after scan %d, or its end (%s)"
                 % (n, after_id, msg), until=lambda v: v is not None and (
                     v == "ended" or v >= n), mount=self, interval=0.002,
                 ignore=(OSError,))


def db_ro(db):
    return sqlite3.connect("file:%s?mode=ro" % db, uri=True)


def unfinished(db):
    """Ids and success of the scans that have no end time."""
    con = db_ro(db)
    try:
        return dict(con.execute("SELECT id, success FROM scans"
                                " WHERE finished_at IS NULL"))
    finally:
        con.close()


def stored(db):
    """The store's files and their titles, by path under the root."""
    con = db_ro(db)
    try:
        return {bytes(p).decode(): t for p, t in con.execute(
            "SELECT f.path, t.title FROM file_paths f"
            " LEFT JOIN tracks t ON t.file_id = f.id")}
    finally:
        con.close()


def differences(have, truth):
    """(path, stored title, title on disk) of each path where the store
    differs from the truth, None for a missing side."""
    return sorted((p, have.get(p), truth.get(p)) for p in
                  set(have) | set(truth) if have.get(p) != truth.get(p))


def on_disk(root):
    out = set()
    for d, _, files in os.walk(str(root)):
        for name in files:
            out.add(os.path.relpath(os.path.join(d, name), str(root)))
    return out


def kill_moment(rnd, lines, files):
    """A moment of a run drawn at random, for Daemon.wait_moment(): one
    time in four when lines is not 0, ("line", n) once its log has n
    lines, from its start (n = 0) until it serves and its scan begins
    (lines: how many a run logs until then); else ("files", n) once the
    scan it runs has seen n of the files."""
    if lines and rnd.random() < 0.25:
        return ("line", rnd.randrange(lines))
    return ("files", rnd.randrange(files + 1))


def last_scan_id(db):
    """The id of the newest scan the store has (0: none)."""
    con = db_ro(db)
    try:
        return con.execute("SELECT coalesce(max(id), 0) FROM scans"
                           ).fetchone()[0]
    finally:
        con.close()


def mutate(rnd, root, truth, srcs):
    """Add, delete, rename and retag some files, so the next start has
    work of every kind to be cut short in."""
    paths = sorted(truth)
    for rel in rnd.sample(paths, 30):
        os.unlink(str(root / rel))
        del truth[rel]
    paths = sorted(truth)
    for rel in rnd.sample(paths, 30):
        new = "d%02d/r%06d.flac" % (rnd.randrange(DIRS + 5),
                                    rnd.randrange(10 ** 6))
        if new in truth:
            continue
        os.makedirs(str(root / os.path.dirname(new)), exist_ok=True)
        os.rename(str(root / rel), str(root / new))
        truth[new] = truth.pop(rel)
    paths = sorted(truth)
    for rel in rnd.sample(paths, 30):
        title = rnd.choice(sorted(srcs))
        shutil.copyfile(srcs[title], str(root / rel))
        truth[rel] = title
    for _ in range(30):
        rel = "d%02d/n%06d.flac" % (rnd.randrange(DIRS + 5),
                                    rnd.randrange(10 ** 6))
        os.makedirs(str(root / os.path.dirname(rel)), exist_ok=True)
        title = rnd.choice(sorted(srcs))
        shutil.copyfile(srcs[title], str(root / rel))
        truth[rel] = title


@pytest.fixture
def dead_mount_cleared(tmp_path):
    """The mount point of a test that kills daemons, with no dead mount
    left on it at the end, even when the test fails."""
    mnt = tmp_path / "mnt"
    mnt.mkdir()
    yield mnt
    if is_mounted(mnt):
        subprocess.run(["fusermount3", "-u", "-z", str(mnt)],
                       stderr=subprocess.DEVNULL)


def test_kills_during_scans(tmp_path, dead_mount_cleared):
    seed = int(time.time())
    rnd = random.Random(seed)
    srcs = {}
    for title in ("Alpha", "Beta", "Gamma"):
        srcs[title] = str(tmp_path / ("%s.flac" % title))
        tiny_flac(srcs[title], title)
    root = tmp_path / "music"
    truth = fill(root, srcs, DIRS, "d%02d")
    db = tmp_path / "state" / "mediamon.db"
    conf = tmp_path / "crash.conf"
    conf.write_text("[general]\ndatabase = %s\nthreads = 2\n"
                    "[music]\nroot = %s\n" % (db, root))

    # One undisturbed run tells how many lines a run logs until its scan
    # begins.
    d = Daemon(tmp_path, conf)
    try:
        d.wait_serving()
        d.wait_scan(0, finished=False)
        lines = d.log_lines()
        d.wait_scan(0, finished=True)
    finally:
        d.kill()

    survived = hit = 0
    for i in range(KILLS):
        mutate(rnd, root, truth, srcs)
        cut = unfinished(db)
        newest = last_scan_id(db)
        d = Daemon(tmp_path, conf)
        try:
            if i % 2:
                # anywhere from exec to the end of the scan at start
                moment = kill_moment(rnd, lines, len(truth))
                msg = "seed %d, kill %d at %s" % (seed, i, moment)
                d.wait_moment(moment, newest, msg)
            else:
                d.wait_serving()
                # the scans the last kills cut short are marked failed
                now = unfinished(db)
                assert all(now[k] == 0 for k in cut), "seed %d, kill %d" % (
                    seed, i)
                # a full rescan seen running, then killed within its
                # first half; one that ends before it is seen is asked
                # again (scans of this tree take a fraction of a second)
                for _ in range(5):
                    doc = d.wait_scan(d.rescan("full"), finished=False)
                    if doc["running"]:
                        break
                # named as the history names it once over
                assert not doc["running"] or \
                    doc["running"]["scope"] == "all,full", doc
                moment = kill_moment(rnd, 0, len(truth) // 2)
                msg = "seed %d, kill %d at %s" % (seed, i, moment)
                d.wait_moment(moment, (doc["running"] or doc["last"])[
                    "id"] - 1, msg)
            assert d.proc.poll() is None, msg + "\n" + d.log.read_text()
        finally:
            d.kill()
        hit += sum(1 for k, v in unfinished(db).items()
                   if v is None and k not in cut)
        con = db_ro(db)
        try:
            assert con.execute("PRAGMA integrity_check").fetchall() == \
                [("ok",)], msg
            assert not con.execute("PRAGMA foreign_key_check").fetchall()
            # a file and its track are committed together or not at all
            assert con.execute(
                "SELECT count(*) FROM files f LEFT JOIN tracks t"
                " ON t.file_id = f.id WHERE t.file_id IS NULL").fetchone() \
                == (0,), msg
        finally:
            con.close()
        survived += 1

    # The last restart finds a dead mount, recovers it and converges.
    cut = unfinished(db)
    d = Daemon(tmp_path, conf)
    try:
        d.wait_serving()
        now = unfinished(db)
        assert all(now[k] == 0 for k in cut)
        d.wait_scan(d.rescan("1"), finished=True)
        wait_for(lambda: (d.scanning(), differences(stored(db), truth)), 60,
                 "store holding the files on disk, no scan running",
                 until=lambda v: not v[0] and not v[1], mount=d)
        assert on_disk(root) == set(truth)
        log = d.log.read_text()
        assert "is a dead mount left by a stopped run" in log
    finally:
        unmount(str(d.mnt), d.proc)
    assert not is_mounted(d.mnt)
    con = db_ro(db)
    try:
        assert con.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert con.execute("SELECT count(*) FROM scans WHERE finished_at"
                           " IS NULL AND success IS NOT 0").fetchone() == (0,)
    finally:
        con.close()
    record("kills survived with integrity ok", "%d/%d (%d during a scan)" %
           (survived, KILLS, hit))
    assert hit >= KILLS // 4, "too few kills met a running scan: %d" % hit


def test_restart_on_a_dead_mount_point(library, tmp_path,
                                       dead_mount_cleared):
    """A killed daemon leaves a mount every access to which fails with
    ENOTCONN; the next start unmounts it and serves again."""
    conf = tmp_path / "dead.conf"
    conf.write_text("[general]\ndatabase = %s/d.db\n[music]\nroot = %s\n"
                    % (tmp_path, library))
    d = Daemon(tmp_path, conf)
    d.wait_serving()
    d.kill()
    with pytest.raises(OSError) as e:
        os.stat(str(d.mnt / "README"))
    assert e.value.errno == errno.ENOTCONN
    d = Daemon(tmp_path, conf)
    try:
        d.wait_serving()

        def tracks():
            with open(str(d.mnt / "status" / "summary.json")) as f:
                return json.load(f)["counts"]["tracks"]
        # the killed daemon may not have committed its first scan: the
        # second one's startup scan brings the tracks, after it serves
        assert wait_for(tracks, 60, "the 9 tracks counted",
                        until=lambda n: n == 9) == 9
        with open(str(d.mnt / "log")) as f:
            assert "is a dead mount left by a stopped run" in f.read()
    finally:
        unmount(str(d.mnt), d.proc)
    assert not is_mounted(d.mnt)


def fuse_fd_held(pid):
    """A copy of the daemon's /dev/fuse, taken with pidfd_getfd(2): its
    connection lives while the copy is open, as when a child the daemon
    was starting held one until its exec."""
    for fd in os.listdir("/proc/%d/fd" % pid):
        if os.readlink("/proc/%d/fd/%s" % (pid, fd)) == "/dev/fuse":
            break
    else:
        raise AssertionError("the daemon holds no /dev/fuse")
    libc = ctypes.CDLL(None, use_errno=True)
    pidfd = os.pidfd_open(pid)
    try:
        held = libc.syscall(SYS_PIDFD_GETFD, pidfd, int(fd), 0)
        if held < 0:
            raise OSError(ctypes.get_errno(), "pidfd_getfd")
    finally:
        os.close(pidfd)
    return held


@pytest.mark.skipif(not thread_waits.OBSERVABLE,
                    reason="statfs(2) read by its x86_64 number")
def test_restart_while_the_dead_connection_ends(library, tmp_path,
                                                dead_mount_cleared):
    """The next start asks the dead mount while the killed daemon's
    connection still lives: its question is aborted when the connection
    ends (ECONNABORTED), and it asks again, finds the mount dead, and
    serves, where it took the mount for a running daemon's."""
    conf = tmp_path / "dead.conf"
    conf.write_text("[general]\ndatabase = %s/d.db\n[music]\nroot = %s\n"
                    % (tmp_path, library))
    d = Daemon(tmp_path, conf)
    d.wait_serving()
    held = fuse_fd_held(d.proc.pid)
    try:
        d.kill()
        d = Daemon(tmp_path, conf)
        wait_for(lambda: thread_waits.syscall(d.proc.pid, d.proc.pid),
                 30, "the new start asking the mount (statfs)",
                 until=lambda c: c and c[0] == SYS_STATFS, mount=d)
    finally:
        os.close(held)
    try:
        d.wait_serving()
        with open(str(d.mnt / "log")) as f:
            assert "is a dead mount left by a stopped run" in f.read()
    finally:
        unmount(str(d.mnt), d.proc)
    assert not is_mounted(d.mnt)


def indexes(db):
    con = db_ro(db)
    try:
        return sorted(n for (n,) in con.execute(
            "SELECT name FROM sqlite_master WHERE type = 'index'"
            " AND sql IS NOT NULL"))
    finally:
        con.close()


def owed_rows(db):
    """The tracks not found by a search for their title, and those neither
    analysed nor queued for it: what a bulk load cut short still owes."""
    con = db_ro(db)
    try:
        return con.execute(
            "SELECT (SELECT count(*) FROM tracks) - (SELECT count(*)"
            " FROM tracks_fts WHERE tracks_fts MATCH 'bulk'),"
            " (SELECT count(*) FROM tracks WHERE id NOT IN"
            " (SELECT track_id FROM analysis_queue) AND id NOT IN"
            " (SELECT track_id FROM analysis))").fetchone()
    finally:
        con.close()


def test_kills_during_a_bulk_load(tmp_path, dead_mount_cleared):
    """A first scan of an empty store is a bulk load: the secondary indexes
    dropped, transactions of many rows, no foreign key checked. A kill in
    the middle of one leaves a store that passes the integrity and foreign
    key checks, and the next start builds the indexes again, the search
    rows and the analysis queue of the tracks it added (made at its end),
    and converges."""
    seed = int(time.time())
    rnd = random.Random(seed)
    src = str(tmp_path / "t.flac")
    tiny_flac(src, "Bulk")
    root = tmp_path / "music"
    truth = fill(root, {"Bulk": src}, BULK_DIRS, "d%03d")
    db = tmp_path / "state" / "mediamon.db"
    conf = tmp_path / "bulk.conf"
    conf.write_text("[general]\ndatabase = %s\nthreads = 2\n"
                    "[music]\nroot = %s\n" % (db, root))

    def fresh_start():
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(str(db) + suffix):
                os.unlink(str(db) + suffix)
        d = Daemon(tmp_path, conf)
        d.wait_serving()
        d.wait_scan(0, finished=False)
        return d

    # One undisturbed first scan: which indexes a store has after it.
    d = fresh_start()
    try:
        d.wait_scan(0, finished=True)
    finally:
        unmount(str(d.mnt), d.proc)
    assert differences(stored(db), truth) == []
    assert owed_rows(db) == (0, 0)
    want = indexes(db)

    # Each kill once the first scan has seen a number of the files drawn
    # at random, up to four fifths of them: more kills, up to four times
    # as many, until one has met the bulk load.
    cut_in_bulk = kills = 0
    while kills < BULK_KILLS or (not cut_in_bulk and kills < 4 * BULK_KILLS):
        moment = kill_moment(rnd, 0, len(truth) * 4 // 5)
        msg = "seed %d, kill %d at %s" % (seed, kills, moment)
        kills += 1
        d = fresh_start()
        try:
            d.wait_moment(moment, 0, msg)
            assert d.proc.poll() is None, msg + "\n" + d.log.read_text()
        finally:
            d.kill()
        con = db_ro(db)
        try:
            assert con.execute("PRAGMA integrity_check").fetchall() == \
                [("ok",)], msg
            assert not con.execute("PRAGMA foreign_key_check").fetchall(), \
                msg
            assert con.execute(
                "SELECT count(*) FROM files f LEFT JOIN tracks t"
                " ON t.file_id = f.id WHERE t.file_id IS NULL").fetchone() \
                == (0,), msg
        finally:
            con.close()
        if indexes(db) != want:
            cut_in_bulk += 1

        d = Daemon(tmp_path, conf)
        try:
            d.wait_serving()
            wait_for(lambda: (d.scanning(), differences(stored(db), truth)),
                     60, "store holding the files on disk, no scan running",
                     until=lambda v: not v[0] and not v[1], mount=d)
            assert indexes(db) == want, msg
            assert owed_rows(db) == (0, 0), msg
        finally:
            unmount(str(d.mnt), d.proc)
    record("kills during a bulk load survived", "%d/%d (%d with its indexes"
           " dropped)" % (kills, kills, cut_in_bulk))
    assert cut_in_bulk >= 1, "no kill met the bulk load: seed %d" % seed


def newest_scan(db):
    con = db_ro(db)
    try:
        return con.execute("SELECT coalesce(max(id), 0) FROM scans") \
            .fetchone()[0]
    finally:
        con.close()


def test_a_deletion_lost_to_a_kill_is_made_by_the_next_scan(
        tmp_path, dead_mount_cleared):
    """The rows of files gone from a folder are deleted at the end of a
    scan, after the folder's own row is written. A kill in between leaves
    those rows behind; the folder's row must not then claim that the store
    matches the disk, or no later scan would look at them again."""
    root = tmp_path / "music"
    (root / "d").mkdir(parents=True)
    tiny_flac(str(root / "d" / "a.flac"), "Alpha")
    tiny_flac(str(root / "d" / "b.flac"), "Beta")
    db = tmp_path / "state" / "mediamon.db"
    conf = tmp_path / "lost.conf"
    conf.write_text("[general]\ndatabase = %s\n[music]\nroot = %s\n"
                    % (db, root))

    def run_once():
        before = newest_scan(db) if db.exists() else 0
        d = Daemon(tmp_path, conf)
        try:
            d.wait_serving()
            d.wait_scan(before, finished=True)
        finally:
            unmount(str(d.mnt), d.proc)

    run_once()
    old = tmp_path / "old.db"
    con = db_ro(db)
    try:
        con.backup(sqlite3.connect(str(old)))
    finally:
        con.close()
    os.unlink(str(root / "d" / "b.flac"))
    run_once()
    assert stored(db) == {"d/a.flac": "Alpha"}

    # What a kill between the folder's row and the deletion leaves: b's
    # file, track and search rows as they were before.
    con = sqlite3.connect(str(db))
    try:
        con.execute("ATTACH ? AS old", (str(old),))
        con.execute("INSERT INTO files SELECT * FROM old.files WHERE"
                    " id = (SELECT id FROM old.file_paths"
                    " WHERE CAST(path AS TEXT) = 'd/b.flac')")
        con.execute("INSERT INTO tracks SELECT * FROM old.tracks WHERE"
                    " file_id = (SELECT id FROM file_paths"
                    " WHERE CAST(path AS TEXT) = 'd/b.flac')")
        con.execute("INSERT INTO tracks_fts (rowid, title, artist, album,"
                    " album_artist) SELECT id, title, artist, album,"
                    " album_artist FROM tracks_search WHERE title = 'Beta'")
        con.commit()
    finally:
        con.close()
    assert stored(db) == {"d/a.flac": "Alpha", "d/b.flac": "Beta"}

    run_once()
    assert stored(db) == {"d/a.flac": "Alpha"}
    con = db_ro(db)
    try:
        assert con.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    finally:
        con.close()
