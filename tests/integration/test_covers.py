# SPDX-License-Identifier: GPL-3.0-or-later
"""Cover art in the library views: pictures embedded by mutagen in FLAC,
ID3v2.3 and ID3v2.4 (and ID3 tags unsynchronised by hand, which mutagen
only reads), folder images of every accepted name, artist images, broken
pictures, and /status/no-cover. Bytes read through the mount are compared
with what mutagen reads from the files."""

import errno
import os
import random
import sqlite3
import struct
import sys
import types
import zlib

import pytest
from mutagen.flac import FLAC, Picture
from mutagen.id3 import APIC, ID3, TALB, TIT2, TPE1, TPE2, TRCK
from mutagen.id3._util import unsynch

from conftest import REPO, run, start, tone, unmount

sys.path.insert(0, os.path.join(REPO, "tests", "bench"))
import tinyjpeg  # noqa: E402  (tests/bench, added to the path above)

ARTISTS = "library/music/artists"
BIG = 10 * 1024 * 1024


def png(seed, size):
    """A PNG of about size bytes: one grey row per 1,000 random bytes,
    stored without compression so that it keeps its size."""
    rng = random.Random(seed)
    width = 1000
    rows = max(1, size // (width + 1))
    raw = b"".join(b"\x00" + rng.randbytes(width) for _ in range(rows))

    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data +
                struct.pack(">I", zlib.crc32(kind + data)))
    return (b"\x89PNG\r\n\x1a\n" +
            chunk(b"IHDR", struct.pack(">IIBBBBB", width, rows, 8, 0, 0,
                                       0, 0)) +
            chunk(b"IDAT", zlib.compress(raw, 0)) + chunk(b"IEND", b""))


def jpeg(seed, size=0):
    return tinyjpeg.gradient_cover(seed, pad_to=size)


def sync_heavy(seed, size):
    """Bytes full of 0xFF followed by 0x00 or 0xE0 and up: what
    unsynchronisation changes."""
    rng = random.Random(seed)
    out = bytearray(b"\xff\xd8\xff\xe0")
    while len(out) < size:
        out += rng.choice([b"\xff\x00", b"\xff\xe1", b"\xff\xff", b"ab"])
    return bytes(out[:size])


def flac_file(path, title, artist, album, track, pictures=()):
    """A FLAC tone tagged with metaflac, then pictures added by mutagen:
    (type, mime, data) each, in that order."""
    wav = tone(path, 300 + track * 40)
    run("flac", "-s", "-f", "-o", path, wav)
    os.unlink(wav)
    run("metaflac", "--set-tag=TITLE=" + title, "--set-tag=ARTIST=" + artist,
        "--set-tag=ALBUM=" + album, "--set-tag=TRACKNUMBER=%d" % track, path)
    if pictures:
        f = FLAC(path)
        for kind, mime, data in pictures:
            p = Picture()
            p.type = kind
            p.mime = mime
            p.desc = "picture %d" % kind
            p.data = data
            f.add_picture(p)
        f.save()


def id3_frames(title, artist, album, track):
    return [TIT2(encoding=3, text=title), TPE1(encoding=3, text=artist),
            TPE2(encoding=3, text=artist), TALB(encoding=3, text=album),
            TRCK(encoding=3, text=str(track))]


def mp3_file(path, title, artist, album, track, pictures=(), version=4):
    """An MP3 tone from lame, tagged by mutagen in ID3v2.3 or 2.4."""
    wav = tone(path, 300 + track * 40)
    run("lame", "--quiet", "-b", "128", wav, path)
    os.unlink(wav)
    tag = ID3()
    for frame in id3_frames(title, artist, album, track):
        tag.add(frame)
    for i, (kind, mime, data) in enumerate(pictures):
        tag.add(APIC(encoding=1 if i % 2 else 0, mime=mime, type=kind,
                     desc="picture %d \u00ff" % i, data=data))
    tag.save(path, v2_version=version)


def syncsafe(n):
    return bytes([(n >> 21) & 0x7f, (n >> 14) & 0x7f, (n >> 7) & 0x7f,
                  n & 0x7f])


def mp3_unsynced(path, title, artist, album, data, version):
    """An MP3 whose ID3 tag is unsynchronised, made by hand as mutagen
    does not write such tags: ID3v2.3 unsynchronises the whole tag (frame
    sizes count the bytes before), ID3v2.4 each frame, with the data
    length indicator."""
    wav = tone(path, 900)
    run("lame", "--quiet", "-b", "128", wav, path)
    os.unlink(wav)
    with open(path, "rb") as f:
        audio = f.read()
    texts = [(b"TIT2", title), (b"TPE1", artist), (b"TALB", album)]
    frames = [(fid, b"\x00" + text.encode("latin-1")) for fid, text in texts]
    frames.append((b"APIC", b"\x00image/jpeg\x00\x03\xff\xe0desc\x00" +
                   data))
    body = b""
    for fid, content in frames:
        if version == 3:
            body += fid + struct.pack(">IH", len(content), 0) + content
        else:
            coded = syncsafe(len(content)) + unsynch.encode(content)
            body += fid + syncsafe(len(coded)) + b"\x00\x03" + coded
    if version == 3:
        body = unsynch.encode(body)
    head = b"ID3" + bytes([version, 0, 0x80 if version == 3 else 0])
    with open(path, "wb") as f:
        f.write(head + syncsafe(len(body)) + body + audio)


def embedded(path):
    """The pictures mutagen reads in a file, in file order."""
    if path.endswith(".flac"):
        return [(p.type, p.data) for p in FLAC(path).pictures]
    return [(p.type, p.data) for p in ID3(path).getall("APIC")]


# Folder image names, each with an odd case, and the entry they make.
FOLDER_NAMES = [(n, e) for n in ("cover", "folder", "front", "album")
                for e in (".jpg", ".jpeg", ".png", ".webp")]


def odd_case(name, i):
    return "".join(c.upper() if (i >> (k % 4)) & 1 else c
                   for k, c in enumerate(name))


@pytest.fixture(scope="module")
def covers(tmp_path_factory):
    """The library, its mount, the bytes each album's cover must have
    (want: kind, data or None, the track holding it or None), the
    artists' images and the recorded sizes of the cut pictures."""
    base = tmp_path_factory.mktemp("covers")
    root = base / "music"
    want = {}

    def album_dir(artist, album):
        d = root / artist / album
        d.mkdir(parents=True, exist_ok=True)
        return str(d)

    # FLAC: the second track holds a back cover, then the front cover,
    # then another picture; the first track none.
    d = album_dir("Artist A", "Flac Album")
    flac_file(d + "/01.flac", "Plain", "Artist A", "Flac Album", 1)
    front = jpeg(1, 30000)
    flac_file(d + "/02.flac", "Pictured", "Artist A", "Flac Album", 2,
              [(4, "image/png", png(2, 5000)), (3, "image/jpeg", front),
               (0, "image/jpeg", jpeg(3))])
    want["Artist A/Flac Album"] = ("jpg", front, d + "/02.flac")

    # ID3v2.3 by mutagen, with a back cover first.
    d = album_dir("Artist A", "V23 Album")
    front = jpeg(4, 50000)
    mp3_file(d + "/01.mp3", "V23", "Artist A", "V23 Album", 1,
             [(4, "image/jpeg", jpeg(5)), (3, "image/jpeg", front)], 3)
    want["Artist A/V23 Album"] = ("jpg", front, d + "/01.mp3")

    # ID3v2.4 by mutagen: a 10 MB PNG, and no front cover at all in the
    # first track (its only picture is type 0, which loses to a front
    # cover in a later track).
    d = album_dir("Artist B", "V24 Album")
    mp3_file(d + "/01.mp3", "Other", "Artist B", "V24 Album", 1,
             [(0, "image/jpeg", jpeg(6))])
    front = png(7, BIG)
    mp3_file(d + "/02.mp3", "Big", "Artist B", "V24 Album", 2,
             [(3, "image/png", front)])
    want["Artist B/V24 Album"] = ("png", front, d + "/02.mp3")

    # The other kinds by mutagen, each front cover after another picture:
    # a 10 MB PNG in FLAC, a PNG in ID3v2.3, a JPEG in ID3v2.4.
    for album, name, kind, front, other in (
            ("Flac Png", "01.flac", "png", png(8, BIG),
             (0, "image/jpeg", jpeg(9))),
            ("V23 Png", "01.mp3", "png", png(10, 20000),
             (5, "image/jpeg", jpeg(11))),
            ("V24 Jpeg", "01.mp3", "jpg", jpeg(12, 40000),
             (6, "image/png", png(13, 3000)))):
        path = album_dir("Artist B", album) + "/" + name
        pictures = [other, (3, "image/" + {"jpg": "jpeg"}.get(kind, kind),
                            front)]
        if name.endswith(".flac"):
            flac_file(path, album, "Artist B", album, 1, pictures)
        else:
            mp3_file(path, album, "Artist B", album, 1, pictures,
                     3 if album.startswith("V23") else 4)
        want["Artist B/" + album] = (kind, front, path)

    # Unsynchronised ID3v2.3 (the whole tag) and ID3v2.4 (per frame).
    for version in (3, 4):
        album = "Unsync %d" % version
        d = album_dir("Artist B", album)
        mp3_unsynced(d + "/01.mp3", "U%d" % version, "Artist B", album,
                     sync_heavy(version, 70000), version)
        want["Artist B/" + album] = ("jpg", None, d + "/01.mp3")

    # Folder images: every accepted name in an odd case, one per album,
    # over an embedded picture; and a folder with two, where the better
    # name wins.
    for i, (name, ext) in enumerate(FOLDER_NAMES):
        album = "Folder %02d" % i
        d = album_dir("Artist C", album)
        flac_file(d + "/01.flac", "F%d" % i, "Artist C", album, 1,
                  [(3, "image/jpeg", jpeg(50 + i))])
        data = png(100 + i, 3000) if ext == ".png" else jpeg(100 + i)
        with open(os.path.join(d, odd_case(name, i) + ext), "wb") as f:
            f.write(data)
        kind = {".png": "png", ".webp": "webp"}.get(ext, "jpg")
        want["Artist C/" + album] = (kind, data, None)
    d = album_dir("Artist C", "Two Images")
    flac_file(d + "/01.flac", "Two", "Artist C", "Two Images", 1)
    with open(d + "/album.jpg", "wb") as f:
        f.write(jpeg(200))
    with open(d + "/Cover.png", "wb") as f:
        data = png(201, 2000)
        f.write(data)
    with open(d + "/back.jpg", "wb") as f:
        f.write(jpeg(202))
    want["Artist C/Two Images"] = ("png", data, None)

    # Artist images: A has one in PNG, B in JPEG, C none.
    artist_a = png(300, 4000)
    with open(str(root / "Artist A" / "Artist.PNG"), "wb") as f:
        f.write(artist_a)
    artist_b = jpeg(301)
    with open(str(root / "Artist B" / "artist.jpg"), "wb") as f:
        f.write(artist_b)

    # Artist E's albums sit in two folders, and only the second has an
    # image above it.
    for parent, album in (("Various", "E1"), ("Artist E", "E2")):
        d = str(root / parent / album)
        os.makedirs(d)
        flac_file(d + "/01.flac", album, "Artist E", album, 1,
                  [(3, "image/png", png(500, 1000))])
    artist_e = jpeg(302)
    with open(str(root / "Artist E" / "ARTIST.jpg"), "wb") as f:
        f.write(artist_e)

    # Multi-disc albums: the album folder's image serves disc folders
    # without one of their own, and the artist image is two levels above
    # the tracks. A subfolder that is not a disc folder looks no higher.
    for album, folders in (("Double", ("CD1", "CD2")),
                           ("Boxed", ("Disc 1 - Early", "disc 2 - Late")),
                           ("Spaced", ("cd 1", "CD 2")),
                           ("Bonus Only", ("Bonus",))):
        for n, sub in enumerate(folders, start=1):
            d = album_dir("Artist F", album + "/" + sub)
            flac_file(d + "/%02d.flac" % n, "%s %d" % (album, n),
                      "Artist F", album, n)
    images = {"Double/Folder.JPG": jpeg(600), "Boxed/cover.jpg": jpeg(601),
              "Boxed/Disc 1 - Early/cover.png": png(602, 2000),
              "Bonus Only/cover.jpg": jpeg(603), "artist.png": png(604, 3000)}
    for rel, data in images.items():
        (root / "Artist F" / rel).write_bytes(data)
    want["Artist F/Double"] = ("jpg", images["Double/Folder.JPG"], None)
    want["Artist F/Boxed"] = ("png", images["Boxed/Disc 1 - Early/cover.png"],
                              None)
    artist_f = images["artist.png"]

    # No cover at all.
    d = album_dir("Artist D", "Bare Album")
    flac_file(d + "/01.flac", "Bare", "Artist D", "Bare Album", 1)

    # Pictures whose recorded size runs past the end of the file: a FLAC
    # whose last metadata block is the picture, an MP3 whose tag ends in
    # one, both cut inside it.
    cut = {}
    d = album_dir("Artist D", "Cut Flac")
    flac_file(d + "/01.flac", "Cut", "Artist D", "Cut Flac", 1,
              [(3, "image/jpeg", jpeg(400, 200000))])
    cut["Cut Flac"] = cut_inside(d + "/01.flac", jpeg(400, 200000))
    d = album_dir("Artist D", "Cut Mp3")
    mp3_file(d + "/01.mp3", "Cut", "Artist D", "Cut Mp3", 1,
             [(3, "image/jpeg", jpeg(401, 200000))])
    cut["Cut Mp3"] = cut_inside(d + "/01.mp3", jpeg(401, 200000))

    m = start(base, "music=" + str(root))
    yield types.SimpleNamespace(mount=m, root=root, want=want, cut=cut,
                                artist_a=artist_a, artist_b=artist_b,
                                artist_e=artist_e, artist_f=artist_f)
    unmount(m.path, m.proc)


def cut_inside(path, picture):
    """Cut the file half way through picture, which it holds; returns the
    picture's size, which its tag still records."""
    with open(path, "rb") as f:
        data = f.read()
    start = data.index(picture)
    assert start + len(picture) < len(data)
    with open(path, "wb") as f:
        f.write(data[:start + len(picture) // 2])
    return len(picture)


def album_path(key):
    """The album folder under /library/music/artists of a want key."""
    artist, album = key.split("/")
    return os.path.join(ARTISTS, artist, album)


def front_of(path):
    """What mutagen reads as the front cover of a file."""
    return [data for kind, data in embedded(path) if kind == 3][0]


def test_embedded_covers_equal_mutagen(covers):
    m, want = covers.mount, covers.want
    for key in ("Artist A/Flac Album", "Artist A/V23 Album",
                "Artist B/V24 Album", "Artist B/Flac Png",
                "Artist B/V23 Png", "Artist B/V24 Jpeg",
                "Artist B/Unsync 3", "Artist B/Unsync 4"):
        kind, data, track = want[key]
        expected = front_of(track)
        if data is not None:
            assert expected == data
        folder = album_path(key)
        names = os.listdir(m.file(folder))
        assert "cover." + kind in names and "folder." + kind in names, key
        for name in ("cover.", "folder."):
            rel = os.path.join(folder, name + kind)
            assert m.read(rel) == expected, key
            assert os.stat(m.file(rel)).st_size == len(expected)


def test_big_picture_read_in_pieces(covers):
    """The 10 MB PNG read with small reads at odd offsets, and twice (the
    second from the cache) is the same."""
    m, want = covers.mount, covers.want
    _, data, _ = want["Artist B/V24 Album"]
    path = m.file(os.path.join(album_path("Artist B/V24 Album"),
                               "cover.png"))
    got = bytearray()
    with open(path, "rb") as f:
        while True:
            piece = f.read(12345)
            if not piece:
                break
            got += piece
    assert bytes(got) == data
    with open(path, "rb") as f:
        f.seek(BIG // 2 + 7)
        assert f.read(1000) == data[BIG // 2 + 7:BIG // 2 + 1007]
    assert m.read(os.path.relpath(path, m.path)) == data


def test_folder_images_every_name(covers):
    m, want = covers.mount, covers.want
    for i in range(len(FOLDER_NAMES)):
        key = "Artist C/Folder %02d" % i
        kind, data, _ = want[key]
        folder = album_path(key)
        names = sorted(n for n in os.listdir(m.file(folder))
                       if not n.endswith(".flac"))
        assert names == ["cover." + kind, "folder." + kind], key
        assert m.read(os.path.join(folder, "folder." + kind)) == data
    kind, data, _ = want["Artist C/Two Images"]
    assert kind == "png"
    assert m.read(os.path.join(album_path("Artist C/Two Images"),
                               "cover.png")) == data


def test_covers_in_every_album_view(covers):
    m, want = covers.mount, covers.want
    kind, data, _ = want["Artist B/V24 Album"]
    for folder in ("library/music/albums/V24 Album (Artist B)",
                   "library/music/years/Unknown Year/Artist B - V24 Album",
                   "library/music/genres/Unknown Genre/Artist B/V24 Album"):
        assert m.read(os.path.join(folder, "folder.png")) == data


def test_a_cover_is_one_file_in_every_view(covers):
    """Issue 80: a cover shown in every album view (a picture a track
    holds, or a folder image) is one file: the same inode number under
    each of its names, a link count above one, so du counts it once."""
    m = covers.mount
    for key, folders in (
            ("Artist B/V24 Album", (
                "library/music/albums/V24 Album (Artist B)",
                "library/music/years/Unknown Year/Artist B - V24 Album",
                "library/music/genres/Unknown Genre/Artist B/V24 Album",
                album_path("Artist B/V24 Album"))),
            ("Artist C/Folder 00", (album_path("Artist C/Folder 00"),))):
        kind = covers.want[key][0]
        seen = {}
        for folder in folders:
            for name in ("cover.", "folder."):
                st = os.stat(m.file(os.path.join(folder, name + kind)))
                seen[os.path.join(folder, name)] = (st.st_ino, st.st_nlink)
        assert len({ino for ino, _ in seen.values()}) == 1, (key, seen)
        assert all(n > 1 for _, n in seen.values()), (key, seen)
        # and a track's own number is not its picture's
        track = next(n for n in os.listdir(m.file(folders[-1]))
                     if n.endswith((".flac", ".mp3")))
        assert os.stat(m.file(os.path.join(folders[-1], track))).st_ino \
            not in {ino for ino, _ in seen.values()}


def test_artist_images(covers):
    m = covers.mount
    assert m.read(ARTISTS + "/Artist A/artist.png") == covers.artist_a
    assert m.read(ARTISTS + "/Artist B/artist.jpg") == covers.artist_b
    assert m.read(ARTISTS + "/Artist E/artist.jpg") == covers.artist_e
    assert m.read("library/music/genres/Unknown Genre/Artist E/"
                  "artist.jpg") == covers.artist_e
    assert not [n for n in os.listdir(m.file(ARTISTS + "/Artist C"))
                if n.startswith("artist")]
    assert not os.path.exists(m.file(ARTISTS + "/Artist C/artist.jpg"))


def test_no_cover_listed(covers):
    m, root = covers.mount, covers.root
    assert not [n for n in os.listdir(m.file(ARTISTS +
                                              "/Artist D/Bare Album"))
                if n.startswith(("cover", "folder"))]
    lines = m.read("status/no-cover").decode().splitlines()
    assert lines == [
        "Artist D\tBare Album\t%s/Artist D/Bare Album" % root,
        "Artist F\tBonus Only\t%s/Artist F/Bonus Only/Bonus" % root,
        "Artist F\tSpaced\t%s/Artist F/Spaced" % root]
    counts = m.json("status/summary.json")["counts"]
    assert counts["albums_without_cover"] == 3
    assert counts["albums_with_cover"] == counts["albums"] - 3


@pytest.mark.parametrize("album", ["Cut Flac", "Cut Mp3"])
def test_picture_past_end_of_file(covers, album):
    """A picture whose recorded size runs past the end of the file: the
    entry is there, opening it fails with EIO, and the mount lives on."""
    m = covers.mount
    path = m.file(os.path.join(ARTISTS, "Artist D", album, "cover.jpg"))
    assert os.stat(path).st_size == covers.cut[album]
    for _ in range(2):
        with pytest.raises(OSError) as e:
            with open(path, "rb") as f:
                f.read()
        assert e.value.errno == errno.EIO
    assert m.json("status/summary.json")["counts"]["albums"] > 0


def test_search_has_no_covers(covers):
    m = covers.mount
    names = os.listdir(m.file("search/v24"))
    assert names and all(n.endswith(".mp3") for n in names)


def test_multi_disc_albums(covers):
    """A disc folder without an image shows its album folder's; one with
    its own shows that; the artist image is above the album folder."""
    m, want = covers.mount, covers.want
    for key in ("Artist F/Double", "Artist F/Boxed"):
        kind, data, _ = want[key]
        folder = album_path(key)
        names = sorted(n for n in os.listdir(m.file(folder))
                       if not n.endswith(".flac"))
        assert names == ["cover." + kind, "folder." + kind], key
        assert m.read(os.path.join(folder, "cover." + kind)) == data, key
        assert len(os.listdir(m.file(folder))) == 4, key
    for key in ("Artist F/Spaced", "Artist F/Bonus Only"):
        assert not [n for n in os.listdir(m.file(album_path(key)))
                    if not n.endswith(".flac")], key
    assert m.read(ARTISTS + "/Artist F/artist.png") == covers.artist_f


def pictures_noted(db):
    """How many tracks hold a picture, and how many pictures are noted."""
    with sqlite3.connect(db) as c:
        return (c.execute("SELECT count(*) FROM tracks WHERE has_picture")
                .fetchone()[0],
                c.execute("SELECT count(*) FROM pictures").fetchone()[0])


def test_covers_off_then_on(covers, tmp_path):
    """[music] covers = no: the scan notes no embedded picture, the views
    show no image, /status/no-cover is empty and counts none. Turned back
    on, the next start notes the pictures and shows every cover."""
    conf = tmp_path / "covers-off.conf"
    conf.write_text("[music]\ncovers = no\n")
    m = start(tmp_path, "config=" + str(conf), "music=" + str(covers.root))
    try:
        holding, noted = pictures_noted(m.db)
        assert holding > 0 and noted == 0
        for key in covers.want:
            assert not [n for n in os.listdir(m.file(album_path(key)))
                        if not n.endswith((".flac", ".mp3"))], key
        for artist in ("Artist A", "Artist B", "Artist E", "Artist F"):
            assert not [n for n in os.listdir(m.file(ARTISTS + "/" + artist))
                        if n.startswith("artist")], artist
        assert m.read("status/no-cover") == b""
        counts = m.json("status/summary.json")["counts"]
        assert counts["albums"] > 0
        assert counts["albums_with_cover"] == 0
        assert counts["albums_without_cover"] == 0
    finally:
        unmount(m.path, m.proc)

    m = start(tmp_path, "music=" + str(covers.root))
    try:
        assert pictures_noted(m.db) == pictures_noted(covers.mount.db)
        for key, (kind, data, track) in covers.want.items():
            rel = os.path.join(album_path(key), "cover." + kind)
            assert m.read(rel) == (data if data is not None
                                   else front_of(track)), key
        assert m.read(ARTISTS + "/Artist F/artist.png") == covers.artist_f
        assert len(m.read("status/no-cover").splitlines()) == 3
    finally:
        unmount(m.path, m.proc)


def test_folder_image_added_and_removed(make_mount, tmp_path):
    """A cover.jpg put in an album folder later shows after the rescan,
    takes the album off /status/no-cover, and goes when removed."""
    d = tmp_path / "music" / "Artist" / "Album"
    d.mkdir(parents=True)
    flac_file(str(d / "01.flac"), "Song", "Artist", "Album", 1)
    m = make_mount("music=" + str(tmp_path / "music"))
    folder = os.path.join(ARTISTS, "Artist", "Album")
    assert os.listdir(m.file(folder)) == ["01 - Song.flac"]
    assert m.read("status/no-cover") == \
        b"Artist\tAlbum\t%s\n" % str(d).encode()
    image = jpeg(700, 5000)
    (d / "COVER.JPG").write_bytes(image)
    m.rescan()
    assert sorted(os.listdir(m.file(folder))) == \
        ["01 - Song.flac", "cover.jpg", "folder.jpg"]
    assert m.read(folder + "/folder.jpg") == image
    assert m.read("status/no-cover") == b""
    (d / "COVER.JPG").unlink()
    m.rescan()
    assert os.listdir(m.file(folder)) == ["01 - Song.flac"]
    assert m.read("status/no-cover") != b""


def test_pictures_not_read_while_scanning(covers):
    """The scan reads the fields in front of an image, never the image:
    the two 10 MB pictures alone would be twice what it read in all."""
    last = covers.mount.json("metrics/scan.json")["last"]
    assert last["trigger"] == "startup" and last["files_new"] > 40
    assert last["bytes_read"] < BIG // 2
