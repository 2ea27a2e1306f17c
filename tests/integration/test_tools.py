# SPDX-License-Identifier: GPL-3.0-or-later
"""The mount as the tools people already use see it (issue 46): what it
never does is refused with an error that says why (never "Function not
implemented"), and the modes it shows match what works."""

import errno
import json
import os
import pathlib
import shutil
import stat
import subprocess

import pytest

from conftest import BINARY, make_flac, start, unmount, wait_for
from access_users import start_daemon, user, world  # noqa: F401


def track(mount):
    """A track file of the views, relative to the mount."""
    for top, _, files in os.walk(mount.file("library/music/artists")):
        for name in files:
            if name.endswith(".flac"):
                return os.path.relpath(os.path.join(top, name), mount.path)
    raise AssertionError("no track in the views")


def tool(mount, *cmd):
    """Run cmd in the mount; its exit status and what it said."""
    r = subprocess.run(cmd, cwd=mount.path, capture_output=True, text=True,
                       timeout=30)
    return r.returncode, r.stderr


# Each refused command, and the errno whose text it must print.
REFUSED = [
    (("rm", "-f", "status/health"), errno.EROFS),
    (("rm", "-f", "{track}"), errno.EROFS),
    (("rmdir", "status"), errno.EROFS),
    (("mkdir", "status/new-folder"), errno.EROFS),
    (("touch", "status/new-file"), errno.EROFS),
    (("mkfifo", "status/fifo"), errno.EROFS),
    (("mv", "status/health", "status/health2"), errno.EROFS),
    (("mv", "control/rescan", "control/rescan2"), errno.EROFS),
    (("ln", "-s", "health", "status/link"), errno.EROFS),
    (("ln", "status/health", "status/hard"), errno.EROFS),
    (("chmod", "600", "status/health"), errno.EPERM),
    (("chmod", "755", "status"), errno.EPERM),
    (("chmod", "644", "{track}"), errno.EPERM),
    (("chown", "1:1", "control/rescan"), errno.EPERM),
    (("/usr/bin/python3", "-c", "import os; os.utime('status/health',"
      " (1, 1))"), errno.EPERM),
    (("/usr/bin/python3", "-c", "import os; os.utime('{track}')"),
     errno.EPERM),
    (("touch", "{track}"), errno.EACCES),
    (("truncate", "-s", "0", "status/health"), errno.EACCES),
    (("setfattr", "-n", "user.mood", "-v", "calm", "{track}"),
     errno.EPERM),
    (("setfattr", "-x", "user.title", "{track}"), errno.EPERM),
]


def test_refusals_say_why(mount):
    t = track(mount)
    before = sorted(os.listdir(mount.file("status")))
    size = os.stat(mount.file(t)).st_size
    for cmd in REFUSED:
        args = [a.replace("{track}", t) for a in cmd[0]]
        rc, said = tool(mount, *args)
        assert rc != 0, args
        assert os.strerror(cmd[1]) in said, (args, said)
        assert "not implemented" not in said, (args, said)
    assert sorted(os.listdir(mount.file("status"))) == before
    assert os.stat(mount.file(t)).st_size == size
    assert os.stat(mount.file("status")).st_mode & 0o777 == 0o555


def test_what_works_still_works(mount):
    """Touching a generated file asks for the time "now": it is taken
    and changes nothing. A control file takes `echo 1 >`, and a
    truncate to 0 first, as its mode 0644 says."""
    assert tool(mount, "touch", "status/health") == (0, "")
    assert tool(mount, "touch", "control/rescan") == (0, "")
    assert tool(mount, "truncate", "-s", "0", "control/dry-run") == (0, "")
    assert tool(mount, "sh", "-c", "echo 0 > control/dry-run") == (0, "")
    assert mount.read("control/dry-run").startswith(b"0\n")


def test_modes_match_what_works(mount):
    """Writable is 0644 and takes a write; 0444 refuses one; folders are
    0555 and take no new name; a track is 0444."""
    t = track(mount)
    for rel, mode in [("control/rescan", 0o644), ("status/health", 0o444),
                      ("status", 0o555), (t, 0o444)]:
        st = os.stat(mount.file(rel))
        assert stat.S_IMODE(st.st_mode) == mode, rel
        if stat.S_ISDIR(st.st_mode):
            continue
        try:
            os.close(os.open(mount.file(rel), os.O_WRONLY))
            writable = True
        except PermissionError:
            writable = False
        assert writable == bool(mode & 0o200), rel


def test_manga_series_files(library, tmp_path):
    """A series' writable files are 0644, its others 0444; neither can be
    removed or renamed, and the folder takes no new file."""
    manga = tmp_path / "manga"
    (manga / "Saga").mkdir(parents=True)
    (manga / "Saga" / "Saga v01.cbz").write_bytes(b"PK\x05\x06" + bytes(18))
    m = start(tmp_path, "music=" + str(library), "manga=" + str(manga))
    try:
        for name, mode in [("preferences", 0o644), ("monitored", 0o644),
                           ("latest", 0o644), ("source", 0o644),
                           ("edition", 0o644),
                           ("volumes", 0o444), ("status.json", 0o444)]:
            rel = "manga/Saga/" + name
            assert stat.S_IMODE(os.stat(m.file(rel)).st_mode) == mode, rel
        for cmd, err in [(("rm", "-f", "manga/Saga/preferences"),
                          errno.EROFS),
                         (("mv", "manga/Saga/latest", "manga/Saga/x"),
                          errno.EROFS),
                         (("touch", "manga/Saga/new"), errno.EROFS)]:
            rc, said = tool(m, *cmd)
            assert rc != 0 and os.strerror(err) in said, (cmd, said)
        assert tool(m, "sh", "-c", "echo 0 > manga/Saga/monitored") == (
            0, "")
        assert m.read("manga/Saga/monitored").startswith(b"0")
        # as typed: blanks and a CRLF line end around the number
        m.write("manga/Saga/monitored", " 1 \r\n")
        assert m.read("manga/Saga/monitored").startswith(b"1")
        m.write("manga/Saga/latest", "\t7\r\n")
        assert m.read("manga/Saga/latest").startswith(b"7")
    finally:
        unmount(m.path, m.proc)


def refusals(mount):
    """The lines of /log that say a control write was refused."""
    return [line for line in mount.read("log").decode().splitlines()
            if "control: " in line and " refused " in line]


def test_control_input_as_typed(mount):
    """Blanks around a command, a CRLF line end and the case of command
    words are taken as people type them."""
    for typed in [" 1 ", "1\r\n", "\t1\t\n", "FULL", "Full \r\n"]:
        before = mount.scan_id()
        mount.write("control/rescan", typed)
        mount.wait_idle(after_id=before)
    for typed, shown in [(" ON \r\n", b"1\n"), ("Off", b"0\n"),
                         ("TRUE\n", b"1\n"), ("  0", b"0\n")]:
        mount.write("control/dry-run", typed)
        assert mount.read("control/dry-run").startswith(shown), typed
    for typed, shown in [("INFO", b"info\n"), (" Debug\r\n", b"debug\n"),
                         ("warn \n", b"warn\n")]:
        mount.write("control/log-level", typed)
        assert mount.read("control/log-level").startswith(shown), typed
    mount.write("control/log-level", "info")
    mount.write("control/pause", " 1\r\n")
    assert mount.read("control/pause").startswith(b"1\n")
    mount.write("control/pause", "0 ")
    assert mount.read("control/pause").startswith(b"0\n")
    assert refusals(mount) == []


# A refused write, and what its one log line must hold.
REFUSED_WRITES = [
    ("control/rescan", b"bogus\r\n", ['"bogus\\r\\n"', "(7 bytes)",
                                      "not a command it takes"]),
    ("control/rescan", b"1\n1\n", ['"1\\n1\\n"', "one command a write"]),
    ("control/rescan", b"/nowhere/at/all", ['"/nowhere/at/all"',
                                            "not a path inside a root"]),
    ("control/rescan", b"\x01\x02\xff\n", ['"\\x01\\x02\\xff\\n"',
                                           "(4 bytes)"]),
    ("control/rescan", b"x" * 300, ['"' + "x" * 64 + '"...',
                                    "(300 bytes)"]),
    ("control/pause", b"2", ['"2"', "not a command it takes"]),
    ("control/log-level", b"loud\n", ['"loud\\n"']),
    ("control/dry-run", b"a\x00b", ['"a\\x00b"', "NUL"]),
    ("control/reset-metrics", b"1 1", ['"1 1"']),
]


def test_refused_control_writes_log_one_line(mount):
    for rel, data, said in REFUSED_WRITES:
        before = refusals(mount)
        fd = os.open(mount.file(rel), os.O_WRONLY | os.O_TRUNC)
        try:
            with pytest.raises(OSError) as e:
                os.write(fd, data)
        finally:
            os.close(fd)
        assert e.value.errno == errno.EINVAL, (rel, data)
        new = refusals(mount)[len(before):]
        assert len(new) == 1, (rel, data, new)
        assert "/" + rel + " refused " in new[0], new[0]
        for part in said:
            assert part in new[0], (part, new[0])
        assert len(new[0]) < 400, new[0]


# Walks the generated files of the mount at argv[1] (not the library's
# real files) and prints, as JSON, how many it compared and each whose
# stat() or fstat() size is not the length of a read to its end.
SIZE_WALK = r"""
import json, os, sys
top = sys.argv[1]
real = {os.path.join(top, d) for d in ("library", "search", "similar")}
grows = {os.path.join(top, "log")}
checked, wrong = 0, []
for d, dirs, files in os.walk(top):
    dirs[:] = [x for x in dirs if os.path.join(d, x) not in real]
    for name in files:
        path = os.path.join(d, name)
        try:
            size = os.stat(path).st_size
            with open(path, "rb") as f:
                opened = os.fstat(f.fileno()).st_size
                data = b""
                while True:
                    part = f.read(4096)
                    if not part:
                        break
                    data += part
        except PermissionError:
            continue
        checked += 1
        if path in grows:
            bad = size > len(data) or opened > len(data)
        else:
            bad = size != len(data) or opened != len(data)
        if bad:
            wrong.append([os.path.relpath(path, top), size, opened,
                          len(data)])
print(json.dumps({"checked": checked, "wrong": wrong}))
"""


def size_walk(mount, prefix=()):
    """Every generated file's stat, fstat and read, once the daemon is
    quiet: a scan or an analysis that ends between a stat and its open
    changes what the open reads. /log grows: a read gives at least what
    its stat said."""
    mount.wait_quiet()
    wait_for(lambda: mount.json("metrics/analysis.json"), 90,
             "the analysis idle", mount=mount,
             until=lambda a: a["queued"] == 0 and a["busy"] == 0)
    out = subprocess.run(list(prefix) + ["/usr/bin/python3", "-c", SIZE_WALK,
                                         mount.path],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


@pytest.mark.skipif(os.geteuid() != 0 or not shutil.which("setpriv") or
                    not shutil.which("useradd"),
                    reason="needs root, useradd and setpriv")
def test_stat_sizes_are_true(user, world):
    """stat() and fstat() of every generated file give the length a read
    returns, for root and for another user (whose files differ: the
    owner's alone are not theirs to read), on a fresh mount and after a
    rescan and a control write changed what the files show."""
    root = pathlib.Path(world)
    music = root / "music"
    make_flac(str(music / "A" / "01.flac"), "One", "Art", "Alb", 1)
    manga = root / "manga" / "Saga"
    manga.mkdir(parents=True)
    (manga / "Saga v01.cbz").write_bytes(b"PK\x05\x06" + bytes(18))
    (manga / "Saga v03.cbz").write_bytes(b"PK\x05\x06" + bytes(18))
    m = start_daemon(world, "music=" + str(music),
                     "manga=" + str(manga.parent))
    try:
        for who, prefix in [("root", ()), ("user", user.prefix())]:
            walk = size_walk(m, prefix)
            assert walk["wrong"] == [], (who, walk)
            assert walk["checked"] >= 30, (who, walk)
        fresh = len(m.read("metrics/scan.csv"))
        make_flac(str(music / "A" / "02.flac"), "Two", "Art", "Alb", 2)
        m.rescan()
        m.write("manga/Saga/monitored", "0")
        assert len(m.read("metrics/scan.csv")) > fresh
        for who, prefix in [("root", ()), ("user", user.prefix())]:
            walk = size_walk(m, prefix)
            assert walk["wrong"] == [], (who, walk)
    finally:
        unmount(m.path, m.proc)


def test_stat_size_before_any_open(mount):
    """The first stat() of a file larger than a page gives its length,
    not a guess; ls -l and stat(1) agree with cat and wc."""
    for rel in ["README", "status/summary.json", "status/health",
                "metrics/scan.csv", "control/rescan"]:
        shown = int(subprocess.run(["stat", "-c", "%s", mount.file(rel)],
                                   capture_output=True, text=True,
                                   check=True).stdout)
        cat = subprocess.run(["cat", mount.file(rel)], capture_output=True,
                             check=True).stdout
        assert shown == len(cat), rel
    assert len(mount.read("README")) > 4096


def test_help_lists_each_option_once():
    """--help is mediamon's list alone, not libfuse's after it."""
    out = subprocess.run([BINARY, "--help"], capture_output=True, text=True,
                         timeout=10)
    assert out.returncode == 0
    named = [line.split()[0].rstrip(",") if not line.split()[0] == "-o"
             else line.split()[1].split("=")[0]
             for line in out.stdout.splitlines()
             if line.startswith("    -")]
    for option in ["-h", "-V", "-f", "-s", "-d", "allow_other",
                   "max_threads", "entry_timeout", "attr_timeout",
                   "render_deadline", "snapshot_files"]:
        assert named.count(option) == 1, (option, out.stdout)
    assert len(named) == len(set(named)), out.stdout


@pytest.mark.skipif(not shutil.which("getfattr"), reason="needs getfattr")
def test_getfattr_text_as_documented(tmp_path):
    """A title that is not ASCII: getfattr -d -e text (what the README of
    the mount says) shows it as it is; plain -d shows base64."""
    music = tmp_path / "music"
    title = "Café Ñandú"
    make_flac(str(music / "a.flac"), title, "Ärtist", "Älbum", 1)
    m = start(tmp_path, "music=" + str(music))
    try:
        assert b"getfattr -d -e text" in m.read("README")
        files = [os.path.join(d, f) for d, _, fs in os.walk(
            m.file("library/music/artists")) for f in fs
            if f.endswith(".flac")]
        assert len(files) == 1
        text = subprocess.run(["getfattr", "-d", "-e", "text", files[0]],
                              capture_output=True, check=True).stdout
        assert ('user.mediamon.title="%s"' % title).encode() in text
        plain = subprocess.run(["getfattr", "-d", files[0]],
                               capture_output=True, check=True).stdout
        assert b"user.mediamon.title=0s" in plain
    finally:
        unmount(m.path, m.proc)
