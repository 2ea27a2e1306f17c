# SPDX-License-Identifier: GPL-3.0-or-later
"""What the tests of who reads what share (test_access*.py and others): a
local user made for a test (useradd, then setpriv to act as it), a
folder every user may enter, a daemon whose mount is open to all, and
the denials counted: every access the user should be denied is counted,
and one that is not is a leak (`make reliability` prints both)."""

import base64
import errno
import json
import os
import pathlib
import pwd
import shutil
import sqlite3
import subprocess
import tempfile
import uuid

import pytest

from conftest import accounts, start
from reliability import every_file, record
from watch_common import write_conf


pytestmark = pytest.mark.skipif(
    os.geteuid() != 0 or not shutil.which("useradd") or
    not shutil.which("setpriv"),
    reason="needs root, useradd and setpriv to act as another user")


# Denials tried against the mount, and those that let the user in.
TALLY = {"tried": 0, "leaked": 0}


@pytest.fixture(scope="module", autouse=True)
def figures(request):
    """The denials a module's tests tried and those that let the user in,
    counted from zero and recorded under the module's name (a module
    that counts imports this fixture)."""
    TALLY.update(tried=0, leaked=0)
    yield
    record("access denials tried / leaked (%s)" % request.module.__name__,
           "%d / %d" % (TALLY["tried"], TALLY["leaked"]))


class User:
    """A local user of the machine, with a group of its own."""

    def __init__(self, name):
        self.name = name
        pw = pwd.getpwnam(name)
        self.uid, self.gid = pw.pw_uid, pw.pw_gid

    def prefix(self, groups=()):
        """setpriv acting as the user, with only the groups given."""
        how = ["--groups=" + ",".join(str(g) for g in groups)] if groups \
            else ["--clear-groups"]
        return ["setpriv", "--reuid=%d" % self.uid, "--regid=%d" % self.gid
                ] + how + ["--"]

    def run(self, *cmd, groups=()):
        return subprocess.run(self.prefix(groups) + list(cmd),
                              capture_output=True, timeout=60)

    def ask(self, ops, groups=()):
        """Do each (op, path) of ops as the user: "read" gives the bytes,
        "list" the sorted names, "xattr" the track's title attribute,
        "stat" nothing; each an OSError when refused."""
        out = self.run("/usr/bin/python3", "-c", ASK, json.dumps(ops),
                       groups=groups)
        assert out.returncode == 0, out
        return [OSError(r["errno"], path) if "errno" in r else
                base64.b64decode(r["data"]) if op != "list" else r["names"]
                for (op, path), r in zip(ops, json.loads(out.stdout))]

    def read(self, path, groups=()):
        return self.ask([("read", path)], groups)[0]

    def listdir(self, path, groups=()):
        return self.ask([("list", path)], groups)[0]


# What the user's process does, each answer (or errno) in a JSON list.
ASK = """
import base64, json, os, sys
out = []
for op, path in json.loads(sys.argv[1]):
    try:
        if op == "read":
            with open(path, "rb") as f:
                data = f.read()
        elif op == "xattr":
            data = os.getxattr(path, "user.mediamon.title")
        elif op == "stat":
            os.stat(path)
            data = b""
        else:
            out.append({"names": sorted(os.listdir(path))})
            continue
        out.append({"data": base64.b64encode(data).decode()})
    except OSError as e:
        out.append({"errno": e.errno})
print(json.dumps(out))
"""


def make_user():
    name = "mm" + uuid.uuid4().hex[:10]
    accounts("useradd", "--no-create-home", "--user-group", "--shell",
             "/usr/sbin/nologin", name)
    return User(name)


def drop_user(user):
    accounts("userdel", user.name, check=False)


@pytest.fixture
def user():
    u = make_user()
    yield u
    drop_user(u)


@pytest.fixture
def world():
    """A folder every user may enter (pytest's own are 0700), for the
    libraries, the mount point and the store."""
    d = tempfile.mkdtemp(prefix="mediamon-access.")
    os.chmod(d, 0o755)
    yield d
    with open("/proc/mounts") as f:
        for line in f:
            if line.split()[1].startswith(d + "/"):
                subprocess.run(["fusermount3", "-u", "-z", line.split()[1]])
    shutil.rmtree(d, ignore_errors=True)


@pytest.fixture
def in_root_home():
    """A folder of its own in /root, which only root may enter, as the
    issue's /root/secret.txt and /root/hidden are."""
    if not os.path.isdir("/root") or os.stat("/root").st_mode & 0o077:
        pytest.skip("/root is not a folder only root may enter")
    d = tempfile.mkdtemp(dir="/root", prefix="mediamon-hidden.")
    yield d
    shutil.rmtree(d, ignore_errors=True)


def denied(result, what):
    """Count an access the user must be refused; fail on a leak."""
    TALLY["tried"] += 1
    if not isinstance(result, OSError):
        TALLY["leaked"] += 1
        raise AssertionError("%s: the user got in: %r" % (what, result[:80]
                                                          if result else
                                                          result))
    assert result.errno in (errno.EACCES, errno.ENOENT, errno.EPERM), \
        (what, result)


def start_daemon(world, *options, wait=True, wrapper=()):
    """A daemon whose log, store and mount point are in world, its mount
    open to every user, as the service's is."""
    return start(pathlib.Path(world), "allow_other", *options, wait=wait,
                 wrapper=wrapper)


def titles(m):
    db = sqlite3.connect(m.db)
    try:
        return {t for (t,) in db.execute("SELECT title FROM tracks")}
    finally:
        db.close()


def music_world(world, template_library, music=""):
    """The template library in world, watched with a short debounce, its
    root's [music] section given music."""
    root = os.path.join(world, "music")
    shutil.copytree(str(template_library), root)
    conf = write_conf(pathlib.Path(world), root, music=music)
    os.chmod(str(conf), 0o600)
    return root, str(conf)


def real_files(m):
    """The view files of the mount that stand for real files (library/,
    search/), as the owner finds them."""
    return sorted(p for p in every_file(m.path)
                  if os.path.relpath(p, m.path).startswith(
                      ("library/", "search/")))


def assert_all_denied(user, paths, what, groups=()):
    for path, got in zip(paths, user.ask([("read", p) for p in paths],
                                         groups)):
        denied(got, "%s: %s" % (what, path))


def with_cover(root):
    """A folder image beside the tracks of Alpha/First (any bytes: the
    name makes it the cover), so covers are served too."""
    with open(os.path.join(root, "Alpha", "First", "cover.jpg"), "wb") as f:
        f.write(b"\xff\xd8\xff\xe0 not much of a picture")


def tone(path, hz, title, artist):
    """Twelve seconds of a tone with its harmonics as FLAC, tagged."""
    wav = path[:-5] + ".wav"
    subprocess.run(["sox", "-n", "-r", "22050", "-c", "1", wav, "synth",
                    "12", "pluck", str(hz), "synth", "12", "sine",
                    "mix", str(hz * 3 // 2)], check=True, capture_output=True)
    subprocess.run(["flac", "-s", "-f", "-o", path, wav], check=True,
                   capture_output=True)
    os.unlink(wav)
    subprocess.run(["metaflac", "--set-tag=TITLE=" + title,
                    "--set-tag=ARTIST=" + artist, "--set-tag=ALBUM=" + title,
                    path], check=True)
