# SPDX-License-Identifier: GPL-3.0-or-later
"""No one where they do not belong (issue 20): a local user made for the
test (useradd, then setpriv to act as it) reads through the mount only
what it may read on disk; links planted in a root lead nowhere outside
the roots; a rescan through a link to a folder indexes and watches
nothing; a configuration that holds a secret is the daemon's user's
alone, and --check-config shows no credential. Every access the user
should be denied is counted, and one that is not is a leak (`make
reliability` prints both)."""

import base64
import contextlib
import errno
import grp
import json
import os
import pathlib
import pwd
import shutil
import sqlite3
import stat
import subprocess
import tempfile
import time
import uuid

import pytest

from conftest import (BINARY, accounts, wait_for, is_mounted, make_flac,
                      make_mp3, start, stopped, unmount)
from reliability import every_file, record
from test_monitor import Monitor, saga
from test_watch import (CONVERGE_S, NOT_YET, fs_dirs, small_inotify_queue,
                        write_conf)

pytestmark = pytest.mark.skipif(
    os.geteuid() != 0 or not shutil.which("useradd") or
    not shutil.which("setpriv"),
    reason="needs root, useradd and setpriv to act as another user")

# Denials tried against the mount, and those that let the user in.
TALLY = {"tried": 0, "leaked": 0}


@pytest.fixture(scope="module", autouse=True)
def figures():
    yield
    record("access denials tried / leaked", "%d / %d" % (
        TALLY["tried"], TALLY["leaked"]))


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


# ------------------------------------------------------------ configuration

def secret_conf(path, music, prowlarr_url="http://127.0.0.1:1"):
    with open(path, "w") as f:
        f.write("[music]\nroot = %s\n[prowlarr]\nurl = %s\n"
                "api_key = k3y-SECRET-0042\n" % (music, prowlarr_url))
    os.chmod(path, 0o600)


def start_fails(conf, mnt):
    out = subprocess.run([BINARY, "-f", "-o", "config=" + conf, mnt],
                         capture_output=True, timeout=15)
    assert out.returncode == 1 and not is_mounted(mnt), out
    assert b"SECRET" not in out.stderr + out.stdout
    return out.stderr.decode()


def test_config_with_a_secret_is_the_daemon_users_alone(world, user,
                                                        template_library):
    music = os.path.join(world, "music")
    shutil.copytree(str(template_library), music)
    mnt = os.path.join(world, "mnt")
    os.mkdir(mnt)
    conf = os.path.join(world, "m.conf")
    secret_conf(conf, music)
    # readable by its group
    os.chmod(conf, 0o640)
    err = start_fails(conf, mnt)
    assert "api_key in [prowlarr] is a secret, but its group can read " \
        "this file (mode 0640); run chmod 600 " + conf in err, err
    # owned by another user, even one that keeps it to itself
    os.chmod(conf, 0o600)
    os.chown(conf, user.uid, user.gid)
    err = start_fails(conf, mnt)
    assert "is a secret, but this file belongs to uid %d, not to the " \
        "daemon's user (uid 0); run chown 0 %s" % (user.uid, conf) in err, err
    # a password in a URL is a secret too
    os.chown(conf, 0, 0)
    with open(conf, "w") as f:
        f.write("[music]\nroot = %s\n[download]\nclient = qbittorrent\n"
                "url = http://admin:pw-SECRET-77@127.0.0.1:1/\n" % music)
    os.chmod(conf, 0o604)
    err = start_fails(conf, mnt)
    assert "url in [download] is a secret, but every user can read " \
        "this file" in err, err
    # the same file as it should be starts
    os.chmod(conf, 0o600)
    m = start_daemon(world, "config=" + conf)
    unmount(m.path, m.proc)


def test_config_others_may_change_is_refused(world, user, template_library):
    """Issue 32: a configuration with no secret in it still says which
    folders the daemon reads as root: one another user owns, or others
    may write, stops the start, saying why and the fix."""
    music = os.path.join(world, "music")
    shutil.copytree(str(template_library), music)
    mnt = os.path.join(world, "mnt")
    os.mkdir(mnt)
    conf = os.path.join(world, "m.conf")
    with open(conf, "w") as f:
        f.write("[music]\nroot = %s\n" % music)
    os.chmod(conf, 0o644)
    os.chown(conf, user.uid, user.gid)
    err = start_fails(conf, mnt)
    assert "%s: this file belongs to uid %d, not to the daemon's user " \
        "(uid 0) or root" % (conf, user.uid) in err, err
    os.chown(conf, 0, 0)
    os.chmod(conf, 0o666)
    err = start_fails(conf, mnt)
    assert "every user can change this file (mode 0666)" in err, err
    os.chmod(conf, 0o644)
    m = start_daemon(world, "config=" + conf)
    unmount(m.path, m.proc)


def test_check_config_shows_no_credential(world, template_library):
    music = os.path.join(world, "music")
    shutil.copytree(str(template_library), music)
    conf = os.path.join(world, "m.conf")
    with open(conf, "w") as f:
        f.write("[music]\nroot = %s\n"
                "[prowlarr]\nurl = http://u:pw-SECRET-1@h:9696/"
                "?apikey=K-SECRET-2&x=1\napi_key = K-SECRET-3\n"
                "[download]\nclient = qbittorrent\n"
                "url = https://admin:pw-SECRET-4@qbit.example/\n"
                "password = pw-SECRET-5\n"
                "[sonarr]\nurl = http://h:8989/api?token=T-SECRET-6\n"
                % music)
    os.chmod(conf, 0o600)
    out = subprocess.run([BINARY, "--check-config", "-o", "config=" + conf],
                         capture_output=True, timeout=15)
    assert out.returncode == 0, out
    text = out.stdout.decode()
    assert "SECRET" not in text + out.stderr.decode(), text
    assert "url = http://********@h:9696/?apikey=********&x=1\n" in text
    assert "url = https://********@qbit.example/\n" in text
    assert "url = http://h:8989/api?token=********\n" in text
    assert "api_key = ********\n" in text
    # a bad URL is named in the error without its credentials
    with open(conf, "a") as f:
        f.write("[radarr]\nurl = ftp://u:pw-SECRET-7@h/\n")
    out = subprocess.run([BINARY, "--check-config", "-o", "config=" + conf],
                         capture_output=True, timeout=15)
    assert out.returncode == 1 and b"SECRET" not in out.stderr, out
    assert b"bad value 'ftp://********@h/' for url in [radarr]" in \
        out.stderr, out.stderr


# ----------------------------------------------------------------- helpers

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


# ---------------------------------------------------------------- symlinks

def test_planted_link_is_never_served(world, user, template_library,
                                      in_root_home):
    """A user who may write into a root (an upload folder) plants
    notes.mp3 -> a file in /root: the link is not indexed, and nothing of
    it is served, while what the user uploads beside it is."""
    root, conf = music_world(world, template_library)
    secret = os.path.join(in_root_home, "secret.txt")
    with open(secret, "w") as f:
        f.write("root's own secret\n")
    upload = os.path.join(root, "upload")
    os.mkdir(upload)
    os.chown(upload, user.uid, user.gid)
    m = start_daemon(world, "config=" + conf)
    try:
        assert user.run("ln", "-s", secret, os.path.join(
            upload, "notes.mp3")).returncode == 0
        make_mp3(os.path.join(world, "tune.mp3"), "Uploaded", "U", "Up", 1)
        assert user.run("cp", os.path.join(world, "tune.mp3"),
                        upload).returncode == 0
        # the same wait sees the upload beside it
        wait_for(lambda: "Uploaded" in titles(m),
                 CONVERGE_S, "the upload indexed",
                 mount=m, ignore=NOT_YET)
        m.rescan("1")
        assert "notes" not in titles(m)
        assert os.listdir(m.file("search/notes")) == []
        denied(user.read(m.file("search/notes/notes.mp3")),
               "search/notes/notes.mp3")
        assert b"root's own secret" not in m.read("log")
        assert b"leads outside every root" in m.read("log")
        found = os.listdir(m.file("search/uploaded"))
        assert found == ["01 - Uploaded.mp3"]
        assert user.read(m.file("search/uploaded/" + found[0])) == \
            open(os.path.join(upload, "tune.mp3"), "rb").read()
    finally:
        unmount(m.path, m.proc)


# Reads of a FIFO through the mount, one user process each: one more than
# the threads that answer the mount (ten, -o max_threads), which all hung
# on them once.
FIFO_READERS = 11


def read_within(path, seconds):
    """The bytes of path read by a child process, or None when it did not
    answer in time (the child is killed then: a hung FUSE read blocks
    only the child)."""
    proc = subprocess.Popen(["cat", path], stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL)
    try:
        out, _ = proc.communicate(timeout=seconds)
    except subprocess.TimeoutExpired:
        proc.kill()
        return None
    return out


def test_fifo_in_a_tracks_place_freezes_nothing(world, user,
                                                 template_library):
    """Issue 32: a user who may write into a root lets a track be indexed,
    stats it through the mount, swaps it for a FIFO and reads it through
    /search eleven times at once. Every read is refused at once (nothing
    waits for a writer that never comes), and root's status/health still
    answers within a second."""
    root, _ = music_world(world, template_library)
    # the store keeps the track while its FIFO is read
    conf = str(write_conf(pathlib.Path(world), root, debounce="60s"))
    upload = os.path.join(root, "upload")
    os.mkdir(upload)
    os.chown(upload, user.uid, user.gid)
    make_mp3(os.path.join(world, "bait.mp3"), "Bait", "B", "Bait", 1)
    assert user.run("cp", os.path.join(world, "bait.mp3"),
                    upload).returncode == 0
    m = start_daemon(world, "config=" + conf)
    readers = []
    fifo = os.path.join(upload, "bait.mp3")
    try:
        wait_for(lambda: "Bait" in titles(m), CONVERGE_S,
                 "the upload indexed", mount=m, ignore=NOT_YET)
        name = os.listdir(m.file("search/bait"))[0]
        track = m.file("search/bait/" + name)
        assert user.run("stat", track).returncode == 0
        assert user.run("rm", fifo).returncode == 0
        assert user.run("mkfifo", fifo).returncode == 0
        readers = [subprocess.Popen(user.prefix() + ["cat", track],
                                    stdout=subprocess.DEVNULL,
                                    stderr=subprocess.PIPE)
                   for _ in range(FIFO_READERS)]
        opened = False
        for r in readers:
            try:
                _, err = r.communicate(timeout=10)
            except subprocess.TimeoutExpired:
                raise AssertionError("a read of the FIFO hung the mount")
            # refused: by the open, or, when the kernel asks for the
            # name again first, by the lookup of what is now a FIFO
            assert r.returncode != 0 and (
                b"Permission denied" in err or
                b"No such file or directory" in err), err
            opened = opened or b"Permission denied" in err
        health = read_within(m.file("status/health"), 1)
        assert health is not None, "status/health did not answer within 1 s"
        # an open's refusal is logged; a lookup's finds no file to name
        assert not opened or b"not a regular file now" in m.read("log")
    finally:
        # a writer releases whatever still waits on the FIFO, so the
        # mount can go
        if os.path.exists(fifo) and stat.S_ISFIFO(os.stat(fifo).st_mode):
            with contextlib.suppress(OSError):
                os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
        for r in readers:
            r.kill()
            r.wait()
        unmount(m.path, m.proc)


def test_link_followed_outside_only_when_asked(world, template_library):
    """follow_outside_symlinks = yes follows a link out of the roots, as
    MPD's key of that name does; the default does not."""
    root, conf = music_world(world, template_library,
                             music="follow_outside_symlinks = yes\n")
    outside = os.path.join(world, "outside")
    make_flac(os.path.join(outside, "far.flac"), "Far", "F", "Away", 1)
    os.symlink(os.path.join(outside, "far.flac"),
               os.path.join(root, "Alpha", "far.flac"))
    m = start_daemon(world, "config=" + conf)
    try:
        assert "Far" in titles(m)
        assert m.read("search/far/01 - Far.flac") == \
            open(os.path.join(outside, "far.flac"), "rb").read()
    finally:
        unmount(m.path, m.proc)
    os.unlink(m.db)
    m = start_daemon(world, "music=" + root)
    try:
        assert "Far" not in titles(m) and len(titles(m)) == 9
    finally:
        unmount(m.path, m.proc)


def test_rescan_through_a_folder_link(world, template_library,
                                      in_root_home):
    """ROOT/rl -> /root: a rescan of ROOT/rl/hidden (a folder in /root)
    indexes and watches nothing there, before and after the link goes."""
    root, conf = music_world(world, template_library)
    outside = "/root"
    hidden = os.path.basename(in_root_home)
    make_flac(os.path.join(in_root_home, "in.flac"), "Hidden", "H", "H", 1)
    os.symlink(outside, os.path.join(root, "rl"))
    m = start_daemon(world, "config=" + conf)
    try:
        watches = m.json("metrics/watch.json")["watches"]
        assert watches == fs_dirs(root)
        for path in ["rl/" + hidden, "rl/%s/in.flac" % hidden, "rl"]:
            before = m.json("metrics/scan.json")["last"]["id"]
            m.write("control/rescan", os.path.join(root, path))
            m.wait_idle(after_id=before)
        assert "Hidden" not in titles(m)
        assert m.json("metrics/watch.json")["watches"] == watches
        make_flac(os.path.join(in_root_home, "new.flac"), "Later", "H", "H",
                  2)
        make_flac(os.path.join(root, "Alpha", "new.flac"), "Control",
                  "A", "A", 9)
        wait_for(lambda: "Control" in titles(m),
                 CONVERGE_S, "the control indexed",
                 mount=m, ignore=NOT_YET)
        assert "Later" not in titles(m)
        # the link gone, the folder it led to is still not watched
        os.unlink(os.path.join(root, "rl"))
        m.rescan("full")
        make_flac(os.path.join(in_root_home, "newer.flac"), "Latest", "H",
                  "H", 3)
        make_flac(os.path.join(root, "Alpha", "newer.flac"), "Control 2",
                  "A", "A", 10)
        wait_for(lambda: "Control 2" in titles(m),
                 CONVERGE_S, "the control indexed",
                 mount=m, ignore=NOT_YET)
        assert not {"Hidden", "Later", "Latest"} & titles(m)
        assert m.json("metrics/watch.json")["watches"] == fs_dirs(root)
    finally:
        unmount(m.path, m.proc)


# lowers the machine's inotify queue limit (small_inotify_queue)
@pytest.mark.serial
def test_folder_swapped_for_a_link_is_watched_no_more(world,
                                                      template_library):
    """A watched folder moved out of the root while the watcher's queue
    overflows, a link to where it went put in its place: the full rescan
    forgets its rows and drops its watches, so nothing written there is
    indexed."""
    root, conf = music_world(world, template_library)
    with small_inotify_queue():
        m = start_daemon(world, "config=" + conf, wait=False)
        wait_for(lambda: m.json("metrics/watch.json")["watches"] > 0,
                 CONVERGE_S,
                 "a first watch", mount=m, ignore=NOT_YET)
    try:
        m.wait_idle()
        wait_for(lambda: m.json("metrics/watch.json")["watches"] ==
                 fs_dirs(root), CONVERGE_S, "every folder watched",
                 mount=m, ignore=NOT_YET)
        overflows = m.json("metrics/watch.json")["overflows"]
        outside = os.path.join(world, "outside")
        os.mkdir(outside)
        with stopped(m.proc):
            for i in range(200):
                with open(os.path.join(root, "Alpha", "b%03d.txt" % i),
                          "w") as f:
                    f.write("%d\n" % i)
            os.rename(os.path.join(root, "Beta"),
                      os.path.join(outside, "Beta"))
            os.symlink(os.path.join(outside, "Beta"),
                       os.path.join(root, "Beta"))
        wait_for(lambda: m.json("metrics/watch.json")["overflows"] >
                 overflows, CONVERGE_S, "an overflow", mount=m, ignore=NOT_YET)
        wait_for(lambda: "Third 1" not in titles(m),
                 CONVERGE_S, "Beta forgotten",
                 mount=m, ignore=NOT_YET)
        wait_for(lambda: m.json("metrics/watch.json")["watches"] ==
                 fs_dirs(root), CONVERGE_S, "the watches of Beta dropped",
                 mount=m, ignore=NOT_YET)
        make_flac(os.path.join(outside, "Beta", "Third", "x.flac"),
                  "Outside", "B", "T", 4)
        make_flac(os.path.join(root, "Alpha", "y.flac"), "Control", "A",
                  "A", 5)
        wait_for(lambda: "Control" in titles(m),
                 CONVERGE_S, "the control indexed",
                 mount=m, ignore=NOT_YET)
        assert "Outside" not in titles(m)
    finally:
        unmount(m.path, m.proc)


# --------------------------------------------------------- access as caller

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


def test_private_root_is_read_by_no_one_else(world, user, template_library):
    """A music root chmod 700: the user reads none of its files through
    /library, /search or covers, lists none of them, reads no attribute
    of them, and reads no status file naming its paths; the owner reads
    all. Opened up on disk, the same reads work for the user."""
    root, conf = music_world(world, template_library)
    with_cover(root)
    os.chmod(root, 0o700)
    m = start_daemon(world, "config=" + conf)
    try:
        files = real_files(m)
        assert len(files) >= 20, files
        assert any(p.endswith("/cover.jpg") for p in files)
        # the owner lists first, so a listing the kernel keeps for it
        # would show
        album = os.path.dirname([p for p in files if "/artists/" in p][0])
        owner_names = sorted(os.listdir(album))
        assert len(owner_names) >= 3
        for p in files:
            with open(p, "rb") as f:
                assert f.read(4)
        assert_all_denied(user, files, "private root")
        # an album none of whose files the user may read is not there
        listed = user.ask([("list", album), ("list",
                                             m.file("search/first"))])
        assert isinstance(listed[0], OSError) and \
            listed[0].errno == errno.ENOENT and listed[1] == [], listed
        for got in user.ask([("xattr", p) for p in files[:3]]):
            denied(got, "xattr of a private track")
        for rel in ["status/no-cover", "status/duplicates", "log",
                    "status/broken", "status/missing.json"]:
            denied(user.read(m.file(rel)), rel)
        assert root.encode() in m.read("status/no-cover") or \
            m.read("status/no-cover") == b""
        # what says the permissions did it: opened up, the user reads
        os.chmod(root, 0o755)
        wait_for(lambda: not isinstance(user.read(files[0]), OSError),
                 CONVERGE_S,
                 "the user reads an opened root", mount=m, ignore=NOT_YET)
        # another thread may keep its verdict a second (caller.h)
        wait_for(lambda: user.ask([("read", p) for p in files]), CONVERGE_S,
                 "the user reads every file of an opened root", mount=m,
                 until=lambda got: not [g for g in got
                                        if isinstance(g, OSError)])
        # what may be listed is kept a second (caller.h)
        wait_for(lambda: user.listdir(album) == owner_names, CONVERGE_S,
                 "the user lists an opened root", mount=m, ignore=NOT_YET)
    finally:
        unmount(m.path, m.proc)


# Root that may not take another user's ids: what a daemon run as an
# ordinary user is, and checks by mode bits.
NO_SETID = ["setpriv", "--bounding-set", "-setuid,-setgid", "--"]


@pytest.mark.parametrize("wrapper", [(), NO_SETID],
                         ids=["as the user", "by mode bits"])
def test_groups_of_the_caller_count(world, user, template_library, wrapper):
    """A root readable by a group: the user reads it with that group among
    its supplementary groups, and not without it; so too when the daemon
    may not become the user and checks the mode bits instead."""
    root, conf = music_world(world, template_library)
    group = "mg" + uuid.uuid4().hex[:10]
    accounts("groupadd", group)
    try:
        gid = grp.getgrnam(group).gr_gid
        os.chown(root, 0, gid)
        os.chmod(root, 0o750)
        m = start_daemon(world, "config=" + conf, wrapper=wrapper)
        if wrapper:
            assert b"cannot act as other users" in m.read("log")
        try:
            files = real_files(m)
            assert_all_denied(user, files, "without the group")
            got = user.ask([("read", p) for p in files], groups=[gid])
            assert not [g for g in got if isinstance(g, OSError)], got
            album = os.path.dirname(files[0])
            assert user.listdir(album, groups=[gid]) == \
                sorted(os.listdir(album))
            got = user.listdir(album)
            assert isinstance(got, OSError) and got.errno == errno.ENOENT
        finally:
            unmount(m.path, m.proc)
    finally:
        accounts("groupdel", group, check=False)


def test_private_folder_inside_a_public_root(world, user, template_library):
    """One album folder chmod 700 in a root all may read: its tracks are
    neither listed nor read for the user, the others are."""
    root, conf = music_world(world, template_library)
    os.chmod(os.path.join(root, "Beta"), 0o700)
    m = start_daemon(world, "config=" + conf)
    try:
        files = real_files(m)
        third = [p for p in files if "Third" in os.path.basename(p)]
        others = [p for p in files if p not in third]
        assert third and others
        assert_all_denied(user, third, "private folder")
        got = user.ask([("read", p) for p in others])
        assert not [g for g in got if isinstance(g, OSError)], got
        names = user.listdir(m.file("search/third"))
        assert names == [], names
        assert len(user.listdir(m.file("search/first"))) == 3
    finally:
        unmount(m.path, m.proc)


def test_private_manga_root(world, user):
    """A manga root chmod 700: its series are not in /manga or
    /library/manga for the user, nor found by name."""
    manga = os.path.join(world, "manga")
    for v in (1, 3):
        os.makedirs(os.path.join(manga, "Berserk"), exist_ok=True)
        with open(os.path.join(manga, "Berserk", "Berserk T%02d.cbz" % v),
                  "wb") as f:
            f.write(b"PK\x05\x06" + b"\0" * 18)
    os.chmod(manga, 0o700)
    m = start_daemon(world, "manga=" + manga)
    try:
        assert os.listdir(m.file("manga")) == ["Berserk"]
        assert os.listdir(m.file("library/manga")) == ["Berserk"]
        volumes = [m.file("library/manga/Berserk/" + n) for n in
                   os.listdir(m.file("library/manga/Berserk"))
                   if n.startswith("Volume")]
        assert len(volumes) == 2
        got = user.ask([("list", m.file("manga")),
                        ("list", m.file("library/manga")),
                        ("list", m.file("library/manga/Berserk"))])
        assert got[0] == [] and got[1] == [], got
        assert isinstance(got[2], OSError) and \
            got[2].errno == errno.ENOENT, got
        for rel in ["manga/Berserk/status.json", "manga/Berserk/volumes"]:
            denied(user.read(m.file(rel)), rel)
        assert_all_denied(user, volumes, "private manga")
    finally:
        unmount(m.path, m.proc)


def test_link_out_of_the_roots_reads_as_the_user(world, user,
                                                 template_library):
    """With follow_outside_symlinks = yes the planted link is indexed, yet
    the user reads through it only what it reads on disk: nothing of a
    file only root may read, while root reads it."""
    root, conf = music_world(world, template_library,
                             music="follow_outside_symlinks = yes\n")
    secret_dir = os.path.join(world, "private")
    os.mkdir(secret_dir, 0o700)
    make_mp3(os.path.join(secret_dir, "secret.mp3"), "Secret", "S", "S", 1)
    upload = os.path.join(root, "upload")
    os.mkdir(upload)
    os.chown(upload, user.uid, user.gid)
    assert user.run("ln", "-s", os.path.join(secret_dir, "secret.mp3"),
                    os.path.join(upload, "notes.mp3")).returncode == 0
    m = start_daemon(world, "config=" + conf)
    try:
        assert "Secret" in titles(m)
        found = [m.file("search/secret/" + n)
                 for n in os.listdir(m.file("search/secret"))]
        assert len(found) == 1
        with open(found[0], "rb") as f:
            assert f.read() == open(os.path.join(
                secret_dir, "secret.mp3"), "rb").read()
        denied(user.read(found[0]), "a link out of the roots")
        # nor sees its tags: it may not read what the link leads to
        assert user.listdir(m.file("search/secret")) == []
    finally:
        unmount(m.path, m.proc)


def test_files_naming_paths_are_the_owners(world, user, template_library):
    """The status files that print real paths, and the log, are the
    daemon's user's alone; the others every user may read."""
    root, conf = music_world(world, template_library)
    m = start_daemon(world, "config=" + conf)
    try:
        private = ["status/no-cover", "status/duplicates",
                   "status/duplicates.json", "status/broken",
                   "status/broken.json", "status/repairs.json",
                   "status/debrid-torrents.json", "status/debrid-magnets",
                   "status/orphans", "status/missing.json",
                   "status/new.json", "status/downloads.json", "log"]
        for rel in private:
            st = os.stat(m.file(rel))
            assert st.st_mode & 0o777 == 0o400 and st.st_uid == 0, rel
            assert m.read(rel) is not None
            denied(user.read(m.file(rel)), rel)
        for rel in ["status/summary.json", "status/health",
                    "status/missing", "metrics/scan.json", "README"]:
            assert os.stat(m.file(rel)).st_mode & 0o777 == 0o444, rel
            assert not isinstance(user.read(m.file(rel)), OSError), rel
    finally:
        unmount(m.path, m.proc)


def test_scan_errors_in_a_private_folder_are_not_told(world, user,
                                                     template_library):
    """scans.json tells a scan's first five errors in words; one in a
    folder the caller may not list is not told to them (its count is)."""
    root, conf = music_world(world, template_library)
    private = os.path.join(root, "Private")
    os.mkdir(private)
    damaged = b"fLaC" + bytes(range(256)) * 4
    for i in range(3):
        with open(os.path.join(private, "bad%d.flac" % i), "wb") as f:
            f.write(damaged)
    for i in range(3, 7):
        with open(os.path.join(root, "bad%d.flac" % i), "wb") as f:
            f.write(damaged)
    os.chmod(private, 0o700)
    m = start_daemon(world, "config=" + conf)
    try:
        m.wait_idle()
        scan = m.json("metrics/scans.json")["scans"][0]
        text = user.read(m.file("metrics/scans.json"))
    finally:
        unmount(m.path, m.proc)
    assert not isinstance(text, OSError), text
    theirs = json.loads(text)["scans"][0]
    assert scan["files_failed"] == theirs["files_failed"] == 7
    kept = [e["path"] for e in scan["first_errors"]]
    assert len(set(kept)) == 5
    assert all(os.path.basename(p).startswith("bad") and e["error"]
               for p, e in zip(kept, scan["first_errors"]))
    # four of them at most are outside Private: one at least is in it
    assert any(p.startswith(private + "/") for p in kept)
    assert [e["path"] for e in theirs["first_errors"]] == \
        [p for p in kept if not p.startswith(private + "/")]
    assert private.encode() not in text


# ------------------------------------------------ tags of unreadable files

# What the user's process finds walking a folder of the mount: every
# path below it, relative to it (issue 32, point 4).
WALK = """
import json, os, sys
out = []
for top in json.loads(sys.argv[1]):
    for d, dirs, files in os.walk(top):
        for n in dirs + files:
            out.append(os.path.relpath(os.path.join(d, n), top))
print(json.dumps(out))
"""

# The tags only the private track carries.
PRIVATE_TAGS = ["Zorro Hidden", "Zorro Album", "Zorrogenre", "1987",
                "Private Song"]


def walk_as(user, tops):
    out = user.run("/usr/bin/python3", "-c", WALK, json.dumps(tops))
    assert out.returncode == 0, out
    return json.loads(out.stdout)


def walk(tops):
    return [os.path.relpath(os.path.join(d, n), top) for top in tops
            for d, dirs, files in os.walk(top) for n in dirs + files]


def tagged(paths):
    return [p for p in paths if any(t in p for t in PRIVATE_TAGS)]


def uncovered(paths):
    return sorted(p for p in paths
                  if not p.endswith(("/cover.jpg", "/folder.jpg")))


def test_tags_of_an_unreadable_file_are_not_shown(world, user,
                                                  template_library):
    """A 0600 track in a folder every user may list, with an artist,
    album, genre and year no other track has (and a cover any user may
    read beside it), and a 0600 cover beside readable tracks: the user
    finds neither in any view, /search or /similar, by name nor by its
    tags, and a lookup of the names the owner sees (the readable cover's
    in the hidden album too) gives ENOENT as a name that does not exist;
    root sees them. Made readable on disk, the user sees the track after
    a rescan."""
    root, conf = music_world(world, template_library)
    with_cover(root)
    cover = os.path.join(root, "Alpha", "First", "cover.jpg")
    os.chmod(cover, 0o600)
    os.mkdir(os.path.join(root, "Alpha", "Zorro"))
    with open(os.path.join(root, "Alpha", "Zorro", "cover.jpg"), "wb") as f:
        f.write(b"\xff\xd8\xff\xe0 a cover any user may read")
    track = os.path.join(root, "Alpha", "Zorro", "09.flac")
    make_flac(track, "Private Song", "Zorro Hidden", "Zorro Album", 9)
    subprocess.run(["metaflac", "--set-tag=GENRE=Zorrogenre",
                    "--set-tag=DATE=1987", track], check=True)
    os.chmod(track, 0o600)
    m = start_daemon(world, "config=" + conf)
    try:
        tops = [m.file(rel) for rel in [
            "library/music", "search/zorro", "search/private",
            "search/first", "similar/private", "similar/first"]]
        mine = walk(tops)
        seen = tagged(mine)
        for tag in PRIVATE_TAGS[:4]:
            assert [p for p in seen if tag in p], (tag, seen)
        owner_covers = [p for p in mine if p.endswith("cover.jpg")]
        assert owner_covers
        theirs = walk_as(user, tops)
        assert tagged(theirs) == [], tagged(theirs)
        assert not [p for p in theirs if p.endswith(("cover.jpg",
                                                     "folder.jpg"))]
        # the rest of the album is there for the user
        assert "artists/Alpha/First/01 - First 1.flac" in theirs, theirs
        # a name the owner sees, asked for, is as unknown as a made-up
        # one, once the kernel forgot the owner's lookups (entry_timeout)
        asked = [m.file(os.path.join("library/music", p)) for p in
                 seen if p.count("/") <= 2][:6]
        asked += [m.file("library/music/" + p) for p in seen
                  if p.endswith("cover.jpg")][:2]
        asked += [m.file("library/music/artists/Nobody At All")]
        for op in ("stat", "read"):
            wait_for(lambda: [g.errno if isinstance(g, OSError) else g
                              for g in user.ask([(op, p) for p in asked])],
                     CONVERGE_S, "ENOENT for every hidden name",
                     until=lambda got: got == [errno.ENOENT] * len(asked),
                     mount=m)
        assert isinstance(m.read("library/music/" + owner_covers[0]), bytes)
        # on disk made readable: the user sees it after a rescan
        os.chmod(track, 0o644)
        m.rescan()
        # (covers aside: the one of First is still the owner's alone)
        wait_for(lambda: uncovered(tagged(walk_as(user, tops))), CONVERGE_S,
                 "the user sees a track made readable", mount=m,
                 until=lambda got: got == uncovered(seen))
    finally:
        unmount(m.path, m.proc)


# ------------------------------------------------------ private manga series

def test_private_series_is_named_nowhere(world, user, fake):
    """A series folder chmod 700 in a manga root every user may list: the
    user finds its name in no status file (missing, new, found.json), in
    neither /manga nor /library/manga, and a lookup of it, of its volumes
    or of its files gives ENOENT as a name that never was; root sees it
    everywhere. The series beside it is the user's to see."""
    mon = Monitor(pathlib.Path(world), fake, [saga(1), saga(2)])
    os.chmod(os.path.join(str(mon.root), saga(2)), 0o700)
    mon.m = m = start(pathlib.Path(world), "allow_other",
                      "config=" + str(mon.conf))
    try:
        for s in (saga(1), saga(2)):
            mon.latest(s, "14\n")
        mon.check("missing")
        volumes = [n for n in os.listdir(m.file("library/manga/" + saga(2)))
                   if n.startswith(("Volume", "MISSING"))]
        assert volumes
        files = ["status/missing", "status/new", "status/found.json"]
        for rel in files:
            text = m.read(rel).decode()
            assert saga(1) in text and saga(2) in text, (rel, text)
        for rel in ["manga", "library/manga"]:
            assert os.listdir(m.file(rel)) == [saga(1), saga(2)]
        got = user.ask([("read", m.file(rel)) for rel in files] +
                       [("list", m.file("manga")),
                        ("list", m.file("library/manga"))])
        for rel, text in zip(files, got[:3]):
            assert saga(1).encode() in text, (rel, text)
            assert saga(2).encode() not in text, (rel, text)
        assert got[3:] == [[saga(1)], [saga(1)]], got[3:]
        for rel in ["status/missing.json", "status/new.json"]:
            denied(user.read(m.file(rel)), rel)
        # its names are as unknown as made-up ones, once the kernel forgot
        # the owner's lookups (entry_timeout)
        asked = [m.file("manga/" + saga(2)),
                 m.file("manga/%s/status.json" % saga(2)),
                 m.file("library/manga/" + saga(2))] + \
            [m.file("library/manga/%s/%s" % (saga(2), n))
             for n in volumes[:2]] + \
            [m.file("manga/Saga 99"), m.file("library/manga/Saga 99")]
        for op in ("stat", "read", "list"):
            wait_for(lambda: [g.errno if isinstance(g, OSError) else g
                              for g in user.ask([(op, p) for p in asked])],
                     CONVERGE_S, "ENOENT for every name of the series",
                     until=lambda got: got == [errno.ENOENT] * len(asked),
                     mount=m)
        # what says the permissions did it: opened up, the user sees it
        os.chmod(os.path.join(str(mon.root), saga(2)), 0o755)
        wait_for(lambda: user.listdir(m.file("library/manga")), CONVERGE_S,
                 "the user lists an opened series", mount=m,
                 until=lambda got: got == [saga(1), saga(2)])
        # a thread may keep its verdict on the folder CALLER_KEEP_S (1 s)
        wait_for(lambda: user.read(m.file("status/missing")), CONVERGE_S,
                 "the opened series in the user's status/missing", mount=m,
                 until=lambda got: not isinstance(got, OSError) and
                 saga(2).encode() in got)
    finally:
        unmount(m.path, m.proc)


def test_file_of_a_hidden_folder_is_not_found(world, user,
                                              template_library):
    """A cover any user may read beside a 0600 track, the only one of its
    album: with the album's folder kept by the kernel from the owner's
    lookup (a long entry_timeout), the user's lookup of the cover in it
    reaches the daemon and gets ENOENT, as the folder does."""
    root, conf = music_world(world, template_library)
    folder = os.path.join(root, "Alpha", "Zorro")
    os.mkdir(folder)
    with open(os.path.join(folder, "cover.jpg"), "wb") as f:
        f.write(b"\xff\xd8\xff\xe0 a cover any user may read")
    track = os.path.join(folder, "09.flac")
    make_flac(track, "Private Song", "Zorro Hidden", "Zorro Album", 9)
    os.chmod(track, 0o600)
    m = start_daemon(world, "config=" + conf, "entry_timeout=600")
    try:
        album = m.file("library/music/albums/Zorro Album (Zorro Hidden)")
        assert "cover.jpg" in os.listdir(album)
        got = user.ask([("stat", os.path.join(album, "cover.jpg")),
                        ("read", os.path.join(album, "cover.jpg")),
                        ("list", album)])
        assert [g.errno if isinstance(g, OSError) else g for g in got] == \
            [errno.ENOENT] * 3, got
    finally:
        unmount(m.path, m.proc)


def test_names_the_owner_looked_up_are_not_kept_for_others(world, user,
                                                           template_library):
    """The kernel keeps a name it was given for every user alike: with
    names kept ten minutes (entry_timeout=600), the owner stats a 0600
    track's album and file, a 0700 manga series and its volume, and
    lists the folders holding them and the track's artist (readdirplus:
    the artist's name comes from the listing alone); the user's stat of
    each right after still reaches the daemon and gives ENOENT, while the
    names every user may see are found."""
    root, conf = music_world(world, template_library)
    folder = os.path.join(root, "Alpha", "Zorro")
    os.mkdir(folder)
    track = os.path.join(folder, "09.flac")
    make_flac(track, "Private Song", "Zorro Hidden", "Zorro Album", 9)
    os.chmod(track, 0o600)
    manga = os.path.join(world, "manga")
    for s in ("Berserk", "Private"):
        os.makedirs(os.path.join(manga, s))
        with open(os.path.join(manga, s, s + " T01.cbz"), "wb") as f:
            f.write(b"PK\x05\x06" + b"\0" * 18)
    os.chmod(os.path.join(manga, "Private"), 0o700)
    m = start_daemon(world, "config=" + conf, "manga=" + manga,
                     "entry_timeout=600", "attr_timeout=600")
    try:
        album = "library/music/albums/Zorro Album (Zorro Hidden)"
        artist = "library/music/artists/Zorro Hidden"
        hidden = [album, artist, "manga/Private", "library/manga/Private"]
        for rel in ["library/music/albums", "library/music/artists",
                    "manga", "library/manga"] + hidden[:3]:
            os.listdir(m.file(rel))
        hidden += [os.path.join(album, n) for n in
                   os.listdir(m.file(album))]
        hidden += ["library/manga/Private/" + n for n in
                   os.listdir(m.file("library/manga/Private"))]
        shown = ["library/music/artists/Alpha", "manga/Berserk",
                 "library/manga/Berserk"]
        # the artist the owner only listed: a name from its readdirplus
        for rel in hidden + shown:
            if rel != artist:
                os.stat(m.file(rel))
        got = user.ask([("stat", m.file(rel)) for rel in hidden + shown])
        for rel, g in zip(hidden, got):
            denied(g, rel)
            assert g.errno == errno.ENOENT, (rel, g)
        assert got[len(hidden):] == [b""] * len(shown), got
    finally:
        unmount(m.path, m.proc)


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


def test_similar_to_an_unreadable_track_is_not_shown(world, user):
    """/similar/QUERY lists what is like the best match of QUERY: when
    that is a 0600 track, the user sees nothing in it (not even the
    tracks it may read), as it would learn what the hidden track sounds
    like; root sees the list. A best match the user may read gives it
    the list, without the hidden track."""
    root = os.path.join(world, "music")
    os.makedirs(root)
    for hz, title in ((220, "Zorro Secret"), (233, "Open One"),
                      (247, "Open Two")):
        path = os.path.join(root, title + ".flac")
        tone(path, hz, title, "Tones")
        if title == "Zorro Secret":
            os.chmod(path, 0o600)
    m = start_daemon(world, "music=" + root)
    try:
        wait_for(lambda: m.json("metrics/analysis.json"), 120,
                 "the three tracks analysed", mount=m, interval=0.2,
                 until=lambda a: a["analysed"] == 3 and a["queued"] == 0
                 and a["busy"] == 0)
        secret = m.file("similar/zorro")
        assert len(os.listdir(secret)) == 2, os.listdir(secret)
        got = user.ask([("list", secret),
                        ("list", m.file("similar/open one"))])
        assert got[0] == [], got
        assert len(got[1]) == 1 and "Zorro" not in got[1][0], got
    finally:
        unmount(m.path, m.proc)


def test_album_year_of_an_unreadable_track_is_not_shown(world, user):
    """An album's folder in the artist view is named with the latest year
    of its tracks: when that year is a 0600 track's, another user who may
    read the album's other tracks does not see the album there (the name
    would tell the hidden track's year), nor that year anywhere; it still
    finds the tracks it may read in the album view. Root sees the year."""
    root = os.path.join(world, "music", "Yeartest", "Shared")
    os.makedirs(root)
    for n, year, mode in ((1, "1990", 0o644), (2, "2099", 0o600),
                          (3, "1990", 0o644)):
        path = os.path.join(root, "%02d.flac" % n)
        make_flac(path, "Song %d" % n, "Yeartest", "Shared Album", n)
        subprocess.run(["metaflac", "--set-tag=DATE=" + year, path],
                       check=True)
        os.chmod(path, mode)
    m = start_daemon(world, "music=" + os.path.join(world, "music"))
    try:
        artist = m.file("library/music/artists/Yeartest")
        assert os.listdir(artist) == ["Shared Album (2099)"]
        tops = [m.file("library/music")]
        assert [p for p in walk(tops) if "2099" in p]
        theirs = walk_as(user, tops)
        assert not [p for p in theirs if "2099" in p], theirs
        album = "albums/Shared Album (Yeartest)/"
        assert sorted(p for p in theirs if p.startswith(album)) == [
            album + "01 - Song 1.flac", album + "03 - Song 3.flac"], theirs
    finally:
        unmount(m.path, m.proc)
