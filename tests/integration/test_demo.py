# SPDX-License-Identifier: GPL-3.0-or-later
"""The first ten minutes of a new user: `make run`'s demo comes up with
every part working (scan, covers, the audio analysis with a duplicate and
/similar, a manga series with gaps, the monitor's check on the local
catalog) and logs no warning or error; and the README's first command on
a clean clone, with nothing but a bare environment and no sudo."""

import json
import os
import re
import shutil
import signal
import struct
import subprocess

import pytest

from conftest import BINARY, REPO, is_mounted, wait_for

# What tests/data/make-demo.sh and make-demo-manga.sh plant.
DUPLICATES = ["Aurora Tones/Dawn Chorus (Single) (2022)/01 - Dawn Chorus.mp3",
              "Aurora Tones/First Light (2019)/01 - Dawn Chorus.flac"]
TRACKS = 31
MISSING = "Berserk\t4\nMob Psycho 100\t1\nMob Psycho 100\t4\nOne Piece\t3\n"
FOUND = {("One Piece", 3): 1, ("Berserk", 4): 2}
SYSTEM_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"


class Demo:
    """`make run` (or the README's command) running in its own process
    group, as a terminal would run it, its output in a file."""

    def __init__(self, cmd, cwd, mnt, log, env=None):
        self.mnt = str(mnt)
        self.log = str(log)
        with open(self.log, "wb") as out:
            self.proc = subprocess.Popen(cmd, cwd=cwd, env=env,
                                         stdout=out,
                                         stderr=subprocess.STDOUT,
                                         stdin=subprocess.DEVNULL,
                                         start_new_session=True)

    def path(self, rel):
        return os.path.join(self.mnt, rel)

    def read(self, rel):
        with open(self.path(rel), "rb") as f:
            return f.read().decode()

    def json(self, rel):
        return json.loads(self.read(rel))

    def output(self):
        with open(self.log, errors="replace") as f:
            return f.read()

    def wait_mounted(self, timeout):
        def up():
            if self.proc.poll() is not None:
                raise AssertionError("make exited (%s) before the mount "
                                     "came up:\n%s" % (self.proc.returncode,
                                                       self.output()))
            return is_mounted(self.mnt)
        wait_for(up, timeout, "the demo's mount")

    def stop(self):
        """Ctrl-C, as the README says: the whole foreground group gets
        SIGINT; the daemon unmounts and make ends."""
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGINT)
            try:
                self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        if is_mounted(self.mnt):
            subprocess.run(["fusermount3", "-u", "-z", self.mnt],
                           stderr=subprocess.DEVNULL)


def problems(text):
    """The log lines at warning or error level, and make's errors."""
    return [line for line in text.splitlines()
            if re.search(r" (warn|error): |^mediamon: |\*\*\*", line)]


def check_demo(demo, music):
    """Everything the demo plants shows, and nothing went wrong."""
    def analysed():
        a = demo.json("metrics/analysis.json")
        return (a["analysed"] == TRACKS and a["queued"] == 0 and
                a["busy"] == 0 and a["failed"] == 0) and a
    scan = wait_for(lambda: demo.json("metrics/scan.json")["last"], 60,
                    "the first scan", ignore=(OSError, ValueError))
    assert scan["success"] and scan["files_seen"] >= TRACKS
    wait_for(analysed, 300, "the analysis of every track",
             ignore=(OSError, ValueError))

    def found():
        doc = demo.json("status/found.json")
        got = {(w["series"], w["volume"]): len(w["releases"]) for w in doc}
        return all(got.get(k) == n for k, n in FOUND.items()) and got
    wait_for(found, 120, "the missing-volume check on the catalog",
             ignore=(OSError, ValueError))

    dups = demo.read("status/duplicates").splitlines()
    assert dups == [os.path.join(music, p) for p in DUPLICATES]
    alike = os.listdir(demo.path("similar/Dawn Chorus"))
    assert len(alike) == 25
    assert any("Dawn Chorus" in name for name in alike)
    assert demo.read("status/missing") == MISSING
    album = demo.path("library/music/artists/Aurora Tones/First Light "
                      "(2019)")
    for cover in (album + "/cover.jpg",
                  demo.path("library/music/artists/Square Pegs/"
                            "Pulse Code (2008)/cover.jpg"),
                  demo.path("library/music/artists/Aurora Tones/"
                            "artist.jpg")):
        with open(cover, "rb") as f:
            assert f.read(3) == b"\xff\xd8\xff", cover
    # the manga covers a reader shows: real PNG images, not stubs
    for series in ("One Piece", "Berserk", "Mob Psycho 100"):
        with open(demo.path("manga/%s/cover.png" % series), "rb") as f:
            image = f.read()
        assert image[:8] == b"\x89PNG\r\n\x1a\n" and image[12:16] == \
            b"IHDR", series
        assert struct.unpack(">II", image[16:24]) == (120, 180), series
    assert demo.read("status/health") == "ok\n"
    assert demo.json("status/summary.json")["counts"]["tracks"] == TRACKS


@pytest.fixture
def root():
    if os.geteuid() != 0:
        pytest.skip("mounts, and runs the set-up script as root")
    if os.path.realpath(BINARY) != os.path.realpath(
            os.path.join(REPO, "mediamon")):
        pytest.skip("make run runs ./mediamon, not the binary this run "
                    "checks (%s)" % BINARY)


def test_make_run_demo(root, tmp_path):
    """`make run` on the work tree (already built by `make test`), its
    demo made in a folder of the test's own. It runs the binaries under
    test as they are: a build going on in the same tree (an edit, a
    second make) must not relink them under it, which the clean clone's
    test below covers as a user's first make run."""
    demo_dir = tmp_path / "demo"
    mnt = tmp_path / "mnt"
    demo = Demo(["make", "-s", "-o", "mediamon", "-o", "mediamon-analyse",
                 "run", "DEMO=" + str(demo_dir),
                 "MNT=" + str(mnt)], REPO, mnt, tmp_path / "run.log")
    try:
        demo.wait_mounted(300)
        check_demo(demo, str(demo_dir / "music"))
        assert (demo_dir / "mediamon.conf").read_text().count(
            str(demo_dir) + "/catalog.jsonl") == 1
    finally:
        demo.stop()
    out = demo.output()
    assert problems(out) == [], out
    assert "info: database: created at version" in out
    assert "info: unmounting " + str(mnt) in out
    # make, interrupted like the daemon, ends by the signal
    assert demo.proc.returncode == -signal.SIGINT, out
    assert not is_mounted(mnt)


def test_problems_are_seen():
    """The check above would see a warning, an error, and make failing."""
    assert problems("2026-01-01T00:00:00Z warn: x\n"
                    "2026-01-01T00:00:00Z info: fine\n"
                    "2026-01-01T00:00:00Z error: y\n"
                    "make: *** [Makefile:1: run] Error 1\n") == [
        "2026-01-01T00:00:00Z warn: x", "2026-01-01T00:00:00Z error: y",
        "make: *** [Makefile:1: run] Error 1"]


def readme_first_command():
    with open(os.path.join(REPO, "README.md")) as f:
        text = f.read()
    section = text.split("## Set up and run", 1)[1]
    return re.search(r"^    (\S.*)$", section, re.M).group(1)


def test_clean_clone_readme_command(root, tmp_path):
    """A fresh clone, the README's first command in an empty environment
    but for a system PATH (no HOME, no sudo to be found), as root: the
    packages are there, the build runs, the demo comes up and logs no
    warning."""
    cmd = readme_first_command()
    assert cmd == "contrib/install-deps.sh && make run"
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", REPO, str(clone)], check=True)
    path = SYSTEM_PATH
    if shutil.which("sudo", path=SYSTEM_PATH):
        # a root shell in a container has no sudo: a PATH of this
        # machine's commands but that one
        bare = tmp_path / "bin"
        bare.mkdir()
        for folder in reversed(SYSTEM_PATH.split(":")):
            for name in os.listdir(folder) if os.path.isdir(folder) else ():
                if name != "sudo":
                    link = bare / name
                    if os.path.lexists(str(link)):
                        link.unlink()
                    link.symlink_to(os.path.join(folder, name))
        path = str(bare)
    shell = ["env", "-i", "PATH=" + path, "sh", "-c", cmd]
    demo = Demo(shell, str(clone), clone / "mnt", tmp_path / "run.log")
    try:
        demo.wait_mounted(1200)
        check_demo(demo, str(clone / "build" / "demo" / "music"))
    finally:
        demo.stop()
    out = demo.output()
    assert "install-deps: all packages present" in out
    assert problems(out) == [], out
    assert "info: unmounting " in out
    assert demo.proc.returncode == -signal.SIGINT, out


def test_make_run_builds_on_every_core():
    """`make run` builds with a job a core when make was given no -j, and
    leaves make's own jobs alone when it was."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")}
    cores = len(os.sched_getaffinity(0))

    def dry(*args):
        return subprocess.run(["make", "-n"] + list(args) + ["run"],
                              cwd=REPO, env=env, capture_output=True,
                              text=True, timeout=120).stdout

    assert re.search(r"make --no-print-directory -j%d mediamon "
                     r"mediamon-analyse" % cores, dry()), dry()
    assert re.search(r"make --no-print-directory +mediamon "
                     r"mediamon-analyse", dry("-j2")), dry("-j2")
