# SPDX-License-Identifier: GPL-3.0-or-later
"""Fixtures for the integration tests: a music library made with real
tools (sox, flac, metaflac, lame, mutagen), and a real mediamon mount of it
that is always unmounted, also when a test fails."""

import contextlib
import csv
import fcntl
import io
import json
import os
import select
import shutil
import signal
import subprocess
import time
import urllib.request

import pytest
from mutagen.id3 import ID3, TALB, TIT2, TPE1, TPE2, TRCK

# Started in the background of a shell (nohup make test &, a CI runner),
# this process inherits SIGINT ignored, and would pass that on to every
# program a test starts: they start with it at its default.
if signal.getsignal(signal.SIGINT) == signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)
REPO = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
# The daemon under test, and a command prefix to run it behind (such as
# valgrind), both replaceable from the environment (make asan, make
# valgrind).
BINARY = os.environ.get("MEDIAMON_BINARY") or os.path.join(REPO, "mediamon")
WRAPPER = os.environ.get("MEDIAMON_WRAPPER", "").split()
# Where a checked daemon writes its reports, as PREFIX.PID, and the exit
# status that says the report is one of errors (valgrind writes one always;
# a sanitizer only when it found something).
REPORT_LOG = os.environ.get("MEDIAMON_REPORT_LOG")
REPORT_EXIT = os.environ.get("MEDIAMON_REPORT_EXITCODE")
# A wrapped daemon (valgrind) is many times slower to start and to scan,
# one built with sanitizers (make asan) a few times.
SLOW = 10 if WRAPPER else 3 if os.environ.get("ASAN_OPTIONS") else 1


# The issue-sized floods (200,000 files) are marked flood: `make test`
# skips them, `make flood` (MEDIAMON_FLOOD=1) runs them alone.
FLOOD = os.environ.get("MEDIAMON_FLOOD") == "1"


# The folder pytest keeps the tests' folders in, when it was named
# (--basetemp: tests/run-tests.sh names one), else None.
BASETEMP = []


def pytest_configure(config):
    if config.option.basetemp:
        # xdist gives each worker a folder of its own in it
        base = os.path.abspath(str(config.option.basetemp))
        if os.path.basename(base).startswith("popen-gw"):
            base = os.path.dirname(base)
        BASETEMP.append(base)
    config.addinivalue_line(
        "markers", "serial: needs a resource of the whole machine (a"
        " kernel limit it changes): tests/run-tests.sh runs it after the"
        " parallel part, one test at a time")
    config.addinivalue_line("markers", "flood: an issue-sized flood, run"
                            " by make flood only")


def pytest_collection_modifyitems(config, items):
    skip = pytest.mark.skip(reason="a flood: make flood runs it")
    for item in items:
        if item.get_closest_marker("flood") and not FLOOD:
            item.add_marker(skip)


# Where the tests that add or remove local users and groups take turns:
# useradd, groupadd and userdel refuse to run while another holds
# /etc/passwd's lock, and tests run in parallel (pytest-xdist), also from
# other checkouts.
ACCOUNTS_LOCK = "/run/lock/mediamon-tests-accounts"


@contextlib.contextmanager
def accounts_lock():
    """Hold the lock of the machine's accounts for the block."""
    fd = os.open(ACCOUNTS_LOCK, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def accounts(*cmd, check=True):
    """Run cmd (useradd, userdel, groupadd, groupdel) with the accounts'
    lock held."""
    with accounts_lock():
        return subprocess.run(cmd, check=check, capture_output=True)


def wait_for(predicate, timeout, what, *, until=bool, mount=None,
             ignore=(), interval=0.05):
    """Poll predicate() until its value is true (or until(value) is, when
    until is given) and return that value: the one bounded wait of the
    suite, so that a slow machine fails a test and never hangs it.
    timeout is in seconds for a daemon run as it is, stretched by SLOW for
    a wrapped one. An exception of a type in ignore counts as "not yet".
    On timeout, or at once when mount's daemon exits, fail naming what was
    awaited and the last value (or error) seen, with what the daemon
    shows."""
    deadline = time.monotonic() + timeout * SLOW
    seen = "nothing"
    while True:
        try:
            value = predicate()
            if until(value):
                return value
            seen = repr(value)
        except ignore as e:
            seen = "error %r" % e
        if len(seen) > 2000:
            seen = seen[:2000] + "..."
        if mount is not None and mount.proc.poll() is not None:
            raise AssertionError("mediamon exited with status %s while"
                                 " waiting for %s; last seen: %s\n%s" % (
                                     mount.proc.returncode, what, seen,
                                     shows(mount)))
        if time.monotonic() >= deadline:
            raise AssertionError("no %s within %gs; last seen: %s\n%s" % (
                what, timeout * SLOW, seen, shows(mount)))
        time.sleep(interval)


def shows(mount):
    """What mount (a Mount, or anything with a proc) shows, for a failure
    message."""
    if mount is None:
        return ""
    if hasattr(mount, "diag"):
        return mount.diag()
    return log_tail(mount.proc)


def reached(value):
    """until= for a check that returns True once done and, until then,
    what it saw instead (so that a timeout shows it)."""
    return value is True


def log_tail(proc, lines=40):
    """The last lines of the log of a daemon started with a log_path, to
    show beside a failure."""
    path = getattr(proc, "log_path", None)
    if not path or not os.path.exists(path):
        return "(no log)"
    with open(path, errors="replace") as f:
        return "log:\n" + "".join(f.readlines()[-lines:])


def run(*cmd):
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)


def tone(path, freq):
    """A one-second stereo sine tone as WAV beside path, made by sox."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    wav = path + ".wav"
    run("sox", "-n", "-r", "44100", "-c", "2", "-b", "16", wav,
        "synth", "1", "sine", str(freq))
    return wav


def make_flac(path, title, artist, album, track, freq=440):
    """A one-second FLAC tone tagged with metaflac."""
    wav = tone(path, freq)
    run("flac", "-s", "-f", "-o", path, wav)
    os.unlink(wav)
    run("metaflac", "--set-tag=TITLE=" + title, "--set-tag=ARTIST=" + artist,
        "--set-tag=ALBUM=" + album, "--set-tag=TRACKNUMBER=%d" % track,
        path)


def make_mp3(path, title, artist, album, track, freq=330):
    """A one-second MP3 tone tagged with mutagen (ID3v2.4)."""
    wav = tone(path, freq)
    run("lame", "--quiet", "-b", "128", wav, path)
    os.unlink(wav)
    tag = ID3()
    tag.add(TIT2(encoding=3, text=title))
    tag.add(TPE1(encoding=3, text=artist))
    tag.add(TPE2(encoding=3, text=artist))
    tag.add(TALB(encoding=3, text=album))
    tag.add(TRCK(encoding=3, text=str(track)))
    tag.save(path)


def made_once(tmp_path_factory, name, make):
    """The folder name, made by make(folder) once per pytest run and shared
    by its pytest-xdist workers (each has a basetemp of its own, under the
    run's): the first to ask makes it while the others wait. Tests only
    read it, or copy it to change it."""
    base = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        base = base.parent
    folder = base / ("once-" + name)
    with open(str(folder) + ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        made = str(folder) + ".made"
        if not os.path.exists(made):
            # what a worker that failed while making it left
            shutil.rmtree(str(folder), ignore_errors=True)
            folder.mkdir()
            make(folder)
            open(made, "w").close()
    return folder


@pytest.fixture(scope="session")
def template_library(tmp_path_factory):
    """Two artists, three albums, nine tracks and one file that is not
    audio; made once, copied for every test that changes it."""
    root = tmp_path_factory.mktemp("template") / "music"
    for n in range(1, 4):
        make_flac(str(root / "Alpha" / "First" / ("%02d.flac" % n)),
                  "First %d" % n, "Alpha", "First", n, 300 + n * 50)
        make_mp3(str(root / "Alpha" / "Second" / ("%02d.mp3" % n)),
                 "Second %d" % n, "Alpha", "Second", n, 500 + n * 50)
        make_flac(str(root / "Beta" / "Third" / ("%02d.flac" % n)),
                  "Third %d" % n, "Beta", "Third", n, 700 + n * 50)
    (root / "Beta" / "Third" / "notes.txt").write_text("liner notes\n")
    return root


@pytest.fixture
def library(template_library, tmp_path):
    root = tmp_path / "music"
    shutil.copytree(str(template_library), str(root))
    return root


class Mount:
    """A running mediamon and its mount point."""

    def __init__(self, path, proc, db):
        self.path = path
        self.proc = proc
        self.db = db

    def file(self, rel):
        return os.path.join(self.path, rel)

    def read(self, rel):
        with open(self.file(rel), "rb") as f:
            return f.read()

    def json(self, rel):
        return json.loads(self.read(rel))

    def write(self, rel, data):
        """Write like `echo data > file`: truncate, one write."""
        fd = os.open(self.file(rel), os.O_WRONLY | os.O_TRUNC)
        try:
            return os.write(fd, data.encode() if isinstance(data, str)
                            else data)
        finally:
            os.close(fd)

    def diag(self):
        """What the daemon shows, for failure messages: its state, its
        watcher, health and last scans, and its log's end."""
        parts = ["daemon %s" % ("running" if self.proc.poll() is None else
                                "EXITED with %s" % self.proc.returncode)]
        for rel in ["metrics/watch.json", "status/health"]:
            try:
                parts.append("%s: %s" % (rel, self.read(rel).decode(
                    errors="replace").strip()))
            except OSError as e:
                parts.append("%s: %s" % (rel, e))
        try:
            rows = list(csv.DictReader(io.StringIO(
                self.read("metrics/scan.csv").decode())))
            parts.append("scans:\n" + "\n".join(
                ",".join(r[k] for k in ("id", "trigger", "scope",
                                        "files_seen", "files_new",
                                        "files_changed", "files_deleted",
                                        "success"))
                for r in rows[-10:]))
        except (OSError, KeyError) as e:
            parts.append("scans: %s" % e)
        parts.append(log_tail(self.proc))
        return "\n".join(parts)

    def scan_id(self, doc=None):
        """The id of the newest scan begun (in doc, a scan.json already
        read): the running one, else the last finished (0 before the
        first). A scan asked for after this call gets a larger id."""
        doc = doc or self.json("metrics/scan.json")
        newest = doc["running"] or doc["last"]
        return newest["id"] if newest else 0

    def wait_idle(self, after_id=0, timeout=30, since=0):
        """Wait until no scan runs and the last finished scan is newer
        than after_id and began at since (epoch seconds) or later; returns
        the last scan. A scan is seen by its id, so one that begins and
        ends between two looks is not missed."""
        doc = wait_for(lambda: self.json("metrics/scan.json"), timeout,
                       "a scan after scan %d, finished" % after_id,
                       until=lambda d: d["running"] is None and d["last"]
                       and d["last"]["id"] > after_id
                       and d["last"]["started_at_s"] >= since, mount=self)
        return doc["last"]

    def scan_waits(self, doc=None):
        """Whether a scan runs or waits to run (doc: a scan.json already
        read)."""
        doc = doc or self.json("metrics/scan.json")
        return doc["running"] is not None or "pending: no" not in self.read(
            "control/rescan").decode()

    def wait_no_scan(self, timeout=30):
        """Wait until no scan runs or waits: one asked for before this call
        is over (a scan is asked for at once, when a write or the watcher
        asks)."""
        wait_for(self.scan_waits, timeout, "no scan running or waiting",
                 until=lambda waits: not waits, mount=self)

    def wait_quiet(self, settle=0.6, timeout=30):
        """Wait until no scan runs or waits and no scan has begun or
        ended for settle seconds (longer than any debounce a test sets);
        returns scan.json. Asked for after requests that may each start a
        scan, it sees every scan they start."""
        seen = {"now": None, "since": None}

        def look():
            doc = self.json("metrics/scan.json")
            pending = "pending: no" not in self.read(
                "control/rescan").decode()
            now = {"newest": self.scan_id(doc), "finished": doc["totals"][
                "scans"], "running": doc["running"] is not None,
                "pending": pending}
            t = time.monotonic()
            if now != seen["now"]:
                seen.update(now=now, since=t)
            return now, t - seen["since"], doc

        return wait_for(look, timeout, "quiet daemon (no scan running or"
                        " pending for %gs)" % settle,
                        until=lambda v: not v[0]["running"] and
                        not v[0]["pending"] and v[1] >= settle,
                        mount=self)[2]

    def rescan(self, command="1", timeout=30):
        """Write command to control/rescan and wait for the scan it asked
        for to finish; returns that scan."""
        before = self.scan_id()
        self.write("control/rescan", command + "\n")
        return self.wait_idle(after_id=before, timeout=timeout)


def bind_unix(sock, path):
    """Bind the AF_UNIX socket sock at path, also where path is longer
    than an address holds (108 bytes: a clone in a deep folder): through
    /proc/self/fd of its folder, opened for the while."""
    path = str(path)
    if len(path.encode()) < 100:
        sock.bind(path)
        return
    fd = os.open(os.path.dirname(path), os.O_PATH | os.O_DIRECTORY)
    try:
        sock.bind("/proc/self/fd/%d/%s" % (fd, os.path.basename(path)))
    finally:
        os.close(fd)


def need_reachable(path):
    """Skip the test when another user cannot reach path: a test that acts
    as another user in its own folder needs every folder above it
    searchable by others (a checkout under a 0700 folder is not). The
    folders pytest made for the tests (0700) are opened to search."""
    path = os.path.abspath(str(path))
    while path != "/":
        path = os.path.dirname(path)
        if BASETEMP and (path == BASETEMP[0] or
                         path.startswith(BASETEMP[0] + "/")):
            os.chmod(path, os.stat(path).st_mode | 0o055)
        if not os.stat(path).st_mode & 0o001:
            pytest.skip("other users cannot enter %s, above this test's"
                        " folder (clone the tree where they can)" % path)


def is_mounted(path):
    with open("/proc/mounts") as f:
        return any(line.split()[1] == str(path) for line in f)


# What a sanitizer writes to the daemon's standard error (UBSan there, as
# GCC's runtime ignores its log_path).
SANITIZER_MARKS = ("runtime error:", "ERROR: AddressSanitizer",
                   "ERROR: LeakSanitizer")


def check_report(proc):
    """Fail on what a sanitizer or valgrind said about the daemon that
    proc ran: its report file if that says an error was found, and its
    log."""
    if not REPORT_LOG:
        return
    report = "%s.%d" % (REPORT_LOG, proc.pid)
    if os.path.exists(report) and (REPORT_EXIT is None or
                                   proc.returncode == int(REPORT_EXIT)):
        with open(report, errors="replace") as f:
            raise AssertionError("daemon error report %s:\n%s" %
                                 (report, f.read()))
    log = getattr(proc, "log_path", None)
    if log and os.path.exists(log):
        with open(log, errors="replace") as f:
            text = f.read()
        if any(mark in text for mark in SANITIZER_MARKS):
            raise AssertionError("sanitizer report in %s:\n%s" %
                                 (log, text))


def task_states(pid):
    """The scheduler state letter of each thread of pid."""
    states = []
    for tid in os.listdir("/proc/%d/task" % pid):
        try:
            with open("/proc/%d/task/%s/stat" % (pid, tid)) as f:
                states.append(f.read().rsplit(")", 1)[1].split()[0])
        except FileNotFoundError:
            pass
    return states


@contextlib.contextmanager
def stopped(proc):
    """Keep the daemon stopped for the block, each of its threads seen
    stopped before it starts: a SIGSTOP takes a thread only when it next
    runs, and on a busy machine a thread woken by the block's first events
    could read them first."""
    proc.send_signal(signal.SIGSTOP)
    try:
        wait_for(lambda: task_states(proc.pid), 10,
                 "every thread of the daemon stopped",
                 until=lambda states: all(s in "tT" for s in states),
                 interval=0.01)
        yield
    finally:
        proc.send_signal(signal.SIGCONT)


def unmount(path, proc):
    if is_mounted(path):
        subprocess.run(["fusermount3", "-u", str(path)],
                       stderr=subprocess.DEVNULL)
    try:
        proc.wait(timeout=15 * SLOW)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        subprocess.run(["fusermount3", "-u", "-z", str(path)],
                       stderr=subprocess.DEVNULL)
    check_report(proc)


LATENCY_FS = os.environ.get("MEDIAMON_LATENCY_FS", os.path.join(
    REPO, "build", "bench", "bench_latency_fs"))


@contextlib.contextmanager
def share(source, where, delay_us=0, options=(), procs=None):
    """source shown read-only at where through the bench's FUSE share
    (tests/bench/bench_latency_fs.c, built by make test), which waits
    delay_us in each request: a network share's file system; options
    more -o options of libfuse's; its process appended to procs (a list)
    for a test that stops it."""
    assert os.access(LATENCY_FS, os.X_OK), \
        "%s is not built (make build/bench/bench_latency_fs)" % LATENCY_FS
    where.mkdir()
    proc = subprocess.Popen([LATENCY_FS, str(source), str(where), "-f",
                             "-o", "delay_us=%d" % delay_us] +
                            [a for o in options for a in ("-o", o)])
    if procs is not None:
        procs.append(proc)
    try:
        wait_for(lambda: is_mounted(where) or proc.poll() is not None, 15,
                 "the share at %s" % where, interval=0.02)
        assert is_mounted(where), "bench_latency_fs exited"
        yield where
    finally:
        subprocess.run(["fusermount3", "-u", str(where)],
                       stderr=subprocess.DEVNULL)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            subprocess.run(["fusermount3", "-u", "-z", str(where)],
                           stderr=subprocess.DEVNULL)


def local_env():
    """The environment of the programs a test starts: the fakes listen on
    127.0.0.1, and every other address goes to a proxy that is not there
    (the discard port), so a request a test left to a public default
    fails at once instead of reaching the Internet."""
    env = {k: v for k, v in os.environ.items()
           if not k.lower().endswith("_proxy")}
    nowhere = "http://127.0.0.1:9"
    env.update(http_proxy=nowhere, https_proxy=nowhere, HTTPS_PROXY=nowhere,
               ALL_PROXY=nowhere, no_proxy="127.0.0.1,localhost,::1",
               NO_PROXY="127.0.0.1,localhost,::1")
    return env


class Fake:
    """A fake remote service from tests/fakes/, on 127.0.0.1; it ends when
    its stdin closes, so it never outlives the test."""

    def __init__(self, script, *args, prefix=()):
        """script: a name in tests/fakes/, or a path; prefix: a command
        to run it behind (setpriv, as another user)."""
        path = os.path.join(REPO, "tests", "fakes", script)
        self.proc = subprocess.Popen(list(prefix) +
                                     ["/usr/bin/python3", path] +
                                     [str(a) for a in args],
                                     stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE,
                                     env=local_env())
        # its first line, the port, within a bound: a fake that never
        # speaks fails the test instead of hanging it
        try:
            wait_for(lambda: select.select([self.proc.stdout], [], [],
                                           0.1)[0],
                     30, "port from the fake " + script, interval=0)
        except AssertionError:
            self.stop()
            raise
        line = self.proc.stdout.readline()
        if not line.strip().isdigit():
            self.stop()
            raise AssertionError("the fake %s said %r, not its port" % (
                script, line))
        self.port = int(line)
        self.url = "http://127.0.0.1:%d" % self.port

    def call(self, path, data=None):
        """GET path (POST data, when given) and decode the JSON answer."""
        opener = urllib.request.build_opener(
            urllib.request.ProxyHandler({}))
        body = None if data is None else json.dumps(data).encode()
        with opener.open(self.url + path, body, timeout=10) as r:
            return json.loads(r.read() or b"null")

    def stop(self):
        self.proc.stdin.close()
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


@pytest.fixture
def fake():
    """Start fakes by script name; all are stopped at the end."""
    started = []

    def make(script, *args, **kw):
        f = Fake(script, *args, **kw)
        started.append(f)
        return f
    yield make
    for f in started:
        f.stop()


def start(tmp_path, *options, wait=True, wrapper=(), env=None):
    """Start mediamon in the foreground on tmp_path/mnt with -o options,
    behind wrapper (a command prefix such as setpriv) if given, with env
    added to its environment."""
    mnt = tmp_path / "mnt"
    mnt.mkdir(exist_ok=True)
    db = str(tmp_path / "state" / "mediamon.db")
    args = list(wrapper) + WRAPPER + [BINARY, "-f"]
    for o in options + ("db=" + db,):
        args += ["-o", o]
    args.append(str(mnt))
    log = open(str(tmp_path / "mediamon.log"), "ab")
    # On a store of an earlier run, the last scan is that run's until
    # this one's first scan ends: it began after this moment (the times
    # of scan.json are rounded to the millisecond).
    since = time.time() - 0.002
    proc = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT,
                            env=dict(local_env(), **(env or {})))
    proc.log_path = str(tmp_path / "mediamon.log")
    try:
        wait_for(lambda: is_mounted(mnt) or proc.poll() is not None, 15,
                 "mount of %s, nor the daemon's exit" % mnt, interval=0.02)
        why = "mediamon exited with status %s" % proc.returncode
    except AssertionError as e:
        why = str(e)
    if not is_mounted(mnt):
        unmount(mnt, proc)
        raise AssertionError("mount did not come up (%s): %s" % (
            why, (tmp_path / "mediamon.log").read_text()))
    m = Mount(str(mnt), proc, db)
    if wait:
        m.wait_idle(since=since)
    return m


def start_refused(tmp_path, *options):
    """The log of a mediamon started with options that must stop it:
    the refusal may come before its mount is up, or just after."""
    try:
        m = start(tmp_path, *options, wait=False)
    except AssertionError as e:
        return str(e)
    try:
        # no mount=m: the exit awaited would fail the wait when it came
        # between a look at the process and wait_for's own
        wait_for(lambda: m.proc.poll() is not None, 60, "the daemon's exit")
    finally:
        unmount(m.path, m.proc)
    with open(m.proc.log_path) as f:
        return f.read()


@pytest.fixture
def mount(library, tmp_path):
    m = start(tmp_path, "music=" + str(library))
    yield m
    unmount(m.path, m.proc)
    assert not is_mounted(m.path)


@pytest.fixture
def make_mount(tmp_path):
    """Start mounts with any options; all are unmounted at the end."""
    started = []

    def make(*options, wait=True, where=None, wrapper=(), env=None):
        m = start(where or tmp_path, *options, wait=wait, wrapper=wrapper,
                  env=env)
        started.append(m)
        return m
    yield make
    for m in started:
        unmount(m.path, m.proc)
        assert not is_mounted(m.path)


def pytest_sessionfinish(session, exitstatus):
    """Never leave a test mount of this session behind, whatever
    happened (other sessions' mounts are theirs)."""
    base = str(session.config._tmp_path_factory.getbasetemp()) + "/"
    with open("/proc/mounts") as f:
        stale = [line.split()[1] for line in f
                 if line.startswith("mediamon ") and
                 line.split()[1].startswith(base)]
    for path in stale:
        subprocess.run(["fusermount3", "-u", "-z", path],
                       stderr=subprocess.DEVNULL)


def add_scan(db, started, duration, files_seen=0, bytes_read=0, success=1,
             scan_id=None):
    """A finished scan of the history, written into the store through the
    sqlite3 connection db, as the daemon's writer would record one."""
    db.execute("INSERT INTO scans (id, trigger, scope, started_at,"
               " finished_at, duration_s, files_seen, bytes_read, success)"
               " VALUES (?, 'control', 'incremental', ?, ?, ?, ?, ?, ?)",
               (scan_id, started, started + duration, duration, files_seen,
                bytes_read, success))
