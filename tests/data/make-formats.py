#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Make one file of each audio format a real music library holds, and
the odd cases of each, tagged by mutagen.

    /usr/bin/python3 tests/data/make-formats.py OUTDIR

The audio comes from independent encoders (sox, oggenc, opusenc, ffmpeg,
wavpack, lame); the tags from mutagen, which writes every one of these
formats. Debian has no Monkey's Audio encoder: its .ape file is encoded
by tests/data/make-monkeys.py, which FFmpeg decodes.

The odd cases were learnt from mutagen's and TagLib's test data and
bug trackers (a comment packet over many Ogg pages, chained Ogg streams,
moov after mdat, 64-bit box sizes, covr with several images, empty
boxes); no file of theirs is copied: every byte is made here. The
reader under test is compared with mutagen's reading of these files
(tests/integration/test_formats.py); nothing here says what a reader
should find.
"""

import base64
import os
import random
import shutil
import struct
import subprocess
import sys
import tempfile

from mutagen.aiff import AIFF
from mutagen.apev2 import APEv2, APEValue, BINARY
from mutagen.flac import Picture
from mutagen.id3 import (APIC, RVA2, TALB, TCON, TDRC, TIT2, TPE1, TPE2,
                         TPOS, TRCK, TXXX)
from mutagen.mp3 import MP3
from mutagen.mp4 import MP4, MP4Cover, MP4FreeForm
from mutagen.oggopus import OggOpus
from mutagen.oggvorbis import OggVorbis
from mutagen.wave import WAVE
from mutagen.wavpack import WavPack

MB = {"MUSICBRAINZ_TRACKID": "1a2b3c4d-0000-4000-8000-0000000000a1",
      "MUSICBRAINZ_ALBUMID": "1a2b3c4d-0000-4000-8000-0000000000b1",
      "MUSICBRAINZ_ARTISTID": "1a2b3c4d-0000-4000-8000-0000000000c1",
      "MUSICBRAINZ_ALBUMARTISTID": "1a2b3c4d-0000-4000-8000-0000000000d1"}
MP4_MB = {"MUSICBRAINZ_TRACKID": "MusicBrainz Track Id",
          "MUSICBRAINZ_ALBUMID": "MusicBrainz Album Id",
          "MUSICBRAINZ_ARTISTID": "MusicBrainz Artist Id",
          "MUSICBRAINZ_ALBUMARTISTID": "MusicBrainz Album Artist Id"}

RNG = random.Random(20261124)
JPEG = b"\xff\xd8\xff\xe0" + RNG.randbytes(3000)
PNG = b"\x89PNG\r\n\x1a\n" + RNG.randbytes(2000)
BIG_JPEG = b"\xff\xd8\xff\xe0" + RNG.randbytes(150000)


def run(*argv):
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)


def flac_picture(data, mime="image/jpeg", kind=3):
    pic = Picture()
    pic.type = kind
    pic.mime = mime
    pic.data = data
    return base64.b64encode(pic.write()).decode("ascii")


def vorbis_tags(f, n, cover=(), opus=False):
    """The tags of file number n: non-Latin text, several artists;
    cover: the pictures, as flac_picture()'s arguments."""
    f["title"] = ["Titre %d — 日本語の曲" % n]
    f["artist"] = ["Артист %d" % n, "Second Artist"]
    f["albumartist"] = ["Album Artist %d" % n]
    f["album"] = ["Album Ω %d" % n]
    f["genre"] = ["Rock", "Électro"]
    f["tracknumber"] = [str(n)]
    f["tracktotal"] = ["12"]
    f["discnumber"] = ["1/2"]
    f["date"] = ["2019-05-01"]
    for k, v in MB.items():
        f[k] = [v]
    if opus:
        f["R128_TRACK_GAIN"] = ["-512"]
        f["R128_ALBUM_GAIN"] = ["256"]
    if cover:
        f["METADATA_BLOCK_PICTURE"] = [flac_picture(*c) for c in cover]
    f.save()


def id3_tags(f, n, gains=(), version=4, rva2=()):
    """gains: (TXXX description, value), as foobar2000 (lower case) and
    Picard (upper case) write ReplayGain; rva2: (identification, channel,
    gain), RVA2 frames as mutagen's EasyID3 and Quod Libet write it (the
    master volume is channel 1)."""
    f.add_tags()
    f.tags.add(TIT2(encoding=3, text=["Chunk %d — 中文" % n]))
    f.tags.add(TPE1(encoding=3, text=["Chunk Artist", "Другой"]))
    f.tags.add(TPE2(encoding=3, text=["Chunk Album Artist"]))
    f.tags.add(TALB(encoding=3, text=["Chunk Album %d" % n]))
    f.tags.add(TCON(encoding=3, text=["Jazz"]))
    f.tags.add(TRCK(encoding=3, text=["%d/9" % n]))
    f.tags.add(TPOS(encoding=3, text=["2/3"]))
    f.tags.add(TDRC(encoding=3, text=["2001-02-03"]))
    f.tags.add(APIC(encoding=3, mime="image/png", type=3, desc="front",
                    data=PNG))
    for desc, value in gains:
        f.tags.add(TXXX(encoding=3, desc=desc, text=[value]))
    for desc, channel, gain in rva2:
        f.tags.add(RVA2(desc=desc, channel=channel, gain=gain, peak=0.5))
    f.save(v2_version=version)


def ape_tags(f, n):
    f.add_tags()
    f.tags["Title"] = "APE %d — ελληνικά" % n
    f.tags["Artist"] = "APE Artist\x00Second"
    f.tags["Album Artist"] = "APE Album Artist"
    f.tags["Album"] = "APE Album"
    f.tags["Genre"] = "Folk"
    f.tags["Track"] = "%d/10" % n
    f.tags["Disc"] = "1"
    f.tags["Year"] = "1999"
    f.tags["REPLAYGAIN_TRACK_GAIN"] = "+1.20 dB"
    f.tags["REPLAYGAIN_ALBUM_GAIN"] = "+0.50 dB"
    f.tags["Cover Art (Front)"] = APEValue(b"cover.jpg\x00" + JPEG, BINARY)
    for k, v in MB.items():
        f.tags[k] = v
    f.save()


def mp4_tags(f, n, covers=(JPEG,)):
    f["\xa9nam"] = ["MP4 %d — 한국어" % n]
    f["\xa9ART"] = ["MP4 Artist", "Feat. Someone"]
    f["aART"] = ["MP4 Album Artist"]
    f["\xa9alb"] = ["MP4 Album %d" % n]
    f["\xa9gen"] = ["Pop"]
    f["trkn"] = [(n, 11)]
    f["disk"] = [(2, 2)]
    f["\xa9day"] = ["2015-10-21T00:00:00Z"]
    for k, v in MB.items():
        f["----:com.apple.iTunes:" + MP4_MB[k]] = [
            MP4FreeForm(v.encode())]
    f["----:com.apple.iTunes:replaygain_track_gain"] = [
        MP4FreeForm(b"-3.10 dB")]
    f["covr"] = [MP4Cover(c, MP4Cover.FORMAT_PNG if c.startswith(b"\x89")
                          else MP4Cover.FORMAT_JPEG) for c in covers]
    f.save()


def boxes(data, off, end):
    """The boxes between off and end: (offset, header size, size, type)."""
    out = []
    while off + 8 <= end:
        size, kind = struct.unpack(">I4s", data[off:off + 8])
        head = 8
        if size == 1:
            size = struct.unpack(">Q", data[off + 8:off + 16])[0]
            head = 16
        elif size == 0:
            size = end - off
        out.append((off, head, size, kind))
        off += size
    return out


def find(data, path):
    """The box at the path of types (moov, udta, ...) from the top."""
    off, end, box = 0, len(data), None
    for kind in path:
        for b in boxes(data, off, end):
            if b[3] == kind:
                box = b
                break
        else:
            raise ValueError(kind)
        off = box[0] + box[1] + (4 if kind == b"meta" else 0)
        end = box[0] + box[2]
    return box


def mdat_64bit(path):
    """Turn ffmpeg's 8-byte "free" box before mdat and mdat's 32-bit
    header into one 16-byte header with a 64-bit size: the samples stay
    where they were."""
    data = bytearray(open(path, "rb").read())
    top = boxes(data, 0, len(data))
    for i, (off, head, size, kind) in enumerate(top):
        if kind == b"free" and size == 8 and top[i + 1][3] == b"mdat":
            msize = top[i + 1][2]
            data[off:off + 16] = struct.pack(">I4sQ", 1, b"mdat",
                                             msize + 8)
            open(path, "wb").write(data)
            return
    raise ValueError("no free box before mdat in " + path)


def empty_boxes(path):
    """Add an empty "free" box at the end of udta and an empty item (a
    box with no data box) at the start of ilst, moov being the last box
    (nothing after it moves)."""
    data = bytearray(open(path, "rb").read())
    moov = find(data, [b"moov"])
    assert moov[0] + moov[2] == len(data)
    udta = find(data, [b"moov", b"udta"])
    ilst = find(data, [b"moov", b"udta", b"meta", b"ilst"])
    meta = find(data, [b"moov", b"udta", b"meta"])
    data[udta[0] + udta[2]:udta[0] + udta[2]] = struct.pack(">I4s", 8,
                                                            b"free")
    at = ilst[0] + ilst[1]
    data[at:at + 0] = struct.pack(">I4s", 8, b"\xa9cmt")
    for box, grow in ((moov, 16), (udta, 16), (meta, 8), (ilst, 8)):
        size = struct.unpack(">I", data[box[0]:box[0] + 4])[0]
        data[box[0]:box[0] + 4] = struct.pack(">I", size + grow)
    open(path, "wb").write(data)


def riff_info(path, items):
    """Append a LIST chunk of type INFO holding items (id, text) to the
    WAV file at path, as Windows and rippers write one: each text ends
    with a zero byte, each item is padded to an even length."""
    body = b"INFO"
    for ident, value in items:
        data = value.encode("utf-8") + b"\x00"
        body += struct.pack("<4sI", ident, len(data)) + data
        body += b"\x00" * (len(data) & 1)
    data = bytearray(open(path, "rb").read())
    data += struct.pack("<4sI", b"LIST", len(body)) + body
    data[4:8] = struct.pack("<I", len(data) - 8)
    open(path, "wb").write(data)


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix="formats-")
    try:
        st = os.path.join(tmp, "st.wav")
        mo = os.path.join(tmp, "mo.wav")
        run("sox", "-D", "-n", "-r", "44100", "-c", "2", "-b", "16", st,
            "synth", "2.0", "sine", "440", "vol", "0.5")
        run("sox", "-D", "-n", "-r", "48000", "-c", "1", "-b", "16", mo,
            "synth", "1.5", "sine", "330", "vol", "0.5")

        def o(name):
            return os.path.join(out, name)

        # Ogg Vorbis: a small cover; a cover whose base64 makes the
        # comment packet run over several pages; chained streams.
        run("oggenc", "-Q", "--serial", "11", "-o", o("vorbis.ogg"), st)
        f = OggVorbis(o("vorbis.ogg"))
        f["REPLAYGAIN_TRACK_GAIN"] = ["-6.50 dB"]
        f["REPLAYGAIN_ALBUM_GAIN"] = ["-7.25 dB"]
        vorbis_tags(f, 1, [(JPEG,)])
        run("oggenc", "-Q", "--serial", "12", "-o",
            o("vorbis-big-comments.ogg"), mo)
        vorbis_tags(OggVorbis(o("vorbis-big-comments.ogg")), 2,
                    [(BIG_JPEG,)])
        run("oggenc", "-Q", "--serial", "13", "-o", o("vorbis-no-tags.oga"),
            mo)
        a, b = os.path.join(tmp, "a.ogg"), os.path.join(tmp, "b.ogg")
        run("oggenc", "-Q", "--serial", "14", "-o", a, mo)
        vorbis_tags(OggVorbis(a), 3)
        run("oggenc", "-Q", "--serial", "15", "-o", b, st)
        with open(o("vorbis-chained.ogg"), "wb") as f:
            f.write(open(a, "rb").read() + open(b, "rb").read())

        # Ogg Opus, stereo and mono (48 kHz granules, pre-skip); a back
        # cover before the front one.
        run("opusenc", "--quiet", "--serial", "21", st, o("opus.opus"))
        vorbis_tags(OggOpus(o("opus.opus")), 4,
                    [(JPEG, "image/jpeg", 4), (PNG, "image/png", 3)],
                    opus=True)
        run("opusenc", "--quiet", "--serial", "22", mo, o("opus-mono.opus"))
        vorbis_tags(OggOpus(o("opus-mono.opus")), 5, opus=True)

        # MP4: AAC with moov after mdat (ffmpeg's default) and several
        # covers; AAC with moov first; ALAC; a 64-bit mdat; empty boxes.
        run("ffmpeg", "-v", "quiet", "-i", st, "-c:a", "aac", "-b:a",
            "96k", o("aac.m4a"))
        mp4_tags(MP4(o("aac.m4a")), 6, (JPEG, PNG))
        run("ffmpeg", "-v", "quiet", "-i", mo, "-c:a", "aac",
            "-movflags", "+faststart", o("aac-faststart.m4b"))
        mp4_tags(MP4(o("aac-faststart.m4b")), 7)
        run("ffmpeg", "-v", "quiet", "-i", st, "-c:a", "alac",
            o("alac.m4a"))
        mp4_tags(MP4(o("alac.m4a")), 8, (PNG,))
        run("ffmpeg", "-v", "quiet", "-i", mo, "-c:a", "aac",
            o("aac-64bit.mp4"))
        mdat_64bit(o("aac-64bit.mp4"))
        mp4_tags(MP4(o("aac-64bit.mp4")), 9)
        run("ffmpeg", "-v", "quiet", "-i", mo, "-c:a", "aac",
            o("aac-empty-boxes.m4a"))
        mp4_tags(MP4(o("aac-empty-boxes.m4a")), 10)
        empty_boxes(o("aac-empty-boxes.m4a"))
        run("ffmpeg", "-v", "quiet", "-i", mo, "-c:a", "aac",
            o("aac-no-tags.m4a"))

        # WavPack and Monkey's Audio with APEv2 tags and a cover.
        run("wavpack", "-q", "-y", st, "-o", o("wavpack.wv"))
        ape_tags(WavPack(o("wavpack.wv")), 11)
        run("/usr/bin/python3", os.path.join(os.path.dirname(__file__),
                                             "make-monkeys.py"),
            st, o("monkeys.ape"))
        ape_tags(APEv2File(o("monkeys.ape")), 12)

        # MP3, VBR with ID3v2.4 and CBR with ID3v2.3, its ReplayGain in
        # TXXX frames.
        run("lame", "--quiet", "--noreplaygain", "-V", "4", st,
            o("mp3-vbr.mp3"))
        id3_tags(MP3(o("mp3-vbr.mp3")), 15, (
            ("REPLAYGAIN_TRACK_GAIN", "-4.20 dB"),
            ("REPLAYGAIN_ALBUM_GAIN", "-5.05 dB")),
            rva2=(("track", 1, -9.0),))
        # ReplayGain in RVA2 frames only: the track's on the master
        # volume, the album's on the front right channel alone
        run("lame", "--quiet", "--noreplaygain", "-b", "96", mo,
            o("mp3-rva2.mp3"))
        id3_tags(MP3(o("mp3-rva2.mp3")), 17,
                 rva2=(("track", 1, -3.25), ("album", 2, -1.5)))
        run("lame", "--quiet", "--noreplaygain", "-b", "128", mo,
            o("mp3-cbr.mp3"))
        id3_tags(MP3(o("mp3-cbr.mp3")), 16, (
            ("replaygain_track_gain", "+1.10 dB"),), version=3)

        # WAV and AIFF with an ID3 chunk.
        shutil.copy(st, o("wave.wav"))
        id3_tags(WAVE(o("wave.wav")), 13, (
            ("REPLAYGAIN_ALBUM_GAIN", "-2.00 dB"),))
        run("sox", "-D", mo, o("aiff.aiff"))
        id3_tags(AIFF(o("aiff.aiff")), 14)
        run("sox", "-D", st, o("aiff-no-tags.aif"))
        # WAV with RIFF INFO only, and with INFO filling what ID3 lacks.
        shutil.copy(mo, o("wave-info.wav"))
        riff_info(o("wave-info.wav"), [
            (b"INAM", "Info Title — ñ"), (b"IART", "Info Artist"),
            (b"IPRD", "Info Album"), (b"IGNR", "Ambient"),
            (b"ICRD", "1987-06-05"), (b"ITRK", "7"), (b"ISFT", "Lavf")])
        shutil.copy(mo, o("wave-id3-info.wav"))
        riff_info(o("wave-id3-info.wav"), [
            (b"INAM", "Not This Title"), (b"IPRD", "Album From Info"),
            (b"ITRK", "4")])
        f = WAVE(o("wave-id3-info.wav"))
        f.add_tags()
        f.tags.add(TIT2(encoding=3, text=["Title From ID3"]))
        f.tags.add(TPE1(encoding=3, text=["ID3 Artist"]))
        f.save()

        # Files with an audio extension that are not of their format,
        # and one cut before its moov box.
        for name in ("not-ogg.ogg", "not-mp4.m4a", "not-wavpack.wv",
                     "not-wave.wav", "not-opus.opus"):
            open(o(name), "wb").write(RNG.randbytes(3000))
        data = open(o("aac-faststart.m4b"), "rb").read()
        moov = find(data, [b"moov"])
        open(o("cut-in-moov.m4a"), "wb").write(
            data[:moov[0] + moov[2] // 2])
        # Cut in the audio: the tags are whole, the end is not.
        open(o("aac-cut-in-mdat.m4b"), "wb").write(data[:len(data) * 3 // 4])
        data = open(o("vorbis.ogg"), "rb").read()
        open(o("vorbis-cut.ogg"), "wb").write(data[:len(data) - 1000])
    finally:
        shutil.rmtree(tmp)


class APEv2File:
    """A Monkey's Audio file's APEv2 tag, as mutagen.monkeysaudio writes
    it (through mutagen.apev2)."""

    def __init__(self, path):
        self.path = path
        self.tags = None

    def add_tags(self):
        self.tags = APEv2()

    def save(self):
        self.tags.save(self.path)


if __name__ == "__main__":
    main()
