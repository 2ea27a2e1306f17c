# SPDX-License-Identifier: GPL-3.0-or-later
"""The views' folders move as plain folders do (issue 80, "Times"): a
folder's mtime is when its own names last changed. One track added to an
album moves that track and its album's folder in each view, and nothing
else (a plain folder: the file and its folder), so `find library -newer
STAMP` names at most 12 entries, not every folder of every view; a track
removed moves its album's folders alone. What the folders say is the
same for the owner and for a user of the household (the mount is open to
all), and stands across a restart."""

import errno
import json
import os
import subprocess
import time

import pytest

from access_users import start_daemon
from access_users import pytestmark, user, world  # noqa: F401 (fixtures)
from clients import need
from conftest import unmount, wait_for
from test_analysis import melody, to_flac, wait_analysed

# (folder, artist, album, genre, year, titles)
ALBUMS = (("a1", "Alder", "Bark", "Folk", 1990, ("One", "Two")),
          ("a2", "Alder", "Leaves", "Folk", 1992, ("Three", "Four")),
          ("b1", "Birch", "Sap", "Jazz", 2001, ("Five", "Six")))


def tagged(wav, path, title, artist, album, genre, year):
    to_flac(wav, path, title, artist, album)
    subprocess.run([need("metaflac"), "--set-tag=GENRE=" + genre,
                    "--set-tag=DATE=%d" % year, path], check=True)


@pytest.fixture
def mount(world, tmp_path):  # noqa: F811 (the fixture imported above)
    wav = str(tmp_path / "tone.wav")
    melody(wav, 5, seconds=1)
    music = os.path.join(world, "music")
    for folder, artist, album, genre, year, titles in ALBUMS:
        for i, title in enumerate(titles):
            tagged(wav, os.path.join(music, folder, "%d.flac" % i), title,
                   artist, album, genre, year)
    subprocess.run(["chmod", "-R", "a+rX", music], check=True)
    m = start_daemon(world, "music=" + music)
    m.music, m.wav = music, wav
    try:
        wait_for(lambda: tracks(m), 60, "the six tracks", mount=m,
                 until=lambda t: len(t) == 6 * 4)
        yield m
    finally:
        unmount(m.path, m.proc)


def run(who, *cmd):
    """cmd's lines, run as root or as the user who."""
    prefix = who.prefix() if who else []
    r = subprocess.run(prefix + list(cmd), capture_output=True, text=True,
                       timeout=120)
    assert r.returncode == 0, r.stderr
    return sorted(r.stdout.splitlines())


def tracks(m, who=None):
    return run(who, need("find"), m.file("library/music"), "-type", "f")


def newer(m, stamp, who=None):
    """What `find library -newer STAMP` names, relative to the mount."""
    return sorted(os.path.relpath(p, m.path) for p in
                  run(who, need("find"), m.file("library"), "-newer",
                      stamp))


def stamp_now(path):
    """A file whose mtime is now, to the nanosecond (the kernel's own time
    of a new file is the clock's last tick, a few ms behind)."""
    open(path, "w").close()
    now = time.time_ns()
    os.utime(path, ns=(now, now))


def moved(m, stamp, expected, who):
    """Wait until find names every entry of expected (the kernel may keep
    a folder's old times for its attribute timeout), and give all it
    names."""
    return wait_for(lambda: newer(m, stamp, who), 30,
                    "the changed entries newer than the stamp", mount=m,
                    until=lambda n: set(expected) <= set(n))


@pytest.mark.parametrize("as_user", [False, True], ids=["root", "user"])
def test_one_track_moves_its_album_folders_alone(mount, world, as_user,
                                                 user):  # noqa: F811
    m = mount
    who = user if as_user else None
    stamp = os.path.join(world, "stamp")  # the user's find reads it
    before = tracks(m, who)
    assert len(before) == 6 * 4
    # the folders' times are first seen by this walk
    newer(m, m.music, who)
    stamp_now(stamp)
    tagged(m.wav, os.path.join(m.music, "a1", "new.flac"), "Seventh",
           "Alder", "Bark", "Folk", 1990)
    os.chmod(os.path.join(m.music, "a1", "new.flac"), 0o644)
    added = wait_for(lambda: tracks(m, who), 60, "the new track", mount=m,
                     until=lambda t: len(t) == 7 * 4)
    new = [os.path.relpath(p, m.path) for p in added if "Seventh" in p]
    assert len(new) == 4, new
    expected = sorted(new + [os.path.dirname(p) for p in new])
    names = moved(m, stamp, expected, who)
    assert names == expected and len(names) <= 12, names

    # a track removed moves its album's folders, and nothing above
    stamp_now(stamp)
    os.unlink(os.path.join(m.music, "a2", "1.flac"))
    left = wait_for(lambda: tracks(m, who), 60, "the track gone", mount=m,
                    until=lambda t: len(t) == 6 * 4)
    gone = [p for p in added if p not in left]
    assert len(gone) == 4 and all("Four" in p for p in gone), gone
    expected = sorted(os.path.relpath(os.path.dirname(p), m.path)
                      for p in gone)
    names = moved(m, stamp, expected, who)
    assert names == expected, names


def test_folder_times_stand_across_a_restart(world, mount, tmp_path):
    m = mount
    stamp = str(tmp_path / "stamp")
    newer(m, m.music)
    stamp_now(stamp)
    times = {p: os.stat(p).st_mtime_ns for p in
             run(None, need("find"), m.file("library"), "-type", "d")}
    wait_for(lambda: m.json("metrics/fuse.json")["times_unsaved"], 60,
             "the times written", mount=m, until=lambda n: n == 0)
    unmount(m.path, m.proc)
    m = start_daemon(world, "music=" + m.music)
    try:
        wait_for(lambda: tracks(m), 60, "the six tracks", mount=m,
                 until=lambda t: len(t) == 6 * 4)
        m.wait_quiet()
        assert newer(m, stamp) == []
        assert {p: os.stat(p).st_mtime_ns for p in times} == times
    finally:
        unmount(m.path, m.proc)


def requests(m):
    return m.json("metrics/fuse.json")["requests"]


def test_second_listing_kept_by_the_kernel(mount, user):  # noqa: F811
    """Issue 80, "Listing": the kernel keeps the views' names, attributes
    and listings past the mount's attribute timeout (1 s), so a second
    walk that stats every entry (find -printf, which unlike ls -l asks no
    extended attribute, which the kernel never keeps) asks the daemon
    only to open, check and close each folder; a track
    added or removed is in the next listing all the same, and its old
    name is gone for every user."""
    m = mount
    music = m.file("library/music")
    wait_analysed(m)  # the store stands still: the kernel keeps all
    m.wait_quiet()
    folders = len(run(None, need("find"), music, "-type", "d"))
    walk = (need("find"), music, "-printf", "%p %s %T@ %m\n")
    first = run(None, *walk)
    # the folders' times first seen are written to the store, which moves
    wait_for(lambda: m.json("metrics/fuse.json")["times_unsaved"], 60,
             "the times written", mount=m, until=lambda n: n == 0)
    m.wait_quiet()
    assert run(None, *walk) == first
    t = time.monotonic()
    wait_for(time.monotonic, 10, "the attribute timeout to pass",
             until=lambda now: now >= t + 1.5)
    before = requests(m)
    assert run(None, *walk) == first
    asked = requests(m) - before
    # opendir, getattr and releasedir of each folder, and the metrics read
    assert asked <= 3 * folders + 20, (asked, folders)

    tagged(m.wav, os.path.join(m.music, "b1", "new.flac"), "Eighth",
           "Birch", "Sap", "Jazz", 2001)
    os.chmod(os.path.join(m.music, "b1", "new.flac"), 0o644)
    added = wait_for(lambda: tracks(m), 60, "the new track", mount=m,
                     until=lambda t: len(t) == 7 * 4)
    new = [p for p in added if "Eighth" in p]
    assert len(new) == 4, new
    for p in new:
        assert os.path.basename(p) in run(user, need("ls"),
                                          os.path.dirname(p))
    gone = [p for p in added if "Five" in p]
    assert len(gone) == 4 and all(os.path.exists(p) for p in gone), gone
    os.unlink(os.path.join(m.music, "b1", "0.flac"))
    # (a stat() fails as soon as the file is gone, the listings follow
    # the store)
    wait_for(lambda: [p for p in gone if os.path.exists(p) or
                      os.path.basename(p) in os.listdir(os.path.dirname(p))],
             60, "the removed track gone from the listings", mount=m,
             until=lambda left: not left)
    for p in gone:
        assert os.path.basename(p) not in run(user, need("ls"),
                                              os.path.dirname(p))
    assert tracks(m) == sorted(p for p in added if p not in gone)


def attribute_errors(who, path):
    """The errno (or the value) of getxattr of each name asked of path by
    who (None: root)."""
    code = ("import json, os, sys\nout = []\n"
            "for name in sys.argv[2:]:\n"
            "    try:\n"
            "        out.append(os.getxattr(sys.argv[1], name).decode())\n"
            "    except OSError as e:\n"
            "        out.append(e.errno)\nprint(json.dumps(out))\n")
    names = ("security.selinux", "system.posix_acl_access",
             "user.mediamon.nothing", "user.mediamon.title")
    return json.loads("".join(run(who, "/usr/bin/python3", "-c", code,
                                  path, *names)))


@pytest.mark.parametrize("as_user", [False, True], ids=["root", "user"])
def test_second_ls_lR_asks_no_attribute_of_each_entry(mount, as_user,
                                                      user):  # noqa: F811
    """Issue 80, "Listing": ls -l asks every entry for its SELinux label
    and its ACL, which the kernel does not keep for a FUSE mount: each a
    round trip to the daemon, most of a second ls -lR's time. The mount
    says it has no such attributes at all (EOPNOTSUPP, as the kernel says
    of a namespace a file system has no handler for), and ls stops asking
    them of the mount; the tracks' own attributes (user.mediamon.*) are
    kept. A second ls -lR then asks the daemon no more than a find that
    stats every entry, as root and as a user of the household."""
    m = mount
    who = user if as_user else None
    music = m.file("library/music")
    wait_analysed(m)
    m.wait_quiet()
    track = [p for p in tracks(m, who) if "One" in p][0]
    assert attribute_errors(who, track) == [
        errno.EOPNOTSUPP, errno.EOPNOTSUPP, errno.ENODATA, "One"]
    assert attribute_errors(who, music)[:3] == [
        errno.EOPNOTSUPP, errno.EOPNOTSUPP, errno.ENODATA]
    entries = len(run(who, need("find"), music))
    walk = (need("find"), music, "-printf", "%p %s %T@ %m\n")
    lslr = (need("ls"), "-lR", music)
    run(who, *lslr)
    wait_for(lambda: m.json("metrics/fuse.json")["times_unsaved"], 60,
             "the times written", mount=m, until=lambda n: n == 0)
    m.wait_quiet()
    asked = {}
    for name, cmd in (("find", walk), ("ls", lslr), ("find", walk),
                      ("ls", lslr)):
        before = requests(m)
        run(who, *cmd)
        asked[name] = requests(m) - before
    # ls asks each kind of attribute once (the folder's default ACL too)
    assert asked["ls"] <= asked["find"] + 6, (asked, entries)
