# SPDX-License-Identifier: GPL-3.0-or-later
"""Hostile trees: names no shell likes, paths near PATH_MAX, symlink loops,
FIFOs and device nodes, files that shrink while read, unreadable files,
an ID3 frame claiming 2 GB and a FLAC of thousands of metadata blocks.
Each time the daemon keeps running, keeps what it knew, serves every file
of the mount, and says what it could not read in /status/health and /log.
(Unreadable folders are tried in test_watch.py.)"""

import csv
import errno
import io
import json
import os
import shutil
import socket
import sqlite3
import stat
import struct
import threading

import pytest

from conftest import SLOW, bind_unix, run
from reliability import every_file, rss_kb

# Root bypasses file permissions through these capabilities; without them a
# file owned by another user with mode 000 is unreadable to the daemon.
NO_DAC = ["setpriv", "--bounding-set", "-dac_override,-dac_read_search",
          "--inh-caps", "-dac_override,-dac_read_search", "--"]
PATH_MAX = 4096


def sane(m, unreadable=0):
    """The daemon runs and every file of its mount reads whole, except the
    views of `unreadable` tracks whose real files it may not read; every
    JSON file parses and every name is clean UTF-8."""
    assert m.proc.poll() is None, "mediamon exited"
    n = denied = 0
    for path in every_file(m.path):
        rel = os.path.relpath(path, m.path)
        assert "\n" not in rel, rel
        rel.encode("utf-8")
        try:
            with open(path, "rb") as f:
                data = f.read()
        except PermissionError:
            assert rel.startswith(("library/", "search/")), rel
            denied += 1
            continue
        if path.endswith(".json"):
            json.loads(data)
        n += 1
    assert n > 20
    if not unreadable:
        assert not denied
    return n


def tracks(m):
    db = sqlite3.connect(m.db)
    try:
        return {bytes(p): t for p, t in db.execute(
            "SELECT f.path, t.title FROM file_paths f JOIN tracks t"
            " ON t.file_id = f.id")}
    finally:
        db.close()


def new_scans(m, before):
    """files_new and tag_errors summed over the scans after scan before,
    all of which succeeded: the watcher may take new files before the
    rescan a test asked for does."""
    rows = [r for r in csv.DictReader(io.StringIO(
        m.read("metrics/scan.csv").decode())) if int(r["id"]) > before]
    assert rows and all(r["success"] == "1" for r in rows), rows
    return {k: sum(int(r[k]) for r in rows)
            for k in ("files_new", "tag_errors")}


def untagged_copy(src, dst):
    shutil.copyfile(src, dst)
    run("metaflac", "--remove-all-tags", dst)


def test_names_with_newlines_and_invalid_utf8(mount, library):
    src = str(library / "Alpha" / "First" / "01.flac")
    root = os.fsencode(str(library))
    before = mount.scan_id()
    os.mkdir(root + b"/\xc3(dir\nname")
    names = [b"new\nline.flac", b"bad\xff\xfename.flac", b"tab\there.flac",
             b"\xc3(dir\nname/\x1b[31mred.flac", b"-rf .flac"]
    for name in names:
        untagged_copy(src, root + b"/" + name)
    mount.rescan("1")
    assert new_scans(mount, before)["files_new"] == len(names)
    got = tracks(mount)
    for name in names:
        assert name in got, name
    assert got[b"new\nline.flac"] == "new\nline"
    sane(mount)
    # the search finds them by their (cleaned) titles
    assert len(os.listdir(mount.file("search/line"))) == 1
    assert mount.json("status/summary.json")["counts"]["tracks"] == 14


def test_paths_near_and_beyond_path_max(mount, library):
    src = str(library / "Alpha" / "First" / "02.flac")
    base = str(library)
    comp = "d" * 250
    # deep exactly 100 short of PATH_MAX, wherever the library lies
    target = PATH_MAX - 100
    deep = base
    while target - len(deep) > 300:
        deep += "/" + comp
    if target - len(deep) > 200:
        deep += "/" + "d" * 100
    deep += "/" + "d" * (target - len(deep) - 1)
    assert len(deep) == target
    os.makedirs(deep)
    shutil.copyfile(src, deep + "/02.flac")
    # beyond PATH_MAX as a whole, made one folder at a time, though not
    # below the library's own folder (the scan reads that way): not a
    # file the mount could open, so not indexed
    beyond = "beyond" + "e" * 94
    assert len(os.path.relpath(deep, base)) + 1 + len(beyond) < PATH_MAX
    fd = os.open(deep, os.O_RDONLY)
    try:
        os.mkdir(beyond, dir_fd=fd)
        sub = os.open(beyond, os.O_RDONLY, dir_fd=fd)
        with open(src, "rb") as f:
            data = f.read()
        out = os.open("far.flac", os.O_WRONLY | os.O_CREAT, 0o644,
                      dir_fd=sub)
        os.write(out, data)
        os.close(out)
        os.close(sub)
    finally:
        os.close(fd)
    last = mount.rescan("1")
    assert last["success"]
    rel = os.path.relpath(deep + "/02.flac", base).encode()
    assert tracks(mount).get(rel) == "First 2"
    assert not [p for p in tracks(mount) if p.endswith(b"/far.flac")]
    sane(mount)
    # the rescan of one deep folder works too
    before = mount.scan_id()
    mount.write("control/rescan", deep)
    assert mount.wait_idle(after_id=before)["success"]
    try:
        shutil.rmtree(base + "/" + comp)
    except OSError:
        run("rm", "-rf", base + "/" + comp)
    last = mount.rescan("1")
    assert last["success"] and mount.json("status/summary.json")[
        "counts"]["tracks"] == 9
    sane(mount)


def test_symlink_loops(mount, library):
    a = library / "Alpha"
    os.symlink("self.flac", str(a / "self.flac"))
    os.symlink("b.flac", str(a / "a.flac"))
    os.symlink("a.flac", str(a / "b.flac"))
    os.symlink("..", str(a / "up"))
    os.symlink(".", str(a / "here"))
    os.symlink("loopdir", str(a / "loopdir"))
    last = mount.rescan("1")
    assert last["success"] and last["files_seen"] == 10
    assert last["io_errors"] == 4        # self, a, b and loopdir
    assert mount.json("status/summary.json")["counts"]["tracks"] == 9
    assert b"could not read 4 files or directories" in mount.read(
        "status/health")
    assert b"Too many levels of symbolic links" in mount.read("log")
    for path in ["Alpha/self.flac", "Alpha/up", "Alpha/loopdir"]:
        before = mount.scan_id()
        try:
            mount.write("control/rescan", str(library / path))
        except OSError as e:
            assert e.errno == errno.EINVAL
            continue
        mount.wait_idle(after_id=before)
    sane(mount)


def test_fifos_and_devices_are_never_opened(mount, library):
    a = library / "Alpha"
    fifos = [str(a / "pipe.flac"), str(a / "pipe.mp3")]
    for p in fifos:
        os.mkfifo(p)
    os.mknod(str(a / "null.flac"), stat.S_IFCHR | 0o644, os.makedev(1, 3))
    os.mknod(str(a / "zero.mp3"), stat.S_IFCHR | 0o644, os.makedev(1, 5))
    os.mknod(str(a / "loop.flac"), stat.S_IFBLK | 0o644, os.makedev(7, 0))
    os.symlink("pipe.mp3", str(a / "link.mp3"))
    os.symlink("/dev/zero", str(a / "devzero.flac"))
    sock = socket.socket(socket.AF_UNIX)
    bind_unix(sock, a / "sock.flac")
    try:
        last = mount.rescan("full")
        assert last["success"] and last["files_new"] == 0
        for name in ["pipe.flac", "link.mp3", "zero.mp3", "devzero.flac"]:
            before = mount.scan_id()
            mount.write("control/rescan", str(a / name))
            assert mount.wait_idle(after_id=before)["success"]
        # a reader still blocked in open() would let a writer in
        for p in fifos:
            with pytest.raises(OSError) as e:
                os.open(p, os.O_WRONLY | os.O_NONBLOCK)
            assert e.value.errno == errno.ENXIO
        assert mount.json("status/summary.json")["counts"]["tracks"] == 9
        sane(mount)
    finally:
        sock.close()


def test_files_that_shrink_while_read(mount, library, tmp_path):
    src = str(library / "Alpha" / "First" / "03.flac")
    big = tmp_path / "big.flac"
    shutil.copyfile(src, str(big))
    run("metaflac", "--add-padding=3000000", str(big))
    mp3 = library / "Alpha" / "Second" / "01.mp3"
    with open(str(mp3), "rb") as f:
        mp3_data = f.read()
    originals = {str(library / "shrink.flac"): big.read_bytes(),
                 str(library / "shrink.mp3"): mp3_data}
    for p, data in originals.items():
        with open(p, "wb") as f:
            f.write(data)
    mount.rescan("1")
    stop = threading.Event()

    def shrink():
        n = 0
        while not stop.is_set():
            for p, data in originals.items():
                with open(p, "wb") as f:
                    f.write(data)
                for size in (len(data) // 2, 4096, 100, 3, 0):
                    os.truncate(p, size)
                n += 1
        return n

    t = threading.Thread(target=shrink, daemon=True)
    t.start()
    try:
        for _ in range(6):
            mount.rescan("full")
            # the views serve the shrinking files themselves
            for d in (mount.file("search/First 3"),
                      mount.file("search/Second 1")):
                names = os.listdir(d)
                assert names, d
                for name in names:
                    try:
                        with open(os.path.join(d, name), "rb") as f:
                            f.read()
                    except FileNotFoundError:
                        pass
    finally:
        stop.set()
        t.join(30 * SLOW)
    assert not t.is_alive(), "the shrinking thread did not end"
    for p, data in originals.items():
        with open(p, "wb") as f:
            f.write(data)
    mount.rescan("1")
    got = tracks(mount)
    assert got[b"shrink.flac"] == "First 3"
    assert got[b"shrink.mp3"] == "Second 1"
    sane(mount)


def test_unreadable_file(make_mount, library, tmp_path):
    conf = tmp_path / "u.conf"
    conf.write_text("[music]\nroot = %s\n" % library)
    m = make_mount("config=" + str(conf), wrapper=NO_DAC)
    locked = library / "Alpha" / "First" / "01.flac"
    os.chown(str(locked), 65534, 65534)
    os.chmod(str(locked), 0)
    new = library / "Alpha" / "First" / "09.flac"
    shutil.copyfile(str(library / "Alpha" / "First" / "02.flac"), str(new))
    os.chown(str(new), 65534, 65534)
    os.chmod(str(new), 0)
    last = m.rescan("full")
    assert last["success"] and last["io_errors"] == 2
    # what the store knew is kept; the new file waits until readable
    assert m.json("status/summary.json")["counts"]["tracks"] == 9
    assert b"could not read 2 files or directories" in m.read(
        "status/health")
    assert b"Permission denied" in m.read("log")
    sane(m, unreadable=1)
    os.chmod(str(new), 0o644)
    assert m.rescan("1")["success"]
    assert tracks(m)[b"Alpha/First/09.flac"] == "First 2"


def syncsafe(n):
    return bytes([n >> 21 & 0x7f, n >> 14 & 0x7f, n >> 7 & 0x7f, n & 0x7f])


def mpeg_audio(path):
    """The MPEG frames of an MP3, without its ID3v2 tag."""
    with open(path, "rb") as f:
        data = f.read()
    assert data[:3] == b"ID3"
    size = 10 + sum(b << (7 * (3 - i)) for i, b in enumerate(data[6:10]))
    return data[size:]


def id3_frame(ver, fid, body, size=None):
    size = len(body) if size is None else size
    if ver == 2:
        return fid + size.to_bytes(3, "big") + body
    return fid + (syncsafe(size) if ver == 4 else struct.pack(">I", size)) \
        + b"\0\0" + body


@pytest.mark.parametrize("ver,claim,tag_claim", [
    (3, 0x80000000, None),          # a frame of 2 GB, in a v2.3 tag
    (3, 0xffffffff, None),
    (4, 0x0fffffff, 0x0fffffff),    # the largest v2.4 frame and tag
    (2, 0xffffff, None),            # the largest v2.2 frame
])
def test_tag_frame_claiming_2gb(mount, library, ver, claim, tag_claim):
    audio = mpeg_audio(str(library / "Alpha" / "Second" / "02.mp3"))
    ids = {2: (b"TAL", b"TT2"), 3: (b"TALB", b"TIT2"), 4: (b"TALB", b"TIT2")}
    album, title = ids[ver]
    frames = id3_frame(ver, album, b"\0Huge") + \
        id3_frame(ver, title, b"\0Claims a lot", claim)
    tag = b"ID3" + bytes([ver, 0, 0]) + syncsafe(
        tag_claim or len(frames) + 64) + frames + b"\0" * 64
    path = library / "Alpha" / ("huge%d.mp3" % ver)
    scan = mount.scan_id()
    path.write_bytes(tag + audio)
    before = rss_kb(mount.proc.pid)
    mount.rescan("1")
    assert new_scans(mount, scan) == {"files_new": 1, "tag_errors": 1}
    got = tracks(mount)[os.fsencode("Alpha/huge%d.mp3" % ver)]
    assert got in ("huge%d" % ver, "Claims a lot")
    # nothing near the claim was allocated
    assert rss_kb(mount.proc.pid) - before < 64 * 1024
    assert b"could not read" not in mount.read("status/health")
    sane(mount)


def flac_blocks(data):
    assert data[:4] == b"fLaC"
    pos, blocks = 4, []
    while True:
        head = data[pos]
        size = int.from_bytes(data[pos + 1:pos + 4], "big")
        blocks.append((head & 0x7f, data[pos + 4:pos + 4 + size]))
        pos += 4 + size
        if head & 0x80:
            return blocks, data[pos:]


def flac_join(blocks, audio, last_claim=None):
    out = b"fLaC"
    for i, (kind, payload) in enumerate(blocks):
        last = i == len(blocks) - 1
        size = last_claim if last and last_claim else len(payload)
        out += bytes([kind | (0x80 if last else 0)]) + \
            size.to_bytes(3, "big") + payload
    return out + audio


def comment_block(*comments):
    body = struct.pack("<I", 4) + b"test" + struct.pack("<I", len(comments))
    for c in comments:
        body += struct.pack("<I", len(c)) + c
    return (4, body)


def test_flac_with_thousands_of_metadata_blocks(mount, library):
    before = mount.json("metrics/scan.json")["last"]["id"]
    with open(str(library / "Beta" / "Third" / "01.flac"), "rb") as f:
        blocks, audio = flac_blocks(f.read())
    # STREAMINFO, then the comments metaflac wrote
    many = [b for b in blocks if b[0] in (0, 4)]
    many += [(1, b"")] * 4000                          # empty paddings
    many += [comment_block(b"ARTIST=Artist %d" % i) for i in range(1500)]
    many += [(2, b"mmon" + b"x" * 10)] * 1000          # applications
    (library / "Beta" / "many.flac").write_bytes(flac_join(many, audio))
    # the last block claims 16 MB that the file does not have
    (library / "Beta" / "liar.flac").write_bytes(
        flac_join(many[:2] + [(1, b"\0" * 16)], audio, 0xffffff))
    mount.rescan("1")
    got = new_scans(mount, before)
    assert got["files_new"] == 2 and got["tag_errors"] >= 1
    db = sqlite3.connect(mount.db)
    title, artist = db.execute(
        "SELECT t.title, a.name FROM tracks t JOIN file_paths f"
        " ON f.id = t.file_id JOIN artists a ON a.id = t.artist_id"
        " WHERE f.path = CAST('Beta/many.flac' AS BLOB)").fetchone()
    # the first comment block alone counts, as in mutagen and metaflac
    assert title == "Third 1" and artist == "Beta"
    assert tracks(mount)[b"Beta/liar.flac"] == "Third 1"
    sane(mount)
