# SPDX-License-Identifier: GPL-3.0-or-later
"""No aggregate tells a user what it may not see (issue 44, the medium
oracles): two local users made for the test (useradd, then setpriv to act
as them) list and read through the mount; each sees the names, numbers
and rankings computed over what it may read on disk, and nothing of the
other's private series or tracks. The work of listing /manga grows with
the series, not with their square."""

import errno
import json
import os
import shutil
import subprocess
import time

import pytest

from conftest import make_flac, unmount, wait_for
from test_monitor import Monitor, make_library, saga
from access_users import (denied, drop_user, make_user, start_daemon, tone,
                          world)  # noqa: F401 (world is a fixture)

pytestmark = pytest.mark.skipif(
    os.geteuid() != 0 or not os.path.exists("/usr/bin/setpriv"),
    reason="needs root, useradd and setpriv to act as other users")


@pytest.fixture
def users():
    """Two users of the machine: the owner of the private things and the
    one who should learn nothing of them."""
    a, b = make_user(), make_user()
    yield a, b
    drop_user(a)
    drop_user(b)


# ls -l as a user: the names, those whose stat failed and the time taken.
LS_L = """
import json, os, sys, time
began = time.monotonic()
names, failed = sorted(os.listdir(sys.argv[1])), []
for n in names:
    try:
        os.stat(os.path.join(sys.argv[1], n))
    except OSError:
        failed.append(n)
print(json.dumps({"names": names, "failed": failed,
                  "took": time.monotonic() - began}))
"""


def volume(folder, name):
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, name), "wb") as f:
        f.write(b"PK\x05\x06" + b"\0" * 18)


def test_duplicate_names_are_numbered_per_caller(world, users):
    """Three roots hold a series named Saga, two of them in folders only
    user a may list: b sees one Saga and no " (2)" (by a gap in the
    numbers it would learn that a hidden Saga exists, whatever its id), a
    sees three, numbered among its own, and root all three."""
    a, b = users
    roots = [os.path.join(world, r) for r in ("r1", "r2", "r3")]
    for r, private in zip(roots, (True, False, True)):
        folder = os.path.join(r, "Saga")
        volume(folder, "Saga T01.cbz")
        if private:
            os.chown(folder, a.uid, a.gid)
            os.chmod(folder, 0o700)
    m = start_daemon(world, *["manga=" + r for r in roots])
    try:
        every = ["Saga", "Saga (2)", "Saga (3)"]
        assert sorted(os.listdir(m.file("manga"))) == every
        got_a = a.ask([("list", m.file("manga"))] +
                      [("read", m.file("manga/%s/volumes" % n))
                       for n in every])
        assert got_a[0] == every, got_a
        assert got_a[1:] == [b"1\n"] * 3, got_a
        got_b = b.ask([("list", m.file("manga")),
                       ("read", m.file("manga/Saga/volumes")),
                       ("stat", m.file("manga/Saga (2)")),
                       ("stat", m.file("manga/Saga (3)"))])
        assert got_b[0] == ["Saga"], got_b
        assert got_b[1] == b"1\n", got_b
        for g, n in zip(got_b[2:], ("Saga (2)", "Saga (3)")):
            denied(g, n)
            assert g.errno == errno.ENOENT, (n, g)
    finally:
        unmount(m.path, m.proc)


def test_five_thousand_series_are_listed_and_found(world, users):
    """ls -l of /manga with 5,000 series (a thousand of them named as
    others, in a second root, half of those only user a's): every name
    listed once, each found by its name, for root and for user b, in a
    time that grows with the series (printed, not asserted: the listing
    and each lookup were a walk of the store each, 10.7 s here)."""
    a, b = users
    r1, r2 = os.path.join(world, "r1"), os.path.join(world, "r2")
    for i in range(4000):
        volume(os.path.join(r1, "Series %04d" % i), "v1.cbz")
    for i in range(1000):
        folder = os.path.join(r2, "Series %04d" % i)
        volume(folder, "v1.cbz")
        if i % 2 == 0:
            os.chown(folder, a.uid, a.gid)
            os.chmod(folder, 0o700)
    m = start_daemon(world, "manga=" + r1, "manga=" + r2)
    try:
        every = ["Series %04d" % i for i in range(4000)] + \
            ["Series %04d (2)" % i for i in range(1000)]
        theirs = ["Series %04d" % i for i in range(4000)] + \
            ["Series %04d (2)" % i for i in range(1, 1000, 2)]
        began = time.monotonic()
        names = os.listdir(m.file("manga"))
        for n in names:
            os.stat(m.file("manga/" + n))
        took = time.monotonic() - began
        assert sorted(names) == sorted(every)
        out = b.run("/usr/bin/python3", "-c", LS_L, m.file("manga"))
        assert out.returncode == 0, out
        got = json.loads(out.stdout)
        assert got["names"] == sorted(theirs), len(got["names"])
        assert got["failed"] == [], got["failed"][:5]
        took_b = got["took"]
        print("ls -l /manga of 5,000 series: %.2f s as root, %.2f s as a "
              "user" % (took, took_b))
        hidden = b.ask([("stat", m.file("manga/Series %04d (2)" % i))
                        for i in range(0, 10, 2)])
        for g in hidden:
            assert isinstance(g, OSError) and g.errno == errno.ENOENT, g
    finally:
        unmount(m.path, m.proc)


def loud_tone(path, hz, volume, title, album):
    """Twelve seconds of a tone at volume (of full scale) as FLAC, tagged
    with title, the artist Tones and album."""
    wav = path[:-5] + ".wav"
    subprocess.run(["sox", "-n", "-r", "22050", "-c", "1", wav, "synth",
                    "12", "sine", str(hz), "vol", str(volume)], check=True,
                   capture_output=True)
    subprocess.run(["flac", "-s", "-f", "-o", path, wav], check=True,
                   capture_output=True)
    os.unlink(wav)
    subprocess.run(["metaflac", "--set-tag=TITLE=" + title,
                    "--set-tag=ARTIST=Tones", "--set-tag=ALBUM=" + album,
                    path], check=True)


# The gains of a track of the mount as a user reads them ("" for none).
GAINS = """
import json, os, sys
out = {}
for name in ("gain_db", "album_gain_db"):
    try:
        out[name] = os.getxattr(sys.argv[1], "user.mediamon." + name).decode()
    except OSError:
        out[name] = ""
print(json.dumps(out))
"""


def gains_as(user, path):
    out = user.run("/usr/bin/python3", "-c", GAINS, path)
    assert out.returncode == 0, out
    return json.loads(out.stdout)


def give_folders(mine, theirs):
    """Each (folder, user) pair's folder and its files given to its user,
    the first folder private (0700) to its owner."""
    for d, u in (mine, theirs):
        for p in [d] + [os.path.join(d, n) for n in os.listdir(d)]:
            os.chown(p, u.uid, u.gid)
    os.chmod(mine[0], 0o700)


def test_album_gain_is_over_the_tracks_the_caller_reads(world, users):
    """User a keeps two loud tracks of "Secret Album" in its 0700 folder;
    user b guesses the album and tags a quiet probe track with it: the
    probe's album gain b reads is its own track's alone (as if the album
    held nothing else), not one that tells the hidden tracks exist and
    how loud they are; root reads the gain over all three."""
    a, b = users
    root = os.path.join(world, "music")
    mine, theirs = os.path.join(root, "a"), os.path.join(root, "b")
    os.makedirs(mine)
    os.makedirs(theirs)
    for n, hz in ((1, 330), (2, 440)):
        loud_tone(os.path.join(mine, "%d.flac" % n), hz, 0.9,
                  "Loud %d" % n, "Secret Album")
    loud_tone(os.path.join(theirs, "probe.flac"), 220, 0.05, "Probe",
              "Secret Album")
    give_folders((mine, a), (theirs, b))
    m = start_daemon(world, "music=" + root)
    try:
        wait_for(lambda: m.json("metrics/analysis.json"), 120,
                 "the three tracks analysed", mount=m, interval=0.2,
                 until=lambda s: s["analysed"] == 3 and s["queued"] == 0
                 and s["busy"] == 0)
        album = m.file("library/music/albums/Secret Album (Tones)")
        probe = [os.path.join(album, n) for n in os.listdir(album)
                 if "Probe" in n]
        assert len(probe) == 1, os.listdir(album)
        owner = gains_as_root(probe[0])
        theirs_got = gains_as(b, probe[0])
        assert owner["album_gain_db"] and theirs_got["gain_db"], \
            (owner, theirs_got)
        # the whole album is loud: its gain is far below the probe's own
        assert float(owner["album_gain_db"]) < \
            float(owner["gain_db"]) - 10, owner
        assert abs(float(theirs_got["album_gain_db"]) -
                   float(theirs_got["gain_db"])) < 0.05, theirs_got
        assert user_lists_album_gain(b, probe[0])
    finally:
        unmount(m.path, m.proc)


def gains_as_root(path):
    return {name: os.getxattr(path, "user.mediamon." + name).decode()
            for name in ("gain_db", "album_gain_db")}


def user_lists_album_gain(user, path):
    out = user.run("/usr/bin/python3", "-c",
                   "import os, sys; print(os.listxattr(sys.argv[1]))", path)
    assert out.returncode == 0, out
    return "user.mediamon.album_gain_db" in out.stdout.decode()


def seven_zip(archive, folder, names):
    """A solid 7z of folder's names, in that order (7z keeps it for
    names that sort so)."""
    subprocess.run(["7z", "a", "-t7z", "-ms=2g", "-mmt=off", "-mx1",
                    archive] + names, cwd=folder, check=True,
                   capture_output=True)
    listed = subprocess.run(["7z", "l", "-slt", archive], check=True,
                            capture_output=True).stdout.decode()
    assert "Solid = +" in listed, listed
    paths = [ln[7:] for ln in listed.splitlines()
             if ln.startswith("Path = ")][1:]
    assert paths == names, paths


def cpu_seconds(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@pytest.mark.skipif(not os.path.exists("/usr/bin/7z"),
                    reason="needs 7z (p7zip-full) to make a solid archive")
def test_solid_archive_bomb_is_not_unpacked(world, tmp_path):
    """A .cb7 of some 80 KB holds a folder's ComicInfo.xml that says
    volume 5, then 512 MiB of zeros, in one solid block: the scan stops
    before it would unpack the zeros (to learn whether another folder's
    ComicInfo.xml follows, which would make the first one count for
    nothing), so the volume is 1, from its name, where the whole bomb was
    unpacked and the ComicInfo.xml taken before; a ComicInfo.xml behind
    a small entry is still read (6). Both volumes are indexed; the
    scan's CPU time is printed."""
    work = tmp_path / "make"
    series = os.path.join(world, "manga", "Saga")
    os.makedirs(series)
    info = '<?xml version="1.0"?><ComicInfo><Series>Saga</Series>' \
        '<Volume>%d</Volume></ComicInfo>'
    for name, names, size, vol in (
            ("Saga T01.cb7", ["AAA/ComicInfo.xml", "BBB.bin"], 512 << 20, 5),
            ("Saga T02.cb7", ["AAA.bin", "ComicInfo.xml"], 4096, 6)):
        shutil.rmtree(str(work), ignore_errors=True)
        (work / "AAA").mkdir(parents=True)
        filler = [n for n in names if n.endswith(".bin")][0]
        with open(str(work / filler), "wb") as f:
            f.truncate(size)
        (work / [n for n in names if n.endswith(".xml")][0]).write_text(
            info % vol)
        seven_zip(os.path.join(series, name), str(work), names)
    assert os.path.getsize(os.path.join(series, "Saga T01.cb7")) < 200000
    m = start_daemon(world, "manga=" + os.path.join(world, "manga"))
    try:
        print("the scan of the bomb: %.2f s of CPU" %
              cpu_seconds(m.proc.pid))
        assert m.read("manga/Saga/volumes") == b"1\n6\n"
    finally:
        unmount(m.path, m.proc)


def test_a_check_searches_at_most_its_cap_of_series(tmp_path, fake):
    """5,000 folders any user made meant 5,000 searches a check under the
    administrator's Prowlarr key: with [monitor] max_series_per_check = 2
    and five series, each check searches two, those checked longest ago
    first, so that three checks have searched all five."""
    names = [saga(n) for n in range(1, 6)]
    mon = Monitor(tmp_path, fake, names,
                  monitor="max_series_per_check = 2\n")
    mon.mount()
    try:
        seen = []
        for _ in range(3):
            last = mon.check("missing")
            assert last["series"] == 2, last
            queries = [r["args"]["query"][0] for r in mon.searches()]
            seen.append(queries)
        first, second = seen[0], seen[1][len(seen[0]):]
        assert len(first) == 2 and len(second) == 2, seen
        assert not set(first) & set(second), seen
        assert set(seen[2]) == set(names), seen
    finally:
        mon.unmount()


# A folder's names as a user lists them, in the order they come.
LIST = "import json, os, sys; print(json.dumps(os.listdir(sys.argv[1])))"


def analysed(m, n):
    wait_for(lambda: m.json("metrics/analysis.json"), 180,
             "%d tracks analysed" % n, mount=m, interval=0.2,
             until=lambda s: s["analysed"] == n and s["queued"] == 0
             and s["busy"] == 0)


def test_similar_ranks_over_the_tracks_the_caller_reads(world, users):
    """User a keeps "Zorro Zorro Zorro" in its 0700 folder, the best match
    of the query zorro; user b keeps "Zorro Open" and three other tracks
    in its own. b's /similar/zorro is what is like its own best match,
    as if a's track did not exist (not an empty folder telling it that a
    better hidden match exists), and stays the same, names and order,
    once a's track is gone; a and root see what is like a's track."""
    a, b = users
    root = os.path.join(world, "music")
    mine, theirs = os.path.join(root, "a"), os.path.join(root, "b")
    os.makedirs(mine)
    os.makedirs(theirs)
    hidden = os.path.join(mine, "hidden.flac")
    tone(hidden, 220, "Zorro Zorro Zorro", "Tones")
    for hz, title in ((233, "Zorro Open"), (247, "Open Two"),
                      (262, "Open Three"), (277, "Open Four")):
        tone(os.path.join(theirs, title + ".flac"), hz, title, "Tones")
    give_folders((mine, a), (theirs, b))
    m = start_daemon(world, "music=" + root)
    try:
        analysed(m, 5)
        query = m.file("similar/zorro")
        owner = os.listdir(query)
        assert len(owner) == 4 and "Zorro Open.flac" in owner, owner
        got = [u.run("/usr/bin/python3", "-c", LIST, query)
               for u in (a, b)]
        assert all(g.returncode == 0 for g in got), got
        seen_a, seen_b = (json.loads(g.stdout) for g in got)
        assert seen_a == owner, (seen_a, owner)
        assert sorted(seen_b) == ["Open Four.flac", "Open Three.flac",
                                  "Open Two.flac"], seen_b
        os.unlink(hidden)
        m.rescan()
        wait_for(lambda: os.listdir(query), 30, "a's track gone",
                 mount=m, until=lambda n: len(n) == 3)
        out = b.run("/usr/bin/python3", "-c",
                    LIST, query)
        assert out.returncode == 0, out
        assert json.loads(out.stdout) == seen_b, (out.stdout, seen_b)
    finally:
        unmount(m.path, m.proc)


def test_library_manga_names_are_numbered_per_caller(world, users):
    """/library/manga as /manga: two roots hold a series named Saga, the
    first (the lower id, which keeps the plain name for root; two
    volumes) in a folder only user a may list. b lists one Saga and no
    " (2)", and that Saga is its own series (one volume); a and root see
    both, a's first."""
    a, b = users
    roots = [os.path.join(world, r) for r in ("r1", "r2")]
    for vol in ("Saga T01.cbz", "Saga T02.cbz"):
        volume(os.path.join(roots[0], "Saga"), vol)
    volume(os.path.join(roots[1], "Saga"), "Saga T01.cbz")
    private = os.path.join(roots[0], "Saga")
    os.chown(private, a.uid, a.gid)
    os.chmod(private, 0o700)
    m = start_daemon(world, *["manga=" + r for r in roots])
    try:
        top = m.file("library/manga")
        both = ["Saga", "Saga (2)"]
        assert sorted(os.listdir(top)) == both
        two, one = ["Volume 001.cbz", "Volume 002.cbz"], ["Volume 001.cbz"]
        assert sorted(os.listdir(top + "/Saga")) == two
        got_a = a.ask([("list", top), ("list", top + "/Saga"),
                       ("list", top + "/Saga (2)")])
        assert got_a == [both, two, one], got_a
        got_b = b.ask([("list", top), ("list", top + "/Saga"),
                       ("stat", top + "/Saga (2)")])
        assert got_b[:2] == [["Saga"], one], got_b
        assert isinstance(got_b[2], OSError), got_b
        assert got_b[2].errno == errno.ENOENT, got_b
    finally:
        unmount(m.path, m.proc)


def test_a_check_searches_only_the_listed_roots(tmp_path, fake):
    """Any user may make a series folder in a shared root: by default
    ([manga] monitor = listed) a check searches only the series of the
    roots listed as monitored_root, so Saga 3 in the other root spends
    no Prowlarr request; with monitor = all it is searched too."""
    for scope in ("", "monitor = all\n"):
        where = tmp_path / ("all" if scope else "listed")
        other = where / "other"
        make_library(str(other), [saga(3)])
        mon = Monitor(where, fake, [saga(1), saga(2)],
                      manga="monitored_root = %s\nroot = %s\n%s"
                      % (where / "manga", other, scope))
        mon.mount()
        try:
            last = mon.check("missing")
            queries = sorted(r["args"]["query"][0] for r in mon.searches())
            want = [saga(1), saga(2)] + ([saga(3)] if scope else [])
            assert last["series"] == len(want), last
            assert sorted(set(queries)) == want, queries
        finally:
            mon.unmount()


def test_no_listed_root_is_said(tmp_path, fake):
    """The default (monitor = listed) with no monitored_root searches no
    series, and says so: a warning in the log, and health counts the
    check's error, so a newcomer is not left waiting."""
    mon = Monitor(tmp_path, fake, [saga(1)], manga="")
    mon.mount()
    try:
        last = mon.check("missing")
        mon.check("missing")
        health = mon.m.read("status/health").decode()
        log = mon.m.read("log").decode()
    finally:
        mon.unmount()
    assert last["series"] == 0 and mon.searches() == []
    assert "warn: monitor: the last missing check had 1 error" in health
    # said once a configuration, not at every check
    assert log.count("no monitored_root names a root, so no series is"
                     " searched") == 1, log


def test_search_finds_among_the_tracks_the_caller_reads(world, users):
    """/search/QUERY shows the best 1,000 matches: user a keeps 1,000
    tracks in its 0700 folder that match zebra better than user b's one
    "Zebra Open". b's /search/zebra holds its own track, not nothing (the
    1,000 places taken by hidden tracks), and a's 1,000 are a's."""
    a, b = users
    root = os.path.join(world, "music")
    mine, theirs = os.path.join(root, "a"), os.path.join(root, "b")
    first = os.path.join(mine, "0000.flac")
    make_flac(first, "Zebra Zebra", "Zebra", "Zebra Zebra", 1)
    for n in range(1, 1000):
        shutil.copyfile(first, os.path.join(mine, "%04d.flac" % n))
    make_flac(os.path.join(theirs, "open.flac"), "Zebra Open", "Other",
              "Open", 1)
    give_folders((mine, a), (theirs, b))
    conf = os.path.join(world, "search.conf")
    with open(conf, "w") as f:
        f.write("[music]\nroot = %s\n[analysis]\nenabled = no\n" % root)
    m = start_daemon(world, "config=" + conf)
    try:
        query = m.file("search/zebra")
        wait_for(lambda: os.listdir(m.file("search/open")), 60,
                 "the library scanned", mount=m, until=len)
        owner = os.listdir(query)
        assert len(owner) == 1000 and not [n for n in owner
                                           if "Open" in n], owner[:3]
        got = [u.run("/usr/bin/python3", "-c", LIST, query)
               for u in (a, b)]
        assert all(g.returncode == 0 for g in got), got
        seen_a, seen_b = (json.loads(g.stdout) for g in got)
        assert sorted(seen_a) == sorted(owner), len(seen_a)
        assert seen_b == ["01 - Zebra Open.flac"], seen_b
    finally:
        unmount(m.path, m.proc)
