# SPDX-License-Identifier: GPL-3.0-or-later
"""No one where they do not belong (issue 20): a configuration that holds
a secret is the daemon's user's alone, and --check-config shows no
credential; links planted in a root lead nowhere outside the roots, a
FIFO in a track's place freezes nothing, and a rescan through a link to
a folder indexes and watches nothing. test_access_private.py holds what
a local user reads through the mount, test_access_tags.py what the
mount tells of files the user may not read."""

import contextlib
import os
import pathlib
import shutil
import stat
import subprocess

import pytest

from conftest import (BINARY, wait_for, is_mounted, make_flac, make_mp3,
                      stopped, unmount)
from watch_common import (CONVERGE_S, NOT_YET, fs_dirs, small_inotify_queue,
                          write_conf)
from access_users import denied, start_daemon, titles, music_world
from access_users import pytestmark, figures, user  # noqa: F401 (for pytest)
from access_users import world, in_root_home  # noqa: F401 (for pytest)


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
