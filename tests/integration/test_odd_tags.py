# SPDX-License-Identifier: GPL-3.0-or-later
"""The odd tagged files of real libraries (tests/data/make-odd-tags.py
makes one of each kind) read as mutagen reads them.

Each file's title, artist, album, album artist, track, disc and year,
as the mount shows them in the extended attributes of its track, must
equal mutagen's reading of the same file: an MP3's ID3v2 tag (at the
start, or appended with a footer), then its APEv2 tag, then its ID3v1
tag, field by field, and a FLAC's Vorbis comments. Several values of one
field count as equal when mediamon's value is mutagen's list joined with
"; " (empty and repeated values left out). A title no tag gives is the
file's name; an album artist no tag gives is the artist, as the index
files the track. The source recorded for each field must be the one
mutagen's reading took it from, and /status/tag-errors must list the
damaged files with a reason and none of the clean ones.
"""

import hashlib
import io
import os
import re
import subprocess

import mutagen
import pytest
from mutagen.apev2 import APEv2
from mutagen.flac import FLAC
from mutagen.id3 import ID3, ID3TimeStamp
from mutagen.id3._id3v1 import ParseID3v1

from conftest import REPO, is_mounted, start, unmount

FIELDS = ("title", "artist", "album", "album_artist", "track", "disc",
          "year")

# Files with nothing wrong in them, which must not be listed as damaged.
CLEAN = ["numbers.mp3", "multi-v24.mp3", "v22.mp3", "v1-only.mp3",
         "no-tags.mp3", "ape-only.mp3", "zlib-v23.mp3", "ext-header-v23.mp3",
         "ext-header-v24.mp3", "v23-unsync.mp3", "v24-frame-unsync.mp3",
         "flac-keys-case.flac", "flac-multi.flac", "flac-totals.flac",
         "flac-no-tags.flac", "flac-streaminfo-blocksize.flac",
         "flac-id3-prefix.flac"]
# Files whose tags cannot be read at all, and what the reason starts with.
UNREADABLE = {"not-audio.mp3": "mp3: ", "flac-not-flac.flac": "flac: "}


def text(values):
    """mutagen's list of values as mediamon joins it."""
    out = []
    for v in values:
        v = str(v)
        if v and v not in out:
            out.append(v)
    return "; ".join(out) or None


def number(values):
    """mutagen's +TRCK: the number before the "/" of the first value."""
    m = re.match(r"\s*\+?(\d+)", str(values[0])) if values else None
    return int(m.group(1)) or None if m else None


def year(values):
    """The year of the first value, as mutagen's ID3TimeStamp reads it."""
    y = ID3TimeStamp(str(values[0])).year if values else None
    return y if y and y > 0 else None


def fields(get):
    return {"title": text(get("title")), "artist": text(get("artist")),
            "album": text(get("album")),
            "album_artist": text(get("album_artist")),
            "track": number(get("track")), "disc": number(get("disc")),
            "year": year(get("year"))}


ID3_FRAMES = {"title": "TIT2", "artist": "TPE1", "album": "TALB",
              "album_artist": "TPE2", "track": "TRCK", "disc": "TPOS",
              "year": "TDRC"}
APE_KEYS = {"title": ["title"], "artist": ["artist"], "album": ["album"],
            "album_artist": ["album artist", "albumartist"],
            "track": ["track"], "disc": ["disc"], "year": ["year"]}
VORBIS_KEYS = {"title": ["title"], "artist": ["artist"], "album": ["album"],
               "album_artist": ["albumartist", "album artist"],
               "track": ["tracknumber"], "disc": ["discnumber"],
               "year": ["date", "year"]}


def id3_fields(tag):
    def get(f):
        frame = tag.get(ID3_FRAMES[f])
        return list(frame.text) if frame else []
    return fields(get)


def appended_id3(data):
    """The bytes of an ID3v2.4 tag appended with a footer, before an
    APEv2 and an ID3v1 tag (ID3v2.4 section 3.4), or None."""
    end = len(data)
    if end >= 128 and data[end - 128:end - 125] == b"TAG":
        end -= 128
    if end >= 32 and data[end - 32:end - 24] == b"APETAGEX":
        size = int.from_bytes(data[end - 20:end - 16], "little")
        flags = int.from_bytes(data[end - 12:end - 8], "little")
        end -= size + (32 if flags & 0x80000000 else 0)
    if end >= 20 and data[end - 10:end - 7] == b"3DI":
        size = sum(b << (7 * (3 - i)) for i, b in enumerate(data[end - 4:end]))
        start = end - 20 - size
        if start >= 0 and data[start:start + 3] == b"ID3":
            return data[start:end]
    return None


def mp3_sources(path):
    """mutagen's reading of each tag of an MP3, best first."""
    with open(path, "rb") as f:
        data = f.read()
    sources = []
    try:
        sources.append(("id3v2", id3_fields(ID3(path, load_v1=False))))
    except mutagen.MutagenError:
        blob = appended_id3(data)
        if blob:
            try:
                sources.append(("id3v2", id3_fields(
                    ID3(io.BytesIO(blob), load_v1=False))))
            except mutagen.MutagenError:
                pass
    try:
        ape = APEv2(path)
    except mutagen.MutagenError:
        pass
    else:
        def get(f):
            for k in APE_KEYS[f]:
                if k in ape:
                    return list(ape[k])
            return []
        sources.append(("ape", fields(get)))
    v1 = ParseID3v1(data[-128:]) if len(data) >= 128 else None
    if v1:
        tag = ID3()
        for frame in v1.values():
            tag.add(frame)
        sources.append(("id3v1", id3_fields(tag)))
    return sources


def flac_sources(path):
    try:
        tags = FLAC(path).tags
    except mutagen.MutagenError:
        return []
    if tags is None:
        return []

    def get(f):
        values = []
        for k in VORBIS_KEYS[f]:
            values += tags.get(k, [])
        return values
    return [("vorbis", fields(get))]


def expected(path):
    """What mediamon must show for path, and where each field is from."""
    sources = flac_sources(path) if path.endswith(".flac") \
        else mp3_sources(path)
    want, source = {}, {}
    for f in FIELDS:
        want[f] = None
        for name, values in sources:
            if values[f] is not None:
                want[f], source[f] = values[f], name
                break
    if want["title"] is None:
        want["title"] = os.path.basename(path).rsplit(".", 1)[0]
        source["title"] = "name"
    if want["album_artist"] is None:
        want["album_artist"] = want["artist"]
    return want, source


def attrs(path):
    """A track's record, as its extended attributes show it."""
    def get(name):
        try:
            return os.getxattr(path, "user.mediamon." + name).decode()
        except OSError:
            return None
    got = {f: get(f) for f in FIELDS}
    for f in ("track", "disc", "year"):
        got[f] = int(got[f]) if got[f] is not None else None
    sources = dict(item.split("=", 1)
                   for item in (get("tag_source") or "").split())
    return got, sources


def digest(path):
    with open(path, "rb") as f:
        return hashlib.sha1(f.read()).hexdigest()


@pytest.fixture(scope="module")
def odd(tmp_path_factory):
    """The odd files, a mount of them, and each file's record read
    through the mount (found by its bytes among the album folders)."""
    tmp = tmp_path_factory.mktemp("odd")
    music = tmp / "music"
    subprocess.run(["/usr/bin/python3",
                    os.path.join(REPO, "tests/data/make-odd-tags.py"),
                    str(music)], check=True)
    names = sorted(os.listdir(str(music)))
    by_digest = {digest(str(music / n)): n for n in names}
    assert len(by_digest) == len(names)
    m = start(tmp, "music=" + str(music))
    try:
        records = {}
        albums = m.file("library/music/albums")
        for folder, _, files in os.walk(albums):
            for f in files:
                path = os.path.join(folder, f)
                name = by_digest.get(digest(path))
                if name:
                    assert name not in records, name
                    records[name] = attrs(path)
        lines = m.read("status/tag-errors").decode().splitlines()
        errors = dict(line.split("\t", 1) for line in lines)
        last = m.json("metrics/scan.json")["last"]
        yield music, names, records, errors, last
    finally:
        unmount(m.path, m.proc)
        assert not is_mounted(m.path)


def test_every_kind_is_made_and_indexed(odd):
    music, names, records, errors, last = odd
    assert len(names) >= 40
    assert sorted(records) == names
    assert last["success"] and last["files_new"] == len(names)
    assert last["tag_errors"] == len(errors)


def test_fields_read_as_mutagen_reads_them(odd):
    music, names, records, errors, last = odd
    wrong = {}
    for name in names:
        want, want_source = expected(str(music / name))
        got, got_source = records[name]
        diff = {f: (got[f], want[f]) for f in FIELDS if got[f] != want[f]}
        diff.update({f + " source": (got_source.get(f), want_source[f])
                     for f in want_source
                     if got_source.get(f) != want_source[f]})
        if diff:
            wrong[name] = diff
    assert not wrong, "(mediamon, mutagen) %r" % wrong


def test_tag_errors_listed_with_their_reason(odd):
    music, names, records, errors, last = odd
    for name in CLEAN:
        assert str(music / name) not in errors, errors[str(music / name)]
    for name, prefix in UNREADABLE.items():
        assert errors[str(music / name)].startswith(prefix)
    for path, reason in errors.items():
        assert os.path.dirname(path) == str(music)
        assert reason and "\t" not in reason
    # a bad frame is listed, though its other frames are read
    assert "TPE1" in errors[str(music / "bad-encoding.mp3")]
    assert records["bad-encoding.mp3"][0]["album"] == "Kept Album"
