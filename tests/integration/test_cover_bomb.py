# SPDX-License-Identifier: GPL-3.0-or-later
"""A cover cannot fill the host's memory (issue 44, point 4): a track
whose ID3 picture claims 200 MB (a sparse file of a few kB on disk) gives
no cover under the default [music] max_picture, and a line in the log;
with the cap raised above it, a user made for the test (useradd,
setpriv) holding 256 opens of its cover.jpg makes the daemon hold one
in-memory copy of it, not 256, its RSS unmoved; a user past [general]
max_open_memory_per_user gets ENOMEM while root reads on, for a cover as
for a manga page larger than the cap, whose stat() renders nothing
(issue 60: its size comes from the archive's index); a normal cover reads
byte-identical, and a picture one byte over max_picture gives no
cover while one of exactly max_picture does."""

import errno
import os
import pathlib
import zipfile

from conftest import run, tone, unmount, wait_for
from reliability import record, rss_kb
from access_users import start_daemon
from test_caps import Holder, conf_with
from test_covers import mp3_file, png, syncsafe
from watch_common import write_conf
# root, useradd and setpriv; a user made for the test; a folder all enter
from access_users import pytestmark, user, world  # noqa: F401

ARTISTS = "library/music/artists"
BOMB = 200 * 1000 * 1000
MIB = 1 << 20
# What the daemon may hold for 256 opens of the bomb's cover: one copy,
# and what its RSS may grow by meanwhile.
RSS_GROWTH_KB = 64 * 1024
OPENS = 256
HEAD = b"\xff\xd8\xff\xe0bomb"


def mp3_claiming(path, album, claimed):
    """An MP3 whose ID3v2.4 APIC frame claims claimed bytes of JPEG: HEAD,
    then a hole up to its end (a sparse file), then the audio. Returns the
    picture's bytes as the file holds them."""
    wav = tone(path, 500)
    run("lame", "--quiet", "-b", "128", wav, path)
    os.unlink(wav)
    with open(path, "rb") as f:
        audio = f.read()
    frames = b""
    for fid, text in ((b"TIT2", album + " Track"), (b"TPE1", "Bomber"),
                      (b"TPE2", "Bomber"), (b"TALB", album)):
        content = b"\x03" + text.encode()
        frames += fid + syncsafe(len(content)) + b"\x00\x00" + content
    head = b"\x00image/jpeg\x00\x03\x00"
    frames += (b"APIC" + syncsafe(len(head) + claimed) + b"\x00\x00" +
               head + HEAD)
    body = len(frames) - len(HEAD) + claimed
    with open(path, "wb") as f:
        f.write(b"ID3\x04\x00\x00" + syncsafe(body) + frames)
        f.seek(10 + body)
        f.write(audio)
    return HEAD + bytes(claimed - len(HEAD))


def album(*parts):
    return os.path.join(ARTISTS, *parts)


def library(world, albums):
    """A music root in world: each (album, claimed) a folder with one
    track by mp3_claiming(), and "Normal" a track with a real 3 MB PNG
    made by mutagen. Returns the root and the PNG."""
    root = os.path.join(world, "music")
    for name, claimed in albums:
        os.makedirs(os.path.join(root, name))
        mp3_claiming(os.path.join(root, name, "01.mp3"), name, claimed)
    os.makedirs(os.path.join(root, "Normal"))
    picture = png(44, 3 * MIB)
    mp3_file(os.path.join(root, "Normal", "01.mp3"), "Normal Track",
             "Bomber", "Normal", 1, pictures=[(3, "image/png", picture)])
    return root, picture


def daemon(world, root, music="", general=""):
    conf = write_conf(pathlib.Path(world), root, music=music)
    os.chmod(str(conf), 0o600)
    conf_with(str(conf), general)
    return start_daemon(world, "config=" + str(conf))


def cover_copies(pid):
    """The in-memory cover copies pid holds: the size of each distinct
    memfd, and how many descriptors it has of them."""
    sizes, fds = {}, 0
    for fd in os.listdir("/proc/%d/fd" % pid):
        path = "/proc/%d/fd/%s" % (pid, fd)
        try:
            if not os.readlink(path).startswith("/memfd:mediamon-cover"):
                continue
            st = os.stat(path)
        except FileNotFoundError:
            continue
        sizes[st.st_ino] = st.st_size
        fds += 1
    return sorted(sizes.values()), fds


def status_kb(pid, field):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def bomb_lines(m):
    return [line for line in m.read("log").decode().splitlines()
            if "max_picture" in line and "Bomb/01.mp3" in line]


def test_bomb_gives_no_cover_by_default(world):
    """The default max_picture (16 MiB) refuses the 200 MB claim: no cover
    entry, one log line naming the track and the cap; the normal cover
    still reads byte-identical."""
    root, picture = library(world, [("Bomb", BOMB)])
    assert os.stat(os.path.join(root, "Bomb", "01.mp3")).st_blocks * 512 \
        < 1 * MIB
    m = daemon(world, root)
    try:
        names = os.listdir(m.file(album("Bomber", "Bomb")))
        assert not [n for n in names if n.startswith(("cover", "folder"))], \
            names
        lines = bomb_lines(m)
        assert len(lines) == 1, lines
        assert "claims %d bytes" % BOMB in lines[0], lines[0]
        assert "max_picture (16777216)" in lines[0], lines[0]
        assert m.read(album("Bomber", "Normal", "cover.png")) == picture
        # the normal cover's copy, kept idle, is the only one
        wait_for(lambda: cover_copies(m.proc.pid), 30, "one idle copy",
                 until=lambda c: c == ([len(picture)], 1), mount=m)
    finally:
        unmount(m.path, m.proc)


def test_256_opens_of_a_bomb_share_one_copy(world, user):
    """With max_picture above the claim, a user holding 256 opens of the
    bomb's cover makes the daemon hold one copy of 200 MB, not 256, and
    its RSS stay put; every open reads the picture's first bytes. Closed,
    the copy is dropped (it is over what idle copies may keep)."""
    root, _ = library(world, [("Bomb", BOMB)])
    m = daemon(world, root, music="max_picture = %d\n" % (256 * MIB))
    try:
        pid = m.proc.pid
        path = m.file(album("Bomber", "Bomb", "cover.jpg"))
        assert os.stat(path).st_size == BOMB
        rss_before = rss_kb(pid)
        with Holder(user, path, OPENS) as held:
            assert held.opened == OPENS, (held.opened, held.errors)
            assert bytes.fromhex(held.head) == (HEAD + bytes(16))[:16]
            sizes, fds = cover_copies(pid)
            rss = rss_kb(pid)
            record("copies of a 200 MB cover held for 256 opens",
                   "%d (%d descriptors), RSS +%d kB, RssShmem %d kB" % (
                       len(sizes), fds, rss - rss_before,
                       status_kb(pid, "RssShmem")))
            assert sizes == [BOMB], sizes
            # the user's 256 and the copy's own
            assert fds == OPENS + 1, fds
            assert rss < rss_before + RSS_GROWTH_KB, (rss, rss_before)
            assert status_kb(pid, "RssShmem") < RSS_GROWTH_KB
            with open(path, "rb") as f:
                f.seek(BOMB - 4096)
                assert f.read() == bytes(4096)
        wait_for(lambda: cover_copies(pid), 30, "the copy dropped",
                 until=lambda c: c == ([], 0), mount=m)
    finally:
        unmount(m.path, m.proc)


def test_user_over_its_memory_cap_gets_enomem(world, user):
    """With max_open_memory_per_user at 1 MiB, the user's open of the
    3 MB cover fails with ENOMEM, said in the log; root reads it, and the
    user still opens a track."""
    root, picture = library(world, [])
    m = daemon(world, root, general="max_open_memory_per_user = %d\n" % MIB)
    try:
        rel = album("Bomber", "Normal", "cover.png")
        got = user.read(m.file(rel))
        assert isinstance(got, OSError) and got.errno == errno.ENOMEM, got
        assert b"max_open_memory_per_user" in m.read("log")
        assert m.read(rel) == picture
        track = [n for n in os.listdir(m.file(album("Bomber", "Normal")))
                 if n.endswith(".mp3")][0]
        assert not isinstance(
            user.read(m.file(album("Bomber", "Normal", track))), OSError)
    finally:
        unmount(m.path, m.proc)


def test_page_over_the_cap_gets_enomem(world, user):
    """With max_open_memory_per_user at 1 MiB, the user's stat() of a
    2 MiB manga page holds no rendering (issue 60: its size comes from the
    archive's index) and works, while its read of that page fails with
    ENOMEM, said in the log; its read of a small page of the same volume
    works, before and after: the refusal held nothing."""
    root = os.path.join(world, "manga")
    os.makedirs(os.path.join(root, "Capped"))
    big = os.urandom(2 * MIB)
    with zipfile.ZipFile(os.path.join(root, "Capped", "Capped v01.cbz"),
                         "w", zipfile.ZIP_STORED) as z:
        z.writestr("01.jpg", b"\xff\xd8\xff\xe0small" + bytes(100))
        z.writestr("02.jpg", b"\xff\xd8\xff\xe0" + big)
    conf = os.path.join(world, "m.conf")
    with open(conf, "w") as f:
        f.write("[manga]\nroot = %s\n[general]\n"
                "max_open_memory_per_user = %d\n" % (root, MIB))
    os.chmod(conf, 0o600)
    m = start_daemon(world, "config=" + conf)
    try:
        series = m.file("manga/Capped")
        folder = wait_for(lambda: [n for n in os.listdir(series)
                                   if n.endswith(".pages")], 60,
                          "the volume's pages folder", mount=m)[0]
        pages = sorted(os.listdir(os.path.join(series, folder)))
        assert len(pages) == 2, pages
        small, large = (os.path.join(series, folder, p) for p in pages)
        got = user.ask([("stat", large), ("read", large), ("read", small),
                        ("read", large), ("read", small)])
        assert got[0] == b"", got
        for i in (1, 3):
            assert isinstance(got[i], OSError) and \
                got[i].errno == errno.ENOMEM, got
        for i in (2, 4):
            assert got[i] == b"\xff\xd8\xff\xe0small" + bytes(100), got
        assert b"max_open_memory_per_user" in m.read("log")
        assert os.stat(large).st_size == 4 + len(big)
    finally:
        unmount(m.path, m.proc)


def test_picture_just_over_max_picture(world):
    """max_picture = 1 MiB: a picture of 1 MiB + 1 byte gives no cover
    and one log line; one of exactly 1 MiB is a cover, read whole."""
    root, _ = library(world, [("Over", MIB + 1), ("Bomb", MIB)])
    m = daemon(world, root, music="max_picture = %d\n" % MIB)
    try:
        names = os.listdir(m.file(album("Bomber", "Over")))
        assert "cover.jpg" not in names, names
        log = m.read("log").decode()
        over = [line for line in log.splitlines()
                if "Over/01.mp3" in line and "max_picture" in line]
        assert len(over) == 1 and "claims %d bytes" % (MIB + 1) in over[0], \
            over
        assert "cover.jpg" in os.listdir(m.file(album("Bomber", "Bomb")))
        assert not bomb_lines(m)
        assert m.read(album("Bomber", "Bomb", "cover.jpg")) == \
            HEAD + bytes(MIB - len(HEAD))
    finally:
        unmount(m.path, m.proc)
