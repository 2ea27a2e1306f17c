# SPDX-License-Identifier: GPL-3.0-or-later
"""The library views and search over a real mount: every track of a
library made with real tools (flac, metaflac, lame, mutagen) is reachable
once in every view under the names DESIGN.md gives, reads through the mount
equal the real files, the views follow tag changes and deletions, and
/search finds by word and prefix with accents folded, whatever is typed."""

import collections
import errno
import hashlib
import os
import re
import shutil
import struct
import subprocess
import time

import pytest
from mutagen.id3 import ID3, TALB, TCON, TDRC, TIT2, TPE1, TRCK

from conftest import (is_mounted, make_flac, reached, run, start, tone,
                      unmount, wait_for)

CONVERGE_S = 15
VIEWS = ["artists", "albums", "genres", "years"]
LONG_TITLE = "\u00e9" * 150                     # 300 bytes of UTF-8
SLASH = "\u2215"

# (file, tags, track artist if not the album's) -> one FLAC each; every
# file gets its own tone so its bytes tell which track it is.
TRACKS = [
    ("acdc/1.flac", {"TITLE": "Hells Bells", "ARTIST": "AC/DC",
                     "ALBUM": "Back in Black", "DATE": "1980",
                     "GENRE": "Hard Rock", "TRACKNUMBER": "1"}),
    ("acdc/2.flac", {"TITLE": "Shoot to Thrill", "ARTIST": "AC/DC",
                     "ALBUM": "Back in Black", "DATE": "1980",
                     "GENRE": "Hard Rock", "TRACKNUMBER": "2"}),
    ("hits/a.flac", {"TITLE": "Alpha", "ARTIST": "Xavier",
                     "ALBUMARTIST": "Various Artists", "ALBUM": "Hits",
                     "DATE": "2001", "GENRE": "Pop", "TRACKNUMBER": "1",
                     "DISCNUMBER": "1/2"}),
    ("hits/b.flac", {"TITLE": "Beta", "ARTIST": "Yvonne",
                     "ALBUMARTIST": "Various Artists", "ALBUM": "Hits",
                     "DATE": "2001", "GENRE": "Pop", "TRACKNUMBER": "1",
                     "DISCNUMBER": "2/2"}),
    ("dots/1.flac", {"TITLE": ".intro", "ARTIST": ".hidden",
                     "ALBUM": "..Dots", "TRACKNUMBER": "1"}),
    ("bey/1.flac", {"TITLE": "D\u00e9j\u00e0 Vu", "ARTIST": "Beyonc\u00e9",
                    "ALBUM": "B'Day", "TRACKNUMBER": "1"}),
    ("bey/2.flac", {"TITLE": "Line\nBreak", "ARTIST": "Beyonc\u00e9",
                    "ALBUM": "B'Day", "TRACKNUMBER": "2"}),
    ("latin/1.flac", {"TITLE": b"Caf\xe9", "ARTIST": "Latin",
                      "ALBUM": "Bytes", "TRACKNUMBER": "1"}),
    ("long/1.flac", {"TITLE": LONG_TITLE, "ARTIST": "Long",
                     "ALBUM": "Names", "TRACKNUMBER": "1"}),
    ("dup/1.flac", {"TITLE": "Same", "ARTIST": "Dup", "ALBUM": "Twins",
                    "TRACKNUMBER": "1"}),
    ("dup/2.flac", {"TITLE": "Same", "ARTIST": "Dup", "ALBUM": "Twins",
                    "TRACKNUMBER": "1"}),
    ("untagged.flac", {}),
]

EXPECTED_ARTISTS = {
    "AC%sDC/Back in Black (1980)/01 - Hells Bells.flac" % SLASH,
    "AC%sDC/Back in Black (1980)/02 - Shoot to Thrill.flac" % SLASH,
    "Various Artists/Hits (2001)/1-01 - Alpha.flac",
    "Various Artists/Hits (2001)/2-01 - Beta.flac",
    "_hidden/__Dots/01 - .intro.flac",
    "Beyonc\u00e9/B'Day/01 - D\u00e9j\u00e0 Vu.flac",
    "Beyonc\u00e9/B'Day/02 - Line Break.flac",
    "Latin/Bytes/01 - Caf\ufffd.flac",
    "Long/Names/01 - %s.flac" % ("\u00e9" * 122),
    "Dup/Twins/01 - Same.flac",
    "Dup/Twins/01 - Same (2).flac",
    "Unknown Artist/Unknown Album/untagged.flac",
    "Daft Punk/Discovery (2001)/01 - One More Time.mp3",
}


def set_raw_comments(path, comments):
    """Replace the FLAC's Vorbis comments by the given byte strings, block
    crafted by hand: metaflac refuses to write text that is not UTF-8."""
    with open(path, "rb") as f:
        data = f.read()
    assert data[:4] == b"fLaC"
    pos, blocks = 4, []
    while True:
        head = data[pos]
        size = int.from_bytes(data[pos + 1:pos + 4], "big")
        if head & 0x7f != 4:
            blocks.append((head & 0x7f, data[pos + 4:pos + 4 + size]))
        pos += 4 + size
        if head & 0x80:
            break
    body = struct.pack("<I", 4) + b"test" + struct.pack("<I", len(comments))
    for c in comments:
        body += struct.pack("<I", len(c)) + c
    blocks.insert(1, (4, body))
    out = b"fLaC"
    for i, (kind, payload) in enumerate(blocks):
        last = 0x80 if i == len(blocks) - 1 else 0
        out += bytes([kind | last]) + len(payload).to_bytes(3, "big") + \
            payload
    with open(path, "wb") as f:
        f.write(out + data[pos:])


def make_track(root, rel, tags, freq):
    path = os.path.join(root, rel)
    make_flac(path, "t", "a", "b", 1, freq)
    if any(isinstance(v, bytes) for v in tags.values()):
        set_raw_comments(path, [k.encode() + b"=" + (
            v if isinstance(v, bytes) else v.encode())
            for k, v in tags.items()])
        return
    args = ["metaflac", "--remove-all-tags"]
    args += ["--set-tag=%s=%s" % kv for kv in tags.items()]
    run(*(args + [path]))


def make_mp3(path, freq):
    """Daft Punk's track, tagged by mutagen with a year and a genre."""
    wav = tone(path, freq)
    run("lame", "--quiet", "-b", "128", wav, path)
    os.unlink(wav)
    tag = ID3()
    tag.add(TIT2(encoding=3, text="One More Time"))
    tag.add(TPE1(encoding=3, text="Daft Punk"))
    tag.add(TALB(encoding=3, text="Discovery"))
    tag.add(TRCK(encoding=3, text="1"))
    tag.add(TDRC(encoding=3, text="2001"))
    tag.add(TCON(encoding=3, text="Electronic"))
    tag.save(path)


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    root = str(tmp_path_factory.mktemp("views") / "music")
    for i, (rel, tags) in enumerate(TRACKS):
        make_track(root, rel, tags, 200 + 37 * i)
    make_mp3(os.path.join(root, "daft", "1.mp3"), 1900)
    return root


@pytest.fixture
def views(template, tmp_path):
    root = str(tmp_path / "music")
    shutil.copytree(template, root)
    manga = tmp_path / "manga"
    for series, names in {"Berserk": ["Berserk T01.cbz", "Berserk T03.cbz",
                                      "Berserk T02.5.cbz"],
                          "Mob": ["Mob T02.cbz"]}.items():
        (manga / series).mkdir(parents=True)
        for i, name in enumerate(names):
            (manga / series / name).write_bytes(b"volume %s %d" %
                                                (series.encode(), i))
    # a folder of images is one volume
    (manga / "Berserk" / "Berserk v04").mkdir()
    for page in ("001.jpg", "002.jpg", ".hidden.jpg"):
        (manga / "Berserk" / "Berserk v04" / page).write_bytes(
            b"\xff\xd8\xff page " + page.encode())
    conf = tmp_path / "v.conf"
    conf.write_text("[general]\nwatch_debounce = 100ms\n[music]\nroot = %s\n"
                    "[manga]\nroot = %s\n" % (root, manga))
    m = start(tmp_path, "config=" + str(conf))
    m.root = root
    m.manga = str(manga)
    yield m
    unmount(m.path, m.proc)
    assert not is_mounted(m.path)


def sha(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def tree(m, view):
    """{relative path: absolute path} of every file under a view."""
    top = os.path.join(m.path, "library", "music", view)
    out = {}
    for d, _, files in os.walk(top):
        for name in files:
            full = os.path.join(d, name)
            out[os.path.relpath(full, top)] = full
    return out


def originals(m):
    out = []
    for d, _, files in os.walk(m.root):
        out += [sha(os.path.join(d, f)) for f in files]
    return collections.Counter(out)


def search(m, query):
    return sorted(os.listdir(os.path.join(m.path, "search", query)))


def test_layout(views):
    assert sorted(os.listdir(views.path + "/library")) == ["manga", "music"]
    assert sorted(os.listdir(views.path + "/library/music")) == sorted(VIEWS)
    assert os.listdir(views.path + "/search") == []
    readme = views.read("README").decode()
    for rel in ["library/music/", "library/manga/"]:
        assert rel in readme, rel
    assert re.search(r"^search/ +QUERY/: ", readme, re.M), readme


def test_every_track_once_per_view(views):
    want = originals(views)
    assert sum(want.values()) == len(TRACKS) + 1
    for view in VIEWS:
        files = tree(views, view)
        got = collections.Counter(sha(p) for p in files.values())
        assert got == want, view


def test_artist_names(views):
    assert set(tree(views, "artists")) == EXPECTED_ARTISTS


def test_other_views_names(views):
    albums = set(tree(views, "albums"))
    assert "Back in Black (AC%sDC)/02 - Shoot to Thrill.flac" % SLASH \
        in albums
    assert "Hits (Various Artists)/2-01 - Beta.flac" in albums
    assert "Unknown Album (Unknown Artist)/untagged.flac" in albums
    genres = set(tree(views, "genres"))
    assert "Hard Rock/AC%sDC/Back in Black (1980)/01 - Hells Bells.flac" \
        % SLASH in genres
    assert "Electronic/Daft Punk/Discovery (2001)/01 - One More Time.mp3" \
        in genres
    assert "Unknown Genre/Dup/Twins/01 - Same (2).flac" in genres
    years = set(tree(views, "years"))
    assert "2001/Various Artists - Hits/1-01 - Alpha.flac" in years
    assert "2001/Daft Punk - Discovery/01 - One More Time.mp3" in years
    assert "Unknown Year/_hidden - ..Dots/01 - .intro.flac" in years


def test_every_name_is_a_good_name(views):
    for view in VIEWS:
        for rel in tree(views, view):
            for name in rel.split("/"):
                raw = name.encode("utf-8")      # valid UTF-8 or raises
                assert 0 < len(raw) <= 255
                assert not name.startswith(".")
                assert not any(ord(c) < 32 for c in name)


def test_files_are_the_real_files(views):
    top = os.path.join(views.path, "library", "music", "artists")
    pairs = [("AC%sDC/Back in Black (1980)/01 - Hells Bells.flac" % SLASH,
              "acdc/1.flac"),
             ("Daft Punk/Discovery (2001)/01 - One More Time.mp3",
              "daft/1.mp3")]
    for rel, real in pairs:
        st = os.stat(os.path.join(top, rel))
        rst = os.stat(os.path.join(views.root, real))
        assert st.st_size == rst.st_size
        assert int(st.st_mtime) == int(rst.st_mtime)
        assert st.st_mode == rst.st_mode & ~0o222
        assert sha(os.path.join(top, rel)) == sha(
            os.path.join(views.root, real))
    # reads at odd offsets and sizes come from the real bytes
    path = os.path.join(top, pairs[0][0])
    real = open(os.path.join(views.root, "acdc/1.flac"), "rb").read()
    with open(path, "rb") as f:
        for off, size in [(0, 1), (7, 4093), (len(real) - 3, 100),
                          (len(real) + 10, 5)]:
            f.seek(off)
            assert f.read(size) == real[off:off + size]


def test_flac_decodes_through_the_mount(views):
    for rel in EXPECTED_ARTISTS:
        if rel.endswith(".flac"):
            path = os.path.join(views.path, "library", "music", "artists",
                                rel)
            subprocess.run(["flac", "-t", "-s", path], check=True)


def test_library_is_read_only(views):
    path = os.path.join(views.path, "library", "music", "artists",
                        "Dup/Twins/01 - Same.flac")
    with pytest.raises(OSError) as e:
        open(path, "r+b")
    assert e.value.errno in (errno.EACCES, errno.EROFS, errno.EPERM)
    with pytest.raises(OSError):
        os.mkdir(os.path.join(views.path, "library", "music", "new"))


def test_missing_paths(views):
    top = os.path.join(views.path, "library", "music", "artists")
    for rel in ["Nobody", "Dup/Nothing", "Dup/Twins/99 - None.flac",
                "AC/DC", "Dup/Twins/01 - Same.flac (2)"]:
        with pytest.raises(FileNotFoundError):
            os.stat(os.path.join(top, rel))
    for call in (os.listdir, os.stat):
        with pytest.raises(NotADirectoryError):
            call(os.path.join(top, "Dup/Twins/01 - Same.flac/"))


def test_vanished_file(views):
    rel = "Latin/Bytes/01 - Caf\ufffd.flac"
    path = os.path.join(views.path, "library", "music", "artists", rel)
    with open(path, "rb") as f:
        head = f.read(4)
        os.unlink(os.path.join(views.root, "latin", "1.flac"))
        # an open handle keeps reading the file it opened
        assert head == b"fLaC"
        assert len(f.read()) > 0
    # the entry is gone or, until the watcher has told the store, ENOENT
    with pytest.raises(FileNotFoundError):
        open(path, "rb")
    with pytest.raises(FileNotFoundError):
        os.stat(path)


def test_views_follow_tag_change(views):
    real = os.path.join(views.root, "acdc", "1.flac")
    run("metaflac", "--remove-tag=TITLE", "--remove-tag=GENRE",
        "--set-tag=TITLE=Highway", "--set-tag=GENRE=Rock", real)
    album = os.path.join(views.path, "library", "music", "artists",
                         "AC%sDC" % SLASH, "Back in Black (1980)")

    def changed():
        names = sorted(os.listdir(album))
        if names != ["01 - Highway.flac", "02 - Shoot to Thrill.flac"]:
            return names
        genres = tree(views, "genres")
        if "Rock/AC%sDC/Back in Black (1980)/01 - Highway.flac" % SLASH \
                not in genres:
            return sorted(genres)
        return True
    wait_for(changed, CONVERGE_S, "tag change", until=reached)
    assert search(views, "highway") == ["01 - Highway.flac"]
    assert search(views, "hells") == []
    assert sha(os.path.join(album, "01 - Highway.flac")) == sha(real)


def test_views_follow_deletion(views):
    os.unlink(os.path.join(views.root, "daft", "1.mp3"))

    artists = os.path.join(views.path, "library", "music", "artists")

    def gone():
        for view in VIEWS:
            left = [p for p in tree(views, view) if "Daft Punk" in p]
            if left:
                return left
        # the artist's folder too, which an empty one leaves out of tree()
        return "Daft Punk" not in os.listdir(artists) or ["artists/Daft Punk"]
    wait_for(gone, CONVERGE_S, "deletion", until=reached)
    assert search(views, "daft") == []


def test_search_words_and_prefixes(views):
    hells = ["01 - Hells Bells.flac"]
    acdc = hells + ["02 - Shoot to Thrill.flac"]
    assert search(views, "hells") == hells
    assert search(views, "Hel") == hells
    assert search(views, "bells hells") == hells
    assert search(views, "black") == acdc          # album
    assert search(views, "ac") == acdc             # artist
    assert search(views, "various") == ["1-01 - Alpha.flac",
                                        "2-01 - Beta.flac"]
    assert search(views, "xavier alp") == ["1-01 - Alpha.flac"]
    assert search(views, "daft punk") == ["01 - One More Time.mp3"]
    assert search(views, "same") == ["01 - Same (2).flac",
                                     "01 - Same.flac"]
    assert search(views, "hells shoot") == []
    assert search(views, "nothingatall") == []


def test_search_folds_accents(views):
    deja = ["01 - D\u00e9j\u00e0 Vu.flac"]
    assert search(views, "deja") == deja
    assert search(views, "D\u00c9J\u00c0 vu") == deja
    assert search(views, "beyonce") == deja + ["02 - Line Break.flac"]
    assert search(views, "beyonc\u00e9 line") == ["02 - Line Break.flac"]


def test_search_files_are_real(views):
    path = os.path.join(views.path, "search", "thrill",
                        "02 - Shoot to Thrill.flac")
    assert sha(path) == sha(os.path.join(views.root, "acdc", "2.flac"))
    with pytest.raises(FileNotFoundError):
        os.stat(os.path.join(views.path, "search", "thrill", "nothing"))


@pytest.mark.parametrize("query", [
    '"', '""', '"hells', "*", "**", "NEAR", "NEAR(hells bells)",
    "hells OR shoot", "hells AND", "NOT hells", "title:hells", "-hells",
    "^hells", "'", "(", ")", "{title}: x", " ", "\t", "\\", "%", "_",
    "hells\"* OR \"", "\u0301", "\ufffd",
])
def test_odd_queries_are_harmless(views, query):
    names = search(views, query)
    assert set(names) <= {"01 - Hells Bells.flac",
                          "02 - Shoot to Thrill.flac"}
    assert views.proc.poll() is None
    assert search(views, "hells") == ["01 - Hells Bells.flac"]


def test_quoted_words_still_found(views):
    assert search(views, '"hells"') == ["01 - Hells Bells.flac"]
    assert search(views, "hells*") == ["01 - Hells Bells.flac"]


def test_manga_volumes_and_gaps(views):
    top = os.path.join(views.path, "library", "manga")
    assert sorted(os.listdir(top)) == ["Berserk", "Mob"]
    berserk = os.path.join(top, "Berserk")
    assert sorted(os.listdir(berserk)) == [
        "MISSING - VOLUME 2", "Volume 001.cbz", "Volume 002.5.cbz",
        "Volume 003.cbz", "Volume 004"]
    folder = os.path.join(berserk, "Volume 004")
    assert sorted(os.listdir(folder)) == ["001.jpg", "002.jpg",
                                          "_hidden.jpg"]
    assert open(os.path.join(folder, "002.jpg"), "rb").read() == \
        b"\xff\xd8\xff page 002.jpg"
    with pytest.raises(NotADirectoryError):
        os.listdir(os.path.join(berserk, "Volume 003.cbz"))
    with pytest.raises(FileNotFoundError):
        os.stat(os.path.join(berserk, "Volume 005"))
    assert sorted(os.listdir(os.path.join(top, "Mob"))) == [
        "MISSING - VOLUME 1", "Volume 002.cbz"]
    gap = os.path.join(berserk, "MISSING - VOLUME 2")
    st = os.stat(gap)
    assert st.st_size == 0 and st.st_mode & 0o222 == 0
    # as old as its folder, and the same at each look, so that a copy
    # (rsync -a) of an unchanged folder sends nothing
    assert st.st_mtime_ns == os.stat(berserk).st_mtime_ns
    wait_for(lambda: int(time.time()) > st.st_mtime + 1, 5,
             "a clock past the placeholder's time")
    assert os.stat(gap).st_mtime_ns == st.st_mtime_ns
    assert open(gap, "rb").read() == b""
    with pytest.raises(OSError):
        open(gap, "wb")
    assert open(os.path.join(berserk, "Volume 003.cbz"), "rb").read() == \
        open(os.path.join(views.manga, "Berserk", "Berserk T03.cbz"),
             "rb").read()


def test_manga_view_follows_new_volume(views):
    with open(os.path.join(views.manga, "Berserk", "Berserk T02.cbz"),
              "wb") as f:
        f.write(b"volume two")
    berserk = os.path.join(views.path, "library", "manga", "Berserk")

    def filled():
        names = sorted(os.listdir(berserk))
        return True if names == ["Volume 001.cbz", "Volume 002.5.cbz",
                                 "Volume 002.cbz", "Volume 003.cbz",
                                 "Volume 004"] else names
    wait_for(filled, CONVERGE_S, "new volume", until=reached)


def test_rewritten_file_reads_new_bytes(views):
    # a tag the names do not use: same entry, new bytes, same handle cache
    rel = "Dup/Twins/01 - Same.flac"
    path = os.path.join(views.path, "library", "music", "artists", rel)
    real = os.path.join(views.root, "dup", "1.flac")
    before = sha(path)
    assert before == sha(real)
    old = os.stat(real)
    run("metaflac", "--set-tag=COMMENT=" + "x" * 5000, real)
    # a new mtime, whatever the clock's grain
    os.utime(real, ns=(old.st_atime_ns, old.st_mtime_ns + 10 ** 9))
    assert sha(real) != before
    assert sha(path) == sha(real)
    assert os.stat(path).st_size == os.stat(real).st_size


def test_cover_added_shows_in_every_view(views):
    # each view has listed the album (and found it has no cover) before
    # the image comes: every one of them shows it once the store has it
    folders = [os.path.join(views.path, "library", "music", view, rel)
               for view, rel in (("artists", "Dup/Twins"),
                                 ("albums", "Twins (Dup)"),
                                 ("genres", "Unknown Genre/Dup/Twins"),
                                 ("years", "Unknown Year/Dup - Twins"))]
    for folder in folders:
        assert not [n for n in os.listdir(folder) if n.endswith(".png")]
    image = b"\x89PNG\r\n\x1a\n cover of Twins"
    with open(os.path.join(views.root, "dup", "Cover.png"), "wb") as f:
        f.write(image)

    def shown():
        for folder in folders:
            names = sorted(n for n in os.listdir(folder)
                           if n.endswith(".png"))
            if names != ["cover.png", "folder.png"]:
                return folder, names
        return True
    wait_for(shown, CONVERGE_S, "new cover", until=reached)
    for folder in folders:
        for name in ("cover.png", "folder.png"):
            with open(os.path.join(folder, name), "rb") as f:
                assert f.read() == image
