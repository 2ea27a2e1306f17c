# SPDX-License-Identifier: GPL-3.0-or-later
"""mediamon's logging and signals: the log level set through the control
file, journal priorities under systemd, plain stderr outside it, syslog
when daemonized, SIGHUP reloading the configuration (roots added and
removed, bad files refused, while the mount is busy), and the stop
signals unmounting."""

import errno
import os
import re
import shutil
import signal
import socket
import subprocess
import threading

import pytest

import conftest
from conftest import is_mounted, start, unmount, wait_for
from service_common import receive_until, log_lines, write_conf
from service_common import notify_socket  # noqa: F401 (for pytest)


def test_log_level_control(library, tmp_path):
    m = start(tmp_path, "music=" + str(library))
    try:
        assert m.read("control/log-level").decode().split("\n")[0] == \
            "info"
        assert m.write("control/log-level", "debug\n") == 6
        assert m.read("control/log-level").decode().startswith("debug\n")
        assert any(re.match(r"\S+ debug: log level now debug$", line)
                   for line in log_lines(m))
        m.write("control/log-level", "error")
        assert m.read("control/log-level").decode().startswith("error\n")
        scan = m.rescan()
        started = "scan %d started" % scan["id"]
        assert not any(started in line for line in log_lines(m))
        m.write("control/log-level", "info")
        scan = m.rescan()
        started = "scan %d started" % scan["id"]
        assert any(started in line for line in log_lines(m))
        for bad in ["verbose", "\n", "DEBUGGING", "debug\ninfo", "info\0",
                    "warning", "in fo"]:
            with pytest.raises(OSError) as e:
                m.write("control/log-level", bad)
            assert e.value.errno == errno.EINVAL, bad
            assert m.read("control/log-level").decode().startswith(
                "info\n")
    finally:
        unmount(m.path, m.proc)


@pytest.mark.parametrize("var", ["INVOCATION_ID", "JOURNAL_STREAM"])
def test_journal_priority_prefixes(var, library, tmp_path, monkeypatch):
    """Run by systemd, stderr lines carry the journal's priority and no
    time stamp (the journal has its own)."""
    monkeypatch.setenv(var, "8:1234" if var == "JOURNAL_STREAM"
                       else "0123456789abcdef0123456789abcdef")
    # a notification socket nobody listens on gives an error line
    monkeypatch.setenv("NOTIFY_SOCKET", str(tmp_path / "nobody"))
    m = start(tmp_path, "music=" + str(library))
    unmount(m.path, m.proc)
    lines = (tmp_path / "mediamon.log").read_text().splitlines()
    assert lines and all(re.match(r"<[3467]>(debug|info|warn|error): ",
                                  line) for line in lines), lines
    assert any(line.startswith("<6>info: scan 1 started") for line in lines)
    assert any(line.startswith("<3>error: notify: ") for line in lines)


def test_plain_stderr_outside_systemd(library, tmp_path, monkeypatch):
    for var in ("INVOCATION_ID", "JOURNAL_STREAM"):
        monkeypatch.delenv(var, raising=False)
    m = start(tmp_path, "music=" + str(library))
    unmount(m.path, m.proc)
    lines = (tmp_path / "mediamon.log").read_text().splitlines()
    assert lines and all(re.match(r"\d{4}-\d\d-\d\dT\S+Z (debug|info|"
                                  r"warn|error): ", line) for line in lines)


SYSLOG_SCRIPT = """set -e
# A /dev of our own in this mount namespace, whose log socket is the
# test's listener.
mkdir -p "$T/dev"
mount -t tmpfs tmpfs "$T/dev"
for d in fuse null zero urandom; do
    touch "$T/dev/$d"
    mount --bind "/dev/$d" "$T/dev/$d"
done
touch "$T/dev/log"
mount --bind "$SOCK" "$T/dev/log"
mount --rbind "$T/dev" /dev
"$BINARY" -o "music=$LIB" -o "db=$T/db/m.db" "$MNT"
cat "$MNT/status/summary.json" > /dev/null
fusermount3 -u "$MNT"
for i in $(seq 300); do
    pgrep -f -- "$MNT" >/dev/null || exit 0
    sleep 0.1
done
exit 1
"""


def test_syslog_when_daemonized(library, tmp_path):
    if os.geteuid() != 0:
        pytest.skip("a private /dev needs root")
    sock_path = tmp_path / "log.sock"
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    conftest.bind_unix(sock, sock_path)
    sock.settimeout(0.5)
    mnt = tmp_path / "mnt"
    mnt.mkdir()
    env = dict(os.environ, T=str(tmp_path), SOCK=str(sock_path),
               BINARY=conftest.BINARY, LIB=str(library), MNT=str(mnt))
    for var in ("INVOCATION_ID", "JOURNAL_STREAM"):
        env.pop(var, None)
    r = subprocess.run(["unshare", "-m", "--propagation", "private", "sh",
                        "-c", SYSLOG_SCRIPT], env=env, capture_output=True,
                       text=True, timeout=60)
    got = []

    def drained():
        """Whether nothing came for the socket's timeout."""
        try:
            got.append(sock.recv(4096).decode())
        except socket.timeout:
            return True
        return False
    wait_for(drained, 30, "end of the daemon's syslog datagrams",
             interval=0)
    sock.close()
    assert r.returncode == 0, r.stderr
    # <30> is facility daemon (3 * 8) and priority info (6)
    assert any(re.match(r"<30>.*mediamon\[\d+\]: info: scan 1 started",
                        m) for m in got), got
    assert "scan 1 started" not in r.stderr


def root_files(m):
    return {r["path"]: r["files"]
            for r in m.json("status/summary.json")["roots"]}


@pytest.fixture
def reloadable(library, template_library, tmp_path):
    """A daemon on a config file with one music root, and a second
    library to add."""
    second = tmp_path / "second"
    shutil.copytree(str(template_library / "Beta"), str(second))
    conf = tmp_path / "mediamon.conf"
    write_conf(conf, [("music", library)])
    m = start(tmp_path, "config=" + str(conf))
    yield m, conf, library, second
    unmount(m.path, m.proc)


def test_progress_of_a_scan_with_a_new_root(reloadable, tmp_path):
    """A root added by a reload: the scan's estimate is unknown (null),
    never the old total that the files done soon pass (a progress bar
    at 4,400%), in summary.json and in scan.json."""
    m, conf, library, _ = reloadable
    flac = next(os.path.join(d, f) for d, _, fs in os.walk(str(library))
                for f in fs if f.endswith(".flac"))
    seen = []

    def look(root):
        for doc in (m.json("status/summary.json")["scan_progress"],
                    (m.json("metrics/scan.json")["running"] or {}).get(
                        "progress")):
            if doc:
                seen.append(doc)
        return root_files(m).get(root) == 3000

    for i in range(10):
        new = tmp_path / ("new%d" % i)
        new.mkdir()
        for n in range(3000):
            os.link(flac, str(new / ("%04d.flac" % n)))
        write_conf(conf, [("music", library), ("music", new)])
        m.proc.send_signal(signal.SIGHUP)
        wait_for(lambda: look(str(new)), 120, "the new root scanned",
                 mount=m, interval=0.002)
        if any(p["done"] > 10 for p in seen):
            break
    assert any(p["done"] > 10 for p in seen), seen
    for p in seen:
        assert p["total_estimate"] is None or \
            p["total_estimate"] >= p["done"], p


def test_sighup_adds_and_removes_roots(reloadable):
    m, conf, library, second = reloadable
    assert root_files(m) == {str(library): 10}
    write_conf(conf, [("music", library), ("music", second)])
    m.proc.send_signal(signal.SIGHUP)

    wait_for(lambda: root_files(m), 30, "both roots scanned",
             until=lambda roots: roots == {str(library): 10, str(second): 4},
             mount=m)
    assert m.json("status/summary.json")["counts"]["tracks"] == 12
    assert any("reload: done, 2 music and 0 manga roots" in line
               for line in log_lines(m))

    write_conf(conf, [("music", second)])
    m.proc.send_signal(signal.SIGHUP)

    wait_for(lambda: root_files(m), 30, "the first root gone",
             until=lambda roots: roots == {str(second): 4}, mount=m)
    m.wait_idle()
    assert m.json("status/summary.json")["counts"]["tracks"] == 3
    assert sorted(os.listdir(m.file("library/music/artists"))) == ["Beta"]
    assert m.proc.poll() is None


def test_reloads_while_the_mount_is_busy(reloadable):
    """Reads of health and rescan writes go on through reloads that
    replace the roots: each is served, or refused with EAGAIN while the
    indexer restarts, and the daemon lives on."""
    m, conf, library, second = reloadable
    stop = threading.Event()
    errors = []

    def busy():
        while not stop.is_set():
            try:
                m.read("status/health")
                m.write("control/rescan", str(library) + "\n")
            except OSError as e:
                if e.errno != errno.EAGAIN:
                    errors.append(e)
    threads = [threading.Thread(target=busy, daemon=True)
               for _ in range(4)]
    for t in threads:
        t.start()
    def ended():
        """The reloads over, done or refused, by the log."""
        with open(m.proc.log_path) as f:
            text = f.read()
        return text.count("reload: done") + text.count(
            "; keeping the configuration in use") + text.count(
            "reload: the indexer")

    try:
        for i in range(10):
            roots = [("music", library)] + ([("music", second)] if i % 2
                                            else [])
            write_conf(conf, roots)
            before = ended()
            m.proc.send_signal(signal.SIGHUP)
            # each reload begun and over before the next signal, which
            # would otherwise merge with it
            wait_for(ended, 30, "reload %d over" % i, mount=m,
                     until=lambda n: n > before, interval=0.02)
    finally:
        stop.set()
    wait_for(lambda: [t.name for t in threads if t.is_alive()], 30,
             "end of the busy threads", until=lambda alive: not alive,
             interval=0.1)
    assert errors == []
    assert m.proc.poll() is None
    m.wait_idle()


@pytest.mark.parametrize("bad", [
    "[music]\nroot = %(lib)s\nbogus = 1\n",
    "[general]\nthreads = many\n[music]\nroot = %(lib)s\n",
    "[music]\nroot = %(lib)s/no-such-folder\n",
    None,	# the file is gone
])
def test_sighup_refuses_bad_config(bad, reloadable, tmp_path):
    m, conf, library, second = reloadable
    before = m.json("status/summary.json")["roots"]
    if bad is None:
        conf.unlink()
    else:
        conf.write_text(bad % {"lib": library, "tmp": tmp_path})
    m.proc.send_signal(signal.SIGHUP)

    line = wait_for(lambda: [line for line in log_lines(m)
                             if "keeping the configuration in use" in line],
                    30, "the refusal in the log", mount=m)[0]
    assert " error: reload: " in line
    if bad is None or "bogus" in bad:
        assert str(conf) in line
    # still serving, with the same roots, and still scanning
    assert m.proc.poll() is None
    assert m.json("status/summary.json")["roots"] == before
    assert m.rescan()["files_seen"] == 10
    # health says so, as what runs is not what the file says, until a
    # reload works
    why = line.split(" error: reload: ", 1)[1].split(
        "; keeping the configuration in use")[0]
    assert m.read("status/health").decode() == (
        "error: reload refused: %s; the configuration from before is in"
        " use\n" % why)
    write_conf(conf, [("music", library)])
    m.proc.send_signal(signal.SIGHUP)
    wait_for(lambda: m.read("status/health") == b"ok\n", 30,
             "health ok after a good reload", mount=m)


def test_sighup_notifies_reloading(notify_socket, reloadable):
    m, conf, library, second = reloadable
    receive_until(notify_socket, "READY")
    m.proc.send_signal(signal.SIGHUP)
    got = receive_until(notify_socket, "RELOADING")
    assert got[-1]["RELOADING"] == "1"
    assert receive_until(notify_socket, "READY")[-1]["READY"] == "1"


def test_sighup_refuses_another_database(library, tmp_path):
    """The database comes from the file here (start() would give -o db=,
    which wins over any file)."""
    conf = tmp_path / "mediamon.conf"
    conf.write_text("[general]\ndatabase = %s/a.db\n[music]\nroot = %s\n"
                    % (tmp_path, library))
    mnt = tmp_path / "mnt"
    mnt.mkdir()
    log = open(str(tmp_path / "mediamon.log"), "ab")
    proc = subprocess.Popen([conftest.BINARY, "-f", "-o", "config=" +
                             str(conf), str(mnt)], stdout=log,
                            stderr=subprocess.STDOUT)
    m = conftest.Mount(str(mnt), proc, str(tmp_path / "a.db"))
    try:
        wait_for(lambda: is_mounted(mnt), 30, "the mount", mount=m)
        m.wait_idle()
        conf.write_text(conf.read_text().replace("a.db", "b.db"))
        proc.send_signal(signal.SIGHUP)

        refused = wait_for(lambda: [
            line for line in log_lines(m)
            if "keeping the configuration in use" in line], 30,
            "the refusal in the log", mount=m)
        assert "the database cannot change" in refused[0]
        assert m.rescan()["files_seen"] == 10
        assert not os.path.exists(str(tmp_path / "b.db"))
    finally:
        unmount(m.path, proc)


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_stop_signals_unmount(sig, library, tmp_path):
    m = start(tmp_path, "music=" + str(library))
    try:
        m.proc.send_signal(sig)
        assert m.proc.wait(timeout=15) == 0
        assert not is_mounted(m.path)
    finally:
        unmount(m.path, m.proc)
    assert "unmounting" in (tmp_path / "mediamon.log").read_text()
