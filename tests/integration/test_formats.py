# SPDX-License-Identifier: GPL-3.0-or-later
"""Every format of a real music library (tests/data/make-formats.py makes
each, and its odd cases) read as mutagen reads it, through the mount.

Each file's title, artist, album, album artist, track, disc, year and
ReplayGain (its track's extended attributes), its codec, sample rate,
channels, bit depth (of lossless audio only), duration and MusicBrainz
ids (the store), and its embedded
cover (the album folder's cover file) must equal mutagen's reading of
the same file: Vorbis comments of an Ogg file's first stream, an MP4's
ilst atoms, the APEv2 tag of WavPack and Monkey's Audio, the ID3 chunk
of WAV and AIFF, an MP3's ID3v2 tag (ReplayGain in TXXX frames). Files
with an audio extension that are not of their format are listed in
/status/tag-errors with a reason; a file of the new formats added to a
watched library becomes a track.
"""

import base64
import hashlib
import os
import shutil
import sqlite3
import struct
import subprocess

import mutagen
import pytest
from mutagen.apev2 import APEv2
from mutagen.flac import Picture

from conftest import REPO, is_mounted, start, unmount, wait_for
from test_odd_tags import fields, text

FIELDS = ("title", "artist", "album", "album_artist", "track", "disc",
          "year")
UNREADABLE = {"not-ogg.ogg": "ogg: ", "not-opus.opus": "ogg: ",
              "not-mp4.m4a": "mp4: ", "not-wavpack.wv": "wavpack: ",
              "not-wave.wav": "wav: ", "cut-in-moov.m4a": "mp4: "}
# Files whose damage is listed, though their tags are read whole.
DAMAGED = {"aac-cut-in-mdat.m4b": "mp4: box \"mdat\""}
VORBIS = {"title": ["title"], "artist": ["artist"], "album": ["album"],
          "album_artist": ["albumartist", "album artist"],
          "track": ["tracknumber"], "disc": ["discnumber"],
          "year": ["date", "year"]}
VORBIS_TOTALS = {"track": ["tracktotal", "totaltracks"],
                 "disc": ["disctotal", "totaldiscs"]}
MP4 = {"title": "\xa9nam", "artist": "\xa9ART", "album": "\xa9alb",
       "album_artist": "aART", "year": "\xa9day"}
APE = {"title": ["title"], "artist": ["artist"], "album": ["album"],
       "album_artist": ["album artist", "albumartist"],
       "track": ["track"], "disc": ["disc"], "year": ["year"]}
INFO = {"title": ["INAM"], "artist": ["IART"], "album": ["IPRD"],
        "track": ["ITRK", "IPRT"], "year": ["ICRD"]}
ID3 = {"title": "TIT2", "artist": "TPE1", "album": "TALB",
       "album_artist": "TPE2", "track": "TRCK", "disc": "TPOS",
       "year": "TDRC"}
# The codecs whose files say how many bits a sample holds.
LOSSLESS = ("flac", "alac", "wav", "aiff", "wavpack", "ape")
MB_VORBIS = ("musicbrainz_trackid", "musicbrainz_albumid",
             "musicbrainz_artistid", "musicbrainz_albumartistid")
MB_MP4 = ("MusicBrainz Track Id", "MusicBrainz Album Id",
          "MusicBrainz Artist Id", "MusicBrainz Album Artist Id")

# The store version before the one that reads the new formats.
VERSION_BEFORE_FORMATS = 28


def gains(get):
    """The track and album gains a tag gives, as the mount shows them:
    ReplayGain's dB, or Opus' R128 Q7.8 to -23 LUFS plus 5 dB."""
    out = []
    for rg, r128 in (("replaygain_track_gain", "r128_track_gain"),
                     ("replaygain_album_gain", "r128_album_gain")):
        v = get(rg)
        if v:
            out.append("%.2f" % float(v.split()[0]))
        elif get(r128):
            out.append("%.2f" % (int(get(r128)) / 256 + 5))
        else:
            out.append(None)
    return out


def vorbis(f):
    tags = f.tags or {}
    f.gains = gains(lambda k: (tags.get(k) or [None])[0])

    def get(name):
        values = []
        for k in VORBIS[name]:
            values += tags.get(k, [])
        return values
    mb = [text(tags.get(k, [])) for k in MB_VORBIS]
    pics = [Picture(base64.b64decode(p))
            for p in tags.get("metadata_block_picture", [])]
    fronts = [p for p in pics if p.type == 3] or pics
    return fields(get), mb, fronts[0].data if fronts else None


def mp4(f):
    tags = f.tags or {}
    f.gains = gains(lambda k: (
        [v.decode() for v in tags.get("----:com.apple.iTunes:" + k, [])]
        or [None])[0])

    def get(name):
        if name in ("track", "disc"):
            pairs = tags.get("trkn" if name == "track" else "disk", [])
            return [str(pairs[0][0])] if pairs else []
        values = list(tags.get(MP4[name], []))
        if name == "genre" and not values and "gnre" in tags:
            values = tags["gnre"]
        return values
    mb = [text(v.decode() for v in tags.get(
        "----:com.apple.iTunes:" + k, [])) for k in MB_MP4]
    covers = tags.get("covr", [])
    return fields(get), mb, bytes(covers[0]) if covers else None


class Path(str):
    """A path that can carry what was read of it (its gains)."""


def ape(path):
    path.gains = [None, None]
    try:
        tags = APEv2(path)
    except mutagen.MutagenError:
        return fields(lambda name: []), [None] * 4, None

    def get(name):
        for k in APE[name]:
            if k in tags:
                return list(tags[k])
        return []
    path.gains = gains(lambda k: str(tags[k]) if k in tags else None)
    cover = tags.get("Cover Art (Front)")
    data = cover.value.split(b"\x00", 1)[1] if cover else None
    mb = [str(tags[k]) if k in tags else None
          for k in (n.upper() for n in MB_VORBIS)]
    return fields(get), mb, data


def riff_info(path):
    """The items of a WAV file's LIST INFO chunk, read here (mutagen
    reads none): {id: text}."""
    data = open(path, "rb").read()
    off, items = 12, {}
    while off + 8 <= len(data):
        ident, size = struct.unpack("<4sI", data[off:off + 8])
        if ident == b"LIST" and data[off + 8:off + 12] == b"INFO":
            at, end = off + 12, off + 8 + size
            while at + 8 <= end:
                item, n = struct.unpack("<4sI", data[at:at + 8])
                items.setdefault(item.decode(), data[at + 8:at + 8 + n]
                                 .split(b"\x00")[0].decode())
                at += 8 + n + (n & 1)
        off += 8 + size + (size & 1)
    return items


def id3_gains(tags):
    """The gains of TXXX frames named REPLAYGAIN_TRACK_GAIN and
    REPLAYGAIN_ALBUM_GAIN in any case, the first value of each; without
    one, the master volume's of an RVA2 frame "track" or "album"."""
    frames = tags.getall("TXXX") if tags else []
    rva2 = tags.getall("RVA2") if tags else []

    def get(key):
        for frame in frames:
            if frame.desc.lower() == key and frame.text:
                return frame.text[0]
        for frame in rva2:
            if "replaygain_%s_gain" % frame.desc.lower() == key and \
                    frame.channel == 1:
                return "%f dB" % frame.gain
        return None
    return gains(get)


def id3(f, path):
    """The ID3 tag's (or chunk's) fields, then for WAV the INFO list's for
    the fields ID3 left empty, and where each came from."""
    tags = f.tags or {}
    f.gains = id3_gains(f.tags)

    def get(name):
        frame = tags.get(ID3[name])
        return list(frame.text) if frame else []
    pics = [v for k, v in tags.items() if k.startswith("APIC")]
    want = fields(get)
    source = {k: "id3v2" for k in FIELDS if want[k] is not None}
    info = riff_info(path) if path.endswith(".wav") else {}
    got = fields(lambda name: [info[k] for k in INFO.get(name, ())
                               if k in info][:1])
    for k in FIELDS:
        if want[k] is None and got[k] is not None:
            want[k], source[k] = got[k], "riff"
    return want, [None] * 4, pics[0].data if pics else None, source


def expected(path):
    """mutagen's reading of path: fields, MusicBrainz ids, the cover (the
    first front cover, else the first picture), codec, sample rate,
    channels, bits a sample (none for lossy audio) and length."""
    f = mutagen.File(path)
    kind = type(f).__name__
    info = f.info
    source = None
    f.gains = [None, None]
    if kind in ("OggVorbis", "OggOpus"):
        want, mb, cover = vorbis(f)
        codec = "vorbis" if kind == "OggVorbis" else "opus"
        rate = 48000 if kind == "OggOpus" else info.sample_rate
    elif kind == "MP4":
        want, mb, cover = mp4(f)
        codec = "alac" if info.codec == "alac" else "aac"
        rate = info.sample_rate
    elif kind in ("WavPack", "MonkeysAudio"):
        holder = Path(path)
        want, mb, cover = ape(holder)
        f.gains = holder.gains
        codec = "wavpack" if kind == "WavPack" else "ape"
        rate = info.sample_rate
    else:
        want, mb, cover, source = id3(f, path)
        codec = {"WAVE": "wav", "MP3": "mp3"}.get(kind, "aiff")
        rate = info.sample_rate
    if want["title"] is None:
        want["title"] = os.path.basename(path).rsplit(".", 1)[0]
    if want["album_artist"] is None:
        want["album_artist"] = want["artist"]
    depth = getattr(info, "bits_per_sample", 0) if codec in LOSSLESS else 0
    stream = {"codec": codec, "sample_rate": rate,
              "channels": info.channels, "duration": round(info.length, 3),
              "gains": f.gains, "bit_depth": depth or None}
    return want, mb, cover, stream, source


def digest(path):
    with open(path, "rb") as f:
        return hashlib.sha1(f.read()).hexdigest()


def attrs(path):
    def get(name):
        try:
            return os.getxattr(path, "user.mediamon." + name).decode()
        except OSError:
            return None
    got = {f: get(f) for f in FIELDS}
    for f in ("track", "disc", "year"):
        got[f] = int(got[f]) if got[f] is not None else None
    got["gains"] = [get("tag_gain_db"), get("tag_album_gain_db")]
    got["sources"] = dict(item.split("=", 1)
                          for item in (get("tag_source") or "").split())
    return got


def stored(db):
    """Each file's stream and ids as the store keeps them, by name."""
    con = sqlite3.connect("file:%s?mode=ro" % db, uri=True, timeout=30)
    try:
        rows = con.execute(
            "SELECT CAST(f.name AS TEXT), t.codec, t.sample_rate,"
            " t.channels, t.duration_s, t.mb_track_id, t.mb_album_id,"
            " t.mb_artist_id, t.mb_album_artist_id, t.has_picture,"
            " t.bit_depth FROM files f JOIN tracks t ON t.file_id = f.id").fetchall()
    finally:
        con.close()
    return {r[0]: r[1:] for r in rows}


@pytest.fixture(scope="module")
def formats(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("formats")
    music = tmp / "music"
    subprocess.run(["/usr/bin/python3",
                    os.path.join(REPO, "tests/data/make-formats.py"),
                    str(music)], check=True)
    names = sorted(os.listdir(str(music)))
    by_digest = {digest(str(music / n)): n for n in names}
    m = start(tmp, "music=" + str(music))
    try:
        records = {}
        albums = m.file("library/music/albums")
        for folder, _, files in os.walk(albums):
            for f in files:
                path = os.path.join(folder, f)
                name = by_digest.get(digest(path))
                if name:
                    covers = [c for c in files if c.startswith("cover.")]
                    cover = None
                    if covers:
                        with open(os.path.join(folder, covers[0]),
                                  "rb") as c:
                            cover = c.read()
                    records[name] = (attrs(path), cover)
        lines = m.read("status/tag-errors").decode().splitlines()
        errors = dict(line.split("\t", 1) for line in lines)
        yield m, music, names, records, errors, stored(m.db)
    finally:
        unmount(m.path, m.proc)
        assert not is_mounted(m.path)


def readable(names):
    return [n for n in names if n not in UNREADABLE]


def test_every_format_becomes_a_track(formats):
    m, music, names, records, errors, store = formats
    exts = {n.rsplit(".", 1)[1] for n in readable(names)}
    assert exts >= {"ogg", "oga", "opus", "m4a", "m4b", "mp4", "wv", "ape",
                    "wav", "aiff", "aif", "mp3"}
    assert sorted(records) == names


def test_fields_read_as_mutagen_reads_them(formats):
    m, music, names, records, errors, store = formats
    wrong = {}
    for name in readable(names):
        want, mb, cover, stream, source = expected(str(music / name))
        got, got_cover = records[name]
        row = store[name]
        diff = {f: (got[f], want[f]) for f in FIELDS if got[f] != want[f]}
        for f in source or ():
            if got["sources"].get(f) != source[f]:
                diff[f + " source"] = (got["sources"].get(f), source[f])
        have = {"codec": row[0], "sample_rate": row[1], "channels": row[2],
                "duration": round(row[3], 3), "gains": got["gains"],
                "bit_depth": row[9]}
        diff.update({k: (have[k], stream[k]) for k in stream
                     if have[k] != stream[k]})
        if list(row[4:8]) != mb and any(mb):
            diff["musicbrainz"] = (row[4:8], mb)
        if got_cover != cover:
            diff["cover"] = (got_cover and len(got_cover),
                             cover and len(cover))
        if diff:
            wrong[name] = diff
    assert not wrong, "(mediamon, mutagen) %r" % wrong


def test_unreadable_files_listed_with_their_reason(formats):
    m, music, names, records, errors, store = formats
    for name, prefix in UNREADABLE.items():
        assert errors[str(music / name)].startswith(prefix), name
    for name, prefix in DAMAGED.items():
        assert errors[str(music / name)].startswith(prefix), name
    for name in readable(names):
        if "no-tags" not in name and name not in DAMAGED:
            assert str(music / name) not in errors, errors[str(music / name)]


def test_watcher_takes_new_formats(formats, tmp_path):
    """A file of each new format copied into the watched library becomes
    a track of the views."""
    m, music, names, records, errors, store = formats
    new = music / "added"
    new.mkdir()
    for name in ("opus.opus", "alac.m4a", "wavpack.wv"):
        shutil.copy(str(music / name), str(new / ("copy-" + name)))

    def indexed():
        rows = stored(m.db)
        return all(("copy-" + n) in rows for n in
                   ("opus.opus", "alac.m4a", "wavpack.wv"))
    wait_for(indexed, 30, "the copies indexed")
    rows = stored(m.db)
    assert rows["copy-opus.opus"][0] == "opus"
    assert rows["copy-alac.m4a"][0] == "alac"
    assert rows["copy-wavpack.wv"][0] == "wavpack"


def test_store_of_the_version_before_reads_them(formats, tmp_path):
    """A store made before these formats were read keeps their files as
    "other" files of unchanged folders: its migration makes the next
    scan read them. A lossless track of a store from before bit depths
    were kept (wavpack.wv) is read again for its own, a lossy one
    (vorbis-no-tags.oga) is not."""
    music = formats[1]
    root = tmp_path / "music"
    root.mkdir()
    names = ("opus.opus", "alac.m4a", "wave.wav")
    for name in names + ("vorbis-no-tags.oga", "wavpack.wv"):
        shutil.copy(str(music / name), str(root / name))
    m = start(tmp_path, "music=" + str(root))
    unmount(m.path, m.proc)
    con = sqlite3.connect(m.db)
    try:
        ids = "SELECT id FROM files WHERE CAST(name AS TEXT) IN " \
            "('opus.opus', 'alac.m4a', 'wave.wav')"
        con.executescript(
            "DELETE FROM pictures WHERE file_id IN (%s);"
            " DELETE FROM tracks WHERE file_id IN (%s);"
            " UPDATE files SET kind = 'other' WHERE id IN (%s);"
            " DROP TABLE check_requests;"
            " ALTER TABLE checks ADD COLUMN nautiljon INTEGER NOT NULL"
            " DEFAULT 0;"
            " ALTER TABLE tracks DROP COLUMN tag_gain_db;"
            " ALTER TABLE tracks DROP COLUMN tag_album_gain_db;"
            " ALTER TABLE roots DROP COLUMN dev;"
            " ALTER TABLE series DROP COLUMN published_by;"
            " ALTER TABLE comicinfo DROP COLUMN pages;"
            " ALTER TABLE comicinfo DROP COLUMN cover;"
            " ALTER TABLE scans DROP COLUMN cpu_s;"
            " ALTER TABLE downloads DROP COLUMN bytes_done;"
            " ALTER TABLE downloads DROP COLUMN bytes_total;"
            " ALTER TABLE downloads DROP COLUMN bytes_per_s;"
            " ALTER TABLE scans DROP COLUMN first_errors;"
            " ALTER TABLE series DROP COLUMN edition;"
            " ALTER TABLE comicinfo DROP COLUMN summary;"
            " ALTER TABLE comicinfo DROP COLUMN writer;"
            " ALTER TABLE comicinfo DROP COLUMN issued;"
            " ALTER TABLE wanted DROP COLUMN untold;"
            " ALTER TABLE wanted DROP COLUMN dropped;"
            " ALTER TABLE series DROP COLUMN published_record;"
            " ALTER TABLE series DROP COLUMN published_line;"
            " ALTER TABLE downloads DROP COLUMN applied;"
            " ALTER TABLE series DROP COLUMN meta;"
            " DROP TRIGGER analysis_queue_change;"
            " DROP INDEX analysis_queue_owner;"
            " ALTER TABLE analysis_queue DROP COLUMN owner;"
            " ALTER TABLE files DROP COLUMN uid;"
            " DROP TRIGGER subsonic_files_del;"
            " DROP TRIGGER subsonic_gone_del;"
            " DROP TRIGGER subsonic_files_add;"
            " DROP TABLE subsonic_stars;"
            " DROP TABLE subsonic_plays;"
            " DROP TABLE playlist_times;"
            " DROP TRIGGER file_ids_del;"
            " DROP TRIGGER file_ids_moved;"
            " DROP TABLE file_ids;"
            " ALTER TABLE files DROP COLUMN first_seen;"
            " ALTER TABLE gone DROP COLUMN first_seen;"
            " ALTER TABLE series DROP COLUMN found;"
            " ALTER TABLE series_gone DROP COLUMN found;"
            " ALTER TABLE series DROP COLUMN gone;"
            " ALTER TABLE tracks DROP COLUMN bit_depth;"
            " ALTER TABLE files DROP COLUMN crc;"
            " PRAGMA user_version = %d;" % (ids, ids, ids,
                                            VERSION_BEFORE_FORMATS))
        tracks = {r[0] for r in con.execute(
            "SELECT CAST(f.name AS TEXT) FROM files f"
            " JOIN tracks t ON t.file_id = f.id")}
    finally:
        con.close()
    assert tracks == {"vorbis-no-tags.oga", "wavpack.wv"}
    m = start(tmp_path, "music=" + str(root))
    try:
        rows = stored(m.db)
        assert {n: rows[n][0] for n in names} == {
            "opus.opus": "opus", "alac.m4a": "alac", "wave.wav": "wav"}
        assert rows["wavpack.wv"][9] == \
            mutagen.File(str(root / "wavpack.wv")).info.bits_per_sample
        assert rows["vorbis-no-tags.oga"][9] is None
        assert m.json("metrics/scan.json")["last"]["files_changed"] == 4
    finally:
        unmount(m.path, m.proc)


def test_monkeys_audio_decodes(formats):
    """The Monkey's Audio file tests/data/make-monkeys.py encodes is real
    audio: FFmpeg decodes all of it, each frame's CRC checked, to the
    two seconds of a 440 Hz sine at half of full scale it was made of
    (FFmpeg's words on its cover, random bytes, aside)."""
    path = str(formats[1] / "monkeys.ape")
    out = subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-err_detect",
                          "crccheck+explode", "-i", path, "-map", "0:a",
                          "-f", "s16le", "-"], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, check=False)
    errors = [line for line in out.stderr.decode().splitlines()
              if not line.startswith("[mjpeg")]
    assert (out.returncode, errors) == (0, [])
    samples = struct.unpack("<%dh" % (len(out.stdout) // 2), out.stdout)
    assert len(samples) == 2 * 44100 * 2
    assert samples[0::2] == samples[1::2]
    assert 16000 < max(samples) <= 16384
